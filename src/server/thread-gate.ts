/**
 * With several threads: where a command runs (threads/). Here, with no lock,
 * when its keys are all this thread's; as a job on the owner when they all
 * belong to one other thread and neither the command nor the client state
 * it needs stays behind; else here under the global lock, taken before the
 * command reads anything: keys of several threads, keys only known as it
 * runs (scripts, EXEC's queue, SORT's BY / GET patterns), the whole keyspace,
 * WATCH.
 */
import type { Engine } from '../engine/engine.ts';
import type { Client } from './client.ts';
import { keyIndexes, type CommandInfo } from '../commands/core/command.ts';

/** Runs here without the lock. */
export const RUN_HERE = -1;
/** Runs here under the global lock. */
export const LOCK_FIRST = -2;

const LOCKING = new Set([
  'exec', 'eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro', 'sort', 'sort_ro',
  'dbsize', 'keys', 'scan', 'randomkey', 'flushdb', 'flushall', 'swapdb',
]);

/**
 * Commands that change what every thread must agree on (config, users,
 * scripts, functions, stats resets): once one succeeds on its thread, every
 * other thread runs it too (ServerState.replayElsewhere).
 */
const EVERYWHERE = new Set([
  'config|set', 'config|resetstat', 'acl|setuser', 'acl|deluser', 'acl|load', 'script|flush',
  'function|load', 'function|delete', 'function|flush', 'function|restore', 'slowlog|reset', 'latency|reset',
  'swapdb', 'client|pause', 'client|unpause',
]);

/** DEBUG's subcommands (not registered as subcommands) that set what every thread must agree on. */
const DEBUG_EVERYWHERE = new Set(['set-active-expire', 'set-skip-checksum-validation', 'set-disable-deny-scripts']);

export function runsEverywhere(cmd: CommandInfo, args: readonly string[]): boolean {
  if (cmd.fullName === 'debug') return args.length > 1 && DEBUG_EVERYWHERE.has(args[1]!.toLowerCase());
  return EVERYWHERE.has(cmd.fullName);
}

/** Commands with keys that act on the connection too: they stay on its thread. */
const STAYS = new Set(['watch', 'migrate']);

/** Commands whose "keys" are shard channels, not data: they run on the connection's thread as they are. */
const CHANNELS_ONLY = new Set(['ssubscribe', 'sunsubscribe']);

/**
 * Blocking moves: they wait on their source's thread, whatever thread the
 * destination lives on, so they queue there among the source's other
 * waiters (first blocked, first served); served, they borrow the
 * destination under the lock.
 */
const WAITS_ON_SOURCE = new Set(['blmove', 'brpoplpush']);

/**
 * Cluster mode: CLUSTER subcommands that only read the view, which every
 * thread mirrors (cluster/lens.ts), or a slot's keys, which the slot's
 * thread holds; the others change the node, which runs on thread 0.
 */
const CLUSTER_ANYWHERE = new Set([
  'cluster|keyslot', 'cluster|countkeysinslot', 'cluster|getkeysinslot', 'cluster|help', 'cluster|info', 'cluster|nodes',
  'cluster|myid', 'cluster|slots', 'cluster|replicas', 'cluster|slaves', 'cluster|count-failure-reports',
]);

/** Cluster mode: what runs on thread 0, where the node (its Cluster) is. */
function runsOnNode(cmd: CommandInfo): boolean {
  return cmd.parent?.fullName === 'cluster' && !CLUSTER_ANYWHERE.has(cmd.fullName);
}

/** RUN_HERE, LOCK_FIRST, or the thread to send the command to as a job. */
export function routeOf(engine: Engine, c: Client, cmd: CommandInfo, args: readonly string[]): number {
  if (c.server.cluster !== null && engine.threadIndex !== 0 && runsOnNode(cmd)) return canSend(c, cmd) ? 0 : RUN_HERE;
  // a setting replayed on every thread takes the lock before it runs too: waiting for it between the
  // handler and the replay, the thread could be held for a replica's full sync, cut with its setting
  // half applied (FUNCTION LOAD on this thread only, and missing from the stream that follows)
  if (LOCKING.has(cmd.fullName) || runsEverywhere(cmd, args)) return LOCK_FIRST;
  if (CHANNELS_ONLY.has(cmd.fullName)) return RUN_HERE;
  if (WAITS_ON_SOURCE.has(cmd.fullName) && args.length > 2) {
    const me = engine.threadIndex;
    const source = engine.threadOf(engine.shardIdOf(args[1]!));
    const dest = engine.threadOf(engine.shardIdOf(args[2]!));
    if (source === me) return dest === me ? RUN_HERE : LOCK_FIRST;
    return canSend(c, cmd) ? source : LOCK_FIRST;
  }
  const idx = keyIndexes(cmd, args);
  const me = engine.threadIndex;
  let owner = RUN_HERE;
  let local = false;
  let several = false;
  for (let i = 0; i < idx.length; i++) {
    const t = engine.threadOf(engine.shardIdOf(args[idx[i]!]!));
    if (t === me) local = true;
    else if (owner === RUN_HERE) owner = t;
    else if (owner !== t) several = true;
  }
  if (owner === RUN_HERE) return RUN_HERE;
  if (local || several) {
    // keys of several threads: a blocking command waits on its first key's thread, so clients
    // blocking on the same keys queue in one place (first blocked, first served); it hears of
    // the other keys from their owners
    if (cmd.spec.flags.includes('blocking')) {
      const first = engine.threadOf(engine.shardIdOf(args[idx[0]!]!));
      if (first !== me && canSend(c, cmd)) return first;
    }
    return LOCK_FIRST;
  }
  if (!canSend(c, cmd)) return LOCK_FIRST;
  return owner;
}

/**
 * Whether the command can run on another thread for this client: not part
 * of EXEC or a script, and no per-connection state in play (CLIENT REPLY,
 * client-side caching) that the owner would not see. A blocking command
 * goes too: it waits on the owner among the key's other waiters, in order.
 */
function canSend(c: Client, cmd: CommandInfo): boolean {
  return !STAYS.has(cmd.fullName) && !c.inExec && c.ext.script !== true &&
    c.replyMode === 'on' && c.ext.tracking === undefined && c.intercept === null;
}
