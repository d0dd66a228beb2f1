/**
 * struct as Redis bundles it (deps/lua/src/lua_struct.c, Roberto
 * Ierusalimschy's library): pack(fmt, ...), unpack(fmt, s [, pos]),
 * size(fmt), with the x86-64 sizes and alignment Redis is built with
 * (long and size_t 8 bytes, little-endian native, max alignment 8).
 */
import { raw, cfunction, pushFunction, pushBytes, toBytes, cstr, T_NUMBER, T_STRING } from '../lua-vm.ts';

const MAXINTSIZE = 32;
const MAXALIGN = 8;
const MASK64 = (1n << 64n) - 1n;

interface Header {
  little: boolean;
  align: number;
}

class Fmt {
  i = 0;
  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }
  get done(): boolean {
    return this.i >= this.s.length || this.s.charCodeAt(this.i) === 0;
  }
  next(): string {
    return this.s[this.i++]!;
  }
  num(df: number): number {
    if (!isDigit(this.s[this.i])) return df;
    let a = 0;
    while (isDigit(this.s[this.i])) {
      const d = this.s.charCodeAt(this.i++) - 48;
      if (a > Math.floor(2147483647 / 10) || a * 10 > 2147483647 - d) throw new Error('integral size overflow');
      a = a * 10 + d;
    }
    return a;
  }
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

function optSize(opt: string, f: Fmt): number {
  switch (opt) {
    case 'B': case 'b': return 1;
    case 'H': case 'h': return 2;
    case 'L': case 'l': case 'T': return 8;
    case 'f': return 4;
    case 'd': return 8;
    case 'x': return 1;
    case 'c': return f.num(1);
    case 'i': case 'I': {
      const sz = f.num(4);
      if (sz > MAXINTSIZE) throw new Error(`integral size ${sz} is larger than limit of ${MAXINTSIZE}`);
      return sz;
    }
    default: return 0;
  }
}

function toAlign(len: number, h: Header, opt: string, size: number): number {
  if (size === 0 || opt === 'c') return 0;
  if (size > h.align) size = h.align;
  return (size - (len & (size - 1))) & (size - 1);
}

function control(opt: string, f: Fmt, h: Header): void {
  switch (opt) {
    case ' ': return;
    case '>': h.little = false; return;
    case '<': h.little = true; return;
    case '!': {
      const a = f.num(MAXALIGN);
      if (!(a > 0 && (a & (a - 1)) === 0)) throw new Error(`alignment ${a} is not a power of 2`);
      h.align = a;
      return;
    }
    default: throw new Error(`bad argument #1 to 'pack' (invalid format option '${opt}')`);
  }
}

function checkNumber(L: number, arg: number, fname: string): number {
  const t = raw.lua_type(L, arg);
  const n = t === T_NUMBER ? raw.lua_tonumberx(L, arg, 0) : t === T_STRING ? Number(toBytes(L, arg)!.toString('latin1')) : NaN;
  if (t !== T_NUMBER && Number.isNaN(n)) throw new Error(`bad argument #${arg} to '${fname}' (number expected, got ${t === -1 ? 'no value' : 'other'})`);
  return n;
}

function checkBytes(L: number, arg: number, fname: string): Buffer {
  const t = raw.lua_type(L, arg);
  if (t !== T_STRING && t !== T_NUMBER) throw new Error(`bad argument #${arg} to '${fname}' (string expected, got ${t === -1 ? 'no value' : 'other'})`);
  return toBytes(L, arg)!;
}

function pack(L: number): number {
  const f = new Fmt(checkBytes(L, 1, 'pack').toString('latin1'));
  const h: Header = { little: true, align: 1 };
  const out: number[] = [];
  let arg = 2;
  while (!f.done) {
    const opt = f.next();
    let size = optSize(opt, f);
    let pad = toAlign(out.length, h, opt, size);
    while (pad-- > 0) out.push(0);
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
        const n = checkNumber(L, arg++, 'pack');
        let v = n < 0 ? BigInt.asUintN(64, BigInt(Math.trunc(Math.max(n, -9223372036854775808)))) : BigInt(Math.trunc(Math.min(n, 18446744073709549568)));
        v &= MASK64;
        const bytes: number[] = [];
        for (let i = 0; i < size; i++) {
          bytes.push(Number(v & 0xffn));
          v >>= 8n;
        }
        out.push(...(h.little ? bytes : bytes.reverse()));
        break;
      }
      case 'x':
        out.push(0);
        break;
      case 'f': case 'd': {
        const b = Buffer.alloc(size);
        const n = checkNumber(L, arg++, 'pack');
        if (opt === 'f') {
          if (h.little) b.writeFloatLE(n);
          else b.writeFloatBE(n);
        } else if (h.little) b.writeDoubleLE(n);
        else b.writeDoubleBE(n);
        out.push(...b);
        break;
      }
      case 'c': case 's': {
        const s = checkBytes(L, arg++, 'pack');
        if (size === 0) size = s.length;
        if (s.length < size) throw new Error(`bad argument #${arg} to 'pack' (string too short)`);
        for (let i = 0; i < size; i++) out.push(s[i]!);
        if (opt === 's') {
          out.push(0);
          size++;
        }
        break;
      }
      default:
        control(opt, f, h);
    }
  }
  const buf = Buffer.from(out);
  pushBytes(L, buf, 0, buf.length);
  return 1;
}

function unpack(L: number): number {
  const f = new Fmt(checkBytes(L, 1, 'unpack').toString('latin1'));
  const data = checkBytes(L, 2, 'unpack');
  const ld = data.length;
  let pos = raw.lua_type(L, 3) > 0 ? Math.trunc(checkNumber(L, 3, 'unpack')) : 1;
  if (!(pos > 0)) throw new Error("bad argument #3 to 'unpack' (offset must be 1 or greater)");
  pos--;
  const h: Header = { little: true, align: 1 };
  let n = 0;
  let last = NaN;
  while (!f.done) {
    const opt = f.next();
    let size = optSize(opt, f);
    pos += toAlign(pos, h, opt, size);
    if (!(size <= ld && pos <= ld - size)) throw new Error("bad argument #2 to 'unpack' (data string too short)");
    raw.lua_checkstack(L, 2);
    switch (opt) {
      case 'b': case 'B': case 'h': case 'H': case 'l': case 'L': case 'T': case 'i': case 'I': {
        let v = 0n;
        for (let i = 0; i < size; i++) {
          const byte = BigInt(data[h.little ? pos + size - 1 - i : pos + i]!);
          v = ((v << 8n) | byte) & MASK64;
        }
        if (opt >= 'a' && size > 0) {
          const bits = BigInt(Math.min(size * 8, 64));
          v = BigInt.asIntN(64, size * 8 < 64 && (v >> (bits - 1n)) & 1n ? v | (MASK64 << bits) : v);
        }
        last = Number(v);
        raw.lua_pushnumber(L, last);
        n++;
        break;
      }
      case 'x':
        break;
      case 'f': case 'd': {
        last = opt === 'f' ? (h.little ? data.readFloatLE(pos) : data.readFloatBE(pos)) : h.little ? data.readDoubleLE(pos) : data.readDoubleBE(pos);
        raw.lua_pushnumber(L, last);
        n++;
        break;
      }
      case 'c': {
        if (size === 0) {
          if (n === 0 || Number.isNaN(last)) throw new Error("format 'c0' needs a previous size");
          size = last;
          raw.lua_settop(L, -2);
          n--;
          if (!(size <= ld && pos <= ld - size)) throw new Error("bad argument #2 to 'unpack' (data string too short)");
        }
        pushBytes(L, data, pos, pos + size);
        last = NaN;
        n++;
        break;
      }
      case 's': {
        const e = data.indexOf(0, pos);
        if (e < 0) throw new Error('unfinished string in data');
        size = e - pos + 1;
        pushBytes(L, data, pos, e);
        last = NaN;
        n++;
        break;
      }
      default:
        control(opt, f, h);
    }
    pos += size;
  }
  raw.lua_pushnumber(L, pos + 1);
  return n + 1;
}

function size(L: number): number {
  const f = new Fmt(checkBytes(L, 1, 'size').toString('latin1'));
  const h: Header = { little: true, align: 1 };
  let pos = 0;
  while (!f.done) {
    const opt = f.next();
    const sz = optSize(opt, f);
    pos += toAlign(pos, h, opt, sz);
    if (opt === 's') throw new Error("bad argument #1 to 'size' (option 's' has no fixed size)");
    if (opt === 'c' && sz === 0) throw new Error("bad argument #1 to 'size' (option 'c0' has no fixed size)");
    if (!/[a-zA-Z0-9]/.test(opt)) control(opt, f, h);
    pos += sz;
  }
  raw.lua_pushnumber(L, pos);
  return 1;
}

let fns: Record<string, number> | null = null;

/** Pushes the struct module table. */
export function pushStruct(L: number): void {
  fns ??= { pack: cfunction(pack), unpack: cfunction(unpack), size: cfunction(size) };
  raw.lua_createtable(L, 0, 3);
  for (const [name, fn] of Object.entries(fns)) {
    pushFunction(L, fn);
    raw.lua_setfield(L, -2, cstr(name));
  }
}
