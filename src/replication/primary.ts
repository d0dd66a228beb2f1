/**
 * The primary side of replication: SYNC / PSYNC send an RDB snapshot of the
 * dataset, then every write command is streamed to the replica as RESP (with
 * SELECT when the database changes, DEL for expired keys). The commands are
 * in commands/server/replication.ts.
 *
 * Known gaps (tracked for the replication issue): commands are propagated as
 * received rather than rewritten to their deterministic form (Redis sends
 * SET … PXAT for SET … EX, SREM for SPOP …), and pops served to blocked
 * clients are not propagated.
 */
import { writeRdb } from '../persistence/rdb-writer.ts';
import { encodeCommand as encodeString } from '../persistence/aof-writer.ts';
import type { Engine } from '../engine/engine.ts';
import type { Session } from '../server/session.ts';
import type { Config } from '../config/config.ts';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import { randomBytes } from 'node:crypto';
import { Backlog } from './backlog.ts';

/**
 * Another consumer of the write stream (the AOF): it receives exactly the
 * command vectors the replicas do (rewritten forms, MULTI/EXEC, DEL for
 * expired keys), tracking its own SELECTs.
 */
export interface PropagationSink {
  feed(db: number, args: readonly string[]): void;
}

/**
 * With threads (src/threads/repl-threads.ts): one stream for the whole
 * server. Each thread buffers what it propagates and hands it, numbered from
 * one shared sequence, to every thread that serves replicas (a hub), at the
 * points where the AOF writes its buffer: before another thread can see the
 * changes, and before a reply leaves. A hub streams the pieces in sequence
 * order, so its replicas get the writes in an order the threads ran them in.
 */
export interface ReplicationThreads {
  /** A replica is served on some thread: every thread records what it propagates. */
  streaming(): boolean;
  /** Buffers one command of database db for the hubs. */
  buffer(db: number, cmd: string): void;
  /** Full sync on this thread: holds every thread, makes this thread a hub from that cut, and returns the RDB of the cut. */
  attach(): Buffer;
  /** This thread serves no replica any more. */
  detach(): void;
  /** WAIT: replicas on every hub that acknowledged what this thread's clients wrote so far. */
  waitForAcks(numreplicas: number, timeoutMs: number): Promise<number>;
  /** ROLE's replicas and offset over every thread. */
  role(): { offset: number; entries: Array<[string, string, string]> };
}

interface Replica {
  client: Session;
  /** Offset the replica last acknowledged (REPLCONF ACK). */
  ackOffset: number;
  /** Port it listens on (REPLCONF listening-port), for ROLE. */
  listeningPort: number;
  /** When it last acknowledged (ms; its attach counts): its lag. */
  ackTime: number;
  /** It came with PSYNC (SYNC's replicas never acknowledge, so repl-timeout spares them). */
  psync: boolean;
}

/** Told how many replicas acknowledged `offset`, after every acknowledgement (a WAIT). */
interface AckWatcher {
  offset: number;
  seen: (acked: number) => void;
}

function encode(args: readonly string[]): Buffer {
  return Buffer.from(encodeString(args), 'latin1');
}

/** What the feed reads of the server: the dataset (for the snapshot and its dirty counters), the run id and the settings. */
export interface FeedHost {
  readonly engine: Engine;
  readonly runId: string;
  readonly config: Config;
  log?(level: 'warning' | 'notice', msg: string): void;
}

/** Where a replica asked to resume (PSYNC replid offset): the offset is the next byte it wants. */
export interface PsyncRequest {
  replid: string;
  offset: number;
}

const NO_REPLID = '0000000000000000000000000000000000000000';

export class ReplicationFeed {
  readonly replicas = new Set<Replica>();
  private readonly server: FeedHost;
  /** Replication offset: bytes streamed so far. */
  offset = 0;
  /** The AOF while it is on (set and cleared by the AOF): propagation fans out to it and the replicas. */
  sink: PropagationSink | null = null;
  /** Set with threads: the stream runs through the hubs. */
  threads: ReplicationThreads | null = null;
  /** The stream's history (master_replid) and the one before a promotion (master_replid2, valid up to secondReplOffset). */
  replid: string;
  replid2 = NO_REPLID;
  secondReplOffset = -1;
  /** The newest bytes of the stream, from the first replica on (partial resynchronisation). */
  backlog: Backlog | null = null;
  private backlogTimer: NodeJS.Timeout | null = null;
  /** INFO stats: full copies sent, resumes accepted and refused. */
  syncFull = 0;
  syncPartialOk = 0;
  syncPartialErr = 0;

  constructor(server: FeedHost) {
    this.server = server;
    this.replid = server.runId;
    server.engine.onKeyEvent((db, key, event) => {
      if ((event === 'expired' || event === 'evicted') && this.active && !server.engine.replaying) this.feed(db, ['DEL', key]);
    });
  }

  /** Someone consumes the write stream (a replica or the AOF): handlers then record c.propagate. */
  get active(): boolean {
    return this.replicas.size !== 0 || this.backlog !== null || this.sink !== null || (this.threads !== null && this.threads.streaming());
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
    // with threads, a setting replayed here from the thread that ran it (SWAPDB, FUNCTION LOAD …): that thread propagated it
    if (c.ext.replay === true) return;
    const tx = c.ext.txPropagate as Array<[number, readonly string[]]> | undefined;
    if (tx) tx.push([c.db, vec]);
    else this.feed(c.db, vec);
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
  }

  /** Database the stream last selected; -1 makes the next write send SELECT (a new replica). */
  private streamDb = -1;

  feed(db: number, args: readonly string[]): void {
    if (this.sink !== null) this.sink.feed(db, args);
    if (this.threads !== null) {
      if (this.threads.streaming()) this.threads.buffer(db, encodeString(args));
      return;
    }
    if (this.replicas.size === 0 && this.backlog === null) return;
    let buf = encode(args);
    if (db !== this.streamDb) {
      buf = Buffer.concat([encode(['SELECT', String(db)]), buf]);
      this.streamDb = db;
    }
    this.feedRaw(buf);
  }

  /** With threads, a hub's next piece of the stream: [db, commands] runs, SELECT added where the database changes. */
  emit(runs: ReadonlyArray<readonly [number, string]>): void {
    if (this.replicas.size === 0) return;
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
    const b = this.backlog;
    if (b !== null) {
      // CONFIG SET repl-backlog-size takes effect at once, as Redis's resizeReplicationBacklog
      const size = getConfigNumber(this.server.config, 'repl-backlog-size', 1024 * 1024);
      if (b.size !== size) b.resize(size);
      b.append(buf);
    }
    for (const r of this.replicas) {
      const sock = r.client.socket;
      if (!sock || r.client.closed) {
        this.replicas.delete(r);
        continue;
      }
      sock.write(buf);
    }
  }

  private readonly ackWatchers = new Set<AckWatcher>();

  /** Replicas that acknowledged at least `offset`. */
  ackedAt(offset: number): number {
    let n = 0;
    for (const r of this.replicas) if (r.ackOffset >= offset) n++;
    return n;
  }

  /** REPLCONF ACK from a replica's connection. */
  ack(c: Session, offset: number): void {
    for (const r of this.replicas) {
      if (r.client !== c) continue;
      if (offset > r.ackOffset) r.ackOffset = offset;
      r.ackTime = Date.now();
    }
    for (const w of this.ackWatchers) w.seen(this.ackedAt(w.offset));
  }

  setListeningPort(c: Session, port: number): void {
    (c.ext as { listeningPort?: number }).listeningPort = port;
    for (const r of this.replicas) if (r.client === c) r.listeningPort = port;
  }

  /** WAIT: resolves with the replicas that reached the current offset, at the latest after timeoutMs (0 = never). */
  waitForAcks(numreplicas: number, timeoutMs: number): Promise<number> {
    if (this.threads !== null) return this.threads.waitForAcks(numreplicas, timeoutMs);
    return this.waitHere(numreplicas, timeoutMs);
  }

  /** WAIT against this thread's replicas and stream. */
  waitHere(numreplicas: number, timeoutMs: number): Promise<number> {
    const offset = this.offset;
    const now = this.ackedAt(offset);
    if (now >= numreplicas) return Promise.resolve(now);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | null = null;
      const stop = this.watchAcks(offset, (n) => {
        if (n < numreplicas) return;
        stop();
        if (timer !== null) clearTimeout(timer);
        resolve(n);
      });
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          stop();
          resolve(this.ackedAt(offset));
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
  watchAcks(offset: number, seen: (acked: number) => void): () => void {
    if (this.ackedAt(offset) < this.replicas.size) this.feedRaw(encode(['REPLCONF', 'GETACK', '*']));
    const w: AckWatcher = { offset, seen };
    this.ackWatchers.add(w);
    return () => this.ackWatchers.delete(w);
  }

  /** Seconds since a replica last acknowledged (INFO's lag=). */
  static lag(r: Replica, now: number): number {
    return Math.floor((now - r.ackTime) / 1000);
  }

  /** Replicas whose lag is at most `maxLag` seconds (Redis's repl_good_slaves_count). */
  goodReplicas(maxLag: number): number {
    const now = Date.now();
    let n = 0;
    for (const r of this.replicas) if (ReplicationFeed.lag(r, now) <= maxLag) n++;
    return n;
  }

  /**
   * min-replicas-to-write / min-replicas-max-lag: whether writes may run
   * (Redis's checkGoodReplicasStatus). With threads, the replicas of this
   * thread only.
   */
  enoughReplicas(): boolean {
    const need = getConfigNumber(this.server.config, 'min-replicas-to-write', 0);
    const maxLag = getConfigNumber(this.server.config, 'min-replicas-max-lag', 10);
    return need === 0 || maxLag === 0 || this.goodReplicas(maxLag) >= need;
  }

  /** Replicas for ROLE: [ip, port, acknowledged offset]. */
  roleEntries(): Array<[string, string, string]> {
    return [...this.replicas].map((r) => [r.client.addr.replace(/:\d+$/, ''), String(r.listeningPort), String(r.ackOffset)]);
  }

  /**
   * SYNC, or PSYNC with where the replica wants to resume: the bytes it
   * missed after +CONTINUE when the backlog still holds them and the history
   * is this one (or the one before a promotion, up to where it ended), else
   * +FULLRESYNC and a snapshot.
   */
  attach(c: Session, psync: PsyncRequest | null): void {
    const sock = c.socket;
    if (!sock) return;
    this.startCron();
    if (psync !== null && this.resume(c, psync)) return;
    // a replica that asked for a resume with a history (not "? -1") and did not get it
    if (psync !== null && psync.replid !== '?') this.syncPartialErr++;
    this.syncFull++;
    const capa = c.ext.replCapa as Set<string> | undefined;
    if (this.threads === null && capa?.has('eof') === true && getConfigValue(this.server.config, 'repl-diskless-sync') === 'yes') {
      return this.waitForDiskless(c, psync !== null);
    }
    if (this.threads === null) this.keepBacklog();
    const rdb = this.threads !== null ? this.threads.attach() : writeRdb(this.server.engine);
    c.reply.flush(sock);
    if (psync !== null) sock.write(`+FULLRESYNC ${this.replid} ${this.offset}\r\n`);
    sock.write(`$${rdb.length}\r\n`);
    sock.write(rdb);
    this.streamDb = -1;
    this.addReplica(c, psync !== null);
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
    this.keepBacklog();
    const rdb = writeRdb(this.server.engine);
    const mark = randomBytes(20).toString('hex');
    for (const { c, psync } of list) {
      const sock = c.socket!;
      c.reply.flush(sock);
      if (psync) sock.write(`+FULLRESYNC ${this.replid} ${this.offset}\r\n`);
      sock.write(`$EOF:${mark}\r\n`);
      sock.write(rdb);
      sock.write(mark);
      this.addReplica(c, psync);
    }
    this.streamDb = -1;
  }

  private resume(c: Session, req: PsyncRequest): boolean {
    // with threads each hub streams on its own offsets: always a full copy
    if (this.threads !== null || this.backlog === null) return false;
    const ours = req.replid === this.replid || (req.replid === this.replid2 && req.offset <= this.secondReplOffset + 1);
    if (!ours) return false;
    const missed = this.backlog.from(req.offset);
    if (missed === null) return false;
    this.syncPartialOk++;
    this.keepBacklog();
    const sock = c.socket!;
    c.reply.flush(sock);
    const capa = c.ext.replCapa as Set<string> | undefined;
    sock.write(capa?.has('psync2') === true ? `+CONTINUE ${this.replid}\r\n` : '+CONTINUE\r\n');
    if (missed.length !== 0) sock.write(missed);
    this.addReplica(c, true);
    return true;
  }

  private cronTimer: NodeJS.Timeout | null = null;
  private cronTicks = 0;

  /** Once a second while there are replicas (Redis's replicationCron). */
  private startCron(): void {
    if (this.cronTimer !== null) return;
    this.cronTimer = setInterval(() => this.cron(), 1000);
    this.cronTimer.unref();
  }

  /**
   * A PING in the stream every repl-ping-replica-period seconds, so replicas
   * see the link alive; replicas silent (no REPLCONF ACK) for repl-timeout
   * seconds are disconnected.
   */
  private cron(): void {
    if (this.replicas.size === 0) {
      clearInterval(this.cronTimer!);
      this.cronTimer = null;
      return;
    }
    const cfg = this.server.config;
    if (++this.cronTicks % Math.max(1, getConfigNumber(cfg, 'repl-ping-replica-period', 10)) === 0) this.feedRaw(encode(['PING']));
    const timeout = getConfigNumber(cfg, 'repl-timeout', 60) * 1000;
    const now = Date.now();
    for (const r of this.replicas) {
      if (!r.psync || now - r.ackTime <= timeout) continue;
      this.server.log?.('warning', `Disconnecting timedout replica (streaming sync): ${r.client.addr}`);
      r.client.close();
    }
  }

  /** The backlog exists (at repl-backlog-size) while replicas do, and repl-backlog-ttl seconds after the last leaves. */
  private keepBacklog(): void {
    if (this.backlogTimer !== null) clearTimeout(this.backlogTimer);
    this.backlogTimer = null;
    const size = getConfigNumber(this.server.config, 'repl-backlog-size', 1024 * 1024);
    if (this.backlog === null) this.backlog = new Backlog(size, this.offset);
    else if (this.backlog.size !== size) this.backlog.resize(size);
  }

  private addReplica(c: Session, psync: boolean): void {
    const r: Replica = { client: c, ackOffset: 0, listeningPort: (c.ext as { listeningPort?: number }).listeningPort ?? 0, ackTime: Date.now(), psync };
    this.replicas.add(r);
    c.onClose.push(() => {
      this.replicas.delete(r);
      if (this.replicas.size !== 0) return;
      this.threads?.detach();
      const ttl = getConfigNumber(this.server.config, 'repl-backlog-ttl', 3600);
      if (this.backlog !== null && ttl > 0) {
        this.backlogTimer = setTimeout(() => {
          this.backlogTimer = null;
          if (this.replicas.size === 0) this.backlog = null;
        }, ttl * 1000);
        this.backlogTimer.unref();
      }
    });
    // a replica's own commands (REPLCONF ACK …) get no replies
    c.replyMode = 'off';
    c.ext.replica = true;
  }
}
