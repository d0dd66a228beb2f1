/**
 * The byte-level RDB reader (rdb.c's rdbLoad* primitives) over a buffer that
 * a file source refills in chunks, so loading a large file never holds it
 * whole. Running past the end of the input throws RdbError; the CRC-64 of
 * the bytes consumed is kept for the final checksum check.
 */
import { latin1String } from '../protocol/latin1.ts';
import { Crc64 } from './crc64.ts';
import { lzfDecompress } from './lzf.ts';
import { RDB_ENC, RdbError } from './rdb-types.ts';

/** Reads up to `len` bytes into buf at off; 0 at the end of the input. */
export type ReadFn = (buf: Buffer, off: number, len: number) => number;

const CHUNK = 4 << 20;

export class RdbIn {
  private buf: Buffer;
  private pos = 0;
  private end: number;
  /** Absolute offset of buf[0] in the input. */
  private base = 0;
  /** Total input size (for sanity checks of lengths read from it). */
  private readonly size: number;
  private readonly src: ReadFn | null;
  private readonly crc: Crc64 | null;
  /** Bytes of buf before this index are already in the CRC. */
  private crcFrom = 0;
  /** Set by len() when the length byte was a special encoding (11xxxxxx). */
  encoded = false;

  /** An in-memory input, or (with src) a file of `size` bytes read in chunks. */
  constructor(data: Buffer, opts: { src?: ReadFn; size?: number; checksum?: boolean } = {}) {
    this.src = opts.src ?? null;
    this.size = opts.size ?? data.length;
    this.crc = opts.checksum ? new Crc64() : null;
    if (this.src !== null) {
      this.buf = Buffer.allocUnsafe(CHUNK);
      this.end = 0;
    } else {
      this.buf = data;
      this.end = data.length;
    }
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Bytes left in the input. */
  get remaining(): number {
    return this.size - this.offset;
  }

  private eof(): never {
    throw new RdbError(`Unexpected EOF reading RDB file (offset ${this.offset})`);
  }

  /** Makes n bytes available at pos. */
  private ensure(n: number): void {
    if (this.end - this.pos >= n) return;
    if (this.src === null || n > this.remaining) this.eof();
    if (this.crc !== null) this.crc.update(this.buf, this.crcFrom, this.pos);
    const keep = this.end - this.pos;
    const target = this.buf.length >= n ? this.buf : Buffer.allocUnsafe(Math.max(n, CHUNK));
    this.buf.copy(target, 0, this.pos, this.end);
    this.buf = target;
    this.base += this.pos;
    this.pos = 0;
    this.crcFrom = 0;
    this.end = keep;
    while (this.end < n) {
      const got = this.src(this.buf, this.end, this.buf.length - this.end);
      if (got <= 0) this.eof();
      this.end += got;
    }
  }

  /** The CRC-64 of everything consumed so far. */
  checksum(): Crc64 {
    if (this.crc === null) throw new Error('RdbIn: checksum not kept');
    this.crc.update(this.buf, this.crcFrom, this.pos);
    this.crcFrom = this.pos;
    return this.crc;
  }

  byte(): number {
    if (this.pos >= this.end) this.ensure(1);
    return this.buf[this.pos++]!;
  }

  /** n raw bytes: a view valid until the next read. */
  raw(n: number): Buffer {
    this.ensure(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** rdbLoadLen: a length, or with `encoded` set an RDB_ENC_* code. */
  len(): number {
    const b = this.byte();
    const type = b >> 6;
    this.encoded = false;
    if (type === 3) {
      this.encoded = true;
      return b & 0x3f;
    }
    if (type === 0) return b & 0x3f;
    if (type === 1) return ((b & 0x3f) << 8) | this.byte();
    if (b === 0x80) {
      this.ensure(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (b === 0x81) {
      this.ensure(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RdbError(`Length out of range: ${v}`);
      return Number(v);
    }
    throw new RdbError(`Unknown length encoding ${type} in rdbLoadLen()`);
  }

  /** A plain length (an encoding byte here is corrupt data). */
  count(): number {
    const n = this.len();
    if (this.encoded) throw new RdbError('Unexpected string encoding where a length was expected');
    return n;
  }

  /** A length that may be a full unsigned 64-bit value (stream IDs, counters). */
  len64(): number | bigint {
    const b = this.byte();
    if (b === 0x81) {
      this.ensure(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
    }
    this.pos--;
    return this.count();
  }

  /** rdbGenericLoadStringObject as bytes (a fresh copy, or a view for `view`). */
  bytes(view = false): Buffer {
    const n = this.len();
    if (!this.encoded) {
      if (n > this.remaining) this.eof();
      const v = this.raw(n);
      return view ? v : Buffer.from(v);
    }
    if (n === RDB_ENC.LZF) return this.lzf();
    return Buffer.from(String(this.intEncoded(n)), 'latin1');
  }

  /** rdbGenericLoadStringObject as a latin1 string. */
  string(): string {
    const n = this.len();
    if (!this.encoded) {
      if (n > this.remaining) this.eof();
      this.ensure(n);
      const b = this.buf;
      const p = this.pos;
      this.pos = p + n;
      // one flat string (a char-by-char concatenation would hash and compare slowly as a Map key)
      return latin1String(b, p, n);
    }
    if (n === RDB_ENC.LZF) {
      const d = this.lzf();
      return d.latin1Slice(0, d.length);
    }
    return String(this.intEncoded(n));
  }

  private intEncoded(enc: number): number {
    if (enc === RDB_ENC.INT8) {
      const b = this.byte();
      return b > 127 ? b - 256 : b;
    }
    if (enc === RDB_ENC.INT16) {
      this.ensure(2);
      const v = this.buf.readInt16LE(this.pos);
      this.pos += 2;
      return v;
    }
    if (enc === RDB_ENC.INT32) {
      this.ensure(4);
      const v = this.buf.readInt32LE(this.pos);
      this.pos += 4;
      return v;
    }
    throw new RdbError(`Unknown RDB string encoding type ${enc}`);
  }

  private lzf(): Buffer {
    const clen = this.count();
    const len = this.count();
    if (clen > this.remaining) this.eof();
    // LZF expands at most ~256:1 (a back reference of 264 bytes in 2-3 bytes)
    if (len > clen * 300 + 64) throw new RdbError('Invalid LZF compressed string');
    const c = this.raw(clen);
    const out = Buffer.allocUnsafe(len);
    if (lzfDecompress(c, 0, clen, out) !== len) throw new RdbError('Invalid LZF compressed string');
    return out;
  }

  /** rdbLoadMillisecondTime: int64 LE. */
  ms(): number {
    this.ensure(8);
    const v = this.buf.readBigInt64LE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  /** rdbLoadTime: int32 LE seconds. */
  time32(): number {
    this.ensure(4);
    const v = this.buf.readInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** rdbLoadBinaryDoubleValue */
  double(): number {
    this.ensure(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** rdbLoadDoubleValue: the text form of RDB_TYPE_ZSET (253 nan, 254 +inf, 255 -inf). */
  doubleText(): number {
    const n = this.byte();
    if (n === 255) return -Infinity;
    if (n === 254) return Infinity;
    if (n === 253) return NaN;
    const s = this.raw(n).latin1Slice(0, n);
    const v = parseScore(s);
    if (v === null) throw new RdbError(`Invalid double value: ${s}`);
    return v;
  }
}

/** A score as C's strtod reads the whole text (inf / nan spelled out too), or null. */
export function parseScore(s: string): number | null {
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan' || t === '-nan' || t === '+nan') return NaN;
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^[+-]?0x[0-9a-f]+$/.test(t)) return null;
  const v = Number(t.startsWith('+') ? t.slice(1) : t);
  return Number.isNaN(v) ? null : v;
}
