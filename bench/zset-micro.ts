/**
 * The big ("skiplist") sorted set's own speed, in process: N ZADDs of new
 * members with random scores into one set, N score updates, then ZRANK and
 * ZRANGE-by-rank (10 members) lookups, in ns per operation, plus the set's
 * accounted bytes per member. No server, no protocol: the data structure.
 *
 *   node bench/zset-micro.ts            # 1M members, 100k reads
 *   node bench/zset-micro.ts --n 200000 --reads 20000
 *
 * Not a test: nothing here asserts a number.
 */
import { ZSetValue } from '../src/datatypes/zset.ts';
import type { RangeOut } from '../src/datatypes/zrange-spec.ts';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const N = arg('n', 1_000_000);
const READS = arg('reads', 100_000);

/** A deterministic pseudo-random source (xorshift32). */
let seed = 2463534242;
function rand(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 4294967296;
}

const members: string[] = new Array(N);
for (let i = 0; i < N; i++) members[i] = `element:${i}`;
const scores = Float64Array.from({ length: N }, () => Math.floor(rand() * 1e9) / 1e3);
const scores2 = Float64Array.from({ length: N }, () => Math.floor(rand() * 1e9) / 1e3);
const order = Array.from({ length: N }, (_, i) => i);
for (let i = N - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [order[i], order[j]] = [order[j]!, order[i]!];
}

const z = new ZSetValue();
z.toBig();
function time(label: string, n: number, fn: () => void): void {
  const t = process.hrtime.bigint();
  fn();
  const ns = Number(process.hrtime.bigint() - t) / n;
  console.log(`${label.padEnd(28)} ${ns.toFixed(0).padStart(7)} ns/op`);
}

time(`ZADD new (${N})`, N, () => {
  for (let i = 0; i < N; i++) z.zadd(members[order[i]!]!, scores[i]!, 0, 0, 0);
});
time(`ZADD update (${N})`, N, () => {
  for (let i = 0; i < N; i++) z.zadd(members[i]!, scores2[i]!, 0, 0, 0);
});
let sink = 0;
time(`ZRANK (${READS})`, READS, () => {
  for (let i = 0; i < READS; i++) sink += z.rank(members[Math.floor(rand() * N)]!, false);
});
const out: RangeOut = { members: [], scores: [] };
time(`ZRANGE by rank, 10 (${READS})`, READS, () => {
  for (let i = 0; i < READS; i++) {
    const s = Math.floor(rand() * (N - 10));
    z.rangeByRank(s, s + 9, false, out);
    sink += out.members.length;
    out.members.length = 0;
    out.scores.length = 0;
  }
});
console.log(`accounted bytes/member        ${(z.bytes() / z.size()).toFixed(1)}`);
globalThis.gc?.();
console.log(`heap used/member (after gc)   ${(process.memoryUsage().heapUsed / z.size()).toFixed(1)}${globalThis.gc ? '' : ' (run with --expose-gc for a settled figure)'}`);
if (sink === -1) console.log(sink);
