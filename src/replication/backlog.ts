/**
 * The replication backlog (Redis's repl_backlog): the last
 * repl-backlog-size bytes of the stream in a ring, so that a replica whose
 * link dropped gets what it missed (PSYNC <replid> <offset> → +CONTINUE)
 * instead of a full sync.
 */
export class Backlog {
  private buf: Buffer;
  /** Where the next byte goes in buf. */
  private at = 0;
  /** Bytes held (repl_backlog_histlen). */
  histlen = 0;
  /** The stream offset after the last byte held (master_repl_offset). */
  private end: number;

  /** An empty backlog of `size` bytes starting after stream offset `offset`. */
  constructor(size: number, offset: number) {
    this.buf = Buffer.alloc(Math.max(1, size));
    this.end = offset;
  }

  get size(): number {
    return this.buf.length;
  }

  /** Stream offset of the first byte held (repl_backlog_first_byte_offset). */
  get firstByte(): number {
    return this.end - this.histlen + 1;
  }

  append(data: Uint8Array): void {
    const size = this.buf.length;
    this.end += data.length;
    if (data.length >= size) {
      this.buf.set(data.subarray(data.length - size));
      this.at = 0;
      this.histlen = size;
      return;
    }
    const first = Math.min(data.length, size - this.at);
    this.buf.set(data.subarray(0, first), this.at);
    if (first < data.length) this.buf.set(data.subarray(first), 0);
    this.at = (this.at + data.length) % size;
    this.histlen = Math.min(size, this.histlen + data.length);
  }

  /**
   * The bytes from stream offset `from` (PSYNC's offset: the first byte the
   * replica lacks) to the end, or null when they are not all held.
   */
  since(from: number): Buffer | null {
    if (from < this.firstByte || from > this.end + 1) return null;
    const n = this.end + 1 - from;
    const out = Buffer.allocUnsafe(n);
    const size = this.buf.length;
    const start = (this.at - n + size) % size;
    const first = Math.min(n, size - start);
    this.buf.copy(out, 0, start, start + first);
    if (first < n) this.buf.copy(out, first, 0, n - first);
    return out;
  }

  /** CONFIG SET repl-backlog-size: keeps what still fits. */
  resize(size: number): void {
    if (size === this.buf.length) return;
    const held = this.since(this.end + 1 - Math.min(this.histlen, size))!;
    this.buf = Buffer.alloc(Math.max(1, size));
    this.at = 0;
    this.histlen = 0;
    this.end -= held.length;
    this.append(held);
  }
}
