/** Server family: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME, LASTSAVE, SHUTDOWN (INFO, CONFIG, COMMAND, DEBUG in their files). */
import { countKeys, flushKeys } from '../../engine/server-wide.ts';
import { blockingDenied } from '../../engine/blocking.ts';
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { getConfigValue } from '../../config/config.ts';
import { parseInt64OrNull } from '../core/parse.ts';
import { infoCommands } from './info.ts';
import { configCommands } from './config-cmd.ts';
import { commandCommands } from './command-info.ts';
import { debugCommands } from './debug.ts';
import { hasSavePoints, saveHooks, saveState } from '../../persistence/save-state.ts';
import { aofShutdownCheck } from './aof.ts';
import type { Client } from '../../server/client.ts';

/** DBSIZE */
const dbsize = command({
  name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', acl: ['@keyspace'],
  handler(c) {
    c.reply.int(countKeys(c.server.engine, c.db));
  },
});

/**
 * The optional ASYNC|SYNC of FLUSHDB / FLUSHALL: whether the flush is
 * asynchronous (default: lazyfree-lazy-user-flush). Both free at once
 * here; an asynchronous one counts its keys as lazily freed, as Redis.
 */
function flushIsAsync(c: Client, args: string[]): boolean {
  if (args.length === 1) return getConfigValue(c.server.config, 'lazyfree-lazy-user-flush') === 'yes';
  const m = args.length === 2 ? args[1]!.toLowerCase() : '';
  if (m !== 'sync' && m !== 'async') throw new CommandError(Err.SYNTAX);
  return m === 'async';
}

/**
 * Whether Redis frees a flush's keys in the background (lazyfreed_objects):
 * ASYNC, and since 7.4 a SYNC flush too, run as a blocking ASYNC one, but in
 * MULTI, scripts and the master's stream (CLIENT_AVOID_BLOCKING_ASYNC_FLUSH).
 */
function freedLazily(c: Client, args: string[]): boolean {
  return flushIsAsync(c, args) || !blockingDenied(c);
}

/**
 * Empties one database. Every removed key is reported ('flushdb') so WATCH,
 * blocked clients and tracking see it. Returns the number of keys removed.
 */
function flushDb(c: Client, db: number): number {
  return flushKeys(c.server.engine, db);
}

/** Counts a flush as writes (Redis: dirty += keys removed), at least one so it is always propagated. */
function addDirty(c: Client, n: number): void {
  c.server.engine.shards[0]!.stats.dirty += Math.max(1, n);
}

/** FLUSHDB [ASYNC|SYNC] */
const flushdb = command({
  name: 'flushdb', arity: -1, flags: ['write'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  acl: ['@keyspace', '@dangerous'],
  handler(c, args) {
    const lazy = freedLazily(c, args);
    const removed = flushDb(c, c.db);
    if (lazy) c.server.stats.lazyfreedObjects += removed;
    addDirty(c, removed);
    c.reply.ok();
  },
});

/** FLUSHALL [ASYNC|SYNC]: with save points configured the empty dataset is saved, as Redis does. */
const flushall = command({
  name: 'flushall', arity: -1, flags: ['write'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  acl: ['@keyspace', '@dangerous'],
  handler(c, args) {
    const lazy = freedLazily(c, args);
    let removed = 0;
    for (let db = 0; db < c.server.engine.databases; db++) removed += flushDb(c, db);
    if (lazy) c.server.stats.lazyfreedObjects += removed;
    addDirty(c, removed);
    if (hasSavePoints(c.server)) saveHooks.save(c.server);
    c.reply.ok();
  },
});

/** A DB index as getIntFromObjectOrReply reads it: an int, else `err`. */
function dbIndex(s: string, err: string): number {
  const v = parseInt64OrNull(s);
  if (v === null || v < -2147483648 || v > 2147483647) throw new CommandError(err);
  return v;
}

/** SWAPDB index1 index2 */
const swapdb = command({
  name: 'swapdb', arity: 3, flags: ['write', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  acl: ['@keyspace', '@dangerous'],
  handler(c, args) {
    if (c.server.cluster !== null) throw new CommandError('ERR SWAPDB is not allowed in cluster mode');
    const a = dbIndex(args[1]!, 'ERR invalid first DB index');
    const b = dbIndex(args[2]!, 'ERR invalid second DB index');
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
  group: 'server',
  handler(c) {
    // the command's frozen clock: one time for a whole script or EXEC (7.2+)
    const us = c.server.engine.nowUs();
    const secs = Math.floor(us / 1e6);
    c.reply.array(2);
    c.reply.bulk(String(secs));
    c.reply.bulk(String(us - secs * 1e6));
  },
});

/** LASTSAVE */
const lastsave = command({
  name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  acl: ['@admin', '@dangerous'],
  handler(c) {
    c.reply.int(saveState(c.server).lastSave);
  },
});

/** SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT] */
const shutdown = command({
  name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c, args) {
    let nosave = false;
    let save = false;
    let force = false;
    let other = false;
    let abort = false;
    for (let i = 1; i < args.length; i++) {
      const o = args[i]!.toLowerCase();
      if (o === 'nosave') nosave = true;
      else if (o === 'save') save = true;
      else if (o === 'now') other = true;
      else if (o === 'force') force = true;
      else if (o === 'abort') abort = true;
      else throw new CommandError(Err.SYNTAX);
    }
    if ((abort && (nosave || save || force || other)) || (nosave && save)) throw new CommandError(Err.SYNTAX);
    // shutdown here is immediate: there is never one in progress to abort
    if (abort) throw new CommandError('ERR No shutdown in progress.');
    c.server.log('warning', 'User requested shutdown...');
    // the AOF is flushed and fsynced as the server closes; a first AOF still being written blocks it (unless FORCE)
    if (!aofShutdownCheck(c.server, force)) throw new CommandError('ERR Errors trying to SHUTDOWN. Check logs.');
    if (!nosave && (save || hasSavePoints(c.server))) {
      c.server.log('notice', 'Saving the final RDB snapshot before exiting.');
      if (!saveHooks.save(c.server) && !force) {
        c.server.log('warning', 'Error trying to save the DB, can\'t exit.');
        throw new CommandError('ERR Errors trying to SHUTDOWN. Check logs.');
      }
    }
    c.server.log('warning', 'Redis is now ready to exit, bye bye...');
    void c.server.shutdown('SHUTDOWN');
  },
});

export const serverCommands: CommandSpec[] = [
  dbsize, flushdb, flushall, swapdb, time, lastsave, shutdown,
  ...infoCommands, ...configCommands, ...commandCommands, ...debugCommands,
];
