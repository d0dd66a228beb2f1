/**
 * Client-side caching (CLIENT TRACKING) over TCP: RESP3 pushes, REDIRECT to
 * RESP2 subscribers and RESP3 clients, BCAST/PREFIX/NOLOOP/OPTIN/OPTOUT,
 * flushes, expiry, MULTI/EXEC and scripts, the table limit, introspection,
 * and node-redis v6's client-side cache staying correct under concurrent
 * writers, with 1 and 4 shards.
 */
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { createClient, BasicClientSideCache } from 'redis';
import { describeServer } from '../helpers/server.ts';
import { ioredis } from '../helpers/clients.ts';
import { RespClient, ReplyError, type Reply } from '../helpers/resp-client.ts';
import { sleep } from '../helpers/keyspace.ts';

const test = (name: string, fn: () => Promise<void>): void => {
  nodeTest(name, { timeout: 15000 }, fn);
};

function infoField(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info.replace(/\r/g, ''));
  assert.ok(m, `no ${name} in INFO`);
  return m[1]!;
}

/** The text of an error, verbatim or plain reply. */
function txt(r: Reply): string {
  if (r instanceof ReplyError) return r.message;
  if (typeof r === 'object' && r !== null && 'verbatim' in r) return r.verbatim.slice(4);
  return String(r);
}

async function resp3(port: number): Promise<RespClient> {
  const c = await RespClient.connect(port);
  await c.call('HELLO', '3');
  return c;
}

describeServer('client tracking', (fx) => {
  test('RESP3: a read key is invalidated once, after the reply of the writer itself', async () => {
    const r = await resp3(fx().port);
    const w = await fx().client();
    try {
      assert.equal(await r.call('CLIENT', 'TRACKING', 'on'), 'OK');
      await w.call('SET', 'k1', 'v');
      assert.equal(await r.call('GET', 'k1'), 'v');
      await w.call('SET', 'k1', 'v2');
      assert.equal(await r.readRaw(), '>2\r\n$10\r\ninvalidate\r\n*1\r\n$2\r\nk1\r\n');
      // only once: the key left the table
      await w.call('SET', 'k1', 'v3');
      assert.equal(await r.call('PING'), 'PONG');
      // own write: reply first, then the invalidation
      await r.call('HSET', 'h', 'f', '1');
      await r.call('HGET', 'h', 'f');
      assert.equal(await r.callRaw('HDEL', 'h', 'f'), ':1\r\n');
      assert.equal(await r.readRaw(), '>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nh\r\n');
    } finally {
      r.close();
    }
  });

  test('a key evicted before a command runs is invalidated ahead of its reply (Redis 7.0)', async () => {
    const r = await resp3(fx().port);
    const admin = await fx().client();
    try {
      await admin.call('FLUSHALL');
      assert.equal(await r.call('CLIENT', 'TRACKING', 'on'), 'OK');
      await r.call('SETEX', 'vol', '10000', 'x');
      assert.equal(await r.call('GET', 'vol'), 'x');
      const used = Number(infoField((await admin.call('INFO', 'memory')) as string, 'used_memory'));
      await admin.call('CONFIG', 'SET', 'maxmemory-policy', 'volatile-random');
      await admin.call('CONFIG', 'SET', 'maxmemory', String(used + 100 * 1024));
      // a 200 KB value takes the server over the limit; the next command evicts the volatile key first
      await admin.call('SETBIT', 'big', '1600000', '0');
      assert.equal(await r.callRaw('GETBIT', 'big', '0'), '>2\r\n$10\r\ninvalidate\r\n*1\r\n$3\r\nvol\r\n');
      assert.equal(await r.readRaw(), ':0\r\n');
    } finally {
      await admin.call('CONFIG', 'SET', 'maxmemory', '0');
      await admin.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      await admin.call('FLUSHALL');
      r.close();
    }
  });

  test('REDIRECT to a RESP2 subscriber: __redis__:invalidate messages carry an array (null for FLUSHALL)', async () => {
    const sub = await fx().client();
    const r = await fx().client();
    const w = await fx().client();
    const id = (await sub.call('CLIENT', 'ID')) as number;
    await sub.call('SUBSCRIBE', '__redis__:invalidate');
    assert.equal(await r.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(id)), 'OK');
    assert.equal(await r.call('CLIENT', 'GETREDIR'), id);
    await r.call('MGET', 'a{t}', 'b{t}');
    await w.call('SET', 'a{t}', '1');
    assert.equal(await sub.readRaw(), '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n*1\r\n$4\r\na{t}\r\n');
    await w.call('FLUSHALL');
    assert.equal(await sub.readRaw(), '*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n$-1\r\n');
    const info = txt(await w.call('INFO', 'stats'));
    assert.equal(infoField(info, 'tracking_total_keys'), '0');
    // the redirect target goes away: a RESP3 client would hear tracking-redir-broken, and the flags say so
    sub.close();
    await sleep(50);
    await r.call('GET', 'x');
    await w.call('SET', 'x', '1');
    const ti = (await r.call('CLIENT', 'TRACKINGINFO')) as Reply[];
    assert.deepEqual(ti, ['flags', ['on', 'broken_redirect'], 'redirect', id, 'prefixes', []]);
    assert.match(txt(await r.call('CLIENT', 'INFO')), new RegExp(`flags=tR .* redir=${id} `));
    await r.call('CLIENT', 'TRACKING', 'off');
  });

  test('BCAST with prefixes batches a transaction per prefix; NOLOOP skips own writes', async () => {
    const r = await resp3(fx().port);
    const w = await fx().client();
    try {
      await r.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a:', 'PREFIX', 'b:', 'NOLOOP');
      assert.match(txt(await r.call('CLIENT', 'INFO')), / flags=tB /);
      await w.call('MULTI');
      for (const k of ['a:2{t}', 'a:1{t}', 'b:1{t}', 'c:1{t}']) await w.call('INCR', k);
      await w.call('EXEC');
      const got = [await r.read(), await r.read()] as Array<{ push: Reply[] }>;
      assert.deepEqual(got.map((p) => p.push), [['invalidate', ['a:1{t}', 'a:2{t}']], ['invalidate', ['b:1{t}']]]);
      await r.call('SET', 'a:self', '1');
      await w.call('SET', 'a:other', '1');
      assert.deepEqual(await r.read(), { push: ['invalidate', ['a:other']] });
      assert.match(txt(await r.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'a')), /^ERR Prefix 'a' overlaps with an existing prefix 'a:'/);
      const info = txt(await w.call('INFO'));
      assert.equal(infoField(info, 'tracking_total_prefixes'), '2');
      assert.equal(infoField(info, 'tracking_clients'), '1');
    } finally {
      r.close();
    }
  });

  test('OPTIN / OPTOUT with CLIENT CACHING; errors as Redis', async () => {
    const r = await resp3(fx().port);
    const w = await fx().client();
    try {
      assert.match(txt(await r.call('CLIENT', 'CACHING', 'yes')), /^ERR CLIENT CACHING can be called only/);
      await r.call('CLIENT', 'TRACKING', 'on', 'OPTIN');
      await r.call('GET', 'o1');
      await r.call('CLIENT', 'CACHING', 'yes');
      await r.call('GET', 'o2');
      await w.call('MSET', 'o1', '1', 'o2', '2');
      assert.deepEqual(await r.read(), { push: ['invalidate', ['o2']] });
      assert.match(txt(await r.call('CLIENT', 'CACHING', 'no')), /only valid when tracking is enabled in OPTOUT mode/);
      assert.match(txt(await r.call('CLIENT', 'TRACKING', 'on', 'OPTOUT')), /can't switch OPTIN\/OPTOUT mode/);
      await r.call('CLIENT', 'TRACKING', 'off');
      await r.call('CLIENT', 'TRACKING', 'on', 'OPTOUT');
      await r.call('CLIENT', 'CACHING', 'no');
      assert.deepEqual(await r.call('CLIENT', 'TRACKINGINFO'), { map: [['flags', { set: ['on', 'optout', 'caching-no'] }], ['redirect', 0], ['prefixes', []]] });
      await r.call('GET', 'o3');
      await r.call('GET', 'o4');
      await w.call('MSET', 'o3', '1', 'o4', '2');
      assert.deepEqual(await r.read(), { push: ['invalidate', ['o4']] });
      await r.call('CLIENT', 'TRACKING', 'off');
      assert.equal(await r.call('CLIENT', 'GETREDIR'), -1);
    } finally {
      r.close();
    }
  });

  test('scripts track the keys they read, not those they declare (Redis 7.2); expiry and FLUSHDB invalidate', async () => {
    const r = await resp3(fx().port);
    const w = await fx().client();
    try {
      await r.call('CLIENT', 'TRACKING', 'on');
      await r.call('EVAL', "redis.call('set', KEYS[1], 'x')", '2', 's1{t}', 's2{t}');
      await w.call('MSET', 's1{t}', '1', 's2{t}', '1');
      await r.call('EVAL', "return {redis.call('get', KEYS[1]), redis.call('strlen', 's3{t}')}", '2', 's1{t}', 's2{t}');
      await w.call('MSET', 's1{t}', '2', 's2{t}', '2', 's3{t}', '2');
      assert.deepEqual([await r.read(), await r.read()], [{ push: ['invalidate', ['s1{t}']] }, { push: ['invalidate', ['s3{t}']] }]);
      await w.call('SET', 'e', '1', 'PX', '30');
      await r.call('GET', 'e');
      assert.deepEqual(await r.read(2000), { push: ['invalidate', ['e']] });
      await r.call('GET', 'f');
      assert.equal(await r.callRaw('FLUSHDB'), '+OK\r\n');
      assert.equal(await r.readRaw(), '>2\r\n$10\r\ninvalidate\r\n_\r\n');
    } finally {
      r.close();
    }
  });

  test('tracking-table-max-keys evicts keys with invalidations', async () => {
    const r = await resp3(fx().port);
    const w = await fx().client();
    try {
      await r.call('CLIENT', 'TRACKING', 'on');
      await r.call('MGET', 'l1', 'l2', 'l3');
      assert.equal(infoField(txt(await w.call('INFO', 'stats')), 'tracking_total_keys'), '3');
      await w.call('CONFIG', 'SET', 'tracking-table-max-keys', '1');
      const a = (await r.read()) as { push: Reply[] };
      const b = (await r.read()) as { push: Reply[] };
      assert.equal(a.push[0], 'invalidate');
      assert.equal(b.push[0], 'invalidate');
      assert.equal(infoField(txt(await w.call('INFO', 'stats')), 'tracking_total_keys'), '1');
    } finally {
      await w.call('CONFIG', 'SET', 'tracking-table-max-keys', '1000000');
      r.close();
    }
  });

  test('node-redis v6 client-side cache stays correct under concurrent writes', async () => {
    const cache = new BasicClientSideCache({ ttl: 0, maxEntries: 0 });
    const client = createClient({ socket: { port: fx().port, host: '127.0.0.1', reconnectStrategy: false }, RESP: 3, clientSideCache: cache });
    client.on('error', () => {});
    await client.connect();
    const writer = await ioredis(fx().port);
    try {
      const keys = Array.from({ length: 20 }, (_, i) => `csc:${i}`);
      for (const k of keys) await writer.set(k, '0');
      for (const k of keys) assert.equal(await client.get(k), '0');
      assert.equal(await client.get(keys[0]!), '0');
      assert.ok(cache.stats().hitCount >= 1, 'served from the cache');
      // a writer keeps changing the keys while the cached client reads them
      let stop = false;
      const model = new Map<string, string>(keys.map((k) => [k, '0']));
      const writing = (async () => {
        for (let round = 1; round <= 30 && !stop; round++) {
          for (const k of keys) {
            await writer.set(k, String(round));
            model.set(k, String(round));
          }
        }
      })();
      const reading = (async () => {
        for (let i = 0; i < 200; i++) await client.get(keys[i % keys.length]!);
      })();
      await Promise.all([writing, reading]);
      stop = true;
      // once the invalidations arrived, every read returns the latest value
      await client.ping();
      await sleep(20);
      for (const k of keys) assert.equal(await client.get(k), model.get(k), k);
      await writer.del(keys[3]!);
      await client.ping();
      assert.equal(await client.get(keys[3]!), null);
    } finally {
      writer.disconnect();
      client.destroy();
    }
  });
});
