/**
 * A list value. Redis 7.0 reports every list as "quicklist", and so does
 * this one, whatever it holds:
 *   - a list that fits one node (list-max-listpack-size) is that node alone,
 *     one flat string (list-node.ts) with its element count in front as a
 *     varint: one string and this two-field wrapper per key;
 *   - a longer one is a Quicklist (quicklist.ts), a ring of such nodes
 *     without the count in front.
 * A push rebuilds the single node (a copy of it, as listpack's memmove), so
 * pushes keep it to SINGLE_MAX chars; past that, or past the node limit,
 * the list becomes a Quicklist, whose pushes are amortized. A push of
 * several elements (pushMany) rebuilds the node once for all of them and
 * leaves the list as the pushes one by one would, form and nodes included. It is a single
 * node again once it is down to one node of at most SHRINK chars (half of
 * SINGLE_MAX, so a list at the boundary does not flip on every push and
 * pop). A list loaded or built whole (RDB, SORT STORE) is a single node
 * whenever it fits one node.
 *
 * Edits in the middle of a one-node list (LSET, LINSERT, LREM, LTRIM) go
 * through a one-node Quicklist and back: they copy the node, as listpack's
 * memmove does. The fill argument of the growing operations is the current
 * list-max-listpack-size (commands pass it: list-common.ts listFill).
 * Forward walks (LRANGE, LINSERT's search, SORT) use a ListCursor.
 */
import { dataAt, hdr, headerSize, stringBytes } from './packed.ts';
import { objectBytes, type CollectionValue } from './value.ts';
import { begin, elemSize, finish, flatCopy, lastIs, lastItem, moveTo, nextElem, prevElem, put, putCount, putRaw, putStringAt, seek } from './list-node.ts';
import { fits, Quicklist } from './quicklist.ts';
import { ListCursor } from './list-cursor.ts';

/** Default list-max-listpack-size. */
export const DEFAULT_FILL = -2;
/**
 * A single node grows to at most this many chars by pushes; past it the
 * list becomes a Quicklist. Measured: a push that copies 1 KB costs about
 * what the rest of the command does; 8 KB nodes copied on every push halved
 * LPUSH throughput. 2 KB keeps a list of 100 short elements one string
 * (1344 B a key against a Quicklist's 1752, Redis 1461), at the price of
 * slower one-by-one pushes onto lists between 1 and 2 KB.
 */
const SINGLE_MAX = 2048;
/** A Quicklist down to one node this short becomes a single node again. */
const SHRINK = SINGLE_MAX / 2;
/** The empty list: a count of 0 and no elements. */
const EMPTY = '\0';

/** Start of the elements of single node s (after its count). */
function bodyOf(s: string): number {
  const c = s.charCodeAt(0);
  return c < 0x80 ? 1 : headerSize(countOf(s));
}

/** Element count of single node s. */
function countOf(s: string): number {
  const c = s.charCodeAt(0);
  if (c < 0x80) return c;
  dataAt(s, 0);
  return hdr.len;
}

/** Single node of `count` elements from chars from..to of node s. */
function single(s: string, from: number, to: number, count: number): string {
  begin();
  putCount(count);
  putRaw(s, from, to);
  return finish();
}

export class ListValue implements CollectionValue {
  acct = 0;
  /** The single node (with its count in front), or the chain of nodes. */
  data: string | Quicklist;

  constructor(data: string | Quicklist = EMPTY) {
    this.data = data;
  }

  get type(): 'list' {
    return 'list';
  }

  /** A list of `items` in order, in nodes filled as RPUSH under `fill` fills them. */
  static from(items: Iterable<string>, fill = DEFAULT_FILL): ListValue {
    const l = new ListValue();
    const loader = new ListLoader(fill);
    for (const x of items) loader.add(x);
    loader.into(l);
    return l;
  }

  get length(): number {
    const d = this.data;
    return typeof d === 'string' ? countOf(d) : d.length;
  }

  encoding(): string {
    return 'quicklist';
  }

  size(): number {
    return this.length;
  }

  bytes(): number {
    const d = this.data;
    return typeof d === 'string' ? stringBytes(d.length + 1) : objectBytes(2) + d.bytes();
  }

  packedData(): string | null {
    const d = this.data;
    return typeof d === 'string' ? d : null;
  }

  /** Copy sharing the immutable node strings. */
  clone(): ListValue {
    const d = this.data;
    return new ListValue(typeof d === 'string' ? d : d.clone());
  }

  *entries(): IterableIterator<string> {
    const d = this.data;
    if (typeof d !== 'string') {
      yield* d.entries();
      return;
    }
    for (let p = bodyOf(d); p < d.length;) {
      p = nextElem(d, p);
      yield lastItem(d);
    }
  }

  // ---- ends ----

  pushRight(x: string, fill = DEFAULT_FILL): void {
    const d = this.data;
    if (typeof d !== 'string') return d.pushRight(x, fill);
    const b = bodyOf(d);
    const n = countOf(d);
    const sz = elemSize(x);
    if (n === 0 || (d.length + sz <= SINGLE_MAX && fits(d.length - b, n, sz, fill))) {
      // the old node copied whole so that its elements land after the new count, which then replaces the old one
      const h = headerSize(n + 1);
      const end = h + d.length - b;
      begin();
      putStringAt(d, h - b);
      moveTo(0);
      putCount(n + 1);
      moveTo(end);
      put(x);
      this.data = finish();
      return;
    }
    const q = this.toQuicklist();
    q.pushRight(x, fill);
    this.data = q;
  }

  pushLeft(x: string, fill = DEFAULT_FILL): void {
    const d = this.data;
    if (typeof d !== 'string') return d.pushLeft(x, fill);
    const b = bodyOf(d);
    const n = countOf(d);
    const sz = elemSize(x);
    if (n === 0 || (d.length + sz <= SINGLE_MAX && fits(d.length - b, n, sz, fill))) {
      // as pushRight: the old node copied whole, then the new count and x written over its count
      const h = headerSize(n + 1);
      const end = h + sz + d.length - b;
      begin();
      putStringAt(d, h + sz - b);
      moveTo(0);
      putCount(n + 1);
      put(x);
      moveTo(end);
      this.data = finish();
      return;
    }
    const q = this.toQuicklist();
    q.pushLeft(x, fill);
    this.data = q;
  }

  /**
   * Pushes items[from..] one after another at one end (RPUSH / LPUSH with
   * several elements): the same list, in the same form and nodes, as
   * pushRight / pushLeft called for each in turn, with one node rebuild
   * instead of one per element. The elements that fit the single node (by
   * the test pushRight makes for each) go into it in one build; if one does
   * not fit, the list becomes a Quicklist there and it takes the rest.
   */
  pushMany(items: readonly string[], from: number, left: boolean, fill = DEFAULT_FILL): void {
    const d = this.data;
    if (typeof d !== 'string') return d.pushMany(items, from, left, fill);
    const to = items.length;
    if (from >= to) return;
    const b = bodyOf(d);
    // how many fit, as the pushes one by one would find: the node's chars are its count's varint and its elements
    let n = countOf(d);
    let chars = d.length - b;
    let end = from;
    for (; end < to; end++) {
      const sz = elemSize(items[end]!);
      if (n !== 0 && !(headerSize(n) + chars + sz <= SINGLE_MAX && fits(chars, n, sz, fill))) break;
      chars += sz;
      n++;
    }
    const all = end === to;
    // one build: the count (when the list stays a single node), then the elements in list order
    begin();
    if (all) putCount(n);
    if (left) for (let i = end - 1; i >= from; i--) put(items[i]!);
    putRaw(d, b, d.length);
    if (!left) for (let i = from; i < end; i++) put(items[i]!);
    const node = finish();
    if (all) {
      this.data = node;
      return;
    }
    const q = Quicklist.of([node], [n]);
    q.pushMany(items, end, left, fill);
    this.data = q;
  }

  popLeft(): string | undefined {
    const d = this.data;
    if (typeof d !== 'string') {
      const x = d.popLeft();
      this.settle(d);
      return x;
    }
    const n = countOf(d);
    if (n === 0) return undefined;
    const e = nextElem(d, bodyOf(d));
    const x = lastItem(d);
    this.data = single(d, e, d.length, n - 1);
    return x;
  }

  popRight(): string | undefined {
    const d = this.data;
    if (typeof d !== 'string') {
      const x = d.popRight();
      this.settle(d);
      return x;
    }
    const n = countOf(d);
    if (n === 0) return undefined;
    const p = prevElem(d, d.length);
    const x = lastItem(d);
    this.data = single(d, bodyOf(d), p, n - 1);
    return x;
  }

  /** Pops n (≤ length) elements from one end, in pop order (one node rebuild, not one per element). */
  popMany(left: boolean, n: number): string[] {
    const out: string[] = [];
    const d = this.data;
    if (typeof d !== 'string') {
      d.popMany(left, n, out);
      this.settle(d);
      return out;
    }
    const b = bodyOf(d);
    const c = countOf(d);
    let p = left ? b : d.length;
    for (let k = 0; k < n; k++) {
      p = left ? nextElem(d, p) : prevElem(d, p);
      out.push(lastItem(d));
    }
    this.data = left ? single(d, p, d.length, c - n) : single(d, b, p, c - n);
    return out;
  }

  // ---- by index ----

  /** Element at 0-based index (the caller checks bounds): O(nodes + offset in node). */
  at(i: number): string {
    const d = this.data;
    if (typeof d !== 'string') return d.at(i);
    seek(d, bodyOf(d), d.length, countOf(d), i);
    return lastItem(d);
  }

  setAt(i: number, x: string, fill = DEFAULT_FILL): void {
    this.edit((q) => q.setAt(i, x, fill));
  }

  /** Inserts x so that it ends up at index i (0..length). */
  insertAt(i: number, x: string, fill = DEFAULT_FILL): void {
    this.edit((q) => q.insertAt(i, x, fill));
  }

  /**
   * Removes up to `limit` elements equal to x (0 = all), scanning from the
   * head or, with fromTail, from the tail; returns how many were removed.
   */
  removeMatching(x: string, limit: number, fromTail: boolean): number {
    let removed = 0;
    this.edit((q) => (removed = q.removeMatching(x, limit, fromTail)));
    return removed;
  }

  /** Keeps only indexes [start, end] (clamped by the caller; start > end empties the list). */
  trim(start: number, end: number): void {
    if (start > end) {
      this.data = EMPTY;
      return;
    }
    this.edit((q) => q.trim(start, end));
  }

  /** First index of x at or after `from`, or -1. */
  indexOf(x: string, from = 0): number {
    const cur = this.cursor(from);
    for (let i = from; cur.next(); i++) if (cur.len === x.length && cur.s.startsWith(x, cur.d)) return i;
    return -1;
  }

  // ---- scans ----

  /** A cursor before element `start` (LRANGE and forward scans walk the list with it). */
  cursor(start: number): ListCursor {
    const d = this.data;
    if (typeof d !== 'string') return new ListCursor(d, start);
    return new ListCursor(null, start, d, bodyOf(d), d.length, countOf(d));
  }

  /**
   * Calls fn with the index of each element equal to x, scanning from the
   * head (or the tail) over at most `max` elements, until it returns false.
   */
  findEach(x: string, fromTail: boolean, max: number, fn: (i: number) => boolean): void {
    const d = this.data;
    if (typeof d !== 'string') return d.findEach(x, fromTail, max, fn);
    const n = countOf(d);
    const b = bodyOf(d);
    const lim = Math.min(max, n);
    if (!fromTail) {
      let p = b;
      for (let i = 0; i < lim; i++) {
        p = nextElem(d, p);
        if (lastIs(d, x) && !fn(i)) return;
      }
      return;
    }
    let e = d.length;
    for (let i = 0; i < lim; i++) {
      e = prevElem(d, e);
      if (lastIs(d, x) && !fn(n - 1 - i)) return;
    }
  }

  /** Elements [start, end] inclusive (the caller clamps). */
  range(start: number, end: number): string[] {
    const out: string[] = [];
    const cur = this.cursor(start);
    for (let n = end - start + 1; n > 0 && cur.next(); n--) out.push(cur.len === cur.s.length ? cur.s : cur.s.slice(cur.d, cur.d + cur.len));
    return out;
  }

  toArray(): string[] {
    return this.range(0, this.length - 1);
  }

  /** Checks the representation's bookkeeping; throws on a mismatch (tests). */
  verify(): void {
    const d = this.data;
    if (typeof d !== 'string') return d.verify();
    let n = 0;
    for (let p = bodyOf(d); p < d.length; n++) p = nextElem(d, p);
    if (n !== countOf(d)) throw new Error(`list node: ${n} elements, counted ${countOf(d)}`);
  }

  // ---- forms ----

  /** This list's nodes as a chain (a single node gives a one-node chain). */
  private toQuicklist(): Quicklist {
    const d = this.data;
    if (typeof d !== 'string') return d;
    const n = countOf(d);
    if (n === 0) return new Quicklist();
    return Quicklist.of([flatCopy(d, bodyOf(d), d.length)], [n]);
  }

  /** Runs an edit on the chain; a one-node list stays (or becomes) a single node. */
  private edit(op: (q: Quicklist) => void): void {
    const wasSingle = typeof this.data === 'string';
    const q = this.toQuicklist();
    op(q);
    if (!wasSingle) return this.settle(q);
    q.seal();
    if (q.size === 1) this.data = single(q.node(0), q.start(0), q.end(0), q.count(0));
    else if (q.size === 0) this.data = EMPTY;
    else this.data = q;
  }

  /** After elements left chain q: back to a single node when q is down to one short node (or nothing). */
  private settle(q: Quicklist): void {
    if (q.length === 0) {
      this.data = EMPTY;
      return;
    }
    if (q.size > 1 || (q.size === 1 && q.chars(0) > SHRINK)) return;
    q.seal();
    if (q.size === 1 && q.chars(0) <= SHRINK) this.data = single(q.node(0), q.start(0), q.end(0), q.count(0));
  }
}

/**
 * Builds a list a node at a time (ListValue.from, the RDB loader): add()
 * elements, and endNode() where a loaded quicklist node ends to keep the
 * nodes as they were saved; without endNode() nodes fill under `fill`.
 */
export class ListLoader {
  private readonly fill: number;
  private readonly nodes: string[] = [];
  private readonly counts: number[] = [];
  /** Elements of the node being filled, and the chars they will take. */
  private pending: string[] = [];
  private chars = 0;

  constructor(fill = DEFAULT_FILL) {
    this.fill = fill;
  }

  add(x: string): void {
    const sz = elemSize(x);
    if (this.pending.length > 0 && !fits(this.chars, this.pending.length, sz, this.fill)) this.endNode();
    this.pending.push(x);
    this.chars += sz;
  }

  /** Closes the node being filled (a no-op when it is empty). */
  endNode(): void {
    const items = this.pending;
    if (items.length === 0) return;
    begin();
    for (let i = 0; i < items.length; i++) put(items[i]!);
    this.nodes.push(finish());
    this.counts.push(items.length);
    this.pending = [];
    this.chars = 0;
  }

  /** Gives `l` the elements added (a single node when they fit one). */
  into(l: ListValue): void {
    this.endNode();
    const nodes = this.nodes;
    if (nodes.length === 0) l.data = EMPTY;
    else if (nodes.length === 1) l.data = single(nodes[0]!, 0, nodes[0]!.length, this.counts[0]!);
    else l.data = Quicklist.of(nodes, this.counts);
  }
}
