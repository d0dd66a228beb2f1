/**
 * Several timed runs of one row on one server, summarised as the median
 * rate with the min–max spread, and the latency of the median run; and the
 * cells of the throughput table.
 */
import type { Latency } from './redis-benchmark.ts';

/** One timed run: requests (or deliveries) per second, and its latency when redis-benchmark measured it. */
export interface Sample {
  rps: number;
  latency?: Latency;
}

export interface Summary {
  /** The median run (the lower middle one for an even count). */
  median: Sample;
  min: number;
  max: number;
  runs: number;
}

export function summarize(samples: Sample[]): Summary {
  if (samples.length === 0) throw new Error('no runs');
  const sorted = [...samples].sort((a, b) => a.rps - b.rps);
  return { median: sorted[Math.floor((sorted.length - 1) / 2)]!, min: sorted[0]!.rps, max: sorted.at(-1)!.rps, runs: samples.length };
}

export interface RowResult {
  test: string;
  p: number;
  redis: Summary;
  shardis: Summary;
}

/** "123456 (120000–130000)", or the single value for one run. */
export function rpsCell(s: Summary): string {
  const m = s.median.rps.toFixed(0);
  return s.runs > 1 ? `${m} (${s.min.toFixed(0)}–${s.max.toFixed(0)})` : m;
}

export function latencyCell(s: Summary): string {
  const l = s.median.latency;
  return l === undefined ? '-' : `${l.p50.toFixed(3)}/${l.p99.toFixed(3)}/${l.p999.toFixed(3)}`;
}

export function ratio(r: RowResult): string {
  return (r.shardis.median.rps / r.redis.median.rps).toFixed(2);
}

/** The progress line of a row. */
export function rowLine(r: RowResult, width = 12): string {
  return `${r.test.toUpperCase().padEnd(width)} -P ${String(r.p).padEnd(3)} redis ${rpsCell(r.redis).padEnd(26)} shardis ${rpsCell(r.shardis).padEnd(26)} ratio ${ratio(r)}  p50/p99/p99.9 ms redis ${latencyCell(r.redis)} shardis ${latencyCell(r.shardis)}`;
}

export function throughputTable(rows: RowResult[]): string {
  const out = ['| test | -P | redis rps (min–max) | shardis rps (min–max) | ratio | redis p50/p99/p99.9 ms | shardis p50/p99/p99.9 ms |', '|---|---|---|---|---|---|---|'];
  for (const r of rows) out.push(`| ${r.test.toUpperCase()} | ${r.p} | ${rpsCell(r.redis)} | ${rpsCell(r.shardis)} | ${ratio(r)} | ${latencyCell(r.redis)} | ${latencyCell(r.shardis)} |`);
  return out.join('\n');
}
