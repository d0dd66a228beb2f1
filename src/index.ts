/**
 * The embedding API: start a shardis server inside a Node process.
 *
 *   const srv = await startServer({ port: 0 });
 *   // connect any Redis client to 127.0.0.1:srv.port
 *   await srv.close();
 */
import { defaultConfig, applyDirective, type Config } from './config/config.ts';
import { Engine } from './engine/engine.ts';
import { Registry } from './commands/core/registry.ts';
import { allCommands } from './commands/index.ts';
import { ServerState } from './server/server-state.ts';
import { RespServer } from './server/resp-server.ts';
import { installGates } from './server/gates.ts';
import { loadUsersAtStartup } from './security/acl-file.ts';
import { loadAtStartup, startSaveSchedule } from './commands/server/save-state.ts';
import { startAof } from './commands/server/aof.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerOptions {
  port?: number;
  bind?: string | string[];
  dir?: string;
  shards?: number;
  databases?: number;
  requirepass?: string;
  loglevel?: string;
  /** Any other redis.conf directive, e.g. { 'maxclients': '100' }. */
  config?: Record<string, string>;
}

export interface RunningServer {
  readonly port: number;
  readonly host: string;
  readonly state: ServerState;
  close(): Promise<void>;
}

export function configFromOptions(opts: ServerOptions): Config {
  const cfg = defaultConfig();
  cfg.loglevel = 'warning';
  if (opts.port !== undefined) cfg.port = opts.port;
  if (opts.bind !== undefined) cfg.bind = Array.isArray(opts.bind) ? opts.bind : [opts.bind];
  if (opts.dir !== undefined) cfg.dir = opts.dir;
  if (opts.shards !== undefined) cfg.shards = opts.shards;
  if (opts.databases !== undefined) cfg.databases = opts.databases;
  if (opts.requirepass !== undefined) cfg.requirepass = opts.requirepass;
  if (opts.loglevel !== undefined) cfg.loglevel = opts.loglevel;
  for (const [k, v] of Object.entries(opts.config ?? {})) applyDirective(cfg, k, [v]);
  return cfg;
}

/** Starts a server from a full Config (the command line uses this). */
export async function startFromConfig(cfg: Config, opts: { onClose?: () => void } = {}): Promise<RunningServer> {
  const engine = new Engine({ shards: cfg.shards, databases: cfg.databases });
  const registry = new Registry(allCommands());
  const state = new ServerState(cfg, engine, registry);
  installGates(state);
  loadUsersAtStartup(state);
  // the snapshot in dir/dbfilename, before any client can connect
  loadAtStartup(state);
  // with appendonly yes the AOF (not the snapshot) holds the data
  const aof = startAof(state);
  const front = new RespServer(state);
  const port = await front.listen();
  engine.expiry.start();
  state.startTimers();
  const stopSaves = startSaveSchedule(state);
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await front.close();
      // every write is in the AOF, fsynced, before the process may exit
      aof.shutdown();
      engine.close();
      state.stopTimers();
      await stopSaves();
      opts.onClose?.();
    })());
  state.shutdown = async () => close();
  return { port, host: cfg.bind[0]!, state, close };
}

/**
 * Starts a server on the given options (port 0 picks a free port). Without
 * a `dir` (option or config directive) the server gets a private temporary
 * directory, removed when it closes, so embedded servers neither load nor
 * overwrite each other's snapshots.
 */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const cfg = configFromOptions(opts);
  if (opts.dir !== undefined || opts.config?.dir !== undefined) return startFromConfig(cfg);
  cfg.dir = mkdtempSync(join(tmpdir(), 'shardis-'));
  const dir = cfg.dir;
  try {
    return await startFromConfig(cfg, { onClose: () => rmSync(dir, { recursive: true, force: true }) });
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

export type { Config } from './config/config.ts';
