/**
 * The state of one connection as the services below the command layer see
 * it (pub/sub, tracking, blocking, CLIENT PAUSE, ACL, limits, SLOWLOG …):
 * its identity, reply buffer, flags and per-family bag, without the server
 * or the request loop. Client (client.ts) extends it with those; services
 * take a Session so that they sit below Client and ServerState.
 */
import type { Socket } from 'node:net';
import { ReplyWriter } from '../protocol/reply-writer.ts';
import type { RespParser } from '../protocol/resp-parser.ts';
import type { User } from '../security/acl-user.ts';
import type { ConnBuckets } from '../security/rate-bucket.ts';

/** Redis's mustObeyClient: the master's stream or the AOF being loaded, whose commands were already checked once. */
export function mustObeyClient(c: Session): boolean {
  return c.ext.master === true || c.ext.aofLoading === true;
}

export abstract class Session {
  readonly id: number;
  readonly reply = new ReplyWriter();
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  db = 0;
  name = '';
  libName = '';
  libVer = '';
  /** Last command name run (CLIENT LIST cmd=). */
  lastCommand = 'NULL';
  /** Set by QUIT / protocol errors / CLIENT KILL: close after the pending replies are flushed. */
  closeAfterReply = false;
  closed = false;
  /** Waiting in a blocking command (INFO blocked_clients, CLIENT LIST flags). */
  blocked = false;
  /** Set while blocked: ends the wait (CLIENT UNBLOCK); true if it was unblocked. */
  unblock: ((withError: boolean) => boolean) | null = null;
  /**
   * Set while blocked: the checks the command passed when it arrived (ACL,
   * OOM …), run again before it is served, as Redis 7.2 reprocesses an
   * unblocked command; the error, or null when it may run.
   */
  unblockGate: (() => string | null) | null = null;
  /** The blocked command was refused when it was to be served (counted as rejected, not as a call). */
  unblockRejected = false;
  noEvict = false;
  noTouch = false;
  /** CLIENT REPLY: OFF mutes; SKIP sets 'skip-next', which mutes the command after it. */
  replyMode: 'on' | 'off' | 'skip' | 'skip-next' = 'on';
  /**
   * Channel, pattern and shard-channel subscription counts, kept by the
   * pub/sub family (CLIENT LIST sub/psub/ssub, the 'P' flag and type pubsub,
   * PING's reply in the RESP2 pub/sub context).
   */
  subscriptions = 0;
  patternSubscriptions = 0;
  shardSubscriptions = 0;
  /** Query buffer bytes as Redis counts them (CLIENT LIST qbuf): what the current read left to parse. */
  queryBufSize = 0;
  authenticated = false;
  /** The ACL user the connection runs as (the default user until AUTH / HELLO AUTH). */
  user: User;
  /** Running the commands of an EXEC (blocking commands don't block, wake-ups wait for the end). */
  inExec = false;
  /** Set by a handler: what to replicate instead of the command as sent (PEXPIREAT for EXPIRE …). */
  propagate: string[] | null = null;
  /** The replication offset right after this client's last write (Redis's woff): what WAITAOF waits for. */
  woff = 0;
  /** The connection's rate limit buckets (security/rate-limit.ts), made when a connection limit first applies. */
  rate: ConnBuckets | null = null;
  /** The next command was admitted already (it waited for a rate limit's tokens): it runs without another check. */
  ratePass = false;
  /** Per-connection state other families hang here (MULTI, subscriptions, tracking…). */
  readonly ext: Record<string, unknown> = {};
  /** Cleanup hooks run when the connection closes. */
  readonly onClose: Array<() => void> = [];
  /** null for internal clients (AOF loading, scripts, jobs of other threads). */
  readonly socket: Socket | null;

  constructor(id: number, socket: Socket | null, user: User) {
    this.id = id;
    this.socket = socket;
    this.user = user;
  }

  get resp(): 2 | 3 {
    return this.reply.resp;
  }

  /** The Unix socket's path for a connection made through it (its addr and laddr are `path:0`, as Redis's). */
  unixPath: string | null = null;

  get addr(): string {
    if (this.unixPath !== null) return `${this.unixPath}:0`;
    const s = this.socket;
    if (!s) return '';
    return s.remoteFamily === 'IPv6' ? `[${s.remoteAddress}]:${s.remotePort}` : `${s.remoteAddress}:${s.remotePort}`;
  }

  get laddr(): string {
    if (this.unixPath !== null) return `${this.unixPath}:0`;
    const s = this.socket;
    if (!s) return '';
    return s.localFamily === 'IPv6' ? `[${s.localAddress}]:${s.localPort}` : `${s.localAddress}:${s.localPort}`;
  }

  /** The request parser (its limits and what it holds of a partial request). */
  abstract readonly parser: RespParser;

  /** Writes the pending replies to the socket. */
  abstract flush(): void;

  /** Closes the connection now, dropping unsent replies. */
  abstract close(): void;
}
