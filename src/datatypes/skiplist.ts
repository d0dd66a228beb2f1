/**
 * Redis's zskiplist: nodes ordered by (score, member bytes), with spans so
 * rank queries and access by rank are O(log n). Members are latin1 strings
 * (one char per byte), so JS string comparison is memcmp order.
 */
const MAX_LEVEL = 32;

export class SkipNode {
  member: string;
  score: number;
  /** Next node at each level. */
  readonly forward: (SkipNode | null)[];
  /** Nodes skipped by forward[i] (rank distance). */
  readonly span: number[];
  backward: SkipNode | null = null;

  constructor(level: number, score: number, member: string) {
    this.member = member;
    this.score = score;
    this.forward = new Array<SkipNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
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

/** A score interval (Redis's zrangespec). */
export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

/** A lex interval (Redis's zlexrangespec); null bounds are '-' / '+'. */
export interface LexRange {
  min: string | null;
  max: string | null;
  minex: boolean;
  maxex: boolean;
  /** min is '+': nothing is greater. */
  minInf: boolean;
  /** max is '-': nothing is smaller. */
  maxInf: boolean;
}

export function gteMin(v: number, r: ScoreRange): boolean {
  return r.minex ? v > r.min : v >= r.min;
}
export function lteMax(v: number, r: ScoreRange): boolean {
  return r.maxex ? v < r.max : v <= r.max;
}
export function lexGteMin(s: string, r: LexRange): boolean {
  if (r.minInf) return false;
  if (r.min === null) return true;
  return r.minex ? s > r.min : s >= r.min;
}
export function lexLteMax(s: string, r: LexRange): boolean {
  if (r.maxInf) return false;
  if (r.max === null) return true;
  return r.maxex ? s < r.max : s <= r.max;
}

// Scratch vectors for insert/delete: handlers run one at a time, never re-entrantly.
const UPDATE = new Array<SkipNode | null>(MAX_LEVEL).fill(null);
const RANK = new Array<number>(MAX_LEVEL).fill(0);

export class SkipList {
  readonly head = new SkipNode(MAX_LEVEL, 0, '');
  tail: SkipNode | null = null;
  length = 0;
  private level = 1;

  first(): SkipNode | null {
    return this.head.forward[0]!;
  }

  insert(score: number, member: string): SkipNode {
    const update = UPDATE;
    const rank = RANK;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1]!;
      let next = x.forward[i]!;
      while (next !== null && before(next, score, member)) {
        rank[i]! += x.span[i]!;
        x = next;
        next = x.forward[i]!;
      }
      update[i] = x;
    }
    const level = randomLevel();
    if (level > this.level) {
      for (let i = this.level; i < level; i++) {
        rank[i] = 0;
        update[i] = this.head;
        this.head.span[i] = this.length;
      }
      this.level = level;
    }
    const node = new SkipNode(level, score, member);
    const r0 = rank[0]!;
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      node.forward[i] = u.forward[i]!;
      u.forward[i] = node;
      node.span[i] = u.span[i]! - (r0 - rank[i]!);
      u.span[i] = r0 - rank[i]! + 1;
    }
    for (let i = level; i < this.level; i++) update[i]!.span[i]!++;
    node.backward = update[0] === this.head ? null : update[0]!;
    const next0 = node.forward[0]!;
    if (next0 !== null) next0.backward = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  /** Unlinks x given the update vector that precedes it (Redis's zslDeleteNode). */
  private unlink(x: SkipNode, update: (SkipNode | null)[]): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i]!;
      if (u.forward[i] === x) {
        u.span[i]! += x.span[i]! - 1;
        u.forward[i] = x.forward[i]!;
      } else {
        u.span[i]!--;
      }
    }
    const next = x.forward[0]!;
    if (next !== null) next.backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && this.head.forward[this.level - 1] === null) this.level--;
    this.length--;
  }

  /** Fills UPDATE with the last node before (score, member) at each level; returns the candidate node. */
  private seek(score: number, member: string): SkipNode | null {
    const update = UPDATE;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      let next = x.forward[i]!;
      while (next !== null && before(next, score, member)) {
        x = next;
        next = x.forward[i]!;
      }
      update[i] = x;
    }
    return x.forward[0]!;
  }

  delete(score: number, member: string): boolean {
    const x = this.seek(score, member);
    if (x !== null && x.score === score && x.member === member) {
      this.unlink(x, UPDATE);
      return true;
    }
    return false;
  }

  /** Removes and returns the first node (no search: every level's predecessor is the head). */
  shift(): SkipNode | null {
    const x = this.head.forward[0]!;
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
   * Changes the score of an existing (curScore, member) node (Redis's
   * zslUpdateScore): in place when its position does not change.
   */
  updateScore(curScore: number, member: string, newScore: number): SkipNode {
    const x = this.seek(curScore, member)!;
    const prev = x.backward;
    const next = x.forward[0]!;
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
      let next = x.forward[i]!;
      while (next !== null && (next.score < score || (next.score === score && next.member <= member))) {
        rank += x.span[i]!;
        x = next;
        next = x.forward[i]!;
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
      while (x.forward[i] !== null && traversed + x.span[i]! <= rank) {
        traversed += x.span[i]!;
        x = x.forward[i]!;
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
      while (x.forward[i] !== null && traversed + x.span[i]! < start) {
        traversed += x.span[i]!;
        x = x.forward[i]!;
      }
      update[i] = x;
    }
    traversed++;
    let n = x.forward[0]!;
    let deleted = 0;
    while (n !== null && traversed <= end) {
      const next = n.forward[0]!;
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
      while (x.forward[i] !== null && !gteMin(x.forward[i]!.score, r)) x = x.forward[i]!;
    }
    const n = x.forward[0]!;
    return n !== null && lteMax(n.score, r) ? n : null;
  }

  /** Last node with score within the range, or null. */
  lastInRange(r: ScoreRange): SkipNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.forward[i] !== null && lteMax(x.forward[i]!.score, r)) x = x.forward[i]!;
    }
    return x !== this.head && gteMin(x.score, r) ? x : null;
  }

  /**
   * First node of a lex range. Lex ranges assume equal scores; on mixed
   * scores the answer depends on the walk, so `linear` walks from the head
   * as Redis does for listpack-sized sets (Redis's zzlFirstInLexRange)
   * instead of searching the levels (zslFirstInLexRange).
   */
  firstInLexRange(r: LexRange, linear: boolean): SkipNode | null {
    if (!this.inLexRange(r)) return null;
    if (linear) {
      for (let n = this.head.forward[0]!; n !== null; n = n.forward[0]!) {
        if (lexGteMin(n.member, r)) return lexLteMax(n.member, r) ? n : null;
      }
      return null;
    }
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.forward[i] !== null && !lexGteMin(x.forward[i]!.member, r)) x = x.forward[i]!;
    }
    const n = x.forward[0]!;
    return n !== null && lexLteMax(n.member, r) ? n : null;
  }

  /** Last node of a lex range (see firstInLexRange for `linear`). */
  lastInLexRange(r: LexRange, linear: boolean): SkipNode | null {
    if (!this.inLexRange(r)) return null;
    if (linear) {
      for (let n = this.tail; n !== null; n = n.backward) {
        if (lexLteMax(n.member, r)) return lexGteMin(n.member, r) ? n : null;
      }
      return null;
    }
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.forward[i] !== null && lexLteMax(x.forward[i]!.member, r)) x = x.forward[i]!;
    }
    return x !== this.head && lexGteMin(x.member, r) ? x : null;
  }

  /** Redis's zslIsInLexRange pre-check: the last member reaches min and the first reaches max. */
  private inLexRange(r: LexRange): boolean {
    const first = this.head.forward[0]!;
    return first !== null && lexGteMin(this.tail!.member, r) && lexLteMax(first.member, r);
  }
}
