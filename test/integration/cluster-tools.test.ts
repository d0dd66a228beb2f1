/**
 * redis-cli's cluster tooling against shardis nodes, each change seen by
 * another node (its view comes from etcd): add-node (a new empty master,
 * and a replica with --cluster-slave --cluster-master-id), rebalance onto
 * the empty master, info, fix of a slot left open by SETSLOT MIGRATING,
 * del-node of a replica and of an emptied master (FORGET on every node,
 * then RESET SOFT on the one removed). Every key stays readable.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.ts';
import { clusterInfo, clusterNodes, createCluster, redisCli, startNodes, untilStable } from '../helpers/cluster.ts';
import { RespClient } from '../helpers/resp-client.ts';
import type { RedisProcess } from '../helpers/redis-process.ts';
import { untilChecked as eventually } from '../helpers/eventually.ts';

type View = Awaited<ReturnType<typeof clusterNodes>>;

/** redis-cli's output without colours; a failure (unless `mayFail`: check exits 1 on warnings) shows what it printed. */
async function cli(args: string[], mayFail = false): Promise<string> {
  try {
    return (await redisCli(['--cluster', ...args], 400_000)).replace(/\x1b\[[0-9;]*m/g, '');
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string; message: string };
    if (mayFail && x.stdout !== undefined) return (x.stdout + (x.stderr ?? '')).replace(/\x1b\[[0-9;]*m/g, '');
    throw new Error(`redis-cli --cluster ${args[0]} failed: ${x.message}\n${(x.stdout ?? '').slice(-3000)}${x.stderr ?? ''}`);
  }
}

function slotCount(fields: readonly string[]): number {
  let n = 0;
  for (const f of fields) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(f);
    if (m !== null) n += Number(m[2] ?? m[1]) - Number(m[1]) + 1;
  }
  return n;
}


describe('redis-cli --cluster add-node, rebalance, info, fix, del-node', { timeout: 900_000 }, () => {
  let etcd: EtcdProcess;
  let nodes: RedisProcess[] = [];
  let watcher: RespClient;
  const addr = (i: number): string => `127.0.0.1:${nodes[i]!.port}`;
  const ids: string[] = [];
  const view = async (): Promise<View> => clusterNodes(watcher);
  const values = new Map<string, string>();

  before(async () => {
    etcd = await startEtcd();
    nodes = await startNodes(etcd, 5);
    await createCluster(nodes.slice(0, 3), 0);
    await untilStable(nodes.slice(0, 3), 3);
    for (const n of nodes) {
      const c = await RespClient.connect(n.port);
      ids.push(String(await c.call('CLUSTER', 'MYID')));
      c.close();
    }
    // the node that watches every change is one the tools do not talk to first
    watcher = await RespClient.connect(nodes[2]!.port);
    const cl = new Cluster([{ host: '127.0.0.1', port: nodes[0]!.port }]);
    try {
      for (let i = 0; i < 2000; i++) values.set(`t:${i}`, `v${i}`);
      await Promise.all([...values].map(([k, v]) => cl.set(k, v)));
    } finally {
      cl.disconnect();
    }
  });

  after(async () => {
    watcher?.close();
    for (const n of nodes) await n.stop();
    await etcd.remove();
  });

  async function everyKeyReadable(): Promise<void> {
    const cl = new Cluster([{ host: '127.0.0.1', port: nodes[1]!.port }]);
    cl.on('error', () => {});
    try {
      const keys = [...values.keys()];
      const got = await Promise.all(keys.map((k) => cl.get(k)));
      keys.forEach((k, i) => assert.equal(got[i], values.get(k), k));
    } finally {
      cl.disconnect();
    }
  }

  test('add-node: a new empty master, then a replica of it', async () => {
    const out = await cli(['add-node', addr(3), addr(0)]);
    assert.match(out, /\[OK\] New node added correctly\./);
    await eventually(async () => {
      const n = (await view()).find((x) => x.id === ids[3]);
      assert.ok(n !== undefined && n.flags.includes('master') && n.slots.length === 0, JSON.stringify(n));
    });
    const out2 = await cli(['add-node', addr(4), addr(0), '--cluster-slave', '--cluster-master-id', ids[3]!]);
    assert.match(out2, /\[OK\] New node added correctly\./);
    await eventually(async () => {
      const n = (await view()).find((x) => x.id === ids[4]);
      assert.ok(n !== undefined && n.flags.includes('slave') && n.master === ids[3], JSON.stringify(n));
    });
    await untilStable(nodes, 5);
  });

  test('rebalance onto the empty master (weighted to move a few hundred slots); info', async () => {
    const weights = [...ids.slice(0, 3).map((id) => `${id}=1`), `${ids[3]}=0.05`];
    const out = await cli(['rebalance', addr(0), '--cluster-use-empty-masters', '--cluster-weight', ...weights]);
    assert.match(out, /Rebalancing across 4 nodes/);
    assert.doesNotMatch(out, /\[ERR\]/);
    await eventually(async () => {
      const n = (await view()).find((x) => x.id === ids[3])!;
      const count = slotCount(n.slots);
      assert.ok(count > 200 && count < 330, `the new master's slots: ${count}`);
    });
    const info = await cli(['info', addr(1)]);
    assert.match(info, /\[OK\] 2000 keys in 4 masters\./);
    assert.match(info, new RegExp(`${addr(3).replace(/\./g, '\\.')} \\(${ids[3]!.slice(0, 8)}\\.\\.\\.\\) -> \\d+ keys \\| \\d+ slots \\| 1 slaves\\.`));
    const check = await cli(['check', addr(2)]);
    assert.match(check, /\[OK\] All nodes agree about slots configuration\./);
    assert.doesNotMatch(check, /\[ERR\]|\[WARNING\]/);
    await everyKeyReadable();
  });

  test('fix closes a slot left in migrating state', async () => {
    const c0 = await RespClient.connect(nodes[0]!.port);
    try {
      const mine = (await clusterNodes(c0)).find((x) => x.id === ids[0])!;
      const slot = Number(/^(\d+)/.exec(mine.slots[0]!)![1]);
      assert.equal(await c0.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', ids[1]!), 'OK');
      const open = await cli(['check', addr(2)], true);
      assert.match(open, new RegExp(`\\[WARNING\\] The following slots are open: ${slot}`));
      const out = await cli(['fix', addr(2)]);
      assert.match(out, new RegExp(`>>> Fixing open slot ${slot}`));
      assert.doesNotMatch(String(await c0.call('CLUSTER', 'NODES')), /\[\d+->-/);
      const check = await cli(['check', addr(2)]);
      assert.doesNotMatch(check, /\[ERR\]|\[WARNING\]/);
      assert.match(check, /\[OK\] All 16384 slots covered\./);
    } finally {
      c0.close();
    }
    await everyKeyReadable();
  });

  test('del-node: the replica, then the master once resharded empty', async () => {
    const out = await cli(['del-node', addr(0), ids[4]!]);
    assert.match(out, /Sending CLUSTER RESET SOFT to the deleted node\./);
    await eventually(async () => assert.ok(!(await view()).some((x) => x.id === ids[4])));
    const removed = await RespClient.connect(nodes[4]!.port);
    try {
      // reset (soft): alone again, an empty master
      const info = await clusterInfo(removed);
      assert.equal(info.cluster_known_nodes, '1');
      assert.equal(info.cluster_slots_assigned, '0');
      assert.match(String(await removed.call('ROLE').then((r) => (r as unknown[])[0])), /master/);
    } finally {
      removed.close();
    }

    const n3 = (await view()).find((x) => x.id === ids[3])!;
    const moved = await cli(['reshard', addr(0), '--cluster-from', ids[3]!, '--cluster-to', ids[0]!, '--cluster-slots', String(slotCount(n3.slots)), '--cluster-yes']);
    assert.doesNotMatch(moved, /\[ERR\]/);
    await eventually(async () => assert.equal((await view()).find((x) => x.id === ids[3])!.slots.length, 0));
    const out2 = await cli(['del-node', addr(1), ids[3]!]);
    assert.match(out2, /Sending CLUSTER RESET SOFT to the deleted node\./);
    await eventually(async () => {
      const v = await view();
      assert.equal(v.length, 3);
      assert.ok(!v.some((x) => x.id === ids[3]));
    });
    await untilStable(nodes.slice(0, 3), 3);
    const check = await cli(['check', addr(2)]);
    assert.match(check, /\[OK\] All 16384 slots covered\./);
    assert.doesNotMatch(check, /\[ERR\]|\[WARNING\]/);
    await everyKeyReadable();
  });
});
