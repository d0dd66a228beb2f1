/**
 * Stream commands as Redis 7.4.1 has them, against recorded replies
 * (compat/recorded.ts): XREAD … STREAMS key + (the last entry, 7.4).
 */
import { recordedSuite } from './recorded.ts';
import type { Script } from './harness.ts';

const lastEntry: Script = [
  ['XREAD', 'STREAMS', 's', '+'], ['XADD', 's', '1-1', 'a', '1'], ['XADD', 's', '1-2', 'b', '2'], ['XADD', 's', '2-0', 'c', '3', 'd', '4'],
  ['XREAD', 'STREAMS', 's', '+'], ['XREAD', 'COUNT', '1', 'STREAMS', 's', '+'], ['XREAD', 'COUNT', '0', 'STREAMS', 's', '+'],
  ['XREAD', 'COUNT', '5', 'STREAMS', 's', '+'], ['XREAD', 'COUNT', '-1', 'STREAMS', 's', '+'],
  ['XADD', 's2', '7-3', 'x', 'y'], ['XREAD', 'STREAMS', 's', 's2', '+', '+'], ['XREAD', 'COUNT', '1', 'STREAMS', 's', 'nokey', 's2', '+', '+', '+'],
  ['XREAD', 'STREAMS', 's', 's2', '+', '0'], ['XREAD', 'STREAMS', 's2', 's', '$', '+'], ['XREAD', 'STREAMS', 's', 's', '+', '0-0'],
  ['XREAD', 'STREAMS', 'nokey', '+'], ['XREAD', 'STREAMS', 'nokey', 'nokey2', '+', '+'], ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '+'],
  ['XREAD', 'BLOCK', '10', 'STREAMS', 's', 'nokey', '+', '+'], ['XREAD', 'STREAMS', 's', '++'], ['XREAD', 'STREAMS', 's', '+1'],
  ['XREAD', 'STREAMS', 's'],
  // the last entry deleted: its ID stays the stream's last ID, so nothing is past the one before it
  ['XDEL', 's', '2-0'], ['XREAD', 'STREAMS', 's', '+'], ['XREAD', 'STREAMS', 's', 's2', '+', '+'], ['XREAD', 'BLOCK', '10', 'STREAMS', 's', '+'],
  ['XADD', 's', '2-1', 'e', '5'], ['XREAD', 'STREAMS', 's', '+'], ['XTRIM', 's', 'MAXLEN', '0'], ['XREAD', 'STREAMS', 's', '+'],
  // an ID with sequence 0: the one before is (ms-1)-18446744073709551615
  ['XADD', 't', '5-0', 'f', 'v'], ['XREAD', 'STREAMS', 't', '+'], ['XADD', 'u', '0-1', 'f', 'v'], ['XREAD', 'STREAMS', 'u', '+'],
  // an empty stream whose last ID is 0-0
  ['XGROUP', 'CREATE', 'e', 'g', '$', 'MKSTREAM'], ['XREAD', 'STREAMS', 'e', '+'], ['XREAD', 'STREAMS', 's2', 'e', '+', '+'],
  ['XREAD', 'STREAMS', 'e', '0'],
  ['XGROUP', 'CREATE', 's2', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's2', '+'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's2', '$'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'nokey', '+'], ['SET', 'str', 'x'], ['XREAD', 'STREAMS', 'str', '+'],
  ['XREAD', 'STREAMS', 's2', 'str', '+', '+'], ['XREAD', 'STREAMS', 's2', 'str', '+', 'bad'],
  ['MULTI'], ['XREAD', 'BLOCK', '0', 'STREAMS', 's2', '+'], ['XREAD', 'BLOCK', '0', 'STREAMS', 'nokey', '+'], ['EXEC'],
  ['EVAL', "return redis.call('XREAD', 'STREAMS', KEYS[1], '+')", '1', 's2'],
];

recordedSuite('v74-stream', {
  'XREAD STREAMS key +, RESP2': lastEntry,
  'XREAD STREAMS key +, RESP3': [{ cmd: ['HELLO', '3'], ignore: true }, ...lastEntry],
});
