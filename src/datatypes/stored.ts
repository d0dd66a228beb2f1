/**
 * Values as the keyspace stores them.
 *
 * Small collections as the keyspace stores them between commands: the
 * packed string itself (CollectionValue.packedData()) behind a one-char
 * type tag, so a small hash, set, sorted set or list is one heap object
 * per key instead of a wrapper object and a string (40 bytes less a key).
 *
 * The tags are bytes 0xf8–0xfc, which never begin valid UTF-8 text. A
 * string value that does begin with one is kept as a Buffer instead (the
 * other form a string value takes), so a stored string that begins with a
 * tag is always a packed collection (boxString).
 *
 * Commands never see the tagged form: the keyspace turns it back into a
 * value object when a command looks the key up (unpackValue; the element
 * string is a slice of the stored one, not a copy) and packs objects left
 * in small form again once the command has run (packValue).
 */
import type { CollectionValue, Value } from './value.ts';

/** What the keyspace's `data` holds: a value, or a packed collection's tagged string. */
export type Stored = Value;

import { HashValue } from './hash.ts';
import { SetValue } from './set.ts';
import { ZSetValue } from './zset.ts';
import { ListValue } from './list.ts';
import { begin, finish, putByte, putRaw } from './packed.ts';
export { boxString } from './string-raw.ts';

const TAG_HASH = 0xf8;
const TAG_SET = 0xf9;
const TAG_ZSET = 0xfa;
const TAG_LIST = 0xfb;
/** A hash in Redis 7.4's listpackex encoding (field TTLs with the pairs: HashValue.packedData). */
const TAG_HASH_EX = 0xfc;

/** Whether stored string `s` is a packed collection (begins with a tag). */
export function isPacked(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= TAG_HASH && c <= TAG_HASH_EX;
}


/** The value object of tagged string `s` (its element string a slice of `s`). */
export function unpackValue(s: string): CollectionValue {
  const c = s.charCodeAt(0);
  const d = s.slice(1);
  if (c === TAG_HASH) return HashValue.fromPacked(d);
  if (c === TAG_HASH_EX) return HashValue.fromPackedEx(d);
  if (c === TAG_SET) return new SetValue(d);
  if (c === TAG_ZSET) return new ZSetValue(d);
  return new ListValue(d);
}

/** Whether tagged string `s` is one whose object builds its packed form anew (a listpackex), rather than keeping it. */
export function isRebuilt(s: string): boolean {
  return s.charCodeAt(0) === TAG_HASH_EX;
}

/** `v`'s tagged string while it is small, else null (streams, big forms); `d`: its packedData() when known. */
export function packValue(v: CollectionValue, d = v.packedData()): string | null {
  if (d === null) return null;
  const t = v.type;
  begin();
  putByte(t === 'hash' ? ((v as HashValue).isEx() ? TAG_HASH_EX : TAG_HASH) : t === 'set' ? TAG_SET : t === 'zset' ? TAG_ZSET : TAG_LIST);
  putRaw(d, 0, d.length);
  return finish();
}

/** A stored value as commands see it: a tagged string unpacked (a fresh object each call). */
export function viewOf(v: Stored): Value {
  return typeof v === 'string' && isPacked(v) ? unpackValue(v) : v;
}
