/**
 * The cluster view (src/cluster/topology.ts): slot ranges edited one slot
 * at a time (a slot move), and the owner of each slot by the highest
 * config epoch, as every node computes it from the records in etcd.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Topology, rangesOf, slotsIn, withSlot, withoutSlot, inRanges, type NodeRecord, type SlotRanges } from '../../src/cluster/topology.ts';
import { SLOT_COUNT } from '../../src/engine/slots.ts';
import { readNodesConf } from '../../src/cluster/nodes-conf.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function node(n: number, slots: SlotRanges, configEpoch: number, role: 'master' | 'slave' = 'master', master: string | null = null): NodeRecord {
  return { id: String(n).repeat(40), ip: '127.0.0.1', port: 7000 + n, cport: 17000 + n, hostname: '', role, master, configEpoch, slots, offset: 0, nofailover: false };
}

test('withSlot / withoutSlot give the ranges rangesOf gives for the same slots', () => {
  const cases: SlotRanges[] = [[], [[0, 0]], [[0, 5460]], [[3, 5], [9, 9], [11, 20]], [[16383, 16383]]];
  for (const r of cases) {
    for (const slot of [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 15, 20, 21, 5460, 5461, 16382, 16383]) {
      const set = new Set(slotsIn(r));
      const added = withSlot(r, slot);
      assert.deepEqual(added, rangesOf([...set, slot]), `${JSON.stringify(r)} + ${slot}`);
      set.delete(slot);
      assert.deepEqual(withoutSlot(r, slot), rangesOf(set), `${JSON.stringify(r)} - ${slot}`);
      assert.equal(inRanges(added, slot), true);
      assert.equal(inRanges(withoutSlot(r, slot), slot), false);
    }
  }
  // new ranges: the old ones are left as they were
  const r: SlotRanges = [[0, 10]];
  withSlot(r, 11);
  withoutSlot(r, 5);
  assert.deepEqual(r, [[0, 10]]);
});

test('each slot to the master claiming it with the highest config epoch (myself on a tie)', () => {
  const a = node(1, [[0, 5460]], 1);
  const b = node(2, [[5461, 10922], [100, 199]], 4);
  const c = node(3, [[10923, 16383]], 3);
  const r = node(4, [], 4, 'slave', b.id);
  const alive = new Set([a.id, b.id, c.id, r.id]);
  const v = new Topology(a, [a, b, c, r], alive, 0);
  assert.equal(v.ownerOf(0)?.id, a.id);
  assert.equal(v.ownerOf(100)?.id, b.id);
  assert.equal(v.ownerOf(199)?.id, b.id);
  assert.equal(v.ownerOf(200)?.id, a.id);
  assert.equal(v.ownerOf(16383)?.id, c.id);
  assert.deepEqual(v.slotsOf(a.id), [[0, 99], [200, 5460]]);
  assert.deepEqual(v.slotsOf(b.id), [[100, 199], [5461, 10922]]);
  assert.deepEqual(v.slotsOf(r.id), []);
  assert.equal(v.size(), 3);
  assert.equal(v.state(true), 'ok');
  assert.equal(v.currentEpoch, 4);
  // the array form agrees with ownerOf
  for (let s = 0; s < SLOT_COUNT; s += 97) assert.equal(v.owner[s], v.ownerOf(s));
  // a tie: each node keeps its own claim
  const tie = node(5, [[0, 0]], 1);
  assert.equal(new Topology(a, [a, tie], alive, 0).ownerOf(0)?.id, a.id);
  assert.equal(new Topology(tie, [a, tie], alive, 0).ownerOf(0)?.id, tie.id);
});

test('the state: fail while a slot has no owner or a failed one, unless full coverage is not required', () => {
  const a = node(1, [[0, 8191]], 1);
  const b = node(2, [[8192, 16383]], 2);
  assert.equal(new Topology(a, [a, b], new Set([a.id, b.id]), 0).state(true), 'ok');
  assert.equal(new Topology(a, [a, b], new Set([a.id]), 0).state(true), 'fail');
  assert.equal(new Topology(a, [a, b], new Set([a.id]), 0).state(false), 'ok');
  const gap = node(2, [[8193, 16383]], 2);
  const v = new Topology(a, [a, gap], new Set([a.id, gap.id]), 0);
  assert.equal(v.state(true), 'fail');
  assert.equal(v.ownerOf(8192), null);
  assert.equal(v.owner[8192], null);
});

test("nodes.conf: Redis 7.2's aux fields (`,hostname,tls-port=0,shard-id=…`) are read, and the shard id is written back", () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodes-conf-'));
  try {
    const path = join(dir, 'nodes.conf');
    const sid = 'ab'.repeat(20);
    writeFileSync(path, [
      `${'1'.repeat(40)} 127.0.0.1:7001@17001,,tls-port=0,shard-id=${sid} myself,master - 0 0 1 connected 0-5460`,
      `${'2'.repeat(40)} 127.0.0.1:7002@17002,host-b,tls-port=0,shard-id=${'cd'.repeat(20)} slave ${'1'.repeat(40)} 0 0 1 connected`,
      'vars currentEpoch 1 lastVoteEpoch 0',
    ].join('\n'));
    const conf = readNodesConf(path)!;
    assert.deepEqual([conf.myself.hostname, conf.myself.shardId, conf.myself.slots], ['', sid, [[0, 5460]]]);
    assert.deepEqual([conf.others[0]!.hostname, conf.others[0]!.shardId], ['host-b', 'cd'.repeat(20)]);
    const view = new Topology(conf.myself, conf.others, new Set([conf.myself.id, conf.others[0]!.id]), 1);
    const me = view.nodes.get(conf.myself.id)!;
    assert.equal(view.nodeLine(me, true).split(' ')[1], `127.0.0.1:7001@17001,,shard-id=${sid}`);
    // CLUSTER NODES shows no aux field
    assert.equal(view.nodeLine(me).split(' ')[1], '127.0.0.1:7001@17001');
    assert.equal(view.nodeLine(view.nodes.get(conf.others[0]!.id)!, true).split(' ')[1], `127.0.0.1:7002@17002,host-b,shard-id=${'cd'.repeat(20)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('nodes.conf keeps a tls-port (`tls-port=…` aux field); a line names it for a TLS client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nodes-conf-'));
  try {
    const path = join(dir, 'nodes.conf');
    const sid = 'ef'.repeat(20);
    writeFileSync(path, [
      `${'1'.repeat(40)} 127.0.0.1:0@16380,,tls-port=6380,shard-id=${sid} myself,master - 0 0 1 connected 0-16383`,
      'vars currentEpoch 1 lastVoteEpoch 0',
    ].join('\n'));
    const conf = readNodesConf(path)!;
    assert.deepEqual([conf.myself.port, conf.myself.tlsPort], [0, 6380]);
    const view = new Topology(conf.myself, [], new Set([conf.myself.id]), 1);
    const me = view.nodes.get(conf.myself.id)!;
    assert.equal(view.nodeLine(me, true).split(' ')[1], `127.0.0.1:0@16380,,tls-port=6380,shard-id=${sid}`);
    assert.equal(view.nodeLine(me).split(' ')[1], '127.0.0.1:0@16380');
    assert.equal(view.nodeLine(me, false, true).split(' ')[1], '127.0.0.1:6380@16380');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
