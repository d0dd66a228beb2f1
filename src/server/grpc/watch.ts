/**
 * Watch: a key feed (docs/feeds.md) as a server stream of FeedMessages, its
 * JSON with keys and strings in base64. A call whose writes back up stops
 * getting one message per change: the feed coalesces until the stream
 * drains. The call lasts until the client cancels. It is no client of the
 * server (no session) but a connection while it lasts: counted against
 * maxclients, refused past it (RESOURCE_EXHAUSTED).
 */
import { status, type handleServerStreamingCall } from '@grpc/grpc-js';
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import { feedsOf } from '../../reactivity/feeds-of.ts';
import type { FeedSpec } from '../../reactivity/feeds.ts';
import type { FeedMessageMessage, WatchRequestMessage } from './proto.ts';
import { MAXCLIENTS, UNAUTHENTICATED, callUser, endCall } from './call-user.ts';
import { admitUnlisted } from '../admit.ts';

export function watchHandler(state: ServerState<Client>): handleServerStreamingCall<WatchRequestMessage, FeedMessageMessage> {
  return (call) => {
    const user = callUser(state, call);
    if (user === null) return endCall(call, UNAUTHENTICATED.code, UNAUTHENTICATED.details);
    const r = call.request;
    const bytes = (l: Buffer[] | undefined): string[] => (l ?? []).map((b) => b.latin1Slice());
    const spec: FeedSpec = { db: r.db ?? 0, keys: bytes(r.keys), patterns: bytes(r.patterns), prefixes: bytes(r.prefixes), base64: true };
    if (!Number.isInteger(spec.db) || spec.db < 0 || spec.db >= state.config.databases) return endCall(call, status.INVALID_ARGUMENT, 'ERR DB index is out of range');
    if (spec.keys.length + spec.patterns.length + spec.prefixes.length === 0) return endCall(call, status.INVALID_ARGUMENT, 'a WatchRequest needs keys, patterns or prefixes');
    const from = r.from !== undefined && r.from !== '' ? r.from : null;
    const release = admitUnlisted(state);
    if (release === null) return endCall(call, MAXCLIENTS.code, MAXCLIENTS.details);
    const feed = feedsOf(state).watch(spec, user, { send: (type, position, json) => call.write({ type, position, json }), onDrain: (fn) => call.once('drain', fn) }, from);
    const close = (): void => {
      feed.close();
      release();
    };
    call.on('cancelled', close);
    call.on('close', close);
  };
}
