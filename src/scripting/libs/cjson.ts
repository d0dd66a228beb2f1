/**
 * cjson as Redis bundles it (deps/lua/src/lua_cjson.c, Lua CJSON 2.1.0):
 * encode/decode, cjson.null, its configuration functions and its error
 * messages. Numbers are written with "%.14g" (encode_number_precision),
 * an empty table encodes as an object, '/' is escaped.
 */
import {
  raw, cfunction, pushString, toString, pop, cstr, LUA_REGISTRYINDEX,
  T_NIL, T_BOOLEAN, T_LIGHTUSERDATA, T_NUMBER, T_STRING, T_TABLE,
} from '../lua-vm.ts';
import { formatG } from './numfmt.ts';
import { Decoder, END, type Config } from './cjson-decode.ts';


const TYPE_NAMES = ['nil', 'boolean', 'userdata', 'number', 'string', 'table', 'function', 'userdata', 'thread'];

const ESCAPES: (string | null)[] = [];
for (let i = 0; i < 256; i++) {
  ESCAPES.push(i < 32 || i === 127 ? '\\u' + i.toString(16).padStart(4, '0') : null);
}
ESCAPES[8] = '\\b';
ESCAPES[9] = '\\t';
ESCAPES[10] = '\\n';
ESCAPES[12] = '\\f';
ESCAPES[13] = '\\r';
ESCAPES[34] = '\\"';
ESCAPES[47] = '\\/';
ESCAPES[92] = '\\\\';

function quote(s: string): string {
  let out = '"';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const e = ESCAPES[s.charCodeAt(i)];
    if (e) {
      out += s.slice(from, i) + e;
      from = i + 1;
    }
  }
  return out + s.slice(from) + '"';
}

class Encoder {
  out = '';
  private readonly L: number;
  private readonly cfg: Config;
  constructor(L: number, cfg: Config) {
    this.L = L;
    this.cfg = cfg;
  }

  fail(idx: number, reason: string): never {
    throw new Error(`Cannot serialise ${TYPE_NAMES[raw.lua_type(this.L, idx)] ?? 'no value'}: ${reason}`);
  }

  number(idx: number): string {
    const n = raw.lua_tonumberx(this.L, idx, 0);
    const mode = this.cfg.encodeInvalidNumbers;
    if (!Number.isFinite(n)) {
      if (mode === 0) this.fail(idx, 'must not be NaN or Inf');
      if (mode === 2) return 'null';
      if (Number.isNaN(n)) return 'nan';
    }
    return formatG(n, this.cfg.precision);
  }

  /** Encodes the value on top of the stack (left there). */
  value(depth: number): void {
    const L = this.L;
    switch (raw.lua_type(L, -1)) {
      case T_STRING:
        this.out += quote(toString(L, -1)!);
        return;
      case T_NUMBER:
        this.out += this.number(-1);
        return;
      case T_BOOLEAN:
        this.out += raw.lua_toboolean(L, -1) ? 'true' : 'false';
        return;
      case T_TABLE: {
        depth++;
        if (depth > this.cfg.encodeMaxDepth || raw.lua_checkstack(L, 3) === 0) {
          throw new Error(`Cannot serialise, excessive nesting (${depth})`);
        }
        const len = this.arrayLength();
        if (len > 0) this.array(depth, len);
        else this.object(depth);
        return;
      }
      case T_NIL:
        this.out += 'null';
        return;
      default:
        if (raw.lua_type(L, -1) === T_LIGHTUSERDATA && raw.lua_touserdata(L, -1) === 0) {
          this.out += 'null';
          return;
        }
        this.fail(-1, 'type not supported');
    }
  }

  /** -1: not an array; else the highest index (lua_array_length). */
  private arrayLength(): number {
    const L = this.L;
    let max = 0;
    let items = 0;
    raw.lua_pushnil(L);
    while (raw.lua_next(L, -2) !== 0) {
      if (raw.lua_type(L, -2) === T_NUMBER) {
        const k = raw.lua_tonumberx(L, -2, 0);
        if (k !== 0 && Math.floor(k) === k && k >= 1) {
          if (k > max) max = k;
          items++;
          pop(L, 1);
          continue;
        }
      }
      pop(L, 2);
      return -1;
    }
    const cfg = this.cfg;
    if (cfg.sparseRatio > 0 && max > items * cfg.sparseRatio && max > cfg.sparseSafe) {
      if (!cfg.sparseConvert) this.fail(-1, 'excessively sparse array');
      return -1;
    }
    return max;
  }

  private array(depth: number, len: number): void {
    const L = this.L;
    this.out += '[';
    for (let i = 1; i <= len; i++) {
      if (i > 1) this.out += ',';
      raw.lua_pushnumber(L, i);
      raw.lua_rawget(L, -2);
      this.value(depth);
      pop(L, 1);
    }
    this.out += ']';
  }

  private object(depth: number): void {
    const L = this.L;
    this.out += '{';
    let comma = false;
    raw.lua_pushnil(L);
    while (raw.lua_next(L, -2) !== 0) {
      if (comma) this.out += ',';
      else comma = true;
      const kt = raw.lua_type(L, -2);
      if (kt === T_NUMBER) this.out += '"' + this.number(-2) + '":';
      else if (kt === T_STRING) this.out += quote(toString(L, -2)!) + ':';
      else this.fail(-2, 'table key must be a number or string');
      this.value(depth);
      pop(L, 1);
    }
    this.out += '}';
  }
}

function newConfig(): Config {
  return { sparseConvert: 0, sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000, encodeInvalidNumbers: 0, decodeInvalidNumbers: 1, keepBuffer: 1, precision: 14 };
}

function argInit(L: number, n: number): void {
  if (raw.lua_gettop(L) > n) throw new Error(`bad argument #${n + 1} (found too many arguments)`);
  while (raw.lua_gettop(L) < n) raw.lua_pushnil(L);
}

function intOption(L: number, i: number, get: () => number, set: (v: number) => void, min: number, max: number): void {
  if (raw.lua_type(L, i) !== T_NIL) {
    const v = Number(toString(L, i));
    if (!Number.isFinite(v)) throw new Error(`bad argument #${i} (number expected, got ${TYPE_NAMES[raw.lua_type(L, i)]})`);
    const n = Math.trunc(v);
    if (!(min <= n && n <= max)) throw new Error(`bad argument #1 (expected integer between ${min} and ${max})`);
    set(n);
  }
  raw.lua_pushnumber(L, get());
}

function enumOption(L: number, i: number, get: () => number, set: (v: number) => void, options: string[] = ['off', 'on']): void {
  const t = raw.lua_type(L, i);
  if (t !== T_NIL) {
    if (t === T_BOOLEAN) set(raw.lua_toboolean(L, i) ? 1 : 0);
    else {
      const s = t === T_STRING || t === T_NUMBER ? toString(L, i)! : null;
      const at = s === null ? -1 : options.indexOf(s);
      if (at < 0) throw new Error(`bad argument #${i} (invalid option '${s ?? ''}')`);
      set(at);
    }
  }
  const v = get();
  if (v === 0 || v === 1) raw.lua_pushboolean(L, v);
  else pushString(L, options[v]!);
}

/** Configurations by id (each cjson.new() has its own); the functions find theirs in upvalue 1. */
const configs: Config[] = [];
let fns: Record<string, number> | null = null;

function cfgOf(L: number): Config {
  return configs[raw.lua_tonumberx(L, LUA_REGISTRYINDEX - 1, 0)]!;
}

function functions(): Record<string, number> {
  if (fns !== null) return fns;
  fns = {
    encode: cfunction((l) => {
      if (raw.lua_gettop(l) !== 1) throw new Error('bad argument #1 to \'encode\' (expected 1 argument)');
      const enc = new Encoder(l, cfgOf(l));
      enc.value(0);
      pushString(l, enc.out);
      return 1;
    }),
    decode: cfunction((l) => {
      if (raw.lua_gettop(l) !== 1) throw new Error('bad argument #1 to \'decode\' (expected 1 argument)');
      const t = raw.lua_type(l, 1);
      if (t !== T_STRING && t !== T_NUMBER) throw new Error(`bad argument #1 to 'decode' (string expected, got ${TYPE_NAMES[t] ?? 'no value'})`);
      const s = toString(l, 1)!;
      if (s.length >= 2 && (s.charCodeAt(0) === 0 || s.charCodeAt(1) === 0)) throw new Error('JSON parser does not support UTF-16 or UTF-32');
      const z = s.indexOf('\0');
      const dec = new Decoder(l, cfgOf(l), z < 0 ? s : s.slice(0, z));
      dec.next();
      dec.value();
      dec.next();
      if (dec.type !== END) dec.fail('the end');
      return 1;
    }),
    encode_sparse_array: cfunction((l) => {
      const cfg = cfgOf(l);
      argInit(l, 3);
      enumOption(l, 1, () => cfg.sparseConvert, (v) => (cfg.sparseConvert = v));
      intOption(l, 2, () => cfg.sparseRatio, (v) => (cfg.sparseRatio = v), 0, 2147483647);
      intOption(l, 3, () => cfg.sparseSafe, (v) => (cfg.sparseSafe = v), 0, 2147483647);
      return 3;
    }),
    encode_max_depth: cfunction((l) => {
      const cfg = cfgOf(l);
      argInit(l, 1);
      intOption(l, 1, () => cfg.encodeMaxDepth, (v) => (cfg.encodeMaxDepth = v), 1, 2147483647);
      return 1;
    }),
    decode_max_depth: cfunction((l) => {
      const cfg = cfgOf(l);
      argInit(l, 1);
      intOption(l, 1, () => cfg.decodeMaxDepth, (v) => (cfg.decodeMaxDepth = v), 1, 2147483647);
      return 1;
    }),
    encode_number_precision: cfunction((l) => {
      const cfg = cfgOf(l);
      argInit(l, 1);
      intOption(l, 1, () => cfg.precision, (v) => (cfg.precision = v), 1, 14);
      return 1;
    }),
    encode_keep_buffer: cfunction((l) => {
      const cfg = cfgOf(l);
      argInit(l, 1);
      enumOption(l, 1, () => cfg.keepBuffer, (v) => (cfg.keepBuffer = v));
      return 1;
    }),
    encode_invalid_numbers: cfunction((l) => {
      const cfg = cfgOf(l);
      argInit(l, 1);
      enumOption(l, 1, () => cfg.encodeInvalidNumbers, (v) => (cfg.encodeInvalidNumbers = v), ['off', 'on', 'null']);
      return 1;
    }),
    decode_invalid_numbers: cfunction((l) => {
      const cfg = cfgOf(l);
      argInit(l, 1);
      enumOption(l, 1, () => cfg.decodeInvalidNumbers, (v) => (cfg.decodeInvalidNumbers = v));
      return 1;
    }),
    new: cfunction((l) => {
      pushCjson(l);
      return 1;
    }),
  };
  return fns;
}

/** Pushes a cjson module table with a configuration of its own (luaopen_cjson / cjson.new). */
export function pushCjson(L: number): void {
  const id = configs.length;
  configs.push(newConfig());
  raw.lua_createtable(L, 0, 13);
  for (const [name, fn] of Object.entries(functions())) {
    raw.lua_pushnumber(L, id);
    raw.lua_pushcclosure(L, fn, 1);
    raw.lua_setfield(L, -2, cstr(name));
  }
  raw.lua_pushlightuserdata(L, 0);
  raw.lua_setfield(L, -2, cstr('null'));
  pushString(L, 'cjson');
  raw.lua_setfield(L, -2, cstr('_NAME'));
  pushString(L, '2.1.0');
  raw.lua_setfield(L, -2, cstr('_VERSION'));
}
