/**
 * Replies as JSON, the way Upstash's REST API writes them (the HTTP front
 * end, src/server/http/): a reply in RESP bytes becomes a JSON value with no
 * tree in between. Integers keep every digit (a JSON number), nulls are
 * null, arrays (maps and sets flattened, as RESP2 sends them) are arrays,
 * and strings are text: UTF-8, or with `base64` every string but the simple
 * string OK in base64 (`Upstash-Encoding: base64`, binary-safe). An error
 * nested in an array (EXEC's results) is `{"error":"…"}`.
 */

export interface JsonReply {
  /** The reply as JSON text. */
  json: string;
  /** Set when the reply is an error (its text without the leading '-'). */
  error: string | null;
  /** Where the next reply starts. */
  next: number;
}

const CR = 13;

function lineEnd(buf: Buffer, p: number, end: number): number {
  const i = buf.indexOf(CR, p);
  if (i < 0 || i + 1 >= end) throw new RangeError('truncated reply');
  return i;
}

/** A JSON string of the bytes buf[from, to). */
function text(buf: Buffer, from: number, to: number, base64: boolean): string {
  return JSON.stringify(base64 ? buf.toString('base64', from, to) : buf.toString('utf8', from, to));
}

/** The reply starting at `p` (before `end`) as JSON. */
export function replyToJson(buf: Buffer, p: number, end: number, base64: boolean): JsonReply {
  const out: string[] = [];
  let error: string | null = null;
  const one = (at: number, top: boolean): number => {
    const type = buf[at]!;
    const eol = lineEnd(buf, at + 1, end);
    const next = eol + 2;
    switch (type) {
      case 43: {
        // + simple string
        const ok = eol - at === 3 && buf[at + 1] === 79 && buf[at + 2] === 75;
        out.push(ok ? '"OK"' : text(buf, at + 1, eol, base64));
        return next;
      }
      case 45: {
        // - error
        const msg = buf.toString('utf8', at + 1, eol);
        if (top) error = msg;
        out.push(top ? JSON.stringify(msg) : `{"error":${JSON.stringify(msg)}}`);
        return next;
      }
      case 58: // : integer
      case 40: // ( big number
        out.push(buf.latin1Slice(at + 1, eol));
        return next;
      case 44: {
        // , double: a number where JSON has one, else its text
        const d = buf.latin1Slice(at + 1, eol);
        out.push(Number.isFinite(Number(d)) ? String(Number(d)) : JSON.stringify(d));
        return next;
      }
      case 35: // # boolean
        out.push(buf[at + 1] === 116 ? '1' : '0');
        return next;
      case 95: // _ null
        out.push('null');
        return next;
      case 36:
      case 61: {
        // $ bulk, = verbatim (its 4-byte format prefix dropped)
        const n = Number(buf.latin1Slice(at + 1, eol));
        if (n < 0) {
          out.push('null');
          return next;
        }
        const from = type === 61 ? next + 4 : next;
        if (next + n + 2 > end) throw new RangeError('truncated reply');
        out.push(text(buf, from, next + n, base64));
        return next + n + 2;
      }
      case 42: // * array
      case 126: // ~ set
      case 62: // > push
      case 37: {
        // % map: key, value, … flattened
        let n = Number(buf.latin1Slice(at + 1, eol));
        if (n < 0) {
          out.push('null');
          return next;
        }
        if (type === 37) n *= 2;
        out.push('[');
        let q = next;
        for (let i = 0; i < n; i++) {
          if (i > 0) out.push(',');
          q = one(q, false);
        }
        out.push(']');
        return q;
      }
      case 124: {
        // | attribute: skipped, the reply follows
        const n = Number(buf.latin1Slice(at + 1, eol)) * 2;
        let q = next;
        const mark = out.length;
        for (let i = 0; i < n; i++) q = one(q, false);
        out.length = mark;
        return one(q, top);
      }
      default:
        throw new RangeError(`unknown reply type ${String.fromCharCode(type)}`);
    }
  };
  const next = one(p, true);
  return { json: out.join(''), error, next };
}

/** Every reply in buf[0, end). */
export function repliesToJson(buf: Buffer, end: number, base64: boolean): JsonReply[] {
  const out: JsonReply[] = [];
  for (let p = 0; p < end; ) {
    const r = replyToJson(buf, p, end, base64);
    out.push(r);
    p = r.next;
  }
  return out;
}

/** The elements of the array reply at `p`, each as a reply of its own (EXEC's results); null when it is not an array. */
export function arrayItemsToJson(buf: Buffer, p: number, end: number, base64: boolean): JsonReply[] | null {
  if (buf[p] !== 42) return null;
  const eol = lineEnd(buf, p + 1, end);
  const n = Number(buf.latin1Slice(p + 1, eol));
  if (n < 0) return null;
  const out: JsonReply[] = [];
  let q = eol + 2;
  for (let i = 0; i < n; i++) {
    const r = replyToJson(buf, q, end, base64);
    out.push(r);
    q = r.next;
  }
  return out;
}
