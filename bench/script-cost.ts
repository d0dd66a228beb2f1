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
import { encodeCommand } from '../test/helpers/resp-client.ts';
import { inProcess } from './in-process.ts';
import { EVALSHA_SCRIPT, rnd } from './micro-commands.ts';

const SCRIPTS: Record<string, string> = {
  'return 1': 'return 1',
  'GET': "return redis.call('GET', KEYS[1])",
  'GET+INCR': EVALSHA_SCRIPT,
};

const bench = await inProcess();
const key = (): string => 'bench:counter:' + rnd();

/** ns per call of `gen`'s requests (one call: one or more requests, a plain GET + INCR is two), 16 calls a batch. */
function measure(gen: () => string[][]): number {
  const batches: Buffer[] = [];
  for (let b = 0; b < 1000; b++) batches.push(Buffer.concat(Array.from({ length: 16 }, () => gen().map(encodeCommand)).flat()));
  return bench.nsPer(batches, 16, 10_000);
}

const rows: Array<[string, number]> = [];
for (const [name, body] of Object.entries(SCRIPTS)) {
  bench.run(['SCRIPT', 'LOAD', body]);
  bench.flush();
  const sha = createHash('sha1').update(body).digest('hex');
  rows.push([`EVALSHA ${name}`, measure(() => [['EVALSHA', sha, '1', key()]])]);
}
rows.push(['plain GET', measure(() => [['GET', key()]])]);
rows.push(['plain GET + INCR', measure(() => { const k = key(); return [['GET', k], ['INCR', k]]; })]);
for (const [name, ns] of rows) console.log(`${name.padEnd(22)} ${ns.toFixed(0)} ns`);
await bench.close();
