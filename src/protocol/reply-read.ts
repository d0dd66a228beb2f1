/**
 * Reading a RESP2 reply back, one element at a time: what the line
 * protocol (src/server/line/) needs of its session's replies (statuses,
 * errors, integers, bulk strings, and SCAN's arrays of them).
 */

export interface ReadReply {
  /** The type byte: 43 '+', 45 '-', 58 ':', 36 '$', 42 '*'. */
  type: number;
  /** A line's text, a bulk's bytes (latin1, one char per byte), an array's length; null for a null bulk or array. */
  text: string | null;
  /** Where the next element starts (an array's first element). */
  next: number;
}

/** The element of `b` at `p`. */
export function readReply(b: Buffer, p: number): ReadReply {
  const type = b[p]!;
  const eol = b.indexOf(13, p);
  if (eol < 0) throw new RangeError('truncated reply');
  const line = b.latin1Slice(p + 1, eol);
  if (type !== 36) return { type, text: type === 42 && line === '-1' ? null : line, next: eol + 2 };
  const n = Number(line);
  if (n < 0) return { type, text: null, next: eol + 2 };
  return { type, text: b.latin1Slice(eol + 2, eol + 2 + n), next: eol + 4 + n };
}
