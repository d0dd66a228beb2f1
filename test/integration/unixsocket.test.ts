/**
 * `unixsocket` / `unixsocketperm`: RESP over a Unix domain socket beside TCP
 * (one thread listens on it with --threads), as redis-cli -s and clients'
 * `path` option use it; CLIENT LIST shows such a connection as `path:0`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { startServer } from '../../src/index.ts';

const run = promisify(execFile);

for (const threads of [1, 2]) {
  test(`RESP on a Unix socket beside TCP (threads ${threads})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shardis-unix-'));
    const path = join(dir, 'shardis.sock');
    // a socket file left behind is replaced; anything else there is not touched
    writeFileSync(join(dir, 'other'), 'x');
    const srv = await startServer({ port: 0, threads, config: { unixsocket: path, unixsocketperm: '700' } });
    const c = new Redis({ path, lazyConnect: true });
    try {
      assert.equal(statSync(path).mode & 0o777, 0o700);
      await c.connect();
      assert.equal(await c.set('k', 'over the socket'), 'OK');
      const viaTcp = new Redis({ port: srv.port, lazyConnect: true });
      await viaTcp.connect();
      assert.equal(await viaTcp.get('k'), 'over the socket');
      viaTcp.disconnect();
      assert.match(String(await c.client('INFO')), new RegExp(` addr=${path.replace(/[.]/g, '\\.')}:0 laddr=${path.replace(/[.]/g, '\\.')}:0 `));
      const { stdout } = await run('redis-cli', ['-s', path, 'GET', 'k']);
      assert.equal(stdout.trim(), 'over the socket');
      const cfg = (await c.config('GET', 'unixsocket')) as string[];
      assert.deepEqual(cfg, ['unixsocket', path]);
    } finally {
      c.disconnect();
      await srv.close();
    }
    assert.equal(existsSync(path), false, 'the socket file is removed at shutdown');
    rmSync(dir, { recursive: true, force: true });
  });
}
