import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs, parseMemory, getConfigNumber, ConfigError } from '../../src/config/config.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { freePort } from '../helpers/ports.ts';

test('config file first, flags override it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-conf-'));
  try {
    const file = join(dir, 'shardis.conf');
    writeFileSync(file, '# comment\nport 7000\nbind 127.0.0.1 ::1\nmaxclients 50\nhash-max-listpack-entries 16\nrequirepass "s3 cret"\n');
    const cfg = parseArgs([file, '--port', '7001', '--shards', '4']);
    assert.equal(cfg.port, 7001);
    assert.equal(cfg.shards, 4);
    assert.deepEqual(cfg.bind, ['127.0.0.1', '::1']);
    assert.equal(cfg.maxclients, 50);
    assert.equal(cfg.requirepass, 's3 cret');
    assert.equal(getConfigNumber(cfg, 'hash-max-listpack-entries', 128), 16);
    writeFileSync(file, 'port notanumber\n');
    assert.throws(() => parseArgs([file]), ConfigError);
    assert.throws(() => parseArgs(['--port', '99999']), ConfigError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('memory units as redis.conf', () => {
  assert.equal(parseMemory('512mb'), 512 * 1024 * 1024);
  assert.equal(parseMemory('1gb'), 1024 * 1024 * 1024);
  assert.equal(parseMemory('100k'), 100000);
  assert.equal(parseMemory('12'), 12);
  assert.equal(parseMemory('x'), null);
});

test('the command line server starts, serves, and stops on SIGTERM and on SHUTDOWN', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-main-'));
  const main = new URL('../../src/main.ts', import.meta.url).pathname;
  try {
    for (const how of ['SIGTERM', 'SHUTDOWN'] as const) {
      const port = await freePort();
      const proc = spawn(process.execPath, [main, '--port', String(port), '--dir', join(dir, 'data')], { stdio: 'ignore' });
      const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
      let c: RespClient | null = null;
      for (let i = 0; i < 100 && !c; i++) {
        try {
          c = await RespClient.connect(port);
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      assert.ok(c, 'server did not start');
      assert.equal(await c.callRaw('SET', 'k', 'v'), '+OK\r\n');
      if (how === 'SIGTERM') proc.kill('SIGTERM');
      else c.send('SHUTDOWN', 'NOSAVE');
      assert.equal(await exited, 0);
      c.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
