/** COMMAND and its subcommands, generated from the command specs. */
import { command, type ArgSpec, type CommandSpec } from './spec.ts';
import { CommandError } from './errors.ts';
import { Registry, type Command } from './registry.ts';
import { globMatch } from '../datatypes/glob.ts';
import type { ReplyWriter } from '../protocol/reply-writer.ts';
import type { Client } from '../server/client.ts';

function writeKeySpecs(r: ReplyWriter, cmd: Command): void {
  const s = cmd.spec;
  if (s.firstKey <= 0 && !s.keys) return r.array(0);
  const flags = s.flags.includes('write') ? ['RW', 'update'] : ['RO', 'access'];
  r.array(1);
  r.map(3);
  r.bulk('flags');
  r.set(flags.length);
  for (const f of flags) r.simple(f);
  r.bulk('begin_search');
  r.map(2);
  r.bulk('type');
  r.bulk(s.keys ? 'unknown' : 'index');
  r.bulk('spec');
  if (s.keys) r.map(0);
  else {
    r.map(1);
    r.bulk('index');
    r.int(s.firstKey);
  }
  r.bulk('find_keys');
  r.map(2);
  r.bulk('type');
  r.bulk(s.keys ? 'unknown' : 'range');
  r.bulk('spec');
  if (s.keys) r.map(0);
  else {
    r.map(3);
    r.bulk('lastkey');
    r.int(s.lastKey < 0 ? s.lastKey : s.lastKey - s.firstKey);
    r.bulk('keystep');
    r.int(s.step);
    r.bulk('limit');
    r.int(0);
  }
}

function commandFlags(cmd: Command): string[] {
  const f: string[] = cmd.spec.flags.filter((x) => x !== 'movablekeys');
  if (cmd.spec.keys) f.push('movablekeys');
  return f;
}

/** One COMMAND INFO entry (Redis 7.0 layout: 10 fields). */
export function writeCommandInfo(r: ReplyWriter, cmd: Command): void {
  const s = cmd.spec;
  r.array(10);
  r.bulk(cmd.fullName);
  r.int(s.arity);
  const flags = commandFlags(cmd);
  r.set(flags.length);
  for (const f of flags) r.simple(f);
  r.int(s.firstKey);
  r.int(s.lastKey);
  r.int(s.step);
  r.set(cmd.aclCategories.length);
  for (const a of cmd.aclCategories) r.simple(a);
  r.set(0);
  writeKeySpecs(r, cmd);
  const subs = cmd.subcommands ? [...cmd.subcommands.values()] : [];
  r.array(subs.length);
  for (const sub of subs) writeCommandInfo(r, sub);
}

function writeArgs(r: ReplyWriter, args: readonly ArgSpec[]): void {
  r.array(args.length);
  for (const a of args) {
    const flags: string[] = [];
    if (a.optional) flags.push('optional');
    if (a.multiple) flags.push('multiple');
    const n = 2 + (a.token ? 1 : 0) + (flags.length ? 1 : 0) + (a.args ? 1 : 0);
    r.map(n);
    r.bulk('name');
    r.bulk(a.name);
    r.bulk('type');
    r.bulk(a.type);
    if (a.token) {
      r.bulk('token');
      r.bulk(a.token);
    }
    if (flags.length) {
      r.bulk('flags');
      r.set(flags.length);
      for (const f of flags) r.simple(f);
    }
    if (a.args) {
      r.bulk('arguments');
      writeArgs(r, a.args);
    }
  }
}

/** One COMMAND DOCS entry: name followed by its doc map. */
function writeDocs(r: ReplyWriter, cmd: Command): void {
  const s = cmd.spec;
  r.bulk(cmd.fullName);
  const subs = cmd.subcommands ? [...cmd.subcommands.values()] : [];
  const n = 3 + (s.complexity ? 1 : 0) + (s.args ? 1 : 0) + (subs.length ? 1 : 0);
  r.map(n);
  r.bulk('summary');
  r.bulk(s.summary);
  r.bulk('since');
  r.bulk(s.since);
  r.bulk('group');
  r.bulk(s.group);
  if (s.complexity) {
    r.bulk('complexity');
    r.bulk(s.complexity);
  }
  if (s.args) {
    r.bulk('arguments');
    writeArgs(r, s.args);
  }
  if (subs.length) {
    r.bulk('subcommands');
    r.map(subs.length);
    for (const sub of subs) writeDocs(r, sub);
  }
}

/** Finds a command or "container|sub" by name. */
function findCommand(c: Client, name: string): Command | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return c.server.registry.lookup(name);
  return c.server.registry.lookup(name.slice(0, bar))?.subcommands?.get(name.slice(bar + 1).toLowerCase());
}

const sub = (name: string, arity: number, summary: string, handler: CommandSpec['handler']): CommandSpec =>
  command({ name, arity, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0, group: 'server', since: '2.8.13', summary, complexity: 'O(N)', handler });

const HELP = [
  'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
  'HELP',
  '    Prints this help.',
];

function keysOf(c: Client, args: string[]): [Command, number[]] {
  const cmd = c.server.registry.lookup(args[2]!);
  if (!cmd) throw new CommandError('ERR Invalid command specified');
  let target = cmd;
  if (cmd.subcommands && args.length > 3) target = cmd.subcommands.get(args[3]!.toLowerCase()) ?? cmd;
  const n = args.length - 2;
  const ar = target.spec.arity;
  if ((ar > 0 && n !== ar) || (ar < 0 && n < -ar)) throw new CommandError('ERR Invalid number of arguments specified for command');
  const idx = Registry.keyIndexes(target, args.slice(2));
  if (idx.length === 0) throw new CommandError('ERR The command has no key arguments');
  return [target, idx];
}

/** COMMAND [COUNT | LIST | INFO | DOCS | GETKEYS | GETKEYSANDFLAGS | HELP] */
const commandCmd = command({
  name: 'command', arity: -1, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.8.13', summary: 'Returns detailed information about all commands.', complexity: 'O(N) where N is the total number of Redis commands',
  acl: ['@connection'],
  handler(c) {
    const cmds = c.server.registry.commands;
    c.reply.array(cmds.length);
    for (const cmd of cmds) writeCommandInfo(c.reply, cmd);
  },
  subcommands: [
    sub('count', 2, 'Returns a count of commands.', (c) => c.reply.int(c.server.registry.commands.length)),
    sub('info', -2, 'Returns information about one, multiple or all commands.', (c, args) => {
      const names = args.slice(2);
      const list = names.length === 0 ? c.server.registry.commands : names.map((n) => findCommand(c, n));
      c.reply.array(list.length);
      for (const cmd of list) {
        if (cmd) writeCommandInfo(c.reply, cmd);
        else c.reply.nullBulk();
      }
    }),
    sub('docs', -2, 'Returns documentary information about one, multiple or all commands.', (c, args) => {
      const names = args.slice(2);
      const list = (names.length === 0 ? c.server.registry.commands : names.map((n) => findCommand(c, n))).filter((x): x is Command => x !== undefined);
      c.reply.map(list.length);
      for (const cmd of list) writeDocs(c.reply, cmd);
    }),
    sub('list', -2, 'Returns a list of command names.', (c, args) => {
      let filter: (cmd: Command) => boolean = () => true;
      if (args.length > 2) {
        if (args.length !== 5 || args[2]!.toUpperCase() !== 'FILTERBY') throw new CommandError('ERR syntax error');
        const kind = args[3]!.toUpperCase();
        const v = args[4]!;
        if (kind === 'MODULE') filter = () => false;
        else if (kind === 'ACLCAT') filter = (cmd) => cmd.aclCategories.includes('@' + v.toLowerCase());
        else if (kind === 'PATTERN') filter = (cmd) => globMatch(v, cmd.fullName, true);
        else throw new CommandError('ERR syntax error');
      }
      const names = [...c.server.registry.all()].filter(filter).map((x) => x.fullName);
      c.reply.bulkArray(names);
    }),
    sub('getkeys', -4, 'Extracts the key names from an arbitrary command.', (c, args) => {
      const [, idx] = keysOf(c, args);
      c.reply.array(idx.length);
      for (const i of idx) c.reply.bulk(args[2 + i]!);
    }),
    sub('getkeysandflags', -4, 'Extracts the key names and access flags for an arbitrary command.', (c, args) => {
      const [cmd, idx] = keysOf(c, args);
      const flags = cmd.isWrite ? ['RW', 'update'] : ['RO', 'access'];
      c.reply.array(idx.length);
      for (const i of idx) {
        c.reply.array(2);
        c.reply.bulk(args[2 + i]!);
        c.reply.set(flags.length);
        for (const f of flags) c.reply.simple(f);
      }
    }),
    sub('help', 2, 'Returns helpful text about the different subcommands.', (c) => {
      c.reply.array(HELP.length);
      for (const l of HELP) c.reply.simple(l);
    }),
  ],
});

export const commandCommands: CommandSpec[] = [commandCmd];
