/** Lua scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT (eval.c). */
import { command, type ArgSpec, type CommandSpec, type CommandFlag } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { parseInteger } from '../core/parse.ts';
import { numkeysPositions } from '../core/numkeys.ts';
import { replyHelp } from '../server/command-info.ts';
import { addInfoFields, bytesToHuman } from '../server/info.ts';
import type { Client } from '../../server/client.ts';
import type { Command } from '../core/spec.ts';
import { feedMonitors, monitoring } from '../../server/monitor.ts';
import { ScriptEngine } from '../../scripting/engine.ts';
import { sha1hex, shebangFlags, FLAG_EVAL_COMPAT, FLAG_NO_WRITES, FLAG_ALLOW_OOM, FLAG_NO_CLUSTER, NO_CLUSTER } from '../../scripting/script-cache.ts';
import { OOM } from '../../scripting/runner.ts';

const NOSCRIPT = 'NOSCRIPT No matching script. Please use EVAL.';

/** EVAL feeds MONITOR itself, before the commands its script runs (the command is skip_monitor). */
const MONITOR_AS = { spec: { flags: [], name: 'eval' }, parent: null } as unknown as Command;

/** EVAL script numkeys [key ...] [arg ...] (and EVALSHA, EVAL_RO, EVALSHA_RO). */
function evalGeneric(c: Client, args: string[], evalsha: boolean, ro: boolean): void | Promise<void> {
  if (monitoring(c.server)) feedMonitors(c, MONITOR_AS, args);
  if (evalsha && args[1]!.length !== 40) throw new CommandError(NOSCRIPT);
  const numkeys = parseInteger(args[2]!);
  if (numkeys > args.length - 3) throw new CommandError("ERR Number of keys can't be greater than number of args");
  if (numkeys < 0) throw new CommandError("ERR Number of keys can't be negative");
  const engine = ScriptEngine.of(c.server);
  let script = engine.cache.get(evalsha ? args[1]! : sha1hex(args[1]!));
  if (script === undefined) {
    if (evalsha) throw new CommandError(NOSCRIPT);
    script = engine.define(args[1]!, undefined, true);
  }
  engine.cache.touch(script);
  const flags = script.flags;
  if ((flags & FLAG_EVAL_COMPAT) === 0) {
    // a script that declares flags is checked as the command it declares itself to be
    if ((flags & FLAG_NO_CLUSTER) !== 0 && c.server.cluster !== null) throw new CommandError(NO_CLUSTER);
    if ((flags & FLAG_NO_WRITES) === 0) {
      if (ro) throw new CommandError('ERR Can not execute a script with write flag using *_ro command.');
      if (!engine.runner.enoughReplicas()) throw new CommandError('NOREPLICAS Not enough good replicas to write.');
    }
    if ((flags & (FLAG_NO_WRITES | FLAG_ALLOW_OOM)) === 0 && engine.runner.oom()) throw new CommandError(OOM.slice(1));
  }
  return engine.run(c, script, args, numkeys, ro);
}

/**
 * Whether an EVAL/EVALSHA may write: scripts without a shebang always may;
 * one that declares `no-writes` does not (Redis's evalGetCommandFlags). An
 * unknown SHA counts as writing.
 */
function evalMayWrite(c: Client, args: readonly string[], evalsha: boolean): boolean {
  const flags = declaredFlags(c, args, evalsha);
  return flags === null || (flags & FLAG_EVAL_COMPAT) !== 0 || (flags & FLAG_NO_WRITES) === 0;
}

/** The script's flags (its shebang's), or null for an unknown SHA or a shebang that does not parse. */
function declaredFlags(c: Client, args: readonly string[], evalsha: boolean): number | null {
  if (evalsha) return ScriptEngine.peek(c.server)?.cache.get(args[1] ?? '')?.flags ?? null;
  const parsed = shebangFlags(args[1] ?? '');
  return typeof parsed === 'string' ? null : parsed.flags;
}

const EVAL_ARGS = (first: string): readonly ArgSpec[] => [
  { name: first, type: 'string' },
  { name: 'numkeys', type: 'integer' },
  { name: 'key', type: 'key', optional: true, multiple: true },
  { name: 'arg', type: 'string', optional: true, multiple: true },
];

function evalSpec(name: string, since: string, summary: string, ro: boolean, evalsha: boolean): CommandSpec {
  // EVAL / EVALSHA may write: may_replicate (CLIENT PAUSE WRITE holds them); the _RO variants are plain reads
  const flags: CommandFlag[] = ro ? ['readonly'] : ['may_replicate'];
  flags.push('noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys');
  return command({
    name, arity: -3, flags, firstKey: 0, lastKey: 0, step: 0, group: 'scripting', since, summary,
    complexity: 'Depends on the script that is executed.', keys: numkeysPositions(2),
    args: EVAL_ARGS(evalsha ? 'sha1' : 'script'),
    handler: (c, args) => evalGeneric(c, args, evalsha, ro),
    ...(ro ? {} : { mayWrite: (c: Client, args: readonly string[]) => evalMayWrite(c, args, evalsha) }),
    writesByFlags: (c: Client, args: readonly string[]) => {
      const flags = declaredFlags(c, args, evalsha);
      return flags !== null && (flags & FLAG_EVAL_COMPAT) === 0 && (flags & FLAG_NO_WRITES) === 0;
    },
  });
}

const HELP = [
  'DEBUG (YES|SYNC|NO)',
  '    Set the debug mode for subsequent scripts executed.',
  'EXISTS <sha1> [<sha1> ...]',
  '    Return information about the existence of the scripts in the script cache.',
  'FLUSH [ASYNC|SYNC]',
  '    Flush the Lua scripts cache. Very dangerous on replicas.',
  '    When called without the optional mode argument, the behavior is determined by the',
  '    lazyfree-lazy-user-flush configuration directive. Valid modes are:',
  '    * ASYNC: Asynchronously flush the scripts cache.',
  '    * SYNC: Synchronously flush the scripts cache.',
  'KILL',
  '    Kill the currently executing Lua script.',
  'LOAD <script>',
  '    Load a script into the scripts cache without executing it.',
];

const sub = (name: string, arity: number, since: string, summary: string, complexity: string, flags: CommandFlag[], handler: CommandSpec['handler'], args?: readonly ArgSpec[]): CommandSpec =>
  command({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'scripting', since, summary, complexity, handler, ...(args ? { args } : {}) });

const token = (name: string): ArgSpec => ({ name, type: 'pure-token', token: name.toUpperCase() });

/** SCRIPT FLUSH | EXISTS | LOAD | KILL | DEBUG | HELP */
const script = command({
  name: 'script', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0, group: 'scripting', since: '2.6.0',
  summary: 'A container for Lua scripts management commands', complexity: 'Depends on subcommand.',
  subcommands: [
    sub('flush', -2, '2.6.0', 'Remove all the scripts from the script cache.', 'O(N) with N being the number of scripts in cache', ['noscript'], (c, args) => {
      if (args.length > 3 || (args.length === 3 && !/^(a?sync)$/i.test(args[2]!))) throw new CommandError('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
      ScriptEngine.of(c.server).reset();
      c.reply.ok();
    }, [{ name: 'async', type: 'oneof', since: '6.2.0', optional: true, args: [token('async'), token('sync')] }]),
    sub('exists', -3, '2.6.0', 'Check existence of scripts in the script cache.', 'O(N) with N being the number of scripts to check (so checking a single script is an O(1) operation).', ['noscript'], (c, args) => {
      const engine = ScriptEngine.peek(c.server);
      c.reply.array(args.length - 2);
      for (let j = 2; j < args.length; j++) c.reply.int(engine?.cache.get(args[j]!) ? 1 : 0);
    }, [{ name: 'sha1', type: 'string', multiple: true }]),
    sub('load', 3, '2.6.0', 'Load the specified Lua script into the script cache.', 'O(N) with N being the length in bytes of the script body.', ['noscript', 'stale'], (c, args) => {
      c.reply.bulk(ScriptEngine.of(c.server).define(args[2]!).sha);
    }, [{ name: 'script', type: 'string' }]),
    sub('kill', 2, '2.6.0', 'Kill the script currently in execution.', 'O(1)', ['noscript', 'allow_busy'], (c) => {
      const err = ScriptEngine.kill(c.server, true);
      if (err !== null) throw new CommandError(err);
      c.reply.ok();
    }),
    sub('debug', 3, '3.2.0', 'Set the debug mode for executed scripts.', 'O(1)', ['noscript'], (c, args) => {
      if (!/^(yes|sync|no)$/i.test(args[2]!)) throw new CommandError('ERR Use SCRIPT DEBUG YES/SYNC/NO');
      // no Lua debugger: scripts keep running normally
      c.reply.ok();
    }, [{ name: 'mode', type: 'oneof', args: [token('yes'), token('sync'), token('no')] }]),
    sub('help', 2, '5.0.0', 'Show helpful text about the different subcommands', 'O(1)', ['loading', 'stale'], (c) => replyHelp(c, 'script', HELP)),
  ],
});

addInfoFields('memory', (s) => {
  const engine = ScriptEngine.peek(s);
  const vm = engine ? engine.memory() : 0;
  const scripts = engine ? engine.cache.bodyBytes : 0;
  return [
    ['used_memory_lua', vm],
    ['used_memory_vm_eval', vm],
    ['used_memory_lua_human', bytesToHuman(vm)],
    ['used_memory_scripts_eval', scripts],
    ['number_of_cached_scripts', engine ? engine.cache.size : 0],
    // eval scripts only until FUNCTION libraries add theirs
    ['used_memory_scripts', scripts],
    ['used_memory_scripts_human', bytesToHuman(scripts)],
  ];
});

export const scriptingCommands: CommandSpec[] = [
  evalSpec('eval', '2.6.0', 'Execute a Lua script server side', false, false),
  evalSpec('eval_ro', '7.0.0', 'Execute a read-only Lua script server side', true, false),
  evalSpec('evalsha', '2.6.0', 'Execute a Lua script server side', false, true),
  evalSpec('evalsha_ro', '7.0.0', 'Execute a read-only Lua script server side', true, true),
  script,
];
