/**
 * The npm package as a user gets it: `npm pack` (prepack builds dist/), the
 * tarball installed with `npm install --omit=dev` into a fresh project, then
 * `npx shardis-server` started from it and PINGed. Needs the npm registry and
 * takes a minute: `npm run test:package` (.ci/run runs it), not `npm test`
 * (its name does not match `*.test.ts` for that reason).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { freePort } from '../helpers/ports.ts';
import { RespClient } from '../helpers/resp-client.ts';

const ROOT = join(import.meta.dirname, '../..');
/** Node 24 (this test's own) first on PATH, so npm, npx and the bin's `env node` run on it. */
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };
const tmp = mkdtempSync(join(tmpdir(), 'shardis-pack-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** What may ship: the compiled server, its bin, the gRPC schema, and npm's own files. */
const SHIPPED = /^(dist\/|bin\/|proto\/|types\/functions\.d\.ts$|package\.json$|README\.md$|LICENSE$)/;
/** Packages that build native code or fetch binaries at install time. */
const BUILD_TOOLS = /^(node-gyp|node-gyp-build|prebuild|prebuild-install|node-pre-gyp|@mapbox\/node-pre-gyp|cmake-js|node-addon-api|nan)$/;
/**
 * Install scripts known to do no building or downloading: protobufjs's
 * postinstall (through @grpc/proto-loader) only prints a warning about the
 * version scheme of packages that depend on it (npm 11 does not even run it
 * without an allowScripts entry).
 */
const HARMLESS_SCRIPTS = new Map([['protobufjs', 'node scripts/postinstall']]);

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', args, { cwd, env: ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

interface LsNode { version?: string; dependencies?: Record<string, LsNode> }

/** Every package name in `npm ls --all --json`'s tree. */
function names(tree: LsNode, out = new Set<string>()): Set<string> {
  for (const [name, node] of Object.entries(tree.dependencies ?? {})) {
    out.add(name);
    names(node, out);
  }
  return out;
}

/** package.json files of the installed packages (node_modules/x and node_modules/@scope/x, nested ones too). */
function packageJsons(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory() || e.name === '.bin') continue;
    const p = join(dir, e.name);
    if (e.name.startsWith('@')) packageJsons(p, out);
    else {
      if (existsSync(join(p, 'package.json'))) out.push(join(p, 'package.json'));
      packageJsons(join(p, 'node_modules'), out);
    }
  }
  return out;
}

test('npm pack ships dist/, bin/, proto/ and the functions types only; the installed package brings no Node binary or build tools and serves', async () => {
  // prepack runs `npm run build`; its messages go to standard error, the JSON to standard output
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', tmp], ROOT)) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = packed[0]!.files.map((f) => f.path);
  assert.deepEqual(files.filter((f) => !SHIPPED.test(f)), [], 'files outside dist/, bin/, proto/, types/functions.d.ts');
  for (const f of ['dist/main.js', 'dist/index.js', 'dist/index.d.ts', 'dist/threads/worker.js', 'dist/commands/core/command-docs.json', 'bin/shardis-server.js', 'proto/shardis.proto', 'types/functions.d.ts', 'LICENSE']) {
    assert.ok(files.includes(f), `${f} ships`);
  }

  const app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  npm(['install', '--omit=dev', '--no-audit', '--no-fund', join(tmp, packed[0]!.filename)], app);

  const tree = JSON.parse(npm(['ls', '--all', '--json'], app)) as LsNode;
  const installed = names(tree);
  assert.ok(installed.has('shardis') && installed.has('pino'), 'shardis and its dependencies are installed');
  assert.ok(!installed.has('node'), 'no `node` package (a Node binary) in the tree');
  assert.ok(!existsSync(join(app, 'node_modules/node')), 'no node_modules/node');
  assert.deepEqual([...installed].filter((n) => BUILD_TOOLS.test(n)), [], 'no build tools');
  const scripted: string[] = [];
  for (const pj of packageJsons(join(app, 'node_modules'))) {
    const meta = JSON.parse(readFileSync(pj, 'utf8')) as { name: string; gypfile?: boolean; scripts?: Record<string, string> };
    assert.ok(meta.gypfile !== true && !existsSync(join(dirname(pj), 'binding.gyp')), `${meta.name} builds native code`);
    for (const s of ['preinstall', 'install', 'postinstall'] as const) {
      const cmd = meta.scripts?.[s];
      if (cmd !== undefined && HARMLESS_SCRIPTS.get(meta.name) !== cmd) scripted.push(`${meta.name}: ${s} ${cmd}`);
    }
  }
  assert.deepEqual(scripted, [], 'packages with install scripts');

  // the bin, through npx, with Node 24 first on PATH; in a process group of its own to stop npx and the server together
  const port = await freePort();
  const dir = join(tmp, 'data');
  mkdirSync(dir);
  let out = '';
  const proc = spawn('npx', ['shardis-server', '--port', String(port), '--dir', dir], { cwd: app, env: ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // 'close', not 'exit': npx may exit before the server it started, which holds the same pipes until its last line
  const closed = once(proc, 'close');
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    let client: RespClient | null = null;
    for (let i = 0; client === null; i++) {
      try {
        client = await RespClient.connect(port);
      } catch (e) {
        if (i > 600 || proc.exitCode !== null) throw new Error(`shardis-server did not start: ${out} ${String(e)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assert.equal(await client.call('PING'), 'PONG');
    assert.equal(await client.call('SET', 'k', 'v'), 'OK');
    assert.equal(await client.call('GET', 'k'), 'v');
    // a #!js library: the compiled worker and the QuickJS WebAssembly build come with the package
    assert.equal(await client.call('FUNCTION', 'LOAD', "#!js api_version=1.0 name=pk\nredis.registerFunction('twice', (c, keys) => c.call('GET', keys[0]) + c.call('GET', keys[0]));"), 'pk');
    assert.equal(await client.call('FCALL', 'twice', '1', 'k'), 'vv');
    client.close();
    // the installed copy runs the compiled dist/ (there is no src/ to fall back on)
    assert.ok(!existsSync(join(app, 'node_modules/shardis/src')));
    assert.match(out, /Ready to accept connections/);
  } finally {
    if (proc.exitCode === null) process.kill(-proc.pid!, 'SIGTERM');
    await closed;
  }
  assert.match(out, /ready to exit, bye bye/);
});
