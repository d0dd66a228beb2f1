/**
 * A one-way byte ring in shared memory: one thread writes records, one other
 * thread reads them, in order, with no lock (docs/threads.md, "Jobs").
 *
 * A record is a whole number of 4-byte words and starts with its length in
 * bytes. It never wraps: one that does not fit before the end starts again
 * at 0, after a 0 length word that tells the reader so. The writer chooses
 * when what it wrote becomes visible (`publish`: one Atomics.store of the
 * head), so a batch appears at once; the reader frees what it has read with
 * `release` (the tail). Head and tail sit on cache lines of their own.
 */

/** Int32 words of control per ring: the head on one 64-byte line, the tail on the next. */
export const RING_CTL_WORDS = 32;
const HEAD = 0;
const TAIL = 16;

export class ByteRing {
  /** The ring's data, `capacity` bytes. */
  readonly buf: Buffer;
  /** The same bytes as words (records are word-aligned). */
  readonly words: Int32Array;
  readonly capacity: number;
  private readonly ctl: Int32Array;
  private readonly at: number;
  /** Writer: where the next record goes (published up to the head). */
  private wpos = 0;
  /** Reader: where the next record starts (released up to the tail). */
  private rpos = 0;

  /** `ctl` holds this ring's RING_CTL_WORDS words from word `at`; the data is `capacity` bytes (a multiple of 4) of `sab` from `offset`. */
  constructor(ctl: Int32Array, at: number, sab: SharedArrayBuffer, offset: number, capacity: number) {
    this.ctl = ctl;
    this.at = at;
    this.capacity = capacity;
    this.buf = Buffer.from(sab, offset, capacity);
    this.words = new Int32Array(sab, offset, capacity >> 2);
  }

  // ---- writer ----

  /** Byte offset where a record of `n` bytes (a multiple of 4) can be written now, or -1 when there is no room. */
  alloc(n: number): number {
    const tail = Atomics.load(this.ctl, this.at + TAIL);
    const w = this.wpos;
    if (tail > w) return w + n < tail ? w : -1;
    // free: [w, capacity) and [0, tail); the write position must never land on the tail (that reads as empty)
    if (w + n < this.capacity || (w + n === this.capacity && tail > 0)) return w;
    if (n >= tail) return -1;
    this.words[w >> 2] = 0;
    this.wpos = 0;
    return 0;
  }

  /** Marks a record written at `off` (from alloc) of `n` bytes; not visible to the reader before publish. */
  wrote(off: number, n: number): void {
    const end = off + n;
    this.wpos = end === this.capacity ? 0 : end;
  }

  publish(): void {
    Atomics.store(this.ctl, this.at + HEAD, this.wpos);
  }

  /** Whether the reader has taken everything published (so it needs no wake-up). */
  drained(): boolean {
    return Atomics.load(this.ctl, this.at + TAIL) === Atomics.load(this.ctl, this.at + HEAD);
  }

  // ---- reader ----

  /** Byte offset of the next published record, or -1 when there is none. Its length is `words[off >> 2]`. */
  peek(): number {
    const head = Atomics.load(this.ctl, this.at + HEAD);
    if (this.rpos === head) return -1;
    if (this.words[this.rpos >> 2] === 0) {
      this.rpos = 0;
      if (head === 0) return -1;
    }
    return this.rpos;
  }

  /** Moves past the record at peek() (freed for the writer at the next release). */
  skip(): void {
    const end = this.rpos + this.words[this.rpos >> 2]!;
    this.rpos = end === this.capacity ? 0 : end;
  }

  /** Frees everything read so far for the writer. */
  release(): void {
    Atomics.store(this.ctl, this.at + TAIL, this.rpos);
  }
}
