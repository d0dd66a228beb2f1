/**
 * The Lua side of FUNCTION libraries (function_lua.c): the environment
 * library code and its functions run in, and the library API a library
 * sees while it loads.
 *
 * Redis runs functions in their own Lua state whose globals are a
 * read-only table reading through to the real globals, switched while a
 * library loads to a table holding nothing but the library `redis` API
 * (register_function, log and its levels, the version). Here libraries
 * share the EVAL state: their chunks get a read-only `env` table whose
 * __index is G (the sandboxed globals) at run time and the load globals
 * while FUNCTION LOAD runs the chunk.
 */

import { raw, toString, cstr, pop, LUA_REGISTRYINDEX, T_FUNCTION, T_NIL, T_NUMBER, T_STRING, T_TABLE } from './lua-vm.ts';
import { FLAG_NO_WRITES, FLAG_ALLOW_OOM, FLAG_ALLOW_STALE, FLAG_NO_CLUSTER, FLAG_ALLOW_CROSS_SLOT } from './script-cache.ts';

/** scripts_flags_def, in its order (FUNCTION LIST lists flags in it). */
export const FUNCTION_FLAGS: ReadonlyArray<readonly [string, number]> = [
  ['no-writes', FLAG_NO_WRITES],
  ['allow-oom', FLAG_ALLOW_OOM],
  ['allow-stale', FLAG_ALLOW_STALE],
  ['no-cluster', FLAG_NO_CLUSTER],
  ['allow-cross-slot-keys', FLAG_ALLOW_CROSS_SLOT],
];

/** Key of the Lua-side table in the Lua registry (reachable from any C-function frame). */
export const REG_KEY = 'shardis.functions';

/** Pushes the Lua-side table (env, loading, bind, pending, the callbacks by id). */
export function pushTable(L: number): void {
  raw.lua_getfield(L, LUA_REGISTRYINDEX, cstr(REG_KEY));
}

/** table.pending = the value at idx. */
function setPending(L: number, idx: number): void {
  raw.lua_pushvalue(L, idx);
  pushTable(L);
  raw.lua_rotate(L, -2, 1);
  raw.lua_setfield(L, -2, cstr('pending'));
  pop(L, 1);
}

/**
 * The arguments of redis.register_function (luaRegisterFunctionReadArgs):
 * positional (name, callback) or one table of named arguments. The
 * callback is left in table.pending. Returns the error text on bad input.
 */
export function readRegisterArgs(L: number): { name: string; desc: string | null; flags: number } | string {
  const argc = raw.lua_gettop(L);
  if (argc < 1 || argc > 2) return 'wrong number of arguments to redis.register_function';
  if (argc === 2) {
    const t = raw.lua_type(L, 1);
    if (t !== T_STRING && t !== T_NUMBER) return 'first argument to redis.register_function must be a string';
    const name = toString(L, 1)!;
    if (raw.lua_type(L, 2) !== T_FUNCTION) return 'second argument to redis.register_function must be a function';
    setPending(L, 2);
    return { name, desc: null, flags: 0 };
  }
  if (raw.lua_type(L, 1) !== T_TABLE) {
    return 'calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).';
  }
  let name: string | null = null;
  let desc: string | null = null;
  let flags = 0;
  let callback = false;
  raw.lua_pushnil(L);
  while (raw.lua_next(L, 1) !== 0) {
    const kt = raw.lua_type(L, -2);
    if (kt !== T_STRING && kt !== T_NUMBER) return 'named argument key given to redis.register_function is not a string';
    raw.lua_pushvalue(L, -2);
    const key = toString(L, -1)!.toLowerCase();
    pop(L, 1);
    const vt = raw.lua_type(L, -1);
    if (key === 'function_name') {
      if (vt !== T_STRING && vt !== T_NUMBER) return 'function_name argument given to redis.register_function must be a string';
      name = toString(L, -1);
    } else if (key === 'description') {
      if (vt !== T_STRING && vt !== T_NUMBER) return 'description argument given to redis.register_function must be a string';
      desc = toString(L, -1);
    } else if (key === 'callback') {
      if (vt !== T_FUNCTION) return 'callback argument given to redis.register_function must be a function';
      setPending(L, -1);
      callback = true;
    } else if (key === 'flags') {
      if (vt !== T_TABLE) return 'flags argument to redis.register_function must be a table representing function flags';
      const f = readFlags(L);
      if (f === null) return 'unknown flag given';
      flags = f;
    } else {
      return 'unknown argument given to redis.register_function';
    }
    pop(L, 1);
  }
  if (name === null) return 'redis.register_function must get a function name argument';
  if (!callback) return 'redis.register_function must get a callback argument';
  return { name, desc, flags };
}

/** The flags table on top (luaRegisterFunctionReadFlags); null on an unknown flag. */
function readFlags(L: number): number | null {
  let flags = 0;
  for (let j = 1; ; j++) {
    raw.lua_pushnumber(L, j);
    raw.lua_rawget(L, -2);
    const t = raw.lua_type(L, -1);
    if (t === T_NIL) {
      pop(L, 1);
      return flags;
    }
    const s = t === T_STRING || t === T_NUMBER ? toString(L, -1)!.toLowerCase() : null;
    pop(L, 1);
    const def = s === null ? undefined : FUNCTION_FLAGS.find(([n]) => n === s);
    if (def === undefined) return null;
    flags |= def[1];
  }
}

/**
 * Loaded as '@prelude' (the error handler skips its frames). Called with (G, register_function); returns env, loading(on) (switches
 * env to the load globals and back) and bind(f, keys, args) (a closure
 * calling f(keys, args), what FCALL runs).
 */
export const FUNCTION_PRELUDE = String.raw`
local G, register = ...
local setmetatable, error, tostring = setmetatable, error, tostring
local R = G.redis
local function ro_error() error('Attempt to modify a readonly table', 2) end
local function missing(_, k)
  error("Script attempted to access nonexistent global variable '" .. tostring(k) .. "'", 2)
end
local api = setmetatable({
  register_function = register, log = R.log,
  LOG_DEBUG = R.LOG_DEBUG, LOG_VERBOSE = R.LOG_VERBOSE, LOG_NOTICE = R.LOG_NOTICE, LOG_WARNING = R.LOG_WARNING,
  REDIS_VERSION = R.REDIS_VERSION, REDIS_VERSION_NUM = R.REDIS_VERSION_NUM,
}, {__index = missing})
local lib_redis = setmetatable({}, {__index = api, __newindex = ro_error, __metatable = false})
local LG = setmetatable({redis = lib_redis}, {__index = missing})
local mt = {__index = G, __newindex = ro_error, __metatable = false}
local env = setmetatable({}, mt)
local function loading(on)
  if on then mt.__index = LG else mt.__index = G end
end
local function bind(f, k, a) return function() return f(k, a) end end
return env, loading, bind
`;
