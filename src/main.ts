/** Command-line entry: shardis-server [config-file] [--name value ...] */
import { parseArgs, ConfigError } from './config/config.ts';
import { startFromConfig } from './index.ts';
import { mkdirSync } from 'node:fs';

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = parseArgs(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError || (e as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`*** FATAL CONFIG ERROR *** ${(e as Error).message}\n`);
      process.exit(1);
    }
    throw e;
  }
  mkdirSync(cfg.dir, { recursive: true });
  const srv = await startFromConfig(cfg);
  srv.state.log('notice', `shardis ready to accept connections on ${cfg.bind.join(',')}:${srv.port} (${cfg.shards} shard${cfg.shards > 1 ? 's' : ''})`);
  const stop = (sig: string): void => {
    srv.state.log('notice', `Received ${sig}, shutting down`);
    void srv.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  srv.state.shutdown = async () => {
    await srv.close();
    process.exit(0);
  };
}

void main();
