/**
 * The router: key → hash slot → shard. With one shard every key goes to it
 * without hashing. All shards run on the event loop, so a multi-key command
 * that touches several shards runs its parts back to back in one tick and is
 * atomic and isolated exactly as in Redis.
 */
import { Shard } from './shard.ts';
import type { Keyspace } from './keyspace.ts';
import { keySlot, SLOT_COUNT } from './slots.ts';
import { ActiveExpiry } from './expiry.ts';

export interface EngineOptions {
  shards: number;
  databases: number;
}

export class Engine {
  readonly shards: Shard[] = [];
  /** Owner shard of each of the 16384 slots. */
  readonly slotOwner = new Uint16Array(SLOT_COUNT);
  readonly databases: number;
  readonly expiry: ActiveExpiry;
  /** A command's frozen clock: while set, every shard's now() returns it. */
  private frozenNow = 0;

  constructor(opts: EngineOptions) {
    const n = Math.max(1, Math.min(opts.shards, 1024));
    this.databases = opts.databases;
    const now = (): number => (this.frozenNow !== 0 ? this.frozenNow : Date.now());
    for (let i = 0; i < n; i++) {
      const s = new Shard(i, opts.databases);
      s.now = now;
      this.shards.push(s);
    }
    // contiguous slot ranges per shard, as a cluster would assign them
    for (let slot = 0; slot < SLOT_COUNT; slot++) this.slotOwner[slot] = Math.floor((slot * n) / SLOT_COUNT);
    this.expiry = new ActiveExpiry(this);
  }

  shardOf(key: string): Shard {
    if (this.shards.length === 1) return this.shards[0]!;
    return this.shards[this.slotOwner[keySlot(key)]!]!;
  }

  /** The keyspace that owns `key` in database `db`. */
  keyspace(key: string, db: number): Keyspace {
    if (this.shards.length === 1) return this.shards[0]!.dbs[db]!;
    return this.shards[this.slotOwner[keySlot(key)]!]!.dbs[db]!;
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

  swapDb(a: number, b: number): void {
    for (const s of this.shards) s.swapDb(a, b);
  }

  /** Runs fn with time frozen, so a command sees one consistent "now" for expiry. */
  withClock<T>(fn: () => T): T {
    this.frozenNow = Date.now();
    try {
      return fn();
    } finally {
      this.frozenNow = 0;
    }
  }

  /**
   * Freezes now() until thawClock(): a script sees one time for its whole
   * run, as Redis's script snapshot_time (keys expire as of its start).
   */
  freezeClock(now = Date.now()): void {
    this.frozenNow = now;
  }

  thawClock(): void {
    this.frozenNow = 0;
  }

  /** CLIENT PAUSE holds expiry: no key is deleted for its TTL (actively or lazily) until it ends. */
  setExpiryPaused(paused: boolean): void {
    for (const sh of this.shards) sh.expiryPaused = paused;
    this.expiry.paused = paused;
  }

  /** Current time as the running command sees it. */
  now(): number {
    return this.frozenNow !== 0 ? this.frozenNow : Date.now();
  }

  close(): void {
    this.expiry.stop();
  }
}
