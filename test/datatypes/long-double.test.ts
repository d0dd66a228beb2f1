import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDecimals } from '../../src/datatypes/long-double.ts';

test('INCRBYFLOAT arithmetic matches Redis long double output', () => {
  // expected values printed by redis-server 7.0.15
  assert.equal(addDecimals('10.5', '0.1'), '10.6');
  assert.equal(addDecimals('10.6', '-5'), '5.6');
  assert.equal(addDecimals('5.6', '5.0e3'), '5005.60000000000000009');
  assert.equal(addDecimals('0.02439024390243902', '-0.02439024390243902'), '0');
  assert.equal(addDecimals('1e20', '1'), '100000000000000000000');
  assert.equal(addDecimals('0', '-1.5'), '-1.5');
  assert.equal(addDecimals('1.5e1', '1'), '16');
});
