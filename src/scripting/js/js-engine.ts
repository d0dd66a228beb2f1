/**
 * The server side of `#!js` libraries: the worker thread that runs them
 * (worker.ts), started on first use, and runs of their functions and
 * triggers under a ScriptRunner context, as Lua's.
 *
 * A run blocks this thread while the function runs in the worker, serving
 * its client.call requests synchronously (the script client, as redis.call
 * in Lua), so a function is atomic. Past busy-reply-threshold the thread
 * goes back to its event loop and waits for the worker without blocking:
 * other clients get BUSY (the runner's gate) and FUNCTION KILL can end the
 * run (the worker's interrupt handler sees the kill word), as Lua's yield.
 */
import { Worker, MessageChannel } from 'node:worker_threads';
import type { ServerState } from '../../server/server-state.ts';
import type { Client } from '../../server/client.ts';
import { getConfigNumber } from '../../config/config.ts';
import { REDIS_VERSION } from '../../server/version.ts';
import type { LogLevel } from '../../server/host.ts';
import type { RunCtx, ScriptRunner } from '../runner.ts';
import { Channel, KILL, newChannelBuffer, pack, unpack } from './channel.ts';

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
const START_TIMEOUT_MS = 30_000;
/** How often a run past the threshold looks for a kill while it waits. */
const KILL_POLL_MS = 20;

/** What a library registered: functions [name, flags, description], triggers [kind k|s, name, prefix bytes, description]. */
export interface JsMeta {
  functions: Array<[string, string[], string | null]>;
  triggers: Array<['k' | 's', string, string, string | null]>;
}

/** How a run ended: O + the reply's bytes, E / e + an error (e: counted already), K (killed). */
export type Outcome = string;

const engines = new WeakMap<ServerState<Client>, JsEngine>();

export class JsEngine {
  private readonly server: ServerState<Client>;
  private readonly worker: Worker;
  private readonly ch: Channel;
  private dead: string | null = null;
  /** A function or trigger runs: the worker answers nothing but its calls. */
  private running = false;
  private lastMemory = 0;

  static of(server: ServerState<Client>): JsEngine {
    let e = engines.get(server);
    if (e === undefined) {
      e = new JsEngine(server);
      engines.set(server, e);
    }
    return e;
  }

  static peek(server: ServerState<Client>): JsEngine | undefined {
    return engines.get(server);
  }

  private constructor(server: ServerState<Client>) {
    this.server = server;
    const sab = newChannelBuffer();
    const { port1, port2 } = new MessageChannel();
    const versionNum = REDIS_VERSION.split('.').reduce((n, p) => n * 256 + Number(p), 0);
    this.worker = new Worker(WORKER_URL, { workerData: { sab, port: port2, version: REDIS_VERSION, versionNum }, transferList: [port2] });
    this.worker.unref();
    this.worker.on('error', (e) => {
      this.dead = e.message;
      server.log('warning', `JavaScript functions' worker failed: ${e.message}`);
    });
    this.worker.on('exit', () => {
      this.dead ??= 'the worker exited';
    });
    this.ch = new Channel(sab, port1, 'server');
    const hello = this.ch.receive(START_TIMEOUT_MS);
    if (hello !== 'O') {
      void this.worker.terminate();
      throw new Error(hello === null ? 'the JavaScript engine did not start' : text(hello.slice(1)));
    }
    server.closeHooks.push(() => void this.worker.terminate());
  }

  /** Compiles a library's body (the code after its shebang line): what it registered, or the error text. */
  load(key: string, name: string, body: string, timeoutMs: number): JsMeta | string {
    const memory = getConfigNumber(this.server.config, 'js-memory-limit', 64 * 1024 * 1024);
    const r = this.request('L' + pack([key, name, body, String(timeoutMs), String(memory)]));
    if (r[0] !== 'O') return r.slice(1);
    return JSON.parse(text(r.slice(1))) as JsMeta;
  }

  drop(key: string): void {
    this.request('D' + pack([key]));
  }

  /** Bytes of the worker's WebAssembly memory (the libraries' heaps); during a run (INFO from a function), as of before it. */
  memory(): number {
    if (this.running || this.dead !== null) return this.lastMemory;
    const r = this.request('M');
    if (r[0] === 'O') this.lastMemory = Number(r.slice(1));
    return this.lastMemory;
  }

  /** A request that runs no user code. */
  private request(msg: string): string {
    this.alive();
    this.ch.send(msg);
    for (;;) {
      const r = this.ch.receive(1000);
      if (r === null) {
        this.alive();
        continue;
      }
      if (r[0] === 'G') this.log(r);
      else return r;
    }
  }

  private alive(): void {
    if (this.dead !== null) throw new Error(`the JavaScript engine stopped: ${this.dead}`);
  }

  /**
   * Runs a function or trigger of library `lib` (`input`: the prelude's
   * packed run fields) for a run begun on `runner`; its outcome, or a
   * promise of it once past busy-reply-threshold.
   */
  run(runner: ScriptRunner, ctx: RunCtx, lib: string, input: string): Outcome | Promise<Outcome> {
    this.alive();
    const threshold = getConfigNumber(this.server.config, 'busy-reply-threshold', 5000);
    ctx.threshold = threshold;
    ctx.mayYield = threshold > 0 && !ctx.caller.inExec;
    this.running = true;
    this.ch.send('C' + pack([lib, input]));
    for (;;) {
      const left = threshold > 0 && !ctx.timedOut ? ctx.start + threshold - Date.now() : 1000;
      const m = left > 0 ? this.ch.receive(left) : null;
      if (m === null) {
        this.alive();
        if (threshold > 0 && !ctx.timedOut) runner.enterTimedOut(ctx, Date.now() - ctx.start);
        if (ctx.mayYield) return this.runLater(runner, ctx);
        continue;
      }
      const done = this.answer(runner, m);
      if (done !== null) return this.settle(done);
    }
  }

  /** The rest of a run past the threshold: waits on the event loop, passing a kill to the worker. */
  private async runLater(runner: ScriptRunner, ctx: RunCtx): Promise<Outcome> {
    for (;;) {
      if (runner.killed(ctx)) Atomics.store(this.ch.ctl, KILL, 1);
      const m = await this.ch.receiveAsync(KILL_POLL_MS);
      if (m === null) {
        this.alive();
        continue;
      }
      const done = this.answer(runner, m);
      if (done !== null) return this.settle(done);
    }
  }

  private settle(outcome: Outcome): Outcome {
    this.running = false;
    Atomics.store(this.ch.ctl, KILL, 0);
    return outcome;
  }

  /** A worker message during a run: a client.call (answered) or a log line, else the run's outcome. */
  private answer(runner: ScriptRunner, m: string): Outcome | null {
    const op = m[0];
    if (op === 'R') {
      this.ch.send(runner.callText(unpack(m, 1)));
      return null;
    }
    if (op === 'G') {
      this.log(m);
      return null;
    }
    return m;
  }

  private log(m: string): void {
    const [level, msg] = unpack(m, 1);
    this.server.log(level as LogLevel, text(msg!));
  }
}

/** UTF-8 bytes (one char each) as text. */
export function text(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
