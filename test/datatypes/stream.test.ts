/**
 * The stream data layer without a server: ID parsing and arithmetic over
 * the full unsigned 64-bit range, node filling and splitting as Redis's
 * listpacks (numbers checked against Redis 7.0.15), deletion, trimming,
 * range scans, read counters and the PEL index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StreamValue, type TrimSpec } from '../../src/datatypes/stream.ts';
import { lpStrSize } from '../../src/datatypes/stream-lpsize.ts';
import { ReplyWriter } from '../../src/protocol/reply-writer.ts';
import { bulkId } from '../../src/commands/stream/stream-reply.ts';
import { Pel, ConsumerGroup, INVALID_ENTRIES_READ, type Nack } from '../../src/datatypes/stream-cgroup.ts';
import {
  cmpId, decrId, deltaInt64, formatId, incrId, parseStreamId, parseU64, MAX_ID, MIN_ID, U64_MAX, type StreamID,
} from '../../src/datatypes/stream-id.ts';
import { rng } from '../helpers/rng.ts';

const MAX = 18446744073709551615n;

function add(s: StreamValue, id: string, ...pairs: string[]): string {
  const p = parseStreamId(id, 0, true, true)!;
  const r = s.append(pairs, 0, pairs.length / 2, p, p.seqGiven, 0, 100, 4096);
  assert.equal(typeof r, 'object', `append ${id} failed: ${String(r)}`);
  return formatId(r as StreamID);
}

function ids(s: StreamValue, start: StreamID = MIN_ID, end: StreamID = MAX_ID, rev = false, count = 0): string[] {
  const pos = s.range(start, end, rev, count);
  return pos.idx.map((i, k) => `${pos.nodes[k]!.entryMs(i)}-${pos.nodes[k]!.entrySeq(i)}`);
}

const id = (s: string): StreamID => {
  const p = parseStreamId(s, 0, false, false)!;
  return { ms: p.ms, seq: p.seq };
};

test('IDs parse as Redis does: strtoull forms, - and +, strict mode, <ms>-*, length and NUL', () => {
  assert.deepEqual(parseStreamId('5', 7, false, false), { ms: 5, seq: 7, seqGiven: true });
  assert.deepEqual(parseStreamId('5-3', 7, false, false), { ms: 5, seq: 3, seqGiven: true });
  assert.deepEqual(parseStreamId('-', 0, false, false), { ms: 0, seq: 0, seqGiven: true });
  assert.deepEqual(parseStreamId('+', 0, false, false), { ms: MAX, seq: MAX, seqGiven: true });
  assert.equal(parseStreamId('-', 0, true, false), null);
  assert.equal(parseStreamId('+', 0, true, false), null);
  assert.deepEqual(parseStreamId('9-*', 0, true, true), { ms: 9, seq: 0, seqGiven: false });
  assert.equal(parseStreamId('9-*', 0, true, false), null);
  assert.deepEqual(parseStreamId('18446744073709551615-18446744073709551615', 0, true, false), { ms: MAX, seq: MAX, seqGiven: true });
  assert.equal(parseStreamId('18446744073709551616-0', 0, true, false), null);
  assert.equal(parseStreamId('x'.repeat(128), 0, false, false), null);
  assert.deepEqual(parseStreamId('1-2\0junk', 0, false, false), { ms: 1, seq: 2, seqGiven: true });
  // string2ll refuses negatives, strtoull then takes blanks, signs, leading zeros and wraps "-N"
  assert.equal(parseU64('-1'), null);
  assert.equal(parseU64('-0'), 0);
  assert.equal(parseU64(' 7'), 7);
  assert.equal(parseU64('+7'), 7);
  assert.equal(parseU64('007'), 7);
  assert.equal(parseU64('-18446744073709551615'), 1);
  assert.equal(parseU64('-9223372036854775809'), 9223372036854775807n);
  assert.equal(parseU64(''), null);
  assert.equal(parseU64('+'), null);
  assert.equal(parseU64('1x'), null);
  assert.equal(parseU64('9007199254740993'), 9007199254740993n);
  assert.equal(parseU64('9007199254740991'), 9007199254740991);
  assert.equal(parseStreamId('1--5', 0, false, false), null);
  assert.deepEqual(parseStreamId('1--0', 0, false, false), { ms: 1, seq: 0, seqGiven: true });
});

test('ID arithmetic is exact across the number/bigint boundary', () => {
  assert.equal(cmpId(9007199254740991, 0, 9007199254740992n, 0), -1);
  assert.equal(cmpId(MAX, 1, MAX, 0), 1);
  assert.deepEqual(incrId({ ms: 5, seq: MAX }), { ms: 6, seq: 0 });
  assert.deepEqual(incrId({ ms: 1, seq: 9007199254740991 }), { ms: 1, seq: 9007199254740992n });
  assert.equal(incrId({ ms: MAX, seq: MAX }), null);
  assert.deepEqual(decrId({ ms: 6, seq: 0 }), { ms: 5, seq: MAX });
  assert.deepEqual(decrId({ ms: 1, seq: 9007199254740992n }), { ms: 1, seq: 9007199254740991 });
  assert.equal(decrId({ ms: 0, seq: 0 }), null);
  assert.equal(formatId({ ms: MAX, seq: 0 }), '18446744073709551615-0');
  // listpack deltas wrap like uint64 subtraction read as int64
  assert.equal(deltaInt64(MAX, 0), -1);
  assert.equal(deltaInt64(0, 1), -1);
  assert.equal(deltaInt64(5, 3), 2);
});

test('listpack element sizes: integers encoded compactly, strings by length', () => {
  assert.equal(lpStrSize('0'), 2);
  assert.equal(lpStrSize('127'), 2);
  assert.equal(lpStrSize('128'), 3);
  assert.equal(lpStrSize('-4096'), 3);
  assert.equal(lpStrSize('32767'), 4);
  assert.equal(lpStrSize('9223372036854775807'), 10);
  assert.equal(lpStrSize('9223372036854775808'), 21);
  assert.equal(lpStrSize('01'), 4);
  assert.equal(lpStrSize('-0'), 4);
  assert.equal(lpStrSize('x'.repeat(63)), 65);
  assert.equal(lpStrSize('x'.repeat(64)), 67);
  assert.equal(lpStrSize('x'.repeat(4096)), 4103);
});

test('IDs: automatic, <ms>-*, explicit, and the errors of streamAppendItem', () => {
  const s = new StreamValue();
  const pairs = ['f', 'v'];
  const auto = s.append(pairs, 0, 1, null, true, 1000, 100, 4096) as StreamID;
  assert.deepEqual(auto, { ms: 1000, seq: 0 });
  // the clock going back keeps the last ms and increments the sequence
  assert.deepEqual(s.append(pairs, 0, 1, null, true, 900, 100, 4096), { ms: 1000, seq: 1 });
  assert.deepEqual(s.append(pairs, 0, 1, { ms: 1000, seq: 0 }, false, 0, 100, 4096), { ms: 1000, seq: 2 });
  assert.deepEqual(s.append(pairs, 0, 1, { ms: 2000, seq: 0 }, false, 0, 100, 4096), { ms: 2000, seq: 0 });
  assert.equal(s.append(pairs, 0, 1, { ms: 1500, seq: 0 }, false, 0, 100, 4096), 'EDOM');
  assert.equal(s.append(pairs, 0, 1, { ms: 2000, seq: 0 }, true, 0, 100, 4096), 'EDOM');
  assert.deepEqual(s.append(pairs, 0, 1, { ms: 2000, seq: MAX }, true, 0, 100, 4096), { ms: 2000, seq: MAX });
  // the sequence can't overflow: Redis 7.4 reports "equal or smaller" here (7.0: "Elements are too large")
  assert.equal(s.append(pairs, 0, 1, { ms: 2000, seq: 0 }, false, 0, 100, 4096), 'EDOM');
  assert.deepEqual(s.append(pairs, 0, 1, null, true, 5, 100, 4096), { ms: 2001, seq: 0 });
  assert.deepEqual(s.append(pairs, 0, 1, { ms: MAX, seq: MAX }, true, 0, 100, 4096), { ms: MAX, seq: MAX });
  assert.equal(s.append(pairs, 0, 1, null, true, 5, 100, 4096), 'EDOM');
  assert.equal(s.length, 7);
  assert.equal(s.entriesAdded, 7);
  assert.deepEqual(ids(s).slice(-2), ['2001-0', '18446744073709551615-18446744073709551615']);
});

test('nodes fill and split where Redis 7.0.15 splits its listpacks (XINFO radix-tree-keys / -nodes)', () => {
  // [value length, radix-tree-keys, radix-tree-nodes] for 1000 entries i-0 field <value>
  for (const [vlen, keys, nodes] of [[1, 10, 26], [30, 10, 26], [60, 18, 42], [200, 53, 112]] as const) {
    const s = new StreamValue();
    for (let i = 1; i <= 1000; i++) add(s, `${i}-0`, 'field', 'x'.repeat(vlen));
    assert.equal(s.nodes.length, keys, `keys, value length ${vlen}`);
    assert.equal(s.raxNodes(), nodes, `rax nodes, value length ${vlen}`);
  }
  const mixed = new StreamValue();
  for (let i = 1; i <= 1000; i++) add(mixed, `${i * 1000}-0`, `f${i % 3}`, String(i * 7));
  assert.deepEqual([mixed.nodes.length, mixed.raxNodes()], [10, 22]);
  const big = new StreamValue();
  for (let i = 1n; i <= 300n; i++) add(big, `${i * 2n ** 33n}-${i * 2n ** 40n}`, 'a', '1', 'b', '-70000');
  assert.deepEqual([big.nodes.length, big.raxNodes()], [3, 9]);
  assert.deepEqual(ids(big, MIN_ID, MAX_ID, true, 2), [`${300n * 2n ** 33n}-${300n * 2n ** 40n}`, `${299n * 2n ** 33n}-${299n * 2n ** 40n}`]);
  const empty = new StreamValue();
  assert.equal(empty.raxNodes(), 1);
  add(empty, '1-1', 'a', 'b');
  assert.equal(empty.raxNodes(), 2);
});

test('entries keep their fields (master-field sharing) and binary values', () => {
  const s = new StreamValue();
  add(s, '1-0', 'a', '1', 'b', '2');
  add(s, '2-0', 'a', '3', 'b', '4');
  add(s, '3-0', 'b', '\u0000\u00ff\r\n', 'a', '');
  add(s, '4-0', 'a', 'x'.repeat(5000), 'b', '6');
  assert.deepEqual([...s.entries()], [
    '1.0', 'a', '1', 'b', '2', '2.0', 'a', '3', 'b', '4', '3.0', 'b', '\u0000\u00ff\r\n', 'a', '', '4.0', 'a', 'x'.repeat(5000), 'b', '6',
  ]);
  const node = s.nodes[0]!;
  assert.deepEqual([node.numFields(1), node.flags(1) & 2, node.flags(2) & 2], [2, 2, 0]);
});

test('XDEL flags entries, drops a node with its last live entry, and ranges skip tombstones', () => {
  const s = new StreamValue();
  for (let i = 1; i <= 250; i++) add(s, `${i}-0`, 'f', String(i));
  assert.equal(s.nodes.length, 3);
  assert.equal(s.delete(id('5-0')), true);
  assert.equal(s.delete(id('5-0')), false);
  assert.equal(s.delete(id('999-0')), false);
  assert.equal(s.length, 249);
  assert.deepEqual(ids(s, id('4'), id('6')), ['4-0', '6-0']);
  assert.deepEqual(ids(s, id('6'), id('3'), true), []);
  assert.deepEqual(ids(s, id('3'), id('6'), true), ['6-0', '4-0', '3-0']);
  for (let i = 101; i <= 200; i++) s.delete(id(`${i}-0`));
  assert.equal(s.nodes.length, 2, 'the middle node went with its last entry');
  assert.deepEqual(ids(s, id('99'), id('202')), ['99-0', '100-0', '201-0', '202-0']);
  assert.deepEqual(ids(s, id('99'), id('202'), true, 3), ['202-0', '201-0', '100-0']);
  assert.deepEqual(s.edgeId(true, true), id('1-0'));
  assert.deepEqual(s.lastValidId(), id('250-0'));
  s.delete(id('250-0'));
  assert.deepEqual(s.lastValidId(), id('249-0'));
  assert.deepEqual(s.edgeId(false, false), id('250-0'), 'the tombstone is still the last entry');
});

test('trimming: exact and approximate MAXLEN / MINID, LIMIT, whole nodes first', () => {
  const make = (): StreamValue => {
    const s = new StreamValue();
    for (let i = 1; i <= 1000; i++) add(s, `${i}-0`, 'x', String(i));
    return s;
  };
  const trim = (s: StreamValue, t: Partial<TrimSpec>): number => s.trim({ maxlen: true, count: 0, minid: MIN_ID, approx: false, limit: 0, ...t });
  let s = make();
  assert.equal(trim(s, { count: 555, approx: true }), 400);
  assert.equal(s.length, 600);
  assert.equal(trim(s, { count: 555 }), 45);
  assert.equal(s.length, 555);
  assert.deepEqual(s.firstId, id('446-0'));
  s = make();
  assert.equal(trim(s, { count: 0, approx: true, limit: 250 }), 200, 'LIMIT stops before a node that would pass it');
  s = make();
  assert.equal(trim(s, { maxlen: false, minid: id('150-0'), approx: true }), 100);
  assert.equal(trim(s, { maxlen: false, minid: id('150-0') }), 49);
  assert.deepEqual(ids(s, MIN_ID, MAX_ID, false, 1), ['150-0']);
  assert.equal(trim(s, { maxlen: false, minid: id('0-1') }), 0);
  assert.equal(trim(s, { count: 0 }), 851);
  assert.deepEqual([s.length, s.nodes.length, s.firstId], [0, 0, MIN_ID]);
});

test('the read counter estimate and lag follow streamEstimateDistanceFromFirstEverEntry', () => {
  const s = new StreamValue();
  const g = new ConsumerGroup(0, 0, INVALID_ENTRIES_READ);
  assert.equal(s.lag(g), 0);
  for (let i = 1; i <= 5; i++) add(s, `${i}-0`, 'd', 'x');
  assert.equal(s.estimateDistance(id('5-0')), 5);
  assert.equal(s.estimateDistance(id('1-0')), 1);
  assert.equal(s.estimateDistance(id('0-1')), 0);
  assert.equal(s.estimateDistance(id('3-0')), INVALID_ENTRIES_READ);
  assert.equal(s.estimateDistance(id('6-0')), INVALID_ENTRIES_READ);
  assert.equal(s.lag(g), 5);
  s.delete(id('3-0'));
  s.maxDeletedId = id('3-0');
  assert.equal(s.rangeHasTombstones(id('2-0'), null), true);
  assert.equal(s.rangeHasTombstones(id('4-0'), null), false);
  assert.equal(s.lag(g), null);
  g.lastMs = 5;
  assert.equal(s.lag(g), 0);
});

test('random operations against a model: appends, deletes, trims, ranges both ways', () => {
  const rand = rng(7);
  for (const [maxEntries, maxBytes] of [[100, 4096], [3, 0], [0, 60], [1, 4096]]) {
    const s = new StreamValue();
    let model: number[] = [];
    let next = 1;
    for (let step = 0; step < 3000; step++) {
      const op = rand();
      if (op < 0.6) {
        const ms = next++;
        const r = s.append(['f', 'v'.repeat(Math.floor(rand() * 20))], 0, 1, { ms, seq: 0 }, true, 0, maxEntries, maxBytes);
        assert.equal(typeof r, 'object');
        model.push(ms);
      } else if (op < 0.85 && model.length) {
        const ms = model[Math.floor(rand() * model.length)]!;
        assert.equal(s.delete({ ms, seq: 0 }), true);
        model = model.filter((x) => x !== ms);
      } else if (op < 0.9) {
        const keep = Math.floor(rand() * 200);
        s.trim({ maxlen: true, count: keep, minid: MIN_ID, approx: false, limit: 0 });
        if (model.length > keep) model = model.slice(model.length - keep);
      } else {
        const a = Math.floor(rand() * next);
        const b = a + Math.floor(rand() * 300);
        const want = model.filter((x) => x >= a && x <= b).map((x) => `${x}-0`);
        assert.deepEqual(ids(s, { ms: a, seq: 0 }, { ms: b, seq: 0 }), want);
        assert.deepEqual(ids(s, { ms: a, seq: 0 }, { ms: b, seq: 0 }, true, 5), want.reverse().slice(0, 5));
      }
      assert.equal(s.length, model.length);
    }
    const copy = s.clone();
    add(copy, `${next}-0`, 'a', 'b');
    assert.equal(copy.length, s.length + 1, 'a clone is independent');
    assert.deepEqual([...copy.entries()].slice(0, -3), [...s.entries()]);
  }
});

test('a PEL stays ordered by ID under appends, out-of-order inserts and removals', () => {
  const pel = new Pel();
  const nack = (ms: number | bigint, seq: number | bigint = 0): Nack => ({ ms, seq, deliveryTime: 0, deliveryCount: 1, consumer: null });
  for (let i = 0; i < 1000; i += 2) assert.equal(pel.insert(nack(i)), true);
  for (let i = 999; i > 0; i -= 2) assert.equal(pel.insert(nack(i)), true);
  assert.equal(pel.insert(nack(500)), false);
  assert.equal(pel.insert(nack(U64_MAX, U64_MAX)), true);
  assert.equal(pel.size, 1001);
  const all = [...pel.all()].map((n) => n.ms);
  assert.deepEqual(all.slice(0, 5), [0, 1, 2, 3, 4]);
  assert.equal(all[1000], U64_MAX);
  for (let i = 0; i < 1000; i += 3) assert.ok(pel.remove(i, 0));
  assert.equal(pel.remove(3, 0), undefined);
  assert.equal(pel.get(4, 0)?.ms, 4);
  assert.equal(pel.get(6, 0), undefined);
  assert.equal(pel.ceiling(6, 0)?.ms, 7);
  assert.equal(pel.ceiling(7, 0, true)?.ms, 8);
  assert.equal(pel.ceiling(999, 1)?.ms, U64_MAX);
  assert.equal(pel.first()?.ms, 1);
  assert.deepEqual([...pel.from(10, 0)].slice(0, 3).map((n) => n.ms), [10, 11, 13]);
  let prev = -1;
  for (const n of pel.all()) {
    assert.ok(typeof n.ms === 'bigint' || n.ms > prev);
    if (typeof n.ms === 'number') prev = n.ms;
  }
});

test('a cloned group shares each NACK between its PEL and its owner', () => {
  const g = new ConsumerGroup(5, 0, 3);
  const alice = g.create('alice', 1)!;
  const n: Nack = { ms: 1, seq: 0, deliveryTime: 7, deliveryCount: 2, consumer: alice };
  g.pel.insert(n);
  alice.pel.insert(n);
  const copy = g.clone();
  const cn = copy.pel.get(1, 0)!;
  assert.notEqual(cn, n);
  assert.equal(cn, copy.consumers.get('alice')!.pel.get(1, 0));
  assert.equal(cn.consumer, copy.consumers.get('alice'));
  assert.deepEqual([cn.deliveryTime, cn.deliveryCount, copy.entriesRead], [7, 2, 3]);
  assert.equal(g.deleteConsumer(alice), 1);
  assert.equal(g.pel.size, 0);
  assert.equal(copy.pel.size, 1);
});

test('IDs are written into replies digit by digit, exactly up to 2^53 - 1 and past it', () => {
  const vals = [0, 9, 10, 999999999, 1000000000, 2147483648, 1795933425036, 1000000000000009, 9007199254740987, 9007199254740991, 9007199254740992n, MAX];
  for (const ms of vals) {
    for (const seq of vals) {
      const r = new ReplyWriter();
      bulkId(r, ms, seq);
      const text = `${ms}-${seq}`;
      assert.equal(r.buf.latin1Slice(0, r.len), `$${text.length}\r\n${text}\r\n`);
    }
  }
});
