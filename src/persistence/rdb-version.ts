/**
 * Which RDB version shardis writes.
 *
 * shardis reads every version up to 12 (Redis 7.4), but writes the oldest
 * version that carries the data: 10 (Redis 7.0's format, streams as
 * STREAM_LISTPACKS_2) unless something only version 12 can hold is present,
 * so that a Redis 7.0 replica, or redis-check-rdb 7.0, still gets a v10
 * stream where no 7.4-only data is present. Version 12 writes streams as
 * STREAM_LISTPACKS_3 (consumers' active-time); Redis 7.0 refuses such a
 * file or payload as a whole ("Can't handle RDB format version 12").
 *
 * What forces 12: a hash with field TTLs, or a listpackex (Redis 7.4's
 * hash field expiration, RDB types 24/25: rdb-hash-ttl.ts) makes that
 * value's DUMP payload version 12, and a file version 12 when the thread
 * writing its header holds a hash registered for field expiry (one with a
 * field TTL: Keyspace.hfe). With threads another thread's part may bring
 * such a hash under a version 10 header; Redis 7.4 and shardis read it
 * (they check the file's version, not which version brought a type), 7.0
 * stops at that key as it would have at the header.
 *
 * The writers ask here, once per output:
 * - a file (SAVE / BGSAVE / SHUTDOWN, DEBUG RELOAD), a replica's full sync
 *   payload and an AOF base's RDB preamble: rdbVersionForDataset(engine),
 *   decided before the header; with threads, the thread writing the header
 *   decides and passes it (RdbSaveOptions.version) to the threads writing
 *   the other sections, so one file has one version;
 * - a DUMP payload (DUMP, MIGRATE, RESTORE commands of an AOF rewrite
 *   without preamble): rdbVersionForValue(value), per value.
 */
import type { Engine } from '../engine/engine.ts';
import type { Value } from '../datatypes/value.ts';
import { HashValue } from '../datatypes/hash.ts';
import { hashTtlType } from './rdb-hash-ttl.ts';

/** Redis 7.0's RDB version. */
export const RDB_VERSION_7_0 = 10;
/** Redis 7.4's RDB version. */
export const RDB_VERSION_7_4 = 12;

/** Set by tests (forceRdbVersion): the version every writer of this thread uses. */
let forced: number | null = null;

/**
 * Test hook: makes every writer on this thread write `version` (10 or 12),
 * or (null) follow the rule again.
 */
export function forceRdbVersion(version: number | null): void {
  if (version !== null && version !== RDB_VERSION_7_0 && version !== RDB_VERSION_7_4) throw new Error(`RDB version ${version} is not written`);
  forced = version;
}

/** The version of a whole RDB file written from `engine`'s dataset (file, full sync, AOF preamble). */
export function rdbVersionForDataset(engine: Engine): number {
  if (forced !== null) return forced;
  for (const sh of engine.shards) for (const ks of sh.dbs) if (ks.hfe.size !== 0) return RDB_VERSION_7_4;
  return RDB_VERSION_7_0;
}

/** The version of the DUMP payload of `value`. */
export function rdbVersionForValue(value: Value): number {
  if (forced !== null) return forced;
  return value instanceof HashValue && hashTtlType(value) !== 0 ? RDB_VERSION_7_4 : RDB_VERSION_7_0;
}
