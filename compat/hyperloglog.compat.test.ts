/**
 * HyperLogLog family against a real redis-server: replies byte for byte, the
 * HLL values themselves (GET) byte for byte as they grow from sparse to
 * dense, and PFCOUNT after every one of 100000 adds.
 */
import assert from 'node:assert/strict';
import { bothProtocols, describeCompat, runScript, type Pair } from './harness.ts';
import type { RespClient } from '../test/helpers/resp-client.ts';

/** A deterministic element generator: mixed lengths (every murmur tail) and bytes. */
function elements(n: number, seed: number): string[] {
  let x = seed >>> 0 || 1;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    const len = x % 23;
    let s = '';
    for (let j = 0; j < len; j++) s += String.fromCharCode((x >>> (j % 24)) & 0xff ^ (i * 7 + j) & 0xff);
    out.push(i % 3 === 0 ? `el:${i}:${seed}` : s + i);
  }
  return out;
}

/** Sends the commands to one server pipelined, returns the raw replies. */
async function pipeline(c: RespClient, cmds: string[][]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < cmds.length; i += 500) {
    const chunk = cmds.slice(i, i + 500);
    for (const cmd of chunk) c.send(...cmd);
    for (let j = 0; j < chunk.length; j++) out.push(await c.readRaw(20000));
  }
  return out;
}

async function samePipeline(p: Pair, cmds: string[][], label: string): Promise<void> {
  const [a, b] = await Promise.all([pipeline(p.redis, cmds), pipeline(p.shardis, cmds)]);
  for (let i = 0; i < a.length; i++) {
    if (b[i] !== a[i]) assert.fail(`${label}: reply ${i} differs for ${JSON.stringify(cmds[i]!.join(' ').slice(0, 80))}: ${JSON.stringify(b[i]!.slice(0, 120))} vs Redis ${JSON.stringify(a[i]!.slice(0, 120))}`);
  }
}

const HDR = 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80';

describeCompat('hyperloglog', (t) => {
  t('PFADD PFCOUNT: replies, cache bytes and encodings', (p) => bothProtocols(p, [
    ['PFADD', 'h'], ['GET', 'h'], ['PFCOUNT', 'h'], ['GET', 'h'], ['PFADD', 'h', 'a', 'b', 'c'], ['GET', 'h'], ['PFADD', 'h', 'a', 'b', 'c'],
    ['GETRANGE', 'h', '15', '15'], ['PFCOUNT', 'h'], ['GET', 'h'], ['PFADD', 'h', 'c'], ['GET', 'h'], ['STRLEN', 'h'], ['OBJECT', 'ENCODING', 'h'],
    ['PFADD', 'h', ''], ['PFADD', 'h', '\x00\xff\r\n'], ['PFDEBUG', 'DECODE', 'h'], ['PFDEBUG', 'ENCODING', 'h'], ['PFCOUNT', 'h'],
    ['PFCOUNT', 'nope'], ['PFCOUNT', 'h', 'nope'], ['PFCOUNT', 'nope', 'nope2'], ['EXISTS', 'nope'], ['PFADD', 'x', '1', '2', '3', '4', '5'],
    ['PFCOUNT', 'x'], ['PFADD', 'x', '6', '7', '8', '8', '9', '10'], ['PFCOUNT', 'x'], ['PFCOUNT', 'x', 'h'], ['GET', 'x'],
    ['PFADD'], ['PFCOUNT'], ['PFMERGE'], ['PFDEBUG', 'DECODE'], ['PFDEBUG', 'DECODE', 'h', 'x'], ['PFSELFTEST', 'x'],
  ]));

  t('type errors and invalid values', (p) => bothProtocols(p, [
    ['SET', 's', 'abc'], ['PFADD', 's', 'x'], ['PFADD', 's'], ['PFCOUNT', 's'], ['PFCOUNT', 'nope', 's'], ['PFMERGE', 's', 'nope'], ['PFMERGE', 'd', 's'], ['EXISTS', 'd'],
    ['PFDEBUG', 'ENCODING', 's'], ['LPUSH', 'l', 'x'], ['PFADD', 'l', 'x'], ['PFCOUNT', 'l'], ['PFCOUNT', 's', 'l'], ['PFMERGE', 'd', 'l'], ['PFDEBUG', 'GETREG', 'l'],
    ['SET', 'n', '12345678901234567'], ['PFCOUNT', 'n'], ['SET', 'e', ''], ['PFADD', 'e', 'a'],
    ['SET', 'm', 'HYLL'], ['PFCOUNT', 'm'], ['SET', 'm', HDR], ['PFCOUNT', 'm'], ['PFADD', 'm', 'a'], ['PFDEBUG', 'DECODE', 'm'],
    ['SET', 'enc', 'HYLL\x02' + HDR.slice(5) + '\x7f\xff'], ['PFCOUNT', 'enc'],
    ['SET', 'dense', 'HYLL\x00' + HDR.slice(5) + '\x7f\xff'], ['PFCOUNT', 'dense'], ['PFADD', 'dense', 'a'],
    ['PFDEBUG', 'GETREG', 'nope'], ['PFDEBUG', 'foo', 'nope'], ['PFADD', 'h', 'a'], ['PFDEBUG', 'foo', 'h'], ['PFDEBUG', 'Encoding', 'h'],
  ]));

  t('corrupted sparse values', (p) => bothProtocols(p, [
    ['PFADD', 'h', 'a', 'b', 'c'], ['APPEND', 'h', 'hello'], ['PFCOUNT', 'h'], ['PFDEBUG', 'DECODE', 'h'], ['PFADD', 'h', 'zz', 'yy'], ['GET', 'h'],
    ['PFCOUNT', 'h', 'nope'], ['PFMERGE', 'd', 'h'], ['EXISTS', 'd'], ['PFDEBUG', 'GETREG', 'h'], ['PFDEBUG', 'TODENSE', 'h'], ['PFDEBUG', 'ENCODING', 'h'],
    ['DEL', 'h'], ['PFADD', 'h', 'a', 'b', 'c'], ['SETRANGE', 'h', '0', '0123'], ['PFCOUNT', 'h'], ['DEL', 'h'],
    ['PFADD', 'h', 'a', 'b', 'c'], ['SETRANGE', 'h', '4', 'x'], ['PFCOUNT', 'h'], ['DEL', 'h'],
    ['PFADD', 'h', 'a', 'b', 'c'], ['SETRANGE', 'h', '4', '\x00'], ['PFCOUNT', 'h'],
    // too few registers: XZERO:100 only
    ['SET', 't', HDR + '\x40\x63'], ['PFCOUNT', 't'], ['PFADD', 't', 'a'], ['PFADD', 't'], ['PFDEBUG', 'TODENSE', 't'], ['PFDEBUG', 'DECODE', 't'],
    // too many: two XZERO:16384
    ['SET', 'u', HDR + '\x7f\xff\x7f\xff'], ['PFCOUNT', 'u'], ['PFADD', 'u', 'a', 'b'], ['GET', 'u'], ['PFCOUNT', 'u', 'u'],
    // a VAL run past the end, and an XZERO cut in half
    ['SET', 'v', HDR + '\x7f\xfe\x83'], ['PFCOUNT', 'v'], ['PFDEBUG', 'TODENSE', 'v'], ['PFADD', 'v', 'a'],
    ['SET', 'w', HDR + '\x7f'], ['PFCOUNT', 'w'], ['PFDEBUG', 'DECODE', 'w'], ['PFADD', 'w', 'a'], ['GET', 'w'],
    // a valid cache is trusted as is
    ['SET', 'c', 'HYLL\x01\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\x7f\x7f\xff'], ['PFCOUNT', 'c'],
    ['SET', 'c2', 'HYLL\x01\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x7f\xff'], ['PFCOUNT', 'c2'], ['OBJECT', 'ENCODING', 'c2'],
  ]));

  t('PFMERGE: union, destination taking part, sparse or dense result', (p) => bothProtocols(p, [
    ['PFADD', 'a', 'x', 'y', 'z'], ['PFADD', 'b', 'y', 'z', 'w'], ['PFADD', 'c', 'z', 'w', 'v'],
    ['PFMERGE', 'd', 'a', 'b', 'c'], ['PFCOUNT', 'd'], ['GET', 'd'], ['PFDEBUG', 'ENCODING', 'd'],
    ['PFMERGE', 'a', 'b'], ['GET', 'a'], ['PFCOUNT', 'a'], ['PFMERGE', 'e'], ['GET', 'e'], ['PFMERGE', 'e', 'e'], ['GET', 'e'],
    ['PFMERGE', 'f', 'nope'], ['GET', 'f'], ['PFDEBUG', 'TODENSE', 'c'], ['PFDEBUG', 'TODENSE', 'c'], ['PFMERGE', 'g', 'a', 'c'], ['PFDEBUG', 'ENCODING', 'g'],
    ['PFCOUNT', 'g'], ['GET', 'g'], ['PFMERGE', 'a', 'c'], ['PFDEBUG', 'ENCODING', 'a'], ['GET', 'a'], ['PFCOUNT', 'a', 'b', 'c', 'nope'],
    ['SET', 'plain', HDR + '\x7f\xff'], ['PFMERGE', 'plain', 'b'], ['GET', 'plain'], ['OBJECT', 'ENCODING', 'plain'],
    ['EXPIRE', 'b', '100'], ['PFMERGE', 'b', 'a'], ['TTL', 'b'], ['PFADD', 'b', 'q'], ['TTL', 'b'],
  ]));

  t('PFDEBUG GETREG, DECODE, ENCODING, TODENSE', (p) => bothProtocols(p, [
    ['PFADD', 'h', '1', '2', '3', 'foo', 'bar'], ['PFDEBUG', 'DECODE', 'h'], ['PFDEBUG', 'ENCODING', 'h'], ['PFDEBUG', 'GETREG', 'h'],
    ['PFDEBUG', 'ENCODING', 'h'], ['GET', 'h'], ['PFDEBUG', 'DECODE', 'h'], ['PFDEBUG', 'TODENSE', 'h'], ['PFADD', 'k', 'a'],
    ['PFDEBUG', 'todense', 'k'], ['PFDEBUG', 'todense', 'k'], ['GET', 'k'], ['PFCOUNT', 'k'], ['GET', 'k'], ['OBJECT', 'ENCODING', 'k'],
  ]));

  // (COMMAND INFO and DOCS are Redis 7.4.1's: compat/v74-command.compat.test.ts)
  t('COMMAND GETKEYS', [
    ['COMMAND', 'GETKEYS', 'PFMERGE', 'd', 'a', 'b'], ['COMMAND', 'GETKEYS', 'PFDEBUG', 'GETREG', 'k'],
  ]);

  t('values grow byte-identical from sparse to dense; PFCOUNT after every add up to 100000', async (p) => {
    const els = elements(100000, 7);
    const cmds: string[][] = [];
    for (let i = 0; i < els.length; i++) {
      cmds.push(['PFADD', 'h', els[i]!], ['PFCOUNT', 'h']);
      // every value while sparse (where the opcode surgery happens), then every 997 adds
      if (i < 4000 || i % 997 === 0) cmds.push(['GET', 'h']);
    }
    cmds.push(['PFDEBUG', 'ENCODING', 'h'], ['GET', 'h']);
    await samePipeline(p, cmds, 'growth');
  });

  t('several elements per PFADD, small sparse limits, merges and unions', async (p) => {
    const cmds: string[][] = [];
    for (const limit of ['0', '40', '300', '3000', '9000']) {
      cmds.push(['CONFIG', 'SET', 'hll-sparse-max-bytes', limit]);
      for (let k = 0; k < 4; k++) {
        const els = elements(3000, 100 + k * 13 + limit.length);
        for (let i = 0; i < els.length; i += 1 + (i % 40)) {
          cmds.push(['PFADD', `k${limit}:${k}`, ...els.slice(i, i + 1 + (i % 40))], ['PFCOUNT', `k${limit}:${k}`], ['GET', `k${limit}:${k}`]);
        }
      }
      cmds.push(['PFCOUNT', `k${limit}:0`, `k${limit}:1`, `k${limit}:2`, `k${limit}:3`]);
      cmds.push(['PFMERGE', `m${limit}`, `k${limit}:0`, `k${limit}:1`], ['GET', `m${limit}`], ['PFCOUNT', `m${limit}`]);
      cmds.push(['PFMERGE', `m${limit}`, `k${limit}:2`, `k${limit}:3`], ['GET', `m${limit}`], ['PFCOUNT', `m${limit}`]);
    }
    cmds.push(['CONFIG', 'SET', 'hll-sparse-max-bytes', '3000']);
    await samePipeline(p, cmds, 'batches');
  });

  t('a value copied from Redis with GET/SET keeps working', async (p) => {
    const els = elements(5000, 99);
    for (const n of [0, 1, 10, 100, 1000, 5000]) {
      await p.redis.call('DEL', 'src');
      if (n === 0) await p.redis.call('PFADD', 'src');
      else await pipeline(p.redis, els.slice(0, n).map((e) => ['PFADD', 'src', e]));
      const bytes = await p.redis.call('GET', 'src') as string;
      await runScript(p, [
        ['SET', 'h', bytes], ['PFCOUNT', 'h'], ['GET', 'h'], ['PFADD', 'h', 'new1', 'new2'], ['PFCOUNT', 'h'], ['GET', 'h'], ['PFDEBUG', 'ENCODING', 'h'],
        ['SET', 'h2', bytes], ['PFCOUNT', 'h2', 'h'], ['PFMERGE', 'h3', 'h2'], ['GET', 'h3'], ['GET', 'h2'],
      ]);
    }
  });
});
