/** Waiting for clients to block (INFO clients' blocked_clients). */
import type { RespClient } from './resp-client.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until INFO reports exactly `n` blocked clients. */
export async function waitBlocked(c: RespClient, n: number): Promise<void> {
  for (let i = 0; i < 500; i++) {
    const info = (await c.call('INFO', 'clients')) as string;
    if (info.includes(`blocked_clients:${n}\r\n`)) return;
    await sleep(4);
  }
  throw new Error(`never saw ${n} blocked clients`);
}
