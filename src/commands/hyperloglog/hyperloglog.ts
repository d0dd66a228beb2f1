/**
 * HyperLogLog family: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
 * Values are ordinary strings in Redis's exact HLL byte layout (see
 * datatypes/hyperloglog.ts), so GET/SET/DUMP move them between servers.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isString, type StringValue } from '../../datatypes/value.ts';
import {
  HLL_DENSE, HLL_DENSE_SIZE, HLL_HDR_SIZE, HLL_REGISTERS, HLL_SPARSE, cachedCard, cachedCardText, decodeSparse, denseGet,
  densePatAddWord, denseSetReg, hllCount, hllMerge, hllPatLen, invalidateCache, isHllValue, lastPatIndex, rawCount, setCachedCard,
} from '../../datatypes/hyperloglog.ts';
import { HllBuffer, createHll, unshare } from '../../datatypes/hyperloglog-sparse.ts';
import { getConfigNumber } from '../../config/config.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import type { Client } from '../../server/client.ts';

export const HLL_WRONGTYPE = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
export const HLL_INVALID = 'INVALIDOBJ Corrupted HLL object detected';

/** hll-sparse-max-bytes */
export function sparseMaxBytes(c: Client): number {
  return getConfigNumber(c.server.config, 'hll-sparse-max-bytes', 3000);
}

/** The HLL string at key (undefined when missing); the two WRONGTYPE errors as isHLLObjectOrReply. */
function hllAt(ks: Keyspace, key: string, read: boolean): StringValue | undefined {
  const v = read ? ks.lookupRead(key) : ks.get(key);
  if (v === undefined) return undefined;
  if (!isString(v)) throw new CommandError(Err.WRONGTYPE);
  if (!isHllValue(v)) throw new CommandError(HLL_WRONGTYPE);
  return v;
}

/** The value as a Buffer the key owns, changed in place from now on (dbUnshareStringValue). */
function unshared(ks: Keyspace, key: string, v: StringValue): Buffer {
  const b = unshare(v);
  if (b !== v) ks.replace(key, b);
  return b;
}

/** The registers of several keys merged into `max`; true if one of them is dense. */
function mergeKeys(c: Client, keys: readonly string[], from: number, max: Uint8Array): boolean {
  let dense = false;
  for (let j = from; j < keys.length; j++) {
    const key = keys[j]!;
    const v = hllAt(c.ks(key), key, true);
    if (v === undefined) continue;
    const p = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
    if (p[4] === HLL_DENSE) dense = true;
    if (!hllMerge(max, p)) throw new CommandError(HLL_INVALID);
  }
  return dense;
}

/** PFADD key [element ...] — 1 when the key was created or a register changed. */
const pfadd = command({
  name: 'pfadd', arity: -2, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hyperloglog',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const v = hllAt(ks, key, false);
    let updated = 0;
    let buf: Buffer;
    if (v === undefined) {
      buf = createHll();
      ks.set(key, buf);
      updated++;
    } else buf = unshared(ks, key, v);
    if (buf[4] === HLL_DENSE) {
      // the hot path: registers change in place
      for (let j = 2; j < args.length; j++) {
        const count = hllPatLen(args[j]!);
        const reg = lastPatIndex();
        if (count > denseGet(buf, HLL_HDR_SIZE, reg)) {
          denseSetReg(buf, HLL_HDR_SIZE, reg, count);
          updated++;
        }
      }
    } else {
      const h = new HllBuffer(buf, sparseMaxBytes(c));
      let failed = false;
      for (let j = 2; j < args.length; j++) {
        const r = h.add(args[j]!);
        if (r === 1) updated++;
        else if (r === -1) {
          failed = true;
          break;
        }
      }
      if (h.buf !== buf) ks.replace(key, h.buf);
      buf = h.buf;
      if (failed) throw new CommandError(HLL_INVALID);
    }
    if (updated !== 0) {
      invalidateCache(buf);
      ks.modified(key, 'pfadd');
    }
    c.reply.int(updated !== 0 ? 1 : 0);
  },
});

/** Registers merged by the multi-key PFCOUNT and PFMERGE. */
const max = new Uint8Array(HLL_REGISTERS);

/**
 * PFCOUNT key [key ...] — one key: the cached cardinality, recomputed and
 * stored in the header when stale; several keys: the union's, keys untouched.
 */
const pfcount = command({
  name: 'pfcount', arity: -2, flags: ['readonly', 'may_replicate'], firstKey: 1, lastKey: -1, step: 1,
  group: 'hyperloglog',
  handler(c, args) {
    if (args.length > 2) {
      max.fill(0);
      mergeKeys(c, args, 1, max);
      return c.reply.int(rawCount(max));
    }
    const key = args[1]!;
    const ks = c.ks(key);
    const v = hllAt(ks, key, true);
    if (v === undefined) return c.reply.int(0);
    const buf = unshared(ks, key, v);
    const cached = cachedCard(buf);
    if (cached >= 0) {
      if (Number.isSafeInteger(cached)) return c.reply.int(cached);
      return c.reply.intText(cachedCardText(buf));
    }
    const card = hllCount(buf);
    if (card < 0) throw new CommandError(HLL_INVALID);
    setCachedCard(buf, card);
    // Redis signals the key (WATCH) and counts a change, but sends no keyspace notification
    ks.modified(key, 'pfcount');
    c.reply.int(card);
  },
});

/** PFMERGE destkey [sourcekey ...] — destkey takes part in the union; dense if any input is. */
const pfmerge = command({
  name: 'pfmerge', arity: -2, flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, step: 1,
  group: 'hyperloglog',
  handler(c, args) {
    max.fill(0);
    const useDense = mergeKeys(c, args, 1, max);
    const key = args[1]!;
    const ks = c.ks(key);
    const v = ks.get(key);
    let buf: Buffer;
    if (v === undefined) {
      buf = createHll();
      ks.set(key, buf);
    } else buf = unshared(ks, key, v as StringValue);
    const h = new HllBuffer(buf, sparseMaxBytes(c));
    if (useDense && !h.toDense()) throw new CommandError(HLL_INVALID);
    for (let j = 0; j < HLL_REGISTERS; j++) if (max[j] !== 0) h.set(j, max[j]!);
    if (h.buf !== buf) ks.replace(key, h.buf);
    invalidateCache(h.buf);
    // Redis sends a pfadd event: a merge is a mass add
    ks.modified(key, 'pfadd');
    c.reply.ok();
  },
});

/** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key */
const pfdebug = command({
  name: 'pfdebug', arity: 3, flags: ['write', 'denyoom', 'admin'], firstKey: 2, lastKey: 2, step: 1,
  group: 'hyperloglog',
  handler(c, args) {
    const sub = args[1]!;
    const key = args[2]!;
    const ks = c.ks(key);
    const v = hllAt(ks, key, false);
    if (v === undefined) throw new CommandError('ERR The specified key does not exist');
    let buf = unshared(ks, key, v);
    switch (sub.toLowerCase()) {
      case 'getreg': {
        if (buf[4] !== HLL_DENSE) {
          buf = toDense(ks, key, buf);
          ks.shard.stats.dirty++; // propagate the encoding change
        }
        c.reply.array(HLL_REGISTERS);
        for (let j = 0; j < HLL_REGISTERS; j++) c.reply.int(denseGet(buf, HLL_HDR_SIZE, j));
        return;
      }
      case 'decode':
        if (buf[4] === HLL_DENSE) throw new CommandError('ERR HLL encoding is not sparse');
        return c.reply.bulk(decodeSparse(buf));
      case 'encoding':
        return c.reply.simple(buf[4] === HLL_DENSE ? 'dense' : 'sparse');
      case 'todense': {
        if (buf[4] === HLL_DENSE) return c.reply.int(0);
        toDense(ks, key, buf);
        ks.shard.stats.dirty++;
        return c.reply.int(1);
      }
      default:
        throw new CommandError(`ERR Unknown PFDEBUG subcommand '${sub}'`);
    }
  },
});

/** The key's sparse HLL converted to dense in place; INVALIDOBJ when corrupted. */
function toDense(ks: Keyspace, key: string, buf: Buffer): Buffer {
  const h = new HllBuffer(buf, 0);
  if (!h.toDense()) throw new CommandError(HLL_INVALID);
  ks.replace(key, h.buf);
  return h.buf;
}

/**
 * Redis's pfselftestCommand: random register writes read back, then 10M
 * elements added to a dense and a sparse HLL whose counts must agree and stay
 * within 6 standard errors. Returns the error reply, or null when it passes.
 */
function pfselftest(maxSparse: number): string | null {
  const dense = Buffer.alloc(HLL_DENSE_SIZE);
  const bytes = new Uint8Array(HLL_REGISTERS);
  let rnd = (Math.random() * 0x7fffffff) | 0;
  for (let j = 0; j < 1000; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      rnd = (Math.imul(rnd, 1103515245) + 12345) | 0;
      const r = (rnd >>> 16) & 63;
      bytes[i] = r;
      denseSetReg(dense, HLL_HDR_SIZE, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const val = denseGet(dense, HLL_HDR_SIZE, i);
      if (val !== bytes[i]) return `ERR TESTFAILED Register ${i} should be ${bytes[i]} but is ${val}`;
    }
  }
  dense.fill(0);
  const o = new HllBuffer(createHll(), maxSparse);
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedHi = (Math.random() * 0x80000000) >>> 0;
  const seedLo = (Math.random() * 0x80000000) >>> 0;
  for (let j = 1; j <= 10000000; j++) {
    // ele = j ^ seed as 8 little-endian bytes; one hash serves both HLLs
    const reg = densePatAddWord(dense, seedHi, (j ^ seedLo) >>> 0);
    o.set(reg >>> 8, reg & 0xff);
    if (j !== checkpoint) continue;
    if (j < maxSparse / 2 && o.buf[4] !== HLL_SPARSE) return 'ERR TESTFAILED sparse encoding not used';
    const card = hllCount(dense);
    if (card !== hllCount(o.buf)) return 'ERR TESTFAILED dense/sparse disagree';
    const abserr = Math.abs(checkpoint - card);
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    if (abserr > maxerr) return `ERR TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}

/** PFSELFTEST — register access and estimator error checks (takes about a second, as in Redis). */
const pfselftestCmd = command({
  name: 'pfselftest', arity: 1, flags: ['admin'], firstKey: 0, lastKey: 0, step: 0,
  group: 'hyperloglog',
  handler(c) {
    const failure = pfselftest(sparseMaxBytes(c));
    if (failure !== null) throw new CommandError(failure);
    c.reply.ok();
  },
});

export const hyperloglogCommands: CommandSpec[] = [pfadd, pfcount, pfmerge, pfdebug, pfselftestCmd];
