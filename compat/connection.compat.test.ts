/**
 * Differential tests for the connection family, CLIENT and the wire
 * protocol: the same requests (commands, raw bytes, pipelines) go to a real
 * redis-server and to shardis; replies must be byte-identical (connection
 * ids, addresses, fds and clocks are masked where they differ by design).
 */
import assert from 'node:assert/strict';
import { asReference, describeCompat, type Pair } from './harness.ts';
import { RespClient } from '../test/helpers/resp-client.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Raw bytes to both servers on fresh connections: what each replied and
 * whether it closed. Waits for a first byte (up to `waitMs`), then until the
 * connection has been quiet for a while.
 */
async function sendRaw(p: Pair, wire: string | Buffer, waitMs = 500): Promise<{ redis: string; shardis: string }> {
  const run = async (port: number): Promise<string> => {
    const c = await RespClient.connect(port);
    c.writeRaw(wire);
    const t0 = Date.now();
    while (c.pending() === '' && !c.closed && Date.now() - t0 < waitMs) await sleep(5);
    for (let seen = -1; seen !== c.pending().length && !c.closed; ) {
      seen = c.pending().length;
      await sleep(40);
    }
    const out = c.pending() + (c.closed ? ' [closed]' : ' [open]');
    c.close();
    return out;
  };
  const [redis, shardis] = await Promise.all([run(p.redis.socket.remotePort!), run(p.shardis.socket.remotePort!)]);
  return { redis, shardis };
}

async function sameRaw(p: Pair, wire: string | Buffer, waitMs?: number): Promise<void> {
  const r = await sendRaw(p, wire, waitMs);
  assert.equal(mask(r.shardis), mask(r.redis), `raw request ${JSON.stringify(String(wire).slice(0, 60))}`);
}

/** Masks what differs by design between two servers: ids, ports, fds, ages, memory and clocks. */
function mask(s: string): string {
  return asReference(s)
    .replace(/:\d+\r\n\$4\r\nmode/g, ':ID\r\n$4\r\nmode')
    .replace(/\b(id|fd|age|idle|qbuf-free|rbs|rbp|tot-mem)=\d+/g, '$1=N')
    .replace(/\d+\.\d+\.\d+\.\d+:\d+/g, 'ADDR')
    .replace(/\+\d+\.\d{6} /g, '+TIME ')
    .replace(/^\$\d+\r\n/, '$LEN\r\n')
    .replace(/^=\d+\r\n/, '=LEN\r\n');
}

/**
 * A CLIENT LIST line less the fields Redis 7.2 / 7.4 added (watch=,
 * lib-name=, lib-ver=: test/integration/connection.test.ts checks them).
 */
function as70(s: string): string {
  return s.replace(/ watch=\d+/g, '').replace(/ lib-name=\S* lib-ver=\S*/g, '');
}

describeCompat('connection family compat', (t) => {
  t('PING, ECHO, SELECT, AUTH without a password, arity and unknown commands', [
    ['PING'], ['PING', 'hi'], ['PING', ''], ['PING', 'a', 'b'], ['ping'], ['ECHO', 'x y'], ['ECHO', ''], ['ECHO'], ['ECHO', 'a', 'b'],
    ['SELECT', '0'], ['SELECT', '15'], ['SELECT', '16'], ['SELECT', '-1'], ['SELECT', 'x'], ['SELECT', '01'], ['SELECT', '4294967296'],
    ['SELECT', '1.5'], ['SELECT'], ['SELECT', '9'], ['SET', 'k', 'v'], ['SELECT', '0'], ['GET', 'k'], ['SELECT', '9'], ['GET', 'k'], ['FLUSHDB'],
    ['AUTH', 'pw'], ['AUTH', 'default', 'pw'], ['AUTH', 'someone', 'pw'], ['AUTH', 'a', 'b', 'c'], ['AUTH'],
    ['NOSUCH'], ['nosuch', 'a', 'b'], ['x'.repeat(200), 'y'.repeat(200)], ['RESET', 'x'], ['QUIT', 'x'],
  ]);

  t('HELLO: handshake replies and errors', async (p) => {
    const steps: string[][] = [
      ['HELLO'], ['HELLO', '3'], ['HELLO'], ['GET', 'nokey'], ['HGETALL', 'nokey'], ['HELLO', '2'], ['GET', 'nokey'], ['HELLO', '1'], ['HELLO', '4', 'X'],
      ['HELLO', 'x'], ['HELLO', '-1'], ['HELLO', '3', 'FOO'], ['HELLO', '3', 'AUTH', 'default'], ['HELLO', '3', 'SETNAME'],
      ['HELLO', '3', 'SETNAME', 'a b'], ['HELLO', '3', 'AUTH', 'nobody', 'pw'],
      // HELLO 2 SETNAME first AUTH x y, then CLIENT GETNAME: a failing HELLO changes nothing since Redis 7.2 (#11659): v74-behaviour
      ['HELLO', '3', 'AUTH', 'default', 'any', 'SETNAME', 'named'], ['CLIENT', 'GETNAME'], ['HELLO', '2', 'setname', ''],
      ['CLIENT', 'GETNAME'],
    ];
    for (const s of steps) {
      const [a, b] = await Promise.all([p.redis.callRaw(...s), p.shardis.callRaw(...s)]);
      assert.equal(mask(b), mask(a), s.join(' '));
    }
  });

  t('CLIENT subcommands: replies and errors', [
    ['CLIENT'], ['CLIENT', 'NOSUCH'], ['CLIENT', 'ID', 'x'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'a\nb'],
    ['CLIENT', 'SETNAME', 'ok-name'], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME', ''], ['CLIENT', 'GETNAME'], ['CLIENT', 'SETNAME'],
    ['CLIENT', 'GETREDIR'], ['client', 'help', 'x'],
    ['CLIENT', 'LIST', 'ID', 'abc'], ['CLIENT', 'LIST', 'ID'], ['CLIENT', 'LIST', 'TYPE', 'x'], ['CLIENT', 'LIST', 'TYPE', 'normal', 'x'],
    ['CLIENT', 'LIST', 'foo', 'bar', 'baz'], ['CLIENT', 'LIST', 'ID', '99999999'], ['CLIENT', 'LIST', 'TYPE', 'master'], ['CLIENT', 'LIST', 'TYPE', 'pubsub'],
    ['CLIENT', 'LIST', 'TYPE', 'replica'], ['CLIENT', 'LIST', 'TYPE', 'slave'],
    ['CLIENT', 'KILL'], ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'KILL', 'ID', '0'], ['CLIENT', 'KILL', 'ID', '-1'], ['CLIENT', 'KILL', 'ID', 'str'],
    ['CLIENT', 'KILL', 'ID', '99999999'], ['CLIENT', 'KILL', 'ID', '10', 'extra'], ['CLIENT', 'KILL', 'TYPE', 'wrong'], ['CLIENT', 'KILL', 'USER', 'nobody'],
    ['CLIENT', 'KILL', 'SKIPME', 'maybe'], ['CLIENT', 'KILL', 'FOO', 'bar'], ['CLIENT', 'KILL', 'ADDR', '1.2.3.4:5', 'SKIPME', 'yes'],
    ['CLIENT', 'KILL', 'TYPE', 'master'], ['CLIENT', 'KILL', 'TYPE', 'pubsub'], ['CLIENT', 'KILL', 'LADDR', '1.2.3.4:5'], ['CLIENT', 'KILL', 'USER', 'default', 'ID', '99999999'],
    ['CLIENT', 'PAUSE'], ['CLIENT', 'PAUSE', 'x'], ['CLIENT', 'PAUSE', '-1'], ['CLIENT', 'PAUSE', '10', 'READ'], ['CLIENT', 'PAUSE', '10', 'ALL', 'x'],
    ['CLIENT', 'PAUSE', '0'], ['CLIENT', 'PAUSE', '0', 'write'], ['CLIENT', 'UNPAUSE'], ['CLIENT', 'UNPAUSE', 'x'],
    ['CLIENT', 'UNBLOCK'], ['CLIENT', 'UNBLOCK', 'x'], ['CLIENT', 'UNBLOCK', '1', 'LATER'], ['CLIENT', 'UNBLOCK', 'x', 'LATER'], ['CLIENT', 'UNBLOCK', '1', '2', '3'],
    ['CLIENT', 'UNBLOCK', '99999999'], ['CLIENT', 'UNBLOCK', '99999999', 'error'],
    ['CLIENT', 'REPLY'], ['CLIENT', 'REPLY', 'MAYBE'], ['CLIENT', 'REPLY', 'ON'], ['CLIENT', 'REPLY', 'ON', 'x'],
    ['CLIENT', 'NO-EVICT'], ['CLIENT', 'NO-EVICT', 'maybe'], ['CLIENT', 'NO-EVICT', 'on'], ['CLIENT', 'NO-EVICT', 'OFF'],
  ]);

  t('CLIENT INFO and CLIENT LIST lines', async (p) => {
    const both = async (...cmd: string[]): Promise<void> => {
      const [a, b] = await Promise.all([p.redis.callRaw(...cmd), p.shardis.callRaw(...cmd)]);
      assert.equal(mask(as70(b)), mask(a), cmd.join(' '));
    };
    await both('CLIENT', 'INFO');
    await both('CLIENT', 'SETNAME', 'compat');
    await both('SELECT', '3');
    await both('CLIENT', 'NO-EVICT', 'on');
    await both('CLIENT', 'INFO');
    await both('MULTI');
    await both('SET', 'a', 'b');
    await both('CLIENT', 'GETNAME');
    await both('EXEC');
    await both('CLIENT', 'INFO');
    await both('HELLO', '3');
    await both('CLIENT', 'INFO');
    await both('RESET');
    // RESET clears NO-EVICT since Redis 7.2 (#11483): CLIENT INFO's flags are compared after turning it off on 7.0.15
    await p.redis.call('CLIENT', 'NO-EVICT', 'off');
    await both('CLIENT', 'INFO');
    const ids = await Promise.all([p.redis.call('CLIENT', 'ID'), p.shardis.call('CLIENT', 'ID')]);
    const [a, b] = await Promise.all([p.redis.callRaw('CLIENT', 'LIST', 'ID', String(ids[0])), p.shardis.callRaw('CLIENT', 'LIST', 'ID', String(ids[1]))]);
    // the query buffer holds the command, id included: ids of different lengths (with threads, ids step by the
    // thread count) change qbuf and argv-mem by the difference, and nothing else
    const idLen = (x: unknown): number => String(x).length;
    const shift = idLen(ids[1]) - idLen(ids[0]);
    const adjust = (line: string): string => line.replace(/qbuf=(\d+)/, (_, n: string) => `qbuf=${Number(n) - shift}`).replace(/argv-mem=(\d+)/, (_, n: string) => `argv-mem=${Number(n) - shift}`);
    assert.equal(mask(as70(adjust(b))), mask(a));
  });

  t('CLIENT REPLY OFF/SKIP/ON in pipelines, errors muted too', async (p) => {
    await sameRaw(
      p,
      'CLIENT REPLY OFF\r\nPING one\r\nNOSUCH\r\nGET\r\nCLIENT REPLY ON\r\nPING two\r\n' +
        'CLIENT REPLY SKIP\r\nPING skipped\r\nPING shown\r\nCLIENT REPLY SKIP\r\nNOSUCH\r\nPING a\r\n' +
        'CLIENT REPLY SKIP\r\nCLIENT REPLY ON\r\nPING b\r\nCLIENT REPLY OFF\r\nCLIENT REPLY SKIP\r\nPING c\r\nCLIENT REPLY ON\r\n' +
        'CLIENT REPLY SKIP\r\nCLIENT REPLY SKIP\r\nPING d\r\nPING e\r\nCLIENT REPLY OFF\r\nRESET\r\nPING f\r\n',
    );
  });

  t('RESET and QUIT', async (p) => {
    await sameRaw(
      p,
      'HELLO 3\r\nSELECT 5\r\nCLIENT SETNAME before\r\nWATCH w\r\nMULTI\r\nSET x 1\r\nRESET\r\nEXEC\r\nGET x\r\nCLIENT GETNAME\r\n' +
        'HGETALL nokey\r\nQUIT\r\nPING\r\n',
    );
    await sameRaw(p, 'MULTI\r\nSET a 1\r\nQUIT\r\n');
  });

  t('protocol errors: same reply, same close', async (p) => {
    const wires = [
      '*abc\r\n', '*3000000000\r\n', '*-0\r\n', '*+1\r\n', '*01\r\n', '*1 \r\n', '*1\n$4\r\nPING\r\n', '*99999999999999999999\r\n',
      '*1\r\n$-1\r\n', '*1\r\n$-5\r\n', '*1\r\n$-0\r\n', '*1\r\n$04\r\nPING\r\n', '*1\r\n$x\r\n', '*1\r\n$999999999999\r\n', '*1\r\n$536870913\r\n',
      '*1\r\nPING\r\n', '*1\r\n:5\r\n', '*1\r$4\r\nPING\r\n', '*2\r\n$4\r\nECHO\r\n+x\r\n', 'SET k "unbalanced\r\n', "SET k 'unbalanced\r\n",
      'ECHO "a"b\r\n', "ECHO 'a'b\r\n", 'ECHO "a\\"\r\n', 'PING\r\n*1\r\n$-3\r\nPING\r\n', 'PING\r\n*x\r\nPING\r\n',
      'POST / HTTP/1.1\r\n', 'PING\r\nHost: example.com\r\n', '*1\r\n$5\r\nHOST:\r\n',
    ];
    for (const w of wires) await sameRaw(p, w);
    await sameRaw(p, 'x'.repeat(70000));
    await sameRaw(p, '*' + '1'.repeat(70000));
    await sameRaw(p, '*1\r\n$' + '1'.repeat(70000));
  });

  t('requests Redis skips or accepts', async (p) => {
    const wires = [
      '*0\r\nPING\r\n', '*-1\r\nPING\r\n', '\r\n\r\n\nPING\r\n', '   \t \r\nPING\r\n', 'PING\n', 'PING\r', '*1\r\n$4\r\nPING\n', '*1\r\n$4\r\nPINGxx',
      '  PING   hello  \r\n', 'ECHO "a b"\r\n', "ECHO 'a b'\r\n", 'ECHO ""\r\n', "ECHO ''\r\n", 'ECHO "\\x41\\x4g\\n\\t\\\\\\"z\\q"\r\n',
      "ECHO 'it\\'s' '\\n'\r\n", 'ECHO a"b c"\r\n', 'ECHO a\x0bb\r\n', '*2\r\n$4\r\nECHO\r\n$3\r\nabcde\r\n', '*1\r\n$4\r\nPING\r\n*1\r\n$',
      '$-0\r\n', '+PING\r\n', ':1\r\n', '-ERR\r\n', 'GET\r\n', '"GET"\r\n', 'ECHO "\\xff\\x00"\r\n',
    ];
    for (const w of wires) await sameRaw(p, w);
  });

  t('unauthenticated request size limits with requirepass', async (p) => {
    await Promise.all([p.redis.call('CONFIG', 'SET', 'requirepass', 'pw'), p.shardis.call('CONFIG', 'SET', 'requirepass', 'pw')]);
    try {
      // (HELLO 3 unauthenticated: Redis 7.2 words its NOAUTH differently, v74-behaviour records it)
      for (const w of ['*10\r\n', '*11\r\n', '*2\r\n$3\r\nGET\r\n$16384\r\n', '*2\r\n$3\r\nGET\r\n$16385\r\n', 'PING\r\nAUTH pw\r\nPING\r\n',
        'AUTH x\r\nAUTH default x\r\nQUIT\r\n']) {
        await sameRaw(p, w);
      }
      // authentication lifts the limits
      await sameRaw(p, 'AUTH pw\r\n*2\r\n$4\r\nECHO\r\n$16385\r\n' + 'e'.repeat(16385) + '\r\n');
      await sameRaw(p, 'AUTH pw\r\nRESET\r\nPING\r\n');
    } finally {
      await Promise.all([p.redis.call('CONFIG', 'SET', 'requirepass', ''), p.shardis.call('CONFIG', 'SET', 'requirepass', '')]);
    }
  });

  t('MONITOR output', async (p) => {
    const watch = async (port: number): Promise<string> => {
      const m = await RespClient.connect(port);
      const c = await RespClient.connect(port);
      await m.call('MONITOR');
      for (const cmd of [['SELECT', '2'], ['SET', 'k y', 'a"b\\\r\n\x01\xff'], ['AUTH', 'default', 'x'], ['HELLO', '2', 'AUTH', 'default', 'x'],
        ['CLIENT', 'SETNAME', 'n'], ['CLIENT', 'LIST'], ['CONFIG', 'GET', 'x'], ['MULTI'], ['INCR', 'n'], ['NOSUCH'], ['EXEC'], ['MULTI'], ['INCR', 'n'], ['EXEC'],
        ['GET'], ['FLUSHDB']]) {
        await c.call(...cmd);
      }
      m.send('GET', 'x');
      m.send('MONITOR');
      m.send('PING');
      await sleep(80);
      const out = m.pending();
      m.close();
      c.close();
      return out;
    };
    const [a, b] = await Promise.all([watch(p.redis.socket.remotePort!), watch(p.shardis.socket.remotePort!)]);
    assert.equal(mask(b), mask(a));
  });

  t('CLIENT KILL of other connections and of the caller', async (p) => {
    const run = async (admin: RespClient): Promise<string[]> => {
      const port = admin.socket.remotePort!;
      const out: string[] = [];
      const v = await RespClient.connect(port);
      const vid = (await v.call('CLIENT', 'ID')) as number;
      out.push(await admin.callRaw('CLIENT', 'KILL', 'ID', String(vid)));
      await v.waitClosed();
      out.push(await admin.callRaw('CLIENT', 'KILL', 'ID', String(vid)));
      const w = await RespClient.connect(port);
      await w.call('PING');
      out.push(await admin.callRaw('CLIENT', 'KILL', `127.0.0.1:${w.socket.localPort}`));
      await w.waitClosed();
      const self = await RespClient.connect(port);
      const sid = (await self.call('CLIENT', 'ID')) as number;
      out.push(await self.callRaw('CLIENT', 'KILL', 'ID', String(sid)));
      self.writeRaw(`CLIENT KILL ID ${sid} SKIPME no\r\nPING\r\n`);
      await self.waitClosed();
      out.push(self.pending());
      return out;
    };
    const [a, b] = await Promise.all([run(p.redis), run(p.shardis)]);
    assert.deepEqual(b, a);
  });
});
