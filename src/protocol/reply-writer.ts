/**
 * Accumulates RESP2/RESP3 replies for one connection into a single buffer,
 * flushed with one socket write per batch of requests.
 *
 * Strings are latin1 ("binary") JS strings: one char per byte.
 */
import { formatDoubleShortest } from './format.ts';

export type Protover = 2 | 3;

const INITIAL = 16 * 1024;
/** Text up to this long is copied byte by byte in JS. */
const SHORT_TEXT = 32;
/** Above this a flushed buffer is handed to the socket instead of copied. */
const HANDOFF = 64 * 1024;

/** Cached "*N\r\n" headers for small N. */
const ARRAY_HDR: string[] = [];
for (let i = 0; i < 1024; i++) ARRAY_HDR.push(`*${i}\r\n`);

export interface ReplySink {
  write(chunk: Buffer): unknown;
  /** A stream's bytes not yet handed to the system (net.Socket): 0 right after a write means it kept no reference to the chunk. */
  readonly writableLength?: number;
}

export class ReplyWriter {
  buf: Buffer = Buffer.allocUnsafe(INITIAL);
  len = 0;
  resp: Protover = 2;
  /** CLIENT REPLY OFF / SKIP: replies are dropped while > 0 (OFF uses Infinity). */
  muted = 0;
  /**
   * End of the last push written (pub/sub messages and confirmations):
   * truncate() never cuts below it, so CLIENT REPLY OFF / SKIP drop replies
   * but not pushes, as Redis's CLIENT_PUSHING. Reset by flush().
   */
  pushEnd = 0;

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  /** Appends raw protocol text (latin1). Short text is copied in JS: cheaper than a native call. */
  raw(s: string): void {
    const n = s.length;
    if (this.len + n > this.buf.length) this.ensure(n);
    if (n <= SHORT_TEXT) {
      const buf = this.buf;
      let at = this.len;
      for (let i = 0; i < n; i++) buf[at++] = s.charCodeAt(i);
      this.len = at;
    } else {
      this.len += this.buf.latin1Write(s, this.len);
    }
  }

  /** Writes a non-negative integer's decimal digits followed by CRLF. */
  private digitsCrlf(n: number): void {
    if (n < 10) {
      const buf = this.buf;
      buf[this.len++] = 48 + n;
      buf[this.len++] = 13;
      buf[this.len++] = 10;
    } else {
      this.raw(n + '\r\n');
    }
  }

  rawBuffer(b: Buffer): void {
    this.ensure(b.length);
    b.copy(this.buf, this.len);
    this.len += b.length;
  }

  ok(): void {
    this.raw('+OK\r\n');
  }

  simple(s: string): void {
    this.raw('+' + s + '\r\n');
  }

  /** An error line; `msg` includes its code ("ERR ...", "WRONGTYPE ..."). */
  error(msg: string): void {
    this.raw('-' + msg.replace(/[\r\n]/g, ' ') + '\r\n');
  }

  int(n: number | bigint): void {
    if (typeof n === 'number' && n >= 0 && n < 10) {
      this.ensure(4);
      this.buf[this.len++] = 58; /* ':' */
      this.digitsCrlf(n);
      return;
    }
    this.raw(':' + n + '\r\n');
  }

  /** An integer reply from its decimal text (avoids building ":N\r\n"). */
  intText(digits: string): void {
    this.ensure(digits.length + 3);
    this.buf[this.len++] = 58; /* ':' */
    this.raw(digits);
    this.buf[this.len++] = 13;
    this.buf[this.len++] = 10;
  }

  bulk(s: string): void {
    const n = s.length;
    this.ensure(n + 16);
    this.buf[this.len++] = 36; /* '$' */
    this.digitsCrlf(n);
    this.raw(s);
    this.buf[this.len++] = 13;
    this.buf[this.len++] = 10;
  }

  bulkBuffer(b: Buffer): void {
    this.raw('$' + b.length + '\r\n');
    this.rawBuffer(b);
    this.raw('\r\n');
  }

  /** A bulk string, or the null reply when s is null/undefined. */
  bulkOrNull(s: string | null | undefined): void {
    if (s === null || s === undefined) this.nullBulk();
    else this.bulk(s);
  }

  nullBulk(): void {
    this.raw(this.resp === 3 ? '_\r\n' : '$-1\r\n');
  }

  nullArray(): void {
    this.raw(this.resp === 3 ? '_\r\n' : '*-1\r\n');
  }

  array(n: number): void {
    this.raw(n < 1024 ? ARRAY_HDR[n]! : '*' + n + '\r\n');
  }

  /** Map header: RESP3 '%', RESP2 a flat array of 2n items. */
  map(n: number): void {
    if (this.resp === 3) this.raw('%' + n + '\r\n');
    else this.array(n * 2);
  }

  /** Set header: RESP3 '~', RESP2 an array. */
  set(n: number): void {
    if (this.resp === 3) this.raw('~' + n + '\r\n');
    else this.array(n);
  }

  push(n: number): void {
    if (this.resp === 3) this.raw('>' + n + '\r\n');
    else this.array(n);
  }

  /** A double as Redis ≥ 7.2's addReplyDouble (d2string: the shortest digits that read back): RESP3 ',', RESP2 a bulk string. */
  double(d: number): void {
    const s = formatDoubleShortest(d);
    if (this.resp === 3) this.raw(',' + s + '\r\n');
    else this.bulk(s);
  }

  bool(b: boolean): void {
    if (this.resp === 3) this.raw(b ? '#t\r\n' : '#f\r\n');
    else this.raw(b ? ':1\r\n' : ':0\r\n');
  }

  /** Verbatim string (RESP3 '=' with a 3-letter format), a bulk string in RESP2. */
  verbatim(s: string, format = 'txt'): void {
    if (this.resp === 3) {
      this.raw('=' + (s.length + 4) + '\r\n' + format + ':');
      this.raw(s);
      this.raw('\r\n');
    } else {
      this.bulk(s);
    }
  }

  /** An array of bulk strings. */
  bulkArray(items: readonly string[]): void {
    this.array(items.length);
    for (const s of items) this.bulk(s);
  }

  /** Removes everything written after `mark` (used to drop replies under CLIENT REPLY). */
  truncate(mark: number): void {
    this.len = mark < this.pushEnd ? this.pushEnd : mark;
  }

  /**
   * Writes what has accumulated to `sink` in one chunk. A socket with
   * nothing queued takes the chunk straight from the buffer; when the
   * system accepted all of it at once (nothing queued after the write: the
   * usual case) the buffer is kept for the next replies, else the socket
   * keeps it and a new one is made. Other sinks get a copy.
   */
  flush(sink: ReplySink): void {
    if (this.len === 0) return;
    if (sink.writableLength === 0) {
      sink.write(this.buf.subarray(0, this.len));
      // a buffer grown past HANDOFF by a big reply is not kept either (idle connections stay small)
      if (sink.writableLength !== 0 || this.buf.length > HANDOFF) this.buf = Buffer.allocUnsafe(INITIAL);
    } else if (this.len >= HANDOFF) {
      sink.write(this.buf.subarray(0, this.len));
      this.buf = Buffer.allocUnsafe(INITIAL);
    } else {
      const out = Buffer.allocUnsafe(this.len);
      this.buf.copy(out, 0, 0, this.len);
      sink.write(out);
    }
    this.len = 0;
    this.pushEnd = 0;
  }
}
