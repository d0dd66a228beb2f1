/**
 * The hash family over TCP with ioredis (RESP2), node-redis (RESP3) and a
 * raw RESP client (exact bytes), with 1 and 4 shards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyEvents } from '../helpers/keyspace.ts';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient, ReplyError, type Reply } from '../helpers/resp-client.ts';

function errMsg(r: Reply): string {
  assert.ok(r instanceof ReplyError, `expected an error, got ${JSON.stringify(r)}`);
  return r.message;
}

describeServer('hash family', (fx) => {
  test('HSET / HMSET / HSETNX / HGET / HMGET / HLEN / HSTRLEN / HEXISTS (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      assert.equal(await r.hset('h', 'a', '1'), 1);
      assert.equal(await r.hset('h', 'b', '2', 'c', '3', 'a', '10'), 2);
      assert.equal(await r.hset('h', { d: '4', e: '5' }), 2);
      assert.equal(await r.hset('h', 'x', '1', 'x', '2'), 1);
      assert.equal(await r.hget('h', 'x'), '2');
      assert.equal(await r.hmset('h', 'f', '6', 'a', '11'), 'OK');
      assert.equal(await r.hsetnx('h', 'a', 'no'), 0);
      assert.equal(await r.hsetnx('h', 'g', '7'), 1);
      assert.equal(await r.hsetnx('fresh', 'f', 'v'), 1);
      assert.equal(await r.hget('fresh', 'f'), 'v');
      assert.equal(await r.hget('h', 'a'), '11');
      assert.equal(await r.hget('h', 'nope'), null);
      assert.equal(await r.hget('nokey', 'a'), null);
      assert.deepEqual(await r.hmget('h', 'a', 'nope', 'g'), ['11', null, '7']);
      assert.deepEqual(await r.hmget('nokey', 'a', 'b'), [null, null]);
      assert.equal(await r.hlen('h'), 8);
      assert.equal(await r.hlen('nokey'), 0);
      assert.equal(await r.hstrlen('h', 'a'), 2);
      assert.equal(await r.hstrlen('h', 'nope'), 0);
      assert.equal(await r.hstrlen('nokey', 'a'), 0);
      assert.equal(await r.hexists('h', 'g'), 1);
      assert.equal(await r.hexists('h', 'nope'), 0);
      assert.equal(await r.hexists('nokey', 'a'), 0);
      // small hashes keep insertion order, like Redis's listpack
      assert.deepEqual(await r.hkeys('h'), ['a', 'b', 'c', 'd', 'e', 'x', 'f', 'g']);
      assert.deepEqual(await r.hvals('h'), ['11', '2', '3', '4', '5', '2', '6', '7']);
      assert.deepEqual(await r.hgetall('h'), { a: '11', b: '2', c: '3', d: '4', e: '5', x: '2', f: '6', g: '7' });
      assert.deepEqual(await r.hgetall('nokey'), {});
      assert.deepEqual(await r.hkeys('nokey'), []);
      assert.deepEqual(await r.hvals('nokey'), []);
      assert.equal(await r.type('h'), 'hash');
      await assert.rejects(r.call('HSET', 'h', 'a'), /^ReplyError: ERR wrong number of arguments for 'hset' command/);
      await assert.rejects(r.call('HSET', 'h', 'a', 'b', 'c'), /wrong number of arguments for 'hset' command/);
      await assert.rejects(r.call('HMSET', 'h', 'a', 'b', 'c'), /wrong number of arguments for 'hmset' command/);
      await assert.rejects(r.call('HGET', 'h'), /wrong number of arguments for 'hget' command/);
    } finally {
      r.disconnect();
    }
  });

  test('HDEL deletes fields and the emptied key; TTL survives writes', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.hset('h', 'a', '1', 'b', '2', 'c', '3');
      assert.equal(await r.hdel('h', 'nope'), 0);
      assert.equal(await r.hdel('nokey', 'a'), 0);
      assert.equal(await r.hdel('h', 'a', 'a', 'nope'), 1);
      await r.expire('h', 100);
      await r.hset('h', 'd', '4');
      await r.hincrby('h', 'n', 1);
      assert.ok((await r.ttl('h')) > 90);
      assert.equal(await r.hdel('h', 'b', 'c', 'd', 'n'), 4);
      assert.equal(await r.exists('h'), 0);
      assert.equal(await r.ttl('h'), -2);
      // a re-created hash has no TTL
      await r.hset('h', 'a', '1');
      assert.equal(await r.ttl('h'), -1);
      // an expired hash is gone for every command
      await r.hset('gone', 'f', 'v');
      await r.pexpire('gone', 1);
      await new Promise((res) => setTimeout(res, 10));
      assert.equal(await r.hget('gone', 'f'), null);
      assert.equal(await r.hlen('gone'), 0);
      assert.equal(await r.hsetnx('gone', 'f', 'new'), 1);
      assert.equal(await r.ttl('gone'), -1);
    } finally {
      r.disconnect();
    }
  });

  test('wrong type errors for every command', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('SET', 'str', 'v');
    const cmds: string[][] = [
      ['HSET', 'str', 'a', 'b'], ['HMSET', 'str', 'a', 'b'], ['HSETNX', 'str', 'a', 'b'], ['HGET', 'str', 'a'], ['HMGET', 'str', 'a'],
      ['HDEL', 'str', 'a'], ['HLEN', 'str'], ['HSTRLEN', 'str', 'a'], ['HEXISTS', 'str', 'a'], ['HKEYS', 'str'], ['HVALS', 'str'],
      ['HGETALL', 'str'], ['HINCRBY', 'str', 'a', '1'], ['HINCRBYFLOAT', 'str', 'a', '1'], ['HRANDFIELD', 'str'],
      ['HRANDFIELD', 'str', '1'], ['HRANDFIELD', 'str', '1', 'WITHVALUES'], ['HSCAN', 'str', '0'], ['HSCAN', 'str', '0', 'COUNT', '0'],
    ];
    for (const cmd of cmds) assert.equal(errMsg(await c.call(...cmd)), 'WRONGTYPE Operation against a key holding the wrong kind of value', cmd.join(' '));
    assert.equal(await c.call('GET', 'str'), 'v');
    // argument errors come before the type check where Redis checks them first
    assert.equal(errMsg(await c.call('HINCRBY', 'str', 'a', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(errMsg(await c.call('HINCRBYFLOAT', 'str', 'a', 'x')), 'ERR value is not a valid float');
    assert.equal(errMsg(await c.call('HINCRBYFLOAT', 'str', 'a', 'inf')), 'ERR value is NaN or Infinity');
    assert.equal(errMsg(await c.call('HRANDFIELD', 'str', 'x')), 'ERR value is not an integer or out of range');
    assert.equal(errMsg(await c.call('HRANDFIELD', 'str', '1', 'x')), 'ERR syntax error');
    assert.equal(errMsg(await c.call('HSCAN', 'str', 'x')), 'ERR invalid cursor');
  });

  test('HINCRBY: integers, overflow and non-integer values', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    assert.equal(await c.call('HINCRBY', 'h', 'n', '5'), 5);
    assert.equal(await c.call('HINCRBY', 'h', 'n', '-7'), -2);
    assert.equal(await c.call('HGET', 'h', 'n'), '-2');
    assert.equal(await c.callRaw('HSET', 'h', 'max', '9223372036854775806'), ':1\r\n');
    assert.equal(await c.callRaw('HINCRBY', 'h', 'max', '1'), ':9223372036854775807\r\n');
    assert.equal(errMsg(await c.call('HINCRBY', 'h', 'max', '1')), 'ERR increment or decrement would overflow');
    assert.equal(await c.call('HGET', 'h', 'max'), '9223372036854775807');
    assert.equal(await c.callRaw('HINCRBY', 'h', 'max', '-9223372036854775808'), ':-1\r\n');
    await c.call('HSET', 'h', 'min', '-9223372036854775807');
    assert.equal(await c.callRaw('HINCRBY', 'h', 'min', '-1'), ':-9223372036854775808\r\n');
    assert.equal(errMsg(await c.call('HINCRBY', 'h', 'min', '-1')), 'ERR increment or decrement would overflow');
    // exact beyond 2^53
    await c.call('HSET', 'h', 'big', '9007199254740993');
    assert.equal(await c.callRaw('HINCRBY', 'h', 'big', '2'), ':9007199254740995\r\n');
    for (const bad of ['x', '1.5', ' 1', '+1', '01', '', '-0', '9223372036854775808']) {
      assert.equal(errMsg(await c.call('HINCRBY', 'h', 'n', bad)), 'ERR value is not an integer or out of range', bad);
    }
    for (const v of ['str', '1.5', ' 1', '01', '-0', '', '9223372036854775808']) {
      await c.call('HSET', 'h', 'v', v);
      assert.equal(errMsg(await c.call('HINCRBY', 'h', 'v', '1')), 'ERR hash value is not an integer', JSON.stringify(v));
    }
    assert.equal(await c.call('HINCRBY', 'new', 'f', '-3'), -3);
    assert.equal(await c.call('HLEN', 'new'), 1);
  });

  test('HINCRBYFLOAT: long double arithmetic and Redis formatting', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'f', '10.5'), '10.5');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'f', '0.1'), '10.6');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'f', '-10.6'), '0');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'f', '3.0e3'), '3000');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'f', '-1e-30'), '3000');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'g', '-1e-30'), '0');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'p', '1.23456789012345678901'), '1.23456789012345679');
    await c.call('HSET', 'h', 'i', '17');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'i', '0.5'), '17.5');
    await c.call('HSET', 'h', 'r', '0.1');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'r', '0.2'), '0.3');
    // strtold syntax: hex floats, and the x87 range beyond doubles
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'x', '0x10'), '16');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'x', '0x1.8p1'), '19');
    const huge = (await c.call('HINCRBYFLOAT', 'h', 'big', '1e400')) as string;
    assert.equal(huge.length, 401);
    assert.ok(huge.startsWith('1000000000000000000028188068394758651458645'));
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'big', '-1e400'), '0');
    assert.equal(await c.call('HINCRBYFLOAT', 'h', 'tiny', '1e-4940'), '0');
    for (const bad of ['abc', '', ' 1', '1 ', '1e', '0x', 'nan', '1e4933', '1e-5000', '1\x002']) {
      assert.equal(errMsg(await c.call('HINCRBYFLOAT', 'h', 'f', bad)), 'ERR value is not a valid float', JSON.stringify(bad));
    }
    for (const inf of ['inf', '-inf', '+Infinity', 'INF']) {
      assert.equal(errMsg(await c.call('HINCRBYFLOAT', 'nokey', 'f', inf)), 'ERR value is NaN or Infinity');
    }
    assert.equal(await c.call('EXISTS', 'nokey'), 0);
    await c.call('HSET', 'h', 'edge', '1.18e4932');
    assert.equal(errMsg(await c.call('HINCRBYFLOAT', 'h', 'edge', '1.18e4932')), 'ERR increment would produce NaN or Infinity');
    await c.call('HSET', 'h', 'inf', 'inf');
    assert.equal(errMsg(await c.call('HINCRBYFLOAT', 'h', 'inf', '1')), 'ERR increment would produce NaN or Infinity');
    for (const v of ['str', ' 1', '1\x002', '', '1e4933']) {
      await c.call('HSET', 'h', 'v', v);
      assert.equal(errMsg(await c.call('HINCRBYFLOAT', 'h', 'v', '1')), 'ERR hash value is not a float', JSON.stringify(v));
    }
    // the reply is a bulk string in RESP3 too
    await c.call('HELLO', '3');
    assert.equal(await c.callRaw('HINCRBYFLOAT', 'h', 'f', '1'), '$4\r\n3001\r\n');
    await c.call('HELLO', '2');
  });

  test('HINCRBYFLOAT replicates as HSET with the final value', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const repl = await RespClient.connect(fx().port);
    try {
      repl.writeRaw('SYNC\r\n');
      await new Promise((res) => setTimeout(res, 100));
      repl.pending();
      await c.call('HINCRBYFLOAT', 'h', 'f', '1.10');
      await c.call('HINCRBY', 'h', 'n', '2');
      await new Promise((res) => setTimeout(res, 100));
      const stream = repl.pending();
      assert.ok(stream.includes('*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\nf\r\n$3\r\n1.1\r\n'), JSON.stringify(stream));
      assert.ok(!stream.includes('HINCRBYFLOAT'));
      assert.ok(stream.includes('*4\r\n$7\r\nHINCRBY\r\n$1\r\nh\r\n$1\r\nn\r\n$1\r\n2\r\n'), JSON.stringify(stream));
    } finally {
      repl.close();
    }
  });

  test('encoding: listpack within the limits, then hashtable for good', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    try {
      await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '4');
      await c.call('CONFIG', 'SET', 'hash-max-listpack-value', '8');
      await c.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'h'), 'listpack');
      await c.call('HSET', 'h', 'e', '5');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'h'), 'hashtable');
      await c.call('HDEL', 'h', 'a', 'b', 'c', 'd');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'h'), 'hashtable');
      await c.call('HSET', 'v', 'f', '12345678');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'v'), 'listpack');
      await c.call('HSET', 'v', 'f', '123456789');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'v'), 'hashtable');
      await c.call('HSET', 'k', '123456789', 'x');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'k'), 'hashtable');
      await c.call('HINCRBYFLOAT', 's', 'tmp', '0.000005');
      assert.equal(await c.call('OBJECT', 'ENCODING', 's'), 'listpack');
      await c.call('HINCRBYFLOAT', 'b', 'tmp', '0.0000005');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'b'), 'hashtable');
      await c.call('HINCRBY', 'i', 'f', '123456789');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'i'), 'hashtable');
      // the old ziplist names are aliases
      await c.call('CONFIG', 'SET', 'hash-max-ziplist-entries', '1');
      assert.deepEqual(await c.call('CONFIG', 'GET', 'hash-max-listpack-entries'), ['hash-max-listpack-entries', '1']);
      await c.call('HSET', 'z', 'a', '1', 'b', '2');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'z'), 'hashtable');
      // COPY keeps the encoding
      await c.call('COPY', 'z', 'z2');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'z2'), 'hashtable');
      assert.deepEqual(await c.call('HGETALL', 'z2'), ['a', '1', 'b', '2']);
    } finally {
      await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '128');
      await c.call('CONFIG', 'SET', 'hash-max-listpack-value', '64');
    }
  });

  test('encoding: RESTORE and DEBUG RELOAD rebuild a fitting hash as a listpack; every command on both encodings', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    try {
      await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '4');
      await c.call('CONFIG', 'SET', 'hash-max-listpack-value', '8');
      await c.call('HSET', 'h', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'h'), 'hashtable');
      await c.call('HDEL', 'h', 'e');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'h'), 'hashtable');
      const payload = (await c.call('DUMP', 'h')) as string;
      assert.equal(await c.call('RESTORE', 'r', '0', payload), 'OK');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'r'), 'listpack', 'four fields fit again');
      assert.deepEqual(await c.call('HGETALL', 'r'), ['a', '1', 'b', '2', 'c', '3', 'd', '4']);
      await c.call('HSET', 'l', 'f', '123456789');
      await c.call('HSET', 'l', 'f', '1');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'l'), 'hashtable');
      assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'h'), 'listpack');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'l'), 'listpack');
      assert.equal(await c.call('HGET', 'l', 'f'), '1');
      // a listpack payload with more fields than the limit: a hashtable
      await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '3');
      assert.equal(await c.call('RESTORE', 'r2', '0', (await c.call('DUMP', 'r')) as string), 'OK');
      assert.equal(await c.call('OBJECT', 'ENCODING', 'r2'), 'hashtable');
      await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '4');

      // the same commands give the same answers on both encodings
      for (const k of ['small', 'big']) {
        // a value past the limit makes 'big' a hashtable, for good
        await c.call('HSET', k, 'tmp', k === 'big' ? 'y'.repeat(9) : 'y');
        await c.call('HSET', k, 'f1', 'v1', 'f2', 'v2', 'n', '10');
        await c.call('HDEL', k, 'tmp');
        assert.equal(await c.call('OBJECT', 'ENCODING', k), k === 'small' ? 'listpack' : 'hashtable', k);
        assert.equal(await c.call('HSETNX', k, 'f1', 'no'), 0);
        assert.equal(await c.call('HINCRBY', k, 'n', '5'), 15);
        assert.equal(await c.call('HINCRBYFLOAT', k, 'n', '0.5'), '15.5');
        assert.deepEqual(await c.call('HMGET', k, 'f2', 'nope', 'n'), ['v2', null, '15.5']);
        assert.equal(await c.call('HSTRLEN', k, 'n'), 4);
        assert.equal(await c.call('HEXISTS', k, 'f2'), 1);
        assert.equal(await c.call('HDEL', k, 'f2', 'nope'), 1);
        assert.equal(await c.call('HLEN', k), 2);
        assert.deepEqual(await c.call('HGETALL', k), ['f1', 'v1', 'n', '15.5'], k);
        assert.deepEqual(await c.call('HSCAN', k, '0'), ['0', ['f1', 'v1', 'n', '15.5']], k);
        assert.ok(['f1', 'n'].includes((await c.call('HRANDFIELD', k)) as string));
        assert.equal(((await c.call('HRANDFIELD', k, '-5')) as string[]).length, 5);
        assert.equal(await c.call('COPY', k, `${k}-copy`), 1);
        assert.equal(await c.call('OBJECT', 'ENCODING', `${k}-copy`), k === 'small' ? 'listpack' : 'hashtable');
        assert.deepEqual(await c.call('DEBUG', 'DIGEST-VALUE', `${k}-copy`), await c.call('DEBUG', 'DIGEST-VALUE', k));
        assert.equal(await c.call('HDEL', k, 'f1', 'n'), 2);
        assert.equal(await c.call('EXISTS', k), 0, 'an emptied hash is deleted');
      }
    } finally {
      await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '128');
      await c.call('CONFIG', 'SET', 'hash-max-listpack-value', '64');
    }
  });

  test('RESP3 shapes: HGETALL map, HRANDFIELD pairs, nulls (raw bytes)', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('HELLO', '3');
    try {
      await c.call('HSET', 'h', 'a', '1', 'b', '2');
      assert.equal(await c.callRaw('HGETALL', 'h'), '%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n');
      assert.equal(await c.callRaw('HGETALL', 'nokey'), '%0\r\n');
      assert.equal(await c.callRaw('HKEYS', 'nokey'), '*0\r\n');
      assert.equal(await c.callRaw('HGET', 'h', 'zz'), '_\r\n');
      assert.equal(await c.callRaw('HMGET', 'h', 'zz', 'a'), '*2\r\n_\r\n$1\r\n1\r\n');
      assert.equal(await c.callRaw('HRANDFIELD', 'nokey'), '_\r\n');
      assert.equal(await c.callRaw('HRANDFIELD', 'nokey', '2'), '*0\r\n');
      assert.equal(await c.callRaw('HRANDFIELD', 'h', '5', 'WITHVALUES'), '*2\r\n*2\r\n$1\r\na\r\n$1\r\n1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n');
      await c.call('HSET', 'one', 'f', 'v');
      assert.equal(await c.callRaw('HRANDFIELD', 'one', '-2', 'WITHVALUES'), '*2\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
      assert.equal(await c.callRaw('HRANDFIELD', 'one', '-2'), '*2\r\n$1\r\nf\r\n$1\r\nf\r\n');
      assert.equal(await c.callRaw('HSCAN', 'h', '0'), '*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n');
    } finally {
      await c.call('HELLO', '2');
    }
    // RESP2: the same as flat arrays
    assert.equal(await c.callRaw('HGETALL', 'h'), '*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n');
    assert.equal(await c.callRaw('HRANDFIELD', 'one', '-2', 'WITHVALUES'), '*4\r\n$1\r\nf\r\n$1\r\nv\r\n$1\r\nf\r\n$1\r\nv\r\n');
    assert.equal(await c.callRaw('HRANDFIELD', 'nokey'), '$-1\r\n');
  });

  test('node-redis RESP3: every command', async () => {
    const c = await nodeRedis(fx().port, 3);
    try {
      await c.flushAll();
      assert.equal(await c.hSet('h', { a: '1', b: '2', c: '3' }), 3);
      assert.equal(await c.hSetNX('h', 'a', 'x'), 0);
      assert.equal(await c.hGet('h', 'b'), '2');
      assert.deepEqual(await c.hmGet('h', ['a', 'zz']), ['1', null]);
      assert.deepEqual({ ...(await c.hGetAll('h')) }, { a: '1', b: '2', c: '3' });
      assert.deepEqual(await c.hKeys('h'), ['a', 'b', 'c']);
      assert.deepEqual(await c.hVals('h'), ['1', '2', '3']);
      assert.equal(await c.hLen('h'), 3);
      assert.equal(await c.hStrLen('h', 'a'), 1);
      assert.equal(await c.hExists('h', 'a'), 1);
      assert.equal(await c.hIncrBy('h', 'a', 41), 42);
      assert.equal(await c.hIncrByFloat('h', 'f', 2.5), '2.5');
      const pairs = await c.hRandFieldCountWithValues('h', -5);
      assert.equal(pairs.length, 5);
      for (const p of pairs) assert.equal(await c.hGet('h', p.field), p.value);
      const distinct = await c.hRandFieldCount('h', 3);
      assert.equal(new Set(distinct).size, 3);
      assert.ok(['a', 'b', 'c', 'f'].includes((await c.hRandField('h')) as string));
      const scan = await c.hScan('h', '0', { MATCH: '[ab]' });
      assert.equal(scan.cursor, '0');
      assert.deepEqual(scan.entries, [{ field: 'a', value: '42' }, { field: 'b', value: '2' }]);
      assert.equal(await c.hDel('h', ['a', 'b', 'c', 'f']), 4);
      assert.equal(await c.exists('h'), 0);
      assert.equal(await c.hRandField('h'), null);
    } finally {
      c.destroy();
    }
  });

  test('HRANDFIELD: counts, repeats, distribution (both encodings)', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const args: string[] = [];
    for (let i = 0; i < 200; i++) args.push(`f${i}`, `v${i}`);
    await c.call('HSET', 'big', ...args);
    await c.call('HSET', 'small', ...args.slice(0, 20));
    assert.equal(await c.call('OBJECT', 'ENCODING', 'big'), 'hashtable');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'small'), 'listpack');
    for (const [key, size] of [['big', 200], ['small', 10]] as const) {
      // count >= size: the whole hash
      const all = (await c.call('HRANDFIELD', key, String(size + 5))) as string[];
      assert.equal(all.length, size);
      assert.equal(new Set(all).size, size);
      // distinct samples of every size: CASE 3 (most of the hash) and CASE 4 (a few)
      for (const n of [1, 2, Math.floor(size / 4), Math.floor(size / 2), size - 1]) {
        const got = (await c.call('HRANDFIELD', key, String(n), 'WITHVALUES')) as string[];
        assert.equal(got.length, n * 2);
        const fields = new Set<string>();
        for (let i = 0; i < got.length; i += 2) {
          assert.equal(got[i + 1], got[i]!.replace('f', 'v'));
          fields.add(got[i]!);
        }
        assert.equal(fields.size, n, `${key} ${n}`);
      }
      // negative: repeats allowed, exactly -count items, every field eventually seen
      const many = (await c.call('HRANDFIELD', key, String(-size * 30))) as string[];
      assert.equal(many.length, size * 30);
      const counts = new Map<string, number>();
      for (const f of many) counts.set(f, (counts.get(f) ?? 0) + 1);
      assert.equal(counts.size, size);
      // roughly uniform: every field within a generous band around the mean (30)
      for (const [f, n] of counts) assert.ok(n > 5 && n < 80, `${key} ${f} picked ${n} times`);
    }
    // small positive samples are not always the same
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(((await c.call('HRANDFIELD', 'big', '2')) as string[]).join(','));
    assert.ok(seen.size > 10);
    const single = new Set<string>();
    for (let i = 0; i < 200; i++) single.add((await c.call('HRANDFIELD', 'small')) as string);
    assert.equal(single.size, 10);
    assert.equal(errMsg(await c.call('HRANDFIELD', 'big', '-9223372036854775808')), 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807');
    assert.equal(errMsg(await c.call('HRANDFIELD', 'big', '4611686018427387904', 'WITHVALUES')), 'ERR value is out of range');
    assert.equal(errMsg(await c.call('HRANDFIELD', 'big', '1', 'WITHVALUES', 'x')), 'ERR syntax error');
    assert.deepEqual(await c.call('HRANDFIELD', 'big', '0'), []);
    // random picks see fields added and removed since the last pick
    await c.call('HSET', 'small', 'added', 'x');
    await c.call('HDEL', 'small', 'f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'f7', 'f8', 'f9');
    assert.deepEqual(await c.call('HRANDFIELD', 'small', '-3'), ['added', 'added', 'added']);
    assert.equal(await c.call('HRANDFIELD', 'small'), 'added');
  });

  test('HSCAN: small hashes in one call, big ones by cursor with the SCAN guarantee', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.hset('small', 'foo', '1', 'bar', '2', 'baz', '3');
      assert.deepEqual(await r.hscan('small', 0), ['0', ['foo', '1', 'bar', '2', 'baz', '3']]);
      assert.deepEqual(await r.hscan('small', 0, 'MATCH', 'ba*', 'COUNT', 1), ['0', ['bar', '2', 'baz', '3']]);
      assert.deepEqual(await r.hscan('nokey', 0), ['0', []]);
      assert.deepEqual(await r.hscan('nokey', 0, 'COUNT', 0), ['0', []]);
      await assert.rejects(r.hscan('small', 0, 'COUNT', 0), /ERR syntax error/);
      await assert.rejects(r.hscan('small', 0, 'COUNT', 'x'), /ERR value is not an integer or out of range/);
      // NOVALUES (Redis 7.4): fields only; the other SCANs refuse it
      assert.deepEqual(await r.call('HSCAN', 'small', '0', 'NOVALUES'), ['0', ['foo', 'bar', 'baz']]);
      assert.deepEqual(await r.call('HSCAN', 'small', '0', 'MATCH', 'ba*', 'NOVALUES'), ['0', ['bar', 'baz']]);
      await r.sadd('set', 'a');
      await assert.rejects(r.call('SSCAN', 'set', '0', 'NOVALUES'), /ERR NOVALUES option can only be used in HSCAN/);
      await assert.rejects(r.call('SCAN', '0', 'NOVALUES'), /ERR NOVALUES option can only be used in HSCAN/);
      await assert.rejects(r.call('HSCAN', 'small', '0', 'TYPE', 'hash'), /ERR syntax error/);
      await assert.rejects(r.call('HSCAN', 'small', 'abc'), /ERR invalid cursor/);

      const fields: Record<string, string> = {};
      for (let i = 0; i < 1000; i++) fields[`k:${i}`] = `${i}`;
      await r.hset('big', fields);
      // a full iteration while fields come and go: every field present throughout is returned
      const seen = new Map<string, string>();
      let cursor = '0';
      let calls = 0;
      do {
        const [next, items] = await r.hscan('big', cursor, 'COUNT', 50);
        assert.ok(items.length <= 100);
        for (let i = 0; i < items.length; i += 2) seen.set(items[i]!, items[i + 1]!);
        await r.hdel('big', `k:${999 - calls}`);
        await r.hset('big', `new:${calls}`, 'x');
        cursor = next;
        calls++;
      } while (cursor !== '0');
      assert.ok(calls >= 20, `only ${calls} calls`);
      for (let i = 0; i < 1000 - calls; i++) assert.equal(seen.get(`k:${i}`), `${i}`, `k:${i} missing`);
      // MATCH filters the fields of each step
      let matched = 0;
      cursor = '0';
      do {
        const [next, items] = await r.hscan('big', cursor, 'MATCH', 'k:1??');
        for (let i = 0; i < items.length; i += 2) assert.match(items[i]!, /^k:1\d\d$/);
        matched += items.length / 2;
        cursor = next;
      } while (cursor !== '0');
      assert.equal(matched, 100);
      // NOVALUES by cursor: fields only, the same ones
      const names = new Set<string>();
      cursor = '0';
      do {
        const [next, items] = (await r.call('HSCAN', 'big', cursor, 'NOVALUES', 'COUNT', '100')) as [string, string[]];
        for (const f of items) names.add(f);
        cursor = next;
      } while (cursor !== '0');
      assert.deepEqual([...names].sort(), (await r.hkeys('big')).sort());
    } finally {
      r.disconnect();
    }
  });

  test('binary-safe fields and values (ioredis buffers)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      const f = Buffer.from([0, 255, 13, 10, 128]);
      const v = Buffer.from([1, 2, 0, 200]);
      assert.equal(await r.hset('bin', f, v), 1);
      assert.deepEqual(await r.hgetBuffer('bin', f), v);
      assert.equal(await r.hstrlen('bin', f), 4);
      assert.deepEqual(await r.hkeysBuffer('bin'), [f]);
      assert.equal(await r.hexists('bin', f), 1);
      assert.equal(await r.hdel('bin', f), 1);
    } finally {
      r.disconnect();
    }
  });

  test('keyspace events: hset, hdel, del, hincrby, hincrbyfloat', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const events = await keyEvents(fx(), async () => {
      await c.call('HSET', 'h', 'a', '1', 'b', '2');
      await c.call('HMSET', 'h', 'c', '3');
      await c.call('HSETNX', 'h', 'a', 'x');
      await c.call('HSETNX', 'h', 'd', '4');
      await c.call('HINCRBY', 'h', 'n', '1');
      await c.call('HINCRBYFLOAT', 'h', 'n', '1.5');
      await c.call('HINCRBY', 'h', 'a', 'x');
      await c.call('HDEL', 'h', 'zz');
      await c.call('HDEL', 'h', 'a', 'b');
      await c.call('HDEL', 'h', 'c', 'd', 'n');
      await c.call('HGET', 'h', 'a');
    });
    assert.deepEqual(events, ['hset:h', 'hset:h', 'hset:h', 'hincrby:h', 'hincrbyfloat:h', 'hdel:h', 'hdel:h', 'del:h']);
  });

  test('hashes on every shard, pipelined', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      const p = r.pipeline();
      for (let i = 0; i < 100; i++) p.hset(`user:${i}`, 'name', `n${i}`, 'age', String(i));
      for (let i = 0; i < 100; i++) p.hincrby(`user:${i}`, 'age', 1);
      for (let i = 0; i < 100; i++) p.hget(`user:${i}`, 'age');
      const res = (await p.exec())!;
      for (let i = 0; i < 100; i++) assert.deepEqual(res[200 + i], [null, String(i + 1)]);
      assert.equal(await r.dbsize(), 100);
    } finally {
      r.disconnect();
    }
  });
});
