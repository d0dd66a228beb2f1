/**
 * `shardis/client`: a client for browsers and Node (nothing Node-only: fetch,
 * streams, AbortController, TextDecoder, WebSocket). Commands and pipelines
 * over HTTP or one WebSocket, and `watch()`, which keeps the live values of
 * keys, reconnecting and resuming by itself, over SSE or that same
 * WebSocket (docs/client.md).
 *
 *   import { createClient } from 'shardis/client';
 *   const db = createClient({ url: 'http://127.0.0.1:7379' });
 *   await db.command('SET', 'greeting', 'hello');
 *   const w = db.watch({ patterns: ['user:*'] }, (values) => render(values));
 */
import { Watch, type WatchOptions, type WatchTarget } from './watch.ts';
import { sseFeed } from './sse-feed.ts';
import { WsTransport, type WsReply } from './ws-transport.ts';

export type { FeedValue, WatchOptions, WatchTarget, ChangeInfo, FeedMessage, FeedConnect } from './watch.ts';
export { Watch } from './watch.ts';

export interface ClientOptions {
  /** The server's HTTP URL, e.g. http://127.0.0.1:7379. */
  url: string;
  /** A bearer token (the default user's password, or an `http-token`). */
  token?: string;
  /** Commands over 'http' (a request each; the default) or one 'websocket' (replies matched by id). */
  transport?: 'http' | 'websocket';
}

/** A command's error, with Redis's text (`WRONGTYPE …`, `NOPERM …`) and the HTTP status. */
export class CommandError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'CommandError';
    this.status = status;
  }
}

export type Arg = string | number;
export type Reply = string | number | null | Reply[] | { error: string };

export class ShardisClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly ws: WsTransport | null;

  constructor(opts: ClientOptions) {
    this.url = opts.url.replace(/\/+$/, '');
    this.token = opts.token;
    this.ws = opts.transport === 'websocket' ? new WsTransport(this.url, opts.token) : null;
  }

  headers(): Record<string, string> {
    return this.token === undefined ? {} : { Authorization: `Bearer ${this.token}` };
  }

  private async post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(this.url + path, {
      method: 'POST',
      headers: { ...this.headers(), 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: await res.json() };
  }

  /** Runs one command: its reply, or throws CommandError with Redis's error text. */
  async command(...args: Arg[]): Promise<Reply> {
    const { status, json } = this.ws !== null ? { status: 400, json: await this.ws.request({ cmd: args }) } : await this.post('/', args);
    const r = json as { result?: Reply; error?: string };
    if (r.error !== undefined) throw new CommandError(r.error, status);
    return r.result ?? null;
  }

  /** Runs commands one after another; each one's reply (an error as `{ error }`). */
  async pipeline(cmds: Arg[][]): Promise<Reply[]> {
    return this.batch('/pipeline', cmds);
  }

  /** Runs commands atomically (MULTI/EXEC); each one's reply. */
  async multi(cmds: Arg[][]): Promise<Reply[]> {
    return this.batch('/multi-exec', cmds);
  }

  private async batch(path: string, cmds: Arg[][]): Promise<Reply[]> {
    if (this.ws !== null) return this.wsBatch(path === '/pipeline' ? 'pipeline' : 'multi', cmds);
    const { status, json } = await this.post(path, cmds);
    if (!Array.isArray(json)) throw new CommandError((json as { error: string }).error, status);
    return (json as Array<{ result?: Reply; error?: string }>).map((r) => (r.error !== undefined ? { error: r.error } : (r.result ?? null)));
  }

  private async wsBatch(kind: 'pipeline' | 'multi', cmds: Arg[][]): Promise<Reply[]> {
    const r: WsReply = await this.ws!.request({ [kind]: cmds });
    if (r.error !== undefined) throw new CommandError(r.error, 400);
    return (r.results ?? []).map((x) => (x.error !== undefined ? { error: x.error } : ((x.result ?? null) as Reply)));
  }

  /** Closes the WebSocket, if any, and stops the watches on it (watches over SSE close on their own). */
  close(): void {
    this.ws?.close();
  }

  /** Follows keys: `onChange` gets the live values after every change (see Watch); over the WebSocket with `transport: 'websocket'`, else SSE. */
  watch(target: WatchTarget, onChange: WatchOptions['onChange'], opts: Omit<WatchOptions, 'onChange'> = {}): Watch {
    const connect = this.ws !== null ? this.ws.feed(target) : sseFeed(this.url, this.headers(), target);
    return new Watch(connect, { ...opts, onChange }, this.ws?.closed);
  }
}

export function createClient(opts: ClientOptions): ShardisClient {
  return new ShardisClient(opts);
}
