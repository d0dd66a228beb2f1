/** Blocking list commands: BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP. */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { ListValue } from '../datatypes/list.ts';
import { parseTimeout } from '../engine/blocking.ts';
import { afterRemove, listAt, moveElement, mpopFrom, parseMpop, parseWhere } from './list.ts';
import { numkeysPositions } from './numkeys.ts';
import type { Client } from '../server/client.ts';

/**
 * Serves the command now from the first key that can serve it, or blocks on
 * all of them. `serve` writes the reply and returns true when it could
 * serve; on the first pass its errors (WRONGTYPE…) are the command's errors,
 * once blocked a key of the wrong type just keeps the client waiting (as Redis).
 */
export function serveOrBlock(c: Client, keys: readonly string[], timeoutMs: number, serve: (key: string) => boolean): void | Promise<void> {
  for (const k of keys) if (serve(k)) return;
  if (c.inExec) {
    // inside MULTI/EXEC (and scripts) a blocking command times out at once
    c.reply.nullArray();
    return;
  }
  const mark = () => c.reply.len;
  return c.server.blocking.block(
    c,
    keys,
    timeoutMs,
    (key) => {
      const at = mark();
      try {
        return serve(key);
      } catch (e) {
        if (!(e instanceof CommandError)) throw e;
        c.reply.truncate(at);
        return false;
      }
    },
    () => c.reply.nullArray(),
  );
}

function bpop(name: string, left: boolean, summary: string): CommandSpec {
  return command({
    name, arity: -3, flags: ['write', 'noscript', 'blocking'], firstKey: 1, lastKey: -2, step: 1,
    group: 'list', since: '2.0.0', summary, complexity: 'O(N) where N is the number of provided keys.',
    args: [{ name: 'key', type: 'key', multiple: true }, { name: 'timeout', type: 'double' }],
    handler(c, args) {
      const timeout = parseTimeout(args[args.length - 1]!);
      const keys = args.slice(1, -1);
      return serveOrBlock(c, keys, timeout, (key) => {
        const ks = c.ks(key);
        const l = listAt(ks, key);
        if (l === undefined || l.length === 0) return false;
        c.reply.array(2);
        c.reply.bulk(key);
        c.reply.bulk((left ? l.popLeft() : l.popRight())!);
        afterRemove(ks, key, l, left ? 'lpop' : 'rpop');
        return true;
      });
    },
  });
}

function bmove(c: Client, src: string, dst: string, from: boolean, to: boolean, timeout: number): void | Promise<void> {
  return serveOrBlock(c, [src], timeout, () => {
    const sl = listAt(c.ks(src), src);
    if (sl === undefined || sl.length === 0) return false;
    // a destination of the wrong type fails the command even once blocked (the element stays)
    const dv = c.ks(dst).get(dst);
    if (dv !== undefined && !(dv instanceof ListValue)) {
      c.reply.error(Err.WRONGTYPE);
      return true;
    }
    const el = moveElement(c, src, dst, from, to);
    if (el === null) return false;
    c.reply.bulk(el);
    return true;
  });
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
const blmove = command({
  name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'noscript', 'blocking'], firstKey: 1, lastKey: 2, step: 1,
  group: 'list', since: '6.2.0', summary: 'Pops an element from a list, pushes it to another list and returns it. Blocks until an element is available otherwise. Deletes the list if the last element was moved.', complexity: 'O(1)',
  handler(c, args) {
    const from = parseWhere(args[3]!);
    const to = parseWhere(args[4]!);
    return bmove(c, args[1]!, args[2]!, from, to, parseTimeout(args[5]!));
  },
});

/** BRPOPLPUSH source destination timeout */
const brpoplpush = command({
  name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'noscript', 'blocking'], firstKey: 1, lastKey: 2, step: 1,
  group: 'list', since: '2.2.0', summary: 'Pops an element from a list, pushes it to another list and returns it. Block until an element is available otherwise. Deletes the list if the last element was popped.', complexity: 'O(1)',
  handler(c, args) {
    return bmove(c, args[1]!, args[2]!, false, true, parseTimeout(args[3]!));
  },
});

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] */
const blmpop = command({
  name: 'blmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'list', since: '7.0.0', summary: 'Pops the first element from one of multiple lists. Blocks until an element is available otherwise. Deletes the list if the last element was popped.', complexity: 'O(N+M) where N is the number of provided keys and M is the number of elements returned.',
  keys: numkeysPositions(2),
  handler(c, args) {
    const timeout = parseTimeout(args[1]!);
    const o = parseMpop(args, 2, parseWhere);
    return serveOrBlock(c, o.keys, timeout, (key) => mpopFrom(c, [key], o.left, o.count));
  },
});

export const listBlockingCommands: CommandSpec[] = [
  bpop('blpop', true, 'Removes and returns the first element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.'),
  bpop('brpop', false, 'Removes and returns the last element in a list. Blocks until an element is available otherwise. Deletes the list if the last element was popped.'),
  blmove, brpoplpush, blmpop,
];
