/**
 * `npm start` (src/main.ts) persists by default: AOF with appendfsync
 * everysec plus snapshot rules, logged with the data directory; writes
 * survive kill -9 after the everysec window. A config file or flag that sets
 * a parameter wins over the default.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.ts';
import { RespClient } from '../helpers/resp-client.ts';

const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;
/** Every server started, killed at the end of each test even when it fails. */
const started: ChildProcess[] = [];

function killAll(): void {
  for (const p of started.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
}

async function launch(args: string[]): Promise<{ proc: ChildProcess; log: () => string; port: number }> {
  const port = await freePort();
  let out = '';
  const proc = spawn(process.execPath, [MAIN, ...args, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(proc);
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 300; i++) {
    // the data-directory line is the last one logged at start-up
    if (out.includes('data directory')) return { proc, log: () => out, port };
    await new Promise((r) => setTimeout(r, 20));
  }
  proc.kill('SIGKILL');
  throw new Error(`server did not start: ${out}`);
}

test('npm start persists with the AOF by default and survives kill -9', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-main-'));
  try {
    const a = await launch(['--dir', dir]);
    assert.match(a.log(), /data directory .* \(AOF in appendonlydir\/, appendfsync everysec; snapshots to dump\.rdb \(save 3600 1 300 100 60 10000\)\)/);
    const c = await RespClient.connect(a.port);
    assert.equal(await c.call('SET', 'k', 'v'), 'OK');
    assert.equal(await c.call('CONFIG', 'GET', 'appendonly').then((r) => (r as string[])[1]), 'yes');
    c.close();
    await new Promise((r) => setTimeout(r, 1500));
    a.proc.kill('SIGKILL');
    await new Promise((r) => a.proc.once('exit', r));
    assert.ok(existsSync(join(dir, 'appendonlydir', 'appendonly.aof.manifest')));
    const b = await launch(['--dir', dir]);
    const d = await RespClient.connect(b.port);
    assert.equal(await d.call('GET', 'k'), 'v');
    d.close();
    b.proc.kill('SIGKILL');
    await new Promise((r) => b.proc.once('exit', r));
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGTERM saves the final snapshot when save points are set (as SHUTDOWN), not without them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-main-'));
  try {
    for (const [save, saved] of [['900 1', true], ['', false]] as const) {
      const a = await launch(['--dir', dir, '--appendonly', 'no', '--save', save, '--dbfilename', `s${saved}.rdb`]);
      const c = await RespClient.connect(a.port);
      assert.equal(await c.call('SET', 'k', 'v'), 'OK');
      c.close();
      a.proc.kill('SIGTERM');
      await new Promise((r) => a.proc.once('exit', r));
      assert.equal(existsSync(join(dir, `s${saved}.rdb`)), saved, `save "${save}"`);
      if (saved) assert.match(a.log(), /Saving the final RDB snapshot before exiting/);
    }
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a config file or flag setting a parameter wins over the durable default', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-main-'));
  try {
    const conf = join(dir, 'shardis.conf');
    writeFileSync(conf, `appendonly no\ndir ${dir}\n`);
    const a = await launch([conf, '--save', '']);
    assert.match(a.log(), /data directory .* \(no snapshots\)/);
    const c = await RespClient.connect(a.port);
    assert.deepEqual(await c.call('CONFIG', 'GET', 'appendonly'), ['appendonly', 'no']);
    c.close();
    a.proc.kill('SIGKILL');
    await new Promise((r) => a.proc.once('exit', r));
    assert.ok(!existsSync(join(dir, 'appendonlydir')));
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('npm start opens HTTP on the RESP port + 1000 and prints both URLs; --http-port 0 turns it off', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-main-'));
  try {
    const a = await launch(['--dir', dir]);
    const http = a.port + 1000;
    if (a.log().includes('is in use')) {
      // someone else holds port + 1000: HTTP stays off, with the warning, and RESP serves
      assert.match(a.log(), new RegExp(`port ${http} is in use: the HTTP front end is off`));
    } else {
      assert.match(a.log(), new RegExp(`RESP redis://127\\.0\\.0\\.1:${a.port}  HTTP http://127\\.0\\.0\\.1:${http}`));
      const res = await fetch(`http://127.0.0.1:${http}/set/k/v`);
      assert.deepEqual(await res.json(), { result: 'OK' });
    }
    const c = await RespClient.connect(a.port);
    assert.equal(await c.call('PING'), 'PONG');
    c.close();
    killAll();
    const b = await launch(['--dir', dir, '--http-port', '0']);
    assert.match(b.log(), new RegExp(`RESP redis://127\\.0\\.0\\.1:${b.port}\\n`));
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('logs go to standard output, or to `logfile`, with Redis\'s start-up words; a port in use fails as Redis does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-main-'));
  try {
    const a = await launch(['--dir', dir, '--http-port', '0']);
    assert.match(a.log(), new RegExp(`PID: ${a.proc.pid}\\n[^]*Ready to accept connections\\n`));
    // the same port again: the words scripts (Redis's test suite) look for, and exit code 1
    const second = spawn(process.execPath, [MAIN, '--dir', dir, '--http-port', '0', '--port', String(a.port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(second);
    let out = '';
    second.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => second.on('exit', r));
    assert.equal(code, 1);
    assert.match(out, new RegExp(`Failed listening on port ${a.port} \\(tcp\\), aborting\\.`));
    killAll();
    const logfile = join(dir, 'server.log');
    const b = spawn(process.execPath, [MAIN, '--dir', dir, '--http-port', '0', '--port', String(await freePort()), '--logfile', logfile], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(b);
    let stdout = '';
    b.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    for (let i = 0; i < 300 && !(existsSync(logfile) && readFileSync(logfile, 'latin1').includes('Ready to accept connections')); i++) await new Promise((r) => setTimeout(r, 20));
    assert.match(readFileSync(logfile, 'latin1'), new RegExp(`PID: ${b.pid}\\n[^]*Ready to accept connections\\n`));
    assert.equal(stdout, '');
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
});
