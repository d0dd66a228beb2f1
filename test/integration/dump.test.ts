/** DUMP, RESTORE and MIGRATE over real connections (1 and 4 shards). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis } from '../helpers/clients.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { err, events, fresh, sleep } from '../helpers/keyspace.ts';
import { startServer } from '../../src/index.ts';

describeServer('DUMP / RESTORE / MIGRATE', (fx) => {
  test('DUMP and RESTORE every type (ioredis, binary payloads)', async () => {
    const c = await fresh(fx());
    const r = await ioredis(fx().port);
    try {
      await r.set('s', 'bar');
      await r.set('n', '12345');
      await r.set('long', 'x'.repeat(500));
      await r.rpush('l', 'a', 'b', '3');
      await r.sadd('si', '1', '2', '3');
      await r.sadd('ss', 'a', 'b');
      await r.zadd('z', 1, 'a', 2.5, 'b');
      await r.hset('h', 'f', 'v', 'g', '7');
      await r.xadd('x', '1-1', 'f', 'v');
      await r.xgroup('CREATE', 'x', 'grp', '0');
      await r.xreadgroup('GROUP', 'grp', 'alice', 'STREAMS', 'x', '>');
      for (const k of ['s', 'n', 'long', 'l', 'si', 'ss', 'z', 'h', 'x']) {
        const payload = await r.dumpBuffer(k);
        assert.ok(payload instanceof Buffer && payload.length > 10);
        const digest = await c.call('DEBUG', 'DIGEST-VALUE', k);
        const enc = await c.call('OBJECT', 'ENCODING', k);
        assert.equal(await r.restore(`${k}:copy`, 0, payload), 'OK');
        assert.deepEqual(await c.call('DEBUG', 'DIGEST-VALUE', `${k}:copy`), digest, k);
        assert.equal(await c.call('OBJECT', 'ENCODING', `${k}:copy`), enc, k);
        assert.equal(await r.ttl(`${k}:copy`), -1);
      }
      assert.deepEqual(await r.xpending('x:copy', 'grp'), [1, '1-1', '1-1', [['alice', '1']]]);
      assert.equal(await r.dump('nonexisting'), null);
    } finally {
      r.disconnect();
    }
  });

  test('RESTORE options: TTL, ABSTTL, REPLACE, IDLETIME, FREQ; errors as Redis', async () => {
    const c = await fresh(fx());
    await c.call('SET', 'foo', 'bar');
    const p = (await c.call('DUMP', 'foo')) as string;
    assert.equal(err(await c.call('RESTORE', 'foo', '0', p)), 'BUSYKEY Target key name already exists.');
    assert.equal(err(await c.call('RESTORE', 'foo', '0', '...')), 'BUSYKEY Target key name already exists.', 'the key check comes first');
    assert.equal(err(await c.call('RESTORE', 'new', '-1', p)), 'ERR Invalid TTL value, must be >= 0');
    assert.equal(err(await c.call('RESTORE', 'new', 'x', p)), 'ERR value is not an integer or out of range');
    assert.equal(err(await c.call('RESTORE', 'new', '0', p, 'invalid-option')), 'ERR syntax error');
    assert.equal(err(await c.call('RESTORE', 'new', '0', p, 'IDLETIME', '-1')), 'ERR Invalid IDLETIME value, must be >= 0');
    assert.equal(err(await c.call('RESTORE', 'new', '0', p, 'FREQ', '256')), 'ERR Invalid FREQ value, must be >= 0 and <= 255');
    assert.equal(err(await c.call('RESTORE', 'new', '0', p, 'IDLETIME', '1', 'FREQ', '1')), 'ERR syntax error');
    assert.equal(err(await c.call('RESTORE', 'new', '0', 'short')), 'ERR DUMP payload version or checksum are wrong');
    const corrupt = Buffer.from(p, 'latin1');
    corrupt[2]! ^= 1;
    assert.equal(err(await c.call('RESTORE', 'new', '0', corrupt)), 'ERR DUMP payload version or checksum are wrong');
    assert.equal(await c.call('DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '1'), 'OK');
    const badBody = Buffer.concat([Buffer.from([0x0e, 0x01]), Buffer.alloc(10)]);
    assert.equal(err(await c.call('RESTORE', 'new', '0', badBody)), 'ERR Bad data format');
    assert.equal(await c.call('DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '0'), 'OK');
    assert.equal(await c.call('EXISTS', 'new'), 0);

    assert.equal(await c.call('RESTORE', 'ttl', '5000', p), 'OK');
    const pttl = (await c.call('PTTL', 'ttl')) as number;
    assert.ok(pttl > 3000 && pttl <= 5000);
    assert.equal(await c.call('RESTORE', 'big', '2569591501', p), 'OK');
    assert.ok(((await c.call('PTTL', 'big')) as number) > 2569591501 - 3000);
    assert.equal(await c.call('RESTORE', 'abs', String(Date.now() + 3000), p, 'ABSTTL'), 'OK');
    const abs = (await c.call('PTTL', 'abs')) as number;
    assert.ok(abs > 2000 && abs <= 3100);
    // already expired: no key, and REPLACE deletes the old one
    assert.equal(await c.call('RESTORE', 'foo', String(Date.now() - 3000), p, 'ABSTTL', 'REPLACE'), 'OK');
    assert.equal(await c.call('EXISTS', 'foo'), 0);
    await c.call('SET', 'foo', 'other');
    assert.equal(await c.call('RESTORE', 'foo', '0', p, 'REPLACE'), 'OK');
    assert.equal(await c.call('GET', 'foo'), 'bar');

    await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    assert.equal(await c.call('RESTORE', 'lru', '0', p, 'IDLETIME', '1000'), 'OK');
    const idle = (await c.call('OBJECT', 'IDLETIME', 'lru')) as number;
    assert.ok(idle >= 1000 && idle <= 1010);
    await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu');
    assert.equal(await c.call('RESTORE', 'lfu', '0', p, 'FREQ', '100'), 'OK');
    assert.equal(await c.call('OBJECT', 'FREQ', 'lfu'), 100);
    await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  });

  test('RESTORE is a key event; the value loads with the current encoding limits', async () => {
    const c = await fresh(fx());
    await c.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3');
    const p = (await c.call('DUMP', 'h')) as string;
    const seen = await events(fx(), async () => {
      assert.equal(await c.call('RESTORE', 'h2', '0', p), 'OK');
    });
    assert.deepEqual(seen, ['0:h2:restore']);
    await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '2');
    assert.equal(await c.call('RESTORE', 'h3', '0', p), 'OK');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'h3'), 'hashtable');
    await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '128');
    assert.deepEqual(await c.call('HGETALL', 'h3'), ['a', '1', 'b', '2', 'c', '3']);
  });

  test('MIGRATE to another server: single key, KEYS, COPY, REPLACE, NOKEY, target errors', async () => {
    const c = await fresh(fx());
    const target = await startServer({ port: 0, config: { requirepass: 'secret' } });
    const t = await RespClient.connect(target.port);
    try {
      assert.equal(await t.call('AUTH', 'secret'), 'OK');
      await c.call('SET', 'k1', 'v1');
      await c.call('SET', 'k2', 'v2', 'PX', '100000');
      await c.call('RPUSH', 'k3', 'a', 'b');
      const port = String(target.port);
      assert.equal(err(await c.call('MIGRATE', '127.0.0.1', port, 'k1', '0', '1000')), 'ERR Target instance replied with error: NOAUTH Authentication required.');
      assert.equal(await c.call('EXISTS', 'k1'), 1, 'kept after a refusal');
      assert.equal(await c.call('MIGRATE', '127.0.0.1', port, 'k1', '0', '1000', 'AUTH', 'secret'), 'OK');
      assert.equal(await c.call('EXISTS', 'k1'), 0);
      assert.equal(await t.call('GET', 'k1'), 'v1');
      assert.equal(await c.call('MIGRATE', '127.0.0.1', port, '', '3', '1000', 'COPY', 'AUTH2', 'default', 'secret', 'KEYS', 'k2', 'k3', 'missing'), 'OK');
      assert.equal(await c.call('EXISTS', 'k2', 'k3'), 2, 'COPY keeps the keys');
      await t.call('SELECT', '3');
      assert.deepEqual(await t.call('LRANGE', 'k3', '0', '-1'), ['a', 'b']);
      const ttl = (await t.call('PTTL', 'k2')) as number;
      assert.ok(ttl > 90000 && ttl <= 100000, 'the TTL travels');
      assert.equal(err(await c.call('MIGRATE', '127.0.0.1', port, '', '3', '1000', 'AUTH', 'secret', 'KEYS', 'k2')), 'ERR Target instance replied with error: BUSYKEY Target key name already exists.');
      assert.equal(await c.call('MIGRATE', '127.0.0.1', port, '', '3', '1000', 'REPLACE', 'AUTH', 'secret', 'KEYS', 'k2'), 'OK');
      assert.equal(await c.call('EXISTS', 'k2'), 0);
      assert.equal(await c.call('MIGRATE', '127.0.0.1', port, 'missing', '0', '1000'), 'NOKEY');
      assert.equal(err(await c.call('MIGRATE', '127.0.0.1', port, 'k3', '0', '1000', 'KEYS', 'k3')), 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string');
      assert.equal(err(await c.call('MIGRATE', '127.0.0.1', port, 'k3', '0', '1000', 'AUTH')), 'ERR syntax error');
      assert.equal(err(await c.call('MIGRATE', '127.0.0.1', port, 'k3', 'x', '1000')), 'ERR value is not an integer or out of range');
      assert.deepEqual(await c.call('COMMAND', 'GETKEYS', 'MIGRATE', 'h', '1', '', '0', '1', 'KEYS', 'a', 'b'), ['a', 'b']);
    } finally {
      t.close();
      await target.close();
    }
    await sleep(10);
  });

  test('MIGRATE to a closed port: IOERR', async () => {
    const c = await fresh(fx());
    await c.call('SET', 'k', 'v');
    const dead = await startServer({ port: 0 });
    const port = String(dead.port);
    await dead.close();
    assert.equal(err(await c.call('MIGRATE', '127.0.0.1', port, 'k', '0', '500')), 'IOERR error or timeout connecting to the client');
    assert.equal(await c.call('EXISTS', 'k'), 1);
  });
});
