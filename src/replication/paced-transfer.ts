/**
 * `rdb-key-save-delay` (Redis's test hook: microseconds slept per key saved)
 * applied to a full sync's file. Redis's child writes the file that slowly,
 * so its replicas receive it that slowly; here the snapshot is cut at once
 * and its bytes are sent spread over keys × delay, in up to 100 slices, so a
 * replica sees the same slow transfer (and a primary can be stopped,
 * or a replica killed, in the middle of one).
 */
import type { Socket } from 'node:net';

const SLICES = 100;

/**
 * Writes `parts` to `sock` spread over keys × delayUs; `progress` each time
 * a slice has left (for repl-timeout), `done` after the last is queued,
 * unless the socket closed first.
 */
export function sendPaced(sock: Socket, parts: Array<string | Buffer>, keys: number, delayUs: number, progress: () => void, done: () => void): void {
  const whole = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p)));
  const totalMs = (Math.max(1, keys) * delayUs) / 1000;
  const slices = Math.max(1, Math.min(SLICES, keys));
  const step = Math.ceil(whole.length / slices);
  let at = 0;
  const next = (): void => {
    if (sock.destroyed) return;
    const end = Math.min(whole.length, at + step);
    sock.write(whole.subarray(at, end), () => progress());
    at = end;
    if (at >= whole.length) return done();
    setTimeout(next, totalMs / slices);
  };
  next();
}

/** Keys in every database: what Redis's child would have slept over. */
export function keyCount(engine: { databases: number; dbSize(db: number): number }): number {
  let n = 0;
  for (let db = 0; db < engine.databases; db++) n += engine.dbSize(db);
  return n;
}
