/**
 * Packed sequences: Redis's listpack idea in one flat latin1 JS string (one
 * char per byte). A small hash, set, sorted set or list node is a single
 * string instead of an object per element: one header for the garbage
 * collector, 16 bytes of it, instead of one per element.
 *
 * Layout: elements back to back, each a length prefix and then its bytes.
 * The prefix is a varint: 7 bits a char, low group first, high bit set
 * while more follow (one char below 128 bytes). The same varint can head a
 * value as its element count (read it with dataAt(s, 0)).
 *
 * Strings are immutable, so an edit builds the new string: begin(), put
 * pieces, finish(). Building goes through one scratch Buffer and
 * latin1Slice, which yields a flat sequential string; concatenating with +
 * would leave a tree of cons strings (several times the memory) behind.
 * Builds do not nest: finish one before beginning the next.
 */

/** Length of the element whose header dataAt() read last. */
export const hdr = { len: 0 };

/** Position of the bytes of the element at `p`; its length goes to hdr.len. */
export function dataAt(s: string, p: number): number {
  let c = s.charCodeAt(p++);
  if (c < 0x80) {
    hdr.len = c;
    return p;
  }
  let len = c & 0x7f;
  let mul = 0x80;
  do {
    c = s.charCodeAt(p++);
    len += (c & 0x7f) * mul;
    mul *= 0x80;
  } while (c >= 0x80);
  hdr.len = len;
  return p;
}

/** Position of the element after the one at `p`. */
export function skip(s: string, p: number): number {
  const d = dataAt(s, p);
  return d + hdr.len;
}

/** The element at `p`. */
export function itemAt(s: string, p: number): string {
  const d = dataAt(s, p);
  return s.slice(d, d + hdr.len);
}

/** Whether the element at `p` equals `x`. */
export function itemIs(s: string, p: number, x: string): boolean {
  const d = dataAt(s, p);
  return hdr.len === x.length && s.startsWith(x, d);
}

/**
 * Position of the first element equal to `x` among those at `from`,
 * then every `step`-th after it (step 2 visits a hash's fields); -1 if none.
 */
export function find(s: string, x: string, from: number, step: number): number {
  const end = s.length;
  const n = x.length;
  let p = from;
  while (p < end) {
    const d = dataAt(s, p);
    const len = hdr.len;
    if (len === n && s.startsWith(x, d)) return p;
    p = d + len;
    for (let i = 1; i < step; i++) p = skip(s, p);
  }
  return -1;
}

/** Chars the header of an element of `len` bytes takes. */
export function headerSize(len: number): number {
  return len < 0x80 ? 1 : len < 0x4000 ? 2 : len < 0x200000 ? 3 : len < 0x10000000 ? 4 : 5;
}

/** Chars `x` takes as an element. */
export function itemSize(x: string): number {
  return headerSize(x.length) + x.length;
}

/**
 * Every element from `from` to the end, in order. s.slice() may return a
 * slice that keeps all of `s` alive; `owned` copies each element out
 * through a Buffer instead (for strings kept long, as in a big form).
 */
export function unpack(s: string, from = 0, owned = false): string[] {
  const b = owned ? Buffer.from(s, 'latin1') : null;
  const out: string[] = [];
  let p = from;
  while (p < s.length) {
    const d = dataAt(s, p);
    out.push(b !== null ? b.latin1Slice(d, d + hdr.len) : s.slice(d, d + hdr.len));
    p = d + hdr.len;
  }
  return out;
}

// ---- building ----
// One scratch Buffer for every packed build (list nodes too: list-node.ts).

/** Strings this short are copied char by char: cheaper than a native call. */
const SHORT = 16;
let buf = Buffer.allocUnsafe(16384);
let pos = 0;

function reserve(n: number): void {
  if (pos + n <= buf.length) return;
  let size = buf.length * 2;
  while (size < pos + n) size *= 2;
  const next = Buffer.allocUnsafe(size);
  buf.copy(next, 0, 0, pos);
  buf = next;
}

/** Starts building a packed string. */
export function begin(): void {
  pos = 0;
}

/** Appends a varint (an element header or a count). */
export function putLen(len: number): void {
  reserve(5);
  while (len >= 0x80) {
    buf[pos++] = (len & 0x7f) | 0x80;
    len = Math.floor(len / 0x80);
  }
  buf[pos++] = len;
}

/** Appends one raw byte. */
export function putByte(b: number): void {
  reserve(1);
  buf[pos++] = b;
}

/** Appends the bytes of `x`, without a header. */
export function putChars(x: string): void {
  const n = x.length;
  reserve(n);
  if (n <= SHORT) {
    const b = buf;
    for (let i = 0; i < n; i++) b[pos++] = x.charCodeAt(i);
  } else pos += buf.latin1Write(x, pos, n);
}

/** Appends `x` as an element. */
export function putItem(x: string): void {
  putLen(x.length);
  putChars(x);
}

/** Appends chars from..to of an existing packed string as they are (whole elements). */
export function putRaw(s: string, from: number, to: number): void {
  const n = to - from;
  if (n <= 0) return;
  reserve(n);
  if (n <= SHORT) {
    const b = buf;
    for (let i = from; i < to; i++) b[pos++] = s.charCodeAt(i);
  } else pos += buf.latin1Write(from === 0 && to === s.length ? s : s.slice(from, to), pos, n);
}

/** Moves the write position to char p (to write over a prefix, or past it again). */
export function moveTo(p: number): void {
  pos = p;
}

/**
 * Appends a number as a score (sorted sets), read back by scoreAt: an
 * integer as Redis's listpack stores one, in as few bytes as it needs —
 *   one byte 0x00..0xef: the integer (byte - SCORE_BIAS), -120..119;
 *   0xf0 + k (k 1..7), then k bytes: a larger integer, zigzag, little-endian;
 *   0xff, then 8 bytes: any other double (IEEE 754, little-endian).
 * Integers use the short forms below 2^52 in magnitude (their zigzag code
 * stays exact as a double); -0 is stored as a double.
 */
export function putScore(x: number): void {
  reserve(9);
  if (Number.isInteger(x) && x < SCORE_INT_LIMIT && x > -SCORE_INT_LIMIT && !Object.is(x, -0)) {
    if (x >= -SCORE_BIAS && x < 0xf0 - SCORE_BIAS) {
      buf[pos++] = x + SCORE_BIAS;
      return;
    }
    let z = x >= 0 ? x * 2 : -x * 2 - 1;
    const at = pos++;
    let k = 0;
    while (z > 0) {
      buf[pos++] = z % 256;
      z = Math.floor(z / 256);
      k++;
    }
    buf[at] = 0xf0 + k;
    return;
  }
  buf[pos++] = 0xff;
  buf.writeDoubleLE(x, pos);
  pos += 8;
}

const SCORE_BIAS = 120;
const SCORE_INT_LIMIT = 2 ** 52;

/** The string built since begin(). */
export function finish(): string {
  return buf.latin1Slice(0, pos);
}

/** Packs `items` (from..to) as elements, after an optional count header. */
export function pack(items: readonly string[], withCount = false, from = 0, to = items.length): string {
  begin();
  if (withCount) putLen(to - from);
  for (let i = from; i < to; i++) putItem(items[i]!);
  return finish();
}

/** `s` with chars from..to replaced by the elements `items` (an edit in place, as listpack's lpInsert / lpDelete). */
export function splice(s: string, from: number, to: number, ...items: string[]): string {
  begin();
  putRaw(s, 0, from);
  for (let i = 0; i < items.length; i++) putItem(items[i]!);
  putRaw(s, to, s.length);
  return finish();
}

const f64 = new Float64Array(1);
const f64bytes = new Uint8Array(f64.buffer);

/** Where the score scoreAt read last ends. */
export const scoreEnd = { p: 0 };

/** The score stored by putScore at `p`; its end goes to scoreEnd.p. */
export function scoreAt(s: string, p: number): number {
  const c = s.charCodeAt(p);
  if (c < 0xf0) {
    scoreEnd.p = p + 1;
    return c - SCORE_BIAS;
  }
  if (c === 0xff) {
    for (let i = 0; i < 8; i++) f64bytes[i] = s.charCodeAt(p + 1 + i);
    scoreEnd.p = p + 9;
    return f64[0]!;
  }
  const k = c - 0xf0;
  let z = 0;
  for (let i = k; i > 0; i--) z = z * 256 + s.charCodeAt(p + i);
  scoreEnd.p = p + 1 + k;
  return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
}

/** Position just after the score at `p`. */
export function skipScore(s: string, p: number): number {
  const c = s.charCodeAt(p);
  return c < 0xf0 ? p + 1 : c === 0xff ? p + 9 : p + 1 + (c - 0xf0);
}

/**
 * Bytes the V8 heap spends on a sequential one-byte string of `len` chars
 * (16-byte header, 8-byte aligned): what accounting charges for a packed value.
 */
export function stringBytes(len: number): number {
  return 16 + ((len + 7) & ~7);
}
