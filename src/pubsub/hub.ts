/**
 * Pub/Sub state for the whole server (not per shard): channel, pattern and
 * shard-channel registries, delivery of messages, and the per-client
 * bookkeeping Redis keeps in pubsub.c (subscription counts, the RESP2
 * subscribed context, RESET and close cleanup).
 *
 * Messages are written into each subscriber's reply buffer at once, in
 * subscription order, and flushed once per event-loop turn.
 */
import type { Session } from '../server/session.ts';
import type { CommandHooks, Logger } from '../server/host.ts';
import type { CommandInfo } from '../commands/core/command.ts';
import { globMatch } from '../datatypes/glob.ts';
import { getConfigValue, type Config } from '../config/config.ts';
import { ObufLimit } from './obuf-limit.ts';

/** The three kinds of subscription, as Redis's pubsubtype (plus patterns). */
export const Kind = { CHANNEL: 0, PATTERN: 1, SHARD: 2 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

/** Push names per kind: [subscribe, unsubscribe]. */
const CONFIRM: ReadonlyArray<readonly [string, string]> = [
  ['$9\r\nsubscribe\r\n', '$11\r\nunsubscribe\r\n'],
  ['$10\r\npsubscribe\r\n', '$12\r\npunsubscribe\r\n'],
  ['$10\r\nssubscribe\r\n', '$12\r\nsunsubscribe\r\n'],
];

/** What a client is subscribed to, in subscription order. */
interface ClientSubs {
  readonly sets: [Set<string>, Set<string>, Set<string>];
}

/** Commands a RESP2 client may run while subscribed (Redis's processCommand check). */
const ALLOWED_IN_CONTEXT = new Set(['ping', 'subscribe', 'ssubscribe', 'unsubscribe', 'sunsubscribe', 'psubscribe', 'punsubscribe', 'quit', 'reset']);

function contextError(cmd: CommandInfo): string {
  return `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
}

function bulk(s: string): string {
  return '$' + s.length + '\r\n' + s + '\r\n';
}

/** Whether a client has any subscription (Redis's CLIENT_PUBSUB flag). */
export function inPubSub(c: Session): boolean {
  return c.subscriptions + c.patternSubscriptions + c.shardSubscriptions !== 0;
}

/** What the hub needs of the server: the output buffer limit setting, a log, and its hooks. */
export interface HubHost extends Logger, CommandHooks {
  readonly config: Config;
  /** INFO client_output_buffer_limit_disconnections counts the subscribers closed here. */
  readonly stats: { obufLimitDisconnections: number };
}

export class PubSubHub {
  /** Channel → subscribers; channels with no subscriber are removed. */
  readonly channels = new Map<string, Set<Session>>();
  /** Pattern → subscribers. */
  readonly patterns = new Map<string, Set<Session>>();
  /** Shard channel → subscribers (SSUBSCRIBE / SPUBLISH). */
  readonly shardChannels = new Map<string, Set<Session>>();

  private readonly server: HubHost;
  private readonly registries: [Map<string, Set<Session>>, Map<string, Set<Session>>, Map<string, Set<Session>>];
  private gated = false;
  /** Subscribers with messages waiting in their reply buffer. */
  private readonly pending = new Set<Session>();
  private flushScheduled = false;
  private readonly obuf = new ObufLimit();
  private readonly flushPending = (): void => {
    this.flushScheduled = false;
    for (const c of this.pending) {
      if (c.closed) continue;
      if (this.obuf.exceeded(c)) {
        this.server.log('warning', `Client id=${c.id} addr=${c.addr} name=${c.name} scheduled to be closed ASAP for overcoming of output buffer limits.`);
        this.server.stats.obufLimitDisconnections++;
        c.close();
        continue;
      }
      c.flush();
    }
    this.pending.clear();
  };

  constructor(server: HubHost) {
    this.server = server;
    this.registries = [this.channels, this.patterns, this.shardChannels];
    // RESET leaves every subscription without confirmations (Redis's clearClientConnectionState)
    server.resetHooks.push((c) => this.unsubscribeAll(c));
    this.configure();
  }

  /** Re-reads the pubsub class of client-output-buffer-limit. */
  configure(): void {
    this.obuf.parse(getConfigValue(this.server.config, 'client-output-buffer-limit') ?? '');
  }

  private subsOf(c: Session): ClientSubs {
    let s = c.ext.pubsub as ClientSubs | undefined;
    if (s === undefined) {
      s = { sets: [new Set(), new Set(), new Set()] };
      c.ext.pubsub = s;
      c.onClose.push(() => this.unsubscribeAll(c));
      this.installGate();
    }
    return s;
  }

  /** A client's channels, patterns and shard channels (the ACL checks them when permissions shrink). */
  subscriptionsOf(c: Session): { channels: string[]; patterns: string[]; shardChannels: string[] } {
    const s = c.ext.pubsub as ClientSubs | undefined;
    if (s === undefined) return { channels: [], patterns: [], shardChannels: [] };
    return { channels: [...s.sets[Kind.CHANNEL]], patterns: [...s.sets[Kind.PATTERN]], shardChannels: [...s.sets[Kind.SHARD]] };
  }

  /** The RESP2 subscribed context, installed with the first subscription so other servers pay nothing. */
  private installGate(): void {
    if (this.gated) return;
    this.gated = true;
    this.server.gates.push((c, cmd) => {
      if (c.reply.resp !== 2 || !inPubSub(c)) return null;
      if (cmd.parent === null && ALLOWED_IN_CONTEXT.has(cmd.spec.name)) return null;
      return contextError(cmd);
    });
  }

  private count(c: Session, kind: Kind): number {
    return kind === Kind.SHARD ? c.shardSubscriptions : c.subscriptions + c.patternSubscriptions;
  }

  private bump(c: Session, kind: Kind, d: number): void {
    if (kind === Kind.CHANNEL) c.subscriptions += d;
    else if (kind === Kind.PATTERN) c.patternSubscriptions += d;
    else c.shardSubscriptions += d;
  }

  /** A subscribe/unsubscribe confirmation push; name null writes a null (nothing to unsubscribe from). */
  private confirm(c: Session, kind: Kind, unsub: boolean, name: string | null): void {
    const r = c.reply;
    r.raw(r.resp === 3 ? '>3\r\n' : '*3\r\n');
    r.raw(CONFIRM[kind]![unsub ? 1 : 0]!);
    if (name === null) r.nullBulk();
    else r.bulk(name);
    r.int(this.count(c, kind));
    r.pushEnd = r.len;
  }

  /** SUBSCRIBE / PSUBSCRIBE / SSUBSCRIBE: one confirmation per name, repeated names included. */
  subscribe(c: Session, kind: Kind, names: readonly string[]): void {
    const mine = this.subsOf(c).sets[kind];
    const reg = this.registries[kind];
    for (const name of names) {
      if (!mine.has(name)) {
        mine.add(name);
        this.bump(c, kind, 1);
        const set = reg.get(name);
        if (set === undefined) reg.set(name, new Set([c]));
        else set.add(c);
      }
      this.confirm(c, kind, false, name);
    }
  }

  /** UNSUBSCRIBE / PUNSUBSCRIBE / SUNSUBSCRIBE; names null: all of that kind (one null confirmation if none). */
  unsubscribe(c: Session, kind: Kind, names: readonly string[] | null): void {
    const subs = c.ext.pubsub as ClientSubs | undefined;
    if (names === null) {
      const mine = subs?.sets[kind];
      if (mine === undefined || mine.size === 0) return this.confirm(c, kind, true, null);
      for (const name of [...mine]) {
        this.drop(c, kind, name);
        this.confirm(c, kind, true, name);
      }
      return;
    }
    for (const name of names) {
      if (subs !== undefined) this.drop(c, kind, name);
      this.confirm(c, kind, true, name);
    }
  }

  /** Removes one subscription; false if the client did not have it. */
  private drop(c: Session, kind: Kind, name: string): boolean {
    const subs = c.ext.pubsub as ClientSubs;
    if (!subs.sets[kind].delete(name)) return false;
    this.bump(c, kind, -1);
    const reg = this.registries[kind];
    const set = reg.get(name)!;
    set.delete(c);
    if (set.size === 0) reg.delete(name);
    return true;
  }

  /** Drops every subscription silently (RESET, connection close). */
  unsubscribeAll(c: Session): void {
    const subs = c.ext.pubsub as ClientSubs | undefined;
    if (subs === undefined) return;
    for (let kind = 0 as Kind; kind <= 2; kind++) {
      for (const name of [...subs.sets[kind]]) this.drop(c, kind, name);
    }
  }

  /**
   * Set on a thread of a multi-threaded server: delivers a message to the
   * subscribers of every other thread ('s': shard channels) and returns how
   * many received it (threads/runtime.ts).
   */
  others: ((kind: 'p' | 's', channel: string, message: string) => number) | null = null;

  /** PUBLISH: delivers to channel subscribers, then to matching patterns, on every thread; returns the receivers. */
  publish(channel: string, message: string): number {
    const n = this.deliver(channel, message);
    return this.others === null ? n : n + this.others('p', channel, message);
  }

  /** SPUBLISH: shard-channel subscribers only (patterns don't apply), on every thread. */
  spublish(channel: string, message: string): number {
    const n = this.sdeliver(channel, message);
    return this.others === null ? n : n + this.others('s', channel, message);
  }

  /** PUBLISH to this thread's subscribers. */
  deliver(channel: string, message: string): number {
    let receivers = 0;
    let body: string | null = null;
    const subs = this.channels.get(channel);
    if (subs !== undefined) {
      body = '$7\r\nmessage\r\n' + bulk(channel) + bulk(message);
      for (const c of subs) {
        this.push(c, 3, body);
        receivers++;
      }
    }
    if (this.patterns.size !== 0) {
      const tail = bulk(channel) + bulk(message);
      for (const [pattern, clients] of this.patterns) {
        if (!globMatch(pattern, channel)) continue;
        const pbody = '$8\r\npmessage\r\n' + bulk(pattern) + tail;
        for (const c of clients) {
          this.push(c, 4, pbody);
          receivers++;
        }
      }
    }
    return receivers;
  }

  /** SPUBLISH to this thread's subscribers. */
  sdeliver(channel: string, message: string): number {
    const subs = this.shardChannels.get(channel);
    if (subs === undefined) return 0;
    const body = '$8\r\nsmessage\r\n' + bulk(channel) + bulk(message);
    for (const c of subs) this.push(c, 3, body);
    return subs.size;
  }

  /**
   * Clients whose command is running (with threads, possibly waiting on
   * another thread) with the messages they are sent meanwhile: those wait
   * for the command's reply (Redis 7.2, #12326: a RESP3 client publishing
   * to a channel it is subscribed to gets the reply first, after a whole
   * EXEC or script).
   */
  private readonly held = new Map<Session, Array<[number, string]>>();

  /** Holds c's messages back until releaseOwnMessages(c). */
  holdOwnMessages(c: Session): void {
    this.held.set(c, []);
  }

  /** Writes the messages held back for c (after its reply). */
  releaseOwnMessages(c: Session): void {
    const held = this.held.get(c);
    if (held === undefined) return;
    this.held.delete(c);
    if (!c.closed) for (const [n, body] of held) this.push(c, n, body);
  }

  /** Writes one message push and schedules the subscriber's flush. */
  private push(c: Session, n: number, body: string): void {
    if (this.held.size !== 0) {
      const held = this.held.get(c);
      if (held !== undefined) {
        held.push([n, body]);
        return;
      }
    }
    const r = c.reply;
    r.raw(r.resp === 3 ? '>' + n + '\r\n' : '*' + n + '\r\n');
    r.raw(body);
    r.pushEnd = r.len;
    this.schedule(c);
  }

  private schedule(c: Session): void {
    this.pending.add(c);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushPending);
    }
  }

  /**
   * Writes an already encoded push (its own '>' or '*' header included) to
   * one client and schedules its flush, with the output-buffer limit check
   * of pub/sub messages. Tracking uses it for invalidations, whose payload
   * is an array of keys or a null rather than a bulk string.
   */
  pushRaw(c: Session, proto: string): void {
    const r = c.reply;
    r.raw(proto);
    r.pushEnd = r.len;
    this.schedule(c);
  }

  /** A 'message' to one subscriber whose payload is raw RESP (an array or a null), as tracking's REDIRECT sends. */
  messageTo(c: Session, channel: string, payload: string): void {
    this.push(c, 3, '$7\r\nmessage\r\n' + bulk(channel) + payload);
  }

  /** Channels (or shard channels) matching an optional pattern (PUBSUB CHANNELS / SHARDCHANNELS). */
  list(kind: Kind, pattern: string | null): string[] {
    const out: string[] = [];
    for (const name of this.registries[kind].keys()) if (pattern === null || globMatch(pattern, name)) out.push(name);
    return out;
  }

  /** Subscribers of one channel (PUBSUB NUMSUB / SHARDNUMSUB). */
  numSub(kind: Kind, name: string): number {
    return this.registries[kind].get(name)?.size ?? 0;
  }
}
