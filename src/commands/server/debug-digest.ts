/**
 * DEBUG DIGEST / DIGEST-VALUE, computed exactly as Redis's debug.c so that
 * the same dataset gives the same 40 hex characters on shardis and Redis:
 * ordered content is folded with mixDigest (SHA1 feedback), unordered
 * content with xorDigest (XOR of SHA1s).
 */
import { viewOf } from '../../datatypes/stored.ts';
import { createHash } from 'node:crypto';
import { isString, type CollectionValue, type Value } from '../../datatypes/value.ts';
import type { Engine } from '../../engine/engine.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import { ZSetValue } from '../../datatypes/zset.ts';
import { fpconvDtoa } from '../../protocol/format.ts';

export const ZERO_DIGEST = '0'.repeat(40);

const TYPE_CODE: Record<string, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };
const EXPIRE_MARK = Buffer.from('!!expire!!', 'latin1');

function sha1(data: string | Buffer): Buffer {
  const h = createHash('sha1');
  if (typeof data === 'string') h.update(data, 'latin1');
  else h.update(data);
  return h.digest();
}

/** digest ^= SHA1(data) */
function xorDigest(digest: Buffer, data: string | Buffer): void {
  const h = sha1(data);
  for (let i = 0; i < 20; i++) digest[i]! ^= h[i]!;
}

/** digest ^= x (20 bytes) */
function xorInto(digest: Buffer, x: Uint8Array): void {
  for (let i = 0; i < 20; i++) digest[i]! ^= x[i]!;
}

/** digest = SHA1(digest ^ SHA1(data)) */
function mixDigest(digest: Buffer, data: string | Buffer): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

function typeCode(code: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(code);
  return b;
}

/** Redis's xorObjectDigest: folds a value (and whether it has a TTL) into digest. */
function objectDigest(digest: Buffer, v: Value, hasExpire: boolean): void {
  if (isString(v)) {
    mixDigest(digest, typeCode(0));
    mixDigest(digest, v);
  } else {
    const cv = v as CollectionValue;
    mixDigest(digest, typeCode(TYPE_CODE[cv.type] ?? 5));
    if (cv.type === 'list' || cv.type === 'stream') {
      for (const e of cv.entries()) mixDigest(digest, e);
    } else if (cv.type === 'set') {
      for (const e of cv.entries()) xorDigest(digest, e);
    } else {
      // zset: member, score; hash: field, value: each pair digested alone, then xored in
      // (a score as fpconv_dtoa writes it, Redis 7.2+; 7.0 digested %.17g)
      let first: string | null = null;
      const ele = Buffer.alloc(20);
      for (const e of cv instanceof ZSetValue ? cv.entries(fpconvDtoa) : cv.entries()) {
        if (first === null) {
          first = e;
          continue;
        }
        ele.fill(0);
        mixDigest(ele, first);
        mixDigest(ele, e);
        xorDigest(digest, ele);
        first = null;
      }
    }
  }
  if (hasExpire) xorDigest(digest, EXPIRE_MARK);
}

/** DEBUG DIGEST-VALUE of one key (Redis digests logically expired keys too). */
export function valueDigest(ks: Keyspace, key: string): string {
  const v = ks.data.get(key);
  if (v === undefined) return ZERO_DIGEST;
  const d = Buffer.alloc(20);
  objectDigest(d, viewOf(v), ks.getExpire(key) !== undefined);
  return d.toString('hex');
}

/** DEBUG DIGEST: the whole dataset, all zeros when empty. */
export function datasetDigest(engine: Engine, others: Array<Array<[number, Uint8Array]>> = []): string {
  // per database, the key digests XORed (in any order: with threads, each thread's share added)
  const byDb = new Map(keyDigests(engine));
  for (const parts of others) {
    for (const [db, x] of parts) {
      const mine = byDb.get(db);
      if (mine === undefined) byDb.set(db, Buffer.from(x));
      else xorInto(mine, x);
    }
  }
  const final = Buffer.alloc(20);
  for (let db = 0; db < engine.databases; db++) {
    const x = byDb.get(db);
    if (x === undefined) continue;
    mixDigest(final, typeCode(db));
    xorInto(final, x);
  }
  return final.toString('hex');
}

/** The XOR of this thread's key digests, per non-empty database. */
export function keyDigests(engine: Engine): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  const d = Buffer.alloc(20);
  for (let db = 0; db < engine.databases; db++) {
    const spaces = engine.keyspaces(db);
    if (spaces.every((ks) => ks.size === 0)) continue;
    const x = Buffer.alloc(20);
    for (const ks of spaces) {
      for (const [key, v] of ks.data) {
        d.fill(0);
        mixDigest(d, key);
        objectDigest(d, viewOf(v), ks.getExpire(key) !== undefined);
        xorDigest(x, d);
      }
    }
    out.push([db, x]);
  }
  return out;
}
