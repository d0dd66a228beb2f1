/**
 * List nodes: a run of list elements packed into one flat latin1 string, the
 * JS counterpart of a quicklist node's listpack.
 *
 * Each element is written two-way, as listpack does, so a node reads from
 * either end (RPOP, LINDEX -1 and right-side scans need no forward walk):
 *   forward length   the varint of packed.ts (low 7-bit group first, high
 *                    bit set while more follow), read with dataAt()
 *   bytes
 *   backward length  the same groups in reverse order, read right to left:
 *                    the rightmost char holds the low group, the high bit
 *                    set while more groups follow to its left
 * Both lengths take headerSize(len) chars (one below 128 bytes), so an
 * element of len bytes takes len + 2 * headerSize(len) chars.
 *
 * packed.ts's builder has no way to write the backward length, so nodes are
 * built here with the same technique: one scratch Buffer, then latin1Slice,
 * which yields a flat sequential string (never `+`, which leaves cons-string
 * trees). Builds do not nest: finish one before beginning the next.
 */
import { dataAt, hdr, headerSize } from './packed.ts';

/** Chars `x` takes as a node element. */
export function elemSize(x: string): number {
  return x.length + 2 * headerSize(x.length);
}

/** Position just past the element starting at `p` (its data start and length go to `at`). */
export function nextElem(s: string, p: number): number {
  const c = s.charCodeAt(p);
  if (c < 0x80) {
    at.data = p + 1;
    at.len = c;
    return p + 2 + c;
  }
  const d = dataAt(s, p);
  at.data = d;
  at.len = hdr.len;
  return d + hdr.len + headerSize(hdr.len);
}

/** Data position and length of the element read last by nextElem / prevElem. */
export const at = { data: 0, len: 0 };

/** Start of the element that ends at `end` (its data start and length go to `at`). */
export function prevElem(s: string, end: number): number {
  let p = end - 1;
  let c = s.charCodeAt(p);
  if (c < 0x80) {
    at.data = p - c;
    at.len = c;
    return p - c - 1;
  }
  let len = c & 0x7f;
  let mul = 0x80;
  while (c >= 0x80) {
    c = s.charCodeAt(--p);
    len += (c & 0x7f) * mul;
    mul *= 0x80;
  }
  const d = p - len;
  at.data = d;
  at.len = len;
  return d - headerSize(len);
}

/** End of the element read last by nextElem / prevElem. */
export function lastEnd(): number {
  return at.data + at.len + headerSize(at.len);
}

/** Whether the element read last (by nextElem / prevElem) of `s` equals `x`. */
export function lastIs(s: string, x: string): boolean {
  return at.len === x.length && s.startsWith(x, at.data);
}

/** The element read last (by nextElem / prevElem) of `s`. */
export function lastItem(s: string): string {
  return s.slice(at.data, at.data + at.len);
}

/**
 * Position of element `i` of the `count` elements in s[from, to): walks from
 * the nearer end, as lpSeek does. Its data and length go to `at`.
 */
export function seek(s: string, from: number, to: number, count: number, i: number): number {
  if (i <= count >>> 1) {
    let p = from;
    for (let k = 0; k < i; k++) p = nextElem(s, p);
    nextElem(s, p);
    return p;
  }
  let p = to;
  for (let k = count; k > i; k--) p = prevElem(s, p);
  nextElem(s, p);
  return p;
}

// ---- building ----

/** Elements this short are copied char by char: cheaper than a native call. */
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

/** Starts building a node. */
export function begin(): void {
  pos = 0;
}

/** Appends a forward varint (a single-node list's element count). */
export function putCount(n: number): void {
  reserve(5);
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 0x80);
  }
  buf[pos++] = n;
}

/** Appends `x` as an element. */
export function put(x: string): void {
  const n = x.length;
  reserve(n + 10);
  const b = buf;
  if (n < 0x80) {
    b[pos++] = n;
    if (n <= SHORT) for (let i = 0; i < n; i++) b[pos++] = x.charCodeAt(i);
    else pos += b.latin1Write(x, pos, n);
    b[pos++] = n;
    return;
  }
  putCount(n);
  pos += b.latin1Write(x, pos, n);
  // backward length: high group first, every later group flagged
  let groups = 0;
  for (let v = n; v > 0; v = Math.floor(v / 0x80)) groups++;
  for (let g = groups - 1; g >= 0; g--) {
    const v = Math.floor(n / 0x80 ** g) & 0x7f;
    b[pos++] = g === groups - 1 ? v : v | 0x80;
  }
}

/** Appends chars from..to of an existing node as they are (whole elements). */
export function putRaw(s: string, from: number, to: number): void {
  const n = to - from;
  if (n <= 0) return;
  reserve(n);
  if (n <= SHORT) {
    const b = buf;
    for (let i = from; i < to; i++) b[pos++] = s.charCodeAt(i);
  } else pos += buf.latin1Write(from === 0 && to === s.length ? s : s.slice(from, to), pos, n);
}

/**
 * Copies all of s into the node being built starting at char p, which may
 * lie under chars already written (they get replaced); writing goes on
 * after it. A whole string needs no slice of it made first.
 */
export function putStringAt(s: string, p: number): void {
  pos = p;
  const n = s.length;
  reserve(n);
  if (n <= SHORT) {
    const b = buf;
    for (let i = 0; i < n; i++) b[pos++] = s.charCodeAt(i);
  } else pos += buf.latin1Write(s, pos, n);
}

/** Moves the write position to char p (to write over a prefix, or past it again). */
export function moveTo(p: number): void {
  pos = p;
}

/** The node built since begin(). */
export function finish(): string {
  return buf.latin1Slice(0, pos);
}

/** s[from, to) as a flat string of its own (a copy that shares nothing with s). */
export function flatCopy(s: string, from: number, to: number): string {
  begin();
  putRaw(s, from, to);
  return finish();
}
