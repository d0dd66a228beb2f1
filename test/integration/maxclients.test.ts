/**
 * maxclients across every front end (server/admit.ts): filled up with RESP
 * connections, the server refuses RESP and line connections with Redis's
 * error, WebSocket upgrades and HTTP requests with 503, gRPC calls with
 * RESOURCE_EXHAUSTED, each counted in INFO rejected_connections, while
 * /healthz and /readyz still answer; once a connection closes each front
 * end admits again. Open streams (SSE, WebSocket, gRPC streams, key
 * feeds) and an HTTP command while it runs count against maxclients for
 * RESP connections. With --threads 4 each thread admits against its own
 * connections, as RESP does.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.ts';
import { freePort } from '../helpers/ports.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { ShardisClient, endOf, grpc, statusOf } from '../helpers/grpc-client.ts';

const REFUSED = 'ERR max number of clients reached';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds (polling), failing with `what` after ~5 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 250; i++) {
    if (await check()) return;
    await sleep(20);
  }
  assert.fail(`never: ${what}`);
}

function field(info: string, name: string): number {
  const m = new RegExp(`^${name}:(\\d+)\\r$`, 'm').exec(info);
  assert.ok(m !== null, `no ${name} in INFO`);
  return Number(m[1]);
}

const connected = async (io: Redis): Promise<number> => field(await io.info('clients'), 'connected_clients');
const rejected = async (io: Redis): Promise<number> => field(await io.info('stats'), 'rejected_connections');

/** Everything a raw TCP connection gets before the server closes it. */
function answerBeforeClose(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => (got += d));
    s.on('close', () => resolve(got));
    s.on('error', reject);
    setTimeout(() => {
      s.destroy();
      reject(new Error(`not closed; got ${JSON.stringify(got)}`));
    }, 5000).unref();
  });
}

/** A line-protocol connection's reply to one line; the connection closes after. */
function lineAsk(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(`${line}\n`));
    let got = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      got += d;
      if (got.includes('\n')) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
  });
}

/** An upgrade refused: its status and JSON body. */
function wsRefusal(url: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => reject(new Error('the upgrade was accepted')));
    ws.once('error', () => {});
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) }));
    });
  });
}

/** An open socket (closed by the caller). */
function wsOpen(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** One command over an open socket: its reply. */
function wsCmd(ws: WebSocket, cmd: string[]): Promise<unknown> {
  return new Promise((resolve) => {
    ws.once('message', (d) => resolve(JSON.parse(String(d))));
    ws.send(JSON.stringify({ id: 1, cmd }));
  });
}

async function http(port: number, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) };
}

/** An event stream, open until the caller aborts it. */
async function sseOpen(port: number, path: string): Promise<AbortController> {
  const abort = new AbortController();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: abort.signal });
  assert.equal(res.status, 200, `${path} opens`);
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  // read on, so that the stream is consumed until aborted
  void (async () => {
    try {
      for await (const _ of res.body!) void _;
    } catch {
      // aborted
    }
  })();
  return abort;
}

/** Requests of every HTTP route that opens a session or a stream. */
const HTTP_ROUTES: Array<[string, RequestInit]> = [
  ['/', { method: 'POST', body: '["PING"]' }],
  ['/get/k', {}],
  ['/pipeline', { method: 'POST', body: '[["PING"]]' }],
  ['/multi-exec', { method: 'POST', body: '[["PING"]]' }],
  ['/subscribe/news', {}],
  ['/psubscribe/n*', {}],
  ['/monitor', {}],
  ['/feed?key=k', {}],
];

describe('maxclients on every front end', () => {
  let srv: RunningServer;
  let io: Redis;
  let grpcClient: ShardisClient;
  let linePort: number;
  let wsUrl: string;

  before(async () => {
    linePort = await freePort();
    srv = await startServer({
      port: 0,
      config: { save: '', 'http-port': String(await freePort()), 'grpc-port': String(await freePort()), 'line-port': String(linePort) },
    });
    io = new Redis(srv.port);
    await io.ping();
    grpcClient = new ShardisClient(srv.grpcPort);
    wsUrl = `ws://127.0.0.1:${srv.httpPort}/ws`;
  });
  after(async () => {
    grpcClient.close();
    io.disconnect();
    await srv.close();
  });

  test('full of RESP connections: every front end refuses with its own answer, counted in rejected_connections; each admits again once one closes', async () => {
    await io.config('SET', 'maxclients', '3');
    const fill = [new Redis(srv.port), new Redis(srv.port)];
    try {
      await Promise.all(fill.map((r) => r.ping()));
      await io.config('RESETSTAT');
      assert.equal(await connected(io), 3);
      let refusals = 0;

      assert.equal(await answerBeforeClose(srv.port), `-${REFUSED}\r\n`, 'RESP');
      assert.equal(await answerBeforeClose(linePort), `${REFUSED}\n`, 'line protocol');
      // a client that sends before it reads gets the same (and its socket goes: the server's close does not wait for it)
      assert.equal(await answerOrPong(srv.port), `-${REFUSED}\r\n`, 'RESP');
      assert.equal(await lineAsk(linePort, 'GET k'), `${REFUSED}\n`, 'line protocol');
      refusals += 4;
      assert.deepEqual(await wsRefusal(wsUrl), { status: 503, body: { error: REFUSED } }, 'WebSocket');
      refusals++;
      for (const [path, init] of HTTP_ROUTES) {
        assert.deepEqual(await http(srv.httpPort, path, init), { status: 503, body: { error: REFUSED } }, `HTTP ${path}`);
        refusals++;
      }
      // liveness and readiness are no connections
      assert.deepEqual(await http(srv.httpPort, '/healthz'), { status: 200, body: { result: 'OK' } });
      assert.deepEqual(await http(srv.httpPort, '/readyz'), { status: 200, body: { result: 'OK' } });

      assert.deepEqual(await statusOf(grpcClient.execute(['PING'])), { code: grpc.status.RESOURCE_EXHAUSTED, details: REFUSED }, 'gRPC Execute');
      const pipeline = grpcClient.pipeline();
      pipeline.write({ args: ['PING'] });
      assert.deepEqual(await endOf(pipeline), { code: grpc.status.RESOURCE_EXHAUSTED, details: REFUSED }, 'gRPC Pipeline');
      assert.deepEqual(await endOf(grpcClient.subscribe(['news'])), { code: grpc.status.RESOURCE_EXHAUSTED, details: REFUSED }, 'gRPC Subscribe');
      const watch = grpcClient.watch({ keys: ['k'] }) as unknown as Parameters<typeof endOf>[0];
      assert.deepEqual(await endOf(watch), { code: grpc.status.RESOURCE_EXHAUSTED, details: REFUSED }, 'gRPC Watch');
      refusals += 4;

      assert.equal(await rejected(io), refusals);
      assert.equal(await connected(io), 3, 'no refused connection stayed');

      // one place frees: each front end in turn is admitted (and gives its place back)
      fill.pop()!.disconnect();
      const freed = async (what: string): Promise<void> => until(`${what} gave its place back`, async () => (await connected(io)) === 2);
      await freed('the RESP connection');
      const resp = await RespClient.connect(srv.port);
      assert.equal(await resp.callRaw('PING'), '+PONG\r\n');
      resp.close();
      await freed('RESP');
      assert.equal(await lineAsk(linePort, 'SET k v'), 'OK\n');
      await freed('line');
      const ws = await wsOpen(wsUrl);
      assert.deepEqual(await wsCmd(ws, ['GET', 'k']), { id: 1, result: 'v' });
      ws.close();
      await freed('WebSocket');
      for (const [path, init] of HTTP_ROUTES) {
        if (path.startsWith('/subscribe') || path.startsWith('/psubscribe') || path === '/monitor' || path.startsWith('/feed')) {
          const abort = await sseOpen(srv.httpPort, path);
          abort.abort();
        } else assert.equal((await http(srv.httpPort, path, init)).status, 200, `HTTP ${path}`);
        await freed(`HTTP ${path}`);
      }
      assert.deepEqual(await grpcClient.call('GET', 'k'), 'v');
      await freed('gRPC Execute');
      const p = grpcClient.pipeline();
      const reply = new Promise((r) => p.once('data', r));
      p.write({ args: ['PING'] });
      await reply;
      p.end();
      assert.equal((await endOf(p)).code, grpc.status.OK);
      await freed('gRPC Pipeline');
      const sub = grpcClient.subscribe(['news']);
      await new Promise((r) => sub.once('metadata', r));
      sub.cancel();
      await endOf(sub);
      await freed('gRPC Subscribe');
      const w = grpcClient.watch({ keys: ['k'] });
      w.on('error', () => {});
      await new Promise((r) => w.once('data', r));
      w.cancel();
      await freed('gRPC Watch');
      assert.equal(await rejected(io), refusals, 'nothing refused once a place was free');
    } finally {
      for (const r of fill) r.disconnect();
      await io.config('SET', 'maxclients', '10000');
    }
  });

  test('an open stream counts against maxclients for RESP connections while it lasts', async () => {
    await until('earlier connections gone', async () => (await connected(io)) === 1);
    await io.config('SET', 'maxclients', '2');
    await io.config('RESETSTAT');
    /** Opens a stream; once it counts, a RESP connection is refused; once it closes, one is admitted. */
    const holds = async (what: string, open: () => Promise<() => void>): Promise<void> => {
      const close = await open();
      await until(`${what} counted`, async () => (await connected(io)) === 2);
      assert.equal(await answerBeforeClose(srv.port), `-${REFUSED}\r\n`, `refused while ${what} is open`);
      close();
      await until(`${what} closed`, async () => (await connected(io)) === 1);
      const c = await RespClient.connect(srv.port);
      assert.equal(await c.callRaw('PING'), '+PONG\r\n', `admitted once ${what} closed`);
      c.close();
      await until('the RESP connection gone', async () => (await connected(io)) === 1);
    };
    let streams = 0;
    for (const path of ['/subscribe/news', '/psubscribe/n*', '/monitor', '/feed?key=k']) {
      await holds(`SSE ${path}`, async () => {
        const abort = await sseOpen(srv.httpPort, path);
        return () => abort.abort();
      });
      streams++;
    }
    await holds('a WebSocket', async () => {
      const ws = await wsOpen(wsUrl);
      return () => ws.close();
    });
    await holds('a line connection', async () => {
      const s = connect(linePort, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      return () => s.destroy();
    });
    await holds('a gRPC Pipeline', async () => {
      const p = grpcClient.pipeline();
      const reply = new Promise((r) => p.once('data', r));
      p.write({ args: ['PING'] });
      await reply;
      return () => p.end();
    });
    await holds('a gRPC Subscribe', async () => {
      const sub = grpcClient.subscribe(['news']);
      sub.on('error', () => {});
      await new Promise((r) => sub.once('metadata', r));
      return () => sub.cancel();
    });
    await holds('a gRPC Watch', async () => {
      const w = grpcClient.watch({ keys: ['k'] });
      w.on('error', () => {});
      await new Promise((r) => w.once('data', r));
      return () => w.cancel();
    });
    streams += 5;
    // an HTTP command counts while it runs: a BLPOP that waits holds its place until LPUSH
    await holds('an HTTP BLPOP', async () => {
      const blpop = fetch(`http://127.0.0.1:${srv.httpPort}/`, { method: 'POST', body: '["BLPOP","q","0"]' }).then((r) => r.json());
      return () => void io.lpush('q', 'x').then(() => blpop);
    });
    // and a gRPC Execute the same
    await holds('a gRPC BLPOP', async () => {
      const blpop = grpcClient.call('BLPOP', 'q', '0');
      return () => void io.lpush('q', 'x').then(() => blpop);
    });
    streams += 2;
    assert.equal(await rejected(io), streams);
    await io.config('SET', 'maxclients', '10000');
  });
});

describe('maxclients with --threads 4', () => {
  test('each thread admits against its own connections, on every front end; rejected_connections adds up over threads', async () => {
    const linePort = await freePort();
    const srv = await startServer({
      port: 0,
      threads: 4,
      config: { save: '', 'http-port': String(await freePort()), 'grpc-port': String(await freePort()), 'line-port': String(linePort) },
    });
    const held: Redis[] = [];
    const grpcClient = new ShardisClient(srv.grpcPort);
    try {
      // one connection on each thread ((id - 1) % threads is a client's thread), the others closed
      const threads = new Set<number>();
      for (let i = 0; i < 200 && threads.size < 4; i++) {
        const r = new Redis(srv.port);
        const t = ((await r.client('ID')) as number - 1) % 4;
        if (threads.has(t)) r.disconnect();
        else {
          threads.add(t);
          held.push(r);
        }
      }
      assert.equal(threads.size, 4, 'connections reached every thread');
      const io = held[0]!;
      await until('extra connections gone', async () => (await connected(io)) === 4);
      // CONFIG SET reaches every thread: each one is full with its one connection
      await io.config('SET', 'maxclients', '1');
      await io.config('RESETSTAT');
      let refusals = 0;
      for (let i = 0; i < 8; i++) {
        assert.equal(await answerBeforeClose(srv.port), `-${REFUSED}\r\n`, 'RESP');
        assert.equal(await answerBeforeClose(linePort), `${REFUSED}\n`, 'line protocol');
        assert.deepEqual(await wsRefusal(`ws://127.0.0.1:${srv.httpPort}/ws`), { status: 503, body: { error: REFUSED } }, 'WebSocket');
        // a connection of its own per request, so that they reach several threads
        assert.deepEqual(await http(srv.httpPort, '/', { method: 'POST', body: '["PING"]', headers: { Connection: 'close' } }), { status: 503, body: { error: REFUSED } }, 'HTTP');
        refusals += 4;
      }
      assert.deepEqual(await statusOf(grpcClient.execute(['PING'])), { code: grpc.status.RESOURCE_EXHAUSTED, details: REFUSED }, 'gRPC');
      refusals++;
      assert.equal(await rejected(io), refusals);
      // a thread whose connection closed admits again
      held.pop()!.disconnect();
      await until('a thread freed', async () => (await connected(io)) === 3);
      let admitted = 0;
      for (let i = 0; i < 200 && admitted === 0; i++) {
        const reply = await answerOrPong(srv.port);
        if (reply === '+PONG\r\n') admitted++;
        else assert.equal(reply, `-${REFUSED}\r\n`);
      }
      assert.equal(admitted, 1, 'the freed thread admitted a connection');
    } finally {
      grpcClient.close();
      for (const r of held) r.disconnect();
      await srv.close();
    }
  });
});

/** A RESP connection's first reply to PING (the refusal, when refused), then closed. */
async function answerOrPong(port: number): Promise<string> {
  const c = await RespClient.connect(port);
  try {
    c.send('PING');
    return await c.readRaw();
  } finally {
    c.close();
  }
}
