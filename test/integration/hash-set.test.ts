import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';

describeServer('hashes and sets', (fx) => {
  test('hash commands (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      assert.equal(await r.hset('h', 'a', '1', 'b', '2'), 2);
      assert.equal(await r.hset('h', 'a', '10'), 0);
      assert.equal(await r.hsetnx('h', 'a', 'x'), 0);
      assert.equal(await r.hget('h', 'a'), '10');
      assert.deepEqual(await r.hmget('h', 'a', 'zz', 'b'), ['10', null, '2']);
      assert.deepEqual(await r.hgetall('h'), { a: '10', b: '2' });
      assert.equal(await r.hlen('h'), 2);
      assert.equal(await r.hstrlen('h', 'a'), 2);
      assert.equal(await r.hexists('h', 'b'), 1);
      assert.equal(await r.hincrby('h', 'a', 5), 15);
      assert.equal(await r.hincrbyfloat('h', 'f', '1.5'), '1.5');
      await r.hset('h', 's', 'str');
      await assert.rejects(r.hincrby('h', 's', 1), /hash value is not an integer/);
      assert.deepEqual((await r.hkeys('h')).sort(), ['a', 'b', 'f', 's']);
      assert.equal(await r.object('ENCODING', 'h'), 'listpack');
      await r.hset('h', 'long', 'x'.repeat(100));
      assert.equal(await r.object('ENCODING', 'h'), 'hashtable');
      const picked = (await r.hrandfield('h', 3)) as string[];
      assert.equal(new Set(picked).size, 3);
      assert.equal(((await r.hrandfield('h', -10)) as string[]).length, 10);
      const [cur, flat] = await r.hscan('h', 0, 'COUNT', 100);
      assert.equal(cur, '0');
      assert.equal(flat.length, 10);
      assert.equal(await r.hdel('h', 'a', 'b', 'f', 's', 'long'), 5);
      assert.equal(await r.exists('h'), 0);
    } finally {
      r.disconnect();
    }
  });

  test('set commands and algebra across shards (node-redis RESP3)', async () => {
    const c = await nodeRedis(fx().port, 3);
    try {
      assert.equal(await c.sAdd('s1', ['1', '2', '3']), 3);
      assert.equal(await c.sAdd('s2', ['2', '3', '4']), 3);
      assert.deepEqual((await c.sMembers('s1')).sort(), ['1', '2', '3']);
      assert.equal(await c.sIsMember('s1', '2'), 1);
      assert.deepEqual(await c.smIsMember('s1', ['1', '9']), [1, 0]);
      assert.deepEqual((await c.sInter(['s1', 's2'])).sort(), ['2', '3']);
      assert.deepEqual((await c.sUnion(['s1', 's2'])).sort(), ['1', '2', '3', '4']);
      assert.deepEqual(await c.sDiff(['s1', 's2']), ['1']);
      assert.equal(await c.sInterCard(['s1', 's2']), 2);
      assert.equal(await c.sUnionStore('dest', ['s1', 's2']), 4);
      assert.equal(await c.sCard('dest'), 4);
      assert.equal(await c.sDiffStore('dest', ['s1', 's1']), 0);
      assert.equal(await c.exists('dest'), 0);
      assert.equal(await c.sMove('s1', 's3', '1'), 1);
      assert.deepEqual(await c.sMembers('s3'), ['1']);
      assert.equal(await c.sendCommand(['OBJECT', 'ENCODING', 's2']), 'intset');
      await c.sAdd('s2', 'x');
      assert.equal(await c.sendCommand(['OBJECT', 'ENCODING', 's2']), 'listpack');
      const popped = await c.sPop('s2');
      assert.ok(['2', '3', '4', 'x'].includes(popped as string));
      assert.equal(await c.sCard('s2'), 3);
      assert.equal((await c.sRandMemberCount('s2', -7)).length, 7);
      await c.set('str', 'v');
      await assert.rejects(c.sAdd('str', 'a'), /WRONGTYPE/);
      await assert.rejects(c.sInter(['s1', 'str']), /WRONGTYPE/);
    } finally {
      c.destroy();
    }
  });

  test('hashes over node-redis RESP3 and sets over ioredis', async () => {
    const port = fx().port;
    const c = await nodeRedis(port, 3);
    const r = await ioredis(port);
    try {
      await c.hSet('h3', { a: '1', b: '2' });
      assert.deepEqual(await c.hGetAll('h3'), { a: '1', b: '2' });
      assert.equal(await c.hIncrByFloat('h3', 'a', 0.5), '1.5');
      assert.deepEqual(await c.sendCommand(['HRANDFIELD', 'h3', '-2', 'WITHVALUES']).then((x) => (x as unknown as unknown[]).length), 2);
      assert.equal(await r.sadd('s9', 'a', 'b', 'c'), 3);
      assert.deepEqual((await r.smembers('s9')).sort(), ['a', 'b', 'c']);
      assert.deepEqual(await r.spop('s9', 5).then((x) => x.sort()), ['a', 'b', 'c']);
      assert.equal(await r.exists('s9'), 0);
    } finally {
      c.destroy();
      r.disconnect();
    }
  });
});
