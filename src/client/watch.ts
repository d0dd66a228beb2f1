/**
 * The live values of watched keys (docs/client.md): a key feed's messages
 * applied to a Map, reconnecting with backoff and resuming from the last
 * position the server sent, so no change is lost or applied twice across a
 * dropped connection or a server restart (a restart ends in a resync
 * snapshot). The feed comes over server-sent events (sse-feed.ts) or the
 * client's WebSocket (ws-transport.ts), whichever the client's transport is.
 */

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

/** A key feed's message (docs/feeds.md). */
export interface FeedMessage {
  type: 'snapshot' | 'change' | 'batch' | 'position';
  position: string;
  resync?: boolean;
  keys?: Record<string, FeedValue | null>;
  key?: string;
  value?: FeedValue | null;
}

/**
 * One connection of a key feed: gives its messages to `onMessage`, starting
 * after position `from` (null: with a snapshot), until the connection ends
 * (the promise settles) or `signal` aborts (it settles soon after).
 */
export type FeedConnect = (from: string | null, onMessage: (m: FeedMessage) => void, signal: AbortSignal) => Promise<void>;

export class Watch {
  /** The watched keys' values now. */
  readonly values = new Map<string, FeedValue>();
  /** The position after the last message applied (resumes start here). */
  position: string | null = null;
  private readonly connect: FeedConnect;
  private readonly opts: WatchOptions;
  private readonly until: AbortSignal | undefined;
  private readonly onUntil = (): void => this.close();
  private abort: AbortController | null = null;
  private closed = false;
  private backoff = 100;

  /** Follows the feed that `connect` opens (a client's watch() makes one); `until` aborting closes the watch. */
  constructor(connect: FeedConnect, opts: WatchOptions, until?: AbortSignal) {
    this.connect = connect;
    this.opts = opts;
    this.until = until;
    until?.addEventListener('abort', this.onUntil, { once: true });
    void this.run();
  }

  /** Stops following; the values stay as they were. */
  close(): void {
    this.closed = true;
    this.until?.removeEventListener('abort', this.onUntil);
    this.abort?.abort();
  }

  /** Drops the current connection (as a network failure would); it reconnects and resumes. */
  reconnect(): void {
    this.abort?.abort();
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const abort = new AbortController();
      this.abort = abort;
      let first = true;
      const onMessage = (m: FeedMessage): void => {
        if (abort.signal.aborted) return;
        if (first) {
          first = false;
          this.backoff = 100;
          this.opts.onStatus?.(true);
        }
        this.apply(m);
      };
      try {
        await this.connect(this.position, onMessage, abort.signal);
      } catch {
        // dropped: reconnect below
      }
      this.opts.onStatus?.(false);
      if (this.closed) return;
      await new Promise((r) => setTimeout(r, this.backoff));
      this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs ?? 5000);
    }
  }

  /** The one place a feed's message changes the values: a snapshot replaces them, a change or batch sets and removes keys. */
  private apply(m: FeedMessage): void {
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
