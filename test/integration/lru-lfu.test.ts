/**
 * Per-key LRU clock and LFU counter: OBJECT IDLETIME / FREQ and DEBUG OBJECT
 * read them, accesses (GET, SET, TOUCH …) update them while OBJECT, TYPE,
 * EXISTS and TTL do not, RESTORE … IDLETIME / FREQ and snapshots (DEBUG
 * RELOAD) carry them, and the LRU / LFU eviction policies evict by them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeServer, type Fixture } from '../helpers/server.ts';
import { startServer } from '../../src/index.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { ioredis } from '../helpers/clients.ts';
import type { Keyspace } from '../../src/engine/keyspace.ts';

/** Keys of these keyspaces with an LRU/LFU word of their own (the others share their keyspace's lruBase). */
function ownWords(spaces: Keyspace[]): number {
  let n = 0;
  for (const ks of spaces) for (const k of ks.data.keys()) if (ks.data.word(k) >= 0) n++;
  return n;
}

async function withPolicy(c: RespClient, policy: string, fn: () => Promise<void>): Promise<void> {
  await c.call('CONFIG', 'SET', 'maxmemory-policy', policy);
  try {
    await fn();
  } finally {
    await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction', 'maxmemory', '0', 'lfu-log-factor', '10');
  }
}

const idle = async (c: RespClient, key: string): Promise<number> => (await c.call('OBJECT', 'IDLETIME', key)) as number;
const freq = async (c: RespClient, key: string): Promise<number> => (await c.call('OBJECT', 'FREQ', key)) as number;

/**
 * Fills `n` keys, lets a second pass (the LRU clock's resolution), runs
 * `access`, then sets maxmemory to what a fifth fewer keys would use:
 * returns the fraction of hot and of cold keys left. Used memory is counted
 * here as 1000 bytes a key — the server's own measure (the JS heap, which
 * this test's clients share) is too coarse to evict an exact number of keys,
 * and which keys go is what is tested.
 */
async function evictAfter(fx: Fixture, n: number, hot: number, access: (hot: string[], cold: string[]) => Promise<void>): Promise<{ hot: number; cold: number }> {
  const r = await ioredis(fx.port);
  const memory = fx.server.state.memory;
  try {
    const keys = Array.from({ length: n }, (_, i) => `k:${i}`);
    const fill = r.pipeline();
    for (const k of keys) fill.set(k, 'v');
    await fill.exec();
    await sleep(1100);
    const hotKeys = keys.filter((_, i) => i % Math.floor(n / hot) === 0).slice(0, hot);
    const hotSet = new Set(hotKeys);
    const coldKeys = keys.filter((k) => !hotSet.has(k));
    await access(hotKeys, coldKeys);
    const engine = fx.server.state.engine;
    memory.used = () => engine.dbSize(0) * 1000;
    await r.config('SET', 'maxmemory', String(n * 800));
    // eviction runs in slices of maxmemory-eviction-tenacity's time, the rest on the next turns (as Redis's): wait for it
    for (let i = 0; i < 200 && (await r.dbsize()) > n * 0.8; i++) await sleep(10);
    assert.equal(await r.dbsize(), n * 0.8);
    const alive = async (ks: string[]): Promise<number> => {
      const p = r.pipeline();
      for (const k of ks) p.exists(k);
      return (await p.exec())!.filter(([, v]) => v === 1).length / ks.length;
    };
    return { hot: await alive(hotKeys), cold: await alive(coldKeys) };
  } finally {
    await r.config('SET', 'maxmemory', '0');
    delete (memory as { used?: unknown }).used;
    r.disconnect();
  }
}

describeServer('LRU clock and LFU counter', (fx) => {
  test('OBJECT IDLETIME grows; GET, SET, TOUCH reset it; OBJECT, TYPE, EXISTS, TTL, DEBUG OBJECT do not', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    for (const k of ['get', 'set', 'touch', 'incr', 'notouch']) await c.call('SET', k, '1');
    await c.call('RPUSH', 'list', 'a');
    // (idle times are whole seconds of a clock cached for 100 ms: "new" reads 0 or 1; sleeping 2.4 s makes "old" read at least 2)
    assert.ok((await idle(c, 'get')) <= 1);
    await sleep(2400);
    await c.call('GET', 'get');
    await c.call('SET', 'set', '2');
    assert.equal(await c.call('TOUCH', 'touch', 'missing'), 1);
    await c.call('INCR', 'incr');
    await c.call('LPUSH', 'list', 'b');
    for (const cmd of [['TYPE'], ['EXISTS'], ['TTL'], ['PTTL'], ['OBJECT', 'ENCODING'], ['OBJECT', 'IDLETIME'], ['DEBUG', 'OBJECT']]) {
      await c.call(...cmd, 'notouch');
    }
    for (const k of ['get', 'set', 'touch', 'incr', 'list']) assert.ok((await idle(c, k)) <= 1, k);
    assert.ok((await idle(c, 'notouch')) >= 2);
    const dbg = (await c.call('DEBUG', 'OBJECT', 'notouch')) as string;
    const m = /lru:(\d+) lru_seconds_idle:(\d+)/.exec(dbg)!;
    assert.ok(Number(m[2]) >= 2, dbg);
    // lru: the LRU clock (seconds mod 2^24) of the last access
    const expected = (Math.floor(Date.now() / 1000) - Number(m[2])) & 0xffffff;
    assert.ok(Math.abs(Number(m[1]) - expected) <= 1, dbg);
    // a key replaced by DEL + SET starts afresh
    await c.call('DEL', 'notouch');
    await c.call('SET', 'notouch', 'x');
    assert.ok((await idle(c, 'notouch')) <= 1);
  });

  test('OBJECT FREQ under allkeys-lfu: LFU_INIT_VAL for a new key, +1 per access with lfu-log-factor 0, logarithmic otherwise', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await withPolicy(c, 'allkeys-lfu', async () => {
      await c.call('CONFIG', 'SET', 'lfu-log-factor', '0');
      await c.call('SET', 'k', 'value');
      await c.call('RPUSH', 'l', 'a');
      assert.equal(await freq(c, 'k'), 5);
      for (let i = 0; i < 10; i++) await c.call('GET', 'k');
      assert.equal(await freq(c, 'k'), 15);
      // OBJECT and TYPE are no access; SET over the key keeps (and counts) it, as dbOverwrite
      await c.call('TYPE', 'k');
      assert.equal(await freq(c, 'k'), 15);
      await c.call('SET', 'k', 'other');
      assert.equal(await freq(c, 'k'), 16);
      await c.call('LRANGE', 'l', '0', '-1');
      await c.call('RPUSH', 'l', 'b');
      assert.equal(await freq(c, 'l'), 7);
      // the default factor 10: the first accesses count, later ones ever less often
      await c.call('CONFIG', 'SET', 'lfu-log-factor', '10');
      await c.call('SET', 'slow', 'v');
      for (let i = 0; i < 200; i++) await c.call('GET', 'slow');
      // Random increments (p = 1 / ((counter - 5) * 10 + 1)): about 12 expected. The bounds hold with
      // certainty in practice: below 7 needs 199 misses at p = 1/11 ((10/11)^199 ~ 6e-9); above 30 needs
      // 25 hits where ~3000 tries are expected. A linear counter would read 205.
      const f = await freq(c, 'slow');
      assert.ok(f >= 7 && f <= 30, `freq ${f}`);
    });
  });

  test('CLIENT NO-TOUCH (Redis 7.2): the client\'s reads and writes leave the clock and counter, TOUCH still counts (ioredis)', async () => {
    const c = await fx().client();
    const r = await ioredis(fx().port);
    await c.call('FLUSHALL');
    try {
      await withPolicy(c, 'allkeys-lfu', async () => {
        await c.call('CONFIG', 'SET', 'lfu-log-factor', '0');
        await r.set('k', 'v');
        assert.equal(await r.call('CLIENT', 'NO-TOUCH', 'on'), 'OK');
        await r.get('k');
        await r.set('k', 'w');
        await r.call('EVAL', "return redis.call('GET', KEYS[1])", '1', 'k');
        assert.equal(await freq(c, 'k'), 5);
        await r.touch('k');
        assert.equal(await freq(c, 'k'), 6);
        // another client's accesses still count
        await c.call('GET', 'k');
        assert.equal(await freq(c, 'k'), 7);
        assert.match(String(await r.call('CLIENT', 'INFO')), / flags=T /);
        await r.call('CLIENT', 'NO-TOUCH', 'off');
        await r.get('k');
        assert.equal(await freq(c, 'k'), 8);
        await assert.rejects(r.call('CLIENT', 'NO-TOUCH', 'maybe'), /ERR syntax error/);
      });
      await withPolicy(c, 'allkeys-lru', async () => {
        await r.call('CLIENT', 'NO-TOUCH', 'on');
        await r.set('old', 'v');
        await sleep(1100);
        await r.get('old');
        assert.ok((await idle(c, 'old')) >= 1, 'a NO-TOUCH read keeps the idle time');
        await r.touch('old');
        assert.equal(await idle(c, 'old'), 0);
      });
    } finally {
      r.disconnect();
    }
  });

  test('RESTORE IDLETIME / FREQ set them; DEBUG RELOAD keeps them under LRU / LFU policies', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('SET', 'src', 'payload');
    const dump = (await c.call('DUMP', 'src')) as string;
    const p = Buffer.from(dump, 'latin1');
    await withPolicy(c, 'allkeys-lru', async () => {
      assert.equal(await c.call('RESTORE', 'old', '0', p, 'IDLETIME', '1000'), 'OK');
      assert.equal(await c.call('RESTORE', 'older', '0', p, 'IDLETIME', '100000'), 'OK');
      const i = await idle(c, 'old');
      assert.ok(i >= 1000 && i <= 1002, `idle ${i}`);
      assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
      const j = await idle(c, 'old');
      assert.ok(j >= 1000 && j <= 1003, `idle after reload ${j}`);
      assert.ok((await idle(c, 'older')) >= 100000);
      assert.ok((await idle(c, 'src')) <= 1);
    });
    await withPolicy(c, 'allkeys-lfu', async () => {
      assert.equal(await c.call('RESTORE', 'hot', '0', p, 'FREQ', '100'), 'OK');
      assert.equal(await freq(c, 'hot'), 100);
      assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
      assert.equal(await freq(c, 'hot'), 100);
      // IDLETIME is not what LFU tracks: the key starts as new
      assert.equal(await c.call('RESTORE', 'idle', '0', p, 'IDLETIME', '50'), 'OK');
      assert.equal(await freq(c, 'idle'), 5);
    });
    // without an LRU / LFU policy a snapshot carries no access data: reloaded keys are new
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.ok((await idle(c, 'old')) <= 1);
  });

  test('SWAPDB, MOVE and RENAME keep the clock with the key', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('SET', 'tmp', 'x');
    const p = Buffer.from((await c.call('DUMP', 'tmp')) as string, 'latin1');
    await c.call('RESTORE', 'a', '0', p, 'IDLETIME', '500');
    await c.call('SELECT', '1');
    await c.call('SET', 'a', 'fresh');
    await c.call('SWAPDB', '0', '1');
    assert.ok((await idle(c, 'a')) >= 500, 'db 1 holds the old key now');
    await c.call('SELECT', '0');
    assert.ok((await idle(c, 'a')) <= 1);
    await c.call('FLUSHDB');
    assert.equal(await c.call('EXISTS', 'a'), 0);
    await c.call('SET', 'a', 'new');
    assert.ok((await idle(c, 'a')) <= 1, 'FLUSHDB leaves no clock behind');
    // RENAME reads the key (an access) and moves it
    await c.call('RESTORE', 'r', '0', p, 'IDLETIME', '500');
    await c.call('RENAME', 'r', 'r2');
    assert.ok((await idle(c, 'r2')) <= 1);
    await c.call('FLUSHALL');
  });

  test('every way a key goes away takes its clock with it (the side table follows the key table)', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const script: string[][] = [];
    for (let i = 0; i < 40; i++) {
      script.push(['SET', `s${i}`, 'v'], ['RPUSH', `l${i}`, 'a'], ['SADD', `t${i}`, 'm'], ['HSET', `h${i}`, 'f', 'v'], ['ZADD', `z${i}`, '1', 'm']);
    }
    for (let i = 0; i < 40; i += 4) {
      script.push(['DEL', `s${i}`], ['LPOP', `l${i}`], ['SREM', `t${i}`, 'm'], ['HDEL', `h${i}`, 'f'], ['ZREM', `z${i}`, 'm']);
      script.push(['RENAME', `s${i + 1}`, `r${i}`], ['MOVE', `s${i + 2}`, '2'], ['PEXPIRE', `s${i + 3}`, '1'], ['UNLINK', `l${i + 1}`]);
      script.push(['COPY', `h${i + 1}`, `c${i}`], ['GETDEL', `h${i + 2}`], ['SET', `h${i + 3}`, 'x', 'PX', '1'], ['SMOVE', `t${i + 1}`, `t${i + 2}`, 'm']);
    }
    script.push(['SELECT', '2'], ['SET', 'in2', 'v'], ['SWAPDB', '0', '2'], ['SELECT', '0'], ['FLUSHDB'], ['SELECT', '2']);
    for (const cmd of script) await c.call(...cmd);
    await sleep(5);
    for (let i = 0; i < 40; i++) await c.call('GET', `s${i}`); // lazy expiry
    await c.call('GET', 'h3');
    const engine = fx().server.state.engine;
    let keys = 0;
    for (let db = 0; db < engine.databases; db++) {
      for (const ks of engine.keyspaces(db)) {
        // the words live in the key table's slots: a key's goes with it, and every key written or read has its own
        for (const k of ks.data.keys()) assert.ok(ks.data.word(k) >= 0, `db ${db}: no clock for ${k}`);
        keys += ks.size;
      }
    }
    assert.ok(keys > 100, `${keys} keys`);
    await c.call('FLUSHALL');
  });

  test('allkeys-lru eviction keeps the keys read recently', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await withPolicy(c, 'allkeys-lru', async () => {
      const left = await evictAfter(fx(), 3000, 300, async (hot) => {
        const r = await ioredis(fx().port);
        await r.mget(...hot);
        r.disconnect();
      });
      assert.ok(left.hot >= 0.95, `hot keys left: ${left.hot}, cold: ${left.cold}`);
      assert.ok(left.cold < 0.9, `cold keys left: ${left.cold}`);
    });
  });

  test('allkeys-lfu eviction keeps the keys read often', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await withPolicy(c, 'allkeys-lfu', async () => {
      await c.call('CONFIG', 'SET', 'lfu-log-factor', '0');
      const left = await evictAfter(fx(), 3000, 300, async (hot, cold) => {
        const r = await ioredis(fx().port);
        for (let i = 0; i < 5; i++) await r.mget(...hot);
        // the cold keys read last: recency alone would keep them rather than the hot ones
        await r.mget(...cold);
        r.disconnect();
      });
      assert.ok(left.hot >= 0.95, `hot keys left: ${left.hot}, cold: ${left.cold}`);
      assert.ok(left.cold < 0.9, `cold keys left: ${left.cold}`);
    });
  });

  test('keys loaded from a snapshot share one word until touched (no side-table entry each)', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    for (let i = 0; i < 50; i++) await c.call('SET', `ld:${i}`, `v${i}`);
    await c.call('RPUSH', 'ld:list', 'a');
    // noeviction writes no IDLE / FREQ opcodes: the keys load with a fresh clock, as in Redis
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    const spaces = fx().server.state.engine.keyspaces(0);
    assert.equal(ownWords(spaces), 0, 'no per-key entries after loading');
    assert.ok((await idle(c, 'ld:1')) <= 1);
    assert.match((await c.call('DEBUG', 'OBJECT', 'ld:1')) as string, / lru_seconds_idle:[01]$/);
    await c.call('GET', 'ld:1');
    assert.equal(ownWords(spaces), 1, 'a touched key gets its own entry');
    // a file written without FREQ opcodes, loaded under LFU: every key starts at LFU_INIT_VAL
    assert.equal(await c.call('SAVE'), 'OK');
    await withPolicy(c, 'allkeys-lfu', async () => {
      await c.call('CONFIG', 'SET', 'lfu-log-factor', '0');
      assert.equal(await c.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
      assert.equal(ownWords(spaces), 0);
      assert.equal(await freq(c, 'ld:2'), 5);
      await c.call('SET', 'ld:2', 'x');
      assert.equal(await freq(c, 'ld:2'), 6, 'SET over a loaded key: one access on top of its counter');
      await c.call('RENAME', 'ld:3', 'ld:3b');
      assert.equal(await freq(c, 'ld:3b'), 6);
      await c.call('APPEND', 'ld:4', 'x');
      assert.equal(await freq(c, 'ld:4'), 6);
    });
    await c.call('FLUSHALL');
  });
});

test('accesses are recorded only once something needs them; keys untouched since count from the start', async () => {
  const srv = await startServer({ port: 0 });
  try {
    const c = await RespClient.connect(srv.port);
    const spaces = srv.state.engine.keyspaces(0);
    const entries = (): number => ownWords(spaces);
    for (let i = 0; i < 100; i++) await c.call('SET', `k${i}`, 'v');
    await c.call('GET', 'k1');
    assert.equal(entries(), 0, 'noeviction and nobody asking: no per-key entries');
    await sleep(2400);
    // the first OBJECT IDLETIME starts tracking: k2 was not accessed since the keyspace started
    assert.ok((await idle(c, 'k2')) >= 2);
    await c.call('TOUCH', 'k2');
    assert.equal(await idle(c, 'k2'), 0);
    assert.ok((await idle(c, 'k3')) >= 2, 'untouched keys keep their age');
    await c.call('GET', 'k3');
    assert.equal(await idle(c, 'k3'), 0);
    assert.equal(entries(), 2);
    c.close();
  } finally {
    await srv.close();
  }
});
