import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendRaw, setRangeRaw } from '../../src/datatypes/string-raw.ts';

test('appendRaw turns a string into a Buffer with room, then grows in place', () => {
  const a = appendRaw('abc', 'd');
  assert.ok(Buffer.isBuffer(a));
  assert.equal(a.latin1Slice(), 'abcd');
  assert.ok(a.buffer.byteLength > a.length, 'greedy room like sdsMakeRoomFor');
  const b = appendRaw(a, 'ef');
  assert.equal(b.buffer, a.buffer, 'same memory');
  assert.equal(b.latin1Slice(), 'abcdef');
  assert.equal(a.latin1Slice(), 'abcd', 'an older view keeps its bytes');
  let v: Buffer = b;
  let expect = 'abcdef';
  for (let i = 0; i < 2000; i++) {
    const add = String.fromCharCode(i & 255).repeat(i % 5);
    v = appendRaw(v, add);
    expect += add;
  }
  assert.equal(v.latin1Slice(), expect);
  assert.equal(appendRaw('', '').length, 0);
});

test('Buffers not made here are never written past their end', () => {
  // neighbours inside one pooled allocation
  const pool = Buffer.alloc(64, 0x2a);
  const foreign = pool.subarray(0, 8);
  const out = appendRaw(foreign, 'XYZ');
  assert.notEqual(out.buffer, pool.buffer);
  assert.equal(pool.latin1Slice(8, 11), '***');
  assert.equal(out.latin1Slice(), '********XYZ');
  // a view into the middle of memory made here is not trusted either
  const mine = appendRaw('0123456789', '');
  const middle = mine.subarray(2, 4);
  const grown = appendRaw(middle, 'ab');
  assert.equal(mine.latin1Slice(), '0123456789');
  assert.equal(grown.latin1Slice(), '23ab');
  const sr = setRangeRaw(foreign, 10, 'Q');
  assert.equal(pool.latin1Slice(8, 12), '****');
  assert.equal(sr.latin1Slice(), '********\0\0Q');
});

test('setRangeRaw: exact size for a new key, zero-filled gaps, in place when it fits', () => {
  const n = setRangeRaw(undefined, 3, 'ab');
  assert.equal(n.latin1Slice(), '\0\0\0ab');
  assert.equal(n.buffer.byteLength, 5);
  const s = setRangeRaw('hello', 1, 'EL');
  assert.equal(s.latin1Slice(), 'hELlo');
  const g = appendRaw('x', 'y'); // room to grow, uninitialised past the end
  const same = setRangeRaw(g, 1, 'Z');
  assert.equal(same, g, 'changed in place');
  assert.equal(g.latin1Slice(), 'xZ');
  const padded = setRangeRaw(g, 6, 'end');
  assert.equal(padded.buffer, g.buffer, 'grown within its room');
  assert.equal(padded.latin1Slice(), 'xZ\0\0\0\0end');
  const far = setRangeRaw(padded, 100, '!');
  assert.equal(far.length, 101);
  assert.equal(far.latin1Slice(0, 9), 'xZ\0\0\0\0end');
  assert.ok(far.subarray(9, 100).every((b) => b === 0));
});
