/**
 * What a key holds. Strings are latin1 JS strings (one char per byte) or,
 * once mutated in place (SETRANGE, SETBIT), Buffers. Every other type is an
 * object implementing CollectionValue.
 */
export type RedisType = 'string' | 'list' | 'hash' | 'set' | 'zset' | 'stream';

export interface CollectionValue {
  readonly type: Exclude<RedisType, 'string'>;
  /** Redis's OBJECT ENCODING name for the current representation. */
  encoding(): string;
  /** Deep copy (COPY). */
  clone(): CollectionValue;
  /** Number of elements (used to drop empty keys and for DEBUG/MEMORY). */
  size(): number;
  /**
   * The content, flattened: list elements in order; hash field, value, field,
   * value…; set members; zset member, score (formatDouble), … (DEBUG DIGEST,
   * persistence and SORT read values through this).
   */
  entries(): Iterable<string>;
  /**
   * Heap bytes this value holds, without its key: O(1), kept current by the
   * value's own mutators. The dataset accounting (used_memory, MEMORY USAGE,
   * maxmemory) reads it whenever the keyspace stores the value or a command
   * reports the key modified.
   */
  bytes(): number;
  /** What the keyspace last counted of bytes() for this value (written by Keyspace only; starts at 0). */
  acct: number;
  /**
   * The packed string while the value is in its small form (listpack,
   * intset, small set, one-node list), else null. Between commands the
   * keyspace stores such a value as this string behind a type tag
   * (datatypes/stored.ts) instead of this object; bytes() counts it so.
   */
  packedData(): string | null;
  /** The earliest expiry (ms) of a field with a TTL, 0 when none (hashes only: Redis 7.4 field expiration). */
  minFieldExpire?(): number;
}

/** Heap bytes of a plain JS object with `fields` in-object properties (64-bit V8: 3-word header). */
export function objectBytes(fields: number): number {
  return 24 + 8 * fields;
}

/** Average heap bytes of one Map / Set entry (3 or 2 slots plus its share of buckets and spare capacity). */
export const MAP_ENTRY_BYTES = 40;

export type StringValue = string | Buffer;
export type Value = StringValue | CollectionValue;

export function isString(v: Value): v is StringValue {
  return typeof v === 'string' || v instanceof Buffer;
}

export function typeOf(v: Value): RedisType {
  return typeof v === 'string' || v instanceof Buffer ? 'string' : (v as CollectionValue).type;
}

/** The string value as a latin1 JS string. */
export function stringOf(v: StringValue): string {
  return typeof v === 'string' ? v : v.latin1Slice(0, v.length);
}

/** Byte length of a string value. */
export function stringLength(v: StringValue): number {
  return v.length;
}
