/**
 * Type conversions between Redis replies and Lua values, as script_lua.c:
 *   Redis → Lua: integer → number, bulk → string, nil bulk/array → false,
 *     array → table, status → {ok=…}, error → {err=…}; RESP3: map → {map=…},
 *     set → {set=…}, null → nil, bool, double → {double=…},
 *     big number → {big_number=…}, verbatim → {verbatim_string=…}.
 *   Lua → Redis: number → integer (truncated), string → bulk, table → array
 *     up to the first nil, {err=}/{ok=}/{double=}/… → their reply types,
 *     true → 1, false → null (RESP2 scripts) or booleans (RESP3 scripts).
 * The Redis side is the bytes a command wrote into the script client's
 * reply buffer, parsed straight into Lua values.
 */
import type { ReplyWriter } from '../protocol/reply-writer.ts';
import {
  raw, pushString, pushBytes, toString, pop, rawGetField, rawGetIndex, getField, cstr,
  T_NIL, T_BOOLEAN, T_NUMBER, T_STRING, T_TABLE,
} from './lua-vm.ts';

/** Nesting deeper than this fails ("reached lua stack limit"), as Lua 5.1's C stack limit makes it fail in Redis. */
const MAX_DEPTH = 1000;

/** Pushes Redis's error table for `text` ("-CODE msg" or a bare message), as luaPushErrorBuff. */
export function pushErrorTable(L: number, text: string, ignoreStats = false): void {
  let code = 'ERR';
  let msg: string;
  if (text.charCodeAt(0) === 45 /* - */) {
    const sp = text.indexOf(' ');
    if (sp < 0) msg = text.slice(1);
    else {
      code = text.slice(1, sp);
      msg = text.slice(sp + 1);
    }
  } else msg = text;
  msg = msg.replace(/^[\r\n]+|[\r\n]+$/g, '');
  raw.lua_createtable(L, 0, 2);
  pushString(L, code + ' ' + msg);
  raw.lua_setfield(L, -2, cstr('err'));
  if (ignoreStats) {
    raw.lua_pushboolean(L, 1);
    raw.lua_setfield(L, -2, cstr('ignore_error_stats_update'));
  }
}

/** Error information of a Lua error object (luaExtractErrorInformation). */
export interface ErrorInfo {
  msg: string | null;
  source: string | null;
  line: string | null;
  ignoreStats: boolean;
}

/** Reads the error object at the top of L (not popped). */
export function errorInfo(L: number): ErrorInfo {
  const info: ErrorInfo = { msg: null, source: null, line: null, ignoreStats: false };
  const t = raw.lua_type(L, -1);
  if (t === T_STRING || t === T_NUMBER) {
    info.msg = 'ERR ' + toString(L, -1)!;
    return info;
  }
  if (t !== T_TABLE) return info;
  if (isStr(getField(L, -1, 'err'))) info.msg = toString(L, -1);
  pop(L, 1);
  if (isStr(getField(L, -1, 'source'))) info.source = toString(L, -1);
  pop(L, 1);
  if (isStr(getField(L, -1, 'line'))) info.line = toString(L, -1);
  pop(L, 1);
  if (getField(L, -1, 'ignore_error_stats_update') === T_BOOLEAN) info.ignoreStats = raw.lua_toboolean(L, -1) !== 0;
  pop(L, 1);
  return info;
}

const isStr = (t: number): boolean => t === T_STRING || t === T_NUMBER;

/** Where a converted reply goes, and how error replies inside it are booked. */
export interface ReplySink {
  w: ReplyWriter;
  /** The script's protocol (redis.setresp): decides how booleans go out. */
  scriptResp: 2 | 3;
  /** An error reply was written; count it in errorstats unless `ignoreStats`. */
  onError(msg: string, ignoreStats: boolean): void;
}

/** Writes the Lua value on top of L as a reply and pops it (luaReplyToRedisReply). */
export function luaToReply(L: number, out: ReplySink, depth = 0): void {
  const w = out.w;
  if (depth > MAX_DEPTH || raw.lua_checkstack(L, 4) === 0) {
    w.error('ERR reached lua stack limit');
    out.onError('ERR reached lua stack limit', false);
    pop(L, 1);
    return;
  }
  switch (raw.lua_type(L, -1)) {
    case T_STRING:
      w.bulk(toString(L, -1)!);
      break;
    case T_BOOLEAN: {
      const b = raw.lua_toboolean(L, -1) !== 0;
      if (out.scriptResp === 2) {
        if (b) w.int(1);
        else w.nullBulk();
      } else w.bool(b);
      break;
    }
    case T_NUMBER:
      w.int(luaInteger(L, -1));
      break;
    case T_TABLE:
      tableToReply(L, out, depth);
      return;
    default:
      w.nullBulk();
  }
  pop(L, 1);
}

/** (long long)lua_tonumber(): truncation, and what x86 gives for NaN / out of range. */
function luaInteger(L: number, idx: number): number | bigint {
  if (raw.lua_isinteger(L, idx)) return raw.lua_tointegerx(L, idx, 0);
  const d = raw.lua_tonumberx(L, idx, 0);
  if (!(d > -9223372036854775808 && d < 9223372036854775808)) return -9223372036854775808n;
  const t = Math.trunc(d);
  return Number.isSafeInteger(t) ? t : BigInt(t);
}

function tableToReply(L: number, out: ReplySink, depth: number): void {
  const w = out.w;
  if (rawGetField(L, -1, 'err') === T_STRING) {
    pop(L, 1);
    const info = errorInfo(L);
    const msg = (info.msg ?? '').replace(/[\r\n]/g, ' ');
    w.error(msg);
    out.onError(msg, info.ignoreStats);
    pop(L, 1);
    return;
  }
  pop(L, 1);
  if (rawGetField(L, -1, 'ok') === T_STRING) {
    w.simple(cString(toString(L, -1)!).replace(/[\r\n]/g, ' '));
    pop(L, 2);
    return;
  }
  pop(L, 1);
  if (rawGetField(L, -1, 'double') === T_NUMBER) {
    w.double(raw.lua_tonumberx(L, -1, 0));
    pop(L, 2);
    return;
  }
  pop(L, 1);
  if (rawGetField(L, -1, 'big_number') === T_STRING) {
    const s = toString(L, -1)!.replace(/[\r\n]/g, ' ');
    if (w.resp === 3) w.raw('(' + s + '\r\n');
    else w.bulk(s);
    pop(L, 2);
    return;
  }
  pop(L, 1);
  if (rawGetField(L, -1, 'verbatim_string') === T_TABLE) {
    if (rawGetField(L, -1, 'format') === T_STRING) {
      const format = cString(toString(L, -1)!);
      if (rawGetField(L, -2, 'string') === T_STRING) {
        w.verbatim(toString(L, -1)!, (format + '\0\0\0').slice(0, 3));
        pop(L, 4);
        return;
      }
      pop(L, 1);
    }
    pop(L, 1);
  }
  pop(L, 1);
  if (rawGetField(L, -1, 'map') === T_TABLE) {
    w.map(countPairs(L));
    raw.lua_pushnil(L);
    while (raw.lua_next(L, -2) !== 0) {
      raw.lua_pushvalue(L, -2);
      luaToReply(L, out, depth + 1);
      luaToReply(L, out, depth + 1);
    }
    pop(L, 2);
    return;
  }
  pop(L, 1);
  if (rawGetField(L, -1, 'set') === T_TABLE) {
    w.set(countPairs(L));
    raw.lua_pushnil(L);
    while (raw.lua_next(L, -2) !== 0) {
      pop(L, 1);
      raw.lua_pushvalue(L, -1);
      luaToReply(L, out, depth + 1);
    }
    pop(L, 2);
    return;
  }
  pop(L, 1);
  let n = 0;
  while (rawGetIndex(L, -1, n + 1) !== T_NIL) {
    pop(L, 1);
    n++;
  }
  pop(L, 1);
  w.array(n);
  for (let j = 1; j <= n; j++) {
    rawGetIndex(L, -1, j);
    luaToReply(L, out, depth + 1);
  }
  pop(L, 1);
}

/** Entries of the table on top (walked with lua_next). */
function countPairs(L: number): number {
  let n = 0;
  raw.lua_pushnil(L);
  while (raw.lua_next(L, -2) !== 0) {
    pop(L, 1);
    n++;
  }
  return n;
}

/** What C sees of a Lua string through lua_tostring + sdsnew: up to the first NUL. */
function cString(s: string): string {
  const z = s.indexOf('\0');
  return z < 0 ? s : s.slice(0, z);
}

// ---------------------------------------------------------------------------
// Redis reply bytes → Lua values

const CR = 13;

/** Parses the reply in buf[start, end) and pushes it as one Lua value. Returns the end offset. */
export function pushReply(L: number, buf: Buffer, start: number): number {
  return parseOne(L, buf, start, true);
}

function lineEnd(buf: Buffer, at: number): number {
  const n = buf.length;
  while (at < n && buf[at] !== CR) at++;
  return at;
}

function intAt(buf: Buffer, at: number, end: number): number {
  let neg = false;
  let i = at;
  if (buf[i] === 45) {
    neg = true;
    i++;
  }
  let n = 0;
  for (; i < end; i++) n = n * 10 + (buf[i]! - 48);
  return neg ? -n : n;
}

/** Parses one reply at `at`; pushes it when `push` (attributes are parsed and dropped). */
function parseOne(L: number, buf: Buffer, at: number, push: boolean): number {
  const type = buf[at]!;
  const e = lineEnd(buf, at + 1);
  const next = e + 2;
  switch (type) {
    case 58: /* : */
      if (push) raw.lua_pushnumber(L, e - at - 1 < 16 ? intAt(buf, at + 1, e) : Number(buf.latin1Slice(at + 1, e)));
      return next;
    case 36: /* $ */ {
      const n = intAt(buf, at + 1, e);
      if (n < 0) {
        if (push) raw.lua_pushboolean(L, 0);
        return next;
      }
      if (push) pushBytes(L, buf, next, next + n);
      return next + n + 2;
    }
    case 42: /* * */
    case 62: /* > */ {
      const n = intAt(buf, at + 1, e);
      if (n < 0) {
        if (push) raw.lua_pushboolean(L, 0);
        return next;
      }
      if (push) {
        raw.lua_checkstack(L, 3);
        raw.lua_createtable(L, n, 0);
      }
      let p = next;
      for (let j = 1; j <= n; j++) {
        if (push) raw.lua_pushnumber(L, j);
        p = parseOne(L, buf, p, push);
        if (push) raw.lua_rawset(L, -3);
      }
      return p;
    }
    case 43: /* + */
      if (push) {
        raw.lua_createtable(L, 0, 1);
        pushBytes(L, buf, at + 1, e);
        raw.lua_setfield(L, -2, cstr('ok'));
      }
      return next;
    case 45: /* - */
      if (push) pushErrorTable(L, buf.latin1Slice(at, e), true);
      return next;
    case 37: /* % */
    case 126: /* ~ */ {
      const n = intAt(buf, at + 1, e);
      const isMap = type === 37;
      if (push) {
        raw.lua_checkstack(L, 4);
        raw.lua_createtable(L, 0, 1);
        raw.lua_createtable(L, 0, n);
      }
      let p = next;
      for (let j = 0; j < n; j++) {
        p = parseOne(L, buf, p, push);
        if (isMap) p = parseOne(L, buf, p, push);
        else if (push) raw.lua_pushboolean(L, 1);
        if (push) raw.lua_rawset(L, -3);
      }
      if (push) raw.lua_setfield(L, -2, cstr(isMap ? 'map' : 'set'));
      return p;
    }
    case 124: /* | attribute: parsed and dropped, then the reply itself */ {
      const n = intAt(buf, at + 1, e);
      let p = next;
      for (let j = 0; j < 2 * n; j++) p = parseOne(L, buf, p, false);
      return parseOne(L, buf, p, push);
    }
    case 95: /* _ */
      if (push) raw.lua_pushnil(L);
      return next;
    case 35: /* # */
      if (push) raw.lua_pushboolean(L, buf[at + 1] === 116 ? 1 : 0);
      return next;
    case 44: /* , */
      if (push) {
        raw.lua_createtable(L, 0, 1);
        raw.lua_pushnumber(L, parseDouble(buf.latin1Slice(at + 1, e)));
        raw.lua_setfield(L, -2, cstr('double'));
      }
      return next;
    case 40: /* ( */
      if (push) {
        raw.lua_createtable(L, 0, 1);
        pushBytes(L, buf, at + 1, e);
        raw.lua_setfield(L, -2, cstr('big_number'));
      }
      return next;
    case 61: /* = */ {
      const n = intAt(buf, at + 1, e);
      if (push) {
        raw.lua_createtable(L, 0, 1);
        raw.lua_createtable(L, 0, 2);
        pushBytes(L, buf, next + 4, next + n);
        raw.lua_setfield(L, -2, cstr('string'));
        pushBytes(L, buf, next, next + 3);
        raw.lua_setfield(L, -2, cstr('format'));
        raw.lua_setfield(L, -2, cstr('verbatim_string'));
      }
      return next + n + 2;
    }
    default:
      if (push) raw.lua_pushnil(L);
      return buf.length;
  }
}

function parseDouble(s: string): number {
  const l = s.toLowerCase();
  if (l === 'inf' || l === '+inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (l === 'nan' || l === '-nan') return NaN;
  return Number(s);
}

/** Pushes an array of strings as a Lua table (KEYS, ARGV). */
export function pushStringArray(L: number, items: readonly string[], from: number, to: number): void {
  raw.lua_createtable(L, to - from, 0);
  for (let j = from; j < to; j++) {
    raw.lua_pushnumber(L, j - from + 1);
    pushString(L, items[j]!);
    raw.lua_rawset(L, -3);
  }
}
