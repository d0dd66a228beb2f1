/**
 * cluster-enabled yes (docs/cluster.md): this node's part in a fleet whose
 * truth is kept in etcd. It holds its own record (identity in nodes.conf),
 * publishes it once joined, keeps its lease alive, rebuilds its view
 * (topology.ts) whenever etcd changes, and acts on the view: a master whose
 * slots went to a higher epoch follows their new owner, a replica whose
 * master's lease lapsed runs for its place, a replica whose master was
 * replaced follows the new one.
 *
 * A node not yet joined knows only itself (a fresh Redis node before CLUSTER
 * MEET); its slots and epoch are its own until it joins.
 */
import { join } from 'node:path';
import { networkInterfaces } from 'node:os';
import type { Client } from '../server/client.ts';
import type { ServerState } from '../server/server-state.ts';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import { becomePrimary, followPrimary } from '../replication/role.ts';
import { EtcdStore } from './etcd-store.ts';
import { newNodeId, readNodesConf, writeNodesConf } from './nodes-conf.ts';
import { Topology, rangesOf, slotsIn, type NodeRecord, type NodeView, type SlotRanges } from './topology.ts';
import { askNode } from './node-link.ts';
import { busBase, defaultClientPort, reachablePort, replicationPort, tlsCluster } from './tls-ports.ts';
import type { ReplyMessage } from '../protocol/reply-tree.ts';
import type { ClusterLens, OwnershipWord } from './lens.ts';
import { countKeys, flushKeys } from '../engine/server-wide.ts';
import { Peers } from './peers.ts';
import { etcdDownForAll, leaseProvenUntil, ownershipProven } from './ownership.ts';

/** The delay before a replica runs for a failed master's place, and the step per rank (a fresher replica goes first). */
const ELECTION_DELAY_MS = 300;
const RANK_STEP_MS = 700;
/** How long nodes.conf may lag behind the view after another node's change. */
const SAVE_DELAY_MS = 100;

const noop = (): void => {};

export class Cluster implements ClusterLens {
  readonly state: ServerState<Client>;
  readonly mirror = false;
  /** Called whenever what the gate reads may have changed: with threads, the other threads' mirrors follow (lens.ts); the bus links new nodes. */
  readonly viewHooks: Array<() => void> = [];

  private viewChanged(): void {
    for (const h of this.viewHooks) h();
  }
  readonly store: EtcdStore;
  /** This node's own record (published once joined). */
  me: NodeRecord;
  /** Whether the fleet in etcd holds this node's record. */
  joined = false;
  view: Topology;
  /** Slots this master is handing to another node (SETSLOT MIGRATING), and slots it takes (IMPORTING). */
  readonly migrating = new Map<number, string>();
  readonly importing = new Map<number, string>();
  /** Node ids that left the view, and when. */
  readonly forgotten = new Map<string, number>();
  /** The ip was given (cluster-announce-ip, or a specific bind address) rather than learnt. */
  private readonly ipFixed: boolean;
  private readonly confPath: string;
  /** Records from nodes.conf: the view while etcd has not answered yet. */
  private cached: NodeRecord[] | null;
  private cachedEpoch: number;
  private electionTimer: NodeJS.Timeout | null = null;
  private publishTimer: NodeJS.Timeout | null = null;
  private tickTimer: NodeJS.Timeout | null = null;
  /** What the other nodes tell this one over the bus: their reach of etcd, their records. */
  readonly peers = new Peers();
  /** This node's record changed here (a failover seen, a master followed) while etcd could not be written: written once it can. */
  private unpublished = false;
  /** Writes of this node's own record queued or under way (a claim of its own seen in etcd meanwhile is that write's). */
  private writing = 0;
  /** The last write of this node's record queued: each waits for the one before, so they land in order. */
  private lastWrite: Promise<void> = Promise.resolve();
  /** A publish queued and not started yet: the publishes asked for meanwhile go with it. */
  private nextPublish: Promise<void> | null = null;
  /** Whether this master could not prove it owns its slots at the last tick, and whether it heard etcd (for the log and the view). */
  private wasCutOff = false;
  private wasDeaf = false;

  constructor(state: ServerState<Client>, port: number) {
    this.state = state;
    const cfg = state.config;
    const endpoints = (getConfigValue(cfg, 'cluster-etcd-endpoints') ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const timeout = getConfigNumber(cfg, 'cluster-node-timeout', 15000);
    this.store = new EtcdStore(endpoints, getConfigValue(cfg, 'cluster-etcd-prefix') ?? '/shardis/', Math.max(2, Math.ceil(timeout / 1000)));
    this.confPath = join(cfg.dir, getConfigValue(cfg, 'cluster-config-file') ?? 'nodes.conf');
    const announced = getConfigValue(cfg, 'cluster-announce-ip') ?? '';
    const bind = cfg.bind.find((b) => b !== '*' && b !== '0.0.0.0' && b !== '::' && !b.startsWith('-')) ?? '';
    this.ipFixed = announced !== '' || bind !== '';
    const conf = readNodesConf(this.confPath);
    const announcedPort = getConfigNumber(cfg, 'cluster-announce-port', 0);
    const busPort = getConfigNumber(cfg, 'cluster-announce-bus-port', 0) || getConfigNumber(cfg, 'cluster-port', 0);
    const tlsPort = getConfigNumber(cfg, 'cluster-announce-tls-port', 0) || getConfigNumber(cfg, 'tls-port', 0);
    const addr = { ip: announced || bind || conf?.myself.ip || '', port: announcedPort || port, tlsPort, cport: busPort || busBase(cfg, announcedPort || port) + 10000 };
    this.me = conf === null
      ? { id: newNodeId(), ...addr, hostname: '', role: 'master', master: null, configEpoch: 0, slots: [], offset: 0, nofailover: false, shardId: newNodeId() }
      : { ...conf.myself, ...addr };
    // a nodes.conf of an older version (or Redis < 7.2) has none: a new one, as Redis's clusterLoadConfig
    this.me.shardId ??= newNodeId();
    this.me.hostname = getConfigValue(cfg, 'cluster-announce-hostname') ?? '';
    this.me.nofailover = getConfigValue(cfg, 'cluster-replica-no-failover') === 'yes';
    this.cached = conf === null || conf.others.length === 0 ? null : conf.others;
    this.cachedEpoch = conf?.currentEpoch ?? 0;
    this.store.fleet = conf?.fleet ?? null;
    this.view = this.build();
    this.save();
    this.started = new Promise((resolve) => (this.markStarted = resolve));
  }

  /** Connects to etcd (in the background while it is down) and starts following the fleet. */
  /** Settled once start() made its first attempt at etcd (connected, or left connecting in the background). */
  readonly started: Promise<void>;
  private markStarted: () => void = () => {};

  async start(): Promise<void> {
    try {
      await this.connect();
    } finally {
      this.markStarted();
    }
  }

  private async connect(): Promise<void> {
    // another node's change: nodes.conf follows a moment later, once for a burst of them
    this.store.onChange = () => this.refresh(false);
    await this.store.start();
    await this.store.keepAlive(this.me.id);
    this.publishTimer = setInterval(() => {
      void this.publishOffset();
      // a replica's offset leaving 0 lists it in CLUSTER SLOTS, whatever etcd does
      this.viewChanged();
    }, 1000);
    this.publishTimer.unref();
    this.tickTimer = setInterval(() => this.tick(), 100);
    this.tickTimer.unref();
    if (this.me.role === 'slave' && this.me.master !== null) this.follow(this.me.master);
  }

  async close(): Promise<void> {
    if (this.electionTimer !== null) clearTimeout(this.electionTimer);
    if (this.publishTimer !== null) clearInterval(this.publishTimer);
    if (this.tickTimer !== null) clearInterval(this.tickTimer);
    if (this.saveTimer !== null) this.save();
    await this.store.close();
  }

  get myself(): NodeView {
    return this.view.myself;
  }

  requireFullCoverage(): boolean {
    return getConfigValue(this.state.config, 'cluster-require-full-coverage') !== 'no';
  }

  private build(): Topology {
    let records: Iterable<NodeRecord> | null = this.joined ? this.store.records.values() : this.cached;
    // cut off from etcd, the node takes the newer claims its peers tell it of over the bus (a replica that took its
    // slots: Redis's UPDATE message), so that it follows the new owner and redirects to it before etcd returns
    if (this.joined && this.deaf()) records = this.peers.newerClaims(this.store.records.values());
    const alive = this.joined ? this.store.alive : new Set((this.cached ?? []).map((r) => r.id));
    const view = new Topology(this.me, records, alive, this.joined ? this.store.epoch : this.cachedEpoch);
    view.cutOff = this.cutOff;
    return view;
  }

  /** Whether this node hears etcd no more: its watch is down, or no renewal of its lease was answered for T/2. */
  private deaf(): boolean {
    return !this.store.available || Date.now() - this.store.answeredAt > this.store.ttl * 500;
  }

  /**
   * Whether this node, a master with slots in a fleet, can no longer prove
   * that they are its own (ownership.ts): its cluster is down for it (the
   * view's state is fail) until it renews its lease or hears that etcd is
   * down for everyone.
   */
  readonly cutOff = (): boolean => {
    const now = Date.now();
    const ttlMs = this.store.ttl * 1000;
    const renewedAt = this.store.renewedAt;
    // the fast path of every command with keys
    if (now < leaseProvenUntil(renewedAt, ttlMs)) return false;
    const me = this.me;
    if (!this.joined || me.role !== 'master' || me.slots.length === 0) return false;
    return !ownershipProven(now, renewedAt, ttlMs, this.successors(), this.peers.etcd);
  };

  /**
   * What the other threads' mirrors need to judge ownership as cutOff does
   * (lens.ts): until when the lease proves it, and until when this thread
   * vouches for it beyond that (etcd down for everyone: a tick and a half,
   * renewed every tick while it holds); whether it applies (a master with
   * slots in a fleet). A mirror told late cuts off early, never late.
   */
  ownership(): OwnershipWord {
    const now = Date.now();
    const me = this.me;
    const applies = this.joined && me.role === 'master' && me.slots.length !== 0;
    const ttlMs = this.store.ttl * 1000;
    const renewedAt = this.store.renewedAt;
    const lease = leaseProvenUntil(renewedAt, ttlMs);
    // etcd down for everyone is judged whatever the lease says, so that the word holds already when the lease ends
    return { applies, lease, vouched: applies && etcdDownForAll(now, renewedAt, ttlMs, this.successors(), this.peers.etcd) ? now + 150 : 0 };
  }

  /** With threads: told the ownership every tick (node-setup.ts sends it to the mirrors). */
  onOwnership: ((w: OwnershipWord) => void) | null = null;

  /** This master's replicas that may take its place (live, failover allowed). */
  private successors(): string[] {
    return this.view.replicasOf(this.me.id).filter((r) => !r.failed && !r.nofailover).map((r) => r.id);
  }

  /** Every tenth of a second: the view anew when the node stops or starts hearing etcd; cut off or back, logged. */
  private tick(): void {
    this.onOwnership?.(this.ownership());
    const deaf = this.deaf();
    if (deaf !== this.wasDeaf) {
      this.wasDeaf = deaf;
      this.refresh();
    }
    const cut = this.cutOff();
    // others reach etcd: a renewal now rather than at its period's end (the first after etcd came back ends it)
    if (cut) this.store.renew();
    if (cut !== this.wasCutOff) {
      this.wasCutOff = cut;
      const since = this.store.renewedAt === 0 ? 'never' : `${Date.now() - this.store.renewedAt} ms ago`;
      if (cut) this.state.log('warning', `cluster: cut off from etcd (lease last renewed ${since}, other nodes reach it): this master can no longer prove it owns its slots; the cluster is down for it`);
      else this.state.log('warning', 'cluster: this master owns its slots again (lease renewed, or etcd down for every node)');
    }
    this.peers.retain(this.view.nodes);
  }

  /** Node `id`'s record as it told it over the bus (bus.ts): a newer claim changes the view of a node that hears etcd no more. */
  heardRecord(id: string, json: string): void {
    let r: NodeRecord;
    try {
      r = JSON.parse(json) as NodeRecord;
    } catch {
      return;
    }
    if (r.id !== id || !Array.isArray(r.slots)) return;
    if (this.peers.heardRecord(id, r) && this.joined && this.deaf()) this.refresh();
  }

  /**
   * The view anew, after etcd or this node changed; then what the view asks
   * of this node. nodes.conf is written at once when this node changed
   * (`own`: before the change is answered, since the file gives the node
   * its own record on a restart), else a moment later.
   */
  refresh(own = true): void {
    if (this.store.available) {
      const inEtcd = this.store.records.get(this.me.id);
      if (inEtcd !== undefined) {
        this.joined = true;
        this.cached = null;
        this.reconcile(inEtcd);
      } else if (this.joined) {
        // forgotten by the fleet (CLUSTER FORGET everywhere): alone again, as a node whose peers dropped it
        this.joined = false;
        this.cached = null;
        this.leaveFleet();
      }
      this.answerInvites();
      this.followMerge();
    }
    const before = this.view;
    this.view = this.build();
    // nodes that left the view (FORGET elsewhere): a FORGET of them here still answers OK for a while (del-node asks every node)
    for (const id of before.nodes.keys()) if (!this.view.nodes.has(id)) this.forgotten.set(id, Date.now());
    if (own) this.save();
    else this.saveSoon();
    this.viewChanged();
    if (this.joined) this.react();
  }

  /** SETSLOT MIGRATING / IMPORTING / STABLE changed this node's own state: the other threads told (nodes.conf does not keep it). */
  localChange(): void {
    this.viewChanged();
  }

  /**
   * This node's record in etcd against the one it holds, once etcd answers:
   * a claim of its own that etcd took though its answer was lost (a failover
   * whose write seemed to fail) is taken; a change this node made while etcd
   * could not be written (it followed a new master) is written now.
   */
  private reconcile(inEtcd: NodeRecord): void {
    if (this.writing > 0) return;
    const me = this.me;
    if (me.role === 'slave' && inEtcd.role === 'master' && inEtcd.configEpoch > me.configEpoch) {
      this.state.log('warning', `cluster: etcd holds this node's claim of epoch ${inEtcd.configEpoch}: taking it, as the master of its slots`);
      becomePrimary(this.state);
      this.me = { ...me, role: 'master', master: null, configEpoch: inEtcd.configEpoch, slots: inEtcd.slots };
      this.unpublished = false;
      return;
    }
    if (!this.unpublished) return;
    this.unpublished = false;
    void this.publish().catch(() => undefined);
  }

  /**
   * An invite (CLUSTER MEET elsewhere) to one of this node's addresses:
   * join its fleet, learning the ip it was reached at. A node already in
   * another fleet merges the two, as a MEET between two Redis clusters
   * does: the fleet with the smaller id takes the other's nodes (this node
   * moves there and invites its old fleet, or invites the inviter's fleet
   * into its own), so every order of MEETs ends in one fleet.
   */
  private answerInvites(): void {
    // one at a time: each decision reads the fleet the previous one left this node in
    if (this.answering) return;
    this.answering = true;
    void (async () => {
      try {
        for (let next = this.nextInvite(); next !== null; next = this.nextInvite()) {
          const [name, ip, inv] = next;
          this.store.invites.delete(name);
          await this.store.dropInvite(name).catch(() => undefined);
          if (!this.ipFixed) this.me.ip = ip;
          try {
            await this.serial(async () => {
              const mine = this.store.fleet;
              if (mine === inv.fleet && this.joined) return;
              if (mine === null || !this.joined || inv.fleet < mine) await this.moveTo(inv.fleet);
              else await this.pullIn(inv.fleet, mine);
            });
          } catch (e) {
            this.state.log('warning', `cluster: joining failed: ${(e as Error).message}`);
          }
        }
      } finally {
        this.answering = false;
      }
    })();
  }

  private answering = false;

  /** Fleet changes (MEET, invites) one after another. */
  private chain: Promise<unknown> = Promise.resolve();
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** One of this node's client ports (a MEET names the tls-port in a TLS cluster, as redis-cli --tls does). */
  private isMyPort(port: number): boolean {
    return port !== 0 && (port === this.me.port || port === this.me.tlsPort);
  }

  /** An invite to one of this node's addresses, if any: its key, the ip it names, the fleet. */
  private nextInvite(): [string, string, { fleet: string }] | null {
    for (const [name, inv] of this.store.invites) {
      const addr = name.slice(0, name.lastIndexOf('/'));
      const i = addr.lastIndexOf(':');
      if (this.isMyPort(Number(addr.slice(i + 1))) && this.isMyIp(addr.slice(0, i))) return [name, addr.slice(0, i), inv];
    }
    return null;
  }

  /**
   * Joins fleet `f`, inviting the nodes of the fleet it leaves along; the
   * old fleet points to `f` (its `merged` key), so that a node that joins
   * it late, or whose invite was missed, follows too.
   */
  private async moveTo(f: string): Promise<void> {
    const old = this.joined ? [...this.store.records.values()].filter((r) => r.id !== this.me.id) : [];
    const from = this.joined ? this.store.fleet : null;
    if (from !== null && f < from) await this.store.setMerged(from, f);
    if (this.joined) {
      await this.written();
      await this.store.deleteRecord(this.me.id).catch(() => undefined);
    }
    this.joined = false;
    await this.store.setFleet(f);
    await this.join();
    for (const r of old) if (r.ip !== '') await this.store.invite(r.ip, reachablePort(r), f, this.me.id);
  }

  /** Invites every node of fleet `other` into this node's fleet `mine`. */
  private async pullIn(other: string, mine: string): Promise<void> {
    await this.store.setMerged(other, mine);
    for (const r of await this.store.fleetRecords(other)) if (r.ip !== '') await this.store.invite(r.ip, reachablePort(r), mine, this.me.id);
  }

  /** This node's fleet was merged into another (a smaller id): it moves there. */
  private followMerge(): void {
    const to = this.store.mergedInto;
    const from = this.store.fleet;
    if (!this.joined || to === null || from === null || !(to < from)) return;
    void this.serial(async () => {
      if (this.store.fleet === from && this.store.mergedInto === to) await this.moveTo(to);
    }).catch((e: Error) => this.state.log('warning', `cluster: following a merged fleet failed: ${e.message}`));
  }

  /** No fleet any more (RESET, or forgotten by the fleet): a later MEET may bring it into any. */
  private leaveFleet(): void {
    void this.store.setFleet(null).catch(() => undefined);
  }

  private isMyIp(ip: string): boolean {
    if (ip === this.me.ip) return true;
    const cfg = this.state.config;
    if (cfg.bind.some((b) => b === ip)) return true;
    if (!cfg.bind.some((b) => b === '*' || b === '0.0.0.0' || b === '::')) return false;
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.address === ip) return true;
    return false;
  }

  /** Publishes this node's record: it is in the fleet from now on (a new fleet when it has none). */
  async join(): Promise<void> {
    if (this.store.fleet === null) await this.store.setFleet(newNodeId());
    if (this.me.configEpoch > 0) await this.store.raiseEpoch(this.me.configEpoch);
    await this.store.putRecord(this.me);
    this.joined = true;
    this.cached = null;
    this.refresh();
  }

  /**
   * This node's record changed here (it followed a new master, …): published
   * when joined, and the view rebuilt either way; a record etcd did not take
   * is written again once it can be (reconcile). The publishes asked for
   * while an earlier write is under way go in one write (a reshard's
   * releases of slots by their old owner), with the record as it is then.
   */
  async publish(): Promise<void> {
    if (!this.joined) return this.refresh();
    let p = this.nextPublish;
    if (p === null) {
      p = this.putMine(() => {
        this.nextPublish = null;
        return { ...this.me };
      }).finally(() => this.refresh());
      this.nextPublish = p;
    }
    try {
      await p;
    } catch (e) {
      this.unpublished = true;
      throw e;
    }
  }

  /**
   * A change of this node's record asked for (CLUSTER ADDSLOTS, REPLICATE,
   * …): written to etcd first when joined, then taken here; one that etcd
   * refused changes nothing.
   */
  async commit(change: Partial<NodeRecord>): Promise<void> {
    if (this.joined) await this.putMine(() => ({ ...this.me, ...change }));
    Object.assign(this.me, change);
    this.refresh();
  }

  /**
   * Writes this node's record, made by `record` when the write starts: one
   * write at a time, after those queued before it, since two puts in flight
   * at once may be applied in either order.
   */
  private putMine(record: () => NodeRecord): Promise<void> {
    this.writing++;
    const p = this.lastWrite.then(noop, noop).then(() => this.store.putRecord(record())).finally(() => {
      this.writing--;
    });
    this.lastWrite = p;
    return p;
  }

  /** Until no write of this node's record is queued or under way (before its record is deleted). */
  private async written(): Promise<void> {
    while (this.writing > 0) await this.lastWrite.catch(noop);
  }

  /** nodes.conf, as Redis rewrites it after every change of its view. */
  save(): void {
    if (this.saveTimer !== null) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
    }
    try {
      writeNodesConf(this.confPath, [...this.view.nodes.values()].map((n) => this.view.nodeLine(n, true)), this.view.currentEpoch, this.store.fleet);
    } catch (e) {
      this.state.log('warning', `Could not save the cluster config file ${this.confPath}: ${(e as Error).message}`);
    }
  }

  private saveTimer: NodeJS.Timeout | null = null;

  /** nodes.conf within SAVE_DELAY_MS: a burst of changes elsewhere (a reshard's records) writes it once. */
  private saveSoon(): void {
    if (this.saveTimer !== null) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.save();
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  /** CLUSTER MEET: joins (learning this node's ip from the connection the command came on) and invites ip:port. */
  async meet(ip: string, port: number, localIp: string): Promise<void> {
    if (!this.ipFixed && this.me.ip === '' && localIp !== '') this.me.ip = localIp;
    await this.serial(async () => {
      if (!this.joined) await this.join();
      if (ip === this.me.ip && this.isMyPort(port)) return;
      await this.store.invite(ip, port, this.store.fleet!, this.me.id);
    });
  }

  /** What the view asks of this node (run after every change). */
  private react(): void {
    const v = this.view;
    const me = this.me;
    if (me.role === 'master' && me.slots.length !== 0 && !this.ownsAllClaimed()) {
      // slots claimed by a higher epoch are no longer this node's
      const kept: SlotRanges = [];
      let winner: NodeView | null = null;
      for (const [a, b] of me.slots) {
        for (let s = a; s <= b; s++) {
          const o = v.ownerOf(s);
          if (o?.id !== me.id) {
            if (winner === null && o !== null) winner = o;
            continue;
          }
          const last = kept[kept.length - 1];
          if (last !== undefined && last[1] === s - 1) last[1] = s;
          else kept.push([s, s]);
        }
      }
      me.slots = kept;
      if (kept.length === 0 && winner !== null && getConfigValue(this.state.config, 'cluster-allow-replica-migration') !== 'no') {
        this.state.log('warning', `Configuration change detected. Reconfiguring myself as a replica of ${winner.id}`);
        me.role = 'slave';
        me.master = winner.id;
        if (winner.shardId !== undefined) me.shardId = winner.shardId;
        this.follow(winner.id);
        // a manual failover paused this master's writes (catchUpWithMaster): as Redis's resetManualFailover when
        // the master turns replica, the pause ends here, else it would hold the new master's stream for its 10 s
        // (on every thread: CLIENT PAUSE paused them all)
        this.state.pause.unpause();
        this.state.replayElsewhere?.(['CLIENT', 'UNPAUSE']);
      }
      void this.publish().catch(() => undefined);
      return;
    }
    if (me.role !== 'slave' || me.master === null) return;
    const master = v.nodes.get(me.master);
    if (master === undefined) return;
    // a replica is in its master's shard (Redis's updateShardId)
    if (master.role === 'master' && master.shardId !== undefined && master.shardId !== me.shardId) {
      me.shardId = master.shardId;
      void this.publish().catch(() => undefined);
    }
    // the master was replaced: follow whoever holds its slots now
    if (master.role === 'slave' && master.master !== null && master.master !== me.id) return this.switchMaster(master.master);
    if (master.failed && master.slots.length !== 0) {
      const owner = v.ownerOf(master.slots[0]![0]);
      if (owner !== null && owner !== undefined && owner.id !== master.id && owner.id !== me.id) return this.switchMaster(owner.id);
      this.scheduleElection(master);
    }
  }

  /** Whether the view gives this node every slot it claims (a pass over its ranges, nothing allocated). */
  private ownsAllClaimed(): boolean {
    const v = this.view;
    const id = this.me.id;
    for (const [a, b] of this.me.slots) for (let s = a; s <= b; s++) if (v.ownerOf(s)?.id !== id) return false;
    return true;
  }

  private switchMaster(id: string): void {
    if (this.me.master === id) return;
    this.state.log('notice', `cluster: following the new master ${id}`);
    this.me.master = id;
    this.follow(id);
    void this.publish().catch(() => undefined);
  }

  /** Replicates node `id` at its address (the replication link of REPLICAOF). */
  follow(id: string): void {
    const n = this.view.nodes.get(id) ?? this.store.records.get(id);
    if (n === undefined || n.ip === '') return;
    const link = this.state.replicaOf;
    // tls-replication yes: the master's tls-port, over TLS (replica.ts), as Redis's getNodeDefaultReplicationPort
    const port = replicationPort(this.state.config, n);
    if (link !== null && link.host === n.ip && link.port === port) return;
    followPrimary(this.state, n.ip, port);
  }

  /** A replica of a failed master runs for its place after a delay by rank (the freshest first). */
  private scheduleElection(master: NodeView): void {
    if (this.electionTimer !== null || this.me.nofailover) return;
    const siblings = this.view.replicasOf(master.id).filter((r) => !r.failed);
    const offset = (r: NodeView): number => (r.id === this.me.id ? this.replicationOffset() : r.offset);
    siblings.sort((a, b) => offset(b) - offset(a) || (a.id < b.id ? -1 : 1));
    const rank = Math.max(0, siblings.findIndex((r) => r.id === this.me.id));
    this.electionTimer = setTimeout(() => {
      this.electionTimer = null;
      void this.runForMaster(master.id).catch((e: Error) => this.state.log('warning', `cluster: failover attempt failed: ${e.message}`));
    }, ELECTION_DELAY_MS + rank * RANK_STEP_MS);
    this.electionTimer.unref();
  }

  private async runForMaster(masterId: string): Promise<void> {
    const master = this.view.nodes.get(masterId);
    if (master === undefined || !master.failed || this.me.master !== masterId) return;
    // just after etcd came back, a lapsed lease may be the outage's rather than the master's (its client has not
    // renewed it yet): a master that still answers is left alone, and looked at again in a moment
    if (Date.now() - this.store.upSince < 2000 * this.store.ttl && (await this.answers(master))) {
      this.electionTimer = setTimeout(() => {
        this.electionTimer = null;
        if (this.joined) this.react();
      }, 1000);
      this.electionTimer.unref();
      return;
    }
    if (this.dataTooOld()) return;
    if (!(await this.store.elect(masterId, master.configEpoch, this.me.id))) return;
    await this.takeOver(master);
    this.state.log('warning', `Failover election won: I'm the new master (replacing ${masterId})`);
  }

  /**
   * cluster-replica-validity-factor (Redis's clusterHandleSlaveFailover): a
   * replica whose link to its master was down, beyond the node timeout, for
   * longer than repl-ping-replica-period + node timeout × factor does not
   * run for its place (a manual CLUSTER FAILOVER still may); 0: it always may.
   */
  private dataTooOld(): boolean {
    const cfg = this.state.config;
    const factor = getConfigNumber(cfg, 'cluster-replica-validity-factor', 10);
    if (factor === 0) return false;
    const timeout = getConfigNumber(cfg, 'cluster-node-timeout', 15000);
    let age = this.state.replicaOf?.dataAgeMs?.() ?? Infinity;
    if (age > timeout) age -= timeout;
    if (age <= getConfigNumber(cfg, 'repl-ping-replica-period', 10) * 1000 + timeout * factor) return false;
    this.state.log('warning', "Currently unable to failover: Disconnected from master for longer than allowed. Please check the 'cluster-replica-validity-factor' configuration option.");
    return true;
  }

  /**
   * Becomes the master of `master`'s slots with a new epoch (failover,
   * CLUSTER FAILOVER). The claim is in etcd before this node acts on it: if
   * writing it fails, the node is still the replica it was (and should etcd
   * have taken it all the same, the node finds it there: reconcile).
   */
  async takeOver(master: NodeView): Promise<void> {
    const epoch = await this.store.nextEpoch(this.view.currentEpoch);
    const slots = master.slots.length !== 0 ? master.slots : this.view.slotsOf(master.id);
    const claim: NodeRecord = { ...this.me, role: 'master', master: null, configEpoch: epoch, slots: rangesOf([...slotsIn(slots)]) };
    await this.putMine(() => claim);
    becomePrimary(this.state);
    this.me = claim;
    this.refresh();
  }

  /**
   * CLUSTER FAILOVER [FORCE|TAKEOVER] after its OK: without FORCE, the
   * master pauses writes and this replica catches up first. If the claim
   * cannot be made (etcd unreachable …), the master's pause ends at once
   * rather than after its 10 s, as Redis's master gives up a manual failover
   * that timed out, and this node stays its replica.
   */
  async manualFailover(master: NodeView, force: boolean): Promise<void> {
    if (!force) await this.catchUpWithMaster();
    try {
      await this.takeOver(master);
    } catch (e) {
      if (!force) await this.ask(master, [['CLIENT', 'UNPAUSE']]).catch(() => undefined);
      throw e;
    }
  }

  /** This replica's replication offset (published so that siblings rank themselves). */
  replicationOffset(): number {
    return this.state.replicaOf !== null && this.state.replicaOf.up() ? this.state.replication.offset : 0;
  }

  primaryOffset(): number {
    return this.state.replication.offset;
  }

  /** Keys in database 0 on every thread. */
  keyCount(): number {
    return countKeys(this.state.engine, 0);
  }

  private published = -1;
  private async publishOffset(): Promise<void> {
    if (!this.joined || this.me.role !== 'slave' || !this.store.available) return;
    const off = this.replicationOffset();
    // published when it moves from 0 (listed in CLUSTER SLOTS) and then every second it changed
    if (off === this.published) return;
    this.published = off;
    this.me.offset = off;
    await this.putMine(() => ({ ...this.me })).catch(() => undefined);
  }

  /** CLUSTER FORGET: the node's record leaves the fleet (every node forgets it). */
  async forget(id: string): Promise<void> {
    if (this.joined) await this.store.deleteRecord(id);
    this.refresh();
  }

  /**
   * CLUSTER RESET: alone again, without slots (a replica becomes an empty
   * master); HARD also takes a new id and epoch 0.
   */
  async reset(hard: boolean): Promise<void> {
    if (this.me.role === 'slave') {
      becomePrimary(this.state);
      for (let db = 0; db < this.state.engine.databases; db++) flushKeys(this.state.engine, db);
    }
    if (this.joined) {
      await this.written();
      await this.store.deleteRecord(this.me.id);
    }
    this.joined = false;
    this.cached = null;
    await this.store.setFleet(null);
    this.migrating.clear();
    this.importing.clear();
    this.me = { ...this.me, role: 'master', master: null, slots: [], offset: 0 };
    if (hard) {
      await this.store.dropAlive();
      this.me.id = newNodeId();
      this.me.shardId = newNodeId();
      this.me.configEpoch = 0;
      this.cachedEpoch = 0;
      await this.store.keepAlive(this.me.id);
    }
    this.refresh();
  }

  /**
   * A manual CLUSTER FAILOVER: the master pauses writes, and this replica
   * waits until it has processed everything the master wrote (Redis's
   * mf_master_offset), at most 5 seconds.
   */
  async catchUpWithMaster(): Promise<void> {
    const master = this.me.master === null ? undefined : this.view.nodes.get(this.me.master);
    if (master === undefined) throw new Error('no master');
    const [, infoReply] = await this.ask(master, [['CLIENT', 'PAUSE', '10000', 'WRITE'], ['INFO', 'replication']]);
    const text = infoReply !== undefined && 'string' in infoReply ? infoReply.string.toString() : '';
    const target = Number(/master_repl_offset:(\d+)/.exec(text)?.[1] ?? 'NaN');
    if (Number.isNaN(target)) throw new Error('the master did not tell its offset');
    const end = Date.now() + 5000;
    while (this.state.replication.offset < target) {
      if (Date.now() > end) {
        // the master would stay paused for the rest of its 10 s (Redis's master gives up with the replica)
        await this.ask(master, [['CLIENT', 'UNPAUSE']]).catch(() => undefined);
        throw new Error('Manual failover timed out.');
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** AUTH's arguments for another node, as a replica authenticates (masteruser / masterauth); null without masterauth. */
  private masterAuth(): string[] | null {
    const cfg = this.state.config;
    const pass = getConfigValue(cfg, 'masterauth') ?? '';
    const user = getConfigValue(cfg, 'masteruser') ?? '';
    return pass === '' ? null : user !== '' ? [user, pass] : [pass];
  }

  /** Whether node `n` answers a PING within a second (any reply: it is up). */
  private async answers(n: NodeView): Promise<boolean> {
    if (n.ip === '') return false;
    return this.ask(n, [['PING']], 1000).then(() => true, () => false);
  }

  /**
   * A short exchange with node `n` (node-link.ts), authenticated as its
   * replica would be: with tls-cluster yes over TLS to its tls-port, as
   * Redis's getNodeDefaultClientPort.
   */
  private ask(n: NodeView, commands: string[][], timeoutMs = 5000): Promise<ReplyMessage[]> {
    const cfg = this.state.config;
    const tls = tlsCluster(cfg) ? this.state.tls.material?.client ?? null : null;
    return askNode(n.ip, defaultClientPort(cfg, n), commands, this.masterAuth(), timeoutMs, tls);
  }

  /** Whether this node's config epoch is above every other node's (its claims win). */
  epochIsGreatest(): boolean {
    for (const n of this.view.nodes.values()) if (!n.myself && n.configEpoch >= this.me.configEpoch) return false;
    return true;
  }
}
