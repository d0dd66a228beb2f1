/**
 * GET /metrics: Prometheus text under redis_exporter's names, parsed with a
 * Prometheus text-format parser, each value equal to what INFO says; the
 * HTTP front end's auth applies, and with threads the numbers cover every
 * thread.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import parse, { type Family } from 'parse-prometheus-text-format';
import { startServer, type RunningServer } from '../../src/index.ts';
import { freePort } from '../helpers/ports.ts';
import { FeedWatcher } from '../helpers/feed-watcher.ts';

async function scrape(port: number, token?: string): Promise<{ status: number; families: Map<string, Family>; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: token === undefined ? {} : { Authorization: `Bearer ${token}` } });
  const text = await res.text();
  const families = new Map<string, Family>();
  if (res.status === 200) {
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    for (const f of parse(text)) families.set(f.name, f);
  }
  return { status: res.status, families, text };
}

/** The value of a metric's sample whose labels include `labels`. */
function value(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): number {
  const f = families.get(name);
  assert.ok(f, `${name} is exported`);
  const s = f.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  assert.ok(s, `${name}${JSON.stringify(labels)}`);
  return Number(s.value);
}

const infoField = (info: string, name: string): string => new RegExp(`^${name}:(.*)\\r?$`, 'm').exec(info)?.[1] ?? '';

for (const threads of [1, 4]) describe(`GET /metrics${threads > 1 ? ` on ${threads} threads` : ''}`, () => {
  let srv: RunningServer;
  let io: Redis;
  before(async () => {
    srv = await startServer({ port: 0, threads, config: { 'http-port': String(await freePort()), 'http-token': 'noinfo-token noinfo' } });
    io = new Redis(srv.port);
  });
  after(async () => {
    io.disconnect();
    await srv.close();
  });

  test("redis_exporter's names with INFO's values", async () => {
    for (let i = 0; i < 50; i++) await io.set(`k${i}`, 'v');
    for (let i = 0; i < 10; i++) await io.set(`t${i}`, 'v', 'EX', 1000);
    await io.get('k1');
    await io.get('missing');
    await io.lpush('k2', 'x').catch(() => {});
    await io.select(3);
    await io.set('in3', 'x');
    await io.select(0);
    const { status, families } = await scrape(srv.httpPort);
    assert.equal(status, 200);
    const info = await io.info('all');
    assert.equal(value(families, 'redis_up'), 1);
    assert.equal(families.get('redis_commands_total')!.type, 'COUNTER');
    assert.equal(families.get('redis_connected_clients')!.type, 'GAUGE');
    assert.equal(value(families, 'redis_commands_total', { cmd: 'set' }), 61);
    assert.equal(value(families, 'redis_commands_total', { cmd: 'get' }), 2);
    assert.equal(value(families, 'redis_commands_failed_calls_total', { cmd: 'lpush' }), 1);
    assert.equal(value(families, 'redis_errors_total', { err: 'WRONGTYPE' }), 1);
    assert.ok(value(families, 'redis_commands_duration_seconds_total', { cmd: 'set' }) > 0);
    assert.equal(value(families, 'redis_db_keys', { db: 'db0' }), 60);
    assert.equal(value(families, 'redis_db_keys_expiring', { db: 'db0' }), 10);
    assert.ok(value(families, 'redis_db_avg_ttl_seconds', { db: 'db0' }) > 900);
    assert.equal(value(families, 'redis_db_keys', { db: 'db3' }), 1);
    assert.equal(value(families, 'redis_keyspace_hits_total'), Number(infoField(info, 'keyspace_hits')));
    assert.equal(value(families, 'redis_keyspace_misses_total'), Number(infoField(info, 'keyspace_misses')));
    assert.equal(value(families, 'redis_max_clients'), Number(infoField(info, 'maxclients')));
    assert.equal(value(families, 'redis_connected_slaves'), 0);
    assert.equal(value(families, 'redis_instance_info', { role: 'master', redis_version: infoField(info, 'redis_version') }), 1);
    assert.ok(value(families, 'redis_memory_used_bytes') > 0);
    assert.ok(value(families, 'redis_commands_processed_total') >= 64);
  });

  test("shardis's own series: per thread load, hops, feeds; latency percentiles and histograms per command", async () => {
    for (let i = 0; i < 200; i++) await io.set(`spread:${i}`, 'v');
    const w = new FeedWatcher(`http://127.0.0.1:${srv.httpPort}`, 'prefix=spread:');
    await w.connect();
    try {
      const { families } = await scrape(srv.httpPort);
      const info = await io.info('shardis');
      const lines = info.split('\r\n').filter((l) => /^thread\d+:/.test(l));
      assert.equal(lines.length, threads, info);
      const perThread = (name: string): number[] => {
        const f = families.get(name);
        assert.ok(f, name);
        assert.equal(f.metrics.length, threads, name);
        return f.metrics.map((m) => Number(m.value));
      };
      const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
      assert.equal(sum(perThread('shardis_thread_shards')), 1 * threads);
      // the commands every thread ran add up to INFO's total at the same moment
      assert.equal(sum(perThread('shardis_thread_commands_processed_total')), value(families, 'redis_commands_processed_total'));
      for (const u of perThread('shardis_thread_loop_utilization')) assert.ok(u >= 0 && u <= 1, String(u));
      const sent = sum(perThread('shardis_thread_jobs_sent_total'));
      assert.equal(sent, sum(perThread('shardis_thread_jobs_run_total')));
      if (threads > 1) assert.ok(sent > 50, `keys of other threads' shards hop: ${sent}`);
      else assert.equal(sent, 0);
      assert.equal(sum(perThread('shardis_feed_watchers')), 1);
      // a prefix feed follows every thread's shards
      assert.equal(sum(perThread('shardis_feed_parts')), threads);
      assert.ok(value(families, 'redis_latency_percentiles_usec', { cmd: 'set', quantile: '0.999' }) > 0);
      // the parser flattens a histogram's label sets into one: SET's series alone, without its cmd label
      assert.equal(families.get('shardis_command_latency_seconds')!.type, 'HISTOGRAM');
      const { text } = await scrape(srv.httpPort);
      const setSeries = text.split('\n').filter((l) => l.startsWith('# ') ? l.includes(' shardis_command_latency_seconds ') : l.startsWith('shardis_command_latency_seconds') && l.includes('cmd="set"'));
      const [hist] = parse(setSeries.map((l) => l.replace(/,?cmd="set",?/, '').replace('{}', '')).join('\n') + '\n') as unknown as Array<{ type: string; metrics: Array<{ buckets: Record<string, string>; count: string; sum: string }> }>;
      assert.equal(hist!.type, 'HISTOGRAM');
      const set = hist!.metrics[0]!;
      assert.equal(Number(set.count), value(families, 'redis_commands_total', { cmd: 'set' }));
      assert.ok(Number(set.sum) > 0);
      const les = Object.keys(set.buckets).filter((l) => l !== '+Inf').map(Number);
      assert.ok(les.length > 0);
      assert.deepEqual(les, [...les].sort((a, b) => a - b));
      assert.equal(Number(set.buckets['+Inf']), Number(set.count));
    } finally {
      await w.drop();
    }
  });

  test('the HTTP tokens apply: 401 without one, 403 for a user that may not run INFO', async () => {
    await io.acl('SETUSER', 'noinfo', 'on', '>pw', '~*', '+@all', '-info');
    const denied = await fetch(`http://127.0.0.1:${srv.httpPort}/metrics`, { headers: { Authorization: 'Bearer noinfo-token' } });
    assert.equal(denied.status, 403);
    assert.match(((await denied.json()) as { error: string }).error, /^NOPERM User noinfo has no permissions to run the 'info' command/);
    await io.config('SET', 'requirepass', 'secret');
    try {
      assert.equal((await scrape(srv.httpPort)).status, 401);
      assert.equal((await scrape(srv.httpPort, 'secret')).status, 200);
    } finally {
      await io.auth('secret');
      await io.config('SET', 'requirepass', '');
    }
  });
});

test('metrics-port: /metrics, /healthz and /readyz alone, with the HTTP port closed; the same auth', async () => {
  const mport = await freePort();
  const srv = await startServer({ port: 0, config: { 'http-port': '0', 'metrics-port': String(mport), requirepass: 'pw' } });
  try {
    assert.equal(srv.httpPort, 0);
    assert.equal(srv.metricsPort, mport);
    assert.equal((await scrape(mport)).status, 401);
    const ok = await scrape(mport, 'pw');
    assert.equal(ok.status, 200);
    assert.equal(value(ok.families, 'redis_up'), 1);
    assert.equal((await fetch(`http://127.0.0.1:${mport}/healthz`)).status, 200);
    // commands are not served there
    const cmd = await fetch(`http://127.0.0.1:${mport}/set/k/v`, { headers: { Authorization: 'Bearer pw' } });
    assert.equal(cmd.status, 404);
    assert.match(((await cmd.json()) as { error: string }).error, /serves GET \/metrics/);
  } finally {
    await srv.close();
  }
});
