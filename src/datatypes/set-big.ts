/**
 * The big form of a set (Redis's hashtable encoding): members in an array
 * (O(1) uniform random pick for SPOP / SRANDMEMBER) with a member → array
 * index map. Iteration follows the map (insertion order, which Map iterators
 * keep while members come and go), so SSCAN's live iterators visit every
 * member present for the whole scan.
 */
import { MAP_ENTRY_BYTES, objectBytes } from './value.ts';
import { stringBytes } from './packed.ts';

/** Heap bytes per member: its string is counted apart; a map entry, an array slot and its share of spare capacity. */
const MEMBER_BYTES = MAP_ENTRY_BYTES + 12;
/** This object, the Map and the array, empty. */
const FIXED_BYTES = objectBytes(3) + 2 * objectBytes(4);

export class BigSet {
  /** member → position in items */
  readonly index = new Map<string, number>();
  readonly items: string[] = [];
  /** Running estimate of the heap bytes held (SetValue.bytes()). */
  bytes = FIXED_BYTES;

  /** A big set of `members`, or null when one repeats. */
  static from(members: readonly string[]): BigSet | null {
    const b = new BigSet();
    for (let i = 0; i < members.length; i++) if (!b.add(members[i]!)) return null;
    return b;
  }

  clone(): BigSet {
    const b = new BigSet();
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      b.index.set(items[i]!, i);
      b.items.push(items[i]!);
    }
    b.bytes = this.bytes;
    return b;
  }

  has(m: string): boolean {
    return this.index.has(m);
  }

  /** Adds a member; true if it was new. */
  add(m: string): boolean {
    const index = this.index;
    if (index.has(m)) return false;
    index.set(m, this.items.length);
    this.items.push(m);
    this.bytes += stringBytes(m.length) + MEMBER_BYTES;
    return true;
  }

  /** Removes a member; true if it was there. */
  delete(m: string): boolean {
    const i = this.index.get(m);
    if (i === undefined) return false;
    this.removeAt(i);
    return true;
  }

  /** Removes and returns the member at array position `i` (the last one takes its place). */
  removeAt(i: number): string {
    const items = this.items;
    const m = items[i]!;
    const last = items.pop()!;
    if (i !== items.length) {
      items[i] = last;
      this.index.set(last, i);
    }
    this.index.delete(m);
    this.bytes -= stringBytes(m.length) + MEMBER_BYTES;
    return m;
  }
}
