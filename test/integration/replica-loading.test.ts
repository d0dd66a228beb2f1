/**
 * A replica's full sync with repl-diskless-load (src/replication/replica.ts,
 * src/server/loading.ts): with swapdb the old dataset stays until the new
 * one is whole — hidden behind LOADING when the primary's history is
 * another, served (async_loading) when it continues this replica's own —
 * and comes back when the transfer is cut; `disabled` flushes only once the
 * file is whole. The primary sends its file slowly with rdb-key-save-delay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, type RunningServer } from '../../src/index.ts';
import { sleep, until } from '../helpers/replication.ts';
import { RespClient, ReplyError } from '../helpers/resp-client.ts';

const LOADING = new ReplyError('LOADING Redis is loading the dataset in memory');

async function field(c: RespClient, section: string, name: string): Promise<string> {
  const m = new RegExp(`\\r\\n${name}:([^\\r]*)`).exec(`\r\n${String(await c.call('INFO', section))}`);
  return m?.[1] ?? '';
}

async function pair(): Promise<{ m: RunningServer; r: RunningServer; mc: RespClient; rc: RespClient; close: () => Promise<void> }> {
  const m = await startServer({ port: 0, config: { 'repl-diskless-sync': 'yes', 'repl-diskless-sync-delay': '0' } });
  const r = await startServer({ port: 0, config: { 'repl-diskless-load': 'swapdb' } });
  const mc = await RespClient.connect(m.port);
  const rc = await RespClient.connect(r.port);
  return {
    m, r, mc, rc,
    close: async () => {
      mc.close();
      rc.close();
      await r.close();
      await m.close();
    },
  };
}

test('swapdb, another history: LOADING while the file arrives, the old dataset back when the transfer is cut, the new one when it completes', async () => {
  const { mc, rc, m, close } = await pair();
  try {
    await rc.call('DEBUG', 'POPULATE', '200', 'slave', '10');
    await rc.call('SET', 'mykey', 'myvalue');
    await mc.call('DEBUG', 'POPULATE', '1000', 'master', '1000');
    // 1000 keys × 5 ms: five seconds of transfer
    await mc.call('CONFIG', 'SET', 'rdb-key-save-delay', '5000');
    await rc.call('REPLICAOF', '127.0.0.1', String(m.port));
    await until(async () => (await field(rc, 'persistence', 'loading')) === '1', 'the replica loads');
    assert.equal(await field(rc, 'persistence', 'async_loading'), '0');
    assert.match(await field(rc, 'persistence', 'loading_loaded_bytes'), /^\d+$/);
    assert.deepEqual(await rc.call('GET', 'mykey'), LOADING);
    assert.deepEqual(await rc.call('DBSIZE'), LOADING);
    assert.deepEqual(await rc.call('PING'), LOADING);
    assert.match(String(await mc.call('INFO', 'replication')), /state=wait_bgsave/);
    // the next sync waits: the replica is caught between two
    await mc.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '5');
    assert.equal(await mc.call('CLIENT', 'KILL', 'TYPE', 'replica'), 1);
    await until(async () => (await field(rc, 'persistence', 'loading')) === '0', 'the load stops');
    assert.equal(await rc.call('GET', 'mykey'), 'myvalue');
    assert.equal(await rc.call('DBSIZE'), 201);
    // now let it finish
    await mc.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    await mc.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
    await until(async () => (await field(rc, 'replication', 'master_link_status')) === 'up', 'the sync completes', 30000);
    assert.equal(await rc.call('GET', 'mykey'), null);
    assert.equal(await rc.call('DBSIZE'), 1000);
  } finally {
    await close();
  }
});

test('swapdb, the same history (async_loading): the old dataset is served while the file arrives; CONFIG SET appendonly and REPLICAOF get LOADING', async () => {
  const { mc, rc, m, close } = await pair();
  try {
    await rc.call('CONFIG', 'SET', 'replica-read-only', 'no');
    await rc.call('REPLICAOF', '127.0.0.1', String(m.port));
    await until(async () => (await field(rc, 'replication', 'master_link_status')) === 'up', 'the first sync');
    await rc.call('DEBUG', 'POPULATE', '100', 'slave', '10');
    await mc.call('DEBUG', 'POPULATE', '1000', 'master', '1000');
    await rc.call('SET', 'mykey', 'myvalue');
    await mc.call('CONFIG', 'SET', 'rdb-key-save-delay', '5000');
    // the backlog no longer holds where the replica is: a full sync with the same replication ID
    await mc.call('MULTI');
    await mc.call('CLIENT', 'KILL', 'TYPE', 'replica');
    await mc.call('CONFIG', 'SET', 'repl-backlog-size', '16384');
    for (let i = 0; i < 10; i++) await mc.call('SET', `big${i}`, 'A'.repeat(16384));
    await mc.call('EXEC');
    await until(async () => (await field(rc, 'persistence', 'async_loading')) === '1', 'the replica loads asynchronously');
    assert.equal(await field(rc, 'persistence', 'loading'), '0');
    assert.equal(await rc.call('GET', 'mykey'), 'myvalue');
    assert.equal(await rc.call('DBSIZE'), 101);
    assert.deepEqual(await rc.call('CONFIG', 'SET', 'appendonly', 'no'), LOADING);
    assert.deepEqual(await rc.call('REPLICAOF', 'NO', 'ONE'), LOADING);
    assert.equal(await rc.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction'), 'OK');
    await mc.call('CONFIG', 'SET', 'rdb-key-save-delay', '0');
    await until(async () => (await field(rc, 'persistence', 'async_loading')) === '0', 'the load ends', 30000);
    await until(async () => (await field(rc, 'replication', 'master_link_status')) === 'up', 'the link is up');
    assert.equal(await rc.call('GET', 'mykey'), null);
    assert.equal(await rc.call('DBSIZE'), 1010);
  } finally {
    await close();
  }
});

test('repl-diskless-load disabled: the old dataset is served until the whole file arrived, and stays when the transfer is cut', async () => {
  const { mc, rc, m, close } = await pair();
  try {
    await rc.call('CONFIG', 'SET', 'repl-diskless-load', 'disabled');
    await rc.call('SET', 'mykey', 'myvalue');
    await mc.call('DEBUG', 'POPULATE', '1000', 'master', '1000');
    await mc.call('CONFIG', 'SET', 'rdb-key-save-delay', '5000');
    await rc.call('REPLICAOF', '127.0.0.1', String(m.port));
    await until(async () => (await field(rc, 'replication', 'master_sync_in_progress')) === '1', 'the transfer starts');
    await sleep(300);
    assert.equal(await field(rc, 'persistence', 'loading'), '0');
    assert.equal(await rc.call('GET', 'mykey'), 'myvalue');
    await mc.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '5');
    await mc.call('CLIENT', 'KILL', 'TYPE', 'replica');
    await sleep(200);
    assert.equal(await rc.call('GET', 'mykey'), 'myvalue');
  } finally {
    await close();
  }
});
