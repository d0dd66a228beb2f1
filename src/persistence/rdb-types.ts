/** RDB format constants (rdb.h, Redis 7.4) and small helpers shared by the writer and the reader. */

/**
 * The highest RDB version read (files and DUMP payloads): 12, Redis 7.4's.
 * Which version is written is rdb-version.ts's choice.
 */
export const RDB_VERSION_MAX = 12;


/** Value types. */
export const RDB_TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  /** RDB 11 (Redis 7.2): a set as a listpack of its members. */
  SET_LISTPACK: 20,
  /** RDB 11 (Redis 7.2): STREAM_LISTPACKS_2 with each consumer's active-time after its seen-time. */
  STREAM_LISTPACKS_3: 21,
  /** RDB 12 (Redis 7.4): hashes with field TTLs (22 and 23 from its release candidates). */
  HASH_METADATA_PRE_GA: 22,
  HASH_LISTPACK_EX_PRE_GA: 23,
  HASH_METADATA: 24,
  HASH_LISTPACK_EX: 25,
} as const;

/** rdbIsObjectType (Redis 7.4's: 0–7, 9–25) */
export function isObjectType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 25);
}

/** Opcodes. */
export const RDB_OP = {
  /** RDB 11 (Redis 7.2, cluster mode): slot id, keys and keys with an expiry in the slot (a sizing hint). */
  SLOT_INFO: 244,
  FUNCTION2: 245,
  FUNCTION: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

/** Special string encodings (length byte 11xxxxxx). */
export const RDB_ENC = { INT8: 0, INT16: 1, INT32: 2, LZF: 3 } as const;

/** Quicklist node containers (RDB_TYPE_LIST_QUICKLIST_2). */
export const QUICKLIST_PLAIN = 1;
export const QUICKLIST_PACKED = 2;

/** A load failure: a truncated or corrupt file or payload. */
export class RdbError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'RdbError';
  }
}

/** A canonical int64 string's value (listpack and intset integer encodings): the commands' own parser. */
export { parseInt64Exact as canonicalInt } from '../commands/core/parse.ts';
