/**
 * FAILOVER (src/replication/failover.ts) over real sockets: a shardis primary
 * failing over to a shardis replica (TO, and to any replica) while a second
 * replica continues by partial resync; TIMEOUT rolling back, ABORT, writes
 * held meanwhile; a target refusing the PSYNC; FORCE to a stopped
 * redis-server replica; a Redis 7.0 primary failing over to a shardis
 * replica; every error as Redis's (the same commands sent to both);
 * repl-backlog-ttl.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../src/index.ts';
import { RespClient, ReplyError, type Reply } from '../helpers/resp-client.ts';
import { info, ok, sleep, until } from '../helpers/replication.ts';
import { startRedis } from '../helpers/redis-process.ts';

/** The replica's link is up and it applied everything its primary streamed. */
async function settle(primary: RespClient, replica: RespClient): Promise<void> {
  await until(async () => {
    const [p, r] = [await info(primary, 'replication'), await info(replica, 'replication')];
    return r.master_link_status === 'up' && p.master_repl_offset === r.slave_repl_offset;
  }, 'the replica caught up with its primary');
}

async function failoverState(c: RespClient): Promise<string> {
  return (await info(c, 'replication')).master_failover_state!;
}

async function noFailover(c: RespClient): Promise<void> {
  await until(async () => (await failoverState(c)) === 'no-failover', 'the failover ended');
}

async function stats(c: RespClient): Promise<{ full: number; partial: number }> {
  const s = await info(c, 'stats');
  return { full: Number(s.sync_full), partial: Number(s.sync_partial_ok) };
}

/** Keys in two databases, a hash with a TTL, a list, a counter. */
async function writeSome(c: RespClient, tag: string): Promise<void> {
  for (let i = 0; i < 50; i++) await ok(c, 'SET', `${tag}:s${i}`, `v${i}`);
  await ok(c, 'HSET', `${tag}:h`, 'f', 'v', 'g', 'w');
  await ok(c, 'PEXPIRE', `${tag}:h`, '900000');
  await ok(c, 'RPUSH', `${tag}:l`, 'a', 'b', 'c');
  await ok(c, 'INCRBY', `${tag}:n`, '7');
  await ok(c, 'SELECT', '3');
  await ok(c, 'SET', `${tag}:db3`, 'three');
  await ok(c, 'SELECT', '0');
}

async function sameData(...cs: RespClient[]): Promise<void> {
  const first = await cs[0]!.call('DEBUG', 'DIGEST');
  assert.notEqual(first, '0'.repeat(40));
  for (const c of cs.slice(1)) assert.equal(await c.call('DEBUG', 'DIGEST'), first);
}

async function role(c: RespClient): Promise<string> {
  return String(((await c.call('ROLE')) as Reply[])[0]);
}

/**
 * A replica that never acknowledges: a raw connection that announces
 * `listeningPort` and asks PSYNC ? -1 (`eof`: it takes a diskless copy, and
 * with a sync delay waits for it).
 */
async function fakeReplica(port: number, listeningPort: number, eof = false): Promise<RespClient> {
  const c = await RespClient.connect(port);
  assert.equal(await c.call('REPLCONF', 'listening-port', String(listeningPort)), 'OK');
  if (eof) assert.equal(await c.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2'), 'OK');
  c.send('PSYNC', '?', '-1');
  return c;
}

const DISKLESS_NOW = { 'repl-diskless-sync-delay': '0' };

test('FAILOVER TO a shardis replica: the other replica continues by partial resync; then FAILOVER to any replica', async () => {
  const p = await startServer({ port: 0, config: DISKLESS_NOW });
  const a = await startServer({ port: 0, shards: 4, config: { ...DISKLESS_NOW, replicaof: `127.0.0.1 ${p.port}` } });
  const b = await startServer({ port: 0, config: { ...DISKLESS_NOW, replicaof: `127.0.0.1 ${p.port}` } });
  const [cp, ca, cb] = [await RespClient.connect(p.port), await RespClient.connect(a.port), await RespClient.connect(b.port)];
  try {
    await writeSome(cp, 'before');
    await settle(cp, ca);
    await settle(cp, cb);
    assert.equal((await info(cp, 'replication')).master_failover_state, 'no-failover');
    const a0 = await stats(ca);
    const oldReplid = (await info(cp, 'replication')).master_replid;

    // writes right before: A acknowledges them before the failover goes on
    await ok(cp, 'SET', 'last', 'write');
    assert.equal(await cp.call('FAILOVER', 'TO', '127.0.0.1', String(a.port)), 'OK');
    await noFailover(cp);
    assert.equal(await role(cp), 'slave');
    assert.equal(await role(ca), 'master');
    const pi = await info(cp, 'replication');
    assert.equal(pi.master_port, String(a.port));
    await until(async () => (await info(cp, 'replication')).master_link_status === 'up', 'the old primary follows the new one');
    // B follows the new primary: a partial resync (PSYNC2), as the old primary's was
    assert.equal(await cb.call('REPLICAOF', '127.0.0.1', String(a.port)), 'OK');
    await settle(ca, cb);
    const a1 = await stats(ca);
    assert.equal(a1.partial - a0.partial, 2, 'the old primary and the sibling resynced partially');
    assert.equal(a1.full - a0.full, 0, 'no full sync');
    // the new primary's history continues the old one's; the old primary took the new ID
    const ai = await info(ca, 'replication');
    assert.equal(ai.connected_slaves, '2');
    assert.equal(ai.master_replid2, oldReplid);
    assert.equal((await info(cp, 'replication')).master_replid, ai.master_replid);
    // the new primary writes; both follow
    await ok(ca, 'SELECT', '5');
    await ok(ca, 'SET', 'after', 'failover');
    await ok(ca, 'SELECT', '0');
    await writeSome(ca, 'after');
    await settle(ca, cp);
    await settle(ca, cb);
    assert.equal(await cp.call('GET', 'last'), 'write');
    await sameData(ca, cp, cb);
    assert.deepEqual(await cp.call('SET', 'x', 'y'), new ReplyError("READONLY You can't write against a read only replica."));

    // FAILOVER without TO: the first replica that acknowledged the whole stream takes over
    const [p1, b1] = [await stats(cp), await stats(cb)];
    assert.equal(await ca.call('FAILOVER'), 'OK');
    await noFailover(ca);
    assert.equal(await role(ca), 'slave');
    const [np, nb] = [await role(cp), await role(cb)];
    assert.deepEqual([np, nb].sort(), ['master', 'slave']);
    const [winner, other] = np === 'master' ? [cp, cb] : [cb, cp];
    const winnerPort = np === 'master' ? p.port : b.port;
    assert.equal((await info(ca, 'replication')).master_port, String(winnerPort));
    assert.equal(await other.call('REPLICAOF', '127.0.0.1', String(winnerPort)), 'OK');
    await settle(winner, ca);
    await settle(winner, other);
    const w1 = np === 'master' ? await stats(cp) : await stats(cb);
    const w0 = np === 'master' ? p1 : b1;
    assert.equal(w1.partial - w0.partial, 2);
    assert.equal(w1.full - w0.full, 0);
    await ok(winner, 'SET', 'third', 'primary');
    await settle(winner, ca);
    await settle(winner, other);
    await sameData(winner, ca, other);
  } finally {
    for (const c of [cp, ca, cb]) c.close();
    for (const s of [p, a, b]) await s.close();
  }
});

test('FAILOVER waits with writes held: TIMEOUT rolls back, ABORT rolls back, a real replica stays in sync', async () => {
  const p = await startServer({ port: 0, config: DISKLESS_NOW });
  const a = await startServer({ port: 0, config: { replicaof: `127.0.0.1 ${p.port}` } });
  const [cp, ca, w] = [await RespClient.connect(p.port), await RespClient.connect(a.port), await RespClient.connect(p.port)];
  const fake = await fakeReplica(p.port, 7777);
  try {
    await writeSome(cp, 'x');
    await settle(cp, ca);
    const s0 = await stats(cp);
    // the fake replica never acknowledges: the failover waits for it
    assert.equal(await cp.call('FAILOVER', 'TO', '127.0.0.1', '7777', 'TIMEOUT', '600'), 'OK');
    assert.equal(await failoverState(cp), 'waiting-for-sync');
    const held = w.call('SET', 'held', '1');
    const first = await Promise.race([held, sleep(200).then(() => 'still waiting')]);
    assert.equal(first, 'still waiting', 'writes are paused');
    assert.equal(await cp.call('GET', 'x:s1'), 'v1', 'reads run');
    assert.equal(await cp.call('CLIENT', 'UNPAUSE'), 'OK');
    assert.equal(await Promise.race([held, sleep(100).then(() => 'still waiting')]), 'still waiting', 'CLIENT UNPAUSE leaves the failover pause');
    // the timeout passes without FORCE: rolled back, the write runs on the primary
    assert.equal(await held, 'OK');
    assert.equal(await failoverState(cp), 'no-failover');
    assert.equal(await role(cp), 'master');

    // ABORT
    assert.equal(await cp.call('FAILOVER', 'TO', '127.0.0.1', '7777', 'TIMEOUT', '60000'), 'OK');
    assert.equal(await failoverState(cp), 'waiting-for-sync');
    const held2 = w.call('INCR', 'counter');
    assert.equal(await Promise.race([held2, sleep(150).then(() => 'still waiting')]), 'still waiting');
    assert.equal(await cp.call('FAILOVER', 'ABORT'), 'OK');
    assert.equal(await held2, 1);
    assert.equal(await failoverState(cp), 'no-failover');
    assert.deepEqual(await cp.call('FAILOVER', 'ABORT'), new ReplyError('ERR No failover in progress.'));

    // nothing moved: the real replica follows as before, nobody resynced
    await settle(cp, ca);
    assert.equal(await ca.call('GET', 'held'), '1');
    assert.deepEqual(await stats(cp), s0);
    assert.equal(await role(ca), 'slave');
    await sameData(cp, ca);
  } finally {
    for (const c of [cp, ca, w, fake]) c.close();
    await a.close();
    await p.close();
  }
});

test('a target that refuses PSYNC … FAILOVER (ACL -psync): rolled back, a primary again with a new ID, its replicas continue by partial resync', async () => {
  const p = await startServer({ port: 0, config: DISKLESS_NOW });
  const a = await startServer({ port: 0, config: { replicaof: `127.0.0.1 ${p.port}` } });
  const b = await startServer({ port: 0, config: { replicaof: `127.0.0.1 ${p.port}` } });
  const [cp, ca, cb] = [await RespClient.connect(p.port), await RespClient.connect(a.port), await RespClient.connect(b.port)];
  try {
    await writeSome(cp, 'r');
    await settle(cp, ca);
    await settle(cp, cb);
    const s0 = await stats(cp);
    const replid = (await info(cp, 'replication')).master_replid;
    assert.equal(await ca.call('ACL', 'SETUSER', 'default', '-psync'), 'OK');
    assert.equal(await cp.call('FAILOVER', 'TO', '127.0.0.1', String(a.port)), 'OK');
    await noFailover(cp);
    assert.equal(await role(cp), 'master');
    assert.equal(await role(ca), 'slave');
    assert.equal(await ca.call('ACL', 'SETUSER', 'default', '+psync'), 'OK');
    const pi = await info(cp, 'replication');
    assert.notEqual(pi.master_replid, replid);
    assert.equal(pi.master_replid2, replid);
    await ok(cp, 'SET', 'after', 'rollback');
    await settle(cp, ca);
    await settle(cp, cb);
    const s1 = await stats(cp);
    assert.equal(s1.partial - s0.partial, 2);
    assert.equal(s1.full - s0.full, 0);
    await sameData(cp, ca, cb);
  } finally {
    for (const c of [cp, ca, cb]) c.close();
    for (const s of [p, a, b]) await s.close();
  }
});

test('FAILOVER TO a stopped redis-server replica with TIMEOUT and FORCE: it fails over anyway, the shardis sibling resyncs partially', async () => {
  const p = await startServer({ port: 0, config: DISKLESS_NOW });
  const redis = await startRedis(['--replicaof', '127.0.0.1', String(p.port)]);
  const b = await startServer({ port: 0, config: { replicaof: `127.0.0.1 ${p.port}` } });
  const [cp, cr, cb] = [await RespClient.connect(p.port), await RespClient.connect(redis.port), await RespClient.connect(b.port)];
  let stopped = false;
  try {
    await writeSome(cp, 'f');
    await settle(cp, cr);
    await settle(cp, cb);
    redis.signal('SIGSTOP');
    stopped = true;
    // the stopped replica will not acknowledge this before the timeout
    await ok(cp, 'SET', 'unacked', '1');
    assert.equal(await cp.call('FAILOVER', 'TO', '127.0.0.1', String(redis.port), 'TIMEOUT', '100', 'FORCE'), 'OK');
    await until(async () => (await failoverState(cp)) === 'failover-in-progress', 'the failover goes on after the timeout');
    assert.equal(await role(cp), 'slave');
    assert.equal(await role(cb), 'slave');
    redis.signal('SIGCONT');
    stopped = false;
    await noFailover(cp);
    assert.equal(await role(cr), 'master');
    await until(async () => (await info(cp, 'replication')).master_link_status === 'up', 'the old primary follows Redis');
    assert.equal(await cb.call('REPLICAOF', '127.0.0.1', String(redis.port)), 'OK');
    await settle(cr, cb);
    await settle(cr, cp);
    // the kept replica link delivered the unacknowledged write before the PSYNC: both continued
    const rs = await stats(cr);
    assert.equal(rs.partial, 2);
    assert.equal(rs.full, 0);
    assert.equal(await cr.call('GET', 'unacked'), '1');
    await ok(cr, 'SET', 'on', 'redis');
    await settle(cr, cp);
    await settle(cr, cb);
    await sameData(cr, cp, cb);
  } finally {
    if (stopped) redis.signal('SIGCONT');
    for (const c of [cp, cr, cb]) c.close();
    await b.close();
    await p.close();
    await redis.stop();
  }
});

test('a Redis 7.0 primary fails over TO a shardis replica (PSYNC … FAILOVER); the shardis sibling follows by partial resync', async () => {
  const redis = await startRedis();
  const a = await startServer({ port: 0, shards: 4, config: { replicaof: `127.0.0.1 ${redis.port}` } });
  const b = await startServer({ port: 0, config: { replicaof: `127.0.0.1 ${redis.port}` } });
  const [cr, ca, cb] = [await RespClient.connect(redis.port), await RespClient.connect(a.port), await RespClient.connect(b.port)];
  try {
    await writeSome(cr, 'r');
    await settle(cr, ca);
    await settle(cr, cb);
    const replid = (await info(cr, 'replication')).master_replid;
    assert.equal(await cr.call('FAILOVER', 'TO', '127.0.0.1', String(a.port)), 'OK');
    await noFailover(cr);
    assert.equal(await role(cr), 'slave');
    assert.equal(await role(ca), 'master');
    const ai = await info(ca, 'replication');
    assert.equal(ai.master_replid2, replid);
    assert.equal(await cb.call('REPLICAOF', '127.0.0.1', String(a.port)), 'OK');
    await settle(ca, cr);
    await settle(ca, cb);
    const as = await stats(ca);
    assert.equal(as.partial, 2);
    assert.equal(as.full, 0);
    await writeSome(ca, 'a');
    await settle(ca, cr);
    await settle(ca, cb);
    await sameData(ca, cr, cb);
  } finally {
    for (const c of [cr, ca, cb]) c.close();
    await a.close();
    await b.close();
    await redis.stop();
  }
});

/** The same FAILOVER / PSYNC … FAILOVER errors from a primary, its replica, and while a failover waits. */
async function errorReplies(primary: RespClient, replica: RespClient, primaryPort: number, replicaPort: number): Promise<Reply[]> {
  const out: Reply[] = [];
  const add = async (c: RespClient, ...args: string[]): Promise<void> => {
    out.push(await c.call(...args));
  };
  await add(primary, 'FAILOVER', 'TO', '127.0.0.1', 'notaport');
  await add(primary, 'FAILOVER', 'TIMEOUT', '0');
  await add(primary, 'FAILOVER', 'TIMEOUT', '-5');
  await add(primary, 'FAILOVER', 'TIMEOUT', 'abc');
  await add(primary, 'FAILOVER', 'TIMEOUT', '100', 'TIMEOUT', '200');
  await add(primary, 'FAILOVER', 'TO', '127.0.0.1', '1', 'TO', '127.0.0.1', '2');
  await add(primary, 'FAILOVER', 'FORCE', 'FORCE');
  await add(primary, 'FAILOVER', 'BOGUS');
  await add(primary, 'FAILOVER', 'TO', '127.0.0.1');
  await add(primary, 'FAILOVER', 'ABORT');
  await add(primary, 'FAILOVER', 'ABORT', 'TIMEOUT', '5');
  await add(primary, 'FAILOVER', 'FORCE', 'TIMEOUT', '100');
  await add(primary, 'FAILOVER', 'TO', '127.0.0.1', String(replicaPort), 'FORCE');
  await add(primary, 'FAILOVER', 'TO', '127.0.0.1', '1');
  await add(primary, 'FAILOVER', 'TO', 'invalidhost', String(replicaPort));
  await add(primary, 'PSYNC', '?', '-1', 'FAILOVER');
  await add(replica, 'FAILOVER');
  await add(replica, 'FAILOVER', 'TO', '127.0.0.1', String(primaryPort));
  await add(replica, 'PSYNC', 'f'.repeat(40), '1', 'FAILOVER');
  // a replica that waits for its copy (repl-diskless-sync-delay) is not online
  await add(primary, 'CONFIG', 'SET', 'repl-diskless-sync-delay', '30');
  const waiting = await fakeReplica(primaryPort, 8888, true);
  await until(async () => (await info(primary, 'replication')).connected_slaves === '3', 'the waiting replica is listed');
  await add(primary, 'FAILOVER', 'TO', '127.0.0.1', '8888');
  // while one waits
  await add(primary, 'FAILOVER', 'TO', '127.0.0.1', '7777', 'TIMEOUT', '60000');
  await add(primary, 'FAILOVER');
  await add(primary, 'FAILOVER', 'TO', '127.0.0.1', String(replicaPort));
  await add(primary, 'REPLICAOF', '127.0.0.1', String(replicaPort));
  await add(primary, 'REPLICAOF', 'NO', 'ONE');
  const sync = await RespClient.connect(primaryPort);
  await add(sync, 'PSYNC', '?', '-1');
  await add(sync, 'SYNC');
  sync.close();
  await add(primary, 'FAILOVER', 'ABORT');
  waiting.close();
  return out;
}

test('FAILOVER errors are Redis 7.0\'s, byte for byte (the same commands sent to redis-server and shardis)', async () => {
  const redis = await startRedis();
  const redisReplica = await startRedis(['--replicaof', '127.0.0.1', String(redis.port)]);
  const srv = await startServer({ port: 0, config: DISKLESS_NOW });
  const fake = async (port: number): Promise<RespClient> => fakeReplica(port, 7777);
  const clients: RespClient[] = [];
  let replica: RunningServer | null = null;
  try {
    const [cr, crr, cs] = [await RespClient.connect(redis.port), await RespClient.connect(redisReplica.port), await RespClient.connect(srv.port)];
    clients.push(cr, crr, cs);
    // no replica yet
    const none = [await cs.call('FAILOVER'), await cs.call('FAILOVER', 'TO', '127.0.0.1', '1')];
    assert.deepEqual(none, [new ReplyError('ERR FAILOVER requires connected replicas.'), new ReplyError('ERR FAILOVER requires connected replicas.')]);
    replica = await startServer({ port: 0, config: { replicaof: `127.0.0.1 ${srv.port}` } });
    const csr = await RespClient.connect(replica.port);
    clients.push(csr);
    await settle(cr, crr);
    await settle(cs, csr);
    // a replica that never acknowledges, on both, so a failover waits
    clients.push(await fake(redis.port), await fake(srv.port));
    await until(async () => (String(await cr.call('INFO', 'replication')).match(/state=online/g) ?? []).length === 2, 'redis lists both replicas online');
    const want = await errorReplies(cr, crr, redis.port, redisReplica.port);
    const got = await errorReplies(cs, csr, srv.port, replica.port);
    assert.deepEqual(got, want);
    // and what they are (Redis's strings)
    assert.deepEqual(want.slice(0, 3), [new ReplyError('ERR value is not an integer or out of range'), new ReplyError('ERR FAILOVER timeout must be greater than 0'), new ReplyError('ERR FAILOVER timeout must be greater than 0')]);
    assert.ok(want.some((r) => r instanceof ReplyError && r.message === 'ERR FAILOVER with force option requires both a timeout and target HOST and IP.'));
    assert.ok(want.some((r) => r instanceof ReplyError && r.message === 'ERR FAILOVER target HOST and PORT is not a replica.'));
    assert.ok(want.some((r) => r instanceof ReplyError && r.message === 'ERR FAILOVER target replica is not online.'));
    assert.ok(want.some((r) => r instanceof ReplyError && r.message === 'ERR FAILOVER already in progress.'));
    assert.ok(want.some((r) => r instanceof ReplyError && r.message === 'ERR REPLICAOF not allowed while failing over.'));
    assert.ok(want.some((r) => r instanceof ReplyError && r.message === "NOMASTERLINK Can't SYNC while failing over"));
    assert.ok(want.some((r) => r instanceof ReplyError && r.message === 'ERR FAILOVER is not valid when server is a replica.'));
    assert.ok(want.some((r) => r instanceof ReplyError && r.message === "ERR PSYNC FAILOVER can't be sent to a master."));
    assert.ok(want.some((r) => r instanceof ReplyError && r.message === 'ERR PSYNC FAILOVER replid must match my replid.'));
    assert.ok(want.some((r) => r instanceof ReplyError && r.message === 'ERR No failover in progress.'));
  } finally {
    for (const c of clients) c.close();
    await replica?.close();
    await srv.close();
    await redisReplica.stop();
    await redis.stop();
  }
});

test('repl-backlog-ttl: a primary without replicas frees its backlog (and its replication ID) after the ttl; a replica keeps its own', async () => {
  const ttl = { ...DISKLESS_NOW, 'repl-backlog-ttl': '1' };
  const p = await startServer({ port: 0, config: ttl });
  const a = await startServer({ port: 0, config: { ...ttl, replicaof: `127.0.0.1 ${p.port}` } });
  const [cp, ca] = [await RespClient.connect(p.port), await RespClient.connect(a.port)];
  try {
    assert.deepEqual(await cp.call('CONFIG', 'GET', 'repl-backlog-ttl'), ['repl-backlog-ttl', '1']);
    await writeSome(cp, 't');
    await settle(cp, ca);
    await sleep(2500);
    // the primary has a replica, the replica has none but never frees its backlog
    assert.equal((await info(cp, 'replication')).repl_backlog_active, '1');
    assert.equal((await info(ca, 'replication')).repl_backlog_active, '1');
    const before = await info(cp, 'replication');
    // the replica leaves (promoted): both are primaries without replicas now
    assert.equal(await ca.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    await until(async () => (await info(cp, 'replication')).connected_slaves === '0', 'the replica is gone');
    await sleep(400);
    assert.equal((await info(cp, 'replication')).repl_backlog_active, '1', 'kept for the ttl');
    await until(async () => (await info(cp, 'replication')).repl_backlog_active === '0', 'the primary freed its backlog', 8000);
    const after = await info(cp, 'replication');
    assert.notEqual(after.master_replid, before.master_replid, 'a new replication ID');
    assert.equal(after.master_replid2, '0'.repeat(40));
    assert.equal(after.repl_backlog_first_byte_offset, '0');
    assert.equal(after.repl_backlog_histlen, '0');
    await until(async () => (await info(ca, 'replication')).repl_backlog_active === '0', 'the promoted replica freed its backlog too', 8000);
    // a replica coming back for the old history syncs in full
    const old = await RespClient.connect(p.port);
    const s0 = await info(cp, 'stats');
    old.send('PSYNC', before.master_replid!, String(Number(before.master_repl_offset) + 1));
    assert.match(await old.readRaw(), /^\+FULLRESYNC [0-9a-f]{40} \d+\r\n/);
    old.close();
    const s1 = await info(cp, 'stats');
    assert.equal(Number(s1.sync_full) - Number(s0.sync_full), 1);
    assert.equal(Number(s1.sync_partial_err) - Number(s0.sync_partial_err), 1);
    // and a real one, whose backlog is gone too, follows with a full sync
    assert.equal(await ca.call('REPLICAOF', '127.0.0.1', String(p.port)), 'OK');
    await settle(cp, ca);
    assert.equal((await info(cp, 'stats')).sync_full, String(Number(s1.sync_full) + 1));
    assert.equal((await info(cp, 'replication')).repl_backlog_active, '1');
    await sameData(cp, ca);
    // 0: kept for good
    assert.equal(await cp.call('CONFIG', 'SET', 'repl-backlog-ttl', '0'), 'OK');
    assert.equal(await ca.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    await sleep(2500);
    assert.equal((await info(cp, 'replication')).repl_backlog_active, '1');
  } finally {
    cp.close();
    ca.close();
    await a.close();
    await p.close();
  }
});
