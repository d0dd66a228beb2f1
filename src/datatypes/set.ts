/**
 * A set value. Members live in an array (O(1) uniform random pick for SPOP /
 * SRANDMEMBER) with a member → array index map; iteration follows the map
 * (insertion order, which Map iterators keep while members come and go) so
 * SSCAN's live iterators visit every member present for the whole scan.
 *
 * Encoding as Redis 7.0: "intset" while every member is a canonical int64
 * and the set holds at most set-max-intset-entries members, then "hashtable"
 * (one-way; only rebuilding the value, as SPOP's bulk path does, starts over).
 * An intset iterates in ascending numeric order in Redis, so members() does too.
 */
import type { CollectionValue } from './value.ts';
import { isInt64 } from '../commands/parse.ts';

/** Numeric order of two canonical int64 strings without parsing them. */
export function compareIntStrings(a: string, b: string): number {
  const na = a.charCodeAt(0) === 45;
  const nb = b.charCodeAt(0) === 45;
  if (na !== nb) return na ? -1 : 1;
  let d = a.length - b.length;
  if (d === 0) d = a < b ? -1 : a > b ? 1 : 0;
  return na ? -d : d;
}

export class SetValue implements CollectionValue {
  readonly type = 'set' as const;
  /** member → position in items */
  private index = new Map<string, number>();
  private items: string[] = [];
  /** Cached numeric order of an intset's members (null when stale). */
  private sorted: string[] | null = null;
  intset = true;

  encoding(): string {
    return this.intset ? 'intset' : 'hashtable';
  }

  size(): number {
    return this.items.length;
  }

  clone(): SetValue {
    const s = new SetValue();
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      s.index.set(items[i]!, i);
      s.items.push(items[i]!);
    }
    s.intset = this.intset;
    return s;
  }

  /** Live iterator over the members (SSCAN, persistence, SORT). */
  entries(): IterableIterator<string> {
    return this.index.keys();
  }

  has(m: string): boolean {
    return this.index.has(m);
  }

  /** Adds a member; maxIntset is set-max-intset-entries. True if it was new. */
  add(m: string, maxIntset: number): boolean {
    const index = this.index;
    if (index.has(m)) return false;
    const items = this.items;
    index.set(m, items.length);
    items.push(m);
    if (this.intset) {
      this.sorted = null;
      if (items.length > maxIntset || !isInt64(m)) this.intset = false;
    }
    return true;
  }

  delete(m: string): boolean {
    const i = this.index.get(m);
    if (i === undefined) return false;
    this.removeAt(i);
    return true;
  }

  private removeAt(i: number): string {
    const items = this.items;
    const m = items[i]!;
    const last = items.pop()!;
    if (i !== items.length) {
      items[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(m);
    this.sorted = null;
    return m;
  }

  /** A uniformly chosen member (the set must not be empty). */
  random(): string {
    return this.items[Math.floor(Math.random() * this.items.length)]!;
  }

  /** Removes and returns a uniformly chosen member (the set must not be empty). */
  popRandom(): string {
    return this.removeAt(Math.floor(Math.random() * this.items.length));
  }

  /** Empties the set and starts over as an intset (a rebuilt value in Redis). */
  reset(): void {
    this.index.clear();
    this.items = [];
    this.sorted = null;
    this.intset = true;
  }

  /**
   * The members in Redis's iteration order where it is defined (ascending for
   * an intset). Do not mutate the returned array.
   */
  members(): readonly string[] {
    if (!this.intset) return this.items;
    if (this.sorted === null) this.sorted = this.items.slice().sort(compareIntStrings);
    return this.sorted;
  }
}
