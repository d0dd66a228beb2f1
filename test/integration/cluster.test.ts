/**
 * Cluster mode (docs/cluster.md) with a real etcd: `redis-cli --cluster
 * create` makes 3 primaries and 3 replicas of shardis nodes (each a process
 * of its own) and `--cluster check` agrees; every node shows the same view;
 * ioredis' Cluster and node-redis' createCluster run every data family,
 * transactions and scripts with hash tags and sharded pub/sub; `redis-cli
 * -c` follows MOVED; READONLY serves reads on a replica.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Cluster } from 'ioredis';
import { createCluster as nodeRedisCluster } from 'redis';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.ts';
import { clusterInfo, clusterNodes, createCluster, redisCli, startNodes, untilStable } from '../helpers/cluster.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';
import type { RedisProcess } from '../helpers/redis-process.ts';

describe('a 3 + 3 cluster made by redis-cli --cluster create', { timeout: 180_000 }, () => {
  let etcd: EtcdProcess;
  let nodes: RedisProcess[] = [];
  const port = (i: number): number => nodes[i]!.port;

  before(async () => {
    etcd = await startEtcd();
    nodes = await startNodes(etcd, 6);
    const out = await createCluster(nodes, 1);
    assert.match(out, /\[OK\] All nodes agree about slots configuration\./);
    await untilStable(nodes, 6);
  });

  after(async () => {
    for (const n of nodes) await n.stop();
    await etcd.remove();
  });

  test('every node has the same view: 3 masters with 5461/5462/5461 slots, each with one replica', async () => {
    const views: string[] = [];
    for (const n of nodes) {
      const c = await RespClient.connect(n.port);
      try {
        const info = await clusterInfo(c);
        assert.equal(info.cluster_state, 'ok');
        assert.equal(info.cluster_slots_assigned, '16384');
        assert.equal(info.cluster_known_nodes, '6');
        assert.equal(info.cluster_size, '3');
        const list = await clusterNodes(c);
        assert.equal(list.filter((x) => x.flags.includes('myself')).length, 1);
        const masters = list.filter((x) => x.flags.includes('master'));
        assert.deepEqual(masters.map((m) => m.slots.join(' ')).sort(), ['0-5460', '10923-16383', '5461-10922']);
        for (const m of masters) assert.equal(list.filter((x) => x.master === m.id).length, 1, `one replica of ${m.id}`);
        views.push(list.map((x) => `${x.id} ${x.port} ${x.flags.filter((f) => f !== 'myself').join(',')} ${x.master} ${x.slots.join(' ')}`).sort().join('\n'));
        assert.equal((await c.call('INFO', 'cluster')) as string, '# Cluster\r\ncluster_enabled:1\r\n');
        // as Redis 7.4 in cluster mode
        assert.match((await c.call('INFO', 'server')) as string, /\r\nredis_mode:cluster\r\n/);
      } finally {
        c.close();
      }
    }
    assert.equal(new Set(views).size, 1, 'one view');
    const check = await redisCli(['--cluster', 'check', `127.0.0.1:${port(0)}`]);
    assert.match(check, /\[OK\] All nodes agree about slots configuration\./);
    assert.match(check, /\[OK\] All 16384 slots covered\./);
  });

  test('MOVED to the owner, CROSSSLOT, SELECT, and redis-cli -c following redirections', async () => {
    const c = await RespClient.connect(port(0));
    try {
      const slot = Number(await c.call('CLUSTER', 'KEYSLOT', 'foo'));
      assert.equal(slot, 12182);
      const owner = (await clusterNodes(c)).find((n) => n.slots.includes('10923-16383'))!;
      const r = await c.call('SET', 'foo', 'bar');
      if (owner.port !== port(0)) assert.deepEqual(r, new ReplyError(`MOVED 12182 127.0.0.1:${owner.port}`));
      assert.deepEqual(await c.call('MSET', 'a', '1', 'b', '2'), new ReplyError("CROSSSLOT Keys in request don't hash to the same slot"));
      assert.deepEqual(await c.call('SELECT', '1'), new ReplyError('ERR SELECT is not allowed in cluster mode'));
      assert.equal(await c.call('SELECT', '0'), 'OK');
      // a transaction redirected at EXEC answers MOVED, not EXECABORT, once a queued command was refused at queueing
      assert.equal(await c.call('MULTI'), 'OK');
      const queued = await c.call('SET', 'foo', 'x');
      const exec = await c.call('EXEC');
      if (owner.port !== port(0)) {
        assert.deepEqual(queued, new ReplyError(`MOVED 12182 127.0.0.1:${owner.port}`));
        assert.deepEqual(exec, new ReplyError('EXECABORT Transaction discarded because of previous errors.'));
      }
    } finally {
      c.close();
    }
    assert.equal((await redisCli(['-c', '-p', String(port(1)), 'SET', 'foo', 'from-cli'])).trim(), 'OK');
    assert.equal((await redisCli(['-c', '-p', String(port(2)), 'GET', 'foo'])).trim(), 'from-cli');
  });

  test('SORT BY / GET patterns: allowed when they form keys of the sorted key\'s slot (7.2), refused otherwise', async () => {
    const cli = async (...args: string[]): Promise<string> => (await redisCli(['-c', '-p', String(port(0)), ...args])).trim();
    assert.equal(await cli('RPUSH', '{u}l', '3', '1', '2'), '3');
    assert.equal(await cli('MSET', '{u}w_1', '30', '{u}w_2', '20', '{u}w_3', '10', '{u}v_1', 'one', '{u}v_2', 'two', '{u}v_3', 'three'), 'OK');
    assert.equal(await cli('SORT', '{u}l', 'BY', '{u}w_*'), '3\n2\n1');
    assert.equal(await cli('SORT', '{u}l', 'BY', '{u}w_*', 'GET', '{u}v_*'), 'three\ntwo\none');
    assert.equal(await cli('SORT', '{u}l', 'BY', 'nosort'), '3\n1\n2');
    assert.equal(await cli('SORT', '{u}l', 'BY', 'w_*'), 'ERR BY option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.');
    assert.equal(await cli('SORT', '{u}l', 'GET', '#'), 'ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.');
    assert.equal(await cli('SORT_RO', '{u}l', 'GET', 'v_*'), 'ERR GET option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.');
    assert.equal(await cli('DEL', '{u}l', '{u}w_1', '{u}w_2', '{u}w_3', '{u}v_1', '{u}v_2', '{u}v_3'), '7');
  });

  test('READONLY serves reads of the master\'s slots on its replica; READWRITE and writes are redirected', async () => {
    const c0 = await RespClient.connect(port(0));
    const list = await clusterNodes(c0);
    c0.close();
    const master = list.find((n) => n.slots.includes('10923-16383'))!;
    const replica = list.find((n) => n.master === master.id)!;
    const m = await RespClient.connect(master.port);
    const r = await RespClient.connect(replica.port);
    try {
      assert.equal(await m.call('SET', 'foo', 'replicated'), 'OK');
      assert.equal(await m.call('WAIT', '1', '5000'), 1);
      assert.deepEqual(await r.call('GET', 'foo'), new ReplyError(`MOVED 12182 127.0.0.1:${master.port}`));
      assert.equal(await r.call('READONLY'), 'OK');
      assert.equal(await r.call('GET', 'foo'), 'replicated');
      assert.deepEqual(await r.call('SET', 'foo', 'x'), new ReplyError(`MOVED 12182 127.0.0.1:${master.port}`));
      assert.equal(await r.call('READWRITE'), 'OK');
      assert.deepEqual(await r.call('GET', 'foo'), new ReplyError(`MOVED 12182 127.0.0.1:${master.port}`));
    } finally {
      m.close();
      r.close();
    }
  });

  test('PUBLISH reaches subscribers on every node over the bus (the count is the local one); CLUSTER LINKS shows a link each way per peer', async () => {
    const subs = await Promise.all(nodes.map((n) => RespClient.connect(n.port)));
    const c = await RespClient.connect(port(0));
    try {
      for (const s of subs) assert.deepEqual(await s.call('SUBSCRIBE', 'fleet-news'), ['subscribe', 'fleet-news', 1]);
      // every outbound link is up once every node lists two links per peer
      for (const n of nodes) {
        const cn = await RespClient.connect(n.port);
        try {
          for (let i = 0; i < 100 && ((await cn.call('CLUSTER', 'LINKS')) as unknown[]).length !== 10; i++) await new Promise((r) => setTimeout(r, 50));
          const links = (await cn.call('CLUSTER', 'LINKS')) as string[][];
          assert.equal(links.length, 10, `node ${n.port}: 5 peers, a link each way`);
          assert.deepEqual(links.map((l) => l[1]).sort(), [...Array(5).fill('from'), ...Array(5).fill('to')]);
        } finally {
          cn.close();
        }
      }
      assert.equal(await c.call('PUBLISH', 'fleet-news', 'hello'), 1);
      for (const s of subs) assert.deepEqual(await s.read(), ['message', 'fleet-news', 'hello']);
    } finally {
      c.close();
      for (const s of subs) s.close();
    }
  });

  test('ioredis Cluster: every family, MULTI and EVAL with hash tags, sharded pub/sub', async () => {
    const cl = new Cluster([{ host: '127.0.0.1', port: port(0) }], { redisOptions: { maxRetriesPerRequest: 3 } });
    try {
      for (let i = 0; i < 200; i++) await cl.set(`k:${i}`, String(i));
      for (let i = 0; i < 200; i += 37) assert.equal(await cl.get(`k:${i}`), String(i));
      await cl.hset('h', { a: '1', b: '2' });
      assert.deepEqual(await cl.hgetall('h'), { a: '1', b: '2' });
      await cl.rpush('l', 'x', 'y', 'z');
      assert.deepEqual(await cl.lrange('l', 0, -1), ['x', 'y', 'z']);
      await cl.sadd('s', 'p', 'q');
      assert.deepEqual((await cl.smembers('s')).sort(), ['p', 'q']);
      await cl.zadd('z', 1, 'one', 2, 'two');
      assert.deepEqual(await cl.zrange('z', '0', '-1', 'WITHSCORES'), ['one', '1', 'two', '2']);
      const id = await cl.xadd('st', '*', 'f', 'v');
      assert.equal((await cl.xrange('st', '-', '+'))[0]![0], id);
      await cl.pfadd('hll', 'a', 'b', 'c');
      assert.equal(await cl.pfcount('hll'), 3);
      await cl.geoadd('g', '13.361389', '38.115556', 'Palermo');
      assert.equal((await cl.geopos('g', 'Palermo'))[0]!.length, 2);
      await cl.setbit('bits', 7, 1);
      assert.equal(await cl.bitcount('bits'), 1);
      // hash tags keep a transaction and a script on one slot
      const res = await cl.multi().set('{user:1}:name', 'Ada').incr('{user:1}:visits').get('{user:1}:name').exec();
      assert.deepEqual(res, [[null, 'OK'], [null, 1], [null, 'Ada']]);
      assert.equal(await cl.eval("return redis.call('INCRBY', KEYS[1], ARGV[1]) + redis.call('INCR', KEYS[2])", 2, '{user:1}:a', '{user:1}:b', '5'), 6);
      await assert.rejects(cl.mset('x1', '1', 'x2', '2'), /CROSSSLOT|All keys in the pipeline should belong to the same slot/);
      assert.equal(await cl.mset('{t}x1', '1', '{t}x2', '2'), 'OK');
      // sharded pub/sub: the subscriber is on the channel's slot owner (ioredis needs shardedSubscribers for
      // SSUBSCRIBE, against Redis 7.0 too: without it, it answers 'Too many Cluster redirections')
      const sub = new Cluster([{ host: '127.0.0.1', port: port(1) }], { shardedSubscribers: true });
      try {
        const got = new Promise<[string, string]>((resolve) => sub.on('smessage', (ch: string, msg: string) => resolve([ch, msg])));
        await sub.ssubscribe('news');
        assert.equal(await cl.spublish('news', 'hello'), 1);
        assert.deepEqual(await got, ['news', 'hello']);
      } finally {
        sub.disconnect();
      }
    } finally {
      cl.disconnect();
    }
  });

  test('node-redis createCluster: commands across slots, MULTI with hash tags', async () => {
    const cl = nodeRedisCluster({ rootNodes: [{ url: `redis://127.0.0.1:${port(2)}` }] });
    cl.on('error', () => {});
    await cl.connect();
    try {
      for (let i = 0; i < 100; i++) await cl.set(`nr:${i}`, String(i));
      for (let i = 0; i < 100; i += 13) assert.equal(await cl.get(`nr:${i}`), String(i));
      await cl.hSet('nh', { f: 'v' });
      assert.deepEqual({ ...(await cl.hGetAll('nh')) }, { f: 'v' });
      const res = await cl.multi().set('{o}a', '1').incrBy('{o}a', 4).get('{o}a').exec();
      assert.deepEqual(res, ['OK', 5, '5']);
      assert.equal(await cl.eval("return redis.call('GET', KEYS[1])", { keys: ['{o}a'] }), '5');
    } finally {
      await cl.close();
    }
  });
});
