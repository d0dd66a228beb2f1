/**
 * Number and range parsing for sorted sets, exactly as Redis does it with
 * glibc's strtod: scores (string2d: hex and denormals accepted, overflow,
 * underflow to zero, NaN and spaces rejected), score ranges (zslParseRange:
 * a bare strtod prefix check, so "" and " 1" are valid) and lex ranges.
 */
import { CommandError, Err } from '../core/errors.ts';
import type { LexRange, ScoreRange } from '../../datatypes/zrange-spec.ts';

/** Where the last strtod call stopped, and whether it over/underflowed (errno ERANGE). */
let END = 0;
let ERANGE = false;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Case-insensitive match of lower-case ASCII `word` at s[i]. */
function matchWord(s: string, i: number, word: string): boolean {
  if (i + word.length > s.length) return false;
  for (let k = 0; k < word.length; k++) if ((s.charCodeAt(i + k) | 0x20) !== word.charCodeAt(k)) return false;
  return true;
}

/** m * 2^e rounded to nearest even, with overflow and subnormals as IEEE 754. */
function scaleBinary(m: bigint, e: number): number {
  if (m === 0n) return 0;
  const bits = m.toString(2).length;
  const top = bits - 1 + e; // exponent of the leading bit
  if (top > 1023) return Infinity;
  // mantissa bits that fit: 53, fewer for subnormals
  const keep = top >= -1022 ? 53 : 53 - (-1022 - top);
  if (keep < 0) return 0;
  if (bits > keep) {
    const shift = BigInt(bits - keep);
    const rest = m & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    m >>= shift;
    if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
    e += bits - keep;
  }
  let x = Number(m);
  while (e > 1000) {
    x *= 2 ** 1000;
    e -= 1000;
  }
  while (e < -1000) {
    x *= 2 ** -1000;
    e += 1000;
  }
  return x * 2 ** e;
}

/** Parses a hex float body after "0x" at s[i]; returns null when there is no hex digit. */
function strtodHex(s: string, i: number): number | null {
  let m = 0n;
  let e = 0;
  let any = false;
  let d: number;
  while ((d = hexValue(s.charCodeAt(i))) >= 0) {
    m = m * 16n + BigInt(d);
    any = true;
    i++;
  }
  if (s.charCodeAt(i) === 46) {
    let j = i + 1;
    while ((d = hexValue(s.charCodeAt(j))) >= 0) {
      m = m * 16n + BigInt(d);
      e -= 4;
      any = true;
      j++;
    }
    if (any) i = j;
  }
  if (!any) return null;
  const p = s.charCodeAt(i);
  if (p === 112 || p === 80) {
    let j = i + 1;
    let neg = false;
    const sc = s.charCodeAt(j);
    if (sc === 43 || sc === 45) {
      neg = sc === 45;
      j++;
    }
    if (isDigit(s.charCodeAt(j))) {
      let x = 0;
      while (isDigit(s.charCodeAt(j))) {
        if (x < 1e6) x = x * 10 + s.charCodeAt(j) - 48;
        j++;
      }
      e += neg ? -x : x;
      i = j;
    }
  }
  END = i;
  const v = scaleBinary(m, e);
  if (v === Infinity || (v === 0 && m !== 0n)) ERANGE = true;
  return v;
}

/**
 * C's strtod on s from index `from`: the longest valid prefix (leading
 * spaces, sign, decimal, hex, inf/infinity, nan). Sets END (== from when
 * nothing converted) and ERANGE.
 */
export function strtod(s: string, from: number): number {
  const n = s.length;
  let i = from;
  ERANGE = false;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  let c = s.charCodeAt(i);
  if (c === 43 || c === 45) {
    neg = c === 45;
    c = s.charCodeAt(++i);
  }
  if ((c | 0x20) === 105) {
    if (!matchWord(s, i, 'inf')) {
      END = from;
      return 0;
    }
    END = matchWord(s, i, 'infinity') ? i + 8 : i + 3;
    return neg ? -Infinity : Infinity;
  }
  if ((c | 0x20) === 110) {
    if (!matchWord(s, i, 'nan')) {
      END = from;
      return 0;
    }
    let j = i + 3;
    if (s.charCodeAt(j) === 40) {
      let k = j + 1;
      for (;;) {
        const x = s.charCodeAt(k);
        if (isDigit(x) || ((x | 0x20) >= 97 && (x | 0x20) <= 122) || x === 95) k++;
        else break;
      }
      if (s.charCodeAt(k) === 41) j = k + 1;
    }
    END = j;
    return NaN;
  }
  if (c === 48 && (s.charCodeAt(i + 1) | 0x20) === 120) {
    const v = strtodHex(s, i + 2);
    if (v !== null) return neg ? -v : v;
    // "0x" without hex digits: just the "0"
    END = i + 1;
    return neg ? -0 : 0;
  }
  const start = i;
  let digits = 0;
  let nonzero = false;
  while (isDigit((c = s.charCodeAt(i)))) {
    if (c !== 48) nonzero = true;
    digits++;
    i++;
  }
  if (c === 46) {
    i++;
    while (isDigit((c = s.charCodeAt(i)))) {
      if (c !== 48) nonzero = true;
      digits++;
      i++;
    }
  }
  if (digits === 0) {
    END = from;
    return 0;
  }
  if ((c | 0x20) === 101) {
    let j = i + 1;
    const sc = s.charCodeAt(j);
    if (sc === 43 || sc === 45) j++;
    if (isDigit(s.charCodeAt(j))) {
      while (isDigit(s.charCodeAt(j))) j++;
      i = j;
    }
  }
  END = i;
  const v = Number(s.slice(start, i));
  if (v === Infinity || (v === 0 && nonzero)) ERANGE = true;
  return neg ? -v : v;
}

/** Redis's string2d (getDoubleFromObject): the whole string must be a number; null if not. */
export function string2d(s: string): number | null {
  const n = s.length;
  // fast path: short plain integers
  if (n > 0 && n < 16) {
    let i = s.charCodeAt(0) === 45 ? 1 : 0;
    if (i < n) {
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c < 48 || c > 57) break;
      }
      if (i === n) return Number(s);
    }
  }
  if (n === 0 || isSpace(s.charCodeAt(0))) return null;
  const v = strtod(s, 0);
  if (END !== n || Number.isNaN(v) || (ERANGE && (v === Infinity || v === -Infinity || v === 0))) return null;
  return v;
}

/** A score argument (ZADD, ZINCRBY): `ERR value is not a valid float`. */
export function parseScore(s: string): number {
  const v = string2d(s);
  if (v === null) throw new CommandError(Err.NOT_FLOAT);
  return v;
}

/** One bound of zslParseRange: "(1.5", "-inf", "3". Returns NaN when invalid. */
function rangeBound(s: string, from: number): number {
  const v = strtod(s, from);
  // strtod stops at a NUL like at the end of the C string
  if (END < s.length && s.charCodeAt(END) !== 0) return NaN;
  return v;
}

/** Redis's zslParseRange, or `ERR min or max is not a float`. */
export function parseScoreRange(minArg: string, maxArg: string): ScoreRange {
  const minex = minArg.charCodeAt(0) === 40;
  const min = rangeBound(minArg, minex ? 1 : 0);
  const maxex = maxArg.charCodeAt(0) === 40;
  const max = rangeBound(maxArg, maxex ? 1 : 0);
  if (Number.isNaN(min) || Number.isNaN(max)) throw new CommandError(Err.MIN_MAX_FLOAT);
  return { min, max, minex, maxex };
}

/** Redis's zslParseLexRange: "[a", "(a", "-", "+", or `ERR min or max not valid string range item`. */
export function parseLexRange(minArg: string, maxArg: string): LexRange {
  const r: LexRange = { min: null, max: null, minex: false, maxex: false, minInf: false, maxInf: false };
  for (let k = 0; k < 2; k++) {
    const s = k === 0 ? minArg : maxArg;
    const c0 = s.charCodeAt(0);
    // '+' and '-' alone ("+\0" too: Redis reads a C string)
    const bare = s.length === 1 || s.charCodeAt(1) === 0;
    if (c0 === 43 && bare) {
      if (k === 0) r.minInf = true;
    } else if (c0 === 45 && bare) {
      if (k === 1) r.maxInf = true;
    } else if (c0 === 40 || c0 === 91) {
      const v = s.slice(1);
      if (k === 0) {
        r.min = v;
        r.minex = c0 === 40;
      } else {
        r.max = v;
        r.maxex = c0 === 40;
      }
    } else throw new CommandError(Err.MIN_MAX_LEX);
  }
  return r;
}

/** Redis's zslIsInRange emptiness test. */
export function isEmptyScoreRange(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** Redis's zslIsInLexRange emptiness test ('-' is below and '+' above every string). */
export function isEmptyLexRange(r: LexRange): boolean {
  if (r.minInf || r.maxInf) return true;
  if (r.min === null || r.max === null) return false;
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}
