import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { err, events, fresh } from '../helpers/keyspace.ts';

const BITS = new Uint8Array(256).map((_, i) => i.toString(2).split('1').length - 1);
const popcount = (b: Uint8Array): number => b.reduce((n, x) => n + BITS[x]!, 0);
/** First `bit` in b (bit 0 = MSB of byte 0), -1 when none. */
function firstBit(b: Buffer, bit: number): number {
  for (let i = 0; i < b.length * 8; i++) if (((b[i >> 3]! >> (7 - (i & 7))) & 1) === bit) return i;
  return -1;
}

describeServer('bitmaps', (fx) => {
  test('SETBIT / GETBIT: bytes shared with GET, growth, TTL kept, errors', async () => {
    const c = await fresh(fx());
    assert.equal(await c.call('SETBIT', 'b', '7', '1'), 0);
    assert.equal(await c.call('GET', 'b'), '\x01');
    assert.equal(await c.call('SETBIT', 'b', '7', '1'), 1);
    assert.equal(await c.call('SETBIT', 'b', '23', '1'), 0);
    assert.equal(await c.call('GET', 'b'), '\x01\x00\x01');
    assert.equal(await c.call('GETBIT', 'b', '23'), 1);
    assert.equal(await c.call('GETBIT', 'b', '22'), 0);
    assert.equal(await c.call('GETBIT', 'b', '100000'), 0);
    assert.equal(await c.call('GETBIT', 'nope', '3'), 0);
    // a plain string is read and changed in place as bytes ('a' = 0x61)
    await c.call('SET', 's', 'a', 'EX', '100');
    assert.equal(await c.call('GETBIT', 's', '1'), 1);
    assert.equal(await c.call('SETBIT', 's', '6', '1'), 0);
    assert.equal(await c.call('GET', 's'), 'c');
    assert.equal(await c.call('OBJECT', 'ENCODING', 's'), 'raw');
    assert.ok((await c.call('TTL', 's')) as number > 90, 'SETBIT keeps the TTL');
    assert.equal(await c.call('APPEND', 's', 'xy'), 3);
    assert.equal(await c.call('GET', 's'), 'cxy');
    assert.equal(err(await c.call('SETBIT', 's', '1', '2')), 'ERR bit is not an integer or out of range');
    assert.equal(err(await c.call('SETBIT', 's', '-1', '1')), 'ERR bit offset is not an integer or out of range');
    assert.equal(err(await c.call('SETBIT', 's', '4294967296', '1')), 'ERR bit offset is not an integer or out of range');
    assert.equal(err(await c.call('GETBIT', 's', 'x')), 'ERR bit offset is not an integer or out of range');
    await c.call('LPUSH', 'l', 'x');
    assert.match(err(await c.call('SETBIT', 'l', '1', '1')), /^WRONGTYPE/);
    assert.match(err(await c.call('GETBIT', 'l', '1')), /^WRONGTYPE/);
    // proto-max-bulk-len bounds the offset
    await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb');
    assert.equal(err(await c.call('SETBIT', 'b', String(8 * 1024 * 1024), '1')), 'ERR bit offset is not an integer or out of range');
    assert.equal(await c.call('SETBIT', 'b', String(8 * 1024 * 1024 - 1), '1'), 0);
    assert.equal(await c.call('STRLEN', 'b'), 1024 * 1024);
    await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '512mb');
  });

  test('SETBIT signals only when the value was created, grew or changed', async () => {
    const c = await fresh(fx());
    const seen = await events(fx(), async () => {
      await c.call('SETBIT', 'k', '0', '0'); // created
      await c.call('SETBIT', 'k', '0', '0'); // nothing
      await c.call('SETBIT', 'k', '0', '1'); // flipped
      await c.call('SETBIT', 'k', '0', '1'); // nothing
      await c.call('SETBIT', 'k', '90', '0'); // grew
    });
    assert.deepEqual(seen, ['0:k:setbit', '0:k:setbit', '0:k:setbit']);
  });

  test('BITCOUNT: BYTE and BIT ranges, negative indexes, errors (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.set('s', 'foobar');
      assert.equal(await r.bitcount('s'), 26);
      assert.equal(await r.bitcount('s', 0, 0), 4);
      assert.equal(await r.bitcount('s', 1, 1), 6);
      assert.equal(await r.call('BITCOUNT', 's', '1', '1', 'BYTE'), 6);
      assert.equal(await r.call('BITCOUNT', 's', '5', '30', 'BIT'), 17);
      assert.equal(await r.call('BITCOUNT', 's', '-10', '-1', 'bit'), 5);
      assert.equal(await r.bitcount('s', -2, -1), 7);
      assert.equal(await r.bitcount('s', -1, -2), 0);
      assert.equal(await r.bitcount('s', 100, 200), 0);
      assert.equal(await r.bitcount('s', 0, 1000), 26);
      assert.equal(await r.bitcount('nope'), 0);
      await assert.rejects(r.call('BITCOUNT', 'nope', 'x'), /ERR syntax error/, 'the range is parsed before the key is looked up (Redis 7.4)');
      await assert.rejects(r.call('BITCOUNT', 's', '0'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('BITCOUNT', 's', '0', '1', 'BIT', 'x'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('BITCOUNT', 's', '0', '1', 'BITS'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('BITCOUNT', 's', 'a', '1'), /^ReplyError: ERR value is not an integer or out of range$/);
      await r.lpush('l', 'x');
      await assert.rejects(r.bitcount('l'), /^ReplyError: WRONGTYPE/);
      await assert.rejects(r.call('BITCOUNT'), /ERR wrong number of arguments for 'bitcount' command/);
    } finally {
      r.disconnect();
    }
  });

  test('BITPOS: ranges, BIT unit, and clear bits with and without an end', async () => {
    const c = await fresh(fx());
    await c.call('SET', 'ff', '\xff\xf0\x00');
    assert.equal(await c.call('BITPOS', 'ff', '0'), 12);
    assert.equal(await c.call('BITPOS', 'ff', '1', '2'), -1);
    assert.equal(await c.call('BITPOS', 'ff', '1', '7', '15', 'BIT'), 7);
    assert.equal(await c.call('BITPOS', 'ff', '0', '0', '11', 'BIT'), -1);
    assert.equal(await c.call('BITPOS', 'ff', '0', '3', '13', 'bit'), 12);
    await c.call('SET', 'ones', '\xff\xff\xff');
    assert.equal(await c.call('BITPOS', 'ones', '0'), 24, 'no end: the right is zero padded');
    assert.equal(await c.call('BITPOS', 'ones', '0', '1'), 24);
    assert.equal(await c.call('BITPOS', 'ones', '0', '0', '-1'), -1, 'end given: no clear bit in range');
    assert.equal(await c.call('BITPOS', 'ones', '0', '0', '-1', 'BIT'), -1);
    assert.equal(await c.call('BITPOS', 'ones', '1', '2', '1'), -1, 'empty range');
    await c.call('SET', 'zeros', '\x00\x00');
    assert.equal(await c.call('BITPOS', 'zeros', '1'), -1);
    assert.equal(await c.call('BITPOS', 'zeros', '0', '1'), 8);
    assert.equal(await c.call('BITPOS', 'nope', '1'), -1);
    assert.equal(await c.call('BITPOS', 'nope', '0'), 0);
    assert.equal(err(await c.call('BITPOS', 'ff', '2')), 'ERR The bit argument must be 1 or 0.');
    assert.equal(err(await c.call('BITPOS', 'ff', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(err(await c.call('BITPOS', 'ff', '1', '0', '1', 'BYTES')), 'ERR syntax error');
    assert.equal(err(await c.call('BITPOS', 'ff', '1', '0', '1', 'BIT', 'x')), 'ERR syntax error');
    assert.equal(err(await c.call('BITPOS', 'ff', '1', '0', 'x')), 'ERR value is not an integer or out of range');
  });

  test('BITCOUNT and BITPOS on megabyte values, as strings and as raw values', async () => {
    const c = await fresh(fx());
    const data = randomBytes(3 * 1024 * 1024 + 7);
    await c.call('SET', 'str', data);
    await c.call('SET', 'raw', 'x');
    await c.call('SETRANGE', 'raw', '1', data);
    const expected = popcount(data);
    assert.equal(await c.call('BITCOUNT', 'str'), expected);
    assert.equal(await c.call('BITCOUNT', 'raw'), expected + popcount(Buffer.from('x')));
    assert.equal(await c.call('BITCOUNT', 'str', '5', '-9', 'BIT'), popcount(data) - popcount(data.subarray(0, 1).map((b) => b & 0xf8)) - popcount(data.subarray(-1)));
    const zeros = Buffer.alloc(2 * 1024 * 1024 + 3);
    zeros[zeros.length - 2] = 0x10;
    await c.call('SET', 'z', zeros);
    assert.equal(await c.call('BITPOS', 'z', '1'), firstBit(zeros, 1));
    await c.call('SETRANGE', 'zr', '5', zeros);
    assert.equal(await c.call('BITPOS', 'zr', '1'), firstBit(zeros, 1) + 40);
    const ones = Buffer.alloc(1024 * 1024 + 1, 0xff);
    ones[700000] = 0xfb;
    await c.call('SET', 'o', ones);
    assert.equal(await c.call('BITPOS', 'o', '0'), firstBit(ones, 0));
    assert.equal(await c.call('BITPOS', 'o', '0', '700001'), ones.length * 8);
    assert.equal(await c.call('BITPOS', 'o', '0', '700001', '-1'), -1);
  });

  test('BITOP AND OR XOR NOT: zero padding, missing keys, dest replaced or deleted', async () => {
    const c = await fresh(fx());
    await c.call('SET', 'a', '\xff\x0f\xaa');
    await c.call('SET', 'b', '\x0f\xff');
    assert.equal(await c.call('BITOP', 'AND', 'd', 'a', 'b'), 3);
    assert.equal(await c.call('GET', 'd'), '\x0f\x0f\x00');
    assert.equal(await c.call('BITOP', 'or', 'd', 'a', 'b', 'missing'), 3);
    assert.equal(await c.call('GET', 'd'), '\xff\xff\xaa');
    assert.equal(await c.call('BITOP', 'Xor', 'd', 'a', 'b'), 3);
    assert.equal(await c.call('GET', 'd'), '\xf0\xf0\xaa');
    assert.equal(await c.call('BITOP', 'AND', 'd', 'a', 'missing'), 3);
    assert.equal(await c.call('GET', 'd'), '\x00\x00\x00');
    assert.equal(await c.call('BITOP', 'NOT', 'd', 'a'), 3);
    assert.equal(await c.call('GET', 'd'), '\x00\xf0\x55');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'd'), 'raw');
    await c.call('SET', 'n', '12345');
    assert.equal(await c.call('BITOP', 'NOT', 'n', 'n'), 5);
    assert.equal(await c.call('GET', 'n'), Buffer.from(Buffer.from('12345').map((x) => ~x)).toString('latin1'));
    // the destination loses its TTL and any other type it held
    await c.call('EXPIRE', 'd', '100');
    await c.call('BITOP', 'OR', 'd', 'a');
    assert.equal(await c.call('TTL', 'd'), -1);
    await c.call('RPUSH', 'list', 'x');
    assert.equal(await c.call('BITOP', 'OR', 'list', 'a'), 3);
    assert.equal(await c.call('TYPE', 'list'), 'string');
    const seen = await events(fx(), async () => {
      assert.equal(await c.call('BITOP', 'AND', 'd', 'missing', 'missing2'), 0);
      assert.equal(await c.call('BITOP', 'AND', 'd', 'missing'), 0);
      assert.equal(await c.call('BITOP', 'OR', 'e', 'a'), 3);
    });
    assert.deepEqual(seen, ['0:d:del', '0:e:set']);
    assert.equal(await c.call('EXISTS', 'd'), 0);
    assert.equal(err(await c.call('BITOP', 'NOT', 'd', 'a', 'b')), 'ERR BITOP NOT must be called with a single source key.');
    assert.equal(err(await c.call('BITOP', 'NAND', 'd', 'a')), 'ERR syntax error');
    await c.call('SADD', 'set', 'x');
    assert.match(err(await c.call('BITOP', 'OR', 'd', 'a', 'set')), /^WRONGTYPE/);
    assert.match(err(await c.call('BITOP', 'OR', 'd')), /wrong number of arguments for 'bitop'/);
  });

  test('BITOP on multi-megabyte strings and raw values', async () => {
    const c = await fresh(fx());
    const a = randomBytes(2 * 1024 * 1024 + 3);
    const b = randomBytes(1024 * 1024 + 1);
    await c.call('SET', 'a', a);
    await c.call('SET', 'x', 'y');
    await c.call('SETRANGE', 'x', '0', b); // a raw value
    await c.call('SET', 'u', 'q');
    await c.call('APPEND', 'u', b); // raw, odd length
    const op = (f: (p: number, q: number) => number, p: Buffer, q: Buffer): Buffer => {
      const out = Buffer.alloc(Math.max(p.length, q.length));
      for (let i = 0; i < out.length; i++) out[i] = f(p[i] ?? 0, q[i] ?? 0);
      return out;
    };
    for (const [name, f] of [['AND', (p: number, q: number) => p & q], ['OR', (p: number, q: number) => p | q], ['XOR', (p: number, q: number) => p ^ q]] as const) {
      assert.equal(await c.call('BITOP', name, 'd', 'a', 'x'), a.length);
      assert.ok(Buffer.from(await c.call('GET', 'd') as string, 'latin1').equals(op(f, a, b)), `${name} a x`);
      assert.equal(await c.call('BITOP', name, 'd', 'u', 'a'), a.length);
      assert.ok(Buffer.from(await c.call('GET', 'd') as string, 'latin1').equals(op(f, Buffer.concat([Buffer.from('q'), b]), a)), `${name} u a`);
    }
    assert.equal(await c.call('BITOP', 'NOT', 'd', 'u'), b.length + 1);
    assert.ok(Buffer.from(await c.call('GET', 'd') as string, 'latin1').equals(Buffer.concat([Buffer.from('q'), b]).map((v) => ~v)));
  });

  test('BITFIELD: GET SET INCRBY, #N offsets, overflow modes, chaining', async () => {
    const c = await fresh(fx());
    assert.deepEqual(await c.call('BITFIELD', 'bf', 'SET', 'i8', '0', '-100', 'GET', 'u8', '0', 'GET', 'i8', '0'), [0, 156, -100]);
    assert.deepEqual(await c.call('BITFIELD', 'bf', 'SET', 'u4', '#1', '15', 'GET', 'u12', '0', 'INCRBY', 'u4', '#1', '1'), [12, 2544, 0]);
    assert.equal(await c.call('GET', 'bf'), '\x90');
    assert.deepEqual(await c.call('BITFIELD', 'bf', 'OVERFLOW', 'SAT', 'INCRBY', 'u8', '0', '200', 'INCRBY', 'i8', '8', '-200',
      'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '1', 'OVERFLOW', 'WRAP', 'INCRBY', 'u8', '0', '1'), [255, -128, null, 0]);
    assert.deepEqual(await c.call('BITFIELD', 'bf', 'SET', 'u8', '0', '-1', 'OVERFLOW', 'SAT', 'SET', 'u8', '0', '-1', 'SET', 'i8', '0', '-300', 'GET', 'i8', '0'), [0, 255, -1, -128]);
    // a field past the end reads zeros; a write extends the value
    assert.deepEqual(await c.call('BITFIELD', 'bf', 'GET', 'u16', '1000'), [0]);
    assert.equal(await c.call('STRLEN', 'bf'), 2);
    assert.deepEqual(await c.call('BITFIELD', 'bf', 'SET', 'u1', '100', '1'), [0]);
    assert.equal(await c.call('STRLEN', 'bf'), 13);
    assert.deepEqual(await c.call('BITFIELD', 'bf'), []);
    assert.deepEqual(await c.call('BITFIELD', 'missing', 'GET', 'i8', '0'), [0]);
    assert.equal(await c.call('EXISTS', 'missing'), 0, 'GET alone creates nothing');
    // on a plain string: the same bytes as GET
    await c.call('SET', 'str', 'AB');
    assert.deepEqual(await c.call('BITFIELD', 'str', 'GET', 'u16', '0', 'INCRBY', 'u8', '#1', '1'), [0x4142, 0x43]);
    assert.equal(await c.call('GET', 'str'), 'AC');
  });

  test('BITFIELD: 64-bit exact arithmetic for i64 and u63', async () => {
    const c = await fresh(fx());
    // raw replies: the test client reads integers as doubles
    const raw = (...xs: Array<string | null>): string => `*${xs.length}\r\n` + xs.map((x) => (x === null ? '$-1\r\n' : `:${x}\r\n`)).join('');
    const max = '9223372036854775807';
    const min = '-9223372036854775808';
    assert.equal(await c.callRaw('BITFIELD', 'k', 'SET', 'i64', '0', max, 'GET', 'i64', '0', 'INCRBY', 'i64', '0', '1', 'INCRBY', 'i64', '0', '-1'), raw('0', max, min, max));
    assert.equal(await c.callRaw('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'i64', '0', max, 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', '1'), raw(max, null));
    assert.equal(await c.callRaw('BITFIELD', 'k', 'SET', 'u63', '1', max, 'GET', 'u63', '1', 'GET', 'i64', '0', 'INCRBY', 'u63', '1', '2', 'GET', 'i64', '0'), raw(max, max, max, '1', '1'));
    assert.equal(await c.callRaw('BITFIELD', 'k', 'SET', 'i50', '3', '-562949953421312', 'INCRBY', 'i50', '3', '-1', 'GET', 'u49', '4'), raw('0', '562949953421311', '562949953421311'));
    // 2^60-1 wraps to -1 in an i60; then an increment past 2^53 stays exact
    assert.equal(await c.callRaw('BITFIELD', 'k', 'SET', 'i60', '#3', '1152921504606846975', 'INCRBY', 'i60', '#3', '9007199254740993'), raw('0', '9007199254740992'));
    assert.equal(await c.callRaw('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'i64', '#9', min, 'INCRBY', 'i64', '#9', min, 'GET', 'u8', '#72'), raw('0', min, '128'));
  });

  test('BITFIELD and BITFIELD_RO errors, all raised before anything runs', async () => {
    const c = await fresh(fx());
    const typeErr = 'ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.';
    for (const t of ['u64', 'i65', 'i0', 'x8', 'I8', '', 'i', 'i08', 'u-1']) {
      assert.equal(err(await c.call('BITFIELD', 'k', 'SET', 'i8', '0', '1', 'GET', t, '0')), typeErr, t);
    }
    assert.equal(await c.call('EXISTS', 'k'), 0);
    for (const off of ['-1', '#-1', '#', 'x', '4294967296', '#536870912']) {
      assert.equal(err(await c.call('BITFIELD', 'k', 'GET', 'i8', off)), 'ERR bit offset is not an integer or out of range', off);
    }
    assert.deepEqual(await c.call('BITFIELD', 'k', 'GET', 'i8', '4294967288'), [0]);
    assert.equal(err(await c.call('BITFIELD', 'k', 'SET', 'i8', '0', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(err(await c.call('BITFIELD', 'k', 'INCRBY', 'i8', '0', '9223372036854775808')), 'ERR value is not an integer or out of range');
    assert.equal(err(await c.call('BITFIELD', 'k', 'OVERFLOW', 'nope', 'GET', 'i8', '0')), 'ERR Invalid OVERFLOW type specified');
    assert.equal(err(await c.call('BITFIELD', 'k', 'GET', 'i8')), 'ERR syntax error');
    assert.equal(err(await c.call('BITFIELD', 'k', 'FOO', 'i8', '0')), 'ERR syntax error');
    assert.deepEqual(await c.call('BITFIELD_RO', 'k', 'GET', 'i8', '0', 'OVERFLOW', 'FAIL', 'GET', 'u4', '#1'), [0, 0]);
    assert.equal(err(await c.call('BITFIELD_RO', 'k', 'GET', 'i8', '0', 'SET', 'i8', '0', '1')), 'ERR BITFIELD_RO only supports the GET subcommand');
    assert.equal(err(await c.call('BITFIELD_RO', 'k', 'INCRBY', 'i8', '0', '1')), 'ERR BITFIELD_RO only supports the GET subcommand');
    assert.equal(await c.call('EXISTS', 'k'), 0);
    await c.call('HSET', 'h', 'f', 'v');
    assert.match(err(await c.call('BITFIELD', 'h', 'GET', 'i8', '0')), /^WRONGTYPE/);
    assert.match(err(await c.call('BITFIELD', 'h', 'SET', 'i8', '0', '1')), /^WRONGTYPE/);
    assert.match(err(await c.call('BITFIELD_RO', 'h', 'GET', 'i8', '0')), /^WRONGTYPE/);
  });

  test('BITFIELD: one setbit event and one dirty count per changing write', async () => {
    const c = await fresh(fx());
    const dirty = async (): Promise<number> => Number(/rdb_changes_since_last_save:(\d+)/.exec(await c.call('INFO', 'persistence') as string)![1]);
    const d0 = await dirty();
    const seen = await events(fx(), async () => {
      await c.call('BITFIELD', 'k', 'SET', 'u16', '0', '0'); // created: counts
      await c.call('BITFIELD', 'k', 'SET', 'u8', '0', '0', 'GET', 'u8', '0'); // no change
      await c.call('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'SET', 'u8', '8', '2', 'SET', 'u8', '0', '1'); // two changes
      await c.call('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u8', '0', '300'); // failed: nothing
      await c.call('BITFIELD', 'k', 'SET', 'u8', '40', '0'); // grew: counts
    });
    assert.deepEqual(seen, ['0:k:setbit', '0:k:setbit', '0:k:setbit']);
    assert.equal(await dirty(), d0 + 4);
  });

  test('node-redis RESP3: BITFIELD nulls and bit commands', async () => {
    const r = await nodeRedis(fx().port, 3);
    try {
      await r.flushAll();
      assert.deepEqual(await r.sendCommand(['BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'u2', '0', '5', 'INCRBY', 'u2', '0', '3']), [null, 3]);
      assert.equal(await r.setBit('b', 9, 1), 0);
      assert.equal(await r.getBit('b', 9), 1);
      assert.equal(await r.bitCount('b'), 1);
      assert.equal(await r.bitPos('b', 1), 9);
      assert.equal(await r.bitOp('OR', 'd', ['b', 'k']), 2);
      assert.equal(await r.strLen('d'), 2);
      assert.equal(await r.bitCount('d'), 3);
      assert.equal(await r.bitPos('d', 0), 2);
    } finally {
      await r.quit();
    }
  });
});
