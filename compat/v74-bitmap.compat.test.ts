/**
 * Bitmap commands as Redis 7.4.1 has them, against recorded replies
 * (compat/recorded.ts): BITCOUNT and BITPOS check their arguments before
 * the key (7.2: a missing key no longer answers 0 to a malformed call).
 */
import { recordedSuite } from './recorded.ts';
import type { Script } from './harness.ts';

const args: Script = [
    ['SET', 's', 'foobar'], ['BITCOUNT', 's'], ['BITCOUNT', 's', '0', '0'], ['BITCOUNT', 's', '1', '1', 'BYTE'], ['BITCOUNT', 's', '5', '30', 'BIT'],
    ['BITCOUNT', 's', '-3', '-1', 'bit'], ['BITCOUNT', 's', '1'], ['BITCOUNT', 's', '1', '2', '3'], ['BITCOUNT', 's', 'a', 'b'], ['BITCOUNT', 's', '1', '2', 'BOO'],
    ['BITCOUNT', 's', '-1', '-2', 'BOO'], ['BITCOUNT', 'nope', 'a'], ['BITCOUNT', 's', '-9223372036854775807', '-9223372036854775808'],
    ['BITCOUNT', 's', '-9223372036854775808', '9223372036854775807', 'BIT'], ['BITCOUNT', 's', '0', '100000'], ['BITCOUNT', 's', '1', 'x'],
    ['BITPOS', 's', '1'], ['BITPOS', 's', '0'], ['BITPOS', 's', '2'], ['BITPOS', 's', 'x'], ['BITPOS', 'nope', '1'], ['BITPOS', 'nope', '0', 'x'],
    ['BITPOS', 's', '1', '2'], ['BITPOS', 's', '0', '2', '-1'], ['BITPOS', 's', '0', '2', '-1', 'BIT'], ['BITPOS', 's', '1', '7', '15', 'BIT'],
    ['BITPOS', 's', '0', '1', '2', '3', '4'], ['BITPOS', 's', '1', '1', 'x', 'foo'], ['BITPOS', 's', '1', '1', '2', 'bytes'], ['BITPOS', 's', '1', 'x'],
    ['SET', 'ff', '\xff\xff\xff'], ['BITPOS', 'ff', '0'], ['BITPOS', 'ff', '0', '1'], ['BITPOS', 'ff', '0', '0', '-1'], ['BITPOS', 'ff', '0', '3', '20', 'bit'],
    ['SET', 'z', '\x00\x00\x00'], ['BITPOS', 'z', '1'], ['BITPOS', 'z', '0', '1'], ['BITPOS', 'z', '1', '3', '20', 'bit'], ['BITPOS', 'z', '0', '3', '20', 'bit'],
    ['SET', 'e', ''], ['BITCOUNT', 'e'], ['BITPOS', 'e', '0'], ['BITPOS', 'e', '1'], ['BITPOS', 'e', '0', '0', '-1'],
    ['HSET', 'h', 'f', 'v'], ['BITCOUNT', 'h'], ['BITPOS', 'h', '1'], ['BITPOS', 'h', '3'], ['BITCOUNT'], ['BITPOS', 's'],
  ];

recordedSuite('v74-bitmap', {
  'BITCOUNT and BITPOS argument handling, RESP2': args,
  'BITCOUNT and BITPOS argument handling, RESP3': [{ cmd: ['HELLO', '3'], ignore: true }, ...args],
  'errors before the key: missing keys, wrong types': [
    ['BITCOUNT', 'nope', '0'], ['BITCOUNT', 'nope', '0', '1', 'hello'], ['BITCOUNT', 'nope', '0', '1', 'hello', 'hello2'], ['BITCOUNT', 'nope', 'a', 'b'],
    ['BITPOS', 'nope', '0', '1', 'hello', 'hello2'], ['BITPOS', 'nope', '0', '0', '1', 'hello'], ['BITPOS', 'nope', 'b'], ['BITPOS', 'nope', '0', 'a', 'b'],
    ['BITPOS', 'nope', '1', '0', 'a', 'bit'], ['BITPOS', 'nope', '1', '0', '1', 'bitx'],
    ['LPUSH', 'l', 'a'], ['BITCOUNT', 'l', 'a', 'b'], ['BITCOUNT', 'l', '0', '1'], ['BITCOUNT', 'l'], ['BITPOS', 'l', 'a'], ['BITPOS', 'l', '1', 'a', 'b'],
    ['BITPOS', 'l', '1', '0'], ['BITPOS', 'nope', '1', '0'], ['BITPOS', 'nope', '0', '0', '5', 'BIT'], ['BITCOUNT', 'nope', '0', '5', 'BIT'],
  ],
});
