/**
 * Sets as Redis 7.4.1 has them, against recorded replies (compat/recorded.ts):
 * Redis 7.2's listpack encoding of small sets (set-max-listpack-entries /
 * -value), the conversions between intset, listpack and hashtable, and the
 * order small sets list their members in (a listpack's is insertion order).
 * SPOP / SRANDMEMBER pick at random: only their counts, the members left
 * and the deterministic cases (a count of at least the size) are compared.
 */
import { recordedSuite } from './recorded.ts';
import type { Script, Step } from './harness.ts';

const range = (from: number, to: number, prefix = ''): string[] => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);
const U = (...cmd: string[]): Step => ({ cmd, unordered: true });
const resp3 = (s: Script): Script => [{ cmd: ['HELLO', '3'], ignore: true }, ...s];

const config: Script = [
  ['CONFIG', 'GET', 'set-max-listpack-entries'], ['CONFIG', 'GET', 'set-max-listpack-value'], U('CONFIG', 'GET', 'set-max-*'),
  ['CONFIG', 'SET', 'set-max-listpack-entries', '3'], ['CONFIG', 'GET', 'set-max-listpack-entries'],
  ['CONFIG', 'SET', 'set-max-listpack-value', '0'], ['CONFIG', 'GET', 'set-max-listpack-value'],
  ['CONFIG', 'SET', 'set-max-listpack-entries', '-1'], ['CONFIG', 'SET', 'set-max-listpack-entries', 'abc'],
  ['CONFIG', 'SET', 'set-max-listpack-value', '9223372036854775808'], ['CONFIG', 'SET', 'set-max-listpack-entries', '1kb'],
  ['CONFIG', 'SET', 'set-max-listpack-entries', '128', 'set-max-listpack-value', '64'], U('CONFIG', 'GET', 'set-max-listpack*'),
];

/** Every way a set changes form, and what OBJECT ENCODING says on the way. */
const conversions: Script = [
  // a non-integer: listpack from the start, or an intset turning into one
  ['SADD', 's', 'a'], ['OBJECT', 'ENCODING', 's'], ['SADD', 'i', '3', '1', '2'], ['OBJECT', 'ENCODING', 'i'],
  ['SADD', 'i', 'x'], ['OBJECT', 'ENCODING', 'i'], ['SMEMBERS', 'i'], ['SADD', 'i', '0', '-5'], ['SMEMBERS', 'i'],
  ['SREM', 'i', 'x'], ['OBJECT', 'ENCODING', 'i'], ['SMEMBERS', 'i'],
  ['SADD', 'mixed', '5', 'b', '4', 'a'], ['OBJECT', 'ENCODING', 'mixed'], ['SMEMBERS', 'mixed'],
  ['SADD', 'first', 'a', '3', '2', '1'], ['OBJECT', 'ENCODING', 'first'], ['SMEMBERS', 'first'],
  // listpack → hashtable past 128 members or 64 bytes
  ['SADD', 'p', ...range(0, 127, 'm')], ['OBJECT', 'ENCODING', 'p'], ['SADD', 'p', 'm127'], ['OBJECT', 'ENCODING', 'p'],
  ['SADD', 'p', 'm128'], ['OBJECT', 'ENCODING', 'p'], ['SREM', 'p', ...range(1, 129, 'm')], ['OBJECT', 'ENCODING', 'p'], ['SMEMBERS', 'p'],
  ['SADD', 'l', 'a', 'x'.repeat(64)], ['OBJECT', 'ENCODING', 'l'], ['SADD', 'l', 'y'.repeat(65)], ['OBJECT', 'ENCODING', 'l'],
  ['SADD', 'l2', 'z'.repeat(65)], ['OBJECT', 'ENCODING', 'l2'],
  // intset → hashtable: past set-max-intset-entries, or a non-integer that a listpack would not take
  ['SADD', 'big', ...range(0, 512)], ['OBJECT', 'ENCODING', 'big'], ['SADD', 'big', '512'], ['OBJECT', 'ENCODING', 'big'],
  ['SADD', 'i128', ...range(0, 128)], ['SADD', 'i128', 'x'], ['OBJECT', 'ENCODING', 'i128'],
  ['SADD', 'i127', ...range(0, 127)], ['SADD', 'i127', 'x'], ['OBJECT', 'ENCODING', 'i127'], ['SADD', 'i127', 'y'], ['OBJECT', 'ENCODING', 'i127'],
  ['SADD', 'ilong', '1'], ['SADD', 'ilong', 'w'.repeat(65)], ['OBJECT', 'ENCODING', 'ilong'],
  // SADD of many members: the form for all of them first (setTypeCreate / setTypeMaybeConvert)
  ['SADD', 'many', 'a', ...range(0, 128)], ['OBJECT', 'ENCODING', 'many'], ['SCARD', 'many'],
  ['SADD', 'many2', 'a', ...range(0, 127)], ['OBJECT', 'ENCODING', 'many2'],
  ['SADD', 'dups', ...Array<string>(129).fill('a')], ['OBJECT', 'ENCODING', 'dups'], ['SCARD', 'dups'], ['SMEMBERS', 'dups'],
  ['SADD', 'dups2', ...Array<string>(128).fill('a')], ['OBJECT', 'ENCODING', 'dups2'],
  ['SADD', 'idups', ...Array<string>(513).fill('7')], ['OBJECT', 'ENCODING', 'idups'], ['SMEMBERS', 'idups'],
  ['SADD', 'grow', 'a', 'b'], ['SADD', 'grow', ...Array<string>(129).fill('a')], ['OBJECT', 'ENCODING', 'grow'],
  ['SADD', 'igrow', '1', '2'], ['SADD', 'igrow', ...Array<string>(513).fill('1')], ['OBJECT', 'ENCODING', 'igrow'],
  ['SADD', 'igrow2', '1', '2'], ['SADD', 'igrow2', ...Array<string>(200).fill('1')], ['OBJECT', 'ENCODING', 'igrow2'],
  // SMOVE into a new key: an intset for an integer, a listpack for a string
  ['SADD', 'src', '9', 'q', '8'], ['SMOVE', 'src', 'n1', '9'], ['OBJECT', 'ENCODING', 'n1'], ['SMOVE', 'src', 'n2', 'q'], ['OBJECT', 'ENCODING', 'n2'],
  ['SMOVE', 'src', 'n2', '8'], ['OBJECT', 'ENCODING', 'n2'], ['SMEMBERS', 'n2'], ['EXISTS', 'src'],
  // COPY keeps the form
  ['COPY', 'mixed', 'mixed2'], ['OBJECT', 'ENCODING', 'mixed2'], ['SMEMBERS', 'mixed2'], ['COPY', 'p', 'p2'], ['OBJECT', 'ENCODING', 'p2'],
];

/** The same under other limits. */
const otherLimits: Script = [
  ['CONFIG', 'SET', 'set-max-intset-entries', '3'],
  ['SADD', 'a', '5', '3', '1', '4'], ['OBJECT', 'ENCODING', 'a'], ['SMEMBERS', 'a'],
  ['SADD', 'b', '3', '2', '1'], ['OBJECT', 'ENCODING', 'b'], ['SADD', 'b', '4'], ['OBJECT', 'ENCODING', 'b'],
  ['SADD', 'c', '1', '2'], ['SADD', 'c', '3', '4'], ['OBJECT', 'ENCODING', 'c'],
  ['SINTERSTORE', 'd', 'a', 'a'], ['OBJECT', 'ENCODING', 'd'], ['SMEMBERS', 'd'],
  ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
  ['SINTERSTORE', 'd', 'a', 'a'], ['OBJECT', 'ENCODING', 'd'], ['SMEMBERS', 'd'],
  ['CONFIG', 'SET', 'set-max-listpack-entries', '4'],
  ['SADD', 'e', 'a', 'b', 'c', 'd'], ['OBJECT', 'ENCODING', 'e'], ['SADD', 'e', 'f'], ['OBJECT', 'ENCODING', 'e'],
  ['SADD', 'f', 'a', 'b', 'c', 'd', 'e'], ['OBJECT', 'ENCODING', 'f'],
  ['SADD', 'g', '1', '2', '3', '4'], ['SADD', 'g', 'x'], ['OBJECT', 'ENCODING', 'g'],
  ['SADD', 'h', '1', '2', '3'], ['SADD', 'h', 'x'], ['OBJECT', 'ENCODING', 'h'], ['SMEMBERS', 'h'],
  ['CONFIG', 'SET', 'set-max-listpack-entries', '0'], ['SADD', 'z', 'a'], ['OBJECT', 'ENCODING', 'z'], ['SADD', 'z2', '1'], ['OBJECT', 'ENCODING', 'z2'],
  ['SADD', 'z2', 'b'], ['OBJECT', 'ENCODING', 'z2'],
  ['CONFIG', 'SET', 'set-max-listpack-entries', '1000'],
  ['SADD', 'k', ...range(0, 300, 'k')], ['OBJECT', 'ENCODING', 'k'], ['SMEMBERS', 'k'], ['SREM', 'k', 'k0', 'k1'], ['SCARD', 'k'],
  ['SSCAN', 'k', '0', 'MATCH', 'k29?'], ['SISMEMBER', 'k', 'k299'], ['SPOP', 'k', '1000'], ['EXISTS', 'k'],
  ['CONFIG', 'SET', 'set-max-listpack-entries', '128'],
  ['CONFIG', 'SET', 'set-max-listpack-value', '3'],
  ['SADD', 'v', 'abc'], ['OBJECT', 'ENCODING', 'v'], ['SADD', 'v', 'abcd'], ['OBJECT', 'ENCODING', 'v'],
  ['SADD', 'w', '-10'], ['SADD', 'w', 'a'], ['OBJECT', 'ENCODING', 'w'], ['SADD', 'w2', '-100'], ['SADD', 'w2', 'a'], ['OBJECT', 'ENCODING', 'w2'],
  ['SADD', 'w3', '1000', '1'], ['SADD', 'w3', '12345'], ['OBJECT', 'ENCODING', 'w3'],
  ['CONFIG', 'SET', 'set-max-listpack-value', '64'],
];

/** The order small sets list their members in. */
const orders: Script = [
  ['SADD', 'a', 'x', 'y', 'z', '1', 'w'], ['SADD', 'b', '3', 'y', 'w', '1'], ['SADD', 'c', 'w', 'q', 'y'], ['SADD', 'i', '5', '1', '3'],
  ['SMEMBERS', 'a'], ['SMEMBERS', 'b'], ['SMEMBERS', 'i'], ['SSCAN', 'a', '0'], ['SSCAN', 'b', '0', 'MATCH', '*', 'COUNT', '1'], ['SSCAN', 'a', '0', 'MATCH', '[xyz]'],
  ['SINTER', 'a', 'b'], ['SINTER', 'b', 'a'], ['SINTER', 'a', 'c'], ['SINTER', 'c', 'b', 'a'], ['SINTER', 'a', 'i'], ['SINTERCARD', '2', 'a', 'b'],
  ['SUNION', 'a', 'b'], ['SUNION', 'b', 'a'], ['SUNION', 'i', 'c'], ['SUNION', 'c', 'i', 'nope'], ['SUNION', 'i', 'i'],
  ['SDIFF', 'a', 'b'], ['SDIFF', 'b', 'a'], ['SDIFF', 'a', 'c', 'nope'], ['SDIFF', 'b', 'i'], ['SDIFF', 'a', 'a'],
  ['SINTERSTORE', 'd1', 'a', 'b'], ['OBJECT', 'ENCODING', 'd1'], ['SMEMBERS', 'd1'],
  ['SUNIONSTORE', 'd2', 'b', 'a'], ['OBJECT', 'ENCODING', 'd2'], ['SMEMBERS', 'd2'],
  ['SDIFFSTORE', 'd3', 'a', 'c'], ['OBJECT', 'ENCODING', 'd3'], ['SMEMBERS', 'd3'],
  ['SUNIONSTORE', 'd4', 'b'], ['OBJECT', 'ENCODING', 'd4'], ['SMEMBERS', 'd4'],
  ['SADD', 'ints', '9', '7', 'x', '8'], ['SREM', 'ints', 'x'], ['OBJECT', 'ENCODING', 'ints'], ['SMEMBERS', 'ints'],
  ['SUNIONSTORE', 'd5', 'ints'], ['OBJECT', 'ENCODING', 'd5'], ['SMEMBERS', 'd5'],
  ['SINTERSTORE', 'd6', 'ints', 'ints'], ['OBJECT', 'ENCODING', 'd6'], ['SMEMBERS', 'd6'],
  ['SDIFFSTORE', 'd7', 'ints', 'nope'], ['OBJECT', 'ENCODING', 'd7'], ['SMEMBERS', 'd7'],
  ['SRANDMEMBER', 'a', '5'], ['SRANDMEMBER', 'a', '100'], ['SRANDMEMBER', 'ints', '3'],
  ['SORT', 'a', 'BY', 'nosort'], ['SORT', 'a', 'ALPHA'], ['SORT', 'ints', 'BY', 'nosort'], ['SORT', 'ints'],
  ['SORT', 'a', 'BY', 'nosort', 'STORE', 'sorted'], ['LRANGE', 'sorted', '0', '-1'],
  ['SPOP', 'ints', '3'], ['EXISTS', 'ints'], ['SPOP', 'b', '4'], ['SPOP', 'a', '10'], ['EXISTS', 'a'],
  ['SMISMEMBER', 'c', 'q', 'nope', 'w'],
];

/** SPOP and SRANDMEMBER with counts: sizes, forms and what is left (which members is random). */
const randomPicks: Script = [
  ['SADD', 's', ...range(0, 20, 'm')], ['SRANDMEMBER', 's', '0'], { cmd: ['SRANDMEMBER', 's', '5'], ignore: true }, ['SCARD', 's'],
  { cmd: ['SPOP', 's', '3'], ignore: true }, ['SCARD', 's'], ['OBJECT', 'ENCODING', 's'],
  { cmd: ['SPOP', 's', '15'], ignore: true }, ['SCARD', 's'], ['OBJECT', 'ENCODING', 's'],
  ['SADD', 'n', 'a', ...range(1, 10)], ['SREM', 'n', 'a'], ['OBJECT', 'ENCODING', 'n'], { cmd: ['SPOP', 'n', '8'], ignore: true },
  ['OBJECT', 'ENCODING', 'n'], ['SCARD', 'n'],
  ['SADD', 'ih', ...range(0, 600)], ['OBJECT', 'ENCODING', 'ih'], { cmd: ['SPOP', 'ih', '590'], ignore: true }, ['OBJECT', 'ENCODING', 'ih'], ['SCARD', 'ih'],
  ['SADD', 'sh', ...range(0, 200, 'm')], { cmd: ['SPOP', 'sh', '190'], ignore: true }, ['OBJECT', 'ENCODING', 'sh'], ['SCARD', 'sh'],
  ['SADD', 'sh2', ...range(0, 200, 'm')], { cmd: ['SPOP', 'sh2', '50'], ignore: true }, ['OBJECT', 'ENCODING', 'sh2'], ['SCARD', 'sh2'],
  ['SADD', 'i', '1', '2', '3', '4', '5', '6'], { cmd: ['SPOP', 'i', '5'], ignore: true }, ['OBJECT', 'ENCODING', 'i'], ['SCARD', 'i'],
  ['SADD', 'one', 'x'], ['SRANDMEMBER', 'one', '-3'], ['SRANDMEMBER', 'one', '1'], ['SPOP', 'one', '1'], ['EXISTS', 'one'],
];

/** SDIFF's two algorithms build different forms on the way. */
const diffForms: Script = [
  ['SADD', 's0', ...range(0, 200, 'm')],
  ['SADD', 's1', ...range(0, 20, 'm')], ['SADD', 's2', ...range(20, 40, 'm')], ['SADD', 's3', ...range(40, 60, 'm')],
  ['SADD', 's4', ...range(60, 80, 'm')], ['SADD', 's5', ...range(80, 100, 'm')],
  ['SDIFFSTORE', 'd', 's0', 's1', 's2', 's3', 's4', 's5'], ['SCARD', 'd'], ['OBJECT', 'ENCODING', 'd'],
  ['SADD', 't1', ...range(0, 100, 'm')], ['SDIFFSTORE', 'd2', 's0', 't1'], ['SCARD', 'd2'], ['OBJECT', 'ENCODING', 'd2'],
  ['SADD', 'small', 'm1', 'x', 'm2', 'y'], ['SDIFFSTORE', 'd3', 'small', 's0'], ['OBJECT', 'ENCODING', 'd3'], ['SMEMBERS', 'd3'],
  ['SREM', 's0', ...range(5, 200, 'm')], ['OBJECT', 'ENCODING', 's0'], ['SINTERSTORE', 'd4', 's0', 's0'], ['OBJECT', 'ENCODING', 'd4'],
  ['SADD', 'bi', ...range(0, 600)], ['SREM', 'bi', ...range(10, 600)], ['OBJECT', 'ENCODING', 'bi'],
  ['SINTERSTORE', 'd5', 'bi', 'bi'], ['OBJECT', 'ENCODING', 'd5'], ['SMEMBERS', 'd5'],
  ['SUNIONSTORE', 'd6', 'bi'], ['OBJECT', 'ENCODING', 'd6'], ['SMEMBERS', 'd6'],
];

/** Reloads: a plain set in the file becomes a listpack again (order kept where both servers keep it). */
const reload: Script = [
  ['SADD', 'a', 'x', '1', 'y', '2'], ['SADD', 'i', '3', '1', '2'], ['SADD', 'p', ...range(0, 200, 'm')], ['SREM', 'p', ...range(3, 200, 'm')],
  ['OBJECT', 'ENCODING', 'p'], ['SADD', 'h', ...range(0, 600)], ['SREM', 'h', ...range(3, 600)],
  ['DEBUG', 'RELOAD'],
  ['OBJECT', 'ENCODING', 'a'], ['SMEMBERS', 'a'], ['OBJECT', 'ENCODING', 'i'], ['SMEMBERS', 'i'],
  ['OBJECT', 'ENCODING', 'p'], U('SMEMBERS', 'p'), ['OBJECT', 'ENCODING', 'h'], ['SMEMBERS', 'h'],
];

recordedSuite('v74-set', {
  'set-max-listpack-entries / -value: CONFIG GET / SET': config,
  'OBJECT ENCODING through every conversion': conversions,
  'conversions under other limits': otherLimits,
  'the order of small sets: SMEMBERS, SSCAN, SINTER, SUNION, SDIFF, stores, SORT, SPOP, RESP2': orders,
  'the order of small sets, RESP3': resp3(orders),
  'SPOP / SRANDMEMBER with a count': randomPicks,
  'SDIFFSTORE / SINTERSTORE forms': diffForms,
  'DEBUG RELOAD': reload,
});
