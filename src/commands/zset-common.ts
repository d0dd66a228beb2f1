/** Helpers shared by the sorted set commands: lookup, range parsing, replies. */
import { CommandError, Err } from './errors.ts';
import { ZSetValue } from '../datatypes/zset.ts';
import { parseFloatOrNull } from './parse.ts';
import { getConfigNumber } from '../config/config.ts';
import type { LexRange, ScoreRange } from '../datatypes/skiplist.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import type { Client } from '../server/client.ts';

export function zsetAt(ks: Keyspace, key: string, read = false): ZSetValue | undefined {
  const v = read ? ks.lookupRead(key) : ks.get(key);
  if (v === undefined) return undefined;
  if (!(v instanceof ZSetValue)) throw new CommandError(Err.WRONGTYPE);
  return v;
}

/** Adds/updates a member and applies the listpack → skiplist rule. */
export function zsetPut(c: Client, z: ZSetValue, member: string, score: number): void {
  z.set(member, score);
  if (!z.big) {
    const cfg = c.server.config;
    z.checkEncoding(getConfigNumber(cfg, 'zset-max-listpack-entries', 128), getConfigNumber(cfg, 'zset-max-listpack-value', 64), member);
  }
}

/** Deletes the key when the zset is empty, emitting 'del'. */
export function zsetDropIfEmpty(ks: Keyspace, key: string, z: ZSetValue): void {
  if (z.size() === 0) {
    ks.delete(key);
    ks.modified(key, 'del');
  }
}

/** A score argument: `ERR value is not a valid float` (NaN rejected). */
export function parseScore(s: string): number {
  const v = parseFloatOrNull(s);
  if (v === null) throw new CommandError(Err.NOT_FLOAT);
  return v;
}

/** Redis's zslParseRange: "(1.5", "-inf", "+inf", "3". */
export function parseScoreRange(minArg: string, maxArg: string): ScoreRange {
  const one = (s: string): [number, boolean] => {
    const ex = s.startsWith('(');
    const v = parseFloatOrNull(ex ? s.slice(1) : s);
    if (v === null) throw new CommandError(Err.MIN_MAX_FLOAT);
    return [v, ex];
  };
  const [min, minex] = one(minArg);
  const [max, maxex] = one(maxArg);
  return { min, max, minex, maxex };
}

/** Redis's zslParseLexRange: "[a", "(a", "-", "+". */
export function parseLexRange(minArg: string, maxArg: string): LexRange {
  const r: LexRange = { min: null, max: null, minex: false, maxex: false, minInf: false, maxInf: false };
  const one = (s: string, isMin: boolean): void => {
    const c0 = s[0];
    if (s === '+') {
      if (isMin) r.minInf = true;
    } else if (s === '-') {
      if (!isMin) r.maxInf = true;
    } else if (c0 === '(' || c0 === '[') {
      if (isMin) {
        r.min = s.slice(1);
        r.minex = c0 === '(';
      } else {
        r.max = s.slice(1);
        r.maxex = c0 === '(';
      }
    } else throw new CommandError(Err.MIN_MAX_LEX);
  };
  one(minArg, true);
  one(maxArg, false);
  return r;
}

export function isEmptyScoreRange(r: ScoreRange): boolean {
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

export function isEmptyLexRange(r: LexRange): boolean {
  if (r.minInf || r.maxInf) return true;
  if (r.min === null || r.max === null) return false;
  return r.min > r.max || (r.min === r.max && (r.minex || r.maxex));
}

/** Writes members (with scores: RESP3 pairs, RESP2 flat). */
export function replyMembers(c: Client, items: ReadonlyArray<readonly [string, number]>, withScores: boolean): void {
  const r = c.reply;
  if (!withScores) {
    r.array(items.length);
    for (const [m] of items) r.bulk(m);
  } else if (c.resp === 3) {
    r.array(items.length);
    for (const [m, s] of items) {
      r.array(2);
      r.bulk(m);
      r.double(s);
    }
  } else {
    r.array(items.length * 2);
    for (const [m, s] of items) {
      r.bulk(m);
      r.double(s);
    }
  }
}
