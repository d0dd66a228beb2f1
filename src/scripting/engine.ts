/**
 * The EVAL engine of one server: its Lua state, the script cache, and runs.
 *
 * A script runs in a coroutine under xpcall with Redis's error handler; a
 * count hook (every 100000 instructions, as Redis's luaMaskCountHook)
 * watches busy-reply-threshold. Past it the hook yields the coroutine back
 * to JS, the event loop serves other clients (every command but the
 * allow_busy ones gets -BUSY, so the script stays atomic) and resumes the
 * script on the next turn; SCRIPT KILL marks the run and the next hook
 * raises the kill error. Until then a script runs start to finish in one
 * synchronous call, which is what makes it atomic across shards.
 */
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import { CommandError, CountedError } from '../commands/core/errors.ts';
import { getConfigNumber } from '../config/config.ts';
import {
  raw, toString, pop, loadChunk, resume, cstr, hookfunction, newState,
  LUA_OK, LUA_YIELD, LUA_REGISTRYINDEX, T_STRING, T_TABLE, T_NUMBER, MASK_COUNT, MASK_LINE, rawGetField,
} from './lua-vm.ts';
import { PRELUDE, BITOP } from './sandbox.ts';
import { makeApi } from './redis-api.ts';
import { luaToReply, errorInfo, pushErrorTable, pushStringArray, type ReplySink } from './convert.ts';
import { ScriptCache, sha1hex, shebangFlags, type Script } from './script-cache.ts';
import { pushLibraries } from './libs/index.ts';
import { ScriptRunner, type RunCtx } from './runner.ts';

/** Fixed slots of the main state's stack. */
const S_G = 1;
const S_RUN = 2;
const S_FUNCS = 3;
const S_MEMORY = 4;
const S_THREAD = 5;

const HOOK_COUNT = 100000;
/** The registry field holding a killed run's error table. */
const KILL_ERROR = 'shardis:kill-error';

const engines = new WeakMap<ServerState<Client>, ScriptEngine>();

export class ScriptEngine {
  readonly server: ServerState<Client>;
  readonly cache = new ScriptCache();
  readonly runner: ScriptRunner;
  /** The main Lua state. */
  L = 0;
  /** The coroutine scripts run in (replaced after a run that left it dead). */
  private T = 0;
  private nextId = 1;
  private lastMemory = 0;
  private runs = 0;
  private readonly installApi: (L: number) => void;
  private readonly hook: number;

  static of(server: ServerState<Client>): ScriptEngine {
    let e = engines.get(server);
    if (!e) {
      e = new ScriptEngine(server);
      engines.set(server, e);
    }
    return e;
  }

  /** The engine of `server` if scripting was ever used there. */
  static peek(server: ServerState<Client>): ScriptEngine | undefined {
    return engines.get(server);
  }

  /** SCRIPT KILL (evalMode) / FUNCTION KILL: null once the running script is marked killed, else the error reply. */
  static kill(server: ServerState<Client>, evalMode: boolean): string | null {
    const runner = engines.get(server)?.runner;
    if (runner !== undefined && runner.current !== null) return runner.kill(evalMode);
    // past busy-reply-threshold on another thread, maybe
    const link = server.link;
    return link === null ? 'NOTBUSY No scripts in execution right now.' : link.busy.kill(evalMode);
  }

  private constructor(server: ServerState<Client>) {
    this.server = server;
    this.runner = new ScriptRunner(server);
    this.installApi = makeApi(this.runner);
    this.hook = hookfunction((l) => this.onHook(l));
    this.open();
  }

  /** Creates the Lua state: libraries, sandbox, the fixed stack slots. */
  private open(): void {
    const L = newState();
    raw.luaL_openlibs(L);
    if (!loadChunk(L, PRELUDE, '@prelude') || !loadChunk(L, BITOP, '@bit')) throw new Error('Lua prelude: ' + toString(L, -1));
    if (raw.lua_pcallk(L, 0, 1, 0, 0, 0) !== LUA_OK) throw new Error('Lua bit library: ' + toString(L, -1));
    // prelude(js) with js = {redis, random, randomseed, bit, cjson, cmsgpack, struct}
    this.installApi(L);
    raw.lua_rotate(L, -2, 1);
    raw.lua_setfield(L, -2, cstr('bit'));
    pushLibraries(L);
    if (raw.lua_pcallk(L, 1, 4, 0, 0, 0) !== LUA_OK) throw new Error('Lua prelude: ' + toString(L, -1));
    // stack: G, P, run, memory → keep G, run, funcs, memory, thread
    raw.lua_rotate(L, 2, -1);
    pop(L, 1); // P is G._G, reachable from G
    raw.lua_createtable(L, 64, 0);
    raw.lua_rotate(L, 3, 1);
    // the coroutine scripts run in
    raw.lua_newthread(L);
    this.L = L;
    this.T = raw.lua_tothread(L, S_THREAD);
    this.nextId = 1;
  }

  /** SCRIPT FLUSH: a new Lua state, no scripts. */
  reset(): void {
    raw.lua_close(this.L);
    this.cache.clear();
    this.open();
    for (const f of this.onOpen) f();
  }

  /** Hooks run after SCRIPT FLUSH made a new Lua state (FUNCTION libraries compile theirs again). */
  readonly onOpen: Array<() => void> = [];

  /** Pushes the real globals table onto the main stack. */
  pushGlobals(): void {
    raw.lua_pushvalue(this.L, S_G);
  }

  /**
   * Runs, for a run begun with runner.begin, the function `push` leaves on
   * top of the main stack (FCALL: a closure calling the function with its
   * keys and arguments). As run() for the reply and BUSY handling.
   */
  invoke(ctx: RunCtx, push: (L: number) => void): void | Promise<void> {
    raw.lua_pushvalue(this.L, S_RUN);
    push(this.L);
    return this.resumeRun(ctx);
  }

  /**
   * Compiles and caches a script body (SCRIPT LOAD, EVAL: `fromEval`, whose
   * scripts are evicted least recently run first); throws the compile error reply.
   */
  define(body: string, sha = sha1hex(body), fromEval = false): Script {
    const known = this.cache.get(sha);
    if (known) return known;
    const sb = shebangFlags(body);
    if (typeof sb === 'string') throw new CommandError('ERR ' + sb);
    const L = this.L;
    // keep the shebang's line feed so line numbers stay the user's
    if (!loadChunk(L, body.slice(sb.shebangLen), '@user_script')) {
      // Lua 5.1 quotes the end-of-input token: near '<eof>'
      const msg = (toString(L, -1) ?? '').replace(/near <eof>$/, "near '<eof>'");
      pop(L, 1);
      throw new CommandError('ERR Error compiling script (new function): ' + msg);
    }
    // _ENV of the chunk = the read-only proxy of the globals
    rawGetField(L, S_G, '_G');
    raw.lua_setupvalue(L, -2, 1);
    const id = this.nextId++;
    raw.lua_pushnumber(L, id);
    raw.lua_rotate(L, -2, 1);
    raw.lua_rawset(L, S_FUNCS);
    const script: Script = { sha, body, flags: sb.flags, id };
    this.cache.add(script, fromEval, (old) => {
      this.server.stats.evictedScripts++;
      // its compiled function goes too
      raw.lua_pushnumber(L, old.id);
      raw.lua_pushnil(L);
      raw.lua_rawset(L, S_FUNCS);
    });
    this.server.onScriptAdded?.(body);
    return script;
  }

  /** Lua heap in bytes (used_memory_lua); while a script runs (INFO from a script), as of its start. */
  memory(): number {
    if (this.runner.current !== null) return this.lastMemory;
    const L = this.L;
    raw.lua_pushvalue(L, S_MEMORY);
    if (raw.lua_pcallk(L, 0, 1, 0, 0, 0) !== LUA_OK) {
      pop(L, 1);
      return 0;
    }
    const kb = raw.lua_tonumberx(L, -1, 0);
    pop(L, 1);
    this.lastMemory = Math.round(kb * 1024);
    return this.lastMemory;
  }

  /**
   * Runs a cached script for `caller` with KEYS = args[3, 3+numkeys) and
   * ARGV the rest. Writes the reply; a promise when the script outlived
   * busy-reply-threshold and finishes on a later turn of the event loop.
   */
  run(caller: Client, script: Script, args: string[], numkeys: number, ro: boolean): void | Promise<void> {
    const L = this.L;
    // refreshed now and then for INFO run by a script (which can't run Lua on the main state)
    if ((this.runs++ & 63) === 0) this.memory();
    const ctx = this.runner.begin(caller, script.sha, script.flags, ro, true);
    pushStringArray(L, args, 3, 3 + numkeys);
    raw.lua_setfield(L, S_G, cstr('KEYS'));
    pushStringArray(L, args, 3 + numkeys, args.length);
    raw.lua_setfield(L, S_G, cstr('ARGV'));
    raw.lua_pushvalue(L, S_RUN);
    raw.lua_pushnumber(L, script.id);
    raw.lua_rawget(L, S_FUNCS);
    return this.resumeRun(ctx);
  }

  /** Moves [run, f] from the main stack to the coroutine and starts it. */
  private resumeRun(ctx: RunCtx): void | Promise<void> {
    const L = this.L;
    const caller = ctx.caller;
    const T = this.T;
    raw.lua_xmove(L, T, 2);
    const threshold = getConfigNumber(this.server.config, 'busy-reply-threshold', 5000);
    if (threshold > 0) raw.lua_sethook(T, this.hook, MASK_COUNT, HOOK_COUNT);
    ctx.threshold = threshold;
    // inside EXEC the script must finish in this call: no yielding to the event loop
    ctx.mayYield = threshold > 0 && !caller.inExec;
    let st: number;
    try {
      st = resume(T, L, 1);
    } catch (e) {
      this.abandon(ctx);
      throw e;
    }
    if (st === LUA_YIELD) return this.continueLater(ctx);
    this.finish(ctx, st);
  }

  /** A JS exception escaped the VM (a bug): drop the coroutine and end the run so the server goes on. */
  private abandon(ctx: RunCtx): void {
    raw.lua_sethook(this.T, 0, 0, 0);
    if (ctx.killed) this.forgetKillError();
    this.replaceThread();
    this.runner.end(ctx);
  }

  private continueLater(ctx: RunCtx): Promise<void> {
    return new Promise((resolve, reject) => {
      const step = (): void => {
        let st: number;
        try {
          st = resume(this.T, this.L, 0);
        } catch (e) {
          this.abandon(ctx);
          reject(e);
          return;
        }
        if (st === LUA_YIELD) {
          setImmediate(step);
          return;
        }
        try {
          this.finish(ctx, st);
          resolve();
        } catch (e) {
          reject(e);
        }
      };
      setImmediate(step);
    });
  }

  /** Converts the outcome to the caller's reply and ends the run. */
  private finish(ctx: RunCtx, st: number): void {
    const T = this.T;
    try {
      if (st !== LUA_OK) {
        // an error outside xpcall (a kill raised again past the handler): the coroutine is dead
        const info = errorInfo(T);
        this.replaceThread();
        let msg = info.msg ?? 'ERR execution failure';
        if (info.source !== null && info.line !== null) msg += ` script: ${ctx.name}, on ${info.source}:${info.line}.`;
        throw new CommandError(msg);
      }
      const ok = raw.lua_toboolean(T, -2) !== 0;
      if (!ok) throw scriptError(T, ctx.name);
      const caller = ctx.caller;
      if (raw.lua_type(T, -1) === T_TABLE && isErrorTable(T)) {
        const info = errorInfo(T);
        const msg = (info.msg ?? '').replace(/[\r\n]/g, ' ');
        throw info.ignoreStats ? new CountedError(msg) : new CommandError(msg);
      }
      const sink: ReplySink = {
        w: caller.reply,
        scriptResp: ctx.client.reply.resp,
        onError: (msg, ignore) => {
          if (!ignore) this.server.countError(msg);
        },
      };
      luaToReply(T, sink);
    } finally {
      if (raw.lua_status(this.T) === LUA_OK) raw.lua_settop(this.T, 0);
      if (ctx.killed) this.forgetKillError();
      if (ctx.threshold > 0) raw.lua_sethook(this.T, 0, 0, 0);
      this.runner.end(ctx);
    }
  }

  private forgetKillError(): void {
    raw.lua_pushnil(this.L);
    raw.lua_setfield(this.L, LUA_REGISTRYINDEX, cstr(KILL_ERROR));
  }

  private replaceThread(): void {
    pop(this.L, 1);
    raw.lua_newthread(this.L);
    this.T = raw.lua_tothread(this.L, S_THREAD);
  }

  private onHook(l: number): void {
    const ctx = this.runner.current;
    if (ctx === null) return;
    if (this.runner.killed(ctx)) {
      // keep raising at every line so pcall can't swallow the kill
      raw.lua_sethook(l, this.hook, MASK_LINE, 0);
      if (l !== this.T) raw.lua_sethook(this.T, this.hook, MASK_LINE, 0);
      // one error table a run: the error handler gives it the script's source and line the first time, and
      // raised again past xpcall (in the prelude) it still carries them to the reply, as Redis's does
      if (raw.lua_getfield(l, LUA_REGISTRYINDEX, cstr(KILL_ERROR)) !== T_TABLE) {
        pop(l, 1);
        pushErrorTable(l, 'Script killed by user with SCRIPT KILL...');
        raw.lua_pushvalue(l, -1);
        raw.lua_setfield(l, LUA_REGISTRYINDEX, cstr(KILL_ERROR));
      }
      raw.lua_error(l);
      return;
    }
    if (!ctx.timedOut) {
      const elapsed = Date.now() - ctx.start;
      if (elapsed < ctx.threshold) return;
      this.runner.enterTimedOut(ctx, Math.floor(elapsed));
    }
    if (ctx.mayYield && l === this.T && raw.lua_isyieldable(l)) raw.lua_yieldk(l, 0, 0, 0);
  }
}

function isErrorTable(L: number): boolean {
  const t = rawGetField(L, -1, 'err');
  pop(L, 1);
  return t === T_STRING;
}

/** The error reply of a script that raised (luaCallFunction). */
function scriptError(T: number, sha: string): CommandError {
  const t = raw.lua_type(T, -1);
  if (t !== T_TABLE) {
    const msg = t === T_STRING || t === T_NUMBER ? toString(T, -1)! : 'execution failure';
    return new CommandError(`ERR Error running script ${sha}, ${msg.slice(0, 100)} `.replace(/[\r\n]/g, ' '));
  }
  const info = errorInfo(T);
  let msg = info.msg ?? 'ERR unknown error';
  if (info.line !== null && info.source !== null) msg += ` script: ${sha}, on ${info.source}:${info.line}.`;
  msg = msg.replace(/[\r\n]/g, ' ');
  return info.ignoreStats ? new CountedError(msg) : new CommandError(msg);
}

