/**
 * Differential testing: the same command sequence goes to shardis and to a
 * real redis-server started here; replies must be byte-identical, or equal
 * after sorting where Redis's order is unspecified.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../src/index.ts';
import { REDIS_VERSION } from '../src/server/version.ts';
import { formatDouble, formatDoubleShortest } from '../src/protocol/format.ts';
import { freePort } from '../test/helpers/ports.ts';
import { RespClient, type Reply } from '../test/helpers/resp-client.ts';


/** The version the live reference reports (Debian's redis-server: 7.0.15). */
let referenceVersion = REDIS_VERSION;

/**
 * A raw reply of shardis with its version (HELLO's `version`) written as the
 * live reference's: shardis reports Redis 7.4.1, the reference Redis is
 * older, and the version is the one part of those replies that differs by
 * design.
 */
export function asReference(raw: string): string {
  if (referenceVersion === REDIS_VERSION) return raw;
  return raw.split(`$${REDIS_VERSION.length}\r\n${REDIS_VERSION}\r\n`).join(`$${referenceVersion.length}\r\n${referenceVersion}\r\n`);
}

/**
 * Commands whose doubles are addReplyDouble's (scores; ACL LOG's age): where
 * Redis 7.0 printed %.17g and 7.2+ prints d2string's shortest digits. Not
 * ZSCAN (a skiplist's scores are %.17Lg in both), not GEO (human long
 * doubles and %.4f distances, unchanged).
 */
const DOUBLE_REPLIES = new Set([
  'ZSCORE', 'ZMSCORE', 'ZINCRBY', 'ZADD', 'ZRANGE', 'ZRANGEBYSCORE', 'ZREVRANGEBYSCORE', 'ZREVRANGE', 'ZPOPMIN', 'ZPOPMAX',
  'BZPOPMIN', 'BZPOPMAX', 'ZMPOP', 'BZMPOP', 'ZRANDMEMBER', 'ZUNION', 'ZINTER', 'ZDIFF', 'ZRANK', 'ZREVRANK', 'ACL',
]);

/**
 * A reply of Redis 7.0 to a DOUBLE_REPLIES command with its doubles as Redis
 * ≥ 7.2 writes them: 7.0's addReplyDouble printed %.17g
 * (0.10000000000000001), 7.2's d2string the shortest digits that read back
 * (0.1). Rewritten are bulk strings and RESP3 doubles that are exactly a
 * %.17g rendering of a non-integer.
 */
export function doublesAs72(raw: string, args: readonly (string | number | Buffer)[]): string {
  if (!DOUBLE_REPLIES.has(String(args[0]).toUpperCase())) return raw;
  const as72 = (s: string): string => {
    if (!/[.e]/.test(s)) return s;
    const d = Number(s);
    if (!Number.isFinite(d) || formatDouble(d) !== s) return s;
    return formatDoubleShortest(d);
  };
  return raw
    .replace(/\$(\d+)\r\n(-?\d[\d.]*(?:e[-+]\d+)?)\r\n/g, (all, _n: string, s: string) => {
      const t = as72(s);
      return t === s ? all : `$${t.length}\r\n${t}\r\n`;
    })
    .replace(/(?<=^|\r\n),(-?\d[\d.]*(?:e[-+]\d+)?)\r\n/g, (_all, s: string) => `,${as72(s)}\r\n`);
}

/** A connection to the live reference Redis, its replies read as Redis 7.4's where only the format changed (doubles). */
export async function referenceClient(port: number): Promise<RespClient> {
  const c = await RespClient.connect(port);
  if (referenceVersion.startsWith('7.0.')) c.rewrite = doublesAs72;
  return c;
}

export async function startRedis(bin = process.env.REDIS_SERVER ?? 'redis-server'): Promise<{ port: number; proc: ChildProcess }> {
  try {
    referenceVersion = /v=(\S+)/.exec(execFileSync(bin, ['--version'], { encoding: 'utf8' }))?.[1] ?? REDIS_VERSION;
  } catch {
    throw new Error(`compat tests need a real Redis: '${bin}' not found (apt-get install redis-server)`);
  }
  const port = await freePort();
  // a directory of its own: DEBUG RELOAD / SAVE write dump.rdb there, not where the tests run
  const dir = mkdtempSync(join(tmpdir(), 'shardis-compat-redis-'));
  const proc = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'yes', '--dir', dir], { stdio: 'ignore' });
  proc.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  for (let i = 0; i < 100; i++) {
    try {
      const c = await RespClient.connect(port);
      c.close();
      return { port, proc };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error('redis-server did not start');
}

/** A step: a command, optionally compared unordered (its array reply sorted) or only by type. */
export interface Step {
  cmd: (string | number)[];
  unordered?: boolean;
  /** Send to both, don't compare (HELLO: versions and ids differ by design). */
  ignore?: boolean;
}

export type Script = Array<Step | (string | number)[]>;

export interface Pair {
  redis: RespClient;
  shardis: RespClient;
}

/** A reply with its arrays, sets and maps sorted, at every depth: what `unordered` steps compare. */
export function normalize(r: Reply): Reply {
  if (Array.isArray(r)) return [...r.map(normalize)].sort((a, b) => (JSON.stringify(a, big) < JSON.stringify(b, big) ? -1 : 1));
  if (r && typeof r === 'object' && 'set' in r) return { set: normalize(r.set) as Reply[] };
  if (r && typeof r === 'object' && 'map' in r) {
    const pairs = r.map.map(([k, v]): [Reply, Reply] => [normalize(k), normalize(v)]);
    return { map: pairs.sort((a, b) => (JSON.stringify(a, big) < JSON.stringify(b, big) ? -1 : 1)) };
  }
  return r;
}

function big(_k: string, v: unknown): unknown {
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Runs every step on both servers and asserts the replies match. */
export async function runScript(pair: Pair, script: Script): Promise<void> {
  for (const s of script) {
    const step: Step = Array.isArray(s) ? { cmd: s } : s;
    const label = step.cmd.join(' ').slice(0, 200);
    if (step.ignore) {
      await Promise.all([pair.redis.call(...step.cmd), pair.shardis.call(...step.cmd)]);
    } else if (step.unordered) {
      const [a, b] = await Promise.all([pair.redis.call(...step.cmd), pair.shardis.call(...step.cmd)]);
      assert.deepEqual(normalize(b), normalize(a), `unordered reply differs for: ${label}`);
    } else {
      const [a, b] = await Promise.all([pair.redis.callRaw(...step.cmd), pair.shardis.callRaw(...step.cmd)]);
      assert.equal(asReference(b), a, `reply differs for: ${label}`);
    }
  }
}

/**
 * describe() a compat suite: one real Redis and shardis with 1 and 4 shards.
 * Each test gets fresh FLUSHALLed connections (RESP2; send HELLO 3 for RESP3).
 */
export function describeCompat(name: string, body: (t: (title: string, script: Script | ((p: Pair) => Promise<void>)) => void) => void): void {
  // SHARDIS_TEST_THREADS=N runs shardis on N threads (npm run test:threads)
  const threads = Number(process.env.SHARDIS_TEST_THREADS ?? 1);
  for (const shards of [1, 4]) {
    describe(`${name} [shards=${shards}${threads > 1 ? `, threads=${threads}` : ''}]`, () => {
      let redis: { port: number; proc: ChildProcess } | null = null;
      let shardis: RunningServer | null = null;
      before(async () => {
        redis = await startRedis();
        shardis = await startServer({ port: 0, shards, threads });
      });
      after(async () => {
        redis?.proc.kill('SIGKILL');
        await shardis?.close();
      });
      body((title, script) => {
        test(title, async () => {
          const pair: Pair = { redis: await referenceClient(redis!.port), shardis: await RespClient.connect(shardis!.port) };
          try {
            await pair.redis.call('FLUSHALL');
            await pair.shardis.call('FLUSHALL');
            if (typeof script === 'function') await script(pair);
            else await runScript(pair, script);
          } finally {
            pair.redis.close();
            pair.shardis.close();
          }
        });
      });
    });
  }
}

/** Runs the script in RESP2, then again from scratch in RESP3. */
export async function bothProtocols(p: Pair, script: Script): Promise<void> {
  await runScript(p, script);
  await runScript(p, [['FLUSHALL'], { cmd: ['HELLO', '3'], ignore: true }]);
  await runScript(p, script);
}
