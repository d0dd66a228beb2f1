/**
 * One logical database inside one shard: key → value, key → expiry (ms).
 * Expired keys vanish on access (lazy) and through the active expiry cycle.
 */
import type { CollectionValue, Value } from '../datatypes/value.ts';
import { boxString, isPacked, isRebuilt, packValue, unpackValue, viewOf, type Stored } from '../datatypes/stored.ts';
import { stringBytes } from '../datatypes/packed.ts';
import { countEntry, countedEntry, countedSlot, keyUsage } from './dataset-bytes.ts';
import { ENTRY_OBJECT_BYTES, KeyTable } from './key-table.ts';
import { LruPolicy, freshWord, lfuTouch, lruClock, wordForFreq, wordForIdle } from './lru.ts';
import { FieldExpiryIndex, expiredFieldsEvent } from './field-expiry.ts';
import { HashValue } from '../datatypes/hash.ts';

export interface ShardStats {
  keyspaceHits: number;
  keyspaceMisses: number;
  expiredKeys: number;
  /** Hash fields removed for their TTL (INFO expired_subkeys). */
  expiredSubkeys: number;
  dirty: number;
}

/** What a keyspace needs of the shard that owns it (shard.ts's Shard). */
export interface KeyspaceOwner {
  readonly stats: ShardStats;
  /** The clock (frozen during a command). */
  now: () => number;
  /** CLIENT PAUSE: expired keys read as gone but are not deleted. */
  readonly expiryPaused: boolean;
  /** A replica running its primary's command: every key is live until the primary deletes it. */
  readonly expiryIgnored: boolean;
  /** Reports a change of a key (keyspace notifications, tracking, feeds). */
  emit(db: number, key: string, event: string): void;
  /** Whether a flush must report its keys one by one (else it counts them: skipFlushed). */
  flushKeysWanted(): boolean;
  skipFlushed(n: number): void;
}

/** Keyspaces holding objects to pack once the running command is done (flushed in one microtask). */
const toPack: Keyspace[] = [];

function packAll(): void {
  for (let i = 0; i < toPack.length; i++) toPack[i]!.packPending();
  toPack.length = 0;
}

export class Keyspace {
  /**
   * key → value (key-table.ts). A small collection is stored between
   * commands as its tagged packed string (datatypes/stored.ts), which the
   * lookups below turn back into its object; read `data` directly only
   * through viewOf().
   */
  data = new KeyTable();
  /**
   * Redis's robj.lru of every key (lru.ts) lives in the key table beside its
   * slot (KeyTable.word): the LRU clock of its last access, or its LFU word
   * under an LFU policy, kept by every method here while the policy is
   * tracking (LruPolicy.tracking). Keys not accessed since tracking started,
   * and keys loaded from a snapshot without an IDLE / FREQ hint, have none of
   * their own: they share `lruBase`.
   */
  /** The word of keys without one of their own: when this keyspace started, was flushed or loaded. */
  lruBase = lruClock(Date.now());
  /** The server's tracking policy (shared by all its keyspaces; set by the memory limit). */
  lruPolicy = new LruPolicy();
  /**
   * Bytes this keyspace's data holds (dataset-bytes.ts): keys and values
   * (TTLs and the table's slots are overhead: KeyTable.tableBytes), kept
   * current by every write here and by modified(). used_memory,
   * MEMORY USAGE and maxmemory read it instead of the JS heap's size.
   */
  bytes = 0;
  /**
   * The key a command looked up or stored last and its value, so the write
   * that follows (modified, usage) needs no second lookup in the key table
   * and no decoding of its value. Cleared by every removal.
   */
  private hotKey: string | null = null;
  private hotVal: Stored | undefined = undefined;
  /** Keys whose value was put into `data` as an object in small form: packed by packPending(). */
  private unpacked: string[] = [];
  /**
   * For each of `unpacked`: the tagged string the object was made from, or
   * null for an object stored as it is (packPending puts the string back
   * when the object's element string is still the one it was given).
   */
  private unpackedFrom: (string | null)[] = [];
  /** For each of `unpacked`: the object made from that string, and the element string it was given. */
  private unpackedObj: (CollectionValue | null)[] = [];
  private unpackedData: (string | null)[] = [];
  /** Slot where the active expiry cycle goes on (expiry.ts). */
  expireCursor = 0;
  /** The hashes here whose fields have TTLs, by earliest field expiry (SWAPDB swaps it with `data`). */
  hfe = new FieldExpiryIndex();

  /**
   * Keyspace notifications' 'keymiss' and 'new' events (classes m and n):
   * set only while such a class is on, so lookups and writes pay nothing
   * otherwise. Not key changes, so they bypass the shard's change stream.
   */
  onMiss: ((db: number, key: string) => void) | null = null;
  /**
   * Set while a background snapshot runs: told before any key of this
   * keyspace is read for writing, replaced, deleted or has its TTL changed,
   * so the snapshot can save the key's value as of its start first.
   */
  snap: { beforeWrite(ks: Keyspace, key: string): void } | null = null;
  onNew: ((db: number, key: string) => void) | null = null;

  readonly shard: KeyspaceOwner;
  readonly db: number;

  constructor(shard: KeyspaceOwner, db: number) {
    this.shard = shard;
    this.db = db;
  }

  get size(): number {
    return this.data.size;
  }

  /** Value of a key for a write path or internal use: expiry applied, no hit/miss stats; an access (LRU/LFU). */
  get(key: string): Value | undefined {
    if (this.snap !== null) this.snap.beforeWrite(this, key);
    let v = this.data.get(key);
    if (v === undefined) return undefined;
    if (this.data.volatile !== 0 && this.expireIfNeeded(key)) return undefined;
    this.touch(key);
    this.hotKey = key;
    if (typeof v === 'string' && isPacked(v)) v = this.unpack(key, v);
    this.hotVal = v;
    return v;
  }

  /**
   * The value of a key a read command has looked up, as the object the
   * keyspace holds, for the one read that changes its value in place: Redis
   * 7.0's SORT converting a listpack sorted set for good. No access counted
   * (the lookup did); expiry already applied by it.
   */
  owned(key: string): Value | undefined {
    const v = this.data.get(key);
    if (v === undefined) return undefined;
    const o = typeof v === 'string' && isPacked(v) ? this.unpack(key, v) : viewOf(v);
    this.hotKey = key;
    this.hotVal = o;
    return o;
  }

  /** MEMORY USAGE of an existing key (its value as stored), after a get(). */
  usage(key: string): number {
    const v = key === this.hotKey ? this.hotVal : this.data.get(key);
    return v === undefined ? 0 : keyUsage(key, v);
  }

  /**
   * A packed collection's object, put into `data` for the command that looked
   * it up (which may change it in place), and packed again after it.
   */
  private unpack(key: string, s: string): CollectionValue {
    const c = unpackValue(s);
    // counted as the entry string it came from (so the sum does not move until it changes)
    c.acct = countedEntry(key, s) - ENTRY_OBJECT_BYTES - stringBytes(key.length);
    this.data.set(key, c);
    // a listpackex's packed form is built anew by packedData(): the string it came from stands for it
    this.pendPack(key, s, c, isRebuilt(s) ? s.slice(1) : c.packedData());
    return c;
  }

  private pendPack(key: string, from: string | null, obj: CollectionValue | null, given: string | null): void {
    if (this.unpacked.length === 0) {
      if (toPack.length === 0) queueMicrotask(packAll);
      toPack.push(this);
    }
    this.unpacked.push(key);
    this.unpackedFrom.push(from);
    this.unpackedObj.push(obj);
    this.unpackedData.push(given);
  }

  /**
   * Stores the objects of small collections left in `data` by the commands
   * just run as their tagged strings again (their bytes move from what was
   * counted for the object to the string's).
   */
  packPending(): void {
    const keys = this.unpacked;
    if (keys.length === 0) return;
    const from = this.unpackedFrom;
    const objs = this.unpackedObj;
    const given = this.unpackedData;
    this.unpacked = [];
    this.unpackedFrom = [];
    this.unpackedObj = [];
    this.unpackedData = [];
    const data = this.data;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const v = data.get(key);
      if (v === undefined || typeof v !== 'object' || v instanceof Buffer) continue;
      const c = v as CollectionValue;
      // the object made from a string and left unchanged (a write of the same value): that string again
      const src = from[i]!;
      const d = c.packedData();
      const s = src !== null && c === objs[i] && d === given[i] ? src : packValue(c, d);
      if (s === null) continue;
      this.bytes += countEntry(key, s) - countedEntry(key, c);
      data.set(key, s);
    }
    this.cool();
  }

  /** Starts recording accesses server-wide (OBJECT IDLETIME / FREQ, DEBUG OBJECT, hints). */
  startTracking(): void {
    const p = this.lruPolicy;
    if (p.tracking) return;
    p.tracking = true;
    p.onStart?.();
  }

  /** The word of an existing key (its own, or the shared one of keys without). */
  lruWord(key: string): number {
    const w = this.data.word(key);
    return w >= 0 ? w : this.lruBase;
  }

  /** Gives an existing key its own word (RENAME / MOVE carry it over). */
  setLruWord(key: string, w: number): void {
    this.data.setWord(key, w);
  }

  /**
   * Value of a key for a read that is no access (Redis's LOOKUP_NOTOUCH:
   * EXISTS, TYPE, TTL, OBJECT, SCAN … TYPE): expiry applied, hit/miss stats
   * counted, the LRU clock / LFU counter left alone; `notify` false leaves
   * out the 'keymiss' event too (OBJECT's LOOKUP_NONOTIFY).
   */
  lookupReadNoTouch(key: string, notify = true): Value | undefined {
    let v = this.data.get(key);
    if (v !== undefined && this.data.volatile !== 0 && this.expireIfNeeded(key)) v = undefined;
    if (v === undefined) {
      this.shard.stats.keyspaceMisses++;
      if (notify && this.onMiss !== null) this.onMiss(this.db, key);
    } else this.shard.stats.keyspaceHits++;
    // these reads never change the value: a packed one is viewed, not put back into `data`
    return v === undefined ? v : viewOf(v);
  }

  /**
   * A write of `key`'s value, just stored: the LRU clock now. Under LFU a new
   * key starts at LFU_INIT_VAL and an existing one keeps its counter
   * (dbOverwrite) — after one more access when `access` (set(): Redis's
   * setKey looks the key up for writing; replace() follows the caller's own
   * lookup).
   */
  private stamp(key: string, existed: boolean, access: boolean): void {
    const p = this.lruPolicy;
    if (!p.tracking) return;
    if (!p.lfu) this.data.setWord(key, p.clock);
    else if (!existed) this.data.setWord(key, freshWord(p));
    else if (access && !p.noTouch) this.data.setWord(key, lfuTouch(p, this.lruWord(key)));
  }

  /**
   * Value of a key for a read command: counts keyspace_hits / keyspace_misses.
   * An access as get() is, but a packed collection comes back as a view (a
   * fresh object, nothing put back into `data`): read commands never change
   * the value they look up (writes look up with get()).
   */
  lookupRead(key: string): Value | undefined {
    let v = this.data.get(key);
    if (v !== undefined) {
      if (this.data.volatile !== 0 && this.expireIfNeeded(key)) v = undefined;
      else {
        this.touch(key);
        this.hotKey = key;
        this.hotVal = v;
        // a read's view: never stored
        if (typeof v === 'string' && isPacked(v)) v = unpackValue(v);
      }
    }
    if (v === undefined) {
      this.shard.stats.keyspaceMisses++;
      if (this.onMiss !== null) this.onMiss(this.db, key);
    } else this.shard.stats.keyspaceHits++;
    return v;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /**
   * Sets a value, clearing any TTL (SET semantics). Counts as an access
   * (Redis's setKey looks the key up) unless `lookedUp`: the caller's own
   * get() already did (setGenericCommand's found check).
   */
  set(key: string, value: Value, lookedUp = false): void {
    if (this.snap !== null) this.snap.beforeWrite(this, key);
    if (this.onNew !== null && this.get(key) === undefined) return this.add(key, value);
    this.stamp(key, this.store(key, value), !lookedUp);
    if (this.data.volatile !== 0) this.data.setExpireAt(key, 0);
  }

  /**
   * data.set with the dataset bytes moved from the old value (if any) to the
   * new one; whether the key was there. A string that begins like a packed
   * collection is kept as a Buffer; a collection in small form is packed
   * after the command.
   */
  private store(key: string, value: Value): boolean {
    const s = this.storedForm(key, value);
    const old = this.data.swap(key, s);
    // what the slot held was counted first: its value may be `s` itself, whose acct countEntry sets
    this.bytes -= countedSlot(old);
    this.bytes += countEntry(key, s);
    this.hotKey = key;
    this.hotVal = s;
    this.indexFields(key, value);
    return old !== undefined;
  }

  /**
   * The active expiry of hash fields (Redis's hashTypeDbActiveExpire): the
   * fields of due hashes whose TTL is at or before `now`, at most `max`
   * fields. Returns how many were removed.
   */
  expireDueFields(now: number, max: number): number {
    let n = 0;
    while (n < max) {
      const key = this.hfe.popDue(now);
      if (key === null) break;
      // a key whose own TTL passed goes as a whole (its entry was taken out: removal drops it anyway)
      if (!this.data.has(key) || this.isExpired(key)) continue;
      const v = this.owned(key);
      if (!(v instanceof HashValue)) continue;
      const fields = v.expiredFields(now + 1, max - n);
      n += fields.length;
      if (fields.length === 0) {
        if (v.minFieldExpire() > now) this.indexFields(key, v);
      } else this.expireFields(key, fields, true);
    }
    return n;
  }

  /** Registers a hash with field TTLs in `hfe` (by its earliest one), or drops the key from it. */
  indexFields(key: string, value: Value): void {
    const at = typeof value === 'object' && !(value instanceof Buffer) ? ((value as CollectionValue).minFieldExpire?.() ?? 0) : 0;
    if (at !== 0 || this.hfe.size !== 0) this.hfe.set(key, at);
  }

  /**
   * Removes the fields of the hash `h` at `key` whose TTL passed (read
   * lazily or by the active cycle), as Redis's propagateHashFieldDeletion for
   * each and one 'hexpired' event; the hash goes too when none is left
   * ('del'). Not a write of the command running: no dirty count. Returns
   * whether the key was removed.
   */
  expireFields(key: string, fields: readonly string[], active = false): boolean {
    if (fields.length === 0) return false;
    if (this.snap !== null) this.snap.beforeWrite(this, key);
    // the stored object (a read command may hold a view of a packed one)
    const h = this.owned(key);
    if (!(h instanceof HashValue)) return false;
    for (let i = 0; i < fields.length; i++) h.delete(fields[i]!);
    this.shard.stats.expiredSubkeys += fields.length;
    const b = h.bytes();
    this.bytes += b - h.acct;
    h.acct = b;
    expiredFieldsEvent.fields = fields;
    expiredFieldsEvent.active = active;
    try {
      this.shard.emit(this.db, key, 'hexpired');
    } finally {
      expiredFieldsEvent.fields = [];
    }
    if (h.size() === 0) {
      this.dropEntry(key);
      this.shard.emit(this.db, key, 'del');
      return true;
    }
    this.indexFields(key, h);
    return false;
  }

  /** Forgets the looked-up key (its value left `data` or `data` was replaced). */
  private cool(): void {
    this.hotKey = null;
    this.hotVal = undefined;
  }

  /**
   * Counts a value put into `data` directly (snapshot load): `old` is what
   * the key held before, if anything.
   */
  charge(key: string, value: Value, old: Stored | undefined): void {
    this.cool();
    const s = this.storedForm(key, value);
    if (s !== value) this.data.set(key, s);
    // what `old` was counted as first: it may be `s` itself, whose acct countEntry sets
    if (old !== undefined) this.bytes -= countedEntry(key, old);
    this.bytes += countEntry(key, s);
    this.indexFields(key, value);
  }

  /**
   * How `value` is kept in `data` (stored.ts): a string beginning with a tag
   * boxed, an integer string as its number; a collection in small form
   * noted, to be packed after the command.
   */
  private storedForm(key: string, value: Value): Stored {
    if (typeof value === 'string') {
      if (isPacked(value)) return boxString(value);
      return value;
    }
    if (!(value instanceof Buffer) && (value as CollectionValue).packedData() !== null) this.pendPack(key, null, null, null);
    return value;
  }

  /** Records an access to an existing key (its LRU clock / LFU counter), while tracking (and not CLIENT NO-TOUCH). */
  private touch(key: string): void {
    const p = this.lruPolicy;
    if (p.tracking && !p.noTouch) this.data.setWord(key, p.lfu ? lfuTouch(p, this.lruWord(key)) : p.clock);
  }

  /** Uncounts a key leaving `data` (value `v`). */
  private discharge(key: string, v: Stored): void {
    this.bytes -= countedEntry(key, v);
  }

  /** Replaces the value of a key, keeping its TTL (in-place updates such as APPEND, INCR). */
  replace(key: string, value: Value): void {
    if (this.snap !== null) this.snap.beforeWrite(this, key);
    if (this.onNew !== null && this.get(key) === undefined) return this.add(key, value);
    this.stamp(key, this.store(key, value), false);
  }

  /** Creates a key that did not exist (Redis's dbAdd and its 'new' event), while 'new' events are on. */
  private add(key: string, value: Value): void {
    this.stamp(key, this.store(key, value), false);
    this.onNew!(this.db, key);
  }

  /**
   * objectSetLRUOrLFU: the idle time (seconds) or LFU counter a key is
   * created with by RESTORE … IDLETIME / FREQ or an RDB's IDLE / FREQ opcode
   * (-1: not given); only the one the policy tracks applies.
   */
  setLruHint(key: string, idleSecs: number, freq: number): void {
    const p = this.lruPolicy;
    if (idleSecs >= 0 || freq >= 0) this.startTracking();
    if (p.lfu) {
      if (freq >= 0) this.data.setWord(key, wordForFreq(p, freq));
    } else if (idleSecs >= 0) this.data.setWord(key, wordForIdle(p, idleSecs));
  }

  /** A key put into `data` directly (loading a snapshot): its word as a new value's, then the file's hint. */
  loaded(key: string, idleSecs: number, freq: number): void {
    const fresh = freshWord(this.lruPolicy);
    if (idleSecs >= 0 || freq >= 0) {
      this.data.setWord(key, fresh);
      this.setLruHint(key, idleSecs, freq);
      return;
    }
    // shares the word of this load (a key replaced by DEBUG RELOAD MERGE drops its own)
    this.data.setWord(key, -1);
    this.lruBase = fresh;
  }

  /** Removes a key and its TTL; true if it existed (and was not already expired). */
  delete(key: string): boolean {
    return this.remove(key) !== undefined;
  }

  /** Removes a key and its TTL; the value it held (undefined if none, or already expired). */
  remove(key: string): Value | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    this.data.delete(key);
    this.cool();
    this.discharge(key, v);
    if (this.hfe.size !== 0) this.hfe.delete(key);
    return v;
  }

  /** Absolute expiry in ms, or undefined when the key is persistent. */
  getExpire(key: string): number | undefined {
    const when = this.data.volatile === 0 ? 0 : this.data.expireAt(key);
    return when === 0 ? undefined : when;
  }

  /** Sets an existing key's absolute expiry in ms (kept beside its slot in the key table). */
  setExpire(key: string, whenMs: number): void {
    if (this.snap !== null) this.snap.beforeWrite(this, key);
    // 0 means "none" in the table: the epoch itself is stored as the smallest time after it (still long past)
    this.data.setExpireAt(key, whenMs === 0 ? Number.MIN_VALUE : whenMs);
  }

  /** Removes the TTL; true if there was one. */
  persist(key: string): boolean {
    if (this.snap !== null) this.snap.beforeWrite(this, key);
    return this.data.volatile !== 0 && this.data.setExpireAt(key, 0);
  }

  /** Keys with a TTL. */
  get volatile(): number {
    return this.data.volatile;
  }

  /** Deletes the key if its TTL has passed; true if it did. */
  expireIfNeeded(key: string): boolean {
    const when = this.data.expireAt(key);
    if (when === 0 || when > this.shard.now()) return false;
    // the primary decided the key was live when it ran the command (Redis's expireIfNeeded for the master client)
    if (this.shard.expiryIgnored) return false;
    // while clients are paused (and on a replica), expired keys read as missing but are deleted only afterwards
    if (this.shard.expiryPaused) return true;
    this.expireKey(key);
    return true;
  }

  /** Takes a key out of `data` and the byte count (and the field-expiry index), whatever it held. */
  private dropEntry(key: string): void {
    const v = this.data.get(key);
    if (v === undefined) return;
    this.data.delete(key);
    this.cool();
    this.discharge(key, v);
    if (this.hfe.size !== 0) this.hfe.delete(key);
  }

  /** Removes an expired key and reports it. */
  expireKey(key: string): void {
    if (this.snap !== null) this.snap.beforeWrite(this, key);
    this.dropEntry(key);
    this.shard.stats.expiredKeys++;
    this.shard.emit(this.db, key, 'expired');
  }

  /**
   * Records that a command changed `key` (Redis's signalModifiedKey +
   * notifyKeyspaceEvent): WATCH, blocking wake-ups, tracking and feeds hang off this.
   * `dirty`: the changes it counts (server.dirty); 0 for a part of a change
   * already counted (the deletion of a collection a pop emptied).
   */
  modified(key: string, event: string, dirty = 1): void {
    // a collection changed in place: its bytes as they are now
    const v = key === this.hotKey ? this.hotVal : this.data.get(key);
    if (v !== undefined && typeof v === 'object' && !(v instanceof Buffer)) {
      const c = v as CollectionValue;
      const b = c.bytes();
      this.bytes += b - c.acct;
      c.acct = b;
      // a hash whose field TTLs changed: registered by its earliest one
      if (c.minFieldExpire !== undefined) this.indexFields(key, c);
    }
    this.shard.stats.dirty += dirty;
    this.shard.emit(this.db, key, event);
  }

  clear(): void {
    this.cool();
    this.unpacked = [];
    this.unpackedFrom = [];
    this.unpackedObj = [];
    this.unpackedData = [];
    this.bytes = 0;
    this.data = new KeyTable();
    this.hfe = new FieldExpiryIndex();
    this.lruBase = freshWord(this.lruPolicy);
    this.expireCursor = 0;
  }

  /** Called when `data` is swapped with another keyspace's (SWAPDB). */
  swapped(): void {
    this.cool();
  }

  /**
   * The value as stored now, for observers outside any command (key feeds
   * read it inside the write that changed it): no expiry run, no access, no
   * stats, nothing put back; undefined once its TTL has passed.
   */
  peek(key: string): Value | undefined {
    const v = this.data.get(key);
    return v === undefined || this.isExpired(key) ? undefined : viewOf(v);
  }

  /**
   * Whether the key exists and its TTL has not passed, with no effects
   * (Redis's LOOKUP_NOEFFECTS): an expired key is neither deleted nor
   * reported, a later lookup does that.
   */
  live(key: string): boolean {
    return this.data.has(key) && !this.isExpired(key);
  }

  /** Whether the key's TTL has passed, without deleting it (KEYS lists around such keys as Redis does). */
  isExpired(key: string): boolean {
    const when = this.data.volatile === 0 ? 0 : this.data.expireAt(key);
    return when !== 0 && when <= this.shard.now();
  }
}
