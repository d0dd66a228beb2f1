/**
 * The WebSocket front end with the `ws` client: commands, pipelines,
 * MULTI/EXEC, base64, pub/sub beside commands on one socket, tokens, bad
 * input, replies in order behind a blocking command, slow subscribers, and
 * every thread of a 4-thread server. An ioredis connection on the RESP
 * port checks that both front ends see one keyspace.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.ts';
import { freePort } from '../helpers/ports.ts';
import { eventually } from '../helpers/eventually.ts';

type Msg = Record<string, unknown>;

/** A socket whose replies are awaited by id and whose pushes are collected. */
class Sock {
  readonly ws: WebSocket;
  readonly pushes: Msg[] = [];
  /** Replies in arrival order (with their id). */
  readonly replies: Msg[] = [];
  private readonly waiting = new Map<unknown, (m: Msg) => void>();
  private pushWaiters: Array<() => void> = [];
  private nextId = 1;
  readonly closed: Promise<number>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Msg;
      if ('type' in m) {
        this.pushes.push(m);
        for (const w of this.pushWaiters.splice(0)) w();
        return;
      }
      this.replies.push(m);
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      w?.(m);
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<Sock> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.once('open', () => resolve(new Sock(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Sends a message with a fresh id (unless it has one) and waits for its reply. */
  request(msg: Msg): Promise<Msg> {
    const m = 'id' in msg ? msg : { id: this.nextId++, ...msg };
    const p = new Promise<Msg>((r) => this.waiting.set(m.id, r));
    this.ws.send(JSON.stringify(m));
    return p;
  }

  /** Sends raw text; the next reply without a waiter (one with no id, or a bad id). */
  raw(text: string): Promise<Msg> {
    const n = this.replies.length;
    this.ws.send(text);
    return this.until(() => this.replies.length > n).then(() => this.replies[n]!);
  }

  async cmd(...args: unknown[]): Promise<unknown> {
    const r = await this.request({ cmd: args });
    if ('error' in r) throw new Error(String(r.error));
    return r.result;
  }

  async until(ok: () => boolean, ms = 5000): Promise<void> {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise<void>((r) => {
        this.pushWaiters.push(r);
        setTimeout(r, 20);
      });
    }
  }

  close(): Promise<number> {
    this.ws.close();
    return this.closed;
  }
}

describe('WebSocket front end', () => {
  let srv: RunningServer;
  let url: string;
  let io: Redis;
  let s: Sock;

  before(async () => {
    srv = await startServer({ port: 0, config: { 'http-port': String(await freePort()), 'http-max-body-size': '64kb' } });
    url = `ws://127.0.0.1:${srv.httpPort}/ws`;
    io = new Redis(srv.port);
    s = await Sock.open(url);
  });
  after(async () => {
    await s.close();
    io.disconnect();
    await srv.close();
  });

  test('commands: replies as the HTTP front end writes them; one keyspace with RESP', async () => {
    assert.deepEqual(await s.request({ id: 1, cmd: ['SET', 'k', 'héllo'] }), { id: 1, result: 'OK' });
    assert.equal(await io.get('k'), 'héllo');
    assert.deepEqual(await s.request({ id: 'two', cmd: ['GET', 'k'] }), { id: 'two', result: 'héllo' });
    assert.equal(await s.cmd('INCRBY', 'n', 41), 41);
    assert.equal(await s.cmd('GET', 'missing'), null);
    await io.rpush('l', 'a', 'b');
    assert.deepEqual(await s.cmd('LRANGE', 'l', 0, -1), ['a', 'b']);
    assert.deepEqual(await s.request({ id: 3, cmd: ['LPUSH', 'k', 'x'] }), { id: 3, error: 'WRONGTYPE Operation against a key holding the wrong kind of value' });
    assert.deepEqual(await s.request({ id: 4, cmd: ['NOSUCH', 'x'] }), { id: 4, error: "ERR unknown command 'NOSUCH', with args beginning with: 'x' " });
    assert.deepEqual(await s.request({ id: 5, cmd: ['GET'] }), { id: 5, error: "ERR wrong number of arguments for 'get' command" });
    // a message without an id gets a reply without one
    assert.deepEqual(await s.raw('{"cmd":["PING"]}'), { result: 'PONG' });
    // the socket's session lasts: SELECT stays, as on a connection
    assert.equal(await s.cmd('SELECT', 1), 'OK');
    assert.equal(await s.cmd('SET', 'in1', 'v'), 'OK');
    assert.equal(await s.cmd('SELECT', 0), 'OK');
    assert.equal(await s.cmd('EXISTS', 'in1'), 0);
    assert.match(await io.info('commandstats'), /cmdstat_incrby:calls=1,/);
  });

  test('pipeline and multi: each reply in order; multi is one MULTI/EXEC', async () => {
    const p = await s.request({ id: 10, pipeline: [['SET', 'p', '1'], ['INCR', 'p'], ['LPUSH', 'p', 'x'], ['GET', 'p']] });
    assert.deepEqual(p, { id: 10, results: [{ result: 'OK' }, { result: 2 }, { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' }, { result: '2' }] });
    const m = await s.request({ id: 11, multi: [['SET', 't1', 'a'], ['INCR', 't1'], ['MGET', 't1', 'p']] });
    assert.deepEqual(m, { id: 11, results: [{ result: 'OK' }, { error: 'ERR value is not an integer or out of range' }, { result: ['a', '2'] }] });
    const aborted = await s.request({ id: 12, multi: [['SET', 't2', 'x'], ['NOSUCH']] });
    assert.match(String(aborted.error), /^EXECABORT/);
    assert.equal(await io.exists('t2'), 0);
    // WATCH on the socket's session, then a key changed elsewhere: EXEC answers null
    assert.equal(await s.cmd('WATCH', 'w'), 'OK');
    await io.set('w', 'changed');
    assert.deepEqual(await s.request({ id: 13, multi: [['SET', 'w', 'mine']] }), { id: 13, result: null });
    assert.equal(await io.get('w'), 'changed');
  });

  test('base64: per message, per socket, and {"base64":…} arguments', async () => {
    const bytes = Buffer.from([0, 1, 0xff, 0xfe, 10]);
    await io.set('bin', bytes);
    assert.deepEqual(await s.request({ id: 20, cmd: ['GET', 'bin'], encoding: 'base64' }), { id: 20, result: bytes.toString('base64') });
    assert.deepEqual(await s.request({ id: 21, cmd: ['SET', 'x', 'y'], encoding: 'base64' }), { id: 21, result: 'OK' });
    assert.equal(await s.cmd('SET', { base64: 'AP8=' }, { base64: bytes.toString('base64') }), 'OK');
    assert.deepEqual(await io.getBuffer(Buffer.from([0, 0xff])), bytes);
    const b = await Sock.open(`${url}?encoding=base64`);
    try {
      assert.deepEqual(await b.request({ id: 1, cmd: ['GET', 'bin'] }), { id: 1, result: bytes.toString('base64') });
      assert.deepEqual(await b.request({ id: 2, cmd: ['GET', 'k'], encoding: 'utf8' }), { id: 2, result: 'héllo' });
      assert.deepEqual(await b.request({ id: 3, subscribe: ['bin-news'] }), { id: 3, result: [['subscribe', Buffer.from('bin-news').toString('base64'), 1]] });
      await io.publish('bin-news', bytes);
      await b.until(() => b.pushes.length > 0);
      assert.deepEqual(b.pushes, [{ type: 'message', channel: Buffer.from('bin-news').toString('base64'), message: bytes.toString('base64') }]);
    } finally {
      await b.close();
    }
  });

  test('pub/sub and commands on one socket; closing it drops the subscriptions', async () => {
    const p = await Sock.open(url);
    assert.deepEqual(await p.request({ id: 1, subscribe: ['news', 'sport'] }), { id: 1, result: [['subscribe', 'news', 1], ['subscribe', 'sport', 2]] });
    assert.deepEqual(await p.request({ id: 2, psubscribe: ['n*'] }), { id: 2, result: [['psubscribe', 'n*', 3]] });
    // still a command socket, unlike a RESP2 connection in the subscribed context
    assert.equal(await p.cmd('SET', 'during', 'sub'), 'OK');
    assert.equal(await io.publish('news', 'hi'), 2);
    assert.equal(await p.cmd('PUBLISH', 'sport', 'goal'), 1);
    await p.until(() => p.pushes.length >= 3);
    assert.deepEqual(p.pushes, [
      { type: 'message', channel: 'news', message: 'hi' },
      { type: 'pmessage', pattern: 'n*', channel: 'news', message: 'hi' },
      { type: 'message', channel: 'sport', message: 'goal' },
    ]);
    assert.equal(await p.cmd('GET', 'during'), 'sub');
    assert.deepEqual(await p.request({ id: 3, unsubscribe: ['sport'] }), { id: 3, result: [['unsubscribe', 'sport', 2]] });
    assert.deepEqual(await p.request({ id: 4, punsubscribe: [] }), { id: 4, result: [['punsubscribe', 'n*', 1]] });
    assert.deepEqual(await io.pubsub('NUMSUB', 'news', 'sport'), ['news', 1, 'sport', 0]);
    const fresh = await Sock.open(url);
    assert.deepEqual(await fresh.request({ id: 1, unsubscribe: [] }), { id: 1, result: [['unsubscribe', null, 0]] });
    await fresh.close();
    const clients = await io.client('LIST');
    assert.match(String(clients), /flags=P .*sub=1 psub=0/);
    await p.close();
    await eventually(async () => (await io.pubsub('NUMSUB', 'news'))[1] === 0, 'the closed socket unsubscribed');
  });

  test('key feeds: watches multiplexed on one socket, values as they change, unwatch, resume from a position', async () => {
    await io.set('fa:1', 'x');
    await io.hset('fb:1', 'f', 'v');
    const w = await Sock.open(url);
    try {
      assert.deepEqual(await w.request({ id: 'a', watch: { prefixes: ['fa:'] } }), { id: 'a', result: 'OK' });
      assert.deepEqual(await w.request({ id: 7, watch: { keys: ['fb:1'] } }), { id: 7, result: 'OK' });
      await w.until(() => w.pushes.filter((p) => p.type === 'snapshot').length === 2);
      const snap = (feed: unknown): unknown => w.pushes.find((p) => p.type === 'snapshot' && p.feed === feed)!.keys;
      assert.deepEqual(snap('a'), { 'fa:1': { type: 'string', value: 'x' } });
      assert.deepEqual(snap(7), { 'fb:1': { type: 'hash', value: { f: 'v' } } });
      await io.set('fa:2', 'y');
      await io.hset('fb:1', 'g', 'w');
      await io.set('other', 'z');
      await w.until(() => w.pushes.filter((p) => p.type === 'change').length === 2);
      const changes = w.pushes.filter((p) => p.type === 'change');
      assert.deepEqual(changes.map((p) => [p.feed, p.key, p.event, p.value]), [
        ['a', 'fa:2', 'set', { type: 'string', value: 'y' }],
        [7, 'fb:1', 'hset', { type: 'hash', value: { f: 'v', g: 'w' } }],
      ]);
      assert.deepEqual(await w.request({ id: 'u', unwatch: 'a' }), { id: 'u', result: 'OK' });
      await io.set('fa:3', 'gone');
      await io.hdel('fb:1', 'f');
      await w.until(() => w.pushes.filter((p) => p.type === 'change').length === 3);
      assert.deepEqual(w.pushes.at(-1)!.feed, 7, 'nothing more from the unwatched feed');
      // a new socket resumes feed 7 from its last position: one batch of what changed since
      const from = w.pushes.at(-1)!.position as string;
      await io.hset('fb:1', 'h', 'x');
      const r = await Sock.open(url);
      assert.deepEqual(await r.request({ id: 1, watch: { keys: ['fb:1'], from } }), { id: 1, result: 'OK' });
      await r.until(() => r.pushes.length === 1);
      assert.deepEqual([r.pushes[0]!.type, r.pushes[0]!.keys], ['batch', { 'fb:1': { type: 'hash', value: { g: 'w', h: 'x' } } }]);
      await r.close();
      // bad watches
      assert.match(String((await w.raw('{"watch":{"keys":["k"]}}')).error), /a watch needs an "id"/);
      assert.deepEqual(await w.request({ id: 8, watch: {} }), { id: 8, error: 'ERR a feed needs at least one key, pattern or prefix' });
      assert.deepEqual(await w.request({ id: 9, watch: { keys: ['k'], nope: 1 } }), { id: 9, error: 'ERR unknown watch field "nope"' });
      assert.deepEqual(await w.request({ id: 10, unwatch: 'zzz' }), { id: 10, error: 'ERR no watch with id "zzz"' });
      assert.deepEqual(await w.request({ id: 11, watch: { keys: ['x'] } }), { id: 11, result: 'OK' });
      assert.deepEqual(await w.request({ id: 11, watch: { keys: ['x'] } }), { id: 11, error: 'ERR a watch with id 11 is running' });
      // an unwatch right behind its watch (before the feed started) stops it all the same
      const quick = w.request({ id: 12, watch: { keys: ['x'] } });
      assert.deepEqual(await w.request({ id: 13, unwatch: 12 }), { id: 13, result: 'OK' });
      assert.deepEqual(await quick, { id: 12, result: 'OK' });
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(w.pushes.filter((p) => p.feed === 12).length, 0, 'no message of the unwatched feed');
    } finally {
      await w.close();
    }
  });

  test('replies leave in request order behind a blocking command; closing the socket cancels it', async () => {
    const b = await Sock.open(url);
    const order: unknown[] = [];
    b.ws.on('message', (d) => order.push((JSON.parse(String(d)) as Msg).id));
    const blpop = b.request({ id: 1, cmd: ['BLPOP', 'q', 0] });
    const after = [b.request({ id: 2, cmd: ['SET', 'after', '1'] }), b.request({ id: 3, cmd: ['GET', 'after'] })];
    await eventually(async () => /blocked_clients:1/.test(await io.info('clients')), 'BLPOP blocked');
    assert.deepEqual(order, []);
    // the commands behind it have not run
    assert.equal(await io.exists('after'), 0);
    await io.rpush('q', 'item');
    assert.deepEqual(await blpop, { id: 1, result: ['q', 'item'] });
    assert.deepEqual(await Promise.all(after), [{ id: 2, result: 'OK' }, { id: 3, result: '1' }]);
    assert.deepEqual(order, [1, 2, 3]);
    void b.request({ id: 4, cmd: ['BLPOP', 'q', 0] });
    await eventually(async () => /blocked_clients:1/.test(await io.info('clients')), 'BLPOP blocked again');
    await b.close();
    await eventually(async () => /blocked_clients:0/.test(await io.info('clients')), 'the closed socket unblocked');
    await io.rpush('q', 'kept');
    assert.deepEqual(await io.lrange('q', 0, -1), ['kept']);
  });

  test('bad input gets an error reply and the socket goes on; an oversized frame closes it with 1009', async () => {
    const b = await Sock.open(url);
    assert.deepEqual(await b.raw('{"cmd":["SET"'), { error: 'ERR the message is not valid JSON' });
    assert.deepEqual(await b.raw('[1,2]'), { error: 'ERR a message is a JSON object' });
    assert.deepEqual(await b.raw('{"id":{"x":1},"cmd":["PING"]}'), { error: 'ERR "id" is a string or a number' });
    assert.deepEqual(await b.request({ id: 1, cmd: ['PING'], extra: true }), { id: 1, error: 'ERR unknown field "extra"' });
    assert.match(String((await b.request({ id: 2, cmd: ['PING'], pipeline: [['PING']] })).error), /^ERR a message has exactly one of/);
    assert.match(String((await b.request({ id: 3 })).error), /^ERR a message has exactly one of/);
    assert.deepEqual(await b.request({ id: 4, cmd: [] }), { id: 4, error: 'ERR a command is a non-empty JSON array' });
    assert.match(String((await b.request({ id: 5, cmd: ['SET', { x: 1 }, 'v'] })).error), /^ERR a command is a JSON array of strings/);
    assert.deepEqual(await b.request({ id: 6, pipeline: [] }), { id: 6, error: 'ERR a pipeline is a non-empty JSON array of commands' });
    assert.deepEqual(await b.request({ id: 7, cmd: ['GET', 'k'], encoding: 'hex' }), { id: 7, error: 'ERR "encoding" is "base64" or "utf8"' });
    assert.match(String((await b.request({ id: 8, cmd: ['SUBSCRIBE', 'x'] })).error), /^ERR SUBSCRIBE on a WebSocket is a message of its own/);
    assert.match(String((await b.request({ id: 9, cmd: ['MONITOR'] })).error), /^ERR MONITOR is not available/);
    assert.deepEqual(await b.request({ id: 10, subscribe: [] }), { id: 10, error: 'ERR "subscribe" needs at least one name' });
    assert.equal(await b.cmd('PING'), 'PONG');
    b.ws.send(JSON.stringify({ id: 11, cmd: ['SET', 'big', 'x'.repeat(100 * 1024)] }));
    assert.equal(await b.closed, 1009);
    assert.equal(await io.exists('big'), 0);
    // everyone else is still served
    assert.equal(await s.cmd('PING'), 'PONG');
    assert.equal(await io.ping(), 'PONG');
  });

  test('QUIT and CLIENT KILL close the socket; other paths are refused with 404', async () => {
    const q = await Sock.open(url);
    assert.equal(await q.cmd('QUIT'), 'OK');
    assert.equal(await q.closed, 1000);
    const k = await Sock.open(url);
    const id = (await k.cmd('CLIENT', 'ID')) as number;
    assert.equal(await io.client('KILL', 'ID', String(id)), 1);
    assert.equal(await k.closed, 1000);
    await assert.rejects(Sock.open(`ws://127.0.0.1:${srv.httpPort}/other`), /HTTP 404/);
    await assert.rejects(Sock.open(`${url}?encoding=hex`), /HTTP 400/);
  });

  test('a subscriber that does not read is disconnected with 1008 past 32 MiB of pushes', async () => {
    const slow = await Sock.open(url);
    assert.deepEqual(await slow.request({ id: 1, subscribe: ['flood'] }), { id: 1, result: [['subscribe', 'flood', 1]] });
    // stop reading: the pushes pile up in the server's socket
    slow.ws.pause();
    const mib = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 64; i++) await io.publish('flood', mib);
    slow.ws.resume();
    assert.equal(await slow.closed, 1008);
    assert.ok(slow.pushes.length < 64, `${slow.pushes.length} pushes arrived`);
    assert.equal(await s.cmd('PING'), 'PONG');
  });
});

describe('WebSocket front end: tokens', () => {
  test('401 on the upgrade without a valid token; the password or an http-token user by header or ?_token=', async () => {
    const srv = await startServer({ port: 0, requirepass: 'pw', config: { 'http-port': String(await freePort()) } });
    const io = new Redis(srv.port, { password: 'pw' });
    try {
      const url = `ws://127.0.0.1:${srv.httpPort}/ws`;
      await assert.rejects(Sock.open(url), /HTTP 401/);
      await assert.rejects(Sock.open(url, { Authorization: 'Bearer wrong' }), /HTTP 401/);
      await assert.rejects(Sock.open(`${url}?_token=wrong`), /HTTP 401/);
      const a = await Sock.open(url, { Authorization: 'Bearer pw' });
      assert.equal(await a.cmd('SET', 'k', 'v'), 'OK');
      await a.close();
      const b = await Sock.open(`${url}?_token=pw`);
      assert.equal(await b.cmd('GET', 'k'), 'v');
      await b.close();
      await io.acl('SETUSER', 'reader', 'on', '>rpw', '~*', '&allowed', '+get', '+subscribe');
      srv.state.config.httpTokens.push(['reader-token', 'reader']);
      const r = await Sock.open(url, { Authorization: 'Bearer reader-token' });
      assert.equal(await r.cmd('GET', 'k'), 'v');
      assert.match(String((await r.request({ id: 1, cmd: ['SET', 'k', 'w'] })).error), /^NOPERM User reader has no permissions to run the 'set' command/);
      assert.match(String((await r.request({ id: 2, subscribe: ['secret'] })).error), /^NOPERM No permissions to access a channel$/);
      assert.deepEqual(await r.request({ id: 3, subscribe: ['allowed'] }), { id: 3, result: [['subscribe', 'allowed', 1]] });
      assert.match(await io.acl('WHOAMI'), /default/);
      await r.close();
    } finally {
      io.disconnect();
      await srv.close();
    }
  });
});

describe('WebSocket front end on 4 threads', () => {
  test('every thread serves sockets: commands on keys of every thread, and pushes published anywhere', async () => {
    const srv = await startServer({ port: 0, threads: 4, config: { save: '', 'http-port': String(await freePort()) } });
    const io = new Redis(srv.port);
    const socks: Sock[] = [];
    try {
      const url = `ws://127.0.0.1:${srv.httpPort}/ws`;
      const threads = new Set<number>();
      for (let i = 0; i < 64 && threads.size < 4; i++) {
        const k = await Sock.open(url);
        socks.push(k);
        threads.add(((await k.cmd('CLIENT', 'ID')) as number) % 4);
      }
      assert.equal(threads.size, 4, 'sockets reached every thread');
      const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
      for (const [i, k] of socks.entries()) {
        assert.deepEqual(await k.request({ id: 1, pipeline: keys.map((key) => ['INCR', key]) }), { id: 1, results: keys.map(() => ({ result: i + 1 })) });
        assert.deepEqual(await k.request({ id: 2, multi: [['SET', `a${i}`, '1'], ['SET', `b${i}`, '2'], ['MGET', `a${i}`, `b${i}`]] }), {
          id: 2,
          results: [{ result: 'OK' }, { result: 'OK' }, { result: ['1', '2'] }],
        });
        assert.deepEqual(await k.request({ id: 3, subscribe: ['all'] }), { id: 3, result: [['subscribe', 'all', 1]] });
      }
      assert.equal(await io.publish('all', 'hello'), socks.length);
      for (const k of socks) await k.until(() => k.pushes.length === 1);
      for (const k of socks) assert.deepEqual(k.pushes, [{ type: 'message', channel: 'all', message: 'hello' }]);
      // a blocked command on one thread, woken by a push on another
      const blocked = socks[0]!.request({ id: 4, cmd: ['BLPOP', 'bq', 0] });
      await eventually(async () => /blocked_clients:1/.test(await io.info('clients')), 'BLPOP blocked');
      assert.equal(await socks[1]!.cmd('RPUSH', 'bq', 'v'), 1);
      assert.deepEqual(await blocked, { id: 4, result: ['bq', 'v'] });
      // key feeds from every thread gather keys of every thread: a snapshot, then each change with its value
      const wkeys = Array.from({ length: 16 }, (_, i) => `w:${i}`);
      for (const k of wkeys.slice(0, 8)) await io.set(k, 'old');
      for (const k of socks) assert.deepEqual(await k.request({ id: 'f', watch: { prefixes: ['w:'] } }), { id: 'f', result: 'OK' });
      // the snapshot gathers every thread's part: it may come after the OK
      for (const k of socks) await k.until(() => k.pushes.some((p) => p.feed === 'f' && p.type === 'snapshot'));
      for (const k of wkeys) await io.set(k, 'new');
      for (const k of socks) {
        await k.until(() => k.pushes.filter((p) => p.feed === 'f' && p.type === 'change').length === 16);
        const snap = k.pushes.find((p) => p.feed === 'f' && p.type === 'snapshot')!;
        assert.deepEqual(Object.keys(snap.keys as object).sort(), wkeys.slice(0, 8).sort());
        const changes = k.pushes.filter((p) => p.feed === 'f' && p.type === 'change');
        assert.deepEqual(changes.map((p) => [p.key, p.value]), wkeys.map((w) => [w, { type: 'string', value: 'new' }]));
      }
    } finally {
      for (const k of socks) await k.close();
      io.disconnect();
      await srv.close();
    }
  });
});
