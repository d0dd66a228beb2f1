/**
 * An ACL user: on/off, passwords (SHA-256 hex), payload sanitization flag
 * and its selectors (the root one first). Rules are applied one at a time
 * as Redis's ACLSetUser; ACL SETUSER stages them on a copy first.
 */
import { createHash } from 'node:crypto';
import type { AclTable } from './acl-table.ts';
import { RuleError, Selector } from './acl-selector.ts';
import { parseRate, type RateSpec } from './rate-bucket.ts';

export function hashPassword(clear: string): string {
  return createHash('sha256').update(Buffer.from(clear, 'latin1')).digest('hex');
}

/** The hash a password rule names: >pass / <pass in clear text, #hash / !hash as 64 lower-case hex digits. */
function ruleHash(op: string): string {
  if (op[0] === '>' || op[0] === '<') return hashPassword(op.slice(1));
  const h = op.slice(1);
  if (!/^[0-9a-f]{64}$/.test(h)) throw new RuleError('EBADMSG');
  return h;
}

/** User flags in the order Redis describes them. */
export const USER_FLAGS = ['on', 'off', 'nopass', 'skip-sanitize-payload', 'sanitize-payload'] as const;
type UserFlag = (typeof USER_FLAGS)[number];

export class User {
  readonly name: string;
  /** New users are off and sanitize payloads (Redis 7.2 shows the flag, #11279). */
  readonly flags = new Set<UserFlag>(['off', 'sanitize-payload']);
  passwords: string[] = [];
  selectors: Selector[];
  /** shardis's rate limits (`ratelimit-commands:<n>[/<burst>]`, `ratelimit-bytes:…`; security/rate-limit.ts), null: none. */
  rateCommands: RateSpec | null = null;
  rateBytes: RateSpec | null = null;
  /** ACL LIST / GETUSER description, cached until the next change. */
  described: string | null = null;

  constructor(name: string, table: AclTable, allChannels: boolean) {
    this.name = name;
    this.selectors = [new Selector(table, true, allChannels)];
  }

  get root(): Selector {
    return this.selectors[0]!;
  }

  get enabled(): boolean {
    return this.flags.has('on');
  }

  get nopass(): boolean {
    return this.flags.has('nopass');
  }

  /** The root selector may run anything on any key and channel: permission checks can be skipped. */
  get unrestricted(): boolean {
    const r = this.root;
    return r.allCommands && r.allKeys && r.allChannels;
  }

  /** Copies another user's rules (not its name) — Redis's ACLCopyUser. */
  copyFrom(src: User, table: AclTable): void {
    this.flags.clear();
    for (const f of src.flags) this.flags.add(f);
    this.passwords = [...src.passwords];
    this.selectors = src.selectors.map((s) => s.clone(table));
    this.rateCommands = src.rateCommands;
    this.rateBytes = src.rateBytes;
    this.described = src.described;
  }

  checkPassword(clear: string): boolean {
    if (this.nopass) return true;
    const h = hashPassword(clear);
    return this.passwords.includes(h);
  }

  /**
   * Applies one rule; throws RuleError. `allChannelsDefault` is
   * acl-pubsub-default (reset and new selectors start from it).
   */
  apply(table: AclTable, op: string, allChannelsDefault: boolean): void {
    this.described = null;
    if (op === '') return;
    const lower = op.toLowerCase();
    const flag = (on: UserFlag, off: UserFlag): void => {
      this.flags.add(on);
      this.flags.delete(off);
    };
    if (lower === 'on') flag('on', 'off');
    else if (lower === 'off') flag('off', 'on');
    else if (lower === 'skip-sanitize-payload') flag('skip-sanitize-payload', 'sanitize-payload');
    else if (lower === 'sanitize-payload') flag('sanitize-payload', 'skip-sanitize-payload');
    else if (lower === 'nopass') {
      this.flags.add('nopass');
      this.passwords = [];
    } else if (lower === 'resetpass') {
      this.flags.delete('nopass');
      this.passwords = [];
    } else if (op[0] === '>' || op[0] === '#') {
      const h = ruleHash(op);
      if (!this.passwords.includes(h)) this.passwords.push(h);
      this.flags.delete('nopass');
    } else if (op[0] === '<' || op[0] === '!') {
      const i = this.passwords.indexOf(ruleHash(op));
      if (i < 0) throw new RuleError('ENODEV');
      this.passwords.splice(i, 1);
    } else if (op[0] === '(' && op[op.length - 1] === ')') {
      const s = new Selector(table, false, allChannelsDefault);
      for (const part of splitArgs(op.slice(1, -1))) s.apply(table, part);
      this.selectors.push(s);
    } else if (lower.startsWith(RATE_COMMANDS) || lower.startsWith(RATE_BYTES)) {
      const bytes = lower.startsWith(RATE_BYTES);
      const [n, burst, extra] = lower.slice(bytes ? RATE_BYTES.length : RATE_COMMANDS.length).split('/');
      const spec = extra === undefined ? parseRate(n!, burst) : undefined;
      if (spec === undefined) throw new RuleError('EINVAL');
      if (bytes) this.rateBytes = spec;
      else this.rateCommands = spec;
    } else if (lower === 'resetratelimits') {
      this.rateCommands = null;
      this.rateBytes = null;
    } else if (lower === 'clearselectors') {
      this.selectors = [this.root];
    } else if (lower === 'reset') {
      this.flags.delete('nopass');
      this.passwords = [];
      const r = this.root;
      r.apply(table, 'resetkeys');
      r.apply(table, 'resetchannels');
      if (allChannelsDefault) r.apply(table, 'allchannels');
      flag('off', 'on');
      flag('sanitize-payload', 'skip-sanitize-payload');
      this.rateCommands = null;
      this.rateBytes = null;
      this.selectors = [r];
      r.apply(table, '-@all');
    } else {
      this.root.apply(table, op);
    }
  }
}

/** shardis's rate limit rules (not in Redis's grammar, which has no rule with a ':'). */
export const RATE_COMMANDS = 'ratelimit-commands:';
export const RATE_BYTES = 'ratelimit-bytes:';

/** A user's rate limit rules as ACL LIST shows them ('' when it has none). */
export function rateRules(u: User): string {
  let out = '';
  if (u.rateCommands !== null) out += `${RATE_COMMANDS}${u.rateCommands.perSec}/${u.rateCommands.burst}`;
  if (u.rateBytes !== null) out += `${out === '' ? '' : ' '}${RATE_BYTES}${u.rateBytes.perSec}/${u.rateBytes.burst}`;
  return out;
}

/** Splits a selector body on whitespace, honouring quotes (Redis's sdssplitargs, simplified to what rules use). */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

/**
 * Joins selector rules that were split over several arguments ("(+get",
 * "~key)") back into one (ACLMergeSelectorArguments); returns the index
 * of an unmatched "(" as a number.
 */
export function mergeSelectorArgs(args: readonly string[]): string[] | number {
  const out: string[] = [];
  let open = -1;
  let acc = '';
  for (let j = 0; j < args.length; j++) {
    const op = args[j]!;
    if (op[0] === '(' && op[op.length - 1] !== ')') {
      acc = op;
      open = j;
      continue;
    }
    if (open !== -1) {
      acc += ' ' + op;
      if (op[op.length - 1] === ')') {
        open = -1;
        out.push(acc);
      }
      continue;
    }
    out.push(op);
  }
  return open !== -1 ? open : out;
}
