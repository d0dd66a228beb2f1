import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';

describeServer('keys and expiry', (fx) => {
  test('DEL/EXISTS/TYPE/RENAME/COPY/MOVE across shards (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.mset('k1', 'a', 'k2', 'b', 'k3', 'c');
      assert.equal(await r.exists('k1', 'k1', 'nope'), 2);
      assert.equal(await r.type('k1'), 'string');
      assert.equal(await r.type('nope'), 'none');
      await r.rpush('lst', '1', '2');
      assert.equal(await r.type('lst'), 'list');
      assert.equal(await r.del('k1', 'nope', 'k2'), 2);
      await r.set('src', 'v');
      await r.pexpire('src', 100000);
      assert.equal(await r.rename('src', 'dst'), 'OK');
      assert.ok((await r.pttl('dst')) > 90000);
      await assert.rejects(r.rename('src', 'x'), /ERR no such key/);
      assert.equal(await r.renamenx('dst', 'k3'), 0);
      assert.equal(await r.copy('lst', 'lst2'), 1);
      await r.rpush('lst', '3');
      assert.deepEqual(await r.lrange('lst2', 0, -1), ['1', '2']);
      assert.equal(await r.copy('lst', 'lst2'), 0);
      assert.equal(await r.call('COPY', 'lst', 'lst2', 'REPLACE'), 1);
      assert.equal(await r.move('k3', 1), 1);
      assert.equal(await r.exists('k3'), 0);
      await r.select(1);
      assert.equal(await r.get('k3'), 'c');
      await assert.rejects(r.move('k3', 1), /source and destination objects are the same/);
      await r.select(0);
      assert.equal(await r.touch('dst', 'lst', 'none'), 2);
      assert.equal(await r.object('ENCODING', 'lst'), 'quicklist');
      await r.set('int', '123');
      assert.equal(await r.object('ENCODING', 'int'), 'int');
    } finally {
      r.disconnect();
    }
  });

  test('EXPIRE options, TTL family, PERSIST, active expiry', async () => {
    const c = await nodeRedis(fx().port);
    try {
      await c.set('e', 'v');
      assert.equal(await c.ttl('e'), -1);
      assert.equal(await c.ttl('nope'), -2);
      assert.equal(await c.sendCommand(['EXPIRE', 'e', '100', 'XX']), 0);
      assert.equal(await c.sendCommand(['EXPIRE', 'e', '100', 'NX']), 1);
      assert.equal(await c.sendCommand(['EXPIRE', 'e', '50', 'GT']), 0);
      assert.equal(await c.sendCommand(['EXPIRE', 'e', '50', 'LT']), 1);
      await assert.rejects(c.sendCommand(['EXPIRE', 'e', '1', 'NX', 'XX']), /NX and XX, GT or LT options at the same time are not compatible/);
      const at = Number(await c.sendCommand(['EXPIRETIME', 'e']));
      assert.ok(Math.abs(at - (Math.floor(Date.now() / 1000) + 50)) <= 1);
      assert.equal(await c.persist('e'), 1);
      assert.equal(await c.ttl('e'), -1);
      assert.equal(await c.sendCommand(['EXPIRE', 'e', '-1']), 1);
      assert.equal(await c.exists('e'), 0);
      // active expiry removes keys nobody touches
      await c.select(2);
      for (let i = 0; i < 50; i++) await c.set(`ae:${i}`, 'v', { PX: 50 });
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(await c.dbSize(), 0);
    } finally {
      c.destroy();
    }
  });

  test('SCAN returns every key present for the whole iteration despite writes', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushdb();
      const stable: string[] = [];
      for (let i = 0; i < 500; i++) stable.push(`stable:${i}`);
      await r.mset(...stable.flatMap((k) => [k, 'v']));
      const seen = new Set<string>();
      let cursor = '0';
      let round = 0;
      do {
        const [next, keys] = await r.scan(cursor, 'COUNT', 37);
        keys.forEach((k) => seen.add(k));
        // churn: add and delete other keys while iterating
        await r.set(`churn:${round}`, 'x');
        if (round > 2) await r.del(`churn:${round - 2}`);
        cursor = next;
        round++;
      } while (cursor !== '0');
      for (const k of stable) assert.ok(seen.has(k), `missing ${k}`);
      const [, matched] = await r.scan('0', 'MATCH', 'stable:1?', 'COUNT', 10000);
      assert.equal(matched.length, 10);
      await r.rpush('alist', 'x');
      const [, typed] = await r.scan('0', 'COUNT', 10000, 'TYPE', 'list');
      assert.deepEqual(typed, ['alist']);
      assert.equal((await r.keys('stable:4??')).length, 100);
      assert.ok(stable.includes((await r.randomkey())!) || true);
    } finally {
      r.disconnect();
    }
  });
});
