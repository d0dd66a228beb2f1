/**
 * The AOF rewrite serializes its base a slice at a time while clients keep
 * writing: the base is the dataset as of the rewrite's start and the incr
 * file opened then holds every later write, so a restart from the AOF
 * directory gives back exactly the dataset as it was (nothing lost, nothing
 * applied twice) — with the RDB preamble and without, on 1 and 4 shards,
 * while a BGSAVE runs at the same time, and when the server shuts down in the
 * middle of a rewrite.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/index.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { aofOf } from '../../src/commands/server/aof.ts';
import { saveOptions } from '../../src/persistence/save-state.ts';
import { saveSnapshotAsync } from '../../src/persistence/snapshot.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const KEYS = 100_000;
const FN = "#!lua name=rwlib\nredis.register_function('rwfn', function() return 1 end)";

async function persistence(c: RespClient): Promise<string> {
  return (await c.call('INFO', 'persistence')) as string;
}

async function waitRewrite(c: RespClient): Promise<string> {
  for (let i = 0; i < 3000; i++) {
    const info = await persistence(c);
    if (info.includes('aof_rewrite_in_progress:0') && info.includes('aof_rewrite_scheduled:0')) return info;
    await sleep(5);
  }
  throw new Error('the AOF rewrite never finished');
}

async function populate(c: RespClient): Promise<void> {
  await c.call('DEBUG', 'POPULATE', String(KEYS), 'key');
  await c.call('FUNCTION', 'LOAD', FN);
  for (let i = 0; i < 200; i++) {
    await c.call('RPUSH', `list:${i}`, 'a', 'b', String(i));
    await c.call('HSET', `hash:${i}`, 'f', String(i), 'g', 'x');
    await c.call('SADD', `set:${i}`, String(i), 'm');
    await c.call('ZADD', `zset:${i}`, String(i), 'm', '1.5', 'n');
    await c.call('XADD', `stream:${i}`, '1-1', 'f', String(i));
    await c.call('SET', `n:${i}`, String(i));
    await c.call('SET', `ttl:${i}`, 'v', 'EX', '1000');
  }
  await c.call('SELECT', '2');
  for (let i = 0; i < 2000; i++) await c.call('SET', `db2:${i}`, String(i));
  await c.call('SELECT', '5');
  for (let i = 0; i < 500; i++) await c.call('LPUSH', `db5:${i}`, String(i));
  await c.call('SELECT', '9');
  for (let i = 0; i < 500; i++) await c.call('SET', `db9:${i}`, String(i));
  await c.call('SELECT', '0');
}

/** Every kind of change, in several databases, sent in pipelined batches. */
async function race(w: RespClient): Promise<void> {
  const ops: string[][] = [];
  for (let i = 0; i < 300; i++) {
    ops.push(['SET', `key:${KEYS - 1 - i * 7}`, 'changed']);
    ops.push(['DEL', `key:${i * 11}`]);
    ops.push(['EXPIRE', `key:${i * 13 + 5}`, '500']);
    ops.push(['INCR', `n:${i % 200}`]);
    ops.push(['RPUSH', `list:${i % 200}`, 'more']);
    ops.push(['HINCRBY', `hash:${i % 200}`, 'c', '1']);
    ops.push(['SREM', `set:${i % 200}`, 'm']);
    ops.push(['ZINCRBY', `zset:${i % 200}`, '10', 'n']);
    ops.push(['XADD', `stream:${i % 200}`, '*', 'g', 'h']);
    ops.push(['PERSIST', `ttl:${i % 200}`]);
    ops.push(['SET', `new:${i}`, 'x']);
    ops.push(['SELECT', '9'], ['INCR', `db9:${i}`], ['SELECT', '0']);
  }
  ops.push(['SELECT', '2'], ['FLUSHDB'], ['SET', 'db2:after', '1'], ['SWAPDB', '5', '6'], ['SELECT', '6'], ['RPUSH', 'db5:1', 'x'], ['SELECT', '0']);
  for (let sent = 0; sent < ops.length; sent += 60) {
    // one batch per event-loop turn or so: the rewrite advances between batches
    await Promise.all(ops.slice(sent, sent + 60).map((op) => w.call(...op)));
  }
}

const aofFiles = (dir: string): string[] => readdirSync(join(dir, 'appendonlydir')).sort();

for (const shards of [1, 4]) {
  for (const preamble of ['yes', 'no']) {
    describe(`AOF rewrite while clients write [shards=${shards}, aof-use-rdb-preamble ${preamble}]`, () => {
      test('base + new incr file give back the dataset exactly after a restart', async () => {
        const dir = mkdtempSync(join(tmpdir(), 'shardis-aofrw-'));
        const config = { appendonly: 'yes', save: '', 'aof-use-rdb-preamble': preamble };
        let srv: RunningServer | null = await startServer({ port: 0, shards, dir, config });
        try {
          const c = await RespClient.connect(srv.port);
          await populate(c);
          const before = await c.call('DEBUG', 'DIGEST');
          const w = await RespClient.connect(srv.port);
          assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
          await race(w);
          const info = await waitRewrite(c);
          assert.match(info, /aof_last_bgrewrite_status:ok/);
          const stats = aofOf(srv.state).lastRewriteStats!;
          assert.ok(stats.early > 0, `some keys were saved ahead of a write (${JSON.stringify(stats)})`);
          assert.ok(stats.keys >= KEYS, `the base holds the dataset (${JSON.stringify(stats)})`);
          // writes after the rewrite go on in the same incr file
          await w.call('SET', 'after:rewrite', '1');
          await w.call('INCR', 'n:0');
          const after = await c.call('DEBUG', 'DIGEST');
          assert.notEqual(after, before, 'the writes changed the dataset');
          const ext = preamble === 'yes' ? 'rdb' : 'aof';
          assert.deepEqual(aofFiles(dir), [`appendonly.aof.2.base.${ext}`, 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
          if (preamble === 'no') {
            const head = readFileSync(join(dir, 'appendonlydir', 'appendonly.aof.2.base.aof')).subarray(0, 40).toString('latin1');
            assert.match(head, /^\*3\r\n\$8\r\nFUNCTION\r\n\$4\r\nLOAD\r\n/);
          }
          w.close();
          c.close();
          await srv.close();
          srv = null;
          srv = await startServer({ port: 0, shards, dir, config });
          const d = await RespClient.connect(srv.port);
          assert.equal(await d.call('DEBUG', 'DIGEST'), after);
          assert.equal(await d.call('GET', 'n:0'), '3', 'two INCRs racing the rewrite and one after it');
          assert.deepEqual(await d.call('FCALL', 'rwfn', '0'), 1);
          await d.call('SELECT', '2');
          assert.equal(await d.call('DBSIZE'), 1);
          await d.call('SELECT', '6');
          assert.equal(await d.call('DBSIZE'), 500);
          assert.equal(await d.call('LLEN', 'db5:1'), 2);
          d.close();
        } finally {
          await srv?.close();
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
  }
}

describe('AOF rewrite and BGSAVE at the same time', () => {
  test('each file is the dataset as of its own start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shardis-aofrw-'));
    const config = { appendonly: 'yes', save: '' };
    let srv: RunningServer | null = await startServer({ port: 0, shards: 4, dir, config });
    let other: RunningServer | null = null;
    try {
      const c = await RespClient.connect(srv.port);
      await populate(c);
      const w = await RespClient.connect(srv.port);
      assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
      await w.call('SET', 'between', 'x');
      await w.call('DEL', 'key:1');
      const atSave = await c.call('DEBUG', 'DIGEST');
      // a second walk over the same keyspaces while the first runs
      const saved = saveSnapshotAsync(srv.state.engine, join(dir, 'dump.rdb'), saveOptions(srv.state));
      await race(w);
      const stats = await saved;
      assert.ok(stats.early > 0);
      await waitRewrite(c);
      const after = await c.call('DEBUG', 'DIGEST');
      w.close();
      c.close();
      await srv.close();
      srv = null;
      // the AOF directory: everything
      srv = await startServer({ port: 0, shards: 4, dir, config });
      const d = await RespClient.connect(srv.port);
      assert.equal(await d.call('DEBUG', 'DIGEST'), after);
      d.close();
      // the snapshot alone: the dataset when BGSAVE started
      other = await startServer({ port: 0, shards: 4, dir, config: { appendonly: 'no', save: '' } });
      const e = await RespClient.connect(other.port);
      assert.equal(await e.call('DEBUG', 'DIGEST'), atSave);
      e.close();
    } finally {
      await srv?.close();
      await other?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('shutdown in the middle of an AOF rewrite', () => {
  test('the rewrite is abandoned and the old base + incr files still hold everything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shardis-aofrw-'));
    const config = { appendonly: 'yes', save: '' };
    let srv: RunningServer | null = await startServer({ port: 0, shards: 1, dir, config });
    try {
      const c = await RespClient.connect(srv.port);
      for (let i = 0; i < 300; i++) await c.call('SET', `kept:${i}`, String(i));
      // many keys, so the rewrite takes many slices (DEBUG POPULATE is not propagated: they are in no AOF file)
      await c.call('DEBUG', 'POPULATE', '300000', 'pop');
      assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
      await c.call('INCR', 'kept:0');
      assert.match(await persistence(c), /aof_rewrite_in_progress:1/);
      c.close();
      await srv.close();
      srv = null;
      await sleep(50);
      assert.ok(!aofFiles(dir).some((f) => f.startsWith('temp-')), `no temp file left: ${aofFiles(dir).join(' ')}`);
      assert.ok(existsSync(join(dir, 'appendonlydir', 'appendonly.aof.1.base.rdb')));
      srv = await startServer({ port: 0, shards: 1, dir, config });
      const d = await RespClient.connect(srv.port);
      // the populated keys were never in the AOF; the written ones are all there
      assert.equal(await d.call('DBSIZE'), 300);
      assert.equal(await d.call('GET', 'kept:0'), '1');
      assert.equal(await d.call('GET', 'kept:299'), '299');
      d.close();
    } finally {
      await srv?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('BGSAVE while an AOF rewrite runs', () => {
  test('is refused, or scheduled with SCHEDULE and run once the rewrite ends (one background job at a time, as Redis)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shardis-aofrw-'));
    const srv = await startServer({ port: 0, dir, config: { appendonly: 'yes', save: '' } });
    try {
      const c = await RespClient.connect(srv.port);
      await c.call('DEBUG', 'POPULATE', String(KEYS), 'key');
      const saves0 = Number(/rdb_saves:(\d+)/.exec(await persistence(c))![1]);
      assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
      assert.equal((await c.call('BGSAVE') as { message: string }).message, "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
      assert.equal(await c.call('BGSAVE', 'SCHEDULE'), 'Background saving scheduled');
      assert.match(await persistence(c), /rdb_bgsave_in_progress:0/);
      await waitRewrite(c);
      let info = '';
      for (let i = 0; i < 2000; i++) {
        info = await persistence(c);
        if (Number(/rdb_saves:(\d+)/.exec(info)![1]) > saves0 && info.includes('rdb_bgsave_in_progress:0')) break;
        await sleep(5);
      }
      assert.equal(Number(/rdb_saves:(\d+)/.exec(info)![1]), saves0 + 1, 'the scheduled BGSAVE ran after the rewrite');
      assert.ok(existsSync(join(dir, 'dump.rdb')));
      c.close();
    } finally {
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
