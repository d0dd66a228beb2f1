/**
 * Incremental RESP request parser (multibulk and inline), following Redis's
 * processMultibulkBuffer / processInlineBuffer rules and error strings.
 *
 * Arguments come out as latin1 ("binary") strings: one JS char per byte, so
 * they are binary-safe, cheap to create and usable directly as Map keys.
 */
import { splitInlineArgs } from './inline-args.ts';
import { SHORT_STRING, shortString } from './latin1.ts';

/** Redis's PROTO_INLINE_MAX_SIZE. */
export const INLINE_MAX_SIZE = 64 * 1024;
/** Bulk arguments at least this long are gathered without repeated concatenation. */
const BIG_ARG = 32 * 1024;
/** Longest string V8 can hold (and so the longest argument we can accept). */
const MAX_STRING = (1 << 29) - 24;

export class ProtocolError extends Error {}

export interface ParserLimits {
  maxBulkLen: number;
  /**
   * True while the connection must still authenticate: then, as in Redis,
   * multibulk counts over 10 and bulk lengths over 16384 are protocol errors.
   * Only called for requests past those sizes.
   */
  authRequired?: () => boolean;
}

/** Redis's limits on requests from unauthenticated connections. */
const UNAUTH_MAX_ARGS = 10;
const UNAUTH_MAX_BULK = 16384;

const CR = 13;
const LF = 10;

export class RespParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** Chunks held back while a big bulk argument is still arriving. */
  private held: Buffer[] = [];
  private heldLen = 0;
  /** Bytes (from pos) needed before parsing can make progress; 0 = unknown. */
  private need = 0;
  // multibulk in progress
  private args: string[] | null = null;
  private argsLeft = 0;
  private bulkLen = -1;
  /** Bytes of the arguments parsed so far of a command not yet complete (Redis's argv-mem). */
  partialArgBytes = 0;
  /**
   * The last few command names, each reused when a request's name has its
   * bytes: a pipeline mixing commands (MULTI / INCR / EXEC) makes no new
   * name strings, and the command table's lookup finds their hashes cached.
   */
  private readonly names: string[] = ['', '', '', ''];
  private nameAt = 0;

  private readonly limits: ParserLimits;

  constructor(limits: ParserLimits) {
    this.limits = limits;
  }

  setMaxBulkLen(n: number): void {
    this.limits.maxBulkLen = n;
  }

  /** Bytes buffered but not yet parsed (for client-query-buffer-limit / CLIENT LIST qbuf). */
  get buffered(): number {
    return this.buf.length - this.pos + this.heldLen;
  }

  feed(chunk: Buffer): void {
    if (this.need > 0 && this.buf.length - this.pos + this.heldLen + chunk.length < this.need) {
      this.held.push(chunk);
      this.heldLen += chunk.length;
      return;
    }
    if (this.pos >= this.buf.length && this.heldLen === 0) {
      this.buf = chunk;
    } else {
      const parts = [this.buf.subarray(this.pos), ...this.held, chunk];
      this.buf = Buffer.concat(parts);
      this.held = [];
      this.heldLen = 0;
    }
    this.pos = 0;
    this.need = 0;
  }

  /** Next complete command, [] for an empty one to skip, or null when more bytes are needed. */
  next(): string[] | null {
    const buf = this.buf;
    const len = buf.length;
    if (this.args === null) {
      const p = this.pos;
      if (p >= len) return null;
      if (buf[p] !== 42 /* '*' */) return this.inline();
      // Redis delimits header lines by '\r' and skips the byte after it
      const cr = findCR(buf, p + 1, len);
      if (cr < 0 || cr + 1 >= len) {
        if (len - p > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big mbulk count string');
        return null;
      }
      const n = parseLength(buf, p + 1, cr);
      if (n === null || n > 2147483647) throw new ProtocolError('Protocol error: invalid multibulk length');
      if (n > UNAUTH_MAX_ARGS && this.limits.authRequired?.() === true) {
        throw new ProtocolError('Protocol error: unauthenticated multibulk length');
      }
      this.pos = cr + 2;
      if (n <= 0) return [];
      this.args = new Array<string>(n);
      this.argsLeft = n;
      this.bulkLen = -1;
    }
    const args = this.args;
    while (this.argsLeft > 0) {
      let p = this.pos;
      if (this.bulkLen < 0) {
        if (p >= len) return null;
        const cr = findCR(buf, p + 1, len);
        if (cr < 0 || cr + 1 >= len) {
          if (len - p > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big bulk count string');
          return null;
        }
        if (buf[p] !== 36 /* '$' */) {
          throw new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(buf[p]!)}'`);
        }
        const n = parseLength(buf, p + 1, cr);
        if (n === null || n < 0 || n > this.limits.maxBulkLen || n > MAX_STRING) {
          throw new ProtocolError('Protocol error: invalid bulk length');
        }
        if (n > UNAUTH_MAX_BULK && this.limits.authRequired?.() === true) {
          throw new ProtocolError('Protocol error: unauthenticated bulk length');
        }
        p = this.pos = cr + 2;
        this.bulkLen = n;
      }
      const blen = this.bulkLen;
      const end = p + blen;
      if (end + 2 > len) {
        if (blen >= BIG_ARG) this.need = blen + 2;
        return null;
      }
      const idx = args.length - this.argsLeft;
      let arg: string;
      if (blen <= SHORT_STRING) {
        arg = idx === 0 ? this.name(buf, p, blen) : shortString(buf, p, blen);
      } else {
        arg = buf.latin1Slice(p, end);
      }
      args[idx] = arg;
      this.pos = end + 2;
      this.bulkLen = -1;
      this.argsLeft--;
      this.partialArgBytes += blen;
    }
    this.args = null;
    this.partialArgBytes = 0;
    if (this.pos >= len) {
      this.buf = EMPTY;
      this.pos = 0;
    }
    return args;
  }

  /** A command name of `n` ≤ SHORT_STRING bytes at p: one of the last names when the bytes match, else a new one kept among them. */
  private name(buf: Buffer, p: number, n: number): string {
    const names = this.names;
    for (let i = 0; i < 4; i++) {
      const s = names[i]!;
      if (s.length === n && sameBytes(buf, p, s)) return s;
    }
    const s = shortString(buf, p, n);
    names[this.nameAt] = s;
    this.nameAt = (this.nameAt + 1) & 3;
    return s;
  }

  private inline(): string[] | null {
    const nl = this.buf.indexOf(LF, this.pos);
    if (nl < 0) {
      if (this.buf.length - this.pos > INLINE_MAX_SIZE) throw new ProtocolError('Protocol error: too big inline request');
      return null;
    }
    let end = nl;
    if (end > this.pos && this.buf[end - 1] === CR) end--;
    const line = this.buf.latin1Slice(this.pos, end);
    this.pos = nl + 1;
    const args = splitInlineArgs(line);
    if (args === null) throw new ProtocolError('Protocol error: unbalanced quotes in request');
    return args;
  }
}

const EMPTY = Buffer.alloc(0);


function findCR(buf: Buffer, from: number, end: number): number {
  for (let i = from; i < end; i++) if (buf[i] === CR) return i;
  return -1;
}

function sameBytes(buf: Buffer, at: number, s: string): boolean {
  for (let i = 0; i < s.length; i++) if (buf[at + i] !== s.charCodeAt(i)) return false;
  return true;
}

/**
 * Strict decimal parse of buf[start, end) as Redis's string2ll ("0", or an
 * optional '-' then a non-zero digit; fits a signed 64-bit integer); null if
 * malformed. Lengths past 2^53 come back approximate, which is enough to
 * compare them with limits.
 */
function parseLength(buf: Buffer, start: number, end: number): number | null {
  if (start >= end || end - start > 20) return null;
  if (end - start === 1 && buf[start] === 48 /* '0' */) return 0;
  let i = start;
  let neg = false;
  if (buf[i] === 45 /* '-' */) {
    neg = true;
    i++;
    if (i >= end) return null;
  }
  if (buf[i] === 48 /* '0' */) return null;
  let n = 0;
  for (; i < end; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return null;
    n = n * 10 + c;
  }
  // beyond LLONG_MAX (9223372036854775807 rounds to 2^63 as a double)
  if (n >= 9223372036854775807) return null;
  return neg ? -n : n;
}
