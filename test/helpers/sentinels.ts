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
  /** Replicas promoted so far (the +promoted-slave events: each failover's leader logs its own once). */
  promotions(): string[];
  /** SIGKILLs them all. */
  stop(): Promise<void>;
}

export interface SentinelOptions {
  quorum?: number;
  /**
   * down-after-milliseconds: 2000 unless given. Not 1000: a sentinel that
   * switches to a promoted replica (+switch-master) keeps the link it had to
   * the dead primary, whose reconnection attempts are at most one per
   * second (sentinelReconnectInstance's sentinel_ping_period), while the
   * wait for a PONG counts from the switch (sentinelResetMaster sets
   * act_ping_time). Just after a refused attempt it cannot connect for up
   * to a second, so with 1000 one tick late (a loaded machine) makes it
   * mark the new primary +sdown; the other sentinels' votes about the dead
   * one (kept up to 5 s) give +odown at once, and it fails the new primary
   * over again: two primaries for a while, writes to the first one lost.
   */
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
      `sentinel down-after-milliseconds mymaster ${opts.downAfterMs ?? 2000}`,
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
    promotions: () => logFiles.flatMap((f) => {
      try {
        return readFileSync(f, 'utf8').split('\n').filter((l) => l.includes(' +promoted-slave '));
      } catch {
        return [];
      }
    }),
    stop: async () => {
      for (const p of procs) {
        if (p.exitCode !== null || p.signalCode !== null) continue;
        p.kill('SIGKILL');
        await once(p, 'exit');
      }
    },
  };
}
