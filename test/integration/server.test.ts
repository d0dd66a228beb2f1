import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { ReplyError, RespClient } from '../helpers/resp-client.ts';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFromConfig, startServer } from '../../src/index.ts';
import { parseArgs } from '../../src/config/config.ts';

describeServer('server, connection and protocol', (fx) => {
  test('DBSIZE, FLUSHDB, FLUSHALL: per database, ASYNC/SYNC, syntax errors (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.select(9);
      for (let i = 0; i < 50; i++) await r.set(`k${i}`, String(i));
      assert.equal(await r.dbsize(), 50);
      await r.select(10);
      await r.set('x', '1');
      assert.equal(await r.dbsize(), 1);
      assert.equal(await r.flushdb('ASYNC'), 'OK');
      assert.equal(await r.dbsize(), 0);
      await r.select(9);
      assert.equal(await r.dbsize(), 50, 'FLUSHDB empties only the selected database');
      await assert.rejects(r.call('FLUSHDB', 'NOW'), /^ReplyError: ERR syntax error/);
      await assert.rejects(r.call('FLUSHALL', 'SYNC', 'ASYNC'), /ERR syntax error/);
      assert.equal(await r.dbsize(), 50);
      await r.select(11);
      await r.set('y', '1');
      assert.equal(await r.call('FLUSHALL', 'sync'), 'OK');
      for (const db of [9, 10, 11]) {
        await r.select(db);
        assert.equal(await r.dbsize(), 0);
      }
      assert.equal(await r.flushdb(), 'OK', 'flushing an empty database is fine');
    } finally {
      r.disconnect();
    }
  });

  test('FLUSHDB and FLUSHALL abort transactions watching the flushed keys', async () => {
    const a = await ioredis(fx().port);
    const b = await ioredis(fx().port);
    try {
      for (const flush of ['FLUSHDB', 'FLUSHALL']) {
        await a.set('w', '1');
        await a.watch('w');
        await b.call(flush);
        assert.equal(await a.multi().set('w', '2').exec(), null, flush);
        assert.equal(await a.get('w'), null);
      }
    } finally {
      a.disconnect();
      b.disconnect();
    }
  });

  test('SWAPDB: swaps the data of two databases; index errors as Redis', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('SELECT', '1');
    await c.call('SET', 'in1', 'a');
    await c.call('SELECT', '2');
    await c.call('SET', 'in2', 'b');
    await c.call('EXPIRE', 'in2', '100');
    assert.equal(await c.callRaw('SWAPDB', '1', '2'), '+OK\r\n');
    assert.equal(await c.call('GET', 'in1'), 'a');
    assert.equal(await c.call('GET', 'in2'), null);
    await c.call('SELECT', '1');
    assert.equal(await c.call('GET', 'in2'), 'b');
    assert.ok(((await c.call('TTL', 'in2')) as number) > 90, 'TTLs move with their keys');
    assert.equal(await c.callRaw('SWAPDB', '3', '3'), '+OK\r\n');
    const errors: Array<[string[], string]> = [
      [['x', '0'], 'ERR invalid first DB index'],
      [['0', 'x'], 'ERR invalid second DB index'],
      [['4294967296', '0'], 'ERR invalid first DB index'],
      [['1.5', '0'], 'ERR invalid first DB index'],
      [['0', '16'], 'ERR DB index is out of range'],
      [['-1', '0'], 'ERR DB index is out of range'],
    ];
    for (const [args, msg] of errors) assert.equal(await c.callRaw('SWAPDB', ...args), `-${msg}\r\n`, args.join(' '));
    assert.equal(await c.callRaw('SWAPDB', '1'), "-ERR wrong number of arguments for 'swapdb' command\r\n");
  });

  test('SWAPDB serves a client blocked on a key that now exists', async () => {
    const a = await fx().client();
    const b = await fx().client();
    await b.call('FLUSHALL');
    await a.call('SELECT', '5');
    a.send('BLPOP', 'q', '5');
    await new Promise((res) => setTimeout(res, 50));
    await b.call('SELECT', '6');
    await b.call('RPUSH', 'q', 'item');
    await b.call('SWAPDB', '5', '6');
    assert.deepEqual(await a.read(), ['q', 'item']);
  });

  test('TIME and LASTSAVE (node-redis)', async () => {
    const n = await nodeRedis(fx().port);
    try {
      const [secs, micros] = (await n.sendCommand(['TIME'])) as [string, string];
      assert.match(secs, /^\d+$/);
      assert.match(micros, /^\d{1,6}$/);
      assert.ok(Math.abs(Number(secs) - Date.now() / 1000) < 5);
      const last = await n.lastSave();
      assert.ok(last <= Math.ceil(Date.now() / 1000) && last > Date.now() / 1000 - 3600);
      await assert.rejects(n.sendCommand(['TIME', 'x']), /wrong number of arguments for 'time' command/);
    } finally {
      n.destroy();
    }
  });

  test('INFO: sections, headers, CRLF lines, all/everything/default, case, unknown sections', async () => {
    const c = await fx().client();
    const info = (await c.call('INFO')) as string;
    const headers = info.split('\r\n').filter((l) => l.startsWith('# '));
    assert.deepEqual(headers, ['# Server', '# Clients', '# Memory', '# Persistence', '# Stats', '# Replication', '# CPU', '# Modules', '# Errorstats', '# Cluster', '# Keyspace']);
    assert.ok(!info.includes('\n\n') && !/[^\r]\n/.test(info), 'lines end with CRLF');
    assert.ok(info.endsWith('\r\n'));
    for (const field of ['redis_version:7.4.1', 'redis_mode:standalone', `tcp_port:${fx().port}`, `process_id:${process.pid}`, 'arch_bits:', 'uptime_in_seconds:', 'uptime_in_days:', 'hz:10', 'executable:', 'config_file:', 'shardis_version:', 'connected_clients:', 'blocked_clients:', 'used_memory:', 'used_memory_human:', 'maxmemory:0', 'maxmemory_policy:noeviction', 'rdb_changes_since_last_save:', 'total_connections_received:', 'total_commands_processed:', 'instantaneous_ops_per_sec:', 'keyspace_hits:', 'keyspace_misses:', 'expired_keys:', 'rejected_connections:', 'total_error_replies:', 'role:master', 'used_cpu_user:', 'cluster_enabled:0']) {
      assert.ok(info.includes(`\r\n${field}`), field);
    }
    assert.match(info, /\r\nused_memory_human:\d+(\.\d\d[KMGTP]|B)\r\n/);
    for (const arg of ['all', 'everything']) {
      const all = (await c.call('INFO', arg)) as string;
      assert.ok(all.includes('# Commandstats\r\ncmdstat_') && all.includes('rejected_calls=') && all.includes('# Latencystats\r\n'), arg);
    }
    const def = (await c.call('INFO', 'default')) as string;
    assert.ok(!def.includes('rejected_calls') && def.includes('# Keyspace'));
    const cpu = (await c.call('INFO', 'CPU')) as string;
    assert.match(cpu, /^# CPU\r\nused_cpu_sys:\d+\.\d{6}\r\nused_cpu_user:\d+\.\d{6}\r\n/);
    const two = (await c.call('INFO', 'cpu', 'server', 'cpu', 'sentinel')) as string;
    assert.deepEqual(two.split('\r\n').filter((l) => l.startsWith('# ')), ['# Server', '# CPU']);
    assert.ok(two.includes('\r\n\r\n# CPU\r\n'), 'sections are separated by an empty line');
    const cpuAll = (await c.call('INFO', 'cpu', 'all')) as string;
    assert.equal(cpuAll.split('used_cpu_user_children').length, 2, 'no section twice');
    assert.equal(await c.callRaw('INFO', 'nosuchsection'), '$0\r\n\r\n');
    assert.equal(await c.callRaw('INFO', 'modules'), '$11\r\n# Modules\r\n\r\n');
  });

  test('INFO in RESP3 is a verbatim string; INFO with ioredis and node-redis', async () => {
    const c = await fx().client();
    await c.call('HELLO', '3');
    const raw = await c.callRaw('INFO', 'server');
    assert.match(raw, /^=\d+\r\ntxt:# Server\r\nredis_version:7\.4\.1\r\n/);
    const r = await ioredis(fx().port);
    const n = await nodeRedis(fx().port, 3);
    try {
      assert.match(await r.info('keyspace'), /^# Keyspace\r\n/);
      assert.match(await n.info('clients'), /^# Clients\r\nconnected_clients:\d+\r\n/);
    } finally {
      r.disconnect();
      n.destroy();
    }
  });

  test('INFO stats: keyspace, commandstats, errorstats, hits and misses; CONFIG RESETSTAT', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('SELECT', '3');
    await c.call('SET', 'a', '1');
    await c.call('SET', 'b', '2', 'EX', '1000');
    await c.call('GET', 'a');
    await c.call('GET', 'nope');
    await c.call('LPUSH', 'a', 'x');
    await c.call('NOSUCHCOMMAND');
    await c.call('GET');
    await c.call('CLIENT', 'SETNAME', 'a b');
    await c.call('CLIENT', 'SETNAME', 'ok');
    const keyspace = (await c.call('INFO', 'keyspace')) as string;
    assert.match(keyspace, /\r\ndb3:keys=2,expires=1,avg_ttl=\d+,subexpiry=0\r\n/);
    const avg = Number(/avg_ttl=(\d+)/.exec(keyspace)![1]);
    assert.ok(avg > 990_000 && avg <= 1_000_000, String(avg));
    const stats = (await c.call('INFO', 'commandstats')) as string;
    assert.match(stats, /\r\ncmdstat_set:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=0,failed_calls=0\r\n/);
    assert.match(stats, /\r\ncmdstat_get:calls=2,usec=\d+,usec_per_call=\d+\.\d\d,rejected_calls=1,failed_calls=0\r\n/);
    assert.match(stats, /\r\ncmdstat_lpush:calls=1,.*,rejected_calls=0,failed_calls=1\r\n/);
    assert.match(stats, /\r\ncmdstat_client\|setname:calls=2,.*,failed_calls=1\r\n/);
    const errors = (await c.call('INFO', 'errorstats')) as string;
    assert.equal(errors, '# Errorstats\r\nerrorstat_ERR:count=3\r\nerrorstat_WRONGTYPE:count=1\r\n');
    const s = (await c.call('INFO', 'stats')) as string;
    assert.match(s, /\r\nkeyspace_hits:1\r\nkeyspace_misses:1\r\n/);
    assert.match(s, /\r\ntotal_error_replies:4\r\n/);
    assert.equal(await c.callRaw('CONFIG', 'RESETSTAT'), '+OK\r\n');
    const after = (await c.call('INFO', 'all')) as string;
    assert.ok(!after.includes('cmdstat_set:') && !after.includes('errorstat_'));
    assert.match(after, /\r\nkeyspace_hits:0\r\nkeyspace_misses:0\r\n/);
    assert.match(after, /\r\ntotal_error_replies:0\r\n/);
    assert.match(after, /\r\ncmdstat_config\|resetstat:calls=1,/, 'RESETSTAT itself is counted once it ran, as in Redis');
    await c.call('SELECT', '0');
  });

  test("INFO's Redis 7.2 / 7.4 fields: listeners, pub/sub clients, ACL denials, buffer limit disconnections, event loop", async () => {
    const c = await fx().client();
    const field = async (section: string, name: string): Promise<string> => {
      const m = new RegExp(`\r\n${name}:([^\r]*)\r\n`).exec((await c.call('INFO', section)) as string);
      assert.ok(m, `INFO ${section} has ${name}`);
      return m[1]!;
    };
    assert.match(await field('server', 'listener0'), new RegExp(`^name=tcp(,bind=[^,]+)+,port=${fx().port}$`));
    // pub/sub mode: any channel, pattern or shard channel
    const before = Number(await field('clients', 'pubsub_clients'));
    const sub = await fx().client();
    await sub.call('PSUBSCRIBE', 'p*');
    assert.equal(Number(await field('clients', 'pubsub_clients')), before + 1);
    await sub.call('PUNSUBSCRIBE');
    assert.equal(Number(await field('clients', 'pubsub_clients')), before);
    // ACL denials by kind, counted whether or not ACL LOG keeps them, not reset by CONFIG RESETSTAT
    const kinds = ['auth', 'cmd', 'key', 'channel'];
    const denied = async (): Promise<number[]> => Promise.all(kinds.map(async (k) => Number(await field('stats', `acl_access_denied_${k}`))));
    const d0 = await denied();
    await c.call('ACL', 'SETUSER', 'info-denied', 'on', 'nopass', '+get', '+publish', '~k');
    const u = await fx().client();
    assert.match(String(await u.call('AUTH', 'info-denied', 'x').catch((e: Error) => e.message)), /OK/);
    await u.call('GET', 'other');
    await u.call('GET', 'other');
    await u.call('SET', 'k', 'v');
    await u.call('PUBLISH', 'ch', 'm');
    await u.call('AUTH', 'nobody', 'x');
    await c.call('CONFIG', 'RESETSTAT');
    assert.deepEqual((await denied()).map((n, i) => n - d0[i]!), [1, 1, 2, 1]);
    await c.call('ACL', 'DELUSER', 'info-denied');
    // a client over client-query-buffer-limit is closed and counted; RESETSTAT zeroes the count
    await c.call('CONFIG', 'SET', 'client-query-buffer-limit', '1mb');
    const big = await fx().client();
    const closed = new Promise<void>((resolve) => big.socket.once('close', () => resolve()));
    big.writeRaw(`*2\r\n$3\r\nGET\r\n$${3 * 1024 * 1024}\r\n`);
    big.writeRaw(Buffer.alloc(1024 * 1024 + 10, 'x'));
    await closed;
    await c.call('CONFIG', 'SET', 'client-query-buffer-limit', '1gb');
    assert.equal(await field('stats', 'client_query_buffer_limit_disconnections'), '1');
    assert.equal(await field('stats', 'client_output_buffer_limit_disconnections'), '0');
    await c.call('CONFIG', 'RESETSTAT');
    assert.equal(await field('stats', 'client_query_buffer_limit_disconnections'), '0');
    for (const f of ['eventloop_cycles', 'eventloop_duration_sum', 'eventloop_duration_cmd_sum', 'instantaneous_eventloop_cycles_per_sec', 'instantaneous_eventloop_duration_usec']) {
      assert.match(await field('stats', f), /^\d+$/, f);
    }
    assert.ok(Number(await field('stats', 'eventloop_cycles')) > 0);
  });

  test('CONFIG GET and SET (node-redis RESP3, RespClient exact bytes)', async () => {
    const n = await nodeRedis(fx().port, 3);
    const c = await fx().client();
    try {
      assert.deepEqual(await n.configGet('maxmemory'), { maxmemory: '0' });
      assert.deepEqual(await n.configGet(['hash-max-listpack-*', 'zset-max-listpack-entries', 'ZSET-MAX-LISTPACK-ENTRIES']), {
        'hash-max-listpack-entries': '512', 'hash-max-listpack-value': '64', 'zset-max-listpack-entries': '128',
      });
      assert.equal(await n.configSet({ 'maxmemory-policy': 'allkeys-lru', maxmemory: '100mb', 'lua-time-limit': '4000' }), 'OK');
      assert.deepEqual(await n.configGet(['maxmemory', 'maxmemory-policy', 'busy-reply-threshold']), {
        maxmemory: '104857600', 'maxmemory-policy': 'allkeys-lru', 'busy-reply-threshold': '4000',
      });
      assert.equal(await c.callRaw('CONFIG', 'GET', 'MAXMEMORY'), '*2\r\n$9\r\nMAXMEMORY\r\n$9\r\n104857600\r\n');
      assert.equal(await c.callRaw('CONFIG', 'GET', 'nosuch'), '*0\r\n');
      const all = (await c.call('CONFIG', 'GET', '*')) as string[];
      assert.ok(all.length > 300 && all.includes('slave-read-only') && !all.includes('rdb-key-save-delay'), 'aliases listed, hidden parameters not');
      assert.deepEqual(await c.call('CONFIG', 'GET', 'rdb-key-save-delay'), ['rdb-key-save-delay', '0']);
      const errors: Array<[string[], string]> = [
        [['nosuch', '1'], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"],
        [['maxmemory', '1', 'nosuch', '1'], "ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'"],
        [['maxmemory', '1', 'maxmemory'], 'ERR syntax error'],
        [['Databases', '4'], "ERR CONFIG SET failed (possibly related to argument 'Databases') - can't set immutable config"],
        [['dir', '/tmp'], "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"],
        [['maxmemory', '1', 'MAXMEMORY', '2'], "ERR CONFIG SET failed (possibly related to argument 'MAXMEMORY') - duplicate parameter"],
        [['maxmemory', 'lots'], "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"],
        [['hz', '1', 'ziplist-nope', '3'], "ERR Unknown option or number of arguments for CONFIG SET - 'ziplist-nope'"],
        [['lua-time-limit', 'x'], "ERR CONFIG SET failed (possibly related to argument 'lua-time-limit') - argument couldn't be parsed into an integer"],
        [['busy-reply-threshold', 'x'], "ERR CONFIG SET failed (possibly related to argument 'busy-reply-threshold') - argument couldn't be parsed into an integer"],
        [['appendonly', 'maybe'], "ERR CONFIG SET failed (possibly related to argument 'appendonly') - argument must be 'yes' or 'no'"],
      ];
      for (const [args, msg] of errors) assert.equal(await c.callRaw('CONFIG', 'SET', ...args), `-${msg}\r\n`, args.join(' '));
      assert.equal(await c.callRaw('CONFIG', 'SET', 'maxmemory'), "-ERR wrong number of arguments for 'config|set' command\r\n");
      // all or nothing: a bad value leaves the earlier ones unchanged
      assert.match(await c.callRaw('CONFIG', 'SET', 'maxmemory', '5mb', 'maxmemory-policy', 'bad'), /^-ERR CONFIG SET failed/);
      assert.deepEqual(await c.call('CONFIG', 'GET', 'maxmemory'), ['maxmemory', '104857600']);
      await n.configSet({ 'maxmemory-policy': 'noeviction', maxmemory: '0', 'busy-reply-threshold': '5000' });
      const help = (await c.call('CONFIG', 'HELP')) as string[];
      assert.equal(help[0], 'CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
      assert.equal(await c.callRaw('CONFIG', 'REWRITE'), '-ERR The server is running without a config file\r\n');
    } finally {
      n.destroy();
    }
  });

  test('CONFIG sanity: every parameter can be set to the value CONFIG GET shows, unless immutable or protected', async () => {
    const c = await fx().client();
    const before = (await c.call('CONFIG', 'GET', '*')) as string[];
    assert.ok(before.includes('port') && before[before.indexOf('port') + 1] === String(fx().port), 'port 0 reports the bound port');
    for (let i = 0; i < before.length; i += 2) {
      const r = await c.callRaw('CONFIG', 'SET', before[i]!, before[i + 1]!);
      if (r !== '+OK\r\n') assert.match(r, /can't set (immutable|protected) config/, `${before[i]} ${before[i + 1]}: ${r}`);
    }
    assert.deepEqual(await c.call('CONFIG', 'GET', '*'), before);
    assert.equal(await c.callRaw('CONFIG', 'SET', 'port', String(fx().port + 1)),
      "-ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs.\r\n");
    assert.equal(await c.callRaw('CONFIG', 'SET', 'shards', '7'), "-ERR CONFIG SET failed (possibly related to argument 'shards') - can't set immutable config\r\n");
  });

  test('CONFIG SET takes effect: list/hash encodings, proto-max-bulk-len, maxclients', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '2', 'zset-max-ziplist-entries', '2');
    await c.call('HSET', 'h', 'a', '1', 'b', '2');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'h'), 'listpack');
    await c.call('HSET', 'h', 'c', '3');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'h'), 'hashtable');
    await c.call('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c');
    assert.equal(await c.call('OBJECT', 'ENCODING', 'z'), 'skiplist');
    await c.call('CONFIG', 'SET', 'hash-max-listpack-entries', '512', 'zset-max-listpack-entries', '128');
    await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '1mb');
    const big = 'x'.repeat(1024 * 1024 + 1);
    const b = await fx().client();
    b.writeRaw(`*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${big.length}\r\n`);
    assert.equal(await b.readRaw(), '-ERR Protocol error: invalid bulk length\r\n');
    await c.call('CONFIG', 'SET', 'proto-max-bulk-len', '512mb');
    assert.equal(await c.call('SET', 'k', big), 'OK');
  });

  test('DEBUG OBJECT, POPULATE, DIGEST, DIGEST-VALUE, PROTOCOL, RELOAD, HELP and errors', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    assert.equal(await c.call('DEBUG', 'DIGEST'), '0'.repeat(40));
    assert.equal(await c.callRaw('DEBUG', 'POPULATE', '100'), '+OK\r\n');
    assert.equal(await c.call('DBSIZE'), 100);
    assert.equal(await c.call('GET', 'key:42'), 'value:42');
    await c.call('DEBUG', 'POPULATE', '3', 'p', '10');
    assert.equal(await c.call('GET', 'p:2'), 'value:2\0\0\0');
    await c.call('DEBUG', 'POPULATE', '2', 'q', '3');
    assert.equal(await c.call('GET', 'q:1'), 'val');
    await c.call('SET', 'key:0', 'mine');
    await c.call('DEBUG', 'POPULATE', '1');
    assert.equal(await c.call('GET', 'key:0'), 'mine', 'existing keys are left alone');
    assert.equal(await c.callRaw('DEBUG', 'POPULATE', '-1'), '-ERR value is out of range, must be positive\r\n');
    const d1 = (await c.call('DEBUG', 'DIGEST')) as string;
    assert.match(d1, /^[0-9a-f]{40}$/);
    await c.call('DEBUG', 'RELOAD');
    assert.equal(await c.call('DEBUG', 'DIGEST'), d1, 'RELOAD keeps the dataset');
    await c.call('SET', 'key:0', 'changed');
    assert.notEqual(await c.call('DEBUG', 'DIGEST'), d1);
    // known values (the same as Redis 7.0 computes)
    await c.call('FLUSHALL');
    await c.call('SET', 'a', '1');
    assert.equal(await c.call('DEBUG', 'DIGEST'), '943d800368fb9c0e951138f1bc0e313ac769d91f');
    await c.call('RPUSH', 'l', 'a', 'b', 'c', '1', '2', '300', '-5', '70000');
    await c.call('SADD', 's', 'x', 'y', 'z', '1', '2');
    await c.call('HSET', 'h', 'f', 'v', 'f2', 'v2', 'n', '12');
    await c.call('ZADD', 'z', '1', 'a', '2.5', 'b', '-3', 'c', '1e300', 'd');
    // (the sorted set's digest as Redis 7.4.1's: scores digested as fpconv_dtoa writes them)
    assert.deepEqual(await c.call('DEBUG', 'DIGEST-VALUE', 'a', 'l', 's', 'h', 'z', 'none'), [
      'b4fc66738120fba0b5aa500ab5c2bf89cea1c5da', 'c330e51073099dd2aedd6d471cd3b41f2db6c3da', 'e0f81c61943b16a653d76e4d2fe631764da8f43f',
      '071eb5c2bde0781ec83f6db1bcf3569c333310d2', '7f086732ccbab13dc2eb99add4b0d594038b6b23', '0'.repeat(40),
    ]);
    await c.call('EXPIRE', 'a', '100');
    assert.deepEqual(await c.call('DEBUG', 'DIGEST-VALUE', 'a'), ['5279988c5d1911f474bcbbf2f0a87012d40f8459']);
    assert.match((await c.call('DEBUG', 'OBJECT', 'l')) as string,
      /^Value at:0x[0-9a-f]+ refcount:1 encoding:quicklist serializedlength:34 lru:\d+ lru_seconds_idle:\d+ ql_nodes:1 ql_avg_node:8\.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:31$/);
    assert.match((await c.call('DEBUG', 'OBJECT', 'a')) as string, /^Value at:0x[0-9a-f]+ refcount:2147483647 encoding:int serializedlength:2 lru:\d+ lru_seconds_idle:\d+$/);
    assert.match((await c.call('DEBUG', 'OBJECT', 'h')) as string, / encoding:listpack serializedlength:27 /);
    assert.equal(await c.callRaw('DEBUG', 'OBJECT', 'none'), '-ERR no such key\r\n');
    assert.equal(await c.callRaw('DEBUG', 'PROTOCOL', 'double'), '$5\r\n3.141\r\n');
    assert.equal(await c.callRaw('DEBUG', 'PROTOCOL', 'push'), '-ERR RESP2 is not supported by this command\r\n');
    assert.equal(await c.callRaw('DEBUG', 'RELOAD', 'NOW'), '-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n');
    assert.equal(await c.callRaw('DEBUG', 'ERROR', 'CUSTOM my\nerror'), '-CUSTOM my error\r\n');
    assert.equal(await c.callRaw('DEBUG', 'LISTPACK', 'l'), '-ERR Not a listpack encoded object.\r\n');
    assert.equal(await c.callRaw('DEBUG', 'QUICKLIST', 'l'), '+Quicklist structure printed on stdout\r\n');
    assert.equal(await c.callRaw('DEBUG', 'HTSTATS', '99'), '-ERR Out of range database\r\n');
    assert.equal(await c.callRaw('DEBUG', 'NOSUCH'), "-ERR unknown subcommand or wrong number of arguments for 'NOSUCH'. Try DEBUG HELP.\r\n");
    assert.equal(await c.callRaw('debug', 'object'), "-ERR unknown subcommand or wrong number of arguments for 'object'. Try DEBUG HELP.\r\n");
    const help = (await c.call('DEBUG', 'HELP')) as string[];
    assert.equal(help[0], 'DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.ok(help.includes('DIGEST-VALUE <key> [<key> ...]'));
    assert.deepEqual(help.slice(-2), ['HELP', '    Print this help.']);
  });

  test('DEBUG SLEEP stops the whole server; SET-ACTIVE-EXPIRE switches the active expiry', async () => {
    const a = await fx().client();
    const b = await fx().client();
    await a.call('FLUSHALL');
    // the server runs in this process: its sleep stops this event loop too
    const t0 = Date.now();
    a.send('DEBUG', 'SLEEP', '0.3');
    // with threads a's thread may not have started sleeping yet: b asks once it has
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(await b.call('PING'), 'PONG');
    assert.ok(Date.now() - t0 >= 290, 'the other client waited for the sleep');
    assert.equal(await a.read(), 'OK');
    assert.equal(await a.call('DEBUG', 'SLEEP', '0'), 'OK');
    await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0');
    try {
      await a.call('SET', 'e', '1', 'PX', '30');
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(await a.call('DBSIZE'), 1, 'not expired in the background');
    } finally {
      await a.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
    }
    await new Promise((res) => setTimeout(res, 400));
    assert.equal(await a.call('DBSIZE'), 0);
  });

  test('HELLO 3, CLIENT, RESET, ECHO, QUIT and RESP3 types', async () => {
    const c = await fx().client();
    const hello = await c.call('HELLO', '3', 'SETNAME', 'tester');
    assert.ok(typeof hello === 'object' && hello !== null && 'map' in hello);
    assert.equal(await c.callRaw('CLIENT', 'GETNAME'), '$6\r\ntester\r\n');
    const info = (await c.call('CLIENT', 'INFO')) as { verbatim: string };
    assert.match(info.verbatim, /name=tester .*resp=3/);
    assert.equal(await c.callRaw('HGETALL', 'nope'), '%0\r\n');
    assert.equal(await c.callRaw('CLIENT', 'SETNAME', 'a b'), '-ERR Client names cannot contain spaces, newlines or special characters.\r\n');
    assert.equal(await c.callRaw('RESET'), '+RESET\r\n');
    assert.equal(await c.callRaw('GET', 'nope'), '$-1\r\n');
    assert.equal(await c.callRaw('HELLO', '4'), '-NOPROTO unsupported protocol version\r\n');
    assert.equal(await c.callRaw('ECHO', 'hi'), '$2\r\nhi\r\n');
    c.send('CLIENT', 'REPLY', 'OFF');
    c.send('SET', 'quiet', '1');
    assert.equal(await c.callRaw('CLIENT', 'REPLY', 'ON'), '+OK\r\n');
    assert.equal(await c.callRaw('QUIT'), '+OK\r\n');
    await c.waitClosed();
  });

  test('inline commands, pipelining order, and bad input keeps the server serving', async () => {
    const port = fx().port;
    const c = await RespClient.connect(port);
    c.writeRaw('PING\r\nSET inl "a b"\r\nGET inl\r\n');
    assert.equal(await c.readRaw(), '+PONG\r\n');
    assert.equal(await c.readRaw(), '+OK\r\n');
    assert.equal(await c.readRaw(), '$3\r\na b\r\n');
    let batch = '';
    for (let i = 0; i < 200; i++) batch += `*2\r\n$4\r\nECHO\r\n$${String(i).length}\r\n${i}\r\n`;
    c.writeRaw(batch);
    for (let i = 0; i < 200; i++) assert.equal(await c.readRaw(), `$${String(i).length}\r\n${i}\r\n`);
    const bad: Array<[string, string]> = [
      ['*1\r\n$-5\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
      ['*abc\r\n', '-ERR Protocol error: invalid multibulk length\r\n'],
      ['SET "a\r\n', '-ERR Protocol error: unbalanced quotes in request\r\n'],
      ['*1\r\nfoo\r\n', "-ERR Protocol error: expected '$', got 'f'\r\n"],
      ['*1\r\n$999999999999\r\n', '-ERR Protocol error: invalid bulk length\r\n'],
    ];
    for (const [wire, reply] of bad) {
      const b = await RespClient.connect(port);
      b.writeRaw(wire);
      assert.equal(await b.readRaw(), reply);
      await b.waitClosed();
    }
    const huge = await RespClient.connect(port);
    huge.writeRaw('x'.repeat(70000));
    assert.equal(await huge.readRaw(), '-ERR Protocol error: too big inline request\r\n');
    const e = await c.call('NOSUCH', 'a', 'b');
    assert.ok(e instanceof ReplyError && e.message === "ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ");
    // a client that vanishes mid-reply does not hurt anyone
    const gone = await RespClient.connect(port);
    gone.send('DEBUG', 'POPULATE', '1000');
    gone.send('KEYS', '*');
    gone.close();
    assert.equal(await c.callRaw('PING'), '+PONG\r\n');
    c.close();
  });

  test('MULTI/EXEC/WATCH (node-redis)', async () => {
    const port = fx().port;
    const a = await nodeRedis(port);
    const b = await ioredis(port);
    try {
      assert.deepEqual(await a.multi().set('tx', '1').incr('tx').get('tx').exec(), ['OK', 2, '2']);
      await a.watch('tx');
      await b.set('tx', 'changed');
      await assert.rejects(a.multi().set('tx', 'mine').exec(), /watched keys has been changed/);
      assert.equal(await b.get('tx'), 'changed');
      await assert.rejects(b.multi().set('x', '1').call('NOSUCHCMD').exec(), /EXECABORT/);
      const res = await b.multi().set('y', 'str').lpush('y', 'a').exec();
      assert.equal(res![0]![1], 'OK');
      assert.match(String(res![1]![0]), /WRONGTYPE/);
    } finally {
      a.destroy();
      b.disconnect();
    }
  });
});

test('embedding API: AUTH with requirepass, maxclients', async () => {
  const srv = await startServer({ port: 0, requirepass: 'secret', config: { maxclients: '2' } });
  try {
    const c = await RespClient.connect(srv.port);
    assert.equal(await c.callRaw('GET', 'x'), '-NOAUTH Authentication required.\r\n');
    assert.equal(await c.callRaw('AUTH', 'wrong'), '-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    assert.equal(await c.callRaw('AUTH', 'secret'), '+OK\r\n');
    assert.equal(await c.callRaw('SET', 'x', '1'), '+OK\r\n');
    const c2 = await RespClient.connect(srv.port);
    const c3 = await RespClient.connect(srv.port);
    assert.equal(await c3.readRaw(), '-ERR max number of clients reached\r\n');
    c.close();
    c2.close();
    c3.close();
  } finally {
    await srv.close();
  }
});

test('SHUTDOWN: option errors, ABORT without a shutdown, then the server stops', async () => {
  const srv = await startServer({ port: 0 });
  try {
    const c = await RespClient.connect(srv.port);
    for (const args of [['NOSAVE', 'SAVE'], ['ABORT', 'NOW'], ['WHENEVER']]) {
      assert.equal(await c.callRaw('SHUTDOWN', ...args), '-ERR syntax error\r\n', args.join(' '));
    }
    assert.equal(await c.callRaw('SHUTDOWN', 'ABORT'), '-ERR No shutdown in progress.\r\n');
    c.send('SHUTDOWN', 'NOSAVE', 'NOW');
    await c.waitClosed();
    await assert.rejects(RespClient.connect(srv.port));
  } finally {
    await srv.close();
  }
});

test('CONFIG REWRITE writes the parameters Redis 7.2 added; the cpulists go by their new names and old aliases', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-srv-'));
  const file = join(dir, 'shardis.conf');
  writeFileSync(file, `port 0\ndir ${dir}\nsave ""\nbgsave_cpulist 0-1\nlocale-collate C\n`);
  const srv = await startFromConfig(parseArgs([file, '--loglevel', 'warning']));
  try {
    const c = await RespClient.connect(srv.port);
    assert.deepEqual(await c.call('CONFIG', 'GET', 'bgsave-cpulist'), ['bgsave-cpulist', '0-1']);
    assert.deepEqual(await c.call('CONFIG', 'GET', 'locale-collate'), ['locale-collate', 'C']);
    assert.equal(await c.call('CONFIG', 'SET', 'max-new-connections-per-cycle', '20', 'hide-user-data-from-log', 'yes', 'cluster-announce-human-nodename', 'n-1',
      'max-new-tls-connections-per-cycle', '1', 'maxmemory-samples', '64', 'locale-collate', 'POSIX'), 'OK');
    assert.equal(await c.call('CONFIG', 'REWRITE'), 'OK');
    const text = readFileSync(file, 'latin1');
    // as Redis 7.4: the alias's line is rewritten under the new name, in place
    assert.match(text, /\nbgsave-cpulist "0-1"\nlocale-collate "POSIX"\n/);
    for (const line of ['max-new-connections-per-cycle 20', 'hide-user-data-from-log yes', 'cluster-announce-human-nodename "n-1"', 'maxmemory-samples 64']) {
      assert.ok(text.includes(`\n${line}\n`), `${line} in:\n${text}`);
    }
    // a default is not written
    assert.ok(!text.includes('max-new-tls-connections-per-cycle'));
    c.close();
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CONFIG REWRITE and FLUSHALL/SHUTDOWN saves of a server started from a config file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-srv-'));
  const file = join(dir, 'shardis.conf');
  writeFileSync(file, `# test config\nport 0\ndir ${dir}\nmaxmemory 100mb\nsave ""\n`);
  const srv = await startFromConfig(parseArgs([file, '--loglevel', 'warning']));
  try {
    const c = await RespClient.connect(srv.port);
    assert.match((await c.call('INFO', 'server')) as string, new RegExp(`\\r\\nconfig_file:${file}\\r\\n`));
    assert.equal(await c.callRaw('CONFIG', 'SET', 'maxmemory', '200mb', 'maxmemory-policy', 'allkeys-lfu'), '+OK\r\n');
    assert.equal(await c.callRaw('CONFIG', 'REWRITE'), '+OK\r\n');
    const text = readFileSync(file, 'latin1');
    assert.match(text, /^# test config\nport 0\ndir "[^"]+"\nmaxmemory 200mb\nsave ""\n/);
    assert.match(text, /# Generated by CONFIG REWRITE\n(.*\n)*maxmemory-policy allkeys-lfu\n/);
    // FLUSHALL saves the (empty) dataset once save points are configured, and resets the change counter
    await c.call('SET', 'k', 'v');
    await c.call('FLUSHALL');
    assert.match((await c.call('INFO', 'persistence')) as string, /\r\nrdb_changes_since_last_save:[1-9]\d*\r\n/);
    assert.ok(!existsSync(join(dir, 'dump.rdb')));
    await c.call('CONFIG', 'SET', 'save', '3600 1 300 100');
    await c.call('SET', 'k', 'v');
    await c.call('FLUSHALL');
    const persistence = (await c.call('INFO', 'persistence')) as string;
    assert.match(persistence, /\r\nrdb_changes_since_last_save:0\r\n/);
    assert.match(persistence, /\r\nrdb_saves:1\r\n/);
    assert.ok(existsSync(join(dir, 'dump.rdb')));
    assert.equal(readFileSync(join(dir, 'dump.rdb')).subarray(0, 9).toString(), 'REDIS0010');
    assert.ok(((await c.call('LASTSAVE')) as number) >= Math.floor(Date.now() / 1000) - 5);
    // SHUTDOWN with save points saves the dataset first
    await c.call('SET', 'kept', '1');
    c.send('SHUTDOWN');
    await c.waitClosed();
    assert.ok(readFileSync(join(dir, 'dump.rdb')).includes('kept'));
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
