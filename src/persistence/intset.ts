/**
 * Redis's intset (intset.c) as bytes: <encoding u32 LE: 2|4|8> <length u32 LE>
 * <length sorted integers of that width, LE>. Sets keep their intsets in
 * this layout already (datatypes/intset.ts); these convert member lists.
 */
import { intsetFromBlob, intsetFromSorted, intsetMembers, intsetToBlob } from '../datatypes/intset.ts';
import { isInt64 } from '../commands/core/parse.ts';

/** The intset holding `members`: canonical int64 strings, already in ascending numeric order. */
export function encodeIntset(members: readonly string[]): Buffer {
  for (const m of members) if (!isInt64(m)) throw new Error(`intset member is not an integer: ${m}`);
  return intsetToBlob(intsetFromSorted(members));
}

/**
 * The members of the intset in d[start, end) as decimal strings, or null when
 * it is malformed: bad encoding or size, empty, or not strictly ascending
 * (intsetValidateIntegrity in deep mode).
 */
export function decodeIntset(d: Uint8Array, start: number, end: number): string[] | null {
  const s = intsetFromBlob(d, start, end);
  return s === null ? null : intsetMembers(s);
}
