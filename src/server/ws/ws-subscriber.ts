/**
 * The subscriptions of one WebSocket: a session of their own (so the
 * socket's command session keeps running commands, unlike a RESP2
 * connection in the subscribed context), registered among the server's
 * clients while the socket lasts (CLIENT LIST, PUBSUB NUMSUB). The hub
 * writes messages into its reply buffer as RESP pushes; flush() turns each
 * into a JSON push message:
 *
 *   {"type":"message","channel":"news","message":"hi"}
 *   {"type":"pmessage","pattern":"n*","channel":"news","message":"hi"}
 *
 * Confirmations of the socket's (p)(un)subscribe messages are collected
 * instead, to be the reply to the message that asked for them.
 */
import type { Client } from '../client.ts';
import { CommandSession } from '../command-session.ts';
import type { ServerState } from '../server-state.ts';
import type { User } from '../../security/acl-user.ts';
import { execute } from '../dispatch.ts';
import { arrayItemsToJson } from '../../protocol/reply-json.ts';
import type { SubscriptionVerb } from './ws-messages.ts';

const CONFIRMATIONS = new Set(['subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe']);

/** The name of the push at `p` (`*3\r\n$7\r\nmessage\r\n…`): its first element. */
function pushName(buf: Buffer, p: number): string {
  const header = buf.indexOf(13, p);
  const len = buf.indexOf(13, header + 2);
  const n = Number(buf.latin1Slice(header + 3, len));
  return buf.latin1Slice(len + 2, len + 2 + n);
}

export class WsSubscriber extends CommandSession {
  /** Sends a push to the socket. */
  private readonly push: (json: string) => void;
  /** Push strings in base64 (the socket's `?encoding=base64`). */
  private readonly base64: boolean;
  /** Confirmations collected while a subscription message runs (null otherwise), their encoding, and the error that refused it. */
  private acks: string[] | null = null;
  private acksBase64 = false;
  private refusal: string | null = null;

  constructor(state: ServerState<Client>, user: User, addr: string, base64: boolean, push: (json: string) => void) {
    super(state, user, addr);
    this.base64 = base64;
    this.push = push;
  }

  /**
   * Runs one subscription message: its confirmations as a JSON array
   * (`[["subscribe","news",1],…]`) or the error that refused it (ACL
   * channel permissions). Messages delivered before it leave first.
   */
  async runSubscription(verb: SubscriptionVerb, names: string[], base64: boolean): Promise<{ json: string; error: string | null }> {
    this.flush();
    this.acks = [];
    this.acksBase64 = base64;
    this.refusal = null;
    const r = execute(this, [verb, ...names]);
    if (r !== undefined) await r;
    this.flush();
    const acks = this.acks;
    this.acks = null;
    return { json: `[${acks.join(',')}]`, error: this.refusal };
  }

  override flush(): void {
    if (this.closed || this.reply.len === 0) return;
    const buf = this.reply.buf;
    const end = this.reply.len;
    this.server.stats.netOutputBytes += end;
    this.reply.len = 0;
    this.reply.pushEnd = 0;
    for (let p = 0; p < end; ) {
      if (buf[p] === 45) {
        // an error (NOPERM for a channel) is the one reply that is no push: it refused the message running
        const eol = buf.indexOf(13, p);
        this.refusal = buf.toString('utf8', p + 1, eol);
        p = eol + 2;
        continue;
      }
      const name = pushName(buf, p);
      const ack = this.acks !== null && CONFIRMATIONS.has(name);
      const items = arrayItemsToJson(buf, p, end, ack ? this.acksBase64 : this.base64)!;
      p = items[items.length - 1]!.next;
      if (ack) this.acks!.push(`[${JSON.stringify(name)},${items[1]!.json},${items[2]!.json}]`);
      else if (name === 'pmessage') this.push(`{"type":"pmessage","pattern":${items[1]!.json},"channel":${items[2]!.json},"message":${items[3]!.json}}`);
      else this.push(`{"type":${JSON.stringify(name)},"channel":${items[1]!.json},"message":${items[2]!.json}}`);
      if (this.closed) return;
    }
  }
}
