/**
 * Score and lex intervals of the sorted set range commands (Redis's
 * zrangespec / zlexrangespec) and their bound checks, shared by both
 * encodings.
 */

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

/** Where a range query puts what it found: parallel member / score columns, appended to. */
export interface RangeOut {
  members: string[];
  scores: number[];
}
