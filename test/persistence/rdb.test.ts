/**
 * Whole RDB files: round trips of every type and encoding (1 and 4 shards),
 * files written by older Redis versions (redis/redis test assets and files
 * built here in the v1 layouts), and the errors for truncated, corrupt or
 * unsupported input: a load never silently drops data.
 */
import { viewOf } from '../../src/datatypes/stored.ts';
import { describe, mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/engine.ts';
import { KeyTable } from '../../src/engine/key-table.ts';
import { ListValue } from '../../src/datatypes/list.ts';
import { DEFAULT_SET_LIMITS, SetValue } from '../../src/datatypes/set.ts';
import { HashValue } from '../../src/datatypes/hash.ts';
import { ZSetValue } from '../../src/datatypes/zset.ts';
import { StreamValue } from '../../src/datatypes/stream.ts';
import { Consumer } from '../../src/datatypes/stream-cgroup.ts';
import { datasetDigest } from '../../src/commands/server/debug-digest.ts';
import { writeRdb } from '../../src/persistence/rdb-writer.ts';
import { RdbIn } from '../../src/persistence/rdb-in.ts';
import { RdbOut } from '../../src/persistence/rdb-out.ts';
import { loadRdb, type LoadOptions } from '../../src/persistence/rdb-load.ts';
import { DEFAULT_LIMITS } from '../../src/persistence/rdb-reader.ts';
import { RdbError } from '../../src/persistence/rdb-types.ts';
import { functionStore } from '../../src/persistence/rdb-functions.ts';
import { crc64 } from '../../src/persistence/crc64.ts';
import { isString, stringOf, type Value } from '../../src/datatypes/value.ts';
import { LFU_INIT_VAL, idleMs, lfuCounter } from '../../src/engine/lru.ts';

const logs: string[] = [];
const OPTS: LoadOptions = { limits: DEFAULT_LIMITS, allowDup: false, dropExpired: true, verifyChecksum: true, log: (_l, m) => logs.push(m) };

function load(file: Buffer, engine = new Engine({ shards: 1, databases: 16 }), opts: Partial<LoadOptions> = {}): Engine {
  loadRdb(new RdbIn(file, { checksum: true }), engine, { ...OPTS, ...opts });
  return engine;
}

function stream(): StreamValue {
  const s = new StreamValue();
  for (let i = 1; i <= 300; i++) s.append([`f${i % 3}`, `v${i}`, 'g', String(i)], 0, 2, { ms: i, seq: i % 7 }, true, 0, 100, 4096);
  s.delete({ ms: 5, seq: 5 });
  s.delete({ ms: 150, seq: 3 });
  const g = s.createGroup('g1', { ms: 10, seq: 3 }, 10)!;
  const c = new Consumer('alice', 1700000000000);
  g.consumers.set('alice', c);
  for (const [ms, seq] of [[2, 2], [7, 0]]) {
    const n = { ms, seq, deliveryTime: 1700000000123, deliveryCount: 2, consumer: c };
    g.pel.insert(n);
    c.pel.insert(n);
  }
  g.consumers.set('bob', new Consumer('bob', 1700000000999));
  s.createGroup('empty', { ms: 0, seq: 0 }, -1);
  return s;
}

/** Every type in its small and large encodings, in two databases, some keys with TTLs. */
function dataset(shards: number): Engine {
  const e = new Engine({ shards, databases: 16 });
  const put = (db: number, key: string, v: Value, ttl?: number): void => {
    const ks = e.keyspace(key, db);
    ks.data.set(key, v);
    if (ttl !== undefined) ks.setExpire(key, Date.now() + ttl);
  };
  put(0, 'str', 'hello');
  put(0, 'int', '-42');
  put(0, 'bigint', '9223372036854775807');
  put(0, 'long', 'abc'.repeat(100), 60000);
  put(0, 'bin', Buffer.from([0, 255, 13, 10, 128]));
  put(0, 'empty', '');
  put(0, 'list', ListValue.from(['a', '1', '-5', 'x'.repeat(5000), ...Array.from({ length: 2000 }, (_, i) => `item${i}`)]));
  const si = new SetValue();
  for (const m of ['5', '-9223372036854775808', '70000', '1']) si.add(m, DEFAULT_SET_LIMITS);
  put(0, 'intset', si);
  const sh = new SetValue();
  for (let i = 0; i < 600; i++) sh.add(String(i), DEFAULT_SET_LIMITS);
  put(0, 'bigintset', sh);
  const ss = new SetValue();
  for (const m of ['a', 'b', '1']) ss.add(m, DEFAULT_SET_LIMITS);
  put(1, 'strset', ss, 120000);
  const h = new HashValue();
  h.set('f', 'v', 128, 64);
  h.set('n', '12', 128, 64);
  put(0, 'hash', h);
  const hb = new HashValue();
  for (let i = 0; i < 200; i++) hb.set(`field${i}`, `value${i}`, 128, 64);
  put(1, 'bighash', hb);
  const z = new ZSetValue();
  for (const [m, sc] of [['a', 1], ['b', 2.5], ['c', -3], ['d', 1e20], ['e', Infinity], ['f', -Infinity], ['g', 0.1]] as const) z.insert(m, sc, 128, 64);
  put(0, 'zset', z);
  const zb = new ZSetValue();
  for (let i = 0; i < 300; i++) zb.insert(`m${i}`, i / 3, 128, 64);
  put(0, 'bigzset', zb, 5000);
  put(0, 'stream', stream());
  return e;
}

function describeKeys(e: Engine): string[] {
  const out: string[] = [];
  for (let db = 0; db < e.databases; db++) {
    for (const ks of e.keyspaces(db)) {
      for (const [k, stored] of ks.data) {
        const v = viewOf(stored);
        const enc = isString(v) ? 'string' : v.encoding();
        out.push(`${db}/${k}/${enc}/${ks.getExpire(k) ?? -1}`);
      }
    }
  }
  return out.sort();
}

describe('RDB round trips', () => {
  for (const shards of [1, 4]) {
    test(`every type and encoding survives save and load [shards=${shards}]`, () => {
      const e = dataset(shards);
      for (const compress of [true, false]) {
        const file = writeRdb(e, { compress });
        assert.equal(file.subarray(0, 9).toString(), 'REDIS0010');
        assert.deepEqual(file.subarray(file.length - 8), crc64(file, 0, file.length - 8), 'trailer is the CRC-64');
        const back = load(file, new Engine({ shards, databases: 16 }));
        assert.equal(datasetDigest(back), datasetDigest(e));
        assert.deepEqual(describeKeys(back), describeKeys(e));
        const s = back.keyspace('stream', 0).data.get('stream') as StreamValue;
        const g = s.group('g1')!;
        assert.equal(g.pel.size, 2);
        assert.equal(g.consumers.get('alice')!.pel.size, 2);
        assert.equal(g.pel.get(7, 0)!.consumer!.name, 'alice');
        assert.equal(g.entriesRead, 10);
        assert.equal(s.group('empty')!.entriesRead, -1);
        assert.equal(s.nodes.length, (e.keyspace('stream', 0).data.get('stream') as StreamValue).nodes.length);
      }
    });
  }

  test('rdbchecksum no writes a zero trailer, which loads with a warning', () => {
    const file = writeRdb(dataset(1), { checksum: false });
    assert.ok(file.subarray(file.length - 8).equals(Buffer.alloc(8)));
    logs.length = 0;
    load(file);
    assert.ok(logs.includes('RDB file was saved with checksum disabled: no check performed.'));
  });

  test('expired keys are dropped and counted; IDLE / FREQ set the key\'s LRU clock / LFU counter', () => {
    const out = new RdbOut({ compress: false, checksum: true });
    out.raw('REDIS0010');
    out.byte(254); out.len(0);
    out.byte(252); out.ms(Date.now() - 1000); out.byte(0); out.string('gone'); out.string('x');
    out.byte(252); out.ms(Date.now() + 100000); out.byte(248); out.len(77); out.byte(0); out.string('kept'); out.string('y');
    out.byte(249); out.byte(9); out.byte(0); out.string('freq'); out.string('z');
    out.byte(255);
    const file = out.finishWithChecksum()!;
    const e = new Engine({ shards: 1, databases: 16 });
    const res = loadRdb(new RdbIn(file, { checksum: true }), e, OPTS);
    assert.equal(res.keysLoaded, 2);
    assert.equal(res.keysExpired, 1);
    const ks = e.keyspace('kept', 0);
    assert.ok(ks.getExpire('kept') !== undefined);
    // not under LFU: the idle time counts, the frequency does not
    assert.equal(Math.floor(idleMs(ks.lruPolicy, ks.data.word('kept')) / 1000), 77);
    assert.equal(Math.floor(idleMs(ks.lruPolicy, ks.data.word('freq')) / 1000), 0);
    const lfu = new Engine({ shards: 1, databases: 16 });
    lfu.keyspace('x', 0).lruPolicy.lfu = true;
    loadRdb(new RdbIn(file, { checksum: true }), lfu, OPTS);
    const lks = lfu.keyspace('x', 0);
    assert.equal(lfuCounter(lks.lruPolicy, lks.data.word('freq')), 9);
    assert.equal(lfuCounter(lks.lruPolicy, lks.data.word('kept')), LFU_INIT_VAL);
  });
});

describe('RESIZEDB', () => {
  test('sizes each shard\'s table for its share of the keys before they come (a shardis RDB, in hash order)', () => {
    const src = new Engine({ shards: 1, databases: 16 });
    for (let i = 0; i < 20_000; i++) src.keyspace(`k${i}`, 0).set(`k${i}`, `v${i}`);
    const reserved: Array<[size: number, n: number]> = [];
    const reserve = KeyTable.prototype.reserve;
    const spy = mock.method(KeyTable.prototype, 'reserve', function (this: KeyTable, n: number) {
      reserved.push([this.size, n]);
      reserve.call(this, n);
    });
    let back: Engine;
    try {
      back = load(writeRdb(src), new Engine({ shards: 4, databases: 16 }));
    } finally {
      spy.mock.restore();
    }
    assert.equal(back.dbSize(0), 20_000);
    // each of the 4 tables, still empty, for 5,000 keys: 8,192 slots each, sized once up front
    assert.deepEqual(reserved, [[0, 5000], [0, 5000], [0, 5000], [0, 5000]]);
    for (const ks of back.keyspaces(0)) assert.equal(ks.data.tableBytes(), 8192 * 12);
  });

  test('a count larger than the file could hold reserves no more than it could', () => {
    const out = new RdbOut({ compress: false, checksum: true });
    out.raw('REDIS0010');
    out.byte(254); out.len(0);
    out.byte(251); out.len(2 ** 40); out.len(0);
    out.byte(0); out.string('k'); out.string('v');
    out.byte(255);
    const e = load(out.finishWithChecksum()!);
    assert.equal(e.dbSize(0), 1);
    assert.ok(e.keyspaces(0)[0]!.data.tableBytes() <= 64 * 12);
  });
});

/** Files from redis/redis tests/assets (BSD-3-Clause), written by Redis 2.4 … 7.0. */
const ASSETS: Record<string, string> = {
  encodings: 'UkVESVMwMDA0/gADBHpzZXQMAmJiAjIwAmNjAjMwA2JiYgMyMDAEYmJiYgo1MDAwMDAwMDAwA2NjYwMzMDAEY2NjYwkxMjM0NTY3ODkBYQExAmFhAjEwAWIBMgNhYWEDMTAwAWMBMwRhYWFhBDEwMDALDHNldF96aXBwZWRfMRACAAAABAAAAAEAAgADAAQACgtsaXN0X3ppcHBlZDAwAAAAJQAAAAgAAMABAATAAgAEwAMABAFhAwFiAwFjA9CghgEABuAAvKBlAQAAAP8ABnN0cmluZwtIZWxsbyBXb3JsZAAMY29tcHJlc3NpYmxlwwlAiQFhYeB8AAFhYQsMc2V0X3ppcHBlZF8yGAQAAAAEAAAAoIYBAEANAwDgkwQAgBoGAAAGbnVtYmVywAoLDHNldF96aXBwZWRfMzgIAAAABgAAAADKmjsAAAAAAJQ1dwAAAAAAXtCyAAAAAAAoa+4AAAAAAPIFKgEAAAAAvKBlAQAAAAIDc2V0CAo2MDAwMDAwMDAwwqCGAQABYcABAWLAAgFjwAMBBGxpc3QYwAHAAsADAWEBYgFjwqCGAQAKNjAwMDAwMDAwMMABwALAAwFhAWIBY8KghgEACjYwMDAwMDAwMDDAAcACwAMBYQFiAWPCoIYBAAo2MDAwMDAwMDAwDQtoYXNoX3ppcHBlZCAgAAAAGwAAAAYAAAFhA8ABAAQBYgPAAgAEAWMDwAMA/wwLenNldF96aXBwZWQgIAAAABsAAAAGAAABYQPAAQAEAWIDwAIABAFjA8ADAP8EBGhhc2gLAWLAAgJhYcAKAWPAAwNhYWHAZAJiYsAUAmNjwB4DYmJiwcgAA2NjY8EsAQNkZGTBkAEDZWVlCjUwMDAwMDAwMDABYcAB/w==',
  hashZipmap: 'UkVESVMwMDAz/gAJBGhhc2gQAgJmMQIAdjECZjICAHYy//8=',
  hashZiplist: 'UkVESVMwMDA5+glyZWRpcy12ZXILMjU1LjI1NS4yNTX6CnJlZGlzLWJpdHPAQPoFY3RpbWXCyFyWYPoIdXNlZC1tZW3CkK0MAPoMYW9mLXByZWFtYmxlwAD+APsBAA0EaGFzaBsbAAAAFgAAAAQAAAJmMQQCdjEEAmYyBAJ2Mv//T5zR/RZpmIM=',
  listQuicklist: 'UkVESVMwMDA4+glyZWRpcy12ZXIFNC4wLjn6CnJlZGlzLWJpdHPAQPoFY3RpbWXCnwYmYfoIdXNlZC1tZW3CgJIHAPoMYW9mLXByZWFtYmxlwAD+APsCAA4EbGlzdAENDQAAAAoAAAABAAD4/wABeMAH/zVy+FQaxNdA',
  zsetZiplist: 'UkVESVMwMDEw+glyZWRpcy12ZXILMjU1LjI1NS4yNTX6CnJlZGlzLWJpdHPAQPoFY3RpbWXCYrcTYfoIdXNlZC1tZW3CUPQMAPoMYW9mLXByZWFtYmxlwAD+APsBAAwEenNldBkZAAAAFgAAAAQAAANvbmUF8gIDdHdvBfP//x+y/fCZf54Z',
  emptyKeys: 'UkVESVMwMDEw+glyZWRpcy12ZXILMjU1LjI1NS4yNTX6CnJlZGlzLWJpdHPAQPoFY3RpbWXCehgVYfoIdXNlZC1tZW3CgDEQAPoMYW9mLXByZWFtYmxlwAD+APsJAAIDc2V0AAQEaGFzaAAKDGxpc3RfemlwbGlzdAsLAAAACgAAAAAA/wUEenNldAARDXpzZXRfbGlzdHBhY2sHBwAAAAAA/xAMaGFzaF96aXBsaXN0BwcAAAAAAP8ODmxpc3RfcXVpY2tsaXN0AAwMenNldF96aXBsaXN0CwsAAAAKAAAAAAD/DhxsaXN0X3F1aWNrbGlzdF9lbXB0eV96aXBsaXN0AQsLAAAACgAAAAAA///w9Qbdxm5hgw==',
  /** written by redis-server 7.0.15 with one FUNCTION LOAD'ed library */
  function: 'UkVESVMwMDEw+glyZWRpcy12ZXIGNy4wLjE1+gpyZWRpcy1iaXRzwED6BWN0aW1lwinNC2v6CHVzZWQtbWVtwjigFgD6CGFvZi1iYXNlwAD1w0BWQFsfIyFsdWEgbmFtZT1teWxpYgpyZWRpcy5yZWdpc3Rlcl8LZnVuY3Rpb24oJ215QAsCJywgQAZgEhFrZXlzLCBhcmdzKSByZXR1cm5gDAdbMV0gZW5kKf4A+wEAAAFrAXb/SnnPPzWsM2U=',
};

function contents(e: Engine, db = 0): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ks of e.keyspaces(db)) {
    for (const [k, stored] of ks.data) {
      const v = viewOf(stored);
      out[k] = isString(v) ? stringOf(v) : `${v.encoding()}:${[...v.entries()].join(',')}`;
    }
  }
  return out;
}

describe('files from older Redis versions', () => {
  test('v4 encodings.rdb: zipped lists, hashes, zsets, intsets of every width, LZF', () => {
    const e = load(Buffer.from(ASSETS.encodings!, 'base64'));
    const c = contents(e);
    assert.equal(Object.keys(c).length, 13);
    assert.equal(c.string, 'Hello World');
    assert.equal(c.number, '10');
    assert.equal(c.compressible, 'a'.repeat(137));
    assert.equal(c.set_zipped_1, 'intset:1,2,3,4');
    assert.equal(c.set_zipped_2, 'intset:100000,200000,300000,400000');
    assert.equal(c.set_zipped_3, 'intset:1000000000,2000000000,3000000000,4000000000,5000000000,6000000000');
    assert.equal(c.list_zipped, 'quicklist:1,2,3,a,b,c,100000,6000000000');
    assert.equal(c.hash_zipped, 'listpack:a,1,b,2,c,3');
    assert.equal(c.zset_zipped, 'listpack:a,1,b,2,c,3');
    assert.equal(c.set.split(':')[0], 'listpack', 'a small plain set loads as a listpack (Redis 7.4)');
    assert.equal(c.zset.split(':')[0], 'listpack');
    assert.equal(c.hash.split(':')[0], 'listpack');
  });

  test('v3 zipmap hash, v9 ziplist hash, v8 quicklist of ziplists, v10 ziplist zset', () => {
    assert.deepEqual(contents(load(Buffer.from(ASSETS.hashZipmap!, 'base64'))), { hash: 'listpack:f1,v1,f2,v2' });
    assert.deepEqual(contents(load(Buffer.from(ASSETS.hashZiplist!, 'base64'))), { hash: 'listpack:f1,v1,f2,v2' });
    assert.deepEqual(contents(load(Buffer.from(ASSETS.listQuicklist!, 'base64'))), { list: 'quicklist:7', x: '7' });
    assert.deepEqual(contents(load(Buffer.from(ASSETS.zsetZiplist!, 'base64'))), { zset: 'listpack:one,1,two,2' });
    // limits apply on load: a zipmap hash over hash-max-listpack-entries becomes a hashtable
    const small = load(Buffer.from(ASSETS.hashZipmap!, 'base64'), undefined, { limits: { ...DEFAULT_LIMITS, hashMaxListpackEntries: 1 } });
    assert.equal(contents(small).hash, 'hashtable:f1,v1,f2,v2');
  });

  test('empty keys are skipped with a warning, as Redis does', () => {
    logs.length = 0;
    const e = new Engine({ shards: 1, databases: 16 });
    const res = loadRdb(new RdbIn(Buffer.from(ASSETS.emptyKeys!, 'base64'), { checksum: true }), e, OPTS);
    assert.equal(res.keysLoaded, 0);
    assert.equal(res.emptyKeysSkipped, 9);
    assert.ok(logs.includes('rdbLoadObject skipping empty key: set'));
  });

  test('FUNCTION2 libraries are kept in the function store', () => {
    const e = load(Buffer.from(ASSETS.function!, 'base64'));
    assert.deepEqual(functionStore(e).list(), ["#!lua name=mylib\nredis.register_function('myfunc', function(keys, args) return args[1] end)"]);
    assert.deepEqual(contents(e), { k: 'v' });
    const again = load(writeRdb(e));
    assert.deepEqual(functionStore(again).list(), functionStore(e).list(), 'saved back');
  });

  test('a v1 file: plain list / set / hash, text zset scores, EXPIRETIME in seconds, no checksum', () => {
    const out = new RdbOut({ compress: false, checksum: false });
    out.raw('REDIS0001');
    out.byte(254); out.len(2);
    out.byte(1); out.string('l'); out.len(3); out.string('a'); out.string('12'); out.string('c');
    out.byte(2); out.string('s'); out.len(2); out.string('7'); out.string('8');
    out.byte(4); out.string('h'); out.len(1); out.string('k'); out.string('v');
    out.byte(3); out.string('z'); out.len(4);
    for (const [m, sc] of [['a', '1.5'], ['b', '-2']] as const) {
      out.string(m);
      out.byte(sc.length);
      out.raw(sc);
    }
    out.string('inf'); out.byte(254);
    out.string('ninf'); out.byte(255);
    out.byte(253); out.bytes(Buffer.from([0xff, 0xff, 0xff, 0x7f])); out.byte(0); out.string('far'); out.string('future');
    out.byte(255);
    const e = load(out.done());
    assert.deepEqual(contents(e, 2), {
      l: 'quicklist:a,12,c', s: 'intset:7,8', h: 'listpack:k,v', z: 'listpack:ninf,-inf,b,-2,a,1.5,inf,inf', far: 'future',
    });
    assert.equal(e.keyspace('far', 2).getExpire('far'), 0x7fffffff * 1000);
  });
});

describe('bad input never loads silently', () => {
  const good = writeRdb(dataset(1));

  test('every truncation fails with RdbError', () => {
    for (let cut = 0; cut < good.length; cut += Math.max(1, Math.floor(good.length / 400))) {
      assert.throws(() => load(good.subarray(0, cut)), RdbError, `cut at ${cut}`);
    }
    assert.throws(() => load(good.subarray(0, good.length - 1)), RdbError);
  });

  test('a flipped byte fails (checksum or structure)', () => {
    for (const at of [20, 100, 500, Math.floor(good.length / 2), good.length - 20]) {
      const bad = Buffer.from(good);
      bad[at]! ^= 0x20;
      assert.throws(() => load(bad), RdbError, `byte ${at}`);
    }
    const bad = Buffer.from(good);
    bad[good.length - 1]! ^= 1;
    assert.throws(() => load(bad), /Wrong RDB checksum/);
    load(bad, undefined, { verifyChecksum: false });
  });

  test('signature, version, databases, duplicates, modules', () => {
    assert.throws(() => load(Buffer.from('REDIX0010\xff', 'latin1')), /Wrong signature/);
    assert.throws(() => load(Buffer.from('REDIS0013\xff', 'latin1')), /Can't handle RDB format version/);
    assert.throws(() => load(Buffer.from('REDIS0005\xfe\x20\xff', 'latin1')), /more than 16 databases/);
    const dup = new RdbOut({ compress: false, checksum: false });
    dup.raw('REDIS0010');
    for (let i = 0; i < 2; i++) {
      dup.byte(0); dup.string('k'); dup.string(String(i));
    }
    dup.byte(255);
    const file = dup.finishWithChecksum()!;
    assert.throws(() => load(file), /duplicated key 'k'/);
    const merged = load(file, undefined, { allowDup: true });
    assert.equal(viewOf(merged.keyspace('k', 0).data.get('k')!), '1');
    const mod = Buffer.concat([Buffer.from('REDIS0010', 'latin1'), Buffer.from([7, 1, 0x6b, 0x81, 0, 0, 0, 0, 0, 0, 4, 1])]);
    assert.throws(() => load(mod), /module data I can't load/);
    const aux = Buffer.concat([Buffer.from('REDIS0010', 'latin1'), Buffer.from([247, 0x81, 0, 0, 0, 0, 0, 0, 4, 1])]);
    assert.throws(() => load(aux), /AUX module data/);
    assert.throws(() => load(Buffer.from('REDIS0010\x08', 'latin1')), /Unknown RDB encoding type 8/);
    assert.throws(() => load(Buffer.from('REDIS0012\x1a', 'latin1')), /Unknown RDB encoding type 26/);
  });
});
