/**
 * Redis 7.0 Functions through real clients: FUNCTION LOAD / LIST / DELETE /
 * FLUSH / DUMP / RESTORE, FCALL / FCALL_RO with ioredis and node-redis
 * (RESP2 and RESP3), flags, a function past busy-reply-threshold (BUSY,
 * FUNCTION STATS, FUNCTION KILL), libraries kept over SCRIPT FLUSH and
 * DEBUG RELOAD, and the replication stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';
import { syncedStream } from '../helpers/replication.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const LIB = `#!lua name=mylib
local function setget(keys, args)
  redis.call('set', keys[1], args[1])
  return redis.call('get', keys[1])
end
redis.register_function('setget', setget)
redis.register_function{function_name='getro', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes'}, description='reads'}
redis.register_function('mset_many', function(keys, args)
  for i = 1, #keys do redis.call('set', keys[i], args[i]) end
  return redis.call('mget', unpack(keys))
end)`;

describeServer('functions', (fx) => {
  test('FUNCTION LOAD, FCALL and FCALL_RO with ioredis', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.call('FUNCTION', 'FLUSH');
      assert.equal(await r.call('FUNCTION', 'LOAD', LIB), 'mylib');
      await assert.rejects(r.call('FUNCTION', 'LOAD', LIB), /^ReplyError: ERR Library 'mylib' already exists$/);
      assert.equal(await r.call('FUNCTION', 'LOAD', 'REPLACE', LIB), 'mylib');
      assert.equal(await r.call('FCALL', 'setget', 1, 'k', 'v1'), 'v1');
      assert.equal(await r.call('FCALL', 'SETGET', 1, 'k', 'v2'), 'v2', 'function names are case-insensitive');
      assert.equal(await r.call('FCALL_RO', 'getro', 1, 'k'), 'v2');
      await assert.rejects(r.call('FCALL_RO', 'setget', 1, 'k', 'v'), /^ReplyError: ERR Can not execute a script with write flag using \*_ro command\.$/);
      await assert.rejects(r.call('FCALL', 'nosuch', 0), /^ReplyError: ERR Function not found$/);
      await assert.rejects(r.call('FCALL', 'setget', 'x'), /^ReplyError: ERR Bad number of keys provided$/);
      await assert.rejects(r.call('FCALL', 'setget', 3, 'a'), /Number of keys can't be greater than number of args/);
      // keys on every shard in one atomic run
      const keys = Array.from({ length: 12 }, (_, i) => `key:${i}`);
      assert.deepEqual(await r.call('FCALL', 'mset_many', keys.length, ...keys, ...keys.map((k) => `v-${k}`)), keys.map((k) => `v-${k}`));
      assert.equal(await r.get('key:7'), 'v-key:7');
      await assert.rejects(
        r.call('FUNCTION', 'LOAD', '#!lua name=bad\nredis.register_function("setget", function() end)'),
        /^ReplyError: ERR Function setget already exists$/,
      );
      await assert.rejects(r.call('FUNCTION', 'LOAD', '#!lua name=bad\nreturn 1'), /^ReplyError: ERR No functions registered$/);
      await assert.rejects(r.call('FUNCTION', 'LOAD', '#!lua name=bad\nmath.random()'), /Error registering functions: .*nonexistent global variable 'math'/);
      await assert.rejects(r.call('FUNCTION', 'LOAD', 'return 1'), /^ReplyError: ERR Missing library metadata$/);
      assert.equal(await r.call('FUNCTION', 'DELETE', 'mylib'), 'OK');
      await assert.rejects(r.call('FCALL', 'setget', 1, 'k', 'v'), /Function not found/);
      await assert.rejects(r.call('FUNCTION', 'DELETE', 'mylib'), /^ReplyError: ERR Library not found$/);
    } finally {
      r.disconnect();
    }
  });

  test('FUNCTION LIST in RESP2 and RESP3, and run-time errors', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'FLUSH');
    await c.call('FUNCTION', 'LOAD', LIB);
    const list = (await c.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'my*', 'WITHCODE')) as unknown[];
    assert.equal(list.length, 1);
    const entry = list[0] as unknown[];
    assert.deepEqual(entry.slice(0, 4), ['library_name', 'mylib', 'engine', 'LUA']);
    assert.equal(entry[6], 'library_code');
    assert.equal(entry[7], LIB);
    const fns = entry[5] as unknown[][];
    const getro = fns.find((f) => f[1] === 'getro')!;
    assert.deepEqual(getro, ['name', 'getro', 'description', 'reads', 'flags', ['no-writes']]);
    assert.deepEqual(await c.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'nomatch*'), []);
    const e = (await c.call('FUNCTION', 'LIST', 'LIBRARYNAME')) as ReplyError;
    assert.ok(e instanceof ReplyError && e.message === 'ERR library name argument was not given');

    const r3 = await nodeRedis(fx().port, 3);
    try {
      const l3 = (await r3.sendCommand(['FUNCTION', 'LIST'])) as Array<Record<string, unknown>>;
      assert.equal(l3[0]!.library_name, 'mylib');
      const f3 = (l3[0]!.functions as Array<Record<string, unknown>>).find((f) => f.name === 'setget')!;
      assert.equal(f3.description, null);
      assert.ok(f3.flags instanceof Set || Array.isArray(f3.flags));
      const stats = (await r3.sendCommand(['FUNCTION', 'STATS'])) as Record<string, unknown>;
      assert.equal(stats.running_script, null);
      assert.deepEqual(stats.engines, { LUA: { libraries_count: 1, functions_count: 3 } });
    } finally {
      await r3.quit();
    }

    await c.call('FUNCTION', 'LOAD', `#!lua name=errs
redis.register_function('boom', function() error('oops') end)
redis.register_function('glob', function() x = 1 end)
redis.register_function('reg', function() redis.register_function('y', function() end) end)`);
    const boom = (await c.call('FCALL', 'boom', '0')) as ReplyError;
    assert.match(boom.message, /^ERR user_function:2: oops script: boom, on @user_function:2\.$/);
    const glob = (await c.call('FCALL', 'glob', '0')) as ReplyError;
    assert.match(glob.message, /Attempt to modify a readonly table script: glob, on @user_function:3\.$/);
    const reg = (await c.call('FCALL', 'reg', '0')) as ReplyError;
    assert.match(reg.message, /attempt to call field 'register_function' \(a nil value\)/);
  });

  test("INFO memory's function fields, and FUNCTION FLUSH ASYNC of many functions counts them as lazily freed (7.4)", async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'FLUSH');
    await c.call('CONFIG', 'RESETSTAT');
    const field = async (name: string): Promise<number> => Number(new RegExp(`${name}:(\\d+)`).exec(String(await c.call('INFO', 'memory')))![1]);
    assert.equal(await field('used_memory_vm_functions'), 0);
    for (let i = 0; i < 100; i++) await c.call('FUNCTION', 'LOAD', `#!lua name=lib${i}\nredis.register_function('f${i}', function() return ${i} end)`);
    assert.equal(await field('number_of_functions'), 100);
    assert.equal(await field('number_of_libraries'), 100);
    const vmf = await field('used_memory_vm_functions');
    assert.ok(vmf > 5000, String(vmf));
    assert.equal(await field('used_memory_vm_total'), (await field('used_memory_vm_eval')) + vmf);
    assert.equal(await field('used_memory_scripts'), (await field('used_memory_scripts_eval')) + vmf);
    assert.equal(await c.call('FUNCTION', 'FLUSH', 'ASYNC'), 'OK');
    assert.equal(await field('used_memory_vm_functions'), 0);
    assert.equal(await field('lazyfreed_objects'), 101);
    // up to 64 functions are freed at once
    await c.call('FUNCTION', 'LOAD', "#!lua name=one\nredis.register_function('one', function() return 1 end)");
    await c.call('FUNCTION', 'FLUSH', 'ASYNC');
    assert.equal(await field('lazyfreed_objects'), 101);
    c.close();
  });

  test('a function past busy-reply-threshold: BUSY, FUNCTION STATS, FUNCTION KILL', async () => {
    const a = await fx().client();
    const b = await fx().client();
    await b.call('FUNCTION', 'LOAD', 'REPLACE', "#!lua name=busy\nredis.register_function{function_name='spin', callback=function() local i = 0 while true do i = i + 1 end end, flags={'no-writes'}}");
    await b.call('CONFIG', 'SET', 'busy-reply-threshold', '20');
    try {
      a.send('FCALL', 'spin', '0');
      let busy: unknown = null;
      for (let i = 0; i < 100 && !(busy instanceof ReplyError); i++) {
        await sleep(20);
        busy = await b.call('GET', 'x');
      }
      assert.ok(busy instanceof ReplyError);
      assert.equal(busy.message, 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.');
      const sk = (await b.call('SCRIPT', 'KILL')) as ReplyError;
      assert.equal(sk.message, 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.');
      const stats = (await b.call('FUNCTION', 'STATS')) as unknown[];
      const running = stats[1] as unknown[];
      assert.deepEqual(running.slice(0, 4), ['name', 'spin', 'command', ['FCALL', 'spin', '0']]);
      assert.equal(running[4], 'duration_ms');
      assert.ok(typeof running[5] === 'number' && running[5] >= 0);
      assert.equal(await b.call('FUNCTION', 'KILL'), 'OK');
      const killed = await a.read();
      assert.ok(killed instanceof ReplyError && /^ERR Script killed by user with SCRIPT KILL\.\.\./.test(killed.message));
      assert.equal(await b.call('PING'), 'PONG');
      const none = (await b.call('FUNCTION', 'KILL')) as ReplyError;
      assert.equal(none.message, 'NOTBUSY No scripts in execution right now.');
    } finally {
      await b.call('CONFIG', 'SET', 'busy-reply-threshold', '5000');
    }
  });

  test('DUMP / RESTORE policies, SCRIPT FLUSH and DEBUG RELOAD keep libraries', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'FLUSH');
    await c.call('FUNCTION', 'LOAD', "#!lua name=l1\nredis.register_function('one', function() return 1 end)");
    const dump = (await c.call('FUNCTION', 'DUMP')) as string;
    const err = async (...args: string[]): Promise<string> => ((await c.call(...args)) as ReplyError).message;
    assert.equal(await err('FUNCTION', 'RESTORE', dump), 'ERR Library l1 already exists');
    assert.equal(await c.call('FUNCTION', 'RESTORE', dump, 'REPLACE'), 'OK');
    assert.equal(await err('FUNCTION', 'RESTORE', 'garbage'), 'ERR DUMP payload version or checksum are wrong');
    assert.equal(await err('FUNCTION', 'RESTORE', dump, 'MAYBE'), 'ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.');
    await c.call('FUNCTION', 'LOAD', "#!lua name=l2\nredis.register_function('two', function() return 2 end)");
    assert.equal(await c.call('FUNCTION', 'RESTORE', dump, 'FLUSH'), 'OK');
    assert.equal(await err('FCALL', 'two', '0'), 'ERR Function not found');
    assert.equal(await c.call('FCALL', 'one', '0'), 1);
    assert.equal(await c.call('FUNCTION', 'FLUSH'), 'OK');
    assert.equal(await c.call('FUNCTION', 'RESTORE', dump), 'OK');
    assert.equal(await c.call('FUNCTION', 'DUMP'), dump);
    // SCRIPT FLUSH makes a new Lua state: libraries are compiled again
    assert.equal(await c.call('SCRIPT', 'FLUSH'), 'OK');
    assert.equal(await c.call('FCALL', 'one', '0'), 1);
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await c.call('FCALL', 'one', '0'), 1);
    assert.match(await err('DEBUG', 'RELOAD', 'NOFLUSH'), /Error trying to load the RDB/);
    assert.equal(await c.call('DEBUG', 'RELOAD', 'NOFLUSH', 'MERGE'), 'OK');
    assert.equal(await c.call('FCALL', 'one', '0'), 1);
  });

  test('FUNCTION LOAD / DELETE and FCALL writes reach the replication stream', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('FUNCTION', 'FLUSH');
    const repl = await syncedStream(fx().port);
    const code = "#!lua name=rl\nredis.register_function('w', function(keys) redis.call('set', keys[1], 'a') redis.call('incr', 'cnt') return 1 end)";
    await c.call('FUNCTION', 'LOAD', code);
    await c.call('FCALL', 'w', '1', 'rk');
    await c.call('FUNCTION', 'DELETE', 'rl');
    await sleep(100);
    const stream = repl.pending();
    assert.ok(stream.includes(`$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$${code.length}\r\n${code}\r\n`), 'FUNCTION LOAD is replicated');
    assert.match(stream, /\*1\r\n\$5\r\nMULTI\r\n\*3\r\n\$3\r\nset\r\n\$2\r\nrk\r\n\$1\r\na\r\n\*2\r\n\$4\r\nincr\r\n\$3\r\ncnt\r\n\*1\r\n\$4\r\nEXEC\r\n/);
    assert.ok(!stream.includes('FCALL'), 'FCALL itself is not replicated, its effects are');
    assert.match(stream, /\$8\r\nFUNCTION\r\n\$6\r\nDELETE\r\n\$2\r\nrl\r\n$/);
    repl.close();
  });
});
