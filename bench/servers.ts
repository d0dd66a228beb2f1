/**
 * The servers a benchmark compares: a real redis-server and shardis, each
 * started on a free loopback port with the same extra settings, and ready
 * once it answers PING.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../test/helpers/ports.ts';
import { RespClient } from '../test/helpers/resp-client.ts';

/** The V8 flags `npm start` runs shardis with (package.json "start"): a 2 MB young generation. */
export const SHARDIS_NODE_FLAGS = ['--max-semi-space-size=2'];

export interface Target {
  name: 'redis' | 'shardis';
  port: number;
  proc: ChildProcess;
}

/** Waits until the server on `port` answers PING; the milliseconds it took. */
export async function waitUp(port: number, timeoutMs = 120_000): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    try {
      const c = await RespClient.connect(port);
      const r = await c.call('PING');
      c.close();
      if (r === 'PONG') return performance.now() - t0;
    } catch {
      // not listening yet (or still loading)
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`server on ${port} did not start`);
}

/** The reference Redis: Debian's redis-server, or REDIS_SERVER (a Redis 7.4.1 built from source for the 7.4 rows). */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

/**
 * Spawns a server with `--port P --dir DIR` plus `extra` (redis-server style
 * options, which both understand); without `wait` it returns at once.
 */
export async function startTarget(name: Target['name'], dir: string, extra: string[] = [], shards = 1, wait = true, cpus = ''): Promise<Target> {
  const port = await freePort();
  const common = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...extra];
  const [cmd, args, stdio] = name === 'redis'
    ? [REDIS_SERVER, [...common, '--enable-debug-command', 'yes'], 'ignore' as const]
    : [process.execPath, [...SHARDIS_NODE_FLAGS, new URL('../src/main.ts', import.meta.url).pathname, ...common, '--shards', String(shards), '--loglevel', 'warning'], ['ignore', 'ignore', 'inherit'] as ('ignore' | 'inherit')[]];
  // pinned to `cpus` (taskset execs the server: the pid stays the server's)
  const proc = cpus === '' ? spawn(cmd, args, { stdio }) : spawn('taskset', ['-c', cpus, cmd, ...args], { stdio });
  if (wait) await waitUp(port);
  return { name, port, proc };
}

/** Stops a server at once (no save). */
export function kill(t: Target): void {
  t.proc.kill('SIGKILL');
}

/** RSS of a process in bytes. */
export function rss(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU time (user + system, all threads) a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  // fields after the parenthesised command name: utime and stime are the 12th and 13th
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLOCK_TICKS;
}

/** Linux's USER_HZ, the unit of /proc/PID/stat's times. */
const CLOCK_TICKS = 100;

/** One field of INFO `section`, as a number (NaN when absent). */
export async function infoField(c: RespClient, section: string, field: string): Promise<number> {
  const text = (await c.call('INFO', section)) as string;
  const m = new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`).exec(`\r\n${text}`);
  return m ? Number(m[1]) : NaN;
}
