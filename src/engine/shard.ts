/**
 * A shard owns the keys of its hash slots in every database. Nothing outside
 * reaches into its structures except through its keyspaces' methods.
 */
import { Keyspace, type KeyspaceOwner, type ShardStats } from './keyspace.ts';

export type { ShardStats } from './keyspace.ts';

/**
 * Called for every change of a key: (db, key, event, seq) where event is
 * Redis's notification name and seq the shard's change sequence number
 * (1, 2, 3 … in commit order; see src/reactivity/change-stream.ts).
 */
export type KeyEventListener = (db: number, key: string, event: string, seq: number) => void;

export class Shard implements KeyspaceOwner {
  readonly dbs: Keyspace[];
  readonly stats: ShardStats = { keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0, expiredSubkeys: 0, dirty: 0 };
  private readonly listeners: KeyEventListener[] = [];
  /** Sequence number of the last key event (0 before the first); counts even with no listener. */
  seq = 0;
  /** Clock source; the engine freezes it during a command so one command sees one "now". */
  now: () => number = Date.now;
  /** CLIENT PAUSE: expired keys are treated as gone but not deleted (no expired events). */
  expiryPaused = false;
  /** A replica runs its primary's command: expired keys are still live (the primary's DEL removes them). */
  expiryIgnored = false;

  readonly id: number;

  constructor(id: number, dbCount: number) {
    this.id = id;
    this.dbs = [];
    for (let i = 0; i < dbCount; i++) this.dbs.push(new Keyspace(this, i));
  }

  onKeyEvent(fn: KeyEventListener): () => void {
    this.listeners.push(fn);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  emit(db: number, key: string, event: string): void {
    const seq = ++this.seq;
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i]!(db, key, event, seq);
  }

  swapDb(a: number, b: number): void {
    const ka = this.dbs[a]!;
    const kb = this.dbs[b]!;
    // objects waiting to be packed are packed where they were counted
    ka.packPending();
    kb.packPending();
    const { data, lruBase, bytes, hfe } = ka;
    ka.bytes = kb.bytes;
    kb.bytes = bytes;
    ka.hfe = kb.hfe;
    kb.hfe = hfe;
    ka.data = kb.data;
    ka.lruBase = kb.lruBase;
    kb.data = data;
    kb.lruBase = lruBase;
    ka.expireCursor = 0;
    kb.expireCursor = 0;
    ka.swapped();
    kb.swapped();
  }
}
