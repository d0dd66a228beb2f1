/**
 * The primary's side of a replication link, seen through raw replica
 * connections: PSYNC's answers (a full copy, then +CONTINUE from the
 * backlog), PINGs in the stream every repl-ping-replica-period, and
 * repl-timeout for replicas that stop acknowledging.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { RespClient } from '../helpers/resp-client.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describeServer('replication, the primary side', (fx) => {
  test('PSYNC ? -1 is a full copy; PSYNC with its replid and the next offset resumes with the bytes missed', async () => {
    const c = await fx().client();
    await c.call('SET', 'a', '1');
    const r1 = await RespClient.connect(fx().port);
    await r1.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2');
    r1.writeRaw('PSYNC ? -1\r\n');
    await sleep(100);
    const head = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n/.exec(r1.pending());
    assert.ok(head, 'a full copy');
    const [, replid, start] = head;
    await c.call('SET', 'b', '2');
    await sleep(50);
    const seen = r1.pending();
    r1.close();
    // the replica had everything up to here; two more writes while it is away
    const offset = Number(start) + Buffer.byteLength(seen.slice(seen.indexOf('*')), 'latin1');
    await c.call('SET', 'c', '3');
    await c.call('DEL', 'a');
    const r2 = await RespClient.connect(fx().port);
    await r2.call('REPLCONF', 'capa', 'psync2');
    r2.writeRaw(`PSYNC ${replid} ${offset + 1}\r\n`);
    await sleep(100);
    const resumed = r2.pending();
    assert.equal(resumed, `+CONTINUE ${replid}\r\n*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\nDEL\r\n$1\r\na\r\n`);
    r2.close();
    // another history, or an offset the backlog does not hold: a full copy
    for (const req of [`PSYNC ${'f'.repeat(40)} ${offset + 1}`, `PSYNC ${replid} 0`, `PSYNC ${replid} ${offset + 10_000}`]) {
      const r = await RespClient.connect(fx().port);
      r.writeRaw(`${req}\r\n`);
      await sleep(100);
      assert.match(r.pending(), /^\+FULLRESYNC /, req);
      r.close();
    }
    const info = String(await c.call('INFO', 'stats'));
    assert.match(info, /sync_full:4\r\n/);
    assert.match(info, /sync_partial_ok:1\r\n/);
    assert.match(info, /sync_partial_err:3\r\n/);
    c.close();
  });

  test('a PING in the stream every repl-ping-replica-period; a replica silent for repl-timeout is let go', async () => {
    const c = await fx().client();
    await c.call('CONFIG', 'SET', 'repl-ping-replica-period', '1');
    await c.call('CONFIG', 'SET', 'repl-timeout', '2');
    try {
      const silent = await RespClient.connect(fx().port);
      silent.writeRaw('PSYNC ? -1\r\n');
      const acking = await RespClient.connect(fx().port);
      acking.writeRaw('PSYNC ? -1\r\n');
      // SYNC's replicas never acknowledge: repl-timeout spares them
      const old = await RespClient.connect(fx().port);
      old.writeRaw('SYNC\r\n');
      for (let i = 0; i < 8; i++) {
        await sleep(500);
        acking.writeRaw('*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n');
      }
      assert.ok(acking.pending().includes('*1\r\n$4\r\nPING\r\n'), 'PINGs in the stream');
      const info = String(await c.call('INFO', 'replication'));
      assert.match(info, /connected_slaves:2\r\n/, 'the silent replica was disconnected');
      silent.close();
      acking.close();
      old.close();
    } finally {
      await c.call('CONFIG', 'SET', 'repl-ping-replica-period', '10');
      await c.call('CONFIG', 'SET', 'repl-timeout', '60');
      c.close();
    }
  });
});
