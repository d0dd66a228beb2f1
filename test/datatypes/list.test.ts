import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListLoader, ListValue } from '../../src/datatypes/list.ts';
import { Quicklist } from '../../src/datatypes/quicklist.ts';
import { objectBytes } from '../../src/datatypes/value.ts';
import { stringBytes } from '../../src/datatypes/packed.ts';
import { rng } from '../helpers/rng.ts';

/**
 * A random element: mostly short, some past 127 bytes (2-char lengths), a
 * few larger than a node, some past 16383 bytes (3-char lengths); bytes ≥
 * 0x80 included.
 */
function element(rand: () => number): string {
  const r = rand();
  const len = r < 0.8 ? Math.floor(rand() * 6) : r < 0.97 ? 120 + Math.floor(rand() * 200) : r < 0.99 ? 9000 + Math.floor(rand() * 4000) : 16380 + Math.floor(rand() * 3000);
  const c = String.fromCharCode(r < 0.4 ? 0x30 + Math.floor(rand() * 4) : 0x80 + Math.floor(rand() * 0x7f));
  return c.repeat(len);
}

/** Random edits on a list and on an array model, compared after every step. */
function fuzz(seed: number, fill: number, steps: number): void {
  const rand = rng(seed);
  const l = new ListValue();
  let model: string[] = [];
  const pick = (): string => (model.length && rand() < 0.5 ? model[Math.floor(rand() * model.length)]! : element(rand));
  for (let step = 0; step < steps; step++) {
    const op = Math.floor(rand() * 16);
    switch (op) {
      case 0: case 1: {
        const v = element(rand);
        l.pushLeft(v, fill);
        model.unshift(v);
        break;
      }
      case 2: case 3: {
        const v = element(rand);
        l.pushRight(v, fill);
        model.push(v);
        break;
      }
      case 4:
        assert.equal(l.popLeft(), model.shift());
        break;
      case 5:
        assert.equal(l.popRight(), model.pop());
        break;
      case 6: {
        const i = Math.floor(rand() * (model.length + 1));
        const v = element(rand);
        l.insertAt(i, v, fill);
        model.splice(i, 0, v);
        break;
      }
      case 7: {
        const v = pick();
        const limit = Math.floor(rand() * 3);
        const fromTail = rand() < 0.5;
        let removed = 0;
        const keep = (x: string): boolean => !(x === v && (limit === 0 || removed < limit) && ++removed);
        model = fromTail ? model.reverse().filter(keep).reverse() : model.filter(keep);
        assert.equal(l.removeMatching(v, limit, fromTail), removed);
        break;
      }
      case 8: {
        if (model.length === 0 || rand() < 0.7) break;
        const s = Math.floor(rand() * model.length);
        const e = s + Math.floor(rand() * (model.length - s));
        l.trim(s, e);
        model = model.slice(s, e + 1);
        break;
      }
      case 9:
        if (model.length) {
          const i = Math.floor(rand() * model.length);
          const v = element(rand);
          l.setAt(i, v, fill);
          model[i] = v;
        }
        break;
      case 10: {
        const v = pick();
        assert.equal(l.indexOf(v), model.indexOf(v));
        break;
      }
      case 11:
        if (model.length) {
          const i = Math.floor(rand() * model.length);
          assert.equal(l.at(i), model[i]);
        }
        break;
      case 12: {
        const n = Math.min(model.length, Math.floor(rand() * 40));
        const left = rand() < 0.5;
        const want = left ? model.splice(0, n) : model.splice(model.length - n, n).reverse();
        assert.deepEqual(l.popMany(left, n), want);
        break;
      }
      case 13: {
        // LPOS-style scans from either end with a bound
        const v = pick();
        const fromTail = rand() < 0.5;
        const max = Math.floor(rand() * (model.length + 2));
        const want: number[] = [];
        for (let n = 0; n < Math.min(max, model.length); n++) {
          const i = fromTail ? model.length - 1 - n : n;
          if (model[i] === v) want.push(i);
        }
        const got: number[] = [];
        l.findEach(v, fromTail, max, (i) => (got.push(i), true));
        assert.deepEqual(got, want);
        break;
      }
      case 14: {
        const start = Math.floor(rand() * (model.length + 1));
        const n = Math.floor(rand() * 50);
        const got: string[] = [];
        const cur = l.cursor(start);
        for (let k = 0; k < n && cur.next(); k++) got.push(cur.s.slice(cur.d, cur.d + cur.len));
        assert.deepEqual(got, model.slice(start, start + n));
        if (start + n >= model.length) assert.equal(cur.next(), false);
        break;
      }
      default:
        // bursts push a list past a node and drain it back
        if (rand() < 0.1) {
          for (let k = 0; k < 400; k++) {
            const v = String(k);
            if (k % 3) l.pushRight(v, fill);
            else l.pushLeft(v, fill);
            if (k % 3) model.push(v);
            else model.unshift(v);
          }
        } else if (rand() < 0.2) {
          for (let k = 0; k < 400 && model.length; k++) {
            if (k % 2) assert.equal(l.popLeft(), model.shift());
            else assert.equal(l.popRight(), model.pop());
          }
        }
    }
    assert.equal(l.length, model.length);
    if (step % 53 === 0) {
      l.verify();
      assert.deepEqual(l.toArray(), model);
    }
  }
  l.verify();
  assert.deepEqual(l.toArray(), model);
  assert.deepEqual([...l.entries()], model);
  const c = l.clone();
  assert.deepEqual(c.toArray(), model);
  c.verify();
}

for (const fill of [-2, -1, -5, 1, 2, 5, 0]) {
  test(`list edits match an array model (list-max-listpack-size ${fill})`, () => {
    for (const seed of [1, 2, 42]) fuzz(seed, fill, 3000);
  });
}

test('a short list is one string (stored behind a tag, stored.ts); it turns into nodes past the node size and back', () => {
  const l = new ListValue();
  for (let i = 0; i < 10; i++) l.pushRight('v' + i);
  assert.equal(typeof l.data, 'string');
  assert.deepEqual(Object.keys(l), ['acct', 'data']);
  assert.equal(l.bytes(), stringBytes((l.data as string).length + 1));
  // 8 KB node limit (fill -2): 1000 elements of 10 bytes (12 chars each) do not fit one node
  for (let i = 0; i < 1000; i++) l.pushRight('x'.repeat(8) + String(i % 100).padStart(2, '0'));
  assert.ok(l.data instanceof Quicklist);
  assert.ok((l.data as Quicklist).size >= 2);
  assert.equal(l.length, 1010);
  l.verify();
  // popping down to a short node makes it a single string again
  while (l.length > 20) l.popLeft();
  assert.equal(typeof l.data, 'string');
  assert.deepEqual(l.toArray().slice(0, 2), ['x'.repeat(8) + '80', 'x'.repeat(8) + '81']);
  l.trim(1, 0);
  assert.equal(l.length, 0);
  assert.equal(l.bytes(), stringBytes(2));
});

test('a positive fill limits the elements per node', () => {
  const l = ListValue.from(['a', 'b', 'c', 'd', 'e', 'f', 'g'], 3);
  const q = l.data as Quicklist;
  assert.ok(q instanceof Quicklist);
  assert.deepEqual([q.count(0), q.count(1), q.count(2)], [3, 3, 1]);
  for (let i = 0; i < 7; i++) l.pushRight('x' + i, 3);
  q.seal();
  for (let k = 0; k < q.size; k++) assert.ok(q.count(k) <= 3);
  l.setAt(1, 'B', 3);
  l.insertAt(2, 'ins', 3);
  for (let k = 0; k < q.size; k++) assert.ok(q.count(k) <= 3);
  assert.deepEqual(l.toArray(), ['a', 'B', 'ins', 'c', 'd', 'e', 'f', 'g', 'x0', 'x1', 'x2', 'x3', 'x4', 'x5', 'x6']);
  l.verify();
});

test('pops narrow a node in place and copy it flat once it holds less than half of its string', () => {
  const l = new ListValue();
  for (let i = 0; i < 100000; i++) l.pushRight(String(i).padStart(8, '0'));
  const q = l.data as Quicklist;
  const before = l.bytes();
  for (let i = 0; i < 99000; i++) assert.equal(l.popLeft(), String(i).padStart(8, '0'));
  l.verify();
  // what remains (1000 elements of 10 chars) is accounted near its packed size, not the size it had
  assert.ok(l.bytes() < before / 20, `${l.bytes()} bytes after popping 99% of ${before}`);
  assert.ok(q.size <= 4);
  assert.equal(l.at(0), '00099000');
  assert.equal(l.at(999), '00099999');
});

test('ListLoader keeps loaded nodes as they were saved', () => {
  const loader = new ListLoader();
  for (const node of [['a', 'b'], ['c'], ['d', 'e', 'f']]) {
    for (const x of node) loader.add(x);
    loader.endNode();
  }
  const l = new ListValue();
  loader.into(l);
  const q = l.data as Quicklist;
  assert.deepEqual([q.size, q.count(0), q.count(1), q.count(2)], [3, 2, 1, 3]);
  assert.deepEqual(l.toArray(), ['a', 'b', 'c', 'd', 'e', 'f']);
  const one = new ListLoader();
  one.add('z');
  const m = new ListValue();
  one.into(m);
  assert.equal(typeof m.data, 'string');
  assert.deepEqual(m.toArray(), ['z']);
});

test('from, clone, trim to empty, encoding and type', () => {
  const l = ListValue.from(['a', 'b', 'c']);
  const c = l.clone();
  l.popLeft();
  assert.deepEqual(c.toArray(), ['a', 'b', 'c']);
  assert.deepEqual(l.range(0, 1), ['b', 'c']);
  l.trim(1, 0);
  assert.equal(l.length, 0);
  l.pushLeft('z');
  assert.deepEqual(l.toArray(), ['z']);
  assert.equal(l.encoding(), 'quicklist');
  assert.equal(l.type, 'list');
  assert.equal(ListValue.from(new Set(['x', 'y'])).size(), 2);
  const big = ListValue.from(Array.from({ length: 5000 }, (_, i) => String(i)));
  const bc = big.clone();
  big.popLeft();
  big.setAt(0, 'changed');
  assert.equal(bc.at(0), '0');
  assert.equal(bc.at(1), '1');
  assert.equal(bc.length, 5000);
});

test('a single node keeps its count right across the 127 / 128 boundary of its varint, pushing at either end', () => {
  for (const left of [false, true]) {
    const l = new ListValue();
    const model: string[] = [];
    for (let i = 0; i < 300; i++) {
      const v = String.fromCharCode(0x61 + (i % 26));
      if (left) l.pushLeft(v);
      else l.pushRight(v);
      if (left) model.unshift(v);
      else model.push(v);
      assert.equal(typeof l.data, 'string');
      assert.equal(l.length, i + 1);
    }
    l.verify();
    assert.deepEqual(l.toArray(), model);
    for (let i = 0; i < 200; i++) assert.equal(left ? l.popRight() : l.popLeft(), left ? model.pop() : model.shift());
    assert.deepEqual(l.toArray(), model);
    l.verify();
  }
});

/**
 * What a list is made of: its single node as it is, or (on copies, sealed)
 * each node's elements as a string with its count: the form and the node
 * boundaries, which the tails do not change once packed.
 */
function shape(l: ListValue): unknown {
  const d = l.data;
  if (typeof d === 'string') return ['single', d];
  const q = d.clone();
  q.seal();
  const nodes: [string, number][] = [];
  for (let k = 0; k < q.size; k++) nodes.push([q.node(k).slice(q.start(k), q.end(k)), q.count(k)]);
  return ['quicklist', nodes];
}

/** Pushes `items` to `a` in one pushMany and to `b` one by one; both must come out the same. */
function pushBoth(a: ListValue, b: ListValue, items: string[], left: boolean, fill: number): void {
  a.pushMany(['RPUSH', 'key', ...items], 2, left, fill);
  for (const x of items) {
    if (left) b.pushLeft(x, fill);
    else b.pushRight(x, fill);
  }
  assert.equal(a.length, b.length);
  assert.deepEqual(shape(a), shape(b));
  a.verify();
}

test('a push of many elements gives the list, form and nodes that pushing them one by one gives', () => {
  const words = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `element:${from + i}`);
  for (const left of [false, true]) {
    for (const fill of [-2, -1, 3, 5]) {
      // crossing the single node's size mid-command (the 164th of 200 element:N does not fit 2 KB)
      let a = new ListValue();
      let b = new ListValue();
      pushBoth(a, b, words(200), left, fill);
      assert.ok(a.data instanceof Quicklist);
      assert.deepEqual(a.toArray(), left ? words(200).reverse() : words(200));
      // onto a single node that already holds some; then onto the chain, again and again
      a = new ListValue();
      b = new ListValue();
      pushBoth(a, b, words(30), left, fill);
      assert.equal(typeof a.data, fill > 0 ? 'object' : 'string');
      pushBoth(a, b, words(100, 30), left, fill);
      for (let r = 0; r < 30; r++) pushBoth(a, b, words(100, 130 + 100 * r), left, fill);
      assert.equal(a.length, 3130);
      assert.deepEqual(a.toArray(), b.toArray());
      // an over-long element mid-command: past the single node (3 KB), past any node (9 KB)
      for (const big of [3000, 9000]) {
        a = new ListValue();
        b = new ListValue();
        pushBoth(a, b, ['a', 'b', 'x'.repeat(big), 'c', 'd'], left, fill);
        assert.ok(a.data instanceof Quicklist);
        assert.deepEqual(a.toArray(), left ? ['d', 'c', 'x'.repeat(big), 'b', 'a'] : ['a', 'b', 'x'.repeat(big), 'c', 'd']);
        // an over-long first element still makes a one-element single node, as one push does
        a = new ListValue();
        b = new ListValue();
        pushBoth(a, b, ['y'.repeat(big)], left, fill);
        assert.equal(typeof a.data, 'string');
        pushBoth(a, b, ['e', 'f'], left, fill);
      }
      // duplicates within one command are all kept, in order
      a = new ListValue();
      b = new ListValue();
      pushBoth(a, b, ['a', 'a', 'b', 'a', 'b'], left, fill);
      assert.deepEqual(a.toArray(), left ? ['b', 'a', 'b', 'a', 'a'] : ['a', 'a', 'b', 'a', 'b']);
      assert.equal(a.length, 5);
    }
  }
});

test('a push of many elements carries the single node\'s count across 127 / 128 in one build', () => {
  for (const left of [false, true]) {
    const a = new ListValue();
    const b = new ListValue();
    const items = Array.from({ length: 200 }, (_, i) => String.fromCharCode(0x61 + (i % 26)));
    pushBoth(a, b, items.slice(0, 120), left, -2);
    pushBoth(a, b, items.slice(120), left, -2);
    assert.equal(typeof a.data, 'string');
    assert.equal(a.length, 200);
    assert.deepEqual(a.toArray(), left ? items.slice().reverse() : items);
  }
});

for (const fill of [-2, -1, -5, 1, 2, 5, 0]) {
  test(`random pushes of many elements match pushes one by one (list-max-listpack-size ${fill})`, () => {
    for (const seed of [7, 8]) {
      const rand = rng(seed);
      const a = new ListValue();
      const b = new ListValue();
      const model: string[] = [];
      for (let step = 0; step < 300; step++) {
        const n = 1 + Math.floor(rand() * (rand() < 0.8 ? 20 : 200));
        const items = Array.from({ length: n }, () => element(rand));
        const left = rand() < 0.5;
        pushBoth(a, b, items, left, fill);
        if (left) model.unshift(...items.slice().reverse());
        else model.push(...items);
        // pops now and then, so that the chain goes back to one node and single nodes come back
        if (rand() < 0.3) {
          const k = Math.floor(rand() * model.length);
          const fromLeft = rand() < 0.5;
          const want = fromLeft ? model.splice(0, k) : model.splice(model.length - k, k).reverse();
          assert.deepEqual(a.popMany(fromLeft, k), want);
          assert.deepEqual(b.popMany(fromLeft, k), want);
          assert.deepEqual(shape(a), shape(b));
        }
        assert.equal(a.length, model.length);
      }
      assert.deepEqual(a.toArray(), model);
      a.verify();
    }
  });
}

test('a push of many elements stops filling the single node at the very char where pushes one by one stop', () => {
  // the node's count takes 1 char below 128 elements and 2 from 128: both sides of the 2 KB edge, to the char
  for (const [n, len, filler] of [[168, 10, 0], [300, 1, 1100]] as const) {
    for (let pad = 0; pad < 4; pad++) {
      for (let last = 0; last < 16; last++) {
        for (const left of [false, true]) {
          const items = [...Array.from({ length: n }, () => 'x'.repeat(len)), ...(filler ? ['q'.repeat(filler)] : []), 'p'.repeat(pad), 'y'.repeat(last), 'z'];
          const a = new ListValue();
          const b = new ListValue();
          pushBoth(a, b, items, left, -2);
          // and the same edge reached by a second command
          const c = new ListValue();
          const d = new ListValue();
          pushBoth(c, d, items.slice(0, n), left, -2);
          pushBoth(c, d, items.slice(n), left, -2);
        }
      }
    }
  }
});
