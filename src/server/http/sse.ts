/**
 * Server-sent event streams of the HTTP front end, as Upstash serves them:
 * SUBSCRIBE / PSUBSCRIBE (`/subscribe/<channel>…`, `/psubscribe/<pattern>…`)
 * and MONITOR (`/monitor`). The stream is a session of its own, registered
 * among the server's clients while it lasts (CLIENT LIST, CLIENT KILL);
 * each reply the hub or MONITOR writes to it becomes one event, its fields
 * joined by commas: `data: subscribe,news,1`, `data: message,news,hello`,
 * `data: pmessage,n*,news,hello`, or a MONITOR line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Client } from '../client.ts';
import type { ServerState } from '../server-state.ts';
import type { User } from '../../security/acl-user.ts';
import { execute } from '../dispatch.ts';

/** A stream whose reader falls this far behind is closed (Redis's pubsub hard limit). */
const SSE_MAX_BACKLOG = 32 * 1024 * 1024;

const CR = 13;

/** One reply at `p` as an event's text, and where the next starts. */
function eventText(buf: Buffer, p: number, end: number): { text: string; next: number } {
  const eol = buf.indexOf(CR, p);
  const head = buf.toString('utf8', p + 1, eol);
  const type = buf[p];
  if (type === 42 || type === 62) {
    const parts: string[] = [];
    let q = eol + 2;
    for (let i = 0, n = Number(head); i < n; i++) {
      const r = eventText(buf, q, end);
      parts.push(r.text);
      q = r.next;
    }
    return { text: parts.join(','), next: q };
  }
  if (type === 36) {
    const n = Number(head);
    if (n < 0) return { text: '', next: eol + 2 };
    return { text: buf.toString('utf8', eol + 2, eol + 2 + n), next: eol + 4 + n };
  }
  return { text: head, next: eol + 2 };
}

/** A session whose replies go out as server-sent events. */
class SseSession extends Client {
  private readonly res: ServerResponse;

  constructor(state: ServerState<Client>, res: ServerResponse) {
    super(state, null);
    this.res = res;
  }

  override flush(): void {
    if (this.closed || this.reply.len === 0) return;
    const buf = this.reply.buf;
    const end = this.reply.len;
    let out = '';
    for (let p = 0; p < end; ) {
      const e = eventText(buf, p, end);
      // an event's text holds no newline (SSE would split it): a message with one is sent line by line
      out += e.text.split(/\r?\n/).map((l) => `data: ${l}\n`).join('') + '\n';
      p = e.next;
    }
    this.reply.len = 0;
    this.reply.pushEnd = 0;
    this.server.stats.netOutputBytes += out.length;
    if (this.res.writableLength > SSE_MAX_BACKLOG) {
      this.server.log('warning', `Client id=${this.id} name=${this.name} scheduled to be closed ASAP for overcoming of output buffer limits.`);
      this.close();
      return;
    }
    this.res.write(out);
  }

  override close(): void {
    if (this.closed) return;
    super.close();
    this.res.end();
  }
}

/** Opens an event stream on `res` running `args` (SUBSCRIBE, PSUBSCRIBE or MONITOR) for `user`. */
export function openStream(state: ServerState<Client>, req: IncomingMessage, res: ServerResponse, user: User, addr: string, args: string[]): void {
  const c = new SseSession(state, res);
  c.user = user;
  c.authenticated = true;
  c.ext.monitorAddr = addr;
  state.clients.set(c.id, c);
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  req.socket.setNoDelay(true);
  req.on('close', () => c.close());
  res.on('close', () => c.close());
  const r = execute(c, args);
  if (r !== undefined) void r.then(() => c.flush());
  else c.flush();
}
