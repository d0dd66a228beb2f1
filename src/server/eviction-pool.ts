/**
 * Redis's eviction pool (evict.c evictionPoolPopulate / performEvictions)
 * for the LRU, LFU and volatile-ttl policies: each round samples
 * maxmemory-samples keys of every non-empty keyspace into a pool of the 16
 * best candidates seen so far (kept across rounds and evictions), then
 * evicts the best one that still exists.
 *
 * Sampling: the key table gives keys of consecutive slots from a random one,
 * as dictGetSomeKeys does. The `expires` Map (volatile policies) has no
 * random access, so it is read through a live iterator that continues where
 * the previous sample stopped and wraps around (the pool carries the good
 * candidates over); over a few rounds every key gets looked at.
 */
import type { Keyspace } from '../engine/keyspace.ts';
import { idleMs, lfuCounter } from '../engine/lru.ts';
import type { KeyTable } from '../engine/key-table.ts';

/** EVPOOL_SIZE */
const POOL_SIZE = 16;

export type PoolPolicy = 'lru' | 'lfu' | 'ttl';

export class EvictionPool {
  /** Scores ascending (a higher score is a better candidate); key null = empty slot. */
  private readonly keys: Array<string | null> = new Array(POOL_SIZE).fill(null);
  private readonly scores = new Float64Array(POOL_SIZE);
  private readonly spaces: Array<Keyspace | null> = new Array(POOL_SIZE).fill(null);
  /** Live sampling iterators per table (a FLUSHDB / SWAPDB replaces or moves tables: they follow). */
  private cursors = new WeakMap<Map<string, unknown>, Iterator<string>>();

  clear(): void {
    this.keys.fill(null);
    this.spaces.fill(null);
    this.cursors = new WeakMap();
  }

  /**
   * The key to evict next from `spaces` (every keyspace of every database),
   * volatile: only keys with a TTL; null when there is no key to evict.
   */
  pick(spaces: Keyspace[], volatile: boolean, policy: PoolPolicy, samples: number): [Keyspace, string] | null {
    for (;;) {
      let total = 0;
      for (const ks of spaces) {
        const table: Map<string, unknown> | KeyTable = volatile ? ks.expires : ks.data;
        if (table.size === 0) continue;
        total += table.size;
        this.populate(ks, table, policy, samples);
      }
      if (total === 0) return null;
      // best first; a key gone since it was sampled is a ghost and skipped
      for (let k = POOL_SIZE - 1; k >= 0; k--) {
        const key = this.keys[k];
        if (key === null || key === undefined) continue;
        const ks = this.spaces[k]!;
        this.keys[k] = null;
        this.spaces[k] = null;
        if ((volatile ? ks.expires : ks.data).has(key)) return [ks, key];
      }
    }
  }

  private sample(table: Map<string, unknown> | KeyTable, n: number): string[] {
    const out: string[] = [];
    if (!(table instanceof Map)) {
      table.sampleKeys(n, out);
      return out;
    }
    let it = this.cursors.get(table);
    for (let wrapped = false; out.length < n && out.length < table.size; ) {
      if (it === undefined) it = table.keys();
      const r = it.next();
      if (r.done === true) {
        it = undefined;
        if (wrapped) break;
        wrapped = true;
        continue;
      }
      out.push(r.value);
    }
    if (it !== undefined) this.cursors.set(table, it);
    else this.cursors.delete(table);
    return out;
  }

  /** evictionPoolPopulate */
  private populate(ks: Keyspace, table: Map<string, unknown> | KeyTable, policy: PoolPolicy, samples: number): void {
    const keys = this.keys;
    const scores = this.scores;
    const spaces = this.spaces;
    for (const key of this.sample(table, samples)) {
      let score: number;
      if (policy === 'ttl') score = -(ks.expires.get(key) ?? 0);
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
