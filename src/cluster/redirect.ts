/**
 * Which node serves a command in cluster mode (Redis 7.0's getNodeByQuery
 * and clusterRedirectClient): its keys must hash to one slot; a slot
 * owned elsewhere answers MOVED, one being migrated away whose keys are
 * gone answers ASK (TRYAGAIN when only some are), one being imported is
 * served after ASKING; a replica serves reads of its master's slots to a
 * READONLY connection; a cluster that is down answers CLUSTERDOWN. EXEC is
 * judged on every command it queued.
 */
import type { CommandInfo, SpecOf } from '../commands/core/command.ts';
import { keyIndexes } from '../commands/core/command.ts';
import { keySlot } from '../engine/slots.ts';
import type { Client } from '../server/client.ts';
import type { ServerState } from '../server/server-state.ts';
import { getConfigValue } from '../config/config.ts';
import type { ClusterLens } from './lens.ts';
import type { NodeView } from './topology.ts';
import { clientPort, returnsTls } from './tls-ports.ts';

import { CROSSSLOT, DOWN, DOWN_RO, TRYAGAIN, UNBOUND } from './errors.ts';

const SHARD_PUBSUB = new Set(['ssubscribe', 'sunsubscribe', 'spublish']);

/** `-MOVED 3999 127.0.0.1:6381` / `-ASK …`: the node's preferred endpoint and port (its tls-port to a TLS client). */
function redirect(kind: 'MOVED' | 'ASK', slot: number, n: NodeView, endpointType: string, c: Client): string {
  const endpoint = endpointType === 'hostname' ? (n.hostname !== '' ? n.hostname : '?') : endpointType === 'unknown-endpoint' ? '' : n.ip;
  return `${kind} ${slot} ${endpoint}:${clientPort(n, returnsTls(c))}`;
}

/**
 * The gate: null when this node serves the command, else the error to
 * answer. What it judged stays on the client while the command runs, for
 * the commands of a script (Redis keeps CLIENT_ASKING and c->slot so):
 * `c.ext.askingNow`, and `c.ext.slot`, the slot of its keys (-1 without).
 */
export function clusterRefusal(cluster: ClusterLens, c: Client, cmd: CommandInfo, args: string[]): string | null {
  const asking = c.ext.asking === true;
  // ASKING holds for the next command only (kept through a transaction's queueing); with threads a command
  // sent to another thread as a job is judged again there, with the flags it had here (threads/jobs.ts)
  c.ext.askingNow = asking;
  if (cmd.fullName !== 'asking' && c.ext.multi === undefined) c.ext.asking = false;
  c.ext.slot = -1;
  if (mustObey(c)) return null;
  // commands without keys run anywhere
  const isExec = cmd.fullName === 'exec';
  const spec = cmd.spec;
  if (!isExec && !spec.keys && spec.firstKey <= 0) return null;
  let queue: ReadonlyArray<readonly [CommandInfo, string[]]>;
  if (isExec) {
    const tx = c.ext.multi as { queue: Array<[CommandInfo, string[]]> } | undefined;
    if (tx === undefined) return null;
    queue = tx.queue;
  } else queue = [[cmd, args]];
  const r = routeQuery(cluster, c, cmd, queue, asking, c.ext.readonly === true);
  c.ext.slot = r.slot;
  switch (r.code) {
    case Route.HERE: return null;
    case Route.CROSS_SLOT: return CROSSSLOT;
    case Route.UNSTABLE: return TRYAGAIN;
    case Route.DOWN_STATE: return DOWN;
    case Route.DOWN_RO_STATE: return DOWN_RO;
    case Route.DOWN_UNBOUND: return UNBOUND;
  }
  const endpointType = getConfigValue(c.server.config, 'cluster-preferred-endpoint-type') ?? 'ip';
  return redirect(r.code === Route.ASK ? 'ASK' : 'MOVED', r.slot, r.node!, endpointType, c);
}

/**
 * A replica's master and the AOF loader (the internal user) are obeyed
 * (Redis's mustObeyClient); HTTP, WebSocket, gRPC and line sessions (no
 * socket of their own) are redirected as connections are; a job's
 * stand-in, though internal, is judged again where it runs (the map or the
 * keys may have changed since).
 */
export function mustObey(c: Client): boolean {
  return c.ext.master === true || (c.user === c.server.acl.internalUser && c.ext.originId === undefined);
}

/** What getNodeByQuery decides (its CLUSTER_REDIR_* codes; HERE: this node serves it). */
export const Route = { HERE: 0, CROSS_SLOT: 1, UNSTABLE: 2, ASK: 3, MOVED: 4, DOWN_STATE: 5, DOWN_RO_STATE: 6, DOWN_UNBOUND: 7 } as const;
export type RouteCode = (typeof Route)[keyof typeof Route];

export interface Routing {
  code: RouteCode;
  /** The slot of the keys (-1: no key, or refused before the slot counts: CROSSSLOT, CLUSTERDOWN). */
  slot: number;
  /** Where ASK and MOVED send the client. */
  node: NodeView | null;
}

const NO_KEYS: Routing = { code: Route.HERE, slot: -1, node: null };

/**
 * Redis's getNodeByQuery: where the keys of `queue` (one command, or the
 * commands an EXEC queued; `cmd` is the command itself) are served, for a
 * client with the ASKING / READONLY flags given. The gate above and the
 * commands a script calls (scripting/runner.ts) share it.
 */
export function routeQuery(cluster: ClusterLens, c: Client, cmd: CommandInfo, queue: ReadonlyArray<readonly [CommandInfo, string[]]>, asking: boolean, readonly: boolean): Routing {
  const view = cluster.view;
  const me = view.myself;
  let first: string | null = null;
  let slot = 0;
  let owner: NodeView | null = null;
  let multipleKeys = false;
  let migrating = false;
  let importing = false;
  let missing = 0;
  let existing = 0;
  let write = false;
  const pubsubShard = SHARD_PUBSUB.has(cmd.fullName);
  for (const [qc, qa] of queue) {
    if (qc.isWrite || ((qc.spec as SpecOf<Client>).writesByFlags?.(c, qa) ?? false)) write = true;
    for (const i of keyIndexes(qc, qa)) {
      const key = qa[i];
      if (key === undefined) continue;
      const s = keySlot(key);
      if (first === null) {
        first = key;
        slot = s;
        owner = view.owner[s] ?? null;
        if (owner === null) return { code: Route.DOWN_UNBOUND, slot: -1, node: null };
        if (owner.id === me.id && cluster.migrating.has(s)) migrating = true;
        else if (cluster.importing.has(s)) importing = true;
      } else if (key !== first) {
        if (s !== slot) return { code: Route.CROSS_SLOT, slot: -1, node: null };
        multipleKeys = true;
      }
      if ((migrating || importing) && !pubsubShard) {
        if (c.server.engine.keyspace(key, 0).peek(key) === undefined) missing++;
        else existing++;
      }
    }
  }
  if (owner === null) return NO_KEYS;
  if (cluster.view.state(cluster.requireFullCoverage()) !== 'ok') {
    const cfg = (name: string): string | undefined => getConfigValue(c.server.config, name);
    if (pubsubShard) {
      if (cfg('cluster-allow-pubsubshard-when-down') === 'no') return { code: Route.DOWN_STATE, slot: -1, node: null };
    } else if (cfg('cluster-allow-reads-when-down') !== 'yes') return { code: Route.DOWN_STATE, slot: -1, node: null };
    else if (write) return { code: Route.DOWN_RO_STATE, slot: -1, node: null };
  }
  if ((migrating || importing) && cmd.fullName === 'migrate') return { code: Route.HERE, slot, node: me };
  if (migrating && missing > 0) {
    if (existing > 0) return { code: Route.UNSTABLE, slot, node: null };
    const target = view.nodes.get(cluster.migrating.get(slot)!);
    return target === undefined ? { code: Route.HERE, slot, node: me } : { code: Route.ASK, slot, node: target };
  }
  if (importing && (asking || cmd.spec.flags.includes('asking'))) {
    return multipleKeys && missing > 0 ? { code: Route.UNSTABLE, slot, node: null } : { code: Route.HERE, slot, node: me };
  }
  if ((readonly || pubsubShard) && !write && me.role === 'slave' && me.master === owner.id) return { code: Route.HERE, slot, node: me };
  return owner.id === me.id ? { code: Route.HERE, slot, node: me } : { code: Route.MOVED, slot, node: owner };
}

/**
 * Clients blocked on keys of a slot that moved away (not imported here), or
 * while the cluster is down, are answered MOVED / CLUSTERDOWN at once and
 * stay connected (Redis's clusterRedirectBlockedClientIfNeeded, from its
 * clients cron; here on every tick of the cluster's).
 */
export function redirectBlocked(cluster: ClusterLens, state: ServerState<Client>, endpointType: string): void {
  const view = cluster.view;
  const down = view.state(cluster.requireFullCoverage()) !== 'ok';
  const me = view.myself;
  state.blocking.unblockWith((c, keys) => {
    if (down) return DOWN;
    const key = keys[0];
    if (key === undefined) return null;
    const slot = keySlot(key);
    const owner = view.owner[slot] ?? null;
    // a READONLY client of a replica may wait here for its master's keys with a read (XREAD)
    const write = (c as Client).lastCmd?.isWrite === true;
    if (c.ext.readonly === true && !write && me.role === 'slave' && owner !== null && me.master === owner.id) return null;
    if (owner?.id === me.id || cluster.importing.has(slot)) return null;
    return owner === null ? UNBOUND : redirect('MOVED', slot, owner, endpointType, c as Client);
  });
}
