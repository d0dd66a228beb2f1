/**
 * The commands the in-process micro-benchmarks send (pipeline-micro.ts,
 * rate-limit-micro.ts): redis-benchmark's tests, with keys drawn from a
 * fixed-seed generator over 100 000 names as `-r 100000` draws them.
 */
import { createHash } from 'node:crypto';

let seed = 12345;
/** The next key number, as redis-benchmark writes `__rand_int__` (12 digits). */
export const rnd = (): string => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return String(seed % 100_000).padStart(12, '0');
};

export const COMMANDS: Record<string, () => string[]> = {
  set: () => ['SET', 'key:' + rnd(), 'xxx'],
  get: () => ['GET', 'key:' + rnd()],
  incr: () => ['INCR', 'counter:' + rnd()],
  lpush: () => ['LPUSH', 'mylist', 'xxx'],
  sadd: () => ['SADD', 'myset', 'element:' + rnd()],
  hset: () => ['HSET', 'myhash', 'element:' + rnd(), 'xxx'],
  zadd: () => ['ZADD', 'myzset', rnd(), 'element:' + rnd()],
  hset10: () => ['HSET', 'h:' + rnd(), 'f' + (seed % 10), 'xxx'],
  sadd10: () => ['SADD', 's:' + rnd(), String(seed % 10)],
  zadd10: () => ['ZADD', 'z:' + rnd(), String(seed % 10), 'm' + (seed % 10)],
  rpush10: () => ['RPUSH', 'l:' + rnd(), 'xxx'],
  hget10: () => ['HGET', 'h:' + rnd(), 'f' + (seed % 10)],
  evalsha: () => ['EVALSHA', EVALSHA_SHA, '1', 'bench:counter:' + rnd()],
  xadd: () => ['XADD', 'bench:stream', '*', 'field', rnd()],
  publish: () => ['PUBLISH', 'bench:ch', 'hello'],
};

/** The script of the evalsha test (bench/run.ts's EVALSHA row): one GET and one INCR. */
export const EVALSHA_SCRIPT = "redis.call('GET', KEYS[1]) return redis.call('INCR', KEYS[1])";
const EVALSHA_SHA = createHash('sha1').update(EVALSHA_SCRIPT).digest('hex');

/** What a test needs run once before it (loading its script). */
export const SETUP: Record<string, string[][]> = {
  evalsha: [['SCRIPT', 'LOAD', EVALSHA_SCRIPT]],
};
