/**
 * SET throughput with the append-only file on, against redis-server with the
 * same settings: appendonly yes with appendfsync everysec, then always, each
 * at the given pipeline depths. Each policy gets a fresh pair of servers in
 * fresh directories. With appendfsync always every event-loop turn waits for
 * an fsync, so those rows send a tenth of the requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kill, startTarget, type Target } from './servers.ts';

export interface AofRow {
  test: string;
  p: number;
  redis: number;
  shardis: number;
}

/** Measures SET on a server: requests per second for `n` requests at pipeline `p`. */
export type SetRate = (port: number, p: number, n: number) => Promise<number>;

export const FSYNC_POLICIES = ['everysec', 'always'] as const;

export async function aofSetRows(rate: SetRate, n: number, pipelines: number[], shards: number, log: (line: string) => void): Promise<AofRow[]> {
  const rows: AofRow[] = [];
  for (const policy of FSYNC_POLICIES) {
    const dirs = [mkdtempSync(join(tmpdir(), 'bench-aof-redis-')), mkdtempSync(join(tmpdir(), 'bench-aof-shardis-'))];
    const extra = ['--appendonly', 'yes', '--appendfsync', policy];
    const targets: Target[] = [];
    try {
      targets.push(await startTarget('redis', dirs[0]!, extra));
      targets.push(await startTarget('shardis', dirs[1]!, extra, shards));
      const count = policy === 'always' ? Math.max(1000, Math.floor(n / 10)) : n;
      for (const p of pipelines) {
        const [redis, shardis] = targets as [Target, Target];
        // a short untimed run first so both servers are warm
        await rate(redis.port, p, Math.max(1000, Math.floor(count / 10)));
        await rate(shardis.port, p, Math.max(1000, Math.floor(count / 10)));
        const r = await rate(redis.port, p, count);
        const s = await rate(shardis.port, p, count);
        const test = `set aof ${policy}`;
        rows.push({ test, p, redis: r, shardis: s });
        log(`${test.toUpperCase().padEnd(20)} -P ${String(p).padEnd(3)} redis ${r.toFixed(0).padEnd(9)} shardis ${s.toFixed(0).padEnd(9)} ratio ${(s / r).toFixed(2)}`);
      }
    } finally {
      for (const t of targets) kill(t);
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  }
  return rows;
}
