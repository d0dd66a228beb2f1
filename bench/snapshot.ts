/**
 * Snapshots of a large dataset against shardis and a real redis-server in
 * the same run (both with appendonly yes, appendfsync everysec):
 *
 * - BGSAVE and BGREWRITEAOF of N keys (DEBUG POPULATE, 16-byte values)
 *   while a second client sends PINGs back to back: how long the command's
 *   work took, the longest PING reply gap (the longest client stall), and the
 *   memory overhead: peak RSS of the server process during the work minus
 *   its RSS before; for Redis plus its forked child's copy-on-write memory
 *   (rdb_last_cow_size / aof_last_cow_size), the cost of the fork.
 * - Start-up load time of the dump.rdb each server wrote (until the first
 *   PONG).
 *
 * Each server settles for a second after DEBUG POPULATE (shardis's garbage
 * collector catches up with the loading) before BGSAVE starts.
 *
 * Servers are pinned as the throughput rows are (pinning.ts): with 2 cores
 * each runs on core 0, so Redis's forked child shares its parent's core as
 * shardis's snapshot thread shares the server's.
 *
 *   node bench/snapshot.ts [--keys 1000000]     (npm run bench runs it too)
 *
 * Not a test: nothing here asserts a timing.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RespClient } from '../test/helpers/resp-client.ts';
import { infoField, kill, rss, startTarget, waitUp, type Target } from './servers.ts';
import { pinning, serverCpus } from './pinning.ts';

const MB = 1048576;

export interface Stall {
  ms: number;
  maxGapMs: number;
  /** Peak RSS minus RSS before, plus the forked child's copy-on-write bytes. */
  overhead: number;
}

export interface SnapshotRow {
  what: string;
  redis: Stall;
  shardis: Stall;
}

const WORK = {
  BGSAVE: { busy: ['rdb_bgsave_in_progress'], cow: 'rdb_last_cow_size' },
  BGREWRITEAOF: { busy: ['aof_rewrite_in_progress', 'aof_rewrite_scheduled'], cow: 'aof_last_cow_size' },
} as const;

/** Runs `cmd` while another client PINGs; the longest gap and the memory it cost. */
async function stallDuring(t: Target, cmd: keyof typeof WORK): Promise<Stall> {
  const c = await RespClient.connect(t.port);
  const probe = await RespClient.connect(t.port);
  const pid = t.proc.pid!;
  const rssBefore = rss(pid);
  let peak = rssBefore;
  let maxGapMs = 0;
  let running = true;
  const pinger = (async () => {
    while (running) {
      const t0 = performance.now();
      await probe.call('PING');
      maxGapMs = Math.max(maxGapMs, performance.now() - t0);
    }
  })();
  const t0 = performance.now();
  await c.call(cmd);
  for (;;) {
    peak = Math.max(peak, rss(pid));
    let busy = false;
    for (const f of WORK[cmd].busy) if ((await infoField(c, 'persistence', f)) !== 0) busy = true;
    if (!busy) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - t0;
  running = false;
  await pinger;
  const cow = await infoField(c, 'persistence', WORK[cmd].cow);
  probe.close();
  c.close();
  return { ms, maxGapMs, overhead: peak - rssBefore + (Number.isFinite(cow) ? cow : 0) };
}

async function populate(t: Target, keys: number): Promise<void> {
  const c = await RespClient.connect(t.port);
  c.send('DEBUG', 'POPULATE', String(keys), 'key', '16');
  await c.read(600_000);
  c.close();
  // the collection of what populating left behind is not the snapshot's stall
  await new Promise((r) => setTimeout(r, 1000));
}

/** Start-up with the dump.rdb in `dir`: milliseconds until the first PONG. */
async function loadTime(name: Target['name'], dir: string, keys: number): Promise<Stall> {
  const t0 = performance.now();
  const t = await startTarget(name, dir, ['--appendonly', 'no'], 1, false, serverCpus(pinning(), name));
  try {
    await waitUp(t.port);
    const ms = performance.now() - t0;
    const c = await RespClient.connect(t.port);
    const n = await c.call('DBSIZE');
    c.close();
    if (n !== keys) throw new Error(`${name} loaded ${String(n)} keys, not ${keys}`);
    return { ms, maxGapMs: NaN, overhead: NaN };
  } finally {
    kill(t);
  }
}

function line(what: string, name: string, s: Stall): string {
  if (Number.isNaN(s.maxGapMs)) return `${name.padEnd(8)} ${what}: ready after ${s.ms.toFixed(0)} ms`;
  return `${name.padEnd(8)} ${what}: ${s.ms.toFixed(0)} ms, longest reply gap ${s.maxGapMs.toFixed(1)} ms, memory +${(s.overhead / MB).toFixed(0)} MB`;
}

/** The BGSAVE, BGREWRITEAOF and start-up rows for `keys` keys. */
export async function snapshotRows(keys: number, shards: number, log: (line: string) => void): Promise<SnapshotRow[]> {
  const names = ['redis', 'shardis'] as const;
  const dirs = { redis: mkdtempSync(join(tmpdir(), 'snap-redis-')), shardis: mkdtempSync(join(tmpdir(), 'snap-shardis-')) };
  const got: Record<string, Partial<Record<Target['name'], Stall>>> = {};
  const note = (what: string, name: Target['name'], s: Stall): void => {
    (got[what] ??= {})[name] = s;
    log(line(what, name, s));
  };
  try {
    for (const name of names) {
      const t = await startTarget(name, dirs[name], ['--appendonly', 'yes', '--appendfsync', 'everysec'], shards, true, serverCpus(pinning(), name));
      try {
        await populate(t, keys);
        note(`BGSAVE of ${keys} keys`, name, await stallDuring(t, 'BGSAVE'));
        note(`BGREWRITEAOF of ${keys} keys`, name, await stallDuring(t, 'BGREWRITEAOF'));
      } finally {
        kill(t);
      }
    }
    const size = statSync(join(dirs.shardis, 'dump.rdb')).size;
    for (const name of names) note(`start-up with a ${(size / MB).toFixed(1)} MB dump.rdb of ${keys} keys`, name, await loadTime(name, dirs[name], keys));
  } finally {
    rmSync(dirs.redis, { recursive: true, force: true });
    rmSync(dirs.shardis, { recursive: true, force: true });
  }
  return Object.entries(got).map(([what, r]) => ({ what, redis: r.redis!, shardis: r.shardis! }));
}

/** Markdown rows: time, longest stall and memory of each server, with shardis / redis ratios. */
export function snapshotTable(rows: SnapshotRow[]): string {
  const ratio = (a: number, b: number): string => (b > 0 ? (a / b).toFixed(2) : '-');
  const out = ['| what | redis ms | shardis ms | ratio | redis max stall ms | shardis max stall ms | redis mem MB | shardis mem MB |', '|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const load = Number.isNaN(r.redis.maxGapMs);
    const cell = (v: number, d: number): string => (load ? '-' : v.toFixed(d));
    out.push(`| ${r.what} | ${r.redis.ms.toFixed(0)} | ${r.shardis.ms.toFixed(0)} | ${ratio(r.shardis.ms, r.redis.ms)} | ${cell(r.redis.maxGapMs, 1)} | ${cell(r.shardis.maxGapMs, 1)} | ${cell(r.redis.overhead / MB, 0)} | ${cell(r.shardis.overhead / MB, 0)} |`);
  }
  return out.join('\n');
}

if (import.meta.main) {
  const i = process.argv.indexOf('--keys');
  const rows = await snapshotRows(i > 0 ? Number(process.argv[i + 1]) : 1_000_000, 1, (l) => console.log(l));
  console.log(`\n${snapshotTable(rows)}`);
}
