/**
 * JavaScript functions (`#!js` libraries, QuickJS in a worker) through real
 * clients: FUNCTION LOAD / REPLACE / DELETE / FLUSH / LIST / STATS / DUMP /
 * RESTORE, FCALL and FCALL_RO with ioredis, node-redis (RESP2 and RESP3)
 * and raw RESP; every reply conversion both ways, binary-safe arguments,
 * errors, ACL, CLIENT PAUSE WRITE, BUSY and FUNCTION KILL, the sandbox,
 * the memory limit, and persistence (DEBUG RELOAD, RDB, AOF, a replica).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../../src/index.ts';
import { describeServer, TEST_THREADS } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient, ReplyError, type Reply } from '../helpers/resp-client.ts';
import { startShardisProcess } from '../helpers/redis-process.ts';
import { settle, sleep, syncedStream, until } from '../helpers/replication.ts';

const LIB = `#!js api_version=1.0 name=jslib
redis.registerFunction('setget', (client, keys, args) => {
  client.call('SET', keys[0], args[0]);
  return client.call('GET', keys[0]);
});
redis.registerFunction('getro', (client, keys) => client.call('GET', keys[0]), { flags: [redis.functionFlags.NO_WRITES], description: 'reads a key' });
redis.registerFunction('value', (client, keys, args) => (0, eval)('(' + args[0] + ')'), { flags: ['no-writes'] });
redis.registerFunction('reply', (client, keys, args) => {
  const r = client.call(...args);
  return [typeof r, Object.prototype.toString.call(r), JSON.stringify(r, (k, v) => typeof v === 'bigint' ? v + 'n' : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)];
});
redis.registerFunction('rawargs', (client, keys, args) => {
  client.call('SET', keys[0], args[0]);
  const back = client.callRaw('GET', keys[0]);
  return [keys[0] instanceof ArrayBuffer, args[0] instanceof ArrayBuffer, args[0].byteLength, back instanceof ArrayBuffer, back, new Uint8Array(back)[0]];
}, { flags: ['raw-arguments'] });
redis.registerFunction('textargs', (client, keys, args) => [args[0], args[0].length, [...args[0]].map((c) => c.codePointAt(0)), client.call('GET', keys[0])], { flags: ['no-writes'] });
`;

const THROWS = `#!js api_version=1.0 name=throws
redis.registerFunction('coded', () => { throw new Error('MYCODE something bad'); });
redis.registerFunction('plain', () => {
  throw new Error('plain failure');
});
redis.registerFunction('nullprop', () => { const x = null; return x.y; });
redis.registerFunction('passthru', (c) => c.call('LPUSH', 'jsstr', 'x'));
redis.registerFunction('caught', (c) => { try { c.call('LPUSH', 'jsstr', 'x'); } catch (e) { return 'caught: ' + e.message; } });
redis.registerFunction('arity', (c) => c.call('GET'));
redis.registerFunction('unknown', (c) => c.call('NOSUCHCMD', 'x'));
redis.registerFunction('promise', () => Promise.resolve(1));
redis.registerFunction('rerr', () => new Error('RETURNED as a value'));
`;

const SANDBOX = `#!js api_version=1.0 name=sandbox
redis.registerFunction('globals', () => [typeof require, typeof process, typeof setTimeout, typeof fetch, typeof setInterval, typeof queueMicrotask], { flags: ['no-writes'] });
redis.registerFunction('clock', (c) => { const a = Date.now(); c.call('PING'); return [a, Date.now(), new Date().getTime(), c.call('TIME')[0]]; }, { flags: ['no-writes'] });
redis.registerFunction('rand', () => [Math.random(), Math.random(), Math.random()].map(String), { flags: ['no-writes'] });
redis.registerFunction('grow', () => { const a = []; for (let i = 0; ; i++) { a.push(new Array(10000).fill(i)); for (let k = 0; k < 800; k++); } }, { flags: ['no-writes'] });
redis.registerFunction('some', () => new Array(200000).fill(1).length + new ArrayBuffer(1 << 20).byteLength, { flags: ['no-writes'] });
redis.registerFunction('spin', () => { for (;;) {} }, { flags: ['no-writes'] });
`;

/** A spawned server runs on as many threads as the suite's (SHARDIS_TEST_THREADS). */
const THREADS = TEST_THREADS > 1 ? ['--threads', String(TEST_THREADS)] : [];

const err = (r: Reply): string => {
  assert.ok(r instanceof ReplyError, `an error reply, got ${JSON.stringify(r)}`);
  return r.message;
};

describeServer('JavaScript functions', (fx) => {
  test('FUNCTION LOAD / REPLACE / LIST / STATS / DELETE, FCALL and FCALL_RO with ioredis and node-redis', async () => {
    const r = await ioredis(fx().port);
    const n3 = await nodeRedis(fx().port, 3);
    try {
      assert.equal(await r.call('FUNCTION', 'FLUSH'), 'OK');
      assert.equal(await r.call('FUNCTION', 'LOAD', LIB), 'jslib');
      await assert.rejects(r.call('FUNCTION', 'LOAD', LIB), /^ReplyError: ERR Library 'jslib' already exists$/);
      assert.equal(await r.call('FUNCTION', 'LOAD', 'REPLACE', LIB), 'jslib');
      assert.equal(await r.call('FCALL', 'setget', 1, 'js:k', 'v1'), 'v1');
      assert.equal(await r.call('FCALL', 'SETGET', 1, 'js:k', 'v2'), 'v2');
      assert.equal(await r.call('FCALL_RO', 'getro', 1, 'js:k'), 'v2');
      await assert.rejects(r.call('FCALL_RO', 'setget', 1, 'js:k', 'v'), /^ReplyError: ERR Can not execute a script with write flag using \*_ro command\.$/);
      await assert.rejects(r.call('FCALL', 'nosuch', 0), /^ReplyError: ERR Function not found$/);
      assert.equal(await n3.fCall('setget', { keys: ['js:n'], arguments: ['node'] }), 'node');
      assert.equal(await n3.fCallRo('getro', { keys: ['js:n'], arguments: [] }), 'node');

      const list = (await r.call('FUNCTION', 'LIST', 'LIBRARYNAME', 'jslib', 'WITHCODE')) as unknown[][];
      assert.equal(list.length, 1);
      const [lib] = list;
      assert.deepEqual(lib!.slice(0, 4), ['library_name', 'jslib', 'engine', 'JS']);
      assert.equal(lib![4], 'functions');
      const fns = lib![5] as unknown[][];
      assert.deepEqual(fns.map((f) => f[1]), ['setget', 'getro', 'value', 'reply', 'rawargs', 'textargs']);
      assert.deepEqual(fns[0], ['name', 'setget', 'description', null, 'flags', []]);
      assert.deepEqual(fns[1], ['name', 'getro', 'description', 'reads a key', 'flags', ['no-writes']]);
      assert.deepEqual(fns[4], ['name', 'rawargs', 'description', null, 'flags', ['raw-arguments']]);
      assert.deepEqual(lib!.slice(6), ['triggers', [], 'library_code', LIB]);
      const l3 = (await n3.sendCommand(['FUNCTION', 'LIST', 'LIBRARYNAME', 'jslib'])) as Array<Record<string, unknown>>;
      assert.equal(l3[0]!.engine, 'JS');
      assert.deepEqual(l3[0]!.triggers, []);

      const stats = (await n3.sendCommand(['FUNCTION', 'STATS'])) as Record<string, unknown>;
      assert.deepEqual(stats, { running_script: null, engines: { LUA: { libraries_count: 0, functions_count: 0 }, JS: { libraries_count: 1, functions_count: 6 } } });

      assert.equal(await r.call('FUNCTION', 'DELETE', 'jslib'), 'OK');
      await assert.rejects(r.call('FCALL', 'setget', 1, 'js:k', 'v'), /^ReplyError: ERR Function not found$/);
      await assert.rejects(r.call('FUNCTION', 'DELETE', 'jslib'), /^ReplyError: ERR Library not found$/);
      assert.equal(await r.call('FUNCTION', 'LOAD', LIB), 'jslib');
      assert.equal(await r.call('FUNCTION', 'FLUSH', 'SYNC'), 'OK');
      assert.deepEqual(await r.call('FUNCTION', 'LIST'), []);
      assert.deepEqual(await n3.sendCommand(['FUNCTION', 'STATS']), { running_script: null, engines: { LUA: { libraries_count: 0, functions_count: 0 } } });
    } finally {
      r.disconnect();
      await n3.quit();
    }
  });

  test('a failed REPLACE keeps the old library; DUMP / RESTORE of JS libraries', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'FLUSH');
    await c.call('FUNCTION', 'LOAD', LIB);
    await c.call('FUNCTION', 'LOAD', "#!js api_version=1.0 name=other\nredis.registerFunction('otherfn', () => 'other');");
    assert.equal(err(await c.call('FUNCTION', 'LOAD', 'REPLACE', '#!js api_version=1.0 name=jslib\nsyntax error here')), "ERR Error compiling function: SyntaxError: expecting ';' (at jslib:2:8)");
    assert.equal(err(await c.call('FUNCTION', 'LOAD', 'REPLACE', "#!js api_version=1.0 name=jslib\nredis.registerFunction('otherfn', () => 1);")), 'ERR Function otherfn already exists');
    assert.equal(err(await c.call('FUNCTION', 'LOAD', 'REPLACE', "#!js api_version=1.0 name=jslib\nthrow new Error('nope');")), 'ERR Error registering functions: Error: nope (at jslib:2:16)');
    assert.equal(await c.call('FCALL', 'value', 0, '6*7'), 42);
    assert.equal(await c.call('FCALL', 'otherfn', 0), 'other');
    // a working REPLACE swaps it
    assert.equal(await c.call('FUNCTION', 'LOAD', 'REPLACE', "#!js api_version=1.0 name=jslib\nredis.registerFunction('value', () => 'replaced');"), 'jslib');
    assert.equal(await c.call('FCALL', 'value', 0, '1'), 'replaced');

    const dump = (await c.call('FUNCTION', 'DUMP')) as string;
    // the first library of the payload that exists is named
    assert.match(err(await c.call('FUNCTION', 'RESTORE', dump)), /^ERR Library (jslib|other) already exists$/);
    assert.equal(await c.call('FUNCTION', 'FLUSH'), 'OK');
    assert.equal(err(await c.call('FCALL', 'otherfn', 0)), 'ERR Function not found');
    assert.equal(await c.call('FUNCTION', 'RESTORE', dump), 'OK');
    assert.equal(await c.call('FCALL', 'value', 0, '1'), 'replaced');
    assert.equal(await c.call('FCALL', 'otherfn', 0), 'other');
    assert.equal(await c.call('FUNCTION', 'RESTORE', dump, 'REPLACE'), 'OK');
    assert.equal(await c.call('FUNCTION', 'RESTORE', dump, 'FLUSH'), 'OK');
    assert.equal(await c.call('FUNCTION', 'DUMP'), dump);
    assert.equal(await c.call('FCALL', 'otherfn', 0), 'other');
  });

  test('JS values as the RESP2 and RESP3 caller replies, exactly', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'LOAD', 'REPLACE', LIB);
    const cases: Array<[string, string, string]> = [
      ['"text"', '$4\r\ntext\r\n', '$4\r\ntext\r\n'],
      ['"h\u00e9llo \u20ac \ud83d\ude00"', '$15\r\nh\u00c3\u00a9llo \u00e2\u0082\u00ac \u00f0\u009f\u0098\u0080\r\n', '$15\r\nh\u00c3\u00a9llo \u00e2\u0082\u00ac \u00f0\u009f\u0098\u0080\r\n'],
      ['42', ':42\r\n', ':42\r\n'],
      ['-7', ':-7\r\n', ':-7\r\n'],
      ['2**53 - 1', ':9007199254740991\r\n', ':9007199254740991\r\n'],
      ['1.5', '$3\r\n1.5\r\n', ',1.5\r\n'],
      ['2**53', '$16\r\n9007199254740992\r\n', ',9007199254740992\r\n'],
      ['Infinity', '$3\r\ninf\r\n', ',inf\r\n'],
      ['-Infinity', '$4\r\n-inf\r\n', ',-inf\r\n'],
      ['NaN', '$3\r\nnan\r\n', ',nan\r\n'],
      ['2n**70n', ':1180591620717411303424\r\n', ':1180591620717411303424\r\n'],
      ['true', ':1\r\n', '#t\r\n'],
      ['false', ':0\r\n', '#f\r\n'],
      ['null', '$-1\r\n', '_\r\n'],
      ['undefined', '$-1\r\n', '_\r\n'],
      ['[1, ["a", null], []]', '*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n*0\r\n', '*3\r\n:1\r\n*2\r\n$1\r\na\r\n_\r\n*0\r\n'],
      ['new Set(["x", 2])', '*2\r\n$1\r\nx\r\n:2\r\n', '~2\r\n$1\r\nx\r\n:2\r\n'],
      ['new Map([["a", 1], ["b", [true]]])', '*4\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*1\r\n:1\r\n', '%2\r\n$1\r\na\r\n:1\r\n$1\r\nb\r\n*1\r\n#t\r\n'],
      ['{ k: "v", n: 2.5 }', '*4\r\n$1\r\nk\r\n$1\r\nv\r\n$1\r\nn\r\n$3\r\n2.5\r\n', '%2\r\n$1\r\nk\r\n$1\r\nv\r\n$1\r\nn\r\n,2.5\r\n'],
      ['new Uint8Array([0, 255, 65, 0])', '$4\r\n\u0000\u00ffA\u0000\r\n', '$4\r\n\u0000\u00ffA\u0000\r\n'],
      ['new Uint8Array([1, 2, 3, 0]).buffer', '$4\r\n\u0001\u0002\u0003\u0000\r\n', '$4\r\n\u0001\u0002\u0003\u0000\r\n'],
      ['new Error("MYERR returned")', '-MYERR returned (at jslib:7:66)\r\n', '-MYERR returned (at jslib:7:66)\r\n'],
      ['Promise.resolve(1)', '-ERR TypeError: functions must return their result, not a promise\r\n', '-ERR TypeError: functions must return their result, not a promise\r\n'],
      ['Symbol("s")', '-ERR TypeError: a function cannot return a symbol\r\n', '-ERR TypeError: a function cannot return a symbol\r\n'],
    ];
    for (const [expr, resp2] of cases) assert.equal(await c.callRaw('FCALL', 'value', 0, Buffer.from(expr)), resp2, `RESP2 ${expr}`);
    assert.equal(await c.call('HELLO', '3').then((h) => (h as { map: Array<[Reply, Reply]> }).map.find(([k]) => k === 'proto')![1]), 3);
    for (const [expr, , resp3] of cases) assert.equal(await c.callRaw('FCALL', 'value', 0, Buffer.from(expr)), resp3, `RESP3 ${expr}`);

    const n3 = await nodeRedis(fx().port, 3);
    const n2 = await nodeRedis(fx().port, 2);
    const r = await ioredis(fx().port);
    try {
      assert.deepEqual(await n3.sendCommand(['FCALL', 'value', '0', '{ a: [1, 1.5, true, null], s: new Set(["m"]) }']), { a: [1, 1.5, true, null], s: ['m'] });
      assert.deepEqual(await n2.sendCommand(['FCALL', 'value', '0', '{ a: [1, 1.5, true, null] }']), ['a', [1, '1.5', 1, null]]);
      assert.deepEqual(await r.call('FCALL', 'value', 0, '["\u00e9\u20ac\ud83d\ude00", 2n**40n]'), ['\u00e9\u20ac\ud83d\ude00', 1099511627776]);
      await assert.rejects(r.call('FCALL', 'value', 0, 'new Error("CODE text")'), /^ReplyError: CODE text \(at jslib:7:66\)$/);
    } finally {
      await n3.quit();
      await n2.quit();
      r.disconnect();
    }
  });

  test('Redis replies as JS values (client.call runs with RESP3)', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'LOAD', 'REPLACE', LIB);
    await c.call('DEL', 'jsr:s', 'jsr:h', 'jsr:z', 'jsr:n', 'jsr:bad', 'jsr:u', 'jsr:set');
    await c.call('SET', 'jsr:bad', Buffer.from([0x61, 0xff, 0x62]));
    await c.call('SET', 'jsr:u', Buffer.from('\u00e9\u20ac', 'utf8'));
    const seen = async (...cmd: string[]): Promise<Reply> => c.call('FCALL', 'reply', 0, ...cmd);
    assert.deepEqual(await seen('SET', 'jsr:s', 'x'), ['string', '[object String]', '"OK"']);
    assert.deepEqual(await seen('GET', 'jsr:s'), ['string', '[object String]', '"x"']);
    assert.deepEqual(await seen('GET', 'jsr:none'), ['object', '[object Null]', 'null']);
    assert.deepEqual(await seen('INCRBY', 'jsr:n', '5'), ['number', '[object Number]', '5']);
    assert.deepEqual(await seen('INCRBY', 'jsr:n', '9007199254740990'), ['bigint', '[object BigInt]', '"9007199254740995n"']);
    assert.deepEqual(await seen('HSET', 'jsr:h', 'f', 'v', 'g', 'w'), ['number', '[object Number]', '2']);
    assert.deepEqual(await seen('HGETALL', 'jsr:h'), ['object', '[object Object]', '{"f":"v","g":"w"}']);
    assert.deepEqual(await seen('ZADD', 'jsr:z', '1.5', 'a'), ['number', '[object Number]', '1']);
    assert.deepEqual(await seen('ZSCORE', 'jsr:z', 'a'), ['number', '[object Number]', '1.5']);
    assert.deepEqual(await seen('ZINCRBY', 'jsr:z', 'inf', 'a'), ['number', '[object Number]', '"Infinity"']);
    assert.deepEqual(await seen('SADD', 'jsr:set', 'm'), ['number', '[object Number]', '1']);
    assert.deepEqual(await seen('SMEMBERS', 'jsr:set'), ['object', '[object Array]', '["m"]']);
    assert.deepEqual(await seen('EXISTS', 'jsr:s'), ['number', '[object Number]', '1']);
    assert.deepEqual(await seen('GET', 'jsr:u'), ['string', '[object String]', '"\u00c3\u00a9\u00e2\u0082\u00ac"'], 'UTF-8 decoded (read back as latin1 bytes)');
    assert.deepEqual(await seen('GET', 'jsr:bad'), ['string', '[object String]', '"a\u00ef\u00bf\u00bdb"'], 'invalid UTF-8 becomes U+FFFD');
    assert.equal(err(await seen('LPUSH', 'jsr:s', 'x')), 'WRONGTYPE Operation against a key holding the wrong kind of value');
    // INFO is a verbatim string in RESP3: its text
    const infoSeen = (await seen('INFO', 'keyspace')) as string[];
    assert.deepEqual(infoSeen.slice(0, 2), ['string', '[object String]']);
    assert.match(JSON.parse(infoSeen[2]!) as string, /^# Keyspace\r\ndb0:keys=\d+/);
  });

  test('binary-safe arguments: raw-arguments, callRaw, bytes 0x00 and 0xff; unicode strings', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'LOAD', 'REPLACE', LIB);
    const key = Buffer.from([0x6b, 0x00, 0xff, 0x01]);
    const val = Buffer.from([0xff, 0x00, 0xfe, 0x0d, 0x0a, 0x00]);
    assert.equal(await c.callRaw('FCALL', 'rawargs', 1, key, val), `*6\r\n:1\r\n:1\r\n:6\r\n:1\r\n$6\r\n${val.toString('latin1')}\r\n:255\r\n`);
    assert.equal(await c.callRaw('GET', key), `$6\r\n${val.toString('latin1')}\r\n`);
    // text arguments are UTF-8 decoded, and encoded back
    const word = 'z\u00e9\u20ac\ud83d\ude00\u0000';
    await c.call('SET', 'jsu', Buffer.from(word, 'utf8'));
    const utf8 = Buffer.from(word, 'utf8').toString('latin1');
    assert.equal(await c.callRaw('FCALL', 'textargs', 1, 'jsu', Buffer.from(word, 'utf8')), `*4\r\n$11\r\n${utf8}\r\n:6\r\n*5\r\n:122\r\n:233\r\n:8364\r\n:128512\r\n:0\r\n$11\r\n${utf8}\r\n`);
    const r = await ioredis(fx().port);
    try {
      const out = (await r.callBuffer('FCALL', 'rawargs', 1, key, val)) as Buffer[];
      assert.deepEqual(out[4], val);
      assert.deepEqual(await r.call('FCALL', 'textargs', 1, 'jsu', word), [word, 6, [122, 233, 8364, 128512, 0], word]);
    } finally {
      r.disconnect();
    }
  });

  test('errors: thrown with line numbers, Redis errors passed through, arity and unknown commands, load errors', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'LOAD', 'REPLACE', THROWS);
    await c.call('SET', 'jsstr', 'v');
    const call = async (name: string): Promise<string> => c.callRaw('FCALL', name, 0);
    assert.equal(await call('coded'), '-MYCODE something bad (at throws:2:56)\r\n');
    assert.equal(await call('plain'), '-ERR plain failure (at throws:4:18)\r\n');
    assert.equal(await call('nullprop'), "-ERR TypeError: cannot read property 'y' of null (at throws:6:68)\r\n");
    assert.equal(await call('passthru'), '-WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    assert.equal(await call('caught'), '$73\r\ncaught: WRONGTYPE Operation against a key holding the wrong kind of value\r\n');
    assert.equal(await call('arity'), '-ERR Wrong number of args calling Redis command from script\r\n');
    assert.equal(await call('unknown'), '-ERR Unknown Redis command called from script\r\n');
    assert.equal(await call('promise'), '-ERR TypeError: functions must return their result, not a promise\r\n');
    assert.equal(await call('rerr'), '-RETURNED as a value (at throws:12:47)\r\n');

    const load = async (code: string): Promise<string> => err(await c.call('FUNCTION', 'LOAD', code));
    const hdr = '#!js api_version=1.0 name=bad\n';
    assert.equal(await load(`${hdr}redis.registerFunction('a', () => 1`), "ERR Error compiling function: SyntaxError: expecting ',' (at bad:2:36)");
    assert.equal(await load(`${hdr}\n\nredis.registerFunction('a', () => 1, { flags: ['bogus'] });`), 'ERR Error registering functions: Error: unknown flag given: bogus (at bad:4:23)');
    assert.equal(await load(`${hdr}redis.registerFunction('a', 5);`), 'ERR Error registering functions: TypeError: the function callback must be a function (at bad:2:23)');
    assert.equal(await load(`${hdr}redis.registerFunction('a b', () => 1);`), 'ERR Error registering functions: Error: Library names can only contain letters, numbers, or underscores(_) and must be at least one character long (at bad:2:23)');
    assert.equal(await load(`${hdr}let x = 1;\nx.y.z = 2;`), "ERR Error registering functions: TypeError: cannot set property 'z' of undefined (at bad:3:4)");
    assert.equal(await load(`${hdr}redis.registerFunction('coded', () => 1);`), 'ERR Function coded already exists');
    assert.equal(await load(`${hdr}1;`), 'ERR No functions registered');
    assert.equal(await load("#!js api_version=2.0 name=bad\nredis.registerFunction('a', () => 1);"), 'ERR Unsupported api_version 2.0 (shardis supports 1.0)');
    assert.equal(await load("#!jsx name=bad\nredis.registerFunction('a', () => 1);"), "ERR Engine 'jsx' not found");
    assert.equal(await load("#!js api_version=1.0 name=bad foo=bar\nredis.registerFunction('a', () => 1);"), 'ERR Invalid metadata value given: foo=bar');
    assert.equal(await load("#!js api_version=1.0\nredis.registerFunction('a', () => 1);"), 'ERR Library name was not given');
    assert.equal(err(await c.call('FUNCTION', 'LOAD', `${hdr}for (;;) {}`)), 'ERR Error registering functions: FUNCTION LOAD timeout');
    assert.equal(await c.call('PING'), 'PONG');
    assert.equal(err(await c.call('FCALL', 'a', 0)), 'ERR Function not found');
  });

  test('in MULTI, SELECT inside a function, maxmemory and allow-oom, commands not allowed from scripts, stack overflow', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'LOAD', 'REPLACE', `#!js api_version=1.0 name=misc
redis.registerFunction('run', (c, k, a) => c.call(...a));
redis.registerFunction('runoom', (c, k, a) => c.call(...a), { flags: ['allow-oom'] });
redis.registerFunction('indb1', (c) => { c.call('SELECT', '1'); c.call('SET', 'js:db1', 'one'); return c.call('GET', 'js:db1'); });
redis.registerFunction('rec', () => { const f = (n) => f(n + 1); return f(0); }, { flags: ['no-writes'] });`);
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('FCALL', 'run', 0, 'SET', 'js:m', '1'), 'QUEUED');
    assert.equal(await c.call('FCALL', 'run', 0, 'INCR', 'js:m'), 'QUEUED');
    assert.deepEqual(await c.call('EXEC'), ['OK', 2]);
    assert.equal(await c.call('FCALL', 'indb1', 0), 'one');
    assert.equal(await c.call('GET', 'js:db1'), null, "the caller's database is unchanged");
    assert.equal(await c.call('SELECT', '1'), 'OK');
    assert.equal(await c.call('GET', 'js:db1'), 'one');
    assert.equal(await c.call('SELECT', '0'), 'OK');
    for (const cmd of [['FCALL', 'run', '0'], ['EVAL', 'return 1', '0'], ['MULTI'], ['SUBSCRIBE', 'ch'], ['FUNCTION', 'LIST']]) {
      assert.equal(err(await c.call('FCALL', 'run', 0, ...cmd)), 'ERR This Redis command is not allowed from script', cmd.join(' '));
    }
    assert.equal(await c.callRaw('FCALL', 'rec', 0), '-ERR InternalError: stack overflow (at misc:5:57)\r\n');
    assert.equal(await c.call('CONFIG', 'SET', 'maxmemory', '1'), 'OK');
    try {
      assert.equal(err(await c.call('FCALL', 'run', 0, 'SET', 'js:m', '2')), "OOM command not allowed when used memory > 'maxmemory'.");
      assert.equal(await c.call('FCALL', 'runoom', 0, 'SET', 'js:m', '3'), 'OK');
    } finally {
      await c.call('CONFIG', 'SET', 'maxmemory', '0');
    }
    assert.equal(await c.call('GET', 'js:m'), '3');
  });

  test('ACL: a user without +get gets the ACL failure; CLIENT PAUSE WRITE lets a no-writes FCALL run', async () => {
    const admin = await fx().client();
    await admin.call('FUNCTION', 'LOAD', 'REPLACE', LIB);
    await admin.call('SET', 'js:acl', 'secret');
    assert.equal(await admin.call('ACL', 'SETUSER', 'jsnoget', 'on', '>pw', '~*', '+@all', '-get'), 'OK');
    const u = await fx().client();
    try {
      assert.equal(await u.call('AUTH', 'jsnoget', 'pw'), 'OK');
      assert.equal(await u.callRaw('FCALL', 'getro', 1, 'js:acl'), "-ERR ACL failure in script: User jsnoget has no permissions to run the 'get' command\r\n");
      assert.equal(await u.call('FCALL', 'value', 0, '1'), 1);
      const log = (await admin.call('ACL', 'LOG', '1')) as Reply[][];
      assert.deepEqual(log[0]!.slice(0, 8), ['count', 1, 'reason', 'command', 'context', 'lua', 'object', 'get']);
    } finally {
      await admin.call('ACL', 'DELUSER', 'jsnoget');
    }
    const w = await fx().client();
    assert.equal(await admin.call('CLIENT', 'PAUSE', '2000', 'WRITE'), 'OK');
    try {
      assert.equal(await w.call('FCALL_RO', 'getro', 1, 'js:acl'), 'secret');
      assert.equal(await w.call('FCALL', 'getro', 1, 'js:acl'), 'secret');
      w.send('FCALL', 'setget', 1, 'js:acl', 'paused');
      await sleep(150);
      assert.equal(w.pending(), '', 'a write function waits out the pause');
    } finally {
      assert.equal(await admin.call('CLIENT', 'UNPAUSE'), 'OK');
    }
    assert.equal(await w.read(), 'paused');
  });

  test('BUSY past busy-reply-threshold, FUNCTION STATS, FUNCTION KILL', async () => {
    const a = await fx().client();
    const b = await fx().client();
    await b.call('FUNCTION', 'LOAD', 'REPLACE', SANDBOX);
    await b.call('CONFIG', 'SET', 'busy-reply-threshold', '100');
    try {
      a.send('FCALL', 'spin', 0);
      let busy: Reply = null;
      for (let i = 0; i < 200 && !(busy instanceof ReplyError); i++) {
        await sleep(20);
        busy = await b.call('GET', 'x');
      }
      assert.equal(err(busy), 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.');
      const running = ((await b.call('FUNCTION', 'STATS')) as Reply[])[1] as Reply[];
      assert.deepEqual(running.slice(0, 5), ['name', 'spin', 'command', ['FCALL', 'spin', '0'], 'duration_ms']);
      assert.ok(typeof running[5] === 'number' && running[5] >= 100, String(running[5]));
      assert.equal(await b.call('FUNCTION', 'KILL'), 'OK');
      assert.equal(err(await a.read()), 'ERR Script killed by user with SCRIPT KILL...');
      assert.equal(await b.call('PING'), 'PONG');
      assert.equal(err(await b.call('FUNCTION', 'KILL')), 'NOTBUSY No scripts in execution right now.');
      assert.deepEqual(await a.call('FCALL', 'globals', 0), ['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
    } finally {
      await b.call('CONFIG', 'SET', 'busy-reply-threshold', '5000');
    }
  });

  test('sandbox: no host globals, a frozen clock at the server time, a repeatable Math.random, the memory limit', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'LOAD', 'REPLACE', SANDBOX);
    assert.deepEqual(await c.call('FCALL', 'globals', 0), ['undefined', 'undefined', 'undefined', 'undefined', 'undefined', 'undefined']);
    const before = Date.now();
    const [a, b, d, secs] = (await c.call('FCALL', 'clock', 0)) as [number, number, number, string];
    assert.equal(a, b);
    assert.equal(a, d);
    assert.ok(a >= before - 1000 && a <= Date.now() + 1000, `${a} is the server's time`);
    assert.equal(Math.floor(a / 1000), Number(secs));
    const r1 = await c.call('FCALL', 'rand', 0);
    const r2 = await c.call('FCALL', 'rand', 0);
    assert.deepEqual(r1, r2);
    assert.equal(new Set(r1 as string[]).size, 3);

    assert.equal(await c.call('CONFIG', 'SET', 'js-memory-limit', '8mb'), 'OK');
    try {
      assert.equal(await c.call('FUNCTION', 'LOAD', 'REPLACE', SANDBOX), 'sandbox');
      assert.equal(await c.callRaw('FCALL', 'grow', 0), '-ERR InternalError: out of memory (over js-memory-limit)\r\n');
      assert.equal(await c.call('FCALL', 'some', 0), 200000 + (1 << 20), 'what fits runs');
      assert.equal(await c.call('PING'), 'PONG');
      assert.deepEqual(await c.call('FCALL', 'rand', 0), r1);
      const grow = "#!js api_version=1.0 name=sandbox\nconst a = [];\nfor (let i = 0; ; i++) { a.push(new Array(10000).fill(i)); for (let k = 0; k < 800; k++); }";
      assert.equal(err(await c.call('FUNCTION', 'LOAD', 'REPLACE', grow)), 'ERR Error registering functions: InternalError: out of memory (over js-memory-limit)');
      assert.equal(await c.call('PING'), 'PONG');
      assert.deepEqual(await c.call('FCALL', 'rand', 0), r1, 'the old library still runs');
    } finally {
      await c.call('CONFIG', 'SET', 'js-memory-limit', '64mb');
    }
  });

  test('DEBUG RELOAD keeps JS libraries', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'FLUSH');
    await c.call('FUNCTION', 'LOAD', LIB);
    assert.equal(await c.call('FCALL', 'setget', 1, 'js:reload', 'kept'), 'kept');
    assert.equal(await c.call('DEBUG', 'RELOAD'), 'OK');
    assert.equal(await c.call('FCALL_RO', 'getro', 1, 'js:reload'), 'kept');
    const list = (await c.call('FUNCTION', 'LIST', 'WITHCODE')) as Reply[][];
    assert.deepEqual([list[0]![1], list[0]![3], list[0]![9]], ['jslib', 'JS', LIB]);
  });

  test('the replication stream carries FUNCTION LOAD and an FCALL as its effects', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'FLUSH');
    const repl = await syncedStream(fx().port);
    await c.call('FUNCTION', 'LOAD', LIB);
    assert.equal(await c.call('FCALL', 'setget', 1, 'js:eff', 'e'), 'e');
    assert.equal(await c.call('FCALL_RO', 'getro', 1, 'js:eff'), 'e');
    await sleep(100);
    const stream = repl.pending();
    assert.ok(stream.includes(`$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n$${Buffer.byteLength(LIB)}\r\n${LIB}\r\n`), 'FUNCTION LOAD is replicated');
    assert.ok(stream.endsWith('*3\r\n$3\r\nSET\r\n$6\r\njs:eff\r\n$1\r\ne\r\n'), JSON.stringify(stream.slice(-200)));
    assert.ok(!stream.includes('FCALL'), 'FCALL itself is not replicated, its effects are');
    repl.close();
  });

  test('a replica gets the JS library and FCALL writes as effects', async () => {
    const c = await fx().client();
    await c.call('FUNCTION', 'FLUSH');
    await c.call('FLUSHALL');
    const replica = await startServer({ port: 0, shards: 4, config: { replicaof: `127.0.0.1 ${fx().port}` } });
    const rc = await RespClient.connect(replica.port);
    try {
      await c.call('FUNCTION', 'LOAD', LIB);
      for (let i = 0; i < 20; i++) await c.call('FCALL', 'setget', 1, `js:rep:${i}`, `v${i}`);
      await c.call('FCALL', 'rawargs', 1, Buffer.from([0, 0xff]), Buffer.from([0xff, 0]));
      await settle(c, rc);
      const keys = ((await c.call('KEYS', '*')) as string[]).sort();
      assert.equal(keys.length, 21);
      assert.deepEqual(((await rc.call('KEYS', '*')) as string[]).sort(), keys);
      assert.equal(await rc.call('DEBUG', 'DIGEST'), await c.call('DEBUG', 'DIGEST'));
      assert.equal(await rc.call('GET', 'js:rep:7'), 'v7');
      assert.equal(await rc.callRaw('GET', Buffer.from([0, 0xff])), '$2\r\n\u00ff\u0000\r\n');
      assert.equal(await rc.call('FCALL_RO', 'getro', 1, 'js:rep:3'), 'v3');
      assert.equal(err(await rc.call('FCALL', 'setget', 1, 'js:rep:3', 'x')), "READONLY You can't write against a read only replica.");
      const list = (await rc.call('FUNCTION', 'LIST', 'WITHCODE')) as Reply[][];
      assert.equal(list[0]![9], LIB);
    } finally {
      rc.close();
      await replica.close();
    }
  });
});

test('a JS library survives a restart from RDB and from AOF', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-js-'));
  try {
    const first = await startShardisProcess(THREADS, undefined, dir);
    let c = await RespClient.connect(first.port);
    await c.call('FUNCTION', 'LOAD', LIB);
    await c.call('FCALL', 'setget', 1, 'js:rdb', 'saved');
    assert.equal(await c.call('SAVE'), 'OK');
    c.send('SHUTDOWN');
    await c.waitClosed();
    const second = await startShardisProcess(THREADS, first.port, dir);
    c = await RespClient.connect(second.port);
    assert.equal(await c.call('FCALL_RO', 'getro', 1, 'js:rdb'), 'saved');
    assert.equal(await c.call('FCALL', 'setget', 1, 'js:rdb', 'again'), 'again');
    c.close();
    await second.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const aofDir = mkdtempSync(join(tmpdir(), 'shardis-js-aof-'));
  try {
    const args = [...THREADS, '--appendonly', 'yes', '--appendfsync', 'always'];
    const first = await startShardisProcess(args, undefined, aofDir);
    let c = await RespClient.connect(first.port);
    await c.call('FUNCTION', 'LOAD', LIB);
    await c.call('FCALL', 'setget', 1, 'js:aof', 'logged');
    c.close();
    first.signal('SIGKILL');
    await sleep(200);
    const second = await startShardisProcess(args, first.port, aofDir);
    c = await RespClient.connect(second.port);
    await until(async () => (await c.call('FUNCTION', 'LIST')) instanceof Array && ((await c.call('FUNCTION', 'LIST')) as Reply[]).length === 1, 'the AOF is loaded');
    assert.equal(await c.call('FCALL_RO', 'getro', 1, 'js:aof'), 'logged');
    assert.equal(((await c.call('FUNCTION', 'LIST', 'WITHCODE')) as Reply[][])[0]![9], LIB);
    c.close();
    await second.stop();
  } finally {
    rmSync(aofDir, { recursive: true, force: true });
  }
});

test('FUNCTION KILL of a function that wrote: UNKILLABLE, and SHUTDOWN NOSAVE ends it', async () => {
  const p = await startShardisProcess([...THREADS, '--busy-reply-threshold', '100']);
  try {
    const a = await RespClient.connect(p.port);
    const b = await RespClient.connect(p.port);
    await a.call('FUNCTION', 'LOAD', "#!js api_version=1.0 name=wl\nredis.registerFunction('wloop', (c) => { c.call('SET', 'js:w', '1'); for (;;) {} });");
    a.send('FCALL', 'wloop', 0);
    let busy: Reply = null;
    for (let i = 0; i < 200 && !(busy instanceof ReplyError); i++) {
      await sleep(20);
      busy = await b.call('PING');
    }
    assert.equal(err(busy), 'BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.');
    assert.equal(
      err(await b.call('FUNCTION', 'KILL')),
      'UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.',
    );
    b.send('SHUTDOWN', 'NOSAVE');
    await b.waitClosed(10_000);
    await a.waitClosed(10_000);
  } finally {
    await p.stop();
  }
});
