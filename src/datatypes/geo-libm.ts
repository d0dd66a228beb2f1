/**
 * sin, cos and asin exactly as Redis computes them: glibc 2.36's IBM
 * Accurate Mathematical Library code (s_sin.c, e_asin.c) as built for x86-64
 * CPUs with FMA (the __sin_fma / __ieee754_asin_fma variants glibc picks
 * there), with every multiply-add GCC fuses done as a correctly rounded fma.
 * V8's Math.sin/cos/asin (fdlibm) differ from glibc in the last bit for a
 * few percent of inputs, which shows in stored distances (STOREDIST).
 * Arguments beyond 105414350 (huge radii only) fall back to Math.sin/cos.
 */
import { ASNCS, INROOT, SINCOSTAB } from './geo-libm-tables.ts';

const F = new Float64Array(1);
const U = new Uint32Array(F.buffer);

/** High 32 bits of a double (little-endian host). */
function highWord(x: number): number {
  F[0] = x;
  return U[1]!;
}

/** C's copysign. */
function copysign(v: number, sign: number): number {
  const a = Math.abs(v);
  return sign < 0 || Object.is(sign, -0) ? -a : a;
}

/**
 * Correctly rounded a * b + c: the exact value as u + v + t2 through
 * error-free transforms (Dekker's product, TwoSum), then one rounding, with
 * the tie case of the last addition settled by the tail's rounding error.
 */
export function fma(a: number, b: number, c: number): number {
  const p = a * b;
  const ap = Math.abs(p);
  if (!(ap > 1e-290 && ap < 1e290) || c === 0 || !(Math.abs(c) < 1e300)) return c === 0 && p !== 0 ? p : p + c;
  let t = 134217729 * a;
  const ah = t - (t - a), al = a - ah;
  t = 134217729 * b;
  const bh = t - (t - b), bl = b - bh;
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  const s1 = p + c;
  let z = s1 - p;
  const t1 = (p - (s1 - z)) + (c - z);
  const s2 = t1 + e;
  z = s2 - t1;
  const t2 = (t1 - (s2 - z)) + (e - z);
  const u = s1 + s2;
  z = u - s1;
  const v = (s1 - (u - z)) + (s2 - z);
  const w = v + t2;
  z = w - v;
  const err = (v - (w - z)) + (t2 - z);
  let r = u + w;
  if (err !== 0) {
    // u + w is on w's grid, midpoints of r's too: only an exact tie can be decided wrongly, by err's side
    z = r - u;
    const e2 = (u - (r - z)) + (w - z);
    if (e2 !== 0 && (r + 2 * e2) - r === 2 * e2 && (err > 0) === (e2 > 0)) r += 2 * e2;
  }
  return r;
}

const sn3 = -1.66666666666664880952546298448555E-01;
const sn5 = 8.33333214285722277379541354343671E-03;
const cs2 = 4.99999999999999999999950396842453E-01;
const cs4 = -4.16666666666664434524222570944589E-02;
const cs6 = 1.38888874007937613028114285595617E-03;
const s1 = -0x15555555555555 / 2 ** 55;
const s2 = 0x11111111110ece / 2 ** 59;
const s3 = -0x1a01a019db08b8 / 2 ** 65;
const s4 = 0x171de27b9a7ed9 / 2 ** 71;
const s5 = -0x1addffc2fcdf59 / 2 ** 78;
const big = 52776558133248;
const hp0 = 0x1921fb54442d18 / 2 ** 52;
const hp1 = 0x11a62633145c07 / 2 ** 106;
const mp1 = 0x1921fb58000000 / 2 ** 52;
const mp2 = -0x1dde973c000000 / 2 ** 79;
const pp3 = -0x1cb3b398000000 / 2 ** 107;
const pp4 = -0x1d747f23e32ed7 / 2 ** 135;
const hpinv = 0x145f306dc9c883 / 2 ** 53;
const toint = 6755399441055744;

/** TAYLOR_SIN(x * x, x, dx) */
function taylorSin(x: number, dx: number): number {
  const xx = x * x;
  const p = fma(xx, fma(xx, fma(xx, fma(xx, s5, s4), s3), s2), s1);
  return x + fma(xx, fma(p, x, -(dx * 0.5)), dx);
}

/** do_sin */
function doSin(x: number, dx: number): number {
  const xold = x;
  if (Math.abs(x) < 0.126) return taylorSin(x, dx);
  if (x <= 0) dx = -dx;
  const ux = big + Math.abs(x);
  x = Math.abs(x) - (ux - big);
  const xx = x * x;
  const s = x + fma(x * xx, fma(xx, sn5, sn3), dx);
  const c = fma(x, dx, xx * fma(xx, fma(xx, cs6, cs4), cs2));
  const k = (ux - big) * 512;
  const sn = SINCOSTAB[k]!, ssn = SINCOSTAB[k + 1]!, cs = SINCOSTAB[k + 2]!, ccs = SINCOSTAB[k + 3]!;
  const cor = fma(s, cs, fma(-c, sn, fma(s, ccs, ssn)));
  return copysign(sn + cor, xold);
}

/** do_cos */
function doCos(x: number, dx: number): number {
  if (x < 0) dx = -dx;
  const ux = big + Math.abs(x);
  x = Math.abs(x) - (ux - big) + dx;
  const xx = x * x;
  const s = fma(x * xx, fma(xx, sn5, sn3), x);
  const c = xx * fma(xx, fma(xx, cs6, cs4), cs2);
  const k = (ux - big) * 512;
  const sn = SINCOSTAB[k]!, ssn = SINCOSTAB[k + 1]!, cs = SINCOSTAB[k + 2]!, ccs = SINCOSTAB[k + 3]!;
  const cor = fma(-s, sn, fma(-c, cs, fma(-s, ssn, ccs)));
  return cs + cor;
}

/** reduce_sincos then do_sincos(a, da, n + shift). */
function reduced(x: number, shift: number): number {
  const t = fma(x, hpinv, toint);
  const xn = t - toint;
  const y = fma(xn, -mp2, fma(-xn, mp1, x));
  const n = ((xn & 3) + shift) & 3;
  const t2 = fma(-xn, pp3, y);
  let db = fma(-xn, pp3, y - t2);
  const b = fma(-xn, pp4, t2);
  db += fma(-xn, pp4, t2 - b);
  const r = (n & 1) !== 0 ? doCos(b, db) : doSin(b, db);
  return (n & 2) !== 0 ? -r : r;
}

/** glibc's sin. */
export function sin(x: number): number {
  const k = highWord(x) & 0x7fffffff;
  if (k < 0x3e500000) return x;
  if (k < 0x3feb6000) return doSin(x, 0);
  if (k < 0x400368fd) {
    return copysign(doCos(hp0 - Math.abs(x), hp1), x);
  }
  if (k < 0x419921fb) return reduced(x, 0);
  return Math.sin(x);
}

/** glibc's cos. */
export function cos(x: number): number {
  const k = highWord(x) & 0x7fffffff;
  if (k < 0x3e400000) return 1.0;
  if (k < 0x3feb6000) return doCos(x, 0);
  if (k < 0x400368fd) {
    const y = hp0 - Math.abs(x);
    const a = y + hp1;
    const da = (y - a) + hp1;
    return doSin(a, da);
  }
  if (k < 0x419921fb) return reduced(x, 1);
  return Math.cos(x);
}

const f1 = 1.66666666666664110590506577996662E-01;
const f2 = 7.50000000026122686814431784722623E-02;
const f3 = 4.46428561421059750978517350006940E-02;
const f4 = 3.03821268582119319911193410625235E-02;
const f5 = 2.23551211026525610742786300334557E-02;
const f6 = 1.81382903404565056280372531963613E-02;
const rt0 = 9.99999999859990725855365213134618E-01;
const rt1 = 4.99999999495955425917856814202739E-01;
const rt2 = 3.75017500867345182581453026130850E-01;
const rt3 = 3.12523626554518656309172508769531E-01;
const t24 = 16777216;

/** One table interval of asin: `deg` coefficients after the centre, then the correction, then the value. */
function asinInterval(ax: number, n: number, deg: number): number {
  const xx = ax - ASNCS[n]!;
  let p = ASNCS[n + deg]!;
  for (let i = n + deg - 1; i >= n + 2; i--) p = fma(p, xx, ASNCS[i]!);
  p = fma(xx * xx, p, ASNCS[n + deg + 1]!);
  const t = fma(ASNCS[n + 1]!, xx, p);
  return ASNCS[n + deg + 2]! + t;
}

/** glibc's asin (__ieee754_asin). */
export function asin(x: number): number {
  const m = highWord(x);
  const k = m & 0x7fffffff;
  const neg = (m | 0) <= 0;
  const ax = neg ? -x : x;
  let res: number;
  if (k < 0x3e500000) return x;
  if (k < 0x3fc00000) {
    const x2 = x * x;
    const t = fma(fma(fma(fma(fma(fma(x2, f6, f5), x2, f4), x2, f3), x2, f2), x2, f1), x * x2, x);
    return t;
  }
  if (k < 0x3fe00000) {
    const n = k < 0x3fd00000 ? 11 * ((k & 0x000fffff) >> 15) : 11 * ((k & 0x000fffff) >> 14) + 352;
    res = asinInterval(ax, n, 6);
  } else if (k < 0x3fe80000) res = asinInterval(ax, 1056 + ((k & 0x000fe000) >> 11) * 3, 7);
  else if (k < 0x3fed8000) res = asinInterval(ax, 992 + ((k & 0x000fe000) >> 13) * 13, 8);
  else if (k < 0x3fee8000) res = asinInterval(ax, 884 + ((k & 0x000fe000) >> 13) * 14, 9);
  else if (k < 0x3fef0000) res = asinInterval(ax, 768 + ((k & 0x000fe000) >> 13) * 15, 10);
  else if (k < 0x3ff00000) {
    const z = 0.5 * (1.0 - ax);
    const kz = highWord(z);
    let t = INROOT[(kz & 0x001fffff) >> 14]! * 2 ** (511 - (kz >> 21));
    const r = fma(-(t * t), z, 1.0);
    t = fma(fma(fma(r, rt3, rt2), r, rt1), r, rt0) * t;
    const c = z * t;
    const half = fma(-(t * 0.5), c, 1.5);
    const y = (c + t24) - t24;
    const cc = fma(-y, y, z) / fma(half, c, y);
    const p = fma(fma(fma(fma(fma(z, f6, f5), z, f4), z, f3), z, f2), z, f1) * z;
    const cor = fma(-((y + cc) * 2.0), p, fma(-cc, 2.0, hp1));
    res = cor + fma(-y, 2.0, hp0);
  } else if (ax === 1) res = hp0;
  else return NaN;
  return neg ? -res : res;
}
