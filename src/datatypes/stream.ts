/**
 * The stream type (Redis's t_stream.c data layer): an ordered array of
 * nodes (stream-node.ts) standing in for Redis's rax of listpacks, found by
 * binary search on their master IDs, plus the stream's counters (length,
 * last/first/max-deleted IDs, entries added) and its consumer groups.
 *
 * Appends go to the last node until it reaches stream-node-max-entries or
 * stream-node-max-bytes (by the listpack size Redis would have); XDEL flags
 * entries deleted and drops a node when its last live entry goes; trimming
 * drops whole nodes first and, unless approximate, flags entries of the
 * next one: all as Redis does, so lengths after `MAXLEN ~` match.
 */
import type { CollectionValue } from './value.ts';
import { NodeArena, StreamNode } from './stream-node.ts';
import { ConsumerGroup, INVALID_ENTRIES_READ } from './stream-cgroup.ts';
import {
  cmpId, idKeyBytes, isMaxU64, isZeroId, u64Incr, u64Sub, MAX_ID, MIN_ID, type StreamID, type U64,
} from './stream-id.ts';

/** STREAM_LISTPACK_MAX_SIZE */
const LISTPACK_MAX_SIZE = 1 << 30;

export type AppendError = 'EDOM' | 'ERANGE';

/** How to trim (streamAddTrimArgs). */
export interface TrimSpec {
  maxlen: boolean;
  /** MAXLEN threshold. */
  count: number;
  /** MINID threshold. */
  minid: StreamID;
  approx: boolean;
  /** Most entries to remove (0 = no limit). */
  limit: number;
}

/** Entry positions found by a range scan. */
export interface Positions {
  nodes: StreamNode[];
  idx: number[];
}

/** A node's objects (StreamNode, its meta array and buffer) besides its entries' bytes. */
const NODE_OVERHEAD = 320;
/** A consumer group's objects besides its pending entries. */
const GROUP_OVERHEAD = 256;
/** One pending entry (PEL record in the group's and the consumer's tables). */
const PENDING_BYTES = 120;

export class StreamValue implements CollectionValue {
  get type(): 'stream' {
    return 'stream';
  }
  acct = 0;
  nodes: StreamNode[] = [];
  length = 0;
  lastId: StreamID = MIN_ID;
  /** The first live entry (0-0 when empty). */
  firstId: StreamID = MIN_ID;
  maxDeletedId: StreamID = MIN_ID;
  entriesAdded: U64 = 0;
  groups: Map<string, ConsumerGroup> | null = null;
  private arena = new NodeArena();

  encoding(): string {
    return 'stream';
  }

  size(): number {
    return this.length;
  }

  /** Streams are always stored as this object. */
  packedData(): null {
    return null;
  }

  /**
   * An O(1) estimate: per node its objects plus its entries at the tail
   * node's average entry size, and each group with its pending entries.
   */
  bytes(): number {
    const nodes = this.nodes;
    let b = 256 + nodes.length * NODE_OVERHEAD;
    if (nodes.length !== 0) {
      const tail = nodes[nodes.length - 1]!;
      const n = tail.live + tail.deleted;
      if (n !== 0) b += Math.round((tail.lpBytes / n) * this.length);
    }
    if (this.groups !== null) for (const g of this.groups.values()) b += GROUP_OVERHEAD + g.pel.size * PENDING_BYTES;
    return b;
  }

  /**
   * streamAppendItem: adds the pairs args[from…] with the next automatic ID,
   * `useId` (seqGiven false: its sequence is generated), returning the ID
   * or why it failed.
   */
  append(
    args: readonly string[], from: number, pairs: number, useId: StreamID | null, seqGiven: boolean,
    now: number, maxEntries: number, maxBytes: number,
  ): StreamID | AppendError {
    const last = this.lastId;
    let ms: U64;
    let seq: U64;
    if (useId !== null) {
      if (seqGiven) {
        ms = useId.ms;
        seq = useId.seq;
      } else if (last.ms === useId.ms) {
        // Redis 7.4: EDOM, "equal or smaller" (7.0 failed without errno: "Elements are too large")
        if (isMaxU64(last.seq)) return 'EDOM';
        ms = last.ms;
        seq = u64Incr(last.seq);
      } else {
        ms = useId.ms;
        seq = 0;
      }
    } else if (now > last.ms) {
      ms = now;
      seq = 0;
    } else if (isMaxU64(last.seq)) {
      if (isMaxU64(last.ms)) return 'EDOM';
      ms = u64Incr(last.ms);
      seq = 0;
    } else {
      ms = last.ms;
      seq = u64Incr(last.seq);
    }
    if (cmpId(ms, seq, last.ms, last.seq) <= 0) return 'EDOM';
    let total = 0;
    let values = 0;
    for (let i = 0; i < pairs; i++) {
      const v = args[from + 2 * i + 1]!.length;
      values += v;
      total += args[from + 2 * i]!.length + v;
    }
    if (total > LISTPACK_MAX_SIZE) return 'ERANGE';

    const nodes = this.nodes;
    let tail = nodes.length === 0 ? null : nodes[nodes.length - 1]!;
    if (tail !== null) {
      const limit = maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE ? LISTPACK_MAX_SIZE : maxBytes;
      if (tail.lpBytes + total >= limit || (maxEntries !== 0 && tail.live + tail.deleted >= maxEntries)) {
        tail.shrink();
        tail = null;
      }
    }
    let same = true;
    if (tail === null) {
      const fields: string[] = new Array(pairs);
      for (let i = 0; i < pairs; i++) fields[i] = args[from + 2 * i]!;
      // room for a full node of entries like this one (it shrinks to fit once full)
      const cap = maxEntries > 0 && maxEntries <= 128 ? maxEntries : 16;
      const bytes = Math.min(8192, cap * (values + pairs + 1));
      tail = new StreamNode(ms, seq, fields, cap, bytes, this.arena);
      nodes.push(tail);
    } else {
      same = tail.sameFields(args, from, pairs);
    }
    tail.append(ms, seq, args, from, pairs, same);
    const id: StreamID = { ms, seq };
    this.length++;
    this.entriesAdded = u64Incr(this.entriesAdded);
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
    return id;
  }

  /** Index of the last node whose master ID <= (ms, seq), -1 if none. */
  nodeAtOrBefore(ms: U64, seq: U64): number {
    const nodes = this.nodes;
    let lo = 0;
    let hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const n = nodes[mid]!;
      if (cmpId(n.ms, n.seq, ms, seq) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The live entry with this ID: [node index, entry index], or null. */
  find(ms: U64, seq: U64): [number, number] | null {
    const k = this.nodeAtOrBefore(ms, seq);
    if (k < 0) return null;
    const node = this.nodes[k]!;
    const i = node.lowerBound(ms, seq);
    if (i >= node.n || node.cmp(i, ms, seq) !== 0 || node.isDeleted(i)) return null;
    return [k, i];
  }

  /** streamEntryExists */
  has(id: StreamID): boolean {
    return this.find(id.ms, id.seq) !== null;
  }

  /** streamDeleteItem: flags the entry deleted (dropping its node when it was the node's last live one). */
  delete(id: StreamID): boolean {
    const at = this.find(id.ms, id.seq);
    if (at === null) return false;
    const node = this.nodes[at[0]]!;
    if (node.live === 1) this.nodes.splice(at[0], 1);
    else node.markDeleted(at[1]);
    this.length--;
    return true;
  }

  /**
   * Live entries with IDs in [start, end], ascending (descending when rev),
   * at most count (0 = all): streamIteratorStart + GetID.
   */
  range(start: StreamID, end: StreamID, rev: boolean, count: number): Positions {
    const out: Positions = { nodes: [], idx: [] };
    const nodes = this.nodes;
    if (nodes.length === 0 || cmpId(start.ms, start.seq, end.ms, end.seq) > 0) return out;
    let left = count === 0 ? Infinity : count;
    if (!rev) {
      let k = isZeroId(start) ? 0 : Math.max(0, this.nodeAtOrBefore(start.ms, start.seq));
      let i = nodes[k]!.lowerBound(start.ms, start.seq);
      for (; k < nodes.length; k++, i = 0) {
        const node = nodes[k]!;
        for (; i < node.n; i++) {
          if (node.isDeleted(i)) continue;
          if (node.cmp(i, end.ms, end.seq) > 0) return out;
          out.nodes.push(node);
          out.idx.push(i);
          if (--left === 0) return out;
        }
      }
    } else {
      let k = this.nodeAtOrBefore(end.ms, end.seq);
      if (k < 0) return out;
      let i = nodes[k]!.upperBound(end.ms, end.seq);
      for (; k >= 0; k--, i = k >= 0 ? nodes[k]!.n - 1 : 0) {
        const node = nodes[k]!;
        for (; i >= 0; i--) {
          if (node.isDeleted(i)) continue;
          if (node.cmp(i, start.ms, start.seq) < 0) return out;
          out.nodes.push(node);
          out.idx.push(i);
          if (--left === 0) return out;
        }
      }
    }
    return out;
  }

  /** streamGetEdgeID: the first or last entry's ID (tombstones too unless skipped); max/min ID when none. */
  edgeId(first: boolean, skipTombstones: boolean): StreamID {
    const nodes = this.nodes;
    if (first) {
      for (const node of nodes) {
        for (let i = 0; i < node.n; i++) {
          if (skipTombstones && node.isDeleted(i)) continue;
          return { ms: node.entryMs(i), seq: node.entrySeq(i) };
        }
      }
      return MAX_ID;
    }
    for (let k = nodes.length - 1; k >= 0; k--) {
      const node = nodes[k]!;
      for (let i = node.n - 1; i >= 0; i--) {
        if (skipTombstones && node.isDeleted(i)) continue;
        return { ms: node.entryMs(i), seq: node.entrySeq(i) };
      }
    }
    return MIN_ID;
  }

  /** streamLastValidID: the last live entry's ID (0-0 when empty). */
  lastValidId(): StreamID {
    return this.edgeId(false, true);
  }

  /** streamTrim: removes entries from the head; returns how many. */
  trim(t: TrimSpec): number {
    const nodes = this.nodes;
    let deleted = 0;
    let drop = 0;
    for (; drop < nodes.length; drop++) {
      if (t.maxlen && this.length <= t.count) break;
      const node = nodes[drop]!;
      const entries = node.live;
      if (t.limit !== 0 && deleted + entries > t.limit) break;
      let remove: boolean;
      if (t.maxlen) remove = this.length - entries >= t.count;
      else {
        // the listpack's last entry, deleted or not
        const j = node.n - 1;
        remove = j >= 0 && node.cmp(j, t.minid.ms, t.minid.seq) < 0;
      }
      if (remove) {
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (t.approx) break;
      for (let i = 0; i < node.n; i++) {
        const stop = t.maxlen ? this.length <= t.count : node.cmp(i, t.minid.ms, t.minid.seq) >= 0;
        if (stop) break;
        if (!node.isDeleted(i)) {
          node.markDeleted(i);
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (drop !== 0) nodes.splice(0, drop);
    if (this.length === 0) this.firstId = MIN_ID;
    else if (deleted !== 0) this.firstId = this.edgeId(true, true);
    return deleted;
  }

  /** streamRangeHasTombstones (start/end null: the open ends). */
  rangeHasTombstones(start: StreamID | null, end: StreamID | null): boolean {
    const md = this.maxDeletedId;
    if (this.length === 0 || isZeroId(md)) return false;
    if (cmpId(this.firstId.ms, this.firstId.seq, md.ms, md.seq) > 0) return false;
    const s = start ?? MIN_ID;
    const e = end ?? MAX_ID;
    return cmpId(s.ms, s.seq, md.ms, md.seq) <= 0 && cmpId(md.ms, md.seq, e.ms, e.seq) <= 0;
  }

  /** streamEstimateDistanceFromFirstEverEntry: the logical read counter of `id`, or INVALID_ENTRIES_READ. */
  estimateDistance(id: StreamID): U64 {
    if (this.entriesAdded === 0) return 0;
    const last = this.lastId;
    const cmpLast = cmpId(id.ms, id.seq, last.ms, last.seq);
    if (this.length === 0 && cmpLast < 1) return this.entriesAdded;
    if (cmpLast === 0) return this.entriesAdded;
    if (cmpLast > 0) return INVALID_ENTRIES_READ;
    const first = this.firstId;
    const md = this.maxDeletedId;
    const cmpFirst = cmpId(id.ms, id.seq, first.ms, first.seq);
    if (isZeroId(md) || cmpId(md.ms, md.seq, first.ms, first.seq) < 0) {
      if (cmpFirst < 0) return u64Sub(this.entriesAdded, this.length);
      if (cmpFirst === 0) return u64Sub(u64Incr(this.entriesAdded), this.length);
    }
    return INVALID_ENTRIES_READ;
  }

  /** A group's lag (streamReplyWithCGLag), null when it can't be known. */
  lag(g: ConsumerGroup): U64 | null {
    if (this.entriesAdded === 0) return 0;
    if (g.entriesRead !== INVALID_ENTRIES_READ && !this.rangeHasTombstones({ ms: g.lastMs, seq: g.lastSeq }, null)) {
      return u64Sub(this.entriesAdded, g.entriesRead);
    }
    const read = this.estimateDistance({ ms: g.lastMs, seq: g.lastSeq });
    return read === INVALID_ENTRIES_READ ? null : u64Sub(this.entriesAdded, read);
  }

  group(name: string): ConsumerGroup | undefined {
    return this.groups?.get(name);
  }

  /** streamCreateCG: undefined when the name is taken. */
  createGroup(name: string, id: StreamID, entriesRead: U64): ConsumerGroup | undefined {
    if (this.groups === null) this.groups = new Map();
    if (this.groups.has(name)) return undefined;
    const g = new ConsumerGroup(id.ms, id.seq, entriesRead);
    this.groups.set(name, g);
    return g;
  }

  /** Groups in Redis's rax order (byte-wise by name). */
  sortedGroups(): Array<[string, ConsumerGroup]> {
    if (this.groups === null) return [];
    return [...this.groups].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** Nodes Redis's rax would have for these node keys (XINFO radix-tree-nodes). */
  raxNodes(): number {
    const n = this.nodes.length;
    if (n === 0) return 1;
    const keys = new Uint8Array(n * 16);
    for (let i = 0; i < n; i++) idKeyBytes(this.nodes[i]!.ms, this.nodes[i]!.seq, keys, i * 16);
    return raxCount(keys, 0, n, 0);
  }

  /** Live entries flattened: "ms.seq", field, value, … (DEBUG DIGEST's order). */
  *entries(): Generator<string> {
    for (const node of this.nodes) {
      for (let i = 0; i < node.n; i++) {
        if (node.isDeleted(i)) continue;
        yield node.entryMs(i) + '.' + node.entrySeq(i);
        yield* node.pairs(i);
      }
    }
  }

  clone(): StreamValue {
    const s = new StreamValue();
    s.nodes = this.nodes.map((n) => n.clone(s.arena));
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      s.groups = new Map();
      for (const [name, g] of this.groups) s.groups.set(name, g.clone());
    }
    return s;
  }
}

/**
 * Nodes of a rax holding the sorted 16-byte keys keys[lo..hi) below `depth`
 * shared bytes: a compressed node for a run of shared bytes, a branching
 * node where they differ, a leaf per key.
 */
function raxCount(keys: Uint8Array, lo: number, hi: number, depth: number): number {
  if (hi - lo === 1) return depth === 16 ? 1 : 2;
  const a = lo * 16;
  const b = (hi - 1) * 16;
  let p = depth;
  while (p < 16 && keys[a + p] === keys[b + p]) p++;
  let total = p > depth ? 2 : 1;
  let start = lo;
  for (let i = lo + 1; i <= hi; i++) {
    if (i === hi || keys[i * 16 + p] !== keys[start * 16 + p]) {
      total += raxCount(keys, start, i, p + 1);
      start = i;
    }
  }
  return total;
}

