/** Strict argument parsing with Redis's rules (string2ll, strtod checks). */
import { CommandError, Err } from './errors.ts';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** True if s is a canonical int64 as Redis's string2ll accepts it. */
export function isInt64(s: string): boolean {
  return parseInt64OrNull(s) !== null;
}

/**
 * The value of a canonical int64 string as Redis's string2ll accepts it
 * (optional '-', no leading zeros, no '+', in range), else null: a number
 * when it is a safe integer, a bigint otherwise.
 */
export function parseInt64Exact(s: string): number | bigint | null {
  const n = s.length;
  if (n === 0 || n > 20) return null;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  let v = first - 48;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  if (n - i < 16) return i === 1 ? -v : v;
  const b = BigInt(s);
  if (b > INT64_MAX || b < INT64_MIN) return null;
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}

/** Parses a canonical int64; null when malformed or out of range. Large values lose precision. */
export function parseInt64OrNull(s: string): number | null {
  const v = parseInt64Exact(s);
  return typeof v === 'bigint' ? Number(v) : v;
}

/** Parses a canonical int64 exactly as a bigint; null when malformed or out of range. */
export function parseBigInt64OrNull(s: string): bigint | null {
  if (parseInt64OrNull(s) === null) return null;
  return BigInt(s);
}

/** Integer argument or `ERR value is not an integer or out of range` (or `err`). */
export function parseInteger(s: string, err: string = Err.NOT_INTEGER): number {
  const v = parseInt64OrNull(s);
  if (v === null) throw new CommandError(err);
  return v;
}

export function parseBigInteger(s: string, err: string = Err.NOT_INTEGER): bigint {
  const v = parseBigInt64OrNull(s);
  if (v === null) throw new CommandError(err);
  return v;
}

const FLOAT_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity)$/i;

/** Parses a float as Redis's strtod-based checks: no spaces, no NaN, inf allowed; null if bad. */
export function parseFloatOrNull(s: string): number | null {
  if (s.length === 0 || !FLOAT_RE.test(s)) return null;
  const lower = s.toLowerCase();
  if (lower.endsWith('inf') || lower.endsWith('infinity')) return lower.startsWith('-') ? -Infinity : Infinity;
  const v = Number(s);
  return Number.isNaN(v) ? null : v;
}

/** Float argument or `ERR value is not a valid float` (or `err`). */
export function parseFloatArg(s: string, err: string = Err.NOT_FLOAT): number {
  const v = parseFloatOrNull(s);
  if (v === null) throw new CommandError(err);
  return v;
}

/** An integer in [min, max] or the given error (Redis's getRangeLongFromObjectOrReply with a message). */
export function parseRange(s: string, min: number, max: number, err: string): number {
  const v = parseInt64OrNull(s);
  if (v === null || v < min || v > max) throw new CommandError(err);
  return v;
}

/** Case-insensitive equality of an argument with an upper-case option name. */
export function isOpt(arg: string, upper: string): boolean {
  return arg.length === upper.length && (arg === upper || arg.toUpperCase() === upper);
}
