/**
 * HashValue in both encodings against a Map model: the packed (listpack)
 * form, the conversion to a hashtable at each limit, fromPairs (the load
 * path), the byte accounting and the random-access views.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashValue } from '../../src/datatypes/hash.ts';
import { stringBytes } from '../../src/datatypes/packed.ts';
import { MAP_ENTRY_BYTES } from '../../src/datatypes/value.ts';
import { rng } from '../helpers/rng.ts';

/** Every observable view of `h` equals the model (insertion order included). */
function checkSame(h: HashValue, model: Map<string, string>, msg: string): void {
  assert.equal(h.size(), model.size, msg);
  const flat: string[] = [];
  for (const [k, v] of model) flat.push(k, v);
  assert.deepEqual([...h.entries()], flat, msg);
  assert.deepEqual([...h.pairs()], [...model], msg);
  const seen: string[] = [];
  h.forEach((f, v) => seen.push(f, v));
  assert.deepEqual(seen, flat, msg);
  const ix = h.indexed();
  for (let i = 0; i < model.size; i++) {
    assert.equal(ix.field(i), flat[2 * i], msg);
    assert.equal(ix.value(i), flat[2 * i + 1], msg);
    assert.equal(h.fieldAt(i), flat[2 * i], msg);
  }
  for (const [k, v] of model) {
    assert.equal(h.get(k), v, msg);
    assert.ok(h.has(k), msg);
  }
}

test('packed hash matches a Map model under random writes, and converts at the entry limit', () => {
  for (const seed of [1, 7, 99, 2024]) {
    const rand = rng(seed);
    const h = new HashValue();
    const model = new Map<string, string>();
    const maxE = 16;
    for (let step = 0; step < 3000; step++) {
      const f = `f${Math.floor(rand() * 24)}`;
      const op = rand();
      if (op < 0.6) {
        // values from empty to past 127 bytes (a two-char length header)
        const v = 'v'.repeat(Math.floor(rand() * 3) === 0 ? 130 : Math.floor(rand() * 5));
        const wasPacked = h.isPacked();
        const added = h.set(f, v, maxE, 200);
        assert.equal(added, !model.has(f));
        model.set(f, v);
        if (wasPacked) assert.equal(h.isPacked(), model.size <= maxE, `seed ${seed} step ${step}`);
      } else {
        assert.equal(h.delete(f), model.delete(f));
      }
      assert.equal(h.get('nope'), undefined);
      assert.equal(h.has('nope'), false);
      if (step % 50 === 0) checkSame(h, model, `seed ${seed} step ${step}`);
    }
    checkSame(h, model, `seed ${seed} end`);
    assert.equal(h.encoding(), 'hashtable', 'one-way: the model passed 16 fields at some point');
  }
});

test('conversion limits: entries, field and value length, update over a lowered limit; never back', () => {
  const h = new HashValue();
  for (let i = 0; i < 4; i++) assert.equal(h.set(`f${i}`, 'v', 4, 8), true);
  assert.equal(h.encoding(), 'listpack');
  assert.equal(h.set('f0', 'x'.repeat(8), 4, 8), false);
  assert.equal(h.encoding(), 'listpack', 'a value of exactly the limit fits');
  assert.equal(h.set('f4', 'v', 4, 8), true);
  assert.equal(h.encoding(), 'hashtable', 'a fifth field');
  for (let i = 0; i < 5; i++) h.delete(`f${i}`);
  assert.equal(h.size(), 0);
  h.set('a', 'b', 4, 8);
  assert.equal(h.encoding(), 'hashtable', 'no way back by deleting');

  const v = new HashValue();
  v.set('f', 'short', 128, 8);
  v.set('f', '123456789', 128, 8);
  assert.equal(v.encoding(), 'hashtable', 'a value past the length limit, even on an update');
  assert.equal(v.get('f'), '123456789');

  const k = new HashValue();
  k.set('123456789', 'x', 128, 8);
  assert.equal(k.encoding(), 'hashtable', 'a long field');

  // the limits lowered under a listpack: any write past them converts, an update included
  const u = new HashValue();
  for (let i = 0; i < 3; i++) u.set(`f${i}`, 'v', 128, 64);
  assert.equal(u.set('f1', 'v', 3, 64), false);
  assert.equal(u.encoding(), 'listpack');
  // as Redis's hashTypeSet: the length check follows the replace, even of an equal value
  assert.equal(u.set('f1', 'v', 2, 64), false);
  assert.equal(u.encoding(), 'hashtable');
  u.set('f1', 'w', 2, 64);
  assert.deepEqual([...u.entries()], ['f0', 'v', 'f1', 'w', 'f2', 'v'], 'the conversion keeps the order');

  const zero = new HashValue();
  zero.set('a', '1', 0, 64);
  assert.equal(zero.encoding(), 'hashtable', 'hash-max-listpack-entries 0');
});

test('an updated value stays in its place; new fields go last (listpack order)', () => {
  const h = new HashValue();
  h.set('a', '1', 128, 64);
  h.set('b', '2', 128, 64);
  h.set('c', '3', 128, 64);
  h.set('a', 'x'.repeat(60), 128, 64);
  h.delete('b');
  h.set('b', '4', 128, 64);
  assert.deepEqual([...h.entries()], ['a', 'x'.repeat(60), 'c', '3', 'b', '4']);
  // binary-safe: NUL, high bytes, an empty field and value
  h.set('', '', 128, 64);
  h.set('\0\xff', '\x80\r\n', 128, 64);
  assert.equal(h.get(''), '');
  assert.equal(h.get('\0\xff'), '\x80\r\n');
  assert.equal(h.has('\0'), false);
  assert.equal(h.size(), 5);
});

test('fromPairs: packed when it fits, a table otherwise; null on a repeated field', () => {
  const small = HashValue.fromPairs(['a', '1', 'b', '2'], 2, 1)!;
  assert.equal(small.encoding(), 'listpack');
  assert.deepEqual([...small.entries()], ['a', '1', 'b', '2']);
  assert.equal(HashValue.fromPairs(['a', '1', 'b', '2', 'c', '3'], 2, 64)!.encoding(), 'hashtable');
  assert.equal(HashValue.fromPairs(['a', '12'], 2, 1)!.encoding(), 'hashtable');
  assert.equal(HashValue.fromPairs(['a', '12'], 2, Infinity)!.encoding(), 'listpack');
  assert.equal(HashValue.fromPairs(['a', '1', 'b', '2', 'a', '3'], 128, 64), null);
  assert.equal(HashValue.fromPairs(['x', '1', 'b', '2', 'b', '3'], 128, 64), null);
  assert.equal(HashValue.fromPairs(['a', '1', 'b', '2', 'a', '3'], 1, 64), null, 'a repeat in the table form too');
  // a field equal to another's value is no repeat
  assert.equal(HashValue.fromPairs(['a', 'b', 'b', 'a'], 128, 64)!.size(), 2);
  // 200 pairs: two-char count header
  const pairs: string[] = [];
  for (let i = 0; i < 200; i++) pairs.push(`field:${i}`, `value:${i}`);
  const big = HashValue.fromPairs(pairs, 500, 64)!;
  assert.equal(big.encoding(), 'listpack');
  assert.equal(big.size(), 200);
  assert.equal(big.get('field:199'), 'value:199');
  assert.equal(big.fieldAt(150), 'field:150');
});

test('clone is independent in both encodings', () => {
  for (const maxE of [128, 1]) {
    const h = new HashValue();
    h.set('a', '1', maxE, 64);
    h.set('b', '2', maxE, 64);
    const before = h.bytes();
    const c = h.clone();
    assert.equal(c.encoding(), h.encoding());
    assert.equal(c.bytes(), before);
    assert.equal(c.acct, 0);
    c.set('a', 'changed', maxE, 64);
    c.delete('b');
    assert.deepEqual([...h.entries()], ['a', '1', 'b', '2']);
    assert.deepEqual([...c.entries()], ['a', 'changed']);
    assert.equal(h.bytes(), before);
  }
});

test('bytes(): the tagged packed string; a table counts each entry and follows writes', () => {
  const h = new HashValue();
  const empty = h.bytes();
  h.set('field', 'value', 128, 64);
  // count (1) + 1+5 + 1+5 chars
  assert.equal(h.bytes() - empty, stringBytes(13) - stringBytes(1));
  const t = new HashValue();
  t.set('a', '1', 0, 64);
  const one = t.bytes();
  t.set('b', 'x'.repeat(100), 0, 64);
  assert.equal(t.bytes() - one, MAP_ENTRY_BYTES + stringBytes(1) + stringBytes(100));
  t.set('b', 'y', 0, 64);
  assert.equal(t.bytes() - one, MAP_ENTRY_BYTES + stringBytes(1) + stringBytes(1));
  t.delete('b');
  assert.equal(t.bytes(), one);
  assert.equal(t.clone().bytes(), one);
});

test('fromPairs finds a repeated field among many pairs (raised limits)', () => {
  const pairs: string[] = [];
  for (let i = 0; i < 1000; i++) pairs.push(`f${i}`, 'v');
  assert.equal(HashValue.fromPairs(pairs, 5000, 64)!.size(), 1000);
  pairs.push('f500', 'again');
  assert.equal(HashValue.fromPairs(pairs, 5000, 64), null);
  assert.equal(HashValue.fromPairs(pairs.slice(-6), 5000, 64)!.size(), 3);
});

/** `h` after set() on each pair of `pairs` in turn, and the count of new fields. */
function setOneByOne(h: HashValue, pairs: readonly string[], maxE: number, maxV: number): number {
  let n = 0;
  for (let i = 0; i + 1 < pairs.length; i += 2) if (h.set(pairs[i]!, pairs[i + 1]!, maxE, maxV)) n++;
  return n;
}

/** setMany on a clone of `base` ends exactly as set() pair by pair: pairs, order, encoding, count, bytes. */
function checkSetMany(base: HashValue, pairs: readonly string[], maxE: number, maxV: number, msg: string): HashValue {
  const one = base.clone();
  const many = base.clone();
  const expected = setOneByOne(one, pairs, maxE, maxV);
  const got = many.setMany(['HSET', 'k', ...pairs], 2, maxE, maxV);
  assert.equal(got, expected, `${msg}: count`);
  assert.equal(many.encoding(), one.encoding(), `${msg}: encoding`);
  assert.deepEqual([...many.entries()], [...one.entries()], `${msg}: pairs`);
  assert.equal(many.bytes(), one.bytes(), `${msg}: bytes`);
  return many;
}

function hashOf(n: number, maxE = 128, maxV = 64): HashValue {
  const h = new HashValue();
  for (let i = 0; i < n; i++) h.set(`field:${i}`, `value:${i}`, maxE, maxV);
  return h;
}

test('setMany (HSET with many pairs) = set() pair by pair, across the conversion limits', () => {
  const pairs = (from: number, to: number, tag = 'v'): string[] => {
    const out: string[] = [];
    for (let i = from; i < to; i++) out.push(`field:${i}`, `${tag}${i}`);
    return out;
  };
  // a new hash filled to exactly the limit stays a listpack
  assert.equal(checkSetMany(new HashValue(), pairs(0, 128), 128, 64, 'to the limit').encoding(), 'listpack');
  // the 129th field arrives mid-command: the rest go to the hashtable
  assert.equal(checkSetMany(new HashValue(), pairs(0, 200), 128, 64, '129th mid-command').encoding(), 'hashtable');
  // updates of existing fields and new ones, crossing the limit
  checkSetMany(hashOf(100), pairs(80, 140, 'new'), 128, 64, 'updates then past the limit');
  checkSetMany(hashOf(100), pairs(80, 120, 'new'), 128, 64, 'updates and adds, under the limit');
  checkSetMany(hashOf(128), pairs(0, 128, 'x'), 128, 64, 'all updates at the limit');
  // an over-long value or field mid-command
  const longV = [...pairs(0, 10), 'field:5', 'x'.repeat(65), ...pairs(10, 20)];
  assert.equal(checkSetMany(hashOf(3), longV, 128, 64, 'long value').encoding(), 'hashtable');
  const longF = [...pairs(0, 10), 'f'.repeat(65), 'v', ...pairs(10, 20)];
  assert.equal(checkSetMany(new HashValue(), longF, 128, 64, 'long field').encoding(), 'hashtable');
  // repeats inside one command: new fields, existing fields, equal values
  const dups = ['a', '1', 'field:1', 'x', 'b', '2', 'a', '3', 'field:1', 'y', 'field:2', 'value:2', 'b', '2', 'a', '4'];
  const d = checkSetMany(hashOf(4), dups, 128, 64, 'repeats');
  assert.deepEqual([...d.entries()], ['field:0', 'value:0', 'field:1', 'y', 'field:2', 'value:2', 'field:3', 'value:3', 'a', '4', 'b', '2']);
  // repeats of a field past the limit do not count towards it
  checkSetMany(hashOf(3), ['a', '1', 'a', '2', 'a', '3', 'b', '1'], 5, 64, 'repeats under a limit');
  checkSetMany(hashOf(3), ['a', '1', 'b', '2', 'c', '3', 'a', '4'], 5, 64, 'repeat after the limit passed');
  // a lowered limit under a listpack: any write converts, an equal update included
  checkSetMany(hashOf(6), ['field:1', 'value:1', 'field:2', 'value:2'], 4, 64, 'lowered limit');
  checkSetMany(hashOf(4), ['field:1', 'value:1', 'field:2', 'value:2'], 4, 64, 'equal values at the limit');
  // nothing changes: the same string is kept
  const same = hashOf(4);
  assert.equal(same.setMany(['HSET', 'k', 'field:1', 'value:1', 'field:3', 'value:3'], 2, 128, 64), 0);
  // already a hashtable
  checkSetMany(hashOf(10, 4), pairs(5, 20, 'z'), 4, 64, 'hashtable');
  // lengths around the one-char header (127/128 bytes) with a raised value limit
  checkSetMany(hashOf(3), ['field:0', 'x'.repeat(130), 'n', 'y'.repeat(127), 'field:2', ''], 128, 200, 'long headers');
});

test('setMany = set() pair by pair under random batches', () => {
  for (const seed of [3, 11, 500]) {
    const rand = rng(seed);
    for (let round = 0; round < 300; round++) {
      const maxE = 1 + Math.floor(rand() * 12);
      const maxV = 4 + Math.floor(rand() * 4);
      const base = new HashValue();
      const baseN = Math.floor(rand() * (maxE + 2));
      for (let i = 0; i < baseN; i++) base.set(`f${Math.floor(rand() * 16)}`, 'v'.repeat(Math.floor(rand() * 4)), 1000, 1000);
      const pairs: string[] = [];
      const count = 1 + Math.floor(rand() * 20);
      for (let i = 0; i < count; i++) {
        const long = rand() < 0.03;
        pairs.push(`f${Math.floor(rand() * 16)}`, 'w'.repeat(long ? maxV + 1 : Math.floor(rand() * maxV)));
      }
      checkSetMany(base, pairs, maxE, maxV, `seed ${seed} round ${round}`);
    }
  }
});

test('deleteMany (HDEL with many fields) = delete() field by field', () => {
  for (const seed of [5, 77]) {
    const rand = rng(seed);
    for (let round = 0; round < 300; round++) {
      const maxE = rand() < 0.2 ? 2 : 128;
      const base = new HashValue();
      const n = Math.floor(rand() * 12);
      for (let i = 0; i < n; i++) base.set(`f${Math.floor(rand() * 16)}`, `v${i}`, maxE, 64);
      const fields: string[] = [];
      const count = 1 + Math.floor(rand() * 10);
      for (let i = 0; i < count; i++) fields.push(`f${Math.floor(rand() * 16)}`);
      const one = base.clone();
      const many = base.clone();
      let expected = 0;
      for (const f of fields) if (one.delete(f)) expected++;
      const msg = `seed ${seed} round ${round}`;
      assert.equal(many.deleteMany(['HDEL', 'k', ...fields], 2), expected, msg);
      assert.equal(many.encoding(), one.encoding(), msg);
      assert.deepEqual([...many.entries()], [...one.entries()], msg);
      assert.equal(many.size(), one.size(), msg);
      assert.equal(many.bytes(), one.bytes(), msg);
    }
  }
});
