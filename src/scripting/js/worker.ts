/**
 * The worker thread that runs a server thread's `#!js` libraries: one
 * QuickJS runtime and context per library (QuickJS compiled to WebAssembly,
 * quickjs-emscripten's synchronous release build), each with its own memory
 * limit and an interrupt handler that ends a run on FUNCTION KILL or a load
 * past its time. It answers the server over a Channel (channel.ts) and
 * blocks there between requests; a function's client.call is a request to
 * the server, which runs the command and answers with its RESP reply.
 *
 * Messages (first char the operation, then packed fields):
 *   L key name body timeout-ms memory-limit → O <meta JSON> | E <error> (key: the library's instance, name: what errors call it)
 *   D name → O
 *   C lib <run input> → (R <packed args> → A <reply> | X <error>)* → O <reply> | E <error> | K (killed)
 *   M → O <bytes used by the libraries' runtimes>
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import { newQuickJSWASMModuleFromVariant, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime, type QuickJSSyncVariant } from 'quickjs-emscripten-core';
import * as releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { Channel, KILL, pack, unpack } from './channel.ts';
import { JS_PRELUDE } from './prelude.ts';

interface Lib {
  name: string;
  rt: QuickJSRuntime;
  ctx: QuickJSContext;
  run: QuickJSHandle;
}

const { sab, port, version, versionNum } = workerData as { sab: SharedArrayBuffer; port: MessagePort; version: string; versionNum: number };
const ch = new Channel(sab, port, 'worker');
const libs = new Map<string, Lib>();
let deadline = 0;
/** Set when the interrupt handler ended a run for its library's memory (js-memory-limit). */
let overMemory = false;
/** How often a run's heap is measured against js-memory-limit. */
const MEMORY_CHECK_MS = 10;
const OUT_OF_MEMORY = 'InternalError: out of memory (over js-memory-limit)';

/**
 * Bytes a runtime's objects use. QuickJS's own malloc limit counts only 8
 * bytes a block under emscripten (no malloc_usable_size), so a few big
 * arrays, strings or ArrayBuffers grew past js-memory-limit up to the whole
 * 2 GB WebAssembly heap (every library of the worker then failed); the
 * memory dump measures what the objects hold.
 */
function usedBytes(rt: QuickJSRuntime): number {
  const m = /^memory used\s+\d+\s+(\d+)/m.exec(rt.dumpMemoryUsage());
  return m === null ? 0 : Number(m[1]);
}

const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
const text = (b: string): string => Buffer.from(b, 'latin1').toString('utf8');
/**
 * quickjs-emscripten passes strings as NUL-terminated C strings: a byte
 * string (chars 0-255) crosses with its 0x00 bytes as U+0100, which no byte
 * string holds, and the prelude turns them back (and the other way).
 */
const hideNul = (b: string): string => (b.includes('\0') ? b.replace(/\0/g, '\u0100') : b);
const showNul = (s: string): string => (s.includes('\u0100') ? s.replace(/\u0100/g, '\0') : s);

/** A QuickJS error (as ctx.dump gives it) as one line: name, message and where in the library. */
function describe(e: unknown, lib: string): string {
  if (e === null || typeof e !== 'object') return String(e);
  const { name, message, stack } = e as { name?: string; message?: string; stack?: string };
  // the innermost frame in the library's own code, not the prelude's (redis.registerFunction's checks)
  let at = '';
  for (const line of String(stack ?? '').split('\n')) {
    const m = /\(([^()]*):(\d+):(\d+)\)|at ([^\s()]+):(\d+):(\d+)/.exec(line);
    if (m !== null && (m[1] ?? m[4]) === lib) {
      at = ` (at ${lib}:${m[2] ?? m[5]}:${m[3] ?? m[6]})`;
      break;
    }
  }
  return `${name ?? 'Error'}: ${message ?? ''}${at}`.replace(/[\r\n]+/g, ' ');
}

function isInterrupt(e: unknown): boolean {
  return e !== null && typeof e === 'object' && (e as { name?: string }).name === 'InternalError' && (e as { message?: string }).message === 'interrupted';
}

function main(): Promise<void> {
  // the package's ESM build exports the variant as its default
  const variant = ((releaseSync as { default?: unknown }).default ?? releaseSync) as QuickJSSyncVariant;
  return newQuickJSWASMModuleFromVariant(variant).then((mod) => {
    const memory = (): number => mod.getWasmMemory().buffer.byteLength;
    const load = (key: string, name: string, body: string, timeout: number, memory: number): string => {
      const rt = mod.newRuntime();
      rt.setMemoryLimit(memory > 0 ? memory : -1);
      rt.setMaxStackSize(1 << 20);
      let checked = 0;
      rt.setInterruptHandler(() => {
        if (Atomics.load(ch.ctl, KILL) !== 0) return true;
        const now = Date.now();
        if (deadline > 0 && now > deadline) return true;
        if (memory > 0 && now - checked >= MEMORY_CHECK_MS) {
          checked = now;
          if (usedBytes(rt) > memory) overMemory = true;
        }
        return overMemory;
      });
      const ctx = rt.newContext();
      const free = (): void => {
        ctx.dispose();
        rt.dispose();
      };
      const hostCall = ctx.newFunction('call', (h) => {
        ch.send('R' + showNul(ctx.getString(h)));
        return ctx.newString(hideNul(ch.receive()!));
      });
      const hostLog = ctx.newFunction('log', (lvl, msg) => {
        ch.send('G' + pack([ctx.getString(lvl), showNul(ctx.getString(msg))]));
        return ctx.undefined;
      });
      const factory = ctx.unwrapResult(ctx.evalCode(JS_PRELUDE, 'prelude'));
      const args = [hostCall, hostLog, ctx.newString(name), ctx.newString(version), ctx.newNumber(versionNum)];
      const api = ctx.unwrapResult(ctx.callFunction(factory, ctx.undefined, ...args));
      for (const h of [factory, ...args]) h.dispose();
      const metaFn = ctx.getProp(api, 'meta');
      const run = ctx.getProp(api, 'run');
      api.dispose();
      deadline = timeout > 0 ? Date.now() + timeout : 0;
      overMemory = false;
      // the body keeps the shebang's line feed: line numbers are the user's
      const r = ctx.evalCode(text(body), name, { type: 'global' });
      deadline = 0;
      if (r.error !== undefined) {
        const e: unknown = ctx.dump(r.error);
        r.error.dispose();
        metaFn.dispose();
        run.dispose();
        free();
        if (isInterrupt(e)) return `EError registering functions: ${overMemory ? OUT_OF_MEMORY : 'FUNCTION LOAD timeout'}`;
        const syntax = (e as { name?: string } | null)?.name === 'SyntaxError';
        return 'E' + utf8((syntax ? 'Error compiling function: ' : 'Error registering functions: ') + describe(e, name));
      }
      r.value.dispose();
      const metaOut = ctx.unwrapResult(ctx.callFunction(metaFn, ctx.undefined));
      const meta = ctx.getString(metaOut);
      metaOut.dispose();
      metaFn.dispose();
      drop(key);
      libs.set(key, { rt, ctx, run, name });
      return 'O' + utf8(meta);
    };

    function drop(name: string): void {
      const lib = libs.get(name);
      if (lib === undefined) return;
      lib.run.dispose();
      lib.ctx.dispose();
      lib.rt.dispose();
      libs.delete(name);
    }

    const call = (key: string, input: string): string => {
      const lib = libs.get(key);
      if (lib === undefined) return 'EERR library not loaded';
      const { ctx, rt } = lib;
      const arg = ctx.newString(hideNul(input));
      overMemory = false;
      const r = ctx.callFunction(lib.run, ctx.undefined, arg);
      arg.dispose();
      if (r.error !== undefined) {
        const e: unknown = ctx.dump(r.error);
        r.error.dispose();
        if (isInterrupt(e)) return overMemory ? `EERR ${OUT_OF_MEMORY}` : 'K';
        return 'EERR ' + utf8(describe(e, lib.name));
      }
      const out = showNul(ctx.getString(r.value));
      r.value.dispose();
      // promises a function made are dropped: they may not outlive the run
      if (rt.hasPendingJob()) rt.executePendingJobs(0);
      return out;
    };

    ch.send('O');
    for (;;) {
      // idle until the server asks: no spinning
      const m = ch.receive(Infinity, false)!;
      const op = m[0];
      try {
        if (op === 'L') {
          const [key, name, body, timeout, memory] = unpack(m, 1);
          ch.send(load(key!, name!, body!, Number(timeout), Number(memory)));
        } else if (op === 'D') {
          drop(unpack(m, 1)[0]!);
          ch.send('O');
        } else if (op === 'C') {
          const [name, input] = unpack(m, 1);
          ch.send(call(name!, input!));
        } else if (op === 'M') {
          ch.send('O' + String(memory()));
        } else {
          ch.send('Eunknown request');
        }
      } catch (e) {
        ch.send('E' + utf8(`ERR ${e instanceof Error ? e.message : String(e)}`));
      }
    }
  });
}

main().catch((e: unknown) => {
  ch.send('E' + utf8(`JS engine failed to start: ${e instanceof Error ? e.message : String(e)}`));
});
