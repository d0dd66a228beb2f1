/**
 * Replication benchmarks (`npm run bench -- --replication`), every pairing
 * of Redis and shardis as primary and replica in the same run, servers
 * pinned to their own cores:
 * - full sync: REPLICAOF to a primary holding N keys (DEBUG POPULATE) until
 *   the replica's link is up with every key;
 * - lag under load: redis-benchmark SETs random keys on the primary while
 *   the primary's master_repl_offset and the replica's slave_repl_offset
 *   are sampled; the lag in bytes (p50 and max), and how long the replica
 *   takes to catch up once the load stops.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RespClient } from '../test/helpers/resp-client.ts';
import { kill, startTarget, type Target } from './servers.ts';

const run = promisify(execFile);

export interface ReplRow {
  primary: Target['name'];
  replica: Target['name'];
  keys: number;
  fullSyncMs: number;
  setRps: number;
  lagP50: number;
  lagMax: number;
  catchUpMs: number;
}

async function info(c: RespClient, field: string): Promise<string> {
  const text = (await c.call('INFO', 'replication')) as string;
  return new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`).exec(`\r\n${text}`)?.[1] ?? '';
}

async function until(check: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (performance.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('replication bench: timed out');
}

export async function replicationRows(keys: number, n: number, log: (l: string) => void): Promise<ReplRow[]> {
  const rows: ReplRow[] = [];
  const pairs = [['redis', 'redis'], ['shardis', 'redis'], ['redis', 'shardis'], ['shardis', 'shardis']] as const;
  for (const [primaryName, replicaName] of pairs) {
    const pdir = mkdtempSync(join(tmpdir(), 'shardis-repl-bench-'));
    const rdir = mkdtempSync(join(tmpdir(), 'shardis-repl-bench-'));
    const primary = await startTarget(primaryName, pdir, ['--appendonly', 'no', '--repl-diskless-sync-delay', '0'], 1, true, '0');
    const replica = await startTarget(replicaName, rdir, ['--appendonly', 'no'], 1, true, '1');
    const p = await RespClient.connect(primary.port);
    const r = await RespClient.connect(replica.port);
    try {
      await p.call('DEBUG', 'POPULATE', String(keys));
      const t0 = performance.now();
      await r.call('REPLICAOF', '127.0.0.1', String(primary.port));
      await until(async () => (await info(r, 'master_link_status')) === 'up' && (await r.call('DBSIZE')) === keys);
      const fullSyncMs = performance.now() - t0;
      // SETs on random keys (64-byte values) while both offsets are sampled
      const bench = run('taskset', ['-c', '1', 'redis-benchmark', '-p', String(primary.port), '-t', 'set', '-n', String(n), '-r', '100000', '-c', '50', '-d', '64', '-q'], { maxBuffer: 1 << 24 });
      let done = false;
      void bench.finally(() => (done = true));
      const lags: number[] = [];
      while (!done) {
        const [po, ro] = [Number(await info(p, 'master_repl_offset')), Number(await info(r, 'slave_repl_offset'))];
        lags.push(Math.max(0, po - ro));
        await new Promise((res) => setTimeout(res, 20));
      }
      const out = (await bench).stdout;
      const t1 = performance.now();
      const target = Number(await info(p, 'master_repl_offset'));
      await until(async () => Number(await info(r, 'slave_repl_offset')) >= target);
      const catchUpMs = performance.now() - t1;
      lags.sort((a, b) => a - b);
      const setRps = Number(/SET: ([\d.]+) requests per second/.exec(out.replace(/\r/g, '\n'))?.[1] ?? NaN);
      const row: ReplRow = { primary: primaryName, replica: replicaName, keys, fullSyncMs, setRps, lagP50: lags[Math.floor(lags.length / 2)] ?? 0, lagMax: lags.at(-1) ?? 0, catchUpMs };
      rows.push(row);
      log(`replication: ${primaryName} → ${replicaName}: full sync of ${keys} keys ${fullSyncMs.toFixed(0)} ms; SET ${setRps.toFixed(0)} rps, lag p50 ${row.lagP50} B max ${row.lagMax} B, caught up ${catchUpMs.toFixed(0)} ms after`);
    } finally {
      p.close();
      r.close();
      kill(primary);
      kill(replica);
      rmSync(pdir, { recursive: true, force: true });
      rmSync(rdir, { recursive: true, force: true });
    }
  }
  return rows;
}

export function replicationTable(rows: ReplRow[]): string {
  const head = '| primary → replica | full sync of N keys ms | SET rps under replication | lag p50 bytes | lag max bytes | catch-up ms |\n|---|---|---|---|---|---|';
  return [head, ...rows.map((r) => `| ${r.primary} → ${r.replica} (${r.keys} keys) | ${r.fullSyncMs.toFixed(0)} | ${r.setRps.toFixed(0)} | ${r.lagP50} | ${r.lagMax} | ${r.catchUpMs.toFixed(0)} |`)].join('\n');
}
