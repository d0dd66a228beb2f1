/** INFO: Redis's sections and field names, CRLF lines. */
import { command, type CommandSpec } from './spec.ts';
import type { Client } from '../server/client.ts';
import type { ServerState } from '../server/server-state.ts';
import { REDIS_VERSION, SHARDIS_VERSION } from '../server/version.ts';
import { getConfigValue } from '../config/config.ts';
import { arch, platform, release } from 'node:os';

type Section = (s: ServerState, c: Client) => string[];

function human(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${bytes}B` : `${v.toFixed(2)}${units[i]}`;
}

function shardTotals(s: ServerState): { hits: number; misses: number; expired: number; dirty: number } {
  const t = { hits: 0, misses: 0, expired: 0, dirty: 0 };
  for (const sh of s.engine.shards) {
    t.hits += sh.stats.keyspaceHits;
    t.misses += sh.stats.keyspaceMisses;
    t.expired += sh.stats.expiredKeys;
    t.dirty += sh.stats.dirty;
  }
  return t;
}

const SECTIONS: Record<string, Section> = {
  server: (s) => {
    const up = Math.floor((Date.now() - s.startedAt) / 1000);
    return [
      `redis_version:${REDIS_VERSION}`,
      `shardis_version:${SHARDIS_VERSION}`,
      'redis_git_sha1:00000000',
      'redis_git_dirty:0',
      'redis_build_id:0',
      'redis_mode:standalone',
      `os:${platform() === 'linux' ? 'Linux' : platform()} ${release()} ${arch()}`,
      `arch_bits:${arch().includes('64') ? 64 : 32}`,
      'monotonic_clock:POSIX clock_gettime',
      'multiplexing_api:epoll',
      'atomicvar_api:c11-builtin',
      `gcc_version:0.0.0`,
      `node_version:${process.versions.node}`,
      `process_id:${process.pid}`,
      'process_supervised:no',
      `run_id:${s.runId}`,
      `tcp_port:${s.port}`,
      `server_time_usec:${Date.now() * 1000}`,
      `uptime_in_seconds:${up}`,
      `uptime_in_days:${Math.floor(up / 86400)}`,
      `hz:${s.config.hz}`,
      `configured_hz:${s.config.hz}`,
      `lru_clock:${Math.floor(Date.now() / 1000) & 0xffffff}`,
      `executable:${process.argv[1] ?? ''}`,
      `config_file:${s.configFile}`,
      'io_threads_active:0',
      `shards:${s.engine.shards.length}`,
    ];
  },
  clients: (s) => {
    let blocked = 0;
    for (const c of s.clients.values()) if (c.blocked) blocked++;
    return [
      `connected_clients:${s.clients.size}`,
      'cluster_connections:0',
      `maxclients:${s.config.maxclients}`,
      'client_recent_max_input_buffer:0',
      'client_recent_max_output_buffer:0',
      `blocked_clients:${blocked}`,
      'tracking_clients:0',
      'clients_in_timeout_table:0',
    ];
  },
  memory: (s) => {
    const m = process.memoryUsage();
    const used = m.heapUsed + m.external;
    const maxmemory = Number(getConfigValue(s.config, 'maxmemory') ?? 0);
    return [
      `used_memory:${used}`,
      `used_memory_human:${human(used)}`,
      `used_memory_rss:${m.rss}`,
      `used_memory_rss_human:${human(m.rss)}`,
      `used_memory_peak:${Math.max(used, s.peakMemory = Math.max(s.peakMemory, used))}`,
      `used_memory_peak_human:${human(s.peakMemory)}`,
      `used_memory_startup:0`,
      `used_memory_dataset:${m.heapUsed}`,
      `total_system_memory:${process.constrainedMemory?.() ?? 0}`,
      `used_memory_lua:0`,
      `maxmemory:${maxmemory}`,
      `maxmemory_human:${human(maxmemory)}`,
      `maxmemory_policy:${getConfigValue(s.config, 'maxmemory-policy') ?? 'noeviction'}`,
      `mem_fragmentation_ratio:${(m.rss / Math.max(1, used)).toFixed(2)}`,
      'mem_allocator:v8',
      'lazyfree_pending_objects:0',
    ];
  },
  persistence: () => [
    'loading:0',
    'async_loading:0',
    'rdb_changes_since_last_save:0',
    'rdb_bgsave_in_progress:0',
    'rdb_last_save_time:0',
    'rdb_last_bgsave_status:ok',
    'aof_enabled:0',
    'aof_rewrite_in_progress:0',
    'aof_rewrite_scheduled:0',
    'aof_last_bgrewrite_status:ok',
    'aof_last_write_status:ok',
  ],
  stats: (s) => {
    const t = shardTotals(s);
    return [
      `total_connections_received:${s.stats.totalConnections}`,
      `total_commands_processed:${s.stats.commandsProcessed}`,
      `instantaneous_ops_per_sec:${s.opsPerSec()}`,
      `total_net_input_bytes:${s.stats.netInputBytes}`,
      `total_net_output_bytes:${s.stats.netOutputBytes}`,
      `rejected_connections:${s.stats.rejectedConnections}`,
      `expired_keys:${t.expired}`,
      'expired_stale_perc:0.00',
      'expired_time_cap_reached_count:0',
      'evicted_keys:0',
      `keyspace_hits:${t.hits}`,
      `keyspace_misses:${t.misses}`,
      'pubsub_channels:0',
      'pubsub_patterns:0',
      'latest_fork_usec:0',
      'total_forks:0',
      `total_error_replies:${s.stats.totalErrorReplies}`,
      `dump_payload_sanitizations:0`,
      `total_reads_processed:${s.stats.commandsProcessed}`,
      `total_writes_processed:${s.stats.commandsProcessed}`,
    ];
  },
  replication: () => ['role:master', 'connected_slaves:0', 'master_failover_state:no-failover', 'master_replid:0000000000000000000000000000000000000000', 'master_repl_offset:0', 'repl_backlog_active:0'],
  cpu: () => {
    const u = process.cpuUsage();
    return [
      `used_cpu_sys:${(u.system / 1e6).toFixed(6)}`,
      `used_cpu_user:${(u.user / 1e6).toFixed(6)}`,
      'used_cpu_sys_children:0.000000',
      'used_cpu_user_children:0.000000',
    ];
  },
  modules: () => [],
  errorstats: (s) => [...s.stats.errors].map(([code, n]) => `errorstat_${code}:count=${n}`),
  cluster: () => ['cluster_enabled:0'],
  keyspace: (s) => {
    const out: string[] = [];
    for (let db = 0; db < s.engine.databases; db++) {
      let keys = 0;
      let expires = 0;
      for (const ks of s.engine.keyspaces(db)) {
        keys += ks.size;
        expires += ks.expires.size;
      }
      if (keys > 0) out.push(`db${db}:keys=${keys},expires=${expires},avg_ttl=0`);
    }
    return out;
  },
  commandstats: (s) => {
    const out: string[] = [];
    for (const cmd of s.registry.all()) {
      if (cmd.calls === 0 && cmd.rejectedCalls === 0 && cmd.failedCalls === 0) continue;
      const usec = Math.round(cmd.usec);
      const per = cmd.calls === 0 ? 0 : usec / cmd.calls;
      out.push(`cmdstat_${cmd.fullName}:calls=${cmd.calls},usec=${usec},usec_per_call=${per.toFixed(2)},rejected_calls=${cmd.rejectedCalls},failed_calls=${cmd.failedCalls}`);
    }
    return out;
  },
  latencystats: () => [],
};

const DEFAULT = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];
const ALL = [...DEFAULT.slice(0, 8), 'commandstats', 'errorstats', 'cluster', 'keyspace'];
const TITLES: Record<string, string> = {
  server: 'Server', clients: 'Clients', memory: 'Memory', persistence: 'Persistence', stats: 'Stats', replication: 'Replication',
  cpu: 'CPU', modules: 'Modules', errorstats: 'Errorstats', cluster: 'Cluster', keyspace: 'Keyspace', commandstats: 'Commandstats',
  latencystats: 'Latencystats',
};

/** The INFO text for the requested section names (Redis's genRedisInfoString). */
export function infoString(s: ServerState, c: Client, names: string[]): string {
  let wanted: string[];
  if (names.length === 0) wanted = DEFAULT;
  else {
    const set = new Set<string>();
    for (const n of names.map((x) => x.toLowerCase())) {
      if (n === 'default') DEFAULT.forEach((x) => set.add(x));
      else if (n === 'all') ALL.forEach((x) => set.add(x));
      else if (n === 'everything') [...ALL, 'latencystats'].forEach((x) => set.add(x));
      else set.add(n);
    }
    wanted = Object.keys(TITLES).filter((k) => set.has(k));
  }
  const parts: string[] = [];
  for (const name of wanted) {
    const lines = SECTIONS[name]!(s, c);
    parts.push(`# ${TITLES[name]}\r\n` + lines.map((l) => l + '\r\n').join(''));
  }
  return parts.join('\r\n');
}

/** INFO [section [section ...]] */
const info = command({
  name: 'info', arity: -1, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server', since: '1.0.0', summary: 'Returns information and statistics about the server.', complexity: 'O(1)',
  acl: ['@dangerous'],
  args: [{ name: 'section', type: 'string', optional: true, multiple: true }],
  handler(c, args) {
    c.reply.verbatim(infoString(c.server, c, args.slice(1)));
  },
});

export const infoCommands: CommandSpec[] = [info];
