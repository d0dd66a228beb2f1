/**
 * INFO: Redis 7.0's sections, field names and order, CRLF lines. Families
 * that own a statistic (persistence, replication, pub/sub, scripting…) add or
 * override fields with addInfoFields instead of editing this file.
 */
import { countKeyspace } from '../../engine/server-wide.ts';
import { percentileOf } from '../../server/latency.ts';
import { command, type CommandSpec } from '../core/spec.ts';
import type { ServerState } from '../../server/server-state.ts';
import type { Client } from '../../server/client.ts';
import { REDIS_VERSION, SHARDIS_VERSION } from '../../server/version.ts';
import { ReplicationFeed } from '../../replication/primary.ts';
import { getConfigNumber, getConfigValue } from '../../config/config.ts';
import { arch, machine, release, totalmem, type } from 'node:os';
import { resolve } from 'node:path';
import { saveState, totalDirty } from '../../persistence/save-state.ts';
import { migrateCachedSockets } from '../keys/migrate.ts';
import { EMPTY_SERVER_BYTES } from '../../server/memory-limit.ts';
import { loadingInfo } from '../../server/loading.ts';
import { DENIED_AUTH, DENIED_CHANNEL, DENIED_CMD, DENIED_KEY } from '../../security/acl.ts';
import { feedsIfAny } from '../../reactivity/feeds-of.ts';

type Field = [name: string, value: string | number];
type Provider = (s: ServerState<Client>) => Field[];


/** Redis's bytesToHuman: 100B, 2.00K, 1.50M … */
export function bytesToHuman(n: number): string {
  if (n < 1024) return `${n}B`;
  const units = ['K', 'M', 'G', 'T', 'P'];
  let d = n / 1024;
  let i = 0;
  while (d >= 1024 && i < units.length - 1) {
    d /= 1024;
    i++;
  }
  return `${d.toFixed(2)}${units[i]}`;
}

const pct = (n: number): string => `${n.toFixed(2)}%`;
const secs = (us: number): string => `${Math.floor(us / 1e6)}.${String(Math.floor(us % 1e6)).padStart(6, '0')}`;

function shardTotals(s: ServerState<Client>): { hits: number; misses: number; expired: number; expiredSubkeys: number; dirty: number } {
  const t = { hits: 0, misses: 0, expired: 0, expiredSubkeys: 0, dirty: 0 };
  // the guest shard's too: reads and writes of keys borrowed from other threads count here
  for (const sh of s.engine.eventShards) {
    t.hits += sh.stats.keyspaceHits;
    t.misses += sh.stats.keyspaceMisses;
    t.expired += sh.stats.expiredKeys;
    t.expiredSubkeys += sh.stats.expiredSubkeys;
    t.dirty += sh.stats.dirty;
  }
  return t;
}

/** Net throughput between two INFO calls (instantaneous_*_kbps). */
const netSamples = new WeakMap<ServerState<Client>, { t: number; in: number; out: number; kin: number; kout: number }>();

/**
 * INFO server's listenerN lines (Redis 7.2, #9320): tcp is listener0 with
 * the bind addresses and port, unix listener1, tls listener2.
 */
function listenerFields(s: ServerState<Client>): Field[] {
  const out: Field[] = [];
  const binds = (getConfigValue(s.config, 'bind') ?? '').split(' ').filter((b) => b !== '').map((b) => `,bind=${b}`).join('');
  if (s.port) out.push(['listener0', `name=tcp${binds},port=${s.port}`]);
  const unix = getConfigValue(s.config, 'unixsocket') ?? '';
  if (unix !== '') out.push(['listener1', `name=unix,bind=${unix}`]);
  const tls = getConfigNumber(s.config, 'tls-port', 0);
  if (tls !== 0) out.push(['listener2', `name=tls${binds},port=${tls}`]);
  return out;
}

const loopSamples = new WeakMap<ServerState<Client>, { t: number; cycles: number; active: number; perSec: number; usec: number }>();

/**
 * INFO stats' eventloop_* (Redis 7.2, #11963): cycles are the reads handled
 * from client sockets, durations the event loop's busy time
 * (performance.eventLoopUtilization) and the commands' time (commandstats),
 * in microseconds; the instantaneous values are since the previous INFO.
 */
function eventLoopFields(s: ServerState<Client>): Field[] {
  const cycles = s.stats.eventLoopCycles;
  const active = Math.round(performance.eventLoopUtilization().active * 1000);
  let cmdUsec = 0;
  for (const cmd of s.registry.all()) cmdUsec += cmd.usec;
  const now = performance.now();
  const prev = loopSamples.get(s);
  let perSec = 0;
  let usec = 0;
  if (prev) {
    const dt = (now - prev.t) / 1000;
    if (dt < 0.1) ({ perSec, usec } = prev);
    else if (dt < 10) {
      perSec = Math.round((cycles - prev.cycles) / dt);
      usec = cycles > prev.cycles ? Math.round((active - prev.active) / (cycles - prev.cycles)) : 0;
    }
  }
  if (!prev || now - prev.t >= 100) loopSamples.set(s, { t: now, cycles, active, perSec, usec });
  return [
    ['eventloop_cycles', cycles], ['eventloop_duration_sum', active], ['eventloop_duration_cmd_sum', Math.round(cmdUsec)],
    ['instantaneous_eventloop_cycles_per_sec', perSec], ['instantaneous_eventloop_duration_usec', usec],
  ];
}

function netRates(s: ServerState<Client>): [number, number] {
  const now = performance.now();
  const prev = netSamples.get(s);
  let kin = 0;
  let kout = 0;
  if (prev) {
    const dt = (now - prev.t) / 1000;
    if (dt < 0.1) return [prev.kin, prev.kout];
    if (dt < 10) {
      kin = (s.stats.netInputBytes - prev.in) / dt / 1024;
      kout = (s.stats.netOutputBytes - prev.out) / dt / 1024;
    }
  }
  netSamples.set(s, { t: now, in: s.stats.netInputBytes, out: s.stats.netOutputBytes, kin, kout });
  return [kin, kout];
}

function memoryFields(s: ServerState<Client>): Field[] {
  const m = process.memoryUsage();
  // with threads: every thread's memory as of now (not as last published)
  const used = s.memory.used(true);
  s.peakMemory = s.memory.peak;
  const startup = EMPTY_SERVER_BYTES;
  // with threads, every thread's
  const { dataset, clients: clientsMem } = s.memory.everyThread();
  const overhead = used - dataset;
  const maxmemory = getConfigNumber(s.config, 'maxmemory', 0);
  const total = totalmem();
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', m.rss],
    ['used_memory_rss_human', bytesToHuman(m.rss)],
    ['used_memory_peak', s.peakMemory],
    ['used_memory_peak_human', bytesToHuman(s.peakMemory)],
    ['used_memory_peak_perc', pct((used * 100) / s.peakMemory)],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', startup],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', pct(used > startup ? (dataset * 100) / (used - startup) : 0)],
    ['allocator_allocated', m.heapUsed + m.external],
    ['allocator_active', m.heapTotal],
    ['allocator_resident', m.rss],
    ['allocator_muzzy', 0],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', getConfigValue(s.config, 'maxmemory-policy') ?? 'noeviction'],
    ['allocator_frag_ratio', (m.heapTotal / Math.max(1, m.heapUsed)).toFixed(2)],
    ['allocator_frag_bytes', m.heapTotal - m.heapUsed],
    ['allocator_rss_ratio', (m.rss / Math.max(1, m.heapTotal)).toFixed(2)],
    ['allocator_rss_bytes', m.rss - m.heapTotal],
    ['rss_overhead_ratio', '1.00'],
    ['rss_overhead_bytes', 0],
    ['mem_fragmentation_ratio', (m.rss / Math.max(1, used)).toFixed(2)],
    ['mem_fragmentation_bytes', m.rss - used],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', clientsMem],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', 'v8'],
    ['mem_overhead_db_hashtable_rehashing', 0],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', 0],
    ['lazyfreed_objects', s.stats.lazyfreedObjects],
  ];
}

const SECTIONS: Record<string, Provider> = {
  // backups to S3 (commands/server/backup.ts adds the fields): only when asked for by name, as shardis's
  backup: () => [],
  // shardis's own statistics: only when asked for by name, so INFO, INFO all and INFO everything list Redis's fields alone
  shardis: (s) => [
    // memory-reducing collections run while quiet (server/heap-compactor.ts)
    ['heap_compactions', s.heapCompactor.compactions],
    ['heap_compaction_last_ms', s.heapCompactor.lastMs.toFixed(1)],
    threadLine(s),
  ],
  server: (s) => {
    const up = Math.floor((Date.now() - s.startedAt) / 1000);
    const hz = s.config.hz;
    return [
      ['redis_version', REDIS_VERSION],
      ['redis_git_sha1', '00000000'],
      ['redis_git_dirty', 0],
      ['redis_build_id', '0'],
      ['redis_mode', s.cluster !== null ? 'cluster' : 'standalone'],
      ['os', `${type()} ${release()} ${machine()}`],
      ['arch_bits', arch().includes('64') ? 64 : 32],
      ['monotonic_clock', 'POSIX clock_gettime'],
      ['multiplexing_api', process.platform === 'linux' ? 'epoll' : process.platform === 'win32' ? 'iocp' : 'kqueue'],
      ['atomicvar_api', 'c11-builtin'],
      ['gcc_version', '0.0.0'],
      ['process_id', process.pid],
      ['process_supervised', 'no'],
      ['run_id', s.runId],
      ['tcp_port', s.port],
      ['server_time_usec', Math.round((performance.timeOrigin + performance.now()) * 1000)],
      ['uptime_in_seconds', up],
      ['uptime_in_days', Math.floor(up / 86400)],
      ['hz', hz],
      ['configured_hz', hz],
      ['lru_clock', Math.floor(Date.now() / 1000) & 0xffffff],
      ['executable', process.argv[1] ? resolve(process.argv[1]) : process.execPath],
      ['config_file', s.config.configFile || s.configFile],
      ['io_threads_active', 0],
      ...listenerFields(s),
      ['shardis_version', SHARDIS_VERSION],
      ['shardis_shards', s.engine.shards.length],
      ['node_version', process.versions.node],
    ];
  },
  clients: (s) => {
    let blocked = 0;
    let maxIn = 0;
    let maxOut = 0;
    let pubsub = 0;
    let watching = 0;
    for (const c of s.clients.values()) {
      if (c.blocked) blocked++;
      if (c.subscriptions + c.patternSubscriptions + c.shardSubscriptions > 0) pubsub++;
      if (((c.ext.watched as unknown[] | undefined)?.length ?? 0) > 0) watching++;
      if (c.queryBufSize > maxIn) maxIn = c.queryBufSize;
      if (c.reply.len > maxOut) maxOut = c.reply.len;
    }
    return [
      // every connection maxclients counts (server/admit.ts), HTTP requests and key feeds too, but replicas
      ['connected_clients', s.connections() - s.replication.replicas.size],
      ['cluster_connections', 0],
      ['maxclients', s.config.maxclients],
      ['client_recent_max_input_buffer', maxIn],
      ['client_recent_max_output_buffer', maxOut],
      ['blocked_clients', blocked],
      ['tracking_clients', s.tracking?.clients ?? 0],
      // Redis 7.4: clients in pub/sub mode, clients watching keys, distinct watched keys (transactions.ts)
      ['pubsub_clients', pubsub],
      ['watching_clients', watching],
      ['clients_in_timeout_table', blocked],
      ['total_watched_keys', 0],
      // Redis 7.2+
      ['total_blocking_keys', s.blocking.blockingKeys],
      ['total_blocking_keys_on_nokey', s.blocking.blockingKeysOnNokey],
    ];
  },
  memory: memoryFields,
  persistence: (s) => {
    const save = saveState(s);
    return [
      ['loading', s.loading !== null && !s.loading.async ? 1 : 0],
      ['async_loading', s.loading?.async === true ? 1 : 0],
      ['current_cow_peak', 0],
      ['current_cow_size', 0],
      ['current_cow_size_age', 0],
      ['current_fork_perc', '0.00'],
      ['current_save_keys_processed', 0],
      ['current_save_keys_total', 0],
      ['rdb_changes_since_last_save', totalDirty(s) - save.dirtyAtSave],
      ['rdb_bgsave_in_progress', save.bgsaveInProgress || s.replication.snapshotInProgress ? 1 : 0],
      ['rdb_last_save_time', save.lastSave],
      ['rdb_last_bgsave_status', save.lastStatus],
      ['rdb_last_bgsave_time_sec', save.lastBgsaveSecs],
      ['rdb_current_bgsave_time_sec', save.bgsaveInProgress ? Math.floor(Date.now() / 1000) - save.bgsaveStart : -1],
      ['rdb_saves', save.saves],
      ['rdb_last_cow_size', 0],
      ['rdb_last_load_keys_expired', save.lastLoadKeysExpired],
      ['rdb_last_load_keys_loaded', save.lastLoadKeysLoaded],
      ['aof_enabled', getConfigValue(s.config, 'appendonly') === 'yes' ? 1 : 0],
      ['aof_rewrite_in_progress', 0],
      ['aof_rewrite_scheduled', 0],
      ['aof_last_rewrite_time_sec', -1],
      ['aof_current_rewrite_time_sec', -1],
      ['aof_last_bgrewrite_status', 'ok'],
      ['aof_rewrites', 0],
      ['aof_rewrites_consecutive_failures', 0],
      ['aof_last_write_status', 'ok'],
      ['aof_last_cow_size', 0],
      ['module_fork_in_progress', 0],
      ['module_fork_last_cow_size', 0],
      ...(s.loading !== null ? loadingInfo(s.loading) : []),
    ];
  },
  stats: (s) => {
    const t = shardTotals(s);
    const [kin, kout] = netRates(s);
    const st = s.stats;
    return [
      ['total_connections_received', st.totalConnections],
      ['total_commands_processed', st.commandsProcessed],
      ['instantaneous_ops_per_sec', s.opsPerSec()],
      ['total_net_input_bytes', st.netInputBytes],
      ['total_net_output_bytes', st.netOutputBytes],
      ['total_net_repl_input_bytes', 0],
      ['total_net_repl_output_bytes', 0],
      ['instantaneous_input_kbps', kin.toFixed(2)],
      ['instantaneous_output_kbps', kout.toFixed(2)],
      ['instantaneous_input_repl_kbps', '0.00'],
      ['instantaneous_output_repl_kbps', '0.00'],
      ['rejected_connections', st.rejectedConnections],
      ['sync_full', s.replication.syncStats.full],
      ['sync_partial_ok', s.replication.syncStats.partialOk],
      ['sync_partial_err', s.replication.syncStats.partialErr],
      ['expired_subkeys', t.expiredSubkeys],
      ['expired_keys', t.expired],
      ['expired_stale_perc', '0.00'],
      ['expired_time_cap_reached_count', 0],
      ['expire_cycle_cpu_milliseconds', 0],
      ['evicted_keys', s.memory.evictedKeys],
      ['evicted_clients', s.memory.evictedClients],
      ['evicted_scripts', st.evictedScripts],
      ['total_eviction_exceeded_time', 0],
      ['current_eviction_exceeded_time', 0],
      ['keyspace_hits', t.hits],
      ['keyspace_misses', t.misses],
      ['pubsub_channels', 0],
      ['pubsub_patterns', 0],
      ['pubsubshard_channels', 0],
      ['latest_fork_usec', 0],
      ['total_forks', 0],
      ['migrate_cached_sockets', migrateCachedSockets(s)],
      ['slave_expires_tracked_keys', 0],
      ['active_defrag_hits', 0],
      ['active_defrag_misses', 0],
      ['active_defrag_key_hits', 0],
      ['active_defrag_key_misses', 0],
      ['total_active_defrag_time', 0],
      ['current_active_defrag_time', 0],
      ['tracking_total_keys', s.tracking?.totalKeys ?? 0],
      ['tracking_total_items', s.tracking?.totalItems ?? 0],
      ['tracking_total_prefixes', s.tracking?.prefixes.size ?? 0],
      ['unexpected_error_replies', 0],
      ['total_error_replies', st.totalErrorReplies],
      ['dump_payload_sanitizations', 0],
      ['total_reads_processed', st.commandsProcessed],
      ['total_writes_processed', st.commandsProcessed],
      ['io_threaded_reads_processed', 0],
      ['io_threaded_writes_processed', 0],
      ['client_query_buffer_limit_disconnections', st.qbufLimitDisconnections],
      ['client_output_buffer_limit_disconnections', st.obufLimitDisconnections],
      ['reply_buffer_shrinks', 0],
      ['reply_buffer_expands', 0],
      ...eventLoopFields(s),
      // Redis 7.2: denials by kind, logged in ACL LOG or not (never reset)
      ['acl_access_denied_auth', s.acl.log.denied[DENIED_AUTH] ?? 0],
      ['acl_access_denied_cmd', s.acl.log.denied[DENIED_CMD] ?? 0],
      ['acl_access_denied_key', s.acl.log.denied[DENIED_KEY] ?? 0],
      ['acl_access_denied_channel', s.acl.log.denied[DENIED_CHANNEL] ?? 0],
      // shardis's own, after Redis's: commands refused / delayed for a rate limit (security/rate-limit.ts)
      ['rate_limited_commands', st.rateLimitedCommands],
      ['rate_limited_delays', st.rateLimitedDelays],
    ];
  },
  replication: (s) => {
    const repl = s.replication;
    const link = s.replicaOf;
    const out: Field[] = [['role', link === null ? 'master' : 'slave']];
    if (link !== null) out.push(...link.infoFields());
    const need = getConfigNumber(s.config, 'min-replicas-to-write', 0);
    const maxLag = getConfigNumber(s.config, 'min-replicas-max-lag', 10);
    if (need !== 0 && maxLag !== 0) out.push(['min_slaves_good_slaves', repl.goodReplicas(maxLag)]);
    out.push(['connected_slaves', repl.replicas.size + repl.waitingReplicas.length]);
    let i = 0;
    const now = Date.now();
    for (const c of repl.waitingReplicas) {
      out.push([`slave${i++}`, `ip=${ReplicationFeed.address(c)},port=${(c.ext as { listeningPort?: number }).listeningPort ?? 0},state=wait_bgsave,offset=0,lag=0`]);
    }
    for (const r of repl.replicas) {
      const ip = ReplicationFeed.address(r.client);
      out.push([`slave${i++}`, `ip=${ip},port=${r.listeningPort},state=${r.sending ?? 'online'},offset=${r.ackOffset},lag=${ReplicationFeed.lag(r, now)}`]);
    }
    const [backlog, firstByte, histlen] = repl.backlogInfo();
    out.push(
      ['master_failover_state', repl.failover?.state ?? 'no-failover'],
      ['master_replid', repl.replid],
      ['master_replid2', repl.replid2],
      ['master_repl_offset', repl.offset],
      ['second_repl_offset', repl.secondOffset],
      ['repl_backlog_active', backlog],
      ['repl_backlog_size', getConfigNumber(s.config, 'repl-backlog-size', 1048576)],
      ['repl_backlog_first_byte_offset', firstByte],
      ['repl_backlog_histlen', histlen],
    );
    return out;
  },
  cpu: () => {
    const u = process.cpuUsage();
    return [
      ['used_cpu_sys', secs(u.system)],
      ['used_cpu_user', secs(u.user)],
      ['used_cpu_sys_children', '0.000000'],
      ['used_cpu_user_children', '0.000000'],
      ['used_cpu_sys_main_thread', secs(u.system)],
      ['used_cpu_user_main_thread', secs(u.user)],
    ];
  },
  modules: () => [],
  commandstats: (s) => {
    const out: Field[] = [];
    for (const cmd of s.registry.all()) {
      if (cmd.calls === 0 && cmd.rejectedCalls === 0 && cmd.failedCalls === 0) continue;
      const usec = Math.round(cmd.usec);
      const per = cmd.calls === 0 ? 0 : usec / cmd.calls;
      out.push([`cmdstat_${cmd.fullName}`, `calls=${cmd.calls},usec=${usec},usec_per_call=${per.toFixed(2)},rejected_calls=${cmd.rejectedCalls},failed_calls=${cmd.failedCalls}`]);
    }
    return out;
  },
  errorstats: (s) =>
    [...s.stats.errors.keys()]
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((code) => [`errorstat_${code.replace(/[#:\n\r]/g, '_')}`, `count=${s.stats.errors.get(code)}`]),
  latencystats: (s) => {
    const pcts = (getConfigValue(s.config, 'latency-tracking-info-percentiles') ?? '50 99 99.9').split(' ').filter((x) => x !== '').map(Number);
    const out: Field[] = [];
    // with threads, every thread's calls added up per command
    const buckets = new Map(s.latency.buckets());
    if (s.others !== null) {
      for (const list of s.others({ op: 'latency-buckets' }) as Array<Array<[string, Float64Array]>>) {
        for (const [name, h] of list) {
          const mine = buckets.get(name);
          if (mine === undefined) buckets.set(name, h);
          else buckets.set(name, mine.map((n, i) => n + h[i]!));
        }
      }
    }
    for (const cmd of s.registry.all()) {
      const h = buckets.get(cmd.fullName);
      if (h === undefined) continue;
      const parts: string[] = [];
      for (const p of pcts) {
        const v = percentileOf(h, p);
        if (v === null) break;
        parts.push(`p${p}=${v.toFixed(3)}`);
      }
      if (parts.length === pcts.length && parts.length > 0) out.push([`latency_percentiles_usec_${cmd.fullName}`, parts.join(',')]);
    }
    return out;
  },
  cluster: (s) => [['cluster_enabled', s.cluster !== null ? 1 : 0]],
  keyspace: (s) => {
    const out: Field[] = [];
    const now = Date.now();
    for (let db = 0; db < s.engine.databases; db++) {
      const { keys, expires, ttlSum, sampled, subexpiry } = countKeyspace(s.engine, db, now);
      // Redis 7.4's line: subexpiry counts the hashes with field TTLs
      if (keys > 0 || expires > 0) out.push([`db${db}`, `keys=${keys},expires=${expires},avg_ttl=${sampled ? Math.round(ttlSum / sampled) : 0},subexpiry=${subexpiry}`]);
    }
    return out;
  },
};

/** Section names in output order, with their "# Title" headers. */
const ORDER: Array<[string, string]> = [
  ['server', 'Server'], ['clients', 'Clients'], ['memory', 'Memory'], ['persistence', 'Persistence'], ['stats', 'Stats'],
  ['replication', 'Replication'], ['cpu', 'CPU'], ['modules', 'Modules'], ['commandstats', 'Commandstats'],
  ['errorstats', 'Errorstats'], ['latencystats', 'Latencystats'], ['cluster', 'Cluster'], ['keyspace', 'Keyspace'],
  ['shardis', 'Shardis'], ['backup', 'Backup'],
];
/** shardis's own sections: listed only when asked for by name (INFO all and everything list Redis's alone). */
const OWN_SECTIONS = new Set(['shardis', 'backup']);
const DEFAULT = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'module_list', 'errorstats', 'cluster', 'keyspace'];

const extraFields = new Map<string, Provider[]>();

/**
 * Adds fields to a section (or replaces same-named ones in place): how the
 * families that own a statistic report it, e.g. persistence's
 * rdb_changes_since_last_save or pub/sub's pubsub_channels.
 */
export function addInfoFields(section: string, provider: Provider): void {
  const list = extraFields.get(section);
  if (list) list.push(provider);
  else extraFields.set(section, [provider]);
}

/** With threads: fields whose value over every thread is computed by their family (e.g. distinct channels), not added up. */
const crossThread = new Map<string, (s: ServerState<Client>) => number>();

export function addCrossThreadField(name: string, value: (s: ServerState<Client>) => number): void {
  crossThread.set(name, value);
}

/**
 * With threads: fields that add up over threads (counts of clients,
 * commands, keys hit …) and those that take the largest; every other field
 * is the asking thread's. commandstats and errorstats add up per entry.
 */
const SUMMED = new Set([
  'connected_clients', 'blocked_clients', 'tracking_clients', 'clients_in_timeout_table', 'pubsub_clients',
  'total_blocking_keys', 'total_blocking_keys_on_nokey', 'watching_clients', 'total_watched_keys',
  'client_query_buffer_limit_disconnections', 'client_output_buffer_limit_disconnections', 'eventloop_cycles', 'evicted_scripts',
  'eventloop_duration_sum', 'eventloop_duration_cmd_sum', 'instantaneous_eventloop_cycles_per_sec',
  'acl_access_denied_auth', 'acl_access_denied_cmd', 'acl_access_denied_key', 'acl_access_denied_channel',
  'total_connections_received', 'total_commands_processed', 'instantaneous_ops_per_sec', 'total_net_input_bytes',
  'total_net_output_bytes', 'rejected_connections', 'expired_subkeys', 'expired_keys', 'evicted_keys', 'evicted_clients', 'keyspace_hits',
  'keyspace_misses', 'tracking_total_keys', 'tracking_total_items', 'tracking_total_prefixes', 'total_error_replies',
  'total_reads_processed', 'total_writes_processed', 'rdb_changes_since_last_save', 'rdb_last_load_keys_expired',
  'rdb_last_load_keys_loaded', 'lazyfreed_objects', 'sync_full', 'sync_partial_ok', 'sync_partial_err',
  'rate_limited_commands', 'rate_limited_delays',
]);
const LARGEST = new Set([
  'client_recent_max_input_buffer', 'client_recent_max_output_buffer', 'rdb_bgsave_in_progress', 'rdb_current_bgsave_time_sec',
]);
/** Sections merged over threads (keyspace sums itself: engine/server-wide.ts). */
const MERGED = new Set(['clients', 'memory', 'stats', 'persistence', 'commandstats', 'errorstats', 'replication']);

/**
 * This thread's line of INFO shardis: its shards, connections, commands,
 * event loop utilization, jobs it sent to other threads (hops out), ran for
 * them (hops in) and awaits, its key feeds and how far paused ones are behind.
 */
function threadLine(s: ServerState<Client>): Field {
  const t = s.link?.index ?? 0;
  const shards = s.engine.shards.map((sh) => sh.id);
  const jobs = s.jobCounts?.() ?? { sent: 0, ran: 0, inFlight: 0 };
  const feeds = feedsIfAny(s)?.stats() ?? { feeds: 0, parts: 0, paused: 0, pending: 0 };
  const fields = {
    shards: shards.length === 0 ? '' : `${shards[0]}-${shards.at(-1)}`,
    connections: s.clients.size + s.unlistedConnections,
    commands: s.stats.commandsProcessed,
    loop_utilization: s.load.utilization().toFixed(3),
    jobs_sent: jobs.sent,
    jobs_run: jobs.ran,
    jobs_in_flight: jobs.inFlight,
    feeds: feeds.feeds,
    feed_parts: feeds.parts,
    feed_parts_paused: feeds.paused,
    feed_keys_pending: feeds.pending,
  };
  return [`thread${t}`, Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(',')];
}

/** This thread's fields of a section, merged with every other thread's (none with one thread). */
function sectionLines(s: ServerState<Client>, name: string): Field[] {
  const fields = threadSectionLines(s, name);
  // INFO shardis: every thread's own line, in thread order
  if (s.others !== null && name === 'shardis') {
    const lines = [fields, ...(s.others({ op: 'info-section', name }) as Field[][])].map((f) => f.find(([k]) => /^thread\d+$/.test(k))!);
    lines.sort((a, b) => Number(a[0].slice(6)) - Number(b[0].slice(6)));
    return [...fields.filter(([k]) => !/^thread\d+$/.test(k)), ...lines];
  }
  if (s.others === null || !MERGED.has(name)) return fields;
  const others = s.others({ op: 'info-section', name }) as Field[][];
  if (name === 'commandstats' || name === 'errorstats') return mergeCounters(fields, others);
  // others come in thread order, without this thread's: thread 0 (the stream's maker) is first unless this is it
  if (name === 'replication') return mergeReplication(fields, others, s.link?.index === 0 ? fields : others[0]!);
  for (const o of others) {
    const byName = new Map(o);
    for (const f of fields) {
      const v = byName.get(f[0]);
      if (v === undefined) continue;
      if (SUMMED.has(f[0])) f[1] = Number(f[1]) + Number(v);
      else if (LARGEST.has(f[0])) f[1] = Math.max(Number(f[1]), Number(v));
    }
  }
  for (const f of fields) {
    const value = crossThread.get(f[0]);
    if (value !== undefined) f[1] = value(s);
  }
  return fields;
}

/** The stream's fields, which thread 0 keeps (threads/repl-threads.ts). */
const STREAM_FIELDS = new Set([
  'master_replid', 'master_replid2', 'master_repl_offset', 'second_repl_offset', 'repl_backlog_active',
  'repl_backlog_first_byte_offset', 'repl_backlog_histlen',
]);

/** The replication section over threads: every thread's replicas (renumbered), the stream's fields from thread 0. */
function mergeReplication(fields: Field[], others: Field[][], zero: Field[]): Field[] {
  const all = [fields, ...others];
  const slaves = all.flatMap((f) => f.filter(([k]) => /^slave\d+$/.test(k)).map(([, v]) => v));
  const stream = new Map(zero.filter(([k]) => STREAM_FIELDS.has(k)));
  const out: Field[] = [];
  for (const f of fields) {
    if (/^slave\d+$/.test(f[0])) continue;
    if (f[0] === 'connected_slaves') {
      out.push([f[0], slaves.length]);
      slaves.forEach((v, i) => out.push([`slave${i}`, v]));
    } else if (stream.has(f[0])) out.push([f[0], stream.get(f[0])!]);
    else out.push(f);
  }
  return out;
}

/** commandstats / errorstats entries (k=v,… lists) added up over threads, usec_per_call recomputed. */
function mergeCounters(fields: Field[], others: Field[][]): Field[] {
  const sums = new Map<string, Map<string, number>>();
  for (const list of [fields, ...others]) {
    for (const [name, value] of list) {
      let m = sums.get(name);
      if (m === undefined) sums.set(name, (m = new Map()));
      for (const kv of String(value).split(',')) {
        const eq = kv.indexOf('=');
        const k = kv.slice(0, eq);
        m.set(k, (m.get(k) ?? 0) + Number(kv.slice(eq + 1)));
      }
    }
  }
  const names = [...sums.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => {
    const m = sums.get(name)!;
    const calls = m.get('calls');
    if (calls !== undefined) m.set('usec_per_call', calls === 0 ? 0 : m.get('usec')! / calls);
    const parts = [...m].map(([k, v]) => `${k}=${k === 'usec_per_call' ? v.toFixed(2) : v}`);
    return [name, parts.join(',')] as Field;
  });
}

/** A section's fields as this thread alone sees them. */
export function threadSectionLines(s: ServerState<Client>, name: string): Field[] {
  const fields = SECTIONS[name]!(s);
  const extra = extraFields.get(name);
  if (!extra) return fields;
  for (const p of extra) {
    for (const f of p(s)) {
      const i = fields.findIndex(([k]) => k === f[0]);
      if (i >= 0) fields[i] = f;
      else fields.push(f);
    }
  }
  return fields;
}

/** The INFO text for the requested section names (Redis's genRedisInfoString). */
export function infoString(s: ServerState<Client>, names: readonly string[]): string {
  const wanted = new Set<string>();
  let all = false;
  if (names.length === 0) for (const n of DEFAULT) wanted.add(n);
  for (const raw of names) {
    const n = raw.toLowerCase();
    if (n === 'default') for (const d of DEFAULT) wanted.add(d);
    else if (n === 'all' || n === 'everything') all = true;
    else wanted.add(n);
  }
  let out = '';
  for (const [name, title] of ORDER) {
    if ((!all || OWN_SECTIONS.has(name)) && !wanted.has(name) && !(name === 'modules' && wanted.has('module_list'))) continue;
    if (out !== '') out += '\r\n';
    out += `# ${title}\r\n`;
    for (const [k, v] of sectionLines(s, name)) out += `${k}:${v}\r\n`;
  }
  return out;
}

/** INFO [section [section ...]] */
const info = command({
  name: 'info', arity: -1, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  acl: ['@dangerous'],
  handler(c, args) {
    c.reply.verbatim(infoString(c.server, args.slice(1)));
  },
});

export const infoCommands: CommandSpec[] = [info];
