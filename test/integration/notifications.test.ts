/**
 * Keyspace notifications (notify-keyspace-events) over TCP: the events of
 * every command family with their classes, keyspace and keyevent channels,
 * expired keys removed by the active cycle, 'new' and 'keymiss', CONFIG
 * handling, and no listeners while notifications are off; 1 and 4 shards.
 */
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer, type Fixture } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';
import { sleep } from '../helpers/keyspace.ts';
import { startServer } from '../../src/index.ts';

const test = (name: string, fn: () => Promise<void>): void => {
  nodeTest(name, { timeout: 20000 }, fn);
};

/**
 * Runs cmds with the given classes on, and returns what a PSUBSCRIBE *
 * client received, as "channel message" lines.
 */
async function received(fx: Fixture, classes: string, cmds: string[][], waitMs = 60): Promise<string[]> {
  const c = await fx.client();
  const s = await fx.client();
  try {
    assert.equal(await c.call('FLUSHALL'), 'OK');
    assert.equal(await c.call('CONFIG', 'SET', 'notify-keyspace-events', classes), 'OK');
    assert.deepEqual(await s.call('PSUBSCRIBE', '*'), ['psubscribe', '*', 1]);
    for (const cmd of cmds) await c.call(...cmd);
    await sleep(waitMs);
    const out: string[] = [];
    while (s.pending() !== '') {
      const m = (await s.read()) as string[];
      assert.equal(m[0], 'pmessage');
      out.push(`${m[2]} ${m[3]}`);
    }
    return out;
  } finally {
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    c.close();
    s.close();
  }
}

/** Keyevent lines only (E): "event key". */
async function events(fx: Fixture, classes: string, cmds: string[][], waitMs?: number): Promise<string[]> {
  const lines = await received(fx, classes, cmds, waitMs);
  return lines.map((l) => {
    const m = /^__keyevent@(\d+)__:(\S+) (.*)$/.exec(l);
    assert.ok(m, `not a keyevent: ${l}`);
    return `${m[2]} ${m[3]}${m[1] === '0' ? '' : `@${m[1]}`}`;
  });
}

describeServer('keyspace notifications', (fx) => {
  test('keyspace and keyevent channels, masks and the database number', async () => {
    assert.deepEqual(await received(fx(), 'KEA', [['SET', 'foo', 'bar']]), ['__keyspace@0__:foo set', '__keyevent@0__:set foo']);
    assert.deepEqual(await received(fx(), 'K$', [['SET', 'foo', 'bar'], ['LPUSH', 'l', 'x']]), ['__keyspace@0__:foo set']);
    assert.deepEqual(await received(fx(), 'El', [['SET', 'foo', 'bar'], ['LPUSH', 'l', 'x']]), ['__keyevent@0__:lpush l']);
    // classes without K or E publish nothing
    assert.deepEqual(await received(fx(), 'A', [['SET', 'foo', 'bar']]), []);
    assert.deepEqual(await events(fx(), 'Eg$', [['SELECT', '5'], ['SET', 'k', 'v'], ['DEL', 'k']]), ['set k@5', 'del k@5']);
    // binary keys travel as they are
    assert.deepEqual(await received(fx(), 'K$', [['SET', 'a\x00\xff b', 'v']]), ['__keyspace@0__:a\x00\xff b set']);
  });

  test('strings, bitmaps, HyperLogLog and generic commands', async () => {
    assert.deepEqual(await events(fx(), 'Eg$', [
      ['SET', 'foo', 'bar'], ['SETRANGE', 'foo', '1', 'x'], ['INCR', 'n'], ['DECRBY', 'n', '3'], ['INCRBYFLOAT', 'n', '1.5'],
      ['APPEND', 'foo', 'z'], ['GETDEL', 'foo'], ['SET', 'a', '1', 'EX', '100'], ['GETEX', 'a', 'PERSIST'], ['MSET', 'd', '1', 'e', '2'],
      ['SETBIT', 'bits', '3', '1'], ['BITOP', 'OR', 'dest', 'bits', 'bits'], ['BITFIELD', 'bf', 'SET', 'u8', '0', '5'],
      ['PFADD', 'h', 'a'], ['PFADD', 'h', 'a'], ['PFCOUNT', 'h'],
      ['DEL', 'a', 'zz'], ['EXPIRE', 'd', '100'], ['PERSIST', 'd'], ['RENAME', 'd', 'd2'], ['COPY', 'd2', 'd3'], ['MOVE', 'd3', '1'],
      ['EXPIRE', 'e', '0'], ['GET', 'nokey'],
    ]), [
      'set foo', 'setrange foo', 'incrby n', 'incrby n', 'incrbyfloat n', 'append foo', 'del foo', 'set a', 'expire a', 'persist a',
      'set d', 'set e', 'setbit bits', 'set dest', 'setbit bf', 'pfadd h', 'del a', 'expire d', 'persist d', 'rename_from d',
      'rename_to d2', 'copy_to d3', 'move_from d3', 'move_to d3@1', 'del e',
    ]);
  });

  test('lists, sets and SORT STORE', async () => {
    assert.deepEqual(await events(fx(), 'Elsg', [
      ['RPUSH', 'l', 'a', 'b', 'c'], ['LPUSH', 'l', 'z'], ['LINSERT', 'l', 'BEFORE', 'a', 'q'], ['LSET', 'l', '0', 'w'], ['LREM', 'l', '1', 'q'],
      // LMOVE reports the push before the pop, as Redis does
      ['LTRIM', 'l', '0', '1'], ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'], ['RPOP', 'l'], ['SORT', 'l2', 'ALPHA', 'STORE', 'sorted'],
      ['SADD', 's', 'a', 'b'], ['SADD', 's', 'a'], ['SREM', 's', 'x'], ['SMOVE', 's', 't', 'a'], ['SPOP', 's'],
      ['SINTERSTORE', 'si', 't', 't'], ['SUNIONSTORE', 'su', 't', 't'], ['SDIFFSTORE', 'sd', 't', 'nokey'],
    ]), [
      'rpush l', 'lpush l', 'linsert l', 'lset l', 'lrem l', 'ltrim l', 'rpush l2', 'lpop l', 'rpop l', 'del l', 'sortstore sorted',
      'sadd s', 'srem s', 'sadd t', 'spop s', 'del s', 'sinterstore si', 'sunionstore su', 'sdiffstore sd',
    ]);
  });

  test('hashes and sorted sets', async () => {
    assert.deepEqual(await events(fx(), 'Ehzg', [
      ['HSET', 'h', 'a', '1', 'b', '2'], ['HSETNX', 'h', 'c', '1'], ['HINCRBY', 'h', 'a', '5'], ['HINCRBYFLOAT', 'h', 'a', '1.5'],
      ['HDEL', 'h', 'zz'], ['HDEL', 'h', 'a', 'b', 'c'],
      ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c'], ['ZINCRBY', 'z', '1', 'a'], ['ZREM', 'z', 'a'], ['ZREMRANGEBYRANK', 'z', '0', '0'],
      ['ZADD', 'z', '5', 'x', '6', 'y'], ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z'], ['ZUNIONSTORE', 'zu', '1', 'z'], ['ZRANGESTORE', 'zr', 'z', '0', '-1'],
      ['ZREMRANGEBYSCORE', 'z', '-inf', '+inf'],
    ]), [
      'hset h', 'hset h', 'hincrby h', 'hincrbyfloat h', 'hdel h', 'del h',
      'zadd z', 'zincr z', 'zrem z', 'zremrangebyrank z', 'zadd z', 'zpopmin z', 'zpopmax z', 'zunionstore zu', 'zrangestore zr',
      'zremrangebyscore z', 'del z',
    ]);
  });

  test('streams', async () => {
    assert.deepEqual(await events(fx(), 'Etg', [
      ['XADD', 's', '1-1', 'f', 'v'], ['XTRIM', 's', 'MAXLEN', '0'], ['XADD', 's', '3-1', 'f', 'v'], ['XDEL', 's', '3-1'],
      ['XSETID', 's', '5-5'], ['XGROUP', 'CREATE', 's', 'g', '$'], ['XGROUP', 'CREATECONSUMER', 's', 'g', 'bob'],
      ['XGROUP', 'SETID', 's', 'g', '0'], ['XGROUP', 'DELCONSUMER', 's', 'g', 'bob'], ['XGROUP', 'DESTROY', 's', 'g'],
    ]), [
      'xadd s', 'xtrim s', 'xadd s', 'xdel s', 'xsetid s', 'xgroup-create s', 'xgroup-createconsumer s', 'xgroup-setid s',
      'xgroup-delconsumer s', 'xgroup-destroy s',
    ]);
  });

  test('expired: on access and from the active expiry cycle', async () => {
    assert.deepEqual(await events(fx(), 'Ex', [['SET', 'lazy', '1', 'PX', '1'], ['DEBUG', 'SLEEP', '0.01'], ['GET', 'lazy']]), ['expired lazy']);
    // never touched again: only the background cycle can remove them
    const keys = Array.from({ length: 12 }, (_, i) => `k${i}`);
    const got = await events(fx(), 'Ex', keys.map((k) => ['SET', k, 'v', 'PX', '30']), 600);
    assert.deepEqual(got.sort(), keys.map((k) => `expired ${k}`).sort());
  });

  test("'new' fires when a key is created, 'keymiss' on read misses", async () => {
    assert.deepEqual(await events(fx(), 'En', [
      ['SET', 'foo', 'bar'], ['SET', 'foo', 'baz'], ['SET', 'bar', 'x', 'KEEPTTL'], ['LPUSH', 'l', 'a'], ['LPUSH', 'l', 'b'],
      ['HSET', 'h', 'f', 'v'], ['SET', 'tmp', 'v', 'PX', '1'], ['DEBUG', 'SLEEP', '0.01'], ['SET', 'tmp', 'again'],
    ]), ['new foo', 'new bar', 'new l', 'new h', 'new tmp', 'new tmp']);
    assert.deepEqual(await events(fx(), 'Em', [
      ['GET', 'nokey'], ['SET', 'k', 'v'], ['GET', 'k'], ['LRANGE', 'nol', '0', '-1'], ['HGET', 'noh', 'f'], ['DEL', 'gone'],
    ]), ['keymiss nokey', 'keymiss nol', 'keymiss noh']);
    // 'A' does not include 'n' and CONFIG GET shows no 'n' next to 'A', yet the flag stays on (as in Redis)
    const lines = await events(fx(), 'EAn', [['SET', 'fresh', 'v'], ['SET', 'fresh', 'w']]);
    assert.deepEqual(lines, ['new fresh', 'set fresh', 'set fresh']);
    const c = await fx().client();
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEAn');
    assert.deepEqual(await c.call('CONFIG', 'GET', 'notify-keyspace-events'), ['notify-keyspace-events', 'AKE']);
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
  });

  test('CONFIG SET / GET: normalized class string, bad characters refused', async () => {
    const c = await fx().client();
    const get = async (): Promise<string> => ((await c.call('CONFIG', 'GET', 'notify-keyspace-events')) as string[])[1]!;
    for (const [set, want] of [['gKE', 'gKE'], ['$lshzxeKE', '$lshzxeKE'], ['KA', 'AK'], ['EA', 'AE'], ['mnEK', 'nKEm'], ['', '']]) {
      assert.equal(await c.call('CONFIG', 'SET', 'notify-keyspace-events', set!), 'OK');
      assert.equal(await get(), want);
    }
    const r = await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEQ');
    assert.ok(r instanceof ReplyError);
    assert.match(r.message, /Invalid event class character/);
    assert.equal(await get(), '');
  });

  test('off by default: no listener on the shards, no hooks on lookups and writes', async () => {
    const st = fx().server.state;
    assert.equal(st.notifications.listening, false);
    const c = await fx().client();
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'KEnm');
    // K or E alone with only n/m: hooks on, no change-stream listener
    assert.equal(st.notifications.listening, false);
    assert.ok(st.engine.shards.every((s) => s.dbs.every((ks) => ks.onNew !== null && ks.onMiss !== null)));
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', 'Kg');
    assert.equal(st.notifications.listening, true);
    assert.ok(st.engine.shards.every((s) => s.dbs.every((ks) => ks.onNew === null && ks.onMiss === null)));
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    assert.equal(st.notifications.listening, false);
  });

  test('clients: ioredis pattern subscriber, node-redis RESP3 subscribed on its own writing connection', async () => {
    const admin = await ioredis(fx().port);
    const sub = await ioredis(fx().port);
    const c = await nodeRedis(fx().port, 3);
    try {
      await admin.config('SET', 'notify-keyspace-events', 'KEA');
      const seen: string[] = [];
      sub.on('pmessage', (_p: string, ch: string, msg: string) => seen.push(`${ch} ${msg}`));
      await sub.psubscribe('__keyspace@0__:user:*');
      const own: string[] = [];
      await c.subscribe('__keyevent@0__:hset', (key) => own.push(key));
      // keys spread over every shard
      for (let i = 0; i < 8; i++) assert.equal(await c.hSet(`user:${i}`, 'name', `n${i}`), 1);
      assert.equal(await c.hGet('user:3', 'name'), 'n3');
      for (let i = 0; i < 50 && (seen.length < 8 || own.length < 8); i++) await sleep(20);
      assert.deepEqual(seen.sort(), Array.from({ length: 8 }, (_, i) => `__keyspace@0__:user:${i} hset`).sort());
      assert.deepEqual(own, Array.from({ length: 8 }, (_, i) => `user:${i}`));
    } finally {
      await admin.config('SET', 'notify-keyspace-events', '');
      admin.disconnect();
      sub.disconnect();
      await c.close();
    }
  });
});

nodeTest('notify-keyspace-events from the startup configuration', { timeout: 20000 }, async () => {
  const srv = await startServer({ port: 0, shards: 4, config: { 'notify-keyspace-events': 'Ex' } });
  const s = await RespClient.connect(srv.port);
  const c = await RespClient.connect(srv.port);
  try {
    assert.deepEqual(await c.call('CONFIG', 'GET', 'notify-keyspace-events'), ['notify-keyspace-events', 'xE']);
    assert.deepEqual(await s.call('SUBSCRIBE', '__keyevent@0__:expired'), ['subscribe', '__keyevent@0__:expired', 1]);
    assert.equal(await c.call('SET', 'k', 'v', 'PX', '20'), 'OK');
    assert.deepEqual(await s.read(3000), ['message', '__keyevent@0__:expired', 'k']);
  } finally {
    s.close();
    c.close();
    await srv.close();
  }
});
