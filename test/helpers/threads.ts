/** Connections to a threaded server that land on a given thread (a client id tells its thread: ids step by the thread count). */
import assert from 'node:assert/strict';
import { RespClient } from './resp-client.ts';

/** One connection on each of `threads` threads, in thread order (the kernel spreads connections at random). */
export async function onEveryThread(port: number, threads: number): Promise<RespClient[]> {
  const out: Array<RespClient | undefined> = new Array(threads).fill(undefined);
  const extra: RespClient[] = [];
  for (let i = 0; i < 200 && out.some((c) => c === undefined); i++) {
    const c = await RespClient.connect(port);
    const t = (Number(await c.call('CLIENT', 'ID')) - 1) % threads;
    if (out[t] === undefined) out[t] = c;
    else extra.push(c);
  }
  for (const c of extra) c.close();
  assert.ok(out.every((c) => c !== undefined), 'a connection on every thread');
  return out as RespClient[];
}
