/** Helpers shared by the list commands (list.ts) and the moving / blocking ones (list-blocking.ts). */
import { CommandError, Err } from '../core/errors.ts';
import { ListValue } from '../../datatypes/list.ts';
import { isOpt, parseRange } from '../core/parse.ts';
import type { Client } from '../../server/client.ts';
import type { ReplyWriter } from '../../protocol/reply-writer.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import { getConfigNumber } from '../../config/config.ts';

/** list-max-listpack-size: how full the list nodes that pushes and edits make get. */
export function listFill(c: Client): number {
  return getConfigNumber(c.server.config, 'list-max-listpack-size', -2);
}

/** The list at key for a write, undefined when missing; WRONGTYPE for other types. */
export function listAt(ks: Keyspace, key: string): ListValue | undefined {
  const v = ks.get(key);
  if (v === undefined || v instanceof ListValue) return v;
  throw new CommandError(Err.WRONGTYPE);
}

/** The list at key for a read command (counts keyspace hits/misses). */
export function listForRead(ks: Keyspace, key: string): ListValue | undefined {
  const v = ks.lookupRead(key);
  if (v === undefined || v instanceof ListValue) return v;
  throw new CommandError(Err.WRONGTYPE);
}

/**
 * Writes chars d..d+len of s as a bulk string (what ReplyWriter.bulk does
 * for a whole string): LRANGE sends elements straight from the list's
 * nodes, with no string made for each.
 */
export function bulkFrom(r: ReplyWriter, s: string, d: number, len: number): void {
  r.ensure(len + 24);
  const b = r.buf;
  let at = r.len;
  b[at++] = 36; /* '$' */
  if (len < 10) b[at++] = 48 + len;
  else at += b.latin1Write(String(len), at);
  b[at++] = 13;
  b[at++] = 10;
  if (len <= 32) for (let i = d, end = d + len; i < end; i++) b[at++] = s.charCodeAt(i);
  else at += b.latin1Write(d === 0 && len === s.length ? s : s.slice(d, d + len), at, len);
  b[at++] = 13;
  b[at++] = 10;
  r.len = at;
}

/** After elements were removed: the event, then the key's deletion if the list is empty (listElementsRemoved). */
export function afterRemove(ks: Keyspace, key: string, l: ListValue, event: string): void {
  ks.modified(key, event);
  if (l.length === 0) {
    // counted with the removal, as Redis's dirty count
    ks.delete(key);
    ks.modified(key, 'del', 0);
  }
}

/** Redis-style start/end (negative from the tail) clamped to the list; null when the range is empty. */
export function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

/** LEFT → true, RIGHT → false (getListPositionFromObjectOrReply). */
export function parseWhere(s: string): boolean {
  if (isOpt(s, 'LEFT')) return true;
  if (isOpt(s, 'RIGHT')) return false;
  throw new CommandError(Err.SYNTAX);
}

/** Pops `n` (≤ length) elements from one end, writing them as bulk strings (no array header). */
export function popInto(c: Client, l: ListValue, left: boolean, n: number): void {
  const r = c.reply;
  if (n === 1) return r.bulk((left ? l.popLeft() : l.popRight())!);
  const items = l.popMany(left, n);
  for (let i = 0; i < n; i++) r.bulk(items[i]!);
}

/**
 * LMOVE's core (lmoveGenericCommand): pops from src and pushes to dst;
 * returns the element, or null when src does not exist. A destination of
 * another type fails before anything moves. Events as Redis: the push on
 * dst, then the pop on src, then its deletion when emptied.
 */
export function moveElement(c: Client, src: string, dst: string, fromLeft: boolean, toLeft: boolean): string | null {
  const sks = c.ks(src);
  const sl = listAt(sks, src);
  if (sl === undefined) return null;
  const dks = c.ks(dst);
  let dl = listAt(dks, dst);
  const el = (fromLeft ? sl.popLeft() : sl.popRight())!;
  if (dl === undefined) {
    dl = new ListValue();
    dks.set(dst, dl);
  }
  if (toLeft) dl.pushLeft(el, listFill(c));
  else dl.pushRight(el, listFill(c));
  // one change for Redis's dirty count (lmoveGenericCommand's server.dirty++)
  dks.modified(dst, toLeft ? 'lpush' : 'rpush');
  sks.modified(src, fromLeft ? 'lpop' : 'rpop', 0);
  if (sl.length === 0) {
    sks.delete(src);
    sks.modified(src, 'del', 0);
  }
  return el;
}

export interface MpopArgs {
  keys: string[];
  left: boolean;
  count: number;
}

/** Parses `numkeys key... LEFT|RIGHT [COUNT n]` from args[from] (LMPOP, BLMPOP), in Redis's order of checks. */
export function parseMpop(args: readonly string[], from: number): MpopArgs {
  const numkeys = parseRange(args[from]!, 1, Infinity, 'ERR numkeys should be greater than 0');
  const whereAt = from + numkeys + 1;
  if (whereAt >= args.length) throw new CommandError(Err.SYNTAX);
  const left = parseWhere(args[whereAt]!);
  let count = -1;
  for (let j = whereAt + 1; j < args.length; j++) {
    if (count === -1 && isOpt(args[j]!, 'COUNT') && j < args.length - 1) {
      count = parseRange(args[++j]!, 1, Infinity, 'ERR count should be greater than 0');
    } else throw new CommandError(Err.SYNTAX);
  }
  return { keys: args.slice(from + 1, whereAt), left, count: count === -1 ? 1 : count };
}

/**
 * Pops up to `count` elements from the list at key and replies
 * [key, [elements]] (listPopRangeAndReplyWithKey); false when there is no
 * list there. Leaves `LPOP|RPOP key n` for replication in c.propagate.
 */
export function mpopFrom(c: Client, key: string, left: boolean, count: number): boolean {
  const ks = c.ks(key);
  const l = listAt(ks, key);
  if (l === undefined || l.length === 0) return false;
  const n = Math.min(count, l.length);
  c.reply.array(2);
  c.reply.bulk(key);
  c.reply.array(n);
  popInto(c, l, left, n);
  afterRemove(ks, key, l, left ? 'lpop' : 'rpop');
  c.propagate = [left ? 'LPOP' : 'RPOP', key, String(n)];
  return true;
}
