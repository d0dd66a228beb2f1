/** LATENCY DOCTOR's report and LATENCY GRAPH's sparkline, as Redis's latency.c and sparkline.c write them. */
import type { LatencyEvent } from './latency.ts';

interface Stats { samples: number; avg: number; mad: number; period: number }

function analyze(e: LatencyEvent, now: number): Stats {
  const n = e.samples.length;
  if (n === 0) return { samples: 0, avg: 0, mad: 0, period: 0 };
  let sum = 0;
  let oldest = Infinity;
  for (const s of e.samples) {
    sum += s.latency;
    if (s.time < oldest) oldest = s.time;
  }
  const avg = Math.floor(sum / n);
  let dev = 0;
  for (const s of e.samples) dev += Math.abs(avg - s.latency);
  return { samples: n, avg, mad: Math.floor(dev / n), period: now - oldest || 1 };
}

export interface ReportContext {
  slowlogUs: number;
  thresholdMs: number;
  hz: number;
}

export function latencyReport(events: ReadonlyMap<string, LatencyEvent>, ctx: ReportContext): string {
  if (events.size === 0 && ctx.thresholdMs === 0) {
    return 'I\'m sorry, Dave, I can\'t do that. Latency monitoring is disabled in this Redis instance. You may use "CONFIG SET latency-monitor-threshold <milliseconds>." in order to enable it. If we weren\'t in a deep space mission I\'d suggest to take a look at https://redis.io/topics/latency-monitor.\n';
  }
  const now = Math.floor(Date.now() / 1000);
  let out = '';
  let num = 0;
  let advices = 0;
  const adv = { slowlogEnabled: false, slowlogTuning: false, slowlogInspect: false, scheduler: false, hz: false, large: false };
  for (const [name, e] of events) {
    num++;
    if (num === 1) out += 'Dave, I have observed latency spikes in this Redis instance. You don\'t mind talking about it, do you Dave?\n\n';
    const st = analyze(e, now);
    out += `${num}. ${name}: ${st.samples} latency spikes (average ${st.avg}ms, mean deviation ${st.mad}ms, period ${(st.period / st.samples).toFixed(2)} sec). Worst all time event ${e.max}ms.`;
    if (name === 'command') {
      if (ctx.slowlogUs < 0) { adv.slowlogEnabled = true; advices++; }
      else if (Math.floor(ctx.slowlogUs / 1000) > ctx.thresholdMs) { adv.slowlogTuning = true; advices++; }
      adv.slowlogInspect = adv.large = true;
      advices += 2;
    } else if (name === 'fast-command') {
      adv.scheduler = true;
      advices++;
    } else if (name === 'expire-cycle') {
      adv.hz = adv.large = true;
      advices += 2;
    }
    out += '\n';
  }
  if (num === 0 && advices === 0) {
    return out + 'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n';
  }
  if (advices === 0) {
    return out + '\nWhile there are latency events logged, I\'m not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n';
  }
  out += '\nI have a few advices for you:\n\n';
  const slow = ctx.thresholdMs * 1000;
  if (adv.slowlogEnabled) out += `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${slow}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
  if (adv.slowlogTuning) out += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${slow}'.\n`;
  if (adv.slowlogInspect) out += '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n';
  if (adv.scheduler) {
    out += '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n'
      + '  1) Lower the system load.\n'
      + '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n'
      + '  3) Check if you have a "noisy neighbour" problem.\n'
      + '  4) Check with \'redis-cli --intrinsic-latency 100\' what is the intrinsic latency in your system.\n'
      + '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n';
  }
  if (adv.hz && ctx.hz < 100) out += '- In order to make the Redis keys expiring process more incremental, try to set the \'hz\' configuration parameter to 100 using \'CONFIG SET hz 100\'.\n';
  if (adv.large) out += '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n';
  return out;
}

const COLS = 80;
const ROWS = 4;
const FILL = '_o#';
const CHARSET_LEN = 3;

/** LATENCY GRAPH event: header, a rule, and the filled sparkline with age labels (sparklineRender). */
export function latencyGraph(name: string, e: LatencyEvent): string {
  const now = Math.floor(Date.now() / 1000);
  const values = e.samples.map((s) => s.latency);
  const labels = e.samples.map((s) => {
    const el = now - s.time;
    return el < 60 ? `${el}s` : el < 3600 ? `${Math.floor(el / 60)}m` : el < 86400 ? `${Math.floor(el / 3600)}h` : `${Math.floor(el / 86400)}d`;
  });
  const min = values.length ? Math.min(...values) : 0;
  const max = values.length ? Math.max(...values) : 0;
  let out = `${name} - high ${max} ms, low ${min} ms (all time high ${e.max} ms)\n${'-'.repeat(COLS)}\n`;
  for (let j = 0; j < values.length; j += COLS) {
    if (j !== 0) out += '\n';
    out += renderRange(values.slice(j, j + COLS), labels.slice(j, j + COLS), min, max);
  }
  return out;
}

function renderRange(values: number[], labels: string[], min: number, max: number): string {
  const relmax = max - min || 1;
  const steps = CHARSET_LEN * ROWS;
  let out = '';
  for (let row = 0; ; row++) {
    let loop = false;
    const chars = new Array<string>(values.length).fill(' ');
    for (let j = 0; j < values.length; j++) {
      let step = Math.trunc(((values[j]! - min) * steps) / relmax);
      if (step < 0) step = 0;
      if (step >= steps) step = steps - 1;
      if (row < ROWS) {
        const idx = step - (ROWS - row - 1) * CHARSET_LEN;
        loop = true;
        if (idx >= 0 && idx < CHARSET_LEN) chars[j] = FILL[idx]!;
        else if (idx >= CHARSET_LEN) chars[j] = '|';
      } else {
        if (row - ROWS < 1) { loop = true; break; }
        const ch = row - ROWS - 1;
        if (labels[j]!.length > ch) {
          loop = true;
          chars[j] = labels[j]![ch]!;
        }
      }
    }
    if (!loop) return out;
    out += chars.join('') + '\n';
  }
}
