/**
 * Commands that move or copy a value between keys or databases: RENAME,
 * RENAMENX, MOVE, COPY. Source and destination may be on different shards
 * (each key gets its own Keyspace); the value's TTL travels with it.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isOpt, parseInt64OrNull } from '../core/parse.ts';
import type { CollectionValue, Value } from '../../datatypes/value.ts';
import type { Client } from '../../server/client.ts';
import type { Keyspace } from '../../engine/keyspace.ts';

/** A deep copy of a value (strings are immutable JS strings or copied Buffers). */
export function cloneValue(v: Value): Value {
  if (typeof v === 'string') return v;
  if (v instanceof Buffer) return Buffer.from(v);
  return (v as CollectionValue).clone();
}

/** Redis's getIntFromObjectOrReply: an int64 first, then the C int range. */
export function parseIntArg(s: string): number {
  const n = parseInt64OrNull(s);
  if (n === null) throw new CommandError(Err.NOT_INTEGER);
  if (n < -2147483648 || n > 2147483647) throw new CommandError('ERR value is out of range, value must between -2147483648 and 2147483647');
  return n;
}

/** A db index for MOVE / COPY DB: an int, then in range. */
function dbIndexArg(c: Client, s: string): number {
  const db = parseIntArg(s);
  if (db < 0 || db >= c.server.engine.databases) throw new CommandError(Err.DB_INDEX);
  return db;
}

/**
 * Moves key's value, TTL and LRU/LFU word from one keyspace to another
 * (RENAME, MOVE: Redis moves the object itself); `dst` must be free.
 */
function transfer(from: Keyspace, src: string, to: Keyspace, dst: string, value: Value): void {
  const ttl = from.getExpire(src);
  const word = from.lruWord(src);
  from.delete(src);
  to.set(dst, value);
  if (to.lruPolicy.tracking) to.setLruWord(dst, word);
  if (ttl !== undefined) to.setExpire(dst, ttl);
}

/** RENAME key newkey / RENAMENX key newkey */
function renameLike(name: 'rename' | 'renamenx'): CommandSpec {
  const nx = name === 'renamenx';
  return command({
    name, arity: 3, flags: nx ? ['write', 'fast'] : ['write'], firstKey: 1, lastKey: 2, step: 1,
    group: 'generic',
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
        to.delete(dst); // overwritten silently: Redis emits no 'del' here
      }
      transfer(from, src, to, dst, v);
      from.modified(src, 'rename_from');
      to.modified(dst, 'rename_to');
      if (nx) c.reply.int(1);
      else c.reply.ok();
    },
  });
}

/** MOVE key db */
const move = command({
  name: 'move', arity: 3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'generic',
  handler(c, args) {
    if (c.server.cluster !== null) throw new CommandError('ERR MOVE is not allowed in cluster mode');
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

/** COPY source destination [DB destination-db] [REPLACE] — a deep copy, TTL included. */
const copy = command({
  name: 'copy', arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
  group: 'generic',
  handler(c, args) {
    const src = args[1]!;
    const dst = args[2]!;
    let db = c.db;
    let replace = false;
    for (let j = 3; j < args.length; j++) {
      if (isOpt(args[j]!, 'REPLACE')) replace = true;
      else if (isOpt(args[j]!, 'DB') && j < args.length - 1) db = dbIndexArg(c, args[++j]!);
      else throw new CommandError(Err.SYNTAX);
    }
    if (c.server.cluster !== null && (c.db !== 0 || db !== 0)) throw new CommandError('ERR Copying to another database is not allowed in cluster mode');
    if (src === dst && db === c.db) throw new CommandError(Err.SAME_OBJECT);
    const from = c.ks(src);
    const v = from.lookupRead(src);
    if (v === undefined) return c.reply.int(0);
    const ttl = from.getExpire(src);
    const to = c.server.engine.keyspace(dst, db);
    if (to.get(dst) !== undefined) {
      if (!replace) return c.reply.int(0);
      to.delete(dst);
    }
    to.set(dst, cloneValue(v));
    if (ttl !== undefined) to.setExpire(dst, ttl);
    to.modified(dst, 'copy_to');
    c.reply.int(1);
  },
});

export const copyCommands: CommandSpec[] = [renameLike('rename'), renameLike('renamenx'), move, copy];
