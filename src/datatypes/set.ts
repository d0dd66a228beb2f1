/**
 * A set value: `acct` and one `data` field holding one of three forms, each
 * one of Redis 7.4's encodings (OBJECT ENCODING names it):
 *
 * - intset (intset.ts): a string of fixed-width integers in ascending order,
 *   while every member is a canonical int64 and there are at most
 *   set-max-intset-entries of them; members come in ascending order.
 * - listpack: a packed string (packed.ts): the member count, then the
 *   members in insertion order (Redis 7.2's listpack set: SMEMBERS, SSCAN,
 *   SINTER … list them in that order). The count is one char under 128,
 *   else 0xff and then the count as a varint, so the first char never looks
 *   like an intset's tag.
 * - hashtable (set-big.ts): array + Map.
 *
 * Conversions are Redis 7.4's (t_set.c): setTypeCreate / setTypeMaybeConvert
 * pick the form from the first member and the number of members coming
 * (SADD, SMOVE: create() and maybeConvert()), setTypeAdd converts an intset
 * to a listpack on a non-integer that fits (else to a hashtable) and to a
 * hashtable past set-max-intset-entries, a listpack to a hashtable past
 * set-max-listpack-entries members or -value bytes. Nothing converts back
 * in place: a freshly built value starts over (SPOP's survivors, stored
 * results, a loaded value: fromMembers as rdbLoadObject builds one).
 */
import type { CollectionValue } from './value.ts';
import { objectBytes } from './value.ts';
import { dataAt, find, hdr, itemAt, skip, stringBytes, unpack, begin, putByte, putLen, putRaw, putItem, finish } from './packed.ts';
import { BigSet } from './set-big.ts';
import {
  EMPTY_INTSET, insertKey, intsetBlobLength, intsetCount, intsetFromBlob, intsetFromSorted, intsetGet, intsetMembers,
  intsetMerge, intsetToBlob, isIntset, parseKey, removeAt, removeIndices, searchKey,
} from './intset.ts';
import { isInt64 } from '../commands/core/parse.ts';

/** The config a set's form depends on (names as LoadLimits has them, so a loader's limits serve). */
export interface SetLimits {
  /** set-max-intset-entries */
  setMaxIntsetEntries: number;
  /** set-max-listpack-entries */
  setMaxListpackEntries: number;
  /** set-max-listpack-value */
  setMaxListpackValue: number;
}

/** Redis 7.4's defaults. */
export const DEFAULT_SET_LIMITS: SetLimits = { setMaxIntsetEntries: 512, setMaxListpackEntries: 128, setMaxListpackValue: 64 };

/** A listpack set with no members (createSetListpackObject). */
export const EMPTY_LISTPACK = '\x00';

/** First char of a listpack set of 128 members or more: the count follows as a varint. */
const LONG_COUNT = 0xff;

/** Most members an intset holds: set-max-intset-entries, at most 2^30 (intsetMaxEntries). */
function intsetMax(lim: SetLimits): number {
  return Math.min(lim.setMaxIntsetEntries, 1 << 30);
}

/** Numeric order of two canonical int64 strings without parsing them. */
export function compareIntStrings(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45;
  const nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  let d = a.length - b.length;
  if (d === 0) d = a < b ? -1 : a > b ? 1 : 0;
  return na ? -d : d;
}

/** Position of a listpack set's first member; its member count goes to hdr.len. */
function lpStart(s: string): number {
  const c = s.charCodeAt(0);
  if (c === LONG_COUNT) return dataAt(s, 1);
  hdr.len = c;
  return 1;
}

/** Appends a listpack set's count header. */
function putCount(n: number): void {
  if (n >= 0x80) putByte(LONG_COUNT);
  putLen(n);
}

/** The listpack set of distinct `members`, in their order. */
function listpackOf(members: readonly string[]): string {
  begin();
  putCount(members.length);
  for (let i = 0; i < members.length; i++) putItem(members[i]!);
  return finish();
}

/** Position of the listpack member at index `i`. */
function packedAt(s: string, i: number): number {
  let p = lpStart(s);
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

/** `s` (a listpack set of `n` members) without its member at `p`. */
function packedRemove(s: string, n: number, p: number): string {
  const start = lpStart(s);
  const next = skip(s, p);
  begin();
  putCount(n - 1);
  putRaw(s, start, p);
  putRaw(s, next, s.length);
  return finish();
}

/**
 * Whether intset `d` goes to a listpack when non-integer `m` joins it (the
 * check in setTypeAddAux): fewer members than set-max-listpack-entries, and
 * `m` and the longest member (its smallest or largest) within -value bytes.
 */
function intsetTakesString(d: string, m: string, lim: SetLimits): boolean {
  const n = intsetCount(d);
  if (n >= lim.setMaxListpackEntries || m.length > lim.setMaxListpackValue) return false;
  if (n === 0) return true;
  const longest = Math.max(intsetGet(d, 0).length, intsetGet(d, n - 1).length);
  return longest <= lim.setMaxListpackValue;
}

/**
 * `k` of the indices 0..n-1, chosen uniformly, ascending: listpack's
 * lpNextRandom walk (each index taken with the chance of those still
 * wanted among those left), as SPOP and SRANDMEMBER pick from a listpack.
 */
export function orderedSample(n: number, k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n && out.length < k; i++) {
    if (Math.random() * (n - i) < k - out.length) out.push(i);
  }
  return out;
}

export class SetValue implements CollectionValue {
  acct = 0;
  /** An intset string (tag char 0x82/0x84/0x88), a listpack string (count first) or a BigSet. */
  data: string | BigSet;

  constructor(data: string | BigSet = EMPTY_INTSET) {
    this.data = data;
  }

  get type(): 'set' {
    return 'set';
  }

  /**
   * An empty set for `first` and about `hint` members (setTypeCreate): an
   * intset when `first` is an integer and the hint within
   * set-max-intset-entries, else a listpack when within
   * set-max-listpack-entries, else a hashtable.
   */
  static create(first: string, hint: number, lim: SetLimits): SetValue {
    if (hint <= lim.setMaxIntsetEntries && isInt64(first)) return new SetValue(EMPTY_INTSET);
    if (hint <= lim.setMaxListpackEntries) return new SetValue(EMPTY_LISTPACK);
    return new SetValue(new BigSet());
  }

  /**
   * A set of `members` as Redis's rdbLoadObject builds RDB_TYPE_SET: a
   * hashtable when there are more than set-max-intset-entries, else an
   * intset that turns into a listpack at the first non-integer when the
   * members so far fit (its integers first, ascending, then the rest in
   * order), and into a hashtable at the first member that does not fit.
   * Null when a member repeats.
   */
  static fromMembers(members: readonly string[], lim: SetLimits): SetValue | null {
    const n = members.length;
    if (n > intsetMax(lim)) {
      const big = BigSet.from(members);
      return big === null ? null : new SetValue(big);
    }
    const ints: string[] = [];
    let i = 0;
    let longest = 0;
    for (; i < n; i++) {
      const m = members[i]!;
      if (m.length > longest) longest = m.length;
      if (!isInt64(m)) break;
      ints.push(m);
    }
    ints.sort(compareIntStrings);
    for (let k = 1; k < ints.length; k++) if (ints[k] === ints[k - 1]) return null;
    if (i === n) return new SetValue(intsetFromSorted(ints));
    // the first non-integer: a listpack of the integers so far when they and it fit
    let list: string[] | null = ints.length < lim.setMaxListpackEntries && longest <= lim.setMaxListpackValue ? ints : null;
    if (list !== null) {
      for (; i < n; i++) {
        const m = members[i]!;
        if (list.length >= lim.setMaxListpackEntries || m.length > lim.setMaxListpackValue) break;
        if (list.indexOf(m) >= 0) return null;
        list.push(m);
      }
      if (i === n) return new SetValue(listpackOf(list));
    }
    const big = BigSet.from(list ?? ints);
    if (big === null) return null;
    for (; i < n; i++) if (!big.add(members[i]!)) return null;
    return new SetValue(big);
  }

  /**
   * The set of a Redis listpack's `members` (RDB_TYPE_SET_LISTPACK), kept
   * as it is, integers and long members included, unless it has more than
   * set-max-listpack-entries (then a hashtable), as rdbLoadObject. Null when
   * a member repeats.
   */
  static fromListpack(members: readonly string[], lim: SetLimits): SetValue | null {
    if (members.length > lim.setMaxListpackEntries) {
      const big = BigSet.from(members);
      return big === null ? null : new SetValue(big);
    }
    const seen = new Set(members);
    return seen.size === members.length ? new SetValue(listpackOf(members)) : null;
  }

  /** The set held by a Redis intset blob in d[start, end) (RDB_TYPE_SET_INTSET), or null when malformed. */
  static fromIntsetBlob(d: Uint8Array, start: number, end: number, lim: SetLimits): SetValue | null {
    const s = intsetFromBlob(d, start, end);
    if (s === null) return null;
    return new SetValue(intsetCount(s) > lim.setMaxIntsetEntries ? BigSet.from(intsetMembers(s))! : s);
  }

  encoding(): string {
    const d = this.data;
    return typeof d !== 'string' ? 'hashtable' : isIntset(d) ? 'intset' : 'listpack';
  }

  /** Whether OBJECT ENCODING says intset. */
  get intset(): boolean {
    const d = this.data;
    return typeof d === 'string' && isIntset(d);
  }

  /** Whether OBJECT ENCODING says listpack. */
  get listpack(): boolean {
    const d = this.data;
    return typeof d === 'string' && !isIntset(d);
  }

  /** Whether the set is a packed string (intset or listpack): small enough to serve whole (SSCAN). */
  get packed(): boolean {
    return typeof this.data === 'string';
  }

  /**
   * Converts to a hashtable when `hint` members are coming and the set
   * could not hold them (setTypeMaybeConvert: SADD of many members).
   */
  maybeConvert(hint: number, lim: SetLimits): void {
    const d = this.data;
    if (typeof d !== 'string') return;
    if (isIntset(d) ? hint > lim.setMaxIntsetEntries : hint > lim.setMaxListpackEntries) this.toBig();
  }

  /** Turns the set into a hashtable holding the same members. */
  toBig(): void {
    if (typeof this.data === 'string') this.data = BigSet.from(this.members())!;
  }

  size(): number {
    const d = this.data;
    if (typeof d !== 'string') return d.items.length;
    if (isIntset(d)) return intsetCount(d);
    lpStart(d);
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
    return find(d, m, lpStart(d), 1) >= 0;
  }

  /** Adds a member as Redis's setTypeAdd. True if it was new. */
  add(m: string, lim: SetLimits): boolean {
    const d = this.data;
    if (typeof d !== 'string') return d.add(m);
    if (isIntset(d)) {
      if (parseKey(m)) {
        const next = insertKey(d);
        if (next === null) return false;
        this.data = intsetCount(next) > intsetMax(lim) ? BigSet.from(intsetMembers(next))! : next;
        return true;
      }
      const ms = intsetMembers(d);
      const toList = intsetTakesString(d, m, lim);
      ms.push(m);
      this.data = toList ? listpackOf(ms) : BigSet.from(ms)!;
      return true;
    }
    const start = lpStart(d);
    const n = hdr.len;
    if (find(d, m, start, 1) >= 0) return false;
    if (n >= lim.setMaxListpackEntries || m.length > lim.setMaxListpackValue) {
      const ms = unpack(d, start);
      ms.push(m);
      this.data = BigSet.from(ms)!;
      return true;
    }
    begin();
    putCount(n + 1);
    putRaw(d, start, d.length);
    putItem(m);
    this.data = finish();
    return true;
  }

  /**
   * Adds ms[from…] as add() on each in turn would and returns how many were
   * new: the same members, order, form and count (SADD with many members,
   * a set built from others). An intset or listpack string is rebuilt once
   * for the members it takes, not once per member; a conversion mid-batch
   * happens at the member add() would convert on, and the rest go on in the
   * new form.
   */
  addMany(ms: readonly string[], from: number, lim: SetLimits): number {
    let d = this.data;
    let i = from;
    const end = ms.length;
    let added = 0;
    if (typeof d === 'string' && isIntset(d)) {
      // integers join the intset until a non-integer, or one past
      // set-max-intset-entries, converts it (that member included)
      const max = intsetMax(lim);
      const count = intsetCount(d);
      // integers not in the intset, repeats included while far from the
      // limit (no Set built: a sort drops them); near it, a Set counts the
      // distinct ones exactly, to convert on the right member
      const news: string[] = [];
      let seen: Set<string> | null = null;
      let other: string | null = null;
      let overflow = false;
      for (; i < end; i++) {
        const m = ms[i]!;
        if (!parseKey(m)) {
          other = m;
          i++;
          break;
        }
        if (searchKey(d) >= 0) continue;
        if (seen === null) {
          news.push(m);
          if (count + news.length <= max) continue;
          seen = new Set(news);
        } else {
          if (seen.has(m)) continue;
          seen.add(m);
          news.push(m);
        }
        if (count + seen.size > max) {
          overflow = true;
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
      if (overflow) {
        // past set-max-intset-entries: a hashtable of the intset's members
        this.data = d = BigSet.from(intsetMembers(d))!;
      } else if (other === null) {
        this.data = d;
        return added;
      } else {
        // a non-integer: the intset's members in ascending order, then it
        const members = intsetMembers(d);
        const toList = intsetTakesString(d, other, lim);
        members.push(other);
        added++;
        this.data = d = toList ? listpackOf(members) : BigSet.from(members)!;
      }
    }
    if (typeof d === 'string') {
      // listpack: new members appended in order of arrival, until one past
      // set-max-listpack-entries members or -value bytes converts it (that member included)
      const maxEntries = lim.setMaxListpackEntries;
      const maxValue = lim.setMaxListpackValue;
      const start = lpStart(d);
      let n = hdr.len;
      // new members, each once
      const items: string[] = [];
      let fresh: Set<string> | null = null;
      let convert = false;
      for (; i < end; i++) {
        const m = ms[i]!;
        if (fresh !== null ? fresh.has(m) : items.indexOf(m) >= 0) continue;
        if (find(d, m, start, 1) >= 0) continue;
        items.push(m);
        if (fresh !== null) fresh.add(m);
        else if (items.length === 32) fresh = new Set(items);
        if (n >= maxEntries || m.length > maxValue) {
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
        putCount(n);
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
   * (SREM with many members). An intset or listpack string is rebuilt once.
   */
  deleteMany(ms: readonly string[], from: number): number {
    const d = this.data;
    let removed = 0;
    if (typeof d !== 'string') {
      for (let i = from; i < ms.length; i++) if (d.delete(ms[i]!)) removed++;
      return removed;
    }
    // indices (intset) or positions (listpack) of the members to drop, ascending, each once
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
    const start = lpStart(d);
    const n = hdr.len;
    for (let i = from; i < ms.length; i++) {
      const p = find(d, ms[i]!, start, 1);
      if (p >= 0) insertSorted(gone, p);
    }
    if (gone.length === 0) return 0;
    begin();
    putCount(n - gone.length);
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
    const start = lpStart(d);
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

  /** Empties the set, as a fresh intset (createIntsetObject) or listpack (createSetListpackObject). */
  reset(listpack = false): void {
    this.data = listpack ? EMPTY_LISTPACK : EMPTY_INTSET;
  }

  /**
   * The members in Redis's iteration order where it is defined (ascending for
   * an intset, insertion order for a listpack). A big set hands out its own
   * array: do not mutate it.
   */
  members(): readonly string[] {
    const d = this.data;
    if (typeof d !== 'string') return d.items;
    return isIntset(d) ? intsetMembers(d) : unpack(d, lpStart(d));
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
