/**
 * Stream commands as Redis 7.4.1 has them, against recorded replies
 * (compat/recorded.ts): XREAD … STREAMS key + (the last entry, 7.4);
 * consumers' seen-time and active-time (7.2: XINFO STREAM FULL, XINFO
 * CONSUMERS' inactive), consumers created by every group read and claim,
 * XSETID against the max deleted ID, XADD * in a script, 7.4's errors.
 */
import { recordedSuite } from './recorded.ts';
import type { Script } from './harness.ts';
import { rng } from '../test/helpers/rng.ts';

const lastEntry: Script = [
  ['XREAD', 'STREAMS', 's', '+'], ['XADD', 's', '1-1', 'a', '1'], ['XADD', 's', '1-2', 'b', '2'], ['XADD', 's', '2-0', 'c', '3', 'd', '4'],
  ['XREAD', 'STREAMS', 's', '+'], ['XREAD', 'COUNT', '1', 'STREAMS', 's', '+'], ['XREAD', 'COUNT', '0', 'STREAMS', 's', '+'],
  ['XREAD', 'COUNT', '5', 'STREAMS', 's', '+'], ['XREAD', 'COUNT', '-1', 'STREAMS', 's', '+'],
  ['XADD', 's2', '7-3', 'x', 'y'], ['XREAD', 'STREAMS', 's', 's2', '+', '+'], ['XREAD', 'COUNT', '1', 'STREAMS', 's', 'nokey', 's2', '+', '+', '+'],
  ['XREAD', 'STREAMS', 's', 's2', '+', '0'], ['XREAD', 'STREAMS', 's2', 's', '$', '+'], ['XREAD', 'STREAMS', 's', 's', '+', '0-0'],
  ['XREAD', 'STREAMS', 'nokey', '+'], ['XREAD', 'STREAMS', 'nokey', 'nokey2', '+', '+'], ['XREAD', 'BLOCK', '0', 'STREAMS', 's', '+'],
  ['XREAD', 'BLOCK', '10', 'STREAMS', 's', 'nokey', '+', '+'], ['XREAD', 'STREAMS', 's', '++'], ['XREAD', 'STREAMS', 's', '+1'],
  ['XREAD', 'STREAMS', 's'],
  // the last entry deleted: its ID stays the stream's last ID, so nothing is past the one before it
  ['XDEL', 's', '2-0'], ['XREAD', 'STREAMS', 's', '+'], ['XREAD', 'STREAMS', 's', 's2', '+', '+'], ['XREAD', 'BLOCK', '10', 'STREAMS', 's', '+'],
  ['XADD', 's', '2-1', 'e', '5'], ['XREAD', 'STREAMS', 's', '+'], ['XTRIM', 's', 'MAXLEN', '0'], ['XREAD', 'STREAMS', 's', '+'],
  // an ID with sequence 0: the one before is (ms-1)-18446744073709551615
  ['XADD', 't', '5-0', 'f', 'v'], ['XREAD', 'STREAMS', 't', '+'], ['XADD', 'u', '0-1', 'f', 'v'], ['XREAD', 'STREAMS', 'u', '+'],
  // an empty stream whose last ID is 0-0
  ['XGROUP', 'CREATE', 'e', 'g', '$', 'MKSTREAM'], ['XREAD', 'STREAMS', 'e', '+'], ['XREAD', 'STREAMS', 's2', 'e', '+', '+'],
  ['XREAD', 'STREAMS', 'e', '0'],
  ['XGROUP', 'CREATE', 's2', 'g', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's2', '+'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's2', '$'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'nokey', '+'], ['SET', 'str', 'x'], ['XREAD', 'STREAMS', 'str', '+'],
  ['XREAD', 'STREAMS', 's2', 'str', '+', '+'], ['XREAD', 'STREAMS', 's2', 'str', '+', 'bad'],
  ['MULTI'], ['XREAD', 'BLOCK', '0', 'STREAMS', 's2', '+'], ['XREAD', 'BLOCK', '0', 'STREAMS', 'nokey', '+'], ['EXEC'],
  ['EVAL', "return redis.call('XREAD', 'STREAMS', KEYS[1], '+')", '1', 's2'],
];

/**
 * Runs commands in one script, where Redis 7.4 (and shardis) keep one time
 * for the whole run, and returns their replies with times made comparable:
 * a timestamp (an integer past 10^12: seen-time, active-time, delivery
 * times) is 'now' when it is the latest one in the replies, else 'earlier';
 * the value after 'idle' or 'inactive' is 'positive' when above 0. In
 * 'timeless' mode every timestamp is 'time', every idle / inactive time
 * that is not -1 is 'ms', and XPENDING's idle times are 'idle'.
 */
const SCRIPT = `
local out = {}
local timeless = ARGV[1] == 'timeless'
local i = 2
while i <= #ARGV do
  local n = tonumber(ARGV[i])
  local cmd = {}
  for k = 1, n do cmd[k] = ARGV[i + k] end
  i = i + n + 1
  out[#out + 1] = redis.pcall(unpack(cmd))
end
local latest = 0
local function scan(t)
  for _, v in ipairs(t) do
    if type(v) == 'table' then scan(v) elseif type(v) == 'number' and v > 1e12 and v > latest then latest = v end
  end
end
local function fix(t)
  local prev = nil
  -- an XPENDING entry: id, consumer, idle, deliveries
  if timeless and #t == 4 and type(t[1]) == 'string' and type(t[2]) == 'string' and type(t[3]) == 'number' and type(t[4]) == 'number' and t[3] < 1e12 then t[3] = 'idle' end
  for k, v in ipairs(t) do
    if type(v) == 'table' then fix(v)
    elseif type(v) == 'number' and v > 1e12 then t[k] = timeless and 'time' or ((v == latest) and 'now' or 'earlier')
    elseif type(v) == 'number' and v >= 0 and timeless and (prev == 'idle' or prev == 'inactive') then t[k] = 'ms'
    elseif type(v) == 'number' and v > 0 and (prev == 'idle' or prev == 'inactive') then t[k] = 'positive' end
    prev = v
  end
end
scan(out)
fix(out)
return out`;

function inScript(key: string, ...cmds: string[][]): string[] {
  return ['EVAL', SCRIPT, '1', key, 'relative', ...cmds.flatMap((c) => [String(c.length), ...c])];
}

function timeless(key: string, ...cmds: string[][]): string[] {
  return ['EVAL', SCRIPT, '1', key, 'timeless', ...cmds.flatMap((c) => [String(c.length), ...c])];
}

/**
 * Random group traffic (seeded): reads, acks, claims, autoclaims, deletes,
 * trims, SETID / DELCONSUMER / CREATECONSUMER, with the PELs, consumers and
 * groups looked at now and then (7.4 creates consumers 7.0 did not).
 */
function groupTraffic(): Script {
  const rand = rng(5);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const script: Script = [];
  for (let round = 0; round < 6; round++) {
    script.push(['FLUSHALL'], ['CONFIG', 'SET', 'stream-node-max-entries', pick(['2', '5', '100'])]);
    const ids: string[] = [];
    let ms = 1000;
    let lastMs = -1;
    let seq = 0;
    for (let i = 0; i < 25; i++) {
      ms += Math.floor(rand() * 3);
      seq = ms === lastMs ? seq + 1 : 0;
      lastMs = ms;
      script.push(['XADD', 's', `${ms}-*`, 'f', String(i)]);
      ids.push(`${ms}-${seq}`);
    }
    for (const g of ['g1', 'g2']) script.push(['XGROUP', 'CREATE', 's', g, pick(['0', '$', pick(ids)])]);
    for (let step = 0; step < 80; step++) {
      const g = pick(['g1', 'g2', 'nog']);
      const c = pick(['c1', 'c2', 'c3']);
      const op = rand();
      let cmd: string[];
      if (op < 0.25) cmd = ['XREADGROUP', 'GROUP', g, c, 'COUNT', String(Math.floor(rand() * 4)), ...(rand() < 0.2 ? ['NOACK'] : []), 'STREAMS', 's', pick(['>', '>', '0', pick(ids)])];
      else if (op < 0.35) cmd = ['XACK', 's', g, pick(ids), pick(ids)];
      else if (op < 0.45) {
        ms += 1;
        cmd = ['XADD', 's', `${ms}-0`, 'f', 'x'];
        ids.push(`${ms}-0`);
      } else if (op < 0.5) cmd = ['XDEL', 's', pick(ids)];
      else if (op < 0.55) cmd = ['XTRIM', 's', pick(['MAXLEN', 'MINID']), pick(['=', '~']), rand() < 0.5 ? String(Math.floor(rand() * 20)) : pick(ids)];
      else if (op < 0.65) cmd = ['XCLAIM', 's', g, c, '0', pick(ids), pick(ids), ...pick([[], ['JUSTID'], ['FORCE'], ['RETRYCOUNT', '3'], ['LASTID', pick(ids)]]), 'TIME', '1000'];
      else if (op < 0.75) cmd = ['XAUTOCLAIM', 's', g, c, '0', pick(['-', pick(ids), `(${pick(ids)}`]), ...pick([[], ['COUNT', String(1 + Math.floor(rand() * 3))], ['JUSTID']])];
      else if (op < 0.82) cmd = ['XPENDING', 's', g];
      else if (op < 0.88) cmd = ['XINFO', 'GROUPS', 's'];
      else if (op < 0.92) cmd = ['XGROUP', 'SETID', 's', g, pick(['0', '$', pick(ids)])];
      else if (op < 0.95) cmd = ['XGROUP', 'DELCONSUMER', 's', g, c];
      else cmd = ['XGROUP', 'CREATECONSUMER', 's', g, c];
      script.push(cmd);
      if (rand() < 0.15) {
        const gl = pick(['g1', 'g2']);
        script.push(timeless('s', ['XPENDING', 's', gl, '-', '+', '100'], ['XINFO', 'CONSUMERS', 's', gl], ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '0']));
      }
    }
  }
  script.push(['CONFIG', 'SET', 'stream-node-max-entries', '100']);
  return script;
}

/** A pause, so that times before it are 'earlier' than the script's after it. */
const pause = ['DEBUG', 'SLEEP', '0.01'];

const consumerTimes: Script = [
  ['XADD', 's', '1-1', 'a', '1'], ['XADD', 's', '1-2', 'b', '2'], ['XADD', 's', '1-3', 'c', '3'], ['XGROUP', 'CREATE', 's', 'g', '0'],
  ['XGROUP', 'CREATECONSUMER', 's', 'g', 'never'],
  pause,
  // a read that delivers makes the consumer active; a NOACK read only seen
  inScript('s',
    ['XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '1', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'bob', 'NOACK', 'COUNT', '1', 'STREAMS', 's', '>'],
    ['XINFO', 'CONSUMERS', 's', 'g'], ['XINFO', 'STREAM', 's', 'FULL']),
  pause,
  // reading its history, or finding nothing new, is seen but not active; the reading consumer is created all the same
  inScript('s',
    ['XREADGROUP', 'GROUP', 'g', 'alice', 'STREAMS', 's', '0'], ['XREADGROUP', 'GROUP', 'g', 'carol', 'COUNT', '1', 'STREAMS', 's', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'dan', 'STREAMS', 's', '>'], ['XREADGROUP', 'GROUP', 'g', 'erin', 'BLOCK', '0', 'STREAMS', 's', '>'],
    ['XINFO', 'CONSUMERS', 's', 'g'], ['XINFO', 'STREAM', 's', 'FULL', 'COUNT', '1']),
  pause,
  // claims: the claimer is created and seen even when it claims nothing, active when it claims
  inScript('s',
    ['XCLAIM', 's', 'g', 'frank', '0', '1-1'], ['XCLAIM', 's', 'g', 'gina', '0', '9-9'], ['XCLAIM', 's', 'g', 'hal', '100000', '1-3'],
    ['XAUTOCLAIM', 's', 'g', 'ivy', '0', '0', 'COUNT', '1', 'JUSTID'], ['XAUTOCLAIM', 's', 'g', 'jo', '100000', '0'],
    ['XPENDING', 's', 'g'], ['XINFO', 'CONSUMERS', 's', 'g']),
  pause,
  // an entry deleted while pending: XAUTOCLAIM drops it and reports it, its claimer still seen
  ['XDEL', 's', '1-3'],
  inScript('s', ['XAUTOCLAIM', 's', 'g', 'kim', '0', '0'], ['XINFO', 'CONSUMERS', 's', 'g'], ['XINFO', 'STREAM', 's', 'FULL']),
  ['XGROUP', 'DELCONSUMER', 's', 'g', 'carol'], ['XINFO', 'GROUPS', 's'],
  // outside a script: the fields that do not move with the clock
  ['XGROUP', 'CREATE', 'e', 'g', '$', 'MKSTREAM'], ['XREADGROUP', 'GROUP', 'g', 'new', 'STREAMS', 'e', '>'],
  ['XREADGROUP', 'GROUP', 'g', 'new2', 'BLOCK', '10', 'STREAMS', 'e', '>'], ['XCLAIM', 'e', 'g', 'new3', '0', '0-1'],
  ['XAUTOCLAIM', 'e', 'g', 'new4', '0', '0'], ['XINFO', 'STREAM', 'e'], pause,
  inScript('e', ['XINFO', 'CONSUMERS', 'e', 'g']),
];

const errors74: Script = [
  ['XADD', 's', '1-1', 'a', '1'], ['XGROUP', 'CREATE', 's', 'g', '0'],
  ['XREAD', 'STREAMS', 's', 's2', '0'], ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', 's2', '>'], ['xReAd', 'COUNT', '1', 'STREAMS', 's'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's'],
  // BLOCK in a script: no error, the timeout's reply
  ['EVAL', "return redis.call('XREAD', 'BLOCK', '0', 'STREAMS', KEYS[1], '$')", '1', 's'],
  ['EVAL', "return redis.call('XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', '0', 'STREAMS', KEYS[1], '>')", '1', 's'],
  ['EVAL', "return redis.call('XREAD', 'BLOCK', '0', 'STREAMS', KEYS[1], '0')", '1', 's'],
  ['MULTI'], ['XREADGROUP', 'GROUP', 'g', 'c2', 'BLOCK', '0', 'STREAMS', 's', '>'], ['EXEC'],
  // XSETID below the max deleted entry ID, even of an empty stream
  ['XADD', 's', '1-2', 'b', '2'], ['XDEL', 's', '1-2'], ['XSETID', 's', '1-1'], ['XSETID', 's', '1-2'], ['XSETID', 's', '1-3'],
  ['XTRIM', 's', 'MAXLEN', '0'], ['XINFO', 'STREAM', 's'], ['XSETID', 's', '1-1'], ['XSETID', 's', '0-0'], ['XSETID', 's', '1-3', 'MAXDELETEDID', '1-4'],
  ['XSETID', 's', '2-0', 'ENTRIESADDED', '5', 'MAXDELETEDID', '1-9'], ['XSETID', 's', '1-9'], ['XSETID', 's', '1-8'], ['XINFO', 'STREAM', 's'],
  ['XSETID', 'nokey', '1-1'], ['SET', 'str', 'x'], ['XSETID', 'str', '1-1'],
  // XADD * in a script: one time for the whole script, so the sequence counts up
  ['EVAL', "local a = redis.call('XADD', KEYS[1], '*', 'f', 'v') local b = redis.call('XADD', KEYS[1], '*', 'f', 'v') local c = redis.call('XADD', KEYS[1], '*', 'f', 'v') return {string.match(a, '-(%d+)$'), string.match(b, '-(%d+)$'), string.match(c, '-(%d+)$'), string.match(a, '^(%d+)') == string.match(c, '^(%d+)')}", '1', 't'],
  ['XINFO', 'HELP', 'x'], ['XINFO', 'STREAM'], ['XINFO', 'CONSUMERS', 's'], ['XINFO', 'GROUPS'],
];

recordedSuite('v74-stream', {
  'XREAD STREAMS key +, RESP2': lastEntry,
  'XREAD STREAMS key +, RESP3': [{ cmd: ['HELLO', '3'], ignore: true }, ...lastEntry],
  'consumers seen-time and active-time, RESP2': consumerTimes,
  'consumers seen-time and active-time, RESP3': [{ cmd: ['HELLO', '3'], ignore: true }, ...consumerTimes],
  '7.4 errors, XSETID and XADD in scripts': errors74,
  'random group traffic: reads, acks, claims, autoclaims, deletes and trims': groupTraffic(),
});
