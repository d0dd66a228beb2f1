import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer, type Fixture } from '../helpers/server.ts';
import { err, events, fresh, sleep } from '../helpers/keyspace.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { ReplyError, type RespClient } from '../helpers/resp-client.ts';

/** Two key names that live on different shards when the server has several. */
function crossShardPair(fx: Fixture, prefix: string): [string, string] {
  const engine = fx.server.state.engine;
  const a = `${prefix}:a`;
  for (let i = 0; i < 1000; i++) {
    const b = `${prefix}:b${i}`;
    if (fx.shards === 1 || engine.shardIdOf(a) !== engine.shardIdOf(b)) return [a, b];
  }
  throw new Error('no cross-shard pair');
}

describeServer('keys', (fx) => {
  test('DEL / UNLINK / EXISTS / TYPE / TOUCH across shards (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      const [a, b] = crossShardPair(fx(), 'del');
      await r.mset(a, '1', b, '2', 'k3', '3');
      assert.equal(await r.exists(a, a, b, 'nope', a), 4);
      assert.equal(await r.exists('nope'), 0);
      assert.equal(await r.touch(a, b, 'nope', a), 3);
      assert.equal(await r.del(a, 'nope', b, a), 2);
      assert.equal(await r.exists(a, b), 0);
      assert.equal(await r.unlink('k3', 'k3', 'nope'), 1);
      assert.equal(await r.del('nope'), 0);
      await r.set('s', 'v');
      await r.rpush('l', 'x');
      await r.hset('h', 'f', 'v');
      await r.sadd('st', 'm');
      await r.zadd('z', 1, 'm');
      assert.deepEqual(
        await Promise.all(['s', 'l', 'h', 'st', 'z', 'none'].map((k) => r.type(k))),
        ['string', 'list', 'hash', 'set', 'zset', 'none'],
      );
      await r.set('', 'empty key');
      assert.equal(await r.exists(''), 1);
      assert.equal(await r.get(''), 'empty key');
      await assert.rejects(r.call('DEL'), /^ReplyError: ERR wrong number of arguments for 'del' command$/);
      await assert.rejects(r.call('TYPE', 'a', 'b'), /^ReplyError: ERR wrong number of arguments for 'type' command$/);
      await assert.rejects(r.call('EXISTS'), /wrong number of arguments for 'exists'/);
      await assert.rejects(r.call('TOUCH'), /wrong number of arguments for 'touch'/);
    } finally {
      r.disconnect();
    }
  });

  test('EXISTS, TYPE and TOUCH count keyspace hits and misses; DEL does not', async () => {
    const c = await fresh(fx());
    await c.call('SET', 'h', 'v');
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('EXISTS', 'h', 'nope');
    await c.call('TYPE', 'h');
    await c.call('TOUCH', 'nope');
    await c.call('DEL', 'h', 'nope');
    const info = String(await c.call('INFO', 'stats'));
    assert.match(info, /keyspace_hits:2\r\n/);
    assert.match(info, /keyspace_misses:2\r\n/);
  });

  test('KEYS: glob patterns over every shard, expired keys left out', async () => {
    const c = await fresh(fx());
    const names = ['hello', 'hallo', 'hxllo', 'hllo', 'heeeello', 'h*llo', 'h?llo', 'ab[c', 'foo', 'Hello'];
    for (const n of names) await c.call('SET', n, '1');
    const keys = async (p: string) => ((await c.call('KEYS', p)) as string[]).sort();
    assert.deepEqual(await keys('*'), [...names].sort());
    assert.deepEqual(await keys('h?llo'), ['h*llo', 'h?llo', 'hallo', 'hello', 'hxllo']);
    assert.deepEqual(await keys('h*llo'), ['h*llo', 'h?llo', 'hallo', 'heeeello', 'hello', 'hllo', 'hxllo']);
    assert.deepEqual(await keys('h[ae]llo'), ['hallo', 'hello']);
    assert.deepEqual(await keys('h[^e]llo'), ['h*llo', 'h?llo', 'hallo', 'hxllo']);
    assert.deepEqual(await keys('h[a-b]llo'), ['hallo']);
    assert.deepEqual(await keys('h\\*llo'), ['h*llo']);
    assert.deepEqual(await keys('ab\\[c'), ['ab[c']);
    assert.deepEqual(await keys('nomatch*'), []);
    assert.deepEqual(await keys('[Hh]ello'), ['Hello', 'hello']);
    // a pattern that backtracks exponentially without Redis's skip-longer-matches rule
    await c.call('SET', 'a'.repeat(40), '1');
    const t0 = Date.now();
    assert.deepEqual(await c.call('KEYS', 'a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b'), []);
    assert.ok(Date.now() - t0 < 1000, 'nested * pattern must not backtrack exponentially');
    // an expired key is not listed even before anything deletes it
    assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), 'OK');
    try {
      await c.call('SET', 'hullo', '1', 'PX', '1');
      await sleep(10);
      assert.ok(!(await keys('h*')).includes('hullo'));
    } finally {
      await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
    assert.equal(err(await c.call('KEYS')), "ERR wrong number of arguments for 'keys' command");
  });

  test('RANDOMKEY: null on empty db, every key reachable, expired keys never returned', async () => {
    const c = await fresh(fx());
    assert.equal(await c.call('RANDOMKEY'), null);
    await c.call('SET', 'x', '1');
    await c.call('DEL', 'x');
    assert.equal(await c.call('RANDOMKEY'), null);
    await c.call('SET', 'foo', '1');
    await c.call('SET', 'bar', '1');
    const seen = new Set<string>();
    for (let i = 0; i < 100; i++) seen.add((await c.call('RANDOMKEY')) as string);
    assert.deepEqual([...seen].sort(), ['bar', 'foo']);
    // a bigger db (past the small-db path): keys spread over every shard are drawn
    await c.call('FLUSHALL');
    const args: string[] = [];
    for (let i = 0; i < 500; i++) args.push(`rk:${i}`, 'v');
    await c.call('MSET', ...args);
    seen.clear();
    for (let i = 0; i < 400; i++) seen.add((await c.call('RANDOMKEY')) as string);
    assert.ok(seen.size > 150, `only ${seen.size} distinct keys in 400 draws`);
    if (fx().shards > 1) {
      const shards = new Set([...seen].map((k) => fx().server.state.engine.shardIdOf(k)));
      assert.equal(shards.size, fx().shards);
    }
    // keys deleted after sampling are never returned
    for (let i = 0; i < 490; i++) await c.call('DEL', `rk:${i}`);
    for (let i = 0; i < 50; i++) assert.match((await c.call('RANDOMKEY')) as string, /^rk:49\d$/);
    // expired keys: RANDOMKEY deletes the expired ones it meets and returns a live key
    await c.call('FLUSHALL');
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    try {
      for (let i = 0; i < 200; i++) await c.call('SET', `gone:${i}`, 'v', 'PX', '1');
      await c.call('SET', 'live', 'v');
      await sleep(10);
      for (let i = 0; i < 20; i++) assert.equal(await c.call('RANDOMKEY'), 'live');
      await c.call('DEL', 'live');
      assert.equal(await c.call('RANDOMKEY'), null);
    } finally {
      await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
    assert.equal(err(await c.call('RANDOMKEY', 'x')), "ERR wrong number of arguments for 'randomkey' command");
  });

  test('RENAME / RENAMENX: TTL travels, target TTL dropped, errors, across shards', async () => {
    const c = await fresh(fx());
    const [a, b] = crossShardPair(fx(), 'ren');
    assert.equal(err(await c.call('RENAME', a, b)), 'ERR no such key');
    assert.equal(err(await c.call('RENAMENX', a, b)), 'ERR no such key');
    assert.equal(err(await c.call('RENAME', a, a)), 'ERR no such key');
    await c.call('SET', a, 'v', 'PX', '100000');
    assert.equal(await c.call('RENAME', a, a), 'OK');
    assert.equal(await c.call('RENAMENX', a, a), 0);
    const seen = await events(fx(), async () => {
      assert.equal(await c.call('RENAME', a, b), 'OK');
    });
    assert.deepEqual(seen, [`0:${a}:rename_from`, `0:${b}:rename_to`]);
    assert.equal(await c.call('EXISTS', a), 0);
    assert.equal(await c.call('GET', b), 'v');
    assert.ok(((await c.call('PTTL', b)) as number) > 90000);
    // the destination's own TTL does not survive being overwritten
    await c.call('SET', a, 'persistent');
    await c.call('EXPIRE', b, '100');
    assert.equal(await c.call('RENAME', a, b), 'OK');
    assert.equal(await c.call('TTL', b), -1);
    assert.equal(await c.call('GET', b), 'persistent');
    // overwriting any type
    await c.call('RPUSH', a, 'x', 'y');
    assert.equal(await c.call('RENAME', a, b), 'OK');
    assert.deepEqual(await c.call('LRANGE', b, '0', '-1'), ['x', 'y']);
    await c.call('SET', a, 'other');
    assert.equal(await c.call('RENAMENX', a, b), 0);
    assert.equal(await c.call('GET', a), 'other');
    assert.equal(await c.call('RENAMENX', b, 'ren:new'), 1);
    assert.equal(await c.call('TYPE', 'ren:new'), 'list');
    assert.equal(await c.call('EXISTS', b), 0);
    assert.equal(err(await c.call('RENAME', a)), "ERR wrong number of arguments for 'rename' command");
    // an expired source is gone
    await c.call('SET', 'ren:exp', 'v', 'PX', '1');
    await sleep(5);
    assert.equal(err(await c.call('RENAME', 'ren:exp', 'ren:x')), 'ERR no such key');
  });

  test('MOVE: between databases with the TTL, errors as Redis (node-redis)', async () => {
    const c = await nodeRedis(fx().port);
    try {
      await c.flushAll();
      await c.set('mk', 'foobar', { EX: 100 });
      await c.set('plain', 'p');
      assert.equal(await c.move('mk', 1), 1);
      assert.equal(await c.exists('mk'), 0);
      assert.equal(await c.move('plain', 1), 1);
      assert.equal(await c.move('missing', 1), 0);
      await assert.rejects(c.sendCommand(['MOVE', 'plain', '0']), /ERR source and destination objects are the same/);
      await assert.rejects(c.sendCommand(['MOVE', 'x', '16']), /ERR DB index is out of range/);
      await assert.rejects(c.sendCommand(['MOVE', 'x', '-1']), /ERR DB index is out of range/);
      await assert.rejects(c.sendCommand(['MOVE', 'x', 'notanumber']), /ERR value is not an integer or out of range/);
      await assert.rejects(c.sendCommand(['MOVE', 'x', '4294967296']), /ERR value is out of range, value must between -2147483648 and 2147483647/);
      await c.select(1);
      assert.equal(await c.get('mk'), 'foobar');
      const ttl = await c.ttl('mk');
      assert.ok(ttl > 90 && ttl <= 100);
      assert.equal(await c.ttl('plain'), -1);
      await c.select(0);
      // an existing key in the target db blocks the move
      await c.set('plain', 'again');
      assert.equal(await c.move('plain', 1), 0);
      assert.equal(await c.get('plain'), 'again');
    } finally {
      c.destroy();
    }
  });

  test('MOVE emits move_from / move_to', async () => {
    const c = await fresh(fx());
    await c.call('SET', 'ev', 'v');
    const seen = await events(fx(), async () => {
      assert.equal(await c.call('MOVE', 'ev', '3'), 1);
    });
    assert.deepEqual(seen, ['0:ev:move_from', '3:ev:move_to']);
  });

  test('COPY: deep copies of every type, TTL, REPLACE, DB, errors', async () => {
    const c = await fresh(fx());
    const [src, dst] = crossShardPair(fx(), 'cp');
    assert.equal(await c.call('COPY', src, dst), 0);
    await c.call('RPUSH', src, 'a', 'b');
    const seen = await events(fx(), async () => {
      assert.equal(await c.call('COPY', src, dst), 1);
    });
    assert.deepEqual(seen, [`0:${dst}:copy_to`]);
    await c.call('RPUSH', src, 'c');
    assert.deepEqual(await c.call('LRANGE', dst, '0', '-1'), ['a', 'b']);
    assert.equal(await c.call('COPY', src, dst), 0);
    assert.equal(await c.call('COPY', src, dst, 'REPLACE'), 1);
    assert.deepEqual(await c.call('LRANGE', dst, '0', '-1'), ['a', 'b', 'c']);
    // every collection type is copied, not shared
    await c.call('HSET', 'cp:h', 'f', '1', 'g', '2');
    await c.call('SADD', 'cp:s', '1', '2', '3');
    await c.call('SADD', 'cp:s2', 'x', 'y');
    await c.call('ZADD', 'cp:z', '1', 'a', '2', 'b');
    await c.call('SET', 'cp:str', 'hello');
    await c.call('SETRANGE', 'cp:bin', '2', 'x');
    for (const k of ['cp:h', 'cp:s', 'cp:s2', 'cp:z', 'cp:str', 'cp:bin']) assert.equal(await c.call('COPY', k, `${k}:copy`), 1);
    await c.call('HSET', 'cp:h', 'f', 'changed');
    await c.call('SADD', 'cp:s', '4');
    await c.call('SREM', 'cp:s2', 'x');
    await c.call('ZINCRBY', 'cp:z', '10', 'a');
    await c.call('APPEND', 'cp:str', '!');
    await c.call('SETRANGE', 'cp:bin', '0', 'y');
    assert.deepEqual(await c.call('HGETALL', 'cp:h:copy'), ['f', '1', 'g', '2']);
    assert.equal(await c.call('SCARD', 'cp:s:copy'), 3);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'cp:s:copy'), 'intset');
    assert.deepEqual(((await c.call('SMEMBERS', 'cp:s2:copy')) as string[]).sort(), ['x', 'y']);
    assert.deepEqual(await c.call('ZRANGE', 'cp:z:copy', '0', '-1', 'WITHSCORES'), ['a', '1', 'b', '2']);
    assert.equal(await c.call('GET', 'cp:str:copy'), 'hello');
    assert.equal(await c.call('GET', 'cp:bin:copy'), '\0\0x');
    // TTL is copied; a persistent source makes a persistent copy
    await c.call('SET', 'cp:ttl', 'v', 'EX', '100');
    assert.equal(await c.call('COPY', 'cp:ttl', 'cp:ttl2'), 1);
    assert.ok(((await c.call('TTL', 'cp:ttl2')) as number) > 90);
    await c.call('SET', 'cp:ttl3', 'old', 'EX', '100');
    assert.equal(await c.call('COPY', 'cp:str', 'cp:ttl3', 'REPLACE'), 1);
    assert.equal(await c.call('TTL', 'cp:ttl3'), -1);
    // other databases
    assert.equal(await c.call('COPY', 'cp:str', 'cp:str', 'DB', '2'), 1);
    assert.equal(await c.call('COPY', 'cp:str', 'cp:str', 'db', '2'), 0);
    assert.equal(await c.call('COPY', 'cp:str', 'cp:str', 'REPLACE', 'DB', '2'), 1);
    assert.equal(await c.call('SELECT', '2'), 'OK');
    assert.equal(await c.call('GET', 'cp:str'), 'hello!');
    assert.equal(await c.call('SELECT', '0'), 'OK');
    assert.equal(err(await c.call('COPY', 'cp:str', 'cp:str')), 'ERR source and destination objects are the same');
    assert.equal(err(await c.call('COPY', 'cp:str', 'cp:str', 'DB', '0')), 'ERR source and destination objects are the same');
    assert.equal(err(await c.call('COPY', 'cp:str', 'x', 'DB', '16')), 'ERR DB index is out of range');
    assert.equal(err(await c.call('COPY', 'cp:str', 'x', 'DB', 'abc')), 'ERR value is not an integer or out of range');
    assert.equal(err(await c.call('COPY', 'cp:str', 'x', 'DB', '4294967296')), 'ERR value is out of range, value must between -2147483648 and 2147483647');
    assert.equal(err(await c.call('COPY', 'cp:str', 'x', 'DB')), 'ERR syntax error');
    assert.equal(err(await c.call('COPY', 'cp:str', 'x', 'FOO')), 'ERR syntax error');
    assert.equal(err(await c.call('COPY', 'cp:str')), "ERR wrong number of arguments for 'copy' command");
  });

  test('OBJECT ENCODING / REFCOUNT / FREQ / IDLETIME / HELP', async () => {
    const c = await fresh(fx());
    await c.call('SET', 'int', '12345');
    await c.call('SET', 'emb', 'short');
    await c.call('SET', 'raw', 'x'.repeat(45));
    await c.call('RPUSH', 'l', 'a');
    await c.call('HSET', 'h', 'f', 'v');
    await c.call('SADD', 'si', '1');
    await c.call('SADD', 'ss', 'a');
    await c.call('ZADD', 'z', '1', 'a');
    const enc = async (k: string) => c.call('OBJECT', 'ENCODING', k);
    assert.deepEqual(
      await Promise.all(['int', 'emb', 'raw', 'l', 'h', 'si', 'ss', 'z'].map(enc)),
      ['int', 'embstr', 'raw', 'quicklist', 'listpack', 'intset', 'listpack', 'listpack'],
    );
    assert.equal(await c.callRaw('OBJECT', 'ENCODING', 'nope'), '$-1\r\n');
    assert.equal(await c.callRaw('OBJECT', 'REFCOUNT', 'nope'), '$-1\r\n');
    await c.call('SET', 'small', '42');
    assert.equal(await c.call('OBJECT', 'REFCOUNT', 'small'), 2147483647);
    assert.equal(await c.call('OBJECT', 'REFCOUNT', 'int'), 1);
    assert.equal(await c.call('OBJECT', 'REFCOUNT', 'l'), 1);
    // just set: 0, or 1 when the LRU clock (1 s resolution) ticked in between
    assert.ok((await c.call('OBJECT', 'IDLETIME', 'emb')) as number <= 1);
    const lfuOff = 'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.';
    assert.equal(err(await c.call('OBJECT', 'FREQ', 'emb')), lfuOff);
    assert.equal(await c.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'), 'OK');
    try {
      // a key created under the LFU policy starts at LFU_INIT_VAL (one from before reads its LRU clock as a counter, as Redis)
      await c.call('SET', 'emb2', 'short');
      assert.equal(await c.call('OBJECT', 'FREQ', 'emb2'), 5);
      assert.equal(await c.call('OBJECT', 'FREQ', 'small'), 0);
      assert.equal(
        err(await c.call('OBJECT', 'IDLETIME', 'emb')),
        'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
      );
      // with maxmemory and an LFU/LRU policy Redis stops sharing small integers
      assert.equal(await c.call('CONFIG', 'SET', 'maxmemory', '1gb'), 'OK');
      await c.call('SET', 'small2', '42');
      assert.equal(await c.call('OBJECT', 'REFCOUNT', 'small2'), 1);
    } finally {
      await c.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      await c.call('CONFIG', 'SET', 'maxmemory', '0');
    }
    const help = (await c.call('OBJECT', 'HELP')) as string[];
    assert.equal(help[0], 'OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.equal(help.at(-2), 'HELP');
    assert.equal(help.length, 15);
    assert.equal(err(await c.call('OBJECT', 'ENCODING')), "ERR wrong number of arguments for 'object|encoding' command");
    assert.equal(err(await c.call('OBJECT', 'HELP', 'x')), "ERR wrong number of arguments for 'object|help' command");
    assert.equal(err(await c.call('OBJECT', 'FOO', 'x')), "ERR unknown subcommand 'FOO'. Try OBJECT HELP.");
    // RESP3: a missing key is the null type
    assert.ok(await c.call('HELLO', '3'));
    assert.equal(await c.callRaw('OBJECT', 'ENCODING', 'nope'), '_\r\n');
    assert.equal(await c.callRaw('OBJECT', 'ENCODING', 'emb'), '$6\r\nembstr\r\n');
  });

  test('SCAN: every key present for the whole iteration, churn, MATCH / COUNT / TYPE', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      const stable: string[] = [];
      for (let i = 0; i < 500; i++) stable.push(`stable:${i}`);
      await r.mset(...stable.flatMap((k) => [k, 'v']));
      const seen = new Map<string, number>();
      let cursor = '0';
      let round = 0;
      do {
        const [next, keys] = await r.scan(cursor, 'COUNT', 37);
        for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
        // churn: add and delete other keys while iterating
        await r.set(`churn:${round}`, 'x');
        if (round > 2) await r.del(`churn:${round - 2}`);
        cursor = next;
        round++;
      } while (cursor !== '0');
      for (const k of stable) assert.equal(seen.get(k), 1, `${k} returned ${seen.get(k) ?? 0} times`);
      assert.ok(round >= 14, 'COUNT bounds the work per call');
      const [c1, matched] = await r.scan('0', 'MATCH', 'stable:1?', 'COUNT', 10000);
      assert.equal(c1, '0');
      assert.deepEqual(matched.sort(), Array.from({ length: 10 }, (_, i) => `stable:1${i}`).sort());
      await r.rpush('alist', 'x');
      await r.zadd('azset', 1, 'x');
      assert.deepEqual((await r.scan('0', 'COUNT', 10000, 'TYPE', 'list'))[1], ['alist']);
      assert.deepEqual((await r.scan('0', 'COUNT', 10000, 'TYPE', 'ZSET'))[1], ['azset']);
      assert.deepEqual((await r.scan('0', 'COUNT', 10000, 'TYPE', 'nosuchtype'))[1], []);
      assert.deepEqual((await r.scan('0', 'MATCH', 'a*', 'COUNT', 10000, 'TYPE', 'zset'))[1], ['azset']);
      // the default COUNT is 10: a call stops at the first whole bucket that brings it to 10 keys
      const [next, first] = await r.scan('0');
      assert.notEqual(next, '0');
      assert.ok(first.length >= 10 && first.length <= 20, `${first.length} keys`);
      // a full iteration with the default COUNT sees each key once (SCAN basic)
      const all = new Set<string>();
      cursor = '0';
      do {
        const [n, keys] = await r.scan(cursor);
        keys.forEach((k) => all.add(k));
        cursor = n;
      } while (cursor !== '0');
      assert.equal(all.size, await r.dbsize());
    } finally {
      r.disconnect();
    }
  });

  test('SCAN never returns expired keys and its cursor is parsed as Redis', async () => {
    const c = await fresh(fx());
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    try {
      for (let i = 0; i < 100; i++) await c.call('SET', `exp:${i}`, 'v', 'PX', '1');
      for (let i = 0; i < 20; i++) await c.call('SET', `keep:${i}`, 'v');
      await sleep(10);
      assert.equal(await c.call('DBSIZE'), 120);
      const seen: string[] = [];
      let cursor = '0';
      do {
        const [n, keys] = (await c.call('SCAN', cursor, 'COUNT', '7')) as [string, string[]];
        seen.push(...keys);
        cursor = n;
      } while (cursor !== '0');
      // the deletions shrink the table under the cursor: still each key once (the cursor is a hash position)
      assert.deepEqual(seen.sort(), Array.from({ length: 20 }, (_, i) => `keep:${i}`).sort());
      assert.equal(await c.call('DBSIZE'), 20, 'SCAN deletes the expired keys it meets');
    } finally {
      await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
    assert.equal(err(await c.call('SCAN', 'abc')), 'ERR invalid cursor');
    assert.equal(err(await c.call('SCAN', ' 1')), 'ERR invalid cursor');
    assert.equal(err(await c.call('SCAN', '18446744073709551616')), 'ERR invalid cursor');
    assert.equal(err(await c.call('SCAN', '0', 'COUNT', '0')), 'ERR syntax error');
    assert.equal(err(await c.call('SCAN', '0', 'COUNT', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(err(await c.call('SCAN', '0', 'COUNT')), 'ERR syntax error');
    assert.equal(err(await c.call('SCAN', '0', 'FOO', 'bar')), 'ERR syntax error');
    assert.equal(err(await c.call('SCAN')), "ERR wrong number of arguments for 'scan' command");
    // strtoul-style cursors: "" is 0; any other number is a bucket position (as Redis: no error, the walk ends)
    const [n1, k1] = (await c.call('SCAN', '', 'COUNT', '1000')) as [string, string[]];
    assert.equal(n1, '0');
    assert.equal(k1.length, 20);
    for (const start of ['18446744073709551615', '12345', '7']) {
      let cursor = start;
      for (let calls = 0; cursor !== '0'; calls++) {
        assert.ok(calls < 100, `a walk from ${start} ends`);
        const [n, keys] = (await c.call('SCAN', cursor, 'COUNT', '5')) as [string, string[]];
        assert.match(n, /^\d+$/);
        for (const k of keys) assert.match(k, /^keep:/);
        cursor = n;
      }
    }
  });

  test('SCAN iterates another db independently; FLUSHDB mid-iteration ends cleanly', async () => {
    const c = await fresh(fx());
    for (let i = 0; i < 30; i++) await c.call('SET', `d0:${i}`, 'v');
    await c.call('SELECT', '5');
    for (let i = 0; i < 30; i++) await c.call('SET', `d5:${i}`, 'v');
    const [n, keys] = (await c.call('SCAN', '0', 'COUNT', '10')) as [string, string[]];
    assert.ok(keys.every((k) => k.startsWith('d5:')));
    await c.call('FLUSHDB');
    await c.call('SET', 'after', 'v');
    const rest: string[] = [];
    let cursor = n;
    while (cursor !== '0') {
      const [nn, kk] = (await c.call('SCAN', cursor, 'COUNT', '10')) as [string, string[]];
      rest.push(...kk);
      cursor = nn;
    }
    assert.ok(rest.every((k) => k === 'after'));
    await c.call('SELECT', '0');
  });
});
