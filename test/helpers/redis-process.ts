/** A real redis-server (Debian's, on PATH) on a free port in a temporary directory, for interop tests. */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';
import { RespClient } from './resp-client.ts';

export interface RedisProcess {
  readonly port: number;
  readonly dir: string;
  /** Kills it and removes its directory. */
  stop(): Promise<void>;
  /** Sends it a signal (SIGSTOP / SIGCONT to pause it). */
  signal(sig: NodeJS.Signals): void;
}

/** Starts redis-server with `args` (after --port, --dir, no snapshots, DEBUG on, no diskless sync delay) and waits until it accepts connections. */
export function startRedis(args: string[] = []): Promise<RedisProcess> {
  return startProcess('redis-server', [], ['--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0', ...args]);
}

/**
 * Starts shardis in a process of its own (src/main.ts on this Node), so that
 * it can be paused or killed alone; on `port` if given (one a killed server
 * held), and in `dir` if given (a killed server's, whose files it finds
 * there: nodes.conf keeps a cluster node's identity).
 */
export async function startShardisProcess(args: string[] = [], port?: number, dir?: string, ready?: (port: number) => Promise<void>): Promise<RedisProcess> {
  const main = join(import.meta.dirname, '../../src/main.ts');
  return startProcess(process.execPath, [main], ['--http-port', '0', '--repl-diskless-sync-delay', '0', ...args], port, dir, ready);
}

/** Whether a plain RESP connection to `port` opens (the default readiness check). */
async function respOpens(port: number): Promise<void> {
  (await RespClient.connect(port)).close();
}

/**
 * `cmd` with `lead` (a script), then a port, a directory (a new one unless
 * given), no persistence, then `args`; ready once `ready` resolves (a plain
 * RESP connection opens, unless given: a TLS-only server's own check).
 */
async function startProcess(cmd: string, lead: string[], args: string[], port?: number, inDir?: string, ready: (port: number) => Promise<void> = respOpens): Promise<RedisProcess> {
  port ??= await freePort();
  const dir = inDir ?? mkdtempSync(join(tmpdir(), 'shardis-redis-'));
  const proc = spawn(cmd, [
    ...lead,
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
    ...args,
  ], { stdio: 'ignore' });
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await once(proc, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    try {
      await ready(port);
      return { port, dir, stop, signal: (sig) => proc.kill(sig) };
    } catch (e) {
      if (i > 400 || proc.exitCode !== null) {
        await stop();
        throw e;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
