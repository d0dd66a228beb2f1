/**
 * The ACL: users, authentication and the permission check every command,
 * script call and EXEC'd command passes (Redis's acl.c). Users live in a
 * Map; listings sort them by name as Redis's radix tree does.
 */
import type { CommandCatalog, CommandInfo } from '../commands/core/command.ts';
import { commandKeys } from '../commands/core/key-specs.ts';
import { globMatch } from '../datatypes/glob.ts';
import type { Session } from '../server/session.ts';
import { AclTable } from './acl-table.ts';
import { PERM_READ, PERM_WRITE, RuleError, hasSpaces, ruleErrorMessage, type Selector } from './acl-selector.ts';
import { User, mergeSelectorArgs } from './acl-user.ts';
import { AclLog, type LogContext } from './acl-log.ts';

export const ACL_OK = 0;
export const DENIED_CMD = 1;
export const DENIED_KEY = 2;
export const DENIED_AUTH = 3;
export const DENIED_CHANNEL = 4;

/**
 * A denial's text as Redis 7.2 words it for every caller (getAclErrorMessage,
 * #11160): the command's with the user's name; a key's or channel's named
 * only when verbose (ACL DRYRUN), else generic.
 */
export function aclErrorMessage(result: number, userName: string, cmd: CommandInfo, value: string, verbose: boolean): string {
  if (result === DENIED_CMD) return `User ${userName} has no permissions to run the '${cmd.fullName}' command`;
  const what = result === DENIED_KEY ? 'key' : 'channel';
  if (verbose) return `User ${userName} has no permissions to access the '${value}' ${what}`;
  return `No permissions to access a ${what}`;
}

export interface CheckResult {
  result: number;
  /** Index in args of the key or channel that was denied. */
  idx: number;
}

const OK: CheckResult = { result: ACL_OK, idx: 0 };

/** Commands whose arguments are channels (Redis's commands_with_channels); only these flags are checked. */
const CHANNEL_ARGS: Record<string, { pattern: boolean; count: number }> = {
  subscribe: { pattern: false, count: -1 },
  ssubscribe: { pattern: false, count: -1 },
  psubscribe: { pattern: true, count: -1 },
  publish: { pattern: false, count: 1 },
  spublish: { pattern: false, count: 1 },
};

/** What the ACL needs from beside it: a client's subscriptions (pub/sub keeps them) and its CLIENT LIST line (ACL LOG). */
export interface AclPeers {
  subscriptionsOf(c: Session): { channels: string[]; patterns: string[]; shardChannels: string[] };
  describe(c: Session): string;
}

export class Acl {
  readonly table: AclTable;
  readonly users = new Map<string, User>();
  readonly defaultUser: User;
  /** Not a listed user: internal clients (AOF loading, scripts' own client) run as it, unrestricted. */
  readonly internalUser: User;
  readonly log: AclLog;
  /** Told after users change (SETUSER, DELUSER, LOAD, the startup's users): rate limits look for users with one. */
  onUsersChanged: () => void = () => {};
  /** acl-pubsub-default is allchannels (read from the config by the server). */
  allChannelsDefault: () => boolean = () => false;

  private readonly peers: AclPeers;

  constructor(registry: CommandCatalog, peers: AclPeers) {
    this.peers = peers;
    this.log = new AclLog(peers.describe);
    this.table = new AclTable(registry);
    this.defaultUser = this.createDefaultUser();
    this.users.set('default', this.defaultUser);
    this.internalUser = this.createDefaultUser();
  }

  /** A user with the default user's initial rules (Redis's ACLCreateDefaultUser). */
  createDefaultUser(): User {
    const u = new User('default', this.table, this.allChannelsDefault());
    for (const op of ['+@all', '~*', '&*', 'on', 'nopass']) u.apply(this.table, op, false);
    return u;
  }

  newUser(name: string): User {
    return new User(name, this.table, this.allChannelsDefault());
  }

  /** Users sorted by name as bytes (ACL LIST / USERS / SAVE order). */
  sortedUsers(): User[] {
    return [...this.users.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * ACL SETUSER: applies the rules to a copy of the user (or a new user),
   * and only when every rule is valid replaces it. Returns the error text, or null.
   */
  setUser(name: string, ops: readonly string[], clients: Iterable<Session>): string | null {
    const merged = mergeSelectorArgs(ops);
    if (typeof merged === 'number') return `Unmatched parenthesis in acl selector starting at '${ops[merged]}'.`;
    const existing = this.users.get(name);
    const temp = this.newUser(name);
    if (existing) temp.copyFrom(existing, this.table);
    for (const op of merged) {
      try {
        temp.apply(this.table, op, this.allChannelsDefault());
      } catch (e) {
        if (!(e instanceof RuleError)) throw e;
        return `Error in ACL SETUSER modifier '${op}': ${ruleErrorMessage(e.code)}`;
      }
    }
    if (existing) {
      this.killRevokedSubscribers(temp, existing, clients);
      existing.copyFrom(temp, this.table);
    } else this.users.set(name, temp);
    this.onUsersChanged();
    return null;
  }

  /** Applies rules to a user being loaded (config `user` lines, ACL file); throws RuleError. */
  applyAll(u: User, ops: readonly string[]): void {
    for (const op of ops) u.apply(this.table, op, this.allChannelsDefault());
  }

  /** requirepass: the default user's only password, or nopass when empty. */
  setDefaultPassword(pass: string): void {
    const u = this.defaultUser;
    u.apply(this.table, 'resetpass', false);
    u.apply(this.table, pass === '' ? 'nopass' : '>' + pass, false);
  }

  /** Connections start as the default user, authenticated when it needs no password. */
  authRequired(c: Session): boolean {
    const d = this.defaultUser;
    return (!d.nopass || !d.enabled) && !c.authenticated;
  }

  /**
   * AUTH / HELLO AUTH: true and the client switched to the user, or false
   * (logged with the command name as sent, `object`).
   */
  authenticate(c: Session, username: string, password: string, object: string): boolean {
    const u = this.users.get(username);
    if (u !== undefined && u.enabled && u.checkPassword(password)) {
      c.authenticated = true;
      c.user = u;
      return true;
    }
    this.log.add(c, DENIED_AUTH, this.context(c), object, username);
    return false;
  }

  /** ACL DELUSER: removes users; clients authenticated as them are disconnected. */
  deleteUser(name: string, clients: Iterable<Session>, current: Session): boolean {
    const u = this.users.get(name);
    if (u === undefined) return false;
    this.users.delete(name);
    this.disconnectUsersOf(new Set([u]), clients, current);
    this.onUsersChanged();
    return true;
  }

  /** Clients authenticated as any of `gone` revert to the default user, unauthenticated, and are closed. */
  disconnectUsersOf(gone: Set<User>, clients: Iterable<Session>, current: Session | null): void {
    for (const c of clients) {
      if (!gone.has(c.user)) continue;
      c.user = this.defaultUser;
      c.authenticated = false;
      if (c === current) c.closeAfterReply = true;
      else c.close();
    }
  }

  /** The client's permission check before a command (fast path for unrestricted users). */
  check(c: Session, cmd: CommandInfo, args: readonly string[]): CheckResult {
    const u = c.user;
    if (u.selectors.length === 1 && u.unrestricted) return OK;
    return this.checkUser(u, cmd, args);
  }

  /** ACLCheckAllUserCommandPerm: OK when one selector allows it; else the most relevant denial. */
  checkUser(u: User, cmd: CommandInfo, args: readonly string[]): CheckResult {
    let relevant = DENIED_CMD;
    let lastIdx = 0;
    let keys: number[][] | undefined;
    const getKeys = (): number[][] => (keys ??= keysWithPerms(cmd, args));
    for (const s of u.selectors) {
      const r = this.checkSelector(s, cmd, args, getKeys);
      if (r.result === ACL_OK) return OK;
      if (r.result > relevant || (r.result === relevant && r.idx > lastIdx)) {
        relevant = r.result;
        lastIdx = r.idx;
      }
    }
    return { result: relevant, idx: lastIdx };
  }

  private checkSelector(s: Selector, cmd: CommandInfo, args: readonly string[], getKeys: () => number[][]): CheckResult {
    const t = this.table;
    if (!s.allCommands && !(cmd.parent ?? cmd).spec.flags.includes('no_auth')) {
      const id = t.id(cmd);
      if (s.allowed[id] !== 1) {
        const firsts = s.firstArgs?.get(id);
        const idx = cmd.parent ? 2 : 1;
        if (firsts === undefined || args.length < 2) return { result: DENIED_CMD, idx: 0 };
        const a = args[idx]?.toLowerCase();
        if (!firsts.some((f) => f.toLowerCase() === a)) return { result: DENIED_CMD, idx: 0 };
      }
    }
    if (!s.allKeys) {
      for (const [pos, perm] of getKeys()) {
        if (!keyAllowed(s, args[pos!]!, perm!)) return { result: DENIED_KEY, idx: pos! };
      }
    }
    const ch = CHANNEL_ARGS[cmd.fullName];
    if (!s.allChannels && ch !== undefined) {
      const stop = ch.count === -1 ? args.length : Math.min(args.length, 1 + ch.count);
      for (let i = 1; i < stop; i++) {
        if (!channelAllowed(s.channels, args[i]!, ch.pattern)) return { result: DENIED_CHANNEL, idx: i };
      }
    }
    return OK;
  }

  /**
   * ACLUserCheckCmdWithUnrestrictedKeyAccess for read access: a selector
   * allowing the command also allows reading every key (SORT BY / GET patterns).
   */
  unrestrictedRead(u: User, cmd: CommandInfo, args: readonly string[]): boolean {
    if (u.selectors.length === 1 && u.unrestricted) return true;
    let keys: number[][] | undefined;
    const getKeys = (): number[][] => (keys ??= keysWithPerms(cmd, args));
    for (const s of u.selectors) {
      if (this.checkSelector(s, cmd, args, getKeys).result !== ACL_OK) continue;
      if (s.allKeys || s.patterns.some((p) => (p.flags & PERM_READ) !== 0 && p.pattern === '*')) return true;
    }
    return false;
  }

  /** Whether the user may read a key (key feeds: a watcher sees only such keys). */
  keyReadable(u: User, key: string): boolean {
    return u.selectors.some((s) => s.allKeys || keyAllowed(s, key, PERM_READ));
  }

  /** Whether the user may touch a channel (SUBSCRIBE-time checks and ACL DRYRUN). */
  channelAllowed(u: User, channel: string, isPattern: boolean): boolean {
    return u.selectors.some((s) => s.allChannels || channelAllowed(s.channels, channel, isPattern));
  }

  /** The log context of a client's current command. */
  context(c: Session): LogContext {
    if (c.ext.script === true) return 'lua';
    return c.ext.multi !== undefined || c.inExec ? 'multi' : 'toplevel';
  }

  /** Adds a denial to ACL LOG: the object is the command name, or the denied key / channel. */
  logDenial(c: Session, res: CheckResult, cmd: CommandInfo, args: readonly string[], context: LogContext): void {
    const object = res.result === DENIED_CMD ? cmd.fullName : args[res.idx]!;
    this.log.add(c, res.result, context, object, c.user.name);
  }

  /**
   * Subscribers authenticated as `old` whose channels the new rules no longer
   * allow are disconnected (ACLKillPubsubClientsIfNeeded).
   */
  private killRevokedSubscribers(next: User, old: User, clients: Iterable<Session>): void {
    const upcoming = upcomingChannels(next, old);
    if (upcoming === null) return;
    for (const c of clients) if (c.user === old && this.subscribedOutside(c, upcoming)) c.close();
  }

  /** ACLShouldKillPubsubClient: c subscribes to a channel or pattern `upcoming` does not allow. */
  private subscribedOutside(c: Session, upcoming: readonly string[]): boolean {
    const subs = this.peers.subscriptionsOf(c);
    return subs.patterns.some((p) => !channelAllowed(upcoming, p, true)) ||
      subs.channels.some((ch) => !channelAllowed(upcoming, ch, false)) ||
      subs.shardChannels.some((ch) => !channelAllowed(upcoming, ch, false));
  }

  /**
   * After ACL LOAD (Redis 7.4, #12171): a client whose user is still there
   * stays, running as the loaded user of its name, unless it subscribes to
   * channels that user may not; a client whose user is gone is closed
   * (`current` after its reply). `oldDefault` is the default user's rules
   * before the load (its object is kept and took the new rules).
   */
  relinkAfterLoad(clients: Iterable<Session>, oldDefault: User, current: Session | null): void {
    const upcomingOf = new Map<User, readonly string[] | null>();
    for (const c of clients) {
      if (c.ext.master === true) continue;
      const original = c.user === this.defaultUser ? oldDefault : c.user;
      const next = this.users.get(c.user.name);
      let upcoming: readonly string[] | null = null;
      if (next !== undefined && inPubSubMode(c)) {
        if (!upcomingOf.has(next)) upcomingOf.set(next, upcomingChannels(next, original));
        upcoming = upcomingOf.get(next)!;
      }
      if (next === undefined || (upcoming !== null && this.subscribedOutside(c, upcoming))) {
        c.user = this.defaultUser;
        c.authenticated = false;
        if (c === current) c.closeAfterReply = true;
        else c.close();
        continue;
      }
      c.user = next;
    }
  }
}

/**
 * getUpcomingChannelList: the channels `next` allows, or null when it allows
 * at least all `old` did (every channel, or a superset of the list).
 */
function upcomingChannels(next: User, old: User): string[] | null {
  if (next.selectors.some((s) => s.allChannels)) return null;
  const upcoming = next.selectors.flatMap((s) => s.channels);
  const superset = old.selectors.every((s) => !s.allChannels && s.channels.every((ch) => upcoming.includes(ch)));
  return superset ? null : upcoming;
}

function inPubSubMode(c: Session): boolean {
  return c.subscriptions + c.patternSubscriptions + c.shardSubscriptions > 0;
}

/** [position, needed permission] of each key of a command line (none when the arguments are invalid). */
function keysWithPerms(cmd: CommandInfo, args: readonly string[]): number[][] {
  const keys = commandKeys(cmd, args);
  if (keys === null) return [];
  return keys.map((k) => {
    let perm = 0;
    if (k.flags.includes('access')) perm |= PERM_READ;
    if (k.flags.includes('insert') || k.flags.includes('delete') || k.flags.includes('update')) perm |= PERM_WRITE;
    return [k.pos, perm];
  });
}

function keyAllowed(s: Selector, key: string, perm: number): boolean {
  for (const p of s.patterns) {
    if ((p.flags & perm) !== perm) continue;
    if (globMatch(p.pattern, key)) return true;
  }
  return false;
}

/** A channel against a selector's list: patterns (PSUBSCRIBE) must match an entry literally. */
function channelAllowed(list: readonly string[], channel: string, isPattern: boolean): boolean {
  for (const p of list) if (isPattern ? p === channel : globMatch(p, channel)) return true;
  return false;
}

export { hasSpaces };
