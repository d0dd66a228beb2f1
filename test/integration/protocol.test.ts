/**
 * Protocol robustness: malformed RESP, bad lengths, inline edge cases,
 * limits (proto-max-bulk-len, client-query-buffer-limit, maxclients),
 * unknown commands and arity, vanished clients — each answered with Redis's
 * exact bytes while the server keeps serving everyone else.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient, encodeCommand } from '../helpers/resp-client.ts';
import { startServer } from '../../src/index.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Protocol errors: the wire bytes, Redis's reply; the connection is then closed. */
const PROTOCOL_ERRORS: Array<[string, string]> = [
  ['*abc\r\n', 'Protocol error: invalid multibulk length'],
  ['*3000000000\r\n', 'Protocol error: invalid multibulk length'],
  ['*-0\r\n', 'Protocol error: invalid multibulk length'],
  ['*+1\r\n', 'Protocol error: invalid multibulk length'],
  ['*01\r\n', 'Protocol error: invalid multibulk length'],
  ['*1 \r\n', 'Protocol error: invalid multibulk length'],
  ['*1\n$4\r\nPING\r\n', 'Protocol error: invalid multibulk length'],
  ['*99999999999999999999\r\n', 'Protocol error: invalid multibulk length'],
  ['*1\r\n$-1\r\n', 'Protocol error: invalid bulk length'],
  ['*1\r\n$-5\r\n', 'Protocol error: invalid bulk length'],
  ['*1\r\n$-0\r\n', 'Protocol error: invalid bulk length'],
  ['*1\r\n$04\r\nPING\r\n', 'Protocol error: invalid bulk length'],
  ['*1\r\n$x\r\n', 'Protocol error: invalid bulk length'],
  ['*1\r\n$999999999999\r\n', 'Protocol error: invalid bulk length'],
  ['*1\r\n$536870913\r\n', 'Protocol error: invalid bulk length'],
  ['*1\r\nPING\r\n', "Protocol error: expected '$', got 'P'"],
  ['*1\r\n:5\r\n', "Protocol error: expected '$', got ':'"],
  ['*1\r$4\r\nPING\r\n', "Protocol error: expected '$', got '4'"],
  ['*2\r\n$4\r\nECHO\r\n+x\r\n', "Protocol error: expected '$', got '+'"],
  ['SET k "unbalanced\r\n', 'Protocol error: unbalanced quotes in request'],
  ["SET k 'unbalanced\r\n", 'Protocol error: unbalanced quotes in request'],
  ['ECHO "a"b\r\n', 'Protocol error: unbalanced quotes in request'],
  ["ECHO 'a'b\r\n", 'Protocol error: unbalanced quotes in request'],
  ['ECHO "a\\"\r\n', 'Protocol error: unbalanced quotes in request'],
  ['x'.repeat(70000), 'Protocol error: too big inline request'],
  ['*' + '1'.repeat(70000), 'Protocol error: too big mbulk count string'],
  ['*1\r\n$' + '1'.repeat(70000), 'Protocol error: too big bulk count string'],
];

describeServer('protocol robustness', (fx) => {
  test('protocol errors: exact reply, connection closed, earlier replies kept, others unaffected', async () => {
    const port = fx().port;
    const bystander = await fx().client();
    await bystander.call('SET', 'proto-k', 'still-here');
    for (const [wire, msg] of PROTOCOL_ERRORS) {
      const c = await RespClient.connect(port);
      // a good command first: its reply comes back before the error
      c.writeRaw('*1\r\n$4\r\nPING\r\n' + wire);
      assert.equal(await c.readRaw(), '+PONG\r\n', JSON.stringify(wire.slice(0, 40)));
      assert.equal(await c.readRaw(), `-ERR ${msg}\r\n`, JSON.stringify(wire.slice(0, 40)));
      await c.waitClosed();
      assert.equal(c.pending(), '');
      assert.equal(await bystander.callRaw('GET', 'proto-k'), '$10\r\nstill-here\r\n');
    }
    // commands pipelined after the bad request never run
    const c = await RespClient.connect(port);
    c.writeRaw('*1\r\n$-3\r\n*3\r\n$3\r\nSET\r\n$9\r\nproto-bad\r\n$1\r\n1\r\n');
    assert.equal(await c.readRaw(), '-ERR Protocol error: invalid bulk length\r\n');
    await c.waitClosed();
    assert.equal(await bystander.callRaw('EXISTS', 'proto-bad'), ':0\r\n');
    // real clients on the same server keep working
    const r = await ioredis(port);
    const n = await nodeRedis(port);
    try {
      assert.equal(await r.get('proto-k'), 'still-here');
      assert.equal(await n.get('proto-k'), 'still-here');
    } finally {
      r.disconnect();
      n.destroy();
    }
  });

  test('requests that are skipped or accepted as Redis does', async () => {
    const c = await fx().client();
    const cases: Array<[string, string]> = [
      ['*0\r\nPING\r\n', '+PONG\r\n'],
      ['*-1\r\nPING\r\n', '+PONG\r\n'],
      ['*-5\r\nPING\r\n', '+PONG\r\n'],
      ['\r\n\r\n\nPING\r\n', '+PONG\r\n'],
      ['   \t \r\nPING\r\n', '+PONG\r\n'],
      ['PING\n', '+PONG\r\n'],
      ['ping\r\n', '+PONG\r\n'],
      ['  PING   hello  \r\n', '$5\r\nhello\r\n'],
      ['ECHO "a b"\r\n', '$3\r\na b\r\n'],
      ["ECHO 'a b'\r\n", '$3\r\na b\r\n'],
      ['ECHO ""\r\n', '$0\r\n\r\n'],
      ["ECHO ''\r\n", '$0\r\n\r\n'],
      ['ECHO "\\x41\\x4g\\n\\t\\\\\\"z"\r\n', '$9\r\nAx4g\n\t\\"z\r\n'],
      ["ECHO 'it\\'s'\r\n", "$4\r\nit's\r\n"],
      ['ECHO a"b c"\r\n', '$4\r\nab c\r\n'],
      // the bulk length wins over the bytes that follow, up to the CRLF Redis skips
      ['*2\r\n$4\r\nECHO\r\n$3\r\nabcde\r\n', '$3\r\nabc\r\n'],
      ['*1\r\n$4\r\nPINGxx', '+PONG\r\n'],
    ];
    for (const [wire, reply] of cases) {
      c.writeRaw(wire);
      assert.equal(await c.readRaw(), reply, JSON.stringify(wire));
    }
    // a bulk length with no CRLF after the payload yet: still waiting, then served
    c.writeRaw('*1\r\n$4\r\nPING');
    await sleep(30);
    assert.equal(c.pending(), '');
    c.writeRaw('\r\n');
    assert.equal(await c.readRaw(), '+PONG\r\n');
    // inline requests split anywhere, including between \r and \n
    for (const part of ['EC', 'HO "x', ' y"\r', '\n']) {
      c.writeRaw(part);
      await sleep(5);
    }
    assert.equal(await c.readRaw(), '$3\r\nx y\r\n');
  });

  test('binary-safe arguments and requests split byte by byte', async () => {
    const c = await fx().client();
    const value = Buffer.from([0, 13, 10, 36, 42, 255, 128, 13]);
    c.writeRaw(Buffer.concat([encodeCommand(['SET', 'bin\r\nkey', value])]));
    assert.equal(await c.readRaw(), '+OK\r\n');
    const wire = encodeCommand(['GET', 'bin\r\nkey']);
    for (const byte of wire) {
      c.writeRaw(Buffer.from([byte]));
      await sleep(1);
    }
    assert.equal(await c.readRaw(), '$8\r\n' + value.toString('latin1') + '\r\n');
    // a 3 MB argument arriving in pieces
    const big = 'z'.repeat(3 * 1024 * 1024);
    const bigWire = encodeCommand(['SET', 'bin-big', big]);
    for (let i = 0; i < bigWire.length; i += 100_000) c.writeRaw(bigWire.subarray(i, i + 100_000));
    assert.equal(await c.readRaw(), '+OK\r\n');
    assert.equal(await c.callRaw('STRLEN', 'bin-big'), `:${big.length}\r\n`);
    await c.call('DEL', 'bin-big', 'bin\r\nkey');
  });

  test('pipelines: thousands of commands in one write, replies in order', async () => {
    const c = await fx().client();
    let batch = '';
    for (let i = 0; i < 5000; i++) batch += i % 2 === 0 ? `ECHO ${i}\r\n` : `*2\r\n$4\r\nECHO\r\n$${String(i).length}\r\n${i}\r\n`;
    c.writeRaw(batch);
    for (let i = 0; i < 5000; i++) assert.equal(await c.readRaw(), `$${String(i).length}\r\n${i}\r\n`);
  });

  test('unknown commands, unknown subcommands and wrong arity', async () => {
    const c = await fx().client();
    const cases: Array<[string[], string]> = [
      [['NOSUCH'], "-ERR unknown command 'NOSUCH', with args beginning with: \r\n"],
      [['nosuch', 'a', 'b c'], "-ERR unknown command 'nosuch', with args beginning with: 'a' 'b c' \r\n"],
      [[''], "-ERR unknown command '', with args beginning with: \r\n"],
      [['GET'], "-ERR wrong number of arguments for 'get' command\r\n"],
      [['get', 'a', 'b'], "-ERR wrong number of arguments for 'get' command\r\n"],
      [['CLIENT', 'KILL'], "-ERR wrong number of arguments for 'client|kill' command\r\n"],
      [['CLIENT', 'nosuch'], "-ERR unknown subcommand 'nosuch'. Try CLIENT HELP.\r\n"],
      [['CONFIG', 'GET'], "-ERR wrong number of arguments for 'config|get' command\r\n"],
    ];
    for (const [cmd, reply] of cases) assert.equal(await c.callRaw(...cmd), reply, cmd.join(' '));
    // long names and arguments are cut at 128 characters
    const long = 'x'.repeat(200);
    assert.equal(await c.callRaw(long, long), `-ERR unknown command '${'x'.repeat(128)}', with args beginning with: '${'x'.repeat(128)}' \r\n`);
    assert.equal(await c.callRaw('CLIENT', long), `-ERR unknown subcommand '${'x'.repeat(128)}'. Try CLIENT HELP.\r\n`);
    // the connection stays usable, and errors are counted
    assert.equal(await c.callRaw('PING'), '+PONG\r\n');
    const stats = (await c.call('INFO', 'errorstats')) as string;
    assert.match(stats, /errorstat_ERR:count=\d+/);
  });

  test('proto-max-bulk-len and client-query-buffer-limit', async () => {
    const port = fx().port;
    const admin = await fx().client();
    try {
      assert.equal(await admin.callRaw('CONFIG', 'SET', 'proto-max-bulk-len', '1mb'), '+OK\r\n');
      const a = await RespClient.connect(port);
      a.writeRaw('*2\r\n$4\r\nECHO\r\n$1048577\r\n');
      assert.equal(await a.readRaw(), '-ERR Protocol error: invalid bulk length\r\n');
      await a.waitClosed();
      const b = await RespClient.connect(port);
      b.writeRaw('*2\r\n$4\r\nECHO\r\n$1048576\r\n' + 'y'.repeat(1048576) + '\r\n');
      assert.equal((await b.readRaw()).length, 1048576 + 12);
      b.close();
      assert.equal(await admin.callRaw('CONFIG', 'SET', 'proto-max-bulk-len', '512mb'), '+OK\r\n');
      // over the query buffer limit the connection is dropped without a reply
      assert.equal(await admin.callRaw('CONFIG', 'SET', 'client-query-buffer-limit', '1mb'), '+OK\r\n');
      const q = await RespClient.connect(port);
      q.writeRaw('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n' + 'x'.repeat(1_500_000));
      await q.waitClosed();
      assert.equal(q.pending(), '');
      // a pipeline of small commands under the limit is fine
      const ok = await RespClient.connect(port);
      ok.writeRaw('PING\r\n'.repeat(50_000));
      for (let i = 0; i < 50_000; i++) assert.equal(await ok.readRaw(), '+PONG\r\n');
      ok.close();
    } finally {
      await admin.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
      await admin.call('CONFIG', 'SET', 'proto-max-bulk-len', '512mb');
    }
    assert.equal(await admin.callRaw('PING'), '+PONG\r\n');
  });

  test('HTTP requests (POST, Host:) close the connection without a reply', async () => {
    for (const wire of ['POST / HTTP/1.1\r\nHost: x\r\n\r\n', 'PING\r\nHost: localhost\r\n', '*1\r\n$4\r\npost\r\n']) {
      const c = await RespClient.connect(fx().port);
      c.writeRaw(wire);
      await c.waitClosed();
      assert.equal(c.pending(), '', JSON.stringify(wire));
    }
    const c = await fx().client();
    assert.equal(await c.callRaw('PING'), '+PONG\r\n');
  });

  test('clients that vanish mid-request or mid-reply do not disturb others', async () => {
    const port = fx().port;
    const c = await fx().client();
    await c.call('SET', 'vanish-big', 'v'.repeat(8 * 1024 * 1024));
    for (let i = 0; i < 5; i++) {
      const gone = await RespClient.connect(port);
      for (let j = 0; j < 5; j++) gone.send('GET', 'vanish-big');
      await sleep(1);
      gone.close();
    }
    const half = await RespClient.connect(port);
    half.writeRaw('*3\r\n$3\r\nSET\r\n$11\r\nvanish-half\r\n$100\r\nabc');
    half.close();
    await sleep(20);
    assert.equal(await c.callRaw('EXISTS', 'vanish-half'), ':0\r\n');
    assert.equal(await c.callRaw('STRLEN', 'vanish-big'), ':8388608\r\n');
    await c.call('DEL', 'vanish-big');
  });
});

test('maxclients: refused with Redis\'s error, served again once a slot frees', async () => {
  const srv = await startServer({ port: 0, config: { maxclients: '2' } });
  try {
    const a = await RespClient.connect(srv.port);
    const b = await RespClient.connect(srv.port);
    assert.equal(await a.callRaw('PING'), '+PONG\r\n');
    const c = await RespClient.connect(srv.port);
    assert.equal(await c.readRaw(), '-ERR max number of clients reached\r\n');
    await c.waitClosed();
    const info = (await a.call('INFO', 'stats')) as string;
    assert.match(info, /rejected_connections:1\r\n/);
    b.close();
    await sleep(50);
    const d = await RespClient.connect(srv.port);
    assert.equal(await d.callRaw('PING'), '+PONG\r\n');
    a.close();
    d.close();
  } finally {
    await srv.close();
  }
});

test('replies stay exact while the socket backs up: a reader that stalls behind a big reply gets every later reply intact, in order', async () => {
  const srv = await startServer({ port: 0 });
  const { connect } = await import('node:net');
  try {
    const c = await RespClient.connect(srv.port);
    const big = Buffer.alloc(4_000_000, 'b').toString('latin1');
    await c.call('SET', 'big', big);
    await c.call('SET', 'small', 'tiny');
    c.close();
    const sock = connect({ port: srv.port, host: '127.0.0.1' });
    await new Promise((r) => sock.once('connect', r));
    const got: Buffer[] = [];
    let n = 0;
    let expected = `$${big.length}\r\n${big}\r\n`;
    const reqs: Buffer[] = [];
    for (let i = 0; i < 40; i++) {
      reqs.push(encodeCommand(i % 2 === 0 ? ['GET', 'small'] : ['ECHO', `e${i}`]));
      expected += i % 2 === 0 ? '$4\r\ntiny\r\n' : `$${String(i).length + 1}\r\ne${i}\r\n`;
    }
    const done = new Promise<void>((resolve) => {
      sock.on('data', (d: Buffer) => {
        got.push(d);
        n += d.length;
        if (n >= expected.length) resolve();
      });
    });
    // the big reply fills the kernel's buffers while this reader does not read: the server's socket queues the rest
    sock.pause();
    sock.write(encodeCommand(['GET', 'big']));
    await sleep(100);
    // then small replies, each written on its own (one request per read), while the queue is still there
    for (const r of reqs) {
      sock.write(r);
      await sleep(3);
    }
    sock.resume();
    await done;
    sock.destroy();
    const all = Buffer.concat(got).toString('latin1');
    assert.equal(all.length, expected.length);
    assert.ok(all === expected, 'replies byte for byte, in order');
  } finally {
    await srv.close();
  }
});
