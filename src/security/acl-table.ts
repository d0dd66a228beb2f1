/**
 * The command table as the ACL sees it: every command and subcommand gets
 * an id indexing the selectors' permission bitmaps (Redis's ACLGetCommandID),
 * with one extra id past the end standing for "commands added later"
 * (set only by +@all / allcommands). Also the category list and lookup.
 */
import type { CommandCatalog, CommandInfo } from '../commands/core/command.ts';

/** Categories in Redis's ACLCommandCategories order (ACL CAT, rule description). */
export const ACL_CATEGORIES = [
  'keyspace', 'read', 'write', 'set', 'sortedset', 'list', 'hash', 'string', 'bitmap', 'hyperloglog', 'geo',
  'stream', 'pubsub', 'admin', 'fast', 'slow', 'blocking', 'dangerous', 'connection', 'transaction', 'scripting',
] as const;

export class AclTable {
  /** Every command, each container followed by its subcommands. */
  readonly all: CommandInfo[] = [];
  private readonly ids = new Map<CommandInfo, number>();
  private readonly catMembers = new Map<string, CommandInfo[]>();
  /** Bitmap length: the commands plus the "future commands" bit. */
  readonly size: number;
  readonly futureId: number;
  readonly registry: CommandCatalog;

  constructor(registry: CommandCatalog) {
    this.registry = registry;
    for (const c of registry.all()) {
      this.ids.set(c, this.all.length);
      this.all.push(c);
    }
    this.futureId = this.all.length;
    this.size = this.all.length + 1;
    for (const cat of ACL_CATEGORIES) this.catMembers.set(cat, this.all.filter((c) => c.aclCategories.includes('@' + cat)));
  }

  id(cmd: CommandInfo): number {
    return this.ids.get(cmd)!;
  }

  /** Commands of a category (lower-case name without '@'), or undefined for an unknown category. */
  category(name: string): readonly CommandInfo[] | undefined {
    return this.catMembers.get(name.toLowerCase());
  }

  /** "get" or "config|get", case-insensitive (Redis's lookupCommandBySdsLogic on the original table). */
  lookup(name: string): CommandInfo | undefined {
    const parts = name.split('|');
    if (parts.length > 2) return undefined;
    const base = this.registry.lookup(parts[0]!);
    if (base === undefined || parts.length === 1) return base;
    if (base.subcommands === null) return undefined;
    return base.subcommands.get(parts[1]!.toLowerCase());
  }

  /** The command a request line runs (subcommand resolved), as Redis's lookupCommand. */
  resolve(args: readonly string[]): CommandInfo | undefined {
    const base = this.registry.lookup(args[0]!);
    if (base === undefined || base.subcommands === null) return base;
    if (args.length < 2) return base;
    return base.subcommands.get(args[1]!.toLowerCase());
  }
}
