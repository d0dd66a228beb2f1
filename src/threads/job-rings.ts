/**
 * The shared memory that jobs and their replies cross threads in
 * (docs/threads.md, "Jobs"): for each ordered pair of threads a job ring and
 * a reply ring (ByteRing), a doorbell word per thread, and the server-wide
 * job sequence that orders jobs from different threads.
 *
 * A thread that sleeps waits on its doorbell (Atomics.waitAsync, so its event
 * loop keeps serving sockets). A writer rings it only when what it published
 * has not been read yet; a thread that is awake reads its rings at its own
 * checkpoints (before running a connection's requests) and keeps its
 * doorbell rung until the end of the turn, so a busy thread is not woken.
 *
 * A record too big for a ring (over a quarter of it) travels whole on the
 * pair's MessagePort, read synchronously when its marker comes up; one that
 * finds its ring full waits in the writer's backlog, which goes first when
 * room frees up. Either way the order holds.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { ByteRing, RING_CTL_WORDS } from './byte-ring.ts';
import { EVENT_SIZE, RecordKind, recordBuffer, recordView, writeEvent, type RecordTarget } from './job-records.ts';

/** Int32 words between the doorbells (each on a 64-byte line of its own). */
const LINE = 16;
const SEQ = 0;
const RINGS = 2;

const capacityFor = (count: number): number => Math.max(16384, Math.min(65536, 2 ** Math.floor(Math.log2((8 << 20) / (RINGS * count * count)))));
const ctlWords = (count: number): number => LINE * (1 + count) + RINGS * count * count * RING_CTL_WORDS;

export const RingKind = { Jobs: 0, Replies: 1 } as const;
export type RingKind = (typeof RingKind)[keyof typeof RingKind];

/** Atomics.waitAsync (ES2024; not in this project's TypeScript lib). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

interface BigBody {
  big: number;
  bytes: Uint8Array;
}

/** The writing end of one ring, toward thread `to`. */
export class Outlet {
  readonly ring: ByteRing;
  private readonly port: MessagePort;
  /** Records waiting for room, in order, after everything in the ring. */
  private backlog: RecordTarget[] | null = null;
  private nextBig = 1;
  private readonly bigAt: number;

  constructor(ring: ByteRing, port: MessagePort) {
    this.ring = ring;
    this.port = port;
    this.bigAt = ring.capacity >> 2;
  }

  /** Where a record of n bytes can be written in the ring now, or -1: then write it to a recordBuffer and hand that to spill(). */
  reserve(n: number): number {
    if (this.backlog !== null || n > this.bigAt) return -1;
    return this.ring.alloc(n);
  }

  /** A record that reserve() had no place for; `seq` is its send order (jobs). */
  spill(body: RecordTarget, seq: number): void {
    if (body.buf.length > this.bigAt) {
      const big = this.nextBig++;
      this.port.postMessage({ big, bytes: body.buf } satisfies BigBody);
      body = recordBuffer(EVENT_SIZE);
      writeEvent(body, 0, RecordKind.Big, big, seq);
    }
    (this.backlog ??= []).push(body);
    this.pump();
  }

  /** Moves what waits in the backlog into the ring while it fits; false when some still waits. */
  pump(): boolean {
    const q = this.backlog;
    if (q === null) return true;
    let i = 0;
    for (; i < q.length; i++) {
      const n = q[i]!.buf.length;
      const off = this.ring.alloc(n);
      if (off < 0) break;
      q[i]!.buf.copy(this.ring.buf, off);
      this.ring.wrote(off, n);
    }
    if (i === q.length) this.backlog = null;
    else q.splice(0, i);
    return this.backlog === null;
  }
}

/** The reading end of one ring, from thread `from`. */
export class Inlet {
  readonly ring: ByteRing;
  private readonly port: MessagePort;
  /** Big bodies that came up on the port before their marker was read (the port carries both rings' bodies). */
  private readonly early = new Map<number, Uint8Array>();

  constructor(ring: ByteRing, port: MessagePort) {
    this.ring = ring;
    this.port = port;
  }

  /** The body of Big record `big` (already on the port: it was posted before its marker). */
  body(big: number): RecordTarget {
    let u = this.early.get(big);
    if (u !== undefined) this.early.delete(big);
    while (u === undefined) {
      const m = receiveMessageOnPort(this.port)!.message as BigBody;
      if (m.big === big) u = m.bytes;
      else this.early.set(m.big, m.bytes);
    }
    return recordView(u);
  }
}

export class JobRings {
  readonly count: number;
  readonly index: number;
  private readonly ctl: Int32Array;
  /** [kind][t]: toward thread t (null for this thread). */
  readonly out: (Outlet | null)[][];
  /** [kind][t]: from thread t. */
  readonly in: (Inlet | null)[][];
  private closed = false;
  private onBell: () => void = () => {};
  private settling = false;

  static buffer(count: number): SharedArrayBuffer {
    return new SharedArrayBuffer(ctlWords(count) * 4 + RINGS * count * count * capacityFor(count));
  }

  /** Thread `index`'s view of `sab`; ports[t] is its end of the channel with thread t, which carries Big bodies (never read any other way). */
  constructor(sab: SharedArrayBuffer, count: number, index: number, ports: (MessagePort | null)[]) {
    this.count = count;
    this.index = index;
    this.ctl = new Int32Array(sab, 0, ctlWords(count));
    const cap = capacityFor(count);
    const ring = (kind: number, from: number, to: number): ByteRing => {
      const r = (kind * count + from) * count + to;
      return new ByteRing(this.ctl, LINE * (1 + count) + r * RING_CTL_WORDS, sab, ctlWords(count) * 4 + r * cap, cap);
    };
    this.out = [];
    this.in = [];
    for (let k = 0; k < RINGS; k++) {
      this.out.push(ports.map((p, t) => (p === null || t === index ? null : new Outlet(ring(k, index, t), p))));
      this.in.push(ports.map((p, t) => (p === null || t === index ? null : new Inlet(ring(k, t, index), p))));
    }
  }

  /** The next job's place in the server-wide send order. */
  nextSeq(): number {
    return Atomics.add(this.ctl, SEQ, 1);
  }

  /** Publishes what was written toward t on `kind` (backlog first) and wakes t if it has not read it; false while some waits for room. */
  send(kind: RingKind, t: number): boolean {
    const o = this.out[kind]![t]!;
    const all = o.pump();
    o.ring.publish();
    if (!o.ring.drained()) this.ring(t);
    return all;
  }

  /** Wakes thread t (once: a rung doorbell stays rung until t settles). */
  ring(t: number): void {
    const at = LINE * (1 + t);
    if (Atomics.compareExchange(this.ctl, at, 0, 1) === 0) Atomics.notify(this.ctl, at);
  }

  /** Calls `onBell` whenever another thread rings this one (and once at the end of each turn it was rung in). */
  listen(onBell: () => void): void {
    this.onBell = onBell;
    this.arm();
  }

  private arm(): void {
    if (this.closed) return;
    const r = waitAsync(this.ctl, LINE * (1 + this.index), 0);
    if (r.async) void (r.value as Promise<string>).then(this.woken);
    // rung already: on a later turn, never inside the caller (at startup, jobs wait until the data is loaded)
    else setImmediate(this.woken);
  }

  private readonly woken = (): void => {
    if (this.closed) return;
    this.onBell();
    if (this.settling) return;
    this.settling = true;
    // rung until the end of this turn: writers leave it to the checkpoints
    setImmediate(this.settle);
  };

  private readonly settle = (): void => {
    this.settling = false;
    if (this.closed) return;
    Atomics.store(this.ctl, LINE * (1 + this.index), 0);
    this.onBell();
    this.arm();
  };

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // ends the wait on the doorbell
    Atomics.store(this.ctl, LINE * (1 + this.index), 1);
    Atomics.notify(this.ctl, LINE * (1 + this.index));
  }
}
