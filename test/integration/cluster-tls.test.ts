/**
 * A cluster over TLS (cluster/tls-ports.ts): three TLS-only masters (port 0,
 * tls-port, tls-cluster yes, tls-replication yes) made a cluster by
 * `redis-cli --tls --cluster create`, and a replica with both ports.
 * CLUSTER NODES / SLOTS / SHARDS and MOVED name the TLS ports to a TLS
 * client and the plain ones to a plain client, as Redis 7.4's; ioredis's
 * Cluster with `tls` follows MOVED over TLS; the replica syncs over TLS; a
 * manual CLUSTER FAILOVER asks its master to pause over TLS.
 * SHARDIS_TEST_THREADS=N runs the nodes on threads (as cluster.ts's helpers).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis } from 'ioredis';
import { makeTlsCerts, type TlsCerts } from '../helpers/tls-certs.ts';
import { freePort } from '../helpers/ports.ts';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.ts';
import { startShardisProcess, type RedisProcess } from '../helpers/redis-process.ts';
import { clusterArgs, redisCli, until } from '../helpers/cluster.ts';
import { keySlot } from '../../src/engine/slots.ts';

let certs: TlsCerts;
let etcd: EtcdProcess;
/** The TLS-only masters (`port` is their tls-port). */
const masters: RedisProcess[] = [];
/** The replica: `port` plain, `replicaTls` its tls-port. */
let replica: RedisProcess;
let replicaTls = 0;
/** Node id → [plain port, tls port]. */
const ports = new Map<string, [number, number]>();

function tlsOptions(): ConnectionOptions {
  return { ca: readFileSync(certs.ca), cert: readFileSync(certs.client.cert), key: readFileSync(certs.client.key), checkServerIdentity: () => undefined };
}

/** A connection to `port`, over TLS when `tls`. */
function conn(port: number, tls: boolean): Redis {
  const r = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0, retryStrategy: () => null, ...(tls ? { tls: tlsOptions() } : {}) });
  r.on('error', () => {});
  return r;
}

/** `fn` on a connection of its own. */
async function on<T>(port: number, tls: boolean, fn: (r: Redis) => Promise<T>): Promise<T> {
  const r = conn(port, tls);
  try {
    return await fn(r);
  } finally {
    r.disconnect();
  }
}

async function tlsReady(port: number): Promise<void> {
  await on(port, true, async (r) => {
    await r.ping();
  });
}

function nodesLines(text: string): Array<{ id: string; port: number }> {
  return text.trim().split('\n').map((l) => {
    const f = l.split(' ');
    return { id: f[0]!, port: Number(/:(\d+)@/.exec(f[1]!)![1]) };
  });
}

function info(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
}

/** Every node knows `known` nodes and says ok. */
async function settled(known: number): Promise<boolean> {
  const all: Array<[number, boolean]> = [...masters.map((m): [number, boolean] => [m.port, true]), [replica.port, false]];
  for (const [port, tls] of all) {
    const i = info(String(await on(port, tls, (r) => r.call('CLUSTER', 'INFO'))));
    if (i.cluster_state !== 'ok' || i.cluster_known_nodes !== String(known)) return false;
  }
  return true;
}

/** A key whose slot the master on `port` (a tls port) owns, by CLUSTER SLOTS over TLS. */
async function keyOwnedBy(port: number): Promise<{ key: string; slot: number }> {
  const slots = (await on(masters[0]!.port, true, (r) => r.call('CLUSTER', 'SLOTS'))) as Array<[number, number, [string, number, string]]>;
  for (let i = 0; ; i++) {
    const key = `k${i}`;
    const slot = keySlot(key);
    if (slots.some(([a, b, [, p]]) => slot >= a && slot <= b && p === port)) return { key, slot };
  }
}

const replicaId = (): string => [...ports].find(([, [, t]]) => t === replicaTls)![0];

describe('a TLS-only cluster (tls-cluster, tls-replication)', () => {
  before(async () => {
    certs = makeTlsCerts();
    etcd = await startEtcd();
    const tlsArgs = ['--tls-cluster', 'yes', '--tls-replication', 'yes', '--tls-cert-file', certs.server.cert, '--tls-key-file', certs.server.key, '--tls-ca-cert-file', certs.ca];
    const base = [...clusterArgs(etcd, '/ctls/'), ...tlsArgs];
    masters.push(...(await Promise.all([0, 1, 2].map(async () => {
      const p = await freePort();
      // startProcess's --port p comes first: port 0 and tls-port p after it
      return startShardisProcess([...base, '--port', '0', '--tls-port', String(p)], p, undefined, tlsReady);
    }))));
    replicaTls = await freePort();
    replica = await startShardisProcess([...base, '--tls-port', String(replicaTls)]);
    const out = await redisCli(['--tls', '--cacert', certs.ca, '--cert', certs.client.cert, '--key', certs.client.key,
      '--cluster', 'create', ...masters.map((m) => `127.0.0.1:${m.port}`), '--cluster-yes']);
    assert.match(out, /\[OK\] All 16384 slots covered\./);
    for (const m of masters) ports.set(String(await on(m.port, true, (r) => r.call('CLUSTER', 'MYID'))), [0, m.port]);
    ports.set(String(await on(replica.port, false, (r) => r.call('CLUSTER', 'MYID'))), [replica.port, replicaTls]);
    // the replica meets the first master at its tls-port, then follows it
    assert.equal(await on(replica.port, false, (r) => r.call('CLUSTER', 'MEET', '127.0.0.1', String(masters[0]!.port))), 'OK');
    await until(() => settled(4), 30_000, 'the four nodes know each other', 100);
    const m0 = [...ports].find(([, [, t]]) => t === masters[0]!.port)![0];
    assert.equal(await on(replica.port, false, (r) => r.call('CLUSTER', 'REPLICATE', m0)), 'OK');
    await until(async () => info(String(await on(replica.port, false, (r) => r.info('replication')))).master_link_status === 'up', 30_000, 'the replica synced');
  });

  after(async () => {
    for (const n of [...masters, replica]) await n?.stop();
    await etcd?.remove();
    certs?.remove();
  });

  test('CLUSTER NODES names the TLS ports to a TLS client, the plain ones to a plain client', async () => {
    const overTls = nodesLines(String(await on(masters[1]!.port, true, (r) => r.call('CLUSTER', 'NODES'))));
    assert.equal(overTls.length, 4);
    for (const l of overTls) assert.equal(l.port, ports.get(l.id)![1], `${l.id} over TLS`);
    const plain = nodesLines(String(await on(replica.port, false, (r) => r.call('CLUSTER', 'NODES'))));
    for (const l of plain) assert.equal(l.port, ports.get(l.id)![0], `${l.id} over TCP`);
    // CLUSTER REPLICAS too
    const m0 = [...ports].find(([, [, t]]) => t === masters[0]!.port)![0];
    const reps = (await on(masters[2]!.port, true, (r) => r.call('CLUSTER', 'REPLICAS', m0))) as string[];
    assert.deepEqual(reps.map((l) => nodesLines(l)[0]!.port), [replicaTls]);
  });

  test('CLUSTER SLOTS and SHARDS give the tls-port', async () => {
    const slots = (await on(masters[0]!.port, true, (r) => r.call('CLUSTER', 'SLOTS'))) as Array<[number, number, ...Array<[string, number, string]>]>;
    assert.equal(slots.length, 3);
    for (const [, , ...nodes] of slots) for (const [ip, port, id] of nodes) {
      assert.equal(ip, '127.0.0.1');
      assert.equal(port, ports.get(id)![1]);
    }
    // the replica is listed once its published offset says it synced (a write moves it from 0)
    const { key } = await keyOwnedBy(masters[0]!.port);
    await on(masters[0]!.port, true, (r) => r.set(key, 'moves the offset'));
    await until(async () => {
      const now = (await on(masters[0]!.port, true, (r) => r.call('CLUSTER', 'SLOTS'))) as Array<[number, number, ...Array<[string, number, string]>]>;
      return now.some(([, , , r]) => r !== undefined && r[1] === replicaTls);
    }, 10_000, 'the replica is listed at its tls-port');
    const plainSlots = (await on(replica.port, false, (r) => r.call('CLUSTER', 'SLOTS'))) as Array<[number, number, ...Array<[string, number, string]>]>;
    for (const [, , ...nodes] of plainSlots) for (const [, port, id] of nodes) assert.equal(port, ports.get(id)![0]);
    const shards = (await on(masters[0]!.port, true, (r) => r.call('CLUSTER', 'SHARDS'))) as unknown[][];
    const seen = new Map<string, Record<string, unknown>>();
    for (const s of shards) {
      const nodes = s[3] as unknown[][];
      for (const n of nodes) {
        const o: Record<string, unknown> = {};
        for (let i = 0; i < n.length; i += 2) o[String(n[i])] = n[i + 1];
        seen.set(String(o.id), o);
      }
    }
    assert.equal(seen.size, 4);
    for (const [id, o] of seen) {
      const [tcp, tls] = ports.get(id)!;
      // a port 0 is left out, as Redis's addNodeDetailsToShardReply
      assert.equal(o.port, tcp === 0 ? undefined : tcp, `${id} port`);
      assert.equal(o['tls-port'], tls, `${id} tls-port`);
    }
  });

  test('MOVED names the tls-port to a TLS client, the plain port to a plain one', async () => {
    const { key, slot } = await keyOwnedBy(masters[1]!.port);
    await assert.rejects(on(masters[0]!.port, true, (r) => r.get(key)), { message: `MOVED ${slot} 127.0.0.1:${masters[1]!.port}` });
    // a plain client of the replica: the master's plain port, which is 0 (Redis 7.4 answers the same)
    await assert.rejects(on(replica.port, false, (r) => r.get(key)), { message: `MOVED ${slot} 127.0.0.1:0` });
  });

  test("ioredis's Cluster with tls reads and writes keys across slots (MOVED followed over TLS)", async () => {
    const cl = new Cluster([{ host: '127.0.0.1', port: masters[0]!.port }], { redisOptions: { tls: tlsOptions() } });
    cl.on('error', () => {});
    try {
      for (let i = 0; i < 60; i++) await cl.set(`tls:key:${i}`, `v${i}`);
      for (let i = 0; i < 60; i++) assert.equal(await cl.get(`tls:key:${i}`), `v${i}`);
      const sizes = await Promise.all(masters.map((m) => on(m.port, true, (r) => r.dbsize())));
      for (const s of sizes) assert.ok(s > 0, `every master holds some of the keys: ${sizes}`);
    } finally {
      cl.disconnect();
    }
  });

  test('the replica syncs from its master over TLS (its tls-port)', async () => {
    const i = info(String(await on(replica.port, false, (r) => r.info('replication'))));
    assert.equal(i.role, 'slave');
    assert.equal(i.master_port, String(masters[0]!.port));
    assert.equal(i.master_link_status, 'up');
    // it announces its tls-port to the master (REPLCONF listening-port)
    const mi = info(String(await on(masters[0]!.port, true, (r) => r.info('replication'))));
    assert.match(mi.slave0 ?? '', new RegExp(`port=${replicaTls},`));
    const { key } = await keyOwnedBy(masters[0]!.port);
    await on(masters[0]!.port, true, (r) => r.set(key, 'through TLS replication'));
    await until(async () => (await on(replica.port, false, async (r) => {
      await r.call('READONLY');
      return r.get(key);
    })) === 'through TLS replication', 10_000, 'the write reaches the replica');
  });

  test('a manual CLUSTER FAILOVER asks the master over TLS, and the old master follows over TLS', async () => {
    assert.equal(await on(replica.port, false, (r) => r.call('CLUSTER', 'FAILOVER')), 'OK');
    const id = replicaId();
    await until(async () => {
      const lines = String(await on(masters[1]!.port, true, (r) => r.call('CLUSTER', 'NODES'))).split('\n');
      return lines.some((l) => l.startsWith(id) && l.includes(' master '));
    }, 20_000, 'the replica is a master');
    await until(async () => {
      const i = info(String(await on(masters[0]!.port, true, (r) => r.info('replication'))));
      return i.role === 'slave' && i.master_port === String(replicaTls) && i.master_link_status === 'up';
    }, 20_000, 'the old master follows the new one at its tls-port');
    const { key } = await keyOwnedBy(replicaTls);
    assert.equal(await on(replicaTls, true, (r) => r.get(key)), 'through TLS replication');
  });
  test('CONFIG SET cluster-announce-tls-port republishes the tls-port the others show', async () => {
    const id = replicaId();
    const shownBy = async (port: number): Promise<number | undefined> =>
      nodesLines(String(await on(port, true, (r) => r.call('CLUSTER', 'NODES')))).find((l) => l.id === id)?.port;
    assert.equal(await on(replicaTls, true, (r) => r.call('CONFIG', 'SET', 'cluster-announce-tls-port', '7444')), 'OK');
    try {
      assert.equal(await shownBy(replicaTls), 7444);
      await until(async () => (await shownBy(masters[2]!.port)) === 7444, 10_000, 'the other nodes show the announced tls-port');
    } finally {
      await on(replicaTls, true, (r) => r.call('CONFIG', 'SET', 'cluster-announce-tls-port', '0'));
    }
    await until(async () => (await shownBy(masters[2]!.port)) === replicaTls, 10_000, 'back to its tls-port');
  });
});
