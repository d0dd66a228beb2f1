import assert from 'node:assert/strict';
import { describeCompat } from './harness.ts';

describeCompat('server and connection compat', (t) => {
  t('connection and server commands', [
    [''], ['PING'], ['PING', 'hi'], ['PING', 'a', 'b'], ['ECHO', 'x'], ['ECHO'], ['SELECT', '15'], ['SELECT', '16'], ['SELECT', 'x'], ['SELECT', '0'],
    ['NOSUCHCMD'], ['NOSUCHCMD', 'a', 'b'], ['get'], ['GeT', 'x'], ['AUTH', 'pw'], ['AUTH', 'default', 'pw'], ['AUTH', 'someone', 'pw'],
    ['HELLO', '4'], ['HELLO', 'x'], ['HELLO', '2', 'FOO'], ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'ok'], ['CLIENT', 'GETNAME'],
    ['CLIENT', 'NOSUCH'], ['CLIENT'], ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'NO-EVICT', 'maybe'], ['CLIENT', 'REPLY', 'FOO'],
    ['DBSIZE'], ['SET', 'a', '1'], ['DBSIZE'], ['FLUSHDB', 'FOO'], ['FLUSHALL', 'SYNC'], ['DBSIZE'], ['SWAPDB', '0', 'x'], ['SWAPDB', 'x', '0'],
    ['SWAPDB', '0', '16'], ['SWAPDB', '0', '1'], ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'GET', 'databases'], ['CONFIG', 'SET', 'nope', '1'],
    ['CONFIG', 'SET', 'maxmemory-policy'], ['CONFIG', 'FOO'], ['OBJECT', 'HELP'], ['COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'],
    ['COMMAND', 'GETKEYS', 'PING'], ['COMMAND', 'GETKEYS', 'NOSUCH'], ['COMMAND', 'GETKEYS', 'GET'], ['COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT'],
    ['COMMAND', 'INFO', 'get', 'nosuch'], ['MULTI'], ['SET', 'x', '1'], ['GET'], ['EXEC'], ['EXEC'], ['DISCARD'], ['MULTI'], ['MULTI'], ['DISCARD'],
    ['DEBUG', 'PROTOCOL', 'map'], ['DEBUG', 'PROTOCOL', 'double'], ['DEBUG', 'PROTOCOL', 'nosuch'], ['MEMORY', 'USAGE', 'nope'],
    ['SETBIT', 'b', '7', '1'], ['GET', 'b'], ['GETBIT', 'b', '7'], ['SETBIT', 'b', '-1', '1'], ['SETBIT', 'b', '1', '2'], ['QUIT'],
  ]);
  t('COMMAND INFO matches Redis for common commands', async (p) => {
    for (const name of ['get', 'set', 'lpush', 'hset', 'zadd', 'mget', 'del']) {
      const [a, b] = await Promise.all([p.redis.call('COMMAND', 'INFO', name), p.shardis.call('COMMAND', 'INFO', name)]);
      const pick = (r: unknown) => (r as unknown[][])[0]!.slice(0, 6);
      assert.deepEqual(pick(b), pick(a), name);
    }
  });
});
