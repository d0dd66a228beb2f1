/**
 * List commands that move elements between lists or pop from several:
 * LMOVE, RPOPLPUSH, LMPOP, and the blocking BLPOP, BRPOP, BLMOVE,
 * BRPOPLPUSH, BLMPOP (on engine/blocking.ts). What they did is replicated
 * as Redis rewrites it: LPOP/RPOP [count], LMOVE, RPOPLPUSH.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { ListValue } from '../../datatypes/list.ts';
import { parseTimeout, serveOrBlock, blockingDenied } from '../../engine/blocking.ts';
import { afterRemove, listAt, moveElement, mpopFrom, parseMpop, parseWhere } from './list-common.ts';
import { numkeysPositions } from '../core/numkeys.ts';
import type { Client } from '../../server/client.ts';

// other families block through the same helper (zset-pop.ts imports it from here)
export { serveOrBlock } from '../../engine/blocking.ts';

/** LMOVE source destination LEFT|RIGHT LEFT|RIGHT */
const lmove = command({
  name: 'lmove', arity: 5, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
  group: 'list',
  handler(c, args) {
    const from = parseWhere(args[3]!);
    const to = parseWhere(args[4]!);
    c.reply.bulkOrNull(moveElement(c, args[1]!, args[2]!, from, to));
  },
});

/** RPOPLPUSH source destination */
const rpoplpush = command({
  name: 'rpoplpush', arity: 3, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 2, step: 1,
  group: 'list',
  handler(c, args) {
    c.reply.bulkOrNull(moveElement(c, args[1]!, args[2]!, false, true));
  },
});

/** LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] — [key, [elements]] from the first non-empty list. */
const lmpop = command({
  name: 'lmpop', arity: -4, flags: ['write'], firstKey: 0, lastKey: 0, step: 0,
  group: 'list',
  keys: numkeysPositions(1),
  handler(c, args) {
    const o = parseMpop(args, 1);
    for (let i = 0; i < o.keys.length; i++) if (mpopFrom(c, o.keys[i]!, o.left, o.count)) return;
    c.reply.nullArray();
  },
});

/** BLPOP/BRPOP's serve: [key, element] from the list at key, if it has one. */
function servePop(c: Client, key: string, left: boolean): boolean {
  const ks = c.ks(key);
  const l = listAt(ks, key);
  if (l === undefined || l.length === 0) return false;
  c.reply.array(2);
  c.reply.bulk(key);
  c.reply.bulk((left ? l.popLeft() : l.popRight())!);
  afterRemove(ks, key, l, left ? 'lpop' : 'rpop');
  c.propagate = [left ? 'LPOP' : 'RPOP', key];
  return true;
}

function bpopCommand(name: string, left: boolean): CommandSpec {
  return command({
    name, arity: -3, flags: ['write', 'blocking'], firstKey: 1, lastKey: -2, step: 1,
    group: 'list',
    handler(c, args) {
      const timeout = parseTimeout(args[args.length - 1]!);
      return serveOrBlock(c, args.slice(1, -1), timeout, (key) => servePop(c, key, left));
    },
  });
}

/**
 * BLMOVE / BRPOPLPUSH (blmoveGenericCommand): moves at once when the source
 * has elements, else blocks on the source. A destination of the wrong type
 * is the command's error, and still fails the client once it was blocked.
 * Refused blocking (MULTI) answers a null bulk, a timeout a null array.
 */
function blockingMove(c: Client, args: readonly string[], from: boolean, to: boolean, timeoutMs: number, rpoplpush: boolean): void | Promise<void> {
  const src = args[1]!;
  const dst = args[2]!;
  const attempt = (blocked: boolean): boolean => {
    const sl = listAt(c.ks(src), src);
    if (sl === undefined || sl.length === 0) return false;
    const dv = c.ks(dst).get(dst);
    if (dv !== undefined && !(dv instanceof ListValue)) {
      if (!blocked) throw new CommandError(Err.WRONGTYPE);
      c.server.countError(Err.WRONGTYPE);
      c.reply.error(Err.WRONGTYPE);
      return true;
    }
    c.reply.bulk(moveElement(c, src, dst, from, to)!);
    c.propagate = rpoplpush ? ['RPOPLPUSH', src, dst] : ['LMOVE', src, dst, from ? 'LEFT' : 'RIGHT', to ? 'LEFT' : 'RIGHT'];
    return true;
  };
  if (attempt(false)) return;
  if (blockingDenied(c)) return c.reply.nullBulk();
  return c.server.blocking.block(c, { keys: [src], timeoutMs, serve: () => attempt(true), onTimeout: () => c.reply.nullArray() });
}

/** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout */
const blmove = command({
  name: 'blmove', arity: 6, flags: ['write', 'denyoom', 'blocking'], firstKey: 1, lastKey: 2, step: 1,
  group: 'list',
  handler(c, args) {
    const from = parseWhere(args[3]!);
    const to = parseWhere(args[4]!);
    return blockingMove(c, args, from, to, parseTimeout(args[5]!), false);
  },
});

/** BRPOPLPUSH source destination timeout */
const brpoplpush = command({
  name: 'brpoplpush', arity: 4, flags: ['write', 'denyoom', 'blocking'], firstKey: 1, lastKey: 2, step: 1,
  group: 'list',
  handler(c, args) {
    return blockingMove(c, args, false, true, parseTimeout(args[3]!), true);
  },
});

/** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] — the timeout is checked after the other arguments. */
const blmpop = command({
  name: 'blmpop', arity: -5, flags: ['write', 'blocking'], firstKey: 0, lastKey: 0, step: 0,
  group: 'list',
  keys: numkeysPositions(2),
  handler(c, args) {
    const o = parseMpop(args, 2);
    const timeout = parseTimeout(args[1]!);
    return serveOrBlock(c, o.keys, timeout, (key) => mpopFrom(c, key, o.left, o.count));
  },
});

export const listMoveCommands: CommandSpec[] = [
  lmove, rpoplpush, lmpop,
  /** BLPOP key [key ...] timeout */
  bpopCommand('blpop', true),
  /** BRPOP key [key ...] timeout */
  bpopCommand('brpop', false),
  blmove, brpoplpush, blmpop,
];
