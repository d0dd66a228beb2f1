/** CLIENT: connection introspection and control. */
import { command, type CommandSpec, type Handler } from './spec.ts';
import { CommandError, Err } from './errors.ts';
import { isOpt, parseInt64OrNull, parseInteger } from './parse.ts';
import type { Client } from '../server/client.ts';

/** One CLIENT LIST / CLIENT INFO line, fields as Redis 7.0 prints them. */
export function clientInfoLine(c: Client): string {
  const now = Date.now();
  let flags = '';
  if (c.blocked) flags += 'b';
  if (c.closeAfterReply) flags += 'c';
  if (c.noEvict) flags += 'e';
  if (c.noTouch) flags += 'T';
  if (c.ext.multi) flags += 'x';
  if (flags === '') flags = 'N';
  const fd = (c.socket as unknown as { _handle?: { fd?: number } } | null)?._handle?.fd ?? -1;
  const qbuf = c.parser.buffered;
  const omem = c.socket?.writableLength ?? 0;
  return [
    `id=${c.id}`, `addr=${c.addr}`, `laddr=${c.laddr}`, `fd=${fd}`, `name=${c.name}`,
    `age=${Math.floor((now - c.createdAt) / 1000)}`, `idle=${Math.floor((now - c.lastInteraction) / 1000)}`,
    `flags=${flags}`, `db=${c.db}`, `sub=0`, `psub=0`, `ssub=0`, `multi=${c.ext.multi ? (c.ext.multi as unknown[]).length : -1}`,
    `qbuf=${qbuf}`, `qbuf-free=0`, `argv-mem=0`, `multi-mem=0`, `rbs=16384`, `rbp=0`, `obl=0`, `oll=0`, `omem=${omem}`,
    `tot-mem=${qbuf + omem + 16384}`, `events=r`, `cmd=${c.lastCommand}`, `user=default`, `redir=-1`, `resp=${c.resp}`,
    `lib-name=${c.libName}`, `lib-ver=${c.libVer}`,
  ].join(' ');
}

function validName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

/** Sets a client name with Redis's validation (CLIENT SETNAME, HELLO SETNAME). */
export function setClientName(c: Client, name: string): void {
  if (!validName(name)) throw new CommandError('ERR Client names cannot contain spaces, newlines or special characters.');
  c.name = name;
}

const sub = (name: string, arity: number, summary: string, handler: Handler, since = '2.4.0'): CommandSpec =>
  command({ name, arity, flags: ['noscript', 'loading', 'stale'], firstKey: 0, lastKey: 0, step: 0, group: 'connection', since, summary, complexity: 'O(1)', handler });

function onOff(arg: string): boolean {
  if (isOpt(arg, 'ON')) return true;
  if (isOpt(arg, 'OFF')) return false;
  throw new CommandError(Err.SYNTAX);
}

interface KillFilter {
  id?: number;
  addr?: string;
  laddr?: string;
  type?: string;
  user?: string;
  skipme: boolean;
  maxage?: number;
}

function parseKillFilter(args: string[]): KillFilter {
  const f: KillFilter = { skipme: true };
  for (let i = 2; i < args.length; i += 2) {
    const opt = args[i]!.toUpperCase();
    const v = args[i + 1];
    if (v === undefined) throw new CommandError(Err.SYNTAX);
    if (opt === 'ID') {
      const id = parseInt64OrNull(v);
      if (id === null || id <= 0) throw new CommandError('ERR client-id should be greater than 0');
      f.id = id;
    } else if (opt === 'ADDR') f.addr = v;
    else if (opt === 'LADDR') f.laddr = v;
    else if (opt === 'TYPE') {
      const t = v.toLowerCase();
      if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(t)) throw new CommandError(`ERR Unknown client type '${v}'`);
      f.type = t;
    } else if (opt === 'USER') f.user = v;
    else if (opt === 'SKIPME') f.skipme = onOff(v);
    else if (opt === 'MAXAGE') f.maxage = parseInteger(v);
    else throw new CommandError(Err.SYNTAX);
  }
  return f;
}

const HELP = [
  'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'CACHING (YES|NO)', 'GETNAME', 'GETREDIR', 'ID', 'INFO', 'KILL <ip:port>', 'KILL <option> <value> [<option> <value> [...]]',
  'LIST [options ...]', 'UNPAUSE', 'PAUSE <timeout> [WRITE|ALL]', 'REPLY (ON|OFF|SKIP)', 'SETNAME <name>', 'SETINFO <LIB-NAME|LIB-VER> <value>',
  'UNBLOCK <clientid> [TIMEOUT|ERROR]', 'NO-EVICT (ON|OFF)', 'NO-TOUCH (ON|OFF)', 'HELP',
];

/** CLIENT <subcommand> */
const client = command({
  name: 'client', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'connection', since: '2.4.0', summary: 'A container for client connection commands.', complexity: 'Depends on subcommand.',
  subcommands: [
    sub('id', 2, 'Returns the unique client ID of the connection.', (c) => c.reply.int(c.id), '5.0.0'),
    sub('setname', 3, 'Sets the connection name.', (c, args) => {
      setClientName(c, args[2]!);
      c.reply.ok();
    }),
    sub('getname', 2, 'Returns the name of the connection.', (c) => c.reply.bulkOrNull(c.name === '' ? null : c.name)),
    sub('setinfo', 4, 'Sets information specific to the client or connection.', (c, args) => {
      const attr = args[2]!.toUpperCase();
      if (!validName(args[3]!) && args[3] !== '') throw new CommandError(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
      if (attr === 'LIB-NAME') c.libName = args[3]!;
      else if (attr === 'LIB-VER') c.libVer = args[3]!;
      else throw new CommandError(`ERR Unrecognized option '${args[2]!}'`);
      c.reply.ok();
    }, '7.2.0'),
    sub('info', 2, 'Returns information about the connection.', (c) => c.reply.verbatim(clientInfoLine(c) + '\n'), '6.2.0'),
    sub('list', -2, 'Lists open connections.', (c, args) => {
      let list = [...c.server.clients.values()];
      for (let i = 2; i < args.length; i++) {
        const opt = args[i]!.toUpperCase();
        if (opt === 'TYPE' && i + 1 < args.length) {
          const t = args[++i]!.toLowerCase();
          if (!['normal', 'master', 'replica', 'slave', 'pubsub'].includes(t)) throw new CommandError(`ERR Unknown client type '${args[i]!}'`);
          list = t === 'normal' ? list : [];
        } else if (opt === 'ID' && i + 1 < args.length) {
          const ids = new Set<number>();
          while (i + 1 < args.length) {
            const id = parseInt64OrNull(args[i + 1]!);
            if (id === null || id <= 0) throw new CommandError('ERR Invalid client ID');
            ids.add(id);
            i++;
          }
          list = list.filter((x) => ids.has(x.id));
        } else throw new CommandError(Err.SYNTAX);
      }
      c.reply.verbatim(list.map((x) => clientInfoLine(x) + '\n').join(''));
    }),
    sub('kill', -3, 'Terminates open connections.', (c, args) => {
      if (args.length === 3) {
        const target = [...c.server.clients.values()].find((x) => x.addr === args[2]);
        if (!target) throw new CommandError('ERR No such client');
        target.closeAfterReply = true;
        if (target !== c) target.close();
        return c.reply.ok();
      }
      const f = parseKillFilter(args);
      let killed = 0;
      const now = Date.now();
      for (const x of [...c.server.clients.values()]) {
        if (f.id !== undefined && x.id !== f.id) continue;
        if (f.addr !== undefined && x.addr !== f.addr) continue;
        if (f.laddr !== undefined && x.laddr !== f.laddr) continue;
        if (f.type !== undefined && f.type !== 'normal') continue;
        if (f.user !== undefined && f.user !== 'default') continue;
        if (f.maxage !== undefined && (now - x.createdAt) / 1000 < f.maxage) continue;
        if (f.skipme && x === c) continue;
        killed++;
        if (x === c) x.closeAfterReply = true;
        else x.close();
      }
      c.reply.int(killed);
    }),
    sub('no-evict', 3, 'Sets the client eviction mode of the connection.', (c, args) => {
      c.noEvict = onOff(args[2]!);
      c.reply.ok();
    }, '7.0.0'),
    sub('no-touch', 3, 'Controls whether commands sent by the client affect the LRU/LFU of accessed keys.', (c, args) => {
      c.noTouch = onOff(args[2]!);
      c.reply.ok();
    }, '7.2.0'),
    sub('reply', 3, 'Instructs the server whether to reply to commands.', (c, args) => {
      const m = args[2]!.toUpperCase();
      if (m === 'ON') {
        c.replyMode = 'on';
        c.reply.ok();
      } else if (m === 'OFF') c.replyMode = 'off';
      else if (m === 'SKIP') {
        if (c.replyMode !== 'off') c.replyMode = 'skip-next';
      } else throw new CommandError(Err.SYNTAX);
    }, '3.2.0'),
    sub('pause', -3, 'Suspends commands processing.', (c, args) => {
      const ms = parseInt64OrNull(args[2]!);
      if (ms === null || ms < 0) throw new CommandError('ERR timeout is not an integer or out of range');
      if (args.length > 4 || (args.length === 4 && !/^(write|all)$/i.test(args[3]!))) throw new CommandError(Err.SYNTAX);
      c.server.pauseUntil = Date.now() + ms;
      c.reply.ok();
    }, '3.0.0'),
    sub('unpause', 2, 'Resumes processing commands from paused clients.', (c) => {
      c.server.pauseUntil = 0;
      c.reply.ok();
    }, '6.2.0'),
    sub('unblock', -3, 'Unblocks a client blocked by a blocking command from a different connection.', (c, args) => {
      const id = parseInteger(args[2]!);
      const mode = args[3]?.toUpperCase() ?? 'TIMEOUT';
      if (args.length > 4 || (mode !== 'TIMEOUT' && mode !== 'ERROR')) throw new CommandError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
      const target = c.server.clients.get(id);
      const unblock = target?.unblock;
      c.reply.int(target && target.blocked && unblock ? (unblock(mode === 'ERROR') ? 1 : 0) : 0);
    }, '5.0.0'),
    sub('getredir', 2, 'Returns the client ID to which the connection\'s tracking notifications are redirected.', (c) => c.reply.int(-1), '6.0.0'),
    sub('help', 2, 'Returns helpful text about the different subcommands.', (c) => {
      c.reply.array(HELP.length);
      for (const l of HELP) c.reply.simple(l);
    }, '5.0.0'),
  ],
});

export const clientCommands: CommandSpec[] = [client];
