/**
 * Cluster mode in one thread's instance (server/instance.ts loads this only
 * with cluster-enabled yes).
 *
 * With one thread, the instance is the node: its Cluster (etcd, elections),
 * its bus, the gate and the cron that redirects blocked clients.
 *
 * With `--threads N` the node runs on thread 0, started once every thread
 * listens (threads/group.ts runs ServerState.afterThreadsStart): thread 0
 * hands each change of its cluster state to the other threads' mirrors
 * while holding them (lens.ts), and every thread gates its own connections
 * by its copy. CLUSTER subcommands that change the node run on thread 0
 * (server/thread-gate.ts routes them there as jobs); those that read the
 * view answer on any thread. PUBLISH on another thread reaches the fleet
 * through thread 0's bus (a `cluster-publish` notice).
 */
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import { Cluster } from './cluster.ts';
import { ClusterBus } from './bus.ts';
import { followAnnouncements, onAnnounce } from './announce.ts';
import { clusterRefusal, redirectBlocked } from './redirect.ts';
import { ClusterMirror, gateKey, imageOf, type ClusterLens } from './lens.ts';
import { busAccessOf, type BusAccess } from './mode.ts';
import { busBase } from './tls-ports.ts';

export interface ClusterMode {
  close(): Promise<void>;
}

/** The gate and the blocked clients' cron of one thread, judging by `lens`. */
function gateBy(state: ServerState<Client>, lens: ClusterLens): NodeJS.Timeout {
  state.cluster = lens;
  state.clusterGate = (c, cmd, args) => clusterRefusal(lens, c, cmd, args);
  const cron = setInterval(() => redirectBlocked(lens, state, getConfigValue(state.config, 'cluster-preferred-endpoint-type') ?? 'ip'), 100);
  cron.unref();
  return cron;
}

/**
 * Thread 0 with threads: every change of what the gate reads goes to every
 * other thread's mirror before anything else runs (a hold of all threads),
 * so a reply that acknowledged it (SETSLOT NODE, a failover's claim) is
 * never followed by a command judged by the older map on another thread.
 */
function feedMirrors(cluster: Cluster, state: ServerState<Client>): void {
  const link = state.link!;
  let last = '';
  let later = false;
  const push = (): void => {
    if (link.closing) return;
    // held by another thread (a request of its command): this thread may not hold the others now
    if (link.beingHeld) {
      if (!later) {
        later = true;
        setImmediate(() => {
          later = false;
          push();
        });
      }
      return;
    }
    const image = imageOf(cluster);
    const key = gateKey(image);
    if (key === last) return;
    last = key;
    state.others!({ op: 'cluster-view', image });
  };
  cluster.viewHooks.push(push);
  push();
  // ownership (a cut-off master's), every tick: time-bound, so told to the mirrors rather than held for
  cluster.onOwnership = (w) => {
    if (link.closing) return;
    for (let t = 1; t < link.count; t++) link.notice(t, { op: 'cluster-ownership', ...w });
  };
  // another thread's PUBLISH / SPUBLISH, for the fleet's other nodes
  state.noticeHandlers.set('cluster-publish', (m) => busAccessOf(state)?.publish(m.sharded as boolean, m.channel as string, m.message as string));
  state.noticeHandlers.set('cluster-link-kill', (m) => busAccessOf(state)?.kill(m.direction as 'to' | 'from' | 'all', m.node as string));
}

export async function startClusterMode(state: ServerState<Client>, port: number, thread: { index: number; count: number } | null): Promise<ClusterMode> {
  if (thread !== null && thread.index !== 0) {
    const mirror = new ClusterMirror(state);
    const cron = gateBy(state, mirror);
    const link = state.link!;
    // in order with this thread's other notices to thread 0 (a DEBUG CLUSTERLINK KILL, then SPUBLISH, in one EXEC)
    const tell = (m: { op: string; [k: string]: unknown }): void => {
      if (!link.closing) link.notice(0, m);
    };
    const relay: BusAccess = {
      publish: (sharded, channel, message) => tell({ op: 'cluster-publish', sharded, channel, message }),
      kill: (direction, node) => tell({ op: 'cluster-link-kill', direction, node }),
    };
    state.clusterBus = relay;
    onAnnounce(state, port, (a) => mirror.announce(a));
    state.noticeHandlers.set('cluster-ownership', (m) => mirror.heard({ applies: m.applies as boolean, lease: m.lease as number, vouched: m.vouched as number }));
    return { close: async () => clearInterval(cron) };
  }
  const cluster = new Cluster(state, port);
  const cron = gateBy(state, cluster);
  const bus = new ClusterBus(cluster);
  const begin = async (): Promise<void> => {
    if (thread !== null) feedMirrors(cluster, state);
    await cluster.start();
    // the bus listens on cluster-port, or port + 10000 as Redis's (tls-port + 10000 with tls-cluster yes)
    await bus.listen(getConfigNumber(state.config, 'cluster-port', 0) || busBase(state.config, port) + 10000, state.config.bind);
    state.clusterBus = bus;
    followAnnouncements(cluster, port);
  };
  // with threads, once every thread listens (the mirrors are fed by holding them)
  if (thread === null) await begin();
  else state.afterThreadsStart.push(begin);
  return {
    close: async () => {
      clearInterval(cron);
      await bus.close();
      await cluster.close();
    },
  };
}
