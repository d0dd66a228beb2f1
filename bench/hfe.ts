/**
 * Hash field expiration (Redis 7.4), shardis against a Redis that has it, in
 * the same run. Debian's Redis is 7.0, so point REDIS_SERVER at a 7.4.1
 * built from source:
 *
 *   REDIS_SERVER=/path/to/redis-7.4.1/src/redis-server npm run bench -- --hfe
 *   REDIS_SERVER=… node bench/hfe.ts --n 200000 --scale 0.1
 *
 * Throughput (redis-benchmark -c 50 on random keys out of 100 000, each
 * server pinned to the last core, the benchmark to the others; both
 * preloaded with 100 000 hashes of 10 fields, field f0 of each with a TTL):
 * - HSET: a field of a hash whose field f0 has a TTL (a listpackex);
 * - HPEXPIRE: a new TTL for field f1 (one field, NX/XX/GT/LT not given);
 * - HTTL: the TTL of f0;
 * - HGET: a field of such a hash (the lazy-expiry check on the read path).
 * Memory per field: hashes of 10 fields (100 000 keys: listpack vs
 * listpackex) and of 1000 fields (1000 keys: hashtable) without and with a
 * TTL on every field; used_memory and RSS deltas, fresh servers per row.
 * Not a test: nothing here asserts a number.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { RespClient } from '../test/helpers/resp-client.ts';
import { REDIS_SERVER, kill, startTarget, type Target } from './servers.ts';
import { collection, measureSpecs, type MemoryRow, type RowSpec } from './memory.ts';

const KEYS = 100_000;
const FAR_MS = 86_400_000;

/** redis-benchmark custom commands; __rand_int__ is drawn out of 100 000. */
const TESTS: Record<string, string[]> = {
  HSET: ['HSET', 'hfe:__rand_int__', 'f5', 'v'],
  HPEXPIRE: ['HPEXPIRE', 'hfe:__rand_int__', String(FAR_MS), 'FIELDS', '1', 'f1'],
  HTTL: ['HTTL', 'hfe:__rand_int__', 'FIELDS', '1', 'f0'],
  HGET: ['HGET', 'hfe:__rand_int__', 'f2'],
};

export interface HfeRate {
  test: string;
  pipeline: number;
  redis: number;
  shardis: number;
}

function pins(): { server: string; client: string } {
  const n = cpus().length;
  return n < 2 ? { server: '', client: '' } : { server: String(n - 1), client: `0-${n - 2}` };
}

function benchmark(port: number, test: string, pipeline: number, n: number, cpu: string): number {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', '50', '-n', String(n), '-P', String(pipeline), '--csv', '-r', String(KEYS), ...TESTS[test]!];
  const out = cpu === '' ? execFileSync('redis-benchmark', args, { encoding: 'utf8' }) : execFileSync('taskset', ['-c', cpu, 'redis-benchmark', ...args], { encoding: 'utf8' });
  const line = out.trim().split('\n').at(-1)!;
  return Number(line.split(',')[1]!.replace(/"/g, ''));
}

/** 100 000 hashes of 10 fields, f0 of each with a TTL a day ahead. */
async function preload(t: Target): Promise<void> {
  const c = await RespClient.connect(t.port);
  try {
    const fields: string[] = [];
    for (let i = 0; i < 10; i++) fields.push(`f${i}`, `value:${i}`);
    for (let k = 0; k < KEYS; k += 1000) {
      const batch: Promise<unknown>[] = [];
      for (let j = k; j < k + 1000; j++) {
        batch.push(c.call('HSET', `hfe:${String(j).padStart(12, '0')}`, ...fields));
        batch.push(c.call('HPEXPIRE', `hfe:${String(j).padStart(12, '0')}`, String(FAR_MS), 'FIELDS', '1', 'f0'));
      }
      await Promise.all(batch);
    }
  } finally {
    c.close();
  }
}

async function supportsHfe(t: Target): Promise<boolean> {
  const c = await RespClient.connect(t.port);
  try {
    await c.call('HTTL', 'nokey', 'FIELDS', '1', 'f');
    return true;
  } catch {
    return false;
  } finally {
    c.close();
  }
}

export async function hfeRates(n: number, pipelines: number[], log: (l: string) => void): Promise<HfeRate[]> {
  const pin = pins();
  const out: HfeRate[] = [];
  const dirs: string[] = [];
  const targets: Target[] = [];
  try {
    for (const name of ['redis', 'shardis'] as const) {
      const dir = mkdtempSync(join(tmpdir(), `hfe-${name}-`));
      dirs.push(dir);
      targets.push(await startTarget(name, dir, ['--appendonly', 'no'], 1, true, pin.server));
    }
    if (!(await supportsHfe(targets[0]!))) throw new Error(`${REDIS_SERVER} has no hash field expiration: set REDIS_SERVER to a Redis 7.4 redis-server`);
    for (const t of targets) await preload(t);
    for (const test of Object.keys(TESTS)) {
      for (const p of pipelines) {
        // one server at a time, each with the same (otherwise idle) cores
        const redis = benchmark(targets[0]!.port, test, p, n, pin.client);
        const shardis = benchmark(targets[1]!.port, test, p, n, pin.client);
        out.push({ test, pipeline: p, redis, shardis });
        log(`${test.padEnd(9)} -P ${String(p).padEnd(3)} redis ${redis.toFixed(0).padStart(8)}  shardis ${shardis.toFixed(0).padStart(8)}  ratio ${(shardis / redis).toFixed(2)}`);
      }
    }
  } finally {
    for (const t of targets) kill(t);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
  return out;
}

/** Hashes of `fields` fields on `keys` keys, every field with a TTL when `ttl`. */
function hashRow(fields: number, keys: number, ttl: boolean): RowSpec {
  const base = collection(`hash-${fields}${ttl ? '-ttl' : ''}`, ttl ? 'th' : 'ph', 'HSET', fields, keys, (i, k) => [`field:${i}`, `value:${(i * 7 + k) % 1000}`]);
  if (!ttl) return base;
  return {
    ...base,
    build(k, out) {
      base.build(k, out);
      const key = `th:${String(k).padStart(8, '0')}`;
      for (let i = 0; i < fields; i += 100) {
        const names: string[] = [];
        for (let j = i; j < Math.min(fields, i + 100); j++) names.push(`field:${j}`);
        out.push(['HPEXPIRE', key, String(FAR_MS + k), 'FIELDS', String(names.length), ...names]);
      }
    },
  };
}

export function hfeMemoryRows(scale: number, log: (l: string) => void): Promise<MemoryRow[]> {
  const n = (x: number): number => Math.max(1, Math.round(x * scale));
  return measureSpecs([hashRow(10, n(100_000), false), hashRow(10, n(100_000), true), hashRow(1000, n(1000), false), hashRow(1000, n(1000), true)], log);
}

export function hfeTable(rates: HfeRate[], mem: MemoryRow[]): string {
  const lines = ['| command | -P | Redis 7.4.1 ops/s | shardis ops/s | ratio |', '|---|---|---|---|---|'];
  for (const r of rates) lines.push(`| ${r.test} | ${r.pipeline} | ${r.redis.toFixed(0)} | ${r.shardis.toFixed(0)} | ${(r.shardis / r.redis).toFixed(2)} |`);
  lines.push('', '| row | keys | used_memory/field Redis 7.4.1 | shardis | ratio | RSS/field Redis 7.4.1 | shardis | ratio |', '|---|---|---|---|---|---|---|---|');
  for (const m of mem) {
    const fields = Number(/hash-(\d+)/.exec(m.row)![1]);
    const per = (x: number): string => (x / fields).toFixed(1);
    lines.push(`| ${m.row} | ${m.keys} | ${per(m.redisUsed)} | ${per(m.shardisUsed)} | ${(m.shardisUsed / m.redisUsed).toFixed(2)} | ${per(m.redisRss)} | ${per(m.shardisRss)} | ${(m.shardisRss / m.redisRss).toFixed(2)} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  let n = 200_000;
  let scale = 1;
  let pipelines = [1, 16];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--n') n = Number(argv[++i]);
    else if (argv[i] === '--scale') scale = Number(argv[++i]);
    else if (argv[i] === '--pipelines') pipelines = argv[++i]!.split(',').map(Number);
  }
  const log = (l: string): void => console.log(l);
  console.log(`hash field expiration: ${REDIS_SERVER} vs shardis; node ${process.version}`);
  const rates = await hfeRates(n, pipelines, log);
  const mem = await hfeMemoryRows(scale, log);
  console.log(`\n${hfeTable(rates, mem)}`);
}
