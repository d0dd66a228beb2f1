/**
 * Small collections stored as tagged packed strings between commands
 * (datatypes/stored.ts): every command still sees and changes them as
 * values (pipelines, MULTI, scripts, moves between keys, SWAPDB, reloads),
 * and a string value whose first byte is a tag stays exactly that string,
 * with Redis's OBJECT ENCODING.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { encodeCommand, type RespClient } from '../helpers/resp-client.ts';
import { isPacked } from '../../src/datatypes/stored.ts';
import type { RunningServer } from '../../src/index.ts';

/** How key is stored in db 0 right now: 'packed', 'object' or 'string'. */
function storedAs(srv: RunningServer, key: string, db = 0): string {
  const v = srv.state.engine.keyspace(key, db).data.get(key);
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return isPacked(v) ? 'packed' : 'string';
  return v instanceof Buffer ? 'buffer' : 'object';
}

describeServer('stored values', (fx) => {
  test('small collections are packed strings between commands and objects past their thresholds', async () => {
    const c = await fx().client();
    await c.call('HSET', 'sv:h', 'a', '1', 'b', '2');
    await c.call('SADD', 'sv:si', '1', '2', '3');
    await c.call('SADD', 'sv:ss', 'x', 'y');
    await c.call('ZADD', 'sv:z', '1', 'a', '2.5', 'b');
    await c.call('RPUSH', 'sv:l', 'a', 'b', 'c');
    await c.call('XADD', 'sv:x', '*', 'f', 'v');
    for (const k of ['sv:h', 'sv:si', 'sv:ss', 'sv:z', 'sv:l']) assert.equal(storedAs(fx().server, k), 'packed', k);
    assert.equal(storedAs(fx().server, 'sv:x'), 'object');
    assert.deepEqual(await c.call('HGETALL', 'sv:h'), ['a', '1', 'b', '2']);
    assert.deepEqual(await c.call('ZRANGE', 'sv:z', '0', '-1', 'WITHSCORES'), ['a', '1', 'b', '2.5']);
    assert.deepEqual(await c.call('LRANGE', 'sv:l', '0', '-1'), ['a', 'b', 'c']);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'sv:si'), 'intset');
    assert.equal(await c.call('TYPE', 'sv:z'), 'zset');
    // a read leaves it packed again
    assert.equal(storedAs(fx().server, 'sv:h'), 'packed');
    // a value past hash-max-listpack-value converts it
    await c.call('HSET', 'sv:h', 'long', 'v'.repeat(100));
    assert.equal(await c.call('OBJECT', 'ENCODING', 'sv:h'), 'hashtable');
    assert.equal(storedAs(fx().server, 'sv:h'), 'object');
    assert.equal(await c.call('HLEN', 'sv:h'), 3);
  });

  test('a pipeline, MULTI and a script change the same small value several times', async () => {
    const c = await fx().client();
    const cmds: string[][] = [];
    for (let i = 0; i < 50; i++) cmds.push(['HINCRBY', 'sv:p', 'n', '1'], ['RPUSH', 'sv:pl', String(i)], ['LPOP', 'sv:pl']);
    c.writeRaw(Buffer.concat(cmds.map((a) => encodeCommand(a))));
    for (let i = 0; i < cmds.length; i++) await c.read();
    assert.equal(await c.call('HGET', 'sv:p', 'n'), '50');
    assert.equal(await c.call('EXISTS', 'sv:pl'), 0);
    // reads (a view each) between writes (the object in the keyspace) of the same keys, in one pipeline
    const mixed: string[][] = [];
    for (let i = 0; i < 20; i++) {
      mixed.push(['HSET', 'sv:x:h', `f${i}`, String(i)], ['HLEN', 'sv:x:h'], ['ZADD', 'sv:x:z', String(i), `m${i}`], ['ZRANGE', 'sv:x:z', '0', '-1'], ['SADD', 'sv:x:s', String(i)], ['SMEMBERS', 'sv:x:s']);
    }
    c.writeRaw(Buffer.concat(mixed.map((a) => encodeCommand(a))));
    const replies: unknown[] = [];
    for (let i = 0; i < mixed.length; i++) replies.push(await c.read());
    for (let i = 0; i < 20; i++) {
      assert.equal(replies[i * 6 + 1], i + 1);
      assert.equal((replies[i * 6 + 3] as string[]).length, i + 1);
      assert.equal((replies[i * 6 + 5] as string[]).length, i + 1);
    }
    assert.equal(await c.call('HGET', 'sv:x:h', 'f19'), '19');
    // unpacked, deleted and created again as another type within one batch: packed as what it is now
    await c.call('HSET', 'sv:re', 'f', 'v');
    c.writeRaw(Buffer.concat([['HSET', 'sv:re', 'f', 'v'], ['DEL', 'sv:re'], ['ZADD', 'sv:re', '1', 'm'], ['HSET', 'sv:re2', 'a', 'b'], ['RENAME', 'sv:re2', 'sv:re3']].map((a) => encodeCommand(a))));
    for (let i = 0; i < 5; i++) await c.read();
    assert.equal(await c.call('TYPE', 'sv:re'), 'zset');
    assert.deepEqual(await c.call('ZRANGE', 'sv:re', '0', '-1', 'WITHSCORES'), ['m', '1']);
    assert.equal(storedAs(fx().server, 'sv:re'), 'packed');
    assert.deepEqual(await c.call('HGETALL', 'sv:re3'), ['a', 'b']);
    assert.equal(storedAs(fx().server, 'sv:re3'), 'packed');
    // the one read that changes its value: SORT turns a listpack sorted set into a skiplist for good (Redis 7.0)
    await c.call('ZADD', 'sv:sort', '1', 'a', '2', 'b');
    assert.deepEqual(await c.call('SORT_RO', 'sv:sort', 'BY', 'nosort'), ['a', 'b']);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'sv:sort'), 'skiplist');
    assert.equal(storedAs(fx().server, 'sv:sort'), 'object');
    assert.equal(await c.call('MULTI'), 'OK');
    for (const a of [['HSET', 'sv:m', 'a', '1'], ['HSET', 'sv:m', 'b', '2'], ['HDEL', 'sv:m', 'a'], ['HGETALL', 'sv:m']]) assert.equal(await c.call(...a), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), [1, 1, 1, ['b', '2']]);
    const script = "redis.call('zadd', KEYS[1], 1, 'a'); redis.call('zincrby', KEYS[1], 5, 'a'); redis.call('zadd', KEYS[1], 2, 'b'); return redis.call('zrange', KEYS[1], 0, -1, 'withscores')";
    assert.deepEqual(await c.call('EVAL', script, '1', 'sv:s'), ['b', '2', 'a', '6']);
    assert.equal(storedAs(fx().server, 'sv:s'), 'packed');
    assert.equal(await c.call('ZSCORE', 'sv:s', 'a'), '6');
  });

  test('moves between keys and databases: LMOVE onto itself, SMOVE, RENAME, COPY, MOVE, SWAPDB', async () => {
    const c = await fx().client();
    await c.call('RPUSH', 'sv:{m}l', 'a', 'b', 'c');
    assert.equal(await c.call('LMOVE', 'sv:{m}l', 'sv:{m}l', 'LEFT', 'RIGHT'), 'a');
    assert.deepEqual(await c.call('LRANGE', 'sv:{m}l', '0', '-1'), ['b', 'c', 'a']);
    await c.call('SADD', 'sv:{m}a', '1', '2');
    await c.call('SADD', 'sv:{m}b', 'x');
    assert.equal(await c.call('SMOVE', 'sv:{m}a', 'sv:{m}b', '2'), 1);
    assert.deepEqual(await c.call('SMEMBERS', 'sv:{m}a'), ['1']);
    assert.deepEqual(((await c.call('SMEMBERS', 'sv:{m}b')) as string[]).sort(), ['2', 'x']);
    assert.equal(await c.call('RENAME', 'sv:{m}b', 'sv:{m}c'), 'OK');
    assert.equal(await c.call('COPY', 'sv:{m}c', 'sv:{m}d'), 1);
    assert.equal(await c.call('SADD', 'sv:{m}d', 'y'), 1);
    assert.equal(await c.call('SCARD', 'sv:{m}c'), 2);
    assert.equal(await c.call('SCARD', 'sv:{m}d'), 3);
    assert.equal(storedAs(fx().server, 'sv:{m}c'), 'packed');
    assert.equal(await c.call('MOVE', 'sv:{m}d', '3'), 1);
    assert.equal(storedAs(fx().server, 'sv:{m}d', 3), 'packed');
    await c.call('SELECT', '3');
    assert.equal(await c.call('SCARD', 'sv:{m}d'), 3);
    await c.call('SELECT', '0');
    // SWAPDB in a pipeline right after a write: the value is counted and packed where it lands
    c.writeRaw(Buffer.concat([['HSET', 'sv:w', 'f', 'v'], ['SWAPDB', '0', '5'], ['SWAPDB', '0', '5']].map((a) => encodeCommand(a))));
    for (let i = 0; i < 3; i++) await c.read();
    assert.equal(await c.call('HGET', 'sv:w', 'f'), 'v');
    assert.equal(storedAs(fx().server, 'sv:w'), 'packed');
  });

  test('a string value that begins with a tag byte stays that string, with Redis\'s encodings', async () => {
    const c = await fx().client();
    for (const tag of [0xf8, 0xf9, 0xfa, 0xfb]) {
      const s = String.fromCharCode(tag) + 'abc';
      const k = `sv:t${tag}`;
      assert.equal(await c.call('SET', k, s), 'OK');
      assert.equal(await c.call('GET', k), s);
      assert.equal(await c.call('TYPE', k), 'string');
      assert.equal(await c.call('STRLEN', k), 4);
      assert.equal(await c.call('OBJECT', 'ENCODING', k), 'embstr');
      assert.equal(await c.call('GETRANGE', k, '0', '1'), s.slice(0, 2));
      // an edit in place makes it raw, as in Redis
      assert.equal(await c.call('SETRANGE', k, '1', 'x'), 4);
      assert.equal(await c.call('OBJECT', 'ENCODING', k), 'raw');
      assert.equal(await c.call('GET', k), String.fromCharCode(tag) + 'xbc');
      const dump = await c.callRaw('DUMP', k);
      assert.ok(dump.startsWith('$'));
      assert.equal(await c.call('APPEND', `${k}:new`, s), 4);
      assert.equal(await c.call('OBJECT', 'ENCODING', `${k}:new`), 'embstr');
      assert.equal(await c.call('GET', `${k}:new`), s);
    }
    const long = '\xf8' + 'y'.repeat(50);
    await c.call('SET', 'sv:long', long);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'sv:long'), 'raw');
    assert.equal(await c.call('GET', 'sv:long'), long);
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await c.call('GET', 'sv:long'), long);
    assert.equal(await c.call('GET', 'sv:t248:new'), '\xf8abc');
  });

  test('integer strings are kept as their digits in the key\'s entry and read back as the same strings, OBJECT ENCODING int by content', async () => {
    const c = await fx().client();
    const cases: [string, string][] = [
      ['0', 'string'], ['12345', 'string'], ['-7', 'string'], ['2147483647', 'string'], ['-2147483648', 'string'],
      ['2147483648', 'string'], ['-2147483649', 'string'], ['9999999999', 'string'], ['012', 'string'], ['-0', 'string'],
      ['+5', 'string'], ['1.5', 'string'], ['', 'string'], ['-', 'string'], ['12a', 'string'], [' 1', 'string'],
    ];
    for (const [v, how] of cases) {
      const k = `sv:i:${v}`;
      assert.equal(await c.call('SET', k, v), 'OK');
      const raw = fx().server.state.engine.keyspace(k, 0).data.get(k);
      assert.equal(typeof raw, how, `${JSON.stringify(v)} stored as a ${how}`);
      assert.equal(await c.call('GET', k), v);
      assert.equal(await c.call('STRLEN', k), v.length);
      assert.equal(await c.call('TYPE', k), 'string');
    }
    assert.equal(await c.call('OBJECT', 'ENCODING', 'sv:i:12345'), 'int');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'sv:i:9999999999'), 'int');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'sv:i:012'), 'embstr');
    // counters
    assert.equal(await c.call('INCRBY', 'sv:i:12345', '10'), 12355);
    assert.equal(await c.call('INCR', 'sv:i:2147483647'), 2147483648);
    assert.equal(await c.call('GET', 'sv:i:2147483647'), '2147483648');
    assert.equal(await c.call('APPEND', 'sv:i:-7', '1'), 3);
    assert.equal(await c.call('GET', 'sv:i:-7'), '-71');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'sv:i:-7'), 'raw');
    assert.equal(await c.call('GETRANGE', 'sv:i:0', '0', '-1'), '0');
    assert.equal(await c.call('SETRANGE', 'sv:i:0', '1', '5'), 2);
    assert.equal(await c.call('GET', 'sv:i:0'), '05');
    const dump = await c.callRaw('DUMP', 'sv:i:12345');
    assert.ok(dump.startsWith('$'));
    // through a reload; in MEMORY USAGE an integer costs its digits, joined to the key as any short string
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await c.call('GET', 'sv:i:12345'), '12355');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'sv:i:12345'), 'int');
    await c.call('SET', 'sv:i:a', '123456');
    await c.call('SET', 'sv:i:b', 'x23456');
    await c.call('SET', 'sv:i:c', 'x'.repeat(300));
    assert.equal(await c.call('MEMORY', 'USAGE', 'sv:i:a'), await c.call('MEMORY', 'USAGE', 'sv:i:b'));
    assert.ok((await c.call('MEMORY', 'USAGE', 'sv:i:a')) as number <= 40);
    assert.ok((await c.call('MEMORY', 'USAGE', 'sv:i:c')) as number > 300 + 40 + 16);
  });

  test('DEBUG RELOAD and DEBUG DIGEST see the same data packed or not', async () => {
    const c = await fx().client();
    await c.call('HSET', 'sv:r:h', 'a', '1');
    await c.call('ZADD', 'sv:r:z', '3', 'c', '-1.5', 'd');
    await c.call('RPUSH', 'sv:r:l', 'x', 'y');
    await c.call('SADD', 'sv:r:s', '7', '-9');
    const digest = await c.call('DEBUG', 'DIGEST');
    const values = await c.call('DEBUG', 'DIGEST-VALUE', 'sv:r:h', 'sv:r:z', 'sv:r:l', 'sv:r:s');
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await c.call('DEBUG', 'DIGEST'), digest);
    assert.deepEqual(await c.call('DEBUG', 'DIGEST-VALUE', 'sv:r:h', 'sv:r:z', 'sv:r:l', 'sv:r:s'), values);
    for (const k of ['sv:r:h', 'sv:r:z', 'sv:r:l', 'sv:r:s']) assert.equal(storedAs(fx().server, k), 'packed', k);
    assert.deepEqual(await c.call('ZRANGE', 'sv:r:z', '0', '-1', 'WITHSCORES'), ['d', '-1.5', 'c', '3']);
  });
});

describe('stored values memory', () => {
  test('a key\'s MEMORY USAGE is the same packed or unpacked', async () => {
    const { startServer } = await import('../../src/index.ts');
    const srv = await startServer({ port: 0 });
    const { RespClient } = await import('../helpers/resp-client.ts');
    const c: RespClient = await RespClient.connect(srv.port);
    try {
      await c.call('HSET', 'h', 'field', 'value');
      const usage = await c.call('MEMORY', 'USAGE', 'h');
      // inside a transaction the key is unpacked by the HSET before MEMORY USAGE reads it
      await c.call('MULTI');
      await c.call('HSET', 'h', 'field', 'value');
      await c.call('MEMORY', 'USAGE', 'h');
      const [, inside] = (await c.call('EXEC')) as number[];
      assert.equal(inside, usage);
      assert.equal(storedAs(srv, 'h'), 'packed');
    } finally {
      c.close();
      await srv.close();
    }
  });
});
