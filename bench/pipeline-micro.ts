/**
 * In-process micro-benchmark of the request path without sockets: parser →
 * dispatch → handler → reply writer, for pipelined batches of 16 commands on
 * random keys out of 100 000 (as redis-benchmark -r 100000 -P 16). Prints ns
 * per command (the second of two passes); use it to compare changes to the
 * hot path, pinned to one core (taskset -c 1).
 *
 *   node --max-semi-space-size=2 bench/pipeline-micro.ts
 *   node --max-semi-space-size=2 bench/pipeline-micro.ts set,get,hset10
 *
 * Tests: set, get, incr (strings); lpush, sadd, hset, zadd (one big
 * collection, as redis-benchmark's); hset10, hget10, sadd10, zadd10, rpush10
 * (small collections on random keys: the packed forms, stored.ts; hget10
 * reads what an earlier hset10 wrote).
 */
import { encodeCommand } from '../test/helpers/resp-client.ts';
import { COMMANDS, SETUP } from './micro-commands.ts';
import { inProcess } from './in-process.ts';

const bench = await inProcess();
const gens = COMMANDS;
const tests = (process.argv[2] ?? 'set,get').split(',');
for (const name of tests) {
  const gen = gens[name];
  if (gen === undefined) throw new Error(`unknown test ${name} (${Object.keys(gens).join(', ')})`);
  for (const args of SETUP[name] ?? []) bench.run(args);
  bench.flush();
  const batches: Buffer[] = [];
  for (let b = 0; b < 1000; b++) batches.push(Buffer.concat(Array.from({ length: 16 }, () => encodeCommand(gen()))));
  console.log(`${name}: ${bench.nsPer(batches, 16, 25_000).toFixed(0)} ns/command`);
}
await bench.close();
