/** Expiry commands: EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT, TTL/PTTL, EXPIRETIME/PEXPIRETIME, PERSIST. */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { parseInt64OrNull } from '../core/parse.ts';
import { invalidExpire } from './expire-args.ts';
import { deletionCommand } from '../../engine/lazyfree.ts';

const NX = 1, XX = 2, GT = 4, LT = 8;

/** Redis's parseExtendedExpireArgumentsOrReply: NX | XX | GT | LT after the time. */
function parseExpireFlags(args: string[]): number {
  let flags = 0;
  for (let j = 3; j < args.length; j++) {
    const o = args[j]!;
    if (o.length !== 2) throw new CommandError(`ERR Unsupported option ${o}`);
    const u = o.toUpperCase();
    if (u === 'NX') flags |= NX;
    else if (u === 'XX') flags |= XX;
    else if (u === 'GT') flags |= GT;
    else if (u === 'LT') flags |= LT;
    else throw new CommandError(`ERR Unsupported option ${o}`);
  }
  if (flags & NX && flags & (XX | GT | LT)) throw new CommandError('ERR NX and XX, GT or LT options at the same time are not compatible');
  if (flags & GT && flags & LT) throw new CommandError('ERR GT and LT options at the same time are not compatible');
  return flags;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;
/** Below these magnitudes n * unit + now is exact in a double and cannot overflow int64. */
const SAFE_MS = 2 ** 53 - 1e13;
const SAFE_S = SAFE_MS / 1000;

/**
 * Absolute expiry in ms from the argument, with Redis's overflow checks
 * (unit conversion, then basetime addition) done exactly in int64 terms.
 */
function expireTime(arg: string, unit: 1 | 1000, basetime: number, name: string): number {
  const n = parseInt64OrNull(arg);
  if (n === null) throw new CommandError(Err.NOT_INTEGER);
  const safe = unit === 1000 ? SAFE_S : SAFE_MS;
  if (n < safe && n > -safe) return n * unit + basetime;
  let when = BigInt(arg);
  if (unit === 1000) {
    if (when > INT64_MAX / 1000n || when < INT64_MIN / 1000n) throw invalidExpire(name);
    when *= 1000n;
  }
  if (when > INT64_MAX - BigInt(basetime)) throw invalidExpire(name);
  return Number(when + BigInt(basetime));
}

/**
 * Redis's expireGenericCommand. unit 1000 = seconds; relative adds now.
 * A time already past deletes the key ('del' event, replicated as DEL).
 */
function expireCommand(name: string, unit: 1 | 1000, relative: boolean): CommandSpec {
  return command({
    name, arity: -3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'generic',
    handler(c, args) {
      const key = args[1]!;
      const flags = args.length > 3 ? parseExpireFlags(args) : 0;
      const now = c.server.engine.now();
      const when = expireTime(args[2]!, unit, relative ? now : 0, name);
      const ks = c.ks(key);
      if (ks.get(key) === undefined) return c.reply.int(0);
      if (flags !== 0) {
        const cur = ks.getExpire(key);
        if (flags & NX && cur !== undefined) return c.reply.int(0);
        if (flags & XX && cur === undefined) return c.reply.int(0);
        // no TTL counts as an infinite one: GT never beats it, LT always does
        if (flags & GT && (cur === undefined || when <= cur)) return c.reply.int(0);
        if (flags & LT && cur !== undefined && when >= cur) return c.reply.int(0);
      }
      if (when <= now) {
        ks.delete(key);
        ks.modified(key, 'del');
        c.propagate = [deletionCommand(c.server.config, 'lazyfree-lazy-expire'), key];
      } else {
        ks.setExpire(key, when);
        ks.modified(key, 'expire');
        // replicated as PEXPIREAT with the absolute time, options kept (as Redis rewrites argv)
        if (name !== 'pexpireat') c.propagate = args.length === 3 ? ['PEXPIREAT', key, String(when)] : ['PEXPIREAT', key, String(when), ...args.slice(3)];
      }
      c.reply.int(1);
    },
  });
}

/** TTL/PTTL (remaining) and EXPIRETIME/PEXPIRETIME (absolute): -2 no key, -1 no TTL; seconds are rounded. */
function ttlCommand(name: string, ms: boolean, absolute: boolean): CommandSpec {
  return command({
    name, arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'generic',
    handler(c, args) {
      const ks = c.ks(args[1]!);
      if (ks.lookupReadNoTouch(args[1]!) === undefined) return c.reply.int(-2);
      const when = ks.getExpire(args[1]!);
      if (when === undefined) return c.reply.int(-1);
      let ttl = absolute ? when : when - c.server.engine.now();
      if (ttl < 0) ttl = 0;
      if (ms) c.reply.int(ttl);
      else if (ttl < 2 ** 53) c.reply.int(Math.floor((ttl + 500) / 1000));
      else c.reply.int((BigInt(ttl) + 500n) / 1000n); // beyond 2^53 the double sum would round
    },
  });
}

/** PERSIST key */
const persist = command({
  name: 'persist', arity: 2, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'generic',
  handler(c, args) {
    const ks = c.ks(args[1]!);
    if (ks.get(args[1]!) === undefined || !ks.persist(args[1]!)) return c.reply.int(0);
    ks.modified(args[1]!, 'persist');
    c.reply.int(1);
  },
});

export const expireCommands: CommandSpec[] = [
  expireCommand('expire', 1000, true),
  expireCommand('pexpire', 1, true),
  expireCommand('expireat', 1000, false),
  expireCommand('pexpireat', 1, false),
  ttlCommand('ttl', false, false),
  ttlCommand('pttl', true, false),
  ttlCommand('expiretime', false, true),
  ttlCommand('pexpiretime', true, true),
  persist,
];
