import { describeCompat } from './harness.ts';

describeCompat('keyspace compat', (t) => {
  t('generic commands', [
    ['MSET', 'a', '1', 'b', '2'], ['EXISTS', 'a', 'a', 'nope'], ['DEL', 'a', 'nope'], ['UNLINK', 'b'], ['TYPE', 'a'],
    ['RPUSH', 'l', 'x'], ['TYPE', 'l'], ['SADD', 's', 'x'], ['TYPE', 's'], ['HSET', 'h', 'f', 'v'], ['TYPE', 'h'], ['ZADD', 'z', '1', 'x'], ['TYPE', 'z'],
    ['RENAME', 'nope', 'x'], ['RENAME', 'l', 'l2'], ['EXISTS', 'l'], ['RENAME', 'l2', 'l2'], ['RENAMENX', 'l2', 's'], ['RENAMENX', 'l2', 'l3'],
    ['COPY', 'l3', 'l4'], ['COPY', 'l3', 'l4'], ['COPY', 'l3', 'l4', 'REPLACE'], ['COPY', 'l3', 'l3'], ['COPY', 'l3', 'x', 'DB', '16'],
    ['COPY', 'l3', 'x', 'DB', 'abc'], ['COPY', 'l3', 'x', 'FOO'], ['LRANGE', 'l4', '0', '-1'],
    ['MOVE', 'l4', '1'], ['MOVE', 'l4', '1'], ['MOVE', 'l3', '0'], ['MOVE', 'l3', '99'], ['SELECT', '1'], ['LRANGE', 'l4', '0', '-1'], ['SELECT', '0'],
    ['TOUCH', 'l3', 'nope', 's'], ['OBJECT', 'ENCODING', 'l3'], ['OBJECT', 'ENCODING', 'nope'], ['SET', 'i', '12345'], ['OBJECT', 'ENCODING', 'i'],
    ['SET', 'e', 'short'], ['OBJECT', 'ENCODING', 'e'], ['SET', 'r', 'x'.repeat(50)], ['OBJECT', 'ENCODING', 'r'], ['OBJECT', 'FREQ', 'i'],
    ['OBJECT', 'ENCODING', 's'], ['OBJECT', 'ENCODING', 'h'], ['OBJECT', 'ENCODING', 'z'], ['OBJECT', 'FOO', 'x'],
    { cmd: ['KEYS', '*'], unordered: true }, { cmd: ['KEYS', '?'], unordered: true }, ['DBSIZE'],
  ]);
  t('expiry', [
    ['SET', 'k', 'v'], ['TTL', 'k'], ['PTTL', 'nope'], ['EXPIRE', 'k', '100', 'XX'], ['EXPIRE', 'k', '100', 'NX'], ['TTL', 'k'],
    ['EXPIRE', 'k', '200', 'LT'], ['EXPIRE', 'k', '50', 'LT'], ['EXPIRE', 'k', '10', 'GT'], ['EXPIRE', 'k', '1', 'NX', 'XX'],
    ['EXPIRE', 'k', '1', 'GT', 'LT'], ['EXPIRE', 'k', '1', 'FOO'], ['EXPIRE', 'k', 'abc'], ['EXPIRE', 'k', '9223372036854775807'],
    ['PEXPIRE', 'k', '9223372036854775807'], ['EXPIREAT', 'k', '4102444800'], ['EXPIRETIME', 'k'], ['PEXPIRETIME', 'k'],
    ['EXPIRETIME', 'nope'], ['PERSIST', 'k'], ['PERSIST', 'k'], ['EXPIRETIME', 'k'], ['EXPIRE', 'k', '0'], ['EXISTS', 'k'],
    ['SET', 'k', 'v'], ['PEXPIREAT', 'k', '1000'], ['EXISTS', 'k'], ['EXPIRE', 'nope', '10'],
  ]);
  t('scan', [
    ['MSET', 'a1', '1', 'a2', '2', 'b1', '3'], { cmd: ['SCAN', '0', 'COUNT', '1000'], unordered: true },
    { cmd: ['SCAN', '0', 'MATCH', 'a*', 'COUNT', '1000'], unordered: true }, { cmd: ['SCAN', '0', 'TYPE', 'string', 'COUNT', '1000'], unordered: true },
    ['SCAN', 'abc'], ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'FOO', 'x'], ['SCAN', '0', 'COUNT'],
  ]);
});
