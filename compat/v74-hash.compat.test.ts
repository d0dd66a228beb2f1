/**
 * Hash commands as Redis 7.4.1 has them, against recorded replies
 * (compat/recorded.ts): HSCAN … NOVALUES, and the error the other SCANs give for it.
 */
import { recordedSuite } from './recorded.ts';
import type { Script } from './harness.ts';

const fields = (n: number, prefix: string): string[] => Array.from({ length: n }, (_, i) => [`${prefix}${i}`, `v${i}`]).flat();

const noValues: Script = [
  ['HSET', 'h', 'a', '1', 'b', '2', 'ab', '3', 'c', '', '12', '34'], ['OBJECT', 'ENCODING', 'h'],
  ['HSCAN', 'h', '0'], ['HSCAN', 'h', '0', 'NOVALUES'], ['HSCAN', 'h', '0', 'novalues'], ['HSCAN', 'h', '0', 'MATCH', 'a*', 'NOVALUES'],
  ['HSCAN', 'h', '0', 'NOVALUES', 'MATCH', '*b'], ['HSCAN', 'h', '0', 'NOVALUES', 'COUNT', '1'], ['HSCAN', 'h', '0', 'NOVALUES', 'NOVALUES'],
  ['HSCAN', 'h', '0', 'COUNT', '2', 'NOVALUES', 'MATCH', '1*'], ['HSCAN', 'h', '0', 'MATCH', 'zz*', 'NOVALUES'],
  ['HSCAN', 'h', '0', 'NOVALUES', 'MATCH'], ['HSCAN', 'h', '0', 'NOVALUES', 'COUNT'], ['HSCAN', 'h', '0', 'NOVALUES', 'COUNT', '0'],
  ['HSCAN', 'h', '0', 'NOVALUES', 'COUNT', 'x'], ['HSCAN', 'h', '0', 'NOVALUES', 'bogus'], ['HSCAN', 'h', '0', 'NOVALUE'],
  ['HSCAN', 'h', '0', 'TYPE', 'string', 'NOVALUES'], ['HSCAN', 'h', 'x', 'NOVALUES'], ['HSCAN', 'nokey', '0', 'NOVALUES'],
  ['HSCAN', 'nokey', '0', 'NOVALUES', 'bogus'], ['HSCAN', 'nokey', 'x', 'NOVALUES'], ['SET', 'str', 'x'], ['HSCAN', 'str', '0', 'NOVALUES'],
  ['HSCAN', 'str', 'x', 'NOVALUES'], ['HSCAN', 'h'], ['HSCAN', 'h', '0', 'NOVALUES', 'x', 'y'],
];

const otherScans: Script = [
  ['SADD', 's', 'a', 'b'], ['SADD', 'is', '1', '2'], ['ZADD', 'z', '1', 'a'], ['SET', 'str', 'x'],
  ['SSCAN', 's', '0', 'NOVALUES'], ['SSCAN', 'is', '0', 'NOVALUES'], ['SSCAN', 's', '0', 'novalues', 'COUNT', '0'],
  ['SSCAN', 's', '0', 'COUNT', '0', 'NOVALUES'], ['SSCAN', 's', '0', 'MATCH', 'a', 'NOVALUES'], ['SSCAN', 'nokey', '0', 'NOVALUES'],
  ['SSCAN', 'str', '0', 'NOVALUES'], ['ZSCAN', 'z', '0', 'NOVALUES'], ['ZSCAN', 'z', '0', 'bogus', 'NOVALUES'], ['ZSCAN', 'nokey', '0', 'NOVALUES'],
  ['ZSCAN', 'str', '0', 'NOVALUES'], ['SCAN', '0', 'NOVALUES'], ['SCAN', '0', 'TYPE', 'string', 'NOVALUES'], ['SCAN', '0', 'NOVALUES', 'TYPE'],
  ['SCAN', 'x', 'NOVALUES'], ['SCAN', '0', 'COUNT', '0', 'NOVALUES'], ['SCAN', '0', 'MATCH', 'nomatch*', 'TYPE', 'hash'],
  ['HSET', 'h', 'f', 'v'], ['SCAN', '0', 'MATCH', 'h', 'TYPE', 'hash'], ['SCAN', '0', 'COUNT'], ['SCAN', '0', 'TYPE'],
];

/** A hash past the listpack limit: every field in one call (COUNT past its size), order compared unordered. */
const bigHash: Script = [
  ['CONFIG', 'SET', 'hash-max-listpack-entries', '16'], ['HSET', 'big', ...fields(100, 'f')], ['OBJECT', 'ENCODING', 'big'],
  { cmd: ['HSCAN', 'big', '0', 'COUNT', '1000', 'NOVALUES'], unordered: true },
  { cmd: ['HSCAN', 'big', '0', 'COUNT', '1000', 'MATCH', 'f1*', 'NOVALUES'], unordered: true },
  { cmd: ['HSCAN', 'big', '0', 'NOVALUES', 'COUNT', '1000'], unordered: true },
  { cmd: ['HSCAN', 'big', '0', 'COUNT', '1000'], unordered: true },
  ['HSCAN', 'big', '0', 'NOVALUES', 'COUNT', '-1'], ['HSCAN', 'big', '0', 'NOVALUES', 'MATCH'],
  ['CONFIG', 'SET', 'hash-max-listpack-entries', '128'],
];

const resp3 = (s: Script): Script => [{ cmd: ['HELLO', '3'], ignore: true }, ...s];

recordedSuite('v74-hash', {
  'HSCAN NOVALUES (listpack), RESP2': noValues,
  'HSCAN NOVALUES (listpack), RESP3': resp3(noValues),
  'NOVALUES refused by SCAN, SSCAN, ZSCAN': otherScans,
  'HSCAN NOVALUES (hashtable), RESP2': bigHash,
  'HSCAN NOVALUES (hashtable), RESP3': resp3(bigHash),
});
