/**
 * Redis Sentinel 7.0 processes (Debian's redis-sentinel, on PATH) for
 * failover tests: each with its own config file and verbose log in `dir`,
 * all monitoring one primary as `mymaster`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './ports.ts';

export interface Sentinels {
  readonly ports: number[];
  /** Every sentinel's log, for a failing test's message. */
  logs(): string;
  /** SIGKILLs them all. */
  stop(): Promise<void>;
}

export interface SentinelOptions {
  quorum?: number;
  downAfterMs?: number;
  failoverTimeoutMs?: number;
  /** `sentinel auth-pass`: the password of the monitored servers (their requirepass and masterauth). */
  authPass?: string;
}

/** Starts `count` sentinels monitoring host:port. */
export async function startSentinels(dir: string, host: string, port: number, count = 3, opts: SentinelOptions = {}): Promise<Sentinels> {
  const procs: ChildProcess[] = [];
  const ports: number[] = [];
  const logFiles: string[] = [];
  for (let i = 0; i < count; i++) {
    const sp = await freePort();
    const conf = join(dir, `sentinel${i}.conf`);
    const log = join(dir, `sentinel${i}.log`);
    writeFileSync(conf, [
      `port ${sp}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `logfile ${log}`,
      'loglevel verbose',
      `sentinel monitor mymaster ${host} ${port} ${opts.quorum ?? 2}`,
      `sentinel down-after-milliseconds mymaster ${opts.downAfterMs ?? 1000}`,
      `sentinel failover-timeout mymaster ${opts.failoverTimeoutMs ?? 10000}`,
      'sentinel parallel-syncs mymaster 1',
      ...(opts.authPass !== undefined ? [`sentinel auth-pass mymaster ${opts.authPass}`] : []),
      '',
    ].join('\n'));
    procs.push(spawn('redis-sentinel', [conf], { stdio: 'ignore' }));
    ports.push(sp);
    logFiles.push(log);
  }
  return {
    ports,
    logs: () => logFiles.map((f, i) => {
      try {
        const lines = readFileSync(f, 'utf8').split('\n').filter((l) => !/ - (Accepted|Client closed) /.test(l));
        return `--- sentinel ${i} ---\n${lines.join('\n')}`;
      } catch {
        return `--- sentinel ${i}: no log ---`;
      }
    }).join('\n'),
    stop: async () => {
      for (const p of procs) {
        if (p.exitCode !== null || p.signalCode !== null) continue;
        p.kill('SIGKILL');
        await once(p, 'exit');
      }
    },
  };
}
