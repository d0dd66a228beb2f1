/**
 * The dashboard page: polls GET /dashboard/api/stats every second with the
 * token the page was opened with (`?_token=`), keeps five minutes of
 * samples for the charts, fills the panels, and runs the key browser
 * (keys.js) over shardis/client's WebSocket.
 */
import { createClient } from '/dashboard/client/index.js';
import { LineChart } from './charts.js';
import { bytes, count, micros, percent, pairs } from './format.js';
import { renderCommands, renderSlowlog, renderServer, renderReplication, renderCluster, showError } from './panels.js';
import { KeyBrowser } from './keys.js';

const WINDOW_MS = 5 * 60_000;
const token = new URLSearchParams(location.search).get('_token') ?? undefined;
const headers = token === undefined ? {} : { Authorization: `Bearer ${token}` };
const $ = (id) => document.getElementById(id);

const charts = {
  ops: new LineChart($('chart-ops'), { format: count }),
  memory: new LineChart($('chart-memory'), { format: bytes }),
  clients: new LineChart($('chart-clients'), { format: count }),
  hits: new LineChart($('chart-hits'), { format: percent, max: 1 }),
  latency: new LineChart($('chart-latency'), { format: micros }),
  threads: new LineChart($('chart-threads'), { format: percent, max: 1 }),
};

/** Samples of the last five minutes: {t, ops, used, rss, clients, hitRatio, p99: {cmd: µs}}. */
const samples = [];
let prev = null;

const num = (v) => (v === undefined ? NaN : Number(v));

function sample(t, info) {
  const st = info.stats ?? {};
  const cmds = num(st.total_commands_processed);
  const hits = num(st.keyspace_hits);
  const misses = num(st.keyspace_misses);
  let ops = num(st.instantaneous_ops_per_sec);
  let hitRatio = hits + misses > 0 ? hits / (hits + misses) : null;
  if (prev !== null && t > prev.t) {
    const dc = cmds - prev.cmds;
    // a restarted server's counters start again: no rate across it
    if (dc >= 0) ops = dc / ((t - prev.t) / 1000);
    const dh = hits - prev.hits;
    const dm = misses - prev.misses;
    if (dh >= 0 && dm >= 0 && dh + dm > 0) hitRatio = dh / (dh + dm);
  }
  const p99 = {};
  for (const [k, v] of Object.entries(info.latencystats ?? {})) p99[k.replace(/^latency_percentiles_usec_/, '')] = num(pairs(v).p99);
  const calls = {};
  for (const [k, v] of Object.entries(info.commandstats ?? {})) calls[k.replace(/^cmdstat_/, '')] = num(pairs(v).calls);
  // INFO shardis: one line per thread, `thread0:shards=0-3,…,loop_utilization=0.12,…`
  const load = {};
  for (const [k, v] of Object.entries(info.shardis ?? {})) if (/^thread\d+$/.test(k)) load[k] = num(pairs(v).loop_utilization);
  const s = { t, cmds, hits, misses, ops, hitRatio, used: num(info.memory?.used_memory), rss: num(info.memory?.used_memory_rss), clients: num(info.clients?.connected_clients), p99, calls, load };
  samples.push(s);
  while (samples.length > 0 && samples[0].t < t - WINDOW_MS - 5000) samples.shift();
  return s;
}

const series = (label, pick) => ({ label, points: samples.map((s) => [s.t, pick(s)]) });

function drawCharts(now, last) {
  charts.ops.draw([series('ops/s', (s) => s.ops)], now);
  charts.memory.draw([series('used_memory', (s) => s.used), series('RSS', (s) => s.rss)], now);
  charts.clients.draw([series('clients', (s) => s.clients)], now);
  charts.hits.draw([series('hit ratio', (s) => s.hitRatio)], now);
  charts.threads.draw(Object.keys(last.load).map((th) => series(th, (s) => s.load[th] ?? null)), now);
  // the busiest commands now, with their p99 over the window
  const top = Object.keys(last.p99)
    .sort((a, b) => (last.calls[b] ?? 0) - (last.calls[a] ?? 0))
    .slice(0, 5);
  charts.latency.draw(top.map((cmd) => series(cmd, (s) => s.p99[cmd] ?? null)), now);
}

function renderNumbers(s, info) {
  $('ops').textContent = count(s.ops);
  $('ops').dataset.value = String(s.ops);
  $('mem').textContent = bytes(s.used);
  $('rss').textContent = bytes(s.rss);
  $('clients').textContent = count(s.clients);
  $('hits').textContent = percent(s.hitRatio);
  let keys = 0;
  for (const v of Object.values(info.keyspace ?? {})) keys += Number(pairs(v).keys) || 0;
  $('keys').textContent = count(keys);
  const sv = info.server ?? {};
  const role = { master: 'primary', slave: 'replica' }[info.replication?.role] ?? '';
  $('summary').textContent = `Redis ${sv.redis_version} · ${role} · port ${sv.tcp_port} · ${location.host}`;
}

function setStatus(ok, text) {
  const live = $('live');
  live.textContent = text;
  live.className = `status ${ok ? 'ok' : 'bad'}`;
}

let prevInfo = null;

function render(stats) {
  const err = $('stats-error');
  if (stats.info.error !== undefined) {
    err.hidden = false;
    err.textContent = `INFO: ${stats.info.error}`;
    for (const id of ['latency-table', 'server-info', 'replication']) showError($(id), 'INFO', stats.info.error);
    $('summary').textContent = location.host;
  } else {
    err.hidden = true;
    const s = sample(stats.time, stats.info);
    const seconds = prev === null ? 0 : (stats.time - prev.t) / 1000;
    renderNumbers(s, stats.info);
    drawCharts(stats.time, s);
    renderCommands($('latency-table'), stats.info, prevInfo, seconds);
    renderServer($('server-info'), stats.info);
    renderReplication($('replication'), stats.info);
    prev = s;
    prevInfo = stats.info;
  }
  renderSlowlog($('slowlog'), stats.slowlog);
  renderCluster($('cluster'), stats.cluster);
}

async function poll() {
  try {
    const res = await fetch('/dashboard/api/stats', { headers, cache: 'no-store' });
    const body = await res.json();
    if (!res.ok) throw new Error(`${res.status} ${body.error ?? ''}`);
    render(body);
    setStatus(true, `live · ${new Date(body.time).toLocaleTimeString()}`);
  } catch (e) {
    setStatus(false, `disconnected (${e.message}); retrying`);
  }
}

const db = createClient({ url: location.origin, token, transport: 'websocket' });
const keys = new KeyBrowser(db);
window.dashboard = { db, keys, samples };

async function loop() {
  for (;;) {
    const started = Date.now();
    await poll();
    await keys.tick();
    await new Promise((r) => setTimeout(r, Math.max(100, 1000 - (Date.now() - started))));
  }
}

void loop();
