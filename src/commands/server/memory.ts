/** MEMORY USAGE / STATS / DOCTOR / PURGE / MALLOC-STATS / HELP. */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isOpt, parseInteger } from '../core/parse.ts';
import { EMPTY_SERVER_BYTES } from '../../server/memory-limit.ts';
import { countKeys } from '../../engine/server-wide.ts';

const sub = (name: string, arity: number, handler: CommandSpec['handler'], flags: CommandSpec['flags'] = []): CommandSpec =>
  command({ name, arity, flags, firstKey: name === 'usage' ? 2 : 0, lastKey: name === 'usage' ? 2 : 0, step: name === 'usage' ? 1 : 0, group: 'server', handler });

const HELP = [
  'MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:',
  'DOCTOR', '    Return memory problems reports.',
  'MALLOC-STATS', '    Return internal statistics report from the memory allocator.',
  'PURGE', '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS', '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]', '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
  'HELP', '    Print this help.',
];

/** MEMORY <subcommand> */
const memory = command({
  name: 'memory', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  subcommands: [
    sub('usage', -3, (c, args) => {
      for (let j = 3; j < args.length; j++) {
        if (isOpt(args[j]!, 'SAMPLES') && j < args.length - 1) {
          if (parseInteger(args[++j]!) < 0) throw new CommandError(Err.SYNTAX);
        } else throw new CommandError(Err.SYNTAX);
      }
      const ks = c.ks(args[2]!);
      if (ks.get(args[2]!) === undefined) return c.reply.nullBulk();
      // the dataset accounting's own figures, exact for every encoding: SAMPLES changes nothing
      c.reply.int(ks.usage(args[2]!));
    }, ['readonly']),
    sub('stats', 2, (c) => {
      const m = process.memoryUsage();
      const engine = c.server.engine;
      let keys = 0;
      // with threads, every thread's keys
      for (let db = 0; db < engine.databases; db++) keys += countKeys(engine, db);
      const fields: Array<[string, number]> = [
        ['peak.allocated', c.server.memory.peak], ['total.allocated', c.server.memory.used()],
        ['startup.allocated', EMPTY_SERVER_BYTES], ['keys.count', keys], ['dataset.bytes', c.server.memory.everyThread().dataset], ['rss-bytes', m.rss],
      ];
      c.reply.map(fields.length);
      for (const [k, v] of fields) {
        c.reply.bulk(k);
        c.reply.int(v);
      }
    }),
    sub('doctor', 2, (c) => c.reply.verbatim('Hi Sam, I can\'t find any memory issue in your instance. I can only account for what occurs on this base.')),
    // the heap compactor's memory-reducing collection, now (jemalloc's purge of dirty pages in Redis)
    sub('purge', 2, (c) => {
      c.server.heapCompactor.compact();
      c.reply.ok();
    }),
    sub('malloc-stats', 2, (c) => c.reply.verbatim('Stats not supported for the current allocator')),
    sub('help', 2, (c) => {
      c.reply.array(HELP.length);
      for (const l of HELP) c.reply.simple(l);
    }, ['loading', 'stale']),
  ],
});

export const memoryCommands: CommandSpec[] = [memory];
