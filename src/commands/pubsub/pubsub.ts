/**
 * Pub/Sub family: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, PUBLISH,
 * SSUBSCRIBE, SUNSUBSCRIBE, SPUBLISH and PUBSUB, as Redis 7.0's pubsub.c.
 * The registries live in the server's PubSubHub (src/pubsub/hub.ts).
 */
import { command, type CommandFlag, type CommandSpec, type Handler } from '../core/spec.ts';
import { busAccessOf } from '../../cluster/mode.ts';
import { CommandError } from '../core/errors.ts';
import { replyHelp } from '../core/help.ts';
import { addCrossThreadField, addInfoFields } from '../server/info.ts';
import { Kind } from '../../pubsub/hub.ts';
import type { Client } from '../../server/client.ts';
import type { ServerState } from '../../server/server-state.ts';

const SUB_FLAGS: readonly CommandFlag[] = ['pubsub', 'noscript', 'loading', 'stale'];

const denied = (name: string): CommandError => new CommandError(`ERR ${name} isn't allowed for a DENY BLOCKING client`);

/**
 * SUBSCRIBE channel [channel ...]
 * Scripts can't subscribe (DENY BLOCKING); MULTI may, for compatibility, as in Redis.
 */
const subscribe = command({
  name: 'subscribe', arity: -2, flags: SUB_FLAGS, firstKey: 0, lastKey: 0, step: 0,
  group: 'pubsub',
  handler(c, args) {
    if (c.ext.denyBlocking === true && !c.inExec) throw denied('SUBSCRIBE');
    c.server.pubsub.subscribe(c, Kind.CHANNEL, args.slice(1));
  },
});

/** UNSUBSCRIBE [channel [channel ...]] — without channels: all of them (a [unsubscribe, nil, n] reply when none). */
const unsubscribe = command({
  name: 'unsubscribe', arity: -1, flags: SUB_FLAGS, firstKey: 0, lastKey: 0, step: 0,
  group: 'pubsub',
  handler(c, args) {
    c.server.pubsub.unsubscribe(c, Kind.CHANNEL, args.length === 1 ? null : args.slice(1));
  },
});

/** PSUBSCRIBE pattern [pattern ...] */
const psubscribe = command({
  name: 'psubscribe', arity: -2, flags: SUB_FLAGS, firstKey: 0, lastKey: 0, step: 0,
  group: 'pubsub',
  handler(c, args) {
    if (c.ext.denyBlocking === true && !c.inExec) throw denied('PSUBSCRIBE');
    c.server.pubsub.subscribe(c, Kind.PATTERN, args.slice(1));
  },
});

/** PUNSUBSCRIBE [pattern [pattern ...]] */
const punsubscribe = command({
  name: 'punsubscribe', arity: -1, flags: SUB_FLAGS, firstKey: 0, lastKey: 0, step: 0,
  group: 'pubsub',
  handler(c, args) {
    c.server.pubsub.unsubscribe(c, Kind.PATTERN, args.length === 1 ? null : args.slice(1));
  },
});

/** Replicas get PUBLISH / SPUBLISH in the stream (Redis's forceCommandPropagation), though they write nothing. */
/** A message to the replicas; in cluster mode to the fleet's nodes instead (PUBLISH all, SPUBLISH the shard's), as Redis. */
function propagatePublish(c: Client, args: string[]): void {
  const bus = busAccessOf(c.server);
  if (bus !== null) return bus.publish(args[0]!.toLowerCase() === 'spublish', args[1]!, args[2]!);
  const repl = c.server.replication;
  if (repl.active) repl.propagate(c, args);
}

/** PUBLISH channel message — the number of clients that received it (pattern matches count per pattern). */
const publish = command({
  name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], firstKey: 0, lastKey: 0, step: 0,
  group: 'pubsub',
  handler(c, args) {
    const n = c.server.pubsub.publish(args[1]!, args[2]!);
    propagatePublish(c, args);
    c.reply.int(n);
  },
});

/** SSUBSCRIBE shardchannel [shardchannel ...] — refused inside MULTI and scripts too. */
const ssubscribe = command({
  name: 'ssubscribe', arity: -2, flags: SUB_FLAGS, firstKey: 1, lastKey: -1, step: 1,
  group: 'pubsub',
  handler(c, args) {
    if (c.ext.denyBlocking === true || c.inExec) throw denied('SSUBSCRIBE');
    c.server.pubsub.subscribe(c, Kind.SHARD, args.slice(1));
  },
});

/** SUNSUBSCRIBE [shardchannel [shardchannel ...]] */
const sunsubscribe = command({
  name: 'sunsubscribe', arity: -1, flags: SUB_FLAGS, firstKey: 1, lastKey: -1, step: 1,
  group: 'pubsub',
  handler(c, args) {
    c.server.pubsub.unsubscribe(c, Kind.SHARD, args.length === 1 ? null : args.slice(1));
  },
});

/** SPUBLISH shardchannel message */
const spublish = command({
  name: 'spublish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], firstKey: 1, lastKey: 1, step: 1,
  group: 'pubsub',
  handler(c, args) {
    const n = c.server.pubsub.spublish(args[1]!, args[2]!);
    propagatePublish(c, args);
    c.reply.int(n);
  },
});

const HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

/** Redis's addReplySubcommandSyntaxError, for CHANNELS / SHARDCHANNELS with too many arguments. */
function syntaxError(args: string[]): CommandError {
  return new CommandError(`ERR unknown subcommand or wrong number of arguments for '${args[1]!}'. Try PUBSUB HELP.`);
}

/**
 * What the subscription registries hold: this thread's answer to a PUBSUB
 * question (threads/server-ops.ts asks every other thread the same).
 */
export function pubsubView(s: ServerState<Client>, q: { what: 'list' | 'numsub' | 'patterns'; kind: Kind; pattern?: string | null; names?: string[] }): string[] | number[] {
  const hub = s.pubsub;
  if (q.what === 'list') return hub.list(q.kind, q.pattern ?? null);
  if (q.what === 'numsub') return q.names!.map((n) => hub.numSub(q.kind, n));
  return [...hub.patterns.keys()];
}

/** The answers of every thread (this one's alone with one thread). */
function everyThread(s: ServerState<Client>, q: Parameters<typeof pubsubView>[1]): Array<string[] | number[]> {
  const mine = pubsubView(s, q);
  return s.others === null ? [mine] : [mine, ...(s.others({ op: 'pubsub-view', q }) as Array<string[] | number[]>)];
}

/** Names on any thread, each once. */
function union(lists: Array<string[] | number[]>): string[] {
  return [...new Set((lists as string[][]).flat())];
}

function listChannels(c: Client, args: string[], kind: Kind): void {
  if (args.length > 3) throw syntaxError(args);
  c.reply.bulkArray(union(everyThread(c.server, { what: 'list', kind, pattern: args.length === 3 ? args[2]! : null })));
}

function numSub(c: Client, args: string[], kind: Kind): void {
  const names = args.slice(2);
  const counts = everyThread(c.server, { what: 'numsub', kind, names }) as number[][];
  c.reply.array(names.length * 2);
  names.forEach((n, j) => {
    c.reply.bulk(n);
    c.reply.int(counts.reduce((sum, t) => sum + t[j]!, 0));
  });
}

const sub = (name: string, arity: number, handler: Handler, flags: readonly CommandFlag[] = ['pubsub', 'loading', 'stale']): CommandSpec =>
  // the @pubsub category comes from the pubsub flag (HELP has none), as in Redis
  command({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'pubsub', groupAcl: flags.includes('pubsub') ? undefined : false, handler });

/** PUBSUB CHANNELS | NUMSUB | NUMPAT | SHARDCHANNELS | SHARDNUMSUB | HELP */
const pubsub = command({
  name: 'pubsub', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'pubsub',
  subcommands: [
    sub('channels', -2, (c, args) => listChannels(c, args, Kind.CHANNEL)),
    sub('numsub', -2, (c, args) => numSub(c, args, Kind.CHANNEL)),
    sub('numpat', 2, (c) => c.reply.int(union(everyThread(c.server, { what: 'patterns', kind: Kind.CHANNEL })).length)),
    sub('shardchannels', -2, (c, args) => listChannels(c, args, Kind.SHARD)),
    sub('shardnumsub', -2, (c, args) => numSub(c, args, Kind.SHARD)),
    sub('help', 2, (c, args) => replyHelp(c, args[0]!, HELP), ['loading', 'stale']),
  ],
});

// INFO stats: the registries' sizes
addInfoFields('stats', (s) => [
  ['pubsub_channels', s.pubsub.channels.size],
  ['pubsub_patterns', s.pubsub.patterns.size],
  ['pubsubshard_channels', s.pubsub.shardChannels.size],
]);
// with threads: the channels and patterns of every thread, each once
addCrossThreadField('pubsub_channels', (s) => union(everyThread(s, { what: 'list', kind: Kind.CHANNEL })).length);
addCrossThreadField('pubsub_patterns', (s) => union(everyThread(s, { what: 'patterns', kind: Kind.CHANNEL })).length);
addCrossThreadField('pubsubshard_channels', (s) => union(everyThread(s, { what: 'list', kind: Kind.SHARD })).length);

export const pubsubCommands: CommandSpec[] = [subscribe, unsubscribe, psubscribe, punsubscribe, publish, ssubscribe, sunsubscribe, spublish, pubsub];
