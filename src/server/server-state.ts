/**
 * Everything a command can see of the server: config, engine, registry,
 * clients, stats, and the services built on them (which take narrow views
 * of it, see host.ts). Generic in its client class C: it sits below Client,
 * whose `server` is a ServerState<Client>, and still hands the command
 * families full clients and commands with their handlers.
 */
import type { Config } from '../config/config.ts';
import type { Engine } from '../engine/engine.ts';
import type { Registry } from '../commands/core/registry.ts';
import type { Loading } from './loading.ts';
import type { CommandInfo } from '../commands/core/command.ts';
import type { Session } from './session.ts';
import { BlockingManager } from '../engine/blocking.ts';
import { ReplicationFeed, type ReplicaView } from '../replication/primary.ts';
import { randomBytes } from 'node:crypto';
import { ClientPause } from './pause.ts';
import { SlowLog } from './slowlog.ts';
import { HeapCompactor } from './heap-compactor.ts';
import { MemoryLimit } from './memory-limit.ts';
import { ObufLimit } from '../pubsub/obuf-limit.ts';
import type { LogLevel } from './host.ts';
import { LatencyMonitor } from './latency.ts';
import { ServerLog, type LogSettings } from './log.ts';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import { PubSubHub } from '../pubsub/hub.ts';
import { KeyspaceNotifier } from '../pubsub/notifications.ts';
import type { FeedThreads } from '../reactivity/feeds.ts';
import { ChangeStream } from '../reactivity/change-stream.ts';
import type { Tracking } from '../reactivity/tracking.ts';
import { Acl } from '../security/acl.ts';
import { TlsContext } from '../security/tls.ts';
import { RateLimits } from '../security/rate-limit.ts';
import { clientInfoLine } from './client-info.ts';
import type { ThreadLink } from '../threads/link.ts';
import { ThreadLoad } from './thread-load.ts';
import type { ThreadSaves } from '../persistence/snapshot.ts';
import type { AofThreads } from '../persistence/aof.ts';

export interface ServerStats {
  totalConnections: number;
  rejectedConnections: number;
  commandsProcessed: number;
  netInputBytes: number;
  netOutputBytes: number;
  /** errorstats: error code (first word) → count */
  errors: Map<string, number>;
  totalErrorReplies: number;
  /** Values Redis would have freed in the background (INFO lazyfreed_objects, engine/lazyfree.ts). */
  lazyfreedObjects: number;
  /** Clients closed for client-query-buffer-limit / an output buffer limit (Redis 7.4's INFO fields). */
  qbufLimitDisconnections: number;
  obufLimitDisconnections: number;
  /** Reads handled from client sockets: the event loop cycles INFO's eventloop_* fields count. */
  eventLoopCycles: number;
  /** Scripts EVAL created that were evicted (Redis 7.4's evicted_scripts). */
  evictedScripts: number;
  /** Commands refused, and commands that waited, for a rate limit (shardis's INFO fields, security/rate-limit.ts). */
  rateLimitedCommands: number;
  rateLimitedDelays: number;
}

/** Decides whether a client may run a command right now: null = yes, else the error reply. */
export type Gate<C> = (c: C, cmd: CommandInfo, args: string[]) => string | null;

export class ServerState<C extends Session> {
  private nextClientId = 1;
  /**
   * A new client id: 1, 2, 3 … With threads (threads/runtime.ts) ids still
   * increase across the whole server and (id - 1) % threads is the client's thread.
   */
  newClientId: () => number = () => this.nextClientId++;
  /**
   * The highest id given so far: a client with a higher one connected later
   * (with threads, on any thread). CLIENT KILL spares those, as Redis's
   * single-threaded kill never meets a client that connects meanwhile.
   */
  lastClientId: () => number = () => this.nextClientId - 1;
  readonly clients = new Map<number, C>();
  /**
   * Connections that count against maxclients and in INFO connected_clients
   * without being among `clients` (CLIENT LIST): HTTP command requests while
   * they run, key feed streams over HTTP and gRPC. Taken and given back
   * through admit.ts.
   */
  unlistedConnections = 0;
  readonly startedAt = Date.now();
  readonly stats: ServerStats = {
    totalConnections: 0,
    rejectedConnections: 0,
    commandsProcessed: 0,
    netInputBytes: 0,
    netOutputBytes: 0,
    errors: new Map(),
    totalErrorReplies: 0,
    lazyfreedObjects: 0,
    qbufLimitDisconnections: 0,
    obufLimitDisconnections: 0,
    eventLoopCycles: 0,
    evictedScripts: 0,
    rateLimitedCommands: 0,
    rateLimitedDelays: 0,
  };
  /** 40 hex chars identifying this run (INFO run_id). */
  /** The server's run id (with threads, thread 0's, given to every other thread). */
  runId = randomBytes(20).toString('hex');
  /** Path of the config file given on the command line, if any. */
  configFile = '';
  peakMemory = 0;
  /** CLIENT PAUSE state: covered commands wait until it ends. */
  readonly pause = new ClientPause();
  /** Clients in MONITOR mode (fed by dispatch after every command). */
  readonly monitors = new Set<C>();
  /**
   * With threads: monitors on other threads (threads/runtime.ts). `active`
   * is true while any thread has one; `send` hands them a line; `count`
   * tracks this thread's monitors in the server-wide total.
   */
  monitorsElsewhere: { active(): boolean; send(line: string): void; count(delta: number): void } | null = null;
  /** Hooks run by RESET on a client (MULTI, subscriptions, tracking … clear their state). */
  readonly resetHooks: Array<(c: C) => void> = [];
  /** Run when the server closes (stops helpers such as the JavaScript functions' worker). */
  readonly closeHooks: Array<() => void> = [];
  /** Run after each client command (not inside EXEC or a script): JS triggers of the command's writes. */
  afterCommand: ((c: C) => void) | null = null;
  /** With threads: a write takes the global lock before it runs, so that it and its JS triggers are one atomic step. */
  lockWrites = false;
  /** commandsProcessed sampled every 100 ms (instantaneous_ops_per_sec). */
  private readonly opsSamples: number[] = [];
  private opsTimer: NodeJS.Timeout | null = null;
  /** Port actually bound (differs from config.port when it was 0). */
  port = 0;
  /** Set by the front end: stops listening and closes everything. */
  shutdown: (reason: string) => Promise<void> = async () => {};
  /** The link to the other threads of a multi-threaded server (src/threads/); null with one thread. */
  link: ThreadLink | null = null;
  /** With threads: snapshots of every thread's shards (threads/snapshots.ts). */
  threadSaves: ThreadSaves | null = null;
  /** With threads: the AOF every thread appends to (threads/aof-threads.ts). */
  aofThreads: AofThreads | null = null;
  /**
   * With threads: clients of other threads, for CLIENT TRACKING REDIRECT:
   * whether one exists, and an invalidation delivered to it (false when it
   * is gone, null when this thread cannot ask now: it is held).
   */
  clientsElsewhere: { exists(id: number): boolean; redirect(id: number, value: string): boolean | null } | null = null;
  /** With threads: what must reach other threads before a reply leaves (tracking invalidations); set by threads/runtime.ts. */
  beforeReply: (() => void) | null = null;
  /** With threads: runs other threads' jobs that were sent before a connection's requests arrived (threads/jobs.ts). */
  beforeRequests: (() => void) | null = null;
  /** The dataset is loaded and the front ends listen (HTTP /readyz). */
  ready = false;
  /** A replica's full sync loading in the background (server/loading.ts), else null. */
  loading: Loading | null = null;
  /** With threads: a setting changed on another thread is being replayed here (threads/runtime.ts). */
  replayingSetting = false;
  /** Writes this thread's AOF buffer now (with threads, before another thread can see its changes); set by the AOF. */
  flushAppendOnly: (() => void) | null = null;
  /** With threads: this thread's job counts (threads/jobs.ts) for INFO shardis; null with one thread. */
  jobCounts: (() => { sent: number; ran: number; inFlight: number }) | null = null;
  /** Sends a command to thread t as a job and writes its reply to c (threads/jobs.ts); null with one thread. */
  forward: ((c: C, t: number, args: string[], blocking: boolean) => Promise<void>) | null = null;
  /** Runs a command that changed server-wide settings on every other thread too (thread-gate.ts); null with one thread. */
  replayElsewhere: ((args: string[]) => void) | null = null;
  /** Told of every script the script cache takes in (EVAL, SCRIPT LOAD): with threads, the others cache it too. */
  onScriptAdded: ((body: string) => void) | null = null;
  /** Runs another thread's replayed command here (threads/runtime.ts). */
  replayHere: ((args: string[]) => void) | null = null;
  /** CLIENT UNBLOCK of a connection of another thread (threads/runtime.ts); null with one thread. */
  unblockElsewhere: ((id: number, withError: boolean) => boolean) | null = null;
  /** Runs a request on every other thread and returns their answers (threads/server-ops.ts); null with one thread. */
  others: ((req: { op: string; [field: string]: unknown }) => unknown[]) | null = null;
  /** Clients blocked on keys; served after each write command. */
  readonly blocking: BlockingManager;
  /** Replicas attached with SYNC/PSYNC and the write stream they receive. */
  readonly replication: ReplicationFeed;
  /** The link to this server's primary while it is a replica (REPLICAOF host port), else null. */
  replicaOf: ReplicaView | null = null;
  /** With threads: one-way messages from other threads that a module handles, by op (threads/runtime.ts's own come first). */
  readonly noticeHandlers = new Map<string, (m: { op: string; [field: string]: unknown }) => void>();
  /** With threads: what runs once every thread listens (threads/group.ts), such as cluster mode's start on thread 0. */
  afterThreadsStart: Array<() => Promise<void>> = [];
  /** cluster-enabled yes: the node's Cluster, or with threads a mirror of thread 0's (src/cluster/lens.ts; clusterOf types it). */
  cluster: object | null = null;
  /** cluster-enabled yes: the node's bus (src/cluster/bus.ts, typed by busOf), or with threads a relay to thread 0's: PUBLISH to the fleet, SPUBLISH to the shard. */
  clusterBus: object | null = null;
  /** cluster-enabled yes: which node serves a command (src/cluster/redirect.ts), after the ACL check. */
  clusterGate: ((c: C, cmd: CommandInfo, args: string[]) => string | null) | null = null;
  /** Told when a full sync replaced the dataset (the AOF rewrites itself); set by the AOF. */
  onDatasetReplaced: (() => void) | null = null;
  /** Checks run before every command (AUTH, MULTI state, pub/sub context…), in order. */
  readonly gates: Gate<C>[] = [];
  /** Discards a client's MULTI state and watches (set by the transactions family; used when EXEC is refused). */
  execAbort: ((c: C) => void) | null = null;
  /** Channels, patterns and shard channels with their subscribers (server-wide, not per shard). */
  readonly pubsub: PubSubHub;
  /** notify-keyspace-events: publishes the shards' key events. */
  readonly notifications: KeyspaceNotifier;
  /** Every write of every shard with sequence numbers (tracking, feeds); see src/reactivity/change-stream.ts. */
  readonly changes: ChangeStream;
  /** Key feeds' parts on other threads (threads/feed-threads.ts); null with one thread. */
  feedThreads: FeedThreads | null = null;
  /** CLIENT TRACKING state, created when a client first enables tracking (null: nobody ever did). */
  tracking: Tracking | null = null;
  /** With threads: tells the other threads whether this thread's tracking needs their key changes (threads/runtime.ts). */
  trackingElsewhere: { wired(on: boolean): void } | null = null;
  readonly slowlog = new SlowLog();
  readonly latency = new LatencyMonitor();
  /** Time every call (not 1 in N fast ones): SLOWLOG's threshold is low or the latency monitor is on. */
  timeAll = false;
  private slowlogUs = 10000;
  private readonly serverLog = new ServerLog();
  private readonly logSettings: LogSettings;
  slowlogMaxLen = 128;
  private latencyMs = 0;
  private latencyTracking = true;
  /** maxmemory in bytes (0 = no limit), read by the OOM gate. */
  maxmemory = 0;
  /** Used memory as counted against maxmemory, and eviction. */
  readonly memory: MemoryLimit;
  /** Compacts the V8 heap while the server is quiet (heap-compact-idle-ms). */
  readonly heapCompactor: HeapCompactor;
  /** This thread's event loop utilization (INFO shardis, /metrics). */
  readonly load = new ThreadLoad();
  /** client-output-buffer-limit of the normal class (checked as replies are flushed). */
  readonly normalObuf = new ObufLimit('normal');

  readonly config: Config;
  readonly engine: Engine;
  readonly registry: Registry<C>;
  /** Users, permissions and the ACL log. */
  readonly acl: Acl;
  /** The TLS context of this thread's TLS listeners and TLS client links (security/tls.ts). */
  readonly tls: TlsContext;
  /** Per-connection and per-user rate limits; `rateLimits.on` is the one check commands pass when none is set. */
  readonly rateLimits: RateLimits;

  constructor(config: Config, engine: Engine, registry: Registry<C>) {
    this.config = config;
    this.engine = engine;
    this.registry = registry;
    // syslog's settings are fixed at startup (immutable, as Redis's); the rest is read again on CONFIG SET
    this.logSettings = {
      level: config.loglevel, file: config.logfile, format: 'redis',
      syslog: {
        enabled: getConfigValue(config, 'syslog-enabled') === 'yes',
        ident: getConfigValue(config, 'syslog-ident') ?? 'redis',
        facility: getConfigValue(config, 'syslog-facility') ?? 'local0',
        server: getConfigValue(config, 'syslog-server') ?? '',
      },
    };
    this.tls = new TlsContext(config);
    this.acl = new Acl(registry, {
      subscriptionsOf: (c) => this.pubsub.subscriptionsOf(c),
      describe: (c) => clientInfoLine(c, this.monitors),
    });
    this.acl.allChannelsDefault = () => getConfigValue(config, 'acl-pubsub-default') === 'allchannels';
    if (config.requirepass !== '') this.acl.setDefaultPassword(config.requirepass);
    this.rateLimits = new RateLimits(this.acl, this.stats);
    this.acl.onUsersChanged = () => this.rateLimits.usersChanged();
    this.blocking = new BlockingManager(this);
    this.replication = new ReplicationFeed(this);
    this.pubsub = new PubSubHub(this);
    this.notifications = new KeyspaceNotifier(this, this.pubsub);
    this.changes = new ChangeStream(engine);
    this.memory = new MemoryLimit(this);
    this.heapCompactor = new HeapCompactor(this);
    this.pause.onChange = () => this.holdExpiry();
    this.readTimingConfig();
    this.rateLimits.configure(config);
    engine.expiry.onCycle = (ms) => this.latency.addSampleIfNeeded('expire-cycle', ms, this.latencyMs);
  }

  /**
   * Keys are not deleted for their TTL (actively or lazily; reads hide them)
   * while clients are paused and while this server is a replica: there its
   * primary's DELs remove them.
   */
  /**
   * What an RDB saved now records of replication (rdbPopulateSaveInfo): the
   * history of a server that has one (a backlog: a primary that had
   * replicas, or a replica that synced), so that after a restart it goes on.
   */
  replicationInfo(): { streamDb: number; replid: string; offset: number } | null {
    const feed = this.replication;
    if (feed.backlog === null || feed.threads !== null) return null;
    const db = this.replicaOf !== null ? this.replicaOf.streamDb() : feed.streamDb;
    return { streamDb: Math.max(0, db), replid: feed.replid, offset: feed.offset };
  }

  holdExpiry(): void {
    this.engine.setExpiryPaused(this.pause.type !== 0 || this.replicaOf !== null);
  }

  private readTimingConfig(): void {
    const cfg = this.config;
    this.logSettings.format = getConfigValue(cfg, 'log-format') === 'json' ? 'json' : 'redis';
    this.slowlogUs = getConfigNumber(cfg, 'slowlog-log-slower-than', 10000);
    this.slowlogMaxLen = getConfigNumber(cfg, 'slowlog-max-len', 128);
    this.latencyMs = getConfigNumber(cfg, 'latency-monitor-threshold', 0);
    this.latencyTracking = getConfigValue(cfg, 'latency-tracking') !== 'no';
    const maxmemory = getConfigNumber(cfg, 'maxmemory', 0);
    // lowering maxmemory evicts at once, as Redis's CONFIG SET maxmemory
    const lowered = maxmemory !== 0 && (this.maxmemory === 0 || maxmemory < this.maxmemory);
    this.maxmemory = maxmemory;
    this.normalObuf.parse(getConfigValue(cfg, 'client-output-buffer-limit') ?? '');
    if (lowered && this.memory !== undefined) this.memory.enforce();
    // fast commands rarely take a millisecond: above that, sampling them misses nothing that matters
    this.timeAll = (this.slowlogUs >= 0 && this.slowlogUs < 1000) || this.latencyMs > 0;
    this.slowlog.trim(this.slowlogMaxLen);
    this.acl.log.maxLen = getConfigNumber(cfg, 'acllog-max-len', 128);
    this.acl.log.trim();
  }

  /** A timed call took `us` µs (standing for `weight` calls): latency histogram, SLOWLOG, latency monitor. */
  observeCall(c: C, cmd: CommandInfo, args: string[], us: number, weight: number): void {
    if (this.latencyTracking) this.latency.recordCall(cmd, us, weight);
    if (this.slowlogUs >= 0 && us >= this.slowlogUs && !cmd.spec.flags.includes('skip_slowlog') && !c.ext.script) {
      this.slowlog.add(c, args, us, this.slowlogMaxLen);
    }
    if (this.latencyMs > 0) this.latency.addSampleIfNeeded(cmd.spec.flags.includes('fast') ? 'fast-command' : 'command', us / 1000, this.latencyMs);
  }

  startTimers(): void {
    this.heapCompactor.configure();
    this.opsTimer = setInterval(() => {
      this.opsSamples.push(this.stats.commandsProcessed);
      if (this.opsSamples.length > 16) this.opsSamples.shift();
    }, 100);
    this.opsTimer.unref();
  }

  stopTimers(): void {
    this.serverLog.close();
    this.memory.stop();
    this.heapCompactor.stop();
    if (this.opsTimer) clearInterval(this.opsTimer);
  }

  opsPerSec(): number {
    const n = this.opsSamples.length;
    if (n < 2) return 0;
    return Math.round(((this.opsSamples[n - 1]! - this.opsSamples[0]!) * 10) / (n - 1));
  }

  gate(c: C, cmd: CommandInfo, args: string[]): string | null {
    const gates = this.gates;
    for (let i = 0; i < gates.length; i++) {
      const r = gates[i]!(c, cmd, args);
      if (r !== null) return r;
    }
    return null;
  }

  /** The connections open on this thread, as maxclients counts them: the clients and the unlisted ones. */
  connections(): number {
    return this.clients.size + this.unlistedConnections;
  }

  /** Called after CONFIG SET with the changed parameter names. */
  onConfigChange(names: string[]): void {
    // requirepass is the default user's password (Redis's ACLUpdateDefaultUserPassword)
    if (names.includes('requirepass')) this.acl.setDefaultPassword(this.config.requirepass);
    if (names.includes('repl-backlog-size')) this.replication.backlog?.resize(this.replication.backlogSize());
    if (names.includes('tls-auth-clients')) this.tls.applyPolicy();
    this.readTimingConfig();
    this.rateLimits.configure(this.config);
    this.pubsub.configure();
    this.notifications.configure();
    this.tracking?.configure();
    if (this.opsTimer !== null) this.heapCompactor.configure();
    for (const c of this.clients.values()) c.parser.setMaxBulkLen(this.config.protoMaxBulkLen);
  }

  /** Hooks run after SWAPDB (blocked clients, WATCH …). */
  readonly swapDbHooks: Array<(a: number, b: number) => void> = [];

  /**
   * With threads: SWAPDB as the owner of a key saw it, for this thread's
   * watchers of that key (whether it existed on either side, and whether it
   * is now a stale key); set by WATCH's table.
   */
  watchSwapped: ((db: number, key: string, existed: boolean, exists: boolean, stale: boolean) => void) | null = null;

  /** SWAPDBs applied since start (with threads every thread applies each, in the same order). */
  swapDbCount = 0;

  onSwapDb(a: number, b: number): void {
    this.swapDbCount++;
    for (const h of this.swapDbHooks) h(a, b);
  }

  /** CONFIG RESETSTAT */
  resetStats(): void {
    const st = this.stats;
    st.totalConnections = 0;
    st.rejectedConnections = 0;
    st.commandsProcessed = 0;
    st.netInputBytes = 0;
    st.netOutputBytes = 0;
    st.errors.clear();
    st.totalErrorReplies = 0;
    st.lazyfreedObjects = 0;
    st.qbufLimitDisconnections = 0;
    st.obufLimitDisconnections = 0;
    st.evictedScripts = 0;
    st.rateLimitedCommands = 0;
    st.rateLimitedDelays = 0;
    const sync = this.replication.syncStats;
    sync.full = sync.partialOk = sync.partialErr = 0;
    for (const cmd of this.registry.all()) {
      cmd.calls = 0;
      cmd.usec = 0;
      cmd.rejectedCalls = 0;
      cmd.failedCalls = 0;
    }
    this.latency.resetHistograms();
    this.memory.evictedKeys = 0;
    this.memory.evictedClients = 0;
    // the guest shard's too (keys borrowed from other threads count there)
    for (const sh of this.engine.eventShards) {
      sh.stats.keyspaceHits = 0;
      sh.stats.keyspaceMisses = 0;
      sh.stats.expiredKeys = 0;
      sh.stats.expiredSubkeys = 0;
    }
  }

  countError(msg: string): void {
    const sp = msg.indexOf(' ');
    const code = sp < 0 ? msg : msg.slice(0, sp);
    this.stats.errors.set(code, (this.stats.errors.get(code) ?? 0) + 1);
    this.stats.totalErrorReplies++;
  }

  /** A line in the server log (server/log.ts): Redis's format or JSON, standard output or logfile, and syslog. */
  log(level: LogLevel, msg: string): void {
    this.logSettings.level = this.config.loglevel;
    this.logSettings.file = this.config.logfile;
    this.serverLog.write(level, msg, this.replicaOf !== null ? 'S' : 'M', this.logSettings);
  }
}
