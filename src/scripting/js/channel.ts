/**
 * A synchronous message channel between a server thread and its JavaScript
 * functions' worker: latin1 strings (one char per byte) through a
 * SharedArrayBuffer, woken by Atomics; a message too big for the buffer goes
 * through a MessagePort and is taken with receiveMessageOnPort. Either side
 * can block for the other's answer, which is what lets a function's
 * client.call run synchronously on the server thread while the function
 * runs in the worker.
 */
import { availableParallelism } from 'node:os';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';

/** Bytes each direction holds in the shared buffer. */
const CAP = 1 << 20;
const HEADER = 64;
/** Int32 slots: [to worker: flag, length], [to server: flag, length], kill. */
const TO_WORKER = 0;
const TO_SERVER = 2;
export const KILL = 4;
/**
 * Spinning before sleeping pays only with a core to spare for the other
 * side, and only while an answer is due soon (a run or a call in flight):
 * a futex wake costs tens of microseconds, a reply takes a few.
 */
const SPINS = availableParallelism() > 1 ? 4000 : 0;

export type Side = 'server' | 'worker';

/** Atomics.waitAsync (ES2024; the compiler's lib is older). */
interface AtomicsAsync {
  waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string };
}

export function newChannelBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(HEADER + 2 * CAP);
}

export class Channel {
  readonly ctl: Int32Array;
  private readonly data: Buffer;
  private readonly port: MessagePort;
  private readonly out: number;
  private readonly in: number;

  constructor(sab: SharedArrayBuffer, port: MessagePort, side: Side) {
    this.ctl = new Int32Array(sab, 0, HEADER / 4);
    this.data = Buffer.from(sab, HEADER, 2 * CAP);
    this.port = port;
    this.out = side === 'server' ? TO_WORKER : TO_SERVER;
    this.in = side === 'server' ? TO_SERVER : TO_WORKER;
  }

  send(msg: string): void {
    const slot = this.out;
    // the previous message must be taken first (the worker's log lines are not answered)
    while (Atomics.load(this.ctl, slot) !== 0) Atomics.wait(this.ctl, slot, 1, 100);
    if (msg.length <= CAP) {
      this.data.latin1Write(msg, slot === TO_WORKER ? 0 : CAP);
      this.ctl[slot + 1] = msg.length;
    } else {
      this.port.postMessage(msg);
      this.ctl[slot + 1] = -1;
    }
    Atomics.store(this.ctl, slot, 1);
    Atomics.notify(this.ctl, slot);
  }

  /** The next message, or null when none came within `ms`; `soon`: an answer is due, spin a while first. */
  receive(ms = Infinity, soon = true): string | null {
    const slot = this.in;
    const ctl = this.ctl;
    if (soon) for (let i = 0; i < SPINS && Atomics.load(ctl, slot) === 0; i++);
    // a wake-up is no message: a notify can come late, for a message already taken (the sender paused
    // between raising the flag and notifying), so the flag is what says one is there
    const end = Date.now() + ms;
    while (Atomics.load(ctl, slot) === 0) {
      const left = end - Date.now();
      if (left <= 0 || Atomics.wait(ctl, slot, 0, left) === 'timed-out') {
        if (Atomics.load(ctl, slot) !== 0) break;
        return null;
      }
    }
    return this.take();
  }

  /** The next message, waiting without blocking the thread; null after `ms`. */
  async receiveAsync(ms: number): Promise<string | null> {
    const slot = this.in;
    const end = Date.now() + ms;
    while (Atomics.load(this.ctl, slot) === 0) {
      const left = end - Date.now();
      if (left <= 0) return null;
      const w = (Atomics as unknown as AtomicsAsync).waitAsync(this.ctl, slot, 0, left);
      if (w.async) await w.value;
    }
    return this.take();
  }

  private take(): string {
    const slot = this.in;
    const len = this.ctl[slot + 1]!;
    const start = slot === TO_WORKER ? 0 : CAP;
    const msg = len < 0 ? (receiveMessageOnPort(this.port)!.message as string) : this.data.latin1Slice(start, start + len);
    Atomics.store(this.ctl, slot, 0);
    // a sender with another message waits for this one to be taken
    Atomics.notify(this.ctl, slot);
    return msg;
  }
}

/** Strings as <length>:<bytes> … (the worker protocol's fields). */
export function pack(fields: readonly string[]): string {
  let s = '';
  for (const f of fields) s += `${f.length}:${f}`;
  return s;
}

export function unpack(s: string, from = 0): string[] {
  const out: string[] = [];
  for (let i = from; i < s.length; ) {
    const c = s.indexOf(':', i);
    const n = Number(s.slice(i, c));
    out.push(s.slice(c + 1, c + 1 + n));
    i = c + 1 + n;
  }
  return out;
}
