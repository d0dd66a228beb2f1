/**
 * Token buckets for rate limits, kept as GCRA (the generic cell rate
 * algorithm): one number per bucket, its theoretical arrival time (TAT).
 * At `rate` units per second each unit moves the TAT on by 1/rate s; a
 * take conforms while the TAT it leaves is at most `burst` units' time
 * ahead of now, so a full bucket allows `burst` units at once and then
 * `rate` per second, as a token bucket of that size refilled at that rate.
 *
 * LocalBucket serves one thread (a connection's buckets, a user's with one
 * thread); SharedBuckets holds users' buckets in a SharedArrayBuffer that
 * every thread of a `--threads N` server maps, each TAT moved with a
 * compare-and-swap, so one user's limit holds over all threads together.
 */

/** A bucket's rate (units per second, > 0) and burst (units, >= 1). */
export interface RateSpec {
  readonly perSec: number;
  readonly burst: number;
}

/** `<per-second> [burst]` (a config value or a rule's `<n>[/<burst>]`): the spec, null for 0 (off), undefined when malformed. */
export function parseRate(perSec: string, burst: string | undefined): RateSpec | null | undefined {
  if (!/^\d{1,10}$/.test(perSec) || (burst !== undefined && !/^\d{1,10}$/.test(burst))) return undefined;
  const rate = Number(perSec);
  const b = burst === undefined ? rate : Number(burst);
  if (rate === 0) return null;
  if (b < 1) return undefined;
  return { perSec: rate, burst: b };
}

/** `<per-second> <burst>` as CONFIG GET shows it ('0 0' when off). */
export function formatRate(spec: RateSpec | null): string {
  return spec === null ? '0 0' : `${spec.perSec} ${spec.burst}`;
}

/** Buckets are given the time as `performance.now()` (read once per command by the caller). */
export interface Bucket {
  /**
   * Takes `cost` units at `now`: the milliseconds until they conform (0:
   * now). With `refuse`, nothing is taken when they would not conform now;
   * otherwise they are always taken (the caller waits, or the bucket goes
   * into debt).
   */
  take(cost: number, spec: RateSpec, refuse: boolean, now: number): number;
  /** Milliseconds until a take of nothing conforms: how long the bucket stays in debt (0: it is not). */
  debt(spec: RateSpec, now: number): number;
  /** Full again (its limit changed: what was taken under the old one no longer counts). */
  reset(): void;
}

/** Milliseconds of floating-point error ignored ((now + 1000) - now is not always 1000). */
const EPSILON = 1e-6;

export class LocalBucket implements Bucket {
  /** The TAT in performance.now() milliseconds. */
  private tat = 0;

  take(cost: number, spec: RateSpec, refuse: boolean, now: number): number {
    const next = Math.max(this.tat, now) + (cost * 1000) / spec.perSec;
    const over = next - now - (spec.burst * 1000) / spec.perSec;
    if (over > EPSILON && refuse) return over;
    this.tat = next;
    return over > EPSILON ? over : 0;
  }

  debt(spec: RateSpec, now: number): number {
    const over = this.tat - now - (spec.burst * 1000) / spec.perSec;
    return over > EPSILON ? over : 0;
  }

  reset(): void {
    this.tat = 0;
  }
}

/** A connection's own buckets, made when a connection limit first applies to it. */
export interface ConnBuckets {
  readonly commands: LocalBucket;
  readonly bytes: LocalBucket;
  /** The limits they were made under (RateLimits.generation): new limits start from full buckets. */
  readonly generation: number;
}

/** Slots of the shared table: users with a limit that any thread has served (names are never given back). */
const SLOTS = 1024;
/** Words (BigInt64) per slot: the name's hash (0: free), then the TATs of the commands and bytes buckets. */
const WORDS = 3;

/** A performance.now() time as wall-clock nanoseconds, comparable across threads (each thread's performance.now() has its own origin). */
function wallNs(now: number): bigint {
  return BigInt(Math.round((performance.timeOrigin + now) * 1e6));
}

/** A non-zero 64-bit hash of a user name (two FNV-1a 32-bit hashes with different bases). */
function nameKey(name: string): bigint {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul(b ^ ch, 0x01000193) ^ (b >>> 15);
  }
  const k = (BigInt(a >>> 0) << 32n) | BigInt(b >>> 0);
  return BigInt.asIntN(64, k === 0n ? 1n : k);
}

/** One bucket of the shared table: word `at` of `words`. */
class SharedBucket implements Bucket {
  private readonly words: BigInt64Array;
  private readonly at: number;

  constructor(words: BigInt64Array, at: number) {
    this.words = words;
    this.at = at;
  }

  take(cost: number, spec: RateSpec, refuse: boolean, at: number): number {
    const step = BigInt(Math.round((cost * 1e9) / spec.perSec));
    const allow = BigInt(Math.round((spec.burst * 1e9) / spec.perSec));
    const now = wallNs(at);
    for (;;) {
      const tat = Atomics.load(this.words, this.at);
      const next = (tat > now ? tat : now) + step;
      const over = next - now - allow;
      if (over > 0n && refuse) return Number(over) / 1e6;
      if (Atomics.compareExchange(this.words, this.at, tat, next) === tat) return over > 0n ? Number(over) / 1e6 : 0;
    }
  }

  debt(spec: RateSpec, at: number): number {
    const allow = BigInt(Math.round((spec.burst * 1e9) / spec.perSec));
    const over = Atomics.load(this.words, this.at) - wallNs(at) - allow;
    return over > 0n ? Number(over) / 1e6 : 0;
  }

  reset(): void {
    Atomics.store(this.words, this.at, 0n);
  }
}

/** A user's two buckets. */
export interface UserBuckets {
  readonly commands: Bucket;
  readonly bytes: Bucket;
}

/**
 * Users' buckets shared by every thread: a slot per user name, found by
 * open addressing on the name's 64-bit hash and claimed with a
 * compare-and-swap (two names with the same hash would share a bucket).
 * With the table full, a user gets buckets of this thread alone (null).
 */
export class SharedBuckets {
  private readonly words: BigInt64Array;

  constructor(sab: SharedArrayBuffer) {
    this.words = new BigInt64Array(sab);
  }

  /** The table every thread maps (made once, by the thread that starts the others). */
  static buffer(): SharedArrayBuffer {
    return new SharedArrayBuffer(SLOTS * WORDS * 8);
  }

  /** The user's buckets, or null when every slot is taken by other names. */
  of(name: string): UserBuckets | null {
    const key = nameKey(name);
    const w = this.words;
    const start = Number(BigInt.asUintN(64, key) % BigInt(SLOTS));
    for (let i = 0; i < SLOTS; i++) {
      const at = ((start + i) % SLOTS) * WORDS;
      const held = Atomics.load(w, at);
      if (held === key || (held === 0n && Atomics.compareExchange(w, at, 0n, key) === 0n) || Atomics.load(w, at) === key) {
        return { commands: new SharedBucket(w, at + 1), bytes: new SharedBucket(w, at + 2) };
      }
    }
    return null;
  }
}
