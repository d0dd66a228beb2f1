/**
 * An AOF loaded on one thread with every key (docs/threads.md, "The AOF
 * with threads"): while a thread replays the files on its own, the keys of
 * other threads live in its guest shard as if they were its own, so a
 * command that mixes keys of several threads (a file written by one thread,
 * or by Redis) still finds every key it reads. Nothing is routed or asked;
 * once the files are loaded the guest is emptied and the thread keeps only
 * its own keys. Every thread does the same, in parallel.
 */
import type { Engine, RemoteKeys } from '../engine/engine.ts';
import type { Keyspace } from '../engine/keyspace.ts';

export class LoadingRemote implements RemoteKeys {
  readonly routes = false;
  private readonly guest: Keyspace[];

  constructor(engine: Engine) {
    this.guest = engine.guest!.dbs;
  }

  borrow(_sid: number, _key: string, db: number): Keyspace {
    return this.guest[db]!;
  }

  /** What a whole-keyspace command would ask the other threads: only FLUSHDB / FLUSHALL change anything (the guest's keys). */
  ask(_t: number, req: { op: string; [field: string]: unknown }): unknown {
    if (req.op === 'flushdb') {
      const ks = this.guest[req.db as number]!;
      const n = ks.size;
      ks.clear();
      return n;
    }
    if (req.op === 'dbsize' || req.op === 'size') return 0;
    if (req.op === 'keys') return [];
    return undefined;
  }

  lockFirst(): void {}

  interest(): void {}

  catchUp(): void {}

  flushBack(): void {}

  /** Where a key of another thread goes as the base (an RDB preamble) loads. */
  readonly into = (_key: string, db: number): Keyspace => this.guest[db]!;

  /** Drops the other threads' keys once the files are loaded. */
  finish(): void {
    for (const ks of this.guest) ks.clear();
  }
}
