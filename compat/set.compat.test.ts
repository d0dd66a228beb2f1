/** Set family: the same scripts against shardis and a real redis-server, replies byte for byte. */
import assert from 'node:assert/strict';
import { bothProtocols, describeCompat, runScript } from './harness.ts';

const U = (...cmd: string[]): { cmd: string[]; unordered: true } => ({ cmd, unordered: true });
/**
 * OBJECT ENCODING of a set that Redis 7.4 (and shardis) keeps as a listpack
 * where 7.0.15 has a hashtable (or an intset: SPOP's survivors): sent to
 * both, not compared here; compat/v74-set.compat.test.ts compares these
 * forms with Redis 7.4.1's.
 */
const E = (key: string): { cmd: string[]; ignore: true } => ({ cmd: ['OBJECT', 'ENCODING', key], ignore: true });
const range = (from: number, to: number, prefix = ''): string[] => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}`);

describeCompat('sets', (t) => {
  t('SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS', (p) => bothProtocols(p, [
    ['SADD', 's', '3', '1', '2', '1'], ['SADD', 's', '1'], ['SMEMBERS', 's'], ['SCARD', 's'], ['SCARD', 'nope'],
    ['SISMEMBER', 's', '1'], ['SISMEMBER', 's', '01'], ['SISMEMBER', 'nope', '1'], ['SMISMEMBER', 's', '1', '9', '3'], ['SMISMEMBER', 'nope', 'a'],
    ['SMEMBERS', 'nope'], ['SADD', 'w', 'b', 'a', '2'], U('SMEMBERS', 'w'), ['SREM', 's', '1', '9'], ['SREM', 'nope', 'x'], ['SREM', 's', '2', '3', '4'],
    ['EXISTS', 's'], ['SADD', 'bin', '\x00\xff\r\n', ''], U('SMEMBERS', 'bin'), ['SISMEMBER', 'bin', ''],
    ['SET', 'str', 'v'], ['SADD', 'str', 'x'], ['SREM', 'str', 'x'], ['SMEMBERS', 'str'], ['SISMEMBER', 'str', 'x'], ['SMISMEMBER', 'str', 'x'], ['SCARD', 'str'],
    ['SADD', 's'], ['SREM', 's'], ['SMEMBERS'], ['SMEMBERS', 'a', 'b'], ['SISMEMBER', 's'], ['SMISMEMBER', 's'], ['SCARD'],
  ]));

  t('encodings and the order of intsets', [
    ['SADD', 'i', '10', '-3', '2', '9223372036854775807', '-9223372036854775808', '0', '-10', '7'], ['OBJECT', 'ENCODING', 'i'], ['SMEMBERS', 'i'],
    ['SSCAN', 'i', '0'], ['SRANDMEMBER', 'i', '8'], ['SRANDMEMBER', 'i', '100'],
    ['SADD', 'x1', '01'], E('x1'), ['SADD', 'x2', '-0'], E('x2'), ['SADD', 'x3', '+1'], E('x3'),
    ['SADD', 'x4', '9223372036854775808'], E('x4'), ['SADD', 'x5', '1', ' 2'], E('x5'),
    ['SADD', 'i', 'abc'], E('i'), ['SREM', 'i', 'abc'], E('i'),
    ['CONFIG', 'SET', 'set-max-intset-entries', '3'], ['SADD', 'small', '3', '2', '1'], ['OBJECT', 'ENCODING', 'small'], ['SADD', 'small', '4'], ['OBJECT', 'ENCODING', 'small'],
    ['SINTERSTORE', 'd', 'small', 'small'], E('d'), ['SDIFFSTORE', 'd', 'small', 'nope'], ['OBJECT', 'ENCODING', 'd'],
    ['CONFIG', 'SET', 'set-max-intset-entries', '512'], ['SADD', 'big', ...range(0, 512)], ['OBJECT', 'ENCODING', 'big'], ['SADD', 'big', '512'], ['OBJECT', 'ENCODING', 'big'],
    ['SADD', 'big2', ...range(0, 600)], ['OBJECT', 'ENCODING', 'big2'], ['SCARD', 'big2'],
  ]);

  t('SPOP', (p) => bothProtocols(p, [
    ['SPOP', 'nope'], ['SPOP', 'nope', '0'], ['SPOP', 'nope', '5'], ['SADD', 's', '5', '1', '3'], ['SPOP', 's', '0'],
    ['SPOP', 's', '-1'], ['SPOP', 's', 'x'], ['SPOP', 's', '1.5'], ['SPOP', 's', '9223372036854775808'], ['SPOP', 's', '1', '2'], ['SPOP', 'nope', '-1'],
    ['SPOP', 's', '3'], ['EXISTS', 's'], ['SADD', 's', '5', '1', '3'], ['SPOP', 's', '100'], ['EXISTS', 's'],
    ['SADD', 'h', '5', 'x', '3', '1'], ['SREM', 'h', 'x'], E('h'), ['SPOP', 'h', '10'], ['SADD', 's', 'only'], ['SPOP', 's'], ['EXISTS', 's'], ['SADD', 'w', 'a', 'b'], U('SPOP', 'w', '2'),
    ['SET', 'str', 'v'], ['SPOP', 'str'], ['SPOP', 'str', '1'], ['SPOP', 'str', '0'], ['SPOP', 'str', '-1'], ['SPOP'],
  ]));

  t('SPOP with count: sizes of the reply and of what is left', async (p) => {
    for (const client of [p.redis, p.shardis]) {
      await client.call('SADD', 'h', ...range(0, 100, 'm'));
      await client.call('SADD', 'i', ...range(0, 100));
    }
    const sizeOf = async (...cmd: string[]): Promise<void> => {
      const [a, b] = await Promise.all([p.redis.call(...cmd), p.shardis.call(...cmd)]);
      assert.equal((b as string[]).length, (a as string[]).length, cmd.join(' '));
      assert.equal(new Set(b as string[]).size, (b as string[]).length, 'distinct');
    };
    for (const n of ['1', '10', '30', '50']) {
      await sizeOf('SPOP', 'h', n);
      await sizeOf('SPOP', 'i', n);
    }
    await runScript(p, [['SCARD', 'h'], ['SCARD', 'i'], ['OBJECT', 'ENCODING', 'i'], ['EXISTS', 'h']]);
  });

  t('SRANDMEMBER', (p) => bothProtocols(p, [
    ['SRANDMEMBER', 'nope'], ['SRANDMEMBER', 'nope', '3'], ['SRANDMEMBER', 'nope', '-3'], ['SRANDMEMBER', 'nope', '0'],
    ['SADD', 's', 'a'], ['SRANDMEMBER', 's'], ['SRANDMEMBER', 's', '1'], ['SRANDMEMBER', 's', '-3'], ['SRANDMEMBER', 's', '0'], ['SRANDMEMBER', 's', '5'],
    ['SADD', 'i', '3', '2', '1'], ['SRANDMEMBER', 'i', '3'], ['SRANDMEMBER', 'i', '10'],
    ['SADD', 'w', 'x', 'y'], U('SRANDMEMBER', 'w', '2'), U('SRANDMEMBER', 'w', '20'),
    ['SRANDMEMBER', 's', '-9223372036854775808'], ['SRANDMEMBER', 's', '9223372036854775808'], ['SRANDMEMBER', 's', 'x'],
    ['SRANDMEMBER', 's', '1', '2'], ['SRANDMEMBER', 'nope', 'x'], ['SRANDMEMBER', 'nope', '-9223372036854775808'],
    ['SET', 'str', 'v'], ['SRANDMEMBER', 'str'], ['SRANDMEMBER', 'str', '2'], ['SRANDMEMBER', 'str', '0'], ['SRANDMEMBER', 'str', 'x'], ['SRANDMEMBER'],
  ]));

  t('SRANDMEMBER with count: reply sizes', async (p) => {
    for (const client of [p.redis, p.shardis]) {
      await client.call('SADD', 'h', ...range(0, 100, 'm'));
      await client.call('SADD', 'i', ...range(0, 100));
    }
    for (const key of ['h', 'i']) {
      for (const n of ['1', '2', '20', '40', '99', '100', '101', '-1', '-250']) {
        const [a, b] = await Promise.all([p.redis.call('SRANDMEMBER', key, n), p.shardis.call('SRANDMEMBER', key, n)]);
        assert.equal((b as string[]).length, (a as string[]).length, `SRANDMEMBER ${key} ${n}`);
        if (!n.startsWith('-')) assert.equal(new Set(b as string[]).size, (b as string[]).length);
      }
    }
  });

  t('SMOVE', [
    ['SADD', 'src', '1', 'a', 'b'], ['SADD', 'dst', '2', '3'], ['SMOVE', 'src', 'dst', 'a'], E('dst'), U('SMEMBERS', 'dst'),
    ['SMOVE', 'src', 'dst', 'zz'], ['SMOVE', 'nope', 'dst', 'a'], ['SMOVE', 'src', 'src', 'b'], ['SMOVE', 'src', 'src', 'zz'],
    ['SADD', 'dst', '1'], ['SMOVE', 'src', 'dst', '1'], ['SMEMBERS', 'src'], ['SMOVE', 'src', 'dst', 'b'], ['EXISTS', 'src'], U('SMEMBERS', 'dst'),
    ['SADD', 'ints', '7'], ['SMOVE', 'ints', 'new', '7'], ['OBJECT', 'ENCODING', 'new'], ['SMEMBERS', 'new'],
    ['SET', 'str', 'v'], ['SMOVE', 'nope', 'str', 'a'], ['SMOVE', 'str', 'dst', 'a'], ['SMOVE', 'str', 'nope', 'a'], ['SMOVE', 'new', 'str', '7'], ['SMOVE', 'new', 'str', 'zz'],
    ['SMEMBERS', 'new'], ['SMOVE', 'a', 'b'], ['SMOVE', 'a', 'b', 'c', 'd'],
    ...Array.from({ length: 12 }, (_, i) => [['SADD', `from${i}`, 'm'], ['SMOVE', `from${i}`, `to${i}`, 'm'], ['EXISTS', `from${i}`], ['SMEMBERS', `to${i}`]]).flat(),
  ]);

  t('SINTER SUNION SDIFF', (p) => bothProtocols(p, [
    ['SADD', 'a', '1', '2', '3', '4', 'x'], ['SADD', 'b', '2', '3', '4', '5', 'x'], ['SADD', 'c', '3', '4', 'x', 'y'],
    U('SINTER', 'a', 'b', 'c'), U('SINTER', 'a'), ['SINTER', 'a', 'nope'], ['SINTER', 'nope'], U('SINTER', 'a', 'a'),
    U('SUNION', 'a', 'b', 'c', 'nope'), ['SUNION', 'nope'], U('SDIFF', 'a', 'b'), U('SDIFF', 'b', 'a', 'c'), U('SDIFF', 'a', 'nope'),
    ['SDIFF', 'nope', 'a'], ['SDIFF', 'a', 'a'], ['SDIFF', 'a', 'b', 'a'],
    ['SADD', 'i1', '5', '1', '3', '-7'], ['SADD', 'i2', '3', '1', '9', '-7'], ['SADD', 'i3', '100', '1', '3', '-7', '5'],
    ['SINTER', 'i1', 'i2'], ['SINTER', 'i3', 'i1'], ['SUNION', 'i1', 'i2', 'i3'], ['SDIFF', 'i3', 'i1'], ['SDIFF', 'i1', 'i2'], ['SINTER', 'i1', 'a'], ['SDIFF', 'i1', 'a'],
    ['SET', 'str', 'v'], ['SINTER', 'a', 'str'], ['SINTER', 'nope', 'str'], ['SINTER', 'str', 'nope'], ['SUNION', 'a', 'str'], ['SUNION', 'nope', 'str'],
    ['SDIFF', 'str', 'a'], ['SDIFF', 'nope', 'str'], ['SDIFF', 'a', 'str'], ['SINTER'], ['SUNION'], ['SDIFF'],
  ]));

  t('SINTERCARD', [
    ['SADD', 'a', '1', '2', '3', '4', 'x'], ['SADD', 'b', '2', '3', '4', '5', 'x'], ['SADD', 'c', '3', '4', 'x', 'y'],
    ['SINTERCARD', '3', 'a', 'b', 'c'], ['SINTERCARD', '1', 'a'], ['SINTERCARD', '2', 'a', 'nope'], ['SINTERCARD', '1', 'nope'],
    ['SINTERCARD', '3', 'a', 'b', 'c', 'LIMIT', '0'], ['SINTERCARD', '3', 'a', 'b', 'c', 'LIMIT', '1'], ['SINTERCARD', '3', 'a', 'b', 'c', 'limit', '2'],
    ['SINTERCARD', '3', 'a', 'b', 'c', 'LIMIT', '100'], ['SINTERCARD', '2', 'a', 'a', 'LIMIT', '3'], ['SINTERCARD', '1', 'a', 'LIMIT', '1', 'LIMIT', '2'],
    ['SINTERCARD', '0', 'a'], ['SINTERCARD', '-1', 'a'], ['SINTERCARD', 'x', 'a'], ['SINTERCARD', '3', 'a', 'b'], ['SINTERCARD', '2', 'a'],
    ['SINTERCARD', '1', 'a', 'LIMIT', '-1'], ['SINTERCARD', '1', 'a', 'LIMIT', 'x'], ['SINTERCARD', '1', 'a', 'LIMIT'], ['SINTERCARD', '1', 'a', 'b'],
    ['SINTERCARD', '1', 'a', 'LIMIT', '1', 'x'], ['SINTERCARD', '9223372036854775807', 'a'], ['SINTERCARD', '9223372036854775808', 'a'],
    ['SINTERCARD', '1', 'a', 'LIMIT', '9223372036854775807'],
    ['SET', 'str', 'v'], ['SINTERCARD', '2', 'a', 'str'], ['SINTERCARD', '2', 'nope', 'str'], ['SINTERCARD', '1', 'str', 'LIMIT', '-1'], ['SINTERCARD', '1'],
    ['COMMAND', 'GETKEYS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1'],
  ]);

  t('SINTERSTORE SUNIONSTORE SDIFFSTORE', [
    ['SADD', 'a', '1', '2', '3'], ['SADD', 'b', '2', '3', '4'], ['SINTERSTORE', 'd', 'a', 'b'], ['SMEMBERS', 'd'], ['OBJECT', 'ENCODING', 'd'],
    ['SUNIONSTORE', 'd', 'a', 'b'], ['SMEMBERS', 'd'], ['SDIFFSTORE', 'd', 'a', 'b'], ['SMEMBERS', 'd'], ['SDIFFSTORE', 'd', 'b', 'a', 'nope'], ['SMEMBERS', 'd'],
    ['SUNIONSTORE', 'a', 'a', 'b'], ['SMEMBERS', 'a'], ['SINTERSTORE', 'a', 'a', 'b'], ['SMEMBERS', 'a'],
    ['SET', 'dst', 'v', 'EX', '100'], ['SUNIONSTORE', 'dst', 'b'], ['TYPE', 'dst'], ['TTL', 'dst'], ['SMEMBERS', 'dst'],
    ['SET', 'dst', 'v'], ['SINTERSTORE', 'dst', 'a', 'nope'], ['EXISTS', 'dst'], ['LPUSH', 'dst', 'x'], ['SDIFFSTORE', 'dst', 'a', 'a'], ['EXISTS', 'dst'],
    ['SADD', 'dst', 'x'], ['SUNIONSTORE', 'dst', 'nope'], ['EXISTS', 'dst'], ['SINTERSTORE', 'nope2', 'nope'], ['EXISTS', 'nope2'],
    ['SADD', 'dst', 'x'], ['SADD', 'z', 'q'], ['SINTERSTORE', 'dst', 'a', 'z'], ['EXISTS', 'dst'],
    ['SADD', 'words', 'p', 'q'], ['SUNIONSTORE', 'dst', 'words', 'a'], E('dst'), U('SMEMBERS', 'dst'),
    ['SDIFFSTORE', 'dst2', 'words', 'z'], E('dst2'), ['SMEMBERS', 'dst2'],
    ['SET', 'str', 'v'], ['SINTERSTORE', 'dst', 'a', 'str'], ['SINTERSTORE', 'dst', 'nope', 'str'], ['SUNIONSTORE', 'dst', 'str'], ['SDIFFSTORE', 'dst', 'nope', 'str'],
    ['SCARD', 'dst'], ['SUNIONSTORE', 'str', 'a'], ['TYPE', 'str'], ['SINTERSTORE', 'dst'], ['SUNIONSTORE', 'dst'], ['SDIFFSTORE', 'dst'],
    ...Array.from({ length: 8 }, (_, i) => ['SADD', `k${i}`, 'common', `only${i}`]),
    ['SINTERSTORE', 'out', ...range(0, 8, 'k')], ['SMEMBERS', 'out'], ['SUNIONSTORE', 'out', ...range(0, 8, 'k')], ['SCARD', 'out'],
    ['SDIFFSTORE', 'out', ...range(0, 8, 'k')], ['SMEMBERS', 'out'],
  ]);

  t('SSCAN', (p) => bothProtocols(p, [
    ['SADD', 'i', ...range(0, 300)], ['SSCAN', 'i', '0'], ['SSCAN', 'i', '0', 'COUNT', '5'], ['SSCAN', 'i', '0', 'MATCH', '1?'], ['SSCAN', 'i', '0', 'MATCH', '*', 'COUNT', '1000'],
    ['SSCAN', 'i', '0', 'match', 'x*'], ['SADD', 'w', 'a', 'b', 'c'], U('SSCAN', 'w', '0'),
    ['SSCAN', 'nope', '0'], ['SSCAN', 'nope', '0', 'BAD'], ['SSCAN', 'nope', '0', 'COUNT', '0'], ['SSCAN', 'nope', 'x'], ['SSCAN', 'nope', '-1'], ['SSCAN', 'nope', ''], ['SSCAN', 'nope', ' 1'],
    ['SSCAN', 'i', 'x'], ['SSCAN', 'i', '-1'], ['SSCAN', 'i', '18446744073709551616'], ['SSCAN', 'i', '18446744073709551615'], ['SSCAN', 'i', '+0'], ['SSCAN', 'i', '-5'], ['SSCAN', 'i', ''],
    ['SSCAN', 'i', '+'], ['SSCAN', 'i', '-'], ['SSCAN', 'i', '0x1'], ['SSCAN', 'i', '1 '], ['SSCAN', 'i', '007'], ['SSCAN', 'i', '0', 'COUNT', '0'], ['SSCAN', 'i', '0', 'COUNT', 'x'], ['SSCAN', 'i', '0', 'COUNT', '-1'],
    ['SSCAN', 'i', '0', 'MATCH'], ['SSCAN', 'i', '0', 'TYPE', 'set'], ['SSCAN', 'i', '0', 'BAD', 'x'],
    ['SET', 'str', 'v'], ['SSCAN', 'str', '0'], ['SSCAN', 'str', 'x'], ['SSCAN', 'str', '0', 'BAD'], ['SSCAN', 'i'],
  ]));

  t('SSCAN over a hashtable returns every member', async (p) => {
    const members = range(0, 500, 'm:');
    for (const c of [p.redis, p.shardis]) await c.call('SADD', 'h', ...members);
    for (const c of [p.redis, p.shardis]) {
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const [next, got] = (await c.call('SSCAN', 'h', cursor, 'COUNT', '20')) as [string, string[]];
        for (const m of got) seen.add(m);
        cursor = next;
      } while (cursor !== '0');
      assert.equal(seen.size, 500);
    }
  });

  t('every form: intset widths, small and big hashtables, at each threshold', (p) => bothProtocols(p, [
    // intset widths 2 → 4 → 8; the width stays when the wide members go (DUMP shows it)
    ['SADD', 'w', '1', '-2'], ['DUMP', 'w'], ['SADD', 'w', '70000'], ['DUMP', 'w'], ['SADD', 'w', '5000000000', '-9223372036854775808', '9223372036854775807'],
    ['DUMP', 'w'], ['SMEMBERS', 'w'], ['SISMEMBER', 'w', '9223372036854775807'], ['SISMEMBER', 'w', '9223372036854775806'], ['SISMEMBER', 'w', '4999999999'],
    ['SMISMEMBER', 'w', '-2', '1', '2', '70000', '5000000000'], ['SREM', 'w', '5000000000', '-9223372036854775808', '9223372036854775807', '70000'], ['DUMP', 'w'],
    ['SMEMBERS', 'w'], ['OBJECT', 'ENCODING', 'w'], ['DEBUG', 'DIGEST-VALUE', 'w'],
    // a small hashtable up to 128 members of up to 64 bytes, then past either limit
    ['SADD', 'p', ...range(0, 127, 'm')], E('p'), ['SCARD', 'p'], ['SADD', 'p', 'm127'], E('p'), ['SADD', 'p', 'm128'],
    ['OBJECT', 'ENCODING', 'p'], ['SCARD', 'p'], ['SISMEMBER', 'p', 'm128'], ['SREM', 'p', 'm128', 'm0'], ['SCARD', 'p'], ['DEBUG', 'DIGEST-VALUE', 'p'],
    ['SADD', 'l', 'a', 'x'.repeat(64)], E('l'), ['SISMEMBER', 'l', 'x'.repeat(64)], ['SADD', 'l', 'y'.repeat(65)], ['OBJECT', 'ENCODING', 'l'],
    U('SMEMBERS', 'l'), ['SADD', 'l2', 'z'.repeat(65)], ['OBJECT', 'ENCODING', 'l2'], ['SMEMBERS', 'l2'],
    // an intset turning into a hashtable keeps its members
    ['SADD', 'c', '3', '1', '2'], ['SADD', 'c', 'a'], E('c'), U('SMEMBERS', 'c'), ['SISMEMBER', 'c', '2'], ['SREM', 'c', '2'], U('SMEMBERS', 'c'),
    // reads on every form
    ['SADD', 'small', 'a', 'b', 'c', '1'], ['SADD', 'big', ...range(0, 200, 'b')], ['SADD', 'ints', ...range(0, 20)],
    ...['w', 'p', 'small', 'big', 'ints'].flatMap((k) => [['SCARD', k], ['DEBUG', 'DIGEST-VALUE', k], ['SISMEMBER', k, 'a'], ['SISMEMBER', k, '1'], ['SRANDMEMBER', k, '0']]),
    ['SORT', 'ints'], ['SORT', 'ints', 'DESC', 'LIMIT', '2', '5'], ['SORT', 'small', 'ALPHA'], ['SORT', 'big', 'ALPHA', 'LIMIT', '0', '10'], ['SORT', 'w'],
    ['SINTER', 'ints', 'w'], ['SINTER', 'w', 'ints'], ['SUNION', 'w', 'ints'], ['SDIFF', 'ints', 'w', 'small'], U('SINTER', 'small', 'ints', 'small'),
    ['SINTERCARD', '2', 'big', 'p'], ['SINTERCARD', '2', 'small', 'ints'],
    // COPY keeps the form
    ['COPY', 'w', 'w2'], ['OBJECT', 'ENCODING', 'w2'], ['SMEMBERS', 'w2'], ['DUMP', 'w2'], ['COPY', 'small', 'small2'], E('small2'), U('SMEMBERS', 'small2'),
    ['COPY', 'big', 'big2'], ['OBJECT', 'ENCODING', 'big2'], ['SCARD', 'big2'], ['SADD', 'small2', 'new'], ['SCARD', 'small'], ['SCARD', 'small2'],
  ]));

  t('many members in one SADD / SREM: repeats, widening, and the limits crossed mid-command', (p) => bothProtocols(p, [
    ['SADD', 'i', '5', '3', '5', '-1', '3', '70000', '-1', '5'], ['SMEMBERS', 'i'], ['DUMP', 'i'],
    ['SADD', 'i', '9223372036854775807', '2', '-9223372036854775808', '2', '4'], ['SMEMBERS', 'i'], ['DUMP', 'i'],
    ['SREM', 'i', '9223372036854775807', 'x', '2', '2', '-9223372036854775808', '70000'], ['SMEMBERS', 'i'], ['DUMP', 'i'],
    ['SADD', 'i', '8', 'a', '6', 'b', 'a'], E('i'), U('SMEMBERS', 'i'), ['SCARD', 'i'],
    ['SADD', 'n', ...range(0, 510), '1', '2'], ['OBJECT', 'ENCODING', 'n'], ['SADD', 'n', '600', '601', '600', '602', '1'], ['OBJECT', 'ENCODING', 'n'], ['SCARD', 'n'],
    ['SADD', 'p', ...range(0, 100, 'm'), 'm1', 'm2'], ['SCARD', 'p'], ['SADD', 'p', ...range(90, 140, 'm'), 'm95', 'm139'], ['SCARD', 'p'], ['OBJECT', 'ENCODING', 'p'],
    ['SADD', 'q', 'a', 'b', 'x'.repeat(65), 'c', 'a'], ['SCARD', 'q'], ['SISMEMBER', 'q', 'x'.repeat(65)], ['SISMEMBER', 'q', 'c'],
    ['SREM', 'q', 'a', 'a', 'zz', 'x'.repeat(65)], U('SMEMBERS', 'q'), ['SREM', 'q', 'b', 'c', 'b'], ['EXISTS', 'q'],
    ['SADD', 'r', ...range(0, 20, 's')], ['SREM', 'r', ...range(5, 15, 's'), 's7', 'nope'], ['SCARD', 'r'], ['SREM', 'r', ...range(0, 30, 's')], ['EXISTS', 'r'],
    ['SUNIONSTORE', 'u', 'i', 'n'], ['SCARD', 'u'], ['OBJECT', 'ENCODING', 'u'], ['SUNIONSTORE', 'u2', 'n', 'n'], ['OBJECT', 'ENCODING', 'u2'], ['SCARD', 'u2'],
    ['SDIFFSTORE', 'dd', 'n', 'i'], ['OBJECT', 'ENCODING', 'dd'], ['SCARD', 'dd'], ['SINTERSTORE', 'ii', 'n', 'u'], ['OBJECT', 'ENCODING', 'ii'], ['SCARD', 'ii'],
    ['SADD', 'w', '1', '2'], ['SUNIONSTORE', 'w2', 'w', 'i'], ['SCARD', 'w2'], ['SDIFFSTORE', 'w3', 'i', 'w'], U('SMEMBERS', 'w3'),
  ]));

  t('back to an intset where Redis builds a fresh set: stores, SMOVE, SPOP, DEBUG RELOAD, RESTORE', async (p) => {
    await runScript(p, [
      ['SADD', 'h', 'a', '3', '1', '2'], ['SREM', 'h', 'a'], E('h'), U('SMEMBERS', 'h'),
      ['SUNIONSTORE', 'u', 'h'], ['OBJECT', 'ENCODING', 'u'], ['SMEMBERS', 'u'], ['SINTERSTORE', 'i', 'h', 'h'], ['OBJECT', 'ENCODING', 'i'], ['SMEMBERS', 'i'],
      ['SADD', 'x', 'a', '9'], ['SDIFFSTORE', 'd', 'x', 'nope', 'h'], E('d'), ['SDIFFSTORE', 'd2', 'h', 'x'], ['OBJECT', 'ENCODING', 'd2'],
      ['SMOVE', 'x', 'fresh', '9'], ['OBJECT', 'ENCODING', 'fresh'], ['SMOVE', 'x', 'fresh2', 'a'], E('fresh2'),
      // SPOP with count: the whole set replies as a fresh union (ascending when all integers), the rebuild path starts over
      ['SADD', 'q', 'a', ...range(1, 10)], ['SREM', 'q', 'a'], { cmd: ['SPOP', 'q', '8'], ignore: true }, E('q'), ['SCARD', 'q'],
      ['SADD', 'r', 'a', '30', '20', '10'], ['SREM', 'r', 'a'], ['SPOP', 'r', '3'],
    ]);
    for (const c of [p.redis, p.shardis]) await c.call('SADD', 'hh', 'z', '7', '-1', '900000'), await c.call('SREM', 'hh', 'z');
    const [dr, ds] = await Promise.all([p.redis.call('DUMP', 'hh'), p.shardis.call('DUMP', 'hh')]);
    assert.equal(typeof ds, typeof dr);
    await runScript(p, [E('hh')]);
    // a RESTOREd plain set of integers comes back an intset, on both servers and from both servers' payloads
    for (const [i, payload] of [dr, ds].entries()) {
      for (const c of [p.redis, p.shardis]) await c.call('RESTORE', `rest${i}`, '0', payload as string);
      await runScript(p, [['OBJECT', 'ENCODING', `rest${i}`], ['SMEMBERS', `rest${i}`], ['DUMP', `rest${i}`]]);
    }
    await runScript(p, [
      ['CONFIG', 'SET', 'set-max-intset-entries', '4'], ['SADD', 'k', ...range(0, 6)], E('k'), ['CONFIG', 'SET', 'set-max-intset-entries', '512'],
      ['SADD', 'big', ...range(0, 600)], ['SREM', 'big', ...range(10, 600)], ['OBJECT', 'ENCODING', 'big'],
      ['DEBUG', 'RELOAD'], ['OBJECT', 'ENCODING', 'k'], ['SMEMBERS', 'k'], ['OBJECT', 'ENCODING', 'hh'], ['SMEMBERS', 'hh'], ['OBJECT', 'ENCODING', 'big'], ['SMEMBERS', 'big'],
    ]);
  });

  t('SSCAN of a small hashtable returns every member', async (p) => {
    for (const c of [p.redis, p.shardis]) await c.call('SADD', 's', ...range(0, 100, 'ele:'));
    for (const c of [p.redis, p.shardis]) {
      const seen = new Set<string>();
      let cursor = '0';
      do {
        const [next, got] = (await c.call('SSCAN', 's', cursor)) as [string, string[]];
        for (const m of got) seen.add(m);
        cursor = next;
      } while (cursor !== '0');
      assert.equal(seen.size, 100);
    }
    await runScript(p, [E('s'), U('SSCAN', 's', '0', 'MATCH', 'ele:1?', 'COUNT', '1000')]);
  });

  t('MULTI/EXEC and COMMAND GETKEYS', [
    ['MULTI'], ['SADD', 's', 'a', 'b'], ['SREM', 's', 'a'], ['SMEMBERS', 's'], ['SINTERSTORE', 'd', 's', 's'], ['SCARD', 'd'], ['EXEC'],
    ['COMMAND', 'GETKEYS', 'SMOVE', 'a', 'b', 'm'], ['COMMAND', 'GETKEYS', 'SINTERSTORE', 'd', 'a', 'b'],
  ]);
});
