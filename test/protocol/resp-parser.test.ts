import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RespParser, ProtocolError } from '../../src/protocol/resp-parser.ts';
import { splitInlineArgs } from '../../src/protocol/inline-args.ts';

function parseAll(chunks: string[]): string[][] {
  const p = new RespParser({ maxBulkLen: 512 * 1024 * 1024 });
  const out: string[][] = [];
  for (const ch of chunks) {
    p.feed(Buffer.from(ch, 'latin1'));
    for (let a = p.next(); a !== null; a = p.next()) out.push(a);
  }
  return out;
}

test('multibulk commands, split at every byte', () => {
  const wire = '*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n';
  assert.deepEqual(parseAll([wire]), [['GET', 'k'], ['SET', 'k', '']]);
  assert.deepEqual(parseAll(wire.split('')), [['GET', 'k'], ['SET', 'k', '']]);
});

test('binary-safe arguments survive as latin1', () => {
  const p = new RespParser({ maxBulkLen: 1024 });
  p.feed(Buffer.concat([Buffer.from('*1\r\n$3\r\n'), Buffer.from([0, 255, 13]), Buffer.from('\r\n')]));
  const a = p.next()!;
  assert.deepEqual([...Buffer.from(a[0]!, 'latin1')], [0, 255, 13]);
});

test('arguments of every length up to 40 bytes, any byte values, come out exact (the JS-built and native paths)', () => {
  const p = new RespParser({ maxBulkLen: 1024 });
  for (let n = 0; n <= 40; n++) {
    const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n * 11) % 256));
    // first as a command name (the parser reuses a repeated name), then as a key, twice each
    for (let round = 0; round < 2; round++) {
      p.feed(Buffer.concat([Buffer.from(`*2\r\n$${n}\r\n`), bytes, Buffer.from(`\r\n$${n}\r\n`), bytes, Buffer.from('\r\n')]));
      const a = p.next()!;
      assert.equal(a.length, 2);
      for (const arg of a) assert.deepEqual(Buffer.from(arg, 'latin1'), bytes, `length ${n}`);
    }
  }
});

test('big bulk arriving in many chunks', () => {
  const big = 'x'.repeat(200_000);
  const wire = `*2\r\n$4\r\nECHO\r\n$${big.length}\r\n${big}\r\n`;
  const chunks: string[] = [];
  for (let i = 0; i < wire.length; i += 1000) chunks.push(wire.slice(i, i + 1000));
  const out = parseAll(chunks);
  assert.equal(out.length, 1);
  assert.equal(out[0]![1]!.length, big.length);
});

test('inline commands with quotes', () => {
  assert.deepEqual(parseAll(['PING\r\nSET a "b c"\nGET  a\r\n']), [['PING'], ['SET', 'a', 'b c'], ['GET', 'a']]);
  assert.deepEqual(splitInlineArgs('set k "\\x41\\n" \'it\\\'s\''), ['set', 'k', 'A\n', "it's"]);
  assert.equal(splitInlineArgs('set "abc'), null);
  assert.equal(splitInlineArgs('set "a"b'), null);
});

test('protocol errors carry Redis messages', () => {
  const cases: Array<[string, string]> = [
    ['*abc\r\n', 'Protocol error: invalid multibulk length'],
    ['*1\r\n$-5\r\n', 'Protocol error: invalid bulk length'],
    ['*1\r\nfoo\r\n', "Protocol error: expected '$', got 'f'"],
    ['*3000000000\r\n', 'Protocol error: invalid multibulk length'],
    ['SET "a\r\n', 'Protocol error: unbalanced quotes in request'],
    ['x'.repeat(70000), 'Protocol error: too big inline request'],
  ];
  for (const [wire, msg] of cases) {
    assert.throws(() => parseAll([wire]), (e: unknown) => e instanceof ProtocolError && e.message === msg, wire.slice(0, 20));
  }
  assert.throws(() => {
    const p = new RespParser({ maxBulkLen: 10 });
    p.feed(Buffer.from('*1\r\n$11\r\n'));
    p.next();
  }, /invalid bulk length/);
});

test('empty multibulk and empty inline lines are skipped', () => {
  assert.deepEqual(parseAll(['*0\r\n\r\n*1\r\n$4\r\nPING\r\n']), [[], [], ['PING']]);
});
