/** MULTI / EXEC / DISCARD / WATCH / UNWATCH. */
import { command, type CommandSpec } from './spec.ts';
import { CommandError } from './errors.ts';
import { call } from '../server/dispatch.ts';
import type { Client } from '../server/client.ts';
import type { Command } from './registry.ts';
import type { ServerState } from '../server/server-state.ts';

interface TxState {
  queue: Array<[Command, string[]]>;
  dirty: boolean;
}

/** Commands that run immediately even inside MULTI. */
const NOT_QUEUED = new Set(['exec', 'discard', 'multi', 'watch', 'quit', 'reset']);

const watchers = new WeakMap<ServerState, Map<string, Set<Client>>>();
const slot = (db: number, key: string): string => db + '\0' + key;

function watchTable(s: ServerState): Map<string, Set<Client>> {
  let t = watchers.get(s);
  if (!t) {
    const table = new Map<string, Set<Client>>();
    t = table;
    watchers.set(s, t);
    for (const shard of s.engine.shards) {
      shard.onKeyEvent((db, key) => {
        if (table.size === 0) return;
        const set = table.get(slot(db, key));
        if (set) for (const c of set) c.ext.watchDirty = true;
      });
    }
    s.swapDbHooks.push((a, b) => {
      for (const [k, set] of table) {
        const db = Number(k.slice(0, k.indexOf('\0')));
        if (db === a || db === b) for (const c of set) c.ext.watchDirty = true;
      }
    });
    s.resetHooks.push((c) => {
      unwatchAll(c);
      endMulti(c);
    });
  }
  return t;
}

function unwatchAll(c: Client): void {
  const keys = c.ext.watched as string[] | undefined;
  if (!keys) return;
  const t = watchTable(c.server);
  for (const k of keys) {
    const set = t.get(k);
    if (!set) continue;
    set.delete(c);
    if (set.size === 0) t.delete(k);
  }
  c.ext.watched = undefined;
  c.ext.watchedLive = undefined;
  c.ext.watchDirty = false;
}

function endMulti(c: Client): void {
  c.ext.multi = undefined;
  c.intercept = null;
}

const simple = (name: string, arity: number, summary: string, handler: CommandSpec['handler'], flags: CommandSpec['flags'] = ['noscript', 'loading', 'stale', 'fast', 'allow_busy']): CommandSpec =>
  command({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'transactions', since: '1.2.0', summary, complexity: 'O(1)', handler });

const multi = simple('multi', 1, 'Starts a transaction.', (c) => {
  if (c.ext.multi) throw new CommandError('ERR MULTI calls can not be nested');
  const tx: TxState = { queue: [], dirty: false };
  c.ext.multi = tx;
  c.intercept = (cmd, args) => {
    if (NOT_QUEUED.has((cmd.parent ?? cmd).spec.name)) return false;
    const refusal = c.server.gate(c, cmd, args);
    if (refusal !== null) {
      tx.dirty = true;
      c.reply.error(refusal);
      return true;
    }
    tx.queue.push([cmd, args]);
    c.reply.simple('QUEUED');
    return true;
  };
  c.reply.ok();
});

const exec = simple('exec', 1, 'Executes all commands in a transaction.', (c) => {
  const tx = c.ext.multi as TxState | undefined;
  if (!tx) throw new CommandError('ERR EXEC without MULTI');
  endMulti(c);
  const live = (c.ext.watchedLive as Array<[number, string]> | undefined) ?? [];
  const dirtyWatch = c.ext.watchDirty === true || live.some(([db, key]) => c.server.engine.keyspace(key, db).isExpired(key));
  unwatchAll(c);
  if (tx.dirty) throw new CommandError('EXECABORT Transaction discarded because of previous errors.');
  if (dirtyWatch) return c.reply.nullArray();
  c.reply.array(tx.queue.length);
  c.inExec = true;
  c.server.replication.beginExec(c);
  try {
    for (const [cmd, args] of tx.queue) void call(c, cmd, args);
  } finally {
    c.inExec = false;
    c.server.replication.endExec(c, c.db);
  }
}, ['noscript', 'loading', 'stale', 'skip_slowlog']);

const discard = simple('discard', 1, 'Discards a transaction.', (c) => {
  if (!c.ext.multi) throw new CommandError('ERR DISCARD without MULTI');
  endMulti(c);
  unwatchAll(c);
  c.reply.ok();
});

const watch = command({
  name: 'watch', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'allow_busy'], firstKey: 1, lastKey: -1, step: 1,
  group: 'transactions', since: '2.2.0', summary: 'Monitors changes to keys to determine the execution of a transaction.', complexity: 'O(1) for every key.',
  handler(c, args) {
    if (c.ext.multi) throw new CommandError('ERR WATCH inside MULTI is not allowed');
    const t = watchTable(c.server);
    const keys = (c.ext.watched as string[] | undefined) ?? [];
    for (const key of args.slice(1)) {
      const k = slot(c.db, key);
      if (keys.includes(k)) continue;
      keys.push(k);
      let set = t.get(k);
      if (!set) t.set(k, (set = new Set()));
      set.add(c);
      // a key that expires after WATCH counts as changed; one already stale does not
      if (!c.ks(key).isExpired(key)) {
        const live = (c.ext.watchedLive as Array<[number, string]> | undefined) ?? [];
        live.push([c.db, key]);
        c.ext.watchedLive = live;
      }
    }
    c.ext.watched = keys;
    if (c.ext.watchHook !== true) {
      c.ext.watchHook = true;
      c.onClose.push(() => unwatchAll(c));
    }
    c.reply.ok();
  },
});

const unwatch = simple('unwatch', 1, 'Forgets about watched keys of a transaction.', (c) => {
  unwatchAll(c);
  c.reply.ok();
}, ['noscript', 'loading', 'stale', 'fast', 'allow_busy']);

export const transactionCommands: CommandSpec[] = [multi, exec, discard, watch, unwatch];
