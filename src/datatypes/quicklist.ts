/**
 * The node chain of a list too long for one node (Redis's quicklist): a ring
 * of node strings (list-node.ts) with parallel rings of element counts and
 * of where each node's elements start and end in its string, so
 * pushes and pops at both ends are O(1) amortized and an index is found in
 * O(nodes + offset in node).
 *
 * A node is a view: chars start..end of its string hold its elements. Pops
 * do not copy the end node, they move its start or end (O(1), no string
 * made but the element); once a node's live chars are down to half of its
 * string it is copied flat again, so a node never holds more than twice its
 * live bytes and the copies cost O(1) per pop amortized.
 *
 * Pushes do not rebuild the end node each time either: pushed elements wait
 * in a short array at their end (a tail) and are packed into the end node
 * in batches of an eighth of its count or more, so a push copies O(1) chars
 * amortized; a push of several elements (pushMany) packs its tail at most
 * once. Pops take from the tails first; reads see the tails as
 * the list's outermost elements; other edits pack the tails first (seal).
 *
 * Node sizes follow list-max-listpack-size as Redis fills quicklist nodes
 * (fits()), with the node length in chars standing for the listpack size,
 * and capped at NODE_CAP.
 */
import { begin, elemSize, finish, flatCopy, lastEnd, lastItem, lastIs, nextElem, prevElem, put, putRaw, seek } from './list-node.ts';
import { stringBytes } from './packed.ts';
import { objectBytes } from './value.ts';

/** quicklist.c's optimization_level: node byte limits for fill -1 … -5. */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
/** A node with a positive fill (a count limit) still stays below this many bytes (SIZE_SAFETY_LIMIT). */
const SIZE_SAFETY_LIMIT = 8192;
/**
 * Upper bound on a node, whatever the fill (list-max-listpack-size -3 to -5
 * ask for 16 to 64 KB): packing a tail copies its end node, so this bounds
 * what one pack copies.
 */
export const NODE_CAP = 8192;
/**
 * Pushed elements wait in a tail until an eighth of the end node's count
 * (within these bounds) are packed at once: a pack copies the end node, so
 * that keeps the copying O(1) chars per element amortized, while a tail
 * (some 30 bytes an element, three times a packed one) stays short.
 */
const MIN_BATCH = 8;
const MAX_BATCH = 64;
const BATCH_SHIFT = 3;
/** Heap bytes of a JS array object plus its backing store's header. */
const ARRAY_BYTES = 32 + 16;

/** The node size limit in chars under `fill`. */
export function nodeLimit(fill: number): number {
  if (fill < 0) return Math.min(NODE_CAP, OPTIMIZATION_LEVEL[Math.min(-fill, 5) - 1]!);
  return Math.min(NODE_CAP, SIZE_SAFETY_LIMIT);
}

/**
 * Whether a node of `chars` chars holding `count` elements takes one more
 * element of `sz` chars under `fill` (_quicklistNodeAllowInsert): a negative
 * fill limits bytes, a positive one the count (and bytes to 8 KB).
 */
export function fits(chars: number, count: number, sz: number, fill: number): boolean {
  if (chars + sz > nodeLimit(fill)) return false;
  return fill < 0 || count < fill;
}

/** Heap bytes an element waiting in a tail costs (its string and slot). */
function tailCost(x: string): number {
  return stringBytes(x.length) + 8;
}

/** Heap bytes of a tail array itself (V8 grows an array to 1.5 times plus 16 slots). */
function tailArrayBytes(t: string[] | null): number {
  return t === null ? 0 : ARRAY_BYTES + 8 * (t.length + (t.length >>> 1) + 16);
}


/** Node index and offset in it that locate() found. */
export const loc = { node: 0, off: 0 };

export class Quicklist {
  /** Node strings, a ring of power-of-two capacity starting at head. */
  private nodes: (string | undefined)[];
  /** Element count of each node (same slots). */
  private counts: number[];
  /** Where each node's elements start and end in its string (same slots). */
  private starts: number[];
  private ends: number[];
  private head = 0;
  private mask: number;
  /** Number of nodes. */
  size = 0;
  /** Number of elements, the tails' included. */
  length = 0;
  /** Heap bytes of the node strings and tail elements. */
  private heap = 0;
  /** list-max-listpack-size of the last push or edit: what the tails are packed under. */
  private fill = -2;
  /** Elements pushed at the head and not packed yet, the leftmost last. */
  private ltail: string[] | null = null;
  /** Elements pushed at the tail and not packed yet, in order. */
  private rtail: string[] | null = null;

  constructor(capacity = 4) {
    let cap = 4;
    while (cap < capacity) cap *= 2;
    this.nodes = new Array<string | undefined>(cap);
    this.counts = new Array<number>(cap).fill(0);
    this.starts = new Array<number>(cap).fill(0);
    this.ends = new Array<number>(cap).fill(0);
    this.mask = cap - 1;
  }

  /** A chain of the given flat nodes (each a run of elements without a count). */
  static of(nodes: readonly string[], counts: readonly number[]): Quicklist {
    const q = new Quicklist(nodes.length);
    for (let k = 0; k < nodes.length; k++) q.addNode(k, nodes[k]!, counts[k]!);
    return q;
  }

  /** Heap bytes of the whole chain, this object included. */
  bytes(): number {
    return objectBytes(12) + 4 * (ARRAY_BYTES + 8 * (this.mask + 1)) + tailArrayBytes(this.ltail) + tailArrayBytes(this.rtail) + this.heap;
  }

  /** Copy sharing the (immutable) node strings; the original is left as it is. */
  clone(): Quicklist {
    const q = new Quicklist(this.size);
    for (let k = 0; k < this.size; k++) {
      const j = (this.head + k) & this.mask;
      q.nodes[k] = this.nodes[j];
      q.counts[k] = this.counts[j]!;
      q.starts[k] = this.starts[j]!;
      q.ends[k] = this.ends[j]!;
    }
    q.size = this.size;
    q.length = this.length;
    q.heap = this.heap;
    q.fill = this.fill;
    q.ltail = this.ltail === null ? null : this.ltail.slice();
    q.rtail = this.rtail === null ? null : this.rtail.slice();
    return q;
  }

  /** Elements pushed at the head and not packed yet, the leftmost last (read only). */
  leftTail(): readonly string[] | null {
    return this.ltail;
  }

  /** Elements pushed at the tail and not packed yet, in order (read only). */
  rightTail(): readonly string[] | null {
    return this.rtail;
  }

  /** Elements waiting in the tails. */
  tails(): number {
    return (this.ltail === null ? 0 : this.ltail.length) + (this.rtail === null ? 0 : this.rtail.length);
  }

  /**
   * Checks the bookkeeping against the nodes (element counts, length, heap
   * bytes, node limits); throws on a mismatch. For tests and DEBUG checks.
   */
  verify(): void {
    let length = this.tails();
    let heap = 0;
    for (const t of [this.ltail, this.rtail]) if (t !== null) for (const x of t) heap += tailCost(x);
    for (let k = 0; k < this.size; k++) {
      const j = (this.head + k) & this.mask;
      const s = this.nodes[j]!;
      const end = this.ends[j]!;
      let n = 0;
      let p = this.starts[j]!;
      for (; p < end; n++) p = nextElem(s, p);
      if (n !== this.counts[j] || n === 0 || p !== end || end > s.length) throw new Error(`quicklist node ${k}: ${n} elements, counted ${this.counts[j]}`);
      length += n;
      heap += stringBytes(s.length);
    }
    if (length !== this.length) throw new Error(`quicklist: ${length} elements, counted ${this.length}`);
    if (heap !== this.heap) throw new Error(`quicklist: ${heap} heap bytes, counted ${this.heap}`);
  }

  // ---- tails ----

  /** Packs both tails into nodes. */
  seal(): void {
    if (this.ltail !== null && this.ltail.length > 0) this.packLeft();
    if (this.rtail !== null && this.rtail.length > 0) this.packRight();
  }

  /** Packs the right tail onto the last node while it has room, then into new nodes. */
  private packRight(): void {
    const t = this.rtail!;
    const fill = this.fill;
    this.unTail(t);
    let i = 0;
    while (i < t.length) {
      const k = this.size - 1;
      let chars = 0;
      let base = 0;
      begin();
      if (k >= 0) {
        const c = this.count(k);
        const st = this.start(k);
        const en = this.end(k);
        if (fits(en - st, c, elemSize(t[i]!), fill)) {
          putRaw(this.node(k), st, en);
          chars = en - st;
          base = c;
        }
      }
      let n = 0;
      for (; i < t.length; i++, n++) {
        const sz = elemSize(t[i]!);
        if (base + n > 0 && !fits(chars, base + n, sz, fill)) break;
        put(t[i]!);
        chars += sz;
      }
      if (base > 0) this.setNode(k, finish(), base + n);
      else this.addNode(this.size, finish(), n);
    }
    this.rtail = null;
  }

  /** Packs the left tail in front of the first node while it has room, then into new nodes. */
  private packLeft(): void {
    const t = this.ltail!;
    const fill = this.fill;
    this.unTail(t);
    // t[0] is the element next to the first node, t[length - 1] the leftmost
    let i = 0;
    while (i < t.length) {
      let s = '';
      let chars = 0;
      let base = 0;
      if (this.size > 0) {
        const c = this.count(0);
        if (fits(this.chars(0), c, elemSize(t[i]!), fill)) {
          s = this.node(0);
          chars = this.chars(0);
          base = c;
        }
      }
      let j = i;
      for (; j < t.length; j++) {
        const sz = elemSize(t[j]!);
        if (base + j - i > 0 && !fits(chars, base + j - i, sz, fill)) break;
        chars += sz;
      }
      begin();
      for (let m = j - 1; m >= i; m--) put(t[m]!);
      if (base > 0) putRaw(s, this.start(0), this.end(0));
      if (base > 0) this.setNode(0, finish(), base + j - i);
      else this.addNode(0, finish(), j - i);
      i = j;
    }
    this.ltail = null;
  }

  /** Takes the elements of tail t out of the counts, before they are packed into nodes (which count them again). */
  private unTail(t: string[]): void {
    for (let i = 0; i < t.length; i++) this.heap -= tailCost(t[i]!);
    this.length -= t.length;
  }

  // ---- nodes ----

  /** Node k (0 = head). */
  node(k: number): string {
    return this.nodes[(this.head + k) & this.mask]!;
  }

  /** Element count of node k. */
  count(k: number): number {
    return this.counts[(this.head + k) & this.mask]!;
  }

  /** Where node k's elements start in its string. */
  start(k: number): number {
    return this.starts[(this.head + k) & this.mask]!;
  }

  /** Where node k's elements end in its string. */
  end(k: number): number {
    return this.ends[(this.head + k) & this.mask]!;
  }

  /** Chars node k's elements take. */
  chars(k: number): number {
    const j = (this.head + k) & this.mask;
    return this.ends[j]! - this.starts[j]!;
  }

  private grow(): void {
    const cap = (this.mask + 1) * 2;
    const nodes = new Array<string | undefined>(cap);
    const counts = new Array<number>(cap).fill(0);
    const starts = new Array<number>(cap).fill(0);
    const ends = new Array<number>(cap).fill(0);
    for (let k = 0; k < this.size; k++) {
      const j = (this.head + k) & this.mask;
      nodes[k] = this.nodes[j];
      counts[k] = this.counts[j]!;
      starts[k] = this.starts[j]!;
      ends[k] = this.ends[j]!;
    }
    this.nodes = nodes;
    this.counts = counts;
    this.starts = starts;
    this.ends = ends;
    this.head = 0;
    this.mask = cap - 1;
  }

  /** Inserts flat node `s` of `count` elements so that it becomes node k (0..size), moving the shorter side. */
  private addNode(k: number, s: string, count: number): void {
    if (this.size > this.mask) this.grow();
    const mask = this.mask;
    if (k === this.size) {
      // common case: append at the tail
    } else if (k === 0) {
      this.head = (this.head - 1) & mask;
    } else if (k < this.size - k) {
      this.head = (this.head - 1) & mask;
      for (let m = 0; m < k; m++) this.move((this.head + m + 1) & mask, (this.head + m) & mask);
    } else {
      for (let m = this.size; m > k; m--) this.move((this.head + m - 1) & mask, (this.head + m) & mask);
    }
    const j = (this.head + k) & mask;
    this.nodes[j] = s;
    this.counts[j] = count;
    this.starts[j] = 0;
    this.ends[j] = s.length;
    this.size++;
    this.length += count;
    this.heap += stringBytes(s.length);
  }

  private move(from: number, to: number): void {
    this.nodes[to] = this.nodes[from];
    this.counts[to] = this.counts[from]!;
    this.starts[to] = this.starts[from]!;
    this.ends[to] = this.ends[from]!;
  }

  /** Removes node k, moving the shorter side. */
  private removeNode(k: number): void {
    const mask = this.mask;
    const j = (this.head + k) & mask;
    this.heap -= stringBytes(this.nodes[j]!.length);
    this.length -= this.counts[j]!;
    if (k < this.size - 1 - k) {
      for (let m = k; m > 0; m--) this.move((this.head + m - 1) & mask, (this.head + m) & mask);
      this.nodes[this.head] = undefined;
      this.head = (this.head + 1) & mask;
    } else {
      for (let m = k; m < this.size - 1; m++) this.move((this.head + m + 1) & mask, (this.head + m) & mask);
      this.nodes[(this.head + this.size - 1) & mask] = undefined;
    }
    this.size--;
  }

  /** Replaces node k by flat string `s` of `count` elements. */
  private setNode(k: number, s: string, count: number): void {
    const j = (this.head + k) & this.mask;
    this.heap += stringBytes(s.length) - stringBytes(this.nodes[j]!.length);
    this.length += count - this.counts[j]!;
    this.nodes[j] = s;
    this.counts[j] = count;
    this.starts[j] = 0;
    this.ends[j] = s.length;
  }

  /**
   * Cuts node k down to chars from..to of its string, holding `count`
   * elements: the view narrows, and the node is copied flat once it would
   * keep less than half of its string alive.
   */
  private cutNode(k: number, from: number, to: number, count: number): void {
    const j = (this.head + k) & this.mask;
    const s = this.nodes[j]!;
    this.length += count - this.counts[j]!;
    this.counts[j] = count;
    if ((to - from) * 2 >= s.length) {
      this.starts[j] = from;
      this.ends[j] = to;
      return;
    }
    this.heap += stringBytes(to - from) - stringBytes(s.length);
    this.nodes[j] = flatCopy(s, from, to);
    this.starts[j] = 0;
    this.ends[j] = to - from;
  }

  /**
   * Replaces node k by flat string `s` of `count` elements, split into
   * several nodes when it is over the size limit of `fill` (after LSET or
   * LINSERT made it grow).
   */
  private setNodeSplit(k: number, s: string, count: number, fill: number): void {
    if (count <= 1 || fits(0, 0, s.length, fill) && (fill < 0 || count <= fill)) return this.setNode(k, s, count);
    let start = 0;
    let n = 0;
    let p = 0;
    let first = true;
    while (p < s.length) {
      const e = nextElem(s, p);
      if (n > 0 && !fits(p - start, n, e - p, fill)) {
        this.piece(k, s, start, p, n, first);
        if (!first) k++;
        first = false;
        start = p;
        n = 0;
      }
      n++;
      p = e;
    }
    this.piece(k, s, start, p, n, first);
  }

  /** setNodeSplit's output: the first piece replaces node k, the others go after it. */
  private piece(k: number, s: string, from: number, to: number, n: number, first: boolean): void {
    const node = from === 0 && to === s.length ? s : flatCopy(s, from, to);
    if (first) this.setNode(k, node, n);
    else this.addNode(k + 1, node, n);
  }

  /**
   * The node holding element i of the packed ones (0 <= i < length -
   * tails()), walking from the nearer end: its index goes to loc.node, i's
   * offset in it to loc.off.
   */
  locate(i: number): void {
    const packed = this.length - this.tails();
    if (i < packed >>> 1) {
      let k = 0;
      let c = this.count(0);
      while (i >= c) {
        i -= c;
        c = this.count(++k);
      }
      loc.node = k;
      loc.off = i;
      return;
    }
    let k = this.size - 1;
    let rest = packed - 1 - i;
    let c = this.count(k);
    while (rest >= c) {
      rest -= c;
      c = this.count(--k);
    }
    loc.node = k;
    loc.off = c - 1 - rest;
  }

  // ---- ends ----

  pushRight(x: string, fill: number): void {
    this.fill = fill;
    const t = this.rtail ?? (this.rtail = []);
    t.push(x);
    this.length++;
    this.heap += tailCost(x);
    if (t.length >= MIN_BATCH && (t.length >= MAX_BATCH || this.size === 0 || t.length >= this.count(this.size - 1) >>> BATCH_SHIFT)) this.packRight();
  }

  pushLeft(x: string, fill: number): void {
    this.fill = fill;
    const t = this.ltail ?? (this.ltail = []);
    t.push(x);
    this.length++;
    this.heap += tailCost(x);
    if (t.length >= MIN_BATCH && (t.length >= MAX_BATCH || this.size === 0 || t.length >= this.count(0) >>> BATCH_SHIFT)) this.packLeft();
  }

  /**
   * Pushes items[from..] one after another at one end (RPUSH / LPUSH with
   * several elements): they join that end's tail, which is then packed
   * once if it has reached a batch, where the pushes one by one would pack
   * it every batch on the way. The nodes come out the same (packing fills
   * them by the same test, however many wait); only fewer copies of the
   * end node are made.
   */
  pushMany(items: readonly string[], from: number, left: boolean, fill: number): void {
    this.fill = fill;
    const t = left ? (this.ltail ?? (this.ltail = [])) : (this.rtail ?? (this.rtail = []));
    let heap = 0;
    for (let i = from; i < items.length; i++) {
      const x = items[i]!;
      t.push(x);
      heap += tailCost(x);
    }
    this.heap += heap;
    this.length += items.length - from;
    if (t.length < MIN_BATCH) return;
    if (t.length >= MAX_BATCH || this.size === 0 || t.length >= this.count(left ? 0 : this.size - 1) >>> BATCH_SHIFT) {
      if (left) this.packLeft();
      else this.packRight();
    }
  }

  popLeft(): string | undefined {
    const l = this.ltail;
    if (l !== null && l.length > 0) return this.fromTail(l.pop()!);
    if (this.size === 0) {
      const r = this.rtail;
      return r !== null && r.length > 0 ? this.fromTail(r.shift()!) : undefined;
    }
    const j = this.head;
    const s = this.nodes[j]!;
    const e = nextElem(s, this.starts[j]!);
    const x = lastItem(s);
    const c = this.counts[j]!;
    if (c === 1) this.removeNode(0);
    else this.cutNode(0, e, this.ends[j]!, c - 1);
    return x;
  }

  popRight(): string | undefined {
    const r = this.rtail;
    if (r !== null && r.length > 0) return this.fromTail(r.pop()!);
    if (this.size === 0) {
      const l = this.ltail;
      return l !== null && l.length > 0 ? this.fromTail(l.shift()!) : undefined;
    }
    const k = this.size - 1;
    const j = (this.head + k) & this.mask;
    const s = this.nodes[j]!;
    const p = prevElem(s, this.ends[j]!);
    const x = lastItem(s);
    const c = this.counts[j]!;
    if (c === 1) this.removeNode(k);
    else this.cutNode(k, this.starts[j]!, p, c - 1);
    return x;
  }

  /** Accounts for x leaving a tail; returns it. */
  private fromTail(x: string): string {
    this.length--;
    this.heap -= tailCost(x);
    return x;
  }

  /** Pops n (≤ length) elements from one end into `out`, in pop order. */
  popMany(left: boolean, n: number, out: string[]): void {
    this.seal();
    while (n > 0) {
      const k = left ? 0 : this.size - 1;
      const s = this.node(k);
      const c = this.count(k);
      const take = Math.min(c, n);
      const st = this.start(k);
      const en = this.end(k);
      let p = left ? st : en;
      for (let m = 0; m < take; m++) {
        p = left ? nextElem(s, p) : prevElem(s, p);
        out.push(lastItem(s));
      }
      if (take === c) this.removeNode(k);
      else if (left) this.cutNode(k, p, en, c - take);
      else this.cutNode(k, st, p, c - take);
      n -= take;
    }
  }

  // ---- by index ----

  /** Element at index i (the caller checks bounds). */
  at(i: number): string {
    const l = this.ltail;
    const lt = l === null ? 0 : l.length;
    if (i < lt) return l![lt - 1 - i]!;
    const packed = this.length - this.tails();
    if (i - lt >= packed) return this.rtail![i - lt - packed]!;
    this.locate(i - lt);
    const k = loc.node;
    const s = this.node(k);
    seek(s, this.start(k), this.end(k), this.count(k), loc.off);
    return lastItem(s);
  }

  /** Replaces element i (the caller checks bounds). */
  setAt(i: number, x: string, fill: number): void {
    this.fill = fill;
    this.seal();
    this.locate(i);
    const k = loc.node;
    const s = this.node(k);
    const c = this.count(k);
    const st = this.start(k);
    const en = this.end(k);
    const p = seek(s, st, en, c, loc.off);
    const e = lastEnd();
    begin();
    putRaw(s, st, p);
    put(x);
    putRaw(s, e, en);
    this.setNodeSplit(k, finish(), c, fill);
  }

  /** Inserts x so that it ends up at index i (0..length). */
  insertAt(i: number, x: string, fill: number): void {
    this.fill = fill;
    this.seal();
    if (i === this.length) return this.pushRight(x, fill);
    if (i === 0) return this.pushLeft(x, fill);
    this.locate(i);
    let k = loc.node;
    let off = loc.off;
    // at a node boundary, the end of the previous node may have room (_quicklistInsert)
    if (off === 0 && k > 0 && fits(this.chars(k - 1), this.count(k - 1), elemSize(x), fill)) {
      k--;
      off = this.count(k);
    }
    const s = this.node(k);
    const c = this.count(k);
    const st = this.start(k);
    const en = this.end(k);
    const p = off === c ? en : seek(s, st, en, c, off);
    begin();
    putRaw(s, st, p);
    put(x);
    putRaw(s, p, en);
    this.setNodeSplit(k, finish(), c + 1, fill);
  }

  /** Keeps only indexes [start, end] (0 <= start <= end < length). */
  trim(start: number, end: number): void {
    this.seal();
    const dropRight = this.length - 1 - end;
    if (dropRight > 0) {
      this.locate(end);
      while (this.size - 1 > loc.node) this.removeNode(this.size - 1);
      const k = loc.node;
      const s = this.node(k);
      const c = this.count(k);
      if (loc.off < c - 1) {
        seek(s, this.start(k), this.end(k), c, loc.off);
        this.cutNode(k, this.start(k), lastEnd(), loc.off + 1);
      }
    }
    if (start > 0) {
      this.locate(start);
      const k = loc.node;
      for (let m = 0; m < k; m++) this.removeNode(0);
      if (loc.off > 0) {
        const s = this.node(0);
        const c = this.count(0);
        const p = seek(s, this.start(0), this.end(0), c, loc.off);
        this.cutNode(0, p, this.end(0), c - loc.off);
      }
    }
  }

  /**
   * Removes up to `limit` elements equal to x (0 = all) scanning from the
   * head or, with fromTail, from the tail; returns how many went.
   */
  removeMatching(x: string, limit: number, fromTail: boolean): number {
    this.seal();
    let removed = 0;
    let k = fromTail ? this.size - 1 : 0;
    while (k >= 0 && k < this.size && (limit === 0 || removed < limit)) {
      const s = this.node(k);
      const c = this.count(k);
      const st = this.start(k);
      const en = this.end(k);
      // start and end of each match in this node, in scan order
      const hits: number[] = [];
      let n = 0;
      if (!fromTail) {
        for (let p = st; p < en && (limit === 0 || removed + n < limit);) {
          const e = nextElem(s, p);
          if (lastIs(s, x)) {
            hits.push(p, e);
            n++;
          }
          p = e;
        }
      } else {
        for (let e = en; e > st && (limit === 0 || removed + n < limit);) {
          const p = prevElem(s, e);
          if (lastIs(s, x)) {
            hits.push(e, p);
            n++;
          }
          e = p;
        }
        hits.reverse();
      }
      removed += n;
      if (n === c) {
        this.removeNode(k);
        if (fromTail) k--;
        continue;
      }
      if (n > 0) {
        begin();
        let from = st;
        for (let h = 0; h < hits.length; h += 2) {
          putRaw(s, from, hits[h]!);
          from = hits[h + 1]!;
        }
        putRaw(s, from, en);
        this.setNode(k, finish(), c - n);
      }
      k += fromTail ? -1 : 1;
    }
    return removed;
  }

  // ---- scans ----

  /**
   * Index of each element equal to x, scanning from the head (or the tail)
   * over at most `max` elements; stops when fn returns false (LPOS).
   */
  findEach(x: string, fromTail: boolean, max: number, fn: (i: number) => boolean): void {
    const last = this.length - 1;
    let seen = 0;
    // the outer tail, the nodes, the inner tail: in scan order
    const outer = fromTail ? this.rtail : this.ltail;
    const inner = fromTail ? this.ltail : this.rtail;
    if (outer !== null) {
      for (let m = outer.length - 1; m >= 0; m--, seen++) {
        if (seen >= max) return;
        if (outer[m] === x && !fn(fromTail ? last - seen : seen)) return;
      }
    }
    for (let n = 0; n < this.size; n++) {
      const k = fromTail ? this.size - 1 - n : n;
      const s = this.node(k);
      const st = this.start(k);
      const en = this.end(k);
      if (!fromTail) {
        for (let p = st; p < en; seen++) {
          if (seen >= max) return;
          p = nextElem(s, p);
          if (lastIs(s, x) && !fn(seen)) return;
        }
      } else {
        for (let e = en; e > st; seen++) {
          if (seen >= max) return;
          e = prevElem(s, e);
          if (lastIs(s, x) && !fn(last - seen)) return;
        }
      }
    }
    if (inner !== null) {
      for (let m = 0; m < inner.length; m++, seen++) {
        if (seen >= max) return;
        if (inner[m] === x && !fn(fromTail ? last - seen : seen)) return;
      }
    }
  }

  *entries(): IterableIterator<string> {
    const l = this.ltail;
    if (l !== null) for (let m = l.length - 1; m >= 0; m--) yield l[m]!;
    for (let k = 0; k < this.size; k++) {
      const s = this.node(k);
      const en = this.end(k);
      for (let p = this.start(k); p < en;) {
        p = nextElem(s, p);
        yield lastItem(s);
      }
    }
    const r = this.rtail;
    if (r !== null) for (let m = 0; m < r.length; m++) yield r[m]!;
  }
}
