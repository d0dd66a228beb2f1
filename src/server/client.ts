/**
 * One connection: reads requests, runs them in order, batches the replies
 * into one socket write per read, and applies backpressure (stops reading
 * while the socket's output is backed up or a command is still running).
 * What services read and write of it is its Session (session.ts).
 */
import type { Socket } from 'node:net';
import { RespParser, ProtocolError } from '../protocol/resp-parser.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import type { ServerState } from './server-state.ts';
import type { CommandOf } from '../commands/core/command.ts';
import { Session } from './session.ts';

/**
 * Set by the AOF: true when a client's replies must wait (until the writes
 * of this tick are in the AOF, fsynced with appendfsync always); the AOF
 * calls flush() again once they are.
 */
export const replyHold: { fn: ((c: Client) => boolean) | null } = { fn: null };

/**
 * How a connection runs the requests it reads: dispatch.ts's execute and
 * chainJob, handed in by the front end (dispatch sits above Client: it runs
 * the families' handlers, which take a Client).
 */
export interface Requests {
  execute(c: Client, args: string[]): Promise<void> | undefined;
  chainJob(c: Client, args: string[], t: number): Promise<void> | null;
}

/** Requests parsed while a command is in flight (queued, or chained as jobs) before reading pauses. */
const MAX_QUEUED = 1024;

/** Pause reading once this many reply bytes wait in the socket. */
const OUTPUT_HIGH_WATER = 4 * 1024 * 1024;

export class Client extends Session {
  readonly parser: RespParser;
  /** A command still running asynchronously (blocking commands, jobs); requests wait behind it. */
  private busy: Promise<void> | null = null;
  /**
   * The thread this connection's jobs in flight go to (threads/jobs.ts), -1
   * when none: a request for the same thread follows them at once (their
   * replies come back in order) instead of waiting. `chained` counts those.
   */
  jobThread = -1;
  private chained = 0;
  private readonly queue: string[][] = [];
  private reading = true;
  /**
   * Set by MULTI (and similar modes): sees each resolved command first and
   * returns true when it handled it (e.g. queued it).
   */
  intercept: ((cmd: CommandOf<Client>, args: string[]) => boolean) | null = null;
  /** Cache of the last resolved command name (same string object from the parser). */
  lastName = '';
  lastCmd: CommandOf<Client> | null = null;

  readonly server: ServerState<Client>;
  /** Set when there is a socket to read requests from. */
  private readonly requests: Requests | null;

  /**
   * The default user, authenticated when it needs no password and is on
   * (Redis's clientSetDefaultAuth): new connections and RESET.
   */
  setDefaultAuth(): void {
    const u = this.server.acl.defaultUser;
    this.user = u;
    this.authenticated = u.nopass && u.enabled;
  }

  constructor(server: ServerState<Client>, socket: Socket | null, requests: Requests | null = null) {
    super(server.newClientId(), socket, server.acl.defaultUser);
    this.server = server;
    this.requests = requests;
    this.setDefaultAuth();
    // internal clients (AOF loading, scripts) run with every permission, as Redis's user-less clients
    if (socket === null) {
      this.user = server.acl.internalUser;
      this.authenticated = true;
    }
    this.parser = new RespParser({
      maxBulkLen: server.config.protoMaxBulkLen,
      authRequired: () => this.server.acl.authRequired(this),
    });
    if (socket) {
      socket.setNoDelay(true);
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('drain', () => this.resume());
      socket.on('error', () => this.close());
      socket.on('close', () => this.close());
    }
  }

  /** The keyspace of the selected database that owns `key`. */
  ks(key: string): Keyspace {
    return this.server.engine.keyspace(key, this.db);
  }

  private onData(chunk: Buffer): void {
    this.lastInteraction = Date.now();
    this.server.stats.netInputBytes += chunk.length;
    this.server.stats.eventLoopCycles++;
    this.parser.feed(chunk);
    // a transaction's queued commands count as query buffer too (Redis 7.4)
    const qbuf = this.parser.buffered + ((this.ext.multi as { bytes: number } | undefined)?.bytes ?? 0);
    if (qbuf > this.server.config.clientQueryBufferLimit) {
      this.server.log('warning', `Closing client that reached max query buffer length: id=${this.id} addr=${this.addr} (qbuf ${qbuf} bytes)`);
      this.server.stats.qbufLimitDisconnections++;
      this.close();
      return;
    }
    this.queryBufSize = qbuf;
    // rate limits: the bytes count as read; over a byte limit in delay mode, reading stops until it is met
    const rl = this.server.rateLimits;
    if (rl.on) {
      const wait = rl.read(this, chunk.length);
      if (wait > 0) this.holdReading(wait);
    }
    if (this.server.beforeRequests !== null) this.server.beforeRequests();
    this.drainRequests();
    this.queryBufSize = this.parser.buffered;
  }

  /** Parses and runs everything buffered, then flushes the replies in one write. */
  private drainRequests(): void {
    try {
      while (!this.closed && !this.closeAfterReply) {
        if (this.busy) {
          // keep parsing so the socket can be paused with a bounded queue
          const args = this.parser.next();
          if (args === null) break;
          if (args.length === 0) continue;
          if (this.jobThread >= 0 && this.queue.length === 0 && this.chained < MAX_QUEUED) {
            const r = this.requests!.chainJob(this, args, this.jobThread);
            if (r !== null) {
              this.chained++;
              this.track(r);
              continue;
            }
          }
          this.queue.push(args);
          if (this.queue.length > MAX_QUEUED) this.pause();
          continue;
        }
        const args = this.queue.length > 0 ? this.queue.shift()! : this.parser.next();
        if (args === null) break;
        if (args.length === 0) continue;
        this.run(args);
      }
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      this.reply.error('ERR ' + e.message);
      this.closeAfterReply = true;
    }
    this.flush();
    // a queue that overflowed while a request waited (a pause, a job) is run now: read the socket again
    if (!this.reading && this.busy === null) this.resume();
  }

  private run(args: string[]): void {
    const r = this.requests!.execute(this, args);
    if (r !== undefined) this.track(r);
  }

  /** Waits for `r` before running further requests (the latest of several jobs in flight: the last to finish). */
  private track(r: Promise<void>): void {
    const done = (): void => {
      if (this.busy === p) this.afterAsync();
    };
    const p: Promise<void> = r.then(done, done);
    this.busy = p;
  }

  private afterAsync(): void {
    this.busy = null;
    this.jobThread = -1;
    this.chained = 0;
    if (this.closed) return;
    this.resume();
    this.drainRequests();
  }

  flush(): void {
    const s = this.socket;
    if (this.closed) return;
    if (this.server.beforeReply !== null && this.reply.len > 0) this.server.beforeReply();
    if (replyHold.fn !== null && s && this.reply.len > 0 && replyHold.fn(this)) return;
    if (s && this.reply.len > 0) {
      this.server.stats.netOutputBytes += this.reply.len;
      this.reply.flush(s);
      const limit = this.server.normalObuf;
      if (limit.active && limit.exceeded(this)) {
        this.server.log('warning', `Client id=${this.id} addr=${this.addr} scheduled to be closed ASAP for overcoming of output buffer limits.`);
        this.server.stats.obufLimitDisconnections++;
        this.close();
        return;
      }
      if (s.writableLength > OUTPUT_HIGH_WATER) this.pause();
    }
    if (this.closeAfterReply && !this.busy) {
      this.closed = true;
      // close both ways once the reply is written, as Redis does
      if (s) s.destroySoon();
      this.cleanup();
    }
  }

  /** Stops reading for `ms` (a byte rate limit in delay mode); what was read still runs. */
  private holdReading(ms: number): void {
    this.pause();
    setTimeout(() => {
      if (!this.closed) this.resume();
    }, Math.ceil(ms)).unref();
  }

  private pause(): void {
    if (this.reading && this.socket) {
      this.reading = false;
      this.socket.pause();
    }
  }

  private resume(): void {
    if (!this.reading && this.socket && this.queue.length <= MAX_QUEUED && this.socket.writableLength <= OUTPUT_HIGH_WATER) {
      this.reading = true;
      this.socket.resume();
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.socket) this.socket.destroy();
    this.cleanup();
  }

  private cleanup(): void {
    // unblocked and unsubscribed first, then gone from the list, as Redis's freeClient: with threads a
    // blocked connection's cancel is asked of another thread, and whoever counts blocked clients
    // meanwhile still sees it
    for (const fn of this.onClose.splice(0)) fn();
    this.server.clients.delete(this.id);
  }
}
