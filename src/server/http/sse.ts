/**
 * Server-sent event streams of the HTTP front end, as Upstash serves them:
 * SUBSCRIBE / PSUBSCRIBE (`/subscribe/<channel>…`, `/psubscribe/<pattern>…`)
 * and MONITOR (`/monitor`). The stream is a listening session of its own
 * (server/push-session.ts); each reply the hub or MONITOR writes to it
 * becomes one event, its fields joined by commas: `data: subscribe,news,1`,
 * `data: message,news,hello`, `data: pmessage,n*,news,hello`, or a MONITOR
 * line.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Client } from '../client.ts';
import type { ServerState } from '../server-state.ts';
import type { User } from '../../security/acl-user.ts';
import { PushSession } from '../push-session.ts';

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
class SseSession extends PushSession {
  private readonly res: ServerResponse;

  constructor(state: ServerState<Client>, user: User, addr: string, res: ServerResponse) {
    super(state, user, addr);
    this.res = res;
  }

  protected override backlog(): number {
    return this.res.writableLength;
  }

  protected override send(buf: Buffer, end: number): number {
    let out = '';
    for (let p = 0; p < end; ) {
      const e = eventText(buf, p, end);
      // an event's text holds no newline (SSE would split it): a message with one is sent line by line
      out += e.text.split(/\r?\n/).map((l) => `data: ${l}\n`).join('') + '\n';
      p = e.next;
    }
    this.res.write(out);
    return out.length;
  }

  protected override end(): void {
    this.res.end();
  }
}

/** Opens an event stream on `res` running `args` (SUBSCRIBE, PSUBSCRIBE or MONITOR) for `user`. */
export function openStream(state: ServerState<Client>, req: IncomingMessage, res: ServerResponse, user: User, addr: string, args: string[]): void {
  const c = new SseSession(state, user, addr, res);
  c.register();
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  req.socket.setNoDelay(true);
  req.on('close', () => c.close());
  res.on('close', () => c.close());
  void c.listen(args);
}
