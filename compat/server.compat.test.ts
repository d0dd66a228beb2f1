import assert from 'node:assert/strict';
import { describeCompat, runScript, type Pair } from './harness.ts';
import type { Reply, RespClient } from '../test/helpers/resp-client.ts';

/** Replies of one command on both servers. */
async function both(p: Pair, ...cmd: string[]): Promise<[Reply, Reply]> {
  return Promise.all([p.redis.call(...cmd), p.shardis.call(...cmd)]);
}

/** CONFIG GET's flat name/value array as a Map. */
function pairs(r: Reply): Map<string, string> {
  const a = r as string[];
  const m = new Map<string, string>();
  for (let i = 0; i < a.length; i += 2) m.set(a[i]!, a[i + 1]!);
  return m;
}

/** INFO fields of Redis 7.4 that 7.0.15 lacks (v74-behaviour compares their names and order with 7.4.1). */
const V74_FIELDS = new Set([
  'expired_subkeys', 'total_blocking_keys', 'total_blocking_keys_on_nokey', 'listener0',
  'pubsub_clients', 'watching_clients', 'total_watched_keys', 'allocator_muzzy', 'mem_overhead_db_hashtable_rehashing', 'evicted_scripts',
  'client_query_buffer_limit_disconnections', 'client_output_buffer_limit_disconnections', 'eventloop_cycles', 'eventloop_duration_sum',
  'eventloop_duration_cmd_sum', 'instantaneous_eventloop_cycles_per_sec', 'instantaneous_eventloop_duration_usec',
  'acl_access_denied_auth', 'acl_access_denied_cmd', 'acl_access_denied_key', 'acl_access_denied_channel',
  // shardis's own, after Redis's (rate limits, security/rate-limit.ts)
  'rate_limited_commands', 'rate_limited_delays',
]);

/** INFO text → section → field names (values differ between servers by nature). */
function infoFields(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let cur: string[] = [];
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) out.set(line, (cur = []));
    else if (line !== '' && !line.startsWith('shardis_') && !line.startsWith('node_version:')) cur.push(line.slice(0, line.indexOf(':')));
  }
  return out;
}

/**
 * DEBUG OBJECT without the parts that are process-specific (address, LRU
 * clock, idle time) and, for values Redis would LZF-compress in an RDB,
 * without serializedlength (shardis does not compress).
 */
async function debugObject(c: RespClient, key: string, compressible = false): Promise<Reply> {
  const r = await c.call('DEBUG', 'OBJECT', key);
  if (typeof r !== 'string') return r;
  const out = r.replace(/^Value at:0x[0-9a-f]+ /, '').replace(/ lru:\d+ lru_seconds_idle:\d+/, '');
  return compressible ? out.replace(/ serializedlength:\d+/, '') : out;
}

describeCompat('server and connection compat', (t) => {
  t('connection and server commands', [
    [''], ['PING'], ['PING', 'hi'], ['PING', 'a', 'b'], ['ECHO', 'x'], ['ECHO'], ['SELECT', '15'], ['SELECT', '16'], ['SELECT', 'x'], ['SELECT', '0'],
    ['NOSUCHCMD'], ['NOSUCHCMD', 'a', 'b'], ['get'], ['GeT', 'x'], ['AUTH', 'pw'], ['AUTH', 'default', 'pw'], ['AUTH', 'someone', 'pw'],
    ['HELLO', '4'], ['HELLO', 'x'], ['HELLO', '2', 'FOO'], ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'ok'], ['CLIENT', 'GETNAME'],
    ['CLIENT', 'NOSUCH'], ['CLIENT'], ['CLIENT', 'KILL', '1.2.3.4:5'], ['CLIENT', 'NO-EVICT', 'maybe'], ['CLIENT', 'REPLY', 'FOO'],
    ['DBSIZE'], ['SET', 'a', '1'], ['DBSIZE'], ['FLUSHDB', 'FOO'], ['FLUSHALL', 'SYNC'], ['DBSIZE'], ['SWAPDB', '0', 'x'], ['SWAPDB', 'x', '0'],
    ['SWAPDB', '0', '16'], ['SWAPDB', '0', '1'], ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'GET', 'databases'], ['CONFIG', 'SET', 'nope', '1'],
    ['CONFIG', 'SET', 'maxmemory-policy'], ['CONFIG', 'FOO'], ['COMMAND', 'GETKEYS', 'MSET', 'a', '1', 'b', '2'],
    ['COMMAND', 'GETKEYS', 'LMPOP', '2', 'a', 'b', 'LEFT'], ['MULTI'], ['SET', 'x', '1'], ['GET'], ['EXEC'], ['EXEC'], ['DISCARD'], ['MULTI'], ['MULTI'], ['DISCARD'],
    ['DEBUG', 'PROTOCOL', 'map'], ['DEBUG', 'PROTOCOL', 'double'], ['DEBUG', 'PROTOCOL', 'nosuch'], ['MEMORY', 'USAGE', 'nope'],
    ['SETBIT', 'b', '7', '1'], ['GET', 'b'], ['GETBIT', 'b', '7'], ['SETBIT', 'b', '-1', '1'], ['SETBIT', 'b', '1', '2'], ['QUIT'],
  ]);

  t('DBSIZE, FLUSHDB, FLUSHALL, SWAPDB across databases', [
    ['SELECT', '2'], ['MSET', 'a', '1', 'b', '2', 'c', '3'], ['DBSIZE'], ['SELECT', '3'], ['SET', 'x', 'y'], ['DBSIZE'], ['SWAPDB', '2', '3'], ['DBSIZE'],
    ['MGET', 'a', 'b', 'x'], ['SELECT', '2'], ['GET', 'x'], ['SWAPDB', '2', '2'], ['SWAPDB', '-1', '2'], ['SWAPDB', '2', '-1'], ['SWAPDB', '9999999999', '1'],
    ['SWAPDB', '1', '1.5'], ['SWAPDB', '1'], ['FLUSHDB', 'ASYNC'], ['DBSIZE'], ['SELECT', '3'], ['DBSIZE'], ['FLUSHDB', 'sync'], ['FLUSHDB', 'a', 'b'],
    ['SET', 'z', '1'], ['FLUSHALL', 'ASYNC'], ['DBSIZE'], ['FLUSHALL', 'LAZY'], ['FLUSHALL', 'SYNC', 'SYNC'], ['DBSIZE', 'x'], ['SELECT', '0'],
  ]);

  t('TIME, LASTSAVE and SHUTDOWN errors', async (p) => {
    const [a, b] = await both(p, 'TIME');
    assert.equal((b as string[]).length, 2);
    assert.ok(Math.abs(Number((a as string[])[0]) - Number((b as string[])[0])) <= 2);
    for (const r of [a, b] as string[][]) assert.match(r[1]!, /^\d{1,6}$/);
    assert.equal(typeof (await p.shardis.call('LASTSAVE')), 'number');
    await runScript(p, [
      ['TIME', 'x'], ['LASTSAVE', 'x'], ['SHUTDOWN', 'ABORT'], ['SHUTDOWN', 'NOSAVE', 'SAVE'], ['SHUTDOWN', 'ABORT', 'FORCE'], ['SHUTDOWN', 'FOO'],
    ]);
  });

  /** Parameters Redis 7.2 / 7.4 added, and one it hid (the cpulists got hyphenated names; the old ones are their aliases). */
  const V74_ADDED = ['hide-user-data-from-log', 'cluster-announce-human-nodename', 'locale-collate', 'max-new-connections-per-cycle',
    'max-new-tls-connections-per-cycle', 'server-cpulist', 'bio-cpulist', 'aof-rewrite-cpulist', 'bgsave-cpulist'];
  const V74_HIDDEN = ['aof-disable-auto-gc'];

  t('CONFIG GET * is the same table as Redis', async (p) => {
    const [a, b] = await both(p, 'CONFIG', 'GET', '*');
    const r = pairs(a);
    const s = pairs(b);
    // the servers listen on different ports and directories, the embedding API logs warnings only; shards is shardis's own
    for (const m of [r, s]) for (const k of ['dir', 'port', 'loglevel', 'shards']) m.delete(k);
    // shardis's table is Redis 7.4's: what 7.2 / 7.4 added (and hid) is compared with 7.4.1 in compat/v74-*.compat.test.ts
    for (const k of [...V74_ADDED, 'set-max-listpack-entries', 'set-max-listpack-value']) s.delete(k);
    for (const k of V74_HIDDEN) r.delete(k);
    assert.deepEqual([...s.keys()].sort(), [...r.keys()].sort());
    for (const [k, v] of r) assert.equal(s.get(k), v, k);
  });

  t('CONFIG GET patterns and names', [
    { cmd: ['CONFIG', 'GET', 'maxmemory*'], unordered: true }, { cmd: ['CONFIG', 'GET', 'MAXMEM*', 'hash-*'], unordered: true },
    ['CONFIG', 'GET', 'MAXMEMORY'], { cmd: ['CONFIG', 'GET', 'maxmemory', 'MAXMEMORY', 'maxmem*'], unordered: true }, ['CONFIG', 'GET', 'nosuch'],
    { cmd: ['CONFIG', 'GET', '*-ziplist-*'], unordered: true }, { cmd: ['CONFIG', 'GET', '?z'], unordered: true }, ['CONFIG', 'GET', 'rdb-key-save-delay'],
    { cmd: ['CONFIG', 'GET', '*delay*'], unordered: true }, { cmd: ['CONFIG', 'GET', '[z]*'], unordered: true }, ['CONFIG', 'GET'],
  ]);

  t('CONFIG SET values, canonical forms and errors', [
    ['CONFIG', 'SET', 'maxmemory', '1gb'], ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'SET', 'maxmemory', '-1'], ['CONFIG', 'SET', 'maxmemory', '1.5mb'],
    ['CONFIG', 'SET', 'maxmemory', '0'], ['CONFIG', 'SET', 'maxmemory-policy', 'ALLKEYS-LFU'], ['CONFIG', 'GET', 'maxmemory-policy'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'lru'], ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'], ['CONFIG', 'SET', 'activerehashing', 'x'],
    ['CONFIG', 'SET', 'timeout', '-1'], ['CONFIG', 'SET', 'timeout', '1k'], ['CONFIG', 'SET', 'maxclients', '-1'], ['CONFIG', 'SET', 'maxclients', '0'],
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '-1'], ['CONFIG', 'SET', 'hash-max-ziplist-entries', '100'], ['CONFIG', 'GET', 'hash-max-listpack-entries'],
    ['CONFIG', 'SET', 'hash-max-listpack-entries', '512'], ['CONFIG', 'SET', 'proto-max-bulk-len', '100'], ['CONFIG', 'SET', 'maxmemory-clients', '5%'],
    ['CONFIG', 'GET', 'maxmemory-clients'], ['CONFIG', 'SET', 'maxmemory-clients', '101%'], ['CONFIG', 'SET', 'maxmemory-clients', 'x%'],
    ['CONFIG', 'SET', 'maxmemory-clients', '0'], ['CONFIG', 'SET', 'hz', '1000'], ['CONFIG', 'GET', 'hz'], ['CONFIG', 'SET', 'hz', '0'], ['CONFIG', 'GET', 'hz'],
    ['CONFIG', 'SET', 'hz', '10'], ['CONFIG', 'SET', 'loglevel', 'WARNING'], ['CONFIG', 'GET', 'loglevel'],
    ['CONFIG', 'SET', 'loglevel', 'notice'], ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'], ['CONFIG', 'GET', 'notify-keyspace-events'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'lxE$'], ['CONFIG', 'GET', 'notify-keyspace-events'], ['CONFIG', 'SET', 'notify-keyspace-events', 'Q'],
    ['CONFIG', 'SET', 'notify-keyspace-events', ''], ['CONFIG', 'SET', 'save', '900 1 300'], ['CONFIG', 'SET', 'save', '900 x'],
    ['CONFIG', 'SET', 'save', '0 1'], ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 1mb 2mb 10'], ['CONFIG', 'GET', 'client-output-buffer-limit'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'replica 1 2'], ['CONFIG', 'SET', 'client-output-buffer-limit', 'master 1 2 3'],
    ['CONFIG', 'SET', 'client-output-buffer-limit', 'normal x 2 3'], ['CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub 33554432 8388608 60'],
    ['CONFIG', 'SET', 'oom-score-adj-values', '1 2'], ['CONFIG', 'SET', 'oom-score-adj-values', '1 2 3000'], ['CONFIG', 'SET', 'oom-score-adj', 'relative'],
    ['CONFIG', 'GET', 'oom-score-adj'], ['CONFIG', 'SET', 'oom-score-adj', 'no'], ['CONFIG', 'SET', 'shutdown-on-sigterm', 'now save'],
    ['CONFIG', 'GET', 'shutdown-on-sigterm'], ['CONFIG', 'SET', 'shutdown-on-sigterm', 'save nosave'], ['CONFIG', 'SET', 'shutdown-on-sigterm', 'default'],
    ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '50.0 99.90 100'], ['CONFIG', 'GET', 'latency-tracking-info-percentiles'],
    ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '200'], ['CONFIG', 'SET', 'latency-tracking-info-percentiles', 'x'],
    ['CONFIG', 'SET', 'latency-tracking-info-percentiles', '50 99 99.9'], ['CONFIG', 'SET', 'lua-time-limit', '4000'], ['CONFIG', 'GET', 'busy-reply-threshold'],
    ['CONFIG', 'SET', 'lua-time-limit', 'x'], ['CONFIG', 'SET', 'busy-reply-threshold', '5000'], ['CONFIG', 'SET', 'proc-title-template', '{nope}'],
    ['CONFIG', 'SET', 'dbfilename', 'a/b'], ['CONFIG', 'SET', 'dir', '/'], ['CONFIG', 'SET', 'databases', '1'], ['CONFIG', 'SET', 'appendfilename', 'x'],
    ['CONFIG', 'SET', 'replicaof', 'no one'], ['CONFIG', 'SET', 'unixsocketperm', '777'], ['CONFIG', 'SET', 'maxmemory', '1', 'maxmemory', '2'],
    ['CONFIG', 'SET', 'maxmemory', '1', 'nosuch', '2'], ['CONFIG', 'SET', 'nosuch', '1', 'maxmemory', 'x'], ['CONFIG', 'SET', 'maxmemory', '1', 'databases', '2'],
    ['CONFIG', 'SET', 'maxmemory', '5mb', 'maxmemory-policy', 'bad'], ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'SET', 'maxmemory', '1', 'hz'],
    ['CONFIG', 'SET', 'maxmemory'], ['CONFIG', 'SET', 'MAXMEMORY', '2mb', 'Maxmemory-Policy', 'volatile-ttl'], ['CONFIG', 'GET', 'maxmemory'],
    ['CONFIG', 'SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction'], ['CONFIG', 'GET', 'maxmemory-policy'],
  ]);

  t('CONFIG SET and GET in RESP3', [
    { cmd: ['HELLO', '3'], ignore: true }, ['CONFIG', 'GET', 'maxmemory'], { cmd: ['CONFIG', 'GET', 'hash-max-*'], unordered: true },
    ['CONFIG', 'SET', 'hz', '12'], ['CONFIG', 'GET', 'hz'], ['CONFIG', 'SET', 'hz', '10'], ['CONFIG', 'GET', 'nosuch'],
  ]);

  // (the containers' HELP texts are Redis 7.4.1's: compat/v74-command.compat.test.ts)
  t('CONFIG, COMMAND and DEBUG errors; RESETSTAT; REWRITE without a file', [
    ['CONFIG', 'HELP', 'x'], ['CONFIG', 'RESETSTAT'], ['CONFIG', 'RESETSTAT', 'x'],
    ['CONFIG'], ['CONFIG', 'GETX', 'a'], ['COMMAND', 'FOO'], ['DEBUG'], ['DEBUG', 'FOO'], ['DEBUG', 'HELP', 'x'],
  ]);

  t('INFO: the same sections and field names, CRLF and order', async (p) => {
    for (const args of [[], ['all'], ['everything'], ['default'], ['server', 'clients'], ['cpu', 'all'], ['cpu', 'default'], ['nosuch'], ['modules'], ['keyspace'], ['MEMORY', 'Stats']]) {
      await p.redis.call('SET', 'k', 'v');
      await p.shardis.call('SET', 'k', 'v');
      const [a, b] = await both(p, 'INFO', ...args);
      const ra = infoFields(a as string);
      const rb = infoFields(b as string);
      assert.deepEqual([...rb.keys()], [...ra.keys()], `sections of INFO ${args.join(' ')}`);
      for (const [section, fields] of ra) {
        if (section === '# Commandstats' || section === '# Latencystats' || section === '# Errorstats') continue;
        // fields Redis 7.4 added that shardis reports already (issue 16)
        const ours = rb.get(section)?.filter((f) => !V74_FIELDS.has(f));
        assert.deepEqual(ours, fields, `${section} of INFO ${args.join(' ')}`);
      }
    }
  });

  t('INFO commandstats and errorstats count the same calls and errors', async (p) => {
    const script: string[][] = [
      ['SET', 'a', '1'], ['GET', 'a'], ['GET', 'nope'], ['LPUSH', 'a', 'x'], ['GET'], ['NOSUCH'], ['CLIENT', 'SETNAME', 'a b'], ['CLIENT', 'SETNAME', 'x'],
      ['INCR', 'a'], ['HSET', 'a', 'f', 'v'], ['SELECT', '99'], ['CONFIG', 'SET', 'nope', '1'], ['DEBUG', 'FOO'], ['EXPIRE', 'a', 'x'],
    ];
    await both(p, 'CONFIG', 'RESETSTAT');
    for (const cmd of script) await both(p, ...cmd);
    const strip = (s: Reply): string[] =>
      (s as string).split('\r\n').filter((l) => l.startsWith('cmdstat_')).map((l) => l.replace(/usec=\d+,usec_per_call=[\d.]+,/, '')).sort();
    const [a, b] = await both(p, 'INFO', 'commandstats');
    assert.deepEqual(strip(b), strip(a));
    await runScript(p, [['INFO', 'errorstats']]);
    const [sa, sb] = await both(p, 'INFO', 'stats');
    for (const f of ['keyspace_hits', 'keyspace_misses', 'total_error_replies', 'expired_keys']) {
      const get = (s: Reply): string | undefined => new RegExp(`\\r\\n${f}:(\\d+)\\r\\n`).exec(s as string)?.[1];
      assert.equal(get(sb), get(sa), f);
    }
  });

  t('INFO keyspace lines', async (p) => {
    await runScript(p, [['SELECT', '4'], ['SET', 'a', '1'], ['SET', 'b', '2', 'PX', '500000'], ['SELECT', '7'], ['SET', 'x', '1'], ['SELECT', '0']]);
    const [a, b] = await both(p, 'INFO', 'keyspace');
    // Redis estimates avg_ttl in its expiry cycle (0 until it ran); shardis computes it on demand
    // and shardis reports Redis 7.4's subexpiry already
    const norm = (s: Reply): string => (s as string).replace(/avg_ttl=\d+/g, 'avg_ttl=N').replace(/,subexpiry=\d+/g, '');
    assert.equal(norm(b), norm(a));
  });

  // (DEBUG DIGEST: Redis 7.4.1's, scores digested as fpconv_dtoa writes them: compat/v74-ops.compat.test.ts)
  t('DEBUG OBJECT, POPULATE and friends', async (p) => {
    await runScript(p, [
      ['DEBUG', 'POPULATE', '50'], ['DBSIZE'], ['GET', 'key:7'], ['DEBUG', 'POPULATE', '5', 'p', '12'], ['GET', 'p:4'], ['DEBUG', 'POPULATE', '5', 'q', '2'],
      ['GET', 'q:3'], ['DEBUG', 'POPULATE', '-1'], ['DEBUG', 'POPULATE', 'x'], ['DEBUG', 'POPULATE', '1', 'a', 'b'], ['DEBUG', 'POPULATE', '1', 'a', '1', 'x'],
      ['RPUSH', 'l', 'a', 'b', 'c'], ['HSET', 'h', 'a', '1'], ['SADD', 's', '1', '2'], ['ZADD', 'z', '1', 'a'], ['SET', 'e', 'x'.repeat(40)],
      ['DEBUG', 'OBJECT', 'none'], ['DEBUG', 'OBJECT'], ['DEBUG', 'LISTPACK', 'h'], ['DEBUG', 'LISTPACK', 'l'], ['DEBUG', 'QUICKLIST', 'l'],
      ['DEBUG', 'QUICKLIST', 'h'], ['DEBUG', 'SDSLEN', 'none'], ['DEBUG', 'HTSTATS', '99'], ['DEBUG', 'HTSTATS', 'x'], ['DEBUG', 'HTSTATS-KEY', 'h'],
      ['DEBUG', 'HTSTATS-KEY', 'none'], ['DEBUG', 'SET-ACTIVE-EXPIRE', '1'], ['DEBUG', 'SLEEP', '0'], ['DEBUG', 'SLEEP', '0.01'], ['DEBUG', 'SLEEP'],
      ['DEBUG', 'PROTOCOL', 'string'], ['DEBUG', 'PROTOCOL', 'bignum'], ['DEBUG', 'PROTOCOL', 'attrib'], ['DEBUG', 'PROTOCOL', 'push'],
      ['DEBUG', 'PROTOCOL', 'verbatim'], ['DEBUG', 'PROTOCOL', 'true'], ['DEBUG', 'PROTOCOL', 'null'], ['DEBUG', 'PROTOCOL', 'set'],
      ['DEBUG', 'ERROR', 'MYERR something'], ['DEBUG', 'RELOAD', 'FOO'], ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '1k'],
      ['DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '5gb'], ['DEBUG', 'CHANGE-REPL-ID'], ['DEBUG', 'LOG', 'hello'],
      ['DEBUG', 'REPLYBUFFER', 'PEAK-RESET-TIME', 'never'], ['DEBUG', 'REPLYBUFFER', 'X', '1'], ['DEBUG', 'STRUCTSIZE'], ['DEBUG', 'JMAP'],
      ['DEBUG', 'CLIENT-EVICTION'], ['DEBUG', 'SET-SKIP-CHECKSUM-VALIDATION', '0'], ['DEBUG', 'PAUSE-CRON', '0'],
    ]);
    for (const key of ['l', 'h', 's', 'z', 'e', 'key:3']) {
      const [a, b] = await Promise.all([debugObject(p.redis, key, key === 'e'), debugObject(p.shardis, key, key === 'e')]);
      assert.equal(b, a, key);
    }
    // a quicklist keeps the node size it was created with: each list is looked at under its own setting
    const sameObject = async (key: string): Promise<void> => {
      const [a, b] = await Promise.all([debugObject(p.redis, key, true), debugObject(p.shardis, key, true)]);
      assert.equal(b, a, key);
    };
    for (let i = 0; i < 2000; i++) await both(p, 'RPUSH', 'bl', String(i * 1000));
    await sameObject('bl');
    await both(p, 'CONFIG', 'SET', 'list-max-listpack-size', '100');
    try {
      for (let i = 0; i < 450; i++) await both(p, 'RPUSH', 'bl2', `v${i}`);
      await sameObject('bl2');
    } finally {
      await both(p, 'CONFIG', 'SET', 'list-max-listpack-size', '-2');
    }
    await runScript(p, [{ cmd: ['HELLO', '3'], ignore: true }, ['DEBUG', 'PROTOCOL', 'bignum'], ['DEBUG', 'PROTOCOL', 'map'], ['DEBUG', 'PROTOCOL', 'double'], ['DEBUG', 'PROTOCOL', 'verbatim'], ['DEBUG', 'PROTOCOL', 'null']]);
    // attribute and push replies: compared as bytes (the test client parses neither)
    for (const type of ['attrib', 'push']) {
      p.redis.send('DEBUG', 'PROTOCOL', type);
      p.shardis.send('DEBUG', 'PROTOCOL', type);
      await new Promise((res) => setTimeout(res, 100));
      assert.equal(p.shardis.pending(), p.redis.pending(), type);
    }
  });

  // (COMMAND INFO and DOCS are Redis 7.4.1's: compat/v74-command.compat.test.ts)
  t('COMMAND COUNT, LIST filters and errors', [
    { cmd: ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'config*'], unordered: true }, ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'set'],
    { cmd: ['COMMAND', 'LIST', 'FILTERBY', 'pattern', 'command|*'], unordered: true }, ['COMMAND', 'LIST', 'FILTERBY', 'ACLCAT', 'nosuch'],
    ['COMMAND', 'LIST', 'FILTERBY', 'MODULE', 'nosuch'], ['COMMAND', 'LIST', 'bad'], ['COMMAND', 'LIST', 'FILTERBY', 'bad'],
    ['COMMAND', 'LIST', 'FILTERBY', 'bad', 'x'], ['COMMAND', 'LIST', 'FILTERBY', 'PATTERN', 'a', 'b'], ['COMMAND', 'COUNT', 'x'],
    ['COMMAND', 'INFO', 'get|key', 'config|get|key', 'CONFIG|GET', 'GET'],
  ]);

  t('COMMAND GETKEYS and GETKEYSANDFLAGS', [
    ['COMMAND', 'GETKEYS', 'GET', 'key'], ['COMMAND', 'GETKEYSANDFLAGS', 'SET', 'k1', 'v1'], ['COMMAND', 'GETKEYSANDFLAGS', 'SET', 'k1', 'v1', 'GET'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'MSET', 'k1', 'v1', 'k2', 'v2'], ['COMMAND', 'GETKEYSANDFLAGS', 'LMOVE', 'k1', 'k2', 'left', 'right'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'SORT', 'k1', 'STORE', 'k2'], ['COMMAND', 'GETKEYSANDFLAGS', 'SORT', 'k1', 'LIMIT', '0', '1', 'BY', 'w', 'GET', '#', 'STORE', 'k2'],
    ['COMMAND', 'GETKEYS', 'SORT', 'k1', 'STORE'], ['COMMAND', 'GETKEYS', 'MEMORY', 'USAGE', 'key'], ['COMMAND', 'GETKEYS', 'LCS', 'key1', 'key2'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'ZUNIONSTORE', 'd', '2', 'a', 'b', 'WEIGHTS', '1', '2'], ['COMMAND', 'GETKEYS', 'ZUNIONSTORE', 'd', 'x', 'a'],
    ['COMMAND', 'GETKEYS', 'ZUNIONSTORE', 'd', '5', 'a'], ['COMMAND', 'GETKEYS', 'ZINTER', '2', 'a', 'b'], ['COMMAND', 'GETKEYSANDFLAGS', 'BLPOP', 'a', 'b', '0'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'LMPOP', '2', 'a', 'b', 'LEFT'], ['COMMAND', 'GETKEYSANDFLAGS', 'BZMPOP', '0', '1', 'z', 'MIN'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'SINTERCARD', '2', 'a', 'b', 'LIMIT', '1'], ['COMMAND', 'GETKEYSANDFLAGS', 'GETEX', 'k', 'PERSIST'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'DEL', 'a', 'b'], ['COMMAND', 'GETKEYSANDFLAGS', 'RENAME', 'a', 'b'], ['COMMAND', 'GETKEYSANDFLAGS', 'COPY', 'a', 'b'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'SMOVE', 'a', 'b', 'm'], ['COMMAND', 'GETKEYSANDFLAGS', 'ZRANGESTORE', 'd', 's', '0', '-1'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'OBJECT', 'ENCODING', 'k'],
    ['COMMAND', 'GETKEYSANDFLAGS', 'HSET', 'h', 'f', 'v'], ['COMMAND', 'GETKEYS', 'CONFIG', 'GET', 'x'],
    ['COMMAND', 'GETKEYS', 'NOSUCH', 'x'], ['COMMAND', 'GETKEYS', 'CONFIG', 'NOSUCH'], ['COMMAND', 'GETKEYS', 'GET', 'a', 'b'],
    ['COMMAND', 'GETKEYS', 'LMPOP', '0', 'left'], ['COMMAND', 'GETKEYS'],
    { cmd: ['HELLO', '3'], ignore: true }, ['COMMAND', 'GETKEYSANDFLAGS', 'LMOVE', 'k1', 'k2', 'left', 'right'],
  ]);
});
