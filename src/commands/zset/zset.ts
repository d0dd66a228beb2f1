/** Sorted set family: ZADD, ZINCRBY, ZREM, scores, ranks, random picks, ZSCAN (pops, ranges and algebra in zset-*.ts). */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err, wrongArity } from '../core/errors.ts';
import { ZADD_ADDED, ZADD_GT, ZADD_INCR, ZADD_LT, ZADD_NAN, ZADD_NOP, ZADD_NX, ZADD_UPDATED, ZADD_XX, ZSetValue, zaddCounts, zaddOut } from '../../datatypes/zset.ts';
import { isOpt, parseBigInteger } from '../core/parse.ts';
import { parseScanArgs } from '../core/scan-args.ts';
import { scanStep, writeScanReply } from '../keys/scan.ts';
import { globMatch } from '../../datatypes/glob.ts';
import { CursorTable } from '../../engine/cursors.ts';
import { string2d } from './zset-parse.ts';
import { clearRange, maxListpackEntries, maxListpackValue, memberReply, membersHeader, rangeOut, zsetAdd, zsetAddMany, zsetAt, zsetDropIfEmpty } from './zset-common.ts';
import { zsetRangeCommands } from './zset-range.ts';
import { zsetAlgebraCommands } from './zset-algebra.ts';
import { zsetPopCommands } from './zset-pop.ts';
import type { Client } from '../../server/client.ts';

// Parsed scores of the current ZADD (entries past its pair count are stale); reused, handlers never nest.
const scores: number[] = [];

/** The ZADD option at `a` (case-insensitive), or 0 when `a` is not one; CH is -1. */
function zaddOption(a: string): number {
  const n = a.length;
  if (n === 2) {
    const c0 = a.charCodeAt(0) | 0x20;
    const c1 = a.charCodeAt(1) | 0x20;
    if (c0 === 110 && c1 === 120) return ZADD_NX;
    if (c0 === 120 && c1 === 120) return ZADD_XX;
    if (c0 === 103 && c1 === 116) return ZADD_GT;
    if (c0 === 108 && c1 === 116) return ZADD_LT;
    if (c0 === 99 && c1 === 104) return -1;
  } else if (n === 4 && isOpt(a, 'INCR')) return ZADD_INCR;
  return 0;
}

/**
 * Redis's zaddGenericCommand, for ZADD and ZINCRBY (`incr`). Options are
 * parsed for ZINCRBY too, as Redis does (so `ZINCRBY k nx m` is a syntax
 * error). Every score is validated before anything changes.
 */
function zaddGeneric(c: Client, args: string[], incr: boolean): void {
  let flags = incr ? ZADD_INCR : 0;
  let ch = false;
  let idx = 2;
  for (; idx < args.length; idx++) {
    const o = zaddOption(args[idx]!);
    if (o === 0) break;
    if (o === -1) ch = true;
    else flags |= o;
  }
  const elements = args.length - idx;
  if (elements === 0 || (elements & 1) !== 0) throw new CommandError(Err.SYNTAX);
  if ((flags & ZADD_NX) !== 0 && (flags & ZADD_XX) !== 0) throw new CommandError('ERR XX and NX options at the same time are not compatible');
  if (((flags & ZADD_GT) !== 0 && (flags & ZADD_NX) !== 0) || ((flags & ZADD_LT) !== 0 && (flags & ZADD_NX) !== 0) || ((flags & ZADD_GT) !== 0 && (flags & ZADD_LT) !== 0)) {
    throw new CommandError('ERR GT, LT, and/or NX options at the same time are not compatible');
  }
  if ((flags & ZADD_INCR) !== 0 && elements > 2) throw new CommandError('ERR INCR option supports a single increment-element pair');
  const pairs = elements >> 1;
  for (let j = 0; j < pairs; j++) {
    const v = string2d(args[idx + j * 2]!);
    if (v === null) throw new CommandError(Err.NOT_FLOAT);
    scores[j] = v;
  }
  const key = args[1]!;
  const ks = c.ks(key);
  let z = zsetAt(ks, key);
  let added = 0;
  let updated = 0;
  let processed = 0;
  let score = 0;
  if (z === undefined) {
    if ((flags & ZADD_XX) !== 0) return zaddReply(c, flags, ch, 0, 0, 0, 0);
    z = new ZSetValue();
    ks.set(key, z);
    // zsetTypeCreate (7.2+): a skiplist from the start when the pairs or the first member exceed the listpack
    if (args[idx + 1]!.length > maxListpackValue(c)) z.toBig();
  }
  // zsetTypeMaybeConvert: converted before adding when the pairs alone exceed it (a -0 then stays -0)
  if (pairs > maxListpackEntries(c)) z.toBig();
  if (pairs === 1) {
    const out = zsetAdd(c, z, args[idx + 1]!, scores[0]!, flags);
    if (out === ZADD_NAN) throw new CommandError('ERR resulting score is not a number (NaN)');
    if (out === ZADD_ADDED) added++;
    else if (out === ZADD_UPDATED) updated++;
    if (out !== ZADD_NOP) {
      processed++;
      score = zaddOut.score;
    }
  } else {
    // several pairs (never INCR, so never NaN): applied in turn, a packed set rebuilt once
    zsetAddMany(c, z, args, idx + 1, 2, scores, pairs, flags);
    added = zaddCounts.added;
    updated = zaddCounts.updated;
  }
  if (added + updated > 0) ks.modified(key, (flags & ZADD_INCR) !== 0 ? 'zincr' : 'zadd');
  zaddReply(c, flags, ch, added, updated, processed, score);
}

function zaddReply(c: Client, flags: number, ch: boolean, added: number, updated: number, processed: number, score: number): void {
  if ((flags & ZADD_INCR) !== 0) {
    if (processed > 0) c.reply.double(score);
    else c.reply.nullBulk();
  } else {
    c.reply.int(ch ? added + updated : added);
  }
}

/** ZADD key [NX | XX] [GT | LT] [CH] [INCR] score member [score member ...] */
const zadd = command({
  name: 'zadd', arity: -4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set',
  handler(c, args) {
    zaddGeneric(c, args, false);
  },
});

/** ZINCRBY key increment member */
const zincrby = command({
  name: 'zincrby', arity: 4, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set',
  handler(c, args) {
    zaddGeneric(c, args, true);
  },
});

/** ZREM key member [member ...] */
const zrem = command({
  name: 'zrem', arity: -3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const z = zsetAt(ks, key);
    if (z === undefined) return c.reply.int(0);
    let n: number;
    if (args.length === 3) n = z.delete(args[2]!) ? 1 : 0;
    else n = z.deleteMany(args, 2, args.length); // a packed set rebuilt once
    if (n > 0) {
      ks.modified(key, 'zrem');
      zsetDropIfEmpty(ks, key, z);
    }
    c.reply.int(n);
  },
});

/** ZCARD key */
const zcard = command({
  name: 'zcard', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set',
  handler(c, args) {
    const z = zsetAt(c.ks(args[1]!), args[1]!, true);
    c.reply.int(z === undefined ? 0 : z.size());
  },
});

/** ZSCORE key member */
const zscore = command({
  name: 'zscore', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set',
  handler(c, args) {
    const s = zsetAt(c.ks(args[1]!), args[1]!, true)?.score(args[2]!);
    if (s === undefined) c.reply.nullBulk();
    else c.reply.double(s);
  },
});

/** ZMSCORE key member [member ...] */
const zmscore = command({
  name: 'zmscore', arity: -3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set',
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

function rankCommand(name: string, rev: boolean): CommandSpec {
  return command({
    name, arity: -3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'sorted_set',
    handler(c, args) {
      // as Redis's zrankGenericCommand: arity, then the option, then the key
      if (args.length > 4) throw new CommandError(wrongArity(name));
      const withScore = args.length === 4;
      if (withScore && !isOpt(args[3]!, 'WITHSCORE')) throw new CommandError(Err.SYNTAX);
      const z = zsetAt(c.ks(args[1]!), args[1]!, true);
      const r = z?.rank(args[2]!, rev) ?? -1;
      if (r < 0) return withScore ? c.reply.nullArray() : c.reply.nullBulk();
      if (!withScore) return c.reply.int(r);
      c.reply.array(2);
      c.reply.int(r);
      c.reply.double(z!.score(args[2]!)!);
    },
  });
}

const LONG_MAX = 9223372036854775807n;

/** Redis's ZRANDMEMBER_RANDOM_SAMPLE_LIMIT: repeated picks are drawn and replied in chunks of this many. */
const SAMPLE_CHUNK = 1000;

/** Replies rangeOut's entries (back to front: `backwards`) and empties it. */
function replyPicked(c: Client, withScores: boolean, backwards: boolean): void {
  const { members, scores: sc } = rangeOut;
  if (backwards) for (let i = members.length - 1; i >= 0; i--) memberReply(c, members[i]!, sc[i]!, withScores);
  else for (let i = 0; i < members.length; i++) memberReply(c, members[i]!, sc[i]!, withScores);
  clearRange();
}

/** Redis's zrandmemberWithCountCommand (count already range-checked). */
function zrandmemberWithCount(c: Client, key: string, l: number, withScores: boolean): void {
  const z = zsetAt(c.ks(key), key, true);
  if (z === undefined) return c.reply.array(0);
  const size = z.size();
  const uniq = l >= 0;
  const count = uniq ? l : -l;
  if (count === 0) return c.reply.array(0);
  // CASE 1: repeats allowed (or a single pick): independent uniform picks
  if (!uniq || count === 1) {
    membersHeader(c, count, withScores);
    for (let left = count; left > 0; left -= SAMPLE_CHUNK) {
      z.randomPicks(Math.min(left, SAMPLE_CHUNK), rangeOut);
      replyPicked(c, withScores, false);
    }
    return;
  }
  // CASE 2: the whole set, in Redis's iteration order (highest first)
  if (count >= size) {
    membersHeader(c, size, withScores);
    z.all(rangeOut);
    return replyPicked(c, withScores, true);
  }
  membersHeader(c, count, withScores);
  const { members, scores: sc } = rangeOut;
  if (count * 3 > size) {
    // CASE 3: close to the whole set: shuffle the head of a copy
    z.all(rangeOut);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(Math.random() * (size - i));
      const m = members[i]!, s = sc[i]!;
      members[i] = members[j]!;
      sc[i] = sc[j]!;
      members[j] = m;
      sc[j] = s;
      memberReply(c, members[i]!, sc[i]!, withScores);
    }
    return clearRange();
  }
  // CASE 4: small sample of a big set. A listpack: one walk picking each
  // member with the odds still needed / still left, so in its order (lpRandomPairsUnique)
  if (!z.big) {
    z.all(rangeOut);
    let need = count;
    for (let i = 0; need > 0; i++) {
      if (Math.random() * (size - i) < need) {
        memberReply(c, members[i]!, sc[i]!, withScores);
        need--;
      }
    }
    return clearRange();
  }
  // a skiplist: pick until `count` distinct
  const seen = new Set<string>();
  while (seen.size < count) {
    z.randomPicks(1, rangeOut);
    const m = members[0]!, s = sc[0]!;
    clearRange();
    if (seen.has(m)) continue;
    seen.add(m);
    memberReply(c, m, s, withScores);
  }
}

/** ZRANDMEMBER key [count [WITHSCORES]] */
const zrandmember = command({
  name: 'zrandmember', arity: -2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set',
  handler(c, args) {
    const key = args[1]!;
    if (args.length >= 3) {
      const l = parseBigInteger(args[2]!);
      if (l < -LONG_MAX || l > LONG_MAX) throw new CommandError(Err.LONG_RANGE);
      let withScores = false;
      if (args.length > 4 || (args.length === 4 && !isOpt(args[3]!, 'WITHSCORES'))) throw new CommandError(Err.SYNTAX);
      if (args.length === 4) {
        withScores = true;
        if (l < -LONG_MAX / 2n || l > LONG_MAX / 2n) throw new CommandError('ERR value is out of range');
      }
      return zrandmemberWithCount(c, key, Number(l), withScores);
    }
    const z = zsetAt(c.ks(key), key, true);
    if (z === undefined) return c.reply.nullBulk();
    z.randomPicks(1, rangeOut);
    c.reply.bulk(rangeOut.members[0]!);
    clearRange();
  },
});

const zscanCursors = new WeakMap<ZSetValue, CursorTable<string>>();

/**
 * ZSCAN key cursor [MATCH pattern] [COUNT count]
 * A listpack-sized set comes whole, in order, with cursor 0 (as Redis).
 */
const zscan = command({
  name: 'zscan', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'sorted_set',
  handler(c, args) {
    // as Redis: the cursor first, then the key, then the options
    parseScanArgs(args.slice(0, 3), 2, 'zset');
    const key = args[1]!;
    const z = zsetAt(c.ks(key), key, true);
    if (z === undefined) return writeScanReply(c.reply, 0, []);
    const o = parseScanArgs(args, 2, 'zset');
    const out: string[] = [];
    const d = z.data;
    if (typeof d === 'string') {
      z.all(rangeOut);
      const { members, scores: sc } = rangeOut;
      for (let i = 0; i < members.length; i++) {
        if (o.match === null || globMatch(o.match, members[i]!)) out.push(members[i]!, z.scoreText(sc[i]!));
      }
      clearRange();
      return writeScanReply(c.reply, 0, out);
    }
    let table = zscanCursors.get(z);
    if (table === undefined) zscanCursors.set(z, (table = new CursorTable()));
    const visited: string[] = [];
    const next = scanStep(table, o.cursor, () => d.dict.keys(), o.count, visited);
    for (const m of visited) {
      const s = d.score(m);
      if (s === undefined || (o.match !== null && !globMatch(o.match, m))) continue;
      out.push(m, z.scoreText(s));
    }
    writeScanReply(c.reply, next, out);
  },
});

export const zsetCommands: CommandSpec[] = [
  zadd, zincrby, zrem, zcard, zscore, zmscore,
  /** ZRANK key member [WITHSCORE] */
  rankCommand('zrank', false),
  /** ZREVRANK key member [WITHSCORE] */
  rankCommand('zrevrank', true),
  zrandmember, zscan,
  ...zsetPopCommands,
  ...zsetRangeCommands,
  ...zsetAlgebraCommands,
];
