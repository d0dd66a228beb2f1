/**
 * The replica side of replication (Redis 7.0's syncWithMaster,
 * readSyncBulkPayload and replicationCron): a link to the primary that
 * connects, authenticates (masteruser / masterauth), announces its port and
 * capabilities, asks PSYNC, loads the RDB of a full resync in place of the
 * dataset (or, after +CONTINUE, keeps it), then runs the command stream as
 * the master client: through the normal dispatch, replies muted, every key
 * live until the primary deletes it, REPLCONF GETACK answered with
 * REPLCONF ACK <offset>. The offset counts the stream's bytes applied; an
 * ACK goes every second; a dropped link is retried every second with
 * PSYNC <replid> <offset + 1> (a partial resync where the primary can).
 * Replicas of this replica get the stream as it came (ReplicationFeed.proxy).
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Client, type Requests } from '../server/client.ts';
import { execute } from '../server/dispatch.ts';
import type { ServerState } from '../server/server-state.ts';
import { encodeCommand } from '../persistence/aof-writer.ts';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import { RdbTransfer } from './rdb-transfer.ts';
import { loadSyncRdb } from './load-sync.ts';
import { WritableReplicaKeys } from './replica-keys.ts';
import { startLoading } from '../server/loading.ts';
import type { ReplicaView } from './primary.ts';

/** Redis's repl_state as ROLE names it (handshake: the replies before PSYNC's; transfer: "sync"). */
export type LinkState = 'connect' | 'connecting' | 'handshake' | 'transfer' | 'connected';

/** What a dropped link keeps to ask for the rest of the stream (Redis's cached master). */
export interface CachedMaster {
  replid: string;
  offset: number;
  db: number;
}

class LinkError extends Error {}

const EMPTY: Buffer = Buffer.alloc(0);

function isGetAck(args: readonly string[]): boolean {
  return args.length >= 2 && args[0]!.toLowerCase() === 'replconf' && args[1]!.toLowerCase() === 'getack';
}

/** ROLE's state names (Redis's roleCommand). */
const ROLE_STATE: Record<LinkState, string> = { connect: 'connect', connecting: 'connecting', handshake: 'handshake', transfer: 'sync', connected: 'connected' };

export class ReplicaLink implements ReplicaView {
  readonly host: string;
  readonly port: number;
  private linkState: LinkState = 'connect';
  /** Told of every change of state (with threads, the other threads read whether the link is up). */
  onState: ((state: LinkState) => void) | null = null;

  get state(): LinkState {
    return this.linkState;
  }

  set state(v: LinkState) {
    this.linkState = v;
    this.onState?.(v);
  }

  /** The master client while the stream runs. */
  master: Client | null = null;
  /** Stream offset applied (slave_repl_offset) and read from the socket (slave_read_repl_offset). */
  reploff = 0;
  readOff = 0;
  /** When the link went down (ms; 0 while it is up or before it first was). */
  downSince = 0;
  /** The RDB being received during a full sync, and when bytes of it last came. */
  transfer: RdbTransfer | null = null;
  transferLastIo = 0;
  private readonly server: ServerState<Client>;
  private sock: Socket | null = null;
  /** Bumped by every new connection and drop: callbacks of an older one do nothing. */
  private gen = 0;
  private cached: CachedMaster | null = null;
  private stopped = false;
  /** How the file of the current full sync is loaded (fileArrives). */
  private loadMode: 'memory' | 'swapdb' | 'empty' = 'memory';
  /** Keys this replica's own clients gave a TTL (replica-read-only no). */
  private readonly ownKeys: WritableReplicaKeys;
  private timer: NodeJS.Timeout | null = null;
  /** Bytes read during the handshake and not yet taken as a reply line. */
  private inbuf: Buffer = EMPTY;
  private waiter: { resolve: (line: string) => void; reject: (e: Error) => void } | null = null;
  /** +FULLRESYNC's replication ID and offset while its RDB arrives. */
  private pendingSync: { replid: string; offset: number } | null = null;
  /** Last I/O before the stream starts (repl-timeout while connecting). */
  private lastIo = 0;
  /** Removes the handshake's socket listeners (the master client takes the socket over). */
  private detach: () => void = () => {};
  private readonly requests: Requests = {
    execute: (c, args) => this.apply(c, args),
    chainJob: () => null,
  };

  /** `cached`: the history this server holds, which the primary may continue (PSYNC replid offset + 1). */
  constructor(server: ServerState<Client>, host: string, port: number, cached: CachedMaster | null = null) {
    this.server = server;
    this.host = host;
    this.port = port;
    this.cached = cached;
    this.ownKeys = new WritableReplicaKeys(server.engine, server.registry);
  }

  clientWrote(db: number, args: readonly string[]): void {
    this.ownKeys.clientWrote(db, args);
  }

  /** Connects now and keeps the link alive every second (replicationCron). */
  start(): void {
    this.server.log('notice', `Connecting to MASTER ${this.host}:${this.port}`);
    this.timer = setInterval(() => this.cron(), 1000);
    this.timer.unref();
    this.connect();
  }

  /** Ends the link for good (REPLICAOF NO ONE or another primary). */
  stop(): void {
    this.stopped = true;
    this.ownKeys.clear();
    this.abortLoad();
    if (this.timer !== null) clearInterval(this.timer);
    this.gen++;
    this.waiter?.reject(new LinkError('stopped'));
    this.waiter = null;
    if (this.master !== null) this.master.close();
    this.sock?.destroy();
    this.sock = null;
  }

  up(): boolean {
    return this.state === 'connected';
  }

  role(): [string, string, number, string, number] {
    return ['slave', this.host, this.port, ROLE_STATE[this.state], this.master !== null ? this.reploff : -1];
  }

  /**
   * How old this replica's data may be (Redis's data_age in
   * clusterHandleSlaveFailover): since the master last sent anything while
   * the link is up, else since the link went down (Infinity: never up).
   */
  dataAgeMs(now = Date.now()): number {
    const mc = this.master;
    if (this.up() && mc !== null) return now - mc.lastInteraction;
    return this.downSince !== 0 ? now - this.downSince : Infinity;
  }

  /** Redis 7.0's genRedisInfoString for a replica: from master_host to replica_announced. */
  infoFields(): Array<[name: string, value: string | number]> {
    const now = Date.now();
    const secs = (ms: number): number => Math.floor((now - ms) / 1000);
    const cfg = this.server.config;
    const mc = this.master;
    // without a master client, a cached one's offsets (else 1), as Redis
    const idle = this.cached?.offset ?? 1;
    const out: Array<[string, string | number]> = [
      ['master_host', this.host],
      ['master_port', this.port],
      ['master_link_status', this.up() ? 'up' : 'down'],
      ['master_last_io_seconds_ago', mc !== null ? secs(mc.lastInteraction) : -1],
      ['master_sync_in_progress', this.state === 'transfer' ? 1 : 0],
      ['slave_read_repl_offset', mc !== null ? this.readOff : idle],
      ['slave_repl_offset', mc !== null ? this.reploff : idle],
    ];
    const t = this.transfer;
    if (this.state === 'transfer' && t !== null) {
      out.push(
        ['master_sync_total_bytes', t.size],
        ['master_sync_read_bytes', t.read],
        ['master_sync_left_bytes', t.size >= 0 ? t.size - t.read : -1],
        ['master_sync_perc', (t.size > 0 ? (t.read / t.size) * 100 : 0).toFixed(2)],
        ['master_sync_last_io_seconds_ago', secs(this.transferLastIo)],
      );
    }
    if (!this.up()) out.push(['master_link_down_since_seconds', this.downSince !== 0 ? secs(this.downSince) : -1]);
    out.push(
      ['slave_priority', getConfigNumber(cfg, 'replica-priority', 100)],
      ['slave_read_only', getConfigValue(cfg, 'replica-read-only') === 'no' ? 0 : 1],
      ['replica_announced', getConfigValue(cfg, 'replica-announced') === 'no' ? 0 : 1],
    );
    return out;
  }

  streamDb(): number {
    return this.master?.db ?? this.cached?.db ?? 0;
  }

  private connect(): void {
    const gen = ++this.gen;
    this.state = 'connecting';
    this.lastIo = Date.now();
    this.inbuf = EMPTY;
    // tls-replication yes: the link to the primary is a TLS client connection (the primary's tls-port; in
    // cluster mode the master's published tls-port, cluster/tls-ports.ts)
    const tls = getConfigValue(this.server.config, 'tls-replication') === 'yes';
    const material = tls ? this.server.tls.material : null;
    const sock = material !== null ? tlsConnect({ ...material.client, host: this.host, port: this.port }) : connect({ host: this.host, port: this.port });
    this.sock = sock;
    sock.setNoDelay(true);
    const onData = (chunk: Buffer): void => {
      if (gen !== this.gen) return;
      this.lastIo = Date.now();
      if (this.transfer !== null) this.onTransfer(chunk);
      else {
        this.inbuf = this.inbuf.length === 0 ? chunk : Buffer.concat([this.inbuf, chunk]);
        this.pump();
      }
    };
    const onError = (e: Error): void => this.fail(gen, `Error condition on socket for SYNC: ${e.message}`);
    const onClose = (): void => this.fail(gen, this.transfer !== null ? 'I/O error trying to sync with MASTER: connection lost' : 'Master closed the connection during the handshake');
    sock.on('data', onData);
    sock.on('error', onError);
    sock.on('close', onClose);
    this.detach = () => {
      sock.off('data', onData);
      sock.off('error', onError);
      sock.off('close', onClose);
    };
    sock.once(material !== null ? 'secureConnect' : 'connect', () => {
      if (gen !== this.gen) return;
      this.server.log('notice', 'MASTER <-> REPLICA sync started');
      this.state = 'handshake';
      this.handshake(gen).catch((e: unknown) => this.fail(gen, (e as Error).message));
    });
  }

  /** Drops a connection that is not (yet) streaming; the next cron tick connects again. */
  private fail(gen: number, why: string): void {
    if (gen !== this.gen || this.stopped) return;
    this.gen++;
    const inTransfer = this.transfer !== null;
    this.server.log('warning', why);
    this.abortLoad();
    this.waiter?.reject(new LinkError(why));
    this.waiter = null;
    this.detach();
    this.sock?.destroy();
    this.sock = null;
    this.transfer = null;
    this.pendingSync = null;
    this.state = 'connect';
    // a transfer cut short: connect again at once, not at the next cron tick (cancelReplicationHandshake)
    if (inTransfer) {
      this.server.log('notice', `Reconnecting to MASTER ${this.host}:${this.port} after failure`);
      setImmediate(() => {
        if (!this.stopped && this.state === 'connect') this.connect();
      });
    }
  }

  private send(args: readonly string[]): void {
    this.sock?.write(encodeCommand(args), 'latin1');
  }

  /** The next reply line of the handshake (without CRLF). */
  private line(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.pump();
    });
  }

  private pump(): void {
    if (this.waiter === null) return;
    const nl = this.inbuf.indexOf(10);
    if (nl < 0) return;
    const line = this.inbuf.latin1Slice(0, nl).replace(/\r$/, '');
    this.inbuf = this.inbuf.subarray(nl + 1);
    const w = this.waiter;
    this.waiter = null;
    w.resolve(line);
  }

  /** PING, AUTH, REPLCONF listening-port / ip-address / capa (pipelined as Redis does), then PSYNC. */
  private async handshake(gen: number): Promise<void> {
    const cfg = this.server.config;
    this.send(['PING']);
    const pong = await this.line();
    // a primary that wants AUTH answers PING with NOAUTH: the AUTH below follows
    if (pong.startsWith('-') && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(pong)) throw new LinkError(`Error reply to PING from master: '${pong}'`);
    const pass = getConfigValue(cfg, 'masterauth') ?? '';
    const user = getConfigValue(cfg, 'masteruser') ?? '';
    if (pass !== '') this.send(user !== '' ? ['AUTH', user, pass] : ['AUTH', pass]);
    // a TLS replica announces its tls-port, as Redis's
    const tlsPort = getConfigValue(cfg, 'tls-replication') === 'yes' ? getConfigNumber(cfg, 'tls-port', 0) : 0;
    const port = getConfigNumber(cfg, 'replica-announce-port', 0) || tlsPort || this.server.port;
    this.send(['REPLCONF', 'listening-port', String(port)]);
    const ip = getConfigValue(cfg, 'replica-announce-ip') ?? '';
    if (ip !== '') this.send(['REPLCONF', 'ip-address', ip]);
    this.send(['REPLCONF', 'capa', 'eof', 'capa', 'psync2']);
    if (pass !== '') {
      const r = await this.line();
      if (r.startsWith('-')) throw new LinkError(`Unable to AUTH to MASTER: ${r}`);
    }
    const portReply = await this.line();
    if (portReply.startsWith('-')) this.server.log('notice', `(Non critical) Master does not understand REPLCONF listening-port: ${portReply}`);
    if (ip !== '') {
      const r = await this.line();
      if (r.startsWith('-')) this.server.log('notice', `(Non critical) Master does not understand REPLCONF ip-address: ${r}`);
    }
    const capa = await this.line();
    if (capa.startsWith('-')) this.server.log('notice', `(Non critical) Master does not understand REPLCONF capa: ${capa}`);
    if (gen !== this.gen) return;
    const c = this.cached;
    if (c !== null) this.server.log('notice', `Trying a partial resynchronization (request ${c.replid}:${c.offset + 1}).`);
    else this.server.log('notice', 'Partial resynchronization not possible (no cached master)');
    const psync = c !== null ? ['PSYNC', c.replid, String(c.offset + 1)] : ['PSYNC', '?', '-1'];
    // a primary failing over to this one asks it to take over (it promotes itself and continues our history)
    const failover = this.server.replication.failover;
    if (failover !== null && failover.state === 'failover-in-progress') psync.push('FAILOVER');
    this.send(psync);
    let reply = '';
    // the primary may send newlines before its reply (keep-alives)
    while (reply === '') reply = await this.line();
    if (gen !== this.gen) return;
    // the planned failover: +CONTINUE (or, in edge cases, +FULLRESYNC) ends it; anything else rolls it back
    if (psync.length === 4 && this.server.replication.failover === failover && failover !== null) {
      if (reply.startsWith('+CONTINUE') || reply.startsWith('+FULLRESYNC')) failover.done();
      else return failover.abort('Failover target rejected psync request');
    }
    if (reply.startsWith('+FULLRESYNC')) {
      const [, replid, offset] = reply.split(' ');
      if (replid === undefined || replid.length !== 40 || !/^\d+$/.test(offset ?? '')) throw new LinkError(`Master replied with wrong +FULLRESYNC syntax: ${reply}`);
      this.server.log('notice', `Full resync from master: ${replid}:${offset}`);
      this.cached = null;
      this.beginTransfer(replid, Number(offset));
    } else if (reply.startsWith('+CONTINUE') && c !== null) {
      this.server.log('notice', 'MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.');
      this.resume(c, reply.slice(9).trim());
    } else if (reply.startsWith('-NOMASTERLINK') || reply.startsWith('-LOADING')) {
      throw new LinkError(`Master is currently unable to PSYNC but should be in the future: ${reply}`);
    } else throw new LinkError(`Unexpected reply to PSYNC from master: ${reply}`);
  }

  private beginTransfer(replid: string, offset: number): void {
    this.state = 'transfer';
    this.transfer = new RdbTransfer();
    this.transferLastIo = Date.now();
    this.pendingSync = { replid, offset };
    const rest = this.inbuf;
    this.inbuf = EMPTY;
    if (rest.length > 0) this.onTransfer(rest);
  }

  private onTransfer(chunk: Buffer): void {
    const gen = this.gen;
    const t = this.transfer!;
    const wasStarted = t.started;
    let done: { rdb: Buffer; rest: Buffer } | null;
    try {
      done = t.feed(chunk);
    } catch (e) {
      return this.fail(gen, (e as Error).message);
    }
    this.transferLastIo = Date.now();
    const { replid, offset } = this.pendingSync!;
    if (!wasStarted && t.started) this.fileArrives(t, replid);
    if (this.server.loading !== null) this.server.loading.loadedBytes = t.read;
    if (done === null) return;
    this.pendingSync = null;
    const s = this.server;
    const mode = this.loadMode;
    if (mode === 'memory') {
      // this replica's replicas follow another history now: they sync again
      s.replication.disconnectReplicas();
      s.log('notice', 'MASTER <-> REPLICA sync: Flushing old data');
      s.log('notice', 'MASTER <-> REPLICA sync: Loading DB in memory');
    }
    let db: number;
    try {
      db = loadSyncRdb(s, done.rdb);
      // with threads every other thread loads its own keys of the file too
      s.replication.threads?.loadEverywhere(done.rdb);
      this.ownKeys.clear();
    } catch (e) {
      s.loading = null;
      return this.fail(gen, `Failed trying to load the MASTER synchronization DB: ${(e as Error).message}`);
    }
    s.loading = null;
    if (mode === 'swapdb') {
      s.replication.disconnectReplicas();
      s.log('notice', 'MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
    }
    s.replication.adoptHistory(replid, offset);
    s.onDatasetReplaced?.();
    s.log('notice', 'MASTER <-> REPLICA sync: Finished with success');
    this.startStream(offset, db, done.rest);
  }

  /**
   * The file starts to arrive: how it will be loaded (repl-diskless-load).
   * `disabled` receives it whole, then flushes and loads. `swapdb` (and
   * `on-empty-db` with no keys) is Redis's diskless load: the load counts
   * from now (INFO loading, LOADING to clients), and with swapdb the old
   * dataset stays until the new one is whole — served meanwhile
   * (async_loading) when the primary continues this server's own history.
   */
  private fileArrives(t: RdbTransfer, replid: string): void {
    const s = this.server;
    const setting = getConfigValue(s.config, 'repl-diskless-load') ?? 'disabled';
    const empty = (): boolean => {
      for (let db = 0; db < s.engine.databases; db++) if (s.engine.dbSize(db) !== 0) return false;
      return true;
    };
    this.loadMode = setting === 'swapdb' ? 'swapdb' : setting === 'on-empty-db' && empty() ? 'empty' : 'memory';
    const to = this.loadMode === 'memory' ? 'to memory' : 'to parser';
    s.log('notice', t.size >= 0 ? `MASTER <-> REPLICA sync: receiving ${t.size} bytes from master ${to}` : `MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF ${to}`);
    if (this.loadMode === 'memory') return;
    if (this.loadMode === 'empty') {
      s.replication.disconnectReplicas();
      s.log('notice', 'MASTER <-> REPLICA sync: Flushing old data');
    }
    s.log('notice', 'MASTER <-> REPLICA sync: Loading DB in memory');
    s.loading = startLoading(this.loadMode === 'swapdb' && s.replication.replid === replid, t.size);
  }

  /** A transfer cut short while loading: the old dataset stays (swapdb), as Redis's failed diskless load. */
  private abortLoad(): void {
    const s = this.server;
    if (s.loading === null) return;
    s.log('warning', `Internal error in RDB reading offset ${s.loading.loadedBytes}, function at rdb-transfer.ts -> Unexpected EOF reading RDB file. Failure loading rdb format from socket, assuming connection error, resuming operation.`);
    s.log('warning', 'Failed trying to load the MASTER synchronization DB from socket: connection lost');
    s.loading = null;
    if (this.loadMode === 'swapdb') s.log('notice', 'MASTER <-> REPLICA sync: Discarding temporary DB in background');
  }

  /** +CONTINUE [replid]: the dataset stays; a new ID means the primary's history moved on (it was promoted). */
  private resume(c: CachedMaster, replid: string): void {
    const feed = this.server.replication;
    if (replid !== '' && replid !== feed.replid) {
      this.server.log('notice', `Master replication ID changed to ${replid}`);
      feed.shiftReplid(replid);
      feed.disconnectReplicas();
    }
    const rest = this.inbuf;
    this.inbuf = EMPTY;
    this.startStream(c.offset, c.db, rest);
  }

  /** The socket becomes the master client's: the stream runs through dispatch from `rest` on. */
  private startStream(offset: number, db: number, rest: Buffer): void {
    const sock = this.sock!;
    this.detach();
    this.detach = () => {};
    this.transfer = null;
    this.reploff = offset;
    this.readOff = offset;
    sock.on('data', (chunk: Buffer) => {
      this.readOff += chunk.length;
    });
    const s = this.server;
    const mc = new Client(s, sock, this.requests);
    // the primary is obeyed: every permission, no replies, nothing blocks
    mc.user = s.acl.internalUser;
    mc.authenticated = true;
    mc.ext.master = true;
    mc.ext.denyBlocking = true;
    mc.replyMode = 'off';
    mc.db = db;
    mc.onClose.push(() => this.masterGone(mc));
    s.clients.set(mc.id, mc);
    this.master = mc;
    this.state = 'connected';
    this.downSince = 0;
    // the first ACK puts this replica online on a diskless primary
    this.sendAck();
    if (rest.length > 0) sock.emit('data', rest);
  }

  /** The master client closed (link lost, CLIENT KILL TYPE master): keep what a partial resync asks for, reconnect. */
  private masterGone(mc: Client): void {
    if (this.master !== mc) return;
    this.master = null;
    this.sock = null;
    if (this.stopped) return;
    this.gen++;
    this.server.log('notice', 'Connection with master lost.');
    this.server.log('notice', 'Caching the disconnected master state.');
    this.cached = { replid: this.server.replication.replid, offset: this.reploff, db: mc.db };
    this.state = 'connect';
    this.downSince = Date.now();
    // at once rather than at the next cron tick: waiting risks the backlog moving past this offset
    this.server.log('notice', `Reconnecting to MASTER ${this.host}:${this.port}`);
    setImmediate(() => {
      if (!this.stopped && this.state === 'connect') this.connect();
    });
  }

  /** Runs one command of the stream as the master client and counts its bytes once it ran. */
  private apply(c: Client, args: string[]): Promise<void> | undefined {
    const cmd = encodeCommand(args);
    // answered with the offset before the GETACK itself, as Redis's replconfCommand
    if (isGetAck(args)) {
      this.sendAck();
      this.applied(c, cmd);
      return undefined;
    }
    const engine = this.server.engine;
    const errors = this.server.stats.totalErrorReplies;
    engine.setExpiryIgnored(true);
    let r: Promise<void> | undefined;
    try {
      r = execute(c, args);
    } finally {
      engine.setExpiryIgnored(false);
    }
    if (r === undefined) {
      this.applied(c, cmd, args, errors);
      return undefined;
    }
    return r.then(() => this.applied(c, cmd, args, errors));
  }

  /** Counts a command of the stream as applied (and passes it on); one that failed is logged, as Redis does. */
  private applied(c: Client, cmd: string, args: readonly string[] = [], errors = this.server.stats.totalErrorReplies): void {
    if (c !== this.master) return;
    if (this.server.stats.totalErrorReplies !== errors) {
      this.server.log('warning', `== CRITICAL == This replica is sending an error to its master after processing the command '${args[0]}'`);
    }
    this.reploff += cmd.length;
    this.server.replication.proxy(cmd);
  }

  /**
   * REPLCONF ACK <offset>, with FACK <aofoffset> while the AOF is on (Redis
   * 7.2's replicationSendAck: where this replica's AOF is fsynced, for its
   * primary's WAITAOF). An ACK whose FACK fell short of the offset is sent
   * again as soon as the AOF fsynced that far, rather than at the next
   * second's.
   */
  private sendAck(): void {
    if (this.master === null) return;
    const feed = this.server.replication;
    const fack = feed.fsyncedReploff();
    if (fack === -1) return this.send(['REPLCONF', 'ACK', String(this.reploff)]);
    this.send(['REPLCONF', 'ACK', String(this.reploff), 'FACK', String(fack)]);
    if (fack < this.reploff) {
      this.owedFack = this.reploff;
      feed.aofListeners.add(this.fackOwed);
    }
  }

  /** The offset an ACK's FACK fell short of: an ACK goes again once the AOF is fsynced that far. */
  private owedFack = 0;

  private readonly fackOwed = (): void => {
    const feed = this.server.replication;
    const fack = feed.fsyncedReploff();
    if (fack !== -1 && fack < this.owedFack) return;
    feed.aofListeners.delete(this.fackOwed);
    if (fack !== -1 && this.master !== null && this.state === 'connected') this.sendAck();
  };

  /** Every second: connect when down, time out a silent primary (repl-timeout), ACK the offset. */
  private cron(): void {
    const now = Date.now();
    const timeout = getConfigNumber(this.server.config, 'repl-timeout', 60) * 1000;
    switch (this.state) {
      case 'connect':
        this.connect();
        return;
      case 'connecting':
      case 'handshake':
        if (now - this.lastIo > timeout) this.fail(this.gen, 'Timeout connecting to the MASTER...');
        return;
      case 'transfer':
        if (now - this.transferLastIo > timeout) {
          this.fail(this.gen, "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.");
        }
        return;
      case 'connected':
        if (this.master !== null && now - this.master.lastInteraction > timeout) {
          this.server.log('warning', 'MASTER timeout: no data nor PING received...');
          this.master.close();
          return;
        }
        this.sendAck();
    }
  }
}
