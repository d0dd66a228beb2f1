/**
 * One script run's context and the commands it calls (script.c): the
 * script client (a connection-less Client running commands through the
 * dispatcher's call(), so stats, MONITOR, propagation and key events work
 * as for any client), the checks Redis makes before each redis.call
 * (scriptCall), the BUSY state of a script past busy-reply-threshold, and
 * effects replication (the writes of one script wrapped in MULTI/EXEC when
 * there are several).
 */
import type { ServerState } from '../server/server-state.ts';
import { Client } from '../server/client.ts';
import { call } from '../server/dispatch.ts';
import type { Command } from '../commands/core/spec.ts';
import { arityAllows } from '../commands/core/command.ts';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import { Err } from '../commands/core/errors.ts';
import { pushErrorTable, pushReply } from './convert.ts';
import { raw } from './lua-vm.ts';
import { PROPAGATE_AOF, PROPAGATE_REPL, type ApiHost } from './redis-api.ts';
import { ACL_OK, aclErrorMessage } from '../security/acl.ts';
import { FLAG_EVAL_COMPAT, FLAG_NO_WRITES, FLAG_ALLOW_OOM, FLAG_ALLOW_CROSS_SLOT } from './script-cache.ts';
import { clusterOf } from '../cluster/mode.ts';
import { Route, mustObey, routeQuery } from '../cluster/redirect.ts';
import type { ClusterLens } from '../cluster/lens.ts';
import type { LogLevel } from '../server/host.ts';

const BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
const BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';

type Writes = Array<[number, readonly string[]]>;

export const OOM = "-OOM command not allowed when used memory > 'maxmemory'.";

const NOSCRIPT = 1;
const MAY_REPLICATE = 2;
const DENYOOM = 4;
const bitsOf = new WeakMap<Command, number>();

/** The flags scriptCall looks at, as bits (cached per command). */
function flagBits(cmd: Command): number {
  let b = bitsOf.get(cmd);
  if (b === undefined) {
    const f = cmd.spec.flags;
    b = (f.includes('noscript') ? NOSCRIPT : 0) | (f.includes('may_replicate') ? MAY_REPLICATE : 0) | (f.includes('denyoom') ? DENYOOM : 0);
    bitsOf.set(cmd, b);
  }
  return b;
}



export interface RunCtx {
  readonly caller: Client;
  readonly client: Client;
  /** SHA1 (EVAL) or function name: what error messages and logs call the script. */
  readonly name: string;
  readonly evalMode: boolean;
  readonly readOnly: boolean;
  readonly allowOom: boolean;
  /** In cluster mode, undeclared keys of several slots (this node's) may be used: EVAL without a shebang, or allow-cross-slot-keys. */
  readonly allowCrossSlot: boolean;
  /** Date.now() at the start (also the frozen time the script's commands see). */
  readonly start: number;
  threshold: number;
  /** May yield to the event loop once timed out (not inside EXEC). */
  mayYield: boolean;
  /** A write command ran: SCRIPT KILL refuses (UNKILLABLE). */
  dirty: boolean;
  killed: boolean;
  timedOut: boolean;
  /** redis.set_repl flags. */
  repl: number;
  /** Used memory was over maxmemory when the script started (Redis's pre_command_oom_state). */
  oom: boolean;
}

export class ScriptRunner implements ApiHost {
  current: RunCtx | null = null;
  private readonly server: ServerState<Client>;
  private scriptClient: Client | null = null;
  private inCall = false;
  /** execute() refused the command and counted the error (not a kill or a recursion). */
  private refusalCounted = false;
  /** DEBUG SET-DISABLE-DENY-SCRIPTS: noscript commands allowed from scripts. */
  private denyDisabled = false;
  private expiryWasEnabled = true;

  constructor(server: ServerState<Client>) {
    this.server = server;
    server.gates.push((c, cmd, args) => {
      const ctx = this.current;
      if (cmd.fullName === 'debug' && args.length === 3 && args[1]!.toLowerCase() === 'set-disable-deny-scripts') {
        this.denyDisabled = Number.parseInt(args[2]!, 10) !== 0;
      }
      if (ctx === null || !ctx.timedOut || c === ctx.client) return null;
      if (cmd.spec.flags.includes('allow_busy')) return null;
      return ctx.evalMode ? BUSY_EVAL : BUSY_FUNCTION;
    });
  }

  private client(): Client {
    let sc = this.scriptClient;
    if (sc === null) {
      sc = new Client(this.server, null);
      sc.ext.script = true;
      sc.ext.denyBlocking = true;
      // suppresses serving blocked clients between a script's commands (they are served after it)
      sc.inExec = true;
      sc.authenticated = true;
      this.scriptClient = sc;
    }
    return sc;
  }

  begin(caller: Client, name: string, flags: number, ro: boolean, evalMode: boolean): RunCtx {
    const sc = this.client();
    // a script that yields to the event loop keeps what it borrowed from other threads until it ends
    this.server.engine.pinned++;
    sc.db = caller.db;
    // the script's commands run with the permissions of the user that ran it
    sc.user = caller.user;
    sc.reply.resp = 2;
    sc.reply.len = 0;
    const compat = (flags & FLAG_EVAL_COMPAT) !== 0;
    // in a transaction the script keeps EXEC's time (Redis 7.2)
    const now = this.server.engine.now();
    const ctx: RunCtx = {
      caller, client: sc, name, evalMode,
      readOnly: ro || (!compat && (flags & FLAG_NO_WRITES) !== 0),
      allowOom: !compat && (flags & FLAG_ALLOW_OOM) !== 0,
      allowCrossSlot: compat || (flags & FLAG_ALLOW_CROSS_SLOT) !== 0,
      start: now, threshold: 0, mayYield: false,
      dirty: false, killed: false, timedOut: false, repl: PROPAGATE_AOF | PROPAGATE_REPL, oom: this.oom(),
    };
    if (this.server.replication.active) sc.ext.txPropagate = [];
    this.server.engine.freezeClock(now);
    this.current = ctx;
    return ctx;
  }

  end(ctx: RunCtx): void {
    this.server.engine.pinned--;
    const sc = ctx.client;
    const writes = sc.ext.txPropagate as Writes | undefined;
    sc.ext.txPropagate = undefined;
    if (writes && writes.length > 0) this.propagate(ctx.caller, writes);
    sc.reply.len = 0;
    this.server.engine.thawClock();
    if (ctx.timedOut) {
      this.server.engine.expiry.enabled = this.expiryWasEnabled;
      this.server.link?.busy.clear();
    }
    this.current = null;
  }

  /** A script's writes reach replicas as one transaction when there are several (Redis 7.0 propagatePendingCommands). */
  private propagate(caller: Client, writes: Writes): void {
    const outer = caller.ext.txPropagate as Writes | undefined;
    if (outer) {
      outer.push(...writes);
      return;
    }
    const repl = this.server.replication;
    if (writes.length === 1) repl.feed(writes[0]![0], writes[0]![1]);
    else {
      repl.feed(writes[0]![0], ['MULTI']);
      for (const [db, vec] of writes) repl.feed(db, vec);
      repl.feed(writes[writes.length - 1]![0], ['EXEC']);
    }
    caller.woff = repl.offset;
  }

  enterTimedOut(ctx: RunCtx, elapsedMs: number): void {
    this.server.log('warning', `Slow script detected: still in execution after ${elapsedMs} milliseconds. You can try killing the script using the ${ctx.evalMode ? 'SCRIPT KILL' : 'FUNCTION KILL'} command. Script name is: ${ctx.name}.`);
    ctx.timedOut = true;
    // nothing may change the dataset while the script waits for its next turn
    const expiry = this.server.engine.expiry;
    this.expiryWasEnabled = expiry.enabled;
    expiry.enabled = false;
    this.server.link?.busy.publish(ctx.evalMode, ctx.dirty, { name: ctx.name, command: (ctx.caller.ext.fcallArgs as string[] | undefined) ?? [], start: ctx.start });
  }

  /** Whether the run must stop: SCRIPT KILL / FUNCTION KILL here or, past the threshold, on another thread. */
  killed(ctx: RunCtx): boolean {
    if (!ctx.killed && ctx.timedOut && this.server.link?.busy.killAsked === true) ctx.killed = true;
    return ctx.killed;
  }

  /** SCRIPT KILL / FUNCTION KILL: the reply error, or null once the run is marked killed. */
  kill(evalMode: boolean): string | null {
    const ctx = this.current;
    if (ctx === null) return 'NOTBUSY No scripts in execution right now.';
    if (ctx.dirty) {
      return 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';
    }
    if (evalMode && !ctx.evalMode) return BUSY_FUNCTION;
    if (!evalMode && ctx.evalMode) return BUSY_EVAL;
    ctx.killed = true;
    return null;
  }

  running(): boolean {
    return this.current !== null;
  }

  setResp(resp: 2 | 3): void {
    if (this.current) this.current.client.reply.resp = resp;
  }

  setRepl(flags: number): void {
    if (this.current) this.current.repl = flags;
  }

  log(level: LogLevel, msg: string): void {
    this.server.log(level, msg);
  }

  private lookup(args: readonly string[]): Command | undefined {
    const cmd = this.server.registry.lookup(args[0]!);
    if (cmd === undefined || cmd.subcommands === null || args.length < 2) return cmd;
    return cmd.subcommands.get(args[1]!.toLowerCase());
  }

  /** redis.acl_check_cmd: undefined for an unknown command, else whether the caller's user may run it. */
  aclCheck(args: string[]): boolean | undefined {
    const cmd = this.lookup(args);
    if (cmd === undefined) return undefined;
    return this.server.acl.checkUser(this.current!.caller.user, cmd, args).result === ACL_OK;
  }

  /** redis.call / redis.pcall: runs the command, pushes its reply; false when that is an error table. */
  call(L: number, args: string[]): boolean {
    const err = this.execute(args);
    if (err !== null) {
      // a refused command's error was counted already; a kill's or a recursion's is counted when it ends the script
      pushErrorTable(L, err, this.refusalCounted);
      return false;
    }
    const w = this.current!.client.reply;
    const len = w.len;
    w.len = 0;
    if (len === 0) {
      raw.lua_pushboolean(L, 0);
      return true;
    }
    pushReply(L, w.buf, 0);
    return w.buf[0] !== 45;
  }

  /** client.call of a JS function: 'A' and the reply's RESP bytes (one char each), or 'X' and the refusal's error text. */
  callText(args: string[]): string {
    const err = this.execute(args);
    if (err !== null) return 'X' + (err.charCodeAt(0) === 45 ? err.slice(1) : 'ERR ' + err);
    const w = this.current!.client.reply;
    const len = w.len;
    w.len = 0;
    return len === 0 ? 'A$-1\r\n' : 'A' + w.buf.latin1Slice(0, len);
  }

  /**
   * Runs a script's command as the script client (scriptCall): null with
   * the reply left in the client's writer, or the refusal's text (Lua's
   * error table text: a leading '-' for a whole error reply, else ERR's).
   */
  private execute(args: string[]): string | null {
    const ctx = this.current!;
    this.refusalCounted = false;
    if (this.inCall) {
      const msg = 'luaRedisGenericCommand() recursive call detected. Are you doing funny stuff with Lua debug hooks?';
      this.server.log('warning', msg);
      return msg;
    }
    const cmd = this.lookup(args);
    const err = this.refusal(ctx, cmd, args);
    if (err !== null) {
      this.server.countError(err.charCodeAt(0) === 45 ? err.slice(1) : 'ERR ' + err);
      if (cmd) cmd.rejectedCalls++;
      this.refusalCounted = true;
      return err;
    }
    if (cmd!.isWrite && !ctx.dirty) {
      // a kill asked from another thread before this first write wins: the write does not happen
      if (ctx.timedOut && this.server.link?.busy.markWrite() === false) {
        ctx.killed = true;
        return 'Script killed by user with SCRIPT KILL...';
      }
      ctx.dirty = true;
    }
    const sc = ctx.client;
    const writes = sc.ext.txPropagate as Writes | undefined;
    const before = writes ? writes.length : 0;
    this.inCall = true;
    try {
      void call(sc, cmd!, args, 0);
    } finally {
      this.inCall = false;
    }
    if (writes && (ctx.repl & PROPAGATE_REPL) === 0) writes.length = before;
    return null;
  }

  /** scriptCall's checks before a command runs: null, or the error text. */
  private refusal(ctx: RunCtx, cmd: Command | undefined, args: string[]): string | null {
    if (cmd === undefined) return 'Unknown Redis command called from script';
    const argc = args.length;
    if (!arityAllows(cmd.spec, argc)) return 'Wrong number of args calling Redis command from script';
    const bits = flagBits(cmd);
    if ((bits & NOSCRIPT) !== 0 && !this.denyDisabled) return 'This Redis command is not allowed from script';
    const denied = this.aclRefusal(ctx, cmd, args);
    if (denied !== null) return denied;
    if (ctx.readOnly && (cmd.isWrite || (bits & MAY_REPLICATE) !== 0)) return 'Write commands are not allowed from read-only scripts.';
    if (cmd.isWrite && !ctx.dirty && this.readOnlyReplica(ctx)) return '-' + Err.READONLY_REPLICA;
    if (cmd.isWrite && !ctx.dirty && !this.enoughReplicas()) return '-NOREPLICAS Not enough good replicas to write.';
    if (ctx.oom && !ctx.allowOom && !ctx.dirty && (bits & DENYOOM) !== 0) return OOM;
    const cluster = clusterOf(this.server);
    return cluster === null ? null : this.clusterRefusal(ctx, cluster, cmd, args);
  }

  /**
   * scriptVerifyClusterState: the command's keys must be served here, as
   * the cluster gate judges a client's (with the caller's ASKING and
   * READONLY); and, unless the script may cross slots, in the slot of the
   * keys the caller declared, or else of the first key it used.
   */
  private clusterRefusal(ctx: RunCtx, cluster: ClusterLens, cmd: Command, args: string[]): string | null {
    const caller = ctx.caller;
    if (mustObey(caller)) return null;
    const r = routeQuery(cluster, caller, cmd, [[cmd, args]], caller.ext.askingNow === true, caller.ext.readonly === true);
    if (r.code === Route.DOWN_RO_STATE) return 'Script attempted to execute a write command while the cluster is down and readonly';
    if (r.code === Route.DOWN_STATE) return 'Script attempted to execute a command while the cluster is down';
    // 7.4's error per refusal (#12707); MOVED and ASK keep the old one
    if (r.code === Route.CROSS_SLOT) return `Command '${cmd.fullName}' in script attempted to access keys that don't hash to the same slot`;
    if (r.code === Route.UNSTABLE) {
      return `Unable to execute command '${cmd.fullName}' in script because undeclared keys were accessed during rehashing of the slot`;
    }
    if (r.code === Route.DOWN_UNBOUND) return 'Script attempted to access a slot not served';
    if (r.code !== Route.HERE) return 'Script attempted to access a non local key in a cluster node';
    if (r.slot !== -1 && !ctx.allowCrossSlot) {
      // the caller's slot (Redis's c->slot): its declared keys', else the first used; kept through an EXEC
      const slot = (caller.ext.slot as number | undefined) ?? -1;
      if (slot === -1) caller.ext.slot = r.slot;
      else if (slot !== r.slot) return 'Script attempted to access keys that do not hash to the same slot';
    }
    return null;
  }

  /** scriptVerifyACL: the caller's user must be allowed the command, its keys and channels. */
  private aclRefusal(ctx: RunCtx, cmd: Command, args: string[]): string | null {
    const acl = this.server.acl;
    const res = acl.check(ctx.client, cmd, args);
    if (res.result === ACL_OK) return null;
    acl.logDenial(ctx.caller, res, cmd, args, 'lua');
    return 'ACL failure in script: ' + aclErrorMessage(res.result, ctx.client.user.name, cmd, args[res.idx] ?? '', false);
  }

  /** Used memory (INFO's used_memory: JS heap and external buffers) is over maxmemory. */
  oom(): boolean {
    const max = this.server.maxmemory;
    if (max === 0) return false;
    const m = process.memoryUsage();
    return m.heapUsed + m.external > max;
  }

  /** A read-only replica refuses a script's writes, unless its primary runs the script. */
  private readOnlyReplica(ctx: RunCtx): boolean {
    return this.server.replicaOf !== null && ctx.caller.ext.master !== true && getConfigValue(this.server.config, 'replica-read-only') !== 'no';
  }

  /** min-replicas-to-write / min-replicas-max-lag (replication/primary.ts). */
  enoughReplicas(): boolean {
    return this.server.replication.enoughReplicas();
  }
}

