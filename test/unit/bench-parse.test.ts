/**
 * bench/redis-benchmark.ts reads redis-benchmark's report (Debian's 7.0.15,
 * `--precision 3`, no --csv): outputs recorded from real runs against a
 * redis-server, progress lines (ended by CR) included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseRedisBenchmark, percentile } from '../../bench/redis-benchmark.ts';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/redis-benchmark/${name}`, import.meta.url), 'utf8');

test('one test: throughput summary and p50 / p99 / p99.9 from the percentile distribution', () => {
  // redis-benchmark -n 2000 -t get --precision 3
  assert.deepEqual(parseRedisBenchmark(fixture('get-n2000-precision3.txt')), [
    // 50.000% <= 0.631; 99.219% <= 8.719 (the first ≥ 99); 99.902% <= 8.807 (the first ≥ 99.9)
    { test: 'GET', rps: 31746.03, p50: 0.631, p99: 8.719, p999: 8.807 },
  ]);
});

test('two tests in one run (-t mset,get -P 16): one report per section, the cumulative table ignored', () => {
  assert.deepEqual(parseRedisBenchmark(fixture('mset-get-P16-precision3.txt')), [
    { test: 'GET', rps: 333333.34, p50: 0.967, p99: 2.255, p999: 2.255 },
    { test: 'MSET (10 keys)', rps: 222222.23, p50: 2.519, p99: 3.207, p999: 3.207 },
  ]);
});

test('percentile: the smallest listed latency at or above the target', () => {
  const dist = [[0, 0.05], [50, 0.5], [99, 0.9], [99.5, 1.2], [99.9, 3], [100, 7]] as const;
  assert.equal(percentile(dist, 50), 0.5);
  assert.equal(percentile(dist, 99), 0.9);
  assert.equal(percentile(dist, 99.2), 1.2);
  assert.equal(percentile(dist, 99.9), 3);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('output without a report (a refused connection) gives none', () => {
  assert.deepEqual(parseRedisBenchmark('Could not connect to Redis at 127.0.0.1:1: Connection refused\n'), []);
});
