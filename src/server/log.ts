/**
 * The server log, as Redis's serverLogRaw (server.c): a line
 * `pid:role dd Mon yyyy HH:MM:SS.mmm <mark> msg` in local time, on standard
 * output or appended to `logfile` (opened per line, as Redis does, so that a
 * rotated file is picked up with nothing to signal), copied to syslog when
 * `syslog-enabled` is on. `log-format json` (shardis's own) writes one JSON
 * object a line instead, through pino.
 */
import { appendFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createRequire } from 'node:module';
import type { Logger as PinoLogger } from 'pino';
import type { LogLevel } from './host.ts';
import { Syslog } from './syslog.ts';

/** Redis's verbosity order; `nothing` silences every level. */
export const LOG_LEVELS: Record<string, number> = { debug: 0, verbose: 1, notice: 2, warning: 3, nothing: 4 };
/** Redis's marks: ".-*#" by level. */
const MARKS: Record<LogLevel, string> = { debug: '.', verbose: '-', notice: '*', warning: '#' };
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The role character of a log line: M a primary, S a replica (Redis also has C for a fork child, X for Sentinel). */
export type LogRole = 'M' | 'S';

/** Where and how the lines go, read from the config by the caller. */
export interface LogSettings {
  /** debug | verbose | notice | warning | nothing */
  level: string;
  /** '' = standard output */
  file: string;
  format: 'redis' | 'json';
  syslog: { enabled: boolean; ident: string; facility: string; server: string };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** `dd Mon yyyy HH:MM:SS.mmm` in local time, as Redis's strftime("%d %b %Y %H:%M:%S.") plus milliseconds. */
export function redisLogTime(d: Date): string {
  const ms = d.getMilliseconds();
  return `${pad2(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`;
}

/** One line in Redis's format, newline included. */
export function redisLogLine(level: LogLevel, msg: string, role: LogRole, d = new Date(), pid = process.pid): string {
  return `${pid}:${role} ${redisLogTime(d)} ${MARKS[level]} ${msg}\n`;
}

/**
 * pino's levels for Redis's: debug → debug (20), verbose → a level of its own
 * between debug and info (25), notice → info (30), warning → warn (40).
 */
const PINO_LEVEL: Record<LogLevel, string> = { debug: 'debug', verbose: 'verbose', notice: 'info', warning: 'warn' };

/** Standard output with no logfile, else appended to the file (opened and closed per line, as Redis). */
function emit(file: string, line: string): void {
  if (file === '') {
    process.stdout.write(line);
    return;
  }
  try {
    appendFileSync(file, line);
  } catch {
    // Redis drops the line when the file can't be opened; standard output keeps it visible
    process.stdout.write(line);
  }
}

export class ServerLog {
  private json: PinoLogger<'verbose'> | null = null;
  /** The logfile of the line pino is formatting. */
  private sinkFile = '';
  private syslog: Syslog | null = null;

  write(level: LogLevel, msg: string, role: LogRole, s: LogSettings): void {
    if (LOG_LEVELS[level]! < LOG_LEVELS[s.level]!) return;
    if (s.format === 'json') {
      this.sinkFile = s.file;
      this.jsonLogger()[PINO_LEVEL[level] as 'info']({ role }, msg);
    } else emit(s.file, redisLogLine(level, msg, role));
    if (s.syslog.enabled) {
      this.syslog ??= new Syslog(s.syslog.ident, s.syslog.facility, s.syslog.server);
      this.syslog.send(level, msg);
    }
  }

  /** Ends the syslog helper (its `logger` process exits when its input closes). */
  close(): void {
    this.syslog?.close();
    this.syslog = null;
  }

  private jsonLogger(): PinoLogger<'verbose'> {
    if (this.json !== null) return this.json;
    // pino formats, the line goes where a Redis-format line goes (written at once, the file opened per line)
    // loaded on first use: pino costs a server that logs Redis's lines ~30 ms of start-up
    const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
    const logger = pino<'verbose'>({
      level: 'debug',
      customLevels: { verbose: 25 },
      base: { pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    }, { write: (line: string) => emit(this.sinkFile, line) });
    this.json = logger;
    return logger;
  }
}
