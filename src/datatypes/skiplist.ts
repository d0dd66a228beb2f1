/**
 * Redis's zskiplist: ordered by (score, member bytes), with spans so rank
 * queries and access by rank are O(log n).
 */
const MAX_LEVEL = 32;
const P = 0.25;

export class SkipNode {
  member: string;
  score: number;
  readonly forward: (SkipNode | null)[];
  readonly span: number[];
  backward: SkipNode | null = null;

  constructor(level: number, score: number, member: string) {
    this.member = member;
    this.score = score;
    this.forward = new Array<SkipNode | null>(level).fill(null);
    this.span = new Array<number>(level).fill(0);
  }
}

function randomLevel(): number {
  let level = 1;
  while (level < MAX_LEVEL && Math.random() < P) level++;
  return level;
}

/** a < b in (score, member) order. */
function before(score: number, member: string, node: SkipNode): boolean {
  return node.score < score || (node.score === score && node.member < member);
}

export interface ScoreRange {
  min: number;
  max: number;
  minex: boolean;
  maxex: boolean;
}

export interface LexRange {
  /** null = '-' (minus infinity) / '+' (plus infinity) */
  min: string | null;
  max: string | null;
  minex: boolean;
  maxex: boolean;
  minInf: boolean; // min is '+': empty
  maxInf: boolean; // max is '-': empty
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

export class SkipList {
  readonly head = new SkipNode(MAX_LEVEL, 0, '');
  tail: SkipNode | null = null;
  length = 0;
  private level = 1;

  insert(score: number, member: string): SkipNode {
    const update = new Array<SkipNode>(MAX_LEVEL);
    const rank = new Array<number>(MAX_LEVEL).fill(0);
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      rank[i] = i === this.level - 1 ? 0 : rank[i + 1]!;
      while (x.forward[i] && before(score, member, x.forward[i]!)) {
        rank[i]! += x.span[i]!;
        x = x.forward[i]!;
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
    for (let i = 0; i < level; i++) {
      const u = update[i]!;
      node.forward[i] = u.forward[i]!;
      u.forward[i] = node;
      node.span[i] = u.span[i]! - (rank[0]! - rank[i]!);
      u.span[i] = rank[0]! - rank[i]! + 1;
    }
    for (let i = level; i < this.level; i++) update[i]!.span[i]!++;
    node.backward = update[0] === this.head ? null : update[0]!;
    if (node.forward[0]) node.forward[0].backward = node;
    else this.tail = node;
    this.length++;
    return node;
  }

  private unlink(x: SkipNode, update: SkipNode[]): void {
    for (let i = 0; i < this.level; i++) {
      const u = update[i]!;
      if (u.forward[i] === x) {
        u.span[i]! += x.span[i]! - 1;
        u.forward[i] = x.forward[i]!;
      } else {
        u.span[i]!--;
      }
    }
    if (x.forward[0]) x.forward[0].backward = x.backward;
    else this.tail = x.backward;
    while (this.level > 1 && this.head.forward[this.level - 1] === null) this.level--;
    this.length--;
  }

  delete(score: number, member: string): boolean {
    const update = new Array<SkipNode>(MAX_LEVEL);
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.forward[i] && before(score, member, x.forward[i]!)) x = x.forward[i]!;
      update[i] = x;
    }
    const target = x.forward[0];
    if (target && target.score === score && target.member === member) {
      this.unlink(target, update);
      return true;
    }
    return false;
  }

  /** 1-based rank of (score, member), 0 if absent. */
  rank(score: number, member: string): number {
    let rank = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.forward[i] && (before(score, member, x.forward[i]!) || (x.forward[i]!.score === score && x.forward[i]!.member === member))) {
        rank += x.span[i]!;
        x = x.forward[i]!;
        if (x.member === member && x.score === score) return rank;
      }
    }
    return 0;
  }

  /** Node at 1-based rank, or null. */
  byRank(rank: number): SkipNode | null {
    if (rank < 1 || rank > this.length) return null;
    let traversed = 0;
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.forward[i] && traversed + x.span[i]! <= rank) {
        traversed += x.span[i]!;
        x = x.forward[i]!;
      }
      if (traversed === rank) return x;
    }
    return null;
  }

  first(): SkipNode | null {
    return this.head.forward[0] ?? null;
  }

  /** First node with score within the range, or null. */
  firstInRange(r: ScoreRange): SkipNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.forward[i] && !gteMin(x.forward[i]!.score, r)) x = x.forward[i]!;
    }
    const n = x.forward[0];
    return n && lteMax(n.score, r) ? n : null;
  }

  /** Last node with score within the range, or null. */
  lastInRange(r: ScoreRange): SkipNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.forward[i] && lteMax(x.forward[i]!.score, r)) x = x.forward[i]!;
    }
    return x !== this.head && gteMin(x.score, r) ? x : null;
  }

  firstInLexRange(r: LexRange): SkipNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.forward[i] && !lexGteMin(x.forward[i]!.member, r)) x = x.forward[i]!;
    }
    const n = x.forward[0];
    return n && lexLteMax(n.member, r) && lexGteMin(n.member, r) ? n : null;
  }

  lastInLexRange(r: LexRange): SkipNode | null {
    let x = this.head;
    for (let i = this.level - 1; i >= 0; i--) {
      while (x.forward[i] && lexLteMax(x.forward[i]!.member, r)) x = x.forward[i]!;
    }
    return x !== this.head && lexGteMin(x.member, r) ? x : null;
  }
}
