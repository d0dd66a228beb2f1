/**
 * SLOWLOG: the newest commands that ran longer than slowlog-log-slower-than
 * microseconds, at most slowlog-max-len of them (Redis's slowlog.c).
 */
import type { Session } from './session.ts';
import { PARAM_DEFS, PF } from '../config/params.ts';

/** Arguments kept per entry; the last one says how many more there were. */
const MAX_ARGC = 32;
/** Bytes kept per argument. */
const MAX_STRING = 128;

export interface SlowLogEntry {
  readonly id: number;
  /** Unix time in seconds. */
  readonly time: number;
  readonly usec: number;
  readonly args: readonly string[];
  readonly addr: string;
  readonly name: string;
}

export class SlowLog {
  /** Newest first. */
  entries: SlowLogEntry[] = [];
  private nextId = 0;
  /** With threads: ids drawn from a counter every thread shares, so entries of all threads merge in order. */
  ids: (() => number) | null = null;

  add(c: Session, args: readonly string[], usec: number, maxLen: number): void {
    const argc = Math.min(args.length, MAX_ARGC);
    const kept: string[] = new Array(argc);
    for (let i = 0; i < argc; i++) {
      if (argc !== args.length && i === argc - 1) {
        kept[i] = `... (${args.length - argc + 1} more arguments)`;
        break;
      }
      const a = args[i]!;
      kept[i] = a.length > MAX_STRING ? `${a.slice(0, MAX_STRING)}... (${a.length - MAX_STRING} more bytes)` : a;
    }
    this.entries.unshift({ id: this.ids === null ? this.nextId++ : this.ids(), time: Math.floor(Date.now() / 1000), usec: Math.round(usec), args: redact(kept), addr: c.addr, name: c.name });
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  trim(maxLen: number): void {
    if (this.entries.length > maxLen) this.entries.length = maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}

/** The log of every thread (newest first, at most maxLen): this thread's entries and `others`'. */
export function mergedEntries(mine: readonly SlowLogEntry[], others: readonly SlowLogEntry[][], maxLen: number): readonly SlowLogEntry[] {
  if (others.length === 0) return mine;
  const all = mine.concat(...others).sort((a, b) => b.id - a.id);
  if (all.length > maxLen) all.length = maxLen;
  return all;
}

/** The parameters flagged sensitive (Redis's SENSITIVE_CONFIG), by name and alias. */
const SECRET_CONFIGS = new Set(PARAM_DEFS.filter((d) => d.flags & PF.SENSITIVE).flatMap((d) => (d.alias !== undefined ? [d.name, d.alias] : [d.name])));

/** Hides passwords as Redis's redactClientCommandArgument does. */
function redact(args: string[]): string[] {
  const name = args[0]!.toLowerCase();
  if (name === 'auth') for (let i = 1; i < args.length; i++) args[i] = '(redacted)';
  else if (name === 'hello') {
    for (let i = 2; i < args.length; i++) {
      if (args[i]!.toLowerCase() === 'auth' && i + 2 < args.length) {
        args[i + 1] = args[i + 2] = '(redacted)';
        i += 2;
      }
    }
  } else if (name === 'config' && args[1]?.toLowerCase() === 'set') {
    for (let i = 2; i + 1 < args.length; i += 2) if (SECRET_CONFIGS.has(args[i]!.toLowerCase())) args[i + 1] = '(redacted)';
  } else if (name === 'acl' && args[1]?.toLowerCase() === 'setuser') {
    for (let i = 2; i < args.length; i++) args[i] = '(redacted)';
  }
  return args;
}
