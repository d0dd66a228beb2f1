/**
 * Changing the owner of pending entries: XCLAIM and XAUTOCLAIM. Both
 * replicate as one idempotent XCLAIM … FORCE JUSTID LASTID per entry they
 * touched (entries deleted from the stream are dropped from the PEL and
 * replicated the same way), plus XGROUP SETID when only LASTID moved the group.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { parseBigInt64OrNull } from '../core/parse.ts';
import type { StreamValue } from '../../datatypes/stream.ts';
import type { Consumer, ConsumerGroup, Nack } from '../../datatypes/stream-cgroup.ts';
import { cmpId, formatId, parseStreamId, type StreamID } from '../../datatypes/stream-id.ts';
import { cstr, longLong, opt, rangeStart, streamAt, strictId } from './stream-args.ts';
import { flushProp, groupProp, prependHeader, setIdVec, unpropagated, writeEntryById, xclaimVec, type GroupProp } from './stream-reply.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import type { Client } from '../../server/client.ts';

interface Target {
  ks: Keyspace;
  s: StreamValue;
  g: ConsumerGroup;
}

/** The stream and group of XCLAIM / XAUTOCLAIM, or NOGROUP. */
function target(c: Client, args: readonly string[]): Target {
  const key = args[1]!;
  const ks = c.ks(key);
  const s = streamAt(ks, key, true);
  const g = s?.group(args[2]!);
  if (g === undefined) throw new CommandError(`NOGROUP No such key '${cstr(key)}' or consumer group '${cstr(args[2]!)}'`);
  return { ks, s: s!, g };
}

/** The claiming consumer, looked up or created (7.2: even when nothing is claimed), and seen now. */
function claimer(t: Target, key: string, name: string, now: number): Consumer {
  let c = t.g.lookup(name);
  if (c === undefined) {
    c = t.g.create(name, now)!;
    t.ks.modified(key, 'xgroup-createconsumer');
  }
  c.seenTime = now;
  return c;
}

/** Moves a NACK to `to` (from its previous owner, if any). */
function reassign(n: Nack, to: Consumer): void {
  if (n.consumer === to) return;
  n.consumer?.pel.remove(n.ms, n.seq);
  to.pel.insert(n);
  n.consumer = to;
}

/** Drops a NACK whose entry is gone from the stream, replicating that as XCLAIM. */
function dropGone(t: Target, n: Nack, idArg: string, prop: GroupProp | null): void {
  if (prop !== null) prop.vecs.push(xclaimVec(prop, t.g, idArg, n));
  t.ks.shard.stats.dirty++;
  t.g.ack(n);
}

/** XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid] */
const xclaim = command({
  name: 'xclaim', arity: -6, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'stream',
  handler(c, args) {
    const key = args[1]!;
    const t = target(c, args);
    let minIdle = longLong(args[4]!, 'ERR Invalid min-idle-time argument for XCLAIM');
    if (minIdle < 0) minIdle = 0;
    const ids: StreamID[] = [];
    let j = 5;
    for (; j < args.length; j++) {
      const id = parseStreamId(args[j]!, 0, true, false);
      if (id === null) break;
      ids.push(id);
    }
    const lastIdArg = j - 1;
    const now = c.server.engine.now();
    let force = false;
    let justid = false;
    let deliveryTime = -1;
    let retryCount = -1;
    let lastId: StreamID = { ms: 0, seq: 0 };
    for (; j < args.length; j++) {
      const more = args.length - 1 - j;
      const a = args[j]!;
      if (opt(a, 'FORCE')) force = true;
      else if (opt(a, 'JUSTID')) justid = true;
      else if (more && opt(a, 'IDLE')) deliveryTime = now - longLong(args[++j]!, 'ERR Invalid IDLE option argument for XCLAIM');
      else if (more && opt(a, 'TIME')) deliveryTime = longLong(args[++j]!, 'ERR Invalid TIME option argument for XCLAIM');
      else if (more && opt(a, 'RETRYCOUNT')) retryCount = longLong(args[++j]!, 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
      else if (more && opt(a, 'LASTID')) lastId = strictId(args[++j]!);
      else throw new CommandError(`ERR Unrecognized XCLAIM option '${cstr(a)}'`);
    }
    const g = t.g;
    let propagateLastId = false;
    if (cmpId(lastId.ms, lastId.seq, g.lastMs, g.lastSeq) > 0) {
      g.lastMs = lastId.ms;
      g.lastSeq = lastId.seq;
      propagateLastId = true;
    }
    // a bogus IDLE/TIME (negative, in the future) means now
    if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
    const consumer = claimer(t, key, args[3]!, now);
    const prop = groupProp(c, key, args[2]!);
    const r = c.reply;
    const mark = r.len;
    let claimed = 0;
    for (let k = 5; k <= lastIdArg; k++) {
      const id = ids[k - 5]!;
      let nack = g.pel.get(id.ms, id.seq);
      if (!t.s.has(id)) {
        if (nack !== undefined) {
          dropGone(t, nack, args[k]!, prop);
          propagateLastId = false;
        }
        continue;
      }
      if (force && nack === undefined) {
        nack = { ms: id.ms, seq: id.seq, deliveryTime: now, deliveryCount: 1, consumer: null };
        g.pel.insert(nack);
      }
      if (nack === undefined) continue;
      // a NACK FORCE just created has no owner, and no idle time to check
      if (nack.consumer !== null && minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
      nack.deliveryTime = deliveryTime;
      if (retryCount >= 0) nack.deliveryCount = retryCount;
      else if (!justid) nack.deliveryCount++;
      reassign(nack, consumer);
      if (justid) r.bulk(formatId(id));
      else writeEntryById(r, t.s, id);
      consumer.activeTime = now;
      claimed++;
      if (prop !== null) prop.vecs.push(xclaimVec(prop, g, args[k]!, nack));
      propagateLastId = false;
      t.ks.shard.stats.dirty++;
    }
    if (propagateLastId) {
      if (prop !== null) prop.vecs.push(setIdVec(prop, g));
      t.ks.shard.stats.dirty++;
    }
    prependHeader(r, mark, `*${claimed}\r\n`);
    flushProp(c, prop);
    unpropagated(c);
  },
});

/** LONG_MAX / max(sizeof(streamID), attempts_factor) */
const MAX_AUTOCLAIM_COUNT = 576460752303423487n;

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
const xautoclaim = command({
  name: 'xautoclaim', arity: -6, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'stream',
  handler(c, args) {
    let minIdle = longLong(args[4]!, 'ERR Invalid min-idle-time argument for XAUTOCLAIM');
    if (minIdle < 0) minIdle = 0;
    const start = rangeStart(args[5]!);
    let count = 100;
    let justid = false;
    for (let j = 6; j < args.length; j++) {
      const more = args.length - 1 - j;
      if (more && opt(args[j]!, 'COUNT')) {
        const v = parseBigInt64OrNull(args[++j]!);
        if (v === null || v < 1n || v > MAX_AUTOCLAIM_COUNT) throw new CommandError('ERR COUNT must be > 0');
        count = Number(v);
      } else if (opt(args[j]!, 'JUSTID')) justid = true;
      else throw new CommandError(Err.SYNTAX);
    }
    const key = args[1]!;
    const t = target(c, args);
    const g = t.g;
    const prop = groupProp(c, key, args[2]!);
    const r = c.reply;
    const now = c.server.engine.now();
    const consumer = claimer(t, key, args[3]!, now);
    let attempts = count * 10;
    const deleted: StreamID[] = [];
    r.array(3);
    const mark = r.len;
    let claimed = 0;
    let cur = g.pel.ceiling(start.ms, start.seq);
    while (attempts-- > 0 && count > 0 && cur !== undefined) {
      const n: Nack = cur;
      cur = g.pel.ceiling(n.ms, n.seq, true);
      const id = { ms: n.ms, seq: n.seq };
      if (!t.s.has(id)) {
        dropGone(t, n, formatId(id), prop);
        deleted.push(id);
        count--;
        continue;
      }
      if (minIdle !== 0 && now - n.deliveryTime < minIdle) continue;
      n.deliveryTime = now;
      if (!justid) n.deliveryCount++;
      reassign(n, consumer);
      if (justid) r.bulk(formatId(id));
      else writeEntryById(r, t.s, id);
      consumer.activeTime = now;
      claimed++;
      count--;
      if (prop !== null) prop.vecs.push(xclaimVec(prop, g, formatId(id), n));
      t.ks.shard.stats.dirty++;
    }
    const cursor = cur === undefined ? '0-0' : formatId(cur);
    prependHeader(r, mark, `$${cursor.length}\r\n${cursor}\r\n*${claimed}\r\n`);
    r.array(deleted.length);
    for (const id of deleted) r.bulk(formatId(id));
    flushProp(c, prop);
    unpropagated(c);
  },
});

export const streamClaimCommands: CommandSpec[] = [xclaim, xautoclaim];
