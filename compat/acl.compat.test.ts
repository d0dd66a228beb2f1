/** ACL: the same rules, listings, checks and denials against shardis and a real redis-server, byte for byte. */
import assert from 'node:assert/strict';
import { bothProtocols, describeCompat, runScript, type Pair } from './harness.ts';

const U = (...cmd: string[]): { cmd: string[]; unordered: true } => ({ cmd, unordered: true });

/** Commands shardis has that Redis 7.0.15 lacks (7.4's hash field expiration, 7.2's WAITAOF, Redis 8's HGETDEL/HGETEX/HSETEX). */
const POST_70_COMMANDS = new Set([
  'hexpire', 'hpexpire', 'hexpireat', 'hpexpireat', 'httl', 'hpttl', 'hexpiretime', 'hpexpiretime', 'hpersist',
  'hgetdel', 'hgetex', 'hsetex', 'waitaof',
]);
const HASH = 'a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3';

describeCompat('acl', (t) => {
  t('SETUSER rules as LIST, USERS and GETUSER show them', (p) => bothProtocols(p, [
    ['ACL', 'SETUSER', 'fresh'], ['ACL', 'SETUSER', 'pw', 'on', '>p1', '>p2', '>p1', '<p2', `#${HASH}`, `!${HASH}`],
    ['ACL', 'SETUSER', 'keys', '~k*', '%R~r*', '%W~w*', '%RW~rw*', '%R~k*', '&ch*', '&ch*', 'skip-sanitize-payload'],
    ['ACL', 'SETUSER', 'cmds', '+@all', '-@hash', '-@slow', '+hget', 'allkeys', 'allchannels'],
    ['ACL', 'SETUSER', 'sel', 'on', 'nopass', '+get', '~a*', '(+set ~b* &news)', '(', '+hset', '%R~c*', ')'],
    ['ACL', 'SETUSER', 'redo', 'on', '>x', '~*', '+@all', 'reset'],
    ['ACL', 'SETUSER', 'cleared', '(+get ~x)', 'clearselectors', 'resetchannels', 'nocommands', 'allcommands', '-@dangerous'],
    ['ACL', 'LIST'], ['ACL', 'USERS'],
    ['ACL', 'GETUSER', 'pw'], ['ACL', 'GETUSER', 'keys'], ['ACL', 'GETUSER', 'cmds'],
    ['ACL', 'GETUSER', 'sel'], ['ACL', 'GETUSER', 'default'], ['ACL', 'GETUSER', 'nobody'],
    ['ACL', 'DELUSER', 'fresh', 'pw', 'keys', 'cmds', 'sel', 'redo', 'cleared', 'nobody'], ['ACL', 'USERS'],
  ]));

  t('single-command rules (Redis lists them in its hash-table order: compared as sets)', async (p: Pair) => {
    const rules = ['-@all', '+@read', '+@set', '-smembers', '+config|get', '+client', '-client|kill', '+select|0', '+select|1', '+SELECT|0', '-@admin'];
    await runScript(p, [['ACL', 'SETUSER', 'adds', ...rules]]);
    const describe = async (c: Pair['redis']): Promise<string[]> => {
      const line = (await c.call('ACL', 'LIST')) as string[];
      const mine = line.find((l) => l.startsWith('user adds '))!;
      const user = (await c.call('ACL', 'GETUSER', 'adds')) as unknown[];
      const cmds = user[user.indexOf('commands') + 1] as string;
      return [...mine.split(' ').slice(0, 5), ...mine.split(' ').slice(5).sort(), cmds.split(' ').slice(0, 2).join(' '), ...cmds.split(' ').slice(2).sort()];
    };
    assert.deepEqual(await describe(p.shardis), await describe(p.redis));
    await runScript(p, [['ACL', 'DELUSER', 'adds']]);
  });

  t('rule errors leave the user unchanged', [
    ['ACL', 'SETUSER', 'e', 'on', '~a'],
    ['ACL', 'SETUSER', 'e', '+nosuch'], ['ACL', 'SETUSER', 'e', '+@nosuch'], ['ACL', 'SETUSER', 'e', 'bogus'],
    ['ACL', 'SETUSER', 'e', '~a b'], ['ACL', 'SETUSER', 'e', '&a\tb'], ['ACL', 'SETUSER', 'e', '+select|'], ['ACL', 'SETUSER', 'e', '+client|kill|x'],
    ['ACL', 'SETUSER', 'e', '+config|nosuch'], ['ACL', 'SETUSER', 'e', '-config|nosuch'], ['ACL', 'SETUSER', 'e', 'allkeys', '~x'],
    ['ACL', 'SETUSER', 'e', 'allchannels', '&x'], ['ACL', 'SETUSER', 'e', '<notset'], ['ACL', 'SETUSER', 'e', '#short'],
    ['ACL', 'SETUSER', 'e', `#${HASH.toUpperCase()}`], ['ACL', 'SETUSER', 'e', '%X~a'], ['ACL', 'SETUSER', 'e', '%RR~a'],
    ['ACL', 'SETUSER', 'e', '(+get', '~x'], ['ACL', 'SETUSER', 'e', '(+nosuch)'], ['ACL', 'SETUSER', 'e', 'off', '+get', '+nosuch'],
    ['ACL', 'SETUSER', 'has space'], ['ACL', 'SETUSER'], ['ACL', 'GETUSER'], ['ACL', 'DELUSER', 'default'], ['ACL', 'DELUSER', 'e', 'default'],
    ['ACL', 'LIST'], ['ACL', 'DELUSER', 'e'],
    ['ACL', 'NOSUCH'], ['ACL', 'CAT', 'read', 'x'], ['ACL', 'CAT', 'nosuch'], ['ACL', 'GENPASS', '0'], ['ACL', 'GENPASS', '4097'],
    ['ACL', 'GENPASS', 'x'], ['ACL', 'LOG', 'x'], ['ACL', 'LOG', '1', '2'], ['ACL', 'LOAD'], ['ACL', 'SAVE'], ['ACL', 'WHOAMI', 'x'],
  ]);

  t('CAT: the categories and their commands, less what Redis 7.4 and 8.0 added', async (p: Pair) => {
    for (const cat of [[], ['scripting'], ['HASH'], ['keyspace'], ['pubsub'], ['write'], ['read'], ['fast']]) {
      const r = (await p.redis.call('ACL', 'CAT', ...cat)) as string[];
      const s = ((await p.shardis.call('ACL', 'CAT', ...cat)) as string[]).filter((c) => !POST_70_COMMANDS.has(c));
      assert.deepEqual([...s].sort(), [...r].sort(), `ACL CAT ${cat.join(' ')}`);
    }
  });

  t('DRYRUN', [
    ['ACL', 'SETUSER', 'd', 'on', 'nopass', '+get', '+set', '+config|get', '+publish', '+subscribe', '~k*', '%R~r*', '&ch'],
    ['ACL', 'DRYRUN', 'd', 'GET', 'k1'], ['ACL', 'DRYRUN', 'd', 'GET', 'x'], ['ACL', 'DRYRUN', 'd', 'GET', 'r1'], ['ACL', 'DRYRUN', 'd', 'SET', 'r1', 'v'],
    ['ACL', 'DRYRUN', 'd', 'DEL', 'k1'], ['ACL', 'DRYRUN', 'd', 'CONFIG', 'GET', 'x'], ['ACL', 'DRYRUN', 'd', 'CONFIG', 'SET', 'x', 'y'],
    ['ACL', 'DRYRUN', 'd', 'PUBLISH', 'ch', 'm'], ['ACL', 'DRYRUN', 'd', 'PUBLISH', 'other', 'm'], ['ACL', 'DRYRUN', 'd', 'SUBSCRIBE', 'ch', 'other'],
    ['ACL', 'DRYRUN', 'd', 'GET'], ['ACL', 'DRYRUN', 'd', 'NOSUCH', 'x'], ['ACL', 'DRYRUN', 'nobody', 'GET', 'x'],
    ['ACL', 'DRYRUN', 'd', 'MIGRATE', 'h', '1', '', '0', '5000', 'AUTH', 'KEYS', 'KEYS', 'k1'], ['ACL', 'DRYRUN', 'd', 'MIGRATE', 'h', '1', '', '0', '5000', 'KEYS', 'k1', 'x'],
    ['ACL', 'DRYRUN', 'd', 'EVAL', 'return 1', '1', 'x'],
    ['ACL', 'DELUSER', 'd'],
  ]);

  t('AUTH, NOPERM for commands, keys and channels, scripts and transactions', [
    ['ACL', 'SETUSER', 'bob', 'on', '>123', '+@scripting', '+set', '+get', '+multi', '+exec', '+publish', '~x*', '&news'],
    ['AUTH', 'bob', 'nope'], ['AUTH', 'nobody', 'x'], ['AUTH', 'bob', '123'], ['ACL', 'WHOAMI'],
    ['SET', 'xa', '1'], ['SET', 'ya', '1'], ['GET', 'ya'], ['HSET', 'xa', 'f', 'v'], ['PUBLISH', 'news', 'm'], ['PUBLISH', 'sport', 'm'],
    ['EVAL', "return redis.acl_check_cmd('set','xx',1)", '1', 'xx'], ['EVAL', "return redis.acl_check_cmd('hset','xx','f',1)", '1', 'xx'],
    ['EVAL', "return redis.acl_check_cmd('set','yy',1)", '0'], ['EVAL', "return redis.acl_check_cmd('invalid-cmd','arg')", '0'],
    ['EVAL', "return redis.call('set','yy',1)", '0'], ['EVAL', "return redis.call('hset','xx','f',1)", '0'], ['EVAL', "return redis.pcall('get','xy')", '0'],
    ['MULTI'], ['SET', 'xb', '1'], ['SET', 'yb', '1'], ['EXEC'],
    ['AUTH', 'default', 'anything'], ['ACL', 'WHOAMI'], ['AUTH', 'x'],
    ['ACL', 'SETUSER', 'bob', 'off'], ['AUTH', 'bob', '123'], ['ACL', 'DELUSER', 'bob'],
  ]);

  t('ACL LOG entries', async (p: Pair) => {
    await runScript(p, [
      ['ACL', 'LOG', 'RESET'], ['ACL', 'SETUSER', 'lg', 'on', 'nopass', '+get', '+acl', '~k'], ['AUTH', 'lg', 'x'],
      ['GET', 'other'], ['GET', 'other'], ['SET', 'k', 'v'], ['AUTH', 'nobody', 'x'], ['AUTH', 'default', 'x'],
    ]);
    const fields = async (c: Pair['redis']): Promise<unknown[]> => {
      const log = (await c.call('ACL', 'LOG')) as unknown[][];
      // age and client details differ by design; the rest must match
      return log.map((e) => e.filter((_, i) => i < 10));
    };
    assert.deepEqual(await fields(p.shardis), await fields(p.redis));
    await runScript(p, [['ACL', 'LOG', '1'], ['ACL', 'LOG', 'RESET'], ['ACL', 'LOG'], ['ACL', 'DELUSER', 'lg']].map((cmd) => (cmd[1] === 'LOG' && cmd.length === 3 && cmd[2] === '1' ? { cmd, ignore: true } : cmd)));
  });

  t('GENPASS lengths', async (p: Pair) => {
    for (const bits of [undefined, '1', '5', '128', '4096']) {
      const args = bits === undefined ? ['ACL', 'GENPASS'] : ['ACL', 'GENPASS', bits];
      const [a, b] = await Promise.all([p.redis.call(...args), p.shardis.call(...args)]);
      assert.equal((b as string).length, (a as string).length);
      assert.match(b as string, /^[0-9a-f]+$/);
    }
  });
});
