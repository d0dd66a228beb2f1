/** The LRU clock / LFU counter arithmetic of src/engine/lru.ts and the eviction pool's choice. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LFU_INIT_VAL, LRU_CLOCK_MAX, LruPolicy, freshWord, idleMs, lfuCounter, lfuTouch, wordForFreq, wordForIdle } from '../../src/engine/lru.ts';
import { Engine } from '../../src/engine/engine.ts';
import { EvictionPool } from '../../src/server/eviction-pool.ts';

function policy(nowMs: number, lfu = false): LruPolicy {
  const p = new LruPolicy();
  p.tick(nowMs);
  p.lfu = lfu;
  return p;
}

test('LRU words: idle time in whole seconds, across the 2^24 s wrap', () => {
  const p = policy(1_700_000_000_500);
  assert.equal(idleMs(p, p.clock), 0);
  assert.equal(idleMs(p, p.clock - 75), 75_000);
  assert.equal(idleMs(p, freshWord(p)), 0);
  // objectSetLRUOrLFU: an idle time beyond the clock wraps below it
  const wrapped = policy(10_000); // clock 10
  const w = wordForIdle(wrapped, 1000);
  assert.equal(w, 10 - 1000 + LRU_CLOCK_MAX);
  assert.equal(idleMs(wrapped, w), 1_000_000);
  assert.equal(Math.floor(idleMs(p, wordForIdle(p, 123)) / 1000), 123);
});

test('LFU words: LFU_INIT_VAL, decay by lfu-decay-time minutes, saturation at 255', () => {
  const t0 = 1_700_000_000_000;
  const p = policy(t0, true);
  assert.equal(lfuCounter(p, freshWord(p)), LFU_INIT_VAL);
  const w = wordForFreq(p, 20);
  assert.equal(lfuCounter(p, w), 20);
  p.tick(t0 + 10 * 60_000);
  assert.equal(lfuCounter(p, w), 10, 'one per minute by default');
  p.decayTime = 5;
  assert.equal(lfuCounter(p, w), 18);
  p.decayTime = 0;
  assert.equal(lfuCounter(p, w), 20, 'no decay');
  p.tick(t0 + 100 * 60_000);
  p.decayTime = 1;
  assert.equal(lfuCounter(p, w), 0);
  // with lfu-log-factor 0 every access counts; 255 is the ceiling
  p.logFactor = 0;
  let x = freshWord(p);
  for (let i = 0; i < 300; i++) x = lfuTouch(p, x);
  assert.equal(lfuCounter(p, x), 255);
  // the default factor: 1000 accesses reach only a counter far below 255 (logarithmic)
  p.logFactor = 10;
  let y = freshWord(p);
  for (let i = 0; i < 1000; i++) y = lfuTouch(p, y);
  const c = lfuCounter(p, y);
  assert.ok(c > 10 && c < 40, `counter ${c}`);
});

test('the eviction pool evicts the idlest (LRU) / least used (LFU) / soonest expiring keys first', () => {
  const e = new Engine({ shards: 1, databases: 16 });
  const ks = e.keyspace('k', 0);
  const p = ks.lruPolicy;
  for (let i = 0; i < 100; i++) {
    ks.set(`k${i}`, 'v');
    ks.setLruWord(`k${i}`, wordForIdle(p, i));
    ks.setExpire(`k${i}`, Date.now() + 100_000 + ((i * 37) % 100) * 1000);
  }
  // samples covering the whole table: strictly the idlest first
  const pool = new EvictionPool();
  const order: string[] = [];
  for (let n = 0; n < 10; n++) {
    const [, key] = pool.pick([ks], false, 'lru', 100)!;
    order.push(key);
    ks.delete(key);
  }
  assert.deepEqual(order, ['k99', 'k98', 'k97', 'k96', 'k95', 'k94', 'k93', 'k92', 'k91', 'k90']);
  // 5 samples a round: the evicted are the idle ones on the whole
  const sampled = new EvictionPool();
  const evicted: number[] = [];
  for (let n = 0; n < 40; n++) {
    const [, key] = sampled.pick([ks], false, 'lru', 5)!;
    evicted.push(Number(key.slice(1)));
    ks.delete(key);
  }
  const left = [...ks.data.keys()].map((k) => Number(k.slice(1)));
  const mean = (a: number[]): number => a.reduce((x, y) => x + y, 0) / a.length;
  assert.ok(mean(evicted) > mean(left) + 15, `evicted ${mean(evicted)} left ${mean(left)}`);
  // volatile-ttl: the soonest expiry among the sampled
  const ttlPool = new EvictionPool();
  const [, soon] = ttlPool.pick([ks], true, 'ttl', 100)!;
  let min = Infinity;
  for (const k of ks.data.keys()) min = Math.min(min, ks.getExpire(k)!);
  assert.equal(ks.getExpire(soon), min);
  // LFU: the lowest counter
  p.lfu = true;
  for (const k of [...ks.data.keys()]) ks.setLruWord(k, wordForFreq(p, k === 'k7' ? 1 : 50));
  assert.deepEqual(new EvictionPool().pick([ks], false, 'lfu', 100)![1], 'k7');
  // nothing to evict
  e.flushAll();
  assert.equal(new EvictionPool().pick([ks], false, 'lru', 5), null);
});
