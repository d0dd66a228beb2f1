/**
 * A fleet of shardis cluster nodes for tests: each a process of its own
 * (so that one can be killed with SIGKILL) on a free port with its own
 * directory, all keeping their truth in one test etcd; `redis-cli --cluster
 * create` makes them a cluster.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startShardisProcess, type RedisProcess } from './redis-process.ts';
import { RespClient } from './resp-client.ts';
import { startEtcd, type EtcdProcess } from './etcd.ts';
import { TEST_THREADS } from './server.ts';

const run = promisify(execFile);

export const NODE_TIMEOUT_MS = 2000;

/**
 * Threads per node under SHARDIS_TEST_THREADS: at most 2, since a fleet is
 * six processes on a CI machine of two cores (cluster-threads.test.ts runs 2
 * in every run).
 */
const NODE_THREADS = Math.min(TEST_THREADS, 2);

/** cluster-enabled yes against `etcd`, with a short node timeout (and NODE_THREADS threads per node). */
export function clusterArgs(etcd: EtcdProcess, prefix = '/test/', threads = NODE_THREADS): string[] {
  const out = ['--cluster-enabled', 'yes', '--cluster-etcd-endpoints', etcd.endpoint, '--cluster-etcd-prefix', prefix, '--cluster-node-timeout', String(NODE_TIMEOUT_MS)];
  return threads > 1 ? [...out, '--threads', String(threads)] : out;
}

/** Starts `n` cluster nodes. */
export async function startNodes(etcd: EtcdProcess, n: number, prefix = '/test/', threads = NODE_THREADS): Promise<RedisProcess[]> {
  return Promise.all(Array.from({ length: n }, () => startShardisProcess(clusterArgs(etcd, prefix, threads))));
}

/** `redis-cli` with arguments; its output (stdout and stderr). */
export async function redisCli(args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout, stderr } = await run('redis-cli', args, { timeout: timeoutMs, maxBuffer: 64 << 20 });
  return stdout + stderr;
}

/** `redis-cli --cluster create` of every node, `replicas` per master; its output. */
export async function createCluster(nodes: readonly RedisProcess[], replicas: number): Promise<string> {
  const out = await redisCli(['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', String(replicas), '--cluster-yes'])
    .catch((e: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(`cluster create failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
    });
  if (!out.includes('[OK] All 16384 slots covered.')) throw new Error(`cluster create failed:\n${out}`);
  return out;
}

/**
 * A test etcd and `n` nodes made one cluster by `redis-cli --cluster
 * create` with `replicas` per master, every node settled. On a failure
 * what was started is stopped again.
 */
export async function startFleet(n: number, replicas: number): Promise<{ etcd: EtcdProcess; nodes: RedisProcess[] }> {
  const etcd = await startEtcd();
  let nodes: RedisProcess[] = [];
  try {
    nodes = await startNodes(etcd, n);
    await createCluster(nodes, replicas);
    await untilStable(nodes, n);
    return { etcd, nodes };
  } catch (e) {
    for (const node of nodes) await node.stop();
    await etcd.remove();
    throw e;
  }
}

/** CLUSTER INFO's fields. */
export async function clusterInfo(c: RespClient): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of String(await c.call('CLUSTER', 'INFO')).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** CLUSTER NODES as records: id, port, flags, master, slots. */
export async function clusterNodes(c: RespClient): Promise<Array<{ id: string; port: number; flags: string[]; master: string; slots: string[] }>> {
  return String(await c.call('CLUSTER', 'NODES')).trim().split('\n').map((l) => {
    const f = l.split(' ');
    return { id: f[0]!, port: Number(/:(\d+)@/.exec(f[1]!)![1]), flags: f[2]!.split(','), master: f[3]!, slots: f.slice(8) };
  });
}

/** Waits until every node's CLUSTER INFO says ok with `known` nodes. */
export async function untilStable(nodes: readonly RedisProcess[], known: number, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    let ok = true;
    for (const n of nodes) {
      const c = await RespClient.connect(n.port);
      try {
        const info = await clusterInfo(c);
        if (info.cluster_state !== 'ok' || info.cluster_known_nodes !== String(known)) ok = false;
      } finally {
        c.close();
      }
    }
    if (ok) return;
    if (Date.now() > end) throw new Error('the cluster did not settle');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CLUSTER NODES of the node on `port`, on a connection of its own. */
export async function nodesOf(port: number): Promise<Awaited<ReturnType<typeof clusterNodes>>> {
  const c = await RespClient.connect(port);
  try {
    return await clusterNodes(c);
  } finally {
    c.close();
  }
}

/** One command on a connection of its own. */
export async function callOn(port: number, ...args: string[]): Promise<unknown> {
  const c = await RespClient.connect(port);
  try {
    return await c.call(...args);
  } finally {
    c.close();
  }
}

/** Whether the node on `port` says cluster_state:ok. */
export async function stateOk(port: number): Promise<boolean> {
  const c = await RespClient.connect(port);
  try {
    return (await clusterInfo(c)).cluster_state === 'ok';
  } finally {
    c.close();
  }
}

/** Polls `ok` every `everyMs` (an error counts as not yet) until it holds, else fails after `ms` naming `what`; the time it took. */
export async function until(ok: () => Promise<boolean>, ms: number, what: string, everyMs = 50): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await ok().catch(() => false)) return Date.now() - start;
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Whether `slot` is in ranges as CLUSTER NODES lists them. */
export function inRanges(slot: number, ranges: readonly string[]): boolean {
  return ranges.some((r) => {
    const [a, b] = r.split('-').map(Number);
    return slot >= a! && slot <= (b ?? a!);
  });
}
