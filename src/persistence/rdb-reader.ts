/**
 * Reads values in every RDB encoding Redis 7.0 loads (rdbLoadObject), from
 * RDB v1 to v10: plain string / list / set / zset (text and binary scores)
 * / hash, zipmap and ziplist encodings, intsets, quicklists of ziplists or
 * listpacks (plain nodes included), listpack hashes and zsets and streams.
 * Each value gets the encoding Redis would give it with the current limits.
 * Malformed data throws RdbError; an empty collection throws EmptyKeyError
 * (Redis skips such keys in a file and refuses them in RESTORE).
 */
import type { Value } from '../datatypes/value.ts';
import { ListValue } from '../datatypes/list.ts';
import { SetValue } from '../datatypes/set.ts';
import { HashValue } from '../datatypes/hash.ts';
import { ZSetValue } from '../datatypes/zset.ts';
import { QUICKLIST_PACKED, QUICKLIST_PLAIN, RDB_TYPE, RdbError } from './rdb-types.ts';
import { parseScore, type RdbIn } from './rdb-in.ts';
import { listpackStrings } from './listpack.ts';
import { decodeIntset } from './intset.ts';
import { ziplistStrings, zipmapStrings } from './ziplist.ts';
import { readStream } from './rdb-stream.ts';

/** The encoding limits a loaded value is fitted to (from the server's config). */
export interface LoadLimits {
  setMaxIntsetEntries: number;
  hashMaxListpackEntries: number;
  hashMaxListpackValue: number;
  zsetMaxListpackEntries: number;
  zsetMaxListpackValue: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  setMaxIntsetEntries: 512,
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

/** lpSafeToAdd: a listpack stays under 1 GB. */
const LISTPACK_SAFETY = 1 << 30;

function setFrom(members: readonly string[], limits: LoadLimits): SetValue {
  const s = new SetValue();
  // more members than an intset may hold: a hashtable from the start, as Redis
  if (members.length > limits.setMaxIntsetEntries) s.intset = false;
  for (const m of members) {
    if (!s.add(m, limits.setMaxIntsetEntries)) throw new RdbError('Duplicate set members detected');
  }
  return s;
}

function hashFrom(pairs: readonly string[], big: boolean): HashValue {
  if (pairs.length % 2 !== 0) throw new RdbError('Hash with an odd number of elements');
  if (pairs.length === 0) throw new EmptyKeyError();
  const h = new HashValue();
  h.big = big;
  const map = h.map;
  for (let i = 0; i < pairs.length; i += 2) {
    const before = map.size;
    map.set(pairs[i]!, pairs[i + 1]!);
    if (map.size === before) throw new RdbError('Duplicate hash fields detected');
  }
  return h;
}

/** A zset from (member, score text) pairs of a ziplist / listpack. */
function zsetFromPairs(pairs: readonly string[], limits: LoadLimits): ZSetValue {
  if (pairs.length % 2 !== 0) throw new RdbError('Zset with an odd number of elements');
  if (pairs.length === 0) throw new EmptyKeyError();
  const z = new ZSetValue();
  z.big = pairs.length / 2 > limits.zsetMaxListpackEntries;
  for (let i = 0; i < pairs.length; i += 2) {
    const member = pairs[i]!;
    const score = parseScore(pairs[i + 1]!);
    if (score === null || Number.isNaN(score)) throw new RdbError('Zset with an invalid score');
    if (z.dict.has(member)) throw new RdbError('Duplicate zset fields detected');
    z.set(member, score);
  }
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
  const items: string[] = [];
  for (let i = 0; i < nodes; i++) {
    const container = v2 ? inp.count() : QUICKLIST_PACKED;
    if (container !== QUICKLIST_PACKED && container !== QUICKLIST_PLAIN) throw new RdbError('Quicklist integrity check failed.');
    const data = inp.bytes(true);
    if (data.length === 0) throw new RdbError('Quicklist node of length 0');
    if (container === QUICKLIST_PLAIN) {
      items.push(data.latin1Slice(0, data.length));
      continue;
    }
    const entries = v2 ? listpackStrings(data, 0, data.length) : ziplistStrings(data, 0, data.length);
    if (entries === null) throw new RdbError(v2 ? 'Listpack integrity check failed.' : 'Ziplist integrity check failed.');
    for (const e of entries) items.push(e);
  }
  if (items.length === 0) throw new EmptyKeyError();
  return ListValue.from(items);
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
  let maxLen = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const m = inp.string();
    const score = binary ? inp.double() : inp.doubleText();
    if (Number.isNaN(score)) throw new RdbError('Zset with NAN score detected');
    if (m.length > maxLen) maxLen = m.length;
    total += m.length;
    members[i] = m;
    scores[i] = score;
  }
  // converted after loading, since sorted sets are not stored ordered
  const z = new ZSetValue();
  z.big = !(n <= limits.zsetMaxListpackEntries && maxLen <= limits.zsetMaxListpackValue && total < LISTPACK_SAFETY);
  for (let i = 0; i < n; i++) {
    if (z.dict.has(members[i]!)) throw new RdbError('Duplicate zset fields detected');
    z.set(members[i]!, scores[i]!);
  }
  return z;
}

function readHash(inp: RdbIn, limits: LoadLimits): HashValue {
  const n = inp.count();
  if (n === 0) throw new EmptyKeyError();
  const pairs: string[] = new Array(2 * n);
  let big = n > limits.hashMaxListpackEntries;
  let total = 0;
  for (let i = 0; i < 2 * n; i++) {
    const s = inp.string();
    pairs[i] = s;
    total += s.length;
    if (s.length > limits.hashMaxListpackValue || total >= LISTPACK_SAFETY) big = true;
  }
  return hashFrom(pairs, big);
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
      return readStream(inp, type === RDB_TYPE.STREAM_LISTPACKS_2);
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
      let maxLen = 0;
      for (const s of pairs) if (s.length > maxLen) maxLen = s.length;
      return hashFrom(pairs, pairs.length / 2 > limits.hashMaxListpackEntries || maxLen > limits.hashMaxListpackValue);
    }
    case RDB_TYPE.LIST_ZIPLIST: {
      const items = ziplistStrings(blob, 0, n);
      if (items === null) throw new RdbError('List ziplist integrity check failed.');
      if (items.length === 0) throw new EmptyKeyError();
      return ListValue.from(items);
    }
    case RDB_TYPE.SET_INTSET: {
      const members = decodeIntset(blob, 0, n);
      if (members === null) throw new RdbError('Intset integrity check failed.');
      return setFrom(members, limits);
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
      return hashFrom(pairs, pairs.length / 2 > limits.hashMaxListpackEntries);
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
