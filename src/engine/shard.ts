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

/**
 * Whether a listener needs a flush's keys one by one ('flushdb' events) now:
 * a flush of a million keys takes ~300 ms to report key by key, so a flush
 * that no listener needs them for just counts them (Shard.flushKeysWanted).
 * Listeners registered without one always need them.
 */
export type FlushInterest = () => boolean;

export class Shard implements KeyspaceOwner {
  readonly dbs: Keyspace[];
  readonly stats: ShardStats = { keyspaceHits: 0, keyspaceMisses: 0, expiredKeys: 0, expiredSubkeys: 0, dirty: 0 };
  private readonly listeners: KeyEventListener[] = [];
  /** Each listener's FlushInterest, null for one that always needs a flush's keys. */
  private readonly flushInterest: Array<FlushInterest | null> = [];
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

  onKeyEvent(fn: KeyEventListener, flushes: FlushInterest | null = null): () => void {
    this.listeners.push(fn);
    this.flushInterest.push(flushes);
    return () => {
      const i = this.listeners.indexOf(fn);
      if (i >= 0) {
        this.listeners.splice(i, 1);
        this.flushInterest.splice(i, 1);
      }
    };
  }

  /** Whether some listener needs the keys of a flush one by one now (see FlushInterest). */
  flushKeysWanted(): boolean {
    for (const f of this.flushInterest) if (f === null || f()) return true;
    return false;
  }

  /**
   * A flush of `n` keys no listener needs one by one: their sequence
   * numbers pass all the same, so a key feed resuming from before it is
   * told it missed changes (change-stream.ts).
   */
  skipFlushed(n: number): void {
    this.seq += n;
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
