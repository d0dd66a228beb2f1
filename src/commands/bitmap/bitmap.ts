/**
 * Bitmap commands on string values (bitops.c): SETBIT, GETBIT, BITCOUNT,
 * BITPOS, BITOP; BITFIELD and BITFIELD_RO live in bitfield.ts. They read and
 * write the same bytes as the string commands; writes make the value raw (a Buffer).
 */
import { command, type ArgSpec, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import type { StringValue } from '../../datatypes/value.ts';
import { isOpt, parseInt64OrNull, parseInteger } from '../core/parse.ts';
import { CHUNK, WORDS_FROM, chunkOf, bitpos, bitposByte, bitsInByte, byteAt, int64Greater, parseBitOffset, popcount, stringOrNone, writableBits } from './bitmap-common.ts';
import { bitfieldCommands } from './bitfield.ts';

/** SETBIT key offset value — signals a change only when the value was created, grew or the bit flipped. */
const setbit = command({
  name: 'setbit', arity: 4, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'bitmap', since: '2.2.0', summary: 'Sets or clears the bit at offset in the string value stored at key', complexity: 'O(1)',
  args: [{ name: 'key', type: 'key' }, { name: 'offset', type: 'integer' }, { name: 'value', type: 'integer' }],
  handler(c, args) {
    const offset = parseBitOffset(c, args[2]!);
    const on = parseInt64OrNull(args[3]!);
    if (on !== 0 && on !== 1) throw new CommandError('ERR bit is not an integer or out of range');
    const key = args[1]!;
    const ks = c.ks(key);
    const v = stringOrNone(ks.get(key));
    const byte = Math.floor(offset / 8);
    const dirty = v === undefined || v.length <= byte;
    const buf = writableBits(ks, key, v, byte + 1);
    const mask = 1 << (7 - (offset & 7));
    const old = (buf[byte]! & mask) !== 0 ? 1 : 0;
    if (dirty || old !== on) {
      buf[byte] = on ? buf[byte]! | mask : buf[byte]! & ~mask;
      ks.modified(key, 'setbit');
    }
    c.reply.int(old);
  },
});

/** GETBIT key offset */
const getbit = command({
  name: 'getbit', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'bitmap', since: '2.2.0', summary: 'Returns the bit value at offset in the string value stored at key', complexity: 'O(1)',
  args: [{ name: 'key', type: 'key' }, { name: 'offset', type: 'integer' }],
  handler(c, args) {
    const offset = parseBitOffset(c, args[2]!);
    const v = stringOrNone(c.ks(args[1]!).lookupRead(args[1]!));
    if (v === undefined) return c.reply.int(0);
    const byte = Math.floor(offset / 8);
    if (byte >= v.length) return c.reply.int(0);
    c.reply.int(byteAt(v, byte) & (1 << (7 - (offset & 7))) ? 1 : 0);
  },
});

/** BYTE (false) or BIT (true), case-insensitive; anything else is a syntax error. */
function parseUnit(arg: string): boolean {
  if (isOpt(arg, 'BIT')) return true;
  if (isOpt(arg, 'BYTE')) return false;
  throw new CommandError(Err.SYNTAX);
}

/** A start/end pair turned into byte bounds, with the masks of bits outside a BIT range at its edges. */
interface ByteRange {
  start: number;
  end: number;
  firstMask: number;
  lastMask: number;
}

/** The common tail of BITCOUNT/BITPOS range parsing: negative indexes, clamping, BIT edges. */
function toByteRange(len: number, start: number, end: number, isbit: boolean): ByteRange {
  const total = isbit ? len * 8 : len;
  if (start < 0) start = total + start;
  if (end < 0) end = total + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (isbit && start <= end) {
    firstMask = ~((1 << (8 - (start & 7))) - 1) & 0xff;
    lastMask = (1 << (7 - (end & 7))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  return { start, end, firstMask, lastMask };
}

const INDEX_UNIT: ArgSpec = {
  name: 'index_unit', type: 'oneof', optional: true, since: '7.0.0',
  args: [{ name: 'byte', type: 'pure-token', token: 'BYTE' }, { name: 'bit', type: 'pure-token', token: 'BIT' }],
};

/** BITCOUNT key [start end [BYTE|BIT]] — the range is parsed before the key is looked up (Redis 7.4, #11734 / #12394). */
const bitcount = command({
  name: 'bitcount', arity: -2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'bitmap', since: '2.6.0', summary: 'Count set bits in a string', complexity: 'O(N)',
  args: [
    { name: 'key', type: 'key' },
    { name: 'index', type: 'block', optional: true, args: [{ name: 'start', type: 'integer' }, { name: 'end', type: 'integer' }, INDEX_UNIT] },
  ],
  handler(c, args) {
    const argc = args.length;
    const lookup = (): StringValue | undefined => stringOrNone(c.ks(args[1]!).lookupRead(args[1]!));
    if (argc === 2) {
      const whole = lookup();
      return c.reply.int(whole === undefined ? 0 : popcount(whole, 0, whole.length));
    }
    if (argc !== 4 && argc !== 5) throw new CommandError(Err.SYNTAX);
    const start = parseInteger(args[2]!);
    const end = parseInteger(args[3]!);
    const isbit = argc === 5 && parseUnit(args[4]!);
    const v = lookup();
    if (v === undefined) return c.reply.int(0);
    if (start < 0 && end < 0 && int64Greater(args[2]!, start, args[3]!, end)) return c.reply.int(0);
    const r = toByteRange(v.length, start, end, isbit);
    if (r.start > r.end) return c.reply.int(0);
    let n = popcount(v, r.start, r.end - r.start + 1);
    // bits of the edge bytes outside a BIT range were counted: take them off
    if (r.firstMask !== 0) n -= bitsInByte(byteAt(v, r.start) & r.firstMask);
    if (r.lastMask !== 0) n -= bitsInByte(byteAt(v, r.end) & r.lastMask);
    c.reply.int(n);
  },
});

/** Redis's search over a byte range with masked edge bytes; returns [pos relative to the last segment, its start byte, its byte count]. */
function searchRange(v: StringValue, r: ByteRange, bit: number): [number, number, number] {
  let start = r.start;
  let bytes = r.end - r.start + 1;
  let pos: number;
  if (r.firstMask) {
    let b = byteAt(v, start);
    b = bit ? b & ~r.firstMask : b | r.firstMask;
    if (r.lastMask && bytes === 1) b = bit ? b & ~r.lastMask : b | r.lastMask;
    pos = bitposByte(b & 0xff, bit);
    if (bytes === 1 || (pos !== -1 && pos !== 8)) return [pos, start, bytes];
    start++;
    bytes--;
  }
  const cur = bytes - (r.lastMask ? 1 : 0);
  if (cur > 0) {
    pos = bitpos(v, start, cur, bit);
    if (bytes === cur || (pos !== -1 && pos !== cur * 8)) return [pos, start, bytes];
    start += cur;
    bytes -= cur;
  }
  const b = byteAt(v, r.end);
  pos = bitposByte((bit ? b & ~r.lastMask : b | r.lastMask) & 0xff, bit);
  return [pos, start, bytes];
}

/**
 * BITPOS key bit [start [end [BYTE|BIT]]] — looking for a 0 without an end,
 * the bits right of the string count as zeros; with an end given they don't (-1).
 */
const bitposCmd = command({
  name: 'bitpos', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'bitmap', since: '2.8.7', summary: 'Find first bit set or clear in a string', complexity: 'O(N)',
  args: [
    { name: 'key', type: 'key' }, { name: 'bit', type: 'integer' },
    {
      name: 'index', type: 'block', optional: true,
      args: [{ name: 'start', type: 'integer' }, { name: 'end_index', type: 'block', optional: true, args: [{ name: 'end', type: 'integer' }, INDEX_UNIT] }],
    },
  ],
  handler(c, args) {
    const bit = parseInteger(args[2]!);
    if (bit !== 0 && bit !== 1) throw new CommandError('ERR The bit argument must be 1 or 0.');
    const argc = args.length;
    if (argc > 6) throw new CommandError(Err.SYNTAX);
    // the range is parsed before the key is looked up (Redis 7.4, #11734)
    const startArg = argc >= 4 ? parseInteger(args[3]!) : 0;
    const isbit = argc === 6 && parseUnit(args[5]!);
    const endGiven = argc >= 5;
    const endArg = endGiven ? parseInteger(args[4]!) : 0;
    const v = stringOrNone(c.ks(args[1]!).lookupRead(args[1]!));
    if (v === undefined) return c.reply.int(bit ? -1 : 0);
    let r: ByteRange;
    if (argc === 3) r = { start: 0, end: v.length - 1, firstMask: 0, lastMask: 0 };
    else r = toByteRange(v.length, startArg, endGiven ? endArg : isbit ? v.length * 8 + 7 : v.length - 1, isbit);
    // an empty range holds neither a 0 nor a 1
    if (r.start > r.end) return c.reply.int(-1);
    const [pos, start, bytes] = searchRange(v, r, bit);
    if (endGiven && bit === 0 && pos === bytes * 8) return c.reply.int(-1);
    c.reply.int(pos === -1 ? -1 : pos + start * 8);
  },
});

const AND = 0, OR = 1, XOR = 2, NOT = 3;

function bitopCode(name: string): number {
  if (isOpt(name, 'AND')) return AND;
  if (isOpt(name, 'OR')) return OR;
  if (isOpt(name, 'XOR')) return XOR;
  if (isOpt(name, 'NOT')) return NOT;
  throw new CommandError(Err.SYNTAX);
}

/** res[at, at+len) op= bytes [0, len) of the word-aligned b. */
function combineWords(res: Buffer, at: number, b: Buffer, len: number, op: number): void {
  const words = Math.floor(len / 4);
  const r = new Int32Array(res.buffer, res.byteOffset + at, words);
  const w = new Int32Array(b.buffer, b.byteOffset, words);
  if (op === AND) for (let k = 0; k < words; k++) r[k]! &= w[k]!;
  else if (op === OR) for (let k = 0; k < words; k++) r[k]! |= w[k]!;
  else for (let k = 0; k < words; k++) r[k]! ^= w[k]!;
}

/** res[0, len) op= the first len bytes of s: by 32-bit words where it pays, through the chunk scratch when s is not an aligned Buffer. */
function combine(res: Buffer, s: StringValue, len: number, op: number): void {
  let i = 0;
  if (len >= WORDS_FROM) {
    const whole = len - (len % 4);
    if (typeof s !== 'string' && (s.byteOffset & 3) === 0) combineWords(res, 0, s, whole, op);
    else {
      for (let at = 0; at < whole; at += CHUNK) {
        const n = Math.min(CHUNK, whole - at);
        combineWords(res, at, chunkOf(s, at, n), n, op);
      }
    }
    i = whole;
  }
  if (op === AND) for (; i < len; i++) res[i]! &= byteAt(s, i);
  else if (op === OR) for (; i < len; i++) res[i]! |= byteAt(s, i);
  else for (; i < len; i++) res[i]! ^= byteAt(s, i);
}

/** The BITOP result of maxlen bytes; missing and shorter sources are zero-padded. */
function computeBitop(op: number, srcs: ReadonlyArray<StringValue | undefined>, maxlen: number): Buffer {
  // allocUnsafeSlow: a fresh ArrayBuffer of its own, so word views are aligned
  const res = Buffer.allocUnsafeSlow(maxlen);
  const first = srcs[0];
  const len0 = first === undefined ? 0 : first.length;
  if (first !== undefined) {
    if (typeof first === 'string') res.latin1Write(first, 0);
    else first.copy(res, 0);
  }
  res.fill(0, len0);
  if (op === NOT) {
    const words = Math.floor(maxlen / 4);
    const r = new Int32Array(res.buffer, res.byteOffset, words);
    for (let k = 0; k < words; k++) r[k] = ~r[k]!;
    for (let i = words * 4; i < maxlen; i++) res[i] = ~res[i]!;
    return res;
  }
  for (let j = 1; j < srcs.length; j++) {
    const s = srcs[j];
    const len = s === undefined ? 0 : s.length;
    if (len !== 0) combine(res, s!, len, op);
    if (op === AND && len < maxlen) res.fill(0, len);
  }
  return res;
}

/** BITOP AND|OR|XOR|NOT destkey key [key ...] — missing keys are zero bytes; an empty result deletes destkey. */
const bitop = command({
  name: 'bitop', arity: -4, flags: ['write', 'denyoom'], firstKey: 2, lastKey: -1, step: 1,
  group: 'bitmap', since: '2.6.0', summary: 'Perform bitwise operations between strings', complexity: 'O(N)',
  args: [{ name: 'operation', type: 'string' }, { name: 'destkey', type: 'key' }, { name: 'key', type: 'key', multiple: true }],
  handler(c, args) {
    const op = bitopCode(args[1]!);
    if (op === NOT && args.length !== 4) throw new CommandError('ERR BITOP NOT must be called with a single source key.');
    const srcs = new Array<StringValue | undefined>(args.length - 3);
    let maxlen = 0;
    for (let j = 3; j < args.length; j++) {
      const v = stringOrNone(c.ks(args[j]!).lookupRead(args[j]!));
      srcs[j - 3] = v;
      if (v !== undefined && v.length > maxlen) maxlen = v.length;
    }
    const dest = args[2]!;
    const ks = c.ks(dest);
    if (maxlen === 0) {
      if (ks.delete(dest)) ks.modified(dest, 'del');
    } else {
      ks.set(dest, computeBitop(op, srcs, maxlen));
      ks.modified(dest, 'set');
    }
    c.reply.int(maxlen);
  },
});

export const bitmapCommands: CommandSpec[] = [setbit, getbit, bitcount, bitposCmd, bitop, ...bitfieldCommands];
