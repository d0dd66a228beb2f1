/** Lua scripting commands: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO, SCRIPT (eval.c). */
import { command, type CommandSpec, type CommandFlag } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { parseInteger } from '../core/parse.ts';
import { numkeysPositions } from '../core/numkeys.ts';
import { replyHelp } from '../core/help.ts';
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

function evalSpec(name: string, ro: boolean, evalsha: boolean): CommandSpec {
  // EVAL / EVALSHA may write: may_replicate (CLIENT PAUSE WRITE holds them); the _RO variants are plain reads
  const flags: CommandFlag[] = ro ? ['readonly'] : ['may_replicate'];
  flags.push('noscript', 'stale', 'skip_monitor', 'no_mandatory_keys', 'movablekeys');
  return command({
    name, arity: -3, flags, firstKey: 0, lastKey: 0, step: 0, group: 'scripting', keys: numkeysPositions(2),
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

const sub = (name: string, arity: number, flags: CommandFlag[], handler: CommandSpec['handler']): CommandSpec =>
  command({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'scripting', handler });

/** SCRIPT FLUSH | EXISTS | LOAD | KILL | DEBUG | HELP */
const script = command({
  name: 'script', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0, group: 'scripting',
  subcommands: [
    sub('flush', -2, ['noscript'], (c, args) => {
      if (args.length > 3 || (args.length === 3 && !/^(a?sync)$/i.test(args[2]!))) throw new CommandError('ERR SCRIPT FLUSH only support SYNC|ASYNC option');
      ScriptEngine.of(c.server).reset();
      c.reply.ok();
    }),
    sub('exists', -3, ['noscript'], (c, args) => {
      const engine = ScriptEngine.peek(c.server);
      c.reply.array(args.length - 2);
      for (let j = 2; j < args.length; j++) c.reply.int(engine?.cache.get(args[j]!) ? 1 : 0);
    }),
    sub('load', 3, ['noscript', 'stale'], (c, args) => {
      c.reply.bulk(ScriptEngine.of(c.server).define(args[2]!).sha);
    }),
    sub('kill', 2, ['noscript', 'allow_busy'], (c) => {
      const err = ScriptEngine.kill(c.server, true);
      if (err !== null) throw new CommandError(err);
      c.reply.ok();
    }),
    sub('debug', 3, ['noscript'], (c, args) => {
      if (!/^(yes|sync|no)$/i.test(args[2]!)) throw new CommandError('ERR Use SCRIPT DEBUG YES/SYNC/NO');
      // no Lua debugger: scripts keep running normally
      c.reply.ok();
    }),
    sub('help', 2, ['loading', 'stale'], (c) => replyHelp(c, 'script', HELP)),
  ],
});

export const scriptingCommands: CommandSpec[] = [
  evalSpec('eval', false, false),
  evalSpec('eval_ro', true, false),
  evalSpec('evalsha', false, true),
  evalSpec('evalsha_ro', true, true),
  script,
];
