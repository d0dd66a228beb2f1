/**
 * Cluster mode with `--threads 2` on every node (src/cluster/node-setup.ts):
 * slots map to nodes across the fleet and to shards, so threads, inside a
 * node. The node (etcd, the bus) runs on thread 0 and every other thread
 * judges its connections by a mirror of its map. Shown here through
 * connections picked by thread (a client id names its thread): the same
 * view on both threads; a key of the node's slot on the other thread's
 * shard served from either; a slot moved by hand with ASK / ASKING carried
 * to the shard's thread; SETSLOT NODE answered only once both threads
 * redirect; a slot's keys counted and listed from either thread; READONLY
 * on a replica; CLUSTER subcommands that change the node sent from thread
 * 1; PUBLISH from thread 1 reaching another node; a failover onto a
 * threaded replica.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.ts';
import { clusterNodes, createCluster, startNodes, untilStable, NODE_TIMEOUT_MS } from '../helpers/cluster.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';
import type { RedisProcess } from '../helpers/redis-process.ts';
import { untilChecked as eventually } from '../helpers/eventually.ts';
import { Redis } from 'ioredis';

const THREADS = 2;
// with 2 shards, slots 0–8191 are shard 0's (thread 0) and 8192–16383 shard 1's (thread 1)

/** A key of hash slot `slot` ("{tag}" + suffix), found by trying tags. */
async function keyOfSlot(c: RespClient, slot: number, suffix = ''): Promise<string> {
  for (let i = 0; ; i++) {
    const k = `{t${i}}${suffix}`;
    if (Number(await c.call('CLUSTER', 'KEYSLOT', k)) === slot) return k;
  }
}

/** A connection to `port` served by thread `t` (the low part of a client id names its thread). */
async function onThread(port: number, t: number): Promise<RespClient> {
  const extra: RespClient[] = [];
  try {
    for (let i = 0; i < 64; i++) {
      const c = await RespClient.connect(port);
      const id = Number(await c.call('CLIENT', 'ID'));
      if ((id - 1) % THREADS === t) return c;
      extra.push(c);
    }
    throw new Error(`no connection landed on thread ${t}`);
  } finally {
    for (const c of extra) c.close();
  }
}

describe('cluster mode with --threads 2', { timeout: 240_000 }, () => {
  let etcd: EtcdProcess;
  let nodes: RedisProcess[] = [];
  const open: RespClient[] = [];
  /** The master of slots 5461–10922 (its slots lie on both of its threads' shards), another master, the replica. */
  let mid: { id: string; port: number };
  let low: { id: string; port: number };
  let replicaPort = 0;

  const conn = async (port: number, t: number): Promise<RespClient> => {
    const c = await onThread(port, t);
    open.push(c);
    return c;
  };

  before(async () => {
    etcd = await startEtcd();
    nodes = await startNodes(etcd, 4, '/threads/', THREADS);
    await createCluster(nodes.slice(0, 3), 0);
    await untilStable(nodes.slice(0, 3), 3);
    const list = await clusterNodes(await conn(nodes[0]!.port, 0));
    const m = list.find((n) => n.slots.includes('5461-10922'))!;
    const l = list.find((n) => n.slots.includes('0-5460'))!;
    mid = { id: m.id, port: m.port };
    low = { id: l.id, port: l.port };
    // the fourth node joins and replicates `mid`: MEET and REPLICATE sent on its thread 1 run on its thread 0
    replicaPort = nodes[3]!.port;
    const r1 = await conn(replicaPort, 1);
    assert.equal(await r1.call('CLUSTER', 'MEET', '127.0.0.1', String(nodes[0]!.port)), 'OK');
    await untilStable(nodes, 4);
    assert.equal(await r1.call('CLUSTER', 'REPLICATE', mid.id), 'OK');
    await eventually(async () => {
      const view = await clusterNodes(await conn(mid.port, 1));
      assert.ok(view.some((n) => n.port === replicaPort && n.flags.includes('slave') && n.master === mid.id));
    });
  });

  after(async () => {
    for (const c of open) c.close();
    for (const n of nodes) await n.stop();
    await etcd.remove();
  });

  test('both threads show the same view, and a key is served from either thread whatever shard holds it', async () => {
    const [a0, a1] = [await conn(mid.port, 0), await conn(mid.port, 1)];
    assert.equal(await a0.call('CLUSTER', 'MYID'), mid.id);
    assert.equal(await a1.call('CLUSTER', 'MYID'), mid.id);
    assert.deepEqual(await a1.call('CLUSTER', 'SLOTS'), await a0.call('CLUSTER', 'SLOTS'));
    const k0 = await keyOfSlot(a0, 6000, 'k'); // shard 0: thread 0
    const k1 = await keyOfSlot(a0, 9000, 'k'); // shard 1: thread 1
    for (const [c, v] of [[a0, 'from0'], [a1, 'from1']] as const) {
      assert.equal(await c.call('SET', k0, v), 'OK');
      assert.equal(await c.call('GET', k0), v);
      assert.equal(await c.call('SET', k1, v), 'OK');
      assert.equal(await c.call('GET', k1), v);
    }
    const lowKey = await keyOfSlot(a0, 100);
    for (const c of [a0, a1]) assert.deepEqual(await c.call('GET', lowKey), new ReplyError(`MOVED 100 127.0.0.1:${low.port}`));
    assert.deepEqual(await a1.call('MGET', k0, k1), new ReplyError("CROSSSLOT Keys in request don't hash to the same slot"));
  });

  test('a slot moved by hand: ASK and ASKING across threads, SETSLOT NODE seen by both threads before it is answered', async () => {
    const slot = 9500; // mid's, on its thread 1's shard
    const [a0, a1] = [await conn(mid.port, 0), await conn(mid.port, 1)];
    const [b0, b1] = [await conn(low.port, 0), await conn(low.port, 1)];
    const kept = await keyOfSlot(a0, slot, 'kept');
    const absent = await keyOfSlot(a0, slot, 'absent');
    assert.equal(await a0.call('SET', kept, 'v'), 'OK');
    // IMPORTING sent on thread 1 of the target, MIGRATING on thread 1 of the source: both run on thread 0
    assert.equal(await b1.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', mid.id), 'OK');
    assert.equal(await a1.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', low.id), 'OK');
    for (const c of [a0, a1]) {
      assert.equal(await c.call('GET', kept), 'v');
      assert.deepEqual(await c.call('GET', absent), new ReplyError(`ASK ${slot} 127.0.0.1:${low.port}`));
    }
    // the target's thread 0 takes ASKING for a key of its thread 1's shard (the flag travels with the job)
    assert.deepEqual(await b0.call('SET', absent, 'new'), new ReplyError(`MOVED ${slot} 127.0.0.1:${mid.port}`));
    assert.equal(await b0.call('ASKING'), 'OK');
    assert.equal(await b0.call('SET', absent, 'new'), 'OK');
    assert.deepEqual(await b0.call('GET', absent), new ReplyError(`MOVED ${slot} 127.0.0.1:${mid.port}`), 'ASKING holds for one command');
    // the slot's keys, counted and listed from either thread
    for (const c of [a0, a1]) {
      assert.equal(await c.call('CLUSTER', 'COUNTKEYSINSLOT', slot), 1);
      assert.deepEqual(await c.call('CLUSTER', 'GETKEYSINSLOT', slot, 10), [kept]);
    }
    assert.deepEqual(await a1.call('CLUSTER', 'SETSLOT', slot, 'NODE', low.id),
      new ReplyError(`ERR Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`));
    assert.equal(await a0.call('MIGRATE', '127.0.0.1', low.port, '', 0, 5000, 'KEYS', kept), 'OK');
    assert.equal(await a0.call('CLUSTER', 'COUNTKEYSINSLOT', slot), 0);
    assert.equal(await b1.call('CLUSTER', 'SETSLOT', slot, 'NODE', low.id), 'OK');
    assert.equal(await a1.call('CLUSTER', 'SETSLOT', slot, 'NODE', low.id), 'OK');
    // at once, on both threads of the old owner (no wait for etcd's watch)
    for (const c of [a0, a1]) assert.deepEqual(await c.call('GET', kept), new ReplyError(`MOVED ${slot} 127.0.0.1:${low.port}`));
    for (const c of [b0, b1]) {
      assert.equal(await c.call('GET', kept), 'v');
      assert.equal(await c.call('GET', absent), 'new');
    }
  });

  test('READONLY on a threaded replica serves its master\'s keys from both threads', async () => {
    const a0 = await conn(mid.port, 0);
    const key = await keyOfSlot(a0, 10000, 'ro');
    assert.equal(await a0.call('SET', key, 'replicated'), 'OK');
    assert.equal(await a0.call('WAIT', 1, 5000), 1);
    for (const t of [0, 1]) {
      const r = await conn(replicaPort, t);
      assert.deepEqual(await r.call('GET', key), new ReplyError(`MOVED 10000 127.0.0.1:${mid.port}`));
      assert.equal(await r.call('READONLY'), 'OK');
      assert.equal(await r.call('GET', key), 'replicated');
      assert.deepEqual(await r.call('SET', key, 'x'), new ReplyError(`MOVED 10000 127.0.0.1:${mid.port}`));
    }
  });

  test('PUBLISH on thread 1 reaches subscribers here and on the other nodes; SPUBLISH the shard\'s nodes', async () => {
    const subs = [new Redis(low.port, { lazyConnect: true }), new Redis(mid.port, { lazyConnect: true }), new Redis(replicaPort, { lazyConnect: true })];
    const got: string[][] = subs.map(() => []);
    try {
      for (const [i, s] of subs.entries()) {
        await s.connect();
        s.on('message', (_ch: string, m: string) => got[i]!.push(m));
        s.on('smessage', (_ch: string, m: string) => got[i]!.push('s:' + m));
        await s.subscribe('news');
      }
      const shardChannel = await keyOfSlot(await conn(mid.port, 0), 7000, 'ch');
      await subs[2]!.ssubscribe(shardChannel);
      await subs[0]!.ssubscribe(shardChannel).catch(() => undefined);
      const p1 = await conn(mid.port, 1);
      assert.equal(typeof (await p1.call('PUBLISH', 'news', 'hello')), 'number');
      assert.equal(typeof (await p1.call('SPUBLISH', shardChannel, 'shard')), 'number');
      await eventually(async () => {
        assert.deepEqual(got[0], ['hello']);
        assert.deepEqual(got[1], ['hello']);
        assert.deepEqual(got[2], ['hello', 's:shard']);
      });
    } finally {
      for (const s of subs) s.disconnect();
    }
  });

  test('a threaded master killed: its threaded replica takes its slots and serves them from both threads', async () => {
    const a0 = await conn(mid.port, 0);
    const key = await keyOfSlot(a0, 10500, 'fo');
    assert.equal(await a0.call('SET', key, 'kept'), 'OK');
    assert.equal(await a0.call('WAIT', 1, 5000), 1);
    nodes.find((n) => n.port === mid.port)!.signal('SIGKILL');
    await eventually(async () => {
      const r = await RespClient.connect(replicaPort);
      try {
        assert.ok((await clusterNodes(r)).find((n) => n.port === replicaPort)!.flags.includes('master'));
      } finally {
        r.close();
      }
    }, NODE_TIMEOUT_MS + 10_000);
    const threads = [await conn(replicaPort, 0), await conn(replicaPort, 1)];
    for (const r of threads) assert.equal(await r.call('GET', key), 'kept');
    for (const [t, r] of threads.entries()) {
      assert.equal(await r.call('SET', key, `t${t}`), 'OK');
      assert.equal(await threads[1 - t]!.call('GET', key), `t${t}`);
    }
    const b0 = await conn(low.port, 0);
    await eventually(async () => assert.deepEqual(await b0.call('GET', key), new ReplyError(`MOVED 10500 127.0.0.1:${replicaPort}`)));
  });
});
