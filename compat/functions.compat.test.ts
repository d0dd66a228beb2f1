/** Redis 7.0 Functions: the same FUNCTION / FCALL sequences against shardis and a real redis-server, replies byte for byte. */
import { describeCompat, runScript, type Pair, type Script } from './harness.ts';

const lib = (name: string, ...lines: string[]): string => `#!lua name=${name}\n${lines.join('\n')}`;
/** Dict order: Redis lists libraries and functions in hash order (its seed is random), so compared unordered. */
const U = (...cmd: string[]): { cmd: string[]; unordered: true } => ({ cmd, unordered: true });
const L = (code: string, replace = true): string[] => (replace ? ['FUNCTION', 'LOAD', 'REPLACE', code] : ['FUNCTION', 'LOAD', code]);

async function bothProtocols(p: Pair, script: Script): Promise<void> {
  await runScript(p, [['FUNCTION', 'FLUSH'], ...script]);
  await runScript(p, [['FLUSHALL'], ['FUNCTION', 'FLUSH'], { cmd: ['HELLO', '3'], ignore: true }]);
  await runScript(p, script);
}

const MYLIB = lib('mylib',
  "redis.register_function('echo', function(keys, args) return {keys, args} end)",
  "redis.register_function{function_name='setget', callback=function(keys, args) redis.call('set', keys[1], args[1]) return redis.call('get', keys[1]) end, description='sets and gets'}",
  "redis.register_function{function_name='ro', callback=function(keys) return redis.call('get', keys[1]) end, flags={'no-writes', 'allow-stale'}}",
  "redis.register_function{function_name='Mixed_Case', callback=function() return redis.setresp(3) or redis.call('hgetall', 'h') end, flags={'allow-oom', 'no-cluster', 'allow-cross-slot-keys'}}");

describeCompat('functions', (t) => {
  t('FUNCTION LOAD, LIST, FCALL, FCALL_RO, DELETE', (p) => bothProtocols(p, [
    L(MYLIB, false), L(MYLIB, false), L(MYLIB),
    ['HSET', 'h', 'f', 'v'],
    ['FCALL', 'echo', '2', 'a', 'b', 'c', 'd'], ['FCALL', 'ECHO', '0'], ['FCALL', 'setget', '1', 'k', 'v1'],
    ['FCALL_RO', 'ro', '1', 'k'], ['FCALL_RO', 'setget', '1', 'k', 'v'], ['FCALL', 'mixed_case', '0'],
    ['FCALL', 'nosuch', '0'], ['FCALL', 'echo', 'x'], ['FCALL', 'echo', '3', 'a'], ['FCALL', 'echo', '-1'], ['FCALL', 'echo'],
    L(lib('solo', "redis.register_function{function_name='s', callback=function() return 1 end, flags={'no-writes', 'allow-oom'}, description='only'}")),
    ['FUNCTION', 'LIST', 'LIBRARYNAME', 'so*'], ['FUNCTION', 'LIST', 'WITHCODE', 'LIBRARYNAME', 'solo'], ['FUNCTION', 'DELETE', 'solo'], ['FUNCTION', 'LIST', 'LIBRARYNAME', 'x*'],
    ['FUNCTION', 'LIST', 'bad'], ['FUNCTION', 'LIST', 'LIBRARYNAME'], ['FUNCTION', 'LIST', 'WITHCODE', 'WITHCODE'],
    ['FUNCTION', 'STATS'], ['FUNCTION', 'KILL'],
    ['FUNCTION', 'DELETE', 'nosuch'], ['FUNCTION', 'DELETE', 'mylib'], ['FCALL', 'echo', '0'], ['FUNCTION', 'LIST'], ['FUNCTION', 'STATS'],
  ]));

  t('FUNCTION LIST of several functions (RESP2, unordered)', [
    ['FUNCTION', 'FLUSH'], L(MYLIB), U('FUNCTION', 'LIST'), U('FUNCTION', 'LIST', 'WITHCODE'), U('FUNCTION', 'LIST', 'LIBRARYNAME', 'my*'),
  ]);

  t('library metadata and register_function errors', [
    ['FUNCTION', 'FLUSH'],
    L('return 1', false), L('#!lua name=x', false), L('#!lua\nreturn 1', false), L('#!lua name=a name=b\nx', false), L('#!lua foo=bar\nx', false),
    L('#!nope name=x\nx', false), L('#!lua name=bad-name\nx', false), L('#!lua name="quoted"\nredis.register_function("q", function() return 1 end)', false),
    L(lib('x', 'return 1'), false), L(lib('x', 'foo('), false), L(lib('x', "redis.call('ping')"), false), L(lib('x', 'math.random()'), false),
    L(lib('x', 'a = 1'), false), L(lib('x', "error('boom')"), false), L(lib('x', 'local t = {} t.y.z = 1'), false),
    L(lib('x', 'redis.redis.call()'), false), L(lib('x', "redis.setresp(3)"), false),
    L(lib('x', "redis.register_function('a-b', function() end)"), false),
    L(lib('x', "redis.register_function('a', 1)"), false), L(lib('x', 'redis.register_function({}, function() end)'), false),
    L(lib('x', "redis.register_function('a')"), false), L(lib('x', "redis.register_function('a', function() end, 3)"), false),
    L(lib('x', "redis.register_function('a', function() end) redis.register_function('a', function() end)"), false),
    L(lib('x', "redis.register_function{function_name='a', callback=function() end, flags={'bad'}}"), false),
    L(lib('x', "redis.register_function{function_name='a', callback=function() end, flags='no-writes'}"), false),
    L(lib('x', "redis.register_function{function_name='a', callback=1}"), false),
    L(lib('x', "redis.register_function{function_name={}, callback=function() end}"), false),
    L(lib('x', "redis.register_function{function_name='a', callback=function() end, description={}}"), false),
    L(lib('x', "redis.register_function{function_name='a', callback=function() end, other=1}"), false),
    L(lib('x', "redis.register_function{callback=function() end}"), false), L(lib('x', "redis.register_function{function_name='a'}"), false),
    L(lib('x', "redis.register_function('s')"), false), L(lib('x', 'redis.register_function(1)'), false),
    L(lib('x', "redis.log(redis.LOG_NOTICE, 'loading') redis.register_function('lg', function() return redis.REDIS_VERSION_NUM > 0 end)"), false),
    ['FCALL', 'lg', '0'],
    L(lib('x2', "redis.register_function('lg', function() end)"), false), L(lib('x', "redis.register_function('LG', function() end)"), false),
    ['FUNCTION', 'LOAD', 'BAD', 'x'], ['FUNCTION', 'LOAD'], ['FUNCTION', 'LOAD', 'REPLACE'],
  ]);

  t('errors at run time', [
    ['FUNCTION', 'FLUSH'],
    L(lib('rt',
      "redis.register_function('reg', function() redis.register_function('x', function() end) end)",
      "redis.register_function('err', function() error('oops') end)",
      "redis.register_function('glob', function() return nosuch end)",
      "redis.register_function('setglob', function() g = 1 end)",
      "redis.register_function('reply', function() return redis.error_reply('MY err') end)",
      "redis.register_function('wrongtype', function(keys) return redis.call('lpush', keys[1], 'x') end)",
      "redis.register_function{function_name='nw', callback=function() return redis.call('set', 'x', 1) end, flags={'no-writes'}}",
      "redis.register_function('keys', function() return KEYS end)")),
    ['SET', 's', 'v'],
    ['FCALL', 'reg', '0'], ['FCALL', 'err', '0'], ['FCALL', 'glob', '0'], ['FCALL', 'setglob', '0'], ['FCALL', 'reply', '0'],
    ['FCALL', 'wrongtype', '1', 's'], ['FCALL', 'nw', '0'], ['FCALL_RO', 'nw', '0'], ['FCALL_RO', 'err', '0'],
  ]);

  t('FUNCTION DUMP / RESTORE', [
    ['FUNCTION', 'FLUSH'],
    L(lib('one', "redis.register_function{function_name='f1', callback=function() return 1 end, flags={'no-writes'}, description='first'}")),
    ['FUNCTION', 'DUMP'],
    ['FUNCTION', 'RESTORE', 'bad'], ['FUNCTION', 'RESTORE', 'a', 'b', 'c'], ['FUNCTION', 'RESTORE', 'a', 'nope'],
  ]);

  t('FUNCTION RESTORE policies', async (p) => {
    await runScript(p, [['FUNCTION', 'FLUSH'], L(lib('one', "redis.register_function('f1', function() return 1 end)"))]);
    const dump = (await p.redis.call('FUNCTION', 'DUMP')) as Buffer | string;
    const payload = Buffer.isBuffer(dump) ? dump.toString('latin1') : dump;
    await runScript(p, [
      ['FUNCTION', 'RESTORE', payload], ['FUNCTION', 'RESTORE', payload, 'APPEND'], ['FUNCTION', 'RESTORE', payload, 'REPLACE'],
      ['FUNCTION', 'DELETE', 'one'], L(lib('other', "redis.register_function('f1', function() return 2 end)")),
      ['FUNCTION', 'RESTORE', payload, 'replace'], ['FCALL', 'f1', '0'], ['FUNCTION', 'RESTORE', payload, 'FLUSH'], ['FCALL', 'f1', '0'],
      ['FUNCTION', 'LIST'], ['FUNCTION', 'DUMP'],
    ]);
  });

  t('FUNCTION FLUSH, HELP, and SCRIPT FLUSH keeps libraries', [
    ['FUNCTION', 'FLUSH'],
    L(lib('keep', "redis.register_function('kept', function(keys, args) return args[1] end)")),
    ['SCRIPT', 'FLUSH'], ['FCALL', 'kept', '0', 'still'], ['FLUSHALL'], ['FCALL', 'kept', '0', 'here'],
    ['FUNCTION', 'FLUSH', 'bad'], ['FUNCTION', 'FLUSH', 'SYNC', 'x'], ['FUNCTION', 'FLUSH', 'ASYNC'], ['FCALL', 'kept', '0'],
    ['FUNCTION', 'NOPE'], ['FUNCTION'],
    ['COMMAND', 'INFO', 'fcall', 'fcall_ro'], ['COMMAND', 'GETKEYS', 'FCALL', 'f', '2', 'a', 'b', 'c'],
  ]);
});
