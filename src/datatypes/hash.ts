/** A hash value: field → value. Reports "listpack" until it outgrows hash-max-listpack-*, then "hashtable". */
import type { CollectionValue } from './value.ts';

export class HashValue implements CollectionValue {
  readonly type = 'hash' as const;
  readonly map = new Map<string, string>();
  /** Converted to the hashtable encoding (one-way, as in Redis). */
  big = false;

  encoding(): string {
    return this.big ? 'hashtable' : 'listpack';
  }

  size(): number {
    return this.map.size;
  }

  clone(): HashValue {
    const h = new HashValue();
    for (const [k, v] of this.map) h.map.set(k, v);
    h.big = this.big;
    return h;
  }

  *entries(): IterableIterator<string> {
    for (const [k, v] of this.map) {
      yield k;
      yield v;
    }
  }

  /** Applies Redis's conversion rule after a write of `field`/`value`. */
  checkEncoding(maxEntries: number, maxValue: number, field: string, value: string): void {
    if (!this.big && (this.map.size > maxEntries || field.length > maxValue || value.length > maxValue)) this.big = true;
  }
}
