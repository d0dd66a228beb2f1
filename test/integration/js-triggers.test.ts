/**
 * Triggers of `#!js` libraries under concurrent writes: a keyspace trigger
 * keeping a sorted set equal to its source keys, and a stream trigger
 * counting entries, both exactly consistent at the end whatever the
 * interleaving (plain writes, MULTI/EXEC, scripts, deletions); statistics in
 * FUNCTION LIST; a failing trigger; no triggers for a trigger's own writes;
 * trigger effects replicated to a shardis replica. Runs on 1 and 4 shards,
 * and on threads with SHARDIS_TEST_THREADS=4.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Redis } from 'ioredis';
import { describeServer, TEST_THREADS } from '../helpers/server.ts';
import { ioredis } from '../helpers/clients.ts';
import { startServer } from '../../src/index.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { settle } from '../helpers/replication.ts';
import { rng } from '../helpers/rng.ts';
import { startShardisProcess } from '../helpers/redis-process.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const MIRROR = `#!js api_version=1.0 name=mirror
// derived: member = source key, score = its integer value
redis.registerKeySpaceTrigger('mirror', 'src:', (client, ev) => {
  const v = client.call('GET', ev.key);
  if (v === null) client.call('ZREM', 'derived', ev.key);
  else client.call('ZADD', 'derived', v, ev.key);
}, { description: 'keeps derived equal to src:*' });
redis.registerStreamTrigger('count', 'events:', (client, entry) => {
  const type = entry.record.find(([f]) => f === 'type');
  client.call('HINCRBY', 'counts:' + entry.stream, type === undefined ? '?' : type[1], 1);
  client.call('RPUSH', 'ids:' + entry.stream, entry.id);
});
redis.registerKeySpaceTrigger('loop', 'self:', (client, ev) => { client.call('INCR', 'self:' + ev.key); });
redis.registerKeySpaceTrigger('bad', 'bad:', () => { throw new Error('no way'); });
redis.registerFunction('setsrc', (client, keys, args) => { for (let i = 0; i < keys.length; i++) client.call('SET', keys[i], args[i]); return keys.length; });
`;

/** The sorted set the trigger keeps, and what it should hold: GET of every existing src key. */
async function mirrorState(r: Redis, keys: string[]): Promise<{ derived: Record<string, number>; expected: Record<string, number> }> {
  const flat = await r.zrange('derived', '0', '-1', 'WITHSCORES');
  const derived: Record<string, number> = {};
  for (let i = 0; i < flat.length; i += 2) derived[flat[i]!] = Number(flat[i + 1]);
  const values = await r.mget(keys);
  const expected: Record<string, number> = {};
  keys.forEach((k, i) => {
    if (values[i] !== null) expected[k] = Number(values[i]);
  });
  return { derived, expected };
}

describeServer('js triggers', (fx) => {
  test('a keyspace trigger keeps a derived sorted set exactly equal to its source keys under concurrent writers', { timeout: 120_000 }, async () => {
    const clients = await Promise.all(Array.from({ length: 6 }, () => ioredis(fx().port)));
    const r = clients[0]!;
    try {
      await r.flushall();
      await r.call('FUNCTION', 'FLUSH');
      assert.equal(await r.call('FUNCTION', 'LOAD', MIRROR), 'mirror');
      await r.call('FUNCTION', 'LOAD', "#!lua name=luaw\nredis.register_function('luaset', function(k, a) redis.call('SET', k[1], a[1]); redis.call('INCRBY', k[1], 1); return 1 end)");
      const keys = Array.from({ length: 40 }, (_, i) => `src:${i}`);
      let writes = 0;
      await Promise.all(clients.map(async (c, n) => {
        const rand = rng(1000 + n);
        for (let i = 0; i < 150; i++) {
          const k = keys[Math.floor(rand() * keys.length)]!;
          const k2 = keys[Math.floor(rand() * keys.length)]!;
          const op = Math.floor(rand() * 7);
          if (op === 0) await c.set(k, String(Math.floor(rand() * 1000)));
          else if (op === 1) await c.incrby(k, Math.floor(rand() * 10));
          else if (op === 2) await c.del(k);
          else if (op === 3) await c.multi().set(k, '7').incr(k).del(k2).exec();
          else if (op === 4) await c.call('FCALL', 'luaset', 1, k, String(i));
          else if (op === 5) await c.call('FCALL', 'setsrc', 2, k, k2, '11', '12');
          else await c.mset(k, '5', k2, '6');
          writes++;
        }
      }));
      assert.equal(writes, 6 * 150);
      const { derived, expected } = await mirrorState(r, keys);
      assert.deepEqual(derived, expected);
      assert.ok(Object.keys(expected).length > 0);
      // the trigger's statistics
      const list = (await r.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'mirror')) as unknown[][];
      const lib = list[0]!;
      const triggers = lib[lib.indexOf('triggers') + 1] as unknown[][];
      const mirror = triggers.find((t) => t[1] === 'mirror')!;
      const stat = (name: string): unknown => mirror[mirror.indexOf(name) + 1];
      assert.equal(stat('type'), 'keyspace');
      assert.equal(stat('prefix'), 'src:');
      assert.equal(stat('description'), 'keeps derived equal to src:*');
      assert.ok(Number(stat('num_triggered')) >= writes, `num_triggered ${String(stat('num_triggered'))} >= ${writes}`);
      assert.equal(stat('num_finished'), stat('num_triggered'));
      assert.equal(stat('num_failed'), 0);
      assert.equal(stat('last_error'), null);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  test('a stream trigger runs once per entry, in order, under concurrent XADDs (also several in one MULTI)', { timeout: 120_000 }, async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, () => ioredis(fx().port)));
    const r = clients[0]!;
    try {
      await r.flushall();
      await r.call('FUNCTION', 'LOAD', 'REPLACE', MIRROR);
      const streams = ['events:a', 'events:b', 'events:c'];
      const types = ['click', 'view', 'buy'];
      await Promise.all(clients.map(async (c, n) => {
        const rand = rng(2000 + n);
        for (let i = 0; i < 100; i++) {
          const s = streams[Math.floor(rand() * streams.length)]!;
          const t = types[Math.floor(rand() * types.length)]!;
          if (i % 10 === 0) await c.multi().xadd(s, '*', 'type', t).xadd(s, '*', 'type', t, 'n', String(i)).exec();
          else await c.xadd(s, '*', 'type', t, 'by', String(n));
        }
      }));
      // a stream outside the prefix is left alone
      await r.xadd('other', '*', 'type', 'click');
      for (const s of streams) {
        const entries = await r.xrange(s, '-', '+');
        const want: Record<string, string> = {};
        for (const [, fields] of entries) want[fields[1]!] = String(Number(want[fields[1]!] ?? 0) + 1);
        assert.deepEqual(await r.hgetall(`counts:${s}`), want, s);
        assert.deepEqual(await r.lrange(`ids:${s}`, 0, -1), entries.map(([id]) => id), `${s}: every entry once, in order`);
      }
      assert.equal(await r.exists('counts:other'), 0);
    } finally {
      for (const c of clients) c.disconnect();
    }
  });

  test("a trigger's own writes fire no trigger; a failing trigger is counted and leaves the write", async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.call('FUNCTION', 'LOAD', 'REPLACE', MIRROR);
      await r.set('self:a', '1');
      assert.equal(await r.get('self:self:a'), '1', 'the trigger ran once');
      assert.equal(await r.exists('self:self:self:a'), 0, 'its own write fired nothing');
      assert.equal(await r.set('bad:1', 'x'), 'OK');
      assert.equal(await r.get('bad:1'), 'x');
      const lib = ((await r.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'mirror')) as unknown[][])[0]!;
      const bad = (lib[lib.indexOf('triggers') + 1] as unknown[][]).find((t) => t[1] === 'bad')!;
      assert.equal(bad[bad.indexOf('num_failed') + 1], 1);
      assert.match(String(bad[bad.indexOf('last_error') + 1]), /^ERR no way \(at mirror:\d+:\d+\)$/);
      // deleting the library stops its triggers
      await r.call('FUNCTION', 'DELETE', 'mirror');
      await r.set('src:z', '3');
      assert.equal(await r.exists('derived'), 0);
    } finally {
      r.disconnect();
    }
  });
});

test('trigger effects reach a shardis replica; the replica runs no triggers of its own', { timeout: 60_000 }, async () => {
  const primary = await startServer({ port: 0, shards: 4, threads: TEST_THREADS });
  const replica = await startServer({ port: 0, shards: 4, threads: TEST_THREADS });
  const p = await RespClient.connect(primary.port);
  const rp = await RespClient.connect(replica.port);
  try {
    await p.call('FUNCTION', 'LOAD', MIRROR);
    await rp.call('REPLICAOF', '127.0.0.1', String(primary.port));
    await settle(p, rp);
    for (let i = 0; i < 50; i++) await p.call('SET', `src:${i % 7}`, String(i));
    await p.call('DEL', 'src:3');
    await p.call('XADD', 'events:x', '*', 'type', 'buy');
    await settle(p, rp);
    assert.deepEqual(await rp.call('ZRANGE', 'derived', '0', '-1', 'WITHSCORES'), await p.call('ZRANGE', 'derived', '0', '-1', 'WITHSCORES'));
    assert.deepEqual(await rp.call('HGETALL', 'counts:events:x'), ['buy', '1']);
    const lib = ((await rp.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'mirror')) as unknown[][])[0]!;
    const mirror = (lib[lib.indexOf('triggers') + 1] as unknown[][]).find((t) => t[1] === 'mirror')!;
    assert.equal(mirror[mirror.indexOf('num_triggered') + 1], 0, 'the replica applied effects, it ran no trigger');
  } finally {
    p.close();
    rp.close();
    await replica.close();
    await primary.close();
  }
});

test("a restart from the AOF replays the triggers' effects once: loading runs no trigger", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-js-aof-'));
  const args = ['--appendonly', 'yes', '--appendfsync', 'always', ...(TEST_THREADS > 1 ? ['--threads', String(TEST_THREADS)] : [])];
  const first = await startShardisProcess(args, undefined, dir);
  let c = await RespClient.connect(first.port);
  const lib = "#!js api_version=1.0 name=counter\nredis.registerKeySpaceTrigger('count', 'src:', (client) => { client.call('INCR', 'writes'); });";
  await c.call('FUNCTION', 'LOAD', lib);
  for (let i = 0; i < 20; i++) await c.call('SET', `src:${i % 3}`, String(i));
  await c.call('MSET', 'src:a', '1', 'src:b', '2', 'other', '3');
  assert.equal(await c.call('GET', 'writes'), '22');
  c.close();
  first.signal('SIGKILL');
  await sleep(300);
  const second = await startShardisProcess(args, undefined, dir);
  c = await RespClient.connect(second.port);
  try {
    assert.equal(await c.call('GET', 'writes'), '22', 'the counter as acknowledged, not counted again while loading');
    await c.call('SET', 'src:0', 'again');
    assert.equal(await c.call('GET', 'writes'), '23', 'the library came back with the AOF and its trigger runs');
  } finally {
    c.close();
    await second.stop();
  }
});
