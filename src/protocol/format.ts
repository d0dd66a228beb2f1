/** Number formatting exactly as Redis prints numbers in replies. */
import { grisu2 } from './fpconv.ts';

/** C's printf("%.17g"), which Redis 7.0 uses for double replies (ZSCORE, ZINCRBY, …). */
export function formatDouble(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (Number.isInteger(d) && Math.abs(d) < 1e17) return String(d);
  const e = d.toExponential(16);
  const at = e.indexOf('e');
  const exp = Number(e.slice(at + 1));
  if (exp < -4 || exp >= 17) {
    const mant = trimZeros(e.slice(0, at));
    const abs = Math.abs(exp);
    return mant + 'e' + (exp < 0 ? '-' : '+') + (abs < 10 ? '0' + abs : String(abs));
  }
  return trimZeros(d.toFixed(16 - exp));
}

/** LLONG_MAX/2 as a double: d2string prints integral doubles up to it as integers. */
const LL_HALF = 4611686018427387904;

/**
 * Redis ≥ 7.2's d2string, its double replies (7.0 printed %.17g): integral
 * values up to LLONG_MAX/2 as integers, others as fpconv_dtoa's grisu2
 * digits (fpconv.ts), in plain notation unless the exponent is large
 * (1e+300, 1.5e-7).
 */
export function formatDoubleShortest(d: number): string {
  if (Number.isNaN(d)) return 'nan';
  if (d !== 0 && Number.isInteger(d) && d >= -LL_HALF && d <= LL_HALF) return BigInt(d).toString();
  return fpconvDtoa(d);
}

/** fpconv_dtoa: grisu2's shortest digits (DEBUG DIGEST's scores; d2string past its integers). */
export function fpconvDtoa(d: number): string {
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  if (Number.isNaN(d)) return 'nan';
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  const { digits, k } = grisu2(d);
  const n = digits.length;
  const e10 = k + n - 1; // the exponent of the first digit
  const exp = Math.abs(e10);
  const sign = d < 0 ? '-' : '';
  // fpconv_dtoa's emit_digits
  if (k >= 0 && exp < n + 7) return sign + digits + '0'.repeat(k);
  if (k < 0 && (k > -7 || exp < 4)) {
    const offset = n + k;
    if (offset <= 0) return sign + '0.' + '0'.repeat(-offset) + digits;
    return sign + digits.slice(0, offset) + '.' + digits.slice(offset);
  }
  return sign + digits[0]! + (n > 1 ? '.' + digits.slice(1) : '') + 'e' + (e10 < 0 ? '-' : '+') + exp;
}

function trimZeros(s: string): string {
  if (!s.includes('.')) return s;
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48) end--;
  if (s.charCodeAt(end - 1) === 46) end--;
  return s.slice(0, end);
}
