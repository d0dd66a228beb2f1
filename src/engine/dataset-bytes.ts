/**
 * The dataset's own accounting: what a key, a value and a TTL cost on the
 * V8 heap, estimated from their sizes as stored (not from the heap's
 * total, which moves with garbage and the collector's schedule). Each
 * keyspace keeps the sum current on every write (Keyspace.bytes), so
 * used_memory, MEMORY USAGE and maxmemory eviction track the data exactly
 * and at once: an eviction or UNLINK frees its bytes in the count the
 * moment it happens, as Redis's zmalloc counter does.
 */
import { MAP_ENTRY_BYTES, type CollectionValue } from '../datatypes/value.ts';
import type { Stored } from '../datatypes/stored.ts';
import { stringBytes } from '../datatypes/packed.ts';

/** A Buffer value (SETRANGE / SETBIT): the Uint8Array object and its store. */
const BUFFER_OBJECT_BYTES = 96;
/** A TTL: its `expires` Map entry and the boxed double of its time. */
export const EXPIRE_ENTRY_BYTES = MAP_ENTRY_BYTES + 16;

/** A key's own cost: its string and its entry in the keyspace's Map. */
export function keyBytes(key: string): number {
  return stringBytes(key.length) + MAP_ENTRY_BYTES;
}

/** A stored value's cost now (a collection's bytes(); an integer lives in its Map slot). */
export function valueBytes(v: Stored): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return stringBytes(v.length);
  if (v instanceof Buffer) return BUFFER_OBJECT_BYTES + v.length;
  return (v as CollectionValue).bytes();
}

/** What a stored value was counted as: a collection's acct (so what leaves the sum is what entered it). */
export function countedBytes(v: Stored): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return stringBytes(v.length);
  if (v instanceof Buffer) return BUFFER_OBJECT_BYTES + v.length;
  return (v as CollectionValue).acct;
}

/** Counts a value being stored: its cost now, remembered in a collection's acct. */
export function countBytes(v: Stored): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return stringBytes(v.length);
  if (v instanceof Buffer) return BUFFER_OBJECT_BYTES + v.length;
  const c = v as CollectionValue;
  return (c.acct = c.bytes());
}

/** MEMORY USAGE of a key: its entry, string and value as stored. */
export function keyUsage(key: string, v: Stored): number {
  return keyBytes(key) + valueBytes(v);
}
