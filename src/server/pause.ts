/**
 * CLIENT PAUSE: while a pause is on, commands it covers wait (the client
 * counts as blocked) until the pause ends or CLIENT UNPAUSE, then run as if
 * just received, as Redis's BLOCKED_POSTPONE clients do.
 */
import type { Session } from './session.ts';
import type { CommandInfo, CommandOf } from '../commands/core/command.ts';

/** Pause kinds, least to most restrictive (Redis's pause_type). */
export const PauseType = { OFF: 0, WRITE: 1, ALL: 2 } as const;
export type PauseType = (typeof PauseType)[keyof typeof PauseType];

export class ClientPause {
  /** Current pause kind; checked on every command, so kept a plain field. */
  type: PauseType = PauseType.OFF;
  /** When the pause ends (ms since the epoch). */
  end = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Postponed clients' wake-ups, in the order they were paused. */
  private waiting: Array<() => void> = [];
  /** Told whether a pause is on after every change (expiry is held while it is). */
  onChange: ((paused: boolean) => void) | null = null;

  /** Starts or extends a pause: the more restrictive type and the later end win. */
  pause(end: number, type: PauseType): void {
    const old = this.type;
    if (this.type === PauseType.OFF) {
      this.type = type;
      this.end = end;
    } else {
      if (type > this.type) this.type = type;
      if (end > this.end) this.end = end;
    }
    this.refresh(old);
  }

  unpause(): void {
    const old = this.type;
    this.type = PauseType.OFF;
    this.end = 0;
    this.refresh(old);
  }

  /** Ends an expired pause and wakes the postponed clients (they re-run and may pause again). */
  private refresh(old: PauseType = this.type): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.type !== PauseType.OFF && this.end < Date.now()) {
      this.type = PauseType.OFF;
      this.end = 0;
    }
    if (this.onChange !== null) this.onChange(this.type !== PauseType.OFF);
    // a less restrictive pause than before: everyone postponed re-checks
    if (this.type < old) this.wakeAll();
    if (this.type === PauseType.OFF) return;
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
    if (this.end < Date.now()) {
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
