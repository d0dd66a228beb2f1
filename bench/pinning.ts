/**
 * Which cores the measured servers and the load generator run on, shared by
 * the benchmarks that start servers (run.ts, aof-rows.ts, fcall.ts,
 * snapshot.ts): with 2 cores each server runs on core 0 (one measured at a
 * time) and redis-benchmark on core 1; with 3 or more Redis gets core 0,
 * shardis core 1 and redis-benchmark the rest; on 1 core nothing is pinned.
 * Pinning is by taskset (a cpu list; '' means unpinned).
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface Pinning {
  pinned: boolean;
  redis: string;
  shardis: string;
  /** redis-benchmark and the in-process load generators (loads.ts). */
  bench: string;
  /** For the output header, e.g. "pinned: redis core 0, shardis core 0 (one at a time), redis-benchmark core 1". */
  describe: string;
}

function cpuList(from: number, to: number): string {
  return from === to ? String(from) : `${from}-${to}`;
}

function cores(list: string): string {
  return list.includes('-') ? `cores ${list}` : `core ${list}`;
}

export function pinning(count = availableParallelism()): Pinning {
  if (count < 2) return { pinned: false, redis: '', shardis: '', bench: '', describe: `not pinned (${count} core)` };
  const shardis = count === 2 ? '0' : '1';
  const bench = cpuList(count === 2 ? 1 : 2, count - 1);
  const shared = shardis === '0' ? ' (one at a time)' : '';
  return { pinned: true, redis: '0', shardis, bench, describe: `pinned: redis core 0, shardis ${cores(shardis)}${shared}, redis-benchmark ${cores(bench)}` };
}

/** The cpu list of the server `name` (for startTarget's `cpus`). */
export function serverCpus(p: Pinning, name: 'redis' | 'shardis'): string {
  return name === 'redis' ? p.redis : p.shardis;
}

/** Moves this process (all its threads) to `cpus`; '' leaves it. The processes it spawns inherit it. */
export function pinSelf(cpus: string): void {
  if (cpus !== '') execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

/** Every core of the machine: what pinSelf restores. */
export function allCpus(): string {
  return cpuList(0, availableParallelism() - 1);
}
