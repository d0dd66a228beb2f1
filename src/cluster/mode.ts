/**
 * What the rest of the server asks of cluster mode without loading it
 * (cluster.ts brings the etcd client in, loaded only with cluster-enabled yes).
 */
import type { Cluster } from './cluster.ts';
import type { ClusterBus } from './bus.ts';
import type { ClusterLens } from './lens.ts';

/**
 * The cluster state this thread reads (ServerState.cluster, untyped there to keep the layering one-way):
 * the node's Cluster, or with threads a mirror of thread 0's (lens.ts); null when not in cluster mode.
 */
export function clusterOf(s: { cluster: object | null }): ClusterLens | null {
  return s.cluster as ClusterLens | null;
}

/** The node's Cluster, on the thread that runs it (thread 0 with threads), else null. */
export function nodeOf(s: { cluster: object | null }): Cluster | null {
  const cl = s.cluster as ClusterLens | null;
  return cl === null || cl.mirror ? null : (cl as Cluster);
}

/** What any thread asks of the bus: PUBLISH / SPUBLISH to the other nodes of the fleet, DEBUG CLUSTERLINK KILL. */
export interface BusAccess {
  publish(sharded: boolean, channel: string, message: string): void;
  kill(direction: 'to' | 'from' | 'all', node: string): void;
}

/** The bus (ServerState.clusterBus), or with threads a relay to thread 0's (in order with this thread's other requests); null when not in cluster mode. */
export function busAccessOf(s: { clusterBus: object | null }): BusAccess | null {
  return s.clusterBus as BusAccess | null;
}

/** The node's cluster bus, on the thread that runs it (thread 0 with threads), else null. */
export function busOf(s: { clusterBus: object | null }): ClusterBus | null {
  const b = s.clusterBus;
  return b !== null && 'links' in b ? (b as ClusterBus) : null;
}
