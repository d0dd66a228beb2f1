/**
 * Replication with `--threads 4` (docs/threads.md, "Replication"): shardis
 * with threads as a replica of Redis 7.0 and of a threaded shardis (a chain
 * down to a Redis replica) under a concurrent write load of every type,
 * ending with the same data; READONLY, INFO and ROLE on every thread, expiry
 * left to the primary, REPLICAOF NO ONE from another thread than the link's;
 * killed links resumed by partial resync on a threaded primary and on a
 * threaded replica; WAIT and min-replicas-to-write counting the replicas of
 * every thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/index.ts';
import { RespClient, ReplyError, type Reply } from '../helpers/resp-client.ts';
import { startRedis } from '../helpers/redis-process.ts';
import { onEveryThread as everyThread } from '../helpers/threads.ts';
import { assertSameData, expireOnPrimary, info, linkUp, load, ok, preload, settle, sleep, until } from '../helpers/replication.ts';

const THREADS = 4;

/** One connection on each thread, in thread order. */
const onEveryThread = (port: number): Promise<RespClient[]> => everyThread(port, THREADS);

/** The thread of a replica's connection on a threaded primary (CLIENT LIST TYPE replica ids). */
async function replicaThreads(c: RespClient): Promise<number[]> {
  const list = String(await c.call('CLIENT', 'LIST', 'TYPE', 'replica'));
  return [...list.matchAll(/^id=(\d+) /gm)].map((m) => (Number(m[1]) - 1) % THREADS);
}

test('Redis 7.0 primary → shardis with threads: the data under a load, READONLY / INFO / ROLE on every thread, a partial resync, NO ONE from another thread', async () => {
  const redis = await startRedis(['--repl-diskless-sync', 'no']);
  const srv = await startServer({ port: 0, threads: THREADS });
  const p = await RespClient.connect(redis.port);
  const rs = await onEveryThread(srv.port);
  const r = rs[2]!;
  try {
    await rs[1]!.call('SET', 'mine', 'gone after the sync');
    await preload(p);
    // asked on thread 2: the link runs on thread 0
    assert.equal(await r.call('REPLICAOF', '127.0.0.1', String(redis.port)), 'OK');
    assert.equal(await rs[3]!.call('REPLICAOF', '127.0.0.1', String(redis.port)), 'OK Already connected to specified master');
    await load(redis.port);
    await linkUp(r);
    await expireOnPrimary(p);
    for (const c of rs) await settle(p, c);
    await assertSameData(p, r, 'Redis → shardis (threads)');
    assert.equal(await rs[0]!.call('GET', 'mine'), null);

    const pi = await info(p, 'replication');
    const ro = "READONLY You can't write against a read only replica.";
    for (const [t, c] of rs.entries()) {
      assert.deepEqual(await c.call('SET', `x${t}`, '1'), new ReplyError(ro), `thread ${t}: READONLY`);
      const script = await c.call('EVAL', "return redis.call('SET', KEYS[1], '1')", '1', `y${t}`);
      assert.ok(script instanceof ReplyError && script.message.startsWith('READONLY'), `thread ${t}: a script's write`);
      const ri = await info(c, 'replication');
      assert.equal(ri.role, 'slave', `thread ${t}: INFO role`);
      assert.equal(ri.master_link_status, 'up', `thread ${t}: INFO master_link_status`);
      assert.equal(ri.master_port, String(redis.port));
      assert.equal(ri.master_replid, pi.master_replid, `thread ${t}: master_replid`);
      assert.equal(ri.slave_repl_offset, pi.master_repl_offset, `thread ${t}: slave_repl_offset`);
      assert.equal(ri.master_repl_offset, pi.master_repl_offset, `thread ${t}: master_repl_offset`);
      const role = (await c.call('ROLE')) as Reply[];
      assert.deepEqual(role.slice(0, 4), ['slave', '127.0.0.1', redis.port, 'connected'], `thread ${t}: ROLE`);
      assert.equal(role[4], Number(pi.master_repl_offset));
      const wait = await c.call('WAIT', '0', '0');
      assert.ok(wait instanceof ReplyError && wait.message.startsWith('ERR WAIT cannot be used with replica instances.'));
    }

    // settings the stream carries (FUNCTION LOAD, SWAPDB) are applied on every thread
    await ok(p, 'FUNCTION', 'LOAD', "#!lua name=lib2\nredis.register_function{function_name='f2', callback=function() return 2 end, flags={'no-writes'}}");
    const [n1, n2] = [await p.call('SELECT', '1').then(() => p.call('DBSIZE')), await p.call('SELECT', '2').then(() => p.call('DBSIZE'))];
    await ok(p, 'SELECT', '0');
    await ok(p, 'SWAPDB', '1', '2');
    await settle(p, r);
    for (const [t, c] of rs.entries()) {
      assert.equal(await c.call('FCALL_RO', 'f2', '0'), 2, `thread ${t}: the function loaded by the stream`);
      await ok(c, 'SELECT', '2');
      assert.equal(await c.call('DBSIZE'), n1, `thread ${t}: db 2 after SWAPDB`);
      assert.equal(await c.call('GET', 'db1'), 'one');
      await ok(c, 'SELECT', '1');
      assert.equal(await c.call('DBSIZE'), n2, `thread ${t}: db 1 after SWAPDB`);
      await ok(c, 'SELECT', '0');
    }
    await ok(p, 'SWAPDB', '1', '2');
    await settle(p, r);

    // no thread expires a key itself: hidden from reads, deleted by the primary's DEL
    await p.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    const before = Number(await r.call('DBSIZE'));
    for (let i = 0; i < 16; i++) await p.call('SET', `short:${i}`, 'v', 'PX', '50');
    await settle(p, r);
    assert.equal(Number(await r.call('DBSIZE')), before + 16);
    await sleep(150);
    for (const c of rs) for (let i = 0; i < 16; i++) assert.equal(await c.call('GET', `short:${i}`), null);
    assert.equal(Number(await r.call('DBSIZE')), before + 16, 'the expired keys are still held');
    for (let i = 0; i < 16; i++) await p.call('GET', `short:${i}`);
    await settle(p, r);
    assert.equal(Number(await r.call('DBSIZE')), before, "the primary's DELs removed them");
    await p.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');

    // a killed link (asked on thread 3) comes back with a partial resync, the load running meanwhile
    assert.equal(await rs[3]!.call('CLIENT', 'KILL', 'TYPE', 'master'), 1);
    await Promise.all([load(redis.port, 64), linkUp(r)]);
    await expireOnPrimary(p);
    for (const c of rs) await settle(p, c);
    const stats = await info(p, 'stats');
    assert.equal(stats.sync_full, '1');
    assert.equal(stats.sync_partial_ok, '1');
    await assertSameData(p, rs[1]!, 'after a partial resync');

    // a primary again, asked on thread 1: every thread writes, the old ID is replid2
    const last = await info(r, 'replication');
    assert.equal(await rs[1]!.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    for (const [t, c] of rs.entries()) {
      const now = await info(c, 'replication');
      assert.equal(now.role, 'master', `thread ${t}: a primary`);
      assert.equal(now.master_replid2, last.master_replid);
      assert.equal(now.second_repl_offset, String(Number(last.master_repl_offset) + 1));
      assert.deepEqual(await c.call('ROLE'), ['master', Number(now.master_repl_offset), []]);
      assert.equal(await c.call('SET', `x${t}`, '1'), 'OK');
      assert.deepEqual(await c.call('CONFIG', 'GET', 'replicaof'), ['replicaof', '']);
    }
  } finally {
    p.close();
    for (const c of rs) c.close();
    await srv.close();
    await redis.stop();
  }
});

test('shardis (threads) → shardis (threads) → Redis 7.0 under a write load; killed links resumed by partial resync on both', async () => {
  const primary = await startServer({ port: 0, threads: THREADS });
  const mid = await startServer({ port: 0, threads: THREADS, config: { replicaof: `127.0.0.1 ${primary.port}` } });
  const p = await RespClient.connect(primary.port);
  const m = await RespClient.connect(mid.port);
  await preload(p);
  const redis = await startRedis(['--replicaof', '127.0.0.1', String(mid.port)]);
  const l = await RespClient.connect(redis.port);
  try {
    await Promise.all([load(primary.port), linkUp(m), linkUp(l)]);
    await expireOnPrimary(p);
    await settle(p, m);
    await settle(m, l);
    await assertSameData(p, m, 'shardis (threads) → shardis (threads)');
    await assertSameData(p, l, 'shardis (threads) → shardis (threads) → Redis');
    const [pi, mi, li] = [await info(p, 'replication'), await info(m, 'replication'), await info(l, 'replication')];
    assert.equal(mi.master_replid, pi.master_replid);
    assert.equal(li.master_replid, pi.master_replid);
    assert.equal(li.master_repl_offset, pi.master_repl_offset);
    assert.equal(mi.connected_slaves, '1');

    // the middle's link to the threaded primary: a partial resync from its backlog, the load running
    const pFull = (await info(p, 'stats')).sync_full;
    assert.equal(await m.call('CLIENT', 'KILL', 'TYPE', 'master'), 1);
    await Promise.all([load(primary.port, 64), linkUp(m)]);
    // the Redis leaf's link to the threaded middle: a partial resync from the middle's backlog
    const mStats = await info(m, 'stats');
    assert.equal(await m.call('CLIENT', 'KILL', 'TYPE', 'replica'), 1);
    await Promise.all([load(primary.port, 64), linkUp(l)]);
    await expireOnPrimary(p);
    await settle(p, m);
    await settle(m, l);
    await assertSameData(p, l, 'after partial resyncs');
    const ps = await info(p, 'stats');
    assert.equal(ps.sync_full, pFull, 'no new full sync of the middle');
    assert.equal(ps.sync_partial_ok, '1');
    const ms = await info(m, 'stats');
    assert.equal(ms.sync_full, mStats.sync_full, 'no new full sync of the leaf');
    assert.equal(Number(ms.sync_partial_ok), Number(mStats.sync_partial_ok) + 1);
  } finally {
    for (const c of [p, m, l]) c.close();
    await redis.stop();
    await mid.close();
    await primary.close();
  }
});

test('a threaded primary: Redis replicas on several threads share one offset; WAIT and min-replicas-to-write count them all', async () => {
  const srv = await startServer({ port: 0, threads: THREADS });
  const cs = await onEveryThread(srv.port);
  const redises = [];
  try {
    await preload(cs[0]!);
    for (let i = 0; i < 3; i++) redises.push(await startRedis(['--replicaof', '127.0.0.1', String(srv.port)]));
    const rc = await Promise.all(redises.map((r) => RespClient.connect(r.port)));
    try {
      await Promise.all([load(srv.port, 80), ...rc.map((c) => linkUp(c))]);
      await expireOnPrimary(cs[0]!);
      for (const c of rc) await settle(cs[0]!, c);
      for (const c of rc) await assertSameData(cs[0]!, c, 'shardis (threads) → Redis');
      const threads = await replicaThreads(cs[0]!);
      assert.equal(threads.length, 3);
      // one replication ID and offset on every replica and every thread
      const offsets = new Set<string>();
      for (const c of [...cs, ...rc]) offsets.add((await info(c, 'replication')).master_repl_offset);
      assert.equal(offsets.size, 1, `one offset: ${[...offsets].join(', ')}`);

      // WAIT from every thread counts the replicas of every thread
      for (const [t, c] of cs.entries()) {
        await ok(c, 'SET', `w${t}`, 'x');
        assert.equal(await c.call('WAIT', '3', '5000'), 3, `thread ${t}: WAIT`);
      }
      // min-replicas-to-write 3: every thread writes, whichever threads serve the replicas
      assert.equal(await cs[1]!.call('CONFIG', 'SET', 'min-replicas-to-write', '3', 'min-replicas-max-lag', '10'), 'OK');
      for (const [t, c] of cs.entries()) {
        await until(async () => (await c.call('SET', `m${t}`, 'x')) === 'OK', `thread ${t}: writes with 3 good replicas`, 5000);
        assert.equal((await info(c, 'replication')).min_slaves_good_slaves, '3');
      }
      // one replica fewer than needed: every thread refuses writes
      await redises.pop()!.stop();
      rc.pop()!.close();
      for (const [t, c] of cs.entries()) {
        await until(async () => {
          const r = await c.call('SET', `n${t}`, 'x');
          return r instanceof ReplyError && r.message === 'NOREPLICAS Not enough good replicas to write.';
        }, `thread ${t}: NOREPLICAS`, 10000);
      }
      assert.equal(await cs[2]!.call('CONFIG', 'SET', 'min-replicas-to-write', '2'), 'OK');
      for (const [t, c] of cs.entries()) {
        await until(async () => (await c.call('SET', `n${t}`, 'x')) === 'OK', `thread ${t}: writes with 2 good replicas`, 5000);
      }
      // the replicas killed once resume by partial resync, whichever thread they land on
      assert.equal(await cs[0]!.call('CONFIG', 'SET', 'min-replicas-to-write', '0'), 'OK');
      const before = await info(cs[0]!, 'stats');
      assert.equal(await cs[3]!.call('CLIENT', 'KILL', 'TYPE', 'replica'), 2);
      await Promise.all([load(srv.port, 40), ...rc.map((c) => linkUp(c))]);
      await expireOnPrimary(cs[0]!);
      for (const c of rc) await settle(cs[0]!, c);
      for (const c of rc) await assertSameData(cs[0]!, c, 'after partial resyncs');
      const after = await info(cs[0]!, 'stats');
      assert.equal(after.sync_full, before.sync_full);
      assert.equal(Number(after.sync_partial_ok), Number(before.sync_partial_ok) + 2);
      for (const c of rc) c.close();
    } finally {
      for (const c of rc) c.close();
    }
  } finally {
    for (const c of cs) c.close();
    for (const r of redises) await r.stop();
    await srv.close();
  }
});

test('PSYNC2 with threads: a threaded replica promoted from another thread, its threaded sibling follows it by partial resync', async () => {
  const redis = await startRedis();
  const a = await startServer({ port: 0, threads: THREADS, config: { replicaof: `127.0.0.1 ${redis.port}` } });
  const b = await startServer({ port: 0, threads: THREADS, config: { replicaof: `127.0.0.1 ${redis.port}` } });
  const p = await RespClient.connect(redis.port);
  const as = await onEveryThread(a.port);
  const cb = await RespClient.connect(b.port);
  try {
    await preload(p);
    await load(redis.port, 80);
    await expireOnPrimary(p);
    await settle(p, as[0]!);
    await settle(p, cb);
    const primaryId = (await info(p, 'replication')).master_replid;
    assert.equal(await as[3]!.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    assert.equal(await cb.call('REPLICAOF', '127.0.0.1', String(a.port)), 'OK');
    await linkUp(cb);
    // writes on every thread of the new primary, in several databases
    for (const [t, c] of as.entries()) {
      await ok(c, 'SELECT', String(t % 3));
      await ok(c, 'SET', `after:${t}`, 'promotion');
      await ok(c, 'HSET', 'hash', `new${t}`, '1');
      await ok(c, 'SELECT', '0');
    }
    await load(a.port, 48);
    await expireOnPrimary(as[0]!);
    await settle(as[0]!, cb);
    const st = await info(as[1]!, 'stats');
    assert.equal(st.sync_partial_ok, '1');
    assert.equal(st.sync_full, '0');
    const [ai, bi] = [await info(as[2]!, 'replication'), await info(cb, 'replication')];
    assert.equal(ai.master_replid2, primaryId);
    assert.equal(bi.master_replid, ai.master_replid);
    assert.equal(bi.master_replid2, primaryId);
    await assertSameData(as[0]!, cb, 'after the promotion');
  } finally {
    for (const c of [p, ...as, cb]) c.close();
    await a.close();
    await b.close();
    await redis.stop();
  }
});
