/**
 * The cluster bus of a shardis node: not gossip (the fleet's truth is in
 * etcd) but the links Redis's bus also carries messages on. PUBLISH reaches
 * every node of the fleet and SPUBLISH every node of the publisher's shard
 * (its master and the master's replicas), as Redis's clusterPropagatePublish;
 * keyspace notifications stay on their node, as in Redis.
 *
 * Each node listens on its bus port (cluster-port, else port + 10000) and
 * keeps one outbound link to every other known node; a link starts with
 * HELLO <id> so the receiver knows whose it is. Frames are RESP arrays. Every
 * tenth of a second a node tells each linked node how long ago it last
 * reached etcd (ETCD <ms>, -1: never), and its own record whenever it
 * changed (RECORD <json>): so a master cut off from etcd alone learns that
 * others still reach it, stops serving slots it can no longer prove are its
 * own (ownership.ts), and learns of the replica that took them. A
 * dropped outbound link is made again within a tenth of a second, as
 * Redis's clusterCron does; CLUSTER LINKS lists the links both ways and
 * DEBUG CLUSTERLINK KILL drops them. With tls-cluster yes the links are TLS
 * (security/tls.ts), both ends presenting certificates of the CA, as Redis's.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { getConfigValue } from '../config/config.ts';
import { encodeCommand } from '../persistence/aof-writer.ts';
import { RespParser } from '../protocol/resp-parser.ts';
import type { Cluster } from './cluster.ts';
import type { NodeView } from './topology.ts';

interface Link {
  readonly socket: Socket;
  readonly createdAt: number;
  /** The peer's node id (inbound: once its HELLO came). */
  node: string;
  readonly inbound: boolean;
  /** Outbound: the record last sent on it (RECORD goes again when this node's changes). */
  sentRecord?: string;
}

/** A link whose peer reads no more (stopped, or a slow network) is not sent more reports. */
const MAX_BACKLOG = 64 * 1024;

/** A frame bigger than this closes the link (a message's size is bounded by proto-max-bulk-len on the sender). */
const MAX_FRAME = 512 * 1024 * 1024;

export class ClusterBus {
  private readonly cluster: Cluster;
  private readonly servers: Server[] = [];
  private readonly outbound = new Map<string, Link>();
  private readonly inbound = new Set<Link>();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(cluster: Cluster) {
    this.cluster = cluster;
  }

  /** Listens on the bus port of every bound address; a port already taken stops start-up, as in Redis. */
  async listen(port: number, bind: readonly string[]): Promise<void> {
    const hosts = bind.map((b) => (b === '*' ? '0.0.0.0' : b.replace(/^-/, '')));
    const tls = this.tlsCluster() ? this.cluster.state.tls : null;
    for (const host of hosts) {
      let srv: Server;
      if (tls !== null) {
        // the bus always wants the peer's certificate (Redis: TLS_CLIENT_AUTH_YES), whatever tls-auth-clients says
        const policy = { requestCert: true, rejectUnauthorized: true };
        const tlsSrv = createTlsServer(tls.serverOptions(policy), (s) => this.accept(s));
        tlsSrv.on('tlsClientError', (_e, s) => s.destroy());
        tls.attach(tlsSrv, policy);
        srv = tlsSrv;
      } else srv = createServer((s) => this.accept(s));
      await new Promise<void>((resolve, reject) => {
        srv.once('error', (e) => reject(new Error(`Could not bind the cluster bus port ${host}:${port}: ${(e as Error).message}`)));
        srv.listen(port, host, () => resolve());
      });
      this.servers.push(srv);
    }
    // links to new nodes as soon as the view has them (cluster_state ok then means the links are up, as in Redis), and
    // again every tenth of a second for links that dropped
    this.cluster.viewHooks.push(() => this.sync());
    this.timer = setInterval(() => this.sync(), 100);
    this.timer.unref();
  }

  private accept(socket: Socket): void {
    const link: Link = { socket, createdAt: Date.now(), node: '', inbound: true };
    this.inbound.add(link);
    socket.setNoDelay(true);
    const parser = new RespParser({ maxBulkLen: MAX_FRAME });
    socket.on('data', (d: Buffer) => {
      try {
        parser.feed(d);
        for (let f = parser.next(); f !== null; f = parser.next()) this.receive(link, f);
      } catch {
        socket.destroy();
      }
    });
    const drop = (): void => {
      this.inbound.delete(link);
    };
    socket.on('close', drop);
    socket.on('error', () => socket.destroy());
  }

  private receive(link: Link, f: string[]): void {
    const pubsub = this.cluster.state.pubsub;
    const op = f[0];
    if (op === 'HELLO' && f.length === 2) link.node = f[1]!;
    // to this node's subscribers on every thread
    else if (op === 'PUBLISH' && f.length === 3) pubsub.publish(f[1]!, f[2]!);
    else if (op === 'SPUBLISH' && f.length === 3) pubsub.spublish(f[1]!, f[2]!);
    else if (link.node === '') return;
    else if (op === 'ETCD' && f.length === 2) {
      const age = Number(f[1]);
      if (Number.isFinite(age)) this.cluster.peers.heardEtcd(link.node, age);
    } else if (op === 'RECORD' && f.length === 2) this.cluster.heardRecord(link.node, f[1]!);
  }

  /** Links to every other known node, made again when dropped; links to forgotten nodes closed. */
  private sync(): void {
    if (this.closed) return;
    const view = this.cluster.view;
    for (const [id, l] of this.outbound) {
      if (!view.nodes.has(id) || l.socket.destroyed) {
        l.socket.destroy();
        this.outbound.delete(id);
      }
    }
    for (const n of view.nodes.values()) {
      if (n.myself || n.ip === '' || this.outbound.has(n.id)) continue;
      this.open(n);
    }
    this.report();
  }

  /** Tells every linked node when this node last reached etcd, and its record when it changed. */
  private report(): void {
    const store = this.cluster.store;
    const etcd = encodeCommand(['ETCD', String(store.answeredAt === 0 ? -1 : Date.now() - store.answeredAt)]);
    const record = JSON.stringify(this.cluster.me);
    for (const l of this.outbound.values()) {
      if (l.socket.destroyed || l.socket.writableLength > MAX_BACKLOG) continue;
      l.socket.write(etcd, 'latin1');
      if (l.sentRecord === record) continue;
      l.socket.write(encodeCommand(['RECORD', record]), 'latin1');
      l.sentRecord = record;
    }
  }

  private tlsCluster(): boolean {
    return getConfigValue(this.cluster.state.config, 'tls-cluster') === 'yes';
  }

  private open(n: NodeView): void {
    const material = this.tlsCluster() ? this.cluster.state.tls.material : null;
    const socket = material !== null ? tlsConnect({ ...material.client, host: n.ip, port: n.cport }) : connect(n.cport, n.ip);
    const link: Link = { socket, createdAt: Date.now(), node: n.id, inbound: false };
    this.outbound.set(n.id, link);
    socket.setNoDelay(true);
    socket.write(encodeCommand(['HELLO', this.cluster.me.id]), 'latin1');
    // nothing comes back on an outbound link: read to see it close
    socket.resume();
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.outbound.get(n.id) === link) this.outbound.delete(n.id);
    });
  }

  /** PUBLISH: every other node; SPUBLISH: the other nodes serving this node's slots. */
  publish(sharded: boolean, channel: string, message: string): void {
    const frame = encodeCommand([sharded ? 'SPUBLISH' : 'PUBLISH', channel, message]);
    const targets = sharded ? this.shard() : null;
    for (const [id, l] of this.outbound) {
      if (targets !== null && !targets.has(id)) continue;
      if (!l.socket.destroyed) l.socket.write(frame, 'latin1');
    }
  }

  /** The master of this node's slots (itself or its master) and that master's replicas. */
  private shard(): Set<string> {
    const view = this.cluster.view;
    const me = view.myself;
    const master = me.role === 'slave' && me.master !== null ? me.master : me.id;
    const out = new Set<string>([master]);
    for (const r of view.replicasOf(master)) out.add(r.id);
    out.delete(me.id);
    return out;
  }

  /** CLUSTER LINKS: every link with a known peer, as Redis's addReplyClusterLinksDescription. */
  links(): Array<{ direction: 'to' | 'from'; node: string; createTime: number; events: string; sendAllocated: number; sendUsed: number }> {
    const out = [];
    for (const l of [...this.outbound.values(), ...this.inbound]) {
      if (l.node === '' || l.socket.destroyed) continue;
      const used = l.socket.writableLength;
      out.push({ direction: l.inbound ? 'from' as const : 'to' as const, node: l.node, createTime: l.createdAt, events: l.inbound ? 'r' : used > 0 ? 'rw' : 'r', sendAllocated: used, sendUsed: used });
    }
    return out;
  }

  /** DEBUG CLUSTERLINK KILL to|from|all <node>. */
  kill(direction: 'to' | 'from' | 'all', node: string): void {
    if (direction !== 'from') {
      this.outbound.get(node)?.socket.destroy();
      this.outbound.delete(node);
    }
    if (direction !== 'to') for (const l of this.inbound) if (l.node === node) l.socket.destroy();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearInterval(this.timer);
    for (const l of [...this.outbound.values(), ...this.inbound]) l.socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
