/**
 * Encoding and prefix helpers of client-side caching (tracking.ts): the
 * value part of invalidation messages and BCAST prefix collisions.
 */

export function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

export function encodeKeys(keys: readonly string[]): string {
  let s = '*' + keys.length + '\r\n';
  for (const k of keys) s += bulk(k);
  return s;
}

/** memcmp order over latin1 strings (a rax iterates keys this way). */
export function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** stringCheckPrefix: one is a prefix of the other. */
export function overlaps(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) === b.slice(0, n);
}

/** %s of an sds stops at the first NUL byte. */
export function cstr(s: string): string {
  const i = s.indexOf('\0');
  return i < 0 ? s : s.slice(0, i);
}

/** checkPrefixCollisionsOrReply: the error for the first prefix that overlaps an existing or another given one, or null. */
export function prefixCollision(mine: ReadonlySet<string> | null | undefined, prefixes: readonly string[]): string | null {
  for (let i = 0; i < prefixes.length; i++) {
    const p = prefixes[i]!;
    if (mine) {
      for (const q of [...mine].sort()) {
        if (overlaps(q, p)) return `ERR Prefix '${cstr(p)}' overlaps with an existing prefix '${cstr(q)}'. Prefixes for a single client must not overlap.`;
      }
    }
    for (let j = i + 1; j < prefixes.length; j++) {
      if (overlaps(p, prefixes[j]!)) return `ERR Prefix '${cstr(p)}' overlaps with another provided prefix '${cstr(prefixes[j]!)}'. Prefixes for a single client must not overlap.`;
    }
  }
  return null;
}
