/**
 * Active expiry: every 100 ms (Redis's hz 10) walk each keyspace's TTL table
 * with a persistent iterator, removing expired keys, within a small time
 * budget so the event loop never stalls.
 */
import type { Engine } from './engine.ts';

const PERIOD_MS = 100;
const BUDGET_MS = 5;
const SAMPLE = 20;

export class ActiveExpiry {
  enabled = true;
  private timer: NodeJS.Timeout | null = null;

  private readonly engine: Engine;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.cycle(), PERIOD_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One cycle; returns the number of keys removed. */
  cycle(): number {
    if (!this.enabled) return 0;
    const deadline = performance.now() + BUDGET_MS;
    let removed = 0;
    for (const shard of this.engine.shards) {
      for (const ks of shard.dbs) {
        if (ks.expires.size === 0) continue;
        // keep sampling while more than a quarter of the sample was expired
        for (;;) {
          let checked = 0;
          let expired = 0;
          const now = Date.now();
          let it = ks.expireCursor ?? ks.expires.entries();
          while (checked < SAMPLE) {
            const r = it.next();
            if (r.done) {
              if (checked === 0 && ks.expireCursor === null) break;
              it = ks.expires.entries();
              ks.expireCursor = null;
              if (ks.expires.size === 0) break;
              continue;
            }
            ks.expireCursor = it;
            checked++;
            const [key, when] = r.value;
            if (when <= now) {
              ks.expireKey(key);
              expired++;
            }
          }
          removed += expired;
          if (expired * 4 <= checked || ks.expires.size === 0 || performance.now() > deadline) break;
        }
        if (performance.now() > deadline) return removed;
      }
    }
    return removed;
  }
}
