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

/** Deterministic xorshift so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

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

test('bytes(): the packed string and wrapper; a table counts each entry and follows writes', () => {
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
