/**
 * Recorded differential tests: replies of a newer Redis than CI has (7.4.1)
 * are recorded once into compat/recorded/<version>/<suite>.json, and shardis
 * is compared against the recording byte for byte.
 *
 *   RECORD_REDIS=/path/to/redis-server node --test compat/v74-zset.compat.test.ts
 *
 * records (that server must report redis_version REFERENCE); without
 * RECORD_REDIS the same cases run against shardis (1 and 4 shards) and
 * each reply must equal the recorded bytes, or the recorded reply after
 * sorting for `unordered` steps. A case whose commands changed since the
 * recording fails: record again.
 */
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { startServer, type RunningServer } from '../src/index.ts';
import { RespClient, parseReply } from '../test/helpers/resp-client.ts';
import { normalize, startRedis, type Script, type Step } from './harness.ts';

/** The Redis version the recordings come from. */
export const REFERENCE = '7.4.1';

/** One recorded step: the command and its raw reply (latin1), null when the step is `ignore`. */
interface RecordedStep {
  cmd: string[];
  reply: string | null;
}

interface Recording {
  redis_version: string;
  cases: Record<string, RecordedStep[]>;
}

const recordingPath = (name: string): string => join(import.meta.dirname, 'recorded', REFERENCE, `${name}.json`);

function stepOf(s: Step | (string | number)[]): Step {
  return Array.isArray(s) ? { cmd: s } : s;
}

const cmdText = (cmd: readonly (string | number)[]): string[] => cmd.map(String);

/** Runs a case's script on c, recording every reply. */
async function recordCase(c: RespClient, script: Script): Promise<RecordedStep[]> {
  const out: RecordedStep[] = [];
  for (const s of script) {
    const step = stepOf(s);
    const raw = await c.callRaw(...step.cmd);
    out.push({ cmd: cmdText(step.cmd), reply: step.ignore ? null : raw });
  }
  return out;
}

/** Runs a case's script on c and compares each reply with the recording. */
async function replayCase(c: RespClient, title: string, script: Script, rec: RecordedStep[] | undefined): Promise<void> {
  assert.ok(rec, `no recording of '${title}': record it with RECORD_REDIS=<redis ${REFERENCE} redis-server>`);
  assert.equal(rec.length, script.length, `recording of '${title}' is stale (${rec.length} steps, the case has ${script.length}): record again`);
  for (let i = 0; i < script.length; i++) {
    const step = stepOf(script[i]!);
    const r: RecordedStep = rec[i]!;
    const label = step.cmd.join(' ').slice(0, 200);
    assert.deepEqual(r.cmd, cmdText(step.cmd), `recording of '${title}' is stale at step ${i}: record again`);
    const raw = await c.callRaw(...step.cmd);
    if (step.ignore || r.reply === null) continue;
    if (step.unordered) assert.deepEqual(normalize(parseReply(raw)), normalize(parseReply(r.reply)), `unordered reply differs for: ${label}`);
    else assert.equal(raw, r.reply, `reply differs from Redis ${REFERENCE} for: ${label}`);
  }
}

function loadRecording(name: string): Recording | null {
  const path = recordingPath(name);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Recording) : null;
}

/** Starts a fresh connection on port, FLUSHALLed. */
async function freshClient(port: number): Promise<RespClient> {
  const c = await RespClient.connect(port);
  await c.call('FLUSHALL');
  return c;
}

/**
 * Defines a suite of recorded cases (title → script). Each case runs on a
 * fresh RESP2 connection after FLUSHALL; a HELLO 3 step switches to RESP3.
 */
export function recordedSuite(name: string, cases: Record<string, Script>): void {
  const bin = process.env.RECORD_REDIS;
  if (bin) {
    describe(`${name} [recording Redis ${REFERENCE}]`, () => {
      let redis: { port: number; proc: ChildProcess } | null = null;
      const recorded: Record<string, RecordedStep[]> = {};
      before(async () => {
        redis = await startRedis(bin);
        const c = await RespClient.connect(redis.port);
        const info = String(await c.call('INFO', 'server'));
        c.close();
        const version = /redis_version:(\S+)/.exec(info)?.[1];
        if (version !== REFERENCE) throw new Error(`RECORD_REDIS reports redis_version ${version}, recordings are of ${REFERENCE}`);
      });
      after(() => {
        redis?.proc.kill('SIGKILL');
        // keep recordings of cases not run this time (--test-name-pattern), drop those of removed cases
        const old = loadRecording(name)?.cases ?? {};
        const all: Record<string, RecordedStep[]> = {};
        for (const title of Object.keys(cases)) {
          const r = recorded[title] ?? old[title];
          if (r) all[title] = r;
        }
        const path = recordingPath(name);
        mkdirSync(join(path, '..'), { recursive: true });
        const rec: Recording = { redis_version: REFERENCE, cases: all };
        writeFileSync(path, JSON.stringify(rec, null, 1) + '\n');
      });
      for (const [title, script] of Object.entries(cases)) {
        test(title, async () => {
          const c = await freshClient(redis!.port);
          try {
            recorded[title] = await recordCase(c, script);
          } finally {
            c.close();
          }
        });
      }
    });
    return;
  }
  const threads = Number(process.env.SHARDIS_TEST_THREADS ?? 1);
  for (const shards of [1, 4]) {
    describe(`${name} [vs recorded Redis ${REFERENCE}, shards=${shards}${threads > 1 ? `, threads=${threads}` : ''}]`, () => {
      let shardis: RunningServer | null = null;
      let rec: Recording | null = null;
      before(async () => {
        rec = loadRecording(name);
        shardis = await startServer({ port: 0, shards, threads });
      });
      after(async () => {
        await shardis?.close();
      });
      for (const [title, script] of Object.entries(cases)) {
        test(title, async () => {
          assert.ok(rec, `no recording ${recordingPath(name)}: record it with RECORD_REDIS=<redis ${REFERENCE} redis-server>`);
          const c = await freshClient(shardis!.port);
          try {
            await replayCase(c, title, script, rec.cases[title]);
          } finally {
            c.close();
          }
        });
      }
    });
  }
}
