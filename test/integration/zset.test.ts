import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';

describeServer('sorted sets', (fx) => {
  test('ZADD options, scores, ranks, ranges (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      assert.equal(await r.zadd('z', 1, 'a', 2, 'b', 3, 'c'), 3);
      assert.equal(await r.zadd('z', 'NX', 10, 'a', 4, 'd'), 1);
      assert.equal(await r.zadd('z', 'XX', 'CH', 5, 'a', 9, 'zz'), 1);
      assert.equal(await r.zadd('z', 'GT', 'CH', 1, 'a'), 0);
      await assert.rejects(r.zadd('z', 'NX', 'XX', 1, 'a'), /XX and NX options at the same time are not compatible/);
      assert.equal(await r.zadd('z', 'INCR', 1.5, 'b'), '3.5');
      assert.equal(await r.zscore('z', 'b'), '3.5');
      assert.equal(await r.zincrby('z', 0.1, 'c'), '3.1000000000000001');
      assert.equal(await r.zrank('z', 'a'), 3);
      assert.equal(await r.zrevrank('z', 'a'), 0);
      assert.deepEqual(await r.zrange('z', '0', '-1'), ['c', 'b', 'd', 'a']);
      assert.deepEqual(await r.zrange('z', '0', '0', 'WITHSCORES'), ['c', '3.1000000000000001']);
      assert.deepEqual(await r.zrangebyscore('z', '(3.1000000000000001', '+inf'), ['b', 'd', 'a']);
      assert.deepEqual(await r.zrevrangebyscore('z', 5, 4, 'LIMIT', 0, 1), ['a']);
      assert.deepEqual(await r.call('ZRANGE', 'z', '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', '1', '2'), ['d', 'b']);
      assert.equal(await r.zcount('z', '-inf', '(4'), 2);
      await r.zadd('lex', 0, 'a', 0, 'b', 0, 'c', 0, 'd');
      assert.deepEqual(await r.zrangebylex('lex', '[b', '(d'), ['b', 'c']);
      assert.equal(await r.zlexcount('lex', '-', '+'), 4);
      await assert.rejects(r.zrangebylex('lex', 'b', 'd'), /min or max not valid string range item/);
      assert.equal(await r.zremrangebylex('lex', '[a', '[b'), 2);
      assert.deepEqual(await r.zpopmin('z'), ['c', '3.1000000000000001']);
      assert.deepEqual(await r.zpopmax('z', 2), ['a', '5', 'd', '4']);
      assert.equal(await r.zcard('z'), 1);
      assert.deepEqual(await r.zmscore('z', 'b', 'nope'), ['3.5', null]);
    } finally {
      r.disconnect();
    }
  });

  test('algebra, store, skiplist encoding and blocking pops (node-redis RESP3)', async () => {
    const port = fx().port;
    const c = await nodeRedis(port, 3);
    const w = await nodeRedis(port, 2);
    try {
      await c.zAdd('za', [{ score: 1, value: 'x' }, { score: 2, value: 'y' }]);
      await c.zAdd('zb', [{ score: 10, value: 'y' }, { score: 20, value: 'z' }]);
      await c.sAdd('sc', ['x']);
      assert.equal(await c.sendCommand(['ZUNIONSTORE', 'zu', '3', 'za', 'zb', 'sc', 'WEIGHTS', '1', '2', '3']), 3);
      assert.deepEqual(await c.sendCommand(['ZRANGE', 'zu', '0', '-1', 'WITHSCORES']), [['x', 4], ['y', 22], ['z', 40]]);
      assert.equal(await c.sendCommand(['ZINTERSTORE', 'zi', '2', 'za', 'zb', 'AGGREGATE', 'MAX']), 1);
      assert.deepEqual(await c.sendCommand(['ZDIFF', '2', 'za', 'zb']), ['x']);
      assert.equal(await c.sendCommand(['ZINTERCARD', '2', 'za', 'zb']), 1);
      assert.equal(await c.sendCommand(['ZRANGESTORE', 'zr', 'zu', '1', '-1']), 2);
      for (let i = 0; i < 200; i++) await c.zAdd('big', { score: i, value: `m${i}` });
      assert.equal(await c.sendCommand(['OBJECT', 'ENCODING', 'big']), 'skiplist');
      assert.equal(await c.zRank('big', 'm150'), 150);
      assert.deepEqual(await c.zRange('big', 100, 102), ['m100', 'm101', 'm102']);
      const waiting = w.sendCommand(['BZPOPMIN', 'bz', '0']);
      await new Promise((r) => setTimeout(r, 30));
      await c.zAdd('bz', { score: 7, value: 'seven' });
      assert.deepEqual(await waiting, ['bz', 'seven', '7']);
      assert.deepEqual(await c.sendCommand(['ZMPOP', '2', 'nope', 'za', 'MAX', 'COUNT', '5']), ['za', [['y', 2], ['x', 1]]]);
    } finally {
      c.destroy();
      w.destroy();
    }
  });
});
