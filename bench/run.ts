/**
 * Benchmarks shardis against a real redis-server in the same run with
 * redis-benchmark, and prints throughput ratios plus memory per key.
 *
 *   npm run bench                      # default table
 *   npm run bench -- --n 50000 --tests set,get --pipelines 1
 *   npm run bench -- --shards 4 --no-memory
 *   npm run bench -- --memory-scale 0.1      # a smaller memory table
 *   npm run bench -- --tests evalsha,multi,publish1,publish100 --no-memory
 *   npm run bench -- --keys 200000           # persistence rows on 200k keys
 *   npm run bench -- --no-persistence        # skip the persistence rows
 *   npm run bench -- --no-snapshot           # skip only the N-key snapshot rows
 *   npm run bench -- --threads 1,2,4 --tests get,set   # only the threads table (bench/threads.ts)
 *   npm run bench -- --http [--seconds 5]    # only HTTP vs Webdis (wrk, 5 s a run) and key feeds (bench/http.ts)
 *   npm run bench -- --http --threads 1,4    # … with the feeds rows on 1 and 4 threads
 *   npm run bench -- --replication [--keys N] # only full sync of N keys and replication lag (bench/replication.ts)
 *   npm run bench -- --cluster [--keys N]    # only 3-master fleets vs Redis Cluster and resharding N keys (bench/cluster.ts)
 *   REDIS_SERVER=…/redis-7.4.1/src/redis-server npm run bench -- --hfe   # only hash field expiration vs Redis 7.4 (bench/hfe.ts)
 *   npm run bench -- --fcall                 # only the FCALL rows: a Lua and a JS function (bench/fcall.ts)
 *   npm run bench -- --no-fcall              # the default run without them
 *
 * Persistence rows, in the default run after the throughput table:
 * - SET AOF EVERYSEC / SET AOF ALWAYS at each -P: SET throughput with
 *   appendonly yes and that appendfsync on both servers (fresh servers per
 *   policy, see aof-rows.ts; the always rows send n/10 requests).
 * - BGSAVE / BGREWRITEAOF of N keys (--keys, default 1M, DEBUG POPULATE):
 *   time taken, longest client stall (the largest PING reply gap seen by a
 *   client pinging back to back) and memory overhead (peak RSS minus RSS
 *   before; Redis adds its child's copy-on-write bytes); then the start-up
 *   load time of the N-key dump.rdb (see snapshot.ts).
 *
 * Memory table (bench/memory.ts), after the throughput rows: bytes per key
 * of strings and of hashes, sets (integer and string members), sorted sets
 * and lists of 10, 100 and 10 000 elements, a 1M-member sorted set and a
 * 1M-field hash: used_memory and RSS deltas, fresh servers per row.
 * Then the conversion table (bench/conversion.ts): µs per command that
 * converts an encoding (129th hash field, 513th intset member, …) against
 * the same command below the threshold (--no-memory skips both).
 *
 * Also in the default table: EVALSHA (a script doing one GET and one
 * INCR, loaded with SCRIPT LOAD on both servers, sent by redis-benchmark as
 * `EVALSHA <sha> 1 key`), MULTI (MULTI / INCR / EXEC transactions per
 * second from raw sockets, see loads.ts) and PUBLISH1 / PUBLISH100
 * (messages delivered per second to 1 or 100 raw subscriber sockets while
 * redis-benchmark publishes; PUBLISH100 publishes n/10 messages).
 *
 * FCALL rows (bench/fcall.ts), after the throughput rows on fresh pinned
 * servers: FCALL of a function doing one GET and one INCR, in Lua on both
 * servers and in JavaScript (a `#!js` library) on shardis.
 *
 * Not a test: nothing here asserts a timing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RespClient } from '../test/helpers/resp-client.ts';
import { multiExecRate, publishDeliveryRate } from './loads.ts';
import { kill, startTarget, type Target } from './servers.ts';
import { aofSetRows } from './aof-rows.ts';
import { snapshotRows, snapshotTable } from './snapshot.ts';
import { memoryRows, memoryTable } from './memory.ts';
import { conversionRows, conversionTable } from './conversion.ts';
import { threadRows, threadTable, type Rate } from './threads.ts';
import { feedRows, feedTable, httpRows, httpTable } from './http.ts';
import { clusterRows, clusterTable } from './cluster.ts';
import { replicationRows, replicationTable } from './replication.ts';
import { hfeMemoryRows, hfeRates, hfeTable } from './hfe.ts';
import { fcallRows, fcallTable, type FcallRow } from './fcall.ts';

interface Options {
  n: number;
  clients: number;
  tests: string[];
  pipelines: number[];
  shards: number;
  memory: boolean;
  /** Scales the memory table's key and element counts (1: 100k keys of 10 elements …). */
  memoryScale: number;
  /** SET with appendonly yes rows. */
  aof: boolean;
  /** BGSAVE / BGREWRITEAOF / start-up rows, on `keys` keys. */
  snapshot: boolean;
  keys: number;
  /** Thread counts of the threads table; empty: the default run. */
  threads: number[];
  /** Only the HTTP and key-feed tables. */
  http: boolean;
  /** Only the replication rows (bench/replication.ts). */
  replication: boolean;
  cluster: boolean;
  /** Only the hash field expiration rows (bench/hfe.ts; REDIS_SERVER: a Redis 7.4). */
  hfe: boolean;
  /** How long each wrk run of --http lasts. */
  seconds: number;
  /** FCALL rows (Lua and JS functions, bench/fcall.ts); `fcallOnly`: nothing else. */
  fcall: boolean;
  fcallOnly: boolean;
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
  const o: Options = { n: 200000, clients: 50, tests: DEFAULT_TESTS, pipelines: [1, 16], shards: 1, memory: true, memoryScale: 1, aof: true, snapshot: true, keys: 1_000_000, threads: [], http: false, replication: false, cluster: false, hfe: false, seconds: 5, fcall: true, fcallOnly: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = argv[i + 1];
    if (a === '--n') o.n = Number(v), i++;
    else if (a === '--clients') o.clients = Number(v), i++;
    else if (a === '--tests') o.tests = v!.split(','), i++;
    else if (a === '--pipelines') o.pipelines = v!.split(',').map(Number), i++;
    else if (a === '--shards') o.shards = Number(v), i++;
    else if (a === '--threads') o.threads = v!.split(',').map(Number), i++;
    else if (a === '--http') o.http = true;
    else if (a === '--seconds') o.seconds = Number(v), i++;
    else if (a === '--replication') o.replication = true;
    else if (a === '--cluster') o.cluster = true;
    else if (a === '--hfe') o.hfe = true;
    else if (a === '--fcall') o.fcallOnly = true;
    else if (a === '--no-fcall') o.fcall = false;
    else if (a === '--memory-scale') o.memoryScale = Number(v), i++;
    else if (a === '--no-memory') o.memory = false;
    else if (a === '--keys') o.keys = Number(v), i++;
    else if (a === '--no-persistence') o.aof = false, o.snapshot = false;
    else if (a === '--no-aof') o.aof = false;
    else if (a === '--no-snapshot') o.snapshot = false;
    else throw new Error(`unknown option ${a}`);
  }
  return o;
}


let evalshaSha = '';

/** One redis-benchmark row; `random`: -t tests on random keys out of 100 000 too (the custom ones always are). */
function runBenchmark(port: number, test: string, pipeline: number, o: Options, cpus = '', random = false): number {
  const custom = CUSTOM[test]?.map((a) => (a === '$SHA' ? evalshaSha : a));
  const what = custom !== undefined ? ['-r', '100000', ...custom] : random ? ['-r', '100000', '-t', test] : ['-t', test];
  return redisBenchmark(port, what, pipeline, o.clients, o.n, cpus);
}

/** Requests per second of one redis-benchmark run (`what`: -t tests or a command), pinned to `cpus` ('' for none). */
function redisBenchmark(port: number, what: string[], pipeline: number, clients: number, n: number, cpus: string): number {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-c', String(clients), '-n', String(n), '-P', String(pipeline), '--csv', ...what];
  const out = cpus === ''
    ? execFileSync('redis-benchmark', args, { encoding: 'utf8' })
    : execFileSync('taskset', ['-c', cpus, 'redis-benchmark', ...args], { encoding: 'utf8' });
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
  if (o.replication) {
    const rows = await replicationRows(o.keys, o.n, (l) => console.log(l));
    console.log(`\n${replicationTable(rows)}`);
    return;
  }
  if (o.hfe) {
    const rates = await hfeRates(o.n, o.pipelines, (l) => console.log(l));
    const mem = await hfeMemoryRows(o.memoryScale, (l) => console.log(l));
    console.log(`\n${hfeTable(rates, mem)}`);
    return;
  }
  if (o.cluster) {
    const rows = await clusterRows(o.n, o.clients, o.keys, (l) => console.log(l));
    console.log(`\n${clusterTable(rows, o.clients)}`);
    return;
  }
  const fcall = (): Promise<FcallRow[]> => fcallRows(o.n, o.pipelines, (port, cmd, p, n, cpus) => redisBenchmark(port, ['-r', '100000', ...cmd], p, o.clients, n, cpus), (l) => console.log(l));
  if (o.fcallOnly) {
    console.log(`\n${fcallTable(await fcall(), o.n, o.clients)}`);
    return;
  }
  if (o.http) {
    const http = await httpRows(o.seconds, o.clients, (l) => console.log(l));
    const feeds = await feedRows([1, 100], 3, (l) => console.log(l), o.threads.length !== 0 ? o.threads : [1]);
    console.log(`\n${httpTable(http, o.clients)}\n\n${feedTable(feeds)}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'shardis-bench-'));
  const redisDir = mkdtempSync(join(tmpdir(), 'redis-bench-'));
  if (o.threads.length !== 0) {
    try {
      console.log(`redis-benchmark -c ${o.clients} -n ${o.n}; node ${process.version}`);
      // keys spread over every thread's shards: random keys out of 100 000
      const rate: Rate = async (port, test, p, cpus) => runBenchmark(port, test, p, o, cpus, true);
      const rows = await threadRows(o.threads, o.tests, o.pipelines, o.n, (name) => (name === 'redis' ? redisDir : dir), rate, (l) => console.log(l));
      console.log(`\n${threadTable(rows)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(redisDir, { recursive: true, force: true });
    }
    return;
  }
  const redis = await startTarget('redis', redisDir, ['--appendonly', 'no']);
  const shardis = await startTarget('shardis', dir, ['--appendonly', 'no'], o.shards);
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
    kill(redis);
    kill(shardis);
    const fcalls = o.fcall ? await fcall() : [];
    const memory = o.memory ? await memoryRows(null, o.memoryScale, (l) => console.log(l)) : [];
    const conversions = o.memory ? await conversionRows(null, 5000, (l) => console.log(l)) : [];
    if (o.aof) {
      const rate = (port: number, p: number, n: number): Promise<number> => measure(port, 'set', p, { ...o, n });
      results.push(...await aofSetRows(rate, o.n, o.pipelines, o.shards, (l) => console.log(l)));
    }
    const snapshots = o.snapshot ? await snapshotRows(o.keys, o.shards, (l) => console.log(l)) : [];
    console.log('\n| test | -P | redis rps | shardis rps | ratio |\n|---|---|---|---|---|');
    for (const r of results) console.log(`| ${r.test.toUpperCase()} | ${r.p} | ${r.redis.toFixed(0)} | ${r.shardis.toFixed(0)} | ${(r.shardis / r.redis).toFixed(2)} |`);
    if (fcalls.length !== 0) console.log(`\n${fcallTable(fcalls, o.n, o.clients)}`);
    if (memory.length !== 0) console.log(`\nMemory per key, fresh servers loaded with redis-cli --pipe (bench/memory.ts):\n\n${memoryTable(memory)}`);
    if (conversions.length !== 0) console.log(`\nEncoding conversions, µs per command (bench/conversion.ts):\n\n${conversionTable(conversions)}`);
    if (snapshots.length !== 0) console.log(`\n${snapshotTable(snapshots)}`);
  } finally {
    kill(redis);
    kill(shardis);
    rmSync(dir, { recursive: true, force: true });
    rmSync(redisDir, { recursive: true, force: true });
  }
}

await main();
