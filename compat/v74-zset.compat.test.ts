/**
 * Sorted-set commands as Redis 7.4.1 has them, against recorded replies
 * (compat/recorded.ts): ZRANK / ZREVRANK … WITHSCORE (7.2).
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

const resp3 = (s: Script): Script => [{ cmd: ['HELLO', '3'], ignore: true }, ...s];

recordedSuite('v74-zset', {
  'ZRANK / ZREVRANK WITHSCORE (listpack), RESP2': rankWithScore,
  'ZRANK / ZREVRANK WITHSCORE (listpack), RESP3': resp3(rankWithScore),
  'ZRANK / ZREVRANK WITHSCORE (skiplist), RESP2': bigRank,
  'ZRANK / ZREVRANK WITHSCORE (skiplist), RESP3': resp3(bigRank),
  'ZRANK WITHSCORE in MULTI and from Lua': [
    ['ZADD', 'z', '1', 'a', '2', 'b'], ['MULTI'], ['ZRANK', 'z', 'b', 'WITHSCORE'], ['ZRANK', 'z', 'a', 'WITHSCORE', 'x'], ['ZREVRANK', 'z', 'q', 'WITHSCORE'], ['EXEC'],
    ['EVAL', "return redis.call('ZRANK', KEYS[1], 'b', 'WITHSCORE')", '1', 'z'],
    ['EVAL', "return redis.pcall('ZRANK', KEYS[1], 'b', 'WITHSCORE', 'x')", '1', 'z'],
    ['EVAL', "return redis.call('ZRANK', KEYS[1], 'q', 'WITHSCORE')", '1', 'z'],
  ],
});
