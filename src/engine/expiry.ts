/**
 * Active expiry, as Redis's activeExpireCycle: every 100 ms (hz 10) walk each
 * keyspace's key table with a persistent slot cursor (the TTLs live beside
 * the slots: KeyTable.sweep), SAMPLE keys with a TTL at a time,
 * removing the expired ones, and keep going in a keyspace while more than
 * 10% of a sample had expired (and for at least MIN_WALK keys). Each run
 * stops after BUDGET_MS so the event loop never stalls; a run that had to
 * stop resumes where it was (the next keyspace is not starved) and sooner
 * (BACKLOG_PERIOD_MS), which gives expiry up to a quarter of the CPU while
 * a backlog of expired keys lasts.
 */
import type { Keyspace } from './keyspace.ts';
import { walk } from './key-table.ts';

const PERIOD_MS = 100;
const BACKLOG_PERIOD_MS = 15;
const BUDGET_MS = 5;
const SAMPLE = 20;
/** Hash fields removed per keyspace per run at most (Redis: ACTIVE_EXPIRE_CYCLE_FIELDS_PER_LOOP). */
const FIELDS_PER_RUN = 1000;
/**
 * Keys checked per keyspace per run even when few have expired (Redis stops
 * after 20): keeps sparse expired keys from lingering in big TTL tables.
 */
const MIN_WALK = 1000;
/** Slots a sample looks at, at most: a big table with few TTLs is walked a bounded stretch at a time. */
const SAMPLE_SLOTS = 4096;

/** The shards whose keyspaces the cycle walks (the engine's; fixed for its life). */
export interface ExpiryScope {
  readonly shards: ReadonlyArray<{ readonly dbs: readonly Keyspace[] }>;
}

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

  private readonly engine: ExpiryScope;
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

  constructor(engine: ExpiryScope) {
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
    // hash fields first (Redis's activeExpireCycle runs hashTypeDbActiveExpire per db), a bounded number per run
    let fieldBacklog = false;
    for (let i = 0; i < n; i++) {
      const ks = spaces[i]!;
      if (ks.hfe.size === 0) continue;
      const k = ks.expireDueFields(ks.shard.now(), FIELDS_PER_RUN);
      removed += k;
      if (k >= FIELDS_PER_RUN) fieldBacklog = true;
    }
    for (let step = 0; step < n; step++) {
      const i = (this.nextSpace + step) % n;
      const ks = spaces[i]!;
      if (ks.volatile === 0) continue;
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
        if (ks.volatile === 0) break;
        // a whole pass over the table ends the keyspace's turn whatever it found
        if (this.wrapped || (expired * 10 <= checked && (walked >= MIN_WALK || walked >= ks.volatile))) break;
      }
    }
    return fieldBacklog ? -1 : removed;
  }

  /** Result of the last sample(). */
  private checked = 0;
  private expired = 0;
  private wrapped = false;
  private readonly found: string[] = [];

  /** Checks up to SAMPLE keys with a TTL of ks's table from where the last sample stopped. */
  private sample(ks: Keyspace): void {
    const found = this.found;
    found.length = 0;
    ks.expireCursor = ks.data.sweep(ks.expireCursor, SAMPLE, SAMPLE_SLOTS, ks.shard.now(), found);
    this.checked = walk.checked;
    this.wrapped = walk.wrapped;
    for (let i = 0; i < found.length; i++) ks.expireKey(found[i]!);
    this.expired = found.length;
  }
}
