/** List family: pushes, pops, ranges and edits (blocking variants in list-blocking.ts). */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { ListValue } from '../datatypes/list.ts';
import { isOpt, parseInteger, parseRange } from './parse.ts';
import type { Client } from '../server/client.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import type { Value } from '../datatypes/value.ts';
import { listBlockingCommands } from './list-blocking.ts';
import { numkeysPositions } from './numkeys.ts';

/** The list at key (for a write), undefined when missing; WRONGTYPE otherwise. */
export function listAt(ks: Keyspace, key: string, read = false): ListValue | undefined {
  const v: Value | undefined = read ? ks.lookupRead(key) : ks.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof ListValue)) throw new CommandError(Err.WRONGTYPE);
  return v;
}

/** Emits the pop event and deletes the key if the list became empty. */
export function afterRemove(ks: Keyspace, key: string, l: ListValue, event: string): void {
  ks.modified(key, event);
  if (l.length === 0) {
    ks.delete(key);
    ks.modified(key, 'del');
  }
}

/** Parses a positive count: `ERR value is out of range, must be positive`. */
export function positiveCount(s: string, msg: string = Err.POSITIVE): number {
  const n = parseInteger(s);
  if (n < 0) throw new CommandError(msg.startsWith('ERR') ? msg : 'ERR ' + msg);
  return n;
}

function pushCommand(name: string, left: boolean, onlyExisting: boolean, since: string, summary: string): CommandSpec {
  const event = left ? 'lpush' : 'rpush';
  return command({
    name, arity: -3, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'list', since, summary, complexity: 'O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments.',
    args: [{ name: 'key', type: 'key' }, { name: 'element', type: 'string', multiple: true }],
    handler(c, args) {
      const key = args[1]!;
      const ks = c.ks(key);
      let l = listAt(ks, key);
      if (l === undefined) {
        if (onlyExisting) return c.reply.int(0);
        l = new ListValue();
        ks.set(key, l);
      }
      if (left) for (let i = 2; i < args.length; i++) l.pushLeft(args[i]!);
      else for (let i = 2; i < args.length; i++) l.pushRight(args[i]!);
      ks.modified(key, event);
      c.reply.int(l.length);
    },
  });
}

function popCommand(name: string, left: boolean, summary: string): CommandSpec {
  return command({
    name, arity: -2, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'list', since: '1.0.0', summary, complexity: 'O(N) where N is the number of elements returned',
    args: [{ name: 'key', type: 'key' }, { name: 'count', type: 'integer', optional: true }],
    handler(c, args) {
      if (args.length > 3) throw new CommandError(`ERR wrong number of arguments for '${name}' command`);
      const hasCount = args.length === 3;
      const count = hasCount ? positiveCount(args[2]!) : 0;
      const key = args[1]!;
      const ks = c.ks(key);
      const l = listAt(ks, key);
      if (l === undefined) return hasCount ? c.reply.nullArray() : c.reply.nullBulk();
      if (hasCount && count === 0) return c.reply.array(0);
      if (!hasCount) {
        c.reply.bulk((left ? l.popLeft() : l.popRight())!);
      } else {
        const n = Math.min(count, l.length);
        c.reply.array(n);
        for (let i = 0; i < n; i++) c.reply.bulk((left ? l.popLeft() : l.popRight())!);
      }
      afterRemove(ks, key, l, left ? 'lpop' : 'rpop');
    },
  });
}

/** LLEN key */
const llen = command({
  name: 'llen', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list', since: '1.0.0', summary: 'Returns the length of a list.', complexity: 'O(1)',
  args: [{ name: 'key', type: 'key' }],
  handler(c, args) {
    c.reply.int(listAt(c.ks(args[1]!), args[1]!, true)?.length ?? 0);
  },
});

/** Clamps Redis-style start/end (negative from the tail) to [0, len-1]; null when empty. */
export function clampRange(start: number, end: number, len: number): [number, number] | null {
  if (start < 0) start = len + start;
  if (end < 0) end = len + end;
  if (start < 0) start = 0;
  if (start > end || start >= len) return null;
  if (end >= len) end = len - 1;
  return [start, end];
}

/** LRANGE key start stop */
const lrange = command({
  name: 'lrange', arity: 4, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list', since: '1.0.0', summary: 'Returns a range of elements from a list.', complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
  args: [{ name: 'key', type: 'key' }, { name: 'start', type: 'integer' }, { name: 'stop', type: 'integer' }],
  handler(c, args) {
    const start = parseInteger(args[2]!);
    const end = parseInteger(args[3]!);
    const l = listAt(c.ks(args[1]!), args[1]!, true);
    const r = l ? clampRange(start, end, l.length) : null;
    if (l === undefined || r === null) return c.reply.array(0);
    c.reply.array(r[1] - r[0] + 1);
    for (let i = r[0]; i <= r[1]; i++) c.reply.bulk(l.at(i));
  },
});

/** LINDEX key index */
const lindex = command({
  name: 'lindex', arity: 3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list', since: '1.0.0', summary: 'Returns an element from a list by its index.', complexity: 'O(N) where N is the number of elements to traverse to get to the element at index.',
  args: [{ name: 'key', type: 'key' }, { name: 'index', type: 'integer' }],
  handler(c, args) {
    const idx = parseInteger(args[2]!);
    const l = listAt(c.ks(args[1]!), args[1]!, true);
    if (l === undefined) return c.reply.nullBulk();
    const i = idx < 0 ? l.length + idx : idx;
    if (i < 0 || i >= l.length) return c.reply.nullBulk();
    c.reply.bulk(l.at(i));
  },
});

/** LSET key index element */
const lset = command({
  name: 'lset', arity: 4, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list', since: '1.0.0', summary: 'Sets the value of an element in a list by its index.', complexity: 'O(N) where N is the length of the list.',
  args: [{ name: 'key', type: 'key' }, { name: 'index', type: 'integer' }, { name: 'element', type: 'string' }],
  handler(c, args) {
    const idx = parseInteger(args[2]!);
    const ks = c.ks(args[1]!);
    const l = listAt(ks, args[1]!);
    if (l === undefined) throw new CommandError(Err.NO_SUCH_KEY);
    const i = idx < 0 ? l.length + idx : idx;
    if (i < 0 || i >= l.length) throw new CommandError(Err.OUT_OF_RANGE);
    l.setAt(i, args[3]!);
    ks.modified(args[1]!, 'lset');
    c.reply.ok();
  },
});

/** LINSERT key BEFORE|AFTER pivot element */
const linsert = command({
  name: 'linsert', arity: 5, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list', since: '2.2.0', summary: 'Inserts an element before or after another element in a list.', complexity: 'O(N) where N is the number of elements to traverse before seeing the value pivot.',
  args: [{ name: 'key', type: 'key' }],
  handler(c, args) {
    let after: boolean;
    if (isOpt(args[2]!, 'AFTER')) after = true;
    else if (isOpt(args[2]!, 'BEFORE')) after = false;
    else throw new CommandError(Err.SYNTAX);
    const ks = c.ks(args[1]!);
    const l = listAt(ks, args[1]!);
    if (l === undefined) return c.reply.int(0);
    const items = l.toArray();
    const at = items.indexOf(args[3]!);
    if (at < 0) return c.reply.int(-1);
    items.splice(after ? at + 1 : at, 0, args[4]!);
    l.replaceAll(items);
    ks.modified(args[1]!, 'linsert');
    c.reply.int(l.length);
  },
});

/** LREM key count element */
const lrem = command({
  name: 'lrem', arity: 4, flags: ['write'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list', since: '1.0.0', summary: 'Removes elements from a list.', complexity: 'O(N+M) where N is the length of the list and M is the number of elements removed.',
  args: [{ name: 'key', type: 'key' }, { name: 'count', type: 'integer' }, { name: 'element', type: 'string' }],
  handler(c, args) {
    const count = parseInteger(args[2]!);
    const el = args[3]!;
    const ks = c.ks(args[1]!);
    const l = listAt(ks, args[1]!);
    if (l === undefined) return c.reply.int(0);
    const items = l.toArray();
    let removed = 0;
    const limit = count === 0 ? Infinity : Math.abs(count);
    if (count >= 0) {
      const out: string[] = [];
      for (const s of items) {
        if (s === el && removed < limit) removed++;
        else out.push(s);
      }
      if (removed) l.replaceAll(out);
    } else {
      const out: string[] = [];
      for (let i = items.length - 1; i >= 0; i--) {
        if (items[i] === el && removed < limit) removed++;
        else out.push(items[i]!);
      }
      if (removed) l.replaceAll(out.reverse());
    }
    if (removed) afterRemove(ks, args[1]!, l, 'lrem');
    c.reply.int(removed);
  },
});

/** LTRIM key start stop */
const ltrim = command({
  name: 'ltrim', arity: 4, flags: ['write'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list', since: '1.0.0', summary: 'Removes elements from both ends a list. Deletes the list if all elements were trimmed.', complexity: 'O(N) where N is the number of elements to be removed by the operation.',
  args: [{ name: 'key', type: 'key' }, { name: 'start', type: 'integer' }, { name: 'stop', type: 'integer' }],
  handler(c, args) {
    const start = parseInteger(args[2]!);
    const end = parseInteger(args[3]!);
    const ks = c.ks(args[1]!);
    const l = listAt(ks, args[1]!);
    if (l === undefined) return c.reply.ok();
    const r = clampRange(start, end, l.length);
    if (r === null) l.replaceAll([]);
    else {
      const keepRight = l.length - 1 - r[1];
      for (let i = 0; i < r[0]; i++) l.popLeft();
      for (let i = 0; i < keepRight; i++) l.popRight();
    }
    afterRemove(ks, args[1]!, l, 'ltrim');
    c.reply.ok();
  },
});

/** LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len] */
const lpos = command({
  name: 'lpos', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'list', since: '6.0.6', summary: 'Returns the index of matching elements in a list.', complexity: 'O(N) where N is the number of elements in the list, for the average case.',
  args: [{ name: 'key', type: 'key' }, { name: 'element', type: 'string' }],
  handler(c, args) {
    let rank = 1;
    let count = -1;
    let maxlen = 0;
    for (let j = 3; j < args.length; j++) {
      const more = args.length - 1 - j;
      if (isOpt(args[j]!, 'RANK') && more) {
        rank = parseInteger(args[++j]!);
        if (rank === 0) throw new CommandError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list");
        if (rank <= -9223372036854775807) throw new CommandError('ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
      } else if (isOpt(args[j]!, 'COUNT') && more) {
        count = positiveCount(args[++j]!, "ERR COUNT can't be negative");
      } else if (isOpt(args[j]!, 'MAXLEN') && more) {
        maxlen = positiveCount(args[++j]!, "ERR MAXLEN can't be negative");
      } else throw new CommandError(Err.SYNTAX);
    }
    const fromTail = rank < 0;
    if (fromTail) rank = -rank;
    const l = listAt(c.ks(args[1]!), args[1]!, true);
    if (l === undefined) return count !== -1 ? c.reply.array(0) : c.reply.nullBulk();
    const el = args[2]!;
    const len = l.length;
    const found: number[] = [];
    let matches = 0;
    for (let n = 0; n < len && (maxlen === 0 || n < maxlen); n++) {
      const i = fromTail ? len - 1 - n : n;
      if (l.at(i) !== el) continue;
      matches++;
      if (matches >= rank) {
        found.push(i);
        if (count === -1 || (count !== 0 && found.length >= count)) break;
      }
    }
    if (count === -1) return found.length ? c.reply.int(found[0]!) : c.reply.nullBulk();
    c.reply.array(found.length);
    for (const i of found) c.reply.int(i);
  },
});

/** Parses LEFT|RIGHT. */
export function parseWhere(s: string): boolean {
  if (isOpt(s, 'LEFT')) return true;
  if (isOpt(s, 'RIGHT')) return false;
  throw new CommandError(Err.SYNTAX);
}

/**
 * LMOVE's core: pops from src (left or right) and pushes to dst; returns
 * the moved element or null when src is missing. Checks dst's type first.
 */
export function moveElement(c: Client, src: string, dst: string, fromLeft: boolean, toLeft: boolean): string | null {
  const sks = c.ks(src);
  const sl = listAt(sks, src);
  if (sl === undefined) return null;
  const dks = c.ks(dst);
  let dl = listAt(dks, dst);
  const el = (fromLeft ? sl.popLeft() : sl.popRight())!;
  if (dl === undefined) {
    dl = new ListValue();
    dks.set(dst, dl);
  }
  if (toLeft) dl.pushLeft(el);
  else dl.pushRight(el);
  sks.modified(src, fromLeft ? 'lpop' : 'rpop');
  dks.modified(dst, toLeft ? 'lpush' : 'rpush');
  if (sl.length === 0) {
    sks.delete(src);
    sks.modified(src, 'del');
  }
  return el;
}

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
const lmove = command({
  name: 'lmove', arity: 5, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
  group: 'list', since: '6.2.0', summary: 'Returns an element after popping it from one list and pushing it to another. Deletes the list if the last element was moved.', complexity: 'O(1)',
  args: [{ name: 'source', type: 'key' }, { name: 'destination', type: 'key' }],
  handler(c, args) {
    const from = parseWhere(args[3]!);
    const to = parseWhere(args[4]!);
    c.reply.bulkOrNull(moveElement(c, args[1]!, args[2]!, from, to));
  },
});

/** RPOPLPUSH source destination */
const rpoplpush = command({
  name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
  group: 'list', since: '1.2.0', summary: 'Returns the last element of a list after removing and pushing it to another list. Deletes the list if the last element was popped.', complexity: 'O(1)',
  args: [{ name: 'source', type: 'key' }, { name: 'destination', type: 'key' }],
  handler(c, args) {
    c.reply.bulkOrNull(moveElement(c, args[1]!, args[2]!, false, true));
  },
});

export interface MpopArgs {
  keys: string[];
  left: boolean;
  count: number;
}

/** Parses `numkeys key... LEFT|RIGHT [COUNT n]` starting at args[from] (LMPOP, BLMPOP). */
export function parseMpop(args: string[], from: number, where: (s: string) => boolean): MpopArgs {
  const numkeys = parseRange(args[from]!, 1, Number.MAX_SAFE_INTEGER, 'ERR numkeys should be greater than 0');
  if (numkeys > args.length - from - 2) throw new CommandError(Err.SYNTAX);
  const keys = args.slice(from + 1, from + 1 + numkeys);
  let j = from + 1 + numkeys;
  const left = where(args[j++]!);
  let count = -1;
  for (; j < args.length; j++) {
    if (count === -1 && isOpt(args[j]!, 'COUNT') && j < args.length - 1) {
      count = parseRange(args[++j]!, 1, Number.MAX_SAFE_INTEGER, 'ERR count should be greater than 0');
    } else throw new CommandError(Err.SYNTAX);
  }
  return { keys, left, count: count === -1 ? 1 : count };
}

/** Pops up to count elements from the first non-empty list; writes [key, [els]] and returns true, or false. */
export function mpopFrom(c: Client, keys: readonly string[], left: boolean, count: number): boolean {
  for (const key of keys) {
    const ks = c.ks(key);
    const l = listAt(ks, key);
    if (l === undefined || l.length === 0) continue;
    const n = Math.min(count, l.length);
    c.reply.array(2);
    c.reply.bulk(key);
    c.reply.array(n);
    for (let i = 0; i < n; i++) c.reply.bulk((left ? l.popLeft() : l.popRight())!);
    afterRemove(ks, key, l, left ? 'lpop' : 'rpop');
    return true;
  }
  return false;
}

/** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] */
const lmpop = command({
  name: 'lmpop', arity: -4, flags: ['write', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'list', since: '7.0.0', summary: 'Returns multiple elements from a list after removing them. Deletes the list if the last element was popped.', complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
  keys: numkeysPositions(1),
  handler(c, args) {
    const o = parseMpop(args, 1, parseWhere);
    if (!mpopFrom(c, o.keys, o.left, o.count)) c.reply.nullArray();
  },
});

export const listCommands: CommandSpec[] = [
  pushCommand('lpush', true, false, '1.0.0', 'Prepends one or more elements to a list. Creates the key if it doesn\'t exist.'),
  pushCommand('rpush', false, false, '1.0.0', 'Appends one or more elements to a list. Creates the key if it doesn\'t exist.'),
  pushCommand('lpushx', true, true, '2.2.0', 'Prepends one or more elements to a list only when the list exists.'),
  pushCommand('rpushx', false, true, '2.2.0', 'Appends an element to a list only when the list exists.'),
  popCommand('lpop', true, 'Returns the first elements in a list after removing it. Deletes the list if the last element was popped.'),
  popCommand('rpop', false, 'Returns and removes the last elements of a list. Deletes the list if the last element was popped.'),
  llen, lrange, lindex, lset, linsert, lrem, ltrim, lpos, lmove, rpoplpush, lmpop,
  ...listBlockingCommands,
];
