/**
 * XREAD and XREADGROUP (Redis's xreadCommand), serving at once every
 * stream that has entries past the given ID, or blocking on all of them
 * (engine/blocking.ts): `$` is the last ID when the command ran, `+` (7.4)
 * the last entry (the ID before the last ID), `>` the
 * group's last delivered ID whenever a stream changes. A stream that is
 * deleted, replaced by another type or loses the group fails a blocked
 * XREADGROUP, as in Redis.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { blockingDenied } from '../../engine/blocking.ts';
import { StreamValue } from '../../datatypes/stream.ts';
import type { ConsumerGroup, Consumer } from '../../datatypes/stream-cgroup.ts';
import { cmpId, compareIds, decrId, incrId, isMaxU64, MAX_ID, MIN_ID, type StreamID } from '../../datatypes/stream-id.ts';
import { cstr, longLong, opt, parseMsTimeout, streamAt, strictId } from './stream-args.ts';
import { deliver, deliverHistory, flushProp, groupProp, prependHeader, unpropagated, writeEntries, type GroupProp } from './stream-reply.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import type { Client } from '../../server/client.ts';

/** XREAD_BLOCKED_DEFAULT_COUNT */
const BLOCKED_DEFAULT_COUNT = 1000;

interface ReadArgs {
  timeout: number;
  count: number;
  keys: string[];
  idArgs: string[];
  group: string | null;
  consumer: string;
  noack: boolean;
}

function parseRead(c: Client, args: readonly string[], xreadgroup: boolean): ReadArgs {
  const r: ReadArgs = { timeout: -1, count: 0, keys: [], idArgs: [], group: null, consumer: '', noack: false };
  let streamsAt = 0;
  for (let i = 1; i < args.length; i++) {
    const more = args.length - i - 1;
    const a = args[i]!;
    if (more && opt(a, 'BLOCK')) {
      // 7.4: a script may give BLOCK; it cannot block, so it gets the timeout's reply
      r.timeout = parseMsTimeout(args[++i]!);
    } else if (more && opt(a, 'COUNT')) {
      r.count = longLong(args[++i]!);
      if (r.count < 0) r.count = 0;
    } else if (more && opt(a, 'STREAMS')) {
      streamsAt = i + 1;
      const n = args.length - streamsAt;
      if (n % 2 !== 0) {
        const cmd = xreadgroup ? 'xreadgroup' : 'xread';
        throw new CommandError(`ERR Unbalanced '${cmd}' list of streams: for each stream key an ID or '${xreadgroup ? '>' : '$'}' must be specified.`);
      }
      r.keys = args.slice(streamsAt, streamsAt + n / 2);
      r.idArgs = args.slice(streamsAt + n / 2);
      break;
    } else if (more >= 2 && opt(a, 'GROUP')) {
      if (!xreadgroup) throw new CommandError('ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
      r.group = args[i + 1]!;
      r.consumer = args[i + 2]!;
      i += 2;
    } else if (opt(a, 'NOACK')) {
      if (!xreadgroup) throw new CommandError('ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.');
      r.noack = true;
    } else {
      throw new CommandError(Err.SYNTAX);
    }
  }
  if (streamsAt === 0) throw new CommandError(Err.SYNTAX);
  if (xreadgroup && r.group === null) throw new CommandError('ERR Missing GROUP option for XREADGROUP');
  return r;
}

/**
 * The consumer of a group read, created (and, for NOACK, announced) when
 * new; 7.2: every group read is an interaction (its seen-time), whether or
 * not it gets entries.
 */
function consumerFor(c: Client, ks: Keyspace, key: string, g: ConsumerGroup, name: string, noack: boolean, prop: GroupProp | null): Consumer {
  const now = c.server.engine.now();
  let consumer = g.lookup(name);
  if (consumer === undefined) {
    consumer = g.create(name, now)!;
    ks.modified(key, 'xgroup-createconsumer');
    if (noack && prop !== null) prop.vecs.push(['XGROUP', 'CREATECONSUMER', key, prop.group, name]);
  }
  consumer.seenTime = now;
  return consumer;
}

/** The refusal of XREADGROUP's `$` and `+` IDs. */
function meaninglessInGroup(id: '$' | '+'): string {
  return `ERR The ${id} ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The ${id} ID would just return an empty result set.`;
}

/** XREAD / XREADGROUP */
function xread(c: Client, args: string[], xreadgroup: boolean): void | Promise<void> {
  const a = parseRead(c, args, xreadgroup);
  const n = a.keys.length;
  const ids: StreamID[] = new Array(n);
  const groups: Array<ConsumerGroup | undefined> = new Array(n);
  for (let i = 0; i < n; i++) {
    const key = a.keys[i]!;
    const s = streamAt(c.ks(key), key, true);
    if (a.group !== null) {
      const g = s?.group(a.group);
      if (g === undefined) {
        throw new CommandError(`NOGROUP No such key '${cstr(key)}' or consumer group '${cstr(a.group)}' in XREADGROUP with GROUP option`);
      }
      groups[i] = g;
    }
    const arg = a.idArgs[i]!;
    if (arg === '$') {
      if (xreadgroup) throw new CommandError(meaninglessInGroup('$'));
      ids[i] = s === undefined ? MIN_ID : s.lastId;
    } else if (arg === '+') {
      // 7.4: the last entry, read as "past the ID just before the last ID"
      if (xreadgroup) throw new CommandError(meaninglessInGroup('+'));
      const before = s === undefined ? MIN_ID : decrId(s.lastId);
      if (before === null) throw new CommandError('ERR the stream last element ID is 0-0');
      ids[i] = before;
    } else if (arg === '>') {
      if (!xreadgroup) throw new CommandError('ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
      ids[i] = MAX_ID;
    } else {
      ids[i] = strictId(arg);
    }
  }

  const r = c.reply;
  const mark = r.len;
  let served = 0;
  for (let i = 0; i < n; i++) {
    const key = a.keys[i]!;
    const ks = c.ks(key);
    const s = ks.lookupRead(key);
    if (!(s instanceof StreamValue)) continue;
    let gt = ids[i]!;
    let history = false;
    let sync = false;
    const g = groups[i];
    let prop: GroupProp | null = null;
    let consumer: Consumer | undefined;
    if (g !== undefined) {
      // 7.2: the consumer is looked up (or created) for every stream read, served or not
      prop = groupProp(c, key, a.group!);
      consumer = consumerFor(c, ks, key, g, a.consumer, a.noack, prop);
      if (!isMaxU64(gt.ms) || !isMaxU64(gt.seq)) {
        sync = history = true;
      } else if (s.length !== 0) {
        const max = s.lastValidId();
        if (cmpId(max.ms, max.seq, g.lastMs, g.lastSeq) > 0) {
          sync = true;
          gt = { ms: g.lastMs, seq: g.lastSeq };
        }
      }
    } else if (s.length !== 0) {
      const max = s.lastValidId();
      sync = cmpId(max.ms, max.seq, gt.ms, gt.seq) > 0;
    }
    if (!sync) {
      flushPending(c, prop);
      continue;
    }
    served++;
    const start = incrId(gt) ?? MIN_ID;
    if (r.resp === 2) r.array(2);
    r.bulk(key);
    if (g === undefined) {
      writeEntries(r, s.range(start, MAX_ID, false, a.count));
      continue;
    }
    // a write only when something is to be replicated (7.4: not a history read, nor a NOACK read leaving the group's last ID)
    if (history) deliverHistory(c, s, consumer!, start, a.count);
    else if (deliver(c, s, g, consumer!, start, a.count, a.noack, prop) !== 0) ks.shard.stats.dirty++;
    flushPending(c, prop);
  }
  // replicated only as what the group reads collected (a consumer created by a read that got nothing: not at all)
  if (a.group !== null) unpropagated(c);
  if (served !== 0) {
    prependHeader(r, mark, r.resp === 2 ? `*${served}\r\n` : `%${served}\r\n`);
    return;
  }
  if (a.timeout === -1 || blockingDenied(c)) return r.nullArray();
  return block(c, a, ids);
}

/** Propagation across several streams of one XREADGROUP: earlier vectors go out now. */
function flushPending(c: Client, prop: GroupProp | null): void {
  if (prop === null || prop.vecs.length === 0) return;
  if (c.propagate !== null) {
    c.server.replication.propagate(c, c.propagate);
    c.propagate = null;
  }
  flushProp(c, prop);
}

/**
 * What a woken XREADGROUP run again fails with when one of its streams is
 * gone, is no longer a stream or lost the group (7.4: as its first run would);
 * null when all are there.
 */
function groupsGone(c: Client, keys: readonly string[], group: string): string | null {
  for (const key of keys) {
    const v = c.ks(key).get(key);
    if (v !== undefined && !(v instanceof StreamValue)) return Err.WRONGTYPE;
    if (v === undefined || v.group(group) === undefined) {
      return `NOGROUP No such key '${cstr(key)}' or consumer group '${cstr(group)}' in XREADGROUP with GROUP option`;
    }
  }
  return null;
}

/** Blocks on every stream until one gets entries past its ID (the group's last ID for `>`). */
function block(c: Client, a: ReadArgs, ids: StreamID[]): Promise<void> {
  const waitFor = new Map<string, StreamID>();
  // keys read with `+`: Redis 7.4 runs the command again when a key is ready, so `+` is the last entry then
  const lastEntryOf = new Set<string>();
  for (let i = 0; i < a.keys.length; i++) {
    if (waitFor.has(a.keys[i]!)) continue;
    waitFor.set(a.keys[i]!, ids[i]!);
    if (a.idArgs[i] === '+') lastEntryOf.add(a.keys[i]!);
  }
  const count = a.count !== 0 ? a.count : BLOCKED_DEFAULT_COUNT;
  let failure: string | null = null;
  const fail = (msg: string): boolean => {
    failure = msg;
    return true;
  };
  const serve = (key: string): boolean => {
    // 7.4 runs a woken XREADGROUP again: each of its streams and their group are looked up again, in order
    if (a.group !== null) {
      const missing = groupsGone(c, keys, a.group);
      if (missing !== null) return fail(missing);
    }
    const ks = c.ks(key);
    const s = ks.get(key);
    if (!(s instanceof StreamValue)) return false;
    let gt = waitFor.get(key)!;
    let g: ConsumerGroup | undefined;
    if (a.group !== null) {
      g = s.group(a.group)!;
      gt = { ms: g.lastMs, seq: g.lastSeq };
    } else if (lastEntryOf.has(key)) {
      const before = s.length === 0 ? null : decrId(s.lastId);
      if (before === null || compareIds(s.lastValidId(), s.lastId) !== 0) return false;
      gt = before;
    }
    if (cmpId(s.lastId.ms, s.lastId.seq, gt.ms, gt.seq) <= 0) return false;
    const start = incrId(gt) ?? MIN_ID;
    const r = c.reply;
    const prop = g !== undefined ? groupProp(c, key, a.group!) : null;
    const consumer = g !== undefined ? consumerFor(c, ks, key, g, a.consumer, a.noack, prop) : undefined;
    if (r.resp === 2) {
      r.array(1);
      r.array(2);
    } else r.map(1);
    r.bulk(key);
    if (g === undefined) writeEntries(r, s.range(start, MAX_ID, false, count));
    else {
      if (deliver(c, s, g, consumer!, start, count, a.noack, prop) !== 0) ks.shard.stats.dirty++;
      flushProp(c, prop);
    }
    return true;
  };
  const keys = [...waitFor.keys()];
  const req = { keys, timeoutMs: a.timeout, serve, onTimeout: () => c.reply.nullArray(), serveMissing: a.group !== null ? serve : undefined };
  return c.server.blocking.block(c, req).then(() => {
    if (failure !== null) throw new CommandError(failure);
  });
}

/** Key positions of `… STREAMS key [key …] id [id …]` for COMMAND GETKEYS. */
function streamsKeys(from: number): (args: readonly string[]) => number[] {
  return (args) => {
    for (let i = from; i < args.length; i++) {
      if (!opt(args[i]!, 'STREAMS')) continue;
      const n = Math.floor((args.length - i - 1) / 2);
      return Array.from({ length: n }, (_, k) => i + 1 + k);
    }
    return [];
  };
}

/** XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...] */
const xreadCmd = command({
  name: 'xread', arity: -4, flags: ['readonly', 'blocking', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'stream',
  keys: streamsKeys(1),
  handler: (c, args) => xread(c, args, false),
});

/** XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...] */
const xreadgroup = command({
  name: 'xreadgroup', arity: -7, flags: ['write', 'blocking', 'movablekeys'], firstKey: 0, lastKey: 0, step: 0,
  group: 'stream',
  keys: streamsKeys(4),
  handler: (c, args) => xread(c, args, true),
});

export const streamReadCommands: CommandSpec[] = [xreadCmd, xreadgroup];
