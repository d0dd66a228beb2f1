/**
 * Keys of other threads' shards, borrowed for the running command
 * (docs/threads.md, "Borrowed keys"). The first time a command reaches such
 * a key, this thread takes the global lock, holds the owner thread and
 * fetches the key's image (DUMP payload, TTL, LRU word) into its guest
 * shard, where the handler works on it as on any local key. When the
 * synchronous work of this turn of the event loop is done (a microtask), the
 * keys the command changed go back to their owners as write-backs with the
 * release, and the guest shard is emptied. Owners stay held from the first
 * fetch to the release, so the command is atomic and isolated.
 */
import type { Engine, RemoteKeys } from '../engine/engine.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import type { Value } from '../datatypes/value.ts';
import { viewOf } from '../datatypes/stored.ts';
import type { LinkRequest, ThreadLink } from './link.ts';

/** A key as it travels between threads. `p` null: no such key. */
export interface KeyImage {
  p: Uint8Array | null;
  /** Absolute expiry in ms, 0 for none. */
  ttl: number;
  lru: number;
}

/**
 * What a command did to a borrowed key: a new image (`p` null: deleted,
 * `event` the last key event), or only an access (`p` undefined: the LRU
 * word to keep).
 */
export interface WriteBack {
  db: number;
  key: string;
  p: Uint8Array | null | undefined;
  ttl: number;
  lru: number;
  event: string;
}

/** How values become bytes and back (DUMP payloads under the server's config). */
export interface ValueCodec {
  encode(v: Value): Uint8Array;
  decode(p: Uint8Array): Value;
  /** What of a value's encoding its image keeps (a read that converts it, as SORT does a sorted set, sends it back). */
  kind(v: Value): number;
}

export class Borrower implements RemoteKeys {
  readonly routes = true;
  private readonly engine: Engine;
  private readonly link: ThreadLink;
  private readonly codec: ValueCodec;
  private readonly guest: Keyspace[];
  /** Per database: borrowed key → its owner thread. */
  private readonly borrowed: Map<string, number>[] = [];
  /** Per database: borrowed key the command changed → its last event. */
  private readonly changed: Map<string, string>[] = [];
  /** Per database: borrowed key → its encoding kind when it came (codec.kind). */
  private readonly kinds: Map<string, number>[] = [];
  /** The lock is taken for this turn: settle() is queued. */
  private active = false;
  /** Values were written back to their owners since the last takeWroteBack() (maxmemory asks the owners then). */
  private wrote = false;

  takeWroteBack(): boolean {
    const w = this.wrote;
    this.wrote = false;
    return w;
  }

  /** Hears each change of a borrowed key as it happens (this thread's client-side caching). */
  onChange: ((db: number, key: string, event: string) => void) | null = null;
  private readonly settleTask = (): void => this.settle();

  constructor(engine: Engine, link: ThreadLink, codec: ValueCodec) {
    this.engine = engine;
    this.link = link;
    this.codec = codec;
    this.guest = engine.guest!.dbs;
    for (let db = 0; db < engine.databases; db++) {
      this.borrowed.push(new Map());
      this.changed.push(new Map());
      this.kinds.push(new Map());
    }
    engine.guest!.onKeyEvent((db, key, event) => {
      if (!this.borrowed[db]!.has(key)) return;
      this.changed[db]!.set(key, event);
      this.onChange?.(db, key, event);
    });
  }

  borrow(sid: number, key: string, db: number): Keyspace {
    const ks = this.guest[db]!;
    const keys = this.borrowed[db]!;
    if (keys.has(key)) return ks;
    const t = this.engine.threadOf(sid);
    const img = this.ask(t, { op: 'fetch', db, key }) as KeyImage;
    keys.set(key, t);
    if (img.p !== null) {
      // the key is not new: no 'new' notification while it moves in
      const onNew = ks.onNew;
      ks.onNew = null;
      const v = this.codec.decode(img.p);
      ks.set(key, v);
      ks.onNew = onNew;
      this.kinds[db]!.set(key, this.codec.kind(v));
      if (img.ttl !== 0) ks.setExpire(key, img.ttl);
      ks.setLruWord(key, img.lru);
    }
    return ks;
  }

  ask(t: number, req: LinkRequest): unknown {
    // a held thread cannot take the lock its holder has: what it would ask must wait (see interest, runtime.ts's publish)
    if (this.link.beingHeld) throw new Error(`thread ${this.link.index}: ${req.op} asked while held`);
    if (this.link.closing) throw new Error(`thread ${this.link.index}: ${req.op} asked while the server shuts down`);
    this.lockFirst();
    return this.link.request(t, req);
  }

  lockFirst(): void {
    // held by the lock's holder (running a command it replays here): covered by its lock
    if (this.link.beingHeld) return;
    if (!this.active) {
      this.active = true;
      queueMicrotask(this.settleTask);
    }
    this.link.lock();
  }

  /** Per "db:key" of other threads: reasons to hear of its changes (threads/runtime.ts's notices). */
  private readonly interests = new Map<string, number>();

  interest(db: number, key: string, on: boolean): void {
    if (this.engine.localKeyspace(key, db) !== null || this.link.closing) return;
    const id = db + ':' + key;
    const n = (this.interests.get(id) ?? 0) + (on ? 1 : -1);
    if (n > 0) this.interests.set(id, n);
    else this.interests.delete(id);
    // the owner hears of the first reason and of the last one's end
    if ((on && n === 1) || (!on && n === 0)) {
      const req = { op: 'interest', db, key, thread: this.link.index, on };
      const t = this.engine.threadOf(this.engine.shardIdOf(key));
      // a client closed while this thread is held (CLIENT KILL from another thread): told once released
      if (this.link.beingHeld) {
        setImmediate(() => {
          if (this.interests.has(db + ':' + key) === on) this.ask(t, req);
        });
      } else this.ask(t, req);
    }
  }

  catchUp(db: number, keys: readonly string[]): void {
    for (const key of keys) {
      if (this.engine.localKeyspace(key, db) === null) this.ask(this.engine.threadOf(this.engine.shardIdOf(key)), { op: 'ping' });
    }
    this.link.catchUp();
  }

  flushBack(): void {
    if (!this.active) return;
    const out = this.collect();
    for (let t = 0; t < out.length; t++) if (out[t]!.length !== 0) this.link.request(t, { op: 'writeback', wb: out[t], writer: this.engine.writerId });
  }

  /** Sends the borrowed keys back and releases the owners (end of this turn's synchronous work). */
  settle(): void {
    if (!this.active) return;
    // a script still running on a later turn: what it borrowed stays borrowed and held until it ends
    if (this.engine.pinned > 0) {
      // a thread it borrowed nothing from (held for a replay, a count …) goes back to its clients meanwhile
      const lent = new Set<number>();
      for (const keys of this.borrowed) for (const t of keys.values()) lent.add(t);
      for (let t = 0; t < this.engine.threadCount; t++) if (t !== this.link.index && !lent.has(t)) this.link.letGo(t);
      setImmediate(this.settleTask);
      return;
    }
    this.active = false;
    const out = this.collect();
    this.link.release((t) => (out[t]!.length === 0 ? undefined : { wb: out[t], writer: this.engine.writerId }));
  }

  /** Write-backs per owner thread for every borrowed key (changed ones whole, the rest as accesses); empties the guest. */
  private collect(): WriteBack[][] {
    const out: WriteBack[][] = [];
    for (let t = 0; t < this.engine.threadCount; t++) out.push([]);
    for (let db = 0; db < this.borrowed.length; db++) {
      const keys = this.borrowed[db]!;
      if (keys.size === 0) continue;
      const ks = this.guest[db]!;
      const changed = this.changed[db]!;
      for (const [key, t] of keys) {
        const event = changed.get(key);
        const raw = ks.data.get(key);
        const lru = raw === undefined ? 0 : ks.lruWord(key);
        if (event === undefined) {
          if (raw === undefined) continue;
          // only read, but converted on the way (SORT makes a listpack sorted set a skiplist): the new form goes back, as no change
          const v = viewOf(raw);
          const converted = this.codec.kind(v) !== (this.kinds[db]!.get(key) ?? 0);
          out[t]!.push({ db, key, p: converted ? this.codec.encode(v) : undefined, ttl: ks.getExpire(key) ?? 0, lru, event: '' });
          continue;
        }
        const p = raw === undefined ? null : this.codec.encode(viewOf(raw));
        if (p !== null) this.wrote = true;
        out[t]!.push({ db, key, p, ttl: ks.getExpire(key) ?? 0, lru, event });
      }
      keys.clear();
      changed.clear();
      this.kinds[db]!.clear();
      ks.clear();
    }
    return out;
  }
}

/** The owner's side: answers fetches and applies write-backs (`wb` of a release). */
export function ownerRequests(engine: Engine, codec: ValueCodec, other: (req: LinkRequest, from: number) => unknown, wroteBack: () => void = () => {}): (req: LinkRequest, from: number) => unknown {
  return (req, from) => {
    if (req.op === 'fetch') return fetchKey(engine, codec, req.db as number, req.key as string);
    if (req.op === 'ping') return undefined;
    if (req.op === 'release' || req.op === 'writeback') {
      if (req.wb !== undefined) {
        applyWriteBacks(engine, codec, req.wb as WriteBack[], from, (req.writer as number | undefined) ?? 0);
        wroteBack();
      }
      return undefined;
    }
    return other(req, from);
  };
}

function fetchKey(engine: Engine, codec: ValueCodec, db: number, key: string): KeyImage {
  const ks = ownKeyspace(engine, key, db);
  // as stored, even past its TTL: the borrowing command decides (DEBUG OBJECT sees it, a script's frozen clock …)
  const v = ks.owned(key);
  if (v === undefined) return { p: null, ttl: 0, lru: 0 };
  return { p: codec.encode(v), ttl: ks.getExpire(key) ?? 0, lru: ks.lruWord(key) };
}

function applyWriteBacks(engine: Engine, codec: ValueCodec, wbs: WriteBack[], from: number, writer: number): void {
  engine.replaying = true;
  engine.replayFrom = from;
  const writerBefore = engine.writerId;
  engine.writerId = writer;
  try {
    for (const wb of wbs) {
      const ks = ownKeyspace(engine, wb.key, wb.db);
      if (wb.p === undefined) {
        if (ks.data.has(wb.key)) ks.setLruWord(wb.key, wb.lru);
        continue;
      }
      if (wb.p === null) removeAsStored(ks, wb.key);
      else {
        ks.set(wb.key, codec.decode(wb.p));
        if (wb.ttl !== 0) ks.setExpire(wb.key, wb.ttl);
        ks.setLruWord(wb.key, wb.lru);
        // a read that converted the value: the same data in its new encoding, no change to hear of
        if (wb.event === '') continue;
      }
      // WATCH, blocked clients and the change stream of this thread hear it (notifications do not)
      ks.modified(wb.key, wb.event);
      // the write was counted where the command ran
      ks.shard.stats.dirty--;
    }
  } finally {
    engine.replaying = false;
    engine.replayFrom = -1;
    engine.writerId = writerBefore;
  }
}

/**
 * A deletion the borrower made: the key goes even if it is past its TTL here
 * while expiry is held (a replica, CLIENT PAUSE), where remove() would take
 * it for gone already and keep it (a replica's DEL from its primary).
 */
function removeAsStored(ks: Keyspace, key: string): void {
  const shard = ks.shard as { expiryIgnored: boolean };
  const was = shard.expiryIgnored;
  shard.expiryIgnored = true;
  try {
    ks.remove(key);
  } finally {
    shard.expiryIgnored = was;
  }
}

function ownKeyspace(engine: Engine, key: string, db: number): Keyspace {
  const ks = engine.localKeyspace(key, db);
  if (ks === null) throw new Error(`thread ${engine.threadIndex} does not own key ${JSON.stringify(key)}`);
  return ks;
}
