/**
 * BGSAVE of a large dataset while a client keeps sending PINGs, against
 * shardis and a real redis-server in the same run: the longest reply gap the
 * client saw during the save (the stall), how long the save took, and the
 * server's memory before and at its peak during the save. Then the start-up
 * load time of the file each server wrote.
 *
 *   node bench/snapshot.ts [--keys 1000000]
 *
 * Not a test: nothing here asserts a timing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports.ts';
import { RespClient } from '../test/helpers/resp-client.ts';

const keysArg = process.argv.indexOf('--keys');
const KEYS = keysArg > 0 ? Number(process.argv[keysArg + 1]) : 1_000_000;

interface Server { name: string; port: number; proc: ChildProcess; dir: string }

async function waitUp(port: number, timeoutMs = 120_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    try {
      const c = await RespClient.connect(port);
      const r = await c.call('PING');
      c.close();
      if (r === 'PONG') return performance.now() - t0;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`server on ${port} did not start`);
}

async function start(name: string, dir: string): Promise<Server> {
  const port = await freePort();
  const proc = name === 'redis'
    ? spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--enable-debug-command', 'yes'], { stdio: 'ignore' })
    : spawn(process.execPath, [new URL('../src/main.ts', import.meta.url).pathname, '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  await waitUp(port);
  return { name, port, proc, dir };
}

/** RSS of a process in bytes (what the OS charges it, fork's copy-on-write pages of the child aside). */
function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m ? Number(m[1]) * 1024 : NaN;
}

async function measure(s: Server): Promise<void> {
  const c = await RespClient.connect(s.port);
  c.send('DEBUG', 'POPULATE', String(KEYS), 'key', '16');
  await c.read(300_000);
  const probe = await RespClient.connect(s.port);
  const rssBefore = rss(s.proc.pid!);
  let maxGap = 0;
  let peak = rssBefore;
  let running = true;
  const pinger = (async () => {
    while (running) {
      const t = performance.now();
      await probe.call('PING');
      maxGap = Math.max(maxGap, performance.now() - t);
    }
  })();
  const t0 = performance.now();
  await c.call('BGSAVE');
  for (;;) {
    peak = Math.max(peak, rss(s.proc.pid!));
    const info = (await c.call('INFO', 'persistence')) as string;
    if (info.includes('rdb_bgsave_in_progress:0')) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const saveMs = performance.now() - t0;
  running = false;
  await pinger;
  // Redis saves in a forked child: count the child's memory too (its copy-on-write pages)
  console.log(`${s.name.padEnd(8)} BGSAVE of ${KEYS} keys: ${saveMs.toFixed(0)} ms, longest reply gap ${maxGap.toFixed(1)} ms, RSS ${(rssBefore / 1048576).toFixed(0)} MB before, ${(peak / 1048576).toFixed(0)} MB peak in the server process (+${((peak - rssBefore) / 1048576).toFixed(0)} MB)`);
  probe.close();
  c.close();
}

async function loadTime(name: string, dir: string): Promise<void> {
  const size = statSync(join(dir, 'dump.rdb')).size;
  const port = await freePort();
  const t0 = performance.now();
  const proc = name === 'redis'
    ? spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' })
    : spawn(process.execPath, [new URL('../src/main.ts', import.meta.url).pathname, '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--loglevel', 'warning'], { stdio: 'ignore' });
  await waitUp(port);
  const ms = performance.now() - t0;
  const c = await RespClient.connect(port);
  const n = await c.call('DBSIZE');
  c.close();
  proc.kill('SIGKILL');
  console.log(`${name.padEnd(8)} start-up with a ${(size / 1048576).toFixed(1)} MB dump.rdb (${n} keys): ready after ${ms.toFixed(0)} ms`);
}

const dirs = { redis: mkdtempSync(join(tmpdir(), 'snap-redis-')), shardis: mkdtempSync(join(tmpdir(), 'snap-shardis-')) };
try {
  for (const name of ['redis', 'shardis'] as const) {
    const s = await start(name, dirs[name]);
    try {
      await measure(s);
    } finally {
      s.proc.kill('SIGKILL');
    }
  }
  for (const name of ['redis', 'shardis'] as const) await loadTime(name, dirs[name]);
} finally {
  rmSync(dirs.redis, { recursive: true, force: true });
  rmSync(dirs.shardis, { recursive: true, force: true });
}
