/**
 * Writing stream entries into replies straight from the nodes' bytes, and
 * delivering entries to a consumer group (Redis's streamReplyWithRange with
 * a group, and its consumer-PEL history variant), with what they replicate
 * as: XCLAIM … FORCE JUSTID LASTID per delivered entry, XGROUP SETID when
 * a read moved the group (7.4: NOACK or not), XGROUP CREATECONSUMER for
 * consumers NOACK reads create.
 */
import type { ReplyWriter } from '../../protocol/reply-writer.ts';
import { FLAG_SAMEFIELDS, readVarint, varintEnd, type StreamNode } from '../../datatypes/stream-node.ts';
import { cmpId, formatId, idString, u64Incr, MAX_ID, type StreamID, type U64 } from '../../datatypes/stream-id.ts';
import { INVALID_ENTRIES_READ, type Consumer, type ConsumerGroup, type Nack } from '../../datatypes/stream-cgroup.ts';
import type { Positions, StreamValue } from '../../datatypes/stream.ts';
import type { Client } from '../../server/client.ts';

const BULK_HDR: string[] = [];
for (let i = 0; i < 128; i++) BULK_HDR.push(`$${i}\r\n`);

/** A bulk string from bytes d[start, start + len). */
export function bulkBytes(r: ReplyWriter, d: Buffer, start: number, len: number): void {
  r.raw(len < 128 ? BULK_HDR[len]! : '$' + len + '\r\n');
  r.ensure(len + 2);
  const b = r.buf;
  let at = r.len;
  if (len <= 32) {
    for (let k = 0; k < len; k++) b[at++] = d[start + k]!;
  } else {
    d.copy(b, at, start, start + len);
    at += len;
  }
  b[at++] = 13;
  b[at++] = 10;
  r.len = at;
}

/** Decimal digits of a non-negative int32. */
function digits32(n: number): number {
  if (n < 100000) return n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : 5;
  return n < 1000000 ? 6 : n < 10000000 ? 7 : n < 100000000 ? 8 : n < 1000000000 ? 9 : 10;
}

/** Writes n's digits ending before `end`. */
function put32(b: Buffer, end: number, n: number): void {
  do {
    const q = (n / 10) | 0;
    b[--end] = 48 + (n - q * 10);
    n = q;
  } while (n !== 0);
}

/** Decimal digits of a safe non-negative integer. */
function digits53(n: number): number {
  return n < 1000000000 ? digits32(n) : digits32(Math.floor(n / 1000000000)) + 9;
}

/** Writes a safe non-negative integer's digits ending before `end` (int32 arithmetic only). */
function put53(b: Buffer, end: number, n: number): void {
  if (n < 1000000000) return put32(b, end, n);
  const hi = Math.floor(n / 1000000000);
  let lo = n - hi * 1000000000;
  for (let k = 0; k < 9; k++) {
    const q = (lo / 10) | 0;
    b[--end] = 48 + (lo - q * 10);
    lo = q;
  }
  put32(b, end, hi);
}

/** An ID as a bulk string, written without building a string when both halves are numbers. */
export function bulkId(r: ReplyWriter, ms: U64, seq: U64): void {
  if (typeof ms !== 'number' || typeof seq !== 'number') return r.bulk(idString(ms, seq));
  const dm = digits53(ms);
  const len = dm + 1 + digits53(seq);
  r.raw(BULK_HDR[len]!);
  r.ensure(len + 2);
  const b = r.buf;
  const at = r.len;
  put53(b, at + dm, ms);
  b[at + dm] = 45;
  put53(b, at + len, seq);
  b[at + len] = 13;
  b[at + len + 1] = 10;
  r.len = at + len + 2;
}

/** One entry: [id, [field, value, …]]. */
export function writeEntry(r: ReplyWriter, node: StreamNode, i: number): void {
  r.array(2);
  bulkId(r, node.entryMs(i), node.entrySeq(i));
  const d = node.data;
  let p = node.offset(i);
  const same = (d[p++]! & FLAG_SAMEFIELDS) !== 0;
  let nf: number;
  if (same) nf = node.fields.length;
  else {
    nf = readVarint(d, p);
    p = varintEnd;
  }
  r.array(nf * 2);
  for (let k = 0; k < nf; k++) {
    if (same) r.bulk(node.fields[k]!);
    else {
      const fl = readVarint(d, p);
      bulkBytes(r, d, varintEnd, fl);
      p = varintEnd + fl;
    }
    const vl = readVarint(d, p);
    bulkBytes(r, d, varintEnd, vl);
    p = varintEnd + vl;
  }
}

/** Entries found by a range scan, as an array (or their positions' entries without a header when raw). */
export function writeEntries(r: ReplyWriter, pos: Positions, raw = false): void {
  const n = pos.idx.length;
  if (!raw) r.array(n);
  for (let k = 0; k < n; k++) writeEntry(r, pos.nodes[k]!, pos.idx[k]!);
}

/** The single live entry with this ID (streamReplyWithRange(id, id, 1, RAWENTRIES)); false if none. */
export function writeEntryById(r: ReplyWriter, s: StreamValue, id: StreamID): boolean {
  const at = s.find(id.ms, id.seq);
  if (at === null) return false;
  writeEntry(r, s.nodes[at[0]]!, at[1]);
  return true;
}

/** Replication of group reads: the key, the group name, the vectors collected (null when no replica listens). */
export interface GroupProp {
  key: string;
  group: string;
  vecs: string[][];
}

export function groupProp(c: Client, key: string, group: string): GroupProp | null {
  return c.server.replication.active ? { key, group, vecs: [] } : null;
}

/** streamPropagateXCLAIM */
export function xclaimVec(p: GroupProp, g: ConsumerGroup, idArg: string, n: Nack): string[] {
  return [
    'XCLAIM', p.key, p.group, n.consumer!.name, '0', idArg, 'TIME', String(n.deliveryTime),
    'RETRYCOUNT', String(n.deliveryCount), 'FORCE', 'JUSTID', 'LASTID', idString(g.lastMs, g.lastSeq),
  ];
}

/** streamPropagateGroupID */
export function setIdVec(p: GroupProp, g: ConsumerGroup): string[] {
  return ['XGROUP', 'SETID', p.key, p.group, idString(g.lastMs, g.lastSeq), 'ENTRIESREAD', String(g.entriesRead)];
}

/**
 * Hands the collected vectors to replication: all but the last now, the
 * last through c.propagate (the dispatcher or the blocking machinery sends
 * it once it sees the write). Call with c.propagate unset.
 */
export function flushProp(c: Client, p: GroupProp | null): void {
  if (p === null || p.vecs.length === 0) return;
  const repl = c.server.replication;
  for (let i = 0; i < p.vecs.length - 1; i++) repl.propagate(c, p.vecs[i]!);
  c.propagate = p.vecs[p.vecs.length - 1]!;
}

/**
 * preventCommandPropagation: the stream command itself is not replicated
 * (only what flushProp handed over, if anything), though it may have
 * changed the dataset (a consumer created by a read or claim that got nothing).
 */
export function unpropagated(c: Client): void {
  if (c.propagate === null) c.propagate = NO_PROPAGATION;
}

const NO_PROPAGATION: string[] = [];

/**
 * streamReplyWithRange with a group: entries from `start` on (at most
 * count, 0 = all), advancing the group's last ID and read counter and
 * (unless noack) adding each to the group's and the consumer's PEL, which
 * makes the read the consumer's last successful interaction (active-time).
 * Returns how many commands it replicates as (Redis's propCount): an XCLAIM
 * per entry added to the PEL, and (7.4, NOACK or not) an XGROUP SETID when
 * the group's last ID moved.
 */
export function deliver(
  c: Client, s: StreamValue, g: ConsumerGroup, consumer: Consumer, start: StreamID, count: number, noack: boolean, prop: GroupProp | null,
): number {
  const pos = s.range(start, MAX_ID, false, count);
  const r = c.reply;
  const n = pos.idx.length;
  r.array(n);
  const now = c.server.engine.now();
  let propagateLast = false;
  let props = 0;
  for (let k = 0; k < n; k++) {
    const node = pos.nodes[k]!;
    const i = pos.idx[k]!;
    const ms = node.entryMs(i);
    const seq = node.entrySeq(i);
    if (cmpId(ms, seq, g.lastMs, g.lastSeq) > 0) {
      const id = { ms, seq };
      if (g.entriesRead !== INVALID_ENTRIES_READ && !s.rangeHasTombstones(id, null)) g.entriesRead = u64Incr(g.entriesRead);
      else if (s.entriesAdded !== 0) g.entriesRead = s.estimateDistance(id);
      g.lastMs = ms;
      g.lastSeq = seq;
      propagateLast = true;
    }
    writeEntry(r, node, i);
    if (noack) continue;
    let nack: Nack = { ms, seq, deliveryTime: now, deliveryCount: 1, consumer };
    if (g.pel.insert(nack)) consumer.pel.insert(nack);
    else {
      // already pending (XGROUP SETID moved the group back): the entry changes hands
      nack = g.pel.get(ms, seq)!;
      nack.consumer?.pel.remove(ms, seq);
      nack.consumer = consumer;
      nack.deliveryTime = now;
      nack.deliveryCount = 1;
      consumer.pel.insert(nack);
    }
    consumer.activeTime = now;
    if (prop !== null) prop.vecs.push(xclaimVec(prop, g, idString(ms, seq), nack));
    props++;
  }
  if (propagateLast) {
    if (prop !== null) prop.vecs.push(setIdVec(prop, g));
    props++;
  }
  return props;
}

/**
 * streamReplyWithRangeFromConsumerPEL: the consumer's own pending entries
 * from `start` on (at most count); entries deleted meanwhile come as
 * [id, nil]. Each one served counts as a new delivery.
 */
export function deliverHistory(c: Client, s: StreamValue, consumer: Consumer, start: StreamID, count: number): void {
  const picked: Nack[] = [];
  for (const n of consumer.pel.from(start.ms, start.seq)) {
    if (count !== 0 && picked.length >= count) break;
    picked.push(n);
  }
  const r = c.reply;
  r.array(picked.length);
  const now = c.server.engine.now();
  for (const n of picked) {
    const id = { ms: n.ms, seq: n.seq };
    if (writeEntryById(r, s, id)) {
      n.deliveryTime = now;
      n.deliveryCount++;
    } else {
      r.array(2);
      r.bulk(formatId(id));
      r.nullArray();
    }
  }
}

/** Inserts a header before what was written since `mark` (Redis's deferred lengths). */
export function prependHeader(r: ReplyWriter, mark: number, header: string): void {
  const body = Buffer.from(r.buf.subarray(mark, r.len));
  r.len = mark;
  r.raw(header);
  r.rawBuffer(body);
}
