import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZSetValue, ZADD_ADDED, ZADD_INCR, ZADD_NAN, ZADD_NOP, ZADD_UPDATED, ZADD_XX, ZADD_GT, zaddCounts } from '../../src/datatypes/zset.ts';
import { ZSetBig } from '../../src/datatypes/zset-big.ts';
import type { RangeOut } from '../../src/datatypes/zrange-spec.ts';
import { objectBytes } from '../../src/datatypes/value.ts';
import { begin, finish, putItem, putScore, scoreAt, scoreEnd, skipScore, stringBytes } from '../../src/datatypes/packed.ts';
import { rng } from '../helpers/rng.ts';
import { parseScoreRange, parseLexRange, strtod, string2d } from '../../src/commands/zset/zset-parse.ts';

type Entry = [string, number];
const order = (a: Entry, b: Entry) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function out(): RangeOut {
  return { members: [], scores: [] };
}
function pairs(o: RangeOut): Entry[] {
  return o.members.map((m, i) => [m, o.scores[i]!]);
}

/** Checks the tree's invariants (counts, order, separators, links), its order against the expected one, and the dict. */
function checkInvariants(b: ZSetBig, expected: Entry[]): void {
  b.tree.check();
  const got: Entry[] = [];
  b.forEach((m, s) => got.push([m, s]));
  assert.deepEqual(got, expected);
  assert.equal(b.tree.length, expected.length);
  assert.equal(b.dict.size, expected.length);
  for (const [m, s] of expected) assert.ok(Object.is(b.dict.get(m), s));
}

/** A deterministic pseudo-random source. */
function lcg(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}

test('big form ranks, order and updates agree with a sorted model under random operations', () => {
  const rand = lcg(42);
  const z = new ZSetValue();
  const b = z.toBig();
  const model = new Map<string, number>();
  for (let step = 0; step < 4000; step++) {
    const m = `m${Math.floor(rand() * 300)}`;
    const op = rand();
    const cur = model.get(m);
    if (op < 0.5) {
      const s = Math.floor(rand() * 40) - 20;
      const r = z.zadd(m, s, 0, 0, 0);
      assert.equal(r, cur === undefined ? ZADD_ADDED : cur === s ? 0 : ZADD_UPDATED);
      model.set(m, s);
    } else if (op < 0.7) {
      assert.equal(z.delete(m), cur !== undefined);
      model.delete(m);
    } else if (op < 0.75 && model.size > 0) {
      const o = out();
      z.pop(rand() < 0.5, 1, o);
      assert.equal(model.get(o.members[0]!), o.scores[0]);
      model.delete(o.members[0]!);
    } else if (op < 0.78 && model.size > 10) {
      const start = Math.floor(rand() * model.size);
      const end = Math.min(model.size - 1, start + Math.floor(rand() * 8));
      const sorted = [...model].sort(order);
      assert.equal(z.deleteByRank(start, end), end - start + 1);
      for (const [k] of sorted.slice(start, end + 1)) model.delete(k);
    }
    if (step % 97 === 0 || step === 3999) {
      const sorted = [...model].sort(order);
      checkInvariants(b, sorted);
      sorted.forEach(([k], i) => {
        assert.equal(z.rank(k, false), i);
        assert.equal(z.rank(k, true), sorted.length - 1 - i);
        const o = out();
        b.rangeByRank(i, i, false, o);
        assert.equal(o.members[0], k);
      });
      assert.equal(z.rank('absent', false), -1);
      assert.equal(z.size(), model.size);
    }
  }
});

/**
 * Every read the commands make, on a set, as plain data (to compare the two
 * encodings). Lex reads only when `lex`: on mixed scores they depend on the
 * walk, and Redis's listpack and skiplist answers differ too.
 */
function readAll(z: ZSetValue, rand: () => number, lex: boolean): unknown[] {
  const res: unknown[] = [];
  const n = z.size();
  const all = out();
  z.all(all);
  res.push(pairs(all), n);
  for (const m of ['m1', 'm5', 'absent']) res.push(z.score(m), z.rank(m, false), z.rank(m, true));
  const a = Math.floor(rand() * (n + 1)), b2 = Math.min(n - 1, a + Math.floor(rand() * 6));
  for (const rev of [false, true]) {
    if (a <= b2) {
      const o = out();
      z.rangeByRank(a, b2, rev, o);
      res.push(pairs(o));
    }
    const lo = Math.floor(rand() * 30) - 15;
    const sr = parseScoreRange(rand() < 0.5 ? `(${lo}` : `${lo}`, rand() < 0.5 ? `(${lo + 8}` : `${lo + 8}`);
    const off = Math.floor(rand() * 3), lim = Math.floor(rand() * 5) - 1;
    const o1 = out();
    z.rangeByScore(sr, rev, off, lim, o1);
    const lr = parseLexRange(rand() < 0.5 ? '-' : `[m${Math.floor(rand() * 20)}`, rand() < 0.5 ? '+' : `(m${Math.floor(rand() * 20)}`);
    const o2 = out();
    z.rangeByLex(lr, rev, off, lim, o2);
    res.push(pairs(o1), z.countByScore(sr));
    if (lex) res.push(pairs(o2), z.countByLex(lr));
  }
  return res;
}

for (const lex of [false, true]) test(`packed and skiplist encodings answer every read and write alike (${lex ? 'equal scores, lex ranges' : 'mixed scores'})`, () => {
  const rand = lcg(lex ? 8 : 7);
  const packed = new ZSetValue();
  // a tree of tiny nodes: 25 members span many leaves and three levels
  const big = new ZSetValue(new ZSetBig(4, 4));
  for (let step = 0; step < 3000; step++) {
    const m = `m${Math.floor(rand() * 25)}`;
    const op = rand();
    if (op < 0.45) {
      // few distinct scores: ties ordered by member, lex ranges meaningful
      const s = lex || rand() < 0.3 ? 0 : Math.floor(rand() * 12) - 6 + (rand() < 0.2 ? 0.5 : 0);
      const flags = rand() < 0.2 ? ZADD_INCR : rand() < 0.1 ? ZADD_XX : rand() < 0.1 ? ZADD_GT : 0;
      const r1 = packed.zadd(m, s, flags, Infinity, Infinity);
      const r2 = big.zadd(m, s, flags, Infinity, Infinity);
      assert.equal(r1, r2);
    } else if (op < 0.6) {
      assert.equal(packed.delete(m), big.delete(m));
    } else if (op < 0.68) {
      const max = rand() < 0.5, count = 1 + Math.floor(rand() * 3);
      const o1 = out(), o2 = out();
      packed.pop(max, count, o1);
      big.pop(max, count, o2);
      assert.deepEqual(pairs(o1), pairs(o2));
    } else if (op < 0.72) {
      const lo = Math.floor(rand() * 12) - 6;
      const r = parseScoreRange(`${lo}`, `(${lo + 3}`);
      assert.equal(packed.deleteByScore(r), big.deleteByScore(r));
    } else if (op < 0.75 && lex) {
      const r = parseLexRange(`[m${Math.floor(rand() * 20)}`, `(m${Math.floor(rand() * 25)}`);
      assert.equal(packed.deleteByLex(r), big.deleteByLex(r));
    } else if (op < 0.78 && packed.size() > 3) {
      const a = Math.floor(rand() * packed.size());
      const b = Math.min(packed.size() - 1, a + Math.floor(rand() * 3));
      assert.equal(packed.deleteByRank(a, b), big.deleteByRank(a, b));
    }
    assert.equal(packed.encoding(), 'listpack');
    // the same seed drives both reads
    const seed = Math.floor(rand() * 1e9);
    assert.deepEqual(readAll(packed, lcg(seed), lex), readAll(big, lcg(seed), lex), `step ${step}`);
    if (step % 100 === 0) checkInvariants(big.data as ZSetBig, pairsOf(packed));
  }
});

test('zadd flags: NX, XX, GT, LT, INCR and NaN as Redis zsetAdd, on both encodings', () => {
  for (const toBig of [false, true]) {
    const z = new ZSetValue();
    if (toBig) z.toBig();
    assert.equal(z.zadd('a', 1, ZADD_XX, 128, 64), ZADD_NOP);
    assert.equal(z.zadd('a', 1, 0, 128, 64), ZADD_ADDED);
    assert.equal(z.zadd('a', 1, 0, 128, 64), 0);
    assert.equal(z.zadd('a', 0.5, ZADD_GT, 128, 64), ZADD_NOP);
    assert.equal(z.zadd('a', Infinity, ZADD_INCR, 128, 64), ZADD_UPDATED);
    assert.equal(z.zadd('a', -Infinity, ZADD_INCR, 128, 64), ZADD_NAN);
    assert.equal(z.score('a'), Infinity);
  }
});

test('listpack-sized sets store -0 as 0 and convert one way past the limits', () => {
  const z = new ZSetValue();
  z.insert('a', -0, 2, 64);
  assert.ok(Object.is(z.score('a'), 0));
  z.insert('b', 1, 2, 64);
  assert.equal(z.encoding(), 'listpack');
  z.insert('c', -0, 2, 64);
  assert.equal(z.encoding(), 'skiplist');
  assert.ok(Object.is(z.score('c'), -0));
  z.delete('c');
  z.delete('b');
  assert.equal(z.encoding(), 'skiplist');
  const long = new ZSetValue();
  long.insert('x'.repeat(65), 1, 128, 64);
  assert.equal(long.encoding(), 'skiplist');
  const edge = new ZSetValue();
  edge.insert('x'.repeat(64), 1, 128, 64);
  assert.equal(edge.encoding(), 'listpack');
  const copy = z.clone();
  assert.equal(copy.encoding(), 'skiplist');
  assert.deepEqual([...copy.entries()], ['a', '0']);
  // a skiplist that fits packs again (zsetConvertToListpackIfNeeded); -0 becomes 0 on the way
  copy.zadd('n', -0, 0, 128, 64);
  copy.packIfFits(128, 64);
  assert.equal(copy.encoding(), 'listpack');
  assert.deepEqual([...copy.entries()], ['a', '0', 'n', '0']);
  const wide = new ZSetValue();
  wide.toBig();
  wide.insert('y'.repeat(65), 1, 128, 64);
  wide.packIfFits(128, 64);
  assert.equal(wide.encoding(), 'skiplist');
});

test('fromColumns sorts into a packed set when it fits, finds repeated members, else builds a skiplist', () => {
  const z = ZSetValue.fromColumns(['c', 'b', 'a', 'd'], [2, 1, 1, -1], 4, 64)!;
  assert.equal(z.encoding(), 'listpack');
  assert.deepEqual([...z.entries()], ['d', '-1', 'a', '1', 'b', '1', 'c', '2']);
  assert.equal(ZSetValue.fromColumns(['c', 'b', 'a', 'd'], [2, 1, 1, -1], 3, 64)!.encoding(), 'skiplist');
  assert.equal(ZSetValue.fromColumns(['a', 'b', 'a'], [1, 2, 3], 128, 64), null);
  assert.equal(ZSetValue.fromColumns(['a', 'b', 'a'], [1, 2, 3], 1, 64), null);
  // a big set listed from its highest entry down (an RDB's order), from its lowest up, or in no order: the same set
  const ms = Array.from({ length: 500 }, (_, i) => `m${String(i).padStart(3, '0')}`);
  const ss = ms.map((_, i) => Math.floor(i / 7));
  const shuffled = ms.map((_, i) => (i * 7919) % 500);
  const up = ZSetValue.fromColumns(ms, ss, 128, 64)!;
  const down = ZSetValue.fromColumns(ms.slice().reverse(), ss.slice().reverse(), 128, 64)!;
  const mixed = ZSetValue.fromColumns(shuffled.map((i) => ms[i]!), shuffled.map((i) => ss[i]!), 128, 64)!;
  for (const z of [up, down, mixed]) {
    assert.equal(z.encoding(), 'skiplist');
    checkInvariants(z.data as ZSetBig, ms.map((m, i) => [m, ss[i]!]));
  }
  // a member twice in an ordered listing (two scores)
  assert.equal(ZSetValue.fromColumns(['x', 'b', 'a', 'x'], [9, 1, 1, 0], 1, 64), null);
  assert.equal(ZSetValue.fromColumns(['x', 'a', 'b', 'x'], [0, 1, 1, 9], 1, 64), null);
});

test('bytes(): the tagged packed string; the skiplist form grows and shrinks with its elements', () => {
  const z = new ZSetValue();
  for (let i = 0; i < 10; i++) z.insert(`member:${i}`, i, 128, 64);
  const s = z.data as string;
  // a count, then each member (a length and 8 chars) and its integer score in one char
  assert.equal(s.length, 1 + 10 * (1 + 8 + 1));
  // stored between commands as the string behind a one-char tag (stored.ts), no wrapper
  assert.equal(z.bytes(), stringBytes(s.length + 1));
  const b = new ZSetValue();
  b.toBig();
  const empty = b.bytes();
  for (let i = 0; i < 1000; i++) b.insert(`member:${i}`, i, 128, 64);
  assert.ok(b.bytes() - empty > 1000 * 100, 'at least ~100 bytes an element');
  for (let i = 0; i < 1000; i += 2) b.zadd(`member:${i}`, -i, 0, 128, 64);
  const o = out();
  b.pop(false, 10, o);
  b.deleteByRank(0, 9);
  for (let i = 0; i < 1000; i++) b.delete(`member:${i}`);
  assert.equal(b.size(), 0);
  assert.equal(b.bytes(), empty);
});

test("ZSCAN score text: a listpack's as d2string wrote it (integers in full, the rest shortest), a skiplist's %.17g", () => {
  const z = new ZSetValue();
  assert.equal(z.scoreText(2305843009213693952), '2305843009213693952');
  assert.equal(z.scoreText(1e20), '1e+20');
  assert.equal(z.scoreText(0.1), '0.1');
  assert.equal(z.scoreText(-0), '0');
  assert.equal(z.scoreText(1.5e-7), '1.5e-7');
  z.toBig();
  assert.equal(z.scoreText(0.1), '0.10000000000000001');
  assert.equal(z.scoreText(2305843009213693952), '2.305843009213694e+18');
});

test('strtod and string2d follow glibc and Redis', () => {
  assert.equal(string2d('0x10'), 16);
  assert.equal(string2d('0x1.8p1'), 3);
  assert.equal(string2d('-0x.8'), -0.5);
  assert.equal(string2d('0x1p-1074'), 5e-324);
  assert.equal(string2d('0x1p-1080'), null); // underflows to zero
  assert.equal(string2d('1e500'), null);
  assert.equal(string2d('1e-400'), null);
  assert.equal(string2d('1e-310'), 1e-310);
  assert.equal(string2d('Infinity'), Infinity);
  assert.equal(string2d('-inf'), -Infinity);
  assert.equal(string2d('nan'), null);
  assert.equal(string2d(' 1'), null);
  assert.equal(string2d('1 '), null);
  assert.equal(string2d(''), null);
  assert.equal(string2d('1.'), 1);
  assert.equal(string2d('.5e1'), 5);
  assert.equal(string2d('1e'), null);
  assert.ok(Object.is(string2d('-0'), -0));
  assert.equal(string2d('123456789012345678901234567890'), 1.2345678901234568e29);
  assert.equal(strtod('  12abc', 0), 12);
  assert.equal(strtod('abc', 0), 0);
  assert.deepEqual(parseScoreRange('', '(').min, 0);
  assert.deepEqual(parseScoreRange(' 1', '1e500'), { min: 1, max: Infinity, minex: false, maxex: false });
  assert.throws(() => parseScoreRange('nan', '1'), /min or max is not a float/);
  assert.throws(() => parseScoreRange('1x', '1'), /min or max is not a float/);
  assert.throws(() => parseLexRange('a', '+'), /min or max not valid string range item/);
  assert.throws(() => parseLexRange('++', '+'), /min or max not valid string range item/);
});

/** zadd() of each pair in turn: the reference zaddMany() must match. */
function zaddEach(z: ZSetValue, ms: string[], ss: number[], flags: number, maxEntries: number, maxValue: number): [number, number] {
  let added = 0, updated = 0;
  for (let i = 0; i < ms.length; i++) {
    const r = z.zadd(ms[i]!, ss[i]!, flags, z.big ? Infinity : maxEntries, z.big ? Infinity : maxValue);
    if (r === ZADD_ADDED) added++;
    else if (r === ZADD_UPDATED) updated++;
  }
  return [added, updated];
}

/** Same contents, order, encoding, packed bytes and accounting. */
function assertSameSet(a: ZSetValue, b: ZSetValue, msg: string): void {
  assert.equal(a.encoding(), b.encoding(), msg);
  if (!a.big) assert.equal(a.data, b.data, msg);
  assert.deepEqual([...a.entries()], [...b.entries()], msg);
  for (const [m] of pairsOf(a)) assert.ok(Object.is(a.score(m), b.score(m)), `${msg}: score of ${m}`);
  if (a.big) checkInvariants(a.data as ZSetBig, pairsOf(b));
  assert.equal(a.bytes(), b.bytes(), msg);
}
function pairsOf(z: ZSetValue): Entry[] {
  const o = out();
  z.all(o);
  return pairs(o);
}

test('zaddMany: one rebuild, the same set, encoding and counts as zadd() pair by pair', () => {
  const NX = 1, GT = 4, LT = 8;
  const flagSets = [0, NX, ZADD_XX, GT, LT, ZADD_XX | GT, ZADD_XX | LT];
  // fixed cases across the thresholds: the 129th member mid-command, an over-long one mid-command, duplicates
  const cases: { start: Entry[]; ms: string[]; ss: number[] }[] = [];
  const base: Entry[] = Array.from({ length: 120 }, (_, i) => [`m${i}`, i % 7]);
  const ms20 = Array.from({ length: 20 }, (_, i) => `n${i}`);
  cases.push({ start: base, ms: ms20, ss: ms20.map((_, i) => i - 3) }); // the 129th arrives 9th
  cases.push({ start: base, ms: ms20.slice(0, 9), ss: [1, -0, 2, 3, 4, 5, 6, 7, -0] }); // ends with 129: a skiplist
  cases.push({ start: base, ms: ['m1', ...ms20.slice(0, 8), 'n0'], ss: [1, -0, 2, 3, 4, 5, 6, 7, -0, 5] }); // ends with 128: packed
  cases.push({ start: base, ms: ['m1', 'n1', 'n1', 'm2', 'x'.repeat(65), 'n2', 'm3', 'n3'], ss: [9, 1, 2, -0, 5, 6, -1, 0] });
  cases.push({ start: [], ms: ['a', 'b', 'a', 'c', 'b', 'a'], ss: [3, 2, 1, -0, 5, 1] }); // duplicates only
  cases.push({ start: [], ms: Array.from({ length: 200 }, (_, i) => `k${i % 150}`), ss: Array.from({ length: 200 }, (_, i) => (i * 37) % 11) });
  cases.push({ start: [['a', 1]], ms: ['b', 'y'.repeat(64), 'c', 'z'.repeat(65), 'c'], ss: [1, 1, 0, 2, 3] });
  cases.push({ start: [['a', 0]], ms: ['a', 'a', 'b'], ss: [-0, 0, -0] });
  // random ones
  const rand = lcg(7);
  for (let k = 0; k < 60; k++) {
    const start: Entry[] = [];
    const n0 = Math.floor(rand() * 135);
    for (let i = 0; i < n0; i++) start.push([`s${Math.floor(rand() * 160)}`, Math.floor(rand() * 10) - 5]);
    const n = 2 + Math.floor(rand() * 60);
    const ms: string[] = [], ss: number[] = [];
    for (let i = 0; i < n; i++) {
      ms.push(rand() < 0.03 ? 'L'.repeat(60 + Math.floor(rand() * 10)) : `s${Math.floor(rand() * 160)}`);
      ss.push(rand() < 0.1 ? -0 : Math.floor(rand() * 10) - 5 + (rand() < 0.3 ? 0.5 : 0));
    }
    cases.push({ start, ms, ss });
  }
  for (const [ci, { start, ms, ss }] of cases.entries()) {
    for (const flags of flagSets) {
      for (const [bigFirst, maxEntries] of [[false, 128], [true, 128], [false, 4]] as const) {
        const a = new ZSetValue();
        const b = new ZSetValue();
        for (const [m, s] of start.slice(0, maxEntries === 4 ? ci % 6 : start.length)) {
          a.zadd(m, s, 0, a.big ? Infinity : 128, a.big ? Infinity : 64);
          b.zadd(m, s, 0, b.big ? Infinity : 128, b.big ? Infinity : 64);
        }
        if (bigFirst) {
          a.toBig();
          b.toBig();
        }
        const before = a.data;
        // members interleaved with other arguments, as ZADD's score/member pairs
        const args = ms.flatMap((m, i) => [String(ss[i]), m]);
        a.zaddMany(args, 1, 2, ss, ms.length, flags, a.big ? Infinity : maxEntries, a.big ? Infinity : 64);
        const [added, updated] = zaddEach(b, ms, ss, flags, maxEntries, 64);
        const msg = `case ${ci} flags ${flags} big ${bigFirst} max ${maxEntries}`;
        assert.deepEqual([zaddCounts.added, zaddCounts.updated], [added, updated], msg);
        assertSameSet(a, b, msg);
        if (added + updated === 0 && typeof before === 'string') assert.equal(a.data, before, `${msg}: untouched`);
      }
    }
  }
});

test('zaddMany on a packed set builds its string once', () => {
  const z = new ZSetValue();
  z.zadd('a', 1, 0, 128, 64);
  const ms = Array.from({ length: 100 }, (_, i) => `member:${i}`);
  const ss = ms.map((_, i) => 100 - i);
  let builds = 0;
  const orig = Buffer.prototype.latin1Slice;
  Buffer.prototype.latin1Slice = function (this: Buffer, ...a: [number?, number?]) {
    builds++;
    return orig.apply(this, a);
  };
  try {
    z.zaddMany(ms, 0, 1, ss, ms.length, 0, 128, 64);
  } finally {
    Buffer.prototype.latin1Slice = orig;
  }
  assert.equal(builds, 1);
  assert.equal(z.size(), 101);
  assert.equal(z.encoding(), 'listpack');
});

test('deleteMany: the same set and count as delete() member by member, duplicates included', () => {
  const rand = lcg(11);
  for (let k = 0; k < 80; k++) {
    const a = new ZSetValue();
    const n0 = Math.floor(rand() * 140);
    for (let i = 0; i < n0; i++) a.zadd(`s${Math.floor(rand() * 150)}`, Math.floor(rand() * 9), 0, a.big ? Infinity : 128, a.big ? Infinity : 64);
    const b = a.clone();
    const del = Array.from({ length: 1 + Math.floor(rand() * 50) }, () => `s${Math.floor(rand() * 150)}`);
    let n = 0;
    for (const m of del) if (b.delete(m)) n++;
    assert.equal(a.deleteMany(['ZREM', 'k', ...del], 2, del.length + 2), n, `case ${k}`);
    assertSameSet(a, b, `case ${k}`);
  }
});

test('packed scores: integers in 1 to 8 chars, any other double in 9, every one read back exactly', () => {
  const cases: [number, number][] = [
    [0, 1], [1, 1], [-1, 1], [119, 1], [-120, 1], [120, 2], [-121, 2], [127, 2], [-128, 2], [1000, 3], [-1000, 3],
    [100_000, 4], [2 ** 31, 6], [-(2 ** 31), 5], [2 ** 52 - 1, 8], [-(2 ** 52 - 1), 8],
    [2 ** 52, 9], [-(2 ** 52), 9], [2 ** 53, 9], [1.5, 9], [-0.25, 9], [Infinity, 9], [-Infinity, 9], [-0, 9], [1e300, 9], [5e-324, 9],
  ];
  for (const [x, size] of cases) {
    begin();
    putItem('m');
    putScore(x);
    putItem('n');
    const s = finish();
    assert.equal(s.length, 2 + size + 2, `size of ${x}`);
    assert.ok(Object.is(scoreAt(s, 2), x), `read back ${x}`);
    assert.equal(scoreEnd.p, 2 + size);
    assert.equal(skipScore(s, 2), 2 + size);
  }
  // a sorted set of mixed scores keeps its order and scores through the packed form
  const rnd = rng(7);
  const z = new ZSetValue();
  const want = new Map<string, number>();
  for (let i = 0; i < 120; i++) {
    const kind = i % 4;
    const score = kind === 0 ? Math.floor(rnd() * 240) - 120 : kind === 1 ? Math.floor((rnd() - 0.5) * 2 ** 40) : kind === 2 ? (rnd() - 0.5) * 1e6 : Math.floor(rnd() * 2 ** 53);
    z.zadd(`m${i}`, score, 0, 128, 64);
    want.set(`m${i}`, score);
  }
  assert.equal(z.encoding(), 'listpack');
  const sorted = [...want].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const got = [...z.entries()];
  assert.deepEqual(got.filter((_, i) => i % 2 === 0), sorted.map(([m]) => m));
  for (const [m, sc] of want) assert.equal(z.score(m), sc);
});
