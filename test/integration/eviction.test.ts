/**
 * maxmemory-policy: keys are evicted (with 'evicted' keyspace events and
 * evicted_keys counted) when maxmemory is lowered below what is used or a
 * command that may use memory arrives over it; noeviction and volatile-*
 * without volatile keys answer OOM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ReplyError, type Reply } from '../helpers/resp-client.ts';

const OOM = new ReplyError("OOM command not allowed when used memory > 'maxmemory'.");

describeServer('maxmemory eviction', (fx) => {
  test('allkeys-lru evicts every key under an impossible limit, publishing evicted events', async () => {
    const c = await fx().client();
    const sub = await fx().client();
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'Ee');
    await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    await sub.call('PSUBSCRIBE', '__keyevent@*__:evicted');
    try {
      await c.call('SET', 'foo', 'bar');
      await c.call('SELECT', '3');
      await c.call('RPUSH', 'list', 'a');
      await c.call('SELECT', '0');
      assert.equal(await c.call('CONFIG', 'SET', 'maxmemory', '1'), 'OK');
      const events = new Set<string>();
      for (let i = 0; i < 2; i++) {
        const m = (await sub.read()) as Reply[];
        events.add(`${m[2]} ${m[3]}`);
      }
      assert.deepEqual([...events].sort(), ['__keyevent@0__:evicted foo', '__keyevent@3__:evicted list']);
      assert.equal(await c.call('DBSIZE'), 0);
      assert.match((await c.call('INFO', 'stats')) as string, /\r\nevicted_keys:2\r\n/);
      // nothing left to evict: writes get OOM, reads still work
      assert.deepEqual(await c.call('SET', 'x', 'y'), OOM);
      assert.equal(await c.call('GET', 'x'), null);
    } finally {
      await c.call('CONFIG', 'SET', 'maxmemory', '0');
      await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    }
    assert.equal(await c.call('SET', 'x', 'y'), 'OK');
  });

  test('volatile policies evict only keys with a TTL; noeviction never evicts', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('SET', 'keep', '1');
    await c.call('SET', 'ttl1', '1', 'EX', '100');
    await c.call('SET', 'ttl2', '1', 'EX', '50');
    try {
      await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      await c.call('CONFIG', 'SET', 'maxmemory', '1');
      assert.deepEqual(await c.call('SET', 'a', 'b'), OOM);
      assert.equal(await c.call('DBSIZE'), 3);
      await c.call('CONFIG', 'SET', 'maxmemory-policy', 'volatile-ttl');
      assert.deepEqual(await c.call('SET', 'a', 'b'), OOM, 'no volatile key can bring memory under 1 byte');
      assert.deepEqual(await c.call('KEYS', '*'), ['keep']);
    } finally {
      await c.call('CONFIG', 'SET', 'maxmemory', '0');
      await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
  });

  test('a big drop of maxmemory evicts in slices (maxmemory-eviction-tenacity), serving commands meanwhile, until under the limit', async () => {
    const c = await fx().client();
    const field = (text: string, name: string): number => Number(new RegExp(`\\r\\n${name}:(\\d+)`).exec(`\r\n${text}`)![1]);
    await c.call('FLUSHALL');
    await c.call('DEBUG', 'POPULATE', '100000');
    await c.call('CONFIG', 'RESETSTAT');
    const used = field((await c.call('INFO', 'memory')) as string, 'used_memory');
    const limit = String(Math.floor(used / 2));
    try {
      await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random');
      await c.call('CONFIG', 'SET', 'maxmemory-eviction-tenacity', '10');
      // in one transaction nothing else runs between the drop and INFO: one 500 µs slice has run
      await c.call('MULTI');
      await c.call('CONFIG', 'SET', 'maxmemory', limit);
      await c.call('INFO', 'stats');
      const [, info] = (await c.call('EXEC')) as [string, string];
      const first = field(info, 'evicted_keys');
      assert.ok(first > 0 && first < 20000, `${first} keys evicted by the command itself (about half of 100000 are due)`);
      // the rest goes on later turns while commands are served
      assert.equal(await c.call('PING'), 'PONG');
      let evicted = first;
      for (let i = 0; i < 400 && field((await c.call('INFO', 'memory')) as string, 'used_memory') > Number(limit); i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(field((await c.call('INFO', 'memory')) as string, 'used_memory') <= Number(limit), 'under the limit in the end');
      // no limit: eviction stops (with threads each thread evicts on its own turns), then the counts add up
      await c.call('CONFIG', 'SET', 'maxmemory', '0');
      await new Promise((r) => setTimeout(r, 50));
      evicted = field((await c.call('INFO', 'stats')) as string, 'evicted_keys');
      assert.ok(evicted > 20000, `${evicted} evicted in all`);
      assert.equal(Number(await c.call('DBSIZE')) + evicted, 100000);
      // tenacity 100: no time limit, the command itself evicts all that is due
      await c.call('CONFIG', 'SET', 'maxmemory', '0');
      await c.call('FLUSHALL');
      await c.call('DEBUG', 'POPULATE', '100000');
      await c.call('CONFIG', 'RESETSTAT');
      await c.call('CONFIG', 'SET', 'maxmemory-eviction-tenacity', '100');
      await c.call('MULTI');
      await c.call('CONFIG', 'SET', 'maxmemory', limit);
      await c.call('INFO', 'memory');
      const [, mem] = (await c.call('EXEC')) as [string, string];
      assert.ok(field(mem, 'used_memory') <= Number(limit), 'all evicted at once');
    } finally {
      await c.call('CONFIG', 'SET', 'maxmemory', '0');
      await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      await c.call('CONFIG', 'SET', 'maxmemory-eviction-tenacity', '10');
      await c.call('FLUSHALL');
    }
  });
});
