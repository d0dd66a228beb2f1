/**
 * Blocking list commands and the generic blocking machinery
 * (engine/blocking.ts): wake-up order, timeouts, disconnects, CLIENT
 * UNBLOCK, databases, keys on different shards, transactions, pipelining
 * and replication of what the woken clients did — with ioredis, node-redis
 * (RESP3) and raw clients, with 1 and 4 shards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { waitBlocked } from '../helpers/blocked.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { connect } from 'node:net';
import { keySlot } from '../../src/engine/slots.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Two keys whose slots fall in different quarters of the slot space (so different shards with 4). */
function keysOnTwoShards(): [string, string] {
  const quarter = (k: string): number => Math.floor((keySlot(k) * 4) / 16384);
  const a = 'alpha';
  for (let i = 0; ; i++) if (quarter(`beta${i}`) !== quarter(a)) return [a, `beta${i}`];
}

describeServer('blocking commands', (fx) => {
  test('clients are served in the order they blocked, one element each', async () => {
    const port = fx().port;
    const p = await fx().client();
    await p.call('FLUSHALL');
    const waiters = await Promise.all(Array.from({ length: 5 }, () => ioredis(port)));
    try {
      const replies: Array<Promise<[string, string] | null>> = [];
      for (let i = 0; i < waiters.length; i++) {
        replies.push(i % 2 ? waiters[i]!.brpop('q', 0) : waiters[i]!.blpop('q', 0));
        await waitBlocked(p, i + 1);
      }
      // three elements: the three oldest waiters get them (L, R, L), two keep waiting
      assert.equal(await p.call('RPUSH', 'q', 'a', 'b', 'c'), 3);
      assert.deepEqual(await replies[0], ['q', 'a']);
      assert.deepEqual(await replies[1], ['q', 'c']);
      assert.deepEqual(await replies[2], ['q', 'b']);
      await waitBlocked(p, 2);
      assert.equal(await p.call('EXISTS', 'q'), 0);
      await p.call('LPUSH', 'q', 'd', 'e');
      assert.deepEqual(await replies[3], ['q', 'd']);
      assert.deepEqual(await replies[4], ['q', 'e']);
      await waitBlocked(p, 0);
    } finally {
      for (const w of waiters) w.disconnect();
    }
  });

  test('timeouts: fractional seconds, 0 waits forever, errors', async () => {
    const r = await ioredis(fx().port);
    const p = await fx().client();
    try {
      await r.flushall();
      let t0 = Date.now();
      assert.equal(await r.blpop('empty', 0.15), null);
      const waited = Date.now() - t0;
      assert.ok(waited >= 140 && waited < 2000, `waited ${waited} ms`);
      t0 = Date.now();
      assert.equal(await r.blmove('empty', 'dst', 'LEFT', 'LEFT', 0.05), null);
      assert.equal(await r.brpoplpush('empty', 'dst', 0.05), null);
      assert.equal(await r.call('BLMPOP', '0.05', '1', 'empty', 'LEFT'), null);
      assert.ok(Date.now() - t0 >= 140);
      await assert.rejects(r.blpop('k', -1), /^ReplyError: ERR timeout is negative/);
      await assert.rejects(r.call('BLPOP', 'k', 'abc'), /^ReplyError: ERR timeout is not a float or out of range/);
      await assert.rejects(r.call('BLPOP', 'k', 'inf'), /ERR timeout is out of range/);
      await assert.rejects(r.call('BLPOP', 'k', '0x7FFFFFFFFFFFFF'), /ERR timeout is out of range/);
      await assert.rejects(r.call('BLPOP', 'k', '-inf'), /ERR timeout is negative/);
      await assert.rejects(r.call('BLMPOP', 'abc', '0', 'k', 'LEFT'), /ERR numkeys should be greater than 0/);
      // a zero timeout outlives any short wait
      const forever = r.blpop('later', 0);
      await waitBlocked(p, 1);
      await sleep(300);
      await p.call('RPUSH', 'later', 'now');
      assert.deepEqual(await forever, ['later', 'now']);
    } finally {
      r.disconnect();
    }
  });

  test('a disconnected waiter takes nothing; INFO and CLIENT LIST show blocked clients', async () => {
    const port = fx().port;
    const p = await fx().client();
    await p.call('FLUSHALL');
    const gone = await RespClient.connect(port);
    gone.send('CLIENT', 'SETNAME', 'waiter');
    await gone.read();
    gone.send('BLPOP', 'k', '0');
    await waitBlocked(p, 1);
    const list = (await p.call('CLIENT', 'LIST')) as string;
    assert.match(list, /name=waiter .*flags=b /);
    gone.close();
    await waitBlocked(p, 0);
    assert.equal(await p.call('RPUSH', 'k', 'kept'), 1);
    assert.deepEqual(await p.call('LRANGE', 'k', '0', '-1'), ['kept']);
  });

  test('CLIENT UNBLOCK answers as a timeout or with an error', async () => {
    const port = fx().port;
    const p = await fx().client();
    await p.call('FLUSHALL');
    const w = await RespClient.connect(port);
    try {
      const id = (await w.call('CLIENT', 'ID')) as number;
      w.send('BRPOP', 'k', '0');
      await waitBlocked(p, 1);
      assert.equal(await p.call('CLIENT', 'UNBLOCK', String(id)), 1);
      assert.equal(await w.readRaw(), '*-1\r\n');
      w.send('BLMOVE', 'k', 'd', 'LEFT', 'RIGHT', '0');
      await waitBlocked(p, 1);
      assert.equal(await p.call('CLIENT', 'UNBLOCK', String(id), 'ERROR'), 1);
      assert.equal(await w.readRaw(), '-UNBLOCKED client unblocked via CLIENT UNBLOCK\r\n');
      assert.equal(await p.call('CLIENT', 'UNBLOCK', String(id)), 0);
      // the unblocked client works normally afterwards
      assert.equal(await w.call('PING'), 'PONG');
    } finally {
      w.close();
    }
  });

  test('databases are separate; SELECT before blocking decides the db', async () => {
    const port = fx().port;
    const p = await fx().client();
    await p.call('FLUSHALL');
    const c = await nodeRedis(port, 3);
    try {
      await c.select(3);
      const served = c.blPop('k', 0);
      await waitBlocked(p, 1);
      await p.call('RPUSH', 'k', 'db0');
      await sleep(50);
      await waitBlocked(p, 1);
      await p.call('SELECT', '3');
      await p.call('RPUSH', 'k', 'db3');
      assert.deepEqual(await served, { key: 'k', element: 'db3' });
      await p.call('SELECT', '0');
      assert.deepEqual(await p.call('LRANGE', 'k', '0', '-1'), ['db0']);
    } finally {
      c.destroy();
    }
  });

  test('keys on different shards: BLPOP on several keys, BLMOVE between them', async () => {
    const port = fx().port;
    const [a, b] = keysOnTwoShards();
    const p = await fx().client();
    await p.call('FLUSHALL');
    const r = await ioredis(port);
    try {
      const popped = r.blpop(a, b, 0);
      await waitBlocked(p, 1);
      await p.call('RPUSH', b, 'from-b');
      assert.deepEqual(await popped, [b, 'from-b']);
      const moved = r.blmove(a, b, 'LEFT', 'RIGHT', 0);
      await waitBlocked(p, 1);
      await p.call('RPUSH', a, 'x', 'y');
      assert.equal(await moved, 'x');
      assert.deepEqual(await p.call('LRANGE', a, '0', '-1'), ['y']);
      assert.deepEqual(await p.call('LRANGE', b, '0', '-1'), ['x']);
      const mp = r.call('BLMPOP', '0', '2', 'none', b, 'RIGHT', 'COUNT', '3');
      assert.deepEqual(await mp, [b, ['x']]);
    } finally {
      r.disconnect();
    }
  });

  test('a chain of BLMOVE clients is served in one pass; a wrong-type destination fails the waiter', async () => {
    const port = fx().port;
    const p = await fx().client();
    await p.call('FLUSHALL');
    const [x, y, z] = await Promise.all([ioredis(port), ioredis(port), ioredis(port)]);
    try {
      const first = x.blmove('l1', 'l2', 'LEFT', 'RIGHT', 0);
      await waitBlocked(p, 1);
      const second = y.brpoplpush('l2', 'l3', 0);
      await waitBlocked(p, 2);
      const third = z.brpop('l3', 0);
      await waitBlocked(p, 3);
      await p.call('LPUSH', 'l1', 'v');
      assert.equal(await first, 'v');
      assert.equal(await second, 'v');
      assert.deepEqual(await third, ['l3', 'v']);
      assert.equal(await p.call('EXISTS', 'l1', 'l2', 'l3'), 0);
      // its error may arrive before RPUSH's reply (with threads, from another thread): caught at once
      const failing = x.blmove('src', 'dst', 'LEFT', 'LEFT', 0).then(
        () => null,
        (e: unknown) => e,
      );
      await waitBlocked(p, 1);
      await p.call('SET', 'dst', 'string');
      await p.call('RPUSH', 'src', 'stays');
      assert.match(String(await failing), /^ReplyError: WRONGTYPE/);
      assert.deepEqual(await p.call('LRANGE', 'src', '0', '-1'), ['stays']);
    } finally {
      x.disconnect();
      y.disconnect();
      z.disconnect();
    }
  });

  test('a waiter on a key of another type keeps waiting; others on that key are still served', async () => {
    const port = fx().port;
    const p = await fx().client();
    await p.call('FLUSHALL');
    const w1 = await RespClient.connect(port);
    const w2 = await RespClient.connect(port);
    try {
      w1.send('BLPOP', 'k', '0');
      await waitBlocked(p, 1);
      w2.send('BZPOPMIN', 'k', '0');
      await waitBlocked(p, 2);
      await p.call('ZADD', 'k', '1', 'm');
      assert.deepEqual(await w2.read(), ['k', 'm', '1']);
      await p.call('SET', 'k', 'str');
      await p.call('DEL', 'k');
      await waitBlocked(p, 1);
      await p.call('RPUSH', 'k', 'e');
      assert.deepEqual(await w1.read(), ['k', 'e']);
    } finally {
      w1.close();
      w2.close();
    }
  });

  test('transactions: pushes wake waiters after EXEC; blocking commands inside do not block', async () => {
    const port = fx().port;
    const p = await fx().client();
    await p.call('FLUSHALL');
    const r = await ioredis(port);
    const m = await ioredis(port);
    try {
      const served = r.blpop('k', 0);
      await waitBlocked(p, 1);
      const res = await m.multi().rpush('k', 'a').rpush('k', 'b').lpop('k').exec();
      assert.deepEqual(res, [[null, 1], [null, 2], [null, 'a']]);
      assert.deepEqual(await served, ['k', 'b']);
      const inside = await m.multi().blpop('none', 0).blmove('none', 'x', 'LEFT', 'LEFT', 0).brpoplpush('none', 'x', 0)
        .call('BLMPOP', '0', '1', 'none', 'LEFT').rpush('k', 'v').blpop('k', 0).exec();
      assert.deepEqual(inside, [[null, null], [null, null], [null, null], [null, null], [null, 1], [null, ['k', 'v']]]);
      const raw = await fx().client();
      for (const cmd of [['MULTI'], ['BLPOP', 'none', '0'], ['BLMOVE', 'none', 'x', 'LEFT', 'LEFT', '0']]) await raw.call(...cmd);
      assert.equal(await raw.callRaw('EXEC'), '*2\r\n*-1\r\n$-1\r\n');
    } finally {
      r.disconnect();
      m.disconnect();
    }
  });

  test('commands pipelined behind a blocking one wait for it', async () => {
    const port = fx().port;
    const p = await fx().client();
    await p.call('FLUSHALL');
    const w = await RespClient.connect(port);
    try {
      w.writeRaw('*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nk\r\n');
      await waitBlocked(p, 1);
      await sleep(30);
      assert.equal(w.pending(), '');
      await p.call('RPUSH', 'k', 'x', 'y');
      assert.equal(await w.readRaw(), '*2\r\n$1\r\nk\r\n$1\r\nx\r\n');
      assert.equal(await w.readRaw(), '+PONG\r\n');
      assert.equal(await w.readRaw(), ':1\r\n');
      // a waiter that times out runs its queued commands as well
      w.writeRaw('*3\r\n$5\r\nBRPOP\r\n$4\r\nnone\r\n$4\r\n0.05\r\n*2\r\n$4\r\nLPOP\r\n$1\r\nk\r\n');
      assert.equal(await w.readRaw(), '*-1\r\n');
      assert.equal(await w.readRaw(), '$1\r\ny\r\n');
    } finally {
      w.close();
    }
  });

  test('many waiters on many keys: each key serves its own waiters in order', async () => {
    const port = fx().port;
    const p = await fx().client();
    await p.call('FLUSHALL');
    const n = 60;
    const clients = await Promise.all(Array.from({ length: n }, () => RespClient.connect(port)));
    try {
      for (let i = 0; i < n; i++) {
        clients[i]!.send('BLMPOP', '0', '2', 'zz', `k${i % 3}`, 'LEFT', 'COUNT', '2');
        await waitBlocked(p, i + 1);
      }
      for (let k = 0; k < 3; k++) {
        const els = Array.from({ length: (2 * n) / 3 }, (_, j) => `${k}:${j}`);
        await p.call('RPUSH', `k${k}`, ...els);
      }
      await waitBlocked(p, 0);
      for (let i = 0; i < n; i++) {
        const k = i % 3;
        const j = Math.floor(i / 3);
        assert.deepEqual(await clients[i]!.read(), [`k${k}`, [`${k}:${2 * j}`, `${k}:${2 * j + 1}`]]);
      }
      assert.equal(await p.call('EXISTS', 'k0', 'k1', 'k2'), 0);
    } finally {
      for (const c of clients) c.close();
    }
  });

  test('the replication stream carries what woken clients did (LPOP, LMOVE, RPOPLPUSH, LPOP count)', async () => {
    const port = fx().port;
    const p = await fx().client();
    await p.call('FLUSHALL');
    // a raw replica: SYNC, then everything streamed is collected as text
    const repl = connect({ port, host: '127.0.0.1' });
    let received = '';
    repl.on('data', (d: Buffer) => (received += d.latin1Slice(0, d.length)));
    await new Promise<void>((res) => repl.once('connect', () => res()));
    repl.write('SYNC\r\n');
    const w = await RespClient.connect(port);
    try {
      const stream = async (): Promise<string> => {
        await sleep(50);
        const s = received;
        received = '';
        return s;
      };
      await sleep(100);
      await stream();
      w.send('BLPOP', 'k', '0');
      await waitBlocked(p, 1);
      await p.call('RPUSH', 'k', 'a');
      await w.read();
      assert.match(await stream(), /RPUSH\r\n\$1\r\nk\r\n\$1\r\na\r\n\*2\r\n\$4\r\nLPOP\r\n\$1\r\nk\r\n$/);
      w.send('BLMOVE', 'k', 'd', 'RIGHT', 'left', '0');
      await waitBlocked(p, 1);
      await p.call('RPUSH', 'k', 'b');
      await w.read();
      assert.match(await stream(), /\*5\r\n\$5\r\nLMOVE\r\n\$1\r\nk\r\n\$1\r\nd\r\n\$5\r\nRIGHT\r\n\$4\r\nLEFT\r\n$/);
      w.send('BRPOPLPUSH', 'k', 'd', '0');
      await waitBlocked(p, 1);
      await p.call('RPUSH', 'k', 'c');
      await w.read();
      assert.match(await stream(), /\*3\r\n\$9\r\nRPOPLPUSH\r\n\$1\r\nk\r\n\$1\r\nd\r\n$/);
      w.send('BLMPOP', '0', '1', 'k', 'LEFT', 'COUNT', '5');
      await waitBlocked(p, 1);
      await p.call('RPUSH', 'k', 'e', 'f');
      await w.read();
      assert.match(await stream(), /\*3\r\n\$4\r\nLPOP\r\n\$1\r\nk\r\n\$1\r\n2\r\n$/);
      // served at once: rewritten the same way
      await p.call('RPUSH', 'k', 'g');
      await stream();
      await w.call('BRPOP', 'k', '0');
      assert.match(await stream(), /^\*2\r\n\$4\r\nRPOP\r\n\$1\r\nk\r\n$/);
      // nothing is streamed for a timeout
      await w.call('BLPOP', 'k', '0.01');
      assert.equal(await stream(), '');
    } finally {
      w.close();
      repl.destroy();
    }
  });

  test('BLPOP on a key of the wrong type fails at once', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.set('s', 'v');
      await assert.rejects(r.blpop('nokey', 's', 0), /^ReplyError: WRONGTYPE/);
      await assert.rejects(r.blmove('s', 'x', 'LEFT', 'LEFT', 0), /^ReplyError: WRONGTYPE/);
      await r.rpush('l', 'a');
      await assert.rejects(r.blmove('l', 's', 'LEFT', 'LEFT', 0), /^ReplyError: WRONGTYPE/);
      assert.deepEqual(await r.lrange('l', 0, -1), ['a']);
    } finally {
      r.disconnect();
    }
  });
});
