import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { ReplyError, RespClient } from '../helpers/resp-client.ts';
import { startServer } from '../../src/index.ts';

describeServer('server, connection and protocol', (fx) => {
  test('INFO, CONFIG, COMMAND, DBSIZE, FLUSHDB, SWAPDB, TIME (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.set('a', '1');
      const info = await r.info();
      assert.match(info, /^# Server\r\nredis_version:7\.0\.15\r\n/);
      assert.match(info, /shardis_version:/);
      assert.match(info, /# Keyspace\r\ndb0:keys=\d+,expires=0/);
      assert.match(await r.info('commandstats'), /cmdstat_set:calls=\d+,usec=\d+/);
      assert.deepEqual(await r.config('GET', 'maxmemory'), ['maxmemory', '0']);
      assert.equal(await r.config('SET', 'hash-max-listpack-entries', '4'), 'OK');
      assert.deepEqual(await r.config('GET', 'hash-max-listpack-*'), ['hash-max-listpack-entries', '4', 'hash-max-listpack-value', '64']);
      await r.config('SET', 'hash-max-listpack-entries', '128');
      await assert.rejects(r.config('SET', 'nope', '1'), /Unknown option or number of arguments for CONFIG SET - 'nope'/);
      const count = (await r.command('COUNT')) as unknown as number;
      assert.ok(count > 150);
      const [getInfo] = (await r.command('INFO', 'get')) as unknown[][];
      assert.deepEqual(getInfo!.slice(0, 6), ['get', 2, ['readonly', 'fast'], 1, 1, 1]);
      assert.deepEqual(await r.command('GETKEYS', 'MSET', 'a', '1', 'b', '2'), ['a', 'b']);
      await r.select(3);
      await r.set('in3', 'x');
      assert.equal(await r.dbsize(), 1);
      assert.equal(await r.swapdb(3, 4), 'OK');
      assert.equal(await r.dbsize(), 0);
      await r.select(4);
      assert.equal(await r.get('in3'), 'x');
      assert.equal(await r.flushdb(), 'OK');
      assert.equal(await r.dbsize(), 0);
      const [secs] = await r.time();
      assert.ok(Math.abs(Number(secs) - Date.now() / 1000) < 5);
      await assert.rejects(r.select(16), /DB index is out of range/);
    } finally {
      r.disconnect();
    }
  });

  test('HELLO 3, CLIENT, RESET, ECHO, QUIT and RESP3 types', async () => {
    const c = await fx().client();
    const hello = await c.call('HELLO', '3', 'SETNAME', 'tester');
    assert.ok(typeof hello === 'object' && hello !== null && 'map' in hello);
    assert.equal(await c.callRaw('CLIENT', 'GETNAME'), '$6\r\ntester\r\n');
    const info = (await c.call('CLIENT', 'INFO')) as { verbatim: string };
    assert.match(info.verbatim, /name=tester .*resp=3/);
    assert.equal(await c.callRaw('HGETALL', 'nope'), '%0\r\n');
    assert.equal(await c.callRaw('CLIENT', 'SETNAME', 'a b'), '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    assert.equal(await c.callRaw('RESET'), '+RESET\r\n');
    assert.equal(await c.callRaw('GET', 'nope'), '$-1\r\n');
    assert.equal(await c.callRaw('HELLO', '4'), '-NOPROTO unsupported protocol version\r\n');
    assert.equal(await c.callRaw('ECHO', 'hi'), '$2\r\nhi\r\n');
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('SET', 'quiet', '1');
    assert.equal(await c.callRaw('CLIENT', 'REPLY', 'ON'), '+OK\r\n');
    assert.equal(await c.callRaw('QUIT'), '+OK\r\n');
    await c.waitClosed();
  });

  test('inline commands, pipelining order, and bad input keeps the server serving', async () => {
    const port = fx().port;
    const c = await RespClient.connect(port);
    c.writeRaw('PING\r\nSET inl "a b"\r\nGET inl\r\n');
    assert.equal(await c.readRaw(), '+PONG\r\n');
    assert.equal(await c.readRaw(), '+OK\r\n');
    assert.equal(await c.readRaw(), '$3\r\na b\r\n');
    let batch = '';
    for (let i = 0; i < 200; i++) batch += `*2\r\n$4\r\nECHO\r\n$${String(i).length}\r\n${i}\r\n`;
    c.writeRaw(batch);
    for (let i = 0; i < 200; i++) assert.equal(await c.readRaw(), `$${String(i).length}\r\n${i}\r\n`);
    const bad: Array<[string, string]> = [
      ['*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ['*abc\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
      ['SET "a\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
      ['*1\r\nfoo\r\n', "-ERR Protocol error: expected '$', got 'f'\r\n"],
      ['*1\r\n$999999999999\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ];
    for (const [wire, reply] of bad) {
      const b = await RespClient.connect(port);
      b.writeRaw(wire);
      assert.equal(await b.readRaw(), reply);
      await b.waitClosed();
    }
    const huge = await RespClient.connect(port);
    huge.writeRaw('x'.repeat(70000));
    assert.equal(await huge.readRaw(), '-ERR Protocol error: too big inline request\r\n');
    const e = await c.call('NOSUCH', 'a', 'b');
    assert.ok(e instanceof ReplyError && e.message === "ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ");
    // a client that vanishes mid-reply does not hurt anyone
    const gone = await RespClient.connect(port);
    gone.send('DEBUG', 'POPULATE', '1000');
    gone.send('KEYS', '*');
    gone.close();
    assert.equal(await c.callRaw('PING'), '+PONG\r\n');
    c.close();
  });

  test('MULTI/EXEC/WATCH (node-redis)', async () => {
    const port = fx().port;
    const a = await nodeRedis(port);
    const b = await ioredis(port);
    try {
      assert.deepEqual(await a.multi().set('tx', '1').incr('tx').get('tx').exec(), ['OK', 2, '2']);
      await a.watch('tx');
      await b.set('tx', 'changed');
      await assert.rejects(a.multi().set('tx', 'mine').exec(), /watched keys has been changed/);
      assert.equal(await b.get('tx'), 'changed');
      await assert.rejects(b.multi().set('x', '1').call('NOSUCHCMD').exec(), /EXECABORT/);
      const res = await b.multi().set('y', 'str').lpush('y', 'a').exec();
      assert.equal(res![0]![1], 'OK');
      assert.match(String(res![1]![0]), /WRONGTYPE/);
    } finally {
      a.destroy();
      b.disconnect();
    }
  });
});

test('embedding API: AUTH with requirepass, maxclients', async () => {
  const srv = await startServer({ port: 0, requirepass: 'secret', config: { maxclients: '2' } });
  try {
    const c = await RespClient.connect(srv.port);
    assert.equal(await c.callRaw('GET', 'x'), '-NOAUTH Authentication required.\r\n');
    assert.equal(await c.callRaw('AUTH', 'wrong'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    assert.equal(await c.callRaw('AUTH', 'secret'), '+OK\r\n');
    assert.equal(await c.callRaw('SET', 'x', '1'), '+OK\r\n');
    const c2 = await RespClient.connect(srv.port);
    const c3 = await RespClient.connect(srv.port);
    assert.equal(await c3.readRaw(), '-ERR max number of clients reached\r\n');
    c.close();
    c2.close();
    c3.close();
  } finally {
    await srv.close();
  }
});
