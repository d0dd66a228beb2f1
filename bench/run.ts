/**
 * Benchmarks shardis against a real redis-server in the same run with
 * redis-benchmark, and prints throughput ratios plus memory per key.
 *
 *   npm run bench                      # default table
 *   npm run bench -- --n 50000 --tests set,get --pipelines 1
 *   npm run bench -- --shards 4 --no-memory
 *   npm run bench -- --tests evalsha,multi,publish1,publish100 --no-memory
 *
 * Rows outside the default table: EVALSHA (a script doing one GET and one
 * INCR, loaded with SCRIPT LOAD on both servers, sent by redis-benchmark as
 * `EVALSHA <sha> 1 key`), MULTI (MULTI / INCR / EXEC transactions per
 * second from raw sockets, see loads.ts) and PUBLISH1 / PUBLISH100
 * (messages delivered per second to 1 or 100 raw subscriber sockets while
 * redis-benchmark publishes; PUBLISH100 publishes n/10 messages).
 *
 * Not a test: nothing here asserts a timing.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports.ts';
import { RespClient } from '../test/helpers/resp-client.ts';
import { multiExecRate, publishDeliveryRate } from './loads.ts';

interface Options {
  n: number;
  clients: number;
  tests: string[];
  pipelines: number[];
  shards: number;
  memory: boolean;
  memoryKeys: number;
}

const DEFAULT_TESTS = ['set', 'get', 'incr', 'lpush', 'lpop', 'sadd', 'hset', 'zadd', 'lrange_100', 'spop', 'zpopmin', 'xadd', 'pfadd', 'evalsha', 'multi', 'publish1', 'publish100'];

/** The script of the EVALSHA row; its SHA1 replaces $SHA. */
const EVALSHA_SCRIPT = "redis.call('GET', KEYS[1]) return redis.call('INCR', KEYS[1])";

/** Tests redis-benchmark has no -t for: the command it sends (__rand_int__ drawn from -r 100000). */
const CUSTOM: Record<string, string[]> = {
  xadd: ['XADD', 'bench:stream', '*', 'field', '__rand_int__'],
  pfadd: ['PFADD', 'bench:hll', 'element:__rand_int__'],
  evalsha: ['EVALSHA', '$SHA', '1', 'bench:counter:__rand_int__'],
};

/** Subscriber counts of the PUBLISH fan-out rows. */
const PUBLISH: Record<string, number> = { publish1: 1, publish100: 100 };

function parseOptions(argv: string[]): Options {
  const o: Options = { n: 200000, clients: 50, tests: DEFAULT_TESTS, pipelines: [1, 16], shards: 1, memory: true, memoryKeys: 1_000_000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if (a === '--n') o.n = Number(v), i++;
    else if (a === '--clients') o.clients = Number(v), i++;
    else if (a === '--tests') o.tests = v!.split(','), i++;
    else if (a === '--pipelines') o.pipelines = v!.split(',').map(Number), i++;
    else if (a === '--shards') o.shards = Number(v), i++;
    else if (a === '--memory-keys') o.memoryKeys = Number(v), i++;
    else if (a === '--no-memory') o.memory = false;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}


async function waitUp(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      const c = await RespClient.connect(port);
      await c.call('PING');
      c.close();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`server on ${port} did not start`);
}

interface Target {
  name: string;
  port: number;
  proc: ChildProcess;
}

async function startRedis(): Promise<Target> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes'], { stdio: 'ignore' });
  await waitUp(port);
  return { name: 'redis', port, proc };
}

async function startShardis(shards: number, dir: string): Promise<Target> {
  const port = await freePort();
  const main = new URL('../src/main.ts', import.meta.url).pathname;
  const proc = spawn(process.execPath, [main, '--port', String(port), '--dir', dir, '--shards', String(shards), '--loglevel', 'warning'], { stdio: 'inherit' });
  await waitUp(port);
  return { name: 'shardis', port, proc };
}

let evalshaSha = '';

function runBenchmark(port: number, test: string, pipeline: number, o: Options): number {
  const custom = CUSTOM[test]?.map((a) => (a === '$SHA' ? evalshaSha : a));
  const what = custom !== undefined ? ['-r', '100000', ...custom] : ['-t', test];
  const out = execFileSync('redis-benchmark', ['-h', '127.0.0.1', '-p', String(port), '-c', String(o.clients), '-n', String(o.n), '-P', String(pipeline), '--csv', ...what], { encoding: 'utf8' });
  // "test","rps",... header then one row per test
  const rows = out.trim().split('\n').filter((l) => !l.startsWith('"test"'));
  let rps = 0;
  for (const row of rows) {
    const cols = row.split(',').map((s) => s.replace(/"/g, ''));
    rps = Number(cols[1]);
  }
  return rps;
}

/** One measurement of a row: operations (or, for PUBLISH, deliveries) per second. */
async function measure(port: number, test: string, pipeline: number, o: Options): Promise<number> {
  if (test === 'multi') return multiExecRate(port, o.clients, o.n, pipeline);
  const subscribers = PUBLISH[test];
  if (subscribers !== undefined) {
    const n = subscribers > 1 ? Math.max(1000, Math.floor(o.n / 10)) : o.n;
    const publisher = ['-h', '127.0.0.1', '-p', String(port), '-c', String(o.clients), '-n', String(n), '-P', String(pipeline), 'PUBLISH', 'bench:ch', 'hello'];
    return publishDeliveryRate(port, subscribers, 'bench:ch', n, publisher);
  }
  return runBenchmark(port, test, pipeline, o);
}

/** Loads the EVALSHA row's script on both servers (the same SHA1 on each) and lifts pub/sub output limits. */
async function prepare(targets: Target[], o: Options): Promise<void> {
  for (const t of targets) {
    const c = await RespClient.connect(t.port);
    if (o.tests.includes('evalsha')) {
      const sha = (await c.call('SCRIPT', 'LOAD', EVALSHA_SCRIPT)) as string;
      if (evalshaSha !== '' && sha !== evalshaSha) throw new Error(`SCRIPT LOAD: ${t.name} answered ${sha}, not ${evalshaSha}`);
      evalshaSha = sha;
    }
    // slow raw subscribers must not be disconnected mid-row on either server
    await c.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 0 0 0');
    c.close();
  }
}

async function usedMemory(port: number): Promise<number> {
  const c = await RespClient.connect(port);
  const info = (await c.call('INFO', 'memory')) as string;
  c.close();
  const m = /used_memory:(\d+)/.exec(info);
  return m ? Number(m[1]) : NaN;
}

async function memoryPerKey(t: Target, keys: number): Promise<number> {
  const c = await RespClient.connect(t.port);
  await c.call('FLUSHALL');
  if (t.name === 'shardis') await c.call('DEBUG', 'GC');
  const before = await usedMemory(t.port);
  // small string keys as redis-benchmark writes them: key:NNNNNNNNNNNN → 3-byte values
  const batch = 10000;
  for (let i = 0; i < keys; i += batch) {
    const args: string[] = ['MSET'];
    for (let j = i; j < Math.min(keys, i + batch); j++) args.push(`key:${String(j).padStart(12, '0')}`, 'xxx');
    await c.call(...args);
  }
  if (t.name === 'shardis') await c.call('DEBUG', 'GC');
  const after = await usedMemory(t.port);
  await c.call('FLUSHALL');
  c.close();
  return (after - before) / keys;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  try {
    execFileSync('redis-benchmark', ['--version']);
  } catch {
    throw new Error('bench needs redis-benchmark and redis-server (apt-get install redis-server redis-tools)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'shardis-bench-'));
  const redis = await startRedis();
  const shardis = await startShardis(o.shards, dir);
  const results: Array<{ test: string; p: number; redis: number; shardis: number }> = [];
  try {
    console.log(`redis-benchmark -c ${o.clients} -n ${o.n}; shardis --shards ${o.shards}; node ${process.version}`);
    await prepare([redis, shardis], o);
    for (const p of o.pipelines) {
      for (const test of o.tests) {
        // a short untimed run first so both servers are warm (V8 JIT, allocator)
        await measure(redis.port, test, p, { ...o, n: Math.max(1000, Math.floor(o.n / 10)) });
        await measure(shardis.port, test, p, { ...o, n: Math.max(1000, Math.floor(o.n / 10)) });
        const r = await measure(redis.port, test, p, o);
        const s = await measure(shardis.port, test, p, o);
        results.push({ test, p, redis: r, shardis: s });
        console.log(`${pad(test.toUpperCase(), 12)} -P ${pad(String(p), 3)} redis ${pad(r.toFixed(0), 9)} shardis ${pad(s.toFixed(0), 9)} ratio ${(s / r).toFixed(2)}`);
      }
    }
    console.log('\n| test | -P | redis rps | shardis rps | ratio |\n|---|---|---|---|---|');
    for (const r of results) console.log(`| ${r.test.toUpperCase()} | ${r.p} | ${r.redis.toFixed(0)} | ${r.shardis.toFixed(0)} | ${(r.shardis / r.redis).toFixed(2)} |`);
    if (o.memory) {
      const rm = await memoryPerKey(redis, o.memoryKeys);
      const sm = await memoryPerKey(shardis, o.memoryKeys);
      console.log(`\nmemory per key (${o.memoryKeys} small string keys, used_memory delta): redis ${rm.toFixed(1)} B, shardis ${sm.toFixed(1)} B, ratio ${(sm / rm).toFixed(2)}`);
    }
  } finally {
    redis.proc.kill('SIGKILL');
    shardis.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
