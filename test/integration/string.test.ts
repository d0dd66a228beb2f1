import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { ReplyError } from '../helpers/resp-client.ts';
import { RESP_TYPES } from 'redis';

describeServer('strings', (fx) => {
  test('ioredis: SET options, GET, counters, ranges', async () => {
    const r = await ioredis(fx().port);
    try {
      assert.equal(await r.set('s:a', 'hello'), 'OK');
      assert.equal(await r.get('s:a'), 'hello');
      assert.equal(await r.set('s:a', 'x', 'NX'), null);
      assert.equal(await r.set('s:a', 'world', 'XX', 'GET'), 'hello');
      assert.equal(await r.set('s:b', 'v', 'EX', 100), 'OK');
      assert.ok((await r.ttl('s:b')) > 98);
      assert.equal(await r.set('s:b', 'w', 'KEEPTTL'), 'OK');
      assert.ok((await r.pttl('s:b')) > 98000);
      await assert.rejects(r.set('s:b', 'v', 'EX', 0), /invalid expire time in 'set' command/);
      await assert.rejects(r.call('SET', 's:b', 'v', 'EX', '10', 'PX', '10'), /syntax error/);
      assert.equal(await r.incr('s:n'), 1);
      assert.equal(await r.incrby('s:n', 41), 42);
      assert.equal(await r.decrby('s:n', 2), 40);
      assert.equal(await r.incrbyfloat('s:f', '10.5'), '10.5');
      assert.equal(await r.incrbyfloat('s:f', '0.1'), '10.6');
      await r.set('s:big', '9223372036854775807');
      await assert.rejects(r.incr('s:big'), /increment or decrement would overflow/);
      await assert.rejects(r.incr('s:a'), /value is not an integer or out of range/);
      assert.equal(await r.append('s:a', '!'), 6);
      assert.equal(await r.strlen('s:a'), 6);
      assert.equal(await r.getrange('s:a', 0, 2), 'wor');
      assert.equal(await r.getrange('s:a', -3, -1), 'ld!');
      assert.equal(await r.setrange('s:r', 5, 'x'), 6);
      assert.equal(await r.get('s:r'), '\0\0\0\0\0x');
      assert.deepEqual(await r.mget('s:a', 'missing', 's:n'), ['world!', null, '40']);
      assert.equal(await r.msetnx('s:a', '1', 's:new', '2'), 0);
      assert.equal(await r.exists('s:new'), 0);
      assert.equal(await r.getdel('s:n'), '40');
      assert.equal(await r.exists('s:n'), 0);
      assert.equal(await r.getex('s:a', 'PX', 5000), 'world!');
      assert.ok((await r.pttl('s:a')) > 4000);
      assert.equal(await r.getex('s:a', 'PERSIST'), 'world!');
      assert.equal(await r.ttl('s:a'), -1);
      await r.rpush('s:list', 'x');
      await assert.rejects(r.get('s:list'), /WRONGTYPE/);
    } finally {
      r.disconnect();
    }
  });

  test('node-redis RESP3: LCS, SETEX, binary values', async () => {
    const c = await nodeRedis(fx().port, 3);
    try {
      await c.mSet({ 'lcs:{1}a': 'ohmytext', 'lcs:{1}b': 'mynewtext' });
      assert.equal(await c.sendCommand(['LCS', 'lcs:{1}a', 'lcs:{1}b']), 'mytext');
      assert.equal(await c.sendCommand(['LCS', 'lcs:{1}a', 'lcs:{1}b', 'LEN']), 6);
      await c.setEx('sx', 10, 'v');
      assert.ok((await c.ttl('sx')) > 8);
      const bin = Buffer.from([0, 1, 2, 255, 13, 10]);
      await c.set('bin', bin);
      const back = await c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get('bin');
      assert.ok(Buffer.isBuffer(back));
      assert.deepEqual([...(back as Buffer)], [...bin]);
    } finally {
      c.destroy();
    }
  });

  test('raw RESP: exact replies', async () => {
    const c = await fx().client();
    assert.equal(await c.callRaw('SET', 'raw', '1'), '+OK\r\n');
    assert.equal(await c.callRaw('GET', 'nope'), '$-1\r\n');
    assert.equal(await c.callRaw('INCRBY', 'raw', '5'), ':6\r\n');
    const e = await c.call('GET');
    assert.ok(e instanceof ReplyError && e.message === "ERR wrong number of arguments for 'get' command");
    await c.call('HELLO', '3');
    assert.equal(await c.callRaw('GET', 'nope'), '_\r\n');
  });
});
