/**
 * BGSAVE serializes a slice at a time while clients keep writing, and the
 * file is still the dataset as it was when BGSAVE started: checked by
 * loading it into a second server and comparing DEBUG DIGEST, with writes,
 * deletes, TTL changes, new keys, FLUSHDB and SWAPDB racing the save.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/index.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { saveState } from '../../src/persistence/save-state.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitBgsave(c: RespClient): Promise<string> {
  for (let i = 0; i < 2000; i++) {
    const info = (await c.call('INFO', 'persistence')) as string;
    if (info.includes('rdb_bgsave_in_progress:0')) return info;
    await sleep(5);
  }
  throw new Error('BGSAVE never finished');
}

async function populate(c: RespClient, n: number): Promise<void> {
  await c.call('DEBUG', 'POPULATE', String(n), 'str');
  for (let i = 0; i < 300; i++) {
    await c.call('RPUSH', `list:${i}`, 'a', 'b', String(i));
    await c.call('HSET', `hash:${i}`, 'f', String(i), 'g', 'x');
    await c.call('SADD', `set:${i}`, String(i), 'm');
    await c.call('ZADD', `zset:${i}`, String(i), 'm', '1.5', 'n');
    await c.call('SETBIT', `bits:${i}`, String(i), '1');
    await c.call('XADD', `stream:${i}`, '1-1', 'f', String(i));
  }
  for (let i = 0; i < 100; i++) await c.call('SET', `ttl:${i}`, 'v', 'EX', '1000');
  await c.call('SELECT', '2');
  for (let i = 0; i < 2000; i++) await c.call('SET', `db2:${i}`, String(i));
  await c.call('SELECT', '5');
  for (let i = 0; i < 500; i++) await c.call('LPUSH', `db5:${i}`, String(i));
  await c.call('SELECT', '0');
}

for (const shards of [1, 4]) {
  describe(`BGSAVE while clients write [shards=${shards}]`, () => {
    test('the file is the dataset as of the start of BGSAVE', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'shardis-bgsave-'));
      const srv = await startServer({ port: 0, shards, dir, config: { save: '' } });
      let second: Awaited<ReturnType<typeof startServer>> | null = null;
      let closed = false;
      try {
        const c = await RespClient.connect(srv.port);
        await populate(c, 60000);
        const before = await c.call('DEBUG', 'DIGEST');
        const writer = await RespClient.connect(srv.port);
        assert.equal(await c.call('BGSAVE'), 'Background saving started');
        // writes race the save: every kind of change, in several databases; the key table
        // grows under the walk (70 000 new keys) and loses most of its keys (no shrink while walked)
        const ops: Array<Array<string>> = [['DEBUG', 'POPULATE', '70000', 'grow']];
        for (let from = 20000; from < 60000; from += 1000) {
          ops.push(['DEL', ...Array.from({ length: 1000 }, (_, j) => `key:${from + j}`)]);
        }
        for (let i = 0; i < 300; i++) {
          ops.push(['SET', `key:${59999 - i * 7}`, 'changed']);
          ops.push(['DEL', `key:${i * 11}`]);
          ops.push(['RPUSH', `list:${i}`, 'more']);
          ops.push(['HDEL', `hash:${i}`, 'f']);
          ops.push(['SREM', `set:${i}`, 'm']);
          ops.push(['ZINCRBY', `zset:${i}`, '10', 'n']);
          ops.push(['SETBIT', `bits:${i}`, '1000', '1']);
          ops.push(['XADD', `stream:${i}`, '2-1', 'g', 'h']);
          ops.push(['EXPIRE', `key:${i * 13 + 5}`, '500']);
          ops.push(['PERSIST', `ttl:${i % 100}`]);
          ops.push(['SET', `new:${i}`, 'x']);
        }
        ops.push(['SELECT', '2'], ['FLUSHDB'], ['SET', 'db2:after', '1'], ['SWAPDB', '5', '6'], ['SELECT', '0']);
        let sent = 0;
        while (sent < ops.length) {
          await Promise.all(ops.slice(sent, sent + 50).map((op) => writer.call(...op)));
          sent += 50;
        }
        const info = await waitBgsave(c);
        assert.match(info, /rdb_last_bgsave_status:ok/);
        assert.notDeepEqual(await c.call('DEBUG', 'DIGEST'), before, 'the writes changed the live dataset');
        const stats = saveState(srv.state).lastSnapshot!;
        assert.ok(stats.early > 0, `some keys were saved ahead of a write (${JSON.stringify(stats)})`);
        writer.close();
        c.close();
        await srv.close();
        closed = true;
        // a second server loads the file at start-up
        second = await startServer({ port: 0, shards, dir, config: { save: '' } });
        const d = await RespClient.connect(second.port);
        assert.equal(await d.call('DEBUG', 'DIGEST'), before);
        await d.call('SELECT', '2');
        assert.equal(await d.call('DBSIZE'), 2000);
        assert.equal(await d.call('EXISTS', 'db2:after'), 0);
        await d.call('SELECT', '5');
        assert.equal(await d.call('DBSIZE'), 500);
        d.close();
      } finally {
        if (!closed) await srv.close();
        await second?.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

test("rdb-key-save-delay (Redis's test hook) keeps BGSAVE walking keys × delay, and ends when set back to 0", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-bgsave-delay-'));
  const srv = await startServer({ port: 0, dir, config: { save: '' } });
  try {
    const c = await RespClient.connect(srv.port);
    for (let i = 0; i < 3; i++) await c.call('SET', `k${i}`, 'v');
    // 200 ms a key: a three-key save lasts about 0.6 s
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '200000');
    const t0 = Date.now();
    assert.equal(await c.call('BGSAVE'), 'Background saving started');
    await new Promise((r) => setTimeout(r, 250));
    assert.match(String(await c.call('INFO', 'persistence')), /rdb_bgsave_in_progress:1/);
    assert.match(await waitBgsave(c), /rdb_last_bgsave_status:ok/);
    assert.ok(Date.now() - t0 >= 550, `took ${Date.now() - t0} ms`);
    // a save of a minute a key is cut short by setting the delay back to 0, as Redis's tests do before going on
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '60000000');
    const t1 = Date.now();
    await c.call('BGSAVE');
    await new Promise((r) => setTimeout(r, 200));
    assert.match(String(await c.call('INFO', 'persistence')), /rdb_bgsave_in_progress:1/);
    await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    assert.match(await waitBgsave(c), /rdb_last_bgsave_status:ok/);
    assert.ok(Date.now() - t1 < 5000, `took ${Date.now() - t1} ms`);
    c.close();
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
