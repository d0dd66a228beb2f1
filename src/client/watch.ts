/**
 * The live values of watched keys (docs/client.md): a key feed read over
 * server-sent events with fetch (so a token can go in a header), applied to
 * a Map, reconnecting with backoff and resuming from the last position the
 * server sent, so no change is lost or applied twice across a dropped
 * connection or a server restart (a restart ends in a resync snapshot).
 */
import { sseData } from './sse-reader.ts';

export type FeedValue = { type: string; value: unknown };

export interface WatchTarget {
  keys?: string[];
  patterns?: string[];
  prefixes?: string[];
  db?: number;
}

/** What the last message did: the keys it set or removed, and whether it replaced everything. */
export interface ChangeInfo {
  kind: 'snapshot' | 'change' | 'batch';
  resync: boolean;
  keys: string[];
  position: string;
}

export interface WatchOptions {
  /** After every message that changed the values: the values now, and what changed. */
  onChange?: (values: ReadonlyMap<string, FeedValue>, info: ChangeInfo) => void;
  /** Connection state: true once a feed message arrived after (re)connecting, false when it drops. */
  onStatus?: (connected: boolean) => void;
  /** Longest wait between reconnection attempts (ms; default 5000). */
  maxBackoffMs?: number;
}

interface Message {
  type: 'snapshot' | 'change' | 'batch' | 'position';
  position: string;
  resync?: boolean;
  keys?: Record<string, FeedValue | null>;
  key?: string;
  value?: FeedValue | null;
}

export class Watch {
  /** The watched keys' values now. */
  readonly values = new Map<string, FeedValue>();
  /** The position after the last message applied (resumes start here). */
  position: string | null = null;
  private readonly url: string;
  private readonly headers: Record<string, string>;
  private readonly opts: WatchOptions;
  private abort: AbortController | null = null;
  private closed = false;
  private backoff = 100;

  constructor(base: string, headers: Record<string, string>, target: WatchTarget, opts: WatchOptions) {
    const q = new URLSearchParams();
    for (const k of target.keys ?? []) q.append('key', k);
    for (const p of target.patterns ?? []) q.append('pattern', p);
    for (const p of target.prefixes ?? []) q.append('prefix', p);
    if (target.db !== undefined) q.set('db', String(target.db));
    this.url = `${base}/feed?${q.toString()}`;
    this.headers = headers;
    this.opts = opts;
    void this.run();
  }

  /** Stops following; the values stay as they were. */
  close(): void {
    this.closed = true;
    this.abort?.abort();
  }

  /** Drops the current connection (as a network failure would); it reconnects and resumes. */
  reconnect(): void {
    this.abort?.abort();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.follow();
      } catch {
        // dropped: reconnect below
      }
      this.opts.onStatus?.(false);
      if (this.closed) return;
      await new Promise((r) => setTimeout(r, this.backoff));
      this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 5000);
    }
  }

  private async follow(): Promise<void> {
    const abort = new AbortController();
    this.abort = abort;
    const from = this.position === null ? '' : `&from=${encodeURIComponent(this.position)}`;
    const res = await fetch(this.url + from, { headers: { ...this.headers, Accept: 'text/event-stream' }, signal: abort.signal });
    if (res.status !== 200 || res.body === null) throw new Error(`feed: HTTP ${res.status}`);
    let first = true;
    for await (const data of sseData(res.body)) {
      if (first) {
        first = false;
        this.backoff = 100;
        this.opts.onStatus?.(true);
      }
      this.apply(JSON.parse(data) as Message);
    }
  }

  private apply(m: Message): void {
    const changed: string[] = [];
    const put = (k: string, v: FeedValue | null | undefined): void => {
      if (v === null || v === undefined) this.values.delete(k);
      else this.values.set(k, v);
      changed.push(k);
    };
    if (m.type === 'snapshot') this.values.clear();
    if (m.keys !== undefined) for (const [k, v] of Object.entries(m.keys)) put(k, v);
    if (m.type === 'change') put(m.key!, m.value);
    this.position = m.position;
    if (m.type !== 'position') this.opts.onChange?.(this.values, { kind: m.type, resync: m.resync === true, keys: changed, position: m.position });
  }
}
