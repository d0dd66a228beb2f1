import { test } from 'node:test';
import assert from 'node:assert/strict';
import { watchKeyEvents } from '../helpers/keyspace.ts';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { ReplyError, RespClient } from '../helpers/resp-client.ts';
import { RESP_TYPES } from 'redis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds (polling), failing after 5 s. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (check()) return;
    await sleep(20);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describeServer('strings', (fx) => {
  test('ioredis: SET options, GET, counters, ranges', async () => {
    const r = await ioredis(fx().port);
    try {
      assert.equal(await r.set('s:a', 'hello'), 'OK');
      assert.equal(await r.get('s:a'), 'hello');
      assert.equal(await r.set('s:a', 'x', 'NX'), null);
      assert.equal(await r.set('s:a', 'world', 'XX', 'GET'), 'hello');
      assert.equal(await r.set('s:b', 'v', 'EX', 100), 'OK');
      assert.ok((await r.ttl('s:b')) > 98);
      assert.equal(await r.set('s:b', 'w', 'KEEPTTL'), 'OK');
      assert.ok((await r.pttl('s:b')) > 98000);
      assert.equal(await r.set('s:b', 'w'), 'OK');
      assert.equal(await r.ttl('s:b'), -1);
      assert.equal(await r.set('s:b', 'v', 'PX', 100000, 'GET'), 'w');
      assert.ok((await r.pttl('s:b')) > 90000);
      const at = Math.floor(Date.now() / 1000) + 1000;
      assert.equal(await r.call('SET', 's:c', 'v', 'EXAT', String(at)), 'OK');
      assert.equal(await r.call('EXPIRETIME', 's:c'), at);
      assert.equal(await r.call('SET', 's:c', 'v', 'PXAT', String(at * 1000 + 5)), 'OK');
      assert.equal(await r.call('PEXPIRETIME', 's:c'), at * 1000 + 5);
      await assert.rejects(r.set('s:b', 'v', 'EX', 0), /^ReplyError: ERR invalid expire time in 'set' command$/);
      await assert.rejects(r.call('SET', 's:b', 'v', 'EX', '10', 'PX', '10'), /^ReplyError: ERR syntax error$/);
      await assert.rejects(r.call('SET', 's:b', 'v', 'EX', '1.5'), /^ReplyError: ERR value is not an integer or out of range$/);
      await assert.rejects(r.call('SET', 's:b', 'v', 'PX', '9223372036854775807'), /invalid expire time in 'set'/);
      assert.equal(await r.incr('s:n'), 1);
      assert.equal(await r.incrby('s:n', 41), 42);
      assert.equal(await r.decrby('s:n', 2), 40);
      assert.equal(await r.decr('s:n'), 39);
      assert.equal(await r.incrbyfloat('s:f', '10.5'), '10.5');
      assert.equal(await r.incrbyfloat('s:f', '0.1'), '10.6');
      await r.set('s:big', '9223372036854775807');
      await assert.rejects(r.incr('s:big'), /^ReplyError: ERR increment or decrement would overflow$/);
      await assert.rejects(r.incr('s:a'), /^ReplyError: ERR value is not an integer or out of range$/);
      assert.equal(await r.append('s:a', '!'), 6);
      assert.equal(await r.strlen('s:a'), 6);
      assert.equal(await r.getrange('s:a', 0, 2), 'wor');
      assert.equal(await r.getrange('s:a', -3, -1), 'ld!');
      assert.equal(await r.call('SUBSTR', 's:a', '1', '-2'), 'orld');
      assert.equal(await r.setrange('s:r', 5, 'x'), 6);
      assert.equal(await r.get('s:r'), '\0\0\0\0\0x');
      assert.deepEqual(await r.mget('s:a', 'missing', 's:n'), ['world!', null, '39']);
      assert.equal(await r.msetnx('s:a', '1', 's:new', '2'), 0);
      assert.equal(await r.exists('s:new'), 0);
      assert.equal(await r.getdel('s:n'), '39');
      assert.equal(await r.exists('s:n'), 0);
      assert.equal(await r.getex('s:a', 'PX', 5000), 'world!');
      assert.ok((await r.pttl('s:a')) > 4000);
      assert.equal(await r.getex('s:a', 'PERSIST'), 'world!');
      assert.equal(await r.ttl('s:a'), -1);
      assert.equal(await r.getset('s:a', 'again'), 'world!');
      assert.equal(await r.setnx('s:a', 'no'), 0);
      assert.equal(await r.setnx('s:fresh', 'yes'), 1);
      assert.equal(await r.setex('s:ex', 100, 'v'), 'OK');
      assert.equal(await r.psetex('s:px', 100000, 'v'), 'OK');
      assert.ok((await r.ttl('s:px')) > 98);
      await assert.rejects(r.setex('s:ex', -1, 'v'), /^ReplyError: ERR invalid expire time in 'setex' command$/);
      await assert.rejects(r.psetex('s:ex', 0, 'v'), /^ReplyError: ERR invalid expire time in 'psetex' command$/);
      await r.rpush('s:list', 'x');
      await assert.rejects(r.get('s:list'), /^ReplyError: WRONGTYPE Operation against a key holding the wrong kind of value$/);
      await assert.rejects(r.set('s:list', 'v', 'GET'), /WRONGTYPE/);
      assert.equal(await r.llen('s:list'), 1);
      assert.deepEqual(await r.mget('s:list', 's:a'), [null, 'again']);
    } finally {
      r.disconnect();
    }
  });

  test('node-redis RESP3: LCS, SETEX, binary values', async () => {
    const c = await nodeRedis(fx().port, 3);
    try {
      await c.mSet({ 'lcs:{1}a': 'ohmytext', 'lcs:{1}b': 'mynewtext' });
      assert.equal(await c.sendCommand(['LCS', 'lcs:{1}a', 'lcs:{1}b']), 'mytext');
      assert.equal(await c.sendCommand(['LCS', 'lcs:{1}a', 'lcs:{1}b', 'LEN']), 6);
      const idx = await c.sendCommand(['LCS', 'lcs:{1}a', 'lcs:{1}b', 'IDX', 'MINMATCHLEN', '2', 'WITHMATCHLEN']);
      assert.deepEqual(idx, { matches: [[[4, 7], [5, 8], 4], [[2, 3], [0, 1], 2]], len: 6 });
      await c.setEx('sx', 10, 'v');
      assert.ok((await c.ttl('sx')) > 8);
      const bin = Buffer.from([0, 1, 2, 255, 13, 10]);
      await c.set('bin', bin);
      const back = await c.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get('bin');
      assert.ok(Buffer.isBuffer(back));
      assert.deepEqual([...(back as Buffer)], [...bin]);
      assert.equal(await c.get('nothing'), null);
      assert.deepEqual(await c.mGet(['bin', 'nothing', 'sx']), [bin.toString(), null, 'v']);
      assert.equal(await c.getEx('sx', { type: 'PERSIST' }), 'v');
      assert.equal(await c.ttl('sx'), -1);
      assert.equal(await c.getDel('sx'), 'v');
      const e308 = await c.sendCommand(['INCRBYFLOAT', 'fl', '1e308']);
      assert.equal(e308, '99999999999999999996685879655845645660560099847415567207797047994921734868838061872100126921888539320446747225054013223152134749593960583597420814430196418767959100019603190778663109604507106667939153395788938914560543563061268364901618630217086589253444881623791300855757318142424510452728255046343928578048');
      // beyond double range, still finite in long double
      assert.match(String(await c.sendCommand(['INCRBYFLOAT', 'fl', '1e308'])), /^19999999999999999999337\d{286}$/);
      assert.equal(await c.sendCommand(['INCRBYFLOAT', 'fl2', '0x1p-2']), '0.25');
      assert.equal(await c.set('k', 'v', { NX: true }), 'OK');
      assert.equal(await c.set('k', 'w', { NX: true }), null);
      assert.equal(await c.set('k', 'w', { GET: true }), 'v');
    } finally {
      c.destroy();
    }
  });

  test('raw RESP: exact replies in RESP2 and RESP3', async () => {
    const c = await fx().client();
    assert.equal(await c.callRaw('SET', 'raw', '1'), '+OK\r\n');
    assert.equal(await c.callRaw('GET', 'nope'), '$-1\r\n');
    assert.equal(await c.callRaw('SET', 'raw', '2', 'NX'), '$-1\r\n');
    assert.equal(await c.callRaw('INCRBY', 'raw', '5'), ':6\r\n');
    assert.equal(await c.callRaw('INCRBYFLOAT', 'raw', '0.5'), '$3\r\n6.5\r\n');
    assert.equal(await c.callRaw('MGET', 'raw', 'nope'), '*2\r\n$3\r\n6.5\r\n$-1\r\n');
    assert.equal(await c.callRaw('GETRANGE', 'nope', '0', '-1'), '$0\r\n\r\n');
    assert.equal(await c.callRaw('MSET', 'lcsa', 'ohmytext', 'lcsb', 'mynewtext'), '+OK\r\n');
    const idx2 = '*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n';
    assert.equal(await c.callRaw('LCS', 'lcsa', 'lcsb', 'IDX'), idx2);
    const e = await c.call('GET');
    assert.ok(e instanceof ReplyError && e.message === "ERR wrong number of arguments for 'get' command");
    const m = await c.call('MSET', 'a', '1', 'b');
    assert.ok(m instanceof ReplyError && m.message === "ERR wrong number of arguments for 'mset' command");
    await c.call('HELLO', '3');
    assert.equal(await c.callRaw('GET', 'nope'), '_\r\n');
    assert.equal(await c.callRaw('SET', 'raw', '2', 'NX'), '_\r\n');
    assert.equal(await c.callRaw('MGET', 'nope'), '*1\r\n_\r\n');
    assert.equal(await c.callRaw('LCS', 'lcsa', 'lcsb', 'IDX'), '%2' + idx2.slice(2));
    assert.equal(await c.callRaw('LCS', 'lcsa', 'lcsb', 'IDX', 'MINMATCHLEN', '3', 'WITHMATCHLEN'),
      '%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n');
    await c.call('HELLO', '2');
  });

  test('APPEND and SETRANGE make raw values that grow in place and stay binary-safe', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.set('raw:a', '12');
      assert.equal(await r.object('ENCODING', 'raw:a'), 'int');
      assert.equal(await r.append('raw:a', '3'), 3);
      assert.equal(await r.object('ENCODING', 'raw:a'), 'raw');
      assert.equal(await r.incr('raw:a'), 124);
      assert.equal(await r.object('ENCODING', 'raw:a'), 'int');
      assert.equal(await r.append('raw:new', 'abc'), 3);
      assert.equal(await r.object('ENCODING', 'raw:new'), 'embstr');
      assert.equal(await r.setrange('raw:sr', 0, 'ab'), 2);
      assert.equal(await r.object('ENCODING', 'raw:sr'), 'raw');
      assert.equal(await r.setrange('raw:sr', 0, ''), 2);
      assert.equal(await r.exists('raw:none'), 0);
      assert.equal(await r.setrange('raw:none', 10, ''), 0);
      assert.equal(await r.exists('raw:none'), 0);

      // many appends: the value must equal the concatenation, with bytes of every value
      let expect = Buffer.alloc(0);
      for (let i = 0; i < 300; i++) {
        const chunk = Buffer.from([i & 255, 0, 13, 10, 255 - (i & 255)]);
        expect = Buffer.concat([expect, chunk]);
        assert.equal(await r.append('raw:log', chunk), expect.length);
        if (i === 150) {
          // a copy taken midway must not see later appends nor share memory
          assert.equal(await r.copy('raw:log', 'raw:copy'), 1);
        }
      }
      assert.deepEqual(await r.getBuffer('raw:log'), expect);
      assert.equal(await r.strlen('raw:copy'), 151 * 5);
      assert.equal(await r.append('raw:copy', 'Z'), 151 * 5 + 1);
      assert.deepEqual(await r.getBuffer('raw:log'), expect);
      assert.deepEqual((await r.getBuffer('raw:copy'))?.subarray(0, 151 * 5), expect.subarray(0, 151 * 5));

      // SETRANGE in place, past the end (zero padded) and GETRANGE on raw values
      assert.equal(await r.setrange('raw:log', 2, 'XY'), expect.length);
      expect.write('XY', 2, 'latin1');
      assert.equal(await r.setrange('raw:log', expect.length + 3, 'end'), expect.length + 6);
      expect = Buffer.concat([expect, Buffer.from([0, 0, 0]), Buffer.from('end')]);
      assert.deepEqual(await r.getBuffer('raw:log'), expect);
      assert.deepEqual(await r.getrangeBuffer('raw:log', -5, -1), expect.subarray(-5));
      assert.deepEqual(await r.getrangeBuffer('raw:log', 1, 9), expect.subarray(1, 10));
      assert.deepEqual((await r.mgetBuffer('raw:log', 'nope'))[0], expect);
      assert.deepEqual(await r.getdelBuffer('raw:log'), expect);
      assert.equal(await r.exists('raw:log'), 0);

      // SETBIT values (Buffers made elsewhere) append correctly too
      await r.setbit('raw:bits', 7, 1);
      assert.equal(await r.append('raw:bits', 'x'), 2);
      assert.deepEqual(await r.getBuffer('raw:bits'), Buffer.from([1, 120]));
      assert.equal(await r.setrange('raw:bits', 0, 'A'), 2);
      assert.equal(await r.get('raw:bits'), 'Ax');
      await r.set('raw:ttl', 'v', 'EX', 100);
      await r.append('raw:ttl', 'w');
      await r.setrange('raw:ttl', 5, 'z');
      assert.ok((await r.ttl('raw:ttl')) > 90);
      assert.equal(await r.getex('raw:ttl', 'PERSIST'), 'vw\0\0\0z');
      assert.equal(await r.getset('raw:ttl', 'plain'), 'vw\0\0\0z');
    } finally {
      r.disconnect();
    }
  });

  test('counters: exact int64 with overflow checks; INCRBYFLOAT in long double', async () => {
    const c = await fx().client();
    await c.call('SET', 'cnt', '9007199254740991');
    assert.equal(await c.callRaw('INCR', 'cnt'), ':9007199254740992\r\n');
    assert.equal(await c.callRaw('INCR', 'cnt'), ':9007199254740993\r\n');
    assert.equal(await c.callRaw('INCRBY', 'cnt', '9223372036854775807'), '-ERR increment or decrement would overflow\r\n');
    assert.equal(await c.callRaw('DECRBY', 'cnt', '-9223372036854775808'), '-ERR decrement would overflow\r\n');
    assert.equal(await c.callRaw('INCRBY', 'cnt', '-18014398509481986'), ':-9007199254740993\r\n');
    await c.call('SET', 'cnt', '-9223372036854775807');
    assert.equal(await c.callRaw('DECR', 'cnt'), ':-9223372036854775808\r\n');
    assert.equal(await c.callRaw('DECR', 'cnt'), '-ERR increment or decrement would overflow\r\n');
    assert.equal(await c.callRaw('GET', 'cnt'), '$20\r\n-9223372036854775808\r\n');
    assert.equal(await c.callRaw('INCRBY', 'cnt', '9223372036854775807'), ':-1\r\n');
    for (const bad of [' 1', '1 ', '01', '-0', '+1', '1e3', '0x10', '', '9223372036854775808']) {
      await c.call('SET', 'cnt', bad);
      assert.equal(await c.callRaw('INCR', 'cnt'), '-ERR value is not an integer or out of range\r\n', bad);
    }
    assert.equal(await c.callRaw('INCRBY', 'cnt', '1.0'), '-ERR value is not an integer or out of range\r\n');
    await c.call('SET', 'fl', '1');
    assert.equal(await c.callRaw('INCRBYFLOAT', 'fl', '-1.1'), '$4\r\n-0.1\r\n');
    assert.equal(await c.callRaw('INCRBYFLOAT', 'fl', '0.1'), '$1\r\n0\r\n');
    // 1e400 is finite in long double: Redis prints all its %.17Lf digits (as a real redis-server 7.0 does)
    const e400 = '10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880';
    assert.equal(await c.callRaw('INCRBYFLOAT', 'fl', '1e400'), `$${e400.length}\r\n${e400}\r\n`);
    assert.equal(await c.callRaw('INCRBYFLOAT', 'fl', '+inf'), '-ERR increment would produce NaN or Infinity\r\n');
    assert.equal(await c.callRaw('INCRBYFLOAT', 'fl', '1.19e4932'), '-ERR value is not a valid float\r\n');
    assert.equal(await c.callRaw('INCRBYFLOAT', 'fl', 'nan'), '-ERR value is not a valid float\r\n');
    assert.equal(await c.callRaw('INCRBYFLOAT', 'fl', '1e-5000'), '-ERR value is not a valid float\r\n');
    await c.call('SET', 'fl', '1');
    await c.call('SETRANGE', 'fl', '2', '2');
    assert.equal(await c.callRaw('INCRBYFLOAT', 'fl', '1'), '-ERR value is not a valid float\r\n');
    await c.call('SET', 'fl', '17179869184');
    assert.equal(await c.callRaw('INCRBYFLOAT', 'fl', '1.5'), '$13\r\n17179869185.5\r\n');
    await c.call('DEL', 'fl');
    assert.equal(await c.callRaw('INCRBYFLOAT', 'fl', String(1 / 41)), '$19\r\n0.02439024390243902\r\n');
    assert.equal(await c.callRaw('INCRBYFLOAT', 'fl', String(-1 / 41)), '$1\r\n0\r\n');
  });

  test('MSET, MGET and MSETNX across shards; MSETNX is all or nothing', async () => {
    const r = await ioredis(fx().port);
    try {
      const keys = Array.from({ length: 40 }, (_, i) => `multi:${i}`);
      const pairs = keys.flatMap((k, i) => [k, `v${i}`]);
      assert.equal(await r.mset(...pairs), 'OK');
      assert.deepEqual(await r.mget(...keys, 'multi:none'), [...keys.map((_, i) => `v${i}`), null]);
      await r.expire('multi:3', 100);
      assert.equal(await r.mset('multi:3', 'again', 'multi:4', 'x'), 'OK');
      assert.equal(await r.ttl('multi:3'), -1);
      const fresh = Array.from({ length: 40 }, (_, i) => `nx:${i}`);
      // one existing key among many keys on other shards: nothing is set
      assert.equal(await r.msetnx(...fresh.flatMap((k) => [k, 'x']), 'multi:7', 'y'), 0);
      assert.equal(await r.exists(...fresh), 0);
      assert.equal(await r.get('multi:7'), 'v7');
      assert.equal(await r.msetnx(...fresh.flatMap((k) => [k, 'x'])), 1);
      assert.equal(await r.exists(...fresh), 40);
      assert.equal(await r.msetnx('dup', '1', 'dup', '2'), 1);
      assert.equal(await r.get('dup'), '2');
      await r.sadd('multi:set', 'm');
      assert.deepEqual(await r.mget('multi:set', 'multi:0'), [null, 'v0']);
      assert.equal(await r.msetnx('multi:set', 'z', 'zz', 'z'), 0);
      assert.equal(await r.mset('multi:set', 'now a string'), 'OK');
      assert.equal(await r.type('multi:set'), 'string');
      await assert.rejects(r.call('MSETNX', 'a', '1', 'b'), /^ReplyError: ERR wrong number of arguments for 'msetnx' command$/);
    } finally {
      r.disconnect();
    }
  });

  test('expiry: SET PX, GETEX, SETNX on an expired key, PXAT in the past', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.set('exp:a', 'v', 'PX', 30);
      await r.set('exp:b', 'v');
      assert.equal(await r.getex('exp:b', 'PX', 30), 'v');
      await sleep(80);
      assert.equal(await r.get('exp:a'), null);
      assert.equal(await r.exists('exp:b'), 0);
      await r.set('exp:c', '10', 'PX', 30);
      await sleep(80);
      assert.equal(await r.setnx('exp:c', '20'), 1);
      assert.equal(await r.get('exp:c'), '20');
      assert.equal(await r.set('exp:c', 'v', 'PXAT', '1'), 'OK');
      assert.equal(await r.exists('exp:c'), 0);
      await r.set('exp:d', 'v');
      assert.equal(await r.call('GETEX', 'exp:d', 'EXAT', '1'), 'v');
      assert.equal(await r.exists('exp:d'), 0);
      await r.set('exp:e', 'v', 'EX', 100);
      assert.equal(await r.getex('exp:e'), 'v');
      assert.ok((await r.ttl('exp:e')) > 90);
      await r.set('exp:f', 'v', 'PX', 30);
      await sleep(80);
      assert.equal(await r.set('exp:f', 'w', 'XX'), null);
      assert.equal(await r.getset('exp:f', 'x'), null);
      assert.equal(await r.incr('exp:g'), 1);
      await r.pexpire('exp:g', 1000);
      assert.equal(await r.incr('exp:g'), 2);
      assert.ok((await r.pttl('exp:g')) > 0, 'INCR keeps the TTL');
      await r.pexpire('exp:g', 30);
      await sleep(80);
      assert.equal(await r.incr('exp:g'), 1);
    } finally {
      r.disconnect();
    }
  });

  test('keyspace events: one per change, with Redis names', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const w = await watchKeyEvents(fx());
    try {
      const steps: Array<[string[], string[]]> = [
        [['SET', 'ev:a', '1'], ['set ev:a']],
        [['SET', 'ev:a', '1', 'NX'], []],
        [['SET', 'ev:a', '1', 'EX', '100'], ['set ev:a', 'expire ev:a']],
        [['SETEX', 'ev:b', '100', 'v'], ['set ev:b', 'expire ev:b']],
        [['PSETEX', 'ev:b', '100000', 'v'], ['set ev:b', 'expire ev:b']],
        [['SETNX', 'ev:c', 'v'], ['set ev:c']],
        [['SETNX', 'ev:c', 'v'], []],
        [['GETSET', 'ev:c', 'w'], ['set ev:c']],
        [['MSET', 'ev:d', '1', 'ev:e', '2'], ['set ev:d', 'set ev:e']],
        [['MSETNX', 'ev:d', '1', 'ev:f', '2'], []],
        [['MSETNX', 'ev:f', '1', 'ev:g', '2'], ['set ev:f', 'set ev:g']],
        [['APPEND', 'ev:d', 'x'], ['append ev:d']],
        [['APPEND', 'ev:d', ''], ['append ev:d']],
        [['SETRANGE', 'ev:d', '0', 'y'], ['setrange ev:d']],
        [['SETRANGE', 'ev:d', '0', ''], []],
        [['INCR', 'ev:n'], ['incrby ev:n']],
        [['DECRBY', 'ev:n', '5'], ['incrby ev:n']],
        [['INCRBYFLOAT', 'ev:n', '1.5'], ['incrbyfloat ev:n']],
        [['GETEX', 'ev:n'], []],
        [['GETEX', 'ev:n', 'EX', '100'], ['expire ev:n']],
        [['GETEX', 'ev:n', 'PERSIST'], ['persist ev:n']],
        [['GETEX', 'ev:n', 'PERSIST'], []],
        [['GETEX', 'ev:n', 'PXAT', '1'], ['del ev:n']],
        [['GETDEL', 'ev:c'], ['del ev:c']],
        [['GETDEL', 'ev:c'], []],
        [['GET', 'ev:a'], []],
        [['SET', 'ev:a', 'v', 'XX', 'GET'], ['set ev:a']],
      ];
      await w.take();
      for (const [cmd, events] of steps) {
        await c.call(...cmd);
        const seen = (await w.take()).map((e) => /^\d+:(.*):([^:]*)$/s.exec(e)!).filter((m) => m[1]!.startsWith('ev:')).map((m) => `${m[2]} ${m[1]}`);
        assert.deepEqual(seen, events, cmd.join(' '));
      }
    } finally {
      await w.stop();
    }
  });

  test('replication stream carries deterministic rewrites', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const repl = await RespClient.connect(fx().port);
    try {
      repl.writeRaw('SYNC\r\n');
      await until(() => repl.pending().includes('REDIS0010'), 'the SYNC snapshot');
      await c.call('SET', 'rp:a', '1', 'XX', 'GET');
      await c.call('SET', 'rp:a', '1', 'GET');
      await c.call('GETSET', 'rp:a', '2');
      await c.call('SET', 'rp:a', '2', 'get', 'xx', 'Get');
      await c.call('INCRBYFLOAT', 'rp:a', '0.5');
      await c.call('SETEX', 'rp:b', '100', 'v');
      await c.call('GETEX', 'rp:b');
      await c.call('GETEX', 'rp:b', 'PERSIST');
      await c.call('GETDEL', 'rp:a');
      await c.call('GETDEL', 'rp:a');
      await c.call('SET', 'rp:c', 'v');
      await c.call('GETEX', 'rp:c', 'PXAT', '1');
      await until(() => repl.pending().endsWith('$3\r\nDEL\r\n$4\r\nrp:c\r\n'), 'the write stream');
      const lines = repl.pending().split('\r\n').filter((l) => !/^[*$]/.test(l) && l !== '');
      const text = lines.join(' ');
      // (the tail of the RDB payload may precede the stream)
      assert.match(text, /SELECT 0 SET rp:a 1 SET rp:a 2 SET rp:a 2 xx SET rp:a 2\.5 KEEPTTL SET rp:b v PXAT \d{13} PERSIST rp:b DEL rp:a SET rp:c v DEL rp:c$/);
    } finally {
      repl.close();
      await sleep(50);
    }
  });

  test('error replies for every option misuse', async () => {
    const c = await fx().client();
    const err = async (...args: string[]): Promise<string> => {
      const r = await c.call(...args);
      assert.ok(r instanceof ReplyError, `${args.join(' ')} should fail`);
      return r.message;
    };
    assert.equal(await err('SET', 'k', 'v', 'NX', 'XX'), 'ERR syntax error');
    assert.equal(await err('SET', 'k', 'v', 'KEEPTTL', 'EX', '1'), 'ERR syntax error');
    assert.equal(await err('SET', 'k', 'v', 'EX'), 'ERR syntax error');
    assert.equal(await err('SET', 'k', 'v', 'PERSIST'), 'ERR syntax error');
    assert.equal(await err('SET', 'k', 'v', 'EXAT', '-1'), "ERR invalid expire time in 'set' command");
    assert.equal(await err('SET', 'k', 'v', 'EX', '9223372036854776'), "ERR invalid expire time in 'set' command");
    assert.equal(await err('GETEX', 'k', 'KEEPTTL'), 'ERR syntax error');
    assert.equal(await err('GETEX', 'k', 'EX', '1', 'PERSIST'), 'ERR syntax error');
    assert.equal(await err('GETEX'), "ERR wrong number of arguments for 'getex' command");
    await c.call('SET', 'k', 'v');
    assert.equal(await err('GETEX', 'k', 'EX', '0'), "ERR invalid expire time in 'getex' command");
    assert.equal(await err('SETRANGE', 'k', '-1', 'x'), 'ERR offset is out of range');
    assert.equal(await err('SETRANGE', 'k', '536870912', 'x'), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    assert.equal(await err('SETRANGE', 'k', '9223372036854775807', 'x'), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
    assert.equal(await err('GETRANGE', 'k', '0', 'x'), 'ERR value is not an integer or out of range');
    assert.equal(await err('LCS', 'k', 'k', 'LEN', 'IDX'), 'ERR If you want both the length and indexes, please just use IDX.');
    assert.equal(await err('LCS', 'k', 'k', 'MINMATCHLEN'), 'ERR syntax error');
    await c.call('RPUSH', 'lst', 'x');
    assert.equal(await err('LCS', 'k', 'lst'), 'ERR The specified keys must contain string values');
    assert.equal(await err('INCRBYFLOAT', 'k', '1'), 'ERR value is not a valid float');
    await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb');
    try {
      assert.equal(await err('APPEND', 'k', 'x'.repeat(1024 * 1024)), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
      assert.equal(await err('SETRANGE', 'k', String(1024 * 1024), 'x'), 'ERR string exceeds maximum allowed size (proto-max-bulk-len)');
      assert.equal(await c.call('SETRANGE', 'k', String(1024 * 1024 - 1), 'x'), 1024 * 1024);
      await c.call('SET', 'long', 'a'.repeat(1000));
      assert.equal(await err('LCS', 'long', 'long'), 'ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len');
    } finally {
      await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '512mb');
    }
  });
});
