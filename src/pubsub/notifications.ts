/**
 * Keyspace notifications (notify-keyspace-events), as Redis's notify.c: the
 * shards' key events are published to __keyspace@<db>__:<key> (message: the
 * event) and __keyevent@<db>__:<event> (message: the key) when the event's
 * class is enabled. Listeners exist only while some class is on, so with
 * notifications off (the default) writes pay nothing.
 */
import type { Engine } from '../engine/engine.ts';
import type { PubSubHub } from './hub.ts';
import { notifyFlags } from '../config/params.ts';
import { getConfigValue, type Config } from '../config/config.ts';

/** Class bits, as server.h's NOTIFY_*. */
export const NOTIFY = {
  KEYSPACE: 1 << 0, // K
  KEYEVENT: 1 << 1, // E
  GENERIC: 1 << 2, // g
  STRING: 1 << 3, // $
  LIST: 1 << 4, // l
  SET: 1 << 5, // s
  HASH: 1 << 6, // h
  ZSET: 1 << 7, // z
  EXPIRED: 1 << 8, // x
  EVICTED: 1 << 9, // e
  STREAM: 1 << 10, // t
  KEY_MISS: 1 << 11, // m
  MODULE: 1 << 13, // d
  NEW: 1 << 14, // n
} as const;

const { GENERIC, STRING, LIST, SET, HASH, ZSET, STREAM } = NOTIFY;

/**
 * Event name → the class Redis passes with it at every notifyKeyspaceEvent
 * call site of 7.0. Events not listed (internal ones such as 'flushdb' or
 * 'pfcount', which only signal WATCH and blocked clients) are not published.
 */
export const EVENT_CLASS: ReadonlyMap<string, number> = new Map<string, number>([
  // db.c, expire.c, cluster.c, t_string.c (GETEX)
  ['del', GENERIC], ['expire', GENERIC], ['persist', GENERIC], ['rename_from', GENERIC], ['rename_to', GENERIC],
  ['move_from', GENERIC], ['move_to', GENERIC], ['copy_to', GENERIC], ['restore', GENERIC],
  ['expired', NOTIFY.EXPIRED], ['evicted', NOTIFY.EVICTED], ['keymiss', NOTIFY.KEY_MISS], ['new', NOTIFY.NEW],
  // t_string.c, bitops.c, hyperloglog.c
  ['set', STRING], ['setrange', STRING], ['incrby', STRING], ['incrbyfloat', STRING], ['append', STRING],
  ['setbit', STRING], ['pfadd', STRING],
  // t_list.c, sort.c
  ['lpush', LIST], ['rpush', LIST], ['lpop', LIST], ['rpop', LIST], ['linsert', LIST], ['lset', LIST],
  ['lrem', LIST], ['ltrim', LIST], ['sortstore', LIST],
  // t_set.c
  ['sadd', SET], ['srem', SET], ['spop', SET], ['sinterstore', SET], ['sunionstore', SET], ['sdiffstore', SET],
  // t_hash.c
  ['hset', HASH], ['hdel', HASH], ['hincrby', HASH], ['hincrbyfloat', HASH],
  // t_hash.c 7.4 (field expiration)
  ['hexpire', HASH], ['hexpired', HASH], ['hpersist', HASH],
  // t_zset.c, geo.c
  ['zadd', ZSET], ['zincr', ZSET], ['zrem', ZSET], ['zremrangebyrank', ZSET], ['zremrangebyscore', ZSET],
  ['zremrangebylex', ZSET], ['zpopmin', ZSET], ['zpopmax', ZSET], ['zunionstore', ZSET], ['zinterstore', ZSET],
  ['zdiffstore', ZSET], ['zrangestore', ZSET], ['georadiusstore', ZSET], ['geosearchstore', ZSET],
  // t_stream.c
  ['xadd', STREAM], ['xtrim', STREAM], ['xdel', STREAM], ['xsetid', STREAM], ['xgroup-create', STREAM],
  ['xgroup-createconsumer', STREAM], ['xgroup-delconsumer', STREAM], ['xgroup-destroy', STREAM], ['xgroup-setid', STREAM],
]);

/** What notifications read of the server: the setting and the shards' key events. */
export interface NotifierHost {
  readonly config: Config;
  readonly engine: Engine;
}

export class KeyspaceNotifier {
  /** The enabled classes (Redis's server.notify_keyspace_events). */
  flags = 0;
  private readonly server: NotifierHost;
  private readonly hub: PubSubHub;
  private offs: Array<() => void> = [];
  private readonly onEvent = (db: number, key: string, event: string): void => {
    const cls = EVENT_CLASS.get(event);
    if (cls !== undefined && (this.flags & cls) !== 0) this.notify(db, key, event);
  };
  private readonly onMiss = (db: number, key: string): void => this.notify(db, key, 'keymiss');
  private readonly onNew = (db: number, key: string): void => this.notify(db, key, 'new');

  constructor(server: NotifierHost, hub: PubSubHub) {
    this.server = server;
    this.hub = hub;
    this.configure();
  }

  /** Applies the current notify-keyspace-events value (startup and CONFIG SET). */
  configure(): void {
    const f = notifyFlags(getConfigValue(this.server.config, 'notify-keyspace-events') ?? '');
    const flags = f < 0 ? 0 : f;
    this.flags = flags;
    // without K or E nothing is ever published: listen to nothing
    const live = (flags & (NOTIFY.KEYSPACE | NOTIFY.KEYEVENT)) !== 0;
    const classes = live ? flags & ~(NOTIFY.KEYSPACE | NOTIFY.KEYEVENT | NOTIFY.KEY_MISS | NOTIFY.NEW) : 0;
    if (classes !== 0 && this.offs.length === 0) {
      // 'flushdb' is no notification: flushes are not reported key by key
      this.offs.push(this.server.engine.onKeyEvent(this.onEvent, () => false));
    } else if (classes === 0 && this.offs.length !== 0) {
      for (const off of this.offs) off();
      this.offs = [];
    }
    const miss = live && (flags & NOTIFY.KEY_MISS) !== 0 ? this.onMiss : null;
    const add = live && (flags & NOTIFY.NEW) !== 0 ? this.onNew : null;
    for (const shard of this.server.engine.eventShards) {
      for (const ks of shard.dbs) {
        ks.onMiss = miss;
        ks.onNew = add;
      }
    }
  }

  /** Whether the shards' change streams are being listened to (false while no class is on). */
  get listening(): boolean {
    return this.offs.length !== 0;
  }

  /** Redis's notifyKeyspaceEvent once the class check passed. */
  notify(db: number, key: string, event: string): void {
    // another thread's command changed a key of ours: that thread has notified
    if (this.server.engine.replaying) return;
    if (this.flags & NOTIFY.KEYSPACE) this.hub.publish('__keyspace@' + db + '__:' + key, event);
    if (this.flags & NOTIFY.KEYEVENT) this.hub.publish('__keyevent@' + db + '__:' + event, key);
  }
}
