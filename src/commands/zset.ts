/** Sorted set family: ZADD, scores, ranks, pops (blocking too), random picks, ZSCAN. */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { ZSetValue } from '../datatypes/zset.ts';
import { isOpt, parseInteger, parseRange } from './parse.ts';
import { parseScanArgs } from './scan-args.ts';
import { scanStep, writeScanReply } from './scan.ts';
import { globMatch } from '../datatypes/glob.ts';
import { sampleDistinct, sampleWithRepeats } from '../datatypes/random.ts';
import { CursorTable } from '../engine/cursors.ts';
import { parseTimeout } from '../engine/blocking.ts';
import { formatDouble } from '../protocol/format.ts';
import { parseScore, replyMembers, zsetAt, zsetDropIfEmpty, zsetPut } from './zset-common.ts';
import { zsetRangeCommands } from './zset-range.ts';
import { zsetAlgebraCommands } from './zset-algebra.ts';
import { serveOrBlock } from './list-blocking.ts';
import { numkeysPositions } from './numkeys.ts';
import { positiveCount } from './list.ts';
import type { Client } from '../server/client.ts';

const NX = 1, XX = 2, GT = 4, LT = 8, CH = 16, INCR = 32;

/** Redis's zaddGenericCommand; `forceIncr` for ZINCRBY. */
function zaddGeneric(c: Client, args: string[], forceIncr: boolean): void {
  let flags = forceIncr ? INCR : 0;
  let idx = 2;
  if (!forceIncr) {
    for (; idx < args.length; idx++) {
      const o = args[idx]!.toUpperCase();
      if (o === 'NX') flags |= NX;
      else if (o === 'XX') flags |= XX;
      else if (o === 'GT') flags |= GT;
      else if (o === 'LT') flags |= LT;
      else if (o === 'CH') flags |= CH;
      else if (o === 'INCR') flags |= INCR;
      else break;
    }
  }
  const elements = args.length - idx;
  if (elements % 2 !== 0 || elements === 0) throw new CommandError(Err.SYNTAX);
  if (flags & NX && flags & XX) throw new CommandError('ERR XX and NX options at the same time are not compatible');
  if ((flags & GT && flags & NX) || (flags & LT && flags & NX) || (flags & GT && flags & LT)) {
    throw new CommandError('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if (flags & INCR && elements > 2) throw new CommandError('ERR INCR option supports a single increment-element pair');
  const scores: number[] = [];
  for (let j = idx; j < args.length; j += 2) scores.push(parseScore(args[j]!));
  const key = args[1]!;
  const ks = c.ks(key);
  let z = zsetAt(ks, key);
  let added = 0;
  let updated = 0;
  let processed = 0;
  let lastScore = 0;
  if (z === undefined && !(flags & XX)) {
    z = new ZSetValue();
    ks.set(key, z);
  }
  if (z !== undefined) {
    for (let i = 0; i < scores.length; i++) {
      const member = args[idx + i * 2 + 1]!;
      let score = scores[i]!;
      const cur = z.score(member);
      if (cur !== undefined) {
        if (flags & NX) continue;
        if (flags & INCR) {
          score += cur;
          if (Number.isNaN(score)) {
            zsetDropIfEmpty(ks, key, z);
            throw new CommandError('ERR resulting score is not a number (NaN)');
          }
        }
        if ((flags & GT && score <= cur) || (flags & LT && score >= cur)) continue;
        lastScore = score;
        processed++;
        if (score !== cur) {
          zsetPut(c, z, member, score);
          updated++;
        }
      } else {
        if (flags & XX) continue;
        zsetPut(c, z, member, score);
        lastScore = score;
        added++;
        processed++;
      }
    }
    if (added + updated > 0) ks.modified(key, flags & INCR ? 'zincr' : 'zadd');
    else zsetDropIfEmpty(ks, key, z);
  }
  if (flags & INCR) {
    if (processed) c.reply.double(lastScore);
    else c.reply.nullBulk();
  } else {
    c.reply.int(added + (flags & CH ? updated : 0));
  }
}

/** ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...] */
const zadd = command({
  name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set', since: '1.2.0', summary: 'Adds one or more members to a sorted set, or updates their scores. Creates the key if it doesn\'t exist.', complexity: 'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
  handler(c, args) {
    zaddGeneric(c, args, false);
  },
});

/** ZINCRBY key increment member */
const zincrby = command({
  name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set', since: '1.2.0', summary: 'Increments the score of a member in a sorted set.', complexity: 'O(log(N)) where N is the number of elements in the sorted set.',
  handler(c, args) {
    zaddGeneric(c, args, true);
  },
});

/** ZREM key member [member ...] */
const zrem = command({
  name: 'zrem', arity: -3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set', since: '1.2.0', summary: 'Removes one or more members from a sorted set. Deletes the sorted set if all members were removed.', complexity: 'O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed.',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const z = zsetAt(ks, key);
    if (!z) return c.reply.int(0);
    let n = 0;
    for (let i = 2; i < args.length; i++) if (z.delete(args[i]!)) n++;
    if (n) {
      ks.modified(key, 'zrem');
      zsetDropIfEmpty(ks, key, z);
    }
    c.reply.int(n);
  },
});

/** ZCARD key */
const zcard = command({
  name: 'zcard', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set', since: '1.2.0', summary: 'Returns the number of members in a sorted set.', complexity: 'O(1)',
  handler(c, args) {
    c.reply.int(zsetAt(c.ks(args[1]!), args[1]!, true)?.size() ?? 0);
  },
});

/** ZSCORE key member */
const zscore = command({
  name: 'zscore', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set', since: '1.2.0', summary: 'Returns the score of a member in a sorted set.', complexity: 'O(1)',
  handler(c, args) {
    const s = zsetAt(c.ks(args[1]!), args[1]!, true)?.score(args[2]!);
    if (s === undefined) c.reply.nullBulk();
    else c.reply.double(s);
  },
});

/** ZMSCORE key member [member ...] */
const zmscore = command({
  name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set', since: '6.2.0', summary: 'Returns the score of one or more members in a sorted set.', complexity: 'O(N) where N is the number of members being requested.',
  handler(c, args) {
    const z = zsetAt(c.ks(args[1]!), args[1]!, true);
    c.reply.array(args.length - 2);
    for (let i = 2; i < args.length; i++) {
      const s = z?.score(args[i]!);
      if (s === undefined) c.reply.nullBulk();
      else c.reply.double(s);
    }
  },
});

function rankCommand(name: string, rev: boolean, summary: string): CommandSpec {
  return command({
    name, arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'sorted_set', since: rev ? '2.0.0' : '2.0.0', summary, complexity: 'O(log(N))',
    handler(c, args) {
      const z = zsetAt(c.ks(args[1]!), args[1]!, true);
      const s = z?.score(args[2]!);
      if (z === undefined || s === undefined) return c.reply.nullBulk();
      const r = z.zsl.rank(s, args[2]!);
      c.reply.int(rev ? z.size() - r : r - 1);
    },
  });
}

/**
 * Pops from the first non-empty zset of `keys` (Redis's genericZpopCommand).
 * Returns false when every key was missing (nothing written).
 */
function zpop(c: Client, keys: readonly string[], max: boolean, emitKey: boolean, count: number, nested: boolean): boolean {
  for (const key of keys) {
    const ks = c.ks(key);
    const z = zsetAt(ks, key);
    if (!z) continue;
    if (count === 0) {
      c.reply.array(0);
      return true;
    }
    const n = Math.min(count < 0 ? 1 : count, z.size());
    const r = c.reply;
    if (!nested && !emitKey) r.array(n * 2);
    else if (nested && !emitKey) r.array(n);
    else if (!nested && emitKey) {
      r.array(n * 2 + 1);
      r.bulk(key);
    } else {
      r.array(2);
      r.bulk(key);
      r.array(n);
    }
    for (let i = 0; i < n; i++) {
      const node = max ? z.zsl.tail! : z.zsl.first()!;
      const m = node.member;
      const s = node.score;
      z.delete(m);
      if (nested) r.array(2);
      r.bulk(m);
      r.double(s);
    }
    ks.modified(key, max ? 'zpopmax' : 'zpopmin');
    zsetDropIfEmpty(ks, key, z);
    return true;
  }
  return false;
}

function popCommand(name: string, max: boolean, summary: string): CommandSpec {
  return command({
    name, arity: -2, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'sorted_set', since: '5.0.0', summary, complexity: 'O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped.',
    handler(c, args) {
      if (args.length > 3) throw new CommandError(Err.SYNTAX);
      const count = args.length === 3 ? positiveCount(args[2]!) : -1;
      if (!zpop(c, [args[1]!], max, false, count, c.resp === 3 && count !== -1)) c.reply.array(0);
    },
  });
}

function bpopCommand(name: string, max: boolean, summary: string): CommandSpec {
  return command({
    name, arity: -3, flags: ['write', 'noscript', 'blocking', 'fast'], firstKey: 1, lastKey: -2, step: 1,
    group: 'sorted_set', since: '5.0.0', summary, complexity: 'O(log(N)) with N being the number of elements in the sorted set.',
    handler(c, args) {
      const timeout = parseTimeout(args[args.length - 1]!);
      const keys = args.slice(1, -1);
      return serveOrBlock(c, keys, timeout, (key) => {
        const z = zsetAt(c.ks(key), key);
        if (!z || z.size() === 0) return false;
        return zpop(c, [key], max, true, -1, false);
      });
    },
  });
}

interface ZmpopArgs {
  keys: string[];
  max: boolean;
  count: number;
}

function parseZmpop(args: string[], from: number): ZmpopArgs {
  const numkeys = parseRange(args[from]!, 1, Number.MAX_SAFE_INTEGER, 'ERR numkeys should be greater than 0');
  const whereIdx = from + numkeys + 1;
  if (whereIdx >= args.length) throw new CommandError(Err.SYNTAX);
  let max: boolean;
  if (isOpt(args[whereIdx]!, 'MIN')) max = false;
  else if (isOpt(args[whereIdx]!, 'MAX')) max = true;
  else throw new CommandError(Err.SYNTAX);
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    if (count === -1 && isOpt(args[j]!, 'COUNT') && j < args.length - 1) {
      count = parseRange(args[++j]!, 1, Number.MAX_SAFE_INTEGER, 'ERR count should be greater than 0');
    } else throw new CommandError(Err.SYNTAX);
  }
  return { keys: args.slice(from + 1, whereIdx), max, count: count === -1 ? 1 : count };
}

/** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] */
const zmpop = command({
  name: 'zmpop', arity: -4, flags: ['write', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'sorted_set', since: '7.0.0', summary: 'Returns the highest- or lowest-scoring members from one or more sorted sets after removing them. Deletes the sorted set if the last member was popped.', complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
  keys: numkeysPositions(1),
  handler(c, args) {
    const o = parseZmpop(args, 1);
    if (!zpop(c, o.keys, o.max, true, o.count, true)) c.reply.nullArray();
  },
});

/** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
const bzmpop = command({
  name: 'bzmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'sorted_set', since: '7.0.0', summary: 'Removes and returns a member by score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.', complexity: 'O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped.',
  keys: numkeysPositions(2),
  handler(c, args) {
    const timeout = parseTimeout(args[1]!);
    const o = parseZmpop(args, 2);
    return serveOrBlock(c, o.keys, timeout, (key) => {
      const z = zsetAt(c.ks(key), key);
      if (!z || z.size() === 0) return false;
      return zpop(c, [key], o.max, true, o.count, true);
    });
  },
});

/** ZRANDMEMBER key [count [WITHSCORES]] */
const zrandmember = command({
  name: 'zrandmember', arity: -2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set', since: '6.2.0', summary: 'Returns one or more random members from a sorted set.', complexity: 'O(N) where N is the number of members returned',
  handler(c, args) {
    const z = zsetAt(c.ks(args[1]!), args[1]!, true);
    if (args.length === 2) {
      if (!z) return c.reply.nullBulk();
      const n = z.zsl.byRank(1 + Math.floor(Math.random() * z.size()))!;
      return c.reply.bulk(n.member);
    }
    let withScores = false;
    if (args.length === 4 && isOpt(args[3]!, 'WITHSCORES')) withScores = true;
    else if (args.length > 3) throw new CommandError(Err.SYNTAX);
    const count = parseInteger(args[2]!);
    if (count < -4611686018427387903 || (withScores && count < -2305843009213693951)) throw new CommandError('ERR value is out of range');
    if (!z || count === 0) return c.reply.array(0);
    const members = [...z.dict.keys()];
    const picked = count > 0 ? sampleDistinct(members, Math.min(count, members.length)) : sampleWithRepeats(members, -count);
    replyMembers(c, picked.map((m) => [m, z.score(m)!] as const), withScores);
  },
});

const zscanCursors = new WeakMap<ZSetValue, CursorTable<[string, number]>>();

/** ZSCAN key cursor [MATCH pattern] [COUNT count] */
const zscan = command({
  name: 'zscan', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set', since: '2.8.0', summary: 'Iterates over members and scores of a sorted set.', complexity: 'O(1) for every call. O(N) for a complete iteration.',
  handler(c, args) {
    const o = parseScanArgs(args, 2, false);
    const z = zsetAt(c.ks(args[1]!), args[1]!, true);
    if (!z) return writeScanReply(c.reply, 0, []);
    let table = zscanCursors.get(z);
    if (!table) zscanCursors.set(z, (table = new CursorTable()));
    const visited: Array<[string, number]> = [];
    const next = scanStep(table, o.cursor, () => z.dict.entries(), z.big ? o.count : Infinity, visited);
    const out: string[] = [];
    for (const [m] of visited) {
      const s = z.score(m);
      if (s === undefined || (o.match !== null && !globMatch(o.match, m))) continue;
      out.push(m, formatDouble(s));
    }
    writeScanReply(c.reply, next, out);
  },
});

export const zsetCommands: CommandSpec[] = [
  zadd, zincrby, zrem, zcard, zscore, zmscore,
  rankCommand('zrank', false, 'Returns the index of a member in a sorted set ordered by ascending scores.'),
  rankCommand('zrevrank', true, 'Returns the index of a member in a sorted set ordered by descending scores.'),
  popCommand('zpopmin', false, 'Returns the lowest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.'),
  popCommand('zpopmax', true, 'Returns the highest-scoring members from a sorted set after removing them. Deletes the sorted set if the last member was popped.'),
  bpopCommand('bzpopmin', false, 'Removes and returns the member with the lowest score from one or more sorted sets. Blocks until a member is available otherwise. Deletes the sorted set if the last element was popped.'),
  bpopCommand('bzpopmax', true, 'Removes and returns the member with the highest score from one or more sorted sets. Blocks until a member available otherwise.  Deletes the sorted set if the last element was popped.'),
  zmpop, bzmpop, zrandmember, zscan,
  ...zsetRangeCommands,
  ...zsetAlgebraCommands,
];
