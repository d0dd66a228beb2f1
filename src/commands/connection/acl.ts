/** ACL and its subcommands: users, rules, the denial log, the ACL file. */
import { randomBytes } from 'node:crypto';
import { command, type CommandSpec } from '../core/spec.ts';
import { arityAllows } from '../core/command.ts';
import { CommandError, Err, wrongArity } from '../core/errors.ts';
import { parseInt64OrNull } from '../core/parse.ts';
import { replyHelp } from '../core/help.ts';
import type { Client } from '../../server/client.ts';
import { ACL_CATEGORIES } from '../../security/acl-table.ts';
import { describeCommandRules, describeUser, patternString } from '../../security/acl-describe.ts';
import { ACL_OK, aclErrorMessage, hasSpaces } from '../../security/acl.ts';
import { REASON_NAMES, type LogEntry } from '../../security/acl-log.ts';
import { aclFilePath, loadAclFile, saveAclFile } from '../../security/acl-file.ts';
import type { Selector } from '../../security/acl-selector.ts';
import { rateRules } from '../../security/acl-user.ts';

type Flags = CommandSpec['flags'];
const ADMIN: Flags = ['admin', 'noscript', 'loading', 'stale', 'sentinel'];
const PLAIN: Flags = ['noscript', 'loading', 'stale', 'sentinel'];

const sub = (name: string, arity: number, flags: Flags, handler: CommandSpec['handler']): CommandSpec =>
  command({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'server', handler });

const HELP = [
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  '    Get the user\'s details.',
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
];

const NO_FILE = 'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.';

/** Redis's addReplySubcommandSyntaxError. */
function subSyntax(args: string[]): never {
  throw new CommandError(`ERR unknown subcommand or wrong number of arguments for '${args[1]!.slice(0, 128)}'. Try ACL HELP.`);
}

function setuser(c: Client, args: string[]): void {
  const name = args[2]!;
  if (hasSpaces(name)) throw new CommandError("ERR Usernames can't contain spaces or null characters");
  const err = c.server.acl.setUser(name, args.slice(3), c.server.clients.values());
  if (err !== null) throw new CommandError('ERR ' + err);
  c.reply.ok();
}

function deluser(c: Client, args: string[]): void {
  const names = args.slice(2);
  if (names.includes('default')) throw new CommandError("ERR The 'default' user cannot be removed");
  let n = 0;
  for (const name of names) if (c.server.acl.deleteUser(name, c.server.clients.values(), c)) n++;
  c.reply.int(n);
}

function writeSelector(c: Client, s: Selector): void {
  const r = c.reply;
  const table = c.server.acl.table;
  r.bulk('commands');
  r.bulk(describeCommandRules(table, s));
  r.bulk('keys');
  r.bulk(s.allKeys ? '~*' : s.patterns.map(patternString).join(' '));
  r.bulk('channels');
  r.bulk(s.allChannels ? '&*' : s.channels.map((ch) => '&' + ch).join(' '));
}

function getuser(c: Client, args: string[]): void {
  const u = c.server.acl.users.get(args[2]!);
  if (u === undefined) return c.reply.nullBulk();
  const r = c.reply;
  // shardis's rate limits: one more field, only for a user that has one
  const rate = rateRules(u);
  r.map(rate === '' ? 6 : 7);
  r.bulk('flags');
  const flags = [...u.flags].sort((a, b) => FLAG_ORDER.indexOf(a) - FLAG_ORDER.indexOf(b));
  r.set(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('passwords');
  r.array(u.passwords.length);
  for (const p of u.passwords) r.bulk(p);
  writeSelector(c, u.root);
  r.bulk('selectors');
  r.array(u.selectors.length - 1);
  for (const s of u.selectors.slice(1)) {
    r.map(3);
    writeSelector(c, s);
  }
  if (rate !== '') {
    r.bulk('ratelimits');
    r.bulk(rate);
  }
}

const FLAG_ORDER: string[] = ['on', 'off', 'nopass', 'skip-sanitize-payload', 'sanitize-payload'];

function list(c: Client, namesOnly: boolean): void {
  const acl = c.server.acl;
  const users = acl.sortedUsers();
  c.reply.array(users.length);
  for (const u of users) c.reply.bulk(namesOnly ? u.name : `user ${u.name} ${describeUser(acl.table, u)}`);
}

function cat(c: Client, args: string[]): void {
  const table = c.server.acl.table;
  if (args.length === 2) {
    c.reply.array(ACL_CATEGORIES.length);
    for (const name of ACL_CATEGORIES) c.reply.bulk(name);
    return;
  }
  if (args.length > 3) subSyntax(args);
  const members = table.category(args[2]!);
  if (members === undefined) throw new CommandError(`ERR Unknown category '${args[2]!.slice(0, 128)}'`);
  c.reply.array(members.length);
  for (const m of members) c.reply.bulk(m.fullName);
}

function genpass(c: Client, args: string[]): void {
  if (args.length > 3) subSyntax(args);
  let bits = 256;
  if (args.length === 3) {
    const n = parseInt64OrNull(args[2]!);
    if (n === null) throw new CommandError(Err.NOT_INTEGER);
    bits = n;
  }
  if (bits <= 0 || bits > 4096) throw new CommandError('ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096');
  const chars = Math.floor((bits + 3) / 4);
  c.reply.bulk(randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

function log(c: Client, args: string[]): void {
  if (args.length > 3) subSyntax(args);
  const acl = c.server.acl;
  let count = 10;
  if (args.length === 3) {
    if (args[2]!.toLowerCase() === 'reset') {
      acl.log.reset();
      // with threads every thread's log is emptied
      c.server.replayElsewhere?.(args);
      return c.reply.ok();
    }
    const n = parseInt64OrNull(args[2]!);
    if (n === null) throw new CommandError(Err.NOT_INTEGER);
    count = Math.max(0, n);
  }
  let all = acl.log.entries;
  if (c.server.others !== null) {
    // with threads: every thread's denials, newest first
    const others = c.server.others({ op: 'acl-log' }) as LogEntry[][];
    all = all.concat(...others).sort((a, b) => b.ctime - a.ctime).slice(0, acl.log.maxLen);
  }
  const entries = all.slice(0, count);
  const now = Date.now();
  const r = c.reply;
  r.array(entries.length);
  for (const e of entries) {
    r.map(10);
    r.bulk('count');
    r.int(e.count);
    r.bulk('reason');
    r.bulk(REASON_NAMES[e.reason] ?? 'unknown');
    r.bulk('context');
    r.bulk(e.context);
    r.bulk('object');
    r.bulk(e.object);
    r.bulk('username');
    r.bulk(e.username);
    r.bulk('age-seconds');
    r.double((now - e.ctime) / 1000);
    r.bulk('client-info');
    r.bulk(e.cinfo);
    r.bulk('entry-id');
    r.int(e.entryId);
    r.bulk('timestamp-created');
    r.int(e.created);
    r.bulk('timestamp-last-updated');
    r.int(e.ctime);
  }
}

function dryrun(c: Client, args: string[]): void {
  const acl = c.server.acl;
  const u = acl.users.get(args[2]!);
  if (u === undefined) throw new CommandError(`ERR User '${args[2]!}' not found`);
  const line = args.slice(3);
  const cmd = acl.table.resolve(line);
  if (cmd === undefined) throw new CommandError(`ERR Command '${line[0]!}' not found`);
  if (!arityAllows(cmd.spec, line.length)) throw new CommandError(wrongArity(cmd.fullName));
  const res = acl.checkUser(u, cmd, line);
  if (res.result === ACL_OK) return c.reply.ok();
  c.reply.bulk(aclErrorMessage(res.result, u.name, cmd, line[res.idx] ?? '', true));
}

function load(c: Client): void {
  const file = aclFilePath(c.server.config);
  if (file === null) throw new CommandError(NO_FILE);
  const err = loadAclFile(c.server, file, c);
  if (err !== null) throw new CommandError('ERR ' + err);
  c.reply.ok();
}

function save(c: Client): void {
  const file = aclFilePath(c.server.config);
  if (file === null) throw new CommandError(NO_FILE);
  if (!saveAclFile(c.server, file)) throw new CommandError('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
  c.reply.ok();
}

const acl = command({
  name: 'acl', arity: -2, flags: ['sentinel'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  subcommands: [
    sub('cat', -2, PLAIN, cat),
    sub('deluser', -3, ADMIN, deluser),
    sub('dryrun', -4, ADMIN, dryrun),
    sub('genpass', -2, PLAIN, genpass),
    sub('getuser', 3, ADMIN, getuser),
    sub('help', 2, ['loading', 'stale', 'sentinel'], (c) => replyHelp(c, 'ACL', HELP)),
    sub('list', 2, ADMIN, (c) => list(c, false)),
    sub('load', 2, ADMIN, load),
    sub('log', -2, ADMIN, log),
    sub('save', 2, ADMIN, save),
    sub('setuser', -3, ADMIN, setuser),
    sub('users', 2, ADMIN, (c) => list(c, true)),
    sub('whoami', 2, PLAIN, (c) => c.reply.bulk(c.user.name)),
  ],
});

export const aclCommands: CommandSpec[] = [acl];
