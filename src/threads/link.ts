/**
 * The synchronous link between the threads of one server (docs/threads.md).
 *
 * Work that reaches keys of another thread's shards runs under one global
 * lock. Its holder *holds* each thread it needs: that thread stops between
 * two of its own jobs and serves the holder's requests (fetch a key, count
 * keys, apply write-backs …) synchronously until the holder releases it.
 * A held thread runs nothing else, so the holder's command sees and changes
 * every key it touches at one point in time: atomic and isolated, as one
 * thread would run it. Only the lock's holder holds anyone, so two threads
 * never wait for each other; a thread waiting for the lock keeps serving the
 * holder meanwhile.
 *
 * Transport: a MessagePort per pair of threads for the messages and one
 * SharedArrayBuffer of Int32 words, `ctrl`:
 *   [0]      the lock: 0 free, else the holder's index + 1
 *   [1 + count]  set once the server is shutting down (link.closing)
 *   [2 + count + w]  shared word w (SHARED below: the busy script,
 *            busy-word.ts; the background save; …)
 *   [1 + t]  thread t's doorbell, bumped (and notified) after every message
 *            to t and whenever the lock is freed; t sleeps in Atomics.wait
 *            on it while it waits, and reads its port with
 *            receiveMessageOnPort.
 * A thread idle in its event loop learns of a hold through the port's
 * 'message' event.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { BUSY_DESC_BYTES, BusyWord } from './busy-word.ts';

/** The shared Int32 words of the ctrl buffer (SHARED), every thread's view. */
export class SharedWords {
  private readonly ctrl: Int32Array;
  private readonly base: number;

  private readonly count: number;

  constructor(ctrl: Int32Array, count: number) {
    this.ctrl = ctrl;
    this.base = 2 + count;
    this.count = count;
  }

  /** The word of thread t in a per-thread block (SHARED.CHANGES, SHARED.MEMORY). */
  of(block: number, t: number): number {
    return FIXED_WORDS + (block - FIXED_WORDS) * this.count + t;
  }

  load(w: number): number {
    return Atomics.load(this.ctrl, this.base + w);
  }

  store(w: number, v: number): void {
    Atomics.store(this.ctrl, this.base + w, v);
  }

  /** Compare-and-swap; true when the word was `from` and is now `to`. */
  cas(w: number, from: number, to: number): boolean {
    return Atomics.compareExchange(this.ctrl, this.base + w, from, to) === from;
  }

  /** Adds n; the value before. */
  add(w: number, n: number): number {
    return Atomics.add(this.ctrl, this.base + w, n);
  }
}

/** A request to a held thread; `op` names what to do. */
export interface LinkRequest {
  op: string;
  [field: string]: unknown;
}

/** Runs a request on the held thread; the result is sent back (release's is dropped). */
export type LinkServe = (req: LinkRequest, from: number) => unknown;

/** What each thread gets to build its link. */
export interface LinkInit {
  index: number;
  count: number;
  ctrl: SharedArrayBuffer;
  /** ports[t]: this thread's end of its channel with thread t (null for itself). */
  ports: (MessagePort | null)[];
}

const LOCK = 0;

/**
 * The shared words after the doorbells and `closing`. CHANGES and the
 * words after it are blocks of one word per thread: SharedWords.of(block, t).
 */
export const SHARED = {
  BUSY: 0, BGSAVE: 1, SYNC_SAVES: 2, MONITORS: 3, SLOWLOG_IDS: 4, TRACKERS: 5, REWRITE: 6, CLIENT_SEQ: 7,
  REPL_SEQ: 8, REPL_HUBS: 9, REPL_UP: 10, ACL_LOG_IDS: 11,
  CHANGES: 12, MEMORY: 13, THREAD_MONITORS: 14, THREAD_TRACKERS: 15, REPL_HUB: 16, FEED_SEQ: 17,
  /** The first of REPL_ACK_WORDS blocks: a thread's replicas' last acknowledgements (unix seconds, 0 for none). */
  REPL_ACKS: 18,
} as const;
/** Replicas per thread whose acknowledgements the others see (min-replicas-to-write). */
export const REPL_ACK_WORDS = 8;
/** Words before the per-thread blocks. */
const FIXED_WORDS = 12;
const BLOCKS = 6 + REPL_ACK_WORDS;
/** Longest single sleep in a wait loop (ms): waits re-check their condition after it. */
const NAP_MS = 50;

export class ThreadLink {
  readonly index: number;
  readonly count: number;
  private readonly ctrl: Int32Array;
  private readonly ports: (MessagePort | null)[];
  private readonly held: boolean[];
  /** The script past busy-reply-threshold on any thread. */
  readonly busy: BusyWord;
  /** Words every thread reads and writes (SHARED). */
  readonly words: SharedWords;
  private heldCount = 0;
  private locked = false;
  private serve: LinkServe = () => {
    throw new Error('thread link: no request handler');
  };

  constructor(init: LinkInit) {
    this.index = init.index;
    this.count = init.count;
    this.ctrl = new Int32Array(init.ctrl);
    this.ports = init.ports;
    this.held = new Array<boolean>(init.count).fill(false);
    this.busy = new BusyWord(this.ctrl, 2 + init.count + SHARED.BUSY, init.index, ThreadLink.wordBytes(init.count));
    this.words = new SharedWords(this.ctrl, init.count);
    for (let t = 0; t < this.ports.length; t++) {
      const p = this.ports[t];
      if (!p) continue;
      // a hold that finds this thread idle in its event loop
      p.on('message', (m: LinkRequest) => this.onIdleMessage(t, m));
      p.unref();
    }
  }

  /** Makes a ctrl buffer for `count` threads. */
  static ctrlBuffer(count: number): SharedArrayBuffer {
    return new SharedArrayBuffer(ThreadLink.wordBytes(count) + BUSY_DESC_BYTES);
  }

  /** Bytes of the ctrl buffer's Int32 words (the busy script's description follows). */
  private static wordBytes(count: number): number {
    return 4 * (2 + count + FIXED_WORDS + BLOCKS * count);
  }


  /** Sets what this thread does with the requests of the thread holding it. */
  onRequest(serve: LinkServe): void {
    this.serve = serve;
  }

  /**
   * The server is shutting down: threads close one by one, so nobody may be
   * held any more (what a closing connection would tell another thread, such
   * as dropping its interest in a key, no longer matters).
   */
  get closing(): boolean {
    return Atomics.load(this.ctrl, 1 + this.count) !== 0;
  }

  /** Marks the server as shutting down, for every thread. */
  startClosing(): void {
    Atomics.store(this.ctrl, 1 + this.count, 1);
  }

  /** Whether another thread holds this one now (this thread may then ask no one: the holder has the lock). */
  get beingHeld(): boolean {
    return this.heldBy >= 0;
  }

  private heldBy = -1;

  /** Whether this thread holds the lock now. */
  get holding(): boolean {
    return this.locked;
  }

  /** Takes the global lock (re-entrant until release()), serving the holder while it waits. */
  lock(): void {
    if (this.locked) return;
    const me = this.index + 1;
    for (;;) {
      const seen = Atomics.load(this.ctrl, 1 + this.index);
      if (Atomics.compareExchange(this.ctrl, LOCK, 0, me) === 0) {
        this.locked = true;
        return;
      }
      if (this.serveHolder()) continue;
      Atomics.wait(this.ctrl, 1 + this.index, seen, NAP_MS);
    }
  }

  /** Sends a request to thread t (held first), returning its reply. Needs the lock. */
  request(t: number, req: LinkRequest): unknown {
    this.hold(t);
    this.send(t, req);
    const m = this.receive(t) as { r: unknown; err?: string };
    if (m.err !== undefined) throw new Error(`thread ${t}: ${m.err}`);
    return m.r;
  }

  /**
   * Runs before another thread can see this thread's latest changes (it is
   * held, or this thread releases it): the AOF writes this thread's buffer,
   * so the file's order is one the threads could have run in.
   */
  beforeOthersSee: () => void = () => {};

  /** Sends every held thread its release (with `extra[t]`'s fields), then frees the lock. */
  release(extra?: (t: number) => Record<string, unknown> | undefined): void {
    if (!this.locked) return;
    this.beforeOthersSee();
    for (let t = 0; t < this.count && this.heldCount > 0; t++) {
      if (!this.held[t]) continue;
      this.held[t] = false;
      this.heldCount--;
      // no answer awaited: t applies it before it serves anyone else
      this.send(t, { op: 'release', ...extra?.(t) });
    }
    this.locked = false;
    Atomics.store(this.ctrl, LOCK, 0);
    for (let t = 0; t < this.count; t++) if (t !== this.index) this.ring(t);
  }

  /** Releases thread t alone, keeping the lock (a long script that borrowed nothing of t's). */
  letGo(t: number): void {
    if (!this.held[t]) return;
    this.beforeOthersSee();
    this.held[t] = false;
    this.heldCount--;
    this.send(t, { op: 'release' });
  }

  private hold(t: number): void {
    if (t === this.index) throw new Error('thread link: a thread cannot hold itself');
    if (!this.locked) throw new Error('thread link: hold without the lock');
    if (this.held[t]) return;
    this.send(t, { op: 'hold' });
    const m = this.receive(t) as LinkRequest;
    if (m.op !== 'held') throw new Error(`thread link: thread ${t} answered ${m.op} to a hold`);
    this.held[t] = true;
    this.heldCount++;
  }

  private send(t: number, m: LinkRequest): void {
    this.ports[t]!.postMessage(m);
    this.ring(t);
  }

  private ring(t: number): void {
    Atomics.add(this.ctrl, 1 + t, 1);
    Atomics.notify(this.ctrl, 1 + t);
  }

  /** Waits for the next message from thread t. */
  private receive(t: number): unknown {
    const port = this.ports[t]!;
    for (;;) {
      const seen = Atomics.load(this.ctrl, 1 + this.index);
      const m = receiveMessageOnPort(port);
      if (m !== undefined) {
        const msg = m.message as LinkRequest;
        if (msg.notice === true) {
          this.defer(msg);
          continue;
        }
        return msg;
      }
      Atomics.wait(this.ctrl, 1 + this.index, seen, NAP_MS);
    }
  }

  /** While waiting for the lock: serves the holder if it sent a hold; true if it did. */
  private serveHolder(): boolean {
    const h = Atomics.load(this.ctrl, LOCK) - 1;
    if (h < 0 || h === this.index) return false;
    const m = receiveMessageOnPort(this.ports[h]!);
    if (m === undefined) return false;
    const msg = m.message as LinkRequest;
    if (msg.notice === true) this.defer(msg);
    else this.beHeld(h, msg);
    return true;
  }

  private onIdleMessage(from: number, m: LinkRequest): void {
    if (m.notice === true) this.onNotice(m);
    else this.beHeld(from, m);
  }

  /**
   * Sets what this thread does with notices: one-way messages another thread
   * sends whenever it likes (a key others wait on changed …), handled in the
   * event loop, never inside a hold.
   */
  onNotices(fn: (m: LinkRequest) => void): void {
    this.onNotice = fn;
  }

  /** Sends thread t a notice (no answer; t handles it in its event loop). */
  notice(t: number, m: LinkRequest): void {
    this.ports[t]!.postMessage({ ...m, notice: true });
  }

  private onNotice: (m: LinkRequest) => void = () => {};
  /** Notices met while waiting for something else, in arrival order. */
  private deferred: LinkRequest[] = [];
  private readonly runDeferred = (): void => {
    const list = this.deferred;
    this.deferred = [];
    for (const m of list) this.onNotice(m);
  };

  /** A notice met while waiting for something else: handled once the event loop runs again (or by catchUp). */
  private defer(m: LinkRequest): void {
    if (this.deferred.length === 0) setImmediate(this.runDeferred);
    this.deferred.push(m);
  }

  /**
   * Handles now every notice that has reached this thread: those met while
   * waiting and those still in the ports. With the senders held, nothing
   * they did before is left unheard.
   */
  catchUp(): void {
    this.runDeferred();
    for (const p of this.ports) {
      if (!p) continue;
      for (let m = receiveMessageOnPort(p); m !== undefined; m = receiveMessageOnPort(p)) {
        const msg = m.message as LinkRequest;
        if (msg.notice !== true) throw new Error(`thread link: ${msg.op} outside a hold`);
        this.onNotice(msg);
      }
    }
  }

  /**
   * Handles now the notices of the kinds in `ops` that have reached this
   * thread (met while waiting, or still in the ports of threads other than
   * its holder); the others stay for the event loop, in order. Safe inside a
   * hold: only the holder sends requests, and it waits for this one's answer.
   */
  takeNotices(ops: ReadonlySet<string>, handle: (m: LinkRequest) => void): void {
    const keep: LinkRequest[] = [];
    const mine: LinkRequest[] = [];
    for (const m of this.deferred) (ops.has(m.op) ? mine : keep).push(m);
    this.deferred = keep;
    for (const m of mine) handle(m);
    for (let t = 0; t < this.ports.length; t++) {
      const p = this.ports[t];
      if (!p || t === this.heldBy) continue;
      for (let m = receiveMessageOnPort(p); m !== undefined; m = receiveMessageOnPort(p)) {
        const msg = m.message as LinkRequest;
        if (msg.notice !== true) throw new Error(`thread link: ${msg.op} outside a hold`);
        if (ops.has(msg.op)) handle(msg);
        else this.defer(msg);
      }
    }
  }

  /** Serves thread h, which holds this one, until it releases it. */
  private beHeld(h: number, first: LinkRequest): void {
    if (first.op !== 'hold') throw new Error(`thread link: thread ${h} sent ${first.op} without a hold`);
    const port = this.ports[h]!;
    // what this thread wrote so far goes to the AOF before anything the holder writes (docs/threads.md)
    this.beforeOthersSee();
    this.send(h, { op: 'held' });
    this.heldBy = h;
    try {
      this.serveUntilReleased(h, port);
    } finally {
      this.heldBy = -1;
    }
  }

  private serveUntilReleased(h: number, port: MessagePort): void {
    for (;;) {
      const seen = Atomics.load(this.ctrl, 1 + this.index);
      const m = receiveMessageOnPort(port);
      if (m === undefined) {
        Atomics.wait(this.ctrl, 1 + this.index, seen, NAP_MS);
        continue;
      }
      const req = m.message as LinkRequest;
      if (req.notice === true) {
        this.defer(req);
        continue;
      }
      if (req.op === 'release') {
        this.serve(req, h);
        // what the write-backs changed goes on (feeds) before this thread runs anything else
        this.beforeOthersSee();
        return;
      }
      try {
        const r = this.serve(req, h);
        // what serving it wrote (a key that expired as it was fetched) comes before the holder's next write
        this.beforeOthersSee();
        this.send(h, { op: 'reply', r });
      } catch (e) {
        this.send(h, { op: 'reply', err: e instanceof Error ? e.message : String(e) });
      }
    }
  }

  close(): void {
    for (const p of this.ports) p?.close();
  }
}
