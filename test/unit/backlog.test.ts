import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backlog } from '../../src/replication/backlog.ts';

/** The stream bytes from offset `from` (1-based, as replication offsets count) of `all`. */
const tail = (all: string, from: number): string => all.slice(from - 1);

test('the backlog keeps the newest bytes and hands back what follows an offset', () => {
  const b = new Backlog(8, 0);
  let stream = '';
  const add = (s: string): void => {
    b.append(Buffer.from(s));
    stream += s;
  };
  assert.equal(b.since(1)!.toString(), '');
  add('abc');
  assert.equal(b.firstByte, 1);
  assert.equal(b.since(1)!.toString(), 'abc');
  assert.equal(b.since(3)!.toString(), 'c');
  assert.equal(b.since(4)!.toString(), '', 'up to date');
  assert.equal(b.since(5), null, 'ahead of the stream');
  add('defgh');
  add('ij');
  // 10 bytes through an 8-byte ring: bytes 3..10 stay
  assert.equal(b.firstByte, 3);
  assert.equal(b.histlen, 8);
  assert.equal(b.since(2), null, 'gone');
  for (let o = 3; o <= 11; o++) assert.equal(b.since(o)!.toString(), tail(stream, o));
  add('0123456789ABCDEF');
  assert.equal(b.firstByte, stream.length - 7);
  assert.equal(b.since(b.firstByte)!.toString(), '89ABCDEF');
  // growing keeps everything; shrinking keeps the newest
  b.resize(20);
  assert.equal(b.since(b.firstByte)!.toString(), '89ABCDEF');
  add('xyz');
  assert.equal(b.since(b.firstByte)!.toString(), '89ABCDEFxyz');
  b.resize(4);
  assert.equal(b.histlen, 4);
  assert.equal(b.firstByte, stream.length - 3);
  assert.equal(b.since(b.firstByte)!.toString(), 'Fxyz');
  add('!');
  assert.equal(b.since(stream.length - 3)!.toString(), 'xyz!');
});

test('a backlog made mid-stream starts at the byte after the offset it was made at', () => {
  const b = new Backlog(16, 1000);
  assert.equal(b.firstByte, 1001);
  assert.equal(b.since(1001)!.toString(), '');
  assert.equal(b.since(1000), null);
  b.append(Buffer.from('hello'));
  assert.equal(b.since(1003)!.toString(), 'llo');
});
