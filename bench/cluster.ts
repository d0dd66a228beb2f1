/**
 * Cluster benchmarks (`npm run bench -- --cluster`), shardis and Redis side
 * by side in the same run:
 * - throughput: `redis-benchmark --cluster` against a 3-master fleet of
 *   shardis nodes (their truth in a local etcd) and a 3-master Redis
 *   Cluster, and plain redis-benchmark against one node of each, random
 *   keys out of 100 000;
 * - resharding: N keys (--keys, default 1M) put in one master's slots, then
 *   `redis-cli --cluster reshard` moves all of that master's slots to
 *   another (MIGRATE in batches of 100 keys); the time it took.
 * On a machine with few cores the nodes share them: the ratios compare
 * fleets on the same cores, not per-core speed.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTarget, kill, type Target } from './servers.ts';
import { startEtcd } from '../test/helpers/etcd.ts';
import { RespClient } from '../test/helpers/resp-client.ts';
import { keySlot } from '../src/engine/slots.ts';

export interface ClusterRow {
  test: string;
  redis: number;
  shardis: number;
  /** What is measured: requests per second, or seconds. */
  unit: 'rps' | 's';
}

type Name = Target['name'];

function subdir(dir: string, name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  return d;
}

async function fleet(name: Name, dir: string, extra: string[], masters: number): Promise<Target[]> {
  const nodes: Target[] = [];
  for (let i = 0; i < masters; i++) {
    nodes.push(await startTarget(name, subdir(dir, `${name}-${i}`), ['--cluster-enabled', 'yes', ...extra]));
  }
  const out = execFileSync('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], { encoding: 'utf8' });
  if (!out.includes('[OK] All 16384 slots covered.')) throw new Error(`${name}: cluster create failed\n${out}`);
  // every node agrees (redis-benchmark --cluster reads CLUSTER NODES from the first)
  for (let i = 0; i < 100; i++) {
    const infos = nodes.map((n) => execFileSync('redis-cli', ['-p', String(n.port), 'CLUSTER', 'INFO'], { encoding: 'utf8' }));
    if (infos.every((s) => s.includes('cluster_state:ok'))) return nodes;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name}: the cluster did not settle`);
}

function benchRate(port: number, test: string, n: number, clients: number, cluster: boolean): number {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', test, '-n', String(n), '-r', '100000', '-c', String(clients), '--csv', ...(cluster ? ['--cluster'] : [])];
  const out = execFileSync('redis-benchmark', args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  const row = out.split('\n').find((l) => l.toLowerCase().startsWith(`"${test}"`));
  if (row === undefined) throw new Error(`redis-benchmark printed no ${test} row:\n${out}`);
  return Number(row.split(',')[1]!.replace(/"/g, ''));
}

/** Puts `keys` keys in the slots `owner` serves, pipelined. */
async function fill(owner: Target, keys: number): Promise<void> {
  const c = await RespClient.connect(owner.port);
  try {
    const nodes = String(await c.call('CLUSTER', 'NODES'));
    const mine = nodes.split('\n').find((l) => l.includes('myself'))!.split(' ').slice(8);
    const owned = new Uint8Array(16384);
    for (const r of mine) {
      const [a, b] = r.split('-').map(Number) as [number, number | undefined];
      for (let s = a; s <= (b ?? a); s++) owned[s] = 1;
    }
    let put = 0;
    let pending: Promise<unknown>[] = [];
    for (let i = 0; put < keys; i++) {
      const key = `mig:${i}`;
      if (owned[keySlot(key)] !== 1) continue;
      pending.push(c.call('SET', key, 'xxxxxxxxxxxxxxxx'));
      put++;
      if (pending.length === 1000) {
        await Promise.all(pending);
        pending = [];
      }
    }
    await Promise.all(pending);
  } finally {
    c.close();
  }
}

function nodeId(port: number): string {
  return execFileSync('redis-cli', ['-p', String(port), 'CLUSTER', 'MYID'], { encoding: 'utf8' }).trim();
}

/** Seconds `redis-cli --cluster reshard` takes to move every slot of `from` to `to`. */
function reshardAll(from: Target, to: Target): number {
  const slots = execFileSync('redis-cli', ['-p', String(from.port), 'CLUSTER', 'NODES'], { encoding: 'utf8' })
    .split('\n').find((l) => l.includes('myself'))!.split(' ').slice(8)
    .reduce((n, r) => {
      const [a, b] = r.split('-').map(Number) as [number, number | undefined];
      return n + (b ?? a) - a + 1;
    }, 0);
  const t0 = performance.now();
  try {
    execFileSync('redis-cli', ['--cluster', 'reshard', `127.0.0.1:${from.port}`, '--cluster-from', nodeId(from.port), '--cluster-to', nodeId(to.port),
      '--cluster-slots', String(slots), '--cluster-yes', '--cluster-pipeline', '100'], { encoding: 'latin1', maxBuffer: 1 << 30 });
  } catch (e) {
    const out = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
    throw new Error(`redis-cli --cluster reshard from port ${from.port} failed:\n${out.slice(-2000)}`);
  }
  return (performance.now() - t0) / 1000;
}

export async function clusterRows(n: number, clients: number, keys: number, log: (l: string) => void): Promise<ClusterRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-cluster-bench-'));
  const etcd = await startEtcd();
  const started: Target[] = [];
  try {
    const shardisArgs = ['--cluster-etcd-endpoints', etcd.endpoint, '--cluster-etcd-prefix', '/bench/', '--appendonly', 'no'];
    const fleets = { redis: await fleet('redis', dir, ['--appendonly', 'no'], 3), shardis: await fleet('shardis', dir, shardisArgs, 3) };
    started.push(...fleets.redis, ...fleets.shardis);
    const single = {
      redis: await startTarget('redis', subdir(dir, 'redis-single'), ['--appendonly', 'no']),
      shardis: await startTarget('shardis', subdir(dir, 'shardis-single'), ['--appendonly', 'no']),
    };
    started.push(single.redis, single.shardis);
    const rows: ClusterRow[] = [];
    for (const test of ['set', 'get']) {
      const r3 = benchRate(fleets.redis[0]!.port, test, n, clients, true);
      const s3 = benchRate(fleets.shardis[0]!.port, test, n, clients, true);
      const r1 = benchRate(single.redis.port, test, n, clients, false);
      const s1 = benchRate(single.shardis.port, test, n, clients, false);
      rows.push({ test: `${test.toUpperCase()} 3 masters`, redis: r3, shardis: s3, unit: 'rps' }, { test: `${test.toUpperCase()} 1 node`, redis: r1, shardis: s1, unit: 'rps' });
      log(`cluster ${test}: 3 masters redis ${r3.toFixed(0)} shardis ${s3.toFixed(0)}; one node redis ${r1.toFixed(0)} shardis ${s1.toFixed(0)}`);
    }
    for (const name of ['redis', 'shardis'] as const) await fill(fleets[name][0]!, keys);
    const rs = reshardAll(fleets.redis[0]!, fleets.redis[1]!);
    log(`reshard ${keys} keys: redis ${rs.toFixed(1)} s`);
    const ss = reshardAll(fleets.shardis[0]!, fleets.shardis[1]!);
    rows.push({ test: `reshard ${keys} keys`, redis: rs, shardis: ss, unit: 's' });
    log(`reshard ${keys} keys: redis ${rs.toFixed(1)} s, shardis ${ss.toFixed(1)} s`);
    return rows;
  } finally {
    for (const t of started) kill(t);
    await etcd.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function clusterTable(rows: ClusterRow[], clients: number): string {
  const head = `Cluster: redis-benchmark (--cluster for the fleets) with ${clients} clients, random keys out of 100 000; resharding with redis-cli --cluster reshard:\n\n| test | redis | shardis | shardis / redis |\n|---|---|---|---|`;
  return [head, ...rows.map((r) => `| ${r.test} | ${r.redis.toFixed(r.unit === 's' ? 1 : 0)}${r.unit === 's' ? ' s' : ' rps'} | ${r.shardis.toFixed(r.unit === 's' ? 1 : 0)}${r.unit === 's' ? ' s' : ' rps'} | ${(r.shardis / r.redis).toFixed(2)} |`)].join('\n');
}
