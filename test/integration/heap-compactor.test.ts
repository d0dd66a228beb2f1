/**
 * Heap compaction while quiet (server/heap-compactor.ts): after the heap
 * grows, a server with no traffic runs one memory-reducing collection
 * (INFO heap_compactions counts it); a busy one does not; 0 turns it off.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/index.ts';
import { RespClient, encodeCommand } from '../helpers/resp-client.ts';

async function compactions(c: RespClient): Promise<number> {
  const text = (await c.call('INFO', 'shardis')) as string;
  const m = /\r\nheap_compactions:(\d+)\r\n/.exec(`\r\n${text}`);
  assert.ok(m, 'INFO shardis has heap_compactions');
  return Number(m[1]);
}

/** Writes `mb` MB of 1 KB string values under `prefix`, 1000 commands a round trip. */
async function load(c: RespClient, prefix: string, mb: number): Promise<void> {
  const value = 'v'.repeat(1024);
  for (let b = 0; b < mb; b++) {
    const cmds: Buffer[] = [];
    for (let i = 0; i < 1000; i++) cmds.push(encodeCommand(['SET', `${prefix}:${b}:${i}`, value]));
    c.writeRaw(Buffer.concat(cmds));
    for (let i = 0; i < 1000; i++) assert.equal(await c.read(), 'OK');
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('a quiet server compacts its heap once after it grew, not while busy, and never with heap-compact-idle-ms 0', async () => {
  const srv = await startServer({ port: 0, config: { 'heap-compact-idle-ms': '100' } });
  const c = await RespClient.connect(srv.port);
  try {
    assert.equal(((await c.call('CONFIG', 'GET', 'heap-compact-idle-ms')) as string[])[1], '100');
    // shardis's own parameter and section stay out of what Redis lists: CONFIG GET *, INFO all
    assert.ok(!((await c.call('CONFIG', 'GET', '*')) as string[]).includes('heap-compact-idle-ms'));
    assert.ok(!((await c.call('INFO', 'everything')) as string).includes('heap_compactions'));
    // let any growth from start-up settle first
    await sleep(400);
    const start = await compactions(c);
    // 64 MB of values, sent without pause: every 100 ms interval sees thousands of commands
    await load(c, 'a', 64);
    const afterLoad = await compactions(c);
    assert.ok(afterLoad - start <= 1, `at most one compaction while loading (a GC pause can stall the client), got ${afterLoad - start}`);
    // quiet: within a few intervals the grown heap is compacted
    let n = afterLoad;
    for (let i = 0; i < 50 && n === afterLoad; i++) {
      await sleep(100);
      n = await compactions(c);
    }
    assert.ok(n > afterLoad, 'compacted once quiet');
    // nothing grew since: staying quiet does not compact again
    await sleep(500);
    assert.equal(await compactions(c), n);
    // turned off: growth and quiet, no compaction
    assert.equal(await c.call('CONFIG', 'SET', 'heap-compact-idle-ms', '0'), 'OK');
    await load(c, 'b', 64);
    await sleep(600);
    assert.equal(await compactions(c), n);
    assert.equal(await c.call('DBSIZE'), 128_000);
  } finally {
    c.close();
    await srv.close();
  }
});
