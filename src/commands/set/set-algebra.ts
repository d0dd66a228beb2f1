/**
 * Set algebra: SINTER, SINTERCARD, SINTERSTORE, SUNION(STORE), SDIFF(STORE).
 * The keys may sit on different shards: each is looked up in its own keyspace.
 * Results come in Redis's order where Redis defines one (an intset iterates
 * in ascending order; a stored result is a new set with its own encoding).
 */
import { command, type ArgSpec, type CommandSpec } from '../core/spec.ts';
import { SetValue } from '../../datatypes/set.ts';
import { numkeysPositions, parseIntercard } from '../core/numkeys.ts';
import { maxIntset, replyMembers, setAt } from './set-common.ts';
import type { Client } from '../../server/client.ts';

type Op = 'inter' | 'union' | 'diff';

/** The sets at keys[from..] (undefined for missing keys); WRONGTYPE for the first non-set, as Redis. */
function loadSets(c: Client, keys: readonly string[], from: number, to = keys.length): Array<SetValue | undefined> {
  const out = new Array<SetValue | undefined>(to - from);
  for (let i = from; i < to; i++) out[i - from] = setAt(c.ks(keys[i]!), keys[i]!, true);
  return out;
}

/**
 * Walks the intersection: calls `emit` for each member of the smallest set
 * (in its iteration order) found in all the others; stops when emit returns false.
 */
function intersect(sets: Array<SetValue | undefined>, emit: (m: string) => boolean): void {
  for (const s of sets) if (s === undefined || s.size() === 0) return;
  const sorted = (sets as SetValue[]).slice().sort((a, b) => a.size() - b.size());
  const first = sorted[0]!;
  const members = first.members();
  outer: for (let i = 0; i < members.length; i++) {
    const m = members[i]!;
    for (let j = 1; j < sorted.length; j++) {
      const o = sorted[j]!;
      if (o !== first && !o.has(m)) continue outer;
    }
    if (!emit(m)) return;
  }
}

/** SUNION / SDIFF into a new set value (encoded as Redis would build it). */
function unionOrDiff(sets: Array<SetValue | undefined>, op: Op, max: number): SetValue {
  const out = new SetValue();
  if (op === 'union') {
    for (const s of sets) {
      if (s === undefined) continue;
      out.addMany(s.members(), 0, max);
    }
    return out;
  }
  const first = sets[0];
  if (first === undefined) return out;
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return out; // X - X = {}
  const ms = first.members();
  const kept: string[] = [];
  outer: for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    for (let j = 1; j < sets.length; j++) {
      const o = sets[j];
      if (o !== undefined && o.has(m)) continue outer;
    }
    kept.push(m);
  }
  out.addMany(kept, 0, max);
  return out;
}

/** Stores `res` at dst (replacing any value, TTL dropped) or deletes dst when empty. */
function store(c: Client, dst: string, res: SetValue, event: string): void {
  const ks = c.ks(dst);
  const n = res.size();
  if (n === 0) {
    if (ks.delete(dst)) ks.modified(dst, 'del');
  } else {
    ks.set(dst, res);
    ks.modified(dst, event);
  }
  c.reply.int(n);
}

const KEYS: ArgSpec = { name: 'key', type: 'key', multiple: true };
const DEST: ArgSpec = { name: 'destination', type: 'key' };

function algebraCommand(name: string, op: Op, isStore: boolean, summary: string): CommandSpec {
  const complexity = op === 'inter'
    ? 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.'
    : 'O(N) where N is the total number of elements in all given sets.';
  return command({
    name, arity: isStore ? -3 : -2, flags: isStore ? ['write', 'denyoom'] : ['readonly'], firstKey: 1, lastKey: -1, step: 1,
    group: 'set', since: '1.0.0', summary, complexity, args: isStore ? [DEST, KEYS] : [KEYS],
    handler(c, args) {
      const sets = loadSets(c, args, isStore ? 2 : 1);
      if (op === 'inter') {
        if (isStore) {
          const members: string[] = [];
          intersect(sets, (m) => members.push(m) > 0);
          const res = new SetValue();
          res.addMany(members, 0, maxIntset(c));
          return store(c, args[1]!, res, 'sinterstore');
        }
        const out: string[] = [];
        intersect(sets, (m) => out.push(m) > 0);
        return replyMembers(c, out);
      }
      const res = unionOrDiff(sets, op, maxIntset(c));
      if (isStore) return store(c, args[1]!, res, op === 'union' ? 'sunionstore' : 'sdiffstore');
      replyMembers(c, res.members());
    },
  });
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
const sintercard = command({
  name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'set', since: '7.0.0', summary: 'Intersect multiple sets and return the cardinality of the result',
  complexity: 'O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets.',
  args: [{ name: 'numkeys', type: 'integer' }, KEYS, { name: 'limit', type: 'integer', token: 'LIMIT', optional: true }],
  keys: numkeysPositions(1),
  handler(c, args) {
    const { keys, limit } = parseIntercard(args, 'ERR numkeys should be greater than 0');
    let n = 0;
    intersect(loadSets(c, keys, 0), () => ++n !== limit);
    c.reply.int(n);
  },
});

export const setAlgebraCommands: CommandSpec[] = [
  /** SINTER key [key ...] */
  algebraCommand('sinter', 'inter', false, 'Intersect multiple sets'),
  /** SINTERSTORE destination key [key ...] */
  algebraCommand('sinterstore', 'inter', true, 'Intersect multiple sets and store the resulting set in a key'),
  /** SUNION key [key ...] */
  algebraCommand('sunion', 'union', false, 'Add multiple sets'),
  /** SUNIONSTORE destination key [key ...] */
  algebraCommand('sunionstore', 'union', true, 'Add multiple sets and store the resulting set in a key'),
  /** SDIFF key [key ...] */
  algebraCommand('sdiff', 'diff', false, 'Subtract multiple sets'),
  /** SDIFFSTORE destination key [key ...] */
  algebraCommand('sdiffstore', 'diff', true, 'Subtract multiple sets and store the resulting set in a key'),
  sintercard,
];
