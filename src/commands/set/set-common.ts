/** Helpers shared by the set commands (set.ts, set-algebra.ts). */
import { CommandError, Err } from '../core/errors.ts';
import { SetValue, type SetLimits } from '../../datatypes/set.ts';
import { getConfigNumber } from '../../config/config.ts';
import type { Keyspace } from '../../engine/keyspace.ts';
import type { Client } from '../../server/client.ts';

/** The set at `key` (undefined when missing) or WRONGTYPE. */
export function setAt(ks: Keyspace, key: string, read = false): SetValue | undefined {
  const v = read ? ks.lookupRead(key) : ks.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof SetValue)) throw new CommandError(Err.WRONGTYPE);
  return v;
}

/** set-max-intset-entries, set-max-listpack-entries and set-max-listpack-value. */
export function setLimits(c: Client): SetLimits {
  const cfg = c.server.config;
  return {
    setMaxIntsetEntries: getConfigNumber(cfg, 'set-max-intset-entries', 512),
    setMaxListpackEntries: getConfigNumber(cfg, 'set-max-listpack-entries', 128),
    setMaxListpackValue: getConfigNumber(cfg, 'set-max-listpack-value', 64),
  };
}

/** Writes members as a RESP3 set (RESP2 array). */
export function replyMembers(c: Client, members: readonly string[]): void {
  const r = c.reply;
  r.set(members.length);
  for (let i = 0; i < members.length; i++) r.bulk(members[i]!);
}

/**
 * The union of `sets` as Redis's sunionDiffGenericCommand builds it: a
 * fresh intset taking every member of each set in its iteration order
 * (becoming a listpack or a hashtable as setTypeAdd converts).
 */
export function unionOf(sets: ReadonlyArray<SetValue | undefined>, lim: SetLimits): SetValue {
  const out = new SetValue();
  for (const s of sets) if (s !== undefined) out.addMany(s.members(), 0, lim);
  return out;
}
