/**
 * Command metadata as data. Every command is a spec literal beside its
 * handler; the registry, COMMAND, arity checks, ACL categories and key
 * extraction all read these.
 */
import type { Client } from '../../server/client.ts';

export type Handler = (c: Client, args: string[]) => void | Promise<void>;

export type CommandFlag =
  | 'write' | 'readonly' | 'denyoom' | 'admin' | 'pubsub' | 'noscript' | 'blocking'
  | 'loading' | 'stale' | 'skip_monitor' | 'skip_slowlog' | 'asking' | 'fast'
  | 'no_auth' | 'may_replicate' | 'no_mandatory_keys' | 'no_async_loading'
  | 'no_multi' | 'movablekeys' | 'allow_busy' | 'sentinel';

export type CommandGroup =
  | 'string' | 'list' | 'hash' | 'set' | 'sorted_set' | 'generic' | 'connection'
  | 'server' | 'bitmap' | 'hyperloglog' | 'geo' | 'stream' | 'pubsub'
  | 'transactions' | 'scripting' | 'cluster';

/** One argument as COMMAND DOCS shows it. */
export interface ArgSpec {
  name: string;
  type: 'string' | 'integer' | 'double' | 'key' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';
  token?: string;
  /** Version that added the argument (COMMAND DOCS shows it). */
  since?: string;
  optional?: boolean;
  multiple?: boolean;
  /** The token repeats before each value (COMMAND DOCS flag multiple_token). */
  multipleToken?: boolean;
  args?: readonly ArgSpec[];
}

export interface CommandSpec {
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
  since: string;
  summary: string;
  complexity?: string;
  /** Extra ACL categories beyond those derived from group and flags. */
  acl?: readonly string[];
  /** false: no ACL category from the group (Redis lists none for SORT). */
  groupAcl?: false;
  args?: readonly ArgSpec[];
  /** Key positions for commands whose keys move (numkeys, STORE options…). */
  keys?: (args: readonly string[]) => number[];
  handler?: Handler;
  /**
   * For commands whose write-ness depends on their arguments (EVAL and
   * FCALL declare it in the script): whether this invocation may write,
   * as Redis's getCommandFlags. CLIENT PAUSE WRITE reads it.
   */
  mayWrite?: (c: Client, args: readonly string[]) => boolean;
  subcommands?: readonly CommandSpec[];
}

/** Identity helper so specs type-check as literals. */
export function command(spec: CommandSpec): CommandSpec {
  return spec;
}
