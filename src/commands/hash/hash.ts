/**
 * Hash family (Redis 7.0): HSET HSETNX HMSET HGET HMGET HDEL HLEN HSTRLEN
 * HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err, wrongArity } from '../core/errors.ts';
import { HashValue, type IndexedPairs } from '../../datatypes/hash.ts';
import { isOpt, parseInt64OrNull, parseInteger } from '../core/parse.ts';
import { addLongDouble, formatLongDouble, string2ld, type LongDouble } from '../../datatypes/long-double.ts';
import { parseScanArgs } from '../core/scan-args.ts';
import { scanStep, writeScanReply } from '../keys/scan.ts';
import { globMatch } from '../../datatypes/glob.ts';
import { CursorTable } from '../../engine/cursors.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import { dropIfEmpty, expireDueFields, fieldGone, hashAt, hashForWrite, hashRead, maxEntries, maxValue } from './hash-util.ts';
import type { Client } from '../../server/client.ts';

/** A read of one field's value: undefined when missing or expired (deleted then, as hashTypeGetValue). */
function liveField(c: Client, key: string, field: string): string | undefined {
  const h = hashRead(c, key);
  const v = h?.get(field);
  if (v === undefined || !h!.hasFieldTtls()) return v;
  return fieldGone(c.ks(key), key, h!, field) ? undefined : v;
}

function hsetLike(name: 'hset' | 'hmset'): CommandSpec {
  const isHset = name === 'hset';
  const arityError = wrongArity(name);
  return command({
    name, arity: -4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'hash',
    handler(c, args) {
      const argc = args.length;
      if ((argc & 1) !== 0) throw new CommandError(arityError);
      const key = args[1]!;
      const ks = c.ks(key);
      const v = ks.get(key);
      let h: HashValue;
      if (v instanceof HashValue) {
        h = v;
      } else if (v === undefined) {
        h = new HashValue();
        ks.set(key, h);
      } else {
        throw new CommandError(Err.WRONGTYPE);
      }
      const cfg = c.server.config;
      const maxE = maxEntries(cfg);
      const maxV = maxValue(cfg);
      // one pair: the plain path; more: one rebuild of a listpack for all
      const created = argc === 4 ? (h.set(args[2]!, args[3]!, maxE, maxV) ? 1 : 0) : h.setMany(args, 2, maxE, maxV);
      ks.modified(key, 'hset');
      if (isHset) c.reply.int(created);
      else c.reply.ok();
    },
  });
}

/** HSETNX key field value */
const hsetnx = command({
  name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    let h = hashForWrite(ks, key);
    if (h.has(args[2]!)) {
      if (!fieldGone(ks, key, h, args[2]!)) return c.reply.int(0);
      // its last field expired and took the hash: a new one
      if (h.size() === 0) h = hashForWrite(ks, key);
    }
    const cfg = c.server.config;
    h.set(args[2]!, args[3]!, maxEntries(cfg), maxValue(cfg));
    ks.modified(key, 'hset');
    c.reply.int(1);
  },
});

/** HGET key field */
const hget = command({
  name: 'hget', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const v = ks.lookupRead(key);
    if (v === undefined) return c.reply.nullBulk();
    if (!(v instanceof HashValue)) throw new CommandError(Err.WRONGTYPE);
    const s = v.get(args[2]!);
    if (s === undefined || (v.hasFieldTtls() && fieldGone(ks, key, v, args[2]!))) c.reply.nullBulk();
    else c.reply.bulk(s);
  },
});

/** HMGET key field [field ...] */
const hmget = command({
  name: 'hmget', arity: -3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    const key = args[1]!;
    const h = hashRead(c, key);
    c.reply.array(args.length - 2);
    if (h === undefined || !h.hasFieldTtls()) {
      for (let i = 2; i < args.length; i++) c.reply.bulkOrNull(h?.get(args[i]!));
      return;
    }
    // fields found expired go at the end, with one 'hexpired' (HFE_LAZY_NO_NOTIFICATION per field)
    const ks = c.ks(key);
    const gone: string[] = [];
    for (let i = 2; i < args.length; i++) {
      const f = args[i]!;
      const v = h.get(f);
      c.reply.bulkOrNull(v === undefined || gone.includes(f) || fieldGone(ks, key, h, f, gone) ? undefined : v);
    }
    ks.expireFields(key, gone);
  },
});

/** HDEL key field [field ...] */
const hdel = command({
  name: 'hdel', arity: -3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const h = hashAt(ks, key);
    if (h === undefined) return c.reply.int(0);
    const n = args.length === 3 ? (h.delete(args[2]!) ? 1 : 0) : h.deleteMany(args, 2);
    if (n > 0) {
      ks.modified(key, 'hdel');
      dropIfEmpty(ks, key, h);
    }
    c.reply.int(n);
  },
});

/** HLEN key */
const hlen = command({
  name: 'hlen', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    c.reply.int(hashRead(c, args[1]!)?.size() ?? 0);
  },
});

/** HSTRLEN key field */
const hstrlen = command({
  name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    c.reply.int(liveField(c, args[1]!, args[2]!)?.length ?? 0);
  },
});

/** HEXISTS key field */
const hexists = command({
  name: 'hexists', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    c.reply.int(liveField(c, args[1]!, args[2]!) !== undefined ? 1 : 0);
  },
});

/** HKEYS key / HVALS key / HGETALL key (a map in RESP3) */
function hgetallLike(name: string, keys: boolean, values: boolean): CommandSpec {
  return command({
    name, arity: 2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
    group: 'hash',
    handler(c, args) {
      const h = hashRead(c, args[1]!);
      // fields whose TTL passed are left out, not deleted (hashTypeNext skipping them)
      const now = c.server.engine.now();
      const n = h === undefined ? 0 : h.liveSize(now);
      if (keys && values) c.reply.map(n);
      else c.reply.array(n);
      if (h === undefined) return;
      const reply = c.reply;
      if (keys && values) {
        h.forEachLive(now, (k, v) => {
          reply.bulk(k);
          reply.bulk(v);
        });
      } else if (keys) {
        h.forEachLive(now, (k) => reply.bulk(k));
      } else {
        h.forEachLive(now, (_, v) => reply.bulk(v));
      }
    },
  });
}

/**
 * The hash at `key` for a write of `field` (HINCRBY*): an expired field is
 * deleted first, and a hash its expiry emptied is made anew.
 */
function writableField(ks: Keyspace, key: string, field: string): HashValue {
  const h = hashForWrite(ks, key);
  if (!h.hasFieldTtls() || !fieldGone(ks, key, h, field) || h.size() !== 0) return h;
  return hashForWrite(ks, key);
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** HINCRBY key field increment */
const hincrby = command({
  name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    const incr = parseInteger(args[3]!);
    const key = args[1]!;
    const field = args[2]!;
    const ks = c.ks(key);
    const h = writableField(ks, key, field);
    const old = h.get(field);
    let cur = 0;
    if (old !== undefined) {
      const v = parseInt64OrNull(old);
      if (v === null) throw new CommandError(Err.HASH_NOT_INTEGER);
      cur = v;
    }
    let result: number | bigint = cur + incr;
    if (!Number.isSafeInteger(result) || !Number.isSafeInteger(cur) || !Number.isSafeInteger(incr)) {
      // beyond 2^53: exact int64 arithmetic
      result = BigInt(old ?? '0') + BigInt(args[3]!);
      if (result > INT64_MAX || result < INT64_MIN) throw new CommandError(Err.OVERFLOW);
    }
    const cfg = c.server.config;
    // the field keeps its TTL (HASH_SET_KEEP_TTL)
    h.set(field, String(result), maxEntries(cfg), maxValue(cfg), true);
    ks.modified(key, 'hincrby');
    c.reply.int(result);
  },
});

const LD_ZERO = string2ld('0') as LongDouble;

/** HINCRBYFLOAT key field increment */
const hincrbyfloat = command({
  name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    const incr = string2ld(args[3]!);
    if (incr === null) throw new CommandError(Err.NOT_FLOAT);
    if (incr === 'inf') throw new CommandError('ERR value is NaN or Infinity');
    const key = args[1]!;
    const field = args[2]!;
    const ks = c.ks(key);
    const h = writableField(ks, key, field);
    const old = h.get(field);
    let cur = LD_ZERO;
    if (old !== undefined) {
      const v = string2ld(old);
      if (v === null) throw new CommandError(Err.HASH_NOT_FLOAT);
      if (v === 'inf') throw new CommandError(Err.NAN_OR_INF);
      cur = v;
    }
    const sum = addLongDouble(cur, incr);
    if (sum === null) throw new CommandError(Err.NAN_OR_INF);
    const s = formatLongDouble(sum);
    const cfg = c.server.config;
    h.set(field, s, maxEntries(cfg), maxValue(cfg), true);
    ks.modified(key, 'hincrbyfloat');
    // replicated as HSET with the final value, as Redis 7.4 does; a field with a TTL as Redis 8's
    // HSETEX … KEEPTTL (7.4's HSET would drop the TTL on the replica)
    c.propagate = h.fieldExpireAt(field) === 0 ? ['HSET', key, field, s] : ['HSETEX', key, 'KEEPTTL', 'FIELDS', '1', field, s];
    c.reply.bulk(s);
  },
});

/** One HRANDFIELD item: pair i's field, or field and value (a pair in RESP3). */
function randReply(c: Client, pairs: IndexedPairs, i: number, withValues: boolean): void {
  if (withValues) {
    if (c.resp === 3) c.reply.array(2);
    c.reply.bulk(pairs.field(i));
    c.reply.bulk(pairs.value(i));
  } else {
    c.reply.bulk(pairs.field(i));
  }
}

function randHeader(c: Client, n: number, withValues: boolean): void {
  c.reply.array(withValues && c.resp === 2 ? n * 2 : n);
}

/** Redis's hrandfieldWithCountCommand: count already range-checked. */
function hrandfieldWithCount(c: Client, key: string, l: number, withValues: boolean): void {
  const h = randomHash(c, key);
  if (h === undefined) return c.reply.array(0);
  const size = h.size();
  const uniq = l >= 0;
  const count = uniq ? l : -l;
  if (count === 0) return c.reply.array(0);
  // CASE 2: the whole hash, in its own order
  if (uniq && count >= size) {
    randHeader(c, size, withValues);
    const reply = c.reply;
    const resp3Pairs = withValues && c.resp === 3;
    h.forEach((f, v) => {
      if (resp3Pairs) reply.array(2);
      reply.bulk(f);
      if (withValues) reply.bulk(v);
    });
    return;
  }
  const pairs = h.indexed();
  // CASE 1: repeats allowed (or a single pick): independent uniform picks
  if (!uniq || count === 1) {
    randHeader(c, count, withValues);
    for (let i = 0; i < count; i++) randReply(c, pairs, Math.floor(Math.random() * size), withValues);
    return;
  }
  randHeader(c, count, withValues);
  if (count * 3 > size) {
    // CASE 3: most of the hash: shuffle the head of the index list
    const all = new Array<number>(size);
    for (let i = 0; i < size; i++) all[i] = i;
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const t = all[i]!;
      all[i] = all[j]!;
      all[j] = t;
      randReply(c, pairs, all[i]!, withValues);
    }
    return;
  }
  // CASE 4: a small sample of a big hash: pick until `count` distinct
  const picked = new Set<number>();
  while (picked.size < count) picked.add(Math.floor(Math.random() * size));
  // a listpack yields its sample in listpack order (lpRandomPairsUnique)
  const idx = h.isPacked() ? Array.from(picked).sort((a, b) => a - b) : picked;
  for (const i of idx) randReply(c, pairs, i, withValues);
}

/** The hash HRANDFIELD picks from: expired fields deleted first (hashTypeExpireIfNeeded), undefined when that took it all. */
function randomHash(c: Client, key: string): HashValue | undefined {
  const h = hashRead(c, key);
  if (h === undefined || !h.hasFieldTtls()) return h;
  return expireDueFields(c.ks(key), key, h);
}

const LONG_MAX = 9223372036854775807n;

/** HRANDFIELD key [count [WITHVALUES]] */
const hrandfield = command({
  name: 'hrandfield', arity: -2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    const key = args[1]!;
    if (args.length >= 3) {
      // as Redis: the count, then the syntax, then the WITHVALUES range, then the key
      if (parseInt64OrNull(args[2]!) === null) throw new CommandError(Err.NOT_INTEGER);
      const l = BigInt(args[2]!);
      if (l < -LONG_MAX) throw new CommandError(Err.LONG_RANGE);
      if (args.length > 4 || (args.length === 4 && !isOpt(args[3]!, 'WITHVALUES'))) throw new CommandError(Err.SYNTAX);
      const withValues = args.length === 4;
      if (withValues && (l < -LONG_MAX / 2n || l > LONG_MAX / 2n)) throw new CommandError('ERR value is out of range');
      return hrandfieldWithCount(c, key, Number(l), withValues);
    }
    const h = randomHash(c, key);
    if (h === undefined) return c.reply.nullBulk();
    c.reply.bulk(h.fieldAt(Math.floor(Math.random() * h.size())));
  },
});

const hscanCursors = new WeakMap<HashValue, CursorTable<[string, string]>>();

/**
 * HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]
 * A listpack-sized hash comes whole, in order, with cursor 0 (as Redis).
 * NOVALUES (7.4: fields only) is accepted.
 */
const hscan = command({
  name: 'hscan', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    // as Redis: the cursor first, then the key, then the options
    parseScanArgs(args.slice(0, 3), 2, 'hash');
    const h = hashRead(c, args[1]!);
    if (h === undefined) return writeScanReply(c.reply, 0, []);
    const o = parseScanArgs(args, 2, 'hash');
    const out: string[] = [];
    // fields whose TTL passed are not reported (and stay)
    const now = c.server.engine.now();
    const ttls = h.hasFieldTtls() ? h : null;
    if (h.isPacked()) {
      h.forEachLive(now, (f, v) => {
        if (o.match !== null && !globMatch(o.match, f)) return;
        if (o.noValues) out.push(f);
        else out.push(f, v);
      });
      return writeScanReply(c.reply, 0, out);
    }
    let table = hscanCursors.get(h);
    if (table === undefined) hscanCursors.set(h, (table = new CursorTable()));
    const visited: Array<[string, string]> = [];
    const next = scanStep(table, o.cursor, () => h.pairs(), o.count, visited);
    for (const [f, v] of visited) {
      if (o.match !== null && !globMatch(o.match, f)) continue;
      if (ttls !== null && ttls.isFieldExpired(f, now)) continue;
      if (o.noValues) out.push(f);
      else out.push(f, v);
    }
    writeScanReply(c.reply, next, out);
  },
});

export const hashCommands: CommandSpec[] = [
  /** HSET key field value [field value ...] */
  hsetLike('hset'),
  /** HMSET key field value [field value ...] */
  hsetLike('hmset'),
  hsetnx, hget, hmget, hdel, hlen, hstrlen, hexists,
  /** HKEYS key */
  hgetallLike('hkeys', true, false),
  /** HVALS key */
  hgetallLike('hvals', false, true),
  /** HGETALL key */
  hgetallLike('hgetall', true, true),
  hincrby, hincrbyfloat, hrandfield, hscan,
];
