/**
 * Just enough x87 80-bit long double arithmetic to reproduce Redis's
 * INCRBYFLOAT / HINCRBYFLOAT: strtold of both operands, one addition, and
 * printf("%.17Lf") with trailing zeros removed. Values are m * 2^e with a
 * 64-bit mantissa, computed exactly with BigInt and rounded to nearest-even.
 */
const MANT_BITS = 64n;

interface LD {
  neg: boolean;
  m: bigint; // 0 or in [2^63, 2^64)
  e: bigint;
}

function bitLength(x: bigint): bigint {
  return BigInt(x.toString(2).length);
}

function scaled(p: bigint, q: bigint, e: bigint): [bigint, bigint] {
  return e >= 0n ? [p, q << e] : [p << -e, q];
}

/** Rounds the exact positive rational p/q to a 64-bit mantissa. */
function fromRational(neg: boolean, p: bigint, q: bigint): LD {
  if (p === 0n) return { neg, m: 0n, e: 0n };
  let e = bitLength(p) - bitLength(q) - MANT_BITS;
  let [num, den] = scaled(p, q, e);
  while (num / den >= 1n << MANT_BITS) [num, den] = scaled(p, q, ++e);
  while (num / den < 1n << (MANT_BITS - 1n)) [num, den] = scaled(p, q, --e);
  let m = num / den;
  const rem = num - m * den;
  if (rem * 2n > den || (rem * 2n === den && (m & 1n) === 1n)) m += 1n;
  if (m === 1n << MANT_BITS) {
    m >>= 1n;
    e += 1n;
  }
  return { neg, m, e };
}

/** strtold of a finite decimal (validated by the caller). */
export function parseLongDouble(s: string): LD {
  const t = s.trim().toLowerCase();
  const neg = t.startsWith('-');
  const body = t.replace(/^[+-]/, '');
  const [mant, expPart] = body.split('e') as [string, string | undefined];
  const exp = expPart === undefined ? 0 : Number(expPart);
  const [ip, fp = ''] = mant.split('.') as [string, string | undefined];
  const digits = BigInt((ip || '0') + fp);
  const scale = exp - fp.length;
  if (scale >= 0) return fromRational(neg, digits * 10n ** BigInt(scale), 1n);
  return fromRational(neg, digits, 10n ** BigInt(-scale));
}

function add(a: LD, b: LD): LD {
  const e = a.e < b.e ? a.e : b.e;
  const va = (a.neg ? -a.m : a.m) << (a.e - e);
  const vb = (b.neg ? -b.m : b.m) << (b.e - e);
  const sum = va + vb;
  const neg = sum < 0n;
  const abs = neg ? -sum : sum;
  if (e >= 0n) return fromRational(neg, abs << e, 1n);
  return fromRational(neg, abs, 1n << -e);
}

/** printf("%.17Lf") then Redis's trimming of trailing zeros and dot. */
function formatHuman(x: LD): string {
  // round(|x| * 10^17) exactly
  const scale = 10n ** 17n;
  let num = x.m * scale;
  let den = 1n;
  if (x.e >= 0n) num <<= x.e;
  else den <<= -x.e;
  let q = num / den;
  const rem = num - q * den;
  if (rem * 2n > den || (rem * 2n === den && (q & 1n) === 1n)) q += 1n;
  const s = q.toString().padStart(18, '0');
  const int = s.slice(0, -17);
  const frac = s.slice(-17).replace(/0+$/, '');
  const out = frac ? `${int}.${frac}` : int;
  return x.neg && out !== '0' ? '-' + out : out;
}

/** a + b as Redis's INCRBYFLOAT prints it; both finite decimal strings. */
export function addDecimals(a: string, b: string): string {
  return formatHuman(add(parseLongDouble(a), parseLongDouble(b)));
}

/*
 * Redis's string2ld (strtold plus its checks) over the whole x87 range, for
 * HINCRBYFLOAT: hex floats, values beyond double range (1e400), ERANGE
 * overflow/underflow rejected, "inf"/"infinity" reported apart.
 */

/** A finite long double as string2ld read it. */
export type LongDouble = LD;

/** m < 2^64, so the value is below 2^(e+64): beyond 2^16384 it is infinite. */
const LD_MAX_E = 16384n - MANT_BITS;
/** Half the smallest denormal (2^-16445): at or below it strtold gives 0 with ERANGE. */
const LD_HALF_MIN_DENORM_LOG2 = -16446n;

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

function digitRun(s: string, i: number, hex: boolean): number {
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i) | 0x20;
    const dec = c >= 48 && c <= 57;
    if (!dec && !(hex && c >= 97 && c <= 102)) break;
  }
  return i;
}

/** Reads [eE|pP][+-]digits at i; [end, exponent] or null when absent/incomplete. */
function exponentAt(s: string, i: number, mark: number): [number, bigint] | null {
  if (i >= s.length || (s.charCodeAt(i) | 0x20) !== mark) return null;
  let j = i + 1;
  let neg = false;
  if (s[j] === '+' || s[j] === '-') neg = s[j++] === '-';
  const end = digitRun(s, j, false);
  if (end === j) return null;
  const v = BigInt(s.slice(j, end));
  return [end, neg ? -v : v];
}

function finite(neg: boolean, p: bigint, q: bigint): LD | null {
  if (p === 0n) return { neg, m: 0n, e: 0n };
  const x = fromRational(neg, p, q);
  if (x.e > LD_MAX_E) return null;
  const top = x.e + MANT_BITS; // value < 2^top
  if (top <= LD_HALF_MIN_DENORM_LOG2) return null;
  if (top - 1n === LD_HALF_MIN_DENORM_LOG2 && x.m === 1n << (MANT_BITS - 1n)) return null;
  return x;
}

/**
 * string2ld: the long double `s` denotes, 'inf' for an infinity, or null
 * when Redis says "not a valid float" (syntax, spaces, NaN, out of range).
 */
export function string2ld(s: string): LD | 'inf' | null {
  if (s.length === 0 || s.length >= 5120 || isSpace(s.charCodeAt(0))) return null;
  let i = 0;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') neg = s[i++] === '-';
  const rest = s.slice(i).toLowerCase();
  if (rest === 'inf' || rest === 'infinity') return 'inf';
  const hex = rest.length > 2 && rest[0] === '0' && rest[1] === 'x';
  if (hex) i += 2;
  const intEnd = digitRun(s, i, hex);
  let fracEnd = intEnd;
  if (s[intEnd] === '.') fracEnd = digitRun(s, intEnd + 1, hex);
  const intDigits = s.slice(i, intEnd);
  const fracDigits = fracEnd > intEnd ? s.slice(intEnd + 1, fracEnd) : '';
  if (intDigits.length + fracDigits.length === 0) return null;
  const exp = exponentAt(s, fracEnd, hex ? 112 /* p */ : 101 /* e */);
  if ((exp === null ? fracEnd : exp[0]) !== s.length) return null;
  const e = exp === null ? 0n : exp[1];
  const digits = BigInt((hex ? '0x' : '') + (intDigits || '0')) * (hex ? 16n : 10n) ** BigInt(fracDigits.length) + (fracDigits ? BigInt((hex ? '0x' : '') + fracDigits) : 0n);
  if (digits === 0n) return { neg, m: 0n, e: 0n };
  if (hex) {
    const shift = e - 4n * BigInt(fracDigits.length);
    const top = bitLength(digits) + shift;
    if (top > 16400n) return null;
    if (top < -16500n) return null;
    return shift >= 0n ? finite(neg, digits << shift, 1n) : finite(neg, digits, 1n << -shift);
  }
  const scale = e - BigInt(fracDigits.length);
  const mag = BigInt(digits.toString().length) + scale; // 10^(mag-1) <= value < 10^mag
  if (mag > 4940n) return null;
  if (mag < -4960n) return null;
  return scale >= 0n ? finite(neg, digits * 10n ** scale, 1n) : finite(neg, digits, 10n ** -scale);
}

/** a + b in long double; null when the sum is infinite. */
export function addLongDouble(a: LD, b: LD): LD | null {
  const r = add(a, b);
  return r.e > LD_MAX_E ? null : r;
}

/** printf("%.17Lf") with Redis's trimming (LD_STR_HUMAN). */
export function formatLongDouble(x: LD): string {
  return formatHuman(x);
}
