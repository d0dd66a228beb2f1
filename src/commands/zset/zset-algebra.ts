/**
 * ZUNION, ZINTER, ZDIFF (and their STORE variants), ZINTERCARD: Redis's
 * zunionInterDiffGenericCommand. Inputs may be sets (every score 1) and may
 * live on different shards.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { ZSetValue } from '../../datatypes/zset.ts';
import { SetValue } from '../../datatypes/set.ts';
import { isOpt, parseInteger, parseRange } from '../core/parse.ts';
import { numkeysPositions } from '../core/numkeys.ts';
import { string2d } from './zset-parse.ts';
import { maxListpackEntries, maxListpackValue, memberReply, membersHeader, storeResult } from './zset-common.ts';
import type { Client } from '../../server/client.ts';

const UNION = 0, INTER = 1, DIFF = 2;
type Op = typeof UNION | typeof INTER | typeof DIFF;
const SUM = 0, MIN = 1, MAX = 2;
type Agg = typeof SUM | typeof MIN | typeof MAX;

/** One input key: a zset, a set (scores 1) or nothing. */
interface Input {
  z: ZSetValue | null;
  s: SetValue | null;
  size: number;
  weight: number;
}

function lookupInput(c: Client, key: string): Input {
  const v = c.ks(key).lookupRead(key);
  if (v === undefined) return { z: null, s: null, size: 0, weight: 1 };
  if (v instanceof ZSetValue) return { z: v, s: null, size: v.size(), weight: 1 };
  if (v instanceof SetValue) return { z: null, s: v, size: v.size(), weight: 1 };
  throw new CommandError(Err.WRONGTYPE);
}

/** Score of `member` in an input, undefined when absent. */
function find(inp: Input, member: string): number | undefined {
  if (inp.z !== null) return inp.z.score(member);
  if (inp.s !== null && inp.s.has(member)) return 1;
  return undefined;
}

/** Calls fn for each member/score of an input (a zset in its order, lowest first). */
function forEach(inp: Input, fn: (member: string, score: number) => void): void {
  if (inp.z !== null) inp.z.forEach(fn);
  else if (inp.s !== null) for (const m of inp.s.entries()) fn(m, 1);
}

/** Redis's zunionInterAggregate (C comparisons: a NaN value never wins MIN/MAX; a NaN sum is 0). */
function aggregate(target: number, val: number, agg: Agg): number {
  if (agg === SUM) {
    const r = target + val;
    return Number.isNaN(r) ? 0 : r;
  }
  if (agg === MIN) return val < target ? val : target;
  return val > target ? val : target;
}

interface Parsed {
  inputs: Input[];
  agg: Agg;
  withScores: boolean;
  limit: number;
}

/**
 * numkeys, the keys (looked up and type-checked before any option, as
 * Redis), then WEIGHTS / AGGREGATE / WITHSCORES / LIMIT as the command allows.
 */
function parseArgs(c: Client, args: string[], numIdx: number, op: Op, name: string, store: boolean, cardOnly: boolean): Parsed {
  const numkeys = parseInteger(args[numIdx]!);
  if (numkeys < 1) throw new CommandError(`ERR at least 1 input key is needed for '${name}' command`);
  if (numkeys > args.length - numIdx - 1) throw new CommandError(Err.SYNTAX);
  const inputs: Input[] = [];
  for (let i = 0; i < numkeys; i++) inputs.push(lookupInput(c, args[numIdx + 1 + i]!));
  let agg: Agg = SUM;
  let withScores = false;
  let limit = 0;
  let j = numIdx + 1 + numkeys;
  while (j < args.length) {
    const remaining = args.length - j;
    const a = args[j]!;
    if (op !== DIFF && !cardOnly && remaining >= numkeys + 1 && isOpt(a, 'WEIGHTS')) {
      j++;
      for (let i = 0; i < numkeys; i++, j++) {
        const w = string2d(args[j]!);
        if (w === null) throw new CommandError('ERR weight value is not a float');
        inputs[i]!.weight = w;
      }
    } else if (op !== DIFF && !cardOnly && remaining >= 2 && isOpt(a, 'AGGREGATE')) {
      const v = args[j + 1]!;
      if (isOpt(v, 'SUM')) agg = SUM;
      else if (isOpt(v, 'MIN')) agg = MIN;
      else if (isOpt(v, 'MAX')) agg = MAX;
      else throw new CommandError(Err.SYNTAX);
      j += 2;
    } else if (!store && !cardOnly && isOpt(a, 'WITHSCORES')) {
      withScores = true;
      j++;
    } else if (cardOnly && remaining >= 2 && isOpt(a, 'LIMIT')) {
      limit = parseRange(args[j + 1]!, 0, Number.MAX_SAFE_INTEGER, "ERR LIMIT can't be negative");
      j += 2;
    } else throw new CommandError(Err.SYNTAX);
  }
  return { inputs, agg, withScores, limit };
}

/**
 * The result as member → score. UNION and INTER visit the inputs from the
 * smallest (a stable sort, as glibc's qsort), which fixes the order of the
 * floating point aggregation exactly as Redis.
 */
function compute(p: Parsed, op: Op): Map<string, number> {
  const acc = new Map<string, number>();
  const inputs = op === DIFF ? p.inputs : p.inputs.slice().sort((a, b) => a.size - b.size);
  const agg = p.agg;
  if (op === UNION) {
    for (const inp of inputs) {
      const w = inp.weight;
      forEach(inp, (m, s) => {
        let score = w * s;
        if (Number.isNaN(score)) score = 0;
        const cur = acc.get(m);
        acc.set(m, cur === undefined ? score : aggregate(cur, score, agg));
      });
    }
  } else if (op === INTER) {
    const first = inputs[0]!;
    if (first.size === 0) return acc;
    forEach(first, (m, s) => {
      let score = first.weight * s;
      if (Number.isNaN(score)) score = 0;
      for (let j = 1; j < inputs.length; j++) {
        const o = find(inputs[j]!, m);
        if (o === undefined) return;
        score = aggregate(score, o * inputs[j]!.weight, agg);
      }
      acc.set(m, score);
    });
  } else {
    const first = inputs[0]!;
    forEach(first, (m, s) => {
      for (let j = 1; j < inputs.length; j++) if (find(inputs[j]!, m) !== undefined) return;
      acc.set(m, s);
    });
  }
  return acc;
}

/** Orders entries by (score, member bytes) as the skiplist does. */
function byScoreThenMember(a: [string, number], b: [string, number]): number {
  if (a[1] < b[1]) return -1;
  if (a[1] > b[1]) return 1;
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

function readCommand(name: string, op: Op): CommandSpec {
  return command({
    name, arity: -3, flags: ['readonly', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
    group: 'sorted_set',
    keys: numkeysPositions(1),
    handler(c, args) {
      const p = parseArgs(c, args, 1, op, name, false, false);
      const res = [...compute(p, op)].sort(byScoreThenMember);
      membersHeader(c, res.length, p.withScores);
      for (const [m, s] of res) memberReply(c, m, s, p.withScores);
    },
  });
}

function storeCommand(name: string, op: Op): CommandSpec {
  return command({
    name, arity: -4, flags: ['write', 'denyoom', 'movablekeys'], firstKey: 1, lastKey: 1, step: 1,
    group: 'sorted_set',
    keys: (args) => [1, ...numkeysPositions(2)(args)],
    handler(c, args) {
      const p = parseArgs(c, args, 2, op, name, true, false);
      const res = compute(p, op);
      // Redis builds a skiplist and turns it into a listpack when the result fits
      const z = ZSetValue.fromColumns([...res.keys()], [...res.values()], maxListpackEntries(c), maxListpackValue(c))!;
      storeResult(c, args[1]!, z, name);
    },
  });
}

/** ZINTERCARD numkeys key [key ...] [LIMIT limit] */
const zintercard = command({
  name: 'zintercard', arity: -3, flags: ['readonly', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'sorted_set',
  keys: numkeysPositions(1),
  handler(c, args) {
    const p = parseArgs(c, args, 1, INTER, 'zintercard', false, true);
    const inputs = p.inputs.slice().sort((a, b) => a.size - b.size);
    const first = inputs[0]!;
    let n = 0;
    if (first.size > 0) {
      const members = first.z !== null ? first.z.members() : first.s!.entries();
      outer: for (const m of members) {
        for (let j = 1; j < inputs.length; j++) if (find(inputs[j]!, m) === undefined) continue outer;
        if (++n === p.limit) break;
      }
    }
    c.reply.int(n);
  },
});

export const zsetAlgebraCommands: CommandSpec[] = [
  /** ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES] */
  readCommand('zunion', UNION),
  /** ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] [WITHSCORES] */
  readCommand('zinter', INTER),
  /** ZDIFF numkeys key [key ...] [WITHSCORES] */
  readCommand('zdiff', DIFF),
  /** ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] */
  storeCommand('zunionstore', UNION),
  /** ZINTERSTORE destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM | MIN | MAX] */
  storeCommand('zinterstore', INTER),
  /** ZDIFFSTORE destination numkeys key [key ...] */
  storeCommand('zdiffstore', DIFF),
  zintercard,
];
