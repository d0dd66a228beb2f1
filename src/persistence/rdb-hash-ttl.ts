/**
 * Hashes with field TTLs in the RDB format of Redis 7.4 (RDB version 12):
 *
 * - RDB_TYPE_HASH_LISTPACK_EX (25): the earliest field expiry (ms, 8 bytes;
 *   0 when none), then a listpack of field, value, expiry triplets (expiry 0
 *   for none) in the listpackex order.
 * - RDB_TYPE_HASH_METADATA (24): the earliest expiry, the field count, then
 *   per field its TTL as a length (0 for none, else expiry − earliest + 1),
 *   the field and the value.
 * - Redis 7.4's release candidates wrote 23 and 22: the same without the
 *   earliest expiry, with absolute expiry times.
 *
 * A hash is written so when it is a listpackex or has a field with a TTL;
 * any other hash keeps Redis 7.0's types.
 */
import { HashValue } from '../datatypes/hash.ts';
import { ListpackWriter, listpackStrings } from './listpack.ts';
import type { RdbIn } from './rdb-in.ts';
import type { RdbOut } from './rdb-out.ts';
import { RDB_TYPE, RdbError } from './rdb-types.ts';

const HASH_TTL_TYPE = {
  METADATA_PRE_GA: RDB_TYPE.HASH_METADATA_PRE_GA,
  LISTPACK_EX_PRE_GA: RDB_TYPE.HASH_LISTPACK_EX_PRE_GA,
  METADATA: RDB_TYPE.HASH_METADATA,
  LISTPACK_EX: RDB_TYPE.HASH_LISTPACK_EX,
} as const;

/** The largest field expiry an RDB may hold (EB_EXPIRE_TIME_MAX). */
const EXPIRE_MAX = 2 ** 48 - 1;

/** The type a hash with field TTLs is written as, or 0 for Redis 7.0's types. */
export function hashTtlType(h: HashValue): number {
  if (h.encoding() === 'listpackex') return HASH_TTL_TYPE.LISTPACK_EX;
  return h.hasFieldTtls() ? HASH_TTL_TYPE.METADATA : 0;
}

/** rdbSaveObject for types 24 and 25. */
export function writeHashTtl(out: RdbOut, h: HashValue, type: number): void {
  const min = h.minFieldExpire();
  out.ms(min);
  if (type === HASH_TTL_TYPE.LISTPACK_EX) {
    const lp = new ListpackWriter(64 + h.size() * 32);
    h.forEach((f, v) => {
      lp.append(f);
      lp.append(v);
      lp.appendInt(h.fieldExpireAt(f));
    });
    out.string(lp.finish());
    return;
  }
  out.len(h.size());
  h.forEach((f, v) => {
    const at = h.fieldExpireAt(f);
    out.len(at === 0 ? 0 : at - min + 1);
    out.string(f);
    out.string(v);
  });
}

/** Checks a loaded expiry time. */
function expiryOf(at: number): number {
  if (!Number.isSafeInteger(at) || at < 0 || at > EXPIRE_MAX) throw new RdbError(`invalid expireAt time: ${at}`);
  return at;
}

/** rdbLoadObject for types 22–25 (maxEntries / maxValue: hash-max-listpack-*). */
export function readHashTtl(inp: RdbIn, type: number, maxEntries: number, maxValue: number, empty: () => Error): HashValue {
  const withMin = type === HASH_TTL_TYPE.METADATA || type === HASH_TTL_TYPE.LISTPACK_EX;
  const min = withMin ? inp.ms() : 0;
  if (type === HASH_TTL_TYPE.LISTPACK_EX || type === HASH_TTL_TYPE.LISTPACK_EX_PRE_GA) {
    const blob = inp.bytes(true);
    const items = listpackStrings(blob, 0, blob.length);
    if (items === null || items.length % 3 !== 0) throw new RdbError('Hash listpack integrity check failed.');
    if (items.length === 0) throw empty();
    const pairs: string[] = [];
    const ttls = new Map<string, number>();
    for (let i = 0; i < items.length; i += 3) {
      pairs.push(items[i]!, items[i + 1]!);
      const at = expiryOf(Number(items[i + 2]!));
      if (at !== 0) ttls.set(items[i]!, at);
    }
    // kept in the file's order (as Redis keeps the listpack), converted past the entry count only
    const h = HashValue.fromPairs(pairs, maxEntries, Infinity);
    if (h === null) throw new RdbError('Hash listpack integrity check failed.');
    if (!h.isPacked()) h.enableFieldTtls();
    h.adoptFieldTtls(ttls);
    return h;
  }
  const n = inp.count();
  if (n === 0) throw empty();
  const h = new HashValue();
  h.enableFieldTtls();
  // too many entries: a hashtable from the start (as Redis)
  if (n > maxEntries) h.toBig();
  for (let i = 0; i < n; i++) {
    const rel = inp.len();
    const at = rel === 0 ? 0 : expiryOf(withMin ? rel + min - 1 : rel);
    const f = inp.string();
    const v = inp.string();
    if (h.has(f)) throw new RdbError('Duplicate hash fields detected');
    // listpackExAddNew: appended, then placed by its TTL
    h.set(f, v, maxEntries, maxValue, true);
    if (at !== 0) h.setFieldExpire(f, at);
  }
  return h;
}
