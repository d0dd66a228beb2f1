/**
 * Stream IDs: two unsigned 64-bit numbers, milliseconds and sequence.
 *
 * Each half is a U64: a JS number while it is a safe integer (every ID a
 * clock or a counter makes), a bigint beyond 2^53 - 1 (IDs such as
 * 18446744073709551615-18446744073709551615 that clients may send). The form
 * is canonical, so `===` is equality, and `<` / `>` compare exactly even
 * between a number and a bigint.
 */

export type U64 = number | bigint;

export const U64_MAX = 18446744073709551615n;
const TWO64 = 18446744073709551616n;
const SAFE_MAX = 9007199254740991;
const SAFE_MAX_BIG = 9007199254740991n;

/** A stream entry ID. */
export interface StreamID {
  ms: U64;
  seq: U64;
}

/** The canonical U64 of a bigint in [0, 2^64). */
export function u64(b: bigint): U64 {
  return b <= SAFE_MAX_BIG ? Number(b) : b;
}

export function toBig(x: U64): bigint {
  return typeof x === 'bigint' ? x : BigInt(x);
}

/** x + 1 (the caller checks x < U64_MAX). */
export function u64Incr(x: U64): U64 {
  return typeof x === 'number' && x < SAFE_MAX ? x + 1 : toBig(x) + 1n;
}

/** x - 1 (the caller checks x > 0). */
export function u64Decr(x: U64): U64 {
  return typeof x === 'number' ? x - 1 : u64(x - 1n);
}

/** a - b for counters (signed long long arithmetic, exact). */
export function u64Sub(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const d = a - b;
    if (d <= SAFE_MAX && d >= -SAFE_MAX) return d;
  }
  const d = toBig(a) - toBig(b);
  return d <= SAFE_MAX_BIG && d >= -SAFE_MAX_BIG ? Number(d) : d;
}

/** (a - b) mod 2^64 read as a signed 64-bit integer: how a listpack stores an ID delta. */
export function deltaInt64(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  let d = (toBig(a) - toBig(b)) % TWO64;
  if (d < 0n) d += TWO64;
  if (d >= 1n << 63n) d -= TWO64;
  return d <= SAFE_MAX_BIG && d >= -SAFE_MAX_BIG ? Number(d) : d;
}

export const MIN_ID: StreamID = { ms: 0, seq: 0 };
export const MAX_ID: StreamID = { ms: U64_MAX, seq: U64_MAX };

export function isMaxU64(x: U64): boolean {
  return typeof x === 'bigint' && x === U64_MAX;
}

/** Redis's streamCompareID: -1, 0 or 1. */
export function cmpId(ams: U64, aseq: U64, bms: U64, bseq: U64): number {
  if (ams !== bms) return ams < bms ? -1 : 1;
  if (aseq === bseq) return 0;
  return aseq < bseq ? -1 : 1;
}

export function compareIds(a: StreamID, b: StreamID): number {
  return cmpId(a.ms, a.seq, b.ms, b.seq);
}

export function isZeroId(id: StreamID): boolean {
  return id.ms === 0 && id.seq === 0;
}

export function idString(ms: U64, seq: U64): string {
  return ms + '-' + seq;
}

export function formatId(id: StreamID): string {
  return id.ms + '-' + id.seq;
}

/** streamIncrID: the next ID, or null when `id` is the last possible one (Redis wraps to 0-0 then). */
export function incrId(id: StreamID): StreamID | null {
  if (isMaxU64(id.seq)) {
    if (isMaxU64(id.ms)) return null;
    return { ms: u64Incr(id.ms), seq: 0 };
  }
  return { ms: id.ms, seq: u64Incr(id.seq) };
}

/** streamDecrID: the previous ID, or null when `id` is 0-0. */
export function decrId(id: StreamID): StreamID | null {
  if (id.seq === 0) {
    if (id.ms === 0) return null;
    return { ms: u64Decr(id.ms), seq: U64_MAX };
  }
  return { ms: id.ms, seq: u64Decr(id.seq) };
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** True if s is a canonical negative int64 (Redis's string2ll accepts it, and string2ull then refuses it). */
function canonicalNegative(s: string): boolean {
  if (s.length < 2 || s.length > 20 || s.charCodeAt(0) !== 45) return false;
  const first = s.charCodeAt(1);
  if (first < 49 || first > 57) return false;
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return s.length < 20 || BigInt(s) >= -9223372036854775808n;
}

/**
 * Redis's string2ull: string2ll (refusing negatives), else C's strtoull in
 * base 10 (leading blanks, a sign, leading zeros; "-N" wraps modulo 2^64;
 * out of range or trailing characters fail).
 */
export function parseU64(s: string): U64 | null {
  const n = s.length;
  if (n > 0 && n <= 15) {
    let v = 0;
    let i = 0;
    for (; i < n; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
    }
    if (i === n) return v;
  }
  if (canonicalNegative(s)) return null;
  let i = 0;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (i < n && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) neg = s.charCodeAt(i++) === 45;
  const from = i;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  if (i === from || i !== n) return null;
  let v = BigInt(s.slice(from, i));
  if (v > U64_MAX) return null;
  if (neg && v !== 0n) v = TWO64 - v;
  return u64(v);
}

/** A parsed ID argument; seqGiven is false for the `<ms>-*` form. */
export interface ParsedId extends StreamID {
  seqGiven: boolean;
}

/**
 * Redis's streamGenericParseIDOrReply without the reply: `-` and `+`
 * (refused when strict), `<ms>`, `<ms>-<seq>`, and `<ms>-*` when allowed.
 * Null when invalid.
 */
export function parseStreamId(arg: string, missingSeq: U64, strict: boolean, allowSeqStar: boolean): ParsedId | null {
  if (arg.length > 127) return null;
  // C string functions stop at the first NUL byte
  const nul = arg.indexOf('\0');
  const s = nul < 0 ? arg : arg.slice(0, nul);
  if (s.length === 1) {
    const c = s.charCodeAt(0);
    if (c === 45 || c === 43) {
      if (strict) return null;
      return c === 45 ? { ms: 0, seq: 0, seqGiven: true } : { ms: U64_MAX, seq: U64_MAX, seqGiven: true };
    }
  }
  const dash = s.indexOf('-');
  const ms = parseU64(dash < 0 ? s : s.slice(0, dash));
  if (ms === null) return null;
  if (dash < 0) return { ms, seq: missingSeq, seqGiven: true };
  const rest = s.slice(dash + 1);
  if (allowSeqStar && rest === '*') return { ms, seq: 0, seqGiven: false };
  const seq = parseU64(rest);
  if (seq === null) return null;
  return { ms, seq, seqGiven: true };
}

/** The ID as Redis keys its rax: 16 bytes, big endian (for the radix tree node count). */
export function idKeyBytes(ms: U64, seq: U64, out: Uint8Array, at: number): void {
  writeBE64(ms, out, at);
  writeBE64(seq, out, at + 8);
}

function writeBE64(x: U64, out: Uint8Array, at: number): void {
  let hi: number;
  let lo: number;
  if (typeof x === 'number') {
    hi = Math.floor(x / 4294967296);
    lo = x >>> 0;
  } else {
    hi = Number(x >> 32n);
    lo = Number(x & 0xffffffffn);
  }
  out[at] = hi >>> 24;
  out[at + 1] = (hi >>> 16) & 255;
  out[at + 2] = (hi >>> 8) & 255;
  out[at + 3] = hi & 255;
  out[at + 4] = lo >>> 24;
  out[at + 5] = (lo >>> 16) & 255;
  out[at + 6] = (lo >>> 8) & 255;
  out[at + 7] = lo & 255;
}
