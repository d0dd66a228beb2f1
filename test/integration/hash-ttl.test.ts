/**
 * Hash field expiration (Redis 7.4) through real interfaces: keyspace
 * notifications of HEXPIRE / HPERSIST / lazy and active expiry, the active
 * cycle deleting fields and emptied hashes (INFO subexpiry and
 * expired_subkeys), a shardis replica fed HPEXPIREAT and the HDELs of
 * expired fields, the AOF (absolute times, rewrite without the RDB
 * preamble) and RDB files across restarts, DEBUG RELOAD, and the client
 * libraries' own APIs: node-redis's typed commands over RESP2 and RESP3,
 * ioredis's call(). 1 and 4 shards (and threads with SHARDIS_TEST_THREADS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeServer, TEST_THREADS, type Fixture } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { info, settle, sleep, until } from '../helpers/replication.ts';
import { startServer, type RunningServer } from '../../src/index.ts';

/** 2100-01-01: absolute times that read back the same in any run. */
const FAR = 4102444800000;

/** What a PSUBSCRIBE __keyevent@0__:* client hears while `cmds` run (and `waitMs` after), as "event key". */
async function keyevents(fx: Fixture, cmds: (string | number)[][], waitMs = 50): Promise<string[]> {
  const c = await fx.client();
  const s = await fx.client();
  try {
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'Egh');
    await s.call('PSUBSCRIBE', '__keyevent@0__:*');
    for (const cmd of cmds) await c.call(...cmd.map(String));
    await sleep(waitMs);
    const out: string[] = [];
    while (s.pending() !== '') {
      const m = (await s.read()) as string[];
      out.push(`${m[2]!.slice('__keyevent@0__:'.length)} ${m[3]}`);
    }
    return out;
  } finally {
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    c.close();
    s.close();
  }
}

describeServer('hash field expiration', (fx) => {
  test('notifications: hexpire, hpersist, hdel and del for a past time, hexpired lazily and by the active cycle', async () => {
    assert.deepEqual(await keyevents(fx(), [
      ['HSET', 'h', 'a', '1', 'b', '2'], ['HEXPIRE', 'h', 100, 'FIELDS', 1, 'a'], ['HEXPIRE', 'h', 100, 'NX', 'FIELDS', 1, 'a'],
      ['HPERSIST', 'h', 'FIELDS', 2, 'a', 'b'], ['HPERSIST', 'h', 'FIELDS', 1, 'a'], ['HEXPIREAT', 'h', 1, 'FIELDS', 1, 'a'],
      ['HEXPIREAT', 'h', 1, 'FIELDS', 1, 'b'],
    ]), ['hset h', 'hexpire h', 'hpersist h', 'hdel h', 'hdel h', 'del h']);
    const c = await fx().client();
    assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), 'OK');
    try {
      assert.deepEqual(await keyevents(fx(), [
        ['HSET', 'h', 'a', '1', 'b', '2'], ['HPEXPIRE', 'h', 10, 'FIELDS', 2, 'a', 'b'], ['DEBUG', 'SLEEP', '0.03'],
        ['HGET', 'h', 'a'], ['HMGET', 'h', 'b', 'x'], ['EXISTS', 'h'],
      ]), ['hset h', 'hexpire h', 'hexpired h', 'hexpired h', 'del h']);
    } finally {
      await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
    // the active cycle: one hexpired per hash and run, then del when emptied
    const events = await keyevents(fx(), [['HSET', 'h', 'a', '1', 'b', '2'], ['HPEXPIRE', 'h', 10, 'FIELDS', 2, 'a', 'b']], 400);
    assert.deepEqual(events, ['hset h', 'hexpire h', 'hexpired h', 'del h']);
  });

  test('the active cycle removes expired fields and emptied hashes: INFO subexpiry and expired_subkeys', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'RESETSTAT');
    const keys = Array.from({ length: 50 }, (_, i) => `hk${i}`);
    for (const k of keys) {
      await c.call('HSET', k, 'a', '1', 'b', '2', 'keep', '3');
      await c.call('HPEXPIRE', k, '1000', 'FIELDS', '2', 'a', 'b');
    }
    await c.call('HSET', 'gone', 'x', '1');
    await c.call('HPEXPIRE', 'gone', '1000', 'FIELDS', '1', 'x');
    await c.call('HSET', 'later', 'x', '1');
    await c.call('HPEXPIREAT', 'later', String(FAR), 'FIELDS', '1', 'x');
    assert.match((await info(c, 'keyspace')).db0!, /^keys=52,expires=0,avg_ttl=0,subexpiry=52$/);
    await until(async () => (await c.call('EXISTS', 'gone')) === 0, 'the emptied hash was removed');
    await until(async () => (await info(c, 'keyspace')).db0 === 'keys=51,expires=0,avg_ttl=0,subexpiry=1', 'subexpiry counted down');
    // removed, not only hidden: HLEN counts fields still there
    for (const k of keys) assert.equal(await c.call('HLEN', k), 1);
    assert.equal((await info(c, 'stats')).expired_subkeys, '101');
    assert.equal((await info(c, 'stats')).expired_keys, '0');
    assert.deepEqual(await c.call('HPEXPIRETIME', 'later', 'FIELDS', '1', 'x'), [FAR]);
  });

  test('node-redis typed commands over RESP2 and RESP3', async () => {
    for (const resp of [2, 3] as const) {
      const r = await nodeRedis(fx().port, resp);
      try {
        await r.flushAll();
        assert.equal(await r.hSet('user', { name: 'ada', role: 'admin', tmp: 'x' }), 3);
        assert.deepEqual(await r.hExpire('user', ['tmp', 'role', 'nofield'], 100), [1, 1, -2]);
        assert.deepEqual(await r.hExpire('user', 'tmp', 200, 'GT'), [1]);
        assert.deepEqual(await r.hTTL('user', ['tmp', 'name', 'nofield']), [200, -1, -2]);
        assert.deepEqual(await r.hpExpireAt('user', 'role', FAR), [1]);
        assert.deepEqual(await r.hpExpireTime('user', ['role', 'name']), [FAR, -1]);
        assert.deepEqual(await r.hPersist('user', ['role', 'name']), [1, -1]);
        assert.equal(await r.hSetEx('user', { a: '1', b: '2' }, { expiration: { type: 'PXAT', value: FAR } }), 1);
        assert.deepEqual(await r.hpExpireTime('user', ['a', 'b']), [FAR, FAR]);
        assert.equal(await r.hSetEx('user', { a: '9' }, { mode: 'FNX' }), 0);
        assert.deepEqual(await r.hGetEx('user', ['a', 'nofield'], { expiration: 'PERSIST' }), ['1', null]);
        assert.deepEqual(await r.hTTL('user', 'a'), [-1]);
        assert.deepEqual(await r.hGetDel('user', ['a', 'b', 'nofield']), ['1', '2', null]);
        assert.deepEqual({ ...(await r.hGetAll('user')) }, { tmp: 'x', name: 'ada', role: 'admin' });
        assert.deepEqual(await r.hExpire('nokey', ['a', 'b'], 10), [-2, -2]);
        await r.hpExpire('user', 'tmp', 20);
        await sleep(60);
        assert.equal(await r.hGet('user', 'tmp'), null);
        assert.equal(await r.hLen('user'), 2);
      } finally {
        r.destroy();
      }
    }
  });

  test('ioredis: the commands through call(), errors as ReplyErrors', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.hset('h', 'f', '0', 'g', 'w');
      assert.deepEqual(await r.call('HPEXPIRE', 'h', '100000', 'FIELDS', '1', 'f'), [1]);
      const [ttl] = (await r.call('HPTTL', 'h', 'FIELDS', '1', 'f')) as number[];
      assert.ok(ttl! > 99000 && ttl! <= 100000, `HPTTL ${ttl}`);
      assert.deepEqual(await r.call('HEXPIRETIME', 'h', 'FIELDS', '1', 'g'), [-1]);
      await assert.rejects(r.call('HEXPIRE', 'h', '1', 'FIELDS', '2', 'f'), /The `numfields` parameter must match the number of arguments/);
      await r.set('s', 'x');
      await assert.rejects(r.call('HTTL', 's', 'FIELDS', '1', 'f'), /WRONGTYPE/);
      assert.equal(await r.hincrby('h', 'f', 5), 5);
      assert.deepEqual(await r.call('HTTL', 'h', 'FIELDS', '1', 'f'), [100]);
    } finally {
      r.disconnect();
    }
  });
});

/** Field → absolute expiry of every field of every hash key, sorted (dumpAllHashes of the Redis test). */
async function expiries(c: RespClient): Promise<string[]> {
  const out: string[] = [];
  for (const k of ((await c.call('KEYS', '*')) as string[]).sort()) {
    const fields = (await c.call('HKEYS', k)) as string[];
    const at = (await c.call('HPEXPIRETIME', k, 'FIELDS', String(fields.length), ...fields)) as number[];
    fields.forEach((f, i) => out.push(`${k} ${f} ${at[i]}`));
  }
  return out.sort();
}

async function withTtls(c: RespClient): Promise<void> {
  await c.call('HSET', 'small', 'a', '1', 'b', '2', 'c', '3');
  await c.call('HEXPIRE', 'small', '100', 'FIELDS', '1', 'b');
  await c.call('HPEXPIREAT', 'small', String(FAR), 'FIELDS', '1', 'a');
  const big: string[] = [];
  for (let i = 0; i < 600; i++) big.push(`f${i}`, `v${i}`);
  await c.call('HSET', 'big', ...big);
  await c.call('HPEXPIRE', 'big', '500000', 'FIELDS', '3', 'f1', 'f2', 'f299');
  await c.call('HSET', 'persisted', 'a', '1');
  await c.call('HEXPIRE', 'persisted', '100', 'FIELDS', '1', 'a');
  await c.call('HPERSIST', 'persisted', 'FIELDS', '1', 'a');
}

for (const shards of [1, 4]) {
  const opts = { shards, threads: TEST_THREADS };

  test(`persistence of field TTLs (shards=${shards}): AOF as absolute times, rewrite without preamble, RDB, DEBUG RELOAD`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'shardis-hfe-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    let srv: RunningServer = await startServer({ port: 0, dir, ...opts, config: { appendonly: 'yes', 'aof-use-rdb-preamble': 'no' } });
    // a failed assertion leaves the server of that moment running: closed here
    let closed = false;
    t.after(async () => {
      if (!closed) await srv.close();
    });
    let c = await RespClient.connect(srv.port);
    await withTtls(c);
    const before = await expiries(c);
    assert.deepEqual(await c.call('OBJECT', 'ENCODING', 'small'), 'listpackex');
    assert.deepEqual(await c.call('OBJECT', 'ENCODING', 'persisted'), 'listpackex');
    const incr = readdirSync(join(dir, 'appendonlydir')).find((f) => f.endsWith('.incr.aof'))!;
    const text = readFileSync(join(dir, 'appendonlydir', incr), 'latin1');
    // relative times were streamed as HPEXPIREAT with the absolute time
    assert.doesNotMatch(text, /HEXPIRE\r\n|HPEXPIRE\r\n/);
    assert.match(text, /\$10\r\nHPEXPIREAT\r\n\$5\r\nsmall\r\n\$13\r\n\d{13}\r\n\$6\r\nFIELDS\r\n\$1\r\n1\r\n\$1\r\nb\r\n/);
    c.close();
    await srv.close();
    srv = await startServer({ port: 0, dir, ...opts, config: { appendonly: 'yes', 'aof-use-rdb-preamble': 'no' } });
    c = await RespClient.connect(srv.port);
    assert.deepEqual(await expiries(c), before);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'small'), 'listpackex');
    assert.deepEqual(await c.call('HKEYS', 'small'), ['b', 'a', 'c']);
    // a rewrite into commands: HMSET and one HPEXPIREAT per field
    assert.match(String(await c.call('BGREWRITEAOF')), /rewriting started/);
    await until(async () => (await info(c, 'persistence')).aof_rewrite_in_progress === '0' && (await info(c, 'persistence')).aof_rewrite_scheduled === '0', 'the rewrite ended');
    const base = readdirSync(join(dir, 'appendonlydir')).find((f) => f.endsWith('.base.aof'))!;
    assert.match(readFileSync(join(dir, 'appendonlydir', base), 'latin1'), /HPEXPIREAT\r\n\$5\r\nsmall\r\n\$13\r\n4102444800000\r\n\$6\r\nFIELDS\r\n/);
    c.close();
    await srv.close();
    srv = await startServer({ port: 0, dir, ...opts, config: { appendonly: 'yes', 'aof-use-rdb-preamble': 'no' } });
    c = await RespClient.connect(srv.port);
    assert.deepEqual(await expiries(c), before);
    assert.deepEqual(await c.call('HKEYS', 'small'), ['b', 'a', 'c']);
    // an RDB file: version 12 with such hashes, the same after a restart and after DEBUG RELOAD
    await c.call('CONFIG', 'SET', 'appendonly', 'no');
    assert.equal(await c.call('SAVE'), 'OK');
    // (with threads the header is the saving thread's: 12 only when that thread holds such a hash)
    const magic = readFileSync(join(dir, 'dump.rdb')).subarray(0, 9).toString();
    if (TEST_THREADS === 1) assert.equal(magic, 'REDIS0012');
    else assert.match(magic, /^REDIS001[02]$/);
    c.close();
    await srv.close();
    srv = await startServer({ port: 0, dir, ...opts });
    c = await RespClient.connect(srv.port);
    assert.deepEqual(await expiries(c), before);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'small'), 'listpackex');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'big'), 'hashtable');
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.deepEqual(await expiries(c), before);
    assert.deepEqual(await c.call('HKEYS', 'small'), ['b', 'a', 'c']);
    // DUMP of such a hash is a version 12 payload; of a plain hash still 7.0's 10
    const dump = Buffer.from((await c.call('DUMP', 'small')) as string, 'latin1');
    assert.equal(dump[dump.length - 10], 12);
    await c.call('HSET', 'plain', 'a', '1');
    const plain = Buffer.from((await c.call('DUMP', 'plain')) as string, 'latin1');
    assert.equal(plain[plain.length - 10], 10);
    assert.equal(await c.call('RESTORE', 'copy', '0', dump.toString('latin1')), 'OK');
    assert.deepEqual(await c.call('HPEXPIRETIME', 'copy', 'FIELDS', '2', 'a', 'c'), [FAR, -1]);
    c.close();
    closed = true;
    await srv.close();
  });

  test(`replication of field TTLs (shards=${shards}): HPEXPIREAT, HDEL of expired fields, the replica never expires by itself`, async (t) => {
    const p = await startServer({ port: 0, ...opts });
    const r = await startServer({ port: 0, ...opts });
    t.after(async () => {
      await r.close();
      await p.close();
    });
    const pc = await RespClient.connect(p.port);
    const rc = await RespClient.connect(r.port);
    t.after(() => {
      pc.close();
      rc.close();
    });
    await withTtls(pc);
    assert.equal(await rc.call('REPLICAOF', '127.0.0.1', String(p.port)), 'OK');
    await settle(pc, rc);
    // the full sync carried them (RDB types 24 and 25)
    assert.deepEqual(await expiries(rc), await expiries(pc));
    await pc.call('HSET', 'live', 'a', '1', 'b', '2', 'c', '3');
    await pc.call('HEXPIRE', 'live', '1000', 'FIELDS', '1', 'c');
    await settle(pc, rc);
    assert.deepEqual(await expiries(rc), await expiries(pc));
    // fields expiring on the primary: its active cycle streams HDELs
    await pc.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await pc.call('HPEXPIRE', 'live', '50', 'FIELDS', '2', 'a', 'b');
    await settle(pc, rc);
    await sleep(100);
    // expired on the replica's clock: reads as gone, but stays until the primary deletes it
    assert.equal(await rc.call('HGET', 'live', 'a'), null);
    assert.equal(await rc.call('HLEN', 'live'), 3);
    // a lazy expiry on the primary streams its HDEL
    assert.equal(await pc.call('HGET', 'live', 'a'), null);
    await settle(pc, rc);
    assert.equal(await rc.call('HLEN', 'live'), 2);
    await pc.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    await until(async () => (await pc.call('HLEN', 'live')) === 1, 'the primary expired b');
    await settle(pc, rc);
    assert.equal(await rc.call('HLEN', 'live'), 1);
    assert.deepEqual(await rc.call('HGETALL', 'live'), ['c', '3']);
    // a time already past: HDEL, not HPEXPIREAT
    await pc.call('HEXPIREAT', 'small', '1', 'FIELDS', '1', 'c');
    await settle(pc, rc);
    assert.deepEqual(await expiries(rc), await expiries(pc));
    assert.equal(await rc.call('HEXISTS', 'small', 'c'), 0);
    // HINCRBYFLOAT keeps the field's TTL on the replica too
    await pc.call('HINCRBYFLOAT', 'small', 'b', '1.5');
    await settle(pc, rc);
    assert.deepEqual(await rc.call('HMGET', 'small', 'b'), ['3.5']);
    assert.deepEqual(await expiries(rc), await expiries(pc));
    assert.equal((await info(rc, 'stats')).expired_subkeys, '0');
  });
}
