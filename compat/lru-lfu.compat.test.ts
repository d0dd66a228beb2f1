/**
 * LRU clock / LFU counter against a real redis-server: the parts that are
 * deterministic (lfu-log-factor 0 makes every access count; idle times are
 * whole seconds, so only values far from a second's edge are compared).
 */
import assert from 'node:assert/strict';
import { describeCompat, runScript } from './harness.ts';

const RESET = [['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'], ['CONFIG', 'SET', 'lfu-log-factor', '10']];

describeCompat('LRU / LFU', (t) => {
  t('OBJECT FREQ: new keys, accesses, no-touch commands, SET over a key, RESTORE FREQ', async (p) => {
    await p.redis.call('SET', 'src', 'value');
    const dump = (await p.redis.call('DUMP', 'src')) as string;
    try {
      await runScript(p, [
        ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'], ['CONFIG', 'SET', 'lfu-log-factor', '0'],
        ['SET', 'k', 'v'], ['OBJECT', 'FREQ', 'k'], ['GET', 'k'], ['GET', 'k'], ['OBJECT', 'FREQ', 'k'],
        ['TYPE', 'k'], ['EXISTS', 'k'], ['TTL', 'k'], ['OBJECT', 'ENCODING', 'k'], ['OBJECT', 'FREQ', 'k'],
        ['TOUCH', 'k', 'k', 'nope'], ['OBJECT', 'FREQ', 'k'], ['SET', 'k', 'w'], ['OBJECT', 'FREQ', 'k'], ['APPEND', 'k', 'x'], ['OBJECT', 'FREQ', 'k'],
        ['RPUSH', 'l', 'a', 'b'], ['LRANGE', 'l', '0', '-1'], ['LPOP', 'l'], ['OBJECT', 'FREQ', 'l'],
        ['SADD', 's', 'x'], ['SISMEMBER', 's', 'x'], ['SCARD', 's'], ['OBJECT', 'FREQ', 's'],
        ['RESTORE', 'r', '0', dump, 'FREQ', '200'], ['OBJECT', 'FREQ', 'r'], ['RESTORE', 'r', '0', dump, 'FREQ', '255', 'REPLACE'], ['GET', 'r'], ['OBJECT', 'FREQ', 'r'],
        ['RESTORE', 'i', '0', dump, 'IDLETIME', '10'], ['OBJECT', 'FREQ', 'i'], ['OBJECT', 'IDLETIME', 'i'],
        ['SET', 'k', 'w', 'XX'], ['OBJECT', 'FREQ', 'k'], ['SET', 'k', 'w', 'GET'], ['OBJECT', 'FREQ', 'k'], ['GETSET', 'k', 'w'], ['OBJECT', 'FREQ', 'k'],
        ['SET', 'k', 'w', 'KEEPTTL'], ['OBJECT', 'FREQ', 'k'], ['RENAME', 'k', 'k2'], ['OBJECT', 'FREQ', 'k2'], ['MOVE', 'k2', '3'], ['SELECT', '3'], ['OBJECT', 'FREQ', 'k2'],
        ['COPY', 'k2', 'k3'], ['OBJECT', 'FREQ', 'k3'], ['OBJECT', 'FREQ', 'k2'], ['FLUSHDB'], ['SELECT', '0'],
        ['DEL', 'k'], ['SET', 'k', 'again'], ['OBJECT', 'FREQ', 'k'],
      ]);
    } finally {
      await runScript(p, RESET);
    }
  });

  t('OBJECT IDLETIME after RESTORE IDLETIME, and after an access', async (p) => {
    await p.redis.call('SET', 'src', 'value');
    const dump = (await p.redis.call('DUMP', 'src')) as string;
    try {
      await runScript(p, [['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru'], ['RESTORE', 'old', '0', dump, 'IDLETIME', '100000']]);
      // whole seconds: within one of each other on both servers
      const [a, b] = await Promise.all([p.redis.call('OBJECT', 'IDLETIME', 'old'), p.shardis.call('OBJECT', 'IDLETIME', 'old')]);
      assert.ok(Math.abs((a as number) - (b as number)) <= 1 && (b as number) >= 100000, `${a} vs ${b}`);
      await runScript(p, [['GET', 'old']]);
      // Redis reads a clock cached by its cron, so a second boundary between GET and OBJECT can show 1
      const [ra, rb] = await Promise.all([p.redis.call('OBJECT', 'IDLETIME', 'old'), p.shardis.call('OBJECT', 'IDLETIME', 'old')]);
      assert.ok((ra as number) <= 1 && (rb as number) <= 1, `after an access: ${ra} vs ${rb}`);
      await runScript(p, [['TYPE', 'old'], ['OBJECT', 'IDLETIME', 'nope']]);
    } finally {
      await runScript(p, RESET);
    }
  });
});
