/**
 * Integration-test fixture: a real shardis server in this process, started
 * through the public embedding API, once per shard count (1 and 4) so every
 * test runs against both layouts.
 */
import { describe, before, after } from 'node:test';
import { startServer, type RunningServer } from '../../src/index.ts';
import { RespClient } from './resp-client.ts';

export const SHARD_COUNTS = [1, 4] as const;

/** SHARDIS_TEST_THREADS=N runs every describeServer suite on N threads (src/threads/). */
export const TEST_THREADS = Number(process.env.SHARDIS_TEST_THREADS ?? '1');

export interface Fixture {
  server: RunningServer;
  port: number;
  shards: number;
  /** A raw RESP client connected to the server (closed after the suite). */
  client(): Promise<RespClient>;
}

/**
 * describe() the suite once per shard count. `fn` receives a fixture getter
 * (valid inside tests/hooks). Each run starts with an empty server.
 */
export function describeServer(name: string, fn: (fx: () => Fixture) => void): void {
  for (const shards of SHARD_COUNTS) {
    describe(`${name} [shards=${shards}${TEST_THREADS > 1 ? `, threads=${TEST_THREADS}` : ''}]`, () => {
      let fixture: Fixture | null = null;
      const clients: RespClient[] = [];
      before(async () => {
        const server = await startServer({ port: 0, shards, threads: TEST_THREADS });
        fixture = {
          server,
          port: server.port,
          shards,
          client: async () => {
            const c = await RespClient.connect(server.port);
            clients.push(c);
            return c;
          },
        };
      });
      after(async () => {
        for (const c of clients) c.close();
        await fixture?.server.close();
      });
      fn(() => {
        if (!fixture) throw new Error('fixture used outside a test');
        return fixture;
      });
    });
  }
}
