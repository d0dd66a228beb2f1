/**
 * RDB files and DUMP payloads written by Redis 7.4.1 (RDB version 12;
 * test/fixtures/rdb-7.4, made once with that server): listpack sets (type
 * 20), streams whose consumers carry an active-time (type 21), SLOT_INFO
 * opcodes of a cluster-mode file, and hashes with field TTLs (types 24/25),
 * which shardis refuses for now as any type it does not know.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../src/index.ts';
import { crc64 } from '../../src/persistence/crc64.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { describeServer } from '../helpers/server.ts';
import { err, fresh } from '../helpers/keyspace.ts';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'rdb-7.4');
const THREADS = Number(process.env.SHARDIS_TEST_THREADS ?? 1);

interface Payloads {
  dump: Record<'setlp' | 'setlpint' | 'setint' | 'setbig' | 'st' | 'hfe', string>;
  xinfoStreamFull: string;
}
const PAYLOADS = JSON.parse(readFileSync(join(FIXTURES, 'dump-payloads.json'), 'utf8')) as Payloads;

/** A DUMP payload of the fixtures as RESTORE takes it (latin1 bytes). */
const payload = (key: keyof Payloads['dump']): string => Buffer.from(PAYLOADS.dump[key], 'hex').toString('latin1');

const bigSet = Array.from({ length: 200 }, (_, i) => `m${i + 1}`).sort();

/** Starts a server on a copy of a fixture file as its dump.rdb; null and the error when it refuses to start. */
async function withFile(name: string, shards: number, fn: (c: RespClient) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-rdb74-'));
  let server: RunningServer | null = null;
  try {
    copyFileSync(join(FIXTURES, name), join(dir, 'dump.rdb'));
    server = await startServer({ port: 0, dir, shards, threads: THREADS });
    const c = await RespClient.connect(server.port);
    try {
      await fn(c);
    } finally {
      c.close();
    }
  } finally {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const sorted = (r: unknown): string[] => [...(r as string[])].sort();

describe('RDB 12 files from Redis 7.4.1', () => {
  for (const shards of [1, 4]) {
    test(`every type loads, listpack sets and streams with active-times included [shards=${shards}]`, async () => {
      await withFile('dataset.rdb', shards, async (c) => {
        assert.equal(await c.call('DBSIZE'), 11);
        assert.equal(await c.call('GET', 'str'), 'hello');
        assert.equal(await c.call('GET', 'num'), '12345');
        assert.deepEqual(await c.call('LRANGE', 'list', '0', '-1'), ['a', 'b', 'c', '1', '2']);
        assert.deepEqual(sorted(await c.call('SMEMBERS', 'setlp')), ['42', 'apple', 'banana', 'cherry']);
        assert.deepEqual(sorted(await c.call('SMEMBERS', 'setint')), ['-7', '1', '100000', '2', '3']);
        assert.deepEqual(sorted(await c.call('SMEMBERS', 'setlpint')), ['5', '6', '7']);
        assert.deepEqual(sorted(await c.call('SMEMBERS', 'setbig')), bigSet);
        assert.deepEqual(await c.call('HGETALL', 'hash'), ['f1', 'v1', 'f2', 'v2']);
        assert.deepEqual(await c.call('ZRANGE', 'zset', '0', '-1', 'WITHSCORES'), ['a', '1', 'b', '2.5']);
        assert.equal(await c.call('PEXPIRETIME', 'vol'), 4102444800000);
        // the consumers' seen-time and active-time as 7.4.1 had them
        assert.equal(await c.callRaw('XINFO', 'STREAM', 'st', 'FULL'), PAYLOADS.xinfoStreamFull);
        const consumers = (await c.call('XINFO', 'CONSUMERS', 'st', 'g')) as unknown[][];
        assert.deepEqual(consumers.map((x) => [x[1], x[3], (x[7] as number) >= 0 ? 'active' : x[7]]), [['alice', 1, 'active'], ['bob', 0, -1], ['never', 0, -1]]);
        assert.equal(await c.call('FCALL', 'f74', '0'), 74);
      });
    });
  }

  test('SLOT_INFO of a cluster-mode file is skipped, as Redis does outside cluster mode', async () => {
    await withFile('cluster-slot-info.rdb', 4, async (c) => {
      assert.equal(await c.call('DBSIZE'), 5);
      assert.deepEqual(await c.call('MGET', 'a', 'b', 'c'), ['va', 'vb', 'vc']);
      assert.deepEqual(sorted(await c.call('SMEMBERS', '{a}s')), ['x', 'y']);
      assert.equal(await c.call('PEXPIRETIME', 't1'), 4102444800000);
    });
  });

  test('a hash with field TTLs (type 25, listpackex) loads with its TTLs and order', async () => {
    await withFile('hash-field-ttl.rdb', 1, async (c) => {
      assert.equal(await c.call('GET', 'plain'), 'x');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'hfe'), 'listpackex');
      assert.deepEqual(await c.call('HGETALL', 'hfe'), ['f', 'v', 'g', 'w']);
      assert.deepEqual(await c.call('HPEXPIRETIME', 'hfe', 'FIELDS', '2', 'f', 'g'), [4102444800000, -1]);
    });
  });
});

describeServer('DUMP payloads of Redis 7.4.1 (RDB 12)', (fx) => {
  test('RESTORE takes version 12 payloads: listpack sets, intsets, hashtable sets, streams', async () => {
    const c = await fresh(fx());
    for (const key of ['setlp', 'setlpint', 'setint', 'setbig', 'st'] as const) assert.equal(await c.call('RESTORE', key, '0', payload(key)), 'OK', key);
    assert.deepEqual(sorted(await c.call('SMEMBERS', 'setlp')), ['42', 'apple', 'banana', 'cherry']);
    assert.deepEqual(sorted(await c.call('SMEMBERS', 'setlpint')), ['5', '6', '7']);
    assert.deepEqual(sorted(await c.call('SMEMBERS', 'setint')), ['-7', '1', '100000', '2', '3']);
    assert.deepEqual(sorted(await c.call('SMEMBERS', 'setbig')), bigSet);
    assert.equal(await c.callRaw('XINFO', 'STREAM', 'st', 'FULL'), PAYLOADS.xinfoStreamFull);
    // what shardis writes itself is still version 10 where nothing needs 12 (rdb-version.ts)
    const dumped = Buffer.from((await c.callRaw('DUMP', 'st')).split('\r\n')[1]!, 'latin1');
    assert.equal(dumped[0], 19);
    assert.equal(dumped.readUInt16LE(dumped.length - 10), 10);
  });

  test('a hash with field TTLs restores with them, and dumps again as 7.4.1 did; a version past 12 is refused', async () => {
    const c = await fresh(fx());
    assert.equal(await c.call('RESTORE', 'hfe', '0', payload('hfe')), 'OK');
    assert.deepEqual(await c.call('HPEXPIRETIME', 'hfe', 'FIELDS', '2', 'f', 'g'), [4102444800000, -1]);
    // the same bytes as Redis 7.4.1's DUMP (type 25, version 12)
    assert.equal(Buffer.from((await c.call('DUMP', 'hfe')) as string, 'latin1').toString('hex'), PAYLOADS.dump.hfe);
    const p = Buffer.from(PAYLOADS.dump.setlp, 'hex');
    p.writeUInt16LE(13, p.length - 10);
    crc64(p.subarray(0, p.length - 8)).copy(p, p.length - 8);
    assert.equal(err(await c.call('RESTORE', 'k', '0', p.toString('latin1'))), 'ERR DUMP payload version or checksum are wrong');
    p.writeUInt16LE(12, p.length - 10);
    crc64(p.subarray(0, p.length - 8)).copy(p, p.length - 8);
    assert.equal(await c.call('RESTORE', 'k', '0', p.toString('latin1')), 'OK');
  });

  test('a reload in version 10 keeps seen-times, and takes them as active-times (as Redis 7.4 loads a 7.0 stream)', async () => {
    const c = await fresh(fx());
    assert.equal(await c.call('RESTORE', 'st', '0', payload('st')), 'OK');
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    const full = (await c.call('XINFO', 'STREAM', 'st', 'FULL')) as unknown[];
    const consumers = ((full[full.indexOf('groups') + 1] as unknown[][])[0]!.at(-1)) as unknown[][];
    for (const x of consumers) assert.equal(x[5], x[3], `${String(x[1])}: active-time is the seen-time`);
  });
});
