/**
 * Memory per key, shardis vs Redis in the same run: for each row a fresh
 * redis-server and a fresh shardis are loaded with the same data through
 * `redis-cli --pipe`, and used_memory and RSS are read before and after.
 * Rows: short strings, without and with a TTL; hashes, integer sets,
 * string sets, sorted sets and lists of 10, 100 and 10 000 elements (about
 * a million elements a row);
 * one sorted set of 1M members and one hash of 1M fields.
 *
 *   node bench/memory.ts                 # the whole table
 *   node bench/memory.ts --rows hash-10,zset-10 --scale 0.1
 *
 * Before loading, both servers get MEMORY PURGE (Redis returns jemalloc's
 * dirty pages, shardis compacts away its start-up garbage), so both deltas
 * start from a clean heap. After loading, RSS is measured as the server
 * leaves it after a second of idling: nothing is forced (what the machine
 * pays); shardis's own quiet-time compaction (heap-compact-idle-ms, 250 ms
 * by default) runs in that second when the heap grew.
 * Not a test: nothing here asserts a number.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RespClient } from '../test/helpers/resp-client.ts';
import { infoField, kill, rss, startTarget, type Target } from './servers.ts';

export interface MemoryRow {
  row: string;
  keys: number;
  redisUsed: number;
  shardisUsed: number;
  redisRss: number;
  shardisRss: number;
}

export interface RowSpec {
  /** What the row holds, as the table names it. */
  name: string;
  keys: number;
  /** Elements per key (1 for strings). */
  elements: number;
  /** The commands that build key `k`, written to `out`. */
  build(k: number, out: string[][]): void;
}

/** Elements sent per command when a collection grows. */
const BATCH = 100;

function key(prefix: string, k: number): string {
  return `${prefix}:${String(k).padStart(8, '0')}`;
}

/** A collection row: `cmd key <pieces of element i>…` in batches, as a client filling it would. */
export function collection(name: string, prefix: string, cmd: string, elements: number, keys: number, piece: (i: number, k: number) => string[]): RowSpec {
  return {
    name, keys, elements,
    build(k, out) {
      for (let i = 0; i < elements; i += BATCH) {
        const args = [cmd, key(prefix, k)];
        for (let j = i; j < Math.min(elements, i + BATCH); j++) args.push(...piece(j, k));
        out.push(args);
      }
    },
  };
}

function rows(scale: number): RowSpec[] {
  const n = (x: number): number => Math.max(1, Math.round(x * scale));
  const specs: RowSpec[] = [
    { name: 'string', keys: n(100_000), elements: 1, build: (k, out) => void out.push(['SET', key('str', k), `value:${k % 100_000}`]) },
    // the same with a TTL each (a session cache): the cost of the expiry on top
    { name: 'string-ttl', keys: n(100_000), elements: 1, build: (k, out) => void out.push(['SET', key('ttl', k), `value:${k % 100_000}`, 'EX', '86400']) },
  ];
  // 100-element rows on 50 000 keys: on 10 000 (5–26 MB a row) the runtime's MB-sized steps (a
  // young-generation page, a pooled page) moved RSS per key by ±10% from run to run
  for (const [elements, keys] of [[10, 100_000], [100, 50_000], [10_000, 100]] as const) {
    specs.push(
      collection(`hash-${elements}`, 'hash', 'HSET', elements, n(keys), (i, k) => [`field:${i}`, `value:${(i * 7 + k) % 1000}`]),
      collection(`set-int-${elements}`, 'iset', 'SADD', elements, n(keys), (i, k) => [String((i * 7919 + k) % 1_000_000_007)]),
      collection(`set-str-${elements}`, 'sset', 'SADD', elements, n(keys), (i) => [`member:${i}`]),
      collection(`zset-${elements}`, 'zset', 'ZADD', elements, n(keys), (i, k) => [String((i * 31 + k) % 100_000), `member:${i}`]),
      collection(`list-${elements}`, 'list', 'RPUSH', elements, n(keys), (i) => [`element:${i}`]),
    );
  }
  specs.push(
    collection('zset-1M', 'bigz', 'ZADD', n(1_000_000), 1, (i) => [String(i * 3), `member:${i}`]),
    collection('hash-1M', 'bigh', 'HSET', n(1_000_000), 1, (i) => [`field:${i}`, `value:${i}`]),
  );
  return specs;
}

/** The RESP text of `cmds`. */
export function resp(cmds: string[][]): string {
  const parts: string[] = [];
  for (const c of cmds) {
    parts.push(`*${c.length}\r\n`);
    for (const a of c) parts.push(`$${Buffer.byteLength(a, 'latin1')}\r\n${a}\r\n`);
  }
  return parts.join('');
}

/** Sends a file of commands with `redis-cli --pipe`. */
export function pipe(port: number, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', `redis-cli -p ${port} --pipe < ${file}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => (code === 0 && /errors: 0,/.test(out) ? resolve() : reject(new Error(`redis-cli --pipe failed: ${out}`))));
  });
}

async function purge(t: Target): Promise<void> {
  const c = await RespClient.connect(t.port);
  await c.call('MEMORY', 'PURGE');
  c.close();
  await new Promise((r) => setTimeout(r, 200));
}

async function usage(t: Target): Promise<{ used: number; rss: number }> {
  const c = await RespClient.connect(t.port);
  const used = await infoField(c, 'memory', 'used_memory');
  c.close();
  return { used, rss: rss(t.proc.pid!) };
}

/** Loads one row into a fresh server of each kind; bytes per key. */
async function measureRow(spec: RowSpec, file: string): Promise<MemoryRow> {
  const result: MemoryRow = { row: spec.name, keys: spec.keys, redisUsed: 0, shardisUsed: 0, redisRss: 0, shardisRss: 0 };
  for (const name of ['redis', 'shardis'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `mem-${name}-`));
    const t = await startTarget(name, dir, ['--appendonly', 'no']);
    try {
      await new Promise((r) => setTimeout(r, 500));
      // both start from a purged heap (Redis: jemalloc's dirty pages; shardis: the start-up garbage)
      await purge(t);
      const before = await usage(t);
      await pipe(t.port, file);
      await new Promise((r) => setTimeout(r, 1000));
      const after = await usage(t);
      const used = (after.used - before.used) / spec.keys;
      const r = (after.rss - before.rss) / spec.keys;
      if (name === 'redis') [result.redisUsed, result.redisRss] = [used, r];
      else [result.shardisUsed, result.shardisRss] = [used, r];
    } finally {
      kill(t);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return result;
}

/** Every row (or those named), measured one after another. */
export function memoryRows(only: string[] | null, scale: number, log: (line: string) => void): Promise<MemoryRow[]> {
  return measureSpecs(rows(scale).filter((s) => only === null || only.includes(s.name)), log);
}

/** The given rows, measured one after another (fresh servers per row). */
export async function measureSpecs(specs: RowSpec[], log: (line: string) => void): Promise<MemoryRow[]> {
  const tmp = mkdtempSync(join(tmpdir(), 'mem-bench-'));
  const out: MemoryRow[] = [];
  try {
    for (const spec of specs) {
      const cmds: string[][] = [];
      for (let k = 0; k < spec.keys; k++) spec.build(k, cmds);
      const file = join(tmp, `${spec.name}.resp`);
      writeFileSync(file, resp(cmds), 'latin1');
      const row = await measureRow(spec, file);
      out.push(row);
      log(rowLine(row));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return out;
}

const f = (x: number): string => (Math.abs(x) >= 1e5 ? `${(x / 1e6).toFixed(1)}M` : x.toFixed(0));

function rowLine(r: MemoryRow): string {
  return `${r.row.padEnd(14)} keys ${String(r.keys).padStart(7)}  used/key redis ${f(r.redisUsed).padStart(7)} shardis ${f(r.shardisUsed).padStart(7)} ratio ${(r.shardisUsed / r.redisUsed).toFixed(2)}` +
    `  rss/key redis ${f(r.redisRss).padStart(7)} shardis ${f(r.shardisRss).padStart(7)} ratio ${(r.shardisRss / r.redisRss).toFixed(2)}`;
}

/** The rows as a markdown table (bytes per key; ratios shardis / redis). */
export function memoryTable(rs: MemoryRow[]): string {
  const lines = [
    '| row | keys | used_memory/key redis | shardis | ratio | RSS/key redis | shardis | ratio |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rs) {
    lines.push(`| ${r.row} | ${r.keys} | ${f(r.redisUsed)} | ${f(r.shardisUsed)} | ${(r.shardisUsed / r.redisUsed).toFixed(2)} | ${f(r.redisRss)} | ${f(r.shardisRss)} | ${(r.shardisRss / r.redisRss).toFixed(2)} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  let only: string[] | null = null;
  let scale = 1;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rows') only = argv[++i]!.split(',');
    else if (argv[i] === '--scale') scale = Number(argv[++i]);
  }
  const rs = await memoryRows(only, scale, (l) => console.log(l));
  console.log(`\n${memoryTable(rs)}`);
}
