/**
 * The cluster as one node sees it (Redis Cluster's clusterState): its nodes,
 * the owner of each of the 16384 slots, epochs and health. shardis keeps no
 * gossip bus: the fleet's truth is one record per node in etcd
 * (etcd-store.ts), and every node builds the same view from the same
 * records. Where two masters claim a slot, the higher config epoch wins, as
 * Redis's UPDATE messages decide it, so a failover or a slot handed over
 * with SETSLOT NODE takes effect by a record with a bumped epoch.
 */
import { SLOT_COUNT } from '../engine/slots.ts';

export type SlotRanges = Array<[number, number]>;

/** What a node publishes about itself (its etcd record, and nodes.conf's line for it). */
export interface NodeRecord {
  id: string;
  ip: string;
  /** The plain client port (0: none, a TLS-only node). */
  port: number;
  /** Its tls-port (cluster-announce-tls-port); 0 or absent (older records): none. */
  tlsPort?: number;
  cport: number;
  hostname: string;
  role: 'master' | 'slave';
  /** The master's id for a replica, else null. */
  master: string | null;
  configEpoch: number;
  /** The slots it claims (a master). */
  slots: SlotRanges;
  /** A replica's replication offset when it last published (0 before its first sync: not listed in CLUSTER SLOTS). */
  offset: number;
  /** cluster-replica-no-failover. */
  nofailover: boolean;
  /**
   * The shard it is in (Redis 7.2's shard-id, CLUSTER MYSHARDID): 40 hex
   * characters, random for a new master, a replica's its master's; kept
   * through failovers. Absent in records of older shardis versions.
   */
  shardId?: string;
}

/** A node in the view: its record and what this node knows of it. */
export interface NodeView extends NodeRecord {
  myself: boolean;
  /** Its lease is gone: it stopped renewing for cluster-node-timeout (flag fail). */
  failed: boolean;
}

/** Slot ranges of a set of slots (ascending). */
export function rangesOf(slots: Iterable<number>): SlotRanges {
  const sorted = [...slots].sort((a, b) => a - b);
  const out: SlotRanges = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] === s - 1) last[1] = s;
    else if (last === undefined || last[1] < s) out.push([s, s]);
  }
  return out;
}

/** Whether `slot` is in the ranges. */
export function inRanges(ranges: SlotRanges, slot: number): boolean {
  for (const [a, b] of ranges) if (slot >= a && slot <= b) return true;
  return false;
}

/** The ranges with `slot` added (new ranges, ascending and merged; one pass, for a slot move's record). */
export function withSlot(ranges: SlotRanges, slot: number): SlotRanges {
  if (inRanges(ranges, slot)) return ranges.map(([a, b]) => [a, b]);
  const out: SlotRanges = [];
  let placed = false;
  const push = (a: number, b: number): void => {
    const last = out[out.length - 1];
    if (last !== undefined && last[1] + 1 >= a) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  };
  for (const [a, b] of ranges) {
    if (!placed && slot < a) {
      push(slot, slot);
      placed = true;
    }
    push(a, b);
  }
  if (!placed) push(slot, slot);
  return out;
}

/** The ranges without `slot` (new ranges). */
export function withoutSlot(ranges: SlotRanges, slot: number): SlotRanges {
  const out: SlotRanges = [];
  for (const [a, b] of ranges) {
    if (slot < a || slot > b) out.push([a, b]);
    else {
      if (a < slot) out.push([a, slot - 1]);
      if (slot < b) out.push([slot + 1, b]);
    }
  }
  return out;
}

/** Every slot of some ranges. */
export function* slotsIn(ranges: SlotRanges): Generator<number> {
  for (const [a, b] of ranges) for (let s = a; s <= b; s++) yield s;
}

/** Ranges as CLUSTER NODES writes them: `0-5460 5461 …`. */
export function rangesText(ranges: SlotRanges): string[] {
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`));
}

/** Parses `0-5460 5461` (nodes.conf, records). */
export function parseRanges(parts: readonly string[]): SlotRanges {
  const out: SlotRanges = [];
  for (const p of parts) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(p);
    if (m === null) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (a <= b && b < SLOT_COUNT) out.push([a, b]);
  }
  return out;
}

export class Topology {
  readonly myId: string;
  readonly nodes: Map<string, NodeView>;
  readonly currentEpoch: number;
  /** Whether this node, a master, can no longer prove that it owns its slots (cluster.ts, ownership.ts). */
  cutOff: () => boolean = () => false;
  /**
   * The owner of each slot as an index into `masters` (0: none). A table of
   * 16384 object references is a large object to V8 (past 128 KB), costly
   * to allocate and collect for every view a reshard rebuilds; this one is
   * 32 KB of plain memory.
   */
  private readonly table = new Uint16Array(SLOT_COUNT);
  private readonly masters: Array<NodeView | null> = [null];

  /**
   * The view from `myself` and the records of the fleet (null: this node is
   * alone, knowing only itself, as a fresh Redis node before CLUSTER MEET).
   */
  constructor(myself: NodeRecord, records: Iterable<NodeRecord> | null, alive: ReadonlySet<string>, epochFloor: number) {
    this.myId = myself.id;
    this.nodes = new Map();
    this.nodes.set(myself.id, { ...myself, myself: true, failed: false });
    if (records !== null) {
      for (const r of records) if (r.id !== myself.id) this.nodes.set(r.id, { ...r, myself: false, failed: !alive.has(r.id) });
    }
    let epoch = epochFloor;
    for (const n of this.nodes.values()) epoch = Math.max(epoch, n.configEpoch);
    this.currentEpoch = epoch;
    // each slot to the master claiming it with the highest config epoch (myself on a tie: Redis keeps its own claim)
    const table = this.table;
    const masters = this.masters;
    for (const n of this.nodes.values()) {
      if (n.role !== 'master' || n.slots.length === 0) continue;
      const i = masters.push(n) - 1;
      for (const [a, b] of n.slots) {
        for (let s = a; s <= b; s++) {
          const cur = masters[table[s]!];
          if (cur === null || cur === undefined || n.configEpoch > cur.configEpoch || (n.configEpoch === cur.configEpoch && n.myself)) table[s] = i;
        }
      }
    }
  }

  /** The owner of `slot`, or null. */
  ownerOf(slot: number): NodeView | null {
    return this.masters[this.table[slot]!] ?? null;
  }

  private ownerArray: Array<NodeView | null> | null = null;

  /** The owner of each slot, or null, as an array: built on first use (ownerOf reads the table as it is). */
  get owner(): ReadonlyArray<NodeView | null> {
    if (this.ownerArray === null) {
      const a = new Array<NodeView | null>(SLOT_COUNT);
      for (let s = 0; s < SLOT_COUNT; s++) a[s] = this.masters[this.table[s]!]!;
      this.ownerArray = a;
    }
    return this.ownerArray;
  }

  get myself(): NodeView {
    return this.nodes.get(this.myId)!;
  }

  /** Each node's slots in the view, as ranges: one pass over the slots, on first use. */
  private ranges: Map<string, SlotRanges> | null = null;

  /** The slots the view gives `id`. */
  slotsOf(id: string): SlotRanges {
    if (this.ranges === null) {
      const lists: SlotRanges[] = this.masters.map(() => []);
      const table = this.table;
      let run = 0;
      let start = 0;
      for (let s = 0; s <= SLOT_COUNT; s++) {
        const i = s < SLOT_COUNT ? table[s]! : -1;
        if (i === run) continue;
        if (run > 0) lists[run]!.push([start, s - 1]);
        run = i;
        start = s;
      }
      const m = new Map<string, SlotRanges>();
      for (let i = 1; i < this.masters.length; i++) m.set(this.masters[i]!.id, lists[i]!);
      this.ranges = m;
    }
    return this.ranges.get(id) ?? [];
  }

  /** Masters and their replicas. */
  replicasOf(id: string): NodeView[] {
    return [...this.nodes.values()].filter((n) => n.role === 'slave' && n.master === id);
  }

  /**
   * ok when every slot has a live owner (or, without
   * cluster-require-full-coverage, always); fail, whatever the coverage, on a
   * master that cannot prove it owns its slots (cut off from etcd alone), as
   * on Redis's minority side.
   */
  state(requireFullCoverage: boolean): 'ok' | 'fail' {
    if (this.cutOff()) return 'fail';
    if (!requireFullCoverage) return 'ok';
    return this.covered() ? 'ok' : 'fail';
  }

  /** Whether every slot has a live owner: one pass on first use (the gate asks on every command with keys). */
  private coverage: boolean | null = null;
  private covered(): boolean {
    if (this.coverage === null) {
      this.coverage = true;
      for (let s = 0; s < SLOT_COUNT; s++) {
        const o = this.masters[this.table[s]!];
        if (o === null || o === undefined || o.failed) {
          this.coverage = false;
          break;
        }
      }
    }
    return this.coverage;
  }

  /** Masters serving at least one slot (cluster_size). */
  size(): number {
    const used = new Set<number>();
    for (let s = 0; s < SLOT_COUNT; s++) if (this.table[s] !== 0) used.add(this.table[s]!);
    return used.size;
  }

  /** The epoch CLUSTER NODES shows for a node: a replica shows its master's. */
  shownEpoch(n: NodeView): number {
    if (n.role === 'slave' && n.master !== null) return this.nodes.get(n.master)?.configEpoch ?? n.configEpoch;
    return n.configEpoch;
  }

  /**
   * A CLUSTER NODES line (Redis's clusterGenNodeDescription), without
   * migrating/importing marks; `persist` (nodes.conf) adds the aux fields
   * Redis keeps there only (`,hostname,tls-port=…,shard-id=…`); `tls`: the
   * line names the TLS port (a client connected over TLS), as Redis's.
   */
  nodeLine(n: NodeView, persist = false, tls = false): string {
    const flags: string[] = [];
    if (n.myself) flags.push('myself');
    flags.push(n.role);
    if (n.failed) flags.push('fail');
    if (n.nofailover) flags.push('nofailover');
    let addr = `${n.ip}:${tls ? (n.tlsPort ?? 0) : n.port}@${n.cport}${n.hostname !== '' ? `,${n.hostname}` : ''}`;
    if (persist) {
      const aux = [...(n.tlsPort ? [`tls-port=${n.tlsPort}`] : []), ...(n.shardId !== undefined ? [`shard-id=${n.shardId}`] : [])];
      if (aux.length > 0) addr += `${n.hostname === '' ? ',' : ''},${aux.join(',')}`;
    }
    const master = n.role === 'slave' && n.master !== null ? n.master : '-';
    const link = n.myself || !n.failed ? 'connected' : 'disconnected';
    const pong = n.myself ? 0 : Date.now();
    const slots = n.role === 'master' ? rangesText(this.slotsOf(n.id)) : [];
    return [n.id, addr, flags.join(','), master, 0, pong, this.shownEpoch(n), link, ...slots].join(' ');
  }
}
