/**
 * Load generators for rows redis-benchmark cannot express, run the same way
 * against both servers from raw sockets (no client library in the way):
 *
 * - MULTI / INCR / EXEC: redis-benchmark sends one command per request, so
 *   `clients` sockets each keep `pipeline` transactions (MULTI, INCR key,
 *   EXEC as one write) in flight until `n` transactions are done; the rate is
 *   transactions per second. Every transaction answers exactly four lines
 *   (+OK, +QUEUED, *1, :n), so replies are counted by CRLF without parsing.
 * - PUBLISH fan-out: `subscribers` sockets SUBSCRIBE one channel and count
 *   the pushes they read while redis-benchmark publishes; the rate is
 *   messages delivered per second (published × subscribers over the time
 *   until the last subscriber has them all).
 */
import { connect, type Socket } from 'node:net';
import { spawn } from 'node:child_process';

function open(port: number): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => res(s));
    s.once('error', rej);
  });
}

function countByte(buf: Buffer, byte: number): number {
  let n = 0;
  for (let i = buf.indexOf(byte); i !== -1; i = buf.indexOf(byte, i + 1)) n++;
  return n;
}

const CR_LF = 10;

/** Transactions per second of MULTI / INCR key / EXEC. */
export async function multiExecRate(port: number, clients: number, n: number, pipeline: number): Promise<number> {
  const tx = Buffer.from('*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$12\r\nbench:txincr\r\n*1\r\n$4\r\nEXEC\r\n');
  const batch = Buffer.concat(Array.from({ length: pipeline }, () => tx));
  const sockets = await Promise.all(Array.from({ length: clients }, () => open(port)));
  let sent = 0;
  const started = performance.now();
  await Promise.all(
    sockets.map(
      (s) =>
        new Promise<void>((done, fail) => {
          let lines = 0;
          let batchTx = 0;
          const next = (): void => {
            if (sent >= n) return done();
            batchTx = Math.min(pipeline, n - sent);
            sent += batchTx;
            lines = 0;
            s.write(batchTx === pipeline ? batch : Buffer.concat(Array.from({ length: batchTx }, () => tx)));
          };
          s.on('data', (chunk: Buffer) => {
            lines += countByte(chunk, CR_LF);
            if (lines >= batchTx * 4) next();
          });
          s.once('error', fail);
          next();
        }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const s of sockets) s.destroy();
  return n / seconds;
}

/**
 * Messages delivered per second to `subscribers` raw subscriber sockets
 * while `publisher` (a redis-benchmark command line) publishes `n` messages
 * on `channel`. Message pushes are counted by their leading '*' (the
 * channel and payload must not contain one).
 */
export async function publishDeliveryRate(
  port: number,
  subscribers: number,
  channel: string,
  n: number,
  publisher: string[],
): Promise<number> {
  const sockets = await Promise.all(Array.from({ length: subscribers }, () => open(port)));
  const counts = new Array<number>(subscribers).fill(0);
  await Promise.all(
    sockets.map(
      (s, i) =>
        new Promise<void>((subscribed) => {
          let confirmed = false;
          s.on('data', (chunk: Buffer) => {
            counts[i]! += countByte(chunk, 42);
            if (!confirmed && counts[i]! > 0) {
              confirmed = true;
              counts[i]! -= 1; // the subscribe confirmation
              subscribed();
            }
          });
          s.write(`SUBSCRIBE ${channel}\r\n`);
        }),
    ),
  );
  const expected = n * subscribers;
  const started = performance.now();
  let last = started;
  const bench = spawn('redis-benchmark', publisher, { stdio: 'ignore' });
  const exited = new Promise<void>((res) => bench.once('exit', () => res()));
  let delivered = 0;
  let stalledSince = 0;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1));
    const now = counts.reduce((a, b) => a + b, 0);
    if (now !== delivered) {
      delivered = now;
      last = performance.now();
      stalledSince = 0;
    } else if (bench.exitCode !== null) {
      stalledSince ||= performance.now();
      if (performance.now() - stalledSince > 2000) break; // lost messages: count what arrived
    }
    if (delivered >= expected) break;
  }
  await exited;
  for (const s of sockets) s.destroy();
  if (delivered < expected) console.warn(`  (port ${port}: only ${delivered} of ${expected} messages were delivered)`);
  return delivered / ((last - started) / 1000);
}
