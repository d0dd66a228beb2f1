/**
 * A key's value as JSON for key feeds (docs/feeds.md): `{"type":…,"value":…}`
 * with strings as UTF-8 text, or base64 when the watcher asks for it
 * (binary-safe):
 *   string  "text"
 *   hash    {"field":"value",…}
 *   list    ["a","b",…]                 in order
 *   set     ["a","b",…]                 Redis's order
 *   zset    [["member",score],…]        by score
 *   stream  [{"id":"1-0","fields":{"f":"v"}},…]
 * Scores are JSON numbers ("inf" and "-inf" as strings).
 */
import type { Value } from '../datatypes/value.ts';
import { stringOf } from '../datatypes/value.ts';
import { HashValue } from '../datatypes/hash.ts';
import { ListValue } from '../datatypes/list.ts';
import { SetValue } from '../datatypes/set.ts';
import { ZSetValue } from '../datatypes/zset.ts';
import { StreamValue } from '../datatypes/stream.ts';

/** A byte string (latin1) as a JSON string: UTF-8 text or base64. */
export function jsonBytes(s: string, base64: boolean): string {
  const b = Buffer.from(s, 'latin1');
  return JSON.stringify(base64 ? b.toString('base64') : b.toString('utf8'));
}

const score = (d: number): string => (Number.isFinite(d) ? String(d) : JSON.stringify(d > 0 ? 'inf' : '-inf'));

/** `{"type":…,"value":…}` for `v`. */
export function valueJson(v: Value, base64: boolean): string {
  const str = (s: string): string => jsonBytes(s, base64);
  if (typeof v === 'string' || Buffer.isBuffer(v)) return `{"type":"string","value":${str(stringOf(v))}}`;
  const parts: string[] = [];
  if (v instanceof HashValue) {
    v.forEach((f, x) => parts.push(`${str(f)}:${str(x)}`));
    return `{"type":"hash","value":{${parts.join(',')}}}`;
  }
  if (v instanceof ZSetValue) {
    v.forEach((m, d) => parts.push(`[${str(m)},${score(d)}]`));
    return `{"type":"zset","value":[${parts.join(',')}]}`;
  }
  if (v instanceof StreamValue) {
    for (const node of v.nodes) {
      for (let i = 0; i < node.n; i++) {
        if (node.isDeleted(i)) continue;
        const p = node.pairs(i);
        const fields: string[] = [];
        for (let k = 0; k + 1 < p.length; k += 2) fields.push(`${str(p[k]!)}:${str(p[k + 1]!)}`);
        parts.push(`{"id":"${String(node.entryMs(i))}-${String(node.entrySeq(i))}","fields":{${fields.join(',')}}}`);
      }
    }
    return `{"type":"stream","value":[${parts.join(',')}]}`;
  }
  if (v instanceof ListValue || v instanceof SetValue) {
    for (const e of v.entries()) parts.push(str(e));
    return `{"type":"${v.type}","value":[${parts.join(',')}]}`;
  }
  throw new TypeError(`no JSON form for ${v.type}`);
}
