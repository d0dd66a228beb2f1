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

interface JobBatch {
  op: 'jobs';
  ids: number[];
  dbs: number[];
  resps: (2 | 3)[];
  args: string[][];
}

interface ReplyBatch {
  op: 'replies';
  ids: number[];
  /** Each job's reply bytes (latin1). */
  replies: string[];
}

export class Jobs {
  private readonly state: ServerState;
  private readonly ports: (MessagePort | null)[];
  /** Jobs to send, per destination thread. */
  private readonly outbox: (JobBatch | null)[];
  /** Replies to send, per origin thread. */
  private readonly answers: (ReplyBatch | null)[];
  private readonly waiting = new Map<number, (reply: string) => void>();
  private nextId = 1;
  private scheduled = false;
  /** Stand-in clients running other threads' jobs, one per origin; the jobs of a batch run one after another. */
  private readonly standIns: (Client | null)[];
  private readonly chains: Promise<void>[];
  private readonly send = (): void => this.sendAll();

  constructor(state: ServerState, ports: (MessagePort | null)[]) {
    this.state = state;
    this.ports = ports;
    this.outbox = ports.map(() => null);
    this.answers = ports.map(() => null);
    this.standIns = ports.map(() => null);
    this.chains = ports.map(() => Promise.resolve());
    for (let t = 0; t < ports.length; t++) {
      const p = ports[t];
      if (!p) continue;
      p.on('message', (m: JobBatch | ReplyBatch) => (m.op === 'jobs' ? this.run(t, m) : this.replied(m)));
      p.unref();
    }
  }

  /** Sends `args` (run as client `c` would: its db and protocol) to thread t; resolves once the reply is in c's buffer. */
  submit(c: Client, t: number, args: string[]): Promise<void> {
    const id = this.nextId++;
    c.jobThread = t;
    let b = this.outbox[t]!;
    if (b === null) this.outbox[t] = b = { op: 'jobs', ids: [], dbs: [], resps: [], args: [] };
    b.ids.push(id);
    b.dbs.push(c.db);
    b.resps.push(c.resp);
    b.args.push(args);
    this.schedule();
    return new Promise<void>((resolve) => {
      this.waiting.set(id, (reply) => {
        if (!c.closed) c.reply.raw(reply);
        resolve();
      });
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.send);
  }

  private sendAll(): void {
    this.scheduled = false;
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
    const replies: string[] = [];
    for (let i = 0; i < b.ids.length; i++) {
      c.db = b.dbs[i]!;
      c.reply.resp = b.resps[i]!;
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
      a.ids.push(b.ids[i]!);
      a.replies.push(replies[i]!);
    }
    this.schedule();
  }

  close(): void {
    for (const p of this.ports) p?.close();
  }
}
