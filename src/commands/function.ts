/**
 * FUNCTION: the library registry. Scripting (issue 4) adds LOAD/CALL; until
 * then the registry is always empty and FLUSH / LIST / STATS report that.
 */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';

const sub = (name: string, arity: number, summary: string, handler: CommandSpec['handler'], flags: CommandSpec['flags'] = ['noscript']): CommandSpec =>
  command({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'scripting', since: '7.0.0', summary, complexity: 'O(N) where N is the number of functions deleted', handler });

/** FUNCTION FLUSH [ASYNC|SYNC] | LIST | STATS */
const fn = command({
  name: 'function', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'scripting', since: '7.0.0', summary: 'A container for function commands.', complexity: 'Depends on subcommand.',
  subcommands: [
    sub('flush', -2, 'Deletes all libraries and functions.', (c, args) => {
      if (args.length > 3 || (args.length === 3 && !/^(a?sync)$/i.test(args[2]!))) throw new CommandError('ERR FUNCTION FLUSH only supports SYNC|ASYNC option');
      c.reply.ok();
    }, ['write', 'noscript']),
    sub('list', -2, 'Returns information about all libraries.', (c, args) => {
      if (args.length > 2 && !/^(withcode|libraryname)$/i.test(args[2]!)) throw new CommandError(Err.SYNTAX);
      c.reply.array(0);
    }),
    sub('stats', 2, 'Returns information about a function during execution.', (c) => {
      c.reply.map(2);
      c.reply.bulk('running_script');
      c.reply.nullBulk();
      c.reply.bulk('engines');
      c.reply.map(0);
    }, ['noscript', 'allow_busy']),
  ],
});

export const functionCommands: CommandSpec[] = [fn];
