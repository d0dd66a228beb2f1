/**
 * A sorted set: member → score map plus a skiplist ordered by (score,
 * member). OBJECT ENCODING reports "listpack" while the set is within
 * zset-max-listpack-entries / -value and "skiplist" after, one way, as Redis.
 * While "listpack", scores behave as Redis's listpack stores them: an
 * integral score is kept as an integer, so -0 reads back as 0.
 */
import type { CollectionValue } from './value.ts';
import { SkipList, type SkipNode } from './skiplist.ts';
import { formatDouble } from '../protocol/format.ts';

/** (double)(LLONG_MAX / 2): Redis's double2ll keeps integers up to this as integers in a listpack. */
const LISTPACK_INT_LIMIT = 4611686018427387904;

export class ZSetValue implements CollectionValue {
  readonly type = 'zset' as const;
  readonly dict = new Map<string, number>();
  readonly zsl = new SkipList();
  /** Converted to Redis's skiplist encoding. */
  big = false;

  encoding(): string {
    return this.big ? 'skiplist' : 'listpack';
  }

  size(): number {
    return this.dict.size;
  }

  clone(): ZSetValue {
    const z = new ZSetValue();
    z.big = this.big;
    // from the highest: each insert stops at the head
    for (let n = this.zsl.tail; n !== null; n = n.backward) {
      z.dict.set(n.member, n.score);
      z.zsl.insert(n.score, n.member);
    }
    return z;
  }

  *entries(): IterableIterator<string> {
    for (let n = this.zsl.first(); n !== null; n = n.forward[0]!) {
      yield n.member;
      yield formatDouble(n.score);
    }
  }

  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  /**
   * Adds a member that is not in the set. As Redis, the conversion to
   * skiplist happens before the insertion when the set would outgrow the
   * listpack limits.
   */
  insert(member: string, score: number, maxEntries: number, maxValue: number): void {
    if (!this.big) {
      if (this.dict.size + 1 > maxEntries || member.length > maxValue) this.big = true;
      else if (score === 0) score = 0; // -0 is stored as the integer 0 in a listpack
    }
    this.dict.set(member, score);
    this.zsl.insert(score, member);
  }

  /** Changes the score of an existing member (`cur` is its current score, `score !== cur`). */
  update(member: string, cur: number, score: number): void {
    if (!this.big && score === 0) score = 0;
    this.dict.set(member, score);
    this.zsl.updateScore(cur, member, score);
  }

  /** Adds or updates a member, ignoring the encoding limits (RDB load, internal use). */
  set(member: string, score: number): void {
    const cur = this.dict.get(member);
    if (cur === undefined) this.insert(member, score, Infinity, Infinity);
    else if (cur !== score) this.update(member, cur, score);
  }

  delete(member: string): boolean {
    const cur = this.dict.get(member);
    if (cur === undefined) return false;
    this.dict.delete(member);
    this.zsl.delete(cur, member);
    return true;
  }

  /** Removes and returns the lowest (or highest) node. */
  popNode(max: boolean): SkipNode | null {
    const n = max ? this.zsl.pop() : this.zsl.shift();
    if (n !== null) this.dict.delete(n.member);
    return n;
  }

  /** Removes the nodes of 1-based ranks start..end; returns how many. */
  deleteRangeByRank(start: number, end: number): number {
    const dict = this.dict;
    return this.zsl.deleteRangeByRank(start, end, (n) => dict.delete(n.member));
  }

  /**
   * A score as ZSCAN shows it: a listpack holds integral scores as integers
   * (printed in full), everything else as %.17g.
   */
  scoreText(score: number): string {
    if (!this.big && Number.isInteger(score) && Math.abs(score) <= LISTPACK_INT_LIMIT) return BigInt(score).toString();
    return formatDouble(score);
  }
}
