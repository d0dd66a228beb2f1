/**
 * Blocked clients and what happens to the keys they wait on: created by
 * RENAME, MOVE, COPY, SWAPDB, SORT STORE and the *STORE commands, deleted,
 * replaced by a value of another type — lists and sorted sets, with several
 * waiters, 1 and 4 shards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { waitBlocked } from '../helpers/blocked.ts';
import { ioredis } from '../helpers/clients.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeServer('blocking commands and key changes', (fx) => {
  test('a key created by RENAME, MOVE, COPY or SORT STORE wakes its waiters', async () => {
    const p = await fx().client();
    await p.call('FLUSHALL');
    const w = await ioredis(fx().port);
    try {
      await p.call('RPUSH', 'src{t}', 'a', 'b');
      let r = w.blpop('dst{t}', 0);
      await waitBlocked(p, 1);
      assert.equal(await p.call('RENAME', 'src{t}', 'dst{t}'), 'OK');
      assert.deepEqual(await r, ['dst{t}', 'a']);
      assert.deepEqual(await p.call('LRANGE', 'dst{t}', '0', '-1'), ['b']);

      await p.call('SELECT', '1');
      await p.call('ZADD', 'moved', '1', 'm');
      r = w.bzpopmin('moved', 0) as Promise<[string, string] | null>;
      await waitBlocked(p, 1);
      assert.equal(await p.call('MOVE', 'moved', '0'), 1);
      assert.deepEqual(await r, ['moved', 'm', '1']);

      await p.call('SELECT', '0');
      r = w.brpop('copy{t}', 0);
      await waitBlocked(p, 1);
      assert.equal(await p.call('COPY', 'dst{t}', 'copy{t}'), 1);
      assert.deepEqual(await r, ['copy{t}', 'b']);

      await p.call('RPUSH', 'unsorted{t}', '3', '1', '2');
      r = w.blpop('sorted{t}', 0);
      await waitBlocked(p, 1);
      assert.equal(await p.call('SORT', 'unsorted{t}', 'STORE', 'sorted{t}'), 3);
      assert.deepEqual(await r, ['sorted{t}', '1']);

      const z = w.bzpopmax('union{t}', 0);
      await waitBlocked(p, 1);
      await p.call('ZADD', 'z1{t}', '1', 'a', '5', 'e');
      assert.equal(await p.call('ZUNIONSTORE', 'union{t}', '1', 'z1{t}'), 2);
      assert.deepEqual(await z, ['union{t}', 'e', '5']);
    } finally {
      w.disconnect();
    }
  });

  test('a key replaced by another type keeps waiters blocked until it holds their type again', async () => {
    const p = await fx().client();
    await p.call('FLUSHALL');
    const ws = await Promise.all([ioredis(fx().port), ioredis(fx().port), ioredis(fx().port)]);
    try {
      const a = ws[0]!.blpop('k', 0);
      await waitBlocked(p, 1);
      const b = ws[1]!.bzpopmin('k', 0);
      await waitBlocked(p, 2);
      const c = ws[2]!.blpop('k', 0);
      await waitBlocked(p, 3);
      await p.call('SET', 'k', 'string');
      await sleep(20);
      await waitBlocked(p, 3);
      await p.call('DEL', 'k');
      await p.call('ZADD', 'k', '7', 'z');
      // the zset waiter is served although list waiters blocked before it
      assert.deepEqual(await b, ['k', 'z', '7']);
      await waitBlocked(p, 2);
      await p.call('RPUSH', 'k', 'x', 'y');
      assert.deepEqual(await a, ['k', 'x']);
      assert.deepEqual(await c, ['k', 'y']);
      await waitBlocked(p, 0);
    } finally {
      for (const w of ws) w.disconnect();
    }
  });

  test('SWAPDB brings a list in under a waiter; FLUSHALL leaves waiters blocked', async () => {
    const p = await fx().client();
    await p.call('FLUSHALL');
    const w = await ioredis(fx().port);
    try {
      await p.call('SELECT', '3');
      await p.call('RPUSH', 'swapped', 'v');
      await p.call('SELECT', '0');
      const r = w.blpop('swapped', 0);
      await waitBlocked(p, 1);
      await p.call('FLUSHALL');
      await p.call('SELECT', '3');
      await p.call('RPUSH', 'swapped', 'v2');
      await p.call('SELECT', '0');
      await sleep(20);
      await waitBlocked(p, 1);
      assert.equal(await p.call('SWAPDB', '0', '3'), 'OK');
      assert.deepEqual(await r, ['swapped', 'v2']);
    } finally {
      w.disconnect();
    }
  });
});
