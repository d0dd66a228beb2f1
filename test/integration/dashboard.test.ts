/**
 * The live dashboard (`/dashboard` on the HTTP port) in a real browser
 * (Debian's headless Chromium, driven by playwright-core): the page loads
 * without console errors, its ops/s number follows load made by ioredis,
 * its charts are drawn, a slow command shows in its slow log, a key picked
 * in the key browser follows SETs made by ioredis and by redis-cli without
 * a reload; with a password the page answers 401 without a token and loads
 * with `?_token=`, and a user without INFO or key permissions sees the
 * NOPERM texts in the page instead of a broken page; a primary lists its
 * replica, a replica its link, a cluster node CLUSTER INFO's state.
 * Screenshots go to test-output/dashboard/.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Redis } from 'ioredis';
import { startServer, type RunningServer } from '../../src/index.ts';
import { freePort } from '../helpers/ports.ts';
import { eventually } from '../helpers/eventually.ts';
import { TEST_THREADS } from '../helpers/server.ts';
import { startEtcd } from '../helpers/etcd.ts';
import { clusterArgs } from '../helpers/cluster.ts';
import { startShardisProcess } from '../helpers/redis-process.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
// CI installs Chromium and sets this: there a missing browser fails instead of skipping
if (CHROMIUM === undefined && process.env.SHARDIS_REQUIRE_BROWSER === '1') throw new Error('SHARDIS_REQUIRE_BROWSER=1 but no chromium is installed');
const SKIP = CHROMIUM === undefined ? 'no chromium (apt-get install chromium)' : false;
const OUT = new URL('../../test-output/dashboard/', import.meta.url).pathname;
const run = promisify(execFile);

/** What the test reads of a canvas in the page (tsconfig has no DOM types). */
interface Canvas {
  width: number;
  height: number;
  dataset: Record<string, string>;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
}

/** A page that fails the test on a page error and collects console errors. */
async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[]; status: number }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  const res = await page.goto(url);
  return { page, errors, status: res?.status() ?? 0 };
}

const text = async (page: Page, id: string): Promise<string> => (await page.getByTestId(id).first().textContent()) ?? '';

async function screenshot(t: TestContext, page: Page, name: string): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const path = `${OUT}${name}${TEST_THREADS > 1 ? `-threads${TEST_THREADS}` : ''}.png`;
  await page.screenshot({ path, fullPage: true });
  t.diagnostic(`screenshot: ${path}`);
}

/** Picks `key` in the key browser after scanning for `pattern`. */
async function pick(page: Page, pattern: string, key: string): Promise<void> {
  await page.getByTestId('scan-pattern').fill(pattern);
  await page.getByTestId('scan-button').click();
  await page.locator(`[data-testid=key-item][data-key="${key}"]`).click();
  await eventually(async () => (await text(page, 'key-name')) === key, `${key} is shown`);
}

test(`the dashboard shows live stats, charts, the slow log and a live key${TEST_THREADS > 1 ? ` (threads=${TEST_THREADS})` : ''}`, { skip: SKIP, timeout: 120_000 }, async (t) => {
  const srv = await startServer({ port: 0, threads: TEST_THREADS, config: { 'http-port': String(await freePort()) } });
  const io = new Redis(srv.port);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    await io.hset('user:1', 'name', 'Ada', 'age', '36');
    await io.set('greeting', 'hello');
    const { page, errors, status } = await openPage(browser, `http://127.0.0.1:${srv.httpPort}/dashboard`);
    assert.equal(status, 200);
    await eventually(async () => (await page.getByTestId('ops-per-sec').getAttribute('data-value')) !== null, 'a first sample');

    // the ops/s number follows load from ioredis
    const ops = async (): Promise<number> => Number(await page.getByTestId('ops-per-sec').getAttribute('data-value'));
    const quiet = await ops();
    let stop = false;
    const load = (async () => {
      while (!stop) await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 10 === 0 ? io.get('no-such-key') : io.incr('counter'))));
    })();
    try {
      await eventually(async () => (await ops()) > Math.max(100, quiet * 5), `ops/s rises under load (was ${quiet})`);
      t.diagnostic(`ops/s quiet ${quiet}, under load ${await ops()} (shown as ${await text(page, 'ops-per-sec')})`);
      // a few samples for the charts
      await page.waitForTimeout(2500);
    } finally {
      stop = true;
      await load;
    }
    await eventually(async () => (await ops()) < Math.max(100, quiet * 5), 'ops/s falls when the load stops');

    // every chart has drawn points and pixels
    for (const id of ['chart-ops', 'chart-memory', 'chart-clients', 'chart-hits', 'chart-latency', 'chart-threads']) {
      const drawn = await page.getByTestId(id).evaluate((el: unknown) => {
        const c = el as Canvas;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let inked = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) inked++;
        return { points: Number(c.dataset.points), inked };
      });
      assert.ok(drawn.points >= 2 && drawn.inked > 500, `${id} is drawn: ${JSON.stringify(drawn)}`);
    }
    assert.match(await text(page, 'hit-ratio'), /%$/);
    assert.ok((await page.locator('[data-testid=command-row][data-command=incr]').count()) === 1, 'INCR in the commands table');

    // a slow command shows in the slow log
    await io.config('SET', 'slowlog-log-slower-than', '0');
    await io.set('slow:marker', 'x');
    await eventually(async () => (await text(page, 'slowlog')).includes('set slow:marker x'), 'the slow command in the slow log');
    assert.ok((await page.getByTestId('slowlog-entry').count()) > 0);
    assert.match(await text(page, 'replication'), /primary/);
    assert.match(await text(page, 'cluster'), /cluster mode is off/);

    // the key browser: a hash picked, then changed by ioredis and by redis-cli, follows live
    await pick(page, 'user:*', 'user:1');
    assert.equal(await page.locator('[data-testid=key-item]').count(), 1, 'MATCH user:* lists one key');
    await eventually(async () => (await text(page, 'key-value')).includes('Ada'), 'the value is shown');
    assert.equal(await text(page, 'key-type'), 'hash');
    await eventually(async () => (await text(page, 'key-ttl')) === 'none', 'no TTL');
    let at = Date.now();
    await io.hset('user:1', 'age', '37');
    await eventually(async () => (await text(page, 'key-value')).includes('37'), 'the change made by ioredis');
    t.diagnostic(`HSET by ioredis shown after ${Date.now() - at} ms`);
    at = Date.now();
    assert.equal((await run('redis-cli', ['-p', String(srv.port), 'HSET', 'user:1', 'city', 'Paris'])).stdout.trim(), '1');
    await eventually(async () => (await text(page, 'key-value')).includes('Paris'), 'the change made by redis-cli');
    t.diagnostic(`HSET by redis-cli shown after ${Date.now() - at} ms`);
    await io.expire('user:1', 500);
    await eventually(async () => /^\d+s$/.test(await text(page, 'key-ttl')), 'the TTL');
    await screenshot(t, page, 'live');

    // a string key: SET replaces it, a DEL removes it
    await pick(page, 'greet*', 'greeting');
    await eventually(async () => (await text(page, 'key-value')) === 'hello', 'the string');
    await io.set('greeting', 'bonjour');
    await eventually(async () => (await text(page, 'key-value')) === 'bonjour', 'SET shown');
    await io.del('greeting');
    await eventually(async () => (await text(page, 'key-value')).includes('does not exist'), 'DEL shown');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    io.disconnect();
    await srv.close();
  }
});

test(`the dashboard's token and ACL: 401 without a token, NOPERM shown in the page${TEST_THREADS > 1 ? ` (threads=${TEST_THREADS})` : ''}`, { skip: SKIP, timeout: 120_000 }, async (t) => {
  const srv = await startServer({ port: 0, threads: TEST_THREADS, config: { 'http-port': String(await freePort()), requirepass: 'sesame', 'http-token': 'viewer-token viewer' } });
  const io = new Redis(srv.port, { password: 'sesame' });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const base = `http://127.0.0.1:${srv.httpPort}`;
    // the page and its stats need the token; the script does not (it holds no data)
    const bare = await fetch(`${base}/dashboard`);
    assert.equal(bare.status, 401);
    assert.match(await bare.text(), /data-testid="unauthorized"/);
    assert.equal((await fetch(`${base}/dashboard?_token=wrong`)).status, 401);
    const stats = await fetch(`${base}/dashboard/api/stats`);
    assert.equal(stats.status, 401);
    assert.deepEqual(await stats.json(), { error: 'Unauthorized' });
    assert.equal((await fetch(`${base}/dashboard/dashboard.js`)).status, 200);
    assert.equal((await fetch(`${base}/dashboard/client/index.js`)).status, 200);
    assert.equal((await fetch(`${base}/dashboard/nothing.js`)).status, 404);
    const bearer = await fetch(`${base}/dashboard/api/stats`, { headers: { Authorization: 'Bearer sesame' } });
    assert.equal(bearer.status, 200);
    const body = (await bearer.json()) as { info: { server: { redis_version: string } }; slowlog: unknown[]; cluster: null };
    assert.equal(body.info.server.redis_version, (await io.info('server')).match(/redis_version:(.*)\r/)![1]);
    assert.ok(Array.isArray(body.slowlog));
    assert.equal(body.cluster, null);

    const closed = await openPage(browser, `${base}/dashboard`);
    assert.equal(closed.status, 401);
    assert.match(await text(closed.page, 'unauthorized'), /token/);

    // with ?_token= the page loads and keeps the token for its own requests and WebSocket
    await io.set('public:1', 'visible');
    await io.set('secret:1', 'hidden');
    const open = await openPage(browser, `${base}/dashboard?_token=sesame`);
    assert.equal(open.status, 200);
    await eventually(async () => (await open.page.getByTestId('ops-per-sec').getAttribute('data-value')) !== null, 'stats with the token');
    await pick(open.page, 'public:*', 'public:1');
    await eventually(async () => (await text(open.page, 'key-value')) === 'visible', 'a key over the WebSocket with the token');
    await io.set('public:1', 'changed');
    await eventually(async () => (await text(open.page, 'key-value')) === 'changed', 'live with the token');
    assert.deepEqual(open.errors, []);

    // a user who may read public:* keys but not run INFO or SLOWLOG: NOPERM in the page, the rest works
    await io.call('ACL', 'SETUSER', 'viewer', 'on', 'nopass', '~public:*', '+@read', '+@connection', '-info', '-slowlog');
    const viewer = await openPage(browser, `${base}/dashboard?_token=viewer-token`);
    assert.equal(viewer.status, 200);
    await eventually(async () => (await text(viewer.page, 'stats-error')).startsWith('INFO: NOPERM'), 'INFO refused in the page');
    await eventually(async () => (await text(viewer.page, 'slowlog')).includes('NOPERM'), 'SLOWLOG refused in the page');
    assert.match(await text(viewer.page, 'live-status'), /^live/);
    await pick(viewer.page, '*', 'secret:1');
    await eventually(async () => (await text(viewer.page, 'key-error')).startsWith('NOPERM'), 'a key the user may not read');
    await pick(viewer.page, '*', 'public:1');
    await eventually(async () => (await text(viewer.page, 'key-value')) === 'changed', 'a key the user may read');
    assert.equal(await viewer.page.getByTestId('key-error').isHidden(), true);
    await screenshot(t, viewer.page, 'noperm');
    assert.deepEqual(viewer.errors, []);
  } finally {
    await browser.close();
    io.disconnect();
    await srv.close();
  }
});

test(`the dashboard's replication and cluster panels${TEST_THREADS > 1 ? ` (threads=${TEST_THREADS})` : ''}`, { skip: SKIP, timeout: 120_000 }, async (t) => {
  const primary = await startServer({ port: 0, threads: TEST_THREADS, config: { 'http-port': String(await freePort()) } });
  const replica = await startServer({ port: 0, threads: TEST_THREADS, config: { 'http-port': String(await freePort()), replicaof: `127.0.0.1 ${primary.port}` } });
  const etcd = await startEtcd();
  const httpPort = await freePort();
  const node = await startShardisProcess([...clusterArgs(etcd), '--http-port', String(httpPort)]);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const io = new Redis(primary.port);
  const nodeIo = new Redis(node.port);
  try {
    await io.set('k', 'v');
    // the primary lists its replica with its offset; the replica shows its link
    const onPrimary = await openPage(browser, `http://127.0.0.1:${primary.httpPort}/dashboard`);
    await eventually(async () => (await onPrimary.page.getByTestId('replica-row').count()) === 1 && (await text(onPrimary.page, 'replication')).includes('online'), 'the replica, online');
    assert.match(await text(onPrimary.page, 'replication'), /replicas1/);
    const onReplica = await openPage(browser, `http://127.0.0.1:${replica.httpPort}/dashboard`);
    await eventually(async () => /rolereplica.*linkup/.test(await text(onReplica.page, 'replication')), 'the replica page shows its link up');
    assert.match(await text(onReplica.page, 'replication'), new RegExp(`primary127\\.0\\.0\\.1:${primary.port}`));
    await screenshot(t, onReplica.page, 'replica');

    // a cluster node: CLUSTER INFO's state, failing until every slot is served
    const onNode = await openPage(browser, `http://127.0.0.1:${httpPort}/dashboard`);
    await eventually(async () => (await text(onNode.page, 'cluster')).includes('statefail'), 'a cluster without slots fails');
    await nodeIo.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
    await eventually(async () => /stateok.*slots assigned16384/.test(await text(onNode.page, 'cluster')), 'the cluster state turns ok');
    await screenshot(t, onNode.page, 'cluster');
    for (const p of [onPrimary, onReplica, onNode]) assert.deepEqual(p.errors, []);
  } finally {
    await browser.close();
    io.disconnect();
    nodeIo.disconnect();
    await node.stop();
    await etcd.remove();
    await replica.close();
    await primary.close();
  }
});
