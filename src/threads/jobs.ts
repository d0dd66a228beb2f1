/**
 * Commands on another thread's keys, run by their owner as jobs
 * (docs/threads.md, "Jobs"). A command whose keys all belong to one other
 * thread is not borrowed under the global lock: its thread sends it to the
 * owner, which runs it in its own order for a stand-in client and sends the
 * reply bytes back. Jobs and their replies travel in batches, one message per
 * destination per turn of the event loop (setImmediate), on a channel of
 * their own that nobody reads synchronously, so they stay in order.
 *
 * Bound: a connection has at most one job in flight (it reads no further
 * request until the reply is back, as for a blocked command), so the jobs in
 * flight never outnumber the connections.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ServerState } from '../server/server-state.ts';
import { Client } from '../server/client.ts';
import { execute } from '../server/dispatch.ts';
import { monitoring } from '../server/monitor.ts';

interface JobBatch {
  op: 'jobs';
  ids: number[];
  dbs: number[];
  resps: (2 | 3)[];
  args: string[][];
  /** Blocking commands: each runs for a stand-in of its own, and may wait on the owner. */
  blocking: boolean[];
  /** While some thread has a MONITOR: each job's connection address, for its MONITOR line. */
  addrs?: string[];
  /** Each job's connection id (NOLOOP tracking on other threads skips its own writes). */
  cids: number[];
}

/** A blocking job that is waiting on its owner ('blocked'), or whose connection closed ('cancel'). */
interface JobEvent {
  op: 'blocked' | 'cancel';
  id: number;
}

interface ReplyBatch {
  op: 'replies';
  ids: number[];
  /** Each job's reply bytes (latin1). */
  replies: string[];
}

export class Jobs {
  private readonly state: ServerState<Client>;
  private readonly ports: (MessagePort | null)[];
  /** Jobs to send, per destination thread. */
  private readonly outbox: (JobBatch | null)[];
  /** Replies to send, per origin thread. */
  private readonly answers: (ReplyBatch | null)[];
  private readonly waiting = new Map<number, (reply: string) => void>();
  /** Origin side: blocking jobs in flight → their connection. */
  private readonly blockingJobs = new Map<number, { c: Client; t: number }>();
  /** Owner side: "origin:id" → the stand-in a blocking job waits as. */
  private readonly waiters = new Map<string, Client>();
  /** Asks thread t (held) to unblock a job of this thread (sync; CLIENT UNBLOCK). */
  private readonly unblockOn: (t: number, id: number, withError: boolean) => boolean;
  /** Drops a blocking job of this thread on thread t now (asked, so nothing can serve it after); false when this thread cannot ask now. */
  cancelOn: (t: number, id: number) => boolean = () => false;
  /** Owner side: "origin:id" of blocking jobs cancelled before they arrived. */
  private readonly cancelled = new Set<string>();
  private nextId = 1;
  private scheduled = false;
  /** Stand-in clients running other threads' jobs, one per origin; the jobs of a batch run one after another. */
  private readonly standIns: (Client | null)[];
  private readonly chains: Promise<void>[];
  private readonly send = (): void => this.sendAll();

  constructor(state: ServerState<Client>, ports: (MessagePort | null)[], unblockOn: (t: number, id: number, withError: boolean) => boolean) {
    this.state = state;
    this.unblockOn = unblockOn;
    this.ports = ports;
    this.outbox = ports.map(() => null);
    this.answers = ports.map(() => null);
    this.standIns = ports.map(() => null);
    this.chains = ports.map(() => Promise.resolve());
    for (let t = 0; t < ports.length; t++) {
      const p = ports[t];
      if (!p) continue;
      p.on('message', (m: JobBatch | ReplyBatch | JobEvent) => {
        if (m.op === 'jobs') this.run(t, m);
        else if (m.op === 'replies') this.replied(m);
        else if (m.op === 'blocked') this.blockedThere(m.id);
        else this.cancelHere(t, m.id, false);
      });
      p.unref();
    }
  }

  /** Sends `args` (run as client `c` would: its db and protocol) to thread t; resolves once the reply is in c's buffer. */
  submit(c: Client, t: number, args: string[], blocking: boolean): Promise<void> {
    const id = this.nextId++;
    // nothing follows a blocking job at once: it may wait, and what comes after must not overtake it
    c.jobThread = blocking ? -1 : t;
    let b = this.outbox[t]!;
    if (b === null) this.outbox[t] = b = { op: 'jobs', ids: [], dbs: [], resps: [], args: [], blocking: [], cids: [] };
    b.ids.push(id);
    b.dbs.push(c.db);
    b.resps.push(c.resp);
    b.args.push(args);
    b.blocking.push(blocking);
    b.cids.push(c.id);
    if (monitoring(this.state)) (b.addrs ??= new Array<string>(b.ids.length - 1).fill(''))[b.ids.length - 1] = c.addr;
    else if (b.addrs !== undefined) b.addrs.push('');
    this.schedule();
    if (blocking) {
      this.blockingJobs.set(id, { c, t });
      // a connection that closes while its job waits takes nothing: the owner drops the waiter
      c.onClose.push(() => {
        // asked at once where it can be, so a push right after the close never serves the gone connection
        if (this.blockingJobs.delete(id) && !this.cancelOn(t, id)) this.ports[t]!.postMessage({ op: 'cancel', id } satisfies JobEvent);
      });
    }
    return new Promise<void>((resolve) => {
      this.waiting.set(id, (reply) => {
        if (blocking && this.blockingJobs.delete(id)) {
          c.blocked = false;
          c.unblock = null;
        }
        if (!c.closed) c.reply.raw(reply);
        resolve();
      });
    });
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

  /** Drops a blocking job of thread `from` (its connection closed); one that has not arrived yet is dropped when it does. */
  cancelHere(from: number, id: number, early = true): boolean {
    const key = from + ':' + id;
    const w = this.waiters.get(key);
    if (w === undefined) {
      // asked over the link, it may overtake its job; sent after it on the job channel, the job has ended
      if (early) this.cancelled.add(key);
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

  private sendAll(): void {
    this.scheduled = false;
    if (this.answers.some((a) => a !== null)) this.beforeAnswers();
    for (let t = 0; t < this.ports.length; t++) {
      const b = this.outbox[t];
      if (b) {
        this.outbox[t] = null;
        this.ports[t]!.postMessage(b);
      }
      const a = this.answers[t];
      if (a) {
        this.answers[t] = null;
        this.ports[t]!.postMessage(a);
      }
    }
  }

  private replied(m: ReplyBatch): void {
    for (let i = 0; i < m.ids.length; i++) {
      const done = this.waiting.get(m.ids[i]!)!;
      this.waiting.delete(m.ids[i]!);
      done(m.replies[i]!);
    }
  }

  /** Runs a batch from thread `from` in order (after its earlier batches) and queues the replies. */
  private run(from: number, b: JobBatch): void {
    this.chains[from] = this.chains[from]!.then(() => this.runBatch(from, b));
  }

  private async runBatch(from: number, b: JobBatch): Promise<void> {
    let c = this.standIns[from]!;
    if (c === null) this.standIns[from] = c = new Client(this.state, null);
    const replies: (string | null)[] = [];
    for (let i = 0; i < b.ids.length; i++) {
      if (b.blocking[i]!) {
        replies.push(null);
        this.runBlocking(from, b.ids[i]!, b.dbs[i]!, b.resps[i]!, b.args[i]!, b.cids[i]!);
        continue;
      }
      c.db = b.dbs[i]!;
      c.reply.resp = b.resps[i]!;
      c.ext.monitorAddr = b.addrs?.[i] || undefined;
      c.ext.originId = b.cids[i];
      const r = execute(c, b.args[i]!);
      // a command that waits (CLIENT PAUSE) holds up the jobs behind it, as it would their connections
      if (r !== undefined) await r;
      replies.push(c.reply.buf.latin1Slice(0, c.reply.len));
      c.reply.len = 0;
      c.reply.pushEnd = 0;
    }
    let a = this.answers[from]!;
    if (a === null) this.answers[from] = a = { op: 'replies', ids: [], replies: [] };
    for (let i = 0; i < b.ids.length; i++) {
      if (replies[i] === null) continue;
      a.ids.push(b.ids[i]!);
      a.replies.push(replies[i]!);
    }
    this.schedule();
  }

  /**
   * A blocking command of another thread's connection, run here where its
   * keys are: it waits, if it must, among this thread's waiters in the order
   * they came (first blocked, first served), as a stand-in of its own.
   */
  private runBlocking(from: number, id: number, db: number, resp: 2 | 3, args: string[], cid: number): void {
    if (this.cancelled.delete(from + ':' + id)) return;
    const w = new Client(this.state, null);
    w.ext.originId = cid;
    w.db = db;
    w.reply.resp = resp;
    const done = (): void => {
      this.waiters.delete(from + ':' + id);
      this.answer(from, id, w.reply.buf.latin1Slice(0, w.reply.len));
    };
    const r = execute(w, args);
    if (r === undefined) return done();
    this.waiters.set(from + ':' + id, w);
    this.ports[from]!.postMessage({ op: 'blocked', id } satisfies JobEvent);
    void r.then(() => {
      // a cancelled waiter (its connection closed) answers nothing
      if (!w.closed) done();
    });
  }

  private answer(from: number, id: number, reply: string): void {
    let a = this.answers[from]!;
    if (a === null) this.answers[from] = a = { op: 'replies', ids: [], replies: [] };
    a.ids.push(id);
    a.replies.push(reply);
    this.schedule();
  }

  close(): void {
    for (const p of this.ports) p?.close();
  }
}
