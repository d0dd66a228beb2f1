/**
 * What a hop to another thread costs (issue 12: shards on worker threads,
 * jobs on bounded queues): a job of a few small strings goes from the main
 * thread to a worker, which answers it, for two transports —
 *
 *   message  MessagePort.postMessage of the job (structured clone), the reply
 *            back the same way;
 *   ring     a SharedArrayBuffer ring per direction: the job's bytes written
 *            in place, Atomics.notify; the worker blocks in Atomics.wait, the
 *            main thread (which must not block) in Atomics.waitAsync.
 *
 * Batches of 1 job (a client waiting for each reply, -P 1) and of 16 (one
 * pipelined read, -P 16) in flight; prints jobs per second, µs per job,
 * and the process's CPU time per job (both threads together).
 *
 *   node bench/thread-hop.ts
 *
 * Not a test: nothing here asserts a number.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const RING_BYTES = 1 << 16;
/** Ring header (Int32 slots): 0 write position, 1 read position, 2 sequence (notify word). */
const HEADER = 3;

interface Rings {
  toWorker: SharedArrayBuffer;
  toMain: SharedArrayBuffer;
}

/** One direction: a byte ring of length-prefixed latin1 records. */
class Ring {
  readonly ctl: Int32Array;
  readonly bytes: Uint8Array;
  constructor(sab: SharedArrayBuffer) {
    this.ctl = new Int32Array(sab, 0, HEADER);
    this.bytes = new Uint8Array(sab, HEADER * 4);
  }

  /** Appends records; false when they do not fit (the caller would stop reading its sockets). */
  write(records: string[]): boolean {
    const cap = this.bytes.length;
    let w = Atomics.load(this.ctl, 0);
    const r = Atomics.load(this.ctl, 1);
    let need = 0;
    for (const s of records) need += 2 + s.length;
    if (need > cap - (w - r)) return false;
    for (const s of records) {
      this.bytes[w++ % cap] = s.length & 0xff;
      this.bytes[w++ % cap] = s.length >> 8;
      for (let i = 0; i < s.length; i++) this.bytes[w++ % cap] = s.charCodeAt(i);
    }
    Atomics.store(this.ctl, 0, w);
    Atomics.add(this.ctl, 2, 1);
    Atomics.notify(this.ctl, 2);
    return true;
  }

  /** Every record written since the last read. */
  read(): string[] {
    const cap = this.bytes.length;
    const w = Atomics.load(this.ctl, 0);
    let r = Atomics.load(this.ctl, 1);
    const out: string[] = [];
    while (r < w) {
      const n = this.bytes[r++ % cap]! | (this.bytes[r++ % cap]! << 8);
      let s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(this.bytes[r++ % cap]!);
      out.push(s);
    }
    Atomics.store(this.ctl, 1, r);
    return out;
  }
}

/** The worker: answers each job (here: its key with a prefix) on the same transport. */
function serve(): void {
  const mode = (workerData as { mode: string }).mode;
  if (mode === 'message') {
    parentPort!.on('message', (jobs: string[][]) => parentPort!.postMessage(jobs.map((j) => `$${j[1]!.length}:${j[1]}`)));
    return;
  }
  const rings = (workerData as { rings: Rings }).rings;
  const inbox = new Ring(rings.toWorker);
  const outbox = new Ring(rings.toMain);
  for (;;) {
    const seen = Atomics.load(inbox.ctl, 2);
    const jobs = inbox.read();
    if (jobs.length === 0) {
      Atomics.wait(inbox.ctl, 2, seen);
      continue;
    }
    if (jobs[0] === 'STOP') return;
    outbox.write(jobs.map((j) => `$${j.length}:${j}`));
  }
}

async function runMessage(batch: number, jobs: number): Promise<number> {
  const w = new Worker(new URL(import.meta.url), { workerData: { mode: 'message' } });
  const job = (i: number): string[] => ['GET', `key:${i % 100000}`];
  const t = performance.now();
  for (let done = 0; done < jobs; done += batch) {
    const b = Array.from({ length: batch }, (_, i) => job(done + i));
    await new Promise<void>((resolve) => {
      w.once('message', () => resolve());
      w.postMessage(b);
    });
  }
  const ms = performance.now() - t;
  await w.terminate();
  return ms;
}

/** Atomics.waitAsync (ES2024; not in this project's TypeScript lib). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

async function runRing(batch: number, jobs: number): Promise<number> {
  const rings: Rings = { toWorker: new SharedArrayBuffer(HEADER * 4 + RING_BYTES), toMain: new SharedArrayBuffer(HEADER * 4 + RING_BYTES) };
  const w = new Worker(new URL(import.meta.url), { workerData: { mode: 'ring', rings } });
  await new Promise((r) => w.once('online', r));
  const outbox = new Ring(rings.toWorker);
  const inbox = new Ring(rings.toMain);
  const t = performance.now();
  for (let done = 0; done < jobs; done += batch) {
    const seen = Atomics.load(inbox.ctl, 2);
    outbox.write(Array.from({ length: batch }, (_, i) => `key:${(done + i) % 100000}`));
    let got = 0;
    let last = seen;
    while (got < batch) {
      const r = waitAsync(inbox.ctl, 2, last);
      if (r.async) await r.value;
      last = Atomics.load(inbox.ctl, 2);
      got += inbox.read().length;
    }
  }
  const ms = performance.now() - t;
  outbox.write(['STOP']);
  await w.terminate();
  return ms;
}

async function main(): Promise<void> {
  const jobs = 200_000;
  console.log(`${jobs} jobs a run, main thread ↔ one worker, node ${process.version}`);
  const rows: string[] = ['| transport | jobs in flight | jobs/s | µs per job | process CPU µs per job (both threads) |', '|---|---|---|---|---|'];
  for (const batch of [1, 16]) {
    for (const [name, run] of [['message', runMessage], ['ring', runRing]] as const) {
      await run(batch, 20_000); // warm-up
      const cpu0 = process.cpuUsage();
      const ms = await run(batch, jobs);
      const cpu = process.cpuUsage(cpu0);
      const line = `${name.padEnd(8)} batch ${String(batch).padStart(2)}  ${Math.round((jobs / ms) * 1000)} jobs/s  ${((ms * 1000) / jobs).toFixed(2)} µs/job  process CPU ${((cpu.user + cpu.system) / jobs).toFixed(2)} µs/job`;
      console.log(line);
      rows.push(`| ${name} | ${batch} | ${Math.round((jobs / ms) * 1000)} | ${((ms * 1000) / jobs).toFixed(2)} | ${((cpu.user + cpu.system) / jobs).toFixed(2)} |`);
    }
  }
  console.log('\n' + rows.join('\n'));
}

if (isMainThread) await main();
else serve();
