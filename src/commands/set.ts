/** Set family: members, random picks, moves (algebra in set-algebra.ts). */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { SetValue } from '../datatypes/set.ts';
import { parseInteger } from './parse.ts';
import { getConfigNumber } from '../config/config.ts';
import { parseScanArgs } from './scan-args.ts';
import { scanStep, writeScanReply } from './scan.ts';
import { globMatch } from '../datatypes/glob.ts';
import { sampleDistinct, sampleWithRepeats } from '../datatypes/random.ts';
import { CursorTable } from '../engine/cursors.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import type { Client } from '../server/client.ts';
import { setAlgebraCommands } from './set-algebra.ts';

export function setAt(ks: Keyspace, key: string, read = false): SetValue | undefined {
  const v = read ? ks.lookupRead(key) : ks.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof SetValue)) throw new CommandError(Err.WRONGTYPE);
  return v;
}

export function maxIntset(c: Client): number {
  return getConfigNumber(c.server.config, 'set-max-intset-entries', 512);
}

/** Deletes the key when its set became empty, with the 'del' event. */
function dropIfEmpty(ks: Keyspace, key: string, s: SetValue): void {
  if (s.size() === 0) {
    ks.delete(key);
    ks.modified(key, 'del');
  }
}

/** SADD key member [member ...] */
const sadd = command({
  name: 'sadd', arity: -3, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set', since: '1.0.0', summary: 'Adds one or more members to a set. Creates the key if it doesn\'t exist.', complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    let s = setAt(ks, key);
    if (s === undefined) {
      s = new SetValue();
      ks.set(key, s);
    }
    const max = maxIntset(c);
    let n = 0;
    for (let i = 2; i < args.length; i++) if (s.add(args[i]!, max)) n++;
    if (n > 0) ks.modified(key, 'sadd');
    c.reply.int(n);
  },
});

/** SREM key member [member ...] */
const srem = command({
  name: 'srem', arity: -3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set', since: '1.0.0', summary: 'Removes one or more members from a set. Deletes the set if the last member was removed.', complexity: 'O(N) where N is the number of members to be removed.',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const s = setAt(ks, key);
    if (s === undefined) return c.reply.int(0);
    let n = 0;
    for (let i = 2; i < args.length; i++) if (s.delete(args[i]!)) n++;
    if (n > 0) {
      ks.modified(key, 'srem');
      dropIfEmpty(ks, key, s);
    }
    c.reply.int(n);
  },
});

/** SMEMBERS key */
const smembers = command({
  name: 'smembers', arity: 2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set', since: '1.0.0', summary: 'Returns all members of a set.', complexity: 'O(N) where N is the set cardinality.',
  handler(c, args) {
    const s = setAt(c.ks(args[1]!), args[1]!, true);
    const m = s ? s.members() : [];
    c.reply.set(m.length);
    for (const x of m) c.reply.bulk(x);
  },
});

/** SISMEMBER key member */
const sismember = command({
  name: 'sismember', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set', since: '1.0.0', summary: 'Determines whether a member belongs to a set.', complexity: 'O(1)',
  handler(c, args) {
    c.reply.int(setAt(c.ks(args[1]!), args[1]!, true)?.has(args[2]!) ? 1 : 0);
  },
});

/** SMISMEMBER key member [member ...] */
const smismember = command({
  name: 'smismember', arity: -3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set', since: '6.2.0', summary: 'Determines whether multiple members belong to a set.', complexity: 'O(N) where N is the number of elements being checked for membership',
  handler(c, args) {
    const s = setAt(c.ks(args[1]!), args[1]!, true);
    c.reply.array(args.length - 2);
    for (let i = 2; i < args.length; i++) c.reply.int(s?.has(args[i]!) ? 1 : 0);
  },
});

/** SCARD key */
const scard = command({
  name: 'scard', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set', since: '1.0.0', summary: 'Returns the number of members in a set.', complexity: 'O(1)',
  handler(c, args) {
    c.reply.int(setAt(c.ks(args[1]!), args[1]!, true)?.size() ?? 0);
  },
});

/** SPOP key [count] */
const spop = command({
  name: 'spop', arity: -2, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set', since: '1.0.0', summary: 'Returns one or more random members from a set after removing them. Deletes the set if the last member was popped.', complexity: 'Without the count argument O(1), otherwise O(N) where N is the value of the passed count.',
  handler(c, args) {
    if (args.length > 3) throw new CommandError(Err.SYNTAX);
    const key = args[1]!;
    const ks = c.ks(key);
    if (args.length === 3) {
      const count = parseInteger(args[2]!);
      if (count < 0) throw new CommandError(Err.POSITIVE);
      const s = setAt(ks, key);
      if (s === undefined || count === 0) return c.reply.set(0);
      const n = Math.min(count, s.size());
      c.reply.set(n);
      for (let i = 0; i < n; i++) {
        const m = s.random();
        s.delete(m);
        c.reply.bulk(m);
      }
      ks.modified(key, 'spop');
      return dropIfEmpty(ks, key, s);
    }
    const s = setAt(ks, key);
    if (s === undefined) return c.reply.nullBulk();
    const m = s.random();
    s.delete(m);
    c.reply.bulk(m);
    ks.modified(key, 'spop');
    dropIfEmpty(ks, key, s);
  },
});

/** SRANDMEMBER key [count] */
const srandmember = command({
  name: 'srandmember', arity: -2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set', since: '1.0.0', summary: 'Get one or multiple random members from a set', complexity: 'Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count.',
  handler(c, args) {
    if (args.length > 3) throw new CommandError(Err.SYNTAX);
    const s = setAt(c.ks(args[1]!), args[1]!, true);
    if (args.length === 2) return s ? c.reply.bulk(s.random()) : c.reply.nullBulk();
    const count = parseInteger(args[2]!);
    if (count < -4611686018427387903) throw new CommandError('ERR value is out of range');
    if (!s || count === 0) return c.reply.array(0);
    const items = [...s.entries()];
    c.reply.bulkArray(count > 0 ? sampleDistinct(items, Math.min(count, items.length)) : sampleWithRepeats(items, -count));
  },
});

/** SMOVE source destination member */
const smove = command({
  name: 'smove', arity: 4, flags: ['write', 'fast'], firstKey: 1, lastKey: 2, step: 1,
  group: 'set', since: '1.0.0', summary: 'Moves a member from one set to another.', complexity: 'O(1)',
  handler(c, args) {
    const [, src, dst, m] = args as [string, string, string, string];
    const sks = c.ks(src);
    const dks = c.ks(dst);
    const s = setAt(sks, src);
    if (s === undefined) return c.reply.int(0);
    const d = setAt(dks, dst);
    if (src === dst) return c.reply.int(s.has(m) ? 1 : 0);
    if (!s.delete(m)) return c.reply.int(0);
    sks.modified(src, 'srem');
    dropIfEmpty(sks, src, s);
    let target = d;
    if (target === undefined) {
      target = new SetValue();
      dks.set(dst, target);
    }
    target.add(m, maxIntset(c));
    dks.modified(dst, 'sadd');
    c.reply.int(1);
  },
});

const sscanCursors = new WeakMap<SetValue, CursorTable<string>>();

/** SSCAN key cursor [MATCH pattern] [COUNT count] */
const sscan = command({
  name: 'sscan', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set', since: '2.8.0', summary: 'Iterates over members of a set.', complexity: 'O(1) for every call. O(N) for a complete iteration.',
  handler(c, args) {
    const o = parseScanArgs(args, 2, false);
    const s = setAt(c.ks(args[1]!), args[1]!, true);
    if (!s) return writeScanReply(c.reply, 0, []);
    let table = sscanCursors.get(s);
    if (!table) sscanCursors.set(s, (table = new CursorTable()));
    const visited: string[] = [];
    const next = scanStep(table, o.cursor, () => s.entries(), s.intset ? Infinity : o.count, visited);
    writeScanReply(c.reply, next, visited.filter((m) => s.has(m) && (o.match === null || globMatch(o.match, m))));
  },
});

export const setCommands: CommandSpec[] = [sadd, srem, smembers, sismember, smismember, scard, spop, srandmember, smove, sscan, ...setAlgebraCommands];
