import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer, type Fixture } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { keyEvents } from '../helpers/keyspace.ts';

/** The key events (event:key) emitted while `fn` runs. */
const events = (fx: Fixture, fn: () => Promise<void>): Promise<string[]> => keyEvents(fx, fn);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeServer('sorted sets', (fx) => {
  test('ZADD options, errors and replies; ZINCRBY; ZSCORE/ZMSCORE/ZCARD (ioredis)', async () => {
    const r = await ioredis(fx().port);
    await r.flushall();
    try {
      assert.equal(await r.zadd('z', 1, 'a', 2, 'b', 3, 'c'), 3);
      assert.equal(await r.zadd('z', 'NX', 10, 'a', 4, 'd'), 1);
      assert.equal(await r.zscore('z', 'a'), '1');
      assert.equal(await r.zadd('z', 'XX', 'CH', 5, 'a', 9, 'zz'), 1);
      assert.equal(await r.zscore('z', 'zz'), null);
      assert.equal(await r.zadd('z', 'GT', 'CH', 1, 'a', 6, 'b'), 1);
      assert.equal(await r.zadd('z', 'LT', 'CH', 9, 'a', 0, 'b'), 1);
      assert.equal(await r.zscore('z', 'b'), '0');
      assert.equal(await r.zadd('z', 'CH', 0, 'b', 7, 'e'), 1);
      await assert.rejects(r.zadd('z', 'NX', 'XX', 1, 'a'), /^ReplyError: ERR XX and NX options at the same time are not compatible$/);
      await assert.rejects(r.zadd('z', 'GT', 'LT', 1, 'a'), /^ReplyError: ERR GT, LT, and\/or NX options at the same time are not compatible$/);
      await assert.rejects(r.zadd('z', 'NX', 'GT', 1, 'a'), /GT, LT, and\/or NX/);
      await assert.rejects(r.zadd('z', 'INCR', 1, 'a', 2, 'b'), /^ReplyError: ERR INCR option supports a single increment-element pair$/);
      await assert.rejects(r.zadd('z', 'x', 'a'), /^ReplyError: ERR value is not a valid float$/);
      await assert.rejects(r.zadd('z', 'nan', 'a'), /not a valid float/);
      await assert.rejects(r.call('ZADD', 'z', '1', 'a', '2'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('ZADD', 'z', 'CH', 'NX'), /^ReplyError: ERR wrong number of arguments|syntax error/);
      assert.equal(await r.zadd('z', 'INCR', 1.5, 'b'), '1.5');
      assert.equal(await r.zadd('z', 'INCR', 'NX', 1, 'b'), null);
      assert.equal(await r.zadd('z', 'INCR', 'GT', -1, 'b'), null);
      assert.equal(await r.zadd('z', 'XX', 'INCR', 1, 'nope'), null);
      assert.equal(await r.zincrby('z', 0.1, 'c'), '3.1');
      assert.equal(await r.zincrby('z', '-inf', 'new'), '-inf');
      await assert.rejects(r.zincrby('z', '+inf', 'new'), /^ReplyError: ERR resulting score is not a number \(NaN\)$/);
      await assert.rejects(r.zincrby('z', 'nx', 'a'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.zincrby('z', '1e500', 'a'), /not a valid float/);
      assert.equal(await r.zadd('h', '0x10', 'hex', '1e-310', 'tiny', '-0', 'negzero'), 3);
      assert.deepEqual(await r.zrange('h', '0', '-1', 'WITHSCORES'), ['negzero', '0', 'tiny', '1e-310', 'hex', '16']);
      assert.equal(await r.zcard('z'), 6);
      assert.equal(await r.zcard('nope'), 0);
      assert.deepEqual(await r.zmscore('z', 'b', 'nope', 'new'), ['1.5', null, '-inf']);
      assert.deepEqual(await r.zmscore('nope', 'a'), [null]);
      assert.equal(await r.zadd('nokey', 'XX', 1, 'a'), 0);
      assert.equal(await r.exists('nokey'), 0);
      await r.set('str', 'v');
      for (const p of [r.zadd('str', 1, 'a'), r.zscore('str', 'a'), r.zcard('str'), r.zmscore('str', 'a'), r.zincrby('str', 1, 'a'), r.zrem('str', 'a')]) {
        await assert.rejects(p, /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value$/);
      }
    } finally {
      r.disconnect();
    }
  });

  test('ZREM, ranks, counts and every ZRANGE form (ioredis)', async () => {
    const r = await ioredis(fx().port);
    await r.flushall();
    try {
      await r.zadd('z', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
      assert.equal(await r.zrank('z', 'a'), 0);
      assert.equal(await r.zrevrank('z', 'a'), 4);
      assert.equal(await r.zrank('z', 'nope'), null);
      assert.equal(await r.zrank('nokey', 'a'), null);
      // WITHSCORE (Redis 7.2)
      assert.deepEqual(await r.call('ZRANK', 'z', 'b', 'WITHSCORE'), [1, '2']);
      assert.deepEqual(await r.call('ZREVRANK', 'z', 'b', 'withscore'), [3, '2']);
      assert.equal(await r.call('ZRANK', 'z', 'nope', 'WITHSCORE'), null);
      assert.equal(await r.call('ZREVRANK', 'nokey', 'a', 'WITHSCORE'), null);
      await assert.rejects(r.call('ZRANK', 'z', 'a', 'WITHSCORE', 'x'), /wrong number of arguments for 'zrank' command/);
      await assert.rejects(r.call('ZRANK', 'z', 'a', 'WITHSCORES'), /ERR syntax error/);
      assert.deepEqual(await r.zrange('z', '0', '-1'), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(await r.zrange('z', '-2', '100', 'WITHSCORES'), ['d', '4', 'e', '5']);
      assert.deepEqual(await r.zrange('z', '3', '1'), []);
      assert.deepEqual(await r.call('ZRANGE', 'z', '0', '1', 'REV'), ['e', 'd']);
      assert.deepEqual(await r.call('ZRANGE', 'z', '(1', '4', 'BYSCORE', 'LIMIT', '1', '2', 'WITHSCORES'), [['c', '3'], ['d', '4']]);
      assert.deepEqual(await r.call('ZRANGE', 'z', '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', '0', '2'), ['e', 'd']);
      assert.deepEqual(await r.call('ZRANGE', 'z', '1', '5', 'BYSCORE', 'LIMIT', '-1', '2'), []);
      assert.deepEqual(await r.call('ZRANGE', 'z', '1', '5', 'BYSCORE', 'LIMIT', '3', '-1'), ['d', 'e']);
      assert.deepEqual(await r.call('ZRANGE', 'z', '[b', '(d', 'BYLEX'), ['b', 'c']);
      assert.deepEqual(await r.call('ZRANGE', 'z', '+', '[c', 'BYLEX', 'REV', 'LIMIT', '1', '5'), ['d', 'c']);
      await assert.rejects(r.call('ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1'), /^ReplyError: ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX$/);
      await assert.rejects(r.call('ZRANGE', 'z', '-', '+', 'BYLEX', 'WITHSCORES'), /^ReplyError: ERR syntax error, WITHSCORES not supported in combination with BYLEX$/);
      await assert.rejects(r.call('ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYLEX'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('ZRANGE', 'z', 'x', 'y', 'BYSCORE'), /^ReplyError: ERR min or max is not a float$/);
      await assert.rejects(r.call('ZRANGE', 'z', 'x', 'y', 'BYLEX'), /^ReplyError: ERR min or max not valid string range item$/);
      await assert.rejects(r.call('ZRANGE', 'z', 'x', '1'), /^ReplyError: ERR value is not an integer or out of range$/);
      assert.deepEqual(await r.zrevrange('z', 0, 1, 'WITHSCORES'), ['e', '5', 'd', '4']);
      await assert.rejects(r.call('ZREVRANGE', 'z', '0', '1', 'BYSCORE'), /syntax error/);
      assert.deepEqual(await r.zrangebyscore('z', '(1', '3'), ['b', 'c']);
      assert.deepEqual(await r.zrangebyscore('z', '-inf', '+inf', 'WITHSCORES', 'LIMIT', 4, 10), ['e', '5']);
      assert.deepEqual(await r.zrevrangebyscore('z', 5, '(3'), ['e', 'd']);
      assert.deepEqual(await r.zrangebyscore('z', '', '(1'), []);
      assert.deepEqual(await r.zrangebylex('z', '-', '(c'), ['a', 'b']);
      assert.deepEqual(await r.zrevrangebylex('z', '[c', '-', 'LIMIT', 1, 1), ['b']);
      await assert.rejects(r.zrangebylex('z', 'a', 'b'), /min or max not valid string range item/);
      assert.equal(await r.zcount('z', '(1', '+inf'), 4);
      assert.equal(await r.zcount('z', '3', '(3'), 0);
      await assert.rejects(r.zcount('z', 'a', 'b'), /min or max is not a float/);
      assert.equal(await r.zlexcount('z', '[b', '[d'), 3);
      assert.equal(await r.zlexcount('z', '+', '-'), 0);
      assert.equal(await r.zrem('z', 'a', 'nope', 'a'), 1);
      assert.equal(await r.zrem('nokey', 'a'), 0);
      assert.equal(await r.zrem('z', 'b', 'c', 'd', 'e', 'f'), 4);
      assert.equal(await r.exists('z'), 0);
      await r.set('str', 'v');
      await assert.rejects(r.zrange('str', '0', '1'), /WRONGTYPE/);
      await assert.rejects(r.call('ZRANGE', 'str', 'x', 'y'), /not an integer/);
      assert.deepEqual(await r.zrange('nokey', '0', '-1'), []);
    } finally {
      r.disconnect();
    }
  });

  test('ZRANGESTORE and ZREMRANGEBY* (ioredis)', async () => {
    const r = await ioredis(fx().port);
    await r.flushall();
    try {
      await r.zadd('src', 1, 'a', 2, 'b', 3, 'c', 4, 'd', 5, 'e');
      assert.equal(await r.call('ZRANGESTORE', 'dst', 'src', '1', '3'), 3);
      assert.deepEqual(await r.zrange('dst', '0', '-1', 'WITHSCORES'), ['b', '2', 'c', '3', 'd', '4']);
      assert.equal(await r.call('ZRANGESTORE', 'dst', 'src', '5', '(2', 'BYSCORE', 'REV', 'LIMIT', '0', '2'), 2);
      assert.deepEqual(await r.zrange('dst', '0', '-1'), ['d', 'e']);
      assert.equal(await r.call('ZRANGESTORE', 'dst', 'src', '[c', '+', 'BYLEX'), 3);
      await assert.rejects(r.call('ZRANGESTORE', 'dst', 'src', '0', '1', 'WITHSCORES'), /^ReplyError: ERR syntax error$/);
      await r.expire('dst', 100);
      assert.equal(await r.call('ZRANGESTORE', 'dst', 'src', '0', '0'), 1);
      assert.equal(await r.ttl('dst'), -1);
      assert.equal(await r.call('ZRANGESTORE', 'dst', 'nokey', '0', '-1'), 0);
      assert.equal(await r.exists('dst'), 0);
      assert.equal(await r.zremrangebyrank('src', 0, 0), 1);
      assert.equal(await r.zremrangebyrank('src', -1, 100), 1);
      assert.equal(await r.zremrangebyscore('src', '(2', '3'), 1);
      assert.deepEqual(await r.zrange('src', '0', '-1'), ['b', 'd']);
      assert.equal(await r.zremrangebylex('src', '[a', '[c'), 1);
      assert.equal(await r.zremrangebylex('src', '-', '+'), 1);
      assert.equal(await r.exists('src'), 0);
      assert.equal(await r.zremrangebyrank('nokey', 0, -1), 0);
      await assert.rejects(r.zremrangebyrank('src', 'x', 1), /not an integer/);
      await assert.rejects(r.zremrangebyscore('src', 'x', 1), /min or max is not a float/);
      await assert.rejects(r.zremrangebylex('src', 'x', '+'), /min or max not valid string range item/);
    } finally {
      r.disconnect();
    }
  });

  test('pops, ZMPOP and ZRANDMEMBER (ioredis)', async () => {
    const r = await ioredis(fx().port);
    await r.flushall();
    try {
      await r.zadd('p', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
      assert.deepEqual(await r.zpopmin('p'), ['a', '1']);
      assert.deepEqual(await r.zpopmax('p', 2), ['d', '4', 'c', '3']);
      assert.deepEqual(await r.zpopmin('p', 0), []);
      await assert.rejects(r.zpopmin('p', -1), /^ReplyError: ERR value is out of range, must be positive$/);
      await assert.rejects(r.call('ZPOPMIN', 'p', '1', '2'), /^ReplyError: ERR syntax error$/);
      assert.deepEqual(await r.zpopmin('p', 10), ['b', '2']);
      assert.equal(await r.exists('p'), 0);
      assert.deepEqual(await r.zpopmin('p'), []);
      await r.zadd('m', 1, 'a', 2, 'b', 3, 'c');
      assert.deepEqual(await r.call('ZMPOP', '2', 'nokey', 'm', 'MAX', 'COUNT', '2'), ['m', [['c', '3'], ['b', '2']]]);
      assert.deepEqual(await r.call('ZMPOP', '1', 'm', 'MIN'), ['m', [['a', '1']]]);
      assert.equal(await r.call('ZMPOP', '1', 'm', 'MIN'), null);
      await assert.rejects(r.call('ZMPOP', '0', 'm', 'MIN'), /^ReplyError: ERR numkeys should be greater than 0$/);
      await assert.rejects(r.call('ZMPOP', '1', 'm', 'MIN', 'COUNT', '0'), /^ReplyError: ERR count should be greater than 0$/);
      await assert.rejects(r.call('ZMPOP', '1', 'm', 'LEFT'), /^ReplyError: ERR syntax error$/);
      const members: (string | number)[] = [];
      for (let i = 0; i < 50; i++) members.push(i, `m${i}`);
      await r.zadd('rnd', ...members);
      assert.match((await r.zrandmember('rnd')) as string, /^m\d+$/);
      const some = (await r.zrandmember('rnd', 10)) as string[];
      assert.equal(new Set(some).size, 10);
      assert.equal(((await r.zrandmember('rnd', -80)) as string[]).length, 80);
      const all = (await r.zrandmember('rnd', 100, 'WITHSCORES')) as string[];
      assert.equal(all.length, 100);
      assert.deepEqual(all.slice(0, 4), ['m49', '49', 'm48', '48']);
      assert.deepEqual(await r.zrandmember('nokey', 5), []);
      assert.equal(await r.zrandmember('nokey'), null);
      await assert.rejects(r.call('ZRANDMEMBER', 'rnd', '-9223372036854775808'), /^ReplyError: ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807$/);
      await assert.rejects(r.call('ZRANDMEMBER', 'rnd', '-4611686018427387904', 'WITHSCORES'), /^ReplyError: ERR value is out of range$/);
      await assert.rejects(r.call('ZRANDMEMBER', 'rnd', '1', 'x'), /^ReplyError: ERR syntax error$/);
    } finally {
      r.disconnect();
    }
  });

  test('ZUNION/ZINTER/ZDIFF, STORE variants and ZINTERCARD, with sets as inputs on any shard (ioredis)', async () => {
    const r = await ioredis(fx().port);
    await r.flushall();
    try {
      await r.zadd('za', 1, 'x', 2, 'y');
      await r.zadd('zb', 10, 'y', 20, 'z');
      await r.sadd('sc', 'x', 'w');
      // ioredis pairs up WITHSCORES replies of these commands
      const flat = async (p: Promise<unknown>) => ((await p) as string[][]).flat();
      assert.deepEqual(await flat(r.call('ZUNION', '3', 'za', 'zb', 'sc', 'WITHSCORES')), ['w', '1', 'x', '2', 'y', '12', 'z', '20']);
      assert.deepEqual(await flat(r.call('ZUNION', '2', 'za', 'zb', 'WEIGHTS', '2', '0.5', 'AGGREGATE', 'MAX', 'WITHSCORES')), ['x', '2', 'y', '5', 'z', '10']);
      assert.deepEqual(await flat(r.call('ZINTER', '2', 'za', 'zb', 'AGGREGATE', 'MIN', 'WITHSCORES')), ['y', '2']);
      assert.deepEqual(await flat(r.call('ZDIFF', '2', 'za', 'zb', 'WITHSCORES')), ['x', '1']);
      assert.deepEqual(await r.call('ZDIFF', '2', 'sc', 'za'), ['w']);
      assert.equal(await r.zunionstore('zu', 3, 'za', 'zb', 'sc', 'WEIGHTS', 1, 2, 3), 4);
      assert.deepEqual(await r.zrange('zu', '0', '-1', 'WITHSCORES'), ['w', '3', 'x', '4', 'y', '22', 'z', '40']);
      assert.equal(await r.zinterstore('zi', 2, 'za', 'nokey'), 0);
      assert.equal(await r.exists('zi'), 0);
      assert.equal(await r.call('ZDIFFSTORE', 'zd', '2', 'zb', 'za'), 1);
      assert.deepEqual(await r.zrange('zd', '0', '-1'), ['z']);
      assert.equal(await r.call('ZINTERCARD', '2', 'za', 'zb'), 1);
      assert.equal(await r.call('ZINTERCARD', '2', 'zu', 'zu', 'LIMIT', '2'), 2);
      await r.zadd('inf1', 'inf', 'a');
      await r.zadd('inf2', '-inf', 'a');
      assert.deepEqual(await flat(r.call('ZUNION', '2', 'inf1', 'inf2', 'WITHSCORES')), ['a', '0']);
      assert.deepEqual(await flat(r.call('ZUNION', '1', 'inf1', 'WEIGHTS', '0', 'WITHSCORES')), ['a', '0']);
      await assert.rejects(r.call('ZUNION', '0', 'za'), /^ReplyError: ERR at least 1 input key is needed for 'zunion' command$/);
      await assert.rejects(r.call('ZUNIONSTORE', 'd', '0', 'za'), /at least 1 input key is needed for 'zunionstore' command/);
      await assert.rejects(r.call('ZUNION', '3', 'za'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('ZUNION', '1', 'za', 'WEIGHTS', 'x'), /^ReplyError: ERR weight value is not a float$/);
      await assert.rejects(r.call('ZUNION', '1', 'za', 'AGGREGATE', 'AVG'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('ZDIFF', '1', 'za', 'WEIGHTS', '1'), /syntax error/);
      await assert.rejects(r.call('ZUNIONSTORE', 'd', '1', 'za', 'WITHSCORES'), /syntax error/);
      await assert.rejects(r.call('ZINTERCARD', '1', 'za', 'LIMIT', '-1'), /^ReplyError: ERR LIMIT can't be negative$/);
      await r.set('str', 'v');
      await assert.rejects(r.call('ZUNION', '2', 'za', 'str', 'WEIGHTS', 'x'), /WRONGTYPE/);
    } finally {
      r.disconnect();
    }
  });

  test('ZSCAN: small sets whole and in order, big sets by cursor (ioredis)', async () => {
    const r = await ioredis(fx().port);
    await r.flushall();
    try {
      await r.zadd('small', 2, 'b', 1, 'a', 3, 'c');
      assert.deepEqual(await r.zscan('small', 0), ['0', ['a', '1', 'b', '2', 'c', '3']]);
      assert.deepEqual(await r.zscan('small', 0, 'MATCH', '[ab]'), ['0', ['a', '1', 'b', '2']]);
      assert.deepEqual(await r.zscan('nokey', 0), ['0', []]);
      await assert.rejects(r.zscan('small', 'x'), /invalid cursor/);
      await assert.rejects(r.zscan('small', 0, 'COUNT', 0), /syntax error/);
      const args: (string | number)[] = [];
      for (let i = 0; i < 300; i++) args.push(i + 0.5, `k${i}`);
      await r.zadd('big', ...args);
      const seen = new Map<string, string>();
      let cursor = '0';
      let calls = 0;
      do {
        const [next, flat] = await r.zscan('big', cursor, 'COUNT', 20);
        for (let i = 0; i < flat.length; i += 2) seen.set(flat[i]!, flat[i + 1]!);
        cursor = next;
        calls++;
      } while (cursor !== '0');
      assert.ok(calls > 5);
      assert.equal(seen.size, 300);
      assert.equal(seen.get('k7'), '7.5');
    } finally {
      r.disconnect();
    }
  });

  test('RESP3 shapes with node-redis', async () => {
    const c = await nodeRedis(fx().port, 3);
    await c.flushAll();
    try {
      await c.zAdd('z', [{ score: 1, value: 'a' }, { score: 2.5, value: 'b' }, { score: Infinity, value: 'c' }]);
      assert.deepEqual(await c.zRangeWithScores('z', 0, -1), [{ value: 'a', score: 1 }, { value: 'b', score: 2.5 }, { value: 'c', score: Infinity }]);
      assert.deepEqual(await c.sendCommand(['ZRANGE', 'z', '0', '0', 'WITHSCORES']), [['a', 1]]);
      assert.equal(await c.zScore('z', 'b'), 2.5);
      assert.equal(await c.zScore('z', 'nope'), null);
      assert.deepEqual(await c.sendCommand(['ZMSCORE', 'z', 'a', 'nope']), [1, null]);
      assert.equal(await c.sendCommand(['ZINCRBY', 'z', '1', 'a']), 2);
      assert.deepEqual(await c.sendCommand(['ZPOPMIN', 'z']), ['a', 2]);
      assert.deepEqual(await c.sendCommand(['ZPOPMIN', 'z', '1']), [['b', 2.5]]);
      assert.deepEqual(await c.sendCommand(['ZRANDMEMBER', 'z', '5', 'WITHSCORES']), [['c', Infinity]]);
      assert.deepEqual(await c.sendCommand(['ZUNION', '1', 'z', 'WITHSCORES']), [['c', Infinity]]);
      assert.deepEqual(await c.sendCommand(['ZMPOP', '1', 'z', 'MAX']), ['z', [['c', Infinity]]]);
      assert.equal(await c.sendCommand(['ZMPOP', '1', 'z', 'MAX']), null);
      assert.equal(await c.sendCommand(['ZRANDMEMBER', 'z']), null);
      assert.equal(await c.zRank('z', 'x'), null);
    } finally {
      c.destroy();
    }
  });

  test('exact bytes in RESP2 and RESP3', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('ZADD', 'z', '1', 'a', '2.5', 'b', '-inf', 'c');
    assert.equal(await c.callRaw('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), '*6\r\n$1\r\nc\r\n$4\r\n-inf\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$3\r\n2.5\r\n');
    assert.equal(await c.callRaw('ZSCORE', 'z', 'nope'), '$-1\r\n');
    assert.equal(await c.callRaw('ZMPOP', '1', 'nokey', 'MIN'), '*-1\r\n');
    assert.equal(await c.callRaw('ZINCRBY', 'z', '0.1', 'b'), '$3\r\n2.6\r\n');
    await c.call('HELLO', '3');
    assert.equal(await c.callRaw('ZRANGE', 'z', '0', '1', 'WITHSCORES'), '*2\r\n*2\r\n$1\r\nc\r\n,-inf\r\n*2\r\n$1\r\na\r\n,1\r\n');
    assert.equal(await c.callRaw('ZSCORE', 'z', 'b'), ',2.6\r\n');
    assert.equal(await c.callRaw('ZSCORE', 'z', 'nope'), '_\r\n');
    assert.equal(await c.callRaw('ZPOPMAX', 'z'), '*2\r\n$1\r\nb\r\n,2.6\r\n');
    assert.equal(await c.callRaw('ZPOPMAX', 'z', '1'), '*1\r\n*2\r\n$1\r\na\r\n,1\r\n');
    assert.equal(await c.callRaw('ZMPOP', '1', 'z', 'MIN'), '*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,-inf\r\n');
    assert.equal(await c.callRaw('ZMPOP', '1', 'z', 'MIN'), '_\r\n');
    assert.equal(await c.callRaw('ZADD', 'z', 'INCR', 'XX', '1', 'a'), '_\r\n');
    await c.call('HELLO', '2');
  });

  test('blocking pops: wake-ups, counts, timeouts, wrong types and MULTI', async () => {
    const port = fx().port;
    const waiter = await nodeRedis(port, 2);
    const w3 = await nodeRedis(port, 3);
    const r = await ioredis(port);
    await r.flushall();
    try {
      const p1 = waiter.sendCommand(['BZPOPMIN', 'bz1', 'bz2', '0']);
      await sleep(30);
      await r.zadd('bz2', 7, 'seven', 8, 'eight');
      assert.deepEqual(await p1, ['bz2', 'seven', '7']);
      assert.deepEqual(await r.zrange('bz2', '0', '-1'), ['eight']);
      const p2 = w3.sendCommand(['BZMPOP', '0', '2', 'bz3', 'bz2', 'MAX', 'COUNT', '5']);
      assert.deepEqual(await p2, ['bz2', [['eight', 8]]]);
      const p3 = waiter.sendCommand(['BZPOPMAX', 'bz4', '0.05']);
      assert.equal(await p3, null);
      // a key of the wrong type keeps the client blocked; the zset that follows serves it
      const p4 = waiter.sendCommand(['BZPOPMAX', 'bz5', '0']);
      await sleep(20);
      await r.set('bz5', 'str');
      await sleep(20);
      await r.del('bz5');
      await r.zadd('bz5', 1, 'one', 2, 'two');
      assert.deepEqual(await p4, ['bz5', 'two', '2']);
      const p5 = w3.sendCommand(['BZMPOP', '0', '1', 'bz6', 'MIN', 'COUNT', '2']);
      await sleep(20);
      await r.zadd('bz6', 3, 'c', 1, 'a', 2, 'b');
      assert.deepEqual(await p5, ['bz6', [['a', 1], ['b', 2]]]);
      await r.set('str', 'v');
      await assert.rejects(r.bzpopmin('str', 0), /WRONGTYPE/);
      await assert.rejects(r.call('BZPOPMIN', 'x', '-1'), /^ReplyError: ERR timeout is negative$/);
      await assert.rejects(r.call('BZMPOP', 'x', '0', 'k', 'MIN'), /^ReplyError: ERR numkeys should be greater than 0$/);
      const multi = await r.multi().bzpopmin('empty', 0).call('BZMPOP', '0', '1', 'empty', 'MIN').exec();
      assert.deepEqual(multi, [[null, null], [null, null]]);
    } finally {
      waiter.destroy();
      w3.destroy();
      r.disconnect();
    }
  });

  test('keyspace events as Redis notifies them', async () => {
    const r = await ioredis(fx().port);
    await r.flushall();
    try {
      const seen = await events(fx(), async () => {
        await r.zadd('e', 1, 'a', 2, 'b', 3, 'c');
        await r.zadd('e', 1, 'a');
        await r.zincrby('e', 1, 'a');
        await r.zrem('e', 'a', 'nope');
        await r.zrem('e', 'nope');
        await r.zpopmin('e');
        await r.zadd('e', 4, 'd');
        await r.zremrangebyscore('e', 0, 3);
        await r.call('ZRANGESTORE', 'e2', 'e', '0', '-1');
        await r.zunionstore('e3', 1, 'e');
        await r.zinterstore('e3', 2, 'e', 'nokey');
        await r.call('ZDIFFSTORE', 'e4', '1', 'e');
        await r.zremrangebyrank('e4', 0, -1);
        await r.zpopmax('e2', 5);
        await r.zremrangebylex('e', '-', '+');
      });
      assert.deepEqual(seen, [
        'zadd:e', 'zincr:e', 'zrem:e', 'zpopmin:e', 'zadd:e', 'zremrangebyscore:e', 'zrangestore:e2', 'zunionstore:e3', 'del:e3',
        'zdiffstore:e4', 'zremrangebyrank:e4', 'del:e4', 'zpopmax:e2', 'del:e2', 'zremrangebylex:e', 'del:e',
      ]);
    } finally {
      r.disconnect();
    }
  });

  test('encodings: listpack within the limits, skiplist after, one way', async () => {
    const r = await ioredis(fx().port);
    await r.flushall();
    try {
      await r.zadd('enc', 1, 'a');
      assert.equal(await r.object('ENCODING', 'enc'), 'listpack');
      for (let i = 0; i < 128; i++) await r.zadd('enc', i, `m${i}`);
      assert.equal(await r.object('ENCODING', 'enc'), 'skiplist');
      await r.zremrangebyrank('enc', 0, 100);
      assert.equal(await r.object('ENCODING', 'enc'), 'skiplist');
      await r.zadd('long', 1, 'x'.repeat(65));
      assert.equal(await r.object('ENCODING', 'long'), 'skiplist');
      await r.config('SET', 'zset-max-listpack-entries', '2');
      await r.zadd('two', 1, 'a', 2, 'b');
      assert.equal(await r.object('ENCODING', 'two'), 'listpack');
      await r.zadd('two', 3, 'c');
      assert.equal(await r.object('ENCODING', 'two'), 'skiplist');
      await r.zunionstore('u', 1, 'two');
      assert.equal(await r.object('ENCODING', 'u'), 'skiplist');
      await r.zpopmin('two');
      await r.zunionstore('u', 1, 'two');
      assert.equal(await r.object('ENCODING', 'u'), 'listpack');
      // -0 is kept by a skiplist but becomes 0 in a listpack, as Redis; a ZADD of more pairs than
      // the listpack holds makes a skiplist before adding (7.2+), so each of its -0 stays
      await r.zadd('neg', '-0', 'a', '-0', 'b', '-0', 'c');
      assert.equal(await r.zscore('neg', 'c'), '-0');
      assert.equal(await r.zscore('neg', 'a'), '-0');
      await r.zadd('neg2', '-0', 'a', '-0', 'b');
      await r.zadd('neg2', '-0', 'c');
      assert.equal(await r.zscore('neg2', 'c'), '-0');
      assert.equal(await r.zscore('neg2', 'a'), '0');
    } finally {
      await r.config('SET', 'zset-max-listpack-entries', '128');
      r.disconnect();
    }
  });

  test('encodings at each threshold, and back to listpack where Redis converts (stores, DEBUG RELOAD, RESTORE)', async () => {
    const r = await ioredis(fx().port);
    await r.flushall();
    const enc = (k: string) => r.object('ENCODING', k);
    try {
      // entries: 128 fit, the 129th converts before it is inserted
      const args: (string | number)[] = [];
      for (let i = 0; i < 128; i++) args.push(i, `m${i}`);
      await r.zadd('n', ...args);
      assert.equal(await enc('n'), 'listpack');
      assert.equal(await r.zadd('n', 'XX', 1000, 'absent'), 0);
      assert.equal(await enc('n'), 'listpack');
      await r.zadd('n', 128, 'm128');
      assert.equal(await enc('n'), 'skiplist');
      assert.deepEqual(await r.zrange('n', '126', '128'), ['m126', 'm127', 'm128']);
      // member length: 64 bytes fit, 65 convert (also as the first member of a new key)
      await r.zadd('v', 1, 'x'.repeat(64));
      assert.equal(await enc('v'), 'listpack');
      await r.zincrby('v', 1, 'y'.repeat(65));
      assert.equal(await enc('v'), 'skiplist');
      assert.equal(await r.zscore('v', 'y'.repeat(65)), '1');
      await r.geoadd('g', 13.361389, 38.115556, 'p'.repeat(65));
      assert.equal(await enc('g'), 'skiplist');
      // a skiplist that shrank stays one, until a fresh copy is built: stores, RESTORE, DEBUG RELOAD
      await r.zremrangebyrank('n', 10, -1);
      assert.equal(await enc('n'), 'skiplist');
      assert.equal(await r.zrangestore('rs', 'n', 0, -1), 10);
      assert.equal(await enc('rs'), 'listpack');
      assert.equal(await r.zunionstore('u', 1, 'n'), 10);
      assert.equal(await enc('u'), 'listpack');
      assert.equal(await r.zinterstore('i', 2, 'n', 'u'), 10);
      assert.equal(await enc('i'), 'listpack');
      assert.equal(await r.zdiffstore('d', 1, 'n'), 10);
      assert.equal(await enc('d'), 'listpack');
      await r.copy('n', 'ncopy');
      assert.equal(await enc('ncopy'), 'skiplist');
      const dump = await r.dumpBuffer('n');
      await r.restore('restored', 0, dump);
      assert.equal(await enc('restored'), 'listpack');
      assert.deepEqual(await r.zrange('restored', '0', '-1', 'WITHSCORES'), await r.zrange('n', '0', '-1', 'WITHSCORES'));
      assert.equal(await r.debug('RELOAD'), 'OK');
      assert.equal(await enc('n'), 'listpack');
      assert.equal(await enc('ncopy'), 'listpack');
      assert.equal(await enc('v'), 'skiplist');
      assert.equal(await r.zcard('n'), 10);
      // ZRANGESTORE: a rank range past the limit starts as a skiplist; a score range grows into one
      await r.zadd('big', ...Array.from({ length: 300 }, (_, i) => [i, `b${i}`]).flat());
      assert.equal(await r.zrangestore('r1', 'big', 0, 199), 200);
      assert.equal(await enc('r1'), 'skiplist');
      assert.equal(await r.zrangestore('r2', 'big', 0, 127), 128);
      assert.equal(await enc('r2'), 'listpack');
      assert.equal(await r.zrangestore('r3', 'big', 0, 199, 'BYSCORE'), 200);
      assert.equal(await enc('r3'), 'skiplist');
      assert.equal(await r.zunionstore('u2', 1, 'big'), 300);
      assert.equal(await enc('u2'), 'skiplist');
      // a listpack payload past the entries limit loads as a skiplist; the skiplist form fits back in the limit
      const small = await r.dumpBuffer('rs');
      await r.config('SET', 'zset-max-listpack-entries', '5');
      await r.restore('rs2', 0, small);
      assert.equal(await enc('rs2'), 'skiplist');
      assert.deepEqual(await r.zrange('rs2', '0', '-1', 'WITHSCORES'), await r.zrange('rs', '0', '-1', 'WITHSCORES'));
      await r.config('SET', 'zset-max-listpack-entries', '0');
      await r.zadd('zero', 1, 'a');
      assert.equal(await enc('zero'), 'skiplist');
    } finally {
      await r.config('SET', 'zset-max-listpack-entries', '128');
      r.disconnect();
    }
  });

  test('a listpack sorted set is one small value: MEMORY USAGE and every command on it', async () => {
    const r = await ioredis(fx().port);
    await r.flushall();
    try {
      await r.zadd('s', ...Array.from({ length: 10 }, (_, i) => [i * 1.5, `member:${i}`]).flat());
      assert.equal(await r.object('ENCODING', 's'), 'listpack');
      const usage = Number(await r.memory('USAGE', 's'));
      assert.ok(usage < 400, `MEMORY USAGE ${usage}`);
      assert.equal(await r.zrank('s', 'member:3'), 3);
      assert.equal(await r.zrevrank('s', 'member:3'), 6);
      assert.deepEqual(await r.zrevrange('s', 0, 1, 'WITHSCORES'), ['member:9', '13.5', 'member:8', '12']);
      assert.deepEqual(await r.zrangebyscore('s', '(1.5', 6, 'LIMIT', 1, 2), ['member:3', 'member:4']);
      assert.equal(await r.zcount('s', 3, '+inf'), 8);
      assert.deepEqual(await r.zpopmax('s', 2), ['member:9', '13.5', 'member:8', '12']);
      assert.deepEqual(await r.zpopmin('s'), ['member:0', '0']);
      assert.equal(await r.zremrangebyscore('s', 3, 4.5), 2);
      assert.deepEqual(await r.zrange('s', '0', '-1'), ['member:1', 'member:4', 'member:5', 'member:6', 'member:7']);
      assert.equal(await r.zincrby('s', 100, 'member:1'), '101.5');
      assert.deepEqual(await r.zrange('s', '-1', '-1'), ['member:1']);
      assert.deepEqual((await r.zrandmember('s', -20)).length, 20);
      assert.deepEqual((await r.zrandmember('s', 3)).length, 3);
      assert.deepEqual(await r.zscan('s', 0), ['0', ['member:4', '6', 'member:5', '7.5', 'member:6', '9', 'member:7', '10.5', 'member:1', '101.5']]);
      assert.equal(await r.object('ENCODING', 's'), 'listpack');
    } finally {
      r.disconnect();
    }
  });

  test('a big sorted set agrees with a model: ranks, ranges, counts, removals', async () => {
    const r = await ioredis(fx().port);
    await r.flushall();
    try {
      const model = new Map<string, number>();
      let seed = 7;
      const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      const args: (string | number)[] = [];
      for (let i = 0; i < 2000; i++) {
        const m = `m${Math.floor(rand() * 1500)}`;
        const s = Math.floor(rand() * 300) / 4;
        model.set(m, s);
        args.push(s, m);
      }
      for (let i = 0; i < args.length; i += 200) await r.zadd('big', ...args.slice(i, i + 200));
      const sorted = [...model].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      assert.equal(await r.zcard('big'), sorted.length);
      assert.deepEqual(await r.zrange('big', '0', '-1'), sorted.map((e) => e[0]));
      for (const i of [0, 1, 17, 500, sorted.length - 1]) {
        assert.equal(await r.zrank('big', sorted[i]![0]), i);
        assert.equal(await r.zrevrank('big', sorted[i]![0]), sorted.length - 1 - i);
      }
      const inRange = sorted.filter((e) => e[1] > 10 && e[1] <= 40);
      assert.equal(await r.zcount('big', '(10', '40'), inRange.length);
      assert.deepEqual(await r.zrangebyscore('big', '(10', '40', 'LIMIT', 5, 30), inRange.slice(5, 35).map((e) => e[0]));
      assert.deepEqual(await r.zrevrangebyscore('big', '40', '(10', 'LIMIT', 3, 4), inRange.slice().reverse().slice(3, 7).map((e) => e[0]));
      assert.deepEqual(await r.zrange('big', '300', '310', 'WITHSCORES'), sorted.slice(300, 311).flatMap((e) => [e[0], String(e[1])]));
      assert.equal(await r.zremrangebyscore('big', '(10', '40'), inRange.length);
      const left = sorted.filter((e) => !(e[1] > 10 && e[1] <= 40));
      assert.equal(await r.zremrangebyrank('big', 100, 199), 100);
      left.splice(100, 100);
      assert.deepEqual(await r.zrange('big', '0', '-1'), left.map((e) => e[0]));
      assert.deepEqual(await r.zpopmax('big', 3), left.slice(-3).reverse().flatMap((e) => [e[0], String(e[1])]));
    } finally {
      r.disconnect();
    }
  });

  test('the replication stream gets ZPOPMIN/ZPOPMAX for ZMPOP and woken blocking pops', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const repl = await RespClient.connect(fx().port);
    const waiter = await fx().client();
    try {
      repl.writeRaw('SYNC\r\n');
      await sleep(100);
      repl.pending();
      await c.call('ZADD', 'rz', '1', 'a', '2', 'b', '3', 'c', '4', 'd');
      await c.call('ZMPOP', '2', 'nokey', 'rz', 'MAX', 'COUNT', '10');
      const blocked = waiter.call('BZPOPMIN', 'rz2', '0');
      await sleep(30);
      await c.call('ZADD', 'rz2', '5', 'e', '6', 'f');
      assert.deepEqual(await blocked, ['rz2', 'e', '5']);
      await c.call('ZADD', 'rz', '1', 'a', '2', 'b');
      await c.call('ZINCRBY', 'rz', '1', 'a');
      await sleep(100);
      const stream = repl.pending();
      assert.ok(stream.includes('*3\r\n$7\r\nZPOPMAX\r\n$2\r\nrz\r\n$1\r\n4\r\n'), JSON.stringify(stream));
      assert.ok(stream.includes('*2\r\n$7\r\nZPOPMIN\r\n$3\r\nrz2\r\n'), JSON.stringify(stream));
      assert.ok(stream.includes('*4\r\n$7\r\nZINCRBY\r\n$2\r\nrz\r\n$1\r\n1\r\n$1\r\na\r\n'), JSON.stringify(stream));
      assert.ok(!stream.includes('ZMPOP') && !stream.includes('BZPOPMIN'), JSON.stringify(stream));
    } finally {
      repl.close();
    }
  });
});
