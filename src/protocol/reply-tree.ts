/**
 * A reply in RESP bytes as a tree: the shape of proto/shardis.proto's Reply
 * message (the plain object @grpc/proto-loader encodes: one field of the
 * `value` oneof set), which the gRPC front end sends as is and the SSE
 * streams flatten into event text.
 * Strings stay bytes (binary-safe), integers keep every digit (a decimal
 * string, which the encoder reads as an int64), RESP3 maps and sets become
 * arrays (keys and values alternating, as RESP2 sends them), verbatim
 * strings lose their format prefix and attributes are skipped, as RESP2
 * clients never see them.
 */

export type ReplyMessage =
  | { string: Buffer }
  | { error: string }
  | { integer: string }
  | { big_integer: string }
  | { double: number }
  | { boolean: boolean }
  | { null: Record<string, never> }
  | { array: { items: ReplyMessage[] } };

const CR = 13;
const PUSH = 62;
const NULL: ReplyMessage = { null: {} };

function lineEnd(buf: Buffer, p: number, end: number): number {
  const i = buf.indexOf(CR, p);
  if (i < 0 || i + 1 >= end) throw new RangeError('truncated reply');
  return i;
}

/** A RESP3 double's text as a number (inf, -inf and nan spelled as Redis writes them). */
function doubleOf(text: string): number {
  if (text === 'inf') return Infinity;
  if (text === '-inf') return -Infinity;
  if (text === 'nan') return NaN;
  return Number(text);
}

/** The reply at `p` (before `end`) and where the next one starts; strings are views of `buf`. */
export function replyMessage(buf: Buffer, p: number, end: number): { reply: ReplyMessage; next: number } {
  const type = buf[p]!;
  const eol = lineEnd(buf, p + 1, end);
  const next = eol + 2;
  switch (type) {
    case 43: // + simple string
      return { reply: { string: buf.subarray(p + 1, eol) }, next };
    case 45: // - error
      return { reply: { error: buf.toString('utf8', p + 1, eol) }, next };
    case 58: // : integer
      return { reply: { integer: buf.latin1Slice(p + 1, eol) }, next };
    case 40: // ( big number
      return { reply: { big_integer: buf.latin1Slice(p + 1, eol) }, next };
    case 44: // , double
      return { reply: { double: doubleOf(buf.latin1Slice(p + 1, eol)) }, next };
    case 35: // # boolean
      return { reply: { boolean: buf[p + 1] === 116 }, next };
    case 95: // _ null
      return { reply: NULL, next };
    case 36: // $ bulk string
    case 61: // = verbatim string (its 4-byte format prefix dropped)
    case 33: {
      // ! bulk error
      const n = Number(buf.latin1Slice(p + 1, eol));
      if (n < 0) return { reply: NULL, next };
      if (next + n + 2 > end) throw new RangeError('truncated reply');
      if (type === 33) return { reply: { error: buf.toString('utf8', next, next + n) }, next: next + n + 2 };
      return { reply: { string: buf.subarray(type === 61 ? next + 4 : next, next + n) }, next: next + n + 2 };
    }
    case 42: // * array
    case 126: // ~ set
    case PUSH:
    case 37: {
      // % map: key, value, … flattened
      let n = Number(buf.latin1Slice(p + 1, eol));
      if (n < 0) return { reply: NULL, next };
      if (type === 37) n *= 2;
      const items: ReplyMessage[] = [];
      let q = next;
      for (let i = 0; i < n; i++) {
        const r = replyMessage(buf, q, end);
        items.push(r.reply);
        q = r.next;
      }
      return { reply: { array: { items } }, next: q };
    }
    case 124: {
      // | attribute: skipped, the reply follows
      const n = Number(buf.latin1Slice(p + 1, eol)) * 2;
      let q = next;
      for (let i = 0; i < n; i++) q = replyMessage(buf, q, end).next;
      return replyMessage(buf, q, end);
    }
    default:
      throw new RangeError(`unknown reply type ${String.fromCharCode(type)}`);
  }
}

/**
 * A command's reply among the bytes it wrote: the first that is not a RESP3
 * push (client-side caching's invalidations may come with it, and have no
 * place in a stream of one Reply per command); null when there is none
 * (CLIENT REPLY OFF).
 */
export function commandReply(buf: Buffer): ReplyMessage | null {
  for (let p = 0; p < buf.length; ) {
    const r = replyMessage(buf, p, buf.length);
    if (buf[p] !== PUSH) return r.reply;
    p = r.next;
  }
  return null;
}
