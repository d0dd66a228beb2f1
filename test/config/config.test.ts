import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs, parseMemory, getConfigNumber, ConfigError } from '../../src/config/config.ts';
import { RespClient } from '../helpers/resp-client.ts';
import { freePort } from '../helpers/ports.ts';

test('config file first, flags override it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-conf-'));
  try {
    const file = join(dir, 'shardis.conf');
    writeFileSync(file, '# comment\nport 7000\nbind 127.0.0.1 ::1\nmaxclients 50\nhash-max-listpack-entries 16\nrequirepass "s3 cret"\n');
    const cfg = parseArgs([file, '--port', '7001', '--shards', '4']);
    assert.equal(cfg.port, 7001);
    assert.equal(cfg.shards, 4);
    assert.deepEqual(cfg.bind, ['127.0.0.1', '::1']);
    assert.equal(cfg.maxclients, 50);
    assert.equal(cfg.requirepass, 's3 cret');
    assert.equal(getConfigNumber(cfg, 'hash-max-listpack-entries', 128), 16);
    writeFileSync(file, 'port notanumber\n');
    assert.throws(() => parseArgs([file]), ConfigError);
    assert.throws(() => parseArgs(['--port', '99999']), ConfigError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a configuration error stops start-up with Redis's report: the line of the combined config, its text and why", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-conf-'));
  const main = new URL('../../src/main.ts', import.meta.url).pathname;
  /** What redis-server 7.4.1 prints for these (recorded): stderr and exit code 1. */
  const report = (line: number, text: string, why: string): string =>
    `\n*** FATAL CONFIG FILE ERROR (Redis 7.4.1) ***\nReading the configuration file, at line ${line}\n>>> '${text}'\n${why}\n`;
  const run = (args: string[]): Promise<{ code: number | null; err: string }> =>
    new Promise((resolve) => {
      const p = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      p.on('exit', (code) => resolve({ code, err }));
    });
  try {
    const file = join(dir, 'redis.conf');
    writeFileSync(file, 'port 7777\n');
    const included = join(dir, 'more.conf');
    writeFileSync(included, '# more\nmaxclients 7\nmaxmemory-policy sometimes\n');
    const bad = join(dir, 'bad.conf');
    writeFileSync(bad, `port 7777\napendonly yes\n`);
    const sentinel = join(dir, 'sentinel.conf');
    writeFileSync(sentinel, 'sentinel monitor m 127.0.0.1 6379 2\n');
    const withInclude = join(dir, 'inc.conf');
    writeFileSync(withInclude, `include ${included}\n`);
    const cases: Array<[string[], string]> = [
      [['--apendonly', 'yes'], report(2, 'apendonly "yes"', 'Bad directive or wrong number of arguments')],
      [['--port', 'abc'], report(2, 'port "abc"', "argument couldn't be parsed into an integer")],
      [['--appendonly', 'maybe'], report(2, 'appendonly "maybe"', "argument must be 'yes' or 'no'")],
      [['--port'], report(2, 'port', 'wrong number of arguments')],
      [[file, '--port', '1', '--apendonly', 'yes'], report(4, 'apendonly "yes"', 'Bad directive or wrong number of arguments')],
      [[bad], report(2, 'apendonly yes', 'Bad directive or wrong number of arguments')],
      // an included file's own line
      [[withInclude], report(3, 'maxmemory-policy sometimes', 'argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction')],
      [[sentinel], report(1, 'sentinel monitor m 127.0.0.1 6379 2', 'sentinel directive while not in sentinel mode')],
    ];
    for (const [args, want] of cases) assert.deepEqual(await run(args), { code: 1, err: want }, args.join(' '));
    assert.deepEqual(await run([join(dir, 'missing.conf')]), { code: 1, err: `Fatal error, can't open config file '${join(dir, 'missing.conf')}': No such file or directory\n` });
    // a good include is read as part of the file
    writeFileSync(included, 'maxclients 7\n');
    assert.equal(parseArgs([withInclude]).maxclients, 7);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('memory units as redis.conf', () => {
  assert.equal(parseMemory('512mb'), 512 * 1024 * 1024);
  assert.equal(parseMemory('1gb'), 1024 * 1024 * 1024);
  assert.equal(parseMemory('100k'), 100000);
  assert.equal(parseMemory('12'), 12);
  assert.equal(parseMemory('x'), null);
});

test('the command line server starts, serves, and stops on SIGTERM and on SHUTDOWN', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-main-'));
  const main = new URL('../../src/main.ts', import.meta.url).pathname;
  try {
    for (const how of ['SIGTERM', 'SHUTDOWN'] as const) {
      const port = await freePort();
      const proc = spawn(process.execPath, [main, '--port', String(port), '--dir', join(dir, 'data')], { stdio: 'ignore' });
      const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
      let c: RespClient | null = null;
      for (let i = 0; i < 100 && !c; i++) {
        try {
          c = await RespClient.connect(port);
        } catch {
          await new Promise((r) => setTimeout(r, 50));
        }
      }
      assert.ok(c, 'server did not start');
      assert.equal(await c.callRaw('SET', 'k', 'v'), '+OK\r\n');
      if (how === 'SIGTERM') proc.kill('SIGTERM');
      else c.send('SHUTDOWN', 'NOSAVE');
      assert.equal(await exited, 0);
      c.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
