/**
 * One thread's server: its engine (all shards, or the shards this thread
 * owns), command registry, state, listener, persistence and timers. With one
 * thread this is the whole server; with several (src/threads/group.ts) every
 * thread runs one, linked to the others.
 */
import type { Config } from '../config/config.ts';
import { Engine } from '../engine/engine.ts';
import { Registry } from '../commands/core/registry.ts';
import { allCommands } from '../commands/index.ts';
import { ServerState } from './server-state.ts';
import type { Client } from './client.ts';
import { RespServer } from './resp-server.ts';
import { installGates } from './gates.ts';
import { loadUsersAtStartup } from '../security/acl-file.ts';
import { loadAtStartup, startSaveSchedule } from '../persistence/save-state.ts';
import { startAof } from '../commands/server/aof.ts';
import { restoreOnStart, startBackupService } from '../commands/server/backup.ts';
import { HttpFront } from './http/http-front.ts';
import { getConfigNumber } from '../config/config.ts';
import { WsFront } from './ws/ws-front.ts';
import { LineFront } from './line/line-front.ts';
import { followConfiguredPrimary, restoreHistory } from '../replication/role.ts';
import { getConfigValue } from '../config/config.ts';
import { TlsConfigError } from '../security/tls.ts';

export interface RunningServer {
  readonly port: number;
  /** The RESP-over-TLS port (`tls-port`), 0 when it is off. */
  readonly tlsPort: number;
  /** The HTTP front end's port (`http-port`), 0 when it is off. */
  readonly httpPort: number;
  /** The gRPC front end's port (`grpc-port`), 0 when it is off. */
  readonly grpcPort: number;
  /** The line protocol's port (`line-port`), 0 when it is off. */
  readonly linePort: number;
  /** The port serving only /metrics (metrics-port; 0: off). */
  readonly metricsPort: number;
  readonly host: string;
  readonly state: ServerState<Client>;
  close(): Promise<void>;
}

/** What a thread of a multi-threaded server adds to its instance. */
export interface ThreadRole {
  index: number;
  count: number;
  /** Links the instance to the other threads (threads/runtime.ts), before it loads or listens. */
  attach(state: ServerState<Client>): void;
}

/** Builds and starts one instance: loads the data, listens, starts its timers. */
export async function startInstance(cfg: Config, role: ThreadRole | null, opts: { onClose?: () => void } = {}): Promise<RunningServer> {
  const clustered = getConfigValue(cfg, 'cluster-enabled') === 'yes';
  if (clustered && (getConfigValue(cfg, 'cluster-etcd-endpoints') ?? '') === '') throw new Error('cluster-enabled yes needs cluster-etcd-endpoints (etcd URLs, comma-separated)');
  const thread = role === null ? undefined : { index: role.index, count: role.count };
  const engine = new Engine({ shards: cfg.shards, databases: cfg.databases, thread });
  const registry = new Registry(allCommands());
  const state = new ServerState(cfg, engine, registry);
  if (role !== null) {
    role.attach(state);
  }
  installGates(state);
  // the TLS context, before anything listens: a bad certificate stops the start (Redis exits 1)
  try {
    state.tls.configure();
  } catch (e) {
    if (e instanceof TlsConfigError) {
      state.log('warning', e.message);
      state.log('warning', 'Failed to configure TLS. Check logs for more info.');
    }
    throw e;
  }
  loadUsersAtStartup(state);
  // backups to S3: into an empty data directory the newest backup comes as dir/dbfilename (the first thread, before any loads)
  const afterRestore = role === null || role.index === 0 ? await restoreOnStart(state) : null;
  // the snapshot in dir/dbfilename, before any client can connect
  const history = loadAtStartup(state);
  if (role === null) restoreHistory(state, history);
  // with appendonly yes the AOF (not the snapshot) holds the data
  const aof = startAof(state);
  const front = new RespServer(state);
  // with threads, the first thread alone listens on the Unix socket (a path cannot be shared)
  const port = await front.listen(role !== null, role === null || role.index === 0);
  const http = new HttpFront(state);
  const ws = new WsFront(state);
  http.upgrade = ws.upgrade;
  const httpPort = await http.listen(role !== null);
  // grpc-js is loaded only by servers that serve gRPC
  const grpc = getConfigNumber(cfg, 'grpc-port', 0) === 0 ? null : new (await import('./grpc/grpc-front.ts')).GrpcFront(state);
  const grpcPort = grpc === null ? 0 : await grpc.listen(role !== null);
  const line = new LineFront(state);
  const linePort = await line.listen(role !== null);
  const metrics = new HttpFront(state, true);
  const metricsPort = await metrics.listen(role !== null);
  state.ready = true;
  engine.expiry.start();
  state.startTimers();
  const stopSaves = startSaveSchedule(state);
  const stopBackups = startBackupService(state);
  if (afterRestore !== null) {
    if (role === null) afterRestore();
    else state.afterThreadsStart.push(async () => afterRestore());
  }
  // cluster mode: this node's place in the fleet, kept in etcd (its replication follows the fleet, not replicaof)
  const cluster = clustered ? await (await import('../cluster/node-setup.ts')).startClusterMode(state, port, thread ?? null) : null;
  if (cluster === null && role === null) followConfiguredPrimary(state);
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await cluster?.close();
      state.replicaOf?.stop();
      ws.close();
      await http.close();
      await metrics.close();
      await grpc?.close();
      // the line connections are among the clients front.close() drops: both wait for them
      await Promise.all([line.close(), front.close()]);
      // a running backup finishes (its snapshot walks the engine) and no new one starts
      await stopBackups();
      // every write is in the AOF, fsynced, before the process may exit
      aof.shutdown();
      engine.close();
      for (const f of state.closeHooks.splice(0)) f();
      state.stopTimers();
      await stopSaves();
      opts.onClose?.();
    })());
  state.shutdown = async () => close();
  return { port, tlsPort: getConfigNumber(cfg, 'tls-port', 0), httpPort, grpcPort, linePort, metricsPort, host: cfg.bind[0]!, state, close };
}
