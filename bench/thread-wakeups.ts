/** Reproduces issue 12's known lost wake-up: rounds of 8 BLPOP waiters and 8 pushes on a --threads 4 server; prints rounds that left a waiter blocked (docs/threads.md). */
import { startServer } from '../src/index.ts';
import { Redis } from 'ioredis';
const srv = await startServer({ port: 0, threads: 4, config: { save: '' } });
const keys: string[] = []; const sh = new Set<number>();
for (let i = 0; keys.length < 4 || sh.size < 4; i++) { const k = `q:${i}`; sh.add(srv.state.engine.shardIdOf(k)); keys.push(k); }
const cs = Array.from({ length: 4 }, () => new Redis(srv.port));
let fails = 0;
for (let round = 0; round < 12; round++) {
  const ws: Redis[] = []; const ps: Promise<unknown>[] = [];
  for (let i = 0; i < 8; i++) { const r = new Redis(srv.port); ws.push(r); ps.push(r.blpop(keys[i % keys.length]!, keys[(i + 1) % keys.length]!, 2)); }
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 0; i < 8; i++) await cs[i % 4]!.rpush(keys[i % keys.length]!, `m${i}`);
  const got = await Promise.all(ps);
  const nulls = got.filter((g) => g === null).length;
  if (nulls) { fails++; console.log('round', round, 'nulls', nulls, 'left', await Promise.all(keys.map((k) => cs[0]!.llen(k)))); }
  for (const w of ws) w.disconnect();
}
console.log('fails', fails);
for (const c of cs) c.disconnect();
await srv.close();
