/**
 * One node of a stream: up to stream-node-max-entries entries in ID order,
 * as one of Redis's listpacks in the stream's rax. The node keeps
 *   - the master ID (its first entry's) and master fields (the first
 *     entry's field names: later entries with the same fields store only
 *     their values, Redis's SAMEFIELDS compression);
 *   - per entry three 32-bit words: ms - master ms, seq, and where its
 *     bytes start (IDs that don't fit switch the node to a `wide` array);
 *   - one byte buffer with every entry: a flags byte (deleted, samefields),
 *     then [field count, field bytes] unless samefields, and the value bytes,
 *     lengths as varints;
 *   - the size the equivalent listpack would have (lpBytes), so nodes fill
 *     up and split exactly where Redis's do (stream-node-max-bytes), which
 *     makes XINFO's radix-tree-keys and the approximate `~` trims match.
 * The words and the bytes share one allocation, taken from the stream's
 * NodeArena. About 13 bytes per entry plus its values; no JS object per entry.
 */
import { deltaInt64, type U64 } from './stream-id.ts';
import { lpIntSize, lpStrSize } from './stream-lpsize.ts';

export const FLAG_DELETED = 1;
export const FLAG_SAMEFIELDS = 2;

const U32_LIMIT = 4294967296;

function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** Where the last readVarint stopped. */
export let varintEnd = 0;

/** Reads a varint at `pos` of `d` (sets varintEnd). */
export function readVarint(d: Uint8Array, pos: number): number {
  let b = d[pos++]!;
  if (b < 128) {
    varintEnd = pos;
    return b;
  }
  let v = b & 127;
  let mul = 128;
  for (;;) {
    b = d[pos++]!;
    v += (b & 127) * mul;
    if (b < 128) break;
    mul *= 128;
  }
  varintEnd = pos;
  return v;
}

function writeVarint(d: Uint8Array, pos: number, v: number): number {
  while (v >= 128) {
    d[pos++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  d[pos++] = v;
  return pos;
}

function writeLatin1(d: Buffer, pos: number, s: string): number {
  const n = s.length;
  if (n <= 32) {
    for (let i = 0; i < n; i++) d[pos + i] = s.charCodeAt(i);
    return pos + n;
  }
  return pos + d.latin1Write(s, pos);
}

/**
 * Storage for one stream's nodes, carved out of larger blocks: creating a
 * backing store costs microseconds, a view on an existing one nanoseconds.
 * Blocks grow geometrically (a small stream pins little), and one is freed
 * once none of its nodes is alive; trims remove the oldest nodes, which
 * share the oldest blocks.
 */
export class NodeArena {
  private block: ArrayBuffer | null = null;
  private used = 0;
  private next = 4096;
  private readonly pooled: boolean;

  /** pooled false: every node gets its own allocation. */
  constructor(pooled = true) {
    this.pooled = pooled;
  }

  alloc(bytes: number): Buffer {
    const size = (bytes + 7) & ~7;
    if (size > 16384 || !this.pooled) return Buffer.allocUnsafeSlow(bytes);
    if (this.block === null || this.used + size > this.block.byteLength) {
      this.block = Buffer.allocUnsafeSlow(Math.max(this.next, size)).buffer as ArrayBuffer;
      this.used = 0;
      if (this.next < 65536) this.next *= 2;
    }
    const b = Buffer.from(this.block, this.used, bytes);
    this.used += size;
    return b;
  }
}

const DIRECT = new NodeArena(false);
const EMPTY_META = new Uint32Array(0);
const EMPTY_DATA = Buffer.alloc(0);

export class StreamNode {
  /** Master ID: the first entry added to the node (its rax key). */
  ms: U64;
  seq: U64;
  /** Master entry fields. */
  fields: string[];
  /** Listpack header counters: live and deleted entries. */
  live = 0;
  deleted = 0;
  /** Entries stored (live + deleted). */
  n = 0;
  /** The listpack's size in bytes. */
  lpBytes: number;
  /** Per entry: ms - master ms, seq, data offset. */
  meta: Uint32Array;
  /** Per entry ms, seq, when some ID doesn't fit in meta (then meta keeps just the offsets). */
  wide: U64[] | null = null;
  data: Buffer;
  used = 0;

  private readonly arena: NodeArena;

  constructor(ms: U64, seq: U64, fields: string[], cap: number, dataCap: number, arena: NodeArena = DIRECT) {
    this.arena = arena;
    this.ms = ms;
    this.seq = seq;
    this.fields = fields;
    this.meta = EMPTY_META;
    this.data = EMPTY_DATA;
    this.realloc(cap, Math.max(16, dataCap));
    if (typeof ms === 'bigint') this.wide = [];
    // header + EOF, count (grows with the first append), deleted, master fields, terminator
    let b = 7 + lpIntSize(0) + lpIntSize(0) + lpIntSize(fields.length) + lpIntSize(0);
    for (let i = 0; i < fields.length; i++) b += lpStrSize(fields[i]!);
    this.lpBytes = b;
  }

  /**
   * Moves meta and data into one new allocation with room for `cap`
   * entries and `dataCap` bytes (one backing store per node: allocating
   * them is what costs).
   */
  private realloc(cap: number, dataCap: number): void {
    const buf = this.arena.alloc(cap * 12 + dataCap);
    const meta = new Uint32Array(buf.buffer, buf.byteOffset, cap * 3);
    meta.set(this.meta.subarray(0, Math.min(this.meta.length, cap * 3)));
    const data = buf.subarray(cap * 12);
    this.data.copy(data, 0, 0, this.used);
    this.meta = meta;
    this.data = data;
  }

  entryMs(i: number): U64 {
    if (this.wide !== null) return this.wide[2 * i]!;
    return (this.ms as number) + this.meta[3 * i]!;
  }

  entrySeq(i: number): U64 {
    if (this.wide !== null) return this.wide[2 * i + 1]!;
    return this.meta[3 * i + 1]!;
  }

  /** Offset of entry i's bytes (its flags byte). */
  offset(i: number): number {
    return this.meta[3 * i + 2]!;
  }

  flags(i: number): number {
    return this.data[this.meta[3 * i + 2]!]!;
  }

  isDeleted(i: number): boolean {
    return (this.data[this.meta[3 * i + 2]!]! & FLAG_DELETED) !== 0;
  }

  /** Compares entry i with (ms, seq). */
  cmp(i: number, ms: U64, seq: U64): number {
    let ems: U64;
    let eseq: U64;
    if (this.wide !== null) {
      ems = this.wide[2 * i]!;
      eseq = this.wide[2 * i + 1]!;
    } else {
      ems = (this.ms as number) + this.meta[3 * i]!;
      eseq = this.meta[3 * i + 1]!;
    }
    if (ems !== ms) return ems < ms ? -1 : 1;
    if (eseq === seq) return 0;
    return eseq < seq ? -1 : 1;
  }

  /** First entry index with ID >= (ms, seq) (n if none). */
  lowerBound(ms: U64, seq: U64): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(mid, ms, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Last entry index with ID <= (ms, seq) (-1 if none). */
  upperBound(ms: U64, seq: U64): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(mid, ms, seq) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Whether entry values args[from+1], args[from+3]… come with exactly the master fields. */
  sameFields(args: readonly string[], from: number, pairs: number): boolean {
    const f = this.fields;
    if (f.length !== pairs) return false;
    for (let i = 0; i < pairs; i++) if (f[i] !== args[from + 2 * i]) return false;
    return true;
  }

  /**
   * Appends an entry (ID greater than every entry's) with the field/value
   * pairs args[from…], as streamAppendItem does to the tail listpack.
   */
  append(ms: U64, seq: U64, args: readonly string[], from: number, pairs: number, same: boolean): void {
    const i = this.n;
    // listpack: the live count is rewritten, then flags, ms and seq deltas, [count, fields], values, lp-count
    const live = this.live;
    let lp = lpIntSize(live + 1) - lpIntSize(live) + lpIntSize(same ? FLAG_SAMEFIELDS : 0);
    lp += lpIntSize(deltaInt64(ms, this.ms)) + lpIntSize(deltaInt64(seq, this.seq));
    let bytes = 1;
    if (!same) {
      lp += lpIntSize(pairs);
      bytes += varintSize(pairs);
    }
    for (let k = 0; k < pairs; k++) {
      const v = args[from + 2 * k + 1]!;
      lp += lpStrSize(v);
      bytes += varintSize(v.length) + v.length;
      if (!same) {
        const f = args[from + 2 * k]!;
        lp += lpStrSize(f);
        bytes += varintSize(f.length) + f.length;
      }
    }
    lp += lpIntSize(pairs + 3 + (same ? 0 : pairs + 1));
    this.lpBytes += lp;

    const metaFull = 3 * (i + 1) > this.meta.length;
    if (metaFull || this.used + bytes > this.data.length) {
      const cap = this.meta.length / 3;
      this.realloc(metaFull ? Math.max(2, cap * 2) : cap, this.used + bytes > this.data.length ? Math.max(this.data.length * 4, this.used + bytes) : this.data.length);
    }
    const m = this.meta;
    m[3 * i + 2] = this.used;
    if (this.wide === null) {
      const base = this.ms as number;
      if (typeof ms === 'number' && typeof seq === 'number' && ms - base < U32_LIMIT && seq < U32_LIMIT) {
        m[3 * i] = ms - base;
        m[3 * i + 1] = seq;
      } else {
        const w: U64[] = [];
        for (let j = 0; j < i; j++) w.push(base + m[3 * j]!, m[3 * j + 1]!);
        this.wide = w;
      }
    }
    if (this.wide !== null) this.wide.push(ms, seq);

    const d = this.data;
    let p = this.used;
    d[p++] = same ? FLAG_SAMEFIELDS : 0;
    if (!same) p = writeVarint(d, p, pairs);
    for (let k = 0; k < pairs; k++) {
      if (!same) {
        const f = args[from + 2 * k]!;
        p = writeVarint(d, p, f.length);
        p = writeLatin1(d, p, f);
      }
      const v = args[from + 2 * k + 1]!;
      p = writeVarint(d, p, v.length);
      p = writeLatin1(d, p, v);
    }
    this.used = p;
    this.n = i + 1;
    this.live = live + 1;
  }

  /** Flags entry i deleted and updates the header counters (the entry must be live). */
  markDeleted(i: number): void {
    this.data[this.meta[3 * i + 2]!]! |= FLAG_DELETED;
    this.lpBytes += lpIntSize(this.live - 1) - lpIntSize(this.live) + lpIntSize(this.deleted + 1) - lpIntSize(this.deleted);
    this.live--;
    this.deleted++;
  }

  /** Releases spare capacity (lpShrinkToFit, when the node stops being the tail). */
  shrink(): void {
    // a little slack is cheaper to keep than a copy
    const spare = (this.meta.length - 3 * this.n) * 4 + this.data.length - this.used;
    if (spare > (this.meta.length * 4 + this.data.length) >> 4) this.realloc(this.n, this.used);
  }

  /** Field count of entry i. */
  numFields(i: number): number {
    const p = this.meta[3 * i + 2]!;
    if (this.data[p]! & FLAG_SAMEFIELDS) return this.fields.length;
    return readVarint(this.data, p + 1);
  }

  /**
   * Field and value strings of entry i, flattened (field, value, …), for
   * the cold paths (digest, persistence); replies read the bytes directly.
   */
  pairs(i: number): string[] {
    const d = this.data;
    let p = this.meta[3 * i + 2]!;
    const same = (d[p++]! & FLAG_SAMEFIELDS) !== 0;
    let nf = this.fields.length;
    if (!same) {
      nf = readVarint(d, p);
      p = varintEnd;
    }
    const out: string[] = [];
    for (let k = 0; k < nf; k++) {
      if (same) out.push(this.fields[k]!);
      else {
        const fl = readVarint(d, p);
        out.push(d.latin1Slice(varintEnd, varintEnd + fl));
        p = varintEnd + fl;
      }
      const vl = readVarint(d, p);
      out.push(d.latin1Slice(varintEnd, varintEnd + vl));
      p = varintEnd + vl;
    }
    return out;
  }

  /** A deep copy (its storage from `arena`). */
  clone(arena: NodeArena = DIRECT): StreamNode {
    const c = new StreamNode(this.ms, this.seq, this.fields, 0, 0, arena);
    c.live = this.live;
    c.deleted = this.deleted;
    c.n = this.n;
    c.lpBytes = this.lpBytes;
    c.meta = this.meta;
    c.data = this.data;
    c.used = this.used;
    c.realloc(this.n, this.used);
    c.wide = this.wide === null ? null : this.wide.slice();
    return c;
  }
}
