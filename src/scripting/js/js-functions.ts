/**
 * `#!js` libraries in the FUNCTION registry (functions.ts): compiling one
 * in the JS engine's worker, dropping it, and FCALL of its functions, which
 * run under the script runner as Lua's do (flags, ACL, BUSY, kill, effects
 * replication). client.call sees RESP3 replies; the function's own reply is
 * written in the caller's protocol.
 */
import type { ServerState } from '../../server/server-state.ts';
import type { Client } from '../../server/client.ts';
import type { ScriptEngine } from '../engine.ts';
import { FUNCTION_FLAGS } from '../function-sandbox.ts';
import type { FunctionInfo, JsLibrary, Library } from '../library.ts';
import { pack } from './channel.ts';
import { JsEngine } from './js-engine.ts';
import { outcomeError, runJs, settle } from './js-run.ts';
import { Triggers } from './triggers.ts';

let loads = 0;

/** FUNCTION LOAD of a `#!js` library: the library, or the error text (without ERR). */
export function compileJs(server: ServerState<Client>, name: string, code: string, body: string, timeout: number): Library | string {
  const key = `${name}#${++loads}`;
  let meta;
  try {
    meta = JsEngine.of(server).load(key, name, body, timeout);
  } catch (e) {
    return `JavaScript engine unavailable: ${e instanceof Error ? e.message : String(e)}`;
  }
  if (typeof meta === 'string') return meta;
  const lib: Library = { name, engine: 'JS', code, functions: new Map(), js: { key, triggers: [] } };
  const bytes = (d: string | null): string | null => (d === null ? null : Buffer.from(d, 'utf8').toString('latin1'));
  for (const [fname, flags, d] of meta.functions) {
    const desc = bytes(d);
    let bits = 0;
    for (const f of flags) bits |= FUNCTION_FLAGS.find(([n]) => n === f)?.[1] ?? 0;
    const extraFlags = flags.filter((f) => !FUNCTION_FLAGS.some(([n]) => n === f));
    const fi: FunctionInfo = { name: fname, desc, flags: bits, extraFlags, id: 0, lib };
    lib.functions.set(fname, fi);
  }
  for (const [kind, tname, prefix, desc] of meta.triggers) {
    lib.js!.triggers.push(Triggers.info(lib, kind === 'k' ? 'keyspace' : 'stream', tname, prefix, bytes(desc)));
  }
  if (lib.functions.size === 0 && lib.js!.triggers.length === 0) {
    dropJs(server, lib.js!);
    return 'No functions registered';
  }
  return lib;
}

export function dropJs(server: ServerState<Client>, js: JsLibrary): void {
  JsEngine.peek(server)?.drop(js.key);
}

/** FCALL of a JS function: its keys and arguments as the callback's `keys` and `args`. */
export function callJs(engine: ScriptEngine, js: JsLibrary, fi: FunctionInfo, caller: Client, args: string[], numkeys: number, ro: boolean): void | Promise<void> {
  const runner = engine.runner;
  const ctx = runner.begin(caller, fi.name, fi.flags, ro, false);
  const input = pack(['f', fi.name, String(ctx.start), String(caller.reply.resp), String(numkeys), ...args.slice(3)]);
  return settle(runJs(engine.server, runner, ctx, js.key, input), runner, ctx, (out) => {
    if (out[0] === 'O') caller.reply.raw(out.slice(1));
    else throw outcomeError(out);
  });
}

