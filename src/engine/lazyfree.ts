/**
 * Lazy freeing, as Redis reports it. JavaScript's collector frees every
 * value in the background already, so UNLINK, FLUSHDB ASYNC and the
 * lazyfree-lazy-* options free nothing differently here; what they keep is
 * Redis's bookkeeping: a value whose free effort (lazyfreeGetFreeEffort)
 * is above LAZYFREE_THRESHOLD counts as one lazily freed object, and an
 * asynchronous flush counts each key it removed (lazyfreed_objects).
 */
import type { CollectionValue, Value } from '../datatypes/value.ts';
import type { StreamValue } from '../datatypes/stream.ts';
import { getConfigValue, type Config } from '../config/config.ts';

/** LAZYFREE_THRESHOLD: values costing more allocations than this are freed in the background. */
const LAZYFREE_THRESHOLD = 64;
/** Elements a quicklist node holds at the default fill (-2: 8 KB), for a list's node count. */
const LIST_NODE_ELEMENTS = 128;

/** lazyfreeGetFreeEffort: how many allocations freeing `v` would take in Redis. */
export function freeEffort(v: Value): number {
  if (typeof v === 'string' || v instanceof Buffer) return 1;
  const c = v as CollectionValue;
  switch (c.encoding()) {
    case 'quicklist':
      return Math.ceil(c.size() / LIST_NODE_ELEMENTS);
    case 'hashtable':
    case 'skiplist':
      return c.size();
    case 'stream': {
      const s = c as StreamValue;
      let effort = s.nodes.length;
      const groups = s.groups;
      if (groups !== null && groups.size !== 0) effort += groups.size * (1 + groups.values().next().value!.pel.size);
      return effort;
    }
    default:
      return 1;
  }
}

/** Whether Redis would free `v` in the background (dbAsyncDelete). */
export function freedLazily(v: Value): boolean {
  return freeEffort(v) > LAZYFREE_THRESHOLD;
}

/**
 * The command a deletion is replicated as: UNLINK when the lazyfree option
 * for that kind of deletion is on, else DEL (Redis's `lazy ? shared.unlink :
 * shared.del`): `lazyfree-lazy-expire` for EXPIRE / GETEX with a past time,
 * `lazyfree-lazy-server-del` for SPOP emptying a set and RESTORE replacing
 * a key with an already expired one (Redis 7.2, #12320).
 */
export function deletionCommand(config: Config, option: 'lazyfree-lazy-expire' | 'lazyfree-lazy-server-del'): 'UNLINK' | 'DEL' {
  return getConfigValue(config, option) === 'yes' ? 'UNLINK' : 'DEL';
}
