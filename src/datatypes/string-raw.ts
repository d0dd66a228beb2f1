/**
 * Raw string values: what Redis calls the "raw" encoding, an sds string that
 * was modified in place (APPEND, SETRANGE, SETBIT). Here they are Buffers.
 *
 * A Buffer allocated by this module may have spare room after its bytes (as
 * sds keeps after sdsMakeRoomFor), so a run of APPENDs costs O(appended bytes)
 * rather than copying the whole value each time. Room is only ever used when
 * the backing memory provably belongs to the value: its ArrayBuffer was made
 * here, and the value is a view from its start. Buffers from elsewhere (pooled
 * allocations, COPY, SETBIT) are never written past their length.
 */
import type { StringValue } from './value.ts';

/** Backing stores allocated here, dedicated to one value each. */
const owned = new WeakSet<ArrayBufferLike>();

/** sdsMakeRoomFor's greedy growth: double below 1 MB, then 1 MB more. */
const GROW_LIMIT = 1024 * 1024;

function roomFor(len: number): number {
  return len < GROW_LIMIT ? Math.max(len * 2, 16) : len + GROW_LIMIT;
}

/**
 * Strings set whole that are kept as Buffers only because their first byte
 * is a packed collection's tag (datatypes/stored.ts): still "embstr" / "raw"
 * by length, as the string they are; never written in place (an edit makes
 * a new raw value, as for any string set whole).
 */
const boxed = new WeakSet<Buffer>();

/** `s` as a boxed string (see `boxed`). */
export function boxString(s: string): Buffer {
  const b = Buffer.from(s, 'latin1');
  boxed.add(b);
  return b;
}

/** Whether `v` is a string set whole, kept as a Buffer by boxString. */
export function isBoxed(v: Buffer): boolean {
  return boxed.has(v);
}

/** How many bytes the value may grow to in place. */
function capacity(v: Buffer): number {
  if (boxed.has(v)) return 0;
  return v.byteOffset === 0 && owned.has(v.buffer) ? v.buffer.byteLength : v.length;
}

/** A new raw value of `len` bytes with room for `cap`, holding a copy of `old`'s bytes. */
function allocate(old: StringValue | undefined, len: number, cap: number): Buffer {
  const mem = Buffer.allocUnsafeSlow(cap);
  owned.add(mem.buffer);
  const out = cap === len ? mem : mem.subarray(0, len);
  if (old !== undefined) {
    if (typeof old === 'string') out.latin1Write(old, 0);
    else old.copy(out, 0);
  }
  return out;
}

/** The same memory seen with a new length (within capacity). */
function resized(v: Buffer, len: number): Buffer {
  return len === v.length ? v : Buffer.from(v.buffer, 0, len);
}

/** Redis's APPEND on an existing value: the result is raw, written in place when there is room. */
export function appendRaw(v: StringValue, add: string): Buffer {
  const len = v.length;
  const total = len + add.length;
  let out: Buffer;
  if (typeof v !== 'string' && capacity(v) >= total) out = resized(v, total);
  else out = allocate(v, total, roomFor(total));
  if (add.length !== 0) out.latin1Write(add, len);
  return out;
}

/**
 * Redis's SETRANGE: writes `value` at `offset`, zero-padding a gap; returns
 * the raw result, which is `v` itself when it could be changed in place.
 * A missing key (v undefined) gets an exactly sized value, as sdsnewlen.
 */
export function setRangeRaw(v: StringValue | undefined, offset: number, value: string): Buffer {
  const len = v === undefined ? 0 : v.length;
  const end = offset + value.length;
  const total = end > len ? end : len;
  let out: Buffer;
  if (v !== undefined && typeof v !== 'string' && capacity(v) >= total) out = resized(v, total);
  else out = allocate(v, total, v === undefined || total === len ? total : roomFor(total));
  if (offset > len) out.fill(0, len, offset);
  out.latin1Write(value, offset);
  return out;
}
