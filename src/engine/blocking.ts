/**
 * Clients blocked on keys (BLPOP, BLMOVE, BLMPOP, BZPOPMIN, XREAD BLOCK …),
 * Redis's blocked.c for every family.
 *
 * A blocked client waits on one or more keys of its database with a serve
 * function. Any change of a key that has waiters (every shard's key events,
 * SWAPDB, or an explicit signalKeyAsReady) marks the key ready; once the
 * writing command has finished (the dispatcher's post-command hook, with a
 * microtask as a safety net for writes from elsewhere) each ready key is
 * offered to its waiters in the order they blocked, as Redis's
 * handleClientsBlockedOnKeys does. A serve that writes to other keys (BLMOVE)
 * makes those ready in turn, and they are served in the same pass.
 *
 * Families use serveOrBlock(): it serves at once when it can, answers as a
 * timeout when blocking is not allowed (MULTI/EXEC, scripts), and otherwise
 * returns the promise the connection waits on. The woken client's reply is
 * written to its own ReplyWriter and flushed when the promise settles.
 */
import type { Session } from '../server/session.ts';
import type { Logger } from '../server/host.ts';
import type { Engine } from './engine.ts';
import type { Tracking } from '../reactivity/tracking.ts';
import type { ReplicationFeed } from '../replication/primary.ts';
import { CommandError, Err } from '../commands/core/errors.ts';
import { string2ld } from '../datatypes/long-double.ts';

/** What a blocked client waits for. */
export interface BlockRequest {
  /** Keys of the client's current database (duplicates are ignored). */
  readonly keys: readonly string[];
  /** Milliseconds to wait; 0 waits forever. */
  readonly timeoutMs: number;
  /**
   * Tries to serve the client from `key`, which just changed: writes the
   * client's reply and returns true, or returns false to keep waiting. A
   * CommandError thrown here (a key of another type…) keeps it waiting too.
   * Set client.propagate to what should be replicated for the change.
   */
  serve(key: string): boolean;
  /**
   * Optional: offered instead of serve when the key changed and no longer
   * exists (XREADGROUP fails then); same contract as serve. Waiters
   * without it keep waiting.
   */
  serveMissing?(key: string): boolean;
  /** Writes the reply for a timeout (and CLIENT UNBLOCK … TIMEOUT). */
  onTimeout(): void;
}

interface Node {
  readonly w: Waiter;
  readonly q: KeyQueue;
  prev: Node | null;
  next: Node | null;
}

/** The clients blocked on one key of one database, oldest first. */
interface KeyQueue {
  readonly db: number;
  readonly key: string;
  head: Node | null;
  tail: Node | null;
  /** Already in the ready list. */
  ready: boolean;
}

interface Waiter {
  readonly client: Session;
  readonly db: number;
  readonly req: BlockRequest;
  readonly nodes: Node[];
  readonly finish: () => void;
  /** Absolute deadline in ms (0 = none). */
  readonly deadline: number;
  timer: NodeJS.Timeout | null;
  done: boolean;
}

/** setTimeout's longest delay; longer waits re-arm. */
const MAX_TIMER_MS = 0x7fffffff;

export const UNBLOCKED_ERROR = 'UNBLOCKED client unblocked via CLIENT UNBLOCK';

/** What blocking needs of the server. */
export interface BlockingHost extends Logger {
  readonly engine: Engine;
  /** After SWAPDB, keys of both databases may serve their waiters. */
  readonly swapDbHooks: { push(hook: (a: number, b: number) => void): unknown };
  countError(msg: string): void;
  /** A served client's invalidations wait for its reply. */
  readonly tracking: Tracking | null;
  /** What a served client wrote is propagated. */
  readonly replication: ReplicationFeed;
}

/** A client of a server that blocks clients on keys (a Client). */
type BlockingClient = Session & { readonly server: { readonly blocking: BlockingManager } };

export class BlockingManager {
  /** Per database: key → its waiters. */
  private readonly dbs: Array<Map<string, KeyQueue> | undefined> = [];
  private queueCount = 0;
  private ready: KeyQueue[] = [];
  private readonly byClient = new Map<Session, Waiter>();
  private readonly hooked = new WeakSet<Session>();
  private serving = false;
  private scheduled = false;
  private readonly server: BlockingHost;
  private readonly drainTask = (): void => {
    this.scheduled = false;
    this.serveReady();
  };

  constructor(server: BlockingHost) {
    this.server = server;
    const onEvent = (db: number, key: string): void => {
      if (this.queueCount === 0) return;
      const q = this.dbs[db]?.get(key);
      if (q !== undefined) this.markReady(q);
    };
    // a flush's keys matter while clients are blocked: a stream's readers fail when it goes (XREADGROUP's -UNBLOCKED …)
    server.engine.onKeyEvent(onEvent, () => this.queueCount !== 0);
    server.swapDbHooks.push((a, b) => {
      // keys that exist in the swapped-in data may serve their waiters now
      for (const db of [a, b]) for (const q of this.dbs[db]?.values() ?? []) this.markReady(q);
    });
  }

  /** Whether some key is waiting to be offered to its blocked clients. */
  get hasReady(): boolean {
    return this.ready.length !== 0;
  }

  /** Number of clients blocked on keys. */
  get blockedClients(): number {
    return this.byClient.size;
  }

  /** Number of distinct keys (per database) clients are blocked on. */
  get blockingKeys(): number {
    return this.queueCount;
  }

  /** Keys (per database) with a waiter that hears the key's deletion (XREADGROUP): INFO total_blocking_keys_on_nokey. */
  get blockingKeysOnNokey(): number {
    let n = 0;
    for (const map of this.dbs) {
      if (map === undefined) continue;
      for (const q of map.values()) {
        for (let node = q.head; node !== null; node = node.next) {
          if (node.w.req.serveMissing !== undefined) {
            n++;
            break;
          }
        }
      }
    }
    return n;
  }

  /** Blocked clients that have a timeout (INFO clients_in_timeout_table). */
  get clientsWithTimeout(): number {
    let n = 0;
    for (const w of this.byClient.values()) if (w.deadline !== 0) n++;
    return n;
  }

  /** Marks a key ready for its waiters (for changes that emit no key event). */
  signalKeyAsReady(db: number, key: string): void {
    if (this.queueCount === 0) return;
    const q = this.dbs[db]?.get(key);
    if (q !== undefined) this.markReady(q);
  }

  private markReady(q: KeyQueue): void {
    if (q.ready || q.head === null) return;
    q.ready = true;
    this.ready.push(q);
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.drainTask);
    }
  }

  /**
   * Blocks `client` until a serve succeeds, the timeout passes, CLIENT
   * UNBLOCK, or the connection closes. The promise settles when the
   * client's reply has been written.
   */
  block(client: Session, req: BlockRequest): Promise<void> {
    return new Promise<void>((resolve) => {
      const now = Date.now();
      const w: Waiter = {
        client, db: client.db, req, nodes: [], finish: resolve,
        deadline: req.timeoutMs > 0 ? now + req.timeoutMs : 0, timer: null, done: false,
      };
      let map = this.dbs[w.db];
      if (map === undefined) this.dbs[w.db] = map = new Map();
      for (const key of req.keys) {
        let q = map.get(key);
        if (q === undefined) {
          map.set(key, (q = { db: w.db, key, head: null, tail: null, ready: false }));
          this.queueCount++;
          // another thread's key: its owner is to report its changes while it has waiters (engine.ts, RemoteKeys)
          this.server.engine.remote?.interest(w.db, key, true);
        } else if (q.tail !== null && q.tail.w === w) continue; // the same key twice
        const node: Node = { w, q, prev: q.tail, next: null };
        if (q.tail === null) q.head = node;
        else q.tail.next = node;
        q.tail = node;
        w.nodes.push(node);
      }
      this.byClient.set(client, w);
      client.blocked = true;
      client.unblock = (withError) => {
        if (w.done) return false;
        this.release(w);
        if (withError) {
          this.server.countError(UNBLOCKED_ERROR);
          client.reply.error(UNBLOCKED_ERROR);
        } else w.req.onTimeout();
        w.finish();
        return true;
      };
      if (!this.hooked.has(client)) {
        this.hooked.add(client);
        client.onClose.push(() => {
          const cur = this.byClient.get(client);
          if (cur !== undefined) this.release(cur);
        });
      }
      if (w.deadline !== 0) this.arm(w);
    });
  }

  /**
   * Ends every wait with `error` and closes the clients after it (Redis's
   * disconnectAllBlockedClients, when a primary becomes a replica: what they
   * waited for is the new primary's to decide).
   */
  unblockAll(error: string): void {
    for (const w of [...this.byClient.values()]) {
      if (w.done) continue;
      this.release(w);
      this.server.countError(error);
      w.client.reply.error(error);
      w.client.closeAfterReply = true;
      w.finish();
    }
  }

  /**
   * Ends the waits for which `errorOf(client, keys)` names an error, with
   * that error (the clients stay connected): cluster mode's
   * clusterRedirectBlockedClientIfNeeded, when a slot moved away or the
   * cluster went down.
   */
  unblockWith(errorOf: (client: Session, keys: readonly string[]) => string | null): void {
    for (const w of [...this.byClient.values()]) {
      if (w.done) continue;
      const error = errorOf(w.client, w.req.keys);
      if (error === null) continue;
      this.release(w);
      this.server.countError(error);
      w.client.reply.error(error);
      w.finish();
    }
  }

  private arm(w: Waiter): void {
    const left = w.deadline - Date.now();
    w.timer = setTimeout(() => this.onTimer(w), Math.max(1, Math.min(left, MAX_TIMER_MS)));
  }

  private onTimer(w: Waiter): void {
    w.timer = null;
    if (w.done) return;
    if (Date.now() < w.deadline) return this.arm(w);
    this.release(w);
    w.req.onTimeout();
    w.finish();
  }

  /** Unlinks a waiter from all its keys and clears the client's blocked state. */
  private release(w: Waiter): void {
    if (w.done) return;
    w.done = true;
    if (w.timer !== null) clearTimeout(w.timer);
    w.timer = null;
    for (const n of w.nodes) {
      const q = n.q;
      if (n.prev === null) q.head = n.next;
      else n.prev.next = n.next;
      if (n.next === null) q.tail = n.prev;
      else n.next.prev = n.prev;
      if (q.head === null && this.dbs[q.db]?.get(q.key) === q) {
        this.dbs[q.db]!.delete(q.key);
        this.queueCount--;
        this.server.engine.remote?.interest(q.db, q.key, false);
      }
    }
    const c = w.client;
    if (this.byClient.get(c) === w) this.byClient.delete(c);
    c.blocked = false;
    c.unblock = null;
  }

  /** Offers every ready key to its waiters, oldest first (handleClientsBlockedOnKeys). */
  serveReady(): void {
    if (this.serving) return;
    this.serving = true;
    try {
      while (this.ready.length !== 0) {
        const batch = this.ready;
        this.ready = [];
        for (let i = 0; i < batch.length; i++) {
          const q = batch[i]!;
          q.ready = false;
          this.serveQueue(q);
        }
      }
    } finally {
      this.serving = false;
    }
  }

  private serveQueue(q: KeyQueue): void {
    // a waiter's command may reach keys of other threads (BLMOVE …): all of it under the lock
    this.server.engine.remote?.lockFirst();
    const ks = this.server.engine.keyspace(q.key, q.db);
    let n = q.head;
    while (n !== null) {
      // nothing left to serve from (Redis stops once the key is gone); as Redis 7.4's
      // handleClientsBlockedOnKey (LOOKUP_NOEFFECTS) an expired key is not deleted here:
      // the waiters keep waiting and a later lookup deletes (and propagates) it
      if (!ks.live(q.key)) return this.serveMissing(q.key, n);
      const next = n.next;
      const w = n.w;
      if (w.client.closed) this.release(w);
      else if (this.attempt(w, q.key)) {
        this.release(w);
        w.finish();
      }
      n = next;
    }
  }

  /** The key is gone: waiters with serveMissing (XREADGROUP) hear it, the rest keep waiting. */
  private serveMissing(key: string, from: Node | null): void {
    for (let n = from; n !== null; ) {
      const next = n.next;
      const w = n.w;
      if (w.req.serveMissing !== undefined && !w.client.closed && this.attempt(w, key, true)) {
        this.release(w);
        w.finish();
      }
      n = next;
    }
  }

  private attempt(w: Waiter, key: string, missing = false): boolean {
    const c = w.client;
    // about to run: the command's checks again (its user may have lost the key meanwhile …)
    const refusal = c.unblockGate === null ? null : c.unblockGate();
    if (refusal !== null) {
      this.server.countError(refusal);
      c.reply.error(refusal);
      c.unblockRejected = true;
      return true;
    }
    const mark = c.reply.len;
    let served: boolean;
    const serve = (): boolean => (missing ? w.req.serveMissing!(key) : w.req.serve(key));
    const tracking = this.server.tracking;
    try {
      served = tracking === null ? serve() : tracking.holding(serve);
    } catch (e) {
      c.reply.truncate(mark);
      c.propagate = null;
      if (e instanceof CommandError) return false;
      const err = e instanceof Error ? e : new Error(String(e));
      this.server.log('warning', `internal error serving a blocked client: ${err.stack ?? err.message}`);
      c.reply.error('ERR ' + err.message);
      return true;
    }
    if (c.propagate !== null) {
      const repl = this.server.replication;
      if (served && repl.active) repl.propagate(c, c.propagate);
      c.propagate = null;
    }
    return served;
  }
}

/**
 * Whether `c` may block now: not while running EXEC or a script (those set
 * c.inExec, or c.ext.denyBlocking), where blocking commands answer as if
 * they timed out (Redis's CLIENT_DENY_BLOCKING).
 */
export function blockingDenied(c: Session): boolean {
  return c.inExec || c.ext.denyBlocking === true;
}

/**
 * The common shape of a blocking command: serves now from the first of
 * `keys` that can serve (errors thrown then are the command's errors), or
 * blocks on all of them. `denied` writes the reply when blocking is not
 * allowed (default: the null array a timeout gives).
 */
export function serveOrBlock(
  c: BlockingClient,
  keys: readonly string[],
  timeoutMs: number,
  serve: (key: string) => boolean,
  denied?: () => void,
): void | Promise<void> {
  for (let i = 0; i < keys.length; i++) if (serve(keys[i]!)) return;
  if (blockingDenied(c)) {
    if (denied) denied();
    else c.reply.nullArray();
    return;
  }
  return c.server.blocking.block(c, { keys, timeoutMs, serve, onTimeout: () => c.reply.nullArray() });
}

const INT64_MAX = (1n << 63n) - 1n;

/**
 * A blocking timeout in seconds, as Redis 7.4's getTimeoutFromObjectOrReply
 * reads it: strtold, x * 1000.0 in x87 long double arithmetic, "timeout is
 * out of range" past LLONG_MAX (inf too), then (long long)ceill(x); 0 =
 * forever; a deadline that would overflow when added to the clock is out
 * of range too.
 */
export function parseTimeout(s: string): number {
  // plain integer seconds: exact without long double arithmetic
  if (s.length > 0 && s.length <= 9) {
    let n = 0;
    let i = 0;
    for (; i < s.length; i++) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (i === s.length) return n * 1000;
  }
  const x = string2ld(s);
  if (x === null) throw new CommandError(Err.TIMEOUT);
  if (x === 'inf') throw new CommandError(s[0] === '-' ? Err.TIMEOUT_NEGATIVE : Err.TIMEOUT_RANGE);
  if (x.m === 0n) return 0;
  // x * 1000 rounded to a 64-bit mantissa (nearest, ties to even)
  let m = x.m * 1000n;
  let e = x.e;
  const extra = BigInt(m.toString(2).length) - 64n;
  if (extra > 0n) {
    const q = m >> extra;
    const rem = m - (q << extra);
    const half = 1n << (extra - 1n);
    m = rem > half || (rem === half && (q & 1n) === 1n) ? q + 1n : q;
    e += extra;
  }
  // ftval > LLONG_MAX, compared exactly (the rounded product has 64 bits of mantissa)
  if (!x.neg && e >= 0n && m << e > INT64_MAX) throw new CommandError(Err.TIMEOUT_RANGE);
  // ceil toward +inf: the integer part of |x| (plus one for a positive fraction)
  let int: bigint;
  if (e >= 0n) int = m << e;
  else {
    int = m >> -e;
    if (!x.neg && int << -e !== m) int += 1n;
  }
  if (x.neg) {
    // ceil of a negative value: -floor(|x|); -0 is 0 (wait forever)
    if (int === 0n) return 0;
    throw new CommandError(Err.TIMEOUT_NEGATIVE);
  }
  return msDeadlineChecked(int);
}

/**
 * A non-negative timeout in ms as Redis adds the clock to it: "timeout is
 * out of range" when that would overflow a long long; a deadline past the
 * clock's range here waits forever (0).
 */
export function msDeadlineChecked(ms: bigint): number {
  const now = Date.now();
  if (ms > INT64_MAX - BigInt(now)) throw new CommandError(Err.TIMEOUT_RANGE);
  const n = Number(ms);
  return n > Number.MAX_SAFE_INTEGER - now ? 0 : n;
}
