/**
 * Benchmarks shardis against a real redis-server in the same run with
 * redis-benchmark, and prints throughput ratios plus memory per key.
 *
 * Throughput rows (the first table): every row uses random keys, `-r 100000`
 * for the `-t` tests too (see throughput-rows.ts for each row's command,
 * keyspace and the data preloaded on both servers before it: MGET10,
 * HGETALL, ZRANGE10, XREAD, SINTER; ZADD1M grows one sorted set with 1M
 * requests from -r 1000000 whatever --n says). Each server and
 * redis-benchmark run on separate cores where the machine has them
 * (taskset, pinning.ts; the header says how). Per row and server: one
 * untimed warm-up run, then --runs timed runs (default 3) alternating
 * redis / shardis; the table gives the median rps with the min–max spread,
 * the ratio of the medians and the p50/p99/p99.9 latency of the median run
 * (redis-benchmark --precision 3, parsed by redis-benchmark.ts; `-` for the
 * MULTI and PUBLISH rows, measured from raw sockets by loads.ts).
 *
 *   npm run bench                      # default table
 *   npm run bench -- --runs 5          # five timed runs a row
 *   npm run bench -- --tests mget10,hgetall,zrange10,xread,sinter,zadd1m --no-memory --no-persistence --no-fcall
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
 *   policy, see aof-rows.ts; the always rows send n/10 requests), median
 *   of --runs runs as the throughput rows.
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
// the EVALSHA row's script (its SHA1 replaces $SHA): the in-process benches' own
import { EVALSHA_SCRIPT } from './micro-commands.ts';
import { execFileSync } from 'node:child_process';
import { allCpus, pinSelf, pinning, type Pinning } from './pinning.ts';
import { redisBenchmark } from './redis-benchmark.ts';
import { rowLine, summarize, throughputTable, type RowResult, type Sample } from './row-stats.ts';
import { preload, throughputRow, type DataSet } from './throughput-rows.ts';
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
  /** Timed runs per row and server (after the warm-up run); the table shows their median. */
  runs: number;
}

const DEFAULT_TESTS = ['set', 'get', 'incr', 'lpush', 'lpop', 'sadd', 'hset', 'zadd', 'lrange_100', 'spop', 'zpopmin', 'xadd', 'pfadd', 'evalsha', 'multi', 'publish1', 'publish100', 'mset', 'mget10', 'hgetall', 'zrange10', 'xread', 'sinter', 'zadd1m'];

/** Subscriber counts of the PUBLISH fan-out rows. */
const PUBLISH: Record<string, number> = { publish1: 1, publish100: 100 };

function parseOptions(argv: string[]): Options {
  const o: Options = { n: 200000, clients: 50, tests: DEFAULT_TESTS, pipelines: [1, 16], shards: 1, memory: true, memoryScale: 1, aof: true, snapshot: true, keys: 1_000_000, threads: [], http: false, replication: false, cluster: false, hfe: false, seconds: 5, fcall: true, fcallOnly: false, runs: 3 };
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
    else if (a === '--runs') o.runs = Number(v), i++;
    else throw new Error(`unknown option ${a}`);
  }
  if (!(Number.isInteger(o.runs) && o.runs >= 1)) throw new Error('--runs needs a whole number ≥ 1');
  return o;
}


let evalshaSha = '';

/** One redis-benchmark run of a row (random keys, see throughput-rows.ts), redis-benchmark pinned to `cpus` ('' for none). */
function runBenchmark(port: number, test: string, pipeline: number, clients: number, n: number, cpus: string): Sample {
  const row = throughputRow(test, evalshaSha);
  if (row === undefined) throw new Error(`${test} is not a redis-benchmark row`);
  const { rps, p50, p99, p999 } = redisBenchmark(port, row.args, pipeline, clients, n, cpus);
  return { rps, latency: { p50, p99, p999 } };
}

/** How many requests a warm-up run sends: a tenth (at least 1000). */
function warmN(n: number): number {
  return Math.max(1000, Math.floor(n / 10));
}

/** One measurement of a row: operations (or, for PUBLISH, deliveries) per second, and the latency where redis-benchmark gives one. */
async function measure(port: number, test: string, pipeline: number, o: Options, cpus: string, warm = false): Promise<Sample> {
  const n = warm ? warmN(o.n) : o.n;
  if (test === 'multi') return { rps: await multiExecRate(port, o.clients, n, pipeline) };
  const subscribers = PUBLISH[test];
  if (subscribers !== undefined) {
    const count = subscribers > 1 ? warmN(n) : n;
    // spawned from this process, pinned (pinSelf) to the load generator's cores
    const publisher = ['-h', '127.0.0.1', '-p', String(port), '-c', String(o.clients), '-n', String(count), '-P', String(pipeline), 'PUBLISH', 'bench:ch', 'hello'];
    return { rps: await publishDeliveryRate(port, subscribers, 'bench:ch', count, publisher) };
  }
  const row = throughputRow(test, evalshaSha)!;
  if (row.reset !== undefined) {
    const c = await RespClient.connect(port);
    await c.call(...row.reset);
    c.close();
  }
  const rowN = row.n ?? o.n;
  return runBenchmark(port, test, pipeline, o.clients, warm ? warmN(rowN) : rowN, cpus);
}

/** The warm-up run and `o.runs` timed runs of one row, alternating redis / shardis. */
async function measureRow(redis: Target, shardis: Target, test: string, p: number, o: Options, pin: Pinning): Promise<RowResult> {
  // a short untimed run first so both servers are warm (V8 JIT, allocator)
  await measure(redis.port, test, p, o, pin.bench, true);
  await measure(shardis.port, test, p, o, pin.bench, true);
  const r: Sample[] = [];
  const s: Sample[] = [];
  for (let i = 0; i < o.runs; i++) {
    r.push(await measure(redis.port, test, p, o, pin.bench));
    s.push(await measure(shardis.port, test, p, o, pin.bench));
  }
  return { test, p, redis: summarize(r), shardis: summarize(s) };
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
  const fcall = (): Promise<FcallRow[]> => fcallRows(o.n, o.pipelines, (port, cmd, p, n, cpus) => redisBenchmark(port, ['-r', '100000', ...cmd], p, o.clients, n, cpus).rps, (l) => console.log(l));
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
      const rate: Rate = async (port, test, p, cpus) => runBenchmark(port, test, p, o.clients, throughputRow(test, evalshaSha)?.n ?? o.n, cpus).rps;
      const rows = await threadRows(o.threads, o.tests, o.pipelines, o.n, (name) => (name === 'redis' ? redisDir : dir), rate, (l) => console.log(l));
      console.log(`\n${threadTable(rows)}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(redisDir, { recursive: true, force: true });
    }
    return;
  }
  const pin = pinning();
  const redis = await startTarget('redis', redisDir, ['--appendonly', 'no'], 1, true, pin.redis);
  const shardis = await startTarget('shardis', dir, ['--appendonly', 'no'], o.shards, true, pin.shardis);
  const results: RowResult[] = [];
  try {
    console.log(`redis-benchmark -c ${o.clients} -n ${o.n} --precision 3, random keys (-r); median of ${o.runs} run${o.runs === 1 ? '' : 's'} after a warm-up; shardis --shards ${o.shards}; node ${process.version}`);
    console.log(pin.describe);
    await prepare([redis, shardis], o);
    const loaded = new Set<DataSet>();
    // the in-process load generators (MULTI, PUBLISH subscribers) and the publisher they spawn run where redis-benchmark does
    pinSelf(pin.bench);
    try {
      for (const p of o.pipelines) {
        for (const test of o.tests) {
          const data = throughputRow(test, evalshaSha)?.data;
          if (data !== undefined && !loaded.has(data)) {
            const t0 = performance.now();
            await preload(data, [redis.port, shardis.port]);
            loaded.add(data);
            console.log(`preloaded ${data} on both servers in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
          }
          const row = await measureRow(redis, shardis, test, p, o, pin);
          results.push(row);
          console.log(rowLine(row));
        }
      }
    } finally {
      if (pin.pinned) pinSelf(allCpus());
    }
    kill(redis);
    kill(shardis);
    const fcalls = o.fcall ? await fcall() : [];
    const memory = o.memory ? await memoryRows(null, o.memoryScale, (l) => console.log(l)) : [];
    const conversions = o.memory ? await conversionRows(null, 5000, (l) => console.log(l)) : [];
    if (o.aof) {
      const rate = (port: number, p: number, n: number): Promise<Sample> => measure(port, 'set', p, { ...o, n }, pin.bench);
      results.push(...await aofSetRows(rate, o.n, o.pipelines, o.shards, o.runs, pin, (l) => console.log(l)));
    }
    const snapshots = o.snapshot ? await snapshotRows(o.keys, o.shards, (l) => console.log(l)) : [];
    console.log(`\n${pin.describe}; median of ${o.runs} (min–max); latency of the median run\n\n${throughputTable(results)}`);
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
