import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SET_LIMITS, EMPTY_LISTPACK, SetValue, compareIntStrings, type SetLimits } from '../../src/datatypes/set.ts';
import { intsetWidth } from '../../src/datatypes/intset.ts';
import { stringBytes } from '../../src/datatypes/packed.ts';
import { dumpPayload, DEFAULT_SAVE_OPTIONS } from '../../src/persistence/rdb-writer.ts';
import { readDumpPayload } from '../../src/persistence/rdb-load.ts';
import { DEFAULT_LIMITS } from '../../src/persistence/rdb-reader.ts';
import { rng } from '../helpers/rng.ts';

const INT64_EDGES = ['-9223372036854775808', '9223372036854775807', '-9223372036854775807', '9007199254740993', '-9007199254740993',
  '9007199254740992', '4294967296', '-4294967296', '4294967295', '-4294967297', '2147483648', '-2147483649', '2147483647', '-2147483648',
  '32768', '-32769', '32767', '-32768', '0', '-1', '1', '65535', '-65536', '18014398509481984', '-18014398509481985'];

/** Redis 7.4's default limits with set-max-intset-entries `maxIntset` (and listpack ones when given). */
function L(maxIntset: number, entries = 128, value = 64): SetLimits {
  return { ...DEFAULT_SET_LIMITS, setMaxIntsetEntries: maxIntset, setMaxListpackEntries: entries, setMaxListpackValue: value };
}

/** The encoding form a SetValue is in: intset, listpack or big. */
function form(s: SetValue): string {
  const f = typeof s.data !== 'string' ? 'big' : s.intset ? 'intset' : 'listpack';
  assert.equal(s.encoding(), f === 'big' ? 'hashtable' : f);
  return f;
}

/** Checks every read of `s` against the model. */
function same(s: SetValue, model: Set<string>, intsetExpected?: boolean): void {
  assert.equal(s.size(), model.size);
  const ms = [...s.members()];
  assert.deepEqual(ms.slice().sort(), [...model].sort());
  assert.deepEqual([...s.entries()].sort(), [...model].sort());
  assert.deepEqual([...s.iterator()].sort(), [...model].sort());
  for (const m of model) assert.ok(s.has(m), m);
  if (s.intset) assert.deepEqual(ms, ms.slice().sort(compareIntStrings), 'an intset lists in ascending order');
  if (intsetExpected !== undefined) assert.equal(s.intset, intsetExpected);
}

test('intset: 64-bit edges stay exact, widths grow 2 → 4 → 8 and never shrink, ascending order', () => {
  const s = new SetValue();
  const model = new Set<string>();
  assert.equal(s.add('5', L(512)), true);
  assert.equal(intsetWidth(s.data as string), 2);
  assert.equal(s.add('5', L(512)), false);
  model.add('5');
  for (const m of INT64_EDGES) {
    assert.equal(s.add(m, L(512)), !model.has(m), m);
    model.add(m);
    same(s, model, true);
  }
  assert.equal(intsetWidth(s.data as string), 8);
  // near misses are not members; not-integers are never members of an intset
  for (const m of ['9223372036854775806', '9007199254740994', '-9223372036854775806', '2', '01', '+1', '-0', '1.0', ' 1', '']) {
    assert.equal(s.has(m), false, m);
    assert.equal(s.delete(m), false, m);
  }
  for (const m of ['9223372036854775807', '-9223372036854775808', '9007199254740993']) {
    assert.equal(s.delete(m), true);
    model.delete(m);
    same(s, model, true);
  }
  // only small members left: the width stays 8, as Redis's intset
  for (const m of [...model]) if (m.length > 6) {
    s.delete(m);
    model.delete(m);
  }
  same(s, model, true);
  assert.equal(intsetWidth(s.data as string), 8);
  assert.equal(s.intsetBlobLength(), 8 + 8 * model.size);
});

test('a wider member goes first or last when it widens the intset', () => {
  for (const [small, wide] of [['1', '-70000'], ['1', '70000'], ['-5', '-5000000000'], ['-5', '5000000000'], ['300', '9223372036854775807'], ['300', '-9223372036854775808']] as const) {
    const s = new SetValue();
    s.add(small, L(512));
    s.add('2', L(512));
    s.add(wide, L(512));
    const expect = [small, '2', wide].sort(compareIntStrings);
    assert.deepEqual(s.members(), expect);
    for (const m of expect) assert.ok(s.has(m));
  }
});

test('random operations match a Set model on every form and across conversions', () => {
  for (const seed of [1, 7, 99, 2024]) {
    const rand = rng(seed);
    const s = new SetValue();
    const model = new Set<string>();
    const forms = new Set<string>();
    const maxIntset = 40;
    for (let step = 0; step < 6000; step++) {
      const r = rand();
      // mostly integers (small and wide), some strings, now and then a long one
      const pick = rand();
      const m = pick < 0.5 ? String(Math.floor(rand() * 60) - 30)
        : pick < 0.7 ? INT64_EDGES[Math.floor(rand() * INT64_EDGES.length)]!
        : pick < 0.998 ? `m${Math.floor(rand() * 120)}`
        : 'x'.repeat(65);
      if (r < 0.45) {
        assert.equal(s.add(m, L(maxIntset)), !model.has(m));
        model.add(m);
      }
      else if (r < 0.75) assert.equal(s.delete(m), model.delete(m));
      else if (r < 0.8 && model.size > 0) {
        const p = s.popRandom();
        assert.ok(model.delete(p), p);
      } else if (r < 0.85 && model.size > 0) assert.ok(model.has(s.random()));
      else assert.equal(s.has(m), model.has(m));
      // start over now and then, to pass through every form again
      if ((model.size === 0 && rand() < 0.3) || model.size > 140) {
        s.reset();
        model.clear();
      }
      forms.add(form(s));
      if (step % 50 === 0) same(s, model);
      const c = s.clone();
      if (step % 500 === 0) {
        same(c, model);
        assert.equal(form(c), form(s));
      }
    }
    same(s, model);
    assert.deepEqual([...forms].sort(), ['big', 'intset', 'listpack']);
  }
});

test('conversions at the thresholds, as Redis 7.4 converts (setTypeAdd)', () => {
  // intset → hashtable past set-max-intset-entries (never to a listpack)
  const a = new SetValue();
  for (let i = 0; i < 4; i++) a.add(String(i), L(4));
  assert.equal(form(a), 'intset');
  a.add('4', L(4));
  assert.equal(form(a), 'big');
  a.delete('4');
  assert.equal(form(a), 'big', 'one-way');
  const b = new SetValue();
  for (let i = 0; i < 512; i++) b.add(String(i * 1000), L(512));
  assert.equal(form(b), 'intset');
  b.add('1', L(512));
  assert.equal(form(b), 'big');
  assert.equal(b.size(), 513);
  // intset → listpack on a non-integer that fits: the integers ascending, then it
  const c = new SetValue();
  c.add('3', L(512));
  c.add('1', L(512));
  c.add('a', L(512));
  assert.equal(form(c), 'listpack');
  assert.deepEqual(c.members(), ['1', '3', 'a']);
  c.add('2', L(512));
  assert.deepEqual(c.members(), ['1', '3', 'a', '2'], 'a listpack keeps insertion order');
  // … but to a hashtable when the intset holds set-max-listpack-entries, or a member is too long
  const full = new SetValue();
  for (let i = 0; i < 128; i++) full.add(String(i), L(512));
  full.add('x', L(512));
  assert.equal(form(full), 'big');
  const wide = new SetValue();
  wide.add('-100', L(512));
  wide.add('a', L(512, 128, 3));
  assert.equal(form(wide), 'big', 'the intset\'s longest member (4 chars) is past set-max-listpack-value');
  const wideOk = new SetValue();
  wideOk.add('-10', L(512));
  wideOk.add('a', L(512, 128, 3));
  assert.equal(form(wideOk), 'listpack');
  // listpack → big past set-max-listpack-entries members or -value bytes
  const d = new SetValue();
  for (let i = 0; i < 128; i++) d.add(`m${i}`, L(512));
  assert.equal(form(d), 'listpack');
  d.add('m128', L(512));
  assert.equal(form(d), 'big');
  d.delete('m128');
  assert.equal(form(d), 'big', 'one-way');
  const e = new SetValue();
  e.add('a', L(512));
  e.add('x'.repeat(64), L(512));
  assert.equal(form(e), 'listpack');
  e.add('y'.repeat(65), L(512));
  assert.equal(form(e), 'big');
  const f = new SetValue();
  f.add('z'.repeat(65), L(512));
  assert.equal(form(f), 'big', 'a long first member');
  // a listpack of integers stays one
  const g = new SetValue(EMPTY_LISTPACK);
  for (const m of ['5', '1', '3']) g.add(m, L(512));
  assert.equal(form(g), 'listpack');
  assert.deepEqual(g.members(), ['5', '1', '3']);
  // reset starts over as an intset, or a listpack
  d.reset();
  d.add('7', L(512));
  assert.equal(form(d), 'intset');
  d.reset(true);
  d.add('7', L(512));
  assert.equal(form(d), 'listpack');
});

test('create and maybeConvert: the form for the members coming (setTypeCreate / setTypeMaybeConvert)', () => {
  assert.equal(form(SetValue.create('1', 3, L(512))), 'intset');
  assert.equal(form(SetValue.create('1', 513, L(512))), 'big');
  assert.equal(form(SetValue.create('1', 4, L(3))), 'listpack', 'an integer, more than set-max-intset-entries coming');
  assert.equal(form(SetValue.create('a', 128, L(512))), 'listpack');
  assert.equal(form(SetValue.create('a', 129, L(512))), 'big');
  assert.equal(form(SetValue.create('a', 1, L(512, 0))), 'big', 'set-max-listpack-entries 0');
  const s = SetValue.create('a', 2, L(512));
  s.addMany(['a', 'b'], 0, L(512));
  s.maybeConvert(128, L(512));
  assert.equal(form(s), 'listpack');
  s.maybeConvert(129, L(512));
  assert.equal(form(s), 'big');
  assert.deepEqual(s.members(), ['a', 'b']);
  const i = setOf(['1', '2']);
  i.maybeConvert(512, L(512));
  assert.equal(form(i), 'intset');
  i.maybeConvert(513, L(512));
  assert.equal(form(i), 'big', 'an intset goes to a hashtable however few members come');
});

test('a listpack past 127 members (set-max-listpack-entries raised) keeps its count and never looks like an intset', () => {
  const lim = L(512, 1000, 64);
  for (const n of [127, 128, 130, 132, 136, 200, 258, 1000]) {
    const s = new SetValue(EMPTY_LISTPACK);
    const ms = range(0, n, (i) => `m${i}`);
    assert.equal(s.addMany(ms, 0, lim), n);
    assert.equal(form(s), 'listpack', `${n}`);
    assert.equal(s.size(), n);
    assert.deepEqual(s.members(), ms);
    assert.ok(s.has(`m${n - 1}`));
    s.delete('m0');
    assert.equal(s.size(), n - 1);
    assert.equal(form(s), 'listpack');
    assert.equal(s.deleteMany(['m1', 'm2', 'nope'], 0), 2);
    assert.equal(s.size(), n - 3);
    assert.equal(form(s), 'listpack');
    const one = setOf(ms.slice(0, 3));
    for (let i = 3; i < n; i++) one.add(ms[i]!, lim);
    assert.equal(form(one), 'listpack');
    assert.deepEqual(one.members(), ms);
  }
});

test('fromMembers and fromIntsetBlob build what Redis loads, and catch duplicates', () => {
  assert.equal(form(SetValue.fromMembers(['3', '-1', '2'], L(512))!), 'intset');
  assert.deepEqual(SetValue.fromMembers(['3', '-1', '2'], L(512))!.members(), ['-1', '2', '3']);
  assert.equal(form(SetValue.fromMembers(['3', '-1', '2'], L(2))!), 'big', 'more than set-max-intset-entries: a hashtable from the start');
  // the integers before the first non-integer come first, ascending; the rest in order
  const lp = SetValue.fromMembers(['2', '1', 'a', '0', 'b'], L(512))!;
  assert.equal(form(lp), 'listpack');
  assert.deepEqual(lp.members(), ['1', '2', 'a', '0', 'b']);
  assert.deepEqual(SetValue.fromMembers(['a', '1'], L(512))!.members(), ['a', '1']);
  assert.equal(form(SetValue.fromMembers(['1', '2', 'a'], L(512, 2))!), 'big', 'two integers are already set-max-listpack-entries');
  assert.equal(form(SetValue.fromMembers(['1', 'a', 'b'], L(512, 2))!), 'big', 'past set-max-listpack-entries');
  assert.equal(form(SetValue.fromMembers(['1000', 'a'], L(512, 128, 3))!), 'big', 'an integer longer than set-max-listpack-value');
  assert.equal(SetValue.fromMembers(['2', '1', 'a', '2'], L(512)), null);
  assert.equal(SetValue.fromMembers(['1', 'a', 'b', 'a'], L(512, 2)), null, 'a repeat after the hashtable conversion');
  // a Redis listpack set loads as it is (RDB_TYPE_SET_LISTPACK), a hashtable past set-max-listpack-entries
  const fl = SetValue.fromListpack(['3', 'x'.repeat(100), '1'], L(512))!;
  assert.equal(form(fl), 'listpack');
  assert.deepEqual(fl.members(), ['3', 'x'.repeat(100), '1']);
  assert.equal(form(SetValue.fromListpack(['1', '2', '3'], L(512, 2))!), 'big');
  assert.equal(SetValue.fromListpack(['1', 'a', '1'], L(512)), null);
  assert.equal(form(SetValue.fromMembers(['a', '1'], L(512))!), 'listpack');
  assert.equal(form(SetValue.fromMembers(Array.from({ length: 129 }, (_, i) => `m${i}`), L(512))!), 'big');
  assert.equal(form(SetValue.fromMembers(['a', 'x'.repeat(65)], L(512))!), 'big');
  assert.equal(SetValue.fromMembers(['1', '2', '1'], L(512)), null);
  assert.equal(SetValue.fromMembers(['a', 'b', 'a'], L(512)), null);
  assert.equal(SetValue.fromMembers(['a', ...Array.from({ length: 200 }, (_, i) => `m${i}`), 'a'], L(512)), null);
  const src = SetValue.fromMembers(INT64_EDGES, L(512))!;
  const blob = src.intsetBlob();
  assert.equal(blob.length, src.intsetBlobLength());
  assert.equal(blob.readUInt32LE(0), 8);
  assert.equal(blob.readUInt32LE(4), INT64_EDGES.length);
  const back = SetValue.fromIntsetBlob(blob, 0, blob.length, L(512))!;
  assert.equal(back.data, src.data);
  assert.equal(form(SetValue.fromIntsetBlob(blob, 0, blob.length, L(10))!), 'big', 'more than set-max-intset-entries: a hashtable');
  // malformed: bad width, count, order, duplicates, size
  const bad = (hex: string): void => assert.equal(SetValue.fromIntsetBlob(Buffer.from(hex, 'hex'), 0, hex.length / 2, L(512)), null, hex);
  bad('030000000100000001000000');
  bad('0200000000000000');
  bad('020000000200000002000100');
  bad('020000000200000001000100');
  bad('0200000002000000010002');
  bad('08000000020000000000000001000000ffffffff00000000');
});

test('bytes() is the tagged packed string (stored.ts), or a running count for a big set', () => {
  const s = new SetValue();
  for (let i = 0; i < 10; i++) s.add(String(i), L(512));
  assert.equal(s.bytes(), stringBytes(21 + 1));
  const p = new SetValue();
  for (let i = 0; i < 10; i++) p.add(`member:${i}`, L(512));
  assert.equal(p.bytes(), stringBytes(1 + 10 * 9 + 1));
  const b = new SetValue();
  for (let i = 0; i < 200; i++) b.add(`member:${i}`, L(512));
  const full = b.bytes();
  assert.ok(full > 200 * 60, `${full}`);
  for (let i = 0; i < 200; i++) b.delete(`member:${i}`);
  const empty = b.bytes();
  assert.ok(empty <= 200, `${empty}`);
  for (let i = 0; i < 200; i++) b.add(`member:${i}`, L(512));
  assert.equal(b.bytes(), full, 'the count goes back to where it was');
  assert.equal(b.clone().bytes(), full);
});

test('DUMP of an intset is byte for byte Redis 7.0.15 (width kept after the wide member left); every form reads back', () => {
  const s = new SetValue();
  for (const m of ['1', '2', '3', '-100', '70000', '9223372036854775807']) s.add(m, L(512));
  s.delete('9223372036854775807');
  const p = dumpPayload(s, DEFAULT_SAVE_OPTIONS);
  // redis-cli: SADD k 1 2 3 -100 70000 9223372036854775807; SREM k 9223372036854775807; DUMP k
  assert.equal(p.toString('hex'), '0bc327300408000000052003019cff80000001200b400000024004200000032003400001701140190100000a00bdc36cf20c652843');
  const back = readDumpPayload(p, DEFAULT_LIMITS) as SetValue;
  assert.equal(back.data, s.data, 'the intset loads as it was saved');
  const packed = SetValue.fromMembers(['a', '1', 'b'], L(512))!;
  const pb = readDumpPayload(dumpPayload(packed, DEFAULT_SAVE_OPTIONS), DEFAULT_LIMITS) as SetValue;
  assert.equal(form(pb), 'listpack');
  assert.deepEqual([...pb.members()].sort(), ['1', 'a', 'b']);
  // a hashtable of integers only reloads as an intset, as Redis's loader builds it
  const ints = SetValue.fromMembers(['a', '5', '-3'], L(512))!;
  ints.delete('a');
  const ib = readDumpPayload(dumpPayload(ints, DEFAULT_SAVE_OPTIONS), DEFAULT_LIMITS) as SetValue;
  assert.equal(form(ib), 'intset');
  assert.deepEqual(ib.members(), ['-3', '5']);
  const big = SetValue.fromMembers(Array.from({ length: 300 }, (_, i) => `m${i}`), L(512))!;
  const bb = readDumpPayload(dumpPayload(big, DEFAULT_SAVE_OPTIONS), DEFAULT_LIMITS) as SetValue;
  assert.equal(form(bb), 'big');
  assert.equal(bb.size(), 300);
  const bigInts = SetValue.fromMembers(Array.from({ length: 600 }, (_, i) => String(i)), L(512))!;
  assert.equal(form(bigInts), 'big');
  const bib = readDumpPayload(dumpPayload(bigInts, DEFAULT_SAVE_OPTIONS), DEFAULT_LIMITS) as SetValue;
  assert.equal(form(bib), 'big');
  assert.equal(bib.size(), 600);
});

/** addMany on a clone of `base` ends exactly as add() member by member: members, order, form, width, count, bytes. */
function checkAddMany(base: SetValue, ms: readonly string[], limits: number | SetLimits, msg: string): SetValue {
  const lim = typeof limits === 'number' ? L(limits) : limits;
  const one = base.clone();
  const many = base.clone();
  let expected = 0;
  for (const m of ms) if (one.add(m, lim)) expected++;
  assert.equal(many.addMany(['SADD', 'k', ...ms], 2, lim), expected, `${msg}: count`);
  assert.equal(form(many), form(one), `${msg}: form`);
  assert.deepEqual([...many.members()], [...one.members()], `${msg}: members in order`);
  if (typeof one.data === 'string') assert.equal(many.data, one.data, `${msg}: the same string`);
  assert.equal(many.bytes(), one.bytes(), `${msg}: bytes`);
  return many;
}

function setOf(ms: readonly string[], maxIntset = 512, start?: string): SetValue {
  const s = new SetValue(start);
  for (const m of ms) s.add(m, L(maxIntset));
  return s;
}

const range = (from: number, to: number, f: (i: number) => string): string[] => Array.from({ length: to - from }, (_, i) => f(from + i));

test('addMany (SADD with many members) = add() member by member, across every conversion', () => {
  const str = (i: number): string => `member:${i}`;
  // packed: to exactly 128 members, then the 129th mid-command
  assert.equal(form(checkAddMany(new SetValue(), range(0, 128, str), 512, 'packed to the limit')), 'listpack');
  assert.equal(form(checkAddMany(new SetValue(), range(0, 200, str), 512, '129th mid-command')), 'big');
  checkAddMany(setOf(range(0, 100, str)), range(90, 140, str), 512, 'packed, some there, past the limit');
  checkAddMany(setOf(range(0, 100, str)), range(0, 100, str), 512, 'packed, all there');
  // an over-long member mid-command, then more
  const long = [...range(0, 10, str), 'x'.repeat(65), ...range(10, 20, str)];
  assert.equal(form(checkAddMany(setOf(['a']), long, 512, 'long member')), 'big');
  checkAddMany(setOf(['a']), [...range(0, 5, str), 'x'.repeat(64), 'a'], 512, 'a member of exactly 64 bytes');
  // repeats inside one command
  checkAddMany(setOf(['a', 'b']), ['c', 'a', 'c', 'd', 'b', 'd', 'c', 'e'], 512, 'packed repeats');
  checkAddMany(new SetValue(), ['5', '3', '5', '-1', '3', '70000', '-1', '5'], 512, 'intset repeats');
  checkAddMany(setOf(range(0, 127, str)), ['z', 'z', 'y', 'z', 'y'], 512, 'repeats around the packed limit');
  // intset: widening, order, the limit crossed mid-command, a non-integer mid-command
  checkAddMany(setOf(['1', '2', '3']), ['-40000', '7', '9223372036854775807', '-2', '4294967296', '1'], 512, 'widened');
  checkAddMany(setOf(['1', '-70000']), ['5', '-9223372036854775808', '2'], 512, 'widened from 4 to 8');
  checkAddMany(setOf(INT64_EDGES.slice(0, 5)), INT64_EDGES, 512, 'int64 edges');
  const ints = range(0, 600, (i) => String((i * 7919) % 100003 - 50000));
  assert.equal(form(checkAddMany(new SetValue(), ints.slice(0, 512), 512, 'intset to the limit')), 'intset');
  assert.equal(form(checkAddMany(new SetValue(), ints, 512, '513th integer mid-command')), 'big');
  assert.equal(form(checkAddMany(setOf(ints.slice(0, 10), 10), [], 10, 'nothing')), 'intset');
  assert.equal(form(checkAddMany(setOf(['1', '2', '3']), ['4', '5', '6', '7', '5'], 5, 'past a small intset limit, to a hashtable')), 'big');
  assert.equal(form(checkAddMany(setOf(['1', '2', '3']), ['4', '5', '1', '2', '6', 'x', '7'], 5, 'past the limit, then a string')), 'big');
  checkAddMany(setOf(['3', '1']), ['2', '10', 'a', '0', 'b', '-5', 'a'], 512, 'a non-integer mid-command: ascending integers, then it');
  checkAddMany(new SetValue(), ['a', '1', '2', 'b', '1'], 512, 'a non-integer first');
  checkAddMany(new SetValue(), ['1', 'y'.repeat(65), 'b', '2'], 512, 'an over-long member converts an intset to big');
  checkAddMany(setOf(range(0, 128, String)), ['x', 'y'], 512, 'intset of 128, then strings: straight to big');
  checkAddMany(setOf(range(0, 127, String)), ['x', 'y', 'z'], 512, 'intset of 127, then strings: packed, then big');
  // set-max-intset-entries lowered under an intset: a repeat stays, a new integer converts
  checkAddMany(setOf(range(0, 10, String)), ['3', '4'], 5, 'lowered limit, repeats');
  checkAddMany(setOf(range(0, 10, String)), ['3', '40', '41'], 5, 'lowered limit, a new integer');
  checkAddMany(setOf(range(0, 10, String)), ['1', '2'], 0, 'limit 0');
  // already big
  checkAddMany(setOf(range(0, 300, str)), range(250, 350, str), 512, 'big');
  // other listpack limits
  assert.equal(form(checkAddMany(setOf(['1', '2']), ['a', 'b', 'a'], L(512, 4), 'listpack to 4 members')), 'listpack');
  assert.equal(form(checkAddMany(setOf(['1', '2']), ['a', 'b', 'c', 'd'], L(512, 4), 'listpack past 4 members')), 'big');
  assert.equal(form(checkAddMany(setOf(['1', '2']), ['a', 'bbbb'], L(512, 128, 3), 'a member past -value')), 'big');
  assert.equal(form(checkAddMany(setOf(['1000']), ['a'], L(512, 128, 3), 'an integer past -value')), 'big');
  assert.equal(form(checkAddMany(setOf([], 512, EMPTY_LISTPACK), ['3', '1', '2', '1'], 512, 'integers into a listpack')), 'listpack');
  assert.equal(form(checkAddMany(setOf([], 512, EMPTY_LISTPACK), range(0, 300, str), L(512, 1000), 'a listpack past 127')), 'listpack');
});

test('addMany = add() member by member under random batches', () => {
  for (const seed of [2, 13, 404]) {
    const rand = rng(seed);
    const pick = (): string => {
      const r = rand();
      if (r < 0.6) return String(Math.floor(rand() * 40) - 20);
      if (r < 0.65) return INT64_EDGES[Math.floor(rand() * INT64_EDGES.length)]!;
      if (r < 0.68) return 'l'.repeat(65);
      return `s${Math.floor(rand() * 30)}`;
    };
    for (let round = 0; round < 400; round++) {
      const maxIntset = 1 + Math.floor(rand() * 30);
      const lim = L(maxIntset, 1 + Math.floor(rand() * 40), 2 + Math.floor(rand() * 66));
      const base = new SetValue();
      const baseN = Math.floor(rand() * 40);
      const ints = rand() < 0.5;
      for (let i = 0; i < baseN; i++) base.add(ints ? String(Math.floor(rand() * 60) - 30) : pick(), lim);
      const ms: string[] = [];
      const count = 2 + Math.floor(rand() * 40);
      const allInts = rand() < 0.4;
      for (let i = 0; i < count; i++) ms.push(allInts ? String(Math.floor(rand() * 200) - 100) : pick());
      checkAddMany(base, ms, lim, `seed ${seed} round ${round}`);
    }
  }
});

test('deleteMany (SREM with many members) = delete() member by member, in every form', () => {
  for (const seed of [8, 31]) {
    const rand = rng(seed);
    for (let round = 0; round < 300; round++) {
      const kind = round % 3;
      const base = new SetValue();
      const n = Math.floor(rand() * (kind === 2 ? 200 : 40));
      for (let i = 0; i < n; i++) {
        const x = Math.floor(rand() * (kind === 2 ? 300 : 50));
        base.add(kind === 0 ? String(x - 25) : kind === 1 ? `s${x}` : `m${x}`, L(512));
      }
      if (kind === 0 && rand() < 0.3) base.add('9223372036854775807', L(512));
      const ms: string[] = [];
      const count = 1 + Math.floor(rand() * 30);
      for (let i = 0; i < count; i++) {
        const x = Math.floor(rand() * (kind === 2 ? 300 : 50));
        ms.push(kind === 0 ? (rand() < 0.1 ? 'nope' : String(x - 25)) : kind === 1 ? `s${x}` : `m${x}`);
      }
      const one = base.clone();
      const many = base.clone();
      let expected = 0;
      for (const m of ms) if (one.delete(m)) expected++;
      const msg = `seed ${seed} round ${round}`;
      assert.equal(many.deleteMany(['SREM', 'k', ...ms], 2), expected, msg);
      assert.equal(form(many), form(one), msg);
      assert.deepEqual([...many.members()].sort(), [...one.members()].sort(), msg);
      if (typeof one.data === 'string') assert.equal(many.data, one.data, msg);
      assert.equal(many.size(), one.size(), msg);
      assert.equal(many.bytes(), one.bytes(), msg);
    }
  }
});
