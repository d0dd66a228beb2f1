/** String family: GET/SET and friends, counters, ranges (see string-range.ts for GETRANGE/SETRANGE/LCS). */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isString, stringOf, type StringValue, type Value } from '../../datatypes/value.ts';
import { isInt64, parseInt64OrNull, parseInteger } from '../core/parse.ts';
import { expireMs } from '../keys/expire-args.ts';
import { addLongDouble, formatLongDouble, string2ld, type LongDouble } from '../../datatypes/long-double.ts';
import { appendRaw, isBoxed } from '../../datatypes/string-raw.ts';
import type { Client } from '../../server/client.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import { stringRangeCommands } from './string-range.ts';
import { checkStringLength, readString } from './string-common.ts';
import { deletionCommand } from '../../engine/lazyfree.ts';

/**
 * Redis 7.0's OBJECT ENCODING of a string value: "int" for a canonical int64
 * (string2l, at most 20 chars), "embstr" up to 44 bytes, else "raw". Buffers
 * are values modified in place (APPEND, SETRANGE, SETBIT), raw in Redis too.
 */
export function stringEncoding(v: StringValue): string {
  if (typeof v !== 'string') return isBoxed(v) && v.length <= 44 ? 'embstr' : 'raw';
  if (v.length <= 20 && isInt64(v)) return 'int';
  return v.length <= 44 ? 'embstr' : 'raw';
}

/** A string value as a latin1 string, null when missing; WRONGTYPE for other types. */
function checkedString(v: Value | undefined): string | null {
  if (v === undefined) return null;
  if (typeof v === 'string') return v;
  if (!isString(v)) throw new CommandError(Err.WRONGTYPE);
  return stringOf(v);
}

/** Bulk reply of a string value without converting Buffers. */
export function replyString(c: Client, v: StringValue): void {
  if (typeof v === 'string') c.reply.bulk(v);
  else c.reply.bulkBuffer(v);
}

/** GET key */
const get = command({
  name: 'get', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string',
  handler(c, args) {
    const key = args[1]!;
    const v = c.ks(key).lookupRead(key);
    if (v === undefined) return c.reply.nullBulk();
    if (typeof v === 'string') return c.reply.bulk(v);
    if (!isString(v)) throw new CommandError(Err.WRONGTYPE);
    c.reply.bulkBuffer(v);
  },
});

const F_NX = 1, F_XX = 2, F_GET = 4, F_KEEPTTL = 8, F_PERSIST = 16, F_EX = 32, F_PX = 64, F_EXAT = 128, F_PXAT = 256;
const ANY_EXPIRE = F_EX | F_PX | F_EXAT | F_PXAT;

/** The option an argument names (case-insensitive), as its flag; 0 for anything else. */
function optionFlag(a: string): number {
  switch (a) {
    case 'EX': case 'ex': return F_EX;
    case 'PX': case 'px': return F_PX;
    case 'NX': case 'nx': return F_NX;
    case 'XX': case 'xx': return F_XX;
    case 'GET': case 'get': return F_GET;
    case 'EXAT': case 'exat': return F_EXAT;
    case 'PXAT': case 'pxat': return F_PXAT;
    case 'KEEPTTL': case 'keepttl': return F_KEEPTTL;
    case 'PERSIST': case 'persist': return F_PERSIST;
  }
  if (a.length < 2 || a.length > 7) return 0;
  const u = a.toUpperCase();
  return u === a ? 0 : optionFlag(u);
}

/** What each expire option may not be combined with (Redis accepts a repeat of the same one). */
const EXCLUDES: Record<number, number> = {
  [F_EX]: F_KEEPTTL | F_PERSIST | F_EXAT | F_PX | F_PXAT,
  [F_PX]: F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PXAT,
  [F_EXAT]: F_KEEPTTL | F_PERSIST | F_EX | F_PX | F_PXAT,
  [F_PXAT]: F_KEEPTTL | F_PERSIST | F_EX | F_EXAT | F_PX,
};

/** The expire argument the last parseExtended call found (handlers run one at a time). */
let parsedExpire: string | null = null;

/**
 * Redis's parseExtendedStringArgumentsOrReply for SET (isSet) and GETEX:
 * returns the option flags and leaves the expire argument in parsedExpire.
 */
function parseExtended(args: string[], from: number, isSet: boolean): number {
  let flags = 0;
  parsedExpire = null;
  for (let j = from; j < args.length; j++) {
    const opt = optionFlag(args[j]!);
    let ok: boolean;
    switch (opt) {
      case F_NX: ok = isSet && !(flags & F_XX); break;
      case F_XX: ok = isSet && !(flags & F_NX); break;
      case F_GET: ok = isSet; break;
      case F_KEEPTTL: ok = isSet && !(flags & (F_PERSIST | ANY_EXPIRE)); break;
      case F_PERSIST: ok = !isSet && !(flags & (F_KEEPTTL | ANY_EXPIRE)); break;
      case 0: ok = false; break;
      default:
        ok = j < args.length - 1 && !(flags & EXCLUDES[opt]!);
        if (ok) parsedExpire = args[++j]!;
    }
    if (!ok) throw new CommandError(Err.SYNTAX);
    flags |= opt;
  }
  return flags;
}

function expireFromFlags(flags: number, expire: string, now: number, cmdName: string): number {
  const unit = flags & (F_EX | F_EXAT) ? 1000 : 1;
  return expireMs(expire, unit, (flags & (F_EX | F_PX)) !== 0, now, cmdName);
}

/** Redis's setGenericCommand: false when NX/XX stopped it (SET then replies null, SETNX 0). */
function setGeneric(c: Client, flags: number, key: string, value: string, whenMs: number | null, cmdName: string): boolean {
  const ks = c.ks(key);
  if (flags & F_GET) {
    // getGenericCommand: a read lookup (hit/miss stats), WRONGTYPE before anything changes
    const old = ks.lookupRead(key);
    if (old === undefined) c.reply.nullBulk();
    else if (isString(old)) replyString(c, old);
    else throw new CommandError(Err.WRONGTYPE);
  }
  const found = ks.get(key) !== undefined;
  if ((flags & F_NX && found) || (flags & F_XX && !found)) {
    if (!(flags & F_GET) && cmdName === 'set') c.reply.nullBulk();
    return false;
  }
  if (flags & F_KEEPTTL) ks.replace(key, value);
  else ks.set(key, value, true);
  ks.modified(key, 'set');
  if (whenMs !== null) {
    ks.setExpire(key, whenMs);
    ks.modified(key, 'expire');
    // replicas get the absolute time (Redis rewrites to SET key value PXAT ms)
    if (c.server.replication.active) c.propagate = ['SET', key, value, 'PXAT', String(whenMs)];
  }
  return true;
}

/** SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] */
const set = command({
  name: 'set', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string',
  handler(c, args) {
    const key = args[1]!;
    if (args.length === 3) {
      // the common case, without option parsing
      const ks = c.ks(key);
      ks.set(key, args[2]!);
      ks.modified(key, 'set');
      return c.reply.ok();
    }
    const flags = parseExtended(args, 3, true);
    const expire = parsedExpire;
    const when = expire === null ? null : expireFromFlags(flags, expire, c.server.engine.now(), 'set');
    if (!setGeneric(c, flags, key, args[2]!, when, 'set')) return;
    if (!(flags & F_GET)) c.reply.ok();
    // replicated without its GET arguments, as Redis does
    else if (when === null && c.server.replication.active) c.propagate = args.filter((a, j) => j < 3 || optionFlag(a) !== F_GET);
  },
});

/** SETNX key value */
const setnx = command({
  name: 'setnx', arity: 3, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string',
  handler(c, args) {
    c.reply.int(setGeneric(c, F_NX, args[1]!, args[2]!, null, 'setnx') ? 1 : 0);
  },
});

function setexLike(name: string, unit: 1 | 1000): CommandSpec {
  return command({
    name, arity: 4, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
    group: 'string',
    handler(c, args) {
      const when = expireMs(args[2]!, unit, true, c.server.engine.now(), name);
      setGeneric(c, 0, args[1]!, args[3]!, when, name);
      c.reply.ok();
    },
  });
}

/** GETSET key value */
const getset = command({
  name: 'getset', arity: 3, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string',
  handler(c, args) {
    setGeneric(c, F_GET, args[1]!, args[2]!, null, 'getset');
    if (c.server.replication.active) c.propagate = ['SET', args[1]!, args[2]!];
  },
});

/** GETDEL key */
const getdel = command({
  name: 'getdel', arity: 2, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const v = readString(c, key);
    if (v === null) return c.reply.nullBulk();
    replyString(c, v);
    ks.delete(key);
    ks.modified(key, 'del');
    if (c.server.replication.active) c.propagate = ['DEL', key];
  },
});

/** GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST] */
const getex = command({
  name: 'getex', arity: -2, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string',
  handler(c, args) {
    const key = args[1]!;
    const flags = parseExtended(args, 2, false);
    const expire = parsedExpire;
    const ks = c.ks(key);
    const v = readString(c, key);
    if (v === null) return c.reply.nullBulk();
    const now = c.server.engine.now();
    const when = expire === null ? null : expireFromFlags(flags, expire, now, 'getex');
    replyString(c, v);
    if (when !== null && flags & (F_EXAT | F_PXAT) && when <= now) {
      ks.delete(key);
      ks.modified(key, 'del');
      if (c.server.replication.active) c.propagate = [deletionCommand(c.server.config, 'lazyfree-lazy-expire'), key];
    } else if (when !== null) {
      ks.setExpire(key, when);
      ks.modified(key, 'expire');
      if (c.server.replication.active) c.propagate = ['PEXPIREAT', key, String(when)];
    } else if (flags & F_PERSIST && ks.persist(key)) {
      ks.modified(key, 'persist');
      if (c.server.replication.active) c.propagate = ['PERSIST', key];
    }
  },
});

/** MGET key [key ...] */
const mget = command({
  name: 'mget', arity: -2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, step: 1,
  group: 'string',
  handler(c, args) {
    c.reply.array(args.length - 1);
    for (let i = 1; i < args.length; i++) {
      const v = c.ks(args[i]!).lookupRead(args[i]!);
      if (typeof v === 'string') c.reply.bulk(v);
      else if (v === undefined || !isString(v)) c.reply.nullBulk();
      else c.reply.bulkBuffer(v);
    }
  },
});

function checkPairs(args: string[], name: string): void {
  if ((args.length - 1) % 2 !== 0) throw new CommandError(`ERR wrong number of arguments for '${name}' command`);
}

/** MSET key value [key value ...] */
const mset = command({
  name: 'mset', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, step: 2,
  group: 'string',
  handler(c, args) {
    checkPairs(args, 'mset');
    for (let i = 1; i < args.length; i += 2) {
      const ks = c.ks(args[i]!);
      ks.set(args[i]!, args[i + 1]!);
      ks.modified(args[i]!, 'set');
    }
    c.reply.ok();
  },
});

/** MSETNX key value [key value ...] — all or nothing. */
const msetnx = command({
  name: 'msetnx', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, step: 2,
  group: 'string',
  handler(c, args) {
    checkPairs(args, 'msetnx');
    for (let i = 1; i < args.length; i += 2) {
      if (c.ks(args[i]!).has(args[i]!)) return c.reply.int(0);
    }
    for (let i = 1; i < args.length; i += 2) {
      const ks = c.ks(args[i]!);
      ks.set(args[i]!, args[i + 1]!);
      ks.modified(args[i]!, 'set');
    }
    c.reply.int(1);
  },
});

/** APPEND key value — an existing value becomes raw (a Buffer with room to grow), as Redis's sdscatlen. */
const append = command({
  name: 'append', arity: 3, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string',
  handler(c, args) {
    const key = args[1]!;
    const add = args[2]!;
    const ks = c.ks(key);
    const old = ks.get(key);
    let total: number;
    if (old === undefined) {
      ks.set(key, add);
      total = add.length;
    } else {
      if (!isString(old)) throw new CommandError(Err.WRONGTYPE);
      checkStringLength(c, old.length, add.length);
      const next = appendRaw(old, add);
      ks.replace(key, next);
      total = next.length;
    }
    ks.modified(key, 'append');
    c.reply.int(total);
  },
});

/** STRLEN key */
const strlen = command({
  name: 'strlen', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string',
  handler(c, args) {
    const v = c.ks(args[1]!).lookupRead(args[1]!);
    if (v === undefined) return c.reply.int(0);
    if (!isString(v)) throw new CommandError(Err.WRONGTYPE);
    c.reply.int(v.length);
  },
});

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Adds `incr` to the integer at key (Redis's incrDecrCommand). */
function incrBy(c: Client, key: string, incr: number, incrBig: bigint | null): void {
  const ks: Keyspace = c.ks(key);
  const old = checkedString(ks.get(key));
  let cur = 0;
  if (old !== null) {
    const n = parseInt64OrNull(old);
    if (n === null) throw new CommandError(Err.NOT_INTEGER);
    cur = n;
  }
  let result: string;
  const sum = cur + incr;
  if (incrBig === null && Number.isSafeInteger(sum) && Number.isSafeInteger(cur)) {
    result = String(sum);
  } else {
    const a = old === null ? 0n : BigInt(old);
    const b = incrBig ?? BigInt(incr);
    const r = a + b;
    if (r > INT64_MAX || r < INT64_MIN) throw new CommandError(Err.OVERFLOW);
    result = r.toString();
  }
  if (old === null) ks.set(key, result);
  else ks.replace(key, result);
  ks.modified(key, 'incrby');
  c.reply.intText(result);
}

function incrCommand(name: string, sign: 1 | -1, withArg: boolean): CommandSpec {
  return command({
    name, arity: withArg ? 3 : 2, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'string',
    handler(c, args) {
      if (!withArg) return incrBy(c, args[1]!, sign, null);
      const n = parseInteger(args[2]!);
      if (Number.isSafeInteger(n)) return incrBy(c, args[1]!, sign * n, null);
      let big = BigInt(args[2]!);
      if (sign < 0) {
        if (big === INT64_MIN) throw new CommandError('ERR decrement would overflow');
        big = -big;
      }
      incrBy(c, args[1]!, 0, big);
    },
  });
}

const LD_ZERO = string2ld('0') as LongDouble;

/** INCRBYFLOAT key increment */
const incrbyfloat = command({
  name: 'incrbyfloat', arity: 3, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'string',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const old = checkedString(ks.get(key));
    // Redis adds in x87 long double (range to 1e4932, hex floats accepted) and prints %.17Lf
    const cur = old === null ? LD_ZERO : string2ld(old);
    if (cur === null) throw new CommandError(Err.NOT_FLOAT);
    const incr = string2ld(args[2]!);
    if (incr === null) throw new CommandError(Err.NOT_FLOAT);
    const sum = cur === 'inf' || incr === 'inf' ? null : addLongDouble(cur, incr);
    if (sum === null) throw new CommandError(Err.NAN_OR_INF);
    const s = formatLongDouble(sum);
    if (old === null) ks.set(key, s);
    else ks.replace(key, s);
    ks.modified(key, 'incrbyfloat');
    c.reply.bulk(s);
    // replicated as the value it produced, never re-computed (SET key value KEEPTTL)
    if (c.server.replication.active) c.propagate = ['SET', key, s, 'KEEPTTL'];
  },
});

export const stringCommands: CommandSpec[] = [
  get, set, setnx,
  setexLike('setex', 1000),
  setexLike('psetex', 1),
  getset, getdel, getex, mget, mset, msetnx, append, strlen,
  incrCommand('incr', 1, false),
  incrCommand('decr', -1, false),
  incrCommand('incrby', 1, true),
  incrCommand('decrby', -1, true),
  incrbyfloat,
  ...stringRangeCommands,
];
