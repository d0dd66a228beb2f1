/**
 * maxmemory: the memory the server counts as used, and eviction
 * (maxmemory-policy) when it goes over the limit, as Redis's
 * performEvictions: before a command that may use memory and when
 * maxmemory is lowered.
 *
 * Used memory is an empty Redis's ~0.9 MB plus what the JS heap's
 * long-lived objects grew since start-up (the runtime's own ~10 MB are not
 * data; the young generation is mostly garbage about to be scavenged). The heap shrinks only
 * when the garbage collector runs, so bytes freed by evictions are credited
 * (by MEMORY USAGE's estimate of each evicted key) until the next
 * measurement after a collection; without that credit one eviction round
 * would empty the dataset while waiting for the collector.
 *
 * Policies: allkeys-* pick from every key, volatile-* from keys with a TTL;
 * the LRU / LFU / volatile-ttl ones through Redis's eviction pool
 * (eviction-pool.ts) on each key's LRU clock or LFU counter (Keyspace.lru),
 * the random ones a random key.
 *
 * This is also where the keyspaces learn the tracking policy (LruPolicy:
 * maxmemory-policy, lfu-log-factor, lfu-decay-time), at start-up and after
 * every CONFIG SET.
 */
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ServerState } from './server-state.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import { memoryUsage } from '../commands/memory.ts';
import { LruPolicy } from '../engine/lru.ts';
import { EvictionPool } from './eviction-pool.ts';

/** used_memory of an empty Redis 7.0. */
const EMPTY_SERVER = 900 * 1024;
/** Keys examined per eviction (maxmemory-samples' default). */
const SAMPLES = 5;
/** How often the LRU clock is refreshed (Redis: every serverCron at hz 10). */
const CLOCK_TICK_MS = 100;
/** Samples of each key's members MEMORY USAGE's estimate of an evicted key takes. */
const USAGE_SAMPLES = 5;

export class MemoryLimit {
  private readonly base: number;
  private measured = 0;
  private measuredAt = 0;
  /** Bytes of keys evicted since the last measurement. */
  private credit = 0;
  /** A garbage collection ran since the last measurement. */
  private collected = true;
  evictedKeys = 0;
  private observer: PerformanceObserver | null = null;
  /** The access-tracking policy every keyspace of the server reads. */
  readonly lruPolicy = new LruPolicy();
  private readonly pool = new EvictionPool();
  private policyName = '';
  /** Refreshes the policy's cached LRU clock (Redis's serverCron updating server.lruclock). */
  private clockTimer: NodeJS.Timeout | null;

  private readonly state: ServerState;

  constructor(state: ServerState) {
    this.state = state;
    this.base = heapBytes();
    for (let db = 0; db < state.engine.databases; db++) for (const ks of state.engine.keyspaces(db)) ks.lruPolicy = this.lruPolicy;
    this.configure();
    this.clockTimer = setInterval(() => this.lruPolicy.tick(Date.now()), CLOCK_TICK_MS);
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
    p.decayTime = getConfigNumber(cfg, 'lfu-decay-time', 1);
  }

  /** Memory counted against maxmemory now. */
  used(): number {
    const now = Date.now();
    // re-measure at most every 10 ms; after evictions once a full collection ran — forced after a
    // second (what evicted keys held is not returned before one)
    if (this.credit !== 0 && !this.collected && now - this.measuredAt >= 1000) {
      fullGc();
      this.collected = true;
    }
    if (now - this.measuredAt >= 10 && (this.credit === 0 || this.collected)) {
      this.measured = EMPTY_SERVER + Math.max(0, heapBytes() - this.base);
      this.measuredAt = now;
      this.credit = 0;
      this.collected = false;
    }
    return Math.max(EMPTY_SERVER, this.measured - this.credit);
  }

  /** Evicts keys until under maxmemory; false when still over it (the command gets OOM). */
  enforce(): boolean {
    const limit = this.state.maxmemory;
    if (limit === 0 || this.used() <= limit) return true;
    const policy = getConfigValue(this.state.config, 'maxmemory-policy') ?? 'noeviction';
    if (policy === 'noeviction') return false;
    this.watchCollector();
    const volatile = policy.startsWith('volatile-');
    while (this.used() > limit) {
      const victim = this.pick(volatile, policy);
      if (victim === null) return false;
      const [ks, key] = victim;
      const v = ks.data.get(key);
      if (v === undefined) continue;
      this.credit += memoryUsage(key, v, USAGE_SAMPLES);
      ks.delete(key);
      this.evictedKeys++;
      ks.modified(key, 'evicted');
    }
    return true;
  }

  private watchCollector(): void {
    if (this.observer !== null) return;
    this.observer = new PerformanceObserver((list) => {
      // only a full collection returns the old space that evicted values held
      for (const e of list.getEntries()) if ((e as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) this.collected = true;
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    if (this.clockTimer !== null) clearInterval(this.clockTimer);
    this.clockTimer = null;
    this.observer?.disconnect();
    this.observer = null;
  }

  /** A key to evict under the policy, sampled over every database and shard. */
  private pick(volatile: boolean, policy: string): [Keyspace, string] | null {
    const spaces: Keyspace[] = [];
    for (let db = 0; db < this.state.engine.databases; db++) {
      for (const ks of this.state.engine.keyspaces(db)) if ((volatile ? ks.expires.size : ks.size) !== 0) spaces.push(ks);
    }
    if (spaces.length === 0) return null;
    if (policy.endsWith('-random')) {
      const ks = spaces[Math.floor(Math.random() * spaces.length)]!;
      return [ks, randomKey(volatile ? ks.expires : ks.data)];
    }
    const samples = getConfigNumber(this.state.config, 'maxmemory-samples', SAMPLES);
    const kind = policy === 'volatile-ttl' ? 'ttl' : policy.endsWith('-lfu') ? 'lfu' : 'lru';
    return this.pool.pick(spaces, volatile, kind, samples);
  }
}

/**
 * Bytes held by long-lived objects: the old and large-object spaces plus
 * external buffers. The young generation is left out — it is mostly
 * short-lived garbage that a scavenge frees within milliseconds.
 */
function heapBytes(): number {
  let n = process.memoryUsage().external;
  for (const sp of getHeapSpaceStatistics()) if (sp.space_name === 'old_space' || sp.space_name === 'large_object_space') n += sp.space_used_size;
  return n;
}

let gcFn: (() => void) | null = null;

/** A full garbage collection (V8's gc(), reached without starting node with --expose-gc). */
function fullGc(): void {
  if (gcFn === null) {
    setFlagsFromString('--expose-gc');
    gcFn = runInNewContext('gc') as () => void;
  }
  gcFn();
}

/** A uniformly random key of a table (walks up to its size; eviction is rare). */
function randomKey(table: Map<string, unknown>): string {
  let skip = Math.floor(Math.random() * Math.min(table.size, 64));
  for (const key of table.keys()) if (skip-- === 0) return key;
  return table.keys().next().value!;
}
