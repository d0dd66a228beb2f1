/**
 * Byte-level primitives of the bitmap commands (bitops.c): population count,
 * first set/clear bit, bit offsets, and the writable raw value a bit write
 * works on. Bit 0 is the most significant bit of the first byte.
 *
 * Long runs go through 32-bit words of the Buffer's memory (popcount by SWAR,
 * skipping by word compares); latin1 string values are read with charCodeAt,
 * or copied into a Buffer once a range is long enough for words to pay.
 */
import { CommandError, Err } from '../core/errors.ts';
import { isString, type StringValue, type Value } from '../../datatypes/value.ts';
import { setRangeRaw } from '../../datatypes/string-raw.ts';
import { parseInt64OrNull } from '../core/parse.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import type { Client } from '../../server/client.ts';

export const BIT_OFFSET_ERR = 'ERR bit offset is not an integer or out of range';

/** Set bits per byte value. */
const BITS_IN_BYTE = new Uint8Array(256);
for (let i = 1; i < 256; i++) BITS_IN_BYTE[i] = (i & 1) + BITS_IN_BYTE[i >> 1]!;

/** Set bits in one byte. */
export function bitsInByte(b: number): number {
  return BITS_IN_BYTE[b]!;
}

/** Below this many bytes the per-byte loops beat setting up word views. */
export const WORDS_FROM = 64;

/** Scratch that long latin1 strings are copied into, a chunk at a time (natively), to be read by words. */
export const CHUNK = 1 << 16;
const chunk = Buffer.allocUnsafeSlow(CHUNK);
const ZEROS = Buffer.alloc(CHUNK);
const ONES = Buffer.alloc(CHUNK, 0xff);

/** Copies bytes [from, from+n) (n <= CHUNK) of v into the (word-aligned) chunk scratch and returns it. */
export function chunkOf(v: StringValue, from: number, n: number): Buffer {
  if (typeof v === 'string') chunk.latin1Write(n === v.length ? v : v.substring(from, from + n), 0, n);
  else v.copy(chunk, 0, from, from + n);
  return chunk;
}

function popcountBuffer(b: Buffer, start: number, count: number): number {
  let n = 0;
  let i = start;
  const end = start + count;
  if (count >= WORDS_FROM) {
    while (((b.byteOffset + i) & 3) !== 0) n += BITS_IN_BYTE[b[i++]!]!;
    const words = Math.floor((end - i) / 4);
    const w = new Int32Array(b.buffer, b.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      let x = w[k]!;
      x = x - ((x >>> 1) & 0x55555555);
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      x = (x + (x >>> 4)) & 0x0f0f0f0f;
      n += Math.imul(x, 0x01010101) >>> 24;
    }
    i += words * 4;
  }
  while (i < end) n += BITS_IN_BYTE[b[i++]!]!;
  return n;
}

/** Redis's redisPopcount over bytes [start, start+count) of v. */
export function popcount(v: StringValue, start: number, count: number): number {
  if (typeof v !== 'string') return popcountBuffer(v, start, count);
  let n = 0;
  if (count < WORDS_FROM) {
    for (let i = start, end = start + count; i < end; i++) n += BITS_IN_BYTE[v.charCodeAt(i)]!;
    return n;
  }
  for (let i = 0; i < count; i += CHUNK) {
    const len = Math.min(CHUNK, count - i);
    n += popcountBuffer(chunkOf(v, start + i, len), 0, len);
  }
  return n;
}

/** Index of the first byte in [start, end) of b that is not `skip`, or end. */
function firstByteNotBuffer(b: Buffer, start: number, end: number, skip: number): number {
  let i = start;
  if (end - start >= CHUNK) {
    // whole chunks of skip bytes go by at memcmp speed
    const run = skip === 0 ? ZEROS : ONES;
    while (end - i >= CHUNK && b.compare(run, 0, CHUNK, i, i + CHUNK) === 0) i += CHUNK;
  }
  if (end - i >= WORDS_FROM) {
    while (((b.byteOffset + i) & 3) !== 0) {
      if (b[i] !== skip) return i;
      i++;
    }
    const words = Math.floor((end - i) / 4);
    const w = new Int32Array(b.buffer, b.byteOffset + i, words);
    const skipWord = skip === 0 ? 0 : -1;
    let k = 0;
    while (k < words && w[k] === skipWord) k++;
    i += k * 4;
  }
  while (i < end && b[i] === skip) i++;
  return i;
}

/** Index of the first byte in [start, end) of v that is not `skip`, or end. */
function firstByteNot(v: StringValue, start: number, end: number, skip: number): number {
  if (typeof v !== 'string') return firstByteNotBuffer(v, start, end, skip);
  if (end - start < WORDS_FROM) {
    let i = start;
    while (i < end && v.charCodeAt(i) === skip) i++;
    return i;
  }
  for (let i = start; i < end; i += CHUNK) {
    const len = Math.min(CHUNK, end - i);
    const at = firstByteNotBuffer(chunkOf(v, i, len), 0, len, skip);
    if (at < len) return i + at;
  }
  return end;
}

/** One byte of a string value. */
export function byteAt(v: StringValue, i: number): number {
  return typeof v === 'string' ? v.charCodeAt(i) : v[i]!;
}

/**
 * Redis's redisBitpos over bytes [start, start+count) of v: the position of
 * the first `bit` relative to start. Not found: -1 for a 1, and for a 0 the
 * first bit after the range (the right is taken as zero padded).
 */
export function bitpos(v: StringValue, start: number, count: number, bit: number): number {
  const end = start + count;
  const i = firstByteNot(v, start, end, bit ? 0 : 255);
  if (i === end) return bit ? -1 : count * 8;
  const b = byteAt(v, i);
  return (i - start) * 8 + Math.clz32(bit ? b : ~b & 0xff) - 24;
}

/** bitpos() of the single byte b. */
export function bitposByte(b: number, bit: number): number {
  if (bit) return b === 0 ? -1 : Math.clz32(b) - 24;
  return b === 255 ? 8 : Math.clz32(~b & 0xff) - 24;
}

/** True when both are canonical int64s and a > b, exact beyond 2^53. */
export function int64Greater(a: string, na: number, b: string, nb: number): boolean {
  if (Number.isSafeInteger(na) && Number.isSafeInteger(nb)) return na > nb;
  return BigInt(a) > BigInt(b);
}

/**
 * Redis's getBitOffsetFromArgument: a bit offset below proto-max-bulk-len
 * bytes. With `bits` (BITFIELD) "#N" means N * bits.
 */
export function parseBitOffset(c: Client, arg: string, bits = 0): number {
  const hash = bits > 0 && arg.charCodeAt(0) === 35; /* '#' */
  const digits = hash ? arg.slice(1) : arg;
  let off = parseInt64OrNull(digits);
  if (off === null) throw new CommandError(BIT_OFFSET_ERR);
  if (hash) {
    off *= bits;
    // the C multiplication wraps at 64 bits
    if (!Number.isSafeInteger(off)) off = Number(BigInt.asIntN(64, BigInt(digits) * BigInt(bits)));
  }
  if (off < 0 || Math.floor(off / 8) >= c.server.config.protoMaxBulkLen) throw new CommandError(BIT_OFFSET_ERR);
  return off;
}

/** The string value for a bit command, undefined when missing; WRONGTYPE for other types. */
export function stringOrNone(v: Value | undefined): StringValue | undefined {
  if (v !== undefined && !isString(v)) throw new CommandError(Err.WRONGTYPE);
  return v;
}

/**
 * Redis's lookupStringForBitCommand after the type check: the raw value at
 * key, zero-padded to at least minLen bytes, created when missing. Writes go
 * straight into the returned Buffer. Dirty (created or grown) when
 * v === undefined || v.length < minLen, as the caller can tell beforehand.
 */
export function writableBits(ks: Keyspace, key: string, v: StringValue | undefined, minLen: number): Buffer {
  if (v instanceof Buffer && v.length >= minLen) return v;
  // a shared latin1 string becomes a raw copy; a short value grows as sdsgrowzero
  const next = v !== undefined && v.length >= minLen ? setRangeRaw(v, 0, '') : setRangeRaw(v, minLen - 1, '\0');
  if (v === undefined) ks.set(key, next);
  else if (next !== v) ks.replace(key, next);
  return next;
}
