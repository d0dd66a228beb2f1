/** Set family: members, random picks, moves, SSCAN (algebra in set-algebra.ts). */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { SetValue, orderedSample } from '../../datatypes/set.ts';
import { parseInt64OrNull, parseRange } from '../core/parse.ts';
import { parseScanArgs } from '../core/scan-args.ts';
import { scanStep, writeScanReply } from '../keys/scan.ts';
import { globMatch } from '../../datatypes/glob.ts';
import { CursorTable } from '../../engine/cursors.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import type { Client } from '../../server/client.ts';
import { setAlgebraCommands } from './set-algebra.ts';
import { replyMembers, setAt, setLimits, unionOf } from './set-common.ts';
import { deletionCommand } from '../../engine/lazyfree.ts';

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
  group: 'set',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const v = ks.get(key);
    const lim = setLimits(c);
    // the form for the members coming, as Redis's setTypeCreate / setTypeMaybeConvert
    let s: SetValue;
    if (v === undefined) {
      s = SetValue.create(args[2]!, args.length - 2, lim);
      ks.set(key, s);
    } else if (v instanceof SetValue) {
      s = v;
      s.maybeConvert(args.length - 2, lim);
    } else {
      throw new CommandError(Err.WRONGTYPE);
    }
    // one member: the plain path; more: one rebuild of a small set for all
    const n = args.length === 3 ? (s.add(args[2]!, lim) ? 1 : 0) : s.addMany(args, 2, lim);
    if (n !== 0) ks.modified(key, 'sadd');
    c.reply.int(n);
  },
});

/** SREM key member [member ...] */
const srem = command({
  name: 'srem', arity: -3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const s = setAt(ks, key);
    if (s === undefined) return c.reply.int(0);
    const n = args.length === 3 ? (s.delete(args[2]!) ? 1 : 0) : s.deleteMany(args, 2);
    if (n !== 0) {
      ks.modified(key, 'srem');
      dropIfEmpty(ks, key, s);
    }
    c.reply.int(n);
  },
});

/** SMEMBERS key */
const smembers = command({
  name: 'smembers', arity: 2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set',
  handler(c, args) {
    const s = setAt(c.ks(args[1]!), args[1]!, true);
    if (s === undefined) return c.reply.set(0);
    replyMembers(c, s.members());
  },
});

/** SISMEMBER key member */
const sismember = command({
  name: 'sismember', arity: 3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set',
  handler(c, args) {
    const s = setAt(c.ks(args[1]!), args[1]!, true);
    c.reply.int(s !== undefined && s.has(args[2]!) ? 1 : 0);
  },
});

/** SMISMEMBER key member [member ...] */
const smismember = command({
  name: 'smismember', arity: -3, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set',
  handler(c, args) {
    const s = setAt(c.ks(args[1]!), args[1]!, true);
    c.reply.array(args.length - 2);
    for (let i = 2; i < args.length; i++) c.reply.int(s !== undefined && s.has(args[i]!) ? 1 : 0);
  },
});

/** SCARD key */
const scard = command({
  name: 'scard', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set',
  handler(c, args) {
    const s = setAt(c.ks(args[1]!), args[1]!, true);
    c.reply.int(s === undefined ? 0 : s.size());
  },
});

/** SPOP key [count] */
const spop = command({
  name: 'spop', arity: -2, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set',
  handler(c, args) {
    if (args.length !== 2) return spopWithCount(c, args);
    const key = args[1]!;
    const ks = c.ks(key);
    const s = setAt(ks, key);
    if (s === undefined) return c.reply.nullBulk();
    const m = s.popRandom();
    ks.modified(key, 'spop');
    c.reply.bulk(m);
    if (s.size() === 0) {
      ks.delete(key);
      ks.modified(key, 'del');
    }
    // replicas and the AOF get the deterministic form, as Redis sends it
    if (c.server.replication.active) c.propagate = ['SREM', key, m];
  },
});

/** SPOP key count: a RESP3 set of up to count distinct members. */
function spopWithCount(c: Client, args: string[]): void {
  if (args.length > 3) throw new CommandError(Err.SYNTAX);
  const count = parseRange(args[2]!, 0, Infinity, Err.POSITIVE);
  const key = args[1]!;
  const ks = c.ks(key);
  const s = setAt(ks, key);
  if (s === undefined || count === 0) return c.reply.set(0);
  const size = s.size();
  const lim = setLimits(c);
  if (count >= size) {
    ks.modified(key, 'spop');
    // the whole set, as SUNION of it lists it (a fresh set: an intset again
    // when it starts with integers, listed in ascending order)
    replyMembers(c, unionOf([s], lim).members());
    ks.delete(key);
    ks.modified(key, 'del');
    if (c.server.replication.active) c.propagate = [deletionCommand(c.server.config, 'lazyfree-lazy-server-del'), key];
    return;
  }
  let popped: string[];
  const remaining = size - count;
  if (s.listpack) {
    // one ordered walk of the listpack (lpNextRandom): the members picked
    // come in the listpack's order
    const ms = s.members();
    const few = remaining * 5 > count;
    const picks = orderedSample(size, few ? count : remaining);
    const picked = picks.map((i) => ms[i]!);
    if (few) {
      popped = picked;
      s.deleteMany(picked, 0);
    } else {
      // most of the set goes: the survivors make a fresh listpack, the rest is popped
      const keep = new Set(picks);
      popped = ms.filter((_, i) => !keep.has(i));
      s.reset(true);
      s.addMany(picked, 0, lim);
    }
  } else if (remaining * 5 > count) {
    // few members asked for: pick them one by one
    popped = [];
    for (let i = 0; i < count; i++) popped.push(s.popRandom());
  } else {
    // most of the set goes: pick the survivors, hand over the rest, and
    // rebuild the value from the survivors: a fresh intset when it was one,
    // else a fresh listpack (Redis's newset, by its first survivor's type)
    const wasIntset = s.intset;
    const keep: string[] = [];
    for (let i = 0; i < remaining; i++) keep.push(s.popRandom());
    popped = s.members().slice();
    s.reset(!wasIntset);
    s.addMany(keep, 0, lim);
  }
  // after the change: the keyspace recounts the value's bytes here
  ks.modified(key, 'spop');
  replyMembers(c, popped);
  if (c.server.replication.active) c.propagate = ['SREM', key, ...popped];
}

/** SRANDMEMBER key [count] */
const srandmember = command({
  name: 'srandmember', arity: -2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set',
  handler(c, args) {
    if (args.length > 3) throw new CommandError(Err.SYNTAX);
    const key = args[1]!;
    if (args.length === 2) {
      const s = setAt(c.ks(key), key, true);
      return s === undefined ? c.reply.nullBulk() : c.reply.bulk(s.random());
    }
    const arg = args[2]!;
    const l = parseInt64OrNull(arg);
    if (l === null) throw new CommandError(Err.NOT_INTEGER);
    // LONG_MIN is the one int64 outside -LONG_MAX..LONG_MAX (a double can't tell them apart)
    if (arg === '-9223372036854775808') throw new CommandError('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    const s = setAt(c.ks(key), key, true);
    if (s === undefined || l === 0) return c.reply.array(0);
    const r = c.reply;
    // a listpack set has no O(1) pick: unpack it once when there are several
    const list = s.listpack && l !== 1 && l !== -1 ? s.members() : null;
    const pick = (): string => (list === null ? s.random() : list[Math.floor(Math.random() * list.length)]!);
    if (l < 0 || l === 1) {
      // with repetitions (or a single pick), in random order
      const n = l < 0 ? -l : 1;
      r.array(n);
      for (let i = 0; i < n; i++) r.bulk(pick());
      return;
    }
    const size = s.size();
    const members = list ?? s.members();
    if (l >= size) {
      r.array(size);
      for (let i = 0; i < size; i++) r.bulk(members[i]!);
      return;
    }
    if (list !== null) {
      // a listpack: distinct members in its order (lpNextRandom)
      const picks = orderedSample(size, l);
      r.array(l);
      for (let i = 0; i < l; i++) r.bulk(list[picks[i]!]!);
      return;
    }
    r.array(l);
    if (l * 3 > size) {
      // most of the set: shuffle a copy partially and take its head
      const a = members.slice();
      for (let i = 0; i < l; i++) {
        const j = i + Math.floor(Math.random() * (size - i));
        const t = a[j]!;
        a[j] = a[i]!;
        a[i] = t;
        r.bulk(t);
      }
      return;
    }
    // a small share of a big set: distinct random picks
    const seen = new Set<string>();
    while (seen.size < l) {
      const m = pick();
      if (!seen.has(m)) {
        seen.add(m);
        r.bulk(m);
      }
    }
  },
});

/** SMOVE source destination member */
const smove = command({
  name: 'smove', arity: 4, flags: ['write', 'fast'], firstKey: 1, lastKey: 2, step: 1,
  group: 'set',
  handler(c, args) {
    const src = args[1]!;
    const dst = args[2]!;
    const m = args[3]!;
    const sks = c.ks(src);
    const dks = c.ks(dst);
    const srcv = sks.get(src);
    const dstv = dks.get(dst);
    if (srcv === undefined) return c.reply.int(0);
    if (!(srcv instanceof SetValue) || (dstv !== undefined && !(dstv instanceof SetValue))) throw new CommandError(Err.WRONGTYPE);
    if (srcv === dstv) return c.reply.int(srcv.has(m) ? 1 : 0);
    if (!srcv.delete(m)) return c.reply.int(0);
    sks.modified(src, 'srem');
    dropIfEmpty(sks, src, srcv);
    const lim = setLimits(c);
    let target = dstv;
    if (target === undefined) {
      target = SetValue.create(m, 1, lim);
      dks.set(dst, target);
    }
    if (target.add(m, lim)) dks.modified(dst, 'sadd');
    c.reply.int(1);
  },
});

const sscanCursors = new WeakMap<SetValue, CursorTable<string>>();

/** SSCAN key cursor [MATCH pattern] [COUNT count] */
const sscan = command({
  name: 'sscan', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'set',
  handler(c, args) {
    const key = args[1]!;
    // as Redis: the cursor is checked first, then the key, then the options
    let o = parseScanArgs(args.length > 3 ? args.slice(0, 3) : args, 2, 'set');
    const s = setAt(c.ks(key), key, true);
    if (s === undefined) return writeScanReply(c.reply, 0, []);
    if (args.length > 3) o = parseScanArgs(args, 2, 'set');
    const pattern = o.match;
    if (s.packed) {
      // a small (intset or packed) set comes whole in one call, cursor 0
      const all = s.members();
      writeScanReply(c.reply, 0, pattern === null ? all : all.filter((m) => globMatch(pattern, m)));
      return;
    }
    let table = sscanCursors.get(s);
    if (table === undefined) sscanCursors.set(s, (table = new CursorTable()));
    const visited: string[] = [];
    const next = scanStep(table, o.cursor, () => s.iterator(), o.count, visited);
    const out: string[] = [];
    for (const m of visited) if (s.has(m) && (pattern === null || globMatch(pattern, m))) out.push(m);
    writeScanReply(c.reply, next, out);
  },
});

export const setCommands: CommandSpec[] = [sadd, srem, smembers, sismember, smismember, scard, spop, srandmember, smove, sscan, ...setAlgebraCommands];
