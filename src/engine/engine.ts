/**
 * The router: key → hash slot → shard. With one shard every key goes to it
 * without hashing. The shards of one thread run on its event loop, so a
 * multi-key command that touches several of them runs its parts back to back
 * in one tick and is atomic and isolated exactly as in Redis. With several
 * threads (src/threads/) a key of a shard another thread owns is reached
 * through `remote`: it borrows the key into this thread's guest shard for
 * the running command.
 */
import { wallMicros } from './clock.ts';
import { Shard, type FlushInterest, type KeyEventListener } from './shard.ts';
import type { Keyspace } from './keyspace.ts';
import { keySlot, SLOT_COUNT } from './slots.ts';
import { ActiveExpiry } from './expiry.ts';

export interface EngineOptions {
  shards: number;
  databases: number;
  /** Thread-per-shard mode: this thread's index and the thread count (shard i belongs to thread i % count). */
  thread?: { index: number; count: number };
}

/** Keys of shards other threads own (src/threads/borrow.ts). */
export interface RemoteKeys {
  /** The keyspace holding `key` of shard `sid` for the running command (this thread's guest). */
  borrow(sid: number, key: string, db: number): Keyspace;
  /** Runs `req` on thread t (held for the running command) and returns its answer. */
  ask(t: number, req: { op: string; [field: string]: unknown }): unknown;
  /**
   * Takes the global lock now, before the command reads anything: a command
   * that may reach other threads' keys must hold it from its first read, or
   * a thread holding this one while it waited could change keys it already read.
   */
  lockFirst(): void;
  /**
   * Counts a reason to hear of changes to another thread's key (a client
   * blocked on it or WATCHing it) or drops one: while any is left, its owner
   * reports every change, as a 'changed' event of this thread's guest shard.
   * Keys of this thread are ignored (their events are heard directly).
   */
  interest(db: number, key: string, on: boolean): void;
  /** Holds the owners of `keys` and hears every change they reported before (EXEC's WATCH check). */
  catchUp(db: number, keys: readonly string[]): void;
  /** Gives the borrowed keys back to their owners now, still holding them (before whole-keyspace changes). */
  flushBack(): void;
  /**
   * Whether commands are routed to other threads (jobs, the lock, settings
   * replayed everywhere). False while a thread loads an AOF on its own, with
   * every key it meets in its guest shard (threads/loading-remote.ts).
   */
  readonly routes: boolean;
}

export class Engine {
  /** The shards this thread owns (all of them with one thread). */
  readonly shards: Shard[] = [];
  /** Every shard id → its Shard here, or null when another thread owns it. */
  readonly byId: (Shard | null)[] = [];
  /** Total shards across threads. */
  readonly shardCount: number;
  /** Thread index → the thread count (1: no threads). */
  readonly threadIndex: number;
  readonly threadCount: number;
  /** Holds borrowed keys of other threads' shards (threaded mode only). */
  readonly guest: Shard | null;
  /** Set by the thread runtime in threaded mode. */
  remote: RemoteKeys | null = null;
  /**
   * Set while this thread applies what another thread's command did to keys
   * it borrowed: the command's own thread already notified and propagated
   * it, so keyspace notifications and the write stream ignore these events.
   */
  replaying = false;
  /**
   * Scripts running (even across turns of the event loop, past
   * busy-reply-threshold): keys borrowed from other threads, and the threads
   * held, stay so until none is left.
   */
  pinned = 0;
  /** While replaying: the thread whose command it was (it heard its own changes already). */
  replayFrom = -1;
  /**
   * With threads: the id of the client whose request runs now (a job's
   * connection, a borrower's writer while its write-backs apply), so that
   * another thread's NOLOOP tracking client skips its own writes.
   */
  writerId = 0;
  /** Owner shard of each of the 16384 slots. */
  readonly slotOwner = new Uint16Array(SLOT_COUNT);
  readonly databases: number;
  readonly expiry: ActiveExpiry;
  /** A command's frozen clock: while set, every shard's now() returns it. */
  private frozenNow = 0;
  /** The same frozen moment in microseconds (TIME). */
  private frozenUs = 0;

  constructor(opts: EngineOptions) {
    const threads = opts.thread?.count ?? 1;
    const index = opts.thread?.index ?? 0;
    const n = Math.max(threads, Math.min(opts.shards, 1024));
    this.shardCount = n;
    this.threadIndex = index;
    this.threadCount = threads;
    this.databases = opts.databases;
    const now = (): number => (this.frozenNow !== 0 ? this.frozenNow : Date.now());
    for (let i = 0; i < n; i++) {
      if (i % threads !== index) {
        this.byId.push(null);
        continue;
      }
      const s = new Shard(i, opts.databases);
      s.now = now;
      this.shards.push(s);
      this.byId.push(s);
    }
    if (threads > 1) {
      this.guest = new Shard(-1, opts.databases);
      this.guest.now = now;
    } else this.guest = null;
    this.eventShards = this.guest === null ? this.shards : [...this.shards, this.guest];
    // contiguous slot ranges per shard, as a cluster would assign them
    for (let slot = 0; slot < SLOT_COUNT; slot++) this.slotOwner[slot] = Math.floor((slot * n) / SLOT_COUNT);
    this.expiry = new ActiveExpiry(this);
  }

  /** The id of the shard that owns `key`. */
  shardIdOf(key: string): number {
    return this.shardCount === 1 ? 0 : this.slotOwner[keySlot(key)]!;
  }

  /** The id of the shard that owns hash slot `slot`. */
  shardOfSlot(slot: number): number {
    return this.shardCount === 1 ? 0 : this.slotOwner[slot]!;
  }

  /** The thread that owns shard `sid`. */
  threadOf(sid: number): number {
    return sid % this.threadCount;
  }

  /** The keyspace that owns `key` in database `db` (a borrowed key's guest keyspace for another thread's key). */
  keyspace(key: string, db: number): Keyspace {
    if (this.shardCount === 1) return this.shards[0]!.dbs[db]!;
    const sid = this.slotOwner[keySlot(key)]!;
    const sh = this.byId[sid] ?? null;
    if (sh !== null) return sh.dbs[db]!;
    return this.remote!.borrow(sid, key, db);
  }

  /** The keyspace of `key` when this thread owns it, else null. */
  localKeyspace(key: string, db: number): Keyspace | null {
    if (this.shardCount === 1) return this.shards[0]!.dbs[db]!;
    const sh = this.byId[this.slotOwner[keySlot(key)]!] ?? null;
    return sh === null ? null : sh.dbs[db]!;
  }

  /** The shards whose key events this thread's listeners hear: its own and its guest. */
  readonly eventShards: Shard[];

  /** Listens to every key event this thread sees (own shards and borrowed keys). */
  onKeyEvent(fn: KeyEventListener, flushes: FlushInterest | null = null): () => void {
    const offs = this.eventShards.map((s) => s.onKeyEvent(fn, flushes));
    return () => {
      for (const off of offs) off();
    };
  }

  /** Every shard's keyspace for database `db`, in shard order. */
  keyspaces(db: number): Keyspace[] {
    return this.shards.map((s) => s.dbs[db]!);
  }

  /** Number of keys in `db` (expired-but-not-yet-collected keys included, as in Redis). */
  dbSize(db: number): number {
    let n = 0;
    for (const s of this.shards) n += s.dbs[db]!.size;
    return n;
  }

  flushDb(db: number): void {
    for (const s of this.shards) s.dbs[db]!.clear();
  }

  flushAll(): void {
    for (const s of this.shards) for (const ks of s.dbs) ks.clear();
  }

  /** Swaps two databases of this thread's shards (SWAPDB runs on every thread: server/thread-gate.ts). */
  swapDb(a: number, b: number): void {
    // keys borrowed from other threads go back to their databases first
    this.remote?.flushBack();
    for (const s of this.shards) s.swapDb(a, b);
    // loading an AOF alone, the guest holds the other threads' keys (threads/loading-remote.ts)
    if (this.remote !== null && !this.remote.routes) this.guest!.swapDb(a, b);
  }

  /**
   * Freezes now() until thawClock(): a script sees one time for its whole
   * run, as Redis's script snapshot_time (keys expire as of its start).
   */
  freezeClock(now = Date.now(), us = this.nowUs()): void {
    this.frozenNow = now;
    // the microseconds within that millisecond
    this.frozenUs = Math.max(now * 1000, Math.min(us, now * 1000 + 999));
  }

  thawClock(): void {
    this.frozenNow = 0;
  }

  /** CLIENT PAUSE holds expiry: no key is deleted for its TTL (actively or lazily) until it ends. */
  setExpiryPaused(paused: boolean): void {
    for (const sh of this.shards) sh.expiryPaused = paused;
    this.expiry.paused = paused;
  }

  /** A replica runs its primary's commands with every key live (replication/replica.ts). */
  setExpiryIgnored(ignored: boolean): void {
    for (const sh of this.eventShards) sh.expiryIgnored = ignored;
  }

  /** Current time as the running command sees it. */
  now(): number {
    return this.frozenNow !== 0 ? this.frozenNow : Date.now();
  }

  /** The same in microseconds (TIME: Redis's cached ustime, one value for a script or an EXEC, 7.2+). */
  nowUs(): number {
    return this.frozenNow !== 0 ? this.frozenUs : wallMicros();
  }

  close(): void {
    this.expiry.stop();
  }
}
