/**
 * Key feeds over SSE under load, with --shards 4 (on one thread and on
 * --threads 4, where a feed gathers parts from every thread): writers change keys of
 * every type (and let some expire) while watchers follow all keys, a prefix
 * and a list of keys, dropping their connections and resuming at random; a
 * slow watcher stops reading for a while. At the end every watcher's copy
 * equals the keyspace, read over RESP.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.ts';
import { freePort } from '../helpers/ports.ts';
import { rng } from '../helpers/rng.ts';
import { FeedWatcher, type FeedValue } from '../helpers/feed-watcher.ts';
import { expected, normalized } from '../helpers/feed-values.ts';

/** One random write of any type on key space `k0…k39`. */
async function randomWrite(io: Redis, r: () => number, n: number): Promise<void> {
  const kinds = ['s', 'h', 'l', 'z', 'x', 't'];
  const kind = kinds[Math.floor(r() * kinds.length)]!;
  const key = `${kind}:${Math.floor(r() * 8)}`;
  const x = Math.floor(r() * 10);
  switch (kind) {
    case 's':
      if (x < 5) await io.set(key, `v${n}`);
      else if (x < 7) await io.append(key, `+${n}`).catch(() => {});
      else if (x < 8) await io.set(key, `e${n}`, 'PX', 1 + Math.floor(r() * 200));
      else await io.del(key);
      return;
    case 'h':
      if (x < 6) await io.hset(key, `f${x}`, `v${n}`);
      else if (x < 9) await io.hdel(key, `f${Math.floor(r() * 6)}`);
      else await io.unlink(key);
      return;
    case 'l':
      if (x < 5) await io.rpush(key, `e${n}`);
      else if (x < 8) await io.lpop(key);
      else await io.lmove(key, `l:${(Number(key[2]) + 1) % 8}`, 'LEFT', 'RIGHT');
      return;
    case 'z':
      if (x < 6) await io.zadd(key, Math.floor(r() * 100) / 4, `m${x}`);
      else if (x < 9) await io.zrem(key, `m${Math.floor(r() * 6)}`);
      else await io.zincrby(key, 1.5, 'm0');
      return;
    case 'x':
      if (x < 7) await io.xadd(key, '*', 'n', String(n));
      else await io.xtrim(key, 'MAXLEN', 2);
      return;
    default:
      // a transaction over several keys and types, and a rename
      if (x < 5) await io.multi().set('t:a', `ta${n}`).sadd('t:set', `m${x}`).srem('t:set', `m${(x + 3) % 10}`).hset('h:0', 'tx', String(n)).exec();
      else await io.rename('s:0', 's:1').catch(() => {});
  }
}

for (const threads of [1, 4]) describe(`key feeds over SSE, --shards 4${threads > 1 ? ` --threads ${threads}` : ''}`, () => {
  let srv: RunningServer;
  let io: Redis;
  let base: string;

  before(async () => {
    const config = { 'http-port': String(await freePort()), 'feed-retention': '5000', 'http-token': 'h-token hreader' };
    srv = await startServer({ port: 0, shards: 4, threads, config });
    io = new Redis(srv.port);
    base = `http://127.0.0.1:${srv.httpPort}`;
  });
  after(async () => {
    io.disconnect();
    await srv.close();
  });

  test('watchers that drop and resume at random end equal to the keyspace', { timeout: 60_000 }, async () => {
    const r = rng(20261206);
    for (let i = 0; i < 200; i++) await randomWrite(io, r, i);
    const specs: Array<{ query: string; match: (k: string) => boolean }> = [
      { query: 'pattern=*', match: () => true },
      { query: 'prefix=h:&prefix=t:', match: (k) => k.startsWith('h:') || k.startsWith('t:') },
      { query: 'key=s:0&key=s:1&key=l:3&key=z:2&key=x:5&key=t:set&pattern=nothing*', match: (k) => ['s:0', 's:1', 'l:3', 'z:2', 'x:5', 't:set'].includes(k) },
    ];
    const watchers = specs.map((s) => new FeedWatcher(base, s.query));
    for (const w of watchers) await w.connect();
    // writers and a slow watcher run while the watchers drop and resume
    const stop = Date.now() + 3000;
    const writers = [1, 2, 3].map(async (id) => {
      const wr = rng(id);
      const c = new Redis(srv.port);
      for (let n = 0; Date.now() < stop; n++) await randomWrite(c, wr, n * 10 + id);
      c.disconnect();
    });
    const chaos = (async () => {
      while (Date.now() < stop) {
        await new Promise((res) => setTimeout(res, 50 + r() * 200));
        const w = watchers[Math.floor(r() * watchers.length)]!;
        await w.drop();
        await new Promise((res) => setTimeout(res, r() * 150));
        await w.connect();
      }
    })();
    await Promise.all([...writers, chaos]);
    // every watcher away while more changes happen: each resumes with one batch of what it missed
    for (const w of watchers) await w.drop();
    for (let i = 0; i < 100; i++) await randomWrite(io, r, 10_000 + i);
    await io.hset('h:0', 'last', '1');
    await io.multi().sadd('t:set', 'last').rpush('l:3', 'last').set('s:0', 'last').exec();
    const batches = watchers.map((w) => w.counts.batch);
    for (const w of watchers) await w.connect();
    watchers.forEach((w, i) => assert.equal(w.counts.batch, batches[i]! + 1, 'a resume is one batch'));
    // let keys with a TTL expire, then a last write every watcher sees
    await new Promise((res) => setTimeout(res, 400));
    await io.set('s:0', 'final');
    for (let i = 0; i < specs.length; i++) {
      const want = await waitEqual(watchers[i]!, () => expected(io, specs[i]!.match));
      assert.deepEqual(normalized(watchers[i]!.state), want, `watcher ${specs[i]!.query}`);
      assert.ok(watchers[i]!.counts.connects > 1 || i > 0, 'the watcher of every key dropped and resumed');
    }
    const all = watchers[0]!;
    assert.ok(all.counts.change > 100, `live changes delivered: ${JSON.stringify(all.counts)}`);
    for (const w of watchers) await w.drop();
  });

  test('a slow watcher gets the changes coalesced, latest value per key, and ends equal', { timeout: 60_000 }, async () => {
    const w = new FeedWatcher(base, 'prefix=big:');
    await w.connect();
    let resume: () => void = () => {};
    w.paused = new Promise<void>((res) => (resume = res));
    // megabytes of changes the watcher does not read: the server's writes to it back up
    const big = 'x'.repeat(64 * 1024);
    for (let n = 0; n < 600; n++) await io.set(`big:${n % 20}`, `${n}:${big}`);
    await io.del('big:19');
    resume();
    w.paused = null;
    const want = await waitEqual(w, () => expected(io, (k) => k.startsWith('big:')));
    assert.deepEqual(normalized(w.state), want);
    assert.ok(w.counts.batch >= 1, `coalesced: ${JSON.stringify(w.counts)}`);
    assert.ok(w.counts.change < 600, `fewer messages than changes: ${JSON.stringify(w.counts)}`);
    await w.drop();
  });

  test('a watcher sees only the keys its ACL user may read; a bad token gets 401', async () => {
    await io.acl('SETUSER', 'hreader', 'on', '>pw', '%R~h:*', '+@all');
    await io.set('secret', 'x');
    await io.hset('h:acl', 'f', 'v');
    const w = new FeedWatcher(base, 'pattern=*&_token=h-token');
    await w.connect();
    assert.ok([...w.state.keys()].every((k) => k.startsWith('h:')), [...w.state.keys()].join(','));
    assert.deepEqual(w.state.get('h:acl'), { type: 'hash', value: { f: 'v' } });
    await io.set('secret', 'y');
    await io.hset('h:acl', 'f', 'w');
    for (let i = 0; i < 100 && (w.state.get('h:acl')?.value as Record<string, string>).f !== 'w'; i++) await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual(w.state.get('h:acl'), { type: 'hash', value: { f: 'w' } });
    assert.equal(w.state.has('secret'), false);
    await w.drop();
    await io.config('SET', 'requirepass', 'pw2');
    try {
      assert.equal((await fetch(`${base}/feed?key=a&_token=nope`)).status, 401);
    } finally {
      await io.auth('pw2');
      await io.config('SET', 'requirepass', '');
    }
  });

  test('SWAPDB under a watcher sends a resync snapshot of the database it follows', async () => {
    await io.select(1);
    await io.set('swapped:in', 'from-db1');
    await io.select(0);
    await io.set('swapped:out', 'from-db0');
    const w = new FeedWatcher(base, 'prefix=swapped:');
    await w.connect();
    assert.deepEqual([...w.state.keys()], ['swapped:out']);
    await io.swapdb(0, 1);
    for (let i = 0; i < 100 && !w.state.has('swapped:in'); i++) await new Promise((res) => setTimeout(res, 20));
    assert.deepEqual([...w.state.entries()], [['swapped:in', { type: 'string', value: 'from-db1' }]]);
    assert.equal(w.counts.resync, 1);
    await io.swapdb(0, 1);
    await w.drop();
  });

  test('resuming from a position no longer retained, or from another run, gets a resync snapshot', async () => {
    const w = new FeedWatcher(base, 'key=gone');
    w.position = 'ffff-1.1.1.1';
    await w.connect();
    assert.equal(w.counts.resync, 1);
    await w.drop();
    const res = await fetch(`${base}/feed`);
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), { error: 'ERR a feed needs at least one key, pattern or prefix' });
  });
});

/** Waits until the watcher's copy equals the keyspace (it may still be catching up), then returns the keyspace. */
async function waitEqual(w: FeedWatcher, want: () => Promise<Map<string, FeedValue>>): Promise<Map<string, FeedValue>> {
  let m = await want();
  for (let i = 0; i < 100; i++) {
    try {
      assert.deepEqual(normalized(w.state), m);
      return m;
    } catch {
      await new Promise((res) => setTimeout(res, 50));
      m = await want();
    }
  }
  return m;
}
