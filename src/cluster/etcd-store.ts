/**
 * The fleet's shared truth in etcd (the `etcd3` client), under
 * cluster-etcd-prefix. Several fleets (clusters formed by CLUSTER MEET,
 * as Redis's) can share a prefix: each has an id, and its keys live under
 * <prefix>fleet/<fleet id>/:
 *
 *   <prefix>invite/<ip>:<port>/<from>   CLUSTER MEET's request (by node
 *                          <from>) to the node at that address to join a
 *                          fleet (JSON {fleet}); one key per asker, so that
 *                          several MEETs of one node at once all arrive
 *   <prefix>fleet/<f>/…   the fleet's keys:
 *   nodes/<id>             a joined node's record (JSON NodeRecord), written
 *                          by the node itself, or by FORGET (deleted)
 *   alive/<id>             present while the node renews its lease
 *                          (TTL cluster-node-timeout): its absence is `fail`
 *   epoch                  the highest epoch handed out (new epochs by
 *                          compare-and-swap, so no two nodes bump to the same)
 *   merged                 the fleet it was merged into (a MEET between two
 *                          fleets): a node still in it follows there
 *   elect/<id>/<epoch>     the one replica that won the failover of
 *                          master <id> at its config epoch <epoch>
 *
 * Every node watches the prefix and rebuilds its view on each change. When
 * etcd cannot be reached, the last view stays and writes fail (topology
 * changes are refused with a clear error).
 */
import { Etcd3, isRecoverableError, type Lease, type Watcher } from 'etcd3';
import { circuitBreaker, ConsecutiveBreaker, ExponentialBackoff, handleWhen } from 'cockatiel';
import type { NodeRecord } from './topology.ts';
import { ETCD_DOWN } from './errors.ts';
import { renewPeriodMs } from './ownership.ts';

export class EtcdStore {
  readonly records = new Map<string, NodeRecord>();
  readonly alive = new Set<string>();
  /** CLUSTER MEET's invitations, by their key (`<ip>:<port>/<from>`): the fleet to join. */
  readonly invites = new Map<string, { fleet: string }>();
  epoch = 0;
  /** The fleet whose keys this store follows (null: a node alone, in no fleet yet). */
  fleet: string | null = null;
  /** The fleet this one was merged into (its `merged` key): its nodes follow. */
  mergedInto: string | null = null;
  /** Whether the last exchange with etcd worked (the watch is up). */
  available = false;
  /** When etcd became reachable again (ms): a lease that lapsed about then may be the outage's, not its node's. */
  upSince = 0;
  /**
   * When the last lease renewal (or grant) that etcd answered was sent (ms;
   * 0: the node holds no lease known to be live). etcd renewed the lease
   * after this, so it cannot lapse before renewedAt + ttl (ownership.ts).
   */
  renewedAt = 0;
  /** When etcd last answered a renewal of this node's lease (ms; 0: never): what the node tells its peers (bus.ts). */
  answeredAt = 0;
  private readonly client: Etcd3;
  private watcher: Watcher | null = null;
  private lease: Lease | null = null;
  private aliveId: string | null = null;
  private closed = false;
  private readonly prefix: string;
  /** The lease's TTL in seconds (cluster-node-timeout). */
  readonly ttl: number;
  /** Called after every change the watch brings (and once loaded). */
  onChange: () => void = () => {};

  constructor(endpoints: string[], prefix: string, ttlSeconds: number) {
    this.client = new Etcd3({
      hosts: endpoints,
      dialTimeout: 2000,
      // etcd3's defaults shut a host for 5 s after 3 failures and let the watch back off up to 30 s: once etcd
      // is back, a node would wait that long to renew its lease (a TTL of a few seconds) and to see the fleet
      faultHandling: {
        host: () => circuitBreaker(handleWhen(isRecoverableError), { halfOpenAfter: 250, breaker: new ConsecutiveBreaker(3) }),
        watchBackoff: new ExponentialBackoff({ initialDelay: 100, maxDelay: 1000 }).next(),
      },
    });
    this.prefix = prefix.endsWith('/') ? prefix : `${prefix}/`;
    this.ttl = ttlSeconds;
  }

  /** Loads everything under the prefix and watches it; retries in the background while etcd is down. */
  async start(): Promise<void> {
    try {
      await this.load();
    } catch {
      this.available = false;
      this.retryLater();
    }
  }

  private retryTimer: NodeJS.Timeout | null = null;
  private retryLater(): void {
    if (this.closed || this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.start();
    }, 500);
    this.retryTimer.unref();
  }

  private async load(): Promise<void> {
    const res = await this.client.getAll().prefix(this.prefix).exec();
    this.records.clear();
    this.alive.clear();
    this.invites.clear();
    for (const kv of res.kvs) this.apply(kv.key.toString(), kv.value.toString());
    if (this.watcher === null) {
      const w = await this.client.watch().prefix(this.prefix).startRevision(String(Number(res.header.revision) + 1)).create();
      w.on('put', (kv) => this.changed(kv.key.toString(), kv.value.toString()));
      w.on('delete', (kv) => this.changed(kv.key.toString(), null));
      w.on('disconnected', () => {
        this.available = false;
      });
      w.on('connected', () => {
        // the watch resumes from its revision: nothing is missed (the node looks at its view again all the same)
        this.up();
        void this.renewAlive();
        this.onChange();
      });
      w.on('error', () => {
        this.available = false;
      });
      this.watcher = w;
    }
    this.up();
    if (this.aliveId !== null) await this.renewAlive();
    this.onChange();
  }

  private up(): void {
    if (!this.available) this.upSince = Date.now();
    this.available = true;
  }

  private changed(key: string, value: string | null): void {
    this.up();
    this.apply(key, value);
    // this node's own record as it last wrote it: its view was rebuilt after the write already (one that etcd
    // took though the answer was lost differs, and is looked at: cluster.ts's reconcile)
    if (value !== null && value === this.ownWritten && this.aliveId !== null && key === this.key('nodes', this.aliveId)) return;
    // this node's own alive key gone while its lease lives on (deleted by hand, or by an old lease of it that
    // lapsed): put again, else the fleet would see this node `fail` for good
    if (value === null && this.aliveId !== null && key === this.key('alive', this.aliveId)) void this.renewAlive();
    this.onChange();
  }

  private apply(key: string, value: string | null): void {
    let rel = key.slice(this.prefix.length);
    if (rel.startsWith('invite/')) {
      const name = rel.slice('invite/'.length);
      if (value === null) this.invites.delete(name);
      else this.invites.set(name, JSON.parse(value) as { fleet: string });
      return;
    }
    // another fleet's keys are not this node's business
    const mine = `fleet/${this.fleet}/`;
    if (this.fleet === null || !rel.startsWith(mine)) return;
    rel = rel.slice(mine.length);
    const slash = rel.indexOf('/');
    const kind = slash < 0 ? rel : rel.slice(0, slash);
    const name = slash < 0 ? '' : rel.slice(slash + 1);
    if (kind === 'nodes') {
      if (value === null) this.records.delete(name);
      else this.records.set(name, JSON.parse(value) as NodeRecord);
    } else if (kind === 'alive') {
      if (value === null) this.alive.delete(name);
      else this.alive.add(name);
    } else if (kind === 'epoch') {
      this.epoch = value === null ? 0 : Number(value);
    } else if (kind === 'merged') {
      this.mergedInto = value;
    }
  }

  /** A key of this node's fleet. */
  private key(...parts: string[]): string {
    return `${this.prefix}fleet/${this.fleet}/${parts.join('/')}`;
  }

  /**
   * Follows fleet `f` from now on (null: none): its records, leases and
   * epoch are read anew, and this node's lease key moves there.
   */
  async setFleet(f: string | null): Promise<void> {
    if (f === this.fleet) return;
    this.fleet = f;
    this.records.clear();
    this.alive.clear();
    this.epoch = 0;
    this.mergedInto = null;
    const lease = this.lease;
    this.lease = null;
    this.renewedAt = 0;
    await lease?.revoke().catch(() => undefined);
    if (f === null || !this.available) return;
    const res = await this.client.getAll().prefix(`${this.prefix}fleet/${f}/`).exec();
    for (const kv of res.kvs) this.apply(kv.key.toString(), kv.value.toString());
    await this.renewAlive();
  }

  /** Fleet `from` was merged into `to`: a node still in it (or joining it late) follows to `to`. */
  async setMerged(from: string, to: string): Promise<void> {
    await this.write(() => this.client.put(`${this.prefix}fleet/${from}/merged`).value(to).exec());
  }

  /** The records of another fleet (a MEET between two fleets merges them). */
  async fleetRecords(f: string): Promise<NodeRecord[]> {
    return this.write(async () => {
      const res = await this.client.getAll().prefix(`${this.prefix}fleet/${f}/nodes/`).strings();
      return Object.values(res).map((v) => JSON.parse(v) as NodeRecord);
    });
  }

  /** Fails at once with ETCD_DOWN while etcd is known to be unreachable, else runs `op` (a failure marks it down). */
  private async write<T>(op: () => Promise<T>): Promise<T> {
    if (!this.available) throw new Error(ETCD_DOWN);
    try {
      return await op();
    } catch {
      this.available = false;
      throw new Error(ETCD_DOWN);
    }
  }

  async putRecord(r: NodeRecord): Promise<void> {
    const json = JSON.stringify(r);
    await this.write(() => this.client.put(this.key('nodes', r.id)).value(json).exec());
    this.records.set(r.id, r);
    if (r.id === this.aliveId) this.ownWritten = json;
  }

  /** This node's record as its last write that etcd answered put it. */
  private ownWritten: string | null = null;

  async deleteRecord(id: string): Promise<void> {
    await this.write(() => this.client.delete().key(this.key('nodes', id)).exec());
    this.records.delete(id);
  }

  /**
   * Keeps <prefix>alive/<id> under a lease renewed every sixth of its TTL
   * (etcd3's own keep-alive renews every third, and does not say when the
   * renewal it answers was sent); a lost lease is taken again.
   */
  async keepAlive(id: string): Promise<void> {
    this.aliveId = id;
    if (this.renewTimer === null) {
      this.renewTimer = setInterval(() => this.renew(), renewPeriodMs(this.ttl * 1000));
      this.renewTimer.unref();
    }
    if (this.available) await this.renewAlive().catch(() => undefined);
  }

  private renewTimer: NodeJS.Timeout | null = null;
  /** Renewals sent and not answered yet (a partition can hold them until their deadline). */
  private inFlight = 0;

  /** One renewal of the lease (a new lease when there is none), recording when it was sent once etcd answers it. */
  renew(): void {
    const lease = this.lease;
    if (this.closed || this.aliveId === null) return;
    if (lease === null) return void this.renewAlive();
    if (this.inFlight >= 3 || lease.revoked()) return;
    const sent = Date.now();
    this.inFlight++;
    lease.keepaliveOnce({ deadline: sent + this.ttl * 500 }).then(
      () => {
        if (this.lease === lease) this.renewed(sent);
      },
      // a lapsed lease is reported by its 'lost' event; anything else: the next renewal tries again
      () => undefined,
    ).finally(() => this.inFlight--);
  }

  private renewed(sent: number): void {
    this.renewedAt = Math.max(this.renewedAt, sent);
    this.answeredAt = Date.now();
  }

  private renewing = false;
  private async renewAlive(): Promise<void> {
    const id = this.aliveId;
    // a node in no fleet has no lease: nobody fails it over
    if (id === null || this.fleet === null || this.closed || this.renewing) return;
    this.renewing = true;
    try {
      let sent = 0;
      if (this.lease === null) {
        // renewed by this store (renew), not by etcd3's keep-alive
        sent = Date.now();
        const lease = this.client.lease(this.ttl, { autoKeepAlive: false });
        lease.on('lost', () => {
          if (this.lease !== lease) return;
          this.lease = null;
          // the lease is gone in etcd: this node's claims are no longer backed by it
          this.renewedAt = 0;
          this.available = false;
          setTimeout(() => void this.renewAlive(), 250).unref();
        });
        this.lease = lease;
      }
      const lease = this.lease;
      await lease.put(this.key('alive', id)).value(String(Date.now()));
      this.alive.add(id);
      // a new lease lives from its grant, sent before the put
      if (sent !== 0 && this.lease === lease) this.renewed(sent);
    } catch {
      this.lease = null;
      setTimeout(() => void this.renewAlive(), 250).unref();
    } finally {
      this.renewing = false;
    }
  }

  /** Stops renewing (CLUSTER RESET HARD takes a new id). */
  async dropAlive(): Promise<void> {
    const lease = this.lease;
    this.lease = null;
    this.aliveId = null;
    this.renewedAt = 0;
    await lease?.revoke().catch(() => undefined);
  }

  /** A new epoch above `atLeast` and every epoch handed out before (compare-and-swap on <prefix>epoch). */
  async nextEpoch(atLeast: number): Promise<number> {
    return this.write(async () => {
      for (;;) {
        const cur = await this.client.get(this.key('epoch')).string();
        const next = Math.max(Number(cur ?? '0'), atLeast) + 1;
        const tx = cur === null
          ? this.client.if(this.key('epoch'), 'Create', '==', 0)
          : this.client.if(this.key('epoch'), 'Value', '==', cur);
        const r = await tx.then(this.client.put(this.key('epoch')).value(String(next))).commit();
        if (r.succeeded) {
          this.epoch = Math.max(this.epoch, next);
          return next;
        }
      }
    });
  }

  /** Raises <prefix>epoch to at least `epoch` (SET-CONFIG-EPOCH of a joining node). */
  async raiseEpoch(epoch: number): Promise<void> {
    await this.write(async () => {
      for (;;) {
        const cur = await this.client.get(this.key('epoch')).string();
        if (cur !== null && Number(cur) >= epoch) return;
        const tx = cur === null ? this.client.if(this.key('epoch'), 'Create', '==', 0) : this.client.if(this.key('epoch'), 'Value', '==', cur);
        if ((await tx.then(this.client.put(this.key('epoch')).value(String(epoch))).commit()).succeeded) return;
      }
    });
  }

  /** Whether `me` is the one replica to replace master `master` of config epoch `epoch` (the first to ask). */
  async elect(master: string, epoch: number, me: string): Promise<boolean> {
    return this.write(async () => {
      const key = this.key('elect', master, String(epoch));
      const r = await this.client.if(key, 'Create', '==', 0).then(this.client.put(key).value(me)).else(this.client.get(key)).commit();
      if (r.succeeded) return true;
      const got = r.responses[0]?.response_range?.kvs[0]?.value.toString();
      return got === me;
    });
  }

  /** CLUSTER MEET: asks the node at ip:port to join fleet `fleet`; `from` names who asked. */
  async invite(ip: string, port: number, fleet: string, from: string): Promise<void> {
    await this.write(() => this.client.put(`${this.prefix}invite/${ip}:${port}/${from}`).value(JSON.stringify({ fleet })).exec());
  }

  /** Removes an invite (its key, `<ip>:<port>/<from>`), answered. */
  async dropInvite(name: string): Promise<void> {
    await this.write(() => this.client.delete().key(`${this.prefix}invite/${name}`).exec());
    this.invites.delete(name);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    if (this.renewTimer !== null) clearInterval(this.renewTimer);
    await this.watcher?.cancel().catch(() => undefined);
    // the lease is not revoked: as after a crash, the node is `fail` once it lapses (cluster-node-timeout)
    this.lease?.release();
    this.client.close();
  }
}
