/**
 * The command table, built from the specs of every family. Generic in the
 * client type C the handlers take (ServerState holds a Registry<Client>).
 */
import type { CommandOf, SpecInfo, SpecOf } from './command.ts';

const GROUP_CATEGORY: Record<string, string> = {
  string: '@string', list: '@list', hash: '@hash', set: '@set', sorted_set: '@sortedset',
  generic: '@keyspace', connection: '@connection', bitmap: '@bitmap', hyperloglog: '@hyperloglog',
  geo: '@geo', stream: '@stream', pubsub: '@pubsub', transactions: '@transaction', scripting: '@scripting',
};

function aclCategoriesOf(spec: SpecInfo): string[] {
  const f = new Set(spec.flags);
  const out: string[] = [];
  if (f.has('write')) out.push('@write');
  // scripting commands are excluded from @read (Redis's setImplicitACLCategories)
  if (f.has('readonly') && spec.group !== 'scripting') out.push('@read');
  if (f.has('admin')) out.push('@admin', '@dangerous');
  if (f.has('pubsub')) out.push('@pubsub');
  const g = GROUP_CATEGORY[spec.group];
  // containers (OBJECT, CLIENT, …) carry no group category in Redis, only their subcommands do
  if (g !== undefined && spec.subcommands === undefined && spec.groupAcl !== false && !out.includes(g)) out.push(g);
  if (f.has('fast')) out.push('@fast');
  else out.push('@slow');
  if (f.has('blocking')) out.push('@blocking');
  for (const a of spec.acl ?? []) if (!out.includes(a)) out.push(a);
  return out;
}

function build<C>(spec: SpecOf<C>, parent: CommandOf<C> | null): CommandOf<C> {
  const cmd: CommandOf<C> = {
    spec,
    fullName: parent ? `${parent.fullName}|${spec.name}` : spec.name,
    handler: spec.handler,
    subcommands: null,
    parent,
    aclCategories: aclCategoriesOf(spec),
    isWrite: spec.flags.includes('write'),
    isFast: spec.flags.includes('fast') || (spec.firstKey === 1 && spec.lastKey === 1 && !spec.flags.includes('blocking')),
    calls: 0, usec: 0, rejectedCalls: 0, failedCalls: 0,
  };
  if (spec.subcommands) {
    const subs = new Map<string, CommandOf<C>>();
    for (const s of spec.subcommands) subs.set(s.name, build(s, cmd));
    (cmd as { subcommands: ReadonlyMap<string, CommandOf<C>> | null }).subcommands = subs;
  }
  return cmd;
}

export class Registry<C> {
  /** Lower-case name → command; upper-case names are indexed too so common lookups don't allocate. */
  private readonly byName = new Map<string, CommandOf<C>>();
  readonly commands: CommandOf<C>[] = [];

  constructor(specs: Iterable<SpecOf<C>>) {
    for (const spec of specs) {
      if (this.byName.has(spec.name)) throw new Error(`duplicate command spec '${spec.name}'`);
      const cmd = build(spec, null);
      this.commands.push(cmd);
      this.byName.set(spec.name, cmd);
      this.byName.set(spec.name.toUpperCase(), cmd);
    }
  }

  lookup(name: string): CommandOf<C> | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  /** Every command and subcommand, depth first. */
  *all(): Iterable<CommandOf<C>> {
    for (const c of this.commands) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }
}
