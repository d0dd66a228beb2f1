import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backlog } from '../../src/replication/backlog.ts';

test('the backlog holds the last size bytes of the stream and gives them back from any offset it holds', () => {
  const b = new Backlog(10, 100);
  assert.equal(b.firstByte, 101);
  assert.deepEqual(b.since(101), Buffer.alloc(0));
  assert.equal(b.since(100), null);
  b.append(Buffer.from('abcd'));
  assert.equal(b.histlen, 4);
  assert.equal(b.since(101)!.toString(), 'abcd');
  assert.equal(b.since(103)!.toString(), 'cd');
  assert.equal(b.since(105)!.toString(), '');
  assert.equal(b.since(106), null);
  b.append(Buffer.from('efghijk'));
  // 11 bytes written: the first fell out
  assert.equal(b.histlen, 10);
  assert.equal(b.firstByte, 102);
  assert.equal(b.since(101), null);
  assert.equal(b.since(102)!.toString(), 'bcdefghijk');
  assert.equal(b.since(110)!.toString(), 'jk');
  b.append(Buffer.from('0123456789XYZ'));
  assert.equal(b.since(b.firstByte)!.toString(), '3456789XYZ');
  b.resize(4);
  assert.equal(b.since(b.firstByte)!.toString(), 'XYZ'.padStart(4, '9'));
  b.resize(8);
  b.append(Buffer.from('ab'));
  assert.equal(b.since(b.firstByte)!.toString(), '9XYZab');
  assert.equal(b.firstByte + b.histlen, 101 + 4 + 7 + 13 + 2);
});
