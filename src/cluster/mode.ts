/**
 * What the rest of the server asks of cluster mode without loading it
 * (cluster.ts brings the etcd client in, loaded only with cluster-enabled yes).
 */
import type { Cluster } from './cluster.ts';

/** The Cluster of a server in cluster mode (ServerState.cluster, untyped there to keep the layering one-way), else null. */
export function clusterOf(s: { cluster: object | null }): Cluster | null {
  return s.cluster as Cluster | null;
}
