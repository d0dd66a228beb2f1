/**
 * FAILOVER's state machine (Redis 7.0's failoverCommand, updateFailoverStatus,
 * abortFailover and clearFailoverState in replication.c): writes are paused
 * (as CLIENT PAUSE WRITE, a pause of its own that CLIENT UNPAUSE leaves on)
 * while the primary waits, checking every 100 ms, for the target replica (or
 * any replica) to acknowledge its whole stream (waiting-for-sync); then it
 * becomes a replica of that replica (its own replicas stay, as on any
 * REPLICAOF, until the history changes), and its link
 * asks `PSYNC <replid> <offset> FAILOVER` (failover-in-progress). The target
 * promotes itself on that PSYNC and answers +CONTINUE (the PSYNC command,
 * commands/server/replication.ts). The answer ends the failover; a refusal,
 * ABORT or a TIMEOUT without FORCE rolls it back. With FORCE the primary
 * fails over once the timeout passed even if the target never caught up.
 */
import type { Client } from '../server/client.ts';
import type { ServerState } from '../server/server-state.ts';
import type { FailoverState, FailoverView } from './primary.ts';
import { becomePrimary, followPrimary } from './role.ts';

export interface FailoverOptions {
  /** TO host port; null: the first replica that catches up. */
  target: { host: string; port: number } | null;
  /** TIMEOUT in ms (0: none). */
  timeoutMs: number;
  force: boolean;
}

export class Failover implements FailoverView {
  state: FailoverState = 'waiting-for-sync';
  private target: { host: string; port: number } | null;
  /** When the wait ends (ms; 0: never). */
  private readonly endTime: number;
  private readonly force: boolean;
  private readonly server: ServerState<Client>;
  private timer: NodeJS.Timeout | null = null;

  private constructor(server: ServerState<Client>, opts: FailoverOptions) {
    this.server = server;
    this.target = opts.target;
    this.endTime = opts.timeoutMs > 0 ? Date.now() + opts.timeoutMs : 0;
    this.force = opts.force;
  }

  /** Starts a failover the FAILOVER command validated: writes pause, the wait for a replica begins. */
  static start(server: ServerState<Client>, opts: FailoverOptions): Failover {
    const f = new Failover(server, opts);
    server.replication.failover = f;
    server.pause.holdWrites(true);
    // Redis runs its replication cron every 100 ms during a failover
    f.timer = setInterval(() => f.check(), 100);
    f.timer.unref();
    // and checks after every event loop iteration (beforeSleep): a replica already caught up starts it now
    setImmediate(() => f.check());
    return f;
  }

  private get targetName(): string {
    return this.target !== null ? `${this.target.host}:${this.target.port}` : 'any replica';
  }

  /** updateFailoverStatus: the timeout, else whether the target (or any replica) acknowledged the whole stream. */
  private check(): void {
    if (this.state !== 'waiting-for-sync' || this.server.replication.failover !== this) return;
    if (this.endTime !== 0 && this.endTime <= Date.now()) {
      if (this.force) {
        this.server.log('notice', `FAILOVER to ${this.targetName} time out exceeded, failing over.`);
        this.failOver();
      } else this.abort('Replica never caught up before timeout');
      return;
    }
    const feed = this.server.replication;
    if (this.target !== null) {
      const r = feed.findReplica(this.target.host, this.target.port);
      if (r === null || !r.online || r.ackOffset !== feed.offset) return;
    } else {
      const r = feed.caughtUpReplica();
      if (r === null) return;
      this.target = { host: r[0], port: r[1] };
    }
    this.server.log('notice', `Failover target ${this.targetName} is synced, failing over.`);
    this.failOver();
  }

  /** This primary becomes a replica of the target; its link's PSYNC carries FAILOVER. */
  private failOver(): void {
    const t = this.target!;
    this.state = 'failover-in-progress';
    followPrimary(this.server, t.host, t.port);
  }

  done(): void {
    this.clear();
  }

  abort(why: string): void {
    if (this.server.replication.failover !== this) return;
    this.server.log('notice', this.target !== null ? `FAILOVER to ${this.targetName} aborted: ${why}` : `FAILOVER to any replica aborted: ${why}`);
    // a primary again (replicationUnsetMaster): a new replication ID, the old one valid up to here
    if (this.state === 'failover-in-progress') becomePrimary(this.server);
    this.clear();
  }

  /** clearFailoverState: no failover, writes resume. */
  private clear(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.state = 'no-failover';
    if (this.server.replication.failover === this) this.server.replication.failover = null;
    this.server.pause.holdWrites(false);
  }
}
