/**
 * Client-visible behaviour Redis 7.2 and 7.4 changed, against recorded
 * 7.4.1 replies (compat/recorded.ts). INFO sections are compared by their
 * field names and order (through EVAL, values differ by nature).
 */
import { recordedSuite } from './recorded.ts';

/** An INFO section with the values cut: the field names and headers, in order (shardis's own fields, after Redis's, left out: rate_limited_*). */
const infoNames = (section: string): string[] => [
  'EVAL',
  `local names = string.gsub(redis.call('INFO','${section}'), ':[^\\r]*', '') return (string.gsub(names, 'rate_limited_[%a_]+\\r\\n', ''))`,
  '0',
];

const E = (body: string, ...rest: string[]): string[] => ['EVAL', body, ...(rest.length ? rest : ['0'])];

recordedSuite('v74-behaviour', {
  'BITCOUNT / BITPOS parse the range before looking the key up (7.4, #11734 / #12394)': [
    ['BITCOUNT', 'nokey', '0'], ['BITCOUNT', 'nokey', '0', '1', 'BIT', 'x'], ['BITCOUNT', 'nokey', 'a', 'b'], ['BITCOUNT', 'nokey', '0', 'b'],
    ['BITCOUNT', 'nokey', '0', '1', 'bit'], ['BITCOUNT', 'nokey', '-1', '-5'], ['BITCOUNT', 'nokey'], ['BITCOUNT', 'nokey', '0', '1', '2', '3'],
    ['BITCOUNT', 'nope', 'a'], ['BITPOS', 'nope', '0', 'x'],
    ['BITPOS', 'nokey', '1', '0', '1', 'BIT', 'x'], ['BITPOS', 'nokey', '2'], ['BITPOS', 'nokey', '1', 'a'], ['BITPOS', 'nokey', '0', '0', 'a'],
    ['BITPOS', 'nokey', '0', '0', '1', 'byte'], ['BITPOS', 'nokey', '0', '0', '1', '2', '3'], ['BITPOS', 'nokey', '0', 'a', '1', 'xx'],
    ['BITPOS', 'nokey', '0', '1', 'a', 'xx'], ['BITPOS', 'nokey', '0'],
    ['LPUSH', 'l', 'a'], ['BITCOUNT', 'l', '0', '1', 'x'], ['BITCOUNT', 'l', 'a', '1'], ['BITCOUNT', 'l', '0', '1'], ['BITCOUNT', 'l'],
    ['BITPOS', 'l', '1', 'a'], ['BITPOS', 'l', '1', '0', '1', 'x'], ['BITPOS', 'l', '1'],
    ['SET', 's', 'foobar'], ['BITCOUNT', 's', '-1', '-2', 'BOO'], ['BITCOUNT', 's', '-1', '-2', 'bit'], ['BITCOUNT', 's', '1', '1'],
    ['BITCOUNT', 's', '5', '30', 'BIT'], ['BITPOS', 's', '1', '2', '-1', 'BYTE'], ['BITPOS', 's', '0', '7', '15', 'BIT'],
  ],
  'blocking commands in scripts behave as in MULTI (7.2, #11568; XREAD BLOCK 7.4, #12596); WAITAOF in scripts (7.4, #12977)': [
    E("return redis.call('blpop','x',0)"), E("return redis.pcall('brpop','x',0)"),
    E("return redis.call('BLPOP','nolist',0)"), E("return redis.call('BRPOP','nolist',1)"), E("return redis.call('BRPOPLPUSH','nolist','x',0)"),
    E("return redis.call('BLMOVE','a','b','LEFT','RIGHT',0)"), E("return redis.call('BZPOPMIN','z',0)"), E("return redis.call('BZPOPMAX','z',0)"),
    E("return redis.call('WAIT',0,0)"), E("return redis.call('WAIT',1,100)"),
    ['RPUSH', 'l', 'a', 'b'], ['ZADD', 'z', '1', 'a', '2', 'b'],
    E("return redis.call('BLPOP','l',0)"), E("return redis.call('BRPOP','l',0)"), E("return redis.call('BZPOPMIN','z',0)"), E("return redis.call('BZPOPMAX','z',0)"),
    ['RPUSH', 'l', 'a', 'b'], E("return redis.call('BLMOVE','l','l2','LEFT','RIGHT',0)"), E("return redis.call('BRPOPLPUSH','l','l2',0)"),
    E("return redis.call('BLPOP','l',-1)"), E("return redis.call('BLPOP','l','x')"),
    E("return redis.call('XREAD','BLOCK',0,'STREAMS','st','$')"), E("return redis.call('XREAD','BLOCK',0,'STREAMS','st','+')"),
    ['XGROUP', 'CREATE', 'st', 'g', '$', 'MKSTREAM'], E("return redis.call('XREADGROUP','GROUP','g','c','BLOCK',0,'STREAMS','st','>')"),
    ['XADD', 'st', '1-1', 'f', 'v'], E("return redis.call('XREAD','BLOCK',0,'STREAMS','st','0')"),
    ['FUNCTION', 'LOAD', "#!lua name=blk\nredis.register_function('f', function() return redis.call('BLPOP','nolist',0) end)"], ['FCALL', 'f', '0'],
    ['FUNCTION', 'DELETE', 'blk'],
  ],
  'HELLO changes nothing unless it succeeds (7.2, #11659)': [
    ['ACL', 'SETUSER', 'hu', 'on', '>pw', '+@all', '~*', '&*'],
    ['HELLO', '3', 'SETNAME', 'abc', 'AUTH', 'hu', 'wrong'], ['CLIENT', 'GETNAME'], ['ACL', 'WHOAMI'], ['GET', 'nokey'],
    ['HELLO', '3', 'SETNAME', 'abc', 'AUTH', 'nouser', 'wrong'], ['CLIENT', 'GETNAME'],
    ['HELLO', '4', 'SETNAME', 'abc'], ['CLIENT', 'GETNAME'], ['HELLO', '3', 'SETNAME', 'a b'], ['CLIENT', 'GETNAME'], ['GET', 'nokey'],
    ['HELLO', '2', 'AUTH', 'hu', 'pw', 'SETNAME', 'a b'], ['ACL', 'WHOAMI'], ['HELLO', '3', 'SETNAME', 'x', 'SETNAME', 'a b'], ['CLIENT', 'GETNAME'],
    ['HELLO', '2', 'SETNAME', 'first', 'AUTH', 'x', 'y'], ['CLIENT', 'GETNAME'],
    { cmd: ['HELLO', '3', 'AUTH', 'hu', 'pw', 'SETNAME', 'ok'], ignore: true }, ['ACL', 'WHOAMI'], ['CLIENT', 'GETNAME'], ['GET', 'nokey'],
    ['HELLO', '2', 'AUTH', 'default', 'x', 'SETNAME', 'bad name'], ['ACL', 'WHOAMI'], ['CLIENT', 'GETNAME'], ['GET', 'nokey'],
    ['HELLO', '2', 'AUTH', 'nobody', 'x'], ['ACL', 'WHOAMI'], ['GET', 'nokey'],
    { cmd: ['HELLO', '2', 'SETNAME', 'x', 'SETNAME', 'second'], ignore: true }, ['CLIENT', 'GETNAME'], ['GET', 'nokey'],
    ['AUTH', 'default', 'x'], ['ACL', 'DELUSER', 'hu'],
  ],
  'HELLO unauthenticated: the NOAUTH text names HELLO <proto> AUTH (7.2)': [
    ['CONFIG', 'SET', 'requirepass', 'pw'], ['RESET'], ['HELLO', '3'], ['HELLO', '3', 'SETNAME', 'x'], ['CLIENT', 'GETNAME'],
    ['HELLO', '3', 'AUTH', 'default', 'bad'], ['PING'], { cmd: ['HELLO', '2', 'AUTH', 'default', 'pw'], ignore: true }, ['PING'],
    ['CONFIG', 'SET', 'requirepass', ''],
  ],
  // each step reads one frame, so a push shifts the frames after it: the PINGs keep the sequence whole
  'RESP3: PUBLISH to a channel the client itself subscribes gets its reply before the message (7.2, #12326)': [
    { cmd: ['HELLO', '3'], ignore: true }, ['SUBSCRIBE', 'ch'], ['PUBLISH', 'ch', 'hi'], ['PING', 'after-message'],
    ['SSUBSCRIBE', 'sc'], ['SPUBLISH', 'sc', 'yo'], ['PING', 'after-smessage'],
    ['MULTI'], ['PUBLISH', 'ch', 'm'], ['PUBLISH', 'ch', 'n'], ['EXEC'], ['PING', 'm'], ['PING', 'n'],
    E("return {redis.call('publish','ch','e'), redis.call('publish','ch','f')}"), ['PING', 'e'], ['PING', 'f'],
    ['PSUBSCRIBE', 'c*'], ['PUBLISH', 'ch', 'x'], ['PING', 'x1'], ['PING', 'x2'],
    ['CONFIG', 'SET', 'notify-keyspace-events', 'KA'], ['SUBSCRIBE', '__keyspace@0__:k'], ['SET', 'k', 'v'], ['PING', 'event'],
    ['CONFIG', 'SET', 'notify-keyspace-events', ''],
  ],
  'time stands still for a whole EXEC and a whole script (7.2, #10300)': [
    ['MULTI'], ['SET', 'k', 'v', 'PX', '100'], ['DEBUG', 'SLEEP', '0.2'], ['GET', 'k'], ['PTTL', 'k'], ['EXISTS', 'k'], ['EXEC'], ['EXISTS', 'k'],
    ['MULTI'], ['SET', 'k', 'v', 'PX', '100'], ['DEBUG', 'SLEEP', '0.2'],
    E("return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1])}", '1', 'k'), ['PTTL', 'k'], ['EXEC'], ['EXISTS', 'k'],
    ['SET', 'k2', 'v', 'PX', '100'],
    E("local s = os.clock() while os.clock() - s < 0.2 do end return redis.call('GET', KEYS[1])", '1', 'k2'),
    ['EXISTS', 'k2'],
  ],
  'client-side tracking: a script tracks the keys it reads, for its caller (7.2, #11770)': [
    { cmd: ['HELLO', '3'], ignore: true }, ['CLIENT', 'TRACKING', 'on'],
    E("return {redis.call('get','a'), redis.call('exists','c')}", '1', 'b'), ['SET', 'b', '1'], ['SET', 'a', '1'], ['PING', 'x'], ['SET', 'c', '1'], ['PING', 'y'],
    E("return redis.call('set','d','1')", '1', 'd'), ['SET', 'd', '2'], ['EVAL_RO', "return redis.call('get','e')", '1', 'e'], ['SET', 'e', '1'], ['PING', 'z'],
    ['FUNCTION', 'LOAD', "#!lua name=trk\nredis.register_function{function_name='rd', callback=function(keys) return redis.call('get', 'h') end, flags={'no-writes'}}"],
    ['FCALL_RO', 'rd', '0'], ['SET', 'h', '1'], ['PING', 'w'], ['FUNCTION', 'DELETE', 'trk'],
    ['CLIENT', 'TRACKING', 'off'], ['CLIENT', 'TRACKING', 'on', 'OPTIN'], E("return redis.call('get','f')"), ['SET', 'f', '1'],
    ['CLIENT', 'CACHING', 'yes'], E("return redis.call('get','g')"), ['SET', 'g', '1'], ['PING', 'v'], ['CLIENT', 'TRACKING', 'off'],
  ],
  'Lua os.clock (7.4, #12971): os holds clock only, read-only': [
    E('return type(os.clock())'), E('return type(os)'), E('return os.time'), E('os.clock = 1'), E('return os.clock() >= 0'),
    E('local n = 0 for k in pairs(os) do n = n + 1 end return n'), E('return os.execute'),
    ['FUNCTION', 'LOAD', "#!lua name=clk\nredis.register_function('g', function() return type(os.clock()) end)"], ['FCALL', 'g', '0'],
    ['FUNCTION', 'DELETE', 'clk'],
  ],
  'INFO clients, memory, persistence and stats field names (7.2: acl_access_denied_*, eventloop_*; 7.4: pubsub_clients, watching_clients, total_watched_keys, buffer limit disconnections, evicted_scripts …)': [
    infoNames('clients'), infoNames('memory'), infoNames('persistence'), infoNames('stats'),
  ],
});
