/** CONFIG GET / SET / RESETSTAT / REWRITE / HELP. */
import { LOADING_ERR } from '../../server/loading.ts';
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { replyHelp } from '../core/help.ts';
import { ConfigError, PARAM_NAMES, PF, getConfigValue, lookupParam, paramValue, setParam, type ParamDef } from '../../config/config.ts';
import { rewriteConfigFile } from '../../config/rewrite.ts';
import { TLS_CONTEXT_PARAMS } from '../../security/tls.ts';
import { globMatch } from '../../datatypes/glob.ts';
import type { Client } from '../../server/client.ts';

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;

/** A parameter's value as CONFIG GET shows it: "port 0" (any free port) shows the port bound. */
function shownValue(c: Client, d: ParamDef): string {
  if (d.name === 'port' && c.server.config.port === 0 && c.server.port !== 0) return String(c.server.port);
  const v = paramValue(c.server.config, d);
  return d.kind === 'special' && d.show ? d.show(v) : v;
}

/** CONFIG GET parameter [parameter ...] */
const get = command({
  name: 'get', arity: -3, flags: ADMIN, firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c, args) {
    const cfg = c.server.config;
    // lower-case name → [name as replied, value]: names match case-insensitively, each once
    const out = new Map<string, [string, string]>();
    for (let i = 2; i < args.length; i++) {
      const pattern = args[i]!;
      if (!/[[*?]/.test(pattern)) {
        // an exact name: the reply uses it as given (hidden parameters included)
        const lower = pattern.toLowerCase();
        if (out.has(lower)) continue;
        const d = lookupParam(pattern);
        const v = d ? shownValue(c, d) : cfg.extra.get(lower);
        if (v !== undefined) out.set(lower, [pattern, v]);
        continue;
      }
      for (const [name, d] of PARAM_NAMES) {
        if (d.flags & PF.HIDDEN || out.has(name)) continue;
        if (globMatch(pattern, name, true)) out.set(name, [name, shownValue(c, d)]);
      }
      for (const [name, v] of cfg.extra) if (!out.has(name) && globMatch(pattern, name, true)) out.set(name, [name, v]);
    }
    c.reply.map(out.size);
    for (const [k, v] of out.values()) {
      c.reply.bulk(k);
      c.reply.bulk(v);
    }
  },
});

/** Redis's allowProtectedAction: yes, or local for a loopback client. */
function protectedAllowed(c: Client): boolean {
  const mode = getConfigValue(c.server.config, 'enable-protected-configs');
  if (mode === 'yes') return true;
  if (mode !== 'local') return false;
  const a = c.socket?.remoteAddress;
  return a === undefined || a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
}

/** CONFIG SET parameter value [parameter value ...]: all or nothing, as Redis. */
const set = command({
  name: 'set', arity: -4, flags: ADMIN, firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c, args) {
    if (args.length % 2 !== 0) throw new CommandError(Err.SYNTAX);
    const cfg = c.server.config;
    const pairs: Array<[ParamDef | string, string]> = [];
    let unknown: string | null = null;
    let failure: string | null = null;
    let denyLoading = false;
    for (let i = 2; i < args.length; i += 2) {
      const given = args[i]!;
      const d = lookupParam(given);
      if (!d) {
        // directives outside the table given at start-up stay settable
        if (cfg.extra.has(given.toLowerCase())) pairs.push([given.toLowerCase(), args[i + 1]!]);
        else if (unknown === null && failure === null) unknown = given;
        continue;
      }
      if (unknown !== null || failure !== null) continue;
      if (d.flags & PF.IMMUTABLE || (d.flags & PF.PROTECTED && !protectedAllowed(c))) {
        failure = `(possibly related to argument '${given}') - can't set ${d.flags & PF.IMMUTABLE ? 'immutable' : 'protected'} config`;
        continue;
      }
      if (d.flags & PF.DENY_LOADING && c.server.loading !== null) denyLoading = true;
      if (pairs.some(([p]) => p === d)) failure = `(possibly related to argument '${given}') - duplicate parameter`;
      pairs.push([d, args[i + 1]!]);
    }
    // the loading error first: clients may handle it differently from a plain ERR
    if (denyLoading) throw new CommandError(LOADING_ERR);
    if (unknown !== null) throw new CommandError(`ERR Unknown option or number of arguments for CONFIG SET - '${unknown}'`);
    if (failure !== null) throw new CommandError(`ERR CONFIG SET failed ${failure}`);
    const before = pairs.map(([p]) => (typeof p === 'string' ? cfg.extra.get(p)! : paramValue(cfg, p)));
    for (let i = 0; i < pairs.length; i++) {
      const [p, value] = pairs[i]!;
      if (typeof p === 'string') {
        cfg.extra.set(p, value);
        cfg.numCache.clear();
        continue;
      }
      // the bound port of a "port 0" server is its current value
      if (p.name === 'port' && value === shownValue(c, p)) continue;
      try {
        setParam(cfg, p, value, true);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        for (let j = 0; j <= i; j++) restore(c, pairs[j]![0], before[j]!);
        // Redis names the parameter as it was looked up: the alias when one was given
        const name = args[2 + i * 2]!.toLowerCase() === p.alias ? p.alias : p.name;
        throw new CommandError(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${e.message}`);
      }
    }
    applyTls(c, pairs, before);
    c.server.onConfigChange(pairs.map(([p]) => (typeof p === 'string' ? p : p.name)));
    c.reply.ok();
  },
});

/**
 * Redis's applyTlsCfg: a changed tls-* file or setting rebuilds the TLS
 * context for new connections; when that fails every value goes back and
 * the old context stays.
 */
function applyTls(c: Client, pairs: Array<[ParamDef | string, string]>, before: string[]): void {
  const first = pairs.find(([p]) => typeof p !== 'string' && TLS_CONTEXT_PARAMS.has(p.name));
  if (first === undefined) return;
  const failure = c.server.tls.reconfigure();
  if (failure === null) return;
  const name = (first[0] as ParamDef).name;
  c.server.log('warning', failure);
  c.server.log('warning', `Failed applying new configuration. Possibly related to new ${name} setting. Restoring previous settings.`);
  for (let j = 0; j < pairs.length; j++) restore(c, pairs[j]![0], before[j]!);
  throw new CommandError(`ERR CONFIG SET failed (possibly related to argument '${name}') - Unable to update TLS configuration. Check server logs.`);
}

function restore(c: Client, p: ParamDef | string, value: string): void {
  const cfg = c.server.config;
  if (typeof p === 'string') cfg.extra.set(p, value);
  else {
    try {
      setParam(cfg, p, value, false);
    } catch (e) {
      c.server.log('warning', `Failed restoring failed CONFIG SET command. Error setting ${p.name} to '${value}': ${(e as Error).message}`);
    }
  }
}

/** CONFIG RESETSTAT */
const resetstat = command({
  name: 'resetstat', arity: 2, flags: ADMIN, firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c) {
    c.server.resetStats();
    c.reply.ok();
  },
});

/** The config file CONFIG REWRITE writes: the one given on the command line. */
export function configFilePath(c: Client): string {
  return c.server.config.configFile || c.server.configFile;
}

/** CONFIG REWRITE */
const rewrite = command({
  name: 'rewrite', arity: 2, flags: ADMIN, firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c) {
    const file = configFilePath(c);
    if (file === '') throw new CommandError('ERR The server is running without a config file');
    try {
      rewriteConfigFile(c.server.config, file);
    } catch (e) {
      c.server.log('warning', `CONFIG REWRITE failed: ${(e as Error).message}`);
      throw new CommandError(`ERR Rewriting config file: ${errnoText(e)}`);
    }
    c.server.log('notice', 'CONFIG REWRITE executed with success.');
    c.reply.ok();
  },
});

/** strerror()-like text for a Node file system error. */
export function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const texts: Record<string, string> = {
    ENOENT: 'No such file or directory', EACCES: 'Permission denied', EROFS: 'Read-only file system',
    ENOSPC: 'No space left on device', EISDIR: 'Is a directory', ENOTDIR: 'Not a directory', EPERM: 'Operation not permitted',
  };
  return (code !== undefined && texts[code]) || (e as Error).message;
}

const HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

/** CONFIG HELP */
const help = command({
  name: 'help', arity: 2, flags: ['loading', 'stale'], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  handler(c, args) {
    replyHelp(c, args[0]!, HELP);
  },
});

/** CONFIG GET|SET|RESETSTAT|REWRITE|HELP */
const config = command({
  name: 'config', arity: -2, flags: [], firstKey: 0, lastKey: 0, step: 0,
  group: 'server',
  subcommands: [get, set, resetstat, rewrite, help],
});

export const configCommands: CommandSpec[] = [config];
