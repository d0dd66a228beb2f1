/** Helpers shared by the set commands (set.ts, set-algebra.ts). */
import { CommandError, Err } from '../core/errors.ts';
import { SetValue, compareIntStrings } from '../../datatypes/set.ts';
import { isInt64 } from '../core/parse.ts';
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

/** set-max-intset-entries */
export function maxIntset(c: Client): number {
  return getConfigNumber(c.server.config, 'set-max-intset-entries', 512);
}

/** Writes members as a RESP3 set (RESP2 array). */
export function replyMembers(c: Client, members: readonly string[]): void {
  const r = c.reply;
  r.set(members.length);
  for (let i = 0; i < members.length; i++) r.bulk(members[i]!);
}

/**
 * The members of `s` in the order a fresh set built from them lists them
 * (SUNION of that one set, as SPOP with a count of at least its size
 * replies): ascending when the fresh set is an intset, i.e. when every member
 * is an integer and there are at most set-max-intset-entries of them.
 */
export function unionOrder(s: SetValue, max: number): readonly string[] {
  const ms = s.members();
  if (s.intset || ms.length > max) return ms;
  for (let i = 0; i < ms.length; i++) if (!isInt64(ms[i]!)) return ms;
  return ms.slice().sort(compareIntStrings);
}
