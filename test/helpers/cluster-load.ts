/**
 * Writers for cluster failover tests: ioredis Cluster clients that write
 * distinct keys across all slots (`w<writer>:<n>` = `v<n>`, each key once)
 * and record every acknowledged write with when it was acknowledged. Some
 * writers send each write on a connection of their own to the slot owner
 * (the Cluster client's map says which), followed by WAIT 1 on that same
 * connection (WAIT counts the replicas that have the client's own writes;
 * and a WAIT holds its connection, so not the Cluster client's), so that it
 * is known to be on a replica too; the others only write through the Cluster
 * client. A refused or failed write is counted and the writer goes on
 * with its next key after a short pause.
 */
import { Cluster, Redis } from 'ioredis';
import { keySlot } from '../../src/engine/slots.ts';

export interface Ack {
  key: string;
  value: string;
  /** When the write was acknowledged (ms). */
  at: number;
  /** WAIT 1 answered at least 1 after it. */
  waited: boolean;
}

export interface Load {
  readonly acks: Ack[];
  /** Writes that failed (refused, connection lost, timed out). */
  errors: number;
  /** The last failures' messages (for a failing test's message). */
  readonly lastErrors: string[];
  /** Stops the writers and waits until they are done. */
  stop(): Promise<void>;
  /** The Cluster client (for reads). */
  readonly client: Cluster;
}

/** A Cluster client that gives up on a dead node fast and refreshes its map every second. */
export function loadClient(port: number): Cluster {
  const client = new Cluster([{ host: '127.0.0.1', port }], {
    slotsRefreshInterval: 1000,
    slotsRefreshTimeout: 2000,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    clusterRetryStrategy: () => 200,
    redisOptions: { maxRetriesPerRequest: 1, connectTimeout: 1000, commandTimeout: 5000 },
  });
  // ioredis's periodic refresh re-arms itself when a refresh under way at disconnect() ends, and a refresh on a
  // closed client calls back at once: every second for good, so the test process never exited (once in 6 runs)
  const refresh = client.refreshSlotsCache.bind(client);
  client.refreshSlotsCache = (callback) => {
    if (client.status !== 'disconnecting' && client.status !== 'close' && client.status !== 'end') refresh(callback);
  };
  return client;
}

/** Starts `writers` writers, the first `waiters` of them with WAIT, through one Cluster client seeded with `port`; `pause` ms between writes of each. */
export function startLoad(port: number, writers: number, waiters: number, pause = 0): Load {
  const client = loadClient(port);
  client.on('error', () => {});
  let stopped = false;
  const load: Load = { acks: [], errors: 0, lastErrors: [], stop: async () => {}, client };
  const own: Array<Map<string, Redis>> = [];
  const one = async (w: number): Promise<void> => {
    const conns = new Map<string, Redis>();
    own.push(conns);
    for (let n = 0; !stopped; n++) {
      const key = `w${w}:${n}`;
      const value = `v${n}`;
      try {
        if (w < waiters) await writeAndWait(client, conns, load, key, value);
        else {
          await client.set(key, value);
          load.acks.push({ key, value, at: Date.now(), waited: false });
        }
      } catch (e) {
        load.errors++;
        load.lastErrors.push(`${Date.now()} ${key}: ${(e as Error).message}`);
        if (load.lastErrors.length > 20) load.lastErrors.shift();
        await new Promise((r) => setTimeout(r, 50));
      }
      if (pause > 0) await new Promise((r) => setTimeout(r, pause));
    }
  };
  const running = Promise.all(Array.from({ length: writers }, (_, w) => one(w)));
  load.stop = async () => {
    stopped = true;
    await running;
    for (const conns of own) for (const r of conns.values()) r.disconnect();
  };
  return load;
}

/** SET on the writer's own connection to the owner, then WAIT 1 on it (a WAIT on another connection would not cover the SET). */
async function writeAndWait(client: Cluster, conns: Map<string, Redis>, load: Load, key: string, value: string): Promise<void> {
  const addr = client.slots[keySlot(key)]?.[0];
  if (addr === undefined) throw new Error(`no owner known for ${key}`);
  let node = conns.get(addr);
  if (node === undefined) {
    const i = addr.lastIndexOf(':');
    node = new Redis({ host: addr.slice(0, i), port: Number(addr.slice(i + 1)), maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1000, commandTimeout: 5000, retryStrategy: () => null, lazyConnect: true });
    node.on('error', () => {});
    const dropped = node;
    node.on('end', () => {
      if (conns.get(addr) === dropped) conns.delete(addr);
    });
    conns.set(addr, node);
    await node.connect();
  }
  await node.set(key, value);
  const ack: Ack = { key, value, at: Date.now(), waited: false };
  load.acks.push(ack);
  ack.waited = Number(await node.call('WAIT', '1', '1000')) >= 1;
}

/** The acknowledged writes that are not readable with their value now. */
export async function missingAcks(client: Cluster, acks: readonly Ack[]): Promise<Ack[]> {
  const missing: Ack[] = [];
  for (let i = 0; i < acks.length; i += 200) {
    const batch = acks.slice(i, i + 200);
    const got = await Promise.all(batch.map((a) => client.get(a.key)));
    batch.forEach((a, j) => {
      if (got[j] !== a.value) missing.push(a);
    });
  }
  return missing;
}
