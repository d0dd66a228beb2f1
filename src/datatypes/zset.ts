/**
 * A sorted set value. `data` is either one packed string, Redis's
 * "listpack" encoding (zset-listpack.ts: entries ordered by (score, member),
 * linear walks), or a ZSetBig, the "skiplist" encoding (zset-big.ts: dict +
 * an order-statistic B+tree in place of Redis's skiplist, O(log n)). The set starts packed and converts exactly when Redis
 * 7.0 does (t_zset.c): to the skiplist before an insert that would outgrow
 * zset-max-listpack-entries / -value; back to packed only where Redis calls
 * zsetConvertToListpackIfNeeded (store commands' fresh results, RDB load).
 *
 * While packed, scores behave as Redis's listpack stores them: an integral
 * score is kept as an integer, so -0 reads back as 0 (see scoreText).
 */
import { objectBytes, type CollectionValue } from './value.ts';
import { headerSize, itemSize, stringBytes } from './packed.ts';
import { ZSET_BIG_BASE, ZSetBig } from './zset-big.ts';
import type { Leaf } from './zset-tree.ts';
import type { LexRange, RangeOut, ScoreRange } from './zrange-spec.ts';
import {
  ZL_EMPTY, found, deleted, zlAll, zlCountByLex, zlCountByScore, zlDeleteByLex, zlDeleteByRank, zlDeleteByScore,
  zlFind, zlFromSorted, zlInsert, zlLength, zlPop, zlRangeByLex, zlRangeByRank, zlRangeByScore, zlRank, zlUpdate,
  zlWalkScore, zlHead, zlNext, zlMember, zlScore, zlDelete, zlPositions, POS, zlToMap, zlDeleteAt,
} from './zset-listpack.ts';
import { formatDouble, formatDoubleShortest } from '../protocol/format.ts';

/** (double)(LLONG_MAX / 2): Redis's double2ll keeps integers up to this as integers in a listpack. */
const LISTPACK_INT_LIMIT = 4611686018427387904;

/** lpSafeToAdd: a listpack stays under 1 GB. */
const LISTPACK_SAFETY = 1 << 30;

/** zadd() input flags (Redis's ZADD_IN_*). */
export const ZADD_NX = 1, ZADD_XX = 2, ZADD_GT = 4, ZADD_LT = 8, ZADD_INCR = 16;
/** zadd() result flags (Redis's ZADD_OUT_*). */
export const ZADD_ADDED = 1, ZADD_UPDATED = 2, ZADD_NOP = 4, ZADD_NAN = 8;
/** The score the last zadd() left (the incremented one under INCR). */
export const zaddOut = { score: 0 };

/**
 * zsetAdd's rules for a member already in the set at `cur`: 0 with the
 * score to set in zaddOut.score, or ZADD_NOP (NX, or GT / LT refuse) or
 * ZADD_NAN (INCR made a NaN).
 */
function existingScore(cur: number, score: number, flags: number): number {
  if ((flags & ZADD_NX) !== 0) return ZADD_NOP;
  if ((flags & ZADD_INCR) !== 0) {
    score += cur;
    if (Number.isNaN(score)) return ZADD_NAN;
  }
  if (((flags & ZADD_LT) !== 0 && score >= cur) || ((flags & ZADD_GT) !== 0 && score <= cur)) return ZADD_NOP;
  zaddOut.score = score;
  return 0;
}

/** What the last zaddMany() did: how many pairs added a member, how many changed a score. */
export const zaddCounts = { added: 0, updated: 0 };

// Scratch columns for conversions and random picks; never used re-entrantly.
const tmp: RangeOut = { members: [], scores: [] };

/** A multi-pair edit's working copy (member → score) as (score, member) sorted columns. */
function sortedColumns(work: Map<string, number>, ms: string[], ss: number[]): void {
  const n = work.size;
  const m0: string[] = new Array(n);
  const s0: number[] = new Array(n);
  const order: number[] = new Array(n);
  let i = 0;
  for (const [m, sc] of work) {
    m0[i] = m;
    s0[i] = sc;
    order[i] = i;
    i++;
  }
  order.sort((a, b) => {
    const sa = s0[a]!, sb = s0[b]!;
    if (sa !== sb) return sa < sb ? -1 : 1;
    const ma = m0[a]!, mb = m0[b]!;
    return ma < mb ? -1 : ma > mb ? 1 : 0;
  });
  for (let j = 0; j < n; j++) {
    ms.push(m0[order[j]!]!);
    ss.push(s0[order[j]!]!);
  }
}

/** 1 when the columns are in strictly ascending (score, member) order, -1 strictly descending, else 0. */
function sortedDirection(members: readonly string[], scores: readonly number[]): number {
  let up = true, down = true;
  for (let i = 1; i < members.length && (up || down); i++) {
    const s0 = scores[i - 1]!, s1 = scores[i]!;
    const m0 = members[i - 1]!, m1 = members[i]!;
    const lt = s0 < s1 || (s0 === s1 && m0 < m1);
    const gt = s0 > s1 || (s0 === s1 && m0 > m1);
    if (!lt) up = false;
    if (!gt) down = false;
  }
  return up ? 1 : down ? -1 : 0;
}

export class ZSetValue implements CollectionValue {
  acct = 0;
  /** The packed string ("listpack") or the dict + ordered tree (the "skiplist" encoding). */
  data: string | ZSetBig;

  constructor(data: string | ZSetBig = ZL_EMPTY) {
    this.data = data;
  }

  get type(): 'zset' {
    return 'zset';
  }

  /** In the skiplist encoding. */
  get big(): boolean {
    return typeof this.data !== 'string';
  }

  encoding(): string {
    return typeof this.data === 'string' ? 'listpack' : 'skiplist';
  }

  size(): number {
    const d = this.data;
    return typeof d === 'string' ? zlLength(d) : d.size;
  }

  bytes(): number {
    const d = this.data;
    return typeof d === 'string' ? stringBytes(d.length + 1) : objectBytes(2) + ZSET_BIG_BASE + d.mem;
  }

  packedData(): string | null {
    const d = this.data;
    return typeof d === 'string' ? d : null;
  }

  /** A copy in the same encoding (a packed string is immutable: shared). */
  clone(): ZSetValue {
    const d = this.data;
    if (typeof d === 'string') return new ZSetValue(d);
    this.all(tmp);
    const b = new ZSetBig();
    b.appendSorted(tmp.members, tmp.scores);
    tmp.members.length = 0;
    tmp.scores.length = 0;
    return new ZSetValue(b);
  }

  /** Member, score, member, score … with scores as replies write them (or as `score` formats them). */
  *entries(score: (d: number) => string = formatDoubleShortest): IterableIterator<string> {
    const d = this.data;
    if (typeof d === 'string') {
      for (let p = zlHead(d); p < d.length; p = zlNext(d, p)) {
        yield zlMember(d, p);
        yield score(zlScore(d, p));
      }
      return;
    }
    for (let l: Leaf | null = d.tree.head; l !== null; l = l.next) {
      for (let i = 0; i < l.n; i++) {
        yield l.members[i]!;
        yield score(l.scores[i]!);
      }
    }
  }

  /** The members in order (SORT). */
  members(): string[] {
    const out: string[] = [];
    const d = this.data;
    if (typeof d === 'string') for (let p = zlHead(d); p < d.length; p = zlNext(d, p)) out.push(zlMember(d, p));
    else d.forEach((m) => out.push(m));
    return out;
  }

  score(member: string): number | undefined {
    const d = this.data;
    if (typeof d !== 'string') return d.score(member);
    return zlFind(d, member) < 0 ? undefined : found.score;
  }

  /**
   * Redis's zsetAdd: adds or updates `member` under ZADD_* `flags`, turning
   * the set into a skiplist first when the insert would outgrow the
   * listpack limits. Returns ZADD_ADDED / UPDATED / NOP / NAN; the new score
   * goes to zaddOut.score.
   */
  zadd(member: string, score: number, flags: number, maxEntries: number, maxValue: number): number {
    let d = this.data;
    if (typeof d === 'string') {
      const p = zlFind(d, member);
      if (p >= 0) {
        const cur = found.score;
        const stop = existingScore(cur, score, flags);
        if (stop !== 0) return stop;
        if (zaddOut.score === cur) return 0;
        this.data = zlUpdate(d, p, member, zaddOut.score);
        return ZADD_UPDATED;
      }
      if ((flags & ZADD_XX) !== 0) return ZADD_NOP;
      if (zlLength(d) + 1 <= maxEntries && member.length <= maxValue && d.length + member.length + 13 < LISTPACK_SAFETY) {
        this.data = zlInsert(d, member, score);
        zaddOut.score = score;
        return ZADD_ADDED;
      }
      d = this.toBig();
    }
    const cur = d.dict.get(member);
    if (cur !== undefined) {
      const stop = existingScore(cur, score, flags);
      if (stop !== 0) return stop;
      if (zaddOut.score === cur) return 0;
      d.update(member, cur, zaddOut.score);
      return ZADD_UPDATED;
    }
    if ((flags & ZADD_XX) !== 0) return ZADD_NOP;
    d.insert(member, score);
    zaddOut.score = score;
    return ZADD_ADDED;
  }

  /**
   * zadd() of n pairs (members[from + i * step], scores[i]) in one call, as
   * ZADD / GEOADD with several pairs: the same state, encoding and
   * counts (into zaddCounts) as zadd() of each pair in turn, duplicates
   * included, but a packed set is rebuilt once, not once per pair. When a
   * pair would outgrow the listpack limits the set converts there, as
   * zadd() would, and the rest go to the skiplist. `flags` must not hold
   * ZADD_INCR (a single pair: use zadd()).
   */
  zaddMany(members: readonly string[], from: number, step: number, scores: readonly number[], n: number,
    flags: number, maxEntries: number, maxValue: number): void {
    let added = 0, updated = 0;
    let i = 0;
    const d = this.data;
    if (typeof d === 'string') {
      // The packed entries as a member → score map, edited pair by pair as zadd() edits the
      // string. A fresh Map each call, not a module-level scratch one: V8 allocates the new
      // tables (growth, clear()) of a Map that is already in the old generation there too, and
      // those dead tables then keep the member strings they held alive through scavenges and
      // into the old generation (measured: 3x the promoted bytes, RSS 2.5x the data).
      const work = new Map<string, number>();
      zlToMap(d, work);
      let count = work.size;
      let len = d.length;
      for (; i < n; i++) {
        const member = members[from + i * step]!;
        const score = scores[i]!;
        const cur = work.get(member);
        if (cur !== undefined) {
          if (existingScore(cur, score, flags) !== 0 || zaddOut.score === cur) continue;
          work.set(member, zaddOut.score === 0 ? 0 : zaddOut.score);
          updated++;
          continue;
        }
        if ((flags & ZADD_XX) !== 0) continue;
        if (count + 1 <= maxEntries && member.length <= maxValue && len + member.length + 13 < LISTPACK_SAFETY) {
          work.set(member, score === 0 ? 0 : score);
          len += headerSize(count + 1) - headerSize(count) + itemSize(member) + 8;
          count++;
          added++;
          zaddOut.score = score;
          continue;
        }
        break; // this pair converts the set (zadd() below redoes it on the skiplist)
      }
      if (added + updated > 0 || i < n) {
        const ms: string[] = [], ss: number[] = [];
        sortedColumns(work, ms, ss);
        if (i < n) {
          // zsetConvert: the entries in order into a skiplist
          const b = new ZSetBig();
          b.appendSorted(ms, ss);
          this.data = b;
        } else {
          this.data = zlFromSorted(ms, ss);
        }
      }
    }
    for (; i < n; i++) {
      const out = this.zadd(members[from + i * step]!, scores[i]!, flags, Infinity, Infinity);
      if (out === ZADD_ADDED) added++;
      else if (out === ZADD_UPDATED) updated++;
    }
    zaddCounts.added = added;
    zaddCounts.updated = updated;
  }

  /** Adds a member that is not in the set, converting past the limits as Redis (store results, tests). */
  insert(member: string, score: number, maxEntries: number, maxValue: number): void {
    this.zadd(member, score, 0, maxEntries, maxValue);
  }

  delete(member: string): boolean {
    const d = this.data;
    if (typeof d !== 'string') return d.delete(member);
    const p = zlFind(d, member);
    if (p < 0) return false;
    this.data = zlDelete(d, p, zlNext(d, p), 1);
    return true;
  }

  /**
   * Removes members[from..to) (ZREM with several members); returns how many
   * were in the set. A packed set is rebuilt once.
   */
  deleteMany(members: readonly string[], from: number, to: number): number {
    const d = this.data;
    let n = 0;
    if (typeof d !== 'string') {
      for (let i = from; i < to; i++) if (d.delete(members[i]!)) n++;
      return n;
    }
    const at: number[] = [];
    for (let i = from; i < to; i++) {
      const p = zlFind(d, members[i]!);
      if (p >= 0 && !at.includes(p)) at[n++] = p;
    }
    if (n > 0) {
      at.sort((a, b) => a - b);
      this.data = zlDeleteAt(d, at, n);
    }
    return n;
  }

  /** 0-based rank of `member` from the lowest (highest: rev), or -1. */
  rank(member: string, rev: boolean): number {
    const d = this.data;
    if (typeof d !== 'string') return d.rank(member, rev);
    const r = zlRank(d, member);
    return r < 0 || !rev ? r : zlLength(d) - 1 - r;
  }

  /** Removes the `count` lowest (highest: max) members into `out`, in pop order. */
  pop(max: boolean, count: number, out: RangeOut): void {
    const d = this.data;
    if (typeof d !== 'string') return d.pop(max, count, out);
    this.data = zlPop(d, max, count, out);
  }

  /** Members of 0-based ranks start..end, already clamped to the set (rev: ranks from the highest). */
  rangeByRank(start: number, end: number, rev: boolean, out: RangeOut): void {
    const d = this.data;
    if (typeof d === 'string') zlRangeByRank(d, start, end, rev, out);
    else d.rangeByRank(start, end, rev, out);
  }

  /** From the first (last: rev) member in the score range, `offset` skipped, up to `limit` (-1: all). */
  rangeByScore(r: ScoreRange, rev: boolean, offset: number, limit: number, out: RangeOut): void {
    const d = this.data;
    if (typeof d === 'string') zlRangeByScore(d, r, rev, offset, limit, out);
    else d.rangeByScore(r, rev, offset, limit, out);
  }

  /** As rangeByScore, over a lex range. */
  rangeByLex(r: LexRange, rev: boolean, offset: number, limit: number, out: RangeOut): void {
    const d = this.data;
    if (typeof d === 'string') zlRangeByLex(d, r, rev, offset, limit, out);
    else d.rangeByLex(r, rev, offset, limit, out);
  }

  countByScore(r: ScoreRange): number {
    const d = this.data;
    return typeof d === 'string' ? zlCountByScore(d, r) : d.countByScore(r);
  }

  countByLex(r: LexRange): number {
    const d = this.data;
    return typeof d === 'string' ? zlCountByLex(d, r) : d.countByLex(r);
  }

  /** Removes the members of 0-based ranks start..end (clamped); returns how many. */
  deleteByRank(start: number, end: number): number {
    const d = this.data;
    if (typeof d !== 'string') return d.deleteByRank(start, end);
    this.data = zlDeleteByRank(d, start, end);
    return deleted.n;
  }

  /** ZREMRANGEBYSCORE: from the first member in range while in range; returns how many. */
  deleteByScore(r: ScoreRange): number {
    const d = this.data;
    if (typeof d !== 'string') return d.deleteByScore(r);
    this.data = zlDeleteByScore(d, r);
    return deleted.n;
  }

  /** ZREMRANGEBYLEX, as deleteByScore. */
  deleteByLex(r: LexRange): number {
    const d = this.data;
    if (typeof d !== 'string') return d.deleteByLex(r);
    this.data = zlDeleteByLex(d, r);
    return deleted.n;
  }

  /** Every member and score, in order, appended to `out`. */
  all(out: RangeOut): void {
    const d = this.data;
    if (typeof d === 'string') return zlAll(d, out);
    d.forEach((m, s) => {
      out.members.push(m);
      out.scores.push(s);
    });
  }

  /**
   * Calls fn for every member and score, lowest first (highest first: rev).
   * fn must not call back into sorted set code (a packed walk backwards uses
   * the shared POS scratch).
   */
  forEach(fn: (member: string, score: number) => void, rev = false): void {
    const d = this.data;
    if (typeof d !== 'string') {
      d.forEach(fn, rev);
    } else if (rev) {
      for (let i = zlPositions(d) - 1; i >= 0; i--) fn(zlMember(d, POS[i]!), zlScore(d, POS[i]!));
    } else {
      for (let p = zlHead(d); p < d.length; p = zlNext(d, p)) fn(zlMember(d, p), zlScore(d, p));
    }
  }

  /** `count` uniformly random members (repeats possible) appended to `out`. */
  randomPicks(count: number, out: RangeOut): void {
    const d = this.data;
    const size = this.size();
    if (typeof d !== 'string') {
      for (let i = 0; i < count; i++) {
        const r = Math.floor(Math.random() * size);
        d.rangeByRank(r, r, false, out);
      }
      return;
    }
    // a listpack has no random access: unpack once (Redis's lpRandomPairs also walks it)
    tmp.members.length = 0;
    tmp.scores.length = 0;
    zlAll(d, tmp);
    for (let i = 0; i < count; i++) {
      const j = Math.floor(Math.random() * size);
      out.members.push(tmp.members[j]!);
      out.scores.push(tmp.scores[j]!);
    }
    tmp.members.length = 0;
    tmp.scores.length = 0;
  }

  /** Calls fn for the members from the first in the score range while in it, until fn returns false. */
  walkScore(r: ScoreRange, fn: (member: string, score: number) => boolean): void {
    const d = this.data;
    if (typeof d === 'string') zlWalkScore(d, r, fn);
    else d.walkScore(r, fn);
  }

  /** zsetConvert to the skiplist encoding (no-op when already there); returns the big form. */
  toBig(): ZSetBig {
    const d = this.data;
    if (typeof d !== 'string') return d;
    const b = new ZSetBig();
    tmp.members.length = 0;
    tmp.scores.length = 0;
    zlAll(d, tmp);
    b.appendSorted(tmp.members, tmp.scores);
    tmp.members.length = 0;
    tmp.scores.length = 0;
    this.data = b;
    return b;
  }

  /**
   * Redis's zsetConvertToListpackIfNeeded: a skiplist that fits the limits
   * (and the 1 GB listpack bound) becomes packed.
   */
  packIfFits(maxEntries: number, maxValue: number): void {
    const d = this.data;
    if (typeof d === 'string' || d.size > maxEntries) return;
    let total = 0;
    for (const m of d.dict.keys()) {
      if (m.length > maxValue) return;
      total += m.length;
    }
    if (total >= LISTPACK_SAFETY) return;
    this.all(tmp);
    this.data = zlFromSorted(tmp.members, tmp.scores);
    tmp.members.length = 0;
    tmp.scores.length = 0;
  }

  /**
   * A set from unordered, distinct (member, score) columns: packed when it
   * fits the limits (sorted here), else a skiplist. Null when a member
   * repeats (a corrupt RDB).
   */
  static fromColumns(members: string[], scores: number[], maxEntries: number, maxValue: number): ZSetValue | null {
    const n = members.length;
    let fits = n <= maxEntries;
    let total = 0;
    for (let i = 0; fits && i < n; i++) {
      total += members[i]!.length;
      if (members[i]!.length > maxValue || total >= LISTPACK_SAFETY) fits = false;
    }
    if (!fits) {
      const b = new ZSetBig();
      // an RDB lists a big set from its highest entry down (zsetRdbSave): built leaf by leaf, bottom up
      const dir = sortedDirection(members, scores);
      if (dir !== 0) {
        if (dir < 0) {
          members = members.slice().reverse();
          scores = scores.slice().reverse();
        }
        return b.appendSorted(members, scores) ? new ZSetValue(b) : null;
      }
      for (let i = 0; i < n; i++) {
        if (b.dict.has(members[i]!)) return null;
        b.insert(members[i]!, scores[i]!);
      }
      return new ZSetValue(b);
    }
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => {
      const sa = scores[a]!, sb = scores[b]!;
      if (sa !== sb) return sa < sb ? -1 : 1;
      const ma = members[a]!, mb = members[b]!;
      return ma < mb ? -1 : ma > mb ? 1 : 0;
    });
    const ms: string[] = new Array(n);
    const ss: number[] = new Array(n);
    for (let i = 0; i < n; i++) {
      ms[i] = members[order[i]!]!;
      ss[i] = scores[order[i]!]!;
    }
    return ZSetValue.fromSorted(ms, ss);
  }

  /**
   * A packed set from columns already in (score, member) order (a listpack
   * blob's entries, kept in their order as Redis does); null when a member
   * repeats.
   */
  static fromSorted(members: readonly string[], scores: readonly number[]): ZSetValue | null {
    const sorted = members.slice().sort();
    for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return null;
    return new ZSetValue(zlFromSorted(members, scores));
  }

  /**
   * A score as ZSCAN shows it: a listpack's entry as zzlInsertAt wrote it
   * (d2string: an integer, or the shortest digits), a skiplist's as
   * ld2string's %.17Lg.
   */
  scoreText(score: number): string {
    if (this.big) return formatDouble(score);
    // double2ll: integral scores (-0 too) are integer entries
    if (Number.isInteger(score) && Math.abs(score) <= LISTPACK_INT_LIMIT) return BigInt(score).toString();
    return formatDoubleShortest(score);
  }
}
