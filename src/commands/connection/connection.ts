/** Connection family: PING, ECHO, QUIT, SELECT, HELLO, AUTH … */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err, wrongArity } from '../core/errors.ts';
import { isOpt, parseInt64OrNull } from '../core/parse.ts';
import { validateClientName } from './client-cmd.ts';
import { REDIS_VERSION } from '../../server/version.ts';
import { startMonitor, stopMonitor } from '../../server/monitor.ts';
import type { Client } from '../../server/client.ts';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

/** Checks a user's credentials and switches the connection to that user (a failure is logged in ACL LOG). */
function authenticate(c: Client, args: readonly string[], user: string, pass: string): void {
  if (!c.server.acl.authenticate(c, user, pass, args[0]!)) throw new CommandError(WRONGPASS);
}

/** PING [message] — in the RESP2 pub/sub context the reply is ["pong", message or ""]. */
const ping = command({
  name: 'ping', arity: -1, flags: ['fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection',
  handler(c, args) {
    if (args.length > 2) throw new CommandError(wrongArity('ping'));
    if (c.resp === 2 && c.subscriptions + c.patternSubscriptions + c.shardSubscriptions > 0) {
      c.reply.array(2);
      c.reply.bulk('pong');
      c.reply.bulk(args.length === 2 ? args[1]! : '');
    } else if (args.length === 2) c.reply.bulk(args[1]!);
    else c.reply.simple('PONG');
  },
});

/** ECHO message */
const echo = command({
  name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection',
  handler(c, args) {
    c.reply.bulk(args[1]!);
  },
});

/** QUIT — replies OK, then closes the connection. */
const quit = command({
  name: 'quit', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection',
  handler(c) {
    c.reply.ok();
    c.closeAfterReply = true;
  },
});

/** SELECT index */
const select = command({
  name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection',
  handler(c, args) {
    const n = parseInt64OrNull(args[1]!);
    if (n === null) throw new CommandError(Err.NOT_INTEGER);
    if (n < -2147483648 || n > 2147483647) throw new CommandError('ERR value is out of range, value must between -2147483648 and 2147483647');
    if (n !== 0 && c.server.cluster !== null) throw new CommandError('ERR SELECT is not allowed in cluster mode');
    if (n < 0 || n >= c.server.engine.databases) throw new CommandError(Err.DB_INDEX);
    c.db = n;
    c.reply.ok();
  },
});

/** AUTH [username] password */
const auth = command({
  name: 'auth', arity: -2, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection',
  handler(c, args) {
    if (args.length > 3) throw new CommandError(Err.SYNTAX);
    if (args.length === 2) {
      if (c.server.acl.defaultUser.nopass) {
        throw new CommandError('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
      }
      authenticate(c, args, 'default', args[1]!);
    } else {
      authenticate(c, args, args[1]!, args[2]!);
    }
    c.reply.ok();
  },
});

const HELLO_NOAUTH =
  'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time';

/**
 * HELLO [protover [AUTH username password] [SETNAME clientname]]
 * The options are all checked (the last AUTH and SETNAME count) before
 * anything changes: a failing HELLO leaves the client as it was (Redis
 * 7.2, #11659); then authentication, the name, the protocol.
 */
const hello = command({
  name: 'hello', arity: -1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection',
  handler(c, args) {
    let ver = 0;
    if (args.length >= 2) {
      const v = parseInt64OrNull(args[1]!);
      if (v === null) throw new CommandError('ERR Protocol version is not an integer or out of range');
      if (v < 2 || v > 3) throw new CommandError(Err.NOPROTO);
      ver = v;
    }
    let user: string | null = null;
    let pass = '';
    let name: string | null = null;
    for (let i = 2; i < args.length; i++) {
      const more = args.length - 1 - i;
      if (isOpt(args[i]!, 'AUTH') && more >= 2) {
        user = args[i + 1]!;
        pass = args[i + 2]!;
        i += 2;
      } else if (isOpt(args[i]!, 'SETNAME') && more >= 1) {
        name = args[i + 1]!;
        validateClientName(name);
        i++;
      } else {
        throw new CommandError(`ERR Syntax error in HELLO option '${args[i]!}'`);
      }
    }
    if (user !== null) authenticate(c, args, user, pass);
    if (c.server.acl.authRequired(c)) throw new CommandError(HELLO_NOAUTH);
    if (name !== null) c.name = name;
    if (ver !== 0) c.reply.resp = ver as 2 | 3;
    const r = c.reply;
    r.map(7);
    r.bulk('server');
    r.bulk('redis');
    r.bulk('version');
    r.bulk(REDIS_VERSION);
    r.bulk('proto');
    r.int(c.resp);
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

/**
 * RESET — back to a fresh connection's state: families clear their own
 * (MULTI/WATCH, subscriptions, tracking …) through ServerState.resetHooks;
 * then db 0, RESP2, no name, replies on, and unauthenticated when a password
 * is set. CLIENT NO-EVICT and NO-TOUCH are cleared too (Redis 7.2, #11483);
 * CLIENT SETINFO's library name and version stay.
 */
const reset = command({
  name: 'reset', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection',
  handler(c) {
    if (c.ext.replica) throw new CommandError('ERR can only reset normal client connections');
    stopMonitor(c);
    for (const h of c.server.resetHooks) h(c);
    c.db = 0;
    c.reply.resp = 2;
    c.name = '';
    c.replyMode = 'on';
    c.noTouch = false;
    c.noEvict = false;
    c.setDefaultAuth();
    c.reply.simple('RESET');
  },
});

/** MONITOR — streams every command the server runs; a second MONITOR gets no reply. */
const monitor = command({
  name: 'monitor', arity: 1, flags: ['admin', 'noscript', 'loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c) {
    if (startMonitor(c)) c.reply.ok();
  },
});

export const connectionCommands: CommandSpec[] = [ping, echo, quit, select, auth, hello, reset, monitor];
