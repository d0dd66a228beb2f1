/** Hash family. */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { HashValue } from '../datatypes/hash.ts';
import { isOpt, parseFloatOrNull, parseInt64OrNull, parseInteger } from './parse.ts';
import { getConfigNumber } from '../config/config.ts';
import { addDecimals } from '../datatypes/long-double.ts';
import { parseScanArgs } from './scan-args.ts';
import { scanStep, writeScanReply } from './scan.ts';
import { globMatch } from '../datatypes/glob.ts';
import { sampleDistinct, sampleWithRepeats } from '../datatypes/random.ts';
import { CursorTable } from '../engine/cursors.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import type { Client } from '../server/client.ts';

export function hashAt(ks: Keyspace, key: string, read = false): HashValue | undefined {
  const v = read ? ks.lookupRead(key) : ks.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof HashValue)) throw new CommandError(Err.WRONGTYPE);
  return v;
}

function hashForWrite(c: Client, ks: Keyspace, key: string): HashValue {
  let h = hashAt(ks, key);
  if (h === undefined) {
    h = new HashValue();
    ks.set(key, h);
  }
  return h;
}

function setField(c: Client, h: HashValue, field: string, value: string): boolean {
  const isNew = !h.map.has(field);
  h.map.set(field, value);
  if (!h.big) {
    const cfg = c.server.config;
    h.checkEncoding(getConfigNumber(cfg, 'hash-max-listpack-entries', 128), getConfigNumber(cfg, 'hash-max-listpack-value', 64), field, value);
  }
  return isNew;
}

function hsetLike(name: 'hset' | 'hmset'): CommandSpec {
  return command({
    name, arity: -4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'hash', since: name === 'hset' ? '2.0.0' : '2.0.0', summary: name === 'hset' ? 'Creates or modifies the value of a field in a hash.' : 'Sets the values of multiple fields.',
    complexity: 'O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs.',
    args: [{ name: 'key', type: 'key' }, { name: 'data', type: 'block', multiple: true, args: [{ name: 'field', type: 'string' }, { name: 'value', type: 'string' }] }],
    handler(c, args) {
      if (args.length % 2 !== 0) throw new CommandError(`ERR wrong number of arguments for '${name}' command`);
      const key = args[1]!;
      const ks = c.ks(key);
      const h = hashForWrite(c, ks, key);
      let created = 0;
      for (let i = 2; i < args.length; i += 2) if (setField(c, h, args[i]!, args[i + 1]!)) created++;
      ks.modified(key, 'hset');
      if (name === 'hset') c.reply.int(created);
      else c.reply.ok();
    },
  });
}

/** HSETNX key field value */
const hsetnx = command({
  name: 'hsetnx', arity: 4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash', since: '2.0.0', summary: 'Sets the value of a field in a hash only when the field doesn\'t exist.', complexity: 'O(1)',
  handler(c, args) {
    const ks = c.ks(args[1]!);
    const existing = hashAt(ks, args[1]!);
    if (existing?.map.has(args[2]!)) return c.reply.int(0);
    setField(c, hashForWrite(c, ks, args[1]!), args[2]!, args[3]!);
    ks.modified(args[1]!, 'hset');
    c.reply.int(1);
  },
});

/** HGET key field */
const hget = command({
  name: 'hget', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash', since: '2.0.0', summary: 'Returns the value of a field in a hash.', complexity: 'O(1)',
  handler(c, args) {
    c.reply.bulkOrNull(hashAt(c.ks(args[1]!), args[1]!, true)?.map.get(args[2]!));
  },
});

/** HMGET key field [field ...] */
const hmget = command({
  name: 'hmget', arity: -3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash', since: '2.0.0', summary: 'Returns the values of all fields in a hash.', complexity: 'O(N) where N is the number of fields being requested.',
  handler(c, args) {
    const h = hashAt(c.ks(args[1]!), args[1]!, true);
    c.reply.array(args.length - 2);
    for (let i = 2; i < args.length; i++) c.reply.bulkOrNull(h?.map.get(args[i]!));
  },
});

/** HDEL key field [field ...] */
const hdel = command({
  name: 'hdel', arity: -3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash', since: '2.0.0', summary: 'Deletes one or more fields and their values from a hash. Deletes the hash if no fields remain.', complexity: 'O(N) where N is the number of fields to be removed.',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const h = hashAt(ks, key);
    if (h === undefined) return c.reply.int(0);
    let n = 0;
    for (let i = 2; i < args.length; i++) if (h.map.delete(args[i]!)) n++;
    if (n > 0) {
      ks.modified(key, 'hdel');
      if (h.map.size === 0) {
        ks.delete(key);
        ks.modified(key, 'del');
      }
    }
    c.reply.int(n);
  },
});

/** HLEN key */
const hlen = command({
  name: 'hlen', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash', since: '2.0.0', summary: 'Returns the number of fields in a hash.', complexity: 'O(1)',
  handler(c, args) {
    c.reply.int(hashAt(c.ks(args[1]!), args[1]!, true)?.map.size ?? 0);
  },
});

/** HSTRLEN key field */
const hstrlen = command({
  name: 'hstrlen', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash', since: '3.2.0', summary: 'Returns the length of the value of a field.', complexity: 'O(1)',
  handler(c, args) {
    c.reply.int(hashAt(c.ks(args[1]!), args[1]!, true)?.map.get(args[2]!)?.length ?? 0);
  },
});

/** HEXISTS key field */
const hexists = command({
  name: 'hexists', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash', since: '2.0.0', summary: 'Determines whether a field exists in a hash.', complexity: 'O(1)',
  handler(c, args) {
    c.reply.int(hashAt(c.ks(args[1]!), args[1]!, true)?.map.has(args[2]!) ? 1 : 0);
  },
});

function hgetallLike(name: string, keys: boolean, values: boolean, summary: string): CommandSpec {
  return command({
    name, arity: 2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
    group: 'hash', since: '2.0.0', summary, complexity: 'O(N) where N is the size of the hash.',
    handler(c, args) {
      const h = hashAt(c.ks(args[1]!), args[1]!, true);
      const n = h?.map.size ?? 0;
      if (keys && values) c.reply.map(n);
      else c.reply.array(n);
      if (!h) return;
      for (const [k, v] of h.map) {
        if (keys) c.reply.bulk(k);
        if (values) c.reply.bulk(v);
      }
    },
  });
}

/** HINCRBY key field increment */
const hincrby = command({
  name: 'hincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash', since: '2.0.0', summary: 'Increments the integer value of a field in a hash by a number. Uses 0 as initial value if the field doesn\'t exist.', complexity: 'O(1)',
  handler(c, args) {
    parseInteger(args[3]!);
    const incr = BigInt(args[3]!);
    const ks = c.ks(args[1]!);
    const h = hashForWrite(c, ks, args[1]!);
    const old = h.map.get(args[2]!);
    let cur = 0n;
    if (old !== undefined) {
      if (parseInt64OrNull(old) === null) throw new CommandError(Err.HASH_NOT_INTEGER);
      cur = BigInt(old);
    }
    const r = cur + incr;
    if (r > 9223372036854775807n || r < -9223372036854775808n) {
      if (h.map.size === 0) ks.delete(args[1]!);
      throw new CommandError(Err.OVERFLOW);
    }
    setField(c, h, args[2]!, r.toString());
    ks.modified(args[1]!, 'hincrby');
    c.reply.raw(':' + r + '\r\n');
  },
});

/** HINCRBYFLOAT key field increment */
const hincrbyfloat = command({
  name: 'hincrbyfloat', arity: 4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash', since: '2.6.0', summary: 'Increments the floating point value of a field by a number. Uses 0 as initial value if the field doesn\'t exist.', complexity: 'O(1)',
  handler(c, args) {
    const incr = parseFloatOrNull(args[3]!);
    if (incr === null) throw new CommandError(Err.NOT_FLOAT);
    if (!Number.isFinite(incr)) throw new CommandError('ERR value is NaN or Infinity');
    const ks = c.ks(args[1]!);
    const existing = hashAt(ks, args[1]!);
    const old = existing?.map.get(args[2]!);
    let cur = 0;
    if (old !== undefined) {
      const v = parseFloatOrNull(old);
      if (v === null) throw new CommandError(Err.HASH_NOT_FLOAT);
      cur = v;
    }
    if (!Number.isFinite(cur + incr)) throw new CommandError(Err.NAN_OR_INF);
    const s = addDecimals(old ?? '0', args[3]!);
    setField(c, hashForWrite(c, ks, args[1]!), args[2]!, s);
    ks.modified(args[1]!, 'hincrbyfloat');
    c.reply.bulk(s);
  },
});

/** HRANDFIELD key [count [WITHVALUES]] */
const hrandfield = command({
  name: 'hrandfield', arity: -2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash', since: '6.2.0', summary: 'Returns one or more random fields from a hash.', complexity: 'O(N) where N is the number of fields returned',
  handler(c, args) {
    const h = hashAt(c.ks(args[1]!), args[1]!, true);
    if (args.length === 2) {
      if (!h) return c.reply.nullBulk();
      const keys = [...h.map.keys()];
      return c.reply.bulk(keys[Math.floor(Math.random() * keys.length)]!);
    }
    let withValues = false;
    if (args.length === 4 && isOpt(args[3]!, 'WITHVALUES')) withValues = true;
    else if (args.length > 3) throw new CommandError(Err.SYNTAX);
    const count = parseInteger(args[2]!);
    if (count < -4611686018427387903 || (withValues && count < -2305843009213693951)) throw new CommandError('ERR value is out of range');
    if (!h || count === 0) return c.reply.array(0);
    const fields = [...h.map.keys()];
    const picked = count > 0 ? sampleDistinct(fields, Math.min(count, fields.length)) : sampleWithRepeats(fields, -count);
    if (!withValues) return c.reply.bulkArray(picked);
    if (c.resp === 3) {
      c.reply.array(picked.length);
      for (const f of picked) {
        c.reply.array(2);
        c.reply.bulk(f);
        c.reply.bulk(h.map.get(f)!);
      }
    } else {
      c.reply.array(picked.length * 2);
      for (const f of picked) {
        c.reply.bulk(f);
        c.reply.bulk(h.map.get(f)!);
      }
    }
  },
});

const hscanCursors = new WeakMap<HashValue, CursorTable<[string, string]>>();

/** HSCAN key cursor [MATCH pattern] [COUNT count] */
const hscan = command({
  name: 'hscan', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash', since: '2.8.0', summary: 'Iterates over fields and values of a hash.', complexity: 'O(1) for every call. O(N) for a complete iteration.',
  handler(c, args) {
    const o = parseScanArgs(args, 2, false);
    const h = hashAt(c.ks(args[1]!), args[1]!, true);
    if (!h) return writeScanReply(c.reply, 0, []);
    let table = hscanCursors.get(h);
    if (!table) hscanCursors.set(h, (table = new CursorTable()));
    const visited: Array<[string, string]> = [];
    // small (listpack) hashes come back whole, as in Redis
    const next = scanStep(table, o.cursor, () => h.map.entries(), h.big ? o.count : Infinity, visited);
    const out: string[] = [];
    for (const [f, v] of visited) {
      if (o.match !== null && !globMatch(o.match, f)) continue;
      if (!h.map.has(f)) continue;
      out.push(f, v);
    }
    writeScanReply(c.reply, next, out);
  },
});

export const hashCommands: CommandSpec[] = [
  hsetLike('hset'), hsetLike('hmset'), hsetnx, hget, hmget, hdel, hlen, hstrlen, hexists,
  hgetallLike('hkeys', true, false, 'Returns all fields in a hash.'),
  hgetallLike('hvals', false, true, 'Returns all values in a hash.'),
  hgetallLike('hgetall', true, true, 'Returns all fields and values in a hash.'),
  hincrby, hincrbyfloat, hrandfield, hscan,
];
