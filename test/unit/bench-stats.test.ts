/** bench/row-stats.ts: the median run of a row, its spread and the table cells. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latencyCell, ratio, rpsCell, summarize } from '../../bench/row-stats.ts';
import { pinning } from '../../bench/pinning.ts';

test('the median run (latency included), the min–max spread and the ratio of medians', () => {
  const lat = (p50: number) => ({ p50, p99: p50 * 2, p999: p50 * 3 });
  const redis = summarize([{ rps: 100, latency: lat(1) }, { rps: 300, latency: lat(3) }, { rps: 200, latency: lat(2) }]);
  assert.equal(redis.median.rps, 200);
  assert.equal(rpsCell(redis), '200 (100–300)');
  assert.equal(latencyCell(redis), '2.000/4.000/6.000');
  const shardis = summarize([{ rps: 150 }]);
  assert.equal(rpsCell(shardis), '150');
  assert.equal(latencyCell(shardis), '-');
  assert.equal(ratio({ test: 'get', p: 1, redis, shardis }), '0.75');
  // an even count: the lower middle run
  assert.equal(summarize([{ rps: 4 }, { rps: 1 }, { rps: 3 }, { rps: 2 }]).median.rps, 2);
});

test('pinning by core count', () => {
  assert.deepEqual(pinning(1), { pinned: false, redis: '', shardis: '', bench: '', describe: 'not pinned (1 core)' });
  assert.equal(pinning(2).describe, 'pinned: redis core 0, shardis core 0 (one at a time), redis-benchmark core 1');
  assert.deepEqual({ ...pinning(3), describe: '' }, { pinned: true, redis: '0', shardis: '1', bench: '2', describe: '' });
  assert.equal(pinning(8).describe, 'pinned: redis core 0, shardis core 1, redis-benchmark cores 2-7');
});
