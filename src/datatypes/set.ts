/**
 * A set value: `acct` and one `data` field holding one of three forms.
 *
 * - intset (intset.ts): a string of fixed-width integers in ascending order,
 *   while every member is a canonical int64 and there are at most
 *   set-max-intset-entries of them, as Redis 7.0. OBJECT ENCODING "intset";
 *   members come in ascending order, as Redis lists an intset.
 * - packed: a listpack-like string (packed.ts): the member count as a varint,
 *   then the members, for up to 128 members of up to 64 bytes (Redis 7.2's
 *   set-max-listpack-entries / -value defaults, kept internal: Redis 7.0 has
 *   no such settings). Redis 7.0 has no listpack sets, so OBJECT ENCODING
 *   answers "hashtable" here, as Redis 7.0.15 does for the same set and as
 *   its test suite and clients check; RDB and DUMP write it as a plain set.
 * - big (set-big.ts): array + Map, "hashtable".
 *
 * Conversions happen when Redis 7.0 converts: intset → hashtable on a
 * non-integer member or past set-max-intset-entries (here to packed when it
 * fits, else big), packed → big past 128 members or 64 bytes. Nothing
 * converts back; only a freshly built value (an empty SetValue starts as an
 * intset, as Redis's createIntsetObject / setTypeCreate) or a loaded one
 * (fromMembers, fromIntsetBlob) starts over.
 */
import type { CollectionValue } from './value.ts';
import { objectBytes } from './value.ts';
import { dataAt, find, hdr, itemAt, pack, skip, stringBytes, unpack, begin, putLen, putRaw, putItem, finish } from './packed.ts';
import { BigSet } from './set-big.ts';
import {
  EMPTY_INTSET, insertKey, intsetBlobLength, intsetCount, intsetFromBlob, intsetFromSorted, intsetGet, intsetMembers,
  intsetMerge, intsetToBlob, isIntset, parseKey, removeAt, removeIndices, searchKey,
} from './intset.ts';
import { isInt64 } from '../commands/core/parse.ts';

/** Most members a packed (listpack) set holds (set-max-listpack-entries in Redis 7.2). */
export const SET_PACKED_ENTRIES = 128;
/** Longest member a packed set holds (set-max-listpack-value in Redis 7.2). */
export const SET_PACKED_VALUE = 64;

/** Numeric order of two canonical int64 strings without parsing them. */
export function compareIntStrings(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45;
  const nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  let d = a.length - b.length;
  if (d === 0) d = a < b ? -1 : a > b ? 1 : 0;
  return na ? -d : d;
}

/** Whether a sorted array holds two equal neighbours. */
function hasAdjacentDuplicate(sorted: readonly string[]): boolean {
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return true;
  return false;
}

/** Whether `members` fit a packed set. */
function fitsPacked(members: readonly string[]): boolean {
  if (members.length > SET_PACKED_ENTRIES) return false;
  for (let i = 0; i < members.length; i++) if (members[i]!.length > SET_PACKED_VALUE) return false;
  return true;
}

/** Redis's hashtable encoding for distinct `members`: packed when they fit, else big. */
function hashtableOf(members: readonly string[]): string | BigSet {
  return fitsPacked(members) ? pack(members, true) : BigSet.from(members)!;
}

/** Position of the packed member at index `i`. */
function packedAt(s: string, i: number): number {
  let p = dataAt(s, 0);
  while (i-- > 0) p = skip(s, p);
  return p;
}

/** Inserts `x` into the ascending `sorted` unless there; false when it was. */
function insertSorted(sorted: number[], x: number): boolean {
  let k = sorted.length;
  while (k > 0 && sorted[k - 1]! > x) k--;
  if (k > 0 && sorted[k - 1] === x) return false;
  sorted.splice(k, 0, x);
  return true;
}

/** `s` (a packed set of `n` members) without its member at `p`. */
function packedRemove(s: string, n: number, p: number): string {
  const start = dataAt(s, 0);
  const next = skip(s, p);
  begin();
  putLen(n - 1);
  putRaw(s, start, p);
  putRaw(s, next, s.length);
  return finish();
}

export class SetValue implements CollectionValue {
  acct = 0;
  /** An intset string (tag char above 0x80), a packed string (count first) or a BigSet. */
  data: string | BigSet;

  constructor(data: string | BigSet = EMPTY_INTSET) {
    this.data = data;
  }

  get type(): 'set' {
    return 'set';
  }

  /**
   * A set of distinct-or-not `members` as Redis's RDB loader builds it: an
   * intset when all are integers and few enough, else a hashtable. Null when
   * a member repeats.
   */
  static fromMembers(members: readonly string[], maxIntset: number): SetValue | null {
    const n = members.length;
    let ints = n <= maxIntset;
    for (let i = 0; ints && i < n; i++) ints = isInt64(members[i]!);
    if (ints) {
      const sorted = members.slice().sort(compareIntStrings);
      return hasAdjacentDuplicate(sorted) ? null : new SetValue(intsetFromSorted(sorted));
    }
    if (fitsPacked(members)) return hasAdjacentDuplicate(members.slice().sort()) ? null : new SetValue(pack(members, true));
    const big = BigSet.from(members);
    return big === null ? null : new SetValue(big);
  }

  /** The set held by a Redis intset blob in d[start, end) (RDB_TYPE_SET_INTSET), or null when malformed. */
  static fromIntsetBlob(d: Uint8Array, start: number, end: number, maxIntset: number): SetValue | null {
    const s = intsetFromBlob(d, start, end);
    if (s === null) return null;
    return new SetValue(intsetCount(s) > maxIntset ? hashtableOf(intsetMembers(s)) : s);
  }

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  /** Whether OBJECT ENCODING says intset. */
  get intset(): boolean {
    const d = this.data;
    return typeof d === 'string' && isIntset(d);
  }

  /** Whether the set is a packed string (intset or packed): small enough to serve whole (SSCAN). */
  get packed(): boolean {
    return typeof this.data === 'string';
  }

  size(): number {
    const d = this.data;
    if (typeof d !== 'string') return d.items.length;
    if (isIntset(d)) return intsetCount(d);
    dataAt(d, 0);
    return hdr.len;
  }

  /** Stored small as its tagged string (stored.ts), big as this object and its table. */
  bytes(): number {
    const d = this.data;
    return typeof d === 'string' ? stringBytes(d.length + 1) : objectBytes(2) + d.bytes;
  }

  packedData(): string | null {
    const d = this.data;
    return typeof d === 'string' ? d : null;
  }

  clone(): SetValue {
    const d = this.data;
    return new SetValue(typeof d === 'string' ? d : d.clone());
  }

  /** The members: a snapshot of a packed set, a live iterator over a big one (SSCAN, persistence, SORT). */
  entries(): Iterable<string> {
    const d = this.data;
    return typeof d === 'string' ? this.members() : d.index.keys();
  }

  /** An iterator over the members, live over a big set (SSCAN's cursors keep it across calls). */
  iterator(): IterableIterator<string> {
    const d = this.data;
    return typeof d === 'string' ? this.members().values() : d.index.keys();
  }

  has(m: string): boolean {
    const d = this.data;
    if (typeof d !== 'string') return d.has(m);
    if (isIntset(d)) return parseKey(m) && searchKey(d) >= 0;
    return find(d, m, dataAt(d, 0), 1) >= 0;
  }

  /** Adds a member; maxIntset is set-max-intset-entries. True if it was new. */
  add(m: string, maxIntset: number): boolean {
    const d = this.data;
    if (typeof d !== 'string') return d.add(m);
    if (isIntset(d)) {
      if (parseKey(m)) {
        const next = insertKey(d);
        if (next === null) return false;
        this.data = intsetCount(next) > maxIntset ? hashtableOf(intsetMembers(next)) : next;
        return true;
      }
      const ms = intsetMembers(d);
      ms.push(m);
      this.data = hashtableOf(ms);
      return true;
    }
    const start = dataAt(d, 0);
    const n = hdr.len;
    if (find(d, m, start, 1) >= 0) return false;
    if (n >= SET_PACKED_ENTRIES || m.length > SET_PACKED_VALUE) {
      const ms = unpack(d, start);
      ms.push(m);
      this.data = BigSet.from(ms)!;
      return true;
    }
    begin();
    putLen(n + 1);
    putRaw(d, start, d.length);
    putItem(m);
    this.data = finish();
    return true;
  }

  /**
   * Adds ms[from…] as add() on each in turn would and returns how many were
   * new: the same members, order, form and count (SADD with many members,
   * a set built from others). An intset or packed string is rebuilt once for
   * the members it takes, not once per member; a conversion mid-batch
   * happens at the member add() would convert on, and the rest go on in the
   * new form.
   */
  addMany(ms: readonly string[], from: number, maxIntset: number): number {
    let d = this.data;
    let i = from;
    const end = ms.length;
    let added = 0;
    if (typeof d === 'string' && isIntset(d)) {
      // integers join the intset until a non-integer, or one past
      // set-max-intset-entries, converts it (that member included)
      const count = intsetCount(d);
      // integers not in the intset, repeats included while far from the
      // limit (no Set built: a sort drops them); near it, a Set counts the
      // distinct ones exactly, to convert on the right member
      const news: string[] = [];
      let seen: Set<string> | null = null;
      let other: string | null = null;
      let convert = false;
      for (; i < end; i++) {
        const m = ms[i]!;
        if (!parseKey(m)) {
          other = m;
          convert = true;
          i++;
          break;
        }
        if (searchKey(d) >= 0) continue;
        if (seen === null) {
          news.push(m);
          if (count + news.length <= maxIntset) continue;
          seen = new Set(news);
        } else {
          if (seen.has(m)) continue;
          seen.add(m);
          news.push(m);
        }
        if (count + seen.size > maxIntset) {
          convert = true;
          i++;
          break;
        }
      }
      if (news.length !== 0) {
        // ascending, and repeats (equal strings: the integers are canonical) dropped
        news.sort(compareIntStrings);
        let k = 1;
        for (let j = 1; j < news.length; j++) if (news[j] !== news[k - 1]) news[k++] = news[j]!;
        news.length = k;
        added = k;
        d = intsetMerge(d, news);
      }
      if (!convert) {
        this.data = d;
        return added;
      }
      // the hashtable encoding: the intset's members in ascending order, then the non-integer
      const members = intsetMembers(d);
      if (other !== null) {
        members.push(other);
        added++;
      }
      this.data = d = hashtableOf(members);
    }
    if (typeof d === 'string') {
      // packed: new members appended in order of arrival, until one past
      // 128 members or 64 bytes converts it (that member included)
      const start = dataAt(d, 0);
      let n = hdr.len;
      // new members, each once (at most 128: a linear scan finds repeats)
      const items: string[] = [];
      let convert = false;
      for (; i < end; i++) {
        const m = ms[i]!;
        if (find(d, m, start, 1) >= 0 || items.indexOf(m) >= 0) continue;
        items.push(m);
        if (n >= SET_PACKED_ENTRIES || m.length > SET_PACKED_VALUE) {
          convert = true;
          i++;
          break;
        }
        n++;
      }
      added += items.length;
      if (!convert) {
        if (items.length === 0) return added;
        begin();
        putLen(n);
        putRaw(d, start, d.length);
        for (let k = 0; k < items.length; k++) putItem(items[k]!);
        this.data = finish();
        return added;
      }
      const members = unpack(d, start);
      for (let k = 0; k < items.length; k++) members.push(items[k]!);
      this.data = d = BigSet.from(members)!;
    }
    for (; i < end; i++) if (d.add(ms[i]!)) added++;
    return added;
  }

  /**
   * Removes ms[from…] as delete() on each in turn would; how many were there
   * (SREM with many members). An intset or packed string is rebuilt once.
   */
  deleteMany(ms: readonly string[], from: number): number {
    const d = this.data;
    let removed = 0;
    if (typeof d !== 'string') {
      for (let i = from; i < ms.length; i++) if (d.delete(ms[i]!)) removed++;
      return removed;
    }
    // indices (intset) or positions (packed) of the members to drop, ascending, each once
    const gone: number[] = [];
    if (isIntset(d)) {
      for (let i = from; i < ms.length; i++) {
        if (!parseKey(ms[i]!)) continue;
        const at = searchKey(d);
        if (at >= 0) insertSorted(gone, at);
      }
      if (gone.length !== 0) this.data = removeIndices(d, gone);
      return gone.length;
    }
    const start = dataAt(d, 0);
    const n = hdr.len;
    for (let i = from; i < ms.length; i++) {
      const p = find(d, ms[i]!, start, 1);
      if (p >= 0) insertSorted(gone, p);
    }
    if (gone.length === 0) return 0;
    begin();
    putLen(n - gone.length);
    let q = start;
    for (let k = 0; k < gone.length; k++) {
      const p = gone[k]!;
      putRaw(d, q, p);
      q = skip(d, p);
    }
    putRaw(d, q, d.length);
    this.data = finish();
    return gone.length;
  }

  /** Removes a member; true if it was there. */
  delete(m: string): boolean {
    const d = this.data;
    if (typeof d !== 'string') return d.delete(m);
    if (isIntset(d)) {
      if (!parseKey(m)) return false;
      const i = searchKey(d);
      if (i < 0) return false;
      this.data = removeAt(d, i);
      return true;
    }
    const start = dataAt(d, 0);
    const n = hdr.len;
    const p = find(d, m, start, 1);
    if (p < 0) return false;
    this.data = packedRemove(d, n, p);
    return true;
  }

  /** A uniformly chosen member (the set must not be empty). */
  random(): string {
    const d = this.data;
    const i = Math.floor(Math.random() * this.size());
    if (typeof d !== 'string') return d.items[i]!;
    return isIntset(d) ? intsetGet(d, i) : itemAt(d, packedAt(d, i));
  }

  /** Removes and returns a uniformly chosen member (the set must not be empty). */
  popRandom(): string {
    const d = this.data;
    const n = this.size();
    const i = Math.floor(Math.random() * n);
    if (typeof d !== 'string') return d.removeAt(i);
    if (isIntset(d)) {
      const m = intsetGet(d, i);
      this.data = removeAt(d, i);
      return m;
    }
    const p = packedAt(d, i);
    const m = itemAt(d, p);
    this.data = packedRemove(d, n, p);
    return m;
  }

  /** Empties the set and starts over as an intset (a rebuilt value in Redis). */
  reset(): void {
    this.data = EMPTY_INTSET;
  }

  /**
   * The members in Redis's iteration order where it is defined (ascending for
   * an intset). A big set hands out its own array: do not mutate it.
   */
  members(): readonly string[] {
    const d = this.data;
    if (typeof d !== 'string') return d.items;
    return isIntset(d) ? intsetMembers(d) : unpack(d, dataAt(d, 0));
  }

  /** Redis's intset blob of an intset (RDB_TYPE_SET_INTSET's payload, DUMP). */
  intsetBlob(): Buffer {
    return intsetToBlob(this.data as string);
  }

  /** Length of intsetBlob() without building it (DEBUG OBJECT's serializedlength). */
  intsetBlobLength(): number {
    return intsetBlobLength(this.data as string);
  }
}
