import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { keyEvents } from '../helpers/keyspace.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient } from '../helpers/resp-client.ts';

const sorted = (a: unknown): string[] => (a as string[]).slice().sort();

describeServer('sets', (fx) => {
  test('SADD SREM SCARD SISMEMBER SMISMEMBER SMEMBERS (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      assert.equal(await r.sadd('s', 'a', 'b', 'c', 'a'), 3);
      assert.equal(await r.sadd('s', 'a', 'd'), 1);
      assert.equal(await r.scard('s'), 4);
      assert.equal(await r.scard('nope'), 0);
      assert.equal(await r.sismember('s', 'a'), 1);
      assert.equal(await r.sismember('s', 'z'), 0);
      assert.equal(await r.sismember('nope', 'a'), 0);
      assert.deepEqual(await r.smismember('s', 'a', 'z', 'd'), [1, 0, 1]);
      assert.deepEqual(await r.smismember('nope', 'a', 'b'), [0, 0]);
      assert.deepEqual(sorted(await r.smembers('s')), ['a', 'b', 'c', 'd']);
      assert.deepEqual(await r.smembers('nope'), []);
      assert.equal(await r.srem('s', 'a', 'zz', 'b'), 2);
      assert.equal(await r.srem('nope', 'a'), 0);
      assert.equal(await r.srem('s', 'c', 'd', 'e'), 2);
      assert.equal(await r.exists('s'), 0, 'an emptied set is deleted');
      // binary-safe members
      const bin = Buffer.from([0, 255, 13, 10, 128]);
      assert.equal(await r.sadd('b', bin), 1);
      assert.deepEqual(await r.smembersBuffer('b'), [bin]);
      assert.equal(await r.sismember('b', bin), 1);
      // errors
      await r.set('str', 'v');
      for (const p of [r.sadd('str', 'a'), r.srem('str', 'a'), r.smembers('str'), r.sismember('str', 'a'), r.smismember('str', 'a'), r.scard('str')]) {
        await assert.rejects(p, /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value/);
      }
      await assert.rejects(r.call('SADD', 's'), /ERR wrong number of arguments for 'sadd' command/);
      await assert.rejects(r.call('SISMEMBER', 's', 'a', 'b'), /ERR wrong number of arguments for 'sismember' command/);
      await assert.rejects(r.call('SMISMEMBER', 's'), /ERR wrong number of arguments for 'smismember' command/);
      assert.equal(await r.get('str'), 'v');
    } finally {
      r.disconnect();
    }
  });

  test('intset, listpack and hashtable encodings, set-max-intset-entries, order of an intset', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.sadd('i', '10', '-3', '2', '9223372036854775807', '-9223372036854775808', '0');
      assert.equal(await r.object('ENCODING', 'i'), 'intset');
      // an intset comes in ascending numeric order, as Redis
      const asc = ['-9223372036854775808', '-3', '0', '2', '10', '9223372036854775807'];
      assert.deepEqual(await r.smembers('i'), asc);
      assert.deepEqual(await r.sscan('i', 0), ['0', asc]);
      assert.deepEqual(await r.srandmember('i', 100), asc);
      // not canonical integers: a listpack (Redis 7.2+), in insertion order
      for (const m of ['01', '+1', '-0', ' 1', '9223372036854775808', '1.5', '']) {
        await r.del('x');
        await r.sadd('x', '1', m);
        assert.equal(await r.object('ENCODING', 'x'), 'listpack', `member ${JSON.stringify(m)}`);
        assert.deepEqual(await r.smembers('x'), ['1', m]);
      }
      await r.sadd('i', 'abc');
      assert.equal(await r.object('ENCODING', 'i'), 'listpack');
      assert.deepEqual(await r.smembers('i'), [...asc, 'abc'], 'the intset\'s members ascending, then the new one');
      await r.srem('i', 'abc');
      assert.equal(await r.object('ENCODING', 'i'), 'listpack', 'conversion is one-way');
      assert.equal(await r.config('SET', 'set-max-intset-entries', '4'), 'OK');
      try {
        await r.sadd('small', '1', '2', '3', '4');
        assert.equal(await r.object('ENCODING', 'small'), 'intset');
        await r.sadd('small', '5');
        assert.equal(await r.object('ENCODING', 'small'), 'hashtable');
      } finally {
        await r.config('SET', 'set-max-intset-entries', '512');
      }
      const many = Array.from({ length: 513 }, (_, i) => String(i));
      await r.sadd('big', ...many.slice(0, 512));
      assert.equal(await r.object('ENCODING', 'big'), 'intset');
      await r.sadd('big', '512');
      assert.equal(await r.object('ENCODING', 'big'), 'hashtable');
      assert.equal(await r.scard('big'), 513);
    } finally {
      r.disconnect();
    }
  });

  test('listpacks up to set-max-listpack-entries (128) members of -value (64) bytes: SSCAN serves them whole, then by cursor', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      const firstScan = async (key: string): Promise<[string, number]> => {
        const [cur, items] = await r.sscan(key, 0, 'COUNT', 5);
        return [cur, items.length];
      };
      await r.sadd('p', ...Array.from({ length: 128 }, (_, i) => `m${i}`));
      assert.equal(await r.object('ENCODING', 'p'), 'listpack');
      assert.deepEqual(await firstScan('p'), ['0', 128], 'a listpack: the whole set at once');
      await r.sadd('p', 'm128');
      assert.equal(await r.object('ENCODING', 'p'), 'hashtable');
      const [cur] = await firstScan('p');
      assert.notEqual(cur, '0', 'past 128 members: a real hashtable, scanned by cursor');
      await r.srem('p', 'm128', 'm127');
      assert.notEqual((await firstScan('p'))[0], '0', 'no way back on removal');
      // member length: 64 bytes stays packed, 65 does not
      await r.sadd('l', 'x'.repeat(64), ...Array.from({ length: 20 }, (_, i) => `m${i}`));
      assert.deepEqual(await firstScan('l'), ['0', 21]);
      await r.sadd('l', 'y'.repeat(65));
      assert.notEqual((await firstScan('l'))[0], '0');
      assert.equal(await r.sismember('l', 'y'.repeat(65)), 1);
      assert.equal(await r.scard('l'), 22);
      // an intset past set-max-intset-entries goes to a hashtable; a new key of more integers starts as a listpack
      await r.config('SET', 'set-max-intset-entries', '4');
      try {
        await r.sadd('i', '1', '2', '3', '4');
        assert.equal(await r.object('ENCODING', 'i'), 'intset');
        await r.sadd('i', '5');
        assert.equal(await r.object('ENCODING', 'i'), 'hashtable');
        assert.deepEqual((await r.smembers('i')).sort(), ['1', '2', '3', '4', '5']);
        await r.sadd('i2', '5', '1', '4', '2', '3');
        assert.equal(await r.object('ENCODING', 'i2'), 'listpack');
        assert.deepEqual(await r.smembers('i2'), ['5', '1', '4', '2', '3']);
      } finally {
        await r.config('SET', 'set-max-intset-entries', '512');
      }
      // an intset taking a non-integer member
      await r.sadd('c', '30', '-5', '9223372036854775807');
      await r.sadd('c', 'abc');
      assert.equal(await r.object('ENCODING', 'c'), 'listpack');
      assert.deepEqual(await r.smembers('c'), ['-5', '30', '9223372036854775807', 'abc']);
      // set-max-listpack-entries / -value
      await r.config('SET', 'set-max-listpack-entries', '3', 'set-max-listpack-value', '5');
      try {
        await r.sadd('lp', 'a', 'b', 'c');
        assert.equal(await r.object('ENCODING', 'lp'), 'listpack');
        await r.sadd('lp', 'd');
        assert.equal(await r.object('ENCODING', 'lp'), 'hashtable');
        await r.sadd('lv', 'abcde');
        assert.equal(await r.object('ENCODING', 'lv'), 'listpack');
        await r.sadd('lv', 'abcdef');
        assert.equal(await r.object('ENCODING', 'lv'), 'hashtable');
      } finally {
        await r.config('SET', 'set-max-listpack-entries', '128', 'set-max-listpack-value', '64');
      }
      assert.equal(await r.sismember('c', '9223372036854775807'), 1);
    } finally {
      r.disconnect();
    }
  });

  test('an intset again where Redis builds a fresh set: DEBUG RELOAD, RESTORE, stores, SMOVE, SPOP', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.sadd('h', 'a', '30', '-2', '9007199254740993');
      await r.srem('h', 'a');
      assert.equal(await r.object('ENCODING', 'h'), 'listpack');
      // the stores build a fresh set: an intset again
      await r.sunionstore('u', 'h');
      assert.equal(await r.object('ENCODING', 'u'), 'intset');
      assert.deepEqual(await r.smembers('u'), ['-2', '30', '9007199254740993']);
      await r.sinterstore('i', 'h', 'u');
      assert.equal(await r.object('ENCODING', 'i'), 'intset');
      await r.sadd('x', 'a', '30');
      await r.sdiffstore('d', 'h', 'x');
      assert.equal(await r.object('ENCODING', 'd'), 'intset');
      assert.deepEqual(await r.smembers('d'), ['-2', '9007199254740993']);
      await r.sdiffstore('d2', 'x', 'h');
      assert.equal(await r.object('ENCODING', 'd2'), 'listpack');
      // SMOVE creates its destination from the moved member
      await r.smove('x', 'fresh', '30');
      assert.equal(await r.object('ENCODING', 'fresh'), 'intset');
      await r.smove('x', 'fresh2', 'a');
      assert.equal(await r.object('ENCODING', 'fresh2'), 'listpack');
      // RESTORE: a plain set of integers loads as an intset
      const payload = await r.dumpBuffer('h');
      assert.equal(payload[0], 2, 'a listpack is dumped as RDB_TYPE_SET (RDB 10)');
      await r.restore('h2', 0, payload);
      assert.equal(await r.object('ENCODING', 'h2'), 'intset');
      assert.deepEqual(await r.smembers('h2'), ['-2', '30', '9007199254740993']);
      const ipayload = await r.dumpBuffer('u');
      assert.equal(ipayload[0], 11, 'an intset is dumped as RDB_TYPE_SET_INTSET');
      await r.config('SET', 'set-max-intset-entries', '2');
      try {
        await r.restore('u2', 0, ipayload);
        assert.equal(await r.object('ENCODING', 'u2'), 'hashtable', 'more members than set-max-intset-entries');
      } finally {
        await r.config('SET', 'set-max-intset-entries', '512');
      }
      await r.restore('u3', 0, ipayload);
      assert.equal(await r.object('ENCODING', 'u3'), 'intset');
      assert.deepEqual(await r.smembers('u3'), ['-2', '30', '9007199254740993']);
      // SPOP with a count of at least the size replies as a fresh union: ascending when all integers
      await r.sadd('q', 'a', '5', '-1', '3');
      await r.srem('q', 'a');
      assert.deepEqual(await r.spop('q', 10), ['-1', '3', '5']);
      // DEBUG RELOAD
      await r.sadd('k', 'a', '7', '1');
      await r.srem('k', 'a');
      await r.sadd('p', 'a', 'b');
      assert.equal(await r.call('DEBUG', 'RELOAD'), 'OK');
      assert.equal(await r.object('ENCODING', 'k'), 'intset');
      assert.deepEqual(await r.smembers('k'), ['1', '7']);
      assert.equal(await r.object('ENCODING', 'p'), 'listpack');
      assert.deepEqual(await r.smembers('p'), ['a', 'b']);
      assert.equal(await r.object('ENCODING', 'h'), 'intset');
    } finally {
      r.disconnect();
    }
  });

  test('SPOP and SRANDMEMBER: counts, replies and errors (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      const all = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
      await r.sadd('s', ...all);
      const one = await r.spop('s');
      assert.ok(all.includes(one as string));
      assert.equal(await r.sismember('s', one as string), 0);
      const three = (await r.spop('s', 3)) as string[];
      assert.equal(new Set(three).size, 3);
      assert.equal(await r.scard('s'), 6);
      // most of the set at once (the rebuild path), then the rest
      const five = (await r.spop('s', 5)) as string[];
      assert.equal(new Set(five).size, 5);
      const last = (await r.spop('s', 100)) as string[];
      assert.equal(last.length, 1);
      assert.deepEqual([one, ...three, ...five, ...last].sort(), all);
      assert.equal(await r.exists('s'), 0);
      assert.equal(await r.spop('s'), null);
      assert.deepEqual(await r.spop('s', 3), []);
      await r.sadd('s', 'x');
      assert.deepEqual(await r.spop('s', 0), []);
      assert.equal(await r.scard('s'), 1);
      await assert.rejects(r.spop('s', -1), /^ReplyError: ERR value is out of range, must be positive$/);
      await assert.rejects(r.call('SPOP', 's', 'abc'), /^ReplyError: ERR value is out of range, must be positive$/);
      await assert.rejects(r.call('SPOP', 's', '1', '2'), /^ReplyError: ERR syntax error$/);
      // SRANDMEMBER
      await r.del('s');
      await r.sadd('s', ...all);
      assert.ok(all.includes((await r.srandmember('s')) as string));
      assert.equal(await r.srandmember('nope'), null);
      assert.deepEqual(await r.srandmember('nope', 5), []);
      assert.deepEqual(await r.srandmember('s', 0), []);
      const picked = (await r.srandmember('s', 4)) as string[];
      assert.equal(new Set(picked).size, 4);
      const most = (await r.srandmember('s', 8)) as string[];
      assert.equal(new Set(most).size, 8);
      assert.deepEqual(sorted(await r.srandmember('s', 10)), all);
      assert.deepEqual(sorted(await r.srandmember('s', 1000)), all);
      const rep = (await r.srandmember('s', -50)) as string[];
      assert.equal(rep.length, 50);
      assert.ok(rep.every((m) => all.includes(m)));
      assert.equal(await r.scard('s'), 10, 'SRANDMEMBER does not remove');
      // uniform enough: every member shows up over many picks
      const hits = new Set<string>();
      for (let i = 0; i < 20 && hits.size < 10; i++) for (const m of (await r.srandmember('s', -20)) as string[]) hits.add(m);
      assert.equal(hits.size, 10);
      await assert.rejects(r.call('SRANDMEMBER', 's', '-9223372036854775808'), /^ReplyError: ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807$/);
      await assert.rejects(r.call('SRANDMEMBER', 's', '9223372036854775808'), /^ReplyError: ERR value is not an integer or out of range$/);
      await assert.rejects(r.call('SRANDMEMBER', 's', 'x'), /^ReplyError: ERR value is not an integer or out of range$/);
      await assert.rejects(r.call('SRANDMEMBER', 's', '1', '2'), /^ReplyError: ERR syntax error$/);
      await r.set('str', 'v');
      await assert.rejects(r.spop('str'), /WRONGTYPE/);
      await assert.rejects(r.spop('str', 2), /WRONGTYPE/);
      await assert.rejects(r.srandmember('str'), /WRONGTYPE/);
      await assert.rejects(r.srandmember('str', 2), /WRONGTYPE/);
    } finally {
      r.disconnect();
    }
  });

  test('SPOP with count keeps the TTL; the survivors make a fresh set: a listpack, an intset from an intset', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.config('SET', 'set-max-intset-entries', '4');
      try {
        await r.sadd('m', '1', '2', '3', '4');
        await r.sadd('m', '5', '6', '7', '8', '9', '10');
        assert.equal(await r.object('ENCODING', 'm'), 'hashtable');
        await r.expire('m', 1000);
        // 9 of 10 popped: the survivor is picked and the value rebuilt from it, a listpack (Redis's newset)
        assert.equal(((await r.spop('m', 9)) as string[]).length, 9);
        assert.equal(await r.scard('m'), 1);
        assert.equal(await r.object('ENCODING', 'm'), 'listpack');
        assert.ok((await r.ttl('m')) > 900);
        // a few popped: one by one, encoding kept
        await r.sadd('n', '1', '2', '3', '4');
        await r.sadd('n', '5', '6', '7', '8', '9', '10');
        await r.spop('n', 2);
        assert.equal(await r.object('ENCODING', 'n'), 'hashtable');
        // a listpack of integers stays a listpack, in its order
        await r.sadd('l', '10', '9', '8', '7', '6', '5');
        assert.equal(await r.object('ENCODING', 'l'), 'listpack');
        const popped = (await r.spop('l', 5)) as string[];
        assert.deepEqual(popped, ['10', '9', '8', '7', '6', '5'].filter((m) => popped.includes(m)), 'popped in the listpack\'s order');
        assert.equal(await r.object('ENCODING', 'l'), 'listpack');
      } finally {
        await r.config('SET', 'set-max-intset-entries', '512');
      }
      await r.sadd('i', '1', '2', '3', '4', '5', '6');
      await r.spop('i', 5);
      assert.equal(await r.object('ENCODING', 'i'), 'intset');
    } finally {
      r.disconnect();
    }
  });

  test('SMOVE within and across shards', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.sadd('src', '1', 'a', 'b');
      await r.sadd('dst', '2', '3');
      assert.equal(await r.smove('src', 'dst', 'a'), 1);
      assert.deepEqual(sorted(await r.smembers('src')), ['1', 'b']);
      assert.deepEqual(await r.smembers('dst'), ['2', '3', 'a']);
      assert.equal(await r.object('ENCODING', 'dst'), 'listpack');
      assert.equal(await r.smove('src', 'dst', 'zz'), 0);
      assert.equal(await r.smove('nope', 'dst', 'a'), 0);
      assert.equal(await r.smove('src', 'src', 'b'), 1);
      assert.equal(await r.smove('src', 'src', 'zz'), 0);
      // already in the destination: removed from the source only
      await r.sadd('dst', '1');
      assert.equal(await r.smove('src', 'dst', '1'), 1);
      assert.deepEqual(await r.smembers('src'), ['b']);
      // the last member leaves: the source goes, a new destination appears as an intset
      await r.sadd('ints', '7');
      assert.equal(await r.smove('ints', 'fresh', '7'), 1);
      assert.equal(await r.exists('ints'), 0);
      assert.equal(await r.object('ENCODING', 'fresh'), 'intset');
      // wrong types: a missing source wins over a wrong destination
      await r.set('str', 'v');
      assert.equal(await r.smove('nope', 'str', 'a'), 0);
      await assert.rejects(r.smove('str', 'dst', 'a'), /WRONGTYPE/);
      await assert.rejects(r.smove('src', 'str', 'b'), /WRONGTYPE/);
      assert.equal(await r.sismember('src', 'b'), 1, 'nothing moved on error');
      await assert.rejects(r.call('SMOVE', 'a', 'b'), /wrong number of arguments for 'smove' command/);
      // many keys, so with 4 shards most pairs cross shards
      for (let i = 0; i < 20; i++) {
        await r.sadd(`from:${i}`, 'm');
        assert.equal(await r.smove(`from:${i}`, `to:${i}`, 'm'), 1);
        assert.equal(await r.exists(`from:${i}`), 0);
        assert.deepEqual(await r.smembers(`to:${i}`), ['m']);
      }
    } finally {
      r.disconnect();
    }
  });

  test('SINTER SUNION SDIFF and SINTERCARD across shards (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.sadd('a', '1', '2', '3', '4', 'x');
      await r.sadd('b', '2', '3', '4', '5', 'x');
      await r.sadd('c', '3', '4', 'x', 'y');
      assert.deepEqual(sorted(await r.sinter('a', 'b', 'c')), ['3', '4', 'x']);
      assert.deepEqual(sorted(await r.sinter('a')), ['1', '2', '3', '4', 'x']);
      assert.deepEqual(await r.sinter('a', 'nope'), []);
      assert.deepEqual(sorted(await r.sinter('a', 'a')), ['1', '2', '3', '4', 'x']);
      assert.deepEqual(sorted(await r.sunion('a', 'b', 'c', 'nope')), ['1', '2', '3', '4', '5', 'x', 'y']);
      assert.deepEqual(await r.sunion('nope'), []);
      assert.deepEqual(sorted(await r.sdiff('a', 'b')), ['1']);
      assert.deepEqual(sorted(await r.sdiff('b', 'a', 'c')), ['5']);
      assert.deepEqual(sorted(await r.sdiff('a', 'nope')), ['1', '2', '3', '4', 'x']);
      assert.deepEqual(await r.sdiff('nope', 'a'), []);
      assert.deepEqual(await r.sdiff('a', 'a'), []);
      await r.sadd('i1', '5', '1', '3');
      await r.sadd('i2', '3', '1', '9');
      assert.deepEqual(await r.sinter('i1', 'i2'), ['1', '3'], 'intsets intersect in ascending order');
      assert.deepEqual(await r.sunion('i1', 'i2'), ['1', '3', '5', '9']);
      assert.deepEqual(await r.sdiff('i1', 'i2'), ['5']);
      assert.equal(await r.sintercard(3, 'a', 'b', 'c'), 3);
      assert.equal(await r.call('SINTERCARD', '3', 'a', 'b', 'c', 'LIMIT', '2'), 2);
      assert.equal(await r.call('SINTERCARD', '3', 'a', 'b', 'c', 'limit', '0'), 3);
      assert.equal(await r.call('SINTERCARD', '2', 'a', 'nope'), 0);
      await assert.rejects(r.call('SINTERCARD', '0', 'a'), /^ReplyError: ERR numkeys should be greater than 0$/);
      await assert.rejects(r.call('SINTERCARD', 'x', 'a'), /^ReplyError: ERR numkeys should be greater than 0$/);
      await assert.rejects(r.call('SINTERCARD', '3', 'a', 'b'), /^ReplyError: ERR Number of keys can't be greater than number of args$/);
      await assert.rejects(r.call('SINTERCARD', '1', 'a', 'LIMIT', '-1'), /^ReplyError: ERR LIMIT can't be negative$/);
      await assert.rejects(r.call('SINTERCARD', '1', 'a', 'LIMIT'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('SINTERCARD', '1', 'a', 'b'), /^ReplyError: ERR syntax error$/);
      await r.set('str', 'v');
      await assert.rejects(r.sinter('a', 'str'), /WRONGTYPE/);
      await assert.rejects(r.sinter('nope', 'str'), /WRONGTYPE/, 'every key is type-checked even after a missing one');
      await assert.rejects(r.sunion('str', 'a'), /WRONGTYPE/);
      await assert.rejects(r.sdiff('nope', 'str'), /WRONGTYPE/);
      await assert.rejects(r.call('SINTERCARD', '2', 'a', 'str'), /WRONGTYPE/);
      await assert.rejects(r.call('SINTER'), /wrong number of arguments for 'sinter' command/);
    } finally {
      r.disconnect();
    }
  });

  test('SINTERSTORE SUNIONSTORE SDIFFSTORE overwrite or delete the destination', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.sadd('a', '1', '2', '3');
      await r.sadd('b', '2', '3', '4');
      assert.equal(await r.sinterstore('d', 'a', 'b'), 2);
      assert.deepEqual(await r.smembers('d'), ['2', '3']);
      assert.equal(await r.object('ENCODING', 'd'), 'intset');
      assert.equal(await r.sunionstore('d', 'a', 'b'), 4);
      assert.deepEqual(await r.smembers('d'), ['1', '2', '3', '4']);
      assert.equal(await r.sdiffstore('d', 'a', 'b'), 1);
      assert.deepEqual(await r.smembers('d'), ['1']);
      // destination among the sources
      assert.equal(await r.sunionstore('a', 'a', 'b'), 4);
      assert.deepEqual(await r.smembers('a'), ['1', '2', '3', '4']);
      // any type is overwritten, the TTL is dropped
      await r.set('dst', 'string', 'EX', 100);
      assert.equal(await r.sunionstore('dst', 'b'), 3);
      assert.equal(await r.type('dst'), 'set');
      assert.equal(await r.ttl('dst'), -1);
      // an empty result deletes the destination (whatever it held)
      await r.set('dst', 'string');
      assert.equal(await r.sinterstore('dst', 'a', 'nope'), 0);
      assert.equal(await r.exists('dst'), 0);
      await r.lpush('dst', 'x');
      assert.equal(await r.sdiffstore('dst', 'a', 'a'), 0);
      assert.equal(await r.exists('dst'), 0);
      await r.sadd('dst', 'x');
      assert.equal(await r.sunionstore('dst', 'nope'), 0);
      assert.equal(await r.exists('dst'), 0);
      await r.sadd('dst', 'x');
      await r.sadd('z', 'q');
      assert.equal(await r.sinterstore('dst', 'a', 'z'), 0, 'sets without common members');
      assert.equal(await r.exists('dst'), 0);
      // a small result with a non-integer is a listpack
      await r.sadd('words', 'p', 'q');
      assert.equal(await r.sunionstore('dst', 'words', 'a'), 6);
      assert.equal(await r.object('ENCODING', 'dst'), 'listpack');
      // wrong source type: error, destination untouched
      await r.set('str', 'v');
      await assert.rejects(r.sinterstore('dst', 'a', 'str'), /WRONGTYPE/);
      await assert.rejects(r.sunionstore('dst', 'str'), /WRONGTYPE/);
      await assert.rejects(r.sdiffstore('dst', 'nope', 'str'), /WRONGTYPE/);
      assert.equal(await r.scard('dst'), 6);
      await assert.rejects(r.call('SINTERSTORE', 'dst'), /wrong number of arguments for 'sinterstore' command/);
      // with 4 shards, sources and destinations on different shards
      for (let i = 0; i < 10; i++) await r.sadd(`k${i}`, 'common', `only${i}`);
      const keys = Array.from({ length: 10 }, (_, i) => `k${i}`);
      assert.equal(await r.sinterstore('out', ...keys), 1);
      assert.equal(await r.sunionstore('out2', ...keys), 11);
      assert.equal(await r.sdiffstore('out3', ...keys), 1);
      assert.deepEqual(await r.smembers('out3'), ['only0']);
    } finally {
      r.disconnect();
    }
  });

  test('SSCAN: whole intsets, cursors over hashtables, MATCH, COUNT, errors', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.sadd('i', ...Array.from({ length: 300 }, (_, i) => String(i)));
      const [cur, items] = await r.sscan('i', 0, 'COUNT', 5);
      assert.equal(cur, '0');
      assert.equal(items.length, 300);
      assert.deepEqual((await r.sscan('i', 0, 'MATCH', '1?'))[1], ['10', '11', '12', '13', '14', '15', '16', '17', '18', '19']);
      const members = Array.from({ length: 1000 }, (_, i) => `m:${i}`);
      await r.sadd('h', ...members);
      const seen = new Set<string>();
      let c = '0';
      let calls = 0;
      do {
        const [next, got] = await r.sscan('h', c, 'COUNT', 100);
        for (const m of got) seen.add(m);
        c = next;
        calls++;
        // members added and removed meanwhile do not break the iteration
        if (calls === 2) {
          await r.sadd('h', 'late');
          await r.srem('h', 'm:999');
        }
      } while (c !== '0');
      assert.ok(calls >= 10);
      for (const m of members.slice(0, 999)) assert.ok(seen.has(m), m);
      // MATCH
      const matched: string[] = [];
      c = '0';
      do {
        const [next, got] = await r.sscan('h', c, 'MATCH', 'm:1?', 'COUNT', 50);
        matched.push(...got);
        c = next;
      } while (c !== '0');
      assert.deepEqual(matched.sort(), Array.from({ length: 10 }, (_, i) => `m:1${i}`).sort());
      assert.deepEqual(await r.sscan('nope', 0), ['0', []]);
      assert.deepEqual(await r.call('SSCAN', 'nope', '0', 'BAD'), ['0', []], 'a missing key wins over bad options');
      await assert.rejects(r.call('SSCAN', 'nope', 'x'), /^ReplyError: ERR invalid cursor$/);
      await assert.rejects(r.call('SSCAN', 'i', ' 1'), /^ReplyError: ERR invalid cursor$/);
      assert.equal((await r.call('SSCAN', 'i', '-1') as [string, string[]])[1].length, 300, 'strtoul: a negative cursor wraps');
      await assert.rejects(r.call('SSCAN', 'i', '0', 'COUNT', '0'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('SSCAN', 'i', '0', 'COUNT', 'x'), /^ReplyError: ERR value is not an integer or out of range$/);
      await assert.rejects(r.call('SSCAN', 'i', '0', 'MATCH'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('SSCAN', 'i', '0', 'TYPE', 'set'), /^ReplyError: ERR syntax error$/);
      await r.set('str', 'v');
      await assert.rejects(r.call('SSCAN', 'str', '0'), /WRONGTYPE/);
      await assert.rejects(r.call('SSCAN', 'str', 'x'), /invalid cursor/);
    } finally {
      r.disconnect();
    }
  });

  test('node-redis over RESP3', async () => {
    const c = await nodeRedis(fx().port, 3);
    try {
      await c.flushAll();
      assert.equal(await c.sAdd('s1', ['1', '2', '3']), 3);
      assert.equal(await c.sAdd('s2', ['2', '3', 'x']), 3);
      assert.deepEqual(sorted(await c.sMembers('s1')), ['1', '2', '3']);
      assert.equal(await c.sIsMember('s1', '2'), 1);
      assert.deepEqual(await c.smIsMember('s1', ['1', '9']), [1, 0]);
      assert.equal(await c.sCard('s1'), 3);
      assert.deepEqual(sorted(await c.sInter(['s1', 's2'])), ['2', '3']);
      assert.deepEqual(sorted(await c.sUnion(['s1', 's2'])), ['1', '2', '3', 'x']);
      assert.deepEqual(sorted(await c.sDiff(['s2', 's1'])), ['x']);
      assert.equal(await c.sInterCard(['s1', 's2'], { LIMIT: 1 }), 1);
      assert.equal(await c.sInterStore('d', ['s1', 's2']), 2);
      assert.equal(await c.sUnionStore('d', ['s1', 's2']), 4);
      assert.equal(await c.sDiffStore('d', ['s1', 's2']), 1);
      assert.equal(await c.sMove('s1', 's3', '1'), 1);
      assert.equal(await c.sRem('s3', ['1']), 1);
      const p = await c.sPopCount('s2', 2);
      assert.equal(p.length, 2);
      assert.equal(await c.sCard('s2'), 1);
      assert.equal(await c.sPop('nope'), null);
      assert.equal((await c.sRandMemberCount('s1', -5)).length, 5);
      const scan = await c.sScan('s1', '0');
      assert.equal(scan.cursor, '0');
      assert.deepEqual(scan.members, ['2', '3']);
      await c.set('str', 'v');
      await assert.rejects(c.sAdd('str', 'a'), /WRONGTYPE/);
    } finally {
      c.destroy();
    }
  });

  test('exact replies in RESP2 and RESP3 (raw client)', async () => {
    const c = await RespClient.connect(fx().port);
    try {
      await c.call('FLUSHALL');
      await c.call('SADD', 'i', '3', '1', '2');
      assert.equal(await c.callRaw('SMEMBERS', 'i'), '*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
      assert.equal(await c.callRaw('SMEMBERS', 'nope'), '*0\r\n');
      assert.equal(await c.callRaw('SPOP', 'nope'), '$-1\r\n');
      assert.equal(await c.callRaw('SPOP', 'nope', '2'), '*0\r\n');
      assert.equal(await c.callRaw('SRANDMEMBER', 'nope'), '$-1\r\n');
      assert.equal(await c.callRaw('SSCAN', 'i', '0'), '*2\r\n$1\r\n0\r\n*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
      await c.call('HELLO', '3');
      assert.equal(await c.callRaw('SMEMBERS', 'i'), '~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
      assert.equal(await c.callRaw('SMEMBERS', 'nope'), '~0\r\n');
      assert.equal(await c.callRaw('SINTER', 'i', 'nope'), '~0\r\n');
      assert.equal(await c.callRaw('SINTER', 'i', 'i'), '~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
      assert.equal(await c.callRaw('SUNION', 'i', 'nope'), '~3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
      assert.equal(await c.callRaw('SDIFF', 'nope', 'i'), '~0\r\n');
      assert.equal(await c.callRaw('SPOP', 'nope'), '_\r\n');
      assert.equal(await c.callRaw('SPOP', 'nope', '2'), '~0\r\n');
      assert.equal(await c.callRaw('SPOP', 'i', '0'), '~0\r\n');
      assert.equal(await c.callRaw('SRANDMEMBER', 'nope'), '_\r\n');
      assert.equal(await c.callRaw('SRANDMEMBER', 'nope', '2'), '*0\r\n');
      assert.equal(await c.callRaw('SRANDMEMBER', 'i', '5'), '*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n');
      assert.match(await c.callRaw('SRANDMEMBER', 'i', '-2'), /^\*2\r\n\$1\r\n[123]\r\n\$1\r\n[123]\r\n$/);
      assert.match(await c.callRaw('SPOP', 'i', '1'), /^~1\r\n\$1\r\n[123]\r\n$/);
      assert.match(await c.callRaw('SPOP', 'i', '5'), /^~2\r\n\$1\r\n[123]\r\n\$1\r\n[123]\r\n$/);
      assert.equal(await c.callRaw('EXISTS', 'i'), ':0\r\n');
      assert.equal(await c.callRaw('SMISMEMBER', 'nope', 'a'), '*1\r\n:0\r\n');
    } finally {
      c.close();
    }
  });

  test('keyspace events', async () => {
    const f = fx();
    const c = await f.client();
    await c.call('FLUSHALL');
    const ev = async (...cmd: string[]): Promise<string[]> => keyEvents(f, async () => void (await c.call(...cmd)));
    assert.deepEqual(await ev('SADD', 's', 'a', 'b'), ['sadd:s']);
    assert.deepEqual(await ev('SADD', 's', 'a'), []);
    assert.deepEqual(await ev('SREM', 's', 'zz'), []);
    assert.deepEqual(await ev('SREM', 's', 'a'), ['srem:s']);
    assert.deepEqual(await ev('SREM', 's', 'b'), ['srem:s', 'del:s']);
    await c.call('SADD', 's', 'a', 'b', 'c');
    assert.deepEqual(await ev('SPOP', 's'), ['spop:s']);
    assert.deepEqual(await ev('SPOP', 's', '1'), ['spop:s']);
    assert.deepEqual(await ev('SPOP', 's', '0'), []);
    assert.deepEqual(await ev('SPOP', 's', '5'), ['spop:s', 'del:s']);
    await c.call('SADD', 's', 'a');
    assert.deepEqual(await ev('SPOP', 's'), ['spop:s', 'del:s']);
    await c.call('SADD', 's', 'a', 'b');
    await c.call('SADD', 't', 'b');
    assert.deepEqual(await ev('SMOVE', 's', 't', 'b'), ['srem:s']);
    assert.deepEqual(await ev('SMOVE', 's', 't', 'a'), ['srem:s', 'del:s', 'sadd:t']);
    assert.deepEqual(await ev('SMOVE', 's', 't', 'a'), []);
    await c.call('SADD', 'u', 'a', 'q');
    assert.deepEqual(await ev('SINTERSTORE', 'd', 't', 'u'), ['sinterstore:d']);
    assert.deepEqual(await ev('SUNIONSTORE', 'd', 't', 'u'), ['sunionstore:d']);
    assert.deepEqual(await ev('SDIFFSTORE', 'd', 't', 'u'), ['sdiffstore:d']);
    assert.deepEqual(await ev('SDIFFSTORE', 'd', 't', 't'), ['del:d']);
    assert.deepEqual(await ev('SDIFFSTORE', 'd', 't', 't'), []);
    assert.deepEqual(await ev('SINTER', 't', 'u'), []);
  });

  test('SPOP reaches replicas as SREM / DEL', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const repl = await RespClient.connect(fx().port);
    try {
      repl.writeRaw('SYNC\r\n');
      await new Promise((r) => setTimeout(r, 100));
      repl.pending();
      await c.call('SADD', 'pop', 'only');
      await c.call('SPOP', 'pop');
      await c.call('SADD', 'pop', 'a', 'b', 'c', 'd');
      const two = (await c.call('SPOP', 'pop', '2')) as string[];
      await c.call('SPOP', 'pop', '10');
      await c.call('SPOP', 'pop', '10');
      await new Promise((r) => setTimeout(r, 100));
      const stream = repl.pending();
      assert.ok(stream.includes('*3\r\n$4\r\nSREM\r\n$3\r\npop\r\n$4\r\nonly\r\n'), stream);
      assert.ok(stream.includes(`*4\r\n$4\r\nSREM\r\n$3\r\npop\r\n$1\r\n${two[0]}\r\n$1\r\n${two[1]}\r\n`), stream);
      assert.ok(stream.includes('*2\r\n$3\r\nDEL\r\n$3\r\npop\r\n'), stream);
      assert.ok(!stream.includes('SPOP'), 'SPOP itself is not sent');
    } finally {
      repl.close();
    }
  });
});
