/**
 * Writes values and whole datasets in RDB format, version 10 (Redis 7.0's)
 * or 12 (Redis 7.4's) as rdb-version.ts decides, choosing each value's RDB
 * type from its encoding as rdbSaveObjectType does:
 *   string                → STRING (int / LZF encodings as rdbSaveRawString)
 *   list (quicklist)      → LIST_QUICKLIST_2, listpack nodes filled as RPUSH fills them
 *   set intset|hashtable  → SET_INTSET | SET
 *   zset listpack|skiplist→ ZSET_LISTPACK | ZSET_2
 *   hash listpack|hashtable→ HASH_LISTPACK | HASH
 *   stream                → STREAM_LISTPACKS_2, in version 12 STREAM_LISTPACKS_3 (rdb-stream.ts)
 * File layout: "REDIS0010" (or "REDIS0012"), AUX fields, FUNCTION2 libraries, per database
 * SELECTDB + RESIZEDB + [EXPIRETIME_MS] type key value …, EOF, CRC-64.
 */
import { viewOf } from '../datatypes/stored.ts';
import type { Engine } from '../engine/engine.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import { idleMs, lfuCounter } from '../engine/lru.ts';
import { isString, type Value } from '../datatypes/value.ts';
import { ListValue } from '../datatypes/list.ts';
import { SetValue } from '../datatypes/set.ts';
import { REDIS_VERSION } from '../server/version.ts';
import { HashValue } from '../datatypes/hash.ts';
import { ZSetValue } from '../datatypes/zset.ts';
import { StreamValue } from '../datatypes/stream.ts';
import { formatDoubleShortest } from '../protocol/format.ts';
import { RdbOut } from './rdb-out.ts';
import { ListpackWriter } from './listpack.ts';
import { writeStream } from './rdb-stream.ts';
import { crc64 } from './crc64.ts';
import { QUICKLIST_PACKED, QUICKLIST_PLAIN, RDB_OP, RDB_TYPE } from './rdb-types.ts';
import { RDB_VERSION_7_0, rdbVersionForDataset, rdbVersionForValue } from './rdb-version.ts';
import { hashTtlType, writeHashTtl } from './rdb-hash-ttl.ts';
import { functionStore } from './rdb-functions.ts';

export interface RdbSaveOptions {
  /** rdbcompression */
  compress: boolean;
  /** rdbchecksum */
  checksum: boolean;
  /** list-max-listpack-size (quicklist node fill) */
  listFill: number;
  /** Written as the aof-base AUX field (an RDB preamble of an AOF). */
  aofBase: boolean;
  /** An RDB for a replica: the stream's database, replication ID and offset (repl-stream-db, repl-id, repl-offset). */
  repl?: { streamDb: number; replid: string; offset: number };
  /** Receives the file in chunks; without one writeRdb returns it. */
  sink?: (chunk: Buffer) => void;
  /** With threads: the other threads' sections of the file, written after this thread's (threads/snapshots.ts). */
  parts?: () => Uint8Array[];
  /**
   * The RDB version of a file (10 or 12): decided once per file, before its
   * header (rdbVersionForDataset when unset), and the same in every thread's
   * sections. DUMP payloads don't use it (rdbVersionForValue decides each).
   */
  version?: number;
}

export const DEFAULT_SAVE_OPTIONS: RdbSaveOptions = { compress: true, checksum: true, listFill: -2, aofBase: false };

/** quicklist.c's optimization_level: node byte limits for fill -1 … -5. */
const OPTIMIZATION_LEVEL = [4096, 8192, 16384, 32768, 65536];
const SIZE_SAFETY_LIMIT = 8192;
const SIZE_ESTIMATE_OVERHEAD = 8;
/** Elements at least this long get a plain node of their own (packed_threshold). */
const PACKED_THRESHOLD = 1 << 30;
/** (double)(LLONG_MAX / 2): double2ll's range. */
const DOUBLE2LL_LIMIT = 4611686018427387904;

/** _quicklistNodeAllowInsert */
function nodeAllowsInsert(bytes: number, count: number, fill: number, sz: number): boolean {
  const newSz = bytes + sz + SIZE_ESTIMATE_OVERHEAD;
  if (fill < 0) {
    const off = -fill - 1;
    if (off < OPTIMIZATION_LEVEL.length && newSz <= OPTIMIZATION_LEVEL[off]!) return true;
  }
  if (newSz > SIZE_SAFETY_LIMIT) return false;
  return count < fill;
}

/** The RDB type byte written for a value in RDB `version` (rdbSaveObjectType). */
export function rdbTypeOf(v: Value, version = RDB_VERSION_7_0): number {
  if (isString(v)) return RDB_TYPE.STRING;
  if (v instanceof ListValue) return RDB_TYPE.LIST_QUICKLIST_2;
  if (v instanceof SetValue) return v.intset ? RDB_TYPE.SET_INTSET : RDB_TYPE.SET;
  if (v instanceof ZSetValue) return v.big ? RDB_TYPE.ZSET_2 : RDB_TYPE.ZSET_LISTPACK;
  if (v instanceof HashValue) return hashTtlType(v) || (v.isPacked() ? RDB_TYPE.HASH_LISTPACK : RDB_TYPE.HASH);
  if (v instanceof StreamValue) return version >= 11 ? RDB_TYPE.STREAM_LISTPACKS_3 : RDB_TYPE.STREAM_LISTPACKS_2;
  throw new Error(`RDB: unsupported type ${v.type}`);
}

function writeList(out: RdbOut, l: ListValue, fill: number): void {
  // the nodes RPUSH would have built: one listpack filled until the next element doesn't fit
  const nodes: Array<Buffer | { plain: string }> = [];
  let lp: ListpackWriter | null = null;
  for (const s of l.entries()) {
    if (s.length >= PACKED_THRESHOLD) {
      if (lp !== null) nodes.push(lp.finish());
      lp = null;
      nodes.push({ plain: s });
      continue;
    }
    if (lp !== null && !nodeAllowsInsert(lp.bytes, lp.count, fill, s.length)) {
      nodes.push(lp.finish());
      lp = null;
    }
    lp ??= new ListpackWriter(Math.min(8192, 64 + s.length * 2));
    lp.append(s);
  }
  if (lp !== null) nodes.push(lp.finish());
  out.len(nodes.length);
  for (const n of nodes) {
    if ('plain' in n) {
      out.len(QUICKLIST_PLAIN);
      out.string(n.plain);
    } else {
      out.len(QUICKLIST_PACKED);
      out.string(n);
    }
  }
}

/** zzlInsertAt's score: an integer entry when double2ll succeeds, else d2string. */
function appendScore(lp: ListpackWriter, score: number): void {
  if (Number.isInteger(score) && score >= -DOUBLE2LL_LIMIT && score <= DOUBLE2LL_LIMIT) {
    lp.appendInt(Number.isSafeInteger(score) ? score : BigInt(score));
  } else lp.append(formatDoubleShortest(score));
}

/** rdbSaveObject: the value's body as RDB type `type` (rdbTypeOf; the type byte is written by the caller). */
export function writeObject(out: RdbOut, v: Value, opts: RdbSaveOptions, type: number): void {
  if (isString(v)) return out.string(v);
  if (v instanceof ListValue) return writeList(out, v, opts.listFill);
  if (v instanceof SetValue) {
    if (v.intset) return out.string(v.intsetBlob());
    out.len(v.size());
    for (const m of v.members()) out.string(m);
    return;
  }
  if (v instanceof ZSetValue) {
    if (!v.big) {
      const lp = new ListpackWriter(64 + v.size() * 16);
      v.forEach((m, score) => {
        lp.append(m);
        appendScore(lp, score);
      });
      return out.string(lp.finish());
    }
    out.len(v.size());
    // from the highest score, so loading inserts every node at the head
    v.forEach((m, score) => {
      out.string(m);
      out.double(score);
    }, true);
    return;
  }
  if (v instanceof HashValue) {
    const ttlType = hashTtlType(v);
    if (ttlType !== 0) return writeHashTtl(out, v, ttlType);
    if (v.isPacked()) {
      const lp = new ListpackWriter(64 + v.size() * 24);
      v.forEach((f, x) => {
        lp.append(f);
        lp.append(x);
      });
      return out.string(lp.finish());
    }
    out.len(v.size());
    v.forEach((f, x) => {
      out.string(f);
      out.string(x);
    });
    return;
  }
  if (v instanceof StreamValue) return writeStream(out, v, type);
  throw new Error(`RDB: unsupported type ${v.type}`);
}

/**
 * DUMP's payload: type, value, RDB version (2 bytes LE), CRC-64 of all that
 * (8 bytes LE). The version is rdbVersionForValue's, unless given (a
 * thread handing a value to another writes 12, which keeps everything).
 */
export function dumpPayload(v: Value, opts: RdbSaveOptions, version = rdbVersionForValue(v)): Buffer {
  const out = new RdbOut({ compress: opts.compress, checksum: false, initial: 256 });
  const type = rdbTypeOf(v, version);
  out.byte(type);
  writeObject(out, v, opts, type);
  out.byte(version & 0xff);
  out.byte(version >> 8);
  const body = out.done();
  return Buffer.concat([body, crc64(body)]);
}

function aux(out: RdbOut, key: string, value: string): void {
  out.byte(RDB_OP.AUX);
  out.string(key);
  out.string(value);
}

/** The whole dataset as one RDB file in memory (replication's SYNC payload). */
export function writeRdb(engine: Engine, options: Partial<RdbSaveOptions> = {}): Buffer {
  return writeRdbTo(engine, { ...DEFAULT_SAVE_OPTIONS, ...options, sink: undefined })!;
}

/**
 * rdbSaveRio: the whole dataset as an RDB file, streamed to opts.sink (then
 * null is returned) or returned as one buffer. Keys already expired are left out.
 */
export function writeRdbTo(engine: Engine, options: RdbSaveOptions): Buffer | null {
  const opts = withFileVersion(engine, options);
  // with threads the other threads' parts come first: asking for them takes the lock and holds them,
  // and only then is this thread's data the same point in time as theirs (a holder waited on
  // meanwhile could otherwise change a key of this thread already written)
  const parts = opts.parts?.() ?? [];
  const out = new RdbOut({ compress: opts.compress, checksum: opts.checksum, sink: opts.sink });
  writeRdbHeader(out, engine, opts);
  writeRdbSections(out, engine, opts);
  for (const part of parts) out.bytes(part);
  out.byte(RDB_OP.EOF);
  return out.finishWithChecksum();
}

/**
 * The engine's databases as SELECTDB / RESIZEDB sections and key entries,
 * without header or EOF: the whole file's body, or with threads one
 * thread's share of it (a database may then have a section per thread,
 * which Redis's loader takes as it takes any SELECTDB).
 */
export function writeRdbSections(out: RdbOut, engine: Engine, opts: RdbSaveOptions): void {
  const now = engine.now();
  for (let db = 0; db < engine.databases; db++) {
    const spaces = engine.keyspaces(db);
    let keys = 0;
    let expires = 0;
    for (const ks of spaces) {
      keys += ks.size;
      expires += ks.volatile;
    }
    if (keys === 0) continue;
    out.byte(RDB_OP.SELECTDB);
    out.len(db);
    out.byte(RDB_OP.RESIZEDB);
    out.len(keys);
    out.len(expires);
    for (const ks of spaces) {
      for (const [key, v] of ks.data) {
        const when = ks.getExpire(key);
        if (when !== undefined && when <= now) continue;
        writeKeyEntry(out, key, viewOf(v), when, opts, ks);
      }
    }
  }
}

/** `opts` with the file's RDB version decided (rdb-version.ts), unless it is already. */
export function withFileVersion(engine: Engine, opts: RdbSaveOptions): RdbSaveOptions {
  return opts.version !== undefined ? opts : { ...opts, version: rdbVersionForDataset(engine) };
}

/** The magic, AUX fields and function libraries that open every RDB file (opts.version: see withFileVersion). */
export function writeRdbHeader(out: RdbOut, engine: Engine, opts: RdbSaveOptions): void {
  out.raw(`REDIS${String(opts.version ?? RDB_VERSION_7_0).padStart(4, '0')}`);
  aux(out, 'redis-ver', REDIS_VERSION);
  aux(out, 'redis-bits', '64');
  aux(out, 'ctime', String(Math.floor(Date.now() / 1000)));
  aux(out, 'used-mem', String(process.memoryUsage().heapUsed));
  if (opts.repl !== undefined) {
    aux(out, 'repl-stream-db', String(opts.repl.streamDb));
    aux(out, 'repl-id', opts.repl.replid);
    aux(out, 'repl-offset', String(opts.repl.offset));
  }
  aux(out, 'aof-base', opts.aofBase ? '1' : '0');
  for (const code of functionStore(engine).list()) {
    out.byte(RDB_OP.FUNCTION2);
    out.string(code);
  }
}

/**
 * One key (rdbSaveKeyValuePair): its expiry (when it has one), under an LRU
 * policy its idle time (IDLE) and under an LFU one its counter (FREQ) — taken
 * from `ks`, the keyspace holding it, when given — then type, name and value.
 */
export function writeKeyEntry(out: RdbOut, key: string, v: Value, when: number | undefined, opts: RdbSaveOptions, ks?: Keyspace): void {
  if (when !== undefined) {
    out.byte(RDB_OP.EXPIRETIME_MS);
    out.ms(when);
  }
  if (ks !== undefined && (ks.lruPolicy.lru || ks.lruPolicy.lfu)) {
    const p = ks.lruPolicy;
    const word = ks.lruWord(key);
    if (p.lru) {
      out.byte(RDB_OP.IDLE);
      out.len(Math.floor(idleMs(p, word) / 1000));
    } else {
      out.byte(RDB_OP.FREQ);
      out.byte(lfuCounter(p, word));
    }
  }
  const type = rdbTypeOf(v, opts.version);
  out.byte(type);
  out.string(key);
  writeObject(out, v, opts, type);
}
