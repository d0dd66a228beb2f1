/**
 * CLIENT PAUSE WRITE and what may write: scripts and functions declared
 * no-writes run, EVAL without flags waits; expiry (active and lazy) is held
 * during any pause — expired keys read as missing but stay until it ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeServer('CLIENT PAUSE with scripts and expiry', (fx) => {
  test('no-writes scripts and functions run during PAUSE WRITE; other scripts wait', async () => {
    const admin = await fx().client();
    const c = await fx().client();
    await admin.call('FUNCTION', 'LOAD', 'REPLACE', "#!lua name=pl\nredis.register_function{function_name='ro', callback=function() return 'ro' end, flags={'no-writes'}}\nredis.register_function('rw', function() return 'rw' end)");
    assert.equal(await admin.call('CLIENT', 'PAUSE', '100000', 'WRITE'), 'OK');
    try {
      assert.equal(await c.call('EVAL', "#!lua flags=no-writes\nreturn 'unique-ro'", '0'), 'unique-ro');
      const sha = (await admin.call('SCRIPT', 'LOAD', "#!lua flags=no-writes\nreturn 'cached-ro'")) as string;
      assert.equal(await c.call('EVALSHA', sha, '0'), 'cached-ro');
      assert.equal(await c.call('FCALL', 'ro', '0'), 'ro');
      assert.equal(await c.call('FCALL_RO', 'ro', '0'), 'ro');
      // a script without flags may write: it waits for the pause to end
      const held = c.call('EVAL', "return 'plain'", '0');
      const first = await Promise.race([held, sleep(150).then(() => 'still waiting')]);
      assert.equal(first, 'still waiting');
      assert.equal(await admin.call('CLIENT', 'UNPAUSE'), 'OK');
      assert.equal(await held, 'plain');
    } finally {
      await admin.call('CLIENT', 'UNPAUSE');
      await admin.call('FUNCTION', 'FLUSH');
    }
  });

  test('a pipeline longer than the request queue, paused on its first write, is read to the end after the pause', async () => {
    const admin = await fx().client();
    const c = await fx().client();
    assert.equal(await admin.call('CLIENT', 'PAUSE', '200', 'WRITE'), 'OK');
    // ~150 KB: more than one socket read, more requests than the queue holds while the first waits
    const n = 5000;
    let raw = '';
    for (let i = 0; i < n; i++) raw += `*3\r\n$3\r\nSET\r\n$8\r\npipe${String(i).padStart(4, '0')}\r\n$1\r\nv\r\n`;
    c.writeRaw(raw + '*1\r\n$4\r\nPING\r\n');
    for (let i = 0; i < n; i++) assert.equal(await c.read(10000), 'OK');
    assert.equal(await c.read(10000), 'PONG');
    assert.equal(await admin.call('EXISTS', 'pipe0000', 'pipe4999'), 2);
    await admin.call('DEL', ...Array.from({ length: n }, (_, i) => `pipe${String(i).padStart(4, '0')}`));
  });

  test('expired keys are not deleted while clients are paused', async () => {
    const c = await fx().client();
    await c.call('FLUSHALL');
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('SET', 'a', '1', 'PX', '20');
    await c.call('SET', 'b', '1', 'PX', '20');
    assert.equal(await c.call('CLIENT', 'PAUSE', '100000', 'WRITE'), 'OK');
    try {
      await sleep(250);
      assert.equal(await c.call('GET', 'a'), null, 'reads as missing');
      assert.equal(await c.call('DBSIZE'), 2, 'but is still there');
      assert.match((await c.call('INFO', 'stats')) as string, /\r\nexpired_keys:0\r\n/);
    } finally {
      await c.call('CLIENT', 'UNPAUSE');
    }
    for (let i = 0; i < 100 && (await c.call('DBSIZE')) !== 0; i++) await sleep(20);
    assert.equal(await c.call('DBSIZE'), 0, 'deleted once the pause ended');
  });
});
