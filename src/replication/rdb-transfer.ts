/**
 * The RDB a primary sends after +FULLRESYNC (Redis's readSyncBulkPayload):
 * newlines while it prepares the file (keep-alives), then either
 * `$<len>\r\n` and len bytes (a file from disk) or, diskless,
 * `$EOF:<40 byte mark>\r\n`, the file, and the mark again.
 */
export const EOF_MARK_LEN = 40;

export class TransferError extends Error {}

export class RdbTransfer {
  /** Bytes of the file expected (-1 until the header is read, and for a diskless transfer). */
  size = -1;
  /** Bytes of the file read so far (the closing mark of a diskless transfer included). */
  read = 0;
  private mark: Buffer | null = null;
  private head: Buffer = Buffer.alloc(0);
  /** The last bytes received of a diskless transfer (where the mark would be). */
  private tail: Buffer = Buffer.alloc(0);
  private headerDone = false;
  private readonly parts: Buffer[] = [];

  /**
   * Takes the next bytes from the primary; returns null while the file is
   * incomplete, else the file and what followed it (the first bytes of the
   * command stream).
   */
  /** The `$…` line has been read: the file itself is arriving. */
  get started(): boolean {
    return this.headerDone;
  }

  feed(chunk: Buffer): { rdb: Buffer; rest: Buffer } | null {
    if (!this.headerDone) {
      const buf = this.head.length === 0 ? chunk : Buffer.concat([this.head, chunk]);
      const body = this.readHeader(buf);
      if (body === null) return null;
      chunk = body;
    }
    if (chunk.length === 0) return null;
    this.parts.push(chunk);
    this.read += chunk.length;
    return this.mark === null ? this.sized() : this.marked();
  }

  /** Reads the `$…\r\n` line (after any keep-alive newlines); returns the bytes after it, or null without a whole line yet. */
  private readHeader(buf: Buffer): Buffer | null {
    let pos = 0;
    for (;;) {
      // a keep-alive newline while the primary writes its snapshot
      while (pos < buf.length && buf[pos] === 10) pos++;
      const nl = buf.indexOf(10, pos);
      if (nl < 0) {
        this.head = buf.subarray(pos);
        return null;
      }
      const line = buf.latin1Slice(pos, nl).replace(/\r$/, '');
      pos = nl + 1;
      if (line === '') continue;
      if (line[0] === '-') throw new TransferError(`MASTER aborted replication with an error: ${line.slice(1)}`);
      if (line[0] !== '$') throw new TransferError(`Bad protocol from MASTER, the first byte is not '$' (we received '${line}'), are you sure the host and port are right?`);
      if (line.startsWith('$EOF:') && line.length >= 5 + EOF_MARK_LEN) {
        this.mark = Buffer.from(line.slice(5, 5 + EOF_MARK_LEN), 'latin1');
      } else {
        this.size = Number(line.slice(1));
        if (!Number.isSafeInteger(this.size) || this.size < 0) throw new TransferError(`Bad bulk length from MASTER: '${line}'`);
      }
      this.headerDone = true;
      this.head = Buffer.alloc(0);
      return buf.subarray(pos);
    }
  }

  private sized(): { rdb: Buffer; rest: Buffer } | null {
    if (this.read < this.size) return null;
    const all = this.joined();
    return { rdb: all.subarray(0, this.size), rest: all.subarray(this.size) };
  }

  /**
   * Diskless: done when what arrived ends with the mark (the primary sends
   * nothing after it before the replica's first REPLCONF ACK).
   */
  private marked(): { rdb: Buffer; rest: Buffer } | null {
    const last = this.parts[this.parts.length - 1]!;
    const end = last.length >= EOF_MARK_LEN ? last.subarray(last.length - EOF_MARK_LEN) : Buffer.concat([this.tail, last]).subarray(-EOF_MARK_LEN);
    this.tail = Buffer.from(end);
    if (this.read < EOF_MARK_LEN || !end.equals(this.mark!)) return null;
    const all = this.joined();
    return { rdb: all.subarray(0, all.length - EOF_MARK_LEN), rest: Buffer.alloc(0) };
  }

  /** The chunks so far as one buffer (kept as one from then on). */
  private joined(): Buffer {
    if (this.parts.length > 1) {
      const all = Buffer.concat(this.parts);
      this.parts.length = 0;
      this.parts.push(all);
    }
    return this.parts[0]!;
  }
}
