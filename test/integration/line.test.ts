/**
 * The line protocol over raw sockets: every command, pipelined and split
 * lines, AUTH, both kinds of BUSY (a script past busy-reply-threshold; a
 * flood of lines behind one that waits), lines too long, and every thread
 * of a 4-thread server. An ioredis connection on the RESP port checks that
 * both front ends see one keyspace through one dispatch.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.ts';
import { freePort } from '../helpers/ports.ts';

/** A raw connection: what it sends, the lines it got back. */
class LineClient {
  readonly socket: Socket;
  readonly lines: string[] = [];
  private rest = '';
  readonly ended: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      const parts = (this.rest + d).split('\n');
      this.rest = parts.pop()!;
      this.lines.push(...parts);
    });
    this.ended = new Promise((r) => socket.on('close', () => r()));
  }

  static open(port: number): Promise<LineClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new LineClient(s)));
      s.once('error', reject);
    });
  }

  write(text: string): void {
    this.socket.write(text, 'latin1');
  }

  /** Waits until `n` lines came back in all, and returns the ones after those seen before. */
  async until(n: number, ms = 10_000): Promise<string[]> {
    const end = Date.now() + ms;
    while (this.lines.length < n) {
      if (Date.now() > end) throw new Error(`timed out with ${this.lines.length} of ${n} lines: ${this.lines.slice(-3).join('|')}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return this.lines.slice(0, n);
  }

  /** Sends lines and returns their replies. */
  async ask(...lines: string[]): Promise<string[]> {
    const seen = this.lines.length;
    this.write(lines.map((l) => l + '\n').join(''));
    return (await this.until(seen + lines.length)).slice(seen);
  }

  close(): void {
    this.socket.destroy();
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('line protocol', () => {
  let srv: RunningServer;
  let io: Redis;
  let c: LineClient;

  before(async () => {
    srv = await startServer({ port: 0, config: { 'line-port': String(await freePort()) } });
    io = new Redis(srv.port);
    c = await LineClient.open(srv.linePort);
  });
  after(async () => {
    c.close();
    io.disconnect();
    await srv.close();
  });

  test('GET, SET, DELETE and LIST; one keyspace with RESP', async () => {
    assert.deepEqual(await c.ask('LIST'), ['']);
    assert.deepEqual(await c.ask('SET greeting hello  big world ', 'GET greeting'), ['OK', 'hello  big world ']);
    assert.equal(await io.get('greeting'), 'hello  big world ');
    await io.set('from-resp', 'v');
    assert.deepEqual(await c.ask('GET from-resp', 'GET missing'), ['v', 'ERR key not found']);
    assert.deepEqual(await c.ask('SET empty ', 'GET empty'), ['OK', '']);
    assert.deepEqual(await c.ask('DELETE empty', 'DELETE empty'), ['OK', 'ERR key not found']);
    assert.deepEqual((await c.ask('LIST'))[0]!.split(',').sort(), ['from-resp', 'greeting']);
    // db 0 only
    await io.select(1);
    await io.set('elsewhere', 'x');
    await io.select(0);
    assert.deepEqual((await c.ask('LIST'))[0]!.split(',').sort(), ['from-resp', 'greeting']);
    // commands are case-insensitive, lines may end in \r\n, leading spaces and empty lines are no requests
    c.write('get greeting\r\n\r\n\n  Delete from-resp\r\n');
    assert.deepEqual((await c.until(c.lines.length + 2)).slice(-2), ['hello  big world ', 'OK']);
    // bytes are bytes
    c.write('SET bin \xff\x00\x01\n');
    await c.until(c.lines.length + 1);
    assert.deepEqual(await io.getBuffer('bin'), Buffer.from([0xff, 0, 1]));
  });

  test('errors: wrong type, a value with a newline, unknown commands, wrong arity', async () => {
    await io.rpush('list', 'a');
    await io.set('multi-line', 'one\ntwo');
    await io.set('cr', 'one\rtwo');
    assert.deepEqual(await c.ask('GET list', 'GET multi-line', 'GET cr'), ['ERR wrong type', 'ERR value holds a newline', 'ERR value holds a newline']);
    assert.deepEqual(await c.ask('FROB x', 'GET', 'GET a b', 'SET k', 'SET', 'DELETE', 'DELETE a b', 'LIST x', 'AUTH'), [
      'ERR unknown command',
      'ERR wrong number of arguments',
      'ERR wrong number of arguments',
      'ERR wrong number of arguments',
      'ERR wrong number of arguments',
      'ERR wrong number of arguments',
      'ERR wrong number of arguments',
      'ERR wrong number of arguments',
      'ERR wrong number of arguments',
    ]);
    // DEL and SET take any type, as in Redis
    assert.deepEqual(await c.ask('SET list now-a-string', 'GET list'), ['OK', 'now-a-string']);
    await io.set('bad,key\nhere', 'x');
    assert.deepEqual(await c.ask('LIST'), ['ERR a key holds a newline']);
    await io.del('bad,key\nhere', 'multi-line', 'cr');
  });

  test('through the dispatch: commandstats, MONITOR, keyspace notifications', async () => {
    await io.config('RESETSTAT');
    const events: string[] = [];
    const sub = new Redis(srv.port);
    await io.config('SET', 'notify-keyspace-events', 'KEA');
    await sub.psubscribe('__keyevent@0__:*');
    sub.on('pmessage', (_p, ch: string, key: string) => events.push(`${ch.split(':')[1]} ${key}`));
    const lines: string[] = [];
    const monitor = await io.monitor();
    monitor.on('monitor', (_t, args: string[], source: string) => lines.push(`${args.join(' ')} ${source.includes(':') ? 'peer' : source}`));
    try {
      assert.deepEqual(await c.ask('SET watched v', 'GET watched', 'DELETE watched'), ['OK', 'v', 'OK']);
      for (let i = 0; i < 100 && (events.length < 2 || lines.length < 3); i++) await sleep(10);
      assert.deepEqual(events, ['set watched', 'del watched']);
      assert.deepEqual(lines, ['SET watched v peer', 'GET watched peer', 'DEL watched peer']);
      const stats = await io.info('commandstats');
      assert.match(stats, /cmdstat_set:calls=1,/);
      assert.match(stats, /cmdstat_del:calls=1,/);
      // the connection is a client: CLIENT LIST names it, CLIENT KILL closes it
      const other = await LineClient.open(srv.linePort);
      const port = other.socket.localPort!;
      assert.match(String(await io.client('LIST')), new RegExp(`addr=127\\.0\\.0\\.1:${port} `));
      assert.equal(await io.client('KILL', `127.0.0.1:${port}`), 'OK');
      await other.ended;
    } finally {
      await io.config('SET', 'notify-keyspace-events', '');
      monitor.disconnect();
      sub.disconnect();
    }
  });

  test('pipelined lines are answered in order; a line may arrive in pieces', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? `SET p${i} v${i}` : `GET p${i - 1}`));
    const replies = await c.ask(...lines);
    assert.deepEqual(replies, lines.map((_, i) => (i % 2 === 0 ? 'OK' : `v${i - 1}`)));
    const seen = c.lines.length;
    for (const piece of ['SE', 'T split val', 'ue\r', '\nGET sp', 'lit\n']) {
      c.write(piece);
      await sleep(10);
    }
    assert.deepEqual((await c.until(seen + 2)).slice(seen), ['OK', 'value']);
  });

  test('BUSY: a script past busy-reply-threshold', async () => {
    await io.config('SET', 'busy-reply-threshold', '100');
    const runner = new Redis(srv.port);
    const killer = new Redis(srv.port);
    try {
      // connected first: a new connection's ready check (INFO) would get BUSY too
      await Promise.all([runner.ping(), killer.ping()]);
      const script = runner.eval('local i = 0 while true do i = i + 1 end', 0).catch((e: Error) => e.message);
      let reply = '';
      for (let i = 0; i < 200 && reply !== 'BUSY'; i++) {
        reply = (await c.ask('GET greeting'))[0]!;
        if (reply !== 'BUSY') await sleep(20);
      }
      assert.equal(reply, 'BUSY');
      assert.deepEqual(await c.ask('SET k v', 'LIST'), ['BUSY', 'BUSY']);
      assert.equal(await killer.script('KILL'), 'OK');
      assert.match(String(await script), /Script killed by user/);
      assert.deepEqual(await c.ask('GET greeting'), ['hello  big world ']);
    } finally {
      await io.config('SET', 'busy-reply-threshold', '5000');
      runner.disconnect();
      killer.disconnect();
    }
  });

  test('BUSY: past 1024 lines waiting behind one that waits, the rest are answered BUSY, not kept', async () => {
    const f = await LineClient.open(srv.linePort);
    try {
      await io.client('PAUSE', '20000', 'WRITE');
      // reads still run at once: nothing waits
      assert.deepEqual(await f.ask('GET greeting'), ['hello  big world ']);
      f.write(Array.from({ length: 3000 }, (_, i) => `SET flood ${i}\n`).join(''));
      // every line read: the first waits for the pause, 1023 more wait behind it, the rest are BUSY
      for (let i = 0; i < 100 && !/blocked_clients:1/.test(await io.info('clients')); i++) await sleep(10);
      await sleep(200);
      assert.equal(f.lines.length, 1);
      await io.client('UNPAUSE');
      const replies = (await f.until(3001)).slice(1);
      assert.deepEqual(replies, [...Array<string>(1024).fill('OK'), ...Array<string>(1976).fill('BUSY')]);
      assert.equal(await io.get('flood'), '1023');
      assert.deepEqual(await f.ask('GET flood'), ['1023']);
    } finally {
      await io.client('UNPAUSE');
      f.close();
    }
  });

  test('a line over 64 KiB is answered ERR line too long, after the lines before it, and the connection closes', async () => {
    const t = await LineClient.open(srv.linePort);
    t.write('SET before 1\n' + 'SET long ' + 'x'.repeat(70 * 1024));
    await t.ended;
    assert.deepEqual(t.lines, ['OK', 'ERR line too long']);
    assert.equal(await io.exists('long'), 0);
    const u = await LineClient.open(srv.linePort);
    u.write('SET long ' + 'x'.repeat(70 * 1024) + '\nGET before\n');
    await u.ended;
    assert.deepEqual(u.lines, ['ERR line too long']);
    // everyone else is still served
    assert.deepEqual(await c.ask('GET before'), ['1']);
  });
});

describe('line protocol: AUTH', () => {
  test('with a password set the first line must be AUTH <password>', async () => {
    const srv = await startServer({ port: 0, requirepass: 'pass word', config: { 'line-port': String(await freePort()) } });
    const c = await LineClient.open(srv.linePort);
    try {
      assert.deepEqual(await c.ask('GET k', 'LIST', 'FROB', 'AUTH wrong', 'GET k'), [
        'ERR authentication required',
        'ERR authentication required',
        'ERR authentication required',
        'ERR invalid password',
        'ERR authentication required',
      ]);
      assert.deepEqual(await c.ask('AUTH pass word', 'SET k v', 'GET k'), ['OK', 'OK', 'v']);
    } finally {
      c.close();
      await srv.close();
    }
  });
});

describe('line protocol on 4 threads', () => {
  test('every thread serves connections; keys of every thread; LIST sees them all', async () => {
    const srv = await startServer({ port: 0, threads: 4, config: { save: '', 'line-port': String(await freePort()) } });
    const io = new Redis(srv.port);
    const conns: LineClient[] = [];
    try {
      // the connections are the clients of every thread (the kernel spreads them: open more until each has some)
      const threadsOf = async (): Promise<Set<number>> => {
        const ports = new Set(conns.map((c) => c.socket.localPort));
        const ids = String(await io.client('LIST'))
          .split('\n')
          .filter((l) => ports.has(Number(/addr=[^ ]*:(\d+) /.exec(l)?.[1])))
          .map((l) => Number(/^id=(\d+)/.exec(l)![1]));
        assert.equal(ids.length, conns.length);
        return new Set(ids.map((id) => id % 4));
      };
      while (conns.length < 64 && (conns.length < 8 || (await threadsOf()).size < 4)) {
        const c = await LineClient.open(srv.linePort);
        // answered: its thread has it among its clients
        assert.deepEqual(await c.ask('GET nothing'), ['ERR key not found']);
        conns.push(c);
      }
      assert.equal((await threadsOf()).size, 4, 'connections reached every thread');
      const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
      for (const [i, c] of conns.entries()) {
        const replies = await c.ask(...keys.map((k) => `SET ${k} ${i}`), ...keys.map((k) => `GET ${k}`));
        assert.deepEqual(replies, [...keys.map(() => 'OK'), ...keys.map(() => String(i))]);
      }
      assert.deepEqual((await conns[0]!.ask('LIST'))[0]!.split(',').sort(), [...keys].sort());
      assert.deepEqual(await conns[1]!.ask('DELETE k1', 'GET k1'), ['OK', 'ERR key not found']);
    } finally {
      for (const c of conns) c.close();
      io.disconnect();
      await srv.close();
    }
  });
});
