/**
 * The embedding API: start a shardis server inside a Node process.
 *
 *   const srv = await startServer({ port: 0 });
 *   // connect any Redis client to 127.0.0.1:srv.port
 *   await srv.close();
 */
import { defaultConfig, applyDirective, getConfigNumber, type Config } from './config/config.ts';
import { startInstance, type RunningServer } from './server/instance.ts';
import { startThreads } from './threads/group.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerOptions {
  port?: number;
  bind?: string | string[];
  dir?: string;
  shards?: number;
  /** Threads owning shards and serving connections (default 1; src/threads/). */
  threads?: number;
  databases?: number;
  requirepass?: string;
  loglevel?: string;
  /** Any other redis.conf directive, e.g. { 'maxclients': '100' }. */
  config?: Record<string, string>;
}

export type { RunningServer } from './server/instance.ts';

export function configFromOptions(opts: ServerOptions): Config {
  const cfg = defaultConfig();
  cfg.loglevel = 'warning';
  if (opts.port !== undefined) cfg.port = opts.port;
  if (opts.bind !== undefined) cfg.bind = Array.isArray(opts.bind) ? opts.bind : [opts.bind];
  if (opts.dir !== undefined) cfg.dir = opts.dir;
  if (opts.shards !== undefined) cfg.shards = opts.shards;
  if (opts.databases !== undefined) cfg.databases = opts.databases;
  if (opts.threads !== undefined) applyDirective(cfg, 'threads', [String(opts.threads)]);
  if (opts.requirepass !== undefined) cfg.requirepass = opts.requirepass;
  if (opts.loglevel !== undefined) cfg.loglevel = opts.loglevel;
  for (const [k, v] of Object.entries(opts.config ?? {})) applyDirective(cfg, k, [v]);
  return cfg;
}

/** Starts a server from a full Config (the command line uses this): one instance, or one per thread. */
export async function startFromConfig(cfg: Config, opts: { onClose?: () => void } = {}): Promise<RunningServer> {
  const threads = getConfigNumber(cfg, 'threads', 1);
  if (threads > 1) return startThreads(cfg, threads, opts);
  return startInstance(cfg, null, opts);
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
