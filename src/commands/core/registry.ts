/** The command table, built from the specs of every family. */
import type { CommandSpec, Handler } from './spec.ts';

export interface Command {
  readonly spec: CommandSpec;
  /** "get", or "client|setname" for a subcommand. */
  readonly fullName: string;
  readonly handler: Handler | undefined;
  readonly subcommands: Map<string, Command> | null;
  readonly parent: Command | null;
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

const GROUP_CATEGORY: Record<string, string> = {
  string: '@string', list: '@list', hash: '@hash', set: '@set', sorted_set: '@sortedset',
  generic: '@keyspace', connection: '@connection', bitmap: '@bitmap', hyperloglog: '@hyperloglog',
  geo: '@geo', stream: '@stream', pubsub: '@pubsub', transactions: '@transaction', scripting: '@scripting',
};

function aclCategoriesOf(spec: CommandSpec): string[] {
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

function build(spec: CommandSpec, parent: Command | null): Command {
  const cmd: Command = {
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
    const subs = new Map<string, Command>();
    for (const s of spec.subcommands) subs.set(s.name, build(s, cmd));
    (cmd as { subcommands: Map<string, Command> | null }).subcommands = subs;
  }
  return cmd;
}

export class Registry {
  /** Lower-case name → command; upper-case names are indexed too so common lookups don't allocate. */
  private readonly byName = new Map<string, Command>();
  readonly commands: Command[] = [];

  constructor(specs: Iterable<CommandSpec>) {
    for (const spec of specs) {
      if (this.byName.has(spec.name)) throw new Error(`duplicate command spec '${spec.name}'`);
      const cmd = build(spec, null);
      this.commands.push(cmd);
      this.byName.set(spec.name, cmd);
      this.byName.set(spec.name.toUpperCase(), cmd);
    }
  }

  lookup(name: string): Command | undefined {
    return this.byName.get(name) ?? this.byName.get(name.toLowerCase());
  }

  /** Every command and subcommand, depth first. */
  *all(): Iterable<Command> {
    for (const c of this.commands) {
      yield c;
      if (c.subcommands) yield* c.subcommands.values();
    }
  }

  /** Key positions (0-based indexes into args) of one invocation. */
  static keyIndexes(cmd: Command, args: readonly string[]): number[] {
    const s = cmd.spec;
    if (s.keys) return s.keys(args);
    if (s.firstKey <= 0) return [];
    const last = s.lastKey < 0 ? args.length + s.lastKey : s.lastKey;
    const out: number[] = [];
    for (let i = s.firstKey; i <= last && i < args.length; i += s.step) out.push(i);
    return out;
  }
}
