/** Helpers shared by the keyspace integration tests. */
import assert from 'node:assert/strict';
import { TEST_THREADS, type Fixture } from './server.ts';
import { ReplyError, RespClient } from './resp-client.ts';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A raw client on an emptied server. */
export async function fresh(fx: Fixture): Promise<RespClient> {
  const c = await fx.client();
  assert.equal(await c.call('FLUSHALL'), 'OK');
  return c;
}

/** The message of an error reply (fails the test if r is not one). */
export function err(r: unknown): string {
  assert.ok(r instanceof ReplyError, `expected an error reply, got ${JSON.stringify(r)}`);
  return r.message;
}

/** Key events as `db:key:event`, as they happen. */
export interface KeyEventWatch {
  /** The events since the last take (everything published before this call). */
  take(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Watches key events: with one thread in-process, from every shard; with
 * threads (SHARDIS_TEST_THREADS) through keyspace notifications, since the
 * other threads' shards live in other isolates. Notifications carry the
 * events Redis publishes, not the internal ones (flushdb, pfcount …).
 */
export async function watchKeyEvents(fx: Fixture): Promise<KeyEventWatch> {
  let seen: string[] = [];
  if (TEST_THREADS === 1) {
    const offs = fx.server.state.engine.shards.map((s) => s.onKeyEvent((db, key, ev) => seen.push(`${db}:${key}:${ev}`)));
    return {
      take: async () => {
        const out = seen;
        seen = [];
        return out;
      },
      stop: async () => {
        for (const off of offs) off();
      },
    };
  }
  const admin = await RespClient.connect(fx.port);
  const sub = await RespClient.connect(fx.port);
  const before = ((await admin.call('CONFIG', 'GET', 'notify-keyspace-events')) as string[])[1]!;
  await admin.call('CONFIG', 'SET', 'notify-keyspace-events', 'EA');
  const sentinel = `__watch_done__:${Math.random()}`;
  sub.send('PSUBSCRIBE', '__keyevent@*__:*');
  await sub.read();
  sub.send('SUBSCRIBE', sentinel);
  await sub.read();
  return {
    async take(): Promise<string[]> {
      // the sentinel is published after every event so far: its message comes after theirs
      await admin.call('PUBLISH', sentinel, 'x');
      for (;;) {
        const m = (await sub.read()) as string[];
        if (m[0] === 'message' && m[1] === sentinel) break;
        const [, db, ev] = /^__keyevent@(\d+)__:(.*)$/s.exec(m[2]!)!;
        seen.push(`${db}:${m[3]}:${ev}`);
      }
      const out = seen;
      seen = [];
      return out;
    },
    async stop(): Promise<void> {
      await admin.call('CONFIG', 'SET', 'notify-keyspace-events', before);
      sub.close();
      admin.close();
    },
  };
}

/** Records keyspace events (db:key:event) from every shard while fn runs. */
export async function events(fx: Fixture, fn: () => Promise<void>): Promise<string[]> {
  const w = await watchKeyEvents(fx);
  try {
    await fn();
    return await w.take();
  } finally {
    await w.stop();
  }
}

/** Records keyspace events as event:key from every shard while fn runs. */
export async function keyEvents(fx: Fixture, fn: () => Promise<void>): Promise<string[]> {
  return (await events(fx, fn)).map((e) => {
    const [, key, ev] = /^\d+:(.*):([^:]*)$/s.exec(e)!;
    return `${ev}:${key}`;
  });
}
