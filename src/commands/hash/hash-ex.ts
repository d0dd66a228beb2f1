/**
 * Redis 8.0's hash commands built on field TTLs: HGETDEL (get and delete),
 * HGETEX (get and set or remove TTLs), HSETEX (set with a TTL, FNX / FXX).
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, wrongArity } from '../core/errors.ts';
import { HashValue } from '../../datatypes/hash.ts';
import { parseInt64OrNull } from '../core/parse.ts';
import {
  fieldExpireTime, fieldGone, fieldsBlock, hashAt, maxEntries, maxValue, propagateAll,
} from './hash-util.ts';
import { setFieldTtls } from './hash-ttl.ts';
import type { Client } from '../../server/client.ts';

/**
 * Replies the values of args[first…] for HGETDEL / HGETEX (nulls when there
 * is no hash) and returns the fields found live, or null without a hash;
 * fields found expired are removed (one 'hexpired'), which never empties the
 * hash while live ones remain.
 */
function replyFields(c: Client, key: string, h: HashValue | undefined, args: readonly string[], first: number): string[] | null {
  if (h === undefined) {
    c.reply.array(args.length - first);
    for (let i = first; i < args.length; i++) c.reply.nullBulk();
    return null;
  }
  const ks = c.ks(key);
  const live: string[] = [];
  const gone: string[] = [];
  c.reply.array(args.length - first);
  for (let i = first; i < args.length; i++) {
    const f = args[i]!;
    const v = h.get(f);
    if (v === undefined || gone.includes(f) || fieldGone(ks, key, h, f, gone)) c.reply.nullBulk();
    else {
      c.reply.bulk(v);
      live.push(f);
    }
  }
  ks.expireFields(key, gone);
  return live;
}

/** HGETDEL key FIELDS numfields field [field ...] */
const hgetdel = command({
  name: 'hgetdel', arity: -5, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const h = hashAt(ks, key);
    const first = fieldsBlock(args, 3, 'Number of fields must be a positive integer');
    const live = replyFields(c, key, h, args, first);
    if (live === null || h === undefined) return;
    // a field named twice is deleted (and streamed) once
    const deleted: string[] = [];
    for (const f of live) if (h.delete(f)) deleted.push(f);
    if (deleted.length === 0) return;
    ks.modified(key, 'hdel');
    if (h.size() === 0) {
      ks.delete(key);
      ks.modified(key, 'del');
    }
    c.propagate = ['HDEL', key, ...deleted];
  },
});

const GETEX_EX = 1, GETEX_PX = 2, GETEX_EXAT = 3, GETEX_PXAT = 4, GETEX_PERSIST = 5;

/** HGETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | PERSIST] FIELDS numfields field [field ...] */
const hgetex = command({
  name: 'hgetex', arity: -5, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const h = hashAt(ks, key);
    const o = args[2]!.toUpperCase();
    const cond = o === 'EX' ? GETEX_EX : o === 'PX' ? GETEX_PX : o === 'EXAT' ? GETEX_EXAT : o === 'PXAT' ? GETEX_PXAT : o === 'PERSIST' ? GETEX_PERSIST : 0;
    let numAt = 3;
    let at = 0;
    const now = c.server.engine.now();
    if (cond !== 0 && cond !== GETEX_PERSIST) {
      numAt += 2;
      at = fieldExpireTime(args[3]!, cond === GETEX_EX || cond === GETEX_EXAT, cond === GETEX_EX || cond === GETEX_PX ? now : 0, 'hgetex');
    } else if (cond === GETEX_PERSIST) numAt += 1;
    const first = fieldsBlock(args, numAt, 'Number of fields must be a positive integer');
    const live = replyFields(c, key, h, args, first);
    if (live === null || h === undefined || cond === 0 || live.length === 0) return;
    if (cond === GETEX_PERSIST) {
      const persisted: string[] = [];
      for (const f of live) if (h.persistField(f)) persisted.push(f);
      if (persisted.length === 0) return;
      ks.modified(key, 'hpersist');
      c.propagate = ['HPERSIST', key, 'FIELDS', String(persisted.length), ...persisted];
      return;
    }
    // the live fields were just read: expired ones (gone) are not among them
    const r = setFieldTtls(c, key, h, at, now, 0, live, 0, false);
    const vecs = r.hdels;
    if (r.set.length > 0) vecs.push(['HPEXPIREAT', key, String(at), 'FIELDS', String(r.set.length), ...r.set]);
    propagateAll(c, vecs);
  },
});

const FNX = 1, FXX = 2;
const SX_EX = 1, SX_PX = 2, SX_EXAT = 3, SX_PXAT = 4, SX_KEEPTTL = 5;

/** hsetexParseArgs: the condition, the expiry kind and time, and where the field/value pairs start. */
function parseHsetex(c: Client, args: readonly string[]): { cond: number; kind: number; at: number; now: number; timeAt: number; first: number } {
  let cond = 0;
  let kind = 0;
  let at = 0;
  let timeAt = -1;
  const now = c.server.engine.now();
  for (let i = 2; i < args.length; i++) {
    const o = args[i]!.toUpperCase();
    if (o === 'FIELDS') {
      if (i >= args.length - 3) throw new CommandError(wrongArity('hsetex'));
      const n = parseInt64OrNull(args[i + 1]!);
      if (n === null || n < 1 || n > 2147483647) throw new CommandError('ERR invalid number of fields');
      const remaining = args.length - i - 2;
      if (remaining % 2 !== 0 || n !== remaining / 2) throw new CommandError(wrongArity('hsetex'));
      return { cond, kind, at, now, timeAt, first: i + 2 };
    }
    const k = o === 'EX' ? SX_EX : o === 'PX' ? SX_PX : o === 'EXAT' ? SX_EXAT : o === 'PXAT' ? SX_PXAT : o === 'KEEPTTL' ? SX_KEEPTTL : 0;
    if (k !== 0) {
      if (kind !== 0) throw new CommandError('ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified');
      kind = k;
      if (k === SX_KEEPTTL) continue;
      if (i >= args.length - 1) throw new CommandError('ERR missing expire time');
      i++;
      at = fieldExpireTime(args[i]!, k === SX_EX || k === SX_EXAT, k === SX_EX || k === SX_PX ? now : 0, 'hsetex');
      timeAt = i;
    } else if (o === 'FXX' || o === 'FNX') {
      if (cond !== 0) throw new CommandError('ERR Only one of FXX or FNX arguments can be specified');
      cond = o === 'FXX' ? FXX : FNX;
    } else throw new CommandError(`ERR unknown argument: ${args[i]}`);
  }
  // never reached: the arity leaves FIELDS to find or too few arguments after it
  throw new CommandError(wrongArity('hsetex'));
}

/** HSETEX key [FNX | FXX] [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT unix-time-milliseconds | KEEPTTL] FIELDS numfields field value [field value ...] */
const hsetex = command({
  name: 'hsetex', arity: -6, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'hash',
  handler(c, args) {
    const p = parseHsetex(c, args);
    const key = args[1]!;
    const ks = c.ks(key);
    let h = hashAt(ks, key);
    if (h === undefined) {
      if (p.cond === FXX) return c.reply.int(0);
      h = new HashValue();
      ks.set(key, h);
    }
    const gone: string[] = [];
    if (p.cond !== 0) {
      let found = 0;
      let i = p.first;
      for (; i < args.length; i += 2) {
        const f = args[i]!;
        const exists = h.has(f) && !gone.includes(f) && !fieldGone(ks, key, h, f, gone);
        if (exists) found++;
        if ((p.cond === FXX && !exists) || (p.cond === FNX && exists)) break;
      }
      const all = found === (args.length - p.first) / 2;
      if ((p.cond === FNX && found !== 0) || (p.cond === FXX && !all)) {
        ks.expireFields(key, gone);
        c.reply.int(0);
        return;
      }
      if (ks.expireFields(key, gone)) {
        // the expired fields were the last: a new hash takes the pairs
        h = new HashValue();
        ks.set(key, h);
      }
    }
    const cfg = c.server.config;
    const maxE = maxEntries(cfg);
    const maxV = maxValue(cfg);
    const keep = p.kind !== 0;
    const setTtl = p.kind !== 0 && p.kind !== SX_KEEPTTL;
    const fields: string[] = [];
    for (let i = p.first; i < args.length; i += 2) {
      h.set(args[i]!, args[i + 1]!, maxE, maxV, keep);
      fields.push(args[i]!);
    }
    ks.modified(key, 'hset');
    let vecs: string[][] = [];
    if (setTtl) {
      const r = setFieldTtls(c, key, h, p.at, p.now, 0, fields, 0, false);
      vecs = r.hdels;
      if (r.deleted === 0) {
        // streamed with PXAT and the absolute time
        const vec = [...args];
        vec[p.timeAt - 1] = 'PXAT';
        vec[p.timeAt] = String(p.at);
        vecs.push(vec);
      }
    } else vecs.push([...args]);
    propagateAll(c, vecs);
    c.reply.int(1);
  },
});

export const hashExCommands: CommandSpec[] = [hgetdel, hgetex, hsetex];
