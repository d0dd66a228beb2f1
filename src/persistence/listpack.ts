/**
 * Redis's listpack (listpack.c) as bytes: a writer that appends entries as
 * lpAppend / lpAppendInteger encode them, and a validating reader. Layout:
 *   <total-bytes u32 LE> <num-elements u16 LE> <entry>* <0xFF>
 * where each entry is <encoding+data> <backlen>, backlen being the size of
 * <encoding+data> in a reversed varint of 1..5 bytes.
 */
import { canonicalInt } from './rdb-types.ts';

const HDR = 6;
const NUMELE_UNKNOWN = 65535;

/** Bytes of the backlen field for an entry of `l` bytes (lpEncodeBacklen). */
function backlenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

export class ListpackWriter {
  private buf: Buffer;
  private pos = HDR;
  /** Entries appended. */
  count = 0;

  constructor(capacity = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(capacity, 16));
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n + 64));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Bytes the finished listpack will take. */
  get bytes(): number {
    return this.pos + 1;
  }

  private backlen(l: number): void {
    const b = this.buf;
    let p = this.pos;
    if (l <= 127) b[p++] = l;
    else if (l < 16383) {
      b[p++] = l >>> 7;
      b[p++] = (l & 127) | 128;
    } else if (l < 2097151) {
      b[p++] = l >>> 14;
      b[p++] = ((l >>> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    } else if (l < 268435455) {
      b[p++] = l >>> 21;
      b[p++] = ((l >>> 14) & 127) | 128;
      b[p++] = ((l >>> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    } else {
      b[p++] = Math.floor(l / 268435456);
      b[p++] = ((l >>> 21) & 127) | 128;
      b[p++] = ((l >>> 14) & 127) | 128;
      b[p++] = ((l >>> 7) & 127) | 128;
      b[p++] = (l & 127) | 128;
    }
    this.pos = p;
    this.count++;
  }

  /** lpAppend: an integer encoding when s is a canonical int64, else a string. */
  append(s: string): void {
    const n = s.length;
    if (n > 0 && n < 21) {
      const c0 = s.charCodeAt(0);
      if ((c0 >= 48 && c0 <= 57) || c0 === 45) {
        const v = canonicalInt(s);
        if (v !== null) return this.appendInt(v);
      }
    }
    this.appendString(s);
  }

  /** A string entry as is (lpEncodeString). */
  appendString(s: string | Uint8Array): void {
    const n = s.length;
    const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
    this.room(enc + 5);
    const b = this.buf;
    let p = this.pos;
    if (n < 64) b[p++] = 0x80 | n;
    else if (n < 4096) {
      b[p++] = 0xe0 | (n >>> 8);
      b[p++] = n & 0xff;
    } else {
      b[p++] = 0xf0;
      b.writeUInt32LE(n, p);
      p += 4;
    }
    if (typeof s === 'string') {
      if (n <= 32) for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
      else b.latin1Write(s, p);
    } else b.set(s, p);
    this.pos = p + n;
    this.backlen(enc);
  }

  /** lpAppendInteger (lpEncodeIntegerGetType). */
  appendInt(v: number | bigint): void {
    this.room(14);
    const b = this.buf;
    let p = this.pos;
    let enc: number;
    if (typeof v === 'number' && v >= 0 && v <= 127) {
      b[p++] = v;
      enc = 1;
    } else if (typeof v === 'number' && v >= -4096 && v <= 4095) {
      const u = v < 0 ? 8192 + v : v;
      b[p++] = 0xc0 | (u >>> 8);
      b[p++] = u & 0xff;
      enc = 2;
    } else if (typeof v === 'number' && v >= -32768 && v <= 32767) {
      b[p++] = 0xf1;
      b.writeInt16LE(v, p);
      p += 2;
      enc = 3;
    } else if (typeof v === 'number' && v >= -8388608 && v <= 8388607) {
      b[p++] = 0xf2;
      b.writeIntLE(v, p, 3);
      p += 3;
      enc = 4;
    } else if (typeof v === 'number' && v >= -2147483648 && v <= 2147483647) {
      b[p++] = 0xf3;
      b.writeInt32LE(v, p);
      p += 4;
      enc = 5;
    } else {
      b[p++] = 0xf4;
      b.writeBigInt64LE(BigInt(v), p);
      p += 8;
      enc = 9;
    }
    this.pos = p;
    this.backlen(enc);
  }

  /** The finished listpack (header filled in, terminator added). */
  finish(): Buffer {
    this.room(1);
    this.buf[this.pos++] = 0xff;
    this.buf.writeUInt32LE(this.pos, 0);
    this.buf.writeUInt16LE(Math.min(this.count, NUMELE_UNKNOWN), 4);
    return this.buf.subarray(0, this.pos);
  }
}

/** Size in bytes of the listpack entry lpAppend would write for s (header + data + backlen). */
export function listpackEntrySize(s: string): number {
  const n = s.length;
  if (n > 0 && n < 21) {
    const v = canonicalInt(s);
    if (v !== null) {
      if (typeof v === 'bigint') return 10;
      const enc = v >= 0 && v <= 127 ? 1 : v >= -4096 && v <= 4095 ? 2 : v >= -32768 && v <= 32767 ? 3 : v >= -8388608 && v <= 8388607 ? 4 : v >= -2147483648 && v <= 2147483647 ? 5 : 9;
      return enc + 1;
    }
  }
  const enc = n < 64 ? 1 + n : n < 4096 ? 2 + n : 5 + n;
  return enc + backlenSize(enc);
}

/**
 * Reads a listpack held in d[start, end), checking it as lpValidateIntegrity
 * does in deep mode: header size, every entry's encoding, bounds and
 * backlen, the terminator and the element count. Entries come out of next():
 * an integer entry sets `int` (and `str` null), a string entry sets `str`.
 */
export class ListpackReader {
  private readonly d: Uint8Array;
  private p: number;
  private readonly end: number;
  /** Entries declared in the header (65535: unknown). */
  readonly declared: number;
  /** Entries read so far. */
  read = 0;
  str: string | null = null;
  int: number | bigint = 0;
  /** Set when the listpack is malformed. */
  bad = false;

  constructor(d: Uint8Array, start: number, end: number) {
    this.d = d;
    this.end = end;
    this.p = start + HDR;
    const size = end - start;
    const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    if (size < HDR + 1 || b.readUInt32LE(start) !== size || d[end - 1] !== 0xff) {
      this.bad = true;
      this.declared = 0;
    } else this.declared = b.readUInt16LE(start + 4);
  }

  /** Moves to the next entry; false at the end (check `bad`, or call done()). */
  next(): boolean {
    if (this.bad) return false;
    const d = this.d;
    let p = this.p;
    const last = this.end - 1;
    if (p >= last) return false;
    const b = d[p]!;
    let enc: number;
    if (b < 0x80) {
      this.int = b;
      this.str = null;
      enc = 1;
    } else if (b < 0xc0) {
      enc = 1 + (b & 0x3f);
      if (p + enc > last) return this.fail();
      this.str = latin1(d, p + 1, p + enc);
    } else if (b < 0xe0) {
      if (p + 2 > last) return this.fail();
      const u = ((b & 0x1f) << 8) | d[p + 1]!;
      this.int = u >= 4096 ? u - 8192 : u;
      this.str = null;
      enc = 2;
    } else if (b < 0xf0) {
      if (p + 2 > last) return this.fail();
      const n = ((b & 0x0f) << 8) | d[p + 1]!;
      enc = 2 + n;
      if (p + enc > last) return this.fail();
      this.str = latin1(d, p + 2, p + enc);
    } else {
      const view = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
      this.str = null;
      switch (b) {
        case 0xf0: {
          if (p + 5 > last) return this.fail();
          const n = view.readUInt32LE(p + 1);
          enc = 5 + n;
          if (p + enc > last) return this.fail();
          this.str = latin1(d, p + 5, p + enc);
          break;
        }
        case 0xf1: enc = 3; if (p + enc > last) return this.fail(); this.int = view.readInt16LE(p + 1); break;
        case 0xf2: enc = 4; if (p + enc > last) return this.fail(); this.int = view.readIntLE(p + 1, 3); break;
        case 0xf3: enc = 5; if (p + enc > last) return this.fail(); this.int = view.readInt32LE(p + 1); break;
        case 0xf4: {
          enc = 9;
          if (p + enc > last) return this.fail();
          const v = view.readBigInt64LE(p + 1);
          this.int = v >= -9007199254740991n && v <= 9007199254740991n ? Number(v) : v;
          break;
        }
        default:
          return this.fail();
      }
    }
    p += enc;
    // the backlen, written backwards: check it encodes enc
    const bl = backlenSize(enc);
    if (p + bl > last) return this.fail();
    let val = 0;
    let shift = 1;
    for (let k = p + bl - 1; k >= p; k--) {
      val += (d[k]! & 127) * shift;
      shift *= 128;
      if (k > p && !(d[k]! & 128)) return this.fail();
    }
    if (val !== enc || (d[p]! & 128) !== 0) return this.fail();
    this.p = p + bl;
    this.read++;
    return true;
  }

  /** The current entry as a string (integers in decimal). */
  value(): string {
    return this.str !== null ? this.str : String(this.int);
  }

  private fail(): boolean {
    this.bad = true;
    return false;
  }

  /** True when the whole listpack was read and was well formed. */
  done(): boolean {
    if (this.bad || this.p !== this.end - 1) return false;
    return this.declared === NUMELE_UNKNOWN || this.read === this.declared;
  }
}

function latin1(d: Uint8Array, a: number, b: number): string {
  if (b - a === 1) return String.fromCharCode(d[a]!);
  return Buffer.from(d.buffer, d.byteOffset + a, b - a).latin1Slice(0, b - a);
}

/** Every entry of a listpack as strings, or null when it is malformed. */
export function listpackStrings(d: Uint8Array, start: number, end: number): string[] | null {
  const r = new ListpackReader(d, start, end);
  const out: string[] = [];
  while (r.next()) out.push(r.value());
  return r.done() ? out : null;
}
