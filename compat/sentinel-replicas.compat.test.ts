/**
 * Redis Sentinel 7.0 (Debian's redis-sentinel) with shardis in every role: a
 * shardis primary, two shardis replicas (each a process of its own), three
 * sentinels (quorum 2). An ioredis client that asks the sentinels writes
 * under a load; the primary is killed (SIGKILL); the sentinels promote one replica (MULTI, REPLICAOF NO ONE, CONFIG
 * REWRITE, CLIENT KILL TYPE normal / pubsub, EXEC) and turn the other to it
 * (the same with REPLICAOF host port), which continues by partial resync;
 * the client follows with every acknowledged write there; the old primary,
 * started again on its port, is made a replica of the new one.
 * `replica-priority 0` keeps a replica from being promoted (there with
 * `requirepass` / `masterauth` on every server and `auth-pass` in Sentinel).
 * Every shardis server logs (verbose) into the group's directory: a failure
 * prints those logs with the sentinels'.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ioredisRetry } from '../test/helpers/clients.ts';
import { startShardisProcess, type RedisProcess } from '../test/helpers/redis-process.ts';
import { startSentinels, type Sentinels } from '../test/helpers/sentinels.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check`; on timeout fails with what `logs` tells (the sentinels' logs, the servers' INFO). */
async function until(what: string, check: () => Promise<boolean>, ms = 30_000, logs?: () => string | Promise<string>): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await sleep(100);
  }
  assert.fail(`never: ${what}${logs ? `\n${await logs()}` : ''}`);
}

/** An INFO section as a name → value map. */
async function info(c: Redis, section: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of (await c.info(section)).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** A client that reconnects: the sentinels' CLIENT KILL TYPE normal drops it when they reconfigure its server. */
async function connect(port: number, password?: string): Promise<Redis> {
  const c = new Redis({ port, host: '127.0.0.1', maxRetriesPerRequest: 5, retryStrategy: () => 50, ...(password !== undefined ? { password } : {}) });
  c.on('error', () => {});
  await c.ping().catch(() => {});
  return c;
}

/** SENTINEL REPLICAS / MASTER entries as name → value maps. */
function fields(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** Flags that make a shardis server log (verbose) to <dir>/<name>.log, for a failing test's message. */
function logTo(dir: string, name: string): string[] {
  return ['--logfile', join(dir, `${name}.log`), '--loglevel', 'verbose'];
}

interface Group {
  dir: string;
  primary: RedisProcess;
  replicas: RedisProcess[];
  sentinels: Sentinels;
  s0: Redis;
  clients: Redis[];
  servers: RedisProcess[];
}

/**
 * A shardis primary, two shardis replicas (with the given extra flags each),
 * each a process of its own as in a deployment, and three sentinels that
 * know them all; with a password, every server requires it (and replicas
 * authenticate with it), as do the sentinels' links.
 */
async function startGroup(replicaFlags: string[][], password?: string): Promise<Group> {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-sentinel-replicas-'));
  const base = password !== undefined ? ['--requirepass', password, '--masterauth', password] : [];
  const primary = await startShardisProcess([...base, ...logTo(dir, 'primary')]);
  const servers = [primary];
  const clients: Redis[] = [];
  const replicas: RedisProcess[] = [];
  for (const [i, extra] of replicaFlags.entries()) {
    // the second on 4 shards: nothing Sentinel sees depends on the layout
    const r = await startShardisProcess([...base, '--shards', i === 1 ? '4' : '1', ...extra, ...logTo(dir, `replica${i + 1}`), '--replicaof', '127.0.0.1', String(primary.port)]);
    servers.push(r);
    replicas.push(r);
  }
  const sentinels = await startSentinels(dir, '127.0.0.1', primary.port, 3, password !== undefined ? { authPass: password } : {});
  const s0 = await ioredisRetry(sentinels.ports[0]!);
  clients.push(s0);
  const group = { dir, primary, replicas, sentinels, s0, clients, servers };
  // the sentinels learn the replicas from the primary's INFO and each other from its hello channel
  try {
    await until('sentinels see both replicas online and each other', async () => {
      for (const port of sentinels.ports) {
        const s = await ioredisRetry(port);
        try {
          const reps = ((await s.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][]).map(fields);
          const others = (await s.call('SENTINEL', 'SENTINELS', 'mymaster')) as string[][];
          if (reps.length !== 2 || others.length !== 2) return false;
          if (!reps.every((r) => r.flags === 'slave' && r['master-link-status'] === 'ok')) return false;
        } finally {
          s.disconnect();
        }
      }
      return true;
    }, 30_000, () => groupLogs(group));
  } catch (e) {
    await stopGroup(group);
    throw e;
  }
  return group;
}

/** The shardis servers' logs (logTo's files in the group's directory), then the sentinels'. */
function groupLogs(g: Group): string {
  const servers = readdirSync(g.dir).filter((f) => f.endsWith('.log') && !f.startsWith('sentinel')).sort()
    .map((f) => `--- ${f} ---\n${readFileSync(join(g.dir, f), 'utf8')}`);
  return `${servers.join('\n')}\n${g.sentinels.logs()}`;
}

async function stopGroup(g: Group): Promise<void> {
  for (const c of g.clients) c.disconnect();
  await g.sentinels.stop();
  for (const s of g.servers) await s.stop();
  rmSync(g.dir, { recursive: true, force: true });
}

/**
 * Waits until every sentinel names the same primary other than `old`, with
 * no failover in progress, for long enough that a second failover would
 * have begun, and returns its port. (Sentinel can fail the new primary over
 * again at once: a sentinel that switched to it while its link to the dead
 * one was between reconnections may see no PONG within down-after-milliseconds
 * and count the other sentinels' fresh votes about the dead primary; see
 * SentinelOptions.downAfterMs, whose default keeps that away.)
 */
async function failedOver(g: Group, old: number): Promise<number> {
  let port = 0;
  let stableSince = 0;
  await until('every sentinel names the same new primary, no failover in progress', async () => {
    const ports = new Set<number>();
    let settled = true;
    for (const sp of g.sentinels.ports) {
      const s = await ioredisRetry(sp);
      try {
        const addr = (await s.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[];
        ports.add(Number(addr[1]));
        if (fields((await s.call('SENTINEL', 'MASTER', 'mymaster')) as string[]).flags !== 'master') settled = false;
      } finally {
        s.disconnect();
      }
    }
    const now = [...ports][0]!;
    if (ports.size !== 1 || now === old || !settled || now !== port) {
      port = ports.size === 1 ? now : 0;
      stableSince = 0;
      return false;
    }
    stableSince ||= Date.now();
    return Date.now() - stableSince >= 6000;
  }, 90_000, () => groupLogs(g));
  return port;
}

/** Writes k<i> = v<i> through the Sentinel client until stopped, remembering what was acknowledged. */
function startLoad(app: Redis): { acked: Set<number>; stop: () => Promise<void> } {
  const acked = new Set<number>();
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      try {
        if ((await app.set(`k${i}`, `v${i}`)) === 'OK') acked.add(i);
        // a steady load, not a flood: every server and this test share one event loop
        if (i % 4 === 3) await sleep(5);
      } catch {
        await sleep(20);
      }
    }
  })();
  return { acked, stop: async () => { running = false; await loop; } };
}

test('Sentinel fails a shardis primary over to a shardis replica, turns the other and the restarted old primary to it, and a Sentinel client follows', { timeout: 240_000 }, async () => {
  const g = await startGroup([[], []]);
  try {
    const oldPort = g.primary.port;
    const app = new Redis({ sentinels: g.sentinels.ports.map((port) => ({ host: '127.0.0.1', port })), name: 'mymaster', maxRetriesPerRequest: 2 });
    app.on('error', () => {});
    g.clients.push(app);
    const load = startLoad(app);
    await until('writes go to the primary', async () => load.acked.size >= 300);
    // the primary dies under the load; what each replica had of its stream then (their offsets stand still until the promotion)
    await g.primary.stop();
    const before = load.acked.size;
    const offsets = new Map<number, number>();
    for (const r of g.replicas) {
      const c = await connect(r.port);
      offsets.set(r.port, Number((await info(c, 'replication')).slave_repl_offset));
      c.disconnect();
    }
    const newPort = await failedOver(g, oldPort);
    const promoted = g.replicas.find((r) => r.port === newPort);
    assert.ok(promoted, `a shardis replica is promoted (sentinels name port ${newPort})`);
    const other = g.replicas.find((r) => r !== promoted)!;
    // one failover: a second one (Sentinel's race that sentinels.ts's down-after-milliseconds keeps away) would promote
    // the other replica while the first stays a primary until converted, losing what it acknowledged meanwhile and
    // syncing it in full (its offset then past the new primary's second_repl_offset), with Redis as with shardis
    assert.equal(g.sentinels.promotions().length, 1, `Sentinel promoted once:\n${g.sentinels.promotions().join('\n')}\n${groupLogs(g)}`);
    // the client finds the new primary through the sentinels and goes on writing there
    await until('the client writes to the new primary', async () => load.acked.size >= before + 300, 60_000, () => groupLogs(g));
    await load.stop();
    const p = await connect(promoted.port);
    const o = await connect(other.port);
    g.clients.push(p, o);
    assert.equal(((await p.call('ROLE')) as string[])[0], 'master');
    // the other replica follows the promoted one, continuing its history (PSYNC2)
    await until('the other replica follows the new primary', async () => {
      const r = await info(o, 'replication');
      return r.role === 'slave' && r.master_port === String(newPort) && r.master_link_status === 'up';
    }, 30_000, () => groupLogs(g));
    // a partial resync (Redis's masterTryPartialResynchronization: the dead primary's ID is the new one's replid2, and
    // the other's offset + 1 at most its second_repl_offset), unless the sentinels (by offsets they polled a moment
    // before) promoted the replica that had less of the dead primary's stream: the other one then has bytes the new
    // history lacks and syncs in full, as with Redis
    const st = await info(p, 'stats');
    const otherAhead = offsets.get(other.port)! > offsets.get(promoted.port)!;
    assert.deepEqual([st.sync_partial_ok, st.sync_full], otherAhead ? ['0', '1'] : ['1', '0'],
      `the other replica resumed by ${otherAhead ? 'a full' : 'partial'} resync (offsets at the kill: ${[...offsets].join(' ')})\n` +
      `--- new primary ${promoted.port}\n${await p.info('replication')}${await p.info('stats')}\n` +
      `--- other replica ${other.port}\n${await o.info('replication')}\n${groupLogs(g)}`);
    // nothing acknowledged was lost, on the new primary nor its replica
    const keys = [...load.acked];
    const onPrimary = await p.mget(keys.map((i) => `k${i}`));
    assert.deepEqual(keys.filter((i, n) => onPrimary[n] !== `v${i}`), [], `acknowledged writes missing on the new primary\n${groupLogs(g)}`);
    await until('the replica caught up', async () => {
      const [pi, ri] = [await info(p, 'replication'), await info(o, 'replication')];
      return pi.master_repl_offset === ri.slave_repl_offset;
    });
    const onReplica = await o.mget(keys.map((i) => `k${i}`));
    assert.deepEqual(keys.filter((i, n) => onReplica[n] !== `v${i}`), []);
    // the old primary comes back, empty, on its port: the sentinels make it a replica of the new one
    g.servers.push(await startShardisProcess(logTo(g.dir, 'restarted-primary'), oldPort));
    const b = await connect(oldPort);
    g.clients.push(b);
    const state = async (): Promise<string> => `${groupLogs(g)}\n--- new primary\n${await p.info()}\n--- old primary\n${await b.info()}`;
    await until('the old primary is turned into a replica of the new one', async () => {
      const r = await info(b, 'replication');
      return r.role === 'slave' && r.master_port === String(newPort) && r.master_link_status === 'up';
    }, 60_000, state);
    await until('the old primary caught up', async () => {
      const [pi, ri] = [await info(p, 'replication'), await info(b, 'replication')];
      return pi.master_repl_offset === ri.slave_repl_offset;
    });
    assert.equal(await b.dbsize(), await p.dbsize());
    // every sentinel sees the new primary with both replicas online
    await until('the sentinels list both replicas of the new primary', async () => {
      for (const sp of g.sentinels.ports) {
        const s = await ioredisRetry(sp);
        try {
          const reps = ((await s.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][]).map(fields);
          const ok = reps.filter((r) => r.flags === 'slave' && r['master-link-status'] === 'ok').map((r) => Number(r.port)).sort();
          if (ok.join() !== [oldPort, other.port].sort().join()) return false;
          // they still hear each other, now through the new primary's hello channel
          if (((await s.call('SENTINEL', 'SENTINELS', 'mymaster')) as string[][]).length !== 2) return false;
          if (fields((await s.call('SENTINEL', 'MASTER', 'mymaster')) as string[]).flags !== 'master') return false;
        } finally {
          s.disconnect();
        }
      }
      return true;
    }, 30_000, () => groupLogs(g));
  } catch (e) {
    // what the servers and sentinels logged, for any failure whose message lacks it
    if (!(e instanceof Error && e.message.includes('--- sentinel 0 '))) console.log(groupLogs(g));
    throw e;
  } finally {
    await stopGroup(g);
  }
});

test('Sentinel never promotes a shardis replica with replica-priority 0 (servers and sentinels with a password)', { timeout: 180_000 }, async () => {
  const g = await startGroup([['--replica-priority', '0'], []], 'secret');
  try {
    const [never, eligible] = g.replicas as [RedisProcess, RedisProcess];
    const reps = ((await g.s0.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][]).map(fields);
    assert.equal(reps.find((r) => Number(r.port) === never.port)?.['slave-priority'], '0');
    assert.equal(reps.find((r) => Number(r.port) === eligible.port)?.['slave-priority'], '100');
    const w = await connect(g.primary.port, 'secret');
    g.clients.push(w);
    for (let i = 0; i < 100; i++) await w.set(`k${i}`, `v${i}`);
    assert.equal(await w.wait(2, 5000), 2);
    await g.primary.stop();
    const newPort = await failedOver(g, g.primary.port);
    assert.equal(newPort, eligible.port, 'the replica with priority 0 is not promoted');
    const n = await connect(never.port, 'secret');
    g.clients.push(n);
    await until('the priority-0 replica follows the promoted one', async () => {
      const r = await info(n, 'replication');
      return r.role === 'slave' && r.master_port === String(newPort) && r.master_link_status === 'up';
    }, 30_000, () => groupLogs(g));
    for (let i = 0; i < 100; i++) assert.equal(await n.get(`k${i}`), `v${i}`);
  } catch (e) {
    // what the servers and sentinels logged, for any failure whose message lacks it
    if (!(e instanceof Error && e.message.includes('--- sentinel 0 '))) console.log(groupLogs(g));
    throw e;
  } finally {
    await stopGroup(g);
  }
});
