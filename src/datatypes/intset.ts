/**
 * Redis's intset (intset.c) in one flat latin1 JS string: a tag char
 * (0x80 | width), then the members as width-byte little-endian two's
 * complement integers in ascending order, width 2, 4 or 8 (the smallest
 * that holds every member ever added: as in Redis, it widens when a wider
 * value arrives and never narrows). The body is byte for byte Redis's intset
 * after its 8-byte header, so DUMP / RDB write and read it without touching
 * the members.
 *
 * The tag (0x82, 0x84 or 0x88) cannot start a packed (listpack) set, whose
 * first char is its member count when under 128, else 0xff (set.ts).
 *
 * 8-byte members are handled as two 32-bit halves (hi signed, lo unsigned),
 * so values beyond 2^53 stay exact without BigInt except when printed.
 */
import { parseInt64Exact } from '../commands/core/parse.ts';

/** An intset with no members (the 2-byte width Redis starts with). */
export const EMPTY_INTSET = '\x82';

/** Whether a packed set string is an intset (else a listpack). */
export function isIntset(s: string): boolean {
  const c = s.charCodeAt(0);
  return c > 0x80 && c < 0x90;
}

/** Bytes per member. */
export function intsetWidth(s: string): number {
  return s.charCodeAt(0) & 0x7f;
}

/** Number of members. */
export function intsetCount(s: string): number {
  return (s.length - 1) / (s.charCodeAt(0) & 0x7f);
}

// ---- the member looked up or added, parsed once (no allocation per call) ----

/** The integer parseKey() read last: its smallest width, its value (exact when width < 8) and its 32-bit halves. */
const key = { w: 2, v: 0, hi: 0, lo: 0 };

const TWO32 = 4294967296;

/** Parses `m` as the key for the next search / insert; false when it is not a canonical int64. */
export function parseKey(m: string): boolean {
  const v = parseInt64Exact(m);
  if (v === null) return false;
  if (typeof v === 'number') {
    key.v = v;
    key.w = v >= -32768 && v <= 32767 ? 2 : v >= -2147483648 && v <= 2147483647 ? 4 : 8;
    const hi = Math.floor(v / TWO32);
    key.hi = hi;
    key.lo = v - hi * TWO32;
  } else {
    key.w = 8;
    key.v = Number(v);
    key.hi = Number(BigInt.asIntN(32, v >> 32n));
    key.lo = Number(BigInt.asUintN(32, v));
  }
  return true;
}

// ---- reading ----

function i16(s: string, p: number): number {
  return ((s.charCodeAt(p) | (s.charCodeAt(p + 1) << 8)) << 16) >> 16;
}

function i32(s: string, p: number): number {
  return s.charCodeAt(p) | (s.charCodeAt(p + 1) << 8) | (s.charCodeAt(p + 2) << 16) | (s.charCodeAt(p + 3) << 24);
}

function u32(s: string, p: number): number {
  return i32(s, p) >>> 0;
}

/** The member at `p` of a width-2 or width-4 intset. */
function small(s: string, p: number, w: number): number {
  return w === 2 ? i16(s, p) : i32(s, p);
}

/** The member at index `i` as a decimal string. */
export function intsetGet(s: string, i: number): string {
  const w = s.charCodeAt(0) & 0x7f;
  const p = 1 + i * w;
  if (w !== 8) return String(small(s, p, w));
  const hi = i32(s, p + 4);
  const lo = u32(s, p);
  // |value| < 2^53 when hi fits 22 bits: exact as a double
  if (hi >= -0x200000 && hi < 0x200000) return String(hi * TWO32 + lo);
  return String((BigInt(hi) << 32n) + BigInt(lo));
}

/** Every member in ascending order, as decimal strings. */
export function intsetMembers(s: string): string[] {
  const n = intsetCount(s);
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = intsetGet(s, i);
  return out;
}

/**
 * Binary search for the parsed key (intsetSearch): its index when present,
 * else -(insertion index) - 1.
 */
export function searchKey(s: string): number {
  const w = s.charCodeAt(0) & 0x7f;
  const n = (s.length - 1) / w;
  // wider than every member: below or above them all
  if (key.w > w) return key.hi < 0 ? -1 : -(n + 1);
  let lo = 0;
  let hi = n - 1;
  if (w !== 8) {
    const v = key.v;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = small(s, 1 + mid * w, w);
      if (x < v) lo = mid + 1;
      else if (x > v) hi = mid - 1;
      else return mid;
    }
    return -(lo + 1);
  }
  const kh = key.hi;
  const kl = key.lo;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const p = 1 + mid * 8;
    const xh = i32(s, p + 4);
    const d = xh !== kh ? xh - kh : u32(s, p) - kl;
    if (d < 0) lo = mid + 1;
    else if (d > 0) hi = mid - 1;
    else return mid;
  }
  return -(lo + 1);
}

// ---- building: one scratch Buffer, read back as a flat string ----

let out = Buffer.allocUnsafe(4096);

function room(n: number): void {
  if (n > out.length) out = Buffer.allocUnsafe(Math.max(n, out.length * 2));
}

/** Writes the parsed key at `p` with width `w`. */
function writeKey(p: number, w: number): void {
  if (w === 2) out.writeInt16LE(key.v, p);
  else if (w === 4) out.writeInt32LE(key.v, p);
  else {
    out.writeUInt32LE(key.lo, p);
    out.writeInt32LE(key.hi, p + 4);
  }
}

/** Copies chars from..to of `s` to `p`. */
function copy(s: string, from: number, to: number, p: number): void {
  if (to > from) out.latin1Write(from === 0 && to === s.length ? s : s.slice(from, to), p, to - from);
}

/**
 * `s` with the parsed key added (intsetAdd), or null when it is already a
 * member. A key wider than the members widens them all (intsetUpgradeAndAdd):
 * it then goes first (negative) or last, being outside their range.
 */
export function insertKey(s: string): string | null {
  const w = s.charCodeAt(0) & 0x7f;
  const n = (s.length - 1) / w;
  if (key.w > w) {
    const nw = key.w;
    room(1 + (n + 1) * nw);
    out[0] = 0x80 | nw;
    const first = key.hi < 0;
    let p = first ? 1 + nw : 1;
    for (let i = 0; i < n; i++, p += nw) {
      const v = small(s, 1 + i * w, w);
      if (nw === 4) out.writeInt32LE(v, p);
      else {
        out.writeInt32LE(v, p);
        out.writeInt32LE(v < 0 ? -1 : 0, p + 4);
      }
    }
    writeKey(first ? 1 : p, nw);
    return out.latin1Slice(0, 1 + (n + 1) * nw);
  }
  const at = searchKey(s);
  if (at >= 0) return null;
  const i = -at - 1;
  const split = 1 + i * w;
  room(s.length + w);
  copy(s, 0, split, 0);
  writeKey(split, w);
  copy(s, split, s.length, split + w);
  return out.latin1Slice(0, s.length + w);
}

/**
 * Writes members from..to of `s` (width `w`) at `p` of the scratch buffer
 * with width `nw` (at least `w`); the position after them.
 */
function copyMembers(s: string, w: number, from: number, to: number, nw: number, p: number): number {
  if (to <= from) return p;
  if (nw === w) {
    copy(s, 1 + from * w, 1 + to * w, p);
    return p + (to - from) * w;
  }
  for (let i = from; i < to; i++, p += nw) {
    const v = small(s, 1 + i * w, w);
    out.writeInt32LE(v, p);
    if (nw === 8) out.writeInt32LE(v < 0 ? -1 : 0, p + 4);
  }
  return p;
}

/**
 * `s` with every member of `sorted` added: distinct canonical int64 strings
 * in ascending numeric order, none of them in `s`. The same intset as
 * insertKey() on each in turn (widened once to the widest width needed),
 * built in one pass.
 */
export function intsetMerge(s: string, sorted: readonly string[]): string {
  const w = s.charCodeAt(0) & 0x7f;
  const n = (s.length - 1) / w;
  let nw = w;
  for (let j = 0; j < sorted.length; j++) {
    parseKey(sorted[j]!);
    if (key.w > nw) nw = key.w;
  }
  room(1 + (n + sorted.length) * nw);
  out[0] = 0x80 | nw;
  let p = 1;
  let next = 0;
  for (let j = 0; j < sorted.length; j++) {
    parseKey(sorted[j]!);
    // its insertion index among the old members (a key wider than they are
    // lands before or after them all)
    const at = -searchKey(s) - 1;
    p = copyMembers(s, w, next, at, nw, p);
    writeKey(p, nw);
    p += nw;
    next = at;
  }
  p = copyMembers(s, w, next, n, nw, p);
  return out.latin1Slice(0, p);
}

/** `s` without its members at the ascending, distinct indices `sorted` (intsetRemove on each; the width stays). */
export function removeIndices(s: string, sorted: readonly number[]): string {
  const w = s.charCodeAt(0) & 0x7f;
  room(s.length - sorted.length * w);
  let p = 1;
  let from = 0;
  out[0] = s.charCodeAt(0);
  for (let k = 0; k < sorted.length; k++) {
    const i = sorted[k]!;
    copy(s, 1 + from * w, 1 + i * w, p);
    p += (i - from) * w;
    from = i + 1;
  }
  copy(s, 1 + from * w, s.length, p);
  p += s.length - (1 + from * w);
  return out.latin1Slice(0, p);
}

/** `s` without its member at index `i` (intsetRemove; the width stays). */
export function removeAt(s: string, i: number): string {
  const w = s.charCodeAt(0) & 0x7f;
  const at = 1 + i * w;
  room(s.length - w);
  copy(s, 0, at, 0);
  copy(s, at + w, s.length, at);
  return out.latin1Slice(0, s.length - w);
}

/** The intset of `sorted`: distinct canonical int64 strings in ascending numeric order. */
export function intsetFromSorted(sorted: readonly string[]): string {
  let w = 2;
  for (let i = 0; i < sorted.length; i++) {
    parseKey(sorted[i]!);
    if (key.w > w) w = key.w;
  }
  room(1 + sorted.length * w);
  out[0] = 0x80 | w;
  for (let i = 0; i < sorted.length; i++) {
    parseKey(sorted[i]!);
    writeKey(1 + i * w, w);
  }
  return out.latin1Slice(0, 1 + sorted.length * w);
}

// ---- Redis's serialized intset: <width u32 LE> <count u32 LE> <members> ----

/** Length of the Redis intset blob of `s`. */
export function intsetBlobLength(s: string): number {
  return s.length + 7;
}

/** The Redis intset blob of `s` (RDB_TYPE_SET_INTSET's payload). */
export function intsetToBlob(s: string): Buffer {
  const b = Buffer.allocUnsafe(s.length + 7);
  // the tag lands on byte 7, then the count's high byte overwrites it
  b.latin1Write(s, 7, s.length);
  b.writeUInt32LE(s.charCodeAt(0) & 0x7f, 0);
  b.writeUInt32LE(intsetCount(s), 4);
  return b;
}

/**
 * The intset held by the Redis blob in d[start, end), or null when it is
 * malformed: bad width or size, empty, or not strictly ascending
 * (intsetValidateIntegrity, deep). The members are checked in place and
 * copied as they are, without a string per member.
 */
export function intsetFromBlob(d: Uint8Array, start: number, end: number): string | null {
  const size = end - start;
  if (size < 8) return null;
  const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  const w = b.readUInt32LE(start);
  if (w !== 2 && w !== 4 && w !== 8) return null;
  const n = b.readUInt32LE(start + 4);
  if (n === 0 || 8 + n * w !== size) return null;
  let p = start + 8;
  for (let i = 1; i < n; i++, p += w) {
    const q = p + w;
    if (w === 2) {
      if (b.readInt16LE(q) <= b.readInt16LE(p)) return null;
    } else if (w === 4) {
      if (b.readInt32LE(q) <= b.readInt32LE(p)) return null;
    } else {
      const ph = b.readInt32LE(p + 4);
      const qh = b.readInt32LE(q + 4);
      if (qh < ph || (qh === ph && b.readUInt32LE(q) <= b.readUInt32LE(p))) return null;
    }
  }
  room(1 + n * w);
  out[0] = 0x80 | w;
  b.copy(out, 1, start + 8, end);
  return out.latin1Slice(0, 1 + n * w);
}
