/**
 * Reads values in every RDB encoding Redis 7.4 loads (rdbLoadObject), from
 * RDB v1 to v12: plain string / list / set / zset (text and binary scores)
 * / hash, zipmap and ziplist encodings, intsets, quicklists of ziplists or
 * listpacks (plain nodes included), listpack sets (7.2), hashes and zsets,
 * and streams (with consumers' active-time from 7.2). Not yet: hashes with
 * field TTLs (types 22–25, Redis 7.4), refused as unknown types.
 * Each value gets the encoding Redis would give it with the current limits.
 * Malformed data throws RdbError; an empty collection throws EmptyKeyError
 * (Redis skips such keys in a file and refuses them in RESTORE).
 */
import { readHashTtl } from './rdb-hash-ttl.ts';
import type { Value } from '../datatypes/value.ts';
import { ListLoader, ListValue } from '../datatypes/list.ts';
import { SetValue } from '../datatypes/set.ts';
import { HashValue } from '../datatypes/hash.ts';
import { ZSetValue } from '../datatypes/zset.ts';
import { QUICKLIST_PACKED, QUICKLIST_PLAIN, RDB_TYPE, RdbError } from './rdb-types.ts';
import { parseScore, type RdbIn } from './rdb-in.ts';
import { listpackStrings } from './listpack.ts';
import { ziplistStrings, zipmapStrings } from './ziplist.ts';
import { readStream } from './rdb-stream.ts';

/** The encoding limits a loaded value is fitted to (from the server's config). */
export interface LoadLimits {
  setMaxIntsetEntries: number;
  setMaxListpackEntries: number;
  setMaxListpackValue: number;
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  setMaxIntsetEntries: 512,
  setMaxListpackEntries: 128,
  setMaxListpackValue: 64,
  hashMaxListpackEntries: 128,
  hashMaxListpackValue: 64,
  zsetMaxListpackEntries: 128,
  zsetMaxListpackValue: 64,
};

/** A collection with no elements: skipped when loading a file, refused by RESTORE. */
export class EmptyKeyError extends RdbError {
  constructor() {
    super('Empty key');
    this.name = 'EmptyKeyError';
  }
}

/** A set as Redis loads RDB_TYPE_SET: an intset, a listpack or a hashtable as the members and limits allow (SetValue.fromMembers). */
function setFrom(members: readonly string[], limits: LoadLimits): SetValue {
  const s = SetValue.fromMembers(members, limits);
  if (s === null) throw new RdbError('Duplicate set members detected');
  return s;
}

/** A hash of (field, value) pairs: packed when within maxEntries pairs of at most maxValue bytes each. */
function hashFrom(pairs: readonly string[], maxEntries: number, maxValue: number): HashValue {
  if (pairs.length % 2 !== 0) throw new RdbError('Hash with an odd number of elements');
  if (pairs.length === 0) throw new EmptyKeyError();
  const h = HashValue.fromPairs(pairs, maxEntries, maxValue);
  if (h === null) throw new RdbError('Duplicate hash fields detected');
  return h;
}

/**
 * A zset from (member, score text) pairs of a ziplist / listpack, kept in
 * their stored order as Redis does: packed directly while within
 * zset-max-listpack-entries, else a skiplist.
 */
function zsetFromPairs(pairs: readonly string[], limits: LoadLimits): ZSetValue {
  if (pairs.length % 2 !== 0) throw new RdbError('Zset with an odd number of elements');
  if (pairs.length === 0) throw new EmptyKeyError();
  const n = pairs.length / 2;
  const members: string[] = new Array(n);
  const scores: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const score = parseScore(pairs[2 * i + 1]!);
    if (score === null || Number.isNaN(score)) throw new RdbError('Zset with an invalid score');
    members[i] = pairs[2 * i]!;
    scores[i] = score;
  }
  const z = n > limits.zsetMaxListpackEntries ? ZSetValue.fromColumns(members, scores, 0, 0) : ZSetValue.fromSorted(members, scores);
  if (z === null) throw new RdbError('Duplicate zset fields detected');
  return z;
}

function readList(inp: RdbIn): ListValue {
  const n = inp.count();
  if (n === 0) throw new EmptyKeyError();
  const items: string[] = [];
  for (let i = 0; i < n; i++) items.push(inp.string());
  return ListValue.from(items);
}

function readQuicklist(inp: RdbIn, v2: boolean): ListValue {
  const nodes = inp.count();
  if (nodes === 0) throw new EmptyKeyError();
  // each saved node stays one packed node (split only past the node size limit): no object kept per element
  const loader = new ListLoader();
  let total = 0;
  for (let i = 0; i < nodes; i++) {
    const container = v2 ? inp.count() : QUICKLIST_PACKED;
    if (container !== QUICKLIST_PACKED && container !== QUICKLIST_PLAIN) throw new RdbError('Quicklist integrity check failed.');
    const data = inp.bytes(true);
    if (data.length === 0) throw new RdbError('Quicklist node of length 0');
    if (container === QUICKLIST_PLAIN) {
      loader.endNode();
      loader.add(data.latin1Slice(0, data.length));
      loader.endNode();
      total++;
      continue;
    }
    const entries = v2 ? listpackStrings(data, 0, data.length) : ziplistStrings(data, 0, data.length);
    if (entries === null) throw new RdbError(v2 ? 'Listpack integrity check failed.' : 'Ziplist integrity check failed.');
    for (let k = 0; k < entries.length; k++) loader.add(entries[k]!);
    loader.endNode();
    total += entries.length;
  }
  if (total === 0) throw new EmptyKeyError();
  const l = new ListValue();
  loader.into(l);
  return l;
}

function readSet(inp: RdbIn, limits: LoadLimits): SetValue {
  const n = inp.count();
  if (n === 0) throw new EmptyKeyError();
  const members: string[] = new Array(n);
  for (let i = 0; i < n; i++) members[i] = inp.string();
  return setFrom(members, limits);
}

function readZset(inp: RdbIn, binary: boolean, limits: LoadLimits): ZSetValue {
  const n = inp.count();
  if (n === 0) throw new EmptyKeyError();
  const members: string[] = new Array(n);
  const scores: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const m = inp.string();
    const score = binary ? inp.double() : inp.doubleText();
    if (Number.isNaN(score)) throw new RdbError('Zset with NAN score detected');
    members[i] = m;
    scores[i] = score;
  }
  // packed after loading when it fits, since sorted sets are not stored ordered
  const z = ZSetValue.fromColumns(members, scores, limits.zsetMaxListpackEntries, limits.zsetMaxListpackValue);
  if (z === null) throw new RdbError('Duplicate zset fields detected');
  return z;
}

function readHash(inp: RdbIn, limits: LoadLimits): HashValue {
  const n = inp.count();
  if (n === 0) throw new EmptyKeyError();
  const pairs: string[] = new Array(2 * n);
  for (let i = 0; i < 2 * n; i++) pairs[i] = inp.string();
  return hashFrom(pairs, limits.hashMaxListpackEntries, limits.hashMaxListpackValue);
}

/** rdbLoadObject: the value of RDB type `type` (its key was already read). */
export function readObject(inp: RdbIn, type: number, limits: LoadLimits): Value {
  switch (type) {
    case RDB_TYPE.STRING:
      return inp.string();
    case RDB_TYPE.LIST:
      return readList(inp);
    case RDB_TYPE.SET:
      return readSet(inp, limits);
    case RDB_TYPE.ZSET:
    case RDB_TYPE.ZSET_2:
      return readZset(inp, type === RDB_TYPE.ZSET_2, limits);
    case RDB_TYPE.HASH:
      return readHash(inp, limits);
    case RDB_TYPE.LIST_QUICKLIST:
    case RDB_TYPE.LIST_QUICKLIST_2:
      return readQuicklist(inp, type === RDB_TYPE.LIST_QUICKLIST_2);
    case RDB_TYPE.STREAM_LISTPACKS:
    case RDB_TYPE.STREAM_LISTPACKS_2:
    case RDB_TYPE.STREAM_LISTPACKS_3:
      return readStream(inp, type);
    // hashes with field TTLs (RDB 12, Redis 7.4): rdb-hash-ttl.ts
    case RDB_TYPE.HASH_METADATA_PRE_GA:
    case RDB_TYPE.HASH_LISTPACK_EX_PRE_GA:
    case RDB_TYPE.HASH_METADATA:
    case RDB_TYPE.HASH_LISTPACK_EX:
      return readHashTtl(inp, type, limits.hashMaxListpackEntries, limits.hashMaxListpackValue, () => new EmptyKeyError());
    case RDB_TYPE.MODULE:
    case RDB_TYPE.MODULE_2:
      throw new RdbError(`The RDB file contains module data I can't load: no matching module type '${moduleName(inp.len64())}'`);
    default:
      break;
  }
  const blob = inp.bytes(true);
  const n = blob.length;
  switch (type) {
    case RDB_TYPE.HASH_ZIPMAP: {
      const pairs = zipmapStrings(blob, 0, n);
      if (pairs === null) throw new RdbError('Zipmap integrity check failed.');
      return hashFrom(pairs, limits.hashMaxListpackEntries, limits.hashMaxListpackValue);
    }
    case RDB_TYPE.LIST_ZIPLIST: {
      const items = ziplistStrings(blob, 0, n);
      if (items === null) throw new RdbError('List ziplist integrity check failed.');
      if (items.length === 0) throw new EmptyKeyError();
      return ListValue.from(items);
    }
    case RDB_TYPE.SET_INTSET: {
      // the blob becomes the value as it is, checked but not split into members
      const s = SetValue.fromIntsetBlob(blob, 0, n, limits);
      if (s === null) throw new RdbError('Intset integrity check failed.');
      return s;
    }
    case RDB_TYPE.SET_LISTPACK: {
      // kept a listpack in its order (a hashtable past set-max-listpack-entries), as Redis 7.4
      const members = listpackStrings(blob, 0, n);
      if (members === null) throw new RdbError('Set listpack integrity check failed.');
      if (members.length === 0) throw new EmptyKeyError();
      const s = SetValue.fromListpack(members, limits);
      if (s === null) throw new RdbError('Duplicate set members detected');
      return s;
    }
    case RDB_TYPE.ZSET_ZIPLIST:
    case RDB_TYPE.ZSET_LISTPACK: {
      const zip = type === RDB_TYPE.ZSET_ZIPLIST;
      const pairs = zip ? ziplistStrings(blob, 0, n) : listpackStrings(blob, 0, n);
      if (pairs === null) throw new RdbError(zip ? 'Zset ziplist integrity check failed.' : 'Zset listpack integrity check failed.');
      return zsetFromPairs(pairs, limits);
    }
    case RDB_TYPE.HASH_ZIPLIST:
    case RDB_TYPE.HASH_LISTPACK: {
      const zip = type === RDB_TYPE.HASH_ZIPLIST;
      const pairs = zip ? ziplistStrings(blob, 0, n) : listpackStrings(blob, 0, n);
      if (pairs === null) throw new RdbError(zip ? 'Hash ziplist integrity check failed.' : 'Hash listpack integrity check failed.');
      // Redis 7.0 checks only the entry count here: a long value stays in the listpack
      return hashFrom(pairs, limits.hashMaxListpackEntries, Infinity);
    }
    default:
      throw new RdbError(`Unknown RDB encoding type ${type}`);
  }
}

const MODULE_CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** moduleTypeNameByID: the 9-character module type name inside a module id. */
export function moduleName(id: number | bigint): string {
  let v = BigInt(id) >> 10n;
  let name = '';
  for (let j = 0; j < 9; j++) {
    name = MODULE_CHARSET[Number(v & 63n)]! + name;
    v >>= 6n;
  }
  return name;
}
