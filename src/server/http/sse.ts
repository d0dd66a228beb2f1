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
import { replyMessage, type ReplyMessage } from '../../protocol/reply-tree.ts';

/** A reply as an event's text: an array's items joined by commas, strings as UTF-8, a null as nothing. */
function eventText(r: ReplyMessage): string {
  if ('array' in r) return r.array.items.map(eventText).join(',');
  if ('string' in r) return r.string.toString('utf8');
  if ('integer' in r) return r.integer;
  if ('error' in r) return r.error;
  return '';
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
      const { reply, next } = replyMessage(buf, p, end);
      // an event's text holds no newline (SSE would split it): a message with one is sent line by line
      out += eventText(reply).split(/\r?\n/).map((l) => `data: ${l}\n`).join('') + '\n';
      p = next;
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
