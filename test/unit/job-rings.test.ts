/**
 * The shared-memory rings that carry jobs between threads
 * (src/threads/byte-ring.ts, job-records.ts, job-rings.ts): records come out
 * in order and whole across wraps and a full ring, binary bytes survive,
 * and records too big for a ring come through the pair's port in order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel, Worker } from 'node:worker_threads';
import { ByteRing, RING_CTL_WORDS } from '../../src/threads/byte-ring.ts';
import { rng } from '../helpers/rng.ts';
import { JobRings, RingKind } from '../../src/threads/job-rings.ts';
import {
  RecordKind,
  jobSize,
  readJob,
  recordBuffer,
  recordId,
  recordKind,
  replyBytes,
  replySize,
  writeJob,
  writeReply,
  type Job,
  type RecordTarget,
} from '../../src/threads/job-records.ts';

function ring(capacity: number): ByteRing {
  const sab = new SharedArrayBuffer(RING_CTL_WORDS * 4 + capacity);
  return new ByteRing(new Int32Array(sab, 0, RING_CTL_WORDS), 0, sab, RING_CTL_WORDS * 4, capacity);
}

const binary = (n: number, salt: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += String.fromCharCode((i * 31 + salt) & 0xff);
  return s;
};

test('a byte ring hands over records in order and whole, across wraps, and refuses what does not fit', () => {
  const r = ring(1024);
  const next = rng(7);
  const model: number[] = [];
  let written = 0;
  let read = 0;
  for (let step = 0; step < 20000; step++) {
    if (next() < 0.55) {
      const n = 8 + 4 * Math.floor(next() * 60);
      let off = r.alloc(n);
      if (off < 0 && model.length === 0) {
        // full only of records read and not yet released: free once released
        r.release();
        off = r.alloc(n);
        assert.ok(off >= 0, 'an empty ring takes a record of under its capacity');
      }
      if (off < 0) continue;
      // every word written, so stale bytes past a wrap never read as a mark
      r.words.fill(-1, off >> 2, (off + n) >> 2);
      r.words[off >> 2] = n;
      r.words[(off >> 2) + 1] = written;
      r.wrote(off, n);
      model.push(written++);
      if (next() < 0.7) r.publish();
    } else {
      const off = r.peek();
      if (off < 0) continue;
      assert.equal(r.words[(off >> 2) + 1], model.shift(), 'records come out in the order they went in');
      assert.equal(read++, r.words[(off >> 2) + 1]);
      r.skip();
      if (next() < 0.5) r.release();
    }
  }
  r.publish();
  for (let off = r.peek(); off >= 0; off = r.peek()) {
    assert.equal(r.words[(off >> 2) + 1], model.shift());
    r.skip();
  }
  assert.deepEqual(model, []);
  assert.ok(written > 2000, `${written} records went through`);
});

test('a ring is full one record short of its capacity, and free again once the reader releases', () => {
  const r = ring(64);
  const offs: number[] = [];
  for (;;) {
    const off = r.alloc(16);
    if (off < 0) break;
    r.words[off >> 2] = 16;
    r.wrote(off, 16);
    offs.push(off);
  }
  assert.deepEqual(offs, [0, 16, 32], 'the write position never lands on the unread tail');
  r.publish();
  assert.equal(r.drained(), false);
  assert.equal(r.peek(), 0);
  r.skip();
  assert.equal(r.alloc(16), -1, 'read but not released: still taken');
  r.release();
  assert.equal(r.alloc(16), 48);
});

test('job and reply records keep every byte, the connection id, the db and the flags', () => {
  const job: Job = {
    id: 0x7fffff00,
    seq: -5,
    db: 15,
    resp: 3,
    blocking: true,
    noTouch: true,
    readonly: true,
    asking: false,
    cid: 2 ** 40 + 12345,
    addr: '127.0.0.1:6000',
    user: 'alice',
    args: ['SET', binary(300, 1), '', binary(3, 200)],
  };
  const n = jobSize(job.addr, job.args, job.user);
  assert.equal(n % 4, 0);
  const b = recordBuffer(n);
  writeJob(b, 0, n, job);
  assert.equal(recordKind(b, 0), RecordKind.Job);
  assert.deepEqual(readJob(b, 0), job);
  const plain: Job = { ...job, resp: 2, blocking: false, addr: '', user: '', db: 0, cid: 1 };
  const p = recordBuffer(jobSize('', plain.args));
  writeJob(p, 0, p.buf.length, plain);
  assert.deepEqual(readJob(p, 0), plain);

  const bytes = Buffer.from(binary(1001, 9), 'latin1');
  const rn = replySize(bytes.length);
  const rb = recordBuffer(rn + 8);
  writeReply(rb, 4, rn, 99, bytes, bytes.length);
  assert.equal(recordKind(rb, 4), RecordKind.Reply);
  assert.equal(recordId(rb, 4), 99);
  assert.deepEqual(replyBytes(rb, 4), bytes);
});

/** Writes reply records toward thread 1 as Jobs does: into the ring, or spilled. */
function sendReply(rings: JobRings, id: number, bytes: Buffer): void {
  const o = rings.out[RingKind.Replies]![1]!;
  const n = replySize(bytes.length);
  const off = o.reserve(n);
  if (off >= 0) {
    writeReply(o.ring, off, n, id, bytes, bytes.length);
    o.ring.wrote(off, n);
  } else {
    const body = recordBuffer(n);
    writeReply(body, 0, n, id, bytes, bytes.length);
    o.spill(body, 0);
  }
}

/** Reads every published reply record on thread 1's side, Big ones through the port. */
function readReplies(rings: JobRings): { id: number; bytes: Buffer }[] {
  const inlet = rings.in[RingKind.Replies]![0]!;
  const out: { id: number; bytes: Buffer }[] = [];
  for (let off = inlet.ring.peek(); off >= 0; off = inlet.ring.peek()) {
    let rec: RecordTarget = inlet.ring;
    let at = off;
    if (recordKind(rec, at) === RecordKind.Big) {
      rec = inlet.body(recordId(rec, at));
      at = 0;
    }
    out.push({ id: recordId(rec, at), bytes: Buffer.from(replyBytes(rec, at)) });
    inlet.ring.skip();
  }
  inlet.ring.release();
  return out;
}

test('records too big for a ring come through the port, and a full ring backs up in order', () => {
  const sab = JobRings.buffer(2);
  const ch = new MessageChannel();
  const a = new JobRings(sab, 2, 0, [null, ch.port1]);
  const b = new JobRings(sab, 2, 1, [ch.port2, null]);
  try {
    const sent: { id: number; bytes: Buffer }[] = [];
    const next = rng(11);
    const got: { id: number; bytes: Buffer }[] = [];
    for (let id = 1; id <= 400; id++) {
      // mostly small, some far over a quarter of the ring, some near it
      const size = next() < 0.1 ? 40000 + Math.floor(next() * 100000) : Math.floor(next() * 9000);
      const bytes = Buffer.from(binary(size, id), 'latin1');
      sendReply(a, id, bytes);
      sent.push({ id, bytes });
      if (id % 50 === 0) {
        // the reader falls behind: the writer's backlog holds what does not fit, then drains into the ring
        a.send(RingKind.Replies, 1);
        got.push(...readReplies(b));
      }
    }
    while (!a.send(RingKind.Replies, 1)) got.push(...readReplies(b));
    got.push(...readReplies(b));
    assert.equal(got.length, sent.length);
    for (let i = 0; i < sent.length; i++) {
      assert.equal(got[i]!.id, sent[i]!.id);
      assert.ok(got[i]!.bytes.equals(sent[i]!.bytes), `record ${sent[i]!.id} whole`);
    }
  } finally {
    a.close();
    b.close();
    ch.port1.close();
  }
});

test('a sleeping thread is woken by the doorbell and reads jobs in the order they were sent', async () => {
  const sab = JobRings.buffer(2);
  const ch = new MessageChannel();
  const main = new JobRings(sab, 2, 0, [null, ch.port1]);
  // the worker echoes each job's first argument back as a reply, as an owner thread would
  const src = `
    const { workerData } = require('node:worker_threads');
    const { JobRings, RingKind } = require(workerData.rings);
    const rec = require(workerData.records);
    const rings = new JobRings(workerData.sab, 2, 1, [workerData.port, null]);
    // a doorbell wait does not keep a thread alive (a server's sockets do)
    setInterval(() => {}, 60000);
    rings.listen(() => {
      const inlet = rings.in[RingKind.Jobs][0];
      const out = rings.out[RingKind.Replies][0];
      for (let off = inlet.ring.peek(); off >= 0; off = inlet.ring.peek()) {
        const job = rec.readJob(inlet.ring, off);
        inlet.ring.skip();
        if (job.args[0] === 'stop') { rings.close(); process.exit(0); }
        const bytes = Buffer.from(job.seq + ':' + job.args[0], 'latin1');
        const n = rec.replySize(bytes.length);
        const at = out.reserve(n);
        rec.writeReply(out.ring, at, n, job.id, bytes, bytes.length);
        out.ring.wrote(at, n);
      }
      inlet.ring.release();
      rings.send(RingKind.Replies, 0);
    });
  `;
  const w = new Worker(src, {
    eval: true,
    workerData: {
      sab,
      port: ch.port2,
      rings: new URL('../../src/threads/job-rings.ts', import.meta.url).pathname,
      records: new URL('../../src/threads/job-records.ts', import.meta.url).pathname,
    },
    transferList: [ch.port2],
  });
  const failed = new Promise<never>((_, reject) => w.once('error', reject));
  try {
    const replies: string[] = [];
    let want = 0;
    let done: () => void = () => {};
    main.listen(() => {
      const inlet = main.in[RingKind.Replies]![1]!;
      for (let off = inlet.ring.peek(); off >= 0; off = inlet.ring.peek()) {
        replies.push(replyBytes(inlet.ring, off).latin1Slice());
        inlet.ring.skip();
      }
      inlet.ring.release();
      if (replies.length === want) done();
    });
    const send = (arg: string, id: number): number => {
      const o = main.out[RingKind.Jobs]![1]!;
      const job: Job = { id, seq: main.nextSeq(), db: 0, resp: 2, blocking: false, noTouch: false, readonly: false, asking: true, cid: 1, addr: '', user: '', args: [arg] };
      const n = jobSize('', job.args);
      const off = o.reserve(n);
      writeJob(o.ring, off, n, job);
      o.ring.wrote(off, n);
      return job.seq;
    };
    const seqs: number[] = [];
    for (let round = 0; round < 20; round++) {
      // the worker sleeps between rounds: each round needs the doorbell
      const got = new Promise<void>((r) => (done = r));
      want += 5;
      for (let i = 0; i < 5; i++) seqs.push(send(`r${round}j${i}`, round * 5 + i));
      main.send(RingKind.Jobs, 1);
      await Promise.race([got, failed]);
      await new Promise((r) => setTimeout(r, 2));
    }
    assert.deepEqual(
      replies,
      seqs.map((s, i) => `${s}:r${Math.floor(i / 5)}j${i % 5}`),
    );
    send('stop', 999);
    main.send(RingKind.Jobs, 1);
    const [code] = (await new Promise((r) => w.once('exit', (c) => r([c])))) as [number];
    assert.equal(code, 0);
  } finally {
    main.close();
    ch.port1.close();
    await w.terminate();
  }
});
