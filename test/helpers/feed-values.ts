/** The keyspace read over RESP in the key feeds' JSON form (docs/feeds.md), to compare watchers' copies with. */
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { Redis } from 'ioredis';
import type { FeedValue } from './feed-watcher.ts';

/** A key's value over RESP, in the feed's JSON form (sets sorted: compared as sets). */
export async function valueOf(io: Redis, key: string): Promise<FeedValue> {
  const type = await io.type(key);
  switch (type) {
    case 'none':
      return null;
    case 'string':
      return { type, value: await io.get(key) };
    case 'hash':
      return { type, value: await io.hgetall(key) };
    case 'list':
      return { type, value: await io.lrange(key, 0, -1) };
    case 'set':
      return { type, value: (await io.smembers(key)).sort() };
    case 'zset': {
      const flat = await io.zrange(key, '0', '-1', 'WITHSCORES');
      const pairs: Array<[string, number]> = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i]!, Number(flat[i + 1])]);
      return { type, value: pairs };
    }
    case 'stream':
      return { type, value: (await io.xrange(key, '-', '+')).map(([id, f]) => ({ id, fields: Object.fromEntries(pairsOf(f)) })) };
    default:
      throw new Error(`type ${type}`);
  }
}

function pairsOf(flat: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

/** A watcher's copy in the same form (sets sorted). */
export function normalized(state: Map<string, FeedValue>): Map<string, FeedValue> {
  const out = new Map<string, FeedValue>();
  for (const [k, v] of state) out.set(k, v !== null && v.type === 'set' ? { type: 'set', value: [...(v.value as string[])].sort() } : v);
  return out;
}

export async function expected(io: Redis, match: (k: string) => boolean): Promise<Map<string, FeedValue>> {
  const out = new Map<string, FeedValue>();
  for (const k of (await io.keys('*')).filter(match).sort()) {
    const v = await valueOf(io, k);
    if (v !== null) out.set(k, v);
  }
  return out;
}


/**
 * Waits until every view (a watcher's copy, in any form `normalized` takes)
 * equals the keyspace restricted to `match`: watchers may still be catching
 * up. Fails with the first view that does not, named in the message.
 */
export async function untilEqual(
  io: Redis,
  match: (k: string) => boolean,
  views: Record<string, () => Map<string, FeedValue> | Promise<Map<string, FeedValue>>>,
  why: string,
): Promise<void> {
  for (let i = 0; ; i++) {
    const want = await expected(io, match);
    const got = await Promise.all(Object.values(views).map(async (v) => normalized(await v())));
    if (got.every((g) => isDeepStrictEqual(g, want))) return;
    if (i === 200) {
      for (const [name, v] of Object.entries(views)) assert.deepEqual(normalized(await v()), want, `${why} (${name})`);
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
