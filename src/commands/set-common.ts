/** Helpers shared by the set commands (set.ts, set-algebra.ts). */
import { CommandError, Err } from './errors.ts';
import { SetValue } from '../datatypes/set.ts';
import { getConfigNumber } from '../config/config.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import type { Client } from '../server/client.ts';

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
