/**
 * One ACL selector: which commands (a bitmap over AclTable ids, plus
 * allowed first arguments), which keys (patterns with read/write flags)
 * and which channels. A user has a root selector and any number of
 * "(…)" selectors; a command is allowed when one selector allows it all.
 * Rule syntax and errors follow Redis's ACLSetSelector.
 */
import type { CommandInfo } from '../commands/core/command.ts';
import type { AclTable } from './acl-table.ts';

export const PERM_READ = 1;
export const PERM_WRITE = 2;
export const PERM_ALL = 3;

export interface KeyPattern {
  pattern: string;
  flags: number;
}

/** Why a rule was refused (Redis's errno values, mapped to messages by ruleErrorMessage). */
export type RuleErrorCode = 'ENOENT' | 'EINVAL' | 'EEXIST' | 'EISDIR' | 'ENODEV' | 'EBADMSG' | 'ECHILD' | 'EALREADY';

export class RuleError extends Error {
  readonly code: RuleErrorCode;
  constructor(code: RuleErrorCode) {
    super(code);
    this.code = code;
  }
}

export function ruleErrorMessage(code: RuleErrorCode): string {
  switch (code) {
    case 'ENOENT': return 'Unknown command or category name in ACL';
    case 'EINVAL': return 'Syntax error';
    case 'EEXIST': return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case 'EISDIR': return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels";
    case 'ENODEV': return 'The password you are trying to remove from the user does not exist';
    case 'EBADMSG': return 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
    case 'EALREADY': return 'Duplicate user found. A user can only be defined once in config files';
    case 'ECHILD': return 'Allowing first-arg of a subcommand is not supported';
  }
}

/** Whitespace or NUL (Redis's ACLStringHasSpaces, isspace in the C locale). */
export function hasSpaces(s: string): boolean {
  return /[\s\0\v]/.test(s);
}

export class Selector {
  readonly root: boolean;
  allKeys = false;
  allChannels = false;
  allCommands = false;
  allowed: Uint8Array;
  /** Command id → first arguments allowed although the command itself is not (+select|0). */
  firstArgs: Map<number, string[]> | null = null;
  patterns: KeyPattern[] = [];
  channels: string[] = [];
  /**
   * The command and category rules as given, in order, after +@all / -@all
   * (Redis 7.2's command_rules: ACL LIST shows them back instead of a
   * recomputed minimal set). A rule replaces an earlier one for the same
   * command (and its subcommands) or category.
   */
  commandRules: string[] = [];

  constructor(table: AclTable, root: boolean, allChannels: boolean) {
    this.root = root;
    this.allChannels = allChannels;
    this.allowed = new Uint8Array(table.size);
  }

  clone(table: AclTable): Selector {
    const s = new Selector(table, this.root, this.allChannels);
    s.allKeys = this.allKeys;
    s.allCommands = this.allCommands;
    s.allowed.set(this.allowed);
    if (this.firstArgs) s.firstArgs = new Map([...this.firstArgs].map(([k, v]) => [k, [...v]]));
    s.patterns = this.patterns.map((p) => ({ ...p }));
    s.channels = [...this.channels];
    s.commandRules = [...this.commandRules];
    return s;
  }

  /** Sets a command's bit; clearing any bit drops the allcommands flag (ACLSetSelectorCommandBit). */
  setBit(id: number, on: boolean): void {
    this.allowed[id] = on ? 1 : 0;
    if (!on) this.allCommands = false;
  }

  /** Allows or denies a command, and a container's subcommands with it (ACLChangeSelectorPerm). */
  changePerm(table: AclTable, cmd: CommandInfo, allow: boolean): void {
    const id = table.id(cmd);
    this.setBit(id, allow);
    this.firstArgs?.delete(id);
    if (cmd.subcommands) for (const sub of cmd.subcommands.values()) this.setBit(table.id(sub), allow);
  }

  /** +@cat / -@cat: every command of the category (containers with their subcommands). */
  changeCategory(table: AclTable, members: readonly CommandInfo[], allow: boolean): void {
    for (const cmd of members) this.changePerm(table, cmd, allow);
  }

  /** Applies one selector rule; throws RuleError. */
  apply(table: AclTable, op: string): void {
    const lower = op.toLowerCase();
    if (lower === 'allkeys' || op === '~*') {
      this.allKeys = true;
      this.patterns = [];
    } else if (lower === 'resetkeys') {
      this.allKeys = false;
      this.patterns = [];
    } else if (lower === 'allchannels' || op === '&*') {
      this.allChannels = true;
      this.channels = [];
    } else if (lower === 'resetchannels') {
      this.allChannels = false;
      this.channels = [];
    } else if (lower === 'allcommands' || lower === '+@all') {
      this.allowed.fill(1);
      this.allCommands = true;
      this.firstArgs = null;
      this.commandRules = [];
    } else if (lower === 'nocommands' || lower === '-@all') {
      this.allowed.fill(0);
      this.allCommands = false;
      this.firstArgs = null;
      this.commandRules = [];
    } else if (op[0] === '~' || op[0] === '%') {
      this.addKeyPattern(op);
    } else if (op[0] === '&') {
      if (this.allChannels) throw new RuleError('EISDIR');
      const pat = op.slice(1);
      if (hasSpaces(pat)) throw new RuleError('EINVAL');
      if (!this.channels.includes(pat)) this.channels.push(pat);
      this.allChannels = false;
    } else if (op[0] === '+' && op[1] !== '@') {
      this.allowCommand(table, op.slice(1));
    } else if (op[0] === '-' && op[1] !== '@') {
      const cmd = table.lookup(op.slice(1));
      if (cmd === undefined) throw new RuleError('ENOENT');
      this.changePerm(table, cmd, false);
      this.updateCommandRules(cmd.fullName, false);
    } else if ((op[0] === '+' || op[0] === '-') && op[1] === '@') {
      const members = table.category(op.slice(2));
      if (members === undefined) throw new RuleError('ENOENT');
      this.changeCategory(table, members, op[0] === '+');
      this.updateCommandRules(op.slice(1), op[0] === '+');
    } else {
      throw new RuleError('EINVAL');
    }
  }

  private addKeyPattern(op: string): void {
    if (this.allKeys) throw new RuleError('EEXIST');
    let flags = 0;
    let offset = 1;
    if (op[0] === '%') {
      for (; offset < op.length; offset++) {
        const ch = op[offset]!.toUpperCase();
        if (ch === 'R' && (flags & PERM_READ) === 0) flags |= PERM_READ;
        else if (ch === 'W' && (flags & PERM_WRITE) === 0) flags |= PERM_WRITE;
        else if (ch === '~') {
          offset++;
          break;
        } else throw new RuleError('EINVAL');
      }
    } else flags = PERM_ALL;
    const pattern = op.slice(offset);
    if (hasSpaces(pattern)) throw new RuleError('EINVAL');
    const same = this.patterns.find((p) => p.pattern === pattern);
    if (same) same.flags |= flags;
    else this.patterns.push({ pattern, flags });
    this.allKeys = false;
  }

  private allowCommand(table: AclTable, name: string): void {
    const bar = name.lastIndexOf('|');
    if (bar < 0) {
      const cmd = table.lookup(name);
      if (cmd === undefined) throw new RuleError('ENOENT');
      this.changePerm(table, cmd, true);
      this.updateCommandRules(cmd.fullName, true);
      return;
    }
    const cmd = table.lookup(name.slice(0, bar));
    if (cmd === undefined) throw new RuleError('ENOENT');
    if (cmd.parent !== null) throw new RuleError('ECHILD');
    const sub = name.slice(bar + 1);
    if (sub === '') throw new RuleError('EINVAL');
    if (cmd.subcommands) {
      const subcmd = table.lookup(name);
      if (subcmd === undefined) throw new RuleError('ENOENT');
      this.changePerm(table, subcmd, true);
      this.updateCommandRules(name, true);
      return;
    }
    // +select|0: a first argument allowed for an otherwise denied command
    const id = table.id(cmd);
    this.firstArgs ??= new Map();
    const list = this.firstArgs.get(id) ?? [];
    if (!list.some((a) => a.toLowerCase() === sub.toLowerCase())) list.push(sub);
    this.firstArgs.set(id, list);
    this.updateCommandRules(name, true);
  }

  /**
   * Appends +rule / -rule, first dropping earlier rules for the same name
   * and, for a command, its `name|…` rules (ACLUpdateCommandRules).
   */
  private updateCommandRules(rule: string, allow: boolean): void {
    const name = rule.toLowerCase();
    this.commandRules = this.commandRules.filter((r) => {
      const n = r.slice(1);
      return n !== name && !(n.length > name.length && n.startsWith(name) && n[name.length] === '|');
    });
    this.commandRules.push((allow ? '+' : '-') + name);
  }
}
