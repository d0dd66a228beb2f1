/** Expiry commands: EXPIRE/PEXPIRE/EXPIREAT/PEXPIREAT, TTL/PTTL, EXPIRETIME/PEXPIRETIME, PERSIST. */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { parseInt64OrNull } from './parse.ts';
import { invalidExpire, INT64_MAX_NUM } from './expire-args.ts';

const NX = 1, XX = 2, GT = 4, LT = 8;

function parseExpireFlags(args: string[], from: number): number {
  let flags = 0;
  for (let j = from; j < args.length; j++) {
    const o = args[j]!.toUpperCase();
    if (o === 'NX') flags |= NX;
    else if (o === 'XX') flags |= XX;
    else if (o === 'GT') flags |= GT;
    else if (o === 'LT') flags |= LT;
    else throw new CommandError(`ERR Unsupported option ${args[j]!}`);
  }
  if (flags & NX && flags & (XX | GT | LT)) throw new CommandError('ERR NX and XX, GT or LT options at the same time are not compatible');
  if (flags & GT && flags & LT) throw new CommandError('ERR GT and LT options at the same time are not compatible');
  return flags;
}

/** Redis's expireGenericCommand. unit 1000 = seconds; relative adds now. */
function expireCommand(name: string, unit: 1 | 1000, relative: boolean, since: string, summary: string): CommandSpec {
  return command({
    name, arity: -3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'generic', since, summary, complexity: 'O(1)',
    args: [{ name: 'key', type: 'key' }, { name: unit === 1000 ? 'seconds' : 'milliseconds', type: relative ? 'integer' : 'unix-time' }],
    handler(c, args) {
      const key = args[1]!;
      const n = parseInt64OrNull(args[2]!);
      if (n === null) throw new CommandError(Err.NOT_INTEGER);
      const flags = parseExpireFlags(args, 3);
      let when = n;
      if (unit === 1000) {
        const big = BigInt(args[2]!);
        if (big > 9223372036854775807n / 1000n || big < -9223372036854775808n / 1000n) throw invalidExpire(name);
        when *= 1000;
      }
      const now = c.server.engine.now();
      if (relative) {
        if (when > INT64_MAX_NUM - now) throw invalidExpire(name);
        when += now;
      }
      const ks = c.ks(key);
      if (ks.get(key) === undefined) return c.reply.int(0);
      const cur = ks.getExpire(key);
      if (flags & NX && cur !== undefined) return c.reply.int(0);
      if (flags & XX && cur === undefined) return c.reply.int(0);
      if (flags & GT && (cur === undefined || when <= cur)) return c.reply.int(0);
      if (flags & LT && cur !== undefined && when >= cur) return c.reply.int(0);
      if (when <= now) {
        ks.delete(key);
        ks.modified(key, 'del');
        c.propagate = ['DEL', key];
      } else {
        ks.setExpire(key, when);
        ks.modified(key, 'expire');
        c.propagate = ['PEXPIREAT', key, String(when)];
      }
      c.reply.int(1);
    },
  });
}

function ttlCommand(name: string, ms: boolean, absolute: boolean, since: string, summary: string): CommandSpec {
  return command({
    name, arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'generic', since, summary, complexity: 'O(1)',
    args: [{ name: 'key', type: 'key' }],
    handler(c, args) {
      const ks = c.ks(args[1]!);
      if (ks.lookupRead(args[1]!) === undefined) return c.reply.int(-2);
      const when = ks.getExpire(args[1]!);
      if (when === undefined) return c.reply.int(-1);
      if (absolute) return c.reply.int(ms ? when : Math.floor(when / 1000));
      const ttl = Math.max(0, when - c.server.engine.now());
      c.reply.int(ms ? ttl : Math.floor((ttl + 500) / 1000));
    },
  });
}

/** PERSIST key */
const persist = command({
  name: 'persist', arity: 2, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'generic', since: '2.2.0', summary: 'Removes the expiration time of a key.', complexity: 'O(1)',
  args: [{ name: 'key', type: 'key' }],
  handler(c, args) {
    const ks = c.ks(args[1]!);
    if (ks.get(args[1]!) === undefined || !ks.persist(args[1]!)) return c.reply.int(0);
    ks.modified(args[1]!, 'persist');
    c.reply.int(1);
  },
});

export const expireCommands: CommandSpec[] = [
  expireCommand('expire', 1000, true, '1.0.0', 'Sets the expiration time of a key in seconds.'),
  expireCommand('pexpire', 1, true, '2.6.0', 'Sets the expiration time of a key in milliseconds.'),
  expireCommand('expireat', 1000, false, '1.2.0', 'Sets the expiration time of a key to a Unix timestamp.'),
  expireCommand('pexpireat', 1, false, '2.6.0', 'Sets the expiration time of a key to a Unix milliseconds timestamp.'),
  ttlCommand('ttl', false, false, '1.0.0', 'Returns the expiration time in seconds of a key.'),
  ttlCommand('pttl', true, false, '2.6.0', 'Returns the expiration time in milliseconds of a key.'),
  ttlCommand('expiretime', false, true, '7.0.0', 'Returns the expiration time of a key as a Unix timestamp.'),
  ttlCommand('pexpiretime', true, true, '7.0.0', 'Returns the expiration time of a key as a Unix milliseconds timestamp.'),
  persist,
];
