/**
 * The configuration parameters, as Redis 7.0's config table: name, alias,
 * flags, type, bounds and default. CONFIG GET/SET/REWRITE, the config file
 * and `--name value` flags all go through these definitions.
 */

import { formatRate, parseRate } from '../security/rate-bucket.ts';

/** Parameter flags (Redis's *_CONFIG flags that change behaviour here). */
export const PF = {
  IMMUTABLE: 1,
  /** Settable only when enable-protected-configs allows it. */
  PROTECTED: 2,
  /** Not matched by CONFIG GET patterns, only by its exact name. */
  HIDDEN: 4,
  /** The value is several space-separated arguments. */
  MULTI_ARG: 8,
  SENSITIVE: 16,
  DEBUG: 32,
  /** CONFIG SET answers LOADING while a dataset loads (Redis's DENY_LOADING_CONFIG). */
  DENY_LOADING: 64,
  /** HIDDEN, yet written by CONFIG REWRITE when it differs from its default (shardis's rate limits). */
  REWRITTEN: 128,
} as const;

export type NumFormat = 'int' | 'mem' | 'mem%' | 'octal';

interface Common {
  name: string;
  alias?: string;
  flags: number;
  /**
   * Set at run time only to the value it already has; any other value fails
   * with this text (the listener and the shard layout can't change while running).
   */
  fixed?: string;
}

export interface BoolParam extends Common {
  kind: 'bool';
  default: boolean;
}

export interface StringParam extends Common {
  kind: 'string';
  default: string;
  /** Empty means unset (Redis's EMPTY_STRING_IS_NULL): not rewritten to the config file. */
  nullable?: boolean;
  validate?: (v: string) => string | null;
}

export interface EnumParam extends Common {
  kind: 'enum';
  /** name → value, in Redis's order (bit flags when MULTI_ARG). */
  values: ReadonlyArray<readonly [string, number]>;
  default: number;
  validate?: (v: number) => string | null;
}

export interface NumParam extends Common {
  kind: 'num';
  min: bigint;
  max: bigint;
  default: bigint;
  /** Redis checks unsigned C types (uint, size_t, unsigned long long) after a wrap-around cast. */
  unsigned?: boolean;
  format: NumFormat;
  /** Applied after a successful set (hz is clamped to 1..500). */
  clamp?: (v: bigint) => bigint;
}

/** Parameters with their own syntax: `set` returns the canonical value or throws ConfigError. */
export interface SpecialParam extends Common {
  kind: 'special';
  default: string;
  set: (args: string[], current: string) => string;
  /** The value as CONFIG GET shows it, when that differs from the stored one (which keeps more). */
  show?: (value: string) => string;
  /** Lines for CONFIG REWRITE (default: `name value`), and whether they must be written. */
  rewrite?: (value: string) => { lines: string[]; force: boolean } | null;
}

export type ParamDef = BoolParam | StringParam | EnumParam | NumParam | SpecialParam;

export class ConfigError extends Error {}

const INT_MAX = 2147483647n;
const INT_MIN = -2147483648n;
const UINT_MAX = 4294967295n;
const LONG_MAX = 9223372036854775807n;
const ULLONG_MAX = 18446744073709551615n;

const { IMMUTABLE: I, PROTECTED: P, HIDDEN: H, MULTI_ARG: M, SENSITIVE: S, DEBUG: D } = PF;

const bool = (name: string, alias: string | undefined, flags: number, def: boolean): BoolParam => ({ kind: 'bool', name, alias, flags, default: def });
const str = (name: string, alias: string | undefined, flags: number, def: string, nullable = false, validate?: (v: string) => string | null): StringParam =>
  ({ kind: 'string', name, alias, flags, default: def, nullable, validate });
const en = (name: string, alias: string | undefined, flags: number, values: ReadonlyArray<readonly [string, number]>, def: number, validate?: (v: number) => string | null): EnumParam =>
  ({ kind: 'enum', name, alias, flags, values, default: def, validate });
const num = (name: string, alias: string | undefined, flags: number, min: bigint, max: bigint, def: bigint | number, format: NumFormat = 'int', unsigned = false): NumParam =>
  ({ kind: 'num', name, alias, flags, min, max, default: BigInt(def), format, unsigned });
const unum = (name: string, alias: string | undefined, flags: number, min: bigint, max: bigint, def: bigint | number, format: NumFormat = 'int'): NumParam =>
  num(name, alias, flags, min, max, def, format, true);

const MAXMEMORY_POLICY = [['volatile-lru', 1], ['volatile-lfu', 2], ['volatile-random', 3], ['volatile-ttl', 4], ['allkeys-lru', 5], ['allkeys-lfu', 6], ['allkeys-random', 7], ['noeviction', 8]] as const;
const SYSLOG_FACILITY = [['user', 8], ['local0', 128], ['local1', 136], ['local2', 144], ['local3', 152], ['local4', 160], ['local5', 168], ['local6', 176], ['local7', 184]] as const;
// 'nothing' since Redis 7.2
const LOG_FORMAT = [['redis', 0], ['json', 1]] as const;
const LOGLEVEL = [['debug', 0], ['verbose', 1], ['notice', 2], ['warning', 3], ['nothing', 4]] as const;
const SUPERVISED = [['upstart', 1], ['systemd', 2], ['auto', 3], ['no', 0]] as const;
const AOF_FSYNC = [['everysec', 2], ['always', 1], ['no', 0]] as const;
const SHUTDOWN_ON_SIG = [['default', 0], ['save', 1], ['nosave', 2], ['now', 4], ['force', 8]] as const;
const REPL_DISKLESS_LOAD = [['disabled', 0], ['on-empty-db', 1], ['swapdb', 2]] as const;
const TLS_AUTH_CLIENTS = [['no', 0], ['yes', 1], ['optional', 2]] as const;
const TLS_AUTH_CLIENTS_USER = [['off', 0], ['CN', 1]] as const;
const OOM_SCORE_ADJ = [['no', 0], ['yes', 1], ['relative', 1], ['absolute', 2]] as const;
const ACL_PUBSUB_DEFAULT = [['allchannels', 1], ['resetchannels', 0]] as const;
const SANITIZE_DUMP = [['no', 0], ['yes', 1], ['clients', 2]] as const;
const PROTECTED_ACTION = [['no', 0], ['yes', 1], ['local', 2]] as const;
const ENDPOINT_TYPE = [['ip', 0], ['hostname', 1], ['unknown-endpoint', 2]] as const;
const RATE_LIMIT_MODE = [['refuse', 0], ['delay', 1]] as const;
const PROPAGATION_ERROR = [['ignore', 0], ['panic', 1], ['panic-on-replicas', 2]] as const;

const isBaseName = (v: string): boolean => !v.includes('/');

/** A locale setlocale(LC_COLLATE) takes that collates by bytes: '' (the environment's, C here), C, POSIX, C.<UTF-8 in glibc's spellings>. */
function validCollateLocale(v: string): boolean {
  if (v === '' || v === 'C' || v === 'POSIX') return true;
  const dot = /^C\.(.+)$/.exec(v);
  // glibc normalizes the codeset: lower case, only letters and digits
  return dot !== null && dot[1]!.toLowerCase().replace(/[^a-z0-9]/g, '') === 'utf8';
}

/** Redis's validateProcTitleTemplate: known {variables}, {{ and }} escapes, not empty once expanded. */
function validTitleTemplate(t: string): boolean {
  // what each variable may expand to at its shortest ({title} is empty while validating)
  const vars: Record<string, string> = { title: '', 'listen-addr': '*:0', 'server-mode': '', 'config-file': '-', port: '0', 'tls-port': '0', unixsocket: '' };
  let out = '';
  for (let i = 0; i < t.length; i++) {
    const ch = t[i]!;
    if (ch === '{' && t[i + 1] === '{') {
      out += '{';
      i++;
    } else if (ch === '}' && t[i + 1] === '}') {
      out += '}';
      i++;
    } else if (ch === '{') {
      const end = t.indexOf('}', i);
      if (end < 0) return false;
      const v = vars[t.slice(i + 1, end)];
      if (v === undefined) return false;
      out += v;
      i = end;
    } else if (ch === '}') return false;
    else out += ch;
  }
  return out.length > 0;
}

function shutdownFlags(v: number): string | null {
  return v & 1 && v & 2 ? "shutdown options SAVE and NOSAVE can't be used simultaneously" : null;
}

/** Redis's memtoull: digits with an optional b/k/kb/m/mb/g/gb unit; null when malformed. */
export function memToBig(s: string): bigint | null {
  if (s.startsWith('-')) return null;
  let i = 0;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const unit = s.slice(i).toLowerCase();
  const mul = MEM_UNITS[unit];
  if (mul === undefined) return null;
  const digits = s.slice(0, i);
  const v = digits === '' ? 0n : BigInt(digits);
  if (v > ULLONG_MAX / mul) return null;
  return v * mul;
}

const MEM_UNITS: Record<string, bigint> = { '': 1n, b: 1n, k: 1000n, kb: 1024n, m: 1000000n, mb: 1048576n, g: 1000000000n, gb: 1073741824n };

/** Redis's rewriteConfigFormatMemory: 1gb / 64mb / 4kb when exact. */
export function formatMemory(v: bigint): string {
  if (v !== 0n && v % 1073741824n === 0n) return `${v / 1073741824n}gb`;
  if (v !== 0n && v % 1048576n === 0n) return `${v / 1048576n}mb`;
  if (v !== 0n && v % 1024n === 0n) return `${v / 1024n}kb`;
  return String(v);
}

function saveParam(args: string[]): string {
  if (args.length === 1 && args[0] === '') args = [];
  if (args.length % 2 !== 0) throw new ConfigError('Invalid save parameters');
  for (let j = 0; j < args.length; j++) {
    const m = /^[+-]?\d+$/.exec(args[j]!);
    const v = m ? Number(args[j]) : NaN;
    if (!m || (j % 2 === 0 && v < 1) || (j % 2 === 1 && v < 0)) throw new ConfigError('Invalid save parameters');
  }
  const out: string[] = [];
  for (let j = 0; j < args.length; j += 2) out.push(`${Number(args[j])} ${Number(args[j + 1])}`);
  return out.join(' ');
}

const OBUF_CLASSES = ['normal', 'slave', 'pubsub'];
const OBUF_DEFAULT = 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60';

function obufParam(args: string[], current: string): string {
  if (args.length % 4 !== 0) throw new ConfigError('Wrong number of arguments in buffer limit configuration.');
  const cur = current.split(' ');
  const next = [...cur];
  for (let j = 0; j < args.length; j += 4) {
    const name = args[j]!.toLowerCase();
    const cls = name === 'replica' ? 1 : OBUF_CLASSES.indexOf(name);
    if (cls < 0) throw new ConfigError('Invalid client class specified in buffer limit configuration.');
    const hard = memToBig(args[j + 1]!);
    const soft = memToBig(args[j + 2]!);
    const secs = /^[+-]?\d+$/.test(args[j + 3]!) ? Number(args[j + 3]) : -1;
    if (hard === null || soft === null || secs < 0) {
      throw new ConfigError('Error in hard, soft or soft_seconds setting in buffer limit configuration.');
    }
    next[cls * 4 + 1] = String(hard);
    next[cls * 4 + 2] = String(soft);
    next[cls * 4 + 3] = String(secs);
  }
  return next.join(' ');
}

function oomValuesParam(args: string[]): string {
  if (args.length !== 3) throw new ConfigError('wrong number of arguments');
  return args
    .map((a) => {
      const v = /^[+-]?\d+$/.test(a) ? Number(a) : NaN;
      if (!(v >= -2000 && v <= 2000)) throw new ConfigError('Invalid oom-score-adj-values, elements must be between -2000 and 2000.');
      return String(v);
    })
    .join(' ');
}

/** notify-keyspace-events class characters → bits, as Redis's notify.c. */
const NOTIFY_BITS: Record<string, number> = {
  g: 1 << 2, $: 1 << 3, l: 1 << 4, s: 1 << 5, h: 1 << 6, z: 1 << 7, x: 1 << 8, e: 1 << 9, t: 1 << 10, d: 1 << 13, n: 1 << 14,
  K: 1 << 0, E: 1 << 1, m: 1 << 11,
};
const NOTIFY_ALL = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 13);

/** Parses notify-keyspace-events flags; -1 for an unknown character. */
export function notifyFlags(classes: string): number {
  let flags = 0;
  for (const ch of classes) {
    if (ch === 'A') flags |= NOTIFY_ALL;
    else if (NOTIFY_BITS[ch] !== undefined) flags |= NOTIFY_BITS[ch];
    else return -1;
  }
  return flags;
}

/**
 * Redis's keyspaceEventsFlagsToString; `keepNew` also keeps 'n' next to 'A'
 * (which leaves it out, as Redis's display does, though the flag stays set).
 */
function notifyString(flags: number, keepNew = false): string {
  let out = '';
  if ((flags & NOTIFY_ALL) === NOTIFY_ALL) out = keepNew && (flags & NOTIFY_BITS.n!) !== 0 ? 'An' : 'A';
  else for (const ch of 'g$lshzxetdn') if (flags & NOTIFY_BITS[ch]!) out += ch;
  for (const ch of 'KEm') if (flags & NOTIFY_BITS[ch]!) out += ch;
  return out;
}

function notifyParam(args: string[]): string {
  if (args.length !== 1) throw new ConfigError('wrong number of arguments');
  const f = notifyFlags(args[0]!);
  if (f < 0) throw new ConfigError("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
  return notifyString(f, true);
}

/** notify-keyspace-events as CONFIG GET shows it (no 'n' after 'A'). */
function notifyShow(stored: string): string {
  return notifyString(notifyFlags(stored));
}

function percentilesParam(args: string[]): string {
  if (args.length === 1 && args[0] === '') return '';
  return args
    .map((a) => {
      const v = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(a) ? Number(a) : NaN;
      if (Number.isNaN(v)) throw new ConfigError('Invalid latency-tracking-info-percentiles parameters');
      if (v > 100 || v < 0) throw new ConfigError('latency-tracking-info-percentiles parameters should sit between [0.0,100.0]');
      // "%f" with trailing zeros trimmed, as Redis prints them
      return v.toFixed(6).replace(/\.?0+$/, '');
    })
    .join(' ');
}

/** `<per-second> [burst]` of a rate-limit-conn-* parameter, as `<per-second> <burst>` ('0 0': off). */
function rateParam(name: string, args: string[]): string {
  if (args.length < 1 || args.length > 2) throw new ConfigError('wrong number of arguments');
  const spec = parseRate(args[0]!, args[1]);
  if (spec === undefined) throw new ConfigError(`Invalid ${name}: <per-second> [burst] as non-negative integers, burst at least 1`);
  return formatRate(spec);
}

function replicaofParam(args: string[]): string {
  if (args.length !== 2) throw new ConfigError('wrong number of arguments');
  if (args[0]!.toLowerCase() === 'no' && args[1]!.toLowerCase() === 'one') return '';
  const port = /^[+-]?\d+$/.test(args[1]!) ? Number(args[1]) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new ConfigError('Invalid master port');
  return `${args[0]} ${port}`;
}

function bindParam(args: string[]): string {
  if (args.length > 16) throw new ConfigError('Too many bind addresses specified.');
  if (args.length === 1 && args[0] === '') return '';
  return args.join(' ');
}

/** Every parameter, in Redis's table order (shardis's own at the end). */
export const PARAM_DEFS: readonly ParamDef[] = [
  bool('rdbchecksum', undefined, I, true),
  bool('daemonize', undefined, I, false),
  bool('io-threads-do-reads', undefined, D | I, false),
  bool('always-show-logo', undefined, I, false),
  bool('protected-mode', undefined, 0, true),
  bool('rdbcompression', undefined, 0, true),
  bool('rdb-del-sync-files', undefined, 0, false),
  bool('activerehashing', undefined, 0, true),
  bool('stop-writes-on-bgsave-error', undefined, 0, true),
  bool('set-proc-title', undefined, I, true),
  bool('dynamic-hz', undefined, 0, true),
  bool('lazyfree-lazy-eviction', undefined, D, false),
  bool('lazyfree-lazy-expire', undefined, D, false),
  bool('lazyfree-lazy-server-del', undefined, D, false),
  bool('lazyfree-lazy-user-del', undefined, D, false),
  bool('lazyfree-lazy-user-flush', undefined, D, false),
  bool('repl-disable-tcp-nodelay', undefined, 0, false),
  bool('repl-diskless-sync', undefined, D, true),
  bool('aof-rewrite-incremental-fsync', undefined, 0, true),
  bool('no-appendfsync-on-rewrite', undefined, 0, false),
  bool('cluster-require-full-coverage', undefined, 0, true),
  bool('rdb-save-incremental-fsync', undefined, 0, true),
  bool('aof-load-truncated', undefined, 0, true),
  bool('aof-use-rdb-preamble', undefined, 0, true),
  bool('aof-timestamp-enabled', undefined, 0, false),
  bool('cluster-replica-no-failover', 'cluster-slave-no-failover', 0, false),
  bool('replica-lazy-flush', 'slave-lazy-flush', 0, false),
  bool('replica-serve-stale-data', 'slave-serve-stale-data', 0, true),
  bool('replica-read-only', 'slave-read-only', D, true),
  bool('replica-ignore-maxmemory', 'slave-ignore-maxmemory', 0, true),
  bool('jemalloc-bg-thread', undefined, 0, true),
  bool('activedefrag', undefined, D, false),
  bool('syslog-enabled', undefined, I, false),
  bool('cluster-enabled', undefined, I, false),
  bool('appendonly', undefined, PF.DENY_LOADING, false),
  bool('cluster-allow-reads-when-down', undefined, 0, false),
  bool('cluster-allow-pubsubshard-when-down', undefined, 0, true),
  bool('crash-log-enabled', undefined, 0, true),
  bool('crash-memcheck-enabled', undefined, 0, true),
  bool('use-exit-on-panic', undefined, H, false),
  bool('disable-thp', undefined, I, true),
  bool('cluster-allow-replica-migration', undefined, 0, true),
  bool('replica-announced', undefined, 0, true),
  bool('latency-tracking', undefined, 0, true),
  // hidden since Redis 7.2
  bool('aof-disable-auto-gc', undefined, H, false),
  bool('replica-ignore-disk-write-errors', undefined, 0, false),
  // Redis 7.2: log lines leave out keys and values (shardis's logs carry none to hide)
  bool('hide-user-data-from-log', undefined, 0, false),

  str('aclfile', undefined, I, ''),
  str('unixsocket', undefined, I, '', true),
  str('pidfile', undefined, I, '', true),
  str('replica-announce-ip', 'slave-announce-ip', 0, '', true),
  str('masteruser', undefined, S, '', true),
  str('cluster-announce-ip', undefined, 0, '', true),
  str('cluster-config-file', undefined, I, 'nodes.conf'),
  str('cluster-announce-hostname', undefined, 0, '', true, (v) =>
    /^[A-Za-z0-9.-]*$/.test(v) ? null : 'Hostnames may only contain alphanumeric characters, hyphens or dots'),
  str('syslog-ident', undefined, I, 'redis'),
  str('dbfilename', undefined, P, 'dump.rdb', false, (v) => (isBaseName(v) ? null : "dbfilename can't be a path, just a filename")),
  str('appendfilename', undefined, I, 'appendonly.aof', false, (v) =>
    v === '' ? "appendfilename can't be empty" : isBaseName(v) ? null : "appendfilename can't be a path, just a filename"),
  str('appenddirname', undefined, I, 'appendonlydir', false, (v) =>
    v === '' ? "appenddirname can't be empty" : isBaseName(v) ? null : "appenddirname can't be a path, just a dirname"),
  // Redis 7.2: a human-readable name for this node (nodes.conf's nodename aux field); accepted, not shown
  str('cluster-announce-human-nodename', undefined, 0, '', true, (v) =>
    (/[!#$%&()*+:;<>?@[\]^{|}~]/.test(v) ? 'Announced human node name contained invalid character' : null)),
  // hyphenated since Redis 7.2 (the old names are aliases); CPU affinity is the operating system's to set for a Node process
  str('server-cpulist', 'server_cpulist', I, '', true),
  str('bio-cpulist', 'bio_cpulist', I, '', true),
  str('aof-rewrite-cpulist', 'aof_rewrite_cpulist', I, '', true),
  str('bgsave-cpulist', 'bgsave_cpulist', I, '', true),
  str('ignore-warnings', undefined, 0, ''),
  str('proc-title-template', undefined, 0, '{title} {listen-addr} {server-mode}', false, (v) =>
    (validTitleTemplate(v) ? null : 'template format is invalid or contains unknown variables')),
  str('bind-source-addr', undefined, 0, '', true),
  str('logfile', undefined, I, ''),
  // logs (issue 17), shardis's own (hidden as the others): log-format redis (Redis's lines) | json (one JSON
  // object a line, through pino); syslog-server host[:port]: syslog-enabled sends over UDP (RFC 3164) to that
  // collector instead of /dev/log (server/syslog.ts)
  en('log-format', undefined, H, LOG_FORMAT, 0),
  str('syslog-server', undefined, H | I, '', true),
  str('masterauth', undefined, S, '', true),
  str('requirepass', undefined, S, '', true),
  // Redis 7.2: the collation of SORT ALPHA (strcoll); only the C locales, which order by bytes as shardis does,
  // are accepted (Redis takes whatever setlocale() knows on its machine)
  str('locale-collate', undefined, 0, '', false, (v) => (validCollateLocale(v) ? null : 'Invalid locale name')),

  en('supervised', undefined, I, SUPERVISED, 0),
  en('syslog-facility', undefined, I, SYSLOG_FACILITY, 128),
  en('repl-diskless-load', undefined, D | PF.DENY_LOADING, REPL_DISKLESS_LOAD, 0),
  en('loglevel', undefined, 0, LOGLEVEL, 2),
  en('maxmemory-policy', undefined, 0, MAXMEMORY_POLICY, 8),
  en('appendfsync', undefined, 0, AOF_FSYNC, 2),
  en('oom-score-adj', undefined, 0, OOM_SCORE_ADJ, 0),
  en('acl-pubsub-default', undefined, 0, ACL_PUBSUB_DEFAULT, 0),
  en('sanitize-dump-payload', undefined, D, SANITIZE_DUMP, 0),
  en('enable-protected-configs', undefined, I, PROTECTED_ACTION, 0),
  // shardis enables DEBUG by default (Redis: no) so Redis's own test suite runs against it unchanged
  en('enable-debug-command', undefined, I, PROTECTED_ACTION, 1),
  en('enable-module-command', undefined, I, PROTECTED_ACTION, 0),
  en('cluster-preferred-endpoint-type', undefined, 0, ENDPOINT_TYPE, 0),
  en('propagation-error-behavior', undefined, 0, PROPAGATION_ERROR, 0),
  en('shutdown-on-sigint', undefined, M, SHUTDOWN_ON_SIG, 0, shutdownFlags),
  en('shutdown-on-sigterm', undefined, M, SHUTDOWN_ON_SIG, 0, shutdownFlags),

  num('databases', undefined, I, 1n, INT_MAX, 16),
  // the listener is bound once: shardis cannot move it at run time
  { ...num('port', undefined, 0, 0n, 65535n, 6379), fixed: 'Unable to listen on this port. Check server logs.' },
  num('io-threads', undefined, D | I, 1n, 128n, 1),
  num('auto-aof-rewrite-percentage', undefined, 0, 0n, INT_MAX, 100),
  num('cluster-replica-validity-factor', 'cluster-slave-validity-factor', 0, 0n, INT_MAX, 10),
  num('list-max-listpack-size', 'list-max-ziplist-size', 0, INT_MIN, INT_MAX, -2),
  num('tcp-keepalive', undefined, 0, 0n, INT_MAX, 300),
  num('cluster-migration-barrier', undefined, 0, 0n, INT_MAX, 1),
  num('active-defrag-cycle-min', undefined, 0, 1n, 99n, 1),
  num('active-defrag-cycle-max', undefined, 0, 1n, 99n, 25),
  num('active-defrag-threshold-lower', undefined, 0, 0n, 1000n, 10),
  num('active-defrag-threshold-upper', undefined, 0, 0n, 1000n, 100),
  num('lfu-log-factor', undefined, 0, 0n, INT_MAX, 10),
  num('lfu-decay-time', undefined, 0, 0n, INT_MAX, 1),
  num('replica-priority', 'slave-priority', 0, 0n, INT_MAX, 100),
  num('repl-diskless-sync-delay', undefined, 0, 0n, INT_MAX, 5),
  // at most 64 since Redis 7.2
  num('maxmemory-samples', undefined, 0, 1n, 64n, 5),
  num('maxmemory-eviction-tenacity', undefined, 0, 0n, 100n, 10),
  num('timeout', undefined, 0, 0n, INT_MAX, 0),
  num('replica-announce-port', 'slave-announce-port', 0, 0n, 65535n, 0),
  num('tcp-backlog', undefined, I, 0n, INT_MAX, 511),
  num('cluster-port', undefined, I, 0n, 65535n, 0),
  num('cluster-announce-bus-port', undefined, 0, 0n, 65535n, 0),
  num('cluster-announce-port', undefined, 0, 0n, 65535n, 0),
  num('cluster-announce-tls-port', undefined, 0, 0n, 65535n, 0),
  num('repl-timeout', undefined, 0, 1n, INT_MAX, 60),
  num('repl-ping-replica-period', 'repl-ping-slave-period', 0, 1n, INT_MAX, 10),
  num('list-compress-depth', undefined, D, 0n, INT_MAX, 0),
  num('rdb-key-save-delay', undefined, H, INT_MIN, INT_MAX, 0),
  num('key-load-delay', undefined, H, INT_MIN, INT_MAX, 0),
  num('active-expire-effort', undefined, 0, 1n, 10n, 1),
  { ...num('hz', undefined, 0, 0n, INT_MAX, 10), clamp: (v: bigint) => (v < 1n ? 1n : v > 500n ? 500n : v) },
  num('min-replicas-to-write', 'min-slaves-to-write', 0, 0n, INT_MAX, 0),
  num('min-replicas-max-lag', 'min-slaves-max-lag', 0, 0n, INT_MAX, 10),
  num('watchdog-period', undefined, H, 0n, INT_MAX, 0),
  num('shutdown-timeout', undefined, 0, 0n, INT_MAX, 10),
  num('repl-diskless-sync-max-replicas', undefined, 0, 0n, INT_MAX, 0),

  unum('maxclients', undefined, 0, 1n, UINT_MAX, 10000),
  unum('unixsocketperm', undefined, I, 0n, 0o777n, 0, 'octal'),
  unum('socket-mark-id', undefined, I, 0n, UINT_MAX, 0),
  // Redis 7.2: connections accepted per event-loop turn (Node's listener accepts them all as they come)
  unum('max-new-connections-per-cycle', undefined, 0, 1n, 1000n, 10),
  unum('max-new-tls-connections-per-cycle', undefined, 0, 1n, 1000n, 1),

  num('active-defrag-max-scan-fields', undefined, 0, 1n, LONG_MAX, 1000),
  num('slowlog-max-len', undefined, 0, 0n, LONG_MAX, 128),
  num('acllog-max-len', undefined, 0, 0n, LONG_MAX, 128),

  num('busy-reply-threshold', 'lua-time-limit', 0, 0n, LONG_MAX, 5000),
  // shardis: the heap limit of each #!js library's QuickJS runtime (0: none), for libraries loaded after the change;
  // hidden from CONFIG GET * (Redis's table), named it answers, CONFIG REWRITE keeps it
  unum('js-memory-limit', undefined, H | PF.REWRITTEN, 0n, ULLONG_MAX, 64 * 1024 * 1024, 'mem'),
  num('cluster-node-timeout', undefined, 0, 0n, LONG_MAX, 15000),
  // Redis 7.2 (hidden, for tests): the cluster bus's ping interval; shardis's fleet keeps no gossip
  num('cluster-ping-interval', undefined, H, 0n, LONG_MAX, 0),
  num('slowlog-log-slower-than', undefined, 0, -1n, LONG_MAX, 10000),
  num('latency-monitor-threshold', undefined, 0, 0n, LONG_MAX, 0),
  num('proto-max-bulk-len', undefined, D, 1024n * 1024n, LONG_MAX, 512n * 1024n * 1024n, 'mem'),
  num('stream-node-max-entries', undefined, 0, 0n, LONG_MAX, 100),
  num('repl-backlog-size', undefined, 0, 1n, LONG_MAX, 1024 * 1024, 'mem'),

  unum('maxmemory', undefined, 0, 0n, ULLONG_MAX, 0, 'mem'),
  unum('cluster-link-sendbuf-limit', undefined, 0, 0n, ULLONG_MAX, 0, 'mem'),

  unum('hash-max-listpack-entries', 'hash-max-ziplist-entries', 0, 0n, LONG_MAX, 512),
  unum('set-max-intset-entries', undefined, 0, 0n, LONG_MAX, 512),
  unum('set-max-listpack-entries', undefined, 0, 0n, LONG_MAX, 128),
  unum('set-max-listpack-value', undefined, 0, 0n, LONG_MAX, 64),
  unum('zset-max-listpack-entries', 'zset-max-ziplist-entries', 0, 0n, LONG_MAX, 128),
  unum('active-defrag-ignore-bytes', undefined, 0, 1n, LONG_MAX, 100 << 20, 'mem'),
  unum('hash-max-listpack-value', 'hash-max-ziplist-value', 0, 0n, LONG_MAX, 64, 'mem'),
  unum('stream-node-max-bytes', undefined, 0, 0n, LONG_MAX, 4096, 'mem'),
  unum('zset-max-listpack-value', 'zset-max-ziplist-value', 0, 0n, LONG_MAX, 64, 'mem'),
  unum('hll-sparse-max-bytes', undefined, 0, 0n, LONG_MAX, 3000, 'mem'),
  unum('tracking-table-max-keys', undefined, 0, 0n, LONG_MAX, 1000000),
  unum('client-query-buffer-limit', undefined, D, 1024n * 1024n, LONG_MAX, 1024 * 1024 * 1024, 'mem'),
  num('maxmemory-clients', undefined, 0, -100n, LONG_MAX, 0, 'mem%'),

  num('repl-backlog-ttl', undefined, 0, 0n, LONG_MAX, 60 * 60),
  num('auto-aof-rewrite-min-size', undefined, 0, 0n, LONG_MAX, 64 * 1024 * 1024, 'mem'),
  num('loading-process-events-interval-bytes', undefined, H, 1024n, INT_MAX, 1024 * 1024 * 2),

  // the TLS listener, as the plain one, is bound once
  { ...num('tls-port', undefined, 0, 0n, 65535n, 0), fixed: 'Unable to listen on this port. Check server logs.' },
  num('tls-session-cache-size', undefined, 0, 0n, INT_MAX, 20 * 1024),
  num('tls-session-cache-timeout', undefined, 0, 0n, INT_MAX, 300),
  bool('tls-cluster', undefined, 0, false),
  bool('tls-replication', undefined, 0, false),
  en('tls-auth-clients', undefined, 0, TLS_AUTH_CLIENTS, 1),
  bool('tls-prefer-server-ciphers', undefined, 0, false),
  bool('tls-session-caching', undefined, 0, true),
  str('tls-cert-file', undefined, 0, '', true),
  str('tls-key-file', undefined, 0, '', true),
  str('tls-key-file-pass', undefined, S, '', true),
  str('tls-client-cert-file', undefined, 0, '', true),
  str('tls-client-key-file', undefined, 0, '', true),
  str('tls-client-key-file-pass', undefined, S, '', true),
  str('tls-dh-params-file', undefined, 0, '', true),
  str('tls-ca-cert-file', undefined, 0, '', true),
  str('tls-ca-cert-dir', undefined, 0, '', true),
  str('tls-protocols', undefined, 0, '', true),
  str('tls-ciphers', undefined, 0, '', true),
  str('tls-ciphersuites', undefined, 0, '', true),
  // TLS (src/security/tls.ts): Redis 8.6's tls-auth-clients-user (a verified client certificate's CN names the
  // ACL user the connection starts as; hidden: 7.4.1's CONFIG GET * lists no such name), and shardis's own
  // tls-http / tls-grpc (HTTPS+WSS and gRPC over TLS with the same files and tls-auth-clients policy; fixed
  // once the front ends listen, hidden as the other front-end settings)
  en('tls-auth-clients-user', undefined, H, TLS_AUTH_CLIENTS_USER, 0),
  { ...bool('tls-http', undefined, H, false), fixed: "can't set immutable config" },
  { ...bool('tls-grpc', undefined, H, false), fixed: "can't set immutable config" },

  // dir is resolved and checked by config.ts (it must exist when set at run time)
  { kind: 'special', name: 'dir', flags: P | PF.DENY_LOADING, default: './data', set: (args) => {
    if (args.length !== 1) throw new ConfigError('wrong number of arguments');
    return args[0]!;
  } },
  // no save points by default (Redis: "3600 1 300 100 60 10000") until snapshots run in the background
  { kind: 'special', name: 'save', flags: M, default: '', set: saveParam, rewrite: (v) => {
    if (v === '') return { lines: ['save ""'], force: true };
    const p = v.split(' ');
    const lines: string[] = [];
    for (let j = 0; j < p.length; j += 2) lines.push(`save ${p[j]} ${p[j + 1]}`);
    return { lines, force: true };
  } },
  { kind: 'special', name: 'client-output-buffer-limit', flags: M, default: OBUF_DEFAULT, set: obufParam, rewrite: (v) => {
    const p = v.split(' ');
    const d = OBUF_DEFAULT.split(' ');
    const lines: string[] = [];
    let force = false;
    for (let j = 0; j < 12; j += 4) {
      if (p[j + 1] !== d[j + 1] || p[j + 2] !== d[j + 2] || p[j + 3] !== d[j + 3]) force = true;
      const cls = p[j] === 'slave' ? 'replica' : p[j];
      lines.push(`client-output-buffer-limit ${cls} ${formatMemory(BigInt(p[j + 1]!))} ${formatMemory(BigInt(p[j + 2]!))} ${p[j + 3]}`);
    }
    return { lines, force };
  } },
  { kind: 'special', name: 'oom-score-adj-values', flags: M, default: '0 200 800', set: oomValuesParam },
  { kind: 'special', name: 'notify-keyspace-events', flags: 0, default: '', set: notifyParam, show: notifyShow, rewrite: (v) =>
    ({ lines: [`notify-keyspace-events ${quoteRepr(notifyShow(v))}`], force: v !== '' }) },
  // shardis binds loopback by default (Redis: "* -::*"); the listener cannot move at run time
  { kind: 'special', name: 'bind', flags: M, default: '127.0.0.1', set: bindParam, fixed: 'Failed to bind to specified addresses.' },
  { kind: 'special', name: 'replicaof', alias: 'slaveof', flags: I | M, default: '', set: replicaofParam, rewrite: (v) =>
    (v === '' ? null : { lines: [`replicaof ${v}`], force: true }) },
  { kind: 'special', name: 'latency-tracking-info-percentiles', flags: M, default: '50 99 99.9', set: percentilesParam, rewrite: (v) =>
    ({ lines: [`latency-tracking-info-percentiles ${v === '' ? '""' : v}`], force: true }) },

  // shardis's own
  { ...num('shards', undefined, 0, 1n, 1024n, 1), fixed: "can't set immutable config" },
  // threads that own shards and serve connections (src/threads/); hidden like heap-compact-idle-ms
  { ...num('threads', undefined, H, 1n, 64n, 1), fixed: "can't set immutable config" },
  // how often a quiet server checks whether its heap grew enough to compact it (server/heap-compactor.ts); 0: never
  // (hidden: CONFIG GET patterns list Redis's parameters alone; CONFIG GET heap-compact-idle-ms names it)
  num('heap-compact-idle-ms', undefined, H, 0n, 3_600_000n, 250),
  // the HTTP front end (src/server/http/): its port (0: off; `npm start` opens 7379) and the largest body it reads
  { ...num('http-port', undefined, H, 0n, 65535n, 0), fixed: "can't set immutable config" },
  num('http-max-body-size', undefined, H, 1024n, LONG_MAX, 512n * 1024n * 1024n, 'mem'),
  // the origins browsers may call the HTTP front end from (Access-Control-Allow-Origin); '' sends no CORS headers
  str('http-cors-origin', undefined, H, '*'),
  // changes kept per shard so that a key feed can resume (src/reactivity/feeds.ts); set once a feed starts
  num('feed-retention', undefined, H, 0n, 100_000_000n, 100_000),
  // rate limits (issue 17; src/security/rate-limit.ts): every connection's commands and input bytes per second, each
  // `<per-second> [burst]` (burst: the per-second rate when left out; 0: off), and what a command over a limit gets
  { kind: 'special', name: 'rate-limit-conn-commands', flags: H | M | PF.REWRITTEN, default: '0 0', set: (args) => rateParam('rate-limit-conn-commands', args) },
  { kind: 'special', name: 'rate-limit-conn-bytes', flags: H | M | PF.REWRITTEN, default: '0 0', set: (args) => rateParam('rate-limit-conn-bytes', args) },
  en('rate-limit-mode', undefined, H | PF.REWRITTEN, RATE_LIMIT_MODE, 0),
  // the gRPC front end (src/server/grpc/): its port (0: off, the default) and the largest message it reads,
  // both fixed once it listens
  { ...num('grpc-port', undefined, H, 0n, 65535n, 0), fixed: "can't set immutable config" },
  { ...num('grpc-max-message-size', undefined, H, 1024n, LONG_MAX, 512n * 1024n * 1024n, 'mem'), fixed: "can't set immutable config" },
  // the line protocol (src/server/line/): a plain TCP text protocol for the simplest clients (nc); 0: off
  { ...num('line-port', undefined, H, 0n, 65535n, 0), fixed: "can't set immutable config" },
  // a port serving only GET /metrics, /healthz and /readyz, for deployments that keep the HTTP port closed; 0: off
  { ...num('metrics-port', undefined, H, 0n, 65535n, 0), fixed: "can't set immutable config" },
  // backups to S3-compatible storage (src/persistence/backup*.ts, docs/backups.md): off while the bucket is empty;
  // the endpoint is empty for AWS itself; empty keys fall back to the AWS SDK's default credential chain;
  // schedule: seconds between automatic backups (0: only BACKUP NOW and, with on-save, after each save);
  // retention: backups kept under the prefix, the oldest deleted after each upload (0: keep all)
  str('backup-s3-endpoint', undefined, H, '', false, (v) => (v === '' || /^https?:\/\/[^\s/]+/.test(v) ? null : 'backup-s3-endpoint must be an http:// or https:// URL')),
  str('backup-s3-region', undefined, H, 'us-east-1', false, (v) => (v === '' ? "backup-s3-region can't be empty" : null)),
  str('backup-s3-bucket', undefined, H, ''),
  str('backup-s3-prefix', undefined, H, 'shardis/'),
  str('backup-s3-access-key-id', undefined, H, ''),
  str('backup-s3-secret-access-key', undefined, H | S, ''),
  bool('backup-s3-force-path-style', undefined, H, false),
  num('backup-s3-schedule', undefined, H, 0n, INT_MAX, 0),
  num('backup-s3-retention', undefined, H, 0n, INT_MAX, 0),
  bool('backup-s3-on-save', undefined, H, false),
  // cluster-enabled yes: the fleet's truth lives in etcd (src/cluster/etcd-store.ts): its URLs, comma-separated,
  // and the prefix of this fleet's keys (several fleets can share one etcd)
  { ...str('cluster-etcd-endpoints', undefined, H, ''), fixed: "can't set immutable config" },
  { ...str('cluster-etcd-prefix', undefined, H, '/shardis/'), fixed: "can't set immutable config" },
];

/** Redis's sdscatrepr: a double-quoted string with C escapes. */
export function quoteRepr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '\\' || ch === '"') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 7) out += '\\a';
    else if (c === 8) out += '\\b';
    else if (c < 32 || c > 126) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + '"';
}
