/**
 * A key table's entries (key-table.ts): a key and a short value joined into
 * ONE flat string, the *entry string* — the key as a packed.ts element (its
 * length's varint, one char below 128, then its chars), then the value —
 * or an Entry object for any other value (Buffers, collection objects,
 * strings over JOIN_MAX). Also the keys' hash.
 */
import type { Stored } from '../datatypes/stored.ts';
import { begin, dataAt, finish, hdr, headerSize, putLen, stringBytes } from '../datatypes/packed.ts';

/** A key whose value is not kept in its entry string. */
export class Entry {
  k: string;
  v: Stored;
  constructor(k: string, v: Stored) {
    this.k = k;
    this.v = v;
  }
}

/** Longest string value joined into its entry string (a longer one would be copied by every write). */
const JOIN_MAX = 256;
/** An Entry object: header, properties and elements words, two fields. */
export const ENTRY_OBJECT_BYTES = 40;
/** Per-process hash seed (keys chosen to collide cannot be precomputed). */
const SEED = (Math.random() * 0x100000000) | 0;

/** MurmurHash3 (x86, 32-bit) over the key's chars taken four at a time, seeded. */
export function hashOf(key: string): number {
  const n = key.length;
  let h = SEED ^ n;
  let i = 0;
  for (const end = n & ~3; i < end; i += 4) {
    let k = key.charCodeAt(i) | (key.charCodeAt(i + 1) << 8) | (key.charCodeAt(i + 2) << 16) | (key.charCodeAt(i + 3) << 24);
    k = Math.imul(k, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    h ^= k;
    h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  }
  let k = 0;
  for (let shift = 0; i < n; i++, shift += 8) k |= key.charCodeAt(i) << shift;
  if (k !== 0 || (n & 3) !== 0) {
    k = Math.imul(k, 0xcc9e2d51);
    h ^= Math.imul((k << 15) | (k >>> 17), 0x1b873593);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The join's scratch array: header, key, value. */
const parts = ['', '', ''];

/** The header of a key of `n` chars: packed.ts's element varint, as a string. */
function keyHeader(n: number): string {
  if (n < 0x80) return String.fromCharCode(n);
  begin();
  putLen(n);
  return finish();
}

/** Whether stored value `v` is joined into its key's entry string. */
function joins(v: Stored): v is string {
  return typeof v === 'string' && v.length <= JOIN_MAX;
}

/** The entry of `key` holding `v`: built as one flat string (concatenation would leave a tree of cons strings). */
export function encode(key: string, v: Stored): string | Entry {
  if (!joins(v)) return new Entry(key, v);
  const n = key.length;
  parts[0] = keyHeader(n);
  parts[1] = key;
  parts[2] = v;
  const s = parts.join('');
  // the scratch array must not keep the last key (which may be long) alive
  parts[1] = parts[2] = '';
  return s;
}

/** Whether entry `s` is key `key`'s. */
export function matches(s: string | Entry, key: string): boolean {
  if (typeof s !== 'string') return s.k === key;
  const n = key.length;
  // indexOf from the key's place measures faster than startsWith there (15 vs 27 ns for a 16-char key)
  if (n < 0x80) return s.charCodeAt(0) === n && s.indexOf(key, 1) === 1;
  const at = dataAt(s, 0);
  return hdr.len === n && s.indexOf(key, at) === at;
}

/** The key of entry `s` (a slice of an entry string). */
export function keyOf(s: string | Entry): string {
  if (typeof s !== 'string') return s.k;
  const at = dataAt(s, 0);
  return s.slice(at, at + hdr.len);
}

/** The value of entry `s` (a slice of an entry string). */
export function valueOf(s: string | Entry): Stored {
  if (typeof s !== 'string') return s.v;
  return s.slice(dataAt(s, 0) + hdr.len);
}

/** What a key costs as stored with value `v`, `valueBytes` being what `v` counts for when it is not joined. */
export function entryBytes(key: string, v: Stored, valueBytes: number): number {
  if (!joins(v)) return ENTRY_OBJECT_BYTES + stringBytes(key.length) + valueBytes;
  return joinedBytes(key.length, v.length);
}

/** An entry string's cost for a key of `keyLen` chars and a value of `valueLen`; -1 when such a value is not joined. */
export function joinedBytes(keyLen: number, valueLen: number): number {
  return valueLen <= JOIN_MAX ? stringBytes(headerSize(keyLen) + keyLen + valueLen) : -1;
}
