/**
 * A session of a front end that carries commands as messages rather than
 * RESP bytes on a socket (HTTP requests, gRPC calls): a socketless Client
 * authenticated as the request's user, whose commands run one at a time
 * through the same dispatch as a RESP connection's (ACL, commandstats,
 * SLOWLOG, MONITOR, notifications, tracking, AOF and replication see no
 * difference). Each reply is handed back as RESP bytes once it may leave,
 * as a RESP connection's would be written: after what must precede it
 * (tracking invalidations, with appendfsync always the AOF write).
 */
import type { ServerState } from './server-state.ts';
import { Client, replyHold } from './client.ts';
import { execute } from './dispatch.ts';
import type { User } from '../security/acl-user.ts';

const NOTHING = Buffer.alloc(0);

export class CommandSession extends Client {
  private delivered: ((bytes: Buffer) => void) | null = null;

  /** Runs as `user`; MONITOR shows `addr`. */
  constructor(state: ServerState<Client>, user: User, addr: string) {
    super(state, null);
    this.user = user;
    this.authenticated = true;
    this.ext.monitorAddr = addr;
  }

  /** The reply leaves once nothing must go first; it may be called again later (the AOF hold releases it). */
  override flush(): void {
    if (this.closed || this.reply.len === 0) return;
    if (this.server.beforeReply !== null) this.server.beforeReply();
    if (replyHold.fn !== null && replyHold.fn(this)) return;
    const bytes = Buffer.from(this.reply.buf.subarray(0, this.reply.len));
    this.server.stats.netOutputBytes += bytes.length;
    this.reply.len = 0;
    this.reply.pushEnd = 0;
    const d = this.delivered;
    this.delivered = null;
    d?.(bytes);
  }

  /**
   * Runs one command: its reply bytes once they may leave (none when the
   * command replies nothing, under CLIENT REPLY OFF, or the session closed
   * meanwhile). Pushes written in between come along with them.
   */
  async replyOf(args: string[]): Promise<Buffer> {
    this.reply.len = 0;
    const r = execute(this, args);
    if (r !== undefined) await r;
    if (this.closed || this.reply.len === 0) return NOTHING;
    const out = new Promise<Buffer>((resolve) => (this.delivered = resolve));
    this.flush();
    return out;
  }

  /** A reply held for the AOF when the session closes is never sent: whoever waits for it gets none. */
  override close(): void {
    if (this.closed) return;
    super.close();
    const d = this.delivered;
    this.delivered = null;
    d?.(NOTHING);
  }
}
