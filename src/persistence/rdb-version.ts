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
 * Today nothing forces 12. The rule to come: a hash with field TTLs
 * (Redis 7.4's HFE, RDB types 24/25) makes the dataset, and that value's
 * DUMP payload, version 12.
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
export function rdbVersionForDataset(_engine: Engine): number {
  return forced ?? RDB_VERSION_7_0;
}

/** The version of the DUMP payload of `value`. */
export function rdbVersionForValue(_value: Value): number {
  return forced ?? RDB_VERSION_7_0;
}
