/**
 * Stream consumer groups over TCP: XGROUP, XREADGROUP (new entries,
 * history, NOACK, blocking and how a blocked reader fails when its stream
 * or group goes away), XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO GROUPS /
 * CONSUMERS, read counters and lag, and what group reads replicate as —
 * with ioredis, node-redis (RESP3) and the raw client, 1 and 4 shards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { waitBlocked } from '../helpers/blocked.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { err, events, fresh, sleep } from '../helpers/keyspace.ts';

/** A stream s with entries 1-0 … n-0 (field f, value i) and group g at 0. */
async function seeded(c: RespClient, n: number): Promise<void> {
  for (let i = 1; i <= n; i++) await c.call('XADD', 's', `${i}-0`, 'f', String(i));
  assert.equal(await c.call('XGROUP', 'CREATE', 's', 'g', '0'), 'OK');
}

/** XINFO GROUPS of s as plain objects. */
async function groups(c: RespClient): Promise<Array<Record<string, unknown>>> {
  const rows = (await c.call('XINFO', 'GROUPS', 's')) as unknown[][];
  return rows.map((r) => Object.fromEntries(Array.from({ length: r.length / 2 }, (_, i) => [r[2 * i], r[2 * i + 1]])));
}

describeServer('stream consumer groups', (fx) => {
  test('XGROUP CREATE / SETID / CREATECONSUMER / DELCONSUMER / DESTROY and their errors', async () => {
    const c = await fresh(fx());
    assert.match(err(await c.call('XGROUP', 'CREATE', 's', 'g', '$')), /^ERR The XGROUP subcommand requires the key to exist/);
    assert.equal(await c.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'), 'OK');
    assert.equal(await c.call('XLEN', 's'), 0);
    assert.equal(err(await c.call('XGROUP', 'CREATE', 's', 'g', '$')), 'BUSYGROUP Consumer Group name already exists');
    assert.equal(err(await c.call('XGROUP', 'CREATE', 's', 'h', '0', 'ENTRIESREAD', '-2')), 'ERR value for ENTRIESREAD must be positive or -1');
    assert.equal(err(await c.call('XGROUP', 'CREATE', 's', 'h', '0', 'BOGUS')), "ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try XGROUP HELP.");
    assert.equal(err(await c.call('XGROUP', 'SETID', 's', 'nope', '0')), "NOGROUP No such consumer group 'nope' for key name 's'");
    assert.equal(err(await c.call('XGROUP', 'SETID', 's', 'g', '0', 'MKSTREAM')), "ERR unknown subcommand or wrong number of arguments for 'SETID'. Try XGROUP HELP.");
    assert.equal(await c.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'alice'), 1);
    assert.equal(await c.call('XGROUP', 'CREATECONSUMER', 's', 'g', 'alice'), 0);
    assert.equal(await c.call('XGROUP', 'DELCONSUMER', 's', 'g', 'alice'), 0);
    assert.equal(await c.call('XGROUP', 'DELCONSUMER', 's', 'g', 'alice'), 0);
    assert.equal(await c.call('XGROUP', 'DESTROY', 's', 'g'), 1);
    assert.equal(await c.call('XGROUP', 'DESTROY', 's', 'g'), 0);
    assert.equal(err(await c.call('XGROUP', 'HELP', 'x')), "ERR wrong number of arguments for 'xgroup|help' command");
    assert.equal(err(await c.call('XGROUP', 'NOPE', 's', 'g')), "ERR unknown subcommand 'NOPE'. Try XGROUP HELP.");
    await c.call('SET', 'str', 'v');
    assert.match(err(await c.call('XGROUP', 'CREATE', 'str', 'g', '$', 'MKSTREAM')), /^WRONGTYPE/);
    const seen = await events(fx(), async () => {
      await c.call('XGROUP', 'CREATE', 'e', 'g', '0', 'MKSTREAM');
      await c.call('XGROUP', 'SETID', 'e', 'g', '0');
      await c.call('XGROUP', 'CREATECONSUMER', 'e', 'g', 'c');
      await c.call('XGROUP', 'DELCONSUMER', 'e', 'g', 'c');
      await c.call('XGROUP', 'DESTROY', 'e', 'g');
    });
    assert.deepEqual(seen, ['0:e:xgroup-create', '0:e:xgroup-setid', '0:e:xgroup-createconsumer', '0:e:xgroup-delconsumer', '0:e:xgroup-destroy']);
  });

  test('XREADGROUP: new entries with >, each consumer\'s own history, NOACK, and errors', async () => {
    const c = await fresh(fx());
    await seeded(c, 4);
    assert.deepEqual(await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '>'), [['s', [['1-0', ['f', '1']]]]]);
    assert.deepEqual(await c.call('XREADGROUP', 'GROUP', 'g', 'bob', 'COUNT', '2', 'STREAMS', 's', '>'), [['s', [['2-0', ['f', '2']], ['3-0', ['f', '3']]]]]);
    assert.deepEqual(await c.call('XREADGROUP', 'GROUP', 'g', 'carol', 'NOACK', 'STREAMS', 's', '>'), [['s', [['4-0', ['f', '4']]]]]);
    assert.equal(await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>'), null);
    assert.deepEqual(await c.call('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '0'), [['s', [['2-0', ['f', '2']], ['3-0', ['f', '3']]]]]);
    assert.deepEqual(await c.call('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '2-0'), [['s', [['3-0', ['f', '3']]]]]);
    assert.deepEqual(await c.call('XREADGROUP', 'GROUP', 'g', 'carol', 'STREAMS', 's', '0'), [['s', []]]);
    // a pending entry deleted from the stream comes back as [id, nil]
    await c.call('XDEL', 's', '2-0');
    assert.deepEqual(await c.call('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '0'), [['s', [['2-0', null], ['3-0', ['f', '3']]]]]);
    assert.deepEqual(await c.call('XPENDING', 's', 'g', '-', '+', '10', 'bob').then((r) => (r as unknown[][]).map((x) => [x[0], x[3]])), [['2-0', 2], ['3-0', 4]], 'each history read counts as a delivery');
    assert.equal(err(await c.call('XREADGROUP', 'GROUP', 'nope', 'c', 'STREAMS', 's', '>')), "NOGROUP No such key 's' or consumer group 'nope' in XREADGROUP with GROUP option");
    assert.equal(err(await c.call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'nokey', '>')), "NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP option");
    assert.match(err(await c.call('XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '$')), /^ERR The \$ ID is meaningless in the context of XREADGROUP/);
    assert.equal(err(await c.call('XREADGROUP', 'COUNT', '1', 'STREAMS', 's', '>')), 'ERR wrong number of arguments for \'xreadgroup\' command');
    assert.equal(err(await c.call('XREADGROUP', 'COUNT', '1', 'NOACK', 'STREAMS', 's', '>')), 'ERR Missing GROUP option for XREADGROUP');
    assert.deepEqual(await groups(c), [{ name: 'g', consumers: 3, pending: 3, 'last-delivered-id': '4-0', 'entries-read': 4, lag: 0 }]);
  });

  test('read counters and lag: exact while nothing was deleted, estimated after', async () => {
    const c = await fresh(fx());
    await seeded(c, 5);
    assert.deepEqual((await groups(c))[0]!['entries-read'], null);
    assert.deepEqual((await groups(c))[0]!.lag, 5);
    await c.call('XREADGROUP', 'GROUP', 'g', 'a', 'COUNT', '2', 'STREAMS', 's', '>');
    assert.deepEqual([(await groups(c))[0]!['entries-read'], (await groups(c))[0]!.lag], [2, 3]);
    await c.call('XADD', 's', '6-0', 'f', '6');
    assert.deepEqual([(await groups(c))[0]!['entries-read'], (await groups(c))[0]!.lag], [2, 4]);
    await c.call('XDEL', 's', '4-0');
    assert.deepEqual([(await groups(c))[0]!['entries-read'], (await groups(c))[0]!.lag], [2, null]);
    await c.call('XREADGROUP', 'GROUP', 'g', 'a', 'STREAMS', 's', '>');
    assert.deepEqual([(await groups(c))[0]!['entries-read'], (await groups(c))[0]!.lag], [6, 0]);
    // a counter set behind a deletion can't be trusted
    await c.call('XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', '0');
    assert.deepEqual([(await groups(c))[0]!['entries-read'], (await groups(c))[0]!.lag], [0, null]);
    await c.call('XGROUP', 'SETID', 's', 'g', '$');
    assert.deepEqual([(await groups(c))[0]!['entries-read'], (await groups(c))[0]!.lag], [null, 0]);
  });

  test('XACK and XPENDING (summary, ranges, IDLE, consumer filter)', async () => {
    const c = await fresh(fx());
    await seeded(c, 4);
    await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '3', 'STREAMS', 's', '>');
    await c.call('XREADGROUP', 'GROUP', 'g', 'bob', 'STREAMS', 's', '>');
    assert.deepEqual(await c.call('XPENDING', 's', 'g'), [4, '1-0', '4-0', [['alice', '3'], ['bob', '1']]]);
    const rows = (await c.call('XPENDING', 's', 'g', '(1-0', '+', '2')) as unknown[][];
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[3]]), [['2-0', 'alice', 1], ['3-0', 'alice', 1]]);
    assert.ok((rows[0]![2] as number) >= 0);
    assert.deepEqual(await c.call('XPENDING', 's', 'g', 'IDLE', '100000', '-', '+', '10'), []);
    await sleep(5);
    assert.equal(((await c.call('XPENDING', 's', 'g', 'IDLE', '1', '-', '+', '10', 'bob')) as unknown[]).length, 1);
    assert.deepEqual(await c.call('XPENDING', 's', 'g', '-', '+', '10', 'nobody'), []);
    assert.equal(err(await c.call('XPENDING', 's', 'g', '-', '+')), 'ERR syntax error');
    assert.equal(err(await c.call('XPENDING', 's', 'nope')), "NOGROUP No such key 's' or consumer group 'nope'");
    assert.equal(await c.call('XACK', 's', 'g', '1-0', '4-0', '9-0'), 2);
    assert.equal(await c.call('XACK', 's', 'g', '1-0'), 0);
    assert.equal(err(await c.call('XACK', 's', 'g', '2-0', 'bad')), 'ERR Invalid stream ID specified as stream command argument');
    assert.equal(await c.call('XACK', 's', 'nope', 'bad'), 0, 'no group: nothing to parse');
    assert.deepEqual(await c.call('XPENDING', 's', 'g'), [2, '2-0', '3-0', [['alice', '2']]]);
    await c.call('XACK', 's', 'g', '2-0', '3-0');
    assert.deepEqual(await c.call('XPENDING', 's', 'g'), [0, null, null, null]);
  });

  test('XCLAIM: min idle time, IDLE / TIME / RETRYCOUNT, FORCE, JUSTID, LASTID, deleted entries', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      for (let i = 1; i <= 3; i++) await r.xadd('s', `${i}-0`, 'f', String(i));
      await r.xgroup('CREATE', 's', 'g', '0');
      await r.xreadgroup('GROUP', 'g', 'alice', 'STREAMS', 's', '>');
      assert.deepEqual(await r.xclaim('s', 'g', 'bob', 100000, '1-0'), [], 'not idle long enough');
      assert.deepEqual(await r.xclaim('s', 'g', 'bob', 0, '1-0'), [['1-0', ['f', '1']]]);
      assert.deepEqual(await r.call('XCLAIM', 's', 'g', 'bob', '0', '2-0', 'JUSTID', 'RETRYCOUNT', '7', 'TIME', '1000'), ['2-0']);
      const pending = (await r.xpending('s', 'g', '-', '+', 10)) as unknown[][];
      assert.deepEqual(pending.map((p) => [p[0], p[1], p[3]]), [['1-0', 'bob', 2], ['2-0', 'bob', 7], ['3-0', 'alice', 1]]);
      assert.ok((pending[1]![2] as number) > 1_000_000_000_000 - 1000, 'TIME sets the delivery time');
      await r.xdel('s', '3-0');
      assert.deepEqual(await r.xclaim('s', 'g', 'bob', 0, '3-0'), [], 'a deleted entry is dropped from the PEL');
      assert.equal((await r.xpending('s', 'g') as unknown[])[0], 2);
      await r.xadd('s', '4-0', 'f', '4');
      assert.deepEqual(await r.call('XCLAIM', 's', 'g', 'carol', '0', '4-0', 'FORCE', 'JUSTID'), ['4-0']);
      assert.deepEqual(await r.call('XCLAIM', 's', 'g', 'carol', '0', '9-0', 'FORCE'), []);
      assert.deepEqual(await r.call('XCLAIM', 's', 'g', 'carol', '0', '1-0', 'LASTID', '50-0', 'JUSTID'), ['1-0']);
      assert.equal((await r.xinfo('GROUPS', 's') as unknown[][])[0]![7], '50-0');
      await assert.rejects(r.call('XCLAIM', 's', 'g', 'c', 'x', '1-0'), /ERR Invalid min-idle-time argument for XCLAIM/);
      await assert.rejects(r.call('XCLAIM', 's', 'g', 'c', '0', '1-0', 'BOGUS'), /ERR Unrecognized XCLAIM option 'BOGUS'/);
      await assert.rejects(r.call('XCLAIM', 's', 'g', 'c', '0', '1-0', 'IDLE', 'x'), /ERR Invalid IDLE option argument for XCLAIM/);
      await assert.rejects(r.call('XCLAIM', 's', 'nope', 'c', '0', '1-0'), /NOGROUP No such key 's' or consumer group 'nope'/);
    } finally {
      r.disconnect();
    }
  });

  test('XAUTOCLAIM: cursor, COUNT, JUSTID and the entries it cleared (node-redis RESP3 too)', async () => {
    const c = await fresh(fx());
    await seeded(c, 5);
    await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '>');
    await c.call('XDEL', 's', '2-0', '4-0');
    assert.deepEqual(await c.call('XAUTOCLAIM', 's', 'g', 'bob', '0', '-', 'COUNT', '2'), ['3-0', [['1-0', ['f', '1']]], ['2-0']]);
    assert.deepEqual(await c.call('XAUTOCLAIM', 's', 'g', 'bob', '0', '3-0', 'JUSTID'), ['0-0', ['3-0', '5-0'], ['4-0']]);
    assert.deepEqual(await c.call('XAUTOCLAIM', 's', 'g', 'carol', '100000', '-'), ['0-0', [], []]);
    assert.equal(err(await c.call('XAUTOCLAIM', 's', 'g', 'c', '0', '-', 'COUNT', '0')), 'ERR COUNT must be > 0');
    assert.equal(err(await c.call('XAUTOCLAIM', 's', 'g', 'c', '0', '-', 'COUNT', '576460752303423488')), 'ERR COUNT must be > 0');
    assert.equal(err(await c.call('XAUTOCLAIM', 's', 'g', 'c', '0', '(18446744073709551615-18446744073709551615')), 'ERR invalid start ID for the interval');
    const r = await nodeRedis(fx().port, 3);
    try {
      const res = await r.xAutoClaim('s', 'g', 'dave', 0, '0-0', { COUNT: 1 });
      assert.deepEqual(JSON.parse(JSON.stringify(res)), { nextId: '3-0', messages: [{ id: '1-0', message: { f: '1' } }], deletedMessages: [] });
      const consumers = await r.xInfoConsumers('s', 'g');
      // 7.2: carol's XAUTOCLAIM claimed nothing but created her
      assert.deepEqual(consumers.map((x) => [x.name, x.pending]), [['alice', 0], ['bob', 2], ['carol', 0], ['dave', 1]]);
    } finally {
      await r.quit();
    }
  });

  test('blocking XREADGROUP: served by new entries; fails when the group, the key or its type goes', async () => {
    const p = await fresh(fx());
    const w = await fx().client();
    await p.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    w.send('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    await waitBlocked(p, 1);
    await p.call('XADD', 's', '1-0', 'f', 'v');
    assert.deepEqual(await w.read(), [['s', [['1-0', ['f', 'v']]]]]);
    assert.deepEqual(await p.call('XPENDING', 's', 'g'), [1, '1-0', '1-0', [['alice', '1']]]);
    // a deleted entry still counts as "new" (Redis compares with the last ID), but no empty array is served synchronously
    await p.call('XADD', 's', '2-0', 'f', 'v');
    await p.call('XDEL', 's', '2-0');
    assert.equal(await w.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '20', 'STREAMS', 's', '>'), null);
    // IDs other than > never block
    assert.deepEqual(await w.call('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '0'), [['s', [['1-0', ['f', 'v']]]]]);

    await p.call('CONFIG', 'RESETSTAT');
    w.send('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    await waitBlocked(p, 1);
    await p.call('XGROUP', 'DESTROY', 's', 'g');
    // 7.4 runs the woken command again, which fails as it would have at first
    assert.equal(err(await w.read()), "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option");
    const stats = (await p.call('INFO', 'stats')) as string;
    assert.match(stats, /total_error_replies:1\r\n/);
    assert.match((await p.call('INFO', 'commandstats')) as string, /cmdstat_xreadgroup:calls=1,.*failed_calls=1/);
    assert.match((await p.call('INFO', 'errorstats')) as string, /errorstat_NOGROUP:count=1/);

    const noGroup = "NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option";
    const wrongType = 'WRONGTYPE Operation against a key holding the wrong kind of value';
    for (const [change, error] of [[['DEL', 's'], noGroup], [['SET', 's', 'v'], wrongType], [['FLUSHALL'], noGroup]] as const) {
      await p.call('DEL', 's');
      await p.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
      w.send('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
      await waitBlocked(p, 1);
      await p.call(...change);
      assert.equal(err(await w.read()), error, change.join(' '));
    }
    // MULTI: the key replaced by another type
    await p.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    w.send('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 's', '>');
    await waitBlocked(p, 1);
    await p.call('MULTI');
    await p.call('DEL', 's');
    await p.call('SADD', 's', 'e');
    await p.call('EXEC');
    assert.equal(err(await w.read()), wrongType);
  });

  test('RENAME onto a blocked stream serves from the new value, or fails without the group', async () => {
    const p = await fresh(fx());
    const w = await fx().client();
    await p.call('XGROUP', 'CREATE', 'q{t}', 'g', '$', 'MKSTREAM');
    w.send('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 'q{t}', '>');
    await waitBlocked(p, 1);
    await p.call('XGROUP', 'CREATE', 'q2{t}', 'g', '$', 'MKSTREAM');
    await p.call('XADD', 'q2{t}', '100', 'f1', 'v1');
    await p.call('RENAME', 'q2{t}', 'q{t}');
    assert.deepEqual(await w.read(), [['q{t}', [['100-0', ['f1', 'v1']]]]]);
    w.send('XREADGROUP', 'GROUP', 'g', 'alice', 'BLOCK', '0', 'STREAMS', 'q{t}', '>');
    await waitBlocked(p, 1);
    await p.call('XADD', 'q3{t}', '100', 'f1', 'v1');
    await p.call('RENAME', 'q3{t}', 'q{t}');
    assert.match(err(await w.read()), /^NOGROUP/);
  });

  test('several clients blocked on one group get entries in the order they blocked (node-redis RESP3)', async () => {
    const p = await fresh(fx());
    await p.call('XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM');
    const a = await nodeRedis(fx().port, 3);
    const b = await nodeRedis(fx().port, 3);
    try {
      const ra = a.xReadGroup('g', 'a', { key: 's', id: '>' }, { BLOCK: 0, COUNT: 1 });
      await waitBlocked(p, 1);
      const rb = b.xReadGroup('g', 'b', { key: 's', id: '>' }, { BLOCK: 0, COUNT: 1 });
      await waitBlocked(p, 2);
      await p.call('MULTI');
      await p.call('XADD', 's', '1-0', 'n', '1');
      await p.call('XADD', 's', '2-0', 'n', '2');
      await p.call('EXEC');
      const [xa, xb] = await Promise.all([ra, rb]);
      assert.deepEqual(JSON.parse(JSON.stringify(xa)), [{ name: 's', messages: [{ id: '1-0', message: { n: '1' } }] }]);
      assert.deepEqual(JSON.parse(JSON.stringify(xb)), [{ name: 's', messages: [{ id: '2-0', message: { n: '2' } }] }]);
    } finally {
      await a.quit();
      await b.quit();
    }
  });

  test('replication: group reads and claims travel as XCLAIM … FORCE JUSTID LASTID and XGROUP SETID / CREATECONSUMER', async () => {
    const c = await fresh(fx());
    const repl = await RespClient.connect(fx().port);
    const w = await fx().client();
    try {
      // (the snapshot is taken before any stream exists: RDB streams come with persistence)
      repl.writeRaw('SYNC\r\n');
      await sleep(100);
      await seeded(c, 3);
      await sleep(50);
      let drained = repl.pending().length;
      const streamed = async (): Promise<string> => {
        await sleep(50);
        const all = repl.pending();
        const s = all.slice(drained);
        drained = all.length;
        return s;
      };
      const claim = (consumer: string, id: string, count: number, last: string): RegExp =>
        new RegExp(`XCLAIM\\r\\n\\$1\\r\\ns\\r\\n\\$1\\r\\ng\\r\\n\\$${consumer.length}\\r\\n${consumer}\\r\\n\\$1\\r\\n0\\r\\n\\$${id.length}\\r\\n${id}\\r\\n\\$4\\r\\nTIME\\r\\n\\$13\\r\\n\\d{13}\\r\\n\\$10\\r\\nRETRYCOUNT\\r\\n\\$1\\r\\n${count}\\r\\n\\$5\\r\\nFORCE\\r\\n\\$6\\r\\nJUSTID\\r\\n\\$6\\r\\nLASTID\\r\\n\\$${last.length}\\r\\n${last}\\r\\n`);
      await c.call('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 's', '>');
      const s1 = await streamed();
      // LASTID is the group's last ID as each entry was delivered
      assert.match(s1, claim('alice', '1-0', 1, '1-0'));
      assert.match(s1, claim('alice', '2-0', 1, '2-0'));
      assert.ok(!s1.includes('XREADGROUP'));
      await c.call('XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'STREAMS', 's', '>');
      const s2 = await streamed();
      assert.match(s2, /XGROUP\r\n\$14\r\nCREATECONSUMER\r\n\$1\r\ns\r\n\$1\r\ng\r\n\$3\r\nbob\r\n/);
      assert.match(s2, /XGROUP\r\n\$5\r\nSETID\r\n\$1\r\ns\r\n\$1\r\ng\r\n\$3\r\n3-0\r\n\$11\r\nENTRIESREAD\r\n\$1\r\n3\r\n$/);
      await c.call('XCLAIM', 's', 'g', 'carol', '0', '1-0');
      assert.match(await streamed(), claim('carol', '1-0', 2, '3-0'));
      await c.call('XDEL', 's', '2-0');
      await c.call('XAUTOCLAIM', 's', 'g', 'dave', '0', '-');
      const s3 = await streamed();
      assert.match(s3, claim('dave', '1-0', 3, '3-0'));
      assert.match(s3, claim('alice', '2-0', 1, '3-0'), 'the deleted entry is cleared on the replica the same way');
      // a blocked reader served later
      w.send('XREADGROUP', 'GROUP', 'g', 'erin', 'BLOCK', '0', 'STREAMS', 's', '>');
      await waitBlocked(c, 1);
      await c.call('XADD', 's', '4-0', 'f', '4');
      await w.read();
      assert.match(await streamed(), claim('erin', '4-0', 1, '4-0'));
      // nothing to read: nothing streamed
      await c.call('XREADGROUP', 'GROUP', 'g', 'erin', 'STREAMS', 's', '>');
      assert.equal(await streamed(), '');
    } finally {
      repl.close();
    }
  });
});
