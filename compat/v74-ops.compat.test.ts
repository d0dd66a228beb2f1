/**
 * Operations commands and parameters as Redis 7.4.1 has them, against
 * recorded replies (compat/recorded.ts): the configuration parameters Redis
 * 7.2 and 7.4 added or changed (CONFIG GET/SET, validation errors), WAITAOF
 * (7.2) where it answers at once (no AOF, no replicas: its blocking, the AOF
 * and replicas are in test/integration/waitaof.test.ts), CLUSTER MYSHARDID
 * outside cluster mode, and CLIENT KILL MAXAGE's errors.
 */
import { recordedSuite } from './recorded.ts';
import type { Script } from './harness.ts';

const get = (...names: string[]): Script => names.map((n) => ['CONFIG', 'GET', n]);

recordedSuite('v74-ops', {
  // (7.2+ digests a score as fpconv_dtoa writes it, 7.0 as %.17g)
  'DEBUG DIGEST and DIGEST-VALUE for every type': [
    ['DEBUG', 'DIGEST'], ['SET', 's', 'hello'], ['SET', 'n', '12345'], ['SET', 'neg', '-7'], ['RPUSH', 'l', 'a', '1', '300', '-5', '70000', 'bb'],
    ['SADD', 'set', 'x', 'y', '1', '2'], ['SADD', 'iset', '1', '2', '3'], ['HSET', 'h', 'f', 'v', 'n', '12'],
    ['ZADD', 'z', '1', 'a', '2.5', 'b', '-3', 'c', '1e300', 'd', 'inf', 'e', '0.1', 'f', '1e10', 'g'],
    ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE', 's', 'n', 'neg', 'l', 'set', 'iset', 'h', 'z', 'none'], ['EXPIRE', 's', '100'], ['DEBUG', 'DIGEST-VALUE', 's'],
    ['DEBUG', 'DIGEST'], ['SELECT', '3'], ['SET', 's', 'hello'], ['DEBUG', 'DIGEST'], ['SWAPDB', '0', '3'], ['DEBUG', 'DIGEST'], ['DEBUG', 'DIGEST-VALUE'],
    ['DEBUG', 'DIGEST', 'x'], ['SELECT', '0'], ['FLUSHALL'],
    ['ZADD', 'bigz', ...Array.from({ length: 300 }, (_, i) => [String(i * 1.5), `m${i}`]).flat()],
    ['HSET', 'bigh', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
    ['SADD', 'bigs', ...Array.from({ length: 600 }, (_, i) => `m${i}`)],
    ['DEBUG', 'DIGEST-VALUE', 'bigz', 'bigh', 'bigs'], ['DEBUG', 'DIGEST'],
  ],
  'parameters added in 7.2 / 7.4: defaults': [
    ...get('hide-user-data-from-log', 'cluster-announce-human-nodename', 'locale-collate', 'max-new-connections-per-cycle',
      'max-new-tls-connections-per-cycle', 'cluster-ping-interval', 'server-cpulist', 'bio-cpulist', 'aof-rewrite-cpulist', 'bgsave-cpulist',
      'server_cpulist', 'bgsave_cpulist', 'maxmemory-samples', 'aof-disable-auto-gc', 'tls-key-file-pass', 'tls-client-key-file-pass'),
    { cmd: ['CONFIG', 'GET', '*cpulist*'], unordered: true },
    { cmd: ['CONFIG', 'GET', 'max-new-*'], unordered: true },
    { cmd: ['CONFIG', 'GET', '*-per-cycle', 'hide-*'], unordered: true },
    // hidden: only by its exact name
    ['CONFIG', 'GET', 'aof-disable*'], ['CONFIG', 'GET', 'cluster-ping*'],
    // not in a default build (LOG_REQ_RES)
    ['CONFIG', 'GET', 'req-res-logfile'], ['CONFIG', 'GET', 'client-default-resp'],
  ],
  'parameters added in 7.2 / 7.4: CONFIG SET and its errors': [
    ['CONFIG', 'SET', 'hide-user-data-from-log', 'yes'], ['CONFIG', 'GET', 'hide-user-data-from-log'],
    ['CONFIG', 'SET', 'hide-user-data-from-log', 'maybe'], ['CONFIG', 'SET', 'hide-user-data-from-log', 'no'],
    ['CONFIG', 'SET', 'max-new-connections-per-cycle', '0'], ['CONFIG', 'SET', 'max-new-connections-per-cycle', '1001'],
    ['CONFIG', 'SET', 'max-new-connections-per-cycle', 'x'], ['CONFIG', 'SET', 'max-new-connections-per-cycle', '-1'],
    ['CONFIG', 'SET', 'max-new-connections-per-cycle', '1000'], ['CONFIG', 'GET', 'max-new-connections-per-cycle'],
    ['CONFIG', 'SET', 'max-new-connections-per-cycle', '10'],
    ['CONFIG', 'SET', 'max-new-tls-connections-per-cycle', '0'], ['CONFIG', 'SET', 'max-new-tls-connections-per-cycle', '7'],
    ['CONFIG', 'GET', 'max-new-tls-connections-per-cycle'], ['CONFIG', 'SET', 'max-new-tls-connections-per-cycle', '1'],
    ['CONFIG', 'SET', 'cluster-announce-human-nodename', 'node-a b_c.1'], ['CONFIG', 'GET', 'cluster-announce-human-nodename'],
    ['CONFIG', 'SET', 'cluster-announce-human-nodename', 'a!b'], ['CONFIG', 'SET', 'cluster-announce-human-nodename', 'a:b'],
    ['CONFIG', 'SET', 'cluster-announce-human-nodename', 'x{y}'], ['CONFIG', 'GET', 'cluster-announce-human-nodename'],
    ['CONFIG', 'SET', 'cluster-announce-human-nodename', ''], ['CONFIG', 'GET', 'cluster-announce-human-nodename'],
    ['CONFIG', 'SET', 'locale-collate', 'C'], ['CONFIG', 'GET', 'locale-collate'], ['CONFIG', 'SET', 'locale-collate', 'POSIX'],
    ['CONFIG', 'SET', 'locale-collate', 'C.UTF-8'], ['CONFIG', 'SET', 'locale-collate', 'C.utf8'], ['CONFIG', 'GET', 'locale-collate'],
    ['CONFIG', 'SET', 'locale-collate', 'no_SUCH.locale'], ['CONFIG', 'SET', 'locale-collate', 'bogus'], ['CONFIG', 'GET', 'locale-collate'],
    ['CONFIG', 'SET', 'locale-collate', ''], ['CONFIG', 'GET', 'locale-collate'],
    ['CONFIG', 'SET', 'cluster-ping-interval', '-1'], ['CONFIG', 'SET', 'cluster-ping-interval', '100'], ['CONFIG', 'GET', 'cluster-ping-interval'],
    ['CONFIG', 'SET', 'cluster-ping-interval', '0'],
    ['CONFIG', 'SET', 'server-cpulist', '0-1'], ['CONFIG', 'SET', 'server_cpulist', '0-1'], ['CONFIG', 'SET', 'bgsave-cpulist', ''],
    ['CONFIG', 'SET', 'maxmemory-samples', '65'], ['CONFIG', 'SET', 'maxmemory-samples', '64'], ['CONFIG', 'GET', 'maxmemory-samples'],
    ['CONFIG', 'SET', 'maxmemory-samples', '0'], ['CONFIG', 'SET', 'maxmemory-samples', '5'],
    ['CONFIG', 'SET', 'loglevel', 'nothing'], ['CONFIG', 'GET', 'loglevel'], ['CONFIG', 'SET', 'loglevel', 'NOTHING'],
    // (the embedded shardis logs warnings only)
    ['CONFIG', 'SET', 'loglevel', 'none'], ['CONFIG', 'SET', 'loglevel', 'warning'],
    ['CONFIG', 'SET', 'aof-disable-auto-gc', 'yes'], ['CONFIG', 'GET', 'aof-disable-auto-gc'], ['CONFIG', 'SET', 'aof-disable-auto-gc', 'no'],
    ['CONFIG', 'SET', 'tls-key-file-pass', 'secret'], ['CONFIG', 'GET', 'tls-key-file-pass'], ['CONFIG', 'SET', 'tls-key-file-pass', ''],
    // several at once: all or nothing
    ['CONFIG', 'SET', 'max-new-connections-per-cycle', '20', 'maxmemory-samples', '100'], ['CONFIG', 'GET', 'max-new-connections-per-cycle'],
    ['CONFIG', 'SET', 'max-new-connections-per-cycle', '20', 'hide-user-data-from-log', 'yes'],
    ['CONFIG', 'GET', 'max-new-connections-per-cycle'], ['CONFIG', 'GET', 'hide-user-data-from-log'],
    ['CONFIG', 'SET', 'max-new-connections-per-cycle', '10', 'hide-user-data-from-log', 'no'],
  ],
  'WAITAOF without AOF or replicas': [
    ['WAITAOF', '0', '0', '0'], ['SET', 'k', 'v'], ['WAITAOF', '0', '0', '0'], ['WAITAOF', '0', '0', '10'],
    ['WAITAOF', '1', '0', '0'], ['WAITAOF', '1', '1', '0'],
    ['WAITAOF', '2', '0', '0'], ['WAITAOF', '-1', '0', '0'], ['WAITAOF', 'x', '0', '0'], ['WAITAOF', '1.5', '0', '0'],
    ['WAITAOF', '0', '-1', '0'], ['WAITAOF', '0', 'x', '0'], ['WAITAOF', '0', '0', '-1'], ['WAITAOF', '0', '0', 'x'],
    ['WAITAOF', '2', 'x', '-1'], ['WAITAOF', '0', 'x', '-1'], ['WAITAOF', '1', '0', '-1'],
    ['WAITAOF', '0', '0'], ['WAITAOF', '0', '0', '0', '0'],
    // inside MULTI and scripts it cannot block: what is acknowledged now
    ['MULTI'], ['SET', 'k', 'w'], ['WAITAOF', '0', '0', '0'], ['WAITAOF', '0', '1', '0'], ['WAITAOF', '1', '0', '0'], ['EXEC'],
    ['EVAL', "return redis.call('WAITAOF', 0, 0, 0)", '0'], ['EVAL', "return redis.call('WAITAOF', 0, 1, 0)", '0'],
    ['EVAL', "return redis.pcall('WAITAOF', 1, 0, 0)", '0'],
    ['COMMAND', 'INFO', 'waitaof'], ['COMMAND', 'GETKEYS', 'WAITAOF', '0', '0', '0'],
  ],
  'CLUSTER MYSHARDID without cluster mode': [
    ['CLUSTER', 'MYSHARDID'], ['CLUSTER', 'MYSHARDID', 'x'], ['CLUSTER', 'myshardid'],
  ],
  'CLIENT KILL MAXAGE errors and no match': [
    ['CLIENT', 'KILL', 'MAXAGE', '3600'], ['CLIENT', 'KILL', 'MAXAGE', '0'], ['CLIENT', 'KILL', 'MAXAGE', '-5'],
    ['CLIENT', 'KILL', 'MAXAGE', 'x'], ['CLIENT', 'KILL', 'MAXAGE', '1.5'], ['CLIENT', 'KILL', 'MAXAGE'],
    ['CLIENT', 'KILL', 'MAXAGE', '3600', 'TYPE', 'normal'], ['CLIENT', 'KILL', 'TYPE', 'normal', 'MAXAGE', '3600', 'SKIPME', 'no'],
    ['CLIENT', 'KILL', 'MAXAGE', '3600', 'TYPE', 'bogus'], ['CLIENT', 'KILL', 'MAXAGE', '0', 'TYPE', 'bogus'],
    ['CLIENT', 'KILL', 'MAXAGE', '99999999999999999999'],
  ],
});
