/**
 * The byte-level RDB writer (rdb.c's rdbSave* primitives): lengths, strings
 * with Redis's integer and LZF encodings, times and doubles. Output
 * accumulates in a buffer that is handed to a sink in large chunks (a file)
 * or kept and joined at the end (DUMP, replication); the CRC-64 runs over
 * every byte as it is committed.
 */
import { Crc64 } from './crc64.ts';
import { lzfCompress } from './lzf.ts';
import { RDB_ENC } from './rdb-types.ts';

const CHUNK = 1 << 20;
const SCRATCH_KEEP = 16 << 20;

export interface RdbOutOptions {
  /** rdbcompression: LZF-compress strings longer than 20 bytes. */
  compress: boolean;
  /** rdbchecksum: keep a running CRC-64 (else the trailer is 0). */
  checksum: boolean;
  /** Receives the output in chunks; without one, done() returns it all. */
  sink?: (chunk: Buffer) => void;
  /** Initial buffer size without a sink (the buffer doubles as needed). */
  initial?: number;
}

/** Scratch buffers for LZF (input bytes of a JS string, compressed output). */
let lzfIn = Buffer.allocUnsafe(4096);
let lzfOut = Buffer.allocUnsafe(4096);

export class RdbOut {
  private buf: Buffer;
  private pos = 0;
  private readonly chunks: Buffer[] = [];
  private readonly sink: ((chunk: Buffer) => void) | null;
  private readonly crc: Crc64 | null;
  readonly compress: boolean;
  /** Bytes committed so far (flushed chunks). */
  private committed = 0;

  constructor(opts: RdbOutOptions) {
    this.compress = opts.compress;
    this.crc = opts.checksum ? new Crc64() : null;
    this.sink = opts.sink ?? null;
    this.buf = Buffer.allocUnsafe(this.sink !== null ? CHUNK : opts.initial ?? 4096);
  }

  /** Bytes written so far. */
  get written(): number {
    return this.committed + this.pos;
  }

  private commit(): void {
    if (this.pos === 0) return;
    const chunk = this.buf.subarray(0, this.pos);
    if (this.crc !== null) this.crc.update(chunk);
    this.committed += this.pos;
    if (this.sink !== null) this.sink(chunk);
    else this.chunks.push(chunk);
    this.buf = Buffer.allocUnsafe(this.sink !== null ? CHUNK : 64);
    this.pos = 0;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.sink !== null) {
      this.commit();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
      return;
    }
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.commit();
    this.buf[this.pos++] = b;
  }

  bytes(d: Uint8Array, start = 0, end = d.length): void {
    const n = end - start;
    if (n > CHUNK && this.sink !== null) {
      // large blobs go straight through
      this.commit();
      const copy = Buffer.from(d.subarray(start, end));
      if (this.crc !== null) this.crc.update(copy);
      this.committed += n;
      this.sink(copy);
      return;
    }
    this.room(n);
    this.buf.set(d.subarray(start, end), this.pos);
    this.pos += n;
  }

  /** Raw latin1 text (the magic). */
  raw(s: string): void {
    this.room(s.length);
    this.pos += this.buf.latin1Write(s, this.pos);
  }

  /** rdbSaveLen */
  len(n: number): void {
    this.room(9);
    const b = this.buf;
    if (n < 64) b[this.pos++] = n;
    else if (n < 16384) {
      b[this.pos++] = 0x40 | (n >>> 8);
      b[this.pos++] = n & 0xff;
    } else if (n <= 0xffffffff) {
      b[this.pos++] = 0x80;
      b.writeUInt32BE(n, this.pos);
      this.pos += 4;
    } else {
      b[this.pos++] = 0x81;
      b.writeBigUInt64BE(BigInt(n), this.pos);
      this.pos += 8;
    }
  }

  /** rdbSaveLen of an unsigned 64-bit value that may be a bigint (stream IDs). */
  len64(n: number | bigint): void {
    if (typeof n === 'number') return this.len(n);
    this.room(9);
    this.buf[this.pos++] = 0x81;
    this.buf.writeBigUInt64BE(n, this.pos);
    this.pos += 8;
  }

  /** rdbEncodeInteger: true when v fits an int8/16/32 encoding (and was written). */
  private encodedInt(v: number): boolean {
    this.room(5);
    const b = this.buf;
    if (v >= -128 && v <= 127) {
      b[this.pos++] = 0xc0 | RDB_ENC.INT8;
      b[this.pos++] = v & 0xff;
    } else if (v >= -32768 && v <= 32767) {
      b[this.pos++] = 0xc0 | RDB_ENC.INT16;
      b.writeInt16LE(v, this.pos);
      this.pos += 2;
    } else if (v >= -2147483648 && v <= 2147483647) {
      b[this.pos++] = 0xc0 | RDB_ENC.INT32;
      b.writeInt32LE(v, this.pos);
      this.pos += 4;
    } else return false;
    return true;
  }

  /** rdbSaveLongLongAsStringObject */
  longLongString(v: number): void {
    if (!this.encodedInt(v)) this.string(String(v));
  }

  /**
   * rdbSaveRawString: an integer encoding for short canonical integers,
   * LZF when compression is on, the string is over 20 bytes and LZF saves
   * at least 4 bytes; otherwise length + bytes.
   */
  string(s: string | Uint8Array): void {
    const n = s.length;
    if (n <= 11 && n > 0) {
      const c0 = typeof s === 'string' ? s.charCodeAt(0) : s[0]!;
      if ((c0 >= 48 && c0 <= 57) || c0 === 45) {
        const v = smallInt(s);
        if (v !== null && this.encodedInt(v)) return;
      }
    }
    if (this.compress && n > 20) {
      let input: Uint8Array;
      if (typeof s === 'string') {
        if (lzfIn.length < n) lzfIn = Buffer.allocUnsafe(Math.max(n, lzfIn.length * 2));
        lzfIn.latin1Write(s, 0);
        input = lzfIn;
      } else input = s;
      if (lzfOut.length < n) lzfOut = Buffer.allocUnsafe(Math.max(n, lzfOut.length * 2));
      const clen = lzfCompress(input, n, lzfOut, n - 4);
      if (clen > 0) {
        this.byte(0xc0 | RDB_ENC.LZF);
        this.len(clen);
        this.len(n);
        this.bytes(lzfOut, 0, clen);
      } else {
        this.len(n);
        this.bytes(input, 0, n);
      }
      // don't keep scratch space sized for one huge value
      if (lzfOut.length > SCRATCH_KEEP) {
        lzfIn = Buffer.allocUnsafe(4096);
        lzfOut = Buffer.allocUnsafe(4096);
      }
      return;
    }
    this.len(n);
    if (typeof s !== 'string') return this.bytes(s);
    if (n > CHUNK && this.sink !== null) return this.bytes(Buffer.from(s, 'latin1'));
    this.room(n);
    const b = this.buf;
    if (n <= 24) {
      let p = this.pos;
      for (let i = 0; i < n; i++) b[p++] = s.charCodeAt(i);
      this.pos = p;
    } else this.pos += b.latin1Write(s, this.pos);
  }

  /** An LZF blob as it is (a compressed quicklist node: rdbSaveLzfBlob). */
  lzfBlob(data: Uint8Array, originalLength: number): void {
    this.byte(0xc0 | RDB_ENC.LZF);
    this.len(data.length);
    this.len(originalLength);
    this.bytes(data);
  }

  /** rdbSaveMillisecondTime: int64 LE. */
  ms(t: number): void {
    this.room(8);
    this.buf.writeBigInt64LE(BigInt(Math.trunc(t)), this.pos);
    this.pos += 8;
  }

  /** rdbSaveBinaryDoubleValue */
  double(d: number): void {
    this.room(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /**
   * Ends the output: without a checksum the 8-byte trailer is 0 (Redis's
   * "checksum disabled"). Returns everything written when there is no sink.
   */
  finishWithChecksum(): Buffer | null {
    this.commit();
    const trailer = this.crc !== null ? this.crc.bytes() : Buffer.alloc(8);
    if (this.sink !== null) {
      this.sink(trailer);
      return null;
    }
    this.chunks.push(trailer);
    return Buffer.concat(this.chunks);
  }

  /** Everything written, without any trailer (DUMP payloads add their own). */
  done(): Buffer {
    this.commit();
    return this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
  }
}

/** The value of a canonical integer of at most 11 characters (string2ll), else null. */
function smallInt(s: string | Uint8Array): number | null {
  const n = s.length;
  const at = typeof s === 'string' ? (i: number) => s.charCodeAt(i) : (i: number) => s[i]!;
  let i = 0;
  if (at(0) === 45) {
    if (n === 1) return null;
    i = 1;
  }
  const first = at(i);
  if (first === 48) return n === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  let v = first - 48;
  for (let j = i + 1; j < n; j++) {
    const c = at(j);
    if (c < 48 || c > 57) return null;
    v = v * 10 + (c - 48);
  }
  return i === 1 ? -v : v;
}
