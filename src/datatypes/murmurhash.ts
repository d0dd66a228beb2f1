/**
 * MurmurHash64A (MurmurHash2, 64-bit) exactly as Redis's hyperloglog.c
 * computes it (endian-neutral, little-endian blocks), on 32-bit halves so no
 * BigInt is involved. The state lives in locals (unboxed in optimized code);
 * the result goes to `hashOut` as [high, low] uint32 halves.
 */

// m = 0xc6a4a7935bd1e995 as halves, the low half also as 16-bit pieces
const MH = 0xc6a4a793;
const ML = 0x5bd1e995;
const ML0 = 0xe995;
const ML1 = 0x5bd1;

/** The last hash computed: [high 32 bits, low 32 bits]. */
export const hashOut = new Uint32Array(2);

/** High 32 bits of (h, l) * m mod 2^64 (the low 32 bits are Math.imul(l, ML)). */
function mulHi(h: number, l: number): number {
  const a0 = l & 0xffff;
  const a1 = l >>> 16;
  const t = a1 * ML0 + ((a0 * ML0) >>> 16);
  const t2 = a0 * ML1 + (t & 0xffff);
  return (a1 * ML1 + (t >>> 16) + (t2 >>> 16) + Math.imul(h, ML) + Math.imul(l, MH)) >>> 0;
}

/** Hashes a latin1 string (one char per byte) into hashOut. */
export function murmurHash64AString(s: string, seed: number): void {
  const len = s.length;
  // h = seed ^ (len * m)
  let h = mulHi(0, len);
  let l = (Math.imul(len, ML) ^ seed) >>> 0;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let kl = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    let kh = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    // k *= m; k ^= k >> 47; k *= m; h ^= k; h *= m
    let t = mulHi(kh, kl);
    kl = Math.imul(kl, ML) >>> 0;
    kh = t;
    kl = (kl ^ (kh >>> 15)) >>> 0;
    t = mulHi(kh, kl);
    kl = Math.imul(kl, ML) >>> 0;
    kh = t;
    h = (h ^ kh) >>> 0;
    l = (l ^ kl) >>> 0;
    t = mulHi(h, l);
    l = Math.imul(l, ML) >>> 0;
    h = t;
  }
  const rest = len & 7;
  if (rest !== 0) {
    let th = 0;
    let tl = 0;
    for (let j = rest - 1; j >= 0; j--) {
      const b = s.charCodeAt(i + j);
      if (j >= 4) th |= b << ((j - 4) * 8);
      else tl |= b << (j * 8);
    }
    h = (h ^ th) >>> 0;
    l = (l ^ tl) >>> 0;
    const t = mulHi(h, l);
    l = Math.imul(l, ML) >>> 0;
    h = t;
  }
  // h ^= h >> r; h *= m; h ^= h >> r
  l = (l ^ (h >>> 15)) >>> 0;
  const t = mulHi(h, l);
  l = Math.imul(l, ML) >>> 0;
  h = t;
  hashOut[0] = h;
  hashOut[1] = l ^ (h >>> 15);
}

/** Hashes one 8-byte little-endian element (hi, lo words) into hashOut (PFSELFTEST's elements). */
export function murmurHash64AWord(kh: number, kl: number, seed: number): void {
  let h = mulHi(0, 8);
  let l = (Math.imul(8, ML) ^ seed) >>> 0;
  let t = mulHi(kh, kl);
  kl = Math.imul(kl, ML) >>> 0;
  kh = t;
  kl = (kl ^ (kh >>> 15)) >>> 0;
  t = mulHi(kh, kl);
  kl = Math.imul(kl, ML) >>> 0;
  kh = t;
  h = (h ^ kh) >>> 0;
  l = (l ^ kl) >>> 0;
  t = mulHi(h, l);
  l = Math.imul(l, ML) >>> 0;
  h = t;
  l = (l ^ (h >>> 15)) >>> 0;
  t = mulHi(h, l);
  l = Math.imul(l, ML) >>> 0;
  h = t;
  hashOut[0] = h;
  hashOut[1] = l ^ (h >>> 15);
}
