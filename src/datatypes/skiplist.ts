/**
 * Redis's zskiplist: nodes ordered by (score, member bytes), with spans so
 * rank queries and access by rank are O(log n). Members are latin1 strings
 * (one char per byte), so JS string comparison is memcmp order.
 *
 * Node layout, slimmed for memory: level 0's link is a plain field (`next`;
 * its span is always 1, so it is not stored) and only the levels above it
 * (one node in four has any) live in an array, [forward1, span1, forward2,
 * span2, …]. A one-level node is then a single object.
 */
import { objectBytes } from './value.ts';
import { gteMin, lexGteMin, lexLteMax, lteMax, type LexRange, type ScoreRange } from './zrange-spec.ts';

const MAX_LEVEL = 32;

export class SkipNode {
  member: string;
  score: number;
  backward: SkipNode | null = null;
  /** Next node at level 0. */
  next: SkipNode | null = null;
  /**
   * Levels 1 and up: forward node and span pairs; null for a one-level node.
   * Three nodes in four have one level: theirs is the prototype's null, not
   * a field of their own (8 bytes less each); SkipNodeUp holds the array.
   */
  declare readonly up: Array<SkipNode | null | number> | null;

  constructor(score: number, member: string) {
    this.member = member;
    this.score = score;
  }
}
(SkipNode.prototype as { up: null }).up = null;

/** A node of two levels or more. */
class SkipNodeUp extends SkipNode {
  declare readonly up: Array<SkipNode | null | number>;

  constructor(level: number, score: number, member: string) {
    super(score, member);
    const up = new Array<SkipNode | null | number>(2 * (level - 1));
    for (let i = 0; i < up.length; i += 2) {
      up[i] = null;
      up[i + 1] = 0;
    }
    (this as { up: unknown }).up = up;
  }
}

/** A node of `level` levels. */
function makeNode(level: number, score: number, member: string): SkipNode {
  return level > 1 ? new SkipNodeUp(level, score, member) : new SkipNode(score, member);
}

/** Forward node of x at level i. */
function fwd(x: SkipNode, i: number): SkipNode | null {
  return i === 0 ? x.next : (x.up![2 * i - 2] as SkipNode | null);
}

function setFwd(x: SkipNode, i: number, n: SkipNode | null): void {
  if (i === 0) x.next = n;
  else x.up![2 * i - 2] = n;
}

/** Nodes skipped by x's level-i link (1 at level 0). */
function spanOf(x: SkipNode, i: number): number {
  return i === 0 ? 1 : (x.up![2 * i - 1] as number);
}

function setSpan(x: SkipNode, i: number, v: number): void {
  if (i !== 0) x.up![2 * i - 1] = v;
}

/**
 * Heap bytes of a node of `level` levels: the object (4 fields, 5 with
 * upper levels), its boxed score (a double field holds a 16-byte
 * HeapNumber) and, above level 1, the level array (JSArray header +
 * FixedArray of 2 slots a level).
 */
export function nodeBytes(node: SkipNode): number {
  const up = node.up;
  return up === null ? objectBytes(4) + 16 : objectBytes(5) + 16 + 32 + 16 + 8 * up.length;
}

/** Redis's zslRandomLevel (p = 1/4). */
function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < 0.25) level++;
  return level;
}

/** True when node sorts strictly before (score, member). */
function before(node: SkipNode, score: number, member: string): boolean {
  return node.score < score || (node.score === score && node.member < member);
}

// Scratch vectors for insert/delete: handlers run one at a time, never re-entrantly.
const UPDATE = new Array<SkipNode | null>(MAX_LEVEL).fill(null);
const RANK = new Array<number>(MAX_LEVEL).fill(0);

export class SkipList {
  readonly head = makeNode(MAX_LEVEL, 0, '');
  tail: SkipNode | null = null;
  length = 0;
  level = 1;

  first(): SkipNode | null {
    return this.head.next;
  }

  insert(score: number, member: string): SkipNode {
    const update = UPDATE;
    const rank = RANK;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1]!;
      let next = fwd(x, i);
      while (next !== null && before(next, score, member)) {
        rank[i]! += spanOf(x, i);
        x = next;
        next = fwd(x, i);
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        setSpan(this.head, i, this.length);
      }
      this.level = level;
    }
    const node = makeNode(level, score, member);
    const r0 = rank[0]!;
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      setFwd(node, i, fwd(u, i));
      setFwd(u, i, node);
      setSpan(node, i, spanOf(u, i) - (r0 - rank[i]!));
      setSpan(u, i, r0 - rank[i]! + 1);
    }
    for (let i = level; i < this.level; i++) {
      const u = update[i]!;
      setSpan(u, i, spanOf(u, i) + 1);
    }
    node.backward = update[0] === this.head ? null : update[0]!;
    const next0 = node.next;
    if (next0 !== null) next0.backward = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  /** Unlinks x given the update vector that precedes it (Redis's zslDeleteNode). */
  private unlink(x: SkipNode, update: (SkipNode | null)[]): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i]!;
      if (fwd(u, i) === x) {
        setSpan(u, i, spanOf(u, i) + spanOf(x, i) - 1);
        setFwd(u, i, fwd(x, i));
      } else {
        setSpan(u, i, spanOf(u, i) - 1);
      }
    }
    const next = x.next;
    if (next !== null) next.backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && fwd(this.head, this.level - 1) === null) this.level--;
    this.length--;
  }

  /** Fills UPDATE with the last node before (score, member) at each level; returns the candidate node. */
  private seek(score: number, member: string): SkipNode | null {
    const update = UPDATE;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = fwd(x, i);
      while (next !== null && before(next, score, member)) {
        x = next;
        next = fwd(x, i);
      }
      update[i] = x;
    }
    return x.next;
  }

  /** Removes the node of (score, member); returns it, or null when absent. */
  delete(score: number, member: string): SkipNode | null {
    const x = this.seek(score, member);
    if (x !== null && x.score === score && x.member === member) {
      this.unlink(x, UPDATE);
      return x;
    }
    return null;
  }

  /** Removes and returns the first node (no search: every level's predecessor is the head). */
  shift(): SkipNode | null {
    const x = this.head.next;
    if (x === null) return null;
    for (let i = 0; i < this.level; i++) UPDATE[i] = this.head;
    this.unlink(x, UPDATE);
    return x;
  }

  /** Removes and returns the last node. */
  pop(): SkipNode | null {
    const x = this.tail;
    if (x === null) return null;
    this.seek(x.score, x.member);
    this.unlink(x, UPDATE);
    return x;
  }

  /**
   * Changes the score of the existing (curScore, member) node (Redis's
   * zslUpdateScore): in place when its position does not change, else the
   * node is replaced by a new one (returned; the caller re-points its dict).
   */
  updateScore(curScore: number, member: string, newScore: number): SkipNode {
    const x = this.seek(curScore, member)!;
    const prev = x.backward;
    const next = x.next;
    if ((prev === null || prev.score < newScore) && (next === null || next.score > newScore)) {
      x.score = newScore;
      return x;
    }
    this.unlink(x, UPDATE);
    return this.insert(newScore, member);
  }

  /** 1-based rank of (score, member), 0 if absent. */
  rank(score: number, member: string): number {
    let rank = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = fwd(x, i);
      while (next !== null && (next.score < score || (next.score === score && next.member <= member))) {
        rank += spanOf(x, i);
        x = next;
        next = fwd(x, i);
      }
      if (x !== this.head && x.member === member && x.score === score) return rank;
    }
    return 0;
  }

  /** Node at 1-based rank, or null. */
  byRank(rank: number): SkipNode | null {
    if (rank < 1 || rank > this.length) return null;
    let traversed = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = fwd(x, i);
      while (next !== null && traversed + spanOf(x, i) <= rank) {
        traversed += spanOf(x, i);
        x = next;
        next = fwd(x, i);
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  /**
   * Removes the nodes of 1-based ranks start..end (inclusive), calling
   * `removed` for each (Redis's zslDeleteRangeByRank: O(log n + m)).
   */
  deleteRangeByRank(start: number, end: number, removed: (n: SkipNode) => void): number {
    const update = UPDATE;
    let traversed = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = fwd(x, i);
      while (next !== null && traversed + spanOf(x, i) < start) {
        traversed += spanOf(x, i);
        x = next;
        next = fwd(x, i);
      }
      update[i] = x;
    }
    traversed++;
    let n = x.next;
    let deleted = 0;
    while (n !== null && traversed <= end) {
      const next = n.next;
      this.unlink(n, update);
      removed(n);
      deleted++;
      traversed++;
      n = next;
    }
    return deleted;
  }

  /** First node with score within the range, or null. */
  firstInRange(r: ScoreRange): SkipNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = fwd(x, i);
      while (next !== null && !gteMin(next.score, r)) {
        x = next;
        next = fwd(x, i);
      }
    }
    const n = x.next;
    return n !== null && lteMax(n.score, r) ? n : null;
  }

  /** Last node with score within the range, or null. */
  lastInRange(r: ScoreRange): SkipNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = fwd(x, i);
      while (next !== null && lteMax(next.score, r)) {
        x = next;
        next = fwd(x, i);
      }
    }
    return x !== this.head && gteMin(x.score, r) ? x : null;
  }

  /** First node of a lex range (zslFirstInLexRange; lex ranges assume equal scores). */
  firstInLexRange(r: LexRange): SkipNode | null {
    if (!this.inLexRange(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = fwd(x, i);
      while (next !== null && !lexGteMin(next.member, r)) {
        x = next;
        next = fwd(x, i);
      }
    }
    const n = x.next;
    return n !== null && lexLteMax(n.member, r) ? n : null;
  }

  /** Last node of a lex range (zslLastInLexRange). */
  lastInLexRange(r: LexRange): SkipNode | null {
    if (!this.inLexRange(r)) return null;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = fwd(x, i);
      while (next !== null && lexLteMax(next.member, r)) {
        x = next;
        next = fwd(x, i);
      }
    }
    return x !== this.head && lexGteMin(x.member, r) ? x : null;
  }

  /** Redis's zslIsInLexRange pre-check: the last member reaches min and the first reaches max. */
  private inLexRange(r: LexRange): boolean {
    const first = this.head.next;
    return first !== null && lexGteMin(this.tail!.member, r) && lexLteMax(first.member, r);
  }

  /** The forward node and span of x at level i (invariant checks in tests). */
  links(x: SkipNode, i: number): [SkipNode | null, number] {
    return [fwd(x, i), spanOf(x, i)];
  }
}
