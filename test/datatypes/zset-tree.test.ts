import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZTree, cursor, leafBytes, innerBytes } from '../../src/datatypes/zset-tree.ts';
import { parseLexRange, parseScoreRange } from '../../src/commands/zset/zset-parse.ts';
import { gteMin, lexGteMin, lexLteMax, lteMax } from '../../src/datatypes/zrange-spec.ts';

type Entry = [number, string];
const before = (a: Entry, b: Entry): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

/** A sorted array of (score, member): the reference. */
class Model {
  readonly a: Entry[] = [];
  lowerBound(e: Entry): number {
    let lo = 0, hi = this.a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.a[mid]!, e)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  insert(e: Entry): void {
    this.a.splice(this.lowerBound(e), 0, e);
  }
  delete(e: Entry): void {
    this.a.splice(this.lowerBound(e), 1);
  }
}

/** A deterministic pseudo-random source. */
function lcg(seed: number): () => number {
  return () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function entries(t: ZTree): Entry[] {
  const out: Entry[] = [];
  t.forEach((m, s) => out.push([s, m]));
  return out;
}

/** The entry under the cursor. */
function atCursor(): Entry {
  return [cursor.leaf!.scores[cursor.i]!, cursor.leaf!.members[cursor.i]!];
}

function randomScoreRange(rand: () => number, spread: number): ReturnType<typeof parseScoreRange> {
  const lo = Math.floor(rand() * spread) - spread / 2;
  const hi = lo + Math.floor(rand() * spread / 4) - 2;
  return parseScoreRange(rand() < 0.3 ? `(${lo}` : rand() < 0.1 ? '-inf' : `${lo}`, rand() < 0.3 ? `(${hi}` : rand() < 0.1 ? '+inf' : `${hi}`);
}

function randomLexRange(rand: () => number, members: number): ReturnType<typeof parseLexRange> {
  const a = `m${String(Math.floor(rand() * members)).padStart(5, '0')}`;
  const b = `m${String(Math.floor(rand() * members)).padStart(5, '0')}`;
  return parseLexRange(rand() < 0.1 ? '-' : `${rand() < 0.5 ? '(' : '['}${a}`, rand() < 0.1 ? '+' : `${rand() < 0.5 ? '(' : '['}${b}`);
}

/** Random operations on a tree of small nodes (many splits, merges and height changes) checked against the model. */
for (const [leafCap, innerCap, equalScores, seed] of [[4, 4, false, 1], [5, 6, false, 2], [8, 4, true, 3], [16, 8, false, 4], [64, 64, false, 5]] as const) {
  test(`tree of leaves of ${leafCap}, inner nodes of ${innerCap}${equalScores ? ', equal scores' : ''}: random operations agree with a sorted array`, () => {
    const rand = lcg(seed);
    const t = new ZTree(leafCap, innerCap);
    const model = new Model();
    const scoreOf = new Map<string, number>();
    const MEMBERS = 3000;
    const member = (): string => `m${String(Math.floor(rand() * MEMBERS)).padStart(5, '0')}`;
    const score = (): number => (equalScores ? 0 : Math.floor(rand() * 400) - 200 + (rand() < 0.2 ? 0.5 : 0));
    let maxInners = 0;
    for (let step = 0; step < 20000; step++) {
      // grow for the first half, then shrink (merges, the root giving way)
      const grow = step < 10000 ? 0.75 : 0.35;
      const op = rand();
      const m = member();
      const cur = scoreOf.get(m);
      if (op < grow) {
        const s = score();
        if (cur === undefined) {
          t.insert(s, m);
          model.insert([s, m]);
        } else {
          t.updateScore(cur, m, s);
          model.delete([cur, m]);
          model.insert([s, m]);
        }
        scoreOf.set(m, s);
      } else if (op < grow + 0.15) {
        assert.equal(t.delete(cur ?? 0, m), cur !== undefined);
        if (cur !== undefined) model.delete([cur, m]);
        scoreOf.delete(m);
      } else if (op < grow + 0.2 && model.a.length > 0) {
        const out = { member: '', score: 0 };
        const max = rand() < 0.5;
        assert.ok(t.popEnd(max, out));
        const e = max ? model.a.pop()! : model.a.shift()!;
        assert.deepEqual([out.score, out.member], e);
        scoreOf.delete(e[1]);
      } else if (op < grow + 0.23) {
        const from = Math.floor(rand() * (model.a.length + 2)) - 1;
        const to = from + Math.floor(rand() * (rand() < 0.1 ? 200 : 12)) - 1;
        const gone: Entry[] = [];
        const n = t.deleteRange(from, to, (mm, s) => gone.push([s, mm]));
        const lo = Math.max(0, from), hi = Math.min(model.a.length - 1, to);
        const expect = lo <= hi ? model.a.splice(lo, hi - lo + 1) : [];
        assert.equal(n, expect.length);
        assert.deepEqual(gone, expect);
        for (const [, mm] of gone) scoreOf.delete(mm);
      } else {
        // reads: rank, by rank, score and lex ranges
        const a = model.a;
        if (cur !== undefined) assert.equal(t.rank(cur, m), model.lowerBound([cur, m]));
        assert.equal(t.rank(cur ?? 0, `${m}x`), -1);
        const r = Math.floor(rand() * (a.length + 1)) - (rand() < 0.05 ? 1 : 0);
        assert.equal(t.seek(r), r >= 0 && r < a.length);
        if (r >= 0 && r < a.length) {
          assert.deepEqual(atCursor(), a[r]);
          const k = Math.floor(rand() * 5);
          if (ZTree.skip(k)) assert.deepEqual(atCursor(), a[r + k]);
          else assert.ok(r + k >= a.length);
          t.seek(r);
          if (ZTree.skipBack(k)) assert.deepEqual(atCursor(), a[r - k]);
          else assert.ok(r - k < 0);
        }
        const sr = randomScoreRange(rand, equalScores ? 4 : 400);
        const firstS = a.findIndex(([s]) => gteMin(s, sr) && lteMax(s, sr));
        let lastS = -1;
        for (let i = a.length - 1; i >= 0; i--) if (gteMin(a[i]![0], sr) && lteMax(a[i]![0], sr)) { lastS = i; break; }
        assert.equal(t.firstInRange(sr), firstS);
        if (firstS >= 0) assert.deepEqual(atCursor(), a[firstS]);
        assert.equal(t.lastInRange(sr), lastS);
        if (lastS >= 0) assert.deepEqual(atCursor(), a[lastS]);
        if (equalScores) {
          const lr = randomLexRange(rand, MEMBERS);
          const inLex = (mm: string): boolean => lexGteMin(mm, lr) && lexLteMax(mm, lr);
          const firstL = a.findIndex(([, mm]) => inLex(mm));
          let lastL = -1;
          for (let i = a.length - 1; i >= 0; i--) if (inLex(a[i]![1])) { lastL = i; break; }
          assert.equal(t.firstInLexRange(lr), firstL);
          if (firstL >= 0) assert.deepEqual(atCursor(), a[firstL]);
          assert.equal(t.lastInLexRange(lr), lastL);
          if (lastL >= 0) assert.deepEqual(atCursor(), a[lastL]);
        }
      }
      assert.equal(t.length, model.a.length);
      if (step % 250 === 0 || step === 19999) {
        t.check();
        assert.deepEqual(entries(t), model.a);
        const rev: Entry[] = [];
        t.forEach((mm, s) => rev.push([s, mm]), true);
        assert.deepEqual(rev, model.a.slice().reverse());
        maxInners = Math.max(maxInners, t.inners);
      }
    }
    // more inner nodes than one root: at least three levels
    if (leafCap <= 16) assert.ok(maxInners > innerCap, `the tree grew several levels (${maxInners} inner nodes)`);
    // empty it: one empty leaf is left, as a new tree's
    t.deleteRange(0, t.length - 1, () => {});
    t.check();
    assert.equal(t.length, 0);
    assert.equal(t.nodeBytes(), new ZTree(leafCap, innerCap).nodeBytes());
    assert.equal(t.firstInRange(parseScoreRange('-inf', '+inf')), -1);
    assert.equal(t.lastInLexRange(parseLexRange('-', '+')), -1);
    assert.equal(t.seek(0), false);
  });
}

test('appendSorted fills leaves in order, falls back to inserts out of order, and keeps every invariant', () => {
  for (const n of [0, 1, 3, 47, 48, 49, 1000, 5000]) {
    const t = new ZTree(8, 4);
    const ms: string[] = [], ss: number[] = [];
    for (let i = 0; i < n; i++) {
      ms.push(`m${String(i).padStart(5, '0')}`);
      ss.push(Math.floor(i / 3));
    }
    t.appendSorted(ms, ss, 0, n);
    t.check();
    assert.deepEqual(entries(t), ms.map((m, i) => [ss[i], m]));
    // out of order and interleaved: still sorted
    t.appendSorted(['a', 'zz', 'b'], [-1, 1e9, 5.5], 0, 3);
    t.check();
    assert.equal(t.length, n + 3);
  }
  // filled to three quarters: fewer leaves than random inserts leave
  const t = new ZTree(64, 64);
  const ms = Array.from({ length: 10000 }, (_, i) => `m${String(i).padStart(5, '0')}`);
  t.appendSorted(ms, new Float64Array(10000), 0, 10000);
  t.check();
  assert.equal(t.leaves, Math.ceil(10000 / 48));
  assert.ok(t.inners <= Math.ceil(t.leaves / 32) + 1);
  assert.equal(t.nodeBytes(), t.leaves * leafBytes(64) + t.inners * innerBytes(64));
});

test('updateScore moves an entry inside its leaf or across the tree; -0 and 0 sort as equal scores', () => {
  const t = new ZTree(4, 4);
  for (let i = 0; i < 40; i++) t.insert(i, `m${i}`);
  t.updateScore(5, 'm5', 5.5); // stays in place
  t.updateScore(6, 'm6', 4.5); // slides before m5 in its leaf or moves
  t.updateScore(0, 'm0', 100); // across the tree
  t.updateScore(39, 'm39', -1);
  t.check();
  assert.deepEqual(entries(t).slice(0, 7).map(([, m]) => m), ['m39', 'm1', 'm2', 'm3', 'm4', 'm6', 'm5']);
  assert.deepEqual(entries(t).at(-1), [100, 'm0']);
  const z = new ZTree(4, 4);
  z.insert(0, 'b');
  z.insert(-0, 'a');
  z.insert(0, 'c');
  assert.deepEqual(entries(z).map(([, m]) => m), ['a', 'b', 'c']);
  assert.equal(z.rank(0, 'a'), 0);
  assert.equal(z.rank(-0, 'c'), 2);
});
