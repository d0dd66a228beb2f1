/**
 * `shardis/client` in a real browser (Debian's headless Chromium, driven by
 * playwright-core), once per transport (the watch over SSE, or over the
 * client's WebSocket): a page watches every key while an ioredis client
 * changes them; the page's view stays equal to the keyspace through a
 * dropped connection (resumed with one batch: nothing lost, nothing twice)
 * and a server restart on the same data (a resync snapshot). The browser's
 * own EventSource follows the same feed through a TCP proxy and stays equal
 * too, reconnecting by itself with Last-Event-ID: after the proxy drops its
 * connection it resumes with one batch, after the restart it gets a resync
 * snapshot. The page loads the client's own source, its
 * types stripped, as ES modules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.ts';
import { freePort } from '../helpers/ports.ts';
import { Proxy } from '../helpers/tcp-proxy.ts';
import { untilEqual } from '../helpers/feed-values.ts';
import type { FeedValue } from '../helpers/feed-watcher.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
// CI installs Chromium and sets this: there a missing browser fails instead of skipping
if (CHROMIUM === undefined && process.env.SHARDIS_REQUIRE_BROWSER === '1') throw new Error('SHARDIS_REQUIRE_BROWSER=1 but no chromium is installed');
const CLIENT_DIR = new URL('../../src/client/', import.meta.url).pathname;

type Transport = 'http' | 'websocket';

/** Serves the page (its client on `transport`) and the client's modules (TypeScript stripped to JavaScript). */
function pageServer(httpUrl: string, esUrl: string, transport: Transport): Server {
  return createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(`<!doctype html><script type="module">
        import { createClient } from '/client/index.js';
        const db = createClient({ url: ${JSON.stringify(httpUrl)}, transport: ${JSON.stringify(transport)} });
        window.db = db;
        window.infos = [];
        window.statuses = [];
        window.w = db.watch({ patterns: ['*'] }, (values, info) => window.infos.push(info), { maxBackoffMs: 300, onStatus: (c) => window.statuses.push(c) });
        window.view = () => Object.fromEntries(window.w.values);
        // the browser's own EventSource on the same feed: it resumes by itself with Last-Event-ID
        window.es = {};
        window.esKinds = [];
        const es = new EventSource(${JSON.stringify(esUrl)} + '/feed?pattern=*');
        es.onmessage = (e) => {
          const m = JSON.parse(e.data);
          window.esKinds.push(m.type + (m.resync ? ':resync' : ''));
          if (m.type === 'snapshot') window.es = {};
          for (const [k, v] of Object.entries(m.keys ?? {})) { if (v === null) delete window.es[k]; else window.es[k] = v; }
          if (m.type === 'change') { if (m.value === null) delete window.es[m.key]; else window.es[m.key] = m.value; }
        };
        window.esView = () => window.es;
      </script>`);
      return;
    }
    const m = /^\/client\/([a-z-]+)\.js$/.exec(url);
    if (m === null || !existsSync(join(CLIENT_DIR, `${m[1]}.ts`))) {
      res.writeHead(404).end();
      return;
    }
    const js = stripTypeScriptTypes(readFileSync(join(CLIENT_DIR, `${m[1]}.ts`), 'utf8')).replace(/(from\s+'\.\/[a-z-]+)\.ts'/g, "$1.js'");
    res.writeHead(200, { 'Content-Type': 'text/javascript' });
    res.end(js);
  });
}

for (const transport of ['http', 'websocket'] as const) {
  test(`a page using shardis/client (${transport}) keeps the live keyspace through a dropped connection and a restart`, { skip: CHROMIUM === undefined ? 'no chromium (apt-get install chromium)' : false, timeout: 90_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shardis-browser-'));
    const port = await freePort();
    const httpPort = await freePort();
    const start = (): Promise<RunningServer> => startServer({ port, dir, config: { 'http-port': String(httpPort), appendonly: 'yes', save: '' } });
    let srv = await start();
    const io = new Redis(port, { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    // the EventSource reaches the server through a proxy that can drop its connection
    const esProxy = await Proxy.start(httpPort);
    const pages = pageServer(`http://127.0.0.1:${httpPort}`, `http://127.0.0.1:${esProxy.port}`, transport);
    await new Promise<void>((r) => pages.listen(0, '127.0.0.1', r));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      await io.set('greeting', 'héllo');
      await io.hset('user:1', 'name', 'Ada', 'age', '36');
      await io.rpush('queue', 'a', 'b');
      const page = await browser.newPage();
      page.on('pageerror', (e) => assert.fail(`page error: ${e.message}`));
      await page.goto(`http://127.0.0.1:${(pages.address() as { port: number }).port}/`);
      const view = async (): Promise<Map<string, FeedValue>> => new Map(Object.entries(await page.evaluate(() => (globalThis as unknown as { view(): Record<string, FeedValue> }).view())));
      const infos = async (): Promise<Array<{ kind: string; resync: boolean }>> => page.evaluate(() => (globalThis as unknown as { infos: Array<{ kind: string; resync: boolean }> }).infos);
      const esView = async (): Promise<Map<string, FeedValue>> => new Map(Object.entries(await page.evaluate(() => (globalThis as unknown as { esView(): Record<string, FeedValue> }).esView())));
      const settle = (why: string): Promise<void> => untilEqual(io, () => true, { 'shardis/client': view, EventSource: esView }, why);
      await settle('the first snapshot');
      assert.deepEqual((await infos()).slice(0, 1).map((i) => [i.kind, i.resync]), [['snapshot', false]]);

      for (let i = 0; i < 50; i++) {
        await io.incr('counter');
        if (i % 5 === 0) await io.zadd('scores', i, `m${i}`);
        if (i % 7 === 0) await io.lpop('queue');
      }
      await settle('live changes');

      // a dropped connection (the SSE request aborted, or the WebSocket's session killed): the page resumes from its position with one batch of what it missed
      const before = (await infos()).length;
      const esBefore = (await page.evaluate(() => (globalThis as unknown as { esKinds: string[] }).esKinds)).length;
      esProxy.drop();
      if (transport === 'websocket') await io.client('KILL', 'ID', String(await page.evaluate(() => (globalThis as unknown as { db: { command(...a: string[]): Promise<unknown> } }).db.command('CLIENT', 'ID'))));
      else await page.evaluate(() => (globalThis as unknown as { w: { reconnect(): void } }).w.reconnect());
      await io.hset('user:1', 'age', '37');
      await io.del('greeting');
      await io.sadd('tags', 'x', 'y');
      await settle('after a dropped connection');
      const after = (await infos()).slice(before);
      assert.ok(after.every((i) => i.kind !== 'snapshot'), `resumed without a snapshot: ${JSON.stringify(after)}`);
      assert.deepEqual(await page.evaluate(() => (globalThis as unknown as { statuses: boolean[] }).statuses), [true, false, true], 'the watch saw its connection drop');
      // the EventSource reconnected by itself with Last-Event-ID: one batch of what it missed, no snapshot
      const esAfter = (await page.evaluate(() => (globalThis as unknown as { esKinds: string[] }).esKinds)).slice(esBefore);
      assert.ok(esAfter.includes('batch') && esAfter.every((k) => !k.startsWith('snapshot')), `the EventSource resumed: ${esAfter.join(' ')}`);

      // a restart on the same data: another run, so the page gets a resync snapshot, then live changes again
      await srv.close();
      srv = await start();
      await io.set('after-restart', '1');
      await settle('after a restart');
      const resyncs = (await infos()).filter((i) => i.kind === 'snapshot' && i.resync);
      assert.equal(resyncs.length, 1, 'one resync snapshot after the restart');
      // the EventSource reconnected by itself with the last id it saw: another run, so a resync snapshot
      const esKinds = await page.evaluate(() => (globalThis as unknown as { esKinds: string[] }).esKinds);
      assert.deepEqual(esKinds.filter((k) => k.startsWith('snapshot')), ['snapshot', 'snapshot:resync'], esKinds.join(' '));
      await io.set('greeting', 'back');
      await settle('live changes after the restart');
    } finally {
      await browser.close();
      pages.close();
      await esProxy.cut();
      io.disconnect();
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
