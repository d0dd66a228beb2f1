/**
 * Server configuration: redis.conf-style file, `--name value` flags (flags
 * override the file), and the parameter table CONFIG GET/SET read.
 */
import { readFileSync } from 'node:fs';
import { splitInlineArgs } from '../protocol/inline-args.ts';

export interface Config {
  port: number;
  bind: string[];
  dir: string;
  shards: number;
  databases: number;
  requirepass: string;
  maxclients: number;
  protoMaxBulkLen: number;
  clientQueryBufferLimit: number;
  loglevel: string;
  logfile: string;
  timeout: number;
  hz: number;
  /** Anything else set in a file or flag / CONFIG SET, kept verbatim (lower-case name). */
  extra: Map<string, string>;
  /** Parsed numbers for getConfigNumber, dropped whenever a parameter changes. */
  numCache: Map<string, number>;
}

export function defaultConfig(): Config {
  return {
    port: 6379,
    bind: ['127.0.0.1'],
    dir: './data',
    shards: 1,
    databases: 16,
    requirepass: '',
    maxclients: 10000,
    protoMaxBulkLen: 512 * 1024 * 1024,
    clientQueryBufferLimit: 1024 * 1024 * 1024,
    loglevel: 'notice',
    logfile: '',
    timeout: 0,
    hz: 10,
    extra: new Map(),
    numCache: new Map(),
  };
}

export class ConfigError extends Error {}

/** Parses "512mb", "1gb", "100k", "42" as Redis's memtoull. */
export function parseMemory(s: string): number | null {
  const m = /^(-?\d+)(k|kb|m|mb|g|gb|b)?$/i.exec(s);
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').toLowerCase();
  const mult: Record<string, number> = { b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 * 1024, g: 1e9, gb: 1024 * 1024 * 1024 };
  return n * mult[unit]!;
}

export interface Param {
  name: string;
  aliases?: string[];
  mutable: boolean;
  get(c: Config): string;
  set(c: Config, v: string): void;
}

function intParam(name: string, key: 'port' | 'shards' | 'databases' | 'maxclients' | 'timeout' | 'hz', mutable: boolean, min = 0, max = 2 ** 31 - 1): Param {
  return {
    name,
    mutable,
    get: (c) => String(c[key]),
    set: (c, v) => {
      if (!/^-?\d+$/.test(v)) throw new ConfigError(`argument couldn't be parsed into an integer`);
      const n = Number(v);
      if (n < min || n > max) throw new ConfigError(`argument must be between ${min} and ${max} inclusive`);
      c[key] = n;
    },
  };
}

function memParam(name: string, key: 'protoMaxBulkLen' | 'clientQueryBufferLimit', min: number): Param {
  return {
    name,
    mutable: true,
    get: (c) => String(c[key]),
    set: (c, v) => {
      const n = parseMemory(v);
      if (n === null) throw new ConfigError(`argument must be a memory value`);
      if (n < min) throw new ConfigError(`argument must be between ${min} and ${Number.MAX_SAFE_INTEGER} inclusive`);
      c[key] = n;
    },
  };
}

function strParam(name: string, key: 'dir' | 'requirepass' | 'loglevel' | 'logfile', mutable: boolean): Param {
  return { name, mutable, get: (c) => c[key], set: (c, v) => void (c[key] = v) };
}

export const PARAMS: Param[] = [
  intParam('port', 'port', false, 0, 65535),
  {
    name: 'bind',
    mutable: false,
    get: (c) => c.bind.join(' '),
    set: (c, v) => void (c.bind = v.split(/\s+/).filter(Boolean)),
  },
  strParam('dir', 'dir', true),
  intParam('shards', 'shards', false, 1, 1024),
  intParam('databases', 'databases', false, 1, 1 << 20),
  strParam('requirepass', 'requirepass', true),
  intParam('maxclients', 'maxclients', true, 1),
  memParam('proto-max-bulk-len', 'protoMaxBulkLen', 1024 * 1024),
  memParam('client-query-buffer-limit', 'clientQueryBufferLimit', 1024 * 1024),
  {
    name: 'loglevel',
    mutable: true,
    get: (c) => c.loglevel,
    set: (c, v) => {
      const l = v.toLowerCase();
      if (!['debug', 'verbose', 'notice', 'warning', 'nothing'].includes(l)) throw new ConfigError('argument(s) must be one of the following: debug, verbose, notice, warning, nothing');
      c.loglevel = l;
    },
  },
  strParam('logfile', 'logfile', false),
  intParam('timeout', 'timeout', true),
  intParam('hz', 'hz', true, 1, 500),
];

/** Parameters that exist only so CONFIG GET/SET of them behaves (values kept verbatim). */
export const PASSIVE_DEFAULTS: Record<string, string> = {
  'save': '',
  'appendonly': 'no',
  'appendfsync': 'everysec',
  'maxmemory': '0',
  'maxmemory-policy': 'noeviction',
  'lazyfree-lazy-user-del': 'no',
  'lazyfree-lazy-user-flush': 'no',
  'list-max-listpack-size': '-2',
  'list-max-ziplist-size': '-2',
  'list-compress-depth': '0',
  'hash-max-listpack-entries': '128',
  'hash-max-ziplist-entries': '128',
  'hash-max-listpack-value': '64',
  'hash-max-ziplist-value': '64',
  'set-max-intset-entries': '512',
  'zset-max-listpack-entries': '128',
  'zset-max-ziplist-entries': '128',
  'zset-max-listpack-value': '64',
  'zset-max-ziplist-value': '64',
  'notify-keyspace-events': '',
  'slowlog-log-slower-than': '10000',
  'slowlog-max-len': '128',
  'latency-monitor-threshold': '0',
  'latency-tracking': 'yes',
  'activerehashing': 'yes',
  'lua-time-limit': '5000',
  'busy-reply-threshold': '5000',
  'tcp-keepalive': '300',
  'daemonize': 'no',
  'protected-mode': 'no',
  'appendfilename': 'appendonly.aof',
  'dbfilename': 'dump.rdb',
  'io-threads': '1',
  'enable-debug-command': 'yes',
  'rdb-key-save-delay': '0',
  'repl-ping-replica-period': '10',
  'repl-timeout': '60',
  'slave-read-only': 'yes',
  'replica-read-only': 'yes',
  'key-load-delay': '0',
  'active-expire-effort': '1',
  'lazyfree-lazy-expire': 'no',
  'lazyfree-lazy-eviction': 'no',
  'lazyfree-lazy-server-del': 'no',
  'list-max-ziplist-entries': '128',
  'list-max-ziplist-value': '64',
  'stream-node-max-bytes': '4096',
  'stream-node-max-entries': '100',
  'min-replicas-to-write': '0',
  'repl-diskless-sync': 'yes',
  'appendfsync-always': 'no',
  'aof-use-rdb-preamble': 'yes',
  'maxmemory-samples': '5',
  'lfu-log-factor': '10',
  'lfu-decay-time': '1',
  'tracking-table-max-keys': '1000000',
  'close-on-oom': 'no',
  'client-output-buffer-limit': 'normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60',
  'latency-tracking-info-percentiles': '50 99 99.9',
  'set-proc-title': 'yes',
  'sanitize-dump-payload': 'no',
};

export function findParam(name: string): Param | undefined {
  const n = name.toLowerCase();
  return PARAMS.find((p) => p.name === n || p.aliases?.includes(n));
}

/** Applies one `name value...` directive to the config. */
export function applyDirective(cfg: Config, name: string, values: string[]): void {
  cfg.numCache.clear();
  const p = findParam(name);
  const value = values.join(' ');
  if (p) {
    p.set(cfg, value);
    return;
  }
  const n = name.toLowerCase();
  cfg.extra.set(n, value);
  const alias = PASSIVE_ALIASES[n];
  if (alias !== undefined) cfg.extra.set(alias, value);
}

/** Redis 7 keeps the old *-ziplist-* names as aliases of the *-listpack-* ones (both ways). */
const PASSIVE_ALIASES: Record<string, string> = {};
for (const [a, b] of [
  ['hash-max-ziplist-entries', 'hash-max-listpack-entries'], ['hash-max-ziplist-value', 'hash-max-listpack-value'],
  ['zset-max-ziplist-entries', 'zset-max-listpack-entries'], ['zset-max-ziplist-value', 'zset-max-listpack-value'],
  ['list-max-ziplist-size', 'list-max-listpack-size'],
] as const) {
  PASSIVE_ALIASES[a] = b;
  PASSIVE_ALIASES[b] = a;
}

/** Reads a redis.conf-style file: `name value…` per line, # comments. */
export function loadConfigFile(cfg: Config, path: string): void {
  const text = readFileSync(path, 'latin1');
  let lineNo = 0;
  for (const raw of text.split(/\r?\n/)) {
    lineNo++;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = splitInlineArgs(line);
    if (parts === null || parts.length === 0) throw new ConfigError(`${path}:${lineNo}: unbalanced quotes`);
    try {
      applyDirective(cfg, parts[0]!, parts.slice(1));
    } catch (e) {
      throw new ConfigError(`${path}:${lineNo}: '${line}': ${(e as Error).message}`);
    }
  }
}

/** argv (after the program): optional config file first, then `--name value...` flags. */
export function parseArgs(argv: readonly string[]): Config {
  const cfg = defaultConfig();
  let i = 0;
  if (argv.length > 0 && !argv[0]!.startsWith('--')) {
    loadConfigFile(cfg, argv[0]!);
    i = 1;
  }
  while (i < argv.length) {
    const flag = argv[i]!;
    if (!flag.startsWith('--')) throw new ConfigError(`unexpected argument '${flag}'`);
    const name = flag.slice(2);
    const values: string[] = [];
    i++;
    while (i < argv.length && !argv[i]!.startsWith('--')) values.push(argv[i++]!);
    try {
      applyDirective(cfg, name, values);
    } catch (e) {
      throw new ConfigError(`--${name}: ${(e as Error).message}`);
    }
  }
  return cfg;
}

/** Current value of any parameter by name (table parameters, then set extras, then passive defaults). */
export function getConfigValue(cfg: Config, name: string): string | undefined {
  const n = name.toLowerCase();
  const p = findParam(n);
  if (p) return p.get(cfg);
  return cfg.extra.get(n) ?? PASSIVE_DEFAULTS[n];
}

/** A numeric parameter (e.g. 'hash-max-listpack-entries'), or `fallback` when unset or not a number. */
export function getConfigNumber(cfg: Config, name: string, fallback: number): number {
  const cached = cfg.numCache.get(name);
  if (cached !== undefined) return cached;
  const v = getConfigValue(cfg, name);
  const n = v === undefined ? null : parseMemory(v);
  const out = n === null ? fallback : n;
  cfg.numCache.set(name, out);
  return out;
}

/** Every parameter name with its current value (CONFIG GET, CONFIG REWRITE). */
export function allConfigValues(cfg: Config): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of PARAMS) out.set(p.name, p.get(cfg));
  for (const [k, v] of Object.entries(PASSIVE_DEFAULTS)) out.set(k, v);
  for (const [k, v] of cfg.extra) out.set(k, v);
  return out;
}
