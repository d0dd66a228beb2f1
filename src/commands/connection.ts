/** Connection family: PING, ECHO, QUIT, SELECT, HELLO, AUTH … */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { parseInt64OrNull } from './parse.ts';

/** PING [message] */
const ping = command({
  name: 'ping', arity: -1, flags: ['fast', 'stale', 'loading'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection', since: '1.0.0', summary: 'Returns the server\'s liveliness response.', complexity: 'O(1)',
  args: [{ name: 'message', type: 'string', optional: true }],
  handler(c, args) {
    if (args.length > 2) throw new CommandError("ERR wrong number of arguments for 'ping' command");
    if (args.length === 2) c.reply.bulk(args[1]!);
    else c.reply.simple('PONG');
  },
});

/** ECHO message */
const echo = command({
  name: 'echo', arity: 2, flags: ['fast', 'loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection', since: '1.0.0', summary: 'Returns the given string.', complexity: 'O(1)',
  args: [{ name: 'message', type: 'string' }],
  handler(c, args) {
    c.reply.bulk(args[1]!);
  },
});

/** QUIT — replies OK, then closes the connection. */
const quit = command({
  name: 'quit', arity: -1, flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection', since: '1.0.0', summary: 'Closes the connection.', complexity: 'O(1)',
  handler(c) {
    c.reply.ok();
    c.closeAfterReply = true;
  },
});

/** SELECT index */
const select = command({
  name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection', since: '1.0.0', summary: 'Changes the selected database.', complexity: 'O(1)',
  args: [{ name: 'index', type: 'integer' }],
  handler(c, args) {
    const n = parseInt64OrNull(args[1]!);
    if (n === null) throw new CommandError(Err.NOT_INTEGER);
    if (n < 0 || n >= c.server.engine.databases) throw new CommandError(Err.DB_INDEX);
    c.db = n;
    c.reply.ok();
  },
});

export const connectionCommands: CommandSpec[] = [ping, echo, quit, select];
