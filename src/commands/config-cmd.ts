/** CONFIG GET / SET / RESETSTAT / REWRITE / HELP. */
import { command, type CommandSpec } from './spec.ts';
import { CommandError } from './errors.ts';
import { allConfigValues, applyDirective, findParam, PASSIVE_DEFAULTS } from '../config/config.ts';
import { globMatch } from '../datatypes/glob.ts';
import { writeFileSync } from 'node:fs';

const get = command({
  name: 'get', arity: -3, flags: ['admin', 'noscript', 'loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.0.0', summary: 'Returns the effective values of configuration parameters.', complexity: 'O(N) when N is the number of configuration parameters provided',
  handler(c, args) {
    const all = allConfigValues(c.server.config);
    const out: Array<[string, string]> = [];
    const seen = new Set<string>();
    for (const pattern of args.slice(2)) {
      for (const [k, v] of all) {
        if (!seen.has(k) && globMatch(pattern, k, true)) {
          seen.add(k);
          out.push([k, v]);
        }
      }
    }
    c.reply.map(out.length);
    for (const [k, v] of out) {
      c.reply.bulk(k);
      c.reply.bulk(v);
    }
  },
});

const set = command({
  name: 'set', arity: -4, flags: ['admin', 'noscript', 'loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.0.0', summary: 'Sets configuration parameters in-flight.', complexity: 'O(N) when N is the number of configuration parameters provided',
  handler(c, args) {
    if ((args.length - 2) % 2 !== 0) throw new CommandError(`ERR wrong number of arguments for 'config|set' command`);
    const cfg = c.server.config;
    const pairs: Array<[string, string]> = [];
    for (let i = 2; i < args.length; i += 2) {
      const name = args[i]!.toLowerCase();
      const p = findParam(name);
      if (!p && !(name in PASSIVE_DEFAULTS) && !cfg.extra.has(name)) {
        throw new CommandError(`ERR Unknown option or number of arguments for CONFIG SET - '${args[i]!}'`);
      }
      if (p && !p.mutable) throw new CommandError(`ERR CONFIG SET failed (possibly related to argument '${args[i]!}') - can't set immutable config`);
      if (pairs.some(([n]) => n === name)) throw new CommandError(`ERR CONFIG SET failed (possibly related to argument '${args[i]!}') - duplicate parameter`);
      pairs.push([name, args[i + 1]!]);
    }
    const before = allConfigValues(cfg);
    try {
      for (const [name, value] of pairs) {
        try {
          applyDirective(cfg, name, [value]);
        } catch (e) {
          throw new CommandError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${(e as Error).message}`);
        }
      }
    } catch (e) {
      // all or nothing, as Redis
      for (const [name] of pairs) applyDirective(cfg, name, [before.get(name) ?? '']);
      throw e;
    }
    c.server.onConfigChange(pairs.map(([n]) => n));
    c.reply.ok();
  },
});

const resetstat = command({
  name: 'resetstat', arity: 2, flags: ['admin', 'noscript', 'loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.0.0', summary: 'Resets the server\'s statistics.', complexity: 'O(1)',
  handler(c) {
    c.server.resetStats();
    c.reply.ok();
  },
});

const rewrite = command({
  name: 'rewrite', arity: 2, flags: ['admin', 'noscript', 'loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.8.0', summary: 'Persists the effective configuration to file.', complexity: 'O(1)',
  handler(c) {
    const file = c.server.configFile;
    if (file === '') throw new CommandError('ERR The server is running without a config file');
    const lines: string[] = ['# Rewritten by CONFIG REWRITE'];
    for (const [k, v] of allConfigValues(c.server.config)) {
      if (v !== '' && (findParam(k) || c.server.config.extra.has(k))) lines.push(`${k} ${/\s/.test(v) ? JSON.stringify(v) : v}`);
    }
    try {
      writeFileSync(file, lines.join('\n') + '\n');
    } catch (e) {
      throw new CommandError(`ERR Rewriting config file: ${(e as Error).message}`);
    }
    c.reply.ok();
  },
});

const HELP = [
  'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
  'HELP',
  '    Prints this help.',
];

const help = command({
  name: 'help', arity: 2, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '5.0.0', summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
  handler(c) {
    c.reply.array(HELP.length);
    for (const l of HELP) c.reply.simple(l);
  },
});

/** CONFIG GET|SET|RESETSTAT|REWRITE|HELP */
const config = command({
  name: 'config', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.0.0', summary: 'A container for server configuration commands.', complexity: 'Depends on subcommand.',
  subcommands: [get, set, resetstat, rewrite, help],
});

export const configCommands: CommandSpec[] = [config];
