/**
 * A script past busy-reply-threshold, seen from every thread: one Int32 of
 * the link's ctrl buffer. The busy thread publishes itself there; any thread
 * then answers BUSY to what is not allow_busy, and SCRIPT KILL / FUNCTION
 * KILL on any thread mark the run killed. Compare-and-swap makes "killed"
 * and "wrote something" exclusive, as they are with one thread: a kill
 * lands only before the script's first write, and a write after a kill
 * does not happen.
 *
 * The word: 0 when no script is busy, else bits 0-7 the thread's index + 1,
 * bit 8 EVAL (not FCALL), bit 9 wrote, bit 10 kill asked. Before it
 * publishes itself, the busy thread writes what FUNCTION STATS shows of it
 * (name, command, start) as JSON in the bytes after the words.
 */
const EVAL = 1 << 8;
const WROTE = 1 << 9;
const KILL = 1 << 10;

const BUSY_EVAL = 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.';
const BUSY_FUNCTION = 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.';
const UNKILLABLE = 'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.';

/** Bytes for the busy script's description (its length first). */
export const BUSY_DESC_BYTES = 4096;

/** What FUNCTION STATS shows of a running script. */
export interface RunningScript {
  name: string;
  command: string[];
  start: number;
}

export class BusyWord {
  private readonly ctrl: Int32Array;
  private readonly at: number;
  private readonly me: number;
  private readonly descLen: Int32Array;
  private readonly desc: Uint8Array;

  constructor(ctrl: Int32Array, at: number, me: number, descOffset: number) {
    this.ctrl = ctrl;
    this.at = at;
    this.me = me;
    this.descLen = new Int32Array(ctrl.buffer, descOffset, 1);
    this.desc = new Uint8Array(ctrl.buffer, descOffset + 4, BUSY_DESC_BYTES - 4);
  }

  /** This thread's script went past the threshold. */
  publish(evalMode: boolean, wrote: boolean, running: RunningScript): void {
    let bytes = Buffer.from(JSON.stringify(running));
    // a command too long to show whole shows its name and start alone
    if (bytes.length > this.desc.length) bytes = Buffer.from(JSON.stringify({ ...running, command: running.command.slice(0, 1) }));
    if (bytes.length > this.desc.length) bytes = Buffer.from('null');
    this.desc.set(bytes);
    Atomics.store(this.descLen, 0, bytes.length);
    Atomics.store(this.ctrl, this.at, (this.me + 1) | (evalMode ? EVAL : 0) | (wrote ? WROTE : 0));
  }

  /** A busy function running on another thread (FUNCTION STATS), or null; 'eval' when it is a busy EVAL. */
  runningElsewhere(): RunningScript | 'eval' | null {
    const w = Atomics.load(this.ctrl, this.at);
    if (w === 0 || (w & 0xff) === this.me + 1) return null;
    if ((w & EVAL) !== 0) return 'eval';
    const n = Atomics.load(this.descLen, 0);
    return JSON.parse(Buffer.from(this.desc.subarray(0, n)).toString()) as RunningScript | null;
  }

  /** This thread's busy script ended. */
  clear(): void {
    const w = Atomics.load(this.ctrl, this.at);
    if ((w & 0xff) === this.me + 1) Atomics.store(this.ctrl, this.at, 0);
  }

  /** The BUSY error for a command on this thread while another thread's script is busy, or null. */
  refusal(): string | null {
    const w = Atomics.load(this.ctrl, this.at);
    if (w === 0 || (w & 0xff) === this.me + 1) return null;
    return (w & EVAL) !== 0 ? BUSY_EVAL : BUSY_FUNCTION;
  }

  /** Whether a kill was asked for this thread's busy script. */
  get killAsked(): boolean {
    return (Atomics.load(this.ctrl, this.at) & KILL) !== 0;
  }

  /** The busy script is about to write: false when a kill came first (the write must not happen). */
  markWrite(): boolean {
    for (;;) {
      const w = Atomics.load(this.ctrl, this.at);
      if ((w & 0xff) !== this.me + 1) return true;
      if ((w & KILL) !== 0) return false;
      if ((w & WROTE) !== 0 || Atomics.compareExchange(this.ctrl, this.at, w, w | WROTE) === w) return true;
    }
  }

  /** SCRIPT KILL (evalMode) or FUNCTION KILL from any thread: null once asked, else the error reply. */
  kill(evalMode: boolean): string | null {
    for (;;) {
      const w = Atomics.load(this.ctrl, this.at);
      if (w === 0) return 'NOTBUSY No scripts in execution right now.';
      if ((w & WROTE) !== 0) return UNKILLABLE;
      const isEval = (w & EVAL) !== 0;
      if (evalMode && !isEval) return BUSY_FUNCTION;
      if (!evalMode && isEval) return BUSY_EVAL;
      if ((w & KILL) !== 0 || Atomics.compareExchange(this.ctrl, this.at, w, w | KILL) === w) return null;
    }
  }
}
