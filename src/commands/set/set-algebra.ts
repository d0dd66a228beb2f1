/**
 * Set algebra: SINTER, SINTERCARD, SINTERSTORE, SUNION(STORE), SDIFF(STORE).
 * The keys may sit on different shards: each is looked up in its own keyspace.
 * Results come in Redis's order where Redis defines one (an intset iterates
 * in ascending order; a stored result is a new set with its own encoding).
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { EMPTY_LISTPACK, SetValue, type SetLimits } from '../../datatypes/set.ts';
import { EMPTY_INTSET } from '../../datatypes/intset.ts';
import { isInt64 } from '../core/parse.ts';
import { numkeysPositions, parseIntercard } from '../core/numkeys.ts';
import { replyMembers, setAt, setLimits, unionOf } from './set-common.ts';
import type { Client } from '../../server/client.ts';

type Op = 'inter' | 'union' | 'diff';

/** The sets at keys[from..] (undefined for missing keys); WRONGTYPE for the first non-set, as Redis. */
function loadSets(c: Client, keys: readonly string[], from: number, to = keys.length): Array<SetValue | undefined> {
  const out = new Array<SetValue | undefined>(to - from);
  for (let i = from; i < to; i++) out[i - from] = setAt(c.ks(keys[i]!), keys[i]!, true);
  return out;
}

/** The sets by ascending size, ties in key order (the smallest one is walked). */
function bySize(sets: Array<SetValue | undefined>): SetValue[] | null {
  for (const s of sets) if (s === undefined || s.size() === 0) return null;
  return (sets as SetValue[]).slice().sort((a, b) => a.size() - b.size());
}

/**
 * Walks the intersection: calls `emit` for each member of the smallest set
 * (in its iteration order) found in all the others; stops when emit returns false.
 */
function intersect(sorted: SetValue[] | null, emit: (m: string) => boolean): void {
  if (sorted === null) return;
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

/**
 * SINTERSTORE's result as Redis's sinterGenericCommand builds it: an intset
 * when the smallest set is one, else a listpack, taking the members in
 * order; then an intset when every member is an integer and they fit one.
 */
function interStore(sorted: SetValue[] | null, lim: SetLimits): SetValue {
  const members: string[] = [];
  intersect(sorted, (m) => members.push(m) > 0);
  const res = new SetValue(sorted !== null && sorted[0]!.intset ? EMPTY_INTSET : EMPTY_LISTPACK);
  res.addMany(members, 0, lim);
  if (!res.intset && res.size() <= Math.min(lim.setMaxIntsetEntries, 1 << 30) && members.every(isInt64)) {
    const ints = new SetValue();
    ints.addMany(members, 0, lim);
    return ints;
  }
  return res;
}

/**
 * SDIFF into a new set value as Redis's sunionDiffGenericCommand builds it:
 * a fresh intset taking the members of the first set found in no other
 * (algorithm 1), or every member of the first set less those of the others
 * (algorithm 2, when the first set is big beside the others), which may
 * convert on the way to a form the result alone would not need.
 */
function diff(sets: Array<SetValue | undefined>, lim: SetLimits): SetValue {
  const out = new SetValue();
  const first = sets[0];
  if (first === undefined) return out;
  for (let j = 1; j < sets.length; j++) if (sets[j] === first) return out; // X - X = {}
  let one = 0;
  let two = 0;
  for (const s of sets) {
    if (s === undefined) continue;
    one += first.size();
    two += s.size();
  }
  const ms = first.members();
  if (Math.floor(one / 2) > two) {
    out.addMany(ms, 0, lim);
    for (let j = 1; j < sets.length && out.size() !== 0; j++) {
      const s = sets[j];
      if (s !== undefined) out.deleteMany(s.members(), 0);
    }
    return out;
  }
  const kept: string[] = [];
  outer: for (let i = 0; i < ms.length; i++) {
    const m = ms[i]!;
    for (let j = 1; j < sets.length; j++) {
      const o = sets[j];
      if (o !== undefined && o.has(m)) continue outer;
    }
    kept.push(m);
  }
  out.addMany(kept, 0, lim);
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

function algebraCommand(name: string, op: Op, isStore: boolean): CommandSpec {
  return command({
    name, arity: isStore ? -3 : -2, flags: isStore ? ['write', 'denyoom'] : ['readonly'], firstKey: 1, lastKey: -1, step: 1,
    group: 'set',
    handler(c, args) {
      const sets = loadSets(c, args, isStore ? 2 : 1);
      const lim = setLimits(c);
      if (op === 'inter') {
        if (isStore) return store(c, args[1]!, interStore(bySize(sets), lim), 'sinterstore');
        const out: string[] = [];
        intersect(bySize(sets), (m) => out.push(m) > 0);
        return replyMembers(c, out);
      }
      const res = op === 'union' ? unionOf(sets, lim) : diff(sets, lim);
      if (isStore) return store(c, args[1]!, res, op === 'union' ? 'sunionstore' : 'sdiffstore');
      replyMembers(c, res.members());
    },
  });
}

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
const sintercard = command({
  name: 'sintercard', arity: -3, flags: ['readonly', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'set',
  keys: numkeysPositions(1),
  handler(c, args) {
    const { keys, limit } = parseIntercard(args, 'ERR numkeys should be greater than 0');
    let n = 0;
    intersect(bySize(loadSets(c, keys, 0)), () => ++n !== limit);
    c.reply.int(n);
  },
});

export const setAlgebraCommands: CommandSpec[] = [
  /** SINTER key [key ...] */
  algebraCommand('sinter', 'inter', false),
  /** SINTERSTORE destination key [key ...] */
  algebraCommand('sinterstore', 'inter', true),
  /** SUNION key [key ...] */
  algebraCommand('sunion', 'union', false),
  /** SUNIONSTORE destination key [key ...] */
  algebraCommand('sunionstore', 'union', true),
  /** SDIFF key [key ...] */
  algebraCommand('sdiff', 'diff', false),
  /** SDIFFSTORE destination key [key ...] */
  algebraCommand('sdiffstore', 'diff', true),
  sintercard,
];
