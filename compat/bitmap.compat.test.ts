/** Bitmap family: the same scripts against shardis and a real redis-server, replies byte for byte. */
import { bothProtocols, describeCompat, runScript, type Script } from './harness.ts';

/** A small seeded PRNG so every run sends the same commands. */
function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** A latin1 string of n bytes, biased to runs of 0x00 and 0xff. */
function bytes(rnd: (n: number) => number, n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    const k = rnd(4);
    out += String.fromCharCode(k === 0 ? 0 : k === 1 ? 255 : rnd(256));
  }
  return out;
}

const VALUES = ['0', '1', '-1', '127', '-128', '255', '256', '9223372036854775807', '-9223372036854775808', '9007199254740993',
  '-9007199254740993', '4294967296', '281474976710655', '140737488355327', '-140737488355328', '562949953421312'];

describeCompat('bitmaps', (t) => {
  t('SETBIT GETBIT and the bytes GET sees', (p) => bothProtocols(p, [
    ['SETBIT', 'b', '7', '1'], ['GET', 'b'], ['SETBIT', 'b', '100', '1'], ['GET', 'b'], ['GETBIT', 'b', '100'], ['GETBIT', 'b', '99999999'],
    ['SETBIT', 'b', '100', '2'], ['SETBIT', 'b', '100', '-1'], ['SETBIT', 'b', '100', '01'], ['SETBIT', 'b', '-1', '1'], ['SETBIT', 'b', '4294967296', '1'],
    ['GETBIT', 'b', '4294967296'], ['GETBIT', 'b', 'x'], ['GETBIT', 'nope', '0'],
    ['SET', 'n', '12'], ['SETBIT', 'n', '0', '0'], ['OBJECT', 'ENCODING', 'n'], ['GET', 'n'], ['SET', 's', 'abc', 'EX', '100'], ['SETBIT', 's', '6', '1'], ['GET', 's'], ['TTL', 's'],
    ['LPUSH', 'l', 'x'], ['SETBIT', 'l', '0', '1'], ['GETBIT', 'l', '0'], ['SETBIT', 'b', '1'], ['GETBIT', 'b'],
  ]));

  t('BITCOUNT and BITPOS argument handling', (p) => bothProtocols(p, [
    ['SET', 's', 'foobar'], ['BITCOUNT', 's'], ['BITCOUNT', 's', '0', '0'], ['BITCOUNT', 's', '1', '1', 'BYTE'], ['BITCOUNT', 's', '5', '30', 'BIT'],
    ['BITCOUNT', 's', '-3', '-1', 'bit'], ['BITCOUNT', 's', '1'], ['BITCOUNT', 's', '1', '2', '3'], ['BITCOUNT', 's', 'a', 'b'], ['BITCOUNT', 's', '1', '2', 'BOO'],
    // BITCOUNT s -1 -2 BOO, BITCOUNT nope a, BITPOS nope 0 x: Redis 7.4 parses the range first (#11734, #12394): v74-behaviour
    ['BITCOUNT', 's', '-9223372036854775807', '-9223372036854775808'],
    ['BITCOUNT', 's', '-9223372036854775808', '9223372036854775807', 'BIT'], ['BITCOUNT', 's', '0', '100000'], ['BITCOUNT', 's', '1', 'x'],
    ['BITPOS', 's', '1'], ['BITPOS', 's', '0'], ['BITPOS', 's', '2'], ['BITPOS', 's', 'x'], ['BITPOS', 'nope', '1'],
    ['BITPOS', 's', '1', '2'], ['BITPOS', 's', '0', '2', '-1'], ['BITPOS', 's', '0', '2', '-1', 'BIT'], ['BITPOS', 's', '1', '7', '15', 'BIT'],
    ['BITPOS', 's', '0', '1', '2', '3', '4'], ['BITPOS', 's', '1', '1', 'x', 'foo'], ['BITPOS', 's', '1', '1', '2', 'bytes'], ['BITPOS', 's', '1', 'x'],
    ['SET', 'ff', '\xff\xff\xff'], ['BITPOS', 'ff', '0'], ['BITPOS', 'ff', '0', '1'], ['BITPOS', 'ff', '0', '0', '-1'], ['BITPOS', 'ff', '0', '3', '20', 'bit'],
    ['SET', 'z', '\x00\x00\x00'], ['BITPOS', 'z', '1'], ['BITPOS', 'z', '0', '1'], ['BITPOS', 'z', '1', '3', '20', 'bit'], ['BITPOS', 'z', '0', '3', '20', 'bit'],
    ['SET', 'e', ''], ['BITCOUNT', 'e'], ['BITPOS', 'e', '0'], ['BITPOS', 'e', '1'], ['BITPOS', 'e', '0', '0', '-1'],
    ['HSET', 'h', 'f', 'v'], ['BITCOUNT', 'h'], ['BITPOS', 'h', '1'], ['BITPOS', 'h', '3'], ['BITCOUNT'], ['BITPOS', 's'],
  ]));

  t('BITCOUNT and BITPOS over random strings and ranges', async (p) => {
    const rnd = prng(11);
    const script: Script = [];
    for (let i = 0; i < 60; i++) {
      const k = `k${i % 4}`;
      const len = rnd(90);
      script.push(['SET', k, bytes(rnd, len)]);
      for (let j = 0; j < 8; j++) {
        const s = String(rnd(400) - 200);
        const e = String(rnd(400) - 200);
        const unit = [[], ['BIT'], ['BYTE']][rnd(3)]!;
        const bit = String(rnd(2));
        script.push(['BITCOUNT', k, s, e, ...unit], ['BITPOS', k, bit], ['BITPOS', k, bit, s], ['BITPOS', k, bit, s, e, ...unit]);
      }
      script.push(['SETBIT', k, String(rnd(800)), String(rnd(2))], ['BITPOS', k, '0'], ['BITPOS', k, '1', '0', '-1', 'BIT']);
    }
    await runScript(p, script);
  });

  t('BITOP', (p) => bothProtocols(p, [
    ['SET', 'a', '\xff\x0f\xaa'], ['SET', 'b', '\x0f\xff'], ['SET', 'n', '12345'], ['BITOP', 'AND', 'd', 'a', 'b'], ['GET', 'd'], ['OBJECT', 'ENCODING', 'd'],
    ['BITOP', 'or', 'd', 'a', 'b', 'nokey'], ['GET', 'd'], ['BITOP', 'XOR', 'd', 'a', 'b', 'n'], ['GET', 'd'], ['BITOP', 'NOT', 'd', 'n'], ['GET', 'd'],
    ['BITOP', 'NOT', 'd', 'a', 'b'], ['BITOP', 'NAND', 'd', 'a'], ['BITOP', 'AND', 'd', 'nokey', 'nokey2'], ['EXISTS', 'd'], ['BITOP', 'AND', 'd', 'a', 'nokey'], ['GET', 'd'],
    ['EXPIRE', 'd', '100'], ['BITOP', 'OR', 'd', 'a'], ['TTL', 'd'], ['SET', 'e', ''], ['BITOP', 'OR', 'd', 'e'], ['EXISTS', 'd'], ['BITOP', 'OR', 'd', 'e', 'a'], ['GET', 'd'],
    ['LPUSH', 'l', 'x'], ['BITOP', 'AND', 'd', 'a', 'l'], ['BITOP', 'AND', 'l', 'a'], ['TYPE', 'l'], ['BITOP', 'NOT', 'a', 'a'], ['GET', 'a'], ['BITOP', 'AND', 'd'],
  ]));

  t('BITOP over random inputs', async (p) => {
    const rnd = prng(5);
    const script: Script = [];
    for (let i = 0; i < 80; i++) {
      script.push(['SET', `k${rnd(5)}`, bytes(rnd, rnd(150))]);
      const op = ['AND', 'OR', 'XOR'][rnd(3)]!;
      const keys = Array.from({ length: 1 + rnd(4) }, () => `k${rnd(6)}`);
      script.push(['BITOP', op, 'dst', ...keys], ['GET', 'dst'], ['BITOP', 'NOT', 'dst2', `k${rnd(6)}`], ['GET', 'dst2']);
    }
    await runScript(p, script);
  });

  t('BITFIELD and BITFIELD_RO argument handling', (p) => bothProtocols(p, [
    ['BITFIELD', 'bf', 'SET', 'i8', '0', '-100', 'GET', 'u8', '0', 'INCRBY', 'u4', '#1', '7', 'OVERFLOW', 'SAT', 'INCRBY', 'i8', '0', '-100', 'OVERFLOW', 'FAIL', 'INCRBY', 'i8', '0', '-100'],
    ['GET', 'bf'], ['BITFIELD', 'bf', 'GET', 'u64', '0'], ['BITFIELD', 'bf', 'GET', 'i65', '0'], ['BITFIELD', 'bf', 'GET', 'x8', '0'], ['BITFIELD', 'bf', 'GET', 'i0', '0'],
    ['BITFIELD', 'bf', 'GET', 'I8', '0'], ['BITFIELD', 'bf', 'GET', 'i8', '-1'], ['BITFIELD', 'bf', 'GET', 'i8', '#-1'], ['BITFIELD', 'bf', 'GET', 'i8', '#'],
    ['BITFIELD', 'bf', 'GET', 'i8', '4294967296'], ['BITFIELD', 'bf', 'GET', 'i8', '4294967288'], ['BITFIELD', 'bf', 'GET', 'i8', '#536870911'], ['BITFIELD', 'bf', 'GET', 'i64', '#9223372036854775807'],
    ['BITFIELD', 'bf', 'SET', 'i8', '0', 'x'], ['BITFIELD', 'bf', 'OVERFLOW', 'nope'], ['BITFIELD', 'bf', 'OVERFLOW'], ['BITFIELD', 'bf', 'FOO'], ['BITFIELD', 'bf', 'GET', 'i8'],
    ['BITFIELD', 'bf'], ['BITFIELD', 'nope', 'GET', 'u8', '0'], ['EXISTS', 'nope'], ['BITFIELD', 'bf', 'overflow', 'fail', 'get', 'i8', '0', 'set', 'u2', '0', '9', 'incrby', 'u2', '0', '1'],
    ['BITFIELD_RO', 'bf', 'GET', 'i8', '0'], ['BITFIELD_RO', 'bf', 'SET', 'i8', '0', '1'], ['BITFIELD_RO', 'bf', 'OVERFLOW', 'SAT'], ['BITFIELD_RO', 'bf', 'INCRBY', 'u2', 'x', '1'],
    ['SET', 'n', '12345'], ['BITFIELD', 'n', 'INCRBY', 'u8', '0', '1'], ['GET', 'n'], ['OBJECT', 'ENCODING', 'n'],
    ['SADD', 'set', 'x'], ['BITFIELD', 'set', 'GET', 'i8', '0'], ['BITFIELD', 'set', 'SET', 'i8', '0', '1'], ['BITFIELD_RO', 'set', 'GET', 'i8', '0'], ['BITFIELD_RO', 'set'], ['BITFIELD'],
  ]));

  t('BITFIELD 64-bit edges', (p) => bothProtocols(p, [
    ['BITFIELD', 'k', 'SET', 'i64', '0', '-9223372036854775808', 'INCRBY', 'i64', '0', '-1', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', '-1', 'INCRBY', 'i64', '0', '9223372036854775807',
      'INCRBY', 'i64', '0', '9223372036854775807', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '1', 'GET', 'u63', '1', 'GET', 'i64', '3'],
    ['BITFIELD', 'k', 'SET', 'u63', '0', '-1', 'OVERFLOW', 'SAT', 'SET', 'u63', '0', '-1', 'OVERFLOW', 'WRAP', 'INCRBY', 'u63', '0', '9223372036854775807', 'INCRBY', 'u63', '0', '-9223372036854775808'],
    ['BITFIELD', 'k', 'SET', 'u8', '0', '-1', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1', 'SET', 'u8', '0', '256', 'SET', 'i8', '0', '-129', 'OVERFLOW', 'WRAP', 'SET', 'i8', '0', '-129',
      'SET', 'u48', '3', '-1', 'INCRBY', 'u48', '3', '281474976710655', 'SET', 'i48', '3', '-99999999999999', 'INCRBY', 'i48', '5', '-9007199254740993'],
    ['BITFIELD', 'k', 'SET', 'i49', '7', '281474976710655', 'INCRBY', 'i49', '7', '1', 'OVERFLOW', 'SAT', 'INCRBY', 'i49', '7', '9007199254740993', 'INCRBY', 'u49', '#2', '-9007199254740993'],
    ['BITFIELD', 'k', 'SET', 'i1', '0', '1', 'GET', 'i1', '0', 'OVERFLOW', 'SAT', 'INCRBY', 'i1', '0', '5', 'INCRBY', 'u1', '0', '-5', 'GET', 'u1', '0'], ['GET', 'k'],
  ]));

  t('BITFIELD over random fields, values and overflow modes', async (p) => {
    const rnd = prng(3);
    const script: Script = [];
    for (let i = 0; i < 1200; i++) {
      const cmd: string[] = ['BITFIELD', `bf${i % 3}`];
      for (let n = 1 + rnd(4); n > 0; n--) {
        const bits = 1 + rnd(64);
        const type = rnd(2) ? `i${bits}` : `u${Math.min(bits, 63)}`;
        const off = rnd(3) ? String(rnd(200)) : `#${rnd(10)}`;
        const value = rnd(2) ? VALUES[rnd(VALUES.length)]! : String((rnd(2) ? -1 : 1) * rnd(10 ** (1 + rnd(9))) * 10 ** rnd(10));
        const kind = rnd(4);
        if (kind === 0) cmd.push('GET', type, off);
        else if (kind === 1) cmd.push('SET', type, off, value);
        else if (kind === 2) cmd.push('INCRBY', type, off, value);
        else cmd.push('OVERFLOW', ['WRAP', 'SAT', 'FAIL'][rnd(3)]!);
      }
      script.push(cmd);
      if (i % 40 === 0) script.push(['GET', `bf${i % 3}`], ['BITFIELD_RO', `bf${i % 3}`, 'GET', 'i64', String(rnd(100)), 'GET', 'u63', String(rnd(100))]);
    }
    script.push(['GET', 'bf0'], ['GET', 'bf1'], ['GET', 'bf2']);
    await runScript(p, script);
  });

  t('large values: strings, raw values at unaligned offsets, BITOP over megabytes', async (p) => {
    const rnd = prng(9);
    const script: Script = [];
    for (const [len, fill] of [[70000, 0], [200001, 0xff], [131072, 0], [65536 * 3 + 5, 0xff]] as const) {
      const buf = Buffer.alloc(len, fill);
      for (let k = 0; k < 3; k++) buf[rnd(len)] = rnd(256);
      const s = buf.latin1Slice(0, len);
      script.push(['SET', 'str', s], ['SET', 'raw', 'x'], ['SETRANGE', 'raw', '0', s], ['APPEND', 'raw', 'tail'], ['SET', 'u', 'y'], ['SETRANGE', 'u', '3', s]);
      for (const k of ['str', 'raw', 'u']) {
        script.push(['BITCOUNT', k], ['BITPOS', k, '0'], ['BITPOS', k, '1']);
        for (let q = 0; q < 6; q++) {
          const st = String(rnd(len * 8) - len * 4);
          const en = String(rnd(len * 8) - len * 2);
          script.push(['BITCOUNT', k, st, en, 'BIT'], ['BITPOS', k, String(q % 2), st, en, 'BIT'], ['BITPOS', k, String(q % 2), String(rnd(len)), String(-rnd(len))]);
        }
      }
      script.push(['BITOP', 'AND', 'd', 'str', 'raw', 'u'], ['GET', 'd'], ['BITOP', 'OR', 'd', 'u', 'str'], ['GET', 'd'], ['BITOP', 'XOR', 'd', 'raw', 'nokey', 'u'], ['GET', 'd'],
        ['BITOP', 'NOT', 'd', 'u'], ['GET', 'd'], ['BITFIELD', 'u', 'INCRBY', 'i64', String(len * 8 - 3), '12345', 'GET', 'u63', '#7'], ['GET', 'u']);
    }
    await runScript(p, script);
  });

  t('COMMAND INFO and DOCS of the bitmap commands', [
    ['COMMAND', 'INFO', 'setbit', 'getbit', 'bitcount', 'bitpos', 'bitop', 'bitfield', 'bitfield_ro'],
    ['COMMAND', 'DOCS', 'setbit', 'getbit', 'bitcount', 'bitpos', 'bitop', 'bitfield', 'bitfield_ro'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'GET', 'i8', '0'], ['COMMAND', 'GETKEYSANDFLAGS', 'bitfield', 'k', 'SET', 'i8', '0', '1'],
    ['COMMAND', 'GETKEYS', 'bitop', 'and', 'd', 'a', 'b'],
  ]);
});
