/**
 * HyperLogLog in Redis's exact byte layout (hyperloglog.c, 7.0): a string
 * value starting with the 16-byte header "HYLL", encoding (0 dense, 1 sparse),
 * 3 zero bytes and the cached cardinality (8 bytes little endian, MSB of the
 * last byte set when stale); then either 16384 6-bit registers packed LSB
 * first (dense) or a run-length sequence of ZERO (00xxxxxx), XZERO
 * (01xxxxxx yyyyyyyy) and VAL (1vvvvvxx) opcodes (sparse).
 *
 * This file reads both encodings and updates dense registers; the sparse
 * updates (HllBuffer) are in hyperloglog-sparse.ts.
 */
import { murmurHash64AString, murmurHash64AWord, hashOut } from './murmurhash.ts';
import type { StringValue } from './value.ts';

export const HLL_P = 14;
export const HLL_Q = 64 - HLL_P;
export const HLL_REGISTERS = 1 << HLL_P;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + ((HLL_REGISTERS * 6 + 7) >> 3);
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_SEED = 0xadc83b19;
export const SPARSE_VAL_MAX_VALUE = 32;
export const SPARSE_VAL_MAX_LEN = 4;
export const SPARSE_ZERO_MAX_LEN = 64;
export const SPARSE_XZERO_MAX_LEN = 16384;
const ALPHA_INF = 0.721347520444481703680;

/** Register index of the last hllPatLen call. */
let patIndex = 0;

/** Run length of the 0…01 pattern of an element's hash (1..51); sets patIndex. */
function patLenOfHash(): number {
  const lo = hashOut[1]!;
  const hi = hashOut[0]!;
  patIndex = lo & (HLL_REGISTERS - 1);
  // the hash shifted right by P, with bit Q set so the count ends at Q+1
  const l = ((lo >>> HLL_P) | (hi << (32 - HLL_P))) >>> 0;
  if (l !== 0) return 32 - Math.clz32(l & -l);
  const h = (hi >>> HLL_P) | (1 << (HLL_Q - 32));
  return 33 + 31 - Math.clz32(h & -h);
}

/** hllPatLen for an element given as a latin1 string. */
export function hllPatLen(ele: string): number {
  murmurHash64AString(ele, HLL_SEED);
  return patLenOfHash();
}

/** The register index hllPatLen's last call found. */
export function lastPatIndex(): number {
  return patIndex;
}

// ---- dense registers -------------------------------------------------------

/** Register `reg` of dense registers starting at byte `base` of `p`. */
export function denseGet(p: Uint8Array, base: number, reg: number): number {
  const bit = reg * 6;
  const byte = base + (bit >>> 3);
  const fb = bit & 7;
  if (fb <= 2) return (p[byte]! >>> fb) & 63;
  return ((p[byte]! >>> fb) | (p[byte + 1]! << (8 - fb))) & 63;
}

export function denseSetReg(p: Uint8Array, base: number, reg: number, val: number): void {
  const bit = reg * 6;
  const byte = base + (bit >>> 3);
  const fb = bit & 7;
  p[byte] = (p[byte]! & ~(63 << fb)) | (val << fb);
  if (fb > 2) {
    const fb8 = 8 - fb;
    p[byte + 1] = (p[byte + 1]! & ~(63 >>> fb8)) | (val >>> fb8);
  }
}

/** hllDenseSet: raises the register to count; 1 if it changed. */
export function denseSet(p: Uint8Array, reg: number, count: number): number {
  if (count > denseGet(p, HLL_HDR_SIZE, reg)) {
    denseSetReg(p, HLL_HDR_SIZE, reg, count);
    return 1;
  }
  return 0;
}

/**
 * Adds an 8-byte element (hi, lo little-endian words) to dense registers
 * (PFSELFTEST); returns index << 8 | count of its hash.
 */
export function densePatAddWord(p: Uint8Array, hi: number, lo: number): number {
  murmurHash64AWord(hi, lo, HLL_SEED);
  const count = patLenOfHash();
  denseSet(p, patIndex, count);
  return (patIndex << 8) | count;
}

/** hllDenseRegHisto over registers at `base`. */
function denseHisto(r: Uint8Array, base: number, histo: Int32Array): void {
  let p = base;
  for (let j = 0; j < 1024; j++, p += 12) {
    const b0 = r[p]!, b1 = r[p + 1]!, b2 = r[p + 2]!, b3 = r[p + 3]!, b4 = r[p + 4]!, b5 = r[p + 5]!;
    const b6 = r[p + 6]!, b7 = r[p + 7]!, b8 = r[p + 8]!, b9 = r[p + 9]!, b10 = r[p + 10]!, b11 = r[p + 11]!;
    histo[b0 & 63]!++;
    histo[((b0 >>> 6) | (b1 << 2)) & 63]!++;
    histo[((b1 >>> 4) | (b2 << 4)) & 63]!++;
    histo[(b2 >>> 2) & 63]!++;
    histo[b3 & 63]!++;
    histo[((b3 >>> 6) | (b4 << 2)) & 63]!++;
    histo[((b4 >>> 4) | (b5 << 4)) & 63]!++;
    histo[(b5 >>> 2) & 63]!++;
    histo[b6 & 63]!++;
    histo[((b6 >>> 6) | (b7 << 2)) & 63]!++;
    histo[((b7 >>> 4) | (b8 << 4)) & 63]!++;
    histo[(b8 >>> 2) & 63]!++;
    histo[b9 & 63]!++;
    histo[((b9 >>> 6) | (b10 << 2)) & 63]!++;
    histo[((b10 >>> 4) | (b11 << 4)) & 63]!++;
    histo[(b11 >>> 2) & 63]!++;
  }
}

// ---- sparse opcodes --------------------------------------------------------

/** Registers covered by the opcode at p (XZERO's second byte past `end` reads as 0, as sds's terminator). */
export function xzeroLen(p: Uint8Array, i: number, end: number): number {
  return (((p[i]! & 0x3f) << 8) | (i + 1 < end ? p[i + 1]! : 0)) + 1;
}

export const valByte = (val: number, len: number): number => (((val - 1) << 2) | (len - 1)) | 0x80;

/** hllSparseRegHisto; false when the opcodes do not cover exactly 16384 registers. */
function sparseHisto(p: Uint8Array, end: number, histo: Int32Array): boolean {
  let idx = 0;
  let i = HLL_HDR_SIZE;
  while (i < end) {
    const b = p[i]!;
    if ((b & 0xc0) === 0) {
      const run = (b & 0x3f) + 1;
      idx += run;
      histo[0]! += run;
      i++;
    } else if ((b & 0xc0) === 0x40) {
      const run = xzeroLen(p, i, end);
      idx += run;
      histo[0]! += run;
      i += 2;
    } else {
      const run = (b & 3) + 1;
      idx += run;
      histo[((b >>> 2) & 0x1f) + 1]! += run;
      i++;
    }
  }
  return idx === HLL_REGISTERS;
}

// ---- the estimator ---------------------------------------------------------

function hllSigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime: number;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime: number;
  let y = 1.0;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

/** The "new" estimator (Ertl) of hllCount from a register histogram. */
export function estimate(histo: Int32Array): number {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - histo[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histo[j]!;
    z *= 0.5;
  }
  z += m * hllSigma(histo[0]! / m);
  // llroundl: halves away from zero; the quotient is never negative
  return Math.round((ALPHA_INF * m * m) / z);
}

const histo = new Int32Array(64);

/** hllCount of a dense or sparse HLL; -1 when a sparse one is corrupted. */
export function hllCount(p: Uint8Array): number {
  histo.fill(0);
  if (p[4] === HLL_DENSE) denseHisto(p, HLL_HDR_SIZE, histo);
  else if (!sparseHisto(p, p.length, histo)) return -1;
  return estimate(histo);
}

/** hllCount of raw 8-bit registers (PFCOUNT of several keys). */
export function rawCount(max: Uint8Array): number {
  histo.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i]!]!++;
  return estimate(histo);
}

/** hllMerge: max[i] = MAX(max[i], hll[i]); false for a corrupted sparse HLL. */
export function hllMerge(max: Uint8Array, p: Uint8Array): boolean {
  if (p[4] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseGet(p, HLL_HDR_SIZE, i);
      if (v > max[i]!) max[i] = v;
    }
    return true;
  }
  const end = p.length;
  let i = 0;
  let q = HLL_HDR_SIZE;
  while (q < end) {
    const b = p[q]!;
    if ((b & 0xc0) === 0) {
      i += (b & 0x3f) + 1;
      q++;
    } else if ((b & 0xc0) === 0x40) {
      i += xzeroLen(p, q, end);
      q += 2;
    } else {
      let run = (b & 3) + 1;
      const val = ((b >>> 2) & 0x1f) + 1;
      if (run + i > HLL_REGISTERS) break;
      while (run--) {
        if (val > max[i]!) max[i] = val;
        i++;
      }
      q++;
    }
  }
  return i === HLL_REGISTERS;
}

// ---- header ----------------------------------------------------------------

/** isHLLObjectOrReply's checks on a string value: magic, encoding, dense length. */
export function isHllValue(v: StringValue): boolean {
  const len = v.length;
  if (len < HLL_HDR_SIZE) return false;
  if (typeof v === 'string') {
    if (v.charCodeAt(0) !== 72 || v.charCodeAt(1) !== 89 || v.charCodeAt(2) !== 76 || v.charCodeAt(3) !== 76) return false;
    const enc = v.charCodeAt(4);
    return enc === HLL_SPARSE || (enc === HLL_DENSE && len === HLL_DENSE_SIZE);
  }
  if (v[0] !== 72 || v[1] !== 89 || v[2] !== 76 || v[3] !== 76) return false;
  const enc = v[4]!;
  return enc === HLL_SPARSE || (enc === HLL_DENSE && len === HLL_DENSE_SIZE);
}

/** The cached cardinality, or -1 when the cache is stale. */
export function cachedCard(p: Uint8Array): number {
  if ((p[15]! & 0x80) !== 0) return -1;
  const lo = (p[8]! | (p[9]! << 8) | (p[10]! << 16) | (p[11]! << 24)) >>> 0;
  const hi = (p[12]! | (p[13]! << 8) | (p[14]! << 16) | (p[15]! << 24)) >>> 0;
  return hi * 4294967296 + lo;
}

/** The cached cardinality's exact decimal text (it may exceed 2^53 in a crafted value). */
export function cachedCardText(p: Uint8Array): string {
  const n = cachedCard(p);
  return Number.isSafeInteger(n) ? String(n) : Buffer.from(p.subarray(8, 16)).readBigUInt64LE(0).toString();
}

export function setCachedCard(p: Uint8Array, card: number): void {
  let lo = card % 4294967296;
  let hi = Math.floor(card / 4294967296);
  for (let i = 8; i < 12; i++, lo = Math.floor(lo / 256)) p[i] = lo & 255;
  for (let i = 12; i < 16; i++, hi = Math.floor(hi / 256)) p[i] = hi & 255;
}

export function invalidateCache(p: Uint8Array): void {
  p[15] = p[15]! | 0x80;
}

/** PFDEBUG DECODE's text of a sparse HLL ("Z:16384", "z:3 v:2,1 …"). */
export function decodeSparse(p: Uint8Array): string {
  const end = p.length;
  const parts: string[] = [];
  let i = HLL_HDR_SIZE;
  while (i < end) {
    const b = p[i]!;
    if ((b & 0xc0) === 0) {
      parts.push(`z:${(b & 0x3f) + 1}`);
      i++;
    } else if ((b & 0xc0) === 0x40) {
      parts.push(`Z:${xzeroLen(p, i, end)}`);
      i += 2;
    } else {
      parts.push(`v:${((b >>> 2) & 0x1f) + 1},${(b & 3) + 1}`);
      i++;
    }
  }
  return parts.join(' ');
}
