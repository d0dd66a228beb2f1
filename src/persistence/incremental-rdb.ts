/**
 * BGSAVE without stopping the world and without fork: the dataset is
 * serialized a slice at a time between client requests, and the file still
 * shows the dataset as it was when the save started.
 *
 * Each keyspace's key table (a Map) is walked in place. While the save runs,
 * every keyspace tells it (Keyspace.snap) before a key is read for writing,
 * replaced, deleted or has its TTL changed; a key the walk has not reached
 * yet is serialized at that moment — its value as of the start — and marked
 * so the walk skips it. Keys created after the start are marked too and never
 * saved. FLUSHDB/FLUSHALL give a keyspace a new Map and SWAPDB moves Maps
 * between databases, so the state is kept per Map: the old Map, no longer
 * written to, is walked to the end under the database it belonged to.
 *
 * The memory this costs is the set of keys already handled (a few bytes per
 * key) plus the serialized bytes of keys changed ahead of the walk in
 * databases not reached yet; no value is copied otherwise.
 */
import type { Engine } from '../engine/engine.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import type { Value } from '../datatypes/value.ts';
import { RdbOut } from './rdb-out.ts';
import { RDB_OP } from './rdb-types.ts';
import { writeKeyEntry, writeRdbHeader, type RdbSaveOptions } from './rdb-writer.ts';

/** Time slice of serialization per event-loop turn. */
const SLICE_MS = 2;

/** One key table as it was at the start of the save. */
interface TableState {
  readonly db: number;
  readonly map: Map<string, Value>;
  readonly expires: Map<string, number>;
  /** Keys saved (or never to be saved): the walk skips them. */
  readonly done: KeySet;
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

  has(key: string): boolean {
    return this.part(key).has(key);
  }

  add(key: string): void {
    this.part(key).add(key);
  }
}

export interface SnapshotStats {
  keys: number;
  /** Keys saved ahead of the walk because a command was about to change them. */
  early: number;
  /** Longest slice of work done in one event-loop turn, in ms. */
  longestSliceMs: number;
}

export class IncrementalSnapshot {
  private readonly byMap = new Map<Map<string, Value>, TableState>();
  private readonly tables: TableState[] = [];
  private readonly spaces: Keyspace[] = [];
  /** Database whose section is being written (-1 before the first). */
  private currentDb = -1;
  /** Keys of databases not reached yet, saved ahead of the walk. */
  private readonly pending = new Map<number, RdbOut>();
  private readonly now0: number;
  readonly stats: SnapshotStats = { keys: 0, early: 0, longestSliceMs: 0 };
  private readonly hook = { beforeWrite: (ks: Keyspace, key: string): void => this.beforeWrite(ks, key) };

  private readonly engine: Engine;
  private readonly out: RdbOut;
  private readonly opts: RdbSaveOptions;

  constructor(engine: Engine, out: RdbOut, opts: RdbSaveOptions) {
    this.engine = engine;
    this.out = out;
    this.opts = opts;
    this.now0 = engine.now();
    for (let db = 0; db < engine.databases; db++) {
      for (const ks of engine.keyspaces(db)) {
        const st: TableState = { db, map: ks.data, expires: ks.expires, done: new KeySet() };
        this.byMap.set(ks.data, st);
        this.tables.push(st);
        this.spaces.push(ks);
        ks.snap = this.hook;
      }
    }
  }

  /** Serializes the whole dataset, yielding to the event loop between slices; `flush` drains output. */
  async run(flush: () => Promise<void>): Promise<void> {
    try {
      writeRdbHeader(this.out, this.engine, this.opts);
      for (let db = 0; db < this.engine.databases; db++) {
        const tables = this.tables.filter((t) => t.db === db);
        let keys = 0;
        let expires = 0;
        for (const t of tables) {
          keys += t.map.size;
          expires += t.expires.size;
        }
        const early = this.pending.get(db);
        if (keys === 0 && early === undefined) continue;
        this.out.byte(RDB_OP.SELECTDB);
        this.out.len(db);
        this.out.byte(RDB_OP.RESIZEDB);
        this.out.len(keys);
        this.out.len(expires);
        this.currentDb = db;
        if (early !== undefined) {
          this.pending.delete(db);
          this.out.bytes(early.done());
        }
        for (const t of tables) await this.walk(t, flush);
      }
      this.currentDb = this.engine.databases;
      this.out.byte(RDB_OP.EOF);
      this.out.finishWithChecksum();
    } finally {
      this.detach();
    }
  }

  /** Stops watching writes without saving (the file could not be opened). */
  abort(): void {
    this.detach();
  }

  private detach(): void {
    for (const ks of this.spaces) if (ks.snap === this.hook) ks.snap = null;
  }

  private async walk(t: TableState, flush: () => Promise<void>): Promise<void> {
    const it = t.map.entries();
    for (;;) {
      const t0 = performance.now();
      let n = 0;
      for (;;) {
        const r = it.next();
        if (r.done === true) {
          this.noteSlice(t0);
          return;
        }
        const [key, v] = r.value;
        if (t.done.has(key)) continue;
        t.done.add(key);
        this.save(this.out, key, v, t.expires.get(key));
        // check the clock every 64 keys
        if ((++n & 63) === 0 && performance.now() - t0 >= SLICE_MS) break;
      }
      this.noteSlice(t0);
      await flush();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private noteSlice(t0: number): void {
    const ms = performance.now() - t0;
    if (ms > this.stats.longestSliceMs) this.stats.longestSliceMs = ms;
  }

  private save(out: RdbOut, key: string, v: Value, when: number | undefined): void {
    if (when !== undefined && when <= this.now0) return;
    writeKeyEntry(out, key, v, when, this.opts);
    this.stats.keys++;
  }

  /** A key is about to change: save it first if the walk has not reached it. */
  private beforeWrite(ks: Keyspace, key: string): void {
    const t = this.byMap.get(ks.data);
    if (t === undefined || t.done.has(key)) return;
    t.done.add(key);
    const v = t.map.get(key);
    // a key created during the save is not part of it
    if (v === undefined) return;
    this.stats.early++;
    if (t.db <= this.currentDb) {
      this.save(this.out, key, v, t.expires.get(key));
      return;
    }
    let side = this.pending.get(t.db);
    if (side === undefined) {
      side = new RdbOut({ compress: this.opts.compress, checksum: false });
      this.pending.set(t.db, side);
    }
    this.save(side, key, v, t.expires.get(key));
  }
}
