/**
 * Prometheus metrics (`GET /metrics` on the HTTP port), made with
 * prom-client from INFO ALL as the scraping user runs it (so over every
 * thread, and counted in commandstats as redis_exporter's INFO is), under
 * redis_exporter's names and labels so that dashboards made for Redis work
 * unchanged. Each scrape builds a fresh registry: the values are INFO's at
 * that moment.
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { CommandSession } from './command-session.ts';
import { SHARDIS_VERSION } from './version.ts';
import { replyMessage, type ReplyMessage } from '../protocol/reply-tree.ts';

/** INFO's text as sections of fields. */
export function parseInfo(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let section = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line.startsWith('# ')) out.set(line.slice(2).toLowerCase(), (section = new Map()));
    else if (line !== '') {
      const colon = line.indexOf(':');
      if (colon > 0) section.set(line.slice(0, colon), line.slice(colon + 1));
    }
  }
  return out;
}

/** `a=1,b=2` as a map (commandstats, errorstats, keyspace lines). */
function pairs(value: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const kv of value.split(',')) {
    const eq = kv.indexOf('=');
    if (eq > 0) m.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  return m;
}

/** [INFO field, metric name, help, counter?] for the plain fields, as redis_exporter names them. */
const FIELDS: ReadonlyArray<readonly [string, string, string, boolean]> = [
  ['uptime_in_seconds', 'redis_uptime_in_seconds', 'Seconds since the server started', false],
  ['connected_clients', 'redis_connected_clients', 'Client connections', false],
  ['blocked_clients', 'redis_blocked_clients', 'Clients blocked on a key', false],
  ['maxclients', 'redis_max_clients', 'maxclients', false],
  ['used_memory', 'redis_memory_used_bytes', 'Memory used (INFO used_memory)', false],
  ['used_memory_rss', 'redis_memory_used_rss_bytes', 'Resident set size', false],
  ['used_memory_peak', 'redis_memory_used_peak_bytes', 'Peak of used_memory', false],
  ['maxmemory', 'redis_memory_max_bytes', 'maxmemory (0: no limit)', false],
  ['total_connections_received', 'redis_connections_received_total', 'Connections accepted', true],
  ['rejected_connections', 'redis_rejected_connections_total', 'Connections refused (maxclients)', true],
  ['total_commands_processed', 'redis_commands_processed_total', 'Commands processed', true],
  ['total_net_input_bytes', 'redis_net_input_bytes_total', 'Bytes read from clients', true],
  ['total_net_output_bytes', 'redis_net_output_bytes_total', 'Bytes written to clients', true],
  ['keyspace_hits', 'redis_keyspace_hits_total', 'Key lookups that found the key', true],
  ['keyspace_misses', 'redis_keyspace_misses_total', 'Key lookups that did not', true],
  ['expired_keys', 'redis_expired_keys_total', 'Keys expired', true],
  ['evicted_keys', 'redis_evicted_keys_total', 'Keys evicted (maxmemory)', true],
  ['total_error_replies', 'redis_total_error_replies', 'Error replies sent', true],
  ['pubsub_channels', 'redis_pubsub_channels', 'Channels with subscribers', false],
  ['pubsub_patterns', 'redis_pubsub_patterns', 'Pattern subscriptions', false],
  ['connected_slaves', 'redis_connected_slaves', 'Replicas connected', false],
  ['master_repl_offset', 'redis_master_repl_offset', 'Replication offset', false],
  ['rdb_changes_since_last_save', 'redis_rdb_changes_since_last_save', 'Writes since the last snapshot', false],
  ['rdb_last_save_time', 'redis_rdb_last_save_timestamp_seconds', 'When the last snapshot was taken (unix seconds)', false],
  ['aof_enabled', 'redis_aof_enabled', 'appendonly yes', false],
  ['loading', 'redis_loading_dump_file', 'Loading the dataset', false],
  // shardis's own (security/rate-limit.ts)
  ['rate_limited_commands', 'shardis_rate_limited_commands_total', 'Commands refused for a rate limit', true],
  ['rate_limited_delays', 'shardis_rate_limited_delays_total', 'Commands that waited for a rate limit', true],
];

/** The metrics text for one scrape, or the error INFO gave (NOPERM …). */
export async function metricsText(session: CommandSession): Promise<{ text: string; contentType: string } | { error: string }> {
  const reply = (await session.replyOf(['INFO', 'ALL', 'SHARDIS'])).latin1Slice();
  if (reply.startsWith('-')) return { error: reply.slice(1, reply.indexOf('\r\n')) };
  const info = parseInfo(reply.slice(reply.indexOf('\r\n') + 2));
  const flat = new Map<string, string>();
  for (const s of info.values()) for (const [k, v] of s) flat.set(k, v);
  const registry = new Registry();
  const gauge = (name: string, help: string, labelNames: string[] = []): Gauge => new Gauge({ name, help, labelNames, registers: [registry] });
  const counter = (name: string, help: string, labelNames: string[] = []): Counter => new Counter({ name, help, labelNames, registers: [registry] });
  gauge('redis_up', 'The server answered').set(1);
  const server = info.get('server');
  gauge('redis_instance_info', 'Which server this is', ['redis_version', 'redis_mode', 'role', 'run_id', 'shardis_version']).set(
    { redis_version: server?.get('redis_version') ?? '', redis_mode: server?.get('redis_mode') ?? '', role: flat.get('role') ?? '', run_id: server?.get('run_id') ?? '', shardis_version: SHARDIS_VERSION },
    1,
  );
  for (const [field, name, help, isCounter] of FIELDS) {
    const v = Number(flat.get(field));
    if (!Number.isFinite(v)) continue;
    if (isCounter) counter(name, help).inc(v);
    else gauge(name, help).set(v);
  }
  // per command: calls, time, rejected and failed calls
  const calls = counter('redis_commands_total', 'Calls per command', ['cmd']);
  const seconds = counter('redis_commands_duration_seconds_total', 'Time spent per command', ['cmd']);
  const rejected = counter('redis_commands_rejected_calls_total', 'Calls refused before they ran, per command', ['cmd']);
  const failed = counter('redis_commands_failed_calls_total', 'Calls that failed as they ran, per command', ['cmd']);
  for (const [k, v] of info.get('commandstats') ?? []) {
    const cmd = k.replace(/^cmdstat_/, '');
    const m = pairs(v);
    calls.inc({ cmd }, Number(m.get('calls') ?? 0));
    seconds.inc({ cmd }, Number(m.get('usec') ?? 0) / 1e6);
    rejected.inc({ cmd }, Number(m.get('rejected_calls') ?? 0));
    failed.inc({ cmd }, Number(m.get('failed_calls') ?? 0));
  }
  const errors = counter('redis_errors_total', 'Error replies per error prefix', ['err']);
  for (const [k, v] of info.get('errorstats') ?? []) errors.inc({ err: k.replace(/^errorstat_/, '') }, Number(pairs(v).get('count') ?? 0));
  // per database: keys, keys with a TTL, their average TTL
  const keys = gauge('redis_db_keys', 'Keys per database', ['db']);
  const expiring = gauge('redis_db_keys_expiring', 'Keys with a TTL per database', ['db']);
  const avgTtl = gauge('redis_db_avg_ttl_seconds', 'Average TTL of the keys with one, per database', ['db']);
  for (const [k, v] of info.get('keyspace') ?? []) {
    const m = pairs(v);
    keys.set({ db: k }, Number(m.get('keys') ?? 0));
    expiring.set({ db: k }, Number(m.get('expires') ?? 0));
    avgTtl.set({ db: k }, Number(m.get('avg_ttl') ?? 0) / 1000);
  }
  // redis_exporter's latency percentiles (INFO latencystats)
  const pct = gauge('redis_latency_percentiles_usec', 'Latency percentiles per command (INFO latencystats), microseconds', ['cmd', 'quantile']);
  for (const [k, v] of info.get('latencystats') ?? []) {
    const cmd = k.replace(/^latency_percentiles_usec_/, '');
    for (const [p, usec] of pairs(v)) pct.set({ cmd, quantile: String(Number((Number(p.slice(1)) / 100).toFixed(6))) }, Number(usec));
  }
  threadMetrics(info.get('shardis'), gauge, counter);
  const histograms = await latencyHistograms(session, info.get('commandstats'));
  return { text: (await registry.metrics()) + histograms, contentType: registry.contentType };
}

/** INFO shardis's per-thread lines (`thread0:shards=0-3,connections=…`) as shardis_thread_* series labelled by thread. */
function threadMetrics(
  section: Map<string, string> | undefined,
  gauge: (name: string, help: string, labelNames?: string[]) => Gauge,
  counter: (name: string, help: string, labelNames?: string[]) => Counter,
): void {
  const lines = [...(section ?? [])].filter(([k]) => /^thread\d+$/.test(k));
  if (lines.length === 0) return;
  const series: Array<[string, string, string, boolean]> = [
    ['connections', 'shardis_thread_connections', 'Connections this thread serves', false],
    ['commands', 'shardis_thread_commands_processed_total', 'Commands this thread ran', true],
    ['loop_utilization', 'shardis_thread_loop_utilization', "Share of time this thread's event loop was busy (last window of at least 1 s)", false],
    ['jobs_sent', 'shardis_thread_jobs_sent_total', 'Commands this thread sent to the thread owning their keys (hops out)', true],
    ['jobs_run', 'shardis_thread_jobs_run_total', "Other threads' commands this thread ran for them (hops in)", true],
    ['jobs_in_flight', 'shardis_thread_jobs_in_flight', "Commands sent to other threads awaiting their replies (this thread's queue depth)", false],
    ['feeds', 'shardis_feed_watchers', 'Key feeds (WebSocket, SSE, gRPC watchers) open on this thread', false],
    ['feed_parts', 'shardis_feed_parts', "Parts of key feeds following this thread's shards", false],
    ['feed_parts_paused', 'shardis_feed_parts_paused', "Feed parts paused because their watcher's transport is full", false],
    ['feed_keys_pending', 'shardis_feed_keys_pending', 'Changed keys paused feed parts have yet to send (their lag)', false],
  ];
  const made = series.map(([field, name, help, isCounter]) => [field, isCounter ? counter(name, help, ['thread']) : gauge(name, help, ['thread'])] as const);
  const shards = gauge('shardis_thread_shards', 'Shards this thread owns', ['thread']);
  for (const [k, v] of lines) {
    const thread = k.slice(6);
    const m = pairs(v);
    for (const [field, metric] of made) {
      const n = Number(m.get(field));
      if (!Number.isFinite(n)) continue;
      if (metric instanceof Counter) metric.inc({ thread }, n);
      else metric.set({ thread }, n);
    }
    const [from, to] = (m.get('shards') ?? '').split('-').map(Number);
    shards.set({ thread }, from === undefined || to === undefined || Number.isNaN(from) ? 0 : to - from + 1);
  }
}

/**
 * LATENCY HISTOGRAM as the Prometheus histogram shardis_command_latency_seconds
 * (Redis's power-of-two microsecond buckets, cumulative as Redis counts
 * them; _sum from commandstats). Written as text, as prom-client cannot take
 * counted buckets; nothing when the user may not run LATENCY.
 */
async function latencyHistograms(session: CommandSession, commandstats: Map<string, string> | undefined): Promise<string> {
  const buf = await session.replyOf(['LATENCY', 'HISTOGRAM']);
  const top = replyMessage(buf, 0, buf.length).reply;
  if (!('array' in top)) return '';
  const name = 'shardis_command_latency_seconds';
  let out = `# HELP ${name} Command latency (LATENCY HISTOGRAM)\n# TYPE ${name} histogram\n`;
  const items = top.array.items;
  for (let i = 0; i + 1 < items.length; i += 2) {
    const cmd = textOf(items[i]!);
    const fields = 'array' in items[i + 1]! ? (items[i + 1] as { array: { items: ReplyMessage[] } }).array.items : [];
    let calls = 0;
    let buckets: ReplyMessage[] = [];
    for (let j = 0; j + 1 < fields.length; j += 2) {
      const f = textOf(fields[j]!);
      if (f === 'calls') calls = Number(textOf(fields[j + 1]!));
      else if (f === 'histogram_usec' && 'array' in fields[j + 1]!) buckets = (fields[j + 1] as { array: { items: ReplyMessage[] } }).array.items;
    }
    const label = cmd.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
    for (let j = 0; j + 1 < buckets.length; j += 2) out += `${name}_bucket{cmd="${label}",le="${Number(textOf(buckets[j]!)) / 1e6}"} ${textOf(buckets[j + 1]!)}\n`;
    const usec = Number(pairs(commandstats?.get(`cmdstat_${cmd}`) ?? '').get('usec') ?? 0);
    out += `${name}_bucket{cmd="${label}",le="+Inf"} ${calls}\n${name}_sum{cmd="${label}"} ${usec / 1e6}\n${name}_count{cmd="${label}"} ${calls}\n`;
  }
  return out;
}

/** A reply element's text: a bulk string's bytes, an integer's digits. */
function textOf(r: ReplyMessage): string {
  if ('string' in r) return r.string.latin1Slice();
  if ('integer' in r) return r.integer;
  if ('double' in r) return String(r.double);
  return '';
}
