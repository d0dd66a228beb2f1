/**
 * Replication with threads (docs/threads.md, "Replication"): one stream for
 * the whole server, in an order the threads ran in.
 *
 * Each thread buffers the commands it propagates. It hands the buffer on,
 * numbered from one shared sequence (SHARED.REPL_SEQ), to every thread that
 * serves replicas (a hub, SHARED.REPL_HUB), at the points where the AOF
 * writes its buffer — before another thread can see the changes
 * (link.beforeOthersSee, Jobs.beforeAnswers) — and before a reply leaves, so
 * a client that saw a write acknowledged and then wrote elsewhere finds the
 * two in that order on the replica. A hub streams the pieces in sequence
 * order, adding SELECT where the database changes, so its stream reads like
 * one thread's.
 *
 * A full sync holds every thread: each hands on its buffer, this thread
 * becomes a hub from the next number on, and the RDB is cut there and then.
 * So the snapshot holds exactly the pieces numbered before the cut, and the
 * replica gets every piece after it.
 */
import type { ServerState } from '../server/server-state.ts';
import type { Client } from '../server/client.ts';
import type { ReplicationThreads } from '../replication/primary.ts';
import { DEFAULT_SAVE_OPTIONS, writeRdb } from '../persistence/rdb-writer.ts';
import { SHARED, type LinkRequest, type ThreadLink } from './link.ts';

/** Commands of one database, RESP-encoded, in the order they ran. */
type Run = [number, string];

/** The requests a held thread answers here. */
export const REPL_OPS = new Set(['repl-cut', 'repl-role']);

/** A WAIT on this hub until the stream has reached the piece numbered `target`. */
interface SeqWaiter {
  target: number;
  go: () => void;
}

/** Whether sequence number a comes before b (the shared sequence wraps). */
const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;

export function threadReplication(state: ServerState<Client>, link: ThreadLink): {
  threads: ReplicationThreads;
  flush: () => void;
  serve: (req: LinkRequest) => unknown;
  notices: Record<string, (m: LinkRequest) => void>;
} {
  const words = link.words;
  const feed = state.replication;
  const me = link.index;
  const hubWord = (t: number): number => words.of(SHARED.REPL_HUB, t);

  let pending: Run[] = [];
  let scheduled = false;
  const flushTask = (): void => {
    scheduled = false;
    flush();
  };

  /** Hands this thread's buffer on to every hub, numbered. */
  const flush = (): void => {
    if (pending.length === 0) return;
    const runs = pending;
    pending = [];
    // the number first, then the hubs: a hub that joined before this number was taken is seen (attach)
    const seq = words.add(SHARED.REPL_SEQ, 1);
    if (words.load(SHARED.REPL_HUBS) === 0) return;
    for (let t = 0; t < link.count; t++) {
      if (words.load(hubWord(t)) === 0) continue;
      if (t === me) receive(seq, runs);
      else link.notice(t, { op: 'repl-chunk', seq, runs });
    }
  };

  // the hub side: pieces arrive from every thread, and leave in number order
  let hub = false;
  let expected = 0;
  const waiting = new Map<number, Run[]>();
  let seqWaiters: SeqWaiter[] = [];

  const receive = (seq: number, runs: Run[]): void => {
    if (!hub || before(seq, expected)) return;
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

  /**
   * WAIT on this hub: once the stream holds every piece numbered before
   * `target`, reports how many of its replicas acknowledged it, now and after
   * each acknowledgement, until the returned function is called.
   */
  const hubWatch = (target: number, report: (n: number) => void): (() => void) => {
    let stop = (): void => {};
    let stopped = false;
    const start = (): void => {
      if (stopped || !hub) return;
      stop = feed.watchAcks(feed.offset, report);
      report(feed.ackedAt(feed.offset));
    };
    const w: SeqWaiter = { target, go: start };
    if (!before(expected, target)) start();
    else seqWaiters.push(w);
    return () => {
      stopped = true;
      stop();
      seqWaiters = seqWaiters.filter((x) => x !== w);
    };
  };

  // WAITs of this thread's clients: what each hub reported so far, and how to stop it
  let nextWait = 0;
  const waits = new Map<number, (t: number, n: number) => void>();
  // WAITs of other threads' clients on this hub, by origin thread and id
  const watching = new Map<string, () => void>();

  const threads: ReplicationThreads = {
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
    attach(): Buffer {
      // keys borrowed earlier in this turn go back first; then every thread is held and hands on its buffer
      state.engine.remote?.flushBack();
      state.others!({ op: 'repl-cut' });
      flush();
      if (!hub) {
        words.store(hubWord(me), 1);
        words.add(SHARED.REPL_HUBS, 1);
        hub = true;
        waiting.clear();
        expected = words.load(SHARED.REPL_SEQ);
      } else {
        // pieces numbered before the cut reach this hub's other replicas before the new one joins
        link.catchUp();
      }
      const opts = DEFAULT_SAVE_OPTIONS;
      return writeRdb(state.engine, { ...opts, parts: () => state.threadSaves!.now(opts) });
    },
    detach(): void {
      if (!hub) return;
      hub = false;
      words.store(hubWord(me), 0);
      words.add(SHARED.REPL_HUBS, -1);
      waiting.clear();
      seqWaiters = [];
    },
    waitForAcks(numreplicas: number, timeoutMs: number): Promise<number> {
      flush();
      const target = words.load(SHARED.REPL_SEQ);
      const hubs: number[] = [];
      for (let t = 0; t < link.count; t++) if (words.load(hubWord(t)) !== 0) hubs.push(t);
      // no replica anywhere: it waits out its timeout, as Redis's does
      if (hubs.length === 0) return feed.waitHere(numreplicas, timeoutMs);
      return new Promise((resolve) => {
        const id = nextWait++;
        const counts = new Map<number, number>();
        let stopHere: (() => void) | null = null;
        let timer: NodeJS.Timeout | null = null;
        const sum = (): number => [...counts.values()].reduce((a, b) => a + b, 0);
        const finish = (): void => {
          waits.delete(id);
          if (timer !== null) clearTimeout(timer);
          stopHere?.();
          for (const t of hubs) if (t !== me && !link.closing) link.notice(t, { op: 'repl-unwatch', from: me, id });
          resolve(sum());
        };
        const seen = (t: number, n: number): void => {
          counts.set(t, n);
          if (sum() >= numreplicas) finish();
        };
        waits.set(id, seen);
        if (timeoutMs > 0) timer = setTimeout(finish, timeoutMs);
        for (const t of hubs) {
          if (t === me) stopHere = hubWatch(target, (n) => seen(me, n));
          else link.notice(t, { op: 'repl-watch', from: me, id, target });
        }
      });
    },
    role() {
      let offset = feed.offset;
      const entries = feed.roleEntries();
      for (const r of state.others!({ op: 'repl-role' }) as Array<{ offset: number; entries: Array<[string, string, string]> }>) {
        offset = Math.max(offset, r.offset);
        entries.push(...r.entries);
      }
      return { offset, entries };
    },
  };

  const serve = (req: LinkRequest): unknown => {
    // being held made this thread hand its buffer on (link.beforeOthersSee): that is the cut
    if (req.op === 'repl-cut') return undefined;
    if (req.op === 'repl-role') return { offset: feed.offset, entries: feed.roleEntries() };
    throw new Error(`unknown replication request ${req.op}`);
  };

  const notices: Record<string, (m: LinkRequest) => void> = {
    'repl-chunk': (m) => receive(m.seq as number, m.runs as Run[]),
    'repl-watch': (m) => {
      const from = m.from as number;
      const key = `${from}:${m.id as number}`;
      watching.set(key, hubWatch(m.target as number, (n) => {
        if (!link.closing) link.notice(from, { op: 'repl-acked', from: me, id: m.id, n });
      }));
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
