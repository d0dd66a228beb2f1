/** Generic keyspace family: DEL, EXISTS, TYPE, KEYS, RANDOMKEY, RENAME, MOVE, COPY, TOUCH, OBJECT (expiry in expire.ts, SCAN in scan.ts). */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { isString, typeOf, type CollectionValue, type Value } from '../datatypes/value.ts';
import { globMatch, matchesAll } from '../datatypes/glob.ts';
import { isOpt, parseInt64OrNull, parseInteger } from './parse.ts';
import { stringEncoding } from './string.ts';
import { getConfigValue } from '../config/config.ts';
import { expireCommands } from './expire.ts';
import { scanCommands } from './scan.ts';
import type { Client } from '../server/client.ts';
import type { Keyspace } from '../engine/keyspace.ts';

/** Redis 7.0's OBJECT ENCODING name for any value. */
export function encodingOf(v: Value): string {
  return isString(v) ? stringEncoding(v) : v.encoding();
}

/** A deep copy of a value (strings are immutable JS strings or copied Buffers). */
export function cloneValue(v: Value): Value {
  if (typeof v === 'string') return v;
  if (v instanceof Buffer) return Buffer.from(v);
  return (v as CollectionValue).clone();
}

function delLike(name: string, since: string, summary: string): CommandSpec {
  return command({
    name, arity: -2, flags: name === 'del' ? ['write'] : ['write', 'fast'], firstKey: 1, lastKey: -1, step: 1,
    group: 'generic', since, summary, complexity: 'O(N) where N is the number of keys that will be removed.',
    args: [{ name: 'key', type: 'key', multiple: true }],
    handler(c, args) {
      let n = 0;
      for (let i = 1; i < args.length; i++) {
        const ks = c.ks(args[i]!);
        if (ks.delete(args[i]!)) {
          ks.modified(args[i]!, 'del');
          n++;
        }
      }
      c.reply.int(n);
    },
  });
}

/** EXISTS key [key ...] — counts a key once per mention. */
const exists = command({
  name: 'exists', arity: -2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, step: 1,
  group: 'generic', since: '1.0.0', summary: 'Determines whether one or more keys exist.', complexity: 'O(N) where N is the number of keys to check.',
  args: [{ name: 'key', type: 'key', multiple: true }],
  handler(c, args) {
    let n = 0;
    for (let i = 1; i < args.length; i++) if (c.ks(args[i]!).get(args[i]!) !== undefined) n++;
    c.reply.int(n);
  },
});

/** TYPE key */
const type = command({
  name: 'type', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'generic', since: '1.0.0', summary: 'Determines the type of value stored at a key.', complexity: 'O(1)',
  args: [{ name: 'key', type: 'key' }],
  handler(c, args) {
    const v = c.ks(args[1]!).get(args[1]!);
    c.reply.simple(v === undefined ? 'none' : typeOf(v));
  },
});

/** KEYS pattern */
const keys = command({
  name: 'keys', arity: 2, flags: ['readonly'], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic', since: '1.0.0', summary: 'Returns all key names that match a pattern.', complexity: 'O(N) with N being the number of keys in the database',
  acl: ['@keyspace', '@dangerous'],
  args: [{ name: 'pattern', type: 'pattern' }],
  handler(c, args) {
    const pattern = args[1]!;
    const all = matchesAll(pattern);
    const out: string[] = [];
    for (const ks of c.server.engine.keyspaces(c.db)) {
      for (const key of ks.data.keys()) {
        if ((all || globMatch(pattern, key)) && !ks.isExpired(key)) out.push(key);
      }
    }
    c.reply.bulkArray(out);
  },
});

/** A uniformly random live key of the selected db, or null. */
export function randomKey(c: Client): string | null {
  const spaces = c.server.engine.keyspaces(c.db);
  for (let attempt = 0; attempt < 100; attempt++) {
    let total = 0;
    for (const ks of spaces) total += ks.size;
    if (total === 0) return null;
    let r = Math.floor(Math.random() * total);
    for (const ks of spaces) {
      if (r >= ks.size) {
        r -= ks.size;
        continue;
      }
      let i = 0;
      for (const key of ks.data.keys()) {
        if (i++ === r) {
          if (ks.expireIfNeeded(key)) break;
          return key;
        }
      }
      break;
    }
  }
  return null;
}

/** RANDOMKEY */
const randomkey = command({
  name: 'randomkey', arity: 1, flags: ['readonly'], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic', since: '1.0.0', summary: 'Returns a random key name from the database.', complexity: 'O(1)',
  handler(c) {
    c.reply.bulkOrNull(randomKey(c));
  },
});

/** Moves key's value and TTL from one keyspace to another (RENAME, MOVE). */
function transfer(from: Keyspace, src: string, to: Keyspace, dst: string, value: Value): void {
  const ttl = from.getExpire(src);
  from.data.delete(src);
  from.persist(src);
  to.set(dst, value);
  if (ttl !== undefined) to.setExpire(dst, ttl);
}

function renameLike(name: 'rename' | 'renamenx'): CommandSpec {
  const nx = name === 'renamenx';
  return command({
    name, arity: 3, flags: nx ? ['write', 'fast'] : ['write'], firstKey: 1, lastKey: 2, step: 1,
    group: 'generic', since: '1.0.0', summary: nx ? 'Renames a key only when the target key name doesn\'t exist.' : 'Renames a key and overwrites the destination.',
    complexity: 'O(1)',
    args: [{ name: 'key', type: 'key' }, { name: 'newkey', type: 'key' }],
    handler(c, args) {
      const src = args[1]!;
      const dst = args[2]!;
      const from = c.ks(src);
      const v = from.get(src);
      if (v === undefined) throw new CommandError(Err.NO_SUCH_KEY);
      if (src === dst) return nx ? c.reply.int(0) : c.reply.ok();
      const to = c.ks(dst);
      if (to.get(dst) !== undefined) {
        if (nx) return c.reply.int(0);
        to.delete(dst);
      }
      transfer(from, src, to, dst, v);
      from.modified(src, 'rename_from');
      to.modified(dst, 'rename_to');
      if (nx) c.reply.int(1);
      else c.reply.ok();
    },
  });
}

function dbIndexArg(c: Client, s: string): number {
  const db = parseInteger(s);
  if (db < 0 || db >= c.server.engine.databases) throw new CommandError(Err.DB_INDEX);
  return db;
}

/** MOVE key db */
const move = command({
  name: 'move', arity: 3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'generic', since: '1.0.0', summary: 'Moves a key to another database.', complexity: 'O(1)',
  args: [{ name: 'key', type: 'key' }, { name: 'db', type: 'integer' }],
  handler(c, args) {
    const key = args[1]!;
    const db = dbIndexArg(c, args[2]!);
    if (db === c.db) throw new CommandError(Err.SAME_OBJECT);
    const from = c.ks(key);
    const v = from.get(key);
    if (v === undefined) return c.reply.int(0);
    const to = c.server.engine.keyspace(key, db);
    if (to.get(key) !== undefined) return c.reply.int(0);
    transfer(from, key, to, key, v);
    from.modified(key, 'move_from');
    to.modified(key, 'move_to');
    c.reply.int(1);
  },
});

/** COPY source destination [DB destination-db] [REPLACE] */
const copy = command({
  name: 'copy', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
  group: 'generic', since: '6.2.0', summary: 'Copies the value of a key to a new key.', complexity: 'O(N) worst case for collections, where N is the number of nested items. O(1) for string values.',
  args: [{ name: 'source', type: 'key' }, { name: 'destination', type: 'key' }],
  handler(c, args) {
    const src = args[1]!;
    const dst = args[2]!;
    let db = c.db;
    let replace = false;
    for (let j = 3; j < args.length; j++) {
      if (isOpt(args[j]!, 'REPLACE')) replace = true;
      else if (isOpt(args[j]!, 'DB') && j < args.length - 1) {
        const n = parseInt64OrNull(args[++j]!);
        if (n === null || n < -2147483648 || n > 2147483647) throw new CommandError(Err.NOT_INTEGER);
        if (n < 0 || n >= c.server.engine.databases) throw new CommandError(Err.DB_INDEX);
        db = n;
      } else throw new CommandError(Err.SYNTAX);
    }
    if (src === dst && db === c.db) throw new CommandError(Err.SAME_OBJECT);
    const from = c.ks(src);
    const v = from.get(src);
    if (v === undefined) return c.reply.int(0);
    const to = c.server.engine.keyspace(dst, db);
    if (to.get(dst) !== undefined) {
      if (!replace) return c.reply.int(0);
      to.delete(dst);
    }
    to.set(dst, cloneValue(v));
    const ttl = from.getExpire(src);
    if (ttl !== undefined) to.setExpire(dst, ttl);
    to.modified(dst, 'copy_to');
    c.reply.int(1);
  },
});

/** TOUCH key [key ...] */
const touch = command({
  name: 'touch', arity: -2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, step: 1,
  group: 'generic', since: '3.2.1', summary: 'Returns the number of existing keys out of those specified after updating the time they were last accessed.',
  complexity: 'O(N) where N is the number of keys that will be touched.',
  args: [{ name: 'key', type: 'key', multiple: true }],
  handler(c, args) {
    let n = 0;
    for (let i = 1; i < args.length; i++) if (c.ks(args[i]!).get(args[i]!) !== undefined) n++;
    c.reply.int(n);
  },
});

const LFU_ERR = 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const LRU_ERR = 'ERR An LRU maxmemory policy is selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';

function objectSub(name: string, summary: string, reply: (c: Client, v: Value) => void): CommandSpec {
  return command({
    name, arity: 3, flags: ['readonly'], firstKey: 2, lastKey: 2, step: 1,
    group: 'generic', since: '2.2.3', summary, complexity: 'O(1)',
    args: [{ name: 'key', type: 'key' }],
    handler(c, args) {
      const v = c.ks(args[2]!).get(args[2]!);
      if (v === undefined) return c.reply.nullBulk();
      reply(c, v);
    },
  });
}

function lfuPolicy(c: Client): boolean {
  return (getConfigValue(c.server.config, 'maxmemory-policy') ?? '').includes('lfu');
}

const OBJECT_HELP = [
  'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
  'HELP',
  '    Prints this help.',
];

/** OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT key, OBJECT HELP */
const object = command({
  name: 'object', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic', since: '2.2.3', summary: 'A container for object introspection commands.', complexity: 'Depends on subcommand.',
  subcommands: [
    objectSub('encoding', 'Returns the internal encoding of a Redis object.', (c, v) => c.reply.bulk(encodingOf(v))),
    objectSub('freq', 'Returns the logarithmic access frequency counter of a Redis object.', (c) => {
      if (!lfuPolicy(c)) throw new CommandError(LFU_ERR);
      c.reply.int(0);
    }),
    objectSub('idletime', 'Returns the time since the last access to a Redis object.', (c) => {
      if (lfuPolicy(c)) throw new CommandError(LRU_ERR);
      c.reply.int(0);
    }),
    objectSub('refcount', 'Returns the reference count of a value of a key.', (c, v) => {
      const shared = typeof v === 'string' && v.length <= 4 && /^(0|[1-9]\d{0,3})$/.test(v);
      c.reply.int(shared ? 2147483647 : 1);
    }),
    command({
      name: 'help', arity: 2, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
      group: 'generic', since: '6.2.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
      handler(c) {
        c.reply.array(OBJECT_HELP.length);
        for (const l of OBJECT_HELP) c.reply.simple(l);
      },
    }),
  ],
});

export const keyCommands: CommandSpec[] = [
  delLike('del', '1.0.0', 'Deletes one or more keys.'),
  delLike('unlink', '4.0.0', 'Asynchronously deletes one or more keys.'),
  exists, type, keys, randomkey, renameLike('rename'), renameLike('renamenx'), move, copy, touch, object,
  ...expireCommands,
  ...scanCommands,
];
