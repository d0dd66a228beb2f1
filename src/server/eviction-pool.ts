/**
 * Redis's eviction pool (evict.c evictionPoolPopulate / performEvictions)
 * for the LRU, LFU and volatile-ttl policies: each round samples
 * maxmemory-samples keys of every non-empty keyspace into a pool of the 16
 * best candidates seen so far (kept across rounds and evictions), then
 * evicts the best one that still exists.
 *
 * Sampling: the key table gives keys of consecutive slots from a random one,
 * as dictGetSomeKeys does (for the volatile policies, only keys with a TTL).
 */
import type { Keyspace } from '../engine/keyspace.ts';
import { idleMs, lfuCounter } from '../engine/lru.ts';

/** EVPOOL_SIZE */
const POOL_SIZE = 16;

export type PoolPolicy = 'lru' | 'lfu' | 'ttl';

export class EvictionPool {
  /** Scores ascending (a higher score is a better candidate); key null = empty slot. */
  private readonly keys: Array<string | null> = new Array(POOL_SIZE).fill(null);
  private readonly scores = new Float64Array(POOL_SIZE);
  private readonly spaces: Array<Keyspace | null> = new Array(POOL_SIZE).fill(null);

  clear(): void {
    this.keys.fill(null);
    this.spaces.fill(null);
  }

  /**
   * The key to evict next from `spaces` (every keyspace of every database),
   * volatile: only keys with a TTL; null when there is no key to evict.
   */
  pick(spaces: Keyspace[], volatile: boolean, policy: PoolPolicy, samples: number): [Keyspace, string] | null {
    for (;;) {
      let total = 0;
      for (const ks of spaces) {
        const n = volatile ? ks.volatile : ks.size;
        if (n === 0) continue;
        total += n;
        this.populate(ks, volatile, policy, samples);
      }
      if (total === 0) return null;
      // best first; a key gone since it was sampled is a ghost and skipped
      for (let k = POOL_SIZE - 1; k >= 0; k--) {
        const key = this.keys[k];
        if (key === null || key === undefined) continue;
        const ks = this.spaces[k]!;
        this.keys[k] = null;
        this.spaces[k] = null;
        if (volatile ? ks.getExpire(key) !== undefined : ks.data.has(key)) return [ks, key];
      }
    }
  }

  /** evictionPoolPopulate */
  private populate(ks: Keyspace, volatile: boolean, policy: PoolPolicy, samples: number): void {
    const keys = this.keys;
    const scores = this.scores;
    const spaces = this.spaces;
    const sampled: string[] = [];
    if (volatile) ks.data.sampleVolatile(samples, sampled);
    else ks.data.sampleKeys(samples, sampled);
    for (const key of sampled) {
      let score: number;
      if (policy === 'ttl') score = -(ks.getExpire(key) ?? 0);
      else {
        const word = ks.lruWord(key);
        if (policy === 'lru') score = idleMs(ks.lruPolicy, word);
        else score = 255 - lfuCounter(ks.lruPolicy, word);
      }
      // the first empty slot or the first one with a lower score
      let k = 0;
      while (k < POOL_SIZE && keys[k] !== null && scores[k]! < score) k++;
      if (k === 0 && keys[POOL_SIZE - 1] !== null) continue; // worse than everything in a full pool
      if (k < POOL_SIZE && keys[k] === null) {
        // an empty slot: nothing to move
      } else if (keys[POOL_SIZE - 1] === null) {
        // room on the right: shift k… one to the right
        for (let j = POOL_SIZE - 1; j > k; j--) {
          keys[j] = keys[j - 1]!;
          scores[j] = scores[j - 1]!;
          spaces[j] = spaces[j - 1]!;
        }
      } else {
        // full: drop the worst (slot 0), shift 1…k-1 one to the left, insert at k-1
        k--;
        for (let j = 0; j < k; j++) {
          keys[j] = keys[j + 1]!;
          scores[j] = scores[j + 1]!;
          spaces[j] = spaces[j + 1]!;
        }
      }
      keys[k] = key;
      scores[k] = score;
      spaces[k] = ks;
    }
  }
}
