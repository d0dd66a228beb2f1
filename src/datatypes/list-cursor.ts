/**
 * A walk over a list's elements in order from an index, for LRANGE and the
 * other forward scans: next() moves to the next element, which is then
 * chars d..d+len of s (a node, or the element itself while it waits in a
 * Quicklist tail), so a reply can be written from the node without a string
 * made per element. A plain object with a monomorphic next(), which the JIT
 * inlines into the caller's loop (a callback per element costs more). The
 * list must not change while a cursor walks it.
 */
import { at, nextElem, seek } from './list-node.ts';
import { loc, type Quicklist } from './quicklist.ts';

export class ListCursor {
  /** The current element: chars d..d+len of s. */
  s = '';
  d = 0;
  len = 0;
  /** Position in, and end of, the node being read. */
  private p = 0;
  private end = 0;
  /** The chain walked (null for a single node, all read through p..end). */
  private readonly q: Quicklist | null;
  /** Next left-tail index to read (counting down), next node, next right-tail index. */
  private lm = -1;
  private k = 0;
  private rm = 0;

  /**
   * A cursor before element `start` of single node `node` (elements in
   * chars from..to, `count` of them), or of chain `q` when node is null.
   */
  constructor(q: Quicklist | null, start: number, node = '', from = 0, to = 0, count = 0) {
    this.q = q;
    if (q === null) {
      this.s = node;
      this.end = to;
      this.p = start >= count ? to : seek(node, from, to, count, start);
      return;
    }
    const lt = q.leftTail();
    const nl = lt === null ? 0 : lt.length;
    const packed = q.length - q.tails();
    if (start < nl) {
      this.lm = nl - 1 - start;
    } else if (start - nl < packed) {
      q.locate(start - nl);
      const k = loc.node;
      this.s = q.node(k);
      this.end = q.end(k);
      this.p = seek(this.s, q.start(k), this.end, q.count(k), loc.off);
      this.k = k + 1;
    } else {
      this.k = q.size;
      this.rm = start - nl - packed;
    }
  }

  /** Moves to the next element; false at the end of the list. */
  next(): boolean {
    const p = this.p;
    if (p < this.end) {
      // an element under 128 bytes (one-char lengths) read inline: the common case
      const c = this.s.charCodeAt(p);
      if (c < 0x80) {
        this.d = p + 1;
        this.len = c;
        this.p = p + 2 + c;
        return true;
      }
      this.p = nextElem(this.s, p);
      this.d = at.data;
      this.len = at.len;
      return true;
    }
    return this.q !== null && this.advance();
  }

  /** next() past the node being read: the rest of the left tail, the next node, the right tail. */
  private advance(): boolean {
    const q = this.q!;
    if (this.lm >= 0) return this.whole(q.leftTail()![this.lm--]!);
    if (this.k < q.size) {
      const k = this.k++;
      this.s = q.node(k);
      this.p = q.start(k);
      this.end = q.end(k);
      return this.next();
    }
    const r = q.rightTail();
    if (r !== null && this.rm < r.length) return this.whole(r[this.rm++]!);
    return false;
  }

  /** Makes x (a tail element) the current element. */
  private whole(x: string): boolean {
    this.s = x;
    this.d = 0;
    this.len = x.length;
    return true;
  }
}
