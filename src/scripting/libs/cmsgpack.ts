/**
 * cmsgpack as Redis bundles it (deps/lua/src/lua_cmsgpack.c, 0.4.0):
 * pack(...), unpack(s), unpack_one(s [, offset]), unpack_limit(s, limit
 * [, offset]). Tables nest up to 16 levels (deeper ones pack as nil, so
 * circular tables pack), numbers with an integer value pack as integers,
 * other numbers as float when exact, else double.
 */
import { raw, cfunction, pushFunction, pushString, pushBytes, toBytes, pop, cstr, T_BOOLEAN, T_NUMBER, T_STRING, T_TABLE } from '../lua-vm.ts';

const MAX_NESTING = 16;

class Packer {
  buf = Buffer.allocUnsafe(256);
  len = 0;
  private readonly L: number;
  constructor(L: number) {
    this.L = L;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  private byte(b: number): void {
    this.room(1);
    this.buf[this.len++] = b;
  }

  private header(small: number, smallMax: number, n: number, c16: number, c32: number, c8 = -1): void {
    this.room(5);
    const b = this.buf;
    if (n <= smallMax) b[this.len++] = small | n;
    else if (c8 >= 0 && n <= 0xff) {
      b[this.len++] = c8;
      b[this.len++] = n;
    } else if (n <= 0xffff) {
      b[this.len++] = c16;
      b.writeUInt16BE(n, this.len);
      this.len += 2;
    } else {
      b[this.len++] = c32;
      b.writeUInt32BE(n, this.len);
      this.len += 4;
    }
  }

  private int(n: bigint): void {
    this.room(9);
    const b = this.buf;
    if (n >= 0n) {
      if (n <= 127n) b[this.len++] = Number(n);
      else if (n <= 0xffn) { b[this.len++] = 0xcc; b[this.len++] = Number(n); }
      else if (n <= 0xffffn) { b[this.len++] = 0xcd; b.writeUInt16BE(Number(n), this.len); this.len += 2; }
      else if (n <= 0xffffffffn) { b[this.len++] = 0xce; b.writeUInt32BE(Number(n), this.len); this.len += 4; }
      else { b[this.len++] = 0xcf; b.writeBigUInt64BE(n, this.len); this.len += 8; }
    } else if (n >= -32n) b[this.len++] = Number(n) & 0xff;
    else if (n >= -128n) { b[this.len++] = 0xd0; b[this.len++] = Number(n) & 0xff; }
    else if (n >= -32768n) { b[this.len++] = 0xd1; b.writeInt16BE(Number(n), this.len); this.len += 2; }
    else if (n >= -2147483648n) { b[this.len++] = 0xd2; b.writeInt32BE(Number(n), this.len); this.len += 4; }
    else { b[this.len++] = 0xd3; b.writeBigInt64BE(n, this.len); this.len += 8; }
  }

  private number(): void {
    const L = this.L;
    if (raw.lua_isinteger(L, -1)) return this.int(raw.lua_tointegerx(L, -1, 0));
    const d = raw.lua_tonumberx(L, -1, 0);
    if (Number.isFinite(d) && Number.isInteger(d) && d >= -9223372036854775808 && d < 9223372036854775808) return this.int(BigInt(d));
    this.room(9);
    if (Math.fround(d) === d) {
      this.buf[this.len++] = 0xca;
      this.buf.writeFloatBE(d, this.len);
      this.len += 4;
    } else {
      this.buf[this.len++] = 0xcb;
      this.buf.writeDoubleBE(d, this.len);
      this.len += 8;
    }
  }

  /** Packs the value on top and pops it (mp_encode_lua_type). */
  value(level: number): void {
    const L = this.L;
    let t = raw.lua_type(L, -1);
    if (t === T_TABLE && level === MAX_NESTING) t = -2;
    switch (t) {
      case T_STRING: {
        const s = toBytes(L, -1)!;
        this.header(0xa0, 31, s.length, 0xda, 0xdb, 0xd9);
        this.room(s.length);
        s.copy(this.buf, this.len);
        this.len += s.length;
        break;
      }
      case T_BOOLEAN:
        this.byte(raw.lua_toboolean(L, -1) ? 0xc3 : 0xc2);
        break;
      case T_NUMBER:
        this.number();
        break;
      case T_TABLE:
        // each level holds the table, a key and a value: room for them, or nesting writes past the stack
        raw.lua_checkstack(L, 3);
        if (this.isArray()) this.array(level);
        else this.map(level);
        break;
      default:
        this.byte(0xc0);
    }
    pop(L, 1);
  }

  private isArray(): boolean {
    const L = this.L;
    let count = 0;
    let max = 0;
    raw.lua_pushnil(L);
    while (raw.lua_next(L, -2) !== 0) {
      pop(L, 1);
      const n = raw.lua_type(L, -1) === T_NUMBER ? raw.lua_tonumberx(L, -1, 0) : 0;
      if (!(n > 0) || !Number.isInteger(n) || n > 2147483647) {
        pop(L, 1);
        return false;
      }
      if (n > max) max = n;
      count++;
    }
    return max === count;
  }

  private array(level: number): void {
    const L = this.L;
    const len = Number(raw.lua_rawlen(L, -1));
    this.header(0x90, 15, len, 0xdc, 0xdd);
    for (let j = 1; j <= len; j++) {
      raw.lua_pushnumber(L, j);
      raw.lua_rawget(L, -2);
      this.value(level + 1);
    }
  }

  private map(level: number): void {
    const L = this.L;
    let len = 0;
    raw.lua_pushnil(L);
    while (raw.lua_next(L, -2) !== 0) {
      pop(L, 1);
      len++;
    }
    this.header(0x80, 15, len, 0xde, 0xdf);
    raw.lua_pushnil(L);
    while (raw.lua_next(L, -2) !== 0) {
      raw.lua_pushvalue(L, -2);
      this.value(level + 1);
      this.value(level + 1);
    }
  }
}

class Unpacker {
  pos: number;
  private readonly L: number;
  private readonly b: Buffer;
  constructor(L: number, b: Buffer, pos: number) {
    this.L = L;
    this.b = b;
    this.pos = pos;
  }

  private need(n: number): void {
    if (this.b.length - this.pos < n) throw new Error('Missing bytes in input.');
  }

  /** Pushes one decoded value (mp_decode_to_lua_type). */
  value(): void {
    const L = this.L;
    const b = this.b;
    this.need(1);
    const c = b[this.pos]!;
    const num = (n: number, size: number): void => {
      raw.lua_pushnumber(L, n);
      this.pos += size;
    };
    switch (c) {
      case 0xcc: this.need(2); return num(b[this.pos + 1]!, 2);
      case 0xd0: this.need(2); return num(b.readInt8(this.pos + 1), 2);
      case 0xcd: this.need(3); return num(b.readUInt16BE(this.pos + 1), 3);
      case 0xd1: this.need(3); return num(b.readInt16BE(this.pos + 1), 3);
      case 0xce: this.need(5); return num(b.readUInt32BE(this.pos + 1), 5);
      case 0xd2: this.need(5); return num(b.readInt32BE(this.pos + 1), 5);
      case 0xcf: this.need(9); return num(Number(b.readBigUInt64BE(this.pos + 1)), 9);
      case 0xd3: this.need(9); return num(Number(b.readBigInt64BE(this.pos + 1)), 9);
      case 0xca: this.need(5); return num(b.readFloatBE(this.pos + 1), 5);
      case 0xcb: this.need(9); return num(b.readDoubleBE(this.pos + 1), 9);
      case 0xc0: raw.lua_pushnil(L); this.pos++; return;
      case 0xc3: raw.lua_pushboolean(L, 1); this.pos++; return;
      case 0xc2: raw.lua_pushboolean(L, 0); this.pos++; return;
      case 0xd9: this.need(2); return this.str(b[this.pos + 1]!, 2);
      case 0xda: this.need(3); return this.str(b.readUInt16BE(this.pos + 1), 3);
      case 0xdb: this.need(5); return this.str(b.readUInt32BE(this.pos + 1), 5);
      case 0xdc: this.need(3); this.pos += 3; return this.array(b.readUInt16BE(this.pos - 2));
      case 0xdd: this.need(5); this.pos += 5; return this.array(b.readUInt32BE(this.pos - 4));
      case 0xde: this.need(3); this.pos += 3; return this.map(b.readUInt16BE(this.pos - 2));
      case 0xdf: this.need(5); this.pos += 5; return this.map(b.readUInt32BE(this.pos - 4));
    }
    if ((c & 0x80) === 0) return num(c, 1);
    if ((c & 0xe0) === 0xe0) return num(c - 256, 1);
    if ((c & 0xe0) === 0xa0) return this.str(c & 0x1f, 1);
    if ((c & 0xf0) === 0x90) {
      this.pos++;
      return this.array(c & 0xf);
    }
    if ((c & 0xf0) === 0x80) {
      this.pos++;
      return this.map(c & 0xf);
    }
    throw new Error('Bad data format in input.');
  }

  private str(len: number, hdr: number): void {
    this.need(hdr + len);
    pushBytes(this.L, this.b, this.pos + hdr, this.pos + hdr + len);
    this.pos += hdr + len;
  }

  private array(n: number): void {
    const L = this.L;
    raw.lua_checkstack(L, 3);
    raw.lua_createtable(L, 0, 0);
    for (let i = 1; i <= n; i++) {
      raw.lua_pushnumber(L, i);
      this.value();
      raw.lua_rawset(L, -3);
    }
  }

  private map(n: number): void {
    const L = this.L;
    raw.lua_checkstack(L, 3);
    raw.lua_createtable(L, 0, 0);
    for (let i = 0; i < n; i++) {
      this.value();
      this.value();
      // a nil key (packed nil) would raise in lua_settable: store nothing, as a failed set
      if (raw.lua_type(L, -2) === 0) pop(L, 2);
      else raw.lua_rawset(L, -3);
    }
  }
}

function optInt(L: number, i: number, def: number, name: string): number {
  const t = raw.lua_type(L, i);
  if (t <= 0) return def;
  const n = t === T_NUMBER || t === T_STRING ? Number(toStringSafe(L, i)) : NaN;
  if (!Number.isInteger(n)) throw new Error(`bad argument #${i} to '${name}' (number expected, got ${t === T_STRING ? 'string' : 'no integer'})`);
  return n;
}

function toStringSafe(L: number, i: number): string {
  const b = toBytes(L, i);
  return b === null ? '' : b.toString('latin1');
}

/** mp_unpack_full: decodes up to `limit` values (all when limit = offset = 0) from `offset`. */
function unpackFull(L: number, limit: number, offset: number, name: string): number {
  const t = raw.lua_type(L, 1);
  if (t !== T_STRING && t !== T_NUMBER) throw new Error(`bad argument #1 to '${name}' (string expected, got ${t === -1 ? 'no value' : 'non-string'})`);
  const s = toBytes(L, 1)!;
  const all = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) throw new Error(`Invalid request to unpack with offset of ${offset} and limit of ${s.length}.`);
  if (offset > s.length) throw new Error(`Start offset ${offset} greater than input length ${s.length}.`);
  raw.lua_settop(L, 1);
  const u = new Unpacker(L, s, offset);
  let cnt = 0;
  const max = all ? Infinity : limit;
  while (u.pos < s.length && cnt < max) {
    raw.lua_checkstack(L, 2);
    u.value();
    cnt++;
  }
  if (!all) {
    raw.lua_pushnumber(L, u.pos >= s.length ? -1 : u.pos);
    raw.lua_rotate(L, 2, 1);
    cnt++;
  }
  return cnt;
}

let fns: Record<string, number> | null = null;

/** Pushes the cmsgpack module table. */
export function pushCmsgpack(L: number): void {
  fns ??= {
    pack: cfunction((l) => {
      const n = raw.lua_gettop(l);
      if (n === 0) throw new Error('bad argument #0 to \'pack\' (MessagePack pack needs input.)');
      const p = new Packer(l);
      for (let i = 1; i <= n; i++) {
        raw.lua_pushvalue(l, i);
        p.value(0);
      }
      pushBytes(l, p.buf, 0, p.len);
      return 1;
    }),
    unpack: cfunction((l) => unpackFull(l, 0, 0, 'unpack')),
    unpack_one: cfunction((l) => unpackFull(l, 1, optInt(l, 2, 0, 'unpack_one'), 'unpack_one')),
    unpack_limit: cfunction((l) => {
      const limit = optInt(l, 2, NaN, 'unpack_limit');
      if (Number.isNaN(limit)) throw new Error("bad argument #2 to 'unpack_limit' (number expected, got no value)");
      return unpackFull(l, limit, optInt(l, 3, 0, 'unpack_limit'), 'unpack_limit');
    }),
  };
  raw.lua_createtable(L, 0, 8);
  for (const [name, fn] of Object.entries(fns)) {
    pushFunction(L, fn);
    raw.lua_setfield(L, -2, cstr(name));
  }
  const meta: Record<string, string> = {
    _NAME: 'cmsgpack', _VERSION: 'lua-cmsgpack 0.4.0', _COPYRIGHT: 'Copyright (C) 2012, Salvatore Sanfilippo',
    _DESCRIPTION: 'MessagePack C implementation for Lua',
  };
  for (const [k, v] of Object.entries(meta)) {
    pushString(L, v);
    raw.lua_setfield(L, -2, cstr(k));
  }
}
