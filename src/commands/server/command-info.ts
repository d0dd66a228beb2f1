/** COMMAND and its subcommands, generated from the command specs (and command-meta.ts). */
import { replyHelp } from '../core/help.ts';
import { command, type Command, type CommandSpec } from '../core/spec.ts';
import { arityAllows } from '../core/command.ts';
import { CommandError, Err } from '../core/errors.ts';
import { metaOf, type DocArg } from '../core/command-meta.ts';
import { commandKeys, keySpecsOf, type KeySpec } from '../core/key-specs.ts';
import { globMatch } from '../../datatypes/glob.ts';
import type { ReplyWriter } from '../../protocol/reply-writer.ts';
import type { Client } from '../../server/client.ts';

/** Command flags in the order Redis lists them (may_replicate and sentinel are hidden, as in Redis). */
const FLAG_ORDER = [
  'write', 'readonly', 'denyoom', 'module', 'admin', 'pubsub', 'noscript', 'blocking', 'loading', 'stale',
  'skip_monitor', 'skip_slowlog', 'asking', 'fast', 'no_auth', 'no_mandatory_keys', 'no_async_loading', 'no_multi',
  'movablekeys', 'allow_busy',
];

/** ACL categories in Redis's table order (COMMAND INFO lists them so). */
const ACL_ORDER = [
  '@keyspace', '@read', '@write', '@set', '@sortedset', '@list', '@hash', '@string', '@bitmap', '@hyperloglog', '@geo',
  '@stream', '@pubsub', '@admin', '@fast', '@slow', '@blocking', '@dangerous', '@connection', '@transaction', '@scripting',
];

const KEY_FLAG_ORDER = ['RO', 'RW', 'OW', 'RM', 'access', 'update', 'insert', 'delete', 'not_key', 'incomplete', 'variable_flags'];

/** Redis's movablekeys rule: keys that a plain first/last/step range cannot describe. */
function isMovable(cmd: Command): boolean {
  if (!metaOf(cmd)) return cmd.spec.keys !== undefined;
  const specs = keySpecsOf(cmd);
  if (specs.length === 0) return false;
  let movable = false;
  let any = false;
  let last = 0;
  for (const k of specs) {
    if (k.begin.type !== 'index' || k.find.type !== 'range') {
      movable = true;
      continue;
    }
    if (k.find.keystep !== 1 || (last !== 0 && last !== k.begin.index - 1)) {
      if (specs.length > 1) {
        movable = true;
        continue;
      }
    }
    if (k.flags.includes('incomplete')) movable = true;
    const abs = k.find.lastkey >= 0 ? k.find.lastkey + k.begin.index : k.find.lastkey;
    last = unsignedMax(last, abs);
    any = true;
  }
  return movable || !any;
}

/** max() of two ints compared as C unsigned ints (a negative "from the end" index wins). */
function unsignedMax(a: number, b: number): number {
  return (a >>> 0) >= (b >>> 0) ? a : b;
}

function commandFlags(cmd: Command): string[] {
  const have = new Set<string>(cmd.spec.flags);
  have.delete('movablekeys');
  if (isMovable(cmd)) have.add('movablekeys');
  return FLAG_ORDER.filter((f) => have.has(f));
}

function aclCategories(cmd: Command): string[] {
  const have = new Set(cmd.aclCategories);
  return ACL_ORDER.filter((a) => have.has(a));
}

function writeFlagSet(r: ReplyWriter, flags: readonly string[]): void {
  r.set(flags.length);
  for (const f of flags) r.simple(f);
}

function writeKeySpec(r: ReplyWriter, k: KeySpec): void {
  r.map(k.notes !== undefined ? 4 : 3);
  if (k.notes !== undefined) {
    r.bulk('notes');
    r.bulk(k.notes);
  }
  r.bulk('flags');
  writeFlagSet(r, KEY_FLAG_ORDER.filter((f) => k.flags.includes(f)));
  r.bulk('begin_search');
  r.map(2);
  r.bulk('type');
  r.bulk(k.begin.type);
  r.bulk('spec');
  if (k.begin.type === 'index') {
    r.map(1);
    r.bulk('index');
    r.int(k.begin.index);
  } else if (k.begin.type === 'keyword') {
    r.map(2);
    r.bulk('keyword');
    r.bulk(k.begin.keyword);
    r.bulk('startfrom');
    r.int(k.begin.startfrom);
  } else r.map(0);
  r.bulk('find_keys');
  r.map(2);
  r.bulk('type');
  r.bulk(k.find.type);
  r.bulk('spec');
  if (k.find.type === 'range') {
    r.map(3);
    r.bulk('lastkey');
    r.int(k.find.lastkey);
    r.bulk('keystep');
    r.int(k.find.keystep);
    r.bulk('limit');
    r.int(k.find.limit);
  } else if (k.find.type === 'keynum') {
    r.map(3);
    r.bulk('keynumidx');
    r.int(k.find.keynumidx);
    r.bulk('firstkey');
    r.int(k.find.firstkey);
    r.bulk('keystep');
    r.int(k.find.keystep);
  } else r.map(0);
}

/** One COMMAND INFO entry (Redis 7.0 layout: 10 fields). */
export function writeCommandInfo(r: ReplyWriter, cmd: Command): void {
  const s = cmd.spec;
  r.array(10);
  r.bulk(cmd.fullName);
  r.int(s.arity);
  writeFlagSet(r, commandFlags(cmd));
  r.int(s.firstKey);
  r.int(s.lastKey);
  r.int(s.step);
  writeFlagSet(r, aclCategories(cmd));
  const tips = metaOf(cmd)?.tips ?? [];
  r.set(tips.length);
  for (const t of tips) r.bulk(t);
  const ks = keySpecsOf(cmd);
  r.set(ks.length);
  for (const k of ks) writeKeySpec(r, k);
  if (!cmd.subcommands) return r.set(0);
  r.array(cmd.subcommands.size);
  for (const sub of cmd.subcommands.values()) writeCommandInfo(r, sub);
}

function writeArgs(r: ReplyWriter, args: readonly DocArg[]): void {
  r.array(args.length);
  for (const a of args) {
    const nested = a.type === 'oneof' || a.type === 'block';
    r.map(3 + (a.ks !== undefined ? 1 : 0) + (a.token !== undefined ? 1 : 0) + (a.summary ? 1 : 0) + (a.since ? 1 : 0) +
      (a.deprecatedSince ? 1 : 0) + (a.flags ? 1 : 0));
    r.bulk('name');
    r.bulk(a.name);
    r.bulk('type');
    r.bulk(a.type);
    if (!nested) {
      r.bulk('display_text');
      r.bulk(a.display ?? a.name);
    }
    if (a.ks !== undefined) {
      r.bulk('key_spec_index');
      r.int(a.ks);
    }
    if (a.token !== undefined) {
      r.bulk('token');
      r.bulk(a.token);
    }
    if (a.summary) {
      r.bulk('summary');
      r.bulk(a.summary);
    }
    if (a.since) {
      r.bulk('since');
      r.bulk(a.since);
    }
    if (a.deprecatedSince) {
      r.bulk('deprecated_since');
      r.bulk(a.deprecatedSince);
    }
    if (a.flags) {
      r.bulk('flags');
      writeFlagSet(r, a.flags);
    }
    if (nested) {
      r.bulk('arguments');
      writeArgs(r, a.args ?? []);
    }
  }
}

/** One COMMAND DOCS entry: the doc map of a command (its name is written by the caller). */
function writeDocs(r: ReplyWriter, cmd: Command): void {
  const d = metaOf(cmd) ?? { summary: '', since: '', group: cmd.spec.group };
  const subs = cmd.subcommands ? [...cmd.subcommands.values()] : [];
  const n = 3 + (d.complexity ? 1 : 0) + (d.docFlags ? 1 : 0) + (d.deprecatedSince ? 1 : 0) + (d.replacedBy ? 1 : 0) +
    (d.history ? 1 : 0) + (d.args ? 1 : 0) + (subs.length ? 1 : 0);
  r.map(n);
  r.bulk('summary');
  r.bulk(d.summary);
  r.bulk('since');
  r.bulk(d.since);
  r.bulk('group');
  r.bulk(d.group);
  if (d.complexity) {
    r.bulk('complexity');
    r.bulk(d.complexity);
  }
  if (d.docFlags) {
    r.bulk('doc_flags');
    writeFlagSet(r, d.docFlags);
  }
  if (d.deprecatedSince) {
    r.bulk('deprecated_since');
    r.bulk(d.deprecatedSince);
  }
  if (d.replacedBy) {
    r.bulk('replaced_by');
    r.bulk(d.replacedBy);
  }
  if (d.history) {
    r.bulk('history');
    r.set(d.history.length);
    for (const [since, change] of d.history) {
      r.array(2);
      r.bulk(since);
      r.bulk(change);
    }
  }
  if (d.args) {
    r.bulk('arguments');
    writeArgs(r, d.args);
  }
  if (subs.length) {
    r.bulk('subcommands');
    r.map(subs.length);
    for (const sub of subs) {
      r.bulk(sub.fullName);
      writeDocs(r, sub);
    }
  }
}

/** Finds a command or "container|sub" by name (Redis's lookupCommandBySds). */
export function findCommand(c: Client, name: string): Command | undefined {
  const parts = name.split('|');
  if (parts.length > 2) return undefined;
  const base = c.server.registry.lookup(parts[0]!);
  if (parts.length === 1 || !base) return base;
  return base.subcommands?.get(parts[1]!.toLowerCase());
}

/** Commands with a getkeys procedure in Redis (used when their key specs can't resolve the keys). */
const PROC_COMMANDS = new Set([
  'bitfield', 'blmpop', 'bzmpop', 'eval', 'eval_ro', 'evalsha', 'evalsha_ro', 'fcall', 'fcall_ro', 'georadius',
  'georadiusbymember', 'lmpop', 'migrate', 'set', 'sintercard', 'sort', 'sort_ro', 'xread', 'xreadgroup', 'zdiff',
  'zdiffstore', 'zinter', 'zintercard', 'zinterstore', 'zmpop', 'zunion', 'zunionstore',
]);

function getKeys(c: Client, args: string[], withFlags: boolean): void {
  const line = args.slice(2);
  let cmd = c.server.registry.lookup(line[0]!);
  if (cmd?.subcommands && line.length >= 2) cmd = cmd.subcommands.get(line[1]!.toLowerCase());
  if (!cmd) throw new CommandError('ERR Invalid command specified');
  if (keySpecsOf(cmd).length === 0 && !PROC_COMMANDS.has(cmd.fullName)) throw new CommandError('ERR The command has no key arguments');
  if (!arityAllows(cmd.spec, line.length)) throw new CommandError('ERR Invalid number of arguments specified for command');
  const keys = commandKeys(cmd, line);
  if (keys === null) {
    if (!cmd.spec.flags.includes('no_mandatory_keys')) throw new CommandError('ERR Invalid arguments specified for command');
    return c.reply.array(0);
  }
  c.reply.array(keys.length);
  for (const k of keys) {
    if (!withFlags) {
      c.reply.bulk(line[k.pos]!);
      continue;
    }
    c.reply.array(2);
    c.reply.bulk(line[k.pos]!);
    writeFlagSet(c.reply, KEY_FLAG_ORDER.filter((f) => k.flags.includes(f)));
  }
}

const sub = (name: string, arity: number, handler: CommandSpec['handler']): CommandSpec =>
  command({ name, arity, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0, group: 'server', acl: ['@connection'], handler });

const HELP = [
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
];

/** COMMAND LIST [FILTERBY MODULE name | ACLCAT category | PATTERN pattern] */
function commandList(c: Client, args: string[]): void {
  let filter: ((cmd: Command) => boolean) | null = null;
  for (let i = 2; i < args.length; i++) {
    const more = args.length - 1 - i;
    if (args[i]!.toLowerCase() !== 'filterby' || more !== 2) throw new CommandError(Err.SYNTAX);
    const kind = args[i + 1]!.toLowerCase();
    const v = args[i + 2]!;
    if (kind === 'module') filter = () => false;
    else if (kind === 'aclcat') {
      const cat = '@' + v.toLowerCase();
      filter = (cmd) => cmd.aclCategories.includes(cat);
    } else if (kind === 'pattern') filter = (cmd) => globMatch(v, cmd.fullName, true);
    else throw new CommandError(Err.SYNTAX);
    i += 2;
  }
  const names: string[] = [];
  for (const cmd of c.server.registry.all()) if (filter === null || filter(cmd)) names.push(cmd.fullName);
  c.reply.bulkArray(names);
}

/** COMMAND [COUNT | LIST | INFO | DOCS | GETKEYS | GETKEYSANDFLAGS | HELP] */
const commandCmd = command({
  name: 'command', arity: -1, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  acl: ['@connection'],
  handler(c) {
    const cmds = c.server.registry.commands;
    c.reply.array(cmds.length);
    for (const cmd of cmds) writeCommandInfo(c.reply, cmd);
  },
  subcommands: [
    sub('count', 2, (c) => c.reply.int(c.server.registry.commands.length)),
    sub('info', -2, (c, args) => {
      const list = args.length === 2 ? c.server.registry.commands : args.slice(2).map((n) => findCommand(c, n));
      c.reply.array(list.length);
      for (const cmd of list) {
        if (cmd) writeCommandInfo(c.reply, cmd);
        else c.reply.nullBulk();
      }
    }),
    sub('docs', -2, (c, args) => {
      const list = args.length === 2 ? c.server.registry.commands : args.slice(2).map((n) => findCommand(c, n)).filter((x) => x !== undefined);
      c.reply.map(list.length);
      for (const cmd of list) {
        c.reply.bulk(cmd.fullName);
        writeDocs(c.reply, cmd);
      }
    }),
    sub('list', -2, commandList),
    sub('getkeys', -3, (c, args) => getKeys(c, args, false)),
    sub('getkeysandflags', -3, (c, args) => getKeys(c, args, true)),
    sub('help', 2, (c, args) => replyHelp(c, args[0]!, HELP)),
  ],
});

export const commandCommands: CommandSpec[] = [commandCmd];
