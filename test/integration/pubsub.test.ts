/**
 * Pub/Sub over TCP: ioredis and node-redis subscribers (RESP2 and RESP3),
 * patterns, shard channels, the RESP2 subscribed context, RESET / close
 * cleanup and the introspection that reports subscriptions, with 1 and 4 shards.
 */
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient, ReplyError, type Reply } from '../helpers/resp-client.ts';
import { sleep } from '../helpers/keyspace.ts';

/** Resolves once `n` items were collected (or fails after a timeout). */
function collector<T>(): { items: T[]; add: (x: T) => void; wait: (n: number) => Promise<T[]> } {
  const items: T[] = [];
  let waiter: (() => void) | null = null;
  return {
    items,
    add(x) {
      items.push(x);
      waiter?.();
    },
    async wait(n) {
      const deadline = Date.now() + 5000;
      while (items.length < n) {
        if (Date.now() > deadline) throw new Error(`timed out with ${JSON.stringify(items)}`);
        await new Promise<void>((res) => {
          waiter = res;
          setTimeout(res, 50);
        });
      }
      return items.slice(0, n);
    },
  };
}

/** Tests here wait on pushes: a missing one fails its own test after 15 s instead of hanging the file. */
const test = (name: string, fn: () => Promise<void>): void => {
  nodeTest(name, { timeout: 15000 }, fn);
};

const CONTEXT_ERR = (cmd: string): string =>
  `ERR Can't execute '${cmd}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;

function infoField(info: string, name: string): string {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info.replace(/\r/g, ''));
  assert.ok(m, `no ${name} in INFO`);
  return m[1]!;
}

describeServer('pub/sub', (fx) => {
  test('ioredis: SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE and messages, binary-safe', async () => {
    const sub = await ioredis(fx().port);
    const pub = await ioredis(fx().port);
    try {
      const got = collector<string>();
      sub.on('message', (ch: string, msg: string) => got.add(`message ${ch} ${msg}`));
      sub.on('pmessage', (pat: string, ch: string, msg: string) => got.add(`pmessage ${pat} ${ch} ${msg}`));
      sub.on('smessage', (ch: string, msg: string) => got.add(`smessage ${ch} ${msg}`));
      const bin = collector<Buffer>();
      sub.on('messageBuffer', (_ch: Buffer, msg: Buffer) => bin.add(msg));
      assert.equal(await sub.subscribe('news', 'bin'), 2);
      assert.equal(await sub.psubscribe('n*s'), 3);
      assert.equal(await sub.ssubscribe('shard'), 1);
      assert.equal(await pub.publish('news', 'hello'), 2);
      assert.equal(await pub.publish('nos', 'x'), 1);
      assert.equal(await pub.publish('other', 'x'), 0);
      assert.equal(await pub.spublish('shard', 'sharded'), 1);
      // shard channels and channels are separate namespaces, and patterns don't see SPUBLISH
      assert.equal(await pub.spublish('news', 'x'), 0);
      assert.equal(await pub.publish('shard', 'x'), 0);
      assert.deepEqual(await got.wait(4), ['message news hello', 'pmessage n*s news hello', 'pmessage n*s nos x', 'smessage shard sharded']);
      const payload = Buffer.from([0, 255, 13, 10, 200, 1]);
      assert.equal(await pub.publish('bin', payload), 1);
      assert.deepEqual((await bin.wait(2))[1], payload);
      assert.deepEqual((await pub.pubsub('NUMSUB', 'news', 'bin', 'nope')) as unknown[], ['news', 1, 'bin', 1, 'nope', 0]);
      assert.equal(await pub.pubsub('NUMPAT'), 1);
      assert.deepEqual(((await pub.pubsub('CHANNELS')) as string[]).sort(), ['bin', 'news']);
      assert.deepEqual(await pub.pubsub('CHANNELS', 'n*'), ['news']);
      assert.deepEqual(await pub.pubsub('SHARDCHANNELS'), ['shard']);
      assert.deepEqual(await pub.pubsub('SHARDNUMSUB', 'shard', 'news'), ['shard', 1, 'news', 0]);
      assert.equal(await sub.unsubscribe('news'), 2);
      assert.equal(await pub.publish('news', 'late'), 1); // the pattern still matches
      // (ioredis resolves an argument-less unsubscribe when the count reaches 0, so patterns go first)
      assert.equal(await sub.punsubscribe('n*s'), 1);
      assert.equal(await sub.unsubscribe(), 0);
      assert.equal(await sub.sunsubscribe('shard'), 0);
      assert.equal(await pub.publish('news', 'gone'), 0);
      assert.deepEqual(await pub.pubsub('NUMSUB', 'news'), ['news', 0]);
      assert.equal(await pub.pubsub('NUMPAT'), 0);
      // out of the subscribed context, the connection runs commands again
      assert.equal(await sub.ping(), 'PONG');
      assert.equal(await sub.set('k', 'v'), 'OK');
    } finally {
      sub.disconnect();
      pub.disconnect();
    }
  });

  test('node-redis RESP2: dedicated subscriber connection with listeners', async () => {
    const sub = await nodeRedis(fx().port, 2);
    const pub = await nodeRedis(fx().port, 2);
    try {
      const got = collector<string>();
      await sub.subscribe('c1', (msg, ch) => got.add(`${ch}:${msg}`));
      await sub.pSubscribe('c*', (msg, ch) => got.add(`p ${ch}:${msg}`));
      await sub.sSubscribe('s1', (msg, ch) => got.add(`s ${ch}:${msg}`));
      assert.equal(await pub.publish('c1', 'one'), 2);
      assert.equal(await pub.publish('c2', 'two'), 1);
      assert.equal(await pub.sPublish('s1', 'three'), 1);
      assert.deepEqual((await got.wait(4)).sort(), ['c1:one', 'p c1:one', 'p c2:two', 's s1:three']);
      assert.deepEqual(await pub.pubSubNumSub(['c1', 'zz']), { c1: 1, zz: 0 });
      assert.equal(await pub.pubSubNumPat(), 1);
      assert.deepEqual(await pub.pubSubShardChannels(), ['s1']);
      await sub.unsubscribe('c1');
      await sub.pUnsubscribe();
      await sub.sUnsubscribe();
      assert.equal(await pub.publish('c1', 'none'), 0);
      assert.equal(String(await sub.ping()), 'PONG');
    } finally {
      await sub.close();
      await pub.close();
    }
  });

  test('node-redis RESP3: pushes interleaved with replies on one connection', async () => {
    const c = await nodeRedis(fx().port, 3);
    const pub = await ioredis(fx().port);
    try {
      const got = collector<string>();
      await c.subscribe('events', (msg) => got.add(msg));
      await c.pSubscribe('ev*', (msg, ch) => got.add(`p ${ch} ${msg}`));
      // no subscribed context in RESP3: ordinary commands run between the pushes
      assert.equal(await c.set('k', 'v'), 'OK');
      const publishing = (async () => {
        for (let i = 0; i < 20; i++) await pub.publish('events', `m${i}`);
      })();
      for (let i = 0; i < 20; i++) assert.equal(await c.get('k'), 'v');
      await publishing;
      assert.equal(await c.publish('events', 'self'), 2);
      const msgs = await got.wait(42);
      assert.deepEqual(msgs.filter((m) => !m.startsWith('p ')), [...Array.from({ length: 20 }, (_, i) => `m${i}`), 'self']);
      assert.equal(msgs.filter((m) => m.startsWith('p events ')).length, 21);
      assert.equal(await c.incr('n'), 1);
      await c.unsubscribe();
      await c.pUnsubscribe();
      assert.equal(await pub.publish('events', 'x'), 0);
    } finally {
      await c.close();
      pub.disconnect();
    }
  });

  test('RESP3: a client publishing to itself gets the reply first (Redis 7.2); blocked, it gets messages at once', async () => {
    const c = await fx().client();
    const other = await fx().client();
    await c.call('HELLO', '3');
    assert.equal(await c.callRaw('SUBSCRIBE', 'self-ch'), '>3\r\n$9\r\nsubscribe\r\n$7\r\nself-ch\r\n:1\r\n');
    const msg = (m: string): string => `>3\r\n$7\r\nmessage\r\n$7\r\nself-ch\r\n$${m.length}\r\n${m}\r\n`;
    c.send('PUBLISH', 'self-ch', 'one');
    assert.equal(await c.readRaw(), ':1\r\n');
    assert.equal(await c.readRaw(), msg('one'));
    // a whole transaction's reply first, then its messages
    c.send('MULTI');
    c.send('PUBLISH', 'self-ch', 'a');
    c.send('PUBLISH', 'self-ch', 'b');
    c.send('EXEC');
    for (const r of ['+OK\r\n', '+QUEUED\r\n', '+QUEUED\r\n', '*2\r\n:1\r\n:1\r\n', msg('a'), msg('b')]) assert.equal(await c.readRaw(), r);
    // blocked, the client receives what others publish while it waits
    c.send('BLPOP', 'self-list', '0');
    await sleep(50);
    assert.equal(await other.call('PUBLISH', 'self-ch', 'meanwhile'), 1);
    assert.equal(await c.readRaw(), msg('meanwhile'));
    await other.call('RPUSH', 'self-list', 'x');
    assert.equal(await c.readRaw(), '*2\r\n$9\r\nself-list\r\n$1\r\nx\r\n');
    await c.call('UNSUBSCRIBE');
  });

  test('RESP2 subscribed context: exact errors, PING, UNSUBSCRIBE with nothing subscribed', async () => {
    const c = await fx().client();
    assert.equal(await c.callRaw('UNSUBSCRIBE'), '*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n');
    assert.equal(await c.callRaw('PUNSUBSCRIBE'), '*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n');
    assert.equal(await c.callRaw('SUNSUBSCRIBE'), '*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n');
    c.send('SUBSCRIBE', 'a', 'b', 'a');
    assert.deepEqual([await c.read(), await c.read(), await c.read()], [['subscribe', 'a', 1], ['subscribe', 'b', 2], ['subscribe', 'a', 2]]);
    assert.deepEqual(await c.call('PSUBSCRIBE', 'x*'), ['psubscribe', 'x*', 3]);
    // shard subscriptions are counted apart
    assert.deepEqual(await c.call('SSUBSCRIBE', 's'), ['ssubscribe', 's', 1]);
    assert.equal(await c.callRaw('PING'), '*2\r\n$4\r\npong\r\n$0\r\n\r\n');
    assert.deepEqual(await c.call('PING', 'hi'), ['pong', 'hi']);
    for (const [cmd, name] of [[['GET', 'k'], 'get'], [['CLIENT', 'INFO'], 'client|info'], [['PUBSUB', 'NUMPAT'], 'pubsub|numpat'], [['SELECT', '1'], 'select']] as const) {
      const r = await c.call(...cmd);
      assert.ok(r instanceof ReplyError);
      assert.equal(r.message, CONTEXT_ERR(name));
    }
    // unknown commands and wrong arity are reported as such first
    assert.match((await c.call('NOSUCH') as ReplyError).message, /^ERR unknown command 'NOSUCH'/);
    assert.equal((await c.call('GET') as ReplyError).message, "ERR wrong number of arguments for 'get' command");
    assert.deepEqual(await c.call('UNSUBSCRIBE', 'b', 'zz'), ['unsubscribe', 'b', 2]);
    assert.deepEqual(await c.read(), ['unsubscribe', 'zz', 2]);
    assert.deepEqual(await c.call('SUNSUBSCRIBE'), ['sunsubscribe', 's', 0]);
    c.send('UNSUBSCRIBE');
    assert.deepEqual(await c.read(), ['unsubscribe', 'a', 1]);
    assert.deepEqual(await c.call('PUNSUBSCRIBE'), ['punsubscribe', 'x*', 0]);
    assert.equal(await c.call('PING'), 'PONG');
    assert.equal(await c.call('SET', 'k', 'v'), 'OK');
  });

  test('RESP3 pushes: exact bytes, null for nothing to unsubscribe', async () => {
    const c = await fx().client();
    const p = await fx().client();
    await c.call('HELLO', '3');
    assert.equal(await c.callRaw('SUBSCRIBE', 'ch'), '>3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n');
    assert.equal(await c.callRaw('PING'), '+PONG\r\n');
    assert.equal(await p.call('PUBLISH', 'ch', 'msg'), 1);
    assert.equal(await c.readRaw(), '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nmsg\r\n');
    assert.equal(await c.callRaw('SSUBSCRIBE', 'sc'), '>3\r\n$10\r\nssubscribe\r\n$2\r\nsc\r\n:1\r\n');
    assert.equal(await p.call('SPUBLISH', 'sc', 'v'), 1);
    assert.equal(await c.readRaw(), '>3\r\n$8\r\nsmessage\r\n$2\r\nsc\r\n$1\r\nv\r\n');
    assert.equal(await c.callRaw('PSUBSCRIBE', 'c?'), '>3\r\n$10\r\npsubscribe\r\n$2\r\nc?\r\n:2\r\n');
    assert.equal(await p.call('PUBLISH', 'ch', 'x'), 2);
    assert.equal(await c.readRaw(), '>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nx\r\n');
    assert.equal(await c.readRaw(), '>4\r\n$8\r\npmessage\r\n$2\r\nc?\r\n$2\r\nch\r\n$1\r\nx\r\n');
    assert.equal(await c.callRaw('PUNSUBSCRIBE', 'c?'), '>3\r\n$12\r\npunsubscribe\r\n$2\r\nc?\r\n:1\r\n');
    assert.equal(await c.callRaw('UNSUBSCRIBE'), '>3\r\n$11\r\nunsubscribe\r\n$2\r\nch\r\n:0\r\n');
    assert.equal(await c.callRaw('UNSUBSCRIBE'), '>3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n');
    assert.equal(await c.callRaw('SUNSUBSCRIBE'), '>3\r\n$12\r\nsunsubscribe\r\n$2\r\nsc\r\n:0\r\n');
  });

  test('CLIENT REPLY OFF and SKIP drop replies but not pushes', async () => {
    const c = await fx().client();
    const p = await fx().client();
    await c.call('HELLO', '3');
    c.send('CLIENT', 'REPLY', 'OFF');
    assert.deepEqual(await c.call('SUBSCRIBE', 'ch'), { push: ['subscribe', 'ch', 1] });
    assert.equal(await p.call('PUBLISH', 'ch', 'a'), 1);
    assert.deepEqual(await c.read(), { push: ['message', 'ch', 'a'] });
    // its own PUBLISH: the message arrives, the integer reply does not
    c.send('PUBLISH', 'ch', 'self');
    c.send('GET', 'x');
    assert.deepEqual(await c.read(), { push: ['message', 'ch', 'self'] });
    assert.deepEqual(await c.call('UNSUBSCRIBE'), { push: ['unsubscribe', 'ch', 0] });
    await sleep(30);
    assert.equal(c.pending(), '');
    assert.equal(await c.call('CLIENT', 'REPLY', 'ON'), 'OK');
    c.send('CLIENT', 'REPLY', 'SKIP');
    assert.deepEqual(await c.call('PSUBSCRIBE', 'p*'), { push: ['psubscribe', 'p*', 1] });
    // SKIP was consumed by PSUBSCRIBE: PING answers
    assert.equal(await c.call('PING'), 'PONG');
    c.close();
  });

  test('MULTI: SUBSCRIBE inside EXEC enters the context, SSUBSCRIBE is refused', async () => {
    const c = await fx().client();
    assert.equal(await c.call('MULTI'), 'OK');
    assert.equal(await c.call('SUBSCRIBE', 'a'), 'QUEUED');
    assert.equal(await c.call('SSUBSCRIBE', 'b'), 'QUEUED');
    assert.equal(await c.call('PING'), 'QUEUED');
    const r = (await c.call('EXEC')) as Reply[];
    assert.deepEqual(r[0], ['subscribe', 'a', 1]);
    assert.equal((r[1] as ReplyError).message, "ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    assert.deepEqual(r[2], ['pong', '']);
    assert.equal((await c.call('MULTI') as ReplyError).message, CONTEXT_ERR('multi'));
    c.close();
  });

  test('RESET and closing the connection drop every subscription', async () => {
    const c = await fx().client();
    const p = await fx().client();
    c.send('SUBSCRIBE', 'r1', 'r2');
    await c.read();
    await c.read();
    await c.call('PSUBSCRIBE', 'r*');
    await c.call('SSUBSCRIBE', 'rs');
    assert.deepEqual(await p.call('PUBSUB', 'NUMSUB', 'r1', 'r2'), ['r1', 1, 'r2', 1]);
    assert.equal(await c.call('RESET'), 'RESET');
    assert.equal(await c.call('PING'), 'PONG');
    assert.deepEqual(await p.call('PUBSUB', 'NUMSUB', 'r1', 'r2'), ['r1', 0, 'r2', 0]);
    assert.equal(await p.call('PUBSUB', 'NUMPAT'), 0);
    assert.deepEqual(await p.call('PUBSUB', 'SHARDNUMSUB', 'rs'), ['rs', 0]);
    assert.equal(await p.call('PUBLISH', 'r1', 'x'), 0);
    // a closed subscriber leaves nothing behind
    const d = await fx().client();
    await d.call('SUBSCRIBE', 'gone');
    await d.call('PSUBSCRIBE', 'g*');
    assert.equal(await p.call('PUBLISH', 'gone', 'x'), 2);
    d.close();
    for (let i = 0; i < 50 && (await p.call('PUBLISH', 'gone', 'x')) !== 0; i++) await sleep(20);
    assert.equal(await p.call('PUBLISH', 'gone', 'x'), 0);
    assert.deepEqual(await p.call('PUBSUB', 'CHANNELS', 'gone'), []);
    assert.deepEqual(await p.call('PUBSUB', 'NUMPAT'), 0);
  });

  test('CLIENT LIST / INFO fields and INFO stats counts', async () => {
    const c = await fx().client();
    const p = await fx().client();
    const base = (await p.call('INFO', 'stats')) as string;
    const before = (name: string): number => Number(infoField(base, name));
    await p.call('CLIENT', 'SETNAME', 'observer');
    await c.call('CLIENT', 'SETNAME', 'subscriber');
    c.send('SUBSCRIBE', 'i1', 'i2');
    await c.read();
    await c.read();
    c.send('PSUBSCRIBE', 'i*', 'j*', 'k*');
    for (let i = 0; i < 3; i++) await c.read();
    await c.call('SSUBSCRIBE', 'is');
    const list = (await p.call('CLIENT', 'LIST')) as string;
    const line = list.split('\n').find((l) => l.includes('name=subscriber'))!;
    assert.match(line, / flags=P /);
    assert.match(line, / sub=2 psub=3 ssub=1 /);
    assert.match((await p.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string, /name=subscriber/);
    assert.doesNotMatch((await p.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string, /name=observer/);
    const stats = (await p.call('INFO', 'stats')) as string;
    assert.equal(Number(infoField(stats, 'pubsub_channels')), before('pubsub_channels') + 2);
    assert.equal(Number(infoField(stats, 'pubsub_patterns')), before('pubsub_patterns') + 3);
    assert.equal(Number(infoField(stats, 'pubsubshard_channels')), before('pubsubshard_channels') + 1);
    // CLIENT KILL TYPE pubsub closes subscribers only
    assert.ok(((await p.call('CLIENT', 'KILL', 'TYPE', 'pubsub')) as number) >= 1);
    await c.waitClosed();
    assert.equal(await p.call('PING'), 'PONG');
    for (let i = 0; i < 50 && (await p.call('PUBSUB', 'NUMPAT')) !== 0; i++) await sleep(20);
    const after = (await p.call('INFO', 'stats')) as string;
    assert.equal(infoField(after, 'pubsub_channels'), '0');
    assert.equal(infoField(after, 'pubsub_patterns'), '0');
    assert.equal(infoField(after, 'pubsubshard_channels'), '0');
  });

  test('patterns follow Redis glob rules', async () => {
    const c = await fx().client();
    const p = await fx().client();
    const pats = ['h?llo', 'h*llo', 'h[ae]llo', 'h[^e]llo', 'h[a-b]llo', 'h\\*llo', 'x[\\]]y', '[z-a]', 'un[closed'];
    c.send('PSUBSCRIBE', ...pats);
    for (let i = 0; i < pats.length; i++) await c.read();
    const matches = async (ch: string): Promise<string[]> => {
      const n = (await p.call('PUBLISH', ch, 'm')) as number;
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push(((await c.read()) as string[])[1]!);
      return out.sort();
    };
    assert.deepEqual(await matches('hello'), ['h*llo', 'h?llo', 'h[ae]llo']);
    assert.deepEqual(await matches('hallo'), ['h*llo', 'h?llo', 'h[^e]llo', 'h[a-b]llo', 'h[ae]llo']);
    assert.deepEqual(await matches('hxllo'), ['h*llo', 'h?llo', 'h[^e]llo']);
    assert.deepEqual(await matches('h*llo'), ['h*llo', 'h?llo', 'h[^e]llo', 'h\\*llo']);
    assert.deepEqual(await matches('heello'), ['h*llo']);
    assert.deepEqual(await matches('x]y'), ['x[\\]]y']);
    assert.deepEqual(await matches('m'), ['[z-a]']);
    // an unterminated class ends at the end of the pattern
    assert.deepEqual(await matches('unc'), ['un[closed']);
    assert.deepEqual(await matches('hllo'), ['h*llo']);
  });

  test('a subscriber that stops reading is disconnected at the pubsub output limit', async () => {
    const admin = await fx().client();
    assert.equal(await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 0 0'), 'OK');
    try {
      const big = 'x'.repeat(64 * 1024);
      // the publisher's pace with nobody subscribed
      let t0 = performance.now();
      for (let i = 0; i < 200; i++) await admin.call('PUBLISH', 'flood', big);
      const baseline = (performance.now() - t0) / 200;
      const c = await fx().client();
      assert.deepEqual(await c.call('SUBSCRIBE', 'flood'), ['subscribe', 'flood', 1]);
      c.socket.pause();
      const heap0 = process.memoryUsage().heapUsed + process.memoryUsage().external;
      let gone = false;
      let sent = 0;
      t0 = performance.now();
      for (let i = 0; i < 2000 && !gone; i++) {
        await admin.call('PUBLISH', 'flood', big);
        sent++;
        if (i % 20 === 19) gone = (await admin.call('PUBLISH', 'flood', 'probe')) === 0;
      }
      const during = (performance.now() - t0) / sent;
      const grown = process.memoryUsage().heapUsed + process.memoryUsage().external - heap0;
      assert.ok(gone, 'the slow subscriber was not disconnected');
      // memory stays near the 1 MB limit (plus socket buffers), far from the published volume
      assert.ok(grown < 48 * 1024 * 1024, `memory grew by ${grown} bytes for ${sent} messages of 64 KB`);
      // the publisher is never blocked by the slow subscriber
      assert.ok(during < baseline * 10 + 2, `publishing took ${during.toFixed(3)} ms per message, ${baseline.toFixed(3)} ms without subscribers`);
      c.close();
    } finally {
      await admin.call('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 32mb 8mb 60');
    }
  });
});
