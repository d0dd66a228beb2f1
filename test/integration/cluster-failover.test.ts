/**
 * Cluster failover (docs/cluster.md) with a real etcd, 3 primaries and 3
 * replicas of shardis processes, under ioredis Cluster writers (their WAIT-
 * acknowledged writes must survive everything): a primary killed with
 * SIGKILL is replaced by its replica within cluster-node-timeout and a few
 * seconds, and comes back as the winner's replica when restarted with its
 * nodes.conf; etcd stopped leaves the map serving and refuses topology
 * changes with a clear error, without failovers, and the fleet recovers when
 * it returns; a manual CLUSTER FAILOVER (and TAKEOVER) swaps the roles
 * without losing an acknowledged write.
 */
import { after, before, describe, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import type { EtcdProcess } from '../helpers/etcd.ts';
import { callOn, clusterArgs, clusterNodes, inRanges, nodesOf, redisCli, startFleet, stateOk, until, NODE_TIMEOUT_MS } from '../helpers/cluster.ts';
import { missingAcks, startLoad, type Ack } from '../helpers/cluster-load.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';
import { startShardisProcess, type RedisProcess } from '../helpers/redis-process.ts';
import { keySlot } from '../../src/engine/slots.ts';
import { ETCD_DOWN } from '../../src/cluster/errors.ts';

type Entry = Awaited<ReturnType<typeof clusterNodes>>[number];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The masters (id → slots) as the node on `port` sees them, and whether any node is flagged fail. */
async function mastersOf(port: number): Promise<{ masters: Map<string, string>; failed: string[] }> {
  const list = await nodesOf(port);
  return {
    masters: new Map(list.filter((n) => n.flags.includes('master') && n.slots.length !== 0).map((n) => [n.id, n.slots.join(' ')])),
    failed: list.filter((n) => n.flags.includes('fail')).map((n) => n.id),
  };
}

/** Every node sees exactly `expected` as its masters with their slots, nobody failed, cluster_state ok. */
async function allSee(nodes: readonly RedisProcess[], expected: Map<string, string>): Promise<boolean> {
  for (const n of nodes) {
    const { masters, failed } = await mastersOf(n.port);
    if (failed.length !== 0 || masters.size !== expected.size) return false;
    for (const [id, slots] of expected) if (masters.get(id) !== slots) return false;
    if (!(await stateOk(n.port))) return false;
  }
  return true;
}

describe('a primary killed under load', { timeout: 240_000 }, () => {
  let etcd: EtcdProcess;
  let nodes: RedisProcess[] = [];
  let restarted: RedisProcess | null = null;
  let victim: Entry;
  let winner: Entry;
  let shardId = '';

  before(async () => {
    ({ etcd, nodes } = await startFleet(6, 1));
  });

  after(async () => {
    await restarted?.stop();
    for (const n of nodes) await n.stop();
    await etcd.remove();
  });

  test('its replica takes its slots within the node timeout and a few seconds; WAIT-acknowledged writes all survive', async (t) => {
    const list = await nodesOf(nodes[0]!.port);
    victim = list.find((n) => n.flags.includes('master') && n.slots.length !== 0 && n.port !== nodes[0]!.port)!;
    winner = list.find((n) => n.master === victim.id)!;
    const survivor = list.find((n) => n.flags.includes('master') && n.id !== victim.id)!;
    // CLUSTER MYSHARDID (7.2): a master and its replica share one shard id, kept through the failover
    shardId = String(await callOn(victim.port, 'CLUSTER', 'MYSHARDID'));
    assert.match(shardId, /^[0-9a-f]{40}$/);
    await until(async () => String(await callOn(winner.port, 'CLUSTER', 'MYSHARDID')) === shardId, 10_000, 'the replica in its master\'s shard');
    assert.notEqual(String(await callOn(survivor.port, 'CLUSTER', 'MYSHARDID')), shardId);
    const load = startLoad(survivor.port, 4, 2);
    try {
      await sleep(2000);
      await until(async () => load.acks.filter((a) => a.waited).length >= 50, 20_000, 'writes acknowledged by WAIT');
      const killedAt = Date.now();
      nodes.find((n) => n.port === victim.port)!.signal('SIGKILL');
      const took = await until(async () => {
        const now = await nodesOf(survivor.port);
        const w = now.find((n) => n.id === winner.id)!;
        const v = now.find((n) => n.id === victim.id)!;
        return w.flags.includes('master') && w.slots.join(' ') === victim.slots.join(' ') && v.flags.includes('fail') && v.slots.length === 0;
      }, 20_000, `the replica ${winner.id} masters the slots of ${victim.id}`);
      assert.ok(took <= NODE_TIMEOUT_MS + 10_000, `failover took ${took} ms`);
      assert.equal(String(await callOn(winner.port, 'CLUSTER', 'MYSHARDID')), shardId);
      const promotedAt = Date.now();
      // the writers reach the new master (ioredis follows MOVED and refreshes its map)
      const resumed = await until(async () => load.acks.filter((a) => a.at > promotedAt && inRanges(keySlot(a.key), victim.slots)).length >= 100, 20_000, 'writes to the failed-over slots')
        .catch((e: Error) => assert.fail(`${e.message}; killed at ${killedAt}, promoted at ${promotedAt}, ${load.acks.length} acks, last at ${load.acks.at(-1)?.at}; errors:\n${load.lastErrors.join('\n')}`));
      await sleep(1000);
      await load.stop();
      const acks = load.acks;
      const missing = await missingAcks(load.client, acks);
      const lostWaited = missing.filter((a) => a.waited);
      assert.deepEqual(lostWaited, [], 'every write acknowledged by WAIT is readable');
      // the rest: only writes the replica may not have had yet when the primary died
      const unexplained = missing.filter((a: Ack) => a.at < killedAt - 1000 || a.at > killedAt + 1000);
      assert.deepEqual(unexplained, [], `${missing.length} of ${acks.length} acknowledged writes missing`);
      t.diagnostic(`before the kill ${acks.filter((a) => a.at < killedAt).length}, after the promotion ${acks.filter((a) => a.at > promotedAt).length}, resumed in ${resumed} ms`);
      t.diagnostic(`failover in ${took} ms; ${acks.length} writes acknowledged (${acks.filter((a) => a.waited).length} by WAIT), ${missing.length} lost, ${load.errors} failed`);
      assert.ok(acks.filter((a) => a.at > promotedAt).length > 0);
    } finally {
      await load.stop();
      load.client.disconnect();
    }
    const check = await redisCli(['--cluster', 'check', `127.0.0.1:${survivor.port}`]);
    assert.match(check, /\[OK\] All 16384 slots covered\./);
  });

  test('restarted with its nodes.conf, the old primary comes back as a replica of the winner and gets the data', async () => {
    const old = nodes.find((n) => n.port === victim.port)!;
    restarted = await startShardisProcess(clusterArgs(etcd), old.port, old.dir);
    const other = nodes.find((n) => n.port !== victim.port && n.port !== winner.port)!;
    await until(async () => {
      const n = (await nodesOf(other.port)).find((x) => x.id === victim.id);
      return n !== undefined && n.flags.includes('slave') && !n.flags.includes('fail') && n.master === winner.id;
    }, 20_000, `${victim.id} a replica of ${winner.id}`);
    const mine = (await nodesOf(restarted.port)).find((x) => x.flags.includes('myself'))!;
    assert.equal(mine.id, victim.id);
    assert.ok(mine.flags.includes('slave'));
    assert.equal(mine.master, winner.id);
    assert.equal(String(await callOn(restarted.port, 'CLUSTER', 'MYSHARDID')), shardId);
    // nodes.conf keeps it, as Redis's aux field (`ip:port@cport,hostname,shard-id=…`)
    const line = new RegExp(`^${victim.id} [^ ]+,shard-id=${shardId} myself,slave `, 'm');
    await until(async () => line.test(readFileSync(join(old.dir, 'nodes.conf'), 'utf8')), 5000, 'nodes.conf with the shard id');
    // the data: a write on the winner reaches it, and it holds as many keys
    const w = await RespClient.connect(winner.port);
    const r = await RespClient.connect(restarted.port);
    try {
      let i = 0;
      while (!inRanges(keySlot(`back:${i}`), victim.slots)) i++;
      const key = `back:${i}`;
      await until(async () => {
        const moved = await w.call('SET', key, 'again');
        if (moved instanceof ReplyError) throw moved;
        return Number(await w.call('WAIT', '1', '2000')) === 1;
      }, 20_000, 'the restarted node acknowledges the winner\'s writes');
      assert.equal(await r.call('READONLY'), 'OK');
      const size = Number(await w.call('DBSIZE'));
      assert.ok(size > 100);
      assert.equal(Number(await r.call('DBSIZE')), size);
      assert.equal(await r.call('GET', key), 'again');
    } finally {
      w.close();
      r.close();
    }
  });
});

/** The fleet's masters and replicas as node `port` sees them: master id → slots, replica id → master id. */
async function roles(port: number): Promise<{ masters: Map<string, string>; replicas: Map<string, string>; list: Entry[] }> {
  const list = await nodesOf(port);
  const { masters } = await mastersOf(port);
  return { masters, replicas: new Map(list.filter((n) => n.flags.includes('slave')).map((n) => [n.id, n.master])), list };
}

describe('etcd stopped under load', { timeout: 240_000 }, () => {
  let etcd: EtcdProcess;
  let nodes: RedisProcess[] = [];
  let before0: Awaited<ReturnType<typeof roles>>;

  before(async () => {
    ({ etcd, nodes } = await startFleet(6, 1));
    before0 = await roles(nodes[0]!.port);
  });

  after(async () => {
    for (const n of nodes) await n.stop();
    await etcd.remove();
  });

  test('the map keeps serving, topology changes are refused with ETCD_DOWN, nothing fails over; the fleet recovers when etcd returns', async (t) => {
    const replica = before0.list.find((n) => n.flags.includes('slave'))!;
    const load = startLoad(nodes[0]!.port, 4, 2);
    try {
      await sleep(1500);
      await etcd.stop();
      const stoppedAt = Date.now();
      const errorsBefore = load.errors;
      // a topology change needs etcd: refused with the clear error (at once once the node knows etcd is gone);
      // CLUSTER REPLICATE of its own master always writes the replica's record (BUMPEPOCH may answer STILL unwritten)
      const replicate = (): Promise<unknown> => callOn(replica.port, 'CLUSTER', 'REPLICATE', replica.master);
      await until(async () => {
        const r = await replicate();
        if (!(r instanceof ReplyError)) throw new Error(`REPLICATE answered ${String(r)}`);
        assert.equal(r.message, ETCD_DOWN);
        return true;
      }, 10_000, 'REPLICATE refused');
      // longer than twice the lease's TTL: every node's lease is lost on its side
      await sleep(Math.max(0, stoppedAt + 3 * NODE_TIMEOUT_MS + 1000 - Date.now()));
      const during = load.acks.filter((a) => a.at > stoppedAt + 1000);
      assert.ok(during.length > 100, `${during.length} writes acknowledged while etcd was down`);
      assert.equal(load.errors, errorsBefore, `writes failed while etcd was down: ${load.lastErrors.join('; ')}`);
      const readBack = await missingAcks(load.client, load.acks.slice(-200));
      assert.deepEqual(readBack, []);
      // nobody failed over nor was flagged fail meanwhile
      for (const n of nodes) assert.ok(await allSee([n], before0.masters), `the view of ${n.port} while etcd is down`);
      assert.deepEqual(await replicate(), new ReplyError(ETCD_DOWN));
      await etcd.restart();
      const restartedAt = Date.now();
      const back = await until(async () => (await replicate()) === 'OK', 20_000, 'REPLICATE working again');
      await until(() => allSee(nodes, before0.masters), 20_000, 'every node alive, the same masters, cluster_state ok');
      // a master's alive key deleted under its live lease is put again by the master (else it would stay `fail`)
      const victim = [...before0.masters.keys()][0]!;
      const admin = new Etcd3({ hosts: etcd.endpoint });
      try {
        // the fleet's keys are under /test/fleet/<fleet id>/
        const key = (await admin.getAll().prefix('/test/fleet/').keys()).find((k) => k.endsWith(`/alive/${victim}`));
        assert.ok(key !== undefined, 'the master has an alive key');
        await admin.delete().key(key).exec();
        await until(async () => (await admin.get(key).string()) !== null, 5000, 'the alive key put again');
      } finally {
        admin.close();
      }
      // and no late failover: a lease that lapsed while etcd was down is not a failure once it is back
      while (Date.now() < restartedAt + 3 * NODE_TIMEOUT_MS + 2000) {
        for (const n of nodes) assert.ok(await allSee([n], before0.masters), `the view of ${n.port} after etcd returned`);
        await sleep(250);
      }
      await load.stop();
      t.diagnostic(`etcd back: topology changes after ${back} ms; ${load.acks.length} writes, ${load.errors} failed`);
      assert.deepEqual(await missingAcks(load.client, load.acks), [], 'no acknowledged write lost');
    } finally {
      await load.stop();
      load.client.disconnect();
    }
  });

  test('etcd restarted at once under load: no failover, no acknowledged write lost', async () => {
    const load = startLoad(nodes[0]!.port, 4, 2);
    try {
      await sleep(1500);
      await etcd.stop();
      await etcd.restart();
      const restartedAt = Date.now();
      while (Date.now() < restartedAt + 3 * NODE_TIMEOUT_MS + 2000) {
        for (const n of nodes) {
          const { masters, failed } = await mastersOf(n.port);
          assert.deepEqual(masters, before0.masters, `the masters seen by ${n.port}`);
          assert.deepEqual(failed, [], `failed nodes seen by ${n.port}`);
        }
        await sleep(250);
      }
      await load.stop();
      assert.deepEqual(await missingAcks(load.client, load.acks), [], 'no acknowledged write lost');
      assert.ok(load.acks.filter((a) => a.at > restartedAt).length > 100);
    } finally {
      await load.stop();
      load.client.disconnect();
    }
  });
});

describe('a manual CLUSTER FAILOVER under a light load', { timeout: 240_000 }, () => {
  let etcd: EtcdProcess;
  let nodes: RedisProcess[] = [];

  before(async () => {
    ({ etcd, nodes } = await startFleet(6, 1));
  });

  after(async () => {
    for (const n of nodes) await n.stop();
    await etcd.remove();
  });

  /** Sends CLUSTER FAILOVER [opt] to `replica` and waits until every node sees it master of `master`'s slots and `master` its replica. */
  async function failover(replica: Entry, master: Entry, opt: string[]): Promise<void> {
    assert.equal(await callOn(replica.port, 'CLUSTER', 'FAILOVER', ...opt), 'OK');
    await until(async () => {
      for (const n of nodes) {
        const list = await nodesOf(n.port);
        const r = list.find((x) => x.id === replica.id)!;
        const m = list.find((x) => x.id === master.id)!;
        if (!r.flags.includes('master') || r.slots.join(' ') !== master.slots.join(' ') || !m.flags.includes('slave') || m.master !== replica.id) return false;
      }
      return true;
    }, 15_000, `${replica.id} master in place of ${master.id}, everywhere`);
    // the old master serves as a replica at once: no pause left from the failover (a write is redirected, not held)
    const c = await RespClient.connect(master.port);
    try {
      let i = 0;
      while (!inRanges(keySlot(`k${i}`), master.slots)) i++;
      const started = Date.now();
      assert.deepEqual(await c.call('SET', `k${i}`, 'x'), new ReplyError(`MOVED ${keySlot(`k${i}`)} 127.0.0.1:${replica.port}`));
      assert.ok(Date.now() - started < 1000, `the write to the old master was held ${Date.now() - started} ms`);
      assert.equal(await c.call('ROLE').then((r) => (r as unknown[])[0]), 'slave');
      // and it applies the new master's stream at once (a pause would hold the stream too)
      const w = await RespClient.connect(replica.port);
      try {
        assert.equal(await w.call('SET', `k${i}`, 'after'), 'OK');
        assert.equal(await w.call('WAIT', '1', '3000'), 1);
      } finally {
        w.close();
      }
      assert.equal(await c.call('READONLY'), 'OK');
      assert.equal(await c.call('GET', `k${i}`), 'after');
    } finally {
      c.close();
    }
  }

  test('the replica and its master swap roles (FAILOVER, then TAKEOVER back), no acknowledged write lost', async (t) => {
    const list = await nodesOf(nodes[0]!.port);
    const master = list.find((n) => n.flags.includes('master') && n.slots.length !== 0)!;
    const replica = list.find((n) => n.master === master.id)!;
    const load = startLoad(nodes[0]!.port, 2, 1, 5);
    try {
      await sleep(1000);
      await failover(replica, master, []);
      await sleep(1000);
      // the replica of a manual failover caught up with its paused master first: nothing acknowledged is lost
      const first = load.acks.length;
      assert.deepEqual(await missingAcks(load.client, load.acks), [], 'no acknowledged write lost by FAILOVER');
      const takeoverAt = Date.now();
      await failover({ ...master }, { ...replica, slots: master.slots }, ['TAKEOVER']);
      const tookOver = Date.now();
      await sleep(1000);
      await load.stop();
      // TAKEOVER does not wait for the replica (Redis's neither): only the last writes before it may be missing
      const missing = await missingAcks(load.client, load.acks);
      t.diagnostic(`${first} writes before TAKEOVER, ${load.acks.length} in all, ${missing.length} lost by TAKEOVER`);
      assert.deepEqual(missing.filter((a) => a.waited || a.at < takeoverAt - 1000 || a.at > tookOver), [], 'acknowledged writes lost by TAKEOVER');
      assert.ok(load.acks.length > 100, `${load.acks.length} writes`);
    } finally {
      await load.stop();
      load.client.disconnect();
    }
  });

  test('cluster-replica-validity-factor: a replica cut from its master for too long does not fail over by itself; FAILOVER FORCE still does', async () => {
    const list = await nodesOf(nodes[0]!.port);
    // a master the test above left alone, and its replica
    const master = list.filter((n) => n.flags.includes('master') && n.slots.length !== 0).at(-1)!;
    const replica = list.find((n) => n.master === master.id)!;
    // factor 1, a 1 s ping period: data older than 1 s + 2 s × 1 beyond the node timeout is too old
    for (const [k, v] of [['cluster-replica-validity-factor', '1'], ['repl-ping-replica-period', '1']]) assert.equal(await callOn(replica.port, 'CONFIG', 'SET', k!, v!), 'OK');
    // the replica's link down for good: its master now asks for a password it does not have
    assert.equal(await callOn(master.port, 'CONFIG', 'SET', 'requirepass', 'secret'), 'OK');
    const m = await RespClient.connect(master.port);
    try {
      assert.equal(await m.call('AUTH', 'secret'), 'OK');
      assert.ok(Number(await m.call('CLIENT', 'KILL', 'TYPE', 'replica')) >= 1);
    } finally {
      m.close();
    }
    await until(async () => String(await callOn(replica.port, 'INFO', 'replication')).includes('master_link_status:down'), 5_000, 'the replica\'s link down');
    await sleep(NODE_TIMEOUT_MS + 3_500);
    nodes.find((n) => n.port === master.port)!.signal('SIGKILL');
    // the lease lapses (node timeout), the replica would run 0.3–1 s later: it does not
    await until(async () => (await nodesOf(replica.port)).find((x) => x.id === master.id)!.flags.includes('fail'), 10_000, 'the master flagged fail');
    await sleep(3_000);
    const self = (await nodesOf(replica.port)).find((x) => x.id === replica.id)!;
    assert.ok(self.flags.includes('slave'), `the replica failed over with data too old: ${self.flags.join(',')}`);
    assert.equal(await stateOk(replica.port), false, 'the master\'s slots are uncovered');
    // a manual failover is not bound by the factor
    assert.equal(await callOn(replica.port, 'CLUSTER', 'FAILOVER', 'FORCE'), 'OK');
    await until(async () => {
      const me = (await nodesOf(replica.port)).find((x) => x.id === replica.id)!;
      return me.flags.includes('master') && me.slots.join(' ') === master.slots.join(' ') && (await stateOk(replica.port));
    }, 10_000, 'the replica master of the slots after FAILOVER FORCE');
  });
});
