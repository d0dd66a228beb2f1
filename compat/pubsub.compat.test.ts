/**
 * Pub/Sub and keyspace notifications against a real redis-server: several
 * connections per server run the same steps; every reply and every pushed
 * message must be byte-identical.
 */
import assert from 'node:assert/strict';
import { describeCompat, runScript, type Pair } from './harness.ts';
import { RespClient, type Reply } from '../test/helpers/resp-client.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A step: [client, ...command] sends and reads one reply; the object form
 * reads n replies (a SUBSCRIBE of n channels, messages pushed by another
 * client's PUBLISH when cmd is absent) and may skip the comparison (HELLO).
 */
type Step = [number, ...string[]] | { on: number; cmd?: string[]; n?: number; ignore?: boolean; unordered?: boolean };

/** A reply with its arrays sorted, for orders Redis leaves to its hash tables (pattern matches, channel lists). */
function sorted(r: Reply): string {
  return JSON.stringify(Array.isArray(r) ? r.map(sorted).sort() : r);
}

async function open(port: number, n: number): Promise<RespClient[]> {
  const out: RespClient[] = [];
  for (let i = 0; i < n; i++) out.push(await RespClient.connect(port));
  return out;
}

/** Runs the steps on `clients` fresh connections per server; afterwards nothing else may be pending. */
async function session(p: Pair, clients: number, steps: Step[]): Promise<void> {
  const a = await open(p.redis.socket.remotePort!, clients);
  const b = await open(p.shardis.socket.remotePort!, clients);
  try {
    for (const s of steps) {
      const st = Array.isArray(s) ? { on: s[0], cmd: s.slice(1) as string[], n: 1 } : s;
      if (st.cmd) {
        a[st.on]!.send(...st.cmd);
        b[st.on]!.send(...st.cmd);
      }
      const label = `client ${st.on}: ${st.cmd ? st.cmd.join(' ') : `read ${st.n ?? 1}`}`;
      if ('unordered' in st && st.unordered) {
        const ra: string[] = [];
        const rb: string[] = [];
        for (let i = 0; i < (st.n ?? 1); i++) {
          ra.push(sorted(await a[st.on]!.read()));
          rb.push(sorted(await b[st.on]!.read()));
        }
        assert.deepEqual(rb.sort(), ra.sort(), label);
        continue;
      }
      let ra = '';
      let rb = '';
      for (let i = 0; i < (st.n ?? 1); i++) {
        ra += await a[st.on]!.readRaw();
        rb += await b[st.on]!.readRaw();
      }
      if (!st.ignore) assert.equal(rb, ra, label);
    }
    await sleep(50);
    for (let i = 0; i < clients; i++) assert.equal(b[i]!.pending(), a[i]!.pending(), `client ${i}: unread pushes differ`);
  } finally {
    for (const c of [...a, ...b]) c.close();
  }
}

/** Messages a PSUBSCRIBE * client receives while `cmds` run with the given classes (pmessage lines). */
async function notifications(port: number, classes: string, cmds: string[][], waitMs: number): Promise<string[]> {
  const [c, s] = await open(port, 2);
  try {
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', classes);
    await s.call('PSUBSCRIBE', '*');
    for (const cmd of cmds) await c.call(...cmd);
    await sleep(waitMs);
    const out: string[] = [];
    while (s.pending() !== '') out.push(await s.readRaw());
    await c.call('CONFIG', 'SET', 'notify-keyspace-events', '');
    return out;
  } finally {
    c.close();
    s.close();
  }
}

async function sameNotifications(p: Pair, classes: string, cmds: string[][], waitMs = 100): Promise<void> {
  const [a, b] = await Promise.all([
    notifications(p.redis.socket.remotePort!, classes, cmds, waitMs),
    notifications(p.shardis.socket.remotePort!, classes, cmds, waitMs),
  ]);
  assert.deepEqual(b, a);
  assert.ok(a.length > 0 || cmds.length === 0);
}

const EVERY = 'KEg$lshzxetmn';

describeCompat('pubsub', (t) => {
  t('SUBSCRIBE / PUBLISH / UNSUBSCRIBE in RESP2', (p) => session(p, 2, [
    { on: 0, cmd: ['SUBSCRIBE', 'a', 'b', 'a'], n: 3 },
    [1, 'PUBLISH', 'a', 'hello'], { on: 0 }, [1, 'PUBLISH', 'b', '\x00\xff\r\n'], { on: 0 }, [1, 'PUBLISH', 'c', 'x'],
    [0, 'PING'], [0, 'PING', 'msg'], [0, 'GET', 'x'], [0, 'CLIENT', 'INFO'], [0, 'PUBSUB', 'NUMSUB', 'a'], [0, 'NOSUCH'],
    [1, 'PUBSUB', 'NUMSUB', 'a', 'b', 'c'], [1, 'PUBSUB', 'NUMSUB'], [1, 'PUBSUB', 'CHANNELS', 'a*'], [1, 'PUBSUB', 'CHANNELS', 'x'],
    { on: 0, cmd: ['UNSUBSCRIBE', 'a', 'zz'], n: 2 }, [1, 'PUBLISH', 'a', 'gone'], { on: 0, cmd: ['UNSUBSCRIBE'] },
    [0, 'UNSUBSCRIBE'], [0, 'PUNSUBSCRIBE'], [0, 'SUNSUBSCRIBE'], [0, 'PING'], [0, 'GET', 'x'],
  ]));

  t('PSUBSCRIBE patterns: escapes, classes, ranges', (p) => session(p, 2, [
    { on: 0, cmd: ['PSUBSCRIBE', 'news.*', 'h?llo', 'h[ae]llo', 'h[^e]llo', 'x[a-c]y', 'lit\\*', 'q[\\]]'], n: 7 },
    [1, 'PUBLISH', 'news.sport', '1'], { on: 0 }, [1, 'PUBLISH', 'hello', '2'], { on: 0, n: 2, unordered: true },
    [1, 'PUBLISH', 'hallo', '3'], { on: 0, n: 3, unordered: true }, [1, 'PUBLISH', 'xby', '4'], { on: 0 }, [1, 'PUBLISH', 'xdy', '5'],
    [1, 'PUBLISH', 'lit*', '6'], { on: 0 }, [1, 'PUBLISH', 'litx', '7'], [1, 'PUBLISH', 'q]', '8'], { on: 0 },
    [1, 'PUBSUB', 'NUMPAT'], { on: 0, cmd: ['SUBSCRIBE', 'hello'] }, [1, 'PUBLISH', 'hello', '9'], { on: 0, n: 3, unordered: true },
    { on: 0, cmd: ['PUNSUBSCRIBE', 'h?llo', 'nope'], n: 2 }, [1, 'PUBLISH', 'hello', '10'], { on: 0, n: 2, unordered: true },
    { on: 0, cmd: ['PUNSUBSCRIBE'], n: 6, ignore: true }, [1, 'PUBSUB', 'NUMPAT'], { on: 0, cmd: ['UNSUBSCRIBE'] }, [0, 'PING'],
  ]));

  t('SSUBSCRIBE / SPUBLISH / SUNSUBSCRIBE and PUBSUB SHARD*', (p) => session(p, 2, [
    { on: 0, cmd: ['SSUBSCRIBE', 's1', 's2'], n: 2 }, { on: 0, cmd: ['SUBSCRIBE', 's1'] }, { on: 0, cmd: ['PSUBSCRIBE', 's*'] },
    [1, 'SPUBLISH', 's1', 'm'], { on: 0 }, [1, 'PUBLISH', 's1', 'n'], { on: 0, n: 2 }, [1, 'SPUBLISH', 'nobody', 'm'],
    { on: 1, cmd: ['PUBSUB', 'SHARDCHANNELS'], unordered: true }, [1, 'PUBSUB', 'SHARDCHANNELS', 's1'], [1, 'PUBSUB', 'SHARDNUMSUB', 's1', 'x'], [1, 'PUBSUB', 'SHARDNUMSUB'],
    { on: 0, cmd: ['SUNSUBSCRIBE', 's1'] }, [1, 'SPUBLISH', 's1', 'm'], { on: 0, cmd: ['SUNSUBSCRIBE'] }, [0, 'SUNSUBSCRIBE'],
    [0, 'PING'], [1, 'PUBSUB', 'SHARDCHANNELS'],
  ]));

  // PUBLISH to itself: Redis 7.2 replies before the messages (#12326), v74-behaviour compares that with 7.4.1
  t('RESP3: pushes between replies, no subscribed context', (p) => session(p, 2, [
    { on: 0, cmd: ['HELLO', '3'], ignore: true }, { on: 0, cmd: ['SUBSCRIBE', 'a'] }, { on: 0, cmd: ['PSUBSCRIBE', 'a*'] },
    { on: 0, cmd: ['SSUBSCRIBE', 's'] }, [0, 'SET', 'k', 'v'], [0, 'GET', 'k'], [0, 'PING'], [1, 'PUBLISH', 'a', 'x'],
    { on: 0, n: 2 }, [1, 'SPUBLISH', 's', 'y'], { on: 0 }, { on: 0, cmd: ['PUBLISH', 'a', 'self'], n: 3, ignore: true },
    { on: 0, cmd: ['UNSUBSCRIBE'] }, [0, 'UNSUBSCRIBE'], { on: 0, cmd: ['PUNSUBSCRIBE', 'a*'] }, [0, 'SUNSUBSCRIBE', 'x'],
  ]));

  t('CLIENT REPLY OFF / SKIP keep pushes', (p) => session(p, 2, [
    { on: 0, cmd: ['HELLO', '3'], ignore: true }, { on: 0, cmd: ['CLIENT', 'REPLY', 'OFF'], n: 0 },
    { on: 0, cmd: ['SUBSCRIBE', 'ch'] }, { on: 0, cmd: ['PSUBSCRIBE', 'c*'] }, [1, 'PUBLISH', 'ch', 'hi'], { on: 0, n: 2 },
    { on: 0, cmd: ['PUBLISH', 'ch', 'me'], n: 2 }, { on: 0, cmd: ['UNSUBSCRIBE', 'ch'] }, { on: 0, cmd: ['CLIENT', 'REPLY', 'ON'] },
    { on: 0, cmd: ['CLIENT', 'REPLY', 'SKIP'], n: 0 }, { on: 0, cmd: ['PUNSUBSCRIBE'] }, [0, 'PING'],
  ]));

  t('MULTI: SUBSCRIBE runs, SSUBSCRIBE is refused', (p) => session(p, 1, [
    [0, 'MULTI'], [0, 'SUBSCRIBE', 'a'], [0, 'SSUBSCRIBE', 'b'], [0, 'PSUBSCRIBE', 'c'], [0, 'PING'], [0, 'EXEC'], [0, 'PING'], [0, 'MULTI'],
  ]));

  t('RESET drops every subscription', (p) => session(p, 2, [
    { on: 0, cmd: ['SUBSCRIBE', 'a', 'b'], n: 2 }, { on: 0, cmd: ['PSUBSCRIBE', 'p*'] }, { on: 0, cmd: ['SSUBSCRIBE', 's'] },
    [0, 'RESET'], [0, 'PING'], [1, 'PUBSUB', 'NUMSUB', 'a'], [1, 'PUBSUB', 'NUMPAT'], [1, 'PUBSUB', 'SHARDNUMSUB', 's'],
  ]));

  t('PUBSUB errors and HELP', [
    ['PUBSUB'], ['PUBSUB', 'FOO'], ['PUBSUB', 'CHANNELS', 'a', 'b'], ['PUBSUB', 'SHARDCHANNELS', 'a', 'b'],
    ['PUBSUB', 'NUMPAT', 'x'], ['PUBSUB', 'HELP', 'x'], ['PUBLISH', 'a'], ['SPUBLISH', 'a', 'b', 'c'], ['SUBSCRIBE'], ['PSUBSCRIBE'], ['SSUBSCRIBE'],
  ]);

  t('notify-keyspace-events: CONFIG SET / GET normalization', [
    ['CONFIG', 'SET', 'notify-keyspace-events', 'gKE'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', '$lshzxeKE'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'KA'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'EAm'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'nt$dEgK'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'KEQ'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', ''], ['CONFIG', 'GET', 'notify-keyspace-events'],
  ]);

  t('notifications: strings, bitmaps and generic commands', (p) => sameNotifications(p, EVERY, [
    ['SET', 'foo', 'bar'], ['SET', 'foo', 'baz'], ['GET', 'nokey'], ['SETRANGE', 'foo', '1', 'x'], ['INCR', 'n'], ['DECRBY', 'n', '3'],
    ['INCRBYFLOAT', 'n', '1.5'], ['APPEND', 'foo', 'z'], ['GETDEL', 'foo'], ['SET', 'a', '1', 'EX', '100'], ['GETEX', 'a', 'PERSIST'],
    ['GETEX', 'a', 'EX', '5'], ['SETEX', 'b', '10', 'v'], ['MSET', 'd', '1', 'e', '2'], ['MSETNX', 'f', '1', 'g', '2'], ['SETNX', 'h', '1'],
    ['SET', 'i', '1', 'KEEPTTL'], ['SET', 'i', '2', 'GET'], ['SETBIT', 'bits', '3', '1'], ['BITOP', 'OR', 'dest', 'bits', 'bits'],
    ['BITFIELD', 'bf', 'SET', 'u8', '0', '5'], ['DEL', 'a', 'b', 'zz'], ['EXPIRE', 'd', '100'], ['PERSIST', 'd'], ['EXPIRE', 'd', '0'],
    ['RENAME', 'e', 'e2'], ['COPY', 'e2', 'e3'], ['MOVE', 'e3', '1'], ['UNLINK', 'e2'], ['EXISTS', 'nokey'], ['MGET', 'nokey', 'h'],
    ['SELECT', '3'], ['SET', 'in3', 'v'], ['DEL', 'in3'],
  ]));

  t('notifications: lists, sets, SORT STORE', (p) => sameNotifications(p, EVERY, [
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'], ['LPUSHX', 'l', 'z'], ['RPUSHX', 'nol', 'z'], ['LINSERT', 'l', 'BEFORE', 'a', 'q'],
    ['LSET', 'l', '0', 'w'], ['LREM', 'l', '1', 'q'], ['LTRIM', 'l', '0', '100'], ['LTRIM', 'l', '1', '-2'], ['LMOVE', 'l', 'l2', 'LEFT', 'RIGHT'],
    ['RPOPLPUSH', 'l', 'l2'], ['BLPOP', 'l', '0'], ['LMPOP', '2', 'l', 'l2', 'LEFT', 'COUNT', '10'], ['RPOP', 'l'], ['LLEN', 'nol'],
    ['SADD', 's', 'a', 'b', 'c'], ['SADD', 's', 'a'], ['SREM', 's', 'x'], ['SREM', 's', 'a'], ['SMOVE', 's', 's2', 'b'], ['SMOVE', 's', 's2', 'c'],
    ['SADD', 'one', 'x'], ['SPOP', 'one'], ['SADD', 'a', '1', '2'], ['SADD', 'b', '2', '3'], ['SINTERSTORE', 'd', 'a', 'b'],
    ['SUNIONSTORE', 'd', 'a', 'b'], ['SDIFFSTORE', 'd', 'a', 'b'], ['SINTERSTORE', 'd', 'a', 'nokey'], ['SISMEMBER', 'nokey', 'x'],
    ['RPUSH', 'nums', '3', '1', '2'], ['SORT', 'nums', 'STORE', 'sorted'], ['SORT', 'nums', 'LIMIT', '5', '5', 'STORE', 'sorted'],
  ]));

  t('notifications: hashes and sorted sets', (p) => sameNotifications(p, EVERY, [
    ['HSET', 'h', 'a', '1', 'b', '2'], ['HSETNX', 'h', 'a', '1'], ['HSETNX', 'h', 'c', '1'], ['HMSET', 'h', 'd', '1'],
    ['HINCRBY', 'h', 'a', '5'], ['HINCRBYFLOAT', 'h', 'a', '1.5'], ['HDEL', 'h', 'zz'], ['HDEL', 'h', 'a', 'b'], ['HDEL', 'h', 'c', 'd'],
    ['HGET', 'noh', 'x'], ['ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd'], ['ZADD', 'z', 'INCR', '5', 'a'], ['ZINCRBY', 'z', '1', 'b'],
    ['ZREM', 'z', 'a'], ['ZREMRANGEBYRANK', 'z', '0', '0'], ['ZREMRANGEBYSCORE', 'z', '0', '0'], ['ZADD', 'z', '1', 'l1', '1', 'l2'],
    ['ZREMRANGEBYLEX', 'z', '[l1', '[l1'], ['ZPOPMIN', 'z'], ['ZPOPMAX', 'z'], ['ZPOPMIN', 'z', '10'], ['ZADD', 'a', '1', 'x', '2', 'y'],
    ['ZADD', 'b', '1', 'y'], ['ZUNIONSTORE', 'd', '2', 'a', 'b'], ['ZINTERSTORE', 'd', '2', 'a', 'b'], ['ZDIFFSTORE', 'd', '2', 'a', 'b'],
    ['ZINTERSTORE', 'd', '2', 'a', 'nokey'], ['ZRANGESTORE', 'd2', 'a', '0', '-1'], ['BZPOPMIN', 'a', '0'], ['ZMPOP', '1', 'a', 'MAX'],
    ['ZSCORE', 'noz', 'a'],
  ]));

  t('notifications: streams, HyperLogLog, geo', (p) => sameNotifications(p, EVERY, [
    ['XADD', 's', '1-1', 'f', 'v'], ['XADD', 's', 'MAXLEN', '1', '2-1', 'f', 'v'], ['XTRIM', 's', 'MAXLEN', '0'], ['XADD', 's', '3-1', 'f', 'v'],
    ['XDEL', 's', '3-1'], ['XSETID', 's', '5-5'], ['XGROUP', 'CREATE', 's', 'g', '$'], ['XGROUP', 'CREATE', 's2', 'g', '$', 'MKSTREAM'],
    ['XGROUP', 'CREATECONSUMER', 's', 'g', 'bob'], ['XGROUP', 'SETID', 's', 'g', '0'], ['XADD', 's', '6-1', 'f', 'v'],
    ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>'], ['XCLAIM', 's', 'g', 'mike', '0', '6-1', 'FORCE'],
    ['XAUTOCLAIM', 's', 'g', 'bob', '0', '0'], ['XGROUP', 'DELCONSUMER', 's', 'g', 'lee'], ['XGROUP', 'DELCONSUMER', 's', 'g', 'bob'],
    ['XGROUP', 'DESTROY', 's', 'g'], ['XLEN', 'nos'],
    ['PFADD', 'hll', 'a', 'b'], ['PFADD', 'hll', 'a'], ['PFCOUNT', 'hll'], ['PFADD', 'hll2', 'c'], ['PFMERGE', 'hll3', 'hll', 'hll2'],
    ['GEOADD', 'g', '13.36', '38.11', 'p1', '15.08', '37.50', 'p2'], ['GEORADIUS', 'g', '15', '37', '200', 'km', 'STORE', 'gd'],
    ['GEOSEARCHSTORE', 'gd2', 'g', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km'],
  ]));

  t('notifications: class masks and expired keys (lazy and active)', async (p) => {
    await sameNotifications(p, 'Kl', [['SET', 'x', '1'], ['LPUSH', 'l', 'a'], ['DEL', 'l']]);
    await sameNotifications(p, 'Eg', [['SET', 'x', '1'], ['EXPIRE', 'x', '100'], ['DEL', 'x']]);
    await sameNotifications(p, 'Ex', [['SET', 'lazy', '1', 'PX', '1'], ['DEBUG', 'SLEEP', '0.01'], ['GET', 'lazy']]);
    // removed by the active expiry cycle, never touched
    await sameNotifications(p, 'KEx', [['SET', 'active', '1', 'PX', '20']], 400);
    await sameNotifications(p, 'En', [['SET', 'foo', 'bar'], ['SET', 'foo', 'baz'], ['SET', 'bar', 'bar'], ['HSET', 'h', 'f', 'v']]);
    await sameNotifications(p, 'Km', [['GET', 'nokey'], ['SET', 'nokey', 'x'], ['GET', 'nokey'], ['LRANGE', 'nol', '0', '-1']]);
    await runScript(p, [['CONFIG', 'GET', 'notify-keyspace-events']]);
  });
});
