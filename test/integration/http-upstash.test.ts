/**
 * The HTTP front end with Upstash's own client, `@upstash/redis`, unchanged:
 * every command family, pipelines, MULTI/EXEC, base64 replies, tokens and
 * ACL users, SSE subscriptions; and bad input over raw HTTP. An ioredis
 * connection on the RESP port checks that both front ends see one keyspace.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis as Upstash } from '@upstash/redis';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.ts';
import { freePort } from '../helpers/ports.ts';
import { sseData } from '../../src/client/sse-reader.ts';

const TOKEN = 's3cret';

/** A raw HTTP request: status and parsed JSON body. */
async function http(port: number, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : JSON.parse(text) };
}

describe('HTTP front end with @upstash/redis', () => {
  let srv: RunningServer;
  let url: string;
  let redis: Upstash;
  let io: Redis;

  before(async () => {
    srv = await startServer({
      port: 0,
      requirepass: TOKEN,
      config: { 'http-port': String(await freePort()), 'http-max-body-size': '1mb' },
    });
    url = `http://127.0.0.1:${srv.httpPort}`;
    redis = new Upstash({ url, token: TOKEN, retry: false });
    io = new Redis(srv.port, { password: TOKEN });
  });
  after(async () => {
    io.disconnect();
    await srv.close();
  });

  test('strings, keys and expiry; both front ends see one keyspace', async () => {
    assert.equal(await redis.set('s', 'hello'), 'OK');
    assert.equal(await io.get('s'), 'hello');
    await io.set('from-resp', 'héllo wörld ✓');
    assert.equal(await redis.get('from-resp'), 'héllo wörld ✓');
    assert.equal(await redis.incr('n'), 1);
    assert.equal(await redis.incrby('n', 41), 42);
    assert.equal(await redis.append('s', ' you'), 9);
    assert.equal(await redis.getrange('s', 0, 4), 'hello');
    assert.equal(await redis.mset({ m1: 'a', m2: 'b' }), 'OK');
    assert.deepEqual(await redis.mget('m1', 'm2', 'missing'), ['a', 'b', null]);
    assert.equal(await redis.set('tmp', 'x', { ex: 100 }), 'OK');
    const ttl = await redis.ttl('tmp');
    assert.ok(ttl > 90 && ttl <= 100, `ttl ${ttl}`);
    assert.equal(await redis.exists('s', 'n', 'missing'), 2);
    assert.equal(await redis.type('n'), 'string');
    assert.equal(await redis.rename('tmp', 'tmp2'), 'OK');
    assert.equal(await redis.del('tmp2', 'missing'), 1);
    const [cursor, keys] = await redis.scan(0, { match: 'm*', count: 1000 });
    assert.equal(String(cursor), '0');
    assert.deepEqual([...keys].sort(), ['m1', 'm2']);
    assert.equal(await redis.dbsize(), await io.dbsize());
    assert.equal(await redis.echo('hi'), 'hi');
    assert.equal(await redis.ping(), 'PONG');
  });

  test('hashes, lists, sets and sorted sets', async () => {
    assert.equal(await redis.hset('h', { f1: 'v1', f2: 2 }), 2);
    assert.equal(await redis.hget('h', 'f1'), 'v1');
    assert.equal(await redis.hincrby('h', 'f2', 3), 5);
    assert.deepEqual(await redis.hgetall('h'), { f1: 'v1', f2: 5 });
    assert.deepEqual(await io.hgetall('h'), { f1: 'v1', f2: '5' });

    assert.equal(await redis.rpush('l', 'a', 'b', 'c'), 3);
    assert.equal(await redis.lpush('l', 'z'), 4);
    assert.deepEqual(await redis.lrange('l', 0, -1), ['z', 'a', 'b', 'c']);
    assert.equal(await redis.rpop('l'), 'c');
    assert.equal(await redis.lmove('l', 'l2', 'left', 'right'), 'z');
    assert.deepEqual(await io.lrange('l2', 0, -1), ['z']);

    assert.equal(await redis.sadd('s1', 'a', 'b', 'c'), 3);
    await redis.sadd('s2', 'b', 'c', 'd');
    assert.deepEqual((await redis.sinter('s1', 's2')).sort(), ['b', 'c']);
    assert.equal(await redis.sismember('s1', 'a'), 1);
    assert.equal(await redis.scard('s1'), 3);

    assert.equal(await redis.zadd('z', { score: 1, member: 'one' }, { score: 2.5, member: 'two' }), 2);
    assert.equal(await redis.zscore('z', 'two'), 2.5);
    assert.equal(await redis.zincrby('z', 2, 'one'), 3);
    assert.deepEqual(await redis.zrange('z', 0, -1, { withScores: true }), ['two', 2.5, 'one', 3]);
    assert.equal(await redis.zrank('z', 'one'), 1);
  });

  test('bitmaps, HyperLogLog, geo, streams and scripts', async () => {
    assert.equal(await redis.setbit('bits', 7, 1), 0);
    assert.equal(await redis.bitcount('bits', 0, -1), 1);
    assert.equal(await redis.pfadd('hll', 'a', 'b', 'c', 'a'), 1);
    assert.equal(await redis.pfcount('hll'), 3);
    assert.equal(await redis.geoadd('geo', { longitude: 13.361389, latitude: 38.115556, member: 'Palermo' }, { longitude: 15.087269, latitude: 37.502669, member: 'Catania' }), 2);
    const d = await redis.geodist('geo', 'Palermo', 'Catania', 'KM');
    assert.ok(Math.abs(Number(d) - 166.2742) < 0.01, `distance ${d}`);
    const id = await redis.xadd('st', '*', { field: 'value' });
    assert.match(id, /^\d+-\d+$/);
    assert.equal(await redis.xlen('st'), 1);
    const range = (await redis.xrange('st', '-', '+')) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.values(range), [{ field: 'value' }]);
    assert.equal(await redis.eval('return redis.call("INCRBY", KEYS[1], ARGV[1])', ['scripted'], [7]), 7);
    assert.equal(await io.get('scripted'), '7');
    assert.equal(await redis.publish('nobody', 'x'), 0);
  });

  test('pipelines run in order and report each error; multi() is atomic', async () => {
    const p = redis.pipeline();
    p.set('p1', 'v');
    p.incr('p1');
    p.get('p1');
    await assert.rejects(p.exec(), /ERR value is not an integer or out of range/);
    const ok = await redis.pipeline().set('p2', 1).incr('p2').get('p2').exec();
    assert.deepEqual(ok, ['OK', 2, 2]);
    const tx = await redis.multi().set('t1', 'a').set('t2', 'b').mget('t1', 't2').exec();
    assert.deepEqual(tx, ['OK', 'OK', ['a', 'b']]);
    // EXEC's own error (a command refused as queued) discards the whole transaction
    const r = await http(srv.httpPort, '/multi-exec', {
      method: 'POST',
      headers: { Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify([['SET', 't3', 'x'], ['NOSUCH']]),
    });
    assert.equal(r.status, 400);
    assert.match((r.body as { error: string }).error, /^EXECABORT/);
    assert.equal(await io.exists('t3'), 0);
  });

  test('base64 replies keep binary values; plain replies are UTF-8 text', async () => {
    await io.set('bin', Buffer.from([0, 1, 0xff, 0xfe, 10, 13]));
    const b64 = await http(srv.httpPort, '/get/bin', { headers: { Authorization: `Bearer ${TOKEN}`, 'Upstash-Encoding': 'base64' } });
    assert.deepEqual(b64, { status: 200, body: { result: Buffer.from([0, 1, 0xff, 0xfe, 10, 13]).toString('base64') } });
    const ok = await http(srv.httpPort, '/set/k64/v', { headers: { Authorization: `Bearer ${TOKEN}`, 'Upstash-Encoding': 'base64' } });
    assert.deepEqual(ok.body, { result: 'OK' });
    const pong = await http(srv.httpPort, '/ping', { headers: { Authorization: `Bearer ${TOKEN}`, 'Upstash-Encoding': 'base64' } });
    assert.deepEqual(pong.body, { result: Buffer.from('PONG').toString('base64') });
    const plain = new Upstash({ url, token: TOKEN, responseEncoding: false, retry: false });
    await plain.set('uni', '日本語');
    assert.equal(await plain.get('uni'), '日本語');
    assert.equal(await io.get('uni'), '日本語');
    // {"base64":"…"} arguments are bytes
    const bin = await http(srv.httpPort, '/', { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(['SET', { base64: 'AP8=' }, { base64: 'AQID' }]) });
    assert.deepEqual(bin.body, { result: 'OK' });
    assert.deepEqual(await io.getBuffer(Buffer.from([0, 0xff])), Buffer.from([1, 2, 3]));
    const badB64 = await http(srv.httpPort, '/', { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(['GET', { base64: '*' }]) });
    assert.equal(badB64.status, 400);
    // a path segment's percent-escapes are bytes
    const raw = await http(srv.httpPort, '/set/pct%00%ff/v', { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(raw.status, 200);
    assert.equal(await io.exists(Buffer.from([0x70, 0x63, 0x74, 0, 0xff])), 1);
  });

  test('tokens: the password, ?_token=, http-token users under their ACL; wrong ones get 401', async () => {
    const none = await http(srv.httpPort, '/get/s');
    assert.equal(none.status, 401);
    const wrong = await http(srv.httpPort, '/get/s', { headers: { Authorization: 'Bearer nope' } });
    assert.equal(wrong.status, 401);
    await assert.rejects(new Upstash({ url, token: 'nope', retry: false }).get('s'), /Unauthorized/);
    const query = await http(srv.httpPort, `/get/s?_token=${TOKEN}`);
    assert.deepEqual(query, { status: 200, body: { result: 'hello you' } });
    assert.equal(await redis.get('s'), 'hello you');
  });

  test('SSE subscribe: messages published over RESP reach an @upstash/redis subscriber', async () => {
    const sub = redis.subscribe<string>(['news']);
    const got: string[] = [];
    const subscribed = new Promise<void>((r) => sub.on('subscribe', () => r()));
    sub.on('message', (m) => got.push(`${m.channel}:${String(m.message)}`));
    await subscribed;
    assert.equal(await io.publish('news', 'first'), 1);
    await redis.publish('news', 'second');
    for (let i = 0; i < 100 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, ['news:first', 'news:second']);
    // a SUBSCRIBE run as a plain command ends with its request: no subscriber is left behind
    const once = await http(srv.httpPort, '/subscribe', { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: '' });
    assert.equal(once.status, 400);
    const plain = await http(srv.httpPort, '/', { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: '["SUBSCRIBE","news"]' });
    assert.deepEqual(plain.body, { result: ['subscribe', 'news', 1] });
    assert.deepEqual(await io.pubsub('NUMSUB', 'news'), ['news', 1]);
    await sub.unsubscribe();
    for (let i = 0; i < 100 && (await io.pubsub('NUMSUB', 'news'))[1] !== 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await io.pubsub('NUMSUB', 'news'), ['news', 0]);
  });

  test('SSE monitor: commands from RESP and HTTP stream as MONITOR lines; closing the stream ends the monitor', async () => {
    const abort = new AbortController();
    const res = await fetch(`${url}/monitor`, { headers: { Authorization: `Bearer ${TOKEN}` }, signal: abort.signal });
    assert.equal(res.headers.get('content-type'), 'text/event-stream');
    const lines: string[] = [];
    const reading = (async () => {
      try {
        for await (const data of sseData(res.body!)) lines.push(data);
      } catch {
        // aborted
      }
    })();
    for (let i = 0; i < 100 && lines.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(lines[0], 'OK');
    await io.set('monitored', 'v');
    await redis.get('monitored');
    const mine = (): string[] => lines.filter((l) => l.includes('"monitored"'));
    for (let i = 0; i < 100 && mine().length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(mine()[0]!, /^\d+\.\d+ \[0 127\.0\.0\.1:\d+\] "set" "monitored" "v"$/);
    assert.match(mine()[1]!, /^\d+\.\d+ \[0 127\.0\.0\.1:\d+\] "get" "monitored"$/);
    abort.abort();
    await reading;
    for (let i = 0; i < 100 && /monitor/.test(await io.client('LIST') as string); i++) await new Promise((r) => setTimeout(r, 20));
    assert.doesNotMatch(await io.client('LIST') as string, /cmd=monitor/);
  });

  test('bad input: malformed JSON, wrong shapes, oversized bodies and unknown commands get clear errors', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const bad = await http(srv.httpPort, '/', { method: 'POST', headers: auth, body: '["SET", "a"' });
    assert.deepEqual(bad, { status: 400, body: { error: 'ERR the request body is not valid JSON' } });
    const shape = await http(srv.httpPort, '/pipeline', { method: 'POST', headers: auth, body: '{"a":1}' });
    assert.equal(shape.status, 400);
    const nested = await http(srv.httpPort, '/', { method: 'POST', headers: auth, body: '["SET", {"x":1}, "v"]' });
    assert.equal(nested.status, 400);
    const big = await http(srv.httpPort, '/set/big', { method: 'POST', headers: auth, body: 'x'.repeat(2 * 1024 * 1024) }).catch(() => ({ status: 413, body: null }));
    assert.equal(big.status, 413);
    const unknown = await http(srv.httpPort, '/nosuch/x', { headers: auth });
    assert.deepEqual(unknown, { status: 404, body: { error: "ERR unknown command 'nosuch', with args beginning with: 'x' " } });
    const arity = await http(srv.httpPort, '/get', { headers: auth });
    assert.deepEqual(arity, { status: 400, body: { error: "ERR wrong number of arguments for 'get' command" } });
    const wrongType = await http(srv.httpPort, '/lpush/s/x', { headers: auth });
    assert.deepEqual(wrongType, { status: 400, body: { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' } });
    // everyone else is still served
    assert.equal(await redis.get('s'), 'hello you');
    assert.equal(await io.ping(), 'PONG');
    assert.deepEqual(await http(srv.httpPort, '/healthz'), { status: 200, body: { result: 'OK' } });
    assert.deepEqual(await http(srv.httpPort, '/readyz'), { status: 200, body: { result: 'OK' } });
  });
});

describe('HTTP front end: ACL users and commandstats', () => {
  test('an http-token runs as its ACL user: NOPERM is 403; commands count in INFO commandstats and show in MONITOR', async () => {
    const srv = await startServer({ port: 0, config: { 'http-port': String(await freePort()) } });
    const io = new Redis(srv.port);
    try {
      await io.acl('SETUSER', 'reader', 'on', '>pw', '~*', '+get');
      srv.state.config.httpTokens.push(['reader-token', 'reader']);
      const url = `http://127.0.0.1:${srv.httpPort}`;
      // no password on the default user: no token needed, any token works
      const open = new Upstash({ url, token: 'anything', retry: false });
      assert.equal(await open.set('k', 'v'), 'OK');
      assert.deepEqual(await http(srv.httpPort, '/get/k'), { status: 200, body: { result: 'v' } });
      const reader = new Upstash({ url, token: 'reader-token', retry: false });
      assert.equal(await reader.get('k'), 'v');
      const denied = await http(srv.httpPort, '/set/k/w', { headers: { Authorization: 'Bearer reader-token' } });
      assert.equal(denied.status, 403);
      assert.match((denied.body as { error: string }).error, /^NOPERM User reader has no permissions to run the 'set' command/);
      const lines: string[] = [];
      const monitor = await io.monitor();
      monitor.on('monitor', (_t, args: string[]) => lines.push(args.join(' ')));
      await open.incr('counted');
      for (let i = 0; i < 50 && !lines.includes('incr counted'); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(lines.includes('incr counted'), lines.join('|'));
      monitor.disconnect();
      assert.match(await io.info('commandstats'), /cmdstat_incr:calls=1,/);
    } finally {
      io.disconnect();
      await srv.close();
    }
  });
});

describe('HTTP front end on 4 threads', () => {
  test('every thread serves HTTP: keys of every thread, pipelines and MULTI/EXEC across threads', async () => {
    const srv = await startServer({ port: 0, threads: 4, config: { save: '', 'http-port': String(await freePort()) } });
    const io = new Redis(srv.port);
    try {
      // a connection of its own per request, so the kernel spreads them over the threads' listeners
      const call = (path: string, body?: unknown): Promise<{ status: number; body: unknown }> =>
        http(srv.httpPort, path, body === undefined ? { headers: { Connection: 'close' } } : { method: 'POST', headers: { Connection: 'close' }, body: JSON.stringify(body) });
      const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
      for (const k of keys) assert.deepEqual(await call(`/set/${k}/${k}-v`), { status: 200, body: { result: 'OK' } });
      assert.deepEqual((await call('/', ['MGET', ...keys])).body, { result: keys.map((k) => `${k}-v`) });
      const tx = await call('/multi-exec', [['SET', 'a', '1'], ['SET', 'b', '2'], ['MGET', 'a', 'b']]);
      assert.deepEqual(tx.body, [{ result: 'OK' }, { result: 'OK' }, { result: ['1', '2'] }]);
      const p = await call('/pipeline', keys.map((k) => ['INCR', `n:${k}`]));
      assert.deepEqual(p.body, keys.map(() => ({ result: 1 })));
      assert.equal(await io.dbsize(), 82);
      const ids = new Set<number>();
      for (let i = 0; i < 40; i++) ids.add(((await call('/client/id')).body as { result: number }).result % 4);
      assert.equal(ids.size, 4, 'requests reached every thread');
    } finally {
      io.disconnect();
      await srv.close();
    }
  });
});
