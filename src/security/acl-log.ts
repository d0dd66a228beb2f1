/**
 * ACL LOG: recent denials, newest first. A denial like one of the last ten
 * entries (same reason, context, object and user, within 60 s) bumps that
 * entry's count and moves it to the front, as Redis's addACLLogEntry. Each
 * new entry takes the next entry id (Redis 7.2's entry-id, never reused:
 * ACL LOG RESET keeps counting; with threads one count for the server).
 */
import type { Session } from '../server/session.ts';

export type LogContext = 'toplevel' | 'multi' | 'lua' | 'module';

export interface LogEntry {
  count: number;
  reason: number;
  context: LogContext;
  object: string;
  username: string;
  /** When it last happened (ms): timestamp-last-updated. */
  ctime: number;
  cinfo: string;
  entryId: number;
  /** When it first happened (ms): timestamp-created. */
  created: number;
}

const GROUPING_MS = 60000;

export const REASON_NAMES: Record<number, string> = { 1: 'command', 2: 'key', 3: 'auth', 4: 'channel' };

export class AclLog {
  entries: LogEntry[] = [];
  maxLen = 128;
  /**
   * Denials by reason since the start, logged or not (INFO's
   * acl_access_denied_*, Redis 7.2; CONFIG RESETSTAT leaves them).
   */
  readonly denied: Record<number, number> = {};
  /** A client's CLIENT LIST line (the entry's client-info). */
  private readonly describe: (c: Session) => string;

  /** The next entry id (Redis's ACLLogEntryCount); with threads a shared counter. */
  private count = 0;
  nextId: () => number = () => this.count++;

  constructor(describe: (c: Session) => string) {
    this.describe = describe;
  }

  /** `c` is the client that sent the command (for a script's call, the client running the script). */
  add(c: Session, reason: number, context: LogContext, object: string, username: string): void {
    this.denied[reason] = (this.denied[reason] ?? 0) + 1;
    if (this.maxLen === 0) {
      this.trim();
      return;
    }
    const now = Date.now();
    const e: LogEntry = { count: 1, reason, context, object, username, ctime: now, cinfo: this.describe(c), entryId: 0, created: now };
    const scan = Math.min(10, this.entries.length);
    for (let i = 0; i < scan; i++) {
      const cur = this.entries[i]!;
      if (cur.reason === e.reason && cur.context === e.context && Math.abs(cur.ctime - e.ctime) <= GROUPING_MS &&
        cur.object === e.object && cur.username === e.username) {
        cur.cinfo = e.cinfo;
        cur.ctime = e.ctime;
        cur.count++;
        this.entries.splice(i, 1);
        this.entries.unshift(cur);
        return;
      }
    }
    e.entryId = this.nextId();
    this.entries.unshift(e);
    this.trim();
  }

  trim(): void {
    if (this.entries.length > this.maxLen) this.entries.length = this.maxLen;
  }

  reset(): void {
    this.entries = [];
  }
}
