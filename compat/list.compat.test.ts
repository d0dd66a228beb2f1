/**
 * Lists against a real redis-server: every command, option and error, RESP2
 * and RESP3 null rules, a randomized differential run, and blocking
 * scenarios driven with several connections on each server.
 */
import assert from 'node:assert/strict';
import { describeCompat, runScript, type Pair, type Script } from './harness.ts';
import { RespClient } from '../test/helpers/resp-client.ts';
import { rng } from '../test/helpers/rng.ts';

const HELLO3 = { cmd: ['HELLO', '3'], ignore: true };

/**
 * Runs `fn` with `n` fresh connections against Redis, then against shardis,
 * and requires the same list of raw replies from both.
 */
async function scenario(pair: Pair, n: number, fn: (cs: RespClient[]) => Promise<string[]>): Promise<void> {
  const run = async (port: number): Promise<string[]> => {
    const cs: RespClient[] = [];
    for (let i = 0; i < n; i++) cs.push(await RespClient.connect(port));
    try {
      return await fn(cs);
    } finally {
      for (const c of cs) c.close();
    }
  };
  const expected = await run(pair.redis.socket.remotePort!);
  const got = await run(pair.shardis.socket.remotePort!);
  assert.deepEqual(got, expected);
}

/** Waits until the server reports `n` blocked clients. */
async function blocked(c: RespClient, n: number): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const info = (await c.call('INFO', 'clients')) as string;
    if (info.includes(`blocked_clients:${n}\r\n`)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never saw ${n} blocked clients`);
}

describeCompat('lists', (t) => {
  t('LPUSH/RPUSH/LPUSHX/RPUSHX/LLEN', [
    ['LPUSH', 'l', 'a', 'b', 'c'],
    ['RPUSH', 'l', 'd', 'e'],
    ['LRANGE', 'l', '0', '-1'],
    ['LLEN', 'l'],
    ['LPUSHX', 'l', 'x', 'y'],
    ['RPUSHX', 'l', 'z'],
    ['LPUSHX', 'nokey', 'x'],
    ['RPUSHX', 'nokey', 'x'],
    ['EXISTS', 'nokey'],
    ['LLEN', 'nokey'],
    ['LRANGE', 'l', '0', '-1'],
    ['OBJECT', 'ENCODING', 'l'],
    ['TYPE', 'l'],
    ['SET', 's', 'str'],
    ['LPUSH', 's', 'a'],
    ['RPUSH', 's', 'a'],
    ['LPUSHX', 's', 'a'],
    ['RPUSHX', 's', 'a'],
    ['LLEN', 's'],
    ['LPUSH', 'l'],
    ['RPUSHX', 'l'],
    ['LLEN'],
    ['RPUSH', 'bin', '\x00\xff\r\n', '', '12345678901234567890', '-1'],
    ['LRANGE', 'bin', '0', '-1'],
  ]);

  t('LPOP/RPOP with and without count, RESP2', [
    ['RPUSH', 'l', 'a', 'b', 'c', 'd', 'e'],
    ['LPOP', 'l'],
    ['RPOP', 'l'],
    ['LPOP', 'l', '2'],
    ['RPOP', 'l', '0'],
    ['RPOP', 'l', '10'],
    ['EXISTS', 'l'],
    ['LPOP', 'l'],
    ['LPOP', 'l', '0'],
    ['LPOP', 'l', '3'],
    ['RPOP', 'l', '-1'],
    ['RPOP', 'l', 'abc'],
    ['LPOP', 'l', '1', '2'],
    ['RPOP', 'l', '99999999999999999999'],
    ['SET', 's', 'x'],
    ['LPOP', 's'],
    ['LPOP', 's', '1'],
    ['LPOP', 's', '-1'],
    ['RPUSH', 'l', 'a'],
    ['RPOP', 'l', '9223372036854775807'],
  ]);

  t('LPOP/RPOP null and empty replies, RESP3', [
    HELLO3,
    ['LPOP', 'nokey'],
    ['LPOP', 'nokey', '2'],
    ['LPOP', 'nokey', '0'],
    ['RPUSH', 'l', 'a', 'b'],
    ['RPOP', 'l', '0'],
    ['RPOP', 'l', '5'],
    ['LINDEX', 'l', '0'],
    ['LPOS', 'l', 'x'],
    ['LMOVE', 'l', 'd', 'LEFT', 'LEFT'],
    ['LMPOP', '1', 'l', 'LEFT'],
    ['LRANGE', 'nokey', '0', '-1'],
  ]);

  t('LRANGE and LINDEX', [
    ['RPUSH', 'l', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    ['LRANGE', 'l', '0', '-1'],
    ['LRANGE', 'l', '2', '4'],
    ['LRANGE', 'l', '-3', '-1'],
    ['LRANGE', 'l', '-100', '2'],
    ['LRANGE', 'l', '5', '100'],
    ['LRANGE', 'l', '7', '3'],
    ['LRANGE', 'l', '10', '20'],
    ['LRANGE', 'l', '-1', '-5'],
    ['LRANGE', 'l', '0', '-11'],
    ['LRANGE', 'l', '-9223372036854775808', '9223372036854775807'],
    ['LRANGE', 'l', 'a', '1'],
    ['LRANGE', 'l', '1', '1.5'],
    ['LRANGE', 'nokey', 'a', '1'],
    ['LRANGE', 'nokey', '0', '-1'],
    ['LINDEX', 'l', '0'],
    ['LINDEX', 'l', '-1'],
    ['LINDEX', 'l', '-10'],
    ['LINDEX', 'l', '-11'],
    ['LINDEX', 'l', '10'],
    ['LINDEX', 'l', 'x'],
    ['LINDEX', 'nokey', 'x'],
    ['LINDEX', 'nokey', '0'],
    ['SET', 's', 'v'],
    ['LRANGE', 's', '0', '-1'],
    ['LRANGE', 's', 'x', '-1'],
    ['LINDEX', 's', '0'],
    ['LINDEX', 's', 'x'],
    ['LLEN', 's'],
  ]);

  t('LSET', [
    ['LSET', 'nokey', '0', 'x'],
    ['LSET', 'nokey', 'abc', 'x'],
    ['RPUSH', 'l', 'a', 'b', 'c'],
    ['LSET', 'l', '0', 'A'],
    ['LSET', 'l', '-1', 'C'],
    ['LSET', 'l', '3', 'x'],
    ['LSET', 'l', '-4', 'x'],
    ['LSET', 'l', 'abc', 'x'],
    ['LRANGE', 'l', '0', '-1'],
    ['SET', 's', 'v'],
    ['LSET', 's', '0', 'x'],
    ['LSET', 's', 'abc', 'x'],
  ]);

  t('LINSERT', [
    ['LINSERT', 'nokey', 'BEFORE', 'a', 'x'],
    ['LINSERT', 'nokey', 'MIDDLE', 'a', 'x'],
    ['RPUSH', 'l', 'a', 'b', 'c', 'b'],
    ['LINSERT', 'l', 'BEFORE', 'b', 'x'],
    ['LINSERT', 'l', 'after', 'b', 'y'],
    ['LINSERT', 'l', 'AFTER', 'c', 'z'],
    ['LINSERT', 'l', 'BEFORE', 'a', 'first'],
    ['LINSERT', 'l', 'AFTER', 'b', 'last'],
    ['LINSERT', 'l', 'BEFORE', 'nope', 'x'],
    ['LINSERT', 'l', 'SIDEWAYS', 'a', 'x'],
    ['LRANGE', 'l', '0', '-1'],
    ['SET', 's', 'v'],
    ['LINSERT', 's', 'BEFORE', 'a', 'x'],
    ['LINSERT', 's', 'BAD', 'a', 'x'],
  ]);

  t('LREM', [
    ['RPUSH', 'l', 'a', 'b', 'a', 'c', 'a', 'b', 'a'],
    ['LREM', 'l', '2', 'a'],
    ['LRANGE', 'l', '0', '-1'],
    ['LREM', 'l', '-1', 'b'],
    ['LRANGE', 'l', '0', '-1'],
    ['LREM', 'l', '0', 'a'],
    ['LRANGE', 'l', '0', '-1'],
    ['LREM', 'l', '0', 'zzz'],
    ['LREM', 'l', '5', 'b'],
    ['LREM', 'l', '-5', 'c'],
    ['EXISTS', 'l'],
    ['LREM', 'l', '1', 'x'],
    ['LREM', 'l', 'x', 'x'],
    ['LREM', 'nokey', 'x', 'x'],
    ['SET', 's', 'v'],
    ['LREM', 's', '0', 'v'],
    ['LREM', 's', 'x', 'v'],
  ]);

  t('LTRIM', [
    ['RPUSH', 'l', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    ['LTRIM', 'l', '1', '-2'],
    ['LRANGE', 'l', '0', '-1'],
    ['LTRIM', 'l', '-5', '100'],
    ['LRANGE', 'l', '0', '-1'],
    ['LTRIM', 'l', '0', '-1'],
    ['LRANGE', 'l', '0', '-1'],
    ['LTRIM', 'l', '3', '1'],
    ['EXISTS', 'l'],
    ['LTRIM', 'l', '0', '1'],
    ['LTRIM', 'l', 'x', '1'],
    ['RPUSH', 'l', 'a', 'b'],
    ['LTRIM', 'l', '5', '10'],
    ['EXISTS', 'l'],
    ['RPUSH', 'l', 'a', 'b'],
    ['LTRIM', 'l', '0', '-3'],
    ['EXISTS', 'l'],
    ['SET', 's', 'v'],
    ['LTRIM', 's', '0', '1'],
    ['LTRIM', 's', 'x', '1'],
  ]);

  t('LPOS options and errors', [
    ['RPUSH', 'l', 'a', 'b', 'c', 'a', 'b', 'c', 'a', 'x'],
    ['LPOS', 'l', 'a'],
    ['LPOS', 'l', 'c'],
    ['LPOS', 'l', 'zz'],
    ['LPOS', 'l', 'a', 'RANK', '2'],
    ['LPOS', 'l', 'a', 'RANK', '3'],
    ['LPOS', 'l', 'a', 'RANK', '4'],
    ['LPOS', 'l', 'a', 'RANK', '-1'],
    ['LPOS', 'l', 'a', 'RANK', '-3'],
    ['LPOS', 'l', 'a', 'COUNT', '0'],
    ['LPOS', 'l', 'a', 'COUNT', '2'],
    ['LPOS', 'l', 'a', 'COUNT', '0', 'RANK', '-1'],
    ['LPOS', 'l', 'a', 'COUNT', '2', 'RANK', '2'],
    ['LPOS', 'l', 'zz', 'COUNT', '2'],
    ['LPOS', 'l', 'a', 'MAXLEN', '3'],
    ['LPOS', 'l', 'x', 'MAXLEN', '3'],
    ['LPOS', 'l', 'a', 'COUNT', '0', 'MAXLEN', '4'],
    ['LPOS', 'l', 'a', 'RANK', '-1', 'MAXLEN', '1'],
    ['LPOS', 'l', 'a', 'RANK', '-1', 'MAXLEN', '2', 'COUNT', '0'],
    ['LPOS', 'l', 'a', 'rank', '1', 'count', '1', 'maxlen', '0'],
    ['LPOS', 'l', 'a', 'RANK', '9223372036854775807'],
    ['LPOS', 'l', 'a', 'RANK', '-9223372036854775807', 'COUNT', '0'],
    ['LPOS', 'l', 'a', 'RANK', '0'],
    ['LPOS', 'l', 'a', 'RANK', 'x'],
    ['LPOS', 'l', 'a', 'COUNT', '-1'],
    ['LPOS', 'l', 'a', 'COUNT', 'x'],
    ['LPOS', 'l', 'a', 'MAXLEN', '-1'],
    ['LPOS', 'l', 'a', 'MAXLEN', 'x'],
    ['LPOS', 'l', 'a', 'RANK'],
    ['LPOS', 'l', 'a', 'FOO', '1'],
    ['LPOS', 'l', 'a', 'COUNT'],
    ['LPOS', 'nokey', 'a'],
    ['LPOS', 'nokey', 'a', 'COUNT', '0'],
    ['LPOS', 'nokey', 'a', 'RANK', '0'],
    ['SET', 's', 'v'],
    ['LPOS', 's', 'a'],
    ['LPOS', 's', 'a', 'RANK', '0'],
  ]);

  t('LMOVE and RPOPLPUSH', [
    ['RPUSH', 'src', 'a', 'b', 'c'],
    ['LMOVE', 'src', 'dst', 'LEFT', 'RIGHT'],
    ['LMOVE', 'src', 'dst', 'right', 'left'],
    ['LMOVE', 'src', 'dst', 'LEFT', 'LEFT'],
    ['EXISTS', 'src'],
    ['LRANGE', 'dst', '0', '-1'],
    ['LMOVE', 'dst', 'dst', 'LEFT', 'RIGHT'],
    ['LRANGE', 'dst', '0', '-1'],
    ['RPOPLPUSH', 'dst', 'dst'],
    ['LRANGE', 'dst', '0', '-1'],
    ['RPOPLPUSH', 'dst', 'other'],
    ['LRANGE', 'other', '0', '-1'],
    ['LMOVE', 'nokey', 'dst', 'LEFT', 'RIGHT'],
    ['RPOPLPUSH', 'nokey', 'dst'],
    ['LMOVE', 'src', 'dst', 'UP', 'LEFT'],
    ['LMOVE', 'src', 'dst', 'LEFT', 'DOWN'],
    ['SET', 's', 'v'],
    ['LMOVE', 's', 'dst', 'LEFT', 'RIGHT'],
    ['LMOVE', 'dst', 's', 'LEFT', 'RIGHT'],
    ['RPOPLPUSH', 'dst', 's'],
    ['RPOPLPUSH', 's', 'dst'],
    ['LMOVE', 'nokey', 's', 'LEFT', 'RIGHT'],
    ['LRANGE', 'dst', '0', '-1'],
    ['RPUSH', 'one', 'x'],
    ['LMOVE', 'one', 'one', 'RIGHT', 'LEFT'],
    ['LRANGE', 'one', '0', '-1'],
    ['RPOPLPUSH', 'one', '{one}two'],
    ['EXISTS', 'one'],
    ['LRANGE', '{one}two', '0', '-1'],
  ]);

  t('LMPOP', [
    ['RPUSH', 'a', '1', '2', '3'],
    ['RPUSH', 'b', '4', '5'],
    ['LMPOP', '2', 'nokey', 'a', 'LEFT'],
    ['LMPOP', '2', 'nokey', 'a', 'RIGHT', 'COUNT', '10'],
    ['LMPOP', '3', 'a', 'nokey', 'b', 'left', 'count', '1'],
    ['LMPOP', '1', 'a', 'LEFT'],
    ['LMPOP', '1', 'b', 'RIGHT', 'COUNT', '9223372036854775807'],
    ['LMPOP', '0', 'a', 'LEFT'],
    ['LMPOP', '-1', 'a', 'LEFT'],
    ['LMPOP', 'x', 'a', 'LEFT'],
    ['LMPOP', '2', 'a', 'LEFT'],
    ['LMPOP', '9223372036854775807', 'a', 'LEFT'],
    ['LMPOP', '1', 'a', 'MIDDLE'],
    ['LMPOP', '1', 'a', 'LEFT', 'COUNT'],
    ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '0'],
    ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '-1'],
    ['LMPOP', '1', 'a', 'LEFT', 'COUNT', 'x'],
    ['LMPOP', '1', 'a', 'LEFT', 'COUNT', '1', 'COUNT', '2'],
    ['LMPOP', '1', 'a', 'LEFT', 'FOO'],
    ['LMPOP', '1', 'a'],
    ['SET', 's', 'v'],
    ['RPUSH', 'l', 'x'],
    ['LMPOP', '2', 's', 'l', 'LEFT'],
    ['LMPOP', '2', 'nokey', 'l', 'LEFT'],
    ['LMPOP', '2', 'nokey', 'l', 'LEFT'],
    ['LMPOP', '2', 'nokey', 'l', 'LEFT', 'COUNT', '2'],
    HELLO3,
    ['LMPOP', '1', 'nokey', 'LEFT'],
    ['RPUSH', 'l', 'x', 'y'],
    ['LMPOP', '1', 'l', 'RIGHT', 'COUNT', '5'],
  ]);

  t('blocking commands that are served at once, their errors, and their refusal in MULTI', [
    ['RPUSH', 'l', 'a', 'b', 'c'],
    ['BLPOP', 'nokey', 'l', '0'],
    ['BRPOP', 'l', 'nokey', '1.5'],
    ['BLMOVE', 'l', 'dst', 'LEFT', 'RIGHT', '0'],
    ['RPUSH', 'l', 'x', 'y'],
    ['BRPOPLPUSH', 'l', 'dst', '0'],
    ['BLMPOP', '0', '2', 'nokey', 'l', 'LEFT', 'COUNT', '5'],
    ['BLPOP', 'l', '-1'],
    ['BLPOP', 'l', 'abc'],
    ['BLPOP', 'l', ''],
    { cmd: ['BLPOP', 'l', 'inf'], ignore: true }, // 7.4: timeout is out of range (v74-list)
    ['BLPOP', 'l', '-inf'],
    ['BLPOP', 'l', 'nan'],
    { cmd: ['BLPOP', 'l', '1e400'], ignore: true }, // 7.4: timeout is out of range (v74-list)
    ['BLPOP', 'l', '1e5000'],
    ['BLPOP', 'l', '1e-5000'],
    { cmd: ['BLPOP', 'l', '9223372036854776'], ignore: true }, // 7.4: timeout is out of range (v74-list)
    ['BLPOP', 'l', ' 1'],
    ['BLPOP', 'l', '0x'],
    ['BRPOP', 'l', '-0.5'],
    ['BLMOVE', 'l', 'dst', 'LEFT', 'RIGHT', '-1'],
    ['BLMOVE', 'l', 'dst', 'UP', 'RIGHT', '-1'],
    ['BLMOVE', 'l', 'dst', 'LEFT', 'DOWN', 'x'],
    ['BRPOPLPUSH', 'l', 'dst', 'x'],
    ['BLMPOP', 'x', '0', 'l', 'LEFT'],
    ['BLMPOP', 'x', '1', 'l', 'MIDDLE'],
    ['BLMPOP', 'x', '1', 'l', 'LEFT'],
    ['BLMPOP', '-1', '1', 'l', 'LEFT'],
    ['BLMPOP', '0', '1', 'l', 'LEFT', 'COUNT', '0'],
    ['BLMPOP', '0', '2', 'l', 'LEFT'],
    ['SET', 's', 'v'],
    ['BLPOP', 'nokey', 's', '0'],
    ['BLMPOP', '0', '1', 's', 'LEFT'],
    ['RPUSH', 'src', 'e'],
    ['BLMOVE', 'src', 's', 'LEFT', 'RIGHT', '0'],
    ['BRPOPLPUSH', 'src', 's', '0'],
    ['LRANGE', 'src', '0', '-1'],
    ['LRANGE', 'dst', '0', '-1'],
    ['MULTI'],
    ['BLPOP', 'empty', '0'],
    ['BRPOP', 'empty', '0'],
    ['BLMOVE', 'empty', 'dst', 'LEFT', 'LEFT', '0'],
    ['BRPOPLPUSH', 'empty', 'dst', '0'],
    ['BLMPOP', '0', '1', 'empty', 'LEFT'],
    ['BLPOP', 'src', '0'],
    ['EXEC'],
    HELLO3,
    ['MULTI'],
    ['BLPOP', 'empty', '0'],
    ['BLMOVE', 'empty', 'dst', 'LEFT', 'LEFT', '0'],
    ['BLMPOP', '0', '1', 'empty', 'LEFT'],
    ['EXEC'],
  ]);

  t('blocking timeouts', [
    ['BLPOP', 'empty', '0.02'],
    ['BRPOP', 'e1', 'e2', '0.01'],
    ['BLMOVE', 'empty', 'dst', 'LEFT', 'LEFT', '0.01'],
    ['BRPOPLPUSH', 'empty', 'dst', '0.01'],
    ['BLMPOP', '0.01', '2', 'e1', 'e2', 'RIGHT'],
    ['BLPOP', 'empty', '0.0001'],
    ['EXISTS', 'dst'],
    HELLO3,
    ['BLPOP', 'empty', '0.01'],
    ['BLMOVE', 'empty', 'dst', 'LEFT', 'LEFT', '0.01'],
    ['BLMPOP', '0.01', '1', 'empty', 'LEFT'],
  ]);

  t('edits on long lists (ring buffer wrap-around)', (pair) => {
    const script: Script = [];
    for (let i = 0; i < 300; i++) script.push([i % 3 ? 'RPUSH' : 'LPUSH', 'big', `e${i % 17}`, `f${i}`]);
    script.push(['LPOP', 'big', '150'], ['RPUSH', 'big', ...Array.from({ length: 200 }, (_, i) => `g${i % 13}`)]);
    script.push(['LINSERT', 'big', 'BEFORE', 'e5', 'ins'], ['LINSERT', 'big', 'AFTER', 'g12', 'ins2']);
    script.push(['LREM', 'big', '-3', 'e4'], ['LREM', 'big', '4', 'g1'], ['LSET', 'big', '200', 'set'], ['LSET', 'big', '-200', 'set2']);
    script.push(['LPOS', 'big', 'e7', 'COUNT', '0'], ['LPOS', 'big', 'g3', 'RANK', '-2', 'COUNT', '3'], ['LINDEX', 'big', '123']);
    script.push(['LTRIM', 'big', '17', '-23'], ['LRANGE', 'big', '0', '-1'], ['RPOP', 'big', '100'], ['LRANGE', 'big', '-50', '-1'], ['LLEN', 'big']);
    return runScript(pair, script);
  });

  t('lists of one node and of many under several list-max-listpack-size values; DUMP, DIGEST, DEBUG RELOAD', (pair) => {
    const script: Script = [];
    // short elements, ones past 127 bytes, integers (listpack int encodings) and ones larger than a node
    const el = (i: number): string => (i % 97 === 5 ? 'L'.repeat(9000) + i : i % 11 === 3 ? `m${i}`.padEnd(150, '.') : i % 5 === 1 ? String(i * 7919 - 40000) : `s${i % 23}`);
    for (const fill of ['-2', '1', '4', '-1', '-5']) {
      const k = `l${fill}`;
      const r = `r${fill}`;
      script.push(['CONFIG', 'SET', 'list-max-listpack-size', fill]);
      for (let i = 0; i < 400; i += 4) script.push([i % 8 ? 'RPUSH' : 'LPUSH', k, el(i), el(i + 1), el(i + 2), el(i + 3)]);
      // a list built by RPUSH alone has Redis's node layout, so its DUMP payload is the same bytes
      for (let i = 0; i < 300; i += 3) script.push(['RPUSH', r, el(i), el(i + 1), el(i + 2)]);
      script.push(['DUMP', r], ['DEBUG', 'DIGEST-VALUE', k, r], ['OBJECT', 'ENCODING', k], ['LLEN', k]);
      script.push(['LINDEX', k, '0'], ['LINDEX', k, '-1'], ['LINDEX', k, '201'], ['LRANGE', k, '0', '-1'], ['LRANGE', k, '-120', '-90']);
      script.push(['LSET', k, '17', 'Z'.repeat(200)], ['LSET', k, '-3', 'z'], ['LINSERT', k, 'BEFORE', 's7', 'ins'], ['LINSERT', k, 'AFTER', el(5), 'after-long']);
      script.push(['LREM', k, '3', 's4'], ['LREM', k, '-2', 's9'], ['LPOS', k, 's11', 'RANK', '-2', 'COUNT', '0'], ['LPOS', k, 'ins', 'MAXLEN', '50']);
      script.push(['LTRIM', k, '3', '-5'], ['LPOP', k, '20'], ['RPOP', k, '33'], ['LMOVE', k, r, 'LEFT', 'RIGHT'], ['LRANGE', k, '0', '-1'], ['LRANGE', r, '-3', '-1']);
      script.push(['DEBUG', 'DIGEST-VALUE', k, r]);
    }
    script.push(['DEBUG', 'RELOAD'], ['DEBUG', 'DIGEST']);
    for (const fill of ['-2', '1', '4', '-1', '-5']) script.push(['LRANGE', `l${fill}`, '0', '-1'], ['LRANGE', `r${fill}`, '0', '-1'], ['OBJECT', 'ENCODING', `l${fill}`]);
    // pushes and pops on lists loaded from the file
    script.push(['LPUSH', 'l-2', 'head'], ['RPUSH', 'l1', 'tail'], ['LPOP', 'l4', '10'], ['RPOP', 'r-1', '5'], ['LINDEX', 'l-5', '40'], ['DEBUG', 'DIGEST']);
    script.push(['CONFIG', 'SET', 'list-max-listpack-size', '-2']);
    return runScript(pair, script);
  });

  t('pushes of many elements at once: replies, contents and (built by RPUSH) DUMP bytes as Redis, across node sizes', (pair) => {
    const script: Script = [];
    const el = (i: number): string => (i % 131 === 70 ? 'B'.repeat(9000) + i : i % 37 === 9 ? `w${i}`.padEnd(1100, '-') : i % 7 === 2 ? String(i * 31 - 500) : `element:${i}`);
    const els = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => el(from + i));
    for (const fill of ['-2', '-1', '5', '-5']) {
      script.push(['CONFIG', 'SET', 'list-max-listpack-size', fill]);
      const r = `r${fill}`;
      const l = `l${fill}`;
      // 100 at a time: the first command crosses one node's size; later ones fill and open nodes
      for (let i = 0; i < 1200; i += 100) script.push(['RPUSH', r, ...els(i, 100)]);
      script.push(['RPUSH', r, 'a', 'a', 'b', 'a'], ['RPUSHX', r, ...els(2000, 150)], ['LLEN', r], ['DUMP', r], ['DEBUG', 'DIGEST-VALUE', r]);
      for (let i = 0; i < 900; i += 150) script.push([i % 300 ? 'LPUSH' : 'RPUSH', l, ...els(i, 150)]);
      script.push(['LPUSHX', l, ...els(3000, 120)], ['LPUSH', l, 'x', 'y', 'x'], ['LPUSHX', 'nolist', 'a', 'b'], ['RPUSHX', 'nolist', 'a', 'b']);
      script.push(['LLEN', l], ['LRANGE', l, '0', '-1'], ['LRANGE', r, '0', '-1'], ['LINDEX', l, '333'], ['DEBUG', 'DIGEST-VALUE', l]);
    }
    script.push(['DEBUG', 'RELOAD'], ['DEBUG', 'DIGEST'], ['CONFIG', 'SET', 'list-max-listpack-size', '-2']);
    return runScript(pair, script);
  });

  t('random operations give the same replies', (pair) => {
    const rand = rng(20240607);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const keys = ['k1', 'k2', '{k1}x', 'k3'];
    const vals = ['a', 'b', 'c', '1', '-2', '', '\x00z'];
    const int = (): string => String(Math.floor(rand() * 14) - 7);
    const side = (): string => pick(['LEFT', 'RIGHT']);
    const script: Script = [];
    for (let i = 0; i < 600; i++) {
      const k = pick(keys);
      const n = 1 + Math.floor(rand() * 4);
      const els = Array.from({ length: n }, () => pick(vals));
      switch (Math.floor(rand() * 16)) {
        case 0: script.push(['LPUSH', k, ...els]); break;
        case 1: script.push(['RPUSH', k, ...els]); break;
        case 2: script.push([pick(['LPUSHX', 'RPUSHX']), k, ...els]); break;
        case 3: script.push(rand() < 0.5 ? [pick(['LPOP', 'RPOP']), k] : [pick(['LPOP', 'RPOP']), k, String(n - 1)]); break;
        case 4: script.push(['LRANGE', k, int(), int()]); break;
        case 5: script.push(['LINDEX', k, int()]); break;
        case 6: script.push(['LSET', k, int(), pick(vals)]); break;
        case 7: script.push(['LINSERT', k, pick(['BEFORE', 'AFTER']), pick(vals), pick(vals)]); break;
        case 8: script.push(['LREM', k, int(), pick(vals)]); break;
        case 9: script.push(['LTRIM', k, int(), String(Math.floor(rand() * 30) - 3)]); break;
        case 10: script.push(['LPOS', k, pick(vals), 'RANK', pick(['1', '2', '-1', '-3']), 'COUNT', String(Math.floor(rand() * 3)), 'MAXLEN', String(Math.floor(rand() * 6))]); break;
        case 11: script.push(['LMOVE', k, pick(keys), side(), side()]); break;
        case 12: script.push(['RPOPLPUSH', k, pick(keys)]); break;
        case 13: script.push(['LMPOP', '2', k, pick(keys), side(), 'COUNT', String(n)]); break;
        case 14: script.push(['LLEN', k]); break;
        default: script.push(['BLMPOP', '0.01', '1', k, side()], ['LRANGE', k, '0', '-1']);
      }
    }
    for (const k of keys) script.push(['LRANGE', k, '0', '-1']);
    return runScript(pair, script);
  });

  t('blocked clients are served in the order they blocked', (pair) =>
    scenario(pair, 4, async ([p, a, b, c]) => {
      a!.send('BLPOP', 'q', '0');
      await blocked(p!, 1);
      b!.send('BRPOP', 'q', 'other', '0');
      await blocked(p!, 2);
      c!.send('BLPOP', 'other', 'q', '0');
      await blocked(p!, 3);
      const out = [await p!.callRaw('RPUSH', 'q', 'x', 'y', 'z', 'w')];
      out.push(await a!.readRaw(), await b!.readRaw(), await c!.readRaw());
      out.push(await p!.callRaw('LRANGE', 'q', '0', '-1'));
      return out;
    }));

  t('one push wakes only as many clients as it has elements', (pair) =>
    scenario(pair, 3, async ([p, a, b]) => {
      a!.send('BLPOP', 'q', '0');
      await blocked(p!, 1);
      b!.send('BLPOP', 'q', '0');
      await blocked(p!, 2);
      const out = [await p!.callRaw('LPUSH', 'q', 'one')];
      out.push(await a!.readRaw());
      await blocked(p!, 1);
      out.push(await p!.callRaw('RPUSH', 'q', 'two'));
      out.push(await b!.readRaw(), await p!.callRaw('EXISTS', 'q'));
      return out;
    }));

  t('BLMOVE chains wake each other in one pass', (pair) =>
    scenario(pair, 4, async ([p, a, b, c]) => {
      a!.send('BLMOVE', 'l1', 'l2', 'LEFT', 'RIGHT', '0');
      await blocked(p!, 1);
      b!.send('BRPOPLPUSH', 'l2', 'l3', '0');
      await blocked(p!, 2);
      c!.send('BLMPOP', '0', '2', 'nokey', 'l3', 'LEFT', 'COUNT', '3');
      await blocked(p!, 3);
      const out = [await p!.callRaw('RPUSH', 'l1', 'v')];
      out.push(await a!.readRaw(), await b!.readRaw(), await c!.readRaw());
      out.push(await p!.callRaw('EXISTS', 'l1', 'l2', 'l3'));
      return out;
    }));

  t('BLMOVE to a key of the wrong type fails once served; the element stays', (pair) =>
    scenario(pair, 2, async ([p, a]) => {
      a!.send('BLMOVE', 'src', 'dst', 'LEFT', 'LEFT', '0');
      await blocked(p!, 1);
      const out = [await p!.callRaw('SET', 'dst', 'str'), await p!.callRaw('RPUSH', 'src', 'e')];
      out.push(await a!.readRaw(), await p!.callRaw('LRANGE', 'src', '0', '-1'));
      a!.send('BLMOVE', 'src2', 'src2', 'RIGHT', 'LEFT', '0');
      await blocked(p!, 1);
      out.push(await p!.callRaw('RPUSH', 'src2', 'x', 'y'), await a!.readRaw(), await p!.callRaw('LRANGE', 'src2', '0', '-1'));
      return out;
    }));

  t('keys of another type keep clients blocked until a list appears', (pair) =>
    scenario(pair, 2, async ([p, a]) => {
      a!.send('BLPOP', 'k', '0');
      await blocked(p!, 1);
      const out = [await p!.callRaw('SET', 'k', 'v'), await p!.callRaw('APPEND', 'k', 'w'), await p!.callRaw('DEL', 'k')];
      out.push(await p!.callRaw('SADD', 'k', 'm'), await p!.callRaw('DEL', 'k'));
      await blocked(p!, 1);
      out.push(await p!.callRaw('RPUSH', 'k', 'finally'), await a!.readRaw());
      return out;
    }));

  t('list and sorted-set waiters on one key: each is served by its own type', (pair) =>
    scenario(pair, 3, async ([p, a, b]) => {
      a!.send('BLPOP', 'k', '0');
      await blocked(p!, 1);
      b!.send('BZPOPMIN', 'k', '0');
      await blocked(p!, 2);
      const out = [await p!.callRaw('ZADD', 'k', '1', 'm', '2', 'n'), await b!.readRaw()];
      out.push(await p!.callRaw('DEL', 'k'), await p!.callRaw('RPUSH', 'k', 'e'), await a!.readRaw());
      return out;
    }));

  t('a transaction wakes blocked clients once it has run', (pair) =>
    scenario(pair, 2, async ([p, a]) => {
      a!.send('BLPOP', 'k', '0');
      await blocked(p!, 1);
      const out: string[] = [];
      for (const cmd of [['MULTI'], ['RPUSH', 'k', 'a'], ['RPUSH', 'k', 'b'], ['LPOP', 'k'], ['EXEC']]) out.push(await p!.callRaw(...cmd));
      out.push(await a!.readRaw(), await p!.callRaw('EXISTS', 'k'));
      a!.send('BLPOP', 'k', '0');
      await blocked(p!, 1);
      for (const cmd of [['MULTI'], ['RPUSH', 'k', 'a'], ['DEL', 'k'], ['EXEC']]) out.push(await p!.callRaw(...cmd));
      await blocked(p!, 1);
      out.push(await p!.callRaw('RPUSH', 'k', 'c'), await a!.readRaw());
      return out;
    }));

  t('databases: clients block on their own db; SWAPDB, MOVE and RENAME wake them', (pair) =>
    scenario(pair, 3, async ([p, a, b]) => {
      const out = [await a!.callRaw('SELECT', '1')];
      a!.send('BLPOP', 'k', '0');
      await blocked(p!, 1);
      b!.send('BLPOP', 'moved', '0');
      await blocked(p!, 2);
      out.push(await p!.callRaw('RPUSH', 'k', 'db0'), await p!.callRaw('SELECT', '1'), await p!.callRaw('RPUSH', 'k', 'db1'));
      out.push(await a!.readRaw(), await p!.callRaw('RPUSH', 'tmp', 'r'), await p!.callRaw('SELECT', '0'));
      out.push(await p!.callRaw('LLEN', 'k'));
      // db 1 holds tmp: swapping puts it in db 0, RENAME then creates "moved"
      out.push(await p!.callRaw('SWAPDB', '0', '1'), await p!.callRaw('RENAME', 'tmp', 'moved'), await b!.readRaw());
      a!.send('BLPOP', 'sw', '0');
      await blocked(p!, 1);
      out.push(await p!.callRaw('RPUSH', 'sw', 'in0'), await p!.callRaw('MOVE', 'sw', '1'), await a!.readRaw());
      a!.send('BLPOP', 'sw2', '0');
      await blocked(p!, 1);
      out.push(await p!.callRaw('RPUSH', 'sw2', 'z'));
      out.push(await p!.callRaw('SWAPDB', '0', '1'), await a!.readRaw());
      return out;
    }));

  t('CLIENT UNBLOCK, disconnects and pipelined commands behind a blocked one', (pair) =>
    scenario(pair, 3, async ([p, a, b]) => {
      const id = String(await a!.call('CLIENT', 'ID'));
      a!.send('BLPOP', 'k', '0');
      await blocked(p!, 1);
      const out = [await p!.callRaw('CLIENT', 'UNBLOCK', id), await a!.readRaw()];
      a!.send('BLMOVE', 'k', 'd', 'LEFT', 'LEFT', '0');
      await blocked(p!, 1);
      out.push(await p!.callRaw('CLIENT', 'UNBLOCK', id, 'ERROR'), await a!.readRaw());
      out.push(await p!.callRaw('CLIENT', 'UNBLOCK', id));
      b!.send('BLPOP', 'k', '0');
      await blocked(p!, 1);
      b!.close();
      await blocked(p!, 0);
      out.push(await p!.callRaw('RPUSH', 'k', 'kept'), await p!.callRaw('LRANGE', 'k', '0', '-1'), await p!.callRaw('DEL', 'k'));
      a!.writeRaw('*3\r\n$5\r\nBLPOP\r\n$1\r\nk\r\n$1\r\n0\r\n*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nLLEN\r\n$1\r\nk\r\n');
      await blocked(p!, 1);
      out.push(await p!.callRaw('RPUSH', 'k', 'x', 'y'));
      out.push(await a!.readRaw(), await a!.readRaw(), await a!.readRaw());
      return out;
    }));

  t('BLPOP with the same key twice, RESP3 replies when served', (pair) =>
    scenario(pair, 2, async ([p, a]) => {
      await a!.call('HELLO', '3');
      a!.send('BLPOP', 'k', 'k', 'j', 'k', '0');
      await blocked(p!, 1);
      const out = [await p!.callRaw('RPUSH', 'k', 'v'), await a!.readRaw()];
      a!.send('BLMPOP', '0', '1', 'k', 'RIGHT', 'COUNT', '2');
      await blocked(p!, 1);
      out.push(await p!.callRaw('RPUSH', 'k', 'a', 'b', 'c'), await a!.readRaw());
      a!.send('BLPOP', 'none', '0.01');
      out.push(await a!.readRaw());
      return out;
    }));
});
