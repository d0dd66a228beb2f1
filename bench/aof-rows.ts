/**
 * SET throughput with the append-only file on, against redis-server with the
 * same settings: appendonly yes with appendfsync everysec, then always, each
 * at the given pipeline depths. Each policy gets a fresh pair of servers in
 * fresh directories, pinned as the throughput rows are (pinning.ts). With
 * appendfsync always every event-loop turn waits for an fsync, so those rows
 * send a tenth of the requests. Each row: an untimed warm-up run, then
 * `runs` timed runs alternating redis / shardis, summarised by the median.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kill, startTarget, type Target } from './servers.ts';
import type { Pinning } from './pinning.ts';
import { rowLine, summarize, type RowResult, type Sample } from './row-stats.ts';

/** Measures SET on a server: one run of `n` requests at pipeline `p`. */
export type SetRate = (port: number, p: number, n: number) => Promise<Sample>;

export const FSYNC_POLICIES = ['everysec', 'always'] as const;

export async function aofSetRows(rate: SetRate, n: number, pipelines: number[], shards: number, runs: number, pin: Pinning, log: (line: string) => void): Promise<RowResult[]> {
  const rows: RowResult[] = [];
  for (const policy of FSYNC_POLICIES) {
    const dirs = [mkdtempSync(join(tmpdir(), 'bench-aof-redis-')), mkdtempSync(join(tmpdir(), 'bench-aof-shardis-'))];
    const extra = ['--appendonly', 'yes', '--appendfsync', policy];
    const targets: Target[] = [];
    try {
      targets.push(await startTarget('redis', dirs[0]!, extra, 1, true, pin.redis));
      targets.push(await startTarget('shardis', dirs[1]!, extra, shards, true, pin.shardis));
      const count = policy === 'always' ? Math.max(1000, Math.floor(n / 10)) : n;
      for (const p of pipelines) {
        const [redis, shardis] = targets as [Target, Target];
        // a short untimed run first so both servers are warm
        await rate(redis.port, p, Math.max(1000, Math.floor(count / 10)));
        await rate(shardis.port, p, Math.max(1000, Math.floor(count / 10)));
        const r: Sample[] = [];
        const s: Sample[] = [];
        for (let i = 0; i < runs; i++) {
          r.push(await rate(redis.port, p, count));
          s.push(await rate(shardis.port, p, count));
        }
        const row = { test: `set aof ${policy}`, p, redis: summarize(r), shardis: summarize(s) };
        rows.push(row);
        log(rowLine(row, 20));
      }
    } finally {
      for (const t of targets) kill(t);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }
  return rows;
}
