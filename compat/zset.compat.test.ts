/**
 * Sorted sets against a real redis-server, byte for byte: every command,
 * option and error, score/range parsing edge cases (hex, overflow, denormals,
 * -0), encodings, RESP3 shapes, and keys spread over shards.
 */
import assert from 'node:assert/strict';
import { describeCompat, runScript, type Pair, type Script } from './harness.ts';
import type { Reply } from '../test/helpers/resp-client.ts';

/** Both replies of one command. */
async function both(p: Pair, ...cmd: string[]): Promise<[Reply, Reply]> {
  return Promise.all([p.redis.call(...cmd), p.shardis.call(...cmd)]);
}

describeCompat('zset compat', (t) => {
  t('score parsing, range bounds, random members, ZINTERCARD, wrong types, ZSCAN of small sets', [
    ['ZADD', 'z', '0x10', 'a'], ['ZADD', 'z', '1e500', 'a'], ['ZADD', 'z', '1e-400', 'a'], ['ZADD', 'z', '1e-310', 'b'], ['ZADD', 'z', '-0', 'c'],
    ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZADD', 'z', ' 1', 'x'], ['ZADD', 'z', '1 ', 'x'], ['ZADD', 'z', '', 'x'], ['ZADD', 'z', 'inf', 'x'],
    ['ZADD', 'z', '+infinity', 'y'], ['ZADD', 'z', '-Inf', 'w'], ['ZADD', 'z', 'nan', 'x'], ['ZADD', 'z', '1.', 'p'], ['ZADD', 'z', '.5', 'q'],
    ['ZADD', 'z', '1e', 'x'], ['ZADD', 'z', '0x', 'x'], ['ZADD', 'z', '0x1p-1080', 'tiny'], ['ZADD', 'z', '0x1.8p1', 'h'],
    ['ZADD', 'z', '0X1P+3', 'h2'], ['ZADD', 'z', '0x.8', 'h3'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZRANGEBYSCORE', 'z', '', ''],
    ['ZRANGEBYSCORE', 'z', ' 1', '1e500'], ['ZRANGEBYSCORE', 'z', '(', '+inf'], ['ZRANGEBYSCORE', 'z', '(nan', '1'],
    ['ZRANGEBYSCORE', 'z', 'nan', '1'], ['ZRANGEBYSCORE', 'z', '1x', '2'], ['ZRANGEBYSCORE', 'z', '((1', '2'],
    ['ZRANGEBYSCORE', 'z', '-inf', '(inf'], ['ZCOUNT', 'z', '-inf', '+inf'], ['ZCOUNT', 'z', '(0', '(1'], ['ZCOUNT', 'z', '', '1'], ['DEL', 'z'],
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ['ZRANDMEMBER', 'z', '5', 'withscores'], ['ZRANDMEMBER', 'z', '5'], ['ZRANDMEMBER', 'z', '3'],
    ['ZRANDMEMBER', 'z', '-9223372036854775808'], ['ZRANDMEMBER', 'z', '-4611686018427387904', 'withscores'],
    ['ZRANDMEMBER', 'z', '4611686018427387904', 'withscores'], ['ZRANDMEMBER', 'z', '-4611686018427387903', 'withscores', 'x'],
    ['ZRANDMEMBER', 'z', 'x'], ['ZRANDMEMBER', 'z', '1', 'x'], ['ZRANDMEMBER', 'nokey', 'x'], ['ZRANDMEMBER', 'nokey', '1', 'x'],
    ['ZRANDMEMBER', 'nokey', '5'], ['ZRANDMEMBER', 'nokey'], ['ZINTERCARD', 'x', 'z'], ['ZINTERCARD', '3', 'z'],
    ['ZINTERCARD', '1', 'z', 'limit', '-1'], ['ZINTERCARD', '1', 'z', 'limit', 'x'], ['ZINTERCARD', '0', 'z'],
    ['ZINTERCARD', '1', 'z', 'WITHSCORES'], ['ZINTERCARD', '1', 'z', 'limit', '1'], ['ZINTERCARD', '1', 'z', 'limit', '0'], ['SET', 'str', 'x'],
    ['ZINTERCARD', '2', 'z', 'str', 'LIMIT', '-1'], ['ZUNION', '2', 'z', 'str', 'WEIGHTS', 'x'], ['ZUNION', '2', 'z', 'str', 'bogus'],
    ['ZUNIONSTORE', 'd', '2', 'z', 'str', 'bogus'], ['ZRANGE', 'str', 'x', 'y'], ['ZRANGE', 'str', '0', '1'], ['ZRANGE', 'str', '0', '1', 'bogus'],
    ['ZRANGEBYSCORE', 'str', 'a', 'b'], ['ZCOUNT', 'str', 'a', 'b'], ['ZLEXCOUNT', 'str', 'a', 'b'], ['ZREMRANGEBYRANK', 'str', 'a', 'b'],
    ['ZINCRBY', 'z', 'nx', 'a'], ['ZINCRBY', 'z', 'incr', 'incr'], ['ZINCRBY', 'z', 'x', 'a'], ['ZINCRBY', 'z', '1e500', 'a'],
    ['ZINCRBY', 'z', '0x10', 'a'], ['ZSCAN', 'nokey', '0', 'COUNT', '0'], ['ZSCAN', 'nokey', 'x'], ['ZSCAN', 'str', '0', 'COUNT', '0'],
    ['ZSCAN', 'z', '0', 'COUNT', '0'], ['ZSCAN', 'z', '0'], ['ZSCAN', 'z', '0', 'MATCH', 'a*'], ['ZSCAN', 'z', '0', 'MATCH'],
    ['ZADD', 'big', '4611686018427387904', 'a', '2305843009213693952', 'b', '4611686018427387905', 'c', '-4611686018427387904', 'd', '1e20', 'e', '0.5', 'f'],
    ['ZSCAN', 'big', '0'], ['ZRANGE', 'big', '0', '-1', 'WITHSCORES'], ['ZADD', 'neg', '-0', 'a'], ['ZSCORE', 'neg', 'a'],
    ['ZADD', 'neg', 'INCR', '-0', 'b'], ['ZSCORE', 'neg', 'b'], ['ZUNION', '1', 'neg', 'WEIGHTS', '-1', 'WITHSCORES'],
    ['ZUNIONSTORE', 'negd', '1', 'neg', 'WEIGHTS', '-1'], ['ZRANGE', 'negd', '0', '-1', 'WITHSCORES'],
  ]);
  t('ZRANGE forms and errors, counts, ZRANGESTORE, ZREMRANGEBY*, pops, ZMPOP, blocking pops that need not block, ranks', [
    ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'], ['ZRANGE', 'z', '0', '-1', 'REV', 'WITHSCORES'],
    ['ZRANGE', 'z', '1', '3', 'BYSCORE', 'LIMIT', '1', '1'], ['ZRANGE', 'z', '1', '3', 'BYSCORE', 'LIMIT', '-1', '1'],
    ['ZRANGE', 'z', '1', '3', 'BYSCORE', 'LIMIT', '1', '-1'], ['ZRANGE', 'z', '1', '3', 'BYSCORE', 'LIMIT', '1', '0'],
    ['ZRANGE', 'z', '1', '3', 'BYSCORE', 'LIMIT', '5', '1'], ['ZRANGE', 'z', '1', '3', 'BYSCORE', 'LIMIT', '4', '1'],
    ['ZRANGE', 'z', '(1', '(5', 'BYSCORE', 'REV'], ['ZRANGE', 'z', '5', '1', 'BYSCORE', 'REV', 'WITHSCORES', 'LIMIT', '1', '2'],
    ['ZRANGE', 'z', '0', '1', 'BYSCORE', 'BYLEX'], ['ZRANGE', 'z', '0', '1', 'REV', 'REV'], ['ZRANGE', 'z', '[a', '[c', 'BYLEX'],
    ['ZRANGE', 'z', '[c', '[a', 'BYLEX', 'REV'], ['ZRANGE', 'z', '[a', '[c', 'BYLEX', 'WITHSCORES'], ['ZRANGE', 'z', '0', '1', 'LIMIT', '0', '1'],
    ['ZRANGE', 'z', '0', '1', 'LIMIT', '0'], ['ZRANGE', 'z', '0', '1', 'LIMIT'], ['ZRANGE', 'z', '0', '1', 'LIMIT', 'x', '1'],
    ['ZRANGE', 'z', 'x', '1'], ['ZRANGE', 'z', 'a', 'b', 'BYSCORE'], ['ZRANGE', 'z', 'a', 'b', 'BYLEX'],
    ['ZRANGE', 'z', '0', '1', 'WITHSCORES', 'WITHSCORES'], ['ZRANGE', 'z', 'x', 'y', 'LIMIT', 'x', 'y'],
    ['ZRANGE', 'z', 'x', 'y', 'BYLEX', 'WITHSCORES'], ['ZRANGE', 'z', 'x', 'y', 'LIMIT', '1', '1'], ['ZREVRANGE', 'z', '0', '-1'],
    ['ZREVRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZREVRANGE', 'z', '0', '1', 'REV'], ['ZREVRANGE', 'z', '0', '1', 'BYSCORE'],
    ['ZREVRANGE', 'z', '0', '1', 'LIMIT', '0', '1'], ['ZREVRANGE', 'z', '-2', '-1'], ['ZREVRANGE', 'z', '-100', '100'], ['ZREVRANGE', 'z', '3', '1'],
    ['ZRANGEBYSCORE', 'z', '-inf', '+inf', 'LIMIT', '1', '2', 'WITHSCORES'], ['ZRANGEBYSCORE', 'z', '1', '3', 'REV'],
    ['ZRANGEBYSCORE', 'z', '1', '3', 'BYLEX'], ['ZREVRANGEBYSCORE', 'z', '3', '1'], ['ZREVRANGEBYSCORE', 'z', '1', '3'],
    ['ZREVRANGEBYSCORE', 'z', '(3', '(1', 'WITHSCORES'], ['ZREVRANGEBYSCORE', 'z', '+inf', '-inf', 'LIMIT', '1', '2'],
    ['ZRANGEBYLEX', 'z', '-', '+'], ['ZRANGEBYLEX', 'z', '-', '+', 'WITHSCORES'], ['ZRANGEBYLEX', 'z', '+', '-'],
    ['ZRANGEBYLEX', 'z', '[b', '(d', 'LIMIT', '1', '5'], ['ZREVRANGEBYLEX', 'z', '+', '-', 'LIMIT', '0', '2'], ['ZREVRANGEBYLEX', 'z', '(d', '[b'],
    ['ZRANGEBYLEX', 'z', 'a', 'b'], ['ZRANGEBYLEX', 'z', '[a', ''], ['ZRANGEBYLEX', 'z', '++', '-'],
    ['ZRANGEBYLEX', 'z', '-', '+', 'LIMIT', '-1', '1'], ['ZRANGEBYLEX', 'z', '-', '-'], ['ZRANGEBYLEX', 'z', '+', '+'],
    ['ZRANGEBYLEX', 'z', '[', '('], ['ZRANGEBYLEX', 'z', '[', '+'], ['ZLEXCOUNT', 'z', '-', '+'], ['ZLEXCOUNT', 'z', '[b', '[d'],
    ['ZLEXCOUNT', 'z', '(b', '(d'], ['ZLEXCOUNT', 'z', '+', '-'], ['ZLEXCOUNT', 'z', 'x', 'y'], ['ZLEXCOUNT', 'nokey', 'x', 'y'],
    ['ZLEXCOUNT', 'nokey', '-', '+'], ['ZCOUNT', 'nokey', 'x', 'y'], ['ZCOUNT', 'z', '(1', '(1'], ['ZCOUNT', 'z', '1', '1'],
    ['ZCOUNT', 'z', '5', '1'], ['ZRANGESTORE', 'dst', 'z', '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', 'dst', 'z', '1', '3', 'BYSCORE', 'LIMIT', '1', '1'], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', 'dst', 'nokey', '0', '-1'], ['EXISTS', 'dst'], ['ZRANGESTORE', 'dst', 'z', '[b', '[c', 'BYLEX', 'REV'],
    ['ZRANGESTORE', 'dst', 'z', '[c', '[b', 'BYLEX', 'REV'], ['ZRANGE', 'dst', '0', '-1'], ['ZRANGESTORE', 'dst', 'z', '5', '6'], ['EXISTS', 'dst'],
    ['ZREMRANGEBYRANK', 'z', 'x', '1'], ['ZREMRANGEBYSCORE', 'z', 'x', '1'], ['ZREMRANGEBYLEX', 'z', 'x', '1'],
    ['ZREMRANGEBYRANK', 'nokey', '0', '1'], ['ZREMRANGEBYRANK', 'z', '10', '20'], ['ZREMRANGEBYRANK', 'z', '-1', '-1'],
    ['ZREMRANGEBYSCORE', 'z', '(1', '2'], ['ZREMRANGEBYLEX', 'z', '[a', '(b'], ['ZRANGE', 'z', '0', '-1'], ['ZREMRANGEBYSCORE', 'z', '-inf', 'inf'],
    ['EXISTS', 'z'], ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c'], ['ZPOPMIN', 'p', '-1'], ['ZPOPMIN', 'p', 'x'], ['ZPOPMIN', 'p', '0'],
    ['ZPOPMIN', 'p', '1', '2'], ['ZPOPMAX', 'p'], ['ZPOPMIN', 'p', '10'], ['EXISTS', 'p'], ['ZPOPMIN', 'p'], ['ZPOPMIN', 'p', '0'],
    ['ZPOPMAX', 'p', '3'], ['ZADD', 'p', '1', 'a', '2', 'b', '3', 'c'], ['ZMPOP', '2', 'nokey', 'p', 'MAX', 'COUNT', '2'],
    ['ZMPOP', '1', 'p', 'MIN', 'COUNT', '0'], ['ZMPOP', '1', 'p', 'MIN', 'COUNT', '1', 'COUNT', '1'], ['ZMPOP', '1', 'p', 'MIN', 'COUNT'],
    ['ZMPOP', '1', 'p', 'LEFT'], ['ZMPOP', '2', 'p'], ['ZMPOP', 'x', 'p', 'MIN'], ['ZMPOP', '-1', 'p', 'MIN'],
    ['ZMPOP', '1', 'p', 'min', 'count', '5'], ['ZMPOP', '1', 'p', 'MIN'], ['ZMPOP', '1', 'str', 'MIN'], ['ZMPOP', '9223372036854775807', 'p', 'MIN'],
    ['SET', 'str', 'v'], ['ZMPOP', '2', 'str', 'p', 'MIN'], ['ZMPOP', '2', 'nokey', 'str', 'MIN'], ['ZPOPMIN', 'str'], ['ZPOPMIN', 'str', '0'],
    ['BZPOPMIN', 'str', '0'], ['BZPOPMIN', 'nokey', 'str', '0'], ['BZMPOP', '0', '1', 'str', 'MIN'], ['BZMPOP', 'x', '1', 'nokey', 'MIN'],
    ['BZMPOP', '0', 'x', 'nokey', 'MIN'], ['BZMPOP', '-1', '1', 'nokey', 'MIN'], ['BZPOPMIN', 'nokey', '-1'], ['BZPOPMIN', 'nokey', 'x'],
    ['ZADD', 'bp', '1', 'a', '2', 'b'], ['BZPOPMIN', 'nokey', 'bp', '0'], ['BZPOPMAX', 'bp', '0'], ['ZADD', 'bp', '1', 'a', '2', 'b', '3', 'c'],
    ['BZMPOP', '0', '2', 'nokey', 'bp', 'MAX', 'COUNT', '2'], ['BZMPOP', '1', '1', 'bp', 'MIN', 'COUNT', '5'], ['EXISTS', 'bp'], ['MULTI'],
    ['BZPOPMIN', 'nokey', '0'], ['BZMPOP', '0', '1', 'nokey', 'MIN'], ['EXEC'], ['ZADD', 'r', '1', 'a', '2', 'b'], ['ZRANK', 'r', 'b'],
    ['ZREVRANK', 'r', 'b'], ['ZRANK', 'r', 'zz'], ['ZRANK', 'nokey', 'a'], ['ZRANK', 'str', 'a'],
    ['ZSCORE', 'str', 'a'], ['ZMSCORE', 'nokey', 'a', 'b'], ['ZMSCORE', 'str', 'a'], ['ZCARD', 'str'], ['ZCARD', 'nokey'], ['ZREM', 'str', 'a'],
    ['ZREM', 'nokey', 'a'], ['ZREM', 'r', 'a', 'a', 'b', 'c'], ['EXISTS', 'r'],
  ]);
  t('RESP3 shapes', [
    { cmd: ['HELLO', '3'], ignore: true }, ['ZADD', 'z', '1', 'a', '2.5', 'b', '3', 'c', 'inf', 'd'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['ZRANGE', 'z', '0', '-1'],
    ['ZRANGEBYSCORE', 'z', '-inf', 'inf', 'WITHSCORES'], ['ZREVRANGE', 'z', '0', '1', 'WITHSCORES'], ['ZSCORE', 'z', 'b'], ['ZSCORE', 'z', 'd'],
    ['ZSCORE', 'z', 'x'], ['ZSCORE', 'nokey', 'x'], ['ZMSCORE', 'z', 'a', 'x', 'd'], ['ZRANK', 'z', 'x'], ['ZRANK', 'nokey', 'x'],
    ['ZINCRBY', 'z', '1', 'a'], ['ZADD', 'z', 'INCR', '1', 'a'], ['ZADD', 'z', 'INCR', 'NX', '1', 'a'], ['ZADD', 'z', 'INCR', 'GT', '-1', 'a'],
    ['ZRANDMEMBER', 'z', '10', 'WITHSCORES'], ['ZRANDMEMBER', 'z', '4', 'WITHSCORES'], ['ZRANDMEMBER', 'nokey'], ['ZRANDMEMBER', 'nokey', '1'],
    ['ZRANDMEMBER', 'nokey', '1', 'WITHSCORES'], ['ZADD', 'one', '5', 'x'], ['ZRANDMEMBER', 'one', '-3', 'WITHSCORES'], ['ZRANDMEMBER', 'one', '-3'],
    ['ZRANDMEMBER', 'one', '1', 'WITHSCORES'], ['ZRANDMEMBER', 'one'], ['ZUNION', '1', 'z', 'WITHSCORES'], ['ZINTER', '1', 'z'],
    ['ZDIFF', '1', 'z', 'WITHSCORES'], ['ZPOPMIN', 'z'], ['ZPOPMIN', 'z', '1'], ['ZPOPMAX', 'z', '5'], ['ZPOPMIN', 'nokey'],
    ['ZPOPMIN', 'nokey', '2'], ['ZADD', 'z', '1', 'a', '2', 'b'], ['ZMPOP', '1', 'z', 'MIN'], ['ZMPOP', '1', 'nokey', 'MIN'], ['BZPOPMIN', 'z', '0'],
    ['BZMPOP', '0', '1', 'one', 'MAX'], ['ZSCAN', 'z', '0'], ['ZSCAN', 'nokey', '0'], ['MULTI'], ['BZPOPMIN', 'nokey', '0'], ['EXEC'],
  ]);

  t('encodings: a value rebuilt by DEBUG RELOAD / RESTORE is a listpack again when it fits; COPY keeps it; DUMP bytes', async (p) => {
    await runScript(p, [
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '4'], ['CONFIG', 'SET', 'zset-max-listpack-value', '8'],
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'], ['OBJECT', 'ENCODING', 'z'], ['ZREM', 'z', 'e'],
      ['OBJECT', 'ENCODING', 'z'], ['DEBUG', 'DIGEST-VALUE', 'z'], ['DUMP', 'z'],
      ['ZADD', 'lv', '1', '123456789', '2', 'x'], ['OBJECT', 'ENCODING', 'lv'], ['ZREM', 'lv', '123456789'],
      ['ZADD', 'p', '1.5', 'a', '-2', 'b', '3', '12', '1e20', 'd'], ['OBJECT', 'ENCODING', 'p'], ['DUMP', 'p'], ['DEBUG', 'DIGEST-VALUE', 'p'],
      ['COPY', 'p', 'pc'], ['OBJECT', 'ENCODING', 'pc'], ['ZRANGE', 'pc', '0', '-1', 'WITHSCORES'], ['COPY', 'z', 'zc'], ['OBJECT', 'ENCODING', 'zc'],
      ['DEBUG', 'RELOAD'],
      ['OBJECT', 'ENCODING', 'z'], ['ZRANGE', 'z', '0', '-1', 'WITHSCORES'], ['DEBUG', 'DIGEST-VALUE', 'z'], ['OBJECT', 'ENCODING', 'lv'],
      ['ZRANGE', 'lv', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'p'], ['ZRANGE', 'p', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'zc'],
      ['OBJECT', 'ENCODING', 'pc'],
      // a listpack payload past the entry limit loads as a skiplist; a long member alone keeps it a listpack (7.0 checks only the count)
      ['ZADD', 'q', '1', '12345678'], ['OBJECT', 'ENCODING', 'q'], ['CONFIG', 'SET', 'zset-max-listpack-value', '4'], ['DEBUG', 'RELOAD'],
      ['OBJECT', 'ENCODING', 'q'], ['OBJECT', 'ENCODING', 'pc'], ['CONFIG', 'SET', 'zset-max-listpack-entries', '3'], ['DEBUG', 'RELOAD'],
      ['OBJECT', 'ENCODING', 'pc'], ['ZRANGE', 'pc', '0', '-1', 'WITHSCORES'], ['ZADD', 'q', '2', 'y'], ['OBJECT', 'ENCODING', 'q'],
      ['ZADD', 'q', '3', 'z', '4', 'w'], ['OBJECT', 'ENCODING', 'q'],
      ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64'],
    ]);
    // RESTORE of Redis's own payloads: a skiplist that fits comes back a listpack
    const payload = await p.redis.call('DUMP', 'zc');
    await runScript(p, [['ZADD', 'big', '1', 'a', '2', 'x'.repeat(70)], ['ZREM', 'big', 'x'.repeat(70)], ['OBJECT', 'ENCODING', 'big']]);
    const bigPayload = await p.redis.call('DUMP', 'big');
    await runScript(p, [
      ['RESTORE', 'r1', '0', payload as string], ['OBJECT', 'ENCODING', 'r1'], ['ZRANGE', 'r1', '0', '-1', 'WITHSCORES'],
      ['RESTORE', 'r2', '0', bigPayload as string], ['OBJECT', 'ENCODING', 'r2'], ['ZRANGE', 'r2', '0', '-1', 'WITHSCORES'], ['DUMP', 'r2'],
    ]);
  });

  t('every command alike on a listpack and on a skiplist holding the same members', async (p) => {
    const members = ['1', 'a', '2', 'b', '2', 'c', '3', 'd', '3.5', 'e', '-1', 'f', '0', 'g', '10', 'h', '2', 'bb', '-0', 'n'];
    const long = 'x'.repeat(65);
    const script: Script = [
      ['ZADD', 'lp{k}', ...members], ['ZADD', 'sl{k}', ...members, '1', long], ['ZREM', 'sl{k}', long],
      ['OBJECT', 'ENCODING', 'lp{k}'], ['OBJECT', 'ENCODING', 'sl{k}'],
    ];
    for (const k of ['lp{k}', 'sl{k}']) {
      script.push(
        ['ZCARD', k], ['ZSCORE', k, 'b'], ['ZSCORE', k, 'n'], ['ZSCORE', k, 'nope'], ['ZMSCORE', k, 'a', 'nope', 'h'], ['ZRANK', k, 'c'],
        ['ZREVRANK', k, 'c'], ['ZRANK', k, 'nope'], ['ZCOUNT', k, '2', '3'], ['ZCOUNT', k, '(2', '+inf'], ['ZLEXCOUNT', k, '-', '+'],
        ['ZLEXCOUNT', k, '[b', '(d'], ['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['ZRANGE', k, '2', '5'], ['ZRANGE', k, '-3', '-1', 'WITHSCORES'],
        ['ZRANGE', k, '1', '3', 'REV', 'WITHSCORES'], ['ZREVRANGE', k, '0', '0'], ['ZRANGE', k, '(1', '3', 'BYSCORE', 'LIMIT', '1', '2', 'WITHSCORES'],
        ['ZRANGE', k, '3', '(1', 'BYSCORE', 'REV'], ['ZRANGEBYSCORE', k, '-inf', '+inf', 'LIMIT', '2', '3'],
        ['ZREVRANGEBYSCORE', k, '+inf', '2', 'WITHSCORES', 'LIMIT', '1', '-1'], ['ZRANGEBYSCORE', k, '2', '2'], ['ZRANGEBYLEX', k, '-', '+'],
        ['ZRANGEBYLEX', k, '[b', '(e'], ['ZREVRANGEBYLEX', k, '+', '-', 'LIMIT', '1', '2'], ['ZRANGE', k, '[bb', '+', 'BYLEX', 'REV'],
        { cmd: ['ZSCAN', k, '0', 'COUNT', '100'], unordered: true }, { cmd: ['ZRANDMEMBER', k, '100', 'WITHSCORES'], unordered: true },
        ['ZUNION', '2', k, k, 'WITHSCORES'], ['ZINTER', '2', k, 'lp{k}', 'WEIGHTS', '1', '2', 'WITHSCORES'], ['ZDIFF', '2', k, 'lp{k}'],
        ['ZINTERCARD', '2', k, 'sl{k}', 'LIMIT', '3'], ['DEBUG', 'DIGEST-VALUE', k], ['DUMP', k],
        ['COPY', k, 'w{k}'], ['ZADD', 'w{k}', 'XX', 'CH', 'GT', '5', 'a', '0', 'b'], ['ZADD', 'w{k}', 'INCR', '1', 'c'], ['ZINCRBY', 'w{k}', '-100', 'h'],
        ['ZADD', 'w{k}', 'LT', '-5', 'd', '-6', 'new'], ['ZRANGE', 'w{k}', '0', '-1', 'WITHSCORES'], ['ZREM', 'w{k}', 'a', 'nope'],
        ['ZPOPMIN', 'w{k}', '2'], ['ZPOPMAX', 'w{k}'], ['ZMPOP', '1', 'w{k}', 'MAX', 'COUNT', '2'], ['BZPOPMIN', 'w{k}', '0'],
        ['BZMPOP', '0', '1', 'w{k}', 'MIN', 'COUNT', '2'], ['ZREMRANGEBYSCORE', 'w{k}', '2', '3'], ['ZRANGE', 'w{k}', '0', '-1', 'WITHSCORES'],
        ['OBJECT', 'ENCODING', 'w{k}'], ['DEL', 'w{k}'],
        ['COPY', k, 'w{k}'], ['ZREMRANGEBYRANK', 'w{k}', '1', '3'], ['ZRANGE', 'w{k}', '0', '-1'], ['ZREMRANGEBYLEX', 'w{k}', '-', '[d'],
        ['ZRANGE', 'w{k}', '0', '-1'], ['ZREMRANGEBYRANK', 'w{k}', '0', '-1'], ['EXISTS', 'w{k}'],
        ['COPY', k, 'w{k}'], ['ZRANGESTORE', 'd{k}', 'w{k}', '0', '-1'], ['OBJECT', 'ENCODING', 'd{k}'], ['ZRANGE', 'd{k}', '0', '-1', 'WITHSCORES'],
        ['ZUNIONSTORE', 'd{k}', '1', 'w{k}'], ['OBJECT', 'ENCODING', 'd{k}'], ['ZRANGE', 'd{k}', '0', '-1', 'WITHSCORES'], ['DEL', 'w{k}', 'd{k}'],
        // SORT turns a listpack into a skiplist for good in 7.0
        ['COPY', k, 'w{k}'], ['SORT_RO', 'w{k}', 'BY', 'nosort'], ['OBJECT', 'ENCODING', 'w{k}'], ['DEL', 'w{k}'],
        ['SORT', k, 'BY', 'nosort', 'DESC', 'LIMIT', '0', '3'], ['OBJECT', 'ENCODING', k], ['SORT', k], ['SORT', k, 'ALPHA'],
      );
    }
    await runScript(p, script);
  });

  t('big sets (skiplist): ranks, ranges, counts, removals and stores over 300 members with tied scores', async (p) => {
    const args: string[] = [];
    for (let i = 0; i < 300; i++) args.push(String((i * 7) % 50 / 4), `m${(i * 37) % 1000}`);
    const script: Array<string[]> = [
      ['ZADD', 'big', ...args], ['OBJECT', 'ENCODING', 'big'], ['ZCARD', 'big'],
      ['ZRANGE', 'big', '0', '-1', 'WITHSCORES'], ['ZRANGE', 'big', '100', '120'], ['ZRANGE', 'big', '-20', '-1', 'REV', 'WITHSCORES'],
      ['ZRANGE', 'big', '(3', '7.5', 'BYSCORE', 'LIMIT', '10', '15', 'WITHSCORES'], ['ZRANGE', 'big', '7.5', '(3', 'BYSCORE', 'REV', 'LIMIT', '3', '40'],
      ['ZCOUNT', 'big', '2', '(8'], ['ZCOUNT', 'big', '(2', '8'], ['ZCOUNT', 'big', '-inf', '+inf'],
      ['ZRANK', 'big', 'm111'], ['ZREVRANK', 'big', 'm111'], ['ZRANK', 'big', 'm0'], ['ZREVRANK', 'big', 'm0'], ['ZSCORE', 'big', 'm518'],
      ['ZRANGESTORE', 'dst', 'big', '50', '249'], ['OBJECT', 'ENCODING', 'dst'], ['ZRANGE', 'dst', '0', '-1', 'WITHSCORES'],
      ['ZRANGESTORE', 'dst2', 'big', '0', '100'], ['OBJECT', 'ENCODING', 'dst2'],
      ['ZREMRANGEBYRANK', 'big', '10', '19'], ['ZREMRANGEBYSCORE', 'big', '(10', '11'], ['ZRANGE', 'big', '0', '-1', 'WITHSCORES'],
      ['ZPOPMIN', 'big', '5'], ['ZPOPMAX', 'big', '5'], ['ZMPOP', '1', 'big', 'MAX', 'COUNT', '3'], ['ZRANDMEMBER', 'big', '1000', 'WITHSCORES'],
      ['ZUNIONSTORE', 'u', '2', 'big', 'dst', 'WEIGHTS', '2', '0.5'], ['ZRANGE', 'u', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'u'],
      ['ZINTER', '2', 'big', 'dst', 'AGGREGATE', 'MAX', 'WITHSCORES'], ['ZDIFF', '2', 'big', 'dst', 'WITHSCORES'], ['ZINTERCARD', '2', 'big', 'dst', 'LIMIT', '7'],
      ['ZREMRANGEBYRANK', 'big', '0', '-1'], ['EXISTS', 'big'],
    ];
    // lex ranges need equal scores (on mixed scores Redis's skiplist answer depends on its random levels)
    const lex: string[] = [];
    for (let i = 0; i < 300; i++) lex.push('0', `m${(i * 37) % 1000}`);
    script.push(
      ['ZADD', 'lex', ...lex], ['ZRANGEBYLEX', 'lex', '[m2', '(m5', 'LIMIT', '5', '20'], ['ZREVRANGEBYLEX', 'lex', '+', '[m9', 'LIMIT', '0', '100'],
      ['ZRANGE', 'lex', '(m7', '-', 'BYLEX', 'REV', 'LIMIT', '2', '3'], ['ZLEXCOUNT', 'lex', '[m1', '(m3'], ['ZLEXCOUNT', 'lex', '-', '+'], ['ZLEXCOUNT', 'lex', '(m5', '(m5'],
      ['ZREMRANGEBYLEX', 'lex', '[m5', '[m6'], ['ZRANGESTORE', 'ld', 'lex', '[m1', '[m2', 'BYLEX'], ['ZRANGE', 'ld', '0', '-1'], ['ZRANGE', 'lex', '0', '-1'],
    );
    await runScript(p, script);
  });

  t('lex ranges of a listpack-sized set with mixed scores walk it as Redis does', [
    ['ZADD', 'm', '1', 'c', '2', 'a', '3', 'd', '4', 'b', '5', 'e'], ['ZRANGEBYLEX', 'm', '[b', '+'], ['ZRANGEBYLEX', 'm', '-', '[c'], ['ZREVRANGEBYLEX', 'm', '[d', '-'],
    ['ZREVRANGEBYLEX', 'm', '+', '(b'], ['ZLEXCOUNT', 'm', '[b', '[d'], ['ZLEXCOUNT', 'm', '(a', '+'], ['ZLEXCOUNT', 'm', '[f', '+'], ['ZLEXCOUNT', 'm', '-', '(a'],
    ['ZRANGE', 'm', '[b', '[d', 'BYLEX', 'LIMIT', '1', '1'], ['ZREMRANGEBYLEX', 'm', '[b', '[c'], ['ZRANGE', 'm', '0', '-1'], ['ZREMRANGEBYLEX', 'm', '(a', '+'], ['ZRANGE', 'm', '0', '-1'],
  ]);

  t('binary members and lex order (bytes above 0x7f, NUL)', [
    ['ZADD', 'b', '0', 'a', '0', 'a\x00', '0', '\xff', '0', '\x80x', '0', 'B', '0', '', '0', 'ab'],
    ['ZRANGE', 'b', '0', '-1'], ['ZRANGEBYLEX', 'b', '[\x80', '+'], ['ZRANGEBYLEX', 'b', '(a', '[\x80x'], ['ZRANGEBYLEX', 'b', '[', '(a\x00'],
    ['ZLEXCOUNT', 'b', '(', '+'], ['ZREMRANGEBYLEX', 'b', '[\xff', '+'], ['ZRANGE', 'b', '0', '-1'], ['ZSCORE', 'b', ''], ['ZRANK', 'b', 'a\x00'],
  ]);

  t('floating point sums as Redis: repeated ZINCRBY, weights and SUM order', [
    ['ZINCRBY', 'f', '0.1', 'x'], ['ZINCRBY', 'f', '0.2', 'x'], ['ZINCRBY', 'f', '0.3', 'x'], ['ZINCRBY', 'f', '1e16', 'x'], ['ZINCRBY', 'f', '-1e16', 'x'],
    ['ZADD', 'f', '1.7976931348623157e308', 'y'], ['ZINCRBY', 'f', '1.7976931348623157e308', 'y'], ['ZADD', 'f', 'INCR', '-inf', 'y'], ['ZINCRBY', 'f', '+inf', 'y'],
    ['ZADD', 'g1', '0.1', 'x'], ['ZADD', 'g2', '0.2', 'x', '1', 'y'], ['ZADD', 'g3', '0.3', 'x', '1', 'y', '2', 'z'],
    ['ZUNION', '3', 'g3', 'g2', 'g1', 'WITHSCORES'], ['ZINTER', '3', 'g3', 'g1', 'g2', 'WEIGHTS', '3', '1e-3', '7', 'WITHSCORES'], ['ZRANGE', 'f', '0', '-1', 'WITHSCORES'],
  ]);

  t('ZSCAN of a skiplist set returns every member once, with MATCH', async (p) => {
    const args: string[] = [];
    for (let i = 0; i < 500; i++) args.push(String(i / 3), `k${i}`);
    await both(p, 'ZADD', 'zs', ...args);
    for (const match of [null, 'k1*']) {
      const collected: Array<Map<string, string>> = [];
      for (const c of [p.redis, p.shardis]) {
        const seen = new Map<string, string>();
        let cursor = '0';
        do {
          const r = (await c.call('ZSCAN', 'zs', cursor, 'COUNT', '17', ...(match ? ['MATCH', match] : []))) as [string, string[]];
          cursor = r[0];
          for (let i = 0; i < r[1].length; i += 2) seen.set(r[1][i]!, r[1][i + 1]!);
        } while (cursor !== '0');
        collected.push(seen);
      }
      assert.deepEqual([...collected[1]!].sort(), [...collected[0]!].sort());
    }
  });

  t('ZRANDMEMBER samples: sizes, distinctness and scores as Redis (RESP2 and RESP3)', async (p) => {
    const args: string[] = [];
    for (let i = 0; i < 40; i++) args.push(String(i), `r${i}`);
    await both(p, 'ZADD', 'rz', ...args);
    for (const proto of ['2', '3']) {
      if (proto === '3') await both(p, 'HELLO', '3');
      for (const count of ['5', '20', '39', '-5', '-100', '1']) {
        for (const ws of [false, true]) {
          const [a, b] = await both(p, 'ZRANDMEMBER', 'rz', count, ...(ws ? ['WITHSCORES'] : []));
          const ra = a as Reply[];
          const rb = b as Reply[];
          assert.equal(rb.length, ra.length, `ZRANDMEMBER ${count} ${ws} RESP${proto}`);
          const members: string[] = [];
          for (let i = 0; i < rb.length; i++) {
            const item = rb[i]!;
            if (ws && proto === '3') {
              const [m, s] = item as [string, { double: string }];
              assert.equal(s.double, m.slice(1));
              members.push(m);
            } else if (ws) {
              if (i % 2 === 0) members.push(item as string);
              else assert.equal(item, members[members.length - 1]!.slice(1));
            } else members.push(item as string);
          }
          if (!count.startsWith('-')) assert.equal(new Set(members).size, members.length);
          for (const m of members) assert.match(m, /^r\d+$/);
        }
      }
    }
  });


  t('COMMAND GETKEYS for movable keys', [
    ['COMMAND', 'GETKEYS', 'ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2'], ['COMMAND', 'GETKEYS', 'ZINTER', '2', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'ZDIFF', '1', 'a', 'WITHSCORES'], ['COMMAND', 'GETKEYS', 'ZMPOP', '2', 'a', 'b', 'MIN'], ['COMMAND', 'GETKEYS', 'BZMPOP', '0', '2', 'a', 'b', 'MIN'],
    ['COMMAND', 'GETKEYS', 'ZINTERCARD', '2', 'a', 'b', 'LIMIT', '1'], ['COMMAND', 'GETKEYS', 'BZPOPMIN', 'a', 'b', '0'], ['COMMAND', 'GETKEYS', 'ZRANGESTORE', 'd', 's', '0', '1'],
  ]);
});
