/**
 * A hash value: field → value in a Map (insertion order, which is also the
 * order Redis's listpack keeps). Reports "listpack" until it outgrows
 * hash-max-listpack-entries / hash-max-listpack-value, then "hashtable"
 * (one-way, as in Redis). Writers go through set()/delete() so the cached
 * field array used for random picks stays valid.
 */
import type { CollectionValue } from './value.ts';

export class HashValue implements CollectionValue {
  readonly type = 'hash' as const;
  readonly map = new Map<string, string>();
  /** Converted to the hashtable encoding (one-way, as in Redis). */
  big = false;
  /** The fields as an array (HRANDFIELD), dropped when a field comes or goes. */
  private fieldCache: string[] | null = null;

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

  /**
   * Sets a field; true when it is new. maxEntries / maxValue are
   * hash-max-listpack-entries / -value: past them the hash becomes a hashtable.
   */
  set(field: string, value: string, maxEntries: number, maxValue: number): boolean {
    const map = this.map;
    const before = map.size;
    map.set(field, value);
    const added = map.size !== before;
    if (added) this.fieldCache = null;
    if (!this.big && (map.size > maxEntries || field.length > maxValue || value.length > maxValue)) this.big = true;
    return added;
  }

  /** Removes a field; true when it was there. */
  delete(field: string): boolean {
    if (!this.map.delete(field)) return false;
    this.fieldCache = null;
    return true;
  }

  /** Every field, as an array for O(1) random access (do not modify it). */
  fields(): readonly string[] {
    let f = this.fieldCache;
    if (f === null) {
      f = Array.from(this.map.keys());
      this.fieldCache = f;
    }
    return f;
  }
}
