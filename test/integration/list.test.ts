/**
 * The list family over TCP with ioredis (RESP2), node-redis (RESP3) and a
 * raw RESP client (exact bytes), with 1 and 4 shards. Blocking commands
 * are in blocking.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchKeyEvents } from '../helpers/keyspace.ts';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { ReplyError, type Reply } from '../helpers/resp-client.ts';

function errMsg(r: Reply): string {
  assert.ok(r instanceof ReplyError, `expected an error, got ${JSON.stringify(r)}`);
  return r.message;
}

const WRONGTYPE = /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value/;

describeServer('list family', (fx) => {
  test('pushes, pops, LLEN and types (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      assert.equal(await r.rpush('l', 'a', 'b', 'c'), 3);
      assert.equal(await r.lpush('l', 'y', 'z'), 5);
      assert.deepEqual(await r.lrange('l', 0, -1), ['z', 'y', 'a', 'b', 'c']);
      assert.equal(await r.lpushx('l', 'x'), 6);
      assert.equal(await r.rpushx('l', 'd', 'e'), 8);
      assert.equal(await r.lpushx('nokey', 'x'), 0);
      assert.equal(await r.rpushx('nokey', 'x'), 0);
      assert.equal(await r.exists('nokey'), 0);
      assert.equal(await r.llen('l'), 8);
      assert.equal(await r.llen('nokey'), 0);
      assert.equal(await r.type('l'), 'list');
      assert.equal(await r.object('ENCODING', 'l'), 'quicklist');
      assert.equal(await r.lpop('l'), 'x');
      assert.equal(await r.rpop('l'), 'e');
      assert.deepEqual(await r.lpop('l', 2), ['z', 'y']);
      assert.deepEqual(await r.rpop('l', 2), ['d', 'c']);
      assert.deepEqual(await r.lpop('l', 0), []);
      assert.deepEqual(await r.rpop('l', 10), ['b', 'a']);
      assert.equal(await r.exists('l'), 0);
      assert.equal(await r.lpop('l'), null);
      assert.equal(await r.lpop('l', 2), null);
      await assert.rejects(r.lpop('l', -1), /ERR value is out of range, must be positive/);
      await assert.rejects(r.call('LPOP', 'l', '1', '2'), /ERR wrong number of arguments for 'lpop' command/);
      await assert.rejects(r.call('RPUSH', 'l'), /ERR wrong number of arguments for 'rpush' command/);
      await r.set('s', 'v');
      await assert.rejects(r.lpush('s', 'a'), WRONGTYPE);
      await assert.rejects(r.rpushx('s', 'a'), WRONGTYPE);
      await assert.rejects(r.lpop('s'), WRONGTYPE);
      await assert.rejects(r.llen('s'), WRONGTYPE);
      // binary-safe elements
      const bin = Buffer.from([0, 255, 13, 10, 128]);
      await r.rpush('b', bin);
      assert.deepEqual(await r.lrangeBuffer('b', 0, -1), [bin]);
    } finally {
      r.disconnect();
    }
  });

  test('LRANGE, LINDEX, LSET, LINSERT, LREM, LTRIM, LPOS (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.rpush('l', ...'0123456789'.split(''));
      assert.deepEqual(await r.lrange('l', -3, -1), ['7', '8', '9']);
      assert.deepEqual(await r.lrange('l', 8, 100), ['8', '9']);
      assert.deepEqual(await r.lrange('l', 5, 2), []);
      assert.deepEqual(await r.lrange('l', -100, 1), ['0', '1']);
      assert.deepEqual(await r.lrange('nokey', 0, -1), []);
      await assert.rejects(r.call('LRANGE', 'l', 'x', '1'), /ERR value is not an integer or out of range/);
      assert.equal(await r.lindex('l', 0), '0');
      assert.equal(await r.lindex('l', -1), '9');
      assert.equal(await r.lindex('l', 10), null);
      assert.equal(await r.lindex('nokey', 0), null);
      assert.equal(await r.lset('l', -1, 'nine'), 'OK');
      assert.equal(await r.lindex('l', 9), 'nine');
      await assert.rejects(r.lset('l', 10, 'x'), /ERR index out of range/);
      await assert.rejects(r.lset('nokey', 0, 'x'), /ERR no such key/);
      assert.equal(await r.linsert('l', 'BEFORE', '5', 'x'), 11);
      assert.equal(await r.linsert('l', 'AFTER', '5', 'y'), 12);
      assert.equal(await r.linsert('l', 'AFTER', 'nope', 'y'), -1);
      assert.equal(await r.linsert('nokey', 'AFTER', '1', 'y'), 0);
      await assert.rejects(r.call('LINSERT', 'l', 'MIDDLE', '1', 'y'), /ERR syntax error/);
      assert.deepEqual(await r.lrange('l', 4, 7), ['4', 'x', '5', 'y']);
      await r.rpush('l', 'x', 'x');
      assert.equal(await r.lrem('l', -1, 'x'), 1);
      assert.equal(await r.lrem('l', 0, 'x'), 2);
      assert.equal(await r.lrem('l', 1, 'zzz'), 0);
      assert.equal(await r.lrem('nokey', 1, 'x'), 0);
      assert.equal(await r.ltrim('l', 1, -2), 'OK');
      assert.deepEqual(await r.lrange('l', 0, -1), ['1', '2', '3', '4', '5', 'y', '6', '7', '8']);
      assert.equal(await r.ltrim('nokey', 0, 1), 'OK');
      await r.rpush('p', 'a', 'b', 'a', 'c', 'a');
      assert.equal(await r.lpos('p', 'a'), 0);
      assert.equal(await r.lpos('p', 'a', 'RANK', -1), 4);
      assert.equal(await r.lpos('p', 'a', 'RANK', 2), 2);
      assert.deepEqual(await r.lpos('p', 'a', 'COUNT', 0), [0, 2, 4]);
      assert.deepEqual(await r.lpos('p', 'a', 'RANK', -1, 'COUNT', 2), [4, 2]);
      assert.deepEqual(await r.lpos('p', 'a', 'COUNT', 0, 'MAXLEN', 3), [0, 2]);
      assert.equal(await r.lpos('p', 'zz'), null);
      assert.deepEqual(await r.lpos('nokey', 'a', 'COUNT', 1), []);
      await assert.rejects(r.lpos('p', 'a', 'RANK', 0), /ERR RANK can't be zero/);
      await assert.rejects(r.lpos('p', 'a', 'COUNT', -1), /ERR COUNT can't be negative/);
      await assert.rejects(r.lpos('p', 'a', 'MAXLEN', -1), /ERR MAXLEN can't be negative/);
      await assert.rejects(r.call('LPOS', 'p', 'a', 'BOGUS', '1'), /ERR syntax error/);
      assert.equal(await r.ltrim('p', 2, 1), 'OK');
      assert.equal(await r.exists('p'), 0);
      await r.set('s', 'v');
      await assert.rejects(r.lrange('s', 0, -1), WRONGTYPE);
      await assert.rejects(r.lindex('s', 0), WRONGTYPE);
      await assert.rejects(r.lset('s', 0, 'x'), WRONGTYPE);
      await assert.rejects(r.linsert('s', 'BEFORE', 'a', 'b'), WRONGTYPE);
      await assert.rejects(r.lrem('s', 0, 'a'), WRONGTYPE);
      await assert.rejects(r.ltrim('s', 0, 1), WRONGTYPE);
      await assert.rejects(r.lpos('s', 'a'), WRONGTYPE);
    } finally {
      r.disconnect();
    }
  });

  test('LMOVE, RPOPLPUSH and LMPOP across shards (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      // these keys hash to different slots, so to different shards when shards=4
      await r.rpush('src', '1', '2', '3');
      assert.equal(await r.lmove('src', 'dst', 'RIGHT', 'LEFT'), '3');
      assert.equal(await r.lmove('src', 'dst', 'LEFT', 'RIGHT'), '1');
      assert.equal(await r.rpoplpush('src', 'dst'), '2');
      assert.equal(await r.exists('src'), 0);
      assert.deepEqual(await r.lrange('dst', 0, -1), ['2', '3', '1']);
      assert.equal(await r.lmove('src', 'dst', 'LEFT', 'LEFT'), null);
      assert.equal(await r.rpoplpush('dst', 'dst'), '1');
      assert.deepEqual(await r.lrange('dst', 0, -1), ['1', '2', '3']);
      await assert.rejects(r.call('LMOVE', 'dst', 'x', 'UP', 'LEFT'), /ERR syntax error/);
      await r.set('s', 'v');
      await assert.rejects(r.lmove('dst', 's', 'LEFT', 'LEFT'), WRONGTYPE);
      await assert.rejects(r.rpoplpush('s', 'dst'), WRONGTYPE);
      assert.equal(await r.lmove('nokey', 's', 'LEFT', 'LEFT'), null);
      assert.deepEqual(await r.lrange('dst', 0, -1), ['1', '2', '3']);
      await r.rpush('other', 'a', 'b');
      assert.deepEqual(await r.lmpop(3, 'nokey', 'other', 'dst', 'LEFT'), ['other', ['a']]);
      assert.deepEqual(await r.lmpop(2, 'other', 'dst', 'RIGHT', 'COUNT', 10), ['other', ['b']]);
      assert.deepEqual(await r.lmpop(2, 'other', 'dst', 'RIGHT', 'COUNT', 2), ['dst', ['3', '2']]);
      assert.equal(await r.lmpop(1, 'nokey', 'LEFT'), null);
      await assert.rejects(r.call('LMPOP', '0', 'dst', 'LEFT'), /ERR numkeys should be greater than 0/);
      await assert.rejects(r.call('LMPOP', '1', 'dst', 'LEFT', 'COUNT', '0'), /ERR count should be greater than 0/);
      await assert.rejects(r.call('LMPOP', '3', 'dst', 'LEFT'), /ERR syntax error/);
      await assert.rejects(r.call('LMPOP', '2', 's', 'dst', 'LEFT'), WRONGTYPE);
      assert.deepEqual(await r.call('COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT'), ['a', 'b']);
    } finally {
      r.disconnect();
    }
  });

  test('every command through node-redis over RESP3', async () => {
    const c = await nodeRedis(fx().port, 3);
    try {
      await c.flushAll();
      assert.equal(await c.rPush('l', ['a', 'b', 'c', 'd']), 4);
      assert.equal(await c.lPush('l', 'z'), 5);
      assert.equal(await c.lPushX('l', 'y'), 6);
      assert.equal(await c.rPushX('nokey', 'y'), 0);
      assert.equal(await c.lLen('l'), 6);
      assert.deepEqual(await c.lRange('l', 0, -1), ['y', 'z', 'a', 'b', 'c', 'd']);
      assert.equal(await c.lIndex('l', 2), 'a');
      assert.equal(await c.lIndex('l', 99), null);
      assert.equal(await c.lSet('l', 0, 'Y'), 'OK');
      assert.equal(await c.lInsert('l', 'AFTER', 'a', 'a2'), 7);
      assert.equal(await c.lRem('l', 0, 'a2'), 1);
      assert.equal(await c.lPos('l', 'c'), 4);
      assert.deepEqual(await c.lPosCount('l', 'c', 0), [4]);
      assert.equal(await c.lPop('l'), 'Y');
      assert.equal(await c.rPop('l'), 'd');
      assert.deepEqual(await c.lPopCount('l', 2), ['z', 'a']);
      assert.equal(await c.lPopCount('nokey', 2), null);
      assert.deepEqual(await c.rPopCount('l', 0), []);
      assert.equal(await c.lTrim('l', 0, 0), 'OK');
      assert.deepEqual(await c.lRange('l', 0, -1), ['b']);
      assert.equal(await c.lMove('l', 'm', 'LEFT', 'RIGHT'), 'b');
      assert.equal(await c.lMove('l', 'm', 'LEFT', 'RIGHT'), null);
      assert.equal(await c.rPopLPush('m', 'l'), 'b');
      assert.deepEqual(await c.lmPop(['nokey', 'l'], 'LEFT'), ['l', ['b']]);
      assert.equal(await c.lmPop('l', 'LEFT'), null);
      await c.rPush('q', ['1', '2']);
      assert.deepEqual(await c.blPop('q', 0), { key: 'q', element: '1' });
      assert.deepEqual(await c.brPop(['nokey', 'q'], 0), { key: 'q', element: '2' });
      await c.rPush('q', ['3', '4', '5']);
      assert.equal(await c.blMove('q', 'r', 'RIGHT', 'LEFT', 0), '5');
      assert.equal(await c.brPopLPush('q', 'r', 0), '4');
      assert.deepEqual(await c.blmPop(0, ['q', 'r'], 'RIGHT', { COUNT: 5 }), ['q', ['3']]);
      assert.equal(await c.blPop('empty', 0.01), null);
      await assert.rejects(c.lSet('nokey', 0, 'x'), /ERR no such key/);
    } finally {
      c.destroy();
    }
  });

  test('exact bytes: RESP2 and RESP3 nulls, empty arrays and errors (raw client)', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    assert.equal(await c.callRaw('LPOP', 'nokey'), '$-1\r\n');
    assert.equal(await c.callRaw('LPOP', 'nokey', '1'), '*-1\r\n');
    assert.equal(await c.callRaw('LPOP', 'nokey', '0'), '*-1\r\n');
    assert.equal(await c.callRaw('LMPOP', '1', 'nokey', 'LEFT'), '*-1\r\n');
    assert.equal(await c.callRaw('LINDEX', 'nokey', '0'), '$-1\r\n');
    assert.equal(await c.callRaw('LPOS', 'nokey', 'a'), '$-1\r\n');
    assert.equal(await c.callRaw('LPOS', 'nokey', 'a', 'COUNT', '1'), '*0\r\n');
    assert.equal(await c.callRaw('LMOVE', 'nokey', 'x', 'LEFT', 'LEFT'), '$-1\r\n');
    assert.equal(await c.callRaw('RPUSH', 'l', 'a', 'b'), ':2\r\n');
    assert.equal(await c.callRaw('LPOP', 'l', '0'), '*0\r\n');
    assert.equal(await c.callRaw('RPOP', 'l', '5'), '*2\r\n$1\r\nb\r\n$1\r\na\r\n');
    assert.equal(await c.callRaw('LPOP', 'l', 'x'), '-ERR value is out of range, must be positive\r\n');
    // the key is looked up before the index is parsed
    assert.equal(await c.callRaw('LINDEX', 'nokey', 'x'), '$-1\r\n');
    await c.call('HELLO', '3');
    assert.equal(await c.callRaw('LPOP', 'nokey'), '_\r\n');
    assert.equal(await c.callRaw('LPOP', 'nokey', '2'), '_\r\n');
    assert.equal(await c.callRaw('LMPOP', '1', 'nokey', 'LEFT'), '_\r\n');
    assert.equal(await c.callRaw('LINDEX', 'nokey', '0'), '_\r\n');
    assert.equal(await c.callRaw('BLPOP', 'nokey', '0.01'), '_\r\n');
    assert.equal(await c.callRaw('RPUSH', 'l', 'x'), ':1\r\n');
    assert.equal(await c.callRaw('LMPOP', '1', 'l', 'LEFT'), '*2\r\n$1\r\nl\r\n*1\r\n$1\r\nx\r\n');
    assert.equal(await c.callRaw('SET', 's', 'v'), '+OK\r\n');
    assert.equal(errMsg(await c.call('LPUSH', 's', 'x')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
    assert.equal(errMsg(await c.call('LSET', 's', 'x', 'y')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
    assert.equal(errMsg(await c.call('LSET', 'nokey', 'x', 'y')), 'ERR no such key');
    assert.equal(await c.callRaw('LINDEX', 'nokey', 'x'), '_\r\n');
  });

  test('empty lists are deleted and keep their TTL only while they exist', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.rpush('l', 'a', 'b', 'c');
      await r.expire('l', 100);
      await r.lpush('l', 'z');
      await r.lrem('l', 1, 'b');
      await r.linsert('l', 'BEFORE', 'c', 'x');
      await r.lset('l', 0, 'Z');
      assert.ok((await r.ttl('l')) > 90);
      await r.ltrim('l', 5, 10);
      assert.equal(await r.exists('l'), 0);
      await r.rpush('l', 'new');
      assert.equal(await r.ttl('l'), -1);
      await r.rpush('m', 'a');
      assert.equal(await r.lrem('m', 0, 'a'), 1);
      assert.equal(await r.exists('m'), 0);
      await r.rpush('m', 'a');
      assert.deepEqual(await r.lmpop(1, 'm', 'LEFT'), ['m', ['a']]);
      assert.equal(await r.exists('m'), 0);
      assert.equal(await r.dbsize(), 1);
    } finally {
      r.disconnect();
    }
  });

  test('long lists: pushes and pops at both ends, ranges, edits in the middle', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      const model: string[] = [];
      for (let i = 0; i < 50; i++) {
        const batch = Array.from({ length: 40 }, (_, k) => `v${i}-${k}`);
        if (i % 2) {
          await r.rpush('big', ...batch);
          model.push(...batch);
        } else {
          await r.lpush('big', ...batch);
          model.unshift(...batch.reverse());
        }
      }
      assert.equal(await r.llen('big'), 2000);
      assert.deepEqual(await r.lrange('big', 0, -1), model);
      assert.deepEqual(await r.lpop('big', 700), model.splice(0, 700));
      assert.deepEqual(await r.rpop('big', 300), model.splice(-300).reverse());
      assert.equal(await r.linsert('big', 'AFTER', model[500]!, 'mid'), 1001);
      model.splice(501, 0, 'mid');
      assert.equal(await r.lindex('big', 501), 'mid');
      assert.equal(await r.lpos('big', 'mid'), 501);
      assert.deepEqual(await r.lrange('big', 490, 510), model.slice(490, 511));
      assert.equal(await r.ltrim('big', 100, -101), 'OK');
      assert.deepEqual(await r.lrange('big', 0, -1), model.slice(100, -100));
    } finally {
      r.disconnect();
    }
  });

  test('one node or many, under several list-max-listpack-size values: the same replies, still "quicklist"', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    try {
      for (const fill of ['-2', '-1', '-5', '1', '3', '0']) {
        await c.call('CONFIG', 'SET', 'list-max-listpack-size', fill);
        const model: string[] = [];
        // short elements, elements past 127 bytes (two-byte lengths) and elements larger than a node
        const el = (i: number): string => (i % 50 === 7 ? 'L'.repeat(9000 + i) : i % 10 === 3 ? `m${i}`.padEnd(200, '.') : `s${i}`);
        for (let i = 0; i < 600; i++) {
          if (i % 3 === 0) {
            await c.call('LPUSH', 'l', el(i));
            model.unshift(el(i));
          } else {
            await c.call('RPUSH', 'l', el(i));
            model.push(el(i));
          }
        }
        assert.equal(await c.call('OBJECT', 'ENCODING', 'l'), 'quicklist', fill);
        assert.deepEqual(await c.call('LRANGE', 'l', '0', '-1'), model, fill);
        for (const i of [0, 1, 57, 299, 300, 598, 599]) assert.equal(await c.call('LINDEX', 'l', String(i)), model[i], `${fill} LINDEX ${i}`);
        assert.equal(await c.call('LINDEX', 'l', '-1'), model[599]);
        await c.call('LSET', 'l', '250', 'X'.repeat(300));
        model[250] = 'X'.repeat(300);
        assert.equal(await c.call('LINSERT', 'l', 'AFTER', model[100]!, 'ins'), 601);
        model.splice(101, 0, 'ins');
        assert.equal(await c.call('LREM', 'l', '-2', 's1'), 1);
        model.splice(model.lastIndexOf('s1'), 1);
        assert.deepEqual(await c.call('LPOS', 'l', 'ins', 'COUNT', '0'), [101]);
        assert.deepEqual(await c.call('LRANGE', 'l', '95', '260'), model.slice(95, 261), fill);
        assert.equal(await c.call('LTRIM', 'l', '20', '-30'), 'OK');
        model.splice(0, 20);
        model.splice(model.length - 29);
        assert.deepEqual(await c.call('LPOP', 'l', '7'), model.splice(0, 7));
        assert.deepEqual(await c.call('RPOP', 'l', '9'), model.splice(model.length - 9).reverse());
        assert.deepEqual(await c.call('LRANGE', 'l', '0', '-1'), model, fill);
        // down to a few elements, then gone
        while (model.length > 3) {
          assert.equal(await c.call('RPOP', 'l'), model.pop());
        }
        assert.equal(await c.call('OBJECT', 'ENCODING', 'l'), 'quicklist');
        assert.deepEqual(await c.call('LRANGE', 'l', '0', '-1'), model);
        assert.equal(await c.call('DEL', 'l'), 1);
      }
    } finally {
      await c.call('CONFIG', 'SET', 'list-max-listpack-size', '-2');
    }
  });

  test('lists of one node and of many survive DEBUG RELOAD, DUMP / RESTORE, COPY and SORT STORE; MEMORY USAGE follows the packed size', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const small = Array.from({ length: 10 }, (_, i) => `e${i}`);
    const big = Array.from({ length: 20000 }, (_, i) => `element:${i}`);
    await c.call('RPUSH', 'small', ...small);
    for (let i = 0; i < big.length; i += 1000) await c.call('RPUSH', 'big', ...big.slice(i, i + 1000));
    // 10 short elements: one string in a small object (a ring buffer of strings took some 500 bytes)
    const usage = (await c.call('MEMORY', 'USAGE', 'small')) as number;
    assert.ok(usage < 250, `MEMORY USAGE small = ${usage}`);
    // 20000 elements of ~13 bytes: packed, some 15 bytes each (strings in a ring took over 40)
    const bigUsage = (await c.call('MEMORY', 'USAGE', 'big')) as number;
    assert.ok(bigUsage < 20000 * 18, `MEMORY USAGE big = ${bigUsage}`);
    assert.ok(bigUsage > 20000 * 12, `MEMORY USAGE big = ${bigUsage}`);
    for (const [k, v] of [['small', small], ['big', big]] as const) {
      const payload = (await c.call('DUMP', k)) as string;
      assert.equal(await c.call('RESTORE', `${k}:r`, '0', payload), 'OK');
      assert.deepEqual(await c.call('LRANGE', `${k}:r`, '0', '-1'), v);
      assert.equal(await c.call('COPY', k, `${k}:c`), 1);
      await c.call('RPUSH', `${k}:c`, 'more');
      assert.equal(await c.call('LLEN', k), v.length, 'the copy is independent');
      assert.equal(await c.call('SORT', k, 'ALPHA', 'STORE', `${k}:s`), v.length);
      assert.deepEqual(await c.call('LRANGE', `${k}:s`, '0', '2'), [...v].sort().slice(0, 3));
    }
    const digest = await c.call('DEBUG', 'DIGEST');
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await c.call('DEBUG', 'DIGEST'), digest);
    assert.deepEqual(await c.call('LRANGE', 'small', '0', '-1'), small);
    assert.deepEqual(await c.call('LRANGE', 'big', '0', '-1'), big);
    assert.deepEqual(await c.call('LRANGE', 'big:c', '-2', '-1'), [big[big.length - 1], 'more']);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'big'), 'quicklist');
    // loaded nodes are packed as saved: the reloaded list costs what the pushed one did, give or take its nodes
    const reloaded = (await c.call('MEMORY', 'USAGE', 'big')) as number;
    assert.ok(Math.abs(reloaded - bigUsage) < bigUsage * 0.1, `${reloaded} after reload vs ${bigUsage}`);
    assert.equal(await c.call('LPUSH', 'big', 'head'), big.length + 1);
    assert.equal(await c.call('LINDEX', 'big', '1'), big[0]);
  });

  test('keyspace events in Redis 7.0\'s order (recorded from a real redis-server)', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const w = await watchKeyEvents(fx());
    try {
      const script = [
        'rpush l a b c', 'lpush l z', 'lpushx l y', 'rpushx nokey x', 'lset l 0 Y', 'linsert l before a x',
        'linsert l before nope x', 'lrem l 1 x', 'lrem l 1 nope', 'ltrim l 0 -1', 'ltrim l 1 -1', 'lpop l',
        'rpop l 1', 'lmove l m left right', 'rpoplpush m m', 'lmpop 1 m left count 5', 'rpush l q', 'ltrim l 5 6',
        'rpush l a b', 'lrem l 0 a', 'lrem l 0 b', 'lpop nokey', 'rpush l a', 'blmpop 0 1 l right', 'rpush l a',
        'blmove l l left right 0', 'rpush s1 v', 'lmove s1 s1 left left',
      ];
      for (const cmd of script) await c.call(...cmd.split(' '));
      const seen = (await w.take()).filter((e) => e.startsWith('0:')).map((e) => {
        const [, key, event] = /^0:(.*):([^:]*)$/s.exec(e)!;
        return `${key} ${event}`;
      });
      assert.deepEqual(seen, [
        'l rpush', 'l lpush', 'l lpush', 'l lset', 'l linsert', 'l lrem', 'l ltrim', 'l ltrim', 'l lpop', 'l rpop',
        'm rpush', 'l lpop', 'm lpush', 'm rpop', 'm lpop', 'm del', 'l rpush', 'l ltrim', 'l del', 'l rpush',
        'l lrem', 'l lrem', 'l del', 'l rpush', 'l rpop', 'l del', 'l rpush', 'l rpush', 'l lpop', 's1 rpush',
        's1 lpush', 's1 lpop',
      ]);
    } finally {
      await w.stop();
    }
  });

  test('COMMAND INFO and DOCS describe the list commands as Redis 7.4', async () => {
    const r = await ioredis(fx().port);
    try {
      const info = (await r.call('COMMAND', 'INFO', 'lpush', 'blmpop', 'lrange')) as unknown[][];
      assert.deepEqual(info.map((x) => x.slice(0, 6)), [
        ['lpush', -3, ['write', 'denyoom', 'fast'], 1, 1, 1],
        ['blmpop', -5, ['write', 'blocking', 'movablekeys'], 0, 0, 0],
        ['lrange', 4, ['readonly'], 1, 1, 1],
      ]);
      const docs = (await r.call('COMMAND', 'DOCS', 'lpos')) as unknown[];
      const body = docs[1] as unknown[];
      assert.equal(body[body.indexOf('summary') + 1], 'Returns the index of matching elements in a list.');
      assert.equal(body[body.indexOf('since') + 1], '6.0.6');
    } finally {
      r.disconnect();
    }
  });
});
