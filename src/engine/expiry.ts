/**
 * Active expiry, as Redis's activeExpireCycle: every 100 ms (hz 10) walk each
 * keyspace's TTL table with a persistent iterator, SAMPLE keys at a time,
 * removing the expired ones, and keep going in a keyspace while more than
 * 10% of a sample had expired (and for at least MIN_WALK keys). Each run
 * stops after BUDGET_MS so the event loop never stalls; a run that had to
 * stop resumes where it was (the next keyspace is not starved) and sooner
 * (BACKLOG_PERIOD_MS), which gives expiry up to a quarter of the CPU while
 * a backlog of expired keys lasts.
 */
import type { Engine } from './engine.ts';
import type { Keyspace } from './keyspace.ts';

const PERIOD_MS = 100;
const BACKLOG_PERIOD_MS = 15;
const BUDGET_MS = 5;
const SAMPLE = 20;
/**
 * Keys checked per keyspace per run even when few have expired (Redis stops
 * after 20): keeps sparse expired keys from lingering in big TTL tables.
 */
const MIN_WALK = 1000;

export class ActiveExpiry {
  /** DEBUG SET-ACTIVE-EXPIRE 0 turns this off (lazy expiry on access still applies). */
  enabled = true;
  /** Set during CLIENT PAUSE: runs do nothing. */
  paused = false;
  /** Told how long each run took in ms (the latency monitor's expire-cycle event). */
  onCycle: ((ms: number) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  /** Every keyspace of every shard, built on first use (shards and dbs are fixed). */
  private spaces: Keyspace[] | null = null;
  /** Index in `spaces` where the next run starts. */
  private nextSpace = 0;

  private readonly engine: Engine;
  private readonly tick = (): void => {
    this.timer = null;
    let backlog = false;
    const t0 = this.onCycle !== null ? performance.now() : 0;
    try {
      backlog = this.cycle() < 0;
      if (this.onCycle !== null) this.onCycle(performance.now() - t0);
    } finally {
      // a throwing key-event listener must not stop expiry for good
      if (this.running) this.schedule(backlog ? BACKLOG_PERIOD_MS : PERIOD_MS);
    }
  };

  constructor(engine: Engine) {
    this.engine = engine;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(PERIOD_MS);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(this.tick, ms);
    this.timer.unref();
  }

  /**
   * One run over every keyspace within the time budget. Returns the number
   * of keys removed, or -1 when the budget ran out first (a backlog remains).
   */
  cycle(): number {
    if (!this.enabled || this.paused) return 0;
    let spaces = this.spaces;
    if (spaces === null) {
      spaces = [];
      for (const shard of this.engine.shards) for (const ks of shard.dbs) spaces.push(ks);
      this.spaces = spaces;
    }
    const deadline = performance.now() + BUDGET_MS;
    const n = spaces.length;
    let removed = 0;
    for (let step = 0; step < n; step++) {
      const i = (this.nextSpace + step) % n;
      const ks = spaces[i]!;
      if (ks.expires.size === 0) continue;
      let walked = 0;
      for (;;) {
        this.sample(ks);
        const checked = this.checked;
        const expired = this.expired;
        removed += expired;
        if (performance.now() > deadline) {
          // resume in this keyspace next time if it still had many expired keys
          this.nextSpace = expired * 10 > checked ? i : (i + 1) % n;
          return -1;
        }
        walked += checked;
        if (ks.expires.size === 0) break;
        if (expired * 10 <= checked && (walked >= MIN_WALK || walked >= ks.expires.size)) break;
      }
    }
    return removed;
  }

  /** Result of the last sample(). */
  private checked = 0;
  private expired = 0;

  /** Checks up to SAMPLE keys of ks's TTL table from where the last sample stopped. */
  private sample(ks: Keyspace): void {
    const now = ks.shard.now();
    const limit = Math.min(SAMPLE, ks.expires.size);
    let checked = 0;
    let expired = 0;
    let it = ks.expireCursor ?? ks.expires.entries();
    let restarted = ks.expireCursor === null;
    while (checked < limit) {
      const r = it.next();
      if (r.done) {
        if (restarted) break; // walked the whole table in this sample
        it = ks.expires.entries();
        restarted = true;
        continue;
      }
      checked++;
      if (r.value[1] <= now) {
        ks.expireKey(r.value[0]);
        expired++;
      }
    }
    ks.expireCursor = it;
    this.checked = checked;
    this.expired = expired;
  }
}
