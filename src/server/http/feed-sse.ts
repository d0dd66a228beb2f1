/**
 * Key feeds over server-sent events (docs/feeds.md): `GET /feed?key=a&key=b
 * &pattern=user:*&prefix=cart:&db=0` (any mix, at least one), optional
 * `encoding=base64`, and `from=<position>` or the `Last-Event-ID` header an
 * EventSource sends when it reconnects. Every message is a default
 * ("message") event whose id is its position and whose data is its JSON, so
 * an EventSource resumes by itself.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import type { User } from '../../security/acl-user.ts';
import { feedsOf } from '../../reactivity/feeds-of.ts';
import type { FeedSpec } from '../../reactivity/feeds.ts';

/** How soon an EventSource reconnects after the stream drops. */
const RECONNECT_MS = 500;
/** A comment line this often keeps proxies from closing a quiet stream. */
const KEEPALIVE_MS = 15_000;

/** The feed a request asks for, or an error message. */
export function feedSpecOf(q: URLSearchParams, databases: number): FeedSpec | string {
  const bytes = (s: string): string => Buffer.from(s, 'utf8').latin1Slice();
  const db = Number(q.get('db') ?? 0);
  if (!Number.isInteger(db) || db < 0 || db >= databases) return 'ERR DB index is out of range';
  const spec: FeedSpec = {
    db,
    keys: q.getAll('key').map(bytes),
    patterns: q.getAll('pattern').map(bytes),
    prefixes: q.getAll('prefix').map(bytes),
    base64: q.get('encoding') === 'base64',
  };
  if (spec.keys.length + spec.patterns.length + spec.prefixes.length === 0) return 'ERR a feed needs at least one key, pattern or prefix';
  return spec;
}

export function openFeedStream(state: ServerState<Client>, req: IncomingMessage, res: ServerResponse, user: User, spec: FeedSpec, from: string | null): void {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  req.socket.setNoDelay(true);
  // an EventSource reconnects after this many ms (browsers wait ~3 s by default), sending the last id it saw
  res.write(`retry: ${RECONNECT_MS}\n\n`);
  const feed = feedsOf(state).watch(
    spec,
    user,
    { send: (_type, position, json) => res.write(`id: ${position}\ndata: ${json}\n\n`), onDrain: (fn) => res.once('drain', fn) },
    from,
  );
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  const close = (): void => {
    clearInterval(keepalive);
    feed.close();
  };
  req.on('close', close);
  res.on('close', close);
}
