/** SLOWLOG and LATENCY: the server's slow-command log, latency spikes and per-command histograms. */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { parseInteger } from '../core/parse.ts';
import { replyHelp } from '../connection/client-cmd.ts';
import type { Client } from '../../server/client.ts';
import type { Command } from '../core/registry.ts';
import { getConfigNumber } from '../../config/config.ts';
import { latencyGraph, latencyReport } from '../../server/latency-report.ts';

type Flags = CommandSpec['flags'];
const ADMIN: Flags = ['admin', 'noscript', 'loading', 'stale'];

const sub = (_parent: string, since: string, name: string, arity: number, summary: string, complexity: string, flags: Flags, handler: CommandSpec['handler']): CommandSpec =>
  command({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'server', since, summary, complexity, handler });

const SLOWLOG_HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

/** SLOWLOG GET [count] | LEN | RESET | HELP */
const slowlog = command({
  name: 'slowlog', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.2.12', summary: 'A container for slow log commands', complexity: 'Depends on subcommand.',
  subcommands: [
    sub('slowlog', '2.2.12', 'get', -2, 'Get the slow log\'s entries', 'O(N) where N is the number of entries returned', ['admin', 'loading', 'stale'], (c, args) => {
      if (args.length > 3) throw new CommandError('ERR Unknown subcommand or wrong number of arguments for \'GET\'. Try SLOWLOG HELP.');
      let count = 10;
      if (args.length === 3) {
        count = parseInteger(args[2]!);
        if (count < -1) throw new CommandError('ERR count should be greater than or equal to -1');
      }
      const all = c.server.slowlog.entries;
      const n = count === -1 ? all.length : Math.min(count, all.length);
      const r = c.reply;
      r.array(n);
      for (let i = 0; i < n; i++) {
        const e = all[i]!;
        r.array(6);
        r.int(e.id);
        r.int(e.time);
        r.int(e.usec);
        r.array(e.args.length);
        for (const a of e.args) r.bulk(a);
        r.bulk(e.addr);
        r.bulk(e.name);
      }
    }),
    sub('slowlog', '2.2.12', 'len', 2, 'Get the slow log\'s length', 'O(1)', ['admin', 'loading', 'stale'], (c) => c.reply.int(c.server.slowlog.entries.length)),
    sub('slowlog', '2.2.12', 'reset', 2, 'Clear all entries from the slow log', 'O(N) where N is the number of entries in the slowlog', ['admin', 'loading', 'stale'], (c) => {
      c.server.slowlog.reset();
      c.reply.ok();
    }),
    sub('slowlog', '6.2.0', 'help', 2, 'Show helpful text about the different subcommands', 'O(1)', ['loading', 'stale'], (c) => replyHelp(c, 'slowlog', SLOWLOG_HELP)),
  ],
});

const LATENCY_HELP = [
  'DOCTOR',
  '    Return a human readable latency analysis report.',
  'GRAPH <event>',
  '    Return an ASCII latency graph for the <event> class.',
  'HISTORY <event>',
  '    Return time-latency samples for the <event> class.',
  'LATEST',
  '    Return the latest latency samples for all events.',
  'RESET [<event> ...]',
  '    Reset latency data of one or more <event> classes.',
  '    (default: reset all data for all event classes)',
  'HISTOGRAM [COMMAND ...]',
  '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
  '    If no commands are specified then all histograms are replied.',
];

/** One command's entry of LATENCY HISTOGRAM: name → {calls, histogram_usec}. */
function replyCdf(c: Client, cmd: Command): void {
  const cdf = c.server.latency.cdf(cmd);
  const r = c.reply;
  r.bulk(cmd.fullName);
  r.map(2);
  r.bulk('calls');
  r.int(cmd.calls);
  r.bulk('histogram_usec');
  r.map(cdf.length);
  for (const [us, n] of cdf) {
    r.int(us);
    r.int(n);
  }
}

function histogram(c: Client, args: string[]): void {
  const lat = c.server.latency;
  const chosen: Command[] = [];
  const add = (cmd: Command): void => {
    if (lat.cdf(cmd).length !== 0) chosen.push(cmd);
  };
  if (args.length === 2) {
    for (const cmd of c.server.registry.all()) add(cmd);
  } else {
    for (let j = 2; j < args.length; j++) {
      const cmd = lookupFull(c, args[j]!);
      if (cmd === undefined) continue;
      add(cmd);
      if (cmd.subcommands !== null) for (const s of cmd.subcommands.values()) add(s);
    }
  }
  c.reply.map(chosen.length);
  for (const cmd of chosen) replyCdf(c, cmd);
}

/** "get" or "client|id" → the command. */
function lookupFull(c: Client, name: string): Command | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return c.server.registry.lookup(name);
  return c.server.registry.lookup(name.slice(0, bar))?.subcommands?.get(name.slice(bar + 1).toLowerCase());
}

/** LATENCY DOCTOR | GRAPH | HISTORY | LATEST | RESET | HISTOGRAM | HELP */
const latency = command({
  name: 'latency', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '2.8.13', summary: 'A container for latency diagnostics commands', complexity: 'Depends on subcommand.',
  subcommands: [
    sub('latency', '2.8.13', 'doctor', 2, 'Return a human readable latency analysis report.', 'O(1)', ADMIN, (c) => {
      const s = c.server;
      c.reply.verbatim(latencyReport(s.latency.events, {
        slowlogUs: getConfigNumber(s.config, 'slowlog-log-slower-than', 10000),
        thresholdMs: getConfigNumber(s.config, 'latency-monitor-threshold', 0),
        hz: s.config.hz,
      }));
    }),
    sub('latency', '2.8.13', 'graph', 3, 'Return a latency graph for the event.', 'O(1)', ADMIN, (c, args) => {
      const e = c.server.latency.events.get(args[2]!);
      if (e === undefined) throw new CommandError(`ERR No samples available for event '${args[2]}'`);
      c.reply.verbatim(latencyGraph(args[2]!, e));
    }),
    sub('latency', '2.8.13', 'history', 3, 'Return timestamp-latency samples for the event.', 'O(1)', ADMIN, (c, args) => {
      const samples = c.server.latency.events.get(args[2]!)?.samples ?? [];
      c.reply.array(samples.length);
      for (const s of samples) {
        c.reply.array(2);
        c.reply.int(s.time);
        c.reply.int(s.latency);
      }
    }),
    sub('latency', '2.8.13', 'latest', 2, 'Return the latest latency samples for all events.', 'O(1)', ADMIN, (c) => {
      const events = c.server.latency.events;
      c.reply.array(events.size);
      for (const [name, e] of events) {
        const last = e.samples[e.samples.length - 1]!;
        c.reply.array(4);
        c.reply.bulk(name);
        c.reply.int(last.time);
        c.reply.int(last.latency);
        c.reply.int(e.max);
      }
    }),
    sub('latency', '2.8.13', 'reset', -2, 'Reset latency data for one or more events.', 'O(1)', ADMIN, (c, args) => c.reply.int(c.server.latency.reset(args.slice(2)))),
    sub('latency', '7.0.0', 'histogram', -2, 'Return the cumulative distribution of latencies of a subset of commands or all.', 'O(N) where N is the number of commands with latency information being retrieved.', ADMIN, histogram),
    sub('latency', '2.8.13', 'help', 2, 'Show helpful text about the different subcommands.', 'O(1)', ['loading', 'stale'], (c) => replyHelp(c, 'latency', LATENCY_HELP)),
  ],
});

export const latencyCommands: CommandSpec[] = [slowlog, latency];
