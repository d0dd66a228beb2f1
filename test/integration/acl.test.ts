/**
 * ACL through real sockets and clients: users and passwords (ioredis and
 * node-redis logging in as a user), requirepass as the default user's
 * password, denials for commands, keys and channels (top level, MULTI/EXEC,
 * scripts), ACL LOG, DELUSER and revoked channels disconnecting clients,
 * CLIENT LIST/KILL by user, and users from the config file and the ACL file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { describeServer } from '../helpers/server.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';
import { startServer } from '../../src/index.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitClosed(c: RespClient): Promise<void> {
  for (let i = 0; i < 200 && !c.closed; i++) await sleep(10);
  assert.equal(c.closed, true, 'connection should have been closed');
}

function errText(r: unknown): string {
  assert.ok(r instanceof ReplyError, `expected an error reply, got ${JSON.stringify(r)}`);
  return r.message;
}

describeServer('ACL', (fx) => {
  test('users log in with AUTH, HELLO AUTH, ioredis and node-redis; WRONGPASS otherwise', async () => {
    const admin = await fx().client();
    assert.equal(await admin.call('ACL', 'SETUSER', 'alice', 'on', '>s3cret', '~*', '&*', '+@all'), 'OK');
    const c = await fx().client();
    assert.match(errText(await c.call('AUTH', 'alice', 'wrong')), /^WRONGPASS invalid username-password pair or user is disabled\.$/);
    assert.equal(await c.call('ACL', 'WHOAMI'), 'default');
    assert.equal(await c.call('AUTH', 'alice', 's3cret'), 'OK');
    assert.equal(await c.call('ACL', 'WHOAMI'), 'alice');
    const h = await fx().client();
    const hello = (await h.call('HELLO', '3', 'AUTH', 'alice', 's3cret')) as { map: Array<[unknown, unknown]> };
    assert.deepEqual(hello.map.find(([k]) => k === 'proto'), ['proto', 3]);
    assert.equal(await h.call('ACL', 'WHOAMI'), 'alice');

    const io = new Redis({ port: fx().port, host: '127.0.0.1', username: 'alice', password: 's3cret', lazyConnect: true, maxRetriesPerRequest: 1 });
    await io.connect();
    assert.equal(await io.call('ACL', 'WHOAMI'), 'alice');
    await io.set('io-key', 'v');
    io.disconnect();
    const nr = createClient({ socket: { port: fx().port, host: '127.0.0.1', reconnectStrategy: false }, username: 'alice', password: 's3cret', RESP: 3 });
    nr.on('error', () => {});
    await nr.connect();
    assert.equal(await nr.sendCommand(['ACL', 'WHOAMI']), 'alice');
    assert.equal(await nr.get('io-key'), 'v');
    await nr.quit();
    const bad = createClient({ socket: { port: fx().port, host: '127.0.0.1', reconnectStrategy: false }, username: 'alice', password: 'nope' });
    bad.on('error', () => {});
    await assert.rejects(bad.connect(), /WRONGPASS/);

    // a user switched off can no longer log in; existing connections keep working
    await admin.call('ACL', 'SETUSER', 'alice', 'off');
    assert.match(errText(await (await fx().client()).call('AUTH', 'alice', 's3cret')), /WRONGPASS/);
    assert.equal(await c.call('GET', 'io-key'), 'v');
    await admin.call('ACL', 'DELUSER', 'alice');
  });

  test('requirepass is the default user password', async () => {
    const admin = await fx().client();
    assert.equal(await admin.call('CONFIG', 'SET', 'requirepass', 'pw1'), 'OK');
    const list = (await admin.call('ACL', 'LIST')) as string[];
    const hash = createHash('sha256').update('pw1').digest('hex');
    assert.ok(list.includes(`user default on sanitize-payload #${hash} ~* &* +@all`), list.join('\n'));
    const c = await fx().client();
    assert.equal(errText(await c.call('GET', 'x')), 'NOAUTH Authentication required.');
    assert.equal(await c.call('AUTH', 'pw1'), 'OK');
    assert.equal(await c.call('GET', 'x'), null);
    const d = await fx().client();
    assert.equal(await d.call('AUTH', 'default', 'pw1'), 'OK');
    assert.equal(await admin.call('CONFIG', 'SET', 'requirepass', ''), 'OK');
    assert.ok(((await admin.call('ACL', 'LIST')) as string[]).includes('user default on nopass sanitize-payload ~* &* +@all'));
    assert.match(errText(await (await fx().client()).call('AUTH', 'x')), /^ERR AUTH <password> called without any password configured/);
  });

  test('denied commands, keys and channels: NOPERM replies, MULTI, scripts and ACL LOG', async () => {
    const admin = await fx().client();
    await admin.call('ACL', 'LOG', 'RESET');
    await admin.call('ACL', 'SETUSER', 'bob', 'on', 'nopass', '+@string', '+multi', '+exec', '+eval', '+publish', '+subscribe', '-setrange', '~x*', '%R~ro*', '&news');
    const c = await fx().client();
    await c.call('AUTH', 'bob', 'any');
    assert.equal(await c.call('SET', 'x1', 'v'), 'OK');
    assert.equal(errText(await c.call('SET', 'y1', 'v')), 'NOPERM No permissions to access a key');
    assert.equal(await c.call('GET', 'ro1'), null);
    assert.equal(errText(await c.call('SET', 'ro1', 'v')), 'NOPERM No permissions to access a key');
    assert.equal(errText(await c.call('SETRANGE', 'x1', '0', 'a')), "NOPERM User bob has no permissions to run the 'setrange' command");
    assert.equal(errText(await c.call('HSET', 'x1', 'f', 'v')), "NOPERM User bob has no permissions to run the 'hset' command");
    assert.equal(await c.call('PUBLISH', 'news', 'm'), 0);
    assert.equal(errText(await c.call('PUBLISH', 'sport', 'm')), 'NOPERM No permissions to access a channel');
    // a denied command inside MULTI is refused at queue time and aborts EXEC
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'x2', 'v'), 'QUEUED');
    assert.match(errText(await c.call('SET', 'y2', 'v')), /^NOPERM/);
    assert.match(errText(await c.call('EXEC')), /^EXECABORT/);
    // permissions changed between queueing and EXEC
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SET', 'x3', 'v'), 'QUEUED');
    assert.equal(await c.call('GET', 'x3'), 'QUEUED');
    await admin.call('ACL', 'SETUSER', 'bob', '-set');
    const res = (await c.call('EXEC')) as unknown[];
    assert.equal(errText(res[0]), 'NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: no permission to execute the command or subcommand');
    assert.equal(res[1], null);
    assert.equal(await admin.call('EXISTS', 'x3'), 0);
    await admin.call('ACL', 'SETUSER', 'bob', '+set');
    // scripts run with the caller's permissions
    assert.match(errText(await c.call('EVAL', "return redis.call('set', KEYS[1], 'v')", '1', 'y3')), /^NOPERM No permissions to access a key$/);
    assert.match(errText(await c.call('EVAL', "return redis.call('set', 'y3', 'v')", '0')), /^ERR ACL failure in script: No permissions to access a key /);
    assert.match(errText(await c.call('EVAL', "return redis.call('hset', 'x3', 'f', 'v')", '0')), /^ERR ACL failure in script: User bob has no permissions to run the 'hset' command /);
    assert.deepEqual(await c.call('EVAL', "return {redis.acl_check_cmd('set','x9','v') and 1 or 0, redis.acl_check_cmd('set','y9','v') and 1 or 0}", '0'), [1, 0]);

    const log = (await admin.call('ACL', 'LOG')) as unknown[][];
    const entries = log.map((e) => {
      const m = new Map<string, unknown>();
      for (let i = 0; i < e.length; i += 2) m.set(e[i] as string, e[i + 1]);
      return m;
    });
    const find = (reason: string, context: string, object: string): Map<string, unknown> | undefined =>
      entries.find((m) => m.get('reason') === reason && m.get('context') === context && m.get('object') === object);
    assert.ok(find('key', 'toplevel', 'y1'), 'key denial logged');
    assert.ok(find('command', 'toplevel', 'setrange'), 'command denial logged');
    assert.ok(find('channel', 'toplevel', 'sport'), 'channel denial logged');
    assert.ok(find('key', 'multi', 'y2'), 'denial at queue time logged with context multi');
    assert.ok(find('command', 'multi', 'set'), 'denial at EXEC logged');
    assert.ok(find('key', 'lua', 'y3'), 'script denial logged with context lua');
    const setEntry = find('key', 'toplevel', 'ro1')!;
    assert.equal(setEntry.get('username'), 'bob');
    assert.match(setEntry.get('client-info') as string, / user=bob /);
    await admin.call('ACL', 'DELUSER', 'bob');
  });

  test('ACL LOG entries (7.2): entry-id, timestamp-created, timestamp-last-updated; ids go on after RESET', async () => {
    const admin = await fx().client();
    await admin.call('ACL', 'LOG', 'RESET');
    await admin.call('ACL', 'SETUSER', 'dave', 'on', 'nopass', '+get', '~a*');
    const c = await fx().client();
    await c.call('AUTH', 'dave', 'x');
    const entries = async (n?: number): Promise<Array<Map<string, unknown>>> => {
      const log = (await admin.call('ACL', 'LOG', ...(n === undefined ? [] : [String(n)]))) as unknown[][];
      return log.map((e) => {
        assert.deepEqual(e.filter((_, i) => i % 2 === 0), ['count', 'reason', 'context', 'object', 'username', 'age-seconds', 'client-info', 'entry-id', 'timestamp-created', 'timestamp-last-updated']);
        const m = new Map<string, unknown>();
        for (let i = 0; i < e.length; i += 2) m.set(e[i] as string, e[i + 1]);
        return m;
      });
    };
    const t0 = Date.now();
    assert.match(errText(await c.call('GET', 'b')), /^NOPERM/);
    await sleep(20);
    assert.match(errText(await c.call('GET', 'b')), /^NOPERM/);
    assert.match(errText(await c.call('SET', 'a', '1')), /^NOPERM/);
    let e = await entries();
    assert.equal(e.length, 2);
    const [set, get] = e as [Map<string, unknown>, Map<string, unknown>];
    const firstId = get.get('entry-id') as number;
    // the first denial made entry n, the repeat updated it (count 2, created kept, last updated later), SET made n+1
    assert.deepEqual([get.get('object'), get.get('count'), set.get('object'), set.get('count'), set.get('entry-id')], ['b', 2, 'set', 1, firstId + 1]);
    const created = get.get('timestamp-created') as number;
    const updated = get.get('timestamp-last-updated') as number;
    assert.ok(created >= t0 && updated >= created + 15 && updated <= Date.now(), `created ${created}, updated ${updated}`);
    assert.equal(set.get('timestamp-created'), set.get('timestamp-last-updated'));
    // RESET empties the log but the ids go on
    assert.equal(await admin.call('ACL', 'LOG', 'RESET'), 'OK');
    assert.deepEqual(await entries(), []);
    assert.match(errText(await (await fx().client()).call('AUTH', 'nouser', 'pw')), /^WRONGPASS/);
    e = await entries(1);
    assert.deepEqual([e[0]!.get('reason'), e[0]!.get('object'), e[0]!.get('entry-id')], ['auth', 'AUTH', firstId + 2]);
    // acllog-max-len 0 logs nothing and takes no id
    assert.equal(await admin.call('CONFIG', 'SET', 'acllog-max-len', '0'), 'OK');
    assert.match(errText(await c.call('GET', 'zz')), /^NOPERM/);
    assert.deepEqual(await entries(), []);
    assert.equal(await admin.call('CONFIG', 'SET', 'acllog-max-len', '128'), 'OK');
    assert.match(errText(await c.call('GET', 'zz')), /^NOPERM/);
    e = await entries();
    assert.deepEqual([e[0]!.get('object'), e[0]!.get('entry-id')], ['zz', firstId + 3]);
    await admin.call('ACL', 'DELUSER', 'dave');
  });

  test('DELUSER and revoked channels disconnect clients; CLIENT LIST and KILL by user', async () => {
    const admin = await fx().client();
    await admin.call('ACL', 'SETUSER', 'carol', 'on', '>pw', '+@all', '~*', '&news*');
    const a = await fx().client();
    const b = await fx().client();
    const sub = await fx().client();
    for (const c of [a, b, sub]) await c.call('AUTH', 'carol', 'pw');
    const listed = (await admin.call('CLIENT', 'LIST')) as string;
    assert.equal(listed.split('\n').filter((l) => l.includes(' user=carol ')).length, 3);
    assert.equal(await sub.call('SUBSCRIBE', 'news1') !== null, true);
    // a superset of the channels keeps the subscriber
    await admin.call('ACL', 'SETUSER', 'carol', '&other');
    await sleep(50);
    assert.equal(sub.closed, false);
    // dropping the pattern its channel matched disconnects it
    await admin.call('ACL', 'SETUSER', 'carol', 'resetchannels', '&other');
    await waitClosed(sub);
    assert.equal(a.closed, false);
    assert.equal(await admin.call('CLIENT', 'KILL', 'USER', 'carol'), 2);
    await waitClosed(a);
    await waitClosed(b);
    assert.match(errText(await admin.call('CLIENT', 'KILL', 'USER', 'nobody')), /^ERR No such user 'nobody'$/);
    const d = await fx().client();
    await d.call('AUTH', 'carol', 'pw');
    assert.equal(await admin.call('ACL', 'DELUSER', 'carol', 'ghost'), 1);
    await waitClosed(d);
    // deleting the user a client runs as replies first, then closes that client
    await admin.call('ACL', 'SETUSER', 'dave', 'on', 'nopass', '+@all', '~*');
    const e = await fx().client();
    await e.call('AUTH', 'dave', 'x');
    assert.equal(await e.call('ACL', 'DELUSER', 'dave'), 1);
    await waitClosed(e);
  });

  test('a blocked command is checked again when it is to be served (Redis 7.2): NOPERM, counted as rejected', async () => {
    const admin = await fx().client();
    await admin.call('CONFIG', 'RESETSTAT');
    await admin.call('ACL', 'SETUSER', 'blk', 'on', 'nopass', '+@all', '~*');
    const c = await fx().client();
    await c.call('AUTH', 'blk', 'x');
    c.send('BLPOP', 'blk-list', '0');
    for (let i = 0; i < 100 && !String(await admin.call('CLIENT', 'LIST')).includes('cmd=blpop'); i++) await new Promise((r) => setTimeout(r, 10));
    const stats = async (): Promise<string> => /cmdstat_blpop:([^\r]*)/.exec(String(await admin.call('INFO', 'commandstats')))?.[1] ?? '';
    assert.equal(await stats(), '', 'a blocked command counts once it runs');
    await admin.call('ACL', 'SETUSER', 'blk', 'resetkeys', '~other');
    assert.equal(await admin.call('RPUSH', 'blk-list', 'x'), 1);
    assert.equal(await c.readRaw(), '-NOPERM No permissions to access a key\r\n');
    assert.equal(await admin.call('LLEN', 'blk-list'), 1, 'nothing was popped');
    assert.match(await stats(), /^calls=0,usec=0,usec_per_call=0\.00,rejected_calls=1,failed_calls=0$/);
    // allowed again, it blocks and is served as usual
    await admin.call('ACL', 'SETUSER', 'blk', '~*');
    await admin.call('DEL', 'blk-list');
    c.send('BLPOP', 'blk-list', '0');
    for (let i = 0; i < 100 && !String(await admin.call('CLIENT', 'LIST')).includes('cmd=blpop'); i++) await new Promise((r) => setTimeout(r, 10));
    await admin.call('RPUSH', 'blk-list', 'y');
    assert.deepEqual(await c.read(), ['blk-list', 'y']);
    assert.match(await stats(), /^calls=1,.*,rejected_calls=1,failed_calls=0$/);
    await admin.call('ACL', 'DELUSER', 'blk');
  });

  test('selectors: a command is allowed when one selector allows all of it', async () => {
    const admin = await fx().client();
    await admin.call('ACL', 'SETUSER', 'sel', 'on', 'nopass', '+get', '~a*', '(+set ~b*)', '(+set +get ~c*)');
    const c = await fx().client();
    await c.call('AUTH', 'sel', 'x');
    assert.equal(await c.call('GET', 'a1'), null);
    assert.equal(await c.call('SET', 'b1', 'v'), 'OK');
    assert.equal(await c.call('GET', 'c1'), null);
    // no selector allows it; the most relevant denial (a key, over the command) is reported
    assert.equal(errText(await c.call('SET', 'a1', 'v')), 'NOPERM No permissions to access a key');
    assert.match(errText(await c.call('GET', 'b1')), /^NOPERM No permissions to access a key$/);
    assert.equal(await admin.call('ACL', 'DRYRUN', 'sel', 'SET', 'b2', 'v'), 'OK');
    assert.equal(await admin.call('ACL', 'DRYRUN', 'sel', 'GET', 'b2'), "User sel has no permissions to access the 'b2' key");
    assert.equal(await admin.call('ACL', 'DRYRUN', 'sel', 'DEL', 'a1'), "User sel has no permissions to run the 'del' command");
    await admin.call('ACL', 'DELUSER', 'sel');
  });
});

test('users from the config file and the ACL file; ACL SAVE and LOAD', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-acl-'));
  try {
    // `user` directives: the default user loses FLUSHDB, AOF replay still runs every command
    const s1 = await startServer({ port: 0, dir, config: { user: 'default on nopass ~* &* +@all -flushdb', appendonly: 'yes' } });
    const c1 = await RespClient.connect(s1.port);
    assert.equal(errText(await c1.call('FLUSHDB')), "NOPERM User default has no permissions to run the 'flushdb' command");
    await c1.call('SET', 'k', 'v');
    c1.close();
    await s1.close();
    const s2 = await startServer({ port: 0, dir, config: { user: 'default on nopass ~* &* -@all +get +acl', appendonly: 'yes' } });
    const c2 = await RespClient.connect(s2.port);
    assert.equal(await c2.call('GET', 'k'), 'v');
    assert.match(errText(await c2.call('SET', 'k', 'w')), /^NOPERM/);
    assert.match(errText(await c2.call('ACL', 'SAVE')), /^ERR This Redis instance is not configured to use an ACL file/);
    c2.close();
    await s2.close();

    writeFileSync(join(dir, 'users.acl'), 'user alice on >pw ~a* +@all\nuser default on nopass ~* &* +@all\n');
    const s3 = await startServer({ port: 0, dir, config: { aclfile: 'users.acl' } });
    const c3 = await RespClient.connect(s3.port);
    assert.deepEqual(await c3.call('ACL', 'USERS'), ['alice', 'default']);
    assert.equal(await c3.call('AUTH', 'alice', 'pw'), 'OK');
    assert.match(errText(await c3.call('GET', 'b')), /^NOPERM/);
    const admin = await RespClient.connect(s3.port);
    await admin.call('ACL', 'SETUSER', 'bob', 'on', '>x', '~*', '+get');
    assert.equal(await admin.call('ACL', 'SAVE'), 'OK');
    const saved = readFileSync(join(dir, 'users.acl'), 'latin1');
    assert.match(saved, /^user alice on sanitize-payload #[0-9a-f]{64} ~a\* resetchannels \+@all\nuser bob on sanitize-payload #[0-9a-f]{64} ~\* resetchannels -@all \+get\nuser default on nopass sanitize-payload ~\* &\* \+@all\n$/);
    // a bad file changes nothing
    writeFileSync(join(dir, 'users.acl'), 'user alice on >pw +nosuch\nbogus line\n');
    assert.match(errText(await admin.call('ACL', 'LOAD')),
      /^ERR users\.acl:1: Error in applying operation '\+nosuch': Unknown command or category name in ACL\. users\.acl:2 should start with user keyword followed by the username\. WARNING: ACL errors detected, no change to the previously active ACL rules was performed$/);
    assert.deepEqual(await admin.call('ACL', 'USERS'), ['alice', 'bob', 'default']);
    // a good file replaces the users: since Redis 7.4 clients of users still there stay, with the loaded rules;
    // those whose user is gone are disconnected
    const asBob = await RespClient.connect(s3.port);
    assert.equal(await asBob.call('AUTH', 'bob', 'x'), 'OK');
    writeFileSync(join(dir, 'users.acl'), saved.replace(/^user bob .*\n/m, '').replace('~a* ', '~b* '));
    assert.equal(await admin.call('ACL', 'LOAD'), 'OK');
    assert.deepEqual(await admin.call('ACL', 'USERS'), ['alice', 'default']);
    await waitClosed(asBob);
    asBob.close();
    assert.equal(await c3.call('ACL', 'WHOAMI'), 'alice');
    assert.equal(errText(await c3.call('GET', 'a1')), 'NOPERM No permissions to access a key');
    assert.equal(await c3.call('GET', 'b1'), null);
    c3.close();
    admin.close();
    await s3.close();

    writeFileSync(join(dir, 'users.acl'), 'user alice on +nosuch\n');
    await assert.rejects(startServer({ port: 0, dir, config: { aclfile: 'users.acl' } }), /Aborting Redis startup because of ACL errors/);
    await assert.rejects(startServer({ port: 0, dir, config: { aclfile: 'users.acl', user: 'x on' } }), /users defined in redis.conf and at the same setting an ACL file path is invalid/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
