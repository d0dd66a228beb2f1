/**
 * Redis's CRC-64 (crc64.c: the Jones polynomial 0xad93d23594c935a9,
 * reflected, init 0, no final xor; crc64("123456789") = 0xe9c6d914c4b8d9ca),
 * table driven eight bytes at a time as crcspeed.c does. The 64-bit state is
 * kept as two unsigned 32-bit halves so no BigInt runs per byte.
 */

/** Reflected polynomial, as hi / lo halves (0x95ac9329ac4bc9b5). */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

/** T[k][i] halves: 8 tables of 256 entries, lo at 2*(k*256+i), hi at 2*(k*256+i)+1. */
const T = new Uint32Array(8 * 256 * 2);

for (let i = 0; i < 256; i++) {
  let lo = i;
  let hi = 0;
  for (let b = 0; b < 8; b++) {
    const bit = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi = hi >>> 1;
    if (bit) {
      lo = (lo ^ POLY_LO) >>> 0;
      hi = (hi ^ POLY_HI) >>> 0;
    }
  }
  T[2 * i] = lo;
  T[2 * i + 1] = hi;
}
for (let k = 1; k < 8; k++) {
  for (let i = 0; i < 256; i++) {
    const p = 2 * ((k - 1) * 256 + i);
    const lo = T[p]!;
    const hi = T[p + 1]!;
    const q = 2 * (lo & 0xff);
    T[2 * (k * 256 + i)] = (((lo >>> 8) | (hi << 24)) ^ T[q]!) >>> 0;
    T[2 * (k * 256 + i) + 1] = ((hi >>> 8) ^ T[q + 1]!) >>> 0;
  }
}

/** A running CRC-64: feed it bytes in any number of pieces. */
export class Crc64 {
  lo = 0;
  hi = 0;

  update(d: Uint8Array, start = 0, end = d.length): void {
    let lo = this.lo;
    let hi = this.hi;
    let i = start;
    const t = T;
    for (; i + 8 <= end; i += 8) {
      lo ^= d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24);
      hi ^= d[i + 4]! | (d[i + 5]! << 8) | (d[i + 6]! << 16) | (d[i + 7]! << 24);
      const a = 2 * (7 * 256 + (lo & 0xff));
      const b = 2 * (6 * 256 + ((lo >>> 8) & 0xff));
      const c = 2 * (5 * 256 + ((lo >>> 16) & 0xff));
      const e = 2 * (4 * 256 + (lo >>> 24));
      const f = 2 * (3 * 256 + (hi & 0xff));
      const g = 2 * (2 * 256 + ((hi >>> 8) & 0xff));
      const h = 2 * (256 + ((hi >>> 16) & 0xff));
      const k = 2 * (hi >>> 24);
      lo = t[a]! ^ t[b]! ^ t[c]! ^ t[e]! ^ t[f]! ^ t[g]! ^ t[h]! ^ t[k]!;
      hi = t[a + 1]! ^ t[b + 1]! ^ t[c + 1]! ^ t[e + 1]! ^ t[f + 1]! ^ t[g + 1]! ^ t[h + 1]! ^ t[k + 1]!;
    }
    for (; i < end; i++) {
      const q = 2 * ((lo ^ d[i]!) & 0xff);
      lo = ((lo >>> 8) | (hi << 24)) ^ t[q]!;
      hi = (hi >>> 8) ^ t[q + 1]!;
    }
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
  }

  /** The checksum as Redis stores it: 8 bytes, little endian. */
  bytes(): Buffer {
    const b = Buffer.allocUnsafe(8);
    b.writeUInt32LE(this.lo >>> 0, 0);
    b.writeUInt32LE(this.hi >>> 0, 4);
    return b;
  }

  /** Whether 8 little-endian bytes at `at` of `d` equal this checksum. */
  equals(d: Uint8Array, at: number): boolean {
    const lo = (d[at]! | (d[at + 1]! << 8) | (d[at + 2]! << 16) | (d[at + 3]! << 24)) >>> 0;
    const hi = (d[at + 4]! | (d[at + 5]! << 8) | (d[at + 6]! << 16) | (d[at + 7]! << 24)) >>> 0;
    return lo === this.lo >>> 0 && hi === this.hi >>> 0;
  }

  hex(): string {
    return (this.hi >>> 0).toString(16).padStart(8, '0') + (this.lo >>> 0).toString(16).padStart(8, '0');
  }
}

/** crc64(0, d) as 8 little-endian bytes. */
export function crc64(d: Uint8Array, start = 0, end = d.length): Buffer {
  const c = new Crc64();
  c.update(d, start, end);
  return c.bytes();
}
