import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeServer } from '../helpers/server.ts';
import { ioredis } from '../helpers/clients.ts';
import { ReplyError, type Reply } from '../helpers/resp-client.ts';

/** A flat RESP2 map as a JS Map. */
function asMap(r: Reply): Map<string, Reply> {
  const a = r as Reply[];
  const m = new Map<string, Reply>();
  for (let i = 0; i < a.length; i += 2) m.set(a[i] as string, a[i + 1]!);
  return m;
}

describeServer('SLOWLOG, LATENCY, WAIT, ROLE and the cluster-disabled commands', (fx) => {
  test('SLOWLOG logs commands at or over the threshold, newest first, trimmed, redacted, bounded', async () => {
    const c = await fx().client();
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '0');
    await c.call('CONFIG', 'SET', 'slowlog-max-len', '128');
    await c.call('SLOWLOG', 'RESET');
    await c.call('CLIENT', 'SETNAME', 'slowpoke');
    await c.call('SADD', 'myset', ...Array.from({ length: 40 }, (_, i) => String(i)));
    await c.call('SET', 'k', 'A'.repeat(130));
    await c.call('CONFIG', 'SET', 'masterauth', 'secret');
    const log = (await c.call('SLOWLOG', 'GET', '-1')) as Reply[][];
    // newest first: CONFIG SET, SET, SADD, CLIENT SETNAME, SLOWLOG RESET
    assert.deepEqual(log.map((e) => (e[3] as string[])[0]), ['CONFIG', 'SET', 'SADD', 'CLIENT', 'SLOWLOG']);
    assert.deepEqual(log[0]![3], ['CONFIG', 'SET', 'masterauth', '(redacted)']);
    assert.deepEqual(log[1]![3], ['SET', 'k', 'A'.repeat(128) + '... (2 more bytes)']);
    const sadd = log[2]![3] as string[];
    assert.equal(sadd.length, 32);
    assert.equal(sadd[31], '... (11 more arguments)');
    assert.equal(sadd[30], '28');
    const [id, time, usec, , addr, name] = log[0]!;
    assert.equal(typeof id, 'number');
    assert.ok(Math.abs((time as number) - Date.now() / 1000) < 5);
    assert.ok((usec as number) >= 0);
    assert.match(addr as string, /^127\.0\.0\.1:\d+$/);
    assert.equal(name, 'slowpoke');
    assert.ok((log[0]![0] as number) > (log[1]![0] as number), 'ids grow');
    assert.equal(((await c.call('SLOWLOG', 'GET')) as Reply[]).length, 5 + 1, 'the GET -1 itself was logged');
    assert.equal(((await c.call('SLOWLOG', 'GET', '2')) as Reply[]).length, 2);
    assert.deepEqual(await c.call('SLOWLOG', 'GET', '-2'), new ReplyError('ERR count should be greater than or equal to -1'));
    await c.call('CONFIG', 'SET', 'slowlog-max-len', '3');
    for (let i = 0; i < 10; i++) await c.call('PING');
    assert.equal(await c.call('SLOWLOG', 'LEN'), 3);
    // EXEC is not logged, the commands it ran are
    await c.call('CONFIG', 'SET', 'slowlog-max-len', '10');
    await c.call('SLOWLOG', 'RESET');
    await c.call('MULTI');
    await c.call('INCR', 'n');
    await c.call('EXEC');
    const names = ((await c.call('SLOWLOG', 'GET')) as Reply[][]).map((e) => (e[3] as string[])[0]);
    assert.deepEqual(names, ['INCR', 'MULTI', 'SLOWLOG']);
    // the TLS key passphrases are sensitive since Redis 7.2, like the passwords
    await c.call('CONFIG', 'SET', 'tls-key-file-pass', 'p1', 'tls-client-key-file-pass', 'p2');
    const [tls] = (await c.call('SLOWLOG', 'GET', '1')) as Reply[][];
    assert.deepEqual(tls![3], ['CONFIG', 'SET', 'tls-key-file-pass', '(redacted)', 'tls-client-key-file-pass', '(redacted)']);
    await c.call('CONFIG', 'SET', 'tls-key-file-pass', '', 'tls-client-key-file-pass', '');
    // only slower commands are logged; -1 disables
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '100000');
    await c.call('SLOWLOG', 'RESET');
    await c.call('PING');
    await c.call('DEBUG', 'SLEEP', '0.12');
    // (on a loaded machine another command may take 100 ms too, SLOWLOG GET holding every thread: only what took that long is logged)
    const slow = (await c.call('SLOWLOG', 'GET')) as Reply[][];
    assert.equal(slow.filter((e) => (e[3] as string[])[0] === 'DEBUG').length, 1);
    assert.ok(slow.every((e) => (e[2] as number) >= 100000), 'only commands of 100 ms or more');
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '-1');
    const before = await c.call('SLOWLOG', 'LEN');
    await c.call('DEBUG', 'SLEEP', '0.12');
    assert.equal(await c.call('SLOWLOG', 'LEN'), before, '-1 logs nothing');
    await c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '10000');
    await c.call('CONFIG', 'SET', 'slowlog-max-len', '128');
  });

  test('LATENCY HISTOGRAM counts every call per command and subcommand; INFO latencystats', async () => {
    const c = await fx().client();
    await c.call('CONFIG', 'RESETSTAT');
    for (let i = 0; i < 20; i++) await c.call('SET', 'a', String(i));
    await c.call('GET', 'a');
    await c.call('CLIENT', 'ID');
    const all = asMap(await c.call('LATENCY', 'HISTOGRAM'));
    assert.deepEqual([...all.keys()].sort(), ['client|id', 'config|resetstat', 'get', 'set']);
    const set = asMap(all.get('set')!);
    assert.equal(set.get('calls'), 20);
    const h = set.get('histogram_usec') as number[];
    assert.ok(h.length >= 2 && h.length % 2 === 0);
    for (let i = 2; i < h.length; i += 2) assert.ok(h[i]! > h[i - 2]! && h[i + 1]! > h[i - 1]!, 'buckets and cumulative counts grow');
    assert.equal(h[h.length - 1], 20, 'the last cumulative count is every call');
    const some = asMap(await c.call('LATENCY', 'HISTOGRAM', 'client', 'nosuchcommand', 'get'));
    assert.deepEqual([...some.keys()].sort(), ['client|id', 'get']);
    const info = (await c.call('INFO', 'latencystats')) as string;
    assert.match(info, /\r\nlatency_percentiles_usec_set:p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}\r\n/);
    await c.call('CONFIG', 'SET', 'latency-tracking', 'no');
    await c.call('CONFIG', 'RESETSTAT');
    await c.call('SET', 'a', 'b');
    assert.deepEqual(await c.call('LATENCY', 'HISTOGRAM', 'set'), []);
    await c.call('CONFIG', 'SET', 'latency-tracking', 'yes');
  });

  test('LATENCY monitor: events over the threshold, LATEST/HISTORY/GRAPH/DOCTOR/RESET', async () => {
    const c = await fx().client();
    await c.call('LATENCY', 'RESET');
    assert.match((await c.call('LATENCY', 'DOCTOR')) as string, /^I'm sorry, Dave, I can't do that\. Latency monitoring is disabled/);
    await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '50');
    await c.call('DEBUG', 'SLEEP', '0.1');
    const latest = (await c.call('LATENCY', 'LATEST')) as Reply[][];
    assert.equal(latest.length, 1);
    const [event, time, ms, max] = latest[0]!;
    assert.equal(event, 'command');
    assert.ok(Math.abs((time as number) - Date.now() / 1000) < 5);
    assert.ok((ms as number) >= 100 && (ms as number) < 1000);
    assert.equal(max, ms);
    const hist = (await c.call('LATENCY', 'HISTORY', 'command')) as number[][];
    assert.deepEqual(hist, [[time, ms]]);
    assert.deepEqual(await c.call('LATENCY', 'HISTORY', 'nosuchevent'), []);
    const graph = (await c.call('LATENCY', 'GRAPH', 'command')) as string;
    assert.match(graph, new RegExp(`^command - high ${ms} ms, low ${ms} ms \\(all time high ${ms} ms\\)\\n-{80}\\n`));
    assert.deepEqual(await c.call('LATENCY', 'GRAPH', 'nosuchevent'), new ReplyError("ERR No samples available for event 'nosuchevent'"));
    assert.match((await c.call('LATENCY', 'DOCTOR')) as string, /1\. command: 1 latency spikes \(average \d+ms, mean deviation 0ms, period [\d.]+ sec\)\. Worst all time event \d+ms\./);
    assert.equal(await c.call('LATENCY', 'RESET', 'nosuchevent'), 0);
    assert.equal(await c.call('LATENCY', 'RESET'), 1);
    assert.deepEqual(await c.call('LATENCY', 'LATEST'), []);
    assert.deepEqual(await c.call('LATENCY', 'HELP', 'x'), new ReplyError("ERR wrong number of arguments for 'latency|help' command"));
    await c.call('CONFIG', 'SET', 'latency-monitor-threshold', '0');
  });

  test('WAIT with no replicas answers 0 (at once for 0 replicas, after the timeout otherwise); ROLE', async () => {
    const r = await ioredis(fx().port);
    try {
      assert.equal(await r.call('WAIT', '0', '0'), 0);
      const t0 = Date.now();
      assert.equal(await r.call('WAIT', '1', '150'), 0);
      assert.ok(Date.now() - t0 >= 140);
      await assert.rejects(r.call('WAIT', '1', '-1'), /ERR timeout is negative/);
      await assert.rejects(r.call('WAIT', 'x', '0'), /ERR value is not an integer or out of range/);
      const role = (await r.call('ROLE')) as unknown[];
      assert.equal(role[0], 'master');
      assert.equal(typeof role[1], 'number');
      assert.deepEqual(role[2], []);
      // inside MULTI WAIT cannot block
      const res = await r.multi().set('w', '1').call('WAIT', '1', '0').exec();
      assert.deepEqual(res, [[null, 'OK'], [null, 0]]);
    } finally {
      r.disconnect();
    }
  });

  test('cluster support is disabled; MODULE lists none and refuses to load', async () => {
    const c = await fx().client();
    for (const cmd of [['READONLY'], ['READWRITE'], ['ASKING'], ['CLUSTER', 'INFO'], ['CLUSTER', 'KEYSLOT', 'a']]) {
      assert.deepEqual(await c.call(...cmd), new ReplyError('ERR This instance has cluster support disabled'));
    }
    assert.deepEqual(await c.call('CLUSTER', 'NOPE'), new ReplyError("ERR unknown subcommand 'NOPE'. Try CLUSTER HELP."));
    assert.deepEqual(await c.call('MODULE', 'LIST'), []);
    assert.match((await c.call('MODULE', 'LOAD', '/tmp/x.so') as ReplyError).message, /^ERR MODULE command not allowed/);
    assert.deepEqual(await c.call('FAILOVER'), new ReplyError('ERR FAILOVER requires connected replicas.'));
    assert.equal(await c.call('LOLWUT'), 'Redis ver. 7.4.1\n');
  });
});
