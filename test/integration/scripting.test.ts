/**
 * Lua scripting through real clients: EVAL/EVALSHA/SCRIPT with ioredis and
 * node-redis (RESP2 and RESP3), the sandbox and libraries, scripts past
 * busy-reply-threshold (BUSY for others, SCRIPT KILL, UNKILLABLE), the
 * replication stream of scripts, MONITOR, and keys on several shards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';
import { createHash } from 'node:crypto';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const sha1 = (s: string): string => createHash('sha1').update(s).digest('hex');

describeServer('scripting', (fx) => {
  test('EVAL, EVALSHA, SCRIPT LOAD/EXISTS/FLUSH with ioredis', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.script('FLUSH');
      await r.set('mykey', 'myval');
      assert.equal(await r.eval("return redis.call('get', KEYS[1])", 1, 'mykey'), 'myval');
      assert.deepEqual(await r.eval('return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}', 2, 'a', 'b', 'c', 'd'), ['a', 'b', 'c', 'd']);
      assert.deepEqual(await r.eval("return {1, 2.9, 'x', true, false, {ok='fine'}, {1, {2}}}", 0), [1, 2, 'x', 1, null, 'fine', [1, [2]]]);
      const body = "return redis.call('incr', KEYS[1])";
      const sha = (await r.script('LOAD', body)) as string;
      assert.equal(sha, sha1(body));
      assert.equal(await r.evalsha(sha, 1, 'n'), 1);
      assert.equal(await r.evalsha(sha.toUpperCase(), 1, 'n'), 2);
      assert.deepEqual(await r.script('EXISTS', sha, 'ffd632c7d33e571e9f24556ebed26c3479a87130'), [1, 0]);
      // ioredis' defineCommand runs EVALSHA and falls back to EVAL on NOSCRIPT
      r.defineCommand('decrIfGt', { numberOfKeys: 1, lua: "local c = tonumber(redis.call('get', KEYS[1])) if c > tonumber(ARGV[1]) then return redis.call('decr', KEYS[1]) end return c" });
      await r.set('foo', '5');
      const decr = (r as unknown as { decrIfGt(k: string, v: string): Promise<number> }).decrIfGt.bind(r);
      assert.deepEqual([await decr('foo', '2'), await decr('foo', '2'), await decr('foo', '2'), await decr('foo', '2')], [4, 3, 2, 2]);
      // the script found last (a cached lookup) is forgotten by SCRIPT FLUSH too
      assert.equal(await r.evalsha(sha, 1, 'n'), 3);
      assert.equal(await r.script('FLUSH'), 'OK');
      await assert.rejects(r.evalsha(sha, 1, 'n'), /^ReplyError: NOSCRIPT No matching script\. Please use EVAL\./);
      await assert.rejects(r.eval('return 1', -1), /Number of keys can't be negative/);
      await assert.rejects(r.eval('return 1', 2, 'a'), /Number of keys can't be greater than number of args/);
      await assert.rejects(r.call('EVAL_RO', "return redis.call('del', KEYS[1])", 1, 'foo'), /ERR Write commands are not allowed from read-only scripts\. script: /);
      assert.equal(await r.call('EVAL_RO', "return redis.call('get', KEYS[1])", 1, 'foo'), '2');
    } finally {
      r.disconnect();
    }
  });

  test('errors: Redis error tables, script errors with their line, pcall', async () => {
    const c = await fx().client();
    await c.call('SET', 'foo', 'bar');
    const err = async (...args: string[]): Promise<string> => {
      const r = await c.call(...args);
      assert.ok(r instanceof ReplyError, `expected an error from ${args.join(' ')}`);
      return r.message;
    };
    const lpush = "redis.call('lpush', KEYS[1], 'v')";
    assert.equal(await err('EVAL', lpush, '1', 'foo'), `WRONGTYPE Operation against a key holding the wrong kind of value script: ${sha1(lpush)}, on @user_script:1.`);
    assert.match(await err('EVAL', "local x = 1\nredis.call('nosuch')", '0'), /^ERR Unknown Redis command called from script script: \w{40}, on @user_script:2\.$/);
    assert.match(await err('EVAL', 'return a', '0'), /^ERR user_script:1: Script attempted to access nonexistent global variable 'a' script: /);
    assert.match(await err('EVAL', 'a = 1', '0'), /^ERR user_script:1: Attempt to modify a readonly table script: /);
    assert.match(await err('EVAL', 'return 1 +', '0'), /^ERR Error compiling script \(new function\): user_script:1: unexpected symbol near '<eof>'$/);
    assert.equal(await err('EVAL', "return {err='MY_CODE custom'}", '0'), 'MY_CODE custom');
    assert.deepEqual(await c.call('EVAL', "local t = redis.pcall('incr', KEYS[1]) return t['err']", '1', 'foo'), 'ERR value is not an integer or out of range');
    assert.deepEqual(await c.call('EVAL', "local ok, e = pcall(redis.call, 'get', 'a', 'b') return {tostring(ok), e}", '0'), ['false', 'ERR Wrong number of args calling Redis command from script']);
    // Redis 7.2 runs blocking commands in scripts as in MULTI: they never block (#11568)
    assert.equal(await c.call('EVAL', "return redis.call('blpop', 'x', 0)", '0'), null);
    assert.equal(await c.call('EVAL', "return redis.call('wait', 0, 0)", '0'), 0);
    assert.match(await err('EVAL', "return redis.call('multi')", '0'), /This Redis command is not allowed from script/);
    assert.match(await err('EVAL', 'return redis.call()', '0'), /Please specify at least one argument for this redis lib call/);
  });

  test('EVAL keeps its 500 most recently run scripts, SCRIPT LOAD keeps all (Redis 7.4); INFO evicted_scripts', async () => {
    const c = await fx().client();
    await c.call('SCRIPT', 'FLUSH');
    await c.call('CONFIG', 'RESETSTAT');
    const sha = (b: string): string => createHash('sha1').update(b).digest('hex');
    const loaded = 'return "loaded"';
    assert.equal(await c.call('SCRIPT', 'LOAD', loaded), sha(loaded));
    for (let i = 0; i < 505; i++) {
      c.send('EVAL', `return ${i}`, '0');
      // the first script, run again, is the most recently used
      if (i === 300) c.send('EVALSHA', sha('return 0'), '0');
    }
    for (let i = 0; i < 506; i++) await c.read();
    const evicted = (s: unknown): string => /evicted_scripts:(\d+)/.exec(String(s))![1]!;
    assert.equal(evicted(await c.call('INFO', 'stats')), '5');
    assert.deepEqual(await c.call('SCRIPT', 'EXISTS', sha(loaded), sha('return 0'), sha('return 1'), sha('return 5'), sha('return 6'), sha('return 504')), [1, 1, 0, 0, 1, 1]);
    const gone = await c.call('EVALSHA', sha('return 1'), '0');
    assert.ok(gone instanceof ReplyError && gone.message.startsWith('NOSCRIPT'), String(gone));
    assert.equal(await c.call('EVAL', 'return 1', '0'), 1);
    assert.match(String(await c.call('INFO', 'memory')), /\r\nnumber_of_cached_scripts:501\r\n/);
    assert.equal(evicted(await c.call('INFO', 'stats')), '6');
    await c.call('CONFIG', 'RESETSTAT');
    assert.equal(evicted(await c.call('INFO', 'stats')), '0');
    await c.call('SCRIPT', 'FLUSH');
  });

  test('sandbox and libraries', async () => {
    const c = await fx().client();
    for (const body of ['setmetatable(_G, {})', 'redis.call = 1', 'cjson.encode = 1', 'cmsgpack.pack = 1', 'bit.lshift = 1', 'local g = getmetatable(_G) g.__index = {}']) {
      const r = await c.call('EVAL', body, '0');
      assert.ok(r instanceof ReplyError && r.message.includes('Attempt to modify a readonly table'), body);
    }
    for (const name of ['print', 'loadfile', 'dofile', 'io', 'require']) {
      const r = await c.call('EVAL', `return ${name}`, '0');
      assert.ok(r instanceof ReplyError && r.message.includes(`nonexistent global variable '${name}'`), name);
    }
    // of os, Redis 7.4 offers os.clock only (#12971)
    assert.equal(await c.call('EVAL', "local n = 0 for k in pairs(os) do n = n + 1 end return {n, type(os.clock()), tostring(os.clock() >= 0)}", '0').then(String), '1,number,true');
    assert.equal(await c.call('EVAL', "return tostring(3.0) .. ' ' .. 10/2 .. ' ' .. 2^53", '0'), '3 5 9.007199254741e+15');
    assert.equal(await c.call('EVAL', "return table.concat(cjson.decode('[0.0, -5e3, 0.3e-3, 1023.2]'), ' ')", '0'), '0 -5000 0.0003 1023.2');
    assert.equal(await c.call('EVAL', "return cjson.encode({a={1,2,'x'}, b=cjson.null})", '0').then((s) => JSON.parse(s as string).a.length), 3);
    assert.equal(await c.call('EVAL', "local e = cmsgpack.pack(-1099511627776) local h = '' for i = 1, #e do h = h .. string.format('%02x', e:byte(i)) end return h", '0'), 'd3ffffff0000000000');
    assert.deepEqual(await c.call('EVAL', "return {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3}))}", '0'), [1, 'two', [3]]);
    assert.deepEqual(await c.call('EVAL', 'return {bit.band(7, 3), bit.bor(1, 2, 4), bit.bxor(5, 1), bit.lshift(1, 31), bit.tohex(255)}', '0'), [3, 7, 4, -2147483648, '000000ff']);
    assert.deepEqual(await c.call('EVAL', "return {struct.unpack('>Hi', struct.pack('>Hi', 513, -2))}", '0'), [513, -2, 7]);
    assert.equal(await c.call('EVAL', "return redis.sha1hex('Pizza & Mandolino')", '0'), '74822d82031af7493c20eefa13bd07ec4fada82f');
    assert.equal(await c.call('EVAL', 'return {unpack({1, 2, 3})}', '0').then((a) => (a as unknown[]).length), 3);
    // binary-safe strings both ways
    await c.call('SET', 'bin', Buffer.from([0, 255, 13, 10, 128]));
    assert.equal(await c.callRaw('EVAL', "local v = redis.call('get', KEYS[1]) redis.call('set', KEYS[2], v .. '\\0') return #v", '2', 'bin', 'bin2'), ':5\r\n');
    assert.equal(await c.callRaw('GET', 'bin2'), '$6\r\n\x00\xff\r\n\x80\x00\r\n');
  });

  test('RESP3: redis.setresp(3) conversions with node-redis', async () => {
    const r = await nodeRedis(fx().port, 3);
    // DEBUG is noscript unless the test switch is on, as in Redis
    await r.sendCommand(['DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '1']);
    try {
      await r.hSet('h', 'field', 'value');
      assert.deepEqual(await r.sendCommand(['EVAL', "redis.setresp(3) return redis.call('hgetall', KEYS[1])", '1', 'h']), { field: 'value' });
      assert.deepEqual(await r.sendCommand(['EVAL', "return redis.call('hgetall', KEYS[1])", '1', 'h']), ['field', 'value']);
      assert.equal(await r.sendCommand(['EVAL', 'redis.setresp(3) return true', '0']), true);
      assert.equal(await r.sendCommand(['EVAL', 'return false', '0']), null);
      assert.equal(await r.sendCommand(['EVAL', 'return {double=1.5}', '0']), 1.5);
      assert.equal(await r.sendCommand(['EVAL', "redis.setresp(3) local d = redis.call('debug', 'protocol', 'double') return d.double * 2", '0']), 6);
    } finally {
      await r.sendCommand(['DEBUG', 'SET-DISABLE-DENY-SCRIPTS', '0']);
      await r.quit();
    }
  });

  test('a script past busy-reply-threshold: BUSY for others, SCRIPT KILL, then the link is usable', async () => {
    const a = await fx().client();
    const b = await fx().client();
    await b.call('CONFIG', 'SET', 'busy-reply-threshold', '20');
    try {
      a.send('EVAL', 'local i = 0 while true do i = i + 1 end', '0');
      a.send('PING');
      let busy: unknown = null;
      for (let i = 0; i < 100 && !(busy instanceof ReplyError); i++) {
        await sleep(20);
        busy = await b.call('GET', 'x');
      }
      assert.ok(busy instanceof ReplyError);
      assert.equal(busy.message, 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.');
      assert.equal(await b.call('SCRIPT', 'KILL'), 'OK');
      const killed = await a.read();
      assert.ok(killed instanceof ReplyError && /^ERR Script killed by user with SCRIPT KILL\.\.\./.test(killed.message));
      assert.equal(await a.read(), 'PONG');
      assert.equal(await b.call('PING'), 'PONG');
      const none = await b.call('SCRIPT', 'KILL');
      assert.ok(none instanceof ReplyError && none.message === 'NOTBUSY No scripts in execution right now.');
      // a script that wrote can't be killed; it ends on its own (here after ~200 ms of os.clock: TIME stands still in a script, 7.2+)
      a.send('EVAL', "redis.call('set', KEYS[1], 'y') local t0 = os.clock() repeat for i = 1, 10000 do end until os.clock() - t0 > 0.2 return 'done'", '1', 'w');
      let refused: unknown = null;
      for (let i = 0; i < 50 && !(refused instanceof ReplyError && refused.message.startsWith('UNKILLABLE')); i++) {
        await sleep(10);
        refused = await b.call('SCRIPT', 'KILL');
      }
      assert.ok(refused instanceof ReplyError && refused.message.startsWith('UNKILLABLE Sorry the script already executed write commands'));
      assert.equal(await a.read(), 'done');
      assert.equal(await b.call('GET', 'w'), 'y');
    } finally {
      await b.call('CONFIG', 'SET', 'busy-reply-threshold', '5000');
    }
  });

  test('scripts are atomic across shards and replicate their effects', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const repl = await RespClient.connect(fx().port);
    repl.writeRaw('SYNC\r\n');
    await sleep(100);
    repl.pending();
    const drain = repl as unknown as { buf: Buffer };
    drain.buf = Buffer.alloc(0);
    // keys spread over the shards
    assert.deepEqual(await c.call('EVAL', "for i = 1, 20 do redis.call('set', 'k' .. i, i) end return redis.call('mget', 'k1', 'k7', 'k20')", '0'), ['1', '7', '20']);
    assert.equal(await c.call('EVAL', "return redis.call('expire', KEYS[1], 100)", '1', 'k1'), 1);
    await c.call('EVAL', "redis.call('get', 'k1')", '0');
    await c.call('EVAL', "redis.call('set', 'a', '1') redis.set_repl(redis.REPL_NONE) redis.call('set', 'b', '2') redis.set_repl(redis.REPL_ALL) redis.call('set', 'c', '3')", '0');
    await sleep(100);
    const stream = repl.pending();
    const sets = stream.match(/\$3\r\nset\r\n\$\d+\r\nk\d+/g) ?? [];
    assert.equal(sets.length, 20);
    assert.match(stream, /^\*2\r\n\$6\r\nSELECT\r\n\$1\r\n0\r\n\*1\r\n\$5\r\nMULTI\r\n/);
    assert.match(stream, /\*3\r\n\$9\r\nPEXPIREAT\r\n\$2\r\nk1\r\n\$13\r\n\d{13}\r\n\*1\r\n\$5\r\nMULTI\r\n\*3\r\n\$3\r\nset\r\n\$1\r\na\r\n\$1\r\n1\r\n\*3\r\n\$3\r\nset\r\n\$1\r\nc\r\n\$1\r\n3\r\n\*1\r\n\$4\r\nEXEC\r\n$/);
    assert.ok(!stream.includes('PEXPIREAT\r\n$2\r\nk1\r\n$13\r\n') || !/\*1\r\n\$5\r\nMULTI\r\n\*3\r\n\$9\r\nPEXPIREAT/.test(stream), 'a single write is not wrapped in MULTI');
    assert.ok(!stream.includes('$1\r\nb\r\n'), 'REPL_NONE writes are not replicated');
    repl.close();
  });

  test('MONITOR shows EVAL then the commands its script ran', async () => {
    const m = await fx().client();
    const c = await fx().client();
    assert.equal(await m.call('MONITOR'), 'OK');
    await c.call('EVAL', "return redis.call('set', KEYS[1], ARGV[1])", '1', 'mk', 'mv');
    await sleep(50);
    const lines = m.pending().split('\r\n').filter((l) => l.length > 0);
    assert.match(lines[0]!, /^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "EVAL" "return redis\.call\('set', KEYS\[1\], ARGV\[1\]\)" "1" "mk" "mv"$/);
    assert.match(lines[1]!, /^\+\d+\.\d{6} \[0 lua\] "set" "mk" "mv"$/);
    m.close();
  });
});

test('cmsgpack packs a circular table 16 levels deep as the first script of a fresh server (its Lua stack grows as it nests)', async () => {
  const { startServer } = await import('../../src/index.ts');
  const srv = await startServer({ port: 0 });
  const c = await RespClient.connect(srv.port);
  try {
    const script = "local a = {x=nil,y=5} local b = {x=a} a['x'] = b local e = cmsgpack.pack(a) " +
      'local re = cmsgpack.unpack(e) return {#e, re.y, re.x.x.y, re.x.x.x.x.x.x.x.x.x.x.y}';
    assert.deepEqual(await c.call('EVAL', script, '0'), [73, 5, 5, 5]);
    const arr = 'local t = {} local cur = t for i = 1, 40 do cur[1] = {} cur = cur[1] end return #cmsgpack.pack(t)';
    assert.equal(await c.call('EVAL', arr, '0'), 17);
  } finally {
    c.close();
    await srv.close();
  }
});
