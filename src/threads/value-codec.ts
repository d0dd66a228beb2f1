/**
 * How a borrowed key's value travels between threads: its DUMP payload
 * (RDB version 12, which carries everything) under the thread's config,
 * after one byte that keeps the encoding a reload would lose. A string edited in place (APPEND, SETRANGE, SETBIT …) stays raw,
 * and a hash, set or sorted set past its listpack thresholds stays a
 * hashtable / skiplist after it shrinks, as they do on one thread (OBJECT
 * ENCODING). A listpack set travels as its packed string: a reload would
 * put its integers first, or make it an intset.
 */
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import type { Value } from '../datatypes/value.ts';
import type { ValueCodec } from './borrow.ts';
import { HashValue } from '../datatypes/hash.ts';
import { ZSetValue } from '../datatypes/zset.ts';
import { SetValue } from '../datatypes/set.ts';
import { isPacked, unpackValue } from '../datatypes/stored.ts';
import { appendRaw, isBoxed } from '../datatypes/string-raw.ts';
import { dumpPayload } from '../persistence/rdb-writer.ts';
import { RDB_VERSION_7_4 } from '../persistence/rdb-version.ts';
import { readDumpPayload } from '../persistence/rdb-load.ts';
import { loadLimits, saveOptions } from '../persistence/save-state.ts';

/** The byte before the payload. */
const AS_LOADED = 0;
const RAW_STRING = 1;
const BIG_COLLECTION = 2;
/** A listpack set: its packed string follows instead of a DUMP payload. */
const LISTPACK_SET = 3;

/** What of `v`'s encoding a reload would not give back. */
function encodingOf(v: Value): number {
  if (typeof v === 'string') return AS_LOADED;
  if (Buffer.isBuffer(v)) return isBoxed(v) ? AS_LOADED : RAW_STRING;
  if ((v instanceof HashValue && !v.isPacked()) || (v instanceof ZSetValue && v.encoding() === 'skiplist')) return BIG_COLLECTION;
  if (v instanceof SetValue) return v.listpack ? LISTPACK_SET : v.packed ? AS_LOADED : BIG_COLLECTION;
  return AS_LOADED;
}

/** `v` (as loaded) in the encoding `kind` names. */
function withEncoding(v: Value, kind: number): Value {
  if (kind === RAW_STRING && (typeof v === 'string' || Buffer.isBuffer(v))) return appendRaw(v, '');
  if (kind !== BIG_COLLECTION) return v;
  const c = typeof v === 'string' && isPacked(v) ? unpackValue(v) : v;
  if (c instanceof HashValue) c.toBig();
  else if (c instanceof ZSetValue || c instanceof SetValue) c.toBig();
  return c;
}

/** Values as DUMP payloads under the thread's config, with the encoding byte first. */
export function codecFor(state: ServerState<Client>): ValueCodec {
  return {
    encode: (v: Value) => {
      const kind = encodingOf(v);
      if (kind === LISTPACK_SET) {
        const d = (v as SetValue).packedData()!;
        const out = new Uint8Array(d.length + 1);
        out[0] = kind;
        Buffer.from(out.buffer, out.byteOffset + 1, d.length).latin1Write(d, 0);
        return out;
      }
      // version 12 whatever DUMP writes: a stream's consumers keep their active-time, hash fields their TTLs
      const p = dumpPayload(v, saveOptions(state), RDB_VERSION_7_4);
      const out = new Uint8Array(p.length + 1);
      out[0] = encodingOf(v);
      out.set(p, 1);
      return out;
    },
    kind: encodingOf,
    decode: (p: Uint8Array) => {
      if (p[0] === LISTPACK_SET) return new SetValue(Buffer.from(p.buffer, p.byteOffset + 1, p.byteLength - 1).latin1Slice());
      const v = readDumpPayload(Buffer.from(p.buffer, p.byteOffset + 1, p.byteLength - 1), loadLimits(state));
      if (v === null) throw new Error('thread link: bad value image');
      return withEncoding(v, p[0]!);
    },
  };
}
