/**
 * The `redis` table scripts see (script_lua.c luaRegisterRedisAPI and
 * eval.c): call/pcall, log and its levels, setresp, sha1hex, error_reply,
 * status_reply, set_repl and the REPL_* flags, replicate_commands,
 * breakpoint/debug (no debugger: no-ops), acl_check_cmd, the version; and
 * Redis's math.random / math.randomseed (its own rand48, the same sequence
 * as Redis for the same seed).
 */
import { createHash } from 'node:crypto';
import {
  raw, cfunction, pushFunction, pushString, toString, cstr,
  T_NUMBER, T_STRING,
} from './lua-vm.ts';
import { pushErrorTable } from './convert.ts';
import { REDIS_VERSION } from '../server/version.ts';
import type { LogLevel } from '../server/host.ts';

export const PROPAGATE_AOF = 1;
export const PROPAGATE_REPL = 2;

/** What the API needs from the engine running the script. */
export interface ApiHost {
  /** True while a script runs (redis.call outside one is an error). */
  running(): boolean;
  /** Runs a command for the script; pushes its reply as a Lua value; returns false when it pushed an error table. */
  call(L: number, args: string[]): boolean;
  setResp(resp: 2 | 3): void;
  setRepl(flags: number): void;
  /** redis.acl_check_cmd: undefined for an unknown command, else whether the script's user may run it. */
  aclCheck(args: string[]): boolean | undefined;
  log(level: LogLevel, msg: string): void;
}

const LEVELS: LogLevel[] = ['debug', 'verbose', 'notice', 'warning'];

/** Redis's rand48 state (rand.c), shared by every script as in Redis. */
let rand48 = 0x1234abcd330en;
function lrand48(): number {
  rand48 = (0x5deece66dn * rand48 + 0xbn) & 0xffffffffffffn;
  return Number(rand48 >> 17n);
}
function srand48(seed: number): void {
  const s = seed | 0;
  rand48 = (BigInt((s >>> 16) & 0xffff) << 32n) | (BigInt(s & 0xffff) << 16n) | 0x330en;
}

/** Pushes the error and returns -1 (raise it). */
function fail(L: number, msg: string): number {
  pushErrorTable(L, msg);
  return -1;
}

/** luaL_checkint: a number or numeric string, truncated; raises as luaL_argerror does. */
function checkInt(L: number, i: number, fname: string): number {
  const t = raw.lua_type(L, i);
  const n = t === T_NUMBER || t === T_STRING ? Number(toString(L, i)) : NaN;
  if (Number.isNaN(n)) {
    const got = t === -1 ? 'no value' : typeName(t);
    throw new Error(`bad argument #${i} to '${fname}' (number expected, got ${got})`);
  }
  return Math.trunc(n) | 0;
}

function typeName(t: number): string {
  return ['nil', 'boolean', 'userdata', 'number', 'string', 'table', 'function', 'userdata', 'thread'][t] ?? 'no value';
}

/** Reads the arguments of a redis.* call (luaArgsToRedisArgv); null if one is not a string or number. */
export function argsOf(L: number, argc: number): string[] | null {
  const args = new Array<string>(argc);
  for (let j = 0; j < argc; j++) {
    const t = raw.lua_type(L, j + 1);
    if (t === T_NUMBER) args[j] = formatG17(raw.lua_tonumberx(L, j + 1, 0));
    else if (t === T_STRING) args[j] = toString(L, j + 1)!;
    else return null;
  }
  return args;
}

/** C's "%.17g". */
function formatG17(d: number): string {
  if (Number.isInteger(d) && Math.abs(d) < 1e17) return Object.is(d, -0) ? '-0' : String(d);
  if (!Number.isFinite(d)) return Number.isNaN(d) ? (Object.is(d, NaN) ? 'nan' : '-nan') : d > 0 ? 'inf' : '-inf';
  const e = d.toExponential(16);
  const at = e.indexOf('e');
  const exp = Number(e.slice(at + 1));
  const trim = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exp < -4 || exp >= 17) {
    const abs = Math.abs(exp);
    return trim(e.slice(0, at)) + 'e' + (exp < 0 ? '-' : '+') + (abs < 10 ? '0' + abs : String(abs));
  }
  return trim(d.toFixed(16 - exp));
}

/**
 * Builds the JS half of the API: a table of functions the prelude turns
 * into the read-only `redis` table and math.random/randomseed.
 */
export function makeApi(host: ApiHost): (L: number) => void {
  const genericCall = (L: number, raise: boolean): number => {
    if (!host.running()) return fail(L, 'redis.call/pcall can only be called inside a script invocation');
    const argc = raw.lua_gettop(L);
    if (argc === 0) {
      pushErrorTable(L, 'Please specify at least one argument for this redis lib call');
      return raise ? -1 : 1;
    }
    const args = argsOf(L, argc);
    raw.lua_settop(L, 0);
    if (args === null) {
      pushErrorTable(L, 'Lua redis lib command arguments must be strings or integers');
      return raise ? -1 : 1;
    }
    const ok = host.call(L, args);
    return ok || !raise ? 1 : -1;
  };
  const fns: Record<string, number> = {
    call: cfunction((L) => genericCall(L, true)),
    pcall: cfunction((L) => genericCall(L, false)),
    sha1hex: cfunction((L) => {
      if (raw.lua_gettop(L) !== 1) return fail(L, 'wrong number of arguments');
      pushString(L, createHash('sha1').update(toString(L, 1) ?? '', 'latin1').digest('hex'));
      return 1;
    }),
    error_reply: cfunction((L) => {
      if (raw.lua_gettop(L) !== 1 || raw.lua_type(L, -1) !== T_STRING) {
        pushErrorTable(L, 'wrong number or type of arguments');
        return 1;
      }
      const err = toString(L, -1)!;
      pushErrorTable(L, err.charCodeAt(0) === 45 ? err : '-' + err);
      return 1;
    }),
    status_reply: cfunction((L) => {
      if (raw.lua_gettop(L) !== 1 || raw.lua_type(L, -1) !== T_STRING) {
        pushErrorTable(L, 'wrong number or type of arguments');
        return 1;
      }
      raw.lua_createtable(L, 0, 1);
      raw.lua_pushvalue(L, -2);
      raw.lua_setfield(L, -2, cstr('ok'));
      return 1;
    }),
    log: cfunction((L) => {
      const argc = raw.lua_gettop(L);
      if (argc < 2) return fail(L, 'redis.log() requires two arguments or more.');
      if (raw.lua_type(L, 1) !== T_NUMBER && !(raw.lua_type(L, 1) === T_STRING && !Number.isNaN(Number(toString(L, 1))))) {
        return fail(L, 'First argument must be a number (log level).');
      }
      const level = Math.trunc(Number(toString(L, 1)));
      if (!(level >= 0 && level <= 3)) return fail(L, 'Invalid debug level.');
      const parts: string[] = [];
      for (let j = 2; j <= argc; j++) {
        const s = raw.lua_type(L, j) === T_NUMBER || raw.lua_type(L, j) === T_STRING ? toString(L, j) : null;
        if (s !== null) parts.push(s);
      }
      host.log(LEVELS[level]!, parts.join(' '));
      return 0;
    }),
    setresp: cfunction((L) => {
      if (!host.running()) return fail(L, 'redis.setresp can only be called inside a script invocation');
      if (raw.lua_gettop(L) !== 1) return fail(L, 'redis.setresp() requires one argument.');
      const resp = Math.trunc(raw.lua_tonumberx(L, -1, 0));
      if (resp !== 2 && resp !== 3) return fail(L, 'RESP version must be 2 or 3.');
      host.setResp(resp);
      return 0;
    }),
    set_repl: cfunction((L) => {
      if (!host.running()) return fail(L, 'redis.set_repl can only be called inside a script invocation');
      if (raw.lua_gettop(L) !== 1) return fail(L, 'redis.set_repl() requires two arguments.');
      const flags = Math.trunc(raw.lua_tonumberx(L, -1, 0));
      if ((flags & ~(PROPAGATE_AOF | PROPAGATE_REPL)) !== 0) {
        return fail(L, 'Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.');
      }
      host.setRepl(flags);
      return 0;
    }),
    replicate_commands: cfunction((L) => {
      raw.lua_pushboolean(L, 1);
      return 1;
    }),
    breakpoint: cfunction((L) => {
      raw.lua_pushboolean(L, 0);
      return 1;
    }),
    debug: cfunction(() => 0),
    acl_check_cmd: cfunction((L) => {
      if (!host.running()) return fail(L, 'redis.acl_check_cmd can only be called inside a script invocation');
      const argc = raw.lua_gettop(L);
      if (argc === 0) return fail(L, 'Please specify at least one argument for this redis lib call');
      const args = argsOf(L, argc);
      if (args === null) return fail(L, 'Lua redis lib command arguments must be strings or integers');
      const ok = host.aclCheck(args);
      if (ok === undefined) return fail(L, 'Invalid command passed to redis.acl_check_cmd()');
      raw.lua_pushboolean(L, ok ? 1 : 0);
      return 1;
    }),
  };
  const random = cfunction((L) => {
    const r = (lrand48() % 2147483647) / 2147483647;
    switch (raw.lua_gettop(L)) {
      case 0:
        raw.lua_pushnumber(L, r);
        break;
      case 1: {
        const u = checkInt(L, 1, 'random');
        if (!(u >= 1)) throw new Error("bad argument #1 to 'random' (interval is empty)");
        raw.lua_pushnumber(L, Math.floor(r * u) + 1);
        break;
      }
      case 2: {
        const l = checkInt(L, 1, 'random');
        const u = checkInt(L, 2, 'random');
        if (!(l <= u)) throw new Error("bad argument #2 to 'random' (interval is empty)");
        raw.lua_pushnumber(L, Math.floor(r * (u - l + 1)) + l);
        break;
      }
      default:
        throw new Error('wrong number of arguments');
    }
    return 1;
  });
  const randomseed = cfunction((L) => {
    srand48(checkInt(L, 1, 'randomseed'));
    return 0;
  });
  const version = REDIS_VERSION.split('.').map(Number);
  const versionNum = (version[0]! << 16) | (version[1]! << 8) | version[2]!;
  const consts: Record<string, number> = {
    LOG_DEBUG: 0, LOG_VERBOSE: 1, LOG_NOTICE: 2, LOG_WARNING: 3,
    REPL_NONE: 0, REPL_AOF: PROPAGATE_AOF, REPL_SLAVE: PROPAGATE_REPL, REPL_REPLICA: PROPAGATE_REPL,
    REPL_ALL: PROPAGATE_AOF | PROPAGATE_REPL, REDIS_VERSION_NUM: versionNum,
  };
  /** Pushes {redis = {...}, random = f, randomseed = f}. */
  return (L: number) => {
    raw.lua_createtable(L, 0, 3);
    raw.lua_createtable(L, 0, 32);
    for (const [name, fn] of Object.entries(fns)) {
      pushFunction(L, fn);
      raw.lua_setfield(L, -2, cstr(name));
    }
    for (const [name, v] of Object.entries(consts)) {
      raw.lua_pushnumber(L, v);
      raw.lua_setfield(L, -2, cstr(name));
    }
    pushString(L, REDIS_VERSION);
    raw.lua_setfield(L, -2, cstr('REDIS_VERSION'));
    raw.lua_setfield(L, -2, cstr('redis'));
    pushFunction(L, random);
    raw.lua_setfield(L, -2, cstr('random'));
    pushFunction(L, randomseed);
    raw.lua_setfield(L, -2, cstr('randomseed'));
  };
}

