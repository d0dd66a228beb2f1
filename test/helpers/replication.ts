/**
 * Helpers of the replication tests (test/integration/replica-threads.test.ts;
 * the same as test/integration/replica.test.ts's): INFO as a map, waiting
 * until a replica caught up, a preload of every type and a concurrent write
 * load, and the comparison of two datasets key by key and by DEBUG DIGEST.
 */
import assert from 'node:assert/strict';
import { RespClient, ReplyError, type Reply } from './resp-client.ts';
import { keyContent, sameVersion } from './key-content.ts';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function until(ok: () => Promise<boolean>, what: string, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await ok()) return;
    await sleep(25);
  }
  assert.fail(`never: ${what}`);
}

/** INFO section as a name → value map. */
export async function info(c: RespClient, section: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const line of String(await c.call('INFO', section)).split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** A raw connection that sent SYNC and dropped the RDB payload: what it reads next is the replication stream. */
export async function syncedStream(port: number): Promise<RespClient> {
  const repl = await RespClient.connect(port);
  repl.writeRaw('SYNC\r\n');
  await sleep(100);
  repl.pending();
  (repl as unknown as { buf: Buffer }).buf = Buffer.alloc(0);
  return repl;
}

/** Waits until the replica's link is up and it applied everything the primary streamed. */
export async function settle(primary: RespClient, replica: RespClient): Promise<void> {
  await until(async () => {
    const p = await info(primary, 'replication');
    const r = await info(replica, 'replication');
    return r.master_link_status === 'up' && p.master_repl_offset === r.slave_repl_offset && r.slave_repl_offset === r.master_repl_offset;
  }, 'the replica caught up with its primary');
}

export const LIB = "#!lua name=replib\nredis.register_function{function_name='rf', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}}";

/** Keys of every type and encoding, in three databases, some with TTLs, and a function library. */
export async function preload(c: RespClient): Promise<void> {
  await c.call('FUNCTION', 'LOAD', 'REPLACE', LIB);
  await c.call('SET', 'str', 'hello');
  await c.call('SET', 'int', '12345');
  await c.call('SET', 'ttl', 'v', 'EX', '1000');
  await c.call('SET', 'big', 'x'.repeat(5000));
  await c.call('PFADD', 'hll', 'a', 'b', 'c');
  await c.call('SETBIT', 'bits', '1000', '1');
  await c.call('RPUSH', 'list', 'a', 'b', '3');
  await c.call('RPUSH', 'biglist', ...Array.from({ length: 300 }, (_, i) => `e${i}`));
  await c.call('HSET', 'hash', 'f', 'v', 'n', '1');
  await c.call('HSET', 'bighash', ...Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]).flat());
  await c.call('SADD', 'intset', '1', '2', '3');
  await c.call('SADD', 'set', 'a', 'b');
  await c.call('SADD', 'bigset', ...Array.from({ length: 300 }, (_, i) => `m${i}`));
  await c.call('ZADD', 'zset', '1', 'a', '2.5', 'b');
  await c.call('ZADD', 'bigzset', ...Array.from({ length: 300 }, (_, i) => [String(i / 3), `m${i}`]).flat());
  await c.call('GEOADD', 'geo', '13.361389', '38.115556', 'Palermo');
  await c.call('XADD', 'stream', '1-1', 'f', 'v');
  await c.call('XADD', 'stream', '2-1', 'g', 'w');
  await c.call('XGROUP', 'CREATE', 'stream', 'grp', '0');
  await c.call('XREADGROUP', 'GROUP', 'grp', 'alice', 'COUNT', '1', 'STREAMS', 'stream', '>');
  await c.call('PEXPIRE', 'hash', '900000');
  await c.call('SELECT', '1');
  await c.call('SET', 'db1', 'one');
  await c.call('ZADD', 'z1', '1', 'x');
  await c.call('SELECT', '2');
  await c.call('HSET', 'db2', 'f', 'v');
  await c.call('SELECT', '0');
}

/** Sends a command and fails on an error reply. */
export async function ok(c: RespClient, ...args: string[]): Promise<Reply> {
  const r = await c.call(...args);
  if (r instanceof ReplyError) assert.fail(`${args.join(' ')}: ${r.message}`);
  return r;
}

/**
 * One writer of the load: strings with and without expiry (some expiring
 * during the run), counters, hashes, lists, sets, sorted sets, a stream with
 * a consumer group, MULTI/EXEC, a Lua script, DEL; writer 3 works in db 1.
 */
export async function writer(port: number, w: number, n: number, pops: boolean): Promise<void> {
  const c = await RespClient.connect(port);
  try {
    if (w === 3) await ok(c, 'SELECT', '1');
    await ok(c, 'XADD', `x:${w}`, '*', 'start', '1');
    // a second run finds the group there
    const group = await c.call('XGROUP', 'CREATE', `x:${w}`, 'g', '0');
    assert.ok(!(group instanceof ReplyError) || group.message.startsWith('BUSYGROUP'));
    for (let j = 0; j < n; j++) {
      const k = `${w}:${j % 20}`;
      switch (j % 16) {
        case 0: await ok(c, 'SET', `s:${k}`, `v${j}`, 'EX', '1000'); break;
        case 1: await ok(c, 'INCRBY', `n:${k}`, String(j)); break;
        case 2: await ok(c, 'HSET', `h:${k}`, `f${j % 7}`, `v${j}`); break;
        case 3: await ok(c, 'RPUSH', `l:${k}`, `a${j}`, `b${j}`); break;
        case 4: await ok(c, 'LPOP', `l:${k}`); break;
        case 5: await ok(c, 'SADD', `st:${k}`, `m${j % 11}`, 'x', String(j)); break;
        case 6: await ok(c, pops ? 'SPOP' : 'SREM', `st:${k}`, ...(pops ? [] : [`m${(j + 3) % 11}`])); break;
        case 7: await ok(c, 'ZADD', `z:${k}`, String(j), `m${j % 9}`); break;
        case 8: await ok(c, 'ZINCRBY', `z:${k}`, '1.5', `m${j % 5}`); break;
        case 9: await ok(c, 'XADD', `x:${w}`, 'MAXLEN', '~', '1000', '*', 'f', `v${j}`); break;
        case 10: {
          c.send('MULTI');
          c.send('SET', `t:${k}`, `v${j}`);
          c.send('INCR', `cnt:${w}`);
          c.send('HINCRBY', `h:${k}`, 'n', '1');
          c.send('EXEC');
          for (let i = 0; i < 5; i++) assert.ok(!((await c.read()) instanceof ReplyError));
          break;
        }
        case 11:
          await ok(c, 'EVAL', "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])", '2', `e:${k}`, `ec:${w}`, String(j));
          break;
        case 12: await ok(c, 'DEL', `s:${w}:${(j + 5) % 20}`, `t:${k}`); break;
        case 13: await ok(c, 'SET', `px:${k}`, 'short', 'PX', '30'); break;
        case 14: await ok(c, 'XREADGROUP', 'GROUP', 'g', `c${j % 3}`, 'COUNT', '2', 'STREAMS', `x:${w}`, '>'); break;
        default: await ok(c, 'PEXPIRE', `h:${k}`, String(500000 + j)); break;
      }
    }
  } finally {
    c.close();
  }
}

export function load(port: number, n = 240, pops = true): Promise<void[]> {
  return Promise.all([0, 1, 2, 3].map((w) => writer(port, w, n, pops)));
}

/** The primary deletes what expired (SCAN looks every key up), so both sides hold the same keys. */
export async function expireOnPrimary(c: RespClient): Promise<void> {
  await sleep(60);
  for (const db of ['0', '1', '2']) {
    await c.call('SELECT', db);
    let cursor = '0';
    do cursor = String(((await c.call('SCAN', cursor, 'COUNT', '1000')) as Reply[])[0]);
    while (cursor !== '0');
  }
  await c.call('SELECT', '0');
}

/** Same keys in every database with the same type, value (keyContent) and TTL (within 2 s); then DEBUG DIGEST between servers of one version. */
export async function assertSameData(p: RespClient, r: RespClient, what: string): Promise<void> {
  for (const db of ['0', '1', '2']) {
    await p.call('SELECT', db);
    await r.call('SELECT', db);
    const keys = ((await p.call('KEYS', '*')) as string[]).sort();
    assert.deepEqual(((await r.call('KEYS', '*')) as string[]).sort(), keys, `${what}: keys of db ${db}`);
    assert.ok(db !== '0' || keys.length > 40, `${what}: the load wrote keys`);
    for (const k of keys) {
      assert.equal(await r.call('TYPE', k), await p.call('TYPE', k), `${what}: type of ${k}`);
      assert.deepEqual(await keyContent(r, k), await keyContent(p, k), `${what}: value of ${k}`);
      const [pt, rt] = [Number(await p.call('PTTL', k)), Number(await r.call('PTTL', k))];
      assert.ok(pt < 0 ? rt === pt : Math.abs(pt - rt) < 2000, `${what}: TTL of ${k}: ${pt} vs ${rt}`);
    }
  }
  await p.call('SELECT', '0');
  await r.call('SELECT', '0');
  if (await sameVersion(p, r)) assert.equal(await r.call('DEBUG', 'DIGEST'), await p.call('DEBUG', 'DIGEST'), `${what}: DEBUG DIGEST`);
  assert.equal(await r.call('FCALL_RO', 'rf', '1', 'str'), 'hello', `${what}: the function library`);
}

export async function linkUp(r: RespClient): Promise<void> {
  await until(async () => (await info(r, 'replication')).master_link_status === 'up', 'the master link is up');
}

