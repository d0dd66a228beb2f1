/**
 * LRU / LFU hints a key was created with (RESTORE … IDLETIME / FREQ, the
 * IDLE / FREQ opcodes of an RDB file). shardis keeps no access clock per
 * key; a hint is remembered beside the keyspace for OBJECT IDLETIME / FREQ
 * and holds while the key keeps the very value it was given with.
 */
import type { Keyspace } from '../engine/keyspace.ts';
import type { Value } from '../datatypes/value.ts';

interface Hint {
  value: Value;
  /** ms timestamp the key counts as last accessed (-1: no idle hint). */
  accessedAt: number;
  /** LFU counter (-1: no frequency hint). */
  freq: number;
}

const hints = new WeakMap<Keyspace, Map<string, Hint>>();

/** Records the hints of `key` (idle in seconds, freq 0..255; -1 = none). */
export function setKeyHints(ks: Keyspace, key: string, idleSecs: number, freq: number): void {
  const value = ks.data.get(key);
  if (value === undefined || (idleSecs < 0 && freq < 0)) return;
  let m = hints.get(ks);
  if (m === undefined) {
    m = new Map();
    hints.set(ks, m);
  }
  m.set(key, { value, accessedAt: idleSecs >= 0 ? Date.now() - idleSecs * 1000 : -1, freq });
}

function current(ks: Keyspace, key: string): Hint | null {
  const m = hints.get(ks);
  const h = m?.get(key);
  if (h === undefined) return null;
  if (ks.data.get(key) !== h.value) {
    m!.delete(key);
    return null;
  }
  return h;
}

/** Seconds since the key's hinted last access, or null without a hint. */
export function hintedIdleTime(ks: Keyspace, key: string): number | null {
  const h = current(ks, key);
  return h === null || h.accessedAt < 0 ? null : Math.floor((Date.now() - h.accessedAt) / 1000);
}

/** The key's hinted LFU counter, or null without a hint. */
export function hintedFreq(ks: Keyspace, key: string): number | null {
  const h = current(ks, key);
  return h === null || h.freq < 0 ? null : h.freq;
}
