/**
 * Commands and key feeds over the server's WebSocket front end (`/ws`,
 * docs/http.md): one socket, opened on first use and again after it
 * drops, messages with ids and their replies matched by id, and any number
 * of watches multiplexed on it (their messages carry the watch message's
 * id as `feed`). The browser's (and Node's) global WebSocket: a token goes
 * in `?_token=` (a browser cannot set headers on a WebSocket).
 */
import type { FeedConnect, FeedMessage, WatchTarget } from './watch.ts';

export type WsReply = { result?: unknown; results?: Array<{ result?: unknown; error?: string }>; error?: string };

/** An open socket with what waits on it: replies and feeds by id, which all fail when it closes. */
interface Conn {
  ws: WebSocket;
  waiting: Map<number, { resolve: (r: WsReply) => void; reject: (e: Error) => void }>;
  feeds: Map<number, { message: (m: FeedMessage) => void; fail: (e: Error) => void }>;
}

export class WsTransport {
  private readonly url: string;
  private socket: Promise<Conn> | null = null;
  private nextId = 1;
  private closing = new AbortController();

  /** `base` is the HTTP URL (http://host:port); the socket goes to ws://host:port/ws. */
  constructor(base: string, token: string | undefined) {
    const u = new URL(base.replace(/^http/, 'ws') + '/ws');
    if (token !== undefined) u.searchParams.set('_token', token);
    this.url = u.toString();
  }

  /** Aborts at the next close(): the watches on the socket stop then. */
  get closed(): AbortSignal {
    return this.closing.signal;
  }

  private open(): Promise<Conn> {
    if (this.socket !== null) return this.socket;
    const p = new Promise<Conn>((resolve, reject) => {
      const conn: Conn = { ws: new WebSocket(this.url), waiting: new Map(), feeds: new Map() };
      const ws = conn.ws;
      ws.onopen = () => resolve(conn);
      ws.onerror = () => reject(new Error(`WebSocket ${this.url}: could not connect`));
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data)) as WsReply & { id?: number; feed?: number };
        if (typeof m.feed === 'number') {
          conn.feeds.get(m.feed)?.message(m as unknown as FeedMessage);
          return;
        }
        if (typeof m.id !== 'number') return;
        const w = conn.waiting.get(m.id);
        conn.waiting.delete(m.id);
        w?.resolve(m);
      };
      ws.onclose = () => {
        // the next request opens a new socket; those in flight fail (they may or may not have run), feeds resume there
        if (this.socket === p) this.socket = null;
        const e = new Error('WebSocket closed');
        for (const w of conn.waiting.values()) w.reject(e);
        for (const f of conn.feeds.values()) f.fail(e);
        conn.waiting.clear();
        conn.feeds.clear();
      };
    });
    this.socket = p;
    p.catch(() => {
      if (this.socket === p) this.socket = null;
    });
    return p;
  }

  /** Sends `{id, …msg}` on `conn` and resolves with its reply. */
  private send(conn: Conn, id: number, msg: Record<string, unknown>): Promise<WsReply> {
    return new Promise<WsReply>((resolve, reject) => {
      if (conn.ws.readyState !== WebSocket.OPEN) return reject(new Error('WebSocket closed'));
      conn.waiting.set(id, { resolve, reject });
      conn.ws.send(JSON.stringify({ id, ...msg }));
    });
  }

  /** Sends `{id, …msg}` and resolves with its reply. */
  async request(msg: Record<string, unknown>): Promise<WsReply> {
    return this.send(await this.open(), this.nextId++, msg);
  }

  /**
   * A key feed on the socket: each connection is a watch message (resuming
   * from its position) whose feed lasts until the socket drops (rejected)
   * or the signal aborts it (an unwatch).
   */
  feed(target: WatchTarget): FeedConnect {
    const watch = { keys: target.keys, patterns: target.patterns, prefixes: target.prefixes, db: target.db };
    return async (from, onMessage, signal) => {
      const conn = await this.open();
      const id = this.nextId++;
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return resolve();
        const end = (e?: Error): void => {
          conn.feeds.delete(id);
          signal.removeEventListener('abort', stop);
          if (e === undefined) resolve();
          else reject(e);
        };
        const stop = (): void => {
          if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify({ unwatch: id }));
          end();
        };
        conn.feeds.set(id, { message: onMessage, fail: end });
        signal.addEventListener('abort', stop, { once: true });
        // a refused watch (a bad target, a user without access) ends this connection: the watch retries with backoff
        this.send(conn, id, { watch: { ...watch, from: from ?? undefined } }).then((r) => {
          if (r.error !== undefined) end(new Error(r.error));
        }, end);
      });
    };
  }

  /** Closes the socket and stops the watches on it; a later command opens a new one. */
  close(): void {
    this.closing.abort();
    this.closing = new AbortController();
    void this.socket?.then((c) => c.ws.close()).catch(() => {});
    this.socket = null;
  }
}
