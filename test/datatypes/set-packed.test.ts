import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SetValue, compareIntStrings } from '../../src/datatypes/set.ts';
import { intsetWidth } from '../../src/datatypes/intset.ts';
import { stringBytes } from '../../src/datatypes/packed.ts';
import { dumpPayload, DEFAULT_SAVE_OPTIONS } from '../../src/persistence/rdb-writer.ts';
import { readDumpPayload } from '../../src/persistence/rdb-load.ts';
import { DEFAULT_LIMITS } from '../../src/persistence/rdb-reader.ts';
import { rng } from '../helpers/rng.ts';

const INT64_EDGES = ['-9223372036854775808', '9223372036854775807', '-9223372036854775807', '9007199254740993', '-9007199254740993',
  '9007199254740992', '4294967296', '-4294967296', '4294967295', '-4294967297', '2147483648', '-2147483649', '2147483647', '-2147483648',
  '32768', '-32769', '32767', '-32768', '0', '-1', '1', '65535', '-65536', '18014398509481984', '-18014398509481985'];

/** The encoding form a SetValue is in: intset, packed or big. */
function form(s: SetValue): string {
  return typeof s.data !== 'string' ? 'big' : s.intset ? 'intset' : 'packed';
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
  assert.equal(s.add('5', 512), true);
  assert.equal(intsetWidth(s.data as string), 2);
  assert.equal(s.add('5', 512), false);
  model.add('5');
  for (const m of INT64_EDGES) {
    assert.equal(s.add(m, 512), !model.has(m), m);
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
    s.add(small, 512);
    s.add('2', 512);
    s.add(wide, 512);
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
        assert.equal(s.add(m, maxIntset), !model.has(m));
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
    assert.deepEqual([...forms].sort(), ['big', 'intset', 'packed']);
  }
});

test('conversions at the thresholds, as Redis 7.0 converts', () => {
  // intset → hashtable past set-max-intset-entries: packed (≤ 128) or big
  const a = new SetValue();
  for (let i = 0; i < 4; i++) a.add(String(i), 4);
  assert.equal(form(a), 'intset');
  a.add('4', 4);
  assert.equal(form(a), 'packed');
  assert.equal(a.encoding(), 'hashtable');
  a.delete('4');
  assert.equal(a.encoding(), 'hashtable', 'one-way');
  const b = new SetValue();
  for (let i = 0; i < 512; i++) b.add(String(i * 1000), 512);
  assert.equal(form(b), 'intset');
  b.add('1', 512);
  assert.equal(form(b), 'big');
  assert.equal(b.size(), 513);
  // intset → hashtable on a non-integer
  const c = new SetValue();
  c.add('1', 512);
  c.add('a', 512);
  assert.equal(form(c), 'packed');
  assert.deepEqual(c.members(), ['1', 'a']);
  // packed → big past 128 members or 64 bytes
  const d = new SetValue();
  for (let i = 0; i < 128; i++) d.add(`m${i}`, 512);
  assert.equal(form(d), 'packed');
  d.add('m128', 512);
  assert.equal(form(d), 'big');
  d.delete('m128');
  assert.equal(form(d), 'big', 'one-way');
  const e = new SetValue();
  e.add('a', 512);
  e.add('x'.repeat(64), 512);
  assert.equal(form(e), 'packed');
  e.add('y'.repeat(65), 512);
  assert.equal(form(e), 'big');
  const f = new SetValue();
  f.add('z'.repeat(65), 512);
  assert.equal(form(f), 'big', 'a long first member');
  // reset starts over as an intset
  d.reset();
  d.add('7', 512);
  assert.equal(form(d), 'intset');
});

test('fromMembers and fromIntsetBlob build what Redis loads, and catch duplicates', () => {
  assert.equal(form(SetValue.fromMembers(['3', '-1', '2'], 512)!), 'intset');
  assert.deepEqual(SetValue.fromMembers(['3', '-1', '2'], 512)!.members(), ['-1', '2', '3']);
  assert.equal(form(SetValue.fromMembers(['3', '-1', '2'], 2)!), 'packed');
  assert.equal(form(SetValue.fromMembers(['a', '1'], 512)!), 'packed');
  assert.equal(form(SetValue.fromMembers(Array.from({ length: 129 }, (_, i) => `m${i}`), 512)!), 'big');
  assert.equal(form(SetValue.fromMembers(['a', 'x'.repeat(65)], 512)!), 'big');
  assert.equal(SetValue.fromMembers(['1', '2', '1'], 512), null);
  assert.equal(SetValue.fromMembers(['a', 'b', 'a'], 512), null);
  assert.equal(SetValue.fromMembers(['a', ...Array.from({ length: 200 }, (_, i) => `m${i}`), 'a'], 512), null);
  const src = SetValue.fromMembers(INT64_EDGES, 512)!;
  const blob = src.intsetBlob();
  assert.equal(blob.length, src.intsetBlobLength());
  assert.equal(blob.readUInt32LE(0), 8);
  assert.equal(blob.readUInt32LE(4), INT64_EDGES.length);
  const back = SetValue.fromIntsetBlob(blob, 0, blob.length, 512)!;
  assert.equal(back.data, src.data);
  assert.equal(form(SetValue.fromIntsetBlob(blob, 0, blob.length, 10)!), 'packed', 'more than set-max-intset-entries: a hashtable');
  // malformed: bad width, count, order, duplicates, size
  const bad = (hex: string): void => assert.equal(SetValue.fromIntsetBlob(Buffer.from(hex, 'hex'), 0, hex.length / 2, 512), null, hex);
  bad('030000000100000001000000');
  bad('0200000000000000');
  bad('020000000200000002000100');
  bad('020000000200000001000100');
  bad('0200000002000000010002');
  bad('08000000020000000000000001000000ffffffff00000000');
});

test('bytes() is the tagged packed string (stored.ts), or a running count for a big set', () => {
  const s = new SetValue();
  for (let i = 0; i < 10; i++) s.add(String(i), 512);
  assert.equal(s.bytes(), stringBytes(21 + 1));
  const p = new SetValue();
  for (let i = 0; i < 10; i++) p.add(`member:${i}`, 512);
  assert.equal(p.bytes(), stringBytes(1 + 10 * 9 + 1));
  const b = new SetValue();
  for (let i = 0; i < 200; i++) b.add(`member:${i}`, 512);
  const full = b.bytes();
  assert.ok(full > 200 * 60, `${full}`);
  for (let i = 0; i < 200; i++) b.delete(`member:${i}`);
  const empty = b.bytes();
  assert.ok(empty <= 200, `${empty}`);
  for (let i = 0; i < 200; i++) b.add(`member:${i}`, 512);
  assert.equal(b.bytes(), full, 'the count goes back to where it was');
  assert.equal(b.clone().bytes(), full);
});

test('DUMP of an intset is byte for byte Redis 7.0.15 (width kept after the wide member left); every form reads back', () => {
  const s = new SetValue();
  for (const m of ['1', '2', '3', '-100', '70000', '9223372036854775807']) s.add(m, 512);
  s.delete('9223372036854775807');
  const p = dumpPayload(s, DEFAULT_SAVE_OPTIONS);
  // redis-cli: SADD k 1 2 3 -100 70000 9223372036854775807; SREM k 9223372036854775807; DUMP k
  assert.equal(p.toString('hex'), '0bc327300408000000052003019cff80000001200b400000024004200000032003400001701140190100000a00bdc36cf20c652843');
  const back = readDumpPayload(p, DEFAULT_LIMITS) as SetValue;
  assert.equal(back.data, s.data, 'the intset loads as it was saved');
  const packed = SetValue.fromMembers(['a', '1', 'b'], 512)!;
  const pb = readDumpPayload(dumpPayload(packed, DEFAULT_SAVE_OPTIONS), DEFAULT_LIMITS) as SetValue;
  assert.equal(form(pb), 'packed');
  assert.deepEqual([...pb.members()].sort(), ['1', 'a', 'b']);
  // a hashtable of integers only reloads as an intset, as Redis's loader builds it
  const ints = SetValue.fromMembers(['a', '5', '-3'], 512)!;
  ints.delete('a');
  const ib = readDumpPayload(dumpPayload(ints, DEFAULT_SAVE_OPTIONS), DEFAULT_LIMITS) as SetValue;
  assert.equal(form(ib), 'intset');
  assert.deepEqual(ib.members(), ['-3', '5']);
  const big = SetValue.fromMembers(Array.from({ length: 300 }, (_, i) => `m${i}`), 512)!;
  const bb = readDumpPayload(dumpPayload(big, DEFAULT_SAVE_OPTIONS), DEFAULT_LIMITS) as SetValue;
  assert.equal(form(bb), 'big');
  assert.equal(bb.size(), 300);
  const bigInts = SetValue.fromMembers(Array.from({ length: 600 }, (_, i) => String(i)), 512)!;
  assert.equal(form(bigInts), 'big');
  const bib = readDumpPayload(dumpPayload(bigInts, DEFAULT_SAVE_OPTIONS), DEFAULT_LIMITS) as SetValue;
  assert.equal(form(bib), 'big');
  assert.equal(bib.size(), 600);
});

/** addMany on a clone of `base` ends exactly as add() member by member: members, order, form, width, count, bytes. */
function checkAddMany(base: SetValue, ms: readonly string[], maxIntset: number, msg: string): SetValue {
  const one = base.clone();
  const many = base.clone();
  let expected = 0;
  for (const m of ms) if (one.add(m, maxIntset)) expected++;
  assert.equal(many.addMany(['SADD', 'k', ...ms], 2, maxIntset), expected, `${msg}: count`);
  assert.equal(form(many), form(one), `${msg}: form`);
  assert.deepEqual([...many.members()], [...one.members()], `${msg}: members in order`);
  if (typeof one.data === 'string') assert.equal(many.data, one.data, `${msg}: the same string`);
  assert.equal(many.bytes(), one.bytes(), `${msg}: bytes`);
  return many;
}

function setOf(ms: readonly string[], maxIntset = 512): SetValue {
  const s = new SetValue();
  for (const m of ms) s.add(m, maxIntset);
  return s;
}

const range = (from: number, to: number, f: (i: number) => string): string[] => Array.from({ length: to - from }, (_, i) => f(from + i));

test('addMany (SADD with many members) = add() member by member, across every conversion', () => {
  const str = (i: number): string => `member:${i}`;
  // packed: to exactly 128 members, then the 129th mid-command
  assert.equal(form(checkAddMany(new SetValue(), range(0, 128, str), 512, 'packed to the limit')), 'packed');
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
  assert.equal(form(checkAddMany(setOf(['1', '2', '3']), ['4', '5', '6', '7', '5'], 5, 'past a small intset limit, to packed')), 'packed');
  assert.equal(form(checkAddMany(setOf(['1', '2', '3']), ['4', '5', '1', '2', '6', 'x', '7'], 5, 'past the limit, then a string')), 'packed');
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
      const base = new SetValue();
      const baseN = Math.floor(rand() * 40);
      const ints = rand() < 0.5;
      for (let i = 0; i < baseN; i++) base.add(ints ? String(Math.floor(rand() * 60) - 30) : pick(), maxIntset);
      const ms: string[] = [];
      const count = 2 + Math.floor(rand() * 40);
      const allInts = rand() < 0.4;
      for (let i = 0; i < count; i++) ms.push(allInts ? String(Math.floor(rand() * 200) - 100) : pick());
      checkAddMany(base, ms, maxIntset, `seed ${seed} round ${round}`);
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
        base.add(kind === 0 ? String(x - 25) : kind === 1 ? `s${x}` : `m${x}`, 512);
      }
      if (kind === 0 && rand() < 0.3) base.add('9223372036854775807', 512);
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
