import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer, type Fixture } from '../helpers/server.ts';
import { err, events, fresh, sleep } from '../helpers/keyspace.ts';
import { ioredis, nodeRedis } from '../helpers/clients.ts';
import { ReplyError, type RespClient } from '../helpers/resp-client.ts';

async function withActiveExpireOff(c: RespClient, fn: () => Promise<void>): Promise<void> {
  assert.equal(await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), 'OK');
  try {
    await fn();
  } finally {
    await c.call('DEBUG', 'SET-ACTIVE-EXPIRE', '1');
  }
}

describeServer('expire', (fx) => {
  test('EXPIRE family sets TTLs that TTL / PTTL / EXPIRETIME / PEXPIRETIME report (ioredis)', async () => {
    const r = await ioredis(fx().port);
    try {
      await r.flushall();
      await r.set('k', 'v');
      assert.equal(await r.ttl('k'), -1);
      assert.equal(await r.pttl('k'), -1);
      assert.equal(await r.call('EXPIRETIME', 'k'), -1);
      assert.equal(await r.ttl('missing'), -2);
      assert.equal(await r.pttl('missing'), -2);
      assert.equal(await r.call('PEXPIRETIME', 'missing'), -2);
      assert.equal(await r.expire('k', 100), 1);
      assert.ok((await r.ttl('k')) >= 99);
      assert.equal(await r.pexpire('k', 50900), 1);
      const pttl = await r.pttl('k');
      assert.ok(pttl > 50000 && pttl <= 50900);
      assert.equal(await r.ttl('k'), 51, 'TTL rounds to the nearest second');
      const at = Math.floor(Date.now() / 1000) + 1000;
      assert.equal(await r.expireat('k', at), 1);
      assert.equal(await r.call('EXPIRETIME', 'k'), at);
      assert.equal(await r.call('PEXPIRETIME', 'k'), at * 1000);
      assert.equal(await r.pexpireat('k', at * 1000 + 600), 1);
      assert.equal(await r.call('PEXPIRETIME', 'k'), at * 1000 + 600);
      assert.equal(await r.call('EXPIRETIME', 'k'), at + 1, 'EXPIRETIME rounds as Redis does');
      assert.equal(await r.expire('missing', 100), 0);
      assert.equal(await r.pexpireat('missing', at * 1000), 0);
      await assert.rejects(r.expire('k', 'abc' as unknown as number), /^ReplyError: ERR value is not an integer or out of range$/);
      await assert.rejects(r.call('EXPIRE', 'k'), /^ReplyError: ERR wrong number of arguments for 'expire' command$/);
      await assert.rejects(r.call('TTL'), /wrong number of arguments for 'ttl'/);
    } finally {
      r.disconnect();
    }
  });

  test('NX / XX / GT / LT conditions and their errors (node-redis)', async () => {
    const c = await nodeRedis(fx().port);
    try {
      await c.flushAll();
      await c.set('e', 'v');
      const ex = (...a: string[]) => c.sendCommand(['EXPIRE', 'e', ...a]);
      assert.equal(await ex('100', 'XX'), 0);
      assert.equal(await ex('100', 'GT'), 0, 'no TTL is infinite: GT never wins');
      assert.equal(await c.ttl('e'), -1);
      assert.equal(await ex('100', 'NX'), 1);
      assert.equal(await ex('200', 'NX'), 0);
      assert.equal(await ex('50', 'GT'), 0);
      assert.equal(await ex('150', 'gt'), 1);
      assert.equal(await ex('200', 'LT'), 0);
      assert.equal(await ex('50', 'lt'), 1);
      assert.equal(await ex('60', 'XX'), 1);
      assert.equal(await ex('70', 'XX', 'GT'), 1);
      assert.equal(await ex('10', 'XX', 'GT'), 0);
      assert.ok((await c.ttl('e')) > 60);
      await c.persist('e');
      assert.equal(await ex('100', 'LT'), 1, 'no TTL is infinite: LT always wins');
      await c.persist('e');
      assert.equal(await ex('100', 'XX', 'LT'), 0);
      await assert.rejects(ex('1', 'NX', 'XX'), /^Error: ERR NX and XX, GT or LT options at the same time are not compatible$/);
      await assert.rejects(ex('1', 'NX', 'GT'), /NX and XX, GT or LT options at the same time are not compatible/);
      await assert.rejects(ex('1', 'LT', 'NX'), /NX and XX, GT or LT options at the same time are not compatible/);
      await assert.rejects(ex('1', 'GT', 'LT'), /^Error: ERR GT and LT options at the same time are not compatible$/);
      await assert.rejects(ex('1', 'FOO'), /^Error: ERR Unsupported option FOO$/);
      await assert.rejects(ex('1', 'NX', 'NXX'), /^Error: ERR Unsupported option NXX$/);
      // options are checked before the time argument, as in Redis
      await assert.rejects(ex('abc', 'NX', 'XX'), /NX and XX, GT or LT options at the same time are not compatible/);
      await assert.rejects(ex('abc', 'FOO'), /Unsupported option FOO/);
      await assert.rejects(ex('abc', 'NX'), /value is not an integer or out of range/);
      for (const cmd of ['PEXPIRE', 'EXPIREAT', 'PEXPIREAT']) {
        await assert.rejects(c.sendCommand([cmd, 'e', '1', 'GT', 'LT']), /GT and LT options at the same time are not compatible/);
      }
    } finally {
      c.destroy();
    }
  });

  test('overflowing expire times are errors; negative times delete', async () => {
    const c = await fresh(fx());
    await c.call('SET', 'k', 'v');
    const inv = (cmd: string) => `ERR invalid expire time in '${cmd}' command`;
    assert.equal(err(await c.call('EXPIRE', 'k', '9223372036854775807')), inv('expire'));
    assert.equal(err(await c.call('EXPIRE', 'k', '9223372036854776')), inv('expire'));
    assert.equal(err(await c.call('EXPIRE', 'k', '-9223372036854776')), inv('expire'));
    assert.equal(err(await c.call('EXPIREAT', 'k', '9223372036854776')), inv('expireat'));
    assert.equal(err(await c.call('PEXPIRE', 'k', '9223372036854775807')), inv('pexpire'));
    assert.equal(err(await c.call('PEXPIRE', 'k', '9223372036854770000')), inv('pexpire'));
    assert.equal(err(await c.call('EXPIRE', 'k', '9223372036854775808')), 'ERR value is not an integer or out of range');
    assert.equal(await c.call('EXISTS', 'k'), 1);
    // the largest valid absolute time is accepted
    assert.equal(await c.call('PEXPIREAT', 'k', '9223372036854775807'), 1);
    assert.equal(await c.call('EXPIREAT', 'k', '9223372036854775'), 1);
    assert.equal(await c.callRaw('EXPIRETIME', 'k'), ':9223372036854775\r\n');
    // a time in the past deletes the key with a 'del' event
    for (const [cmd, arg] of [['EXPIRE', '-1'], ['PEXPIRE', '0'], ['EXPIREAT', '1'], ['PEXPIREAT', '1000'], ['EXPIRE', '-9223372036854775']]) {
      await c.call('SET', 'k', 'v');
      const seen = await events(fx(), async () => {
        assert.equal(await c.call(cmd!, 'k', arg!), 1, `${cmd} ${arg}`);
      });
      assert.deepEqual(seen, ['0:k:del']);
      assert.equal(await c.call('EXISTS', 'k'), 0);
    }
    // a past time still honours the conditions
    await c.call('SET', 'k', 'v');
    assert.equal(await c.call('EXPIRE', 'k', '-1', 'XX'), 0);
    assert.equal(await c.call('EXISTS', 'k'), 1);
    assert.equal(await c.call('EXPIRE', 'k', '-1', 'LT'), 1);
    assert.equal(await c.call('EXISTS', 'k'), 0);
  });

  test('PERSIST and overwrites: SET clears the TTL, in-place changes keep it', async () => {
    const c = await fresh(fx());
    await c.call('SET', 'k', 'v', 'EX', '100');
    let seen = await events(fx(), async () => {
      assert.equal(await c.call('PERSIST', 'k'), 1);
    });
    assert.deepEqual(seen, ['0:k:persist']);
    assert.equal(await c.call('TTL', 'k'), -1);
    assert.equal(await c.call('PERSIST', 'k'), 0);
    assert.equal(await c.call('PERSIST', 'missing'), 0);
    seen = await events(fx(), async () => {
      assert.equal(await c.call('EXPIRE', 'k', '100'), 1);
    });
    assert.deepEqual(seen, ['0:k:expire']);
    await c.call('APPEND', 'k', 'x');
    assert.ok(((await c.call('TTL', 'k')) as number) > 90);
    await c.call('RPUSH', 'l', 'a');
    await c.call('EXPIRE', 'l', '100');
    await c.call('RPUSH', 'l', 'b');
    assert.ok(((await c.call('TTL', 'l')) as number) > 90);
    await c.call('SET', 'k', 'new');
    assert.equal(await c.call('TTL', 'k'), -1);
    // a key recreated after deletion starts without a TTL
    await c.call('DEL', 'l');
    await c.call('RPUSH', 'l', 'c');
    assert.equal(await c.call('TTL', 'l'), -1);
  });

  test('lazy expiry: expired keys vanish on access, counted in expired_keys', async () => {
    const c = await fresh(fx());
    await c.call('CONFIG', 'RESETSTAT');
    await withActiveExpireOff(c, async () => {
      await c.call('SET', 'a', 'v', 'PX', '20');
      await c.call('RPUSH', 'b', 'x');
      await c.call('PEXPIRE', 'b', '20');
      await c.call('SET', 'c', 'v', 'PX', '20');
      await sleep(40);
      assert.equal(await c.call('DBSIZE'), 3, 'untouched expired keys still count (as in Redis)');
      const seen = await events(fx(), async () => {
        assert.equal(await c.call('GET', 'a'), null);
      });
      assert.deepEqual(seen, ['0:a:expired']);
      assert.equal(await c.call('LLEN', 'b'), 0);
      assert.equal(await c.call('TTL', 'c'), -2);
      assert.equal(await c.call('DBSIZE'), 0);
    });
    assert.match(String(await c.call('INFO', 'stats')), /expired_keys:3\r\n/);
  });

  test('active expiry removes untouched keys in every db and shard; DEBUG SET-ACTIVE-EXPIRE 0 stops it', async () => {
    const c = await fresh(fx());
    await withActiveExpireOff(c, async () => {
      for (const db of ['0', '3']) {
        await c.call('SELECT', db);
        for (let i = 0; i < 200; i++) await c.call('SET', `ae:${i}`, 'v', 'PX', '30');
        await c.call('SET', 'keep', 'v', 'EX', '1000');
      }
      await sleep(350);
      assert.equal(await c.call('DBSIZE'), 201, 'nothing expires actively while disabled');
    });
    const t0 = Date.now();
    for (;;) {
      await c.call('SELECT', '0');
      const d0 = (await c.call('DBSIZE')) as number;
      await c.call('SELECT', '3');
      const d3 = (await c.call('DBSIZE')) as number;
      if (d0 === 1 && d3 === 1) break;
      assert.ok(Date.now() - t0 < 3000, `keys left: db0 ${d0}, db3 ${d3}`);
      await sleep(50);
    }
    assert.equal(await c.call('EXISTS', 'keep'), 1);
    await c.call('SELECT', '0');
    // 'expired' events for the active cycle too
    const seen = await events(fx(), async () => {
      await c.call('SET', 'soon', 'v', 'PX', '10');
      await sleep(400);
    });
    assert.deepEqual(seen.filter((e) => e.startsWith('0:soon:')), ['0:soon:set', '0:soon:expire', '0:soon:expired']);
  });

  test('active expiry clears a large backlog and sparse expired keys without stalling the server', async () => {
    const c = await fresh(fx());
    const n = 20000;
    for (let i = 0; i < n; i += 1000) {
      const batch: Promise<unknown>[] = [];
      for (let j = i; j < i + 1000; j++) batch.push(c.call('SET', `bk:${j}`, 'v', j % 50 === 0 ? 'PX' : 'EX', j % 50 === 0 ? '50' : '3600'));
      await Promise.all(batch);
    }
    const t0 = Date.now();
    let maxPing = 0;
    for (;;) {
      const s = performance.now();
      await c.call('PING');
      maxPing = Math.max(maxPing, performance.now() - s);
      if ((await c.call('DBSIZE')) === n - n / 50) break;
      assert.ok(Date.now() - t0 < 5000, 'sparse expired keys linger');
      await sleep(20);
    }
    assert.ok(maxPing < 500, `PING waited ${maxPing} ms`);
  });

  test('RESP3 and redis-cli-style inline use', async () => {
    const c = await fresh(fx());
    await c.call('HELLO', '3');
    await c.call('SET', 'k', 'v', 'EX', '100');
    assert.match(await c.callRaw('TTL', 'k'), /^:(99|100)\r\n$/);
    assert.equal(await c.callRaw('TTL', 'missing'), ':-2\r\n');
    c.writeRaw('PEXPIRE k 5000 LT\r\n');
    assert.equal(await c.readRaw(), ':1\r\n');
    c.writeRaw('EXPIRE k 10 NX XX\r\n');
    assert.equal(await c.readRaw(), '-ERR NX and XX, GT or LT options at the same time are not compatible\r\n');
  });
});
