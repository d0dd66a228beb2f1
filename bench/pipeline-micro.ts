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
import { startServer } from '../src/index.ts';
import { Client } from '../src/server/client.ts';
import { chainJob, execute } from '../src/server/dispatch.ts';
import { encodeCommand } from '../test/helpers/resp-client.ts';
import { COMMANDS, SETUP } from './micro-commands.ts';

const srv = await startServer({ port: 0 });
// takes every chunk at once, as a socket whose kernel buffer has room
const sink = { write: (_b: Buffer) => true, writableLength: 0 };
// a connection without a socket, running what it parses through dispatch as a socket's would
const c = new Client(srv.state, null, { execute, chainJob });
const gens = COMMANDS;
const tests = (process.argv[2] ?? 'set,get').split(',');
const run = (c as unknown as { run(a: string[]): void }).run.bind(c);
for (const name of tests) {
  const gen = gens[name];
  if (gen === undefined) throw new Error(`unknown test ${name} (${Object.keys(gens).join(', ')})`);
  for (const args of SETUP[name] ?? []) run(args);
  c.reply.flush(sink);
  const batches: Buffer[] = [];
  for (let b = 0; b < 1000; b++) batches.push(Buffer.concat(Array.from({ length: 16 }, () => encodeCommand(gen()))));
  const rounds = 25_000;
  let ns = 0;
  for (let pass = 0; pass < 2; pass++) {
    const t = performance.now();
    for (let i = 0; i < rounds; i++) {
      c.parser.feed(batches[i % 1000]!);
      for (let args = c.parser.next(); args !== null; args = c.parser.next()) run(args);
      c.reply.flush(sink);
    }
    ns = ((performance.now() - t) * 1e6) / (rounds * 16);
  }
  console.log(`${name}: ${ns.toFixed(0)} ns/command`);
}
await srv.close();
