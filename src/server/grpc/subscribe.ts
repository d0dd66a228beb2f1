/**
 * Subscribe: SUBSCRIBE to the request's channels and PSUBSCRIBE to its
 * patterns, for a listening session of the call's own (server/push-session.ts:
 * a client while it lasts, as PUBSUB NUMSUB and CLIENT LIST see it), each
 * message streamed as a Message. The response headers go out once every
 * subscription is in place, so a client that waits for them misses nothing
 * published after. The call lasts until the client cancels (which
 * unsubscribes), the ACL refuses a channel (PERMISSION_DENIED), the server
 * closes the session (ABORTED) or the reader falls too far behind
 * (RESOURCE_EXHAUSTED). Past maxclients the call is refused
 * (RESOURCE_EXHAUSTED, `ERR max number of clients reached`).
 */
import { Metadata, status, type handleServerStreamingCall, type ServerWritableStream } from '@grpc/grpc-js';
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import type { User } from '../../security/acl-user.ts';
import { PushSession, PUSH_BACKLOG_LIMIT } from '../push-session.ts';
import { replyMessage, type ReplyMessage } from '../../protocol/reply-tree.ts';
import type { MessageMessage, SubscribeRequestMessage } from './proto.ts';
import { MAXCLIENTS, UNAUTHENTICATED, callUser, endCall, peerAddr } from './call-user.ts';
import { admit } from '../admit.ts';

type SubscribeCall = ServerWritableStream<SubscribeRequestMessage, MessageMessage>;

/** The strings of an array reply, or null when it is something else. */
function stringsOf(r: ReplyMessage): Buffer[] | null {
  if (!('array' in r)) return null;
  const out: Buffer[] = [];
  for (const item of r.array.items) {
    if (!('string' in item)) return null;
    out.push(item.string);
  }
  return out;
}

/** A message push as a Message; null for anything else (the subscribe confirmations). */
function messageOf(r: ReplyMessage): MessageMessage | null {
  const s = stringsOf(r);
  if (s === null) return null;
  const kind = s[0]!.latin1Slice();
  if (kind === 'message' && s.length === 3) return { channel: s[1]!, message: s[2]! };
  if (kind === 'pmessage' && s.length === 4) return { pattern: s[1]!, channel: s[2]!, message: s[3]! };
  return null;
}

class GrpcSubscription extends PushSession {
  private readonly call: SubscribeCall;
  /** Bytes of messages written to the call that it has not sent yet. */
  private pending = 0;
  /** The first error a SUBSCRIBE or PSUBSCRIBE replied (NOPERM for a channel the ACL refuses). */
  refusal: string | null = null;

  constructor(state: ServerState<Client>, user: User, call: SubscribeCall) {
    super(state, user, peerAddr(call));
    this.call = call;
  }

  protected override backlog(): number {
    return this.pending;
  }

  protected override send(buf: Buffer, end: number): number {
    // the reply buffer is reused: the messages keep a copy
    const bytes = Buffer.from(buf.subarray(0, end));
    for (let p = 0; p < end; ) {
      const { reply, next } = replyMessage(bytes, p, end);
      p = next;
      if ('error' in reply) this.refusal ??= reply.error;
      const m = messageOf(reply);
      if (m === null) continue;
      const n = m.channel.length + m.message.length + (m.pattern?.length ?? 0);
      this.pending += n;
      this.call.write(m, () => (this.pending -= n));
    }
    return end;
  }

  protected override end(): void {
    if (this.overLimit) endCall(this.call, status.RESOURCE_EXHAUSTED, `the reader fell ${PUSH_BACKLOG_LIMIT / (1024 * 1024)} MiB behind (output buffer limit)`);
    else if (this.refusal !== null) endCall(this.call, this.refusal.startsWith('NOPERM') ? status.PERMISSION_DENIED : status.FAILED_PRECONDITION, this.refusal);
    else endCall(this.call, status.ABORTED, 'the subscription was closed by the server (CLIENT KILL, an ACL change, shutdown)');
  }
}

export function subscribeHandler(state: ServerState<Client>): handleServerStreamingCall<SubscribeRequestMessage, MessageMessage> {
  return (call) => {
    const user = callUser(state, call);
    if (user === null) return endCall(call, UNAUTHENTICATED.code, UNAUTHENTICATED.details);
    const channels = (call.request.channels ?? []).map((b) => b.latin1Slice());
    const patterns = (call.request.patterns ?? []).map((b) => b.latin1Slice());
    if (channels.length === 0 && patterns.length === 0) return endCall(call, status.INVALID_ARGUMENT, 'a SubscribeRequest needs channels or patterns');
    if (!admit(state)) return endCall(call, MAXCLIENTS.code, MAXCLIENTS.details);
    const s = new GrpcSubscription(state, user, call);
    s.register();
    call.on('cancelled', () => s.close());
    (async () => {
      if (channels.length > 0) await s.listen(['SUBSCRIBE', ...channels]);
      if (patterns.length > 0 && !s.closed && s.refusal === null) await s.listen(['PSUBSCRIBE', ...patterns]);
      if (s.closed) return;
      if (s.refusal !== null) s.close();
      else call.sendMetadata(new Metadata());
    })().catch((e: unknown) => {
      state.log('warning', `gRPC Subscribe: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      s.close();
    });
  };
}
