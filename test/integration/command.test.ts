import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { ReplyError, type Reply } from '../helpers/resp-client.ts';

/** A RESP3 map reply as a plain object (keys as strings). */
function obj(r: Reply): Record<string, Reply> {
  assert.ok(r !== null && typeof r === 'object' && !Array.isArray(r) && 'map' in r, `not a map: ${JSON.stringify(r)}`);
  return Object.fromEntries(r.map.map(([k, v]): [string, Reply] => [String(k), v]));
}

function setOf(r: Reply): Reply[] {
  assert.ok(r !== null && typeof r === 'object' && !Array.isArray(r) && 'set' in r, `not a set: ${JSON.stringify(r)}`);
  return r.set;
}

describeServer('COMMAND', (fx) => {
  test('COUNT, LIST and the full table agree (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      const count = (await r.call('COMMAND', 'COUNT')) as number;
      const all = (await r.call('COMMAND')) as unknown[][];
      assert.equal(all.length, count);
      const list = (await r.call('COMMAND', 'LIST')) as string[];
      const top = list.filter((n) => !n.includes('|'));
      assert.equal(top.length, count);
      assert.deepEqual(new Set(all.map((e) => e[0])), new Set(top));
      for (const name of ['get', 'set', 'config|get', 'client|list', 'command|docs', 'debug', 'info', 'zadd', 'object|encoding']) {
        assert.ok(list.includes(name), name);
      }
      // a container is listed right before its subcommands
      const i = list.indexOf('config');
      assert.ok(list.slice(i + 1, i + 6).every((n) => n.startsWith('config|')));
    } finally {
      r.disconnect();
    }
  });

  test('COMMAND INFO: Redis 7.0 layout, key specs, tips, subcommands, unknown names', async () => {
    const c = await fx().client();
    const [get, nosuch, bad1, bad2] = (await c.call('COMMAND', 'INFO', 'GET', 'nosuch', 'get|key', 'config|get|key')) as Reply[][];
    assert.deepEqual(get!.slice(0, 6), ['get', 2, ['readonly', 'fast'], 1, 1, 1]);
    assert.deepEqual(get![6], ['@read', '@string', '@fast']);
    assert.deepEqual(get![7], []);
    assert.deepEqual(get![8], [['flags', ['RO', 'access'], 'begin_search', ['type', 'index', 'spec', ['index', 1]], 'find_keys', ['type', 'range', 'spec', ['lastkey', 0, 'keystep', 1, 'limit', 0]]]]);
    assert.deepEqual(get![9], []);
    assert.equal(nosuch, null);
    assert.equal(bad1, null);
    assert.equal(bad2, null);
    assert.equal(await c.callRaw('COMMAND', 'INFO', 'nosuch'), '*1\r\n$-1\r\n');
    const [lmove] = (await c.call('COMMAND', 'INFO', 'lmove')) as Reply[][];
    assert.deepEqual((lmove![8] as Reply[][]).map((k) => k[1]), [['RW', 'access', 'delete'], ['RW', 'insert']]);
    const [dbsize] = (await c.call('COMMAND', 'INFO', 'dbsize')) as Reply[][];
    assert.deepEqual(dbsize![6], ['@keyspace', '@read', '@fast']);
    assert.deepEqual(dbsize![7], ['request_policy:all_shards', 'response_policy:agg_sum']);
    const [zunionstore] = (await c.call('COMMAND', 'INFO', 'zunionstore')) as Reply[][];
    assert.deepEqual(zunionstore![2], ['write', 'denyoom', 'movablekeys']);
    const [sort] = (await c.call('COMMAND', 'INFO', 'sort')) as Reply[][];
    assert.ok((sort![2] as string[]).includes('movablekeys'));
    assert.deepEqual((sort![8] as Reply[][]).length, 3);
    for (const name of ['set', 'mset', 'lpop', 'blpop', 'rename', 'memory|usage']) {
      const [e] = (await c.call('COMMAND', 'INFO', name)) as Reply[][];
      assert.ok(!(e![2] as string[]).includes('movablekeys'), name);
    }
    const [config] = (await c.call('COMMAND', 'INFO', 'config')) as Reply[][];
    assert.deepEqual(config!.slice(0, 3), ['config', -2, []]);
    const subs = (config![9] as Reply[][]).map((s) => s[0]).sort();
    assert.deepEqual(subs, ['config|get', 'config|help', 'config|resetstat', 'config|rewrite', 'config|set']);
    // the whole table is the same as INFO of every name
    const all = (await c.call('COMMAND')) as Reply[][];
    const one = (await c.call('COMMAND', 'INFO', ...all.map((e) => e[0] as string))) as Reply[][];
    assert.deepEqual(one, all);
    assert.deepEqual(await c.call('COMMAND', 'INFO'), all);
  });

  test('COMMAND INFO and DOCS in RESP3: sets and maps', async () => {
    const c = await fx().client();
    await c.call('HELLO', '3');
    const [get] = (await c.call('COMMAND', 'INFO', 'get')) as Reply[][];
    assert.deepEqual(setOf(get![2]), ['readonly', 'fast']);
    const ks = setOf(get![8]);
    assert.deepEqual(setOf(obj(ks[0]!).flags!), ['RO', 'access']);
    assert.deepEqual(obj(obj(obj(ks[0]!).begin_search!).spec!), { index: 1 });
    assert.deepEqual(setOf(get![9]), []);
    const docs = obj(await c.call('COMMAND', 'DOCS', 'get', 'nosuch', 'zadd'));
    assert.deepEqual(Object.keys(docs), ['get', 'zadd']);
    const g = obj(docs.get!);
    assert.equal(g.since, '1.0.0');
    assert.equal(g.group, 'string');
    assert.deepEqual((g.arguments as Reply[]).map((a) => obj(a)), [{ name: 'key', type: 'key', display_text: 'key', key_spec_index: 0 }]);
    assert.equal(obj(docs.zadd!).group, 'sorted-set');
    const cfg = obj(obj(await c.call('COMMAND', 'DOCS', 'config')).config!);
    assert.deepEqual(Object.keys(obj(cfg.subcommands!)).sort(), ['config|get', 'config|help', 'config|resetstat', 'config|rewrite', 'config|set']);
    const getset = obj(obj(await c.call('COMMAND', 'DOCS', 'getset')).getset!);
    assert.equal(getset.deprecated_since, '6.2.0');
    assert.deepEqual(setOf(getset.doc_flags!), ['deprecated']);
    const info = obj(obj(await c.call('COMMAND', 'DOCS', 'info')).info!);
    assert.deepEqual(setOf(info.history!), [['7.0.0', 'Added support for taking multiple section arguments.']]);
    const all = obj(await c.call('COMMAND', 'DOCS'));
    assert.equal(Object.keys(all).length, (await c.call('COMMAND', 'COUNT')) as number);
  });

  test('COMMAND DOCS in RESP2 (node-redis)', async () => {
    const c = await nodeRedis(fx().port);
    try {
      const r = (await c.sendCommand(['COMMAND', 'DOCS', 'dbsize'])) as unknown[];
      assert.deepEqual(r, ['dbsize', ['summary', 'Returns the number of keys in the database.', 'since', '1.0.0', 'group', 'server', 'complexity', 'O(1)']]);
      assert.deepEqual(await c.sendCommand(['COMMAND', 'DOCS', 'nosuch']), []);
    } finally {
      c.destroy();
    }
  });

  test('COMMAND LIST FILTERBY and its errors', async () => {
    const c = await fx().client();
    assert.deepEqual(await c.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'set'), ['set']);
    const cfg = (await c.call('COMMAND', 'LIST', 'filterby', 'pattern', 'config|*re*')) as string[];
    assert.deepEqual(cfg.sort(), ['config|resetstat', 'config|rewrite']);
    const help = (await c.call('COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'CL*HELP')) as string[];
    assert.ok(help.includes('client|help'));
    const dangerous = (await c.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'Dangerous')) as string[];
    assert.ok(dangerous.includes('flushall') && dangerous.includes('keys') && !dangerous.includes('get'));
    assert.deepEqual(await c.call('COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuchcategory'), []);
    assert.deepEqual(await c.call('COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'nosuchmodule'), []);
    for (const bad of [['bad_arg'], ['filterby', 'bad_arg'], ['filterby', 'bad_arg', 'x'], ['filterby', 'pattern', 'a', 'b'], ['filterby', 'pattern', 'a', 'filterby']]) {
      assert.equal(await c.callRaw('COMMAND', 'LIST', ...bad), '-ERR syntax error\r\n', bad.join(' '));
    }
  });

  test('COMMAND GETKEYS / GETKEYSANDFLAGS (ioredis, node-redis)', async () => {
    const r = await ioredis(fx().port);
    const n = await nodeRedis(fx().port, 3);
    try {
      assert.deepEqual(await r.call('COMMAND', 'GETKEYS', 'GET', 'key'), ['key']);
      assert.deepEqual(await r.call('COMMAND', 'GETKEYS', 'MEMORY', 'USAGE', 'key'), ['key']);
      assert.deepEqual(await r.call('COMMAND', 'GETKEYS', 'LCS', 'key1', 'key2'), ['key1', 'key2']);
      const many = Array.from({ length: 260 }, (_, i) => `key${i + 1}`);
      assert.deepEqual(await r.call('COMMAND', 'GETKEYS', 'ZUNIONSTORE', 'target', String(many.length), ...many), ['target', ...many]);
      assert.deepEqual(await r.call('COMMAND', 'GETKEYS', 'SORT', 'k', 'LIMIT', '0', '1', 'STORE', 'dst'), ['k', 'dst']);
      assert.deepEqual(await n.commandGetKeysAndFlags(['SET', 'k1', 'v1']), [{ key: 'k1', flags: ['OW', 'update'] }]);
      assert.deepEqual(await n.commandGetKeysAndFlags(['MSET', 'k1', 'v1', 'k2', 'v2']), [{ key: 'k1', flags: ['OW', 'update'] }, { key: 'k2', flags: ['OW', 'update'] }]);
      assert.deepEqual(await n.commandGetKeysAndFlags(['LMOVE', 'k1', 'k2', 'left', 'right']), [{ key: 'k1', flags: ['RW', 'access', 'delete'] }, { key: 'k2', flags: ['RW', 'insert'] }]);
      assert.deepEqual(await n.commandGetKeysAndFlags(['SORT', 'k1', 'STORE', 'k2']), [{ key: 'k1', flags: ['RO', 'access'] }, { key: 'k2', flags: ['OW', 'update'] }]);
      await assert.rejects(r.call('COMMAND', 'GETKEYS', 'NOSUCH', 'a'), /^ReplyError: ERR Invalid command specified/);
      await assert.rejects(r.call('COMMAND', 'GETKEYS', 'CONFIG', 'NOSUCH', 'a'), /ERR Invalid command specified/);
      await assert.rejects(r.call('COMMAND', 'GETKEYS', 'PING', 'a'), /ERR The command has no key arguments/);
      await assert.rejects(r.call('COMMAND', 'GETKEYS', 'GET', 'a', 'b'), /ERR Invalid number of arguments specified for command/);
      await assert.rejects(r.call('COMMAND', 'GETKEYS', 'ZUNIONSTORE', 'd', 'x', 'a'), /ERR Invalid arguments specified for command/);
      await assert.rejects(r.call('COMMAND', 'GETKEYS', 'ZUNIONSTORE', 'd', '5', 'a'), /ERR Invalid arguments specified for command/);
      await assert.rejects(r.call('COMMAND', 'GETKEYS'), /ERR wrong number of arguments for 'command\|getkeys' command/);
    } finally {
      r.disconnect();
      n.destroy();
    }
  });

  test('COMMAND HELP, unknown subcommands, arity', async () => {
    const c = await fx().client();
    const help = (await c.call('COMMAND', 'help')) as string[];
    assert.equal(help[0], 'COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.deepEqual(help.slice(-2), ['HELP', '    Print this help.']);
    assert.ok(help.includes('GETKEYSANDFLAGS <full-command>'));
    assert.equal(await c.callRaw('COMMAND', 'NOSUCH'), "-ERR unknown subcommand 'NOSUCH'. Try COMMAND HELP.\r\n");
    assert.equal(await c.callRaw('COMMAND', 'COUNT', 'x'), "-ERR wrong number of arguments for 'command|count' command\r\n");
    const e = await c.call('COMMAND', 'HELP', 'x');
    assert.ok(e instanceof ReplyError && e.message.includes("'command|help'"));
  });
});
