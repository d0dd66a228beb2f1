import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { err, events, fresh } from '../helpers/keyspace.ts';

const HLL_WRONGTYPE = 'WRONGTYPE Key is not a valid HyperLogLog string value.';
const INVALID = 'INVALIDOBJ Corrupted HLL object detected';
/** redis-server 7.0.15's value after PFADD h a b c (stale cache). */
const ABC = Buffer.from('48594c4c010000000000000000000080' + '60f38050b1844bfb80425a', 'hex');

describeServer('hyperloglog', (fx) => {
  test('PFADD / PFCOUNT with ioredis: creation, updates, cached cardinality in the header', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      assert.equal(await r.pfadd('h'), 1, 'creating the key counts as a change');
      assert.equal(await r.exists('h'), 1);
      assert.equal(await r.pfcount('h'), 0);
      await r.del('h');
      assert.equal(await r.pfadd('h', 'a', 'b', 'c'), 1);
      assert.deepEqual(await r.getBuffer('h'), ABC);
      assert.equal(await r.pfadd('h', 'a', 'b', 'c'), 0);
      assert.equal(await r.pfcount('h'), 3);
      const cached = (await r.getBuffer('h'))!;
      assert.equal(cached.subarray(8, 16).toString('hex'), '0300000000000000', 'the count is cached, little endian, valid');
      assert.equal(await r.pfadd('h', 'a'), 0);
      assert.equal((await r.getrangeBuffer('h', 15, 15))[0], 0, 'no change keeps the cache');
      assert.equal(await r.pfadd('h', '1', '2', '3'), 1);
      assert.equal((await r.getrangeBuffer('h', 15, 15))[0], 0x80, 'a change marks it stale');
      assert.equal(await r.pfcount('h'), 6);
      assert.equal(await r.pfadd('h', Buffer.from([0, 255, 13, 10])), 1);
      assert.equal(await r.pfadd('h', ''), 1);
      assert.equal(await r.pfcount('h'), 8);
      assert.equal(await r.pfcount('nope'), 0);
      assert.equal(await r.exists('nope'), 0);
      await r.del('x');
      await r.pfadd('x', '1', '2', '3', '4', '5');
      assert.equal(await r.pfcount('x'), 5);
      await r.pfadd('x', '6', '7', '8', '8', '9', '10');
      assert.equal(await r.pfcount('x'), 10);
    } finally {
      r.disconnect();
    }
  });

  test('a value SET from Redis\'s bytes is a working HLL; GET returns the bytes', async () => {
    const c = await fresh(fx());
    assert.equal(await c.call('SET', 'h', ABC), 'OK');
    assert.equal(await c.call('PFCOUNT', 'h'), 3);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'h'), 'raw', 'PFCOUNT unshares the value, as Redis');
    assert.equal(await c.call('PFADD', 'h', 'c', 'b'), 0);
    assert.equal(await c.call('PFADD', 'h', 'd'), 1);
    assert.equal(await c.call('PFCOUNT', 'h'), 4);
    assert.equal(await c.call('SET', 'h2', ABC), 'OK');
    assert.equal(await c.call('PFCOUNT', 'h2', 'h'), 4);
  });

  test('PFCOUNT of several keys counts the union without touching the keys', async () => {
    const c = await fresh(fx());
    for (let i = 0; i < 300; i++) {
      await c.call('PFADD', 'a{t}', `x${i}`);
      await c.call('PFADD', 'b', `x${i + 150}`);
    }
    await c.call('PFDEBUG', 'TODENSE', 'b');
    const before = [await c.call('GET', 'a{t}'), await c.call('GET', 'b')];
    const n = await c.call('PFCOUNT', 'a{t}', 'b', 'missing') as number;
    assert.ok(Math.abs(n - 450) < 450 * 0.05, `union ${n}`);
    assert.deepEqual([await c.call('GET', 'a{t}'), await c.call('GET', 'b')], before);
    assert.equal(await c.call('OBJECT', 'ENCODING', 'a{t}'), 'raw');
    assert.equal(await c.call('PFCOUNT', 'missing', 'missing2'), 0);
    await c.call('SET', 's', 'plain');
    assert.equal(err(await c.call('PFCOUNT', 'a{t}', 's')), HLL_WRONGTYPE);
    await c.call('LPUSH', 'l', 'x');
    assert.match(err(await c.call('PFCOUNT', 'a{t}', 'l')), /^WRONGTYPE Operation against a key/);
  });

  test('PFMERGE: destination may be missing, takes part in the union, goes dense with a dense input', async () => {
    const c = await fresh(fx());
    await c.call('PFADD', 'h1', 'a', 'b', 'c');
    await c.call('PFADD', 'h2', 'b', 'c', 'd');
    await c.call('PFADD', 'h3', 'c', 'd', 'e');
    assert.equal(await c.call('PFMERGE', 'h', 'h1', 'h2', 'h3'), 'OK');
    assert.equal(await c.call('PFCOUNT', 'h'), 5);
    assert.equal(await c.call('PFDEBUG', 'ENCODING', 'h'), 'sparse');
    assert.equal(await c.call('PFMERGE', 'h1', 'h3'), 'OK');
    assert.equal(await c.call('PFCOUNT', 'h1'), 5, 'the destination\'s own elements stay');
    assert.equal(await c.call('PFMERGE', 'empty'), 'OK');
    assert.equal(await c.call('PFCOUNT', 'empty'), 0);
    assert.equal(await c.call('PFMERGE', 'empty2', 'nope'), 'OK');
    assert.equal(await c.call('EXISTS', 'empty2'), 1);
    assert.equal(await c.call('PFDEBUG', 'TODENSE', 'h3'), 1);
    assert.equal(await c.call('PFMERGE', 'hd', 'h2', 'h3'), 'OK');
    assert.equal(await c.call('PFDEBUG', 'ENCODING', 'hd'), 'dense');
    assert.equal(await c.call('PFCOUNT', 'hd'), 4);
    // byte-identical to the sparse union of the same elements, once dense
    await c.call('PFADD', 'same', 'b', 'c', 'd', 'e');
    await c.call('PFDEBUG', 'TODENSE', 'same');
    await c.call('PFCOUNT', 'same');
    assert.deepEqual(await c.call('GET', 'same'), await c.call('GET', 'hd'));
    await c.call('SET', 's', 'plain');
    assert.equal(err(await c.call('PFMERGE', 's', 'h1')), HLL_WRONGTYPE);
    assert.equal(err(await c.call('PFMERGE', 'h1', 's')), HLL_WRONGTYPE);
    assert.equal(err(await c.call('PFADD', 's', 'x')), HLL_WRONGTYPE);
    assert.equal(await c.call('GET', 's'), 'plain');
  });

  test('PFDEBUG GETREG, DECODE, ENCODING, TODENSE and their errors', async () => {
    const c = await fresh(fx());
    await c.call('PFADD', 'h', 'a', 'b', 'c');
    assert.equal(await c.call('PFDEBUG', 'DECODE', 'h'), 'Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603');
    assert.equal(await c.call('PFDEBUG', 'encoding', 'h'), 'sparse');
    const regs = await c.call('PFDEBUG', 'GETREG', 'h') as number[];
    assert.equal(regs.length, 16384);
    assert.deepEqual([regs[8436], regs[12711], regs[15780]], [1, 2, 1]);
    assert.equal(regs.reduce((a, b) => a + b, 0), 4);
    assert.equal(await c.call('PFDEBUG', 'ENCODING', 'h'), 'dense', 'GETREG converts');
    assert.equal(err(await c.call('PFDEBUG', 'DECODE', 'h')), 'ERR HLL encoding is not sparse');
    assert.equal(await c.call('STRLEN', 'h'), 12304);
    assert.equal(await c.call('PFDEBUG', 'TODENSE', 'h'), 0);
    await c.call('PFADD', 'k', 'x');
    assert.equal(await c.call('PFDEBUG', 'TODENSE', 'k'), 1);
    assert.equal(await c.call('PFCOUNT', 'k'), 1);
    assert.equal(err(await c.call('PFDEBUG', 'GETREG', 'nope')), 'ERR The specified key does not exist');
    assert.equal(err(await c.call('PFDEBUG', 'foo', 'nope')), 'ERR The specified key does not exist');
    assert.equal(err(await c.call('PFDEBUG', 'foo', 'h')), "ERR Unknown PFDEBUG subcommand 'foo'");
    assert.equal(err(await c.call('PFDEBUG', 'GETREG')), "ERR wrong number of arguments for 'pfdebug' command");
    await c.call('SET', 's', 'x');
    assert.equal(err(await c.call('PFDEBUG', 'ENCODING', 's')), HLL_WRONGTYPE);
  });

  test('corrupted values: INVALIDOBJ for bad opcodes, WRONGTYPE for a bad header', async () => {
    const c = await fresh(fx());
    await c.call('PFADD', 'h', 'a', 'b', 'c');
    await c.call('APPEND', 'h', 'hello');
    assert.equal(err(await c.call('PFCOUNT', 'h')), INVALID);
    assert.equal(err(await c.call('PFCOUNT', 'h', 'nope')), INVALID);
    assert.equal(err(await c.call('PFMERGE', 'd', 'h')), INVALID);
    assert.equal(await c.call('EXISTS', 'd'), 0);
    assert.equal(err(await c.call('PFDEBUG', 'TODENSE', 'h')), INVALID);
    const hdr = 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80';
    await c.call('SET', 'short', hdr + '\x40\x63');
    assert.equal(err(await c.call('PFADD', 'short', 'a', 'b', 'c', 'd', 'e')), INVALID);
    for (const [offset, bytes] of [['0', '0123'], ['4', 'x'], ['4', '\x00']] as const) {
      await c.call('DEL', 'h');
      await c.call('PFADD', 'h', 'a', 'b', 'c');
      await c.call('SETRANGE', 'h', offset, bytes);
      assert.equal(err(await c.call('PFCOUNT', 'h')), HLL_WRONGTYPE);
    }
    // random corruption never crashes the server
    for (let i = 0; i < 200; i++) {
      await c.call('DEL', 'f');
      const items = Array.from({ length: (i * 37) % 500 }, (_, j) => `${i}:${j}`);
      await c.call('PFADD', 'f', ...items);
      const len = await c.call('STRLEN', 'f') as number;
      await c.call('SETRANGE', 'f', (i * 7919) % len, String.fromCharCode((i * 131) & 255));
      await c.call('PFCOUNT', 'f');
      await c.call('PFADD', 'f', 'more', 'items');
    }
    assert.equal(await c.call('PING'), 'PONG');
  });

  test('sparse turns dense at hll-sparse-max-bytes', async () => {
    const c = await fresh(fx());
    try {
      assert.equal(await c.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '100'), 'OK');
      let i = 0;
      while ((await c.call('PFDEBUG', 'ENCODING', 'h')) === 'sparse' || i === 0) {
        await c.call('PFADD', 'h', `e${i++}`);
        const len = await c.call('STRLEN', 'h') as number;
        if ((await c.call('PFDEBUG', 'ENCODING', 'h')) === 'sparse') assert.ok(len <= 100, `sparse length ${len}`);
        else assert.equal(len, 12304);
      }
      assert.ok(i > 10 && i < 100, `turned dense after ${i} adds`);
      await c.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
      for (let j = 0; j < 1000; j++) await c.call('PFADD', 'big', `e${j}`);
      assert.equal(await c.call('PFDEBUG', 'ENCODING', 'big'), 'sparse');
      const n = await c.call('PFCOUNT', 'big') as number;
      assert.ok(Math.abs(n - 1000) < 50, `count ${n}`);
    } finally {
      await c.call('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000');
    }
  });

  test('keyspace events: pfadd for PFADD and PFMERGE, only when something changed; PFCOUNT signals a refreshed cache', async () => {
    const f = fx();
    const c = await fresh(f);
    const seen = await events(f, async () => {
      await c.call('PFADD', 'h', 'a');
      await c.call('PFADD', 'h', 'a');
      await c.call('PFCOUNT', 'h');
      await c.call('PFCOUNT', 'h');
      await c.call('PFMERGE', 'd', 'h');
      await c.call('PFCOUNT', 'h', 'd');
    });
    assert.deepEqual(seen, ['0:h:pfadd', '0:h:pfcount', '0:d:pfadd']);
  });

  test('WATCH: a PFCOUNT that refreshes the cache aborts the transaction, as in Redis', async () => {
    const f = fx();
    const c = await fresh(f);
    const other = await f.client();
    await c.call('PFADD', 'h', 'a');
    await c.call('WATCH', 'h');
    assert.equal(await other.call('PFCOUNT', 'h'), 1);
    await c.call('MULTI');
    await c.call('PING');
    assert.equal(await c.call('EXEC'), null);
    await c.call('WATCH', 'h');
    assert.equal(await other.call('PFCOUNT', 'h'), 1, 'cached now');
    await c.call('MULTI');
    await c.call('PING');
    assert.deepEqual(await c.call('EXEC'), ['PONG']);
  });

  test('node-redis over RESP3, and PFSELFTEST', async () => {
    const r = await nodeRedis(fx().port, 3);
    try {
      await r.flushAll();
      assert.equal(await r.pfAdd('h', ['x', 'y', 'z']), 1);
      assert.equal(await r.pfCount('h'), 3);
      assert.equal(await r.pfMerge('m', ['h']), 'OK');
      assert.equal(await r.pfCount(['h', 'm']), 3);
      assert.equal(await r.sendCommand(['PFSELFTEST']), 'OK');
    } finally {
      await r.quit();
    }
  });
});
