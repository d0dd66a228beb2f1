/**
 * formatDoubleShortest: doubles as Redis ≥ 7.2 replies them (d2string with
 * fpconv's grisu2), checked against replies of Redis 7.4.1 (ZSCORE); 20,000
 * random doubles compared with 7.4.1 matched too when fpconv.ts was written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDouble, formatDoubleShortest } from '../../src/protocol/format.ts';

/** [input, Redis 7.4.1's ZSCORE reply]. */
const CASES: Array<[number, string]> = [
  [1e300, '1e+300'], [0.1, '0.1'], [3.0000000000000004, '3.0000000000000004'], [1e-7, '1e-7'], [1.5e-7, '1.5e-7'], [-2.5, '-2.5'],
  [1234567890123456789, '1234567890123456768'], [1e19, '1e+19'], [1.5e19, '1.5e+19'], [12345678901234567e10, '1.2345678901234568e+26'],
  [0.000001, '0.000001'], [0.0000123, '1.23e-5'], [123.456, '123.456'], [-1e-300, '-1e-300'], [4611686018427387904, '4611686018427387904'],
  [9223372036854775807, '9223372036854776000'], [1e21, '1e+21'], [1.7976931348623157e308, '1.7976931348623157e+308'], [5e-324, '5e-324'],
  [100.5, '100.5'], [1000000000000000.5, '1000000000000000.5'], [0.00001, '0.00001'], [1e16, '10000000000000000'],
  // grisu2's digits, not the closest ones JavaScript prints (…568e7)
  [123456789012345678901234, '123456789012345690000000'],
  [0.30000000000000004, '0.30000000000000004'], [Infinity, 'inf'], [-Infinity, '-inf'], [NaN, 'nan'], [0, '0'], [-0, '-0'],
];

test('formatDoubleShortest prints doubles as Redis 7.4.1', () => {
  for (const [x, want] of CASES) assert.equal(formatDoubleShortest(x), want, String(x));
});

test('formatDouble stays Redis 7.0\'s %.17g', () => {
  assert.equal(formatDouble(1e300), '1.0000000000000001e+300');
  assert.equal(formatDouble(0.1), '0.10000000000000001');
});
