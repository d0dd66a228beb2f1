/**
 * MONITOR: every command run (except admin and skip_monitor ones) is sent
 * to the monitoring clients as Redis's replicationFeedMonitors formats it:
 *   +1700000000.123456 [0 127.0.0.1:5555] "set" "k" "v"
 */
import type { Client } from './client.ts';
import type { CommandInfo } from '../commands/core/command.ts';

/** Quotes a latin1 argument as Redis's sdscatrepr. */
export function reprArg(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    switch (ch) {
      case 0x5c: out += '\\\\'; break;
      case 0x22: out += '\\"'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x07: out += '\\a'; break;
      case 0x08: out += '\\b'; break;
      default:
        out += ch >= 0x20 && ch <= 0x7e ? s[i] : '\\x' + ch.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}

/** Arguments shown as "(redacted)" (passwords of AUTH and HELLO … AUTH). */
function redacted(cmd: CommandInfo, args: readonly string[]): Set<number> | null {
  const name = (cmd.parent ?? cmd).spec.name;
  if (name === 'auth') {
    const s = new Set<number>();
    for (let i = 1; i < args.length; i++) s.add(i);
    return s;
  }
  if (name === 'hello') {
    const s = new Set<number>();
    for (let i = 2; i < args.length; i++) {
      if (args[i]!.toUpperCase() === 'AUTH' && i + 2 < args.length) {
        s.add(i + 1);
        s.add(i + 2);
        i += 2;
      }
    }
    return s.size > 0 ? s : null;
  }
  return null;
}

const pendingFlush = new Set<Client>();

function scheduleFlush(m: Client): void {
  if (pendingFlush.size === 0) {
    process.nextTick(() => {
      for (const x of pendingFlush) x.flush();
      pendingFlush.clear();
    });
  }
  pendingFlush.add(m);
}

/** Sends one executed command to every monitor (called after the command ran). */
export function feedMonitors(c: Client, cmd: CommandInfo, args: readonly string[]): void {
  const monitors = c.server.monitors;
  const elsewhere = c.server.monitorsElsewhere;
  if (monitors.size === 0 && elsewhere?.active() !== true) return;
  const flags = cmd.spec.flags;
  if (flags.includes('admin') || flags.includes('skip_monitor') || c.ext.replay === true) return;
  const t = performance.timeOrigin + performance.now();
  const sec = Math.floor(t / 1000);
  const usec = Math.floor((t - sec * 1000) * 1000);
  const hide = redacted(cmd, args);
  // a job of another thread's connection shows that connection's address (threads/jobs.ts)
  const addr = (c.ext.monitorAddr as string | undefined) ?? (c.socket ? c.addr : 'lua');
  let line = `+${sec}.${String(Math.min(usec, 999999)).padStart(6, '0')} [${c.db} ${addr}]`;
  for (let i = 0; i < args.length; i++) line += ' ' + (hide?.has(i) ? '"(redacted)"' : reprArg(args[i]!));
  line += '\r\n';
  feedLine(monitors, line);
  elsewhere?.send(line);
}

/** Whether any thread has a monitor (the cheap check before feedMonitors). */
export function monitoring(server: Client['server']): boolean {
  return server.monitors.size !== 0 || server.monitorsElsewhere?.active() === true;
}

/** Writes a MONITOR line to each monitor (also the lines of other threads' commands). */
export function feedLine(monitors: ReadonlySet<Client>, line: string): void {
  for (const m of monitors) {
    if (m.closed) continue;
    m.reply.raw(line);
    scheduleFlush(m);
  }
}

/** Turns `c` into a monitor (MONITOR); false when it already is one (Redis then replies nothing). */
export function startMonitor(c: Client): boolean {
  const server = c.server;
  const monitors = server.monitors;
  if (monitors.has(c) || c.ext.replica) return false;
  if (!gated.has(server)) {
    gated.add(server);
    // monitors count as replicas: no keyspace access (installed with the first monitor)
    server.gates.push((x, cmd) => {
      if (monitors.size === 0 || !monitors.has(x)) return null;
      const f = cmd.spec.flags;
      return cmd.isWrite || f.includes('readonly') || f.includes('may_replicate') ? "ERR Replica can't interact with the keyspace" : null;
    });
  }
  monitors.add(c);
  server.monitorsElsewhere?.count(1);
  c.onClose.push(() => stopMonitor(c));
  return true;
}

const gated = new WeakSet<object>();

/** The connection stops monitoring (RESET, close). */
export function stopMonitor(c: Client): void {
  if (c.server.monitors.delete(c)) c.server.monitorsElsewhere?.count(-1);
}
