/** The AOF manifest (Redis 7 format) and the command-file replay, without a server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AofError, emptyManifest, formatManifest, markRewrittenIncrsAsHistory, newBase, newIncr, parseManifest, persistManifest, readManifest,
} from '../../src/persistence/aof-manifest.ts';
import { replayAof } from '../../src/persistence/aof-loader.ts';

test('manifest: format and parse round-trip as Redis writes it', () => {
  const m = emptyManifest();
  newBase(m, 'appendonly.aof', true);
  newIncr(m, 'appendonly.aof');
  const text = formatManifest(m);
  assert.equal(text, 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  assert.deepEqual(parseManifest(text), m);
  // a rewrite: new incr, new base, old files history
  newIncr(m, 'appendonly.aof');
  newBase(m, 'appendonly.aof', false);
  markRewrittenIncrsAsHistory(m);
  assert.equal(formatManifest(m),
    'file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.1.base.rdb seq 1 type h\nfile appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type i\n');
  // names with spaces are quoted
  const q = emptyManifest();
  q.base = { name: 'my file.1.base.rdb', seq: 1, type: 'b' };
  assert.equal(formatManifest(q), 'file "my file.1.base.rdb" seq 1 type b\n');
  assert.deepEqual(parseManifest(formatManifest(q)).base, q.base);
  // comments, extra keys (forward compatibility)
  assert.equal(parseManifest('# hi\nfile a seq 3 type i future x\n').incrs[0]!.seq, 3);
});

test('manifest: invalid content is an error with Redis\'s message', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /Found an empty AOF manifest/],
    ['file a seq 1\n', /Invalid AOF manifest file format/],
    ['file a seq 1 type b\nfile b seq 2 type b\n', /Found duplicate base file information/],
    ['file a seq 2 type i\nfile b seq 1 type i\n', /Found a non-monotonic sequence number/],
    ['file a seq 1 type z\n', /Unknown AOF file type/],
    ['file ../a seq 1 type b\n', /File can't be a path, just a filename/],
    ['file a seq 1 type b', /The AOF manifest file contains too long line/],
    ['\n', /Invalid AOF manifest file format/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseManifest(text), (e: unknown) => e instanceof AofError && re.test(e.message), JSON.stringify(text));
});

test('manifest: persisted atomically and read back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-manifest-'));
  try {
    assert.equal(readManifest(dir, 'x.aof'), null);
    const m = emptyManifest();
    newBase(m, 'x.aof', true);
    newIncr(m, 'x.aof');
    persistManifest(dir, 'x.aof', m);
    assert.equal(readFileSync(join(dir, 'x.aof.manifest'), 'latin1'), formatManifest(m));
    assert.deepEqual(readManifest(dir, 'x.aof'), m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('replay: commands, annotations, torn tails and incomplete MULTI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardis-replay-'));
  try {
    const file = join(dir, 'f.aof');
    const body = '*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n#TS:1700000000\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n';
    const log: string[] = [];
    const run = (data: string, loadTruncated: boolean): string[][] => {
      writeFileSync(file, data, 'latin1');
      const got: string[][] = [];
      replayAof(file, 'f.aof', readFileSync(file), 0, { loadTruncated, log: (_l, m) => log.push(m), run: (a) => got.push(a) });
      return got;
    };
    assert.deepEqual(run(body, false), [['SELECT', '0'], ['SET', 'k', '']]);
    const torn = body + '*2\r\n$3\r\nGET\r\n$5\r\nab';
    assert.throws(() => run(torn, false), /Unexpected end of file reading the append only file f\.aof/);
    assert.deepEqual(run(torn, true), [['SELECT', '0'], ['SET', 'k', '']]);
    assert.equal(readFileSync(file, 'latin1'), body);
    assert.ok(log.some((l) => l === `!!! Truncating the AOF f.aof at offset ${body.length} !!!`));
    const multi = body + '*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n';
    run(multi, true);
    assert.equal(readFileSync(file, 'latin1'), body);
    assert.ok(log.includes('Revert incomplete MULTI/EXEC transaction in AOF file f.aof'));
    assert.throws(() => run(body + '+OK\r\n', true), /Bad file format reading the append only file f\.aof/);
    assert.throws(() => run(body + '*1\r\nx\r\n', true), /Bad file format/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
