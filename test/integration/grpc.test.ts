/**
 * The gRPC front end with a @grpc/grpc-js client built from the shipped
 * proto: Execute checked against ioredis on the RESP port (one keyspace,
 * the same replies, binary-safe), Pipeline ordering with a blocking command
 * and MULTI/EXEC, Subscribe, cancellation, tokens and ACL users, bad input,
 * and every thread serving with --threads 4.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.ts';
import { freePort } from '../helpers/ports.ts';
import { ShardisClient, ReplyError, endOf, grpc, plain, statusOf, type Command, type FeedMessage, type Message, type Reply } from '../helpers/grpc-client.ts';

const TOKEN = 's3cret';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `check` holds (polling), failing with `what` after ~4 s. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await sleep(20);
  }
  assert.fail(`never: ${what}`);
}

/** What ioredis answers to a command: its value, or its error as a ReplyError. */
async function viaResp(io: Redis, args: string[]): Promise<unknown> {
  try {
    return await io.call(args[0]!, ...args.slice(1));
  } catch (e) {
    return new ReplyError((e as Error).message);
  }
}

/** Collects a stream's replies as they arrive. */
function collect(call: grpc.ClientDuplexStream<Command, Reply>): Reply[] {
  const got: Reply[] = [];
  call.on('data', (r: Reply) => got.push(r));
  return got;
}

describe('gRPC front end', () => {
  let srv: RunningServer;
  let io: Redis;
  let client: ShardisClient;

  before(async () => {
    srv = await startServer({
      port: 0,
      requirepass: TOKEN,
      config: { 'grpc-port': String(await freePort()), 'grpc-max-message-size': '1mb' },
    });
    io = new Redis(srv.port, { password: TOKEN });
    client = new ShardisClient(srv.grpcPort, TOKEN);
  });
  after(async () => {
    client.close();
    io.disconnect();
    await srv.close();
  });

  test('Execute: every type of reply matches what ioredis gets on the RESP port', async () => {
    const writes = [
      ['SET', 's', 'hello'],
      ['HSET', 'h', 'f1', 'v1', 'f2', '2'],
      ['RPUSH', 'l', 'a', 'b', 'c'],
      ['SADD', 'set', 'x'],
      ['ZADD', 'z', '1', 'one', '2.5', 'two'],
      ['XADD', 'st', '1-1', 'field', 'value'],
      ['SET', 'big', '4611686018427387903'],
    ];
    for (const w of writes) assert.ok(!((await client.call(...w)) instanceof ReplyError), w.join(' '));
    const reads = [
      ['GET', 's'],
      ['GET', 'missing'],
      ['STRLEN', 's'],
      ['HGETALL', 'h'],
      ['HMGET', 'h', 'f1', 'nope'],
      ['LRANGE', 'l', '0', '-1'],
      ['SMEMBERS', 'set'],
      ['ZSCORE', 'z', 'two'],
      ['XRANGE', 'st', '-', '+'],
      ['MGET', 's', 'missing', 'l'],
      ['LPOP', 'nolist'],
      ['TYPE', 'z'],
      ['LPUSH', 's', 'x'],
      ['INCR', 's'],
      ['GET'],
      ['NOSUCH', 'a'],
      ['EXISTS', 's', 'h', 'missing'],
    ];
    for (const r of reads) assert.deepEqual(await client.call(...r), await viaResp(io, r), r.join(' '));
    // as RESP2 sends it (ioredis pairs the scores up)
    assert.deepEqual(await client.call('ZRANGE', 'z', '0', '-1', 'WITHSCORES'), ['one', '1', 'two', '2.5']);
    // integers keep every digit (an int64 over 2^53)
    assert.deepEqual(await client.execute(['INCR', 'big']), { integer: '4611686018427387904', value: 'integer' });
    assert.deepEqual(await client.execute(['PING']), { string: Buffer.from('PONG'), value: 'string' });
  });

  test('Execute: binary-safe keys and values, both ways; db selects the database', async () => {
    const key = Buffer.from([0x6b, 0x00, 0xff]);
    const value = Buffer.from([0x00, 0xff, 0x0d, 0x0a, 0x80, 0x00]);
    assert.equal(await client.call('SET', key, value), 'OK');
    assert.deepEqual(await io.getBuffer(key), value);
    await io.set(Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0x00, 0xff]));
    assert.deepEqual((await client.execute(['GET', Buffer.from([0xff, 0xfe])])).string, Buffer.from([0xfe, 0x00, 0xff]));
    assert.equal(await client.call('LPUSH', 'bl', value, key), 2);
    const items = (await client.execute(['LRANGE', 'bl', '0', '-1'])).array!.items!;
    assert.deepEqual(items.map((r) => r.string), [key, value]);
    assert.equal(plain(await client.execute(['SET', 'in3', 'three'], 3)), 'OK');
    assert.equal(await io.exists('in3'), 0);
    const db3 = new Redis(srv.port, { password: TOKEN, db: 3 });
    assert.equal(await db3.get('in3'), 'three');
    db3.disconnect();
    assert.deepEqual(plain(await client.execute(['GET', 'in3'], 99)), new ReplyError('ERR DB index is out of range'));
    // a command whose pushes have no place in one Reply per command is refused as a Reply error
    assert.match((await client.execute(['SUBSCRIBE', 'ch'])).error!, /^ERR SUBSCRIBE is not available in Execute or Pipeline/);
  });

  test('Pipeline: replies in order; a blocking BLPOP holds the commands behind it until an LPUSH over RESP', async () => {
    const call = client.pipeline();
    const got = collect(call);
    const end = endOf(call);
    call.write({ args: ['SET', 'p', '1'] });
    call.write({ args: ['BLPOP', 'q', '0'] });
    call.write({ args: ['INCR', 'p'] });
    await until('SET replied', async () => got.length === 1);
    await until('BLPOP blocks', async () => (await io.info('clients')).includes('blocked_clients:1\r\n'));
    await sleep(50);
    assert.equal(got.length, 1, 'INCR waits behind BLPOP');
    assert.equal(await io.get('p'), '1');
    await io.lpush('q', 'v');
    await until('all replied', async () => got.length === 3);
    assert.deepEqual(got.map(plain), ['OK', ['q', 'v'], 2]);
    call.end();
    assert.equal((await end).code, grpc.status.OK);
  });

  test('Pipeline: MULTI/EXEC as on RESP (errors inside EXEC are nested Reply errors); HELLO 3 keeps RESP3 types; QUIT ends it', async () => {
    const call = client.pipeline();
    const got = collect(call);
    const end = endOf(call);
    for (const args of [['MULTI'], ['SET', 'tx', 'a'], ['INCR', 'tx'], ['GET', 'tx'], ['EXEC']]) call.write({ args });
    await until('EXEC replied', async () => got.length === 5);
    assert.deepEqual(got.map(plain), ['OK', 'QUEUED', 'QUEUED', 'QUEUED', ['OK', new ReplyError('ERR value is not an integer or out of range'), 'a']]);
    got.length = 0;
    for (const args of [['MULTI'], ['SET', 'tx', 'b'], ['NOSUCH'], ['EXEC']]) call.write({ args });
    await until('EXEC replied', async () => got.length === 4);
    assert.match(got[3]!.error!, /^EXECABORT/);
    assert.equal(await io.get('tx'), 'a');
    got.length = 0;
    await io.zadd('z3', '1.5', 'm');
    for (const args of [['HELLO', '3'], ['ZSCORE', 'z3', 'm'], ['HGETALL', 'h'], ['EXISTS', 'z3'], ['QUIT'], ['PING']]) call.write({ args });
    await until('QUIT replied', async () => got.length === 5);
    assert.deepEqual(got[1], { double: 1.5, value: 'double' });
    assert.deepEqual(plain(got[2]!), ['f1', 'v1', 'f2', '2']);
    assert.equal(plain(got[4]!), 'OK');
    assert.equal((await end).code, grpc.status.OK);
    assert.equal(got.length, 5, 'nothing runs after QUIT');
  });

  test('Pipeline: cancelling the call cancels its blocked command; CLIENT KILL ends a call with ABORTED', async () => {
    const call = client.pipeline();
    const end = endOf(call);
    call.write({ args: ['BLPOP', 'cq', '0'] });
    await until('BLPOP blocks', async () => (await io.info('clients')).includes('blocked_clients:1\r\n'));
    call.cancel();
    assert.equal((await end).code, grpc.status.CANCELLED);
    await until('unblocked', async () => (await io.info('clients')).includes('blocked_clients:0\r\n'));
    await io.lpush('cq', 'kept');
    assert.deepEqual(await io.lrange('cq', 0, -1), ['kept']);

    const killed = client.pipeline();
    const got = collect(killed);
    const killedEnd = endOf(killed);
    killed.write({ args: ['CLIENT', 'ID'] });
    await until('CLIENT ID replied', async () => got.length === 1);
    assert.equal(await io.client('KILL', 'ID', String(plain(got[0]!))), 1);
    assert.equal((await killedEnd).code, grpc.status.ABORTED);
  });

  test('Subscribe: messages published over RESP arrive (channels and patterns, binary); cancel unsubscribes', async () => {
    const call = client.subscribe(['news', Buffer.from([0x00, 0xff])], ['sp*']);
    const got: Message[] = [];
    call.on('data', (m: Message) => got.push(m));
    const end = endOf(call);
    // the headers arrive once the subscriptions are in place
    await new Promise<void>((r) => call.once('metadata', () => r()));
    assert.deepEqual(await io.pubsub('NUMSUB', 'news'), ['news', 1]);
    assert.equal(await io.publish('news', 'first'), 1);
    assert.equal(await io.publish('sport', 'goal'), 1);
    assert.equal(await io.publish(Buffer.from([0x00, 0xff]), Buffer.from([0xff, 0x00])), 1);
    await until('3 messages', async () => got.length === 3);
    assert.deepEqual(got[0], { channel: Buffer.from('news'), message: Buffer.from('first') });
    assert.deepEqual(got[1], { channel: Buffer.from('sport'), message: Buffer.from('goal'), pattern: Buffer.from('sp*') });
    assert.deepEqual(got[2], { channel: Buffer.from([0x00, 0xff]), message: Buffer.from([0xff, 0x00]) });
    call.cancel();
    assert.equal((await end).code, grpc.status.CANCELLED);
    await until('unsubscribed', async () => (await io.pubsub('NUMSUB', 'news'))[1] === 0);
    assert.equal(await io.pubsub('NUMPAT'), 0);
    assert.equal(await io.publish('news', 'nobody'), 0);
  });

  test('Watch: a snapshot with values, changes in order with binary-safe base64, resume from a position with one batch', async () => {
    await io.set('w:a', Buffer.from([0, 0xff, 1]));
    await io.hset('w:h', 'f', 'v');
    const c = new ShardisClient(srv.grpcPort, TOKEN);
    const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64');
    try {
      const got: Array<{ type: string; position: string; body: Record<string, unknown> }> = [];
      const call = c.watch({ prefixes: ['w:'] });
      call.on('data', (m: FeedMessage) => got.push({ type: m.type, position: m.position, body: JSON.parse(m.json) as Record<string, unknown> }));
      call.on('error', () => {});
      await until('the snapshot', async () => got.length >= 1);
      assert.equal(got[0]!.type, 'snapshot');
      assert.deepEqual(got[0]!.body.keys, { [b64('w:a')]: { type: 'string', value: b64(Buffer.from([0, 0xff, 1])) }, [b64('w:h')]: { type: 'hash', value: { [b64('f')]: b64('v') } } });
      await io.rpush('w:l', 'x');
      await io.del('w:a');
      await until('two changes', async () => got.length >= 3);
      assert.deepEqual(got.slice(1).map((m) => [m.type, m.body.key, m.body.event, m.body.value]), [
        ['change', b64('w:l'), 'rpush', { type: 'list', value: [b64('x')] }],
        ['change', b64('w:a'), 'del', null],
      ]);
      call.cancel();
      const from = got[2]!.position;
      await io.set('w:a', 'back');
      await io.set('other', 'x');
      const again: FeedMessage[] = [];
      const resumed = c.watch({ prefixes: ['w:'], from });
      resumed.on('data', (m: FeedMessage) => again.push(m));
      resumed.on('error', () => {});
      await until('the resume', async () => again.length >= 1);
      assert.equal(again[0]!.type, 'batch');
      assert.deepEqual((JSON.parse(again[0]!.json) as { keys: unknown }).keys, { [b64('w:a')]: { type: 'string', value: b64('back') } });
      resumed.cancel();
      const bad = c.watch({});
      const err = await new Promise<grpc.ServiceError>((r) => bad.on('error', r));
      assert.equal(err.code, grpc.status.INVALID_ARGUMENT);
    } finally {
      c.close();
    }
  });

  test('Subscribe: a reader that falls 32 MiB behind is disconnected (RESOURCE_EXHAUSTED), as the pubsub output limit would', { timeout: 60_000 }, async () => {
    const call = client.subscribe(['flood']);
    let received = 0;
    call.on('data', () => received++);
    const end = endOf(call);
    await new Promise<void>((r) => call.once('metadata', () => r()));
    call.pause();
    const mib = Buffer.alloc(1024 * 1024, 97);
    // how much of it the kernel and the client's HTTP/2 window take varies: publish until the server lets go
    let published = 0;
    while (published < 512 && (await io.publish('flood', mib)) === 1) published++;
    call.resume();
    const s = await end;
    assert.equal(s.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.ok(received < published, `${received} of ${published} messages`);
    assert.deepEqual(await io.pubsub('NUMSUB', 'flood'), ['flood', 0]);
  });

  test('tokens: none or a wrong one is UNAUTHENTICATED on every rpc', async () => {
    for (const token of [null, 'nope']) {
      const c = new ShardisClient(srv.grpcPort, token);
      try {
        assert.equal((await statusOf(c.execute(['GET', 's']))).code, grpc.status.UNAUTHENTICATED);
        const p = c.pipeline();
        const pEnd = endOf(p);
        p.write({ args: ['SET', 'stolen', '1'] });
        assert.equal((await pEnd).code, grpc.status.UNAUTHENTICATED);
        assert.equal((await endOf(c.subscribe(['news']))).code, grpc.status.UNAUTHENTICATED);
      } finally {
        c.close();
      }
    }
    assert.equal(await io.exists('stolen'), 0);
  });

  test('bad input: empty args, oversized and malformed messages are refused; the server keeps serving', async () => {
    assert.equal((await statusOf(client.execute([]))).code, grpc.status.INVALID_ARGUMENT);
    const call = client.pipeline();
    const got = collect(call);
    const end = endOf(call);
    call.write({ args: ['PING'] });
    call.write({ args: [] });
    call.write({ args: ['SET', 'after-empty', '1'] });
    assert.equal((await end).code, grpc.status.INVALID_ARGUMENT);
    assert.deepEqual(got.map(plain), ['PONG']);
    assert.equal(await io.exists('after-empty'), 0);
    assert.equal((await endOf(client.subscribe([]))).code, grpc.status.INVALID_ARGUMENT);

    const huge = await statusOf(client.execute(['SET', 'huge', Buffer.alloc(2 * 1024 * 1024, 120)]));
    assert.equal(huge.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(await io.exists('huge'), 0);
    const malformed = await statusOf(client.executeRaw(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f])));
    assert.notEqual(malformed.code, grpc.status.OK);
    // bytes that are not HTTP/2 at all
    await new Promise<void>((resolve) => {
      const sock = connect(srv.grpcPort, '127.0.0.1', () => sock.end(Buffer.from('\x00\xffnot http/2\r\n\r\n', 'latin1')));
      sock.on('error', () => resolve());
      sock.on('close', () => resolve());
      sock.resume();
    });

    assert.equal(await client.call('PING'), 'PONG');
    assert.equal(await io.ping(), 'PONG');
    // every call's session is gone: ioredis is the only client left
    await until('sessions closed', async () => (await io.info('clients')).includes('connected_clients:1\r\n'));
  });
});

describe('gRPC front end: ACL users', () => {
  test('an http-token runs as its ACL user: NOPERM is a Reply error; a refused channel ends Subscribe with PERMISSION_DENIED', async () => {
    const srv = await startServer({ port: 0, config: { 'grpc-port': String(await freePort()) } });
    const io = new Redis(srv.port);
    const open = new ShardisClient(srv.grpcPort);
    const reader = new ShardisClient(srv.grpcPort, 'reader-token');
    try {
      await io.acl('SETUSER', 'reader', 'on', '>pw', '~*', '+get', '+subscribe', '&allowed');
      srv.state.config.httpTokens.push(['reader-token', 'reader']);
      // no password on the default user: no token needed
      assert.equal(await open.call('SET', 'k', 'v'), 'OK');
      assert.equal(await reader.call('GET', 'k'), 'v');
      const denied = await reader.execute(['SET', 'k', 'w']);
      assert.equal(denied.value, 'error');
      assert.match(denied.error!, /^NOPERM User reader has no permissions to run the 'set' command/);
      assert.equal(await io.get('k'), 'v');
      const sub = reader.subscribe(['forbidden']);
      const end = await endOf(sub);
      assert.equal(end.code, grpc.status.PERMISSION_DENIED);
      assert.match(end.details, /^NOPERM/);
      const ok = reader.subscribe(['allowed']);
      const okEnd = endOf(ok);
      await new Promise<void>((r) => ok.once('metadata', () => r()));
      assert.equal(await io.publish('allowed', 'hi'), 1);
      ok.cancel();
      assert.equal((await okEnd).code, grpc.status.CANCELLED);
      assert.match(await io.info('commandstats'), /cmdstat_set:calls=1,/);
    } finally {
      open.close();
      reader.close();
      io.disconnect();
      await srv.close();
    }
  });
});

describe('gRPC front end on 4 threads', () => {
  test('every thread serves gRPC: keys of every thread, pipelines and MULTI/EXEC across threads', async () => {
    const srv = await startServer({ port: 0, threads: 4, config: { save: '', 'grpc-port': String(await freePort()) } });
    const io = new Redis(srv.port);
    const clients = Array.from({ length: 24 }, () => new ShardisClient(srv.grpcPort));
    let feeds: Array<{ call: grpc.ClientReadableStream<FeedMessage>; got: FeedMessage[] }> = [];
    try {
      const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
      for (const [i, k] of keys.entries()) assert.equal(await clients[i % clients.length]!.call('SET', k, `${k}-v`), 'OK');
      assert.deepEqual(await clients[0]!.call('MGET', ...keys), keys.map((k) => `${k}-v`));
      const call = clients[1]!.pipeline();
      const got = collect(call);
      const end = endOf(call);
      for (const args of [['MULTI'], ['SET', 'a', '1'], ['SET', 'b', '2'], ['MGET', 'a', 'b'], ['EXEC'], ...keys.map((k) => ['INCR', `n:${k}`])]) call.write({ args });
      call.end();
      assert.equal((await end).code, grpc.status.OK);
      assert.deepEqual(plain(got[4]!), ['OK', 'OK', ['1', '2']]);
      assert.deepEqual(got.slice(5).map(plain), keys.map(() => 1));
      assert.equal(await io.dbsize(), 82);
      // a connection of its own per client: the kernel spreads them over the threads' listeners
      const threads = new Set<number>();
      for (const c of clients) threads.add((Number(await c.call('CLIENT', 'ID'))) % 4);
      assert.equal(threads.size, 4, 'calls reached every thread');
      // Watch from every thread gathers keys of every thread
      feeds = clients.slice(0, 8).map((c) => {
        const got: FeedMessage[] = [];
        const call = c.watch({ prefixes: ['k'] });
        call.on('data', (m: FeedMessage) => got.push(m));
        call.on('error', () => {});
        return { call, got };
      });
      for (const f of feeds) await until('the snapshot', async () => f.got.length >= 1);
      for (const k of keys) await io.set(k, 'changed');
      const b64 = (s: string): string => Buffer.from(s).toString('base64');
      for (const f of feeds) {
        assert.equal(Object.keys((JSON.parse(f.got[0]!.json) as { keys: object }).keys).length, 40);
        await until('every change', async () => f.got.length >= 41);
        assert.deepEqual(f.got.slice(1).map((m) => (JSON.parse(m.json) as { key: string }).key), keys.map(b64));
      }
    } finally {
      for (const f of feeds) f.call.cancel();
      for (const c of clients) c.close();
      io.disconnect();
      await srv.close();
    }
  });
});
