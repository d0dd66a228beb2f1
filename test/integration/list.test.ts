import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';

describeServer('lists', (fx) => {
  test('push, pop, ranges and edits (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      assert.equal(await r.rpush('l', 'a', 'b', 'c'), 3);
      assert.equal(await r.lpush('l', 'z'), 4);
      assert.deepEqual(await r.lrange('l', 0, -1), ['z', 'a', 'b', 'c']);
      assert.equal(await r.lindex('l', -1), 'c');
      assert.equal(await r.lset('l', 1, 'A'), 'OK');
      await assert.rejects(r.lset('l', 10, 'x'), /ERR index out of range/);
      assert.equal(await r.linsert('l', 'BEFORE', 'b', 'x'), 5);
      assert.equal(await r.linsert('l', 'AFTER', 'nope', 'x'), -1);
      assert.equal(await r.lrem('l', 0, 'x'), 1);
      assert.equal(await r.lpos('l', 'b'), 2);
      assert.equal(await r.ltrim('l', 1, -1), 'OK');
      assert.deepEqual(await r.lrange('l', 0, -1), ['A', 'b', 'c']);
      assert.deepEqual(await r.lpop('l', 2), ['A', 'b']);
      assert.equal(await r.rpop('l'), 'c');
      assert.equal(await r.exists('l'), 0);
      assert.equal(await r.lpushx('l', 'x'), 0);
      await r.rpush('src', '1', '2', '3');
      assert.equal(await r.lmove('src', 'dst', 'RIGHT', 'LEFT'), '3');
      assert.equal(await r.rpoplpush('src', 'dst'), '2');
      assert.deepEqual(await r.lrange('dst', 0, -1), ['2', '3']);
      assert.deepEqual(await r.call('LMPOP', '2', 'nope', 'dst', 'LEFT', 'COUNT', '5'), ['dst', ['2', '3']]);
      assert.equal(await r.call('LMPOP', '1', 'nope', 'LEFT'), null);
    } finally {
      r.disconnect();
    }
  });

  test('blocking pops: FIFO across several waiters, timeouts, wake from MULTI', async () => {
    const port = fx().port;
    const w1 = await ioredis(port);
    const w2 = await ioredis(port);
    const w3 = await nodeRedis(port, 3);
    const p = await ioredis(port);
    try {
      const a = w1.blpop('bq', 0);
      await new Promise((r) => setTimeout(r, 30));
      const b = w2.brpop('bq', 'other', 0);
      await new Promise((r) => setTimeout(r, 30));
      assert.equal(await p.rpush('bq', 'one', 'two'), 2);
      assert.deepEqual(await a, ['bq', 'one']);
      assert.deepEqual(await b, ['bq', 'two']);
      const t0 = Date.now();
      assert.equal(await w1.blpop('empty', 0.2), null);
      assert.ok(Date.now() - t0 >= 150);
      await assert.rejects(w1.blpop('empty', -1), /timeout is negative/);
      const c = w3.blMove('from', 'to', 'LEFT', 'RIGHT', 0);
      await new Promise((r) => setTimeout(r, 30));
      await p.multi().rpush('from', 'm').exec();
      assert.equal(await c, 'm');
      assert.deepEqual(await p.lrange('to', 0, -1), ['m']);
      // blocking inside MULTI does not block
      const res = await p.multi().blpop('empty', 0).exec();
      assert.deepEqual(res, [[null, null]]);
    } finally {
      w1.disconnect();
      w2.disconnect();
      w3.destroy();
      p.disconnect();
    }
  });
});
