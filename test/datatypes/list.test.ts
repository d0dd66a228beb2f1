import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ListValue } from '../../src/datatypes/list.ts';

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

test('ring buffer matches an array model under random operations (wrap-around, growth, shrink)', () => {
  for (const seed of [1, 2, 3, 42, 1234]) {
    const rand = rng(seed);
    const l = new ListValue();
    let model: string[] = [];
    for (let step = 0; step < 20000; step++) {
      const op = Math.floor(rand() * 12);
      const v = String(Math.floor(rand() * 8));
      switch (op) {
        case 0: case 1:
          l.pushLeft(v);
          model.unshift(v);
          break;
        case 2: case 3:
          l.pushRight(v);
          model.push(v);
          break;
        case 4:
          assert.equal(l.popLeft(), model.shift());
          break;
        case 5:
          assert.equal(l.popRight(), model.pop());
          break;
        case 6: {
          const i = Math.floor(rand() * (model.length + 1));
          l.insertAt(i, v);
          model.splice(i, 0, v);
          break;
        }
        case 7: {
          const limit = Math.floor(rand() * 3);
          const fromTail = rand() < 0.5;
          let removed = 0;
          if (!fromTail) {
            model = model.filter((x) => !(x === v && (limit === 0 || removed < limit) && ++removed));
          } else {
            model = model.reverse().filter((x) => !(x === v && (limit === 0 || removed < limit) && ++removed)).reverse();
          }
          assert.equal(l.removeMatching(v, limit, fromTail), removed);
          break;
        }
        case 8: {
          if (model.length === 0 || rand() < 0.9) break;
          const s = Math.floor(rand() * model.length);
          const e = s + Math.floor(rand() * (model.length - s));
          l.trim(s, e);
          model = model.slice(s, e + 1);
          break;
        }
        case 9:
          if (model.length) {
            const i = Math.floor(rand() * model.length);
            l.setAt(i, v + 'x');
            model[i] = v + 'x';
          }
          break;
        case 10:
          assert.equal(l.indexOf(v), model.indexOf(v));
          break;
        default:
          // bursts make the buffer grow past and shrink below its thresholds
          if (rand() < 0.02) for (let k = 0; k < 300; k++) {
            l.pushRight(String(k));
            model.push(String(k));
          } else if (rand() < 0.04) for (let k = 0; k < 300 && model.length; k++) assert.equal(l.popLeft(), model.shift());
      }
      assert.equal(l.length, model.length);
      if (step % 97 === 0) assert.deepEqual(l.toArray(), model);
    }
    assert.deepEqual(l.toArray(), model);
    assert.deepEqual([...l.entries()], model);
  }
});

test('from, clone, trim to empty and encoding', () => {
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
});

test('grows past and shrinks below its capacity with the content intact', () => {
  const l = new ListValue();
  for (let i = 0; i < 1000; i++) {
    if (i % 2) l.pushRight(String(i));
    else l.pushLeft(String(i));
  }
  const all = l.toArray();
  for (let i = 0; i < 990; i++) assert.equal(l.popLeft(), all[i]);
  assert.deepEqual(l.toArray(), all.slice(990));
  for (let i = 0; i < 5; i++) assert.equal(l.popRight(), all[999 - i]);
  assert.deepEqual(l.toArray(), all.slice(990, 995));
  l.insertAt(2, 'mid');
  assert.deepEqual(l.toArray(), [...all.slice(990, 992), 'mid', ...all.slice(992, 995)]);
});
