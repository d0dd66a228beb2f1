/**
 * Runs one request: command lookup, arity and subcommand checks, the
 * handler, error replies, CLIENT REPLY muting and commandstats.
 */
import type { Client } from './client.ts';
import type { Command } from '../commands/core/spec.ts';
import { arityAllows } from '../commands/core/command.ts';
import { CommandError, CountedError, unknownCommand, unknownSubcommand, wrongArity } from '../commands/core/errors.ts';
import { feedMonitors, monitoring } from './monitor.ts';
import { LOCK_FIRST, routeOf, runsEverywhere } from './thread-gate.ts';
import { isRedirect } from '../cluster/errors.ts';
import { monotonicNow } from '../engine/clock.ts';

/** Fast commands have 1 call in this many timed for commandstats (a power of two). */
const TIME_SAMPLE = 8;

/** Resolves the command (and subcommand) for args, or writes the error and returns null. */
export function resolveCommand(c: Client, args: string[]): Command | null {
  // the parser hands back the same name string for repeated commands: skip the lookup
  let cmd: Command | undefined;
  if (args[0] === c.lastName && c.lastCmd !== null) cmd = c.lastCmd;
  else {
    cmd = c.server.registry.lookup(args[0]!);
    if (cmd !== undefined) {
      c.lastName = args[0]!;
      c.lastCmd = cmd;
    }
  }
  if (cmd === undefined) {
    const name = args[0]!.toLowerCase();
    if (name === 'post' || name === 'host:') {
      // cross-protocol scripting (an HTTP request sent to Redis): drop the connection, as Redis does
      c.server.log('warning', 'Possible SECURITY ATTACK detected. It looks like somebody is sending POST or Host: commands to Redis. This is likely due to an attacker attempting to use Cross Protocol Scripting to compromise your Redis instance. Connection aborted.');
      c.close();
      return null;
    }
    c.lastCommand = 'NULL';
    rejectWith(c, null, unknownCommand(args[0]!, args.slice(1)));
    return null;
  }
  if (cmd.subcommands !== null && args.length >= 2) {
    const sub = cmd.subcommands.get(args[1]!.toLowerCase());
    if (sub === undefined) {
      c.lastCommand = 'NULL';
      rejectWith(c, cmd, unknownSubcommand(args[1]!, cmd.fullName));
      return null;
    }
    if (!arityAllows(sub.spec, args.length)) {
      c.lastCommand = sub.fullName;
      rejectWith(c, sub, wrongArity(sub.fullName));
      return null;
    }
    return sub;
  }
  if (!arityAllows(cmd.spec, args.length)) {
    c.lastCommand = cmd.fullName;
    rejectWith(c, cmd, wrongArity(cmd.fullName));
    return null;
  }
  return cmd;
}

/**
 * With a job of c's in flight to thread t: runs the next request at once
 * when it is a command that goes to t as a job too (its reply comes back
 * after the earlier ones); null when it must wait its turn instead (anything
 * else, including a request that would be refused: the refusal is written
 * in order once it runs).
 */
export function chainJob(c: Client, args: string[], t: number): Promise<void> | null {
  const server = c.server;
  let cmd = server.registry.lookup(args[0]!);
  if (cmd === undefined) return null;
  if (cmd.subcommands !== null) {
    const sub = args.length >= 2 ? cmd.subcommands.get(args[1]!.toLowerCase()) : undefined;
    if (sub === undefined) return null;
    cmd = sub;
  }
  // a rate limit admits commands in executeRequest only
  if (!arityAllows(cmd.spec, args.length) || c.intercept !== null || server.pause.type !== 0 || server.rateLimits.on) return null;
  if (server.gate(c, cmd, args) !== null || routeOf(server.engine, c, cmd, args) !== t) return null;
  return call(c, cmd, args) ?? null;
}

function rejectWith(c: Client, cmd: Command | null, msg: string): void {
  if (cmd) cmd.rejectedCalls++;
  const tx = c.ext.multi as { dirty: boolean } | undefined;
  if (tx) tx.dirty = true;
  c.server.countError(msg);
  const mark = c.reply.len;
  c.reply.error(msg);
  // CLIENT REPLY OFF/SKIP mute rejections too
  applyReplyMode(c, mark);
}

/** Runs a request; returns a promise only when the command completes asynchronously. */
export function execute(c: Client, args: string[]): Promise<void> | undefined {
  // with threads: who writes (a job runs for its connection on another thread)
  c.server.engine.writerId = (c.ext.originId as number | undefined) ?? c.id;
  // client-side caching: the request's invalidations are held until it ends (null until a client tracks)
  const t = c.server.tracking;
  if (t === null) return executeRequest(c, args);
  const prev = t.begin(c);
  try {
    return executeRequest(c, args);
  } finally {
    t.end(c, prev);
  }
}

function executeRequest(c: Client, args: string[]): Promise<void> | undefined {
  const mark = c.reply.len;
  const cmd = resolveCommand(c, args);
  if (cmd === null) return undefined;
  const server = c.server;
  // CLIENT PAUSE: a covered command waits, then runs as if just received (gate refusals don't wait)
  if (server.pause.type !== 0 && server.pause.covers(c, cmd, args) && server.gate(c, cmd, args) === null) {
    c.lastCommand = cmd.fullName;
    return server.pause.wait(c).then(() => (c.closed ? undefined : execute(c, args)));
  }
  if (c.intercept !== null && c.intercept(cmd, args)) {
    applyReplyMode(c, mark);
    return undefined;
  }
  // rate limits (security/rate-limit.ts): the one check while none is set; queued commands count at their EXEC
  if (server.rateLimits.on) {
    if (c.ratePass) c.ratePass = false;
    else {
      const r = server.rateLimits.admit(c, cmd.fullName);
      if (typeof r === 'string') {
        rateRefused(c, cmd, r, mark);
        return undefined;
      }
      if (r > 0) return rateDelayed(c, cmd, args, r);
    }
  }
  let refusal = server.gate(c, cmd, args);
  if (refusal !== null) {
    cmd.rejectedCalls++;
    // a refused EXEC (BUSY, OOM …) discards the transaction, as Redis's execCommandAbort
    if (c.ext.multi !== undefined && cmd.fullName === 'exec' && server.execAbort !== null) {
      server.execAbort(c);
      // a cluster redirection is answered as it is (Redis's discardTransaction, then clusterRedirectClient)
      if (!isRedirect(refusal)) refusal = 'EXECABORT Transaction discarded because of: ' + refusal;
    }
    server.countError(refusal);
    c.reply.error(refusal);
    applyReplyMode(c, mark);
    return undefined;
  }
  // RESP3: messages to the client itself come after the command's reply (Redis 7.2); SUBSCRIBE and friends reply by pushes
  if (c.reply.resp === 3 && !PUSH_REPLIES.has(cmd.fullName)) {
    const hub = server.pubsub;
    hub.holdOwnMessages(c);
    let r: Promise<void> | undefined;
    try {
      r = call(c, cmd, args, mark);
    } finally {
      if (r === undefined) hub.releaseOwnMessages(c);
    }
    if (r === undefined) return undefined;
    // a command that may block waits for others: messages reach it meanwhile, as Redis's blocked clients
    if (mayBlock(cmd)) {
      hub.releaseOwnMessages(c);
      return r;
    }
    return r.finally(() => hub.releaseOwnMessages(c));
  }
  return call(c, cmd, args, mark);
}

/** A command over a rate limit (refuse mode): refused as a gate refuses, a refused EXEC discarding its transaction. */
function rateRefused(c: Client, cmd: Command, msg: string, mark: number): void {
  cmd.rejectedCalls++;
  // the error keeps its own text (no EXECABORT prefix) so that clients can tell it apart
  if (c.ext.multi !== undefined && cmd.fullName === 'exec' && c.server.execAbort !== null) c.server.execAbort(c);
  c.server.countError(msg);
  c.reply.error(msg);
  applyReplyMode(c, mark);
}

/** A command over a rate limit (delay mode): its tokens are taken; it runs after `ms`, as if just received, without another check. */
function rateDelayed(c: Client, cmd: Command, args: string[], ms: number): Promise<void> {
  c.lastCommand = cmd.fullName;
  return new Promise<void>((resolve) => setTimeout(resolve, Math.ceil(ms))).then(() => {
    if (c.closed) return undefined;
    c.ratePass = true;
    const r = execute(c, args);
    // limits turned off meanwhile: the pass was not used, and must not serve a later command
    if (!c.server.rateLimits.on) c.ratePass = false;
    return r;
  });
}

function mayBlock(cmd: Command): boolean {
  return cmd.spec.flags.includes('blocking') || cmd.fullName === 'waitaof';
}

/** Commands whose replies are pushes (Redis's cmdHasPushAsReply). */
const PUSH_REPLIES = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']);

/** Runs a resolved command with stats and error handling (also used by EXEC and scripts). */
export function call(c: Client, cmd: Command, args: string[], mark = c.reply.len): Promise<void> | undefined {
  // CLIENT LIST cmd= names the command the client sent (EXEC, not what it ran)
  if (!c.inExec) c.lastCommand = cmd.fullName;
  // Reading the clock costs ~70 ns here, so commandstats time 1 call in
  // TIME_SAMPLE (and every call of slow, non-fast commands) and scale,
  // unless SLOWLOG or the latency monitor need every duration.
  const server = c.server;
  // with threads: another thread's keys are run there as a job, or borrowed under the lock (thread-gate.ts)
  const remote = server.engine.remote;
  if (remote !== null && remote.routes) {
    const route = routeOf(server.engine, c, cmd, args);
    if (route >= 0) return server.forward!(c, route, args, cmd.spec.flags.includes('blocking'));
    if (route === LOCK_FIRST || (server.lockWrites && cmd.isWrite)) remote.lockFirst();
  }
  const timed = (cmd.calls & (TIME_SAMPLE - 1)) === 0 || !cmd.isFast || server.timeAll;
  const t0 = timed ? monotonicNow() : 0;
  const repl = server.replication;
  const dirty0 = repl.active && cmd.isWrite ? repl.dirty() : -1;
  const tracking = server.tracking;
  const script = c.ext.script === true;
  // CLIENT NO-TOUCH: the client's lookups don't count as accesses, except TOUCH's (a script's calls run under its caller's)
  const lru = server.memory.lruPolicy;
  if (!script) lru.noTouch = c.noTouch && cmd.fullName !== 'touch';
  try {
    const r = cmd.handler!(c, args);
    // with threads: server-wide settings changed here change on every thread (unless it failed)
    if (remote !== null && remote.routes && r === undefined && runsEverywhere(cmd, args) && c.reply.buf[mark] !== 45) server.replayElsewhere!(args);
    if (tracking !== null && r === undefined) tracking.afterCall(c, cmd, args);
    if (dirty0 >= 0 && repl.dirty() !== dirty0) repl.propagate(c, args);
    else if (c.propagate !== null) c.propagate = null;
    if (r !== undefined) {
      if (monitoring(server)) feedMonitors(c, cmd, args);
      // a command that blocked is timed for what it ran, not for how long it waited
      const us = timed ? (monotonicNow() - t0) * 1000 : -1;
      if (c.blocked) c.unblockGate = () => server.gate(c, cmd, args);
      return r.then(
        () => {
          c.unblockGate = null;
          if (c.unblockRejected) {
            // refused as it was to be served: a rejected call, as Redis 7.2's reprocessed command
            c.unblockRejected = false;
            cmd.rejectedCalls++;
            applyReplyMode(c, mark);
            return;
          }
          if (tracking !== null) tracking.afterCall(c, cmd, args);
          finish(c, cmd, args, us, mark, false);
        },
        (e: unknown) => {
          c.unblockGate = null;
          writeFailure(c, e);
          finish(c, cmd, args, us, mark, true);
        },
      );
    }
    finish(c, cmd, args, timed ? (monotonicNow() - t0) * 1000 : -1, mark, false);
  } catch (e) {
    writeFailure(c, e);
    // a read that failed (WRONGTYPE …) still tracks its keys, as Redis's call()
    if (tracking !== null && !cmd.isWrite) tracking.afterCall(c, cmd, args);
    finish(c, cmd, args, timed ? (monotonicNow() - t0) * 1000 : -1, mark, true);
  } finally {
    if (!script) lru.noTouch = false;
  }
  if (monitoring(server)) feedMonitors(c, cmd, args);
  return undefined;
}

function writeFailure(c: Client, e: unknown): void {
  if (e instanceof CommandError) {
    if (!(e instanceof CountedError)) c.server.countError(e.message);
    c.reply.error(e.message);
    return;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  c.server.log('warning', `internal error: ${err.stack ?? err.message}`);
  c.server.countError('ERR');
  c.reply.error('ERR ' + err.message);
}

/** Books a finished call: stats, SLOWLOG/latency (us < 0: not timed), reply mode, woken clients. */
function finish(c: Client, cmd: Command, args: string[], us: number, mark: number, failed: boolean): void {
  const server = c.server;
  // with threads: a setting replayed from the thread that ran the command was counted there
  if (c.ext.replay === true) return;
  if (us >= 0) {
    const weight = cmd.isFast && !server.timeAll ? TIME_SAMPLE : 1;
    cmd.usec += us * weight;
    server.observeCall(c, cmd, args, us, weight);
  }
  cmd.calls++;
  if (failed) cmd.failedCalls++;
  server.stats.commandsProcessed++;
  applyReplyMode(c, mark);
  if (server.blocking.hasReady && c.intercept === null && !c.inExec) server.blocking.serveReady();
  if (server.afterCommand !== null && !c.inExec) server.afterCommand(c);
}

function applyReplyMode(c: Client, mark: number): void {
  if (c.replyMode === 'on') return;
  if (c.replyMode === 'skip-next') {
    // CLIENT REPLY SKIP itself replies nothing; the next command is the one skipped
    c.reply.truncate(mark);
    c.replyMode = 'skip';
    return;
  }
  c.reply.truncate(mark);
  if (c.replyMode === 'skip') c.replyMode = 'on';
}
