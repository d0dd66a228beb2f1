/**
 * What the other nodes of the fleet tell this one over the bus (bus.ts),
 * beside etcd: when each last reached etcd (ownership.ts weighs it), and
 * its own record as it holds it now. A node cut off from etcd learns from
 * these records that a replica took its slots (Redis's UPDATE message), so
 * it follows the new owner and redirects to it before etcd returns.
 */
import type { EtcdReport } from './ownership.ts';
import type { NodeRecord } from './topology.ts';

export class Peers {
  readonly etcd = new Map<string, EtcdReport>();
  readonly records = new Map<string, NodeRecord>();

  /** Node `id` last reached etcd `ageMs` ago (negative: never). */
  heardEtcd(id: string, ageMs: number, now = Date.now()): void {
    this.etcd.set(id, { okAt: ageMs < 0 ? -Infinity : now - ageMs, heardAt: now });
  }

  /** Node `id`'s record as it holds it; whether it is new. */
  heardRecord(id: string, r: NodeRecord): boolean {
    const before = this.records.get(id);
    this.records.set(id, r);
    return before === undefined || JSON.stringify(before) !== JSON.stringify(r);
  }

  /** Forgets nodes no longer in the view. */
  retain(ids: ReadonlySet<string> | ReadonlyMap<string, unknown>): void {
    for (const id of this.etcd.keys()) if (!ids.has(id)) this.etcd.delete(id);
    for (const id of this.records.keys()) if (!ids.has(id)) this.records.delete(id);
  }

  /**
   * `records` (etcd's, or nodes.conf's) with the claims this node heard of
   * over the bus that are newer: a node's record with a higher config epoch
   * than the one known (a replica that took its master's slots).
   */
  newerClaims(records: Iterable<NodeRecord>): NodeRecord[] {
    const out: NodeRecord[] = [];
    for (const r of records) {
      const heard = this.records.get(r.id);
      out.push(heard !== undefined && heard.configEpoch > r.configEpoch ? heard : r);
    }
    return out;
  }
}
