/**
 * Whether a master can still prove that it owns its slots (docs/cluster.md,
 * "A master cut off from etcd"). Its claim is backed by its lease in etcd
 * (TTL T, cluster-node-timeout in whole seconds): a replica runs for the
 * master's place only once the lease lapsed, after ELECTION_DELAY_MS more
 * and its own rank's delay (cluster.ts). The node renews the lease every
 * T/6 and knows when it sent the last renewal that etcd answered (L):
 * etcd renewed it after L, so the lease cannot lapse before L + T.
 *
 * - Until L + T − T/6 the master serves: T/6 plus the election delay
 *   before any replica can have won, for clocks, the watch and the reply.
 * - Past that it serves on only while etcd looks down for everyone who
 *   could take its place (Redis's nodes keep serving while no majority can
 *   elect either): every replica that may fail over reported over the bus
 *   within min(T/2, 1 s), and no node reports having reached etcd after
 *   L + T/2. Nodes tell when they last reached etcd every tenth of a second
 *   (bus.ts); an etcd down for everyone stops every node's renewals within
 *   T/6 of each other, while a peer that still reaches it renews every T/6,
 *   so by L + 5T/6 its report is well past L + T/2.
 * - Otherwise the node answers CLUSTERDOWN (its cluster_state is fail), as
 *   Redis's minority side after node-timeout. A master that hears none of
 *   its replicas cannot tell an etcd down for everyone from being cut off
 *   alone: it stops too. One without replicas that hears nobody serves on
 *   (nobody can take its slots without etcd, and it would hear of a peer
 *   reaching etcd).
 *
 * A replica that reaches etcd again after an outage of its own does not run
 * for a master that still answers PING for 2T (cluster.ts): the master hears
 * of it within a tenth of a second and stops before.
 */

/** What the other nodes last told this one of etcd (bus.ts). */
export interface EtcdReport {
  /** When the node last reached etcd, in this node's clock (-Infinity: never). */
  okAt: number;
  /** When the report came. */
  heardAt: number;
}

/** The period of lease renewals (ms) for a lease of `ttlMs`. */
export function renewPeriodMs(ttlMs: number): number {
  return ttlMs / 6;
}

/** Until when (ms) a lease renewed by a renewal sent at `renewedAt` is sure to be live, less the margin. */
export function leaseProvenUntil(renewedAt: number, ttlMs: number): number {
  return renewedAt + ttlMs - ttlMs / 6;
}

/** How recent a replica's report must be for the master to count it as cut off from etcd too. */
export function freshReportMs(ttlMs: number): number {
  return Math.min(ttlMs / 2, 1000);
}

/**
 * Whether etcd looks down for everyone who could take this master's place:
 * every one of `replicas` (those that may fail over) reported lately, and
 * no node reached etcd after this node's last renewal (`renewedAt`) + T/2.
 */
export function etcdDownForAll(now: number, renewedAt: number, ttlMs: number, replicas: Iterable<string>, reports: ReadonlyMap<string, EtcdReport>): boolean {
  const after = renewedAt + ttlMs / 2;
  for (const r of reports.values()) if (r.okAt > after) return false;
  const fresh = freshReportMs(ttlMs);
  for (const id of replicas) {
    const r = reports.get(id);
    if (r === undefined || now - r.heardAt > fresh) return false;
  }
  return true;
}

/** Whether a master (with slots, in a fleet) can prove at `now` that its slots are still its own. */
export function ownershipProven(now: number, renewedAt: number, ttlMs: number, replicas: Iterable<string>, reports: ReadonlyMap<string, EtcdReport>): boolean {
  return now < leaseProvenUntil(renewedAt, ttlMs) || etcdDownForAll(now, renewedAt, ttlMs, replicas, reports);
}
