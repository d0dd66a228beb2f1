/** Real client libraries connected to a test server: ioredis (RESP2) and node-redis (RESP2 or RESP3). */
import { Redis } from 'ioredis';
import { createClient } from 'redis';

export async function ioredis(port: number): Promise<Redis> {
  const r = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 1, lazyConnect: true });
  await r.connect();
  return r;
}

/** An ioredis client of a server that may still be starting (a spawned redis-server): retried until it connects. */
export async function ioredisRetry(port: number): Promise<Redis> {
  for (let i = 0; ; i++) {
    const c = new Redis(port, { lazyConnect: true, retryStrategy: () => null });
    c.on('error', () => {});
    try {
      await c.connect();
      return c;
    } catch (e) {
      c.disconnect();
      if (i > 200) throw e;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

export type NodeRedis = ReturnType<typeof createClient>;

export async function nodeRedis(port: number, resp: 2 | 3 = 2): Promise<NodeRedis> {
  const c = createClient({ socket: { port, host: '127.0.0.1', reconnectStrategy: false }, RESP: resp });
  c.on('error', () => {});
  await c.connect();
  return c as NodeRedis;
}
