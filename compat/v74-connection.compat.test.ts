/**
 * Connection commands as Redis 7.4.1 has them, against recorded replies
 * (compat/recorded.ts): CLIENT NO-TOUCH (7.2: the client's commands leave
 * the LRU/LFU of keys alone, except TOUCH) and CLIENT SETINFO (7.2).
 */
import { recordedSuite } from './recorded.ts';
import type { Script } from './harness.ts';

/** LFU with no randomness and no decay: each access adds exactly 1 to the counter (OBJECT FREQ). */
const lfu: Script = [
  ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'], ['CONFIG', 'SET', 'lfu-log-factor', '0'], ['CONFIG', 'SET', 'lfu-decay-time', '0'],
];
const lfuOff: Script = [
  ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'], ['CONFIG', 'SET', 'lfu-log-factor', '10'], ['CONFIG', 'SET', 'lfu-decay-time', '1'],
];

recordedSuite('v74-connection', {
  'CLIENT NO-TOUCH: reads and writes leave the LFU counter, TOUCH (also in MULTI) counts': [
    ...lfu,
    ['SET', 'k', 'v'], ['OBJECT', 'FREQ', 'k'], ['GET', 'k'], ['OBJECT', 'FREQ', 'k'],
    ['CLIENT', 'NO-TOUCH', 'on'], ['GET', 'k'], ['MGET', 'k', 'k'], ['EXISTS', 'k'], ['STRLEN', 'k'], ['OBJECT', 'FREQ', 'k'],
    ['TOUCH', 'k'], ['OBJECT', 'FREQ', 'k'], ['TOUCH', 'k', 'nokey'], ['OBJECT', 'FREQ', 'k'],
    ['APPEND', 'k', 'x'], ['SET', 'k', 'w'], ['OBJECT', 'FREQ', 'k'], ['GET', 'k'],
    ['RPUSH', 'l', 'a', 'b'], ['OBJECT', 'FREQ', 'l'], ['LRANGE', 'l', '0', '-1'], ['LPUSH', 'l', 'c'], ['OBJECT', 'FREQ', 'l'],
    ['HSET', 'h', 'f', 'v'], ['HGET', 'h', 'f'], ['HSET', 'h', 'f', 'w'], ['OBJECT', 'FREQ', 'h'],
    ['MULTI'], ['GET', 'k'], ['TOUCH', 'k'], ['EXEC'], ['OBJECT', 'FREQ', 'k'],
    ['EVAL', "return redis.call('GET', KEYS[1])", '1', 'k'], ['EVAL', "return redis.call('TOUCH', KEYS[1])", '1', 'k'], ['OBJECT', 'FREQ', 'k'],
    ['CLIENT', 'NO-TOUCH', 'OFF'], ['GET', 'k'], ['OBJECT', 'FREQ', 'k'], ['TOUCH', 'k'], ['OBJECT', 'FREQ', 'k'],
    ['CLIENT', 'NO-TOUCH', 'ON'], ['CLIENT', 'NO-TOUCH', 'off'], ['GET', 'k'], ['OBJECT', 'FREQ', 'k'],
    ...lfuOff,
  ],
  'CLIENT NO-TOUCH errors': [
    ['CLIENT', 'NO-TOUCH', 'maybe'], ['CLIENT', 'NO-TOUCH', ''], ['CLIENT', 'NO-TOUCH'], ['CLIENT', 'NO-TOUCH', 'on', 'x'],
    ['CLIENT', 'no-touch', 'yes'],
  ],
  'CLIENT SETINFO': [
    ['CLIENT', 'SETINFO', 'lib-name', 'redis-py'], ['CLIENT', 'SETINFO', 'LIB-VER', '1.2.3'], ['CLIENT', 'SETINFO', 'Lib-Name', ''],
    ['CLIENT', 'SETINFO', 'lib-ver', ''], ['CLIENT', 'SETINFO', 'lib-name', 'a b'], ['CLIENT', 'SETINFO', 'lib-ver', 'x\ny'],
    ['CLIENT', 'SETINFO', 'lib-name', 'caf\u00e9'], ['CLIENT', 'SETINFO', 'lib-name', 'a~b(c)-[1]'], ['CLIENT', 'SETINFO', 'LIB-NAME', 'x\u007f'],
    ['CLIENT', 'SETINFO', 'foo', 'x'], ['CLIENT', 'SETINFO', 'lib-name'], ['CLIENT', 'SETINFO', 'lib-name', 'a', 'b'], ['CLIENT', 'SETINFO'],
  ],
});
