/**
 * Replication with threads (docs/threads.md, "Replication"): one stream for
 * the whole server, in one offset space, whichever thread serves a replica.
 *
 * Thread 0 makes the stream (the producer). Each thread buffers the commands
 * it propagates and hands the buffer, numbered from one shared sequence
 * (SHARED.REPL_SEQ), to thread 0, at the points where the AOF writes its
 * buffer — before another thread can see the changes (link.beforeOthersSee,
 * Jobs.beforeAnswers) — and before a reply leaves, so a client that saw a
 * write acknowledged and then wrote elsewhere finds the two in that order on
 * the replica. Thread 0 streams the pieces in number order, adding SELECT
 * where the database changes; on a replica it streams its primary's bytes as
 * they came instead (the link and the master client live on thread 0). It
 * alone keeps master_repl_offset and the backlog, and passes every byte on,
 * with its offset, to each other thread that serves replicas (a hub), which
 * writes it to its replicas.
 *
 * A full sync on thread t holds every other thread, thread 0 last: each hands
 * on its buffer as it is held, thread 0 streams every piece numbered before
 * the cut, and the RDB is cut there and then at thread 0's offset. A partial
 * resync asks thread 0 for its backlog's bytes from the replica's offset; the
 * replica then gets thread 0's bytes from the offset where that copy ended.
 */
import { WritableReplicaKeys } from '../replication/replica-keys.ts';
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import type { Session } from '../server/session.ts';
import type { ReplicaView, ReplicationThreads } from '../replication/primary.ts';
import type { ReplicaLink } from '../replication/replica.ts';
import { DEFAULT_SAVE_OPTIONS, withFileVersion, writeRdb } from '../persistence/rdb-writer.ts';
import { encodeCommand } from '../persistence/aof-writer.ts';
import { loadSyncRdb } from '../replication/load-sync.ts';
import { becomePrimary, followPrimary, UNBLOCKED_TO_REPLICA } from '../replication/role.ts';
import { lookupParam, setParam } from '../config/config.ts';
import { REPL_ACK_WORDS, SHARED, type LinkRequest, type ThreadLink } from './link.ts';

/** Commands of one database, RESP-encoded, in the order they ran. */
type Run = [number, string];

/** The requests a held thread answers here. */
export const REPL_OPS = new Set(['repl-cut', 'repl-role', 'repl-attach', 'repl-follow', 'repl-view', 'repl-load', 'repl-link']);

/** The pieces thread 0 takes in at a cut, before it tells the offset. */
const CHUNKS: ReadonlySet<string> = new Set(['repl-chunk']);

/** Code waiting until thread 0's stream holds the piece numbered `target`. */
interface SeqWaiter {
  target: number;
  go: () => void;
}

/** Thread 0's answer to an attach: where the new replica starts in the stream. */
interface AttachPoint {
  ok: boolean;
  replid: string;
  offset: number;
  epoch: number;
  streamDb: number;
  data?: Uint8Array;
}

/** Whether sequence number a comes before b (the shared sequence wraps). */
const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;

/**
 * What a thread other than 0 sees of the link to this server's primary,
 * which runs on thread 0: whether it is up (a shared word), and ROLE's and
 * INFO's view of it (asked).
 */
class LinkOnThreadZero implements ReplicaView {
  readonly host: string;
  readonly port: number;
  private readonly link: ThreadLink;
  private readonly ask: (req: LinkRequest) => unknown;
  /** Keys this thread's clients gave a TTL on a writable replica: its own to expire (replica-keys.ts). */
  private readonly ownKeys: WritableReplicaKeys;

  constructor(host: string, port: number, link: ThreadLink, ask: (req: LinkRequest) => unknown, ownKeys: WritableReplicaKeys) {
    this.host = host;
    this.port = port;
    this.link = link;
    this.ask = ask;
    this.ownKeys = ownKeys;
  }

  clientWrote(db: number, args: readonly string[]): void {
    this.ownKeys.clientWrote(db, args);
  }

  up(): boolean {
    return this.link.words.load(SHARED.REPL_UP) !== 0;
  }

  stop(): void {
    this.ownKeys.clear();
  }

  streamDb(): number {
    return 0;
  }

  private canAsk(): boolean {
    return !this.link.beingHeld && !this.link.closing;
  }

  role(): [string, string, number, string, number] {
    const r = this.canAsk() ? (this.ask({ op: 'repl-link', what: 'role' }) as [string, string, number, string, number] | null) : null;
    return r ?? ['slave', this.host, this.port, this.up() ? 'connected' : 'connect', -1];
  }

  infoFields(): Array<[name: string, value: string | number]> {
    // INFO merges the asking thread's fields: a held thread's are not shown
    return this.canAsk() ? ((this.ask({ op: 'repl-link', what: 'info' }) as Array<[string, string | number]> | null) ?? []) : [];
  }
}

export function threadReplication(state: ServerState<Client>, link: ThreadLink): {
  threads: ReplicationThreads;
  flush: () => void;
  serve: (req: LinkRequest, from: number) => unknown;
  notices: Record<string, (m: LinkRequest) => void>;
} {
  const words = link.words;
  const feed = state.replication;
  const me = link.index;
  const producer = me === 0;
  const hubWord = (t: number): number => words.of(SHARED.REPL_HUB, t);
  const ask = (t: number, req: LinkRequest): unknown => state.engine.remote!.ask(t, req);

  let pending: Run[] = [];
  let scheduled = false;
  const flushTask = (): void => {
    scheduled = false;
    flush();
  };

  /** Hands this thread's buffer on to thread 0, numbered. */
  const flush = (): void => {
    if (pending.length === 0) return;
    const runs = pending;
    pending = [];
    const seq = words.add(SHARED.REPL_SEQ, 1);
    if (producer) receive(seq, runs);
    else if (!link.closing) link.notice(0, { op: 'repl-chunk', seq, runs });
  };

  // thread 0: pieces arrive from every thread and go into the stream in number order
  let expected = 0;
  const waiting = new Map<number, Run[]>();
  let seqWaiters: SeqWaiter[] = [];
  /** Thread 0: bumped whenever the history changes (every replica syncs again): bytes of an older one are not relayed. */
  let epoch = 1;

  const receive = (seq: number, runs: Run[]): void => {
    if (words.load(SHARED.REPL_HUBS) === 0 || before(seq, expected)) return;
    waiting.set(seq, runs);
    for (let r = waiting.get(expected); r !== undefined; r = waiting.get(expected)) {
      waiting.delete(expected);
      feed.emit(r);
      expected = (expected + 1) | 0;
    }
    if (seqWaiters.length === 0) return;
    const ready = seqWaiters.filter((w) => !before(expected, w.target));
    if (ready.length === 0) return;
    seqWaiters = seqWaiters.filter((w) => before(expected, w.target));
    for (const w of ready) w.go();
  };

  /** Thread 0: runs `go` once the stream holds every piece numbered before `target`. */
  const atTarget = (target: number, go: () => void): void => {
    if (words.load(SHARED.REPL_HUBS) === 0 || !before(expected, target)) go();
    else seqWaiters.push({ target, go });
  };

  /** Thread 0, every other thread held: the stream runs from the next number on. */
  const streamFromHere = (): void => {
    waiting.clear();
    expected = words.load(SHARED.REPL_SEQ);
    words.store(SHARED.REPL_HUBS, 1);
  };

  /** Thread 0 at a full sync's cut (every other thread held): the point the new replica of thread `hub` starts from. */
  const cutHere = (hub: number): AttachPoint => {
    // the pieces the held threads handed on (and any met before) go into the stream first
    link.takeNotices(CHUNKS, (m) => receive(m.seq as number, m.runs as Run[]));
    if (words.load(SHARED.REPL_HUBS) === 0) streamFromHere();
    else if (feed.upstream === null && expected !== words.load(SHARED.REPL_SEQ)) {
      state.log('warning', `replication with threads: cut at piece ${expected}, numbered up to ${words.load(SHARED.REPL_SEQ)}`);
    }
    feed.ensureBacklog();
    let streamDb = 0;
    // a replica passes its primary's stream on as it came, in the database it is in; a primary selects anew
    if (feed.upstream !== null) streamDb = feed.upstream.streamDb();
    else feed.streamDb = -1;
    words.store(hubWord(hub), 1);
    feed.startPings();
    return { ok: true, replid: feed.replid, offset: feed.offset, epoch, streamDb };
  };

  /** Thread 0: PSYNC <replid> <from> from thread `hub`, served from the backlog if it can. */
  const partialHere = (hub: number, replid: string, from: string): AttachPoint => {
    const data = feed.backlogSince(replid, from);
    if (data === null) return { ok: false, replid: feed.replid, offset: feed.offset, epoch, streamDb: 0 };
    words.store(hubWord(hub), 1);
    feed.startPings();
    return { ok: true, replid: feed.replid, offset: feed.offset, epoch, streamDb: 0, data: new Uint8Array(data) };
  };

  // a hub other than 0: thread 0's bytes, in offset order (notices met while waiting may come late)
  let hubEpoch = 0;
  let hubPos = 0;
  const early = new Map<number, [number, Uint8Array]>();
  const relay = (m: LinkRequest): void => {
    const ep = m.epoch as number;
    if (ep !== hubEpoch || feed.replicas.size === 0) return;
    const start = m.start as number;
    const data = m.data as Uint8Array;
    if (start > hubPos) {
      early.set(start, [ep, data]);
      return;
    }
    if (start < hubPos) return;
    feed.relay(ep, start, data);
    hubPos = start + data.length;
    for (let e = early.get(hubPos); e !== undefined; e = early.get(hubPos)) {
      early.delete(hubPos);
      feed.relay(e[0], hubPos, e[1]);
      hubPos += e[1].length;
    }
  };
  /** A replica of this hub starts at `p` (its backlog copy, or its RDB, ends there). */
  const joinAt = (p: AttachPoint): void => {
    if (producer) return;
    if (p.epoch !== hubEpoch || feed.replicas.size === 0) {
      hubEpoch = p.epoch;
      hubPos = p.offset;
      early.clear();
    }
  };

  /** SYNC / PSYNC on this thread. */
  const attach = (c: Session, psync: boolean, replid: string, from: string): void => {
    const sock = c.socket!;
    // keys borrowed earlier in this turn go back first, and this thread's pieces to thread 0
    state.engine.remote?.flushBack();
    flush();
    if (psync && replid !== '?') {
      const p = producer ? partialHere(me, replid, from) : (ask(0, { op: 'repl-attach', partial: true, replid, from }) as AttachPoint);
      if (p.ok) {
        feed.syncStats.partialOk++;
        joinAt(p);
        c.reply.flush(sock);
        sock.write(c.ext.psync2 === true ? `+CONTINUE ${p.replid}\r\n` : '+CONTINUE\r\n');
        sock.write(p.data!);
        feed.addReplica(c, true, p.offset, p.epoch);
        return;
      }
      feed.syncStats.partialErr++;
    }
    feed.syncStats.full++;
    // every thread but 0 is held and hands on its buffer; thread 0, held last, streams it all and tells the offset
    for (let t = 1; t < link.count; t++) if (t !== me) ask(t, { op: 'repl-cut' });
    const p = producer ? cutHere(me) : (ask(0, { op: 'repl-attach', partial: false }) as AttachPoint);
    joinAt(p);
    // one RDB version for the payload, every thread's part included
    const opts = withFileVersion(state.engine, DEFAULT_SAVE_OPTIONS);
    const rdb = writeRdb(state.engine, { ...opts, repl: { streamDb: p.streamDb, replid: p.replid, offset: p.offset }, parts: () => state.threadSaves!.now(opts) });
    c.reply.flush(sock);
    if (psync) sock.write(`+FULLRESYNC ${p.replid} ${p.offset}\r\n`);
    sock.write(`$${rdb.length}\r\n`);
    sock.write(rdb);
    feed.addReplica(c, psync, p.offset, p.epoch);
  };

  /** WAIT on this hub: how many of its replicas acknowledged `offset` (WAITAOF, `aof`: fsynced it), now and after each acknowledgement. */
  const hubWatch = (offset: number, report: (n: number) => void, aof: boolean): (() => void) => {
    const stop = feed.watchAcks(offset, report, aof);
    report(feed.ackedAt(offset, aof));
    return stop;
  };

  // WAITs of this thread's clients: each hub's reports, and the offset thread 0 tells
  let nextWait = 0;
  const waits = new Map<number, (t: number, n: number) => void>();
  const offsetWaits = new Map<number, (offset: number) => void>();
  // WAITs of other threads' clients on this hub, by origin thread and id
  const watching = new Map<string, () => void>();

  const hubs = (): number[] => {
    const out: number[] = [];
    for (let t = 0; t < link.count; t++) if (words.load(hubWord(t)) !== 0) out.push(t);
    return out;
  };

  /** Every other thread, then thread 0, held, follows host:port (null: NO ONE). */
  let applying = false;
  const setView = (host: string | null, port: number): void => {
    state.replicaOf?.stop();
    if (host !== null) state.blocking.unblockAll(UNBLOCKED_TO_REPLICA);
    const view = host === null ? null : new LinkOnThreadZero(host, port, link, (req) => ask(0, req), new WritableReplicaKeys(state.engine, state.registry));
    state.replicaOf = view;
    feed.upstream = view;
    feed.disconnectReplicas();
    state.holdExpiry();
    setParam(state.config, lookupParam('replicaof')!, host === null ? 'no one' : `${host} ${port}`, false);
  };
  const applyHere = (host: string | null, port: number): void => {
    applying = true;
    try {
      if (host === null) becomePrimary(state);
      else followPrimary(state, host, port);
    } finally {
      applying = false;
    }
    words.store(SHARED.REPL_UP, 0);
    if (host === null) {
      // its history goes on as a primary's: the other threads' writes stream from here (every one is held)
      if (feed.backlog !== null) streamFromHere();
      return;
    }
    const l = state.replicaOf as ReplicaLink;
    l.onState = (s) => words.store(SHARED.REPL_UP, s === 'connected' ? 1 : 0);
  };

  const threads: ReplicationThreads = {
    producing: producer,
    streaming: () => words.load(SHARED.REPL_HUBS) !== 0,
    buffer(db: number, cmd: string): void {
      const last = pending[pending.length - 1];
      if (last !== undefined && last[0] === db) last[1] += cmd;
      else pending.push([db, cmd]);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushTask);
      }
    },
    attach,
    detach(): void {
      words.store(hubWord(me), 0);
    },
    streamed(buf: Buffer, end: number): void {
      if (!producer || link.closing) return;
      let data: Uint8Array | null = null;
      for (let t = 1; t < link.count; t++) {
        if (words.load(hubWord(t)) === 0) continue;
        data ??= new Uint8Array(buf);
        link.notice(t, { op: 'repl-bytes', epoch, start: end - buf.length, data });
      }
    },
    replicasAnywhere: () => hubs().length !== 0,
    getAck(): void {
      if (producer) feed.feedRaw(Buffer.from(encodeCommand(['REPLCONF', 'GETACK', '*']), 'latin1'));
      else if (!link.closing) link.notice(0, { op: 'repl-getack' });
    },
    publishAcks(secs: number[]): void {
      // the latest ones when a thread has more replicas than words
      if (secs.length > REPL_ACK_WORDS) secs = secs.sort((a, b) => b - a).slice(0, REPL_ACK_WORDS);
      for (let k = 0; k < REPL_ACK_WORDS; k++) words.store(words.of(SHARED.REPL_ACKS + k, me), secs[k] ?? 0);
    },
    goodReplicas(maxLag: number): number {
      const now = Math.floor(Date.now() / 1000);
      let n = 0;
      for (let t = 0; t < link.count; t++) {
        for (let k = 0; k < REPL_ACK_WORDS; k++) {
          const s = words.load(words.of(SHARED.REPL_ACKS + k, t));
          if (s !== 0 && now - s <= maxLag) n++;
        }
      }
      return n;
    },
    dropped(): void {
      if (!producer || link.closing) return;
      epoch++;
      for (let t = 1; t < link.count; t++) link.notice(t, { op: 'repl-drop', epoch });
    },
    follow(host: string | null, port: number): boolean {
      if (applying) return false;
      for (let t = 1; t < link.count; t++) if (t !== me) ask(t, { op: 'repl-view', host, port });
      if (producer) applyHere(host, port);
      else {
        setView(host, port);
        ask(0, { op: 'repl-follow', host, port });
      }
      return true;
    },
    loadEverywhere(rdb: Buffer): void {
      state.others!({ op: 'repl-load', rdb: new Uint8Array(rdb) });
    },
    waitForAcks(numreplicas: number, timeoutMs: number, aof = false): Promise<number> {
      flush();
      const target = words.load(SHARED.REPL_SEQ);
      // no replica anywhere: it waits out its timeout, as Redis's does
      if (words.load(SHARED.REPL_HUBS) === 0 || hubs().length === 0) return feed.waitHere(numreplicas, timeoutMs, aof);
      return new Promise((resolve) => {
        const id = nextWait++;
        const counts = new Map<number, number>();
        let watched: number[] = [];
        let stopHere: (() => void) | null = null;
        let timer: NodeJS.Timeout | null = null;
        let done = false;
        const sum = (): number => [...counts.values()].reduce((a, b) => a + b, 0);
        const finish = (): void => {
          if (done) return;
          done = true;
          waits.delete(id);
          offsetWaits.delete(id);
          if (timer !== null) clearTimeout(timer);
          stopHere?.();
          for (const t of watched) if (t !== me && !link.closing) link.notice(t, { op: 'repl-unwatch', from: me, id });
          resolve(sum());
        };
        const seen = (t: number, n: number): void => {
          counts.set(t, n);
          if (sum() >= numreplicas) finish();
        };
        waits.set(id, seen);
        if (timeoutMs > 0) timer = setTimeout(finish, timeoutMs);
        // the offset of this client's writes, once thread 0 streamed them; then every hub counts its replicas
        const watch = (offset: number): void => {
          if (done) return;
          watched = hubs();
          if (watched.length === 0 && numreplicas <= 0) return finish();
          for (const t of watched) {
            if (t === me) stopHere = hubWatch(offset, (n) => seen(me, n), aof);
            else link.notice(t, { op: 'repl-watch', from: me, id, offset, aof });
          }
        };
        if (producer) atTarget(target, () => watch(feed.offset));
        else {
          offsetWaits.set(id, watch);
          link.notice(0, { op: 'repl-offset', from: me, id, target });
        }
      });
    },
    role() {
      const theirs = state.others!({ op: 'repl-role' }) as Array<{ offset: number; entries: Array<[string, string, string]> }>;
      // thread 0's offset is the stream's (others[0] is thread 0's answer when this is not thread 0)
      const offset = producer ? feed.offset : theirs[0]!.offset;
      const entries = feed.roleEntries();
      for (const r of theirs) entries.push(...r.entries);
      return { offset, entries };
    },
  };

  const serve = (req: LinkRequest, from: number): unknown => {
    switch (req.op) {
      // being held made this thread hand its buffer on (link.beforeOthersSee): that is the cut
      case 'repl-cut':
        return undefined;
      case 'repl-role':
        return { offset: feed.offset, entries: feed.roleEntries() };
      case 'repl-attach':
        return req.partial === true ? partialHere(from, req.replid as string, req.from as string) : cutHere(from);
      case 'repl-follow':
        applyHere(req.host as string | null, req.port as number);
        return undefined;
      case 'repl-view':
        setView(req.host as string | null, req.port as number);
        return undefined;
      case 'repl-load': {
        const rdb = req.rdb as Uint8Array;
        loadSyncRdb(state, Buffer.from(rdb.buffer, rdb.byteOffset, rdb.byteLength));
        return undefined;
      }
      case 'repl-link': {
        const l = state.replicaOf;
        if (l === null) return null;
        return req.what === 'role' ? l.role() : l.infoFields();
      }
      default:
        throw new Error(`unknown replication request ${req.op}`);
    }
  };

  const notices: Record<string, (m: LinkRequest) => void> = {
    'repl-chunk': (m) => receive(m.seq as number, m.runs as Run[]),
    'repl-bytes': relay,
    'repl-drop': (m) => feed.dropBefore(m.epoch as number),
    'repl-getack': () => {
      if (feed.replicas.size !== 0 || hubs().length !== 0) threads.getAck();
    },
    'repl-offset': (m) => {
      atTarget(m.target as number, () => {
        if (!link.closing) link.notice(m.from as number, { op: 'repl-offset-is', id: m.id, offset: feed.offset });
      });
    },
    'repl-offset-is': (m) => {
      const go = offsetWaits.get(m.id as number);
      offsetWaits.delete(m.id as number);
      go?.(m.offset as number);
    },
    'repl-watch': (m) => {
      const from = m.from as number;
      const key = `${from}:${m.id as number}`;
      watching.set(key, hubWatch(m.offset as number, (n) => {
        if (!link.closing) link.notice(from, { op: 'repl-acked', from: me, id: m.id, n });
      }, m.aof === true));
    },
    'repl-unwatch': (m) => {
      const key = `${m.from as number}:${m.id as number}`;
      watching.get(key)?.();
      watching.delete(key);
    },
    'repl-acked': (m) => waits.get(m.id as number)?.(m.from as number, m.n as number),
  };

  return { threads, flush, serve, notices };
}
