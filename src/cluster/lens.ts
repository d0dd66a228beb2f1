/**
 * What a thread needs of the node's cluster state to judge and answer its
 * own connections' commands (the gate's MOVED / ASK, CLUSTER SLOTS …): the
 * view, the slots being migrated or imported, and the offsets shown.
 *
 * With one thread the Cluster itself is that. With `--threads N` the
 * Cluster (etcd, the bus, elections) lives on thread 0, and every other
 * thread keeps a mirror of it: thread 0 hands each change of what the gate
 * reads to every thread while holding them all (threads/server-ops.ts's
 * `cluster-view`), so no thread judges a command by a map older than one
 * a reply already acknowledged (a slot handed over by SETSLOT NODE is
 * refused everywhere before the SETSLOT is answered).
 */
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import { getConfigValue } from '../config/config.ts';
import { Topology, type NodeRecord } from './topology.ts';

export interface ClusterLens {
  readonly state: ServerState<Client>;
  readonly view: Topology;
  readonly me: NodeRecord;
  /** Slots this master hands to another node (SETSLOT MIGRATING), and slots it takes (IMPORTING). */
  readonly migrating: ReadonlyMap<number, string>;
  readonly importing: ReadonlyMap<number, string>;
  /** A mirror of thread 0's Cluster (true), or the Cluster itself. */
  readonly mirror: boolean;
  requireFullCoverage(): boolean;
  /** This replica's replication offset (0 while its link is down). */
  replicationOffset(): number;
  /** This node's master_repl_offset. */
  primaryOffset(): number;
}

/** Thread 0's word on whether this node, a master, still proves it owns its slots (Cluster.ownership). */
export interface OwnershipWord {
  applies: boolean;
  lease: number;
  vouched: number;
}

/** Everything a mirror is built from (structured-cloned between threads). */
export interface ViewImage {
  me: NodeRecord;
  records: NodeRecord[];
  alive: string[];
  epoch: number;
  migrating: Array<[number, string]>;
  importing: Array<[number, string]>;
  replicationOffset: number;
  primaryOffset: number;
}

/** The image of a lens's state, for the mirrors. */
export function imageOf(cl: ClusterLens): ViewImage {
  const records: NodeRecord[] = [];
  const alive: string[] = [];
  for (const n of cl.view.nodes.values()) {
    if (n.myself) continue;
    const { myself: _m, failed, ...r } = n;
    records.push(r);
    if (!failed) alive.push(n.id);
  }
  return {
    me: { ...cl.me, slots: cl.me.slots.map(([a, b]) => [a, b]) },
    records,
    alive,
    epoch: cl.view.currentEpoch,
    migrating: [...cl.migrating],
    importing: [...cl.importing],
    replicationOffset: cl.replicationOffset(),
    primaryOffset: cl.primaryOffset(),
  };
}

/** What the gate and the read-only CLUSTER subcommands depend on: an image that differs only in offsets needs no hold of every thread. */
export function gateKey(img: ViewImage): string {
  return JSON.stringify([img.me, img.records.map((r) => ({ ...r, offset: r.offset === 0 ? 0 : 1 })), img.alive, img.epoch, img.migrating, img.importing, img.replicationOffset === 0]);
}

/** A thread's copy of thread 0's cluster state (threads other than 0). */
export class ClusterMirror implements ClusterLens {
  readonly state: ServerState<Client>;
  readonly mirror = true;
  view: Topology;
  me: NodeRecord;
  migrating = new Map<number, string>();
  importing = new Map<number, string>();
  private offsets: [number, number] = [0, 0];

  constructor(state: ServerState<Client>) {
    this.state = state;
    // until thread 0 hands over its view: a lone node without slots (CLUSTERDOWN for keys, as a fresh node)
    this.me = { id: '', ip: '', port: 0, cport: 0, hostname: '', role: 'master', master: null, configEpoch: 0, slots: [], offset: 0, nofailover: false };
    this.view = new Topology(this.me, null, new Set(), 0);
  }

  /** Thread 0's latest word on ownership (a `cluster-ownership` notice every tenth of a second). */
  private word: OwnershipWord = { applies: false, lease: 0, vouched: 0 };

  /**
   * As Cluster.cutOff, from thread 0's word: past the lease and past what
   * thread 0 last vouched for. A word that comes late cuts off early: the
   * lease it names is older.
   */
  readonly cutOff = (): boolean => {
    const w = this.word;
    if (!w.applies) return false;
    const now = Date.now();
    return now >= w.lease && now >= w.vouched;
  };

  heard(w: OwnershipWord): void {
    this.word = w;
  }

  /** The last image from thread 0. */
  private image: ViewImage | null = null;

  /**
   * CONFIG SET of what the node announces, run on this thread too: its own
   * view shows it at once (CLUSTER NODES right after it), as thread 0's
   * does, before thread 0's next image.
   */
  announce(a: Pick<NodeRecord, 'ip' | 'port' | 'tlsPort' | 'cport' | 'hostname'>): void {
    const img = this.image;
    if (img === null) return;
    this.apply({ ...img, me: { ...img.me, ...a, ip: a.ip !== '' ? a.ip : img.me.ip } });
  }

  apply(img: ViewImage): void {
    this.image = img;
    this.me = img.me;
    this.view = new Topology(img.me, img.records, new Set(img.alive), img.epoch);
    this.view.cutOff = this.cutOff;
    this.migrating = new Map(img.migrating);
    this.importing = new Map(img.importing);
    this.offsets = [img.replicationOffset, img.primaryOffset];
  }

  requireFullCoverage(): boolean {
    return getConfigValue(this.state.config, 'cluster-require-full-coverage') !== 'no';
  }

  replicationOffset(): number {
    return this.offsets[0];
  }

  primaryOffset(): number {
    return this.offsets[1];
  }
}
