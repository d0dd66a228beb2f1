/**
 * client-output-buffer-limit for the pubsub class: a subscriber whose unsent
 * output reaches the hard limit, or stays over the soft limit for longer
 * than its seconds, is disconnected (Redis's checkClientOutputBufferLimits).
 * Checked when messages are delivered; output counts what the socket still
 * holds plus the reply buffer.
 */
import type { Client } from '../server/client.ts';

export class ObufLimit {
  hard = 0;
  soft = 0;
  softMs = 0;
  /** When each client went over the soft limit. */
  private readonly overSince = new WeakMap<Client, number>();

  /** Reads the pubsub entry of a canonical "normal h s t slave h s t pubsub h s t" value. */
  parse(value: string): void {
    const parts = value.split(' ');
    for (let i = 0; i + 3 < parts.length; i += 4) {
      if (parts[i] !== 'pubsub') continue;
      this.hard = Number(parts[i + 1]) || 0;
      this.soft = Number(parts[i + 2]) || 0;
      this.softMs = (Number(parts[i + 3]) || 0) * 1000;
    }
  }

  /** Whether c is over its limits now (only clients in the pubsub context count as that class). */
  exceeded(c: Client): boolean {
    if (this.hard === 0 && this.soft === 0) return false;
    if (c.subscriptions + c.patternSubscriptions + c.shardSubscriptions === 0) return false;
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
