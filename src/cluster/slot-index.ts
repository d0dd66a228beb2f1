/**
 * The keys of database 0 by hash slot, for CLUSTER GETKEYSINSLOT /
 * COUNTKEYSINSLOT and SETSLOT NODE's "still holds keys" check (Redis keeps
 * a per-slot key list in cluster mode for the same reason): without it each
 * call walks the whole keyspace, and redis-cli's resharding asks once per
 * slot and again per batch of keys moved.
 *
 * Built from a scan on first use, then kept by the engine's key events: an
 * event only says that a key changed, so the index asks whether the key is
 * there afterwards (RENAME, MOVE, DEL, expiry, eviction, RESTORE all come
 * out right). Some paths change the keyspace without per-key events (an RDB
 * or AOF loaded at start-up, a replica's full sync, FLUSHALL / FLUSHDB, a
 * table replaced wholesale): the index remembers each keyspace's table and
 * the key count it saw, and any difference on use means a rebuild. Expired
 * keys not yet collected are listed, as Redis's slot lists do.
 *
 * With threads each thread indexes its own shards' keys, which hold every
 * key of their slots (a slot belongs to one shard): slotKeys / slotKeyCount
 * ask the slot's thread.
 */
import type { Engine } from '../engine/engine.ts';
import type { KeyTable } from '../engine/key-table.ts';
import { keySlot, SLOT_COUNT } from '../engine/slots.ts';

export class SlotIndex {
  private readonly engine: Engine;
  private readonly slots: Array<Set<string> | undefined> = new Array<Set<string> | undefined>(SLOT_COUNT);
  private count = 0;
  private built = false;
  /** Each shard's database-0 table when built: a replaced table (flush, load) means a rebuild. */
  private tables: KeyTable[] = [];
  /** Rebuilds so far (tests and INFO-like checks see whether events kept it). */
  rebuilds = 0;

  constructor(engine: Engine) {
    this.engine = engine;
    engine.onKeyEvent((db, key) => {
      if (db === 0 && this.built) this.update(key);
    });
  }

  private update(key: string): void {
    const ks = this.engine.localKeyspace(key, 0);
    if (ks === null) return;
    const slot = keySlot(key);
    let set = this.slots[slot];
    if (ks.data.has(key)) {
      if (set === undefined) set = this.slots[slot] = new Set();
      if (!set.has(key)) {
        set.add(key);
        this.count++;
      }
    } else if (set !== undefined && set.delete(key)) {
      this.count--;
    }
  }

  /** Up to date, rebuilt from a scan when it is not built or something bypassed the events. */
  private fresh(): void {
    const spaces = this.engine.keyspaces(0);
    if (this.built && this.count === this.engine.dbSize(0) && spaces.every((ks, i) => ks.data === this.tables[i])) return;
    this.slots.fill(undefined);
    this.count = 0;
    for (const ks of spaces) {
      for (const key of ks.data.keys()) {
        const slot = keySlot(key);
        (this.slots[slot] ??= new Set()).add(key);
        this.count++;
      }
    }
    this.tables = spaces.map((ks) => ks.data);
    this.built = true;
    this.rebuilds++;
  }

  countKeys(slot: number): number {
    this.fresh();
    return this.slots[slot]?.size ?? 0;
  }

  /** Up to `max` keys of `slot`. */
  keys(slot: number, max: number): string[] {
    this.fresh();
    const out: string[] = [];
    const set = this.slots[slot];
    if (set === undefined) return out;
    for (const k of set) {
      if (out.length >= max) break;
      out.push(k);
    }
    return out;
  }
}

const indexes = new WeakMap<Engine, SlotIndex>();

/** The engine's index, made (and listening) on first use. */
export function slotIndexOf(engine: Engine): SlotIndex {
  let ix = indexes.get(engine);
  if (ix === undefined) indexes.set(engine, (ix = new SlotIndex(engine)));
  return ix;
}

/** Up to `max` keys of `slot`, from the index of the thread whose shard holds the slot. */
export function slotKeys(engine: Engine, slot: number, max: number): string[] {
  const t = engine.threadOf(engine.shardOfSlot(slot));
  if (t === engine.threadIndex) return slotIndexOf(engine).keys(slot, max);
  return engine.remote!.ask(t, { op: 'slot-keys', slot, max }) as string[];
}

/** The number of keys in `slot`. */
export function slotKeyCount(engine: Engine, slot: number): number {
  const t = engine.threadOf(engine.shardOfSlot(slot));
  if (t === engine.threadIndex) return slotIndexOf(engine).countKeys(slot);
  return engine.remote!.ask(t, { op: 'slot-count', slot }) as number;
}
