import { describeCompat, runScript } from './harness.ts';

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
    ['SET', 'e', '', 'get'], ['GET', 'e'], ['set', 'bin', '\0\r\n\xff'], ['get', 'bin'],
  ]);

  t('SET option combinations and expire bounds', [
    ['SET', 'k', 'v', 'nx', 'xx'], ['SET', 'k', 'v', 'xx', 'nx'], ['SET', 'k', 'v', 'NX', 'NX'], ['SET', 'k', 'v', 'GET', 'GET'],
    ['SET', 'k', 'v', 'EX', '10', 'EX', '20'], ['TTL', 'k'], ['SET', 'k', 'v', 'KEEPTTL', 'KEEPTTL'], ['SET', 'k', 'v', 'EX', '10', 'KEEPTTL'],
    ['SET', 'k', 'v', 'KEEPTTL', 'PX', '10'], ['SET', 'k', 'v', 'PERSIST'], ['SET', 'k', 'v', 'EX'], ['SET', 'k', 'v', 'PX'], ['SET', 'k', 'v', 'EXAT'],
    ['SET', 'k', 'v', 'EX', '1.5'], ['SET', 'k', 'v', 'PX', '0'], ['SET', 'k', 'v', 'EXAT', '0'], ['SET', 'k', 'v', 'PXAT', '-3'],
    ['SET', 'k', 'v', 'EX', '9223372036854775'], ['SET', 'k', 'v', 'EX', '9223372036854776'], ['SET', 'k', 'v', 'PX', '9223372036854775807'],
    ['SET', 'k', 'v', 'PX', '9223372036854775000'], ['SET', 'k', 'v', 'PXAT', '9223372036854775807'], ['SET', 'k', 'v', 'EX', '99999999999999999999'],
    ['SET', 'k', 'v', 'EX', 'abc', 'GET'], ['SET', 'k', 'v', 'ex', '100', 'get', 'xx'], ['TTL', 'k'],
    ['SET', 'k', 'v', 'PXAT', '1'], ['GET', 'k'], ['EXISTS', 'k'], ['SET', 'k', 'v', 'EXAT', '1', 'GET'], ['SET', 'k', 'v', 'GET'],
    ['SET', 'k', 'v2', 'GET', 'NX'], ['SET', 'newk', 'v', 'GET', 'XX'], ['GET', 'newk'], ['SET', 'newk', 'v', 'GET', 'NX'],
    ['SET', 'newk', 'v3', 'XX', 'GET', 'KEEPTTL'], ['SETNX', 'newk', 'x'],
    ['SETEX', 'se', '10'], ['SETEX', 'se', 'abc', 'v'], ['SETEX', 'se', '-10', 'v'], ['SETEX', 'se', '9223372036854775807', 'v'],
    ['SETEX', 'se', '9223372036854775', 'v'], ['PSETEX', 'pe', '0', 'v'], ['PSETEX', 'pe', '9223372036854775807', 'v'],
    ['PSETEX', 'pe', '100000', 'v'], ['TTL', 'pe'], ['SETEX', 'se', '100', 'v'], ['SET', 'se', 'w'], ['TTL', 'se'],
  ]);

  t('wrong types', [
    ['RPUSH', 'l', 'a'], ['GET', 'l'], ['SET', 'l', 'v', 'GET'], ['SET', 'l', 'v', 'EX', '0', 'GET'], ['SET', 'l', 'v', 'NX'],
    ['SET', 'l', 'v', 'XX', 'GET'], ['LLEN', 'l'], ['SETNX', 'l', 'x'], ['GETSET', 'l', 'x'], ['GETDEL', 'l'], ['GETEX', 'l'],
    ['GETEX', 'l', 'EX', '10'], ['GETEX', 'l', 'EX', 'abc'], ['APPEND', 'l', 'x'], ['STRLEN', 'l'], ['INCR', 'l'], ['DECR', 'l'],
    ['INCRBY', 'l', '1'], ['INCRBY', 'l', 'x'], ['DECRBY', 'l', '1'], ['INCRBYFLOAT', 'l', '1'], ['INCRBYFLOAT', 'l', 'x'],
    ['GETRANGE', 'l', '0', '1'], ['GETRANGE', 'l', 'x', '1'], ['SUBSTR', 'l', '0', '1'], ['SETRANGE', 'l', '0', 'x'],
    ['SETRANGE', 'l', '-1', 'x'], ['SETRANGE', 'l', '0', ''], ['LCS', 'l', 'nope'], ['LCS', 'nope', 'l', 'FOO'],
    ['MGET', 'l', 'nope'], ['MSETNX', 'l', 'x'], ['SETEX', 'l', '100', 'x'], ['TYPE', 'l'], ['GET', 'l'],
  ]);

  t('GETEX, GETDEL, GETSET', [
    ['SET', 'k', 'v'], ['GETEX', 'nonex', 'EX', '10'], ['GETEX', 'nonex', 'EX', 'abc'], ['GETEX', 'k', 'EX', 'abc'], ['GETEX', 'k', 'EX', '0'],
    ['GETEX', 'k', 'PX', '9223372036854775807'], ['GETEX', 'k', 'EXAT', '9223372036854775807'], ['GETEX', 'k', 'EX', '10', 'PX', '10'],
    ['GETEX', 'k', 'PERSIST', 'EX', '10'], ['GETEX', 'k', 'EX', '10', 'PERSIST'], ['GETEX', 'k', 'NX'], ['GETEX', 'k', 'GET'],
    ['GETEX', 'k', 'EX'], ['GETEX', 'k', 'EX', '100', 'EX', '200'], ['TTL', 'k'], ['GETEX', 'k'], ['TTL', 'k'],
    ['getex', 'k', 'persist'], ['TTL', 'k'], ['GETEX', 'k', 'exat', '9999999999'], ['TTL', 'k'], ['GETEX', 'k', 'PXAT', '1'], ['EXISTS', 'k'],
    ['SET', 'k', 'v'], ['GETEX', 'k', 'EXAT', '1'], ['EXISTS', 'k'], ['SET', 'k', '1'], ['GETEX', 'k', 'PX', '100000'], ['TTL', 'k'],
    ['GETSET', 'k', '2'], ['TTL', 'k'], ['GETSET', 'nk', 'x'], ['GET', 'nk'], ['GETDEL', 'nk'], ['GETDEL', 'nk'], ['EXISTS', 'nk'],
  ]);

  t('multi-key MSET/MGET/MSETNX across shards', [
    ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['MGET', 'a', 'b', 'nope', 'c'], ['MSET', 'a'], ['MSET', 'a', '1', 'b'], ['MSET'],
    ['MSETNX', 'a'], ['MSETNX', 'a', '1', 'b'], ['MSET', 'a', '1', 'a', '2'], ['GET', 'a'],
    ['MSETNX', 'a', '1', 'z', '2'], ['MSETNX', 'y', '1', 'z', '2'], ['MGET', 'y', 'z'], ['MSETNX', 'q', '1', 'q', '2'], ['GET', 'q'],
    ['MSETNX', 'q', '1', 'r', '2'], ['EXISTS', 'r'], ['RPUSH', 'l', 'x'], ['MGET', 'a', 'l', 'q', 'r'],
    ['SET', 'e', '1', 'EX', '100'], ['MSET', 'e', '2', 'f', '3'], ['TTL', 'e'], ['MGET', 'e', 'f', 'e'],
    ['MSET', 'k1', 'v1', 'k2', 'v2', 'k3', 'v3', 'k4', 'v4', 'k5', 'v5', 'k6', 'v6', 'k7', 'v7', 'k8', 'v8'],
    ['MGET', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9'], ['MSETNX', 'k9', 'x', 'k8', 'y'], ['EXISTS', 'k9'],
    ['SETRANGE', 'k1', '1', 'X'], ['MGET', 'k1', 'k2'], ['DBSIZE'],
  ]);

  t('INCR family', [
    ['INCR', 'n'], ['INCRBY', 'n', '10'], ['DECR', 'n'], ['DECRBY', 'n', '5'], ['INCRBY', 'n', 'x'], ['INCRBY', 'n', '1.5'],
    ['SET', 'big', '9223372036854775806'], ['INCR', 'big'], ['INCR', 'big'], ['DECRBY', 'n', '-9223372036854775808'],
    ['SET', 's', ' 1'], ['INCR', 's'], ['SET', 's', '01'], ['INCR', 's'], ['SET', 's', '1 '], ['INCR', 's'],
    ['SET', 'c', '10'], ['INCRBY', 'c', '9223372036854775797'], ['INCR', 'c'], ['DECRBY', 'c', '-1'],
    ['SET', 'c', '-9223372036854775807'], ['DECR', 'c'], ['DECR', 'c'], ['DECRBY', 'c', '1'], ['INCRBY', 'c', '-1'], ['DECRBY', 'c', '9223372036854775807'],
    ['SET', 'c', '0'], ['DECRBY', 'c', '-9223372036854775808'], ['INCRBY', 'c', '-9223372036854775808'], ['INCRBY', 'c', '9223372036854775807'], ['INCR', 'c'],
    ['SET', 'c', '9223372036854775808'], ['INCR', 'c'], ['SET', 'c', '-9223372036854775809'], ['INCR', 'c'],
    ['SET', 'c', '1e3'], ['INCR', 'c'], ['SET', 'c', '0x10'], ['INCR', 'c'], ['SET', 'c', '+1'], ['INCR', 'c'], ['SET', 'c', '-0'], ['INCR', 'c'],
    ['SET', 'c', '00'], ['INCR', 'c'], ['SET', 'c', ''], ['INCR', 'c'], ['INCRBY', 'c', ''], ['INCRBY', 'c', ' 1'], ['INCRBY', 'c', '-0'],
    ['INCR', 'nothere'], ['DECR', 'nothere2'], ['DECRBY', 'nothere3', '5'], ['INCRBY', 'nothere4', '-5'],
    ['SET', 'c', '123456789012345678'], ['INCRBY', 'c', '123456789012345678'], ['INCRBY', 'c', '9007199254740993'], ['DECRBY', 'c', '9007199254740993'],
    ['SET', 'c', '9007199254740991'], ['INCR', 'c'], ['INCR', 'c'], ['INCRBY', 'c', '-1'], ['DECR', 'c'],
    ['SET', 'c', '-9007199254740991'], ['DECR', 'c'], ['DECRBY', 'c', '9007199254740993'], ['GET', 'c'],
    ['SET', 't', '5', 'EX', '100'], ['INCR', 't'], ['TTL', 't'], ['SET', 'c', '17179869184'], ['INCRBY', 'c', '17179869184'],
    ['DECRBY', 'c', '34359738369'], ['SET', 'r', '1'], ['APPEND', 'r', '2'], ['INCR', 'r'], ['OBJECT', 'ENCODING', 'r'],
  ]);

  t('INCRBYFLOAT in long double', [
    ['INCRBYFLOAT', 'f', '10.5'], ['INCRBYFLOAT', 'f', '0.1'], ['INCRBYFLOAT', 'f', '-5'], ['INCRBYFLOAT', 'f', '5.0e3'],
    ['INCRBYFLOAT', 'f', 'abc'], ['INCRBYFLOAT', 'f', '+inf'], ['SET', 'f2', '1.5e1'], ['INCRBYFLOAT', 'f2', '1'],
    ['INCRBYFLOAT', 'h', '1e308'], ['INCRBYFLOAT', 'h', '1e308'], ['INCRBYFLOAT', 'h', '1e4932'], ['INCRBYFLOAT', 'h', '-1e4932'],
    ['INCRBYFLOAT', 'g', '1.18e4932'], ['INCRBYFLOAT', 'g', '1.19e4932'], ['INCRBYFLOAT', 'g', '1e400'], ['INCRBYFLOAT', 'g', '1e5000'],
    ['INCRBYFLOAT', 'x', '0x1p-3'], ['INCRBYFLOAT', 'x', '0X.8P1'], ['INCRBYFLOAT', 'x', '0x10'], ['INCRBYFLOAT', 'x', '0x'],
    ['INCRBYFLOAT', 'x', '0x1p'], ['INCRBYFLOAT', 'y', '1e-4940'], ['INCRBYFLOAT', 'y', '1e-5000'], ['INCRBYFLOAT', 'y', '-0'],
    ['INCRBYFLOAT', 'z', '-0'], ['INCRBYFLOAT', 'z', '0.1'], ['INCRBYFLOAT', 'z', '0.2'], ['INCRBYFLOAT', 'z', '-0.3'],
    ['INCRBYFLOAT', 'z', 'infinity'], ['INCRBYFLOAT', 'z', '-Infinity'], ['INCRBYFLOAT', 'z', 'NaN'], ['INCRBYFLOAT', 'z', 'nan(1)'],
    ['INCRBYFLOAT', 'z', '1.'], ['INCRBYFLOAT', 'z', '.1'], ['INCRBYFLOAT', 'z', '.'], ['INCRBYFLOAT', 'z', 'e5'], ['INCRBYFLOAT', 'z', '1e+5'],
    ['INCRBYFLOAT', 'z', '1E-2'], ['INCRBYFLOAT', 'z', '3.0000000000000001'], ['INCRBYFLOAT', 'z', ' 1'], ['INCRBYFLOAT', 'z', '1 '],
    ['INCRBYFLOAT', 'z', '\t1'], ['INCRBYFLOAT', 'z', '1\0'], ['INCRBYFLOAT', 'z', ''], ['INCRBYFLOAT', 'z', '1e'], ['INCRBYFLOAT', 'z', '--1'],
    ['SET', 'w', 'inf'], ['INCRBYFLOAT', 'w', '1'], ['SET', 'w', '-inf'], ['INCRBYFLOAT', 'w', '1'], ['SET', 'w', 'nan'], ['INCRBYFLOAT', 'w', '1'],
    ['SET', 'w', '1.5 '], ['INCRBYFLOAT', 'w', '1'], ['SET', 'w', '1.5e'], ['INCRBYFLOAT', 'w', '1'],
    ['SET', 'w', '17179869184'], ['INCRBYFLOAT', 'w', '1.5'], ['INCRBYFLOAT', 'w', '17179869184'],
    ['SET', 'v', '123456789012345678901234567890'], ['INCRBYFLOAT', 'v', '1'], ['INCRBYFLOAT', 'v', '0.00000000000000001'],
    ['INCRBYFLOAT', 'u', '0.000000000000000005'], ['INCRBYFLOAT', 'u2', '0.000000000000000015'], ['INCRBYFLOAT', 'u3', '-0.000000000000000001'],
    ['GET', 'u3'], ['INCRBYFLOAT', 'u4', String(1 / 41)], ['INCRBYFLOAT', 'u4', String(-1 / 41)], ['GET', 'u4'],
    ['SET', 'e', '1', 'EX', '100'], ['INCRBYFLOAT', 'e', '1'], ['TTL', 'e'], ['SET', 'nul', '1'], ['SETRANGE', 'nul', '2', '2'], ['INCRBYFLOAT', 'nul', '1'],
    ['INCRBYFLOAT', 'e', '1', 'x'],
  ]);

  t('GETRANGE and SUBSTR', [
    ['SET', 's', 'Hello World'], ['GETRANGE', 's', '0', '4'], ['GETRANGE', 's', '-5', '-1'], ['GETRANGE', 's', '5', '1'],
    ['GETRANGE', 's', '-100', '100'], ['GETRANGE', 'nope', '0', '1'], ['SUBSTR', 's', '0', '2'], ['GETRANGE', 's', '0', '-1'],
    ['GETRANGE', 's', '-1', '-5'], ['GETRANGE', 's', '-100', '-50'], ['GETRANGE', 's', '50', '100'], ['GETRANGE', 's', '10', '10'],
    ['GETRANGE', 's', '11', '11'], ['GETRANGE', 's', '-9223372036854775808', '9223372036854775807'], ['GETRANGE', 's', '0', '9223372036854775808'],
    ['GETRANGE', 's', '0', '4294967297'], ['GETRANGE', 's', 'a', '1'], ['GETRANGE', 's', '1'], ['GETRANGE', 'nope', 'a', 'b'],
    ['GETRANGE', 'nope', '0', '-1'], ['SUBSTR', 's', '2', '-2'], ['SET', 'e', ''], ['GETRANGE', 'e', '0', '-1'], ['GETRANGE', 'e', '-1', '0'],
    ['SET', 'n', '-555'], ['GETRANGE', 'n', '1', '2'], ['STRLEN', 'n'], ['SETRANGE', 'r', '3', 'abc'], ['GETRANGE', 'r', '0', '3'],
    ['GETRANGE', 'r', '-2', '-1'], ['SUBSTR', 'r', '2', '100'],
  ]);

  t('SETRANGE, APPEND, STRLEN and encodings', [
    ['SET', 's', 'Hello World'], ['SETRANGE', 's', '6', 'Redis'], ['GET', 's'], ['SETRANGE', 'z', '3', 'x'], ['GET', 'z'], ['SETRANGE', 'z', '-1', 'x'],
    ['SETRANGE', 'nope', '5', ''], ['EXISTS', 'nope'], ['SETRANGE', 's', '0', ''], ['APPEND', 's', '!'], ['STRLEN', 's'],
    ['SETRANGE', 's', 'abc', 'x'], ['SETRANGE', 's', '9223372036854775807', 'x'], ['SETRANGE', 's', '536870912', 'x'],
    ['SETRANGE', 's', '536870908', 'world'], ['SETRANGE', 'nk', '-1', ''], ['SETRANGE', 'nk', '3', 'abc'], ['GET', 'nk'],
    ['OBJECT', 'ENCODING', 'nk'], ['SETRANGE', 'nk', '1', 'ZZZZZZZZZ'], ['GET', 'nk'], ['SETRANGE', 'nk', '20', 'end'], ['GET', 'nk'],
    ['STRLEN', 'nk'], ['APPEND', 'nk', '++'], ['GET', 'nk'], ['SETRANGE', 'nk', '0', '\0\xff\r\n'], ['GET', 'nk'], ['GETRANGE', 'nk', '2', '5'],
    ['GETSET', 'nk', 'new'], ['OBJECT', 'ENCODING', 'nk'],
    ['SET', 'x', '1'], ['EXPIRE', 'x', '100'], ['APPEND', 'x', '23'], ['TTL', 'x'], ['SETRANGE', 'x', '5', 'z'], ['TTL', 'x'], ['GET', 'x'], ['INCR', 'x'],
    ['SET', 'x', '12'], ['OBJECT', 'ENCODING', 'x'], ['APPEND', 'x', '3'], ['OBJECT', 'ENCODING', 'x'], ['INCR', 'x'], ['OBJECT', 'ENCODING', 'x'],
    ['APPEND', 'x', ''], ['OBJECT', 'ENCODING', 'x'], ['APPEND', 'newapp', ''], ['EXISTS', 'newapp'], ['APPEND', 'a', '123'], ['OBJECT', 'ENCODING', 'a'],
    ['APPEND', 'b', 'abc'], ['OBJECT', 'ENCODING', 'b'], ['SET', 'i', '1234'], ['SETRANGE', 'i', '0', ''], ['OBJECT', 'ENCODING', 'i'],
    ['SETRANGE', 'i', '0', '2'], ['OBJECT', 'ENCODING', 'i'], ['GET', 'i'], ['SETRANGE', 'i', '5', '2'], ['GET', 'i'],
    ['SET', 'big', 'x'.repeat(45)], ['OBJECT', 'ENCODING', 'big'], ['SET', 'big', 'x'.repeat(44)], ['OBJECT', 'ENCODING', 'big'],
    ['SET', 'big', '-9223372036854775808'], ['OBJECT', 'ENCODING', 'big'], ['SET', 'big', '12345678901234567890'], ['OBJECT', 'ENCODING', 'big'],
    ['SET', 'y', 'ab'], ['APPEND', 'y', 'cd'], ['APPEND', 'y', 'ef'], ['GETEX', 'y', 'EX', '100'], ['SETRANGE', 'y', '1', 'Z'], ['GETDEL', 'y'],
    ['SET', 'g', 'x', 'GET'], ['APPEND', 'g', 'z'], ['SET', 'g', 'w', 'GET'], ['APPEND', 'g', 'z'], ['GETSET', 'g', 'v'],
    ['SETRANGE', 'g', '3', 'q'], ['MGET', 'g', 'y'], ['STRLEN', 'g'], ['SET', 'g3', '1'], ['APPEND', 'g3', '.5'], ['INCRBYFLOAT', 'g3', '1'],
  ]);

  t('growing raw values in place', async (pair) => {
    const script: (string | number)[][] = [['SET', 'k', 'start']];
    for (let i = 0; i < 200; i++) {
      script.push(['APPEND', 'k', 'x'.repeat(i % 7) + String(i)]);
      if (i % 13 === 0) script.push(['SETRANGE', 'k', String(i * 3), 'S' + i]);
      if (i % 17 === 0) script.push(['GET', 'k']);
      if (i % 29 === 0) script.push(['COPY', 'k', 'copy' + i], ['APPEND', 'copy' + i, 'c'], ['SETRANGE', 'copy' + i, '0', 'C']);
    }
    script.push(['GET', 'k'], ['STRLEN', 'k']);
    for (let i = 0; i < 200; i += 29) script.push(['GET', 'copy' + i]);
    await runScript(pair, script);
  });

  t('LCS', [
    ['MSET', 'a', 'ohmytext', 'b', 'mynewtext'], ['LCS', 'a', 'b'], ['LCS', 'a', 'b', 'LEN'], ['LCS', 'a', 'b', 'IDX'],
    ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'LEN', 'IDX'], ['LCS', 'a', 'nope'],
    ['LCS', 'a', 'b', 'idx', 'withmatchlen'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '-5'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '2'],
    ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', 'x'], ['LCS', 'a', 'b', 'IDX', 'MINMATCHLEN'], ['LCS', 'a', 'b', 'IDX', 'LEN'],
    ['LCS', 'a', 'b', 'FOO'], ['LCS', 'a', 'b', 'LEN', 'FOO'], ['LCS', 'nope', 'nope2'], ['LCS', 'nope', 'nope2', 'IDX'],
    ['LCS', 'nope', 'nope2', 'IDX', 'WITHMATCHLEN'], ['LCS', 'a'], ['LCS', 'a', 'a', 'IDX', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'LEN', 'LEN'],
    ['SET', 'c1', 'abcdefg'], ['SET', 'c2', 'xabcxdefgx'], ['LCS', 'c1', 'c2', 'IDX', 'WITHMATCHLEN'],
    ['LCS', 'c2', 'c1', 'IDX', 'WITHMATCHLEN', 'MINMATCHLEN', '4'], ['LCS', 'c2', 'c1', 'MINMATCHLEN', '4'],
    ['SETRANGE', 'c1', '2', '\0\x01'], ['LCS', 'c1', 'c2'], ['LCS', 'c1', 'c2', 'IDX'],
    ['SET', 'v1', 'CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCG'],
    ['SET', 'v2', 'ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACG'],
    ['LCS', 'v1', 'v2'], ['LCS', 'v1', 'v2', 'IDX', 'WITHMATCHLEN'], ['LCS', 'v2', 'v1', 'IDX', 'MINMATCHLEN', '3'],
  ]);

  t('proto-max-bulk-len bounds SETRANGE, APPEND and LCS', [
    ['CONFIG', 'SET', 'proto-max-bulk-len', '1mb'], ['SETRANGE', 'k', '1048570', 'abcdefghij'], ['SETRANGE', 'k', '1048570', 'abcdef'],
    ['STRLEN', 'k'], ['APPEND', 'k', 'x'], ['APPEND', 'k', ''], ['STRLEN', 'k'],
    ['SET', 'a', 'a'.repeat(600)], ['SET', 'b', 'a'.repeat(600)], ['LCS', 'a', 'b', 'LEN'], ['SET', 'b', 'b'.repeat(400)], ['LCS', 'a', 'b', 'LEN'],
    ['CONFIG', 'SET', 'proto-max-bulk-len', '512mb'],
  ]);

  t('arity errors', [
    ['GET'], ['GET', 'a', 'b'], ['SET', 'a'], ['SETNX', 'a'], ['SETEX', 'a', '1'], ['PSETEX', 'a', '1'], ['GETSET', 'a'], ['GETDEL'],
    ['GETDEL', 'a', 'b'], ['GETEX'], ['MGET'], ['MSET', 'a'], ['MSETNX', 'a'], ['APPEND', 'a'], ['STRLEN'], ['STRLEN', 'a', 'b'],
    ['INCR'], ['INCR', 'a', 'b'], ['DECR'], ['INCRBY', 'a'], ['DECRBY', 'a'], ['INCRBYFLOAT', 'a'], ['GETRANGE', 'a', '1'], ['SUBSTR', 'a'],
    ['SETRANGE', 'a', '1'], ['LCS'], ['LCS', 'a'],
  ]);

  t('RESP3 replies', [
    ['HELLO', '3'], ['SET', 'k', 'v'], ['GET', 'nope'], ['MGET', 'k', 'nope'], ['INCRBYFLOAT', 'f', '1.5'],
    ['MSET', 'a', 'ohmytext', 'b', 'mynewtext'], ['LCS', 'a', 'b', 'IDX'], ['LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'], ['LCS', 'a', 'b', 'LEN'],
    ['SET', 'k', 'v', 'NX'], ['SET', 'k', 'w', 'GET'], ['SET', 'n', 'w', 'XX', 'GET'], ['GETDEL', 'nope'], ['GETEX', 'nope'], ['GETSET', 'nope', 'x'],
    ['GETRANGE', 'nope', '0', '1'], ['SETNX', 'k', 'x'], ['MSETNX', 'k', 'x'], ['INCR', 'i'], ['APPEND', 'k', 'x'], ['GET', 'k'],
  ].map((cmd) => (cmd[0] === 'HELLO' ? { cmd, ignore: true } : cmd)));
});
