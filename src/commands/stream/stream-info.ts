/** XINFO STREAM [FULL [COUNT count]] | GROUPS | CONSUMERS | HELP (Redis's xinfoCommand). */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { replyHelp } from '../core/help.ts';
import type { StreamValue } from '../../datatypes/stream.ts';
import { INVALID_ENTRIES_READ, type ConsumerGroup } from '../../datatypes/stream-cgroup.ts';
import { formatId, idString, MAX_ID, MIN_ID, type U64 } from '../../datatypes/stream-id.ts';
import { cstr, longLong, opt, streamAt } from './stream-args.ts';
import { writeEntries } from './stream-reply.ts';
import type { ReplyWriter } from '../../protocol/reply-writer.ts';
import type { Client } from '../../server/client.ts';

function syntax(args: readonly string[]): CommandError {
  return new CommandError(`ERR unknown subcommand or wrong number of arguments for '${cstr(args[1]!).slice(0, 128)}'. Try ${cstr(args[0]!).toUpperCase()} HELP.`);
}

/** The stream at args[2], or ERR no such key. */
function streamArg(c: Client, args: readonly string[]): StreamValue {
  const s = streamAt(c.ks(args[2]!), args[2]!, true);
  if (s === undefined) throw new CommandError(Err.NO_SUCH_KEY);
  return s;
}

function intOrNull(r: ReplyWriter, v: U64 | null): void {
  if (v === null) r.nullBulk();
  else r.int(v);
}

function entriesRead(g: ConsumerGroup): U64 | null {
  return g.entriesRead === INVALID_ENTRIES_READ ? null : g.entriesRead;
}

function header(r: ReplyWriter, s: StreamValue, fields: number): void {
  r.map(fields);
  r.bulk('length');
  r.int(s.length);
  r.bulk('radix-tree-keys');
  r.int(s.nodes.length);
  r.bulk('radix-tree-nodes');
  r.int(s.raxNodes());
  r.bulk('last-generated-id');
  r.bulk(formatId(s.lastId));
  r.bulk('max-deleted-entry-id');
  r.bulk(formatId(s.maxDeletedId));
  r.bulk('entries-added');
  r.int(s.entriesAdded);
  r.bulk('recorded-first-entry-id');
  r.bulk(formatId(s.firstId));
}

function streamInfo(c: Client, args: string[]): void {
  const s = streamArg(c, args);
  let full = true;
  let count = 10;
  const optc = args.length - 3;
  if (optc === 0) full = false;
  else {
    if (optc !== 1 && optc !== 3) throw syntax(args);
    if (!opt(args[3]!, 'FULL')) throw syntax(args);
    if (optc === 3) {
      if (!opt(args[4]!, 'COUNT')) throw syntax(args);
      count = longLong(args[5]!);
      if (count < 0) count = 10;
    }
  }
  const r = c.reply;
  header(r, s, full ? 9 : 10);
  if (!full) {
    r.bulk('groups');
    r.int(s.groups === null ? 0 : s.groups.size);
    for (const [name, rev] of [['first-entry', false], ['last-entry', true]] as const) {
      r.bulk(name);
      const pos = s.range(MIN_ID, MAX_ID, rev, 1);
      if (pos.idx.length === 0) r.nullBulk();
      else writeEntries(r, pos, true);
    }
    return;
  }
  r.bulk('entries');
  writeEntries(r, s.range(MIN_ID, MAX_ID, false, count));
  r.bulk('groups');
  const groups = s.sortedGroups();
  r.array(groups.length);
  for (const [name, g] of groups) {
    r.map(7);
    r.bulk('name');
    r.bulk(name);
    r.bulk('last-delivered-id');
    r.bulk(idString(g.lastMs, g.lastSeq));
    r.bulk('entries-read');
    intOrNull(r, entriesRead(g));
    r.bulk('lag');
    intOrNull(r, s.lag(g));
    r.bulk('pel-count');
    r.int(g.pel.size);
    r.bulk('pending');
    const pel = [];
    for (const n of g.pel.all()) {
      if (count !== 0 && pel.length >= count) break;
      pel.push(n);
    }
    r.array(pel.length);
    for (const n of pel) {
      r.array(4);
      r.bulk(idString(n.ms, n.seq));
      r.bulk(n.consumer!.name);
      r.int(n.deliveryTime);
      r.int(n.deliveryCount);
    }
    r.bulk('consumers');
    const consumers = g.sortedConsumers();
    r.array(consumers.length);
    for (const consumer of consumers) {
      r.map(5);
      r.bulk('name');
      r.bulk(consumer.name);
      r.bulk('seen-time');
      r.int(consumer.seenTime);
      r.bulk('active-time');
      r.int(consumer.activeTime);
      r.bulk('pel-count');
      r.int(consumer.pel.size);
      r.bulk('pending');
      const own = [];
      for (const n of consumer.pel.all()) {
        if (count !== 0 && own.length >= count) break;
        own.push(n);
      }
      r.array(own.length);
      for (const n of own) {
        r.array(3);
        r.bulk(idString(n.ms, n.seq));
        r.int(n.deliveryTime);
        r.int(n.deliveryCount);
      }
    }
  }
}

function groupsInfo(c: Client, args: string[]): void {
  const s = streamArg(c, args);
  const r = c.reply;
  const groups = s.sortedGroups();
  r.array(groups.length);
  for (const [name, g] of groups) {
    r.map(6);
    r.bulk('name');
    r.bulk(name);
    r.bulk('consumers');
    r.int(g.consumers.size);
    r.bulk('pending');
    r.int(g.pel.size);
    r.bulk('last-delivered-id');
    r.bulk(idString(g.lastMs, g.lastSeq));
    r.bulk('entries-read');
    intOrNull(r, entriesRead(g));
    r.bulk('lag');
    intOrNull(r, s.lag(g));
  }
}

function consumersInfo(c: Client, args: string[]): void {
  const s = streamArg(c, args);
  const g = s.group(args[3]!);
  if (g === undefined) throw new CommandError(`NOGROUP No such consumer group '${cstr(args[3]!)}' for key name '${cstr(args[2]!)}'`);
  const r = c.reply;
  const consumers = g.sortedConsumers();
  const now = c.server.engine.now();
  r.array(consumers.length);
  for (const consumer of consumers) {
    r.map(4);
    r.bulk('name');
    r.bulk(consumer.name);
    r.bulk('pending');
    r.int(consumer.pel.size);
    r.bulk('idle');
    r.int(Math.max(0, now - consumer.seenTime));
    // 7.2: since the last successful interaction, -1 if none
    r.bulk('inactive');
    r.int(consumer.activeTime !== -1 ? now - consumer.activeTime : -1);
  }
}

const HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

function sub(name: string, arity: number, handler: (c: Client, args: string[]) => void): CommandSpec {
  return command({
    name, arity, flags: ['readonly'], firstKey: 2, lastKey: 2, step: 1, group: 'stream', handler,
  });
}

/** XINFO STREAM|GROUPS|CONSUMERS|HELP */
const xinfo = command({
  name: 'xinfo', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'stream',
  // in Redis's order (COMMAND INFO lists subcommands so)
  subcommands: [
    command({
      name: 'help', arity: 2, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
      group: 'stream',
      handler: (c, args) => replyHelp(c, args[0]!, HELP),
    }),
    sub('stream', -3, streamInfo),
    sub('groups', 3, groupsInfo),
    sub('consumers', 4, consumersInfo),
  ],
});

export const streamInfoCommands: CommandSpec[] = [xinfo];
