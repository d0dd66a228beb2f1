/**
 * OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT | HELP. IDLETIME and FREQ read
 * the key's LRU clock / LFU counter (Keyspace.lruWord, src/engine/lru.ts); OBJECT
 * itself is no access (LOOKUP_NOTOUCH). The policy checks and errors are Redis's.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { isString, type Value } from '../../datatypes/value.ts';
import { stringEncoding } from '../string/string.ts';
import { replyHelp } from '../core/help.ts';
import { getConfigNumber, getConfigValue } from '../../config/config.ts';
import type { Client } from '../../server/client.ts';
import { idleMs, lfuCounter } from '../../engine/lru.ts';

/** Redis 7.0's OBJECT ENCODING name for any value. */
export function encodingOf(v: Value): string {
  return isString(v) ? stringEncoding(v) : v.encoding();
}

const LFU_NOT_SELECTED = 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
const LFU_SELECTED = 'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
/** Redis's OBJ_SHARED_REFCOUNT (INT_MAX): the refcount of shared small integers. */
const SHARED_REFCOUNT = 2147483647;

function policy(c: Client): string {
  return getConfigValue(c.server.config, 'maxmemory-policy') ?? 'noeviction';
}

/**
 * Whether Redis would hold this string as one of its shared integers 0..9999:
 * int-encoded, and sharing not disabled by maxmemory with an LRU/LFU policy.
 */
function isSharedInteger(c: Client, v: Value): boolean {
  if (typeof v !== 'string' || v.length > 4 || stringEncoding(v) !== 'int' || v.charCodeAt(0) === 45 /* - */) return false;
  if (getConfigNumber(c.server.config, 'maxmemory', 0) === 0) return true;
  const p = policy(c);
  return !p.includes('lru') && !p.includes('lfu');
}

function sub(name: string, reply: (c: Client, v: Value, key: string) => void): CommandSpec {
  return command({
    name, arity: 3, flags: ['readonly'], firstKey: 2, lastKey: 2, step: 1,
    group: 'generic',
    handler(c, args) {
      const v = c.ks(args[2]!).lookupReadNoTouch(args[2]!, false);
      if (v === undefined) return c.reply.nullBulk();
      reply(c, v, args[2]!);
    },
  });
}

const HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

/** OBJECT ENCODING|FREQ|IDLETIME|REFCOUNT key, OBJECT HELP */
export const objectCommand = command({
  name: 'object', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic',
  // in Redis's order (COMMAND INFO lists subcommands so)
  subcommands: [
    sub('encoding', (c, v) => c.reply.bulk(encodingOf(v))),
    sub('refcount', (c, v) => c.reply.int(isSharedInteger(c, v) ? SHARED_REFCOUNT : 1)),
    command({
      name: 'help', arity: 2, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
      group: 'generic',
      handler(c, args) {
        replyHelp(c, args[0]!, HELP);
      },
    }),
    sub('freq', (c, v, key) => {
      if (!policy(c).includes('lfu')) throw new CommandError(LFU_NOT_SELECTED);
      // shared integers carry no counter of their own in Redis: it reads 0
      if (isSharedInteger(c, v)) return c.reply.int(0);
      const ks = c.ks(key);
      ks.startTracking();
      c.reply.int(lfuCounter(ks.lruPolicy, ks.lruWord(key)));
    }),
    sub('idletime', (c, _v, key) => {
      if (policy(c).includes('lfu')) throw new CommandError(LFU_SELECTED);
      const ks = c.ks(key);
      // from the first OBJECT IDLETIME on, accesses are recorded (keys not accessed since count from their keyspace's start)
      ks.startTracking();
      c.reply.int(Math.floor(idleMs(ks.lruPolicy, ks.lruWord(key)) / 1000));
    }),
  ],
});
