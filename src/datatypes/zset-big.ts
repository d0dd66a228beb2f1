/**
 * The "skiplist" encoding of a sorted set: Redis's zset struct, a dict
 * (member → its skiplist node, whose score it reads) and the skiplist
 * ordered by (score, member). Keeps a running count of the heap bytes its
 * members, nodes and dict entries take.
 */
import { MAP_ENTRY_BYTES, objectBytes } from './value.ts';
import { stringBytes } from './packed.ts';
import { SkipList, nodeBytes, type SkipNode } from './skiplist.ts';
import { gteMin, lexGteMin, lexLteMax, lteMax, type LexRange, type RangeOut, type ScoreRange } from './zrange-spec.ts';

/** Fixed heap bytes of an empty big form: this object, the Map (with its first table), the SkipList and its 32-level head node. */
export const ZSET_BIG_BASE = objectBytes(3) + 184 + objectBytes(4) + objectBytes(5) + 16 + 32 + 16 + 8 * 62;

export class ZSetBig {
  readonly dict = new Map<string, SkipNode>();
  readonly zsl = new SkipList();
  /** Heap bytes of the elements (see elementBytes). */
  mem = 0;

  /** Bytes one element costs: its node, its member string and its dict entry. */
  private static elementBytes(n: SkipNode): number {
    return nodeBytes(n) + stringBytes(n.member.length) + MAP_ENTRY_BYTES;
  }

  score(member: string): number | undefined {
    return this.dict.get(member)?.score;
  }

  /** Adds a member that is not in the set. */
  insert(member: string, score: number): void {
    const n = this.zsl.insert(score, member);
    this.dict.set(member, n);
    this.mem += ZSetBig.elementBytes(n);
  }

  /** Moves an existing member to a new score. */
  update(member: string, cur: number, score: number): void {
    const old = this.dict.get(member)!;
    const n = this.zsl.updateScore(cur, member, score);
    if (n !== old) {
      this.dict.set(member, n);
      this.mem += nodeBytes(n) - nodeBytes(old);
    }
  }

  delete(member: string): boolean {
    const n = this.dict.get(member);
    if (n === undefined) return false;
    this.dict.delete(member);
    this.zsl.delete(n.score, member);
    this.mem -= ZSetBig.elementBytes(n);
    return true;
  }

  /** 0-based rank of `member` from the lowest (or highest: rev), or -1. */
  rank(member: string, rev: boolean): number {
    const n = this.dict.get(member);
    if (n === undefined) return -1;
    const r = this.zsl.rank(n.score, member);
    return rev ? this.zsl.length - r : r - 1;
  }

  /** Removes the `count` lowest (highest: max) members into `out`, in pop order. */
  pop(max: boolean, count: number, out: RangeOut): void {
    for (let i = 0; i < count; i++) {
      const n = max ? this.zsl.pop() : this.zsl.shift();
      if (n === null) return;
      this.dict.delete(n.member);
      this.mem -= ZSetBig.elementBytes(n);
      out.members.push(n.member);
      out.scores.push(n.score);
    }
  }

  /** Members of 0-based ranks start..end (clamped); `rev` counts ranks from the highest. */
  rangeByRank(start: number, end: number, rev: boolean, out: RangeOut): void {
    const zsl = this.zsl;
    const len = zsl.length;
    let n: SkipNode | null;
    if (rev) n = start > 0 ? zsl.byRank(len - start) : zsl.tail;
    else n = start > 0 ? zsl.byRank(start + 1) : zsl.first();
    for (let i = end - start; i >= 0 && n !== null; i--) {
      out.members.push(n.member);
      out.scores.push(n.score);
      n = rev ? n.backward : n.next;
    }
  }

  /** From the first (last: rev) node in the score range, `offset` skipped, up to `limit` (-1: all). */
  rangeByScore(r: ScoreRange, rev: boolean, offset: number, limit: number, out: RangeOut): void {
    let n = rev ? this.zsl.lastInRange(r) : this.zsl.firstInRange(r);
    while (n !== null && offset-- > 0) n = rev ? n.backward : n.next;
    while (n !== null && limit-- !== 0) {
      if (rev ? !gteMin(n.score, r) : !lteMax(n.score, r)) break;
      out.members.push(n.member);
      out.scores.push(n.score);
      n = rev ? n.backward : n.next;
    }
  }

  /** As rangeByScore, over a lex range. */
  rangeByLex(r: LexRange, rev: boolean, offset: number, limit: number, out: RangeOut): void {
    let n = rev ? this.zsl.lastInLexRange(r) : this.zsl.firstInLexRange(r);
    while (n !== null && offset-- > 0) n = rev ? n.backward : n.next;
    while (n !== null && limit-- !== 0) {
      if (rev ? !lexGteMin(n.member, r) : !lexLteMax(n.member, r)) break;
      out.members.push(n.member);
      out.scores.push(n.score);
      n = rev ? n.backward : n.next;
    }
  }

  /** Redis's rank arithmetic for ZCOUNT / ZLEXCOUNT: from the first in range to the end, less what follows the last. */
  private countBetween(first: SkipNode | null, last: SkipNode | null): number {
    if (first === null) return 0;
    const zsl = this.zsl;
    let count = zsl.length - (zsl.rank(first.score, first.member) - 1);
    if (last !== null) count -= zsl.length - zsl.rank(last.score, last.member);
    return count;
  }

  countByScore(r: ScoreRange): number {
    return this.countBetween(this.zsl.firstInRange(r), this.zsl.lastInRange(r));
  }

  countByLex(r: LexRange): number {
    return this.countBetween(this.zsl.firstInLexRange(r), this.zsl.lastInLexRange(r));
  }

  /** Removes 1-based ranks from..to; returns how many went. */
  private deleteRanks(from: number, to: number): number {
    return this.zsl.deleteRangeByRank(from, to, (n) => {
      this.dict.delete(n.member);
      this.mem -= ZSetBig.elementBytes(n);
    });
  }

  /** Removes the members of 0-based ranks start..end (clamped). */
  deleteByRank(start: number, end: number): number {
    return this.deleteRanks(start + 1, end + 1);
  }

  /** From the first node in range, forward while nodes stay below max (as Redis). */
  deleteByScore(r: ScoreRange): number {
    const first = this.zsl.firstInRange(r);
    let n = 0;
    for (let x = first; x !== null && lteMax(x.score, r); x = x.next) n++;
    if (n === 0) return 0;
    const from = this.zsl.rank(first!.score, first!.member);
    return this.deleteRanks(from, from + n - 1);
  }

  /** As deleteByScore, over a lex range. */
  deleteByLex(r: LexRange): number {
    const first = this.zsl.firstInLexRange(r);
    let n = 0;
    for (let x = first; x !== null && lexLteMax(x.member, r); x = x.next) n++;
    if (n === 0) return 0;
    const from = this.zsl.rank(first!.score, first!.member);
    return this.deleteRanks(from, from + n - 1);
  }

  /** The node at 0-based rank i. */
  at(i: number): SkipNode {
    return this.zsl.byRank(i + 1)!;
  }

  /** Calls fn for the nodes from the first in the score range while in it, until fn returns false. */
  walkScore(r: ScoreRange, fn: (member: string, score: number) => boolean): void {
    for (let n = this.zsl.firstInRange(r); n !== null; n = n.next) {
      if (!lteMax(n.score, r) || !fn(n.member, n.score)) return;
    }
  }
}
