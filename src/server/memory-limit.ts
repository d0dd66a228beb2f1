/**
 * maxmemory: the memory the server counts as used, and eviction
 * (maxmemory-policy) when it goes over the limit, as Redis's
 * performEvictions: before a command that may use memory and when
 * maxmemory is lowered.
 *
 * Used memory is an empty Redis's ~0.9 MB plus the dataset's own
 * accounting (Keyspace.bytes: every key, value and TTL as stored, kept
 * current by each write, engine/dataset-bytes.ts) plus the clients' query
 * and reply buffers, as Redis's zmalloc counter. It moves with the data
 * and at once: an evicted key's bytes leave the count when it goes, not
 * when the garbage collector gets to it, so eviction stops at the limit.
 *
 * Policies: allkeys-* pick from every key, volatile-* from keys with a TTL;
 * the LRU / LFU / volatile-ttl ones through Redis's eviction pool
 * (eviction-pool.ts) on each key's LRU clock or LFU counter (Keyspace.lruWord),
 * the random ones a random key.
 *
 * This is also where the keyspaces learn the tracking policy (LruPolicy:
 * maxmemory-policy, lfu-log-factor, lfu-decay-time), at start-up and after
 * every CONFIG SET.
 */
import type { Session } from './session.ts';
import type { Logger } from './host.ts';
import type { Engine } from '../engine/engine.ts';
import type { ThreadLink } from '../threads/link.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import { getConfigNumber, getConfigValue, type Config } from '../config/config.ts';
import { LruPolicy } from '../engine/lru.ts';
import { EvictionPool } from './eviction-pool.ts';

/** used_memory of an empty Redis 7.0 (used_memory_startup). */
export const EMPTY_SERVER_BYTES = 900 * 1024;
/** Keys examined per eviction (maxmemory-samples' default). */
const SAMPLES = 5;
/** How often the LRU clock is refreshed (Redis: every serverCron at hz 10). */
const CLOCK_TICK_MS = 100;
/** What a connected client itself costs (its objects, parser and socket), besides its buffers. */
const CLIENT_BYTES = 2048;

/** What the memory limit reads of the server. */
export interface MemoryHost extends Logger {
  readonly engine: Engine;
  readonly config: Config;
  /** This thread's clients (their buffers count; maxmemory-clients evicts them). */
  readonly clients: ReadonlyMap<number, Session>;
  /** maxmemory in bytes (0: no limit). */
  readonly maxmemory: number;
  readonly link: ThreadLink | null;
  /** Wrapped so that CONFIG SET re-reads the eviction policy first. */
  onConfigChange(names: string[]): void;
}

export class MemoryLimit {
  evictedKeys = 0;
  /** Clients disconnected by maxmemory-clients (INFO evicted_clients). */
  evictedClients = 0;
  /** Highest used memory seen (used_memory_peak). */
  peak = 0;
  /** maxmemory-clients in bytes (0: no client eviction). */
  private clientsLimit = 0;
  /** The clients' bytes as last summed, and when (summed at most once a millisecond). */
  private clientsBytes = 0;
  private clientsAt = -1;
  /** The access-tracking policy every keyspace of the server reads. */
  readonly lruPolicy = new LruPolicy();
  private readonly pool = new EvictionPool();
  private policyName = '';
  /** Refreshes the policy's cached LRU clock (Redis's serverCron updating server.lruclock). */
  private clockTimer: NodeJS.Timeout | null;

  private readonly state: MemoryHost;

  constructor(state: MemoryHost) {
    this.state = state;
    for (let db = 0; db < state.engine.databases; db++) {
      for (const ks of state.engine.keyspaces(db)) ks.lruPolicy = this.lruPolicy;
      // with threads, keys borrowed from other threads live in the guest shard: their accesses count too
      const guest = state.engine.guest?.dbs[db];
      if (guest !== undefined) guest.lruPolicy = this.lruPolicy;
    }
    this.configure();
    this.clockTimer = setInterval(() => {
      this.lruPolicy.tick(Date.now());
      // with threads the others count this thread's memory too, even while it runs nothing
      if (this.threads !== null) this.used();
      // also between commands: a client whose command never completes runs none (clientsCron)
      if (this.clientsLimit !== 0) this.evictClients(null);
    }, CLOCK_TICK_MS);
    this.clockTimer.unref();
    const orig = state.onConfigChange.bind(state);
    state.onConfigChange = (names: string[]): void => {
      this.configure();
      orig(names);
    };
  }

  /** Reads maxmemory-policy, lfu-log-factor and lfu-decay-time into the keyspaces' policy. */
  private configure(): void {
    const cfg = this.state.config;
    const name = getConfigValue(cfg, 'maxmemory-policy') ?? 'noeviction';
    if (name !== this.policyName) this.pool.clear();
    this.policyName = name;
    const p = this.lruPolicy;
    p.lfu = name.endsWith('-lfu');
    p.lru = name.endsWith('-lru');
    // an LRU / LFU policy needs every access recorded from now on
    if (p.lru || p.lfu) p.tracking = true;
    p.logFactor = getConfigNumber(cfg, 'lfu-log-factor', 10);
    // maxmemory-clients: bytes, or a percentage of maxmemory (stored negative)
    const mc = getConfigNumber(cfg, 'maxmemory-clients', 0);
    this.clientsLimit = mc >= 0 ? mc : Math.floor((getConfigNumber(cfg, 'maxmemory', 0) * -mc) / 100);
    p.decayTime = getConfigNumber(cfg, 'lfu-decay-time', 1);
  }

  /** Bytes of the dataset: every keyspace's own count; with `tables`, its key tables' slots too (overhead, as Redis's dict tables). */
  dataset(tables = false): number {
    let n = 0;
    for (const sh of this.state.engine.shards) for (const ks of sh.dbs) n += tables ? ks.bytes + ks.data.tableBytes() : ks.bytes;
    return n;
  }

  /** Bytes the connected clients hold (summed at most once a millisecond). */
  clients(): number {
    const now = Date.now();
    if (now !== this.clientsAt) {
      let n = 0;
      for (const c of this.state.clients.values()) n += clientBytes(c);
      this.clientsBytes = n;
      this.clientsAt = now;
    }
    return this.clientsBytes;
  }

  /**
   * evictClients: while the clients that may be evicted (not no-evict, not
   * replication links) hold more than maxmemory-clients, disconnects the
   * biggest. False when `current` itself was evicted.
   */
  evictClients(current: Session | null): boolean {
    const limit = this.clientsLimit;
    if (limit === 0 || this.clients() <= limit) return true;
    const cands: Array<[number, Session]> = [];
    let total = 0;
    for (const c of this.state.clients.values()) {
      if (c.noEvict || c.ext.replica !== undefined || c.ext.master !== undefined || c.socket === null) continue;
      const b = clientBytes(c);
      total += b;
      cands.push([b, c]);
    }
    cands.sort((a, b) => b[0] - a[0]);
    for (let i = 0; i < cands.length && total > limit; i++) {
      const [b, c] = cands[i]!;
      this.state.log('verbose', `Evicting client: id=${c.id} addr=${c.addr} (${b} bytes)`);
      c.close();
      total -= b;
      this.evictedClients++;
    }
    this.clientsAt = -1;
    return current === null || !current.closed;
  }

  /**
   * With threads: this thread's memory (dataset and clients) published for
   * the others, and theirs as last published (threads/runtime.ts). maxmemory
   * is then one limit for the sum; each thread evicts its own keys.
   */
  threads: {
    publish(bytes: number): void;
    others(fresh: boolean): number;
    parts(): [number, number];
    /** What another thread's 'evict' answered: the evicted keys this thread's tracking clients hear of now. */
    evicted(answer: unknown): void;
    /** Whether this thread wrote values back to other threads since last asked (and forgets it). */
    wroteBack(): boolean;
  } | null = null;

  /** The dataset and the clients' memory of every thread (INFO memory, MEMORY STATS). */
  everyThread(): { dataset: number; clients: number } {
    let dataset = this.dataset();
    let clients = this.clients();
    if (this.threads !== null) {
      const [d, c] = this.threads.parts();
      dataset += d;
      clients += c;
    }
    return { dataset, clients };
  }

  /** This thread's share of used memory: its dataset and its clients. */
  own(): number {
    return this.dataset(true) + this.clients();
  }

  /**
   * Memory counted against maxmemory now (Redis's used_memory; with threads,
   * every thread's: as last published, or with `fresh` asked of each, for INFO).
   */
  used(fresh = false): number {
    const own = this.own();
    let n = EMPTY_SERVER_BYTES + own;
    if (this.threads !== null) {
      this.threads.publish(own);
      n += this.threads.others(fresh);
    }
    if (n > this.peak) this.peak = n;
    return n;
  }

  /**
   * Evicts keys until under maxmemory (Redis's performEvictions); false when
   * still over it (the command gets OOM). Each call evicts for at most the
   * time maxmemory-eviction-tenacity allows (500 µs at the default 10); what
   * is left is evicted in slices as long on the next turns of the event loop
   * (Redis's evictionTimeProc), and meanwhile commands run, as Redis's
   * EVICT_RUNNING: a big drop of maxmemory is no pause of seconds.
   */
  enforce(): boolean {
    const limit = this.state.maxmemory;
    if (limit === 0) return true;
    if (this.used() <= limit) {
      // with threads: values this thread wrote back to their owners count there once the owners have published
      // again; after a write-back the owners are asked instead
      if (this.threads === null || !this.threads.wroteBack() || this.used(true) <= limit) return true;
    }
    const policy = getConfigValue(this.state.config, 'maxmemory-policy') ?? 'noeviction';
    if (policy === 'noeviction') return false;
    const deadline = performance.now() + evictionTimeLimitMs(this.state.config);
    const own = this.evictOwn(policy, () => this.used() <= limit, deadline);
    if (own === EVICT_TIMEOUT) {
      this.evictLater();
      return true;
    }
    if (own === EVICT_DONE) return true;
    // with threads: what this thread holds is not enough, the other threads evict theirs
    const link = this.state.link;
    const remote = this.state.engine.remote;
    if (this.threads === null || remote === null || !remote.routes || link === null || link.beingHeld || link.closing) return false;
    for (let t = 0; t < link.count && this.used() > limit; t++) {
      if (t !== link.index) this.threads.evicted(remote.ask(t, { op: 'evict', bytes: this.used() - limit }));
    }
    return this.used() <= limit;
  }

  /** Whether the eviction timer is set (evictLater). */
  private evictTimer: NodeJS.Immediate | null = null;

  /** Evicts the rest in slices on the next turns of the event loop, until under the limit (or nothing is left to evict). */
  private evictLater(): void {
    if (this.evictTimer !== null) return;
    const step = (): void => {
      this.evictTimer = null;
      const limit = this.state.maxmemory;
      const policy = getConfigValue(this.state.config, 'maxmemory-policy') ?? 'noeviction';
      if (limit === 0 || policy === 'noeviction' || this.used() <= limit) return;
      const r = this.evictOwn(policy, () => this.used() <= limit, performance.now() + evictionTimeLimitMs(this.state.config));
      // (each key's invalidation, notification and replicated DEL went out as it was evicted, as the expiry cycle's)
      if (r === EVICT_TIMEOUT) this.evictTimer = setImmediate(step);
      // this thread's keys are gone: the next command that needs memory asks the other threads (enforce)
    };
    this.evictTimer = setImmediate(step);
  }

  /**
   * Evicts this thread's keys under `policy` until `enough()` (EVICT_DONE),
   * no key is left (EVICT_EMPTY) or, with a `deadline` (performance.now()),
   * time is up (EVICT_TIMEOUT). With threads, another thread asks for
   * `bytes` of this thread's memory ('evict', threads/server-ops.ts).
   */
  evictOwn(policy: string, enough: () => boolean, deadline = Infinity): number {
    const volatile = policy.startsWith('volatile-');
    // the clock is read every 16 keys
    for (let n = 1; !enough(); n++) {
      if ((n & 15) === 0 && performance.now() > deadline) return EVICT_TIMEOUT;
      const victim = this.pick(volatile, policy);
      if (victim === null) return EVICT_EMPTY;
      const [ks, key] = victim;
      const v = ks.data.get(key);
      if (v === undefined) continue;
      ks.delete(key);
      this.evictedKeys++;
      ks.modified(key, 'evicted');
    }
    return EVICT_DONE;
  }

  /** With threads: frees up to `bytes` of this thread's keys for another thread over maxmemory. */
  evictFor(bytes: number): void {
    const policy = getConfigValue(this.state.config, 'maxmemory-policy') ?? 'noeviction';
    if (policy === 'noeviction') return;
    const goal = this.own() - bytes;
    this.evictOwn(policy, () => this.own() <= goal);
    this.used();
  }

  stop(): void {
    if (this.clockTimer !== null) clearInterval(this.clockTimer);
    this.clockTimer = null;
    if (this.evictTimer !== null) clearImmediate(this.evictTimer);
    this.evictTimer = null;
  }

  /** A key to evict under the policy, sampled over every database and shard. */
  private pick(volatile: boolean, policy: string): [Keyspace, string] | null {
    const spaces: Keyspace[] = [];
    for (let db = 0; db < this.state.engine.databases; db++) {
      for (const ks of this.state.engine.keyspaces(db)) if ((volatile ? ks.volatile : ks.size) !== 0) spaces.push(ks);
    }
    if (spaces.length === 0) return null;
    if (policy.endsWith('-random')) {
      const ks = spaces[Math.floor(Math.random() * spaces.length)]!;
      return [ks, volatile ? ks.data.randomVolatileKey()! : ks.data.randomKey()!];
    }
    const samples = getConfigNumber(this.state.config, 'maxmemory-samples', SAMPLES);
    const kind = policy === 'volatile-ttl' ? 'ttl' : policy.endsWith('-lfu') ? 'lfu' : 'lru';
    return this.pool.pick(spaces, volatile, kind, samples);
  }
}

/** evictOwn's outcomes. */
const EVICT_DONE = 0;
const EVICT_EMPTY = 1;
const EVICT_TIMEOUT = 2;

/** Redis's evictionTimeLimitUs, in ms: 50 µs per step of maxmemory-eviction-tenacity up to 10, then +15% a step; 100: no limit. */
function evictionTimeLimitMs(cfg: Config): number {
  const t = getConfigNumber(cfg, 'maxmemory-eviction-tenacity', 10);
  if (t <= 10) return (50 * t) / 1000;
  if (t < 100) return (500 * Math.pow(1.15, t - 10)) / 1000;
  return Infinity;
}

/** What one client holds: its objects, query buffer, arguments of a command still arriving and unsent replies. */
function clientBytes(c: Session): number {
  return CLIENT_BYTES + c.queryBufSize + c.parser.partialArgBytes + c.reply.len + (c.socket?.writableLength ?? 0);
}

