/**
 * FUNCTION LOAD | DELETE | FLUSH | LIST | DUMP | RESTORE | STATS | KILL |
 * HELP, FCALL and FCALL_RO (functions.c). The registry and the runs are in
 * src/scripting/functions.ts.
 */
import { command, type CommandSpec, type CommandFlag } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { numkeysPositions } from '../core/numkeys.ts';
import { replyHelp } from '../core/help.ts';
import type { Client } from '../../server/client.ts';
import type { Command } from '../core/spec.ts';
import { feedMonitors, monitoring } from '../../server/monitor.ts';
import { FunctionRegistry, FUNCTION_FLAGS, LOAD_TIMEOUT_MS, ENGINES } from '../../scripting/functions.ts';
import { listTriggers } from './trigger-list.ts';
import { JsEngine } from '../../scripting/js/js-engine.ts';
import { FLAG_NO_WRITES, FLAG_ALLOW_OOM, FLAG_NO_CLUSTER, NO_CLUSTER } from '../../scripting/script-cache.ts';
import { OOM } from '../../scripting/runner.ts';
import { ScriptEngine } from '../../scripting/engine.ts';
import { functionsPayload, readFunctionsPayload } from '../../persistence/rdb-functions.ts';
import { globMatch } from '../../datatypes/glob.ts';
import { addInfoFields, bytesToHuman } from '../server/info.ts';
import { getConfigValue } from '../../config/config.ts';
import { mustObeyClient } from '../../server/session.ts';

const MONITOR_AS = { spec: { flags: [], name: 'fcall' }, parent: null } as unknown as Command;

/** A data change: replicated, and counted for save points. */
function touched(c: Client): void {
  c.server.engine.shards[0]!.stats.dirty++;
}

function syntaxError(args: string[]): CommandError {
  return new CommandError(`ERR unknown subcommand or wrong number of arguments for '${args[1]!.slice(0, 128)}'. Try FUNCTION HELP.`);
}

/** FCALL function numkeys [key ...] [arg ...] (and FCALL_RO). */
function fcall(c: Client, args: string[], ro: boolean): void | Promise<void> {
  if (monitoring(c.server)) feedMonitors(c, MONITOR_AS, args);
  const reg = FunctionRegistry.of(c.server);
  const fi = reg.functions.get(args[1]!.toLowerCase());
  if (fi === undefined) throw new CommandError('ERR Function not found');
  const s = args[2]!;
  const numkeys = /^-?(0|[1-9][0-9]{0,18})$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(numkeys)) throw new CommandError('ERR Bad number of keys provided');
  if (numkeys > args.length - 3) throw new CommandError("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) throw new CommandError("ERR Number of keys can't be negative");
  const runner = reg.engine.runner;
  const flags = fi.flags;
  if ((flags & FLAG_NO_CLUSTER) !== 0 && c.server.cluster !== null) throw new CommandError(NO_CLUSTER);
  if ((flags & FLAG_NO_WRITES) === 0) {
    if (ro) throw new CommandError('ERR Can not execute a script with write flag using *_ro command.');
    if (!runner.enoughReplicas()) throw new CommandError('NOREPLICAS Not enough good replicas to write.');
  }
  if ((flags & (FLAG_NO_WRITES | FLAG_ALLOW_OOM)) === 0 && runner.oom()) throw new CommandError(OOM.slice(1));
  // FUNCTION STATS shows the command of a function past busy-reply-threshold
  c.ext.fcallArgs = args;
  let r: void | Promise<void> = undefined;
  try {
    r = reg.call(c, fi, args, numkeys, ro);
  } finally {
    if (r === undefined) c.ext.fcallArgs = undefined;
  }
  return r === undefined ? r : r.finally(() => {
    c.ext.fcallArgs = undefined;
  });
}

function fcallSpec(name: string, ro: boolean): CommandSpec {
  const flags: CommandFlag[] = ro ? ['readonly'] : ['may_replicate'];
  flags.push('noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys');
  return command({
    name, arity: -3, flags, firstKey: 0, lastKey: 0, step: 0, group: 'scripting', keys: numkeysPositions(2),
    handler: (c, a) => fcall(c, a, ro),
    // a function declared no-writes does not count as a write (CLIENT PAUSE WRITE lets it run)
    ...(ro ? {} : { mayWrite: (c: Client, a: readonly string[]) => {
      const fi = FunctionRegistry.peek(c.server)?.functions.get((a[1] ?? '').toLowerCase());
      return fi === undefined || (fi.flags & FLAG_NO_WRITES) === 0;
    } }),
    // the cluster gate: a known function without no-writes is a write (fcallGetCommandFlags)
    writesByFlags: (c: Client, a: readonly string[]) => {
      const fi = FunctionRegistry.peek(c.server)?.functions.get((a[1] ?? '').toLowerCase());
      return fi !== undefined && (fi.flags & FLAG_NO_WRITES) === 0;
    },
  });
}

/** FUNCTION LIST [LIBRARYNAME pattern] [WITHCODE] */
function list(c: Client, args: string[]): void {
  let withCode = false;
  let pattern: string | null = null;
  for (let i = 2; i < args.length; i++) {
    const a = args[i]!.toLowerCase();
    if (!withCode && a === 'withcode') {
      withCode = true;
      continue;
    }
    if (pattern === null && a === 'libraryname') {
      if (i >= args.length - 1) throw new CommandError('ERR library name argument was not given');
      pattern = args[++i]!;
      continue;
    }
    throw new CommandError(`ERR Unknown argument ${args[i]!}`);
  }
  const reg = FunctionRegistry.of(c.server);
  const libs = [...reg.libraries.values()].filter((l) => pattern === null || globMatch(pattern, l.name));
  const r = c.reply;
  r.array(libs.length);
  for (const lib of libs) {
    r.map((withCode ? 4 : 3) + (lib.js !== undefined ? 1 : 0));
    r.bulk('library_name');
    r.bulk(lib.name);
    r.bulk('engine');
    r.bulk(lib.engine);
    r.bulk('functions');
    r.array(lib.functions.size);
    for (const fi of lib.functions.values()) {
      r.map(3);
      r.bulk('name');
      r.bulk(fi.name);
      r.bulk('description');
      r.bulkOrNull(fi.desc);
      r.bulk('flags');
      const names = FUNCTION_FLAGS.filter(([, bit]) => (fi.flags & bit) !== 0).map(([n]) => n);
      names.push(...(fi.extraFlags ?? []));
      r.set(names.length);
      for (const n of names) r.simple(n);
    }
    if (lib.js !== undefined) listTriggers(c, lib.js.triggers);
    if (withCode) {
      r.bulk('library_code');
      r.bulk(lib.code);
    }
  }
}

/** FUNCTION STATS */
function stats(c: Client): void {
  const engine = ScriptEngine.peek(c.server);
  const ctx = engine?.runner.current ?? null;
  // with threads, a busy script of another thread
  const there = ctx === null ? (c.server.link?.busy.runningElsewhere() ?? null) : null;
  if ((ctx !== null && ctx.evalMode) || there === 'eval') throw new CommandError('BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.');
  const running = ctx !== null ? { name: ctx.name, command: (ctx.caller.ext.fcallArgs as string[] | undefined) ?? [], start: ctx.start } : there;
  const reg = FunctionRegistry.peek(c.server);
  const r = c.reply;
  r.map(2);
  r.bulk('running_script');
  if (running === null) r.nullBulk();
  else {
    r.map(3);
    r.bulk('name');
    r.bulk(running.name);
    r.bulk('command');
    r.bulkArray(running.command);
    r.bulk('duration_ms');
    r.int(Date.now() - running.start);
  }
  r.bulk('engines');
  // JS is listed once a JS library is loaded: Redis's replies stay as they are for Lua-only users
  const engines = ENGINES.filter((e) => e === 'LUA' || (reg !== undefined && [...reg.libraries.values()].some((l) => l.engine === e)));
  r.map(engines.length);
  for (const engine of engines) {
    const libs = reg ? [...reg.libraries.values()].filter((l) => l.engine === engine) : [];
    r.bulk(engine);
    r.map(2);
    r.bulk('libraries_count');
    r.int(libs.length);
    r.bulk('functions_count');
    r.int(libs.reduce((n, l) => n + l.functions.size, 0));
  }
}

/** FUNCTION LOAD [REPLACE] code */
function load(c: Client, args: string[]): void {
  let replace = false;
  let i = 2;
  while (i < args.length - 1) {
    const a = args[i++]!;
    if (a.toLowerCase() === 'replace') {
      replace = true;
      continue;
    }
    throw new CommandError(`ERR Unknown option given: ${a}`);
  }
  if (i >= args.length) throw new CommandError('ERR Function code is missing');
  const reg = FunctionRegistry.of(c.server);
  const timeout = mustObeyClient(c) ? 0 : LOAD_TIMEOUT_MS;
  const r = reg.create(args[i]!, replace, timeout);
  if (typeof r === 'string') throw new CommandError('ERR ' + r);
  touched(c);
  c.reply.bulk(r.name);
}

/** FUNCTION RESTORE payload [FLUSH|APPEND|REPLACE] */
function restore(c: Client, args: string[]): void {
  if (args.length > 4) throw syntaxError(args);
  let policy: 'append' | 'replace' | 'flush' = 'append';
  if (args.length === 4) {
    const p = args[3]!.toLowerCase();
    if (p !== 'append' && p !== 'replace' && p !== 'flush') {
      throw new CommandError('ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    }
    policy = p;
  }
  const codes = readFunctionsPayload(Buffer.from(args[2]!, 'latin1'), false);
  if (!Array.isArray(codes)) {
    const e = codes.error;
    throw new CommandError(e === 'payload version or checksum are wrong' ? 'ERR DUMP payload version or checksum are wrong' : 'ERR ' + e);
  }
  const err = FunctionRegistry.of(c.server).restore(codes, policy);
  if (err !== null) throw new CommandError('ERR ' + err);
  touched(c);
  c.reply.ok();
}

const HELP = [
  'LOAD [REPLACE] <FUNCTION CODE>',
  '    Create a new library with the given library name and code.',
  'DELETE <LIBRARY NAME>',
  '    Delete the given library.',
  'LIST [LIBRARYNAME PATTERN] [WITHCODE]',
  '    Return general information on all the libraries:',
  '    * Library name',
  '    * The engine used to run the Library',
  '    * Functions list',
  '    * Library code (if WITHCODE is given)',
  '    It also possible to get only function that matches a pattern using LIBRARYNAME argument.',
  'STATS',
  '    Return information about the current function running:',
  '    * Function name',
  '    * Command used to run the function',
  '    * Duration in MS that the function is running',
  '    If no function is running, return nil',
  '    In addition, returns a list of available engines.',
  'KILL',
  '    Kill the current running function.',
  'FLUSH [ASYNC|SYNC]',
  '    Delete all the libraries.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the libraries.',
  '    * SYNC: Synchronously flush the libraries.',
  'DUMP',
  '    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command',
  'RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]',
  '    Restore the libraries represented by the given payload, it is possible to give a restore policy to',
  '    control how to handle existing libraries (default APPEND):',
  '    * FLUSH: delete all existing libraries.',
  '    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.',
  '    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old',
  '      libraries with the new libraries (notice that even on this option there is a chance of failure',
  '      in case of functions name collision with another library).',
];

const sub = (name: string, arity: number, flags: CommandFlag[], handler: CommandSpec['handler']): CommandSpec =>
  command({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'scripting', handler });

const fn = command({
  name: 'function', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'scripting',
  subcommands: [
    sub('load', -3, ['write', 'denyoom', 'noscript'], load),
    sub('delete', 3, ['write', 'noscript'], (c, args) => {
      const reg = FunctionRegistry.of(c.server);
      const lib = reg.libraries.get(args[2]!);
      if (lib === undefined) throw new CommandError('ERR Library not found');
      reg.remove(lib);
      touched(c);
      c.reply.ok();
    }),
    sub('flush', -2, ['write', 'noscript'], (c, args) => {
      if (args.length > 3) throw syntaxError(args);
      if (args.length === 3 && !/^(a?sync)$/i.test(args[2]!)) throw new CommandError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
      const reg = FunctionRegistry.of(c.server);
      const async = args.length === 3 ? /^async$/i.test(args[2]!) : getConfigValue(c.server.config, 'lazyfree-lazy-user-flush') === 'yes';
      // freeFunctionsAsync: past LAZYFREE_THRESHOLD functions, they and the engine count as lazily freed
      // (once: with threads the other threads replay the command, and INFO adds their counts up)
      if (async && reg.functions.size > 64 && c.ext.replay !== true) c.server.stats.lazyfreedObjects += reg.functions.size + 1;
      reg.clear();
      touched(c);
      c.reply.ok();
    }),
    sub('list', -2, ['noscript'], list),
    sub('dump', 2, ['noscript'], (c) => {
      c.reply.bulk(functionsPayload(FunctionRegistry.of(c.server).list()).toString('latin1'));
    }),
    sub('restore', -3, ['write', 'denyoom', 'noscript'], restore),
    sub('stats', 2, ['noscript', 'allow_busy'], stats),
    sub('kill', 2, ['noscript', 'allow_busy'], (c) => {
      const err = ScriptEngine.kill(c.server, false);
      if (err !== null) throw new CommandError(err);
      c.reply.ok();
    }),
    sub('help', 2, ['loading', 'stale'], (c) => replyHelp(c, 'function', HELP)),
  ],
});

/**
 * INFO memory's scripting fields. Eval scripts and function libraries share
 * one Lua state here (Redis 7 has one for each): used_memory_vm_eval is that
 * state's heap, used_memory_vm_functions what the libraries hold in it.
 */
addInfoFields('memory', (s) => {
  const engine = ScriptEngine.peek(s);
  const reg = FunctionRegistry.peek(s);
  const vm = engine ? engine.memory() : 0;
  const scripts = engine ? engine.cache.bodyBytes : 0;
  // #!js libraries: the heaps of their QuickJS runtimes (the worker's WebAssembly memory)
  const functions = (reg ? reg.memory() : 0) + (JsEngine.peek(s)?.memory() ?? 0);
  return [
    ['used_memory_lua', vm],
    ['used_memory_vm_eval', vm],
    ['used_memory_lua_human', bytesToHuman(vm)],
    ['used_memory_scripts_eval', scripts],
    ['number_of_cached_scripts', engine ? engine.cache.size : 0],
    ['number_of_functions', reg ? reg.functions.size : 0],
    ['number_of_libraries', reg ? reg.libraries.size : 0],
    ['used_memory_vm_functions', functions],
    ['used_memory_vm_total', vm + functions],
    ['used_memory_vm_total_human', bytesToHuman(vm + functions)],
    ['used_memory_functions', functions],
    ['used_memory_scripts', scripts + functions],
    ['used_memory_scripts_human', bytesToHuman(scripts + functions)],
  ];
});

export const functionCommands: CommandSpec[] = [
  fn,
  fcallSpec('fcall', false),
  fcallSpec('fcall_ro', true),
];
