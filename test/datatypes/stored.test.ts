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

test('only the four tag bytes mark a packed string', () => {
  for (let c = 0; c < 256; c++) assert.equal(isPacked(String.fromCharCode(c) + 'x'), c >= 0xf8 && c <= 0xfb, `byte ${c}`);
  assert.equal(isPacked(''), false);
});
