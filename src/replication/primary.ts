/**
 * The primary side of replication: SYNC / PSYNC send an RDB snapshot of the
 * dataset, then every write command is streamed to the replica as RESP (with
 * SELECT when the database changes, DEL for expired keys). The commands are
 * in commands/server/replication.ts.
 *
 * On a replica (replication/replica.ts) the feed passes its primary's stream
 * on as it came (proxy) instead of what the replica ran; every
 * repl-ping-replica-period a primary's replicas get a PING.
 */
import { expiredFieldsEvent } from '../engine/field-expiry.ts';
import { writeRdb } from '../persistence/rdb-writer.ts';
import { encodeCommand as encodeString } from '../persistence/aof-writer.ts';
import type { Engine } from '../engine/engine.ts';
import type { Session } from '../server/session.ts';
import { randomBytes } from 'node:crypto';
import { getConfigNumber, getConfigValue, type Config } from '../config/config.ts';
import { Backlog } from './backlog.ts';
import { keyCount, sendPaced } from './paced-transfer.ts';

/**
 * Another consumer of the write stream (the AOF): it receives exactly the
 * command vectors the replicas do (rewritten forms, MULTI/EXEC, DEL for
 * expired keys), tracking its own SELECTs.
 */
export interface PropagationSink {
  feed(db: number, args: readonly string[]): void;
  /** Redis's fsynced_reploff: the offset up to which the AOF is fsynced (-1: off). */
  fsyncedReploff(): number;
  /** With threads: calls `done` once the shared AOF file is fsynced as far as it reaches now; returns a function that stops waiting. */
  whenFileSynced(done: () => void): () => void;
}

/**
 * With threads (src/threads/repl-threads.ts): one stream for the whole
 * server, made on thread 0 (the producer). Each thread buffers what it
 * propagates and hands it, numbered from one shared sequence, to thread 0,
 * at the points where the AOF writes its buffer: before another thread can
 * see the changes, and before a reply leaves. Thread 0 streams the pieces in
 * sequence order (or, on a replica, its primary's stream as it came), keeps
 * the one offset and the backlog, and passes every byte on to the threads
 * that serve replicas (hubs). So every replica sees one stream in one offset
 * space, whichever thread serves it.
 */
export interface ReplicationThreads {
  /** The stream runs (a replica attached once): every thread records what it propagates. */
  streaming(): boolean;
  /** Buffers one command of database db for the producer. */
  buffer(db: number, cmd: string): void;
  /** SYNC / PSYNC on this thread: a partial resync from thread 0's backlog where it can, else a full sync cut on every thread. */
  attach(c: Session, psync: boolean, replid: string, offset: string): void;
  /** This thread serves no replica any more. */
  detach(): void;
  /** WAIT (WAITAOF with `aof`: their AOF fsynced it): replicas on every hub that acknowledged what this thread's clients wrote so far. */
  waitForAcks(numreplicas: number, timeoutMs: number, aof?: boolean): Promise<number>;
  /** ROLE's replicas and offset over every thread. */
  role(): { offset: number; entries: Array<[string, string, string]> };
  /** This thread makes the stream (thread 0). */
  readonly producing: boolean;
  /** Thread 0: bytes just appended to the stream, ending at stream offset `end`, for the other hubs. */
  streamed(buf: Buffer, end: number): void;
  /** Some thread serves a replica. */
  replicasAnywhere(): boolean;
  /** Asks every replica for its offset (REPLCONF GETACK * in the stream, made by thread 0). */
  getAck(): void;
  /** When this thread's replicas last acknowledged (unix seconds), for every thread's min-replicas-to-write. */
  publishAcks(secs: number[]): void;
  /** Replicas of every thread whose lag (in seconds, as Redis's) is at most `maxLag`. */
  goodReplicas(maxLag: number): number;
  /** Thread 0: the history changed, every thread's replicas go. */
  dropped(): void;
  /**
   * REPLICAOF host port (host null: NO ONE) on every thread, the link on
   * thread 0; false while it is applied here (role.ts goes on).
   */
  follow(host: string | null, port: number): boolean;
  /** Thread 0, a replica's full sync: every other thread loads its keys of the RDB in place of its dataset. */
  loadEverywhere(rdb: Buffer): void;
}

interface Replica {
  client: Session;
  /** Offset the replica last acknowledged (REPLCONF ACK). */
  ackOffset: number;
  /** Offset up to which its AOF is fsynced (REPLCONF ACK … FACK; 0 without, as Redis's repl_aof_off). */
  aofOffset: number;
  /** Port it listens on (REPLCONF listening-port), for ROLE. */
  listeningPort: number;
  /** When it last acknowledged (ms; its attach counts): its lag. */
  ackTime: number;
  /** It came with PSYNC (SYNC's replicas never acknowledge, so repl-timeout spares them). */
  psync: boolean;
  /**
   * After a diskless transfer, the stream waits here for the replica's first
   * REPLCONF ACK (Redis's repl_start_cmd_stream_on_ack): a replica finds the
   * end of the file by its last bytes being the mark, so nothing may follow
   * it before the replica has loaded.
   */
  held: Buffer[] | null;
  /** While its file is still being produced and sent (slowly: rdb-key-save-delay): INFO's state for it, else null (online). */
  sending: 'wait_bgsave' | null;
  /** With threads, on a hub: the stream offset it has up to, and the history (thread 0's epoch) it follows. */
  sent: number;
  epoch: number;
}

/**
 * What the feed reads of this server's own primary while it is a replica
 * (replication/replica.ts): it then streams to its replicas the bytes its
 * primary sent (proxy), not what it ran.
 */
export interface Upstream {
  /** The database the primary's stream has selected (an RDB for a replica records it). */
  streamDb(): number;
  /** A client of this replica (not its primary) wrote: keys it gave a TTL are the replica's to expire. */
  clientWrote(db: number, args: readonly string[]): void;
}

/**
 * What the rest of the server sees of the link to its own primary while it
 * is a replica (the ReplicaLink of replication/replica.ts; ServerState.replicaOf).
 */
export interface ReplicaView extends Upstream {
  readonly host: string;
  readonly port: number;
  /** The stream runs (master_link_status:up). */
  up(): boolean;
  /** Ends the link for good (REPLICAOF NO ONE or another primary). */
  stop(): void;
  /** ROLE of a replica: slave, host, port, state, offset applied (-1 without a master client). */
  role(): [string, string, number, string, number];
  /** INFO replication's fields between role and connected_slaves. */
  infoFields(): Array<[name: string, value: string | number]>;
  /** How old the data may be, in ms (the link itself only: thread 0's with threads). */
  dataAgeMs?(now?: number): number;
}

/** INFO's master_failover_state (Redis's failover_state). */
export type FailoverState = 'no-failover' | 'waiting-for-sync' | 'failover-in-progress';

/**
 * A FAILOVER under way (replication/failover.ts), as the rest of
 * replication sees it: the link to the new primary sends PSYNC … FAILOVER
 * while it is in progress and reports the answer.
 */
export interface FailoverView {
  readonly state: FailoverState;
  /** The target answered PSYNC … FAILOVER with +CONTINUE or +FULLRESYNC: the failover is done. */
  done(): void;
  /** The failover fails (the target refused): a primary again, writes resume. */
  abort(why: string): void;
}

const NO_REPLID = '0000000000000000000000000000000000000000';

/** Told how many replicas acknowledged `offset` (with `aof`: fsynced it to their AOF), after every acknowledgement (a WAIT, a WAITAOF). */
interface AckWatcher {
  offset: number;
  aof: boolean;
  seen: (acked: number) => void;
}

function encode(args: readonly string[]): Buffer {
  return Buffer.from(encodeString(args), 'latin1');
}

/** What the feed reads of the server: the dataset (for the snapshot and its dirty counters), the run id and the config. */
export interface FeedHost {
  readonly engine: Engine;
  readonly runId: string;
  readonly config: Config;
  log?(level: 'warning' | 'notice', msg: string): void;
}

export class ReplicationFeed {
  readonly replicas = new Set<Replica>();
  private readonly server: FeedHost;
  /** Replication offset: bytes streamed so far. */
  offset = 0;
  /** The AOF while it is on (set and cleared by the AOF): propagation fans out to it and the replicas. */
  sink: PropagationSink | null = null;
  /** Set with threads: the stream runs through the hubs. */
  threads: ReplicationThreads | null = null;
  /** Set while this server is a replica (REPLICAOF). */
  upstream: Upstream | null = null;
  /** The replication ID ('' until one is set: the run id); replid2 and secondOffset: the previous one and where it ended + 1. */
  private ownReplid = '';
  replid2 = NO_REPLID;
  secondOffset = -1;
  /** The last repl-backlog-size bytes of the stream, from the first replica on (one thread only: with threads replicas sync in full). */
  backlog: Backlog | null = null;
  /** INFO stats sync_full, sync_partial_ok, sync_partial_err. */
  readonly syncStats = { full: 0, partialOk: 0, partialErr: 0 };
  /** Set while a FAILOVER runs (INFO master_failover_state). */
  failover: FailoverView | null = null;
  /** Since when no replica is connected (ms): repl-backlog-ttl counts from there. */
  private noReplicasSince = Date.now();
  private ttlTimer: NodeJS.Timeout | null = null;

  constructor(server: FeedHost) {
    this.server = server;
    // only expiries and evictions are fed from here (the flush itself is propagated as the command)
    server.engine.onKeyEvent((db, key, event) => {
      if ((event === 'expired' || event === 'evicted') && this.active && !server.engine.replaying) this.feed(db, ['DEL', key]);
      // hash fields whose TTL passed: one HDEL each (propagateHashFieldDeletion)
      else if (event === 'hexpired' && this.active && !server.engine.replaying) {
        const { fields, active } = expiredFieldsEvent;
        const wrap = fields.length > 1 && !active;
        if (wrap) this.feed(db, ['MULTI']);
        for (const f of fields) this.feed(db, ['HDEL', key, f]);
        if (wrap) this.feed(db, ['EXEC']);
      }
    }, () => false);
  }

  /** The replication ID the stream goes by (INFO master_replid, +FULLRESYNC). */
  get replid(): string {
    return this.ownReplid === '' ? this.server.runId : this.ownReplid;
  }

  /** Follows a primary's history (+FULLRESYNC replid offset): no previous ID. */
  adoptHistory(replid: string, offset: number): void {
    this.ownReplid = replid;
    this.replid2 = NO_REPLID;
    this.secondOffset = -1;
    this.offset = offset;
    // a replica keeps a backlog of its primary's stream: its replicas (or, once promoted, its primary's) resync partially
    this.backlog = new Backlog(this.backlogSize(), offset);
  }

  /** repl-backlog-size, at least 16 KB as Redis keeps it (CONFIG_REPL_BACKLOG_MIN_SIZE). */
  backlogSize(): number {
    return Math.max(16 * 1024, getConfigNumber(this.server.config, 'repl-backlog-size', 1024 * 1024));
  }

  /** A new ID and no previous one (DEBUG change-repl-id: changeReplicationId + clearReplicationId2). */
  newReplid(): void {
    this.ownReplid = randomBytes(20).toString('hex');
    this.replid2 = NO_REPLID;
    this.secondOffset = -1;
  }

  /**
   * A new ID after which the old one is still valid up to the current offset
   * (Redis's shiftReplicationId: a promoted replica, or a primary that
   * switched to a new history with +CONTINUE newid).
   */
  shiftReplid(next = randomBytes(20).toString('hex')): void {
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.ownReplid = next;
    // the new history's first write selects its database (replicas continuing it may be in another)
    this.streamDb = -1;
  }

  /** Drops every replica (they must sync again: the history changed). */
  disconnectReplicas(): void {
    if (this.replicas.size === 0) return;
    for (const r of [...this.replicas]) r.client.close();
    this.replicas.clear();
    this.noReplicasFromNow();
    this.threads?.dropped();
  }

  /** With threads, on a hub: closes the replicas of an older history than `epoch`. */
  dropBefore(epoch: number): void {
    for (const r of [...this.replicas]) if (r.epoch < epoch) r.client.close();
  }

  /** A replica passes on what its primary sent, command by command (Redis's replicationFeedStreamFromMasterStream). */
  proxy(cmd: string): void {
    if (this.replicas.size === 0 && this.backlog === null) this.offset += cmd.length;
    else this.feedRaw(Buffer.from(cmd, 'latin1'));
  }

  /** Someone consumes the write stream (a replica or the AOF): handlers then record c.propagate. */
  get active(): boolean {
    return this.replicas.size !== 0 || this.sink !== null || this.backlog !== null || (this.threads !== null && this.threads.streaming());
  }

  /** Total writes so far, to tell whether a command changed anything. */
  dirty(): number {
    let n = 0;
    for (const s of this.server.engine.eventShards) n += s.stats.dirty;
    return n;
  }

  /**
   * Streams what a client's command did: the command as sent, or the vector
   * the handler left in c.propagate (Redis's rewriteClientCommandVector,
   * e.g. PEXPIREAT for EXPIRE); inside EXEC it is collected for MULTI/EXEC.
   */
  propagate(c: Session, args: readonly string[]): void {
    const vec = c.propagate ?? args;
    c.propagate = null;
    // an empty vector: the command changed the dataset but replicates as nothing (Redis's preventCommandPropagation)
    if (vec.length === 0) return;
    // with threads, a setting replayed here from the thread that ran it (SWAPDB, FUNCTION LOAD …): that thread propagated it
    if (c.ext.replay === true) return;
    if (this.upstream !== null && c.ext.master !== true) this.upstream.clientWrote(c.db, vec);
    const tx = c.ext.txPropagate as Array<[number, readonly string[]]> | undefined;
    if (tx) tx.push([c.db, vec]);
    else {
      this.feed(c.db, vec);
      c.woff = this.offset;
    }
  }

  /** Starts collecting an EXEC's writes. */
  beginExec(c: Session): void {
    if (this.active) c.ext.txPropagate = [];
  }

  /** Streams the collected writes wrapped in MULTI/EXEC (nothing if none wrote). */
  endExec(c: Session, db: number): void {
    const tx = c.ext.txPropagate as Array<[number, readonly string[]]> | undefined;
    c.ext.txPropagate = undefined;
    if (!tx || tx.length === 0) return;
    this.feed(tx[0]![0], ['MULTI']);
    for (const [d, vec] of tx) this.feed(d, vec);
    this.feed(db, ['EXEC']);
    c.woff = this.offset;
  }

  /** Database the stream last selected; -1 makes the next write send SELECT (a new replica). */
  streamDb = -1;

  feed(db: number, args: readonly string[]): void {
    if (this.sink !== null) this.sink.feed(db, args);
    // a replica's replicas get its primary's stream as it came (proxy)
    if (this.upstream !== null) return;
    if (this.threads !== null) {
      if (this.threads.streaming()) this.threads.buffer(db, encodeString(args));
      return;
    }
    // the backlog keeps the stream while no replica is connected (one may come back for it); with the AOF
    // alone the offset still counts, one per command, for WAITAOF (Redis 7.2's replicationFeedSlaves)
    if (this.replicas.size === 0 && this.backlog === null) {
      this.offset++;
      return;
    }
    let buf = encode(args);
    if (db !== this.streamDb) {
      buf = Buffer.concat([encode(['SELECT', String(db)]), buf]);
      this.streamDb = db;
    }
    this.feedRaw(buf);
  }

  /** With threads, a hub's next piece of the stream: [db, commands] runs, SELECT added where the database changes. */
  emit(runs: ReadonlyArray<readonly [number, string]>): void {
    if (this.replicas.size === 0 && this.backlog === null) return;
    let s = '';
    for (const [db, cmds] of runs) {
      if (db !== this.streamDb) {
        s += encodeString(['SELECT', String(db)]);
        this.streamDb = db;
      }
      s += cmds;
    }
    this.feedRaw(Buffer.from(s, 'latin1'));
  }

  /** Appends bytes to the stream every replica receives (one offset for all). */
  feedRaw(buf: Buffer): void {
    this.offset += buf.length;
    this.backlog?.append(buf);
    for (const r of this.replicas) {
      const sock = r.client.socket;
      if (!sock || r.client.closed) {
        this.replicas.delete(r);
        continue;
      }
      if (r.held !== null) r.held.push(buf);
      else sock.write(buf);
    }
    this.threads?.streamed(buf, this.offset);
  }

  /**
   * With threads, on a hub: thread 0's bytes from stream offset `start`,
   * each replica getting what it lacks (it may have come with a backlog copy
   * reaching further); one that missed bytes goes (it syncs again).
   */
  relay(epoch: number, start: number, data: Uint8Array): void {
    const end = start + data.length;
    for (const r of this.replicas) {
      if (r.epoch !== epoch || end <= r.sent) continue;
      const sock = r.client.socket;
      if (!sock || r.client.closed) {
        this.replicas.delete(r);
        continue;
      }
      if (r.sent < start) {
        r.client.close();
        continue;
      }
      sock.write(r.sent === start ? data : data.subarray(r.sent - start));
      r.sent = end;
    }
    if (end > this.offset) this.offset = end;
  }

  private readonly ackWatchers = new Set<AckWatcher>();
  private pingTimer: NodeJS.Timeout | null = null;

  /**
   * A PING in the stream every repl-ping-replica-period seconds while there
   * are replicas (replicationCron), so a quiet primary's replicas don't time
   * out. A replica sends none: its replicas get its primary's.
   */
  startPings(): void {
    if (this.pingTimer !== null) return;
    let last = Date.now();
    this.pingTimer = setInterval(() => {
      // with threads, thread 0 pings while any thread serves a replica: its stream is every replica's
      const producer = this.threads === null || this.threads.producing;
      if (this.replicas.size === 0 && !(this.threads !== null && producer && this.threads.replicasAnywhere())) {
        clearInterval(this.pingTimer!);
        this.pingTimer = null;
        this.threads?.publishAcks([]);
        return;
      }
      this.dropSilentReplicas();
      this.publishGood();
      // with threads only thread 0 pings (its stream is every replica's); a FAILOVER waits for a replica to
      // reach the offset, which a PING would move (as Redis with a failover timeout)
      if (this.upstream !== null || !producer || this.failover !== null) return;
      if (Date.now() - last < getConfigNumber(this.server.config, 'repl-ping-replica-period', 10) * 1000) return;
      last = Date.now();
      this.feedRaw(encode(['PING']));
    }, 1000);
    this.pingTimer.unref();
  }

  /** Replicas that acknowledged at least `offset`; with `aof`, online ones whose AOF fsynced it (replicationCountAOFAcksByOffset). */
  ackedAt(offset: number, aof = false): number {
    let n = 0;
    if (aof) {
      for (const r of this.replicas) if (r.sending === null && r.held === null && r.aofOffset >= offset) n++;
      return n;
    }
    for (const r of this.replicas) if (r.ackOffset >= offset) n++;
    return n;
  }

  /** The AOF's fsynced offset (Redis's fsynced_reploff): -1 while it is off. */
  fsyncedReploff(): number {
    return this.sink?.fsyncedReploff() ?? -1;
  }

  /** Told when the AOF fsynced more, or was turned on or off (WAITAOF waiters, a replica's FACK owed). */
  readonly aofListeners = new Set<() => void>();

  aofProgressed(): void {
    for (const l of [...this.aofListeners]) l();
  }

  /** REPLCONF ACK <offset> [FACK <aofoffset>] from a replica's connection. */
  ack(c: Session, offset: number, fack = -1): void {
    for (const r of this.replicas) {
      if (r.client !== c) continue;
      if (offset > r.ackOffset) r.ackOffset = offset;
      if (fack > r.aofOffset) r.aofOffset = fack;
      r.ackTime = Date.now();
      // a diskless copy is loaded: the stream starts (not while the file is still being sent)
      if (r.held !== null && r.sending === null) this.release(r);
    }
    for (const w of this.ackWatchers) w.seen(this.ackedAt(w.offset, w.aof));
    this.publishGood();
  }

  /** With threads: when this thread's replicas last acknowledged, for every thread's min-replicas-to-write. */
  private publishGood(): void {
    if (this.threads === null) return;
    const secs: number[] = [];
    for (const r of this.replicas) secs.push(Math.floor(r.ackTime / 1000));
    this.threads.publishAcks(secs);
  }

  setListeningPort(c: Session, port: number): void {
    (c.ext as { listeningPort?: number }).listeningPort = port;
    for (const r of this.replicas) if (r.client === c) r.listeningPort = port;
  }

  /** REPLCONF ip-address: the address a replica announces (replica-announce-ip). */
  setAnnouncedIp(c: Session, ip: string): void {
    (c.ext as { announcedIp?: string }).announcedIp = ip;
  }

  /** A replica's address as INFO, ROLE and FAILOVER TO name it: the one it announced, else its peer's (Redis's slave_addr). */
  static address(c: Session): string {
    return (c.ext as { announcedIp?: string }).announcedIp ?? c.addr.replace(/:\d+$/, '');
  }

  /**
   * The replica at host:port (Redis's findReplica, case-insensitive host),
   * online (streaming) or still waiting for or receiving its copy, or null.
   */
  findReplica(host: string, port: number): { online: boolean; ackOffset: number } | null {
    const h = host.toLowerCase();
    for (const r of this.replicas) if (ReplicationFeed.address(r.client).toLowerCase() === h && r.listeningPort === port) return { online: r.sending === null, ackOffset: r.ackOffset };
    for (const w of this.waiting) {
      const lp = (w.c.ext as { listeningPort?: number }).listeningPort ?? 0;
      if (ReplicationFeed.address(w.c).toLowerCase() === h && lp === port) return { online: false, ackOffset: 0 };
    }
    return null;
  }

  /** The first replica that acknowledged the whole stream, as [address, listening port], or null. */
  caughtUpReplica(): [string, number] | null {
    for (const r of this.replicas) if (r.sending === null && r.ackOffset === this.offset) return [ReplicationFeed.address(r.client), r.listeningPort];
    return null;
  }

  /** Replicas that are connected, streaming or waiting for their copy (FAILOVER requires some). */
  get connectedReplicas(): number {
    return this.replicas.size + this.waiting.length;
  }

  /** WAIT: resolves with the replicas that reached the current offset, at the latest after timeoutMs (0 = never). */
  waitForAcks(numreplicas: number, timeoutMs: number): Promise<number> {
    if (this.threads !== null) return this.threads.waitForAcks(numreplicas, timeoutMs);
    return this.waitHere(numreplicas, timeoutMs);
  }

  /** WAIT against this thread's replicas and stream (`aof`: WAITAOF's count, of replicas that fsynced `offset`). */
  waitHere(numreplicas: number, timeoutMs: number, aof = false, offset = this.offset): Promise<number> {
    const now = this.ackedAt(offset, aof);
    if (now >= numreplicas) return Promise.resolve(now);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const stop = this.watchAcks(offset, (n) => {
        if (n < numreplicas) return;
        stop();
        if (timer !== null) clearTimeout(timer);
        resolve(n);
      }, aof);
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          stop();
          resolve(this.ackedAt(offset, aof));
        }, timeoutMs);
      }
    });
  }

  /**
   * Calls `seen` with the replicas that acknowledged `offset` after each
   * acknowledgement, until the returned function is called. Replicas short
   * of it are asked for their offsets now rather than at their next
   * periodic ACK.
   */
  watchAcks(offset: number, seen: (acked: number) => void, aof = false): () => void {
    if (this.ackedAt(offset, aof) < this.replicas.size) {
      if (this.threads !== null) this.threads.getAck();
      else this.feedRaw(encode(['REPLCONF', 'GETACK', '*']));
    }
    const w: AckWatcher = { offset, aof, seen };
    this.ackWatchers.add(w);
    return () => this.ackWatchers.delete(w);
  }

  /** Replicas for ROLE: [ip, port, acknowledged offset]. */
  roleEntries(): Array<[string, string, string]> {
    return [...this.replicas].map((r) => [ReplicationFeed.address(r.client), String(r.listeningPort), String(r.ackOffset)]);
  }

  /**
   * PSYNC <replid> <offset> that the backlog can serve (Redis's
   * masterTryPartialResynchronization): the replica followed this history
   * (the current ID, or the previous one up to where it ended) and the bytes
   * from its offset on are all held. Answers +CONTINUE and streams them.
   */
  private tryPartial(c: Session, replid: string, from: string): boolean {
    const missed = this.backlogSince(replid, from);
    if (missed === null) {
      if (replid !== '?') this.syncStats.partialErr++;
      return false;
    }
    this.syncStats.partialOk++;
    const sock = c.socket!;
    c.reply.flush(sock);
    sock.write(c.ext.psync2 === true ? `+CONTINUE ${this.replid}\r\n` : '+CONTINUE\r\n');
    sock.write(missed);
    // the stream goes on where the replica's copy of it stopped: no SELECT is forced
    this.addReplica(c);
    return true;
  }

  /** The backlog's bytes a PSYNC <replid> <from> lacks, or null when this history or those bytes are not held. */
  backlogSince(replid: string, from: string): Buffer | null {
    const b = this.backlog;
    const offset = /^\d+$/.test(from) ? Number(from) : -1;
    const known = replid === this.replid || (replid === this.replid2 && offset <= this.secondOffset);
    return b !== null && known && offset >= 0 ? b.since(offset) : null;
  }

  /** SYNC, or PSYNC [replid offset]: a partial resync where the backlog allows, else the RDB and the stream from now on. */
  attach(c: Session, psync: boolean, replid = '?', offset = '-1'): void {
    const sock = c.socket;
    if (!sock) return;
    if (this.threads !== null) return this.threads.attach(c, psync, replid, offset);
    if (psync && this.tryPartial(c, replid, offset)) return;
    this.syncStats.full++;
    const capa = c.ext.replCapa as Set<string> | undefined;
    if (capa?.has('eof') === true && getConfigValue(this.server.config, 'repl-diskless-sync') === 'yes') {
      return this.waitForDiskless(c, psync);
    }
    this.ensureBacklog();
    const repl = { streamDb: this.upstream?.streamDb() ?? 0, replid: this.replid, offset: this.offset };
    const rdb = writeRdb(this.server.engine, { repl });
    c.reply.flush(sock);
    if (psync) sock.write(`+FULLRESYNC ${this.replid} ${this.offset}\r\n`);
    this.streamDb = -1;
    const delay = getConfigNumber(this.server.config, 'rdb-key-save-delay', 0);
    if (delay <= 0) {
      sock.write(`$${rdb.length}\r\n`);
      sock.write(rdb);
      this.addReplica(c, psync);
      return;
    }
    // the stream waits behind the slow file
    const r = this.addReplica(c, psync, this.offset, 0, true, 'wait_bgsave');
    sendPaced(sock, [`$${rdb.length}\r\n`, rdb], keyCount(this.server.engine), delay, () => (r.ackTime = Date.now()), () => {
      r.sending = null;
      this.release(r);
    });
  }

  /** Sends what was held back for a replica and streams to it from now on. */
  private release(r: Replica): void {
    const held = r.held;
    r.held = null;
    if (held !== null && held.length !== 0) r.client.socket?.write(Buffer.concat(held));
  }

  /** A new backlog from now on if there is none (the first replica). */
  ensureBacklog(): void {
    if (this.backlog === null) this.backlog = new Backlog(this.backlogSize(), this.offset);
  }

  /**
   * `c` is a replica from now on; with threads, on a hub, from stream offset
   * `sent` of history `epoch`. `hold`: the stream waits (held) until its
   * file is loaded; `sending`: the file is still being produced.
   */
  addReplica(c: Session, psync = true, sent = this.offset, epoch = 0, hold = false, sending: Replica['sending'] = null): Replica {
    const r: Replica = { client: c, ackOffset: 0, aofOffset: 0, listeningPort: (c.ext as { listeningPort?: number }).listeningPort ?? 0, ackTime: Date.now(), psync, sent, epoch, held: hold ? [] : null, sending };
    this.replicas.add(r);
    c.onClose.push(() => {
      if (!this.replicas.delete(r)) return;
      this.publishGood();
      if (this.replicas.size !== 0) return;
      this.threads?.detach();
      this.noReplicasFromNow();
    });
    this.publishGood();
    this.startPings();
    // a replica's own commands (REPLCONF ACK …) get no replies
    c.replyMode = 'off';
    c.ext.replica = true;
    return r;
  }

  /** Replicas silent (no REPLCONF ACK) for repl-timeout seconds are let go; SYNC's never acknowledge and are spared. */
  private dropSilentReplicas(): void {
    const timeout = getConfigNumber(this.server.config, 'repl-timeout', 60) * 1000;
    const now = Date.now();
    for (const r of this.replicas) {
      if (!r.psync || now - r.ackTime <= timeout) continue;
      // while its file is sent, the time of the last slice that left counts (repl_last_partial_write)
      this.server.log?.('warning', `Disconnecting timedout replica (${r.sending !== null ? 'full sync' : 'streaming sync'}): ${r.client.addr}`);
      r.client.close();
    }
  }

  /** Seconds since a replica last acknowledged (INFO's lag=). */
  static lag(r: Replica, now: number): number {
    return Math.floor((now - r.ackTime) / 1000);
  }

  /** Replicas whose lag is at most `maxLag` seconds (Redis's repl_good_slaves_count), with threads on every thread. */
  goodReplicas(maxLag: number): number {
    // with threads every thread counts from the same published acknowledgements, so they agree
    if (this.threads !== null) return this.threads.goodReplicas(maxLag);
    const now = Date.now();
    let n = 0;
    for (const r of this.replicas) if (r.sending === null && ReplicationFeed.lag(r, now) <= maxLag) n++;
    return n;
  }

  /**
   * min-replicas-to-write / min-replicas-max-lag: whether writes may run
   * (Redis's checkGoodReplicasStatus). With threads, every thread's
   * replicas, from the acknowledgement times each thread publishes.
   */
  enoughReplicas(): boolean {
    // a replica ignores it (Redis checks only with no masterhost): its primary's writes must apply
    if (this.upstream !== null) return true;
    const need = getConfigNumber(this.server.config, 'min-replicas-to-write', 0);
    if (need === 0) return true;
    const maxLag = getConfigNumber(this.server.config, 'min-replicas-max-lag', 10);
    return need === 0 || maxLag === 0 || this.goodReplicas(maxLag) >= need;
  }

  /** Replicas waiting for a diskless transfer to start (repl-diskless-sync-delay), and its timer. */
  private waiting: Array<{ c: Session; psync: boolean }> = [];
  private disklessTimer: NodeJS.Timeout | null = null;

  /** Replicas waiting for their copy, for INFO (state=wait_bgsave). */
  get waitingReplicas(): readonly Session[] {
    return this.waiting.map((w) => w.c);
  }

  /**
   * repl-diskless-sync for a replica that takes it (capa eof): the copy
   * starts repl-diskless-sync-delay seconds after the first replica asks (or
   * once repl-diskless-sync-max-replicas wait), and every replica waiting
   * then gets the same snapshot, cut at that moment.
   */
  private waitForDiskless(c: Session, psync: boolean): void {
    c.replyMode = 'off';
    c.ext.replica = true;
    const w = { c, psync };
    this.waiting.push(w);
    c.onClose.push(() => {
      this.waiting = this.waiting.filter((x) => x !== w);
    });
    const cfg = this.server.config;
    const delay = getConfigNumber(cfg, 'repl-diskless-sync-delay', 5);
    const max = getConfigNumber(cfg, 'repl-diskless-sync-max-replicas', 0);
    if (delay === 0 || (max > 0 && this.waiting.length >= max)) this.startDiskless();
    else if (this.disklessTimer === null) this.disklessTimer = setTimeout(() => this.startDiskless(), delay * 1000);
  }

  /** Sends the waiting replicas one snapshot, each as $EOF:<mark> … <mark>, then streams to them. */
  private startDiskless(): void {
    if (this.disklessTimer !== null) clearTimeout(this.disklessTimer);
    this.disklessTimer = null;
    const list = this.waiting.filter((w) => w.c.socket && !w.c.closed);
    this.waiting = [];
    if (list.length === 0) return;
    if (this.backlog === null) this.backlog = new Backlog(this.backlogSize(), this.offset);
    const repl = { streamDb: this.upstream?.streamDb() ?? 0, replid: this.replid, offset: this.offset };
    const rdb = writeRdb(this.server.engine, { repl });
    const mark = randomBytes(20).toString('hex');
    const delay = getConfigNumber(this.server.config, 'rdb-key-save-delay', 0);
    const keys = delay > 0 ? keyCount(this.server.engine) : 0;
    for (const { c, psync } of list) {
      const sock = c.socket!;
      c.reply.flush(sock);
      if (psync) sock.write(`+FULLRESYNC ${this.replid} ${this.offset}\r\n`);
      if (delay <= 0) {
        sock.write(`$EOF:${mark}\r\n`);
        sock.write(rdb);
        sock.write(mark);
        this.addReplica(c, psync, this.offset, 0, true);
        continue;
      }
      const r = this.addReplica(c, psync, this.offset, 0, true, 'wait_bgsave');
      sendPaced(sock, [`$EOF:${mark}\r\n`, rdb, mark], keys, delay, () => (r.ackTime = Date.now()), () => {
        r.sending = null;
      });
    }
    this.streamDb = -1;
  }

  /** A full-sync file still being produced for a replica (rdb-key-save-delay): INFO's rdb_bgsave_in_progress. */
  get snapshotInProgress(): boolean {
    for (const r of this.replicas) if (r.sending !== null) return true;
    return false;
  }

  /**
   * No replica from now on (the last one left, or this server stopped being
   * a replica): a primary frees its backlog after repl-backlog-ttl seconds
   * without replicas (Redis's replicationCron); a replica keeps it, as it
   * may be promoted.
   */
  noReplicasFromNow(): void {
    this.noReplicasSince = Date.now();
    if (this.ttlTimer !== null || this.backlog === null) return;
    this.ttlTimer = setInterval(() => this.backlogTtlTick(), 1000);
    this.ttlTimer.unref();
  }

  private backlogTtlTick(): void {
    if (this.replicas.size !== 0 || this.backlog === null) {
      clearInterval(this.ttlTimer!);
      this.ttlTimer = null;
      return;
    }
    const ttl = getConfigNumber(this.server.config, 'repl-backlog-ttl', 3600);
    if (ttl === 0 || this.upstream !== null || this.threads !== null || this.waiting.length !== 0) return;
    if (Math.floor((Date.now() - this.noReplicasSince) / 1000) <= ttl) return;
    // a new history: the offset stops counting without a backlog, so a PSYNC by this ID would miss writes
    this.newReplid();
    this.backlog = null;
    clearInterval(this.ttlTimer!);
    this.ttlTimer = null;
    this.server.log?.('notice', `Replication backlog freed after ${ttl} seconds without connected replicas.`);
  }

  /** INFO's repl_backlog_active, repl_backlog_first_byte_offset and repl_backlog_histlen. */
  backlogInfo(): [active: number, firstByte: number, histlen: number] {
    if (this.backlog !== null) return [1, this.backlog.firstByte, this.backlog.histlen];
    // with threads, thread 0 keeps the backlog (INFO takes its fields)
    return [0, 0, 0];
  }
}
