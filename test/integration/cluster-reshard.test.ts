/**
 * Live resharding of a shardis cluster (3 primaries, truth in etcd):
 * `redis-cli --cluster reshard` moves 1000 slots from one master to another
 * while ioredis Cluster writers keep writing distinct keys and reading them
 * back (following MOVED and ASK); afterwards every acknowledged write is
 * there with its value, `--cluster check` is OK, every node gives the 1000
 * slots to the target, and the moved slots' keys are on the target only.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import type { EtcdProcess } from '../helpers/etcd.ts';
import { clusterNodes, redisCli, startFleet } from '../helpers/cluster.ts';
import { RespClient } from '../helpers/resp-client.ts';
import type { RedisProcess } from '../helpers/redis-process.ts';

/** The slots of CLUSTER NODES' slot fields (`0-999`, `1000`; import/migrate marks skipped). */
function slotSet(fields: readonly string[]): Set<number> {
  const out = new Set<number>();
  for (const f of fields) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(f);
    if (m === null) continue;
    for (let s = Number(m[1]); s <= Number(m[2] ?? m[1]); s++) out.add(s);
  }
  return out;
}

describe('redis-cli --cluster reshard under writes', { timeout: 600_000 }, () => {
  let etcd: EtcdProcess;
  let nodes: RedisProcess[] = [];

  before(async () => {
    ({ etcd, nodes } = await startFleet(3, 0));
  });

  after(async () => {
    for (const n of nodes) await n.stop();
    await etcd.remove();
  });

  test('1000 slots move from one master to another while writers write and read back; nothing is lost', async () => {
    const c0 = await RespClient.connect(nodes[0]!.port);
    const list = await clusterNodes(c0);
    c0.close();
    const source = list.find((n) => n.slots.includes('0-5460'))!;
    const target = list.find((n) => n.slots.includes('5461-10922'))!;
    const third = list.find((n) => n.id !== source.id && n.id !== target.id)!;

    const acked = new Map<string, string>();
    const problems: string[] = [];
    let errors = 0;
    let stop = false;
    const writer = async (w: number): Promise<void> => {
      const cl = new Cluster([{ host: '127.0.0.1', port: nodes[w % 3]!.port }], { redisOptions: { maxRetriesPerRequest: 20 }, retryDelayOnTryAgain: 20, retryDelayOnClusterDown: 50 });
      cl.on('error', () => {});
      try {
        for (let i = 0; !stop; i++) {
          const key = `w${w}:${i}`;
          const value = `${w}-${i}-${Date.now()}`;
          try {
            await cl.set(key, value);
            acked.set(key, value);
          } catch {
            errors++;
            continue;
          }
          // an earlier key read back (it may sit in a slot being moved)
          const back = `w${w}:${Math.floor(Math.random() * (i + 1))}`;
          try {
            const got = await cl.get(back);
            if (acked.has(back) && got !== acked.get(back)) problems.push(`${back}: read ${got}, wrote ${acked.get(back)}`);
          } catch {
            errors++;
          }
        }
      } finally {
        cl.disconnect();
      }
    };
    const writers = [0, 1, 2].map((w) => writer(w));
    // keys in every slot before the move starts
    await new Promise((r) => setTimeout(r, 1500));
    let out: string;
    try {
      out = await redisCli(['--cluster', 'reshard', `127.0.0.1:${nodes[0]!.port}`, '--cluster-from', source.id, '--cluster-to', target.id,
        '--cluster-slots', '1000', '--cluster-yes'], 500_000);
    } catch (e) {
      const x = e as { stdout?: string; stderr?: string; message: string };
      throw new Error(`reshard failed: ${x.message}\n${(x.stdout ?? '').slice(-3000)}${x.stderr ?? ''}`);
    } finally {
      stop = true;
      await Promise.all(writers);
    }
    assert.match(out, /Moving slot 999 from/);
    assert.doesNotMatch(out, /\[ERR\]/, out.slice(-2000));
    assert.deepEqual(problems, []);
    assert.ok(acked.size > 200, `writes acknowledged: ${acked.size} (errors ${errors})`);

    // every acknowledged write is there with its value
    const checker = new Cluster([{ host: '127.0.0.1', port: third.port }]);
    checker.on('error', () => {});
    try {
      const keys = [...acked.keys()];
      for (let i = 0; i < keys.length; i += 200) {
        const batch = keys.slice(i, i + 200);
        const got = await Promise.all(batch.map((k) => checker.get(k)));
        for (let j = 0; j < batch.length; j++) assert.equal(got[j], acked.get(batch[j]!), `key ${batch[j]}`);
      }
    } finally {
      checker.disconnect();
    }

    const check = await redisCli(['--cluster', 'check', `127.0.0.1:${nodes[1]!.port}`]);
    assert.match(check, /\[OK\] All nodes agree about slots configuration\./);
    assert.match(check, /\[OK\] All 16384 slots covered\./);
    assert.doesNotMatch(check, /\[ERR\]|\[WARNING\]/);

    // each node's view: slots 0-999 are the target's
    const moved = Array.from({ length: 1000 }, (_, s) => s);
    for (const n of nodes) {
      const c = await RespClient.connect(n.port);
      try {
        const view = await clusterNodes(c);
        const t = slotSet(view.find((x) => x.id === target.id)!.slots);
        const s = slotSet(view.find((x) => x.id === source.id)!.slots);
        for (const slot of moved) assert.ok(t.has(slot) && !s.has(slot), `slot ${slot} in ${n.port}'s view`);
        assert.equal(s.size, 5461 - 1000);
      } finally {
        c.close();
      }
    }

    // the moved slots' keys are on the target only, and all of them are
    const expected = new Map<number, number>();
    const probe = await RespClient.connect(target.port);
    for (const k of acked.keys()) {
      const slot = Number(await probe.call('CLUSTER', 'KEYSLOT', k));
      if (slot < 1000) expected.set(slot, (expected.get(slot) ?? 0) + 1);
    }
    probe.close();
    assert.ok(expected.size > 100, `moved slots with keys: ${expected.size}`);
    for (const n of [source, target, third]) {
      const c = await RespClient.connect(n.port);
      try {
        for (const slot of moved) {
          const count = Number(await c.call('CLUSTER', 'COUNTKEYSINSLOT', slot));
          const keys = (await c.call('CLUSTER', 'GETKEYSINSLOT', slot, 100000)) as string[];
          assert.equal(keys.length, count);
          assert.equal(count, n.id === target.id ? (expected.get(slot) ?? 0) : 0, `slot ${slot} on ${n.port}`);
        }
      } finally {
        c.close();
      }
    }
  });
});
