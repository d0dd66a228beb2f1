/**
 * A master cut off from etcd alone (docs/cluster.md, ownership.ts), with a
 * real etcd and 3 shardis masters, the first of which reaches etcd through a
 * TCP proxy that the test severs (or holds: a silent partition, where the
 * node's requests wait rather than fail), and a replica of it: the cut master stops
 * serving its slots (CLUSTERDOWN) before its lease can lapse, so before its
 * replica can win, and no write it acknowledged is lost; the replica takes
 * its slots, the cut master learns of it over the bus and redirects there,
 * and once etcd is reachable again it is the new master's replica in every
 * node's view. Then a manual CLUSTER FAILOVER on a replica that cannot write
 * its claim to etcd gives up and unpauses the master at once.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.ts';
import { callOn, clusterArgs, clusterNodes, createCluster, inRanges, nodesOf, redisCli, startNodes, stateOk, until, untilStable, NODE_TIMEOUT_MS } from '../helpers/cluster.ts';
import { missingAcks, startLoad, type Ack } from '../helpers/cluster-load.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';
import { startShardisProcess, type RedisProcess } from '../helpers/redis-process.ts';
import { Proxy } from '../helpers/tcp-proxy.ts';
import { keySlot } from '../../src/engine/slots.ts';

type Entry = Awaited<ReturnType<typeof clusterNodes>>[number];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The lease's TTL (cluster-node-timeout in whole seconds) and how long a master serves past its last renewal. */
const TTL_MS = Math.max(2, Math.ceil(NODE_TIMEOUT_MS / 1000)) * 1000;
const SERVES_MS = TTL_MS - TTL_MS / 6;

/** A hash tag whose slot is in `ranges`. */
function tagIn(ranges: readonly string[]): string {
  let i = 0;
  while (!inRanges(keySlot(`t${i}`), ranges)) i++;
  return `t${i}`;
}

interface Probe {
  key: string;
  sentAt: number;
  reply: unknown;
}

/** SETs keys of hash tag `tag` on the node at `port` one after another (a connection of its own), recording each reply. */
function probe(port: number, tag: string): { probes: Probe[]; stop: () => Promise<void> } {
  const probes: Probe[] = [];
  let stopped = false;
  const running = (async () => {
    const c = await RespClient.connect(port);
    try {
      for (let i = 0; !stopped; i++) {
        const key = `{${tag}}:probe:${i}`;
        const sentAt = Date.now();
        probes.push({ key, sentAt, reply: await c.call('SET', key, String(i)) });
        await sleep(10);
      }
    } finally {
      c.close();
    }
  })();
  return { probes, stop: async () => { stopped = true; await running; } };
}

/** How the link to etcd fails: connections cut and refused (the node sees errors at once), or held (a silent partition: requests wait). */
const CUTS = [
  { name: 'severed', cut: (p: Proxy) => p.sever(), mend: (p: Proxy) => p.restore() },
  { name: 'held silently', cut: (p: Proxy) => p.hold(), mend: (p: Proxy) => p.heal() },
] as const;

for (const how of CUTS) describe(`a master cut off from etcd alone, its link ${how.name}`, { timeout: 240_000 }, () => {
  let etcd: EtcdProcess;
  let proxy: Proxy;
  /** The second master's link to etcd (a master without a replica). */
  let proxy2: Proxy;
  let nodes: RedisProcess[] = [];
  let victim: RedisProcess;
  let replica: RedisProcess;
  let victimId = '';
  let replicaId = '';
  let victimSlots: string[] = [];

  before(async () => {
    etcd = await startEtcd();
    proxy = await Proxy.start(Number(new URL(etcd.endpoint).port));
    proxy2 = await Proxy.start(Number(new URL(etcd.endpoint).port));
    victim = await startShardisProcess(clusterArgs({ ...etcd, endpoint: `http://127.0.0.1:${proxy.port}` }));
    nodes = [victim, await startShardisProcess(clusterArgs({ ...etcd, endpoint: `http://127.0.0.1:${proxy2.port}` })), ...(await startNodes(etcd, 1))];
    await createCluster(nodes, 0);
    replica = await startShardisProcess(clusterArgs(etcd));
    nodes.push(replica);
    victimId = String(await callOn(victim.port, 'CLUSTER', 'MYID'));
    replicaId = String(await callOn(replica.port, 'CLUSTER', 'MYID'));
    const out = await redisCli(['--cluster', 'add-node', `127.0.0.1:${replica.port}`, `127.0.0.1:${victim.port}`, '--cluster-slave', '--cluster-master-id', victimId]);
    assert.match(out, /\[OK\] New node added correctly\./);
    await untilStable(nodes, 4);
    victimSlots = (await nodesOf(nodes[1]!.port)).find((n) => n.id === victimId)!.slots;
    // the replica has synced
    await until(async () => ((await callOn(replica.port, 'ROLE')) as unknown[])[3] === 'connected', 20_000, 'the replica in sync');
  });

  after(async () => {
    proxy?.restore();
    proxy?.heal();
    proxy2?.restore();
    for (const n of nodes) await n.stop();
    await proxy?.cut().catch(() => {});
    await proxy2?.cut().catch(() => {});
    await etcd?.remove();
  });

  test('it stops serving before its replica can win, the replica takes over, it redirects there and follows once etcd is back; no acknowledged write lost', async (t) => {
    const other = nodes[2]!;
    const tag = tagIn(victimSlots);
    // no WAIT: only the victim has a replica (and every acknowledged write must survive anyway)
    const load = startLoad(other.port, 3, 0);
    const direct = probe(victim.port, tag);
    try {
      await until(async () => load.acks.length >= 200, 20_000, 'writes acknowledged');
      await sleep(500);
      const cutAt = Date.now();
      how.cut(proxy);
      // the cut master refuses, as Redis's minority side does
      const refused = await until(async () => direct.probes.some((p) => p.reply instanceof ReplyError), 10_000, 'the cut master refuses writes');
      // nothing sent after its last renewal (before the cut) + TTL − TTL/6 was acknowledged
      const late = direct.probes.filter((p) => p.reply === 'OK' && p.sentAt >= cutAt + SERVES_MS);
      assert.deepEqual(late, [], 'writes acknowledged by the cut master past its bound');
      const firstRefusal = direct.probes.find((p) => p.reply instanceof ReplyError)!;
      assert.deepEqual(firstRefusal.reply, new ReplyError('CLUSTERDOWN The cluster is down'));
      const servedAfterCut = direct.probes.filter((p) => p.reply === 'OK' && p.sentAt > cutAt).length;
      // its replica takes its slots once its lease lapsed
      const promoted = await until(async () => {
        const n = (await nodesOf(other.port)).find((x) => x.id === replicaId)!;
        return n.flags.includes('master') && n.slots.join(' ') === victimSlots.join(' ');
      }, 20_000, 'the replica masters the cut master\'s slots');
      const promotedAt = Date.now();
      const lastOk = direct.probes.filter((p) => p.reply === 'OK').at(-1)!;
      assert.ok(lastOk.sentAt < promotedAt);
      // the cut master hears of the new owner over the bus: it redirects there and replicates it
      const slot = keySlot(`{${tag}}:x`);
      await until(async () => {
        const r = await callOn(victim.port, 'SET', `{${tag}}:x`, 'y');
        return r instanceof ReplyError && r.message === `MOVED ${slot} 127.0.0.1:${replica.port}`;
      }, 10_000, 'the cut master redirects to the new one');
      await until(async () => ((await callOn(victim.port, 'ROLE')) as unknown[])[0] === 'slave', 10_000, 'the cut master replicates the new one');
      // the writers reach the new master
      await until(async () => load.acks.filter((a) => a.at > promotedAt && inRanges(keySlot(a.key), victimSlots)).length >= 50, 20_000, 'writes to the failed-over slots')
        .catch((e: Error) => assert.fail(`${e.message}; errors:\n${load.lastErrors.join('\n')}`));
      // etcd reachable again: the old master is the new one's replica in every view
      how.mend(proxy);
      const restoredAt = Date.now();
      await until(async () => {
        for (const n of nodes) {
          const list = await nodesOf(n.port);
          const v = list.find((x) => x.id === victimId)!;
          const w = list.find((x) => x.id === replicaId)!;
          if (!v.flags.includes('slave') || v.flags.includes('fail') || v.master !== replicaId) return false;
          if (!w.flags.includes('master') || w.slots.join(' ') !== victimSlots.join(' ')) return false;
          if (!(await stateOk(n.port))) return false;
        }
        return true;
      }, 20_000, 'every node sees the old master as the new one\'s replica');
      const settled = Date.now() - restoredAt;
      await direct.stop();
      await load.stop();
      // the old master has the new one's data
      const w = await RespClient.connect(replica.port);
      try {
        assert.equal(await w.call('SET', `{${tag}}:after`, 'v'), 'OK');
        assert.equal(await w.call('WAIT', '1', '5000'), 1);
        assert.equal(Number(await callOn(victim.port, 'DBSIZE')), Number(await w.call('DBSIZE')));
      } finally {
        w.close();
      }
      // no write acknowledged by anyone is lost: the cut master stopped before its replica could take over
      const probeAcks: Ack[] = direct.probes.filter((p) => p.reply === 'OK').map((p) => ({ key: p.key, value: p.key.slice(p.key.lastIndexOf(':') + 1), at: p.sentAt, waited: false }));
      const missing = await missingAcks(load.client, [...load.acks, ...probeAcks]);
      assert.deepEqual(missing, [], `${missing.length} of ${load.acks.length + probeAcks.length} acknowledged writes missing`);
      t.diagnostic(`refused ${refused} ms after the cut (bound ${SERVES_MS} ms from the last renewal), ${servedAfterCut} direct writes served after the cut; replica promoted ${promoted + refused} ms after the cut; settled ${settled} ms after etcd returned`);
      t.diagnostic(`${load.acks.length} writes acknowledged through the Cluster client, ${load.errors} failed`);
    } finally {
      await direct.stop();
      await load.stop();
      load.client.disconnect();
    }
  });

  if (how.name === 'severed') test('a manual CLUSTER FAILOVER whose claim cannot reach etcd gives up: the master is unpaused at once, roles unchanged', async () => {
    // the old master (through the proxy) now replicates the new one; cut off, it cannot write a claim
    const master = replica;
    const tag = tagIn(victimSlots);
    proxy.sever();
    try {
      await until(async () => Number(await callOn(master.port, 'WAIT', '1', '500')) === 1, 10_000, 'the cut replica in sync');
      assert.equal(await callOn(victim.port, 'CLUSTER', 'FAILOVER'), 'OK');
      // writes to the master go on at once (without the unpause they would wait the pause's 10 s)
      const c = await RespClient.connect(master.port);
      try {
        const end = Date.now() + 3000;
        for (let i = 0; Date.now() < end; i++) {
          const started = Date.now();
          assert.equal(await c.call('SET', `{${tag}}:f${i}`, 'x'), 'OK');
          assert.ok(Date.now() - started < 1000, `a write held ${Date.now() - started} ms`);
          await sleep(20);
        }
      } finally {
        c.close();
      }
      assert.equal(((await callOn(victim.port, 'ROLE')) as unknown[])[0], 'slave');
      assert.equal(((await callOn(master.port, 'ROLE')) as unknown[])[0], 'master');
    } finally {
      proxy.restore();
    }
    await sleep(1000);
    for (const n of nodes) {
      const list = await nodesOf(n.port);
      assert.equal(list.find((x) => x.id === victimId)!.master, replicaId, `the view of ${n.port}`);
      assert.ok(list.find((x) => x.id === replicaId)!.flags.includes('master'), `the view of ${n.port}`);
    }
  });

  if (how.name === 'severed') test('a master without a replica cut off for a while refuses while it is, then serves its slots again: nothing fails over, nothing acknowledged is lost', async () => {
    const m = nodes[1]!;
    const id = String(await callOn(m.port, 'CLUSTER', 'MYID'));
    const slots = (await nodesOf(nodes[2]!.port)).find((n) => n.id === id)!.slots;
    const tag = tagIn(slots);
    const direct = probe(m.port, tag);
    try {
      await sleep(300);
      const cutAt = Date.now();
      proxy2.sever();
      try {
        await until(async () => direct.probes.some((p) => p.reply instanceof ReplyError), 10_000, 'the cut master refuses writes');
        assert.deepEqual(direct.probes.filter((p) => p.reply === 'OK' && p.sentAt >= cutAt + SERVES_MS), [], 'writes acknowledged past the bound');
        assert.deepEqual(direct.probes.find((p) => p.reply instanceof ReplyError)!.reply, new ReplyError('CLUSTERDOWN The cluster is down'));
        // its lease lapses: the others flag it fail
        await until(async () => (await nodesOf(nodes[2]!.port)).find((n) => n.id === id)!.flags.includes('fail'), 10_000, 'its lease lapsed');
        await sleep(500);
        const first = direct.probes.findIndex((p) => p.reply instanceof ReplyError);
        assert.deepEqual(direct.probes.slice(first).filter((p) => !(p.reply instanceof ReplyError)), [], 'served while cut off');
      } finally {
        proxy2.restore();
      }
      const back = Date.now();
      await until(async () => direct.probes.some((p) => p.reply === 'OK' && p.sentAt > back), 10_000, 'serving again once etcd is back');
      await until(async () => {
        for (const n of nodes) {
          const x = (await nodesOf(n.port)).find((e) => e.id === id)!;
          if (!x.flags.includes('master') || x.flags.includes('fail') || x.slots.join(' ') !== slots.join(' ')) return false;
          if (!(await stateOk(n.port))) return false;
        }
        return true;
      }, 10_000, 'every node sees it alive with its slots');
    } finally {
      await direct.stop();
    }
    const c = await RespClient.connect(m.port);
    try {
      for (const p of direct.probes.filter((x) => x.reply === 'OK')) assert.equal(await c.call('GET', p.key), p.key.slice(p.key.lastIndexOf(':') + 1));
    } finally {
      c.close();
    }
  });
});
