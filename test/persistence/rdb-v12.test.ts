/**
 * The RDB version written (rdb-version.ts): 10 by default, streams as
 * STREAM_LISTPACKS_2; forced to 12 (the hook tests use), streams as
 * STREAM_LISTPACKS_3 with their consumers' active-times, in files and DUMP
 * payloads, read back by shardis as Redis 7.4 reads them. And the Redis
 * 7.4.1 dataset of test/fixtures/rdb-7.4 read at this level.
 */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/engine/engine.ts';
import { StreamValue } from '../../src/datatypes/stream.ts';
import { Consumer } from '../../src/datatypes/stream-cgroup.ts';
import { SetValue } from '../../src/datatypes/set.ts';
import { DEFAULT_SAVE_OPTIONS, dumpPayload, writeRdb } from '../../src/persistence/rdb-writer.ts';
import { loadRdb, readDumpPayload, type LoadOptions } from '../../src/persistence/rdb-load.ts';
import { RdbIn } from '../../src/persistence/rdb-in.ts';
import { DEFAULT_LIMITS } from '../../src/persistence/rdb-reader.ts';
import { verifyDumpPayload } from '../../src/persistence/dump-payload.ts';
import { forceRdbVersion, rdbVersionForDataset, rdbVersionForValue } from '../../src/persistence/rdb-version.ts';
import { datasetDigest } from '../../src/commands/server/debug-digest.ts';

const OPTS: LoadOptions = { limits: DEFAULT_LIMITS, allowDup: false, dropExpired: true, verifyChecksum: true, log: () => {} };
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'rdb-7.4');

afterEach(() => forceRdbVersion(null));

/** A stream with a group of three consumers: active, never active, active before its last look. */
function stream(): StreamValue {
  const s = new StreamValue();
  for (let i = 1; i <= 5; i++) s.append(['f', `v${i}`], 0, 1, { ms: i, seq: 0 }, true, 0, 100, 4096);
  const g = s.createGroup('g', { ms: 2, seq: 0 }, 2)!;
  const alice = new Consumer('alice', 1700000000500, 1700000000500);
  g.consumers.set('alice', alice);
  for (const ms of [1, 2]) {
    const n = { ms, seq: 0, deliveryTime: 1700000000500, deliveryCount: 1, consumer: alice };
    g.pel.insert(n);
    alice.pel.insert(n);
  }
  g.consumers.set('bob', new Consumer('bob', 1700000000900));
  g.consumers.set('carol', new Consumer('carol', 1700000000999, 1700000000100));
  return s;
}

function engineWith(v: StreamValue): Engine {
  const e = new Engine({ shards: 1, databases: 16 });
  const ks = e.keyspace('s', 0);
  ks.data.set('s', v);
  ks.data.set('set', SetValue.fromMembers(['a', 'b', '1'], { setMaxIntsetEntries: 512, setMaxListpackEntries: 128, setMaxListpackValue: 64 })!);
  return e;
}

function times(s: StreamValue): Array<[string, number, number]> {
  return s.group('g')!.sortedConsumers().map((c) => [c.name, c.seenTime, c.activeTime]);
}

function load(file: Buffer): Engine {
  const e = new Engine({ shards: 1, databases: 16 });
  loadRdb(new RdbIn(file, { checksum: true }), e, OPTS);
  return e;
}

const loadedStream = (e: Engine): StreamValue => e.keyspace('s', 0).data.get('s') as StreamValue;

test('by default files are version 10 with STREAM_LISTPACKS_2: active-times come back as the seen-times', () => {
  const e = engineWith(stream());
  assert.equal(rdbVersionForDataset(e), 10);
  const file = writeRdb(e);
  assert.equal(file.subarray(0, 9).toString('latin1'), 'REDIS0010');
  assert.ok(file.includes(Buffer.from([19, 1, 0x73])), 'type 19, key "s"');
  const back = load(file);
  assert.deepEqual(times(loadedStream(back)), [['alice', 1700000000500, 1700000000500], ['bob', 1700000000900, 1700000000900], ['carol', 1700000000999, 1700000000999]]);
});

test('forced to 12: files are REDIS0012 with STREAM_LISTPACKS_3, active-times kept', () => {
  forceRdbVersion(12);
  const e = engineWith(stream());
  const file = writeRdb(e);
  assert.equal(file.subarray(0, 9).toString('latin1'), 'REDIS0012');
  assert.ok(file.includes(Buffer.from([21, 1, 0x73])), 'type 21, key "s"');
  const back = load(file);
  assert.deepEqual(times(loadedStream(back)), [['alice', 1700000000500, 1700000000500], ['bob', 1700000000900, -1], ['carol', 1700000000999, 1700000000100]]);
  assert.equal(datasetDigest(back), datasetDigest(e));
  // the version given in the options wins (a thread writing its part of another thread's file)
  forceRdbVersion(null);
  assert.equal(writeRdb(e, { version: 12 }).subarray(0, 9).toString('latin1'), 'REDIS0012');
  assert.throws(() => forceRdbVersion(11), /not written/);
});

test('DUMP payloads: version 10 by default, 12 when forced, each read back as written', () => {
  const s = stream();
  assert.equal(rdbVersionForValue(s), 10);
  const p10 = dumpPayload(s, DEFAULT_SAVE_OPTIONS);
  assert.equal(p10[0], 19);
  assert.equal(p10.readUInt16LE(p10.length - 10), 10);
  assert.deepEqual(times(readDumpPayload(p10, DEFAULT_LIMITS) as StreamValue).map((x) => x[2]), [1700000000500, 1700000000900, 1700000000999]);
  forceRdbVersion(12);
  const p12 = dumpPayload(s, DEFAULT_SAVE_OPTIONS);
  assert.equal(p12[0], 21);
  assert.equal(p12.readUInt16LE(p12.length - 10), 12);
  assert.ok(verifyDumpPayload(p12, false));
  assert.deepEqual(times(readDumpPayload(p12, DEFAULT_LIMITS) as StreamValue), times(s));
  // strings and the rest are the same bytes in both versions but for the footer
  forceRdbVersion(null);
  const a = dumpPayload('hello', DEFAULT_SAVE_OPTIONS);
  const b = dumpPayload('hello', DEFAULT_SAVE_OPTIONS, 12);
  assert.deepEqual(a.subarray(0, a.length - 10), b.subarray(0, b.length - 10));
});

test('the Redis 7.4.1 dataset reads: listpack set members, consumers with their active-times', () => {
  const e = load(readFileSync(join(FIXTURES, 'dataset.rdb')));
  const set = e.keyspace('setlp', 0).data.get('setlp') as SetValue;
  assert.deepEqual([...set.members()].sort(), ['42', 'apple', 'banana', 'cherry']);
  const st = e.keyspace('st', 0).data.get('st') as StreamValue;
  const consumers = st.group('g')!.sortedConsumers();
  assert.deepEqual(consumers.map((c) => c.name), ['alice', 'bob', 'never']);
  assert.ok(consumers[0]!.activeTime > 1.7e12 && consumers[0]!.activeTime === consumers[0]!.seenTime);
  assert.deepEqual(consumers.slice(1).map((c) => c.activeTime), [-1, -1]);
  // and shardis writes it back as 10 or 12, losing nothing but (in 10) the active-times
  forceRdbVersion(12);
  const again = load(writeRdb(e));
  assert.equal(datasetDigest(again), datasetDigest(e));
  const st2 = again.keyspace('st', 0).data.get('st') as StreamValue;
  assert.deepEqual(st2.group('g')!.sortedConsumers().map((c) => c.activeTime), consumers.map((c) => c.activeTime));
});
