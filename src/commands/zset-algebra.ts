/** ZUNION, ZINTER, ZDIFF (and STORE variants), ZINTERCARD. Inputs may be sets (score 1) on any shard. */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { ZSetValue } from '../datatypes/zset.ts';
import { SetValue } from '../datatypes/set.ts';
import { isOpt, parseFloatOrNull, parseInteger } from './parse.ts';
import { numkeysPositions, parseIntercard } from './numkeys.ts';
import { replyMembers, zsetPut } from './zset-common.ts';
import type { Client } from '../server/client.ts';

type Op = 'union' | 'inter' | 'diff';
type Agg = 'sum' | 'min' | 'max';

/** member → score of one input (undefined when the key is missing). */
function loadInput(c: Client, key: string, forWrite: boolean): Map<string, number> | undefined {
  const ks = c.ks(key);
  const v = forWrite ? ks.get(key) : ks.lookupRead(key);
  if (v === undefined) return undefined;
  if (v instanceof ZSetValue) return v.dict;
  if (v instanceof SetValue) {
    const m = new Map<string, number>();
    for (const x of v.entries()) m.set(x, 1);
    return m;
  }
  throw new CommandError(Err.WRONGTYPE);
}

function aggregate(a: number, b: number, agg: Agg): number {
  if (agg === 'sum') {
    const r = a + b;
    return Number.isNaN(r) ? 0 : r;
  }
  return agg === 'min' ? Math.min(a, b) : Math.max(a, b);
}

function weighted(score: number, w: number): number {
  const r = score * w;
  return Number.isNaN(r) ? 0 : r;
}

/** Computes the result, sorted by (score, member). */
function compute(inputs: Array<Map<string, number> | undefined>, weights: number[], op: Op, agg: Agg): Array<[string, number]> {
  const acc = new Map<string, number>();
  if (op === 'union') {
    inputs.forEach((m, i) => {
      if (!m) return;
      for (const [k, s] of m) {
        const v = weighted(s, weights[i]!);
        const cur = acc.get(k);
        acc.set(k, cur === undefined ? v : aggregate(cur, v, agg));
      }
    });
  } else if (op === 'inter') {
    if (inputs.every((m) => m !== undefined) && inputs.length > 0) {
      const order = inputs.map((m, i) => [m!, i] as const).sort((a, b) => a[0].size - b[0].size);
      const [first, fi] = order[0]!;
      outer: for (const [k, s] of first) {
        let v = weighted(s, weights[fi]!);
        for (let j = 1; j < order.length; j++) {
          const [m, i] = order[j]!;
          const o = m.get(k);
          if (o === undefined) continue outer;
          v = aggregate(v, weighted(o, weights[i]!), agg);
        }
        acc.set(k, v);
      }
    }
  } else {
    const first = inputs[0];
    if (first) for (const [k, s] of first) if (!inputs.some((m, i) => i > 0 && m?.has(k))) acc.set(k, s);
  }
  return [...acc].sort((a, b) => (a[1] !== b[1] ? a[1] - b[1] : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

interface Parsed {
  keys: string[];
  weights: number[];
  agg: Agg;
  withScores: boolean;
}

function parseArgs(args: string[], numIdx: number, op: Op, name: string, allowWithScores: boolean): Parsed {
  const numkeys = parseInteger(args[numIdx]!);
  if (numkeys < 1) throw new CommandError(`ERR at least 1 input key is needed for '${name}' command`);
  if (numkeys > args.length - numIdx - 1) throw new CommandError(Err.SYNTAX);
  const keys = args.slice(numIdx + 1, numIdx + 1 + numkeys);
  const weights = keys.map(() => 1);
  let agg: Agg = 'sum';
  let withScores = false;
  for (let j = numIdx + 1 + numkeys; j < args.length; j++) {
    const more = args.length - 1 - j;
    const a = args[j]!;
    if (op !== 'diff' && isOpt(a, 'WEIGHTS') && more >= numkeys) {
      for (let i = 0; i < numkeys; i++) {
        const w = parseFloatOrNull(args[++j]!);
        if (w === null) throw new CommandError('ERR weight value is not a float');
        weights[i] = w;
      }
    } else if (op !== 'diff' && isOpt(a, 'AGGREGATE') && more >= 1) {
      const v = args[++j]!.toLowerCase();
      if (v !== 'sum' && v !== 'min' && v !== 'max') throw new CommandError(Err.SYNTAX);
      agg = v;
    } else if (allowWithScores && isOpt(a, 'WITHSCORES')) withScores = true;
    else throw new CommandError(Err.SYNTAX);
  }
  return { keys, weights, agg, withScores };
}

function readCommand(name: string, op: Op, summary: string): CommandSpec {
  return command({
    name, arity: -3, flags: ['readonly', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
    group: 'sorted_set', since: '6.2.0', summary, complexity: 'O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
    keys: numkeysPositions(1),
    handler(c, args) {
      const p = parseArgs(args, 1, op, name, true);
      const res = compute(p.keys.map((k) => loadInput(c, k, false)), p.weights, op, p.agg);
      replyMembers(c, res, p.withScores);
    },
  });
}

function storeCommand(name: string, op: Op, summary: string): CommandSpec {
  return command({
    name, arity: -4, flags: ['write', 'denyoom', 'movablekeys'], firstKey: 1, lastKey: 1, step: 1,
    group: 'sorted_set', since: op === 'diff' ? '6.2.0' : '2.0.0', summary, complexity: 'O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set.',
    keys: (args) => [1, ...numkeysPositions(2)(args)],
    handler(c, args) {
      const p = parseArgs(args, 2, op, name, false);
      const res = compute(p.keys.map((k) => loadInput(c, k, true)), p.weights, op, p.agg);
      const dst = args[1]!;
      const dks = c.ks(dst);
      if (res.length === 0) {
        if (dks.delete(dst)) dks.modified(dst, 'del');
        return c.reply.int(0);
      }
      const z = new ZSetValue();
      for (const [m, s] of res) zsetPut(c, z, m, s);
      dks.set(dst, z);
      dks.modified(dst, name);
      c.reply.int(res.length);
    },
  });
}

/** ZINTERCARD numkeys key [key ...] [LIMIT limit] */
const zintercard = command({
  name: 'zintercard', arity: -3, flags: ['readonly', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'sorted_set', since: '7.0.0', summary: 'Returns the number of members of the intersect of multiple sorted sets.', complexity: 'O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets.',
  keys: numkeysPositions(1),
  handler(c, args) {
    const { keys, limit } = parseIntercard(args, "ERR at least 1 input key is needed for 'zintercard' command");
    const n = compute(keys.map((k) => loadInput(c, k, false)), keys.map(() => 1), 'inter', 'sum').length;
    c.reply.int(limit > 0 ? Math.min(limit, n) : n);
  },
});

export const zsetAlgebraCommands: CommandSpec[] = [
  readCommand('zunion', 'union', 'Returns the union of multiple sorted sets.'),
  readCommand('zinter', 'inter', 'Returns the intersect of multiple sorted sets.'),
  readCommand('zdiff', 'diff', 'Returns the difference between multiple sorted sets.'),
  storeCommand('zunionstore', 'union', 'Stores the union of multiple sorted sets in a key.'),
  storeCommand('zinterstore', 'inter', 'Stores the intersect of multiple sorted sets in a key.'),
  storeCommand('zdiffstore', 'diff', 'Stores the difference of multiple sorted sets in a key.'),
  zintercard,
];
