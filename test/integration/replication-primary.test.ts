/**
 * The primary's side of a replication link, seen through raw replica
 * connections: PSYNC's answers (a full copy, then +CONTINUE from the
 * backlog), PINGs in the stream every repl-ping-replica-period, and
 * repl-timeout for replicas that stop acknowledging.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until what the connection received matches `re` (3 s at most); the match. */
async function until(r: RespClient, re: RegExp): Promise<RegExpExecArray> {
  for (let i = 0; i < 150; i++) {
    const m = re.exec(r.pending());
    if (m !== null) return m;
    await sleep(20);
  }
  assert.fail(`never received ${re}: ${JSON.stringify(r.pending().slice(0, 200))}`);
}

describeServer('replication, the primary side', (fx) => {
  test('PSYNC ? -1 is a full copy; PSYNC with its replid and the next offset resumes with the bytes missed', async () => {
    const c = await fx().client();
    await c.call('SET', 'a', '1');
    const r1 = await RespClient.connect(fx().port);
    await r1.call('REPLCONF', 'capa', 'psync2');
    r1.writeRaw('PSYNC ? -1\r\n');
    const full = await until(r1, /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)\r\n\$(\d+)\r\n/);
    const [, replid, start, len] = full;
    await c.call('SET', 'b', '2');
    // what followed the snapshot: the stream from offset start + 1
    const after = full[0].length + Number(len);
    await until(r1, /SET\r\n\$1\r\nb\r\n\$1\r\n2\r\n$/);
    const seen = Buffer.from(r1.pending(), 'latin1').subarray(after);
    r1.close();
    // the replica had everything up to here; two more writes while it is away
    const offset = Number(start) + seen.length;
    await c.call('SET', 'c', '3');
    await c.call('DEL', 'a');
    const r2 = await RespClient.connect(fx().port);
    await r2.call('REPLCONF', 'capa', 'psync2');
    r2.writeRaw(`PSYNC ${replid} ${offset + 1}\r\n`);
    await until(r2, /DEL\r\n\$1\r\na\r\n$/);
    assert.equal(r2.pending(), `+CONTINUE ${replid}\r\n*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n*2\r\n$3\r\nDEL\r\n$1\r\na\r\n`);
    r2.close();
    // another history, or an offset the backlog does not hold: a full copy
    for (const req of [`PSYNC ${'f'.repeat(40)} ${offset + 1}`, `PSYNC ${replid} 0`, `PSYNC ${replid} ${offset + 10_000}`]) {
      const r = await RespClient.connect(fx().port);
      r.writeRaw(`${req}\r\n`);
      await until(r, /^\+FULLRESYNC /);
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

  test('after a diskless copy the stream waits for the replica\'s first REPLCONF ACK (nothing may follow the end mark)', async () => {
    const c = await fx().client();
    await c.call('CONFIG', 'SET', 'repl-diskless-sync', 'yes');
    await c.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
    const r = await RespClient.connect(fx().port);
    try {
      await r.call('REPLCONF', 'capa', 'eof', 'capa', 'psync2');
      r.writeRaw('PSYNC ? -1\r\n');
      const m = await until(r, /^\+FULLRESYNC [0-9a-f]{40} (\d+)\r\n\$EOF:([0-9a-f]{40})\r\n/);
      const mark = m[2]!;
      const end = await until(r, new RegExp(`${mark}[\\s\\S]*${mark}`));
      // writes while the replica loads: none reaches it yet
      for (let i = 0; i < 50; i++) await c.call('SET', `held${i}`, 'x');
      await sleep(200);
      assert.equal(r.pending().length, end.index + end[0].length, 'nothing after the mark before the ACK');
      r.writeRaw('*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n');
      await until(r, /held49\r\n\$1\r\nx\r\n$/);
      assert.match(r.pending().slice(end.index + end[0].length), /^\*2\r\n\$6\r\nSELECT\r\n\$1\r\n\d+\r\n\*3\r\n\$3\r\nSET\r\n\$5\r\nheld0\r\n/);
    } finally {
      r.close();
      await c.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '5');
      c.close();
    }
  });

  test('a command answered on a replication link closes it; PSYNC with a wrong offset is an error', async () => {
    const c = await fx().client();
    for (const [sync, cmd] of [['SYNC', 'PING'], ['PSYNC ? -1', 'GET foo'], ['PSYNC ? -1', 'SLOWLOG GET']] as const) {
      const r = await RespClient.connect(fx().port);
      r.writeRaw(`${sync}\r\n`);
      await until(r, /\$\d+\r\n|\$EOF:/);
      r.writeRaw(`${cmd}\r\n`);
      await r.waitClosed();
      assert.equal(await c.call('PING'), 'PONG');
    }
    assert.deepEqual(await c.call('PSYNC', 'replicationid', 'offset_str'), new ReplyError('ERR value is not an integer or out of range'));
    c.close();
  });
});
