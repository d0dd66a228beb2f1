import { test } from 'node:test';
import assert from 'node:assert/strict';
import { murmurHash64AString, murmurHash64AWord, hashOut } from '../../src/datatypes/murmurhash.ts';
import {
  HLL_DENSE, HLL_DENSE_SIZE, HLL_HDR_SIZE, HLL_REGISTERS, HLL_SPARSE, cachedCard, cachedCardText, decodeSparse, denseGet, denseSetReg,
  hllCount, hllMerge, hllPatLen, invalidateCache, isHllValue, lastPatIndex, rawCount, setCachedCard,
} from '../../src/datatypes/hyperloglog.ts';
import { HllBuffer, createHll, sparseToDense, unshare } from '../../src/datatypes/hyperloglog-sparse.ts';

const M = 0xc6a4a7935bd1e995n;
const MASK = (1n << 64n) - 1n;

/** MurmurHash64A straight from the C source, on BigInts. */
function murmurRef(buf: Buffer, seed: bigint): bigint {
  let h = (seed ^ (BigInt(buf.length) * M)) & MASK;
  const n8 = buf.length - (buf.length & 7);
  for (let i = 0; i < n8; i += 8) {
    let k = buf.readBigUInt64LE(i);
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h ^= k;
    h = (h * M) & MASK;
  }
  if (buf.length & 7) {
    for (let j = (buf.length & 7) - 1; j >= 0; j--) h ^= BigInt(buf[n8 + j]!) << BigInt(8 * j);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  h ^= h >> 47n;
  return h;
}

const hashed = (): bigint => (BigInt(hashOut[0]!) << 32n) | BigInt(hashOut[1]!);

/** A new HLL holding `n` distinct elements added through HllBuffer. */
function filled(n: number, maxSparse: number, prefix = 'e'): HllBuffer {
  const h = new HllBuffer(createHll(), maxSparse);
  for (let i = 0; i < n; i++) h.add(`${prefix}${i}`);
  return h;
}

/** The 16384 registers of a dense or sparse HLL. */
function registers(p: Buffer): Uint8Array {
  const max = new Uint8Array(HLL_REGISTERS);
  assert.ok(hllMerge(max, p));
  return max;
}

test('MurmurHash64A matches the C algorithm for every tail length and byte value', () => {
  for (let t = 0; t < 3000; t++) {
    const b = Buffer.alloc(t % 41);
    for (let i = 0; i < b.length; i++) b[i] = (t * 31 + i * 97 + (t >> 3)) & 0xff;
    murmurHash64AString(b.latin1Slice(0, b.length), 0xadc83b19);
    assert.equal(hashed(), murmurRef(b, 0xadc83b19n), `length ${b.length}`);
  }
  const w = Buffer.alloc(8);
  w.writeUInt32LE(0x89abcdef, 0);
  w.writeUInt32LE(0xfedcba98, 4);
  murmurHash64AWord(0xfedcba98, 0x89abcdef, 0xadc83b19);
  assert.equal(hashed(), murmurRef(w, 0xadc83b19n));
});

test('hllPatLen: register index from the low 14 bits, run length from the rest', () => {
  for (const s of ['', 'a', 'foo', 'hello world', '\x00\xff']) {
    const count = hllPatLen(s);
    const h = murmurRef(Buffer.from(s, 'latin1'), 0xadc83b19n);
    assert.equal(lastPatIndex(), Number(h & 16383n));
    let rest = (h >> 14n) | (1n << 50n);
    let want = 1;
    while ((rest & 1n) === 0n) {
      want++;
      rest >>= 1n;
    }
    assert.equal(count, want, s);
  }
});

test('dense registers: every 6-bit register reads back without touching its neighbours', () => {
  const p = Buffer.alloc(HLL_DENSE_SIZE);
  const want = new Uint8Array(HLL_REGISTERS);
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      want[i] = (i * 37 + round * 11) & 63;
      denseSetReg(p, HLL_HDR_SIZE, i, want[i]!);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) assert.equal(denseGet(p, HLL_HDR_SIZE, i), want[i]);
  }
  assert.equal(p.length, HLL_DENSE_SIZE);
});

test('a new HLL is Redis\'s empty sparse value, and PFADD a b c gives Redis\'s bytes', () => {
  const e = createHll();
  assert.equal(e.toString('hex'), '48594c4c01000000000000000000000' + '07fff');
  assert.equal(decodeSparse(e), 'Z:16384');
  assert.equal(hllCount(e), 0);
  const h = new HllBuffer(e, 3000);
  for (const x of ['a', 'b', 'c']) assert.equal(h.add(x), 1);
  assert.equal(h.add('a'), 0);
  // bytes from redis-server 7.0.15 after PFADD h a b c
  assert.equal(h.buf.toString('hex'), '48594c4c010000000000000000000080' + '60f38050b1844bfb80425a');
  assert.equal(decodeSparse(h.buf), 'Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603');
  assert.equal(hllCount(h.buf), 3);
});

test('sparse updates: VAL splits, merges of equal neighbours, ZERO and XZERO runs', () => {
  const h = new HllBuffer(createHll(), 3000);
  assert.equal(h.set(1, 3), 1);
  assert.equal(decodeSparse(h.buf), 'z:1 v:3,1 Z:16382');
  assert.equal(h.set(0, 3), 1);
  assert.equal(decodeSparse(h.buf), 'v:3,2 Z:16382');
  assert.equal(h.set(2, 3), 1);
  assert.equal(h.set(3, 3), 1);
  assert.equal(decodeSparse(h.buf), 'v:3,4 Z:16380');
  assert.equal(h.set(4, 3), 1);
  assert.equal(decodeSparse(h.buf), 'v:3,4 v:3,1 Z:16379', 'a VAL run holds at most 4');
  assert.equal(h.set(1, 2), 0, 'never lowers a register');
  assert.equal(h.set(1, 5), 1);
  assert.equal(decodeSparse(h.buf), 'v:3,1 v:5,1 v:3,3 Z:16379', 'the split-off run merges with its equal neighbour');
  assert.equal(h.set(50, 1), 1);
  assert.equal(decodeSparse(h.buf), 'v:3,1 v:5,1 v:3,3 z:45 v:1,1 Z:16333');
  assert.equal(h.set(16383, 32), 1);
  assert.equal(decodeSparse(h.buf), 'v:3,1 v:5,1 v:3,3 z:45 v:1,1 Z:16332 v:32,1');
  assert.equal(h.buf[4], HLL_SPARSE);
  assert.equal(h.buf[15]! & 0x80, 0x80, 'the cached cardinality is stale');
  const regs = registers(h.buf);
  assert.deepEqual([...regs.subarray(0, 6)], [3, 5, 3, 3, 3, 0]);
  assert.equal(regs[50], 1);
  assert.equal(regs[16383], 32);
});

test('a register above 32 or a value past hll-sparse-max-bytes turns the HLL dense', () => {
  const h = new HllBuffer(createHll(), 3000);
  h.set(7, 2);
  assert.equal(h.set(9, 33), 1);
  assert.equal(h.buf[4], HLL_DENSE);
  assert.equal(h.buf.length, HLL_DENSE_SIZE);
  assert.equal(denseGet(h.buf, HLL_HDR_SIZE, 9), 33);
  assert.equal(denseGet(h.buf, HLL_HDR_SIZE, 7), 2);

  const small = new HllBuffer(createHll(), 60);
  let i = 0;
  while (small.buf[4] === HLL_SPARSE) {
    small.add(`x${i++}`);
    if (small.buf[4] === HLL_SPARSE) assert.ok(small.buf.length <= 60);
  }
  assert.ok(i > 5);
  const zero = new HllBuffer(createHll(), 0);
  zero.add('a');
  assert.equal(zero.buf[4], HLL_DENSE, 'a limit of 0 keeps nothing sparse');
});

test('sparse and dense HLLs of the same elements agree on registers and counts', () => {
  for (const n of [0, 1, 10, 100, 1000, 5000]) {
    const sparse = filled(n, 1 << 20);
    const dense = new HllBuffer(createHll(), 0);
    assert.ok(dense.toDense());
    for (let i = 0; i < n; i++) dense.add(`e${i}`);
    assert.equal(sparse.buf[4], HLL_SPARSE);
    assert.equal(hllCount(sparse.buf), hllCount(dense.buf), `n=${n}`);
    assert.deepEqual(registers(sparse.buf), registers(dense.buf));
    const converted = sparseToDense(sparse.buf)!;
    assert.deepEqual(converted.subarray(HLL_HDR_SIZE), dense.buf.subarray(HLL_HDR_SIZE));
    assert.equal(converted[4], HLL_DENSE);
  }
});

test('the estimate stays within a few standard errors', () => {
  for (const n of [10, 100, 1000, 10000, 100000]) {
    const h = filled(n, 3000, 'k');
    const card = hllCount(h.buf);
    assert.ok(Math.abs(card - n) <= Math.ceil(n * 6 * 1.04 / 128), `n=${n} card=${card}`);
  }
});

test('merging registers: union of two HLLs, raw count', () => {
  const a = filled(2000, 3000, 'a');
  const b = filled(2000, 3000, 'b');
  const both = filled(0, 3000);
  for (let i = 0; i < 2000; i++) {
    both.add(`a${i}`);
    both.add(`b${i}`);
  }
  const max = new Uint8Array(HLL_REGISTERS);
  assert.ok(hllMerge(max, a.buf));
  assert.ok(hllMerge(max, b.buf));
  assert.equal(rawCount(max), hllCount(both.buf));
});

test('corrupted sparse values are detected, not trusted', () => {
  const hdr = Buffer.from('HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80', 'latin1');
  const short = Buffer.concat([hdr, Buffer.from([0x40, 0x63])]); // XZERO:100
  const long = Buffer.concat([hdr, Buffer.from([0x7f, 0xff, 0x00])]);
  const half = Buffer.concat([hdr, Buffer.from([0x7f])]);
  for (const bad of [short, long, half]) {
    assert.equal(hllCount(bad), -1);
    assert.equal(sparseToDense(bad), null);
    assert.equal(hllMerge(new Uint8Array(HLL_REGISTERS), bad), false);
  }
  assert.equal(new HllBuffer(Buffer.from(short), 3000).set(200, 1), -1, 'no opcode covers register 200');
  assert.equal(new HllBuffer(Buffer.from(short), 3000).set(5, 40), -1, 'promotion of a corrupted value fails');
});

test('isHllValue: magic, encoding and the exact dense length', () => {
  const ok = createHll();
  assert.ok(isHllValue(ok));
  assert.ok(isHllValue(ok.latin1Slice(0, ok.length)));
  const dense = sparseToDense(ok)!;
  assert.ok(isHllValue(dense));
  assert.ok(!isHllValue(dense.subarray(0, dense.length - 1)));
  assert.ok(!isHllValue('HYLL'));
  assert.ok(!isHllValue('HYLX\x01' + '\x00'.repeat(11)));
  assert.ok(!isHllValue('HYLL\x02' + '\x00'.repeat(11)));
  assert.ok(!isHllValue('HYLL\x00' + '\x00'.repeat(13)), 'dense but short');
  assert.ok(isHllValue('HYLL\x01' + '\x00'.repeat(11)), 'sparse with no opcodes passes the header check');
});

test('cached cardinality: little endian, MSB of the last byte marks it stale', () => {
  const p = createHll();
  assert.equal(cachedCard(p), 0);
  setCachedCard(p, 0x123456789a);
  assert.equal(p.subarray(8, 16).toString('hex'), '9a78563412000000');
  assert.equal(cachedCard(p), 0x123456789a);
  invalidateCache(p);
  assert.equal(cachedCard(p), -1);
  p.fill(0xff, 8, 15);
  p[15] = 0x7f;
  assert.equal(cachedCardText(p), '9223372036854775807');
});

test('sparse values grow into their own spare room; strings are unshared into Buffers', () => {
  const h = new HllBuffer(createHll(), 3000);
  const stores = new Set<ArrayBufferLike>();
  for (let i = 0; i < 300; i++) {
    h.add(`g${i}`);
    stores.add(h.buf.buffer);
  }
  assert.ok(stores.size < 12, `reallocated ${stores.size} times in 300 adds`);
  const s = h.buf.latin1Slice(0, h.buf.length);
  const b = unshare(s);
  assert.ok(b instanceof Buffer);
  assert.equal(b.latin1Slice(0, b.length), s);
  assert.equal(unshare(b), b);
  // a pooled Buffer (offset into a shared store) is never written past its end
  const pooled = Buffer.from(s, 'latin1');
  const neighbour = Buffer.from('neighbour', 'latin1');
  const p = new HllBuffer(pooled, 3000);
  for (let i = 0; i < 50; i++) p.add(`z${i}`);
  assert.equal(neighbour.toString(), 'neighbour');
});
