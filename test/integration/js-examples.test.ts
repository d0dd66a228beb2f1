/**
 * The worked examples of examples/functions/ (JavaScript libraries, see
 * docs/js-functions.md) loaded as they are with FUNCTION LOAD and driven
 * through ioredis: the rate limiter allows `limit` requests a window and
 * refuses the rest, the leaderboard trigger keeps the `leaderboard` sorted
 * set equal to the score:<player> keys through SET / INCRBY / MSET / DEL /
 * MULTI / expiry, and the stream trigger counts every entry XADD appends by
 * its type.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { describeServer } from '../helpers/server.ts';
import { ioredis } from '../helpers/clients.ts';
import { untilChecked } from '../helpers/eventually.ts';

const example = (file: string): string => readFileSync(new URL(`../../examples/functions/${file}`, import.meta.url), 'utf8');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The score:<player> keys as [player, score] pairs, best first (ties by name, descending, as ZRANGE REV). */
async function scoresOfKeys(r: Redis): Promise<Array<[string, number]>> {
  const keys = await r.keys('score:*');
  const out: Array<[string, number]> = [];
  for (const k of keys) {
    const v = await r.get(k);
    if (v !== null && v.trim() !== '' && Number.isFinite(Number(v))) out.push([k.slice('score:'.length), Number(v)]);
  }
  return out.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? 1 : a[0] > b[0] ? -1 : 0));
}

/** The leaderboard sorted set as [player, score] pairs, best first. */
async function leaderboard(r: Redis): Promise<Array<[string, number]>> {
  const flat = await r.zrevrange('leaderboard', 0, -1, 'WITHSCORES');
  const out: Array<[string, number]> = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i]!, Number(flat[i + 1])]);
  return out;
}

describeServer('JavaScript function examples', (fx) => {
  test('rate-limiter.js: allows `limit` requests a window, then refuses until the window ends', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.call('FUNCTION', 'FLUSH');
      assert.equal(await r.call('FUNCTION', 'LOAD', example('rate-limiter.js')), 'ratelimiter');
      const results: unknown[] = [];
      for (let i = 0; i < 7; i++) results.push(await r.call('FCALL', 'ratelimit', 1, 'rl:api:alice', 5, 60));
      const allowed = results.map((x) => (x as number[])[0]);
      const remaining = results.map((x) => (x as number[])[1]);
      assert.deepEqual(allowed, [1, 1, 1, 1, 1, 0, 0]);
      assert.deepEqual(remaining, [4, 3, 2, 1, 0, 0, 0]);
      for (const x of results) {
        const ttl = (x as number[])[2]!;
        assert.ok(ttl === 60 || ttl === 59, `ttl ${ttl}`);
      }
      assert.equal(await r.get('rl:api:alice'), '7');
      const pttl = await r.pttl('rl:api:alice');
      assert.ok(pttl > 58_000 && pttl <= 60_000, `pttl ${pttl}`);
      // another key has its own window
      assert.deepEqual(await r.call('FCALL', 'ratelimit', 1, 'rl:api:bob', 5, 60), [1, 4, 60]);
      // a 1-second window: 2 allowed, refused, then allowed again once it ended
      assert.deepEqual(await r.call('FCALL', 'ratelimit', 1, 'rl:short', 2, 1), [1, 1, 1]);
      assert.deepEqual((await r.call('FCALL', 'ratelimit', 1, 'rl:short', 2, 1) as number[]).slice(0, 2), [1, 0]);
      assert.deepEqual((await r.call('FCALL', 'ratelimit', 1, 'rl:short', 2, 1) as number[]).slice(0, 2), [0, 0]);
      await sleep(1100);
      assert.deepEqual(await r.call('FCALL', 'ratelimit', 1, 'rl:short', 2, 1), [1, 1, 1]);
      await assert.rejects(
        r.call('FCALL', 'ratelimit', 1, 'rl:x', 'many', 60),
        /^ReplyError: ERR usage: FCALL ratelimit 1 <key> <limit> <window-seconds> \(at ratelimiter:\d+:\d+\)$/,
      );
      await assert.rejects(r.call('FCALL_RO', 'ratelimit', 1, 'rl:x', 1, 60), /^ReplyError: ERR Can not execute a script with write flag using \*_ro command\.$/);
    } finally {
      r.disconnect();
    }
  });

  test('leaderboard.js: the leaderboard sorted set equals the score:<player> keys', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.call('FUNCTION', 'FLUSH');
      await r.flushall();
      assert.equal(await r.call('FUNCTION', 'LOAD', example('leaderboard.js')), 'leaderboard');
      await r.set('score:alice', '30');
      await r.set('score:bob', '10');
      await r.set('score:carol', '20');
      // the trigger ran before the SET's reply: the next command sees its write
      assert.deepEqual(await r.call('FCALL_RO', 'top', 1, 'leaderboard', 10), [['alice', 30], ['carol', 20], ['bob', 10]]);
      assert.deepEqual(await r.call('FCALL_RO', 'top', 1, 'leaderboard', 2), [['alice', 30], ['carol', 20]]);
      await r.incrby('score:bob', 25);
      await r.del('score:alice');
      await r.mset('score:dave', '12', 'score:erin', '40', 'score:frank', 'n/a');
      await r.multi().set('score:gina', '7').incr('score:carol').exec();
      assert.deepEqual(await r.call('FCALL_RO', 'top', 1, 'leaderboard', 10), [['erin', 40], ['bob', 35], ['carol', 21], ['dave', 12], ['gina', 7]]);
      assert.deepEqual(await leaderboard(r), await scoresOfKeys(r));
      // a score that stops being a number leaves; one that becomes one joins
      await r.set('score:dave', 'gone');
      await r.set('score:frank', '-3.5');
      await r.rename('score:gina', 'score:hana');
      assert.deepEqual(await leaderboard(r), [['erin', 40], ['bob', 35], ['carol', 21], ['hana', 7], ['frank', -3.5]]);
      assert.deepEqual(await leaderboard(r), await scoresOfKeys(r));
      // an expiring score leaves when its key expires
      await r.set('score:ivan', '99', 'PX', 50);
      assert.deepEqual((await leaderboard(r))[0], ['ivan', 99]);
      await untilChecked(async () => assert.deepEqual(await leaderboard(r), [['erin', 40], ['bob', 35], ['carol', 21], ['hana', 7], ['frank', -3.5]]));
      assert.deepEqual(await leaderboard(r), await scoresOfKeys(r));
      await assert.rejects(r.call('FCALL_RO', 'top', 1, 'leaderboard', 0), /^ReplyError: ERR the count must be a positive integer \(at leaderboard:\d+:\d+\)$/);
    } finally {
      r.disconnect();
    }
  });

  test('stream-consumer.js: per-type counters equal the entries XADD appended', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.call('FUNCTION', 'FLUSH');
      await r.flushall();
      assert.equal(await r.call('FUNCTION', 'LOAD', example('stream-consumer.js')), 'eventcounts');
      const added: Record<string, Record<string, number>> = {};
      const types = ['click', 'view', 'click', 'buy', 'view', 'click', null, 'click'];
      for (const [i, type] of types.entries()) {
        const stream = i % 3 === 0 ? 'events:shop' : 'events:web';
        const fields = type === null ? ['page', `/p${i}`] : ['type', type, 'page', `/p${i}`];
        await r.xadd(stream, '*', ...fields);
        const counts = (added[stream] ??= {});
        counts[type ?? 'unknown'] = (counts[type ?? 'unknown'] ?? 0) + 1;
      }
      // several entries in one pipeline and one transaction
      await r.pipeline().xadd('events:web', '*', 'type', 'view').xadd('events:web', '*', 'type', 'view').exec();
      await r.multi().xadd('events:shop', '*', 'type', 'buy').xadd('events:shop', '*', 'type', 'refund').exec();
      added['events:web']!.view! += 2;
      added['events:shop']!.buy = (added['events:shop']!.buy ?? 0) + 1;
      added['events:shop']!.refund = 1;
      // streams outside the prefix count nothing
      await r.xadd('audit:web', '*', 'type', 'click');
      for (const stream of ['events:web', 'events:shop']) {
        const flat = (await r.call('FCALL_RO', 'event_counts', 1, stream)) as Array<string | number>;
        const got: Record<string, number> = {};
        for (let i = 0; i < flat.length; i += 2) got[flat[i] as string] = flat[i + 1] as number;
        assert.deepEqual(got, added[stream], stream);
        const total = Object.values(got).reduce((a, b) => a + b, 0);
        assert.equal(total, await r.xlen(stream));
      }
      assert.deepEqual(await r.call('FCALL_RO', 'event_counts', 1, 'audit:web'), []);
      assert.equal(await r.exists('{audit:web}:counts'), 0);
    } finally {
      r.disconnect();
    }
  });
});
