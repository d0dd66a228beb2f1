/**
 * A set value. Members live in an array (O(1) random pick for SPOP /
 * SRANDMEMBER) with a member → index map; iteration follows the map so
 * SSCAN's live iterators stay valid while members come and go.
 * Reports "intset" while every member is an integer and the set is within
 * set-max-intset-entries, then "hashtable" (one-way, Redis 7.0).
 */
import type { CollectionValue } from './value.ts';
import { isInt64 } from '../commands/parse.ts';

export class SetValue implements CollectionValue {
  readonly type = 'set' as const;
  readonly index = new Map<string, number>();
  private items: string[] = [];
  intset = true;

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  size(): number {
    return this.items.length;
  }

  clone(): SetValue {
    const s = new SetValue();
    for (const m of this.items) s.add(m, Infinity);
    s.intset = this.intset;
    return s;
  }

  entries(): IterableIterator<string> {
    return this.index.keys();
  }

  has(m: string): boolean {
    return this.index.has(m);
  }

  /** Adds a member; maxIntset is set-max-intset-entries. True if it was new. */
  add(m: string, maxIntset: number): boolean {
    if (this.index.has(m)) return false;
    this.index.set(m, this.items.length);
    this.items.push(m);
    if (this.intset && (this.items.length > maxIntset || !isInt64(m))) this.intset = false;
    return true;
  }

  delete(m: string): boolean {
    const i = this.index.get(m);
    if (i === undefined) return false;
    const last = this.items.pop()!;
    if (last !== m) {
      this.items[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(m);
    return true;
  }

  random(): string {
    return this.items[Math.floor(Math.random() * this.items.length)]!;
  }

  /** Members; an intset's come sorted numerically, as Redis returns them. */
  members(): string[] {
    if (this.intset) return this.items.slice().sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1));
    return this.items.slice();
  }
}
