/** The command line: shardis-server [config-file] [--name value ...] (main.ts loads it). */
import { parseArgs, ConfigError, ConfigLineError, getConfigValue, applyDirective } from './config/config.ts';
import { REDIS_VERSION, SHARDIS_VERSION } from './server/version.ts';
import { createServer as createNetServer } from 'node:net';
import { startFromConfig } from './index.ts';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hasSavePoints, saveHooks } from './persistence/save-state.ts';
import { TlsConfigError } from './security/tls.ts';

/**
 * What `npm start` persists with unless the command line or config file says
 * otherwise: the AOF (fsynced every second) plus periodic snapshots, as a
 * durable default. Embedding (startServer) keeps Redis's own defaults.
 */
const DURABLE_DEFAULTS: Array<[string, string]> = [
  ['appendonly', 'yes'],
  ['appendfsync', 'everysec'],
  ['save', '3600 1 300 100 60 10000'],
];

/** Whether the command line or its config file sets `name`. */
function givenIn(argv: readonly string[]): (name: string) => boolean {
  const file = argv.length > 0 && !argv[0]!.startsWith('--') ? argv[0]! : null;
  const text = file !== null && existsSync(file) ? readFileSync(file, 'latin1') : '';
  return (name) => argv.some((a) => a.toLowerCase() === `--${name}`) || new RegExp(`^\\s*${name}\\s`, 'im').test(text);
}

/**
 * The argument list with the durable defaults the user did not set after
 * their own flags (none of them is one the user gave, so the order changes
 * nothing but keeps the line numbers of a config error as Redis counts them).
 */
function withDefaults(argv: readonly string[]): string[] {
  const given = givenIn(argv);
  const defaults = DURABLE_DEFAULTS.filter(([n]) => !given(n)).flatMap(([n, v]) => [`--${n}`, v]);
  // a last flag still waiting for its value (`--port`) gets none of them
  const open = argv.length > 0 && argv.at(-1)!.startsWith('--') && !/\s/.test(argv.at(-1)!) && argv.at(-1)!.toLowerCase() !== '--save';
  return open ? [...argv] : [...argv, ...defaults];
}

/**
 * The HTTP port when none is given: the RESP port + 1000 (6379 → 7379), so
 * that two servers started on different ports do not collide; off, with a
 * warning, when that port is taken (a port given explicitly must be free).
 */
async function defaultHttpPort(port: number, host: string): Promise<number> {
  const http = port > 0 && port + 1000 <= 65535 ? port + 1000 : 0;
  if (http === 0) return 0;
  const free = await new Promise<boolean>((resolve) => {
    const probe = createNetServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port: http, host }, () => probe.close(() => resolve(true)));
  });
  if (!free) process.stderr.write(`shardis: port ${http} is in use: the HTTP front end is off (give --http-port to choose one)\n`);
  return free ? http : 0;
}

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = parseArgs(withDefaults(process.argv.slice(2)));
  } catch (e) {
    // as redis-server: the report on standard error and exit code 1
    if (e instanceof ConfigLineError) process.stderr.write(e.report(REDIS_VERSION));
    else if ((e as NodeJS.ErrnoException).code === 'ENOENT') process.stderr.write(`Fatal error, can't open config file '${(e as NodeJS.ErrnoException).path}': No such file or directory\n`);
    else if (e instanceof ConfigError) process.stderr.write(`\n*** FATAL CONFIG FILE ERROR (Redis ${REDIS_VERSION}) ***\n${e.message}\n`);
    else throw e;
    process.exit(1);
  }
  mkdirSync(cfg.dir, { recursive: true });
  if (!givenIn(process.argv.slice(2))('http-port')) applyDirective(cfg, 'http-port', [String(await defaultHttpPort(cfg.port, cfg.bind[0]!))]);
  let srv;
  try {
    srv = await startFromConfig(cfg);
  } catch (e) {
    // the TLS context's failure is logged already ("Failed to configure TLS. Check logs for more info.")
    if (e instanceof TlsConfigError) process.exit(1);
    const err = e as NodeJS.ErrnoException & { port?: number; address?: string };
    if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES' && err.code !== 'EADDRNOTAVAIL') throw e;
    // Redis's words, which scripts (Redis's test suite among them) look for to try another port
    process.stdout.write(`# Warning: Could not create server TCP listening socket ${err.address ?? cfg.bind[0]}:${err.port ?? cfg.port}: ${err.code}\n`);
    process.stdout.write(`# Failed listening on port ${err.port ?? cfg.port} (tcp), aborting.\n`);
    process.exit(1);
  }
  srv.state.log('notice', `shardis ${SHARDIS_VERSION} (Redis ${REDIS_VERSION}), port ${srv.port}, PID: ${process.pid}`);
  // Redis 7.2+'s words after its PID line, which Redis 7.4's test suite waits for
  srv.state.log('notice', 'Server initialized');
  srv.state.log('notice', `listening on ${cfg.bind.join(',')}:${srv.port} (${cfg.shards} shard${cfg.shards > 1 ? 's' : ''})`);
  const host = cfg.bind[0]!.includes(':') ? `[${cfg.bind[0]}]` : cfg.bind[0];
  const tlsHttp = getConfigValue(srv.state.config, 'tls-http') === 'yes';
  const http = srv.httpPort !== 0 ? `  HTTP http${tlsHttp ? 's' : ''}://${host}:${srv.httpPort}  WebSocket ws${tlsHttp ? 's' : ''}://${host}:${srv.httpPort}/ws` : '';
  const tls = srv.tlsPort !== 0 ? `  TLS rediss://${host}:${srv.tlsPort}` : '';
  const grpc = srv.grpcPort !== 0 ? `  gRPC ${host}:${srv.grpcPort}` : '';
  const line = srv.linePort !== 0 ? `  line protocol ${host}:${srv.linePort}` : '';
  const metrics = srv.metricsPort !== 0 ? `  metrics http://${host}:${srv.metricsPort}/metrics` : '';
  // port 0 with a tls-port: TLS alone
  const resp = srv.port !== 0 ? `RESP redis://${host}:${srv.port}` : 'RESP';
  srv.state.log('notice', `${resp}${tls}${http}${grpc}${line}${metrics}`);
  srv.state.log('notice', `data directory ${resolve(cfg.dir)} (${describePersistence(srv.state.config)})`);
  // Redis's words, which tools (Redis's test suite among them) wait for
  srv.state.log('notice', 'Ready to accept connections');
  const stop = (sig: string): void => {
    srv.state.log('notice', `Received ${sig} scheduling shutdown...`);
    // as SHUTDOWN without arguments (prepareForShutdown): the final snapshot when save points are set
    if (hasSavePoints(srv.state)) {
      srv.state.log('notice', 'Saving the final RDB snapshot before exiting.');
      if (!saveHooks.save(srv.state)) {
        srv.state.log('warning', "Error trying to save the DB, can't exit.");
        return;
      }
    }
    srv.state.log('warning', 'Redis is now ready to exit, bye bye...');
    void srv.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  srv.state.shutdown = async () => {
    await srv.close();
    process.exit(0);
  };
}

function describePersistence(cfg: Parameters<typeof getConfigValue>[0]): string {
  const parts: string[] = [];
  if (getConfigValue(cfg, 'appendonly') === 'yes') parts.push(`AOF in ${getConfigValue(cfg, 'appenddirname')}/, appendfsync ${getConfigValue(cfg, 'appendfsync')}`);
  const save = getConfigValue(cfg, 'save') ?? '';
  parts.push(save === '' ? 'no snapshots' : `snapshots to ${getConfigValue(cfg, 'dbfilename')} (save ${save})`);
  return parts.join('; ');
}

void main();
