/**
 * The byte-level codecs of the RDB format against Redis's own outputs:
 * CRC-64, LZF, listpack, intset, ziplist/zipmap, and DUMP payloads that
 * redis-server 7.0.15 produced for the same values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Crc64, crc64 } from '../../src/persistence/crc64.ts';
import { lzfCompress, lzfDecompress } from '../../src/persistence/lzf.ts';
import { ListpackReader, ListpackWriter, listpackStrings, listpackEntrySize } from '../../src/persistence/listpack.ts';
import { decodeIntset, encodeIntset } from '../../src/persistence/intset.ts';
import { ziplistStrings, zipmapStrings } from '../../src/persistence/ziplist.ts';
import { dumpPayload, DEFAULT_SAVE_OPTIONS } from '../../src/persistence/rdb-writer.ts';
import { readDumpPayload } from '../../src/persistence/rdb-load.ts';
import { verifyDumpPayload } from '../../src/persistence/dump-payload.ts';
import { DEFAULT_LIMITS } from '../../src/persistence/rdb-reader.ts';
import { ListValue } from '../../src/datatypes/list.ts';
import { DEFAULT_SET_LIMITS, SetValue } from '../../src/datatypes/set.ts';
import { ZSetValue } from '../../src/datatypes/zset.ts';
import { HashValue } from '../../src/datatypes/hash.ts';

test('CRC-64 (Jones) matches crc64.c test vectors, in one piece or many', () => {
  const c = new Crc64();
  c.update(Buffer.from('123456789'));
  assert.equal(c.hex(), 'e9c6d914c4b8d9ca');
  const li = Buffer.from('Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.\0');
  const whole = new Crc64();
  whole.update(li);
  assert.equal(whole.hex(), 'c7794709e69683b3');
  for (const cut of [1, 7, 8, 9, 100, li.length - 1]) {
    const parts = new Crc64();
    parts.update(li, 0, cut);
    parts.update(li, cut);
    assert.equal(parts.hex(), 'c7794709e69683b3', `split at ${cut}`);
  }
  assert.deepEqual(crc64(Buffer.from('123456789')), Buffer.from('cad9b8c414d9c6e9', 'hex'));
});

test('LZF round-trips and refuses what does not compress or is corrupt', () => {
  const inputs = [
    Buffer.from('a'.repeat(100)),
    Buffer.from('the quick brown fox jumps over the lazy dog '.repeat(30)),
    Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)),
    Buffer.from(Array.from({ length: 70000 }, (_, i) => (i % 300 < 150 ? 65 : i & 255))),
  ];
  for (const inp of inputs) {
    const out = Buffer.alloc(inp.length);
    const n = lzfCompress(inp, inp.length, out, inp.length - 4);
    if (n === 0) continue;
    assert.ok(n < inp.length - 4);
    const back = Buffer.alloc(inp.length);
    assert.equal(lzfDecompress(out, 0, n, back), inp.length);
    assert.deepEqual(back, inp);
    // a truncated stream or a wrong expected length fails
    assert.equal(lzfDecompress(out, 0, n - 1, Buffer.alloc(inp.length)) === inp.length, false);
    assert.equal(lzfDecompress(out, 0, n, Buffer.alloc(inp.length - 1)), 0);
  }
  const random = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 255));
  assert.equal(lzfCompress(random, random.length, Buffer.alloc(64), 60), 0, 'incompressible input');
  // a back reference before the start of the output
  assert.equal(lzfDecompress(Buffer.from([0x20, 0x05]), 0, 2, Buffer.alloc(10)), 0);
});

test('listpack: lpAppend encodings, header, backlen; the reader validates', () => {
  const lp = new ListpackWriter();
  const items = ['a', '0', '127', '128', '-1', '-4096', '4095', '4096', '-32768', '32767', '32768', '8388607', '-8388608', '8388608',
    '2147483647', '-2147483648', '2147483648', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '01', '-0', '+1', ' 1',
    'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(4095), 'w'.repeat(4096), ''];
  for (const s of items) lp.append(s);
  const b = lp.finish();
  assert.equal(b.readUInt32LE(0), b.length);
  assert.equal(b.readUInt16LE(4), items.length);
  assert.equal(b[b.length - 1], 0xff);
  assert.deepEqual(listpackStrings(b, 0, b.length), items);
  let size = 7;
  for (const s of items) size += listpackEntrySize(s);
  assert.equal(size, b.length);
  // exact bytes of small entries: 7-bit uint, 13-bit int, 6-bit string
  const small = new ListpackWriter();
  small.append('5');
  small.append('-1');
  small.append('ab');
  assert.equal(small.finish().toString('hex'), '1000000003000501dfff0282616203ff');
  // corruptions: bad total, bad backlen, missing terminator, wrong count
  const bad = (mut: (x: Buffer) => void): boolean => {
    const x = Buffer.from(b);
    mut(x);
    return listpackStrings(x, 0, x.length) === null;
  };
  assert.ok(bad((x) => x.writeUInt32LE(x.length + 1, 0)));
  assert.ok(bad((x) => (x[x.length - 1] = 0)));
  assert.ok(bad((x) => x.writeUInt16LE(3, 4)));
  assert.ok(bad((x) => (x[8] = 9)), 'first backlen changed');
  assert.ok(bad((x) => (x[6] = 0xf7)), 'unknown encoding');
  const r = new ListpackReader(Buffer.from('0700000000ff', 'hex'), 0, 6);
  assert.equal(r.next(), false);
  assert.equal(r.done(), false, 'too short for a header + terminator');
});

test('intset: widths 2/4/8, sorted, validated', () => {
  assert.equal(encodeIntset(['-100', '1', '2', '3', '70000']).toString('hex'), '04000000050000009cffffff01000000020000000300000070110100');
  assert.equal(encodeIntset(['1', '2']).toString('hex'), '020000000200000001000200');
  const wide = encodeIntset(['-9223372036854775808', '0', '9223372036854775807']);
  assert.equal(wide.readUInt32LE(0), 8);
  assert.deepEqual(decodeIntset(wide, 0, wide.length), ['-9223372036854775808', '0', '9223372036854775807']);
  assert.equal(decodeIntset(Buffer.from('020000000200000002000100', 'hex'), 0, 12), null, 'out of order');
  assert.equal(decodeIntset(Buffer.from('020000000200000001000100', 'hex'), 0, 12), null, 'duplicate');
  assert.equal(decodeIntset(Buffer.from('0200000000000000', 'hex'), 0, 8), null, 'empty');
  assert.equal(decodeIntset(Buffer.from('030000000100000001000000', 'hex'), 0, 12), null, 'bad width');
  assert.equal(decodeIntset(Buffer.from('0200000002000000010002', 'hex'), 0, 11), null, 'short');
});

test('ziplist and zipmap (Redis ≤ 6.2 encodings) decode as Redis wrote them', () => {
  // blobs from tests/assets/hash-ziplist.rdb, list-quicklist.rdb and hash-zipmap.rdb of redis/redis
  const zl = Buffer.from('1b0000001600000004000002663104027631040266320402763' + '2ff', 'hex');
  assert.deepEqual(ziplistStrings(zl, 0, zl.length), ['f1', 'v1', 'f2', 'v2']);
  const q = Buffer.from('0d0000000a000000010000f8ff', 'hex');
  assert.deepEqual(ziplistStrings(q, 0, q.length), ['7'], 'an immediate 4-bit integer');
  // every integer width: int16, int32, int64, int24, int8 and a 14-bit string
  const entries: Buffer[] = [Buffer.from('00c0feff', 'hex'), Buffer.from('04d000000080', 'hex'), Buffer.from('06e0ffffffffffffff7f', 'hex'),
    Buffer.from('0af0ffff7f', 'hex'), Buffer.from('05fe80', 'hex'), Buffer.concat([Buffer.from('03404b', 'hex'), Buffer.alloc(75, 0x61)])];
  const body = Buffer.concat(entries);
  const lastAt = 10 + body.length - entries[entries.length - 1]!.length;
  const all = Buffer.concat([Buffer.alloc(10), body, Buffer.from([0xff])]);
  all.writeUInt32LE(all.length, 0);
  all.writeUInt32LE(lastAt, 4);
  all.writeUInt16LE(entries.length, 8);
  assert.deepEqual(ziplistStrings(all, 0, all.length), ['-2', '-2147483648', '9223372036854775807', '8388607', '-128', 'a'.repeat(75)]);
  const wrongPrev = Buffer.from(all);
  wrongPrev[14] = 9;
  assert.equal(ziplistStrings(wrongPrev, 0, wrongPrev.length), null, 'prevlen mismatch');
  const zm = Buffer.from('020266310200763102663202007632ff', 'hex');
  assert.deepEqual(zipmapStrings(zm, 0, zm.length), ['f1', 'v1', 'f2', 'v2']);
  const zmBad = Buffer.from('030266310200763102663202007632ff', 'hex');
  assert.equal(zipmapStrings(zmBad, 0, zmBad.length), null, 'count mismatch');
  assert.equal(ziplistStrings(zl, 0, zl.length - 1), null, 'truncated');
});

/** DUMP payloads redis-server 7.0.15 returned for these values (encodings with a deterministic layout). */
const REDIS_DUMPS: Array<[string, () => unknown, string]> = [
  ['LZF string', () => 'the quick brown fox jumps over the lazy dog the quick brown fox jumps',
    '00c33440451f74686520717569636b2062726f776e20666f78206a756d7073206f7665722074201e076c617a7920646f67600ce00a2b0170730a00e5dbc1252563cfc3'],
  ['int32 string', () => '-123456', '00c2c01dfeff0a00e1b6629eabbd54f2'],
  ['long integer string', () => '12345678901234', '000e31323334353637383930313233340a00afcb8c7b76a08b6a'],
  ['quicklist', () => ListValue.from(['a', 'b', 'c', '1', '2', '300', '-7', '100000', '9999999999', '-9223372036854775808']),
    '12010233330000000a0081610281620281630201010201c12c02dff902f2a0860104f4ffe30b540200000009f4000000000000008009ff0a0027874bccb336d5ad'],
  ['intset', () => {
    const s = new SetValue();
    for (const m of ['1', '2', '3', '-100', '70000']) s.add(m, DEFAULT_SET_LIMITS);
    return s;
  }, '0b1c04000000050000009cffffff010000000200000003000000701101000a009f4dd5a629d01743'],
  ['zset listpack', () => {
    const z = new ZSetValue();
    for (const [s, m] of [[1, 'a'], [2.5, 'b'], [-3, 'c'], [1e20, 'd'], [Infinity, 'e']] as const) z.insert(m, s, 128, 64);
    return z;
  }, '112c2c0000000a00816302dffd02816102010181620283322e35048164028531652b32300681650283696e6604ff0a009824950d0b8525d4'],
];

test('DUMP payloads are byte for byte what Redis 7.0 produces, and read back', () => {
  for (const [name, make, hex] of REDIS_DUMPS) {
    const v = make() as Parameters<typeof dumpPayload>[0];
    const p = dumpPayload(v, DEFAULT_SAVE_OPTIONS);
    assert.equal(p.toString('hex'), hex, name);
    assert.ok(verifyDumpPayload(p, false));
    const back = readDumpPayload(p, DEFAULT_LIMITS);
    assert.ok(back !== null, name);
    assert.deepEqual(dumpPayload(back, DEFAULT_SAVE_OPTIONS), p, `${name} re-dumped`);
  }
  // Redis's listpack hash with a long value is a hashtable in Redis; as a listpack it still round-trips
  const h = new HashValue();
  h.set('f1', 'v1', 128, 64);
  h.set('f2', 'x'.repeat(70), 128, 100);
  const hp = dumpPayload(h, DEFAULT_SAVE_OPTIONS);
  const hb = readDumpPayload(hp, DEFAULT_LIMITS) as HashValue;
  assert.deepEqual([...hb.pairs()], [...h.pairs()]);
});

test('DUMP payload checks: footer, version, checksum', () => {
  const p = dumpPayload('hello', DEFAULT_SAVE_OPTIONS);
  assert.ok(verifyDumpPayload(p, false));
  assert.equal(verifyDumpPayload(p.subarray(0, 9), false), false);
  const flipped = Buffer.from(p);
  flipped[1]! ^= 1;
  assert.equal(verifyDumpPayload(flipped, false), false);
  assert.equal(verifyDumpPayload(flipped, true), true, 'checksum skipped');
  const v12 = Buffer.from(p);
  v12[v12.length - 10] = 12;
  assert.equal(verifyDumpPayload(v12, true), true, 'version 12 (Redis 7.4)');
  const v13 = Buffer.from(p);
  v13[v13.length - 10] = 13;
  assert.equal(verifyDumpPayload(v13, true), false, 'version above 12');
  const old = Buffer.from(p);
  old[old.length - 10] = 6;
  assert.equal(verifyDumpPayload(old, true), true, 'an older version is fine');
  // well-formed footer, malformed body
  assert.equal(readDumpPayload(Buffer.concat([Buffer.from([0x0e, 0x01, 0x02]), Buffer.alloc(10)]), DEFAULT_LIMITS), null);
  assert.equal(readDumpPayload(Buffer.concat([Buffer.from([0x08]), Buffer.alloc(10)]), DEFAULT_LIMITS), null, 'unknown type 8');
});
