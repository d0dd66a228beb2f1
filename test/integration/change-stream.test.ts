/**
 * The internal change stream (src/reactivity/change-stream.ts): every write
 * of every shard with per-shard sequence numbers in commit order, bounded
 * retention, resume from a position, and "fell behind" when changes are gone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import type { Change, ChangeStream } from '../../src/reactivity/change-stream.ts';

type Seen = [number, number, number, string, string];

describeServer('change stream', (fx) => {
  const stream = (): ChangeStream => fx().server.state.changes;

  test('live subscribers see every write with increasing per-shard sequence numbers', async () => {
    const c = await fx().client();
    const seen: Seen[] = [];
    const off = stream().subscribe((shard, seq, db, key, event) => seen.push([shard, seq, db, key, event]));
    try {
      await c.call('SET', 'a', '1');
      await c.call('LPUSH', 'l', 'x', 'y');
      await c.call('SELECT', '3');
      await c.call('DEL', 'nothing');
      await c.call('HSET', 'h', 'f', 'v');
      await c.call('SELECT', '0');
      await c.call('MSET', 'k1', '1', 'k2', '2', 'k3', '3');
      assert.deepEqual(seen.map((s) => [s[2], s[3], s[4]]), [
        [0, 'a', 'set'], [0, 'l', 'lpush'], [3, 'h', 'hset'], [0, 'k1', 'set'], [0, 'k2', 'set'], [0, 'k3', 'set'],
      ]);
      const last = new Map<number, number>();
      for (const [shard, seq] of seen) {
        assert.ok(seq > (last.get(shard) ?? 0), 'per-shard order');
        last.set(shard, seq);
        assert.ok(seq <= fx().server.state.engine.shards[shard]!.seq);
      }
    } finally {
      off();
      await c.call('SELECT', '0');
    }
    // unsubscribed: nothing more arrives
    const n = seen.length;
    await c.call('SET', 'a', '2');
    assert.equal(seen.length, n);
  });

  test('sequence numbers advance with no consumer; retention replays after a position', async () => {
    const c = await fx().client();
    const s = stream();
    const before = s.position();
    await c.call('SET', 'p', '1');
    const moved = s.position().seqs.reduce((a, b) => a + b, 0) - before.seqs.reduce((a, b) => a + b, 0);
    assert.equal(moved, 1);
    // nothing was retained: resuming from before that write reports the shard behind
    const lost = s.replay(before, () => {});
    assert.equal(lost.behind.length, 1);
    assert.equal(lost.replayed, 0);

    s.setRetention(4);
    try {
      const pos = s.position();
      for (let i = 0; i < 3; i++) await c.call('SET', `r${i}`, String(i));
      const got: Seen[] = [];
      const res = s.replay(pos, (shard, seq, db, key, event) => got.push([shard, seq, db, key, event]));
      assert.deepEqual(res.behind, []);
      assert.equal(res.replayed, 3);
      assert.deepEqual(got.map((g) => g[3]).sort(), ['r0', 'r1', 'r2']);
      // read(): per shard, after a seq
      const all: Change[] = [];
      for (let sh = 0; sh < pos.seqs.length; sh++) all.push(...s.read(sh, pos.seqs[sh]!)!);
      assert.deepEqual(all.map((x) => x.key).sort(), ['r0', 'r1', 'r2']);
      // up to date: nothing to replay
      assert.deepEqual(s.replay(s.position(), () => assert.fail('nothing to replay')), { behind: [], replayed: 0 });
      // more writes than retained on one shard: that consumer fell behind
      const pos2 = s.position();
      for (let i = 0; i < 6; i++) await c.call('SET', `same{x}${i}`, '1');
      const res2 = s.replay(pos2, () => {});
      assert.equal(res2.behind.length, 1);
      const sh = res2.behind[0]!;
      assert.equal(s.read(sh, pos2.seqs[sh]!), null);
      // the last 4 are still there
      const head = fx().server.state.engine.shards[sh]!.seq;
      assert.deepEqual(s.read(sh, head - 4)!.map((x) => x.key), ['same{x}2', 'same{x}3', 'same{x}4', 'same{x}5']);
      // a position from another run is always behind
      assert.equal(s.replay({ epoch: 'other', seqs: s.position().seqs }, () => {}).behind.length, pos.seqs.length);
    } finally {
      s.setRetention(0);
    }
  });

  test('expiry and flushes are changes too', async () => {
    const c = await fx().client();
    await c.call('FLUSHDB');
    const seen: string[] = [];
    const off = stream().subscribe((_sh, _seq, _db, key, event) => seen.push(`${event} ${key}`));
    try {
      await c.call('SET', 'gone', '1', 'PX', '1');
      await new Promise((r) => setTimeout(r, 10));
      assert.equal(await c.call('GET', 'gone'), null);
      await c.call('SET', 'f', '1');
      await c.call('FLUSHDB');
      assert.deepEqual(seen, ['set gone', 'expire gone', 'expired gone', 'set f', 'flushdb f']);
    } finally {
      off();
    }
  });

  test('a flush no listener needs key by key still moves the sequence numbers: a consumer from before it is behind; WATCH still sees it', async () => {
    const c = await fx().client();
    const s = stream();
    await c.call('FLUSHALL');
    await c.call('MSET', 'fa', '1', 'fb', '2', 'fc', '3', 'fd', '4');
    // nobody subscribed and nothing retained: the flush just counts its keys
    const before = s.position();
    const total = (p: { seqs: readonly number[] }): number => p.seqs.reduce((a, b) => a + b, 0);
    await c.call('FLUSHALL');
    assert.equal(total(s.position()) - total(before), 4, 'one sequence number per key flushed');
    assert.equal(s.replay(before, () => assert.fail('nothing retained')).behind.length > 0, true);
    // a watched key: the flush reaches WATCH
    await c.call('SET', 'fw', '1');
    const w = await fx().client();
    await w.call('WATCH', 'fw');
    await c.call('FLUSHALL', 'ASYNC');
    await w.call('MULTI');
    await w.call('PING');
    assert.equal(await w.call('EXEC'), null);
    // and a retaining stream still gets every key
    s.setRetention(16);
    try {
      await c.call('MSET', 'g1', '1', 'g2', '2');
      const pos = s.position();
      await c.call('FLUSHDB');
      const got: string[] = [];
      s.replay(pos, (_sh, _seq, _db, key, event) => got.push(`${event} ${key}`));
      assert.deepEqual(got.sort(), ['flushdb g1', 'flushdb g2']);
    } finally {
      s.setRetention(0);
    }
  });
});
