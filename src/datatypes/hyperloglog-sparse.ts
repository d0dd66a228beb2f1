/**
 * Updating HLL string values in place (hyperloglog.c's hllSparseSet,
 * hllSparseToDense, createHLLObject): a sparse value grows into spare room it
 * owns, as sds does after sdsMakeRoomFor; a dense one never reallocates.
 */
import {
  HLL_DENSE, HLL_DENSE_SIZE, HLL_HDR_SIZE, HLL_REGISTERS, HLL_SPARSE, SPARSE_VAL_MAX_LEN, SPARSE_VAL_MAX_VALUE,
  SPARSE_XZERO_MAX_LEN, SPARSE_ZERO_MAX_LEN, denseSet, denseSetReg, hllPatLen, invalidateCache, lastPatIndex, valByte, xzeroLen,
} from './hyperloglog.ts';
import type { StringValue } from './value.ts';

/** Backing stores made here for one value each (their spare room is ours to use). */
const owned = new WeakSet<ArrayBufferLike>();

/** A value of `len` bytes holding a copy of `src` (up to len), with room to grow as sds does. */
function allocate(src: Uint8Array | null, len: number, cap: number): Buffer {
  const mem = Buffer.allocUnsafeSlow(cap);
  owned.add(mem.buffer);
  const out = cap === len ? mem : mem.subarray(0, len);
  if (src !== null) out.set(src.length > len ? src.subarray(0, len) : src, 0);
  return out;
}

/** The value resized to len, in place when it has the room. */
function resize(b: Buffer, len: number): Buffer {
  if (len <= b.length) return len === b.length ? b : b.subarray(0, len);
  if (b.byteOffset === 0 && owned.has(b.buffer) && b.buffer.byteLength >= len) return Buffer.from(b.buffer, 0, len);
  return allocate(b, len, len < 1024 * 1024 ? len * 2 : len + 1024 * 1024);
}

/** A mutable copy of a string value (Redis's dbUnshareStringValue). */
export function unshare(v: StringValue): Buffer {
  if (typeof v !== 'string') return v;
  const out = allocate(null, v.length, v.length);
  out.latin1Write(v, 0);
  return out;
}

/** createHLLObject: an empty sparse HLL (XZERO:16384). */
export function createHll(): Buffer {
  const len = HLL_HDR_SIZE + Math.floor((HLL_REGISTERS + SPARSE_XZERO_MAX_LEN - 1) / SPARSE_XZERO_MAX_LEN) * 2;
  const b = allocate(null, len, len);
  b.fill(0);
  b.latin1Write('HYLL', 0);
  b[4] = HLL_SPARSE;
  let p = HLL_HDR_SIZE;
  for (let aux = HLL_REGISTERS; aux !== 0;) {
    const xz = Math.min(aux, SPARSE_XZERO_MAX_LEN) - 1;
    b[p++] = (xz >>> 8) | 0x40;
    b[p++] = xz & 0xff;
    aux -= xz + 1;
  }
  return b;
}

/** hllSparseToDense: the dense copy of a sparse HLL (header kept), or null when corrupted. */
export function sparseToDense(p: Uint8Array): Buffer | null {
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  dense.set(p.subarray(0, HLL_HDR_SIZE), 0);
  dense[4] = HLL_DENSE;
  const end = p.length;
  let idx = 0;
  let i = HLL_HDR_SIZE;
  while (i < end) {
    const b = p[i]!;
    if ((b & 0xc0) === 0) {
      idx += (b & 0x3f) + 1;
      i++;
    } else if ((b & 0xc0) === 0x40) {
      idx += xzeroLen(p, i, end);
      i += 2;
    } else {
      let run = (b & 3) + 1;
      const val = ((b >>> 2) & 0x1f) + 1;
      if (run + idx > HLL_REGISTERS) break;
      while (run--) denseSetReg(dense, HLL_HDR_SIZE, idx++, val);
      i++;
    }
  }
  return idx === HLL_REGISTERS ? dense : null;
}

/** A HLL string value being updated; `buf` is replaced when it grows or turns dense. */
export class HllBuffer {
  buf: Buffer;
  /** hll-sparse-max-bytes */
  readonly maxSparse: number;

  constructor(buf: Buffer, maxSparse: number) {
    this.buf = buf;
    this.maxSparse = maxSparse;
  }

  /** hllAdd: 1 if a register changed, 0 if not, -1 for a corrupted HLL. */
  add(ele: string): number {
    const count = hllPatLen(ele);
    const index = lastPatIndex();
    if (this.buf[4] === HLL_DENSE) return denseSet(this.buf, index, count);
    return this.sparseSet(index, count);
  }

  /** Raises register `index` to `count` in whichever encoding the value has. */
  set(index: number, count: number): number {
    if (this.buf[4] === HLL_DENSE) return denseSet(this.buf, index, count);
    return this.sparseSet(index, count);
  }

  /** hllSparseToDense in place; false for a corrupted HLL. */
  toDense(): boolean {
    if (this.buf[4] === HLL_DENSE) return true;
    const d = sparseToDense(this.buf);
    if (d === null) return false;
    this.buf = d;
    return true;
  }

  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    return denseSet(this.buf, index, count);
  }

  /** hllSparseSet: the opcode covering `index` is split or updated in place. */
  sparseSet(index: number, count: number): number {
    if (count > SPARSE_VAL_MAX_VALUE) return this.promote(index, count);
    let b = this.buf;
    let end = b.length;
    // step 1: find the opcode covering index
    let p = HLL_HDR_SIZE;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = b[p]!;
      let oplen = 1;
      if ((op & 0xc0) === 0) span = (op & 0x3f) + 1;
      else if (op & 0x80) span = (op & 3) + 1;
      else {
        span = xzeroLen(b, p, end);
        oplen = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += oplen;
      first += span;
    }
    if (span === 0 || p >= end) return -1;
    const op = b[p]!;
    const isZero = (op & 0xc0) === 0;
    const isXzero = (op & 0xc0) === 0x40;
    let next = isXzero ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const runlen = isZero ? (op & 0x3f) + 1 : isXzero ? xzeroLen(b, p, end) : (op & 3) + 1;

    // step 2: the trivial cases (A, B, C)
    let updated = false;
    if (!isZero && !isXzero) {
      const old = ((op >>> 2) & 0x1f) + 1;
      if (old >= count) return 0;
      if (runlen === 1) {
        b[p] = valByte(count, 1);
        updated = true;
      }
    } else if (isZero && runlen === 1) {
      b[p] = valByte(count, 1);
      updated = true;
    }

    if (!updated) {
      // D: split the opcode into up to three (at most 5 bytes)
      const seq = SEQ;
      let n = 0;
      const last = first + span - 1;
      if (isZero || isXzero) {
        if (index !== first) n = zeroRun(seq, n, index - first);
        seq[n++] = valByte(count, 1);
        if (index !== last) n = zeroRun(seq, n, last - index);
      } else {
        const cur = ((op >>> 2) & 0x1f) + 1;
        if (index !== first) seq[n++] = valByte(cur, index - first);
        seq[n++] = valByte(count, 1);
        if (index !== last) seq[n++] = valByte(cur, last - index);
      }
      // step 3: put the new sequence in place of the old opcode
      const delta = n - (isXzero ? 2 : 1);
      if (delta > 0 && end + delta > this.maxSparse) return this.promote(index, count);
      if (delta !== 0) {
        if (delta > 0) b = resize(b, end + delta);
        if (next !== -1) b.copyWithin(next + delta, next, end);
        if (delta < 0) b = resize(b, end + delta);
        this.buf = b;
        end += delta;
      }
      for (let i = 0; i < n; i++) b[p + i] = seq[i]!;
    }

    // step 4: merge adjacent VAL opcodes with equal values around the change
    p = prev !== -1 ? prev : HLL_HDR_SIZE;
    let scan = 5;
    while (p < end && scan-- !== 0) {
      const o = b[p]!;
      if ((o & 0xc0) === 0x40) {
        p += 2;
        continue;
      }
      if ((o & 0xc0) === 0) {
        p++;
        continue;
      }
      if (p + 1 < end && (b[p + 1]! & 0x80) !== 0) {
        const o2 = b[p + 1]!;
        const v1 = ((o >>> 2) & 0x1f) + 1;
        if (v1 === ((o2 >>> 2) & 0x1f) + 1) {
          const len = (o & 3) + 1 + (o2 & 3) + 1;
          if (len <= SPARSE_VAL_MAX_LEN) {
            b[p + 1] = valByte(v1, len);
            b.copyWithin(p, p + 1, end);
            end--;
            b = resize(b, end);
            this.buf = b;
            continue;
          }
        }
      }
      p++;
    }
    invalidateCache(b);
    return 1;
  }
}

const SEQ = new Uint8Array(5);

/** Writes a ZERO or XZERO opcode for len registers at seq[n]; returns the next position. */
function zeroRun(seq: Uint8Array, n: number, len: number): number {
  if (len > SPARSE_ZERO_MAX_LEN) {
    seq[n] = ((len - 1) >>> 8) | 0x40;
    seq[n + 1] = (len - 1) & 0xff;
    return n + 2;
  }
  seq[n] = len - 1;
  return n + 1;
}
