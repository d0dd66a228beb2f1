/**
 * ACL against a real redis-server (7.0.15), byte for byte. How users are
 * described (ACL LIST / GETUSER), DRYRUN and the NOPERM texts are Redis
 * 7.2's since #11224 / #11279 / #11160: compat/v74-acl.compat.test.ts
 * compares those with recorded 7.4.1 replies.
 */
import assert from 'node:assert/strict';
import { describeCompat, runScript, type Pair } from './harness.ts';

const U = (...cmd: string[]): { cmd: string[]; unordered: true } => ({ cmd, unordered: true });

/** Commands shardis has that Redis 7.0.15 lacks (7.4's hash field expiration, 7.2's WAITAOF, Redis 8's HGETDEL/HGETEX/HSETEX). */
const POST_70_COMMANDS = new Set([
  'hexpire', 'hpexpire', 'hexpireat', 'hpexpireat', 'httl', 'hpttl', 'hexpiretime', 'hpexpiretime', 'hpersist',
  'hgetdel', 'hgetex', 'hsetex', 'waitaof',
]);

describeCompat('acl', (t) => {
  t('CAT: the categories and their commands, less what Redis 7.4 and 8.0 added', async (p: Pair) => {
    for (const cat of [[], ['scripting'], ['HASH'], ['keyspace'], ['pubsub'], ['write'], ['read'], ['fast']]) {
      const r = (await p.redis.call('ACL', 'CAT', ...cat)) as string[];
      const s = ((await p.shardis.call('ACL', 'CAT', ...cat)) as string[]).filter((c) => !POST_70_COMMANDS.has(c));
      assert.deepEqual([...s].sort(), [...r].sort(), `ACL CAT ${cat.join(' ')}`);
    }
  });

  t('ACL LOG entries', async (p: Pair) => {
    await runScript(p, [
      ['ACL', 'LOG', 'RESET'], ['ACL', 'SETUSER', 'lg', 'on', 'nopass', '+get', '+acl', '~k'], ['AUTH', 'lg', 'x'],
      // the NOPERM texts are Redis 7.2's (#11160): v74-acl compares them with 7.4.1
      { cmd: ['GET', 'other'], ignore: true }, { cmd: ['GET', 'other'], ignore: true }, { cmd: ['SET', 'k', 'v'], ignore: true },
      ['AUTH', 'nobody', 'x'], ['AUTH', 'default', 'x'],
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
