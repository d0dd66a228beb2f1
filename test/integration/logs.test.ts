/**
 * The server log (src/server/log.ts, syslog.ts) of shardis started as a
 * process (src/main.ts): Redis's line format, checked against a line of a
 * real redis-server's logfile; CONFIG SET loglevel and log-format at run
 * time; log-format json; a replica's role character; syslog copies through
 * util-linux `logger` to a UDP collector the test listens as.
 * SHARDIS_TEST_THREADS=N starts every server on N threads.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.ts';
import { ReplyError, RespClient } from '../helpers/resp-client.ts';
import { startRedis } from '../helpers/redis-process.ts';
import { eventually } from '../helpers/eventually.ts';
import { TEST_THREADS } from '../helpers/server.ts';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
/** Redis's serverLogRaw line: `pid:role dd Mon yyyy HH:MM:SS.mmm <mark> msg`. */
const REDIS_LINE = /^(\d+):([MSCX]) (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3}) ([.\-*#]) (.*)$/;

const started: ChildProcess[] = [];
const dirs: string[] = [];
after(() => {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'shardis-logs-'));
  dirs.push(d);
  return d;
}

interface Launched { proc: ChildProcess; port: number; dir: string; client: RespClient; stdout: () => string }

async function launch(args: string[]): Promise<Launched> {
  const port = await freePort();
  const dir = tempDir();
  let out = '';
  const proc = spawn(process.execPath, [MAIN, '--port', String(port), '--dir', dir, '--http-port', '0', '--save', '', '--appendonly', 'no', '--threads', String(TEST_THREADS), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; ; i++) {
    try {
      return { proc, port, dir, client: await RespClient.connect(port), stdout: () => out };
    } catch (e) {
      if (i > 400 || proc.exitCode !== null) throw new Error(`shardis did not start: ${out} ${String(e)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

async function stop(s: Launched): Promise<void> {
  s.client.close();
  s.proc.kill('SIGKILL');
  await once(s.proc, 'exit');
}

const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []);

async function lineWith(file: string, text: string): Promise<string> {
  let found: string | undefined;
  await eventually(() => (found = lines(file).find((l) => l.includes(text))) !== undefined, `a line with '${text}' in ${file}`);
  return found!;
}

/** Redis's log time as a Date of this process's time zone. */
function lineTime(m: RegExpExecArray): Date {
  const [, , , dd, mon, yyyy, hh, mi, ss, ms] = m;
  return new Date(Number(yyyy), 'JanFebMarAprMayJunJulAugSepOctNovDec'.indexOf(mon!) / 3, Number(dd), Number(hh), Number(mi), Number(ss), Number(ms));
}

test("Redis's line format in the logfile, the same shape as redis-server's, in local time as it", async () => {
  // both servers (and this process's Date) in a zone 5:45 off UTC, so that local time and UTC tell apart
  const tz = process.env.TZ;
  process.env.TZ = 'Asia/Kathmandu';
  const dir = tempDir();
  const shardisLog = join(dir, 'shardis.log');
  const s = await launch(['--logfile', shardisLog]);
  const redisLog = join(dir, 'redis.log');
  const redis = await startRedis(['--logfile', redisLog]);
  try {
    const ours = REDIS_LINE.exec(await lineWith(shardisLog, 'Ready to accept connections'));
    const theirs = REDIS_LINE.exec(await lineWith(redisLog, 'Ready to accept connections'));
    assert.ok(ours, 'shardis line in Redis format');
    assert.ok(theirs, 'redis-server line matches the same pattern');
    assert.equal(Number(ours[1]), s.proc.pid);
    // a primary's line, at notice level: role M and mark '*' as Redis's
    assert.deepEqual([ours[2], ours[10]], [theirs[2], theirs[10]]);
    assert.equal(ours[11], 'Ready to accept connections');
    // the time is local time, as Redis's: both within the test's run in this zone
    for (const m of [ours, theirs]) assert.ok(Math.abs(Date.now() - lineTime(m).getTime()) < 60_000, `${m[0]} at ${new Date().toString()}`);
    // every line of the file has the format; nothing went to standard output
    for (const l of lines(shardisLog)) assert.match(l, REDIS_LINE);
    assert.equal(s.stdout(), '');
  } finally {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
    await stop(s);
    await redis.stop();
  }
});

test('CONFIG SET loglevel takes effect at once', async () => {
  const dir = tempDir();
  const file = join(dir, 'shardis.log');
  const s = await launch(['--logfile', file]);
  try {
    await lineWith(file, 'Ready to accept connections');
    assert.equal(await s.client.call('CONFIG', 'SET', 'loglevel', 'warning'), 'OK');
    assert.equal(await s.client.call('SAVE'), 'OK');
    assert.equal(await s.client.call('DEBUG', 'LOG', 'after-warning'), 'OK');
    const warn = REDIS_LINE.exec(await lineWith(file, 'DEBUG LOG: after-warning'));
    assert.equal(warn?.[10], '#');
    // SAVE's notice line was left out
    assert.equal(lines(file).filter((l) => l.includes('DB saved on disk')).length, 0);
    assert.equal(await s.client.call('CONFIG', 'SET', 'loglevel', 'notice'), 'OK');
    assert.equal(await s.client.call('SAVE'), 'OK');
    assert.equal(REDIS_LINE.exec(await lineWith(file, 'DB saved on disk'))?.[10], '*');
    assert.equal(await s.client.call('CONFIG', 'SET', 'loglevel', 'nothing'), 'OK');
    assert.equal(await s.client.call('DEBUG', 'LOG', 'silenced'), 'OK');
    assert.equal(await s.client.call('CONFIG', 'SET', 'loglevel', 'warning'), 'OK');
    assert.equal(await s.client.call('DEBUG', 'LOG', 'heard'), 'OK');
    await lineWith(file, 'DEBUG LOG: heard');
    assert.equal(lines(file).filter((l) => l.includes('silenced')).length, 0);
  } finally {
    await stop(s);
  }
});

test('log-format json: one JSON object a line with pid, role, time, hostname, level, msg', async () => {
  const dir = tempDir();
  const file = join(dir, 'shardis.log');
  const s = await launch(['--logfile', file, '--log-format', 'json']);
  try {
    await lineWith(file, 'Ready to accept connections');
    assert.equal(await s.client.call('DEBUG', 'LOG', 'json-warning'), 'OK');
    await lineWith(file, 'json-warning');
    const parsed = lines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
    const ready = parsed.find((o) => o.msg === 'Ready to accept connections')!;
    assert.deepEqual(Object.keys(ready).sort(), ['hostname', 'level', 'msg', 'pid', 'role', 'time']);
    assert.equal(ready.level, 'info');
    assert.equal(ready.pid, s.proc.pid);
    assert.equal(ready.role, 'M');
    assert.equal(ready.hostname, hostname());
    assert.ok(Math.abs(Date.parse(ready.time as string) - Date.now()) < 60_000);
    assert.equal(parsed.find((o) => o.msg === 'DEBUG LOG: json-warning')!.level, 'warn');
    // CONFIG GET names it; CONFIG SET switches back to Redis's lines at run time
    assert.deepEqual(await s.client.call('CONFIG', 'GET', 'log-format'), ['log-format', 'json']);
    assert.equal(await s.client.call('CONFIG', 'SET', 'log-format', 'redis'), 'OK');
    assert.equal(await s.client.call('DEBUG', 'LOG', 'back'), 'OK');
    assert.match(await lineWith(file, 'DEBUG LOG: back'), REDIS_LINE);
    const bad = await s.client.call('CONFIG', 'SET', 'log-format', 'xml');
    assert.ok(bad instanceof ReplyError);
    assert.match(bad.message, /^ERR CONFIG SET failed \(possibly related to argument 'log-format'\) - argument\(s\) must be one of the following: redis, json/);
  } finally {
    await stop(s);
  }
});

test("a replica's lines carry role S", async () => {
  const primary = await launch([]);
  const dir = tempDir();
  const file = join(dir, 'replica.log');
  const replica = await launch(['--logfile', file, '--replicaof', '127.0.0.1', String(primary.port)]);
  try {
    const ready = REDIS_LINE.exec(await lineWith(file, 'Ready to accept connections'));
    assert.equal(ready?.[2], 'S');
    assert.equal(await replica.client.call('REPLICAOF', 'NO', 'ONE'), 'OK');
    assert.equal(await replica.client.call('DEBUG', 'LOG', 'promoted'), 'OK');
    assert.equal(REDIS_LINE.exec(await lineWith(file, 'DEBUG LOG: promoted'))?.[2], 'M');
  } finally {
    await stop(replica);
    await stop(primary);
  }
});

test('syslog-enabled: copies reach a syslog collector over UDP (through logger), with ident, facility and PID', async () => {
  const sock = createSocket('udp4');
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString()));
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  const udp = sock.address().port;
  const s = await launch(['--syslog-enabled', 'yes', '--syslog-ident', 'shardis-test', '--syslog-facility', 'local3', '--syslog-server', `127.0.0.1:${udp}`]);
  try {
    assert.equal(await s.client.call('DEBUG', 'LOG', 'to-syslog'), 'OK');
    // (on threads, a worker thread's copies go through a logger process of its own: no order between the two)
    await eventually(() => got.some((m) => m.includes('DEBUG LOG: to-syslog')) && got.some((m) => m.endsWith('Ready to accept connections')),
      'the ready and DEBUG LOG lines at the collector');
    // RFC 3164: <PRI>Mmm dd HH:MM:SS host ident[pid]: msg; local3 (19) × 8 + notice (5) = 157, + warning (4) = 156
    const ready = got.find((m) => m.endsWith('Ready to accept connections'))!;
    assert.match(ready, new RegExp(`^<157>[A-Z][a-z]{2} [ \\d]\\d \\d{2}:\\d{2}:\\d{2} \\S+ shardis-test\\[${s.proc.pid}\\]: Ready to accept connections$`));
    assert.match(got.find((m) => m.includes('to-syslog'))!, /^<156>/);
    // the log itself still goes to standard output
    assert.match(s.stdout(), /Ready to accept connections/);
  } finally {
    await stop(s);
    sock.close();
  }
});
