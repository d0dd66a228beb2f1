/**
 * The Dockerfile, checked without a Docker daemon: its instructions parsed
 * (two node:24-slim stages, production dependencies only, non-root USER,
 * VOLUME, EXPOSE, HEALTHCHECK, CMD), then its stages replayed in a plain
 * shell in a temporary directory: the COPY lines copy, the RUN lines run
 * (the build compiles dist/ for real) except `npm ci`, for which the
 * checkout's node_modules stands in (no registry needed), and `mkdir /data
 * && chown`, which needs root. The CMD's command line then starts the server
 * from the built dist/ (its /data a temporary directory, its ports free
 * ones), /healthz answers, and the HEALTHCHECK's own command exits 0 against
 * it, then 1 once the server is stopped.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join, resolve } from 'node:path';
import { finalStage, readDockerfile, type Instruction } from '../helpers/dockerfile.ts';
import { freePort } from '../helpers/ports.ts';
import { RespClient } from '../helpers/resp-client.ts';

const ROOT = join(import.meta.dirname, '../..');
const instrs = readDockerfile(join(ROOT, 'Dockerfile'));
const runtime = finalStage(instrs);
const one = (list: Instruction[], op: string): Instruction => {
  const found = list.filter((i) => i.op === op);
  assert.equal(found.length, 1, `one ${op}`);
  return found[0]!;
};
const tmp = mkdtempSync(join(tmpdir(), 'shardis-docker-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

test('Dockerfile: a build stage and a node:24-slim runtime with production dependencies, non-root, a volume, a health check', () => {
  const froms = instrs.filter((i) => i.op === 'FROM').map((i) => i.text);
  assert.deepEqual(froms, ['node:24-slim AS build', 'node:24-slim']);
  const texts = runtime.map((i) => `${i.op} ${i.text}`);
  assert.ok(texts.includes('COPY --from=build /app/dist ./dist'));
  assert.ok(texts.some((t) => /^RUN npm ci --omit=dev\b/.test(t)), 'production dependencies only');
  assert.ok(!texts.some((t) => /^COPY (\S+ )*src\b/.test(t)), 'no TypeScript sources in the runtime image');
  // non-root: the node image's `node` user (uid 1000) owns /data and runs the server
  const user = runtime.findIndex((i) => i.op === 'USER');
  assert.equal(runtime[user]!.text, 'node');
  assert.ok(runtime.findIndex((i) => i.op === 'RUN' && /chown node:node \/data/.test(i.text)) < user);
  assert.ok(user < runtime.findIndex((i) => i.op === 'CMD'));
  assert.equal(one(runtime, 'VOLUME').text, '/data');
  assert.deepEqual(one(runtime, 'EXPOSE').text.split(/\s+/), ['6379', '7379']);
  assert.deepEqual(one(runtime, 'CMD').exec, ['node', '--max-semi-space-size=2', 'dist/main.js', '--bind', '0.0.0.0', '--dir', '/data', '--protected-mode', 'no']);
  const health = one(runtime, 'HEALTHCHECK');
  assert.match(health.text, /^--interval=\S+ --timeout=\S+ --start-period=\S+ --retries=\d+ CMD \[/);
  assert.equal(health.exec![0], 'node');
  assert.match(health.exec!.at(-1)!, /http:\/\/127\.0\.0\.1:7379\/healthz/);
});

/** Replays the stages in `tmp` (one directory a stage standing for its /app); returns the last stage's and the data directory. */
function replay(env: Record<string, string>): { app: string; data: string } {
  const workdirs: string[] = [];
  const stageNamed = (name: string): string => workdirs[instrs.find((x) => x.op === 'FROM' && x.text.endsWith(` AS ${name}`))!.stage]!;
  const data = join(tmp, 'data');
  for (const i of instrs) {
    if (i.op === 'FROM') workdirs[i.stage] = join(tmp, `stage${i.stage}`);
    const wd = workdirs[i.stage]!;
    if (i.op === 'WORKDIR') {
      assert.equal(i.text, '/app');
      mkdirSync(wd, { recursive: true });
    } else if (i.op === 'ENV') {
      const [k, v] = i.text.split('=');
      env[k!] = v!;
    } else if (i.op === 'COPY') {
      // COPY [--from=stage] src… dest: a directory's content goes to dest, files into dest when several or dest ends in /
      const words = i.text.split(/\s+/);
      const from = words[0]!.startsWith('--from=') ? words.shift()!.slice('--from='.length) : null;
      const destText = words.pop()!;
      const dest = resolve(wd, destText);
      for (const src of words) {
        const origin = from === null ? join(ROOT, src) : join(stageNamed(from), src.replace(/^\/app\//, ''));
        const into = words.length > 1 || destText.endsWith('/');
        cpSync(origin, statSync(origin).isDirectory() || !into ? dest : join(dest, basename(src)), { recursive: true });
      }
    } else if (i.op === 'RUN') {
      if (/^npm ci\b/.test(i.text)) symlinkSync(join(ROOT, 'node_modules'), join(wd, 'node_modules'));
      else if (i.text.includes('/data')) mkdirSync(data, { recursive: true });
      else execFileSync('sh', ['-c', i.text], { cwd: wd, env, stdio: 'pipe' });
    }
  }
  return { app: workdirs.at(-1)!, data };
}

test('Dockerfile replayed in a shell: the CMD serves from the built dist/, the HEALTHCHECK passes, then fails once it stops', async () => {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
  const { app, data } = replay(env);
  assert.ok(existsSync(join(app, 'dist/main.js')), 'the build stage compiled dist/');
  assert.ok(existsSync(join(app, 'dist/threads/worker.js')));
  assert.ok(!existsSync(join(app, 'src')));

  const port = await freePort();
  const http = await freePort();
  const cmd = one(runtime, 'CMD').exec!.map((w) => (w === '/data' ? data : w));
  let out = '';
  const proc = spawn(cmd[0]!, [...cmd.slice(1), '--port', String(port), '--http-port', String(http)], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const health = one(runtime, 'HEALTHCHECK').exec!.map((w) => w.replace('127.0.0.1:7379', `127.0.0.1:${http}`));
  try {
    for (let i = 0; ; i++) {
      const r = await fetch(`http://127.0.0.1:${http}/healthz`).catch(() => null);
      if (r?.ok) break;
      if (i > 400 || proc.exitCode !== null) throw new Error(`the CMD did not serve /healthz: ${out}`);
      await new Promise((res) => setTimeout(res, 25));
    }
    const check = spawnSync(health[0]!, health.slice(1), { env, encoding: 'utf8' });
    assert.equal(check.status, 0, `HEALTHCHECK: ${check.stderr}`);
    const c = await RespClient.connect(port);
    assert.equal(await c.call('PING'), 'PONG');
    c.close();
    assert.ok(out.includes(`data directory ${data}`), out);
  } finally {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM');
      await once(proc, 'exit');
    }
  }
  assert.equal(proc.exitCode, 0, out);
  assert.equal(spawnSync(health[0]!, health.slice(1), { env }).status, 1, 'HEALTHCHECK fails with the server down');
});
