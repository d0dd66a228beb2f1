/**
 * Command metadata as data. Every command is a spec literal beside its
 * handler; the registry, COMMAND, arity checks, ACL categories and key
 * extraction all read these. The types live in command.ts, generic in the
 * client; here they take the Client the families' handlers run for.
 */
import type { Client } from '../../server/client.ts';
import type { CommandOf, HandlerOf, SpecOf } from './command.ts';

export type { CommandFlag, CommandGroup } from './command.ts';

export type Handler = HandlerOf<Client>;

export type CommandSpec = SpecOf<Client>;

/** A command of the registry, with its handler. */
export type Command = CommandOf<Client>;

/** Identity helper so specs type-check as literals. */
export function command(spec: CommandSpec): CommandSpec {
  return spec;
}
