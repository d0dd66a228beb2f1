/**
 * Latency monitoring (Redis's latency.c): spikes of named events (command,
 * fast-command, expire-cycle …) at or above latency-monitor-threshold ms,
 * 160 samples each at most one per second; and the per-command latency
 * histograms LATENCY HISTOGRAM and INFO latencystats report.
 */
import type { CommandInfo } from '../commands/core/command.ts';

const HISTORY_LEN = 160;

export interface LatencySample {
  /** Unix time in seconds. */
  time: number;
  /** Milliseconds. */
  latency: number;
}

export interface LatencyEvent {
  /** Oldest first, at most HISTORY_LEN. */
  readonly samples: LatencySample[];
  max: number;
}

/**
 * Histogram resolution: FINE buckets per power of two of nanoseconds (about
 * 4%, as Redis's HDR histogram at two significant digits), up to 2^40 ns.
 */
const FINE = 16;
const BUCKETS = 40 * FINE;
/** LATENCY HISTOGRAM reports powers of two from 1024 ns (Redis's log-2 iteration). */
const FIRST_OCTAVE = 10;

/**
 * The µs Redis prints for bucket i: the HDR histogram's highest value
 * equivalent to 1024·2^i ns at two significant digits (v·129/128 − 1).
 */
function bucketTopUs(i: number): number {
  return Math.floor(((1024 * 2 ** i * 129) / 128 - 1) / 1000);
}

/** With threads: every thread's events as one (per second the largest spike; the largest of all). */
export function mergeEvents(lists: ReadonlyArray<ReadonlyArray<[string, LatencyEvent]>>): Map<string, LatencyEvent> {
  const out = new Map<string, LatencyEvent>();
  for (const list of lists) {
    for (const [name, e] of list) {
      const m = out.get(name);
      if (m === undefined) {
        out.set(name, { samples: e.samples.map((x) => ({ ...x })), max: e.max });
        continue;
      }
      m.max = Math.max(m.max, e.max);
      const bySecond = new Map<number, number>();
      for (const x of [...m.samples, ...e.samples]) bySecond.set(x.time, Math.max(bySecond.get(x.time) ?? 0, x.latency));
      const merged = [...bySecond].sort((a, b) => a[0] - b[0]).slice(-HISTORY_LEN);
      m.samples.length = 0;
      for (const [time, latency] of merged) m.samples.push({ time, latency });
    }
  }
  return out;
}

/**
 * With threads: one command's cumulative distributions of several threads
 * added up ([upper bound in µs, calls at or below it], as cdf()).
 */
export function mergeCdfs(cdfs: ReadonlyArray<ReadonlyArray<[number, number]>>): Array<[number, number]> {
  const bounds = [...new Set(cdfs.flatMap((c) => c.map((e) => e[0])))].sort((a, b) => a - b);
  const out: Array<[number, number]> = [];
  const at = cdfs.map(() => 0);
  let prev = 0;
  for (const b of bounds) {
    let n = 0;
    cdfs.forEach((c, i) => {
      while (at[i]! < c.length && c[at[i]!]![0] <= b) at[i]!++;
      if (at[i]! > 0) n += c[at[i]! - 1]![1];
    });
    if (n > prev) out.push([b, n]);
    prev = n;
  }
  return out;
}

/** The µs value at percentile p (0–100) of the calls counted in buckets `h`, or null when there are none. */
export function percentileOf(h: Float64Array, p: number): number | null {
  let total = 0;
  for (let i = 0; i < BUCKETS; i++) total += h[i]!;
  if (total === 0) return null;
  const want = Math.max((p / 100) * total, Number.MIN_VALUE);
  let cum = 0;
  for (let k = 0; k < BUCKETS; k++) {
    cum += h[k]!;
    if (cum >= want) return 2 ** ((k + 1) / FINE) / 1000;
  }
  return 2 ** (BUCKETS / FINE) / 1000;
}

export class LatencyMonitor {
  readonly events = new Map<string, LatencyEvent>();
  /** Per command: sampled call counts per bucket (fast commands are timed 1 in N calls). */
  private readonly hist = new Map<CommandInfo, Float64Array>();

  /** Records a spike if it reaches the threshold (0 disables the monitor). */
  addSampleIfNeeded(event: string, ms: number, thresholdMs: number): void {
    if (thresholdMs > 0 && ms >= thresholdMs) this.addSample(event, Math.round(ms));
  }

  addSample(event: string, ms: number): void {
    let e = this.events.get(event);
    if (e === undefined) {
      e = { samples: [], max: 0 };
      this.events.set(event, e);
    }
    const now = Math.floor(Date.now() / 1000);
    if (ms > e.max) e.max = ms;
    const last = e.samples[e.samples.length - 1];
    // one sample per second: a later spike in the same second keeps the larger value
    if (last !== undefined && last.time === now) {
      if (ms > last.latency) last.latency = ms;
      return;
    }
    e.samples.push({ time: now, latency: ms });
    if (e.samples.length > HISTORY_LEN) e.samples.shift();
  }

  /** LATENCY RESET [event …]: how many events were reset. */
  reset(names: readonly string[]): number {
    if (names.length === 0) {
      const n = this.events.size;
      this.events.clear();
      return n;
    }
    let n = 0;
    for (const name of names) if (this.events.delete(name)) n++;
    return n;
  }

  /** Records one timed call of `cmd` that took `us` microseconds, standing for `weight` calls. */
  recordCall(cmd: CommandInfo, us: number, weight: number): void {
    let h = this.hist.get(cmd);
    if (h === undefined) {
      h = new Float64Array(BUCKETS);
      this.hist.set(cmd, h);
    }
    const ns = us * 1000;
    const b = ns <= 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log2(ns) * FINE));
    h[b]! += weight;
  }

  resetHistograms(): void {
    this.hist.clear();
  }

  /**
   * The cumulative distribution of a command's calls: [upper bound in µs,
   * calls at or below it] for each bucket where the count grows; the sampled
   * counts are scaled so the last entry equals the command's exact calls.
   */
  cdf(cmd: CommandInfo): Array<[number, number]> {
    const h = this.hist.get(cmd);
    const out: Array<[number, number]> = [];
    if (h === undefined || cmd.calls === 0) return out;
    let total = 0;
    for (let i = 0; i < BUCKETS; i++) total += h[i]!;
    if (total === 0) return out;
    const scale = cmd.calls / total;
    let cum = 0;
    let prev = 0;
    let k = 0;
    for (let oct = 0; k < BUCKETS; oct++) {
      // fine buckets wholly at or below 1024·2^oct ns
      const end = (FIRST_OCTAVE + oct) * FINE;
      for (; k < end && k < BUCKETS; k++) cum += h[k]!;
      const n = cum >= total ? cmd.calls : Math.round(cum * scale);
      if (n > prev) out.push([bucketTopUs(oct), n]);
      prev = n;
      if (cum >= total) break;
    }
    return out;
  }

  /** The µs value at percentile p (0–100) of a command's calls, or null when it has none. */
  percentile(cmd: CommandInfo, p: number): number | null {
    const h = this.hist.get(cmd);
    return h === undefined ? null : percentileOf(h, p);
  }

  /** Every command's bucket counts, by name (with threads, added up over threads for INFO latencystats). */
  buckets(): Array<[string, Float64Array]> {
    const out: Array<[string, Float64Array]> = [];
    for (const [cmd, h] of this.hist) if (cmd.calls > 0) out.push([cmd.fullName, h]);
    return out;
  }

  /** Commands with histogram data. */
  tracked(): CommandInfo[] {
    return [...this.hist.keys()].filter((c) => c.calls > 0);
  }
}
