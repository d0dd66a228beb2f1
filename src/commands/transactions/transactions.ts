/** MULTI / EXEC / DISCARD / WATCH / UNWATCH. */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { call } from '../../server/dispatch.ts';
import type { Client } from '../../server/client.ts';
import type { Command } from '../core/spec.ts';
import type { ServerState } from '../../server/server-state.ts';
import { ACL_OK, DENIED_CHANNEL, DENIED_CMD, DENIED_KEY } from '../../security/acl.ts';
import { addInfoFields } from '../server/info.ts';

interface TxState {
  queue: Array<[Command, string[]]>;
  dirty: boolean;
  /**
   * Bytes the queued commands hold, as Redis's mstate.argv_len_sums (their
   * arguments plus a pointer each): CLIENT LIST multi-mem, and part of the
   * query buffer for client-query-buffer-limit (Redis 7.4, #12961).
   */
  bytes: number;
}

/** Commands that run immediately even inside MULTI. */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

/**
 * One WATCHed key of a client. `expired`: the key was already logically
 * expired when watched (or became so by SWAPDB) — its deletion is then no
 * change, as Redis's watchedKey.expired.
 */
interface WatchEntry {
  readonly db: number;
  readonly key: string;
  expired: boolean;
}

/** (db, key) → the clients watching it and their entries. */
type WatchTable = Map<string, Map<Client, WatchEntry>>;

const watchers = new WeakMap<ServerState<Client>, WatchTable>();
const slot = (db: number, key: string): string => db + '\0' + key;

// INFO clients (Redis 7.4): the distinct keys watched
addInfoFields('clients', (s) => [['total_watched_keys', watchers.get(s)?.size ?? 0]]);

function markDirty(c: Client): void {
  c.ext.watchDirty = true;
}

function watchTable(s: ServerState<Client>): WatchTable {
  let t = watchers.get(s);
  if (!t) {
    const table: WatchTable = new Map();
    t = table;
    watchers.set(s, t);
    for (const shard of s.engine.eventShards) {
      shard.onKeyEvent((db, key, event) => {
        // another thread's SWAPDB: ServerState.watchSwapped has the verdict
        if (table.size === 0 || event === 'swapdb') return;
        const entries = table.get(slot(db, key));
        if (entries === undefined) return;
        // another thread's key: its owner's notice says whether it exists now
        const exists = event === 'gone' ? false : event === 'changed' ? true : shard.dbs[db]!.data.has(key);
        for (const [c, e] of entries) {
          // an already-expired key that is now gone did not logically change
          if (e.expired && !exists) e.expired = false;
          else markDirty(c);
        }
      }, () => table.size !== 0);
    }
    s.swapDbHooks.push((a, b) => swapTouch(s, table, a, b));
    s.watchSwapped = (db, key, existed, exists, stale) => {
      for (const [c, e] of table.get(slot(db, key)) ?? []) if (touchedBySwap(e, existed, exists, stale)) markDirty(c);
    };
    s.resetHooks.push((c) => {
      unwatchAll(c);
      endMulti(c);
    });
  }
  return t;
}

/**
 * After SWAPDB a b: a watched key counts as touched if it existed on either
 * side, except when only expired keys were involved (touchAllWatchedKeysInDb).
 */
function swapTouch(s: ServerState<Client>, table: WatchTable, a: number, b: number): void {
  const engine = s.engine;
  for (const entries of table.values()) {
    for (const [c, e] of entries) {
      if (e.db !== a && e.db !== b) continue;
      const now = engine.localKeyspace(e.key, e.db);
      // another thread's key: its owner tells (ServerState.watchSwapped)
      if (now === null) continue;
      const before = engine.keyspace(e.key, e.db === a ? b : a);
      if (touchedBySwap(e, before.data.has(e.key), now.data.has(e.key), now.isExpired(e.key))) markDirty(c);
    }
  }
}

/** Whether SWAPDB touched a watched key, given whether it existed before, exists now and is stale now. */
function touchedBySwap(e: WatchEntry, existed: boolean, exists: boolean, stale: boolean): boolean {
  if (!existed && !exists) return false;
  if (e.expired) {
    if (!exists) {
      e.expired = false;
      return false;
    }
    return !stale;
  }
  if (!existed && stale) {
    e.expired = true;
    return false;
  }
  return true;
}

function unwatchAll(c: Client): void {
  const entries = c.ext.watched as WatchEntry[] | undefined;
  if (!entries) return;
  const t = watchTable(c.server);
  for (const e of entries) {
    const k = slot(e.db, e.key);
    const m = t.get(k);
    if (!m) continue;
    m.delete(c);
    if (m.size === 0) {
      t.delete(k);
      c.server.engine.remote?.interest(e.db, e.key, false);
    }
  }
  c.ext.watched = undefined;
  c.ext.watchDirty = false;
}

function endMulti(c: Client): void {
  c.ext.multi = undefined;
  c.intercept = null;
}

const simple = (name: string, arity: number, handler: CommandSpec['handler'], flags: CommandSpec['flags'] = ['noscript', 'loading', 'stale', 'fast', 'allow_busy']): CommandSpec =>
  command({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'transactions', handler });

const multi = simple('multi', 1, (c) => {
  if (c.ext.multi) throw new CommandError('ERR MULTI calls can not be nested');
  const tx: TxState = { queue: [], dirty: false, bytes: 0 };
  c.ext.multi = tx;
  c.server.execAbort ??= (cl) => {
    endMulti(cl);
    unwatchAll(cl);
  };
  // installs the family's hooks (RESET discards the transaction) on first use
  watchTable(c.server);
  c.intercept = (cmd, args) => {
    if (NOT_QUEUED.has((cmd.parent ?? cmd).spec.name)) return false;
    const refusal = (cmd.parent ?? cmd).spec.flags.includes('no_multi') ? 'ERR Command not allowed inside a transaction' : c.server.gate(c, cmd, args);
    if (refusal !== null) {
      tx.dirty = true;
      c.reply.error(refusal);
      return true;
    }
    tx.queue.push([cmd, args]);
    let bytes = 8 * args.length;
    for (const a of args) bytes += a.length;
    tx.bytes += bytes;
    c.reply.simple('QUEUED');
    return true;
  };
  c.reply.ok();
});

const exec = simple('exec', 1, (c) => {
  const tx = c.ext.multi as TxState | undefined;
  if (!tx) throw new CommandError('ERR EXEC without MULTI');
  endMulti(c);
  // a key that expired since WATCH (even if nothing deleted it yet) counts as changed
  const watched = (c.ext.watched as WatchEntry[] | undefined) ?? [];
  // changes of other threads' watched keys made before now are heard before the check
  const remote = c.server.engine.remote;
  if (remote !== null) for (const e of watched) remote.catchUp(e.db, [e.key]);
  const dirtyWatch = c.ext.watchDirty === true || watched.some((e) => !e.expired && c.server.engine.keyspace(e.key, e.db).isExpired(e.key));
  unwatchAll(c);
  if (tx.dirty) throw new CommandError('EXECABORT Transaction discarded because of previous errors.');
  if (dirtyWatch) return c.reply.nullArray();
  c.reply.array(tx.queue.length);
  c.inExec = true;
  c.server.replication.beginExec(c);
  // the whole transaction sees one time: keys expire as of EXEC (Redis 7.2, #10300)
  const engine = c.server.engine;
  const now = engine.now();
  const us = engine.nowUs();
  engine.freezeClock(now, us);
  try {
    for (const [cmd, args] of tx.queue) {
      // permissions are checked again: they may have changed since the command was queued
      const denied = aclRecheck(c, cmd, args);
      if (denied !== null) {
        c.server.countError(denied);
        c.reply.error(denied);
      } else void call(c, cmd, args);
      // a script in the transaction thaws the clock as it ends
      engine.freezeClock(now, us);
    }
  } finally {
    engine.thawClock();
    c.inExec = false;
    c.server.replication.endExec(c, c.db);
  }
}, ['noscript', 'loading', 'stale', 'skip_slowlog']);

function aclRecheck(c: Client, cmd: Command, args: string[]): string | null {
  const acl = c.server.acl;
  const res = acl.check(c, cmd, args);
  if (res.result === ACL_OK) return null;
  acl.logDenial(c, res, cmd, args, 'multi');
  const reason = res.result === DENIED_CMD ? 'no permission to execute the command or subcommand'
    : res.result === DENIED_KEY ? 'no permission to touch the specified keys'
      : res.result === DENIED_CHANNEL ? 'no permission to access one of the channels used as arguments' : 'no permission';
  return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${reason}`;
}

const discard = simple('discard', 1, (c) => {
  if (!c.ext.multi) throw new CommandError('ERR DISCARD without MULTI');
  endMulti(c);
  unwatchAll(c);
  c.reply.ok();
});

const watch = command({
  name: 'watch', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], firstKey: 1, lastKey: -1, step: 1,
  group: 'transactions',
  handler(c, args) {
    if (c.ext.multi) throw new CommandError('ERR WATCH inside MULTI is not allowed');
    const t = watchTable(c.server);
    const entries = (c.ext.watched as WatchEntry[] | undefined) ?? [];
    for (const key of args.slice(1)) {
      const k = slot(c.db, key);
      let m = t.get(k);
      if (m?.has(c)) continue;
      const e: WatchEntry = { db: c.db, key, expired: c.ks(key).isExpired(key) };
      entries.push(e);
      if (!m) {
        t.set(k, (m = new Map()));
        // another thread's key: its owner reports its changes while it is watched
        c.server.engine.remote?.interest(c.db, key, true);
      }
      m.set(c, e);
    }
    c.ext.watched = entries;
    if (c.ext.watchHook !== true) {
      c.ext.watchHook = true;
      c.onClose.push(() => unwatchAll(c));
    }
    c.reply.ok();
  },
});

const unwatch = simple('unwatch', 1, (c) => {
  unwatchAll(c);
  c.reply.ok();
}, ['noscript', 'loading', 'stale', 'fast', 'allow_busy']);

export const transactionCommands: CommandSpec[] = [multi, exec, discard, watch, unwatch];
