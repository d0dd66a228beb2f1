/** Server family: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, SHUTDOWN, LASTSAVE. */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { parseInt64OrNull } from './parse.ts';
import { infoCommands } from './info.ts';
import { configCommands } from './config-cmd.ts';
import { commandCommands } from './command-info.ts';
import { debugCommands } from './debug.ts';
import type { Client } from '../server/client.ts';

/** DBSIZE */
const dbsize = command({
  name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '1.0.0', summary: 'Returns the number of keys in the database.', complexity: 'O(1)', acl: ['@keyspace'],
  handler(c) {
    c.reply.int(c.server.engine.dbSize(c.db));
  },
});

function flushMode(args: string[]): void {
  if (args.length > 2 || (args.length === 2 && !/^(a?sync)$/i.test(args[1]!))) throw new CommandError(Err.SYNTAX);
}

/** Emits the 'flushdb' event for every key removed (so WATCH/tracking see it). */
function flushKeys(c: Client, db: number): void {
  for (const ks of c.server.engine.keyspaces(db)) {
    if (ks.size === 0) continue;
    const keys = [...ks.data.keys()];
    ks.clear();
    for (const k of keys) ks.shard.emit(db, k, 'flushdb');
  }
}

/** FLUSHDB [ASYNC|SYNC] */
const flushdb = command({
  name: 'flushdb', arity: -1, flags: ['write'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '1.0.0', summary: 'Remove all keys from the current database.', complexity: 'O(N) where N is the number of keys in the selected database',
  acl: ['@keyspace', '@dangerous'],
  handler(c, args) {
    flushMode(args);
    flushKeys(c, c.db);
    c.server.engine.shards[0]!.stats.dirty++;
    c.reply.ok();
  },
});

/** FLUSHALL [ASYNC|SYNC] */
const flushall = command({
  name: 'flushall', arity: -1, flags: ['write'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '1.0.0', summary: 'Removes all keys from all databases.', complexity: 'O(N) where N is the total number of keys in all databases',
  acl: ['@keyspace', '@dangerous'],
  handler(c, args) {
    flushMode(args);
    for (let db = 0; db < c.server.engine.databases; db++) flushKeys(c, db);
    c.server.engine.shards[0]!.stats.dirty++;
    c.reply.ok();
  },
});

/** SWAPDB index1 index2 */
const swapdb = command({
  name: 'swapdb', arity: 3, flags: ['write', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '4.0.0', summary: 'Swaps two Redis databases.', complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.',
  acl: ['@keyspace', '@dangerous'],
  handler(c, args) {
    const a = parseInt64OrNull(args[1]!);
    if (a === null) throw new CommandError('ERR invalid first DB index');
    const b = parseInt64OrNull(args[2]!);
    if (b === null) throw new CommandError('ERR invalid second DB index');
    const n = c.server.engine.databases;
    if (a < 0 || a >= n || b < 0 || b >= n) throw new CommandError(Err.DB_INDEX);
    if (a !== b) {
      c.server.engine.swapDb(a, b);
      c.server.onSwapDb(a, b);
    }
    c.server.engine.shards[0]!.stats.dirty++;
    c.reply.ok();
  },
});

/** TIME */
const time = command({
  name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.6.0', summary: 'Returns the server time.', complexity: 'O(1)',
  handler(c) {
    const us = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000));
    c.reply.array(2);
    c.reply.bulk(String(us / 1000000n));
    c.reply.bulk(String(us % 1000000n));
  },
});

/** LASTSAVE */
const lastsave = command({
  name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '1.0.0', summary: 'Returns the Unix timestamp of the last successful save to disk.', complexity: 'O(1)',
  acl: ['@admin', '@dangerous'],
  handler(c) {
    c.reply.int(Math.floor(c.server.startedAt / 1000));
  },
});

/** SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT] */
const shutdown = command({
  name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '1.0.0', summary: 'Synchronously saves the database(s) to disk and shuts down the Redis server.', complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
  handler(c, args) {
    let abort = false;
    for (const a of args.slice(1)) {
      const o = a.toUpperCase();
      if (o === 'ABORT') abort = true;
      else if (!['NOSAVE', 'SAVE', 'NOW', 'FORCE'].includes(o)) throw new CommandError(Err.SYNTAX);
    }
    if (abort) {
      if (args.length > 2) throw new CommandError(Err.SYNTAX);
      throw new CommandError('ERR No shutdown in progress.');
    }
    c.server.log('warning', 'User requested shutdown...');
    void c.server.shutdown('SHUTDOWN');
  },
});

export const serverCommands: CommandSpec[] = [
  dbsize, flushdb, flushall, swapdb, time, lastsave, shutdown,
  ...infoCommands, ...configCommands, ...commandCommands, ...debugCommands,
];
