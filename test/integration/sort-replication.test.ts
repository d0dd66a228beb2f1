import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient } from '../helpers/resp-client.ts';

describeServer('SORT and the replication stream', (fx) => {
  test('SORT BY / GET / LIMIT / ALPHA / STORE across shards (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.rpush('ids', '3', '1', '2');
      await r.mset('w_1', '30', 'w_2', '10', 'w_3', '20', 'name_1', 'one', 'name_2', 'two', 'name_3', 'three');
      await r.hset('h_1', 'f', 'c');
      await r.hset('h_2', 'f', 'a');
      await r.hset('h_3', 'f', 'b');
      assert.deepEqual(await r.sort('ids'), ['1', '2', '3']);
      assert.deepEqual(await r.call('SORT', 'ids', 'DESC', 'LIMIT', '0', '2'), ['3', '2']);
      assert.deepEqual(await r.call('SORT', 'ids', 'BY', 'w_*'), ['2', '3', '1']);
      assert.deepEqual(await r.call('SORT', 'ids', 'BY', 'h_*->f', 'ALPHA', 'GET', '#', 'GET', 'name_*'), ['2', 'two', '3', 'three', '1', 'one']);
      assert.deepEqual(await r.call('SORT', 'ids', 'BY', 'nosort'), ['3', '1', '2']);
      assert.equal(await r.call('SORT', 'ids', 'STORE', 'sorted'), 3);
      assert.deepEqual(await r.lrange('sorted', 0, -1), ['1', '2', '3']);
      await r.rpush('words', 'b', 'a');
      await assert.rejects(r.sort('words'), /One or more scores can't be converted into double/);
      assert.deepEqual(await r.call('SORT_RO', 'words', 'ALPHA'), ['a', 'b']);
      await assert.rejects(r.call('SORT_RO', 'words', 'STORE', 'x'), /syntax error/);
    } finally {
      r.disconnect();
    }
  });

  test('SORT on sets and sorted sets with node-redis (RESP3): BY nosort keeps the order, STORE sorts a set', async () => {
    const r = await nodeRedis(fx().port, 3);
    try {
      await r.sAdd('nums', ['10', '2', '33', '4']);
      await r.zAdd('ranked', [{ score: 3, value: 'c' }, { score: 1, value: 'a' }, { score: 2, value: 'b' }]);
      await r.mSet({ 'o_2': 'two', 'o_4': 'four' });
      assert.deepEqual(await r.sendCommand(['SORT', 'nums']), ['2', '4', '10', '33']);
      // an intset iterates in numeric order
      assert.deepEqual(await r.sendCommand(['SORT', 'nums', 'BY', 'nosort', 'GET', 'o_*']), ['two', 'four', null, null]);
      assert.deepEqual(await r.sendCommand(['SORT', 'ranked', 'BY', 'nosort', 'DESC']), ['c', 'b', 'a']);
      assert.deepEqual(await r.sendCommand(['SORT', 'ranked', 'ALPHA', 'LIMIT', '1', '5']), ['b', 'c']);
      assert.equal(await r.sendCommand(['SORT', 'nums', 'BY', 'nosort', 'STORE', 'out']), 4);
      assert.deepEqual(await r.lRange('out', 0, -1), ['10', '2', '33', '4'], 'a set stored without sorting is sorted ALPHA');
      await r.set('str', 'x');
      await assert.rejects(r.sendCommand(['SORT', 'str']), /WRONGTYPE/);
    } finally {
      await r.quit();
    }
  });

  test('SYNC sends an RDB snapshot then the write stream', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('SET', 'pre', 'v');
    const repl = await RespClient.connect(fx().port);
    repl.writeRaw('SYNC\r\n');
    await new Promise((r) => setTimeout(r, 100));
    const head = repl.pending();
    assert.match(head, /^\$\d+\r\nREDIS0010/);
    assert.ok(head.includes('pre'));
    await c.call('SET', 'k', 'v', 'EX', '100');
    await c.call('GET', 'k');
    await c.call('MULTI');
    await c.call('INCR', 'n');
    await c.call('EXEC');
    await new Promise((r) => setTimeout(r, 100));
    const stream = repl.pending();
    assert.match(stream, /\*5\r\n\$3\r\nSET\r\n\$1\r\nk\r\n\$1\r\nv\r\n\$4\r\nPXAT\r\n\$13\r\n\d{13}\r\n/);
    assert.ok(!stream.includes('GET'));
    assert.match(stream, /MULTI\r\n\*2\r\n\$4\r\nINCR\r\n\$1\r\nn\r\n\*1\r\n\$4\r\nEXEC/);
    repl.close();
  });

  test('deletions replicate as UNLINK under the lazyfree options (Redis 7.2: SPOP and RESTORE too)', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    const repl = await RespClient.connect(fx().port);
    repl.writeRaw('SYNC\r\n');
    await new Promise((r) => setTimeout(r, 100));
    const run = async (): Promise<string> => {
      const seen = repl.pending().length;
      await c.call('SADD', 'sp', 'a', 'b');
      await c.call('SPOP', 'sp', '5');
      await c.call('SET', 'rs', 'old');
      const dump = (await c.call('DUMP', 'rs')) as string;
      await c.call('RESTORE', 'rs', '1', dump, 'REPLACE', 'ABSTTL');
      await c.call('SET', 'ex', 'v');
      await c.call('EXPIRE', 'ex', '-1');
      await c.call('SET', 'gx', 'v');
      await c.call('GETEX', 'gx', 'PXAT', '1');
      await new Promise((r) => setTimeout(r, 100));
      return repl.pending().slice(seen);
    };
    const deletions = (stream: string): string[] => [...stream.matchAll(/\*2\r\n\$\d\r\n(DEL|UNLINK)\r\n\$2\r\n(\w+)\r\n/g)].map((m) => `${m[1]} ${m[2]}`);
    assert.deepEqual(deletions(await run()), ['DEL sp', 'DEL rs', 'DEL ex', 'DEL gx']);
    await c.call('CONFIG', 'SET', 'lazyfree-lazy-server-del', 'yes', 'lazyfree-lazy-expire', 'yes');
    try {
      assert.deepEqual(deletions(await run()), ['UNLINK sp', 'UNLINK rs', 'UNLINK ex', 'UNLINK gx']);
    } finally {
      await c.call('CONFIG', 'SET', 'lazyfree-lazy-server-del', 'no', 'lazyfree-lazy-expire', 'no');
    }
    repl.close();
  });
});

