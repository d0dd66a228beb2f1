/** Connection family: PING, ECHO, QUIT, SELECT, HELLO, AUTH … */
import { command, type CommandSpec } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { isOpt, parseInt64OrNull } from './parse.ts';
import { setClientName } from './client-cmd.ts';
import { REDIS_VERSION } from '../server/version.ts';
import type { Client } from '../server/client.ts';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

/** Checks credentials for the default user (the only user until ACLs exist). */
function authenticate(c: Client, user: string, pass: string): void {
  const required = c.server.config.requirepass;
  if (user !== 'default' || (required !== '' && pass !== required)) throw new CommandError(WRONGPASS);
  c.authenticated = true;
}

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

/** AUTH [username] password */
const auth = command({
  name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection', since: '1.0.0', summary: 'Authenticates the connection.', complexity: 'O(N) where N is the number of passwords defined for the user',
  handler(c, args) {
    if (args.length > 3) throw new CommandError(Err.SYNTAX);
    if (args.length === 2) {
      if (c.server.config.requirepass === '') {
        throw new CommandError('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
      }
      authenticate(c, 'default', args[1]!);
    } else {
      authenticate(c, args[1]!, args[2]!);
    }
    c.reply.ok();
  },
});

/** HELLO [protover [AUTH username password] [SETNAME clientname]] */
const hello = command({
  name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection', since: '6.0.0', summary: 'Handshakes with the Redis server.', complexity: 'O(1)',
  handler(c, args) {
    let ver = c.resp as number;
    let i = 1;
    if (args.length >= 2) {
      const v = parseInt64OrNull(args[1]!);
      if (v === null) throw new CommandError('ERR Protocol version is not an integer or out of range');
      ver = v;
      i = 2;
    }
    let user: string | null = null;
    let pass = '';
    let name: string | null = null;
    for (; i < args.length; i++) {
      const more = args.length - 1 - i;
      if (isOpt(args[i]!, 'AUTH') && more >= 2) {
        user = args[++i]!;
        pass = args[++i]!;
      } else if (isOpt(args[i]!, 'SETNAME') && more >= 1) {
        name = args[++i]!;
      } else {
        throw new CommandError(`ERR Syntax error in HELLO option '${args[i]!}'`);
      }
    }
    if (ver < 2 || ver > 3) throw new CommandError(Err.NOPROTO);
    if (user !== null) authenticate(c, user, pass);
    else if (c.server.config.requirepass !== '' && !c.authenticated) {
      throw new CommandError('NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time');
    }
    if (name !== null) setClientName(c, name);
    c.reply.resp = ver as 2 | 3;
    const r = c.reply;
    r.map(7);
    r.bulk('server');
    r.bulk('redis');
    r.bulk('version');
    r.bulk(REDIS_VERSION);
    r.bulk('proto');
    r.int(ver);
    r.bulk('id');
    r.int(c.id);
    r.bulk('mode');
    r.bulk('standalone');
    r.bulk('role');
    r.bulk('master');
    r.bulk('modules');
    r.array(0);
  },
});

/** RESET — back to a fresh connection's state. */
const reset = command({
  name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection', since: '6.2.0', summary: 'Resets the connection.', complexity: 'O(1)',
  handler(c) {
    for (const h of c.server.resetHooks) h(c);
    c.db = 0;
    c.reply.resp = 2;
    c.name = '';
    c.replyMode = 'on';
    c.noEvict = false;
    c.noTouch = false;
    c.authenticated = false;
    c.reply.simple('RESET');
  },
});

export const connectionCommands: CommandSpec[] = [ping, echo, quit, select, auth, hello, reset];
