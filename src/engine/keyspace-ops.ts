/**
 * Whole-keyspace reads (KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHDB, INFO
 * keyspace) over the keyspaces of one thread's shards. server-wide.ts runs
 * them over every thread; a held thread runs them for the thread holding it.
 */
import type { Keyspace } from './keyspace.ts';
import { globMatch, matchesAll } from '../datatypes/glob.ts';
import { typeOf } from '../datatypes/value.ts';

/** Live keys matching `pattern` (KEYS). */
export function liveKeys(spaces: readonly Keyspace[], pattern: string): string[] {
  const out: string[] = [];
  const all = matchesAll(pattern);
  for (const ks of spaces) {
    const volatile = ks.volatile !== 0;
    for (const key of ks.data.keys()) {
      if ((all || globMatch(pattern, key)) && !(volatile && ks.isExpired(key))) out.push(key);
    }
  }
  return out;
}

/** One SCAN step in one keyspace: where its table cursor got to, the keys kept, the bucket budget left. */
export interface ScanStep {
  cursor: number;
  keys: string[];
  buckets: number;
  /** Keys found (before MATCH / TYPE filtering): SCAN stops at COUNT of them. */
  found: number;
}

/**
 * scanGenericCommand within one keyspace: buckets until `want` keys are found
 * (spending at most `buckets`), then MATCH / TYPE filtering.
 */
export function scanKeyspace(ks: Keyspace, cursor: number, buckets: number, want: number, match: string | null, type: string | null): ScanStep {
  const found: string[] = [];
  let cur = cursor;
  do cur = ks.data.scan(cur, found);
  while (cur !== 0 && --buckets > 0 && found.length < want);
  const keys: string[] = [];
  for (const key of found) {
    if (match !== null && !globMatch(match, key)) continue;
    if (type !== null) {
      const v = ks.lookupReadNoTouch(key);
      if (v === undefined || typeOf(v) !== type) continue;
    } else if (ks.volatile !== 0 && ks.expireIfNeeded(key)) continue;
    keys.push(key);
  }
  return { cursor: cur, keys, buckets, found: found.length };
}

/** A random slot's key of `ks` (as dictGetFairRandomKey), expired picks deleted and retried; null if empty. */
export function randomLiveKey(ks: Keyspace): string | null {
  for (;;) {
    if (ks.size === 0) return null;
    const key = ks.data.randomKey()!;
    if (ks.volatile !== 0 && ks.expireIfNeeded(key)) continue;
    return key;
  }
}

/**
 * Empties database `db` of these keyspaces. Every removed key is reported
 * ('flushdb') so WATCH, blocked clients and tracking see it. Returns the
 * number of keys removed.
 */
export function flushKeyspaces(spaces: readonly Keyspace[], db: number): number {
  let removed = 0;
  for (const ks of spaces) {
    if (ks.size === 0) continue;
    if (!ks.shard.flushKeysWanted()) {
      removed += ks.size;
      ks.shard.skipFlushed(ks.size);
      ks.clear();
      continue;
    }
    const keys = [...ks.data.keys()];
    removed += keys.length;
    ks.clear();
    for (const k of keys) ks.shard.emit(db, k, 'flushdb');
  }
  return removed;
}

/** INFO keyspace's numbers for one database: keys, keys with a TTL, and a sample of TTLs left. */
export interface KeyspaceCounts {
  keys: number;
  expires: number;
  ttlSum: number;
  sampled: number;
  /** Hashes with field TTLs (Redis 7.4's subexpiry). */
  subexpiry: number;
}

export function keyspaceCounts(spaces: readonly Keyspace[], now: number, sample: number): KeyspaceCounts {
  const r: KeyspaceCounts = { keys: 0, expires: 0, ttlSum: 0, sampled: 0, subexpiry: 0 };
  for (const ks of spaces) {
    r.keys += ks.size;
    r.subexpiry += ks.hfe.size;
    r.expires += ks.volatile;
    // avg_ttl is an estimate in Redis too: sample keys with a TTL of each table
    const some: string[] = [];
    ks.data.sampleVolatile(sample - r.sampled, some);
    for (const key of some) {
      const when = ks.data.expireAt(key);
      if (when > now) {
        r.ttlSum += when - now;
        r.sampled++;
      }
    }
  }
  return r;
}
