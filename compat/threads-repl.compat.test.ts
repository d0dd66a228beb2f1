/**
 * Replication with threads (src/threads/repl-threads.ts): stock redis-server
 * 7.0 replicas follow a 4-thread shardis while clients on every thread move
 * amounts between accounts owned by different threads (MULTI/EXEC, EVAL),
 * write pairs with MSET and push to two lists of different threads in
 * transactions. Readers on a replica must never see the total change or a
 * pair half written: each transaction, script and multi-key command reaches
 * it whole. Three more replicas attach while the writes run, so each
 * snapshot and its stream must meet exactly (a transfer lost or applied
 * twice changes the total). At the end WAIT counts every replica, and each
 * holds the primary's data.
 *
 * Then shardis with 4 threads as a replica, in a chain P → shardis (4
 * threads) → Redis 7.0, P being redis-server or shardis with 4 threads: the
 * same writers on P, readers on every thread of the middle and on the leaf,
 * the middle's link killed (a partial resync from P) and its replica's (a
 * partial resync from the middle) while the writes run, and at the end the
 * same data and DEBUG DIGEST everywhere.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../src/index.ts';
import { freePort } from '../test/helpers/ports.ts';
import { ioredisRetry } from '../test/helpers/clients.ts';
import { rng } from '../test/helpers/rng.ts';

const THREADS = 4;
const ACCOUNTS = Array.from({ length: 16 }, (_, i) => `acct:${i}`);
const START = 1000;
const PAIRS = ['pair:a', 'pair:b', 'pair:c'];
const LA = 'list:{a}';
const LB = 'list:{b}';
const TRANSFER = `
local from = tonumber(redis.call('GET', KEYS[1]))
redis.call('SET', KEYS[1], from - tonumber(ARGV[1]))
redis.call('INCRBY', KEYS[2], ARGV[1])
return from`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A load whose invariants a replica must show at every moment; setting `stopped` ends it. */
interface Load {
  stopped: boolean;
  readonly violations: string[];
}

/**
 * Writer `w` until the load stops: transfers between accounts (MULTI, or a
 * script), all PAIRS set to one value, a push to both lists in one MULTI,
 * and, with `more`, a fifth kind of write.
 */
async function writer(load: Load, c: Redis, w: number, seed: number, more?: (c: Redis, w: number, n: number, v: string) => Promise<unknown>): Promise<void> {
  const rnd = rng(w + seed);
  const kinds = more === undefined ? 4 : 5;
  for (let n = 0; !load.stopped; n++) {
    const a = ACCOUNTS[Math.floor(rnd() * ACCOUNTS.length)]!;
    let b = ACCOUNTS[Math.floor(rnd() * ACCOUNTS.length)]!;
    if (b === a) b = ACCOUNTS[(ACCOUNTS.indexOf(a) + 1) % ACCOUNTS.length]!;
    const amount = 1 + Math.floor(rnd() * 9);
    const v = `${w}:${n}`;
    switch (n % kinds) {
      case 0:
        await c.multi().decrby(a, amount).incrby(b, amount).exec();
        break;
      case 1:
        await c.eval(TRANSFER, 2, a, b, amount);
        break;
      case 2:
        await c.mset(...PAIRS.flatMap((k) => [k, v]));
        break;
      case 3:
        await c.multi().rpush(LA, v).rpush(LB, v).exec();
        break;
      default:
        await more!(c, w, n, v);
    }
  }
}

/** Reader `name` until the load stops: the accounts' total, the pairs equal, and with `lists` both lists as long, each seen at one moment. */
async function reader(load: Load, r: Redis, name: string, lists: boolean): Promise<void> {
  while (!load.stopped) {
    const sum = total(await r.mget(...ACCOUNTS));
    if (sum !== START * ACCOUNTS.length) load.violations.push(`${name}: total ${sum}`);
    const pairs = await r.mget(...PAIRS);
    if (new Set(pairs).size !== 1) load.violations.push(`${name}: pairs ${pairs.join(' ')}`);
    if (!lists) continue;
    // both lengths at one point in time (a transaction of reads)
    const [[, la], [, lb]] = (await r.multi().llen(LA).llen(LB).exec())!;
    if (la !== lb) load.violations.push(`${name}: lists ${String(la)} / ${String(lb)}`);
  }
}

interface Replica {
  proc: ChildProcess;
  dir: string;
  r: Redis;
}

async function startReplica(primary: number): Promise<Replica> {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-threads-replica-'));
  const port = await freePort();
  const proc = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--enable-debug-command', 'yes', '--replicaof', '127.0.0.1', String(primary),
  ], { stdio: 'ignore' });
  const r = await ioredisRetry(port);
  for (let i = 0; i < 400 && !/master_link_status:up/.test(await r.info('replication')); i++) await sleep(25);
  assert.match(await r.info('replication'), /master_link_status:up/);
  return { proc, dir, r };
}

function stopReplica(x: Replica): void {
  x.r.disconnect();
  x.proc.kill('SIGKILL');
  rmSync(x.dir, { recursive: true, force: true });
}

const total = (vals: Array<string | null>): number => vals.reduce((a, v) => a + Number(v), 0);

/** Everything the writers touch, to compare primary and replicas. */
async function contents(r: Redis): Promise<unknown> {
  return [await r.mget(...ACCOUNTS), await r.mget(...PAIRS), await r.lrange(LA, 0, -1), await r.lrange(LB, 0, -1), await r.dbsize()];
}

describe('replication with threads=4', () => {
  let srv: RunningServer;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shardis-threads-repl-'));
    srv = await startServer({ port: 0, threads: THREADS, dir, config: { save: '' } });
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('replicas see every transaction, script and MSET whole, in an order the threads ran them in', async () => {
    const engine = srv.state.engine;
    const owners = new Set(ACCOUNTS.map((k) => engine.threadOf(engine.shardIdOf(k))));
    assert.equal(owners.size, THREADS, 'the accounts live on every thread');
    assert.notEqual(engine.threadOf(engine.shardIdOf(LA)), engine.threadOf(engine.shardIdOf(LB)));

    const admin = await ioredisRetry(srv.port);
    await admin.mset(...ACCOUNTS.flatMap((k) => [k, String(START)]));
    await admin.mset(...PAIRS.flatMap((k) => [k, '0']));
    const first = await startReplica(srv.port);
    const later: Replica[] = [];
    const conns = await Promise.all(Array.from({ length: 8 }, () => ioredisRetry(srv.port)));
    try {
      assert.deepEqual(await first.r.mget(...ACCOUNTS), ACCOUNTS.map(() => String(START)));
      const load: Load = { stopped: false, violations: [] };
      const writers = conns.map((c, w) => writer(load, c, w, 1));
      const readers = [reader(load, first.r, 'first replica', false)];
      await sleep(400);
      // replicas that sync while the writes run: each snapshot and its stream must meet exactly
      for (let i = 0; i < 3; i++) {
        const x = await startReplica(srv.port);
        later.push(x);
        readers.push(reader(load, x.r, `replica ${i + 2}`, false));
        await sleep(200);
      }
      load.stopped = true;
      await Promise.all([...writers, ...readers]);
      assert.deepEqual(load.violations.slice(0, 5), []);

      // WAIT from a connection of every thread counts every replica (their hubs may be any threads)
      for (const c of conns) assert.equal(await c.wait(4, 5000), 4);
      const want = await contents(admin);
      assert.equal(total((want as string[][])[0]!), START * ACCOUNTS.length);
      assert.ok((want as string[][])[2]!.length > 20, 'the lists grew');
      assert.deepEqual(await contents(first.r), want, 'first replica');
      for (const [i, x] of later.entries()) assert.deepEqual(await contents(x.r), want, `replica ${i + 2}`);

      // every thread reports every replica
      for (const c of conns) {
        const info = await c.info('replication');
        assert.match(info, /connected_slaves:4/);
        assert.match(info, /slave3:ip=127\.0\.0\.1/);
      }
      const role = (await admin.call('ROLE')) as [string, number, unknown[]];
      assert.equal(role[0], 'master');
      assert.equal(role[2].length, 4);
    } finally {
      for (const c of conns) c.disconnect();
      admin.disconnect();
      stopReplica(first);
      for (const x of later) stopReplica(x);
    }
  });

  test('expired keys reach the replica as DEL, and a write after a restarted replica resyncs', async () => {
    const admin = await ioredisRetry(srv.port);
    const replica = await startReplica(srv.port);
    try {
      await admin.set('vol:{x}', 'v', 'PX', 50);
      await admin.set('keep', '1');
      assert.equal(await admin.wait(1, 2000), 1);
      await sleep(100);
      // the key expires on its owner (lazily here), and the replica hears DEL
      assert.equal(await admin.get('vol:{x}'), null);
      assert.equal(await admin.wait(1, 2000), 1);
      assert.equal(await replica.r.exists('vol:{x}'), 0);
      assert.equal(await replica.r.get('keep'), '1');
      // run on one thread and replayed on the others, SWAPDB and FUNCTION LOAD reach the replica once
      await admin.swapdb(0, 1);
      await admin.call('FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('f', function() return 1 end)");
      assert.equal(await admin.wait(1, 2000), 1);
      assert.equal(await replica.r.get('keep'), null);
      await replica.r.select(1);
      assert.equal(await replica.r.get('keep'), '1');
      assert.equal(((await replica.r.call('FUNCTION', 'LIST')) as unknown[]).length, 1);
      await admin.swapdb(0, 1);
    } finally {
      admin.disconnect();
      stopReplica(replica);
    }
    // no replica left: writes go on, and WAIT answers 0 once its time is up
    const c = await ioredisRetry(srv.port);
    await c.set('after', '1');
    assert.equal(await c.wait(1, 100), 0);
    c.disconnect();
  });
});

/** INFO replication / stats fields. */
async function fields(r: Redis, section: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of (await r.info(section)).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Until `down` applied everything `up` streamed (and its link is up). */
async function caughtUp(up: Redis, down: Redis): Promise<void> {
  for (let i = 0; i < 800; i++) {
    const [u, d] = [await fields(up, 'replication'), await fields(down, 'replication')];
    if (d.master_link_status === 'up' && u.master_repl_offset === d.slave_repl_offset) return;
    await sleep(25);
  }
  assert.fail('the replica never caught up');
}

async function linkUp(r: Redis): Promise<void> {
  for (let i = 0; i < 800 && (await fields(r, 'replication')).master_link_status !== 'up'; i++) await sleep(25);
  assert.equal((await fields(r, 'replication')).master_link_status, 'up');
}

for (const primaryKind of ['redis-server', 'shardis with 4 threads'] as const) {
  test(`${primaryKind} → shardis with 4 threads → Redis 7.0: whole transactions on every thread, partial resyncs, one DEBUG DIGEST`, async () => {
    let redisPrimary: Replica | null = null;
    let shardisPrimary: RunningServer | null = null;
    let port: number;
    if (primaryKind === 'redis-server') {
      const pdir = mkdtempSync(join(tmpdir(), 'shardis-threads-primary-'));
      port = await freePort();
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', pdir, '--save', '', '--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0'], { stdio: 'ignore' });
      redisPrimary = { proc, dir: pdir, r: await ioredisRetry(port) };
    } else {
      shardisPrimary = await startServer({ port: 0, threads: THREADS, config: { save: '' } });
      port = shardisPrimary.port;
    }
    const mdir = mkdtempSync(join(tmpdir(), 'shardis-threads-mid-'));
    const mid = await startServer({ port: 0, threads: THREADS, dir: mdir, config: { save: '', replicaof: `127.0.0.1 ${port}` } });
    const admin = await ioredisRetry(port);
    const m = await ioredisRetry(mid.port);
    let leaf: Replica | null = null;
    const conns = await Promise.all(Array.from({ length: 6 }, () => ioredisRetry(port)));
    // readers on the middle's threads (the kernel spreads the connections) and on the leaf
    const readersOf = await Promise.all(Array.from({ length: 6 }, () => ioredisRetry(mid.port)));
    try {
      await admin.mset(...ACCOUNTS.flatMap((k) => [k, String(START)]));
      await admin.mset(...PAIRS.flatMap((k) => [k, '0']));
      await linkUp(m);
      leaf = await startReplica(mid.port);
      const load: Load = { stopped: false, violations: [] };
      const more = (c: Redis, w: number, n: number, v: string): Promise<unknown> =>
        c.multi().hset(`h:${w}`, `f${n % 13}`, v).zadd(`z:${w}`, n, `m${n % 17}`).sadd(`s:${w}`, v).set(`t:${w}:${n % 7}`, v, 'PX', 600000).exec();
      const writers = conns.map((c, w) => writer(load, c, w, 11, more));
      const readers = [...readersOf.map((r, i) => reader(load, r, `middle ${i}`, true)), reader(load, leaf.r, 'leaf', true)];
      await sleep(400);
      // the middle's link to its primary, then the leaf's link to the middle, killed while the writes run
      assert.equal(await m.call('CLIENT', 'KILL', 'TYPE', 'master'), 1);
      await sleep(400);
      assert.equal(await m.call('CLIENT', 'KILL', 'TYPE', 'replica'), 1);
      await sleep(400);
      load.stopped = true;
      await Promise.all([...writers, ...readers]);
      assert.deepEqual(load.violations.slice(0, 5), []);

      await caughtUp(admin, m);
      await caughtUp(m, leaf.r);
      const want = await contents(admin);
      assert.equal(total((want as string[][])[0]!), START * ACCOUNTS.length);
      assert.deepEqual(await contents(m), want, 'the middle');
      assert.deepEqual(await contents(leaf.r), want, 'the leaf');
      const digest = await admin.call('DEBUG', 'DIGEST');
      assert.equal(await m.call('DEBUG', 'DIGEST'), digest, 'the middle: DEBUG DIGEST');
      assert.equal(await leaf.r.call('DEBUG', 'DIGEST'), digest, 'the leaf: DEBUG DIGEST');
      // both links came back by partial resync: one full sync each
      const [ps, ms] = [await fields(admin, 'stats'), await fields(m, 'stats')];
      assert.equal(ps.sync_full, '1');
      assert.equal(ps.sync_partial_ok, '1');
      assert.equal(ms.sync_full, '1');
      assert.equal(ms.sync_partial_ok, '1');
      const [pi, mi, li] = [await fields(admin, 'replication'), await fields(m, 'replication'), await fields(leaf.r, 'replication')];
      assert.equal(mi.master_replid, pi.master_replid);
      assert.equal(li.master_replid, pi.master_replid);
      assert.equal(li.master_repl_offset, pi.master_repl_offset);
    } finally {
      for (const c of [...conns, ...readersOf, admin, m]) c.disconnect();
      if (leaf !== null) stopReplica(leaf);
      await mid.close();
      rmSync(mdir, { recursive: true, force: true });
      if (redisPrimary !== null) stopReplica(redisPrimary);
      await shardisPrimary?.close();
    }
  });
}
