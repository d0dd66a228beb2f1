/**
 * The dataset's own memory accounting (engine/dataset-bytes.ts): INFO
 * used_memory_dataset is the sum of every key's MEMORY USAGE (a TTL lives
 * beside its key's slot in the key table: overhead, as Redis's expires dict) after any mix of commands, on every type and encoding; it moves
 * at once on writes, deletes, UNLINK and flushes; maxmemory holds to the
 * byte; lazyfree statistics and maxmemory-clients follow Redis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describeServer } from '../helpers/server.ts';
import type { RespClient } from '../helpers/resp-client.ts';


async function info(c: RespClient, section: string, field: string): Promise<number> {
  const text = (await c.call('INFO', section)) as string;
  const m = new RegExp(`\\r\\n${field}:(\\d+)\\r\\n`).exec(`\r\n${text}`);
  assert.ok(m, `INFO ${section} has ${field}`);
  return Number(m[1]);
}

/** Σ MEMORY USAGE over every key of db 0. */
async function usageSum(c: RespClient): Promise<number> {
  const keys = (await c.call('KEYS', '*')) as string[];
  let sum = 0;
  for (const k of keys) {
    sum += (await c.call('MEMORY', 'USAGE', k)) as number;
  }
  return sum;
}

/** A deterministic mix of writes over every type, crossing the small/large encodings' thresholds. */
async function workload(c: RespClient, rounds: number): Promise<void> {
  // mulberry32: the same sequence every run
  let seed = 12345;
  const rnd = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  for (let i = 0; i < rounds; i++) {
    const k = String(rnd(8));
    const e = `e${rnd(300)}`;
    const long = 'x'.repeat(rnd(4) === 0 ? 100 : 5);
    switch (rnd(21)) {
      case 0: await c.call('SET', `s${k}`, long + e); break;
      case 1: await c.call('APPEND', `s${k}`, e); break;
      case 2: await c.call('HSET', `h${k}`, e, long); break;
      case 3: await c.call('HDEL', `h${k}`, e); break;
      case 4: await c.call('SADD', `i${k}`, String(rnd(1000))); break;
      case 5: await c.call('SADD', `t${k}`, e + long); break;
      case 6: await c.call('SREM', `t${k}`, e + long); break;
      case 7: await c.call('ZADD', `z${k}`, String(rnd(100)), e); break;
      case 8: await c.call('ZREM', `z${k}`, e); break;
      case 9: await c.call('RPUSH', `l${k}`, e, long); break;
      case 10: await c.call('LPOP', `l${k}`); break;
      case 11: await c.call('EXPIRE', `h${k}`, '1000'); break;
      case 12: await c.call('PERSIST', `h${k}`); break;
      case 13: await c.call('XADD', `x${k}`, '*', 'f', e); break;
      case 14: await c.call('SETRANGE', `b${k}`, String(rnd(50)), e); break;
      case 15: await c.call('DEL', `s${k}`, `l${k}`); break;
      // reads view packed values; SORT is the read that converts one; counters
      case 16: await c.call('HGETALL', `h${k}`); break;
      case 17: await c.call('ZRANGE', `z${k}`, '0', '-1'); break;
      case 18: await c.call('SORT_RO', `z${k}`, 'BY', 'nosort'); break;
      case 19: await c.call('INCRBY', `n${k}`, String(rnd(100000))); break;
      case 20: await c.call('LRANGE', `l${k}`, '0', '-1'); break;
    }
  }
}

describeServer('memory accounting', (fx) => {
  test('used_memory_dataset is Σ MEMORY USAGE after a mixed workload over every type, TTLs included', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    assert.equal(await info(c, 'memory', 'used_memory_dataset'), 0);
    await workload(c, 4000);
    const keys = (await c.call('DBSIZE')) as number;
    assert.ok(keys > 40, `dbsize ${keys}`);
    assert.equal(await info(c, 'memory', 'used_memory_dataset'), await usageSum(c));
    // the big collections grew past the small encodings and were counted as they grew
    let biggest = 0;
    for (const k of (await c.call('KEYS', '[hitz]*')) as string[]) biggest = Math.max(biggest, (await c.call('MEMORY', 'USAGE', k)) as number);
    assert.ok(biggest > 2000, `biggest ${biggest}`);
    await c.call('FLUSHALL');
    assert.equal(await info(c, 'memory', 'used_memory_dataset'), 0);
  });

  test('a write and its undo leave used_memory_dataset where it was; RENAME, COPY, MOVE, SWAPDB move bytes with keys', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('HSET', 'h', 'a', '1', 'b', '2');
    const base = await info(c, 'memory', 'used_memory_dataset');
    await c.call('HSET', 'h', 'c', 'x'.repeat(1000));
    const grown = await info(c, 'memory', 'used_memory_dataset');
    assert.ok(grown >= base + 1000, `${grown} vs ${base}`);
    await c.call('DEL', 'h');
    await c.call('HSET', 'h', 'a', '1', 'b', '2');
    assert.equal(await info(c, 'memory', 'used_memory_dataset'), base);
    await c.call('RENAME', 'h', 'hh');
    await c.call('COPY', 'hh', 'h2');
    assert.equal(await info(c, 'memory', 'used_memory_dataset'), await usageSum(c));
    await c.call('MOVE', 'h2', '1');
    await c.call('SWAPDB', '0', '1');
    const db0 = await usageSum(c);
    await c.call('SELECT', '1');
    const db1 = await usageSum(c);
    assert.ok(db0 > 0 && db1 > 0);
    assert.equal(await info(c, 'memory', 'used_memory_dataset'), db0 + db1);
    await c.call('FLUSHDB');
    await c.call('SELECT', '0');
    assert.equal(await info(c, 'memory', 'used_memory_dataset'), db0);
  });

  test('UNLINK of a big value frees its bytes at once and counts one lazily freed object; FLUSHALL ASYNC counts keys', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'RESETSTAT');
    const before = await info(c, 'memory', 'used_memory');
    const members: string[] = [];
    for (let i = 0; i < 20000; i++) members.push(`member:${i}`);
    await c.call('SADD', 'big', ...members);
    await c.call('SADD', 'small', 'a', 'b');
    const peak = await info(c, 'memory', 'used_memory');
    assert.ok(peak > before + 500_000, `${peak} vs ${before}`);
    assert.equal(await c.call('UNLINK', 'big', 'small'), 2);
    const after = await info(c, 'memory', 'used_memory');
    assert.ok(after < before + 10_000, `${after} vs ${before}`);
    assert.equal(await info(c, 'memory', 'lazyfreed_objects'), 1);
    // DEL frees synchronously unless lazyfree-lazy-user-del
    await c.call('SADD', 'big', ...members);
    await c.call('DEL', 'big');
    assert.equal(await info(c, 'memory', 'lazyfreed_objects'), 1);
    for (let i = 0; i < 5; i++) await c.call('SET', `k${i}`, 'v');
    await c.call('FLUSHALL', 'ASYNC');
    assert.equal(await info(c, 'memory', 'lazyfreed_objects'), 6);
    // 7.4: a SYNC flush runs as a blocking ASYNC one, but not in MULTI (or a script)
    for (let i = 0; i < 3; i++) await c.call('SET', `k${i}`, 'v');
    await c.call('FLUSHDB', 'SYNC');
    assert.equal(await info(c, 'memory', 'lazyfreed_objects'), 9);
    for (let i = 0; i < 2; i++) await c.call('SET', `k${i}`, 'v');
    await c.call('MULTI');
    await c.call('FLUSHALL');
    await c.call('EXEC');
    await c.call('SET', 'k', 'v');
    await c.call('EVAL', "return redis.call('FLUSHALL', 'SYNC')", '0');
    assert.equal(await info(c, 'memory', 'lazyfreed_objects'), 9);
    assert.equal(await info(c, 'memory', 'lazyfree_pending_objects'), 0);
  });

  test('maxmemory with allkeys-lru holds used_memory under the limit while keys keep coming', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'RESETSTAT');
    const limit = (await info(c, 'memory', 'used_memory')) + 200 * 1024;
    await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await c.call('CONFIG', 'SET', 'maxmemory', String(limit));
    try {
      let highest = 0;
      for (let i = 0; i < 6000; i++) {
        await c.call('SET', `key:${i}`, 'v'.repeat(64));
        if (i % 200 === 0) highest = Math.max(highest, await info(c, 'memory', 'used_memory'));
      }
      assert.ok(highest <= limit + 4096, `${highest} > ${limit}`);
      assert.ok((await info(c, 'stats', 'evicted_keys')) > 1000);
      const left = (await c.call('DBSIZE')) as number;
      // what is left fills the limit: within a few keys of it, not emptied by over-eviction
      assert.ok(left > 1000 && left < 6000, `left ${left}`);
    } finally {
      await c.call('CONFIG', 'SET', 'maxmemory', '0');
      await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
  });

  test('maxmemory-clients disconnects the client holding a big half-sent command, not the no-evict one', async () => {
    const c = await fx().client();
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('CLIENT', 'NO-EVICT', 'on');
    await c.call('CONFIG', 'SET', 'maxmemory-clients', '1mb');
    const sock = connect(fx().port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
    sock.on('error', () => {});
    try {
      await new Promise<void>((resolve) => sock.on('connect', () => resolve()));
      // a SET whose value never ends: 2 MB of argument arrive, the command never completes
      sock.write('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4000000\r\n');
      for (let i = 0; i < 20; i++) sock.write('x'.repeat(100_000));
      let evicted = 0;
      for (let i = 0; i < 100 && evicted === 0; i++) {
        await new Promise((r) => setTimeout(r, 20));
        evicted = await info(c, 'stats', 'evicted_clients');
      }
      assert.equal(evicted, 1);
      await closed;
      assert.equal(await c.call('PING'), 'PONG');
    } finally {
      sock.destroy();
      await c.call('CONFIG', 'SET', 'maxmemory-clients', '0');
      await c.call('CLIENT', 'NO-EVICT', 'off');
    }
  });
});
