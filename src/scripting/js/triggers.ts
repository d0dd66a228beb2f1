/**
 * Triggers of `#!js` libraries: redis.registerKeySpaceTrigger(name, prefix,
 * fn) runs fn(client, {event, key, keyRaw, db}) after a write to a key
 * starting with the prefix, and redis.registerStreamTrigger(name, prefix,
 * fn) runs fn(client, {stream, id, record, db}) for each entry XADD appends
 * to such a stream.
 *
 * When: the key events of a command are queued as it runs (in commit
 * order) and its triggers run right after it, before this thread runs
 * another command (at the end of the command's call, or of EXEC for a
 * transaction, or of FCALL / EVAL for a script's writes), so no client sees
 * the write without its triggers' effects. With threads a trigger runs on
 * the thread that made the write and reaches other threads' keys as a
 * script does; while triggers are loaded every write takes the threads'
 * global lock before it runs (ServerState.lockWrites), so a write and its
 * triggers are one atomic step there too (writes serialize: the price). A trigger's own writes fire no triggers. Triggers run as
 * an internal client with every permission, under the script runner (BUSY,
 * kill, effects replication: their writes reach replicas and the AOF as a
 * MULTI/EXEC after the command's). Replicas and AOF loading run none: their
 * primary's (or the log's) effects already hold what the triggers wrote.
 */
import type { ServerState } from '../../server/server-state.ts';
import { Client } from '../../server/client.ts';
import { mustObeyClient } from '../../server/session.ts';
import { formatId, type StreamID } from '../../datatypes/stream-id.ts';
import { ScriptEngine } from '../engine.ts';
import type { Library, TriggerInfo, TriggerStats } from '../library.ts';
import { pack } from './channel.ts';
import { runJs, settle } from './js-run.ts';

interface Pending {
  readonly t: TriggerInfo;
  readonly db: number;
  readonly key: string;
  readonly event: string;
  /** The entry a stream trigger gets. */
  readonly id: string;
}

const all = new WeakMap<ServerState<Client>, Triggers>();

export class Triggers {
  private readonly server: ServerState<Client>;
  private readonly list: TriggerInfo[] = [];
  private queue: Pending[] = [];
  private running = false;
  private scheduled = false;
  private client: Client | null = null;

  static info(lib: Library, kind: 'keyspace' | 'stream', name: string, prefix: string, desc: string | null): TriggerInfo {
    return { lib, kind, name, prefix, desc, stats: { triggered: 0, finished: 0, failed: 0, lastError: null, lastMs: 0, totalMs: 0 } };
  }

  static of(server: ServerState<Client>): Triggers {
    let t = all.get(server);
    if (t === undefined) {
      t = new Triggers(server);
      all.set(server, t);
    }
    return t;
  }

  private constructor(server: ServerState<Client>) {
    this.server = server;
    server.engine.onKeyEvent((db, key, event) => this.onEvent(db, key, event), () => this.list.length !== 0);
    server.afterCommand = (c) => {
      // the AOF being loaded or a primary's stream: the effects of the triggers that ran follow in it
      if (mustObeyClient(c)) this.queue.length = 0;
      else this.flush();
    };
  }

  triggers(): readonly TriggerInfo[] {
    return this.list;
  }

  attach(lib: Library): void {
    for (const t of lib.js?.triggers ?? []) this.list.push(t);
    this.server.lockWrites = this.list.length !== 0;
  }

  detach(lib: Library): void {
    for (let i = this.list.length - 1; i >= 0; i--) if (this.list[i]!.lib === lib) this.list.splice(i, 1);
    this.queue = this.queue.filter((p) => p.t.lib !== lib);
    this.server.lockWrites = this.list.length !== 0;
  }

  private onEvent(db: number, key: string, event: string): void {
    if (this.list.length === 0 || this.running) return;
    const s = this.server;
    if (s.engine.replaying || s.replicaOf !== null) return;
    for (const t of this.list) {
      if (!key.startsWith(t.prefix)) continue;
      let id = '';
      if (t.kind === 'stream') {
        if (event !== 'xadd') continue;
        const last = (s.engine.keyspace(key, db).peek(key) as { lastId?: StreamID } | undefined)?.lastId;
        if (last === undefined) continue;
        id = formatId(last);
      }
      this.queue.push({ t, db, key, event, id });
    }
    // writes outside a client's command (expiry, a woken blocked client) get theirs on the next turn
    if (this.queue.length !== 0 && !this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  /** Runs the queued triggers (after a command); a run past busy-reply-threshold finishes the rest later. */
  flush(): void {
    if (this.running || this.queue.length === 0) return;
    if (ScriptEngine.of(this.server).runner.current !== null) return;
    // with threads, as a script: the lock (the write that fired it took it already: lockWrites), so the write
    // and its triggers are one atomic step on every thread
    const remote = this.server.engine.remote;
    if (remote !== null && remote.routes) remote.lockFirst();
    this.running = true;
    this.drain();
  }

  private drain(): void {
    for (;;) {
      const p = this.queue.shift();
      if (p === undefined) {
        this.running = false;
        return;
      }
      let r: void | Promise<void>;
      try {
        r = this.runOne(p);
      } catch (e) {
        this.running = false;
        throw e;
      }
      if (r !== undefined) {
        r.then(() => this.drain(), () => this.drain());
        return;
      }
    }
  }

  private runOne(p: Pending): void | Promise<void> {
    const { t } = p;
    t.stats.triggered++;
    const runner = ScriptEngine.of(this.server).runner;
    this.client ??= new Client(this.server, null);
    this.client.db = p.db;
    const ctx = runner.begin(this.client, `${t.lib.name}.${t.name}`, 0, false, false);
    const input = t.kind === 'keyspace'
      ? pack(['k', t.name, String(ctx.start), '3', String(p.db), p.event, p.key])
      : pack(['s', t.name, String(ctx.start), '3', String(p.db), p.event, p.key, p.id]);
    const t0 = performance.now();
    const book = (out: string): void => {
      const ms = performance.now() - t0;
      t.stats.lastMs = ms;
      t.stats.totalMs += ms;
      if (out === 'O') {
        t.stats.finished++;
        return;
      }
      t.stats.failed++;
      t.stats.lastError = out === 'K' ? 'Script killed by user with SCRIPT KILL...' : out.slice(1);
      this.server.log('warning', `Trigger ${t.lib.name}.${t.name} failed on key ${p.key}: ${t.stats.lastError}`);
    };
    try {
      return settle(runJs(this.server, runner, ctx, t.lib.js!.key, input), runner, ctx, book);
    } catch (e) {
      book('E' + (e instanceof Error ? e.message : String(e)));
    }
  }
}

/** Each trigger's statistics on this thread, by library and trigger name (FUNCTION LIST adds up the threads'). */
export function triggerStats(server: ServerState<Client>): Record<string, TriggerStats> {
  const out: Record<string, TriggerStats> = {};
  for (const t of all.get(server)?.triggers() ?? []) out[statKey(t)] = t.stats;
  return out;
}

export const statKey = (t: TriggerInfo): string => `${t.lib.name}\u0000${t.name}`;
