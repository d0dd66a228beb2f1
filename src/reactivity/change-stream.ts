/**
 * The change stream: every write, per shard, as (db, key, event, seq) in
 * commit order. seq is the shard's own counter (Shard.seq, bumped by every
 * key event whether or not anyone listens), so a consumer names a position
 * per shard. With threads each thread's stream covers the shards it owns,
 * named by their server-wide ids, under one epoch for the whole server. A bounded retention ring per shard keeps the last N changes so
 * a consumer that reconnects resumes from its last seq, or learns it fell
 * behind (the changes it missed are gone) and must resynchronise.
 *
 * Cost: with no subscriber and retention 0 no listener is attached to the
 * shards and a write pays one integer increment. The ring is parallel arrays
 * (no object per change); replay allocates only what it hands back.
 */
import { randomBytes } from 'node:crypto';
import type { Engine } from '../engine/engine.ts';
import type { Shard } from '../engine/shard.ts';

/** One change as handed to a live subscriber. */
export type ChangeListener = (shard: number, seq: number, db: number, key: string, event: string) => void;

/** A change read back from retention. */
export interface Change {
  readonly shard: number;
  readonly seq: number;
  readonly db: number;
  readonly key: string;
  readonly event: string;
}

/** A position in the stream: the last seq seen per shard, under one epoch (one server run). */
export interface Position {
  readonly epoch: string;
  readonly seqs: readonly number[];
}

/** Where a resume landed: replayed changes per shard, or the shards that fell behind. */
export interface ResumeResult {
  /** Shards whose missed changes are no longer retained (or another epoch): the consumer must resynchronise them. */
  readonly behind: number[];
  /** Changes replayed (already delivered to the listener, in per-shard order). */
  readonly replayed: number;
}

/** The last `capacity` changes of one shard, as a ring of parallel arrays. */
class ShardLog {
  capacity: number;
  private dbs: Int32Array;
  private keys: string[];
  private events: string[];
  /** Seq of the newest entry written and how many entries are valid. */
  private last = 0;
  private count = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.dbs = new Int32Array(capacity);
    this.keys = new Array<string>(capacity);
    this.events = new Array<string>(capacity);
  }

  append(seq: number, db: number, key: string, event: string): void {
    const cap = this.capacity;
    if (cap === 0) return;
    // a gap (log attached late or seq jumped) restarts the window
    if (this.count !== 0 && seq !== this.last + 1) this.count = 0;
    const i = seq % cap;
    this.dbs[i] = db;
    this.keys[i] = key;
    this.events[i] = event;
    this.last = seq;
    if (this.count < cap) this.count++;
  }

  /** Oldest retained seq (last + 1 when empty). */
  oldest(head: number): number {
    return this.count === 0 || this.last !== head ? head + 1 : this.last - this.count + 1;
  }

  entry(seq: number): [number, string, string] {
    const i = seq % this.capacity;
    return [this.dbs[i]!, this.keys[i]!, this.events[i]!];
  }

  resize(capacity: number): void {
    const old = this;
    const entries: Array<[number, number, string, string]> = [];
    const keep = Math.min(old.count, capacity);
    for (let s = old.last - keep + 1; s <= old.last; s++) {
      const [db, key, ev] = old.entry(s);
      entries.push([s, db, key, ev]);
    }
    this.capacity = capacity;
    this.dbs = new Int32Array(capacity);
    this.keys = new Array<string>(capacity);
    this.events = new Array<string>(capacity);
    this.count = 0;
    for (const [s, db, key, ev] of entries) this.append(s, db, key, ev);
  }
}

export class ChangeStream {
  /** Changes from another run of the server are not comparable: positions carry this (the threads share thread 0's). */
  epoch = randomBytes(8).toString('hex');
  /** The shards this thread owns; ids[i] is shards[i]'s server-wide id. */
  private readonly shards: readonly Shard[];
  private readonly ids: readonly number[];
  private readonly total: number;
  private readonly subscribers = new Set<ChangeListener>();
  private logs: ShardLog[] | null = null;
  private retention = 0;
  private offs: Array<() => void> = [];

  constructor(engine: Engine) {
    this.shards = engine.shards;
    this.ids = engine.shards.map((s) => s.id);
    this.total = engine.shardCount;
  }

  /** The server-wide ids of the shards this stream covers. */
  get shardIds(): readonly number[] {
    return this.ids;
  }

  /** Retention per shard (0: keep nothing). Shrinking keeps the newest changes. */
  setRetention(n: number): void {
    const cap = Math.max(0, Math.floor(n));
    this.retention = cap;
    if (cap === 0) this.logs = null;
    else if (this.logs === null) this.logs = this.shards.map(() => new ShardLog(cap));
    else for (const l of this.logs) l.resize(cap);
    this.wire();
  }

  get retained(): number {
    return this.retention;
  }

  /** The current position: a consumer that starts now resumes from here (other threads' shards at 0). */
  position(): Position {
    const seqs = new Array<number>(this.total).fill(0);
    for (const s of this.shards) seqs[s.id] = s.seq;
    return { epoch: this.epoch, seqs };
  }

  /** The current seq of each shard here, as [id, seq, id, seq …]. */
  seqPairs(): number[] {
    const out: number[] = [];
    for (const s of this.shards) out.push(s.id, s.seq);
    return out;
  }

  /** Oldest seq still retained for the i-th shard here (head + 1 when nothing is). */
  private oldestAt(i: number): number {
    const head = this.shards[i]!.seq;
    return this.logs === null ? head + 1 : this.logs[i]!.oldest(head);
  }

  /**
   * Live changes from now on. Returns the unsubscribe function. A listener
   * runs inside the write (synchronously, in commit order): it must not
   * write to the keyspace itself.
   */
  subscribe(fn: ChangeListener): () => void {
    this.subscribers.add(fn);
    this.wire();
    return () => {
      if (this.subscribers.delete(fn)) this.wire();
    };
  }

  /**
   * Resumes a consumer: replays to `fn` every retained change after `from`
   * (per shard), then the caller subscribes `fn` for live changes (nothing can
   * happen in between: the server is single-threaded). Shards whose missed
   * changes are gone are reported in `behind` and replay nothing.
   */
  replay(from: Position, fn: ChangeListener): ResumeResult {
    const behind: number[] = [];
    let replayed = 0;
    for (let i = 0; i < this.shards.length; i++) {
      const sid = this.ids[i]!;
      const head = this.shards[i]!.seq;
      const after = from.epoch === this.epoch ? (from.seqs[sid] ?? -1) : -1;
      if (after === head) continue;
      if (after < 0 || after > head || after + 1 < this.oldestAt(i)) {
        behind.push(sid);
        continue;
      }
      const log = this.logs![i]!;
      for (let s = after + 1; s <= head; s++) {
        const [db, key, ev] = log.entry(s);
        fn(sid, s, db, key, ev);
        replayed++;
      }
    }
    return { behind, replayed };
  }

  /** Retained changes of shard `sid` (one of this thread's) after `after` (at most max), or null when some were lost. */
  read(sid: number, after: number, max = Infinity): Change[] | null {
    const i = this.ids.indexOf(sid);
    const head = this.shards[i]!.seq;
    if (after > head || after + 1 < this.oldestAt(i)) return after === head ? [] : null;
    const out: Change[] = [];
    const log = this.logs?.[i];
    for (let s = after + 1; s <= head && out.length < max; s++) {
      const [db, key, event] = log!.entry(s);
      out.push({ shard: sid, seq: s, db, key, event });
    }
    return out;
  }

  /** Attaches one listener per shard while anyone consumes or retains; detaches otherwise. */
  private wire(): void {
    const need = this.subscribers.size !== 0 || this.retention !== 0;
    if (need && this.offs.length === 0) {
      for (let i = 0; i < this.shards.length; i++) {
        const at = i;
        const sid = this.ids[i]!;
        this.offs.push(this.shards[i]!.onKeyEvent((db, key, event, seq) => this.onChange(at, sid, db, key, event, seq)));
      }
    } else if (!need && this.offs.length !== 0) {
      for (const off of this.offs) off();
      this.offs = [];
    }
  }

  private onChange(at: number, sid: number, db: number, key: string, event: string, seq: number): void {
    const logs = this.logs;
    if (logs !== null) logs[at]!.append(seq, db, key, event);
    for (const fn of this.subscribers) fn(sid, seq, db, key, event);
  }
}
