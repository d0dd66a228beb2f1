/**
 * Cursors for SCAN-style iteration. A cursor number names a live iterator
 * over a Map/Set kept here; JS Map/Set iterators visit every entry present
 * for the whole iteration exactly once even while entries are added or
 * deleted, which gives Redis's SCAN guarantee. Tables are bounded: the
 * least recently used iterator is dropped first, and an unknown cursor
 * starts over from the beginning (which still returns every element).
 */
const MAX_CURSORS = 4096;

export class CursorTable<T> {
  private readonly live = new Map<number, Iterator<T>>();
  private next = 1;

  /** Iterator for `cursor` (0 or unknown: a fresh one from `start`). */
  open(cursor: number, start: () => Iterator<T>): Iterator<T> {
    const it = cursor === 0 ? undefined : this.live.get(cursor);
    if (it !== undefined) {
      this.live.delete(cursor);
      return it;
    }
    return start();
  }

  /** Stores an unfinished iterator and returns its cursor number. */
  save(it: Iterator<T>): number {
    const id = this.next;
    this.next = this.next >= 0x7fffffff ? 1 : this.next + 1;
    this.live.set(id, it);
    if (this.live.size > MAX_CURSORS) {
      const oldest = this.live.keys().next().value as number;
      this.live.delete(oldest);
    }
    return id;
  }
}
