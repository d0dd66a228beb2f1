/**
 * Hash field expiration as Redis 7.4.1 has it, against recorded replies
 * (compat/recorded.ts): HEXPIRE HPEXPIRE HEXPIREAT HPEXPIREAT, HTTL HPTTL
 * HEXPIRETIME HPEXPIRETIME, HPERSIST with their conditions and errors, the
 * listpackex order, lazy expiry seen by every hash command, and the
 * hashtable encoding (orders compared unordered there).
 */
import { recordedSuite } from './recorded.ts';
import type { Script, Step } from './harness.ts';

/** A time far ahead (2100-01-01) so absolute TTLs read back the same in any run. */
const FAR = 4102444800000;
const FAR_S = FAR / 1000;

const u = (...cmd: (string | number)[]): Step => ({ cmd, unordered: true });

const hashtable: Script = [['CONFIG', 'SET', 'hash-max-listpack-entries', '0']];
const listpack: Script = [['CONFIG', 'SET', 'hash-max-listpack-entries', '128']];

/** The same script for both encodings: listpack(ex) order compared as is, hashtable order unordered. */
function both(script: (ordered: (...cmd: (string | number)[]) => Step | (string | number)[]) => Script): Record<string, Script> {
  return {
    listpackex: [...listpack, ...script((...cmd) => cmd)],
    hashtable: [...hashtable, ...script(u), ...listpack],
  };
}

const setters = both((o) => [
  ['HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5'], ['OBJECT', 'ENCODING', 'h'],
  ['HPEXPIREAT', 'h', FAR + 3000, 'FIELDS', '2', 'c', 'a'], ['OBJECT', 'ENCODING', 'h'], o('HGETALL', 'h'),
  ['HPEXPIREAT', 'h', FAR + 1000, 'FIELDS', '1', 'e'], o('HKEYS', 'h'), ['HPEXPIREAT', 'h', FAR + 3000, 'FIELDS', '1', 'b'], o('HKEYS', 'h'),
  ['HPEXPIRETIME', 'h', 'FIELDS', '6', 'a', 'b', 'c', 'd', 'e', 'zz'], ['HEXPIRETIME', 'h', 'FIELDS', '3', 'a', 'd', 'e'],
  ['HPEXPIREAT', 'h', FAR + 5000, 'NX', 'FIELDS', '3', 'a', 'd', 'zz'], ['HPEXPIREAT', 'h', FAR + 4000, 'XX', 'FIELDS', '3', 'a', 'e', 'zz'],
  ['HSET', 'h', 'f', '6'], ['HPEXPIREAT', 'h', FAR + 4000, 'XX', 'FIELDS', '1', 'f'], ['HPEXPIREAT', 'h', FAR + 4000, 'GT', 'FIELDS', '1', 'f'],
  ['HPEXPIREAT', 'h', FAR + 4000, 'LT', 'FIELDS', '1', 'f'], ['HPEXPIREAT', 'h', FAR + 4500, 'GT', 'FIELDS', '3', 'a', 'b', 'c'],
  ['HPEXPIREAT', 'h', FAR + 2000, 'LT', 'FIELDS', '3', 'a', 'b', 'c'], ['HPEXPIREAT', 'h', FAR + 2000, 'lt', 'FIELDS', '1', 'c'],
  ['HPEXPIRETIME', 'h', 'FIELDS', '6', 'a', 'b', 'c', 'd', 'e', 'f'], o('HGETALL', 'h'),
  ['HEXPIREAT', 'h', FAR_S, 'FIELDS', '2', 'd', 'd'], ['HEXPIRETIME', 'h', 'FIELDS', '1', 'd'],
  ['HEXPIRE', 'h', '100', 'FIELDS', '1', 'a'], ['HTTL', 'h', 'FIELDS', '2', 'a', 'nofield'],
  ['HPEXPIRE', 'h', '100000', 'FIELDS', '1', 'b'], ['HTTL', 'h', 'FIELDS', '1', 'b'],
  ['HSET', 'h', 'a', 'new'], ['HTTL', 'h', 'FIELDS', '1', 'a'], o('HGETALL', 'h'),
  ['HINCRBY', 'h', 'c', '5'], ['HPEXPIRETIME', 'h', 'FIELDS', '1', 'c'], ['HINCRBYFLOAT', 'h', 'c', '0.5'], ['HPEXPIRETIME', 'h', 'FIELDS', '1', 'c'],
  ['HSETNX', 'h', 'c', 'x'], ['HGET', 'h', 'c'], o('HGETALL', 'h'), ['HLEN', 'h'],
  ['HPERSIST', 'h', 'FIELDS', '4', 'c', 'd', 'a', 'nofield'], ['HPERSIST', 'h', 'FIELDS', '1', 'c'], o('HGETALL', 'h'), ['OBJECT', 'ENCODING', 'h'],
  ['HPERSIST', 'h', 'FIELDS', '6', 'a', 'b', 'c', 'd', 'e', 'f'], ['OBJECT', 'ENCODING', 'h'], ['HTTL', 'h', 'FIELDS', '2', 'a', 'b'],
]);

const past = both((o) => [
  ['HSET', 'p', 'a', '1', 'b', '2', 'c', '3'], ['HEXPIREAT', 'p', '1', 'FIELDS', '3', 'a', 'nofield', 'a'], o('HGETALL', 'p'),
  ['HPEXPIRE', 'p', '0', 'FIELDS', '1', 'b'], ['HPEXPIREAT', 'p', FAR, 'FIELDS', '1', 'c'], ['HPEXPIREAT', 'p', '0', 'GT', 'FIELDS', '1', 'c'],
  ['HPEXPIREAT', 'p', '0', 'LT', 'FIELDS', '1', 'c'], ['EXISTS', 'p'], ['HSET', 'q', 'x', '1'], ['HEXPIRE', 'q', '0', 'NX', 'FIELDS', '1', 'x'],
  ['EXISTS', 'q'], ['HPERSIST', 'p', 'FIELDS', '1', 'c'], ['HPEXPIRE', 'nokey', '0', 'FIELDS', '2', 'a', 'b'],
]);

const lazy = both((o) => [
  ['DEBUG', 'SET-ACTIVE-EXPIRE', '0'],
  ['HSET', 'l', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '6'], ['HPEXPIRE', 'l', '20', 'FIELDS', '4', 'a', 'b', 'c', 'd'],
  ['DEBUG', 'SLEEP', '0.05'], ['HLEN', 'l'], o('HGETALL', 'l'), o('HKEYS', 'l'), o('HVALS', 'l'), o('HSCAN', 'l', '0'),
  ['HTTL', 'l', 'FIELDS', '3', 'a', 'e', 'nofield'], ['HPERSIST', 'l', 'FIELDS', '2', 'a', 'e'], ['HLEN', 'l'],
  ['HGET', 'l', 'a'], ['HLEN', 'l'], ['HEXISTS', 'l', 'b'], ['HLEN', 'l'], ['HSTRLEN', 'l', 'c'], ['HLEN', 'l'],
  ['HMGET', 'l', 'd', 'e', 'd', 'nofield'], ['HLEN', 'l'], o('HGETALL', 'l'),
  ['HSET', 'm', 'a', '1', 'b', '2'], ['HPEXPIRE', 'm', '20', 'FIELDS', '2', 'a', 'b'], ['DEBUG', 'SLEEP', '0.05'],
  ['EXISTS', 'm'], ['HLEN', 'm'], ['HGET', 'm', 'a'], ['EXISTS', 'm'], ['HINCRBY', 'm', 'b', '10'], ['HGETALL', 'm'], ['HTTL', 'm', 'FIELDS', '1', 'b'],
  ['HSET', 'n', 'a', '1', 'b', '2'], ['HPEXPIRE', 'n', '20', 'FIELDS', '1', 'a'], ['DEBUG', 'SLEEP', '0.05'],
  ['HSETNX', 'n', 'a', 'again'], ['HGETALL', 'n'], ['HDEL', 'n', 'a'],
  ['HSET', 'r', 'a', '1', 'b', '2', 'c', '3'], ['HPEXPIRE', 'r', '20', 'FIELDS', '2', 'a', 'b'], ['DEBUG', 'SLEEP', '0.05'],
  ['HRANDFIELD', 'r', '5'], ['HLEN', 'r'], ['HRANDFIELD', 'r'],
  ['HSET', 'k', 'a', '1'], ['HPEXPIRE', 'k', '20', 'FIELDS', '1', 'a'], ['DEBUG', 'SLEEP', '0.05'], ['HRANDFIELD', 'k', '-3'], ['EXISTS', 'k'],
  ['HSET', 'x', 'a', '1', 'b', '2'], ['HPEXPIRE', 'x', '20', 'FIELDS', '2', 'a', 'b'], ['DEBUG', 'SLEEP', '0.05'], ['HSCAN', 'x', '0'],
  ['HGETALL', 'x'], ['HKEYS', 'x'], ['HLEN', 'x'], ['HMGET', 'x', 'a', 'b', 'c'], ['EXISTS', 'x'],
  ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'],
]);

const keys = both((o) => [
  ['HSET', 'src', 'a', '1', 'b', '2', 'c', '3'], ['HPEXPIREAT', 'src', FAR, 'FIELDS', '1', 'b'],
  ['RENAME', 'src', 'dst'], ['HPEXPIRETIME', 'dst', 'FIELDS', '2', 'a', 'b'], o('HGETALL', 'dst'),
  ['COPY', 'dst', 'cp'], ['HPEXPIRETIME', 'cp', 'FIELDS', '2', 'a', 'b'], ['OBJECT', 'ENCODING', 'cp'],
  ['MOVE', 'cp', '9'], ['SELECT', '9'], ['HPEXPIRETIME', 'cp', 'FIELDS', '2', 'a', 'b'], ['FLUSHDB'], ['SELECT', '0'],
  ['HSET', 'big', 'f', 'x'.repeat(100)], ['HPEXPIREAT', 'big', FAR, 'FIELDS', '1', 'f'], ['OBJECT', 'ENCODING', 'big'],
  ['HSET', 'grow', 'a', '1'], ['HPEXPIREAT', 'grow', FAR, 'FIELDS', '1', 'a'], ['HSET', 'grow', 'b', 'y'.repeat(70)],
  ['OBJECT', 'ENCODING', 'grow'], ['HPEXPIRETIME', 'grow', 'FIELDS', '2', 'a', 'b'],
  ['HSET', 'h1', 'a', '1'], ['HPEXPIRETIME', 'h1', 'FIELDS', '1', 'a'], ['HPERSIST', 'h1', 'FIELDS', '1', 'a'], ['OBJECT', 'ENCODING', 'h1'],
  ['HPEXPIREAT', 'h1', FAR, 'FIELDS', '1', 'nofield'], ['OBJECT', 'ENCODING', 'h1'],
]);

const errors: Script = [
  ['SET', 'str', 'x'], ['HEXPIRE', 'str', '1', 'FIELDS', '1', 'a'], ['HEXPIRE', 'str', 'x', 'FIELDS', '1', 'a'], ['HTTL', 'str', 'FIELDS', '1', 'a'],
  ['HPERSIST', 'str', 'FIELDS', '1', 'a'], ['HSET', 'h', 'a', '1'],
  ['HEXPIRE', 'h', 'x', 'FIELDS', '1', 'a'], ['HEXPIRE', 'h', '-1', 'FIELDS', '1', 'a'], ['HEXPIRE', 'h', '70368744177', 'FIELDS', '1', 'a'],
  ['HEXPIRE', 'h', '70368744178', 'FIELDS', '1', 'a'], ['HPEXPIREAT', 'h', '70368744177663', 'FIELDS', '1', 'a'], ['HPEXPIRETIME', 'h', 'FIELDS', '1', 'a'],
  ['HPEXPIREAT', 'h', '70368744177664', 'FIELDS', '1', 'a'], ['HPEXPIRE', 'h', '70368744177663', 'FIELDS', '1', 'a'],
  ['HEXPIREAT', 'h', '9223372036854775807', 'FIELDS', '1', 'a'], ['HEXPIRE', 'h', '1', 'FIELDS', '0', 'a'], ['HEXPIRE', 'h', '1', 'FIELDS', '-1', 'a'],
  ['HEXPIRE', 'h', '1', 'FIELDS', 'x', 'a'], ['HEXPIRE', 'h', '1', 'FIELDS', '2', 'a'], ['HEXPIRE', 'h', '1', 'FIELDS', '1', 'a', 'b'],
  ['HEXPIRE', 'h', '1', 'FIELD', '1', 'a'], ['HEXPIRE', 'h', '1', 'NX', 'XX', 'FIELDS', '1', 'a'], ['HEXPIRE', 'h', '1', 'YY', 'FIELDS', '1', 'a'],
  ['HEXPIRE', 'h', '1', 'FIELDS', '1'], ['HEXPIRE', 'h', '1', 'NX', 'FIELDS', '1'], ['HTTL', 'h', 'FIELDS', '1'], ['HTTL', 'h', 'FIELD', '1', 'a'],
  ['HTTL', 'h', 'FIELDS', '0', 'a'], ['HTTL', 'h', 'FIELDS', 'x', 'a'], ['HTTL', 'h', 'FIELDS', '2', 'a'], ['HPTTL', 'h', 'a', '1', 'a'],
  ['HPERSIST', 'h', 'FIELDS', '0', 'a'], ['HPERSIST', 'h', 'fields', '1', 'a'], ['HPERSIST', 'h', 'FIELDS', '1', 'a', 'b'],
  ['HTTL', 'nokey', 'FIELDS', '2', 'a', 'b'], ['HPTTL', 'nokey', 'FIELDS', '1', 'a'], ['HEXPIRETIME', 'nokey', 'FIELDS', '1', 'a'],
  ['HPERSIST', 'nokey', 'FIELDS', '1', 'a'], ['HTTL', 'nokey', 'FIELDS', '0', 'a'], ['HEXPIRE', 'nokey', '1', 'FIELDS', '3', 'a', 'b', 'c'],
  ['hexpire', 'h', '100', 'nx', 'fields', '1', 'a'], ['HTTL', 'h', 'fields', '1', 'a'],
];

recordedSuite('v74-hfe', {
  ...Object.fromEntries(Object.entries(setters).map(([k, v]) => [`setters and readers (${k})`, v])),
  ...Object.fromEntries(Object.entries(past).map(([k, v]) => [`a time already past deletes (${k})`, v])),
  ...Object.fromEntries(Object.entries(lazy).map(([k, v]) => [`lazy expiry through every command (${k})`, v])),
  ...Object.fromEntries(Object.entries(keys).map(([k, v]) => [`RENAME COPY MOVE and conversions keep TTLs (${k})`, v])),
  'errors and missing keys': errors,
});
