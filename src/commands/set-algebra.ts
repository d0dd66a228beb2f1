/** Set algebra: SINTER, SINTERCARD, SINTERSTORE, SUNION(STORE), SDIFF(STORE). Keys may sit on different shards. */
import { command, type CommandSpec } from './spec.ts';
import { SetValue } from '../datatypes/set.ts';
import { numkeysPositions, parseIntercard } from './numkeys.ts';
import { maxIntset, setAt } from './set.ts';
import type { Client } from '../server/client.ts';

type Op = 'inter' | 'union' | 'diff';

/** Loads the sets (undefined for missing keys), type-checking every key. */
function loadSets(c: Client, keys: readonly string[], forWrite: boolean): Array<SetValue | undefined> {
  return keys.map((k) => setAt(c.ks(k), k, !forWrite));
}

export function computeSetOp(sets: Array<SetValue | undefined>, op: Op, limit = 0): string[] {
  const out: string[] = [];
  if (op === 'inter') {
    if (sets.some((s) => s === undefined)) return out;
    const sorted = (sets as SetValue[]).slice().sort((a, b) => a.size() - b.size());
    for (const m of sorted[0]!.entries()) {
      if (sorted.every((s) => s.has(m))) {
        out.push(m);
        if (limit && out.length >= limit) break;
      }
    }
    return out;
  }
  if (op === 'union') {
    const seen = new Set<string>();
    for (const s of sets) if (s) for (const m of s.entries()) seen.add(m);
    return [...seen];
  }
  const first = sets[0];
  if (!first) return out;
  for (const m of first.entries()) if (!sets.some((s, i) => i > 0 && s !== undefined && s.has(m))) out.push(m);
  return out;
}

function readOp(name: string, op: Op, summary: string): CommandSpec {
  return command({
    name, arity: -2, flags: ['readonly'], firstKey: 1, lastKey: -1, step: 1,
    group: 'set', since: '1.0.0', summary, complexity: 'O(N) where N is the total number of elements in all given sets.',
    handler(c, args) {
      const res = computeSetOp(loadSets(c, args.slice(1), false), op);
      c.reply.set(res.length);
      for (const m of res) c.reply.bulk(m);
    },
  });
}

function storeOp(name: string, op: Op, summary: string): CommandSpec {
  return command({
    name, arity: -3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: -1, step: 1,
    group: 'set', since: '1.0.0', summary, complexity: 'O(N) where N is the total number of elements in all given sets.',
    handler(c, args) {
      const dst = args[1]!;
      const res = computeSetOp(loadSets(c, args.slice(2), true), op);
      const dks = c.ks(dst);
      if (res.length === 0) {
        if (dks.delete(dst)) dks.modified(dst, 'del');
        return c.reply.int(0);
      }
      const s = new SetValue();
      const max = maxIntset(c);
      for (const m of res) s.add(m, max);
      dks.set(dst, s);
      dks.modified(dst, `s${op}store`);
      c.reply.int(res.length);
    },
  });
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
const sintercard = command({
  name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'set', since: '7.0.0', summary: 'Returns the number of members of the intersect of multiple sets.', complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
  keys: numkeysPositions(1),
  handler(c, args) {
    const { keys, limit } = parseIntercard(args, 'ERR numkeys should be greater than 0');
    c.reply.int(computeSetOp(loadSets(c, keys, false), 'inter', limit).length);
  },
});

export const setAlgebraCommands: CommandSpec[] = [
  readOp('sinter', 'inter', 'Returns the intersect of multiple sets.'),
  readOp('sunion', 'union', 'Returns the union of multiple sets.'),
  readOp('sdiff', 'diff', 'Returns the difference of multiple sets.'),
  storeOp('sinterstore', 'inter', 'Stores the intersect of multiple sets in a key.'),
  storeOp('sunionstore', 'union', 'Stores the union of multiple sets in a key.'),
  storeOp('sdiffstore', 'diff', 'Stores the difference of multiple sets in a key.'),
  sintercard,
];
