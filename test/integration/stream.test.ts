/**
 * Streams over TCP: entries, ranges, trimming, XINFO, the generic key
 * commands on a stream value, XREAD (also blocking) — with ioredis (RESP2),
 * node-redis (RESP3) and the raw client for exact bytes, 1 and 4 shards.
 * Consumer groups are in stream-cgroup.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { waitBlocked } from '../helpers/blocked.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { err, events, fresh, sleep } from '../helpers/keyspace.ts';
import { keySlot } from '../../src/engine/slots.ts';

/** Two keys on different shards when there are 4. */
function keysOnTwoShards(): [string, string] {
  const quarter = (k: string): number => Math.floor((keySlot(k) * 4) / 16384);
  for (let i = 0; ; i++) if (quarter(`b${i}`) !== quarter('a')) return ['a', `b${i}`];
}

describeServer('streams', (fx) => {
  test('XADD IDs, XRANGE / XREVRANGE / XLEN / XDEL with ioredis', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      assert.equal(await r.xadd('s', '1-1', 'a', '1', 'b', '2'), '1-1');
      assert.equal(await r.xadd('s', '1-*', 'a', '3'), '1-2');
      assert.equal(await r.xadd('s', '5', 'c', '4'), '5-0');
      const auto = await r.xadd('s', '*', 'd', '5');
      assert.match(auto!, /^\d{13}-0$/);
      assert.equal(await r.xlen('s'), 4);
      assert.deepEqual(await r.xrange('s', '-', '+', 'COUNT', 2), [['1-1', ['a', '1', 'b', '2']], ['1-2', ['a', '3']]]);
      assert.deepEqual(await r.xrange('s', '(1-1', '(5-0'), [['1-2', ['a', '3']]]);
      // an incomplete exclusive end means up to 5-18446744073709551614
      assert.equal((await r.xrange('s', '(1-1', '(5')).length, 2);
      assert.deepEqual(await r.xrevrange('s', '5', '1', 'COUNT', 2), [['5-0', ['c', '4']], ['1-2', ['a', '3']]]);
      assert.equal(await r.xdel('s', '1-2', '9-9'), 1);
      assert.deepEqual((await r.xrange('s', '-', '+')).map((e) => e[0]), ['1-1', '5-0', auto]);
      assert.deepEqual(await r.xrange('nokey', '-', '+'), []);
      assert.equal(await r.xlen('nokey'), 0);
      await assert.rejects(r.xadd('s', '5-0', 'x', 'y'), /ERR The ID specified in XADD is equal or smaller than the target stream top item/);
      await assert.rejects(r.xadd('s', '0-0', 'x', 'y'), /ERR The ID specified in XADD must be greater than 0-0/);
      await assert.rejects(r.xadd('s', 'x-1', 'x', 'y'), /ERR Invalid stream ID specified as stream command argument/);
      await assert.rejects(r.call('XADD', 's', '*', 'lonely'), /ERR wrong number of arguments for 'xadd' command/);
      await assert.rejects(r.xrange('s', '(-', '+'), /ERR Invalid stream ID/);
      await assert.rejects(r.xrange('s', '(18446744073709551615-18446744073709551615', '+'), /ERR invalid start ID for the interval/);
      await assert.rejects(r.xrange('s', '-', '(0-0'), /ERR invalid end ID for the interval/);
      await r.set('str', 'v');
      await assert.rejects(r.xadd('str', '*', 'a', 'b'), /^ReplyError: WRONGTYPE/);
      await assert.rejects(r.xlen('str'), /^ReplyError: WRONGTYPE/);
      // binary-safe fields and values
      const bin = Buffer.from([0, 255, 13, 10, 128]);
      await r.xadd('b', '1-0', bin, bin);
      const [[, fv]] = await r.xrangeBuffer('b', '-', '+');
      assert.deepEqual(fv, [bin, bin]);
    } finally {
      r.disconnect();
    }
  });

  test('the full unsigned 64-bit ID range and the exhausted stream', async () => {
    const c = await fresh(fx());
    assert.equal(await c.call('XADD', 's', '18446744073709551615-18446744073709551614', 'f', 'v'), '18446744073709551615-18446744073709551614');
    assert.equal(await c.call('XADD', 's', '*', 'f', 'v'), '18446744073709551615-18446744073709551615');
    assert.match(err(await c.call('XADD', 's', '*', 'f', 'v')), /^ERR The stream has exhausted the last possible ID/);
    assert.deepEqual(await c.call('XREVRANGE', 's', '+', '18446744073709551615-18446744073709551615'), [['18446744073709551615-18446744073709551615', ['f', 'v']]]);
    assert.equal(await c.call('XADD', 't', '1-18446744073709551615', 'a', 'b'), '1-18446744073709551615');
    assert.equal(err(await c.call('XADD', 't', '1-*', 'a', 'b')), 'ERR The ID specified in XADD is equal or smaller than the target stream top item');
    assert.equal(await c.call('XADD', 't', '9007199254740987-9007199254740991', 'a', 'b'), '9007199254740987-9007199254740991');
    assert.equal(await c.call('XADD', 't', '9007199254740991-*', 'a', 'b'), '9007199254740991-0');
    assert.equal(await c.call('XADD', 't', '9007199254740993-5', 'a', 'b'), '9007199254740993-5');
    assert.deepEqual(await c.call('XRANGE', 't', '9007199254740993', '9007199254740993'), [['9007199254740993-5', ['a', 'b']]]);
  });

  test('trimming: MAXLEN / MINID, = and ~, LIMIT, NOMKSTREAM; approximate trims drop whole nodes', async () => {
    const c = await fresh(fx());
    await c.call('CONFIG', 'SET', 'stream-node-max-entries', '100');
    for (let i = 1; i <= 1000; i++) c.send('XADD', 's', `${i}-0`, 'x', String(i));
    for (let i = 1; i <= 1000; i++) await c.read();
    assert.equal(await c.call('XTRIM', 's', 'MAXLEN', '~', '555'), 400);
    assert.equal(await c.call('XLEN', 's'), 600);
    assert.equal(await c.call('XTRIM', 's', 'MAXLEN', '=', '555'), 45);
    // 446..500 is what is left of a node: a whole node goes
    assert.equal(await c.call('XTRIM', 's', 'MINID', '~', '600'), 55);
    assert.equal(await c.call('XTRIM', 's', 'MINID', '600'), 99);
    assert.equal(await c.call('XADD', 's', 'MAXLEN', '~', '0', 'LIMIT', '100', '1001-0', 'x', 'y'), '1001-0');
    assert.equal(await c.call('XLEN', 's'), 401);
    assert.equal(await c.call('XADD', 's', 'MINID', '1000', '1002-0', 'x', 'y'), '1002-0');
    assert.deepEqual(await c.call('XRANGE', 's', '-', '+', 'COUNT', '1'), [['1000-0', ['x', '1000']]]);
    assert.equal(await c.call('XADD', 'none', 'NOMKSTREAM', '*', 'a', 'b'), null);
    assert.equal(await c.call('EXISTS', 'none'), 0);
    assert.equal(await c.call('XADD', 'empty', 'MAXLEN', '0', '1-1', 'a', 'b'), '1-1');
    assert.equal(await c.call('XLEN', 'empty'), 0);
    assert.equal(await c.call('EXISTS', 'empty'), 1, 'an emptied stream stays');
    assert.equal(err(await c.call('XTRIM', 's', 'MAXLEN', '1', 'LIMIT', '1')), 'ERR syntax error, LIMIT cannot be used without the special ~ option');
    assert.equal(err(await c.call('XTRIM', 's')), 'ERR wrong number of arguments for \'xtrim\' command');
    assert.equal(err(await c.call('XTRIM', 's', 'LIMIT', '5', 'X')), 'ERR syntax error');
    assert.equal(err(await c.call('XTRIM', 's', 'MAXLEN', '1', 'MINID', '5')), 'ERR syntax error, MAXLEN and MINID options at the same time are not compatible');
    assert.equal(err(await c.call('XADD', 's', 'MAXLEN', '-1', '*', 'a', 'b')), 'ERR The MAXLEN argument must be >= 0.');
  });

  test('XSETID, XINFO STREAM and XINFO STREAM FULL', async () => {
    const c = await fresh(fx());
    await c.call('XADD', 'x', '1-0', 'data', 'a');
    await c.call('XADD', 'x', '2-0', 'data', 'b');
    await c.call('XADD', 'x', '3-0', 'data', 'c');
    await c.call('XDEL', 'x', '1-0');
    assert.deepEqual(await c.call('XINFO', 'STREAM', 'x'), [
      'length', 2, 'radix-tree-keys', 1, 'radix-tree-nodes', 2, 'last-generated-id', '3-0', 'max-deleted-entry-id', '1-0',
      'entries-added', 3, 'recorded-first-entry-id', '2-0', 'groups', 0, 'first-entry', ['2-0', ['data', 'b']], 'last-entry', ['3-0', ['data', 'c']],
    ]);
    assert.deepEqual(await c.call('XINFO', 'STREAM', 'x', 'FULL', 'COUNT', '1'), [
      'length', 2, 'radix-tree-keys', 1, 'radix-tree-nodes', 2, 'last-generated-id', '3-0', 'max-deleted-entry-id', '1-0',
      'entries-added', 3, 'recorded-first-entry-id', '2-0', 'entries', [['2-0', ['data', 'b']]], 'groups', [],
    ]);
    assert.equal(await c.call('XSETID', 'x', '5-0', 'ENTRIESADDED', '9', 'MAXDELETEDID', '4-0'), 'OK');
    const info = (await c.call('XINFO', 'STREAM', 'x')) as unknown[];
    assert.deepEqual(info.slice(6, 12), ['last-generated-id', '5-0', 'max-deleted-entry-id', '4-0', 'entries-added', 9]);
    // 7.4: the max deleted entry ID (4-0) is checked first
    assert.equal(err(await c.call('XSETID', 'x', '2-0')), 'ERR The ID specified in XSETID is smaller than current max_deleted_entry_id');
    await c.call('XADD', 'y', '3-0', 'data', 'c');
    assert.equal(err(await c.call('XSETID', 'y', '2-0')), 'ERR The ID specified in XSETID is smaller than the target stream top item');
    assert.equal(err(await c.call('XSETID', 'x', '9-0', 'ENTRIESADDED', '1')), 'ERR The entries_added specified in XSETID is smaller than the target stream length');
    assert.equal(err(await c.call('XSETID', 'nokey', '1-1')), 'ERR no such key');
    assert.equal(err(await c.call('XINFO', 'STREAM', 'nokey')), 'ERR no such key');
    assert.equal(err(await c.call('XINFO', 'STREAM', 'x', 'FULL', 'COUNT')), "ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO HELP.");
    assert.equal(err(await c.call('XINFO', 'HELP', 'x')), "ERR wrong number of arguments for 'xinfo|help' command");
    assert.equal(((await c.call('XINFO', 'HELP')) as string[])[0], 'XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    // RESP3: maps
    await c.call('HELLO', '3');
    assert.equal((await c.callRaw('XINFO', 'STREAM', 'x')).slice(0, 15), '%10\r\n$6\r\nlength');
  });

  test('TYPE, OBJECT ENCODING, DEBUG DIGEST-VALUE, COPY, RENAME, MOVE and MEMORY USAGE on streams', async () => {
    const c = await fresh(fx());
    await c.call('XADD', 's', '1-1', 'f', 'v', 'g', 'w');
    await c.call('XGROUP', 'CREATE', 's', 'grp', '0');
    await c.call('XREADGROUP', 'GROUP', 'grp', 'alice', 'STREAMS', 's', '>');
    assert.equal(await c.call('TYPE', 's'), 'stream');
    assert.equal(await c.call('OBJECT', 'ENCODING', 's'), 'stream');
    // the digest Redis computes for this stream ("1.1", f, v, g, w mixed in order)
    assert.deepEqual(await c.call('DEBUG', 'DIGEST-VALUE', 's'), ['02a6cc6f9620c93c4a87ca6697dad2078434368e']);
    assert.equal(await c.call('COPY', 's', 's2'), 1);
    await c.call('XADD', 's2', '2-0', 'only', 'copy');
    await c.call('XACK', 's2', 'grp', '1-1');
    assert.equal(await c.call('XLEN', 's'), 1);
    assert.deepEqual(await c.call('XPENDING', 's', 'grp'), [1, '1-1', '1-1', [['alice', '1']]]);
    assert.deepEqual(await c.call('XPENDING', 's2', 'grp'), [0, null, null, null]);
    assert.equal(await c.call('RENAME', 's2', 's3'), 'OK');
    assert.equal(await c.call('XLEN', 's3'), 2);
    assert.equal(await c.call('MOVE', 's3', '1'), 1);
    assert.ok(((await c.call('MEMORY', 'USAGE', 's')) as number) > 0);
  });

  test('XREAD: several streams (RESP2 arrays, RESP3 a map), COUNT, $ and errors', async () => {
    const [k1, k2] = keysOnTwoShards();
    const c = await fresh(fx());
    await c.call('XADD', k1, '1-0', 'a', '1');
    await c.call('XADD', k1, '2-0', 'a', '2');
    await c.call('XADD', k2, '3-0', 'b', '3');
    assert.deepEqual(await c.call('XREAD', 'COUNT', '1', 'STREAMS', k1, 'none', k2, '0', '0', '0'), [
      [k1, [['1-0', ['a', '1']]]], [k2, [['3-0', ['b', '3']]]],
    ]);
    assert.deepEqual(await c.call('XREAD', 'STREAMS', k1, k2, '$', '$'), null);
    assert.deepEqual(await c.call('XREAD', 'STREAMS', k1, '1'), [[k1, [['2-0', ['a', '2']]]]]);
    assert.equal(err(await c.call('XREAD', 'STREAMS', k1, k2, '0')), "ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.");
    assert.equal(err(await c.call('XREAD', 'STREAMS', k1, '>')), 'ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.');
    assert.equal(err(await c.call('XREAD', 'GROUP', 'g', 'c', 'STREAMS', k1, '0')), 'ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.');
    assert.equal(err(await c.call('XREAD', 'BLOCK', '-1', 'STREAMS', k1, '0')), 'ERR timeout is negative');
    assert.equal(err(await c.call('XREAD', 'BLOCK', '0.5', 'STREAMS', k1, '0')), 'ERR timeout is not an integer or out of range');
    await c.call('HELLO', '3');
    assert.equal(await c.callRaw('XREAD', 'STREAMS', k2, '0'), `%1\r\n$${k2.length}\r\n${k2}\r\n*1\r\n*2\r\n$3\r\n3-0\r\n*2\r\n$1\r\nb\r\n$1\r\n3\r\n`);
    assert.equal(await c.callRaw('XREAD', 'STREAMS', k2, '$'), '_\r\n');
  });

  test('blocking XREAD: $ waits for newer entries on any stream, deletes and other types don\'t wake it', async () => {
    const [k1, k2] = keysOnTwoShards();
    const p = await fresh(fx());
    const w = await fx().client();
    await p.call('XADD', k2, '5-0', 'old', 'x');
    w.send('XREAD', 'BLOCK', '0', 'STREAMS', k1, k2, '$', '$');
    await waitBlocked(p, 1);
    // MULTI: XADD then DEL leaves nothing to serve; a list under the key doesn't serve either
    await p.call('MULTI');
    await p.call('XADD', k1, '1-0', 'gone', 'x');
    await p.call('DEL', k1);
    await p.call('LPUSH', k1, 'v');
    await p.call('EXEC');
    await sleep(30);
    await waitBlocked(p, 1);
    await p.call('DEL', k1);
    await p.call('XADD', k2, '6-0', 'new', 'y');
    assert.deepEqual(await w.read(), [[k2, [['6-0', ['new', 'y']]]]]);
    // a timeout answers a null array; inside MULTI BLOCK doesn't block
    assert.equal(await w.call('XREAD', 'BLOCK', '20', 'STREAMS', k1, '$'), null);
    await w.call('MULTI');
    await w.call('XREAD', 'BLOCK', '0', 'STREAMS', k1, '$');
    assert.deepEqual(await w.call('EXEC'), [null]);
    // the ID is fixed when blocking; entries XDELeted meanwhile still wake it (with what is left)
    w.send('XREAD', 'BLOCK', '0', 'STREAMS', k2, '6-0');
    await waitBlocked(p, 1);
    await p.call('MULTI');
    await p.call('XADD', k2, '7-0', 'a', 'b');
    await p.call('XADD', k2, '8-0', 'c', 'd');
    await p.call('XDEL', k2, '7-0');
    await p.call('EXEC');
    assert.deepEqual(await w.read(), [[k2, [['8-0', ['c', 'd']]]]]);
  });

  test('XREAD + (Redis 7.4): the last entry; blocked, the last entry when a stream is ready', async () => {
    const [k1, k2] = keysOnTwoShards();
    const p = await fresh(fx());
    const r = await ioredis(fx().port);
    const w = await fx().client();
    try {
      await r.xadd(k1, '1-1', 'a', '1');
      await r.xadd(k1, '2-0', 'b', '2');
      assert.deepEqual(await p.call('XREAD', 'STREAMS', k1, k2, '+', '+'), [[k1, [['2-0', ['b', '2']]]]]);
      assert.deepEqual(await p.call('XREAD', 'COUNT', '5', 'STREAMS', k1, '+'), [[k1, [['2-0', ['b', '2']]]]]);
      // ioredis answers XREAD per stream as [key, entries]
      assert.deepEqual(await r.xread('STREAMS', k1, '+'), [[k1, [['2-0', ['b', '2']]]]]);
      await assert.rejects(r.call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', k1, '+'), /NOGROUP/);
      // a missing stream: as 0-0; in MULTI (as Redis, which runs the command again) only the last entry comes
      w.send('XREAD', 'BLOCK', '0', 'STREAMS', k2, '+');
      await waitBlocked(p, 1);
      await p.call('MULTI');
      await p.call('XADD', k2, '1-1', 'x', '1');
      await p.call('XADD', k2, '1-2', 'y', '2');
      await p.call('EXEC');
      assert.deepEqual(await w.read(), [[k2, [['1-2', ['y', '2']]]]]);
      // the last entry deleted: nothing to serve, it blocks until the next one
      await r.xdel(k1, '2-0');
      assert.equal(await r.call('XREAD', 'STREAMS', k1, '+'), null);
      w.send('XREAD', 'BLOCK', '0', 'STREAMS', k1, '+');
      await waitBlocked(p, 1);
      await r.xadd(k1, '3-0', 'c', '3');
      assert.deepEqual(await w.read(), [[k1, [['3-0', ['c', '3']]]]]);
    } finally {
      r.disconnect();
    }
  });

  test('blocking XREAD with node-redis (RESP3) and CLIENT UNBLOCK', async () => {
    const r = await nodeRedis(fx().port, 3);
    const p = await fresh(fx());
    try {
      const pending = r.xRead({ key: 'q', id: '$' }, { BLOCK: 0 });
      await waitBlocked(p, 1);
      await p.call('XADD', 'q', '10-1', 'k', 'v');
      assert.deepEqual(JSON.parse(JSON.stringify(await pending)), [{ name: 'q', messages: [{ id: '10-1', message: { k: 'v' } }] }]);
      const w = await fx().client();
      const id = await w.call('CLIENT', 'ID');
      w.send('XREAD', 'BLOCK', '0', 'STREAMS', 'q', '$');
      await waitBlocked(p, 1);
      assert.equal(await p.call('CLIENT', 'UNBLOCK', id as number), 1);
      assert.equal(await w.read(), null);
    } finally {
      await r.quit();
    }
  });

  test('keyspace events: xadd, xtrim, xdel, xsetid', async () => {
    const c = await fresh(fx());
    const seen = await events(fx(), async () => {
      await c.call('XADD', 's', 'MAXLEN', '1', '1-0', 'a', 'b');
      await c.call('XADD', 's', 'MAXLEN', '1', '2-0', 'a', 'b');
      await c.call('XDEL', 's', '2-0');
      await c.call('XDEL', 's', '2-0');
      await c.call('XSETID', 's', '5-0');
      await c.call('XTRIM', 's', 'MAXLEN', '0');
    });
    assert.deepEqual(seen, ['0:s:xadd', '0:s:xadd', '0:s:xtrim', '0:s:xdel', '0:s:xsetid']);
  });

  test('replication: generated IDs and approximate trims are sent exactly', async () => {
    const c = await fresh(fx());
    await c.call('CONFIG', 'SET', 'stream-node-max-entries', '10');
    const repl = await RespClient.connect(fx().port);
    try {
      repl.writeRaw('SYNC\r\n');
      await sleep(100);
      repl.pending();
      let drained = repl.pending().length;
      const streamed = async (): Promise<string> => {
        await sleep(50);
        const all = repl.pending();
        const s = all.slice(drained);
        drained = all.length;
        return s;
      };
      await streamed();
      const id = (await c.call('XADD', 'auto', '*', 'f', 'v')) as string;
      assert.ok((await streamed()).endsWith(`*5\r\n$4\r\nXADD\r\n$4\r\nauto\r\n$${id.length}\r\n${id}\r\n$1\r\nf\r\n$1\r\nv\r\n`));
      await c.call('XADD', 's', '5-*', 'f', 'v');
      assert.ok((await streamed()).includes('$3\r\n5-0\r\n'));
      for (let i = 10; i < 40; i++) await c.call('XADD', 's', `${i}-0`, 'f', 'v');
      await streamed();
      // nodes of 10: [5, 10..18] [19..28] [29..38] [39]; ~ drops only the first
      assert.equal(await c.call('XTRIM', 's', 'MAXLEN', '~', '15'), 10);
      assert.ok((await streamed()).endsWith('*5\r\n$5\r\nXTRIM\r\n$1\r\ns\r\n$6\r\nMAXLEN\r\n$1\r\n=\r\n$2\r\n21\r\n'));
      await c.call('XADD', 's', 'MINID', '~', '35', '100-0', 'f', 'v');
      assert.ok((await streamed()).includes('$5\r\nMINID\r\n$1\r\n=\r\n$4\r\n29-0\r\n$5\r\n100-0'));
      // nothing trimmed: nothing rewritten
      await c.call('XTRIM', 's', 'MAXLEN', '~', '1000');
      assert.equal(await streamed(), '');
      await c.call('CONFIG', 'SET', 'stream-node-max-entries', '100');
    } finally {
      repl.close();
    }
  });
});
