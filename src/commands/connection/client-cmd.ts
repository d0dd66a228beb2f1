/**
 * CLIENT: connection introspection and control, as Redis 7.0's
 * clientCommand (plus SETINFO, NO-TOUCH and KILL MAXAGE from later versions,
 * which clients send).
 */
import { replyHelp } from '../core/help.ts';
import { command, type CommandFlag, type CommandSpec, type Handler } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isOpt, parseInt64OrNull } from '../core/parse.ts';
import { PauseType } from '../../server/pause.ts';
import type { Client } from '../../server/client.ts';
import type { ServerState } from '../../server/server-state.ts';
import { trackingSubcommands } from './client-tracking.ts';
import { clientInfoLine, clientType, seconds, type ClientType } from '../../server/client-info.ts';

/** Redis's getClientTypeByName: null for an unknown name. */
function typeByName(name: string): ClientType | null {
  switch (name.toLowerCase()) {
    case 'normal':
      return 'normal';
    case 'slave':
    case 'replica':
      return 'replica';
    case 'pubsub':
      return 'pubsub';
    case 'master':
      return 'master';
    default:
      return null;
  }
}

/** Redis's validateClientAttr: printable ASCII without spaces. */
function validAttr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

/** Sets (or, with '', clears) the connection name with Redis's validation (CLIENT SETNAME, HELLO SETNAME). */
/** Redis's validateClientName: throws the error a bad name gets. */
export function validateClientName(name: string): void {
  if (!validAttr(name)) throw new CommandError('ERR Client names cannot contain spaces, newlines or special characters.');
}

export function setClientName(c: Client, name: string): void {
  validateClientName(name);
  c.name = name;
}

function sub(
  name: string, arity: number, handler: Handler,
  opts: { admin?: boolean; noscript?: boolean } = {},
): CommandSpec {
  const flags: CommandFlag[] = [];
  if (opts.admin) flags.push('admin');
  if (opts.noscript !== false) flags.push('noscript');
  flags.push('loading', 'stale');
  return command({
    name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'connection', handler,
  });
}

/** ON / OFF (case-insensitive) or a syntax error. */
function onOff(arg: string): boolean {
  if (isOpt(arg, 'ON')) return true;
  if (isOpt(arg, 'OFF')) return false;
  throw new CommandError(Err.SYNTAX);
}

/** CLIENT HELP text of Redis 7.4 (the header and the HELP lines are added around it). */
const HELP = [
  'CACHING (YES|NO)',
  '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
  'GETREDIR',
  '    Return the client ID we are redirecting to when tracking is enabled.',
  'GETNAME',
  '    Return the name of the current connection.',
  'ID',
  '    Return the ID of the current connection.',
  'INFO',
  '    Return information about the current client connection.',
  'KILL <ip:port>',
  '    Kill connection made from <ip:port>.',
  'KILL <option> <value> [<option> <value> [...]]',
  '    Kill connections. Options are:',
  '    * ADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made from the specified address',
  '    * LADDR (<ip:port>|<unixsocket>:0)',
  '      Kill connections made to specified local address',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Kill connections by type.',
  '    * USER <username>',
  '      Kill connections authenticated by <username>.',
  '    * SKIPME (YES|NO)',
  '      Skip killing current connection (default: yes).',
  '    * ID <client-id>',
  '      Kill connections by client id.',
  '    * MAXAGE <maxage>',
  '      Kill connections older than the specified age.',
  'LIST [options ...]',
  '    Return information about client connections. Options:',
  '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
  '      Return clients of specified type.',
  'UNPAUSE',
  '    Stop the current client pause, resuming traffic.',
  'PAUSE <timeout> [WRITE|ALL]',
  '    Suspend all, or just write, clients for <timeout> milliseconds.',
  'REPLY (ON|OFF|SKIP)',
  '    Control the replies sent to the current connection.',
  'SETNAME <name>',
  '    Assign the name <name> to the current connection.',
  'SETINFO <option> <value>',
  '    Set client meta attr. Options are:',
  '    * LIB-NAME: the client lib name.',
  '    * LIB-VER: the client lib version.',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]',
  '    Unblock the specified blocked client.',
  'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
  '         [OPTIN] [OPTOUT] [NOLOOP]',
  '    Control server assisted client side caching.',
  'TRACKINGINFO',
  '    Report tracking status for the current connection.',
  'NO-EVICT (ON|OFF)',
  '    Protect current client connection from eviction.',
  'NO-TOUCH (ON|OFF)',
  '    Will not touch LRU/LFU stats when this mode is on.',
];

/** CLIENT LIST [TYPE type] | [ID id [id ...]] */
function clientList(c: Client, args: string[]): void {
  let lines = listClients(c.server, args, c);
  // with threads, every thread's clients, in id order as Redis lists them (or in the order of CLIENT LIST ID's ids)
  const others = c.server.others?.({ op: 'client-list', args }) as string[] | undefined;
  if (others !== undefined && others.length !== 0) {
    const all = [lines, ...others].join('').split('\n').filter((l) => l !== '');
    const id = (l: string): number => Number(/^id=(\d+)/.exec(l)![1]);
    const given = args.length > 3 && isOpt(args[2]!, 'ID') ? args.slice(3).map(Number) : null;
    const rank = (l: string): number => (given === null ? id(l) : given.indexOf(id(l)));
    lines = all.sort((x, y) => rank(x) - rank(y)).map((l) => l + '\n').join('');
  }
  c.reply.verbatim(lines);
}

/** CLIENT LIST's lines for this thread's clients (`self`: the caller, whose line shows its own command). */
export function listClients(server: ServerState<Client>, args: readonly string[], self: Client | null): string {
  let out = '';
  if (args.length === 4 && isOpt(args[2]!, 'TYPE')) {
    const type = typeByName(args[3]!);
    if (type === null) throw new CommandError(`ERR Unknown client type '${args[3]!}'`);
    for (const x of server.clients.values()) {
      if (clientType(x) === type) out += clientInfoLine(x, server.monitors, x === self ? args : null) + '\n';
    }
  } else if (args.length > 3 && isOpt(args[2]!, 'ID')) {
    // every ID is checked first, then listed in the order given
    const ids: number[] = [];
    for (let i = 3; i < args.length; i++) {
      const id = parseInt64OrNull(args[i]!);
      if (id === null) throw new CommandError('ERR Invalid client ID');
      ids.push(id);
    }
    for (const id of ids) {
      const x = server.clients.get(id);
      if (x) out += clientInfoLine(x, server.monitors, x === self ? args : null) + '\n';
    }
  } else if (args.length !== 2) {
    throw new CommandError(Err.SYNTAX);
  } else {
    for (const x of server.clients.values()) out += clientInfoLine(x, server.monitors, x === self ? args : null) + '\n';
  }
  return out;
}

interface KillFilter {
  addr: string | null;
  laddr: string | null;
  type: ClientType | null;
  id: number;
  user: string | null;
  skipme: boolean;
  maxage: number;
}

function parseKillFilter(server: ServerState<Client>, args: readonly string[]): KillFilter {
  const f: KillFilter = { addr: null, laddr: null, type: null, id: 0, user: null, skipme: true, maxage: 0 };
  if (args.length === 3) {
    // old form CLIENT KILL addr: may kill the caller itself
    f.addr = args[2]!;
    f.skipme = false;
    return f;
  }
  for (let i = 2; i < args.length; i += 2) {
    const opt = args[i]!;
    if (i + 1 >= args.length) throw new CommandError(Err.SYNTAX);
    const v = args[i + 1]!;
    if (isOpt(opt, 'ID')) {
      const id = parseInt64OrNull(v);
      if (id === null || id < 1) throw new CommandError('ERR client-id should be greater than 0');
      f.id = id;
    } else if (isOpt(opt, 'MAXAGE')) {
      const age = parseInt64OrNull(v);
      if (age === null) throw new CommandError('ERR maxage is not an integer or out of range');
      if (age <= 0) throw new CommandError('ERR maxage should be greater than 0');
      f.maxage = age;
    } else if (isOpt(opt, 'TYPE')) {
      f.type = typeByName(v);
      if (f.type === null) throw new CommandError(`ERR Unknown client type '${v}'`);
    } else if (isOpt(opt, 'ADDR')) {
      f.addr = v;
    } else if (isOpt(opt, 'LADDR')) {
      f.laddr = v;
    } else if (isOpt(opt, 'USER')) {
      if (!server.acl.users.has(v)) throw new CommandError(`ERR No such user '${v}'`);
      f.user = v;
    } else if (isOpt(opt, 'SKIPME')) {
      if (isOpt(v, 'YES')) f.skipme = true;
      else if (isOpt(v, 'NO')) f.skipme = false;
      else throw new CommandError(Err.SYNTAX);
    } else {
      throw new CommandError(Err.SYNTAX);
    }
  }
  return f;
}

/** CLIENT KILL ip:port | CLIENT KILL [ID id] [TYPE type] [USER user] [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no] [MAXAGE s] */
function clientKill(c: Client, args: string[]): void {
  const f = parseKillFilter(c.server, args);
  // with threads, a killed replica can connect again on another thread before that thread is asked: not counted
  const upTo = c.server.lastClientId();
  let killed = killClients(c.server, f, c, upTo);
  const killSelf = killed < 0;
  if (killSelf) killed = -killed;
  // with threads, the clients of every thread
  for (const n of (c.server.others?.({ op: 'client-kill', args, upTo }) ?? []) as number[]) killed += n;
  if (args.length === 3) {
    if (killed === 0) throw new CommandError('ERR No such client');
    c.reply.ok();
  } else {
    c.reply.int(killed);
  }
  // flagged only once the reply is queued, as Redis does
  if (killSelf) c.closeAfterReply = true;
}

/** Kills this thread's clients that match CLIENT KILL's `args`, of ids up to `upTo`; how many (another thread's request: no caller). */
export function killClientsMatching(server: ServerState<Client>, args: readonly string[], upTo: number): number {
  return killClients(server, parseKillFilter(server, args), null, upTo);
}

/**
 * Kills the matching clients of this thread but `self`, of ids up to `upTo`
 * (those connected before the command); how many, negated when `self`
 * matched too (counted, its caller closes it).
 */
function killClients(server: ServerState<Client>, f: KillFilter, self: Client | null, upTo: number): number {
  const now = seconds(Date.now());
  let killed = 0;
  let selfToo = false;
  for (const x of [...server.clients.values()]) {
    if (f.addr !== null && x.addr !== f.addr) continue;
    if (f.laddr !== null && x.laddr !== f.laddr) continue;
    if (f.type !== null && clientType(x) !== f.type) continue;
    if (f.id !== 0 && x.id !== f.id) continue;
    if (x.id > upTo) continue;
    if (f.user !== null && x.user.name !== f.user) continue;
    if (x === self && f.skipme) continue;
    if (f.maxage !== 0 && now - seconds(x.createdAt) < f.maxage) continue;
    if (x === self) selfToo = true;
    else x.close();
    killed++;
  }
  return selfToo ? -killed : killed;
}

/** CLIENT PAUSE timeout [WRITE|ALL] */
/** Redis's addReplySubcommandSyntaxError, for argument counts the arity allows but the subcommand doesn't. */
function subcommandSyntaxError(args: string[]): CommandError {
  return new CommandError(`ERR unknown subcommand or wrong number of arguments for '${args[1]!.slice(0, 128)}'. Try CLIENT HELP.`);
}

function clientPause(c: Client, args: string[]): void {
  if (args.length > 4) throw subcommandSyntaxError(args);
  let type: PauseType = PauseType.ALL;
  if (args.length === 4) {
    if (isOpt(args[3]!, 'WRITE')) type = PauseType.WRITE;
    else if (isOpt(args[3]!, 'ALL')) type = PauseType.ALL;
    else throw new CommandError('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const ms = parseInt64OrNull(args[2]!);
  if (ms === null) throw new CommandError('ERR timeout is not an integer or out of range');
  if (ms < 0) throw new CommandError('ERR timeout is negative');
  c.server.pause.pause(ms > 0 ? Date.now() + ms : 0, type);
  c.reply.ok();
}

/** CLIENT UNBLOCK client-id [TIMEOUT|ERROR] */
function clientUnblock(c: Client, args: string[]): void {
  if (args.length > 4) throw subcommandSyntaxError(args);
  let withError = false;
  if (args.length === 4) {
    if (isOpt(args[3]!, 'TIMEOUT')) withError = false;
    else if (isOpt(args[3]!, 'ERROR')) withError = true;
    else throw new CommandError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = parseInt64OrNull(args[2]!);
  if (id === null) throw new CommandError(Err.NOT_INTEGER);
  const target = c.server.clients.get(id);
  const unblock = target?.blocked ? target.unblock : null;
  // with threads, a connection of another thread
  const done = unblock !== null ? unblock(withError) : target === undefined && c.server.unblockElsewhere !== null && c.server.unblockElsewhere(id, withError);
  c.reply.int(done ? 1 : 0);
}

/** CLIENT REPLY ON|OFF|SKIP — the muting itself happens in the dispatcher. */
function clientReply(c: Client, args: string[]): void {
  const m = args[2]!;
  if (isOpt(m, 'ON')) {
    c.replyMode = 'on';
    c.reply.ok();
  } else if (isOpt(m, 'OFF')) {
    c.replyMode = 'off';
  } else if (isOpt(m, 'SKIP')) {
    if (c.replyMode !== 'off') c.replyMode = 'skip-next';
  } else {
    throw new CommandError(Err.SYNTAX);
  }
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value (Redis 7.2; clients send it on connect). */
function clientSetinfo(c: Client, args: string[]): void {
  const attr = args[2]!;
  const v = args[3]!;
  const isName = isOpt(attr, 'LIB-NAME');
  if (!isName && !isOpt(attr, 'LIB-VER')) throw new CommandError(`ERR Unrecognized option '${attr}'`);
  if (!validAttr(v)) throw new CommandError(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
  if (isName) c.libName = v;
  else c.libVer = v;
  c.reply.ok();
}

/** CLIENT <subcommand> */
const client = command({
  name: 'client', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection',
  subcommands: [
    sub('id', 2, (c) => c.reply.int(c.id)),
    sub('info', 2, (c, args) => {
      c.reply.verbatim(clientInfoLine(c, c.server.monitors, args) + '\n');
    }),
    sub('list', -2, clientList, { admin: true }),
    sub('kill', -3, clientKill, { admin: true }),
    sub('setname', 3, (c, args) => {
      setClientName(c, args[2]!);
      c.reply.ok();
    }),
    sub('getname', 2, (c) => c.reply.bulkOrNull(c.name === '' ? null : c.name)),
    sub('setinfo', 4, clientSetinfo),
    sub('reply', 3, clientReply),
    sub('no-evict', 3, (c, args) => {
      c.noEvict = onOff(args[2]!);
      c.reply.ok();
    }, { admin: true }),
    sub('no-touch', 3, (c, args) => {
      c.noTouch = onOff(args[2]!);
      c.reply.ok();
    }),
    sub('pause', -3, clientPause, { admin: true }),
    sub('unpause', 2, (c) => {
      c.server.pause.unpause();
      c.reply.ok();
    }, { admin: true }),
    sub('unblock', -3, clientUnblock, { admin: true }),
    ...trackingSubcommands,
    sub('help', 2, (c) => replyHelp(c, 'client', HELP), { noscript: false }),
  ],
});

export const clientCommands: CommandSpec[] = [client];
