/**
 * Links one thread's instance to the others: the borrower for other
 * threads' keys, and the requests this thread answers while another holds
 * it (fetches, write-backs, server-wide work: threads/server-ops.ts).
 */
import type { ServerState } from '../server/server-state.ts';
import type { ThreadRole } from '../server/instance.ts';
import { SHARED, ThreadLink, type LinkInit, type LinkRequest } from './link.ts';
import { feedLine } from '../server/monitor.ts';
import { Borrower, ownerRequests } from './borrow.ts';
import { codecFor } from './value-codec.ts';
import { remoteInvalidate, serverOp } from './server-ops.ts';
import { Jobs } from './jobs.ts';
import { SNAPSHOT_OPS, threadSnapshots } from './snapshots.ts';
import { AOF_OPS, threadAof } from './aof-threads.ts';
import { REPL_OPS, threadReplication } from './repl-threads.ts';
import { threadFeeds } from './feed-threads.ts';
import { Client } from '../server/client.ts';
import { execute } from '../server/dispatch.ts';
import type { MessagePort } from 'node:worker_threads';

/** What a thread does with each kind of one-way message (LinkRequest.op) from another thread. */
type Notices = Record<string, (m: LinkRequest) => void>;

/**
 * Changes of keys other threads care about (clients blocked on them or
 * WATCHing them, Borrower.interest): the owner keeps which threads asked, and
 * on every change of such a key sends each of them but the one whose command
 * made it a 'changed' notice, which that thread hears as a key event of its
 * guest shard (blocked clients retry, watchers turn dirty). Notices travel on
 * the link's ports, so a thread that holds the owner has them all
 * (ThreadLink.catchUp). Returns the owner's handler of 'interest' requests and the notices it handles.
 */
function keyInterest(state: ServerState<Client>, link: ThreadLink): { serve: (req: LinkRequest) => unknown; notices: Notices } {
  const engine = state.engine;
  /** Owner side: "db:key" → threads that asked. */
  const interest = new Map<string, Set<number>>();
  const notices: Notices = {
    // 'changed' when the key exists after the change, 'gone' when it does not (WATCH of a key already expired)
    changed: (m) => engine.guest!.emit(m.db as number, m.key as string, m.exists === false ? 'gone' : 'changed'),
    swapped: (m) => {
      state.watchSwapped?.(m.db as number, m.key as string, m.existed as boolean, m.exists as boolean, m.stale as boolean);
      engine.guest!.emit(m.db as number, m.key as string, 'swapdb');
    },
  };
  for (const sh of engine.shards) {
    sh.onKeyEvent((db, key) => {
      if (interest.size === 0) return;
      const threads = interest.get(db + ':' + key);
      if (threads === undefined) return;
      const exists = sh.dbs[db]!.data.has(key);
      for (const t of threads) if (t !== engine.replayFrom) link.notice(t, { op: 'changed', db, key, exists });
    }, () => interest.size !== 0);
  }
  // SWAPDB moves whole databases without key events: the threads that care hear what it did to each key
  state.swapDbHooks.push((a, b) => {
    for (const [id, threads] of interest) {
      const colon = id.indexOf(':');
      const db = Number(id.slice(0, colon));
      if (db !== a && db !== b) continue;
      const key = id.slice(colon + 1);
      const now = engine.localKeyspace(key, db)!;
      const existed = engine.localKeyspace(key, db === a ? b : a)!.data.has(key);
      const m = { op: 'swapped', db, key, existed, exists: now.data.has(key), stale: now.isExpired(key) };
      for (const t of threads) link.notice(t, m);
    }
  });
  const serve = (req: LinkRequest): unknown => {
    const id = (req.db as number) + ':' + (req.key as string);
    let threads = interest.get(id);
    if (req.on === true) {
      if (threads === undefined) interest.set(id, (threads = new Set()));
      threads.add(req.thread as number);
    } else if (threads !== undefined) {
      threads.delete(req.thread as number);
      if (threads.size === 0) interest.delete(id);
    }
    return undefined;
  };
  return { serve, notices };
}

/**
 * Server-wide settings: a command that changed them on one thread (CONFIG
 * SET, ACL SETUSER, FUNCTION LOAD …, thread-gate.ts) and every script cached
 * on one thread are run on every other thread too, under the lock, before
 * the command's reply leaves; a thread running such a replay does not pass
 * it on.
 */
function replayEverywhere(state: ServerState<Client>): void {
  let replaying = false;
  const elsewhere = (args: string[]): void => {
    // not while this thread loads an AOF on its own: every thread runs the file's commands itself
    if (!replaying && state.engine.remote?.routes === true) state.others!({ op: 'replay', args });
  };
  state.replayElsewhere = elsewhere;
  state.onScriptAdded = (body) => elsewhere(['SCRIPT', 'LOAD', body]);
  let internal: Client | null = null;
  state.replayHere = (args) => {
    if (internal === null) {
      internal = new Client(state, null);
      // not counted, logged or monitored again (dispatch.ts finish, monitor.ts)
      internal.ext.replay = true;
    }
    replaying = true;
    state.replayingSetting = true;
    try {
      void execute(internal, args);
    } finally {
      replaying = false;
      state.replayingSetting = false;
      internal.reply.len = 0;
    }
  };
}

/**
 * MONITOR sees every thread's commands: shared words count the monitors of
 * all threads and of each. While another thread has one, each command's
 * line is handed to that thread before the command's reply leaves (asked,
 * so lines of different threads keep the order the commands ran in; from
 * inside a hold, where it cannot ask, it is sent as a notice).
 */
function monitorsEverywhere(state: ServerState<Client>, link: ThreadLink, ask: (t: number, req: LinkRequest) => unknown): void {
  const words = link.words;
  state.monitorsElsewhere = {
    active: () => words.load(SHARED.MONITORS) > state.monitors.size,
    send(line: string): void {
      if (words.load(SHARED.MONITORS) === state.monitors.size || link.closing) return;
      for (let t = 0; t < link.count; t++) {
        if (t === link.index || words.load(words.of(SHARED.THREAD_MONITORS, t)) === 0) continue;
        if (link.beingHeld) link.notice(t, { op: 'monitor', line });
        else ask(t, { op: 'monitor', line });
      }
    },
    count(delta: number): void {
      words.add(SHARED.MONITORS, delta);
      words.add(words.of(SHARED.THREAD_MONITORS, link.index), delta);
    },
  };
}

/**
 * Client-side caching across threads: shared words count the threads whose
 * tracking needs key changes (in all, and per thread). While another
 * thread's does, this thread collects every change its commands make — to
 * its own keys and to keys borrowed from other threads — and hands the keys
 * to those threads, in one batch, before a reply leaves
 * (ServerState.beforeReply, job replies) or at the end of the turn: asked,
 * so the invalidation is there before the writer's reply, as Redis sends it;
 * from inside a hold, as a notice. An owner applying another thread's
 * write-backs hands on nothing: the writer did. Flushes are handled by each
 * thread as it flushes (server-ops.ts).
 */
function trackingEverywhere(state: ServerState<Client>, link: ThreadLink, ask: (t: number, req: LinkRequest) => unknown): {
  notices: Notices;
  flush: () => void;
  handOver: (to: number) => { keys: string[]; writers: number[] } | null;
  borrowed: (key: string, event: string) => void;
} {
  const words = link.words;
  let mine = false;
  let off: (() => void) | null = null;
  let pending: string[] = [];
  /** Who made each pending change (0: nobody's command, an expiry; -1: an eviction). */
  let writers: number[] = [];
  let scheduled = false;
  const take = (): { keys: string[]; writers: number[] } => {
    const m = { keys: pending, writers };
    pending = [];
    writers = [];
    return m;
  };
  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0 || link.closing) return;
    const m = take();
    for (let t = 0; t < link.count; t++) {
      if (t === link.index || words.load(words.of(SHARED.THREAD_TRACKERS, t)) === 0) continue;
      if (link.beingHeld) link.notice(t, { op: 'invalidate', ...m });
      else ask(t, { op: 'invalidate', ...m });
    }
  };
  /**
   * Held by thread `to` (evicting for it): the other threads get the changes
   * now as notices, and `to` gets them back with the answer, so its own
   * tracking clients hear of them before the reply of the command that
   * needed the memory, as in Redis.
   */
  const handOver = (to: number): { keys: string[]; writers: number[] } | null => {
    if (pending.length === 0 || link.closing) return null;
    const m = take();
    for (let t = 0; t < link.count; t++) {
      if (t === link.index || t === to || words.load(words.of(SHARED.THREAD_TRACKERS, t)) === 0) continue;
      link.notice(t, { op: 'invalidate', ...m });
    }
    return words.load(words.of(SHARED.THREAD_TRACKERS, to)) === 0 ? null : m;
  };
  const add = (key: string, event: string): void => {
    pending.push(key);
    // -1: an eviction (its invalidation goes ahead of the reply of the command being run), 0: an expiry
    writers.push(event === 'evicted' ? -1 : event === 'expired' ? 0 : state.engine.writerId);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const update = (): void => {
    const others = words.load(SHARED.TRACKERS) - (mine ? 1 : 0);
    if (others > 0 && off === null) {
      off = state.changes.subscribe((_sh, _seq, _db, key, event) => {
        // another thread's write-back: that thread handed the change on with the rest of its command's
        if (event === 'flushdb' || link.closing || state.engine.replaying) return;
        add(key, event);
      });
    } else if (others === 0 && off !== null) {
      off();
      off = null;
    }
  };
  state.trackingElsewhere = {
    wired(on: boolean): void {
      mine = on;
      words.add(SHARED.TRACKERS, on ? 1 : -1);
      words.add(words.of(SHARED.THREAD_TRACKERS, link.index), on ? 1 : -1);
      for (let t = 0; t < link.count; t++) if (t !== link.index) link.notice(t, { op: 'trackers' });
    },
  };
  return {
    notices: {
      trackers: update,
      invalidate: (m) => remoteInvalidate(state, m.keys as string[], m.writers as number[]),
    },
    flush,
    handOver,
    borrowed: (key, event) => {
      // the shared count, not this thread's subscription: a client that just turned tracking on elsewhere counts already
      if (!link.closing && words.load(SHARED.TRACKERS) - (mine ? 1 : 0) > 0) add(key, event);
    },
  };
}

/** What each thread starts from: its link's ports and buffer, and its ends of the job channels. */
export interface ThreadInit extends LinkInit {
  jobPorts: (MessagePort | null)[];
  /** The rings jobs and replies travel in (JobRings.buffer). */
  jobRings: SharedArrayBuffer;
  /** Thread 0's run id (INFO run_id, master_replid), which the other threads take. */
  runId?: string;
  /** The ACL users' rate limit buckets every thread shares (security/rate-bucket.ts's SharedBuckets.buffer). */
  rateBuckets: SharedArrayBuffer;
}

/** The role of thread `init.index` of a multi-threaded server. */
export function threadRole(init: ThreadInit): ThreadRole & { close(): void; startClosing(): void } {
  const link = new ThreadLink(init);
  let jobs: Jobs | null = null;
  return {
    index: init.index,
    count: init.count,
    startClosing(): void {
      link.startClosing();
    },
    close(): void {
      link.close();
      jobs?.close();
    },
    attach(state: ServerState<Client>): void {
      if (init.runId !== undefined) state.runId = init.runId;
      // a user's rate limit holds over every thread: its buckets are shared
      state.rateLimits.share(init.rateBuckets, init.count);
      // key feed positions name every thread's shards under one epoch
      state.changes.epoch = state.runId.slice(0, 16);
      // client ids increase over the whole server (a shared sequence), and the low part names the thread
      state.newClientId = () => link.words.add(SHARED.CLIENT_SEQ, 1) * init.count + init.index + 1;
      state.lastClientId = () => link.words.load(SHARED.CLIENT_SEQ) * init.count;
      jobs = new Jobs(state, init.jobRings, init.index, init.jobPorts, (t, id, withError) => borrower.ask(t, { op: 'unblock-job', id, withError }) as boolean);
      const queue = jobs;
      queue.cancelOn = (t, id) => (link.beingHeld || link.closing ? false : borrower.ask(t, { op: 'cancel-job', id }) === true);
      state.forward = (c, t, args, blocking) => queue.submit(c, t, args, blocking);
      state.jobCounts = () => ({ sent: queue.sent, ran: queue.ran, inFlight: queue.inFlight });
      state.beforeRequests = () => queue.drain();
      state.unblockElsewhere = (id, withError) => {
        for (let t = 0; t < init.count; t++) {
          if (t === init.index) continue;
          const r = borrower.ask(t, { op: 'client-unblock', id, withError }) as boolean | { t: number; id: number };
          if (r === true) return true;
          if (r === false) continue;
          // the job waits here, or on a third thread
          if (r.t === init.index) return queue.unblockHere(t, r.id, withError);
          return borrower.ask(r.t, { op: 'unblock-job', origin: t, id: r.id, withError }) as boolean;
        }
        return false;
      };
      const codec = codecFor(state);
      state.link = link;
      const borrower = new Borrower(state.engine, link, codec);
      state.engine.remote = borrower;

      const others = (req: LinkRequest): unknown[] => {
        const out: unknown[] = [];
        for (let t = 0; t < init.count; t++) if (t !== init.index) out.push(borrower.ask(t, req));
        return out;
      };
      state.others = others;
      // a message reaches the subscribers of every thread before PUBLISH returns their count
      state.pubsub.others = (kind, channel, message) => {
        // published while held (a key expiring as another thread fetches it): delivered elsewhere once released
        if (link.closing) return 0;
        if (link.beingHeld) {
          setImmediate(() => state.pubsub.others!(kind, channel, message));
          return 0;
        }
        let n = 0;
        for (const m of others({ op: 'publish', kind, channel, message }) as number[]) n += m;
        return n;
      };
      // a script past busy-reply-threshold on another thread (its own thread's runner refuses for itself)
      state.gates.push((_c, cmd) => (cmd.spec.flags.includes('allow_busy') ? null : link.busy.refusal()));
      replayEverywhere(state);
      monitorsEverywhere(state, link, (t, req) => borrower.ask(t, req));
      // CLIENT TRACKING REDIRECT to a client of another thread (its id tells its thread)
      const threadOfClient = (id: number): number => (id - 1) % init.count;
      state.clientsElsewhere = {
        exists: (id) => id > 0 && threadOfClient(id) !== init.index && borrower.ask(threadOfClient(id), { op: 'client-exists', id }) === true,
        redirect(id, value) {
          const t = threadOfClient(id);
          if (id <= 0 || t === init.index || link.closing) return false;
          // asked, and so known to be there or gone; from inside a hold, later (null)
          if (link.beingHeld) return null;
          return borrower.ask(t, { op: 'track-redirect', id, value }) === true;
        },
      };
      // maxmemory: one limit for every thread's memory (KiB in the shared words)
      state.memory.threads = {
        publish: (bytes) => link.words.store(link.words.of(SHARED.MEMORY, link.index), Math.min(Math.ceil(bytes / 1024), 0x7fffffff)),
        others: (fresh) => {
          // INFO asks each thread (it holds them anyway); eviction reads what they last published
          if (fresh && !link.beingHeld && !link.closing) return (others({ op: 'memory' }) as number[]).reduce((a, b) => a + b, 0);
          let kib = 0;
          for (let t = 0; t < link.count; t++) if (t !== link.index) kib += link.words.load(link.words.of(SHARED.MEMORY, t));
          return kib * 1024;
        },
        wroteBack: () => borrower.takeWroteBack(),
        evicted: (r) => {
          const x = r as { keys: string[]; writers: number[] } | null;
          if (x !== null) remoteInvalidate(state, x.keys, x.writers);
        },
        parts: () => {
          if (link.beingHeld || link.closing) return [0, 0];
          const sum: [number, number] = [0, 0];
          for (const [d, c] of others({ op: 'memory-parts' }) as Array<[number, number]>) {
            sum[0] += d;
            sum[1] += c;
          }
          return sum;
        },
      };
      // access tracking, once something asks for idle times on any thread, starts on every thread
      state.memory.lruPolicy.onStart = () => {
        for (let t = 0; t < link.count; t++) if (t !== link.index && !link.closing) link.notice(t, { op: 'lru-tracking' });
      };
      // SLOWLOG GET merges every thread's entries by id (threads/server-ops.ts)
      state.slowlog.ids = () => link.words.add(SHARED.SLOWLOG_IDS, 1);
      // ACL LOG's entry ids are the server's, whichever thread logged the denial
      state.acl.log.nextId = () => link.words.add(SHARED.ACL_LOG_IDS, 1);
      const snapshots = threadSnapshots(state, link);
      state.threadSaves = snapshots.saves;
      const aofs = threadAof(state, link);
      state.aofThreads = aofs.aof;
      const repl = threadReplication(state, link);
      state.replication.threads = repl.threads;
      // the AOF's and the replication stream's order: a thread's writes are written and numbered before
      // another thread can see their effects
      const feeds = threadFeeds(state, link);
      link.beforeOthersSee = () => {
        state.flushAppendOnly?.();
        repl.flush();
        feeds.flush();
      };
      queue.beforeAnswers = () => {
        state.flushAppendOnly?.();
        state.beforeReply?.();
      };
      // under maxmemory the others see what a command took before its client can send the next one
      const publishMemory = (): void => {
        if (state.maxmemory !== 0) state.memory.used();
      };
      const tracking = trackingEverywhere(state, link, (t, req) => borrower.ask(t, req));
      // changes to borrowed keys: this thread's clients hear of them as of its own keys (in place among its
      // replies), and the other threads with its command's other changes
      borrower.onChange = (_db, key, event) => {
        state.tracking?.borrowedChange(key, event);
        tracking.borrowed(key, event);
      };
      // invalidations for other threads' clients, and this thread's part of the replication stream, go before a reply leaves
      state.beforeReply = () => {
        tracking.flush();
        repl.flush();
        feeds.flush();
        publishMemory();
      };
      const interest = keyInterest(state, link);
      // one-way messages from other threads, by op
      const notices: Notices = {
        ...interest.notices,
        ...tracking.notices,
        ...repl.notices,
        ...feeds.notices,
        'part-done': snapshots.onDone,
        'aof-part-done': aofs.onDone,
        monitor: (m) => feedLine(state.monitors, m.line as string),
        'lru-tracking': () => {
          state.memory.lruPolicy.tracking = true;
        },
      };
      link.onNotices((m) => (notices[m.op] ?? state.noticeHandlers.get(m.op))?.(m));
      link.onRequest(ownerRequests(state.engine, codec, (req, from) => {
        if (req.op === 'interest') return interest.serve(req);
        if (req.op === 'evict') {
          state.memory.evictFor(req.bytes as number);
          return tracking.handOver(from);
        }
        if (SNAPSHOT_OPS.has(req.op)) return snapshots.serve(req, from);
        if (AOF_OPS.has(req.op)) return aofs.serve(req, from);
        if (REPL_OPS.has(req.op)) return repl.serve(req, from);
        if (req.op === 'cancel-job') return queue.cancelHere(from, req.id as number);
        if (req.op === 'unblock-job') return queue.unblockHere((req.origin as number | undefined) ?? from, req.id as number, req.withError as boolean);
        if (req.op === 'client-unblock') {
          // a connection of this thread: unblocked here, or where its blocking job waits (the asker goes there)
          const x = state.clients.get(req.id as number);
          if (x === undefined || !x.blocked) return false;
          return queue.waitingElsewhere(x) ?? x.unblock!(req.withError as boolean);
        }
        return serverOp(state, req);
        // keys written back change this thread's memory: the others see it before their next command's maxmemory check
      }, () => state.memory.used()));
    },
  };
}
