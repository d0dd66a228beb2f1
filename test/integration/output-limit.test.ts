/**
 * client-output-buffer-limit for the normal class: a client that pipelines
 * requests without reading the replies is disconnected at the hard limit
 * while other clients keep being served; the default (normal 0 0 0) never disconnects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describeServer } from '../helpers/server.ts';
import { encodeCommand } from '../helpers/resp-client.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A raw client that sends GET of a 100 KB value 400 times without reading
 * for `ms`, then reads: resolves true when the server had closed the
 * connection (everything it received ends before the 400 replies).
 */
function greedy(port: number, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.pause();
    let received = 0;
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      s.destroy();
      resolve(closed);
    };
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= 400 * 100_000) finish(false);
    });
    s.on('close', () => finish(received < 400 * 100_000));
    s.on('error', () => {});
    s.on('connect', () => {
      const req = encodeCommand(['GET', 'big']);
      for (let i = 0; i < 400; i++) s.write(req);
      setTimeout(() => s.resume(), ms);
    });
  });
}

describeServer('client-output-buffer-limit normal', (fx) => {
  test('a client that never reads is disconnected at the hard limit; others are served', async () => {
    const c = await fx().client();
    await c.call('SET', 'big', 'x'.repeat(100_000));
    assert.equal(await c.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1mb 0 0'), 'OK');
    try {
      assert.equal(await greedy(fx().port, 1000), true, 'disconnected');
      assert.equal(await c.call('PING'), 'PONG');
      assert.equal(((await c.call('GET', 'big')) as string).length, 100_000, 'a client that reads is not affected');
    } finally {
      await c.call('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 0 0 0');
    }
    // unlimited by default: the greedy client keeps its connection
    assert.equal(await greedy(fx().port, 400), false);
  });
});
