/**
 * Clients blocked on keys (BLPOP, BLMOVE, BZPOPMIN, XREAD BLOCK …).
 *
 * A blocked client registers a waiter on each of its keys. Any write to such
 * a key marks it ready; after the writing command finishes, the ready keys'
 * waiters are offered the key in the order they blocked until one cannot be
 * served (Redis's handleClientsBlockedOnKeys).
 */
import type { Client } from '../server/client.ts';
import type { ServerState } from '../server/server-state.ts';
import { CommandError, Err } from '../commands/errors.ts';
import { parseFloatOrNull } from '../commands/parse.ts';

export interface Waiter {
  readonly client: Client;
  readonly db: number;
  readonly keys: readonly string[];
  /** Tries to serve the client from `key`; writes the reply and returns true on success. */
  tryServe(key: string): boolean;
  /** Called on timeout: writes the timeout reply. */
  onTimeout(): void;
  finish: () => void;
  timer: NodeJS.Timeout | null;
}

const slot = (db: number, key: string): string => db + '\0' + key;

export class BlockingManager {
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly ready = new Set<string>();
  private serving = false;
  private readonly server: ServerState;

  constructor(server: ServerState) {
    this.server = server;
    for (const shard of server.engine.shards) {
      shard.onKeyEvent((db, key) => {
        if (this.waiters.size !== 0) {
          const k = slot(db, key);
          if (this.waiters.has(k)) this.ready.add(k);
        }
      });
    }
    server.swapDbHooks.push((a, b) => {
      for (const k of this.waiters.keys()) {
        const db = Number(k.slice(0, k.indexOf('\0')));
        if (db === a || db === b) this.ready.add(k);
      }
    });
  }

  get hasReady(): boolean {
    return this.ready.size !== 0;
  }

  /**
   * Blocks `client` on `keys` until a waiter's tryServe succeeds or the
   * timeout (ms, 0 = forever) passes. Resolves when the command is done.
   */
  block(client: Client, keys: readonly string[], timeoutMs: number, tryServe: (key: string) => boolean, onTimeout: () => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const w: Waiter = { client, db: client.db, keys, tryServe, onTimeout, finish: resolve, timer: null };
      for (const key of keys) {
        const k = slot(w.db, key);
        let list = this.waiters.get(k);
        if (!list) this.waiters.set(k, (list = []));
        if (!list.includes(w)) list.push(w);
      }
      client.blocked = true;
      if (timeoutMs > 0) {
        w.timer = setTimeout(() => {
          this.remove(w);
          w.onTimeout();
          w.finish();
        }, Math.min(timeoutMs, 0x7fffffff));
      }
      client.unblock = (withError) => {
        this.remove(w);
        if (withError) client.reply.error('UNBLOCKED client unblocked via CLIENT UNBLOCK');
        else w.onTimeout();
        w.finish();
        return true;
      };
      client.onClose.push(() => this.remove(w));
    });
  }

  private remove(w: Waiter): void {
    if (w.timer) clearTimeout(w.timer);
    w.timer = null;
    w.client.blocked = false;
    w.client.unblock = null;
    for (const key of w.keys) {
      const k = slot(w.db, key);
      const list = this.waiters.get(k);
      if (!list) continue;
      const i = list.indexOf(w);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.waiters.delete(k);
    }
  }

  /** Offers every ready key to its waiters, in blocking order, until none can be served. */
  serveReady(): void {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.ready.size !== 0) {
        const k = this.ready.values().next().value as string;
        this.ready.delete(k);
        const key = k.slice(k.indexOf('\0') + 1);
        const list = this.waiters.get(k);
        if (!list) continue;
        for (const w of [...list]) {
          if (w.client.closed) {
            this.remove(w);
            continue;
          }
          if (!w.tryServe(key)) break;
          this.remove(w);
          w.finish();
        }
      }
    } finally {
      this.serving = false;
    }
  }
}

/** Parses a blocking timeout in seconds (fractions allowed) into ms; 0 = forever. */
export function parseTimeout(s: string): number {
  const v = parseFloatOrNull(s);
  if (v === null || !Number.isFinite(v)) throw new CommandError(Err.TIMEOUT);
  if (v < 0) throw new CommandError(Err.TIMEOUT_NEGATIVE);
  const ms = Math.ceil(v * 1000);
  if (ms > 0x7fffffff * 1000) throw new CommandError(Err.TIMEOUT);
  return ms === 0 && v > 0 ? 1 : ms;
}
