/** Snapshots on disk: SAVE, BGSAVE, LASTSAVE, DEBUG RELOAD, save points and loading at start-up. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeServer } from '../helpers/server.ts';
import { nodeRedis } from '../helpers/clients.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { err, fresh, sleep } from '../helpers/keyspace.ts';
import { startServer } from '../../src/index.ts';

async function info(c: RespClient, field: string): Promise<string> {
  const text = (await c.call('INFO', 'persistence')) as string;
  const m = new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`).exec(text);
  assert.ok(m, `INFO has ${field}`);
  return m[1]!;
}

async function populate(c: RespClient): Promise<void> {
  await c.call('SET', 'str', 'value');
  await c.call('SET', 'ttl', 'v', 'EX', '1000');
  await c.call('RPUSH', 'list', 'a', 'b', 'c');
  await c.call('SADD', 'set', '1', '2', 'x');
  await c.call('ZADD', 'zset', '1', 'a', '2', 'b');
  await c.call('HSET', 'hash', 'f', 'v');
  await c.call('XADD', 'stream', '1-1', 'f', 'v');
  await c.call('SELECT', '5');
  await c.call('SET', 'in5', 'five');
  await c.call('SELECT', '0');
}

describeServer('RDB snapshots', (fx) => {
  test('SAVE writes dir/dbfilename; LASTSAVE and INFO follow', async () => {
    const c = await fresh(fx());
    await populate(c);
    assert.notEqual(await info(c, 'rdb_changes_since_last_save'), '0');
    assert.equal(await c.call('SAVE'), 'OK');
    const file = join(fx().server.state.config.dir, 'dump.rdb');
    const data = readFileSync(file);
    assert.equal(data.subarray(0, 9).toString(), 'REDIS0010');
    assert.equal(await info(c, 'rdb_changes_since_last_save'), '0');
    assert.equal(await info(c, 'rdb_last_bgsave_status'), 'ok');
    assert.ok(((await c.call('LASTSAVE')) as number) >= Math.floor(Date.now() / 1000) - 2);
    assert.equal(err(await c.call('SAVE', 'x')), "ERR wrong number of arguments for 'save' command");
  });

  test('DEBUG RELOAD keeps the dataset; NOSAVE / NOFLUSH / MERGE as Redis', async () => {
    const c = await fresh(fx());
    await populate(c);
    const digest = await c.call('DEBUG', 'DIGEST');
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await c.call('DEBUG', 'DIGEST'), digest);
    assert.ok(((await c.call('TTL', 'ttl')) as number) > 990);
    assert.equal(await info(c, 'rdb_last_load_keys_loaded'), '8');
    // NOSAVE loads what is on disk: later changes are gone
    await c.call('SET', 'later', '1');
    assert.equal(await c.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
    assert.equal(await c.call('EXISTS', 'later'), 0);
    assert.equal(await c.call('DEBUG', 'DIGEST'), digest);
    // NOFLUSH alone: the keys are there already
    assert.equal(err(await c.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH')), 'ERR Error trying to load the RDB dump');
    await c.call('SET', 'str', 'changed');
    await c.call('SET', 'extra', 'kept');
    assert.equal(await c.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', 'MERGE'), 'OK');
    assert.equal(await c.call('GET', 'str'), 'value', 'the file wins with MERGE');
    assert.equal(await c.call('GET', 'extra'), 'kept');
  });

  test('BGSAVE writes in the background; SCHEDULE and MULTI as Redis (node-redis)', async () => {
    const c = await fresh(fx());
    const n = await nodeRedis(fx().port);
    try {
      await n.set('k', 'v');
      assert.equal(await n.bgSave(), 'Background saving started');
      const busy = await c.call('BGSAVE');
      if (typeof busy !== 'string') assert.equal(err(busy), 'ERR Background save already in progress');
      for (let i = 0; i < 100 && (await info(c, 'rdb_bgsave_in_progress')) === '1'; i++) await sleep(20);
      assert.equal(await info(c, 'rdb_bgsave_in_progress'), '0');
      assert.equal(await info(c, 'rdb_last_bgsave_status'), 'ok');
      assert.equal(await info(c, 'rdb_changes_since_last_save'), '0');
      assert.equal(await c.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
      assert.equal(await n.get('k'), 'v');
      assert.equal(err(await c.call('BGSAVE', 'NOW')), 'ERR syntax error');
      const saves = Number(await info(c, 'rdb_saves'));
      await c.call('MULTI');
      await c.call('BGSAVE');
      assert.deepEqual(await c.call('EXEC'), ['Background saving scheduled']);
      // the scheduled one runs from the cron
      for (let i = 0; i < 100 && (Number(await info(c, 'rdb_saves')) === saves || (await info(c, 'rdb_bgsave_in_progress')) === '1'); i++) await sleep(20);
      assert.equal(Number(await info(c, 'rdb_saves')), saves + 1);
      assert.equal(await info(c, 'rdb_bgsave_in_progress'), '0');
    } finally {
      await n.quit();
    }
  });

  test('a foreground save during a BGSAVE wins: the older snapshot never replaces it', async () => {
    const c = await fresh(fx());
    await c.call('SET', 'a', '1');
    await c.call('RPUSH', 'big', ...Array.from({ length: 20000 }, (_, i) => `element-${i}`));
    assert.equal(await c.call('BGSAVE'), 'Background saving started');
    await c.call('SET', 'a', '2');
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await c.call('GET', 'a'), '2');
    for (let i = 0; i < 100 && (await info(c, 'rdb_bgsave_in_progress')) === '1'; i++) await sleep(20);
    assert.equal(await c.call('DEBUG', 'RELOAD', 'NOSAVE'), 'OK');
    assert.equal(await c.call('GET', 'a'), '2');
    assert.equal(await info(c, 'rdb_last_bgsave_status'), 'ok');
  });

  test('save points trigger a BGSAVE', async () => {
    const c = await fresh(fx());
    const file = join(fx().server.state.config.dir, 'dump.rdb');
    rmSync(file, { force: true });
    await c.call('SET', 'a', '1');
    // a save point of 1 change in 1 second: due once the last save is over a second old
    assert.equal(await c.call('CONFIG', 'SET', 'save', '1 1'), 'OK');
    for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(20);
    await c.call('CONFIG', 'SET', 'save', '');
    assert.ok(existsSync(file), 'saved by the schedule');
    for (let i = 0; i < 100 && (await info(c, 'rdb_changes_since_last_save')) !== '0'; i++) await sleep(20);
    assert.equal(await info(c, 'rdb_changes_since_last_save'), '0');
  });
});

test('a server loads dir/dbfilename at start-up; a corrupt file stops it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-rdb-'));
  try {
    for (const shards of [1, 4]) {
      const a = await startServer({ port: 0, dir, shards });
      const c = await RespClient.connect(a.port);
      await c.call('FLUSHALL');
      await populate(c);
      const digest = await c.call('DEBUG', 'DIGEST');
      assert.equal(await c.call('SAVE'), 'OK');
      c.close();
      await a.close();
      for (const again of [1, 4]) {
        const b = await startServer({ port: 0, dir, shards: again, config: { dbfilename: 'dump.rdb' } });
        const d = await RespClient.connect(b.port);
        assert.equal(await d.call('DEBUG', 'DIGEST'), digest, `saved with ${shards} shards, loaded with ${again}`);
        assert.equal(await info(d, 'rdb_last_load_keys_loaded'), '8');
        d.close();
        await b.close();
      }
    }
    const file = join(dir, 'dump.rdb');
    const data = readFileSync(file);
    writeFileSync(file, data.subarray(0, data.length - 20));
    await assert.rejects(startServer({ port: 0, dir }), /Fatal error loading the DB/);
    writeFileSync(file, Buffer.concat([data.subarray(0, data.length - 1), Buffer.from([data[data.length - 1]! ^ 1])]));
    await assert.rejects(startServer({ port: 0, dir }), /Wrong RDB checksum/);
    const noCheck = await startServer({ port: 0, dir, config: { rdbchecksum: 'no' } });
    await noCheck.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('embedded servers without a dir get a private one, removed on close', async () => {
  const a = await startServer({ port: 0 });
  const dir = a.state.config.dir;
  const c = await RespClient.connect(a.port);
  await c.call('SET', 'x', '1');
  assert.equal(await c.call('SAVE'), 'OK');
  assert.ok(existsSync(join(dir, 'dump.rdb')));
  c.close();
  const b = await startServer({ port: 0 });
  assert.notEqual(b.state.config.dir, dir);
  await b.close();
  await a.close();
  assert.equal(existsSync(dir), false);
});
