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
