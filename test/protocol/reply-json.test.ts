/** RESP replies as Upstash's JSON (src/protocol/reply-json.ts), RESP2 and RESP3 types, plain and base64. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrayItemsToJson, repliesToJson, replyToJson } from '../../src/protocol/reply-json.ts';

const json = (resp: string, base64 = false): string => {
  const b = Buffer.from(resp, 'latin1');
  const r = replyToJson(b, 0, b.length, base64);
  assert.equal(r.next, b.length, 'the whole reply was read');
  return r.json;
};

test('RESP2 replies: strings, integers with every digit, nulls, nested arrays, nested errors', () => {
  assert.equal(json('+OK\r\n'), '"OK"');
  assert.equal(json('$4\r\nh\xc3\xa9l\r\n'), '"hél"');
  assert.equal(json(':-12345678901234567890\r\n'), '-12345678901234567890');
  assert.equal(json('$-1\r\n'), 'null');
  assert.equal(json('*-1\r\n'), 'null');
  assert.equal(json('*3\r\n$1\r\na\r\n*1\r\n:1\r\n-ERR x\r\n'), '["a",[1],{"error":"ERR x"}]');
  const b = Buffer.from('-WRONGTYPE no\r\n');
  assert.deepEqual(replyToJson(b, 0, b.length, false), { json: '"WRONGTYPE no"', error: 'WRONGTYPE no', next: b.length });
});

test('RESP3 replies: maps and sets flattened, doubles, booleans, verbatim, big numbers, attributes skipped', () => {
  assert.equal(json('%1\r\n$1\r\nk\r\n,1.5\r\n'), '["k",1.5]');
  assert.equal(json('~2\r\n#t\r\n#f\r\n'), '[1,0]');
  assert.equal(json(',inf\r\n'), '"inf"');
  assert.equal(json('=7\r\ntxt:abc\r\n'), '"abc"');
  assert.equal(json('(123456789012345678901234567890\r\n'), '123456789012345678901234567890');
  assert.equal(json('_\r\n'), 'null');
  assert.equal(json('|1\r\n$1\r\na\r\n$1\r\nb\r\n:7\r\n'), '7');
});

test('base64: every string but the simple string OK, binary-safe', () => {
  assert.equal(json('+OK\r\n', true), '"OK"');
  assert.equal(json('+PONG\r\n', true), `"${Buffer.from('PONG').toString('base64')}"`);
  assert.equal(json('$3\r\n\x00\xff\n\r\n', true), `"${Buffer.from([0, 255, 10]).toString('base64')}"`);
  assert.equal(json(':5\r\n', true), '5');
});

test('several replies, and the elements of EXEC\'s array one by one', () => {
  const b = Buffer.from('+OK\r\n:1\r\n*2\r\n+OK\r\n-ERR bad\r\n');
  assert.deepEqual(repliesToJson(b, b.length, false).map((r) => r.json), ['"OK"', '1', '["OK",{"error":"ERR bad"}]']);
  const items = arrayItemsToJson(b, 9, b.length, false)!;
  assert.deepEqual(items.map((r) => [r.json, r.error]), [['"OK"', null], ['"ERR bad"', 'ERR bad']]);
  assert.equal(arrayItemsToJson(b, 0, b.length, false), null);
  assert.throws(() => replyToJson(Buffer.from('$5\r\nab'), 0, 6, false), RangeError);
});
