/** Sorted set ranges: ZRANGE (all forms), ZRANGEBYSCORE/LEX, ZREV*, ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*. */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { ZSetValue } from '../datatypes/zset.ts';
import { isOpt, parseInteger } from './parse.ts';
import { lexGteMin, lexLteMax, gteMin, lteMax, type SkipNode } from '../datatypes/skiplist.ts';
import { isEmptyLexRange, isEmptyScoreRange, parseLexRange, parseScoreRange, replyMembers, zsetAt, zsetDropIfEmpty, zsetPut } from './zset-common.ts';
import type { Client } from '../server/client.ts';

type By = 'rank' | 'score' | 'lex';

interface RangeQuery {
  by: By;
  rev: boolean;
  /** For score/lex: the (min, max) arguments already swapped back for REV. */
  min: string;
  max: string;
  offset: number;
  count: number;
}

/** Runs a range query; returns [member, score] in reply order. */
export function rangeQuery(z: ZSetValue, q: RangeQuery): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const zsl = z.zsl;
  if (q.by === 'rank') {
    const len = zsl.length;
    let start = parseInteger(q.min);
    let end = parseInteger(q.max);
    if (start < 0) start = len + start;
    if (end < 0) end = len + end;
    if (start < 0) start = 0;
    if (start > end || start >= len) return out;
    if (end >= len) end = len - 1;
    let n: SkipNode | null = q.rev ? zsl.byRank(len - start) : zsl.byRank(start + 1);
    for (let i = start; i <= end && n; i++) {
      out.push([n.member, n.score]);
      n = q.rev ? n.backward : n.forward[0]!;
    }
    return out;
  }
  let offset = q.offset;
  let count = q.count;
  if (offset < 0) return out;
  if (q.by === 'score') {
    const r = parseScoreRange(q.min, q.max);
    if (isEmptyScoreRange(r)) return out;
    let n = q.rev ? zsl.lastInRange(r) : zsl.firstInRange(r);
    while (n && offset > 0) {
      n = q.rev ? n.backward : n.forward[0]!;
      offset--;
    }
    while (n && count !== 0) {
      if (q.rev ? !gteMin(n.score, r) : !lteMax(n.score, r)) break;
      out.push([n.member, n.score]);
      n = q.rev ? n.backward : n.forward[0]!;
      if (count > 0) count--;
    }
    return out;
  }
  const r = parseLexRange(q.min, q.max);
  if (isEmptyLexRange(r)) return out;
  let n = q.rev ? zsl.lastInLexRange(r) : zsl.firstInLexRange(r);
  while (n && offset > 0) {
    n = q.rev ? n.backward : n.forward[0]!;
    offset--;
  }
  while (n && count !== 0) {
    if (q.rev ? !lexGteMin(n.member, r) : !lexLteMax(n.member, r)) break;
    out.push([n.member, n.score]);
    n = q.rev ? n.backward : n.forward[0]!;
    if (count > 0) count--;
  }
  return out;
}

/**
 * Redis's zrangeGenericCommand option parsing. `args[from]`, `args[from+1]`
 * are start/stop (or min/max); options follow.
 */
function parseRange(args: string[], from: number, by0: By, rev0: boolean, allowWithScores: boolean, full: boolean): { q: RangeQuery; withScores: boolean } {
  let by = by0;
  let rev = rev0;
  let withScores = false;
  let offset = 0;
  let count = -1;
  let limit = false;
  for (let j = from + 2; j < args.length; j++) {
    const more = args.length - 1 - j;
    const a = args[j]!;
    if (allowWithScores && isOpt(a, 'WITHSCORES')) withScores = true;
    else if (isOpt(a, 'LIMIT') && more >= 2) {
      offset = parseInteger(args[j + 1]!);
      count = parseInteger(args[j + 2]!);
      limit = true;
      j += 2;
    } else if (full && isOpt(a, 'BYSCORE')) by = 'score';
    else if (full && isOpt(a, 'BYLEX')) by = 'lex';
    else if (full && isOpt(a, 'REV')) rev = true;
    else throw new CommandError(Err.SYNTAX);
  }
  if (limit && by === 'rank') throw new CommandError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withScores && by === 'lex') throw new CommandError('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  let min = args[from]!;
  let max = args[from + 1]!;
  if (rev && by !== 'rank') [min, max] = [max, min];
  return { q: { by, rev, min, max, offset, count }, withScores };
}

function rangeCommand(name: string, by: By, rev: boolean, since: string, summary: string, full = false): CommandSpec {
  return command({
    name, arity: -4, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
    group: 'sorted_set', since, summary, complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned.',
    handler(c, args) {
      const { q, withScores } = parseRange(args, 2, by, rev, true, full);
      const z = zsetAt(c.ks(args[1]!), args[1]!, true);
      if (!z) {
        // still validate the range arguments, as Redis does
        rangeQuery(new ZSetValue(), q);
        return c.reply.array(0);
      }
      replyMembers(c, rangeQuery(z, q), withScores);
    },
  });
}

/** ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count] */
const zrangestore = command({
  name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
  group: 'sorted_set', since: '6.2.0', summary: 'Stores a range of members from sorted set in a key.', complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key.',
  handler(c, args) {
    const { q } = parseRange(args, 3, 'rank', false, false, true);
    const z = zsetAt(c.ks(args[2]!), args[2]!);
    const items = rangeQuery(z ?? new ZSetValue(), q);
    const dst = args[1]!;
    const dks = c.ks(dst);
    if (items.length === 0) {
      if (dks.delete(dst)) dks.modified(dst, 'del');
      return c.reply.int(0);
    }
    const out = new ZSetValue();
    for (const [m, s] of items) zsetPut(c, out, m, s);
    dks.set(dst, out);
    dks.modified(dst, 'zrangestore');
    c.reply.int(items.length);
  },
});

function countCommand(name: string, lex: boolean, since: string, summary: string): CommandSpec {
  return command({
    name, arity: 4, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'sorted_set', since, summary, complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    handler(c, args) {
      const q: RangeQuery = { by: lex ? 'lex' : 'score', rev: false, min: args[2]!, max: args[3]!, offset: 0, count: -1 };
      if (lex) parseLexRange(q.min, q.max);
      else parseScoreRange(q.min, q.max);
      const z = zsetAt(c.ks(args[1]!), args[1]!, true);
      if (!z) return c.reply.int(0);
      const items = rangeQuery(z, q);
      c.reply.int(items.length);
    },
  });
}

function remRangeCommand(name: string, by: By, since: string, summary: string): CommandSpec {
  return command({
    name, arity: 4, flags: ['write'], firstKey: 1, lastKey: 1, step: 1,
    group: 'sorted_set', since, summary, complexity: 'O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation.',
    handler(c, args) {
      const q: RangeQuery = { by, rev: false, min: args[2]!, max: args[3]!, offset: 0, count: -1 };
      if (by === 'score') parseScoreRange(q.min, q.max);
      else if (by === 'lex') parseLexRange(q.min, q.max);
      else {
        parseInteger(q.min);
        parseInteger(q.max);
      }
      const key = args[1]!;
      const ks = c.ks(key);
      const z = zsetAt(ks, key);
      if (!z) return c.reply.int(0);
      const items = rangeQuery(z, q);
      for (const [m] of items) z.delete(m);
      if (items.length > 0) {
        ks.modified(key, name);
        zsetDropIfEmpty(ks, key, z);
      }
      c.reply.int(items.length);
    },
  });
}

export const zsetRangeCommands: CommandSpec[] = [
  rangeCommand('zrange', 'rank', false, '1.2.0', 'Returns members in a sorted set within a range of indexes.', true),
  rangeCommand('zrevrange', 'rank', true, '1.2.0', 'Returns members in a sorted set within a range of indexes in reverse order.'),
  rangeCommand('zrangebyscore', 'score', false, '1.0.5', 'Returns members in a sorted set within a range of scores.'),
  rangeCommand('zrevrangebyscore', 'score', true, '2.2.0', 'Returns members in a sorted set within a range of scores in reverse order.'),
  rangeCommand('zrangebylex', 'lex', false, '2.8.9', 'Returns members in a sorted set within a lexicographical range.'),
  rangeCommand('zrevrangebylex', 'lex', true, '2.8.9', 'Returns members in a sorted set within a lexicographical range in reverse order.'),
  zrangestore,
  countCommand('zcount', false, '2.0.0', 'Returns the count of members in a sorted set that have scores within a range.'),
  countCommand('zlexcount', true, '2.8.9', 'Returns the number of members in a sorted set within a lexicographical range.'),
  remRangeCommand('zremrangebyrank', 'rank', '2.0.0', 'Removes members in a sorted set within a range of indexes. Deletes the sorted set if all members were removed.'),
  remRangeCommand('zremrangebyscore', 'score', '1.2.0', 'Removes members in a sorted set within a range of scores. Deletes the sorted set if all members were removed.'),
  remRangeCommand('zremrangebylex', 'lex', '2.8.9', 'Removes members in a sorted set within a lexicographical range. Deletes the sorted set if all members were removed.'),
];

export type { Client };
