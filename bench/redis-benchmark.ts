/**
 * Runs redis-benchmark (without --csv, with --precision 3) and reads its
 * report: the "throughput summary: N requests per second" line and the
 * "Latency by percentile distribution" section, lines such as
 *
 *   99.900% <= 1.234 milliseconds (cumulative count 199800)
 *
 * p50 / p99 / p99.9 are the smallest listed latency whose percentile is at
 * least the target. Progress lines (`GET: rps=…` ended by a CR) are skipped.
 */
import { execFileSync } from 'node:child_process';

export interface Latency {
  p50: number;
  p99: number;
  p999: number;
}

export interface BenchReport extends Latency {
  /** The section's title, e.g. "GET" or "MSET (10 keys)". */
  test: string;
  rps: number;
}

/** The smallest latency (ms) listed at a percentile ≥ `target` (NaN when none is). */
export function percentile(dist: ReadonlyArray<readonly [pct: number, ms: number]>, target: number): number {
  let best = NaN;
  for (const [pct, ms] of dist) if (pct >= target && !(ms >= best)) best = ms;
  return best;
}

const SECTION = /^====== (.*) ======$/;
const PERCENTILE = /^\s*([\d.]+)% <= ([\d.]+) milliseconds/;
const THROUGHPUT = /throughput summary: ([\d.]+) requests per second/;

/** One report per test section of redis-benchmark's output. */
export function parseRedisBenchmark(output: string): BenchReport[] {
  const reports: BenchReport[] = [];
  let test = '';
  let dist: Array<[number, number]> | null = null;
  let inDist = false;
  for (const raw of output.split(/\r\n|\r|\n/)) {
    const line = raw.trimEnd();
    const section = SECTION.exec(line.trim());
    if (section) {
      test = section[1]!;
      dist = [];
      inDist = false;
      continue;
    }
    if (line.startsWith('Latency by percentile distribution')) {
      inDist = true;
      continue;
    }
    if (inDist) {
      const m = PERCENTILE.exec(line);
      if (m) dist!.push([Number(m[1]), Number(m[2])]);
      else inDist = false;
      continue;
    }
    const t = THROUGHPUT.exec(line);
    if (t && dist !== null) {
      reports.push({ test, rps: Number(t[1]), p50: percentile(dist, 50), p99: percentile(dist, 99), p999: percentile(dist, 99.9) });
      dist = null;
    }
  }
  return reports;
}

/** Longest a run may take: redis-benchmark retries a refused connection forever. */
const RUN_TIMEOUT_MS = 10 * 60_000;

/**
 * One redis-benchmark run against `port` (`what`: -t tests or a command,
 * with its -r), pinned to `cpus` ('' for none): the last test's report.
 */
export function redisBenchmark(port: number, what: string[], pipeline: number, clients: number, n: number, cpus: string): BenchReport {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(clients), '-n', String(n), '-P', String(pipeline), '--precision', '3', ...what];
  const [cmd, argv] = cpus === '' ? ['redis-benchmark', args] : ['taskset', ['-c', cpus, 'redis-benchmark', ...args]];
  const out = execFileSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: RUN_TIMEOUT_MS });
  const reports = parseRedisBenchmark(out);
  const last = reports.at(-1);
  if (last === undefined) throw new Error(`redis-benchmark ${what.join(' ')}: no report in its output`);
  return last;
}
