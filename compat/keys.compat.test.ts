import assert from 'node:assert/strict';
import { describeCompat, runScript } from './harness.ts';

describeCompat('keyspace compat', (t) => {
  t('DEL / UNLINK / EXISTS / TYPE / TOUCH', [
    ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['EXISTS', 'a', 'a', 'nope'], ['EXISTS', 'nope'], ['EXISTS'],
    ['DEL', 'a', 'nope', 'a'], ['DEL', 'a'], ['DEL'], ['UNLINK', 'b', 'c', 'b'], ['UNLINK'], ['EXISTS', 'a', 'b', 'c'],
    ['SET', '', 'empty'], ['EXISTS', ''], ['TYPE', ''], ['DEL', ''],
    ['SET', 's', 'v'], ['RPUSH', 'l', 'x'], ['SADD', 'st', 'x'], ['HSET', 'h', 'f', 'v'], ['ZADD', 'z', '1', 'x'],
    ['TYPE', 's'], ['TYPE', 'l'], ['TYPE', 'st'], ['TYPE', 'h'], ['TYPE', 'z'], ['TYPE', 'nope'], ['TYPE'], ['TYPE', 's', 'l'],
    ['TOUCH', 's', 'l', 'nope', 's'], ['TOUCH'], ['EXISTS', 's', 'l', 'st', 'h', 'z'], ['DEL', 's', 'l', 'st', 'h', 'z'],
  ]);

  t('KEYS patterns', [
    ['MSET', 'hello', '1', 'hallo', '1', 'hxllo', '1', 'hllo', '1', 'heeeello', '1', 'h*llo', '1', 'h?llo', '1', 'ab[c', '1', 'Hello', '1', 'a-b', '1'],
    { cmd: ['KEYS', '*'], unordered: true }, { cmd: ['KEYS', 'h?llo'], unordered: true }, { cmd: ['KEYS', 'h*llo'], unordered: true },
    { cmd: ['KEYS', 'h[ae]llo'], unordered: true }, { cmd: ['KEYS', 'h[^e]llo'], unordered: true }, { cmd: ['KEYS', 'h[a-b]llo'], unordered: true },
    { cmd: ['KEYS', 'h[b-a]llo'], unordered: true }, { cmd: ['KEYS', 'h\\*llo'], unordered: true }, { cmd: ['KEYS', 'ab\\[c'], unordered: true },
    { cmd: ['KEYS', 'ab[c'], unordered: true }, { cmd: ['KEYS', 'a[\\-]b'], unordered: true }, { cmd: ['KEYS', '[Hh]ello'], unordered: true },
    { cmd: ['KEYS', '**'], unordered: true }, { cmd: ['KEYS', 'h*l*o*'], unordered: true }, { cmd: ['KEYS', '?'], unordered: true },
    { cmd: ['KEYS', 'hello\\'], unordered: true }, { cmd: ['KEYS', '[^'], unordered: true }, { cmd: ['KEYS', 'nomatch'], unordered: true },
    ['SET', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', '1'], ['KEYS', 'a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b'],
    ['KEYS'], ['KEYS', '*', 'x'],
  ]);

  t('RANDOMKEY', [
    ['RANDOMKEY'], ['SET', 'x', '1'], ['RANDOMKEY'], ['DEL', 'x'], ['RANDOMKEY'], ['RPUSH', 'only', 'a'], ['RANDOMKEY'], ['RANDOMKEY', 'x'],
  ]);

  t('RENAME / RENAMENX', [
    ['RENAME', 'nope', 'x'], ['RENAMENX', 'nope', 'x'], ['RENAME', 'nope', 'nope'], ['RENAMENX', 'nope', 'nope'],
    ['SET', 'a', 'v', 'EX', '100'], ['RENAME', 'a', 'a'], ['RENAMENX', 'a', 'a'], ['RENAME', 'a', 'b'], ['EXISTS', 'a'], ['GET', 'b'], ['TTL', 'b'],
    ['SET', 'c', 'persistent'], ['EXPIRE', 'b', '50'], ['RENAME', 'c', 'b'], ['TTL', 'b'], ['GET', 'b'],
    ['RPUSH', 'l', 'x'], ['RENAMENX', 'l', 'b'], ['RENAMENX', 'l', 'l2'], ['LRANGE', 'l2', '0', '-1'], ['RENAME', 'l2', 'b'], ['TYPE', 'b'],
    ['RENAME', 'b'], ['RENAME', 'b', 'c', 'd'], ['RENAMENX', 'b'],
    ['SET', 'e', 'v', 'PX', '1'], { cmd: ['DEBUG', 'SLEEP', '0.01'], ignore: true }, ['RENAME', 'e', 'f'],
  ]);

  t('MOVE', [
    ['SET', 'mk', 'foobar', 'EX', '100'], ['MOVE', 'mk', '1'], ['EXISTS', 'mk'], ['MOVE', 'mk', '1'], ['MOVE', 'nope', '0'],
    ['MOVE', 'x', '16'], ['MOVE', 'x', '-1'], ['MOVE', 'x', 'abc'], ['MOVE', 'x', '1.5'], ['MOVE', 'x', '4294967296'], ['MOVE', 'x', '-2147483649'],
    ['MOVE', 'x', '99999999999999999999'], ['MOVE', 'x'], ['SELECT', '1'], ['GET', 'mk'], ['TTL', 'mk'], ['MOVE', 'mk', '1'],
    ['SET', 'mk2', 'v'], ['MOVE', 'mk2', '0'], ['SELECT', '0'], ['SET', 'mk2', 'here'], ['MOVE', 'mk2', '1'], ['GET', 'mk2'],
    ['SELECT', '1'], ['FLUSHDB'], ['SELECT', '0'], ['MOVE', 'mk2', '1'], ['SELECT', '1'], ['TTL', 'mk2'], ['GET', 'mk2'], ['SELECT', '0'],
  ]);

  t('COPY', [
    ['COPY', 'nope', 'x'], ['RPUSH', 'l', 'a', 'b'], ['COPY', 'l', 'l2'], ['COPY', 'l', 'l2'], ['RPUSH', 'l', 'c'], ['LRANGE', 'l2', '0', '-1'],
    ['COPY', 'l', 'l2', 'REPLACE'], ['LRANGE', 'l2', '0', '-1'], ['COPY', 'l', 'l'], ['COPY', 'l', 'l', 'DB', '0'], ['COPY', 'l', 'l', 'DB', '3'],
    ['COPY', 'l', 'x', 'DB', '16'], ['COPY', 'l', 'x', 'DB', '-1'], ['COPY', 'l', 'x', 'DB', 'abc'], ['COPY', 'l', 'x', 'DB', '4294967296'],
    ['COPY', 'l', 'x', 'DB'], ['COPY', 'l', 'x', 'FOO'], ['COPY', 'l', 'x', 'REPLACE', 'REPLACE'], ['COPY', 'l'], ['COPY', 'nope', 'nope'],
    ['HSET', 'h', 'f', '1', 'g', '2'], ['COPY', 'h', 'h2'], ['HSET', 'h', 'f', 'x'], ['HGETALL', 'h2'], ['OBJECT', 'ENCODING', 'h2'],
    ['SADD', 'si', '1', '2'], ['COPY', 'si', 'si2'], ['OBJECT', 'ENCODING', 'si2'], ['SADD', 'si', '3'], ['SCARD', 'si2'],
    ['ZADD', 'z', '1', 'a', '2', 'b'], ['COPY', 'z', 'z2'], ['ZINCRBY', 'z', '5', 'a'], ['ZRANGE', 'z2', '0', '-1', 'WITHSCORES'],
    ['SET', 's', 'hello', 'EX', '100'], ['COPY', 's', 's2'], ['TTL', 's2'], ['APPEND', 's', '!'], ['GET', 's2'], ['OBJECT', 'ENCODING', 's2'],
    ['SET', 's3', 'old', 'EX', '100'], ['SET', 'p', 'persistent'], ['COPY', 'p', 's3', 'REPLACE'], ['TTL', 's3'], ['GET', 's3'],
    ['SET', 'n', '123'], ['COPY', 'n', 'n2'], ['OBJECT', 'ENCODING', 'n2'],
    ['COPY', 's', 's', 'db', '2'], ['COPY', 's', 's', 'REPLACE', 'DB', '2'], ['SELECT', '2'], ['GET', 's'], ['TTL', 's'], ['SELECT', '0'],
  ]);

  t('OBJECT', [
    ['SET', 'i', '12345'], ['SET', 'e', 'short'], ['SET', 'r', 'x'.repeat(50)], ['SET', 'small', '42'], ['SET', 'neg', '-1'],
    ['RPUSH', 'l', 'x'], ['SADD', 'si', '1'], ['SADD', 'ss', 'a'], ['HSET', 'h', 'f', 'v'], ['ZADD', 'z', '1', 'a'],
    ['OBJECT', 'ENCODING', 'i'], ['OBJECT', 'ENCODING', 'e'], ['OBJECT', 'ENCODING', 'r'], ['OBJECT', 'ENCODING', 'l'],
    // a small set of strings is a listpack since Redis 7.2 (7.0.15: hashtable): compared with 7.4.1 in v74-set
    ['OBJECT', 'ENCODING', 'si'], { cmd: ['OBJECT', 'ENCODING', 'ss'], ignore: true }, ['OBJECT', 'ENCODING', 'h'], ['OBJECT', 'ENCODING', 'z'],
    ['OBJECT', 'ENCODING', 'nope'], ['OBJECT', 'REFCOUNT', 'small'], ['OBJECT', 'REFCOUNT', 'i'], ['OBJECT', 'REFCOUNT', 'neg'],
    ['OBJECT', 'REFCOUNT', 'l'], ['OBJECT', 'REFCOUNT', 'nope'], ['OBJECT', 'IDLETIME', 'nope'], ['OBJECT', 'FREQ', 'i'], ['OBJECT', 'FREQ', 'nope'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'], ['OBJECT', 'FREQ', 'small'], ['OBJECT', 'IDLETIME', 'i'], ['OBJECT', 'IDLETIME', 'nope'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'], ['OBJECT', 'FREQ', 'i'], ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
    ['OBJECT', 'HELP', 'x'], ['OBJECT'], ['OBJECT', 'ENCODING'], ['OBJECT', 'ENCODING', 'a', 'b'],
    ['OBJECT', 'FOO'], ['OBJECT', 'FOO', 'x'], ['OBJECT', 'REFCOUNT'],
    { cmd: ['HELLO', '3'], ignore: true }, ['OBJECT', 'ENCODING', 'nope'], ['OBJECT', 'REFCOUNT', 'nope'], ['OBJECT', 'ENCODING', 'z'],
  ]);

  t('EXPIRE family and TTLs', [
    ['SET', 'k', 'v'], ['TTL', 'k'], ['PTTL', 'k'], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'], ['TTL', 'nope'], ['PTTL', 'nope'],
    ['EXPIRETIME', 'nope'], ['PEXPIRETIME', 'nope'],
    ['EXPIRE', 'k', '100', 'XX'], ['EXPIRE', 'k', '100', 'GT'], ['EXPIRE', 'k', '100', 'NX'], ['TTL', 'k'], ['EXPIRE', 'k', '100', 'NX'],
    ['EXPIRE', 'k', '200', 'LT'], ['EXPIRE', 'k', '50', 'LT'], ['EXPIRE', 'k', '10', 'GT'], ['EXPIRE', 'k', '60', 'gt'], ['TTL', 'k'],
    ['EXPIRE', 'k', '70', 'XX', 'GT'], ['EXPIRE', 'k', '10', 'XX', 'GT'], ['EXPIRE', 'k', '10', 'xx', 'lt'], ['TTL', 'k'],
    ['EXPIRE', 'k', '1', 'NX', 'XX'], ['EXPIRE', 'k', '1', 'NX', 'GT'], ['EXPIRE', 'k', '1', 'LT', 'NX'], ['EXPIRE', 'k', '1', 'GT', 'LT'],
    ['EXPIRE', 'k', '1', 'FOO'], ['EXPIRE', 'k', '1', 'NX', 'NXX'], ['EXPIRE', 'k', 'abc', 'NX', 'XX'], ['EXPIRE', 'k', 'abc', 'FOO'],
    ['EXPIRE', 'k', 'abc'], ['EXPIRE', 'k', '1.5'], ['EXPIRE', 'k', ''], ['EXPIRE', 'k'], ['EXPIRE', 'nope', '10'], ['EXPIRE', 'nope', 'abc'],
    ['PERSIST', 'k'], ['EXPIRE', 'k', '100', 'LT'], ['PERSIST', 'k'], ['EXPIRE', 'k', '100', 'XX', 'LT'], ['TTL', 'k'],
    ['PEXPIRE', 'k', '50500'], ['PEXPIRE', 'k', '1', 'GT', 'LT'], ['EXPIREAT', 'k', '1', 'GT', 'LT'], ['PEXPIREAT', 'k', '1', 'NX', 'LT'],
    ['EXPIREAT', 'k', '4102444800'], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'],
    ['PEXPIREAT', 'k', '4102444800600'], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'], ['PEXPIREAT', 'k', '4102444800400'], ['EXPIRETIME', 'k'],
    ['PERSIST', 'k'], ['PERSIST', 'k'], ['PERSIST', 'nope'], ['PERSIST'], ['TTL'], ['TTL', 'a', 'b'], ['EXPIRETIME'],
  ]);

  t('expire time bounds and past times', [
    ['SET', 'k', 'v'], ['EXPIRE', 'k', '9223372036854775807'], ['EXPIRE', 'k', '9223372036854776'], ['EXPIRE', 'k', '-9223372036854776'],
    ['EXPIRE', 'k', '-9223372036854775808'], ['EXPIRE', 'k', '9223372036854775808'], ['EXPIREAT', 'k', '9223372036854776'],
    ['PEXPIRE', 'k', '9223372036854775807'], ['PEXPIRE', 'k', '9223372036854770000'], ['PEXPIRE', 'k', '-9223372036854775808'], ['EXISTS', 'k'],
    // (times past 2^53 ms are kept as doubles: PEXPIRETIME would print them rounded, so only EXPIRETIME is compared there)
    ['SET', 'k', 'v'], ['PEXPIREAT', 'k', '9223372036854775807'], ['EXPIREAT', 'k', '9223372036854775'], ['EXPIRETIME', 'k'],
    ['PERSIST', 'k'], ['EXPIRE', 'k', '-1', 'XX'], ['EXISTS', 'k'], ['EXPIRE', 'k', '-1', 'GT'], ['EXPIRE', 'k', '-1', 'LT'], ['EXISTS', 'k'],
    ['SET', 'k', 'v'], ['EXPIRE', 'k', '0'], ['EXISTS', 'k'], ['SET', 'k', 'v'], ['PEXPIRE', 'k', '-100'], ['EXISTS', 'k'],
    ['SET', 'k', 'v'], ['EXPIREAT', 'k', '1'], ['EXISTS', 'k'], ['SET', 'k', 'v'], ['PEXPIREAT', 'k', '1000'], ['EXISTS', 'k'],
    ['SET', 'k', 'v'], ['EXPIRE', 'k', '-9223372036854775'], ['EXISTS', 'k'],
    ['RPUSH', 'l', 'a'], ['EXPIRE', 'l', '100'], ['RPUSH', 'l', 'b'], ['TTL', 'l'], ['SET', 'l', 'now a string'], ['TTL', 'l'],
    ['SET', 's', 'v', 'EX', '100'], ['APPEND', 's', 'x'], ['TTL', 's'], ['INCR', 'n'], ['EXPIRE', 'n', '100'], ['INCR', 'n'], ['TTL', 'n'],
  ]);

  t('lazy expiry', [
    { cmd: ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'], ignore: true },
    ['SET', 'a', 'v', 'PX', '5'], ['RPUSH', 'b', 'x'], ['PEXPIRE', 'b', '5'], ['SET', 'c', 'v', 'PX', '5'], ['SET', 'd', 'v', 'PX', '5'],
    ['SET', 'keep', 'v'], { cmd: ['DEBUG', 'SLEEP', '0.02'], ignore: true }, ['DBSIZE'], ['KEYS', '*'], ['GET', 'a'], ['LLEN', 'b'],
    ['EXISTS', 'c'], ['TTL', 'd'], ['DBSIZE'], ['RANDOMKEY'], ['SCAN', '0', 'COUNT', '100'],
    { cmd: ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'], ignore: true },
  ]);

  t('SCAN', [
    ['MSET', 'a1', '1', 'a2', '2', 'b1', '3'], ['RPUSH', 'al', 'x'], { cmd: ['SCAN', '0', 'COUNT', '1000'], unordered: true },
    { cmd: ['SCAN', '0', 'MATCH', 'a*', 'COUNT', '1000'], unordered: true }, { cmd: ['SCAN', '0', 'TYPE', 'string', 'COUNT', '1000'], unordered: true },
    { cmd: ['SCAN', '0', 'TYPE', 'LIST', 'COUNT', '1000'], unordered: true }, { cmd: ['SCAN', '0', 'TYPE', 'nosuch', 'COUNT', '1000'], unordered: true },
    { cmd: ['SCAN', '0', 'MATCH', 'a*', 'TYPE', 'list', 'COUNT', '1000'], unordered: true },
    { cmd: ['SCAN', '0', 'MATCH', 'x', 'MATCH', 'b*', 'COUNT', '1000'], unordered: true },
    { cmd: ['SCAN', '', 'COUNT', '1000'], unordered: true }, { cmd: ['SCAN', '+0', 'COUNT', '1000'], unordered: true },
    ['SCAN', 'abc'], ['SCAN', ' 0'], ['SCAN', '+'], ['SCAN', '0x1'], ['SCAN', '18446744073709551616'], ['SCAN', '0', 'COUNT', '0'],
    ['SCAN', '0', 'COUNT', '-1'], ['SCAN', '0', 'COUNT', 'abc'], ['SCAN', '0', 'FOO', 'x'], ['SCAN', '0', 'COUNT'], ['SCAN', '0', 'MATCH'],
    ['SCAN', '0', 'TYPE'], ['SCAN'], ['FLUSHALL'], ['SCAN', '0'],
  ]);

  t('SCAN full iteration in small steps returns each key once', async (p) => {
    const args: string[] = [];
    for (let i = 0; i < 300; i++) args.push(`k:${i}`, 'v');
    await runScript(p, [['MSET', ...args]]);
    for (const client of [p.redis, p.shardis]) {
      const seen = new Map<string, number>();
      let cursor = '0';
      do {
        const [next, keys] = (await client.call('SCAN', cursor, 'COUNT', '7')) as [string, string[]];
        for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
        cursor = next;
      } while (cursor !== '0');
      assert.equal(seen.size, 300);
      assert.ok([...seen.values()].every((n) => n === 1));
    }
  });

  // (COMMAND INFO and DOCS are Redis 7.4.1's: compat/v74-command.compat.test.ts)
  t('wrong number of arguments and COMMAND GETKEYS', [
    ['UNLINK'], ['RENAMENX', 'a'], ['PEXPIRE', 'a'], ['EXPIREAT', 'a'], ['PEXPIREAT', 'a'], ['PTTL'], ['PEXPIRETIME'], ['PERSIST', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'COPY', 'a', 'b', 'DB', '1'], ['COMMAND', 'GETKEYS', 'RENAME', 'a', 'b'], ['COMMAND', 'GETKEYS', 'OBJECT', 'ENCODING', 'k'],
  ]);
});
