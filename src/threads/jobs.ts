/**
 * Commands on another thread's keys, run by their owner as jobs
 * (docs/threads.md, "Jobs"). A command whose keys all belong to one other
 * thread is not borrowed under the global lock: its thread sends it to the
 * owner, which runs it in its own order for a stand-in client and sends the
 * reply bytes back. Jobs and replies are records in shared-memory rings
 * (job-rings.ts): a job is published at once, so an owner that reads its
 * rings before running its own connections' requests runs it before any
 * request that came after it; jobs from several threads run in the order
 * they were sent (the server-wide job sequence). Replies are published once
 * the owner's AOF has written what their commands wrote (beforeAnswers).
 *
 * Bound: a connection has at most one run of jobs in flight, all to one
 * thread (dispatch.chainJob), and at most 1024 requests queued, so the jobs
 * in flight never outnumber 1024 × the connections; a full ring holds what
 * does not fit in its writer's backlog, bounded the same way.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ServerState } from '../server/server-state.ts';
import { Client } from '../server/client.ts';
import { execute } from '../server/dispatch.ts';
import { monitoring } from '../server/monitor.ts';
import { JobRings, RingKind } from './job-rings.ts';
import {
  EVENT_SIZE,
  RecordKind,
  jobSize,
  readJob,
  recordBuffer,
  recordId,
  recordKind,
  recordSeq,
  replyBytes,
  replySize,
  writeEvent,
  writeJob,
  writeReply,
  type Job,
  type RecordTarget,
} from './job-records.ts';

/**
 * The connection's addresses a job carries: its address while MONITOR
 * shows commands, and for CLUSTER commands (run on thread 0 in cluster
 * mode) also the local address, from which CLUSTER MEET learns the node's ip.
 */
function addressesFor(state: ServerState<Client>, c: Client, args: string[]): string {
  const a0 = args[0]!;
  if (a0.length === 7 && a0.toLowerCase() === 'cluster') return c.addr + ' ' + c.laddr;
  return monitoring(state) ? c.addr : '';
}

/** A stand-in takes the job's connection flags and addresses. */
function standInAs(c: Client, job: Job): void {
  const sp = job.addr.indexOf(' ');
  c.ext.monitorAddr = (sp < 0 ? job.addr : job.addr.slice(0, sp)) || undefined;
  c.ext.originLaddr = sp < 0 ? undefined : job.addr.slice(sp + 1);
  c.ext.readonly = job.readonly;
  c.ext.asking = job.asking;
}

export class Jobs {
  private readonly state: ServerState<Client>;
  private readonly rings: JobRings;
  private readonly count: number;
  private readonly me: number;
  /** Origin side: job id → what to do with its reply. */
  private readonly waiting = new Map<number, (reply: Buffer) => void>();
  /** Origin side: blocking jobs in flight → their connection. */
  private readonly blockingJobs = new Map<number, { c: Client; t: number }>();
  /** Owner side: "origin:id" → the stand-in a blocking job waits as. */
  private readonly waiters = new Map<string, Client>();
  /** Asks thread t (held) to unblock a job of this thread (sync; CLIENT UNBLOCK). */
  private readonly unblockOn: (t: number, id: number, withError: boolean) => boolean;
  /** Drops a blocking job of this thread on thread t now (asked, so nothing can serve it after); false when this thread cannot ask now. */
  cancelOn: (t: number, id: number) => boolean = () => false;
  /** Owner side: "origin:id" of blocking jobs cancelled before they ran. */
  private readonly cancelled = new Set<string>();
  private nextId = 1;
  /** Jobs sent to other threads (hops out) and other threads' jobs run here (hops in); INFO shardis, /metrics. */
  sent = 0;
  ran = 0;
  /** Stand-in clients running other threads' jobs, one per origin. */
  private readonly standIns: (Client | null)[];
  /** Owner side, per origin: jobs behind one that waits (CLIENT PAUSE), run in order once it is done; null when none waits. */
  private readonly held: (Job[] | null)[];
  /** Rings with records written and not yet published, per kind and thread. */
  private readonly unsent: boolean[][];
  private scheduled = false;
  private draining = false;
  private closed = false;
  private readonly send = (): void => this.sendAll();

  constructor(
    state: ServerState<Client>,
    shared: SharedArrayBuffer,
    index: number,
    ports: (MessagePort | null)[],
    unblockOn: (t: number, id: number, withError: boolean) => boolean,
  ) {
    this.state = state;
    this.unblockOn = unblockOn;
    this.count = ports.length;
    this.me = index;
    this.rings = new JobRings(shared, ports.length, index, ports);
    this.standIns = ports.map(() => null);
    this.held = ports.map(() => null);
    this.unsent = [ports.map(() => false), ports.map(() => false)];
    for (const p of ports) p?.unref();
    this.rings.listen(() => this.drain());
  }

  /** Sends `args` (run as client `c` would: its db and protocol) to thread t; resolves once the reply is in c's buffer. */
  submit(c: Client, t: number, args: string[], blocking: boolean): Promise<void> {
    const id = this.nextId++;
    this.sent++;
    // nothing follows a blocking job at once: it may wait, and what comes after must not overtake it
    c.jobThread = blocking ? -1 : t;
    const job: Job = {
      id,
      seq: this.rings.nextSeq(),
      db: c.db,
      resp: c.resp,
      blocking,
      noTouch: c.noTouch,
      readonly: c.ext.readonly === true,
      asking: c.ext.askingNow === true,
      cid: c.id,
      addr: addressesFor(this.state, c, args),
      user: blocking ? c.user.name : '',
      args,
    };
    const n = jobSize(job.addr, args, job.user);
    this.write(RingKind.Jobs, t, n, job.seq, (to, off) => writeJob(to, off, n, job));
    // published at once: the owner may read it at its next checkpoint, before it is woken
    this.rings.out[RingKind.Jobs]![t]!.ring.publish();
    this.schedule();
    if (blocking) {
      this.blockingJobs.set(id, { c, t });
      // a connection that closes while its job waits takes nothing: the owner drops the waiter
      c.onClose.push(() => {
        // asked at once where it can be, so a push right after the close never serves the gone connection
        if (this.blockingJobs.delete(id) && !this.cancelOn(t, id)) {
          const seq = this.rings.nextSeq();
          this.write(RingKind.Jobs, t, EVENT_SIZE, seq, (to, off) => writeEvent(to, off, RecordKind.Cancel, id, seq));
          this.schedule();
        }
      });
    }
    return new Promise<void>((resolve) => {
      this.waiting.set(id, (reply) => {
        if (blocking && this.blockingJobs.delete(id)) {
          c.blocked = false;
          c.unblock = null;
        }
        if (!c.closed) c.reply.rawBuffer(reply);
        resolve();
      });
    });
  }

  /** Jobs sent from this thread whose replies have not come back yet. */
  get inFlight(): number {
    return this.waiting.size;
  }

  /** Writes a record of n bytes toward thread t (unpublished until sendAll). */
  private write(kind: RingKind, t: number, n: number, seq: number, fill: (to: RecordTarget, off: number) => void): void {
    const o = this.rings.out[kind]![t]!;
    const off = o.reserve(n);
    if (off >= 0) {
      fill(o.ring, off);
      o.ring.wrote(off, n);
    } else {
      const body = recordBuffer(n);
      fill(body, 0);
      o.spill(body, seq);
    }
    this.unsent[kind]![t] = true;
  }

  /** The owner reports a blocking job waiting: its connection shows as blocked (INFO, CLIENT LIST, CLIENT UNBLOCK). */
  private blockedThere(id: number): void {
    const job = this.blockingJobs.get(id);
    if (job === undefined) return;
    const { c, t } = job;
    c.blocked = true;
    c.unblock = (withError) => this.unblockOn(t, id, withError);
  }

  /** The thread and job a connection of this thread waits as, if it waits on another thread. */
  waitingElsewhere(c: Client): { t: number; id: number } | null {
    for (const [id, job] of this.blockingJobs) if (job.c === c) return { t: job.t, id };
    return null;
  }

  /** Owner side: CLIENT UNBLOCK of a job's connection on another thread. */
  unblockHere(from: number, id: number, withError: boolean): boolean {
    const w = this.waiters.get(from + ':' + id);
    return w !== undefined && w.unblock !== null && w.unblock(withError);
  }

  /** Drops a blocking job of thread `from` (its connection closed); one that has not run yet is dropped when it does. */
  cancelHere(from: number, id: number): boolean {
    const key = from + ':' + id;
    const w = this.waiters.get(key);
    if (w === undefined) {
      // asked over the link, or behind a job that waits: it has not run yet
      this.cancelled.add(key);
      return true;
    }
    this.waiters.delete(key);
    w.close();
    return true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.send);
  }

  /** Runs before replies leave for their connections' threads (the AOF writes what their commands wrote). */
  beforeAnswers: () => void = () => {};

  /** Publishes every ring written to since the last time, replies after beforeAnswers, and wakes their readers. */
  private sendAll(): void {
    this.scheduled = false;
    const replies = this.unsent[RingKind.Replies]!;
    if (replies.includes(true)) this.beforeAnswers();
    let waits = false;
    for (const k of [RingKind.Jobs, RingKind.Replies]) {
      const u = this.unsent[k]!;
      for (let t = 0; t < this.count; t++) {
        if (!u[t]) continue;
        u[t] = this.rings.send(k, t) ? false : (waits = true);
      }
    }
    // a full ring: try again shortly (its reader frees room as it reads)
    if (waits) setTimeout(() => this.schedule(), 1);
  }

  /** Reads every ring: replies for this thread's connections, then other threads' jobs in their send order. */
  drain(): void {
    if (this.draining || this.closed) return;
    this.draining = true;
    try {
      this.readReplies();
      this.runJobs();
    } finally {
      this.draining = false;
    }
    if (this.unsent[RingKind.Replies]!.includes(true)) this.sendAll();
  }

  private readReplies(): void {
    const inlets = this.rings.in[RingKind.Replies]!;
    for (let t = 0; t < this.count; t++) {
      const inlet = inlets[t];
      if (!inlet) continue;
      const r = inlet.ring;
      let off = r.peek();
      if (off < 0) continue;
      for (; off >= 0; off = r.peek()) {
        let rec: RecordTarget = r;
        let at = off;
        if (recordKind(r, off) === RecordKind.Big) {
          rec = inlet.body(recordId(r, off));
          at = 0;
        }
        const id = recordId(rec, at);
        if (recordKind(rec, at) === RecordKind.Blocked) this.blockedThere(id);
        else {
          const done = this.waiting.get(id)!;
          this.waiting.delete(id);
          done(replyBytes(rec, at));
        }
        r.skip();
      }
      r.release();
    }
  }

  private runJobs(): void {
    const inlets = this.rings.in[RingKind.Jobs]!;
    const next = new Array<number>(this.count).fill(-1);
    for (let t = 0; t < this.count; t++) if (inlets[t]) next[t] = inlets[t]!.ring.peek();
    for (;;) {
      // the earliest sent first
      let from = -1;
      let seq = 0;
      for (let t = 0; t < this.count; t++) {
        const off = next[t]!;
        if (off < 0) continue;
        const s = recordSeq(inlets[t]!.ring, off);
        if (from < 0 || ((s - seq) | 0) < 0) {
          from = t;
          seq = s;
        }
      }
      if (from < 0) break;
      const inlet = inlets[from]!;
      const r = inlet.ring;
      let rec: RecordTarget = r;
      let at = next[from]!;
      if (recordKind(r, at) === RecordKind.Big) {
        rec = inlet.body(recordId(r, at));
        at = 0;
      }
      if (recordKind(rec, at) === RecordKind.Cancel) this.cancelJob(from, recordId(rec, at));
      else this.take(from, readJob(rec, at));
      r.skip();
      next[from] = r.peek();
    }
    for (let t = 0; t < this.count; t++) inlets[t]?.ring.release();
  }

  /** A job from thread `from`: run now, or after the one of that thread that waits. */
  private take(from: number, job: Job): void {
    this.ran++;
    const q = this.held[from]!;
    if (q !== null) q.push(job);
    else this.runJob(from, job);
  }

  private cancelJob(from: number, id: number): void {
    const q = this.held[from];
    const i = q ? q.findIndex((j) => j.id === id) : -1;
    if (i >= 0) q!.splice(i, 1);
    else this.cancelHere(from, id);
  }

  private runJob(from: number, job: Job): void {
    if (job.blocking) return this.runBlocking(from, job);
    let c = this.standIns[from]!;
    if (c === null) this.standIns[from] = c = new Client(this.state, null);
    c.db = job.db;
    c.reply.resp = job.resp;
    c.noTouch = job.noTouch;
    standInAs(c, job);
    c.ext.originId = job.cid;
    const r = execute(c, job.args);
    if (r === undefined) return this.answerFrom(c, from, job.id);
    // a command that waits (CLIENT PAUSE) holds up the jobs behind it, as it would their connections
    this.held[from] = [];
    void r.then(() => {
      this.answerFrom(c, from, job.id);
      const q = this.held[from]!;
      this.held[from] = null;
      while (q.length > 0) {
        this.runJob(from, q.shift()!);
        const again = this.held[from] as Job[] | null;
        if (again !== null) {
          again.push(...q);
          break;
        }
      }
      this.schedule();
    });
  }

  /**
   * A blocking command of another thread's connection, run here where its
   * keys are: it waits, if it must, among this thread's waiters in the order
   * they came (first blocked, first served), as a stand-in of its own.
   */
  private runBlocking(from: number, job: Job): void {
    if (this.cancelled.delete(from + ':' + job.id)) return;
    const w = new Client(this.state, null);
    w.ext.originId = job.cid;
    w.db = job.db;
    w.reply.resp = job.resp;
    w.noTouch = job.noTouch;
    standInAs(w, job);
    // as its connection's user: a waiter is checked again before it is served
    const user = job.user === '' ? undefined : this.state.acl.users.get(job.user);
    if (user !== undefined) w.user = user;
    const r = execute(w, job.args);
    if (r === undefined) return this.answerFrom(w, from, job.id);
    this.waiters.set(from + ':' + job.id, w);
    this.write(RingKind.Replies, from, EVENT_SIZE, 0, (to, off) => writeEvent(to, off, RecordKind.Blocked, job.id, 0));
    this.schedule();
    void r.then(() => {
      this.waiters.delete(from + ':' + job.id);
      // a cancelled waiter (its connection closed) answers nothing
      if (w.closed) return;
      this.answerFrom(w, from, job.id);
      this.schedule();
    });
  }

  /** Writes client c's reply as job `id`'s answer for thread `from`, and empties c's buffer. */
  private answerFrom(c: Client, from: number, id: number): void {
    const len = c.reply.len;
    const n = replySize(len);
    this.write(RingKind.Replies, from, n, 0, (to, off) => writeReply(to, off, n, id, c.reply.buf, len));
    c.reply.len = 0;
    c.reply.pushEnd = 0;
  }

  close(): void {
    this.closed = true;
    this.rings.close();
  }
}
