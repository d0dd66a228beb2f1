/**
 * Connection family and CLIENT: PING, ECHO, QUIT, RESET, SELECT, HELLO, AUTH,
 * MONITOR and every CLIENT subcommand, through ioredis, node-redis (RESP2 and
 * RESP3) and exact bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_THREADS, describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';
import { startServer } from '../../src/index.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The fields CLIENT LIST / CLIENT INFO print, in Redis 7.0's order. */
/** CLIENT LIST's fields as Redis 7.4 has them (7.2 added lib-name / lib-ver, 7.4 watch). */
const FIELDS = [
  'id', 'addr', 'laddr', 'fd', 'name', 'age', 'idle', 'flags', 'db', 'sub', 'psub', 'ssub', 'multi', 'watch', 'qbuf', 'qbuf-free',
  'argv-mem', 'multi-mem', 'rbs', 'rbp', 'obl', 'oll', 'omem', 'tot-mem', 'events', 'cmd', 'user', 'redir', 'resp', 'lib-name', 'lib-ver',
];

function parseInfoLine(line: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of line.split(' ')) {
    const eq = kv.indexOf('=');
    m.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return m;
}

function listLines(reply: unknown): Array<Map<string, string>> {
  const text = typeof reply === 'string' ? reply : (reply as { verbatim: string }).verbatim;
  return text.split('\n').filter((l) => l !== '').map(parseInfoLine);
}

async function blockedClients(c: RespClient): Promise<number> {
  const info = (await c.call('INFO', 'clients')) as string;
  return Number(/blocked_clients:(\d+)/.exec(info)![1]);
}

async function waitFor(cond: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await cond()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describeServer('connection family', (fx) => {
  test('PING and ECHO: exact bytes, arity, clients', async () => {
    const c = await fx().client();
    assert.equal(await c.callRaw('PING'), '+PONG\r\n');
    assert.equal(await c.callRaw('ping', 'hello world'), '$11\r\nhello world\r\n');
    assert.equal(await c.callRaw('PING', ''), '$0\r\n\r\n');
    assert.equal(await c.callRaw('PING', 'a', 'b'), "-ERR wrong number of arguments for 'ping' command\r\n");
    assert.equal(await c.callRaw('ECHO', 'a\r\nb\x00c'), '$6\r\na\r\nb\x00c\r\n');
    assert.equal(await c.callRaw('ECHO'), "-ERR wrong number of arguments for 'echo' command\r\n");
    assert.equal(await c.callRaw('ECHO', 'a', 'b'), "-ERR wrong number of arguments for 'echo' command\r\n");
    const r = await ioredis(fx().port);
    const n = await nodeRedis(fx().port, 3);
    try {
      assert.equal(await r.ping(), 'PONG');
      assert.equal(await r.ping('msg'), 'msg');
      assert.equal(await r.echo('héllo'), 'héllo');
      assert.equal(await n.ping(), 'PONG');
      assert.equal(await n.echo('x'), 'x');
    } finally {
      r.disconnect();
      n.destroy();
    }
  });

  test('SELECT: databases are separate, index and integer errors', async () => {
    const c = await fx().client();
    assert.equal(await c.callRaw('SELECT', '1'), '+OK\r\n');
    await c.call('SET', 'sel-k', 'in-1');
    assert.equal(await c.callRaw('SELECT', '0'), '+OK\r\n');
    assert.equal(await c.callRaw('GET', 'sel-k'), '$-1\r\n');
    assert.equal(await c.callRaw('SELECT', '15'), '+OK\r\n');
    assert.equal(await c.callRaw('SELECT', '16'), '-ERR DB index is out of range\r\n');
    assert.equal(await c.callRaw('SELECT', '-1'), '-ERR DB index is out of range\r\n');
    assert.equal(await c.callRaw('SELECT', 'x'), '-ERR value is not an integer or out of range\r\n');
    assert.equal(await c.callRaw('SELECT', '4294967296'), '-ERR value is out of range, value must between -2147483648 and 2147483647\r\n');
    assert.equal(await c.callRaw('SELECT', '01'), '-ERR value is not an integer or out of range\r\n');
    await c.call('SELECT', '1');
    assert.equal(await c.callRaw('GET', 'sel-k'), '$4\r\nin-1\r\n');
    const info = (await c.call('CLIENT', 'INFO')) as string;
    assert.match(info, / db=1 /);
    await c.call('FLUSHDB');
    await c.call('SELECT', '0');
    const r = await ioredis(fx().port);
    try {
      await r.select(2);
      await r.set('io-sel', 'v');
      await r.select(0);
      assert.equal(await r.get('io-sel'), null);
      await r.select(2);
      assert.equal(await r.get('io-sel'), 'v');
      await r.flushdb();
    } finally {
      r.disconnect();
    }
  });

  test('HELLO: RESP2/RESP3 handshake replies, options and errors', async () => {
    const c = await fx().client();
    const id = (await c.call('CLIENT', 'ID')) as number;
    const body = (proto: number): string =>
      '$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$5\r\n7.4.1\r\n$5\r\nproto\r\n:' + proto + '\r\n$2\r\nid\r\n:' + id +
      '\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n';
    assert.equal(await c.callRaw('HELLO'), '*14\r\n' + body(2));
    assert.equal(await c.callRaw('HELLO', '3'), '%7\r\n' + body(3));
    // without a version HELLO reports the current protocol
    assert.equal(await c.callRaw('HELLO'), '%7\r\n' + body(3));
    assert.equal(await c.callRaw('HGETALL', 'no-such-hash'), '%0\r\n');
    assert.equal(await c.callRaw('GET', 'no-such-key'), '_\r\n');
    assert.equal(await c.callRaw('HELLO', '2'), '*14\r\n' + body(2));
    assert.equal(await c.callRaw('GET', 'no-such-key'), '$-1\r\n');
    assert.equal(await c.callRaw('HELLO', '1'), '-NOPROTO unsupported protocol version\r\n');
    assert.equal(await c.callRaw('HELLO', '4', 'BAD'), '-NOPROTO unsupported protocol version\r\n');
    assert.equal(await c.callRaw('HELLO', 'three'), '-ERR Protocol version is not an integer or out of range\r\n');
    assert.equal(await c.callRaw('HELLO', '3', 'FOO'), "-ERR Syntax error in HELLO option 'FOO'\r\n");
    assert.equal(await c.callRaw('HELLO', '3', 'AUTH', 'default'), "-ERR Syntax error in HELLO option 'AUTH'\r\n");
    assert.equal(await c.callRaw('HELLO', '3', 'SETNAME'), "-ERR Syntax error in HELLO option 'SETNAME'\r\n");
    assert.equal(await c.callRaw('HELLO', '3', 'SETNAME', 'bad name'), '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    assert.equal(await c.callRaw('HELLO', '3', 'AUTH', 'nobody', 'pw'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    // errors leave the protocol unchanged
    assert.equal(await c.callRaw('GET', 'no-such-key'), '$-1\r\n');
    // with no password configured the default user accepts any password
    const ok = await c.call('HELLO', '3', 'AUTH', 'default', 'anything', 'SETNAME', 'hello-named');
    assert.ok(typeof ok === 'object' && ok !== null && 'map' in ok);
    assert.equal(await c.callRaw('CLIENT', 'GETNAME'), '$11\r\nhello-named\r\n');
    assert.match(((await c.call('CLIENT', 'INFO')) as { verbatim: string }).verbatim, / resp=3 lib-name= lib-ver=\n$/);
    // a failing HELLO changes nothing (Redis 7.2): not the name, not the protocol, not the user
    assert.equal(await c.callRaw('HELLO', '2', 'SETNAME', 'first', 'AUTH', 'x', 'y'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    assert.equal(await c.callRaw('CLIENT', 'GETNAME'), '$11\r\nhello-named\r\n');
    assert.equal(await c.callRaw('HELLO', '2', 'AUTH', 'default', 'x', 'SETNAME', 'bad name'), '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    assert.equal(await c.callRaw('CLIENT', 'GETNAME'), '$11\r\nhello-named\r\n');
    assert.match(((await c.call('CLIENT', 'INFO')) as { verbatim: string }).verbatim, / resp=3 /);
  });

  test('RESP3 with node-redis: maps, sets, doubles, nulls', async () => {
    const n = await nodeRedis(fx().port, 3);
    try {
      await n.hSet('r3-h', { a: '1', b: '2' });
      assert.deepEqual({ ...(await n.hGetAll('r3-h')) }, { a: '1', b: '2' });
      await n.sAdd('r3-s', ['x', 'y']);
      assert.deepEqual([...(await n.sMembers('r3-s'))].sort(), ['x', 'y']);
      await n.zAdd('r3-z', { score: 1.5, value: 'm' });
      assert.equal(await n.zScore('r3-z', 'm'), 1.5);
      assert.equal(await n.get('r3-none'), null);
      const info = await n.sendCommand(['CLIENT', 'INFO']);
      assert.match(String(info), /resp=3/);
      await n.del(['r3-h', 'r3-s', 'r3-z']);
    } finally {
      n.destroy();
    }
  });

  test('QUIT: replies OK, closes, and runs nothing after it', async () => {
    const c = await RespClient.connect(fx().port);
    c.writeRaw('*1\r\n$4\r\nQUIT\r\n*3\r\n$3\r\nSET\r\n$9\r\nafterquit\r\n$1\r\n1\r\n');
    assert.equal(await c.readRaw(), '+OK\r\n');
    await c.waitClosed();
    assert.equal(c.pending(), '');
    const d = await fx().client();
    assert.equal(await d.callRaw('EXISTS', 'afterquit'), ':0\r\n');
    assert.equal(await d.callRaw('QUIT', 'extra', 'args'), '+OK\r\n');
    await d.waitClosed();
    const r = await ioredis(fx().port);
    assert.equal(await r.quit(), 'OK');
  });

  test('RESET: back to db 0, RESP2, no name, replies on, no transaction', async () => {
    const c = await fx().client();
    await c.call('HELLO', '3');
    await c.call('SELECT', '3');
    await c.call('CLIENT', 'SETNAME', 'before-reset');
    await c.call('CLIENT', 'NO-EVICT', 'ON');
    await c.call('CLIENT', 'NO-TOUCH', 'ON');
    await c.call('WATCH', 'reset-w');
    await c.call('MULTI');
    assert.equal(await c.callRaw('SET', 'reset-k', '1'), '+QUEUED\r\n');
    assert.equal(await c.callRaw('RESET'), '+RESET\r\n');
    assert.equal(await c.callRaw('EXEC'), '-ERR EXEC without MULTI\r\n');
    assert.equal(await c.callRaw('GET', 'reset-k'), '$-1\r\n');
    assert.equal(await c.callRaw('CLIENT', 'GETNAME'), '$-1\r\n');
    const info = parseInfoLine(((await c.call('CLIENT', 'INFO')) as string).trimEnd());
    assert.equal(info.get('db'), '0');
    assert.equal(info.get('resp'), '2');
    assert.equal(info.get('name'), '');
    // RESET clears CLIENT NO-EVICT too since Redis 7.2 (#11483)
    assert.equal(info.get('flags'), 'N');
    // RESET turns replies back on
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('PING');
    assert.equal(await c.callRaw('RESET'), '+RESET\r\n');
    assert.equal(await c.callRaw('PING'), '+PONG\r\n');
    assert.equal(await c.callRaw('RESET', 'x'), "-ERR wrong number of arguments for 'reset' command\r\n");
  });

  test('AUTH and HELLO AUTH with requirepass; RESET drops authentication', async () => {
    const srv = await startServer({ port: 0, shards: fx().shards, requirepass: 's3cret' });
    try {
      const c = await RespClient.connect(srv.port);
      assert.equal(await c.callRaw('PING'), '-NOAUTH Authentication required.\r\n');
      assert.equal(await c.callRaw('CLIENT', 'ID'), '-NOAUTH Authentication required.\r\n');
      assert.equal(
        await c.callRaw('HELLO', '3'),
        '-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n',
      );
      assert.equal(await c.callRaw('AUTH', 'wrong'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
      assert.equal(await c.callRaw('AUTH', 'bob', 's3cret'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
      assert.equal(await c.callRaw('AUTH', 'a', 'b', 'c'), '-ERR syntax error\r\n');
      assert.equal(await c.callRaw('AUTH'), "-ERR wrong number of arguments for 'auth' command\r\n");
      assert.equal(await c.callRaw('AUTH', 's3cret'), '+OK\r\n');
      assert.equal(await c.callRaw('PING'), '+PONG\r\n');
      assert.equal(await c.callRaw('RESET'), '+RESET\r\n');
      assert.equal(await c.callRaw('PING'), '-NOAUTH Authentication required.\r\n');
      assert.equal(await c.callRaw('AUTH', 'default', 's3cret'), '+OK\r\n');
      assert.equal(await c.callRaw('PING'), '+PONG\r\n');
      const h = await RespClient.connect(srv.port);
      const hello = await h.call('HELLO', '3', 'AUTH', 'default', 's3cret', 'SETNAME', 'authed');
      assert.ok(typeof hello === 'object' && hello !== null && 'map' in hello);
      assert.equal(await h.callRaw('CLIENT', 'GETNAME'), '$6\r\nauthed\r\n');
      // until authenticated, big requests are refused at the protocol level
      const u = await RespClient.connect(srv.port);
      u.writeRaw('*11\r\n');
      assert.equal(await u.readRaw(), '-ERR Protocol error: unauthenticated multibulk length\r\n');
      await u.waitClosed();
      const v = await RespClient.connect(srv.port);
      v.writeRaw('*2\r\n$3\r\nGET\r\n$16385\r\n');
      assert.equal(await v.readRaw(), '-ERR Protocol error: unauthenticated bulk length\r\n');
      await v.waitClosed();
      // authenticated clients may send them
      assert.equal(await h.callRaw('ECHO', 'x'.repeat(20000)), '$20000\r\n' + 'x'.repeat(20000) + '\r\n');
      assert.equal((await h.call('MSET', 'a', '1', 'b', '2', 'c', '3', 'd', '4', 'e', '5', 'f', '6')), 'OK');
      const { Redis } = await import('ioredis');
      const withPw = new Redis({ port: srv.port, host: '127.0.0.1', password: 's3cret', lazyConnect: true });
      await withPw.connect();
      assert.equal(await withPw.ping(), 'PONG');
      withPw.disconnect();
      const { createClient } = await import('redis');
      const nr = createClient({ socket: { port: srv.port, host: '127.0.0.1', reconnectStrategy: false }, password: 's3cret', RESP: 3 });
      nr.on('error', () => {});
      await nr.connect();
      assert.equal(await nr.ping(), 'PONG');
      nr.destroy();
      for (const x of [c, h]) x.close();
    } finally {
      await srv.close();
    }
    const c = await fx().client();
    assert.equal(
      await c.callRaw('AUTH', 'pw'),
      '-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n',
    );
    assert.equal(await c.callRaw('AUTH', 'default', 'anything'), '+OK\r\n');
    assert.equal(await c.callRaw('AUTH', 'someone', 'pw'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
  });

  test('CLIENT ID, SETNAME, GETNAME, SETINFO, GETREDIR, NO-EVICT, NO-TOUCH', async () => {
    const c = await fx().client();
    const d = await fx().client();
    const a = (await c.call('CLIENT', 'ID')) as number;
    const b = (await d.call('CLIENT', 'ID')) as number;
    // ids increase in accept order; with threads each thread accepts from its own queue
    // (SO_REUSEPORT), so two connections opened in a row may be accepted in either order
    assert.ok(a > 0 && (TEST_THREADS > 1 ? b !== a : b > a));
    assert.equal(await c.callRaw('CLIENT', 'GETNAME'), '$-1\r\n');
    assert.equal(await c.callRaw('CLIENT', 'SETNAME', 'conn-a'), '+OK\r\n');
    assert.equal(await c.callRaw('client', 'getname'), '$6\r\nconn-a\r\n');
    for (const bad of ['a b', 'a\nb', 'é', 'tab\t']) {
      assert.equal(await c.callRaw('CLIENT', 'SETNAME', bad), '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    }
    assert.equal(await c.callRaw('CLIENT', 'GETNAME'), '$6\r\nconn-a\r\n');
    assert.equal(await c.callRaw('CLIENT', 'SETNAME', ''), '+OK\r\n');
    assert.equal(await c.callRaw('CLIENT', 'GETNAME'), '$-1\r\n');
    assert.equal(await c.callRaw('CLIENT', 'SETNAME'), "-ERR wrong number of arguments for 'client|setname' command\r\n");
    assert.equal(await c.callRaw('CLIENT', 'SETINFO', 'LIB-NAME', 'mylib'), '+OK\r\n');
    assert.equal(await c.callRaw('CLIENT', 'SETINFO', 'lib-ver', '1.2.3'), '+OK\r\n');
    assert.equal(await c.callRaw('CLIENT', 'SETINFO', 'lib-ver', '1 2'), '-ERR lib-ver cannot contain spaces, newlines or special characters.\r\n');
    assert.equal(await c.callRaw('CLIENT', 'SETINFO', 'color', 'red'), "-ERR Unrecognized option 'color'\r\n");
    assert.equal(await c.callRaw('CLIENT', 'GETREDIR'), ':-1\r\n');
    assert.equal(await c.callRaw('CLIENT', 'NO-EVICT', 'on'), '+OK\r\n');
    assert.equal(await c.callRaw('CLIENT', 'NO-TOUCH', 'ON'), '+OK\r\n');
    assert.match((await c.call('CLIENT', 'INFO')) as string, / flags=eT /);
    assert.equal(await c.callRaw('CLIENT', 'NO-EVICT', 'off'), '+OK\r\n');
    assert.equal(await c.callRaw('CLIENT', 'NO-TOUCH', 'off'), '+OK\r\n');
    assert.match((await c.call('CLIENT', 'INFO')) as string, / flags=N /);
    // watch= counts the keys this client watches, lib-name= / lib-ver= come from CLIENT SETINFO
    await c.call('WATCH', 'w1', 'w2', 'w1');
    const line = ((await c.call('CLIENT', 'INFO')) as string).trimEnd();
    assert.deepEqual(line.split(' ').map((f) => f.slice(0, f.indexOf('='))), FIELDS);
    assert.match(line, / multi=-1 watch=2 /);
    assert.match(line, / lib-name=mylib lib-ver=1\.2\.3$/);
    assert.match((await c.call('INFO', 'clients')) as string, /\r\nwatching_clients:1\r\nclients_in_timeout_table:\d+\r\ntotal_watched_keys:2\r\n/);
    await c.call('UNWATCH');
    assert.match((await c.call('CLIENT', 'INFO')) as string, / watch=0 /);
    assert.match((await c.call('INFO', 'clients')) as string, /\r\nwatching_clients:0\r\n/);
    assert.equal(await c.callRaw('CLIENT', 'NO-EVICT', 'maybe'), '-ERR syntax error\r\n');
    assert.equal(await c.callRaw('CLIENT', 'NO-TOUCH', 'maybe'), '-ERR syntax error\r\n');
    assert.equal(await c.callRaw('CLIENT'), "-ERR wrong number of arguments for 'client' command\r\n");
    assert.equal(await c.callRaw('CLIENT', 'BOGUS'), "-ERR unknown subcommand 'BOGUS'. Try CLIENT HELP.\r\n");
    assert.equal(await c.callRaw('CLIENT', 'ID', 'x'), "-ERR wrong number of arguments for 'client|id' command\r\n");
    const help = (await c.call('CLIENT', 'HELP')) as string[];
    assert.equal(help[0], 'CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.deepEqual(help.slice(-2), ['HELP', '    Print this help.']);
    assert.equal(help.length, 58);
    // node-redis sends CLIENT SETINFO itself on connect
    const n = await nodeRedis(fx().port);
    try {
      assert.equal(await n.clientSetName('from-node'), 'OK');
      assert.equal(await n.clientGetName(), 'from-node');
      assert.equal(typeof (await n.clientId()), 'number');
    } finally {
      n.destroy();
    }
    const r = await ioredis(fx().port);
    try {
      assert.equal(await r.client('SETNAME', 'from-io'), 'OK');
      assert.equal(await r.client('GETNAME'), 'from-io');
    } finally {
      r.disconnect();
    }
  });

  test('CLIENT INFO and LIST: Redis 7.4 fields in order, filters, errors', async () => {
    const c = await fx().client();
    const d = await fx().client();
    await d.call('CLIENT', 'SETNAME', 'other');
    await d.call('SELECT', '2');
    const me = (await c.call('CLIENT', 'ID')) as number;
    const other = (await d.call('CLIENT', 'ID')) as number;
    const info = (await c.call('CLIENT', 'INFO')) as string;
    assert.ok(info.endsWith('\n') && !info.slice(0, -1).includes('\n'));
    const f = parseInfoLine(info.trimEnd());
    assert.deepEqual([...f.keys()], FIELDS);
    assert.equal(f.get('id'), String(me));
    assert.equal(f.get('addr'), `127.0.0.1:${c.socket.localPort}`);
    assert.equal(f.get('laddr'), `127.0.0.1:${fx().port}`);
    assert.equal(f.get('flags'), 'N');
    assert.equal(f.get('multi'), '-1');
    // the query buffer still holds the CLIENT INFO request itself, as in Redis
    assert.equal(f.get('qbuf'), '26');
    assert.equal(f.get('argv-mem'), '10');
    assert.equal(f.get('cmd'), 'client|info');
    assert.equal(f.get('user'), 'default');
    assert.equal(f.get('redir'), '-1');
    assert.equal(f.get('events'), 'r');
    const all = listLines(await c.call('CLIENT', 'LIST'));
    const mine = all.find((x) => x.get('id') === String(me))!;
    assert.equal(mine.get('cmd'), 'client|list');
    const theirs = all.find((x) => x.get('id') === String(other))!;
    assert.equal(theirs.get('name'), 'other');
    assert.equal(theirs.get('db'), '2');
    assert.equal(theirs.get('cmd'), 'client|id');
    assert.equal(theirs.get('qbuf'), '0');
    for (const line of all) assert.deepEqual([...line.keys()], FIELDS);
    // ID filter: in the order given, unknown ids skipped
    const byId = listLines(await c.call('CLIENT', 'LIST', 'ID', String(other), '999999', String(me)));
    assert.deepEqual(byId.map((x) => x.get('id')), [String(other), String(me)]);
    assert.equal(await c.callRaw('CLIENT', 'LIST', 'ID', '999999'), '$0\r\n\r\n');
    assert.equal(listLines(await c.call('CLIENT', 'LIST', 'TYPE', 'NORMAL')).length, all.length);
    assert.equal(await c.callRaw('CLIENT', 'LIST', 'TYPE', 'pubsub'), '$0\r\n\r\n');
    assert.equal(await c.callRaw('CLIENT', 'LIST', 'TYPE', 'master'), '$0\r\n\r\n');
    assert.equal(await c.callRaw('CLIENT', 'LIST', 'TYPE', 'replica'), '$0\r\n\r\n');
    assert.equal(await c.callRaw('CLIENT', 'LIST', 'TYPE', 'bogus'), "-ERR Unknown client type 'bogus'\r\n");
    assert.equal(await c.callRaw('CLIENT', 'LIST', 'ID', 'abc'), '-ERR Invalid client ID\r\n');
    assert.equal(await c.callRaw('CLIENT', 'LIST', 'ID'), '-ERR syntax error\r\n');
    assert.equal(await c.callRaw('CLIENT', 'LIST', 'TYPE', 'normal', 'x'), '-ERR syntax error\r\n');
    // flags and multi while in a transaction; RESP3 gives a verbatim string
    await d.call('MULTI');
    await d.call('SET', 'x', '1');
    await d.call('GET', 'x');
    const inTx = listLines(await c.call('CLIENT', 'LIST', 'ID', String(other)))[0]!;
    assert.equal(inTx.get('flags'), 'x');
    assert.equal(inTx.get('multi'), '2');
    // Redis's argv_len_sums: the arguments' bytes and a pointer for each
    assert.equal(inTx.get('multi-mem'), String('SETx1GETx'.length + 5 * 8));
    await d.call('DISCARD');
    await c.call('HELLO', '3');
    const raw = await c.callRaw('CLIENT', 'INFO');
    assert.match(raw, /^=\d+\r\ntxt:id=/);
    assert.match(raw, / resp=3 lib-name= lib-ver=\n\r\n$/);
    const r = await ioredis(fx().port);
    try {
      const list = (await r.client('LIST')) as string;
      assert.match(list, /cmd=client\|list user=default redir=-1 resp=[23] lib-name=\S* lib-ver=\S*\n/);
    } finally {
      r.disconnect();
    }
  });

  test('CLIENT KILL: old and filter forms, SKIPME, errors', async () => {
    const port = fx().port;
    const c = await fx().client();
    const v1 = await RespClient.connect(port);
    await v1.call('PING');
    assert.equal(await c.callRaw('CLIENT', 'KILL', `127.0.0.1:${v1.socket.localPort}`), '+OK\r\n');
    await v1.waitClosed();
    assert.equal(await c.callRaw('CLIENT', 'KILL', `127.0.0.1:${v1.socket.localPort}`), '-ERR No such client\r\n');
    assert.equal(await c.callRaw('CLIENT', 'KILL', '1.2.3.4:5'), '-ERR No such client\r\n');
    const v2 = await RespClient.connect(port);
    const v2id = (await v2.call('CLIENT', 'ID')) as number;
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'ID', String(v2id)), ':1\r\n');
    await v2.waitClosed();
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'ID', String(v2id)), ':0\r\n');
    const v3 = await RespClient.connect(port);
    await v3.call('PING');
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${v3.socket.localPort}`, 'TYPE', 'normal', 'USER', 'default'), ':1\r\n');
    await v3.waitClosed();
    const v4 = await RespClient.connect(port);
    await v4.call('PING');
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${v4.socket.localPort}`, 'LADDR', '10.0.0.1:1'), ':0\r\n');
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'ADDR', `127.0.0.1:${v4.socket.localPort}`, 'LADDR', `127.0.0.1:${port}`), ':1\r\n');
    await v4.waitClosed();
    // MAXAGE: nobody is an hour old
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'MAXAGE', '3600'), ':0\r\n');
    const errors: Array<[string[], string]> = [
      [['CLIENT', 'KILL'], "-ERR wrong number of arguments for 'client|kill' command\r\n"],
      [['CLIENT', 'KILL', 'ID', '10', 'extra'], '-ERR syntax error\r\n'],
      [['CLIENT', 'KILL', 'ID', 'str'], '-ERR client-id should be greater than 0\r\n'],
      [['CLIENT', 'KILL', 'ID', '-1'], '-ERR client-id should be greater than 0\r\n'],
      [['CLIENT', 'KILL', 'ID', '0'], '-ERR client-id should be greater than 0\r\n'],
      [['CLIENT', 'KILL', 'TYPE', 'wrong'], "-ERR Unknown client type 'wrong'\r\n"],
      [['CLIENT', 'KILL', 'USER', 'wrong_user'], "-ERR No such user 'wrong_user'\r\n"],
      [['CLIENT', 'KILL', 'SKIPME', 'maybe'], '-ERR syntax error\r\n'],
      [['CLIENT', 'KILL', 'FOO', 'bar'], '-ERR syntax error\r\n'],
      [['CLIENT', 'KILL', 'MAXAGE', 'x'], '-ERR maxage is not an integer or out of range\r\n'],
      [['CLIENT', 'KILL', 'MAXAGE', '0'], '-ERR maxage should be greater than 0\r\n'],
    ];
    for (const [cmd, reply] of errors) assert.equal(await c.callRaw(...cmd), reply, cmd.join(' '));
    // SKIPME yes spares the caller; SKIPME no kills it after its reply
    const self = await RespClient.connect(port);
    const myId = (await self.call('CLIENT', 'ID')) as number;
    assert.equal(await self.callRaw('CLIENT', 'KILL', 'ID', String(myId)), ':0\r\n');
    assert.equal(await self.callRaw('CLIENT', 'KILL', 'ID', String(myId), 'SKIPME', 'no'), ':1\r\n');
    await self.waitClosed();
    // the old form may kill the caller too
    const self2 = await RespClient.connect(port);
    await self2.call('PING');
    assert.equal(await self2.callRaw('CLIENT', 'KILL', `127.0.0.1:${self2.socket.localPort}`), '+OK\r\n');
    await self2.waitClosed();
    // ioredis notices its connection was killed
    const r = await ioredis(port);
    const rid = (await r.client('ID')) as number;
    const closed = new Promise<void>((res) => r.once('close', () => res()));
    assert.equal(await c.call('CLIENT', 'KILL', 'ID', String(rid)), 1);
    await closed;
    r.disconnect();
    assert.equal(await c.callRaw('PING'), '+PONG\r\n');
  });

  test('CLIENT KILL MAXAGE (7.4) kills connections at least that many seconds old, with the other filters', async () => {
    const port = fx().port;
    // every connection here logs in as its own user, so USER keeps other tests' connections (old too) out of the counts
    const admin = await RespClient.connect(port);
    assert.equal(await admin.call('ACL', 'SETUSER', 'ager', 'on', 'nopass', '+@all', '~*'), 'OK');
    const login = async (): Promise<RespClient> => {
      const x = await RespClient.connect(port);
      assert.equal(await x.call('AUTH', 'ager', 'x'), 'OK');
      return x;
    };
    const c = await login();
    const old1 = await login();
    const old2 = await login();
    await old2.call('CLIENT', 'SETNAME', 'old-two');
    const oldId = (await old1.call('CLIENT', 'ID')) as number;
    const old2Id = (await old2.call('CLIENT', 'ID')) as number;
    await sleep(2200);
    const young = await login();
    const youngId = (await young.call('CLIENT', 'ID')) as number;
    // ages in whole seconds, as CLIENT LIST's age=: the old ones 2 or 3, the young one 0 or 1
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'MAXAGE', '10', 'USER', 'ager'), ':0\r\n');
    // with ID: the young one is too young, the old one goes
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'ID', String(youngId), 'MAXAGE', '2'), ':0\r\n');
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'MAXAGE', '2', 'ID', String(oldId)), ':1\r\n');
    await old1.waitClosed();
    // the caller is as old, but SKIPME yes (the default) spares it; TYPE pubsub matches none of them
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'MAXAGE', '2', 'TYPE', 'pubsub', 'USER', 'ager'), ':0\r\n');
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'TYPE', 'normal', 'USER', 'ager', 'MAXAGE', '2'), ':1\r\n');
    await old2.waitClosed();
    assert.equal(young.closed, false);
    assert.equal(await young.call('PING'), 'PONG');
    const listed = (await c.call('CLIENT', 'LIST')) as string;
    assert.ok(!listed.includes(`id=${old2Id} `) && listed.includes(`id=${youngId} `));
    // SKIPME no: the caller itself, old enough, is killed after its reply
    assert.equal(await c.callRaw('CLIENT', 'KILL', 'MAXAGE', '2', 'SKIPME', 'no', 'USER', 'ager'), ':1\r\n');
    await c.waitClosed();
    assert.equal(await young.call('PING'), 'PONG');
    young.close();
    assert.equal(await admin.call('ACL', 'DELUSER', 'ager'), 1);
    admin.close();
  });

  test('CLIENT REPLY ON|OFF|SKIP mutes replies, errors included', async () => {
    const c = await RespClient.connect(fx().port);
    c.writeRaw(
      'CLIENT REPLY OFF\r\nPING one\r\nNOSUCHCMD\r\nGET\r\nSET rk v\r\nCLIENT REPLY ON\r\nGET rk\r\n' +
        'CLIENT REPLY SKIP\r\nPING skipped\r\nPING shown\r\n' +
        'CLIENT REPLY SKIP\r\nNOSUCHCMD\r\nPING after-error\r\n' +
        'CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING on\r\n' +
        'CLIENT REPLY OFF\r\nCLIENT REPLY SKIP\r\nPING still-off\r\nCLIENT REPLY ON\r\n' +
        'CLIENT REPLY MAYBE\r\n',
    );
    const expected = ['+OK\r\n', '$1\r\nv\r\n', '$5\r\nshown\r\n', '$11\r\nafter-error\r\n', '+OK\r\n', '$2\r\non\r\n', '+OK\r\n', '-ERR syntax error\r\n'];
    for (const e of expected) assert.equal(await c.readRaw(), e);
    await sleep(20);
    assert.equal(c.pending(), '');
    c.close();
    const r = await ioredis(fx().port);
    try {
      assert.equal(await r.client('REPLY', 'ON'), 'OK');
    } finally {
      r.disconnect();
    }
  });

  test('CLIENT PAUSE WRITE|ALL and UNPAUSE; UNBLOCK of paused and blocked clients', async () => {
    const port = fx().port;
    const admin = await RespClient.connect(port);
    const w = await RespClient.connect(port);
    const rd = await RespClient.connect(port);
    try {
      assert.equal(await admin.callRaw('CLIENT', 'PAUSE', '100000', 'WRITE'), '+OK\r\n');
      // reads, and commands with errors, answer at once
      assert.equal(await rd.callRaw('GET', 'pause-k'), '$-1\r\n');
      assert.equal(await rd.callRaw('SET', 'pause-k'), "-ERR wrong number of arguments for 'set' command\r\n");
      w.send('SET', 'pause-k', 'v');
      w.send('GET', 'pause-k');
      await waitFor(async () => (await blockedClients(admin)) === 1, 'the writer to be paused');
      const flags = listLines(await admin.call('CLIENT', 'LIST', 'ID', String(await rd.call('CLIENT', 'ID'))));
      assert.equal(flags[0]!.get('flags'), 'N');
      assert.equal(await rd.callRaw('GET', 'pause-k'), '$-1\r\n');
      assert.equal(await admin.callRaw('CLIENT', 'UNPAUSE'), '+OK\r\n');
      assert.equal(await w.readRaw(), '+OK\r\n');
      assert.equal(await w.readRaw(), '$1\r\nv\r\n');
      assert.equal(await blockedClients(admin), 0);
      // a transaction with writes waits at EXEC; a timed pause ends by itself
      await w.call('MULTI');
      await w.call('INCR', 'pause-n');
      assert.equal(await admin.callRaw('CLIENT', 'PAUSE', '150', 'WRITE'), '+OK\r\n');
      const t0 = Date.now();
      assert.equal(await w.callRaw('EXEC'), '*1\r\n:1\r\n');
      assert.ok(Date.now() - t0 >= 100, 'EXEC waited for the pause');
      // ALL pauses every command, reads and CLIENT UNPAUSE included (as in Redis 7.0)
      assert.equal(await admin.callRaw('CLIENT', 'PAUSE', '200', 'ALL'), '+OK\r\n');
      const t1 = Date.now();
      rd.send('GET', 'pause-k');
      admin.send('CLIENT', 'UNPAUSE');
      assert.equal(await rd.readRaw(), '$1\r\nv\r\n');
      assert.equal(await admin.readRaw(), '+OK\r\n');
      assert.ok(Date.now() - t1 >= 150, 'the read waited for the pause');
      const errors: Array<[string[], string]> = [
        [['CLIENT', 'PAUSE', 'x'], '-ERR timeout is not an integer or out of range\r\n'],
        [['CLIENT', 'PAUSE', '-1'], '-ERR timeout is negative\r\n'],
        [['CLIENT', 'PAUSE', '10', 'READ'], '-ERR CLIENT PAUSE mode must be WRITE or ALL\r\n'],
        [['CLIENT', 'PAUSE', '10', 'ALL', 'x'], "-ERR unknown subcommand or wrong number of arguments for 'PAUSE'. Try CLIENT HELP.\r\n"],
        [['CLIENT', 'PAUSE'], "-ERR wrong number of arguments for 'client|pause' command\r\n"],
        [['CLIENT', 'UNBLOCK', 'x'], '-ERR value is not an integer or out of range\r\n'],
        [['CLIENT', 'UNBLOCK', '1', 'LATER'], '-ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR\r\n'],
        [['CLIENT', 'UNBLOCK', '1', '2', '3'], "-ERR unknown subcommand or wrong number of arguments for 'UNBLOCK'. Try CLIENT HELP.\r\n"],
        [['CLIENT', 'UNBLOCK', '999999'], ':0\r\n'],
      ];
      for (const [cmd, reply] of errors) assert.equal(await admin.callRaw(...cmd), reply, cmd.join(' '));
      // CLIENT PAUSE 0 pauses nothing
      assert.equal(await admin.callRaw('CLIENT', 'PAUSE', '0'), '+OK\r\n');
      assert.equal(await w.callRaw('SET', 'pause-k', 'w'), '+OK\r\n');
      // UNBLOCK a client blocked in BLPOP: TIMEOUT gives the timeout reply, ERROR an -UNBLOCKED error
      const bid = (await rd.call('CLIENT', 'ID')) as number;
      rd.send('BLPOP', 'unblock-list', '0');
      await waitFor(async () => (await blockedClients(admin)) === 1, 'BLPOP to block');
      assert.equal(listLines(await admin.call('CLIENT', 'LIST', 'ID', String(bid)))[0]!.get('flags'), 'b');
      assert.equal(await admin.callRaw('CLIENT', 'UNBLOCK', String(bid)), ':1\r\n');
      assert.equal(await rd.readRaw(), '*-1\r\n');
      rd.send('BLPOP', 'unblock-list', '0');
      await waitFor(async () => (await blockedClients(admin)) === 1, 'BLPOP to block again');
      assert.equal(await admin.callRaw('CLIENT', 'UNBLOCK', String(bid), 'error'), ':1\r\n');
      assert.equal(await rd.readRaw(), '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
      assert.equal(await admin.callRaw('CLIENT', 'UNBLOCK', String(bid)), ':0\r\n');
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
      for (const x of [admin, w, rd]) x.close();
    }
  });

  test('MONITOR streams commands with db, address, quoting and redaction', async () => {
    const port = fx().port;
    const m = await RespClient.connect(port);
    const c = await RespClient.connect(port);
    try {
      assert.equal(await m.callRaw('MONITOR'), '+OK\r\n');
      await c.call('SELECT', '4');
      await c.call('SET', 'mon key', 'a"b\\c\r\n\x01');
      await c.call('AUTH', 'default', 'hunter2');
      await c.call('CLIENT', 'LIST');
      await c.call('MULTI');
      await c.call('INCR', 'mon-n');
      await c.call('EXEC');
      await c.call('FLUSHDB');
      const addr = `127.0.0.1:${c.socket.localPort}`;
      const line = async (): Promise<string> => {
        const r = await m.readRaw();
        const match = /^\+\d+\.\d{6} \[(.*)\r\n$/.exec(r);
        assert.ok(match, r);
        return '[' + match[1]!;
      };
      assert.equal(await line(), `[4 ${addr}] "SELECT" "4"`);
      assert.equal(await line(), `[4 ${addr}] "SET" "mon key" "a\\"b\\\\c\\r\\n\\x01"`);
      assert.equal(await line(), `[4 ${addr}] "AUTH" "(redacted)" "(redacted)"`);
      // admin commands (CLIENT LIST) are not shown; transactions show MULTI, the commands, then EXEC
      assert.equal(await line(), `[4 ${addr}] "MULTI"`);
      assert.equal(await line(), `[4 ${addr}] "INCR" "mon-n"`);
      assert.equal(await line(), `[4 ${addr}] "EXEC"`);
      assert.equal(await line(), `[4 ${addr}] "FLUSHDB"`);
      // a second MONITOR gets no reply; a monitor can't touch the keyspace
      m.send('MONITOR');
      assert.equal(await m.callRaw('GET', 'x'), "-ERR Replica can't interact with the keyspace\r\n");
      assert.equal(await m.callRaw('PING'), '+PONG\r\n');
      assert.match(await m.readRaw(), /^\+\d+\.\d{6} \[0 127\.0\.0\.1:\d+\] "PING"\r\n$/);
      // RESET leaves monitor mode
      assert.equal(await m.callRaw('RESET'), '+RESET\r\n');
      assert.equal(await m.callRaw('GET', 'x'), '$-1\r\n');
      await c.call('PING');
      await sleep(30);
      assert.equal(m.pending(), '');
    } finally {
      m.close();
      c.close();
    }
  });
});
