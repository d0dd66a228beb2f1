/**
 * The replication backlog (Redis's repl_backlog): the newest bytes of the
 * replication stream, so that a replica that lost its link resumes with the
 * bytes it missed (PSYNC … +CONTINUE) instead of a full copy. Offsets are
 * the stream's: the byte after offset N is byte N + 1, and the backlog holds
 * bytes [firstByteOffset, firstByteOffset + histlen).
 */
export class Backlog {
  private buf: Buffer;
  /** Where the next byte goes in buf. */
  private idx = 0;
  /** Bytes held (at most buf.length). */
  histlen = 0;
  /** The stream offset of the oldest byte held. */
  firstByteOffset: number;

  /** An empty backlog of `size` bytes whose next byte is stream byte offset + 1. */
  constructor(size: number, offset: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1, size));
    this.firstByteOffset = offset + 1;
  }

  get size(): number {
    return this.buf.length;
  }

  /** Appends stream bytes (the stream's offset has moved by data.length). */
  append(data: Buffer): void {
    const cap = this.buf.length;
    let src = data;
    // more than fits: only the newest bytes stay
    if (src.length > cap) {
      this.firstByteOffset += this.histlen + (src.length - cap);
      this.histlen = 0;
      src = src.subarray(src.length - cap);
    }
    const first = Math.min(src.length, cap - this.idx);
    src.copy(this.buf, this.idx, 0, first);
    if (first < src.length) src.copy(this.buf, 0, first);
    this.idx = (this.idx + src.length) % cap;
    const over = this.histlen + src.length - cap;
    if (over > 0) this.firstByteOffset += over;
    this.histlen = Math.min(cap, this.histlen + src.length);
  }

  /** The bytes from stream offset `from` (the next byte a replica wants) to the end, or null when they are not all held. */
  from(from: number): Buffer | null {
    const skip = from - this.firstByteOffset;
    if (skip < 0 || skip > this.histlen) return null;
    const n = this.histlen - skip;
    const cap = this.buf.length;
    const start = (this.idx - n + cap) % cap;
    if (start + n <= cap) return Buffer.from(this.buf.subarray(start, start + n));
    return Buffer.concat([this.buf.subarray(start), this.buf.subarray(0, (start + n) % cap)]);
  }

  /** A new capacity, keeping the newest bytes. */
  resize(size: number): void {
    const keep = this.from(this.firstByteOffset + Math.max(0, this.histlen - size))!;
    const end = this.firstByteOffset + this.histlen;
    this.buf = Buffer.allocUnsafe(Math.max(1, size));
    this.idx = 0;
    this.histlen = 0;
    this.firstByteOffset = end - keep.length;
    this.append(keep);
    this.firstByteOffset = end - this.histlen;
  }
}
