/**
 * Log lines copied to syslog (`syslog-enabled yes`), as Redis's
 * openlog(ident, LOG_PID, facility) + syslog(level, msg). Node cannot open
 * the Unix datagram socket /dev/log, so one util-linux `logger` process
 * (started on the first line, fed one line per message with its priority as
 * a `<PRI>` prefix) sends them: to /dev/log, or over UDP as RFC 3164
 * datagrams when `syslog-server host:port` (shardis's own) names a
 * collector. Without `logger` on the machine the copies are dropped, as
 * Redis drops them when nothing listens.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { LogLevel } from './host.ts';

/** syslog(3) facility codes of the names `syslog-facility` accepts. */
const FACILITY: Record<string, number> = { user: 1, local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23 };
/** Redis's syslogLevelMap: LOG_DEBUG, LOG_INFO, LOG_NOTICE, LOG_WARNING. */
const SEVERITY: Record<LogLevel, number> = { debug: 7, verbose: 6, notice: 5, warning: 4 };

/** `logger`'s arguments: the tag and PID of every line, and the UDP collector when one is named. */
export function loggerArgs(ident: string, server: string, pid = process.pid): string[] {
  const args = ['--prio-prefix', `--id=${pid}`, '-t', ident];
  if (server !== '') {
    const colon = server.endsWith(']') ? -1 : server.lastIndexOf(':');
    const host = colon < 0 ? server : server.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
    const port = colon < 0 ? '514' : server.slice(colon + 1);
    args.push('--server', host, '--port', port, '--udp', '--rfc3164');
  }
  return args;
}

/** The `<PRI>` of a message: facility × 8 + severity. */
export function syslogPriority(facility: string, level: LogLevel): number {
  return (FACILITY[facility] ?? FACILITY.local0!) * 8 + SEVERITY[level];
}

export class Syslog {
  private child: ChildProcess | null;
  private readonly facility: string;

  constructor(ident: string, facility: string, server: string) {
    this.facility = facility;
    const child = spawn('logger', loggerArgs(ident, server), { stdio: ['pipe', 'ignore', 'ignore'] });
    // no logger installed, or it went away: the copies stop, the log itself goes on
    child.on('error', () => void (this.child = null));
    child.on('exit', () => void (this.child = null));
    child.stdin!.on('error', () => void (this.child = null));
    // the helper never keeps the server's process alive; it exits when its input closes with it
    child.unref();
    this.child = child;
  }

  send(level: LogLevel, msg: string): void {
    // one message a line: a newline inside one would start a message without its priority
    this.child?.stdin!.write(`<${syslogPriority(this.facility, level)}>${msg.replace(/[\r\n]+/g, ' ')}\n`);
  }

  close(): void {
    this.child?.stdin!.end();
    this.child = null;
  }
}
