/**
 * WATCH and already-expired keys (Redis 7's watchedKey.expired), SWAPDB and
 * FLUSHDB against watched keys, and maxmemory refusing commands that grow
 * memory — queued ones abort EXEC.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ReplyError, type RespClient } from '../helpers/resp-client.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs MULTI; PING; EXEC and returns EXEC's reply (null when a watched key changed). */
async function pingTx(c: RespClient): Promise<unknown> {
  await c.call('MULTI');
  await c.call('PING');
  return c.call('EXEC');
}

describeServer('transactions: WATCH with stale keys, maxmemory', (fx) => {
  test('TIME is the command\'s frozen time: one value through an EXEC or a script (7.2), a new one per command', async () => {
    const c = await fx().client();
    assert.equal(await c.call('MULTI'), 'OK');
    await c.call('TIME');
    await c.call('DEBUG', 'SLEEP', '0.01');
    await c.call('TIME');
    const [t1, , t2] = (await c.call('EXEC')) as string[][];
    assert.deepEqual(t2, t1);
    const script = "local a = redis.call('TIME') local t0 = os.clock() while os.clock() - t0 < 0.01 do end local b = redis.call('TIME') return {a[1], a[2], b[1], b[2]}";
    const [s1, u1, s2, u2] = (await c.call('EVAL', script, '0')) as string[];
    assert.deepEqual([s2, u2], [s1, u1]);
    const before = (await c.call('TIME')) as string[];
    await c.call('DEBUG', 'SLEEP', '0.01');
    const after = (await c.call('TIME')) as string[];
    const us = (t: string[]): number => Number(t[0]) * 1e6 + Number(t[1]);
    assert.ok(us(after) - us(before) >= 10_000, `${after} vs ${before}`);
    c.close();
  });

  test('a key already expired when watched: its deletion is no change, a new value is', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    try {
      await c.call('SET', 'x', 'foo', 'PX', '1');
      await sleep(5);
      await c.call('WATCH', 'x');
      assert.equal(await c.call('EXISTS', 'x'), 0, 'lazy expiry deletes it');
      assert.deepEqual(await pingTx(c), ['PONG']);

      await c.call('SET', 'x', 'foo', 'PX', '1');
      await sleep(5);
      await c.call('WATCH', 'x');
      await c.call('FLUSHDB');
      assert.deepEqual(await pingTx(c), ['PONG'], 'flushing a stale key is no change');

      await c.call('SET', 'x', 'foo', 'PX', '1');
      await sleep(5);
      await c.call('WATCH', 'x');
      await c.call('SET', 'x', 'new');
      assert.equal(await pingTx(c), null, 'a stale key given a value changed');

      // a live key that expires after WATCH counts as changed, even before anything deletes it
      await c.call('SET', 'y', 'foo', 'PX', '30');
      await c.call('WATCH', 'y');
      await sleep(50);
      assert.equal(await pingTx(c), null);
    } finally {
      await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
  });

  test('SWAPDB touches a watched key only if a live value was on either side', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    try {
      await c.call('SELECT', '0');
      await c.call('SET', 'x', 'foo', 'PX', '1');
      await sleep(5);
      await c.call('SELECT', '1');
      await c.call('WATCH', 'x');
      await c.call('SWAPDB', '0', '1');
      assert.deepEqual(await pingTx(c), ['PONG'], 'nothing replaced by a stale key');

      await c.call('FLUSHALL');
      await c.call('SELECT', '0');
      await c.call('SET', 'z', 'live');
      await c.call('SELECT', '1');
      await c.call('WATCH', 'z');
      await c.call('SWAPDB', '0', '1');
      assert.equal(await pingTx(c), null, 'a live key swapped in');

      await c.call('SELECT', '1');
      await c.call('WATCH', 'unrelated');
      await c.call('SWAPDB', '0', '1');
      assert.deepEqual(await pingTx(c), ['PONG'], 'a key absent on both sides');
    } finally {
      await c.call('SELECT', '0');
      await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
  });

  test('queued commands count as query buffer (Redis 7.4): over client-query-buffer-limit the client is closed; multi-mem', async () => {
    const admin = await fx().client();
    const c = await fx().client();
    const id = String(await c.call('CLIENT', 'ID'));
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'mq', 'abc'), 'QUEUED');
    assert.equal(await c.call('GET', 'mq'), 'QUEUED');
    // Redis's argv_len_sums: each argument's bytes plus a pointer (8 + 3 * 8, 5 + 2 * 8)
    const line = String(await admin.call('CLIENT', 'LIST', 'ID', id));
    assert.match(line, / multi=2 watch=0 .* multi-mem=53 /);
    assert.equal(await c.call('DISCARD'), 'OK');
    await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb');
    try {
      assert.equal(await c.call('MULTI'), 'OK');
      assert.equal(await c.call('SET', 'mq', 'x'.repeat(600_000)), 'QUEUED');
      const closed = new Promise<void>((resolve) => c.socket.once('close', () => resolve()));
      c.send('SET', 'mq2', 'y'.repeat(600_000));
      await closed;
      assert.equal(await admin.call('EXISTS', 'mq', 'mq2'), 0);
    } finally {
      await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
    }
  });

  test('over maxmemory, commands that may grow memory get OOM; queued ones abort EXEC', async () => {
    const c = await fx().client();
    const other = await fx().client();
    await c.call('FLUSHALL');
    await c.call('SET', 'k', 'v');
    await other.call('CONFIG', 'SET', 'maxmemory', '1');
    try {
      await sleep(15);
      const oom = new ReplyError("OOM command not allowed when used memory > 'maxmemory'.");
      assert.deepEqual(await c.call('SET', 'k2', 'v'), oom);
      assert.deepEqual(await c.call('LPUSH', 'l', 'v'), oom);
      assert.equal(await c.call('GET', 'k'), 'v', 'reads still work');
      assert.equal(await c.call('DEL', 'k'), 1, 'deletes still work');
      await c.call('MULTI');
      assert.deepEqual(await c.call('SET', 'x', '1'), oom);
      assert.equal(await c.call('DISCARD'), 'OK');
      await c.call('MULTI');
      assert.equal(await c.call('PING'), 'QUEUED');
      assert.deepEqual(await c.call('INCR', 'n'), oom);
      assert.deepEqual(await c.call('EXEC'), new ReplyError('EXECABORT Transaction discarded because of previous errors.'));
    } finally {
      await other.call('CONFIG', 'SET', 'maxmemory', '0');
    }
    assert.equal(await c.call('SET', 'k2', 'v'), 'OK');
  });

  test('no_multi commands are refused while queueing; a refused EXEC discards the transaction', async () => {
    const c = await fx().client();
    const other = await fx().client();
    await c.call('MULTI');
    assert.deepEqual(await c.call('SHUTDOWN'), new ReplyError('ERR Command not allowed inside a transaction'));
    assert.deepEqual(await c.call('EXEC'), new ReplyError('EXECABORT Transaction discarded because of previous errors.'));
    // EXEC counts as a write when a queued command may use memory: refused over maxmemory, the transaction is gone
    await c.call('MULTI');
    await c.call('SET', 'x', '1');
    await c.call('GET', 'x');
    await other.call('CONFIG', 'SET', 'maxmemory', '1');
    try {
      await sleep(15);
      assert.deepEqual(await c.call('EXEC'), new ReplyError("EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'."));
      assert.equal(await c.call('PING', 'out'), 'out', 'no longer in MULTI');
      await c.call('MULTI');
      await c.call('GET', 'x');
      await c.call('PING');
      assert.deepEqual(await c.call('EXEC'), [null, 'PONG'], 'a read-only transaction still runs');
    } finally {
      await other.call('CONFIG', 'SET', 'maxmemory', '0');
    }
  });
});
