/** Lua scripting: the same EVAL / EVALSHA / SCRIPT sequences against shardis and a real redis-server, replies byte for byte. */
import assert from 'node:assert/strict';
import { bothProtocols, describeCompat } from './harness.ts';
import { RespClient } from '../test/helpers/resp-client.ts';

const E = (body: string, ...rest: string[]): string[] => ['EVAL', body, ...(rest.length ? rest : ['0'])];

describeCompat('scripting', (t) => {
  t('Lua → Redis conversions', (p) => bothProtocols(p, [
    E("return 'hello'"), E('return 100.5'), E('return -3.9'), E('return true'), E('return false'), E('return nil'),
    E("return {ok='fine'}"), E("return {err='ERR this is an error'}"), E("return {1,2,3,'ciao',{1,2}}"), E('return {1,nil,3}'),
    E('return {}'), E('return _G'), E('return 0/0'), E('return 1/0'), E('return 1e30'), E('return 2^53'),
    E("return {ok='a\\r\\nb'}"), E("return {err='x'}"), E("return {'a', {ok='s'}, {err='E inner'}, true, false}"),
    E("return redis.status_reply('MY_OK')"), E("return redis.error_reply('MY_ERR custom')"), E("return redis.error_reply('')"),
    E("return redis.error_reply('-X y')"), E('return redis.error_reply(1)'), E('return redis.status_reply()'),
    E("return {double=3.5}"), E("return {big_number='123456789012345678901234567890'}"),
    E("return {map={a=1}}"), E("return {set={a=true}}"), E("return {verbatim_string={format='txt', string='hi'}}"),
    E("redis.setresp(3) return {map={a=1}}"), E("redis.setresp(3) return true"), E("redis.setresp(3) return false"),
    E("local a = {}; setmetatable(a,{__index=function() foo() end}) return a"),
  ]));

  t('Redis → Lua conversions', (p) => bothProtocols(p, [
    ['SET', 'x', '0'], ['RPUSH', 'l', 'a', 'b', 'c'], ['HSET', 'h', 'f', 'v'],
    E("local v = redis.pcall('incr', KEYS[1]) return {type(v), v}", '1', 'x'),
    E("local v = redis.pcall('get', KEYS[1]) return {type(v), v}", '1', 'x'),
    E("local v = redis.pcall('lrange', KEYS[1], 0, -1) return {type(v), v[1], v[3], #v}", '1', 'l'),
    E("local v = redis.pcall('set', KEYS[1], 'y') return {type(v), v['ok']}", '1', 'x'),
    E("local v = redis.pcall('incr', KEYS[1]) return {type(v), v['err']}", '1', 'x'),
    E("local v = redis.pcall('get', 'nokey') return {type(v), v == false}"),
    E("return redis.call('hgetall', KEYS[1])", '1', 'h'),
    E("redis.setresp(3) return redis.call('hgetall', KEYS[1])", '1', 'h'),
    E("redis.setresp(3) local m = redis.call('hgetall', KEYS[1]) return m.map.f", '1', 'h'),
    E("redis.setresp(3) return redis.call('zscore', 'nozset', 'm')"),
    E("return redis.call('debug', 'protocol', 'bignum')"),
    E("local n = redis.call('incrbyfloat', 'fl', '1.5') return n"),
    E("redis.call('set', 'num', 9007199254740991) return redis.call('get', 'num')"),
    E("redis.call('set', 'num', 0.1) return redis.call('get', 'num')"),
    E("redis.call('set', 'num', 1e100) return redis.call('get', 'num')"),
    E("redis.call('set', 'num', -0.5) return redis.call('get', 'num')"),
    E("return redis.call('set', 'num', {})"), E("return redis.pcall('set', 'num', true)"),
  ]));

  t('errors of scripts and of the commands they call', [
    ['SET', 'foo', 'bar'],
    E('return a'), E('a = 10'), E("redis.call('nosuchcommand')"), E("redis.call('get','a','b','c')"),
    E("redis.call('lpush',KEYS[1],'val')", '1', 'foo'), E('return redis.call()'), E('return redis.pcall()'),
    E("return redis.pcall('nosuch')"), E("error('my error')"), E("error({err='MY custom'})"), E('return 1 +'),
    E('local t = {} t.x.y = 1'), E('local x return x + 1'), E('return undefinedfn()'), E('local s = "a" .. nil'), E('local t = {} t:nomethod()'),
    // BLPOP / BRPOP in scripts: allowed since Redis 7.2 (#11568), compared with 7.4.1 in v74-behaviour
    E("return redis.call('multi')"), E("return redis.sha1hex()"), E('setmetatable(_G, {})'),
    E('local g = getmetatable(_G) g.__index = {}'), E('redis.call = function() return 1 end'),
    E('cjson.encode = function() return 1 end'), E('bit.band = 1'), E("loadfile('x')"), E("dofile('x')"), E("print('x')"),
    E('return loadstring(string.dump(function() return 1 end))()'),
    E("local ok, e = pcall(function() return foo end) return {tostring(ok), e}"),
    E("local ok, e = pcall(redis.call, 'nosuch') return {tostring(ok), e}"),
    E("redis.set_repl(12345)"), E("redis.setresp(4)"), E("redis.log()"), E("redis.log('x', 'y')"), E("redis.log(9, 'y')"),
    E("return 'x'", '-1'), E("return 'x'", '2', 'a'), E("return 'x'", 'abc'),
    ['EVAL', '#!not-lua\nreturn 1', '0'], ['EVAL', '#!lua badger=data\nreturn 1', '0'], ['EVAL', '#!lua flags=allow-oom,what?\nreturn 1', '0'],
    ['EVAL', '#!lua', '0'], ['EVAL', '#!lua\nreturn 1', '0'], ['EVAL', '#!lua flags=no-writes\nreturn redis.call("set","x","1")', '0'],
    ['EVAL_RO', "return redis.call('del', KEYS[1])", '1', 'foo'], ['EVAL_RO', "return redis.call('get', KEYS[1])", '1', 'foo'],
    ['EVAL_RO', '#!lua\nreturn 1', '0'], ['EVAL_RO', "return redis.pcall('set', 'x', 'y')", '0'],
  ]);

  t('EVALSHA and SCRIPT', [
    ['SCRIPT', 'LOAD', "return 'loaded'"], ['EVALSHA', 'b534286061d4b9e4026607613b95c06c06015ae8', '0'],
    ['EVALSHA', 'B534286061D4B9E4026607613B95C06C06015AE8', '0'], ['EVALSHA', 'NotValidShaSUM', '0'],
    ['EVALSHA', 'ffd632c7d33e571e9f24556ebed26c3479a87130', '0'], ['EVALSHA_RO', 'b534286061d4b9e4026607613b95c06c06015ae8', '0'],
    ['SCRIPT', 'EXISTS', 'b534286061d4b9e4026607613b95c06c06015ae8', 'B534286061D4B9E4026607613B95C06C06015AE8', 'ffd632c7d33e571e9f24556ebed26c3479a87130'],
    ['SCRIPT', 'LOAD', 'return 1 +'], ['SCRIPT', 'LOAD'], ['SCRIPT', 'FLUSH', 'bad'], ['SCRIPT', 'DEBUG', 'maybe'],
    ['SCRIPT', 'KILL'], ['SCRIPT', 'NOPE'], ['EVALSHA'], ['EVAL', 'return 1'],
    ['SCRIPT', 'FLUSH'], ['EVALSHA', 'b534286061d4b9e4026607613b95c06c06015ae8', '0'], ['SCRIPT', 'FLUSH', 'ASYNC'],
    ['COMMAND', 'INFO', 'eval', 'evalsha'], ['COMMAND', 'GETKEYS', 'EVAL', 'return 1', '2', 'a', 'b', 'c'],
  ]);

  t('libraries: cjson, cmsgpack, bit, struct, sha1hex', [
    E("return cjson.encode({1,2,3,'a',{x=1}})"), E('return cjson.encode({})'), E('return cjson.encode(0.1)'),
    E('return cjson.encode(1e20)'), E("return cjson.encode('a/b\"\\\\\\n\\1')"), E("return cjson.decode('[1,2')"),
    E("return table.concat(cjson.decode('[0.0, -5e3, -1, 0.3e-3, 1023.2, 0e10]'), ' ')"), E("return cjson.decode('{\"a\":\"\\\\u00e9\\\\ud83d\\\\ude00\"}').a"),
    E('return cjson.encode({[1]=1,[3]=3})'), E('return cjson.encode({[1]=1,[30]=3})'), E('return cjson.encode(cjson.null)'),
    E("return cjson.decode('{\"a\":null}').a == cjson.null"), E('return {cjson.encode_sparse_array()}'), E('return cjson.encode(0/0)'),
    E("return cjson.decode('0x10')"), E("return cjson.decode('  true ')"), E("return cjson.decode('[1,]')"), E("return cjson.decode('{1:2}')"),
    E('return cjson.encode(function() end)'), E("return cjson.encode({[true]=1})"),
    E("local h = '' local e = cmsgpack.pack(0.1, -1099511627776, 'x', {1,2}, {a=1}, true, nil, 2^40, 1.5) for i = 1, #e do h = h .. string.format('%02x', string.byte(e, i)) end return h"),
    E("local t = {cmsgpack.unpack(cmsgpack.pack(1, 'two', {3, 4}, 5.25, -7))} return {t[1], t[2], t[3][2], tostring(t[4]), t[5]}"),
    E("return {cmsgpack.unpack_one(cmsgpack.pack(1, 2), 0)}"), E("return {cmsgpack.unpack_limit(cmsgpack.pack(1, 2, 3), 2)}"),
    E("return cmsgpack.unpack('\\193')"), E("return cmsgpack.unpack('\\205\\1')"),
    E('return {bit.tobit(1), bit.band(1), bit.bxor(1,2), bit.bor(1,2,4,8,16,32,64,128), bit.bnot(0), bit.lshift(1, 31), bit.rshift(-1, 28), bit.arshift(-256, 4)}'),
    E('return {bit.rol(0x12345678, 8), bit.ror(0x12345678, 8), bit.bswap(0x12345678), bit.tohex(255), bit.tohex(-1, -4), bit.tobit(2^32 + 5), bit.tobit(0xffffffff)}'),
    E("local s = struct.pack('>iHb', 1, 2, -3) return {#s, struct.unpack('>iHb', s)}"), E("return struct.size('>iHd')"),
    E("return {struct.unpack('<I2', 'AB')}"), E("return {struct.unpack('s', struct.pack('s', 'zz'))}"),
    E("return {redis.sha1hex(''), redis.sha1hex('Pizza & Mandolino')}"),
  ]);

  t('Lua 5.1 compatibility', [
    E("return tostring(3.0)..' '..tostring(10/2)..' '..(2^53)..' '..tostring(1e15)..' '..tostring(0.1)..' '..(7/3)"),
    E("return {unpack({1,2,3})}"), E('return table.getn({1,2,3})'), E('return math.mod(7, 3)'), E("return loadstring('return 42')()"),
    E("return string.format('%d %s %5.2f', 3.7, 'x', 2)"), E('return _VERSION'), E("return type(math.pow)"),
    E("return tostring(0xffffffff)"), E("return 'hello' --trailing comment"), E('return #KEYS + #ARGV', '2', 'a', 'b', 'c'),
    E("return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}", '2', 'a{t}', 'b{t}', 'c', 'd'),
    E("math.randomseed(10) local a = math.random() math.randomseed(10) return tostring(a == math.random())"),
    E("math.randomseed(7) return {math.random(10), math.random(5, 9), tostring(math.random())}"),
  ]);

  t('a script killed past busy-reply-threshold: the error names the script and the line it was on', async (p) => {
    const lib = "#!lua name=kl\nredis.register_function{function_name='spin', callback=function(keys, args)\n  local i = 0\n  while true do i = i + 1 end\nend, flags={'no-writes'}}";
    const runs: Array<[string[], string]> = [
      [E('local i = 0\nwhile true do\n  i = i + 1\nend'), 'SCRIPT'],
      // pcall cannot keep it alive
      [E('while true do pcall(function() while true do end end) end'), 'SCRIPT'],
      [['FCALL', 'spin', '0'], 'FUNCTION'],
    ];
    const replies: string[][] = [];
    for (const c of [p.redis, p.shardis]) {
      const port = ((await c.call('CONFIG', 'GET', 'port')) as string[])[1]!;
      await c.call('CONFIG', 'SET', 'busy-reply-threshold', '100');
      await c.call('FUNCTION', 'LOAD', 'REPLACE', lib);
      const killer = await RespClient.connect(Number(port));
      const got: string[] = [];
      try {
        for (const [cmd, kill] of runs) {
          c.send(...cmd);
          // BUSY until the threshold passes, then OK
          for (;;) {
            const r = await killer.callRaw(kill, 'KILL');
            if (r === '+OK\r\n') break;
            assert.match(r, /^-(NOTBUSY|BUSY)/);
            await new Promise((res) => setTimeout(res, 20));
          }
          got.push(await c.readRaw(5000));
        }
        got.push(await c.callRaw('EVAL', 'return 1', '0'));
      } finally {
        await c.call('CONFIG', 'SET', 'busy-reply-threshold', '5000');
        await c.call('FUNCTION', 'FLUSH');
        killer.close();
      }
      replies.push(got);
    }
    assert.deepEqual(replies[1], replies[0]);
  });
});
