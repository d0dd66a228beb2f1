/**
 * Switching between primary and replica (Redis's replicationSetMaster and
 * replicationUnsetMaster), for REPLICAOF / SLAVEOF and the `replicaof`
 * directive at start-up.
 */
import { lookupParam, setParam, getConfigValue } from '../config/config.ts';
import type { RdbReplInfo } from '../persistence/save-state.ts';
import type { Client } from '../server/client.ts';
import type { ServerState } from '../server/server-state.ts';
import { ReplicaLink } from './replica.ts';

/** Keeps CONFIG GET replicaof (and CONFIG REWRITE) in step with the role. */
function recordPrimary(s: ServerState<Client>, value: string): void {
  setParam(s.config, lookupParam('replicaof')!, value, false);
}

/** What REPLICAOF ends the waits of clients blocked on keys with (Redis's disconnectAllBlockedClients). */
export const UNBLOCKED_TO_REPLICA = 'UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)';

/** Becomes (or stays) a replica of host:port: its own replicas are dropped, expiry waits for the primary's DELs. */
export function followPrimary(s: ServerState<Client>, host: string, port: number): void {
  // with threads the link runs on thread 0, and every thread switches (threads/repl-threads.ts)
  if (s.replication.threads?.follow(host, port) === true) return;
  const feed = s.replication;
  // as Redis's cached master (or replicationCacheMasterUsingMyself): a server whose offset follows its dataset
  // (it keeps a backlog) asks the new primary to continue that history, in the database its stream was in
  const db = s.replicaOf?.streamDb() ?? Math.max(0, feed.streamDb);
  const history = feed.backlog !== null ? { replid: feed.replid, offset: feed.offset, db } : null;
  s.replicaOf?.stop();
  // clients blocked on keys: their keys are the (new) primary's now
  s.blocking.unblockAll(UNBLOCKED_TO_REPLICA);
  const link = new ReplicaLink(s, host, port, history);
  s.replicaOf = link;
  s.replication.upstream = link;
  // its own replicas stay: they follow this server's history, which changes only once a full sync
  // from the new primary is loaded, or a partial one continues another ID (replica.ts disconnects them then)
  s.holdExpiry();
  recordPrimary(s, `${host} ${port}`);
  link.start();
}

/** REPLICAOF NO ONE: a primary again, with the dataset as it is and a new replication ID (the old one stays valid up to here). */
export function becomePrimary(s: ServerState<Client>): void {
  const link = s.replicaOf;
  if (link === null) return;
  if (s.replication.threads?.follow(null, 0) === true) return;
  link.stop();
  s.replicaOf = null;
  s.replication.upstream = null;
  s.replication.shiftReplid();
  s.replication.disconnectReplicas();
  // repl-backlog-ttl counts from the promotion, not from when the replicas left
  s.replication.noReplicasFromNow();
  s.holdExpiry();
  recordPrimary(s, 'no one');
}

/**
 * Start-up with an RDB that recorded a replication history (Redis's
 * loadDataFromDisk): a replica asks its primary to continue it (PSYNC
 * replid offset + 1); a primary keeps it as its previous ID, so its
 * replicas can resync partially after its restart.
 */
export function restoreHistory(s: ServerState<Client>, h: RdbReplInfo | null): void {
  const feed = s.replication;
  if (h === null || feed.threads !== null) return;
  feed.adoptHistory(h.replid, h.offset);
  feed.streamDb = h.streamDb;
  if ((getConfigValue(s.config, 'replicaof') ?? '') === '') feed.shiftReplid();
}

/** The `replicaof` directive of the config file or command line, once the server listens. */
export function followConfiguredPrimary(s: ServerState<Client>): void {
  const v = getConfigValue(s.config, 'replicaof') ?? '';
  if (v === '') return;
  const sp = v.lastIndexOf(' ');
  followPrimary(s, v.slice(0, sp), Number(v.slice(sp + 1)));
}
