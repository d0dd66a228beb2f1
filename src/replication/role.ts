/**
 * Switching between primary and replica (Redis's replicationSetMaster and
 * replicationUnsetMaster), for REPLICAOF / SLAVEOF and the `replicaof`
 * directive at start-up, and what ROLE and INFO replication report of a replica.
 */
import { lookupParam, setParam, getConfigNumber, getConfigValue } from '../config/config.ts';
import type { Client } from '../server/client.ts';
import type { ServerState } from '../server/server-state.ts';
import { ReplicaLink, type LinkState } from './replica.ts';

/** Keeps CONFIG GET replicaof (and CONFIG REWRITE) in step with the role. */
function recordPrimary(s: ServerState<Client>, value: string): void {
  setParam(s.config, lookupParam('replicaof')!, value, false);
}

/** Becomes (or stays) a replica of host:port: its own replicas are dropped, expiry waits for the primary's DELs. */
export function followPrimary(s: ServerState<Client>, host: string, port: number): void {
  const feed = s.replication;
  // as Redis's cached master (or replicationCacheMasterUsingMyself): a server whose offset follows its dataset
  // (it keeps a backlog) asks the new primary to continue that history, in the database its stream was in
  const db = s.replicaOf?.streamDb() ?? Math.max(0, feed.streamDb);
  const history = feed.backlog !== null ? { replid: feed.replid, offset: feed.offset, db } : null;
  s.replicaOf?.stop();
  const link = new ReplicaLink(s, host, port, history);
  s.replicaOf = link;
  s.replication.upstream = link;
  // they sync again, with what this server gets from its primary
  s.replication.disconnectReplicas();
  s.holdExpiry();
  recordPrimary(s, `${host} ${port}`);
  link.start();
}

/** REPLICAOF NO ONE: a primary again, with the dataset as it is and a new replication ID (the old one stays valid up to here). */
export function becomePrimary(s: ServerState<Client>): void {
  const link = s.replicaOf;
  if (link === null) return;
  link.stop();
  s.replicaOf = null;
  s.replication.upstream = null;
  s.replication.shiftReplid();
  s.replication.disconnectReplicas();
  s.holdExpiry();
  recordPrimary(s, 'no one');
}

/** The `replicaof` directive of the config file or command line, once the server listens. */
export function followConfiguredPrimary(s: ServerState<Client>): void {
  const v = getConfigValue(s.config, 'replicaof') ?? '';
  if (v === '') return;
  const sp = v.lastIndexOf(' ');
  followPrimary(s, v.slice(0, sp), Number(v.slice(sp + 1)));
}

/** ROLE's state names (Redis's roleCommand). */
const ROLE_STATE: Record<LinkState, string> = { connect: 'connect', connecting: 'connecting', handshake: 'handshake', transfer: 'sync', connected: 'connected' };

/** ROLE of a replica: slave, host, port, state, offset applied (-1 without a master client). */
export function replicaRole(link: ReplicaLink): [string, string, number, string, number] {
  return ['slave', link.host, link.port, ROLE_STATE[link.state], link.master !== null ? link.reploff : -1];
}

type Field = [name: string, value: string | number];

/** INFO replication's replica fields, between role and connected_slaves (Redis 7.0's genRedisInfoString). */
export function replicaInfoFields(s: ServerState<Client>, link: ReplicaLink): Field[] {
  const now = Date.now();
  const secs = (ms: number): number => Math.floor((now - ms) / 1000);
  const mc = link.master;
  // without a master client, a cached one's offsets (else 1), as Redis
  const idle = link.cachedOffset() ?? 1;
  const out: Field[] = [
    ['master_host', link.host],
    ['master_port', link.port],
    ['master_link_status', link.up() ? 'up' : 'down'],
    ['master_last_io_seconds_ago', mc !== null ? secs(mc.lastInteraction) : -1],
    ['master_sync_in_progress', link.state === 'transfer' ? 1 : 0],
    ['slave_read_repl_offset', mc !== null ? link.readOff : idle],
    ['slave_repl_offset', mc !== null ? link.reploff : idle],
  ];
  const t = link.transfer;
  if (link.state === 'transfer' && t !== null) {
    out.push(
      ['master_sync_total_bytes', t.size],
      ['master_sync_read_bytes', t.read],
      ['master_sync_left_bytes', t.size >= 0 ? t.size - t.read : -1],
      ['master_sync_perc', (t.size > 0 ? (t.read / t.size) * 100 : 0).toFixed(2)],
      ['master_sync_last_io_seconds_ago', secs(link.transferLastIo)],
    );
  }
  if (!link.up()) out.push(['master_link_down_since_seconds', link.downSince !== 0 ? secs(link.downSince) : -1]);
  out.push(
    ['slave_priority', getConfigNumber(s.config, 'replica-priority', 100)],
    ['slave_read_only', getConfigValue(s.config, 'replica-read-only') === 'no' ? 0 : 1],
    ['replica_announced', getConfigValue(s.config, 'replica-announced') === 'no' ? 0 : 1],
  );
  return out;
}
