/**
 * The sizes of listpack entries (Redis's listpack.c encodings), so a
 * stream node knows how big the listpack holding it would be: nodes split
 * at stream-node-max-bytes by that size, as in Redis.
 */
import type { U64 } from './stream-id.ts';

/** Bytes of a listpack integer entry (encoding + backlen). */
export function lpIntSize(v: U64): number {
  if (typeof v === 'bigint') return 10;
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

function backlenSize(l: number): number {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

/** Bytes of a listpack entry holding s: an integer when s is a canonical int64 (lpStringToInt64). */
export function lpStrSize(s: string): number {
  const n = s.length;
  if (n > 0 && n < 21) {
    const c0 = s.charCodeAt(0);
    if ((c0 >= 48 && c0 <= 57) || c0 === 45) {
      const v = canonicalInt(s);
      if (v !== null) return lpIntSize(v);
    }
  }
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + backlenSize(enc);
}

/** The value of a canonical int64 string (no sign but '-', no leading zeros), else null. */
function canonicalInt(s: string): U64 | null {
  const n = s.length;
  let i = 0;
  if (s.charCodeAt(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = s.charCodeAt(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  if (n - i < 16) return Number(s);
  const b = BigInt(s);
  if (b > 9223372036854775807n || b < -9223372036854775808n) return null;
  return b >= -9007199254740991n && b <= 9007199254740991n ? Number(b) : b;
}
