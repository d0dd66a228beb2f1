/**
 * The address a node publishes (Redis's deriveAnnouncedPorts): the port, or
 * cluster-announce-port; the tls-port, or cluster-announce-tls-port; the bus
 * port, cluster-announce-bus-port, else cluster-port, else port + 10000
 * (tls-port + 10000 with tls-cluster yes); the ip and hostname announced. CONFIG SET
 * of any of them republishes the node's record at once (the other nodes'
 * CLUSTER NODES follow through etcd, where Redis's gossip would carry it).
 */
import type { Config } from '../config/config.ts';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import type { Cluster } from './cluster.ts';
import { busBase } from './tls-ports.ts';

export interface Announced {
  /** '' when none is set: the node takes the address it is reached at. */
  ip: string;
  port: number;
  /** 0: no tls-port. */
  tlsPort: number;
  cport: number;
  hostname: string;
}

export function announced(cfg: Config, port: number): Announced {
  return {
    ip: getConfigValue(cfg, 'cluster-announce-ip') ?? '',
    port: getConfigNumber(cfg, 'cluster-announce-port', 0) || port,
    tlsPort: getConfigNumber(cfg, 'cluster-announce-tls-port', 0) || getConfigNumber(cfg, 'tls-port', 0),
    cport: getConfigNumber(cfg, 'cluster-announce-bus-port', 0) || getConfigNumber(cfg, 'cluster-port', 0) || busBase(cfg, port) + 10000,
    hostname: getConfigValue(cfg, 'cluster-announce-hostname') ?? '',
  };
}

/** Calls `fn` with what the node announces whenever CONFIG SET changes it. */
export function onAnnounce(state: Cluster['state'], port: number, fn: (a: Announced) => void): void {
  const orig = state.onConfigChange.bind(state);
  state.onConfigChange = (names: string[]): void => {
    orig(names);
    if (names.some((n) => n.startsWith('cluster-announce-'))) fn(announced(state.config, port));
  };
}

/** Republishes the node's record whenever CONFIG SET changes what it announces. */
export function followAnnouncements(cluster: Cluster, port: number): void {
  const state = cluster.state;
  onAnnounce(state, port, (a) => {
    if (a.ip !== '') cluster.me.ip = a.ip;
    cluster.me.port = a.port;
    cluster.me.tlsPort = a.tlsPort;
    cluster.me.cport = a.cport;
    cluster.me.hostname = a.hostname;
    // this node's own view shows it at once (its reply to CLUSTER NODES right after CONFIG SET), the others' after etcd
    cluster.refresh();
    void cluster.publish().catch((e: Error) => state.log('warning', `cluster: publishing the announced address failed: ${e.message}`));
  });
}
