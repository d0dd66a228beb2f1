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
 * Nodes are built with packed.ts's builder (one scratch Buffer, then
 * latin1Slice: a flat sequential string, never a tree of cons strings);
 * put() adds the backward length it has no call for. Builds do not nest:
 * finish one before beginning the next.
 */
import { begin, dataAt, finish, hdr, headerSize, moveTo, putByte, putChars, putLen, putRaw } from './packed.ts';

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

// ---- building: packed.ts's builder, plus the backward lengths ----

export { begin, finish, moveTo, putRaw, putLen as putCount } from './packed.ts';

/** Appends `x` as an element: forward length, bytes, backward length. */
export function put(x: string): void {
  const n = x.length;
  if (n < 0x80) {
    putByte(n);
    putChars(x);
    putByte(n);
    return;
  }
  putLen(n);
  putChars(x);
  // backward length: high group first, every later group flagged
  let groups = 0;
  for (let v = n; v > 0; v = Math.floor(v / 0x80)) groups++;
  for (let g = groups - 1; g >= 0; g--) {
    const v = Math.floor(n / 0x80 ** g) & 0x7f;
    putByte(g === groups - 1 ? v : v | 0x80);
  }
}

/**
 * Copies all of s into the node being built starting at char p, which may
 * lie under chars already written (they get replaced); writing goes on
 * after it. A whole string needs no slice of it made first.
 */
export function putStringAt(s: string, p: number): void {
  moveTo(p);
  putChars(s);
}

/** s[from, to) as a flat string of its own (a copy that shares nothing with s). */
export function flatCopy(s: string, from: number, to: number): string {
  begin();
  putRaw(s, from, to);
  return finish();
}
