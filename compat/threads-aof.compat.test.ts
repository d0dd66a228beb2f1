/**
 * The AOF with threads (src/threads/aof-threads.ts): a 4-thread shardis with
 * appendonly yes, clients on every thread pushing to two lists owned by
 * different threads, alone and in MULTI/EXEC transactions spanning both.
 * List order does not commute, so replaying the files gives the same lists
 * only if the file's order is one the threads ran in. The files load back
 * the same with DEBUG LOADAOF, after a rewrite taken while the pushes run,
 * on a restart with 4 threads and with 1, and in redis-server 7.0.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../src/index.ts';
import { freePort } from '../test/helpers/ports.ts';
import { ioredisRetry } from '../test/helpers/clients.ts';
import { RespClient } from '../test/helpers/resp-client.ts';
import { encodeCommand } from '../src/persistence/aof-writer.ts';

const THREADS = 4;
const CONFIG = { save: '', appendonly: 'yes', appendfsync: 'always' };
/** Owned by different threads with 4 threads (and with 2). */
const LA = 'list:{a}';
const LB = 'list:{b}';

async function lists(r: Redis): Promise<[string[], string[], string | null]> {
  return [await r.lrange(LA, 0, -1), await r.lrange(LB, 0, -1), await r.get('last')];
}

describe('the AOF with threads=4', () => {
  let dir: string;
  let srv: RunningServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shardis-threads-aof-'));
    srv = await startServer({ port: 0, threads: THREADS, dir, config: CONFIG });
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('pushes from every thread, alone and in transactions across threads, replay in the order they ran', async () => {
    const conns = await Promise.all(Array.from({ length: 8 }, () => ioredisRetry(srv.port)));
    let stop = false;
    const run = async (r: Redis, w: number): Promise<void> => {
      for (let n = 0; !stop; n++) {
        const v = `${w}:${n}`;
        if (n % 3 === 0) await r.multi().rpush(LA, v).rpush(LB, v).set('last', v).exec();
        else if (n % 3 === 1) await r.rpush(LA, v);
        else await r.lpush(LB, v);
      }
    };
    const writers = conns.map((c, w) => run(c, w));
    await new Promise((r) => setTimeout(r, 300));
    const admin = conns[0]!;
    assert.equal(await admin.bgrewriteaof(), 'Background append only file rewriting started');
    for (let i = 0; i < 400 && !/aof_rewrite_in_progress:0/.test(await admin.info('persistence')); i++) await new Promise((r) => setTimeout(r, 25));
    await new Promise((r) => setTimeout(r, 300));
    stop = true;
    await Promise.all(writers);
    assert.match(await admin.info('persistence'), /aof_last_bgrewrite_status:ok/);
    const want = await lists(admin);
    assert.ok(want[0].length > 100 && want[1].length > 100, `${want[0].length} and ${want[1].length} pushes`);
    assert.equal(await admin.debug('LOADAOF'), 'OK');
    for (const c of conns) assert.deepEqual(await lists(c), want);
    for (const c of conns) c.disconnect();
    await srv.close();

    for (const threads of [THREADS, 1]) {
      srv = await startServer({ port: 0, threads, dir, config: CONFIG });
      const r = new Redis(srv.port);
      assert.deepEqual(await lists(r), want, `restart with ${threads} threads`);
      r.disconnect();
      if (threads !== 1) await srv.close();
    }
    // redis-server 7.0 loads the same files (the manifest, the base with its RDB preamble, the incr file)
    await srv.close();
    const port = await freePort();
    const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--save', ''], { stdio: 'ignore' });
    try {
      const r = await ioredisRetry(port);
      for (let i = 0; i < 400 && /loading:1/.test(await r.info('persistence')); i++) await new Promise((res) => setTimeout(res, 25));
      assert.deepEqual(await lists(r), want, 'redis-server 7.0');
      r.disconnect();
    } finally {
      proc.kill('SIGKILL');
    }
    srv = await startServer({ port: 0, threads: THREADS, dir, config: CONFIG });
  });

  test('a cross-thread write pipelined right before BGREWRITEAOF, BGSAVE or SAVE is in the files', async () => {
    const engine = srv.state.engine;
    const owners = new Set([engine.threadOf(engine.shardIdOf(LA)), engine.threadOf(engine.shardIdOf(LB))]);
    // a connection whose thread owns neither list: the transaction borrows both
    let c: RespClient | null = null;
    for (let i = 0; i < 100 && c === null; i++) {
      const x = await RespClient.connect(srv.port);
      if (owners.has((Number(await x.call('CLIENT', 'ID')) - 1) % THREADS)) x.close();
      else c = x;
    }
    assert.ok(c !== null);
    const admin = new Redis(srv.port);
    try {
      const waitFor = async (field: string): Promise<void> => {
        for (let i = 0; i < 400 && !new RegExp(`${field}:0`).test(await admin.info('persistence')); i++) await new Promise((r) => setTimeout(r, 25));
      };
      for (const then of ['BGREWRITEAOF', 'BGSAVE', 'SAVE']) {
        const v = `piped-${then}`;
        c.writeRaw(encodeCommand(['MULTI']) + encodeCommand(['RPUSH', LA, v]) + encodeCommand(['RPUSH', LB, v]) + encodeCommand(['EXEC']) + encodeCommand([then]));
        for (let i = 0; i < 5; i++) await c.read();
        await waitFor('aof_rewrite_in_progress');
        await waitFor('rdb_bgsave_in_progress');
        const [la, lb] = await lists(admin);
        assert.equal(la[la.length - 1], v);
        assert.equal(lb[lb.length - 1], v);
        // the rewritten AOF and the snapshot both hold it
        assert.equal(await admin.debug('LOADAOF'), 'OK');
        assert.deepEqual((await lists(admin)).slice(0, 2), [la, lb], `DEBUG LOADAOF after ${then}`);
        if (then === 'BGREWRITEAOF') continue;
        assert.equal(await admin.debug('RELOAD', 'NOSAVE'), 'OK');
        assert.deepEqual((await lists(admin)).slice(0, 2), [la, lb], `DEBUG RELOAD NOSAVE after ${then}`);
      }
    } finally {
      c.close();
      admin.disconnect();
    }
  });

  test('CONFIG SET appendonly no / yes turns the AOF off and on for every thread', async () => {
    const r = new Redis(srv.port);
    const conns = await Promise.all(Array.from({ length: 8 }, () => ioredisRetry(srv.port)));
    try {
      assert.equal(await r.config('SET', 'appendonly', 'no'), 'OK');
      for (const c of conns) assert.match(await c.info('persistence'), /aof_enabled:0/);
      // written while the AOF is off: the rewrite that turns it on must take it into the base
      await r.mset('off:{a}', '1', 'off:{b}', '2');
      assert.equal(await r.config('SET', 'appendonly', 'yes'), 'OK');
      for (let i = 0; i < 400 && !/aof_rewrite_in_progress:0/.test(await r.info('persistence')); i++) await new Promise((res) => setTimeout(res, 25));
      for (let i = 0; i < 400 && (await Promise.all(conns.map((c) => c.info('persistence')))).some((x) => !/aof_enabled:1/.test(x)); i++) {
        await new Promise((res) => setTimeout(res, 25));
      }
      for (const c of conns) assert.match(await c.info('persistence'), /aof_enabled:1/);
      await Promise.all(conns.map((c, i) => c.multi().rpush(LA, `on-${i}`).rpush(LB, `on-${i}`).exec()));
      const want = await lists(r);
      assert.equal(await r.debug('LOADAOF'), 'OK');
      assert.deepEqual(await lists(r), want);
      assert.deepEqual(await r.mget('off:{a}', 'off:{b}'), ['1', '2']);
      assert.equal(await r.config('SET', 'appendfsync', 'everysec'), 'OK');
      assert.deepEqual(await r.config('GET', 'appendfsync'), ['appendfsync', 'everysec']);
    } finally {
      for (const c of conns) c.disconnect();
      r.disconnect();
    }
  });
});
