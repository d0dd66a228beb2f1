/**
 * A list value: a growable ring buffer of latin1 strings with a power-of-two
 * capacity: O(1) push/pop at both ends, O(1) access by index, and edits in
 * the middle that move the shorter side. The buffer shrinks again when the
 * list drops to a quarter of it. Redis 7.0 reports every list as "quicklist".
 */
import type { CollectionValue } from './value.ts';

const MIN_CAPACITY = 4;

function capacityFor(n: number): number {
  let cap = MIN_CAPACITY;
  while (cap < n) cap *= 2;
  return cap;
}

export class ListValue implements CollectionValue {
  readonly type = 'list' as const;
  private buf: (string | undefined)[];
  /** capacity - 1 (capacity is a power of two) */
  private mask: number;
  private head = 0;
  length = 0;

  constructor(capacity = MIN_CAPACITY) {
    const cap = capacityFor(capacity);
    this.buf = new Array<string | undefined>(cap);
    this.mask = cap - 1;
  }

  static from(items: Iterable<string>): ListValue {
    const arr = Array.isArray(items) ? (items as string[]) : [...items];
    const l = new ListValue(arr.length);
    for (let i = 0; i < arr.length; i++) l.buf[i] = arr[i];
    l.length = arr.length;
    return l;
  }

  encoding(): string {
    return 'quicklist';
  }

  size(): number {
    return this.length;
  }

  clone(): ListValue {
    return ListValue.from(this.toArray());
  }

  *entries(): IterableIterator<string> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  /** Copies the content into a buffer of capacity `cap` starting at slot 0. */
  private resize(cap: number): void {
    const old = this.buf;
    const oldMask = this.mask;
    const next = new Array<string | undefined>(cap);
    for (let i = 0; i < this.length; i++) next[i] = old[(this.head + i) & oldMask];
    this.buf = next;
    this.mask = cap - 1;
    this.head = 0;
  }

  private shrinkIfSparse(): void {
    const cap = this.mask + 1;
    if (cap > 64 && this.length <= cap >>> 2) this.resize(cap >>> 1);
  }

  pushRight(s: string): void {
    if (this.length > this.mask) this.resize((this.mask + 1) * 2);
    this.buf[(this.head + this.length) & this.mask] = s;
    this.length++;
  }

  pushLeft(s: string): void {
    if (this.length > this.mask) this.resize((this.mask + 1) * 2);
    this.head = (this.head - 1) & this.mask;
    this.buf[this.head] = s;
    this.length++;
  }

  popLeft(): string | undefined {
    if (this.length === 0) return undefined;
    const s = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    if (this.mask >= 64) this.shrinkIfSparse();
    return s;
  }

  popRight(): string | undefined {
    if (this.length === 0) return undefined;
    const i = (this.head + this.length - 1) & this.mask;
    const s = this.buf[i];
    this.buf[i] = undefined;
    this.length--;
    if (this.mask >= 64) this.shrinkIfSparse();
    return s;
  }

  /** Element at 0-based index (the caller checks bounds). */
  at(i: number): string {
    return this.buf[(this.head + i) & this.mask]!;
  }

  setAt(i: number, s: string): void {
    this.buf[(this.head + i) & this.mask] = s;
  }

  /** First index of `s` at or after `from`, or -1. */
  indexOf(s: string, from = 0): number {
    const buf = this.buf;
    const mask = this.mask;
    for (let i = from; i < this.length; i++) if (buf[(this.head + i) & mask] === s) return i;
    return -1;
  }

  /** Inserts `s` so that it ends up at index i (0..length), moving the shorter side. */
  insertAt(i: number, s: string): void {
    if (this.length > this.mask) this.resize((this.mask + 1) * 2);
    const buf = this.buf;
    const mask = this.mask;
    if (i < this.length - i) {
      // shift the first i elements one slot to the left
      this.head = (this.head - 1) & mask;
      for (let k = 0; k < i; k++) buf[(this.head + k) & mask] = buf[(this.head + k + 1) & mask];
    } else {
      for (let k = this.length; k > i; k--) buf[(this.head + k) & mask] = buf[(this.head + k - 1) & mask];
    }
    buf[(this.head + i) & mask] = s;
    this.length++;
  }

  /**
   * Removes up to `limit` elements equal to `s` (0 = all), scanning from the
   * head or, with `fromTail`, from the tail; returns how many were removed.
   */
  removeMatching(s: string, limit: number, fromTail: boolean): number {
    const buf = this.buf;
    const mask = this.mask;
    const head = this.head;
    const len = this.length;
    let removed = 0;
    if (!fromTail) {
      let w = 0;
      for (let r = 0; r < len; r++) {
        const v = buf[(head + r) & mask];
        if (v === s && (limit === 0 || removed < limit)) removed++;
        else {
          if (w !== r) buf[(head + w) & mask] = v;
          w++;
        }
      }
      for (let k = w; k < len; k++) buf[(head + k) & mask] = undefined;
    } else {
      let w = len - 1;
      for (let r = len - 1; r >= 0; r--) {
        const v = buf[(head + r) & mask];
        if (v === s && (limit === 0 || removed < limit)) removed++;
        else {
          if (w !== r) buf[(head + w) & mask] = v;
          w--;
        }
      }
      for (let k = 0; k <= w; k++) buf[(head + k) & mask] = undefined;
      this.head = (head + w + 1) & mask;
    }
    this.length = len - removed;
    if (removed !== 0) this.shrinkIfSparse();
    return removed;
  }

  /** Keeps only indexes [start, end] (clamped by the caller; start > end empties the list). */
  trim(start: number, end: number): void {
    if (start > end) {
      this.buf = new Array<string | undefined>(MIN_CAPACITY);
      this.mask = MIN_CAPACITY - 1;
      this.head = 0;
      this.length = 0;
      return;
    }
    const buf = this.buf;
    const mask = this.mask;
    for (let k = 0; k < start; k++) buf[(this.head + k) & mask] = undefined;
    for (let k = end + 1; k < this.length; k++) buf[(this.head + k) & mask] = undefined;
    this.head = (this.head + start) & mask;
    this.length = end - start + 1;
    if (this.length <= (mask + 1) >>> 2 && mask >= 64) this.resize(capacityFor(this.length * 2));
  }

  /** Elements [start, end] inclusive (the caller clamps). */
  range(start: number, end: number): string[] {
    const out = new Array<string>(Math.max(0, end - start + 1));
    for (let i = start; i <= end; i++) out[i - start] = this.at(i);
    return out;
  }

  toArray(): string[] {
    return this.range(0, this.length - 1);
  }
}
