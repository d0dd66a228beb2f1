import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZSetValue } from '../../src/datatypes/zset.ts';
import type { SkipList } from '../../src/datatypes/skiplist.ts';
import { parseScoreRange, parseLexRange, strtod, string2d } from '../../src/commands/zset-parse.ts';

type Entry = [string, number];
const order = (a: Entry, b: Entry) => (a[1] !== b[1] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Walks every level and checks links, spans, backward pointers and length against the expected order. */
function checkInvariants(zsl: SkipList, expected: Entry[]): void {
  const nodes = [];
  for (let n = zsl.first(); n !== null; n = n.forward[0]!) nodes.push(n);
  assert.deepEqual(nodes.map((n) => [n.member, n.score]), expected);
  assert.equal(zsl.length, expected.length);
  assert.equal(zsl.tail, nodes[nodes.length - 1] ?? null);
  for (let i = 0; i < nodes.length; i++) assert.equal(nodes[i]!.backward, i === 0 ? null : nodes[i - 1]);
  const rankOf = new Map(nodes.map((n, i) => [n, i + 1]));
  for (let lvl = 0; lvl < zsl.head.forward.length; lvl++) {
    let x = zsl.head;
    let rank = 0;
    while (x.forward[lvl]) {
      const next = x.forward[lvl]!;
      assert.equal(rank + x.span[lvl]!, rankOf.get(next), `span at level ${lvl}`);
      rank = rankOf.get(next)!;
      x = next;
    }
  }
}

test('skiplist ranks, spans and updates agree with a sorted model under random operations', () => {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const z = new ZSetValue();
  z.big = true;
  const model = new Map<string, number>();
  for (let step = 0; step < 4000; step++) {
    const m = `m${Math.floor(rand() * 300)}`;
    const op = rand();
    const cur = model.get(m);
    if (op < 0.5) {
      const s = Math.floor(rand() * 40) - 20;
      if (cur === undefined) z.insert(m, s, Infinity, Infinity);
      else if (cur !== s) z.update(m, cur, s);
      model.set(m, s);
    } else if (op < 0.7) {
      assert.equal(z.delete(m), cur !== undefined);
      model.delete(m);
    } else if (op < 0.75 && model.size > 0) {
      const n = z.popNode(rand() < 0.5)!;
      assert.equal(model.get(n.member), n.score);
      model.delete(n.member);
    } else if (op < 0.78 && model.size > 10) {
      const start = 1 + Math.floor(rand() * model.size);
      const end = Math.min(model.size, start + Math.floor(rand() * 8));
      const sorted = [...model].sort(order);
      assert.equal(z.deleteRangeByRank(start, end), end - start + 1);
      for (const [k] of sorted.slice(start - 1, end)) model.delete(k);
    }
    if (step % 97 === 0 || step === 3999) {
      const sorted = [...model].sort(order);
      checkInvariants(z.zsl, sorted);
      sorted.forEach(([k, s], i) => {
        assert.equal(z.zsl.rank(s, k), i + 1);
        assert.equal(z.zsl.byRank(i + 1)!.member, k);
      });
      assert.equal(z.zsl.rank(0, 'absent'), 0);
      assert.equal(z.size(), model.size);
    }
  }
});

test('score and lex range lookups find the first and last node in range', () => {
  const z = new ZSetValue();
  for (const [m, s] of [['a', 1], ['b', 2], ['c', 2], ['d', 3], ['e', 5]] as const) z.insert(m, s, Infinity, Infinity);
  const r = parseScoreRange('(1', '3');
  assert.equal(z.zsl.firstInRange(r)!.member, 'b');
  assert.equal(z.zsl.lastInRange(r)!.member, 'd');
  assert.equal(z.zsl.firstInRange(parseScoreRange('(5', '+inf')), null);
  assert.equal(z.zsl.lastInRange(parseScoreRange('-inf', '(1')), null);
  const lex = new ZSetValue();
  for (const m of ['a', 'b', 'c', 'd']) lex.insert(m, 0, Infinity, Infinity);
  for (const linear of [true, false]) {
    assert.equal(lex.zsl.firstInLexRange(parseLexRange('(a', '+'), linear)!.member, 'b');
    assert.equal(lex.zsl.lastInLexRange(parseLexRange('-', '(d'), linear)!.member, 'c');
    assert.equal(lex.zsl.firstInLexRange(parseLexRange('(d', '+'), linear), null);
    assert.equal(lex.zsl.lastInLexRange(parseLexRange('-', '(a'), linear), null);
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
  const copy = z.clone();
  assert.equal(copy.encoding(), 'skiplist');
  assert.deepEqual([...copy.entries()], ['a', '0']);
});

test('ZSCAN score text: listpack integers in full, the rest %.17g', () => {
  const z = new ZSetValue();
  assert.equal(z.scoreText(2305843009213693952), '2305843009213693952');
  assert.equal(z.scoreText(1e20), '1e+20');
  assert.equal(z.scoreText(0.1), '0.10000000000000001');
  z.big = true;
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
