/**
 * The session of a front end that is not RESP (HTTP, WebSocket, the line
 * protocol): a socketless Client whose commands run through the same
 * dispatch as a RESP connection's (ACL, commandstats, SLOWLOG, MONITOR,
 * notifications, tracking, AOF and replication see no difference). Each
 * reply comes back as RESP bytes once it may leave, as a RESP connection's
 * would: after what must precede it (tracking invalidations; with
 * appendfsync always, the AOF write). One command runs at a time: the
 * front end waits for a reply before it runs the next.
 */
import type { ServerState } from './server-state.ts';
import { Client, replyHold } from './client.ts';
import { execute } from './dispatch.ts';
import type { User } from '../security/acl-user.ts';

const NO_REPLY = Buffer.alloc(0);

export class CommandSession extends Client {
  private delivered: ((bytes: Buffer) => void) | null = null;
  private waiting: ((bytes: Buffer) => void) | null = null;
  private readonly peer: string;

  /** Runs as `user` (authenticated unless told otherwise: the line protocol's AUTH) for the peer at `addr`. */
  constructor(state: ServerState<Client>, user: User, addr: string, authenticated = true) {
    super(state, null);
    this.user = user;
    this.authenticated = authenticated;
    this.peer = addr;
    this.ext.monitorAddr = addr;
  }

  /** The peer's address, as a connection's (CLIENT LIST, CLIENT KILL ADDR, SLOWLOG, MONITOR on other threads). */
  override get addr(): string {
    return this.peer;
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
   * Runs one command; `done` gets its reply bytes (empty under CLIENT REPLY
   * OFF) once they may leave: before runCommand returns when nothing waits, which
   * lets the line protocol answer a pipeline without a turn of the event
   * loop per line. Never called once the session is closed.
   */
  runCommand(args: string[], done: (bytes: Buffer) => void): void {
    this.reply.len = 0;
    this.reply.pushEnd = 0;
    const r = execute(this, args);
    if (r === undefined) this.deliver(done);
    else {
      // a failure was written as an error reply where it could be, as a RESP connection's (Client.track)
      const fin = (): void => this.deliver(done);
      void r.then(fin, fin);
    }
  }

  private deliver(done: (bytes: Buffer) => void): void {
    if (this.closed) return;
    if (this.reply.len === 0) {
      done(NO_REPLY);
      return;
    }
    this.delivered = done;
    this.flush();
  }

  /** Runs one command: its reply bytes, once they may leave; none when the session closes first (CLIENT KILL, shutdown). */
  replyOf(args: string[]): Promise<Buffer> {
    return new Promise<Buffer>((resolve) => {
      this.waiting = resolve;
      this.runCommand(args, (b) => {
        this.waiting = null;
        resolve(b);
      });
    });
  }

  /** A replyOf caller still waiting when the session closes (its reply held, or a blocked command) gets no reply instead of waiting for good. */
  override close(): void {
    if (this.closed) return;
    super.close();
    const w = this.waiting;
    this.waiting = null;
    w?.(NO_REPLY);
  }
}
