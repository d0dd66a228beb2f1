/**
 * Which of a node's two client ports a reply names (Redis 7.4's
 * clusterNodeClientPort and shouldReturnTlsInfo): a node publishes its
 * plain port and its tls-port; CLUSTER NODES / SLOTS / REPLICAS and MOVED /
 * ASK give the TLS one to a client connected over TLS, the plain one to the
 * others (tls-cluster decides where no connection asks). The node's own
 * requests to another node use tls-cluster's choice, its replication link
 * tls-replication's.
 */
import type { TLSSocket } from 'node:tls';
import type { Config } from '../config/config.ts';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import type { Client } from '../server/client.ts';
import type { NodeRecord } from './topology.ts';

/** A node's client port over TLS (`tls`) or plain TCP; 0 where it has none. */
export function clientPort(n: Pick<NodeRecord, 'port' | 'tlsPort'>, tls: boolean): number {
  return tls ? (n.tlsPort ?? 0) : n.port;
}

/** A port naming the node in an invite (either of its ports names it: Cluster.isMyPort). */
export function reachablePort(n: Pick<NodeRecord, 'port' | 'tlsPort'>): number {
  return n.port !== 0 ? n.port : n.tlsPort ?? 0;
}

/** Whether replies to `c` name the TLS ports: its connection is TLS (no connection: tls-cluster). */
export function returnsTls(c: Client): boolean {
  const socket = c.socket as Partial<TLSSocket> | null;
  if (socket !== null && socket !== undefined) return socket.encrypted === true;
  return tlsCluster(c.server.config);
}

export function tlsCluster(cfg: Config): boolean {
  return getConfigValue(cfg, 'tls-cluster') === 'yes';
}

export function tlsReplication(cfg: Config): boolean {
  return getConfigValue(cfg, 'tls-replication') === 'yes';
}

/** The port this node's own requests reach another node on (Redis's getNodeDefaultClientPort). */
export function defaultClientPort(cfg: Config, n: Pick<NodeRecord, 'port' | 'tlsPort'>): number {
  return clientPort(n, tlsCluster(cfg));
}

/** The port a replica reaches its master on (Redis's getNodeDefaultReplicationPort). */
export function replicationPort(cfg: Config, n: Pick<NodeRecord, 'port' | 'tlsPort'>): number {
  return clientPort(n, tlsReplication(cfg));
}

/** The bus port's base (Redis's defaultClientPort): tls-port with tls-cluster yes (where there is one), else the port. */
export function busBase(cfg: Config, port: number): number {
  const tls = tlsCluster(cfg) ? getConfigNumber(cfg, 'tls-port', 0) : 0;
  return tls !== 0 ? tls : port;
}
