/**
 * The Lua VM: wasmoon's Lua 5.4 build (WebAssembly), driven through its raw
 * C API exports rather than wasmoon's JS wrappers (those decode strings as
 * UTF-8 and cost an extra call layer). Strings cross as latin1 ("binary")
 * JS strings, one char per byte, like every value in shardis.
 *
 * One change is made to the binary as it loads: Lua 5.4 prints a float with
 * an integral value as "3.0" where Redis's Lua 5.1 prints "3"; the literal
 * "-0123456789" that tostring() uses to decide to append ".0" is blanked,
 * so number → string conversions give 5.1's "%.14g" text.
 */
import wasmoon from 'wasmoon';

/** The raw exports used here (wasm32: pointers and lua_State* are numbers). */
export interface LuaRaw {
  malloc(n: number): number;
  free(p: number): void;
  luaL_newstate(): number;
  luaL_openlibs(L: number): void;
  luaL_loadbufferx(L: number, buf: number, size: number, name: number, mode: number): number;
  luaL_ref(L: number, t: number): number;
  lua_close(L: number): void;
  lua_newthread(L: number): number;
  lua_gettop(L: number): number;
  lua_settop(L: number, idx: number): void;
  lua_pushvalue(L: number, idx: number): void;
  lua_rotate(L: number, idx: number, n: number): void;
  lua_copy(L: number, from: number, to: number): void;
  lua_checkstack(L: number, n: number): number;
  lua_xmove(from: number, to: number, n: number): void;
  lua_type(L: number, idx: number): number;
  lua_isinteger(L: number, idx: number): number;
  lua_isstring(L: number, idx: number): number;
  lua_tonumberx(L: number, idx: number, isnum: number): number;
  lua_tointegerx(L: number, idx: number, isnum: number): bigint;
  lua_toboolean(L: number, idx: number): number;
  lua_tolstring(L: number, idx: number, len: number): number;
  lua_rawlen(L: number, idx: number): bigint;
  lua_topointer(L: number, idx: number): number;
  lua_tothread(L: number, idx: number): number;
  lua_touserdata(L: number, idx: number): number;
  lua_pushlightuserdata(L: number, p: number): void;
  luaL_where(L: number, level: number): void;
  lua_pushnil(L: number): void;
  lua_pushnumber(L: number, n: number): void;
  lua_pushinteger(L: number, n: bigint): void;
  lua_pushlstring(L: number, s: number, len: number): number;
  lua_pushcclosure(L: number, fn: number, n: number): void;
  lua_pushboolean(L: number, b: number): void;
  lua_getfield(L: number, idx: number, k: number): number;
  lua_rawget(L: number, idx: number): number;
  lua_createtable(L: number, narr: number, nrec: number): void;
  lua_getmetatable(L: number, idx: number): number;
  lua_setfield(L: number, idx: number, k: number): void;
  lua_rawset(L: number, idx: number): void;
  lua_setmetatable(L: number, idx: number): number;
  lua_pcallk(L: number, nargs: number, nres: number, errfunc: number, ctx: number, k: number): number;
  lua_callk(L: number, nargs: number, nres: number, ctx: number, k: number): void;
  lua_yieldk(L: number, nres: number, ctx: number, k: number): number;
  lua_resume(L: number, from: number, narg: number, nres: number): number;
  lua_status(L: number): number;
  lua_isyieldable(L: number): number;
  lua_error(L: number): number;
  lua_next(L: number, idx: number): number;
  lua_sethook(L: number, fn: number, mask: number, count: number): void;
  lua_setupvalue(L: number, funcindex: number, n: number): number;
}

interface EmModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  HEAP32: Int32Array;
  addFunction(fn: (...args: number[]) => number | void, sig: string): number;
}

export const LUA_OK = 0;
export const LUA_YIELD = 1;
export const LUA_MULTRET = -1;
export const LUA_REGISTRYINDEX = -1001000;
export const T_NONE = -1;
export const T_NIL = 0;
export const T_BOOLEAN = 1;
export const T_LIGHTUSERDATA = 2;
export const T_NUMBER = 3;
export const T_STRING = 4;
export const T_TABLE = 5;
export const T_FUNCTION = 6;
export const MASK_LINE = 4;
export const MASK_COUNT = 8;

/** What emscripten's longjmp throws: a Lua error or yield unwinding through a JS frame. */
export const LUA_THROW = Infinity;

let frozenTime = false;

async function load(): Promise<{ mod: EmModule; raw: LuaRaw }> {
  type Instantiate = (b: unknown, i: unknown) => Promise<{ instance: { exports: unknown } }>;
  const wa = (globalThis as unknown as { WebAssembly: { instantiate: Instantiate } }).WebAssembly;
  const original = wa.instantiate;
  let exportsOf: unknown = null;
  wa.instantiate = async (bytes: unknown, imports: unknown) => {
    // time() as Lua sees it: fixed while a state is created, so its string hash seed doesn't depend on the clock
    const env = (imports as { env?: Record<string, unknown> }).env;
    const dateNow = env?.emscripten_date_now;
    if (env && typeof dateNow === 'function') env.emscripten_date_now = () => (frozenTime ? 0 : (dateNow as () => number)());
    if (bytes instanceof Uint8Array || bytes instanceof ArrayBuffer) {
      const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
      const at = Buffer.from(b.buffer, b.byteOffset, b.length).indexOf('-0123456789\0', 0, 'latin1');
      if (at >= 0) b[at] = 0;
    }
    const r = await original.call(wa, bytes, imports);
    exportsOf = r.instance.exports;
    return r;
  };
  let lw: { module: unknown };
  try {
    lw = await wasmoon.LuaWasm.initialize();
  } finally {
    wa.instantiate = original;
  }
  if (exportsOf === null) throw new Error('Lua VM: could not capture the WebAssembly exports');
  return { mod: lw.module as EmModule, raw: exportsOf as LuaRaw };
}

const loaded = await load();
export const raw: LuaRaw = loaded.raw;
const mod = loaded.mod;

let heap: Buffer = Buffer.from(mod.HEAPU8.buffer);
/** The wasm memory as a Buffer (re-made after the memory grows, which detaches the old one). */
function h(): Buffer {
  // growing the memory detaches the old ArrayBuffer: views over it read as empty
  if (heap.length === 0) heap = Buffer.from(mod.HEAPU8.buffer);
  return heap;
}

/** Scratch memory for strings going into Lua. */
let scratch = raw.malloc(64 * 1024);
let scratchSize = 64 * 1024;
const lenPtr = raw.malloc(8);
const nresPtr = raw.malloc(8);

function room(n: number): number {
  if (n > scratchSize) {
    raw.free(scratch);
    scratchSize = Math.max(n, scratchSize * 2);
    scratch = raw.malloc(scratchSize);
    if (scratch === 0) throw new Error('Lua VM: out of memory');
  }
  return scratch;
}

const cstrings = new Map<string, number>();
/** A NUL-terminated copy of `s` in wasm memory, kept for the process's life (for field names). */
export function cstr(s: string): number {
  let p = cstrings.get(s);
  if (p === undefined) {
    p = raw.malloc(s.length + 1);
    const b = h();
    b.latin1Write(s, p);
    b[p + s.length] = 0;
    cstrings.set(s, p);
  }
  return p;
}

export function pushString(L: number, s: string): void {
  const n = s.length;
  const p = room(n);
  const b = h();
  if (n <= 32) for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
  else b.latin1Write(s, p);
  raw.lua_pushlstring(L, p, n);
}

/** Pushes bytes [start, end) of `src` as a Lua string. */
export function pushBytes(L: number, src: Buffer, start: number, end: number): void {
  const n = end - start;
  const p = room(n);
  const b = h();
  if (n <= 32) for (let i = 0; i < n; i++) b[p + i] = src[start + i]!;
  else src.copy(b, p, start, end);
  raw.lua_pushlstring(L, p, n);
}

/** The string (or number, converted in place as lua_tolstring does) at idx; null for other types. */
export function toString(L: number, idx: number): string | null {
  const p = raw.lua_tolstring(L, idx, lenPtr);
  if (p === 0) return null;
  const b = h();
  const n = b.readUInt32LE(lenPtr);
  if (n <= 32) {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(b[p + i]!);
    return s;
  }
  return b.latin1Slice(p, p + n);
}

/** The bytes of the string at idx, copied into a Buffer (for parsers), or null. */
export function toBytes(L: number, idx: number): Buffer | null {
  const p = raw.lua_tolstring(L, idx, lenPtr);
  if (p === 0) return null;
  const b = h();
  const n = b.readUInt32LE(lenPtr);
  return Buffer.from(b.subarray(p, p + n));
}

/**
 * A new Lua state whose string hash seed is the same every time (Lua 5.4
 * seeds it from time() and addresses), so table iteration order does not
 * change from one run to the next.
 */
export function newState(): number {
  frozenTime = true;
  try {
    return raw.luaL_newstate();
  } finally {
    frozenTime = false;
  }
}

export function pop(L: number, n: number): void {
  raw.lua_settop(L, -n - 1);
}

/** t[k] = value on top (t at idx, not raw: respects __newindex). */
export function setField(L: number, idx: number, k: string): void {
  raw.lua_setfield(L, idx, cstr(k));
}

export function getField(L: number, idx: number, k: string): number {
  return raw.lua_getfield(L, idx, cstr(k));
}

/** rawget(t, k) for a string key, t at idx (absolute or negative before the push). */
export function rawGetField(L: number, idx: number, k: string): number {
  pushString(L, k);
  return raw.lua_rawget(L, idx < 0 && idx > LUA_REGISTRYINDEX ? idx - 1 : idx);
}

export function rawGetIndex(L: number, idx: number, i: number): number {
  raw.lua_pushnumber(L, i);
  return raw.lua_rawget(L, idx < 0 && idx > LUA_REGISTRYINDEX ? idx - 1 : idx);
}

/** Pushes a table {k = v} with one string field. */
export function pushFieldTable(L: number, k: string, v: string): void {
  raw.lua_createtable(L, 0, 1);
  pushString(L, v);
  raw.lua_setfield(L, -2, cstr(k));
}

/** Loads `code` as a chunk named `name` (text only); false with the message on top on failure. */
export function loadChunk(L: number, code: string, name: string): boolean {
  const n = code.length;
  const p = room(n);
  h().latin1Write(code, p);
  return raw.luaL_loadbufferx(L, p, n, cstr(name), cstr('t')) === LUA_OK;
}

/** Runs lua_resume; returns the status, the result count in `resumeResults`. */
export function resume(T: number, from: number, nargs: number): number {
  const st = raw.lua_resume(T, from, nargs, nresPtr);
  resumeResults = h().readInt32LE(nresPtr);
  return st;
}
export let resumeResults = 0;

/**
 * Registers a JS function as a Lua C function. It returns the number of
 * results, or -1 to raise the value on top of the stack as a Lua error.
 * JS exceptions must never unwind through Lua frames: they become Lua errors.
 */
export function cfunction(fn: (L: number) => number): number {
  return mod.addFunction((L: number) => {
    let r: number;
    try {
      r = fn(L);
    } catch (e) {
      if (e === LUA_THROW) throw e;
      // as luaL_error: prefixed with where the calling Lua code is
      raw.luaL_where(L, 1);
      const where = toString(L, -1) ?? '';
      pop(L, 1);
      pushString(L, where + (e instanceof Error ? e.message : String(e)));
      r = -1;
    }
    if (r < 0) return raw.lua_error(L);
    return r;
  }, 'ii');
}

/** Registers a JS hook (lua_Hook); it may raise or yield through the raw API. */
export function hookfunction(fn: (L: number) => void): number {
  return mod.addFunction((L: number) => {
    try {
      fn(L);
    } catch (e) {
      if (e === LUA_THROW) throw e;
    }
  }, 'vii');
}

export function pushFunction(L: number, fnPtr: number): void {
  raw.lua_pushcclosure(L, fnPtr, 0);
}
