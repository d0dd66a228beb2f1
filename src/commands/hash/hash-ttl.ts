/**
 * Hash field expiration (Redis 7.4): HEXPIRE HPEXPIRE HEXPIREAT HPEXPIREAT
 * (set), HTTL HPTTL HEXPIRETIME HPEXPIRETIME (read), HPERSIST (remove).
 * Per-field replies: -2 no such field, and for the setters 0 condition not
 * met, 1 set, 2 deleted (the time was already past); for the readers -1
 * no TTL; for HPERSIST -1 no TTL, 1 removed.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { HashValue } from '../../datatypes/hash.ts';
import { fieldExpireTime, fieldsBlock, hashAt, hashRead, propagateAll } from './hash-util.ts';
import type { Client } from '../../server/client.ts';

const NO_FIELD = -2;
const NO_CONDITION = 0;
const SET = 1;
const DELETED = 2;

const NX = 1, XX = 2, GT = 3, LT = 4;

/**
 * A field's expiry for HTTL and HPERSIST: -2 missing (or its TTL passed:
 * before now, or at now too when `strict`), -1 no TTL, else the time.
 */
function ttlState(h: HashValue, field: string, now: number, strict: boolean): number {
  if (!h.has(field)) return NO_FIELD;
  const at = h.fieldExpireAt(field);
  if (at === 0) return -1;
  return at < now || (strict && at === now) ? NO_FIELD : at;
}

function noFieldReplies(c: Client, n: number, code: number): void {
  c.reply.array(n);
  for (let i = 0; i < n; i++) c.reply.int(code);
}

/**
 * Sets the TTL `at` of each field in args[from…] as hashTypeSetEx under
 * condition `cond`, replying per field; `now` is the time `at` was reckoned
 * from (Redis's command time snapshot: a relative 1 ms is never past). Fields whose time is already past
 * are deleted (one HDEL each in the stream); the hash goes when emptied.
 * Returns the fields set and the HDEL vectors to stream.
 */
export function setFieldTtls(
  c: Client, key: string, h: HashValue, at: number, now: number, cond: number, args: readonly string[], from: number, reply: boolean,
): { set: string[]; hdels: string[][]; deleted: number } {
  const ks = c.ks(key);
  // a replica applying its primary's stream keeps a past time (checkAlreadyExpired)
  const past = at <= now && !ks.shard.expiryIgnored;
  h.enableFieldTtls();
  const set: string[] = [];
  const hdels: string[][] = [];
  let deleted = 0;
  for (let i = from; i < args.length; i++) {
    const f = args[i]!;
    let res: number;
    if (!h.has(f)) res = NO_FIELD;
    else {
      const prev = h.fieldExpireAt(f);
      if (prev === 0) res = cond === XX || cond === GT ? NO_CONDITION : SET;
      else if ((cond === GT && prev >= at) || (cond === LT && prev <= at) || cond === NX) res = NO_CONDITION;
      else res = SET;
      if (res === SET && past) {
        h.delete(f);
        ks.shard.stats.expiredSubkeys++;
        hdels.push(['HDEL', key, f]);
        deleted++;
        res = DELETED;
      } else if (res === SET) {
        h.setFieldExpire(f, at);
        set.push(f);
      }
    }
    if (reply) c.reply.int(res);
  }
  if (set.length + deleted > 0) {
    if (deleted > 0 && h.size() === 0) {
      ks.delete(key);
      ks.modified(key, 'hdel');
      ks.modified(key, 'del');
    } else ks.modified(key, deleted > 0 ? 'hdel' : 'hexpire');
  }
  return { set, hdels, deleted };
}

/** HEXPIRE / HPEXPIRE / HEXPIREAT / HPEXPIREAT key time [NX | XX | GT | LT] FIELDS numfields field [field ...] */
function hexpireCommand(name: string, seconds: boolean, relative: boolean): CommandSpec {
  return command({
    name, arity: -6, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'hash',
    handler(c, args) {
      const key = args[1]!;
      const h = hashAt(c.ks(key), key);
      const now = c.server.engine.now();
      const at = fieldExpireTime(args[2]!, seconds, relative ? now : 0, name);
      const o = args[3]!.toUpperCase();
      const cond = o === 'NX' ? NX : o === 'XX' ? XX : o === 'GT' ? GT : o === 'LT' ? LT : 0;
      const numAt = cond === 0 ? 4 : 5;
      const first = fieldsBlock(args, numAt, 'Parameter `numFields` should be greater than 0');
      const n = args.length - first;
      if (h === undefined) return noFieldReplies(c, n, NO_FIELD);
      c.reply.array(n);
      const r = setFieldTtls(c, key, h, at, now, cond, args, first, true);
      // streamed as HPEXPIREAT with the absolute time and only the fields set, after an HDEL per deleted one
      const vecs = r.hdels;
      if (r.set.length > 0) vecs.push(['HPEXPIREAT', key, String(at), ...args.slice(3, numAt - 1), args[numAt - 1]!, String(r.set.length), ...r.set]);
      propagateAll(c, vecs);
    },
  });
}

/** HTTL / HPTTL (remaining) and HEXPIRETIME / HPEXPIRETIME (absolute) key FIELDS numfields field [field ...] */
function httlCommand(name: string, ms: boolean, absolute: boolean): CommandSpec {
  return command({
    name, arity: -5, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
    group: 'hash',
    handler(c, args) {
      const key = args[1]!;
      const h = hashRead(c, key);
      const first = fieldsBlock(args, 3, 'Number of fields must be a positive integer');
      const n = args.length - first;
      if (h === undefined) return noFieldReplies(c, n, NO_FIELD);
      const now = c.server.engine.now();
      const base = absolute ? 0 : now;
      // a listpackex counts a TTL equal to now as passed, a hashtable does not (as 7.4)
      const strict = h.isPacked();
      c.reply.array(n);
      for (let i = first; i < args.length; i++) {
        const at = ttlState(h, args[i]!, now, strict);
        c.reply.int(at <= 0 ? at : ms ? at - base : Math.floor((at + 999 - base) / 1000));
      }
    },
  });
}

/** HPERSIST key FIELDS numfields field [field ...] */
const hpersist = command({
  name: 'hpersist', arity: -5, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const h = hashAt(ks, key);
    const first = fieldsBlock(args, 3, 'Number of fields must be a positive integer');
    const n = args.length - first;
    if (h === undefined) return noFieldReplies(c, n, NO_FIELD);
    const now = ks.shard.now();
    let changed = false;
    c.reply.array(n);
    for (let i = first; i < args.length; i++) {
      const f = args[i]!;
      const at = ttlState(h, f, now, false);
      if (at <= 0) c.reply.int(at);
      else {
        h.persistField(f);
        c.reply.int(1);
        changed = true;
      }
    }
    if (changed) ks.modified(key, 'hpersist');
  },
});

export const hashTtlCommands: CommandSpec[] = [
  hexpireCommand('hexpire', true, true),
  hexpireCommand('hpexpire', false, true),
  hexpireCommand('hexpireat', true, false),
  hexpireCommand('hpexpireat', false, false),
  httlCommand('httl', false, false),
  httlCommand('hpttl', true, false),
  httlCommand('hexpiretime', false, true),
  httlCommand('hpexpiretime', true, true),
  hpersist,
];
