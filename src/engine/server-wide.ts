/**
 * Whole-keyspace work over every shard, wherever its thread is: this
 * thread's shards directly (keyspace-ops.ts), other threads' through
 * `engine.remote` (which holds them for the running command, so the answer
 * is one point in time). With one thread these are the local operations.
 */
import type { Engine } from './engine.ts';
import { flushKeyspaces, keyspaceCounts, liveKeys, randomLiveKey, scanKeyspace, type KeyspaceCounts, type ScanStep } from './keyspace-ops.ts';

/** Results of `op` from every other thread (none with one thread). */
function others<T>(engine: Engine, req: { op: string; [k: string]: unknown }): T[] {
  const out: T[] = [];
  if (engine.remote === null) return out;
  for (let t = 0; t < engine.threadCount; t++) if (t !== engine.threadIndex) out.push(engine.remote.ask(t, req) as T);
  return out;
}

/** DBSIZE: keys of `db` (expired-but-not-yet-collected keys included, as in Redis). */
export function countKeys(engine: Engine, db: number): number {
  let n = engine.dbSize(db);
  for (const m of others<number>(engine, { op: 'dbsize', db })) n += m;
  return n;
}

/** KEYS pattern */
export function listKeys(engine: Engine, db: number, pattern: string): string[] {
  const out = liveKeys(engine.keyspaces(db), pattern);
  for (const keys of others<string[]>(engine, { op: 'keys', db, pattern })) for (const k of keys) out.push(k);
  return out;
}

/** One SCAN step in shard `sid`. */
export function scanShard(engine: Engine, sid: number, db: number, cursor: number, buckets: number, want: number, match: string | null, type: string | null): ScanStep {
  const sh = engine.byId[sid] ?? null;
  if (sh !== null) return scanKeyspace(sh.dbs[db]!, cursor, buckets, want, match, type);
  return engine.remote!.ask(engine.threadOf(sid), { op: 'scan', sid, db, cursor, buckets, want, match, type }) as ScanStep;
}

/** Keys in shard `sid`'s database `db`. */
function shardSize(engine: Engine, sid: number, db: number): number {
  const sh = engine.byId[sid] ?? null;
  if (sh !== null) return sh.dbs[db]!.size;
  return engine.remote!.ask(engine.threadOf(sid), { op: 'size', sid, db }) as number;
}

/** RANDOMKEY: a shard drawn by its size, then a random live key of it; null when `db` is empty. */
export function randomKey(engine: Engine, db: number): string | null {
  for (;;) {
    const sizes: number[] = [];
    let total = 0;
    for (let sid = 0; sid < engine.shardCount; sid++) {
      const n = shardSize(engine, sid, db);
      sizes.push(n);
      total += n;
    }
    if (total === 0) return null;
    let r = Math.floor(Math.random() * total);
    let sid = 0;
    while (r >= sizes[sid]!) r -= sizes[sid++]!;
    const sh = engine.byId[sid] ?? null;
    const key = sh !== null ? randomLiveKey(sh.dbs[db]!) : (engine.remote!.ask(engine.threadOf(sid), { op: 'randomkey', sid, db }) as string | null);
    // the drawn shard's keys had all expired: draw again
    if (key !== null) return key;
  }
}

/** FLUSHDB of `db` on every thread; the number of keys removed. */
export function flushKeys(engine: Engine, db: number): number {
  engine.remote?.flushBack();
  let n = flushKeyspaces(engine.keyspaces(db), db);
  for (const m of others<number>(engine, { op: 'flushdb', db })) n += m;
  return n;
}

/** INFO keyspace's numbers for `db`, summed over threads. */
export function countKeyspace(engine: Engine, db: number, now: number): KeyspaceCounts {
  const r = keyspaceCounts(engine.keyspaces(db), now, 1000);
  for (const m of others<KeyspaceCounts>(engine, { op: 'counts', db, now })) {
    r.keys += m.keys;
    r.expires += m.expires;
    r.ttlSum += m.ttlSum;
    r.sampled += m.sampled;
    r.subexpiry += m.subexpiry;
  }
  return r;
}
