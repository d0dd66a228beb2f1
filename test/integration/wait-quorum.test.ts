/**
 * WAIT as a write quorum: a shardis primary with two shardis replicas, each
 * behind a TCP proxy that can hold its bytes (a partition) or cut the link.
 * Every write is followed by WAIT 2; while a replica is partitioned or
 * killed WAIT answers fewer than 2; when the primary then dies with its
 * last link cut and the surviving replica is promoted, every write that
 * WAIT confirmed on 2 replicas is there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../src/index.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { Proxy } from '../helpers/tcp-proxy.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(ok: () => Promise<boolean>, what: string, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok().catch(() => false)) return;
    await sleep(50);
  }
  assert.fail(`never: ${what}`);
}

async function replicationInfo(c: RespClient): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of String(await c.call('INFO', 'replication')).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

test('no write that WAIT confirmed on 2 replicas is lost when a replica is promoted after partitions and kills', { timeout: 120_000 }, async () => {
  const primary = await startServer({ port: 0, config: { 'repl-diskless-sync-delay': '0' } });
  const servers: RunningServer[] = [primary];
  const clients: RespClient[] = [];
  const proxies: Proxy[] = [];
  try {
    const replicas: RunningServer[] = [];
    for (let i = 0; i < 2; i++) {
      const proxy = await Proxy.start(primary.port);
      proxies.push(proxy);
      const r = await startServer({ port: 0, shards: i === 0 ? 1 : 4, config: { replicaof: `127.0.0.1 ${proxy.port}` } });
      servers.push(r);
      replicas.push(r);
    }
    const [r1, r2] = replicas as [RunningServer, RunningServer];
    const [x1, x2] = proxies as [Proxy, Proxy];
    const p = await RespClient.connect(primary.port);
    clients.push(p);
    await until(async () => (await replicationInfo(p)).connected_slaves === '2', 'both replicas attach');
    await until(async () => {
      const inf = await replicationInfo(p);
      return [inf.slave0, inf.slave1].every((s) => s?.includes('state=online'));
    }, 'both replicas online');

    const confirmed: string[] = [];
    const unconfirmed: string[] = [];
    let n = 0;
    /** `count` writes, each followed by WAIT 2 <ms>; returns what WAIT answered. */
    const write = async (count: number, ms: number): Promise<number[]> => {
      const acks: number[] = [];
      for (let i = 0; i < count; i++) {
        const key = `k${n++}`;
        assert.equal(await p.call('SET', key, `v-${key}`), 'OK');
        const got = Number(await p.call('WAIT', '2', String(ms)));
        acks.push(got);
        (got >= 2 ? confirmed : unconfirmed).push(key);
      }
      return acks;
    };

    // all up: every write reaches both
    assert.deepEqual(new Set(await write(50, 5000)), new Set([2]));
    // replica 2 partitioned: WAIT times out with replica 1's acknowledgement only
    x2.hold();
    assert.deepEqual(new Set(await write(10, 500)), new Set([1]));
    // WAIT waits for the asking client's own last write (Redis 7.2): one that never wrote has both at once
    const idle = await RespClient.connect(primary.port);
    clients.push(idle);
    const t0 = Date.now();
    assert.equal(await idle.call('WAIT', '2', '2000'), 2);
    assert.ok(Date.now() - t0 < 1000, 'answered without waiting');
    // the partition heals: replica 2 catches up on the same connection, WAIT is satisfied again
    x2.heal();
    assert.deepEqual(new Set(await write(30, 5000)), new Set([2]));
    // replica 1 dies: at most one acknowledgement
    await r1.close();
    assert.deepEqual(new Set(await write(10, 500)), new Set([1]));
    // replica 2 partitioned too: no acknowledgement at all
    x2.hold();
    assert.deepEqual(new Set(await write(10, 500)), new Set([0]));
    // the primary dies and replica 2's link with it, whatever it held in flight lost
    await x2.cut();
    await x1.cut();
    await primary.close();
    const c2 = await RespClient.connect(r2.port);
    clients.push(c2);
    assert.equal(await c2.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    assert.equal(confirmed.length, 80);
    const values = (await c2.call('MGET', ...confirmed)) as Array<string | null>;
    assert.deepEqual(confirmed.filter((k, i) => values[i] !== `v-${k}`), [], 'writes WAIT confirmed on 2 replicas missing on the promoted one');
    // the writes confirmed by replica 1 alone before replica 2 healed reached it after the partition
    const early = unconfirmed.slice(0, 10);
    assert.deepEqual(await c2.call('MGET', ...early), early.map((k) => `v-${k}`));
    // and those it never got (held, then cut with the primary) are lost: the partition was real
    const lost = unconfirmed.slice(-10);
    assert.deepEqual(await c2.call('MGET', ...lost), lost.map(() => null));
  } finally {
    for (const c of clients) c.close();
    for (const x of proxies) await x.cut().catch(() => {});
    for (const s of servers) await s.close();
  }
});
