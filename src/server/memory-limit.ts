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
 * Policies: allkeys-* pick from every key, volatile-* from keys with a TTL,
 * volatile-ttl the sampled key that expires soonest. shardis keeps no access
 * clock per key, so the LRU/LFU policies evict the oldest-inserted of a
 * sample (insertion order stands in for idleness); random ones a random key.
 */
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ServerState } from './server-state.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import { getConfigValue } from '../config/config.ts';
import { memoryUsage } from '../commands/memory.ts';

/** used_memory of an empty Redis 7.0. */
const EMPTY_SERVER = 900 * 1024;
/** Keys examined per eviction (maxmemory-samples' default). */
const SAMPLES = 5;

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

  private readonly state: ServerState;

  constructor(state: ServerState) {
    this.state = state;
    this.base = heapBytes();
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
      this.credit += memoryUsage(key, v, SAMPLES);
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
    const ks = spaces[Math.floor(Math.random() * spaces.length)]!;
    const table: Map<string, unknown> = volatile ? ks.expires : ks.data;
    if (policy.endsWith('-random')) return [ks, randomKey(table)];
    // the oldest entries of the table (insertion order), or the soonest to expire among them
    let best: string | null = null;
    let bestTtl = Infinity;
    let n = 0;
    for (const key of table.keys()) {
      if (policy !== 'volatile-ttl') return [ks, key];
      const ttl = ks.expires.get(key)!;
      if (ttl < bestTtl) {
        bestTtl = ttl;
        best = key;
      }
      if (++n >= SAMPLES) break;
    }
    return best === null ? null : [ks, best];
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
