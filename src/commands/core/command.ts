/**
 * What a command is, for every layer: the metadata of its spec (name, arity,
 * flags, key positions, ACL categories …) and of the registry's command
 * (full name, subcommands, commandstats). Services below the connection
 * (pub/sub, tracking, ACL, latency, CLIENT PAUSE …) read only this. The
 * handler's types take the client as a parameter `C`, so this module stays
 * below the Client class; spec.ts instantiates them with Client for the
 * command families.
 */

export type CommandFlag =
  | 'write' | 'readonly' | 'denyoom' | 'admin' | 'pubsub' | 'noscript' | 'blocking'
  | 'loading' | 'stale' | 'skip_monitor' | 'skip_slowlog' | 'asking' | 'fast'
  | 'no_auth' | 'may_replicate' | 'no_mandatory_keys' | 'no_async_loading'
  | 'no_multi' | 'movablekeys' | 'allow_busy' | 'sentinel';

export type CommandGroup =
  | 'string' | 'list' | 'hash' | 'set' | 'sorted_set' | 'generic' | 'connection'
  | 'server' | 'bitmap' | 'hyperloglog' | 'geo' | 'stream' | 'pubsub'
  | 'transactions' | 'scripting' | 'cluster';

/** A command spec without its handler. */
export interface SpecInfo {
  /** Lower-case name; for a subcommand just its own part ("setname"). */
  name: string;
  /** Redis arity: N exact, -N at least N (counting the command name). */
  arity: number;
  flags: readonly CommandFlag[];
  /** Key positions (1-based) as Redis's legacy first/last/step; 0 = no keys. */
  firstKey: number;
  lastKey: number;
  step: number;
  group: CommandGroup;
  /** Extra ACL categories beyond those derived from group and flags. */
  acl?: readonly string[];
  /** false: no ACL category from the group (Redis lists none for SORT). */
  groupAcl?: false;
  /** Key positions for commands whose keys move (numkeys, STORE options…). */
  keys?: (args: readonly string[]) => number[];
  subcommands?: readonly SpecInfo[];
}

/** Whether a call of argc words (the name included) satisfies spec's arity. */
export function arityAllows(spec: SpecInfo, argc: number): boolean {
  const arity = spec.arity;
  return arity >= 0 ? argc === arity : argc >= -arity;
}

/** Runs a command for client `c`. */
export type HandlerOf<C> = (c: C, args: string[]) => void | Promise<void>;

/** A command spec: metadata as data, with the handler beside it. */
export interface SpecOf<C> extends SpecInfo {
  handler?: HandlerOf<C>;
  /**
   * For commands whose write-ness depends on their arguments (EVAL and
   * FCALL declare it in the script): whether this invocation may write,
   * as Redis's getCommandFlags. CLIENT PAUSE WRITE reads it.
   */
  mayWrite?: (c: C, args: readonly string[]) => boolean;
  /**
   * EVAL / FCALL: whether this invocation counts as a write for the cluster
   * gate (Redis's getCommandFlags, whose scriptFlagsToCmdFlags makes a call
   * of a script that declares flags a write unless it declares no-writes; a
   * script without a shebang, or one not known, keeps the command's flags).
   */
  writesByFlags?: (c: C, args: readonly string[]) => boolean;
  subcommands?: readonly SpecOf<C>[];
}

/** A command of the registry, without its handler. */
export interface CommandInfo {
  readonly spec: SpecInfo;
  /** "get", or "client|setname" for a subcommand. */
  readonly fullName: string;
  readonly subcommands: ReadonlyMap<string, CommandInfo> | null;
  readonly parent: CommandInfo | null;
  readonly aclCategories: readonly string[];
  readonly isWrite: boolean;
  /** Flagged 'fast' or a plain read/write of one key: timed by sampling in commandstats. */
  readonly isFast: boolean;
  // commandstats
  calls: number;
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/** A command of the registry for clients of type C. */
export interface CommandOf<C> extends CommandInfo {
  readonly spec: SpecOf<C>;
  readonly handler: HandlerOf<C> | undefined;
  readonly subcommands: ReadonlyMap<string, CommandOf<C>> | null;
  readonly parent: CommandOf<C> | null;
}

/** Key positions (0-based indexes into args) of one invocation. */
export function keyIndexes(cmd: CommandInfo, args: readonly string[]): number[] {
  const s = cmd.spec;
  if (s.keys) return s.keys(args);
  if (s.firstKey <= 0) return [];
  const last = s.lastKey < 0 ? args.length + s.lastKey : s.lastKey;
  const out: number[] = [];
  for (let i = s.firstKey; i <= last && i < args.length; i += s.step) out.push(i);
  return out;
}

/** The registry as services read it: lookups and every command, without handlers. */
export interface CommandCatalog {
  lookup(name: string): CommandInfo | undefined;
  /** Every command and subcommand, depth first. */
  all(): Iterable<CommandInfo>;
}
