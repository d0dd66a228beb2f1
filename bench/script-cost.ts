/**
 * Where a script call's time goes, in-process (no sockets): EVALSHA of
 * scripts that do nothing, one redis.call, two, and the same commands sent
 * plainly, each in pipelined batches of 16 on random keys out of 100 000.
 * The differences give the cost of entering the Lua VM (with KEYS/ARGV
 * conversion and the reply), of one redis.call beyond the command it runs,
 * and of the command itself. Prints ns per call (the second of two passes).
 *
 *   taskset -c 1 node --max-semi-space-size=2 bench/script-cost.ts
 */
import { createHash } from 'node:crypto';
import { startServer } from '../src/index.ts';
import { Client } from '../src/server/client.ts';
import { chainJob, execute } from '../src/server/dispatch.ts';
import { encodeCommand } from '../test/helpers/resp-client.ts';

const SCRIPTS: Record<string, string> = {
  'return 1': 'return 1',
  'GET': "return redis.call('GET', KEYS[1])",
  'GET+INCR': "redis.call('GET', KEYS[1]) return redis.call('INCR', KEYS[1])",
};

const srv = await startServer({ port: 0 });
const sink = { write: (_b: Buffer) => true, writableLength: 0 };
const c = new Client(srv.state, null, { execute, chainJob });
const run = (c as unknown as { run(a: string[]): void }).run.bind(c);
let seed = 12345;
const key = (): string => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return 'bench:counter:' + String(seed % 100_000).padStart(12, '0');
};

/** ns per request of `gen`'s requests (`per` requests a round trip: a plain GET+INCR is two). */
function measure(gen: () => string[][]): number {
  const batches: Buffer[] = [];
  for (let b = 0; b < 1000; b++) batches.push(Buffer.concat(Array.from({ length: 16 }, () => gen().map(encodeCommand)).flat()));
  const rounds = 10_000;
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
  return ns;
}

const rows: Array<[string, number]> = [];
for (const [name, body] of Object.entries(SCRIPTS)) {
  run(['SCRIPT', 'LOAD', body]);
  c.reply.flush(sink);
  const sha = createHash('sha1').update(body).digest('hex');
  rows.push([`EVALSHA ${name}`, measure(() => [['EVALSHA', sha, '1', key()]])]);
}
rows.push(['plain GET', measure(() => [['GET', key()]])]);
rows.push(['plain GET + INCR', measure(() => { const k = key(); return [['GET', k], ['INCR', k]]; })]);
for (const [name, ns] of rows) console.log(`${name.padEnd(22)} ${ns.toFixed(0)} ns`);
await srv.close();
