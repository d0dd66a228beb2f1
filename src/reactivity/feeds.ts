/**
 * Key feeds (docs/feeds.md): a watcher follows keys, glob patterns or
 * prefixes of one database and receives their values as they change,
 * built on the change stream (change-stream.ts).
 *
 * - Start: a snapshot of the matching keys with their values and the
 *   position it was taken at, then every matching change in commit order
 *   with the key's new value (null once it is gone) and the position after
 *   it. The snapshot, its position and the subscription are taken in one
 *   synchronous step, so nothing falls between them.
 * - Resume from a position: every matching key that changed since, in one
 *   batch with its current value and the current position (no gap, each key
 *   once); when the changes since are no longer retained (`feed-retention`
 *   per shard) or the position is from another run, a fresh snapshot marked
 *   `resync`.
 * - A watcher whose transport falls behind (its sink refuses more) stops
 *   getting one message per change: the keys that changed are remembered,
 *   and once the sink drains they go in one batch with their values then
 *   (latest value per key). Past a bound of remembered keys it gets a
 *   resync snapshot instead, so memory stays bounded.
 * - Only keys the watcher's ACL user may read are delivered.
 */
import type { Engine } from '../engine/engine.ts';
import type { ChangeStream, Position } from './change-stream.ts';
import type { Acl } from '../security/acl.ts';
import type { User } from '../security/acl-user.ts';
import type { Config } from '../config/config.ts';
import { getConfigNumber } from '../config/config.ts';
import { globMatch } from '../datatypes/glob.ts';
import { jsonBytes, valueJson } from './value-json.ts';

/** What a feed follows. Keys, patterns and prefixes are byte strings (latin1). */
export interface FeedSpec {
  db: number;
  keys: string[];
  patterns: string[];
  prefixes: string[];
  /** Strings (keys and values) in base64 instead of UTF-8 text. */
  base64: boolean;
}

/** Where a feed's messages go (an SSE response, a WebSocket). */
export interface FeedSink {
  /** One message; false when the transport is backed up (the feed then coalesces until it drains). */
  send(type: string, position: string, json: string): boolean;
  /** Calls `fn` once when a backed-up transport has room again ('drain'). */
  onDrain(fn: () => void): void;
}

export interface FeedsHost {
  readonly engine: Engine;
  /** Told of every SWAPDB (it changes two databases' content without key events). */
  readonly swapDbHooks: { push(hook: (a: number, b: number) => void): unknown };
  readonly changes: ChangeStream;
  readonly acl: Acl;
  readonly config: Config;
}

/** Changes retained per shard for resuming when `feed-retention` is not set. */
const DEFAULT_RETENTION = 100_000;
/** Keys a backed-up feed remembers before it gives up and resyncs. */
const MAX_DIRTY = 100_000;

export function positionToken(p: Position): string {
  return `${p.epoch}-${p.seqs.join('.')}`;
}

export function parsePosition(token: string): Position | null {
  const m = /^([0-9a-f]+)-(\d+(?:\.\d+)*)$/.exec(token);
  return m === null ? null : { epoch: m[1]!, seqs: m[2]!.split('.').map(Number) };
}

export class Feed {
  readonly spec: FeedSpec;
  private readonly feeds: Feeds;
  private readonly user: User;
  private readonly sink: FeedSink;
  private readonly keys: Set<string>;
  /** Backed up: the keys changed since, or 'resync' when too many did. */
  private dirty: Set<string> | 'resync' | null = null;
  /** Changes of other keys since the last message (a position event keeps an idle watcher resumable). */
  private quiet = 0;
  private quietScheduled = false;
  private closed = false;
  private off: (() => void) | null = null;

  constructor(feeds: Feeds, spec: FeedSpec, user: User, sink: FeedSink) {
    this.feeds = feeds;
    this.spec = spec;
    this.user = user;
    this.sink = sink;
    this.keys = new Set(spec.keys);
  }

  matches(key: string): boolean {
    if (this.keys.has(key)) return true;
    for (const p of this.spec.prefixes) if (key.startsWith(p)) return true;
    for (const p of this.spec.patterns) if (globMatch(p, key)) return true;
    return false;
  }

  private visible(key: string): boolean {
    return this.matches(key) && this.feeds.host.acl.keyReadable(this.user, key);
  }

  /** Starts from `from` (a position token) or with a snapshot; then follows live changes. */
  start(from: string | null): void {
    const pos = from === null ? null : parsePosition(from);
    if (pos === null || !this.resume(pos)) this.snapshot(from !== null);
    this.off = this.feeds.host.changes.subscribe((_shard, _seq, db, key, event) => this.changed(db, key, event));
  }

  /** The keys changed since `from`, in one batch; false when that is not possible (a resync is due). */
  private resume(from: Position): boolean {
    const changed = new Set<string>();
    const r = this.feeds.host.changes.replay(from, (_shard, _seq, db, key) => {
      if (db === this.spec.db && this.visible(key)) changed.add(key);
    });
    if (r.behind.length !== 0) return false;
    this.sendBatch(changed);
    return true;
  }

  private snapshot(resync: boolean): void {
    const { db, base64 } = this.spec;
    const entries: string[] = [];
    const add = (key: string): void => {
      const v = this.feeds.value(db, key, base64);
      if (v !== null) entries.push(`${jsonBytes(key, base64)}:${v}`);
    };
    if (this.spec.patterns.length === 0 && this.spec.prefixes.length === 0) {
      for (const k of this.keys) if (this.feeds.host.acl.keyReadable(this.user, k)) add(k);
    } else {
      for (const shard of this.feeds.host.engine.shards) {
        const ks = shard.dbs[db];
        if (ks === undefined) continue;
        for (const k of ks.data.keys()) if (this.visible(k)) add(k);
      }
    }
    const p = this.feeds.position();
    this.send('snapshot', p, `{"type":"snapshot","resync":${resync},"db":${db},"position":"${p}","keys":{${entries.join(',')}}}`);
  }

  private changed(db: number, key: string, event: string): void {
    if (this.closed) return;
    if (db !== this.spec.db || !this.visible(key)) {
      this.idle();
      return;
    }
    this.quiet = 0;
    if (this.dirty !== null) return this.remember(key);
    const p = this.feeds.position();
    const v = this.feeds.value(db, key, this.spec.base64) ?? 'null';
    this.send('change', p, `{"type":"change","position":"${p}","key":${jsonBytes(key, this.spec.base64)},"event":${JSON.stringify(event)},"value":${v}}`);
  }

  /** Sends a message; a sink that refuses more puts the feed in coalescing mode until it drains. */
  private send(type: string, position: string, json: string): void {
    if (this.sink.send(type, position, json) || this.dirty !== null) return;
    this.dirty = new Set();
    this.sink.onDrain(() => this.drained());
  }

  private remember(key: string): void {
    if (this.dirty === 'resync') return;
    this.dirty!.add(key);
    if (this.dirty!.size > MAX_DIRTY) this.dirty = 'resync';
  }

  /** A fresh snapshot marked resync (now, or once a backed-up transport drains). */
  resync(): void {
    if (this.closed) return;
    if (this.dirty !== null) this.dirty = 'resync';
    else this.snapshot(true);
  }

  /** The transport has room again: what changed meanwhile, in one batch (or a resync snapshot). */
  private drained(): void {
    const d = this.dirty;
    if (this.closed || d === null) return;
    this.dirty = null;
    if (d === 'resync') this.snapshot(true);
    else this.sendBatch(d);
  }

  private sendBatch(keys: Set<string>): void {
    const { db, base64 } = this.spec;
    const entries: string[] = [];
    for (const k of keys) entries.push(`${jsonBytes(k, base64)}:${this.feeds.value(db, k, base64) ?? 'null'}`);
    const p = this.feeds.position();
    this.send('batch', p, `{"type":"batch","position":"${p}","keys":{${entries.join(',')}}}`);
  }

  /** Many changes of other keys: a position event, so a resume after them needs no resync. */
  private idle(): void {
    if (++this.quiet < this.feeds.retention / 4 || this.quietScheduled || this.dirty !== null) return;
    this.quietScheduled = true;
    setImmediate(() => {
      this.quietScheduled = false;
      this.quiet = 0;
      if (this.closed || this.dirty !== null) return;
      const p = this.feeds.position();
      this.send('position', p, `{"type":"position","position":"${p}"}`);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.off?.();
    this.feeds.closed(this);
  }
}

export class Feeds {
  readonly host: FeedsHost;
  private readonly open = new Set<Feed>();
  retention = 0;
  /** The last value encoded (several feeds on one key encode it once per change). */
  private cache: { shard: number; seq: number; db: number; key: string; base64: boolean; json: string | null } | null = null;

  constructor(host: FeedsHost) {
    this.host = host;
    // a database swapped under a feed: everything it follows may differ, with no key event to say so
    host.swapDbHooks.push((a, b) => {
      for (const f of this.open) if (f.spec.db === a || f.spec.db === b) f.resync();
    });
  }

  get count(): number {
    return this.open.size;
  }

  /** A new feed; it starts (snapshot or resume) at once. */
  watch(spec: FeedSpec, user: User, sink: FeedSink, from: string | null): Feed {
    const want = getConfigNumber(this.host.config, 'feed-retention', DEFAULT_RETENTION);
    if (this.host.changes.retained < want) this.host.changes.setRetention(want);
    this.retention = this.host.changes.retained;
    const f = new Feed(this, spec, user, sink);
    this.open.add(f);
    f.start(from);
    return f;
  }

  closed(f: Feed): void {
    this.open.delete(f);
  }

  position(): string {
    return positionToken(this.host.changes.position());
  }

  /** A key's value as JSON now, null when it does not exist. */
  value(db: number, key: string, base64: boolean): string | null {
    const engine = this.host.engine;
    const shard = engine.shardIdOf(key);
    const seq = engine.shards[shard]!.seq;
    const c = this.cache;
    if (c !== null && c.shard === shard && c.seq === seq && c.db === db && c.key === key && c.base64 === base64) return c.json;
    const v = engine.keyspace(key, db).peek(key);
    const json = v === undefined ? null : valueJson(v, base64);
    this.cache = { shard, seq, db, key, base64, json };
    return json;
  }
}
