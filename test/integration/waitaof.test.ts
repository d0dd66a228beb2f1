/**
 * WAITAOF numlocal numreplicas timeout (Redis 7.2) through real sockets:
 * the local AOF with appendfsync always, everysec and no (which never
 * fsyncs: WAITAOF 1 … times out with 0), turned off while a WAITAOF waits
 * (its error) and on again; the replication offset counting one per write
 * with the AOF alone; and a real shardis replica reporting its AOF's fsynced
 * offset (REPLCONF ACK … FACK) with its AOF on, nothing with it off.
 * The replies match Redis 7.4.1's (compared by hand; the immediate ones are
 * recorded in compat/v74-ops.compat.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../src/index.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';
import { TEST_THREADS } from '../helpers/server.ts';
import { info, settle, until } from '../helpers/replication.ts';

const AOF_OFF = 'ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.';

/** Until the AOF that CONFIG SET appendonly yes turned on is written (its first rewrite done). */
async function aofOn(c: RespClient): Promise<void> {
  await until(async () => {
    const p = await info(c, 'persistence');
    return p.aof_enabled === '1' && p.aof_rewrite_in_progress === '0' && p.aof_rewrite_scheduled === '0' && p.aof_last_bgrewrite_status === 'ok';
  }, 'the AOF is on');
}

test('WAITAOF and the local AOF: always, everysec, no, turned off while waiting, MULTI', { timeout: 60_000 }, async () => {
  const srv = await startServer({ port: 0, threads: TEST_THREADS, config: { appendonly: 'yes', appendfsync: 'always' } });
  const c = await RespClient.connect(srv.port);
  const other = await RespClient.connect(srv.port);
  try {
    // nothing written by this client yet: acknowledged
    assert.deepEqual(await c.call('WAITAOF', '1', '0', '0'), [1, 0]);
    if (TEST_THREADS === 1) {
      // with the AOF alone the offset counts one per write (Redis 7.2's replicationFeedSlaves), which WAITAOF waits for
      const before = Number((await info(c, 'replication')).master_repl_offset);
      await c.call('SET', 'a', '1');
      await c.call('SET', 'b', '1');
      assert.equal(Number((await info(c, 'replication')).master_repl_offset), before + 2);
    }
    assert.equal(await c.call('SET', 'k', 'v'), 'OK');
    assert.deepEqual(await c.call('WAITAOF', '1', '0', '0'), [1, 0]);
    // pipelined after the write: it waits for the write's fsync
    c.send('SET', 'k', 'w');
    c.send('WAITAOF', '1', '0', '0');
    assert.equal(await c.read(), 'OK');
    assert.deepEqual(await c.read(), [1, 0]);

    // everysec: acknowledged once the background fsync ran (about a second)
    assert.equal(await c.call('CONFIG', 'SET', 'appendfsync', 'everysec'), 'OK');
    await c.call('SET', 'k', 'every');
    let t0 = Date.now();
    assert.deepEqual(await c.call('WAITAOF', '1', '0', '0'), [1, 0]);
    assert.ok(Date.now() - t0 < 3000, `everysec took ${Date.now() - t0} ms`);

    // no: never fsynced, so WAITAOF 1 waits out its timeout with 0, and 0 … reports 0 too
    assert.equal(await c.call('CONFIG', 'SET', 'appendfsync', 'no'), 'OK');
    await c.call('SET', 'k', 'never');
    t0 = Date.now();
    assert.deepEqual(await c.call('WAITAOF', '1', '0', '300'), [0, 0]);
    assert.ok(Date.now() - t0 >= 290, `answered after ${Date.now() - t0} ms`);
    assert.deepEqual(await c.call('WAITAOF', '0', '0', '0'), [0, 0]);
    // inside MULTI it answers at once
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('WAITAOF', '1', '0', '0'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), [[0, 0]]);

    // the AOF turned off while WAITAOF 1 waits: its error, at once
    c.send('WAITAOF', '1', '0', '0');
    await new Promise((r) => setTimeout(r, 200));
    t0 = Date.now();
    assert.equal(await other.call('CONFIG', 'SET', 'appendonly', 'no'), 'OK');
    const err = await c.read();
    assert.ok(err instanceof ReplyError && err.message === AOF_OFF, String(err));
    assert.ok(Date.now() - t0 < 1000);
    assert.equal(((await c.call('WAITAOF', '1', '0', '0')) as ReplyError).message, AOF_OFF);
    assert.deepEqual(await c.call('WAITAOF', '0', '0', '0'), [0, 0]);

    // on again (always): acknowledged once the rewrite that turned it on is done and the write fsynced
    assert.equal(await c.call('CONFIG', 'SET', 'appendfsync', 'always', 'appendonly', 'yes'), 'OK');
    await aofOn(c);
    await c.call('SET', 'k', 'again');
    assert.deepEqual(await c.call('WAITAOF', '1', '0', '0'), [1, 0]);
    assert.deepEqual(await c.call('EVAL', "return redis.call('WAITAOF', 1, 0, 0)", '0'), [1, 0]);
  } finally {
    c.close();
    other.close();
    await srv.close();
  }
});

test('WAITAOF with a shardis replica: it reports its AOF fsynced (FACK) with its AOF on, nothing with it off', { timeout: 90_000 }, async () => {
  const servers: RunningServer[] = [];
  const clients: RespClient[] = [];
  try {
    const primary = await startServer({ port: 0, threads: TEST_THREADS, config: { 'repl-diskless-sync-delay': '0' } });
    servers.push(primary);
    const replica = await startServer({ port: 0, threads: TEST_THREADS, config: { appendonly: 'yes', appendfsync: 'always', replicaof: `127.0.0.1 ${primary.port}` } });
    servers.push(replica);
    const p = await RespClient.connect(primary.port);
    const r = await RespClient.connect(replica.port);
    clients.push(p, r);
    await until(async () => (await info(p, 'replication')).slave0?.includes('state=online') === true, 'the replica online');
    await settle(p, r);

    // the primary's AOF is off: numlocal 1 is refused, the replica's AOF counts
    assert.equal(await p.call('SET', 'k', 'v'), 'OK');
    assert.equal(((await p.call('WAITAOF', '1', '1', '0')) as ReplyError).message, AOF_OFF);
    assert.deepEqual(await p.call('WAITAOF', '0', '1', '5000'), [0, 1]);
    for (let i = 0; i < 20; i++) await p.call('SET', `k${i}`, 'v');
    assert.deepEqual(await p.call('WAITAOF', '0', '1', '5000'), [0, 1]);
    // more replicas than there are: the timeout, with the one
    assert.deepEqual(await p.call('WAITAOF', '0', '2', '300'), [0, 1]);
    // a replica refuses it
    assert.equal(((await r.call('WAITAOF', '0', '0', '0')) as ReplyError).message,
      'ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.');

    // the replica's AOF off: it sends no FACK, and the primary's next write is never acknowledged
    assert.equal(await r.call('CONFIG', 'SET', 'appendonly', 'no'), 'OK');
    await p.call('SET', 'k', 'after-off');
    assert.deepEqual(await p.call('WAITAOF', '0', '1', '1500'), [0, 0]);
    // WAIT (applied, not fsynced) still counts it
    assert.equal(await p.call('WAIT', '1', '5000'), 1);

    // both AOFs on, everysec: local and replica acknowledged within a few seconds
    assert.equal(await r.call('CONFIG', 'SET', 'appendfsync', 'everysec', 'appendonly', 'yes'), 'OK');
    assert.equal(await p.call('CONFIG', 'SET', 'appendfsync', 'everysec', 'appendonly', 'yes'), 'OK');
    await aofOn(r);
    await aofOn(p);
    await p.call('SET', 'k', 'both');
    const t0 = Date.now();
    assert.deepEqual(await p.call('WAITAOF', '1', '1', '10000'), [1, 1]);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    assert.equal(await r.call('GET', 'k'), 'both');
  } finally {
    for (const c of clients) c.close();
    for (const s of servers.reverse()) await s.close();
  }
});
