/**
 * Redis Sentinel 7.0 (Debian's redis-sentinel) watching a shardis primary
 * with two redis-server replicas: three sentinels find the replicas and each
 * other through the primary (INFO, PUBLISH/SUBSCRIBE on __sentinel__:hello),
 * an ioredis client that asks them writes to shardis, and when shardis dies
 * they promote a replica and the client follows it with nothing
 * acknowledged lost. A script that keeps shardis busy is ended by the
 * sentinel's SCRIPT KILL. What Sentinel sends answers as Redis's does,
 * byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startServer } from '../src/index.ts';
import { ioredisRetry } from '../test/helpers/clients.ts';
import { freePort } from '../test/helpers/ports.ts';
import { startSentinels } from '../test/helpers/sentinels.ts';
import { describeCompat } from './harness.ts';

async function until(what: string, check: () => Promise<boolean>, ms = 30_000, logs?: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never: ${what}${logs ? `\n${logs()}` : ''}`);
}

/** A SENTINEL MASTER / REPLICAS entry as a name → value map. */
function fields(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

test('Sentinel fails a dead shardis primary over to a replica, and a Sentinel client follows', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-sentinel-'));
  const procs: ChildProcess[] = [];
  const stops: Array<() => Promise<void>> = [];
  const clients: Redis[] = [];
  const srv = await startServer({ port: 0, config: { 'repl-diskless-sync-delay': '0' } });
  let primaryUp = true;
  try {
    const replicaPorts = [await freePort(), await freePort()];
    for (const [i, port] of replicaPorts.entries()) {
      procs.push(spawn('redis-server', ['--port', String(port), '--dir', dir, '--dbfilename', `r${i}.rdb`, '--save', '', '--replicaof', '127.0.0.1', String(srv.port)], { stdio: 'ignore' }));
    }
    const sentinels = await startSentinels(dir, '127.0.0.1', srv.port);
    stops.push(sentinels.stop);
    const sentinelPorts = sentinels.ports;
    const s0 = await ioredisRetry(sentinelPorts[0]!);
    clients.push(s0);
    // the sentinels learn the replicas from the primary's INFO and each other from its hello channel
    await until('sentinels see both replicas and each other', async () => {
      const replicas = (await s0.call('SENTINEL', 'REPLICAS', 'mymaster')) as string[][];
      const sentinels = (await s0.call('SENTINEL', 'SENTINELS', 'mymaster')) as string[][];
      return replicas.length === 2 && replicas.every((r) => r.includes('slave') && !r.join(' ').includes('disconnected')) && sentinels.length === 2;
    });
    const app = new Redis({ sentinels: sentinelPorts.map((port) => ({ host: '127.0.0.1', port })), name: 'mymaster', maxRetriesPerRequest: 50 });
    app.on('error', () => {});
    clients.push(app);
    for (let i = 0; i < 100; i++) await app.set(`k${i}`, `v${i}`);
    assert.equal(await app.call('ROLE').then((r) => (r as string[])[0]), 'master');
    assert.equal(Number(await app.call('WAIT', '2', '5000')), 2, 'both replicas have every write');
    // the primary dies
    await srv.close();
    primaryUp = false;
    await until('a replica is promoted', async () => {
      const addr = (await s0.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[];
      return replicaPorts.includes(Number(addr[1]));
    }, 60_000, sentinels.logs);
    const addr = (await s0.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as string[];
    // the client finds the new primary through the sentinels; nothing acknowledged was lost
    await until('the client writes to the new primary', async () => (await app.set('after', 'failover')) === 'OK');
    const promoted = await ioredisRetry(Number(addr[1]));
    clients.push(promoted);
    assert.equal((await promoted.call('ROLE') as string[])[0], 'master');
    assert.equal(await promoted.get('after'), 'failover');
    for (let i = 0; i < 100; i++) assert.equal(await promoted.get(`k${i}`), `v${i}`);
  } finally {
    for (const c of clients) c.disconnect();
    for (const p of procs) p.kill('SIGKILL');
    for (const stop of stops) await stop();
    if (primaryUp) await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('Sentinel kills a busy script on a shardis primary with SCRIPT KILL', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-sentinel-'));
  const srv = await startServer({ port: 0, config: { 'busy-reply-threshold': '100' } });
  // one sentinel with a quorum of 2 marks the primary down (SDOWN) but never fails it over
  const sentinels = await startSentinels(dir, '127.0.0.1', srv.port, 1);
  const clients: Redis[] = [];
  try {
    const s = await ioredisRetry(sentinels.ports[0]!);
    clients.push(s);
    await until('the sentinel has the primary', async () => fields((await s.call('SENTINEL', 'MASTER', 'mymaster')) as string[]).flags === 'master');
    const c = await ioredisRetry(srv.port);
    clients.push(c);
    // past busy-reply-threshold every PING gets BUSY: SDOWN after down-after-milliseconds, then SCRIPT KILL
    const t0 = Date.now();
    await assert.rejects(c.eval('while true do end', 0), /^ReplyError: ERR Script killed by user with SCRIPT KILL/);
    assert.ok(Date.now() - t0 < 20_000);
    await until('the primary is up again for the sentinel', async () => fields((await s.call('SENTINEL', 'MASTER', 'mymaster')) as string[]).flags === 'master');
    const log = sentinels.logs();
    assert.match(log, /\+sdown master mymaster/);
    assert.match(log, /-sdown master mymaster/);
    assert.equal(await c.ping(), 'PONG');
  } finally {
    for (const c of clients) c.disconnect();
    await sentinels.stop();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An INFO reply's field names, in order (values differ between any two servers). */
function infoFields(text: string): string[] {
  return text.split('\r\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.slice(0, l.indexOf(':')));
}

describeCompat('what Sentinel sends', (t) => {
  // on its command link: name, PING, INFO, hello PUBLISH, SCRIPT KILL when a PING says BUSY
  t('the command link', [
    ['CLIENT', 'SETNAME', 'sentinel-0123abcd-cmd'], ['PING'], ['ROLE'], ['SCRIPT', 'KILL'],
    ['PUBLISH', '__sentinel__:hello', '127.0.0.1,26379,0123abcd0123abcd0123abcd0123abcd0123abcd,0,mymaster,127.0.0.1,6379,0'],
    ['CLIENT', 'KILL', 'TYPE', 'master'], ['CLIENT', 'KILL', 'TYPE', 'replica'], ['CLIENT', 'KILL', 'TYPE', 'slave'],
    ['CLIENT', 'KILL', 'TYPE', 'normal'], ['CLIENT', 'KILL', 'TYPE', 'pubsub'], ['CLIENT', 'KILL', 'TYPE', 'nope'],
  ]);
  // sentinelSendSlaveOf: the replies are not checked, so a refusal at queue time (EXECABORT) would lose the SLAVEOF
  t('the promotion transaction, without a config file', [
    ['MULTI'], ['SLAVEOF', 'NO', 'ONE'], ['CONFIG', 'REWRITE'], ['CLIENT', 'KILL', 'TYPE', 'normal'], ['CLIENT', 'KILL', 'TYPE', 'pubsub'], ['EXEC'],
    ['MULTI'], ['REPLICAOF', 'NO', 'ONE'], ['CONFIG', 'REWRITE'], ['EXEC'], ['ROLE'],
  ]);
  // on its pub/sub link
  t('the hello channel', [
    ['CLIENT', 'SETNAME', 'sentinel-0123abcd-pubsub'], ['SUBSCRIBE', '__sentinel__:hello'], ['PING'], ['UNSUBSCRIBE'],
  ]);
  t('INFO has the fields Sentinel parses, in Redis\'s order', async (p) => {
    for (const section of ['server', 'replication']) {
      const [a, b] = [String(await p.redis.call('INFO', section)), String(await p.shardis.call('INFO', section))];
      if (section === 'replication') assert.deepEqual(infoFields(b), infoFields(a));
      else for (const f of ['redis_version', 'run_id', 'tcp_port']) assert.ok(infoFields(b).includes(f), f);
      assert.match(b, section === 'server' ? /\r\nrun_id:[0-9a-f]{40}\r\n/ : /^# Replication\r\nrole:master\r\n/);
    }
  });
});
