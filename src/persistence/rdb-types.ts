/** RDB format constants (rdb.h, Redis 7.0) and small helpers shared by the writer and the reader. */

/** The RDB version Redis 7.0 writes (and the highest it reads). */
export const RDB_VERSION = 10;

/** The version of Redis 7.4, which the types of hashes with field TTLs need (rdb-hash-ttl.ts); read up to it. */
export const RDB_VERSION_HFE = 12;

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
} as const;

/** rdbIsObjectType */
export function isObjectType(t: number): boolean {
  // 22–25: hashes with field TTLs (Redis 7.4)
  return (t >= 0 && t <= 7) || (t >= 9 && t <= 19) || (t >= 22 && t <= 25);
}

/** Opcodes. */
export const RDB_OP = {
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
