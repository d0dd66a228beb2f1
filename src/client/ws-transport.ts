/**
 * Commands over the server's WebSocket front end (`/ws`, docs/http.md): one
 * socket, opened on first use and again after it drops, messages with ids
 * and their replies matched by id. The browser's (and Node's) global
 * WebSocket: a token goes in `?_token=` (a browser cannot set headers on a
 * WebSocket).
 */

export type WsReply = { result?: unknown; results?: Array<{ result?: unknown; error?: string }>; error?: string };

export class WsTransport {
  private readonly url: string;
  private socket: Promise<WebSocket> | null = null;
  private readonly waiting = new Map<number, { resolve: (r: WsReply) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  /** `base` is the HTTP URL (http://host:port); the socket goes to ws://host:port/ws. */
  constructor(base: string, token: string | undefined) {
    const u = new URL(base.replace(/^http/, 'ws') + '/ws');
    if (token !== undefined) u.searchParams.set('_token', token);
    this.url = u.toString();
  }

  private open(): Promise<WebSocket> {
    if (this.socket !== null) return this.socket;
    const p = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(this.url);
      ws.onopen = () => resolve(ws);
      ws.onerror = () => reject(new Error(`WebSocket ${this.url}: could not connect`));
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data)) as WsReply & { id?: number };
        if (typeof m.id !== 'number') return;
        const w = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        w?.resolve(m);
      };
      ws.onclose = () => {
        // the next request opens a new socket; those in flight fail (they may or may not have run)
        if (this.socket === p) this.socket = null;
        for (const w of this.waiting.values()) w.reject(new Error('WebSocket closed before the reply'));
        this.waiting.clear();
      };
    });
    this.socket = p;
    p.catch(() => {
      if (this.socket === p) this.socket = null;
    });
    return p;
  }

  /** Sends `{id, …msg}` and resolves with its reply. */
  async request(msg: Record<string, unknown>): Promise<WsReply> {
    const ws = await this.open();
    const id = this.nextId++;
    return new Promise<WsReply>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      ws.send(JSON.stringify({ id, ...msg }));
    });
  }

  close(): void {
    void this.socket?.then((ws) => ws.close()).catch(() => {});
    this.socket = null;
  }
}
