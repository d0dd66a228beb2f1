/**
 * Differential: one slot moved by hand on a 3-master cluster of real Redis
 * 7.0 (redis-server --cluster-enabled yes, made by redis-cli --cluster
 * create) and on one of shardis nodes (truth in etcd): SETSLOT's errors,
 * IMPORTING / MIGRATING, ASK, ASKING for one command, TRYAGAIN, MIGRATE,
 * SETSLOT NODE refused while keys remain, then on every master. The replies
 * must be the same once ports and node ids are named by role.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEtcd, type EtcdProcess } from '../test/helpers/etcd.ts';
import { clusterInfo, clusterNodes, createCluster, startNodes, untilStable } from '../test/helpers/cluster.ts';
import { startRedis, type RedisProcess } from '../test/helpers/redis-process.ts';
import { RespClient, ReplyError, type Reply } from '../test/helpers/resp-client.ts';

const SLOT = 12182;

/** Runs the scenario on a cluster of `ports`; every reply, with ports and ids named by role. */
async function scenario(ports: number[]): Promise<string[]> {
  const conns = await Promise.all(ports.map((p) => RespClient.connect(p)));
  try {
    const list = await clusterNodes(conns[0]!);
    const src = list.find((n) => n.slots.some((s) => s.startsWith('10923')))!;
    const dst = list.find((n) => n.slots.some((s) => s.startsWith('0-')))!;
    const oth = list.find((n) => n.id !== src.id && n.id !== dst.id)!;
    const names: Array<[string, string]> = [[src.id, 'SRC-ID'], [dst.id, 'DST-ID'], [String(src.port), 'SRC-PORT'], [String(dst.port), 'DST-PORT']];
    const conn = (n: { port: number }): RespClient => conns[ports.indexOf(n.port)]!;
    const [S, D, O] = [conn(src), conn(dst), conn(oth)];
    const out: string[] = [];
    const step = async (c: RespClient, ...args: (string | number)[]): Promise<void> => {
      const r: Reply = await c.call(...args);
      let text = `${c === S ? 'src' : c === D ? 'dst' : 'oth'} ${args.join(' ')} -> ${r instanceof ReplyError ? `ERR:${r.message}` : JSON.stringify(r)}`;
      for (const [from, to] of names) text = text.split(from).join(to);
      out.push(text);
    };
    const unknown = 'f'.repeat(40);
    await step(D, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', src.id);
    await step(S, 'CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', dst.id);
    await step(S, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', unknown);
    await step(S, 'CLUSTER', 'SETSLOT', SLOT, 'NODE', unknown);
    await step(S, 'CLUSTER', 'SETSLOT', SLOT, 'BOGUS');
    await step(S, 'CLUSTER', 'SETSLOT', SLOT, 'STABLE', 'x');
    await step(S, 'CLUSTER', 'SETSLOT', 16384, 'STABLE');
    await step(S, 'SET', '{foo}a', '1');
    await step(S, 'SET', '{foo}b', '2');
    await step(D, 'CLUSTER', 'SETSLOT', SLOT, 'IMPORTING', src.id);
    await step(S, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', dst.id);
    await step(S, 'GET', '{foo}a');
    await step(S, 'GET', '{foo}c');
    await step(D, 'GET', '{foo}c');
    await step(D, 'ASKING');
    await step(D, 'SET', '{foo}c', 'x');
    await step(D, 'GET', '{foo}c');
    await step(S, 'MIGRATE', '127.0.0.1', dst.port, '', 0, 5000, 'KEYS', '{foo}a');
    await step(S, 'GET', '{foo}a');
    await step(S, 'MGET', '{foo}a', '{foo}b');
    await step(D, 'ASKING');
    await step(D, 'MGET', '{foo}a', '{foo}b');
    await step(S, 'CLUSTER', 'COUNTKEYSINSLOT', SLOT);
    await step(S, 'CLUSTER', 'GETKEYSINSLOT', SLOT, 10);
    await step(S, 'CLUSTER', 'SETSLOT', SLOT, 'NODE', dst.id);
    await step(S, 'MIGRATE', '127.0.0.1', dst.port, '', 0, 5000, 'KEYS', '{foo}b');
    await step(D, 'CLUSTER', 'COUNTKEYSINSLOT', SLOT);
    await step(D, 'CLUSTER', 'SETSLOT', SLOT, 'NODE', dst.id);
    await step(S, 'CLUSTER', 'SETSLOT', SLOT, 'NODE', dst.id);
    await step(O, 'CLUSTER', 'SETSLOT', SLOT, 'NODE', dst.id);
    await step(S, 'GET', '{foo}a');
    await step(O, 'GET', '{foo}b');
    await step(D, 'GET', '{foo}b');
    await step(S, 'CLUSTER', 'SETSLOT', SLOT, 'MIGRATING', dst.id);
    return out;
  } finally {
    for (const c of conns) c.close();
  }
}

describe('cluster: a slot moved by hand, shardis against Redis 7.0', { timeout: 180_000 }, () => {
  let etcd: EtcdProcess;
  let ours: RedisProcess[] = [];
  let theirs: RedisProcess[] = [];

  before(async () => {
    theirs = await Promise.all([0, 1, 2].map(() => startRedis(['--cluster-enabled', 'yes', '--cluster-node-timeout', '5000'])));
    await createCluster(theirs, 0);
    // Redis spreads the configuration by gossip: wait until every node says ok
    for (const n of theirs) {
      const c = await RespClient.connect(n.port);
      for (let i = 0; (await clusterInfo(c)).cluster_state !== 'ok'; i++) {
        if (i > 400) throw new Error('the Redis cluster did not settle');
        await new Promise((r) => setTimeout(r, 50));
      }
      c.close();
    }
    etcd = await startEtcd();
    ours = await startNodes(etcd, 3);
    await createCluster(ours, 0);
    await untilStable(ours, 3);
  });

  after(async () => {
    for (const n of [...ours, ...theirs]) await n.stop();
    await etcd?.remove();
  });

  test('the same replies', async () => {
    const expected = await scenario(theirs.map((n) => n.port));
    const got = await scenario(ours.map((n) => n.port));
    assert.deepEqual(got, expected);
  });
});
