/** SORT and SORT_RO: BY / LIMIT / GET / ASC|DESC / ALPHA / STORE, as Redis's sort.c. */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isOpt, parseFloatOrNull, parseInteger } from '../core/parse.ts';
import { isString, stringOf } from '../../datatypes/value.ts';
import { ListValue } from '../../datatypes/list.ts';
import { listFill } from '../list/list-common.ts';
import { SetValue } from '../../datatypes/set.ts';
import { ZSetValue } from '../../datatypes/zset.ts';
import { HashValue } from '../../datatypes/hash.ts';
import type { Client } from '../../server/client.ts';
import { keySlot, patternHashSlot } from '../../engine/slots.ts';
import { getConfigValue } from '../../config/config.ts';

/** 7.2+: in cluster mode BY / GET patterns must form keys of the sorted key's slot. */
const crossSlot = (opt: string): string =>
  `ERR ${opt} option of SORT denied in Cluster mode when keys formed by the pattern may be in different slots.`;

/** Redis's lookupKeyByPattern: "#" is the element, "w_*" a key, "h_*->f" a hash field. */
function lookupByPattern(c: Client, pattern: string, element: string): string | null {
  if (pattern === '#') return element;
  const star = pattern.indexOf('*');
  if (star < 0) return null;
  const arrow = pattern.indexOf('->', star + 1);
  const hasField = arrow >= 0 && arrow + 2 < pattern.length;
  const keyPattern = hasField ? pattern.slice(0, arrow) : pattern;
  const key = keyPattern.slice(0, star) + element + keyPattern.slice(star + 1);
  const v = c.ks(key).get(key);
  if (v === undefined) return null;
  if (hasField) {
    if (!(v instanceof HashValue)) return null;
    return v.get(pattern.slice(arrow + 2)) ?? null;
  }
  return isString(v) ? stringOf(v) : null;
}

interface Item {
  el: string;
  score: number;
  cmp: string | null;
}

function sortGeneric(c: Client, args: string[], readOnly: boolean): void {
  let desc = false;
  let alpha = false;
  let offset = 0;
  let count = -1;
  let byPattern: string | null = null;
  let dontSort = false;
  let store: string | null = null;
  const gets: string[] = [];
  // BY and GET patterns read arbitrary keys: only for users that may read every key
  const acl = c.server.acl;
  const cmd = acl.table.resolve(args)!;
  const fullAccess = acl.unrestrictedRead(c.user, cmd, args);
  const cluster = getConfigValue(c.server.config, 'cluster-enabled') === 'yes';
  for (let j = 2; j < args.length; j++) {
    const a = args[j]!;
    const left = args.length - j - 1;
    if (isOpt(a, 'ASC')) desc = false;
    else if (isOpt(a, 'DESC')) desc = true;
    else if (isOpt(a, 'ALPHA')) alpha = true;
    else if (isOpt(a, 'LIMIT') && left >= 2) {
      offset = parseInteger(args[j + 1]!);
      count = parseInteger(args[j + 2]!);
      j += 2;
    } else if (isOpt(a, 'STORE') && left >= 1 && !readOnly) {
      store = args[++j]!;
    } else if (isOpt(a, 'BY') && left >= 1) {
      byPattern = args[++j]!;
      // a BY pattern without '*' means "don't sort"
      if (!byPattern.includes('*')) dontSort = true;
      else if (cluster && patternHashSlot(byPattern) !== keySlot(args[1]!)) throw new CommandError(crossSlot('BY'));
      else if (!fullAccess) throw new CommandError('ERR BY option of SORT denied due to insufficient ACL permissions.');
    } else if (isOpt(a, 'GET') && left >= 1) {
      if (cluster && patternHashSlot(args[j + 1]!) !== keySlot(args[1]!)) throw new CommandError(crossSlot('GET'));
      if (!fullAccess) throw new CommandError('ERR GET option of SORT denied due to insufficient ACL permissions.');
      gets.push(args[++j]!);
    } else throw new CommandError(Err.SYNTAX);
  }
  const key = args[1]!;
  const ks = c.ks(key);
  const v = store === null ? ks.lookupRead(key) : ks.get(key);
  let elements: string[] = [];
  if (v !== undefined) {
    if (v instanceof ListValue) elements = v.toArray();
    else if (v instanceof SetValue) elements = [...v.members()];
    else if (v instanceof ZSetValue) {
      // as Redis 7.0: SORT converts a listpack sorted set to a skiplist for good (its bytes re-counted):
      // the keyspace's own object, not the view a read gets
      let z = v;
      if (!z.big) {
        z = ks.owned(key) as ZSetValue;
        z.toBig();
        ks.charge(key, z, z);
      }
      elements = z.members();
    }
    else throw new CommandError(Err.WRONGTYPE);
  }
  // a sorted set with "don't sort" keeps its order; DESC walks it backwards
  if (dontSort && v instanceof ZSetValue && desc) elements.reverse();
  if (dontSort && v instanceof SetValue && (store !== null || c.ext.script === true)) {
    // a set's order is arbitrary: Redis forces an ALPHA sort when storing it or replying to a script
    dontSort = false;
    alpha = true;
    byPattern = null;
  }
  const items: Item[] = elements.map((el) => ({ el, score: 0, cmp: null }));
  if (!dontSort) {
    for (const it of items) {
      const w = byPattern === null ? it.el : lookupByPattern(c, byPattern, it.el);
      if (alpha) it.cmp = w;
      else if (w !== null) {
        const d = parseFloatOrNull(w);
        if (d === null) throw new CommandError("ERR One or more scores can't be converted into double");
        it.score = d;
      }
    }
    items.sort((a, b) => {
      let r: number;
      if (alpha) {
        // ALPHA ties (equal or missing BY values) keep their order, as Redis's stable qsort does
        if (a.cmp === null || b.cmp === null) r = a.cmp === b.cmp ? 0 : a.cmp === null ? -1 : 1;
        else r = a.cmp < b.cmp ? -1 : a.cmp > b.cmp ? 1 : 0;
      } else {
        r = a.score < b.score ? -1 : a.score > b.score ? 1 : 0;
        // equal scores are ordered by the element itself, for a deterministic result
        if (r === 0) r = a.el < b.el ? -1 : a.el > b.el ? 1 : 0;
      }
      return desc ? -r : r;
    });
  }
  let start = offset < 0 ? 0 : offset;
  let end = count < 0 ? items.length : start + count;
  if (start > items.length) start = items.length;
  if (end > items.length) end = items.length;
  const picked = items.slice(start, end);
  const out: Array<string | null> = [];
  for (const it of picked) {
    if (gets.length === 0) out.push(it.el);
    else for (const g of gets) out.push(lookupByPattern(c, g, it.el));
  }
  if (store === null) {
    c.reply.array(out.length);
    for (const s of out) c.reply.bulkOrNull(s);
    return;
  }
  const dks = c.ks(store);
  if (out.length === 0) {
    if (dks.delete(store)) dks.modified(store, 'del');
  } else {
    dks.set(store, ListValue.from(out.map((s) => s ?? ''), listFill(c)));
    dks.modified(store, 'sortstore');
  }
  c.reply.int(out.length);
}

/** SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination] */
const sort = command({
  name: 'sort', arity: -2, flags: ['write', 'denyoom', 'movablekeys'], firstKey: 1, lastKey: 1, step: 1,
  group: 'generic',
  acl: ['@set', '@sortedset', '@list', '@dangerous'],
  groupAcl: false,
  keys: (args) => {
    // only the last STORE counts, as in Redis's sortGetKeys
    let store = -1;
    for (let j = 2; j < args.length - 1; j++) if (isOpt(args[j]!, 'STORE')) store = ++j;
    return store < 0 ? [1] : [1, store];
  },
  handler(c, args) {
    sortGeneric(c, args, false);
  },
});

/** SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] */
const sortRo = command({
  name: 'sort_ro', arity: -2, flags: ['readonly', 'movablekeys'], firstKey: 1, lastKey: 1, step: 1,
  group: 'generic',
  acl: ['@set', '@sortedset', '@list', '@dangerous'],
  groupAcl: false,
  handler(c, args) {
    sortGeneric(c, args, true);
  },
});

export const sortCommands: CommandSpec[] = [sort, sortRo];
