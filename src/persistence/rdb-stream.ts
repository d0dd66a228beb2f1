/**
 * Streams in RDB (RDB_TYPE_STREAM_LISTPACKS, _2 and _3): each node as its
 * rax key (16-byte big-endian master ID) and the listpack Redis keeps for
 * it, then length, last ID, [first ID, max deleted ID, entries added], and
 * the consumer groups with their PELs and consumers (each with its seen-time,
 * and from _3 its active-time; older types load the seen-time as the
 * active-time, as Redis 7.2+ does).
 *
 * Node listpack: <count> <deleted> <master field count> <master fields…> 0,
 * then per entry <flags> <ms delta> <seq delta> [<field count> <field value>…
 * | <value>… with SAMEFIELDS] <lp-count>.
 */
import { StreamValue } from '../datatypes/stream.ts';
import { FLAG_DELETED, FLAG_SAMEFIELDS, StreamNode } from '../datatypes/stream-node.ts';
import { Consumer, type Nack } from '../datatypes/stream-cgroup.ts';
import { cmpId, deltaInt64, idKeyBytes, MIN_ID, toBig, u64, type StreamID, type U64 } from '../datatypes/stream-id.ts';
import { ListpackReader, ListpackWriter } from './listpack.ts';
import { RDB_TYPE, RdbError } from './rdb-types.ts';
import type { RdbOut } from './rdb-out.ts';
import type { RdbIn } from './rdb-in.ts';

const TWO64 = 1n << 64n;

function idBytes(ms: U64, seq: U64): Buffer {
  const b = Buffer.allocUnsafe(16);
  idKeyBytes(ms, seq, b, 0);
  return b;
}

/** The listpack Redis would hold for a node. */
export function nodeListpack(node: StreamNode): Buffer {
  const lp = new ListpackWriter(node.lpBytes + 16);
  lp.appendInt(node.live);
  lp.appendInt(node.deleted);
  lp.appendInt(node.fields.length);
  for (const f of node.fields) lp.append(f);
  lp.appendInt(0);
  for (let i = 0; i < node.n; i++) {
    const flags = node.flags(i);
    lp.appendInt(flags);
    lp.appendInt(deltaInt64(node.entryMs(i), node.ms));
    lp.appendInt(deltaInt64(node.entrySeq(i), node.seq));
    const pairs = node.pairs(i);
    const nf = pairs.length / 2;
    if (flags & FLAG_SAMEFIELDS) {
      for (let k = 1; k < pairs.length; k += 2) lp.append(pairs[k]!);
      lp.appendInt(nf + 3);
    } else {
      lp.appendInt(nf);
      for (const s of pairs) lp.append(s);
      lp.appendInt(nf + 3 + nf + 1);
    }
  }
  return lp.finish();
}

/** A signed 64-bit counter as rdbSaveLen writes it (-1 becomes 2^64 - 1). */
function signedLen(v: U64): U64 {
  if (typeof v === 'number' ? v >= 0 : v >= 0n) return v;
  return toBig(v) + TWO64;
}

/** A stream's body as RDB type `type`: STREAM_LISTPACKS_2 (RDB 10) or STREAM_LISTPACKS_3 (RDB 11+, with active-times). */
export function writeStream(out: RdbOut, s: StreamValue, type: number): void {
  const v3 = type === RDB_TYPE.STREAM_LISTPACKS_3;
  out.len(s.nodes.length);
  for (const node of s.nodes) {
    out.string(idBytes(node.ms, node.seq));
    out.string(nodeListpack(node));
  }
  out.len(s.length);
  out.len64(s.lastId.ms);
  out.len64(s.lastId.seq);
  out.len64(s.firstId.ms);
  out.len64(s.firstId.seq);
  out.len64(s.maxDeletedId.ms);
  out.len64(s.maxDeletedId.seq);
  out.len64(signedLen(s.entriesAdded));
  const groups = s.sortedGroups();
  out.len(groups.length);
  for (const [name, g] of groups) {
    out.string(name);
    out.len64(g.lastMs);
    out.len64(g.lastSeq);
    out.len64(signedLen(g.entriesRead));
    out.len(g.pel.size);
    for (const n of g.pel.all()) {
      out.bytes(idBytes(n.ms, n.seq));
      out.ms(n.deliveryTime);
      out.len(n.deliveryCount);
    }
    const consumers = g.sortedConsumers();
    out.len(consumers.length);
    for (const c of consumers) {
      out.string(c.name);
      out.ms(c.seenTime);
      if (v3) out.ms(c.activeTime);
      out.len(c.pel.size);
      for (const n of c.pel.all()) out.bytes(idBytes(n.ms, n.seq));
    }
  }
}

function readId(inp: RdbIn): StreamID {
  const raw = inp.raw(16);
  return { ms: u64(raw.readBigUInt64BE(0)), seq: u64(raw.readBigUInt64BE(8)) };
}

/** A listpack integer entry, or a corrupt-node error. */
function lpInt(r: ListpackReader): number {
  if (!r.next() || r.str !== null || typeof r.int !== 'number') throw new RdbError('Stream listpack integrity check failed.');
  return r.int;
}

function lpInt64(r: ListpackReader): number | bigint {
  if (!r.next() || r.str !== null) throw new RdbError('Stream listpack integrity check failed.');
  return r.int;
}

function lpStr(r: ListpackReader): string {
  if (!r.next()) throw new RdbError('Stream listpack integrity check failed.');
  return r.value();
}

/** (master + delta) mod 2^64, the way Redis adds an entry's delta to its node's master ID. */
function addDelta(master: U64, delta: number | bigint): U64 {
  if (typeof master === 'number' && typeof delta === 'number') {
    const v = master + delta;
    if (v >= 0 && Number.isSafeInteger(v)) return v;
  }
  let v = (toBig(master) + BigInt(delta)) % TWO64;
  if (v < 0n) v += TWO64;
  return u64(v);
}

/** A node from its rax key and listpack, validated as streamValidateListpackIntegrity does. */
function readNode(key: Buffer, lp: Buffer): StreamNode {
  const masterMs = u64(key.readBigUInt64BE(0));
  const masterSeq = u64(key.readBigUInt64BE(8));
  const r = new ListpackReader(lp, 0, lp.length);
  const count = lpInt(r);
  const deleted = lpInt(r);
  const nf = lpInt(r);
  const fields: string[] = [];
  for (let i = 0; i < nf; i++) fields.push(lpStr(r));
  if (lpInt(r) !== 0) throw new RdbError('Stream listpack integrity check failed.');
  const node = new StreamNode(masterMs, masterSeq, fields, Math.max(1, count + deleted), lp.length);
  let prevMs: U64 | null = null;
  let prevSeq: U64 = 0;
  while (r.next()) {
    if (r.str !== null || typeof r.int !== 'number') throw new RdbError('Stream listpack integrity check failed.');
    const flags = r.int;
    const ms = addDelta(masterMs, lpInt64(r));
    const seq = addDelta(masterSeq, lpInt64(r));
    if (prevMs !== null && cmpId(ms, seq, prevMs, prevSeq) <= 0) throw new RdbError('Stream listpack integrity check failed.');
    prevMs = ms;
    prevSeq = seq;
    const same = (flags & FLAG_SAMEFIELDS) !== 0;
    const pairs = same ? nf : lpInt(r);
    const args: string[] = new Array(2 * pairs);
    for (let k = 0; k < pairs; k++) {
      args[2 * k] = same ? fields[k]! : lpStr(r);
      args[2 * k + 1] = lpStr(r);
    }
    if (lpInt(r) !== (same ? pairs + 3 : 2 * pairs + 4)) throw new RdbError('Stream listpack integrity check failed.');
    node.append(ms, seq, args, 0, pairs, same);
    if (flags & FLAG_DELETED) node.markDeleted(node.n - 1);
  }
  if (!r.done() || node.n === 0) throw new RdbError(node.n === 0 ? 'Empty listpack inside stream' : 'Stream listpack integrity check failed.');
  if (node.live !== count || node.deleted !== deleted) throw new RdbError('Stream listpack integrity check failed.');
  node.lpBytes = lp.length;
  node.shrink();
  return node;
}

/** A counter saved with rdbSaveLen from a signed long long (2^64 - 1 is -1). */
function signedCounter(v: number | bigint): U64 {
  if (typeof v === 'bigint' && v >= 1n << 63n) {
    const d = v - TWO64;
    return d >= -9007199254740991n ? Number(d) : d;
  }
  return v;
}

export function readStream(inp: RdbIn, type: number): StreamValue {
  const v2 = type !== RDB_TYPE.STREAM_LISTPACKS;
  const v3 = type === RDB_TYPE.STREAM_LISTPACKS_3;
  const s = new StreamValue();
  const nodes = inp.count();
  let last: StreamNode | null = null;
  for (let i = 0; i < nodes; i++) {
    const key = inp.bytes();
    if (key.length !== 16) throw new RdbError('Stream node key entry is not the size of a stream ID');
    const node = readNode(key, inp.bytes(true));
    if (last !== null && cmpId(node.ms, node.seq, last.ms, last.seq) <= 0) throw new RdbError('Listpack re-added with existing key');
    s.nodes.push(node);
    last = node;
  }
  s.length = inp.count();
  s.lastId = { ms: inp.len64(), seq: inp.len64() };
  if (v2) {
    s.firstId = { ms: inp.len64(), seq: inp.len64() };
    s.maxDeletedId = { ms: inp.len64(), seq: inp.len64() };
    s.entriesAdded = signedCounter(inp.len64());
  } else {
    s.maxDeletedId = MIN_ID;
    s.entriesAdded = s.length;
    s.firstId = s.length === 0 ? MIN_ID : s.edgeId(true, true);
  }
  let live = 0;
  for (const n of s.nodes) live += n.live;
  if (live !== s.length) throw new RdbError('Stream length inconsistent with rax entries');
  const groups = inp.count();
  for (let i = 0; i < groups; i++) {
    const name = inp.string();
    const id: StreamID = { ms: inp.len64(), seq: inp.len64() };
    const read = v2 ? signedCounter(inp.len64()) : s.estimateDistance(id);
    const g = s.createGroup(name, id, read);
    if (g === undefined) throw new RdbError(`Duplicated consumer group name ${name}`);
    const pelSize = inp.count();
    for (let k = 0; k < pelSize; k++) {
      const nid = readId(inp);
      const n: Nack = { ms: nid.ms, seq: nid.seq, deliveryTime: inp.ms(), deliveryCount: inp.count(), consumer: null };
      if (!g.pel.insert(n)) throw new RdbError('Duplicated global PEL entry loading stream consumer group');
    }
    const consumers = inp.count();
    for (let k = 0; k < consumers; k++) {
      const cname = inp.string();
      if (g.consumers.has(cname)) throw new RdbError('Duplicate stream consumer detected.');
      const seen = inp.ms();
      // before 7.2 only the seen-time was kept: "that's the best estimate we got" of the active-time
      const c = new Consumer(cname, seen, v3 ? inp.ms() : seen);
      g.consumers.set(cname, c);
      const n = inp.count();
      for (let j = 0; j < n; j++) {
        const nid = readId(inp);
        const nack = g.pel.get(nid.ms, nid.seq);
        if (nack === undefined) throw new RdbError('Consumer entry not found in group global PEL');
        if (!c.pel.insert(nack)) throw new RdbError('Duplicated consumer PEL entry  loading a stream consumer group');
        nack.consumer = c;
      }
    }
    for (const n of g.pel.all()) if (n.consumer === null) throw new RdbError('Stream CG PEL entry without consumer');
  }
  return s;
}
