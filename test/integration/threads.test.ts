/**
 * Shards on threads (src/threads/): a server with 4 threads, each owning one
 * shard and serving its own connections, reached by real clients. Keys of
 * every shard from connections on every thread, whole-keyspace commands,
 * transfers between shards that readers never see half done (MULTI/EXEC,
 * EVAL, MSET/MGET), WATCH, server-wide settings, CLIENT LIST/KILL, blocking pops and pub/sub across threads, and a dying
 * thread taking the process down.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/index.ts';
import { freePort } from '../helpers/ports.ts';
import { ReplyError, RespClient } from '../helpers/resp-client.ts';

const THREADS = 4;

/** The thread a connection is served by: client ids step by the thread count. */
async function threadOf(r: Redis): Promise<number> {
  return (Number(await r.client('ID')) - 1) % THREADS;
}

/** Connections until every thread has at least one (the kernel spreads them at random). */
async function onEveryThread(port: number): Promise<Redis[]> {
  const out: Redis[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < 200 && seen.size < THREADS; i++) {
    const r = new Redis(port, { lazyConnect: true });
    await r.connect();
    const t = await threadOf(r);
    if (seen.has(t) && out.length >= THREADS) {
      r.disconnect();
      continue;
    }
    seen.add(t);
    out.push(r);
  }
  assert.equal(seen.size, THREADS, 'connections reached every thread');
  return out;
}

describe('threads=4', () => {
  let srv: RunningServer;
  const open: Redis[] = [];
  const conn = (): Redis => {
    const r = new Redis(srv.port);
    open.push(r);
    return r;
  };
  /** `n` keys whose shards cover every shard. */
  const keysOnEveryShard = (prefix: string, n: number): string[] => {
    const out: string[] = [];
    const shards = new Set<number>();
    for (let i = 0; out.length < n || shards.size < THREADS; i++) {
      const k = `${prefix}:${i}`;
      shards.add(srv.state.engine.shardIdOf(k));
      out.push(k);
    }
    return out;
  };

  before(async () => {
    srv = await startServer({ port: 0, threads: THREADS, config: { save: '' } });
  });
  after(async () => {
    for (const r of open) r.disconnect();
    await srv.close();
  });

  test('every thread serves connections and reaches every shard', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    const keys = keysOnEveryShard('k', 40);
    for (let i = 0; i < keys.length; i++) await cs[i % cs.length]!.set(keys[i]!, `v${i}`);
    for (const c of cs) assert.deepEqual(await c.mget(...keys), keys.map((_, i) => `v${i}`));
    await cs[0]!.lpush('list', 'a', 'b');
    await cs[1]!.rpush('list', 'c');
    assert.deepEqual(await cs[2]!.lrange('list', 0, -1), ['b', 'a', 'c']);
    await cs[3]!.hset('h', 'f', '1');
    assert.equal(await cs[0]!.hincrby('h', 'f', 5), 6);
    assert.equal(await cs[1]!.object('ENCODING', 'h'), 'listpack');
    await cs[1]!.expire(keys[0]!, 100);
    assert.ok((await cs[2]!.ttl(keys[0]!)) > 90);
  });

  test('DBSIZE, KEYS, SCAN, RANDOMKEY, INFO keyspace and FLUSHALL see every thread', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    await cs[0]!.flushall();
    const keys = keysOnEveryShard('all', 300);
    await cs[1]!.mset(...keys.flatMap((k) => [k, '1']));
    for (const c of cs) assert.equal(await c.dbsize(), keys.length);
    assert.deepEqual((await cs[2]!.keys('*')).sort(), [...keys].sort());
    assert.deepEqual((await cs[3]!.keys('all:1?')).sort(), keys.filter((k) => /^all:1.$/.test(k)).sort());
    // SCAN: every key exactly once
    const seen: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await cs[0]!.scan(cursor, 'COUNT', 17);
      seen.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    assert.deepEqual(seen.sort(), [...keys].sort());
    const drawn = new Set<string>();
    for (let i = 0; i < 40; i++) drawn.add((await cs[i % 4]!.randomkey())!);
    for (const k of drawn) assert.ok(keys.includes(k), k);
    assert.ok(drawn.size > 10, `${drawn.size} distinct random keys`);
    assert.match(await cs[2]!.info('keyspace'), new RegExp(`db0:keys=${keys.length},expires=0`));
    await cs[3]!.flushall();
    for (const c of cs) assert.equal(await c.dbsize(), 0);
  });

  test('transfers between shards are never seen half done (MULTI/EXEC, EVAL, MSET/MGET)', async () => {
    const accounts = keysOnEveryShard('acct', 8);
    const pair = keysOnEveryShard('pair', 2).slice(0, 2);
    // the pair on two different shards
    while (srv.state.engine.shardIdOf(pair[0]!) === srv.state.engine.shardIdOf(pair[1]!)) pair[1] = pair[1] + 'x';
    const setup = conn();
    await setup.mset(...accounts.flatMap((k) => [k, '1000']), pair[0]!, '50', pair[1]!, '50');
    const total = 1000 * accounts.length;
    const stopAt = Date.now() + 2000;
    const pick = (i: number): [string, string] => {
      const a = accounts[i % accounts.length]!;
      const b = accounts[(i * 7 + 3) % accounts.length]!;
      return a === b ? [a, accounts[(i + 1) % accounts.length]!] : [a, b];
    };
    const done = { multi: 0, eval: 0, mset: 0, reads: 0 };
    const multiWriter = async (seed: number): Promise<void> => {
      const r = conn();
      for (let i = seed; Date.now() < stopAt; i++) {
        const [a, b] = pick(i);
        const res = await r.multi().decrby(a, 3).incrby(b, 3).exec();
        assert.ok(res !== null);
        done.multi++;
      }
    };
    const evalWriter = async (seed: number): Promise<void> => {
      const r = conn();
      for (let i = seed; Date.now() < stopAt; i++) {
        const [a, b] = pick(i);
        // b is not declared: a script may reach keys it did not declare
        await r.eval("redis.call('decrby', KEYS[1], 5); return redis.call('incrby', ARGV[1], 5)", 1, a, b);
        done.eval++;
      }
    };
    const msetWriter = async (): Promise<void> => {
      const r = conn();
      for (let i = 0; Date.now() < stopAt; i++) {
        const x = i % 100;
        await r.mset(pair[0]!, String(x), pair[1]!, String(100 - x));
        done.mset++;
      }
    };
    const reader = async (): Promise<void> => {
      const r = conn();
      while (Date.now() < stopAt) {
        const vals = await r.mget(...accounts);
        assert.equal(vals.reduce((s: number, v) => s + Number(v), 0), total, `accounts ${vals.join(',')}`);
        const [x, y] = await r.mget(pair[0]!, pair[1]!);
        assert.equal(Number(x) + Number(y), 100, `pair ${x}+${y}`);
        const tx = (await r.multi().get(accounts[0]!).get(accounts[5]!).mget(...accounts).exec())!;
        const inTx = tx[2]![1] as string[];
        assert.equal(inTx.reduce((s, v) => s + Number(v), 0), total);
        done.reads++;
      }
    };
    await Promise.all([multiWriter(0), multiWriter(11), evalWriter(5), evalWriter(17), msetWriter(), reader(), reader()]);
    for (const [k, n] of Object.entries(done)) assert.ok(n > 5, `${k}: ${n}`);
    const vals = await setup.mget(...accounts);
    assert.equal(vals.reduce((s, v) => s + Number(v), 0), total);
  });

  test('blocking pops wait on keys of other threads and each push serves one waiter', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    const keys = keysOnEveryShard('q', 4);
    const idle = keysOnEveryShard('idle', 4);
    await cs[0]!.del(...keys, ...idle);
    const waiters: Array<Promise<[string, string] | null>> = [];
    for (let i = 0; i < 8; i++) {
      const r = new Redis(srv.port);
      open.push(r);
      // a key that gets pushes and one (of another shard) that never does
      waiters.push(r.blpop(idle[i % idle.length]!, keys[i % keys.length]!, 10));
    }
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 8; i++) await cs[i % cs.length]!.rpush(keys[i % keys.length]!, `m${i}`);
    const got = await Promise.all(waiters);
    assert.deepEqual(got.map((g) => g?.[1]).sort(), Array.from({ length: 8 }, (_, i) => `m${i}`).sort());
    for (const k of keys) assert.equal(await cs[1]!.llen(k), 0);
  });

  test('WATCH sees changes of keys owned by other threads, whoever makes them', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    const keys = keysOnEveryShard('w', 4);
    for (let i = 0; i < cs.length; i++) {
      const watcher = cs[i]!;
      for (const key of keys) {
        await watcher.set(key, '0');
        // nothing changed: EXEC runs
        await watcher.watch(key);
        assert.deepEqual(await watcher.multi().incr(key).exec(), [[null, 1]]);
        for (let j = 0; j < cs.length; j++) {
          await watcher.watch(key);
          await cs[j]!.incr(key);
          assert.equal(await watcher.multi().incr(key).exec(), null, `watcher ${i}, writer ${j}, ${key}`);
        }
      }
    }
  });

  test('CONFIG SET, ACL, scripts and functions take effect on every thread', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    await cs[1]!.config('SET', 'hash-max-listpack-entries', '7');
    for (const c of cs) assert.deepEqual(await c.config('GET', 'hash-max-listpack-entries'), ['hash-max-listpack-entries', '7']);
    await cs[2]!.call('ACL', 'SETUSER', 'tuser', 'on', '>tpw', '~*', '+@all');
    for (const c of cs) assert.equal(await c.call('AUTH', 'tuser', 'tpw'), 'OK');
    for (const c of cs) assert.equal(await c.call('AUTH', 'default', ''), 'OK');
    const sha = (await cs[3]!.script('LOAD', 'return ARGV[1]')) as string;
    const body = 'return 42 + #KEYS';
    assert.equal(await cs[0]!.eval(body, 0), 42);
    for (const c of cs) {
      assert.equal(await c.evalsha(sha, 0, 'x'), 'x');
      assert.deepEqual(await c.script('EXISTS', sha), [1]);
    }
    await cs[0]!.function('LOAD', "#!lua name=tlib\nredis.register_function('tf', function(keys, args) return 'f' .. args[1] end)");
    for (const c of cs) assert.equal(await c.fcall('tf', 0, '1'), 'f1');
    await cs[1]!.script('FLUSH');
    for (const c of cs) assert.deepEqual(await c.script('EXISTS', sha), [0]);
    await cs[2]!.function('DELETE', 'tlib');
    for (const c of cs) await assert.rejects(c.fcall('tf', 0, '1'), /Function not found/);
    await cs[3]!.call('ACL', 'DELUSER', 'tuser');
    for (const c of cs) await assert.rejects(c.call('AUTH', 'tuser', 'tpw'), /WRONGPASS/);
    await cs[0]!.config('SET', 'hash-max-listpack-entries', '128');
  });

  test('CLIENT LIST and CLIENT KILL reach the clients of every thread', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    const ids = await Promise.all(cs.map(async (c) => Number(await c.client('ID'))));
    for (const c of cs) {
      const listed = ((await c.client('LIST')) as string).trim().split('\n').map((l) => Number(/^id=(\d+)/.exec(l)![1]));
      for (const id of ids) assert.ok(listed.includes(id), `${id} in ${listed.join(',')}`);
      assert.deepEqual(listed, [...listed].sort((a, b) => a - b));
    }
    const victim = new Redis(srv.port, { lazyConnect: true, retryStrategy: () => null });
    victim.on('error', () => {});
    await victim.connect();
    const vid = Number(await victim.client('ID'));
    const killer = cs.find((_, i) => (ids[i]! - 1) % THREADS !== (vid - 1) % THREADS)!;
    const closed = new Promise<void>((r) => victim.once('end', () => r()));
    assert.equal(await killer.client('KILL', 'ID', String(vid)), 1);
    await closed;
    assert.equal(await killer.client('KILL', 'ID', String(vid)), 0);
  });

  test('a key that expires as another thread fetches it is notified everywhere, nothing stalls', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    await cs[0]!.config('SET', 'notify-keyspace-events', 'Ex');
    const sub = new Redis(srv.port);
    open.push(sub);
    const expired: string[] = [];
    await sub.subscribe('__keyevent@0__:expired');
    sub.on('message', (_ch: string, key: string) => expired.push(key));
    const keys = keysOnEveryShard('exp', 8);
    // DEBUG SET-ACTIVE-EXPIRE 0 (every thread): only the fetch itself finds them expired
    await cs[0]!.debug('SET-ACTIVE-EXPIRE', '0');
    for (const k of keys) await cs[1]!.set(k, 'v', 'PX', 20);
    await new Promise((r) => setTimeout(r, 60));
    for (const c of cs) assert.deepEqual(await c.mget(...keys), keys.map(() => null));
    const deadline = Date.now() + 5000;
    while (expired.length < keys.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual([...expired].sort(), [...keys].sort());
    await cs[0]!.debug('SET-ACTIVE-EXPIRE', '1');
    await cs[0]!.config('SET', 'notify-keyspace-events', '');
  });

  test('SWAPDB swaps on every thread; INFO adds up clients and commands of every thread', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    const keys = keysOnEveryShard('swap', 8);
    await cs[0]!.select(3);
    await cs[0]!.mset(...keys.flatMap((k) => [k, 'in3']));
    await cs[0]!.select(0);
    await cs[1]!.swapdb(0, 3);
    for (const c of cs) assert.deepEqual(await c.mget(...keys), keys.map(() => 'in3'));
    await cs[2]!.swapdb(0, 3);
    for (const c of cs) assert.deepEqual(await c.mget(...keys), keys.map(() => null));
    const connected = Number(/connected_clients:(\d+)/.exec(await cs[3]!.info('clients'))![1]);
    assert.ok(connected >= cs.length, `connected_clients ${connected}`);
    const before = Number(/total_commands_processed:(\d+)/.exec(await cs[0]!.info('stats'))![1]);
    for (const c of cs) await c.ping();
    const after = Number(/total_commands_processed:(\d+)/.exec(await cs[0]!.info('stats'))![1]);
    // the four PINGs ran on four threads, the first INFO too
    assert.ok(after - before >= cs.length + 1, `${before} -> ${after}`);
  });

  test('waiters on one key from every thread are served first blocked, first served; CLIENT UNBLOCK reaches them', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    const blocked = async (n: number): Promise<void> => {
      for (let i = 0; i < 500; i++) {
        if ((await cs[0]!.info('clients')).includes(`blocked_clients:${n}\r\n`)) return;
        await new Promise((r) => setTimeout(r, 4));
      }
      throw new Error(`never saw ${n} blocked clients`);
    };
    await cs[0]!.del('fifo');
    const ws: Redis[] = [];
    for (let i = 0; i < 6; i++) ws.push(new Redis(srv.port));
    open.push(...ws);
    const ids = await Promise.all(ws.map(async (w) => Number(await w.client('ID'))));
    const got: Array<Promise<[string, string] | null>> = [];
    for (let i = 0; i < 6; i++) {
      got.push(ws[i]!.blpop('fifo', 0));
      await blocked(i + 1);
    }
    await cs[1]!.rpush('fifo', 'e0', 'e1', 'e2', 'e3', 'e4');
    for (let i = 0; i < 5; i++) assert.deepEqual(await got[i], ['fifo', `e${i}`]);
    await blocked(1);
    // CLIENT UNBLOCK from a connection of another thread than the waiter's
    const threads = await Promise.all(cs.map(threadOf));
    const other = cs[threads.findIndex((t) => t !== (ids[5]! - 1) % THREADS)]!;
    assert.equal(await other.client('UNBLOCK', String(ids[5]!)), 1);
    assert.equal(await got[5], null);
    assert.equal(await other.client('UNBLOCK', String(ids[5]!)), 0);
  });

  test('blocking commands with keys of several threads are served first blocked, first served too', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    const engine = srv.state.engine;
    const threadOfKey = (k: string): number => engine.threadOf(engine.shardIdOf(k));
    // the source, a second key and a destination, each of another thread
    const src = 'fifo2';
    const other = Array.from({ length: 50 }, (_, i) => `other:${i}`).find((k) => threadOfKey(k) !== threadOfKey(src))!;
    const dest = Array.from({ length: 50 }, (_, i) => `dest:${i}`).find((k) => threadOfKey(k) !== threadOfKey(src) && threadOfKey(k) !== threadOfKey(other))!;
    const blocked = async (n: number): Promise<void> => {
      for (let i = 0; i < 500; i++) {
        if ((await cs[0]!.info('clients')).includes(`blocked_clients:${n}\r\n`)) return;
        await new Promise((r) => setTimeout(r, 4));
      }
      throw new Error(`never saw ${n} blocked clients`);
    };
    await cs[0]!.del(src, other, dest);
    const ws: Redis[] = [];
    for (let i = 0; i < 8; i++) ws.push(new Redis(srv.port));
    open.push(...ws);
    assert.ok(new Set(await Promise.all(ws.map(threadOf))).size > 1, 'waiters on several threads');
    const got: Array<Promise<unknown>> = [];
    for (let i = 0; i < 8; i++) {
      const w = ws[i]!;
      got.push(i % 2 === 0 ? w.call('BLMPOP', '0', '2', src, other, 'LEFT') : w.blmove(src, dest, 'LEFT', 'RIGHT', 0));
      await blocked(i + 1);
    }
    await cs[1]!.lpush(src, ...Array.from({ length: 8 }, (_, i) => `e${i}`).reverse());
    for (let i = 0; i < 8; i++) assert.deepEqual(await got[i], i % 2 === 0 ? [src, [`e${i}`]] : `e${i}`, `waiter ${i}`);
    assert.deepEqual(await cs[2]!.lrange(dest, 0, -1), ['e1', 'e3', 'e5', 'e7']);
  });

  test('a connection blocked on another thread\'s key that closes takes nothing pushed after its close', async () => {
    const admin = conn();
    const engine = srv.state.engine;
    const k = 'gone-waiter';
    const owner = engine.threadOf(engine.shardIdOf(k));
    const blocked = async (n: number): Promise<void> => {
      for (let i = 0; i < 500; i++) {
        if ((await admin.info('clients')).includes(`blocked_clients:${n}\r\n`)) return;
        await new Promise((r) => setTimeout(r, 2));
      }
      throw new Error(`never saw ${n} blocked clients`);
    };
    await admin.del(k);
    for (let round = 0; round < 20; round++) {
      // a waiter on another thread than the key's: its BLPOP waits there as a job
      let w = await RespClient.connect(srv.port);
      while ((Number(await w.call('CLIENT', 'ID')) - 1) % THREADS === owner) {
        w.close();
        w = await RespClient.connect(srv.port);
      }
      w.send('BLPOP', k, '0');
      await blocked(1);
      w.close();
      await blocked(0);
      assert.equal(await admin.rpush(k, 'kept'), 1, `round ${round}`);
      assert.deepEqual(await admin.lrange(k, 0, -1), ['kept'], `round ${round}`);
      await admin.del(k);
    }
  });

  test('INFO latencystats, used_memory_dataset and MEMORY STATS count every thread', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    await cs[0]!.flushall();
    const threads = await Promise.all(cs.map(threadOf));
    // a command only one thread ran shows in the latencystats of another
    const runner = cs[0]!;
    const reader = cs[threads.findIndex((t) => t !== threads[0])]!;
    await runner.config('RESETSTAT');
    for (let i = 0; i < 20; i++) await runner.call('LASTSAVE');
    assert.match(await reader.info('latencystats'), /latency_percentiles_usec_lastsave:p50=/);
    // keys on every thread: the dataset counts them all, wherever INFO runs
    const keys = keysOnEveryShard('mem', 40);
    await cs[1]!.mset(...keys.flatMap((k) => [k, 'x'.repeat(100)]));
    let usage = 0;
    for (const k of keys) usage += Number(await cs[2]!.memory('USAGE', k));
    for (const c of cs) assert.equal(Number(/used_memory_dataset:(\d+)/.exec(await c.info('memory'))![1]), usage);
    const stats = (await cs[3]!.memory('STATS')) as unknown[];
    assert.equal(stats[stats.indexOf('keys.count') + 1], keys.length);
    assert.equal(stats[stats.indexOf('dataset.bytes') + 1], usage);
  });

  test('a value changed on another thread keeps its encoding (raw string, hashtable, skiplist)', async () => {
    const engine = srv.state.engine;
    const c = conn();
    const mine = await threadOf(c);
    const owner = (k: string): number => engine.threadOf(engine.shardIdOf(k));
    const pick = (prefix: string, not: number[]): string => Array.from({ length: 100 }, (_, i) => `${prefix}:${i}`).find((k) => !not.includes(owner(k)))!;
    const s = pick('enc-s', [mine]);
    const h = pick('enc-h', [mine]);
    const z = pick('enc-z', [mine]);
    // a key of yet another thread makes each transaction borrow the value
    const other = (k: string): string => pick('enc-o', [mine, owner(k)]);
    const big = 'x'.repeat(100);
    await c.set(s, 'abc');
    await c.hset(h, 'f', '1', 'big', big);
    await c.zadd(z, 1, 'm', 2, big);
    await c.multi().append(s, 'def').set(other(s), '1').exec();
    await c.multi().hdel(h, 'big').set(other(h), '1').exec();
    await c.multi().zrem(z, big).set(other(z), '1').exec();
    assert.deepEqual(
      [await c.object('ENCODING', s), await c.object('ENCODING', h), await c.object('ENCODING', z)],
      ['raw', 'hashtable', 'skiplist'],
    );
    assert.equal(await c.get(s), 'abcdef');
    assert.deepEqual(await c.hgetall(h), { f: '1' });
    assert.deepEqual(await c.zrange(z, '0', '-1'), ['m']);
  });

  test('DEBUG SLEEP stops every thread, as it stops Redis', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    const threads = await Promise.all(cs.map(threadOf));
    const sleeper = cs[0]!;
    const others = cs.filter((_, i) => threads[i] !== threads[0]);
    const start = Date.now();
    const slept = sleeper.debug('SLEEP', '0.4');
    await new Promise((r) => setTimeout(r, 100));
    // asked while the sleeper sleeps: answered only once it wakes
    const answered = await Promise.all(others.map((c) => c.ping().then(() => Date.now() - start)));
    assert.equal(await slept, 'OK');
    for (const ms of answered) assert.ok(ms >= 350, `a PING on another thread answered after ${ms} ms`);
  });

  test('PUBLISH reaches subscribers on every thread, in order, and counts them', async () => {
    const subs = await onEveryThread(srv.port);
    open.push(...subs);
    const got: string[][] = subs.map(() => []);
    await Promise.all(subs.map((s) => s.subscribe('news')));
    subs.forEach((s, i) => s.on('message', (_ch: string, m: string) => got[i]!.push(m)));
    const pub = conn();
    for (let i = 0; i < 200; i++) assert.equal(await pub.publish('news', `n${i}`), subs.length);
    const deadline = Date.now() + 5000;
    while (got.some((g) => g.length < 200) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const want = Array.from({ length: 200 }, (_, i) => `n${i}`);
    for (const g of got) assert.deepEqual(g, want);
  });

  test('MONITOR sees the commands of every thread; SLOWLOG GET and LEN cover every thread', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    const mon = await cs[0]!.monitor();
    // disconnected after the suite even if an assertion fails here (a monitor left open reconnects forever)
    open.push(mon);
    const seen: string[] = [];
    mon.on('monitor', (_time: string, args: string[]) => seen.push(args.join(' ')));
    for (let i = 0; i < cs.length; i++) await cs[i]!.echo(`from-${i}`);
    const deadline = Date.now() + 5000;
    while (seen.filter((l) => l.startsWith('echo from-')).length < cs.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen.filter((l) => l.startsWith('echo from-')).sort(), cs.map((_, i) => `echo from-${i}`));
    // a script's line comes before its commands', whichever thread runs it
    for (const c of cs) await c.eval("redis.call('set', KEYS[1], ARGV[1])", 1, 'mon-key', 'mon-value');
    while (seen.filter((l) => l === 'set mon-key mon-value').length < cs.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const order = seen.filter((l) => l.startsWith('eval ') || l === 'set mon-key mon-value').map((l) => l.split(' ')[0]);
    assert.deepEqual(order, cs.flatMap(() => ['eval', 'set']));
    mon.disconnect();
    // once no thread has a monitor, nothing more is sent
    await new Promise((r) => setTimeout(r, 50));
    await cs[1]!.config('SET', 'slowlog-log-slower-than', '0');
    await cs[2]!.slowlog('RESET');
    for (let i = 0; i < cs.length; i++) await cs[i]!.echo(`slow-${i}`);
    const entries = (await cs[3]!.slowlog('GET', -1)) as Array<[number, number, number, string[]]>;
    const echoes = entries.filter((e) => e[3][0] === 'echo').map((e) => e[3][1]);
    assert.deepEqual(echoes, cs.map((_, i) => `slow-${cs.length - 1 - i}`), 'newest first, from every thread');
    const ids = entries.map((e) => e[0]);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(await cs[0]!.slowlog('LEN'), entries.length + 1);
    await cs[1]!.config('SET', 'slowlog-log-slower-than', '10000');
  });

  test('client-side caching: writes on any thread invalidate keys tracked on another, BCAST too, and a FLUSHALL sends one null', async () => {
    const engine = srv.state.engine;
    // a RESP3 connection on some thread, and writers on every other thread
    let tracker: RespClient | null = null;
    let mine = -1;
    for (let i = 0; i < 50 && tracker === null; i++) {
      const c = await RespClient.connect(srv.port);
      const id = Number(await c.call('CLIENT', 'ID'));
      if (i === 0 || (id - 1) % THREADS !== mine) {
        tracker = c;
        mine = (id - 1) % THREADS;
      } else c.close();
    }
    const t = tracker!;
    try {
      await t.call('HELLO', '3');
      await t.call('CLIENT', 'TRACKING', 'on');
      const cs = (await onEveryThread(srv.port)).filter((c, i) => (open.push(c), i !== mine));
      let key = 'tracked';
      while (engine.threadOf(engine.shardIdOf(key)) === mine) key += 'x';
      for (const [i, w] of cs.entries()) {
        assert.equal(await t.call('GET', key), i === 0 ? null : `v${i - 1}`);
        await w.set(key, `v${i}`);
        assert.deepEqual(await t.read(), { push: ['invalidate', [key]] });
      }
      await t.call('CLIENT', 'TRACKING', 'off');
      await t.call('CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'bc:');
      for (const w of cs) {
        await w.set('bc:x', '1');
        assert.deepEqual(await t.read(), { push: ['invalidate', ['bc:x']] });
      }
      await cs[0]!.flushall();
      assert.deepEqual(await t.read(), { push: ['invalidate', null] });
      assert.equal(await t.call('PING'), 'PONG');
      // REDIRECT to a RESP2 subscriber on another thread
      await t.call('CLIENT', 'TRACKING', 'off');
      let sub: RespClient | null = null;
      for (let i = 0; i < 50 && sub === null; i++) {
        const x = await RespClient.connect(srv.port);
        if ((Number(await x.call('CLIENT', 'ID')) - 1) % THREADS !== mine) sub = x;
        else x.close();
      }
      const s2 = sub!;
      try {
        const subId = Number(await s2.call('CLIENT', 'ID'));
        assert.deepEqual(await s2.call('SUBSCRIBE', '__redis__:invalidate'), ['subscribe', '__redis__:invalidate', 1]);
        await t.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(subId));
        assert.equal(await t.call('CLIENT', 'GETREDIR'), subId);
        assert.equal(await t.call('GET', key), null);
        await cs[0]!.set(key, 'again');
        assert.deepEqual(await s2.read(), ['message', '__redis__:invalidate', [key]]);
      } finally {
        s2.close();
      }
      const missing = await t.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', '999999');
      assert.ok(missing instanceof ReplyError && /does not exist/.test(missing.message), String(missing));
    } finally {
      t.close();
    }
  });

  test('maxmemory is one limit for every thread: writes from every thread evict across threads, noeviction answers OOM', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    await cs[0]!.flushall();
    const used = async (c: Redis): Promise<number> => Number(/used_memory:(\d+)/.exec(await c.info('memory'))![1]);
    const base = await used(cs[0]!);
    const limit = base + 200 * 1024;
    await cs[1]!.config('SET', 'maxmemory-policy', 'allkeys-random');
    await cs[2]!.config('SET', 'maxmemory', String(limit));
    try {
      const value = 'v'.repeat(1000);
      for (let i = 0; i < 1000; i++) await cs[i % cs.length]!.set(`mm:${i}`, value);
      // every thread sees the same total, within the limit (and a key's worth of slack while it is written)
      for (const c of cs) assert.ok((await used(c)) <= limit + 4096, `used_memory ${await used(c)} > ${limit}`);
      // no eviction between the two counts (any command may evict first while over the limit)
      await cs[2]!.config('SET', 'maxmemory', '0');
      const evicted = Number(/evicted_keys:(\d+)/.exec(await cs[3]!.info('stats'))![1]);
      const left = await cs[0]!.dbsize();
      assert.ok(evicted > 500, `${evicted} keys evicted`);
      assert.equal(left + evicted, 1000);
      await cs[2]!.config('SET', 'maxmemory', String(limit));
      await cs[1]!.config('SET', 'maxmemory-policy', 'noeviction');
      let oom = 0;
      for (let i = 0; i < 400; i++) {
        oom += await cs[i % cs.length]!.set(`oom:${i}`, value).then(() => 0, (e: Error) => (/^OOM command not allowed/.test(e.message) ? 1 : 0));
      }
      assert.ok(oom > 0, 'writes over the limit answer OOM on some thread');
    } finally {
      await cs[0]!.config('SET', 'maxmemory', '0');
      await cs[0]!.config('SET', 'maxmemory-policy', 'noeviction');
      await cs[0]!.flushall();
    }
  });

  test('a key another thread evicts for a command reaches that client\'s tracking before the command\'s reply', async () => {
    const engine = srv.state.engine;
    const admin = conn();
    await admin.flushall();
    for (let round = 0; round < 3; round++) {
      const r = await RespClient.connect(srv.port);
      try {
        const mine = (Number(await r.call('CLIENT', 'ID')) - 1) % THREADS;
        const vk = Array.from({ length: 50 }, (_, i) => `vk:${i}`).find((k) => engine.threadOf(engine.shardIdOf(k)) !== mine)!;
        await r.call('HELLO', '3');
        await r.call('CLIENT', 'TRACKING', 'on');
        await admin.setex(vk, 10000, 'x');
        await r.call('GET', vk);
        const used = Number(/used_memory:(\d+)/.exec(await admin.info('memory'))![1]);
        await admin.config('SET', 'maxmemory-policy', 'volatile-random');
        await admin.config('SET', 'maxmemory', String(used + 100 * 1024));
        // 200 KB on some thread, then time for every thread to publish its memory
        await r.call('SETBIT', 'big', '1600000', '0');
        await new Promise((res) => setTimeout(res, 250));
        // the next command needs memory: the volatile key of another thread goes, and its invalidation comes first
        assert.deepEqual(await r.call('GETBIT', 'big', '0'), { push: ['invalidate', [vk]] }, `round ${round}`);
        assert.equal(await r.read(), 0);
      } finally {
        r.close();
        await admin.config('SET', 'maxmemory', '0');
        await admin.config('SET', 'maxmemory-policy', 'noeviction');
        await admin.flushall();
      }
    }
  });

  test('a script past busy-reply-threshold is BUSY on every thread, and SCRIPT KILL / FUNCTION KILL reach it from any thread', async () => {
    const cs = await onEveryThread(srv.port);
    open.push(...cs);
    const [runner, ...others] = cs;
    await runner!.config('SET', 'busy-reply-threshold', '50');
    for (const [i, kind] of ['SCRIPT', 'FUNCTION'].entries()) {
      const killer = others[i]!;
      if (kind === 'FUNCTION') {
        await runner!.function('LOAD', 'REPLACE', "#!lua name=spin\nredis.register_function('spin', function() while true do end end)");
      }
      const slow = kind === 'SCRIPT' ? runner!.eval('while true do end', 0) : runner!.fcall('spin', 0);
      const settled = slow.then(() => 'ok', (e: Error) => e.message);
      let refused = '';
      for (let t = 0; t < 100 && !refused.startsWith('BUSY'); t++) {
        refused = await killer.get('k').then(() => '', (e: Error) => e.message);
        if (!refused.startsWith('BUSY')) await new Promise((r) => setTimeout(r, 20));
      }
      assert.match(refused, new RegExp(`^BUSY .*You can only call ${kind} KILL`));
      // the other kind of kill is refused, and so is every thread's plain command
      await assert.rejects(killer.call(kind === 'SCRIPT' ? 'FUNCTION' : 'SCRIPT', 'KILL'), /: BUSY /);
      for (const o of others) await assert.rejects(o.set('k', 'v'), /: BUSY /);
      // FUNCTION STATS on another thread shows the busy function (a busy EVAL makes it BUSY, as in Redis)
      if (kind === 'FUNCTION') {
        const stats = (await killer.call('FUNCTION', 'STATS')) as unknown[];
        const running = stats[1] as unknown[];
        assert.deepEqual(running.slice(0, 4), ['name', 'spin', 'command', ['fcall', 'spin', '0']]);
        assert.ok(Number(running[5]) >= 0);
      } else await assert.rejects(killer.call('FUNCTION', 'STATS'), /: BUSY /);
      assert.equal(await killer.call(kind, 'KILL'), 'OK');
      assert.match(await settled, /killed by user/);
      assert.equal(await killer.set('k', 'v'), 'OK');
      await assert.rejects(killer.call(kind, 'KILL'), /: NOTBUSY /);
    }
    // a script that wrote before the kill is unkillable and runs to its end (its key on its own thread:
    // a thread it borrowed keys from stays held until it ends, docs/threads.md)
    const engine = srv.state.engine;
    const mine = await threadOf(runner!);
    let wk = 'wk';
    while (engine.threadOf(engine.shardIdOf(wk)) !== mine) wk += 'x';
    const wrote = runner!.eval("redis.call('set', KEYS[1], 'w') local n = 0 while n < 3e7 do n = n + 1 end return n", 1, wk);
    let answer = '';
    for (let t = 0; t < 100 && !answer.startsWith('UNKILLABLE'); t++) {
      answer = await others[0]!.script('KILL').then(() => 'OK', (e: Error) => e.message);
      if (answer.startsWith('NOTBUSY')) await new Promise((r) => setTimeout(r, 20));
    }
    assert.match(answer, /^UNKILLABLE/);
    assert.equal(await wrote, 3e7);
    assert.equal(await others[1]!.get(wk), 'w');
    await runner!.config('SET', 'busy-reply-threshold', '5000');
  });
});

test('a thread that dies takes the server down with a non-zero exit', { timeout: 30000 }, async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'shardis-panic-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['src/main.ts', '--threads', '2', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = once(child, 'exit');
  // wait for the port, then find a connection served by thread 1
  let victim: Redis | null = null;
  for (let i = 0; i < 200 && victim === null; i++) {
    const r = new Redis(port, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on('error', () => {});
    try {
      await r.connect();
      if ((Number(await r.client('ID')) - 1) % 2 === 1) victim = r;
      else r.disconnect();
    } catch {
      r.disconnect();
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  assert.ok(victim !== null, 'a connection on thread 1');
  victim.debug('PANIC').catch(() => {});
  const [code] = await exited;
  victim.disconnect();
  assert.equal(code, 1);
  assert.match(err, /thread 1 died: Error: DEBUG PANIC/);
});
