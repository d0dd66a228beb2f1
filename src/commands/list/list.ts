/**
 * List family: pushes, pops, lengths, ranges and edits (t_list.c). Moves,
 * multi-pops and the blocking commands are in list-blocking.ts; shared
 * helpers in list-common.ts; the value is datatypes/list.ts.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err, wrongArity } from '../core/errors.ts';
import { ListValue } from '../../datatypes/list.ts';
import { isOpt, parseInt64OrNull, parseInteger } from '../core/parse.ts';
import { afterRemove, bulkFrom, clampRange, listAt, listFill, listForRead, popInto } from './list-common.ts';
import { listMoveCommands } from './list-blocking.ts';

function pushCommand(name: string, left: boolean, onlyExisting: boolean): CommandSpec {
  const event = left ? 'lpush' : 'rpush';
  return command({
    name, arity: -3, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'list',
    handler(c, args) {
      const key = args[1]!;
      const ks = c.ks(key);
      const v = ks.get(key);
      let l: ListValue;
      if (v instanceof ListValue) l = v;
      else if (v !== undefined) throw new CommandError(Err.WRONGTYPE);
      else if (onlyExisting) return c.reply.int(0);
      else ks.set(key, (l = new ListValue()));
      const n = args.length;
      const fill = listFill(c);
      // several elements: one node rebuild for them all, not one each
      if (n > 3) l.pushMany(args, 2, left, fill);
      else if (left) l.pushLeft(args[2]!, fill);
      else l.pushRight(args[2]!, fill);
      c.reply.int(l.length);
      ks.modified(key, event);
    },
  });
}

function popCommand(name: string, left: boolean): CommandSpec {
  const event = left ? 'lpop' : 'rpop';
  return command({
    name, arity: -2, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'list',
    handler(c, args) {
      const key = args[1]!;
      if (args.length === 2) {
        const ks = c.ks(key);
        const l = ks.get(key);
        if (l === undefined) return c.reply.nullBulk();
        if (!(l instanceof ListValue)) throw new CommandError(Err.WRONGTYPE);
        c.reply.bulk((left ? l.popLeft() : l.popRight())!);
        afterRemove(ks, key, l, event);
        return;
      }
      if (args.length > 3) throw new CommandError(wrongArity(name));
      const count = parseInt64OrNull(args[2]!);
      if (count === null || count < 0) throw new CommandError(Err.POSITIVE);
      const ks = c.ks(key);
      const l = listAt(ks, key);
      if (l === undefined) return c.reply.nullArray();
      if (count === 0) return c.reply.array(0);
      const n = Math.min(count, l.length);
      c.reply.array(n);
      popInto(c, l, left, n);
      afterRemove(ks, key, l, event);
    },
  });
}

/** LLEN key */
const llen = command({
  name: 'llen', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list',
  handler(c, args) {
    const l = listForRead(c.ks(args[1]!), args[1]!);
    c.reply.int(l === undefined ? 0 : l.length);
  },
});

/** LRANGE key start stop */
const lrange = command({
  name: 'lrange', arity: 4, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list',
  handler(c, args) {
    let start = parseInteger(args[2]!);
    let end = parseInteger(args[3]!);
    const key = args[1]!;
    const l = listForRead(c.ks(key), key);
    if (l === undefined) return c.reply.array(0);
    const len = l.length;
    if (start < 0) start = len + start;
    if (end < 0) end = len + end;
    if (start < 0) start = 0;
    if (start > end || start >= len) return c.reply.array(0);
    if (end >= len) end = len - 1;
    const r = c.reply;
    const n = end - start + 1;
    r.array(n);
    // one walk to start, then streamed across nodes
    const cur = l.cursor(start);
    for (let k = 0; k < n && cur.next(); k++) bulkFrom(r, cur.s, cur.d, cur.len);
  },
});

/** LINDEX key index — the key is looked up before the index is parsed, as in Redis. */
const lindex = command({
  name: 'lindex', arity: 3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list',
  handler(c, args) {
    const l = listForRead(c.ks(args[1]!), args[1]!);
    if (l === undefined) return c.reply.nullBulk();
    const idx = parseInteger(args[2]!);
    const i = idx < 0 ? l.length + idx : idx;
    if (i < 0 || i >= l.length) return c.reply.nullBulk();
    c.reply.bulk(l.at(i));
  },
});

/** LSET key index element — "no such key" comes before a bad index. */
const lset = command({
  name: 'lset', arity: 4, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const l = listAt(ks, key);
    if (l === undefined) throw new CommandError(Err.NO_SUCH_KEY);
    const idx = parseInteger(args[2]!);
    const i = idx < 0 ? l.length + idx : idx;
    if (i < 0 || i >= l.length) throw new CommandError(Err.OUT_OF_RANGE);
    l.setAt(i, args[3]!, listFill(c));
    c.reply.ok();
    ks.modified(key, 'lset');
  },
});

/** LINSERT key BEFORE|AFTER pivot element — 0 when the key is missing, -1 when the pivot is. */
const linsert = command({
  name: 'linsert', arity: 5, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list',
  handler(c, args) {
    let after: boolean;
    if (isOpt(args[2]!, 'AFTER')) after = true;
    else if (isOpt(args[2]!, 'BEFORE')) after = false;
    else throw new CommandError(Err.SYNTAX);
    const key = args[1]!;
    const ks = c.ks(key);
    const l = listAt(ks, key);
    if (l === undefined) return c.reply.int(0);
    const at = l.indexOf(args[3]!);
    if (at < 0) return c.reply.int(-1);
    l.insertAt(after ? at + 1 : at, args[4]!, listFill(c));
    ks.modified(key, 'linsert');
    c.reply.int(l.length);
  },
});

/** LREM key count element — count > 0 from the head, < 0 from the tail, 0 all. */
const lrem = command({
  name: 'lrem', arity: 4, flags: ['write'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list',
  handler(c, args) {
    const count = parseInteger(args[2]!);
    const key = args[1]!;
    const ks = c.ks(key);
    const l = listAt(ks, key);
    if (l === undefined) return c.reply.int(0);
    const removed = l.removeMatching(args[3]!, Math.abs(count), count < 0);
    if (removed !== 0) afterRemove(ks, key, l, 'lrem');
    c.reply.int(removed);
  },
});

/** LTRIM key start stop */
const ltrim = command({
  name: 'ltrim', arity: 4, flags: ['write'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list',
  handler(c, args) {
    const start = parseInteger(args[2]!);
    const end = parseInteger(args[3]!);
    const key = args[1]!;
    const ks = c.ks(key);
    const l = listAt(ks, key);
    if (l === undefined) return c.reply.ok();
    const before = l.length;
    const r = clampRange(start, end, before);
    if (r === null) l.trim(1, 0);
    else l.trim(r[0], r[1]);
    if (l.length === before) {
      // nothing removed: the event and WATCH signal without counting a change (not replicated)
      ks.shard.emit(ks.db, key, 'ltrim');
    } else afterRemove(ks, key, l, 'ltrim');
    c.reply.ok();
  },
});

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
const lpos = command({
  name: 'lpos', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list',
  handler(c, args) {
    let rank = 1;
    let count = -1;
    let maxlen = 0;
    for (let j = 3; j < args.length; j++) {
      const more = j < args.length - 1;
      if (isOpt(args[j]!, 'RANK') && more) {
        rank = parseInteger(args[++j]!);
        // Redis 7.2+: a rank of -LONG_MAX .. LONG_MAX (LLONG_MIN cannot be negated)
        if (args[j] === '-9223372036854775808') throw new CommandError(Err.LONG_RANGE);
        if (rank === 0) throw new CommandError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
      } else if (isOpt(args[j]!, 'COUNT') && more) {
        count = nonNegative(args[++j]!, "ERR COUNT can't be negative");
      } else if (isOpt(args[j]!, 'MAXLEN') && more) {
        maxlen = nonNegative(args[++j]!, "ERR MAXLEN can't be negative");
      } else throw new CommandError(Err.SYNTAX);
    }
    // a negative rank searches from the tail
    const fromTail = rank < 0;
    if (fromTail) rank = -rank;
    const key = args[1]!;
    const l = listForRead(c.ks(key), key);
    if (l === undefined) return count !== -1 ? c.reply.array(0) : c.reply.nullBulk();
    const el = args[2]!;
    const len = l.length;
    const limit = maxlen === 0 || maxlen > len ? len : maxlen;
    let matches = 0;
    const found: number[] = [];
    const want = count === -1 ? 1 : count;
    l.findEach(el, fromTail, limit, (i) => {
      if (++matches < rank) return true;
      found.push(i);
      return want === 0 || found.length < want;
    });
    if (count === -1) return found.length ? c.reply.int(found[0]!) : c.reply.nullBulk();
    c.reply.array(found.length);
    for (let k = 0; k < found.length; k++) c.reply.int(found[k]!);
  },
});

/** getPositiveLongFromObjectOrReply with a message: an integer ≥ 0, else `msg` (for non-integers too). */
function nonNegative(s: string, msg: string): number {
  const n = parseInt64OrNull(s);
  if (n === null || n < 0) throw new CommandError(msg);
  return n;
}

export const listCommands: CommandSpec[] = [
  /** LPUSH key element [element ...] */
  pushCommand('lpush', true, false),
  /** RPUSH key element [element ...] */
  pushCommand('rpush', false, false),
  /** LPUSHX key element [element ...] — only when the list exists. */
  pushCommand('lpushx', true, true),
  /** RPUSHX key element [element ...] — only when the list exists. */
  pushCommand('rpushx', false, true),
  /** LPOP key [count] — with a count: an array, null array for a missing key. */
  popCommand('lpop', true),
  /** RPOP key [count] */
  popCommand('rpop', false),
  llen, lrange, lindex, lset, linsert, lrem, ltrim, lpos,
  ...listMoveCommands,
];
