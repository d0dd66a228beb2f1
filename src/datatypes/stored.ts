/**
 * Values as the keyspace stores them.
 *
 * Integers: a string value that is a canonical integer in V8's small-integer
 * range (-2^31 .. 2^31-1, as Redis's string2l would print it back) is stored
 * as the number itself, which the keyspace's Map holds in its slot with no
 * object of its own (Redis keeps such values as int-encoded objects, and
 * shares 0..9999): OBJECT ENCODING says "int" as before, and a lookup gives
 * the string again.
 *
 * Small collections as the keyspace stores them between commands: the
 * packed string itself (CollectionValue.packedData()) behind a one-char
 * type tag, so a small hash, set, sorted set or list is one heap object
 * per key instead of a wrapper object and a string (40 bytes less a key).
 *
 * The tags are bytes 0xf8–0xfb, which never begin valid UTF-8 text. A
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

/** What the keyspace's `data` holds: a value, a packed collection's tagged string or an integer. */
export type Stored = Value | number;

/**
 * Whether string value `s` is stored as a number: a canonical integer
 * (String(+s) === s: only a leading '-', no leading zeros, not "-0") within
 * -2^31 .. 2^31-1.
 */
export function isStoredInt(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 11) return false;
  const c = s.charCodeAt(0);
  if (c === 45 /* - */) {
    if (n === 1) return false;
    const d = s.charCodeAt(1);
    if (d < 49 || d > 57) return false;
  } else if (c < 48 || c > 57 || (c === 48 && n > 1)) return false;
  for (let i = 1; i < n; i++) {
    const d = s.charCodeAt(i);
    if (d < 48 || d > 57) return false;
  }
  const v = +s;
  return v >= -2147483648 && v <= 2147483647;
}

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

/** Whether stored string `s` is a packed collection (begins with a tag). */
export function isPacked(s: string): boolean {
  const c = s.charCodeAt(0);
  return c >= TAG_HASH && c <= TAG_LIST;
}


/** The value object of tagged string `s` (its element string a slice of `s`). */
export function unpackValue(s: string): CollectionValue {
  const c = s.charCodeAt(0);
  const d = s.slice(1);
  if (c === TAG_HASH) return HashValue.fromPacked(d);
  if (c === TAG_SET) return new SetValue(d);
  if (c === TAG_ZSET) return new ZSetValue(d);
  return new ListValue(d);
}

/** `v`'s tagged string while it is small, else null (streams, big forms). */
export function packValue(v: CollectionValue): string | null {
  const d = v.packedData();
  if (d === null) return null;
  const t = v.type;
  begin();
  putByte(t === 'hash' ? TAG_HASH : t === 'set' ? TAG_SET : t === 'zset' ? TAG_ZSET : TAG_LIST);
  putRaw(d, 0, d.length);
  return finish();
}

/** A stored value as commands see it: a tagged string unpacked (a fresh object each call), an integer as its string. */
export function viewOf(v: Stored): Value {
  if (typeof v === 'number') return String(v);
  return typeof v === 'string' && isPacked(v) ? unpackValue(v) : v;
}
