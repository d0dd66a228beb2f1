/**
 * Server-wide work a held thread does for the thread holding it: counting,
 * listing and flushing its own shards' keys (threads/server-wide.ts asks).
 */
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import type { LinkRequest } from './link.ts';
import { threadSectionLines } from '../commands/server/info.ts';
import { histogramEntries } from '../commands/server/latency.ts';
import { pubsubView } from '../commands/pubsub/pubsub.ts';
import { redirectTo } from '../reactivity/tracking.ts';
import { feedLine } from '../server/monitor.ts';
import { populateOwn } from '../commands/server/debug.ts';
import { keyDigests } from '../commands/server/debug-digest.ts';
import { killClientsMatching, listClients } from '../commands/connection/client-cmd.ts';
import { slotIndexOf } from '../cluster/slot-index.ts';
import { triggerStats } from '../scripting/js/triggers.ts';
import type { ClusterMirror, ViewImage } from '../cluster/lens.ts';
import { flushKeyspaces, keyspaceCounts, liveKeys, randomLiveKey, scanKeyspace } from '../engine/keyspace-ops.ts';

export function serverOp(state: ServerState<Client>, req: LinkRequest): unknown {
  const engine = state.engine;
  switch (req.op) {
    case 'dbsize':
      return engine.dbSize(req.db as number);
    case 'keys':
      return liveKeys(engine.keyspaces(req.db as number), req.pattern as string);
    case 'scan': {
      const ks = engine.byId[req.sid as number]!.dbs[req.db as number]!;
      return scanKeyspace(ks, req.cursor as number, req.buckets as number, req.want as number, req.match as string | null, req.type as string | null);
    }
    case 'size':
      return engine.byId[req.sid as number]!.dbs[req.db as number]!.size;
    case 'randomkey':
      return randomLiveKey(engine.byId[req.sid as number]!.dbs[req.db as number]!);
    case 'flushdb': {
      const n = flushKeyspaces(engine.keyspaces(req.db as number), req.db as number);
      // this thread's tracking clients hear of the flush now (one null each, as from the thread that ran it)
      state.tracking?.flushNow();
      return n;
    }
    case 'publish':
      return req.kind === 's' ? state.pubsub.sdeliver(req.channel as string, req.message as string) : state.pubsub.deliver(req.channel as string, req.message as string);
    case 'replay':
      state.replayHere!(req.args as string[]);
      return undefined;
    case 'client-list':
      return listClients(state, req.args as string[], null);
    case 'client-kill':
      return killClientsMatching(state, req.args as string[], req.upTo as number);
    case 'latency-events':
      return [...state.latency.events];
    case 'latency-histogram':
      return histogramEntries(state, req.args as string[]);
    case 'pubsub-view':
      return pubsubView(state, req.q as Parameters<typeof pubsubView>[1]);
    case 'client-exists': {
      const x = state.clients.get(req.id as number);
      return x !== undefined && !x.closed;
    }
    case 'track-redirect':
      return redirectTo(state, req.id as number, req.value as string);
    case 'invalidate':
      remoteInvalidate(state, req.keys as string[], req.writers as number[]);
      return undefined;
    case 'monitor':
      feedLine(state.monitors, req.line as string);
      return undefined;
    case 'memory':
      return state.memory.own();
    case 'digest':
      return keyDigests(engine);
    case 'populate':
      populateOwn(engine, req.db as number, req.count as number, req.prefix as string, req.size as number);
      return undefined;
    case 'latency-buckets':
      return state.latency.buckets();
    case 'memory-parts':
      return [state.memory.dataset(), state.memory.clients()];
    case 'acl-log':
      return state.acl.log.entries;
    case 'slowlog':
      return state.slowlog.entries;
    case 'trigger-stats':
      return triggerStats(state);
    case 'info-section':
      return threadSectionLines(state, req.name as string);
    case 'counts':
      return keyspaceCounts(engine.keyspaces(req.db as number), req.now as number, 1000);
    case 'slot-keys':
      return slotIndexOf(engine).keys(req.slot as number, req.max as number);
    case 'slot-count':
      return slotIndexOf(engine).countKeys(req.slot as number);
    case 'cluster-view':
      // thread 0's cluster state changed: this thread's mirror takes it (cluster/lens.ts)
      (state.cluster as ClusterMirror).apply(req.image as ViewImage);
      return undefined;
    default:
      throw new Error(`unknown thread request ${req.op}`);
  }
}

/** Keys another thread changed, for this thread's tracking clients. */
export function remoteInvalidate(state: ServerState<Client>, keys: readonly string[], writers: readonly number[]): void {
  const t = state.tracking;
  if (t !== null) for (let i = 0; i < keys.length; i++) t.remoteChange(keys[i]!, writers[i] ?? 0);
}
