/**
 * Generic keyspace family: DEL, UNLINK, EXISTS, TYPE, KEYS, RANDOMKEY, TOUCH
 * (RENAME/MOVE/COPY in keys-copy.ts, OBJECT in object.ts, expiry in
 * expire.ts, SCAN in scan.ts). Keys of one command may live on different
 * shards: every key gets its own c.ks(key).
 */
import { listKeys, randomKey } from '../../engine/server-wide.ts';
import { freedLazily } from '../../engine/lazyfree.ts';
import { getConfigValue } from '../../config/config.ts';
import { command, type CommandSpec } from '../core/spec.ts';
import { typeOf, type Value } from '../../datatypes/value.ts';
import { expireCommands } from './expire.ts';
import { scanCommands } from './scan.ts';
import { copyCommands } from './keys-copy.ts';
import { objectCommand } from './object.ts';
import type { Client } from '../../server/client.ts';

export { encodingOf } from './object.ts';
export { cloneValue } from './keys-copy.ts';

/**
 * DEL key [key ...] / UNLINK key [key ...]. JS's collector frees in the
 * background either way; UNLINK (and DEL under lazyfree-lazy-user-del)
 * counts big values as lazily freed, as Redis (engine/lazyfree.ts).
 */
function delLike(name: 'del' | 'unlink'): CommandSpec {
  const del = name === 'del';
  return command({
    name, arity: -2, flags: del ? ['write'] : ['write', 'fast'], firstKey: 1, lastKey: -1, step: 1,
    group: 'generic',
    handler(c, args) {
      let n = 0;
      for (let i = 1; i < args.length; i++) {
        const key = args[i]!;
        const ks = c.ks(key);
        const v = ks.remove(key);
        if (v !== undefined) {
          if (freedLazily(v) && (!del || getConfigValue(c.server.config, 'lazyfree-lazy-user-del') === 'yes')) c.server.stats.lazyfreedObjects++;
          ks.modified(key, 'del');
          n++;
        }
      }
      c.reply.int(n);
    },
  });
}

/** EXISTS key [key ...] — a key mentioned twice counts twice. */
const exists = command({
  name: 'exists', arity: -2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, step: 1,
  group: 'generic',
  handler(c, args) {
    let n = 0;
    // no access: the key's LRU clock / LFU counter stays (LOOKUP_NOTOUCH)
    for (let i = 1; i < args.length; i++) if (c.ks(args[i]!).lookupReadNoTouch(args[i]!) !== undefined) n++;
    c.reply.int(n);
  },
});

/** TYPE key */
const type = command({
  name: 'type', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'generic',
  handler(c, args) {
    const v = c.ks(args[1]!).lookupReadNoTouch(args[1]!);
    c.reply.simple(v === undefined ? 'none' : typeOf(v));
  },
});

/** TOUCH key [key ...] — an access to each key (LRU clock / LFU counter); counts the existing ones. */
const touch = command({
  name: 'touch', arity: -2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: -1, step: 1,
  group: 'generic',
  handler(c, args) {
    let n = 0;
    for (let i = 1; i < args.length; i++) if (c.ks(args[i]!).lookupRead(args[i]!) !== undefined) n++;
    c.reply.int(n);
  },
});

/** KEYS pattern — every shard of the selected db; expired keys are skipped (not deleted), as in Redis. */
const keys = command({
  name: 'keys', arity: 2, flags: ['readonly'], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic',
  acl: ['@dangerous'],
  handler(c, args) {
    c.reply.bulkArray(listKeys(c.server.engine, c.db, args[1]!));
  },
});

/** RANDOMKEY */
const randomkey = command({
  name: 'randomkey', arity: 1, flags: ['readonly'], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic',
  handler(c) {
    c.reply.bulkOrNull(randomKey(c.server.engine, c.db));
  },
});

export const keyCommands: CommandSpec[] = [
  delLike('del'), delLike('unlink'), exists, type, keys, randomkey, touch,
  ...copyCommands,
  objectCommand,
  ...expireCommands,
  ...scanCommands,
];
