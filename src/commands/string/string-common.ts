/** What the string family's files share: reading a string value, the length limit. */
import { CommandError, Err } from '../core/errors.ts';
import { isString, type StringValue } from '../../datatypes/value.ts';
import type { Client } from '../../server/client.ts';

/** The string value at key for a read command (counts hits/misses), null when missing; WRONGTYPE for other types. */
export function readString(c: Client, key: string): StringValue | null {
  const v = c.ks(key).lookupRead(key);
  if (v === undefined) return null;
  if (typeof v === 'string' || isString(v)) return v;
  throw new CommandError(Err.WRONGTYPE);
}

/** Redis's checkStringLength: a string may not grow past proto-max-bulk-len. */
export function checkStringLength(c: Client, size: number, append: number): void {
  if (size + append > c.server.config.protoMaxBulkLen) throw new CommandError(Err.STRING_TOO_LONG);
}
