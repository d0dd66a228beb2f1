/**
 * shardis/client in Node (src/client/): the same commands over HTTP and over
 * the WebSocket transport, errors as CommandError with Redis's text, and a
 * WebSocket that is dropped opened again by the next command. watch() over
 * either transport (SSE, or the client's one WebSocket): a snapshot and
 * ioredis's changes, two watches beside commands on one socket, and a
 * dropped connection and a server restart while a writer runs, after which
 * the values equal the keyspace read by ioredis.
 */
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.ts';
import { CommandError, createClient, type ChangeInfo, type Watch } from '../../src/client/index.ts';
import { freePort } from '../helpers/ports.ts';
import { eventually } from '../helpers/eventually.ts';
import { untilEqual } from '../helpers/feed-values.ts';

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

  /** Total sockets the server has accepted (RESP and WebSocket). */
  const connections = async (): Promise<number> => Number(/total_connections_received:(\d+)/.exec(await io.info('stats'))![1]);

  for (const transport of ['http', 'websocket'] as const) {
    test(`watch over ${transport}: a snapshot, then every change made by ioredis, and a resume after reconnect()`, async () => {
      const pre = `w:${transport}:`;
      const ours = (k: string): boolean => k.startsWith(pre);
      await io.set(`${pre}s`, 'héllo');
      await io.hset(`${pre}h`, 'f', 'v');
      const db = createClient({ url: `http://127.0.0.1:${srv.httpPort}`, token: TOKEN, transport });
      const infos: ChangeInfo[] = [];
      const status: boolean[] = [];
      const w = db.watch({ prefixes: [pre] }, (_values, info) => infos.push(info), { onStatus: (c) => status.push(c), maxBackoffMs: 300 });
      try {
        await untilEqual(io, ours, { watch: () => w.values }, 'the snapshot');
        assert.deepEqual(infos.map((i) => [i.kind, i.resync]), [['snapshot', false]]);
        assert.deepEqual(status, [true]);
        await io.rpush(`${pre}l`, 'a', 'b');
        await io.zadd(`${pre}z`, 2, 'm');
        await io.del(`${pre}s`);
        await io.set('w-other', 'x');
        await db.command('HSET', `${pre}h`, 'g', 'w');
        await untilEqual(io, ours, { watch: () => w.values }, 'the changes');
        assert.deepEqual(infos.slice(1).map((i) => [i.kind, i.keys]), [['change', [`${pre}l`]], ['change', [`${pre}z`]], ['change', [`${pre}s`]], ['change', [`${pre}h`]]]);
        // reconnect() drops the feed (over the WebSocket: its watch only, the socket stays) and resumes with one batch
        w.reconnect();
        await io.set(`${pre}s`, 'again');
        await io.hdel(`${pre}h`, 'f');
        await untilEqual(io, ours, { watch: () => w.values }, 'after reconnect()');
        await eventually(() => status.at(-1) === true, 'connected again');
        assert.deepEqual(status, [true, false, true]);
        assert.ok(infos.slice(5).every((i) => i.kind !== 'snapshot'), JSON.stringify(infos.slice(5)));
      } finally {
        w.close();
        db.close();
      }
    });
  }

  test('two watches and commands share one WebSocket; when it drops, commands in flight fail and both watches resume on the next', async () => {
    const before = await connections();
    const db = createClient({ url: `http://127.0.0.1:${srv.httpPort}`, token: TOKEN, transport: 'websocket' });
    const watched = { a: (k: string) => k.startsWith('two:a:'), b: (k: string) => k === 'two:b:1' || k === 'two:b:2' };
    const infos: Record<'a' | 'b', ChangeInfo[]> = { a: [], b: [] };
    const status: Record<'a' | 'b', boolean[]> = { a: [], b: [] };
    const watch = (name: 'a' | 'b', target: Parameters<typeof db.watch>[0]): Watch =>
      db.watch(target, (_v, info) => infos[name].push(info), { onStatus: (c) => status[name].push(c), maxBackoffMs: 300 });
    const wa = watch('a', { prefixes: ['two:a:'] });
    const wb = watch('b', { keys: ['two:b:1', 'two:b:2'] });
    const settle = async (why: string): Promise<void> => {
      await untilEqual(io, watched.a, { a: () => wa.values }, why);
      await untilEqual(io, watched.b, { b: () => wb.values }, why);
    };
    try {
      await io.set('two:a:1', 'x');
      await io.set('two:b:1', 'y');
      await io.set('two:b:3', 'not watched');
      await settle('live changes');
      const id = String(await db.command('CLIENT', 'ID'));
      assert.equal((await connections()) - before, 1, 'commands and both watches on one socket');
      assert.deepEqual([status.a, status.b], [[true], [true]]);

      const blocked = db.command('BLPOP', 'two:nothing', 0);
      await eventually(async () => new RegExp(`id=${id} .*cmd=blpop`).test(String(await io.client('LIST'))), 'BLPOP blocked');
      const kinds = { a: infos.a.length, b: infos.b.length };
      await io.client('KILL', 'ID', id);
      await assert.rejects(blocked, /WebSocket closed/);
      await io.set('two:a:2', 'z');
      await io.del('two:b:1');
      await io.hset('two:b:2', 'f', 'v');
      await settle('after the socket dropped');
      await eventually(() => status.a.at(-1) === true && status.b.at(-1) === true, 'both watches connected again');
      assert.deepEqual([status.a, status.b], [[true, false, true], [true, false, true]]);
      for (const n of ['a', 'b'] as const) assert.ok(infos[n].slice(kinds[n]).every((i) => i.kind !== 'snapshot'), `${n} resumed without a snapshot`);
      // both resumed on one new socket, which the next command uses too
      assert.notEqual(String(await db.command('CLIENT', 'ID')), id);
      assert.equal((await connections()) - before, 2, 'one new socket for both watches and the commands');
      // closing the client stops its watches
      db.close();
      await io.set('two:a:3', 'after close');
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(wa.values.has('two:a:3'), false);
    } finally {
      wa.close();
      wb.close();
      db.close();
    }
  });
});

for (const transport of ['http', 'websocket'] as const) {
  test(`watch over ${transport} resumes after a dropped connection and a server restart, missing no change and repeating none`, { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shardis-client-'));
    const port = await freePort();
    const httpPort = await freePort();
    const start = (): Promise<RunningServer> => startServer({ port, dir, requirepass: TOKEN, config: { 'http-port': String(httpPort), appendonly: 'yes', save: '' } });
    let srv = await start();
    const io = new Redis(port, { password: TOKEN, maxRetriesPerRequest: null, retryStrategy: () => 50 });
    io.on('error', () => {}); // the restart resets its connection; it reconnects and resends
    const db = createClient({ url: `http://127.0.0.1:${httpPort}`, token: TOKEN, transport });
    const infos: ChangeInfo[] = [];
    // the counter only grows: a change applied twice, or an old one after a resume, would show it going back
    let counter = 0;
    const backwards: string[] = [];
    const w = db.watch(
      { patterns: ['*'] },
      (values, info) => {
        infos.push(info);
        if (!info.keys.includes('counter')) return;
        const n = Number(values.get('counter')!.value);
        if (n < counter || (n === counter && info.kind !== 'snapshot')) backwards.push(`${info.kind} ${counter} → ${n}`);
        counter = n;
      },
      { maxBackoffMs: 300 },
    );
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        await io.incr('counter');
        await io.hset('h', `f${n % 5}`, String(n));
        if (n % 3 === 0) await io.rpush('l', String(n));
        if (n % 7 === 0) await io.lpop('l');
        if (n % 11 === 0) await io.del('h');
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const all = (): boolean => true;
    try {
      await eventually(() => counter > 20, 'live changes');
      // a dropped connection: the WebSocket's session killed (the socket closes), or the SSE request aborted
      const dropped = infos.length;
      if (transport === 'websocket') await io.client('KILL', 'ID', String(await db.command('CLIENT', 'ID')));
      else w.reconnect();
      const mark = counter;
      await eventually(() => counter > mark + 20, 'changes after the drop');
      const restarted = infos.length;
      assert.ok(infos.slice(dropped, restarted).every((i) => i.kind !== 'snapshot'), 'resumed without a snapshot');
      // a restart on the same data and port: another run, so a resync snapshot, then changes again
      await srv.close();
      srv = await start();
      const mark2 = counter;
      await eventually(() => counter > mark2 + 20, 'changes after the restart');
      writing = false;
      await writer;
      await untilEqual(io, all, { watch: () => w.values }, 'at the end');
      assert.deepEqual(backwards, []);
      assert.deepEqual(infos.filter((i) => i.kind === 'snapshot').map((i) => i.resync), [false, true]);
      assert.ok(infos.slice(restarted).some((i) => i.kind === 'snapshot'), 'the resync came after the restart');
    } finally {
      writing = false;
      await writer.catch(() => {});
      w.close();
      db.close();
      io.disconnect();
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
