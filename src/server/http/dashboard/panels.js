/** The dashboard's tables: commands and their latency, the slow log, server, replication and cluster state. */
import { el, fill, table, fields, bytes, count, micros, duration, pairs } from './format.js';

/** A panel that could not be filled: the server's error (NOPERM …) in its place. */
export function showError(node, what, error) {
  fill(node, el('div', { class: 'error', 'data-testid': 'panel-error' }, `${what}: ${error}`));
}

/**
 * Commands by calls: calls, calls per second over the last interval, mean
 * time per call (commandstats), and the latency percentiles of latencystats.
 */
export function renderCommands(node, info, prevInfo, seconds) {
  const stats = info.commandstats ?? {};
  const before = prevInfo?.commandstats ?? {};
  const lat = info.latencystats ?? {};
  const rows = Object.entries(stats)
    .map(([k, v]) => {
      const name = k.replace(/^cmdstat_/, '');
      const s = pairs(v);
      const was = before[k] !== undefined ? Number(pairs(before[k]).calls) : null;
      const rate = was !== null && seconds > 0 && Number(s.calls) >= was ? (Number(s.calls) - was) / seconds : null;
      const p = pairs(lat[`latency_percentiles_usec_${name}`] ?? '');
      return { name, calls: Number(s.calls), rate, perCall: Number(s.usec_per_call), failed: Number(s.failed_calls) + Number(s.rejected_calls), p };
    })
    .sort((a, b) => b.calls - a.calls)
    .slice(0, 20);
  if (rows.length === 0) return fill(node, el('p', { class: 'muted' }, 'no commands yet'));
  const num = (v) => ({ v, num: true });
  fill(
    node,
    table(
      ['command', num('calls'), num('calls/s'), num('µs/call'), num('p50'), num('p99'), num('p99.9'), num('errors')],
      rows.map((r) => [
        el('code', {}, r.name),
        num(count(r.calls)),
        num(r.rate === null ? '–' : count(r.rate)),
        num(micros(r.perCall)),
        num(micros(Number(r.p.p50))),
        num(micros(Number(r.p.p99))),
        num(micros(Number(r.p['p99.9']))),
        num(count(r.failed)),
      ]),
      (r, i) => ({ 'data-testid': 'command-row', 'data-command': rows[i].name }),
    ),
  );
}

/** An argument as redis-cli would show it: quoted when it has spaces or quotes or is empty. */
function quote(a) {
  return a === '' || /[\s"]/.test(a) ? JSON.stringify(a) : a;
}

/** SLOWLOG GET's entries: [id, unix seconds, microseconds, [args…], client address, client name]. */
export function renderSlowlog(node, entries) {
  if (!Array.isArray(entries)) return showError(node, 'SLOWLOG GET', entries.error);
  if (entries.length === 0) return fill(node, el('p', { class: 'muted' }, 'empty (slowlog-log-slower-than decides what is logged)'));
  fill(
    node,
    table(
      ['id', 'when', { v: 'duration', num: true }, 'command', 'client'],
      entries.map(([id, at, usec, args, addr, name]) => [
        String(id),
        new Date(Number(at) * 1000).toLocaleTimeString(),
        { v: micros(Number(usec)), num: true },
        el('code', {}, (args ?? []).map((a) => quote(String(a))).join(' ')),
        `${addr ?? ''}${name ? ` (${name})` : ''}`,
      ]),
      () => ({ 'data-testid': 'slowlog-entry' }),
    ),
  );
}

export function renderServer(node, info) {
  const s = info.server ?? {};
  const m = info.memory ?? {};
  const p = info.persistence ?? {};
  const keyspace = Object.entries(info.keyspace ?? {}).map(([db, v]) => {
    const k = pairs(v);
    return [db, `${k.keys} keys, ${k.expires} with a TTL`];
  });
  fill(
    node,
    fields([
      ['version', `Redis ${s.redis_version}${s.shardis_version ? `, shardis ${s.shardis_version}` : ''}`],
      ['mode', s.redis_mode ?? '–'],
      ['uptime', duration(s.uptime_in_seconds)],
      ['port', s.tcp_port ?? '–'],
      ['shards', s.shardis_shards ?? '–'],
      ['maxmemory', `${Number(m.maxmemory) > 0 ? bytes(Number(m.maxmemory)) : 'no limit'} (${m.maxmemory_policy ?? '–'})`],
      ['persistence', `AOF ${p.aof_enabled === '1' ? 'on' : 'off'}, ${p.rdb_changes_since_last_save ?? '–'} changes since the last save`],
      ...keyspace,
    ]),
  );
}

/** INFO replication: a primary's replicas with their offsets and lag, or a replica's link to its primary. */
export function renderReplication(node, info) {
  const r = info.replication ?? {};
  if (r.role === 'slave') {
    return fill(
      node,
      fields([
        ['role', 'replica'],
        ['primary', `${r.master_host}:${r.master_port}`],
        ['link', r.master_link_status],
        ['last I/O', `${r.master_last_io_seconds_ago}s ago`],
        ['sync in progress', r.master_sync_in_progress === '1' ? 'yes' : 'no'],
        ['offset', r.slave_repl_offset],
      ]),
    );
  }
  const replicas = Object.keys(r)
    .filter((k) => /^slave\d+$/.test(k))
    .map((k) => pairs(r[k]));
  const offset = Number(r.master_repl_offset);
  fill(
    node,
    fields([
      ['role', r.role === 'master' ? 'primary' : (r.role ?? '–')],
      ['replicas', r.connected_slaves ?? '0'],
      ['offset', r.master_repl_offset ?? '–'],
    ]),
    replicas.length === 0
      ? null
      : table(
          ['replica', 'state', { v: 'offset', num: true }, { v: 'behind', num: true }, { v: 'lag', num: true }],
          replicas.map((x) => [`${x.ip}:${x.port}`, x.state, { v: x.offset, num: true }, { v: bytes(Math.max(0, offset - Number(x.offset))), num: true }, { v: `${x.lag}s`, num: true }]),
          () => ({ 'data-testid': 'replica-row' }),
        ),
  );
}

/** CLUSTER INFO's fields, or that cluster mode is off. */
export function renderCluster(node, cluster) {
  if (cluster === null) return fill(node, el('p', { class: 'muted' }, 'cluster mode is off'));
  if (cluster.error !== undefined) return showError(node, 'CLUSTER INFO', cluster.error);
  const want = ['cluster_state', 'cluster_slots_assigned', 'cluster_slots_ok', 'cluster_slots_pfail', 'cluster_slots_fail', 'cluster_known_nodes', 'cluster_size', 'cluster_current_epoch', 'cluster_my_epoch'];
  fill(node, fields(want.filter((k) => cluster[k] !== undefined).map((k) => [k.replace(/^cluster_/, '').replace(/_/g, ' '), cluster[k]])));
}
