/**
 * Redis's intset (intset.c) as bytes: <encoding u32 LE: 2|4|8> <length u32 LE>
 * <length sorted integers of that width, LE>.
 */
import { canonicalInt } from './rdb-types.ts';

/** The intset holding `members`: canonical int64 strings, already in ascending numeric order. */
export function encodeIntset(members: readonly string[]): Buffer {
  const n = members.length;
  const vals: Array<number | bigint> = new Array(n);
  let width = 2;
  for (let i = 0; i < n; i++) {
    const v = canonicalInt(members[i]!);
    if (v === null) throw new Error(`intset member is not an integer: ${members[i]}`);
    vals[i] = v;
    if (typeof v === 'bigint' || v < -2147483648 || v > 2147483647) width = 8;
    else if (width === 2 && (v < -32768 || v > 32767)) width = 4;
  }
  const b = Buffer.allocUnsafe(8 + width * n);
  b.writeUInt32LE(width, 0);
  b.writeUInt32LE(n, 4);
  let p = 8;
  for (let i = 0; i < n; i++) {
    const v = vals[i]!;
    if (width === 2) b.writeInt16LE(v as number, p);
    else if (width === 4) b.writeInt32LE(v as number, p);
    else b.writeBigInt64LE(BigInt(v), p);
    p += width;
  }
  return b;
}

/**
 * The members of the intset in d[start, end) as decimal strings, or null when
 * it is malformed: bad encoding or size, empty, or not strictly ascending
 * (intsetValidateIntegrity in deep mode).
 */
export function decodeIntset(d: Uint8Array, start: number, end: number): string[] | null {
  const size = end - start;
  if (size < 8) return null;
  const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  const width = b.readUInt32LE(start);
  if (width !== 2 && width !== 4 && width !== 8) return null;
  const n = b.readUInt32LE(start + 4);
  if (n === 0 || 8 + n * width !== size) return null;
  const out: string[] = new Array(n);
  let p = start + 8;
  let prev: number | bigint = 0;
  for (let i = 0; i < n; i++, p += width) {
    let v: number | bigint;
    if (width === 2) v = b.readInt16LE(p);
    else if (width === 4) v = b.readInt32LE(p);
    else v = b.readBigInt64LE(p);
    if (i > 0 && v <= prev) return null;
    prev = v;
    out[i] = String(v);
  }
  return out;
}
