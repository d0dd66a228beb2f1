/**
 * A sorted set: member → score map plus a skiplist ordered by (score,
 * member). Reports "listpack" within zset-max-listpack-*, then "skiplist".
 */
import type { CollectionValue } from './value.ts';
import { SkipList } from './skiplist.ts';
import { formatDouble } from '../protocol/format.ts';

export class ZSetValue implements CollectionValue {
  readonly type = 'zset' as const;
  readonly dict = new Map<string, number>();
  readonly zsl = new SkipList();
  big = false;

  encoding(): string {
    return this.big ? 'skiplist' : 'listpack';
  }

  size(): number {
    return this.dict.size;
  }

  clone(): ZSetValue {
    const z = new ZSetValue();
    for (let n = this.zsl.first(); n; n = n.forward[0]!) z.set(n.member, n.score);
    z.big = this.big;
    return z;
  }

  *entries(): IterableIterator<string> {
    for (let n = this.zsl.first(); n; n = n.forward[0]!) {
      yield n.member;
      yield formatDouble(n.score);
    }
  }

  score(member: string): number | undefined {
    return this.dict.get(member);
  }

  /** Adds or updates a member's score. */
  set(member: string, score: number): void {
    const old = this.dict.get(member);
    if (old !== undefined) {
      if (old === score) return;
      this.zsl.delete(old, member);
    }
    this.dict.set(member, score);
    this.zsl.insert(score, member);
  }

  delete(member: string): boolean {
    const old = this.dict.get(member);
    if (old === undefined) return false;
    this.dict.delete(member);
    this.zsl.delete(old, member);
    return true;
  }

  /** Applies Redis's conversion rule after inserting `member`. */
  checkEncoding(maxEntries: number, maxValue: number, member: string): void {
    if (!this.big && (this.dict.size > maxEntries || member.length > maxValue)) this.big = true;
  }
}
