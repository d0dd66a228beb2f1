/**
 * Users from the config file (`user …` lines) and the ACL file (aclfile):
 * loading at start-up, ACL LOAD (all or nothing) and ACL SAVE (temp file,
 * then rename), as Redis's ACLLoadFromFile / ACLSaveToFile.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { getConfigValue, type Config } from '../config/config.ts';
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import { RuleError, hasSpaces, ruleErrorMessage } from './acl-selector.ts';
import { mergeSelectorArgs, type User } from './acl-user.ts';
import { describeUser } from './acl-describe.ts';

/** The aclfile path (relative to dir, where Redis would have chdir'ed), or null when none is set. */
export function aclFilePath(cfg: Config): string | null {
  const f = getConfigValue(cfg, 'aclfile') ?? '';
  if (f === '') return null;
  return isAbsolute(f) ? f : join(cfg.dir, f);
}

/**
 * Start-up: the config file's `user` lines, then the ACL file. Throws with
 * Redis's message when they can't both be used or a rule is invalid.
 */
export function loadUsersAtStartup(state: ServerState<Client>): void {
  const cfg = state.config;
  const file = aclFilePath(cfg);
  if (file !== null && cfg.aclUsers.length > 0) {
    throw new Error('Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup is very likely to lead to configuration errors and security holes, please define either an ACL file or declare users directly in your redis.conf, but not both.');
  }
  const acl = state.acl;
  const seen = new Set<string>();
  for (const line of cfg.aclUsers) {
    const [name, ...rules] = line;
    if (name === undefined || hasSpaces(name)) throw new Error('Spaces not allowed in ACL usernames');
    if (seen.has(name)) throw new Error(`Error in user declaration '${name}': ${ruleErrorMessage('EALREADY')}`);
    seen.add(name);
    const merged = mergeSelectorArgs(rules);
    if (typeof merged === 'number') throw new Error(`Unmatched parenthesis in acl selector starting at '${rules[merged]}'.`);
    let u = acl.users.get(name);
    if (u === undefined) {
      u = acl.newUser(name);
      acl.users.set(name, u);
    } else u.apply(acl.table, 'reset', acl.allChannelsDefault());
    for (const op of merged) {
      try {
        u.apply(acl.table, op, acl.allChannelsDefault());
      } catch (e) {
        if (!(e instanceof RuleError)) throw e;
        throw new Error(`Error loading ACL rule '${op}' for the user named '${name}': ${ruleErrorMessage(e.code)}`);
      }
    }
    if (!u.enabled) state.log('notice', `The user '${name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`);
  }
  if (file !== null) {
    const err = loadAclFile(state, file, null);
    if (err !== null) throw new Error(`Aborting Redis startup because of ACL errors: ${err}`);
  }
  acl.onUsersChanged();
}

/**
 * ACL LOAD: parses every line into a fresh user set; on any error nothing
 * changes and the errors are returned in one line. On success clients keep
 * running as the loaded user of their name; those whose user is gone (or
 * who subscribe to channels it no longer allows) are disconnected (7.4).
 */
export function loadAclFile(state: ServerState<Client>, file: string, current: Client | null): string | null {
  const acl = state.acl;
  const shown = getConfigValue(state.config, 'aclfile') ?? file;
  let text: string;
  try {
    text = readFileSync(file, 'latin1');
  } catch (e) {
    return `Error loading ACLs, opening file '${shown}': ${errnoText(e)}`;
  }
  const fresh = new Map<string, User>();
  let errors = '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line === '') continue;
    const argv = line.split(' ').filter((a) => a !== '');
    if (argv.length === 0) continue;
    if (argv[0] !== 'user' || argv.length < 2) {
      errors += `${shown}:${lineNo} should start with user keyword followed by the username. `;
      continue;
    }
    const name = argv[1]!;
    if (hasSpaces(name)) {
      errors += `'${shown}:${lineNo}: username '${name}' contains invalid characters. `;
      continue;
    }
    if (fresh.has(name)) {
      errors += `WARNING: Duplicate user '${name}' found on line ${lineNo}. `;
      continue;
    }
    const u = acl.newUser(name);
    fresh.set(name, u);
    const merged = mergeSelectorArgs(argv.slice(2));
    if (typeof merged === 'number') {
      errors += `${shown}:${lineNo}: Unmatched parenthesis in selector definition.`;
      continue;
    }
    let syntaxError = false;
    for (const raw of merged) {
      const op = raw.replace(/^[\t\r\n]+|[\t\r\n]+$/g, '');
      try {
        u.apply(acl.table, op, acl.allChannelsDefault());
      } catch (e) {
        if (!(e instanceof RuleError)) throw e;
        if (e.code === 'ENOENT') errors += `${shown}:${lineNo}: Error in applying operation '${op}': ${ruleErrorMessage(e.code)}. `;
        else if (!syntaxError) {
          errors += `${shown}:${lineNo}: ${ruleErrorMessage(e.code)}. `;
          syntaxError = true;
        }
      }
    }
  }
  if (errors !== '') return errors + 'WARNING: ACL errors detected, no change to the previously active ACL rules was performed';
  // the default user object stays the same (clients point at it); it takes the loaded rules
  const loadedDefault = fresh.get('default');
  const oldDefault = acl.newUser('default');
  oldDefault.copyFrom(acl.defaultUser, acl.table);
  acl.defaultUser.copyFrom(loadedDefault ?? acl.createDefaultUser(), acl.table);
  acl.users.clear();
  acl.users.set('default', acl.defaultUser);
  for (const [name, u] of fresh) if (name !== 'default') acl.users.set(name, u);
  acl.relinkAfterLoad(state.clients.values(), oldDefault, current);
  acl.onUsersChanged();
  return null;
}


/** ACL SAVE: every user in `user <name> <rules>` form, written to a temp file and renamed over the ACL file. */
export function saveAclFile(state: ServerState<Client>, file: string): boolean {
  const acl = state.acl;
  let out = '';
  for (const u of acl.sortedUsers()) out += `user ${u.name} ${describeUser(acl.table, u)}\n`;
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    const fd = openSync(tmp, 'w', 0o644);
    try {
      const b = Buffer.from(out, 'latin1');
      let off = 0;
      while (off < b.length) off += writeSync(fd, b, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    return true;
  } catch (e) {
    state.log('warning', `Writing ACL file for ACL SAVE: ${errnoText(e)}`);
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to remove
    }
    return false;
  }
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'No such file or directory';
  if (code === 'EACCES') return 'Permission denied';
  if (code === 'EISDIR') return 'Is a directory';
  return (e as Error).message;
}
