/**
 * The "listpack" encoding of a sorted set, in one packed string (packed.ts):
 *
 *   [count varint] [member][score] [member][score] …
 *
 * each member a packed element (varint length + bytes), each score an
 * integer in 1 to 8 bytes or a double in 9 (putScore / scoreAt), entries
 * ordered by (score, member bytes) as Redis's zzl* functions keep its
 * listpack. Operations are linear walks, as in Redis; an edit builds the
 * new string in one pass. A score of -0 is stored as 0, as Redis's
 * listpack stores an integral score as an integer.
 *
 * Walks that go backwards (the string has no back links) first record the
 * entry positions in POS.
 */
import { begin, dataAt, finish, hdr, putItem, putLen, putRaw, putScore, scoreAt, scoreEnd, skipScore } from './packed.ts';
import { gteMin, lexGteMin, lexLteMax, lteMax, type LexRange, type RangeOut, type ScoreRange } from './zrange-spec.ts';

/** The empty set (a count of 0). */
export const ZL_EMPTY = '\x00';

/** Number of entries. */
export function zlLength(s: string): number {
  dataAt(s, 0);
  return hdr.len;
}

/** Position of the first entry (just after the count; equal to s.length when empty). */
export function zlHead(s: string): number {
  return dataAt(s, 0);
}

/** The member of the entry at `p`. */
export function zlMember(s: string, p: number): string {
  const d = dataAt(s, p);
  return s.slice(d, d + hdr.len);
}

/** The score of the entry at `p`. */
export function zlScore(s: string, p: number): number {
  const d = dataAt(s, p);
  return scoreAt(s, d + hdr.len);
}

/** Position of the entry after the one at `p`. */
export function zlNext(s: string, p: number): number {
  const d = dataAt(s, p);
  return skipScore(s, d + hdr.len);
}

/** memcmp order of the `len` member bytes at `d` against `x`: <0, 0, >0. */
function compareAt(s: string, d: number, len: number, x: string): number {
  const n = len < x.length ? len : x.length;
  for (let i = 0; i < n; i++) {
    const diff = s.charCodeAt(d + i) - x.charCodeAt(i);
    if (diff !== 0) return diff;
  }
  return len - x.length;
}

/** The score of the entry zlFind found last. */
export const found = { score: 0 };

/** Position of `member`'s entry (its score into found.score), or -1 (zzlFind). */
export function zlFind(s: string, member: string): number {
  const end = s.length;
  const n = member.length;
  let p = dataAt(s, 0);
  while (p < end) {
    const d = dataAt(s, p);
    const len = hdr.len;
    if (len === n && s.startsWith(member, d)) {
      found.score = scoreAt(s, d + len);
      return p;
    }
    p = skipScore(s, d + len);
  }
  return -1;
}

/**
 * Where (score, member) goes: the position of the first entry after it,
 * skipping the entry at `skipAt` (an entry being moved), as zzlInsert walks.
 */
function insertPos(s: string, member: string, score: number, skipAt: number): number {
  const end = s.length;
  let p = dataAt(s, 0);
  while (p < end) {
    const d = dataAt(s, p);
    const len = hdr.len;
    if (p !== skipAt) {
      const cur = scoreAt(s, d + len);
      if (cur > score || (cur === score && compareAt(s, d, len, member) > 0)) return p;
    }
    p = skipScore(s, d + len);
  }
  return end;
}

/** `s` with (member, score) added in order; the member must not be in it (zzlInsert). */
export function zlInsert(s: string, member: string, score: number): string {
  if (score === 0) score = 0; // -0: listpack keeps it as the integer 0
  const at = insertPos(s, member, score, -1);
  const head = dataAt(s, 0);
  const count = hdr.len;
  begin();
  putLen(count + 1);
  putRaw(s, head, at);
  putItem(member);
  putScore(score);
  putRaw(s, at, s.length);
  return finish();
}

/** `s` with the entry of `member` at `p` given a new score (zzlDelete + zzlInsert in one build). */
export function zlUpdate(s: string, p: number, member: string, score: number): string {
  if (score === 0) score = 0;
  const at = insertPos(s, member, score, p);
  const after = zlNext(s, p);
  const head = dataAt(s, 0);
  begin();
  putLen(hdr.len);
  if (at <= p) {
    putRaw(s, head, at);
    putItem(member);
    putScore(score);
    putRaw(s, at, p);
    putRaw(s, after, s.length);
  } else {
    putRaw(s, head, p);
    putRaw(s, after, at);
    putItem(member);
    putScore(score);
    putRaw(s, at, s.length);
  }
  return finish();
}

/** `s` without the `n` entries that span chars from..to. */
export function zlDelete(s: string, from: number, to: number, n: number): string {
  const head = dataAt(s, 0);
  const count = hdr.len;
  begin();
  putLen(count - n);
  putRaw(s, head, from);
  putRaw(s, to, s.length);
  return finish();
}

/** 0-based rank of `member`, or -1. */
export function zlRank(s: string, member: string): number {
  const end = s.length;
  const n = member.length;
  let p = dataAt(s, 0);
  for (let i = 0; p < end; i++) {
    const d = dataAt(s, p);
    const len = hdr.len;
    if (len === n && s.startsWith(member, d)) return i;
    p = skipScore(s, d + len);
  }
  return -1;
}

/**
 * Entry positions, POS[0..n), with POS[n] = s.length (so entries i..j span
 * POS[i]..POS[j + 1]). Valid until the next zlPositions call.
 */
export const POS: number[] = [];

/** Fills POS for `s`; returns the entry count. */
export function zlPositions(s: string): number {
  const end = s.length;
  let p = dataAt(s, 0);
  let i = 0;
  while (p < end) {
    POS[i++] = p;
    const d = dataAt(s, p);
    p = skipScore(s, d + hdr.len);
  }
  POS[i] = end;
  return i;
}

/** Packs entries already in (score, member) order: the load and conversion path. */
export function zlFromSorted(members: readonly string[], scores: readonly number[], from = 0, to = members.length): string {
  begin();
  putLen(to - from);
  for (let i = from; i < to; i++) {
    const score = scores[i]!;
    putItem(members[i]!);
    putScore(score === 0 ? 0 : score);
  }
  return finish();
}

/** Every entry of `s` into `map` (member → score), in order: a multi-pair edit's working copy. */
export function zlToMap(s: string, map: Map<string, number>): void {
  const end = s.length;
  let p = dataAt(s, 0);
  while (p < end) {
    const d = dataAt(s, p);
    const len = hdr.len;
    map.set(s.slice(d, d + len), scoreAt(s, d + len));
    p = scoreEnd.p;
  }
}

/**
 * `s` without the entries at the `n` positions in `at` (ascending, distinct):
 * ZREM of several members in one build.
 */
export function zlDeleteAt(s: string, at: readonly number[], n: number): string {
  const head = dataAt(s, 0);
  const count = hdr.len;
  begin();
  putLen(count - n);
  let from = head;
  for (let i = 0; i < n; i++) {
    const p = at[i]!;
    putRaw(s, from, p);
    from = zlNext(s, p);
  }
  putRaw(s, from, s.length);
  return finish();
}

// ---- ranges (Redis's zzl*InRange / zzl*InLexRange walks, by entry index over POS) ----

const BY_SCORE = 0, BY_LEX = 1;

/** Index of the first entry with a score in `r` (zzlFirstInRange), or -1. Needs POS filled for `n` entries. */
function firstInScore(s: string, n: number, r: ScoreRange): number {
  for (let i = 0; i < n; i++) {
    const sc = zlScore(s, POS[i]!);
    if (gteMin(sc, r)) return lteMax(sc, r) ? i : -1;
  }
  return -1;
}

/** Index of the last entry with a score in `r` (zzlLastInRange, walking from the tail), or -1. */
function lastInScore(s: string, n: number, r: ScoreRange): number {
  for (let i = n - 1; i >= 0; i--) {
    const sc = zlScore(s, POS[i]!);
    if (lteMax(sc, r)) return gteMin(sc, r) ? i : -1;
  }
  return -1;
}

/** zzlIsInLexRange: the last member reaches min and the first reaches max. */
function inLex(s: string, n: number, r: LexRange): boolean {
  return n > 0 && lexGteMin(zlMember(s, POS[n - 1]!), r) && lexLteMax(zlMember(s, POS[0]!), r);
}

/** Index of the first entry in the lex range (zzlFirstInLexRange), or -1. */
function firstInLex(s: string, n: number, r: LexRange): number {
  if (!inLex(s, n, r)) return -1;
  for (let i = 0; i < n; i++) {
    const m = zlMember(s, POS[i]!);
    if (lexGteMin(m, r)) return lexLteMax(m, r) ? i : -1;
  }
  return -1;
}

/** Index of the last entry in the lex range (zzlLastInLexRange, from the tail), or -1. */
function lastInLex(s: string, n: number, r: LexRange): number {
  if (!inLex(s, n, r)) return -1;
  for (let i = n - 1; i >= 0; i--) {
    const m = zlMember(s, POS[i]!);
    if (lexLteMax(m, r)) return lexGteMin(m, r) ? i : -1;
  }
  return -1;
}

/** Whether the entry at index i is still inside the range walking forward (or backward: `rev`). */
function stillIn(s: string, i: number, by: number, rev: boolean, score: ScoreRange | null, lex: LexRange | null): boolean {
  if (by === BY_SCORE) {
    const sc = zlScore(s, POS[i]!);
    return rev ? gteMin(sc, score!) : lteMax(sc, score!);
  }
  const m = zlMember(s, POS[i]!);
  return rev ? lexGteMin(m, lex!) : lexLteMax(m, lex!);
}

/** Appends the entry at index i to `out`. */
function emitAt(s: string, i: number, out: RangeOut): void {
  const d = dataAt(s, POS[i]!);
  out.members.push(s.slice(d, d + hdr.len));
  out.scores.push(scoreAt(s, d + hdr.len));
}

/** Entries of 0-based ranks start..end (already clamped); `rev` counts ranks from the tail. */
export function zlRangeByRank(s: string, start: number, end: number, rev: boolean, out: RangeOut): void {
  const n = zlPositions(s);
  if (rev) for (let i = n - 1 - start; i >= n - 1 - end; i--) emitAt(s, i, out);
  else for (let i = start; i <= end; i++) emitAt(s, i, out);
}

/** Shared walk of score and lex ranges: from the first (last: rev) entry in range, offset skipped, up to limit (-1: all). */
function rangeWalk(s: string, by: number, score: ScoreRange | null, lex: LexRange | null, rev: boolean, offset: number, limit: number, out: RangeOut): void {
  const n = zlPositions(s);
  let i: number;
  if (by === BY_SCORE) i = rev ? lastInScore(s, n, score!) : firstInScore(s, n, score!);
  else i = rev ? lastInLex(s, n, lex!) : firstInLex(s, n, lex!);
  if (i < 0) return;
  const step = rev ? -1 : 1;
  i += offset * step;
  for (; i >= 0 && i < n && limit-- !== 0; i += step) {
    if (!stillIn(s, i, by, rev, score, lex)) break;
    emitAt(s, i, out);
  }
}

/** ZRANGEBYSCORE on a packed set. */
export function zlRangeByScore(s: string, r: ScoreRange, rev: boolean, offset: number, limit: number, out: RangeOut): void {
  rangeWalk(s, BY_SCORE, r, null, rev, offset, limit, out);
}

/** ZRANGEBYLEX on a packed set. */
export function zlRangeByLex(s: string, r: LexRange, rev: boolean, offset: number, limit: number, out: RangeOut): void {
  rangeWalk(s, BY_LEX, null, r, rev, offset, limit, out);
}

/** Index of the first entry in range and, into span.n, how many follow it in range (forward): ZCOUNT, ZREMRANGEBY*. */
function spanOf(s: string, by: number, score: ScoreRange | null, lex: LexRange | null): number {
  const n = zlPositions(s);
  const i = by === BY_SCORE ? firstInScore(s, n, score!) : firstInLex(s, n, lex!);
  let j = i;
  if (i >= 0) while (j < n && stillIn(s, j, by, false, score, lex)) j++;
  span.n = i < 0 ? 0 : j - i;
  return i;
}

const span = { n: 0 };

/** Entries with a score in `r` (ZCOUNT). */
export function zlCountByScore(s: string, r: ScoreRange): number {
  spanOf(s, BY_SCORE, r, null);
  return span.n;
}

/** Entries in the lex range (ZLEXCOUNT). */
export function zlCountByLex(s: string, r: LexRange): number {
  spanOf(s, BY_LEX, null, r);
  return span.n;
}

/** How many entries the last zlDeleteBy* removed. */
export const deleted = { n: 0 };

/** `s` without the entries of 0-based ranks start..end (clamped); deleted.n says how many. */
export function zlDeleteByRank(s: string, start: number, end: number): string {
  zlPositions(s);
  deleted.n = end - start + 1;
  return zlDelete(s, POS[start]!, POS[end + 1]!, deleted.n);
}

/** `s` without the entries from the first in range while they stay in range (zzlDeleteRangeBy*). */
function deleteSpan(s: string, by: number, score: ScoreRange | null, lex: LexRange | null): string {
  const i = spanOf(s, by, score, lex);
  deleted.n = span.n;
  if (span.n === 0) return s;
  return zlDelete(s, POS[i]!, POS[i + span.n]!, span.n);
}

/** ZREMRANGEBYSCORE on a packed set. */
export function zlDeleteByScore(s: string, r: ScoreRange): string {
  return deleteSpan(s, BY_SCORE, r, null);
}

/** ZREMRANGEBYLEX on a packed set. */
export function zlDeleteByLex(s: string, r: LexRange): string {
  return deleteSpan(s, BY_LEX, null, r);
}

/** Every entry, in order, appended to `out`. */
export function zlAll(s: string, out: RangeOut): void {
  const end = s.length;
  let p = dataAt(s, 0);
  while (p < end) {
    const d = dataAt(s, p);
    const len = hdr.len;
    out.members.push(s.slice(d, d + len));
    out.scores.push(scoreAt(s, d + len));
    p = scoreEnd.p;
  }
}

/**
 * `s` without its `count` lowest (highest: max) entries, which go to `out`
 * in pop order (for max, the highest first).
 */
export function zlPop(s: string, max: boolean, count: number, out: RangeOut): string {
  const n = zlPositions(s);
  if (count > n) count = n;
  if (max) {
    for (let i = n - 1; i >= n - count; i--) emitAt(s, i, out);
    return zlDelete(s, POS[n - count]!, POS[n]!, count);
  }
  for (let i = 0; i < count; i++) emitAt(s, i, out);
  return zlDelete(s, POS[0]!, POS[count]!, count);
}

/**
 * Calls fn(member, score) for the entries from the first with a score in
 * `r` while they stay in it, until fn returns false (GEO box scans).
 */
export function zlWalkScore(s: string, r: ScoreRange, fn: (member: string, score: number) => boolean): void {
  const end = s.length;
  let p = dataAt(s, 0);
  let started = false;
  while (p < end) {
    const d = dataAt(s, p);
    const len = hdr.len;
    const sc = scoreAt(s, d + len);
    if (!started && gteMin(sc, r)) started = true;
    if (started) {
      if (!lteMax(sc, r)) return;
      if (!fn(s.slice(d, d + len), sc)) return;
    }
    p = skipScore(s, d + len);
  }
}
