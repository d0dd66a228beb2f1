/**
 * CLUSTER subcommands, READONLY / READWRITE / ASKING with cluster-enabled
 * yes (src/cluster/), each answering as Redis 7.0's clusterCommand; the
 * topology they change is written to etcd (the node's own record), so that
 * every node's view follows.
 */
import { isIP } from 'node:net';
import type { Client } from '../../server/client.ts';
import { CommandError, Err } from '../core/errors.ts';
import type { Cluster } from '../../cluster/cluster.ts';
import { busOf, clusterOf } from '../../cluster/mode.ts';
import type { ClusterLens } from '../../cluster/lens.ts';
import { ETCD_DOWN } from '../../cluster/errors.ts';
import { keySlot, SLOT_COUNT } from '../../engine/slots.ts';
import { slotKeyCount, slotKeys } from '../../cluster/slot-index.ts';
import { inRanges, rangesOf, slotsIn, withSlot, withoutSlot, type NodeView } from '../../cluster/topology.ts';
import { getConfigValue } from '../../config/config.ts';
import { clientPort, returnsTls } from '../../cluster/tls-ports.ts';

/** How long a forgotten node's id is still accepted by FORGET (Redis's nodes blacklist TTL). */
const FORGET_TTL_MS = 60_000;

/** A subcommand that changes the node: it runs where the node is (thread 0 with threads). */
type Handler = (cl: Cluster, c: Client, args: string[]) => void | Promise<void>;
/** A subcommand that reads the view: any thread answers it, from its mirror with threads (cluster/lens.ts). */
type Reader = (cl: ClusterLens, c: Client, args: string[]) => void;

const HELP = [
  'ADDSLOTS <slot> [<slot> ...]', '    Assign slots to current node.',
  'ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]', '    Assign slots which are between <start-slot> and <end-slot> to current node.',
  'BUMPEPOCH', '    Advance the cluster config epoch.',
  'COUNT-FAILURE-REPORTS <node-id>', '    Return number of failure reports for <node-id>.',
  'COUNTKEYSINSLOT <slot>', '    Return the number of keys in <slot>.',
  'DELSLOTS <slot> [<slot> ...]', '    Delete slots information from current node.',
  'DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]', '    Delete slots information which are between <start-slot> and <end-slot> from current node.',
  'FAILOVER [FORCE|TAKEOVER]', '    Promote current replica node to being a master.',
  'FORGET <node-id>', '    Remove a node from the cluster.',
  'GETKEYSINSLOT <slot> <count>', '    Return key names stored by current node in a slot.',
  'FLUSHSLOTS', '    Delete current node own slots information.',
  'INFO', '    Return information about the cluster.',
  'KEYSLOT <key>', '    Return the hash slot for <key>.',
  'MEET <ip> <port> [<bus-port>]', '    Connect nodes into a working cluster.',
  'MYID', '    Return the node id.',
  'NODES', '    Return cluster configuration seen by node. Output format:', '    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...',
  'REPLICATE <node-id>', '    Configure current node as replica to <node-id>.',
  'RESET [HARD|SOFT]', '    Reset current node (default: soft).',
  'SET-CONFIG-EPOCH <epoch>', '    Set config epoch of current node.',
  'SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)', '    Set slot state.',
  'REPLICAS <node-id>', '    Return <node-id> replicas.',
  'SAVECONFIG', '    Force saving cluster configuration on disk.',
  'SLOTS', '    Return information about slots range mappings. Each range is made of:', '    start, end, master and replicas IP addresses, ports and ids',
  'SHARDS', '    Return information about slot range mappings and the nodes associated with them.',
  'LINKS', '    Return information about all network links between this node and its peers.', '    Output format is an array where each array element is a map containing attributes of a link',
];

export const CLUSTER_HELP: readonly string[] = HELP;

/**
 * Runs a topology change; etcd failures become Redis-style errors. A node
 * that has not yet made its first attempt at etcd (with threads it starts
 * once every thread listens) makes it first, rather than refuse.
 */
async function change(cl: Cluster, op: () => Promise<void>): Promise<void> {
  await cl.started;
  try {
    await op();
  } catch (e) {
    if (e instanceof CommandError) throw e;
    throw new CommandError((e as Error).message === ETCD_DOWN ? ETCD_DOWN : `ERR cluster: ${(e as Error).message}`);
  }
}

function slotArg(s: string): number {
  if (!/^-?\d+$/.test(s)) throw new CommandError('ERR Invalid or out of range slot');
  const n = Number(s);
  if (n < 0 || n >= SLOT_COUNT) throw new CommandError('ERR Invalid or out of range slot');
  return n;
}

function intArg(s: string): number {
  if (!/^-?\d+$/.test(s)) throw new CommandError(Err.NOT_INTEGER);
  return Number(s);
}

function lookupNode(cl: ClusterLens, id: string, unknown = `ERR Unknown node ${id}`): NodeView {
  const n = cl.view.nodes.get(id);
  if (n === undefined) throw new CommandError(unknown);
  return n;
}

/** Up to `max` keys of `slot` here (on whichever thread its shard is). */
function keysInSlot(c: Client, slot: number, max = Infinity): string[] {
  return slotKeys(c.server.engine, slot, max);
}

function countKeysInSlot(c: Client, slot: number): number {
  return slotKeyCount(c.server.engine, slot);
}

/** ADDSLOTS / DELSLOTS (and their RANGE forms): every slot checked first, then claimed or given up. */
async function updateSlots(cl: Cluster, slots: number[], del: boolean): Promise<void> {
  const seen = new Set<number>();
  for (const s of slots) {
    const owner = cl.view.ownerOf(s);
    if (del && owner === null) throw new CommandError(`ERR Slot ${s} is already unassigned`);
    if (!del && owner !== null) throw new CommandError(`ERR Slot ${s} is already busy`);
    if (seen.has(s)) throw new CommandError(`ERR Slot ${s} specified multiple times`);
    seen.add(s);
  }
  const mine = new Set(slotsIn(cl.me.slots));
  for (const s of slots) {
    cl.importing.delete(s);
    if (del) mine.delete(s);
    else mine.add(s);
  }
  // DELSLOTS of another node's slot only forgets it here in Redis; the fleet's view has one truth
  await change(cl, () => cl.commit({ slots: rangesOf(mine) }));
}

function rangeArgs(c: Client, args: string[]): number[] {
  if (args.length % 2 === 1) throw new CommandError(`ERR wrong number of arguments for 'cluster|${args[1]!.toLowerCase()}' command`);
  const out: number[] = [];
  for (let j = 2; j < args.length; j += 2) {
    const a = slotArg(args[j]!);
    const b = slotArg(args[j + 1]!);
    if (a > b) throw new CommandError(`ERR start slot number ${a} is greater than end slot number ${b}`);
    for (let s = a; s <= b; s++) out.push(s);
  }
  void c;
  return out;
}

function info(cl: ClusterLens): string {
  const v = cl.view;
  let assigned = 0;
  let ok = 0;
  let fail = 0;
  for (let s = 0; s < SLOT_COUNT; s++) {
    const o = v.ownerOf(s);
    if (o === null) continue;
    assigned++;
    if (o.failed) fail++;
    else ok++;
  }
  const me = v.myself;
  return [
    `cluster_state:${v.state(cl.requireFullCoverage())}`, `cluster_slots_assigned:${assigned}`, `cluster_slots_ok:${ok}`,
    'cluster_slots_pfail:0', `cluster_slots_fail:${fail}`, `cluster_known_nodes:${v.nodes.size}`, `cluster_size:${v.size()}`,
    `cluster_current_epoch:${v.currentEpoch}`, `cluster_my_epoch:${v.shownEpoch(me)}`,
    'cluster_stats_messages_sent:0', 'cluster_stats_messages_received:0', 'total_cluster_links_buffer_limit_exceeded:0', '',
  ].join('\r\n');
}

/** CLUSTER NODES; `tls`: the lines name the nodes' TLS ports (Redis 7.4: to a client connected over TLS). */
function nodesText(cl: ClusterLens, tls: boolean): string {
  const v = cl.view;
  let out = '';
  for (const n of v.nodes.values()) {
    let line = v.nodeLine(n, false, tls);
    if (n.myself) {
      for (let s = 0; s < SLOT_COUNT; s++) {
        const to = cl.migrating.get(s);
        const from = cl.importing.get(s);
        if (to !== undefined) line += ` [${s}->-${to}]`;
        else if (from !== undefined) line += ` [${s}-<-${from}]`;
      }
    }
    out += line + '\n';
  }
  return out;
}

/** A node as CLUSTER SLOTS lists it: endpoint, port, id, then the other endpoints. */
function nodeEntry(c: Client, n: NodeView): void {
  const type = getConfigValue(c.server.config, 'cluster-preferred-endpoint-type') ?? 'ip';
  const r = c.reply;
  r.array(4);
  if (type === 'ip') r.bulk(n.ip);
  else if (type === 'hostname') r.bulk(n.hostname !== '' ? n.hostname : '?');
  else r.nullBulk();
  r.int(clientPort(n, returnsTls(c)));
  r.bulk(n.id);
  const extra: Array<[string, string]> = [];
  if (type !== 'ip') extra.push(['ip', n.ip]);
  if (type !== 'hostname' && n.hostname !== '') extra.push(['hostname', n.hostname]);
  r.map(extra.length);
  for (const [k, v] of extra) {
    r.bulk(k);
    r.bulk(v);
  }
}

/** Replicas listed by CLUSTER SLOTS: not failed and synced at least once. */
function available(cl: ClusterLens, n: NodeView): boolean {
  if (n.failed) return false;
  return (n.myself ? cl.replicationOffset() : n.offset) !== 0;
}

function slotsReply(cl: ClusterLens, c: Client): void {
  const v = cl.view;
  const ranges: Array<[number, number, NodeView]> = [];
  for (let s = 0; s < SLOT_COUNT; s++) {
    const o = v.ownerOf(s);
    if (o === null || o === undefined) continue;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[2] === o && last[1] === s - 1) last[1] = s;
    else ranges.push([s, s, o]);
  }
  c.reply.array(ranges.length);
  for (const [a, b, o] of ranges) {
    const replicas = v.replicasOf(o.id).filter((r) => available(cl, r));
    c.reply.array(3 + replicas.length);
    c.reply.int(a);
    c.reply.int(b);
    nodeEntry(c, o);
    for (const r of replicas) nodeEntry(c, r);
  }
}

/** A map of names to strings and integers (CLUSTER SHARDS' nodes, CLUSTER LINKS). */
function replyFields(c: Client, fields: ReadonlyArray<readonly [string, string | number]>): void {
  c.reply.map(fields.length);
  for (const [k, v] of fields) {
    c.reply.bulk(k);
    if (typeof v === 'number') c.reply.int(v);
    else c.reply.bulk(v);
  }
}

function shardsReply(cl: ClusterLens, c: Client): void {
  const v = cl.view;
  const masters = [...v.nodes.values()].filter((n) => n.role === 'master');
  const r = c.reply;
  const type = getConfigValue(c.server.config, 'cluster-preferred-endpoint-type') ?? 'ip';
  r.array(masters.length);
  for (const m of masters) {
    r.map(2);
    r.bulk('slots');
    const ranges = v.slotsOf(m.id);
    r.array(ranges.length * 2);
    for (const [a, b] of ranges) {
      r.int(a);
      r.int(b);
    }
    r.bulk('nodes');
    const members = [m, ...v.replicasOf(m.id)];
    r.array(members.length);
    for (const n of members) {
      const offset = n.myself ? (n.role === 'slave' ? cl.replicationOffset() : cl.primaryOffset()) : n.offset;
      // the plain port and the tls-port, each where the node has one (Redis's addNodeDetailsToShardReply)
      const fields: Array<[string, string | number]> = [['id', n.id]];
      if (n.port !== 0) fields.push(['port', n.port]);
      if (n.tlsPort) fields.push(['tls-port', n.tlsPort]);
      fields.push(['ip', n.ip],
        ['endpoint', type === 'hostname' ? (n.hostname !== '' ? n.hostname : '?') : type === 'unknown-endpoint' ? '' : n.ip]);
      if (n.hostname !== '') fields.push(['hostname', n.hostname]);
      fields.push(['role', n.role === 'slave' ? 'replica' : 'master'], ['replication-offset', offset],
        ['health', n.failed ? 'fail' : n.role === 'slave' && offset === 0 ? 'loading' : 'online']);
      replyFields(c, fields);
    }
  }
}

async function setslot(cl: Cluster, c: Client, args: string[]): Promise<void> {
  const me = cl.view.myself;
  if (me.role === 'slave') throw new CommandError('ERR Please use SETSLOT only with masters.');
  const slot = slotArg(args[2]!);
  const action = args[3]!.toLowerCase();
  const owner = cl.view.ownerOf(slot);
  if (action === 'migrating' && args.length === 5) {
    if (owner?.id !== me.id) throw new CommandError(`ERR I'm not the owner of hash slot ${slot}`);
    const n = lookupNode(cl, args[4]!, `ERR I don't know about node ${args[4]}`);
    if (n.role === 'slave') throw new CommandError('ERR Target node is not a master');
    cl.migrating.set(slot, n.id);
  } else if (action === 'importing' && args.length === 5) {
    if (owner?.id === me.id) throw new CommandError(`ERR I'm already the owner of hash slot ${slot}`);
    const n = lookupNode(cl, args[4]!, `ERR I don't know about node ${args[4]}`);
    if (n.role === 'slave') throw new CommandError('ERR Target node is not a master');
    cl.importing.set(slot, n.id);
  } else if (action === 'stable' && args.length === 4) {
    cl.importing.delete(slot);
    cl.migrating.delete(slot);
  } else if (action === 'node' && args.length === 5) {
    const n = lookupNode(cl, args[4]!);
    if (n.role === 'slave') throw new CommandError('ERR Target node is not a master');
    const keys = countKeysInSlot(c, slot);
    if (owner?.id === me.id && n.id !== me.id && keys !== 0) {
      throw new CommandError(`ERR Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`);
    }
    if (keys === 0) cl.migrating.delete(slot);
    if (n.id === me.id) {
      // the importing node takes the slot with an epoch above every other node's, so that its claim wins over
      // the old owner's (bumped only when it is not already the greatest, as clusterBumpConfigEpochWithoutConsensus)
      // The epoch first, then the claim with it in one step: a view rebuilt while nextEpoch waits must not see
      // the slot claimed at the old epoch (it would lose to the old owner and be dropped from the record).
      let epoch = cl.me.configEpoch;
      if (owner !== null && owner.id !== me.id && !cl.epochIsGreatest()) {
        await change(cl, async () => {
          epoch = await cl.store.nextEpoch(cl.view.currentEpoch);
        });
      }
      await change(cl, () => cl.commit({ configEpoch: Math.max(epoch, cl.me.configEpoch), slots: withSlot(cl.me.slots, slot) }));
      cl.importing.delete(slot);
    } else if (inRanges(cl.me.slots, slot)) {
      // the old owner lets go: stops serving the slot at once, and its record follows in the background (several
      // releases of a reshard in one write; one etcd refused is written once it answers). The new owner's claim, in
      // etcd at a higher epoch before its SETSLOT NODE was answered, already wins in every view; an old owner that
      // sees that claim first drops the slot so too (react).
      await cl.started;
      if (!cl.store.available) throw new CommandError(ETCD_DOWN);
      cl.me.slots = withoutSlot(cl.me.slots, slot);
      cl.refresh(false);
      void cl.publish().catch((e: Error) => cl.state.log('warning', `cluster: publishing the release of slot ${slot} failed: ${e.message}`));
      c.reply.ok();
      return;
    } else {
      // a third node: the owners' records say it, the view follows
      cl.localChange();
      c.reply.ok();
      return;
    }
  } else {
    throw new CommandError('ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP');
  }
  cl.localChange();
  c.reply.ok();
}

async function failover(cl: Cluster, c: Client, args: string[]): Promise<void> {
  let force = false;
  let takeover = false;
  if (args.length === 3) {
    const opt = args[2]!.toLowerCase();
    if (opt === 'force') force = true;
    else if (opt === 'takeover') takeover = force = true;
    else throw new CommandError(Err.SYNTAX);
  }
  const me = cl.view.myself;
  if (me.role === 'master') throw new CommandError('ERR You should send CLUSTER FAILOVER to a replica');
  const master = me.master === null ? undefined : cl.view.nodes.get(me.master);
  if (master === undefined) throw new CommandError("ERR I'm a replica but my master is unknown to me");
  if (!force && (master.failed || cl.state.replicaOf?.up() !== true)) throw new CommandError('ERR Master is down or failed, please use CLUSTER FAILOVER FORCE');
  cl.state.log('warning', takeover ? 'Taking over the master (user request).' : force ? 'Forced failover user request accepted.' : 'Manual failover user request accepted.');
  // the reply comes first, the failover after it (Redis answers OK and fails over asynchronously)
  c.reply.ok();
  void cl.manualFailover(master, force).catch((e: Error) => cl.state.log('warning', `Manual failover failed: ${e.message}`));
}

async function reset(cl: Cluster, c: Client, args: string[]): Promise<void> {
  let hard = false;
  if (args.length === 3) {
    const opt = args[2]!.toLowerCase();
    if (opt === 'hard') hard = true;
    else if (opt !== 'soft') throw new CommandError(Err.SYNTAX);
  }
  const me = cl.view.myself;
  if (me.role === 'master' && cl.keyCount() !== 0) throw new CommandError("ERR CLUSTER RESET can't be called with master nodes containing keys");
  await change(cl, () => cl.reset(hard));
  c.reply.ok();
}

const HANDLERS: Record<string, Handler> = {
  async meet(cl, c, args) {
    if (args.length !== 4 && args.length !== 5) throw new CommandError("ERR wrong number of arguments for 'cluster|meet' command");
    if (!/^-?\d+$/.test(args[3]!)) throw new CommandError(`ERR Invalid TCP base port specified: ${args[3]}`);
    if (args.length === 5 && !/^-?\d+$/.test(args[4]!)) throw new CommandError(`ERR Invalid TCP bus port specified: ${args[4]}`);
    const port = Number(args[3]);
    if (isIP(args[2]!) === 0 || port <= 0 || port > 65535) throw new CommandError(`ERR Invalid node address specified: ${args[2]}:${args[3]}`);
    // with threads the command came from another thread's connection as a job, with its local address
    const laddr = (c.ext.originLaddr as string | undefined) ?? c.laddr;
    const local = laddr.slice(0, laddr.lastIndexOf(':')).replace(/^\[|\]$/g, '');
    await change(cl, () => cl.meet(args[2]!, port, isIP(local) !== 0 ? local : ''));
    c.reply.ok();
  },
  async flushslots(cl, c) {
    if (cl.keyCount() !== 0) throw new CommandError('ERR DB must be empty to perform CLUSTER FLUSHSLOTS.');
    await change(cl, () => cl.commit({ slots: [] }));
    c.reply.ok();
  },
  async addslots(cl, c, args) {
    const slots = args.slice(2).map(slotArg);
    await updateSlots(cl, slots, false);
    c.reply.ok();
  },
  async delslots(cl, c, args) {
    const slots = args.slice(2).map(slotArg);
    await updateSlots(cl, slots, true);
    c.reply.ok();
  },
  async addslotsrange(cl, c, args) {
    await updateSlots(cl, rangeArgs(c, args), false);
    c.reply.ok();
  },
  async delslotsrange(cl, c, args) {
    await updateSlots(cl, rangeArgs(c, args), true);
    c.reply.ok();
  },
  setslot,
  async bumpepoch(cl, c) {
    const v = cl.view;
    const bumped = cl.me.configEpoch === 0 || !cl.epochIsGreatest();
    if (bumped) {
      await change(cl, async () => {
        await cl.commit({ configEpoch: cl.joined ? await cl.store.nextEpoch(v.currentEpoch) : v.currentEpoch + 1 });
      });
    }
    c.reply.simple(`${bumped ? 'BUMPED' : 'STILL'} ${cl.me.configEpoch}`);
  },
  saveconfig(cl, c) {
    cl.save();
    c.reply.ok();
  },
  async forget(cl, c, args) {
    // already gone from the fleet (another node's FORGET): as Redis, whose FORGET keeps the node out for 60 s
    const gone = cl.forgotten.get(args[2]!);
    if (!cl.view.nodes.has(args[2]!) && gone !== undefined && Date.now() - gone < FORGET_TTL_MS) return c.reply.ok();
    const n = lookupNode(cl, args[2]!);
    if (n.myself) throw new CommandError("ERR I tried hard but I can't forget myself...");
    if (cl.me.role === 'slave' && cl.me.master === n.id) throw new CommandError("ERR Can't forget my master!");
    await change(cl, () => cl.forget(n.id));
    c.reply.ok();
  },
  async replicate(cl, c, args) {
    const n = lookupNode(cl, args[2]!);
    if (n.myself) throw new CommandError("ERR Can't replicate myself");
    if (n.role === 'slave') throw new CommandError('ERR I can only replicate a master, not a replica.');
    if (cl.me.role === 'master' && (cl.me.slots.length !== 0 || cl.keyCount() !== 0)) {
      throw new CommandError('ERR To set a master the node must be empty and without assigned slots.');
    }
    // a replica joins its master's shard (Redis's clusterSetMaster: updateShardId)
    await change(cl, () => cl.commit({ role: 'slave', master: n.id, slots: [], offset: 0, ...(n.shardId !== undefined ? { shardId: n.shardId } : {}) }));
    cl.follow(n.id);
    c.reply.ok();
  },
  failover,
  async 'set-config-epoch'(cl, c, args) {
    const epoch = intArg(args[2]!);
    if (epoch < 0) throw new CommandError(`ERR Invalid config epoch specified: ${epoch}`);
    if (cl.view.nodes.size > 1) throw new CommandError('ERR The user can assign a config epoch only when the node does not know any other node.');
    if (cl.me.configEpoch !== 0) throw new CommandError('ERR Node config epoch is already non-zero');
    await change(cl, () => cl.commit({ configEpoch: epoch }));
    c.server.log('warning', `configEpoch set to ${epoch} via CLUSTER SET-CONFIG-EPOCH`);
    c.reply.ok();
  },
  reset,
  links(_cl, c) {
    const links = busOf(c.server)?.links() ?? [];
    c.reply.array(links.length);
    for (const l of links) {
      replyFields(c, [['direction', l.direction], ['node', l.node], ['create-time', l.createTime], ['events', l.events],
        ['send-buffer-allocated', l.sendAllocated], ['send-buffer-used', l.sendUsed]]);
    }
  },
};

const READERS: Record<string, Reader> = {
  nodes: (cl, c) => c.reply.verbatim(nodesText(cl, returnsTls(c))),
  myid: (cl, c) => c.reply.bulk(cl.me.id),
  myshardid: (cl, c) => {
    if (cl.me.shardId === undefined) throw new CommandError('ERR No shard ID yet');
    c.reply.bulk(cl.me.shardId);
  },
  slots: (cl, c) => slotsReply(cl, c),
  shards: (cl, c) => shardsReply(cl, c),
  info: (cl, c) => c.reply.verbatim(info(cl)),
  keyslot: (_cl, c, args) => c.reply.int(keySlot(args[2]!)),
  countkeysinslot(_cl, c, args) {
    const slot = intArg(args[2]!);
    if (slot < 0 || slot >= SLOT_COUNT) throw new CommandError('ERR Invalid slot');
    c.reply.int(countKeysInSlot(c, slot));
  },
  getkeysinslot(_cl, c, args) {
    const slot = intArg(args[2]!);
    const max = intArg(args[3]!);
    if (slot < 0 || slot >= SLOT_COUNT || max < 0) throw new CommandError('ERR Invalid slot or number of keys');
    c.reply.bulkArray(keysInSlot(c, slot, max));
  },
  replicas: (cl, c, args) => replicasReply(cl, c, args),
  slaves: (cl, c, args) => replicasReply(cl, c, args),
  'count-failure-reports'(cl, c, args) {
    const n = lookupNode(cl, args[2]!);
    // no gossip: a failed node is reported by its lapsed lease, which every master sees
    c.reply.int(n.failed ? [...cl.view.nodes.values()].filter((x) => x.role === 'master' && !x.failed && !x.myself).length : 0);
  },
};

function replicasReply(cl: ClusterLens, c: Client, args: string[]): void {
  const n = lookupNode(cl, args[2]!);
  if (n.role === 'slave') throw new CommandError('ERR The specified node is not a master');
  const lines = cl.view.replicasOf(n.id).map((r) => cl.view.nodeLine(r, false, returnsTls(c)));
  c.reply.bulkArray(lines);
}

function lensOf(c: Client): ClusterLens {
  const cl = clusterOf(c.server);
  if (cl === null) throw new CommandError('ERR This instance has cluster support disabled');
  return cl;
}

/** The handler of CLUSTER <sub> in cluster mode; null when the server is not in cluster mode. */
export function clusterModeHandler(name: string): ((c: Client, args: string[]) => void | Promise<void>) | null {
  const h = HANDLERS[name];
  if (h === undefined) {
    const r = READERS[name];
    if (r === undefined) return null;
    return (c, args) => r(lensOf(c), c, args);
  }
  return (c, args) => {
    const cl = lensOf(c);
    // with threads these run on thread 0 (threads route them there), except inside MULTI, scripts, or for a
    // connection with CLIENT TRACKING or CLIENT REPLY set, which stay on their thread
    if (cl.mirror) throw new CommandError(`ERR CLUSTER ${name.toUpperCase()} cannot run inside MULTI or a script, or with CLIENT TRACKING or CLIENT REPLY set, on a server with --threads`);
    return h(cl as Cluster, c, args);
  };
}

/** READONLY / READWRITE / ASKING: a connection flag. */
export function connectionFlag(name: 'readonly' | 'readwrite' | 'asking'): (c: Client) => void {
  return (c) => {
    if (clusterOf(c.server) === null) throw new CommandError('ERR This instance has cluster support disabled');
    if (name === 'asking') c.ext.asking = true;
    else c.ext.readonly = name === 'readonly';
    c.reply.ok();
  };
}

