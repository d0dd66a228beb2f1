/**
 * shardis as a replica (src/replication/replica.ts): of a real Redis 7.0
 * primary (disk and diskless full sync) and of a shardis primary, under a
 * concurrent write load of every type, ending with equal datasets key by
 * key and by DEBUG DIGEST; READONLY, REPLICAOF NO ONE, INFO / ROLE, a
 * killed master link (partial resync from Redis and from shardis, full past
 * the backlog), expiry left to the primary, masterauth / masteruser, a
 * chain of replicas.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/index.ts';
import { RespClient, ReplyError, type Reply } from '../helpers/resp-client.ts';
import { assertSameData, expireOnPrimary, info, LIB, linkUp, load, ok, preload, settle, sleep, until } from '../helpers/replication.ts';
import { startRedis, startShardisProcess } from '../helpers/redis-process.ts';

for (const diskless of [false, true]) {
  test(`Redis 7.0 primary → shardis replica under a write load (${diskless ? 'diskless' : 'disk'} sync)`, async () => {
    const redis = await startRedis(['--repl-diskless-sync', diskless ? 'yes' : 'no']);
    const srv = await startServer({ port: 0, shards: 4 });
    const p = await RespClient.connect(redis.port);
    const r = await RespClient.connect(srv.port);
    try {
      await preload(p);
      assert.equal(await r.call('REPLICAOF', '127.0.0.1', String(redis.port)), 'OK');
      // the load runs while the primary snapshots, transfers and streams
      await load(redis.port);
      await linkUp(r);
      await expireOnPrimary(p);
      await settle(p, r);
      await assertSameData(p, r, 'Redis → shardis');
      assert.equal((await info(p, 'stats')).sync_full, '1');
    } finally {
      p.close();
      r.close();
      await srv.close();
      await redis.stop();
    }
  });
}

test('shardis primary → shardis replica → shardis replica (a chain) under a write load', async () => {
  const primary = await startServer({ port: 0 });
  const mid = await startServer({ port: 0, shards: 4 });
  const leaf = await startServer({ port: 0, config: { replicaof: `127.0.0.1 ${mid.port}` } });
  const p = await RespClient.connect(primary.port);
  const m = await RespClient.connect(mid.port);
  const l = await RespClient.connect(leaf.port);
  try {
    await preload(p);
    assert.equal(await m.call('SLAVEOF', '127.0.0.1', String(primary.port)), 'OK');
    await Promise.all([load(primary.port), linkUp(m)]);
    await linkUp(l);
    await expireOnPrimary(p);
    await settle(p, m);
    await settle(m, l);
    await assertSameData(p, m, 'shardis → shardis');
    await assertSameData(p, l, 'shardis → shardis → shardis');
    // the leaf's stream is its primary's as it came: same IDs and offsets down the chain
    const [pi, mi, li] = [await info(p, 'replication'), await info(m, 'replication'), await info(l, 'replication')];
    assert.equal(mi.master_replid, pi.master_replid);
    assert.equal(li.master_replid, pi.master_replid);
    assert.equal(li.master_repl_offset, pi.master_repl_offset);
    assert.equal(mi.connected_slaves, '1');

    // the link comes back after CLIENT KILL TYPE master: a partial resync from the primary's backlog
    const midFull = (await info(m, 'stats')).sync_full;
    assert.equal(await m.call('CLIENT', 'KILL', 'TYPE', 'master'), 1);
    await load(primary.port, 64);
    await linkUp(m);
    await expireOnPrimary(p);
    await settle(p, m);
    await settle(m, l);
    await assertSameData(p, l, 'after a partial resync');
    const st = await info(p, 'stats');
    assert.equal(st.sync_partial_ok, '1');
    assert.equal((await info(m, 'stats')).sync_full, midFull, 'the leaf kept its link (no new full sync of it)');

    // past the backlog (16 KB at least, as Redis's): a full sync, and the leaf syncs again in full from the middle
    assert.equal(await p.call('CONFIG', 'SET', 'repl-backlog-size', '16kb'), 'OK');
    // the middle cannot get back in while the big value is written (the primary wants no password)
    assert.equal(await m.call('CONFIG', 'SET', 'masterauth', 'not-the-password'), 'OK');
    assert.equal(await m.call('CLIENT', 'KILL', 'TYPE', 'master'), 1);
    await p.call('SET', 'big:outage', 'y'.repeat(40000));
    await sleep(1200);
    assert.equal((await info(m, 'replication')).master_link_status, 'down');
    assert.equal(await m.call('CONFIG', 'SET', 'masterauth', ''), 'OK');
    await linkUp(m);
    await settle(p, m);
    await settle(m, l);
    assert.equal((await info(p, 'stats')).sync_full, String(Number(st.sync_full) + 1));
    await assertSameData(p, l, 'after a full sync past the backlog');
  } finally {
    for (const c of [p, m, l]) c.close();
    await leaf.close();
    await mid.close();
    await primary.close();
  }
});

test('a Redis 7.0 replica of shardis: the same data under a load, a killed link resumed by partial resync', async () => {
  const srv = await startServer({ port: 0, shards: 4 });
  const p = await RespClient.connect(srv.port);
  await preload(p);
  const redis = await startRedis(['--replicaof', '127.0.0.1', String(srv.port)]);
  const r = await RespClient.connect(redis.port);
  try {
    await Promise.all([load(srv.port, 160), linkUp(r)]);
    await expireOnPrimary(p);
    await settle(p, r);
    await assertSameData(p, r, 'shardis → Redis');
    assert.equal(await p.call('CLIENT', 'KILL', 'TYPE', 'replica'), 1);
    await p.call('SET', 'during', 'the outage');
    await settle(p, r);
    assert.equal(await r.call('GET', 'during'), 'the outage');
    const stats = await info(p, 'stats');
    assert.equal(stats.sync_full, '1');
    assert.equal(stats.sync_partial_ok, '1');
  } finally {
    p.close();
    r.close();
    await redis.stop();
    await srv.close();
  }
});

test('a replica: READONLY, INFO and ROLE, expiry left to the primary, a killed link resumed by partial resync, REPLICAOF NO ONE', async () => {
  const redis = await startRedis();
  const srv = await startServer({ port: 0 });
  const p = await RespClient.connect(redis.port);
  const r = await RespClient.connect(srv.port);
  try {
    await r.call('SET', 'mine', 'gone after the sync');
    const before = await info(r, 'replication');
    assert.equal(before.role, 'master');
    await p.call('SET', 'k', 'v');
    assert.equal(await r.call('REPLICAOF', '127.0.0.1', String(redis.port)), 'OK');
    assert.equal(await r.call('REPLICAOF', '127.0.0.1', String(redis.port)), 'OK Already connected to specified master');
    await linkUp(r);
    await settle(p, r);
    assert.equal(await r.call('GET', 'k'), 'v');
    assert.equal(await r.call('GET', 'mine'), null);

    // writes from clients are refused, reads served
    const ro = "READONLY You can't write against a read only replica.";
    assert.deepEqual(await r.call('SET', 'x', '1'), new ReplyError(ro));
    assert.deepEqual(await r.call('DEL', 'k'), new ReplyError(ro));
    assert.equal(await r.call('MULTI'), 'OK');
    assert.deepEqual(await r.call('INCR', 'x'), new ReplyError(ro));
    assert.deepEqual(await r.call('EXEC'), new ReplyError('EXECABORT Transaction discarded because of previous errors.'));
    const script = await r.call('EVAL', "return redis.call('SET', 'x', '1')", '0');
    assert.ok(script instanceof ReplyError && script.message.startsWith('READONLY'), String((script as ReplyError).message));
    assert.equal(await r.call('EVAL', "return redis.call('GET', KEYS[1])", '1', 'k'), 'v');
    const wait = await r.call('WAIT', '0', '0');
    assert.ok(wait instanceof ReplyError && wait.message.startsWith('ERR WAIT cannot be used with replica instances.'));

    // INFO replication and ROLE as Redis's
    const pi = await info(p, 'replication');
    const ri = await info(r, 'replication');
    const fields = Object.keys(ri);
    assert.deepEqual(fields.slice(0, 15), [
      'role', 'master_host', 'master_port', 'master_link_status', 'master_last_io_seconds_ago', 'master_sync_in_progress',
      'slave_read_repl_offset', 'slave_repl_offset', 'slave_priority', 'slave_read_only', 'replica_announced', 'connected_slaves',
      'master_failover_state', 'master_replid', 'master_replid2',
    ]);
    assert.equal(ri.role, 'slave');
    assert.equal(ri.master_host, '127.0.0.1');
    assert.equal(ri.master_port, String(redis.port));
    assert.equal(ri.master_sync_in_progress, '0');
    assert.equal(ri.slave_read_only, '1');
    assert.equal(ri.slave_priority, '100');
    assert.equal(ri.master_replid, pi.master_replid);
    assert.equal(ri.master_repl_offset, ri.slave_repl_offset);
    assert.ok(Number(ri.master_last_io_seconds_ago) >= 0);
    const role = (await r.call('ROLE')) as Reply[];
    assert.deepEqual(role.slice(0, 4), ['slave', '127.0.0.1', redis.port, 'connected']);
    assert.equal(role[4], Number(ri.slave_repl_offset));
    // once the primary has put it online (a moment after the replica loaded a diskless transfer)
    await until(async () => ((await p.call('ROLE')) as Reply[][])[2]!.length === 1, "the primary's ROLE lists the replica");
    assert.match(String(await r.call('CLIENT', 'LIST', 'TYPE', 'master')), /flags=M /);

    // the replica never expires a key itself: hidden from reads, deleted by the primary's DEL
    await p.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await p.call('SET', 'short', 'v', 'PX', '50');
    await settle(p, r);
    await sleep(120);
    assert.equal(await r.call('GET', 'short'), null);
    assert.equal(await r.call('EXISTS', 'short'), 0);
    assert.equal(await r.call('DBSIZE'), 2, 'the expired key is still held');
    assert.equal(await p.call('GET', 'short'), null);
    await settle(p, r);
    assert.equal(await r.call('DBSIZE'), 1, "the primary's DEL removed it");

    // a killed link comes back with a partial resync (+CONTINUE): no second full sync
    assert.equal(await r.call('CLIENT', 'KILL', 'TYPE', 'master'), 1);
    await p.call('SET', 'during', 'the outage');
    await linkUp(r);
    await p.call('RPUSH', 'after', 'x');
    await settle(p, r);
    const stats = await info(p, 'stats');
    assert.equal(stats.sync_full, '1');
    assert.equal(stats.sync_partial_ok, '1');
    assert.equal(await r.call('GET', 'during'), 'the outage');
    assert.deepEqual(await r.call('LRANGE', 'after', '0', '-1'), ['x']);

    // a primary again: writable, the data kept, the old ID as replid2
    const last = await info(r, 'replication');
    assert.equal(await r.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    const now = await info(r, 'replication');
    assert.equal(now.role, 'master');
    assert.equal(now.master_replid2, last.master_replid);
    assert.equal(now.second_repl_offset, String(Number(last.master_repl_offset) + 1));
    assert.notEqual(now.master_replid, last.master_replid);
    assert.deepEqual(await r.call('ROLE'), ['master', Number(now.master_repl_offset), []]);
    assert.equal(await r.call('SET', 'x', '1'), 'OK');
    assert.equal(await r.call('GET', 'during'), 'the outage');
    assert.equal(await r.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    assert.deepEqual(await r.call('CONFIG', 'GET', 'replicaof'), ['replicaof', '']);
  } finally {
    p.close();
    r.close();
    await srv.close();
    await redis.stop();
  }
});

test('PSYNC2: a replica promoted with REPLICAOF NO ONE, its sibling follows it by partial resync', async () => {
  const redis = await startRedis();
  const a = await startServer({ port: 0, config: { replicaof: `127.0.0.1 ${redis.port}` } });
  const b = await startServer({ port: 0, shards: 4, config: { replicaof: `127.0.0.1 ${redis.port}` } });
  const p = await RespClient.connect(redis.port);
  const ca = await RespClient.connect(a.port);
  const cb = await RespClient.connect(b.port);
  try {
    await preload(p);
    await load(redis.port, 80);
    await expireOnPrimary(p);
    await settle(p, ca);
    await settle(p, cb);
    const primaryId = (await info(p, 'replication')).master_replid;
    assert.equal(await ca.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    assert.equal(await cb.call('REPLICAOF', '127.0.0.1', String(a.port)), 'OK');
    await linkUp(cb);
    // the new primary's stream selects its database first: the sibling was in the old stream's
    await ok(ca, 'SELECT', '1');
    await ok(ca, 'SET', 'after', 'promotion');
    await ok(ca, 'SELECT', '0');
    await ok(ca, 'HSET', 'hash', 'new', '1');
    await settle(ca, cb);
    const st = await info(ca, 'stats');
    assert.equal(st.sync_partial_ok, '1');
    assert.equal(st.sync_full, '0');
    const [ai, bi] = [await info(ca, 'replication'), await info(cb, 'replication')];
    assert.equal(ai.master_replid2, primaryId);
    assert.equal(bi.master_replid, ai.master_replid);
    assert.equal(bi.master_replid2, primaryId);
    await assertSameData(ca, cb, 'after the promotion');
  } finally {
    for (const c of [p, ca, cb]) c.close();
    await a.close();
    await b.close();
    await redis.stop();
  }
});

/**
 * What a Sentinel that fails over twice in a row leaves (its race, test/helpers/sentinels.ts): the second promoted
 * replica left the first one's history at its second_repl_offset, while the first, still a primary, went on taking
 * writes; turned to the second it asks for bytes past that and syncs in full, its own writes gone (Redis 7.0 the same:
 * "Requested offset for second ID was …, but I can reply up to …"). Without such writes it would continue partially.
 */
test('PSYNC2 after a second promotion: the first promoted, which took writes of its own meanwhile, syncs in full from the second', async () => {
  const now = { 'repl-diskless-sync-delay': '0' };
  const p = await startServer({ port: 0, config: now });
  const a = await startServer({ port: 0, config: { ...now, replicaof: `127.0.0.1 ${p.port}` } });
  const b = await startServer({ port: 0, shards: 4, config: { ...now, replicaof: `127.0.0.1 ${p.port}` } });
  const [cp, ca, cb] = [await RespClient.connect(p.port), await RespClient.connect(a.port), await RespClient.connect(b.port)];
  let primaryUp = true;
  try {
    await preload(cp);
    await load(p.port, 80);
    await settle(cp, ca);
    await settle(cp, cb);
    await p.close();
    primaryUp = false;
    // the first failover: a promoted, b continues its history
    assert.equal(await ca.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    assert.equal(await cb.call('REPLICAOF', '127.0.0.1', String(a.port)), 'OK');
    await ok(ca, 'SET', 'first', 'promotion');
    await settle(ca, cb);
    assert.equal((await info(ca, 'stats')).sync_partial_ok, '1');
    // the second: b promoted while a, still a primary, acknowledges a write b never gets
    assert.equal(await cb.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    const bi = await info(cb, 'replication');
    assert.equal(bi.master_replid2, (await info(ca, 'replication')).master_replid);
    await ok(ca, 'SET', 'split', 'brain');
    assert.ok(Number((await info(ca, 'replication')).master_repl_offset) + 1 > Number(bi.second_repl_offset));
    assert.equal(await ca.call('REPLICAOF', '127.0.0.1', String(b.port)), 'OK');
    await settle(cb, ca);
    const st = await info(cb, 'stats');
    assert.deepEqual([st.sync_full, st.sync_partial_ok, st.sync_partial_err], ['1', '0', '1']);
    assert.equal(await ca.call('GET', 'split'), null);
    assert.equal(await ca.call('GET', 'first'), 'promotion');
    await assertSameData(cb, ca, 'after the second promotion');
  } finally {
    for (const c of [cp, ca, cb]) c.close();
    if (primaryUp) await p.close();
    await a.close();
    await b.close();
  }
});

test('masterauth and masteruser against a primary that requires a password; a wrong one keeps the link down', async () => {
  const redis = await startRedis(['--requirepass', 'secret', '--user', 'repl', 'on', '>replpw', '~*', '&*', '+@all']);
  const p = await RespClient.connect(redis.port);
  await p.call('AUTH', 'secret');
  await p.call('SET', 'k', 'v');
  const wrong = await startServer({ port: 0, config: { masterauth: 'nope' } });
  const good = await startServer({ port: 0, config: { masterauth: 'secret', replicaof: `127.0.0.1 ${redis.port}` } });
  const user = await startServer({ port: 0 });
  const [w, g, u] = [await RespClient.connect(wrong.port), await RespClient.connect(good.port), await RespClient.connect(user.port)];
  try {
    assert.equal(await w.call('REPLICAOF', '127.0.0.1', String(redis.port)), 'OK');
    await linkUp(g);
    assert.equal(await g.call('GET', 'k'), 'v');
    assert.equal(await u.call('CONFIG', 'SET', 'masteruser', 'repl', 'masterauth', 'replpw'), 'OK');
    assert.equal(await u.call('REPLICAOF', '127.0.0.1', String(redis.port)), 'OK');
    await linkUp(u);
    await settle(p, u);
    assert.equal(await u.call('GET', 'k'), 'v');
    const wi = await info(w, 'replication');
    assert.equal(wi.master_link_status, 'down');
    assert.equal(wi.master_link_down_since_seconds, '-1');
    assert.notEqual(((await w.call('ROLE')) as Reply[])[3], 'connected');
    // with replica-serve-stale-data no, a replica whose link is down runs only `stale` commands
    assert.equal(await w.call('GET', 'k'), null);
    assert.equal(await w.call('CONFIG', 'SET', 'replica-serve-stale-data', 'no'), 'OK');
    assert.deepEqual(await w.call('GET', 'k'), new ReplyError("MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'."));
    assert.equal((await info(w, 'replication')).role, 'slave');
  } finally {
    for (const c of [p, w, g, u]) c.close();
    await wrong.close();
    await good.close();
    await user.close();
    await redis.stop();
  }
});

test('REPLICAOF errors: a bad port', async () => {
  const srv = await startServer({ port: 0 });
  const c = await RespClient.connect(srv.port);
  try {
    assert.deepEqual(await c.call('REPLICAOF', '127.0.0.1', 'abc'), new ReplyError('ERR Invalid master port'));
    assert.deepEqual(await c.call('REPLICAOF', '127.0.0.1', '70000'), new ReplyError('ERR Invalid master port'));
    assert.deepEqual(await c.call('REPLICAOF', 'x'), new ReplyError("ERR wrong number of arguments for 'replicaof' command"));
  } finally {
    c.close();
    await srv.close();
  }
});

test('a writable replica expires the keys its own clients gave a TTL; min-replicas-to-write binds only a primary', async () => {
  const primary = await startServer({ port: 0 });
  const replica = await startServer({ port: 0, config: { 'replica-read-only': 'no', 'min-replicas-to-write': '1' } });
  const p = await RespClient.connect(primary.port);
  const r = await RespClient.connect(replica.port);
  try {
    await r.call('REPLICAOF', '127.0.0.1', String(primary.port));
    await linkUp(r);
    // the primary's writes go through although this replica has no replicas of its own
    await p.call('SET', 'from-primary', 'v', 'PX', '300');
    await p.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    await settle(p, r);
    await r.call('SELECT', '5');
    for (const k of ['k1', 'k2', 'k3']) assert.equal(await r.call('SET', k, '1', 'PX', '200'), 'OK');
    await r.call('SET', 'no-ttl', '1');
    await r.call('HSET', 'h', 'f', 'v');
    await r.call('PEXPIRE', 'h', '200');
    assert.equal(await r.call('DBSIZE'), 5);
    await sleep(600);
    // its own keys are deleted; the primary's key, past its TTL, reads as missing but waits for the primary's DEL
    assert.equal(await r.call('DBSIZE'), 1);
    assert.equal(await r.call('EXISTS', 'no-ttl'), 1);
    await r.call('SELECT', '0');
    assert.equal(await r.call('DBSIZE'), 1);
    assert.equal(await r.call('GET', 'from-primary'), null);
    await p.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    await until(async () => (await r.call('DBSIZE')) === 0, 'the primary expired its key and the replica followed');
    // a key given a TTL and then PERSISTed stays
    await r.call('SET', 'kept', '1', 'PX', '100');
    await r.call('PERSIST', 'kept');
    await sleep(300);
    assert.equal(await r.call('GET', 'kept'), '1');
  } finally {
    p.close();
    r.close();
    await replica.close();
    await primary.close();
  }
});

test('a primary turned replica ends its blocked clients with UNBLOCKED, so the stream alone changes its lists', async () => {
  const a = await startServer({ port: 0 });
  const b = await startServer({ port: 0 });
  const pa = await RespClient.connect(a.port);
  const rb = await RespClient.connect(b.port);
  const blocked = await RespClient.connect(b.port);
  try {
    const pop = blocked.call('BLPOP', 'foo', '0');
    await until(async () => (await info(rb, 'clients')).blocked_clients === '1', 'the BLPOP blocks');
    await rb.call('REPLICAOF', '127.0.0.1', String(a.port));
    assert.deepEqual(await pop, new ReplyError('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)'));
    await linkUp(rb);
    await pa.call('RPUSH', 'foo', 'a', 'b', 'c');
    await settle(pa, rb);
    assert.deepEqual(await rb.call('LRANGE', 'foo', '0', '-1'), ['a', 'b', 'c']);
    assert.equal(await rb.call('DEBUG', 'DIGEST'), await pa.call('DEBUG', 'DIGEST'));
  } finally {
    pa.close();
    rb.close();
    blocked.close();
    await b.close();
    await a.close();
  }
});

test('a paused primary (stopped past repl-timeout): its replica times out, then resumes by partial resync (Redis → shardis, shardis → shardis)', async () => {
  const redis = await startRedis(['--repl-ping-replica-period', '1']);
  const sp = await startShardisProcess(['--repl-ping-replica-period', '1']);
  const r1 = await startServer({ port: 0, config: { 'repl-timeout': '2' } });
  const r2 = await startServer({ port: 0, config: { 'repl-timeout': '2' } });
  const p1 = await RespClient.connect(redis.port);
  const p2 = await RespClient.connect(sp.port);
  const c1 = await RespClient.connect(r1.port);
  const c2 = await RespClient.connect(r2.port);
  const stats = async (c: RespClient): Promise<[string, string]> => {
    const i = await info(c, 'stats');
    return [i.sync_full!, i.sync_partial_ok!];
  };
  try {
    await c1.call('REPLICAOF', '127.0.0.1', String(redis.port));
    await c2.call('REPLICAOF', '127.0.0.1', String(sp.port));
    await linkUp(c1);
    await linkUp(c2);
    for (const p of [p1, p2]) for (let i = 0; i < 50; i++) await p.call('SET', `k${i}`, String(i));
    await settle(p1, c1);
    await settle(p2, c2);
    const fulls = [(await stats(p1))[0], (await stats(p2))[0]];
    // both primaries stopped for longer than their replicas' repl-timeout
    redis.signal('SIGSTOP');
    sp.signal('SIGSTOP');
    await until(async () => (await info(c1, 'replication')).master_link_status === 'down' && (await info(c2, 'replication')).master_link_status === 'down', 'the replicas time out', 10000);
    redis.signal('SIGCONT');
    sp.signal('SIGCONT');
    for (const p of [p1, p2]) for (let i = 0; i < 50; i++) await p.call('INCR', `k${i}`);
    await until(async () => (await stats(p1))[1] === '1' && (await stats(p2))[1] === '1', 'both replicas resumed by partial resync');
    assert.deepEqual([(await stats(p1))[0], (await stats(p2))[0]], fulls, 'no full sync');
    await settle(p1, c1);
    await settle(p2, c2);
    assert.equal(await c1.call('DEBUG', 'DIGEST'), await p1.call('DEBUG', 'DIGEST'));
    assert.equal(await c2.call('DEBUG', 'DIGEST'), await p2.call('DEBUG', 'DIGEST'));
    assert.equal(await c2.call('GET', 'k49'), '50');
  } finally {
    redis.signal('SIGCONT');
    sp.signal('SIGCONT');
    for (const c of [p1, p2, c1, c2]) c.close();
    await r1.close();
    await r2.close();
    await sp.stop();
    await redis.stop();
  }
});

test('a replica that turns to another primary keeps its own replicas until a full sync is loaded; back to the first, it continues by partial resync', async () => {
  const a = await startServer({ port: 0 });
  const b = await startShardisProcess(['--rdb-key-save-delay', '1000000', '--repl-diskless-sync', 'no']);
  const r = await startServer({ port: 0 });
  const sub = await startServer({ port: 0 });
  const pa = await RespClient.connect(a.port);
  const pb = await RespClient.connect(b.port);
  const rc = await RespClient.connect(r.port);
  const sc = await RespClient.connect(sub.port);
  try {
    await pa.call('SET', 'a', 'b');
    await pb.call('DEBUG', 'POPULATE', '10', 'master2', '10');
    await rc.call('REPLICAOF', '127.0.0.1', String(a.port));
    await linkUp(rc);
    await sc.call('REPLICAOF', '127.0.0.1', String(r.port));
    await linkUp(sc);
    assert.equal(await sc.call('GET', 'a'), 'b');
    const replid = (await info(pa, 'replication')).master_replid;
    // a full sync from b starts (ten seconds of file), then b goes away
    await rc.call('REPLICAOF', '127.0.0.1', String(b.port));
    await until(async () => (await info(pb, 'persistence')).rdb_bgsave_in_progress === '1' && /state=wait_bgsave/.test(String(await pb.call('INFO', 'replication'))), 'the full sync from b starts');
    await b.stop();
    await sleep(300);
    assert.equal((await info(sc, 'replication')).master_link_status, 'up', 'the sub-replica kept its link');
    assert.equal((await info(rc, 'replication')).master_replid, replid);
    assert.equal((await info(sc, 'replication')).master_replid, replid);
    const before = await info(pa, 'stats');
    await rc.call('REPLICAOF', '127.0.0.1', String(a.port));
    await linkUp(rc);
    const after = await info(pa, 'stats');
    assert.equal(after.sync_full, before.sync_full);
    assert.equal(Number(after.sync_partial_ok), Number(before.sync_partial_ok) + 1);
    const rs = await info(rc, 'stats');
    assert.deepEqual([rs.sync_full, rs.sync_partial_ok], ['1', '0'], 'the sub-replica synced once, in full');
    await pa.call('SET', 'a', 'c');
    await until(async () => (await sc.call('GET', 'a')) === 'c', 'the chain streams again');
  } finally {
    for (const c of [pa, pb, rc, sc]) c.close();
    await sub.close();
    await r.close();
    await b.stop();
    await a.close();
  }
});

test('restarted from its RDB (repl-id, repl-offset, repl-stream-db), a replica continues by partial resync, and so do the replicas of a restarted primary', async () => {
  const rdir = mkdtempSync(join(tmpdir(), 'shardis-restart-'));
  const pdir = mkdtempSync(join(tmpdir(), 'shardis-restart-'));
  const primary = await startServer({ port: 0 });
  const pc = await RespClient.connect(primary.port);
  let r1 = await startShardisProcess(['--dir', rdir, '--replicaof', '127.0.0.1', String(primary.port)]);
  let p2 = await startShardisProcess(['--dir', pdir]);
  const redis = await startRedis();
  let rc: RespClient | null = null;
  let p2c: RespClient | null = null;
  const rr = await RespClient.connect(redis.port);
  try {
    await pc.call('SELECT', '3');
    for (let i = 0; i < 20; i++) await pc.call('SET', `k${i}`, String(i));
    rc = await RespClient.connect(r1.port);
    await linkUp(rc);
    await settle(pc, rc);
    // the replica stops with a save, the primary goes on within its backlog
    await rc.call('SHUTDOWN', 'SAVE').catch(() => null);
    rc.close();
    await r1.stop();
    for (let i = 0; i < 20; i++) await pc.call('INCR', `k${i}`);
    const before = await info(pc, 'stats');
    r1 = await startShardisProcess(['--dir', rdir, '--replicaof', '127.0.0.1', String(primary.port)], r1.port);
    rc = await RespClient.connect(r1.port);
    await linkUp(rc);
    await settle(pc, rc);
    const after = await info(pc, 'stats');
    assert.equal(after.sync_full, before.sync_full, 'no full sync');
    assert.equal(Number(after.sync_partial_ok), Number(before.sync_partial_ok) + 1);
    await rc.call('SELECT', '3');
    assert.equal(await rc.call('GET', 'k19'), '20');
    assert.equal(await rc.call('DEBUG', 'DIGEST'), await pc.call('DEBUG', 'DIGEST'));

    // a shardis primary with a Redis replica restarts from its RDB: the replica continues it
    p2c = await RespClient.connect(p2.port);
    await rr.call('REPLICAOF', '127.0.0.1', String(p2.port));
    await linkUp(rr);
    for (let i = 0; i < 20; i++) await p2c.call('SET', `p${i}`, String(i));
    await settle(p2c, rr);
    await p2c.call('SHUTDOWN', 'SAVE').catch(() => null);
    p2c.close();
    await p2.stop();
    p2 = await startShardisProcess(['--dir', pdir], p2.port);
    p2c = await RespClient.connect(p2.port);
    await until(async () => (await info(p2c!, 'stats')).sync_partial_ok === '1', 'the Redis replica resumed by partial resync');
    assert.equal((await info(p2c, 'stats')).sync_full, '0');
    await p2c.call('SET', 'after', 'restart');
    await until(async () => (await rr.call('GET', 'after')) === 'restart', 'the stream goes on');
    assert.equal(await rr.call('DEBUG', 'DIGEST'), await p2c.call('DEBUG', 'DIGEST'));
  } finally {
    rc?.close();
    p2c?.close();
    rr.close();
    await r1.stop();
    await p2.stop();
    await redis.stop();
    pc.close();
    await primary.close();
    rmSync(rdir, { recursive: true, force: true });
    rmSync(pdir, { recursive: true, force: true });
  }
});
