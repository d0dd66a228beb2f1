/**
 * One WebSocket: its messages run one after another, as a RESP
 * connection's commands do, so replies leave in request order even when a
 * command blocks (BLPOP). Commands run on the socket's command session
 * (SELECT, WATCH, HELLO … last as long as the socket); subscriptions on a
 * session of their own (ws-subscriber.ts), created by the first
 * subscription message, whose pushes may come between replies.
 *
 * Memory stays bounded: past MAX_QUEUED messages waiting the socket stops
 * being read (TCP backpressure); while replies wait unread past
 * OUTPUT_HIGH_WATER the next command waits for them to drain; and a
 * subscriber whose pushes pile up past PUSH_LIMIT (Redis's pubsub hard
 * limit) is disconnected with 1008, as it is not the reader of its own
 * requests' pace.
 */
import type { WebSocket, RawData } from 'ws';
import type { ServerState } from '../server-state.ts';
import type { Client } from '../client.ts';
import type { User } from '../../security/acl-user.ts';
import { CommandSession } from '../command-session.ts';
import { envelope, replyFields, runJson, runPipeline, runTransaction } from '../json-commands.ts';
import { WsSubscriber } from './ws-subscriber.ts';
import { errorText, readMessage, replyText, type WsRequest } from './ws-messages.ts';
import { feedsOf } from '../../reactivity/feeds-of.ts';
import type { Feed, FeedSink, FeedSpec } from '../../reactivity/feeds.ts';

/** Messages read but not answered before the socket stops being read. */
const MAX_QUEUED = 1024;
/** Reply bytes waiting in the socket before the next command waits for them to drain. */
const OUTPUT_HIGH_WATER = 4 * 1024 * 1024;
/** Bytes waiting in the socket past which a key feed coalesces its changes until they drain. */
const FEED_HIGH_WATER = 4 * 1024 * 1024;
/** Bytes waiting in the socket past which a subscriber is disconnected (Redis's pubsub class hard limit). */
const PUSH_LIMIT = 32 * 1024 * 1024;

const OPEN = 1;
/** Close codes: policy violation (a slow consumer), normal (QUIT, CLIENT KILL). */
const POLICY = 1008;
const NORMAL = 1000;

export class WsConnection {
  private readonly state: ServerState<Client>;
  private readonly ws: WebSocket;
  private readonly user: User;
  private readonly addr: string;
  /** Strings in base64 unless a message says otherwise (`?encoding=base64`). */
  private readonly base64: boolean;
  private readonly commands: CommandSession;
  private subscriber: WsSubscriber | null = null;
  /** Key feeds running on the socket, by the id of the watch message that started them. */
  private readonly feeds = new Map<string, Feed>();
  /** Watches answered whose feed starts on the next turn (an unwatch before then cancels it). */
  private readonly starting = new Set<string>();
  private readonly queue: WsRequest[] = [];
  private running = false;
  private paused = false;
  private closed = false;

  constructor(state: ServerState<Client>, ws: WebSocket, user: User, addr: string, base64: boolean) {
    this.state = state;
    this.ws = ws;
    this.user = user;
    this.addr = addr;
    this.base64 = base64;
    this.commands = this.register(new CommandSession(state, user, addr));
    ws.on('message', (data: RawData) => this.onMessage(data));
    // a frame over maxPayload closes the socket with 1009 (ws); errors end in 'close' too
    ws.on('error', () => this.close());
    ws.on('close', () => this.close());
  }

  /** A session among the server's clients (CLIENT LIST, CLIENT KILL) while the socket lasts; killing it closes the socket. */
  private register<T extends Client>(c: T): T {
    this.state.clients.set(c.id, c);
    c.onClose.push(() => this.close(NORMAL));
    return c;
  }

  private onMessage(data: RawData): void {
    if (this.closed) return;
    // text frames; a binary frame is read as UTF-8 JSON all the same
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const text = buf.toString('utf8');
    this.state.stats.netInputBytes += buf.length;
    this.commands.lastInteraction = Date.now();
    // rate limits: the message's bytes (in delay mode its commands wait for them)
    if (this.state.rateLimits.on) this.state.rateLimits.read(this.commands, buf.length);
    this.queue.push(readMessage(text, this.base64));
    if (this.queue.length > MAX_QUEUED && !this.paused) {
      this.paused = true;
      this.ws.pause();
    }
    if (!this.running) void this.drain();
  }

  /** Answers the queued messages in order, one at a time. */
  private async drain(): Promise<void> {
    this.running = true;
    while (this.queue.length > 0 && !this.closed) {
      const req = this.queue.shift()!;
      let out: string;
      try {
        out = await this.answer(req);
      } catch (e) {
        // a bug, not the client's fault: logged, answered, and the socket goes on
        this.state.log('warning', `WebSocket ${this.addr}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        out = errorText(req.id, 'ERR internal error');
      }
      if (this.closed) break;
      await this.send(out);
      if (this.commands.closeAfterReply) {
        // QUIT, CLIENT KILL of itself: after the reply, as Redis
        this.close(NORMAL);
        break;
      }
      if (this.paused && this.queue.length <= MAX_QUEUED / 2) {
        this.paused = false;
        this.ws.resume();
      }
    }
    this.running = false;
  }

  private async answer(req: WsRequest): Promise<string> {
    switch (req.kind) {
      case 'bad':
        return errorText(req.id, req.error);
      case 'cmd': {
        const r = await runJson(this.commands, req.args, req.base64);
        return replyText(req.id, replyFields(r));
      }
      case 'pipeline': {
        const rs = await runPipeline(this.commands, req.cmds, req.base64);
        return replyText(req.id, `"results":[${rs.map(envelope).join(',')}]`);
      }
      case 'multi': {
        const r = await runTransaction(this.commands, req.cmds, req.base64);
        if (Array.isArray(r)) return replyText(req.id, `"results":[${r.map(envelope).join(',')}]`);
        return replyText(req.id, replyFields(r));
      }
      case 'watch': {
        if (this.feeds.has(req.id) || this.starting.has(req.id)) return errorText(req.id, `ERR a watch with id ${req.id} is running`);
        // the reply first, then the feed's snapshot (on the next turn, after the reply is out)
        this.starting.add(req.id);
        setImmediate(() => {
          if (this.starting.delete(req.id)) this.watch(req.id, req.spec, req.from);
        });
        return replyText(req.id, '"result":"OK"');
      }
      case 'unwatch': {
        if (this.starting.delete(req.feed)) return replyText(req.id, '"result":"OK"');
        const f = this.feeds.get(req.feed);
        if (f === undefined) return errorText(req.id, `ERR no watch with id ${req.feed}`);
        f.close();
        this.feeds.delete(req.feed);
        return replyText(req.id, '"result":"OK"');
      }
      case 'subscription': {
        this.subscriber ??= this.register(new WsSubscriber(this.state, this.user, this.addr, this.base64, (json) => this.pushed(json)));
        const r = await this.subscriber.runSubscription(req.verb, req.names, req.base64);
        return r.error !== null ? errorText(req.id, r.error) : replyText(req.id, `"result":${r.json}`);
      }
    }
  }

  /** Sends a reply; waits while the socket holds more than OUTPUT_HIGH_WATER unsent. */
  private send(json: string): Promise<void> | undefined {
    if (this.ws.readyState !== OPEN) return undefined;
    if (this.ws.bufferedAmount + json.length <= OUTPUT_HIGH_WATER) {
      this.ws.send(json);
      return undefined;
    }
    // the callback runs once this frame (and every one before it) is written, or the socket failed
    return new Promise<void>((resolve) => this.ws.send(json, () => resolve()));
  }

  /** Starts feed `id`: its messages carry "feed":id; past FEED_HIGH_WATER unsent the feed coalesces until the socket drains. */
  private watch(id: string, spec: FeedSpec, from: string | null): void {
    if (this.closed) return;
    const sink: FeedSink = {
      send: (_type, _position, json) => {
        if (this.ws.readyState !== OPEN) return true;
        this.ws.send(`{"feed":${id},${json.slice(1)}`);
        return this.ws.bufferedAmount <= FEED_HIGH_WATER;
      },
      onDrain: (fn) => {
        // ws has no drain event: the socket's buffer is looked at until it is low again
        const check = (): void => {
          if (this.closed) return;
          if (this.ws.bufferedAmount <= FEED_HIGH_WATER / 2) fn();
          else setTimeout(check, 10);
        };
        setTimeout(check, 10);
      },
    };
    this.feeds.set(id, feedsOf(this.state).watch(spec, this.user, sink, from));
  }

  /** Sends a push; a reader that lets them pile up is disconnected. */
  private pushed(json: string): void {
    if (this.ws.readyState !== OPEN) return;
    if (this.ws.bufferedAmount > PUSH_LIMIT) {
      this.state.log('warning', `Client id=${this.subscriber?.id} addr=${this.addr} scheduled to be closed ASAP for overcoming of output buffer limits.`);
      this.state.stats.obufLimitDisconnections++;
      this.close(POLICY, 'slow consumer');
      return;
    }
    this.ws.send(json);
  }

  /** Closes the socket and its sessions: blocked commands are cancelled, subscriptions dropped. */
  close(code?: number, reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.commands.close();
    this.subscriber?.close();
    for (const f of this.feeds.values()) f.close();
    this.feeds.clear();
    this.starting.clear();
    // a socket already closing (ws closes it with 1009 for an oversized frame) finishes its own close handshake
    if (this.ws.readyState !== OPEN) return;
    if (code !== undefined) this.ws.close(code, reason);
    else this.ws.terminate();
  }
}
