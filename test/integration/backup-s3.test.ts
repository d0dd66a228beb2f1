/**
 * Backups to S3-compatible storage (docs/backups.md) against a real
 * S3-protocol server: s3rver on a free port with a temp directory. BACKUP NOW
 * uploads the snapshot (size and SHA-256 checked against the local dump),
 * multipart for a 20 MB dataset, BACKUP LIST, retention, the schedule,
 * start-up restore into an empty data directory (DEBUG DIGEST equal, with
 * and without appendonly), a corrupt backup refused at start-up, and S3
 * errors reported through BACKUP / INFO backup without harm to the server.
 * SHARDIS_TEST_THREADS=4 runs every server on 4 threads.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startFromConfig, startServer, type RunningServer } from '../../src/index.ts';
import { parseArgs } from '../../src/config/config.ts';
import { onEveryThread } from '../helpers/threads.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { TEST_THREADS } from '../helpers/server.ts';

const BUCKET = 'backups';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

let s3dir = '';
let s3srv: S3rver;
let endpoint = '';
let s3: S3Client;
const tmpDirs: string[] = [];
const requests: string[] = [];

function tempDir(tag: string): string {
  const d = mkdtempSync(join(tmpdir(), `shardis-backup-${tag}-`));
  tmpDirs.push(d);
  return d;
}

/** The backup-s3-* settings for `prefix` (with the log in dir/log.txt at notice level). */
function settings(prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    save: '',
    'backup-s3-endpoint': endpoint,
    'backup-s3-bucket': BUCKET,
    'backup-s3-prefix': prefix,
    'backup-s3-access-key-id': 'S3RVER',
    'backup-s3-secret-access-key': 'S3RVER',
    'backup-s3-force-path-style': 'yes',
    ...extra,
  };
}

async function start(dir: string, config: Record<string, string>): Promise<RunningServer> {
  return startServer({ port: 0, dir, shards: 4, threads: TEST_THREADS, loglevel: 'notice', config: { logfile: join(dir, 'log.txt'), ...config } });
}

function info(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

/** Waits for the backups made on this connection's server to reach `count` done (ok or failed); returns INFO backup. */
async function waitBackups(c: RespClient, done: number): Promise<Map<string, string>> {
  for (let i = 0; i < 1500; i++) {
    const m = info((await c.call('INFO', 'backup')) as string);
    if (m.get('backup_in_progress') === '0' && Number(m.get('backup_count')) + Number(m.get('backup_failures')) >= done) return m;
    await sleep(20);
  }
  throw new Error('the backup never finished');
}

async function objects(prefix: string): Promise<Array<{ key: string; size: number }>> {
  const r = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  return (r.Contents ?? []).map((o) => ({ key: o.Key!, size: o.Size! }));
}

async function objectBytes(key: string): Promise<{ bytes: Buffer; sha: string | undefined }> {
  const r = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return { bytes: Buffer.from(await r.Body!.transformToByteArray()), sha: r.Metadata?.sha256 };
}

/** A dataset of every type, in two databases. */
async function fill(c: RespClient, tag: string): Promise<void> {
  await c.call('DEBUG', 'POPULATE', '2000', `${tag}:str`);
  for (let i = 0; i < 50; i++) {
    await c.call('RPUSH', `${tag}:list:${i}`, 'a', 'b', String(i));
    await c.call('HSET', `${tag}:hash:${i}`, 'f', String(i));
    await c.call('SADD', `${tag}:set:${i}`, String(i), 'm');
    await c.call('ZADD', `${tag}:zset:${i}`, String(i), 'm');
    await c.call('XADD', `${tag}:stream:${i}`, '1-1', 'f', String(i));
    await c.call('SET', `${tag}:ttl:${i}`, 'v', 'EX', '10000');
  }
  await c.call('SELECT', '3');
  for (let i = 0; i < 100; i++) await c.call('SET', `${tag}:db3:${i}`, String(i));
  await c.call('SELECT', '0');
}

describe(`backups to S3${TEST_THREADS > 1 ? ` [threads=${TEST_THREADS}]` : ''}`, () => {
  before(async () => {
    s3dir = tempDir('s3rver');
    s3srv = new S3rver({ port: 0, address: '127.0.0.1', directory: s3dir, silent: true, configureBuckets: [{ name: BUCKET }] });
    const addr = await s3srv.run();
    endpoint = `http://127.0.0.1:${addr.port}`;
    // what reaches the S3 server, as method and query
    s3srv.httpServer.prependListener('request', (req: { method?: string; url?: string }) => requests.push(`${req.method} ${req.url}`));
    s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  });
  after(async () => {
    s3.destroy();
    await s3srv.close();
    for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
  });

  test('BACKUP NOW uploads the snapshot: the object is the local dump, its SHA-256 recorded', async () => {
    const dir = tempDir('now');
    const srv = await start(dir, settings('now/'));
    const c = await RespClient.connect(srv.port);
    try {
      await fill(c, 'now');
      // the second one, pipelined on the same connection, finds the first running
      c.send('BACKUP', 'NOW');
      c.send('BACKUP', 'NOW');
      assert.equal(await c.readRaw(), '+Background backup started\r\n');
      assert.match(await c.readRaw(), /^-ERR A backup is already in progress/);
      const m = await waitBackups(c, 1);
      assert.equal(m.get('backup_last_status'), 'ok');
      assert.equal(m.get('backup_count'), '1');
      const key = m.get('backup_last_key')!;
      assert.match(key, /^now\/\d{8}T\d{6}\.\d{3}Z-[0-9a-f]{40}\.rdb$/);
      const local = readFileSync(join(dir, 'dump.rdb'));
      const obj = await objectBytes(key);
      assert.equal(obj.bytes.length, local.length);
      assert.equal(Number(m.get('backup_last_size')), local.length);
      assert.equal(obj.sha, sha256(local));
      assert.equal(sha256(obj.bytes), sha256(local));
      assert.equal(await c.call('DBSIZE'), 2000 + 300);
      // BACKUP STATUS: the same state
      const st = (await c.call('BACKUP', 'STATUS')) as unknown[];
      const status = new Map<string, unknown>();
      for (let i = 0; i < st.length; i += 2) status.set(String(st[i]), st[i + 1]);
      assert.equal(status.get('last_status'), 'ok');
      assert.equal(status.get('last_key'), key);
      assert.equal(status.get('count'), 1);
      assert.equal(status.get('target'), `s3://${BUCKET}/now/`);
      if (TEST_THREADS > 1) {
        // every thread reports the backup one of them ran
        const conns = await onEveryThread(srv.port, TEST_THREADS);
        for (const x of conns) {
          assert.equal(info((await x.call('INFO', 'backup')) as string).get('backup_last_key'), key);
          x.close();
        }
      }
      const log = readFileSync(join(dir, 'log.txt'), 'utf8');
      assert.match(log, new RegExp(`Backup uploaded to s3://${BUCKET}/${key.replace(/\./g, '\\.')}: ${local.length} bytes, sha256 ${sha256(local)}`));
    } finally {
      c.close();
      await srv.close();
    }
  });

  test('a 20 MB dataset goes up as a multipart upload, intact', async () => {
    const dir = tempDir('big');
    // uncompressed values: the file is as big as the data
    const srv = await start(dir, settings('big/', { rdbcompression: 'no' }));
    const c = await RespClient.connect(srv.port);
    try {
      for (let i = 0; i < 20; i++) {
        const args: string[] = [];
        for (let j = 0; j < 100; j++) args.push(`big:${i}:${j}`, createHash('sha512').update(`${i}:${j}`).digest('hex').repeat(80));
        await c.call('MSET', ...args);
      }
      requests.length = 0;
      // a BGSAVE running already is waited for; then the backup takes its own snapshot
      assert.equal(await c.call('BGSAVE'), 'Background saving started');
      assert.equal(await c.call('BACKUP', 'NOW'), 'Background backup started');
      const m = await waitBackups(c, 1);
      assert.equal(readFileSync(join(dir, 'log.txt'), 'utf8').match(/Background saving terminated with success/g)?.length, 2);
      assert.equal(m.get('backup_last_status'), 'ok', m.get('backup_last_error'));
      const local = readFileSync(join(dir, 'dump.rdb'));
      assert.ok(local.length > 20_000_000, `a big file (${local.length} bytes)`);
      const obj = await objectBytes(m.get('backup_last_key')!);
      assert.equal(obj.bytes.length, local.length);
      assert.equal(sha256(obj.bytes), sha256(local));
      assert.equal(obj.sha, sha256(local));
      // a multipart upload of 8 MiB parts: created, each part PUT, completed
      const parts = requests.filter((r) => /^PUT \/backups\/big\/.*[?&]partNumber=\d+/.test(r));
      assert.equal(parts.length, Math.ceil(local.length / (8 * 1024 * 1024)));
      assert.equal(requests.filter((r) => /^POST \/backups\/big\/.*[?&]uploads/.test(r)).length, 1);
      assert.equal(requests.filter((r) => /^POST \/backups\/big\/.*[?&]uploadId=/.test(r)).length, 1);
    } finally {
      c.close();
      await srv.close();
    }
  });

  test('BACKUP LIST: newest first; retention keeps the newest N', async () => {
    const dir = tempDir('list');
    const srv = await start(dir, settings('list/'));
    const c = await RespClient.connect(srv.port);
    try {
      const keys: string[] = [];
      for (let i = 0; i < 3; i++) {
        await c.call('SET', `k${i}`, 'x'.repeat(100 * (i + 1)));
        assert.equal(await c.call('BACKUP', 'NOW'), 'Background backup started');
        keys.push((await waitBackups(c, i + 1)).get('backup_last_key')!);
      }
      const list = (await c.call('BACKUP', 'LIST')) as Array<[string, number, number, string]>;
      assert.deepEqual(list.map((e) => e[0]), [...keys].reverse());
      for (const [key, size, modified, sum] of list) {
        const obj = await objectBytes(key);
        assert.equal(size, obj.bytes.length);
        assert.equal(sum, sha256(obj.bytes));
        assert.ok(Math.abs(modified - Date.now() / 1000) < 120, 'last-modified is a unix time');
      }
      // sizes grow with the data: the newest is the biggest
      assert.ok(list[0]![1] > list[2]![1]);
      await c.call('CONFIG', 'SET', 'backup-s3-retention', '2');
      await c.call('SET', 'k3', 'y');
      assert.equal(await c.call('BACKUP', 'NOW'), 'Background backup started');
      const newest = (await waitBackups(c, 4)).get('backup_last_key')!;
      const left = (await objects('list/')).map((o) => o.key).sort().reverse();
      assert.deepEqual(left, [newest, keys[2]]);
      assert.deepEqual(((await c.call('BACKUP', 'LIST')) as string[][]).map((e) => e[0]), left);
      assert.match(readFileSync(join(dir, 'log.txt'), 'utf8'), new RegExp(`Backup retention: deleted s3://${BUCKET}/${keys[0]!.replace(/\./g, '\\.')}`));
    } finally {
      c.close();
      await srv.close();
    }
  });

  test('backup-s3-schedule takes backups on its own; backup-s3-on-save uploads after SAVE', async () => {
    const dir = tempDir('sched');
    const srv = await start(dir, settings('sched/', { 'backup-s3-schedule': '1' }));
    const c = await RespClient.connect(srv.port);
    try {
      await c.call('SET', 'a', '1');
      const m = await waitBackups(c, 1);
      assert.equal(m.get('backup_last_status'), 'ok');
      assert.ok((await objects('sched/')).length >= 1);
      // off again: no more
      await c.call('CONFIG', 'SET', 'backup-s3-schedule', '0');
      const settled = Number((await waitBackups(c, 1)).get('backup_count'));
      await c.call('CONFIG', 'SET', 'backup-s3-on-save', 'yes');
      assert.equal(await c.call('SAVE'), 'OK');
      const after = await waitBackups(c, settled + 1);
      assert.equal(Number(after.get('backup_count')), settled + 1);
      const local = readFileSync(join(dir, 'dump.rdb'));
      assert.equal((await objectBytes(after.get('backup_last_key')!)).sha, sha256(local));
    } finally {
      c.close();
      await srv.close();
    }
  });

  test('an empty data directory is restored from the newest backup (appendonly no and yes)', async () => {
    const dir = tempDir('orig');
    const srv = await start(dir, settings('restore/'));
    const c = await RespClient.connect(srv.port);
    let digest: unknown;
    try {
      await c.call('SET', 'old', 'version');
      assert.equal(await c.call('BACKUP', 'NOW'), 'Background backup started');
      await waitBackups(c, 1);
      await fill(c, 'r');
      digest = await c.call('DEBUG', 'DIGEST');
      assert.equal(await c.call('BACKUP', 'NOW'), 'Background backup started');
      assert.equal((await waitBackups(c, 2)).get('backup_last_status'), 'ok');
    } finally {
      c.close();
      await srv.close();
    }
    for (const appendonly of ['no', 'yes']) {
      const fresh = tempDir(`fresh-${appendonly}`);
      const srv2 = await start(fresh, settings('restore/', { appendonly }));
      const c2 = await RespClient.connect(srv2.port);
      try {
        assert.equal(await c2.call('DEBUG', 'DIGEST'), digest);
        assert.equal(await c2.call('GET', 'old'), 'version');
        assert.ok(existsSync(join(fresh, 'dump.rdb')));
        const log = readFileSync(join(fresh, 'log.txt'), 'utf8');
        assert.match(log, /The data directory is empty: restoring the newest backup s3:\/\/backups\/restore\/\S+\.rdb/);
        assert.match(log, /sha256 [0-9a-f]{64} verified/);
        if (appendonly === 'yes') {
          // the AOF is created from the restored data, as CONFIG SET appendonly yes does
          for (let i = 0; i < 500 && !/aof_enabled:1[\s\S]*aof_rewrite_in_progress:0/.test((await c2.call('INFO', 'persistence')) as string); i++) await sleep(20);
          assert.match((await c2.call('INFO', 'persistence')) as string, /aof_enabled:1/);
          assert.equal(await c2.call('CONFIG', 'GET', 'appendonly').then((r) => (r as string[])[1]), 'yes');
          await c2.call('SET', 'after', 'restore');
        }
      } finally {
        c2.close();
        await srv2.close();
      }
      if (appendonly === 'yes') {
        // the next start loads the AOF (the directory is not empty: nothing is restored)
        rmSync(join(fresh, 'log.txt'));
        const srv3 = await start(fresh, settings('restore/', { appendonly }));
        const c3 = await RespClient.connect(srv3.port);
        try {
          assert.equal(await c3.call('GET', 'after'), 'restore');
          await c3.call('DEL', 'after');
          assert.equal(await c3.call('DEBUG', 'DIGEST'), digest);
          assert.doesNotMatch(readFileSync(join(fresh, 'log.txt'), 'utf8'), /restoring/);
        } finally {
          c3.close();
          await srv3.close();
        }
      }
    }
  });

  test('a corrupt backup is refused at start-up: the server does not start', async () => {
    const dir = tempDir('corrupt-src');
    const srv = await start(dir, settings('corrupt/'));
    const c = await RespClient.connect(srv.port);
    let key: string;
    try {
      await fill(c, 'c');
      assert.equal(await c.call('BACKUP', 'NOW'), 'Background backup started');
      key = (await waitBackups(c, 1)).get('backup_last_key')!;
    } finally {
      c.close();
      await srv.close();
    }
    // other bytes of the same length in s3rver's file of the object; its metadata (the SHA-256) stays
    const stored = join(s3dir, BUCKET, 'corrupt', `${key.slice('corrupt/'.length)}._S3rver_object`);
    const bytes = readFileSync(stored);
    bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(stored, bytes);
    const fresh = tempDir('corrupt-dst');
    await assert.rejects(start(fresh, settings('corrupt/')), /is corrupt/);
    const log = readFileSync(join(fresh, 'log.txt'), 'utf8');
    assert.match(log, new RegExp(`# Fatal error restoring the backup: backup ${key.replace(/\./g, '\\.')} is corrupt: its SHA-256 is [0-9a-f]{64}, the backup recorded [0-9a-f]{64}\\. Exiting\\.`));
    assert.ok(!existsSync(join(fresh, 'dump.rdb')), 'nothing corrupt is left to load');
  });

  test('S3 errors: BACKUP and INFO report them, the server carries on', async () => {
    const dir = tempDir('errors');
    const srv = await start(dir, { save: '' });
    const c = await RespClient.connect(srv.port);
    try {
      const notConfigured = 'ERR Backups are not configured: set backup-s3-bucket (and backup-s3-endpoint for S3-compatible storage other than AWS)';
      assert.equal(await c.callRaw('BACKUP', 'NOW'), `-${notConfigured}\r\n`);
      assert.equal(await c.callRaw('BACKUP', 'LIST'), `-${notConfigured}\r\n`);
      assert.equal(await c.callRaw('BACKUP', 'STATUS'), `-${notConfigured}\r\n`);
      assert.equal(await c.callRaw('BACKUP', 'NOPE'), "-ERR unknown subcommand 'NOPE'. Try BACKUP HELP.\r\n");
      assert.equal(await c.callRaw('BACKUP'), "-ERR wrong number of arguments for 'backup' command\r\n");
      // shardis's own command, in Redis's metadata: ACL categories from its flags, COMMAND DOCS by hand
      const infoNow = (await c.call('COMMAND', 'INFO', 'backup|now')) as unknown[][];
      assert.deepEqual(infoNow[0]![6], ['@admin', '@slow', '@dangerous']);
      const docs = (await c.call('COMMAND', 'DOCS', 'backup')) as unknown[];
      assert.equal(docs[0], 'backup');
      assert.ok(JSON.stringify(docs[1]).includes('backup|list'));
      // not from scripts, not inside MULTI
      assert.match(await c.callRaw('EVAL', "return redis.call('backup', 'now')", '0'), /^-ERR This Redis command is not allowed from script /);
      assert.equal(await c.call('MULTI'), 'OK');
      assert.equal(await c.callRaw('BACKUP', 'NOW'), '-ERR Command not allowed inside a transaction\r\n');
      assert.equal(await c.callRaw('DISCARD'), '+OK\r\n');
      const help = (await c.call('BACKUP', 'HELP')) as string[];
      assert.equal(help[0], 'BACKUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
      assert.ok(help.includes('NOW') && help.includes('LIST') && help.includes('STATUS'));
      assert.match((await c.call('INFO', 'backup')) as string, /backup_enabled:0\r\n[\s\S]*backup_last_status:none/);
      assert.match(await c.callRaw('CONFIG', 'SET', 'backup-s3-endpoint', 'ftp://x'), /^-ERR CONFIG SET failed \(possibly related to argument 'backup-s3-endpoint'\) - backup-s3-endpoint must be an http:\/\/ or https:\/\/ URL/);
      // a bucket that does not exist
      for (const [k, v] of Object.entries(settings('err/'))) await c.call('CONFIG', 'SET', k, v);
      await c.call('CONFIG', 'SET', 'backup-s3-bucket', 'no-such-bucket');
      await c.call('SET', 'a', '1');
      assert.equal(await c.call('BACKUP', 'NOW'), 'Background backup started');
      let m = await waitBackups(c, 1);
      assert.equal(m.get('backup_last_status'), 'err');
      assert.match(m.get('backup_last_error')!, /NoSuchBucket/);
      assert.match(await c.callRaw('BACKUP', 'LIST'), /^-ERR Listing backups failed: NoSuchBucket/);
      // the S3 server is down (a port nothing listens on)
      await c.call('CONFIG', 'SET', 'backup-s3-bucket', BUCKET, 'backup-s3-endpoint', 'http://127.0.0.1:1');
      assert.equal(await c.call('BACKUP', 'NOW'), 'Background backup started');
      m = await waitBackups(c, 2);
      assert.equal(m.get('backup_last_status'), 'err');
      assert.match(m.get('backup_last_error')!, /ECONNREFUSED/);
      assert.equal(m.get('backup_failures'), '2');
      assert.equal(await c.call('GET', 'a'), '1');
      const log = readFileSync(join(dir, 'log.txt'), 'utf8');
      assert.match(log, /# Backup to S3 failed: NoSuchBucket/);
      // back up again: it works
      await c.call('CONFIG', 'SET', 'backup-s3-endpoint', endpoint);
      assert.equal(await c.call('BACKUP', 'NOW'), 'Background backup started');
      assert.equal((await waitBackups(c, 3)).get('backup_last_status'), 'ok');
      // the secret is redacted where commands are shown (SLOWLOG / MONITOR), as requirepass
      const get = (await c.call('CONFIG', 'GET', 'backup-s3-*')) as string[];
      assert.ok(!get.includes('backup-s3-secret-access-key'), 'CONFIG GET patterns list no backup-s3-* parameter (hidden, as shardis\'s own)');
    } finally {
      c.close();
      await srv.close();
    }
    // with an empty data directory and backups that can't be listed, the server refuses to start
    const fresh = tempDir('errors-start');
    await assert.rejects(start(fresh, settings('err/', { 'backup-s3-bucket': 'no-such-bucket' })), /can't be listed: NoSuchBucket/);
    assert.match(readFileSync(join(fresh, 'log.txt'), 'utf8'), /# Fatal error: the data directory is empty and the backups in s3:\/\/no-such-bucket\/err\/ can't be listed: NoSuchBucket/);
  });

  test('the parameters: a config file, CONFIG GET / SET / REWRITE; the secret redacted in SLOWLOG', async () => {
    const dir = tempDir('conf');
    const file = join(dir, 'shardis.conf');
    const lines = Object.entries(settings('conf/')).map(([k, v]) => `${k} ${v === '' ? '""' : v}`);
    writeFileSync(file, `port 0\ndir ${dir}\nthreads ${TEST_THREADS}\n${lines.join('\n')}\n`);
    const srv = await startFromConfig(parseArgs([file, '--loglevel', 'warning']));
    const c = await RespClient.connect(srv.port);
    try {
      assert.deepEqual(await c.call('CONFIG', 'GET', 'backup-s3-bucket'), ['backup-s3-bucket', BUCKET]);
      assert.deepEqual(await c.call('CONFIG', 'GET', 'backup-s3-force-path-style'), ['backup-s3-force-path-style', 'yes']);
      // the defaults
      assert.deepEqual(await c.call('CONFIG', 'GET', 'backup-s3-region'), ['backup-s3-region', 'us-east-1']);
      assert.deepEqual(await c.call('CONFIG', 'GET', 'backup-s3-schedule'), ['backup-s3-schedule', '0']);
      assert.deepEqual(await c.call('CONFIG', 'GET', 'backup-s3-retention'), ['backup-s3-retention', '0']);
      assert.deepEqual(await c.call('CONFIG', 'GET', 'backup-s3-on-save'), ['backup-s3-on-save', 'no']);
      assert.match(await c.callRaw('CONFIG', 'SET', 'backup-s3-retention', '-1'), /^-ERR CONFIG SET failed \(possibly related to argument 'backup-s3-retention'\) - argument must be between 0 and 2147483647/);
      assert.match(await c.callRaw('CONFIG', 'SET', 'backup-s3-on-save', 'maybe'), /^-ERR CONFIG SET failed \(possibly related to argument 'backup-s3-on-save'\) - argument must be 'yes' or 'no'/);
      await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
      await c.call('SLOWLOG', 'RESET');
      assert.equal(await c.call('CONFIG', 'SET', 'backup-s3-secret-access-key', 'n3w-s3cret', 'backup-s3-retention', '7'), 'OK');
      const slow = JSON.stringify(await c.call('SLOWLOG', 'GET'));
      assert.ok(slow.includes('(redacted)') && !slow.includes('n3w-s3cret'), slow);
      assert.equal(await c.call('CONFIG', 'REWRITE'), 'OK');
      const text = readFileSync(file, 'utf8');
      assert.match(text, /\nbackup-s3-secret-access-key "n3w-s3cret"\n/);
      assert.match(text, /\nbackup-s3-bucket "backups"\n/);
    } finally {
      c.close();
      await srv.close();
    }
  });
});
