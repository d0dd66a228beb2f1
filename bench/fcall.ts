/**
 * FCALL rows: a function doing one GET and one INCR on a random key out of
 * 100 000, written in Lua and in JavaScript (a `#!js` library), sent by
 * redis-benchmark as `FCALL <fn> 1 bench:fcall:__rand_int__`. The Lua
 * function runs on both servers, the JS one on shardis only (Redis 7 has
 * no JS engine), so each row gives:
 *
 * - FCALL LUA: redis rps, shardis rps and their ratio;
 * - FCALL JS: the same Redis Lua rate, shardis's JS rate, their ratio, and
 *   JS against shardis's own Lua.
 *
 * Fresh servers, pinned as the throughput rows are (pinning.ts: with a core
 * to spare the servers get core 0, or cores 0 and 1 from 3 cores, and
 * redis-benchmark the others), so shardis's JS worker thread shares the
 * server's core (the server thread waits while a function runs).
 *
 *   npm run bench -- --fcall [--n 200000] [--pipelines 1,16]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RespClient } from '../test/helpers/resp-client.ts';
import { kill, startTarget } from './servers.ts';
import { pinning } from './pinning.ts';

/** Requests per second of redis-benchmark sending `n` of `command` (with -r 100000) at -P `p`, pinned to `cpus` ('' for none). */
export type CommandRate = (port: number, command: string[], p: number, n: number, cpus: string) => number;

export const FCALL_LUA_LIB = `#!lua name=benchlua
redis.register_function('bench_lua', function(keys, args)
  redis.call('GET', keys[1])
  return redis.call('INCR', keys[1])
end)`;

export const FCALL_JS_LIB = `#!js api_version=1.0 name=benchjs
redis.registerFunction('bench_js', (client, keys) => {
  client.call('GET', keys[0]);
  return client.call('INCR', keys[0]);
});`;

const KEY = 'bench:fcall:__rand_int__';

export interface FcallRow {
  p: number;
  /** Redis running the Lua function. */
  redisLua: number;
  shardisLua: number;
  shardisJs: number;
  pinned: boolean;
}

async function load(port: number, libs: string[]): Promise<void> {
  const c = await RespClient.connect(port);
  try {
    for (const lib of libs) await c.call('FUNCTION', 'LOAD', 'REPLACE', lib);
  } finally {
    c.close();
  }
}

export async function fcallRows(n: number, pipelines: number[], rate: CommandRate, log: (l: string) => void): Promise<FcallRow[]> {
  const pin = pinning();
  const pinned = pin.pinned;
  const benchCpus = pin.bench;
  const redisDir = mkdtempSync(join(tmpdir(), 'redis-bench-fcall-'));
  const dir = mkdtempSync(join(tmpdir(), 'shardis-bench-fcall-'));
  const redis = await startTarget('redis', redisDir, ['--appendonly', 'no'], 1, true, pin.redis);
  const shardis = await startTarget('shardis', dir, ['--appendonly', 'no'], 1, true, pin.shardis);
  const rows: FcallRow[] = [];
  try {
    await load(redis.port, [FCALL_LUA_LIB]);
    await load(shardis.port, [FCALL_LUA_LIB, FCALL_JS_LIB]);
    log(`FCALL rows: ${pin.describe}`);
    const lua = ['FCALL', 'bench_lua', '1', KEY];
    const js = ['FCALL', 'bench_js', '1', KEY];
    const warm = Math.max(1000, Math.floor(n / 10));
    // a run that fails (an error reply stops redis-benchmark) is NaN in the table, logged, and the rest goes on
    const tryRate = (port: number, cmd: string[], p: number, count: number): number => {
      try {
        return rate(port, cmd, p, count, benchCpus);
      } catch (e) {
        log(`${cmd.slice(0, 2).join(' ')} -P ${p} on ${port === redis.port ? 'redis' : 'shardis'} failed: ${String((e as { stderr?: unknown }).stderr ?? e).trim()}`);
        return NaN;
      }
    };
    for (const p of pipelines) {
      // untimed warm-up runs (V8 JIT, QuickJS and Lua state)
      tryRate(redis.port, lua, p, warm);
      tryRate(shardis.port, lua, p, warm);
      tryRate(shardis.port, js, p, warm);
      const redisLua = tryRate(redis.port, lua, p, n);
      const shardisLua = tryRate(shardis.port, lua, p, n);
      const shardisJs = tryRate(shardis.port, js, p, n);
      rows.push({ p, redisLua, shardisLua, shardisJs, pinned });
      log(`FCALL -P ${p}: redis lua ${redisLua.toFixed(0)} shardis lua ${shardisLua.toFixed(0)} (${(shardisLua / redisLua).toFixed(2)}) shardis js ${shardisJs.toFixed(0)} (${(shardisJs / redisLua).toFixed(2)}; js/lua ${(shardisJs / shardisLua).toFixed(2)})`);
    }
  } finally {
    kill(redis);
    kill(shardis);
    rmSync(dir, { recursive: true, force: true });
    rmSync(redisDir, { recursive: true, force: true });
  }
  return rows;
}

export function fcallTable(rows: FcallRow[], n: number, clients: number): string {
  const out = [
    `FCALL of a function doing GET + INCR on random keys (redis-benchmark -c ${clients} -n ${n} -r 100000; bench/fcall.ts):`,
    '',
    '| test | -P | redis rps (Lua) | shardis rps | ratio vs redis | JS / shardis Lua | pinned |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    out.push(`| FCALL LUA | ${r.p} | ${r.redisLua.toFixed(0)} | ${r.shardisLua.toFixed(0)} | ${(r.shardisLua / r.redisLua).toFixed(2)} | | ${r.pinned ? 'yes' : 'no'} |`);
    out.push(`| FCALL JS | ${r.p} | ${r.redisLua.toFixed(0)} | ${r.shardisJs.toFixed(0)} | ${(r.shardisJs / r.redisLua).toFixed(2)} | ${(r.shardisJs / r.shardisLua).toFixed(2)} | ${r.pinned ? 'yes' : 'no'} |`);
  }
  return out.join('\n');
}
