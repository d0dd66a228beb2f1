/**
 * The records that carry jobs and their replies between threads in byte
 * rings (docs/threads.md, "Jobs"). Every field sits in whole 4-byte words:
 *
 *   word 0   the record's length in bytes
 *   word 1   kind | flags << 8 | db << 16
 *   word 2   job id (the origin's)
 *   word 3   job: send order (the server-wide job sequence); reply: byte count
 *   job:     word 4-5 the connection's id (low, high), word 6 argument count,
 *            then the MONITOR address and each argument as a byte count
 *            word and the bytes, padded to a word
 *   reply:   the reply bytes from word 4
 *
 * Arguments and replies are byte strings (latin1), as everywhere in the server.
 */

export const RecordKind = {
  Job: 1,
  Reply: 2,
  /** A blocking job waits on its owner. */
  Blocked: 3,
  /** A blocking job's connection closed. */
  Cancel: 4,
  /** The record is too big for the ring: it comes whole on the pair's MessagePort. */
  Big: 5,
} as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

export const JOB_BLOCKING = 1;
export const JOB_RESP3 = 2;
/** The connection is in CLIENT NO-TOUCH mode. */
export const JOB_NO_TOUCH = 4;
/** Cluster mode: the connection's READONLY, and ASKING for this command (the owner's cluster gate judges as the connection's thread did). */
export const JOB_READONLY = 8;
export const JOB_ASKING = 16;

const HEADER = 16;

const pad = (n: number): number => (n + 3) & ~3;

export interface Job {
  id: number;
  seq: number;
  db: number;
  resp: 2 | 3;
  blocking: boolean;
  /** CLIENT NO-TOUCH of the connection. */
  noTouch: boolean;
  readonly: boolean;
  asking: boolean;
  cid: number;
  addr: string;
  /**
   * The connection's ACL user, for a blocking job (empty otherwise): checked
   * again when the waiter is to be served (Redis 7.2 reprocesses an
   * unblocked command).
   */
  user: string;
  args: string[];
}

/** Where records are written: a ring's bytes or a buffer of their own, with the same memory as words. */
export interface RecordTarget {
  buf: Buffer;
  words: Int32Array;
}

/** A word-aligned buffer of n bytes (a Big record's body). */
export function recordBuffer(n: number): RecordTarget {
  const ab = new ArrayBuffer(n);
  return { buf: Buffer.from(ab), words: new Int32Array(ab) };
}

/** The view of a Big record's body as it arrives (a Uint8Array of the posted bytes). */
export function recordView(u: Uint8Array): RecordTarget {
  return { buf: Buffer.from(u.buffer, u.byteOffset, u.byteLength), words: new Int32Array(u.buffer, u.byteOffset, u.byteLength >> 2) };
}

export function jobSize(addr: string, args: string[], user = ''): number {
  let n = HEADER + 12 + 4 + pad(addr.length) + 4 + pad(user.length);
  for (let i = 0; i < args.length; i++) n += 4 + pad(args[i]!.length);
  return n;
}

export function writeJob(t: RecordTarget, off: number, n: number, job: Job): void {
  const w = t.words;
  let i = off >> 2;
  w[i] = n;
  w[i + 1] = RecordKind.Job | ((job.blocking ? JOB_BLOCKING : 0) | (job.resp === 3 ? JOB_RESP3 : 0) | (job.noTouch ? JOB_NO_TOUCH : 0) | (job.readonly ? JOB_READONLY : 0) | (job.asking ? JOB_ASKING : 0)) << 8 | job.db << 16;
  w[i + 2] = job.id;
  w[i + 3] = job.seq;
  w[i + 4] = job.cid % 0x100000000;
  w[i + 5] = Math.floor(job.cid / 0x100000000);
  w[i + 6] = job.args.length;
  let p = off + HEADER + 12;
  p = writeBytes(t, p, job.addr);
  p = writeBytes(t, p, job.user);
  for (let a = 0; a < job.args.length; a++) p = writeBytes(t, p, job.args[a]!);
}

function writeBytes(t: RecordTarget, p: number, s: string): number {
  t.words[p >> 2] = s.length;
  if (s.length > 0) t.buf.latin1Write(s, p + 4, s.length);
  return p + 4 + pad(s.length);
}

export function readJob(t: RecordTarget, off: number): Job {
  const w = t.words;
  const i = off >> 2;
  const head = w[i + 1]!;
  const flags = (head >> 8) & 0xff;
  const argc = w[i + 6]!;
  let p = off + HEADER + 12;
  let len = w[p >> 2]!;
  const addr = len === 0 ? '' : t.buf.latin1Slice(p + 4, p + 4 + len);
  p += 4 + pad(len);
  len = w[p >> 2]!;
  const user = len === 0 ? '' : t.buf.latin1Slice(p + 4, p + 4 + len);
  p += 4 + pad(len);
  const args = new Array<string>(argc);
  for (let a = 0; a < argc; a++) {
    len = w[p >> 2]!;
    args[a] = t.buf.latin1Slice(p + 4, p + 4 + len);
    p += 4 + pad(len);
  }
  return {
    id: w[i + 2]!,
    seq: w[i + 3]!,
    db: head >>> 16,
    resp: flags & JOB_RESP3 ? 3 : 2,
    blocking: (flags & JOB_BLOCKING) !== 0,
    noTouch: (flags & JOB_NO_TOUCH) !== 0,
    readonly: (flags & JOB_READONLY) !== 0,
    asking: (flags & JOB_ASKING) !== 0,
    cid: (w[i + 4]! >>> 0) + (w[i + 5]! >>> 0) * 0x100000000,
    addr,
    user,
    args,
  };
}

export const replySize = (bytes: number): number => HEADER + pad(bytes);

/** A reply record for job `id`: its bytes are `src[0, bytes)`. */
export function writeReply(t: RecordTarget, off: number, n: number, id: number, src: Buffer, bytes: number): void {
  const i = off >> 2;
  t.words[i] = n;
  t.words[i + 1] = RecordKind.Reply;
  t.words[i + 2] = id;
  t.words[i + 3] = bytes;
  src.copy(t.buf, off + HEADER, 0, bytes);
}

/** A reply record's bytes (a view of the record's memory: copy before the record is released). */
export function replyBytes(t: RecordTarget, off: number): Buffer {
  const start = off + HEADER;
  return t.buf.subarray(start, start + t.words[(off >> 2) + 3]!);
}

export const EVENT_SIZE = HEADER;

/** A Blocked, Cancel or Big record: a kind, a job id and (Cancel, Big on a job ring) a send order. */
export function writeEvent(t: RecordTarget, off: number, kind: RecordKind, id: number, seq: number): void {
  const i = off >> 2;
  t.words[i] = HEADER;
  t.words[i + 1] = kind;
  t.words[i + 2] = id;
  t.words[i + 3] = seq;
}

export const recordKind = (t: RecordTarget, off: number): RecordKind => (t.words[(off >> 2) + 1]! & 0xff) as RecordKind;
export const recordId = (t: RecordTarget, off: number): number => t.words[(off >> 2) + 2]!;
export const recordSeq = (t: RecordTarget, off: number): number => t.words[(off >> 2) + 3]!;
