/**
 * A point-in-time walk over the whole dataset without stopping the world
 * and without fork, shared by BGSAVE (RDB) and the AOF rewrite (an RDB
 * preamble or commands): the key tables are serialized a slice at a time
 * between client requests, and the output still shows the dataset as it was
 * when the walk started. What a key becomes in the output is up to a
 * SnapshotFormat; the walk only decides which keys, when and where.
 *
 * Each keyspace's key table (key-table.ts) is walked in place by its scan
 * cursor (KeyWalk), a position in the table's hash space: every key present
 * throughout comes exactly once whatever the table does between slices, and
 * at a bucket boundary the cursor tells whether a key has been passed.
 * While the walk runs, every keyspace tells it (Keyspace.snap) before a key
 * is read for writing, replaced, deleted or has its TTL changed; a key the
 * walk has not passed yet is serialized at that moment — its value as of
 * the start — and marked so the walk skips it. Keys created after the start
 * are marked too (or lie behind the cursor) and are never written.
 * FLUSHDB/FLUSHALL give a keyspace a new table and SWAPDB moves tables
 * between databases, so the state is kept per table: the old table, no
 * longer written to, is walked to the end under the database it belonged to.
 *
 * Several walks may run at once (a BGSAVE started by the save schedule while
 * an AOF rewrite runs): Keyspace.snap then holds a fan-out to all of them.
 *
 * The memory this costs is the set of keys written ahead of the walk or
 * created during it, plus the serialized bytes of keys changed ahead of the
 * walk in databases not reached yet; no value is copied otherwise.
 */
import { viewOf, type Stored } from '../datatypes/stored.ts';
import type { Engine } from '../engine/engine.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import { KeyWalk, type KeyTable } from '../engine/key-table.ts';
import type { Value } from '../datatypes/value.ts';

/** Time slice of serialization per event-loop turn. */
const SLICE_MS = 2;

/** How a walk's keys are written: the main output, and side buffers for databases not reached yet. */
export interface SnapshotFormat<S> {
  /** What precedes the first database (called once, when the walk starts). */
  header(): void;
  /** Opens database `db`'s section of the main output; `keys` / `expires` are size hints. */
  selectDb(db: number, keys: number, expires: number): void;
  /**
   * One key (with its absolute expiry in ms) to the main output (`side` null)
   * or to a side buffer; `ks` is the keyspace holding it (for its LRU/LFU word).
   */
  key(side: S | null, key: string, v: Value, when: number | undefined, ks: Keyspace): void;
  /** A buffer for keys of a database the walk has not reached yet. */
  newSide(): S;
  /** Appends a side buffer to the main output (right after selectDb of its database). */
  appendSide(side: S): void;
  /** What follows the last database. */
  finish(): void;
}

export interface SnapshotStats {
  keys: number;
  /** Keys saved ahead of the walk because a command was about to change them. */
  early: number;
  /** Longest slice of work done in one event-loop turn, in ms. */
  longestSliceMs: number;
}

type SnapHook = { beforeWrite(ks: Keyspace, key: string): void };

/** Keyspace.snap while more than one walk runs. */
class FanOut implements SnapHook {
  readonly hooks: SnapHook[];

  constructor(hooks: SnapHook[]) {
    this.hooks = hooks;
  }

  beforeWrite(ks: Keyspace, key: string): void {
    for (const h of this.hooks) h.beforeWrite(ks, key);
  }
}

function attachHook(ks: Keyspace, h: SnapHook): void {
  const cur = ks.snap;
  if (cur === null) ks.snap = h;
  else if (cur instanceof FanOut) cur.hooks.push(h);
  else ks.snap = new FanOut([cur, h]);
}

function detachHook(ks: Keyspace, h: SnapHook): void {
  const cur = ks.snap;
  if (cur === h) ks.snap = null;
  else if (cur instanceof FanOut) {
    const i = cur.hooks.indexOf(h);
    if (i >= 0) cur.hooks.splice(i, 1);
    if (cur.hooks.length === 1) ks.snap = cur.hooks[0]!;
  }
}

/**
 * A set of keys split over many small Sets: one huge Set would stall the
 * event loop for tens of milliseconds each time it grows (rehashing a
 * million entries at once).
 */
class KeySet {
  private readonly parts: Array<Set<string>> = Array.from({ length: 256 }, () => new Set<string>());

  private part(key: string): Set<string> {
    const n = key.length;
    const h = n === 0 ? 0 : (key.charCodeAt(n - 1) * 31 + (n > 1 ? key.charCodeAt(n - 2) * 7 : 0) + (n > 2 ? key.charCodeAt(n - 3) : 0) + n) & 255;
    return this.parts[h]!;
  }

  size = 0;

  has(key: string): boolean {
    return this.part(key).has(key);
  }

  add(key: string): void {
    const p = this.part(key);
    if (p.has(key)) return;
    p.add(key);
    this.size++;
  }
}

/** One key table as it was at the start of the walk. */
interface TableState {
  readonly db: number;
  /** The keyspace that held the table at the start. */
  readonly ks: Keyspace;
  readonly map: KeyTable;
  /** Keys written ahead of the walk, or created after its start: the walk skips them. */
  readonly done: KeySet;
  /** The walk over `map`, once it has started. */
  walk: KeyWalk | null;
}

/** A key's expiry in `table` (its TTL lives beside its slot), or undefined. */
function expiryOf(table: KeyTable, key: string): number | undefined {
  const when = table.volatile === 0 ? 0 : table.expireAt(key);
  return when === 0 ? undefined : when;
}

/** Thrown by run() when the walk was cancelled. */
export class SnapshotCancelled extends Error {
  constructor() {
    super('snapshot cancelled');
  }
}

export class SnapshotWalker<S> {
  private readonly byMap = new Map<KeyTable, TableState>();
  private readonly tables: TableState[] = [];
  private readonly spaces: Keyspace[] = [];
  /** Database whose section is being written (-1 before the first). */
  private currentDb = -1;
  /** Keys of databases not reached yet, written ahead of the walk. */
  private readonly pending = new Map<number, S>();
  private readonly now0: number;
  private cancelled = false;
  private attached = true;
  readonly stats: SnapshotStats = { keys: 0, early: 0, longestSliceMs: 0 };
  private readonly hook: SnapHook = { beforeWrite: (ks, key) => this.beforeWrite(ks, key) };
  private readonly engine: Engine;
  private readonly format: SnapshotFormat<S>;

  /** The point in time is now: writes are watched and the header is written before this returns. */
  constructor(engine: Engine, format: SnapshotFormat<S>) {
    this.engine = engine;
    this.format = format;
    this.now0 = engine.now();
    for (let db = 0; db < engine.databases; db++) {
      for (const ks of engine.keyspaces(db)) {
        const st: TableState = { db, ks, map: ks.data, done: new KeySet(), walk: null };
        this.byMap.set(ks.data, st);
        this.tables.push(st);
        this.spaces.push(ks);
        attachHook(ks, this.hook);
      }
    }
    format.header();
  }

  /**
   * Writes the whole dataset, yielding to the event loop between slices; `flush` drains output. Rejects with SnapshotCancelled after cancel().
   * `keyDelayUs` (rdb-key-save-delay, Redis's test hook) slows the walk down to that many microseconds per key written, read again as it waits.
   */
  async run(flush: () => Promise<void>, keyDelayUs: () => number = () => 0): Promise<void> {
    try {
      if (this.cancelled) throw new SnapshotCancelled();
      for (let db = 0; db < this.engine.databases; db++) {
        const tables = this.openDb(db);
        for (const t of tables) {
          const it = (t.walk = new KeyWalk(t.map));
          for (;;) {
            const before = this.stats.keys;
            const finished = this.slice(t, it, keyDelayUs() > 0);
            await this.pace(this.stats.keys - before, keyDelayUs);
            if (finished) break;
            await flush();
            await new Promise<void>((resolve) => setImmediate(resolve));
            if (this.cancelled) throw new SnapshotCancelled();
          }
        }
      }
      this.close();
    } finally {
      this.detach();
    }
  }

  /** Waits `keys` × keyDelayUs() µs, in steps of at most 100 ms that read the delay again (CONFIG SET rdb-key-save-delay 0 ends it). */
  private async pace(keys: number, keyDelayUs: () => number): Promise<void> {
    let leftMs = (keys * keyDelayUs()) / 1000;
    while (leftMs > 0 && !this.cancelled) {
      const step = Math.min(leftMs, 100);
      await new Promise<void>((resolve) => setTimeout(resolve, step));
      leftMs = keyDelayUs() > 0 ? leftMs - step : 0;
    }
    if (this.cancelled) throw new SnapshotCancelled();
  }

  /** Writes the whole dataset in one go (nothing can change it meanwhile). */
  runSync(): void {
    try {
      for (let db = 0; db < this.engine.databases; db++) {
        for (const t of this.openDb(db)) {
          const it = (t.walk = new KeyWalk(t.map));
          while (!this.slice(t, it));
        }
      }
      this.close();
    } finally {
      this.detach();
    }
  }

  /** Stops watching writes; a running run() rejects at its next slice. */
  cancel(): void {
    this.cancelled = true;
    this.detach();
  }

  private detach(): void {
    if (!this.attached) return;
    this.attached = false;
    for (const ks of this.spaces) detachHook(ks, this.hook);
  }

  /** Starts database `db` (when it has anything to write); its tables. */
  private openDb(db: number): TableState[] {
    const tables = this.tables.filter((t) => t.db === db);
    let keys = 0;
    let expires = 0;
    for (const t of tables) {
      keys += t.map.size;
      expires += t.map.volatile;
    }
    const early = this.pending.get(db);
    if (keys === 0 && early === undefined) return [];
    this.format.selectDb(db, keys, expires);
    this.currentDb = db;
    if (early !== undefined) {
      this.pending.delete(db);
      this.format.appendSide(early);
    }
    return tables;
  }

  private close(): void {
    this.currentDb = this.engine.databases;
    this.format.finish();
  }

  /** One slice of a table's walk; true when the table is done. */
  private slice(t: TableState, it: KeyWalk, paced = false): boolean {
    const t0 = performance.now();
    let n = 0;
    let finished = true;
    // the walk returns every key present throughout once (the table cannot shrink under it);
    // a slice ends only between buckets, where passed() is exact
    const done = t.done;
    for (let key = it.next(); key !== undefined; key = it.next()) {
      if (done.size === 0 || !done.has(key)) {
        this.write(null, key, it.value!, expiryOf(t.map, key), t.ks);
        // paced (rdb-key-save-delay): a bucket a slice, so the walk sleeps after its keys as Redis's child after each key
        if (paced && it.atBoundary) {
          finished = false;
          break;
        }
      }
      // check the clock every 64 keys, between buckets
      if (++n >= 64 && it.atBoundary) {
        n = 0;
        if (performance.now() - t0 >= SLICE_MS) {
          finished = false;
          break;
        }
      }
    }
    const ms = performance.now() - t0;
    if (ms > this.stats.longestSliceMs) this.stats.longestSliceMs = ms;
    return finished;
  }

  private write(side: S | null, key: string, v: Stored, when: number | undefined, ks: Keyspace): void {
    if (when !== undefined && when <= this.now0) return;
    this.format.key(side, key, viewOf(v), when, ks);
    this.stats.keys++;
  }

  /** A key is about to change: write it first if the walk has not reached it. */
  private beforeWrite(ks: Keyspace, key: string): void {
    const t = this.byMap.get(ks.data);
    if (t === undefined || (t.walk !== null && t.walk.passed(key)) || t.done.has(key)) return;
    t.done.add(key);
    const v = t.map.get(key);
    // a key created during the walk is not part of it
    if (v === undefined) return;
    this.stats.early++;
    const when = expiryOf(t.map, key);
    if (t.db <= this.currentDb) {
      this.write(null, key, v, when, ks);
      return;
    }
    let side = this.pending.get(t.db);
    if (side === undefined) {
      side = this.format.newSide();
      this.pending.set(t.db, side);
    }
    this.write(side, key, v, when, ks);
  }
}
