/**
 * Stream entries: XADD, XTRIM, XDEL, XLEN, XRANGE, XREVRANGE, XSETID.
 * Approximate trims replicate as exact ones (`~` becomes `=` with the
 * resulting length or first ID), generated IDs as the ID they produced.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err, wrongArity } from '../core/errors.ts';
import { StreamValue } from '../../datatypes/stream.ts';
import { cmpId, formatId, isMaxU64, isZeroId, type StreamID } from '../../datatypes/stream-id.ts';
import {
  XErr, longLong, nodeMaxBytes, nodeMaxEntries, opt, parseAddTrim, rangeEnd, rangeStart, strictId, streamAt, type AddTrimArgs,
} from './stream-args.ts';
import { bulkId, writeEntries } from './stream-reply.ts';
import type { Client } from '../../server/client.ts';

/** The replicated form of an approximate trim: `=` and the threshold actually reached. */
function rewriteTrim(args: string[], p: AddTrimArgs, s: StreamValue): void {
  args[p.trimArgIdx - 1] = '=';
  args[p.trimArgIdx] = p.trim!.maxlen ? String(s.length) : formatId(s.edgeId(true, false));
}

/** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value ...] */
const xadd = command({
  name: 'xadd', arity: -5, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'stream',
  handler(c, args) {
    const p = parseAddTrim(c, args, true);
    const fieldPos = p.idPos + 1;
    const nargs = args.length - fieldPos;
    if (nargs < 2 || nargs % 2 === 1) throw new CommandError(wrongArity('xadd'));
    const id = p.id;
    if (id !== null && id.seqGiven && id.ms === 0 && id.seq === 0) throw new CommandError(XErr.ZERO);
    const key = args[1]!;
    const ks = c.ks(key);
    let s = streamAt(ks, key);
    if (s === undefined) {
      if (p.noMkStream) return c.reply.nullBulk();
      s = new StreamValue();
      ks.set(key, s);
    }
    if (isMaxU64(s.lastId.ms) && isMaxU64(s.lastId.seq)) throw new CommandError(XErr.EXHAUSTED);
    const added = s.append(args, fieldPos, nargs / 2, id, id === null ? true : id.seqGiven, c.server.engine.now(), nodeMaxEntries(c), nodeMaxBytes(c));
    if (added === 'EDOM') throw new CommandError(XErr.SMALLER);
    if (added === 'ERANGE') throw new CommandError(XErr.TOO_LARGE);
    bulkId(c.reply, added.ms, added.seq);
    ks.modified(key, 'xadd');
    let trimmed = false;
    if (p.trim !== null) trimmed = s.trim(p.trim) !== 0;
    if (trimmed) ks.modified(key, 'xtrim');
    if (c.server.replication.active) {
      const vec = args.slice();
      if (p.trim !== null && p.trim.approx) rewriteTrim(vec, p, s);
      if (id === null || !id.seqGiven) vec[p.idPos] = formatId(added);
      c.propagate = vec;
    }
  },
});

/** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
const xtrim = command({
  name: 'xtrim', arity: -4, flags: ['write'], firstKey: 1, lastKey: 1, step: 1,
  group: 'stream',
  handler(c, args) {
    const p = parseAddTrim(c, args, false);
    const key = args[1]!;
    const ks = c.ks(key);
    const s = streamAt(ks, key);
    if (s === undefined) return c.reply.int(0);
    const deleted = s.trim(p.trim!);
    if (deleted !== 0) {
      ks.modified(key, 'xtrim');
      if (p.trim!.approx && c.server.replication.active) {
        const vec = args.slice();
        rewriteTrim(vec, p, s);
        c.propagate = vec;
      }
    }
    c.reply.int(deleted);
  },
});

/** XDEL key id [id ...] */
const xdel = command({
  name: 'xdel', arity: -3, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'stream',
  handler(c, args) {
    const key = args[1]!;
    const ks = c.ks(key);
    const s = streamAt(ks, key);
    if (s === undefined) return c.reply.int(0);
    const ids: StreamID[] = [];
    for (let j = 2; j < args.length; j++) ids.push(strictId(args[j]!));
    let deleted = 0;
    let firstGone = false;
    for (const id of ids) {
      if (!s.delete(id)) continue;
      if (cmpId(id.ms, id.seq, s.firstId.ms, s.firstId.seq) === 0) firstGone = true;
      if (cmpId(id.ms, id.seq, s.maxDeletedId.ms, s.maxDeletedId.seq) > 0) s.maxDeletedId = id;
      deleted++;
    }
    if (deleted !== 0) {
      if (s.length === 0) s.firstId = { ms: 0, seq: 0 };
      else if (firstGone) s.firstId = s.edgeId(true, true);
      ks.modified(key, 'xdel');
    }
    c.reply.int(deleted);
  },
});

/** XLEN key */
const xlen = command({
  name: 'xlen', arity: 2, flags: ['readonly', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'stream',
  handler(c, args) {
    const s = streamAt(c.ks(args[1]!), args[1]!, true);
    c.reply.int(s === undefined ? 0 : s.length);
  },
});

/** XRANGE / XREVRANGE (xrangeGenericCommand). */
function xrange(c: Client, args: string[], rev: boolean): void {
  const start = rangeStart(rev ? args[3]! : args[2]!);
  const end = rangeEnd(rev ? args[2]! : args[3]!);
  let count = -1;
  for (let j = 4; j < args.length; j++) {
    if (opt(args[j]!, 'COUNT') && j + 1 < args.length) {
      count = longLong(args[++j]!);
      if (count < 0) count = 0;
    } else throw new CommandError(Err.SYNTAX);
  }
  const s = streamAt(c.ks(args[1]!), args[1]!, true);
  if (s === undefined) return c.reply.array(0);
  if (count === 0) return c.reply.nullArray();
  writeEntries(c.reply, s.range(start, end, rev, count === -1 ? 0 : count));
}

/** XRANGE key start end [COUNT count] */
const xrangeCmd = command({
  name: 'xrange', arity: -4, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'stream',
  handler: (c, args) => xrange(c, args, false),
});

/** XREVRANGE key end start [COUNT count] */
const xrevrange = command({
  name: 'xrevrange', arity: -4, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'stream',
  handler: (c, args) => xrange(c, args, true),
});

/** XSETID key last-id [ENTRIESADDED entries_added] [MAXDELETEDID max_deleted_entry_id] */
const xsetid = command({
  name: 'xsetid', arity: -3, flags: ['write', 'denyoom', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'stream',
  handler(c, args) {
    const id = strictId(args[2]!);
    let added = -1;
    let addedArg = '';
    let maxDel: StreamID = { ms: 0, seq: 0 };
    for (let i = 3; i < args.length; i++) {
      const more = args.length - 1 - i;
      if (more && opt(args[i]!, 'ENTRIESADDED')) {
        addedArg = args[++i]!;
        added = longLong(addedArg);
        if (added < 0) throw new CommandError('ERR entries_added must be positive');
      } else if (more && opt(args[i]!, 'MAXDELETEDID')) {
        maxDel = strictId(args[++i]!);
        if (cmpId(id.ms, id.seq, maxDel.ms, maxDel.seq) < 0) {
          throw new CommandError('ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id');
        }
      } else throw new CommandError(Err.SYNTAX);
    }
    const key = args[1]!;
    const ks = c.ks(key);
    const s = streamAt(ks, key);
    if (s === undefined) throw new CommandError(Err.NO_SUCH_KEY);
    // 7.4: never below the highest deleted ID (even when the stream is empty)
    if (cmpId(id.ms, id.seq, s.maxDeletedId.ms, s.maxDeletedId.seq) < 0) {
      throw new CommandError('ERR The ID specified in XSETID is smaller than current max_deleted_entry_id');
    }
    if (s.length > 0) {
      const max = s.lastValidId();
      if (cmpId(id.ms, id.seq, max.ms, max.seq) < 0) throw new CommandError('ERR The ID specified in XSETID is smaller than the target stream top item');
      if (added !== -1 && s.length > added) throw new CommandError('ERR The entries_added specified in XSETID is smaller than the target stream length');
    }
    s.lastId = { ms: id.ms, seq: id.seq };
    // counters past 2^53 are kept exactly as bigints
    if (added !== -1) s.entriesAdded = Number.isSafeInteger(added) ? added : BigInt(addedArg);
    if (!isZeroId(maxDel)) s.maxDeletedId = maxDel;
    c.reply.ok();
    ks.modified(key, 'xsetid');
  },
});

export const streamAddCommands: CommandSpec[] = [xadd, xtrim, xdel, xlen, xrangeCmd, xrevrange, xsetid];
