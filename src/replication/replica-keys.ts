/**
 * Keys that clients of a writable replica (`replica-read-only no`) gave a
 * TTL (Redis's slaveKeysWithExpire): the primary knows nothing of them, so
 * no DEL will ever come, and the replica expires them itself
 * (expireSlaveKeys), ten times a second. Keys the primary wrote stay the
 * primary's to expire.
 */
import type { Engine } from '../engine/engine.ts';
import { keyIndexes, type CommandCatalog } from '../commands/core/command.ts';

export class WritableReplicaKeys {
  /** key → the databases it was written in with a TTL. */
  private readonly keys = new Map<string, Set<number>>();
  private timer: NodeJS.Timeout | null = null;

  private readonly engine: Engine;
  private readonly registry: CommandCatalog;

  constructor(engine: Engine, registry: CommandCatalog) {
    this.engine = engine;
    this.registry = registry;
  }

  /** A client (not the primary) ran `args` (as propagated) in `db`. */
  clientWrote(db: number, args: readonly string[]): void {
    const cmd = this.registry.lookup(args[0] ?? '');
    if (cmd !== undefined) this.track(db, keyIndexes(cmd, args).map((i) => args[i]!));
  }

  /** After a client's write on the replica: the written keys that now have a TTL are this replica's to expire. */
  track(db: number, keys: readonly string[]): void {
    for (const key of keys) {
      if (this.engine.localKeyspace(key, db)?.getExpire(key) === undefined) continue;
      let dbs = this.keys.get(key);
      if (dbs === undefined) this.keys.set(key, (dbs = new Set()));
      dbs.add(db);
      if (this.timer === null) {
        this.timer = setInterval(() => this.cycle(), 100);
        this.timer.unref();
      }
    }
  }

  /** Deletes the tracked keys whose TTL passed; forgets those gone or persistent. */
  cycle(): void {
    const now = this.engine.now();
    for (const [key, dbs] of this.keys) {
      for (const db of dbs) {
        const ks = this.engine.localKeyspace(key, db);
        const when = ks?.getExpire(key);
        if (ks === null || ks === undefined || when === undefined) dbs.delete(db);
        else if (when <= now) {
          ks.expireKey(key);
          dbs.delete(db);
        }
      }
      if (dbs.size === 0) this.keys.delete(key);
    }
    if (this.keys.size === 0) this.clear();
  }

  /** A full sync or a new role: the dataset is no longer the one these keys were written in. */
  clear(): void {
    this.keys.clear();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
