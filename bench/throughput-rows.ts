/**
 * What each redis-benchmark row of `npm run bench` sends, on random keys:
 * the `-t` tests with `-r 100000` (redis-benchmark puts a 12-digit random
 * number in place of `__rand_int__` in their key names; the list tests
 * LPUSH / LPOP / LRANGE_100 / SPOP / ZPOPMIN use one key by design), custom
 * commands with their own `-r`, and the data each row reads, preloaded
 * identically on both servers (redis-cli --pipe) before the row first runs:
 *
 * - GET, MGET10, MSET: 100 000 strings `key:%012d` (3-byte values, as SET writes).
 * - HGETALL: 100 000 hashes `bench:hash:%012d` of 10 fields.
 * - ZRANGE10: 10 000 sorted sets `bench:zset:%012d` of 100 members (-r 10000).
 * - XREAD: one stream `bench:xstream` of 100 000 entries, ids 1-0 … 100000-0,
 *   read 10 entries after a random id.
 * - SINTER: 100 000 sets `bench:set:%012d` of 10 members drawn from 20, so
 *   two random sets share about 5.
 * - ZADD1M: `ZADD bench:growing <rand> member:<rand>` with -r 1000000 and
 *   always 1 000 000 requests (whatever --n says), each run on a fresh
 *   `DEL bench:growing`: the set grows to about 630 000 members.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipe, resp } from './memory.ts';

export interface ThroughputRow {
  /** redis-benchmark arguments after -n / -P: -r and a -t test or a command. */
  args: string[];
  /** Requests per run when fixed (ZADD1M), else --n. */
  n?: number;
  /** The data set preloaded before the row first runs. */
  data?: DataSet;
  /** A command sent before every run (warm-up included). */
  reset?: string[];
}

export type DataSet = 'strings' | 'hashes' | 'zsets' | 'stream' | 'sets';

const RANDOM = ['-r', '100000'];

const pad = (i: number): string => String(i).padStart(12, '0');

/** A redis-benchmark row for `test`, or undefined for the rows loads.ts measures (multi, publish*). */
export function throughputRow(test: string, evalshaSha: string): ThroughputRow | undefined {
  switch (test) {
    case 'multi':
    case 'publish1':
    case 'publish100':
      return undefined;
    case 'xadd':
      return { args: [...RANDOM, 'XADD', 'bench:stream', '*', 'field', '__rand_int__'] };
    case 'pfadd':
      return { args: [...RANDOM, 'PFADD', 'bench:hll', 'element:__rand_int__'] };
    case 'evalsha':
      return { args: [...RANDOM, 'EVALSHA', evalshaSha, '1', 'bench:counter:__rand_int__'] };
    case 'get':
    case 'mset':
      return { args: [...RANDOM, '-t', test], data: 'strings' };
    case 'mget10':
      return { args: [...RANDOM, 'MGET', ...Array.from({ length: 10 }, () => 'key:__rand_int__')], data: 'strings' };
    case 'hgetall':
      return { args: [...RANDOM, 'HGETALL', 'bench:hash:__rand_int__'], data: 'hashes' };
    case 'zrange10':
      return { args: ['-r', '10000', 'ZRANGE', 'bench:zset:__rand_int__', '0', '9', 'WITHSCORES'], data: 'zsets' };
    case 'xread':
      return { args: [...RANDOM, 'XREAD', 'COUNT', '10', 'STREAMS', 'bench:xstream', '__rand_int__-0'], data: 'stream' };
    case 'sinter':
      return { args: [...RANDOM, 'SINTER', 'bench:set:__rand_int__', 'bench:set:__rand_int__'], data: 'sets' };
    case 'zadd1m':
      return { args: ['-r', '1000000', 'ZADD', 'bench:growing', '__rand_int__', 'member:__rand_int__'], n: 1_000_000, reset: ['DEL', 'bench:growing'] };
    default:
      return { args: [...RANDOM, '-t', test] };
  }
}

/** A small deterministic generator (an LCG), so both servers get the same sets. */
function lcg(seed: number): () => number {
  let s = (seed * 2654435761 + 1) >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

function build(data: DataSet): string[][] {
  const out: string[][] = [];
  switch (data) {
    case 'strings':
      for (let i = 0; i < 100_000; i += 100) {
        const args = ['MSET'];
        for (let k = i; k < i + 100; k++) args.push(`key:${pad(k)}`, 'xxx');
        out.push(args);
      }
      break;
    case 'hashes':
      for (let i = 0; i < 100_000; i++) {
        const args = ['HSET', `bench:hash:${pad(i)}`];
        for (let f = 0; f < 10; f++) args.push(`field:${f}`, `value:${(i * 7 + f) % 1000}`);
        out.push(args);
      }
      break;
    case 'zsets':
      for (let i = 0; i < 10_000; i++) {
        const args = ['ZADD', `bench:zset:${pad(i)}`];
        for (let m = 0; m < 100; m++) args.push(String((i * 31 + m * 17) % 10_000), `member:${m}`);
        out.push(args);
      }
      break;
    case 'stream':
      for (let i = 1; i <= 100_000; i++) out.push(['XADD', 'bench:xstream', `${i}-0`, 'field', `value:${i}`]);
      break;
    case 'sets':
      for (let i = 0; i < 100_000; i++) {
        // 10 of the 20 members, a partial Fisher–Yates shuffle per set
        const universe = Array.from({ length: 20 }, (_, m) => `member:${m}`);
        const next = lcg(i);
        for (let j = 0; j < 10; j++) {
          const k = j + (next() % (20 - j));
          [universe[j], universe[k]] = [universe[k]!, universe[j]!];
        }
        out.push(['SADD', `bench:set:${pad(i)}`, ...universe.slice(0, 10)]);
      }
      break;
  }
  return out;
}

/** Loads `data` into every server on `ports` (the same commands, in the same order). */
export async function preload(data: DataSet, ports: number[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-preload-'));
  try {
    const file = join(dir, `${data}.resp`);
    writeFileSync(file, resp(build(data)), 'latin1');
    for (const port of ports) await pipe(port, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
