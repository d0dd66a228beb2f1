/**
 * BITFIELD and BITFIELD_RO (bitops.c bitfieldGeneric): signed (i1..i64) and
 * unsigned (u1..u63) integers at any bit offset of a string value, most
 * significant bit first. Fields up to 48 bits with increments that are safe
 * integers run on doubles; wider ones (and huge increments) on BigInt,
 * replicating Redis's 64-bit overflow checks exactly.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import type { StringValue } from '../../datatypes/value.ts';
import { isOpt, parseInt64OrNull } from '../core/parse.ts';
import { byteAt, parseBitOffset, stringOrNone, writableBits } from './bitmap-common.ts';
import type { Client } from '../../server/client.ts';

const GET = 0, SET = 1, INCRBY = 2;
const WRAP = 0, SAT = 1, FAIL = 2;
const TYPE_ERR = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
/** Widest field the double arithmetic handles exactly (with any safe-integer increment). */
const FAST_BITS = 48;

interface FieldOp {
  opcode: number;
  owtype: number;
  signed: boolean;
  bits: number;
  offset: number;
  /** SET value / INCRBY increment: as a double, and its text for BigInt when that is not exact. */
  num: number;
  text: string;
}

/** Unsigned value of the `bits` (<= 53) bits at bit offset `off` of p. */
function getUnsigned(p: Buffer, off: number, bits: number): number {
  let byte = Math.floor(off / 8);
  let bit = off - byte * 8;
  let v = 0;
  let left = bits;
  while (left > 0) {
    const take = Math.min(8 - bit, left);
    v = v * (1 << take) + ((p[byte]! >> (8 - bit - take)) & ((1 << take) - 1));
    left -= take;
    bit = 0;
    byte++;
  }
  return v;
}

/** Writes the low `bits` (<= 53) bits of the non-negative `value` at bit offset `off` of p. */
function setUnsigned(p: Buffer, off: number, bits: number, value: number): void {
  let byte = Math.floor(off / 8);
  let bit = off - byte * 8;
  let left = bits;
  while (left > 0) {
    const take = Math.min(8 - bit, left);
    left -= take;
    // ToInt32 keeps the low 32 bits exactly, enough for the `take` wanted
    const chunk = Math.floor(value / 2 ** left) & ((1 << take) - 1);
    const shift = 8 - bit - take;
    p[byte] = (p[byte]! & ~(((1 << take) - 1) << shift)) | (chunk << shift);
    bit = 0;
    byte++;
  }
}

function getBig(p: Buffer, off: number, bits: number): bigint {
  if (bits <= 32) return BigInt(getUnsigned(p, off, bits));
  return (BigInt(getUnsigned(p, off, bits - 32)) << 32n) | BigInt(getUnsigned(p, off + bits - 32, 32));
}

/** Writes `value` (taken modulo 2^bits) at bit offset `off` of p. */
function setBig(p: Buffer, off: number, bits: number, value: bigint): void {
  const u = BigInt.asUintN(bits, value);
  if (bits <= 32) return setUnsigned(p, off, bits, Number(u));
  setUnsigned(p, off, bits - 32, Number(u >> 32n));
  setUnsigned(p, off + bits - 32, 32, Number(u & 0xffffffffn));
}

/** getBitfieldTypeFromArgument: "i<1..64>" or "u<1..63>" (the C string ends at a NUL byte). */
function parseType(s: string, op: { signed: boolean; bits: number }): void {
  const c0 = s.charCodeAt(0);
  if (c0 !== 105 && c0 !== 117) throw new CommandError(TYPE_ERR); /* 'i' 'u' */
  const signed = c0 === 105;
  let digits = s.slice(1);
  const nul = digits.indexOf('\0');
  if (nul >= 0) digits = digits.slice(0, nul);
  const n = parseInt64OrNull(digits);
  if (n === null || n < 1 || n > (signed ? 64 : 63)) throw new CommandError(TYPE_ERR);
  op.signed = signed;
  op.bits = n;
}

/** The subcommands, all parsed (and all errors raised) before anything runs. */
function parseOps(c: Client, args: string[]): FieldOp[] {
  const ops: FieldOp[] = [];
  let owtype = WRAP;
  for (let j = 2; j < args.length; j++) {
    const rem = args.length - j - 1;
    const sub = args[j]!;
    let opcode: number;
    if (isOpt(sub, 'GET') && rem >= 2) opcode = GET;
    else if (isOpt(sub, 'SET') && rem >= 3) opcode = SET;
    else if (isOpt(sub, 'INCRBY') && rem >= 3) opcode = INCRBY;
    else if (isOpt(sub, 'OVERFLOW') && rem >= 1) {
      const t = args[++j]!;
      if (isOpt(t, 'WRAP')) owtype = WRAP;
      else if (isOpt(t, 'SAT')) owtype = SAT;
      else if (isOpt(t, 'FAIL')) owtype = FAIL;
      else throw new CommandError('ERR Invalid OVERFLOW type specified');
      continue;
    } else throw new CommandError(Err.SYNTAX);
    const op: FieldOp = { opcode, owtype, signed: false, bits: 0, offset: 0, num: 0, text: '' };
    parseType(args[j + 1]!, op);
    op.offset = parseBitOffset(c, args[j + 2]!, op.bits);
    if (opcode !== GET) {
      const n = parseInt64OrNull(args[j + 3]!);
      if (n === null) throw new CommandError(Err.NOT_INTEGER);
      op.num = n;
      op.text = args[j + 3]!;
    }
    ops.push(op);
    j += opcode === GET ? 2 : 3;
  }
  return ops;
}

/** Scratch for GET: up to 9 bytes copied from the value, zero-padded past its end (as Redis does). */
const scratch = Buffer.alloc(9);

function runGet(c: Client, v: StringValue | undefined, op: FieldOp): void {
  const byte = Math.floor(op.offset / 8);
  scratch.fill(0);
  const len = v === undefined ? 0 : v.length;
  for (let i = 0; i < 9 && byte + i < len; i++) scratch[i] = byteAt(v!, byte + i);
  const off = op.offset - byte * 8;
  if (op.bits <= FAST_BITS) {
    const u = getUnsigned(scratch, off, op.bits);
    c.reply.int(op.signed && u >= 2 ** (op.bits - 1) ? u - 2 ** op.bits : u);
  } else {
    const u = getBig(scratch, off, op.bits);
    c.reply.int(op.signed ? BigInt.asIntN(op.bits, u) : u);
  }
}

/**
 * SET/INCRBY on doubles (bits <= 48, safe-integer argument): the same
 * outcome as checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow.
 * Returns whether the field changed, or null when OVERFLOW FAIL stopped it.
 */
function runWriteFast(c: Client, p: Buffer, op: FieldOp): boolean | null {
  const m = 2 ** op.bits;
  const max = op.signed ? m / 2 - 1 : m - 1;
  const min = op.signed ? -m / 2 : 0;
  let old = getUnsigned(p, op.offset, op.bits);
  if (op.signed && old > max) old -= m;
  const incr = op.opcode === INCRBY;
  const x = op.num;
  let overflow = 0;
  if (incr) overflow = x > max - old ? 1 : x < min - old ? -1 : 0;
  // an unsigned SET of a negative is a huge uint64: too big, not too small
  else overflow = x > max || (!op.signed && x < 0) ? 1 : x < min ? -1 : 0;
  if (overflow !== 0 && op.owtype === FAIL) return null;
  let next: number;
  if (overflow === 0) next = incr ? old + x : x;
  else if (op.owtype === SAT) next = overflow > 0 ? max : min;
  else {
    next = (((old * (incr ? 1 : 0)) % m) + (x % m)) % m;
    if (next < 0) next += m;
    if (op.signed && next > max) next -= m;
  }
  c.reply.int(incr ? next : old);
  setUnsigned(p, op.offset, op.bits, next < 0 ? next + m : next);
  return next !== old;
}

const INT64_MAX = (1n << 63n) - 1n;

/** SET/INCRBY in exact 64-bit arithmetic, as bitops.c. */
function runWriteBig(c: Client, p: Buffer, op: FieldOp): boolean | null {
  const bits = op.bits;
  const raw = getBig(p, op.offset, bits);
  const arg = BigInt(op.text);
  const incrby = op.opcode === INCRBY;
  let overflow = 0;
  let wrapped = 0n;
  let old: bigint;
  let next: bigint;
  if (op.signed) {
    old = BigInt.asIntN(bits, raw);
    const value = incrby ? old : arg;
    const incr = incrby ? arg : 0n;
    const max = bits === 64 ? INT64_MAX : (1n << BigInt(bits - 1)) - 1n;
    const min = -max - 1n;
    const maxincr = BigInt.asIntN(64, max - value);
    const minincr = BigInt.asIntN(64, min - value);
    if (value > max || (bits !== 64 && incr > maxincr) || (value >= 0n && incr > 0n && incr > maxincr)) overflow = 1;
    else if (value < min || (bits !== 64 && incr < minincr) || (value < 0n && incr < 0n && incr < minincr)) overflow = -1;
    if (overflow !== 0) wrapped = op.owtype === SAT ? (overflow > 0 ? max : min) : BigInt.asIntN(bits, value + incr);
    next = overflow !== 0 ? wrapped : BigInt.asIntN(64, value + incr);
  } else {
    old = raw;
    const value = BigInt.asUintN(64, incrby ? old : arg);
    const incr = incrby ? arg : 0n;
    const max = (1n << BigInt(bits)) - 1n;
    const maxincr = BigInt.asIntN(64, max - value);
    const minincr = BigInt.asIntN(64, -value);
    if (value > max || (incr > 0n && incr > maxincr)) overflow = 1;
    else if (incr < 0n && incr < minincr) overflow = -1;
    if (overflow !== 0) wrapped = op.owtype === SAT ? (overflow > 0 ? max : 0n) : BigInt.asUintN(bits, value + incr);
    next = overflow !== 0 ? wrapped : BigInt.asUintN(64, value + incr);
  }
  if (overflow !== 0 && op.owtype === FAIL) return null;
  c.reply.int(incrby ? next : old);
  setBig(p, op.offset, bits, next);
  return next !== old;
}

/** bitfieldGeneric: parse everything, then look the key up (for write only when some op writes), then run in order. */
function bitfieldGeneric(c: Client, args: string[], readonlyCmd: boolean): void {
  const ops = parseOps(c, args);
  const key = args[1]!;
  const ks = c.ks(key);
  let highest = -1;
  for (const op of ops) if (op.opcode !== GET && op.offset + op.bits - 1 > highest) highest = op.offset + op.bits - 1;
  if (highest < 0) {
    const v = stringOrNone(ks.lookupRead(key));
    c.reply.array(ops.length);
    for (const op of ops) runGet(c, v, op);
    return;
  }
  if (readonlyCmd) throw new CommandError('ERR BITFIELD_RO only supports the GET subcommand');
  const v = stringOrNone(ks.get(key));
  const minLen = Math.floor(highest / 8) + 1;
  const dirty = v === undefined || v.length < minLen;
  const p = writableBits(ks, key, v, minLen);
  c.reply.array(ops.length);
  let changes = 0;
  for (const op of ops) {
    if (op.opcode === GET) {
      runGet(c, p, op);
      continue;
    }
    const changed = op.bits <= FAST_BITS && Number.isSafeInteger(op.num) ? runWriteFast(c, p, op) : runWriteBig(c, p, op);
    if (changed === null) c.reply.nullBulk();
    else if (dirty || changed) changes++;
  }
  if (changes > 0) {
    ks.modified(key, 'setbit');
    ks.shard.stats.dirty += changes - 1; // Redis adds one per changing op to server.dirty
  }
}

/** BITFIELD key [GET type offset] [SET type offset value] [INCRBY type offset increment] [OVERFLOW WRAP|SAT|FAIL] … */
const bitfield = command({
  name: 'bitfield', arity: -2, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'bitmap',
  handler(c, args) {
    bitfieldGeneric(c, args, false);
  },
});

/** BITFIELD_RO key [GET type offset …] — any write subcommand is an error (after the whole line parsed). */
const bitfieldRo = command({
  name: 'bitfield_ro', arity: -2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'bitmap',
  handler(c, args) {
    bitfieldGeneric(c, args, true);
  },
});

export const bitfieldCommands: CommandSpec[] = [bitfield, bitfieldRo];
