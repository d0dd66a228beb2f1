/**
 * A list value: a growable ring buffer of latin1 strings, O(1) push/pop at
 * both ends and O(1) access by index. Redis 7.0 reports every list as
 * "quicklist".
 */
import type { CollectionValue } from './value.ts';

export class ListValue implements CollectionValue {
  readonly type = 'list' as const;
  private buf: (string | undefined)[];
  private head = 0;
  length = 0;

  constructor(capacity = 8) {
    this.buf = new Array<string | undefined>(capacity);
  }

  static from(items: Iterable<string>): ListValue {
    const l = new ListValue();
    for (const s of items) l.pushRight(s);
    return l;
  }

  encoding(): string {
    return 'quicklist';
  }

  size(): number {
    return this.length;
  }

  clone(): ListValue {
    return ListValue.from(this.entries());
  }

  *entries(): IterableIterator<string> {
    for (let i = 0; i < this.length; i++) yield this.at(i);
  }

  private grow(): void {
    const old = this.buf;
    const cap = old.length;
    const next = new Array<string | undefined>(cap * 2);
    for (let i = 0; i < this.length; i++) next[i] = old[(this.head + i) & (cap - 1)];
    this.buf = next;
    this.head = 0;
  }

  pushRight(s: string): void {
    if (this.length === this.buf.length) this.grow();
    this.buf[(this.head + this.length) & (this.buf.length - 1)] = s;
    this.length++;
  }

  pushLeft(s: string): void {
    if (this.length === this.buf.length) this.grow();
    this.head = (this.head - 1) & (this.buf.length - 1);
    this.buf[this.head] = s;
    this.length++;
  }

  popLeft(): string | undefined {
    if (this.length === 0) return undefined;
    const s = this.buf[this.head];
    this.buf[this.head] = undefined;
    this.head = (this.head + 1) & (this.buf.length - 1);
    this.length--;
    return s;
  }

  popRight(): string | undefined {
    if (this.length === 0) return undefined;
    const i = (this.head + this.length - 1) & (this.buf.length - 1);
    const s = this.buf[i];
    this.buf[i] = undefined;
    this.length--;
    return s;
  }

  /** Element at 0-based index (caller checks bounds). */
  at(i: number): string {
    return this.buf[(this.head + i) & (this.buf.length - 1)]!;
  }

  setAt(i: number, s: string): void {
    this.buf[(this.head + i) & (this.buf.length - 1)] = s;
  }

  /** Elements [start, end] inclusive (caller clamps). */
  range(start: number, end: number): string[] {
    const out = new Array<string>(Math.max(0, end - start + 1));
    for (let i = start; i <= end; i++) out[i - start] = this.at(i);
    return out;
  }

  /** Replaces the whole content (LINSERT, LREM, LTRIM rebuild). */
  replaceAll(items: string[]): void {
    let cap = 8;
    while (cap < items.length) cap *= 2;
    this.buf = new Array<string | undefined>(cap);
    for (let i = 0; i < items.length; i++) this.buf[i] = items[i];
    this.head = 0;
    this.length = items.length;
  }

  toArray(): string[] {
    return this.range(0, this.length - 1);
  }
}
