import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../src/index.ts';
import { RespClient } from '../test/helpers/resp-client.ts';

test('a real redis-server replica loads shardis\'s RDB and follows the stream', async () => {
  const srv = await startServer({ port: 0, config: { 'repl-diskless-sync-delay': '0' } });
  const dir = mkdtempSync(join(tmpdir(), 'shardis-replica-'));
  const port = srv.port + 1000 > 65000 ? srv.port - 1000 : srv.port + 1000;
  const replica = spawn('redis-server', ['--port', String(port), '--dir', dir, '--save', '', '--replicaof', '127.0.0.1', String(srv.port)], { stdio: 'ignore' });
  try {
    const c = await RespClient.connect(srv.port);
    await c.call('RPUSH', 'l', 'a', 'b');
    await c.call('ZADD', 'z', '1.5', 'm');
    await c.call('HSET', 'h', 'f', 'v');
    let r: RespClient | null = null;
    for (let i = 0; i < 100 && !r; i++) {
      try {
        r = await RespClient.connect(port);
      } catch {
        await new Promise((res) => setTimeout(res, 50));
      }
    }
    const until = Date.now() + 5000;
    while (Date.now() < until && !String(await r!.call('INFO', 'replication')).includes('master_link_status:up')) await new Promise((res) => setTimeout(res, 50));
    assert.deepEqual(await r!.call('LRANGE', 'l', '0', '-1'), ['a', 'b']);
    assert.equal(await r!.call('ZSCORE', 'z', 'm'), '1.5');
    await c.call('SADD', 's', 'x');
    await new Promise((res) => setTimeout(res, 200));
    assert.deepEqual(await r!.call('SMEMBERS', 's'), ['x']);
    r!.close();
    c.close();
  } finally {
    replica.kill('SIGKILL');
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

