/**
 * A keyspace's key → value table: open addressing with Robin Hood probing
 * over two flat arrays (a slot array and an Int32Array of the keys'
 * hashes), in place of a JS Map.
 *
 * Why not a Map: a Map entry costs about 40 bytes (key, value and chain
 * words plus its share of the bucket array, at the Map's ~75% average
 * fill), and it needs the key as a string object of its own (16-byte
 * header) beside the value's own string (another header). Here a key whose
 * value is a short string (an integer's digits included) or a packed small
 * collection is ONE string, the key and its value joined (key-entry.ts),
 * held by a 12-byte slot (8 for the pointer, 4 for the hash) at up to 90%
 * fill. For the README's string row that is ~56 bytes a key instead of
 * ~104 (Redis: 91), and one heap object instead of two for the garbage
 * collector. Other values sit in an Entry object.
 *
 * Each slot may also carry the key's TTL (a Float64Array) and LRU clock /
 * LFU word (Redis's robj.lru: an Int32Array), each made when the first key
 * needs one and moved with the entry.
 *
 * A key's home slot is the top bits of its hash, so the slots hold the keys
 * in hash order (Robin Hood keeps a run sorted by home) and a doubling
 * splits each home slot into two adjacent ones.
 *
 * Iteration: keys()/entries() walk the slots in order and must not run
 * across changes. scan() walks them by a cursor that is a position in the
 * hash space (every key hashing below it has been returned), so it returns
 * every key present for the whole walk exactly once whatever the table does
 * between calls, in slot order (cache-friendly: Redis's dictScan order,
 * bit-reversed bucket numbers, touched a new cache line per bucket, 7x slower
 * over a million keys); SCAN and background snapshot walks use it.
 */
import type { Stored } from '../datatypes/stored.ts';
import { encode, hashOf, keyOf, matches, valueOf, type Entry } from './key-entry.ts';

export { ENTRY_OBJECT_BYTES, Entry, entryBytes, joinedBytes } from './key-entry.ts';

/** What a slot holds: an entry string, an Entry, or nothing. */
export type Slot = string | Entry | undefined;

/** A slot: its pointer and its hash. */
const SLOT_BYTES = 12;
const MIN_CAP = 8;

/** What the last KeyTable.sweep() found. */
export const walk = { checked: 0, wrapped: false };

export class KeyTable {
  private slots: Slot[];
  private hashes: Int32Array;
  /** Each slot's LRU/LFU word + 1 (0: none of its own); made when the first word is set. */
  private words: Int32Array | null = null;
  /** Each slot's expiry, ms since the epoch (0: none); made when the first key gets a TTL. */
  private ttls: Float64Array | null = null;
  /** Keys with a TTL. */
  volatile = 0;
  private mask: number;
  /** 32 - log2(capacity): a key's home slot is the top bits of its hash (hash >>> shift). */
  private shift: number;
  size = 0;
  /**
   * The key looked up last, its hash and its slot (-1: absent), valid until
   * entries move: a command's write after its own read of the same key
   * neither hashes nor probes again.
   */
  private lastKey: string | null = null;
  private lastHash = 0;
  private lastSlot = -1;

  constructor() {
    this.slots = new Array<Slot>(MIN_CAP).fill(undefined);
    this.hashes = new Int32Array(MIN_CAP);
    this.mask = MIN_CAP - 1;
    this.shift = 32 - Math.log2(MIN_CAP);
  }

  /** Bytes of the table itself (its slots, and their words once any key has one), beside what its entries cost. */
  tableBytes(): number {
    return (this.mask + 1) * (SLOT_BYTES + (this.words === null ? 0 : 4) + (this.ttls === null ? 0 : 8));
  }

  /** Slot of `key`, or -1 (its hash left in lastHash). */
  private find(key: string): number {
    if (key === this.lastKey) return this.lastSlot;
    const h = hashOf(key);
    const slots = this.slots;
    const hashes = this.hashes;
    const mask = this.mask;
    const shift = this.shift;
    let found = -1;
    for (let i = h >>> shift, d = 0; ; i = (i + 1) & mask, d++) {
      const s = slots[i];
      if (s === undefined) break;
      const hi = hashes[i]!;
      if (hi === h && matches(s, key)) {
        found = i;
        break;
      }
      if (((i - (hi >>> shift)) & mask) < d) break;
    }
    this.lastKey = key;
    this.lastHash = h;
    this.lastSlot = found;
    return found;
  }

  /** Entries moved: forget the cached lookup. */
  private moved(): void {
    this.lastKey = null;
  }

  get(key: string): Stored | undefined {
    const i = this.find(key);
    return i < 0 ? undefined : valueOf(this.slots[i]!);
  }

  has(key: string): boolean {
    return this.find(key) >= 0;
  }

  set(key: string, v: Stored): this {
    this.swap(key, v);
    return this;
  }

  /**
   * Room for `n` keys without growing (Redis's dictExpand for an RDB's
   * RESIZEDB). Keys coming in another table's slot order (a shardis RDB:
   * hash order) into a table still smaller than their number all have homes
   * in its first slots and pile onto one run, each probing past the last:
   * quadratic, seconds for 30,000 keys.
   */
  reserve(n: number): void {
    let cap = this.mask + 1;
    while (n * 10 > cap * 9) cap *= 2;
    if (cap > this.mask + 1) this.resize(cap);
  }

  /** Stores `v` under `key`; what the slot held before (undefined for a new key). */
  swap(key: string, v: Stored): Slot {
    const i = this.find(key);
    if (i >= 0) {
      const old = this.slots[i];
      this.slots[i] = encode(key, v);
      return old;
    }
    const h = this.lastHash;
    this.moved();
    if ((this.size + 1) * 10 > (this.mask + 1) * 9) this.resize((this.mask + 1) * 2);
    this.place(encode(key, v), h, 0, 0);
    this.size++;
    return undefined;
  }

  /** Robin Hood insertion of an entry known to be absent, with its word (+1; 0 none) and expiry (0 none). */
  private place(e: string | Entry, h: number, w: number, t: number): void {
    const slots = this.slots;
    const hashes = this.hashes;
    const words = this.words;
    const ttls = this.ttls;
    const mask = this.mask;
    const shift = this.shift;
    for (let i = h >>> shift, d = 0; ; i = (i + 1) & mask, d++) {
      const s = slots[i];
      if (s === undefined) {
        slots[i] = e;
        hashes[i] = h;
        if (words !== null) words[i] = w;
        if (ttls !== null) ttls[i] = t;
        return;
      }
      const hi = hashes[i]!;
      const di = (i - (hi >>> shift)) & mask;
      if (di < d) {
        // the resident is closer to its home: it moves on, this one takes its slot
        slots[i] = e;
        hashes[i] = h;
        e = s;
        h = hi;
        d = di;
        if (words !== null) {
          const wi = words[i]!;
          words[i] = w;
          w = wi;
        }
        if (ttls !== null) {
          const ti = ttls[i]!;
          ttls[i] = t;
          t = ti;
        }
      }
    }
  }

  /** The expiry of `key` in ms since the epoch; 0 when it has none or does not exist. */
  expireAt(key: string): number {
    if (this.ttls === null) return 0;
    const i = this.find(key);
    return i < 0 ? 0 : this.ttls[i]!;
  }

  /** Sets (when > 0) or clears (0) the expiry of an existing key; whether it had one before. */
  setExpireAt(key: string, when: number): boolean {
    const i = this.find(key);
    if (i < 0) return false;
    if (this.ttls === null) {
      if (when === 0) return false;
      this.ttls = new Float64Array(this.mask + 1);
    }
    const had = this.ttls[i] !== 0;
    this.ttls[i] = when;
    this.volatile += (when !== 0 ? 1 : 0) - (had ? 1 : 0);
    return had;
  }

  /**
   * Walks the slots from `pos` (the active expiry cycle's cursor): checks up
   * to `n` keys with a TTL, looking at no more than `slotsMax` slots (and
   * none twice), and
   * appends those expired by `now` to `out`. Returns where to go on from;
   * `walk.checked` says how many keys with a TTL it looked at, `walk.wrapped`
   * whether it passed the end of the table.
   */
  sweep(pos: number, n: number, slotsMax: number, now: number, out: string[]): number {
    const ttls = this.ttls;
    const slots = this.slots;
    const cap = slots.length;
    let checked = 0;
    walk.wrapped = false;
    if (ttls === null || this.volatile === 0) {
      walk.checked = 0;
      return 0;
    }
    let i = pos < cap ? pos : 0;
    // at most one pass: no key is looked at twice in a sweep
    const most = Math.min(slotsMax, cap);
    for (let seen = 0; checked < n && seen < most; seen++) {
      const t = ttls[i]!;
      if (t !== 0) {
        checked++;
        if (t <= now) out.push(keyOf(slots[i]!));
      }
      if (++i === cap) {
        i = 0;
        walk.wrapped = true;
      }
    }
    walk.checked = checked;
    return i;
  }

  /** Appends up to `n` keys with a TTL from consecutive slots after a random one (volatile-* eviction sampling). */
  sampleVolatile(n: number, out: string[]): void {
    const ttls = this.ttls;
    if (ttls === null || this.volatile === 0) return;
    const slots = this.slots;
    const mask = this.mask;
    n = Math.min(n, this.volatile);
    for (let i = Math.floor(Math.random() * slots.length); n > 0; i = (i + 1) & mask) {
      if (ttls[i] === 0) continue;
      out.push(keyOf(slots[i]!));
      n--;
    }
  }

  /** A key with a TTL chosen at random (undefined when none has one). */
  randomVolatileKey(): string | undefined {
    const out: string[] = [];
    this.sampleVolatile(1, out);
    return out[0];
  }

  /**
   * The LRU clock / LFU word of `key` (Redis's robj.lru, engine/lru.ts), or
   * -1 when it has none of its own (or does not exist).
   */
  word(key: string): number {
    const i = this.find(key);
    return i < 0 || this.words === null ? -1 : this.words[i]! - 1;
  }

  /** Sets the word of an existing key (-1: none of its own). */
  setWord(key: string, w: number): void {
    const i = this.find(key);
    if (i < 0) return;
    if (this.words === null) {
      if (w < 0) return;
      this.words = new Int32Array(this.mask + 1);
    }
    this.words[i] = w + 1;
  }

  delete(key: string): boolean {
    const i = this.find(key);
    if (i < 0) return false;
    if (this.ttls !== null && this.ttls[i] !== 0) this.volatile--;
    this.moved();
    this.removeAt(i);
    this.size--;
    const cap = this.mask + 1;
    if (cap > MIN_CAP && this.size * 8 < cap) this.resize(cap / 2);
    return true;
  }

  /** Backward-shift deletion: the entries after `i` move one slot closer to their homes. */
  private removeAt(i: number): void {
    const slots = this.slots;
    const hashes = this.hashes;
    const words = this.words;
    const ttls = this.ttls;
    const mask = this.mask;
    const shift = this.shift;
    for (;;) {
      const j = (i + 1) & mask;
      const s = slots[j];
      if (s === undefined || ((j - (hashes[j]! >>> shift)) & mask) === 0) break;
      slots[i] = s;
      hashes[i] = hashes[j]!;
      if (words !== null) words[i] = words[j]!;
      if (ttls !== null) ttls[i] = ttls[j]!;
      i = j;
    }
    slots[i] = undefined;
    if (words !== null) words[i] = 0;
    if (ttls !== null) ttls[i] = 0;
  }

  private resize(cap: number): void {
    this.moved();
    const old = this.slots;
    const oldHashes = this.hashes;
    const oldWords = this.words;
    const oldTtls = this.ttls;
    this.slots = new Array<Slot>(cap).fill(undefined);
    this.hashes = new Int32Array(cap);
    this.words = oldWords === null ? null : new Int32Array(cap);
    // no key with a TTL left: the array goes (FLUSHALL-like deletes leave no 8 B a slot behind)
    this.ttls = oldTtls === null || this.volatile === 0 ? null : new Float64Array(cap);
    this.mask = cap - 1;
    this.shift = 32 - Math.log2(cap);
    for (let i = 0; i < old.length; i++) {
      const s = old[i];
      if (s !== undefined) this.place(s, oldHashes[i]!, oldWords === null ? 0 : oldWords[i]!, oldTtls === null ? 0 : oldTtls[i]!);
    }
  }

  clear(): void {
    this.moved();
    this.slots = new Array<Slot>(MIN_CAP).fill(undefined);
    this.hashes = new Int32Array(MIN_CAP);
    this.words = null;
    this.ttls = null;
    this.volatile = 0;
    this.mask = MIN_CAP - 1;
    this.shift = 32 - Math.log2(MIN_CAP);
    this.size = 0;
  }

  /** A key chosen uniformly at random (undefined when empty). */
  randomKey(): string | undefined {
    if (this.size === 0) return undefined;
    const slots = this.slots;
    for (;;) {
      const s = slots[Math.floor(Math.random() * slots.length)];
      if (s !== undefined) return keyOf(s);
    }
  }

  /** Appends up to `n` keys of consecutive slots from a random one (dictGetSomeKeys). */
  sampleKeys(n: number, out: string[]): void {
    const slots = this.slots;
    const mask = this.mask;
    n = Math.min(n, this.size);
    for (let i = Math.floor(Math.random() * slots.length); n > 0; i = (i + 1) & mask) {
      const s = slots[i];
      if (s === undefined) continue;
      out.push(keyOf(s));
      n--;
    }
  }

  /**
   * One step of a scan: appends to `out` the keys (and to `values` their
   * values) whose home slot is the one `cursor` falls in and whose hash is
   * `cursor` or more, and returns the next cursor: the first hash of the next
   * home slot, 0 when the scan is complete. Start at 0.
   *
   * A cursor is a position in the 32-bit hash space, whatever the table's
   * size: every key hashing below it has been returned. So a scan returns
   * every key present throughout exactly once, however the table grows or
   * shrinks between steps, and walks the slots in order (a home slot is the
   * top bits of the hash, so slot order is hash order).
   */
  scan(cursor: number, out: string[], values: Stored[] | null = null): number {
    cursor = cursor >>> 0;
    if (this.size === 0) return 0;
    const slots = this.slots;
    const hashes = this.hashes;
    const mask = this.mask;
    const shift = this.shift;
    const b = cursor >>> shift;
    // the keys whose home is b lie in the run of occupied slots from b, before any key whose home is past b
    for (let i = b, d = 0; d <= mask; i = (i + 1) & mask, d++) {
      const s = slots[i];
      if (s === undefined) break;
      const hi = hashes[i]!;
      const home = hi >>> shift;
      if (home === b) {
        if (hi >>> 0 >= cursor) {
          out.push(keyOf(s));
          if (values !== null) values.push(valueOf(s));
        }
      } else if (((i - home) & mask) < d) break;
    }
    const next = (b + 1) * 2 ** shift;
    return next >= 2 ** 32 ? 0 : next;
  }

  /** Whether a scan whose next cursor is `cursor` (not 0) has returned `key` (or passed where it would be). */
  scanned(key: string, cursor: number): boolean {
    return hashOf(key) >>> 0 < cursor;
  }

  *keys(): IterableIterator<string> {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s !== undefined) yield keyOf(s);
    }
  }

  *entries(): IterableIterator<[string, Stored]> {
    const slots = this.slots;
    for (let i = 0; i < slots.length; i++) {
      const s = slots[i];
      if (s !== undefined) yield [keyOf(s), valueOf(s)];
    }
  }

  [Symbol.iterator](): IterableIterator<[string, Stored]> {
    return this.entries();
  }
}

/**
 * A walk over a table's keys that may run across changes, one call to
 * next() at a time (scan()'s guarantee: every key present throughout comes
 * exactly once).
 */
export class KeyWalk {
  private cursor = 0;
  private started = false;
  private readonly keys: string[] = [];
  private readonly values: Stored[] = [];
  private pos = 0;
  /** The value of the key next() returned last, read in the same step as the key. */
  value: Stored | undefined = undefined;
  readonly table: KeyTable;

  constructor(table: KeyTable) {
    this.table = table;
  }

  /** The next key, or undefined when the walk is complete. */
  next(): string | undefined {
    while (this.pos >= this.keys.length) {
      if (this.started && this.cursor === 0) return undefined;
      this.started = true;
      this.keys.length = 0;
      this.values.length = 0;
      this.pos = 0;
      this.cursor = this.table.scan(this.cursor, this.keys, this.values);
    }
    this.value = this.values[this.pos];
    return this.keys[this.pos++];
  }

  /** Whether every key of the bucket walked last has been returned (where a walk may pause). */
  get atBoundary(): boolean {
    return this.pos >= this.keys.length;
  }

  /** At a boundary: whether the walk has returned `key` already, or will never (its bucket is behind it). */
  passed(key: string): boolean {
    if (!this.started) return false;
    if (this.cursor === 0) return true;
    return this.table.scanned(key, this.cursor);
  }
}
