/**
 * Rate limits (docs/rate-limits.md): commands per second and input bytes
 * per second, per connection (`rate-limit-conn-commands`,
 * `rate-limit-conn-bytes`) and per ACL user (`ratelimit-commands:` and
 * `ratelimit-bytes:` rules, one bucket shared by all of the user's
 * connections, on every thread). Commands are admitted in one place for
 * every front end (dispatch.ts's executeRequest); bytes are counted where
 * each front end reads its input. `rate-limit-mode refuse` answers a
 * command over a limit with RATE_LIMITED; `delay` makes it wait until it
 * conforms (the connection reads nothing more meanwhile).
 *
 * A transaction counts once, at EXEC (queued commands are not counted),
 * and a script once, as EVAL / FCALL: the commands they run are not
 * admitted again. Internal clients (the AOF loader, scripts' client, jobs
 * run for another thread's connection), a replica's link to its primary
 * and a primary's replicas (their handshake's REPLCONF / PSYNC / SYNC
 * included) are never limited.
 */
import type { Config } from '../config/config.ts';
import { getConfigValue } from '../config/config.ts';
import type { Acl } from './acl.ts';
import type { User } from './acl-user.ts';
import { type Session, mustObeyClient } from '../server/session.ts';
import { type Bucket, type ConnBuckets, formatRate, LocalBucket, parseRate, type RateSpec, SharedBuckets, type UserBuckets } from './rate-bucket.ts';

/** The prefix of a refusal's text. */
export const RATE_LIMITED = 'ERR rate limit exceeded';

/** What the limiter counts (INFO stats rate_limited_commands / rate_limited_delays). */
export interface RateStats {
  rateLimitedCommands: number;
  rateLimitedDelays: number;
}

function configRate(cfg: Config, name: string): RateSpec | null {
  const v = (getConfigValue(cfg, name) ?? '0 0').split(' ');
  return parseRate(v[0]!, v[1]) ?? null;
}

/** The input bytes of a command given as arguments (front ends that read no RESP: gRPC). */
export function argBytes(args: readonly string[]): number {
  let n = 0;
  for (const a of args) n += a.length;
  return n;
}

/** A user's buckets, the share of its limit they hold (1, or 1/threads when not shared) and the limits they serve. */
interface UserEntry {
  readonly buckets: UserBuckets;
  readonly share: number;
  commands: RateSpec | null;
  bytes: RateSpec | null;
}

export class RateLimits {
  /** Some limit is set: the one check made per command (and per read) when none is. */
  on = false;
  connCommands: RateSpec | null = null;
  connBytes: RateSpec | null = null;
  /** rate-limit-mode delay (else refuse). */
  delay = false;
  private readonly acl: Acl;
  private readonly stats: RateStats;
  /** With threads: the users' buckets every thread shares, and how many threads there are. */
  private shared: SharedBuckets | null = null;
  private threads = 1;
  private readonly users = new Map<string, UserEntry>();
  private userLimits = false;
  /** Counts changes of the connection limits (connections' buckets made before are full again). */
  private generation = 0;

  constructor(acl: Acl, stats: RateStats) {
    this.acl = acl;
    this.stats = stats;
  }

  /** Reads the rate-limit-* parameters (at start and after CONFIG SET: existing connections follow). */
  configure(cfg: Config): void {
    const commands = configRate(cfg, 'rate-limit-conn-commands');
    const bytes = configRate(cfg, 'rate-limit-conn-bytes');
    if (formatRate(commands) !== formatRate(this.connCommands) || formatRate(bytes) !== formatRate(this.connBytes)) this.generation++;
    this.connCommands = commands;
    this.connBytes = bytes;
    this.delay = getConfigValue(cfg, 'rate-limit-mode') === 'delay';
    this.update();
  }

  /** With threads: users' buckets live in `sab`, which every thread maps. */
  share(sab: SharedArrayBuffer, threads: number): void {
    this.shared = new SharedBuckets(sab);
    this.threads = threads;
    this.users.clear();
  }

  /** After ACL changes: whether any user has a limit (users gone lose their buckets here; with threads their slots stay). */
  usersChanged(): void {
    let any = false;
    for (const [name, e] of this.users) {
      const u = this.acl.users.get(name);
      if (u === undefined || (u.rateCommands === null && u.rateBytes === null)) {
        this.users.delete(name);
        continue;
      }
      // a changed limit starts from a full bucket (with threads every thread resets the shared one: the same change)
      if (u.rateCommands !== e.commands) e.buckets.commands.reset();
      if (u.rateBytes !== e.bytes) e.buckets.bytes.reset();
      e.commands = u.rateCommands;
      e.bytes = u.rateBytes;
    }
    for (const u of this.acl.users.values()) if (u.rateCommands !== null || u.rateBytes !== null) any = true;
    this.userLimits = any;
    this.update();
  }

  private update(): void {
    this.on = this.userLimits || this.connCommands !== null || this.connBytes !== null;
  }

  /** Clients that are never limited. */
  private exempt(c: Session): boolean {
    const ext = c.ext;
    return c.user === this.acl.internalUser || ext.originId !== undefined || ext.replay === true || ext.replica === true || mustObeyClient(c);
  }

  private userEntry(u: User): UserEntry {
    let e = this.users.get(u.name);
    if (e === undefined) {
      const shared = this.shared?.of(u.name) ?? null;
      const buckets = shared ?? { commands: new LocalBucket(), bytes: new LocalBucket() };
      e = { buckets, share: shared !== null || this.shared === null ? 1 : 1 / this.threads, commands: u.rateCommands, bytes: u.rateBytes };
      this.users.set(u.name, e);
    }
    return e;
  }

  private connBuckets(c: Session): ConnBuckets {
    const b = c.rate;
    if (b !== null && b.generation === this.generation) return b;
    return (c.rate = { commands: new LocalBucket(), bytes: new LocalBucket(), generation: this.generation });
  }

  /**
   * `n` bytes read from c's input: taken from its byte buckets (which may
   * go into debt). The milliseconds until they are out of debt, for a front
   * end that can stop reading meanwhile (delay mode).
   */
  read(c: Session, n: number): number {
    if (n === 0 || (this.connBytes === null && c.user.rateBytes === null) || this.exempt(c)) return 0;
    let wait = 0;
    const now = performance.now();
    const conn = this.connBytes;
    if (conn !== null) wait = this.connBuckets(c).bytes.take(n, conn, false, now);
    const spec = c.user.rateBytes;
    if (spec !== null) {
      const e = this.userEntry(c.user);
      wait = Math.max(wait, e.buckets.bytes.take(n, scaled(spec, e.share), false, now));
    }
    return this.delay ? wait : 0;
  }

  /**
   * Admits one command of c: 0 when it runs now, the milliseconds it must
   * wait first (delay mode; its tokens are taken), or the refusal's text
   * (refuse mode; nothing taken).
   */
  admit(c: Session, command: string): number | string {
    const u = c.user;
    const userCmds = u.rateCommands;
    const userBytes = u.rateBytes;
    // limits of other users only: nothing to do for this one
    if (userCmds === null && userBytes === null && this.connCommands === null && this.connBytes === null) return 0;
    if (this.exempt(c) || REPLICATION.has(command)) return 0;
    const refuse = !this.delay;
    const e = userCmds !== null || userBytes !== null ? this.userEntry(u) : null;
    // bytes already read: a bucket in debt holds the command back
    let wait = 0;
    const now = performance.now();
    if (this.connBytes !== null) {
      const d = this.connBuckets(c).bytes.debt(this.connBytes, now);
      if (d > 0 && refuse) return this.refuse('connection bytes', d);
      wait = d;
    }
    if (userBytes !== null) {
      const d = e!.buckets.bytes.debt(scaled(userBytes, e!.share), now);
      if (d > 0 && refuse) return this.refuse(`user '${u.name}' bytes`, d);
      wait = Math.max(wait, d);
    }
    let connTaken: Bucket | null = null;
    if (this.connCommands !== null) {
      const b = this.connBuckets(c).commands;
      const d = b.take(1, this.connCommands, refuse, now);
      if (d > 0 && refuse) return this.refuse('connection commands', d);
      connTaken = b;
      wait = Math.max(wait, d);
    }
    if (userCmds !== null) {
      const spec = scaled(userCmds, e!.share);
      const d = e!.buckets.commands.take(1, spec, refuse, now);
      if (d > 0 && refuse) {
        // the connection's token goes back: the command does not run
        connTaken?.take(-1, this.connCommands!, false, now);
        return this.refuse(`user '${u.name}' commands`, d);
      }
      wait = Math.max(wait, d);
    }
    if (wait > 0) this.stats.rateLimitedDelays++;
    return wait;
  }

  private refuse(which: string, ms: number): string {
    this.stats.rateLimitedCommands++;
    return `${RATE_LIMITED} (${which}, retry in ${Math.ceil(ms)} ms)`;
  }
}

/** A replica's handshake with its primary (it is a connection like any other until PSYNC makes it a replica). */
const REPLICATION = new Set(['replconf', 'psync', 'sync']);

function scaled(spec: RateSpec, share: number): RateSpec {
  return share === 1 ? spec : { perSec: spec.perSec * share, burst: Math.max(1, spec.burst * share) };
}
