/** Helpers shared by the sorted set commands: lookup, encoding limits, key deletion, replies. */
import { CommandError, Err } from '../core/errors.ts';
import { ZSetValue } from '../../datatypes/zset.ts';
import { getConfigNumber } from '../../config/config.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import type { Client } from '../../server/client.ts';
import type { RangeOut } from '../../datatypes/zrange-spec.ts';

/** The zset at `key` (undefined when missing) or WRONGTYPE; `read` counts keyspace hits/misses. */
export function zsetAt(ks: Keyspace, key: string, read = false): ZSetValue | undefined {
  const v = read ? ks.lookupRead(key) : ks.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof ZSetValue)) throw new CommandError(Err.WRONGTYPE);
  return v;
}

export function maxListpackEntries(c: Client): number {
  return getConfigNumber(c.server.config, 'zset-max-listpack-entries', 128);
}

export function maxListpackValue(c: Client): number {
  return getConfigNumber(c.server.config, 'zset-max-listpack-value', 64);
}

/** ZSetValue.zadd with the server's listpack limits (Redis's zsetAdd). */
export function zsetAdd(c: Client, z: ZSetValue, member: string, score: number, flags: number): number {
  if (z.big) return z.zadd(member, score, flags, Infinity, Infinity);
  return z.zadd(member, score, flags, maxListpackEntries(c), maxListpackValue(c));
}

/**
 * ZSetValue.zaddMany with the server's listpack limits: zsetAdd of n pairs
 * (members[from + i * step], scores[i]) in turn, a packed set rebuilt once.
 * The counts go to zaddCounts.
 */
export function zsetAddMany(c: Client, z: ZSetValue, members: readonly string[], from: number, step: number, scores: readonly number[], n: number, flags: number): void {
  if (z.big) z.zaddMany(members, from, step, scores, n, flags, Infinity, Infinity);
  else z.zaddMany(members, from, step, scores, n, flags, maxListpackEntries(c), maxListpackValue(c));
}

/** Deletes the key when the zset is empty, emitting 'del'. */
export function zsetDropIfEmpty(ks: Keyspace, key: string, z: ZSetValue): void {
  if (z.size() === 0) {
    ks.delete(key);
    ks.modified(key, 'del');
  }
}

/**
 * Stores a computed result at `dst` (ZUNIONSTORE, ZRANGESTORE…) with the
 * `event` notification, or deletes `dst` when the result is empty. Replies
 * with the result's size.
 */
export function storeResult(c: Client, dst: string, z: ZSetValue, event: string): void {
  const ks = c.ks(dst);
  const n = z.size();
  if (n === 0) {
    if (ks.delete(dst)) ks.modified(dst, 'del');
    c.reply.int(0);
    return;
  }
  ks.set(dst, z);
  ks.modified(dst, event);
  c.reply.int(n);
}

/**
 * Reply header for `n` members: with scores, RESP2 flattens member/score
 * pairs and RESP3 nests them (then each pair needs `pairHeader`).
 */
export function membersHeader(c: Client, n: number, withScores: boolean): void {
  c.reply.array(withScores && c.resp === 2 ? n * 2 : n);
}

/** Writes one member (and score) after `membersHeader`. */
export function memberReply(c: Client, member: string, score: number, withScores: boolean): void {
  const r = c.reply;
  if (withScores) {
    if (c.resp === 3) r.array(2);
    r.bulk(member);
    r.double(score);
  } else {
    r.bulk(member);
  }
}

/** Writes the members (and scores) of a range result (flat in RESP2, pairs in RESP3 with scores). */
export function replyRange(c: Client, out: RangeOut, withScores: boolean): void {
  const n = out.members.length;
  membersHeader(c, n, withScores);
  for (let i = 0; i < n; i++) memberReply(c, out.members[i]!, out.scores[i]!, withScores);
}

/** A scratch range result for a command to fill and reply (handlers never nest); emptied by clearRange. */
export const rangeOut: RangeOut = { members: [], scores: [] };

/** Empties rangeOut (after replying from it), letting its strings go. */
export function clearRange(): void {
  rangeOut.members.length = 0;
  rangeOut.scores.length = 0;
}
