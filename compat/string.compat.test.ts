import { describeCompat } from './harness.ts';

describeCompat('string compat', (t) => {
  t('GET/SET and options', [
    ['SET', 'k', 'v'], ['GET', 'k'], ['GET', 'missing'], ['GET'], ['SET', 'k'],
    ['SET', 'k', 'v2', 'NX'], ['SET', 'k', 'v2', 'XX', 'GET'], ['SET', 'n', 'v', 'XX'], ['SET', 'n', 'v', 'NX', 'GET'],
    ['SET', 'k', 'v', 'EX', '0'], ['SET', 'k', 'v', 'EX', 'abc'], ['SET', 'k', 'v', 'PX', '-5'], ['SET', 'k', 'v', 'EX', '10', 'PX', '10'],
    ['SET', 'k', 'v', 'KEEPTTL', 'EX', '5'], ['SET', 'k', 'v', 'EX', '9223372036854775807'], ['SET', 'k', 'v', 'FOO'],
    ['SET', 'e', 'v', 'EX', '100'], ['TTL', 'e'], ['SET', 'e', 'w', 'KEEPTTL'], ['TTL', 'e'], ['SET', 'e', 'x'], ['TTL', 'e'],
    ['SETNX', 'k', 'x'], ['SETNX', 'new', 'x'], ['SETEX', 'se', '0', 'v'], ['SETEX', 'se', '10', 'v'], ['TTL', 'se'], ['PSETEX', 'pe', '-1', 'v'],
    ['GETSET', 'k', 'g'], ['GETSET', 'nokey', 'g'], ['GETDEL', 'k'], ['GETDEL', 'k'], ['GETEX', 'new', 'PERSIST'], ['GETEX', 'new', 'EX', '-1'],
    ['GETEX', 'new', 'KEEPTTL'], ['GETEX', 'nokey2'],
  ]);
  t('multi-key and wrong types', [
    ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['MGET', 'a', 'b', 'nope', 'c'], ['MSET', 'a'], ['MSET', 'a', '1', 'b'],
    ['MSETNX', 'a', '1', 'z', '2'], ['MSETNX', 'y', '1', 'z', '2'], ['MGET', 'y', 'z'],
    ['RPUSH', 'l', 'x'], ['GET', 'l'], ['APPEND', 'l', 'x'], ['INCR', 'l'], ['STRLEN', 'l'], ['MGET', 'a', 'l'],
  ]);
  t('counters', [
    ['INCR', 'n'], ['INCRBY', 'n', '10'], ['DECR', 'n'], ['DECRBY', 'n', '5'], ['INCRBY', 'n', 'x'], ['INCRBY', 'n', '1.5'],
    ['SET', 'big', '9223372036854775806'], ['INCR', 'big'], ['INCR', 'big'], ['DECRBY', 'n', '-9223372036854775808'],
    ['SET', 's', ' 1'], ['INCR', 's'], ['SET', 's', '01'], ['INCR', 's'],
    ['INCRBYFLOAT', 'f', '10.5'], ['INCRBYFLOAT', 'f', '0.1'], ['INCRBYFLOAT', 'f', '-5'], ['INCRBYFLOAT', 'f', '5.0e3'],
    ['INCRBYFLOAT', 'f', 'abc'], ['INCRBYFLOAT', 'f', '+inf'], ['SET', 'f2', '1.5e1'], ['INCRBYFLOAT', 'f2', '1'],
  ]);
  t('ranges and LCS', [
    ['SET', 's', 'Hello World'], ['GETRANGE', 's', '0', '4'], ['GETRANGE', 's', '-5', '-1'], ['GETRANGE', 's', '5', '1'],
    ['GETRANGE', 's', '-100', '100'], ['GETRANGE', 'nope', '0', '1'], ['SUBSTR', 's', '0', '2'],
    ['SETRANGE', 's', '6', 'Redis'], ['GET', 's'], ['SETRANGE', 'z', '3', 'x'], ['GET', 'z'], ['SETRANGE', 'z', '-1', 'x'],
    ['SETRANGE', 'nope', '5', ''], ['SETRANGE', 's', '0', ''], ['APPEND', 's', '!'], ['STRLEN', 's'],
    ['MSET', 'a', 'ohmytext', 'b', 'mynewtext'], ['LCS', 'a', 'b'], ['LCS', 'a', 'b', 'LEN'], ['LCS', 'a', 'b', 'IDX'],
    ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'LEN', 'IDX'], ['LCS', 'a', 'nope'],
  ]);
  t('RESP3 replies', [
    ['HELLO', '3'], ['SET', 'k', 'v'], ['GET', 'nope'], ['MGET', 'k', 'nope'], ['INCRBYFLOAT', 'f', '1.5'],
    ['MSET', 'a', 'ohmytext', 'b', 'mynewtext'], ['LCS', 'a', 'b', 'IDX'],
  ].map((cmd) => (cmd[0] === 'HELLO' ? { cmd, ignore: true } : cmd)));
});
