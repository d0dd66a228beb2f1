import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyTable, KeyWalk, entryBytes, walk } from '../../src/engine/key-table.ts';
import type { Stored } from '../../src/datatypes/stored.ts';

/** A seeded generator (xorshift32), so a failure replays. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

function fullScan(t: KeyTable): string[] {
  const out: string[] = [];
  let cur = 0;
  do cur = t.scan(cur, out);
  while (cur !== 0);
  return out;
}

test('KeyTable agrees with a Map through random sets, overwrites and deletes (growing and shrinking)', () => {
  const r = rng(12345);
  const t = new KeyTable();
  const m = new Map<string, Stored>();
  const values: Stored[] = ['', 'v', 'x'.repeat(256), 'x'.repeat(257), '-7', '2147483648', Buffer.from('raw'), 'value:1', '\x00\x01\xff'];
  for (let step = 0; step < 60_000; step++) {
    // the key space grows for the first half and shrinks in the second
    const span = step < 30_000 ? 5000 : 200;
    const key = `k:${Math.floor(r() * span)}`;
    const op = r();
    if (op < 0.55 && step < 40_000) {
      const v = values[Math.floor(r() * values.length)]!;
      t.set(key, v);
      m.set(key, v);
    } else {
      assert.equal(t.delete(key), m.delete(key));
    }
    assert.equal(t.size, m.size);
  }
  for (const [k, v] of m) assert.deepEqual(t.get(k), v);
  for (let i = 0; i < 5000; i++) if (!m.has(`k:${i}`)) assert.equal(t.get(`k:${i}`), undefined);
  assert.deepEqual(new Set(t.keys()), new Set(m.keys()));
  assert.deepEqual(new Map(t.entries()), m);
  assert.deepEqual(new Set(fullScan(t)), new Set(m.keys()));
});

test('KeyTable keeps keys of any length and binary content (key length varint of 1, 2 and 3 chars)', () => {
  const t = new KeyTable();
  const keys = ['', 'a', 'k'.repeat(127), 'k'.repeat(128), 'k'.repeat(16383), 'k'.repeat(16384), '\x00\xff\x80', 'k'.repeat(127) + 'x'];
  keys.forEach((k, i) => t.set(k, `v${i}`));
  keys.forEach((k, i) => assert.equal(t.get(k), `v${i}`));
  assert.equal(t.get('k'.repeat(129)), undefined);
  assert.deepEqual(new Set(t.keys()), new Set(keys));
});

test('KeyTable.scan returns every key present throughout, while the table grows and shrinks between steps', () => {
  const t = new KeyTable();
  for (let i = 0; i < 1000; i++) t.set(`stay:${i}`, String(i));
  const got = new Set<string>();
  let cur = 0;
  let step = 0;
  const out: string[] = [];
  do {
    cur = t.scan(cur, out);
    step++;
    // grow hard, then shrink back
    if (step === 50) for (let i = 0; i < 20_000; i++) t.set(`tmp:${i}`, 'x');
    if (step === 5000) for (let i = 0; i < 20_000; i++) t.delete(`tmp:${i}`);
  } while (cur !== 0);
  for (const k of out) got.add(k);
  for (let i = 0; i < 1000; i++) assert.ok(got.has(`stay:${i}`), `stay:${i} missed`);
});

test('KeyWalk visits every key present throughout while keys are deleted and added during the walk', () => {
  const t = new KeyTable();
  for (let i = 0; i < 3000; i++) t.set(`a:${i}`, 'v');
  const w = new KeyWalk(t);
  const seen = new Set<string>();
  let n = 0;
  for (let k = w.next(); k !== undefined; k = w.next()) {
    seen.add(k);
    n++;
    if (n % 3 === 0) t.delete(`a:${(n * 7) % 3000}`);
    if (n % 5 === 0) t.set(`b:${n}`, 'new');
  }
  for (let i = 0; i < 3000; i++) if (t.has(`a:${i}`)) assert.ok(seen.has(`a:${i}`));
});

test('KeyTable random picks and samples return live keys, each key reachable', () => {
  const t = new KeyTable();
  assert.equal(t.randomKey(), undefined);
  for (let i = 0; i < 50; i++) t.set(`r:${i}`, String(i));
  const picked = new Set<string>();
  for (let i = 0; i < 5000; i++) picked.add(t.randomKey()!);
  assert.equal(picked.size, 50);
  const out: string[] = [];
  t.sampleKeys(10, out);
  assert.equal(out.length, 10);
  for (const k of out) assert.ok(t.has(k));
  const few: string[] = [];
  new KeyTable().sampleKeys(5, few);
  assert.equal(few.length, 0);
});

test('entryBytes: a joined entry is one string; others an Entry object, the key and the value', () => {
  // varint 1 + key 10 + value 11 = 22 chars: 16 + 24
  assert.equal(entryBytes('str:000001', 'value:12345', 0), 40);
  assert.equal(entryBytes('counter:1', '12345', 0), 16 + 16);
  assert.equal(entryBytes('big', 'x'.repeat(300), 320), 40 + 24 + 320);
  assert.equal(entryBytes('buf', Buffer.from('x'), 97), 40 + 24 + 97);
  const t = new KeyTable();
  assert.equal(t.tableBytes(), 8 * 12);
});

test('KeyTable TTLs: beside their slots through growth, shrink and deletes; counted; swept and sampled', () => {
  const t = new KeyTable();
  const bare = (): number => t.tableBytes();
  for (let i = 0; i < 2000; i++) t.set(`k:${i}`, 'v');
  const before = bare();
  for (let i = 0; i < 2000; i += 2) assert.equal(t.setExpireAt(`k:${i}`, 1000 + i), false);
  assert.equal(t.volatile, 1000);
  // the TTL array: 8 bytes a slot
  assert.equal(bare(), before + (before / 12) * 8);
  assert.equal(t.setExpireAt('k:0', 5), true);
  assert.equal(t.setExpireAt('nope', 5), false);
  // grow, then delete most keys (shrinks) and check every TTL moved with its key
  for (let i = 2000; i < 10_000; i++) t.set(`k:${i}`, 'v');
  for (let i = 0; i < 2000; i++) assert.equal(t.expireAt(`k:${i}`), i === 0 ? 5 : i % 2 === 0 ? 1000 + i : 0);
  for (let i = 1; i < 10_000; i += 2) t.delete(`k:${i}`);
  for (let i = 2000; i < 10_000; i++) t.delete(`k:${i}`);
  assert.equal(t.volatile, 1000);
  for (let i = 2; i < 2000; i += 2) assert.equal(t.expireAt(`k:${i}`), 1000 + i);
  // overwriting a value keeps the TTL (the keyspace clears it for SET); deleting drops it
  t.set('k:2', 'new');
  assert.equal(t.expireAt('k:2'), 1002);
  t.delete('k:2');
  t.set('k:2', 'again');
  assert.equal(t.expireAt('k:2'), 0);
  assert.equal(t.volatile, 999);
  // a sweep finds exactly the expired ones, a stretch at a time, and reports a whole pass
  const due: string[] = [];
  let pos = 0;
  let passes = 0;
  let checked = 0;
  while (passes === 0) {
    pos = t.sweep(pos, 7, 64, 1500, due);
    checked += walk.checked;
    if (walk.wrapped) passes++;
  }
  assert.ok(checked >= 999);
  assert.deepEqual(new Set(due), new Set(Array.from({ length: 249 }, (_, j) => `k:${4 + j * 2}`).concat('k:0')));
  const some: string[] = [];
  t.sampleVolatile(5, some);
  assert.equal(some.length, 5);
  for (const k of some) assert.ok(t.expireAt(k) > 0);
  // clearing every TTL and shrinking drops the array
  for (let i = 0; i < 2000; i += 2) t.setExpireAt(`k:${i}`, 0);
  assert.equal(t.volatile, 0);
  assert.equal(t.randomVolatileKey(), undefined);
});

test('KeyTable.sweep looks at each slot once per call, however small the table', () => {
  const t = new KeyTable();
  t.set('only', 'v');
  t.setExpireAt('only', 1);
  const due: string[] = [];
  t.sweep(0, 20, 4096, 10, due);
  assert.deepEqual(due, ['only']);
  assert.equal(walk.checked, 1);
  assert.equal(walk.wrapped, true);
});

test('KeyWalk: each key once across growth and mass deletes (shrinks); passed() exact at bucket boundaries', () => {
  const t = new KeyTable();
  for (let i = 0; i < 5000; i++) t.set(`a:${i}`, `v${i}`);
  const w = new KeyWalk(t);
  let largest = 0;
  const returned = new Map<string, number>();
  const deleted = new Set<string>();
  let steps = 0;
  for (let k = w.next(); k !== undefined; k = w.next()) {
    returned.set(k, (returned.get(k) ?? 0) + 1);
    if (k.startsWith('a:')) assert.equal(w.value, `v${k.slice(2)}`);
    if (!w.atBoundary) continue;
    steps++;
    if (steps === 500) for (let i = 0; i < 20_000; i++) t.set(`b:${i}`, 'new'); // grows twice
    largest = Math.max(largest, t.tableBytes());
    if (steps === 2000) {
      for (let i = 0; i < 4800; i++) {
        t.delete(`a:${i}`);
        deleted.add(`a:${i}`);
      }
      for (let i = 0; i < 20_000; i++) t.delete(`b:${i}`);
    }
    if (steps % 97 === 0) {
      for (let i = 4800; i < 5000; i += 7) {
        const key = `a:${i}`;
        assert.equal(w.passed(key), returned.has(key), `${key} at step ${steps}`);
      }
    }
  }
  for (const [k, n] of returned) assert.equal(n, 1, `${k} returned ${n} times`);
  for (let i = 0; i < 5000; i++) if (!deleted.has(`a:${i}`)) assert.ok(returned.has(`a:${i}`));
  for (let i = 0; i < 5000; i += 13) assert.equal(w.passed(`a:${i}`), true);
  // the table did grow and shrink under the walk
  assert.ok(largest >= 4 * 8192 * 12, `largest ${largest}`);
  assert.ok(t.tableBytes() <= 1024 * 12, `now ${t.tableBytes()}`);
});

test('KeyTable.reserve: room for n keys up front, so keys in another table\'s slot order go in without growing', () => {
  const src = new KeyTable();
  for (let i = 0; i < 20_000; i++) src.set(`k${i}`, `v${i}`);
  const t = new KeyTable();
  t.reserve(20_000);
  const bytes = t.tableBytes();
  assert.equal(bytes, 32_768 * 12);
  // an RDB of shardis's holds its keys in this (hash) order
  for (const [k, v] of src) t.set(k, v);
  assert.equal(t.tableBytes(), bytes);
  assert.equal(t.size, 20_000);
  for (let i = 0; i < 20_000; i += 97) assert.equal(t.get(`k${i}`), `v${i}`);
  // never smaller
  t.reserve(10);
  assert.equal(t.tableBytes(), bytes);
});
