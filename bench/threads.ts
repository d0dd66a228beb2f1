/**
 * `npm run bench -- --threads 1,2,4`: shardis with each thread count against
 * one redis-server in the same run: requests per second and the server's CPU
 * time per million requests (user + system of the whole process, read from
 * /proc), for each test and pipeline depth. Servers are pinned with taskset
 * when the machine has a core to spare for redis-benchmark: Redis and
 * shardis get cores 0..N-1, redis-benchmark the rest; otherwise nothing is
 * pinned (the table says which).
 */
import { availableParallelism } from 'node:os';
import { cpuSeconds, kill, startTarget, type Target } from './servers.ts';

export interface ThreadRow {
  test: string;
  p: number;
  threads: number;
  redis: number;
  shardis: number;
  /** Seconds of server CPU per million requests. */
  redisCpu: number;
  shardisCpu: number;
  pinned: boolean;
}

/** Runs one measurement against `port` with redis-benchmark pinned to `benchCpus` ('' for none): requests per second. */
export type Rate = (port: number, test: string, p: number, benchCpus: string) => Promise<number>;

function cpuList(from: number, to: number): string {
  return from === to ? String(from) : `${from}-${to}`;
}

/** Requests per second and CPU seconds per million requests of one server for one row. */
async function measureWithCpu(t: Target, rate: Rate, test: string, p: number, n: number, benchCpus: string): Promise<[number, number]> {
  const c0 = cpuSeconds(t.proc.pid!);
  const rps = await rate(t.port, test, p, benchCpus);
  // redis-benchmark -n sends exactly n requests
  return [rps, ((cpuSeconds(t.proc.pid!) - c0) * 1e6) / n];
}

export async function threadRows(threads: number[], tests: string[], pipelines: number[], n: number, dir: (name: string) => string, rate: Rate, log: (l: string) => void): Promise<ThreadRow[]> {
  const cores = availableParallelism();
  const rows: ThreadRow[] = [];
  for (const count of threads) {
    const pinned = cores > count;
    const serverCpus = pinned ? cpuList(0, count - 1) : '';
    const benchCpus = pinned ? cpuList(count, cores - 1) : '';
    const redis = await startTarget('redis', dir('redis'), ['--appendonly', 'no'], 1, true, pinned ? '0' : '');
    const shardis = await startTarget('shardis', dir('shardis'), ['--appendonly', 'no', '--threads', String(count)], 1, true, serverCpus);
    try {
      log(`--threads ${count}: ${pinned ? `servers on cpus ${serverCpus} (Redis on 0), redis-benchmark on ${benchCpus}` : `not pinned (${cores} cores)`}`);
      for (const p of pipelines) {
        for (const test of tests) {
          // warm-up runs, untimed
          await rate(redis.port, test, p, benchCpus);
          await rate(shardis.port, test, p, benchCpus);
          const [r, rc] = await measureWithCpu(redis, rate, test, p, n, benchCpus);
          const [s, sc] = await measureWithCpu(shardis, rate, test, p, n, benchCpus);
          rows.push({ test, p, threads: count, redis: r, shardis: s, redisCpu: rc, shardisCpu: sc, pinned });
          log(`${test.toUpperCase()} -P ${p} threads ${count}: redis ${r.toFixed(0)} shardis ${s.toFixed(0)} ratio ${(s / r).toFixed(2)}; CPU s per 1M requests redis ${rc.toFixed(1)} shardis ${sc.toFixed(1)}`);
        }
      }
    } finally {
      kill(redis);
      kill(shardis);
    }
  }
  return rows;
}

export function threadTable(rows: ThreadRow[]): string {
  const base = new Map<string, number>();
  for (const r of rows) if (r.threads === 1) base.set(`${r.test} ${r.p}`, r.shardisCpu);
  const out = ['| test | -P | threads | redis rps | shardis rps | ratio | redis CPU s / 1M req | shardis CPU s / 1M req | CPU vs 1 thread | pinned |', '|---|---|---|---|---|---|---|---|---|---|'];
  for (const r of rows) {
    const b = base.get(`${r.test} ${r.p}`);
    out.push(`| ${r.test.toUpperCase()} | ${r.p} | ${r.threads} | ${r.redis.toFixed(0)} | ${r.shardis.toFixed(0)} | ${(r.shardis / r.redis).toFixed(2)} | ${r.redisCpu.toFixed(1)} | ${r.shardisCpu.toFixed(1)} | ${b === undefined ? '' : (r.shardisCpu / b).toFixed(2) + '×'} | ${r.pinned ? 'yes' : 'no'} |`);
  }
  return out.join('\n');
}
