import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPacked, packValue, unpackValue, viewOf } from '../../src/datatypes/stored.ts';
import { HashValue } from '../../src/datatypes/hash.ts';
import { DEFAULT_SET_LIMITS, SetValue } from '../../src/datatypes/set.ts';
import { ZSetValue } from '../../src/datatypes/zset.ts';
import { ListValue } from '../../src/datatypes/list.ts';
import { StreamValue } from '../../src/datatypes/stream.ts';
import { stringBytes } from '../../src/datatypes/packed.ts';
import type { CollectionValue } from '../../src/datatypes/value.ts';

function small(): CollectionValue[] {
  const h = new HashValue();
  for (let i = 0; i < 10; i++) h.set(`field:${i}`, `value:${i}`, 128, 64);
  const ints = new SetValue();
  for (let i = 0; i < 10; i++) ints.add(String(i * 1000 - 3), DEFAULT_SET_LIMITS);
  const strs = new SetValue();
  for (let i = 0; i < 10; i++) strs.add(`member:${i}`, DEFAULT_SET_LIMITS);
  const z = new ZSetValue();
  for (let i = 0; i < 10; i++) z.insert(`m${i}`, i % 3 === 0 ? i * 1.5 : -i, 128, 64);
  const l = ListValue.from(['a', 'b', '', 'c'.repeat(100)]);
  return [h, ints, strs, z, l];
}

test('a small collection packs into one tagged string and unpacks to the same value, encoding and size', () => {
  for (const v of small()) {
    const s = packValue(v);
    assert.ok(s !== null, `${v.type} packs`);
    assert.ok(isPacked(s));
    // what bytes() counts is exactly the stored string
    assert.equal(v.bytes(), stringBytes(s.length));
    const u = unpackValue(s);
    assert.equal(u.type, v.type);
    assert.equal(u.encoding(), v.encoding());
    assert.equal(u.size(), v.size());
    assert.deepEqual([...u.entries()], [...v.entries()]);
    assert.equal(u.bytes(), v.bytes());
    // viewOf unpacks tagged strings and passes everything else through
    assert.deepEqual([...(viewOf(s) as CollectionValue).entries()], [...v.entries()]);
    assert.equal(viewOf(v), v);
    assert.equal(viewOf('plain'), 'plain');
  }
});

test('big forms and streams are stored as objects: nothing to pack', () => {
  const h = new HashValue();
  for (let i = 0; i < 200; i++) h.set(`f${i}`, 'v', 128, 64);
  assert.equal(h.encoding(), 'hashtable');
  assert.equal(packValue(h), null);
  const z = new ZSetValue();
  z.toBig();
  assert.equal(packValue(z), null);
  assert.equal(packValue(new StreamValue()), null);
});

test('only the five tag bytes mark a packed string', () => {
  for (let c = 0; c < 256; c++) assert.equal(isPacked(String.fromCharCode(c) + 'x'), c >= 0xf8 && c <= 0xfc, `byte ${c}`);
  assert.equal(isPacked(''), false);
});

test('a listpackex packs with its field TTLs (count, 48-bit times, pairs) and unpacks to the same hash', () => {
  const h = HashValue.fromPairs(['a', '1', 'b', '2', 'c', '3', 'd', '4'], 128, 64)!;
  h.enableFieldTtls();
  h.setFieldExpire('c', 2 ** 46 - 1);
  h.setFieldExpire('a', 1733572800123);
  h.setFieldExpire('d', 256);
  h.persistField('d');
  const s = packValue(h)!;
  assert.equal(s.charCodeAt(0), 0xfc);
  assert.equal(h.bytes(), stringBytes(s.length));
  const back = unpackValue(s) as HashValue;
  assert.equal(back.encoding(), 'listpackex');
  const pairs: string[] = [];
  back.forEach((f, v) => pairs.push(f, v));
  // the fields with a TTL first, by time; d lost its TTL and went last
  assert.deepEqual(pairs, ['a', '1', 'c', '3', 'b', '2', 'd', '4']);
  assert.deepEqual(['a', 'b', 'c', 'd'].map((f) => back.fieldExpireAt(f)), [1733572800123, 0, 2 ** 46 - 1, 0]);
  assert.equal(back.minFieldExpire(), 1733572800123);
  // a listpackex without any TTL left stays one
  for (const f of ['a', 'c']) back.persistField(f);
  const again = unpackValue(packValue(back)!) as HashValue;
  assert.equal(again.encoding(), 'listpackex');
  assert.equal(again.hasFieldTtls(), false);
  // a plain listpack keeps the old tag
  assert.equal(packValue(HashValue.fromPairs(['x', 'y'], 128, 64)!)!.charCodeAt(0), 0xf8);
});
