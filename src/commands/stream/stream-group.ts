/**
 * Consumer group management: XGROUP CREATE | SETID | DESTROY |
 * CREATECONSUMER | DELCONSUMER | HELP, XACK and XPENDING.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { replyHelp } from '../core/help.ts';
import { StreamValue } from '../../datatypes/stream.ts';
import { INVALID_ENTRIES_READ, type ConsumerGroup } from '../../datatypes/stream-cgroup.ts';
import { cmpId, formatId, idString, type StreamID } from '../../datatypes/stream-id.ts';
import { XErr, cstr, longLong, looseId, opt, rangeEnd, rangeStart, streamAt, strictId } from './stream-args.ts';
import type { Client } from '../../server/client.ts';

function subcommandSyntax(args: readonly string[]): CommandError {
  return new CommandError(`ERR unknown subcommand or wrong number of arguments for '${cstr(args[1]!).slice(0, 128)}'. Try ${cstr(args[0]!).toUpperCase()} HELP.`);
}

/** xgroupCommand: every subcommand but HELP (options, key and group checks in Redis's order). */
function xgroup(c: Client, args: string[]): void {
  const sub = args[1]!.toUpperCase();
  let mkstream = false;
  let entriesRead = INVALID_ENTRIES_READ;
  for (let i = 5; i < args.length; ) {
    if (sub === 'CREATE' && opt(args[i]!, 'MKSTREAM')) {
      mkstream = true;
      i++;
    } else if ((sub === 'CREATE' || sub === 'SETID') && opt(args[i]!, 'ENTRIESREAD') && i + 1 < args.length) {
      entriesRead = longLong(args[i + 1]!);
      if (entriesRead < 0 && entriesRead !== INVALID_ENTRIES_READ) throw new CommandError('ERR value for ENTRIESREAD must be positive or -1');
      i += 2;
    } else throw subcommandSyntax(args);
  }
  const key = args[2]!;
  const ks = c.ks(key);
  let s = streamAt(ks, key);
  const name = args[3]!;
  let g: ConsumerGroup | undefined;
  if (!mkstream) {
    if (s === undefined) throw new CommandError(XErr.NO_KEY_XGROUP);
    g = s.group(name);
    if (g === undefined && (sub === 'SETID' || sub === 'CREATECONSUMER' || sub === 'DELCONSUMER')) {
      throw new CommandError(`NOGROUP No such consumer group '${cstr(name)}' for key name '${cstr(key)}'`);
    }
  }
  const n = args.length;
  if (sub === 'CREATE' && n >= 5 && n <= 8) {
    let id: StreamID;
    if (args[4] === '$') id = s === undefined ? { ms: 0, seq: 0 } : s.lastId;
    else id = strictId(args[4]!);
    if (s === undefined) {
      s = new StreamValue();
      ks.set(key, s);
    }
    if (s.createGroup(name, id, entriesRead) === undefined) throw new CommandError(XErr.BUSYGROUP);
    c.reply.ok();
    ks.modified(key, 'xgroup-create');
  } else if (sub === 'SETID' && (n === 5 || n === 7)) {
    const id = args[4] === '$' ? s!.lastId : looseId(args[4]!);
    g!.lastMs = id.ms;
    g!.lastSeq = id.seq;
    g!.entriesRead = entriesRead;
    c.reply.ok();
    ks.modified(key, 'xgroup-setid');
  } else if (sub === 'DESTROY' && n === 4) {
    if (g === undefined) return c.reply.int(0);
    s!.groups!.delete(name);
    c.reply.int(1);
    // also wakes XREADGROUP clients blocked on the group, to fail with NOGROUP
    ks.modified(key, 'xgroup-destroy');
  } else if (sub === 'CREATECONSUMER' && n === 5) {
    const created = g!.create(args[4]!, c.server.engine.now());
    c.reply.int(created ? 1 : 0);
    if (created) ks.modified(key, 'xgroup-createconsumer');
  } else if (sub === 'DELCONSUMER' && n === 5) {
    const consumer = g!.lookup(args[4]!);
    let pending = 0;
    if (consumer !== undefined) {
      pending = g!.deleteConsumer(consumer);
      ks.modified(key, 'xgroup-delconsumer');
    }
    c.reply.int(pending);
  } else {
    throw subcommandSyntax(args);
  }
}

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  '      Set the group\'s entries_read counter (internal use).',
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

function sub(name: string, arity: number, flags: CommandSpec['flags']): CommandSpec {
  return command({
    name, arity, flags, firstKey: 2, lastKey: 2, step: 1, group: 'stream', handler: xgroup,
  });
}

/** XGROUP CREATE|SETID|DESTROY|CREATECONSUMER|DELCONSUMER|HELP */
const xgroupCmd = command({
  name: 'xgroup', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'stream',
  // in Redis's order (COMMAND INFO lists subcommands so)
  subcommands: [
    sub('create', -5, ['write', 'denyoom']),
    sub('delconsumer', 5, ['write']),
    sub('setid', -5, ['write']),
    sub('destroy', 4, ['write']),
    command({
      name: 'help', arity: 2, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
      group: 'stream',
      handler: (c, args) => replyHelp(c, args[0]!, XGROUP_HELP),
    }),
    sub('createconsumer', 5, ['write', 'denyoom']),
  ],
});

/** The group of a stream for XACK (undefined: nothing to ack) — WRONGTYPE still fails. */
function groupAt(c: Client, key: string, name: string): ConsumerGroup | undefined {
  return streamAt(c.ks(key), key, true)?.group(name);
}

/** XACK key group id [id ...] */
const xack = command({
  name: 'xack', arity: -4, flags: ['write', 'fast'], firstKey: 1, lastKey: 1, step: 1,
  group: 'stream',
  handler(c, args) {
    const g = groupAt(c, args[1]!, args[2]!);
    if (g === undefined) return c.reply.int(0);
    const ids: StreamID[] = [];
    for (let j = 3; j < args.length; j++) ids.push(strictId(args[j]!));
    let acked = 0;
    const ks = c.ks(args[1]!);
    for (const id of ids) {
      const nack = g.pel.remove(id.ms, id.seq);
      if (nack === undefined) continue;
      nack.consumer?.pel.remove(id.ms, id.seq);
      acked++;
      ks.shard.stats.dirty++;
    }
    c.reply.int(acked);
  },
});

/** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
const xpending = command({
  name: 'xpending', arity: -3, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'stream',
  handler(c, args) {
    const n = args.length;
    if (n !== 3 && (n < 6 || n > 9)) throw new CommandError('ERR syntax error');
    let start: StreamID = { ms: 0, seq: 0 };
    let end: StreamID = start;
    let count = 0;
    let minIdle = 0;
    let consumerName: string | null = null;
    if (n >= 6) {
      let at = 3;
      if (opt(args[3]!, 'IDLE')) {
        minIdle = longLong(args[4]!);
        if (n < 8) throw new CommandError('ERR syntax error');
        at += 2;
      }
      count = longLong(args[at + 2]!);
      if (count < 0) count = 0;
      start = rangeStart(args[at]!);
      end = rangeEnd(args[at + 1]!);
      if (at + 3 < n) consumerName = args[at + 3]!;
    }
    const key = args[1]!;
    const s = streamAt(c.ks(key), key, true);
    const g = s?.group(args[2]!);
    if (g === undefined) throw new CommandError(`NOGROUP No such key '${cstr(key)}' or consumer group '${cstr(args[2]!)}'`);
    const r = c.reply;
    if (n === 3) {
      r.array(4);
      r.int(g.pel.size);
      const first = g.pel.first();
      if (first === undefined) {
        r.nullBulk();
        r.nullBulk();
        r.nullArray();
        return;
      }
      const last = g.pel.last()!;
      r.bulk(idString(first.ms, first.seq));
      r.bulk(idString(last.ms, last.seq));
      const owners = g.sortedConsumers().filter((x) => x.pel.size !== 0);
      r.array(owners.length);
      for (const o of owners) {
        r.array(2);
        r.bulk(o.name);
        r.bulk(String(o.pel.size));
      }
      return;
    }
    let pel = g.pel;
    if (consumerName !== null) {
      const consumer = g.lookup(consumerName);
      if (consumer === undefined) return r.array(0);
      pel = consumer.pel;
    }
    const now = c.server.engine.now();
    const picked = [];
    for (const x of pel.from(start.ms, start.seq)) {
      if (count === 0 || cmpId(x.ms, x.seq, end.ms, end.seq) > 0) break;
      if (minIdle !== 0 && now - x.deliveryTime < minIdle) continue;
      picked.push(x);
      count--;
    }
    r.array(picked.length);
    for (const x of picked) {
      r.array(4);
      r.bulk(formatId(x));
      r.bulk(x.consumer!.name);
      r.int(Math.max(0, now - x.deliveryTime));
      r.int(x.deliveryCount);
    }
  },
});

export const streamGroupCommands: CommandSpec[] = [xgroupCmd, xack, xpending];
