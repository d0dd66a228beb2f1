/**
 * The cost of encoding conversions, shardis vs Redis in the same run: for
 * each row, N keys are filled up to a conversion threshold and N more to
 * one element below it; then one pipelined batch adds one element to
 * each key of the first group (every command converts its key, e.g. the
 * 129th field of a hash turns its listpack into a hashtable) and another
 * batch adds one to each key of the second group (the same command, no
 * conversion). The difference per command is what a conversion costs. A
 * round of each on other keys goes first, so both paths are warm.
 *
 *   node bench/conversion.ts                  # every row, 5000 keys a group
 *   node bench/conversion.ts --keys 500 --rows hash-entries,zset-entries
 *
 * Not a test: nothing here asserts a number.
 */
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCommand } from '../test/helpers/resp-client.ts';
import { kill, startTarget } from './servers.ts';

export interface ConversionRow {
  row: string;
  /** Microseconds per command: converting, not converting; Redis then shardis. */
  redisConvert: number;
  redisPlain: number;
  shardisConvert: number;
  shardisPlain: number;
}

interface RowSpec {
  name: string;
  /** What the conversion is, as the table says it. */
  what: string;
  /** The command that fills key `k` with `n` elements. */
  fill(key: string, n: number): (string | number)[];
  /** The command that adds one element (the converting one when the key is full to the threshold). */
  add(key: string): (string | number)[];
  /** Elements at the threshold (the first group is filled to it, the second to one below). */
  at: number;
}

const range = (n: number, f: (i: number) => (string | number)[]): (string | number)[] => Array.from({ length: n }, (_, i) => f(i)).flat();

const SPECS: RowSpec[] = [
  { name: 'hash-entries', what: 'hash listpack -> hashtable (field 129)', at: 128,
    fill: (k, n) => ['HSET', k, ...range(n, (i) => [`field:${i}`, `value:${i}`])], add: (k) => ['HSET', k, 'field:new', 'value:new'] },
  { name: 'hash-value', what: 'hash listpack -> hashtable (a 65-byte value)', at: 10,
    fill: (k, n) => ['HSET', k, ...range(n, (i) => [`field:${i}`, `value:${i}`])], add: (k) => ['HSET', k, 'field:new', 'v'.repeat(65)] },
  { name: 'set-entries', what: 'set intset -> hashtable (member 513)', at: 512,
    fill: (k, n) => ['SADD', k, ...range(n, (i) => [i * 7])], add: (k) => ['SADD', k, 32_001] },
  { name: 'set-string', what: 'set intset -> hashtable (a non-integer member)', at: 10,
    fill: (k, n) => ['SADD', k, ...range(n, (i) => [i * 7])], add: (k) => ['SADD', k, 'member:new'] },
  { name: 'zset-entries', what: 'sorted set listpack -> skiplist (member 129)', at: 128,
    fill: (k, n) => ['ZADD', k, ...range(n, (i) => [i, `member:${i}`])], add: (k) => ['ZADD', k, 1000, 'member:new'] },
  { name: 'zset-value', what: 'sorted set listpack -> skiplist (a 65-byte member)', at: 10,
    fill: (k, n) => ['ZADD', k, ...range(n, (i) => [i, `member:${i}`])], add: (k) => ['ZADD', k, 1000, 'm'.repeat(65)] },
];

function open(port: number): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = connect({ port, host: '127.0.0.1', noDelay: true }, () => res(s));
    s.once('error', rej);
  });
}

/** Sends `cmds` in one write and resolves with the milliseconds until all `cmds.length` one-line replies are in. */
function batch(sock: Socket, cmds: (string | number)[][]): Promise<number> {
  const data = Buffer.concat(cmds.map((c) => encodeCommand(c)));
  return new Promise((resolve, reject) => {
    let lines = 0;
    const t0 = performance.now();
    const onData = (d: Buffer): void => {
      if (d.includes('-')) {
        const text = d.toString('latin1');
        if (/(^|\n)-/.test(text)) return done(new Error(`error reply: ${text.slice(0, 200)}`));
      }
      for (let i = d.indexOf(10); i !== -1; i = d.indexOf(10, i + 1)) lines++;
      if (lines >= cmds.length) done(null);
    };
    const done = (e: Error | null): void => {
      sock.off('data', onData);
      if (e) reject(e);
      else resolve(performance.now() - t0);
    };
    sock.on('data', onData);
    sock.write(data);
  });
}

/** Fills `keys` keys of group `g` to `n` elements, then times one add to each: µs per command. */
async function group(sock: Socket, spec: RowSpec, g: string, keys: number, n: number): Promise<number> {
  const names = Array.from({ length: keys }, (_, k) => `${g}:${spec.name}:${k}`);
  await batch(sock, names.map((k) => spec.fill(k, n)));
  return ((await batch(sock, names.map((k) => spec.add(k)))) * 1000) / keys;
}

/** One row on one server: µs per converting command and per plain one (after a warm-up round of each). */
async function measure(port: number, spec: RowSpec, keys: number): Promise<[number, number]> {
  const sock = await open(port);
  try {
    await group(sock, spec, 'warm-plain', keys, spec.at - 1);
    await group(sock, spec, 'warm-conv', keys, spec.at);
    const p = await group(sock, spec, 'plain', keys, spec.at - 1);
    const c = await group(sock, spec, 'conv', keys, spec.at);
    return [c, p];
  } finally {
    sock.destroy();
  }
}

/** Every row (or those named) on a fresh server of each kind. */
export async function conversionRows(only: string[] | null, keys: number, log: (line: string) => void): Promise<ConversionRow[]> {
  const out: ConversionRow[] = [];
  for (const spec of SPECS) {
    if (only !== null && !only.includes(spec.name)) continue;
    const row: ConversionRow = { row: spec.name, redisConvert: 0, redisPlain: 0, shardisConvert: 0, shardisPlain: 0 };
    for (const name of ['redis', 'shardis'] as const) {
      const dir = mkdtempSync(join(tmpdir(), `conv-${name}-`));
      const t = await startTarget(name, dir, ['--appendonly', 'no']);
      try {
        const [c, p] = await measure(t.port, spec, keys);
        if (name === 'redis') [row.redisConvert, row.redisPlain] = [c, p];
        else [row.shardisConvert, row.shardisPlain] = [c, p];
      } finally {
        kill(t);
        rmSync(dir, { recursive: true, force: true });
      }
    }
    out.push(row);
    log(`${spec.name.padEnd(13)} ${spec.what.padEnd(48)} redis ${row.redisConvert.toFixed(2)} vs ${row.redisPlain.toFixed(2)} us  shardis ${row.shardisConvert.toFixed(2)} vs ${row.shardisPlain.toFixed(2)} us`);
  }
  return out;
}

/** The rows as a markdown table: µs per command converting / not, and the conversion's own cost. */
export function conversionTable(rs: ConversionRow[]): string {
  const lines = [
    '| conversion | redis µs (converting / not) | redis cost | shardis µs (converting / not) | shardis cost | ratio |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rs) {
    const what = SPECS.find((s) => s.name === r.row)!.what;
    const rc = r.redisConvert - r.redisPlain;
    const sc = r.shardisConvert - r.shardisPlain;
    lines.push(`| ${what} | ${r.redisConvert.toFixed(2)} / ${r.redisPlain.toFixed(2)} | ${rc.toFixed(2)} | ${r.shardisConvert.toFixed(2)} / ${r.shardisPlain.toFixed(2)} | ${sc.toFixed(2)} | ${(r.shardisConvert / r.redisConvert).toFixed(2)} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  let only: string[] | null = null;
  let keys = 5000;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--rows') only = argv[++i]!.split(',');
    else if (argv[i] === '--keys') keys = Number(argv[++i]);
  }
  const rs = await conversionRows(only, keys, (l) => console.log(l));
  console.log(`\n${conversionTable(rs)}`);
}
