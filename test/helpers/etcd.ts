/** A real etcd (Debian's etcd-server, on PATH) on loopback ports with a temporary data directory, for cluster tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export interface EtcdProcess {
  /** The client URL (http://127.0.0.1:port). */
  readonly endpoint: string;
  /** Kills it (its data stays until remove). */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data. */
  restart(): Promise<void>;
  /** Kills it and removes its data directory. */
  remove(): Promise<void>;
}

/** Starts etcd and waits until it answers /health. */
export async function startEtcd(): Promise<EtcdProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-etcd-'));
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${client}`;
  let proc: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    proc = spawn('etcd', [
      '--name', 'test', '--data-dir', join(dir, 'data'),
      '--listen-client-urls', endpoint, '--advertise-client-urls', endpoint,
      '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
      '--initial-cluster', `test=http://127.0.0.1:${peer}`, '--log-level', 'error',
    ], { stdio: 'ignore' });
    for (let i = 0; ; i++) {
      try {
        const res = await fetch(`${endpoint}/health`);
        if (res.ok && ((await res.json()) as { health: string }).health === 'true') return;
      } catch {
        // not listening yet
      }
      if (i > 400 || proc.exitCode !== null) throw new Error(`etcd did not start on ${endpoint}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const stop = async (): Promise<void> => {
    const p = proc;
    if (p !== null && p.exitCode === null && p.signalCode === null) {
      p.kill('SIGKILL');
      await once(p, 'exit');
    }
  };
  await start();
  return { endpoint, stop, restart: start, remove: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); } };
}
