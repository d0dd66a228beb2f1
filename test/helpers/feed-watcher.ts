/**
 * A key-feed watcher over SSE for tests: reads `/feed` with fetch, applies
 * snapshot / change / batch messages to its own copy of the watched keys,
 * and can drop its connection and resume from the last position it saw.
 */
import { sseData } from '../../src/client/sse-reader.ts';

export type FeedValue = { type: string; value: unknown } | null;

interface FeedMessage {
  type: 'snapshot' | 'change' | 'batch' | 'position';
  position: string;
  resync?: boolean;
  keys?: Record<string, FeedValue>;
  key?: string;
  value?: FeedValue;
}

export class FeedWatcher {
  readonly state = new Map<string, FeedValue>();
  position: string | null = null;
  readonly counts = { snapshot: 0, resync: 0, change: 0, batch: 0, position: 0, connects: 0 };
  private abort: AbortController | null = null;
  private reading: Promise<void> | null = null;
  /** While set, the reader stops pulling bytes (the server sees a slow consumer). */
  paused: Promise<void> | null = null;
  private readonly url: string;

  constructor(base: string, query: string) {
    this.url = `${base}/feed?${query}`;
  }

  /** Connects (resuming from the last position, if any) and resolves once the first message is applied. */
  async connect(): Promise<void> {
    this.counts.connects++;
    const abort = new AbortController();
    this.abort = abort;
    const from = this.position === null ? '' : `&from=${encodeURIComponent(this.position)}`;
    const res = await fetch(this.url + from, { signal: abort.signal });
    if (res.status !== 200) throw new Error(`feed: HTTP ${res.status} ${await res.text()}`);
    let first: () => void = () => {};
    const started = new Promise<void>((r) => (first = r));
    this.reading = (async () => {
      try {
        for await (const data of sseData(res.body!)) {
          this.apply(JSON.parse(data) as FeedMessage);
          first();
          if (this.paused !== null) await this.paused;
        }
      } catch (e) {
        if (!abort.signal.aborted) throw e;
      }
    })();
    await Promise.race([started, this.reading]);
  }

  /** Drops the connection (as a network failure would). */
  async drop(): Promise<void> {
    this.abort?.abort();
    await this.reading?.catch(() => {});
    this.abort = null;
  }

  private apply(m: FeedMessage): void {
    this.counts[m.type]++;
    if (m.type === 'snapshot') {
      if (m.resync === true) this.counts.resync++;
      this.state.clear();
    }
    if (m.keys !== undefined) for (const [k, v] of Object.entries(m.keys)) this.put(k, v);
    if (m.type === 'change') this.put(m.key!, m.value ?? null);
    this.position = m.position;
  }

  private put(key: string, v: FeedValue): void {
    if (v === null) this.state.delete(key);
    else this.state.set(key, v);
  }
}
