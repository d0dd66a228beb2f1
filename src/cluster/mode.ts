/**
 * What the rest of the server asks of cluster mode without loading it
 * (cluster.ts brings the etcd client in, loaded only with cluster-enabled yes).
 */
import type { Cluster } from './cluster.ts';
import type { ClusterBus } from './bus.ts';

/** The Cluster of a server in cluster mode (ServerState.cluster, untyped there to keep the layering one-way), else null. */
export function clusterOf(s: { cluster: object | null }): Cluster | null {
  return s.cluster as Cluster | null;
}

/** The cluster bus of a server in cluster mode (ServerState.clusterBus), else null. */
export function busOf(s: { clusterBus: object | null }): ClusterBus | null {
  return s.clusterBus as ClusterBus | null;
}
