/**
 * Snapshots with threads (src/threads/snapshots.ts): a 4-thread shardis
 * writes one dump.rdb holding every thread's shards, taken at one point in
 * time while clients move amounts between keys of different threads. The
 * file passes redis-check-rdb, loads into redis-server 7.0 with the total
 * intact, and loads back into shardis on 4 threads and on 1; DEBUG RELOAD
 * and the save bookkeeping (rdb_changes_since_last_save, LASTSAVE, one
 * BGSAVE at a time) hold on every thread.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../src/index.ts';
import { freePort } from '../test/helpers/ports.ts';

const THREADS = 4;
const ACCOUNTS = 64;
const START = 1000;

/** Connections until every thread has one (client ids step by the thread count). */
async function onEveryThread(port: number): Promise<Redis[]> {
  const out: Redis[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < 200 && seen.size < THREADS; i++) {
    const r = new Redis(port);
    const t = (Number(await r.client('ID')) - 1) % THREADS;
    if (seen.has(t)) {
      r.disconnect();
      continue;
    }
    seen.add(t);
    out.push(r);
  }
  assert.equal(seen.size, THREADS);
  return out;
}

async function waitBgsave(r: Redis): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (/rdb_bgsave_in_progress:0/.test(await r.info('persistence'))) return;
    await new Promise((res) => setTimeout(res, 25));
  }
  assert.fail('BGSAVE did not end');
}

/** The sum of the accounts in a redis-server started on `dir` (the file must load). */
async function totalInRedis(dir: string): Promise<{ total: number; keys: number; db3: string[] }> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  try {
    let r: Redis | null = null;
    for (let i = 0; i < 200 && r === null; i++) {
      const c = new Redis(port, { lazyConnect: true, retryStrategy: () => null });
      c.on('error', () => {});
      try {
        await c.connect();
        r = c;
      } catch {
        c.disconnect();
        await new Promise((res) => setTimeout(res, 25));
      }
    }
    assert.ok(r !== null, 'redis-server started');
    const values = await r.mget(...accounts());
    const total = values.reduce((a, v) => a + Number(v), 0);
    const keys = await r.dbsize();
    await r.select(3);
    const db3 = await r.lrange('list3', 0, -1);
    r.disconnect();
    return { total, keys, db3 };
  } finally {
    proc.kill('SIGKILL');
  }
}

const accounts = (): string[] => Array.from({ length: ACCOUNTS }, (_, i) => `acct:${i}`);

describe('snapshots with threads=4', () => {
  let dir: string;
  let srv: RunningServer;
  let cs: Redis[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shardis-threads-rdb-'));
    srv = await startServer({ port: 0, threads: THREADS, dir, config: { save: '', appendonly: 'no' } });
    cs = await onEveryThread(srv.port);
    await cs[0]!.mset(...accounts().flatMap((k) => [k, String(START)]));
    await cs[1]!.select(3);
    await cs[1]!.rpush('list3', 'a', 'b', 'c');
    await cs[1]!.select(0);
  });
  after(async () => {
    for (const c of cs) c.disconnect();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('SAVE and BGSAVE taken while transfers run hold the total; redis-server 7.0 loads the file', async () => {
    const keys = accounts();
    let stop = false;
    const writer = async (r: Redis, seed: number): Promise<void> => {
      for (let i = seed; !stop; i += 7) {
        const a = keys[i % ACCOUNTS]!;
        const b = keys[(i * 13 + 5) % ACCOUNTS]!;
        if (a === b) continue;
        const res = await r.multi().decrby(a, 7).incrby(b, 7).exec();
        assert.ok(res !== null);
      }
    };
    const conns = cs.map((c) => c.duplicate());
    const writers = conns.map((c, i) => writer(c, i));
    await new Promise((res) => setTimeout(res, 100));
    assert.equal(await cs[2]!.bgsave(), 'Background saving started');
    await assert.rejects(cs[3]!.bgsave(), /Background save already in progress/);
    await waitBgsave(cs[2]!);
    execFileSync('redis-check-rdb', [join(dir, 'dump.rdb')]);
    const bg = await totalInRedis(dir);
    assert.equal(bg.total, START * ACCOUNTS, 'bgsave');
    assert.equal(bg.keys, ACCOUNTS);
    assert.deepEqual(bg.db3, ['a', 'b', 'c']);
    assert.equal(await cs[3]!.save(), 'OK');
    stop = true;
    await Promise.all(writers);
    for (const c of conns) c.disconnect();
    const fg = await totalInRedis(dir);
    assert.equal(fg.total, START * ACCOUNTS, 'save');
    // after the save every thread counts its changes from its own cut
    for (const c of cs) assert.match(await c.info('persistence'), /rdb_changes_since_last_save:\d+\r\n/);
    const values = await cs[0]!.mget(...keys);
    assert.equal(values.reduce((a, v) => a + Number(v), 0), START * ACCOUNTS);
  });

  test('with no writes since a save, every thread reports no changes and the same LASTSAVE', async () => {
    await cs[1]!.save();
    for (const c of cs) assert.match(await c.info('persistence'), /rdb_changes_since_last_save:0\r\n/);
    const last = await Promise.all(cs.map((c) => c.lastsave()));
    assert.ok(last.every((l) => Math.abs(l - last[0]!) <= 1), String(last));
  });

  test('DEBUG RELOAD reloads every thread; a restart on 4 threads and on 1 loads every key', async () => {
    const keys = accounts();
    const before = await cs[0]!.mget(...keys);
    assert.equal(await cs[2]!.debug('RELOAD'), 'OK');
    for (const c of cs) assert.deepEqual(await c.mget(...keys), before);
    await cs[0]!.save();
    for (const threads of [THREADS, 1]) {
      const again = await startServer({ port: 0, threads, dir, config: { save: '', appendonly: 'no' } });
      const r = new Redis(again.port);
      try {
        assert.deepEqual(await r.mget(...keys), before);
        assert.equal(await r.dbsize(), ACCOUNTS);
        await r.select(3);
        assert.deepEqual(await r.lrange('list3', 0, -1), ['a', 'b', 'c']);
      } finally {
        r.disconnect();
        await again.close();
      }
    }
  });
});
