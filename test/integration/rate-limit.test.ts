/**
 * Rate limits (security/rate-limit.ts): per-connection commands and bytes
 * per second, refuse and delay modes, per-ACL-user limits shared by the
 * user's connections (with SHARDIS_TEST_THREADS=4, connections on
 * different threads), the ACL rules' round trip, CONFIG SET on live
 * connections and CONFIG REWRITE, HTTP, WebSocket and the line protocol,
 * INFO's counters and /metrics. Timings are counted over about a second
 * and asserted with wide margins (a loaded two-core machine).
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { Redis } from 'ioredis';
import { startFromConfig, type RunningServer } from '../../src/index.ts';
import { parseArgs } from '../../src/config/config.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { ReplyError, RespClient, type Reply } from '../helpers/resp-client.ts';
import { freePort } from '../helpers/ports.ts';
import { TEST_THREADS } from '../helpers/server.ts';
import { onEveryThread } from '../helpers/threads.ts';
import { ShardisClient, ReplyError as GrpcError } from '../helpers/grpc-client.ts';

const LIMITED = /^ERR rate limit exceeded \((connection|user '[^']+') (commands|bytes), retry in \d+ ms\)$/;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `call` back to back for `ms`: how many succeeded and the refusals' texts. */
async function hammer(call: () => Promise<unknown>, ms = 1000): Promise<{ ok: number; refused: string[] }> {
  const end = Date.now() + ms;
  let ok = 0;
  const refused: string[] = [];
  while (Date.now() < end) {
    try {
      await call();
      ok++;
    } catch (e) {
      refused.push(e instanceof Error ? e.message : String(e));
      // a refused client backs off a little, as a real one would
      await sleep(2);
    }
  }
  return { ok, refused };
}

/** A RESP-helper call that throws on an error reply (as the client libraries do). */
async function respCall(c: RespClient, ...args: string[]): Promise<Reply> {
  const r = await c.call(...args);
  if (r instanceof ReplyError) throw new Error(r.message);
  return r;
}

const infoField = (info: string, name: string): number => Number(new RegExp(`^${name}:(\\d+)\\r?$`, 'm').exec(info)?.[1] ?? NaN);

describe(`rate limits${TEST_THREADS > 1 ? ` [threads=${TEST_THREADS}]` : ''}`, () => {
  let srv: RunningServer;
  let dir: string;
  let file: string;
  /** The admin connection: it sets and clears limits (under a connection limit it has its own, fresh bucket). */
  let admin: Redis;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shardis-rate-'));
    file = join(dir, 'shardis.conf');
    writeFileSync(join(dir, 'users.acl'), 'user default on nopass ~* &* +@all\n');
    writeFileSync(file, `port 0\ndir ${dir}\nsave ""\naclfile users.acl\nthreads ${TEST_THREADS}\nhttp-port ${await freePort()}\nline-port ${await freePort()}\ngrpc-port ${await freePort()}\nhttp-token web-token web\n`);
    srv = await startFromConfig(parseArgs([file, '--loglevel', 'warning', '--rate-limit-mode', 'refuse']));
    admin = await ioredis(srv.port);
  });
  after(async () => {
    admin.disconnect();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Sets parameters from a fresh connection (the admin's own bucket is never the one under test). */
  async function configSet(...pairs: string[]): Promise<void> {
    const c = await RespClient.connect(srv.port);
    try {
      assert.equal(await c.call('CONFIG', 'SET', ...pairs), 'OK');
    } finally {
      c.close();
    }
  }

  test('no limit by default; parameters from a config file and flags, CONFIG GET/SET errors', async () => {
    assert.deepEqual(await admin.config('GET', 'rate-limit-conn-commands'), ['rate-limit-conn-commands', '0 0']);
    assert.deepEqual(await admin.config('GET', 'rate-limit-conn-bytes'), ['rate-limit-conn-bytes', '0 0']);
    assert.deepEqual(await admin.config('GET', 'rate-limit-mode'), ['rate-limit-mode', 'refuse']);
    // a config file and flags; the flags take <per-second> [burst] as one or two arguments; burst defaults to the rate
    const conf = join(dir, 'flags.conf');
    writeFileSync(conf, 'rate-limit-conn-commands 100 20\nrate-limit-mode delay\n');
    const cfg = parseArgs([conf, '--rate-limit-conn-bytes', '5000']);
    const flagged = await startFromConfig({ ...cfg, port: 0 });
    try {
      const c = await RespClient.connect(flagged.port);
      assert.deepEqual(await c.call('CONFIG', 'GET', 'rate-limit-conn-commands'), ['rate-limit-conn-commands', '100 20']);
      assert.deepEqual(await c.call('CONFIG', 'GET', 'rate-limit-conn-bytes'), ['rate-limit-conn-bytes', '5000 5000']);
      assert.deepEqual(await c.call('CONFIG', 'GET', 'rate-limit-mode'), ['rate-limit-mode', 'delay']);
      c.close();
    } finally {
      await flagged.close();
    }
    const c = await RespClient.connect(srv.port);
    for (const v of ['x', '-1', '10 0', '10 x', '1 2 3']) {
      assert.match(await c.callRaw('CONFIG', 'SET', 'rate-limit-conn-commands', v), /^-ERR CONFIG SET failed \(possibly related to argument 'rate-limit-conn-commands'\)/, v);
    }
    assert.match(await c.callRaw('CONFIG', 'SET', 'rate-limit-mode', 'sometimes'), /^-ERR CONFIG SET failed/);
    assert.deepEqual(await c.call('CONFIG', 'GET', 'rate-limit-conn-commands'), ['rate-limit-conn-commands', '0 0']);
    c.close();
  });

  test('a connection over its commands limit is refused; another connection keeps its own rate', async (t) => {
    await configSet('rate-limit-conn-commands', '50 10');
    const a = await ioredis(srv.port);
    const b = await nodeRedis(srv.port);
    try {
      const [ra, rb] = await Promise.all([hammer(() => a.get('k')), hammer(() => b.get('k'))]);
      t.diagnostic(`50/s, burst 10, over 1 s: ioredis ${ra.ok} ran (${ra.refused.length} refused), node-redis ${rb.ok} (${rb.refused.length})`);
      // about 10 + 50 each over the second
      for (const [name, r] of [['ioredis', ra], ['node-redis', rb]] as const) {
        assert.ok(r.ok >= 25 && r.ok <= 100, `${name}: ${r.ok} succeeded`);
        assert.ok(r.refused.length > 0, `${name} was refused`);
        for (const m of r.refused) assert.match(m, LIMITED);
        assert.match(r.refused[0]!, /\(connection commands, retry in \d+ ms\)$/);
      }
    } finally {
      await configSet('rate-limit-conn-commands', '0');
      a.disconnect();
      await b.close();
    }
  });

  test('a transaction counts once (at EXEC), a script once (EVAL): their commands are not counted again', async () => {
    const c = await RespClient.connect(srv.port);
    // three at once, then one a second (slow enough for a loaded machine)
    await configSet('rate-limit-conn-commands', '1 3');
    try {
      // MULTI, EXEC and EVAL take the three tokens; the queued SETs and the script's calls take none
      c.writeRaw(['MULTI', 'SET {t}a 1', 'SET {t}b 2', 'SET {t}c 3', 'SET {t}d 4', 'EXEC', "EVAL \"for i=1,5 do redis.call('incr', KEYS[1]) end return redis.call('get', KEYS[1])\" 1 {t}n", 'GET {t}a', ''].join('\r\n'));
      const replies: Reply[] = [];
      for (let i = 0; i < 8; i++) replies.push(await c.read());
      assert.deepEqual(replies.slice(0, 7), ['OK', 'QUEUED', 'QUEUED', 'QUEUED', 'QUEUED', ['OK', 'OK', 'OK', 'OK'], '5']);
      assert.ok(replies[7] instanceof ReplyError);
      assert.match(replies[7].message, /^ERR rate limit exceeded \(connection commands, retry in \d+ ms\)$/);
      // a refused EXEC discards its transaction (it answers with the rate limit's own error)
      await sleep(1100);
      c.writeRaw('MULTI\r\nSET {t}x 1\r\nEXEC\r\n');
      assert.equal(await c.read(), 'OK');
      assert.equal(await c.read(), 'QUEUED');
      const refused = await c.read();
      assert.ok(refused instanceof ReplyError && /^ERR rate limit exceeded \(connection commands/.test(refused.message), JSON.stringify(refused));
      await sleep(1100);
      assert.equal(await c.callRaw('EXEC'), '-ERR EXEC without MULTI\r\n');
      assert.equal(await admin.exists('{t}x'), 0);
    } finally {
      await configSet('rate-limit-conn-commands', '0');
      c.close();
    }
  });

  test('delay mode: the limited client is slowed, not refused; another connection is not', async (t) => {
    await configSet('rate-limit-conn-commands', '20 1', 'rate-limit-mode', 'delay');
    const slow = await nodeRedis(srv.port);
    const other = await ioredis(srv.port);
    try {
      const t0 = performance.now();
      const batch = Promise.all(Array.from({ length: 30 }, (_, i) => slow.set(`d${i}`, 'v')));
      // meanwhile another connection's commands (under its own limit) answer at once
      await sleep(200);
      const lat: number[] = [];
      for (let i = 0; i < 5; i++) {
        const s = performance.now();
        assert.equal(await other.ping(), 'PONG');
        lat.push(performance.now() - s);
        await sleep(60);
      }
      const replies = await batch;
      const took = performance.now() - t0;
      t.diagnostic(`30 commands at 20/s, burst 1: ${took.toFixed(0)} ms; the other connection's PINGs ${lat.map((x) => x.toFixed(1)).join(', ')} ms`);
      assert.deepEqual(replies, new Array(30).fill('OK'));
      // 29 commands after the first at 20 a second: about 1.45 s
      assert.ok(took >= 1100 && took <= 5000, `30 commands took ${took.toFixed(0)} ms`);
      assert.ok(Math.max(...lat) < 400, `the other connection's PINGs took ${lat.map((x) => x.toFixed(0)).join(', ')} ms`);
    } finally {
      await configSet('rate-limit-conn-commands', '0', 'rate-limit-mode', 'refuse');
      await slow.close();
      other.disconnect();
    }
  });

  test('bytes limit: refused past it; in delay mode the big writes take their time', async (t) => {
    const value = 'x'.repeat(1000);
    await configSet('rate-limit-conn-bytes', '20000 20000');
    const c = await RespClient.connect(srv.port);
    try {
      const r = await hammer(() => respCall(c, 'SET', 'big', value));
      t.diagnostic(`20 kB/s, burst 20 kB, 1 kB SETs over 1 s: ${r.ok} ran, ${r.refused.length} refused`);
      // about 20 requests of ~1 kB fit the 20 kB burst; a client that keeps sending stays over the rate
      assert.ok(r.ok >= 10 && r.ok <= 45, `${r.ok} succeeded`);
      assert.ok(r.refused.length > 0);
      assert.match(r.refused[0]!, /^ERR rate limit exceeded \(connection bytes, retry in \d+ ms\)$/);
    } finally {
      c.close();
    }
    await configSet('rate-limit-conn-bytes', '20000 5000', 'rate-limit-mode', 'delay');
    const d = await ioredis(srv.port);
    try {
      const big = 'y'.repeat(5000);
      const t0 = performance.now();
      const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => d.set(`big${i}`, big)));
      const took = performance.now() - t0;
      t.diagnostic(`delay mode, 6 x 5 kB at 20 kB/s, burst 5 kB: ${took.toFixed(0)} ms`);
      assert.deepEqual(replies, new Array(6).fill('OK'));
      // 30 kB at 20 kB a second past a 5 kB burst: about 1.25 s
      assert.ok(took >= 800 && took <= 5000, `30 kB took ${took.toFixed(0)} ms`);
    } finally {
      await configSet('rate-limit-conn-bytes', '0', 'rate-limit-mode', 'refuse');
      d.disconnect();
    }
  });

  test("a user's limit is shared by its connections (on different threads with --threads); another user is not limited", async (t) => {
    await admin.acl('SETUSER', 'metered', 'on', '>pw', '~*', '&*', '+@all', 'ratelimit-commands:40/10');
    await admin.acl('SETUSER', 'free', 'on', '>pw', '~*', '&*', '+@all');
    // with threads, the metered user's two connections are on two threads
    const two = TEST_THREADS > 1 ? (await onEveryThread(srv.port, TEST_THREADS)).slice(0, 2) : [await RespClient.connect(srv.port), await RespClient.connect(srv.port)];
    const free = await ioredis(srv.port);
    try {
      for (const c of two) assert.equal(await c.call('AUTH', 'metered', 'pw'), 'OK');
      await free.auth('free', 'pw');
      const [r1, r2, rf] = await Promise.all([...two.map((c) => hammer(() => respCall(c, 'INCR', 'm'))), hammer(() => free.incr('f'))]);
      const total = r1!.ok + r2!.ok;
      t.diagnostic(`user at 40/s, burst 10, two connections${TEST_THREADS > 1 ? ' on two threads' : ''} over 1 s: ${r1!.ok} + ${r2!.ok} = ${total}; the other user ${rf!.ok}`);
      // one bucket for both: about 10 + 40 together
      assert.ok(total >= 25 && total <= 90, `the user's connections ran ${r1!.ok} + ${r2!.ok}`);
      assert.match([...r1!.refused, ...r2!.refused][0]!, /^ERR rate limit exceeded \(user 'metered' commands, retry in \d+ ms\)$/);
      assert.equal(rf!.refused.length, 0);
      assert.ok(rf!.ok > 2 * total, `the other user ran ${rf!.ok}`);
      assert.equal(Number(await free.get('m')), total);
    } finally {
      for (const c of two) c.close();
      free.disconnect();
      await admin.acl('DELUSER', 'metered', 'free');
    }
  });

  test('ACL rules: SETUSER / GETUSER / LIST / SAVE / LOAD round trip, errors, resets', async () => {
    assert.equal(await admin.acl('SETUSER', 'lim', 'on', 'nopass', '~k*', '+get', 'ratelimit-commands:100/20', 'ratelimit-bytes:65536'), 'OK');
    const expected = 'user lim on nopass sanitize-payload ~k* resetchannels -@all +get ratelimit-commands:100/20 ratelimit-bytes:65536/65536';
    assert.ok((await admin.acl('LIST')).includes(expected));
    const get = (await admin.acl('GETUSER', 'lim')) as unknown[];
    assert.deepEqual(get.slice(-2), ['ratelimits', 'ratelimit-commands:100/20 ratelimit-bytes:65536/65536']);
    // a user without a limit reads as in Redis: six fields
    assert.equal(((await admin.acl('GETUSER', 'default')) as unknown[]).length, 12);
    assert.equal(await admin.acl('SAVE'), 'OK');
    assert.ok(readFileSync(join(dir, 'users.acl'), 'latin1').includes(expected + '\n'));
    await admin.acl('SETUSER', 'lim', 'resetratelimits');
    assert.ok((await admin.acl('LIST')).includes('user lim on nopass sanitize-payload ~k* resetchannels -@all +get'));
    assert.equal(await admin.acl('LOAD'), 'OK');
    assert.ok((await admin.acl('LIST')).includes(expected));
    // :0 turns one limit off; reset clears both
    await admin.acl('SETUSER', 'lim', 'ratelimit-commands:0');
    assert.deepEqual(((await admin.acl('GETUSER', 'lim')) as unknown[]).slice(-1), ['ratelimit-bytes:65536/65536']);
    await admin.acl('SETUSER', 'lim', 'reset');
    assert.equal(((await admin.acl('GETUSER', 'lim')) as unknown[]).length, 12);
    const c = await RespClient.connect(srv.port);
    for (const bad of ['ratelimit-commands:', 'ratelimit-commands:x', 'ratelimit-commands:5/0', 'ratelimit-bytes:5/6/7', 'ratelimit-commands:-1']) {
      assert.equal(await c.callRaw('ACL', 'SETUSER', 'lim', bad), `-ERR Error in ACL SETUSER modifier '${bad}': Syntax error\r\n`);
    }
    c.close();
    await admin.acl('DELUSER', 'lim');
    assert.equal(await admin.acl('SAVE'), 'OK');
    // a `user` directive (config file or flag) takes the rules too
    const withUser = await startFromConfig({ ...parseArgs(['--threads', String(TEST_THREADS), '--user', 'capped on nopass ~* &* +@all ratelimit-commands:1/2']), port: 0 });
    try {
      const u = await RespClient.connect(withUser.port);
      assert.equal(await u.call('AUTH', 'capped', 'x'), 'OK');
      u.writeRaw('PING\r\nPING\r\nPING\r\n');
      assert.equal(await u.read(), 'PONG');
      assert.equal(await u.read(), 'PONG');
      const r = await u.read();
      assert.ok(r instanceof ReplyError && /^ERR rate limit exceeded \(user 'capped' commands, retry in \d+ ms\)$/.test(r.message), String(r));
      u.close();
    } finally {
      await withUser.close();
    }
  });

  test("CONFIG SET changes a live connection's limit; CONFIG REWRITE writes the parameters", async () => {
    const c = await ioredis(srv.port);
    try {
      const before = await hammer(() => c.get('k'), 300);
      assert.equal(before.refused.length, 0);
      await configSet('rate-limit-conn-commands', '30 5');
      const limited = await hammer(() => c.get('k'));
      assert.ok(limited.ok >= 15 && limited.ok <= 60, `${limited.ok} succeeded`);
      assert.ok(limited.refused.length > 0);
      await configSet('rate-limit-mode', 'delay');
      assert.equal(await admin.config('REWRITE'), 'OK');
      const text = readFileSync(file, 'latin1');
      assert.match(text, /^rate-limit-conn-commands 30 5$/m);
      assert.match(text, /^rate-limit-mode delay$/m);
      assert.doesNotMatch(text, /^rate-limit-conn-bytes/m);
      await configSet('rate-limit-conn-commands', '0', 'rate-limit-mode', 'refuse');
      await sleep(50);
      const after = await hammer(() => c.get('k'), 300);
      assert.equal(after.refused.length, 0);
      assert.ok(after.ok > 30, `${after.ok} succeeded once the limit was gone`);
      // lines in the file stay, with the current values (as Redis rewrites)
      assert.equal(await admin.config('REWRITE'), 'OK');
      const again = readFileSync(file, 'latin1');
      assert.match(again, /^rate-limit-conn-commands 0 0$/m);
      assert.match(again, /^rate-limit-mode refuse$/m);
    } finally {
      await configSet('rate-limit-conn-commands', '0', 'rate-limit-mode', 'refuse');
      c.disconnect();
    }
  });

  test('HTTP requests and gRPC calls count against their user (HTTP 429 past it); WebSocket and line protocol connections against their own limit', async () => {
    await admin.acl('SETUSER', 'web', 'on', '>pw', '~*', '&*', '+@all', 'ratelimit-commands:1/5');
    try {
      const statuses: number[] = [];
      let error = '';
      const t0 = performance.now();
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`http://127.0.0.1:${srv.httpPort}/incr/hits`, { headers: { Authorization: 'Bearer web-token' } });
        statuses.push(res.status);
        const body = (await res.json()) as { error?: string };
        if (body.error !== undefined) error = body.error;
      }
      // five at once, then one a second
      const ok = statuses.filter((s) => s === 200).length;
      assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
      assert.ok(ok <= 5 + Math.ceil((performance.now() - t0) / 1000) && statuses.includes(429), statuses.join(','));
      assert.ok(statuses.every((s) => s === 200 || s === 429), statuses.join(','));
      assert.match(error, /^ERR rate limit exceeded \(user 'web' commands, retry in \d+ ms\)$/);
      // the same user over gRPC shares the bucket: still over it
      const g = new ShardisClient(srv.grpcPort, 'web-token');
      try {
        const r = await g.call('INCR', 'hits');
        assert.ok(r instanceof GrpcError && /^ERR rate limit exceeded \(user 'web' commands, retry in \d+ ms\)$/.test(r.message), String(r));
      } finally {
        g.close();
      }
      assert.equal(await admin.get('hits'), String(ok));
    } finally {
      await admin.acl('DELUSER', 'web');
    }
    await configSet('rate-limit-conn-commands', '1 3');
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${srv.httpPort}/ws`);
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      const replies: Array<{ id: number; result?: unknown; error?: string }> = [];
      ws.on('message', (d) => replies.push(JSON.parse(String(d))));
      for (let i = 1; i <= 6; i++) ws.send(JSON.stringify({ id: i, cmd: ['PING'] }));
      for (let i = 0; i < 200 && replies.length < 6; i++) await sleep(10);
      ws.close();
      assert.deepEqual(replies.slice(0, 3).map((r) => r.result), ['PONG', 'PONG', 'PONG']);
      for (const r of replies.slice(3)) assert.match(r.error ?? '', /^ERR rate limit exceeded \(connection commands, retry in \d+ ms\)$/);
      const line = connect(srv.linePort, '127.0.0.1');
      let text = '';
      line.setEncoding('latin1').on('data', (d: string) => (text += d));
      await new Promise((r) => line.once('connect', r));
      line.write('SET l 1\nSET l 2\nSET l 3\nSET l 4\nSET l 5\n');
      for (let i = 0; i < 200 && text.split('\n').length < 6; i++) await sleep(10);
      line.destroy();
      const lines = text.split('\n').slice(0, 5);
      assert.deepEqual(lines.slice(0, 3), ['OK', 'OK', 'OK']);
      for (const l of lines.slice(3)) assert.match(l, /^ERR rate limit exceeded \(connection commands, retry in \d+ ms\)/);
    } finally {
      await configSet('rate-limit-conn-commands', '0');
    }
  });

  test('INFO stats rate_limited_commands / rate_limited_delays (over every thread), CONFIG RESETSTAT, /metrics', async () => {
    assert.equal(await admin.config('RESETSTAT'), 'OK');
    let info = await admin.info('stats');
    assert.equal(infoField(info, 'rate_limited_commands'), 0);
    assert.equal(infoField(info, 'rate_limited_delays'), 0);
    // shardis's fields come after Redis's
    assert.ok(info.indexOf('acl_access_denied_channel:') < info.indexOf('rate_limited_commands:'));
    const conns = TEST_THREADS > 1 ? await onEveryThread(srv.port, TEST_THREADS) : [await RespClient.connect(srv.port)];
    // a new limit starts every connection from a full bucket
    await configSet('rate-limit-conn-commands', '1 2');
    let refused = 0;
    try {
      // each connection: two run, the others are refused (three, unless the machine stalls for a second)
      for (const c of conns) c.writeRaw('PING\r\nPING\r\nPING\r\nPING\r\nPING\r\n');
      for (const c of conns) {
        for (let i = 0; i < 5; i++) {
          const r = await c.read();
          if (r instanceof ReplyError) refused++;
          else assert.equal(r, 'PONG');
        }
      }
      assert.ok(refused >= 2 * conns.length, `${refused} refused`);
      await configSet('rate-limit-conn-commands', '2 1', 'rate-limit-mode', 'delay');
      // the first runs, the next two wait
      for (const c of conns) c.writeRaw('PING\r\nPING\r\nPING\r\n');
      for (const c of conns) for (let i = 0; i < 3; i++) assert.equal(await c.read(), 'PONG');
    } finally {
      await configSet('rate-limit-conn-commands', '0', 'rate-limit-mode', 'refuse');
      for (const c of conns) c.close();
    }
    info = await admin.info('stats');
    assert.equal(infoField(info, 'rate_limited_commands'), refused);
    assert.equal(infoField(info, 'rate_limited_delays'), 2 * conns.length);
    const metrics = await (await fetch(`http://127.0.0.1:${srv.httpPort}/metrics`)).text();
    assert.match(metrics, new RegExp(`^shardis_rate_limited_commands_total ${refused}$`, 'm'));
    assert.match(metrics, new RegExp(`^shardis_rate_limited_delays_total ${2 * conns.length}$`, 'm'));
    assert.equal(await admin.config('RESETSTAT'), 'OK');
    info = await admin.info('stats');
    assert.equal(infoField(info, 'rate_limited_commands'), 0);
    assert.equal(infoField(info, 'rate_limited_delays'), 0);
  });
});

test('replication is never limited: a replica handshakes with a limited primary, and its link from the primary is not counted', async () => {
  // one command a second for every connection on both servers, and few bytes on the replica
  const primary = await startFromConfig({ ...parseArgs(['--save', '']), port: 0 });
  const c0 = await RespClient.connect(primary.port);
  const replica = await startFromConfig({ ...parseArgs(['--save', '', '--rate-limit-conn-commands', '1 1', '--rate-limit-conn-bytes', '200 200']), port: 0 });
  const c1 = await RespClient.connect(replica.port);
  try {
    assert.equal(await c0.call('CONFIG', 'SET', 'rate-limit-conn-commands', '1 1'), 'OK');
    await sleep(1100);
    assert.equal(await c1.call('REPLICAOF', '127.0.0.1', String(primary.port)), 'OK');
    // one command: a script's hundred writes
    await sleep(1100);
    const body = 'for i=1,100 do redis.call(\'set\', \'r\'..i, string.rep(\'x\', 100)) end return 1';
    assert.equal(await c0.call('EVAL', body, '0'), 1);
    let size: Reply = 0;
    for (let i = 0; i < 20 && size !== 100; i++) {
      await sleep(1100);
      size = await c1.call('DBSIZE');
    }
    assert.equal(size, 100);
    const c2 = await RespClient.connect(primary.port);
    assert.match(String(await c2.call('INFO', 'replication')), /connected_slaves:1/);
    c2.close();
  } finally {
    c0.close();
    c1.close();
    await replica.close();
    await primary.close();
  }
});
