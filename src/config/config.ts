/**
 * Server configuration: redis.conf-style file, `--name value` flags (flags
 * override the file), and the parameter values CONFIG GET/SET read and write
 * (definitions in params.ts).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { splitInlineArgs } from '../protocol/inline-args.ts';
import { parseBigInt64OrNull } from '../commands/core/parse.ts';
import { ConfigError, PARAM_DEFS, PF, memToBig, type EnumParam, type NumParam, type ParamDef } from './params.ts';

export { ConfigError, PF, type ParamDef } from './params.ts';

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
  /** Absolute path of the config file given on the command line, '' when none. */
  configFile: string;
  /** Canonical values of the table parameters that differ from their default and have no field above. */
  values: Map<string, string>;
  /** Directives that are not parameters of the table (kept verbatim, lower-case name). */
  extra: Map<string, string>;
  /** `user <name> <rules…>` directives, in order (ACL users defined in the config). */
  aclUsers: string[][];
  /** `http-token <token> <user>` directives: HTTP bearer tokens of ACL users besides the default user's password. */
  httpTokens: Array<[string, string]>;
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
    configFile: '',
    values: new Map(),
    extra: new Map(),
    aclUsers: [],
    httpTokens: [],
    numCache: new Map(),
  };
}

/** Parameters kept as typed Config fields (read by the server's hot paths). */
const FIELDS: Record<string, { get(c: Config): string; set(c: Config, v: string): void }> = {
  port: { get: (c) => String(c.port), set: (c, v) => void (c.port = Number(v)) },
  bind: { get: (c) => c.bind.join(' '), set: (c, v) => void (c.bind = v === '' ? [] : v.split(' ')) },
  dir: { get: (c) => resolve(c.dir), set: (c, v) => void (c.dir = v) },
  shards: { get: (c) => String(c.shards), set: (c, v) => void (c.shards = Number(v)) },
  databases: { get: (c) => String(c.databases), set: (c, v) => void (c.databases = Number(v)) },
  requirepass: { get: (c) => c.requirepass, set: (c, v) => void (c.requirepass = v) },
  maxclients: { get: (c) => String(c.maxclients), set: (c, v) => void (c.maxclients = Number(v)) },
  'proto-max-bulk-len': { get: (c) => String(c.protoMaxBulkLen), set: (c, v) => void (c.protoMaxBulkLen = Number(v)) },
  'client-query-buffer-limit': { get: (c) => String(c.clientQueryBufferLimit), set: (c, v) => void (c.clientQueryBufferLimit = Number(v)) },
  loglevel: { get: (c) => c.loglevel, set: (c, v) => void (c.loglevel = v) },
  logfile: { get: (c) => c.logfile, set: (c, v) => void (c.logfile = v) },
  timeout: { get: (c) => String(c.timeout), set: (c, v) => void (c.timeout = Number(v)) },
  hz: { get: (c) => String(c.hz), set: (c, v) => void (c.hz = Number(v)) },
};

/** name and alias (lower case) → definition. */
const BY_NAME = new Map<string, ParamDef>();
/** Every name CONFIG GET patterns see: each parameter, then its alias. */
export const PARAM_NAMES: Array<[string, ParamDef]> = [];
for (const d of PARAM_DEFS) {
  BY_NAME.set(d.name, d);
  PARAM_NAMES.push([d.name, d]);
  if (d.alias) {
    BY_NAME.set(d.alias, d);
    PARAM_NAMES.push([d.alias, d]);
  }
}

export function lookupParam(name: string): ParamDef | undefined {
  return BY_NAME.get(name) ?? BY_NAME.get(name.toLowerCase());
}

const DEFAULTS = new Map<ParamDef, string>();
for (const d of PARAM_DEFS) DEFAULTS.set(d, defaultValue(d));

function defaultValue(d: ParamDef): string {
  switch (d.kind) {
    case 'bool': return d.default ? 'yes' : 'no';
    case 'string': case 'special': return d.default;
    case 'enum': return enumName(d, d.default);
    case 'num': return formatNum(d, d.default);
  }
}

/** The canonical default value of a parameter (CONFIG REWRITE compares against it). */
export function paramDefault(d: ParamDef): string {
  return DEFAULTS.get(d)!;
}

/** Current canonical value of a parameter, as CONFIG GET shows it. */
export function paramValue(cfg: Config, d: ParamDef): string {
  const f = FIELDS[d.name];
  if (f) return f.get(cfg);
  return cfg.values.get(d.name) ?? DEFAULTS.get(d)!;
}

function enumName(d: EnumParam, v: number): string {
  const multi = (d.flags & PF.MULTI_ARG) !== 0;
  let names = '';
  let unmatched = v;
  for (const [name, val] of d.values) {
    if (v === val) return name;
    if (multi && val !== 0 && val === (unmatched & val)) {
      names = names === '' ? name : `${names} ${name}`;
      unmatched &= ~val;
    }
  }
  return names === '' || unmatched !== 0 ? 'unknown' : names;
}

function formatNum(d: NumParam, v: bigint): string {
  if (d.format === 'mem%' && v < 0n) return `${-v}%`;
  if (d.unsigned) v = BigInt.asUintN(64, v);
  return d.format === 'octal' ? v.toString(8) : String(v);
}

function parseNum(d: NumParam, s: string): bigint {
  if (d.format === 'mem' || d.format === 'mem%') {
    const m = memToBig(s);
    if (m !== null) return BigInt.asIntN(64, m);
  }
  if (d.format === 'mem%' && s.length > 1 && s.endsWith('%')) {
    const p = parseBigInt64OrNull(s.slice(0, -1));
    if (p !== null && p >= 0n) return -p;
  }
  if (d.format === 'octal' && /^\s*[+-]?[0-7]*$/.test(s)) {
    const t = s.trim();
    const neg = t.startsWith('-');
    const digits = t.replace(/^[+-]/, '');
    const v = digits === '' ? 0n : BigInt('0o' + digits);
    return neg ? -v : v;
  }
  if (d.format === 'int') {
    const v = parseBigInt64OrNull(s);
    if (v !== null) return v;
  }
  throw new ConfigError(
    d.format === 'mem%' ? 'argument must be a memory or percent value'
      : d.format === 'mem' ? 'argument must be a memory value'
        : d.format === 'octal' ? "argument couldn't be parsed as an octal number"
          : "argument couldn't be parsed into an integer",
  );
}

function checkBounds(d: NumParam, v: bigint): void {
  if (d.unsigned) {
    const u = BigInt.asUintN(64, v);
    if (u > d.max || u < d.min) {
      const f = (x: bigint): string => (d.format === 'octal' ? x.toString(8) : String(x));
      throw new ConfigError(`argument must be between ${f(d.min)} and ${f(d.max)} inclusive`);
    }
  } else if (d.format === 'mem%' && v < 0n) {
    if (v < d.min) throw new ConfigError(`percentage argument must be less or equal to ${-d.min}`);
  } else if (v > d.max || v < d.min) {
    throw new ConfigError(`argument must be between ${d.min} and ${d.max} inclusive`);
  }
}

/** Validates `value` for parameter d and returns its canonical form; throws ConfigError with Redis's text. */
export function canonicalValue(cfg: Config, d: ParamDef, value: string): string {
  switch (d.kind) {
    case 'bool': {
      const l = value.toLowerCase();
      if (l !== 'yes' && l !== 'no') throw new ConfigError("argument must be 'yes' or 'no'");
      return l;
    }
    case 'string': {
      const err = d.validate?.(value);
      if (err) throw new ConfigError(err);
      return value;
    }
    case 'enum': {
      const multi = (d.flags & PF.MULTI_ARG) !== 0;
      const args = multi ? value.split(' ') : [value];
      let v = 0;
      for (const a of args) {
        const l = a.toLowerCase();
        let matched = false;
        for (const [name, val] of d.values) {
          if (name.toLowerCase() === l) {
            v |= val;
            matched = true;
          }
        }
        if (!matched) throw new ConfigError(`argument(s) must be one of the following: ${d.values.map(([n]) => n).join(', ')}`);
      }
      const err = d.validate?.(v);
      if (err) throw new ConfigError(err);
      return enumName(d, v);
    }
    case 'num': {
      let v = parseNum(d, value);
      checkBounds(d, v);
      if (d.clamp) v = d.clamp(v);
      return formatNum(d, v);
    }
    case 'special': {
      const args = d.flags & PF.MULTI_ARG ? value.split(' ') : [value];
      return d.set(args, paramValue(cfg, d));
    }
  }
}

/**
 * Sets a parameter (CONFIG SET when `runtime`, else the config file or a
 * flag); throws ConfigError with Redis's text when the value is invalid.
 */
export function setParam(cfg: Config, d: ParamDef, value: string, runtime: boolean): void {
  const v = canonicalValue(cfg, d, value);
  if (runtime && d.fixed !== undefined) {
    if (v === paramValue(cfg, d)) return;
    throw new ConfigError(d.fixed);
  }
  if (d.name === 'dir' && runtime) {
    try {
      if (!statSync(v).isDirectory()) throw new ConfigError('Not a directory');
    } catch (e) {
      if (e instanceof ConfigError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      throw new ConfigError(code === 'ENOENT' ? 'No such file or directory' : code === 'EACCES' ? 'Permission denied' : (e as Error).message);
    }
  }
  cfg.numCache.clear();
  const f = FIELDS[d.name];
  if (f) f.set(cfg, v);
  else if (v === DEFAULTS.get(d)) cfg.values.delete(d.name);
  else cfg.values.set(d.name, v);
}

/** Parses "512mb", "1gb", "100k", "42" as Redis's memtoull (null when malformed). */
export function parseMemory(s: string): number | null {
  if (s === '') return null;
  const v = memToBig(s);
  return v === null ? null : Number(v);
}

/** Applies one `name value...` directive (config file line or command-line flag). */
export function applyDirective(cfg: Config, name: string, values: string[]): void {
  if (name.toLowerCase() === 'user') {
    if (values.length < 1) throw new ConfigError('wrong number of arguments');
    cfg.aclUsers.push(values.join(' ').split(' ').filter((v) => v !== ''));
    return;
  }
  if (name.toLowerCase() === 'http-token') {
    // as one string too ({ 'http-token': 'token user' } from startServer)
    const v = values.join(' ').split(' ').filter((x) => x !== '');
    if (v.length !== 2) throw new ConfigError('wrong number of arguments');
    cfg.httpTokens.push([v[0]!, v[1]!]);
    return;
  }
  const d = lookupParam(name);
  // as Redis: a directive it does not know stops start-up (a misspelt `apendonly` must not go unnoticed)
  if (!d) throw new ConfigError(unknownDirective(name.toLowerCase(), values));
  if (!(d.flags & PF.MULTI_ARG) && values.length !== 1) throw new ConfigError('wrong number of arguments');
  setParam(cfg, d, values.join(' '), false);
}

/** Why a directive outside the parameter table is refused (Redis's words where Redis refuses it too). */
function unknownDirective(name: string, values: readonly string[]): string {
  if (name === 'sentinel') return 'sentinel directive while not in sentinel mode';
  if (name === 'loadmodule') return `Module ${values[0] ?? ''} failed to load: shardis loads no modules`;
  if (name === 'rename-command') return 'rename-command is not supported by shardis yet (ACL rules can deny a command)';
  return 'Bad directive or wrong number of arguments';
}

/**
 * A start-up configuration error where Redis reports one, with the line of
 * the combined configuration (the file's lines, then one per command-line
 * directive) and that line's text.
 */
export class ConfigLineError extends ConfigError {
  readonly line: number;
  readonly text: string;
  readonly reason: string;
  constructor(line: number, text: string, reason: string, file?: string) {
    super(`${file ?? 'line '}${file === undefined ? '' : ':'}${line}: '${text}': ${reason}`);
    this.line = line;
    this.text = text;
    this.reason = reason;
  }

  /** Redis's report of it (loadServerConfigFromString). */
  report(version: string): string {
    return `\n*** FATAL CONFIG FILE ERROR (Redis ${version}) ***\nReading the configuration file, at line ${this.line}\n>>> '${this.text}'\n${this.reason}\n`;
  }
}

/** Reads a redis.conf-style file: `name value…` per line, # comments, `include` of other files. */
export function loadConfigFile(cfg: Config, path: string, included = false): void {
  const text = readFileSync(path, 'latin1');
  let lineNo = 0;
  // several "save" lines add up (the first one replaces the default)
  let saves: string[] | null = null;
  for (const raw of text.split(/\r?\n/)) {
    lineNo++;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const parts = splitInlineArgs(line);
    if (parts === null || parts.length === 0) throw new ConfigLineError(lineNo, line, 'Unbalanced quotes in configuration line', path);
    let args = parts.slice(1);
    if (parts[0]!.toLowerCase() === 'include' && args.length === 1) {
      loadConfigFile(cfg, args[0]!, true);
      continue;
    }
    if (parts[0]!.toLowerCase() === 'save' && !(args.length === 1 && args[0] === '')) {
      saves = [...(saves ?? []), ...args];
      args = saves;
    }
    try {
      applyDirective(cfg, parts[0]!, args);
    } catch (e) {
      if (e instanceof ConfigLineError) throw e;
      throw new ConfigLineError(lineNo, line, (e as Error).message, path);
    }
  }
  if (!included) cfg.configFile = resolve(path);
}

/**
 * Groups command-line flags into directives as redis-server does: `--name`
 * starts one unless the previous option still has no value (then it is that
 * value: `--port --bla`); "--name value" may come as one argument; a bare
 * `--save` means `save ""`.
 */
function argvDirectives(argv: readonly string[]): string[][] {
  const out: string[][] = [];
  let handledLast = true;
  for (let j = 0; j < argv.length; j++) {
    const a = argv[j]!;
    if (handledLast && a.startsWith('--')) {
      const parts = splitInlineArgs(a.slice(2)) ?? [a.slice(2)];
      out.push(parts);
      if (parts.length <= 1) {
        handledLast = false;
        const isSave = a.toLowerCase() === '--save';
        if (isSave && (j === argv.length - 1 || argv[j + 1]!.startsWith('--'))) {
          out[out.length - 1]!.push('');
          handledLast = true;
        }
      }
    } else {
      if (out.length === 0) throw new ConfigError(`unexpected argument '${a}'`);
      out[out.length - 1]!.push(a);
      handledLast = true;
    }
  }
  return out;
}

/** A directive as redis-server prints it in errors: name "value" "value". */
function directiveText(d: readonly string[]): string {
  return [d[0], ...d.slice(1).map((v) => JSON.stringify(v))].join(' ');
}

/** argv (after the program): optional config file first, then `--name value...` flags. */
export function parseArgs(argv: readonly string[]): Config {
  const cfg = defaultConfig();
  let i = 0;
  // Redis appends the flags to the file's text after a newline: the first flag's line number
  let line = 2;
  if (argv.length > 0 && !argv[0]!.startsWith('--')) {
    loadConfigFile(cfg, argv[0]!);
    line = readFileSync(argv[0]!, 'latin1').split('\n').length + 1;
    i = 1;
  }
  for (const d of argvDirectives(argv.slice(i))) {
    const at = line++;
    let values = d.slice(1);
    // one argument with spaces for a multi-value parameter: its values ("--save '900 1 300 10'")
    const p = lookupParam(d[0]!);
    if (p && p.flags & PF.MULTI_ARG && values.length === 1) values = values[0]!.split(' ');
    try {
      applyDirective(cfg, d[0]!, values);
    } catch (e) {
      throw new ConfigLineError(at, directiveText(d), (e as Error).message);
    }
  }
  return cfg;
}

/** Current value of any parameter by name or alias (then directives outside the table), undefined if unknown. */
export function getConfigValue(cfg: Config, name: string): string | undefined {
  const d = lookupParam(name);
  if (d) return paramValue(cfg, d);
  return cfg.extra.get(name.toLowerCase());
}

/**
 * A numeric parameter (e.g. 'hash-max-listpack-entries'), or `fallback`
 * when unknown or not a number. Cached: cheap enough for hot paths.
 */
export function getConfigNumber(cfg: Config, name: string, fallback: number): number {
  const cached = cfg.numCache.get(name);
  if (cached !== undefined) return cached;
  const v = getConfigValue(cfg, name);
  const n = v === undefined ? null : /^-?\d+$/.test(v) ? Number(v) : parseMemory(v);
  const out = n === null ? fallback : n;
  cfg.numCache.set(name, out);
  return out;
}

/** Every parameter name (aliases included) with its current value, then the directives outside the table. */
export function allConfigValues(cfg: Config): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, d] of PARAM_NAMES) out.set(name, paramValue(cfg, d));
  for (const [k, v] of cfg.extra) out.set(k, v);
  return out;
}
