/** SLOWLOG and LATENCY: the server's slow-command log, latency spikes and per-command histograms. */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError } from '../core/errors.ts';
import { parseInteger } from '../core/parse.ts';
import { replyHelp } from '../core/help.ts';
import type { Client } from '../../server/client.ts';
import type { Command } from '../core/spec.ts';
import { getConfigNumber } from '../../config/config.ts';
import { latencyGraph, latencyReport } from '../../server/latency-report.ts';
import { mergeCdfs, mergeEvents, type LatencyEvent } from '../../server/latency.ts';
import { mergedEntries, type SlowLogEntry } from '../../server/slowlog.ts';
import type { ServerState } from '../../server/server-state.ts';

type Flags = CommandSpec['flags'];
const ADMIN: Flags = ['admin', 'noscript', 'loading', 'stale'];

const sub = (_parent: string, name: string, arity: number, flags: Flags, handler: CommandSpec['handler']): CommandSpec =>
  command({ name, arity, flags, firstKey: 0, lastKey: 0, step: 0, group: 'server', handler });

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
/** SLOWLOG's entries (with threads: every thread's, threads/server-ops.ts). */
function slowEntries(s: ServerState<Client>): readonly SlowLogEntry[] {
  const others = s.others === null ? [] : (s.others({ op: 'slowlog' }) as SlowLogEntry[][]);
  return mergedEntries(s.slowlog.entries, others, s.slowlogMaxLen);
}

const slowlog = command({
  name: 'slowlog', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  subcommands: [
    sub('slowlog', 'get', -2, ['admin', 'loading', 'stale'], (c, args) => {
      if (args.length > 3) throw new CommandError('ERR Unknown subcommand or wrong number of arguments for \'GET\'. Try SLOWLOG HELP.');
      let count = 10;
      if (args.length === 3) {
        count = parseInteger(args[2]!);
        if (count < -1) throw new CommandError('ERR count should be greater than or equal to -1');
      }
      const all = slowEntries(c.server);
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
    sub('slowlog', 'len', 2, ['admin', 'loading', 'stale'], (c) => c.reply.int(slowEntries(c.server).length)),
    sub('slowlog', 'reset', 2, ['admin', 'loading', 'stale'], (c) => {
      c.server.slowlog.reset();
      c.reply.ok();
    }),
    sub('slowlog', 'help', 2, ['loading', 'stale'], (c) => replyHelp(c, 'slowlog', SLOWLOG_HELP)),
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

/** LATENCY HISTOGRAM's entries: [command name, calls, cdf] of the commands in `args` (all when none) that have calls. */
export function histogramEntries(s: ServerState<Client>, args: readonly string[]): Array<[string, number, Array<[number, number]>]> {
  const lat = s.latency;
  const out: Array<[string, number, Array<[number, number]>]> = [];
  const add = (cmd: Command): void => {
    const cdf = lat.cdf(cmd);
    if (cdf.length !== 0) out.push([cmd.fullName, cmd.calls, cdf]);
  };
  if (args.length === 2) {
    for (const cmd of s.registry.all()) add(cmd);
  } else {
    for (let j = 2; j < args.length; j++) {
      const cmd = lookupFull(s, args[j]!);
      if (cmd === undefined) continue;
      add(cmd);
      if (cmd.subcommands !== null) for (const sub of cmd.subcommands.values()) add(sub);
    }
  }
  return out;
}

function histogram(c: Client, args: string[]): void {
  let entries = histogramEntries(c.server, args);
  if (c.server.others !== null) {
    // every thread's calls, added up per command
    const all = [entries, ...(c.server.others({ op: 'latency-histogram', args }) as Array<typeof entries>)];
    const byName = new Map<string, { calls: number; cdfs: Array<Array<[number, number]>> }>();
    for (const list of all) {
      for (const [name, calls, cdf] of list) {
        const m = byName.get(name) ?? { calls: 0, cdfs: [] };
        m.calls += calls;
        m.cdfs.push(cdf);
        byName.set(name, m);
      }
    }
    entries = [...byName].map(([name, m]) => [name, m.calls, mergeCdfs(m.cdfs)]);
  }
  const r = c.reply;
  r.map(entries.length);
  for (const [name, calls, cdf] of entries) {
    r.bulk(name);
    r.map(2);
    r.bulk('calls');
    r.int(calls);
    r.bulk('histogram_usec');
    r.map(cdf.length);
    for (const [us, n] of cdf) {
      r.int(us);
      r.int(n);
    }
  }
}

/** The latency events (with threads: every thread's, merged). */
function latencyEvents(s: ServerState<Client>): ReadonlyMap<string, LatencyEvent> {
  if (s.others === null) return s.latency.events;
  const others = s.others({ op: 'latency-events' }) as Array<Array<[string, LatencyEvent]>>;
  return mergeEvents([[...s.latency.events], ...others]);
}

/** "get" or "client|id" → the command. */
function lookupFull(s: ServerState<Client>, name: string): Command | undefined {
  const bar = name.indexOf('|');
  if (bar < 0) return s.registry.lookup(name);
  return s.registry.lookup(name.slice(0, bar))?.subcommands?.get(name.slice(bar + 1).toLowerCase());
}

/** LATENCY DOCTOR | GRAPH | HISTORY | LATEST | RESET | HISTOGRAM | HELP */
const latency = command({
  name: 'latency', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  subcommands: [
    sub('latency', 'doctor', 2, ADMIN, (c) => {
      const s = c.server;
      c.reply.verbatim(latencyReport(latencyEvents(s), {
        slowlogUs: getConfigNumber(s.config, 'slowlog-log-slower-than', 10000),
        thresholdMs: getConfigNumber(s.config, 'latency-monitor-threshold', 0),
        hz: s.config.hz,
      }));
    }),
    sub('latency', 'graph', 3, ADMIN, (c, args) => {
      const e = latencyEvents(c.server).get(args[2]!);
      if (e === undefined) throw new CommandError(`ERR No samples available for event '${args[2]}'`);
      c.reply.verbatim(latencyGraph(args[2]!, e));
    }),
    sub('latency', 'history', 3, ADMIN, (c, args) => {
      const samples = latencyEvents(c.server).get(args[2]!)?.samples ?? [];
      c.reply.array(samples.length);
      for (const s of samples) {
        c.reply.array(2);
        c.reply.int(s.time);
        c.reply.int(s.latency);
      }
    }),
    sub('latency', 'latest', 2, ADMIN, (c) => {
      const events = latencyEvents(c.server);
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
    sub('latency', 'reset', -2, ADMIN, (c, args) => c.reply.int(c.server.latency.reset(args.slice(2)))),
    sub('latency', 'histogram', -2, ADMIN, histogram),
    sub('latency', 'help', 2, ['loading', 'stale'], (c) => replyHelp(c, 'latency', LATENCY_HELP)),
  ],
});

export const latencyCommands: CommandSpec[] = [slowlog, latency];
