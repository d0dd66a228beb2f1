/**
 * Sorted-set commands as Redis 7.4.1 has them, against recorded replies
 * (compat/recorded.ts): ZRANK / ZREVRANK … WITHSCORE (7.2), and 7.2's
 * double replies (d2string's shortest digits where 7.0 printed %.17g) in
 * every command that replies scores, the listpack's score strings (DUMP,
 * ZSCAN), a skiplist's ZSCAN (still %.17Lg) and DEBUG DIGEST-VALUE
 * (fpconv_dtoa).
 */
import { recordedSuite } from './recorded.ts';
import type { Script } from './harness.ts';

const rankWithScore: Script = [
  ['ZADD', 'z', '1', 'a', '2.5', 'b', '-0', 'c', '1e300', 'd', '-inf', 'e', '10', 'f'],
  ['ZRANK', 'z', 'a'], ['ZRANK', 'z', 'a', 'WITHSCORE'], ['ZREVRANK', 'z', 'a', 'withscore'], ['ZRANK', 'z', 'b', 'WithScore'],
  ['ZRANK', 'z', 'c', 'WITHSCORE'], ['ZRANK', 'z', 'd', 'WITHSCORE'], ['ZREVRANK', 'z', 'e', 'WITHSCORE'], ['ZRANK', 'z', 'f', 'WITHSCORE'],
  ['ZRANK', 'z', 'nope', 'WITHSCORE'], ['ZREVRANK', 'z', 'nope', 'WITHSCORE'], ['ZRANK', 'z', 'nope'], ['ZRANK', 'nokey', 'a', 'WITHSCORE'],
  ['ZREVRANK', 'nokey', 'a', 'WITHSCORE'], ['ZRANK', 'nokey', 'a'],
  ['ZRANK', 'z', 'a', 'WITHSCORES'], ['ZRANK', 'z', 'a', 'x'], ['ZRANK', 'nokey', 'a', 'x'], ['ZRANK', 'z', 'a', 'WITHSCORE', 'x'],
  ['ZREVRANK', 'z', 'a', 'WITHSCORE', 'WITHSCORE'], ['ZRANK', 'z'], ['ZREVRANK', 'z'],
  ['SET', 'str', 'x'], ['ZRANK', 'str', 'a', 'WITHSCORE'], ['ZREVRANK', 'str', 'a'], ['ZRANK', 'str', 'a', 'bogus'],
  ['ZADD', 'z', '0.1', 'g', '3.0000000000000004', 'h', '1234567890123456789', 'i'],
  ['ZRANK', 'z', 'g', 'WITHSCORE'], ['ZRANK', 'z', 'h', 'WITHSCORE'], ['ZREVRANK', 'z', 'i', 'WITHSCORE'],
  // 7.2+ prints doubles with grisu2 (fpconv.ts): not always JavaScript's digits
  ['ZADD', 'z', '123456789012345678901234', 'j', '0.0000123', 'k', '1e19', 'l', '5e-324', 'm'], ['ZRANK', 'z', 'j', 'WITHSCORE'],
  ['ZRANK', 'z', 'k', 'WITHSCORE'], ['ZRANK', 'z', 'l', 'WITHSCORE'], ['ZRANK', 'z', 'm', 'WITHSCORE'],
];

/** The same past the listpack limit (a skiplist). */
const bigRank: Script = [
  ['CONFIG', 'SET', 'zset-max-listpack-entries', '4'],
  ['ZADD', 'big', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '-0', 'z', '0.5', 'h'], ['OBJECT', 'ENCODING', 'big'],
  ['ZRANK', 'big', 'e', 'WITHSCORE'], ['ZREVRANK', 'big', 'e', 'WITHSCORE'], ['ZRANK', 'big', 'z', 'WITHSCORE'], ['ZRANK', 'big', 'h', 'WITHSCORE'],
  ['ZRANK', 'big', 'q', 'WITHSCORE'], ['ZRANK', 'big', 'a', 'nope'],
  ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
];

const SCORES = ['0.1', 'a', '1e10', 'b', '2.5', 'c', '-0', 'd', 'inf', 'e', '1e20', 'f', '3', 'g', '0.3333333333333333', 'h', '1.5e-7', 'i', '-1e-300', 'j'];

/** Every reply that carries a score, from a listpack and from a skiplist. */
const doubles = (key: string, extra: Script): Script => [
  ...extra, ['ZADD', key, ...SCORES], ['OBJECT', 'ENCODING', key],
  ['ZSCORE', key, 'a'], ['ZMSCORE', key, 'a', 'h', 'nope', 'i'], ['ZINCRBY', key, '0.2', 'a'], ['ZADD', key, 'INCR', '0.1', 'c'],
  ['ZRANGE', key, '0', '-1', 'WITHSCORES'], ['ZRANGEBYSCORE', key, '-inf', '+inf', 'WITHSCORES'], ['ZREVRANGE', key, '0', '2', 'WITHSCORES'],
  ['ZREVRANGEBYSCORE', key, '1', '0', 'WITHSCORES', 'LIMIT', '0', '3'], ['ZRANK', key, 'h', 'WITHSCORE'],
  ['ZUNION', '2', key, key, 'WITHSCORES'], ['ZINTER', '1', key, 'WEIGHTS', '0.3', 'WITHSCORES'], ['ZDIFF', '1', key, 'WITHSCORES'],
  { cmd: ['ZSCAN', key, '0', 'COUNT', '100'], unordered: true }, ['DEBUG', 'DIGEST-VALUE', key], ['ZRANGE', key, '0', '0', 'WITHSCORES'],
  ['ZPOPMIN', key], ['ZPOPMAX', key, '2'], ['ZMPOP', '1', key, 'MIN', 'COUNT', '2'], ['BZPOPMIN', key, '0'], ['BZMPOP', '0', '1', key, 'MAX'],
  ['ZADD', `${key}1`, '0.1', 'x'], ['ZRANDMEMBER', `${key}1`, '1', 'WITHSCORES'], ['ZRANDMEMBER', `${key}1`, '-2', 'WITHSCORES'],
  ['EVAL', "return redis.call('ZSCORE', KEYS[1], 'h')", '1', key],
];

/** A DUMP payload without its RDB version and CRC. */
const dumpBody = (key: string): string[] => ['EVAL', "return string.sub(redis.call('DUMP', KEYS[1]), 1, -11)", '1', key];

/** 7.2's zsetTypeCreate / zsetTypeMaybeConvert: a ZADD of more pairs than the listpack holds makes a skiplist before adding. */
const multiPair = ((): Script => {
  const pairsOf = (from: number, n: number, score: (i: number) => number, prefix = 'm'): string[] =>
    Array.from({ length: n }, (_, i) => [String(score(from + i)), `${prefix}${from + i}`]).flat();
  const check = (k: string): Script => [['OBJECT', 'ENCODING', k], ['ZCARD', k], ['ZRANGE', k, '0', '-1', 'WITHSCORES'], ['DEBUG', 'DIGEST-VALUE', k]];
  return [
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64'],
    // 120 members, then a command whose 9th new member is the 129th
    ['ZADD', 'a', ...pairsOf(0, 120, (i) => i % 7)], ...check('a'),
    ['ZADD', 'a', 'CH', '1', 'm3', ...pairsOf(120, 20, (i) => i - 130), '-0', 'm5'], ...check('a'),
    // exactly 128 in one command stays packed; 129 pairs (one a duplicate) make a skiplist before adding (7.2+)
    ['ZADD', 'b', ...pairsOf(0, 128, (i) => (i * 37) % 11)], ...check('b'),
    ['ZADD', 'c', ...pairsOf(0, 128, (i) => i), '5', 'm0'], ...check('c'),
    ['ZADD', 'c', 'XX', ...pairsOf(100, 40, (i) => -i)], ...check('c'),
    // an over-long member mid-command
    ['ZADD', 'd', '1', 'a', '2', 'b', '3', 'x'.repeat(65), '4', 'c', '0', 'a'], ...check('d'),
    ['ZADD', 'd2', '1', 'a', '2', 'y'.repeat(64), '3', 'b'], ...check('d2'),
    // duplicates and flags within one command
    ['ZADD', 'e', '3', 'a', '1', 'a', '2', 'b', '-0', 'b', '0', 'c', '-0', 'c'], ...check('e'),
    ['ZADD', 'e', 'NX', 'CH', '9', 'a', '7', 'n', '8', 'n'], ...check('e'),
    ['ZADD', 'e', 'GT', 'CH', '1', 'a', '10', 'a', '5', 'a', '4', 'new', '0', 'c'], ...check('e'),
    ['ZADD', 'e', 'LT', 'CH', '1', 'a', '10', 'a', '-1', 'b', '2', 'new2'], ...check('e'),
    ['ZADD', 'e', 'XX', 'GT', 'CH', '20', 'a', '0', 'b', '1', 'zz'], ...check('e'),
    ['ZADD', 'e', 'XX', 'LT', '-5', 'a', '-6', 'a', '0', 'b'], ...check('e'),
    ['ZADD', 'e', '1', 'q', 'nan', 'r'], ...check('e'),
    ['ZADD', 'f', 'XX', '1', 'a', '2', 'b'], ['EXISTS', 'f'],
    // a small limit crossed, with duplicates around the crossing
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '4'],
    ['ZADD', 'g', '1', 'a', '2', 'b', '1', 'a', '3', 'c', '4', 'd', '2', 'a', '5', 'e', '6', 'a'], ...check('g'),
    ['ZADD', 'h', '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ...check('h'), ['ZADD', 'h', 'NX', '1', 'a', '9', 'e'], ...check('h'),
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
    // GEOADD with many members: same path
    ['GEOADD', 'geo', ...Array.from({ length: 130 }, (_, i) => [String(-170 + i * 2.5), String(-80 + i), `p${i}`]).flat()], ...check('geo'),
    ['GEOADD', 'geo2', '13.361389', '38.115556', 'a', '15.087269', '37.502669', 'b', '13.361389', '38.115556', 'a', '2', '3', 'b'], ...check('geo2'),
    ['GEOADD', 'geo2', 'CH', 'NX', '1', '1', 'a', '3', '3', 'c', '4', '4', 'c'], ...check('geo2'),
    ['GEOADD', 'geo2', 'XX', 'CH', '5', '5', 'a', '6', '6', 'zz'], ...check('geo2'),
    ['GEOADD', 'geo3', '1', '1', 'a', '2', '2', 'p'.repeat(65), '3', '3', 'b'], ...check('geo3'),
    ['GEOADD', 'geo3', '1', '1', 'c', '200', '2', 'd'], ...check('geo3'),
    // ZREM with many members, duplicates and missing ones
    ['ZREM', 'b', 'm1', 'm2', 'm1', 'nope', 'm127', 'm0', 'm2'], ...check('b'),
    ['ZREM', 'd2', 'a', 'y'.repeat(64), 'b', 'a'], ['EXISTS', 'd2'],
    ['ZREM', 'a', 'm0', 'm1', 'm0', 'nope'], ...check('a'),
    // ZRANGESTORE into a fresh value, both sides of the limit
    ['ZRANGESTORE', 'rs', 'b', '0', '-1'], ...check('rs'), ['ZRANGESTORE', 'rs2', 'a', '0', '-1'], ...check('rs2'),
    ['ZRANGESTORE', 'rs3', 'd', '0', '-1', 'REV'], ...check('rs3'),
    ['ZRANGESTORE', 'rs4', 'a', '-inf', '+inf', 'BYSCORE', 'LIMIT', '0', '128'], ...check('rs4'),
  ];
})();

const resp3 = (s: Script): Script => [{ cmd: ['HELLO', '3'], ignore: true }, ...s];

recordedSuite('v74-zset', {
  'ZRANK / ZREVRANK WITHSCORE (listpack), RESP2': rankWithScore,
  'ZRANK / ZREVRANK WITHSCORE (listpack), RESP3': resp3(rankWithScore),
  'ZRANK / ZREVRANK WITHSCORE (skiplist), RESP2': bigRank,
  'ZRANK / ZREVRANK WITHSCORE (skiplist), RESP3': resp3(bigRank),
  'double replies (listpack), RESP2': doubles('z', []),
  'double replies (listpack), RESP3': resp3(doubles('z', [])),
  'double replies (skiplist), RESP2': doubles('big', [['CONFIG', 'SET', 'zset-max-listpack-entries', '4']]),
  'double replies (skiplist), RESP3': [...resp3(doubles('big', [['CONFIG', 'SET', 'zset-max-listpack-entries', '4']])), ['CONFIG', 'SET', 'zset-max-listpack-entries', '128']],
  // (DUMP's body: shardis writes RDB version 10 where 7.4.1 writes 12, rdb-version.ts)
  'a listpack holds scores as d2string writes them (DUMP), and reads 7.0 payloads': [
    ['ZADD', 'z', ...SCORES], dumpBody('z'), ['ZADD', 'i', '1', 'a', '-2', 'b', '4611686018427387904', 'c', '4611686018427387905', 'd'], dumpBody('i'),
    // Redis 7.0.15's DUMP of ZADD z 0.1 a 2.5 b (a listpack with "0.10000000000000001")
    ['RESTORE', 'old', '0', '\x11\xc3\x1e\x27\x0d\x27\x00\x00\x00\x04\x00\x81a\x02\x930.10\xe0\x05\x00\x0a1\x14\x81b\x02\x832.5\x04\xff\x0a\x00n\xfe\x81\x0e\x9e\x95j+'],
    // (Redis keeps the loaded listpack's "0.10000000000000001" in its DUMP and ZSCAN; shardis re-encodes it as 0.1: README)
    ['ZRANGE', 'old', '0', '-1', 'WITHSCORES'], ['DEBUG', 'DIGEST-VALUE', 'old'],
  ],
  // (moved from zset.compat.test.ts: where 7.0.15 kept a listpack until the limit was crossed)
  '-0 in listpack and skiplist, ZUNION/ZINTER/ZDIFF weights, aggregates, NaN and inf, sets as inputs': [
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '2'], ['ZADD', 's', '-0', 'a', '1', 'b', '2', 'c'], ['ZSCORE', 's', 'a'],
    ['OBJECT', 'ENCODING', 's'], ['ZADD', 's2', '-0', 'a'], ['ZSCORE', 's2', 'a'], ['ZADD', 's2', '1', 'b', '2', 'c'], ['ZSCORE', 's2', 'a'],
    ['OBJECT', 'ENCODING', 's2'], ['ZADD', 's3', '-0', 'a', '-0', 'b', '-0', 'c'], ['ZRANGE', 's3', '0', '-1', 'WITHSCORES'],
    ['ZRANGESTORE', 'd3', 's3', '0', '-1'], ['ZRANGE', 'd3', '0', '-1', 'WITHSCORES'], ['OBJECT', 'ENCODING', 'd3'],
    ['ZRANGESTORE', 'd4', 's3', '0', '1'], ['ZRANGE', 'd4', '0', '-1', 'WITHSCORES'], ['ZRANGESTORE', 'd5', 's3', '-inf', 'inf', 'BYSCORE'],
    ['ZRANGE', 'd5', '0', '-1', 'WITHSCORES'], ['ZUNIONSTORE', 'u3', '1', 's3'], ['ZRANGE', 'u3', '0', '-1', 'WITHSCORES'],
    ['OBJECT', 'ENCODING', 'u3'], ['ZUNIONSTORE', 'u4', '1', 's3', 'WEIGHTS', '1'], ['ZRANGESTORE', 'd6', 's3', '1', '2'],
    ['ZRANGE', 'd6', '0', '-1', 'WITHSCORES'], ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'],
    ['ZADD', 'i1', 'inf', 'a', '-inf', 'b', '1', 'c'], ['ZADD', 'i2', '-inf', 'a', 'inf', 'b', '0', 'c'], ['ZUNION', '2', 'i1', 'i2', 'WITHSCORES'],
    ['ZINTER', '2', 'i1', 'i2', 'WITHSCORES'], ['ZUNION', '2', 'i1', 'i2', 'WEIGHTS', '0', '1', 'WITHSCORES'],
    ['ZINTER', '2', 'i1', 'i2', 'WEIGHTS', '0', '1', 'AGGREGATE', 'MIN', 'WITHSCORES'],
    ['ZINTER', '2', 'i1', 'i2', 'WEIGHTS', '1', '0', 'AGGREGATE', 'MAX', 'WITHSCORES'],
    ['ZINTER', '2', 'i1', 'i2', 'WEIGHTS', '0', '0', 'AGGREGATE', 'MAX', 'WITHSCORES'],
    ['ZUNION', '2', 'i1', 'i2', 'AGGREGATE', 'MIN', 'WITHSCORES'], ['ZUNION', '2', 'i1', 'i2', 'AGGREGATE', 'max', 'WITHSCORES'],
    ['ZUNION', '2', 'i1', 'i2', 'AGGREGATE', 'avg'], ['ZUNION', '2', 'i1', 'i2', 'AGGREGATE'], ['ZUNION', '2', 'i1', 'i2', 'WEIGHTS', '1'],
    ['ZUNION', '2', 'i1', 'i2', 'WEIGHTS', '1', 'x'], ['ZUNION', '2', 'i1', 'i2', 'WEIGHTS', '1', '1e500'],
    ['ZUNION', '2', 'i1', 'i2', 'WEIGHTS', '1', '0x2', 'WITHSCORES'], ['SADD', 'st', 'a', 'c', 'z'], ['SADD', 'is', '1', '2', '3'],
    ['ZADD', 'zn', '5', '1', '6', 'a'], ['ZUNION', '3', 'st', 'is', 'zn', 'WITHSCORES'], ['ZINTER', '2', 'st', 'zn', 'WITHSCORES'],
    ['ZDIFF', '2', 'st', 'zn', 'WITHSCORES'], ['ZDIFF', '2', 'is', 'zn'], ['ZINTERCARD', '2', 'st', 'zn'], ['ZDIFFSTORE', 'dd', '2', 'st', 'zn'],
    ['ZRANGE', 'dd', '0', '-1', 'WITHSCORES'], ['ZDIFFSTORE', 'dd', '2', 'st', 'st'], ['EXISTS', 'dd'], ['ZDIFF', '2', 'zn', 'zn'],
    ['ZUNIONSTORE', 'dd', '2', 'st', 'zn', 'WITHSCORES'], ['ZDIFF', '2', 'zn', 'st', 'WEIGHTS', '1', '1'],
    ['ZDIFF', '2', 'zn', 'st', 'AGGREGATE', 'SUM'], ['ZDIFFSTORE', 'x', '0'], ['ZUNION', '-1', 'a'], ['ZINTER', '1'], ['ZUNIONSTORE', 'x', '1'],
    ['ZADD', 'e1', '1', 'a', '2', 'b'], ['ZADD', 'e2', '1', 'a', '2', 'b'], ['ZADD', 'e3', '0.1', 'a', '0.2', 'b'],
    ['ZUNION', '3', 'e1', 'e2', 'e3', 'WITHSCORES'], ['ZINTER', '3', 'e3', 'e1', 'e2', 'WITHSCORES'], ['ZADD', 'e4', '0.7', 'a'],
    ['ZUNION', '3', 'e3', 'e4', 'e1', 'WITHSCORES'], ['ZUNION', '3', 'e1', 'e3', 'e4', 'WITHSCORES'],
    ['ZINTER', '3', 'e1', 'e3', 'e4', 'WITHSCORES'],
  ],
  'encodings and conversions, TTL of stored results, ZADD options': [
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '3'], ['CONFIG', 'SET', 'zset-max-listpack-value', '5'],
    ['ZADD', 'a', '1', 'x', '2', 'y', '3', 'z'], ['OBJECT', 'ENCODING', 'a'], ['ZADD', 'a', '4', 'w'], ['OBJECT', 'ENCODING', 'a'],
    ['ZREM', 'a', 'w', 'x'], ['OBJECT', 'ENCODING', 'a'], ['ZADD', 'b', '1', 'abcdef'], ['OBJECT', 'ENCODING', 'b'], ['ZADD', 'c', '1', 'abcde'],
    ['OBJECT', 'ENCODING', 'c'], ['ZADD', 'c', 'XX', '1', 'abcdefgh'], ['OBJECT', 'ENCODING', 'c'],
    ['ZADD', 'c', '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ['OBJECT', 'ENCODING', 'c'], ['ZADD', 'd', '1', 'a', '1', 'a', '1', 'a', '1', 'a'],
    ['OBJECT', 'ENCODING', 'd'], ['ZADD', 'e', '1', 'a', '2', 'b'], ['ZUNIONSTORE', 'u', '1', 'e'], ['OBJECT', 'ENCODING', 'u'],
    ['ZUNIONSTORE', 'u', '2', 'e', 'a'], ['OBJECT', 'ENCODING', 'u'], ['ZUNIONSTORE', 'u', '1', 'b'], ['OBJECT', 'ENCODING', 'u'],
    ['ZRANGESTORE', 'rs', 'a', '0', '-1'], ['OBJECT', 'ENCODING', 'rs'], ['ZADD', 'f', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e'],
    ['ZRANGESTORE', 'rs', 'f', '0', '2'], ['OBJECT', 'ENCODING', 'rs'], ['ZRANGESTORE', 'rs', 'f', '0', '3'], ['OBJECT', 'ENCODING', 'rs'],
    ['ZRANGESTORE', 'rs', 'f', '-inf', 'inf', 'BYSCORE', 'LIMIT', '0', '3'], ['OBJECT', 'ENCODING', 'rs'],
    ['ZRANGESTORE', 'rs', 'f', '-inf', 'inf', 'BYSCORE'], ['OBJECT', 'ENCODING', 'rs'], ['ZINTERSTORE', 'is', '2', 'f', 'f'],
    ['OBJECT', 'ENCODING', 'is'], ['ZDIFFSTORE', 'ds', '1', 'f'], ['OBJECT', 'ENCODING', 'ds'], ['ZINCRBY', 'g', '1', 'abcdefg'],
    ['OBJECT', 'ENCODING', 'g'], ['COPY', 'f', 'f2'], ['OBJECT', 'ENCODING', 'f2'], ['ZRANGE', 'f2', '0', '-1', 'WITHSCORES'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '0'], ['ZADD', 'h', '1', 'a'], ['OBJECT', 'ENCODING', 'h'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64'], ['ZADD', 'ts', '1', 'a'],
    ['EXPIRE', 'ts', '100'], ['ZADD', 'ts', '2', 'b'], ['TTL', 'ts'], ['ZUNIONSTORE', 'ts', '1', 'ts'], ['TTL', 'ts'], ['EXPIRE', 'ts', '100'],
    ['ZRANGESTORE', 'ts', 'ts', '0', '-1'], ['TTL', 'ts'], ['ZINCRBY', 'ts', '1', 'a'], ['TTL', 'ts'], ['ZADD', 'zz', '1', 'a'],
    ['ZADD', 'zz', 'NX', 'XX', '1', 'a'], ['ZADD', 'zz', 'GT', 'LT', '1', 'a'], ['ZADD', 'zz', 'NX', 'GT', '1', 'a'],
    ['ZADD', 'zz', 'NX', 'LT', '1', 'a'], ['ZADD', 'zz', 'NX', 'XX', 'GT', '1', 'a'], ['ZADD', 'zz', 'INCR', '1', 'a', '2', 'b'],
    ['ZADD', 'zz', 'INCR', 'NX', 'XX', '1', 'a', '2'], ['ZADD', 'zz', 'x', '1', 'a'], ['ZADD', 'zz', '1', 'a', 'x'],
    ['ZADD', 'zz', '1', 'a', 'x', 'b'], ['ZADD', 'zz', 'CH'], ['ZADD', 'zz', 'XX', 'GT', 'CH', '5', 'a', '6', 'new'],
    ['ZADD', 'zz', 'LT', 'CH', '0', 'a', '7', 'new'], ['ZADD', 'zz', 'GT', 'INCR', '-1', 'a'], ['ZADD', 'zz', 'LT', 'INCR', '-1', 'a'],
    ['ZADD', 'zz', 'XX', 'INCR', '1', 'nope'], ['ZADD', 'nokey', 'XX', '1', 'a'], ['EXISTS', 'nokey'], ['ZADD', 'nokey', 'XX', 'INCR', '1', 'a'],
    ['ZADD', 'zz', 'INCR', '+inf', 'a'], ['ZADD', 'zz', 'INCR', '-inf', 'a'], ['ZINCRBY', 'zz', '-inf', 'a'], ['ZSCORE', 'zz', 'a'],
    ['ZADD', 'zz', 'CH', 'inf', 'a', '1', 'b'], ['ZRANGE', 'zz', '0', '-1', 'WITHSCORES'], ['ZADD', 'zz', '1', 'a', '1', 'a', '2', 'a'],
    ['ZSCORE', 'zz', 'a'], ['ZADD', 'zz', 'NX', '1', 'a', '1', 'a', '2', 'a'], ['ZADD', 'zz', 'nx', 'xx', 'gt', 'lt', 'incr', 'ch', '1', 'a'],
    ['CONFIG', 'SET', 'zset-max-ziplist-entries', '1'], ['ZADD', 'alias', '1', 'a'], ['OBJECT', 'ENCODING', 'alias'], ['ZADD', 'alias', '2', 'b'], ['OBJECT', 'ENCODING', 'alias'],
    ['CONFIG', 'SET', 'zset-max-listpack-entries', '128'], ['CONFIG', 'SET', 'zset-max-listpack-value', '64'],
  ],
  'multi-pair ZADD / GEOADD / ZREM: flags, duplicates, the listpack limits crossed mid-command': multiPair,
  'ZRANK WITHSCORE in MULTI and from Lua': [
    ['ZADD', 'z', '1', 'a', '2', 'b'], ['MULTI'], ['ZRANK', 'z', 'b', 'WITHSCORE'], ['ZRANK', 'z', 'a', 'WITHSCORE', 'x'], ['ZREVRANK', 'z', 'q', 'WITHSCORE'], ['EXEC'],
    ['EVAL', "return redis.call('ZRANK', KEYS[1], 'b', 'WITHSCORE')", '1', 'z'],
    ['EVAL', "return redis.pcall('ZRANK', KEYS[1], 'b', 'WITHSCORE', 'x')", '1', 'z'],
    ['EVAL', "return redis.call('ZRANK', KEYS[1], 'q', 'WITHSCORE')", '1', 'z'],
  ],
});
