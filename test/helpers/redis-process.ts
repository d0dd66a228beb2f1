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
}

/** Starts redis-server with `args` (after --port, --dir, no snapshots, DEBUG on, no diskless sync delay) and waits until it accepts connections. */
export async function startRedis(args: string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'shardis-redis-'));
  const proc = spawn('redis-server', [
    '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no',
    '--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0', ...args,
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
      (await RespClient.connect(port)).close();
      return { port, dir, stop };
    } catch (e) {
      if (i > 200 || proc.exitCode !== null) {
        await stop();
        throw e;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
