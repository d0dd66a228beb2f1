/**
 * Partial resynchronisation with a real redis-server replica following
 * shardis: a broken link resumes from the backlog (+CONTINUE, sync_partial_ok)
 * with the writes made meanwhile, and a replica that fell further behind than
 * repl-backlog-size gets a full copy (sync_partial_err, sync_full).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { startServer } from '../src/index.ts';
import { ioredis, ioredisRetry } from '../test/helpers/clients.ts';
import { freePort } from '../test/helpers/ports.ts';

const field = (info: string, name: string): string => new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info)?.[1] ?? '';

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never: ${what}`);
}

/** The replica has every byte the primary streamed, over an up link. */
async function caughtUp(p: Redis, r: Redis): Promise<void> {
  await until('the replica caught up', async () => {
    const ri = await r.info('replication');
    return field(ri, 'master_link_status') === 'up' && field(ri, 'slave_repl_offset') === field(await p.info('replication'), 'master_repl_offset');
  });
}

/** Every key with its type and value (encodings may differ after a copy, so not DUMP). */
async function dataset(c: Redis): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const k of (await c.keys('*')).sort()) {
    const type = await c.type(k);
    if (type === 'string') out.set(k, await c.get(k));
    else if (type === 'hash') out.set(k, await c.hgetall(k));
    else if (type === 'list') out.set(k, await c.lrange(k, 0, -1));
    else if (type === 'set') out.set(k, (await c.smembers(k)).sort());
    else if (type === 'zset') out.set(k, await c.zrange(k, '0', '-1', 'WITHSCORES'));
    else out.set(k, [type, await c.xrange(k, '-', '+')]);
  }
  return out;
}

async function writes(p: Redis, tag: string, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await p.set(`s:${i % 50}`, `${tag}${i}`);
    await p.hset(`h:${i % 7}`, `f${i % 11}`, `${tag}${i}`);
    await p.rpush(`l:${i % 5}`, `${tag}${i}`);
    await p.zadd(`z:${i % 3}`, String(i), `${tag}${i % 13}`);
    await p.xadd(`x:${i % 2}`, '*', 'n', `${tag}${i}`);
  }
  await p.multi().incr('counter').sadd('set', tag).exec();
}

/** A shardis primary (diskless sync without delay) and a redis-server replica following it, for `fn`; both stopped after. */
async function withReplica(fn: (x: { p: Redis; r: Redis; replica: ChildProcess; port: number }) => Promise<void>): Promise<void> {
  const srv = await startServer({ port: 0, config: { 'repl-diskless-sync-delay': '0' } });
  const dir = mkdtempSync(join(tmpdir(), 'shardis-psync-'));
  const port = await freePort();
  const replica = spawn('redis-server', ['--port', String(port), '--dir', dir, '--save', '', '--replicaof', '127.0.0.1', String(srv.port)], { stdio: 'ignore' });
  const p = await ioredis(srv.port);
  const r = await ioredisRetry(port);
  try {
    await fn({ p, r, replica, port });
  } finally {
    replica.kill('SIGCONT');
    replica.kill('SIGKILL');
    p.disconnect();
    r.disconnect();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a broken link resumes by partial resync; a replica past the backlog gets a full copy', { timeout: 90_000 }, () =>
  withReplica(async ({ p, r, replica }) => {
    await writes(p, 'a', 50);
    await caughtUp(p, r);
    let pi = await p.info();
    assert.equal(field(pi, 'sync_full'), '1');
    assert.equal(field(pi, 'repl_backlog_active'), '1');
    assert.equal(field(await r.info('replication'), 'master_replid'), field(pi, 'master_replid'));

    // the link breaks; writes go on; the replica comes back with PSYNC and gets only what it missed
    assert.equal(await p.call('CLIENT', 'KILL', 'TYPE', 'replica'), 1);
    await writes(p, 'b', 40);
    await until('the replica resumed', async () => field(await p.info('stats'), 'sync_partial_ok') !== '0');
    await caughtUp(p, r);
    pi = await p.info();
    assert.equal(field(pi, 'sync_partial_ok'), '1');
    assert.equal(field(pi, 'sync_full'), '1', 'no second full copy');
    assert.deepEqual(await dataset(r), await dataset(p));
    const histlen = Number(field(pi, 'repl_backlog_histlen'));
    assert.equal(Number(field(pi, 'repl_backlog_first_byte_offset')) + histlen - 1, Number(field(pi, 'master_repl_offset')));

    // further behind than the backlog holds: a full copy
    await p.config('SET', 'repl-backlog-size', '16384');
    replica.kill('SIGSTOP');
    await p.call('CLIENT', 'KILL', 'TYPE', 'replica');
    await p.set('big', 'x'.repeat(40_000));
    await writes(p, 'c', 20);
    replica.kill('SIGCONT');
    await until('the replica synced again', async () => field(await p.info('stats'), 'sync_full') !== '1');
    await caughtUp(p, r);
    pi = await p.info();
    assert.equal(field(pi, 'sync_partial_err'), '1');
    assert.equal(field(pi, 'sync_full'), '2');
    assert.equal(field(pi, 'repl_backlog_size'), '16384');
    assert.ok(Number(field(pi, 'repl_backlog_histlen')) <= 16384);
    assert.deepEqual(await dataset(r), await dataset(p));
  }));

test('min-replicas-to-write: writes need enough replicas that acknowledged within min-replicas-max-lag', { timeout: 60_000 }, () =>
  withReplica(async ({ p, r, replica, port }) => {
    await p.set('k', 'v0');
    await caughtUp(p, r);
    await p.config('SET', 'min-replicas-max-lag', '1');
    await p.config('SET', 'min-replicas-to-write', '1');
    assert.equal(await p.set('k', 'v1'), 'OK');
    let info = await p.info('replication');
    assert.equal(field(info, 'min_slaves_good_slaves'), '1');
    assert.match(field(info, 'slave0'), new RegExp(`^ip=127\\.0\\.0\\.1,port=${port},state=online,offset=\\d+,lag=[01]$`));
    // the replica stops acknowledging: past the lag, writes are refused and reads go on
    replica.kill('SIGSTOP');
    await until('the replica counts as lagging', async () => field(await p.info('replication'), 'min_slaves_good_slaves') === '0');
    await assert.rejects(p.set('k', 'v2'), /^ReplyError: NOREPLICAS Not enough good replicas to write\.$/);
    assert.equal(await p.get('k'), 'v1');
    await assert.rejects(p.multi().set('k', 'v3').exec(), /EXECABORT/);
    await assert.rejects(p.eval("return redis.call('SET', KEYS[1], 'v4')", 1, 'k'), /NOREPLICAS Not enough good replicas to write\./);
    info = await p.info('replication');
    assert.ok(Number(/lag=(\d+)/.exec(field(info, 'slave0'))![1]) >= 2);
    replica.kill('SIGCONT');
    await until('the replica acknowledges again', async () => field(await p.info('replication'), 'min_slaves_good_slaves') === '1');
    assert.equal(await p.set('k', 'v5'), 'OK');
    await p.config('SET', 'min-replicas-to-write', '0');
    assert.equal(field(await p.info('replication'), 'min_slaves_good_slaves'), '');
  }));

test('diskless full sync: replicas that ask within repl-diskless-sync-delay share one copy, in the $EOF format; with repl-diskless-sync no, $<length>', { timeout: 60_000 }, async () => {
  const srv = await startServer({ port: 0, config: { 'repl-diskless-sync-delay': '2' } });
  const dirs: string[] = [];
  const replicas: ReturnType<typeof spawn>[] = [];
  const clients: Redis[] = [];
  const p = await ioredis(srv.port);
  const startReplica = async (): Promise<Redis> => {
    const dir = mkdtempSync(join(tmpdir(), 'shardis-diskless-'));
    dirs.push(dir);
    const port = await freePort();
    replicas.push(spawn('redis-server', ['--port', String(port), '--dir', dir, '--save', '', '--replicaof', '127.0.0.1', String(srv.port), '--logfile', join(dir, 'log')], { stdio: 'ignore' }));
    const r = await ioredisRetry(port);
    clients.push(r);
    return r;
  };
  try {
    await writes(p, 'a', 20);
    const r1 = await startReplica();
    const r2 = await startReplica();
    // both wait for the copy to start
    await until('two replicas waiting', async () => (await p.info('replication')).match(/state=wait_bgsave/g)?.length === 2);
    await p.set('during-the-wait', 'x');
    await caughtUp(p, r1);
    await caughtUp(p, r2);
    for (const r of [r1, r2]) assert.deepEqual(await dataset(r), await dataset(p));
    assert.equal(await r1.get('during-the-wait'), 'x');
    const { readFileSync } = await import('node:fs');
    for (const d of dirs) assert.match(readFileSync(join(d, 'log'), 'latin1'), /MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk/);
    assert.equal(field(await p.info('stats'), 'sync_full'), '2');
    // the disk format
    await p.config('SET', 'repl-diskless-sync', 'no');
    const r3 = await startReplica();
    await caughtUp(p, r3);
    assert.deepEqual(await dataset(r3), await dataset(p));
    assert.match(readFileSync(join(dirs[2]!, 'log'), 'latin1'), /MASTER <-> REPLICA sync: receiving \d+ bytes from master to disk/);
  } finally {
    for (const r of replicas) r.kill('SIGKILL');
    for (const c of clients) c.disconnect();
    p.disconnect();
    await srv.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
