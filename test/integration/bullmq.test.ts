/**
 * BullMQ (the npm job queue, unchanged, on its own ioredis) against shardis
 * with 1 and 4 shards: a queue's keys carry no hash tag, so with 4 shards
 * its Lua scripts touch keys on several shards. Plain, delayed, prioritized
 * and retried jobs (fixed and exponential backoff), job schedulers (every N
 * ms and cron patterns), removeOnComplete / removeOnFail, QueueEvents,
 * counts and listings, clean / drain / obliterate, pause / resume, progress,
 * flows across queues, deduplication, changeDelay / promote and job logs.
 */
import { test as nodeTest } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, Worker, QueueEvents, FlowProducer, Job, type Processor } from 'bullmq';
import { describeServer } from '../helpers/server.ts';

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

let seq = 0;

describeServer('bullmq', (fx) => {
  // Queues, workers and listeners of the running test, closed when it ends (pass or fail);
  // every test waits on a worker, so a lost wake-up fails it after 10 s instead of hanging the file.
  let closers: Array<() => Promise<unknown>> = [];
  const test = (name: string, fn: () => Promise<void>): void => {
    nodeTest(name, { timeout: 10000 }, async () => {
      try {
        await fn();
      } finally {
        const all = closers.reverse();
        closers = [];
        for (const close of all) await close();
      }
    });
  };
  const connection = () => ({ host: '127.0.0.1', port: fx().port });
  const queue = (name = `q${++seq}`): Queue => {
    const q = new Queue(name, { connection: connection() });
    closers.push(() => q.close());
    return q;
  };
  const worker = (q: Queue, fn: Processor, opts: { concurrency?: number } = {}): Worker => {
    const w = new Worker(q.name, fn, { connection: connection(), ...opts });
    closers.push(() => w.close());
    return w;
  };
  const events = async (q: Queue): Promise<QueueEvents> => {
    const e = new QueueEvents(q.name, { connection: connection() });
    closers.push(() => e.close());
    await e.waitUntilReady();
    return e;
  };

  test('plain, delayed and prioritized jobs: counts, states, results and completed events', async () => {
    const q = queue();
    const qe = await events(q);
    const completed: Array<[string, string]> = [];
    qe.on('completed', ({ jobId, returnvalue }) => completed.push([jobId, String(returnvalue)]));
    const plain = await q.add('plain', { n: 1 });
    // long enough for the other three to run first on a loaded machine (with 300 ms a slow CI run served it before the last)
    const delayed = await q.add('delayed', { n: 2 }, { delay: 1500 });
    const low = await q.add('prio', { n: 3 }, { priority: 10 });
    const high = await q.add('prio', { n: 4 }, { priority: 1 });
    // 'waiting' counts the wait and paused lists.
    assert.deepEqual(await q.getJobCounts('waiting', 'delayed', 'prioritized', 'completed'), {
      waiting: 1,
      paused: 0,
      delayed: 1,
      prioritized: 2,
      completed: 0,
    });
    assert.equal(await delayed.getState(), 'delayed');
    assert.equal(await low.getState(), 'prioritized');
    assert.deepEqual((await q.getJobs(['prioritized'])).map((j) => j.id).sort(), [high.id, low.id].sort());
    assert.equal(await q.getPrioritizedCount(), 2);

    const order: number[] = [];
    worker(q, async (job) => {
      order.push(job.data.n);
      return job.data.n * 10;
    });
    await until('4 completions', () => completed.length === 4);
    // Plain jobs go before prioritized ones, priority 1 before 10, the delayed job last.
    assert.deepEqual(order, [1, 4, 3, 2]);
    assert.deepEqual(completed.map(([id]) => id).sort(), [plain.id, delayed.id, low.id, high.id].sort());
    assert.ok(completed.some(([id, rv]) => id === high.id && rv === '40'));
    const d = await Job.fromId(q, delayed.id!);
    assert.ok(d && d.processedOn! - d.timestamp >= 1500, 'the delayed job waited its delay');
    assert.equal(d.returnvalue, 20);
    assert.equal(await d.getState(), 'completed');
    assert.deepEqual(await q.getJobCounts('waiting', 'delayed', 'prioritized', 'completed', 'active'), {
      waiting: 0,
      paused: 0,
      delayed: 0,
      prioritized: 0,
      completed: 4,
      active: 0,
    });
    assert.deepEqual((await q.getCompleted()).map((j) => j.data.n).sort(), [1, 2, 3, 4]);
  });

  test('failures and retries: fixed and exponential backoff, failed events, stack traces', async () => {
    const q = queue();
    const qe = await events(q);
    const failed: string[] = [];
    const completedIds: string[] = [];
    qe.on('failed', ({ jobId, failedReason }) => failed.push(`${jobId}:${failedReason}`));
    qe.on('completed', ({ jobId }) => completedIds.push(jobId));
    const fixed = await q.add('fixed', {}, { attempts: 3, backoff: { type: 'fixed', delay: 40 } });
    const expo = await q.add('expo', {}, { attempts: 3, backoff: { type: 'exponential', delay: 40 } });
    const flaky = await q.add('flaky', {}, { attempts: 2, backoff: { type: 'fixed', delay: 10 } });
    const once = await q.add('once', {});
    const runs: Record<string, number[]> = { fixed: [], expo: [], flaky: [], once: [] };
    worker(q, async (job) => {
      runs[job.name]!.push(Date.now());
      if (job.name === 'flaky' && job.attemptsMade === 0) throw new Error('first try');
      if (job.name !== 'flaky') throw new Error(`${job.name} failed #${job.attemptsMade + 1}`);
      return 'ok';
    });
    await until('3 failed jobs and 1 completed', () => failed.length === 3 && completedIds.length === 1);
    assert.deepEqual(completedIds, [flaky.id]);
    assert.deepEqual(failed.sort(), [`${expo.id}:expo failed #3`, `${fixed.id}:fixed failed #3`, `${once.id}:once failed #1`].sort());
    assert.equal(runs.fixed!.length, 3);
    assert.equal(runs.expo!.length, 3);
    assert.equal(runs.flaky!.length, 2);
    assert.equal(runs.once!.length, 1);
    // Exponential: 40 ms then 80 ms; fixed: 40 ms twice.
    assert.ok(runs.expo![2]! - runs.expo![1]! >= 75, `exponential backoff ${runs.expo}`);
    assert.ok(runs.fixed![1]! - runs.fixed![0]! >= 35);
    const f = (await Job.fromId(q, fixed.id!))!;
    assert.equal(f.attemptsMade, 3);
    assert.equal(f.failedReason, 'fixed failed #3');
    assert.equal(f.stacktrace?.length, 3);
    assert.equal(await f.getState(), 'failed');
    const fl = (await Job.fromId(q, flaky.id!))!;
    assert.equal(fl.attemptsMade, 2);
    assert.equal(fl.returnvalue, 'ok');
    assert.deepEqual(await q.getJobCounts('failed', 'completed', 'delayed', 'wait'), { failed: 3, completed: 1, delayed: 0, wait: 0 });
    assert.deepEqual((await q.getFailed()).map((j) => j.id).sort(), [fixed.id, expo.id, once.id].sort());

    // A failed job retried by hand runs again.
    await f.retry();
    await until('the retried job failing again', () => failed.length === 4);
    assert.equal(runs.fixed!.length, 4);
  });

  test('removeOnComplete / removeOnFail remove or cap the finished jobs', async () => {
    const q = queue();
    const gone = await q.add('a', { ok: true }, { removeOnComplete: true });
    const kept = [];
    for (let i = 0; i < 4; i++) kept.push(await q.add('b', { ok: true }, { removeOnComplete: { count: 2 } }));
    const failGone = await q.add('c', { ok: false }, { removeOnFail: true });
    const failKept = await q.add('d', { ok: false }, { removeOnFail: false });
    let done = 0;
    const w = worker(q, async (job) => {
      if (!job.data.ok) throw new Error('no');
      return 1;
    });
    w.on('completed', () => done++);
    w.on('failed', () => done++);
    await until('all 7 jobs finished', () => done === 7);
    assert.equal(await Job.fromId(q, gone.id!), undefined);
    assert.equal(await Job.fromId(q, failGone.id!), undefined);
    assert.equal((await Job.fromId(q, failKept.id!))?.failedReason, 'no');
    assert.deepEqual((await q.getCompleted()).map((j) => j.id).sort(), [kept[2]!.id, kept[3]!.id].sort());
    assert.deepEqual(await q.getJobCounts('completed', 'failed'), { completed: 2, failed: 1 });
  });

  test('job schedulers: every N ms and a cron pattern, listed and removed', async () => {
    const q = queue();
    const ticks: Record<string, number> = {};
    worker(q, async (job) => {
      ticks[job.name] = (ticks[job.name] ?? 0) + 1;
    });
    await q.upsertJobScheduler('fast', { every: 100 }, { name: 'every', data: {} });
    await q.upsertJobScheduler('cron', { pattern: '* * * * * *' }, { name: 'pattern', data: {} });
    const schedulers = await q.getJobSchedulers();
    assert.deepEqual(schedulers.map((s) => s.key).sort(), ['cron', 'fast']);
    assert.equal(schedulers.find((s) => s.key === 'fast')?.every, 100);
    assert.equal(schedulers.find((s) => s.key === 'cron')?.pattern, '* * * * * *');
    await until('3 runs every 100 ms and 1 cron run', () => (ticks.every ?? 0) >= 3 && (ticks.pattern ?? 0) >= 1, 3000);
    assert.equal(await q.removeJobScheduler('fast'), true);
    assert.equal(await q.removeJobScheduler('cron'), true);
    assert.deepEqual(await q.getJobSchedulers(), []);
    const after = ticks.every!;
    await new Promise((r) => setTimeout(r, 250));
    assert.ok(ticks.every! <= after + 1, 'no more runs after removal');
    assert.equal(await q.getDelayedCount(), 0);
  });

  test('pause / resume, drain, clean and obliterate', async () => {
    const q = queue();
    const seen: number[] = [];
    await q.pause();
    assert.equal(await q.isPaused(), true);
    const w = worker(q, async (job) => {
      seen.push(job.data.i);
    });
    await w.waitUntilReady();
    for (let i = 0; i < 3; i++) await q.add('j', { i });
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(seen, []);
    assert.deepEqual(await q.getJobCounts('paused', 'wait'), { paused: 3, wait: 0 });
    await q.resume();
    assert.equal(await q.isPaused(), false);
    await until('3 jobs after resume', () => seen.length === 3);
    assert.deepEqual(seen, [0, 1, 2]);
    // the processor ran; the worker moves each job to completed after it returns
    await until('3 completed jobs', async () => (await q.getCompletedCount()) === 3);

    // clean(grace, limit, type) removes finished jobs older than grace.
    const cleaned = await q.clean(0, 10, 'completed');
    assert.equal(cleaned.length, 3);
    assert.equal(await q.getCompletedCount(), 0);

    // drain() removes waiting (and with true, delayed) jobs.
    await w.close();
    await q.add('w1', {});
    await q.add('w2', {});
    await q.add('d', {}, { delay: 60000 });
    assert.deepEqual(await q.getJobCounts('wait', 'delayed'), { wait: 2, delayed: 1 });
    await q.drain();
    assert.deepEqual(await q.getJobCounts('wait', 'delayed'), { wait: 0, delayed: 1 });
    await q.drain(true);
    assert.equal(await q.getDelayedCount(), 0);

    // obliterate() deletes every key of the queue.
    await q.add('x', {});
    const raw = await fx().client();
    assert.ok(((await raw.call('KEYS', `bull:${q.name}:*`)) as unknown[]).length > 0);
    await q.obliterate();
    assert.deepEqual(await raw.call('KEYS', `bull:${q.name}:*`), []);
  });

  test('progress events and concurrency', async () => {
    const q = queue();
    const qe = await events(q);
    const progress: unknown[] = [];
    qe.on('progress', ({ data }) => progress.push(data));
    let active = 0;
    let maxActive = 0;
    const w = worker(
      q,
      async (job) => {
        maxActive = Math.max(maxActive, ++active);
        await job.updateProgress(50);
        await new Promise((r) => setTimeout(r, 30));
        await job.updateProgress({ step: 'done' });
        active--;
        return job.data.i;
      },
      { concurrency: 4 },
    );
    let done = 0;
    w.on('completed', () => done++);
    await q.addBulk(Array.from({ length: 8 }, (_, i) => ({ name: 'bulk', data: { i } })));
    await until('8 completions', () => done === 8);
    assert.ok(maxActive > 1 && maxActive <= 4, `ran ${maxActive} at once`);
    await until('16 progress events', () => progress.length === 16);
    assert.equal(progress.filter((p) => p === 50).length, 8);
    assert.deepEqual(progress.find((p) => typeof p === 'object'), { step: 'done' });
  });
  test('flows across two queues, deduplication, changeDelay / promote, logs', async () => {
    const q = queue();
    const other = queue();
    const qe = await events(q);
    const fp = new FlowProducer({ connection: connection() });
    closers.push(() => fp.close());
    const flow = await fp.add({
      name: 'parent',
      queueName: q.name,
      children: [
        { name: 'child', queueName: q.name, data: { c: 1 } },
        { name: 'child', queueName: other.name, data: { c: 2 } },
      ],
    });
    assert.equal(await flow.job.getState(), 'waiting-children');
    assert.equal((await Job.fromId(q, (await q.add('dd', {}, { deduplication: { id: 'k' } })).id!))?.name, 'dd');
    const dup = await q.add('dd', {}, { deduplication: { id: 'k' } });
    assert.equal(await q.getDeduplicationJobId('k'), dup.id);
    assert.equal(await q.getWaitingCount(), 2, 'the child in this queue and one deduplicated job');
    const late = await q.add('late', {}, { delay: 100000 });
    await late.changeDelay(200000);
    assert.equal(await late.getState(), 'delayed');
    await late.promote();
    assert.equal(await late.getState(), 'waiting');
    await late.log('first line');
    assert.deepEqual(await q.getJobLogs(late.id!), { logs: ['first line'], count: 1 });

    worker(q, async (job) => (job.name === 'parent' ? job.getChildrenValues() : (job.data.c ?? 0)));
    worker(other, async (job) => job.data.c * 100);
    const values = (await flow.job.waitUntilFinished(qe, 5000)) as Record<string, number>;
    assert.deepEqual(Object.values(values).sort((a, b) => a - b), [1, 200]);
    assert.deepEqual(Object.keys(values).sort(), flow.children!.map((c) => `bull:${c.job.queueName}:${c.job.id}`).sort());
  });
});
