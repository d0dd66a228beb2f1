/**
 * shardis/client in Node (src/client/): the same commands over HTTP and over
 * the WebSocket transport, errors as CommandError with Redis's text, and a
 * WebSocket that is dropped opened again by the next command.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.ts';
import { CommandError, createClient } from '../../src/client/index.ts';
import { freePort } from '../helpers/ports.ts';

const TOKEN = 'client-secret';

describe('shardis/client', () => {
  let srv: RunningServer;
  let io: Redis;

  before(async () => {
    srv = await startServer({ port: 0, requirepass: TOKEN, config: { 'http-port': String(await freePort()) } });
    io = new Redis(srv.port, { password: TOKEN });
  });
  after(async () => {
    io.disconnect();
    await srv.close();
  });

  for (const transport of ['http', 'websocket'] as const) {
    test(`commands, pipelines and multi over ${transport}`, async () => {
      const db = createClient({ url: `http://127.0.0.1:${srv.httpPort}`, token: TOKEN, transport });
      try {
        const k = `c:${transport}`;
        assert.equal(await db.command('SET', k, 'héllo'), 'OK');
        assert.equal(await io.get(k), 'héllo');
        assert.equal(await db.command('GET', k), 'héllo');
        assert.equal(await db.command('INCRBY', `${k}:n`, 5), 5);
        assert.deepEqual(await db.pipeline([['INCR', `${k}:n`], ['LPUSH', k, 'x'], ['GET', `${k}:n`]]), [6, { error: 'WRONGTYPE Operation against a key holding the wrong kind of value' }, '6']);
        assert.deepEqual(await db.multi([['SET', `${k}:a`, '1'], ['INCR', `${k}:a`], ['MGET', `${k}:a`, k]]), ['OK', 2, ['2', 'héllo']]);
        await assert.rejects(db.command('NOSUCH'), (e: unknown) => e instanceof CommandError && e.message === "ERR unknown command 'NOSUCH', with args beginning with: ");
        await assert.rejects(db.multi([['SET', 'x', '1'], ['NOSUCH']]), (e: unknown) => e instanceof CommandError && e.message.startsWith('EXECABORT'));
        await assert.rejects(createClient({ url: `http://127.0.0.1:${srv.httpPort}`, token: 'wrong', transport }).command('PING'));
      } finally {
        db.close();
      }
    });
  }

  test('a dropped WebSocket is opened again by the next command', async () => {
    const db = createClient({ url: `http://127.0.0.1:${srv.httpPort}`, token: TOKEN, transport: 'websocket' });
    try {
      assert.equal(await db.command('CLIENT', 'SETNAME', 'ws-client'), 'OK');
      const id = String(await db.command('CLIENT', 'ID'));
      await io.client('KILL', 'ID', id);
      // the kill closes the socket; a command after it runs on a new one (a new session: no name)
      for (let i = 0; i < 50; i++) {
        try {
          assert.equal(await db.command('CLIENT', 'GETNAME'), null);
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      assert.fail('the client did not reconnect');
    } finally {
      db.close();
    }
  });
});
