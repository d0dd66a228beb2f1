/** The append-only file: layout, propagation, BGREWRITEAOF, loading at start-up, torn and corrupt files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/index.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { sleep } from '../helpers/keyspace.ts';

const SHARDS = [1, 4];

async function info(c: RespClient, field: string): Promise<string> {
  const text = (await c.call('INFO', 'persistence')) as string;
  const m = new RegExp(`\\r\\n${field}:([^\\r]*)\\r\\n`).exec(text);
  assert.ok(m, `INFO has ${field}`);
  return m[1]!;
}

async function until(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await sleep(10);
  }
  assert.fail(`timed out waiting for ${what}`);
}

function start(dir: string, shards: number, config: Record<string, string> = {}): Promise<RunningServer> {
  return startServer({ port: 0, dir, shards, config: { appendonly: 'yes', ...config } });
}

const aofDir = (dir: string): string => join(dir, 'appendonlydir');
const manifest = (dir: string): string => readFileSync(join(aofDir(dir), 'appendonly.aof.manifest'), 'latin1');

for (const shards of SHARDS) {
  test(`AOF (shards=${shards}): layout, restart, rewrite`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'shardis-aof-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));

    await t.test('start-up with appendonly yes creates the base, the incr file and the manifest as Redis 7', async () => {
      const srv = await start(dir, shards);
      const c = await RespClient.connect(srv.port);
      assert.equal(manifest(dir), 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
      assert.equal(readFileSync(join(aofDir(dir), 'appendonly.aof.1.base.rdb')).subarray(0, 9).toString(), 'REDIS0010');
      assert.equal(await c.call('SET', 'a', '1'), 'OK');
      assert.equal(await c.call('EXPIRE', 'a', '1000'), 1);
      await c.call('SADD', 's', 'x', 'y', 'z');
      await c.call('SPOP', 's');
      await c.call('MULTI');
      await c.call('INCR', 'n');
      await c.call('RPUSH', 'l', 'a', 'b');
      assert.deepEqual(await c.call('EXEC'), [1, 2]);
      await c.call('SELECT', '5');
      await c.call('HSET', 'h', 'f', 'v');
      await c.call('PUBLISH', 'ch', 'm');
      const incr = readFileSync(join(aofDir(dir), 'appendonly.aof.1.incr.aof'), 'latin1');
      assert.ok(incr.startsWith('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n'), incr);
      // rewritten forms, as replicas receive them
      assert.match(incr, /\$9\r\nPEXPIREAT\r\n\$1\r\na\r\n\$13\r\n\d{13}\r\n/);
      assert.match(incr, /\$4\r\nSREM\r\n/);
      assert.match(incr, /\*1\r\n\$5\r\nMULTI\r\n[^]*\$4\r\nINCR[^]*\*1\r\n\$4\r\nEXEC\r\n/);
      assert.match(incr, /SELECT\r\n\$1\r\n5\r\n\*4\r\n\$4\r\nHSET/);
      assert.doesNotMatch(incr, /PUBLISH/);
      assert.equal(await info(c, 'aof_enabled'), '1');
      assert.equal(Number(await info(c, 'aof_current_size')), statSync(join(aofDir(dir), 'appendonly.aof.1.incr.aof')).size);
      c.close();
      await srv.close();
    });

    await t.test('a restart loads base and incr files', async () => {
      const srv = await start(dir, shards);
      const c = await RespClient.connect(srv.port);
      assert.equal(await c.call('GET', 'a'), '1');
      assert.ok(((await c.call('TTL', 'a')) as number) > 990);
      assert.equal(await c.call('SCARD', 's'), 2);
      assert.equal(await c.call('GET', 'n'), '1');
      assert.deepEqual(await c.call('LRANGE', 'l', '0', '-1'), ['a', 'b']);
      await c.call('SELECT', '5');
      assert.equal(await c.call('HGET', 'h', 'f'), 'v');
      c.close();
      await srv.close();
    });

    await t.test('BGREWRITEAOF writes a new base, opens a new incr file and removes the old ones', async () => {
      const srv = await start(dir, shards);
      const c = await RespClient.connect(srv.port);
      const digest = await c.call('DEBUG', 'DIGEST');
      assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
      await until(async () => (await info(c, 'aof_rewrites')) === '1', 'the rewrite');
      assert.equal(manifest(dir), 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
      assert.deepEqual(readdirSync(aofDir(dir)).sort(), ['appendonly.aof.2.base.rdb', 'appendonly.aof.2.incr.aof', 'appendonly.aof.manifest']);
      assert.equal(await info(c, 'aof_last_bgrewrite_status'), 'ok');
      await c.call('SET', 'after', 'x');
      // inside MULTI it is scheduled, then run by the cron
      await c.call('MULTI');
      await c.call('BGREWRITEAOF');
      assert.deepEqual(await c.call('EXEC'), ['Background append only file rewriting scheduled']);
      await until(async () => (await info(c, 'aof_rewrites')) === '2', 'the scheduled rewrite');
      assert.match(manifest(dir), /appendonly\.aof\.3\.base\.rdb seq 3 type b\nfile appendonly\.aof\.3\.incr\.aof seq 3 type i\n/);
      await c.call('DEL', 'after');
      assert.equal(await c.call('DEBUG', 'DIGEST'), digest);
      await c.call('SET', 'after', 'y');
      // DEBUG LOADAOF: flush, empty, load back
      const d2 = await c.call('DEBUG', 'DIGEST');
      assert.equal(await c.call('DEBUG', 'LOADAOF'), 'OK');
      assert.equal(await c.call('DEBUG', 'DIGEST'), d2);
      c.close();
      await srv.close();
      const srv2 = await start(dir, shards);
      const c2 = await RespClient.connect(srv2.port);
      assert.equal(await c2.call('DEBUG', 'DIGEST'), d2);
      c2.close();
      await srv2.close();
    });
  });
}

test('aof-use-rdb-preamble no: the base holds commands, every type loads back', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-aof-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const srv = await start(dir, 1, { 'aof-use-rdb-preamble': 'no' });
  const c = await RespClient.connect(srv.port);
  await c.call('SET', 'str', 'v');
  await c.call('SET', 'ttl', 'v', 'EX', '1000');
  await c.call('RPUSH', 'list', ...Array.from({ length: 100 }, (_, i) => String(i)));
  await c.call('SADD', 'set', '1', '2', 'x');
  await c.call('ZADD', 'zset', '1.5', 'a', '-2', 'b');
  await c.call('HSET', 'hash', 'f', 'v', 'g', 'w');
  await c.call('XADD', 'stream', '1-1', 'f', 'v');
  await c.call('XGROUP', 'CREATE', 'stream', 'g', '0');
  const digest = await c.call('DEBUG', 'DIGEST');
  assert.equal(await c.call('BGREWRITEAOF'), 'Background append only file rewriting started');
  await until(async () => (await info(c, 'aof_rewrites')) === '1', 'the rewrite');
  const base = readFileSync(join(aofDir(dir), 'appendonly.aof.2.base.aof'), 'latin1');
  assert.match(base, /^\*2\r\n\$6\r\nSELECT\r\n/);
  assert.match(base, /\$5\r\nRPUSH\r\n\$4\r\nlist\r\n/);
  c.close();
  await srv.close();
  const srv2 = await start(dir, 1, { 'aof-use-rdb-preamble': 'no' });
  const c2 = await RespClient.connect(srv2.port);
  assert.equal(await c2.call('DEBUG', 'DIGEST'), digest);
  c2.close();
  await srv2.close();
});

test('an approximate XADD trim is loaded back exact (MAXLEN ~ … LIMIT, MINID ~), whatever the node size then', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-aof-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const srv = await start(dir, 1, { 'stream-node-max-entries': '10' });
  const c = await RespClient.connect(srv.port);
  for (let j = 0; j < 100; j++) await c.call('XADD', 'mx', '*', 'xitem', 'v');
  await c.call('XADD', 'mx', 'MAXLEN', '~', '55', 'LIMIT', '30', '*', 'xitem', 'v');
  assert.equal(await c.call('XLEN', 'mx'), 71);
  for (let j = 1; j <= 100; j++) await c.call('XADD', 'mi', String(j), 'xitem', 'v');
  await c.call('XADD', 'mi', 'MINID', '~', '100', '*', 'xitem', 'v');
  assert.equal(await c.call('XLEN', 'mi'), 11);
  // the AOF holds them as MAXLEN = 71 / MINID = <first id> (LIMIT kept, which only the AOF and a master may send)
  await c.call('CONFIG', 'SET', 'stream-node-max-entries', '1');
  assert.equal(await c.call('DEBUG', 'LOADAOF'), 'OK');
  assert.equal(await c.call('XLEN', 'mx'), 71);
  assert.equal(await c.call('XLEN', 'mi'), 11);
  await assert.rejects(c.call('XADD', 'mx', 'MAXLEN', '=', '5', 'LIMIT', '3', '*', 'a', 'b').then((r) => { throw new Error(String((r as { message?: string }).message)); }), /LIMIT cannot be used without the special ~ option/);
  c.close();
  await srv.close();
});

test('CONFIG SET appendonly yes starts the AOF with a rewrite; no stops it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-aof-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const srv = await startServer({ port: 0, dir });
  const c = await RespClient.connect(srv.port);
  await c.call('SET', 'before', '1');
  assert.equal(await info(c, 'aof_enabled'), '0');
  assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'yes'), 'OK');
  await c.call('SET', 'during', '2');
  await until(async () => (await info(c, 'aof_rewrites')) === '1', 'the first rewrite');
  assert.equal(await info(c, 'aof_enabled'), '1');
  assert.equal(manifest(dir), 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  await c.call('SET', 'after', '3');
  assert.equal(await c.call('CONFIG', 'SET', 'appendonly', 'no'), 'OK');
  await c.call('SET', 'off', '4');
  c.close();
  await srv.close();
  const srv2 = await start(dir, 1);
  const c2 = await RespClient.connect(srv2.port);
  assert.deepEqual(((await c2.call('KEYS', '*')) as string[]).sort(), ['after', 'before', 'during']);
  c2.close();
  await srv2.close();
});

test('a torn last command: truncated with aof-load-truncated yes, refused with no; corrupt files refused', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-aof-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const srv = await start(dir, 1);
  const c = await RespClient.connect(srv.port);
  await c.call('SET', 'k', 'v');
  await c.call('MULTI');
  await c.call('SET', 'in-tx', '1');
  await c.call('EXEC');
  c.close();
  await srv.close();
  const incr = join(aofDir(dir), 'appendonly.aof.1.incr.aof');
  const good = readFileSync(incr);
  appendFileSync(incr, '*3\r\n$3\r\nSET\r\n$4\r\ntorn\r\n$5\r\nva');
  await assert.rejects(start(dir, 1, { 'aof-load-truncated': 'no' }), /Unexpected end of file reading the append only file appendonly\.aof\.1\.incr\.aof/);
  const srv2 = await start(dir, 1);
  const c2 = await RespClient.connect(srv2.port);
  assert.equal(await c2.call('GET', 'k'), 'v');
  assert.equal(await c2.call('GET', 'in-tx'), '1');
  assert.equal(await c2.call('EXISTS', 'torn'), 0);
  c2.close();
  await srv2.close();
  assert.deepEqual(readFileSync(incr), good);
  // a MULTI without its EXEC at the end is reverted
  appendFileSync(incr, '*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$4\r\nhalf\r\n$1\r\n1\r\n');
  const srv3 = await start(dir, 1);
  const c3 = await RespClient.connect(srv3.port);
  assert.equal(await c3.call('EXISTS', 'half'), 0);
  c3.close();
  await srv3.close();
  assert.deepEqual(readFileSync(incr), good);
  // garbage in the middle is a format error, whatever aof-load-truncated says
  writeFileSync(incr, Buffer.concat([good, Buffer.from('garbage\r\n*1\r\n$4\r\nPING\r\n')]));
  await assert.rejects(start(dir, 1), /Bad file format reading the append only file appendonly\.aof\.1\.incr\.aof/);
  writeFileSync(incr, Buffer.concat([good, Buffer.from('*1\r\n$6\r\nNOSUCH\r\n')]));
  await assert.rejects(start(dir, 1), /Unknown command 'NOSUCH' reading the append only file/);
  // a manifest naming a missing file
  writeFileSync(incr, good);
  writeFileSync(join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.7.incr.aof seq 7 type i\n');
  await assert.rejects(start(dir, 1), /appendonly\.aof\.7\.incr\.aof doesn't exist/);
  writeFileSync(join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.rdb seq 1 type x\n');
  await assert.rejects(start(dir, 1), /Unknown AOF file type/);
  assert.ok(existsSync(incr));
});

test('an old-style appendonly.aof (RDB preamble + commands) is migrated into the AOF directory', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-aof-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const srv = await startServer({ port: 0, dir });
  const c = await RespClient.connect(srv.port);
  await c.call('SET', 'from-rdb', '1');
  await c.call('RPUSH', 'l', 'a');
  assert.equal(await c.call('SAVE'), 'OK');
  c.close();
  await srv.close();
  const rdb = readFileSync(join(dir, 'dump.rdb'));
  rmSync(join(dir, 'dump.rdb'));
  writeFileSync(join(dir, 'appendonly.aof'), Buffer.concat([rdb, Buffer.from('*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n$1\r\nb\r\n')]));
  const srv2 = await start(dir, 1);
  const c2 = await RespClient.connect(srv2.port);
  assert.equal(await c2.call('GET', 'from-rdb'), '1');
  assert.deepEqual(await c2.call('LRANGE', 'l', '0', '-1'), ['a', 'b']);
  assert.equal(existsSync(join(dir, 'appendonly.aof')), false);
  assert.equal(manifest(dir), 'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  await c2.call('SET', 'new', '1');
  c2.close();
  await srv2.close();
  const srv3 = await start(dir, 1);
  const c3 = await RespClient.connect(srv3.port);
  assert.deepEqual(((await c3.call('KEYS', '*')) as string[]).sort(), ['from-rdb', 'l', 'new']);
  c3.close();
  await srv3.close();
});

test('automatic rewrite once the AOF grew by auto-aof-rewrite-percentage past auto-aof-rewrite-min-size', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-aof-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const srv = await start(dir, 1, { 'auto-aof-rewrite-min-size': '4096', 'auto-aof-rewrite-percentage': '100' });
  const c = await RespClient.connect(srv.port);
  assert.equal(await info(c, 'aof_rewrites'), '0');
  // overwriting one key grows the AOF but not the dataset
  for (let i = 0; i < 100; i++) await c.call('SET', 'k', 'x'.repeat(100));
  await until(async () => (await info(c, 'aof_rewrites')) === '1', 'the automatic rewrite');
  assert.match(manifest(dir), /appendonly\.aof\.2\.base\.rdb seq 2 type b/);
  assert.ok(Number(await info(c, 'aof_current_size')) < 4096);
  assert.equal(await info(c, 'aof_base_size'), await info(c, 'aof_current_size'));
  c.close();
  await srv.close();
});
