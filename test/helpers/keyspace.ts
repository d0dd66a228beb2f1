/** Helpers shared by the keyspace integration tests. */
import assert from 'node:assert/strict';
import type { Fixture } from './server.ts';
import { ReplyError, type RespClient } from './resp-client.ts';

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

/** Records keyspace events (db:key:event) from every shard while fn runs. */
export async function events(fx: Fixture, fn: () => Promise<void>): Promise<string[]> {
  const seen: string[] = [];
  const offs = fx.server.state.engine.shards.map((s) => s.onKeyEvent((db, key, ev) => seen.push(`${db}:${key}:${ev}`)));
  try {
    await fn();
  } finally {
    for (const off of offs) off();
  }
  return seen;
}

/** Records keyspace events as event:key from every shard while fn runs. */
export async function keyEvents(fx: Fixture, fn: () => Promise<void>): Promise<string[]> {
  return (await events(fx, fn)).map((e) => {
    const [, key, ev] = /^\d+:(.*):([^:]*)$/s.exec(e)!;
    return `${ev}:${key}`;
  });
}
