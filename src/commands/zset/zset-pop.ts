/** Sorted set pops: ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN, BZPOPMAX, BZMPOP. */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isOpt, parseRange } from '../core/parse.ts';
import { numkeysPositions } from '../core/numkeys.ts';
import { parseTimeout, serveOrBlock } from '../../engine/blocking.ts';
import { clearRange, rangeOut, zsetAt, zsetDropIfEmpty } from './zset-common.ts';
import type { Client } from '../../server/client.ts';

/**
 * Redis's genericZpopCommand on one key: pops up to `count` (-1: one,
 * plain reply) members. `emitKey` adds the key name (BZPOP*, ZMPOP);
 * `nested` makes member/score pairs arrays (RESP3 ZPOPMIN with a count,
 * ZMPOP). Returns false when the key does not exist (nothing written).
 * With a key emitted, replication sees ZPOPMIN/ZPOPMAX (as Redis rewrites it).
 */
export function zpop(c: Client, key: string, max: boolean, emitKey: boolean, count: number, nested: boolean): boolean {
  const ks = c.ks(key);
  const z = zsetAt(ks, key);
  if (z === undefined) return false;
  const r = c.reply;
  if (count === 0) {
    r.array(0);
    return true;
  }
  const size = z.size();
  const n = count < 0 ? 1 : count < size ? count : size;
  if (!nested && !emitKey) r.array(n * 2);
  else if (nested && !emitKey) r.array(n);
  else if (!nested) {
    r.array(n * 2 + 1);
    r.bulk(key);
  } else {
    r.array(2);
    r.bulk(key);
    r.array(n);
  }
  z.pop(max, n, rangeOut);
  const { members, scores } = rangeOut;
  for (let i = 0; i < n; i++) {
    if (nested) r.array(2);
    r.bulk(members[i]!);
    r.double(scores[i]!);
  }
  clearRange();
  ks.modified(key, max ? 'zpopmax' : 'zpopmin');
  zsetDropIfEmpty(ks, key, z);
  if (emitKey && c.server.replication.active) {
    const name = max ? 'ZPOPMAX' : 'ZPOPMIN';
    c.propagate = nested ? [name, key, String(n)] : [name, key];
  }
  return true;
}

function popCommand(name: string, max: boolean): CommandSpec {
  return command({
    name, arity: -2, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'sorted_set',
    handler(c, args) {
      if (args.length > 3) throw new CommandError(Err.SYNTAX);
      const count = args.length === 3 ? parseRange(args[2]!, 0, Infinity, Err.POSITIVE) : -1;
      if (!zpop(c, args[1]!, max, false, count, c.resp === 3 && count !== -1)) c.reply.array(0);
    },
  });
}

/** ZMPOP/BZMPOP arguments from the numkeys at args[from]. */
export interface ZmpopArgs {
  keys: string[];
  max: boolean;
  count: number;
}

/** Redis's zmpopGenericCommand parsing: numkeys, keys, MIN|MAX, [COUNT count]. */
export function parseZmpop(args: string[], from: number): ZmpopArgs {
  const numkeys = parseRange(args[from]!, 1, Infinity, 'ERR numkeys should be greater than 0');
  const whereIdx = from + numkeys + 1;
  if (whereIdx >= args.length) throw new CommandError(Err.SYNTAX);
  let max: boolean;
  if (isOpt(args[whereIdx]!, 'MIN')) max = false;
  else if (isOpt(args[whereIdx]!, 'MAX')) max = true;
  else throw new CommandError(Err.SYNTAX);
  let count = -1;
  for (let j = whereIdx + 1; j < args.length; j++) {
    if (count === -1 && isOpt(args[j]!, 'COUNT') && j < args.length - 1) {
      count = parseRange(args[++j]!, 1, Infinity, 'ERR count should be greater than 0');
    } else throw new CommandError(Err.SYNTAX);
  }
  return { keys: args.slice(from + 1, whereIdx), max, count: count === -1 ? 1 : count };
}

/** ZMPOP numkeys key [key ...] MIN | MAX [COUNT count] */
const zmpop = command({
  name: 'zmpop', arity: -4, flags: ['write', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'sorted_set',
  keys: numkeysPositions(1),
  handler(c, args) {
    const o = parseZmpop(args, 1);
    // the first existing key serves (an existing zset is never empty)
    for (const key of o.keys) if (zpop(c, key, o.max, true, o.count, true)) return;
    c.reply.nullArray();
  },
});


/** One blocking pop attempt on `key`: false (nothing written) when it is missing or empty. */
function servePop(c: Client, key: string, max: boolean, count: number, nested: boolean): boolean {
  const z = zsetAt(c.ks(key), key);
  if (z === undefined || z.size() === 0) return false;
  return zpop(c, key, max, true, count, nested);
}

function bpopCommand(name: string, max: boolean): CommandSpec {
  return command({
    name, arity: -3, flags: ['write', 'blocking', 'fast'], firstKey: 1, lastKey: -2, step: 1,
    group: 'sorted_set',
    handler(c, args) {
      const timeout = parseTimeout(args[args.length - 1]!);
      return serveOrBlock(c, args.slice(1, -1), timeout, (key) => servePop(c, key, max, -1, false));
    },
  });
}

/** BZMPOP timeout numkeys key [key ...] MIN | MAX [COUNT count] (arguments before the timeout, as Redis checks them). */
const bzmpop = command({
  name: 'bzmpop', arity: -5, flags: ['write', 'blocking', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'sorted_set',
  keys: numkeysPositions(2),
  handler(c, args) {
    const o = parseZmpop(args, 2);
    const timeout = parseTimeout(args[1]!);
    return serveOrBlock(c, o.keys, timeout, (key) => servePop(c, key, o.max, o.count, true));
  },
});

export const zsetPopCommands: CommandSpec[] = [
  /** ZPOPMIN key [count] */
  popCommand('zpopmin', false),
  /** ZPOPMAX key [count] */
  popCommand('zpopmax', true),
  zmpop,
  /** BZPOPMIN key [key ...] timeout */
  bpopCommand('bzpopmin', false),
  /** BZPOPMAX key [key ...] timeout */
  bpopCommand('bzpopmax', true),
  bzmpop,
];
