/**
 * CLIENT KILL on a threaded server counts and kills the clients connected
 * when it ran, as Redis's single-threaded kill. The other threads are asked
 * one after another, so a killed client that connects again at once can
 * land on a thread not yet asked (a replica does, and was counted twice):
 * those are spared. A busy script holds one thread's answer open to make
 * that window wide.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, type Socket } from 'node:net';
import { startServer } from '../../src/index.ts';
import { onEveryThread } from '../helpers/threads.ts';
import { sleep } from '../helpers/replication.ts';

const THREADS = 4;
const SUBSCRIBERS = 40;
/** A script that keeps its thread busy for 300 ms. */
// (os.clock: TIME stands still in a script, Redis 7.2+)
const BUSY = "local t0 = os.clock() while os.clock() - t0 < 0.3 do end return 1";

test('CLIENT KILL with threads: clients that connect again while it runs are neither killed nor counted', async () => {
  const srv = await startServer({ port: 0, threads: THREADS });
  const [, killer, busy, watcher] = await onEveryThread(srv.port, THREADS);
  let stop = false;
  const sockets = new Set<Socket>();
  // subscribers that connect and subscribe again as soon as they are dropped
  const subscribe = (): void => {
    const s = createConnection(srv.port, '127.0.0.1', () => s.write('*2\r\n$9\r\nSUBSCRIBE\r\n$2\r\nch\r\n'));
    sockets.add(s);
    s.on('error', () => {});
    s.resume();
    s.on('close', () => {
      sockets.delete(s);
      if (!stop) subscribe();
    });
  };
  const subscribed = async (): Promise<number> => Number((await watcher!.call('PUBSUB', 'NUMSUB', 'ch') as [string, number])[1]);
  try {
    for (let i = 0; i < SUBSCRIBERS; i++) subscribe();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 100 && (await subscribed()) !== SUBSCRIBERS; i++) await sleep(20);
      assert.equal(await subscribed(), SUBSCRIBERS, `round ${round}: every subscriber back`);
      // thread 1 kills; thread 2 answers it only after its script, thread 3 after that
      const script = busy!.call('EVAL', BUSY, '0');
      await sleep(20);
      assert.equal(await killer!.call('CLIENT', 'KILL', 'TYPE', 'pubsub'), SUBSCRIBERS, `round ${round}: the subscribers connected when it ran`);
      assert.equal(await script, 1);
    }
  } finally {
    stop = true;
    for (const s of sockets) s.destroy();
    for (const c of [killer, busy, watcher]) c!.close();
    await srv.close();
  }
});
