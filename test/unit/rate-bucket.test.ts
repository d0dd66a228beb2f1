/**
 * The rate limit buckets (security/rate-bucket.ts): GCRA's arithmetic at
 * given times (a burst, then the rate; refusals take nothing; delays and
 * debt), the rule/parameter syntax, and the shared table: one slot per
 * name, and a limit that holds over four threads taking from it at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { LocalBucket, SharedBuckets, parseRate, formatRate, type Bucket } from '../../src/security/rate-bucket.ts';

const spec = { perSec: 10, burst: 3 };

/** Both kinds of bucket behave the same at given times. */
function buckets(): Array<[string, Bucket]> {
  const shared = new SharedBuckets(SharedBuckets.buffer());
  return [['local', new LocalBucket()], ['shared', shared.of('u')!.commands]];
}

test('a full bucket allows the burst at once, then one every 1/rate s; a refusal takes nothing', () => {
  for (const [kind, b] of buckets()) {
    const t = 1_000_000;
    assert.equal(b.take(1, spec, true, t), 0, kind);
    assert.equal(b.take(1, spec, true, t), 0, kind);
    assert.equal(b.take(1, spec, true, t), 0, kind);
    // the fourth would conform 100 ms later
    assert.ok(Math.abs(b.take(1, spec, true, t) - 100) < 1e-3, kind);
    assert.ok(Math.abs(b.take(1, spec, true, t + 40) - 60) < 1e-3, kind);
    assert.equal(b.take(1, spec, true, t + 100), 0, kind);
    assert.ok(b.take(1, spec, true, t + 150) > 0, kind);
    assert.equal(b.take(1, spec, true, t + 200), 0, kind);
    // idle for a second: full again, not more
    const later = t + 1200;
    for (let i = 0; i < 3; i++) assert.equal(b.take(1, spec, true, later), 0, kind);
    assert.ok(b.take(1, spec, true, later) > 0, kind);
    b.reset();
    assert.equal(b.take(1, spec, true, later), 0, `${kind} after reset`);
  }
});

test('without refusing, takes go into debt: the wait (delay mode) and the debt (bytes) grow with them', () => {
  for (const [kind, b] of buckets()) {
    const t = 5_000_000;
    const bytes = { perSec: 1000, burst: 500 };
    assert.equal(b.take(500, bytes, false, t), 0, kind);
    assert.equal(b.debt(bytes, t), 0, kind);
    // 1500 bytes more: 1.5 s of debt
    assert.ok(Math.abs(b.take(1500, bytes, false, t) - 1500) < 1e-3, kind);
    assert.ok(Math.abs(b.debt(bytes, t + 500) - 1000) < 1e-3, kind);
    assert.equal(b.debt(bytes, t + 1500), 0, kind);
    // delay mode: each command waits its turn behind the ones before
    const c = { perSec: 20, burst: 1 };
    const d = kind === 'local' ? new LocalBucket() : new SharedBuckets(SharedBuckets.buffer()).of('d')!.commands;
    const waits = [0, 1, 2, 3].map(() => d.take(1, c, false, t));
    assert.deepEqual(waits.map((w) => Math.round(w)), [0, 50, 100, 150], kind);
  }
});

test('<per-second> [burst] and <n>[/<burst>]: the burst defaults to the rate, 0 is off, the rest is malformed', () => {
  assert.deepEqual(parseRate('100', undefined), { perSec: 100, burst: 100 });
  assert.deepEqual(parseRate('100', '7'), { perSec: 100, burst: 7 });
  assert.equal(parseRate('0', undefined), null);
  assert.equal(parseRate('0', '5'), null);
  for (const [n, b] of [['x', undefined], ['-1', undefined], ['1.5', undefined], ['10', '0'], ['10', 'x'], ['', undefined], ['99999999999', undefined]] as const) {
    assert.equal(parseRate(n, b), undefined, `${n} ${b}`);
  }
  assert.equal(formatRate(null), '0 0');
  assert.equal(formatRate({ perSec: 5, burst: 9 }), '5 9');
});

test('the shared table: one slot per name, the same from every SharedBuckets over the buffer', () => {
  const sab = SharedBuckets.buffer();
  const a = new SharedBuckets(sab);
  const b = new SharedBuckets(sab);
  const t = 9_000_000;
  const one = { perSec: 1, burst: 1 };
  assert.equal(a.of('alice')!.commands.take(1, one, true, t), 0);
  // the same bucket through another view of the buffer (another thread's)
  assert.ok(b.of('alice')!.commands.take(1, one, true, t) > 0);
  // another name, another bucket; the bytes bucket is apart from the commands one
  assert.equal(b.of('bob')!.commands.take(1, one, true, t), 0);
  assert.equal(b.of('alice')!.bytes.take(1, one, true, t), 0);
  // 1024 slots: names past them get none (the limiter then keeps a per-thread share)
  const full = new SharedBuckets(SharedBuckets.buffer());
  for (let i = 0; i < 1024; i++) assert.ok(full.of(`user${i}`) !== null);
  assert.equal(full.of('one-too-many'), null);
  assert.ok(full.of('user7') !== null);
});

test('the limit holds over four threads taking from one shared bucket at once', async (t) => {
  const sab = SharedBuckets.buffer();
  const url = new URL('../../src/security/rate-bucket.ts', import.meta.url).href;
  // 200 a second after a burst of 20, for 600 ms: about 140 over all threads together
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.url).then(({ SharedBuckets }) => {
      const b = new SharedBuckets(workerData.sab).of('shared-user').commands;
      const spec = { perSec: 200, burst: 20 };
      const end = workerData.start + 600;
      while (performance.timeOrigin + performance.now() < workerData.start);
      let ok = 0;
      while (performance.timeOrigin + performance.now() < end) if (b.take(1, spec, true, performance.now()) === 0) ok++;
      parentPort.postMessage(ok);
    });`;
  const start = Date.now() + 500;
  const counts = await Promise.all(
    [0, 1, 2, 3].map(
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(code, { eval: true, workerData: { url, sab, start } });
          w.once('message', (n: number) => {
            resolve(n);
            void w.terminate();
          });
          w.once('error', reject);
        }),
    ),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  t.diagnostic(`200/s, burst 20, 600 ms, four threads: ${counts.join(' + ')} = ${total} (140 expected)`);
  // 20 + 200 * 0.6 = 140 when the four take together for the whole 600 ms (less if some start late)
  assert.ok(total >= 60 && total <= 150, `${counts.join(' + ')} = ${total}`);
  assert.ok(counts.filter((n) => n > 0).length >= 2, `several threads got some: ${counts.join(', ')}`);
});
