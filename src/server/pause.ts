/**
 * CLIENT PAUSE: while a pause is on, commands it covers wait (the client
 * counts as blocked) until the pause ends or CLIENT UNPAUSE, then run as if
 * just received, as Redis's BLOCKED_POSTPONE clients do. A FAILOVER pauses
 * writes too, as a purpose of its own (Redis's PAUSE_DURING_FAILOVER):
 * CLIENT UNPAUSE leaves it on; the effective pause is the stricter one.
 */
import type { Session } from './session.ts';
import type { CommandInfo, CommandOf } from '../commands/core/command.ts';

/** Pause kinds, least to most restrictive (Redis's pause_type). */
export const PauseType = { OFF: 0, WRITE: 1, ALL: 2 } as const;
export type PauseType = (typeof PauseType)[keyof typeof PauseType];

export class ClientPause {
  /** Current pause kind (the stricter of CLIENT PAUSE's and the failover's); checked on every command, so kept a plain field. */
  type: PauseType = PauseType.OFF;
  /** When CLIENT PAUSE's pause ends (ms since the epoch). */
  end = 0;
  /** CLIENT PAUSE's own kind. */
  private clientType: PauseType = PauseType.OFF;
  /** Writes paused by a FAILOVER until it ends (no end time). */
  private failoverHold = false;
  private timer: NodeJS.Timeout | null = null;
  /** Postponed clients' wake-ups, in the order they were paused. */
  private waiting: Array<() => void> = [];
  /** Told whether a pause is on after every change (expiry is held while it is). */
  onChange: ((paused: boolean) => void) | null = null;

  /** Starts or extends a pause: the more restrictive type and the later end win. */
  pause(end: number, type: PauseType): void {
    const old = this.type;
    if (this.clientType === PauseType.OFF) {
      this.clientType = type;
      this.end = end;
    } else {
      if (type > this.clientType) this.clientType = type;
      if (end > this.end) this.end = end;
    }
    this.refresh(old);
  }

  /** CLIENT UNPAUSE (a failover's pause stays). */
  unpause(): void {
    const old = this.type;
    this.clientType = PauseType.OFF;
    this.end = 0;
    this.refresh(old);
  }

  /** A FAILOVER pauses writes while it waits for its replica, until it ends (on) or is done (off). */
  holdWrites(on: boolean): void {
    const old = this.type;
    this.failoverHold = on;
    this.refresh(old);
  }

  /** Ends an expired pause and wakes the postponed clients (they re-run and may pause again). */
  private refresh(old: PauseType = this.type): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.clientType !== PauseType.OFF && this.end < Date.now()) {
      this.clientType = PauseType.OFF;
      this.end = 0;
    }
    this.type = this.failoverHold && this.clientType < PauseType.WRITE ? PauseType.WRITE : this.clientType;
    if (this.onChange !== null) this.onChange(this.type !== PauseType.OFF);
    // a less restrictive pause than before: everyone postponed re-checks
    if (this.type < old) this.wakeAll();
    if (this.clientType === PauseType.OFF) return;
    this.timer = setTimeout(() => this.refresh(), Math.min(this.end - Date.now() + 1, 0x7fffffff));
    this.timer.unref();
  }

  private wakeAll(): void {
    const w = this.waiting;
    if (w.length === 0) return;
    this.waiting = [];
    for (const wake of w) wake();
  }

  /** Whether `cmd` from `c` must wait now (replicas are never paused). */
  covers<C extends Session>(c: C, cmd: CommandOf<C>, args: readonly string[]): boolean {
    if (this.clientType !== PauseType.OFF && this.end < Date.now()) {
      this.refresh(this.type);
      if (this.type === PauseType.OFF) return false;
    }
    if (c.ext.replica) return false;
    if (this.type === PauseType.ALL) return true;
    const dyn = cmd.spec.mayWrite;
    if (dyn !== undefined ? dyn(c, args) : mayReplicate(cmd)) return true;
    // EXEC of a transaction that holds writes
    if ((cmd.parent ?? cmd).spec.name === 'exec') {
      const tx = c.ext.multi as { queue: Array<[CommandOf<C>, string[]]> } | undefined;
      if (tx) for (const [queued, qargs] of tx.queue) if (queued.spec.mayWrite !== undefined ? queued.spec.mayWrite(c, qargs) : mayReplicate(queued)) return true;
    }
    return false;
  }

  /** Resolves when the pause covering `c` ends (or CLIENT UNBLOCK wakes it). */
  wait(c: Session): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false;
      const wake = (): void => {
        if (done) return;
        done = true;
        c.blocked = false;
        c.unblock = null;
        resolve();
      };
      c.blocked = true;
      // CLIENT UNBLOCK re-runs a postponed command (which may pause again)
      c.unblock = () => {
        this.waiting = this.waiting.filter((w) => w !== wake);
        wake();
        return true;
      };
      this.waiting.push(wake);
    });
  }

  /** Number of postponed clients. */
  get postponed(): number {
    return this.waiting.length;
  }
}

function mayReplicate(cmd: CommandInfo): boolean {
  return cmd.isWrite || cmd.spec.flags.includes('may_replicate');
}
