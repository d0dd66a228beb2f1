/**
 * RESP over TLS: `redis-benchmark --tls -t set,get -r 100000 -n N` against
 * shardis and a real redis-server (Debian's 7.0.15 is built with TLS), one
 * server at a time on CPU 0 and the benchmark on CPU 1, ROUNDS rounds each
 * (alternating), with the same certificates (test/helpers/tls-certs.ts);
 * prints each round, the medians, and the median of the rounds' own
 * shardis / redis ratios (each pair ran back to back: steadier on a shared
 * machine), beside the same load over plain TCP.
 *
 *   node bench/tls.ts            (ROUNDS=5 N=100000 by default)
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/ports.ts';
import { makeTlsCerts } from '../test/helpers/tls-certs.ts';
import { kill, startTarget, type Target } from './servers.ts';

const ROUNDS = Number(process.env.ROUNDS ?? '5');
const N = Number(process.env.N ?? '100000');

const certs = makeTlsCerts();
const cliTls = ['--tls', '--cacert', certs.ca, '--cert', certs.client.cert, '--key', certs.client.key];

/** SET and GET requests per second of one redis-benchmark run. */
function benchmark(port: number, tls: boolean): Record<string, number> {
  const args = [...(tls ? cliTls : []), '-p', String(port), '-t', 'set,get', '-r', '100000', '-n', String(N), '-q'];
  const out = execFileSync('taskset', ['-c', '1', 'redis-benchmark', ...args], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const rps: Record<string, number> = {};
  for (const m of out.replace(/\r/g, '\n').matchAll(/^(SET|GET): ([\d.]+) requests per second/gm)) rps[m[1]!] = Number(m[2]);
  return rps;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const results: Record<string, number[]> = {};
for (let round = 1; round <= ROUNDS; round++) {
  for (const name of ['shardis', 'redis'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `bench-tls-${name}-`));
    const tlsPort = await freePort();
    let t: Target | null = null;
    try {
      t = await startTarget(name, dir, ['--appendonly', 'no', '--tls-port', String(tlsPort), '--tls-cert-file', certs.server.cert, '--tls-key-file', certs.server.key, '--tls-ca-cert-file', certs.ca], 1, true, '0');
      for (const tls of [true, false]) {
        const rps = benchmark(tls ? tlsPort : t.port, tls);
        for (const [test, v] of Object.entries(rps)) (results[`${name} ${tls ? 'TLS' : 'TCP'} ${test}`] ??= []).push(v);
        console.log(`round ${round} ${name} ${tls ? 'TLS' : 'TCP'}: ${Object.entries(rps).map(([k, v]) => `${k} ${v.toFixed(0)}/s`).join('  ')}`);
      }
    } finally {
      if (t !== null) kill(t);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
certs.remove();
console.log(`\nmedians of ${ROUNDS} rounds (requests per second); shardis / redis: of the medians, and the median of each round's ratio:`);
for (const mode of ['TLS', 'TCP']) {
  for (const test of ['SET', 'GET']) {
    const ss = results[`shardis ${mode} ${test}`] ?? [0];
    const rs = results[`redis ${mode} ${test}`] ?? [1];
    const paired = median(ss.map((v, i) => v / (rs[i] ?? v)));
    console.log(`${mode} ${test}: shardis ${median(ss).toFixed(0)}  redis ${median(rs).toFixed(0)}  ratio ${(median(ss) / median(rs)).toFixed(2)}  paired ${paired.toFixed(2)}`);
  }
}
