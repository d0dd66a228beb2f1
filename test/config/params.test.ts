import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError, applyDirective, defaultConfig, getConfigNumber, getConfigValue, loadConfigFile, lookupParam, paramValue, parseArgs, setParam,
  type Config,
} from '../../src/config/config.ts';
import { rewrittenConfig } from '../../src/config/rewrite.ts';

/** Sets a parameter as CONFIG SET does and returns the value CONFIG GET then shows (or the error text). */
function set(cfg: Config, name: string, value: string): string {
  const d = lookupParam(name);
  assert.ok(d, `no parameter ${name}`);
  try {
    setParam(cfg, d, value, true);
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return `ERR ${e.message}`;
  }
  return paramValue(cfg, d);
}

test('defaults are Redis 7.0 defaults', () => {
  const cfg = defaultConfig();
  const expect: Record<string, string> = {
    'hash-max-listpack-entries': '512', 'hash-max-ziplist-entries': '512', 'hash-max-listpack-value': '64',
    'zset-max-listpack-entries': '128', 'set-max-intset-entries': '512', 'list-max-listpack-size': '-2',
    maxmemory: '0', 'maxmemory-policy': 'noeviction', 'proto-max-bulk-len': '536870912', 'client-query-buffer-limit': '1073741824',
    'notify-keyspace-events': '', 'client-output-buffer-limit': 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
    'oom-score-adj-values': '0 200 800', 'latency-tracking-info-percentiles': '50 99 99.9', 'lua-time-limit': '5000',
    'shutdown-on-sigint': 'default', loglevel: 'notice', hz: '10', databases: '16', 'unixsocketperm': '0', 'appendonly': 'no',
    'maxmemory-clients': '0', 'active-defrag-ignore-bytes': '104857600', 'syslog-facility': 'local0', 'acl-pubsub-default': 'resetchannels',
  };
  for (const [k, v] of Object.entries(expect)) assert.equal(getConfigValue(cfg, k), v, k);
  assert.equal(getConfigValue(cfg, 'no-such-param'), undefined);
});

test('booleans, enums and multi-value enums', () => {
  const cfg = defaultConfig();
  assert.equal(set(cfg, 'activerehashing', 'NO'), 'no');
  assert.equal(set(cfg, 'activerehashing', 'maybe'), "ERR argument must be 'yes' or 'no'");
  assert.equal(set(cfg, 'maxmemory-policy', 'ALLKEYS-LRU'), 'allkeys-lru');
  assert.equal(set(cfg, 'maxmemory-policy', 'lru'),
    'ERR argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction');
  // 'nothing' since Redis 7.2
  assert.equal(set(cfg, 'loglevel', 'Nothing'), 'nothing');
  assert.equal(set(cfg, 'loglevel', 'none'), 'ERR argument(s) must be one of the following: debug, verbose, notice, warning, nothing');
  assert.equal(set(cfg, 'shutdown-on-sigterm', 'now save'), 'save now');
  assert.equal(set(cfg, 'shutdown-on-sigterm', 'save nosave'), "ERR shutdown options SAVE and NOSAVE can't be used simultaneously");
  assert.equal(set(cfg, 'oom-score-adj', 'relative'), 'yes', 'the first name of a value, as Redis prints it');
});

test('numbers: integers, memory units, percentages, octal and their bounds', () => {
  const cfg = defaultConfig();
  assert.equal(set(cfg, 'maxmemory', '1gb'), '1073741824');
  assert.equal(set(cfg, 'maxmemory', '10k'), '10000');
  assert.equal(set(cfg, 'maxmemory', '-1'), 'ERR argument must be a memory value');
  assert.equal(set(cfg, 'maxmemory', '1.5gb'), 'ERR argument must be a memory value');
  assert.equal(set(cfg, 'timeout', '1k'), "ERR argument couldn't be parsed into an integer");
  assert.equal(set(cfg, 'timeout', '-1'), 'ERR argument must be between 0 and 2147483647 inclusive');
  assert.equal(set(cfg, 'list-max-listpack-size', '-5'), '-5');
  assert.equal(set(cfg, 'maxclients', '-1'), 'ERR argument must be between 1 and 4294967295 inclusive');
  assert.equal(set(cfg, 'hash-max-listpack-entries', '-1'), 'ERR argument must be between 0 and 9223372036854775807 inclusive');
  assert.equal(set(cfg, 'proto-max-bulk-len', '1000'), 'ERR argument must be between 1048576 and 9223372036854775807 inclusive');
  assert.equal(set(cfg, 'maxmemory-clients', '10%'), '10%');
  assert.equal(set(cfg, 'maxmemory-clients', '101%'), 'ERR percentage argument must be less or equal to 100');
  assert.equal(set(cfg, 'maxmemory-clients', 'x'), 'ERR argument must be a memory or percent value');
  assert.equal(set(cfg, 'slowlog-log-slower-than', '-1'), '-1');
  assert.equal(set(cfg, 'hz', '1000'), '500', 'hz is clamped as Redis does');
  assert.equal(set(cfg, 'hz', '0'), '1');
  assert.equal(cfg.hz, 1);
  // the typed fields other modules read follow
  set(cfg, 'proto-max-bulk-len', '2mb');
  assert.equal(cfg.protoMaxBulkLen, 2 * 1024 * 1024);
});

test('aliases share one value', () => {
  const cfg = defaultConfig();
  set(cfg, 'lua-time-limit', '42');
  assert.equal(getConfigValue(cfg, 'busy-reply-threshold'), '42');
  set(cfg, 'hash-max-listpack-entries', '7');
  assert.equal(getConfigValue(cfg, 'hash-max-ziplist-entries'), '7');
  assert.equal(getConfigNumber(cfg, 'hash-max-ziplist-entries', 0), 7);
});

test('special parameters: save, output buffer limits, notifications, percentiles, oom values', () => {
  const cfg = defaultConfig();
  assert.equal(set(cfg, 'save', '900 1 300 10'), '900 1 300 10');
  assert.equal(set(cfg, 'save', ''), '');
  assert.equal(set(cfg, 'save', '900'), 'ERR Invalid save parameters');
  assert.equal(set(cfg, 'save', '0 1'), 'ERR Invalid save parameters');
  assert.equal(set(cfg, 'client-output-buffer-limit', 'pubsub 1mb 2k 5'), 'normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 2000 5');
  assert.equal(set(cfg, 'client-output-buffer-limit', 'replica 0 0 0'), 'normal 0 0 0 slave 0 0 0 pubsub 1048576 2000 5');
  assert.equal(set(cfg, 'client-output-buffer-limit', 'master 0 0 0'), 'ERR Invalid client class specified in buffer limit configuration.');
  assert.equal(set(cfg, 'client-output-buffer-limit', 'normal 0 0'), 'ERR Wrong number of arguments in buffer limit configuration.');
  assert.equal(set(cfg, 'client-output-buffer-limit', 'normal x 0 0'), 'ERR Error in hard, soft or soft_seconds setting in buffer limit configuration.');
  assert.equal(set(cfg, 'notify-keyspace-events', 'EKA'), 'AKE');
  assert.equal(set(cfg, 'notify-keyspace-events', 'xlgE'), 'glxE');
  assert.equal(set(cfg, 'notify-keyspace-events', 'Q'), "ERR Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  assert.equal(set(cfg, 'latency-tracking-info-percentiles', '50.0 99.99'), '50 99.99');
  assert.equal(set(cfg, 'latency-tracking-info-percentiles', '101'), 'ERR latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
  assert.equal(set(cfg, 'oom-score-adj-values', '0 10'), 'ERR wrong number of arguments');
  assert.equal(set(cfg, 'proc-title-template', '{title} {port}'), '{title} {port}');
  assert.equal(set(cfg, 'proc-title-template', '{nope}'), 'ERR template format is invalid or contains unknown variables');
  assert.equal(set(cfg, 'dbfilename', 'a/b.rdb'), "ERR dbfilename can't be a path, just a filename");
});

test('getConfigNumber is cached and follows every change', () => {
  const cfg = defaultConfig();
  assert.equal(getConfigNumber(cfg, 'zset-max-listpack-entries', 1), 128);
  assert.equal(cfg.numCache.get('zset-max-listpack-entries'), 128);
  set(cfg, 'zset-max-listpack-entries', '3');
  assert.equal(getConfigNumber(cfg, 'zset-max-listpack-entries', 1), 3);
  applyDirective(cfg, 'zset-max-listpack-value', ['1kb']);
  assert.equal(getConfigNumber(cfg, 'zset-max-listpack-value', 1), 1024);
  assert.equal(getConfigNumber(cfg, 'maxmemory-policy', 99), 99, 'not a number: the fallback');
  assert.equal(getConfigNumber(cfg, 'no-such', 5), 5);
});

test('config file: several save lines add up, wrong argument counts and bad values fail with the line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-params-'));
  try {
    const file = join(dir, 'a.conf');
    writeFileSync(file, 'save 900 1\nsave 300 10\nmaxmemory 2mb\nnotify-keyspace-events "KEx"\n');
    const cfg = defaultConfig();
    loadConfigFile(cfg, file);
    assert.equal(getConfigValue(cfg, 'save'), '900 1 300 10');
    assert.equal(getConfigValue(cfg, 'maxmemory'), '2097152');
    assert.equal(getConfigValue(cfg, 'notify-keyspace-events'), 'xKE');
    assert.equal(cfg.configFile, file);
    writeFileSync(file, 'maxmemory 1 2\n');
    assert.throws(() => loadConfigFile(defaultConfig(), file), /a\.conf:1: 'maxmemory 1 2': wrong number of arguments/);
    writeFileSync(file, '\n\nappendonly perhaps\n');
    assert.throws(() => loadConfigFile(defaultConfig(), file), /:3: .*argument must be 'yes' or 'no'/);
    assert.throws(() => parseArgs(['--maxmemory-policy', 'nope']), ConfigError);
    assert.equal(getConfigValue(parseArgs(['--save', '']), 'save'), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('CONFIG REWRITE content: lines reused in place, comments kept, new values appended once, stale lines dropped', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-rewrite-'));
  try {
    const file = join(dir, 'r.conf');
    writeFileSync(file, '# my config\nport 7000\nmaxmemory 1mb\nmaxmemory 2mb\nsave 900 1\n\n# keep me\nhash-max-ziplist-entries 64\n');
    const cfg = parseArgs([file]);
    set(cfg, 'maxmemory', '3mb');
    set(cfg, 'maxmemory-policy', 'allkeys-lru');
    set(cfg, 'save', '');
    set(cfg, 'hash-max-listpack-entries', '512');
    set(cfg, 'requirepass', 'pw');
    const text = rewrittenConfig(cfg, file);
    const lines = text.split('\n');
    assert.equal(lines[0], '# my config');
    assert.equal(lines[1], 'port 7000');
    assert.equal(lines[2], 'maxmemory 3mb');
    assert.ok(!text.includes('2mb') && !text.includes('1mb'), 'stale maxmemory line dropped');
    assert.ok(text.includes('save ""'));
    assert.ok(text.includes('# keep me'));
    // back to its default: the old line is reused, not removed
    assert.ok(text.includes('hash-max-listpack-entries 512'));
    const sig = lines.indexOf('# Generated by CONFIG REWRITE');
    assert.ok(sig > 0);
    assert.ok(lines.slice(sig).includes('maxmemory-policy allkeys-lru'));
    assert.ok(lines.slice(sig).includes('requirepass "pw"'));
    assert.ok(lines.slice(sig).some((l) => l.startsWith('dir "')));
    // the rewritten file loads back to the same values
    writeFileSync(file, text);
    const again = parseArgs([file]);
    for (const k of ['maxmemory', 'maxmemory-policy', 'save', 'requirepass', 'port', 'hash-max-listpack-entries']) {
      assert.equal(getConfigValue(again, k), getConfigValue(cfg, k), k);
    }
    // as Redis, the file's last line break leaves one empty line at the end, then it is stable
    const second = rewrittenConfig(again, file);
    assert.equal(second, text + '\n');
    writeFileSync(file, second);
    assert.equal(rewrittenConfig(parseArgs([file]), file), second);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('command-line flags are grouped as redis-server groups them', () => {
  const err = (argv: string[]): string => {
    try {
      parseArgs(argv);
    } catch (e) {
      return (e as Error).message;
    }
    return 'no error';
  };
  assert.match(err(['--port']), /'port'.*wrong number of arguments/);
  assert.match(err(['--port', '6380', '--loglevel']), /'loglevel'.*wrong number of arguments/);
  assert.match(err(['--port', '6379', '6380']), /'port "6379" "6380"'.*wrong number of arguments/);
  assert.match(err(['--port', '--loglevel', 'verbose']), /'port "--loglevel" "verbose"'.*wrong number of arguments/);
  assert.match(err(['--port', '--bla', '--loglevel', 'verbose']), /'port "--bla"'.*argument couldn't be parsed into an integer/);
  assert.match(err(['--logfile', '--my--log--file', '--loglevel', '--bla']), /'loglevel "--bla"'.*argument\(s\) must be one of the following/);
  assert.match(err(['--shutdown-on-sigint']), /'shutdown-on-sigint'.*argument\(s\) must be one of the following/);
  assert.match(err(['--replicaof', '127.0.0.1', 'abc']), /'replicaof "127.0.0.1" "abc"'.*Invalid master port/);
  const one = parseArgs(['--maxmemory 700mb', '--maxmemory-policy volatile-lru', '--save', '--shutdown-on-sigint', 'nosave force']);
  assert.equal(getConfigValue(one, 'maxmemory'), '734003200');
  assert.equal(getConfigValue(one, 'maxmemory-policy'), 'volatile-lru');
  assert.equal(getConfigValue(one, 'save'), '');
  assert.equal(getConfigValue(one, 'shutdown-on-sigint'), 'nosave force');
  assert.equal(getConfigValue(parseArgs(['--save', '--port', '7000']), 'save'), '');
  assert.equal(getConfigValue(parseArgs(['--save', '900 1 300 10']), 'save'), '900 1 300 10');
  assert.equal(getConfigValue(parseArgs(['--save', '900', '1']), 'save'), '900 1');
  assert.deepEqual(parseArgs(['--bind', '127.0.0.1', '::1']).bind, ['127.0.0.1', '::1']);
});
