/**
 * Client-side caching (CLIENT TRACKING), as Redis 7.0's tracking.c: a table
 * key → ids of the clients that read it (default mode), a prefix table for
 * BCAST clients, invalidation messages as RESP3 pushes (`>2 invalidate
 * [keys]`) or, for a RESP2 REDIRECT target in pub/sub mode, as a message on
 * __redis__:invalidate whose payload is the array of keys (null: flush).
 *
 * Invalidations come from the change stream (every key event of every
 * shard), so no command family knows about tracking. The state exists only
 * once a client enabled tracking (ServerState.tracking stays null before),
 * so servers without tracking pay one null check per command.
 *
 * Ordering: messages produced while a command runs are held until it ends
 * (Redis sends the running client's own invalidations after its reply and
 * everybody else's at once; holding them all keeps a blocked client's reply,
 * written while another command runs, ahead of its invalidation), except
 * those of keys evicted before a command runs, which go out ahead of its
 * reply as in Redis 7.0. BCAST
 * messages are batched per prefix and sent once per event-loop turn, as
 * Redis's beforeSleep does.
 */
import type { Session } from '../server/session.ts';
import type { CommandHooks } from '../server/host.ts';
import type { PubSubHub } from '../pubsub/hub.ts';
import type { ChangeStream } from './change-stream.ts';
import { keyIndexes, type CommandInfo } from '../commands/core/command.ts';
import { getConfigNumber, type Config } from '../config/config.ts';
import { bulk, byBytes, encodeKeys } from './tracking-proto.ts';

/** Per-client flags, as server.h's CLIENT_TRACKING_*. */
export const TF = {
  ON: 1,
  BCAST: 2,
  OPTIN: 4,
  OPTOUT: 8,
  CACHING: 16,
  NOLOOP: 32,
  BROKEN_REDIR: 64,
} as const;

export interface ClientTracking {
  flags: number;
  /** Client id invalidations go to (0: the client itself). */
  redirect: number;
  /** BCAST prefixes, in insertion order (TRACKINGINFO sorts them as a rax would). */
  prefixes: Set<string> | null;
}

interface BcastState {
  /** Keys changed this event-loop turn → the client that changed them last (null: expiry). */
  keys: Map<string, Session | null>;
  clients: Set<Session>;
}

const CHANNEL = '__redis__:invalidate';

export function trackingOf(c: Session): ClientTracking | undefined {
  return c.ext.tracking as ClientTracking | undefined;
}

/** Flags of a client (0 when it never enabled tracking). */
export function trackingFlags(c: Session): number {
  const t = c.ext.tracking as ClientTracking | undefined;
  return t === undefined ? 0 : t.flags;
}

/** What tracking needs of the server. */
export interface TrackingHost extends Pick<CommandHooks, 'resetHooks'> {
  readonly config: Config;
  /** This thread's clients by id (the table holds ids). */
  readonly clients: ReadonlyMap<number, Session>;
  readonly changes: ChangeStream;
  /** Invalidations go out as pushes or pub/sub messages. */
  readonly pubsub: PubSubHub;
  readonly clientsElsewhere: { redirect(id: number, value: string): boolean | null } | null;
  readonly trackingElsewhere: { wired(on: boolean): void } | null;
  /** The state, created on first use (getTracking). */
  tracking: Tracking | null;
}

export class Tracking {
  /** key → ids of the clients that may cache it. */
  readonly table = new Map<string, Set<number>>();
  /** Total ids across the table (INFO tracking_total_items). */
  totalItems = 0;
  readonly prefixes = new Map<string, BcastState>();
  /** Clients with tracking on (INFO tracking_clients). */
  clients = 0;
  /** The client whose command is running (Redis's server.current_client), null between commands. */
  current: Session | null = null;
  private depth = 0;
  /** Messages held until the running command ends: target, then the raw value part (array or null). */
  private held: Array<Session | string> = [];
  private bcastScheduled = false;
  private limitEffort = 0;
  private flushSeen = false;
  private limitTimer: NodeJS.Timeout | null = null;
  private maxKeys: number;
  private off: (() => void) | null = null;
  private readonly server: TrackingHost;

  constructor(server: TrackingHost) {
    this.server = server;
    this.maxKeys = getConfigNumber(server.config, 'tracking-table-max-keys', 1000000);
    server.resetHooks.push((c) => {
      if (trackingFlags(c) & TF.ON) this.disable(c);
    });
  }

  configure(): void {
    this.maxKeys = getConfigNumber(this.server.config, 'tracking-table-max-keys', 1000000);
    this.scheduleLimit();
  }

  /** Redis's serverCron also trims the table: keep evicting, a bit more each run, until under the limit. */
  private scheduleLimit(): void {
    if (this.limitTimer !== null || this.maxKeys === 0 || this.table.size <= this.maxKeys) return;
    this.limitTimer = setTimeout(() => {
      this.limitTimer = null;
      this.limitUsedSlots();
      this.scheduleLimit();
    }, 1);
    this.limitTimer.unref();
  }

  /** Listens to the change stream while anything could need an invalidation. */
  private wire(): void {
    const need = this.clients !== 0 || this.table.size !== 0;
    if (need && this.off === null) {
      this.off = this.server.changes.subscribe((_sh, _seq, _db, key, event) => this.onChange(key, event));
      this.server.trackingElsewhere?.wired(true);
    } else if (!need && this.off !== null) {
      this.off();
      this.off = null;
      this.server.trackingElsewhere?.wired(false);
    }
  }

  /**
   * With threads: another thread changed `key`, for the request of client
   * `writerId` (0: an expiry, -1: an eviction), who may be a client of this
   * thread: NOLOOP skips it.
   */
  remoteChange(key: string, writerId: number): void {
    if (this.off === null) return;
    if (writerId === -1) return this.onChange(key, 'evicted');
    const prev = this.current;
    this.current = writerId === 0 ? null : this.server.clients.get(writerId) ?? null;
    try {
      this.invalidateKey(this.current, key, true);
    } finally {
      this.current = prev;
    }
  }

  /**
   * With threads: this thread's command changed `key`, borrowed from another
   * thread: heard as a change of one of its own keys (its owner leaves this
   * thread out when it hands the change on).
   */
  borrowedChange(key: string, event: string): void {
    if (this.off !== null) this.onChange(key, event);
  }

  /**
   * With threads: this thread's share of a FLUSHALL / FLUSHDB run by another
   * thread (one per database flushed): one null to each client, sent once the
   * flushing thread lets this one go.
   */
  flushNow(): void {
    if (this.off === null || this.remoteFlush) return;
    this.remoteFlush = true;
    queueMicrotask(() => {
      this.remoteFlush = false;
      this.onFlush();
    });
  }

  private remoteFlush = false;

  /** Redis's enableTracking (options already validated). */
  enable(c: Session, redirect: number, options: number, prefixes: readonly string[]): void {
    let t = trackingOf(c);
    if (t === undefined) {
      t = { flags: 0, redirect: 0, prefixes: null };
      c.ext.tracking = t;
      c.onClose.push(() => {
        if (t!.flags & TF.ON) this.disable(c);
      });
    }
    if ((t.flags & TF.ON) === 0) this.clients++;
    t.flags = (t.flags | TF.ON) & ~(TF.BROKEN_REDIR | TF.BCAST | TF.OPTIN | TF.OPTOUT | TF.NOLOOP);
    t.redirect = redirect;
    if (options & TF.BCAST) {
      t.flags |= TF.BCAST;
      if (prefixes.length === 0) this.addPrefix(c, t, '');
      for (const p of prefixes) this.addPrefix(c, t, p);
    }
    t.flags |= options & (TF.OPTIN | TF.OPTOUT | TF.NOLOOP);
    this.wire();
  }

  private addPrefix(c: Session, t: ClientTracking, p: string): void {
    let bs = this.prefixes.get(p);
    if (bs === undefined) {
      bs = { keys: new Map(), clients: new Set() };
      this.prefixes.set(p, bs);
    }
    if (!bs.clients.has(c)) {
      bs.clients.add(c);
      (t.prefixes ??= new Set()).add(p);
    }
  }

  /** Redis's disableTracking: the client's ids stay in the table until their keys change. */
  disable(c: Session): void {
    const t = trackingOf(c);
    if (t === undefined || (t.flags & TF.ON) === 0) return;
    if (t.flags & TF.BCAST && t.prefixes !== null) {
      for (const p of t.prefixes) {
        const bs = this.prefixes.get(p)!;
        bs.clients.delete(c);
        if (bs.clients.size === 0) this.prefixes.delete(p);
      }
      t.prefixes = null;
    }
    t.flags &= ~(TF.ON | TF.BROKEN_REDIR | TF.BCAST | TF.OPTIN | TF.OPTOUT | TF.CACHING | TF.NOLOOP);
    this.clients--;
    this.wire();
  }

  // ---- the command boundary (dispatch) ----

  /** Before a client's request: enforce tracking-table-max-keys, become the current client. */
  begin(c: Session): Session | null {
    if (this.clients !== 0) this.limitUsedSlots();
    const prev = this.current;
    this.current = c;
    this.depth++;
    return prev;
  }

  /**
   * Runs `fn` with invalidations held until it ends, as during a request: a
   * blocked client served outside any request (with threads, when another
   * thread's notice wakes it) gets its reply before the invalidations its
   * command caused.
   */
  holding<T>(fn: () => T): T {
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
      if (this.depth === 0) {
        if (this.flushSeen) this.onFlush();
        this.release();
      }
    }
  }

  /** After the request: clear CACHING (unless in MULTI or after CLIENT), deliver what was held. */
  end(c: Session, prev: Session | null): void {
    this.depth--;
    const t = trackingOf(c);
    if (t !== undefined && t.flags & TF.CACHING && c.ext.multi === undefined && !c.lastCommand.startsWith('client')) {
      t.flags &= ~TF.CACHING;
    }
    if (this.depth === 0) {
      if (this.flushSeen) this.onFlush();
      this.release();
    }
    this.current = prev;
  }

  /** After a command ran without error (also inside EXEC and scripts): remember read keys, flushes. */
  afterCall(c: Session, cmd: CommandInfo, args: string[]): void {
    if (cmd.isWrite) {
      const n = cmd.fullName;
      if (n === 'flushall' || n === 'flushdb') this.onFlush();
      return;
    }
    // clients that never tracked pay this check only (a script's reads count for its caller)
    if (c.ext.tracking === undefined && c.ext.script !== true) return;
    if (!cmd.spec.flags.includes('readonly')) return;
    let who = c;
    if (c.ext.script === true) {
      // a read inside a script tracks the keys it read, for its caller (Redis 7.2, #11770)
      const caller = this.current;
      if (caller === null) return;
      who = caller;
    } else {
      const n = cmd.fullName;
      if (n === 'eval_ro' || n === 'evalsha_ro' || n === 'fcall_ro') return;
    }
    const t = trackingOf(who);
    if (t === undefined || (t.flags & (TF.ON | TF.BCAST)) !== TF.ON) return;
    this.rememberKeys(who, t, cmd, args);
  }

  /** trackingRememberKeys */
  private rememberKeys(c: Session, t: ClientTracking, cmd: CommandInfo, args: string[]): void {
    const optin = t.flags & TF.OPTIN;
    const optout = t.flags & TF.OPTOUT;
    const caching = t.flags & TF.CACHING;
    if ((optin && !caching) || (optout && caching)) return;
    if (cmd.spec.flags.includes('pubsub')) return;
    const idx = keyIndexes(cmd, args);
    if (idx.length === 0) return;
    for (const i of idx) {
      const key = args[i]!;
      let ids = this.table.get(key);
      if (ids === undefined) {
        ids = new Set();
        this.table.set(key, ids);
      }
      if (!ids.has(c.id)) {
        ids.add(c.id);
        this.totalItems++;
      }
    }
    this.wire();
  }

  // ---- invalidation ----

  private onChange(key: string, event: string): void {
    // a flush is one null invalidation (onFlush), not one per key; other flushes than
    // FLUSHALL / FLUSHDB (DEBUG RELOAD …) are noticed here and handled when the request ends
    if (event === 'flushdb') {
      this.flushSeen = true;
      return;
    }
    if (event === 'evicted') {
      // evictions run before the command (Redis 7.0): their messages go out at once, ahead of its reply
      const depth = this.depth;
      this.depth = 0;
      try {
        this.invalidateKey(null, key, true);
      } finally {
        this.depth = depth;
      }
      return;
    }
    this.invalidateKey(event === 'expired' ? null : this.current, key, true);
  }

  /** trackingInvalidateKey */
  private invalidateKey(writer: Session | null, key: string, bcast: boolean): void {
    if (bcast && this.prefixes.size !== 0) this.rememberToBroadcast(writer, key);
    const ids = this.table.get(key);
    if (ids === undefined) return;
    const clients = this.server.clients;
    for (const id of ids) {
      const target = clients.get(id);
      if (target === undefined) continue;
      const f = trackingFlags(target);
      if ((f & TF.ON) === 0 || f & TF.BCAST) continue;
      if (f & TF.NOLOOP && target === this.current) continue;
      this.send(target, '*1\r\n' + bulk(key));
    }
    this.totalItems -= ids.size;
    this.table.delete(key);
    if (this.table.size === 0) this.wire();
  }

  private rememberToBroadcast(writer: Session | null, key: string): void {
    for (const [p, bs] of this.prefixes) {
      if (p.length > key.length) continue;
      if (p.length !== 0 && !key.startsWith(p)) continue;
      bs.keys.delete(key);
      bs.keys.set(key, writer);
      this.scheduleBroadcast();
    }
  }

  /** trackingInvalidateKeysOnFlush: a null to every tracking client, and the table is emptied. */
  private onFlush(): void {
    this.flushSeen = false;
    if (this.clients !== 0) {
      for (const c of this.server.clients.values()) {
        if (trackingFlags(c) & TF.ON) this.send(c, c.resp === 3 ? '_\r\n' : '$-1\r\n');
      }
    }
    this.table.clear();
    this.totalItems = 0;
    this.wire();
  }

  /** trackingLimitUsedSlots: evicts random keys (invalidating them) while the table is over the limit. */
  limitUsedSlots(): void {
    const max = this.maxKeys;
    if (max === 0 || this.table.size <= max) {
      this.limitEffort = 0;
      return;
    }
    let effort = 100 * (this.limitEffort + 1);
    while (effort-- > 0 && this.table.size > 0) {
      // a random walk over a Map: pick a random position from the start
      let n = Math.floor(Math.random() * Math.min(this.table.size, 64));
      let victim = '';
      for (const k of this.table.keys()) {
        victim = k;
        if (n-- <= 0) break;
      }
      this.invalidateKey(null, victim, false);
      if (this.table.size <= max) {
        this.limitEffort = 0;
        return;
      }
    }
    this.limitEffort++;
  }

  /** Holds a message while a command runs, else sends it. */
  private send(target: Session, value: string): void {
    if (this.depth !== 0) {
      this.held.push(target, value);
      return;
    }
    this.deliver(target, value);
  }

  private release(): void {
    const held = this.held;
    if (held.length === 0) return;
    this.held = [];
    for (let i = 0; i < held.length; i += 2) this.deliver(held[i] as Session, held[i + 1] as string);
  }

  /** sendTrackingMessage: value is the raw RESP of the keys array (or a null). */
  private deliver(c: Session, value: string): void {
    if (c.closed) return;
    const t = trackingOf(c);
    const hub = this.server.pubsub;
    if (t !== undefined && t.redirect !== 0) {
      // with threads the redirect client may be another thread's (ServerState.clientsElsewhere)
      const elsewhere = this.server.clientsElsewhere;
      let delivered: boolean | null = redirectTo(this.server, t.redirect, value);
      if (!delivered && elsewhere !== null) delivered = elsewhere.redirect(t.redirect, value);
      // another thread's client, asked once this thread may ask (it is held now)
      if (delivered === null) {
        setImmediate(() => this.deliver(c, value));
        return;
      }
      if (!delivered) {
        t.flags |= TF.BROKEN_REDIR;
        if (c.resp === 3) hub.pushRaw(c, '>2\r\n$21\r\ntracking-redir-broken\r\n:' + t.redirect + '\r\n');
      }
      return;
    }
    if (c.resp === 3) hub.pushRaw(c, '>2\r\n$10\r\ninvalidate\r\n' + value);
  }

  private scheduleBroadcast(): void {
    if (this.bcastScheduled) return;
    this.bcastScheduled = true;
    setImmediate(() => {
      this.bcastScheduled = false;
      this.broadcast();
    });
  }

  /** trackingBroadcastInvalidationMessages */
  private broadcast(): void {
    for (const [, bs] of this.prefixes) {
      if (bs.keys.size === 0) continue;
      const keys = [...bs.keys.keys()].sort(byBytes);
      let common: string | null = null;
      for (const c of bs.clients) {
        if (trackingFlags(c) & TF.NOLOOP) {
          const mine = keys.filter((k) => bs.keys.get(k) !== c);
          if (mine.length !== 0) this.deliver(c, encodeKeys(mine));
        } else {
          common ??= encodeKeys(keys);
          this.deliver(c, common);
        }
      }
      bs.keys = new Map();
    }
  }

  get totalKeys(): number {
    return this.table.size;
  }
}

/** The tracking state of a server, created on first use. */
export function getTracking(server: TrackingHost): Tracking {
  return (server.tracking ??= new Tracking(server));
}

/** TRACKINGINFO / CLIENT LIST helpers. */
export function trackingRedirect(c: Session): number {
  const t = trackingOf(c);
  return t !== undefined && t.flags & TF.ON ? t.redirect : -1;
}

/** CLIENT LIST flags contributed by tracking: t (on), R (broken redirect), B (BCAST), in Redis's order. */
export function trackingListFlags(c: Session): string {
  const f = trackingFlags(c);
  if (f === 0) return '';
  let s = '';
  if (f & TF.ON) s += 't';
  if (f & TF.BROKEN_REDIR) s += 'R';
  if (f & TF.BCAST) s += 'B';
  return s;
}

/**
 * An invalidation for the redirect client `id` of this thread: a RESP3 push,
 * or a message when it is a subscribed RESP2 connection. False when there is
 * no such client here.
 */
export function redirectTo(server: Pick<TrackingHost, 'clients' | 'pubsub'>, id: number, value: string): boolean {
  const redir = server.clients.get(id);
  if (redir === undefined || redir.closed) return false;
  const hub = server.pubsub;
  if (redir.resp === 3) hub.pushRaw(redir, '>2\r\n$10\r\ninvalidate\r\n' + value);
  else if (redir.subscriptions + redir.patternSubscriptions + redir.shardSubscriptions !== 0) hub.messageTo(redir, CHANNEL, value);
  return true;
}
