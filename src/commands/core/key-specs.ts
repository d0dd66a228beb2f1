/**
 * Where a command's keys are: its key specs (Redis's, from command-meta.ts,
 * or derived from first/last/step) and the keys of one command line with
 * their flags, as COMMAND GETKEYS and the ACL key checks see them.
 */
import { keyIndexes, type CommandInfo } from './command.ts';
import { metaOf } from './command-meta.ts';

/** One key spec, parsed from command-meta's notation. */
export interface KeySpec {
  flags: string[];
  notes?: string;
  begin: { type: 'index'; index: number } | { type: 'keyword'; keyword: string; startfrom: number } | { type: 'unknown' };
  find:
    | { type: 'range'; lastkey: number; keystep: number; limit: number }
    | { type: 'keynum'; keynumidx: number; firstkey: number; keystep: number }
    | { type: 'unknown' };
}

function parseKeySpec(s: string): KeySpec {
  const [flags, b, f, ...notes] = s.split('|') as [string, string, string, ...string[]];
  const num = (x: string): number[] => x.slice(1).split(',').map(Number);
  let begin: KeySpec['begin'] = { type: 'unknown' };
  if (b[0] === 'i') begin = { type: 'index', index: Number(b.slice(1)) };
  else if (b[0] === 'k') {
    const comma = b.lastIndexOf(',');
    begin = { type: 'keyword', keyword: b.slice(1, comma), startfrom: Number(b.slice(comma + 1)) };
  }
  let find: KeySpec['find'] = { type: 'unknown' };
  if (f[0] === 'r') {
    const [lastkey, keystep, limit] = num(f) as [number, number, number];
    find = { type: 'range', lastkey, keystep, limit };
  } else if (f[0] === 'n') {
    const [keynumidx, firstkey, keystep] = num(f) as [number, number, number];
    find = { type: 'keynum', keynumidx, firstkey, keystep };
  }
  const spec: KeySpec = { flags: flags.split(' '), begin, find };
  if (notes.length) spec.notes = notes.join('|');
  return spec;
}

const keySpecCache = new Map<CommandInfo, KeySpec[]>();

/** The key specs of a command: Redis's when known, else derived from first/last/step or movable keys. */
export function keySpecsOf(cmd: CommandInfo): KeySpec[] {
  let ks = keySpecCache.get(cmd);
  if (ks) return ks;
  const m = metaOf(cmd);
  const s = cmd.spec;
  if (m) ks = (m.ks ?? []).map(parseKeySpec);
  else if (s.firstKey > 0) {
    ks = [{
      flags: cmd.isWrite ? ['RW', 'update'] : ['RO', 'access'],
      begin: { type: 'index', index: s.firstKey },
      find: { type: 'range', lastkey: s.lastKey < 0 ? s.lastKey : s.lastKey - s.firstKey, keystep: s.step, limit: 0 },
    }];
  } else if (s.keys) ks = [{ flags: cmd.isWrite ? ['RW', 'update'] : ['RO', 'access'], begin: { type: 'unknown' }, find: { type: 'unknown' } }];
  else ks = [];
  keySpecCache.set(cmd, ks);
  return ks;
}

/** A key found in a command line: its index in the command's args and its key spec flags. */
export interface KeyRef {
  pos: number;
  flags: readonly string[];
}

/** Redis's getKeysUsingKeySpecs: null when a spec can't be resolved (incomplete, unknown, bad numkeys). */
function keysFromSpecs(specs: readonly KeySpec[], args: readonly string[]): KeyRef[] | null {
  const argc = args.length;
  const out: KeyRef[] = [];
  for (const k of specs) {
    if (k.flags.includes('not_key')) continue;
    let first = 0;
    if (k.begin.type === 'index') first = k.begin.index;
    else if (k.begin.type === 'keyword') {
      const { keyword, startfrom } = k.begin;
      const start = startfrom > 0 ? startfrom : argc + startfrom;
      const end = startfrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (args[i]!.toLowerCase() === keyword.toLowerCase()) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    } else return null;
    let last: number;
    let step: number;
    if (k.find.type === 'range') {
      step = k.find.keystep;
      if (k.find.lastkey >= 0) last = first + k.find.lastkey;
      else if (k.find.limit === 0) last = argc + k.find.lastkey;
      else last = first + (Math.floor((argc - first) / k.find.limit) + k.find.lastkey);
    } else if (k.find.type === 'keynum') {
      step = k.find.keystep;
      if (k.find.keynumidx >= argc) return null;
      const s = args[first + k.find.keynumidx];
      const numkeys = s !== undefined && /^(0|[1-9]\d*)$/.test(s) ? Number(s) : -1;
      if (numkeys < 0) return null;
      first += k.find.firstkey;
      last = first + numkeys - 1;
    } else return null;
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push({ pos: i, flags: k.flags });
    if (k.flags.includes('incomplete')) return null;
  }
  return out;
}

const RO_ACCESS = ['RO', 'access'];
const OW_UPDATE = ['OW', 'update'];
const RW_ACCESS_UPDATE = ['RW', 'access', 'update'];

/** The getkeys procedures of commands whose key specs are not enough (variable flags, unknown or incomplete specs). */
function keysFromProc(cmd: CommandInfo, args: readonly string[]): KeyRef[] {
  const name = cmd.fullName;
  if (name === 'set') {
    let get = false;
    for (let i = 3; i < args.length; i++) if (args[i]!.toLowerCase() === 'get') get = true;
    return [{ pos: 1, flags: get ? RW_ACCESS_UPDATE : OW_UPDATE }];
  }
  if (name === 'bitfield') {
    let ro = true;
    for (let i = 2; i < args.length; i++) {
      const a = args[i]!.toLowerCase();
      const rem = args.length - i - 1;
      if (a === 'get' && rem >= 2) i += 2;
      else if (a === 'overflow' && rem >= 1) i += 1;
      else {
        ro = false;
        break;
      }
    }
    return [{ pos: 1, flags: ro ? RO_ACCESS : RW_ACCESS_UPDATE }];
  }
  if (name === 'migrate') {
    // Redis's migrateGetKeys: the key argument, or what follows KEYS (skipping AUTH / AUTH2 values)
    const flags = ['RW', 'access', 'delete'];
    const skip: Record<string, number> = { copy: 0, replace: 0, auth: 1, auth2: 2 };
    for (let i = 6; i < args.length; i++) {
      const a = args[i]!.toLowerCase();
      if (a === 'keys') {
        if (args[3] !== '') return [];
        const out: KeyRef[] = [];
        for (let j = i + 1; j < args.length; j++) out.push({ pos: j, flags });
        return out;
      }
      i += skip[a] ?? 0;
    }
    return [{ pos: 3, flags }];
  }
  const specs = keySpecsOf(cmd);
  const idx = cmd.spec.keys ? cmd.spec.keys(args) : keyIndexes(cmd, args);
  return idx.map((pos) => {
    // a position that starts a spec takes its flags; STORE-like destinations take the last spec's
    const own = specs.find((k) => k.begin.type === 'index' && k.begin.index === pos);
    if (own) return { pos, flags: own.flags };
    if (name === 'sort') return { pos, flags: OW_UPDATE };
    return { pos, flags: specs[specs.length - 1]?.flags ?? (cmd.isWrite ? ['RW', 'update'] : RO_ACCESS) };
  });
}

/** Keys of a command line with their flags, as COMMAND GETKEYS sees them; null = invalid arguments. */
export function commandKeys(cmd: CommandInfo, args: readonly string[]): KeyRef[] | null {
  const specs = keySpecsOf(cmd);
  const varFlags = specs.some((k) => k.flags.includes('variable_flags'));
  if (specs.length > 0 && !varFlags) {
    const keys = keysFromSpecs(specs, args);
    if (keys !== null) return keys.length ? keys : null;
  }
  // the other procedures parse numkeys as the specs do: when the specs fail, so do they
  if (!OWN_PROC.has(cmd.fullName) && (metaOf(cmd) || !cmd.spec.keys)) return null;
  const keys = keysFromProc(cmd, args);
  return keys.length ? keys : null;
}

/** Commands whose key specs can't describe their keys (unknown, incomplete or variable flags). */
const OWN_PROC = new Set(['set', 'bitfield', 'sort', 'sort_ro', 'migrate']);
