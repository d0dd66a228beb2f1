/**
 * A multi-threaded server (`threads` > 1): the main thread runs instance 0
 * and starts one worker thread per further instance, all listening on one
 * port (SO_REUSEPORT: the kernel spreads the connections). Shard i belongs
 * to thread i % threads. A worker that dies takes the process down.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { Config } from '../config/config.ts';
import { startInstance, type RunningServer } from '../server/instance.ts';
import { threadRole } from './runtime.ts';
import { ThreadLink } from './link.ts';
import { JobRings } from './job-rings.ts';
import { SharedBuckets } from '../security/rate-bucket.ts';
import { followConfiguredPrimary } from '../replication/role.ts';

const WORKER_URL = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);

/** ports[a][b]: thread a's end of a channel between threads a and b (null on the diagonal). */
function channels(count: number): (MessagePort | null)[][] {
  const ports: (MessagePort | null)[][] = [];
  for (let t = 0; t < count; t++) ports.push(new Array<MessagePort | null>(count).fill(null));
  for (let a = 0; a < count; a++) {
    for (let b = a + 1; b < count; b++) {
      const ch = new MessageChannel();
      ports[a]![b] = ch.port1;
      ports[b]![a] = ch.port2;
    }
  }
  return ports;
}

export async function startThreads(cfg: Config, count: number, opts: { onClose?: () => void } = {}): Promise<RunningServer> {
  const ctrl = ThreadLink.ctrlBuffer(count);
  // one channel per pair of threads for the link's holds, one for jobs too big for their rings
  const ports = channels(count);
  const jobPorts = channels(count);
  const jobRings = JobRings.buffer(count);
  const rateBuckets = SharedBuckets.buffer();
  const role = threadRole({ index: 0, count, ctrl, ports: ports[0]!, jobPorts: jobPorts[0]!, jobRings, rateBuckets });
  const main = await startInstance(cfg, role);
  let closing = false;
  const fatal = (msg: string): void => {
    if (closing) return;
    main.state.log('warning', msg);
    process.stderr.write(`shardis: ${msg}\n`);
    process.exit(1);
  };
  const workers: Worker[] = [];
  const ready: Promise<void>[] = [];
  for (let t = 1; t < count; t++) {
    const mine = [...ports[t]!, ...jobPorts[t]!].filter((p): p is MessagePort => p !== null);
    const w = new Worker(WORKER_URL, {
      workerData: { cfg: { ...cfg, port: main.port }, runId: main.state.runId, index: t, count, ctrl, ports: ports[t], jobPorts: jobPorts[t], jobRings, rateBuckets },
      transferList: mine,
    });
    workers.push(w);
    w.on('error', (e: Error) => fatal(`thread ${t} died: ${e.stack ?? e.message}`));
    w.on('exit', (code) => fatal(`thread ${t} exited (code ${code})`));
    ready.push(
      new Promise<void>((resolve) => {
        w.on('message', (m: { op: string; reason?: string }) => {
          if (m.op === 'ready') resolve();
          else if (m.op === 'shutdown') void main.state.shutdown(m.reason ?? 'SHUTDOWN');
        });
      }),
    );
  }
  await Promise.all(ready);
  // the replicaof directive (the link runs on thread 0) and cluster mode's node, once every thread listens
  for (const start of main.state.afterThreadsStart) await start();
  if (main.state.cluster === null) followConfiguredPrimary(main.state);
  let done: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (done ??= (async () => {
      closing = true;
      role.startClosing();
      // two steps: every thread closes its connections while all can still answer each other
      // (a closing connection may ask another thread something), and only then do they exit
      const closed = workers.map((w) => new Promise<void>((r) => w.on('message', (m: { op: string }) => m.op === 'closed' && r())));
      for (const w of workers) w.postMessage({ op: 'close' });
      await Promise.all([main.close(), ...closed]);
      const exited = workers.map((w) => new Promise<void>((r) => w.once('exit', () => r())));
      for (const w of workers) w.postMessage({ op: 'exit' });
      await Promise.all(exited);
      role.close();
      opts.onClose?.();
    })());
  main.state.shutdown = async () => close();
  return { port: main.port, tlsPort: main.tlsPort, httpPort: main.httpPort, grpcPort: main.grpcPort, linePort: main.linePort, metricsPort: main.metricsPort, host: main.host, state: main.state, close };
}
