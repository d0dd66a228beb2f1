/**
 * Redis's documentation of its commands, as data: summary, since, group,
 * complexity, history, doc flags, arguments, tips and key specs, by full
 * command name ("config|set"). COMMAND DOCS, COMMAND INFO and COMMAND
 * GETKEYS read it; the specs beside the handlers hold what the server does
 * (arity, flags, key positions, ACL categories).
 *
 * command-docs.json is recorded from Redis 7.4.1 by
 * compat/record-command-docs.ts (newer commands, Redis 8's hash commands,
 * are added by hand from its commands/*.json).
 *
 * Key spec notation: "FLAGS|BEGIN|FIND[|notes]" where BEGIN is i<index>,
 * k<keyword>,<startfrom> or u (unknown) and FIND is r<lastkey>,<keystep>,<limit>,
 * n<keynumidx>,<firstkey>,<keystep> or u (unknown).
 */
import docs from './command-docs.json' with { type: 'json' };

/** One argument of COMMAND DOCS (Redis's fields; display and ks only where Redis shows them). */
export interface DocArg {
  name: string;
  type: 'string' | 'integer' | 'double' | 'key' | 'pattern' | 'unix-time' | 'pure-token' | 'oneof' | 'block';
  /** display_text, where it is not the name. */
  display?: string;
  /** key_spec_index */
  ks?: number;
  token?: string;
  summary?: string;
  since?: string;
  deprecatedSince?: string;
  flags?: string[];
  args?: DocArg[];
}

export interface CommandDoc {
  summary: string;
  since: string;
  group: string;
  complexity?: string;
  docFlags?: string[];
  deprecatedSince?: string;
  replacedBy?: string;
  history?: Array<[string, string]>;
  args?: DocArg[];
  tips?: string[];
  ks?: string[];
}

export const COMMAND_DOCS = docs as unknown as Readonly<Record<string, CommandDoc>>;

/** Redis's documentation of a command (by its full name), if it has any. */
export function metaOf(cmd: { readonly fullName: string }): CommandDoc | undefined {
  return COMMAND_DOCS[cmd.fullName];
}
