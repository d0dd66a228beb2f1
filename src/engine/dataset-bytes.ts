/**
 * The dataset's own accounting: what a key and its value cost on the
 * V8 heap, estimated from their sizes as stored (not from the heap's
 * total, which moves with garbage and the collector's schedule). Each
 * keyspace keeps the sum current on every write (Keyspace.bytes), so
 * used_memory, MEMORY USAGE and maxmemory eviction track the data exactly
 * and at once: an eviction or UNLINK frees its bytes in the count the
 * moment it happens, as Redis's zmalloc counter does.
 */
import type { CollectionValue } from '../datatypes/value.ts';
import type { Stored } from '../datatypes/stored.ts';
import { stringBytes } from '../datatypes/packed.ts';
import { ENTRY_OBJECT_BYTES, entryBytes, joinedBytes, type Slot } from './key-table.ts';

/** A Buffer value (SETRANGE / SETBIT): the Uint8Array object and its store. */
const BUFFER_OBJECT_BYTES = 96;

/** A stored value's cost now (a collection's bytes()). */
export function valueBytes(v: Stored): number {
  if (typeof v === 'string') return stringBytes(v.length);
  if (v instanceof Buffer) return BUFFER_OBJECT_BYTES + v.length;
  return (v as CollectionValue).bytes();
}

/** What a stored value was counted as: a collection's acct (so what leaves the sum is what entered it). */
function countedBytes(v: Stored): number {
  if (typeof v === 'string') return stringBytes(v.length);
  if (v instanceof Buffer) return BUFFER_OBJECT_BYTES + v.length;
  return (v as CollectionValue).acct;
}

/** Counts a value being stored: its cost now, remembered in a collection's acct. */
function countBytes(v: Stored): number {
  if (typeof v === 'string') return stringBytes(v.length);
  if (v instanceof Buffer) return BUFFER_OBJECT_BYTES + v.length;
  const c = v as CollectionValue;
  return (c.acct = c.bytes());
}

/** What key `key` holding `v` was counted as in the keyspace's sum (a collection by its acct). */
export function countedEntry(key: string, v: Stored): number {
  return entryBytes(key, v, countedBytes(v));
}

/** What the key table's slot `s` (a key and its value) was counted as; 0 for an empty one. */
export function countedSlot(s: Slot): number {
  if (s === undefined) return 0;
  // an entry string: the key and a joined value, one string
  if (typeof s === 'string') return stringBytes(s.length);
  return ENTRY_OBJECT_BYTES + stringBytes(s.k.length) + countedBytes(s.v);
}

/** Counts key `key` being stored with `v`: its cost now (a collection's remembered in its acct). */
export function countEntry(key: string, v: Stored): number {
  return entryBytes(key, v, countBytes(v));
}

/**
 * MEMORY USAGE of a key: its entry in the key table and its value as stored
 * between commands (a collection in small form as its tagged string).
 */
export function keyUsage(key: string, v: Stored): number {
  if (typeof v === 'object' && !(v instanceof Buffer)) {
    const d = (v as CollectionValue).packedData();
    const joined = d === null ? -1 : joinedBytes(key.length, d.length + 1);
    if (joined >= 0) return joined;
  }
  return entryBytes(key, v, valueBytes(v));
}
