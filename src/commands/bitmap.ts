/** Bitmap commands on string values: SETBIT, GETBIT (the rest of the family comes with issue 3). */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { isString, type Value } from '../datatypes/value.ts';
import { parseInt64OrNull } from './parse.ts';

const MAX_BITS = 512 * 1024 * 1024 * 8;

function bitOffset(s: string): number {
  const n = parseInt64OrNull(s);
  if (n === null || n < 0 || n >= MAX_BITS) throw new CommandError('ERR bit offset is not an integer or out of range');
  return n;
}

function checkString(v: Value | undefined): void {
  if (v !== undefined && !isString(v)) throw new CommandError(Err.WRONGTYPE);
}

/** SETBIT key offset value — the value becomes a mutable Buffer. */
const setbit = command({
  name: 'setbit', arity: 4, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'bitmap', since: '2.2.0', summary: 'Sets or clears the bit at offset of the string value. Creates the key if it doesn\'t exist.', complexity: 'O(1)',
  handler(c, args) {
    const offset = bitOffset(args[2]!);
    if (args[3] !== '0' && args[3] !== '1') throw new CommandError('ERR bit is not an integer or out of range');
    const on = args[3] === '1';
    const key = args[1]!;
    const ks = c.ks(key);
    const v = ks.get(key);
    checkString(v);
    const byte = offset >> 3;
    let buf: Buffer;
    if (v instanceof Buffer && v.length > byte) buf = v;
    else {
      const old = v === undefined ? Buffer.alloc(0) : typeof v === 'string' ? Buffer.from(v, 'latin1') : (v as Buffer);
      buf = Buffer.alloc(Math.max(old.length, byte + 1));
      old.copy(buf);
      if (v === undefined) ks.set(key, buf);
      else ks.replace(key, buf);
    }
    const mask = 1 << (7 - (offset & 7));
    const old = (buf[byte]! & mask) !== 0;
    buf[byte] = on ? buf[byte]! | mask : buf[byte]! & ~mask;
    ks.modified(key, 'setbit');
    c.reply.int(old ? 1 : 0);
  },
});

/** GETBIT key offset */
const getbit = command({
  name: 'getbit', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'bitmap', since: '2.2.0', summary: 'Returns a bit value by offset.', complexity: 'O(1)',
  handler(c, args) {
    const offset = bitOffset(args[2]!);
    const v = c.ks(args[1]!).lookupRead(args[1]!);
    checkString(v);
    if (v === undefined) return c.reply.int(0);
    const byte = offset >> 3;
    if (byte >= (v as Buffer | string).length) return c.reply.int(0);
    const b = typeof v === 'string' ? v.charCodeAt(byte) : (v as Buffer)[byte]!;
    c.reply.int(b & (1 << (7 - (offset & 7))) ? 1 : 0);
  },
});

export const bitmapCommands: CommandSpec[] = [setbit, getbit];
