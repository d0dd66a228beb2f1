/**
 * client-output-buffer-limit for the pubsub and normal classes: a client
 * whose unsent output reaches the hard limit, or stays over the soft limit
 * for longer than its seconds, is disconnected (Redis's
 * checkClientOutputBufferLimits). Pubsub limits are checked when messages
 * are delivered, normal ones when replies are flushed; output counts what
 * the socket still holds plus the reply buffer.
 */
import type { Session } from '../server/session.ts';

export class ObufLimit {
  private readonly cls: 'normal' | 'pubsub';
  hard = 0;
  soft = 0;
  softMs = 0;
  /** When each client went over the soft limit. */
  private readonly overSince = new WeakMap<Session, number>();

  constructor(cls: 'normal' | 'pubsub' = 'pubsub') {
    this.cls = cls;
  }

  /** Whether a limit is set at all. */
  get active(): boolean {
    return this.hard !== 0 || this.soft !== 0;
  }

  /** Reads this class's entry of a canonical "normal h s t slave h s t pubsub h s t" value. */
  parse(value: string): void {
    const parts = value.split(' ');
    this.hard = this.soft = this.softMs = 0;
    for (let i = 0; i + 3 < parts.length; i += 4) {
      if (parts[i] !== this.cls) continue;
      this.hard = Number(parts[i + 1]) || 0;
      this.soft = Number(parts[i + 2]) || 0;
      this.softMs = (Number(parts[i + 3]) || 0) * 1000;
    }
  }

  /** Whether c is over its limits now (clients in the pubsub context are that class, replicas neither). */
  exceeded(c: Session): boolean {
    if (this.hard === 0 && this.soft === 0) return false;
    const pubsub = c.subscriptions + c.patternSubscriptions + c.shardSubscriptions !== 0;
    if (pubsub !== (this.cls === 'pubsub') || c.ext.replica === true) return false;
    const used = (c.socket?.writableLength ?? 0) + c.reply.len;
    if (this.hard !== 0 && used >= this.hard) return true;
    if (this.soft === 0 || used < this.soft) {
      this.overSince.delete(c);
      return false;
    }
    const now = Date.now();
    const since = this.overSince.get(c);
    if (since === undefined) {
      this.overSince.set(c, now);
      return false;
    }
    return now - since > this.softMs;
  }
}
