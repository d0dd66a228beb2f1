/**
 * Consumer groups (Redis's streamCG / streamConsumer / streamNACK): the last
 * delivered ID and entries-read counter of a group, its pending entries list
 * (PEL) ordered by ID, and its consumers, each with its own PEL sharing the
 * same NACK records.
 *
 * A PEL is a two-level sorted index (runs of at most RUN NACKs, ordered by
 * ID), so reads appending new IDs, acknowledgements anywhere and range scans
 * all stay cheap with millions of pending entries.
 */
import { cmpId, type U64 } from './stream-id.ts';

/** A delivered, not yet acknowledged entry. */
export interface Nack {
  readonly ms: U64;
  readonly seq: U64;
  /** Last delivery, ms since the epoch. */
  deliveryTime: number;
  deliveryCount: number;
  /** Owner; null only between XCLAIM FORCE creating it and assigning it. */
  consumer: Consumer | null;
}

const RUN = 128;

/** NACKs ordered by ID. */
export class Pel {
  private runs: Nack[][] = [];
  size = 0;

  /** Index of the run that holds or would hold (ms, seq). */
  private runFor(ms: U64, seq: U64): number {
    const runs = this.runs;
    let lo = 0;
    let hi = runs.length - 1;
    // the last run whose first ID <= (ms, seq), or 0
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const f = runs[mid]![0]!;
      if (cmpId(f.ms, f.seq, ms, seq) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private static lower(run: Nack[], ms: U64, seq: U64): number {
    let lo = 0;
    let hi = run.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const x = run[mid]!;
      if (cmpId(x.ms, x.seq, ms, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(ms: U64, seq: U64): Nack | undefined {
    if (this.size === 0) return undefined;
    const run = this.runs[this.runFor(ms, seq)]!;
    const i = Pel.lower(run, ms, seq);
    const x = run[i];
    return x !== undefined && x.ms === ms && x.seq === seq ? x : undefined;
  }

  /** Adds a NACK; false (nothing changed) when its ID is already there. */
  insert(n: Nack): boolean {
    const runs = this.runs;
    if (runs.length === 0) {
      runs.push([n]);
      this.size = 1;
      return true;
    }
    const last = runs[runs.length - 1]!;
    const tail = last[last.length - 1]!;
    const c = cmpId(tail.ms, tail.seq, n.ms, n.seq);
    if (c < 0) {
      // the common case: a new delivery with the highest ID so far
      if (last.length < RUN) last.push(n);
      else runs.push([n]);
      this.size++;
      return true;
    }
    if (c === 0) return false;
    const r = this.runFor(n.ms, n.seq);
    const run = runs[r]!;
    const i = Pel.lower(run, n.ms, n.seq);
    const x = run[i];
    if (x !== undefined && x.ms === n.ms && x.seq === n.seq) return false;
    run.splice(i, 0, n);
    if (run.length > RUN * 2) runs.splice(r + 1, 0, run.splice(RUN));
    this.size++;
    return true;
  }

  /** Removes the NACK with this ID; it or undefined. */
  remove(ms: U64, seq: U64): Nack | undefined {
    if (this.size === 0) return undefined;
    const r = this.runFor(ms, seq);
    const run = this.runs[r]!;
    const i = Pel.lower(run, ms, seq);
    const x = run[i];
    if (x === undefined || x.ms !== ms || x.seq !== seq) return undefined;
    run.splice(i, 1);
    if (run.length === 0) this.runs.splice(r, 1);
    this.size--;
    return x;
  }

  /** The first NACK with ID >= (ms, seq), or > it when `after`. */
  ceiling(ms: U64, seq: U64, after = false): Nack | undefined {
    if (this.size === 0) return undefined;
    const runs = this.runs;
    let r = this.runFor(ms, seq);
    const run = runs[r]!;
    let i = Pel.lower(run, ms, seq);
    if (after && i < run.length && run[i]!.ms === ms && run[i]!.seq === seq) i++;
    while (i >= runs[r]!.length) {
      if (++r === runs.length) return undefined;
      i = 0;
    }
    return runs[r]![i];
  }

  first(): Nack | undefined {
    return this.runs.length === 0 ? undefined : this.runs[0]![0];
  }

  last(): Nack | undefined {
    if (this.runs.length === 0) return undefined;
    const run = this.runs[this.runs.length - 1]!;
    return run[run.length - 1];
  }

  /** NACKs with ID >= (ms, seq) in order (the PEL must not change while iterating). */
  *from(ms: U64, seq: U64): Generator<Nack> {
    if (this.size === 0) return;
    const runs = this.runs;
    let r = this.runFor(ms, seq);
    let i = Pel.lower(runs[r]!, ms, seq);
    for (; r < runs.length; r++, i = 0) {
      const run = runs[r]!;
      for (; i < run.length; i++) yield run[i]!;
    }
  }

  /** Every NACK in order. */
  *all(): Generator<Nack> {
    for (const run of this.runs) for (const n of run) yield n;
  }
}

export class Consumer {
  readonly name: string;
  /** Last attempted interaction (ms): a group read, XCLAIM / XAUTOCLAIM, whether or not it got entries. */
  seenTime: number;
  /** Last successful interaction (ms): a read that delivered entries, a claim; -1 when never (Redis 7.2). */
  activeTime: number;
  readonly pel = new Pel();

  constructor(name: string, seenTime: number, activeTime = -1) {
    this.name = name;
    this.seenTime = seenTime;
    this.activeTime = activeTime;
  }
}

/** SCG_INVALID_ENTRIES_READ */
export const INVALID_ENTRIES_READ = -1;

export class ConsumerGroup {
  lastMs: U64;
  lastSeq: U64;
  /** Logical reads counter (INVALID_ENTRIES_READ when unknown). */
  entriesRead: U64;
  readonly pel = new Pel();
  readonly consumers = new Map<string, Consumer>();

  constructor(lastMs: U64, lastSeq: U64, entriesRead: U64) {
    this.lastMs = lastMs;
    this.lastSeq = lastSeq;
    this.entriesRead = entriesRead;
  }

  /** Consumers in Redis's rax order (byte-wise by name). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** streamLookupConsumer (7.2: no longer touches the seen-time; the commands that interact set it). */
  lookup(name: string): Consumer | undefined {
    return this.consumers.get(name);
  }

  /** streamCreateConsumer: undefined when it already exists. */
  create(name: string, now: number): Consumer | undefined {
    if (this.consumers.has(name)) return undefined;
    const c = new Consumer(name, now);
    this.consumers.set(name, c);
    return c;
  }

  /** streamDelConsumer: drops its pending entries from the group PEL too; returns how many. */
  deleteConsumer(c: Consumer): number {
    const n = c.pel.size;
    for (const x of c.pel.all()) this.pel.remove(x.ms, x.seq);
    this.consumers.delete(c.name);
    return n;
  }

  /** Removes a NACK from the group's and its owner's PEL. */
  ack(n: Nack): void {
    this.pel.remove(n.ms, n.seq);
    n.consumer?.pel.remove(n.ms, n.seq);
  }

  /** A deep copy (streamDup). */
  clone(): ConsumerGroup {
    const g = new ConsumerGroup(this.lastMs, this.lastSeq, this.entriesRead);
    const map = new Map<Nack, Nack>();
    for (const n of this.pel.all()) {
      const m: Nack = { ms: n.ms, seq: n.seq, deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount, consumer: null };
      map.set(n, m);
      g.pel.insert(m);
    }
    for (const c of this.consumers.values()) {
      const d = new Consumer(c.name, c.seenTime, c.activeTime);
      g.consumers.set(d.name, d);
      for (const n of c.pel.all()) {
        const m = map.get(n)!;
        m.consumer = d;
        d.pel.insert(m);
      }
    }
    return g;
  }
}
