/**
 * HTTP and key-feed benchmarks (`npm run bench -- --http`):
 * - commands per second over HTTP, shardis's front end against Webdis
 *   (Debian's `webdis`) in front of a real redis-server, in the same run:
 *   `/SET/key:<r>/<value>` and `/GET/key:<r>` (both servers take that path
 *   form) over keep-alive connections, random keys out of 100 000, the
 *   load made by wrk (Debian's `wrk`);
 * - key feeds: changes per second delivered to 1 and 100 SSE watchers of a
 *   prefix while one writer SETs keys, and the time from a write to its
 *   delivery (p50 / p99; the value is the write's timestamp).
 * Servers are pinned to core 0 and the load to the other cores when there
 * are at least 2 (shardis: one thread; Webdis: its 2 threads and Redis).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports.ts';
import { SHARDIS_NODE_FLAGS, waitUp } from './servers.ts';
import { RespClient } from '../test/helpers/resp-client.ts';
import { sseData } from '../src/client/sse-reader.ts';

const PINNED = cpus().length >= 2;

function pinned(cmd: string, args: string[]): ChildProcess {
  return PINNED ? spawn('taskset', ['-c', '0', cmd, ...args], { stdio: 'ignore' }) : spawn(cmd, args, { stdio: 'ignore' });
}

async function waitHttp(port: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/PING`);
      await res.text();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error(`nothing answers HTTP on ${port}`);
}

/** wrk's script: each request a random key out of 100 000 in `path` (with KEY in it). */
function wrkScript(dir: string, path: string): string {
  const file = join(dir, `wrk-${path.split('/')[1]}.lua`);
  const [head, tail] = path.split('KEY') as [string, string];
  writeFileSync(file, `math.randomseed(${Date.now() % 100000})\nrequest = function()\n  return wrk.format("GET", "${head}" .. math.random(0, 99999) .. "${tail}")\nend\n`);
  return file;
}

/**
 * Requests per second over `seconds` from `clients` keep-alive connections,
 * by wrk (C, one thread, pinned to the load's cores): a Node load generator
 * capped both servers at ~20-27k requests/s. Errors or non-200 answers fail the run.
 */
function rate(port: number, seconds: number, clients: number, script: string): number {
  const args = ['-t', '1', '-c', String(clients), '-d', `${seconds}s`, '-s', script, `http://127.0.0.1:${port}`];
  const out = PINNED ? execFileSync('taskset', ['-c', `1-${cpus().length - 1}`, 'wrk', ...args], { encoding: 'utf8' }) : execFileSync('wrk', args, { encoding: 'utf8' });
  const bad = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(out);
  if (bad !== null) throw new Error(`wrk against ${port}: ${bad[0]}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (rps === null) throw new Error(`wrk printed no rate:\n${out}`);
  return Number(rps[1]);
}

export interface HttpRow {
  test: string;
  webdis: number;
  shardis: number;
}

/** The load (this process) on the cores the servers leave free. */
function pinLoad(): void {
  if (PINNED) execFileSync('taskset', ['-a', '-p', '-c', `1-${cpus().length - 1}`, String(process.pid)], { stdio: 'ignore' });
}

export async function httpRows(seconds: number, clients: number, log: (l: string) => void): Promise<HttpRow[]> {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (e) {
    // wrk --version exits 1 after printing its version; only a missing binary is an error
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('bench --http needs wrk and webdis (apt-get install wrk webdis)');
  }
  pinLoad();
  const dir = mkdtempSync(join(tmpdir(), 'shardis-http-bench-'));
  const procs: ChildProcess[] = [];
  try {
    const redisPort = await freePort();
    procs.push(pinned('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no', '--dir', dir]));
    await waitUp(redisPort);
    const webdisPort = await freePort();
    const conf = join(dir, 'webdis.json');
    writeFileSync(conf, JSON.stringify({ redis_host: '127.0.0.1', redis_port: redisPort, http_host: '127.0.0.1', http_port: webdisPort, threads: 2, pool_size: 20, daemonize: false, database: 0, verbosity: 0, logfile: join(dir, 'webdis.log') }));
    procs.push(pinned('webdis', [conf]));
    const shardisPort = await freePort();
    const shardisHttp = await freePort();
    procs.push(pinned(process.execPath, [...SHARDIS_NODE_FLAGS, new URL('../src/main.ts', import.meta.url).pathname, '--port', String(shardisPort), '--http-port', String(shardisHttp), '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning']));
    await waitHttp(webdisPort);
    await waitHttp(shardisHttp);
    const tests: Array<[string, string]> = [
      ['SET', wrkScript(dir, '/SET/key:KEY/xxx')],
      ['GET', wrkScript(dir, '/GET/key:KEY')],
    ];
    const rows: HttpRow[] = [];
    for (const [test, script] of tests) {
      // warm both (JIT, connection pools)
      rate(webdisPort, 1, clients, script);
      rate(shardisHttp, 1, clients, script);
      const w = rate(webdisPort, seconds, clients, script);
      const s = rate(shardisHttp, seconds, clients, script);
      rows.push({ test, webdis: w, shardis: s });
      log(`HTTP ${test}: webdis ${w.toFixed(0)} shardis ${s.toFixed(0)} ratio ${(s / w).toFixed(2)}`);
    }
    return rows;
  } finally {
    for (const p of procs) p.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FeedRow {
  threads: number;
  watchers: number;
  changesPerSec: number;
  p50: number;
  p99: number;
}

/** Follows `/feed?prefix=f:` and records, for each change, ms from its write (the value) to now. */
async function watcher(httpPort: number, lat: number[], until: Promise<void>): Promise<number> {
  const abort = new AbortController();
  const res = await fetch(`http://127.0.0.1:${httpPort}/feed?prefix=f:`, { signal: abort.signal });
  let got = 0;
  void until.then(() => abort.abort());
  try {
    for await (const data of sseData(res.body!)) {
      const m = JSON.parse(data) as { type: string; value?: { value: string } };
      if (m.type !== 'change' || m.value === undefined) continue;
      got++;
      lat.push(performance.timeOrigin + performance.now() - Number(m.value.value));
    }
  } catch {
    // aborted at the end
  }
  return got;
}

export async function feedRows(counts: number[], seconds: number, log: (l: string) => void, threadCounts: number[] = [1]): Promise<FeedRow[]> {
  const rows: FeedRow[] = [];
  for (const threads of threadCounts) for (const watchers of counts) {
    const dir = mkdtempSync(join(tmpdir(), 'shardis-feed-bench-'));
    const port = await freePort();
    const httpPort = await freePort();
    const proc = pinned(process.execPath, [...SHARDIS_NODE_FLAGS, new URL('../src/main.ts', import.meta.url).pathname, '--port', String(port), '--http-port', String(httpPort), '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning', '--threads', String(threads)]);
    try {
      await waitUp(port);
      let stop: () => void = () => {};
      const until = new Promise<void>((r) => (stop = r));
      const lat: number[] = [];
      const ws = Array.from({ length: watchers }, () => watcher(httpPort, lat, until));
      await new Promise((r) => setTimeout(r, 300));
      const c = await RespClient.connect(port);
      const t0 = performance.now();
      let writes = 0;
      // one writer, 16 writes in flight: each value is the write's wall-clock time in ms
      while (performance.now() - t0 < seconds * 1000) {
        const batch: Promise<unknown>[] = [];
        for (let i = 0; i < 16; i++, writes++) batch.push(c.call('SET', `f:${writes % 1000}`, String(performance.timeOrigin + performance.now())));
        await Promise.all(batch);
      }
      const elapsed = (performance.now() - t0) / 1000;
      await new Promise((r) => setTimeout(r, 500));
      stop();
      const delivered = (await Promise.all(ws)).reduce((a, b) => a + b, 0);
      c.close();
      lat.sort((a, b) => a - b);
      const row = { threads, watchers, changesPerSec: delivered / elapsed, p50: lat[Math.floor(lat.length / 2)] ?? NaN, p99: lat[Math.floor(lat.length * 0.99)] ?? NaN };
      rows.push(row);
      log(`feeds: ${threads} thread(s), ${watchers} watcher(s), ${writes} writes: ${row.changesPerSec.toFixed(0)} changes/s delivered, p50 ${row.p50.toFixed(2)} ms, p99 ${row.p99.toFixed(2)} ms`);
    } finally {
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

export function httpTable(rows: HttpRow[], clients: number): string {
  const head = `HTTP commands per second, ${clients} keep-alive connections, random keys out of 100 000:\n\n| test | webdis + redis rps | shardis rps | ratio |\n|---|---|---|---|`;
  return [head, ...rows.map((r) => `| ${r.test} | ${r.webdis.toFixed(0)} | ${r.shardis.toFixed(0)} | ${(r.shardis / r.webdis).toFixed(2)} |`)].join('\n');
}

export function feedTable(rows: FeedRow[]): string {
  const head = 'Key feeds over SSE: one writer SETting keys of a watched prefix (16 in flight):\n\n| threads | watchers | changes delivered / s | p50 write → delivery ms | p99 ms |\n|---|---|---|---|---|';
  return [head, ...rows.map((r) => `| ${r.threads} | ${r.watchers} | ${r.changesPerSec.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} |`)].join('\n');
}
