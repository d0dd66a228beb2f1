/**
 * A session that only listens (SUBSCRIBE, PSUBSCRIBE, MONITOR) for a front
 * end that streams what it gets as messages of its own (HTTP server-sent
 * events, gRPC Subscribe). It is a client of the server while it lasts
 * (CLIENT LIST, CLIENT KILL, PUBSUB NUMSUB); each flush hands the replies
 * and pushes written to it to the stream, and a reader that falls too far
 * behind is disconnected, as Redis's pubsub output-buffer limit would.
 */
import type { ServerState } from './server-state.ts';
import { Client } from './client.ts';
import { execute } from './dispatch.ts';
import type { User } from '../security/acl-user.ts';

/** A stream whose reader falls this far behind is closed (Redis's pubsub hard limit). */
export const PUSH_BACKLOG_LIMIT = 32 * 1024 * 1024;

export abstract class PushSession extends Client {
  /** Set when the session closed because its reader fell PUSH_BACKLOG_LIMIT behind. */
  overLimit = false;

  /** Runs as `user`; MONITOR shows `addr`. */
  constructor(state: ServerState<Client>, user: User, addr: string) {
    super(state, null);
    this.user = user;
    this.authenticated = true;
    this.ext.monitorAddr = addr;
  }

  /** Bytes handed to the stream that its reader has not taken yet. */
  protected abstract backlog(): number;

  /** Streams the replies in buf[0, end): how many bytes that sent. */
  protected abstract send(buf: Buffer, end: number): number;

  /** Ends the stream: the session closed (its reader left, CLIENT KILL, the backlog limit, shutdown). */
  protected abstract end(): void;

  override flush(): void {
    if (this.closed || this.reply.len === 0) return;
    if (this.backlog() > PUSH_BACKLOG_LIMIT) {
      this.server.log('warning', `Client id=${this.id} name=${this.name} scheduled to be closed ASAP for overcoming of output buffer limits.`);
      this.overLimit = true;
      this.server.stats.obufLimitDisconnections++;
      this.close();
      return;
    }
    const n = this.send(this.reply.buf, this.reply.len);
    this.reply.len = 0;
    this.reply.pushEnd = 0;
    this.server.stats.netOutputBytes += n;
  }

  override close(): void {
    if (this.closed) return;
    super.close();
    this.end();
  }

  /** Joins the server's clients (until it closes). */
  register(): void {
    this.server.clients.set(this.id, this);
  }

  /** Runs `args` (SUBSCRIBE …, MONITOR) and streams its replies. */
  async listen(args: string[]): Promise<void> {
    const r = execute(this, args);
    if (r !== undefined) await r;
    this.flush();
  }
}
