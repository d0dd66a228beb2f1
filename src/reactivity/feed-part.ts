/**
 * One thread's part of a key feed (docs/feeds.md, "With threads"): the keys
 * of the shards this thread owns. A feed (feeds.ts) has one part per thread
 * that owns keys it follows — with one thread, one part, called directly;
 * with threads, the other threads' parts hear its requests and answer with
 * items through the thread link (threads/feed-threads.ts).
 *
 * A part answers a request (`open`, `sync`) with one `reply` item — a
 * snapshot of its matching keys, the keys changed since a position, or
 * `behind` when those changes are gone — taken in the same synchronous step
 * as it goes live, so nothing falls between. Live, it sends each matching
 * change with the key's value after it; paused (the feed's transport is
 * backed up) it only remembers which keys changed, up to a bound. Every item
 * carries the seqs of the part's shards it is up to date with.
 */
import type { ChangeStream } from './change-stream.ts';
import type { Engine } from '../engine/engine.ts';
import type { Acl } from '../security/acl.ts';
import type { User } from '../security/acl-user.ts';
import { globMatch } from '../datatypes/glob.ts';
import { jsonBytes } from './value-json.ts';

/** What a feed follows. Keys, patterns and prefixes are byte strings (latin1). */
export interface FeedSpec {
  db: number;
  keys: string[];
  patterns: string[];
  prefixes: string[];
  /** Strings (keys and values) in base64 instead of UTF-8 text. */
  base64: boolean;
}

/** Keys with their values as JSON text (`null` for a key that is gone), keyed by the key's JSON. */
export type Entries = Array<[string, string]>;

/** A part's message to its feed; `seqs` are [shard id, seq, …] of the part's shards. */
export type PartItem =
  | { t: 'change'; key: string; event: string; value: string; seqs: number[] }
  | { t: 'reply'; gen: number; kind: 'snapshot' | 'batch' | 'behind'; entries: Entries; seqs: number[]; swaps: number }
  | { t: 'position'; seqs: number[] }
  | { t: 'resync'; swaps: number };

/**
 * A feed's request to a part: start (a snapshot, or the changes since the
 * seqs in `from`, indexed by shard id), catch up after a pause (`flush`) or
 * start over (`snapshot`), pause, close.
 */
export type PartRequest =
  | { op: 'open'; gen: number; from: number[] | null }
  | { op: 'sync'; gen: number; kind: 'flush' | 'snapshot' }
  | { op: 'pause' }
  | { op: 'close' };

/** What a part needs of its thread. */
export interface PartHost {
  readonly engine: Engine;
  readonly changes: ChangeStream;
  readonly acl: Acl;
  /** A key's value as JSON, null when it does not exist (feeds.ts caches it across parts). */
  value(db: number, key: string, base64: boolean): string | null;
  /** Changes retained per shard (the quiet-position cadence). */
  readonly retention: number;
  /** SWAPDBs this thread has applied (every thread applies each, in the same order). */
  readonly swaps: number;
}

/** Keys a paused part remembers before it gives up and asks for a resync. */
export const MAX_DIRTY = 100_000;

export function matcher(spec: FeedSpec): (key: string) => boolean {
  const keys = new Set(spec.keys);
  return (key) => {
    if (keys.has(key)) return true;
    for (const p of spec.prefixes) if (key.startsWith(p)) return true;
    for (const p of spec.patterns) if (globMatch(p, key)) return true;
    return false;
  };
}

export class FeedPart {
  readonly spec: FeedSpec;
  private readonly host: PartHost;
  private readonly user: User;
  private readonly out: (item: PartItem) => void;
  private readonly matches: (key: string) => boolean;
  /** Paused: the keys changed since, or 'resync' when too many did. */
  private dirty: Set<string> | 'resync' | null = null;
  /** Changes of other keys since the last item (a position item keeps an idle watcher resumable). */
  private quiet = 0;
  private quietScheduled = false;
  private off: (() => void) | null = null;
  private closed = false;

  constructor(host: PartHost, spec: FeedSpec, user: User, out: (item: PartItem) => void) {
    this.host = host;
    this.spec = spec;
    this.user = user;
    this.out = out;
    this.matches = matcher(spec);
  }

  /** Keys changed and not yet sent while the feed's transport is full: -1 when so many did that a resync is due. */
  get pending(): number {
    const d = this.dirty;
    return d === null ? 0 : d === 'resync' ? -1 : d.size;
  }

  handle(req: PartRequest): void {
    if (this.closed) return;
    switch (req.op) {
      case 'open':
        return this.open(req.gen, req.from);
      case 'sync':
        return this.sync(req.gen, req.kind);
      case 'pause':
        if (this.dirty === null) this.dirty = new Set();
        return;
      case 'close':
        return this.close();
    }
  }

  private visible(key: string): boolean {
    return this.matches(key) && this.host.acl.keyReadable(this.user, key);
  }

  private open(gen: number, from: number[] | null): void {
    if (from === null) this.reply(gen, 'snapshot', this.snapshot());
    else {
      const changed = new Set<string>();
      const r = this.host.changes.replay({ epoch: this.host.changes.epoch, seqs: from }, (_sid, _seq, db, key) => {
        if (db === this.spec.db && this.visible(key)) changed.add(key);
      });
      if (r.behind.length !== 0) this.reply(gen, 'behind', []);
      else this.reply(gen, 'batch', this.entries(changed));
    }
    this.off = this.host.changes.subscribe((_sid, _seq, db, key, event) => this.changed(db, key, event));
  }

  private sync(gen: number, kind: 'flush' | 'snapshot'): void {
    const d = this.dirty;
    this.dirty = null;
    if (kind === 'snapshot') this.reply(gen, 'snapshot', this.snapshot());
    else if (d === 'resync') this.reply(gen, 'behind', []);
    else this.reply(gen, 'batch', this.entries(d ?? new Set()));
  }

  private reply(gen: number, kind: 'snapshot' | 'batch' | 'behind', entries: Entries): void {
    this.quiet = 0;
    this.out({ t: 'reply', gen, kind, entries, seqs: this.host.changes.seqPairs(), swaps: this.host.swaps });
  }

  /** Every matching key of this thread's shards with its value. */
  private snapshot(): Entries {
    const { db, base64 } = this.spec;
    const out: Entries = [];
    const add = (key: string): void => {
      const v = this.host.value(db, key, base64);
      if (v !== null) out.push([jsonBytes(key, base64), v]);
    };
    const engine = this.host.engine;
    if (this.spec.patterns.length === 0 && this.spec.prefixes.length === 0) {
      for (const k of new Set(this.spec.keys)) if (engine.localKeyspace(k, db) !== null && this.host.acl.keyReadable(this.user, k)) add(k);
    } else {
      for (const shard of engine.shards) {
        const ks = shard.dbs[db];
        if (ks === undefined) continue;
        for (const k of ks.data.keys()) if (this.visible(k)) add(k);
      }
    }
    return out;
  }

  private entries(keys: Set<string>): Entries {
    const { db, base64 } = this.spec;
    const out: Entries = [];
    for (const k of keys) out.push([jsonBytes(k, base64), this.host.value(db, k, base64) ?? 'null']);
    return out;
  }

  private changed(db: number, key: string, event: string): void {
    if (this.closed) return;
    if (db !== this.spec.db || !this.visible(key)) {
      this.idle();
      return;
    }
    this.quiet = 0;
    const d = this.dirty;
    if (d === 'resync') return;
    if (d !== null) {
      d.add(key);
      if (d.size > MAX_DIRTY) this.dirty = 'resync';
      return;
    }
    const { base64 } = this.spec;
    this.out({ t: 'change', key: jsonBytes(key, base64), event, value: this.host.value(db, key, base64) ?? 'null', seqs: this.host.changes.seqPairs() });
  }

  /** A database swapped under the feed: its keys may all differ, with no key event to say so. */
  swapped(): void {
    if (!this.closed) this.out({ t: 'resync', swaps: this.host.swaps });
  }

  /** Many changes of other keys: a position item, so a resume after them needs no resync. */
  private idle(): void {
    if (++this.quiet < this.host.retention / 4 || this.quietScheduled || this.dirty !== null) return;
    this.quietScheduled = true;
    setImmediate(() => {
      this.quietScheduled = false;
      this.quiet = 0;
      if (this.closed || this.dirty !== null) return;
      this.out({ t: 'position', seqs: this.host.changes.seqPairs() });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.off?.();
  }
}
