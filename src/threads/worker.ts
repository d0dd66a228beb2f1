/**
 * Entry of every thread but the first (threads/group.ts starts them): runs
 * one instance on the shared port and answers the main thread's 'close' and 'exit'.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/config.ts';
import { startInstance } from '../server/instance.ts';
import { threadRole } from './runtime.ts';
import type { ThreadInit } from './runtime.ts';

interface WorkerInit extends ThreadInit {
  cfg: Config;
}

const init = workerData as WorkerInit;
const role = threadRole(init);
const srv = await startInstance(init.cfg, role);
// SHUTDOWN on a connection of this thread stops the whole server
srv.state.shutdown = async (reason: string) => {
  parentPort!.postMessage({ op: 'shutdown', reason });
};
// 'close': its connections and listeners close (other threads may still ask it things meanwhile); 'exit' once every thread has closed
parentPort!.on('message', (m: { op: string }) => {
  if (m.op === 'close') void srv.close().then(() => parentPort!.postMessage({ op: 'closed' }));
  else if (m.op === 'exit') {
    role.close();
    process.exit(0);
  }
});
parentPort!.postMessage({ op: 'ready', port: srv.port });
