/** Sorted set ranges: ZRANGE (all forms), ZRANGEBYSCORE/LEX, ZREV*, ZRANGESTORE, ZCOUNT, ZLEXCOUNT, ZREMRANGEBY*. */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { ZSetValue } from '../../datatypes/zset.ts';
import { isOpt, parseInteger } from '../core/parse.ts';
import type { LexRange, RangeOut, ScoreRange } from '../../datatypes/zrange-spec.ts';
import { isEmptyLexRange, isEmptyScoreRange, parseLexRange, parseScoreRange } from './zset-parse.ts';
import { clearRange, maxListpackEntries, rangeOut, replyRange, storeResult, zsetAddMany, zsetAt, zsetDropIfEmpty } from './zset-common.ts';
import type { Client } from '../../server/client.ts';

const RANK = 0, SCORE = 1, LEX = 2;
type By = typeof RANK | typeof SCORE | typeof LEX;

/** A parsed ZRANGE-family request (Redis's zrangeGenericCommand state). */
interface RangeSpec {
  by: By;
  rev: boolean;
  withScores: boolean;
  start: number;
  end: number;
  score: ScoreRange | null;
  lex: LexRange | null;
  offset: number;
  limit: number;
}

/**
 * Parses `key min max [options]` from args[keyIdx]; `by`/`rev` are null
 * when the command lets options choose them (ZRANGE, ZRANGESTORE). Errors
 * come in Redis's order: options, conflicts, then the range itself.
 */
function parseRangeArgs(args: string[], keyIdx: number, store: boolean, by0: By | null, rev0: boolean | null): RangeSpec {
  let by = by0;
  let rev = rev0;
  let withScores = false;
  let offset = 0;
  let limit = -1;
  for (let j = keyIdx + 3; j < args.length; j++) {
    const a = args[j]!;
    if (!store && isOpt(a, 'WITHSCORES')) withScores = true;
    else if (isOpt(a, 'LIMIT') && args.length - j - 1 >= 2) {
      offset = parseInteger(args[j + 1]!);
      limit = parseInteger(args[j + 2]!);
      j += 2;
    } else if (rev === null && isOpt(a, 'REV')) rev = true;
    else if (by === null && isOpt(a, 'BYLEX')) by = LEX;
    else if (by === null && isOpt(a, 'BYSCORE')) by = SCORE;
    else throw new CommandError(Err.SYNTAX);
  }
  if (by === null) by = RANK;
  if (rev === null) rev = false;
  if (limit !== -1 && by === RANK) throw new CommandError('ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX');
  if (withScores && by === LEX) throw new CommandError('ERR syntax error, WITHSCORES not supported in combination with BYLEX');
  let minArg = args[keyIdx + 1]!;
  let maxArg = args[keyIdx + 2]!;
  if (rev && by !== RANK) [minArg, maxArg] = [maxArg, minArg];
  const spec: RangeSpec = { by, rev, withScores, start: 0, end: 0, score: null, lex: null, offset, limit };
  if (by === RANK) {
    spec.start = parseInteger(minArg);
    spec.end = parseInteger(maxArg);
  } else if (by === SCORE) spec.score = parseScoreRange(minArg, maxArg);
  else spec.lex = parseLexRange(minArg, maxArg);
  return spec;
}

/** Appends the members of the range to `out`, in reply order (Redis's zrangeGenericCommand walks). */
function collect(z: ZSetValue, s: RangeSpec, out: RangeOut): void {
  const len = z.size();
  if (s.by === RANK) {
    let start = s.start;
    let end = s.end;
    if (start < 0) start = len + start;
    if (end < 0) end = len + end;
    if (start < 0) start = 0;
    if (start > end || start >= len) return;
    if (end >= len) end = len - 1;
    return z.rangeByRank(start, end, s.rev, out);
  }
  // a negative offset walks off the end in Redis: nothing
  if (s.offset < 0 || (s.offset > 0 && s.offset >= len)) return;
  if (s.by === SCORE) {
    if (!isEmptyScoreRange(s.score!)) z.rangeByScore(s.score!, s.rev, s.offset, s.limit, out);
  } else if (!isEmptyLexRange(s.lex!)) z.rangeByLex(s.lex!, s.rev, s.offset, s.limit, out);
}

/** ZRANGE-family reply from a parsed spec on `key`. */
function replyRangeSpec(c: Client, key: string, s: RangeSpec): void {
  const z = zsetAt(c.ks(key), key, true);
  if (z === undefined) return c.reply.array(0);
  collect(z, s, rangeOut);
  replyRange(c, rangeOut, s.withScores);
  clearRange();
}

function rangeCommand(name: string, by: By | null, rev: boolean | null): CommandSpec {
  return command({
    name, arity: -4, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1, group: 'sorted_set',
    handler(c, args) {
      replyRangeSpec(c, args[1]!, parseRangeArgs(args, 1, false, by, rev));
    },
  });
}

/** ZRANGESTORE dst src min max [BYSCORE | BYLEX] [REV] [LIMIT offset count] */
const zrangestore = command({
  name: 'zrangestore', arity: -5, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
  group: 'sorted_set',
  handler(c, args) {
    const s = parseRangeArgs(args, 2, true, null, null);
    const src = zsetAt(c.ks(args[2]!), args[2]!, true);
    const out = new ZSetValue();
    if (src !== undefined) {
      collect(src, s, rangeOut);
      const { members, scores } = rangeOut;
      // as Redis: a rank range longer than the listpack limit starts as a skiplist, others convert as they grow
      if (s.by === RANK && members.length > maxListpackEntries(c)) out.toBig();
      zsetAddMany(c, out, members, 0, 1, scores, members.length, 0); // one build
      clearRange();
    }
    storeResult(c, args[1]!, out, 'zrangestore');
  },
});

/** ZCOUNT key min max */
const zcount = command({
  name: 'zcount', arity: 4, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set',
  handler(c, args) {
    const r = parseScoreRange(args[2]!, args[3]!);
    const z = zsetAt(c.ks(args[1]!), args[1]!, true);
    if (z === undefined || isEmptyScoreRange(r)) return c.reply.int(0);
    c.reply.int(z.countByScore(r));
  },
});

/** ZLEXCOUNT key min max */
const zlexcount = command({
  name: 'zlexcount', arity: 4, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set',
  handler(c, args) {
    const r = parseLexRange(args[2]!, args[3]!);
    const z = zsetAt(c.ks(args[1]!), args[1]!, true);
    if (z === undefined || isEmptyLexRange(r)) return c.reply.int(0);
    c.reply.int(z.countByLex(r));
  },
});

/** ZREMRANGEBYRANK / ZREMRANGEBYSCORE / ZREMRANGEBYLEX key min max: parse, look up, delete by rank. */
function remRangeCommand(name: string, by: By): CommandSpec {
  return command({
    name, arity: 4, flags: ['write'], firstKey: 1, lastKey: 1, step: 1, group: 'sorted_set',
    handler(c, args) {
      let start = 0, end = 0;
      let score: ScoreRange | null = null;
      let lex: LexRange | null = null;
      if (by === RANK) {
        start = parseInteger(args[2]!);
        end = parseInteger(args[3]!);
      } else if (by === SCORE) score = parseScoreRange(args[2]!, args[3]!);
      else lex = parseLexRange(args[2]!, args[3]!);
      const key = args[1]!;
      const ks = c.ks(key);
      const z = zsetAt(ks, key);
      if (z === undefined) return c.reply.int(0);
      let deleted = 0;
      if (by === RANK) {
        const len = z.size();
        if (start < 0) start = len + start;
        if (end < 0) end = len + end;
        if (start < 0) start = 0;
        if (start > end || start >= len) return c.reply.int(0);
        if (end >= len) end = len - 1;
        deleted = z.deleteByRank(start, end);
      } else if (score !== null) {
        if (!isEmptyScoreRange(score)) deleted = z.deleteByScore(score);
      } else if (!isEmptyLexRange(lex!)) deleted = z.deleteByLex(lex!);
      if (deleted > 0) {
        ks.modified(key, name);
        zsetDropIfEmpty(ks, key, z);
      }
      c.reply.int(deleted);
    },
  });
}

export const zsetRangeCommands: CommandSpec[] = [
  /** ZRANGE key start stop [BYSCORE | BYLEX] [REV] [LIMIT offset count] [WITHSCORES] */
  rangeCommand('zrange', null, null),
  /** ZREVRANGE key start stop [WITHSCORES] */
  rangeCommand('zrevrange', RANK, true),
  /** ZRANGEBYSCORE key min max [WITHSCORES] [LIMIT offset count] */
  rangeCommand('zrangebyscore', SCORE, false),
  /** ZREVRANGEBYSCORE key max min [WITHSCORES] [LIMIT offset count] */
  rangeCommand('zrevrangebyscore', SCORE, true),
  /** ZRANGEBYLEX key min max [LIMIT offset count] */
  rangeCommand('zrangebylex', LEX, false),
  /** ZREVRANGEBYLEX key max min [LIMIT offset count] */
  rangeCommand('zrevrangebylex', LEX, true),
  zrangestore, zcount, zlexcount,
  /** ZREMRANGEBYRANK key start stop */
  remRangeCommand('zremrangebyrank', RANK),
  /** ZREMRANGEBYSCORE key min max */
  remRangeCommand('zremrangebyscore', SCORE),
  /** ZREMRANGEBYLEX key min max */
  remRangeCommand('zremrangebylex', LEX),
];
