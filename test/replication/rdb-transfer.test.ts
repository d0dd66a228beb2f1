import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RdbTransfer, TransferError } from '../../src/replication/rdb-transfer.ts';

const RDB = Buffer.from('REDIS0010\xfa\x09redis-ver\x067.0.15\xff12345678', 'latin1');
const MARK = 'm'.repeat(40);

/** Feeds `bytes` one split at a time (every split point), expecting the same file and rest each time. */
function feedSplit(bytes: Buffer, rest: string): void {
  for (let at = 0; at <= bytes.length; at++) {
    const t = new RdbTransfer();
    const first = t.feed(bytes.subarray(0, at));
    const done = first ?? t.feed(bytes.subarray(at));
    assert.ok(done !== null, `split at ${at}`);
    assert.deepEqual(done.rdb, RDB, `split at ${at}`);
    // done with the first part: the rest of the stream is what followed in it, then the second part
    const after = first === null ? done.rest : Buffer.concat([done.rest, bytes.subarray(at)]);
    assert.equal(after.toString('latin1'), rest, `split at ${at}`);
  }
}

test('a file from disk: keep-alive newlines, $<len>, the file, then the first bytes of the stream', () => {
  const stream = '*1\r\n$4\r\nPING\r\n';
  const bytes = Buffer.concat([Buffer.from(`\n\n$${RDB.length}\r\n`), RDB, Buffer.from(stream)]);
  feedSplit(bytes, stream);
  const t = new RdbTransfer();
  assert.equal(t.feed(bytes.subarray(0, 10)), null);
  assert.equal(t.size, RDB.length);
  assert.equal(t.read, 10 - `\n\n$${RDB.length}\r\n`.length);
});

test('a diskless transfer: $EOF:<mark>, the file, the mark', () => {
  const bytes = Buffer.concat([Buffer.from(`\n$EOF:${MARK}\r\n`), RDB, Buffer.from(MARK)]);
  feedSplit(bytes, '');
  const t = new RdbTransfer();
  assert.equal(t.feed(bytes.subarray(0, 60)), null);
  assert.equal(t.size, -1);
});

test('an error or a bad first byte from the primary', () => {
  assert.throws(() => new RdbTransfer().feed(Buffer.from('-ERR no\r\n')), (e: unknown) => e instanceof TransferError && /MASTER aborted replication with an error: ERR no/.test(e.message));
  assert.throws(() => new RdbTransfer().feed(Buffer.from('+OK\r\n')), /the first byte is not '\$'/);
});
