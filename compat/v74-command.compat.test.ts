/**
 * COMMAND INFO and COMMAND DOCS of every command Redis 7.4.1 has, against
 * recorded replies (compat/recorded.ts), in RESP3 (and one group in RESP2): flags, ACL
 * categories, tips, key specs, summaries, arguments with display_text,
 * history and doc flags. One case per command group; a container's reply
 * (its subcommands come in Redis's dict order) is compared unordered, every
 * other reply byte for byte.
 */
import { COMMAND_DOCS } from '../src/commands/core/command-meta.ts';
import { recordedSuite } from './recorded.ts';
import type { Script } from './harness.ts';

// Redis 8's commands (HGETEX …) and shardis's own (BACKUP …, documented with shardis's 0.x version) are not 7.4.1's
const isNewer = (since: string): boolean => Number(since.split('.')[0]) >= 8 || Number(since.split('.')[0]) === 0;

const groups = new Map<string, string[]>();
for (const [name, doc] of Object.entries(COMMAND_DOCS)) {
  if (name.includes('|') || isNewer(doc.since)) continue;
  let g = groups.get(doc.group);
  if (!g) groups.set(doc.group, (g = []));
  g.push(name);
}
const containers = new Set(Object.keys(COMMAND_DOCS).filter((n) => n.includes('|')).map((n) => n.split('|')[0]!));

function steps(names: readonly string[]): Script {
  return names.flatMap((n) => [
    { cmd: ['COMMAND', 'INFO', n], unordered: containers.has(n) },
    { cmd: ['COMMAND', 'DOCS', n], unordered: containers.has(n) },
  ]);
}

const cases: Record<string, Script> = {};
for (const [group, names] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
  cases[`${group} commands`] = [{ cmd: ['HELLO', '3'], ignore: true }, ...steps(names)];
}
// RESP2's flat arrays for one group (the encoding is shared by all)
cases['string commands (RESP2)'] = steps(groups.get('string')!);

cases['COMMAND DOCS and INFO: doc flags, deprecation, history, unknown names'] = [
  ['COMMAND', 'DOCS', 'getset', 'substr', 'rpoplpush', 'zrangebyscore'], ['COMMAND', 'DOCS', 'nosuch'], ['COMMAND', 'DOCS', 'get', 'nosuch', 'get|x'],
  ['COMMAND', 'DOCS', 'lcs'], ['COMMAND', 'DOCS', 'get'], ['COMMAND', 'INFO', 'get', 'nosuch'],
  { cmd: ['HELLO', '3'], ignore: true }, ['COMMAND', 'DOCS', 'get'], ['COMMAND', 'DOCS', 'nosuch'], ['COMMAND', 'INFO', 'get', 'nosuch'],
];
// 7.2: COMMAND GETKEYS takes the command alone (arity -3), and a command without keys says so
cases['COMMAND GETKEYS of a command without arguments'] = [
  ['COMMAND', 'GETKEYS', 'PING'], ['COMMAND', 'GETKEYS', 'GET'], ['COMMAND', 'GETKEYS', 'NOSUCH'], ['COMMAND', 'GETKEYSANDFLAGS', 'SET'], ['COMMAND', 'GETKEYS'],
  ['COMMAND', 'GETKEYS', 'GET', 'k'], ['COMMAND', 'GETKEYSANDFLAGS', 'LMOVE', 'a', 'b', 'LEFT', 'RIGHT'],
];

cases['HELP of every container (7.4.1: "Print this help.", CLIENT KILL ID / MAXAGE, SETINFO, NO-TOUCH)'] = [
  'ACL', 'CLIENT', 'COMMAND', 'CONFIG', 'FUNCTION', 'LATENCY', 'MEMORY', 'MODULE', 'OBJECT', 'PUBSUB', 'SCRIPT', 'SLOWLOG', 'XGROUP', 'XINFO',
].flatMap((c) => [[c, 'HELP'], [c.toLowerCase(), 'help']]);

recordedSuite('v74-command', cases);
