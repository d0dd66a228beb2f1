/**
 * An order-statistic B+tree of (score, member) entries, the ordered half of
 * a big sorted set (zset-big.ts), ordered as Redis's skiplist: by score,
 * then by member bytes (members are latin1 strings, one char per byte, so
 * JS string comparison is memcmp order).
 *
 * Leaves hold up to `leafCap` entries as parallel columns (scores unboxed in
 * a Float64Array, members in an array) and are linked both ways for walks.
 * Inner nodes hold their children, each child's entry count (ranks) and a
 * separator per child: a key ≤ every key under that child and > every key
 * under the child before it (the first child's is unused). Separators need
 * not be keys still in the tree: a delete leaves them be. Every search is
 * one root-to-leaf descent of binary searches over contiguous columns.
 *
 * A node under a quarter full takes from, or merges into, a sibling; an
 * empty leaf goes; a root of one child gives way to it. Descents record
 * their path in module scratch (PATH / PIDX): calls never nest.
 */
import { gteMin, lexGteMin, lexLteMax, lteMax, type LexRange, type ScoreRange } from './zrange-spec.ts';
import { objectBytes } from './value.ts';

/** Entries a leaf holds, children an inner node holds (measured: 64 beats 32 and 128 on ZADD / ZRANK). */
export const LEAF_CAP = 64;
export const INNER_CAP = 64;

/** A typed array's heap cost besides its elements: the JSTypedArray, its JSArrayBuffer and the backing store's record (measured ~200 + ~100). */
const TYPED_ARRAY_BYTES = 296;
/** A JS array of `cap` slots: the JSArray and its FixedArray. */
function arrayBytes(cap: number): number {
  return 32 + 16 + 8 * cap;
}
/** Heap bytes of a leaf of `cap` entries: the object, its score column and its member column. */
export function leafBytes(cap: number): number {
  return objectBytes(5) + TYPED_ARRAY_BYTES + 8 * cap + arrayBytes(cap);
}
/** Heap bytes of an inner node of `cap` children: the object, children, counts (Int32Array), separator columns. */
export function innerBytes(cap: number): number {
  return objectBytes(5) + arrayBytes(cap) + TYPED_ARRAY_BYTES + 4 * cap + TYPED_ARRAY_BYTES + 8 * cap + arrayBytes(cap);
}

export class Leaf {
  n = 0;
  readonly scores: Float64Array;
  readonly members: string[];
  next: Leaf | null = null;
  prev: Leaf | null = null;

  constructor(cap: number) {
    this.scores = new Float64Array(cap);
    this.members = new Array<string>(cap).fill('');
  }
}

class Inner {
  n = 0;
  readonly kids: Array<Inner | Leaf | null>;
  readonly counts: Int32Array;
  readonly sepScores: Float64Array;
  readonly sepMembers: string[];

  constructor(cap: number) {
    this.kids = new Array<Inner | Leaf | null>(cap).fill(null);
    this.counts = new Int32Array(cap);
    this.sepScores = new Float64Array(cap);
    this.sepMembers = new Array<string>(cap).fill('');
  }
}

/** (s1, m1) sorts strictly before (s2, m2). */
function lt(s1: number, m1: string, s2: number, m2: string): boolean {
  return s1 < s2 || (s1 === s2 && m1 < m2);
}

// The last descent's path: PATH[h] is the inner node at height h (1 = a leaf's parent), PIDX[h] the child taken.
const PATH: Inner[] = [];
const PIDX: number[] = [];
/** Where the last seek landed: a leaf and an index in it (== leaf.n: past its end). */
export const cursor = { leaf: null as Leaf | null, i: 0 };

// Predicates for lowerBound(): the first entry for which it holds.
const GE_MIN = 0, GT_MAX = 1, LEX_GE_MIN = 2, LEX_GT_MAX = 3;
let range: ScoreRange | null = null;
let lexRange: LexRange | null = null;

function holds(mode: number, score: number, member: string): boolean {
  switch (mode) {
    case GE_MIN: return gteMin(score, range!);
    case GT_MAX: return !lteMax(score, range!);
    case LEX_GE_MIN: return lexGteMin(member, lexRange!);
    default: return !lexLteMax(member, lexRange!);
  }
}

/** First index of a leaf whose entry is not before (score, member). */
function leafLowerBound(l: Leaf, score: number, member: string): number {
  const sc = l.scores, ms = l.members;
  let lo = 0, hi = l.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = sc[mid]!;
    if (s < score || (s === score && ms[mid]! < member)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The child of x whose keys span (score, member): the last whose separator is ≤ it. */
function childFor(x: Inner, score: number, member: string): number {
  const sc = x.sepScores, ms = x.sepMembers;
  let lo = 1, hi = x.n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const s = sc[mid]!;
    if (score < s || (score === s && member < ms[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}

export class ZTree {
  readonly leafCap: number;
  readonly innerCap: number;
  private readonly minLeaf: number;
  private readonly minInner: number;
  private root: Inner | Leaf;
  /** Inner levels above the leaves (0: the root is a leaf). */
  private height = 0;
  length = 0;
  /** The first and last leaves (the same, empty one when the tree is). */
  head: Leaf;
  tail: Leaf;
  /** Node counts (memory accounting). */
  leaves = 1;
  inners = 0;

  constructor(leafCap = LEAF_CAP, innerCap = INNER_CAP) {
    this.leafCap = leafCap;
    this.innerCap = innerCap;
    this.minLeaf = leafCap >> 2;
    this.minInner = Math.max(2, innerCap >> 2);
    this.root = this.head = this.tail = new Leaf(leafCap);
  }

  /** Heap bytes of the nodes. */
  nodeBytes(): number {
    return this.leaves * leafBytes(this.leafCap) + this.inners * innerBytes(this.innerCap);
  }

  // ---- descents ----------------------------------------------------------

  /** Descends towards (score, member), recording the path; returns the leaf (and the rank of its first entry). */
  private descendKey(score: number, member: string): Leaf {
    let x = this.root;
    let rank = 0;
    for (let h = this.height; h > 0; h--) {
      const inner = x as Inner;
      const i = childFor(inner, score, member);
      for (let j = 0; j < i; j++) rank += inner.counts[j]!;
      PATH[h] = inner;
      PIDX[h] = i;
      x = inner.kids[i]!;
    }
    descentRank = rank;
    return x as Leaf;
  }

  /** Descends to 0-based rank r (< length), recording the path; returns the leaf, the index in it in cursor.i. */
  private descendRank(r: number): Leaf {
    let x = this.root;
    for (let h = this.height; h > 0; h--) {
      const inner = x as Inner;
      const counts = inner.counts;
      let i = 0;
      while (r >= counts[i]! && i < inner.n - 1) r -= counts[i++]!;
      PATH[h] = inner;
      PIDX[h] = i;
      x = inner.kids[i]!;
    }
    cursor.i = r;
    return (cursor.leaf = x as Leaf);
  }

  /**
   * Rank of the first entry for which the monotone predicate `mode` holds
   * (length when none); the cursor lands there (past a leaf's end when its
   * next leaf's first entry is the one).
   */
  private lowerBound(mode: number): number {
    let x = this.root;
    let rank = 0;
    for (let h = this.height; h > 0; h--) {
      const inner = x as Inner;
      // the last child whose separator fails the predicate (the first child's separator is unused)
      let lo = 1, hi = inner.n;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (holds(mode, inner.sepScores[mid]!, inner.sepMembers[mid]!)) hi = mid;
        else lo = mid + 1;
      }
      const i = lo - 1;
      for (let j = 0; j < i; j++) rank += inner.counts[j]!;
      x = inner.kids[i]!;
    }
    const l = x as Leaf;
    let lo = 0, hi = l.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (holds(mode, l.scores[mid]!, l.members[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    cursor.leaf = l;
    cursor.i = lo;
    return rank + lo;
  }

  // ---- cursor ------------------------------------------------------------

  /** Points the cursor at 0-based rank r; false when out of range. */
  seek(r: number): boolean {
    if (r < 0 || r >= this.length) return false;
    this.descendRank(r);
    return true;
  }

  /** Moves the cursor one entry on (false past the last). */
  static next(): boolean {
    const c = cursor;
    if (++c.i < c.leaf!.n) return true;
    const nx = c.leaf!.next;
    if (nx === null) return false;
    c.leaf = nx;
    c.i = 0;
    return nx.n > 0;
  }

  /** Moves the cursor one entry back (false before the first). */
  static prev(): boolean {
    const c = cursor;
    if (--c.i >= 0) return true;
    const pv = c.leaf!.prev;
    if (pv === null) return false;
    c.leaf = pv;
    c.i = pv.n - 1;
    return true;
  }

  /** Moves the cursor k entries on (k ≥ 0); false past the last. */
  static skip(k: number): boolean {
    const c = cursor;
    let l = c.leaf!;
    let i = c.i + k;
    while (i >= l.n) {
      i -= l.n;
      if (l.next === null) return false;
      l = l.next;
    }
    c.leaf = l;
    c.i = i;
    return true;
  }

  /** Moves the cursor k entries back (k ≥ 0); false before the first. */
  static skipBack(k: number): boolean {
    const c = cursor;
    let l = c.leaf!;
    let i = c.i - k;
    while (i < 0) {
      if (l.prev === null) return false;
      l = l.prev;
      i += l.n;
    }
    c.leaf = l;
    c.i = i;
    return true;
  }

  /** Lands a lowerBound() cursor that stopped past a leaf's end on the next leaf's first entry. */
  private static settle(): void {
    const c = cursor;
    if (c.i >= c.leaf!.n && c.leaf!.next !== null) {
      c.leaf = c.leaf!.next;
      c.i = 0;
    }
  }

  // ---- queries -----------------------------------------------------------

  /** 0-based rank of (score, member), or -1. */
  rank(score: number, member: string): number {
    const l = this.descendKey(score, member);
    const i = leafLowerBound(l, score, member);
    return i < l.n && l.scores[i] === score && l.members[i] === member ? descentRank + i : -1;
  }

  /** Rank of the first entry with its score in the range (cursor on it), or -1. */
  firstInRange(r: ScoreRange): number {
    range = r;
    const k = this.lowerBound(GE_MIN);
    if (k >= this.length) return -1;
    ZTree.settle();
    return lteMax(cursor.leaf!.scores[cursor.i]!, r) ? k : -1;
  }

  /** Rank of the last entry with its score in the range (cursor on it), or -1. */
  lastInRange(r: ScoreRange): number {
    range = r;
    const k = this.lowerBound(GT_MAX) - 1;
    if (k < 0) return -1;
    ZTree.prev();
    return gteMin(cursor.leaf!.scores[cursor.i]!, r) ? k : -1;
  }

  /** Rank of the first entry of a lex range (zslFirstInLexRange; lex ranges assume equal scores), or -1. */
  firstInLexRange(r: LexRange): number {
    if (!this.inLexRange(r)) return -1;
    lexRange = r;
    const k = this.lowerBound(LEX_GE_MIN);
    if (k >= this.length) return -1;
    ZTree.settle();
    return lexLteMax(cursor.leaf!.members[cursor.i]!, r) ? k : -1;
  }

  /** Rank of the last entry of a lex range (zslLastInLexRange), or -1. */
  lastInLexRange(r: LexRange): number {
    if (!this.inLexRange(r)) return -1;
    lexRange = r;
    const k = this.lowerBound(LEX_GT_MAX) - 1;
    if (k < 0) return -1;
    ZTree.prev();
    return lexGteMin(cursor.leaf!.members[cursor.i]!, r) ? k : -1;
  }

  /** Redis's zslIsInLexRange pre-check: the last member reaches min and the first reaches max. */
  private inLexRange(r: LexRange): boolean {
    if (this.length === 0) return false;
    const t = this.tail;
    return lexGteMin(t.members[t.n - 1]!, r) && lexLteMax(this.head.members[0]!, r);
  }

  // ---- insert ------------------------------------------------------------

  /** Adds (score, member), which must not be in the tree. */
  insert(score: number, member: string): void {
    let x = this.root;
    for (let h = this.height; h > 0; h--) {
      const inner = x as Inner;
      const i = childFor(inner, score, member);
      inner.counts[i]++;
      PATH[h] = inner;
      PIDX[h] = i;
      x = inner.kids[i]!;
    }
    const l = x as Leaf;
    const at = leafLowerBound(l, score, member);
    this.length++;
    if (l.n < this.leafCap) {
      leafInsertAt(l, at, score, member);
      return;
    }
    const r = this.splitLeaf(l);
    if (at <= l.n) leafInsertAt(l, at, score, member);
    else leafInsertAt(r, at - l.n, score, member);
    this.addChild(1, r, r.scores[0]!, r.members[0]!, l.n, r.n);
  }

  /** Moves the upper half of a full leaf to a new leaf after it; returns the new one. */
  private splitLeaf(l: Leaf): Leaf {
    const r = new Leaf(this.leafCap);
    this.leaves++;
    const mid = l.n >> 1;
    const k = l.n - mid;
    r.scores.set(l.scores.subarray(mid, l.n));
    for (let j = 0; j < k; j++) {
      r.members[j] = l.members[mid + j]!;
      l.members[mid + j] = '';
    }
    r.n = k;
    l.n = mid;
    r.next = l.next;
    r.prev = l;
    if (l.next !== null) l.next.prev = r;
    else this.tail = r;
    l.next = r;
    return r;
  }

  /**
   * Puts `node` (separator sepS/sepM) right after the child PIDX[h] of
   * PATH[h], whose count becomes `leftCount` and the new one's `rightCount`;
   * splits upwards as needed, a new root last.
   */
  private addChild(h: number, node: Inner | Leaf, sepS: number, sepM: string, leftCount: number, rightCount: number): void {
    for (;;) {
      if (h > this.height) {
        const root = new Inner(this.innerCap);
        this.inners++;
        root.n = 2;
        root.kids[0] = this.root;
        root.kids[1] = node;
        root.counts[0] = leftCount;
        root.counts[1] = rightCount;
        root.sepScores[0] = -Infinity;
        root.sepScores[1] = sepS;
        root.sepMembers[1] = sepM;
        this.root = root;
        this.height++;
        return;
      }
      const p = PATH[h]!;
      const i = PIDX[h]!;
      p.counts[i] = leftCount;
      if (p.n < this.innerCap) {
        innerInsertAt(p, i + 1, node, rightCount, sepS, sepM);
        return;
      }
      // split p: its upper half to a new node q, then the child into its side
      const q = new Inner(this.innerCap);
      this.inners++;
      const mid = p.n >> 1;
      moveKids(p, mid, q, 0, p.n - mid);
      q.n = p.n - mid;
      p.n = mid;
      if (i + 1 <= mid) innerInsertAt(p, i + 1, node, rightCount, sepS, sepM);
      else innerInsertAt(q, i + 1 - mid, node, rightCount, sepS, sepM);
      node = q;
      sepS = q.sepScores[0]!;
      sepM = q.sepMembers[0]!;
      leftCount = sumCounts(p);
      rightCount = sumCounts(q);
      h++;
    }
  }

  // ---- delete ------------------------------------------------------------

  /** Removes (score, member); false when absent. */
  delete(score: number, member: string): boolean {
    const l = this.descendKey(score, member);
    const i = leafLowerBound(l, score, member);
    if (i >= l.n || l.scores[i] !== score || l.members[i] !== member) return false;
    this.removeAt(l, i, 1);
    return true;
  }

  /**
   * Removes the entries of 0-based ranks from..to (clamped), calling
   * `removed` for each, in order; returns how many went. O(log n) a leaf.
   */
  deleteRange(from: number, to: number, removed: (member: string, score: number) => void): number {
    if (from < 0) from = 0;
    if (to >= this.length) to = this.length - 1;
    let left = to - from + 1;
    if (left <= 0) return 0;
    const total = left;
    while (left > 0) {
      const l = this.descendRank(from);
      const i = cursor.i;
      const k = Math.min(left, l.n - i);
      for (let j = i; j < i + k; j++) removed(l.members[j]!, l.scores[j]!);
      this.removeAt(l, i, k);
      left -= k;
    }
    return total;
  }

  /** Removes the first (last: max) entry into `out` (as [member, score]); false when empty. */
  popEnd(max: boolean, out: { member: string; score: number }): boolean {
    if (this.length === 0) return false;
    const l = this.descendRank(max ? this.length - 1 : 0);
    const i = cursor.i;
    out.member = l.members[i]!;
    out.score = l.scores[i]!;
    this.removeAt(l, i, 1);
    return true;
  }

  /**
   * Gives (curScore, member) the score `score`: in place when it stays
   * inside its leaf's span (no separator to mend), else moved.
   */
  updateScore(curScore: number, member: string, score: number): void {
    const l = this.descendKey(curScore, member);
    const i = leafLowerBound(l, curScore, member);
    const n = l.n, sc = l.scores, ms = l.members;
    const lowOk = i > 0 ? lt(sc[0]!, ms[0]!, score, member) : lt(curScore, member, score, member);
    const highOk = i < n - 1 ? lt(score, member, sc[n - 1]!, ms[n - 1]!) : lt(score, member, curScore, member);
    if (lowOk && highOk) {
      // slide it to its new place among the leaf's others
      let j = i;
      if (lt(curScore, member, score, member)) {
        while (j + 1 < n && lt(sc[j + 1]!, ms[j + 1]!, score, member)) {
          sc[j] = sc[j + 1]!;
          ms[j] = ms[j + 1]!;
          j++;
        }
      } else {
        while (j > 0 && lt(score, member, sc[j - 1]!, ms[j - 1]!)) {
          sc[j] = sc[j - 1]!;
          ms[j] = ms[j - 1]!;
          j--;
        }
      }
      sc[j] = score;
      ms[j] = member;
      return;
    }
    this.removeAt(l, i, 1);
    this.insert(score, member);
  }

  /** Removes k entries at index i of leaf l (reached by the last descent), then mends underflow upwards. */
  private removeAt(l: Leaf, i: number, k: number): void {
    for (let h = 1; h <= this.height; h++) PATH[h]!.counts[PIDX[h]!] -= k;
    this.length -= k;
    const n = l.n;
    l.scores.copyWithin(i, i + k, n);
    const ms = l.members;
    for (let j = i; j < n - k; j++) ms[j] = ms[j + k]!;
    for (let j = n - k; j < n; j++) ms[j] = '';
    l.n = n - k;
    this.mendLeaf(l);
  }

  /** A leaf (reached by the last descent) under a quarter full merges with a sibling, or evens out with it. */
  private mendLeaf(l: Leaf): void {
    if (this.height === 0 || l.n >= this.minLeaf) return;
    const p = PATH[1]!;
    const ci = PIDX[1]!;
    const li = ci + 1 < p.n ? ci : ci - 1;
    const a = p.kids[li] as Leaf, b = p.kids[li + 1] as Leaf;
    if (a.n + b.n <= this.leafCap) {
      a.scores.set(b.scores.subarray(0, b.n), a.n);
      for (let j = 0; j < b.n; j++) a.members[a.n + j] = b.members[j]!;
      a.n += b.n;
      a.next = b.next;
      if (b.next !== null) b.next.prev = a;
      else this.tail = a;
      b.next = b.prev = null;
      this.leaves--;
      p.counts[li]! += p.counts[li + 1]!;
      innerRemoveAt(p, li + 1);
      this.mendInner(1);
      return;
    }
    evenLeaves(a, b);
    p.counts[li] = a.n;
    p.counts[li + 1] = b.n;
    p.sepScores[li + 1] = b.scores[0]!;
    p.sepMembers[li + 1] = b.members[0]!;
  }

  /** After PATH[h] lost a child: merges or evens it out with a sibling when under a quarter full, upwards; drops a root of one child. */
  private mendInner(h: number): void {
    for (;;) {
      if (h >= this.height) {
        while (this.height > 0 && (this.root as Inner).n === 1) {
          const old = this.root as Inner;
          this.root = old.kids[0]!;
          old.kids[0] = null;
          this.height--;
          this.inners--;
        }
        return;
      }
      const x = PATH[h]!;
      if (x.n >= this.minInner) return;
      const p = PATH[h + 1]!;
      const ci = PIDX[h + 1]!;
      const li = ci + 1 < p.n ? ci : ci - 1;
      const a = p.kids[li] as Inner, b = p.kids[li + 1] as Inner;
      // b's first child takes the separator p keeps for b
      b.sepScores[0] = p.sepScores[li + 1]!;
      b.sepMembers[0] = p.sepMembers[li + 1]!;
      if (a.n + b.n <= this.innerCap) {
        moveKids(b, 0, a, a.n, b.n);
        a.n += b.n;
        b.n = 0;
        this.inners--;
        p.counts[li]! += p.counts[li + 1]!;
        innerRemoveAt(p, li + 1);
        h++;
        continue;
      }
      const total = a.n + b.n;
      const want = total >> 1;
      if (a.n > want) {
        const k = a.n - want;
        moveKids(b, 0, b, k, b.n);
        moveKids(a, want, b, 0, k);
        a.n = want;
        b.n += k;
      } else {
        const k = want - a.n;
        moveKids(b, 0, a, a.n, k);
        moveKids(b, k, b, 0, b.n - k);
        a.n = want;
        b.n -= k;
      }
      clearKids(a);
      clearKids(b);
      p.counts[li] = sumCounts(a);
      p.counts[li + 1] = sumCounts(b);
      p.sepScores[li + 1] = b.sepScores[0]!;
      p.sepMembers[li + 1] = b.sepMembers[0]!;
      return;
    }
  }

  // ---- bulk --------------------------------------------------------------

  /** Appends entries in (score, member) order past the last one, filling leaves to three quarters. */
  appendSorted(members: readonly string[], scores: ArrayLike<number>, from: number, to: number): void {
    const fill = Math.max(1, (this.leafCap * 3) >> 2);
    for (let i = from; i < to; i++) {
      const l = this.tail;
      const last = l.n - 1;
      if (l.n >= fill && lt(l.scores[last]!, l.members[last]!, scores[i]!, members[i]!)) {
        // a fresh leaf at the end: the descent to the last entry gives addChild its path
        this.descendRank(this.length - 1);
        for (let h = 1; h <= this.height; h++) PATH[h]!.counts[PIDX[h]!]++;
        const r = new Leaf(this.leafCap);
        this.leaves++;
        r.prev = l;
        l.next = r;
        this.tail = r;
        r.scores[0] = scores[i]!;
        r.members[0] = members[i]!;
        r.n = 1;
        this.length++;
        this.addChild(1, r, r.scores[0]!, r.members[0]!, l.n, 1);
        continue;
      }
      this.insert(scores[i]!, members[i]!);
    }
    if (this.height > 0 && this.tail.n < this.minLeaf) {
      this.descendRank(this.length - 1);
      this.mendLeaf(this.tail);
    }
  }

  /** Calls fn for each entry, lowest first (highest first: rev). */
  forEach(fn: (member: string, score: number) => void, rev = false): void {
    if (rev) {
      for (let l: Leaf | null = this.tail; l !== null; l = l.prev) for (let i = l.n - 1; i >= 0; i--) fn(l.members[i]!, l.scores[i]!);
    } else {
      for (let l: Leaf | null = this.head; l !== null; l = l.next) for (let i = 0; i < l.n; i++) fn(l.members[i]!, l.scores[i]!);
    }
  }

  /** Checks every invariant (tests): counts, order, separators, links, fill. Throws on a breach. */
  check(): void {
    const fail = (what: string): never => {
      throw new Error(`ztree invariant: ${what}`);
    };
    const leaves: Leaf[] = [];
    let inners = 0;
    const walk = (x: Inner | Leaf, h: number, lo: [number, string] | null, hi: [number, string] | null, isRoot: boolean): number => {
      if (h === 0) {
        const l = x as Leaf;
        if (!(l instanceof Leaf)) fail('leaf expected');
        if (!isRoot && l.n < 1) fail('empty leaf');
        if (!isRoot && l.n < this.minLeaf) fail(`leaf of ${l.n} entries`);
        for (let i = 0; i < l.n; i++) {
          if (i > 0 && !lt(l.scores[i - 1]!, l.members[i - 1]!, l.scores[i]!, l.members[i]!)) fail('leaf order');
          if (lo !== null && lt(l.scores[i]!, l.members[i]!, lo[0], lo[1])) fail('below separator');
          if (hi !== null && !lt(l.scores[i]!, l.members[i]!, hi[0], hi[1])) fail('not below next separator');
        }
        for (let i = l.n; i < this.leafCap; i++) if (l.members[i] !== '') fail('stale member slot');
        leaves.push(l);
        return l.n;
      }
      const p = x as Inner;
      if (!(p instanceof Inner)) fail('inner expected');
      inners++;
      if (p.n < (isRoot ? 2 : this.minInner)) fail(`inner of ${p.n} children`);
      let total = 0;
      for (let i = 0; i < p.n; i++) {
        if (i > 1 && !lt(p.sepScores[i - 1]!, p.sepMembers[i - 1]!, p.sepScores[i]!, p.sepMembers[i]!)) fail('separator order');
        const clo: [number, string] | null = i === 0 ? lo : [p.sepScores[i]!, p.sepMembers[i]!];
        const chi: [number, string] | null = i + 1 < p.n ? [p.sepScores[i + 1]!, p.sepMembers[i + 1]!] : hi;
        const c = walk(p.kids[i]!, h - 1, clo, chi, false);
        if (c !== p.counts[i]) fail(`count ${p.counts[i]} for ${c}`);
        total += c;
      }
      for (let i = p.n; i < this.innerCap; i++) if (p.kids[i] !== null) fail('stale child slot');
      return total;
    };
    const total = walk(this.root, this.height, null, null, true);
    if (total !== this.length) fail(`length ${this.length} for ${total}`);
    if (leaves.length !== this.leaves || inners !== this.inners) fail('node counts');
    if (this.head !== leaves[0] || this.tail !== leaves[leaves.length - 1]) fail('head / tail');
    for (let i = 0; i < leaves.length; i++) {
      if (leaves[i]!.prev !== (leaves[i - 1] ?? null) || leaves[i]!.next !== (leaves[i + 1] ?? null)) fail('leaf links');
    }
  }
}

/** The rank of the first entry of the leaf the last descendKey() reached. */
let descentRank = 0;

function leafInsertAt(l: Leaf, at: number, score: number, member: string): void {
  const n = l.n;
  if (at < n) l.scores.copyWithin(at + 1, at, n);
  l.scores[at] = score;
  const ms = l.members;
  for (let j = n; j > at; j--) ms[j] = ms[j - 1]!;
  ms[at] = member;
  l.n = n + 1;
}

function innerInsertAt(p: Inner, at: number, node: Inner | Leaf, count: number, sepS: number, sepM: string): void {
  const n = p.n;
  const kids = p.kids, seps = p.sepMembers;
  for (let j = n; j > at; j--) {
    kids[j] = kids[j - 1]!;
    seps[j] = seps[j - 1]!;
  }
  p.counts.copyWithin(at + 1, at, n);
  p.sepScores.copyWithin(at + 1, at, n);
  kids[at] = node;
  p.counts[at] = count;
  p.sepScores[at] = sepS;
  seps[at] = sepM;
  p.n = n + 1;
}

function innerRemoveAt(p: Inner, at: number): void {
  const n = p.n;
  const kids = p.kids, seps = p.sepMembers;
  for (let j = at; j < n - 1; j++) {
    kids[j] = kids[j + 1]!;
    seps[j] = seps[j + 1]!;
  }
  kids[n - 1] = null;
  seps[n - 1] = '';
  p.counts.copyWithin(at, at + 1, n);
  p.sepScores.copyWithin(at, at + 1, n);
  p.n = n - 1;
}

/** Copies k children (with counts and separators) from a[from..] to b[to..] (overlap-safe within one node). */
function moveKids(a: Inner, from: number, b: Inner, to: number, k: number): void {
  if (k <= 0) return;
  if (a === b) {
    a.counts.copyWithin(to, from, from + k);
    a.sepScores.copyWithin(to, from, from + k);
    if (to > from) {
      for (let j = k - 1; j >= 0; j--) {
        a.kids[to + j] = a.kids[from + j]!;
        a.sepMembers[to + j] = a.sepMembers[from + j]!;
      }
    } else {
      for (let j = 0; j < k; j++) {
        a.kids[to + j] = a.kids[from + j]!;
        a.sepMembers[to + j] = a.sepMembers[from + j]!;
      }
    }
    return;
  }
  b.counts.set(a.counts.subarray(from, from + k), to);
  b.sepScores.set(a.sepScores.subarray(from, from + k), to);
  for (let j = 0; j < k; j++) {
    b.kids[to + j] = a.kids[from + j]!;
    b.sepMembers[to + j] = a.sepMembers[from + j]!;
    a.kids[from + j] = null;
    a.sepMembers[from + j] = '';
  }
}

/** Clears the child slots past n (so dropped nodes and separators can be collected). */
function clearKids(p: Inner): void {
  for (let j = p.n; j < p.kids.length && p.kids[j] !== null; j++) {
    p.kids[j] = null;
    p.sepMembers[j] = '';
  }
}

function sumCounts(p: Inner): number {
  let s = 0;
  for (let j = 0; j < p.n; j++) s += p.counts[j]!;
  return s;
}

/** Evens out two adjacent leaves' entries (a before b). */
function evenLeaves(a: Leaf, b: Leaf): void {
  const total = a.n + b.n;
  const want = total >> 1;
  if (a.n > want) {
    const k = a.n - want;
    b.scores.copyWithin(k, 0, b.n);
    for (let j = b.n - 1; j >= 0; j--) b.members[j + k] = b.members[j]!;
    b.scores.set(a.scores.subarray(want, a.n), 0);
    for (let j = 0; j < k; j++) {
      b.members[j] = a.members[want + j]!;
      a.members[want + j] = '';
    }
  } else {
    const k = want - a.n;
    a.scores.set(b.scores.subarray(0, k), a.n);
    for (let j = 0; j < k; j++) a.members[a.n + j] = b.members[j]!;
    b.scores.copyWithin(0, k, b.n);
    for (let j = 0; j < b.n - k; j++) b.members[j] = b.members[j + k]!;
    for (let j = b.n - k; j < b.n; j++) b.members[j] = '';
  }
  a.n = want;
  b.n = total - want;
}
