/**
 * Hash family against a real redis-server 7: replies byte for byte (small
 * hashes keep insertion order in both, like Redis's listpack), unordered
 * only where Redis's hashtable order is unspecified.
 */
import assert from 'node:assert/strict';
import { describeCompat, runScript, type Pair, type Script } from './harness.ts';
import type { Reply } from '../test/helpers/resp-client.ts';

const u = (...cmd: string[]) => ({ cmd, unordered: true });
const hello3 = { cmd: ['HELLO', '3'], ignore: true };

/** Both servers back to the default listpack limits. */
const resetLimits: Script = [
  ['CONFIG', 'SET', 'hash-max-listpack-entries', '128'],
  ['CONFIG', 'SET', 'hash-max-listpack-value', '64'],
];

describeCompat('hash compat', (t) => {
  t('HSET / HMSET / HSETNX / HGET / HMGET and insertion order', [
    ['HSET', 'h', 'a', '1'], ['HSET', 'h', 'b', '2', 'c', '3', 'a', '10'], ['HSET', 'h', 'd', '4', 'd', '5'],
    ['HGETALL', 'h'], ['HKEYS', 'h'], ['HVALS', 'h'], ['HLEN', 'h'],
    ['HSET', 'h', 'x'], ['HSET', 'h', 'x', 'y', 'z'], ['HSET', 'h'], ['HSET'], ['HMSET', 'h', 'x'], ['HMSET', 'h', 'e', '5', 'f'],
    ['HMSET', 'h', 'e', '5', 'f', '6'], ['HMSET', 'h', 'e', 'five'], ['HGETALL', 'h'],
    ['HSETNX', 'h', 'a', 'nope'], ['HSETNX', 'h', 'g', '7'], ['HSETNX', 'new', 'f', 'v'], ['HGETALL', 'new'], ['HSETNX', 'h', 'g'],
    ['HGET', 'h', 'a'], ['HGET', 'h', 'missing'], ['HGET', 'nokey', 'a'], ['HGET', 'h'], ['HGET', 'h', 'a', 'b'],
    ['HMGET', 'h', 'a', 'missing', 'g', 'a'], ['HMGET', 'nokey', 'a', 'b'], ['HMGET', 'h'],
    ['HSET', 'h', '', ''], ['HGET', 'h', ''], ['HSTRLEN', 'h', ''], ['HEXISTS', 'h', ''],
    ['HDEL', 'h', 'b'], ['HSET', 'h', 'b', 'again'], ['HGETALL', 'h'], ['TYPE', 'h'], ['OBJECT', 'ENCODING', 'h'],
  ]);

  t('binary-safe fields and values', [
    ['HSET', 'bin', 'f\r\nx', 'v\r\n', '\x00', '\x00\x01', '\xff\xfe', '\xe9t\xe9'],
    ['HGETALL', 'bin'], ['HGET', 'bin', '\x00'], ['HSTRLEN', 'bin', '\xff\xfe'], ['HEXISTS', 'bin', 'f\r\nx'], ['HDEL', 'bin', '\x00', 'f\r\nx'],
    ['HGETALL', 'bin'], ['HSCAN', 'bin', '0'],
  ]);

  t('HDEL / HLEN / HSTRLEN / HEXISTS and emptied keys', [
    ['HSET', 'h', 'a', '1', 'b', 'hello', 'c', '-12345'], ['HLEN', 'h'], ['HLEN', 'nokey'],
    ['HSTRLEN', 'h', 'b'], ['HSTRLEN', 'h', 'c'], ['HSTRLEN', 'h', 'zz'], ['HSTRLEN', 'nokey', 'a'],
    ['HEXISTS', 'h', 'a'], ['HEXISTS', 'h', 'zz'], ['HEXISTS', 'nokey', 'a'],
    ['HDEL', 'h', 'zz'], ['HDEL', 'nokey', 'a'], ['HDEL', 'h', 'a', 'a', 'zz', 'b'], ['HLEN', 'h'],
    ['HDEL', 'h', 'c', 'c'], ['EXISTS', 'h'], ['HGETALL', 'h'], ['HKEYS', 'h'], ['HVALS', 'h'], ['HDEL', 'h'],
    ['HSET', 'h', 'a', '1'], ['EXPIRE', 'h', '100'], ['HSET', 'h', 'b', '2'], ['TTL', 'h'], ['HDEL', 'h', 'a', 'b'], ['TTL', 'h'],
  ]);

  t('wrong type and arity for every command', [
    ['SET', 'str', 'v'], ['LPUSH', 'list', 'x'],
    ['HSET', 'str', 'a', 'b'], ['HMSET', 'str', 'a', 'b'], ['HSETNX', 'str', 'a', 'b'], ['HGET', 'str', 'a'], ['HMGET', 'str', 'a'],
    ['HDEL', 'str', 'a'], ['HLEN', 'str'], ['HSTRLEN', 'str', 'a'], ['HEXISTS', 'str', 'a'], ['HKEYS', 'str'], ['HVALS', 'str'],
    ['HGETALL', 'list'], ['HINCRBY', 'str', 'a', '1'], ['HINCRBYFLOAT', 'str', 'a', '1'], ['HRANDFIELD', 'str'], ['HRANDFIELD', 'str', '2'],
    ['HRANDFIELD', 'str', '2', 'WITHVALUES'], ['HSCAN', 'str', '0'], ['HSCAN', 'list', '0', 'COUNT', '0'],
    ['HINCRBY', 'str', 'a', 'x'], ['HINCRBYFLOAT', 'str', 'a', 'x'], ['HINCRBYFLOAT', 'str', 'a', 'inf'], ['HRANDFIELD', 'str', 'x'],
    ['HSETNX', 'h', 'a'], ['HDEL', 'h'], ['HLEN'], ['HLEN', 'a', 'b'], ['HSTRLEN', 'h'], ['HEXISTS', 'h'], ['HKEYS'], ['HVALS', 'a', 'b'],
    ['HGETALL'], ['HINCRBY', 'h', 'a'], ['HINCRBYFLOAT', 'h', 'a', '1', '2'], ['HRANDFIELD'], ['HSCAN', 'h'], ['HMGET', 'h'],
    ['GET', 'str'], ['LLEN', 'list'],
  ]);

  t('HINCRBY', [
    ['HINCRBY', 'h', 'n', '5'], ['HINCRBY', 'h', 'n', '-7'], ['HINCRBY', 'h', 'n', '0'], ['HINCRBY', 'nokey', 'n', '-3'], ['HGETALL', 'nokey'],
    ['HSET', 'h', 'max', '9223372036854775806', 'min', '-9223372036854775807', 'big', '9007199254740993'],
    ['HINCRBY', 'h', 'max', '1'], ['HINCRBY', 'h', 'max', '1'], ['HINCRBY', 'h', 'min', '-1'], ['HINCRBY', 'h', 'min', '-1'],
    ['HINCRBY', 'h', 'big', '2'], ['HINCRBY', 'h', 'big', '-9007199254740995'], ['HINCRBY', 'h', 'max', '-9223372036854775808'],
    ['HINCRBY', 'h', 'n', '9223372036854775807'], ['HINCRBY', 'h', 'n', '9223372036854775808'], ['HINCRBY', 'h', 'n', '-9223372036854775809'],
    ['HINCRBY', 'h', 'n', 'x'], ['HINCRBY', 'h', 'n', '1.5'], ['HINCRBY', 'h', 'n', ' 1'], ['HINCRBY', 'h', 'n', '+1'], ['HINCRBY', 'h', 'n', '01'],
    ['HINCRBY', 'h', 'n', ''], ['HINCRBY', 'h', 'n', '-0'],
    ['HSET', 'h', 's', 'str', 'f', '1.5', 'sp', ' 1', 'lead', '01', 'nz', '-0', 'huge', '9223372036854775808', 'e', ''],
    ['HINCRBY', 'h', 's', '1'], ['HINCRBY', 'h', 'f', '1'], ['HINCRBY', 'h', 'sp', '1'], ['HINCRBY', 'h', 'lead', '1'], ['HINCRBY', 'h', 'nz', '1'],
    ['HINCRBY', 'h', 'huge', '1'], ['HINCRBY', 'h', 'e', '1'], ['HINCRBY', 'h', 'x', 'y', 'z'],
    ['HGETALL', 'h'],
  ]);

  t('HINCRBYFLOAT', [
    ['HINCRBYFLOAT', 'h', 'f', '10.5'], ['HINCRBYFLOAT', 'h', 'f', '0.1'], ['HINCRBYFLOAT', 'h', 'f', '-10.6'], ['HINCRBYFLOAT', 'h', 'f', '3.0e3'],
    ['HINCRBYFLOAT', 'h', 'f', '-1e-30'], ['HINCRBYFLOAT', 'h', 'f', '1.23456789012345678901234567890'], ['HINCRBYFLOAT', 'h', 'g', '.5'],
    ['HINCRBYFLOAT', 'h', 'g', '5.'], ['HINCRBYFLOAT', 'h', 'g', '+2'], ['HINCRBYFLOAT', 'h', 'g', '-0'], ['HINCRBYFLOAT', 'h', 'hex', '0x10'],
    ['HINCRBYFLOAT', 'h', 'hex', '0x1.8p1'], ['HINCRBYFLOAT', 'h', 'hex', '-0XAp-2'], ['HINCRBYFLOAT', 'h', 'big', '1e400'],
    ['HINCRBYFLOAT', 'h', 'big', '-1e400'], ['HINCRBYFLOAT', 'h', 'edge', '1.18e4932'], ['HINCRBYFLOAT', 'h', 'edge', '1.18e4932'],
    ['HINCRBYFLOAT', 'h', 'tiny', '1e-4940'], ['HINCRBYFLOAT', 'h', 'x', '1e4933'], ['HINCRBYFLOAT', 'h', 'x', '1e-5000'],
    ['HINCRBYFLOAT', 'h', 'x', 'inf'], ['HINCRBYFLOAT', 'h', 'x', '-Infinity'], ['HINCRBYFLOAT', 'h', 'x', 'nan'], ['HINCRBYFLOAT', 'h', 'x', 'abc'],
    ['HINCRBYFLOAT', 'h', 'x', ''], ['HINCRBYFLOAT', 'h', 'x', ' 1'], ['HINCRBYFLOAT', 'h', 'x', '1 '], ['HINCRBYFLOAT', 'h', 'x', '1e'],
    ['HINCRBYFLOAT', 'h', 'x', '0x'], ['HINCRBYFLOAT', 'h', 'x', '1\x002'], ['EXISTS', 'nokey'], ['HINCRBYFLOAT', 'nokey', 'x', 'inf'], ['EXISTS', 'nokey'],
    ['HSET', 'h', 'inf', 'inf', 'sp', ' 1', 'nul', '1\x002', 'str', 'abc', 'int', '17', 'e', '', 'ovf', '1e4933', 'hx', '0x10'],
    ['HINCRBYFLOAT', 'h', 'inf', '1'], ['HINCRBYFLOAT', 'h', 'sp', '1'], ['HINCRBYFLOAT', 'h', 'nul', '1'], ['HINCRBYFLOAT', 'h', 'str', '1'],
    ['HINCRBYFLOAT', 'h', 'int', '0.5'], ['HINCRBYFLOAT', 'h', 'e', '1'], ['HINCRBYFLOAT', 'h', 'ovf', '1'], ['HINCRBYFLOAT', 'h', 'hx', '1'],
    ['OBJECT', 'ENCODING', 'h'], u('HGETALL', 'h'),
  ]);

  t('HRANDFIELD errors and deterministic replies', [
    ['HRANDFIELD', 'nokey'], ['HRANDFIELD', 'nokey', '5'], ['HRANDFIELD', 'nokey', '-5', 'WITHVALUES'], ['HRANDFIELD', 'nokey', '0'],
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'],
    ['HRANDFIELD', 'h', '0'], ['HRANDFIELD', 'h', '0', 'WITHVALUES'], ['HRANDFIELD', 'h', '3'], ['HRANDFIELD', 'h', '100', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '9223372036854775807'], ['HRANDFIELD', 'h', 'x'], ['HRANDFIELD', 'h', '1.5'], ['HRANDFIELD', 'h', '1', 'WITHVALUE'],
    ['HRANDFIELD', 'h', '1', 'withvalues', 'x'], ['HRANDFIELD', 'h', 'x', 'y'], ['HRANDFIELD', 'h', '-9223372036854775808'],
    ['HRANDFIELD', 'h', '9223372036854775808'], ['HRANDFIELD', 'h', '-9223372036854770000', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '4611686018427387904', 'WITHVALUES'], ['HRANDFIELD', 'h', '-4611686018427387904', 'WITHVALUES'],
    ['HRANDFIELD', 'h', '4611686018427387903', 'WITHVALUES'], ['HRANDFIELD', 'nokey', '-9223372036854775808'],
    ['HSET', 'one', 'only', 'v'], ['HRANDFIELD', 'one'], ['HRANDFIELD', 'one', '1'], ['HRANDFIELD', 'one', '-4'], ['HRANDFIELD', 'one', '-3', 'WITHVALUES'],
    ['HRANDFIELD', 'one', '2', 'withvalues'],
  ]);

  t('HSCAN', [
    ['HSCAN', 'nokey', '0'], ['HSCAN', 'nokey', '0', 'COUNT', '0'], ['HSCAN', 'nokey', 'x'], ['HSCAN', 'nokey', '0', 'BAD'],
    ['HSET', 'h', 'foo', '1', 'bar', '2', 'fob', '3', 'baz', '4'],
    ['HSCAN', 'h', '0'], ['HSCAN', 'h', '0', 'MATCH', 'f*'], ['HSCAN', 'h', '0', 'MATCH', 'ba?', 'COUNT', '1'], ['HSCAN', 'h', '0', 'match', '*'],
    ['HSCAN', 'h', '0', 'MATCH', 'nomatch*'], ['HSCAN', 'h', '12345'], ['HSCAN', 'h', '0', 'COUNT', '0'], ['HSCAN', 'h', '0', 'COUNT', '-1'],
    ['HSCAN', 'h', '0', 'COUNT', 'x'], ['HSCAN', 'h', '0', 'COUNT'], ['HSCAN', 'h', '0', 'TYPE', 'hash'],
    ['HSCAN', 'h', 'x'], ['HSCAN', 'h', '1.5'], ['HSCAN', 'h', '18446744073709551616'], ['HSCAN', 'h', '0', 'MATCH', '[fb]o[ob]'],
  ]);

  t('encodings: listpack until the limits, then hashtable (one-way)', [
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '4'], ['CONFIG', 'SET', 'hash-max-listpack-value', '8'],
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4'], ['OBJECT', 'ENCODING', 'h'], ['HSET', 'h', 'e', '5'], ['OBJECT', 'ENCODING', 'h'],
    ['HDEL', 'h', 'a', 'b', 'c'], ['OBJECT', 'ENCODING', 'h'], u('HGETALL', 'h'),
    ['HSET', 'v', 'f', '12345678'], ['OBJECT', 'ENCODING', 'v'], ['HSET', 'v', 'f', '123456789'], ['OBJECT', 'ENCODING', 'v'],
    ['HSET', 'k', '123456789', 'x'], ['OBJECT', 'ENCODING', 'k'],
    ['HSETNX', 'n', 'f', '123456789'], ['OBJECT', 'ENCODING', 'n'],
    ['HSET', 'i', 'f', '9999999'], ['HINCRBY', 'i', 'f', '1'], ['OBJECT', 'ENCODING', 'i'], ['HINCRBY', 'i', 'f', '90000000'], ['OBJECT', 'ENCODING', 'i'],
    ['HINCRBYFLOAT', 's', 'tmp', '0.000005'], ['OBJECT', 'ENCODING', 's'], ['HINCRBYFLOAT', 'b', 'tmp', '0.0000005'], ['OBJECT', 'ENCODING', 'b'],
    ['HINCRBYFLOAT', 'fk', 'abcdefghi', '1'], ['OBJECT', 'ENCODING', 'fk'],
    ['CONFIG', 'SET', 'hash-max-ziplist-entries', '2'], ['CONFIG', 'GET', 'hash-max-listpack-entries'],
    ['HSET', 'z', 'a', '1', 'b', '2'], ['OBJECT', 'ENCODING', 'z'], ['HSET', 'z', 'c', '3'], ['OBJECT', 'ENCODING', 'z'],
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '0'], ['HSET', 'zero', 'a', '1'], ['OBJECT', 'ENCODING', 'zero'],
    ...resetLimits,
    ['HSET', 'big', 'f', 'x'.repeat(65)], ['OBJECT', 'ENCODING', 'big'], ['HSET', 'small', 'f', 'x'.repeat(64)], ['OBJECT', 'ENCODING', 'small'],
  ]);

  t('many pairs in one HSET / HMSET / HDEL: repeats, updates and the limits crossed mid-command', [
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '6'], ['CONFIG', 'SET', 'hash-max-listpack-value', '8'],
    ['HSET', 'h', 'a', '1', 'b', '2', 'a', '3', 'c', '4', 'b', '5', 'a', '3'], ['HGETALL', 'h'], ['OBJECT', 'ENCODING', 'h'],
    ['HSET', 'h', 'd', '1', 'a', 'x', 'e', '2', 'd', '3', 'f', '4'], ['HGETALL', 'h'], ['OBJECT', 'ENCODING', 'h'],
    ['HSET', 'h', 'a', 'y', 'f', 'z', 'a', 'w'], ['HGETALL', 'h'], ['OBJECT', 'ENCODING', 'h'],
    ['HSET', 'h', 'a', '0', 'g', '7', 'b', '0', 'h', '8'], u('HGETALL', 'h'), ['OBJECT', 'ENCODING', 'h'],
    ['HMSET', 'm', 'a', '1', 'b', '2', 'c', '123456789', 'd', '4'], u('HGETALL', 'm'), ['OBJECT', 'ENCODING', 'm'],
    ['HMSET', 'n', 'a', '1', 'b', '2'], ['HMSET', 'n', 'c', '3', 'abcdefghi', 'x', 'd', '4'], u('HGETALL', 'n'), ['OBJECT', 'ENCODING', 'n'],
    ['HSET', 'p', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '6'], ['HSET', 'p', 'a', '1', 'f', '6', 'a', '1'], ['OBJECT', 'ENCODING', 'p'],
    ['HDEL', 'p', 'b', 'zz', 'b', 'e', 'a'], ['HGETALL', 'p'], ['HDEL', 'p', 'c', 'd', 'f', 'c'], ['EXISTS', 'p'],
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '2'], ['HSET', 'q', 'a', '1'], ['CONFIG', 'SET', 'hash-max-listpack-entries', '6'],
    ['HSET', 'q', 'b', '2', 'c', '3'], ['HGETALL', 'q'], ['OBJECT', 'ENCODING', 'q'],
    ...resetLimits,
    ['HSET', 'big', ...Array.from({ length: 200 }, (_, i) => [`field:${i % 150}`, `v${i}`]).flat()], ['HLEN', 'big'], ['OBJECT', 'ENCODING', 'big'],
    ['HGET', 'big', 'field:3'], ['HGET', 'big', 'field:140'],
    ['HSET', 'full', ...Array.from({ length: 130 }, (_, i) => [`field:${i % 128}`, `v${i}`]).flat()], ['HGETALL', 'full'], ['OBJECT', 'ENCODING', 'full'],
  ]);

  t('encodings: a value rebuilt by DEBUG RELOAD / RESTORE is a listpack again when it fits; COPY keeps it', [
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '4'], ['CONFIG', 'SET', 'hash-max-listpack-value', '8'],
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5'], ['OBJECT', 'ENCODING', 'h'], ['HDEL', 'h', 'e'],
    ['OBJECT', 'ENCODING', 'h'], ['DEBUG', 'DIGEST-VALUE', 'h'],
    ['HSET', 'lv', 'f', '123456789', 'g', 'x'], ['OBJECT', 'ENCODING', 'lv'], ['HSET', 'lv', 'f', '1'],
    ['HSET', 'p', 'f', '1', 'g', '-2', 'h', 'text', 'i', '12345678'], ['OBJECT', 'ENCODING', 'p'], ['DUMP', 'p'], ['DEBUG', 'DIGEST-VALUE', 'p'],
    ['COPY', 'p', 'pc'], ['OBJECT', 'ENCODING', 'pc'], ['HGETALL', 'pc'], ['COPY', 'lv', 'lvc'], ['OBJECT', 'ENCODING', 'lvc'],
    ['DEBUG', 'RELOAD'],
    ['OBJECT', 'ENCODING', 'h'], u('HGETALL', 'h'), ['DEBUG', 'DIGEST-VALUE', 'h'], ['OBJECT', 'ENCODING', 'lv'], u('HGETALL', 'lv'),
    ['OBJECT', 'ENCODING', 'p'], ['HGETALL', 'p'], ['DEBUG', 'DIGEST-VALUE', 'p'], ['OBJECT', 'ENCODING', 'lvc'],
    // a listpack over a lowered entry limit converts on any write, an update included
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '2'], ['HSET', 'p', 'f', '7'], ['OBJECT', 'ENCODING', 'p'], ['HGET', 'p', 'f'],
    // a listpack payload past the entry limit loads as a hashtable; a long value alone keeps it a listpack (7.0 checks only the count)
    ['HSET', 'q', 'f', '12345678'], ['OBJECT', 'ENCODING', 'q'], ['CONFIG', 'SET', 'hash-max-listpack-value', '4'], ['DEBUG', 'RELOAD'],
    ['OBJECT', 'ENCODING', 'q'], ['OBJECT', 'ENCODING', 'pc'], ['HGETALL', 'q'], ['HSET', 'q', 'g', '1'], ['OBJECT', 'ENCODING', 'q'],
    ...resetLimits,
  ]);

  t('SORT BY / GET hash fields, DIGEST-VALUE and HSCAN on both encodings', [
    ['RPUSH', 'ids', '1', '2', '3'],
    ['HSET', 'w_1', 'n', '30', 's', 'c'], ['HSET', 'w_2', 'n', '10', 's', 'a'], ['HSET', 'w_3', 'n', '20', 's', 'x'.repeat(70)],
    ['OBJECT', 'ENCODING', 'w_1'], ['OBJECT', 'ENCODING', 'w_3'],
    ['SORT', 'ids', 'BY', 'w_*->n', 'GET', '#', 'GET', 'w_*->s'], ['SORT', 'ids', 'BY', 'w_*->s', 'ALPHA', 'GET', 'w_*->n'],
    ['SORT', 'ids', 'BY', 'w_*->missing', 'GET', 'w_*->nope'],
    ['DEBUG', 'DIGEST-VALUE', 'w_1', 'w_3'], u('HSCAN', 'w_3', '0'), ['HSCAN', 'w_1', '7', 'MATCH', 's'],
    ['HDEL', 'w_3', 's'], ['OBJECT', 'ENCODING', 'w_3'], ['HGETALL', 'w_3'], ['HDEL', 'w_3', 'n'], ['EXISTS', 'w_3'],
  ]);

  t('RESP3 replies', [
    hello3,
    ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3'], ['HGETALL', 'h'], ['HGETALL', 'nokey'], ['HKEYS', 'nokey'], ['HVALS', 'h'],
    ['HGET', 'h', 'zz'], ['HGET', 'nokey', 'a'], ['HMGET', 'h', 'a', 'zz'], ['HRANDFIELD', 'nokey'], ['HRANDFIELD', 'nokey', '3'],
    ['HRANDFIELD', 'h', '5', 'WITHVALUES'], ['HRANDFIELD', 'h', '3'], ['HRANDFIELD', 'h', '0', 'WITHVALUES'],
    ['HSET', 'one', 'f', 'v'], ['HRANDFIELD', 'one', '-2', 'WITHVALUES'], ['HRANDFIELD', 'one', '1', 'WITHVALUES'], ['HRANDFIELD', 'one', '-2'],
    ['HINCRBYFLOAT', 'h', 'a', '1.5'], ['HINCRBY', 'h', 'b', '1'], ['HSCAN', 'h', '0'], ['HSCAN', 'nokey', '0'], ['HEXISTS', 'h', 'a'],
    ['HSTRLEN', 'h', 'a'], ['HLEN', 'h'], ['HSETNX', 'h', 'a', 'x'], ['HDEL', 'h', 'a'], ['HMSET', 'h', 'x', 'y'],
  ]);

  t('hashtable-sized hashes: unordered replies', async (p: Pair) => {
    const args: string[] = [];
    for (let i = 0; i < 300; i++) args.push(`field:${i}`, `value:${i}`);
    await runScript(p, [
      ['HSET', 'big', ...args], ['OBJECT', 'ENCODING', 'big'], ['HLEN', 'big'], u('HGETALL', 'big'), u('HKEYS', 'big'), u('HVALS', 'big'),
      ['HGET', 'big', 'field:299'], ['HMGET', 'big', 'field:0', 'nope', 'field:150'], ['HDEL', 'big', 'field:1', 'field:2', 'nope'],
      ['HRANDFIELD', 'big', '0'], ['HINCRBY', 'big', 'n', '1'], ['HINCRBYFLOAT', 'big', 'n', '1.5'], ['HSTRLEN', 'big', 'field:10'],
      hello3, u('HGETALL', 'big'),
    ]);
    // HRANDFIELD of the whole hash and HSCAN: same contents, any order
    for (const client of [p.redis, p.shardis]) await client.call('HELLO', '2');
    const whole = await Promise.all([p.redis.call('HRANDFIELD', 'big', '1000', 'WITHVALUES'), p.shardis.call('HRANDFIELD', 'big', '1000', 'WITHVALUES')]);
    assert.deepEqual(pairs(whole[1]), pairs(whole[0]));
    const scanned = await Promise.all([scanAll(p.redis, 'big', ['COUNT', '7']), scanAll(p.shardis, 'big', ['COUNT', '7'])]);
    assert.deepEqual(scanned[1], scanned[0]);
    const matched = await Promise.all([scanAll(p.redis, 'big', ['MATCH', 'field:1*']), scanAll(p.shardis, 'big', ['MATCH', 'field:1*'])]);
    assert.deepEqual(matched[1], matched[0]);
  });

  t('limits restored', resetLimits);
});

function pairs(r: Reply): string[] {
  assert.ok(Array.isArray(r));
  const out: string[] = [];
  for (let i = 0; i < r.length; i += 2) out.push(`${String(r[i])}=${String(r[i + 1])}`);
  return out.sort();
}

/** A whole HSCAN iteration: every field=value seen, sorted (duplicates removed). */
async function scanAll(c: Pair['redis'], key: string, opts: string[]): Promise<string[]> {
  const seen = new Set<string>();
  let cursor = '0';
  do {
    const r = (await c.call('HSCAN', key, cursor, ...opts)) as [string, string[]];
    cursor = r[0];
    for (let i = 0; i < r[1].length; i += 2) seen.add(`${r[1][i]}=${r[1][i + 1]}`);
  } while (cursor !== '0');
  return [...seen].sort();
}
