/**
 * A hash value in Redis 7.0's two encodings, behind one API (get / set /
 * delete / forEach / indexed …) so commands never see which one it is:
 *
 * - "listpack": one packed string (packed.ts) holding the pair count and
 *   then field, value, field, value… in insertion order. A new field goes at
 *   the end and a changed value is rewritten where it was, as in Redis's
 *   listpack, so replies come in the same order as Redis's. Lookups are
 *   linear scans of at most hash-max-listpack-entries pairs, as Redis's.
 * - "hashtable": a Map (HashTable) with a running byte count.
 *
 * A hash is created packed and becomes a hashtable, for good, when a write
 * would pass hash-max-listpack-entries or bring a field or value longer than
 * hash-max-listpack-value (Redis's hashTypeTryConversion / hashTypeSet).
 * A value built anew (RDB load, RESTORE) is packed again when it fits.
 */
import {
  begin, dataAt, finish, hdr, headerSize, itemAt, itemIs, itemSize, putByte, putItem, putLen, putRaw, skip, stringBytes, unpack,
} from './packed.ts';
import { MAP_ENTRY_BYTES, objectBytes, type CollectionValue } from './value.ts';

/** lpSafeToAdd: a listpack stays under 1 GB; past that Redis uses a hashtable. */
const PACKED_SAFETY = 1 << 30;

/** Up to this many pairs, fromPairs looks for a repeated field by scanning (no Set built). */
const DUP_SCAN_MAX = 256;

/** No pairs: a count of 0. */
const EMPTY = '\0';

/** Bytes a HashValue object itself takes (acct, data, ttl, ex, minAt). */
const WRAPPER_BYTES = objectBytes(5);

/** A Map of field TTLs, and one of its entries (the number boxed as a heap double). */
const TTL_MAP_BYTES = objectBytes(1) + 64;
const TTL_ENTRY_BYTES = MAP_ENTRY_BYTES + 16;

/** A JSMap (its table pointer) with the two fields HashTable adds, and the table's initial store. */
const TABLE_BYTES = objectBytes(3) + 64;

/** Bytes one field/value entry of a HashTable costs. */
function entryBytes(field: string, value: string): number {
  return MAP_ENTRY_BYTES + stringBytes(field.length) + stringBytes(value.length);
}

/** The "hashtable" encoding: a Map with the byte count of its entries. */
class HashTable extends Map<string, string> {
  /** Bytes of the entries (strings and Map slots), kept by tableSet / tableDelete. */
  used = 0;
  /** The fields as an array for random picks (HRANDFIELD), dropped when a field comes or goes. */
  keyCache: string[] | null = null;
}

/** Sets a field of a table; true when it is new. */
function tableSet(t: HashTable, field: string, value: string): boolean {
  const old = t.get(field);
  t.set(field, value);
  if (old === undefined) {
    t.used += entryBytes(field, value);
    t.keyCache = null;
    return true;
  }
  t.used += stringBytes(value.length) - stringBytes(old.length);
  return false;
}

/** Removes a field of a table; true when it was there. */
function tableDelete(t: HashTable, field: string): boolean {
  const old = t.get(field);
  if (old === undefined) return false;
  t.delete(field);
  t.used -= entryBytes(field, old);
  t.keyCache = null;
  return true;
}

/**
 * Position of the pair whose field is `x` in packed `s`, from `p` (a field's
 * position) on; -1 if none. packed.find with the one-char headers inlined
 * and the last char compared first: fields often share a prefix (user:1,
 * user:2…), so a mismatch shows at the end sooner than at the start.
 */
function findField(s: string, x: string, p: number): number {
  const n = x.length;
  const end = s.length;
  const last = n > 0 ? x.charCodeAt(n - 1) : -1;
  while (p < end) {
    let c = s.charCodeAt(p);
    let d: number;
    let len: number;
    if (c < 0x80) {
      d = p + 1;
      len = c;
    } else {
      d = dataAt(s, p);
      len = hdr.len;
    }
    if (len === n && (n === 0 || s.charCodeAt(d + n - 1) === last) && s.startsWith(x, d)) return p;
    p = d + len;
    c = s.charCodeAt(p);
    p = c < 0x80 ? p + 1 + c : dataAt(s, p) + hdr.len;
  }
  return -1;
}

/** Position of the first field of packed `s` (after the pair count). */
function firstField(s: string): number {
  return s.charCodeAt(0) < 0x80 ? 1 : dataAt(s, 0);
}

/** Number of pairs in packed `s`. */
function packedCount(s: string): number {
  const c = s.charCodeAt(0);
  if (c < 0x80) return c;
  dataAt(s, 0);
  return hdr.len;
}

/** The pairs of packed `s`, in order. */
function* packedPairs(s: string): IterableIterator<[string, string]> {
  for (let p = firstField(s); p < s.length; ) {
    const f = itemAt(s, p);
    p = skip(s, p);
    yield [f, itemAt(s, p)];
    p = skip(s, p);
  }
}

/** Random access by index into a hash's pairs (HRANDFIELD), valid until the hash changes. */
export interface IndexedPairs {
  field(i: number): string;
  value(i: number): string;
}

/** IndexedPairs over an unpacked listpack: [field, value, field, value…]. */
class FlatPairs implements IndexedPairs {
  private readonly flat: string[];

  constructor(flat: string[]) {
    this.flat = flat;
  }

  field(i: number): string {
    return this.flat[2 * i]!;
  }

  value(i: number): string {
    return this.flat[2 * i + 1]!;
  }
}

/** IndexedPairs over a table: its cached field array and lookups. */
class TablePairs implements IndexedPairs {
  private readonly t: HashTable;
  private readonly keys: string[];

  constructor(t: HashTable) {
    this.t = t;
    this.keys = t.keyCache ??= Array.from(t.keys());
  }

  field(i: number): string {
    return this.keys[i]!;
  }

  value(i: number): string {
    return this.t.get(this.keys[i]!)!;
  }
}

/** A Redis hash: packed while small, a HashTable past the listpack limits (see the file comment). */
export class HashValue implements CollectionValue {
  /** Written by the keyspace only. */
  acct = 0;
  /** The packed pairs (listpack encoding) or the table (hashtable encoding). */
  private data: string | HashTable = EMPTY;
  /**
   * Redis 7.4's hash field expiration: field → absolute expiry (ms) of the
   * fields that have one; null while none has. A listpack that took a TTL
   * is Redis's "listpackex" (`ex`): its pairs are kept in that encoding's
   * order, the fields with a TTL first by expiry time, the others after
   * them in insertion order (listpackExAddInternal).
   */
  private ttl: Map<string, number> | null = null;
  private ex = false;
  /** The smallest TTL of `ttl` (0: none), or -1 when it must be found again. */
  private minAt = 0;

  /** A hash holding `data` (a packed string or a table). */
  private static of(data: string | HashTable): HashValue {
    const h = new HashValue();
    h.data = data;
    return h;
  }

  /**
   * A hash of (field, value) `pairs`, packed when at most maxEntries pairs
   * and every string at most maxValue bytes; null when a field repeats.
   */
  static fromPairs(pairs: readonly string[], maxEntries: number, maxValue: number): HashValue | null {
    const n = pairs.length >> 1;
    let fits = n <= maxEntries;
    let total = 0;
    for (let i = 0; fits && i < pairs.length; i++) {
      const len = pairs[i]!.length;
      total += len;
      if (len > maxValue || total >= PACKED_SAFETY) fits = false;
    }
    if (!fits) {
      const t = new HashTable();
      for (let i = 0; i + 1 < pairs.length; i += 2) {
        if (!tableSet(t, pairs[i]!, pairs[i + 1]!)) return null;
      }
      return HashValue.of(t);
    }
    begin();
    putLen(n);
    for (let i = 0; i < 2 * n; i++) putItem(pairs[i]!);
    const s = finish();
    if (n > DUP_SCAN_MAX) {
      // many pairs (raised limits): a set finds a repeat in linear time
      const seen = new Set<string>();
      for (let i = 0; i < 2 * n; i += 2) {
        if (seen.size === seen.add(pairs[i]!).size) return null;
      }
    } else {
      // a repeated field: each one searched for among those after it
      let p = firstField(s);
      for (let i = 0; i < 2 * n; i += 2) {
        p = skip(s, skip(s, p));
        if (findField(s, pairs[i]!, p) >= 0) return null;
      }
    }
    return HashValue.of(s);
  }

  get type(): 'hash' {
    return 'hash';
  }

  encoding(): string {
    return typeof this.data === 'string' ? (this.ex ? 'listpackex' : 'listpack') : 'hashtable';
  }

  /** Whether the hash is in the listpack encoding. */
  isPacked(): boolean {
    return typeof this.data === 'string';
  }

  size(): number {
    const d = this.data;
    return typeof d === 'string' ? packedCount(d) : d.size;
  }

  /** Stored small as its tagged string (stored.ts), big as this object and its table. */
  bytes(): number {
    const d = this.data;
    const t = this.ttl;
    if (typeof d === 'string') {
      // stored as its tagged string: a listpackex's with its count and 6 bytes per TTL
      const k = t === null ? 0 : t.size;
      return stringBytes(d.length + 1 + (t !== null || this.ex ? headerSize(k) + 6 * k : 0));
    }
    return WRAPPER_BYTES + TABLE_BYTES + d.used + (t === null ? 0 : TTL_MAP_BYTES + t.size * TTL_ENTRY_BYTES);
  }

  packedData(): string | null {
    const d = this.data;
    if (typeof d !== 'string') return null;
    return this.ttl === null && !this.ex ? d : this.packedEx(d);
  }

  /** Whether packedData() is a listpackex's form (fromPackedEx reads it back). */
  isEx(): boolean {
    return this.ex && typeof this.data === 'string';
  }

  /**
   * A listpackex as one string: the count k of fields with a TTL, their
   * expiry times (6 bytes each, in order), then the pairs. The fields with
   * a TTL are the first k pairs (the listpackex order), so no name repeats.
   */
  private packedEx(d: string): string {
    const t = this.ttl;
    const k = t === null ? 0 : t.size;
    begin();
    putLen(k);
    if (k > 0) {
      let p = firstField(d);
      for (let i = 0; i < k; i++) {
        const at = t!.get(itemAt(d, p))!;
        // 48 bits (EB_EXPIRE_TIME_MAX), high byte first
        putByte(Math.floor(at / 2 ** 40) & 0xff);
        putByte(Math.floor(at / 2 ** 32) & 0xff);
        putByte((at >>> 24) & 0xff);
        putByte((at >>> 16) & 0xff);
        putByte((at >>> 8) & 0xff);
        putByte(at & 0xff);
        p = skip(d, skip(d, p));
      }
    }
    putRaw(d, 0, d.length);
    return finish();
  }

  /** The listpackex whose packedData() is `s`. */
  static fromPackedEx(s: string): HashValue {
    let p = dataAt(s, 0);
    const k = hdr.len;
    const times = p;
    p += 6 * k;
    const d = s.slice(p);
    const h = HashValue.of(d);
    h.ex = true;
    const t = new Map<string, number>();
    let f = firstField(d);
    for (let i = 0; i < k; i++) {
      const q = times + 6 * i;
      const at = s.charCodeAt(q) * 2 ** 40 + s.charCodeAt(q + 1) * 2 ** 32 + s.charCodeAt(q + 2) * 2 ** 24 +
        s.charCodeAt(q + 3) * 2 ** 16 + s.charCodeAt(q + 4) * 2 ** 8 + s.charCodeAt(q + 5);
      t.set(itemAt(d, f), at);
      f = skip(d, skip(d, f));
    }
    h.ttl = t;
    h.minAt = -1;
    return h;
  }

  /** The hash whose listpack is `s` (a packedData() string). */
  static fromPacked(s: string): HashValue {
    return HashValue.of(s);
  }

  clone(): HashValue {
    const d = this.data;
    let h: HashValue;
    // strings are immutable: a packed hash shares its string
    if (typeof d === 'string') h = HashValue.of(d);
    else {
      const t = new HashTable(d);
      t.used = d.used;
      h = HashValue.of(t);
    }
    h.ex = this.ex;
    if (this.ttl !== null) {
      h.ttl = new Map(this.ttl);
      h.minAt = this.minAt;
    }
    return h;
  }

  *entries(): IterableIterator<string> {
    const d = this.data;
    if (typeof d === 'string') {
      for (let p = firstField(d); p < d.length; p = skip(d, p)) yield itemAt(d, p);
      return;
    }
    for (const [k, v] of d) {
      yield k;
      yield v;
    }
  }

  /**
   * The (field, value) pairs, in order. A hashtable's is its Map's live
   * iterator (HSCAN keeps it between calls: it sees later additions once).
   */
  pairs(): IterableIterator<[string, string]> {
    const d = this.data;
    return typeof d === 'string' ? packedPairs(d) : d.entries();
  }

  /** Calls fn for every pair, in order (the hash must not change meanwhile). */
  forEach(fn: (field: string, value: string) => void): void {
    const d = this.data;
    if (typeof d !== 'string') {
      for (const [k, v] of d) fn(k, v);
      return;
    }
    for (let p = firstField(d); p < d.length; ) {
      let x = dataAt(d, p);
      const f = d.slice(x, x + hdr.len);
      p = x + hdr.len;
      x = dataAt(d, p);
      p = x + hdr.len;
      fn(f, d.slice(x, p));
    }
  }

  /** The value of `field`, or undefined. */
  get(field: string): string | undefined {
    const d = this.data;
    if (typeof d !== 'string') return d.get(field);
    const p = findField(d, field, firstField(d));
    return p < 0 ? undefined : itemAt(d, skip(d, p));
  }

  /** Whether `field` is there. */
  has(field: string): boolean {
    const d = this.data;
    return typeof d === 'string' ? findField(d, field, firstField(d)) >= 0 : d.has(field);
  }

  /**
   * Sets a field; true when it is new. maxEntries / maxValue are
   * hash-max-listpack-entries / -value: a listpack that would pass them
   * becomes a hashtable first (as Redis, also when only a value changes).
   */
  set(field: string, value: string, maxEntries: number, maxValue: number, keepTtl = false): boolean {
    if (this.ttl !== null && !keepTtl && this.ttl.has(field)) {
      // a new value drops the field's TTL: in a listpackex the pair moves to the end (listpackExUpdateExpiry)
      this.persistField(field);
    }
    const d = this.data;
    if (typeof d !== 'string') return tableSet(d, field, value);
    if (field.length <= maxValue && value.length <= maxValue) {
      const start = firstField(d);
      const n = packedCount(d);
      const p = findField(d, field, start);
      if (p >= 0 && n <= maxEntries) {
        const vp = skip(d, p);
        if (itemIs(d, vp, value)) return false;
        const ve = skip(d, vp);
        if (d.length - (ve - vp) + itemSize(value) < PACKED_SAFETY) {
          begin();
          putRaw(d, 0, vp);
          putItem(value);
          putRaw(d, ve, d.length);
          this.data = finish();
          return false;
        }
      } else if (p < 0 && n < maxEntries && d.length + itemSize(field) + itemSize(value) < PACKED_SAFETY) {
        // appended at the end, as lpAppend
        begin();
        putLen(n + 1);
        putRaw(d, start, d.length);
        putItem(field);
        putItem(value);
        this.data = finish();
        return true;
      }
    }
    const t = this.toTable(d);
    this.data = t;
    return tableSet(t, field, value);
  }

  /**
   * Sets the pairs args[from], args[from + 1], … (to the end of args) as
   * set() on each in turn would, and returns how many fields were new: the
   * same pairs, order, encoding and count (HSET / HMSET with many pairs).
   * A listpack is rebuilt once for the whole command, not once per pair.
   */
  setMany(args: readonly string[], from: number, maxEntries: number, maxValue: number): number {
    if (this.ttl !== null) {
      // fields with a TTL move as they are set: pair by pair, in order
      let created = 0;
      for (let i = from; i + 1 < args.length; i += 2) if (this.set(args[i]!, args[i + 1]!, maxEntries, maxValue)) created++;
      return created;
    }
    const d = this.data;
    if (typeof d === 'string') {
      const created = this.setManyPacked(d, args, from, maxEntries, maxValue);
      if (created >= 0) return created;
    }
    // a hashtable, or a listpack that one of the pairs converts: a hashtable
    // built from the listpack as it was, then every pair in turn, ends as one
    // converted mid-command would (same pairs in the same order, same count)
    let t = this.data;
    if (typeof t === 'string') this.data = t = this.toTable(t);
    let created = 0;
    for (let i = from; i + 1 < args.length; i += 2) if (tableSet(t, args[i]!, args[i + 1]!)) created++;
    return created;
  }

  /**
   * setMany on listpack `d` when every pair keeps it a listpack: the new
   * string built in one pass (changed values rewritten where they were, new
   * fields appended in order of first appearance, the last value of a
   * repeated field winning) and the count of new fields; -1, with nothing
   * changed, when a pair would convert it (as set() decides: a field or
   * value over maxValue, a new field at maxEntries, any write past a lowered
   * maxEntries; the size is checked for the whole command up front, as
   * Redis's hashTypeTryConversion).
   */
  private setManyPacked(d: string, args: readonly string[], from: number, maxEntries: number, maxValue: number): number {
    let n = packedCount(d);
    if (n > maxEntries) return -1;
    const start = firstField(d);
    // fields already there: their positions in d, ascending, and new values
    let updPos: number[] | null = null;
    let updVal: string[] | null = null;
    // fields not there: appended in this order
    const newF: string[] = [];
    const newV: string[] = [];
    let grow = 0;
    for (let i = from; i + 1 < args.length; i += 2) {
      const f = args[i]!;
      const v = args[i + 1]!;
      if (f.length > maxValue || v.length > maxValue) return -1;
      grow += itemSize(f) + itemSize(v);
      const p = findField(d, f, start);
      if (p >= 0) {
        if (updPos === null) {
          updPos = [p];
          updVal = [v];
          continue;
        }
        // kept sorted by position; a repeat replaces the earlier value
        let k = updPos.length;
        while (k > 0 && updPos[k - 1]! > p) k--;
        if (k > 0 && updPos[k - 1] === p) updVal![k - 1] = v;
        else {
          updPos.splice(k, 0, p);
          updVal!.splice(k, 0, v);
        }
        continue;
      }
      const j = newF.indexOf(f);
      if (j >= 0) {
        newV[j] = v;
        continue;
      }
      if (n >= maxEntries) return -1;
      newF.push(f);
      newV.push(v);
      n++;
    }
    if (d.length + grow >= PACKED_SAFETY) return -1;
    if (newF.length === 0 && updPos === null) return 0;
    begin();
    putLen(n);
    let q = start;
    if (updPos !== null) {
      for (let k = 0; k < updPos.length; k++) {
        const vp = skip(d, updPos[k]!);
        putRaw(d, q, vp);
        putItem(updVal![k]!);
        q = skip(d, vp);
      }
    }
    putRaw(d, q, d.length);
    for (let j = 0; j < newF.length; j++) {
      putItem(newF[j]!);
      putItem(newV[j]!);
    }
    this.data = finish();
    return newF.length;
  }

  /**
   * Removes the fields args[from…] as delete() on each in turn would; the
   * number that were there (HDEL with many fields). A listpack is rebuilt
   * once for the whole command.
   */
  deleteMany(args: readonly string[], from: number): number {
    if (this.ttl !== null) for (let i = from; i < args.length; i++) this.dropTtl(args[i]!);
    const d = this.data;
    let removed = 0;
    if (typeof d !== 'string') {
      for (let i = from; i < args.length; i++) if (tableDelete(d, args[i]!)) removed++;
      return removed;
    }
    const start = firstField(d);
    // positions of the pairs to drop, ascending, each once
    const gone: number[] = [];
    for (let i = from; i < args.length; i++) {
      const p = findField(d, args[i]!, start);
      if (p < 0) continue;
      let k = gone.length;
      while (k > 0 && gone[k - 1]! > p) k--;
      if (k > 0 && gone[k - 1] === p) continue;
      gone.splice(k, 0, p);
    }
    if (gone.length === 0) return 0;
    begin();
    putLen(packedCount(d) - gone.length);
    let q = start;
    for (let k = 0; k < gone.length; k++) {
      const p = gone[k]!;
      putRaw(d, q, p);
      q = skip(d, skip(d, p));
    }
    putRaw(d, q, d.length);
    this.data = finish();
    return gone.length;
  }

  /** Removes a field; true when it was there. */
  delete(field: string): boolean {
    if (this.ttl !== null) this.dropTtl(field);
    const d = this.data;
    if (typeof d !== 'string') return tableDelete(d, field);
    const start = firstField(d);
    const p = findField(d, field, start);
    if (p < 0) return false;
    begin();
    putLen(packedCount(d) - 1);
    putRaw(d, start, p);
    putRaw(d, skip(d, skip(d, p)), d.length);
    this.data = finish();
    return true;
  }

  /** The field of pair i (0 … size-1): a walk of a listpack, as lpRandomPair's. */
  fieldAt(i: number): string {
    const d = this.data;
    if (typeof d !== 'string') return (d.keyCache ??= Array.from(d.keys()))[i]!;
    let p = firstField(d);
    for (let k = 0; k < i; k++) p = skip(d, skip(d, p));
    return itemAt(d, p);
  }

  /** Random access to the pairs by index (0 … size-1), valid until the hash changes. */
  indexed(): IndexedPairs {
    const d = this.data;
    // a listpack is small: unpacking it costs what Redis's walk of it costs
    return typeof d === 'string' ? new FlatPairs(unpack(d, firstField(d))) : new TablePairs(d);
  }

  /** Converts a listpack to a hashtable (as adding a big pair would). */
  toBig(): void {
    const d = this.data;
    if (typeof d === 'string') this.data = this.toTable(d);
  }

  // ---- field expiration (Redis 7.4) ----

  /** Whether some field has a TTL. */
  hasFieldTtls(): boolean {
    return this.ttl !== null && this.ttl.size > 0;
  }

  /** The absolute expiry (ms) of `field`, 0 when it has none (or is not there). */
  fieldExpireAt(field: string): number {
    return this.ttl === null ? 0 : (this.ttl.get(field) ?? 0);
  }

  /** The earliest field expiry (ms), 0 when no field has a TTL. */
  minFieldExpire(): number {
    const t = this.ttl;
    if (t === null || t.size === 0) return 0;
    if (this.minAt >= 0) return this.minAt;
    let m = Infinity;
    for (const at of t.values()) if (at < m) m = at;
    this.minAt = m;
    return m;
  }

  /**
   * Makes the hash able to hold field TTLs (hashTypeSetExInit): a listpack
   * becomes a listpackex, with or without any TTL set afterwards.
   */
  enableFieldTtls(): void {
    if (typeof this.data === 'string') this.ex = true;
    this.ttl ??= new Map();
  }

  /**
   * Takes field TTLs as loaded (an RDB listpackex, whose pairs already are
   * in that encoding's order): nothing moves.
   */
  adoptFieldTtls(ttls: Map<string, number>): void {
    this.ttl = ttls;
    this.minAt = -1;
    if (typeof this.data === 'string') this.ex = true;
  }

  /** Sets the TTL of an existing field (enableFieldTtls first). */
  setFieldExpire(field: string, at: number): void {
    const t = (this.ttl ??= new Map());
    const old = t.get(field);
    t.set(field, at);
    // the earliest may have moved later: found again when asked
    if (old !== undefined && old === this.minAt) this.minAt = -1;
    else if (this.minAt === 0 || (this.minAt > 0 && at < this.minAt)) this.minAt = at;
    if (typeof this.data === 'string') {
      this.ex = true;
      this.place(field, at);
    }
  }

  /** Removes the TTL of `field`; true when it had one. In a listpackex its pair moves to the end. */
  persistField(field: string): boolean {
    if (!this.dropTtl(field)) return false;
    if (typeof this.data === 'string') this.place(field, 0);
    return true;
  }

  /** Forgets the TTL of `field` (nothing moves); true when it had one. */
  private dropTtl(field: string): boolean {
    const t = this.ttl;
    if (t === null) return false;
    const at = t.get(field);
    if (at === undefined) return false;
    t.delete(field);
    if (at === this.minAt) this.minAt = -1;
    return true;
  }

  /** Whether `field` has a TTL before `now` (read as gone: Redis's hashTypeIsExpired). */
  isFieldExpired(field: string, now: number): boolean {
    if (this.ttl === null) return false;
    const at = this.ttl.get(field);
    return at !== undefined && at < now;
  }

  /** The fields whose TTL is before `now`, at most `max` (earliest first in a listpackex). */
  expiredFields(now: number, max = Infinity): string[] {
    const t = this.ttl;
    const out: string[] = [];
    if (t === null || t.size === 0 || this.minFieldExpire() >= now) return out;
    for (const [f, at] of t) {
      if (at < now) {
        out.push(f);
        if (out.length >= max) break;
      }
    }
    if (typeof this.data === 'string' && out.length > 1) out.sort((a, b) => t.get(a)! - t.get(b)!);
    return out;
  }

  /** Number of fields not expired at `now` (HGETALL's count: hashTypeLength with subtractExpiredFields). */
  liveSize(now: number): number {
    const n = this.size();
    if (this.ttl === null || this.ttl.size === 0 || this.minFieldExpire() >= now) return n;
    let gone = 0;
    for (const at of this.ttl.values()) if (at < now) gone++;
    return n - gone;
  }

  /** forEach over the fields not expired at `now`. */
  forEachLive(now: number, fn: (field: string, value: string) => void): void {
    const t = this.ttl;
    if (t === null || t.size === 0 || this.minFieldExpire() >= now) return this.forEach(fn);
    this.forEach((f, v) => {
      const at = t.get(f);
      if (at === undefined || at >= now) fn(f, v);
    });
  }

  /**
   * Puts `field`'s pair where a listpackex keeps a field expiring at `at`
   * (0: none): before the first pair whose TTL is none or at least `at`, or
   * at the end (listpackExAddInternal after the pair is taken out).
   */
  private place(field: string, at: number): void {
    const d = this.data as string;
    const start = firstField(d);
    const p = findField(d, field, start);
    if (p < 0) return;
    const vp = skip(d, p);
    const value = itemAt(d, vp);
    const e = skip(d, vp);
    const t = this.ttl;
    // where it goes, as a position in d without the pair
    let q = d.length;
    if (at !== 0 && t !== null) {
      for (let r = start; r < d.length; ) {
        if (r === p) {
          r = e;
          continue;
        }
        const g = t.get(itemAt(d, r));
        if (g === undefined || g >= at) {
          q = r;
          break;
        }
        r = skip(d, skip(d, r));
      }
    }
    begin();
    putLen(packedCount(d));
    if (q < p) {
      putRaw(d, start, q);
      putItem(field);
      putItem(value);
      putRaw(d, q, p);
      putRaw(d, e, d.length);
    } else {
      putRaw(d, start, p);
      putRaw(d, e, q);
      putItem(field);
      putItem(value);
      putRaw(d, q, d.length);
    }
    this.data = finish();
  }

  /** The same pairs as a HashTable (the listpack → hashtable conversion; a listpackex's TTLs stay). */
  private toTable(s: string): HashTable {
    this.ex = false;
    const flat = unpack(s, firstField(s), true);
    const t = new HashTable();
    for (let i = 0; i < flat.length; i += 2) tableSet(t, flat[i]!, flat[i + 1]!);
    return t;
  }
}
