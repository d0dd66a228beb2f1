/**
 * The "skiplist" encoding of a sorted set (Redis's name for it; OBJECT
 * ENCODING still says so): a dict (member → score) and an ordered index of
 * (score, member), here an order-statistic B+tree (zset-tree.ts) in place
 * of Redis's skiplist: the same O(log n) operations with a few cache misses
 * each. Keeps a running count of the heap bytes its members, dict entries
 * and tree nodes take.
 */
import { MAP_ENTRY_BYTES, objectBytes } from './value.ts';
import { stringBytes } from './packed.ts';
import { ZTree, cursor, leafBytes, LEAF_CAP } from './zset-tree.ts';
import { gteMin, lexGteMin, lexLteMax, lteMax, type LexRange, type RangeOut, type ScoreRange } from './zrange-spec.ts';

/** Fixed heap bytes of an empty big form: this object, the Map (with its first table), the tree and its one empty leaf. */
export const ZSET_BIG_BASE = objectBytes(3) + 184 + objectBytes(11) + leafBytes(LEAF_CAP);

/** Bytes a score takes as a Map value: nothing for a small integer (a Smi), a 16-byte HeapNumber otherwise. */
function scoreBytes(s: number): number {
  return (s | 0) === s && !Object.is(s, -0) ? 0 : 16;
}

/** Bytes one element costs beside its tree slot: its member string and its dict entry (with its boxed score). */
function elementBytes(member: string, score: number): number {
  return stringBytes(member.length) + MAP_ENTRY_BYTES + scoreBytes(score);
}

const popped = { member: '', score: 0 };

export class ZSetBig {
  readonly dict = new Map<string, number>();
  readonly tree: ZTree;
  /** Heap bytes of the elements (see elementBytes); the tree's nodes count in `mem`. */
  private elems = 0;

  /** `leafCap` / `innerCap`: node sizes, small in tests to cross many splits. */
  constructor(leafCap?: number, innerCap?: number) {
    this.tree = new ZTree(leafCap, innerCap);
  }

  /** Heap bytes past ZSET_BIG_BASE: the elements and the tree's nodes but its first leaf. */
  get mem(): number {
    return this.elems + this.tree.nodeBytes() - leafBytes(this.tree.leafCap);
  }

  get size(): number {
    return this.dict.size;
  }

  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  /** Adds a member that is not in the set. */
  insert(member: string, score: number): void {
    this.tree.insert(score, member);
    this.dict.set(member, score);
    this.elems += elementBytes(member, score);
  }

  /**
   * Adds members not in the set, given in (score, member) order (a
   * conversion, a copy): appended leaf by leaf. False (nothing more added)
   * at a member already there.
   */
  appendSorted(members: readonly string[], scores: ArrayLike<number>): boolean {
    const dict = this.dict;
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (dict.has(m)) {
        this.tree.appendSorted(members, scores, 0, i);
        for (let j = 0; j < i; j++) this.elems += elementBytes(members[j]!, scores[j]!);
        return false;
      }
      dict.set(m, scores[i]!);
    }
    this.tree.appendSorted(members, scores, 0, members.length);
    for (let j = 0; j < members.length; j++) this.elems += elementBytes(members[j]!, scores[j]!);
    return true;
  }

  /** Moves an existing member to a new score. */
  update(member: string, cur: number, score: number): void {
    this.tree.updateScore(cur, member, score);
    this.dict.set(member, score);
    this.elems += scoreBytes(score) - scoreBytes(cur);
  }

  delete(member: string): boolean {
    const s = this.dict.get(member);
    if (s === undefined) return false;
    this.dict.delete(member);
    this.tree.delete(s, member);
    this.elems -= elementBytes(member, s);
    return true;
  }

  /** 0-based rank of `member` from the lowest (or highest: rev), or -1. */
  rank(member: string, rev: boolean): number {
    const s = this.dict.get(member);
    if (s === undefined) return -1;
    const r = this.tree.rank(s, member);
    return rev ? this.tree.length - 1 - r : r;
  }

  /** Removes the `count` lowest (highest: max) members into `out`, in pop order. */
  pop(max: boolean, count: number, out: RangeOut): void {
    for (let i = 0; i < count; i++) {
      if (!this.tree.popEnd(max, popped)) return;
      this.dict.delete(popped.member);
      this.elems -= elementBytes(popped.member, popped.score);
      out.members.push(popped.member);
      out.scores.push(popped.score);
    }
  }

  /** Appends up to `count` entries from the cursor on (back: rev) to `out`, while `inRange` (when given) holds. */
  private collect(rev: boolean, count: number, out: RangeOut, score: ScoreRange | null, lex: LexRange | null): void {
    const c = cursor;
    while (count-- !== 0) {
      const m = c.leaf!.members[c.i]!, s = c.leaf!.scores[c.i]!;
      if (score !== null && (rev ? !gteMin(s, score) : !lteMax(s, score))) return;
      if (lex !== null && (rev ? !lexGteMin(m, lex) : !lexLteMax(m, lex))) return;
      out.members.push(m);
      out.scores.push(s);
      if (!(rev ? ZTree.prev() : ZTree.next())) return;
    }
  }

  /** Members of 0-based ranks start..end (clamped); `rev` counts ranks from the highest. */
  rangeByRank(start: number, end: number, rev: boolean, out: RangeOut): void {
    if (end < start) return;
    if (!this.tree.seek(rev ? this.tree.length - 1 - start : start)) return;
    this.collect(rev, end - start + 1, out, null, null);
  }

  /** Moves the cursor `offset` entries on (back: rev); false past the end. */
  private static skip(rev: boolean, offset: number): boolean {
    return offset <= 0 || (rev ? ZTree.skipBack(offset) : ZTree.skip(offset));
  }

  /** From the first (last: rev) member in the score range, `offset` skipped, up to `limit` (-1: all). */
  rangeByScore(r: ScoreRange, rev: boolean, offset: number, limit: number, out: RangeOut): void {
    const k = rev ? this.tree.lastInRange(r) : this.tree.firstInRange(r);
    if (k < 0 || !ZSetBig.skip(rev, offset)) return;
    this.collect(rev, limit, out, r, null);
  }

  /** As rangeByScore, over a lex range. */
  rangeByLex(r: LexRange, rev: boolean, offset: number, limit: number, out: RangeOut): void {
    const k = rev ? this.tree.lastInLexRange(r) : this.tree.firstInLexRange(r);
    if (k < 0 || !ZSetBig.skip(rev, offset)) return;
    this.collect(rev, limit, out, null, r);
  }

  /** Redis's rank arithmetic for ZCOUNT / ZLEXCOUNT: from the first in range to the end, less what follows the last. */
  private countBetween(first: number, last: number): number {
    if (first < 0) return 0;
    const len = this.tree.length;
    let count = len - first;
    if (last >= 0) count -= len - 1 - last;
    return count;
  }

  countByScore(r: ScoreRange): number {
    return this.countBetween(this.tree.firstInRange(r), this.tree.lastInRange(r));
  }

  countByLex(r: LexRange): number {
    return this.countBetween(this.tree.firstInLexRange(r), this.tree.lastInLexRange(r));
  }

  /** Removes the members of 0-based ranks start..end (clamped). */
  deleteByRank(start: number, end: number): number {
    return this.tree.deleteRange(start, end, (m, s) => {
      this.dict.delete(m);
      this.elems -= elementBytes(m, s);
    });
  }

  /** From the first member in range, forward while members stay below max (as Redis). */
  deleteByScore(r: ScoreRange): number {
    const from = this.tree.firstInRange(r);
    if (from < 0) return 0;
    let n = 1;
    while (ZTree.next() && lteMax(cursor.leaf!.scores[cursor.i]!, r)) n++;
    return this.deleteByRank(from, from + n - 1);
  }

  /** As deleteByScore, over a lex range. */
  deleteByLex(r: LexRange): number {
    const from = this.tree.firstInLexRange(r);
    if (from < 0) return 0;
    let n = 1;
    while (ZTree.next() && lexLteMax(cursor.leaf!.members[cursor.i]!, r)) n++;
    return this.deleteByRank(from, from + n - 1);
  }

  /** Calls fn for the members from the first in the score range while in it, until fn returns false. */
  walkScore(r: ScoreRange, fn: (member: string, score: number) => boolean): void {
    if (this.tree.firstInRange(r) < 0) return;
    // the cursor is shared scratch: fn may run other sorted set code, so walk with locals
    let l = cursor.leaf!, i = cursor.i;
    for (;;) {
      const s = l.scores[i]!;
      if (!lteMax(s, r) || !fn(l.members[i]!, s)) return;
      if (++i >= l.n) {
        if (l.next === null) return;
        l = l.next;
        i = 0;
      }
    }
  }

  /** Calls fn for every member and score, lowest first (highest first: rev). */
  forEach(fn: (member: string, score: number) => void, rev = false): void {
    this.tree.forEach(fn, rev);
  }
}
