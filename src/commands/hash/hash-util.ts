/**
 * What the hash commands share: looking a hash up, its listpack limits, the
 * FIELDS numfields … block of the 7.4 field-expiration commands, their
 * expiry times, and field expiry as a command meets it.
 */
import { CommandError, Err } from '../core/errors.ts';
import { HashValue } from '../../datatypes/hash.ts';
import { parseInt64OrNull } from '../core/parse.ts';
import { getConfigNumber, type Config } from '../../config/config.ts';
import { invalidExpire } from '../keys/expire-args.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import type { Client } from '../../server/client.ts';

/** The hash at `key` for a write, or undefined; WRONGTYPE for another type. */
export function hashAt(ks: Keyspace, key: string): HashValue | undefined {
  const v = ks.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof HashValue)) throw new CommandError(Err.WRONGTYPE);
  return v;
}

/** The hash at `key` for a read command (counts keyspace hits/misses). */
export function hashRead(c: Client, key: string): HashValue | undefined {
  const v = c.ks(key).lookupRead(key);
  if (v === undefined) return undefined;
  if (!(v instanceof HashValue)) throw new CommandError(Err.WRONGTYPE);
  return v;
}

/** Redis's hashTypeLookupWriteOrCreate. */
export function hashForWrite(ks: Keyspace, key: string): HashValue {
  let h = hashAt(ks, key);
  if (h === undefined) {
    h = new HashValue();
    ks.set(key, h);
  }
  return h;
}

export function maxEntries(cfg: Config): number {
  return getConfigNumber(cfg, 'hash-max-listpack-entries', 128);
}

export function maxValue(cfg: Config): number {
  return getConfigNumber(cfg, 'hash-max-listpack-value', 64);
}

/** Deletes an emptied hash ('del' event, as Redis). */
export function dropIfEmpty(ks: Keyspace, key: string, h: HashValue): void {
  if (h.size() === 0) {
    ks.delete(key);
    ks.modified(key, 'del');
  }
}

/**
 * Whether `field` reads as gone for its TTL (hashTypeGetValue's lazy
 * expiry). A primary's command on a replica sees it live; on a replica or
 * under CLIENT PAUSE it reads as gone and stays; otherwise it is deleted
 * now, or (when `later` is given) collected there for one
 * Keyspace.expireFields at the end of the command.
 */
export function fieldGone(ks: Keyspace, key: string, h: HashValue, field: string, later?: string[]): boolean {
  const sh = ks.shard;
  if (!h.isFieldExpired(field, sh.now())) return false;
  if (sh.expiryIgnored) return false;
  if (sh.expiryPaused) return true;
  if (later !== undefined) later.push(field);
  else ks.expireFields(key, [field]);
  return true;
}

/**
 * Deletes every field whose TTL passed (hashTypeExpireIfNeeded, before
 * HRANDFIELD): the hash as it is then (`h` when nothing expired), or
 * undefined when that took it all.
 */
export function expireDueFields(ks: Keyspace, key: string, h: HashValue): HashValue | undefined {
  const sh = ks.shard;
  if (sh.expiryIgnored || sh.expiryPaused) return h;
  const due = h.expiredFields(sh.now());
  if (due.length === 0) return h;
  if (ks.expireFields(key, due)) return undefined;
  return ks.owned(key) as HashValue;
}

/** The largest absolute field expiry in ms (HFE_MAX_ABS_TIME_MSEC: EB_EXPIRE_TIME_MAX >> 2). */
export const HFE_MAX_MS = 2 ** 46 - 1;

/**
 * An absolute field expiry in ms from `arg` (parseExpireTime of t_hash.c):
 * seconds when `seconds`, relative when basetime is not 0.
 */
export function fieldExpireTime(arg: string, seconds: boolean, basetime: number, name: string): number {
  let n = parseInt64OrNull(arg);
  if (n === null) throw new CommandError(Err.NOT_INTEGER);
  if (n < 0) throw new CommandError('ERR invalid expire time, must be >= 0');
  if (seconds) {
    if (n > Math.floor(HFE_MAX_MS / 1000)) throw invalidExpire(name);
    n *= 1000;
  }
  if (n > HFE_MAX_MS - basetime) throw invalidExpire(name);
  return n + basetime;
}

/**
 * The FIELDS numfields field … block at args[at - 1]: the index of the
 * first field, with Redis's errors (the count's message differs by command).
 */
export function fieldsBlock(args: readonly string[], at: number, countError: string): number {
  const kw = args[at - 1];
  if (kw === undefined || kw.toUpperCase() !== 'FIELDS') throw new CommandError('ERR Mandatory argument FIELDS is missing or not at the right position');
  const n = parseInt64OrNull(args[at]!);
  // getRangeLongFromObjectOrReply: the command's message for a non-number too
  if (n === null || n < 1) throw new CommandError(`ERR ${countError}`);
  if (n !== args.length - at - 1) throw new CommandError('ERR The `numfields` parameter must match the number of arguments');
  return at + 1;
}

/**
 * Streams several writes of one command: all but the last now, the last
 * through c.propagate (sent by the dispatcher once it sees the write), as
 * Redis's alsoPropagate of HDELs before the rewritten command; more than
 * one are wrapped in MULTI / EXEC as Redis wraps an execution unit's
 * (unless the command runs inside EXEC or a script, which wrap it already).
 */
export function propagateAll(c: Client, vecs: string[][]): void {
  if (vecs.length === 0) return;
  const repl = c.server.replication;
  c.propagate = null;
  const wrap = vecs.length > 1 && c.ext.txPropagate === undefined;
  if (repl.active) {
    if (wrap) repl.propagate(c, ['MULTI']);
    for (let i = 0; i < vecs.length - (wrap ? 0 : 1); i++) repl.propagate(c, vecs[i]!);
  }
  c.propagate = wrap ? ['EXEC'] : vecs[vecs.length - 1]!;
}
