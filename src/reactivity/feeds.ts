/**
 * Key feeds (docs/feeds.md): a watcher follows keys, glob patterns or
 * prefixes of one database and receives their values as they change,
 * built on the change stream (change-stream.ts).
 *
 * - Start: a snapshot of the matching keys with their values and the
 *   position it was taken at, then every matching change in commit order
 *   with the key's new value (null once it is gone) and the position after
 *   it.
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
 *
 * A Feed gathers its parts (feed-part.ts): one per thread owning keys it
 * follows, each the keys of that thread's shards. Snapshots, resumes and
 * catch-ups ask every part and go out as one message once all have answered;
 * a position names each shard's seq, so parts on different threads combine
 * into one position.
 */
import type { Engine } from '../engine/engine.ts';
import type { ChangeStream, Position } from './change-stream.ts';
import type { Acl } from '../security/acl.ts';
import type { User } from '../security/acl-user.ts';
import type { Config } from '../config/config.ts';
import { getConfigNumber } from '../config/config.ts';
import { valueJson } from './value-json.ts';
import { FeedPart, MAX_DIRTY, type FeedSpec, type PartHost, type PartItem, type PartRequest } from './feed-part.ts';

export type { FeedSpec } from './feed-part.ts';

/** Where a feed's messages go (an SSE response, a WebSocket). */
export interface FeedSink {
  /** One message; false when the transport is backed up (the feed then coalesces until it drains). */
  send(type: string, position: string, json: string): boolean;
  /** Calls `fn` once when a backed-up transport has room again ('drain'). */
  onDrain(fn: () => void): void;
}

/** How a feed reaches its parts on other threads (threads/feed-threads.ts). */
export interface FeedThreads {
  /** Sends feed `id`'s request to its part on thread t; an `open` names the spec and the user. */
  send(t: number, id: number, req: PartRequest, open?: { spec: FeedSpec; user: string }): void;
  /** Runs `fn` (a local part's item) in its turn among the items other threads sent this thread. */
  inOrder(fn: () => void): void;
}

export interface FeedsHost {
  readonly engine: Engine;
  /** Told of every SWAPDB (it changes two databases' content without key events). */
  readonly swapDbHooks: { push(hook: (a: number, b: number) => void): unknown };
  readonly changes: ChangeStream;
  readonly acl: Acl;
  readonly config: Config;
  /** Set with threads. */
  readonly feedThreads: FeedThreads | null;
  /** SWAPDBs applied since start. */
  readonly swapDbCount: number;
}

/** Changes retained per shard for resuming when `feed-retention` is not set. */
const DEFAULT_RETENTION = 100_000;

export function positionToken(p: Position): string {
  return `${p.epoch}-${p.seqs.join('.')}`;
}

export function parsePosition(token: string): Position | null {
  const m = /^([0-9a-f]+)-(\d+(?:\.\d+)*)$/.exec(token);
  return m === null ? null : { epoch: m[1]!, seqs: m[2]!.split('.').map(Number) };
}

/** A snapshot, resume or catch-up in progress: every part's reply, and what came after each. */
interface Gather {
  gen: number;
  /** A resync snapshot (or a catch-up that turns into one). */
  resync: boolean;
  /** Every part was asked for a snapshot (a database swapped before a part's reply is in it). */
  snapshot: boolean;
  replies: Array<Extract<PartItem, { t: 'reply' }> | null>;
  waiting: number;
  /** Items of parts that replied already, in arrival order, for after the gathered message. */
  queued: Array<[number, PartItem]>;
  /** A part asked for a resync before it replied: start over. */
  again: boolean;
}

/** A feed's way to one part: called directly, or through the thread link. */
export interface PartLink {
  handle(req: PartRequest): void;
}

export class Feed {
  readonly spec: FeedSpec;
  readonly id: number;
  private readonly feeds: Feeds;
  private readonly sink: FeedSink;
  private readonly user: User;
  private readonly parts: PartLink[] = [];
  private readonly partOf = new Map<number, number>();
  /** Each shard's seq this feed's messages are up to date with. */
  private seqs: number[];
  private gen = 0;
  private gathering: Gather | null = null;
  /** The transport is backed up: changes are kept (latest value per key) until it drains. */
  private paused = false;
  private kept = new Map<string, string>();
  private resyncDue = false;
  private resyncScheduled = false;
  /**
   * SWAPDBs the last snapshot reflects on every part, and the most any part
   * has reported: a snapshot whose parts differ is taken again.
   */
  private swapsDone = 0;
  private swapsSeen = 0;
  private closed = false;

  constructor(feeds: Feeds, id: number, spec: FeedSpec, user: User, sink: FeedSink) {
    this.feeds = feeds;
    this.id = id;
    this.spec = spec;
    this.user = user;
    this.sink = sink;
    this.seqs = new Array<number>(feeds.host.engine.shardCount).fill(0);
  }

  /** Starts from `from` (a position token) or with a snapshot; then follows live changes. */
  start(from: string | null): void {
    const f = this.feeds;
    for (const t of f.threadsFor(this.spec)) {
      const i = this.parts.length;
      this.partOf.set(t, i);
      const threads = f.host.feedThreads;
      if (threads === null) this.parts.push(f.localPart(this.spec, this.user, (item) => this.receive(i, item)));
      else if (t === f.host.engine.threadIndex) {
        this.parts.push(f.localPart(this.spec, this.user, (item) => threads.inOrder(() => this.receive(i, item))));
      } else {
        let opened = false;
        this.parts.push({
          handle: (req) => {
            threads.send(t, this.id, req, opened ? undefined : { spec: this.spec, user: this.user.name });
            opened = true;
          },
        });
      }
    }
    const pos = from === null ? null : parsePosition(from);
    const valid = pos !== null && pos.epoch === f.epoch && pos.seqs.length === this.seqs.length;
    if (valid) this.seqs = [...pos.seqs];
    this.gather(from !== null && !valid, (gen) => ({ op: 'open', gen, from: valid ? pos.seqs.slice() : null }));
  }

  /** An item from this feed's part on thread t. */
  fromThread(t: number, item: PartItem): void {
    const p = this.partOf.get(t);
    if (p !== undefined) this.receive(p, item);
  }

  /** An item from part `p` (from its thread, or called directly by a local part). */
  receive(p: number, item: PartItem): void {
    if (this.closed) return;
    const g = this.gathering;
    if (item.t === 'reply') {
      if (g === null || item.gen !== g.gen) return;
      g.replies[p] = item;
      if (--g.waiting === 0) this.complete(g);
      return;
    }
    if (g !== null) {
      if (g.replies[p] !== null) g.queued.push([p, item]);
      else if (item.t === 'resync') g.again ||= !g.snapshot;
      // sent before the part heard of the pause: part of the catch-up (a snapshot covers it anyway)
      else if (item.t === 'change' && this.paused) this.keep(item.key, item.value);
      return;
    }
    switch (item.t) {
      case 'change':
        if (this.paused) return this.keep(item.key, item.value);
        this.advance(item.seqs);
        return this.emit('change', `{"type":"change","position":"${this.position()}","key":${item.key},"event":${JSON.stringify(item.event)},"value":${item.value}}`);
      case 'position':
        if (this.paused) return;
        this.advance(item.seqs);
        return this.emit('position', `{"type":"position","position":"${this.position()}"}`);
      case 'resync':
        this.swapsSeen = Math.max(this.swapsSeen, item.swaps);
        // a snapshot taken since has it already
        if (item.swaps <= this.swapsDone) return;
        if (this.paused) this.resyncDue = true;
        else this.resyncSoon();
        return;
    }
  }

  /**
   * A resync snapshot once the running command is done: a SWAPDB reaches
   * every thread's parts within one command (its other threads held), so by
   * then all of them have swapped and one snapshot covers it.
   */
  private resyncSoon(): void {
    if (this.resyncScheduled) return;
    this.resyncScheduled = true;
    setImmediate(() => {
      this.resyncScheduled = false;
      if (this.closed) return;
      if (this.gathering !== null) this.gathering.again = true;
      else if (this.paused) this.resyncDue = true;
      else this.gather(true, (gen) => ({ op: 'sync', gen, kind: 'snapshot' }));
    });
  }

  /** Asks every part (request made per generation) and sends one message once all replied. */
  private gather(resync: boolean, request: (gen: number) => PartRequest): void {
    const gen = ++this.gen;
    const req = request(gen);
    const snapshot = (req.op === 'open' && req.from === null) || (req.op === 'sync' && req.kind === 'snapshot');
    const g: Gather = { gen, resync, snapshot, replies: this.parts.map(() => null), waiting: this.parts.length, queued: [], again: false };
    this.gathering = g;
    // a local part replies at once (the last one completes the gather)
    for (const part of this.parts) part.handle(request(gen));
  }

  private complete(g: Gather): void {
    this.gathering = null;
    let least = Infinity;
    for (const r of g.replies) {
      least = Math.min(least, r!.swaps);
      this.swapsSeen = Math.max(this.swapsSeen, r!.swaps);
    }
    // a resume that is not possible, or parts on both sides of a SWAPDB (the others have not applied it yet)
    if (g.again || least < this.swapsSeen || g.replies.some((r) => r!.kind === 'behind')) {
      return this.gather(true, (gen) => ({ op: 'sync', gen, kind: 'snapshot' }));
    }
    this.swapsDone = least;
    for (const r of g.replies) this.advance(r!.seqs);
    const pos = this.position();
    const snapshot = g.replies.every((r) => r!.kind === 'snapshot');
    const keys = snapshot ? new Map<string, string>() : this.kept;
    for (const r of g.replies) for (const [k, v] of r!.entries) keys.set(k, v);
    this.kept = new Map();
    this.paused = false;
    this.resyncDue = false;
    const body = [...keys].map(([k, v]) => `${k}:${v}`).join(',');
    if (snapshot) this.emit('snapshot', `{"type":"snapshot","resync":${g.resync},"db":${this.spec.db},"position":"${pos}","keys":{${body}}}`);
    else this.emit('batch', `{"type":"batch","position":"${pos}","keys":{${body}}}`);
    for (const [p, item] of g.queued) this.receive(p, item);
  }

  private keep(key: string, value: string): void {
    if (this.resyncDue) return;
    this.kept.set(key, value);
    if (this.kept.size > MAX_DIRTY) {
      this.resyncDue = true;
      this.kept = new Map();
    }
  }

  private advance(pairs: readonly number[]): void {
    for (let i = 0; i < pairs.length; i += 2) this.seqs[pairs[i]!] = pairs[i + 1]!;
  }

  private position(): string {
    return positionToken({ epoch: this.feeds.epoch, seqs: this.seqs });
  }

  /** Sends a message; a sink that refuses more pauses the feed until it drains. */
  private emit(type: string, json: string): void {
    if (this.sink.send(type, this.position(), json) || this.paused) return;
    this.paused = true;
    for (const part of this.parts) part.handle({ op: 'pause' });
    this.sink.onDrain(() => this.drained());
  }

  /** The transport has room again: what changed meanwhile, in one batch (or a resync snapshot). */
  private drained(): void {
    if (this.closed || !this.paused) return;
    const resync = this.resyncDue;
    this.gather(resync, (gen) => ({ op: 'sync', gen, kind: resync ? 'snapshot' : 'flush' }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const part of this.parts) part.handle({ op: 'close' });
    this.feeds.closed(this);
  }
}

export class Feeds implements PartHost {
  readonly host: FeedsHost;
  private readonly open = new Map<number, Feed>();
  /** Parts on this thread: of its own feeds and of other threads' ("thread:id"). */
  private readonly parts = new Set<FeedPart>();
  private readonly hosted = new Map<string, PartLink>();
  private nextId = 1;
  retention = 0;
  /** The last value encoded (several feeds on one key encode it once per change). */
  private cache: { shard: number; seq: number; db: number; key: string; base64: boolean; json: string | null } | null = null;

  constructor(host: FeedsHost) {
    this.host = host;
    // a database swapped under a feed: everything it follows may differ, with no key event to say so
    host.swapDbHooks.push((a, b) => {
      for (const p of this.parts) if (p.spec.db === a || p.spec.db === b) p.swapped();
    });
  }

  get engine(): Engine {
    return this.host.engine;
  }

  get changes(): ChangeStream {
    return this.host.changes;
  }

  get acl(): Acl {
    return this.host.acl;
  }

  get swaps(): number {
    return this.host.swapDbCount;
  }

  get epoch(): string {
    return this.host.changes.epoch;
  }

  /** Feeds open on this thread. */
  get count(): number {
    return this.open.size;
  }

  /** Feeds open here, parts on this thread, those paused (transport full) and the keys they have yet to send (a resync due counts as MAX_DIRTY). */
  stats(): { feeds: number; parts: number; paused: number; pending: number } {
    let paused = 0;
    let pending = 0;
    for (const p of this.parts) {
      const n = p.pending;
      if (n === 0) continue;
      paused++;
      pending += n < 0 ? MAX_DIRTY : n;
    }
    return { feeds: this.open.size, parts: this.parts.size, paused, pending };
  }

  /** A new feed; it starts (snapshot or resume) at once. */
  watch(spec: FeedSpec, user: User, sink: FeedSink, from: string | null): Feed {
    const f = new Feed(this, this.nextId++, spec, user, sink);
    this.open.set(f.id, f);
    f.start(from);
    return f;
  }

  closed(f: Feed): void {
    this.open.delete(f.id);
  }

  /** The threads owning keys `spec` follows: those of its keys, or every thread for patterns and prefixes. */
  threadsFor(spec: FeedSpec): number[] {
    const e = this.host.engine;
    if (e.threadCount === 1) return [0];
    if (spec.patterns.length !== 0 || spec.prefixes.length !== 0) return Array.from({ length: e.threadCount }, (_, t) => t);
    return [...new Set(spec.keys.map((k) => e.threadOf(e.shardIdOf(k))))].sort((a, b) => a - b);
  }

  /** A part over this thread's shards, answering `out`. */
  localPart(spec: FeedSpec, user: User, out: (item: PartItem) => void): PartLink {
    this.retain();
    const part = new FeedPart(this, spec, user, out);
    this.parts.add(part);
    return {
      handle: (req) => {
        if (req.op === 'close') this.parts.delete(part);
        part.handle(req);
      },
    };
  }

  /** A request from another thread's feed to its part here. */
  serve(from: number, id: number, req: PartRequest, open: { spec: FeedSpec; user: string } | undefined, out: (item: PartItem) => void): void {
    const name = `${from}:${id}`;
    let part = this.hosted.get(name);
    if (part === undefined) {
      if (open === undefined) return;
      // a user deleted meanwhile reads nothing
      const user = this.host.acl.users.get(open.user) ?? this.host.acl.newUser(open.user);
      this.hosted.set(name, (part = this.localPart(open.spec, user, out)));
    }
    if (req.op === 'close') this.hosted.delete(name);
    part.handle(req);
  }

  /** An item from feed `id`'s part on thread `from`. */
  deliver(from: number, id: number, item: PartItem): void {
    this.open.get(id)?.fromThread(from, item);
  }

  /** The change stream keeps `feed-retention` changes per shard once a feed has a part here. */
  private retain(): void {
    const want = getConfigNumber(this.host.config, 'feed-retention', DEFAULT_RETENTION);
    if (this.host.changes.retained < want) this.host.changes.setRetention(want);
    this.retention = this.host.changes.retained;
  }

  /** A key's value as JSON now, null when it does not exist. */
  value(db: number, key: string, base64: boolean): string | null {
    const engine = this.host.engine;
    const shard = engine.shardIdOf(key);
    const seq = engine.byId[shard]!.seq;
    const c = this.cache;
    if (c !== null && c.shard === shard && c.seq === seq && c.db === db && c.key === key && c.base64 === base64) return c.json;
    const v = engine.localKeyspace(key, db)!.peek(key);
    const json = v === undefined ? null : valueJson(v, base64);
    this.cache = { shard, seq, db, key, base64, json };
    return json;
  }
}
