/**
 * Loads a whole RDB file into an engine (rdbLoadRioWithLoadingCtx): the
 * magic and version (1–12), AUX fields, function libraries, SELECTDB,
 * RESIZEDB, SLOT_INFO (ignored, as Redis does outside cluster mode: shardis
 * sizes its tables from RESIZEDB), EXPIRETIME / EXPIRETIME_MS, IDLE / FREQ, then key/value pairs
 * until EOF and, from version 5, the CRC-64 check. Also DUMP payloads
 * (verifyDumpPayload + rdbLoadObject).
 */
import type { Engine } from '../engine/engine.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import type { Value } from '../datatypes/value.ts';
import { RdbIn } from './rdb-in.ts';
import { EmptyKeyError, readObject, moduleName, type LoadLimits } from './rdb-reader.ts';
import { isObjectType, RDB_OP, RDB_VERSION_MAX, RdbError } from './rdb-types.ts';
import { functionStore, legacyFunctionPayload } from './rdb-functions.ts';

export type LoadLog = (level: 'notice' | 'warning' | 'verbose', msg: string) => void;

export interface LoadOptions {
  limits: LoadLimits;
  /** DEBUG RELOAD MERGE: a key of the file replaces a key already there (else a duplicate is an error). */
  allowDup: boolean;
  /** Drop keys whose expiry has passed (a primary loading its own snapshot). */
  dropExpired: boolean;
  /** Verify the trailing CRC-64 (rdbchecksum yes and not skipped by DEBUG). */
  verifyChecksum: boolean;
  log: LoadLog;
  /** With threads, where the keys of other threads go (an AOF loaded whole on every thread); else they are skipped. */
  remoteInto?: (key: string, db: number) => Keyspace;
}

export interface LoadResult {
  version: number;
  keysLoaded: number;
  keysExpired: number;
  emptyKeysSkipped: number;
  functions: number;
  aux: Map<string, string>;
}

function logAux(key: string, val: string, log: LoadLog): void {
  const k = key.toLowerCase();
  if (key.startsWith('%')) log('notice', `RDB '${key}': ${val}`);
  else if (k === 'redis-ver') log('notice', `Loading RDB produced by version ${val}`);
  else if (k === 'ctime') log('notice', `RDB age ${Math.max(0, Math.floor(Date.now() / 1000) - parseInt(val, 10))} seconds`);
  else if (k === 'used-mem') log('notice', `RDB memory usage when created ${(Number(val) / (1024 * 1024)).toFixed(2)} Mb`);
  else if (k === 'aof-preamble' && parseInt(val, 10)) log('notice', 'RDB has an AOF tail');
  else if (k === 'aof-base' && parseInt(val, 10)) log('notice', 'RDB is base AOF');
}

/** Reads the file behind `inp` into `engine`. Throws RdbError on a truncated or corrupt file. */
export function loadRdb(inp: RdbIn, engine: Engine, opts: LoadOptions): LoadResult {
  const magic = inp.raw(9).latin1Slice(0, 9);
  if (!magic.startsWith('REDIS')) throw new RdbError('Wrong signature trying to load DB from file');
  const version = parseInt(magic.slice(5), 10);
  if (!(version >= 1 && version <= RDB_VERSION_MAX)) throw new RdbError(`Can't handle RDB format version ${magic.slice(5)}`);
  const res: LoadResult = { version, keysLoaded: 0, keysExpired: 0, emptyKeysSkipped: 0, functions: 0, aux: new Map() };
  const now = Date.now();
  const functions = functionStore(engine);
  let db = 0;
  let expire = -1;
  let idle = -1;
  let freq = -1;
  for (;;) {
    const type = inp.byte();
    switch (type) {
      case RDB_OP.EXPIRETIME:
        expire = inp.time32() * 1000;
        continue;
      case RDB_OP.EXPIRETIME_MS:
        expire = inp.ms();
        continue;
      case RDB_OP.FREQ:
        freq = inp.byte();
        continue;
      case RDB_OP.IDLE:
        idle = inp.count();
        continue;
      case RDB_OP.SELECTDB:
        db = inp.count();
        if (db >= engine.databases) throw new RdbError(`FATAL: Data file was created with a Redis server configured to handle more than ${engine.databases} databases.`);
        continue;
      case RDB_OP.RESIZEDB: {
        // the tables sized up front as Redis does (KeyTable.reserve: a shardis RDB comes in hash order);
        // a key takes 3 bytes at least, so a bogus count reserves no more than the file could hold
        const keys = Math.min(inp.count(), Math.floor(inp.remaining / 3));
        inp.count();
        for (const ks of engine.keyspaces(db)) ks.data.reserve(Math.ceil(keys / engine.shardCount));
        continue;
      }
      case RDB_OP.SLOT_INFO:
        // slot, its keys, its keys with an expiry (Redis 7.2+ in cluster mode)
        inp.count();
        inp.count();
        inp.count();
        continue;
      case RDB_OP.AUX: {
        const key = inp.string();
        const val = inp.string();
        res.aux.set(key, val);
        logAux(key, val, opts.log);
        continue;
      }
      case RDB_OP.MODULE_AUX: {
        const id = inp.len64();
        throw new RdbError(`The RDB file contains AUX module data I can't load: no matching module '${moduleName(id)}'`);
      }
      case RDB_OP.FUNCTION:
      case RDB_OP.FUNCTION2: {
        let code: string;
        if (type === RDB_OP.FUNCTION) {
          const name = inp.string();
          const engineName = inp.string();
          if (inp.count() !== 0) inp.string();
          code = legacyFunctionPayload(name, engineName, inp.string());
        } else code = inp.string();
        const err = functions.add(code, opts.allowDup);
        if (err !== null) throw new RdbError(`Failed loading library, ${err}`);
        res.functions++;
        continue;
      }
      case RDB_OP.EOF:
        break;
      default: {
        if (!isObjectType(type)) throw new RdbError(`Unknown RDB encoding type ${type}`);
        const key = inp.string();
        let value: Value;
        try {
          value = readObject(inp, type, opts.limits);
        } catch (e) {
          if (!(e instanceof EmptyKeyError)) throw e;
          if (res.emptyKeysSkipped++ < 10) opts.log('warning', `rdbLoadObject skipping empty key: ${key}`);
          expire = idle = freq = -1;
          continue;
        }
        const ks = engine.localKeyspace(key, db) ?? opts.remoteInto?.(key, db) ?? null;
        if (ks === null) {
          // another thread's key: that thread loads it from the same file
        } else if (opts.dropExpired && expire !== -1 && expire < now) {
          res.keysExpired++;
        } else {
          // a background save walking this keyspace keeps the key's old value (DEBUG RELOAD MERGE / NOFLUSH)
          if (ks.snap !== null) ks.snap.beforeWrite(ks, key);
          const data = ks.data;
          const old = data.get(key);
          // the key was there already: an error, unless the file's keys are to win (DEBUG RELOAD MERGE)
          if (old !== undefined && !opts.allowDup) throw new RdbError(`RDB has duplicated key '${key}' in DB ${db}`);
          data.set(key, value);
          ks.charge(key, value, old);
          if (old !== undefined) ks.persist(key);
          if (expire !== -1) ks.setExpire(key, expire);
          res.keysLoaded++;
          // the key's LRU clock / LFU counter: a new value's, or what the IDLE / FREQ opcode says
          ks.loaded(key, idle, freq);
        }
        expire = idle = freq = -1;
        continue;
      }
    }
    break;
  }
  if (version >= 5) {
    const expected = opts.verifyChecksum ? inp.checksum() : null;
    const got = inp.raw(8);
    if (expected !== null) {
      if (got.every((b) => b === 0)) opts.log('warning', 'RDB file was saved with checksum disabled: no check performed.');
      else if (!expected.equals(got, 0)) {
        throw new RdbError(`Wrong RDB checksum expected: (${expected.hex()}) but got (${Buffer.from(got).reverse().toString('hex')}). Aborting now.`);
      }
    }
  }
  return res;
}

/** The value in a DUMP payload (already verified), or null when it is malformed ("Bad data format"). */
export function readDumpPayload(p: Buffer, limits: LoadLimits): Value | null {
  const inp = new RdbIn(p.subarray(0, p.length - 10));
  try {
    const type = inp.byte();
    if (!isObjectType(type)) return null;
    return readObject(inp, type, limits);
  } catch (e) {
    if (e instanceof RdbError) return null;
    throw e;
  }
}
