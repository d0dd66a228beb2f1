/**
 * Appends the propagated write commands to the current incremental AOF file.
 *
 * Commands of one event-loop tick accumulate in a buffer; at the end of the
 * tick (setImmediate, Redis's beforeSleep) the buffer is written with one
 * write(), and with appendfsync always fsynced, before any reply of that tick
 * is sent: clients whose replies would otherwise leave are held (see
 * Client.flush) and released after the write. So every acknowledged write is
 * in the kernel (everysec, no) or on disk (always) — a group commit: all the
 * writes of one tick share one fsync. With everysec a background fsync
 * (libuv's thread pool) runs every second.
 */
import { closeSync, constants, fstatSync, fsync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { AofLog } from './aof-loader.ts';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** Something whose replies wait for the AOF write (a client): flushed again once released. */
export interface HeldReplies {
  flush(): void;
}

export function encodeCommand(args: readonly string[]): string {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return s;
}

export class AofWriter {
  private fd = -1;
  private pending: string[] = [];
  private pendingLen = 0;
  private selectedDb = -1;
  private scheduled = false;
  private readonly held = new Set<HeldReplies>();
  private timer: NodeJS.Timeout | null = null;
  /** Bytes written since the last fsync started. */
  private unsynced = 0;
  private fsyncInFlight = false;
  /** When the oldest write not covered by a started fsync reached the kernel (0: none). */
  private unsyncedSince = 0;
  /** The oldest write the fsync in flight covers (0: none in flight). */
  private syncingSince = 0;
  policy: FsyncPolicy;
  /** Size of the current incremental file. */
  incrSize = 0;
  lastWriteStatus: 'ok' | 'err' = 'ok';
  delayedFsync = 0;
  lastFsyncAt = Date.now();
  /**
   * With threads every thread appends to the same file (O_APPEND, one
   * write() per flush): each flush then starts with its own SELECT.
   */
  shared = false;
  /** DEBUG AOF-FLUSH-SLEEP: microseconds to sleep before each write (tests widen the crash window with it). */
  flushSleepUs = 0;
  /** The replication offset (master_repl_offset) the writes so far reach: what an fsync covers (WAITAOF). */
  replOffset: () => number = () => 0;
  /**
   * The replication offset up to which the file is fsynced (Redis's
   * fsynced_reploff_pending): set after each fsync (always, everysec, a
   * flush before a rewrite), never with appendfsync no.
   */
  syncedReploff = 0;
  /** Told after an fsync (WAITAOF waiters look again). */
  onSynced: (() => void) | null = null;
  /**
   * With threads (shared): the file's size when the last completed fsync of
   * this thread started (the everysec fsync runs whenever the file grew,
   * other threads' writes included: an fsync covers the whole file), and the
   * sizes WAITAOF waits for.
   */
  syncedSize = 0;
  private readonly sizeWaiters = new Set<{ size: number; done: () => void }>();
  private readonly log: AofLog;

  constructor(policy: FsyncPolicy, log: AofLog) {
    this.policy = policy;
    this.log = log;
    this.timer = setInterval(() => this.everysec(), 1000);
    this.timer.unref();
  }

  get open(): boolean {
    return this.fd >= 0;
  }

  /** The current file's size (with threads, what every thread appended). */
  fileSize(): number {
    return this.fd < 0 ? 0 : fstatSync(this.fd).size;
  }

  /** Bytes waiting in the buffer (INFO aof_buffer_length). */
  get bufferLength(): number {
    return this.pendingLen;
  }

  /**
   * Age in ms of the oldest write that is in the kernel but not yet fsynced:
   * what an OS crash or power loss could take now (a process crash loses
   * nothing written). With everysec it stays about a second.
   */
  atRiskMs(now = Date.now()): number {
    const t = this.syncingSince !== 0 ? this.syncingSince : this.unsyncedSince;
    return t === 0 ? 0 : now - t;
  }

  get fsyncPending(): number {
    return this.fsyncInFlight ? 1 : 0;
  }

  /** Opens `file` for appending (emptied first with `truncate`); later commands go there (a SELECT comes first). */
  openFile(file: string, truncate = false): void {
    this.flushNow();
    this.closeFd();
    // always O_APPEND: with threads every thread appends to this file, and a write must never land at a stale offset
    this.fd = openSync(file, truncate ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_APPEND : 'a', 0o644);
    this.incrSize = fstatSync(this.fd).size;
    this.selectedDb = -1;
    // the old file was fsynced as it closed: its WAITAOF waiters are served; sizes count in the new one
    this.syncedSize = this.incrSize;
    const waiting = [...this.sizeWaiters];
    this.sizeWaiters.clear();
    for (const w of waiting) w.done();
  }

  feed(db: number, args: readonly string[]): void {
    if (this.fd < 0) return;
    if (db !== this.selectedDb) {
      const sel = encodeCommand(['SELECT', String(db)]);
      this.pending.push(sel);
      this.pendingLen += sel.length;
      this.selectedDb = db;
    }
    const s = encodeCommand(args);
    this.pending.push(s);
    this.pendingLen += s.length;
    this.schedule();
  }

  /** True (and the replies are held until the buffer is written) when writes wait in the buffer. */
  hold(c: HeldReplies): boolean {
    if (this.pendingLen === 0) return false;
    this.held.add(c);
    this.schedule();
    return true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flushNow();
      this.release();
    });
  }

  private release(): void {
    if (this.held.size === 0 || this.pendingLen !== 0) return;
    const list = [...this.held];
    this.held.clear();
    for (const c of list) c.flush();
  }

  /** flushAppendOnlyFile: writes the buffer (fsync with always); on failure the buffer is kept. */
  flushNow(): void {
    if (this.pendingLen === 0 || this.fd < 0) return;
    const buf = Buffer.from(this.pending.length === 1 ? this.pending[0]! : this.pending.join(''), 'latin1');
    if (this.flushSleepUs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, this.flushSleepUs / 1000);
    let off = 0;
    try {
      while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
      if (this.policy === 'always') fsyncSync(this.fd);
    } catch (e) {
      this.lastWriteStatus = 'err';
      if (this.policy === 'always') {
        this.log('warning', `Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...`);
        process.exit(1);
      }
      this.log('warning', `Error writing to the AOF file: ${(e as Error).message}`);
      // keep what was not written for the next attempt
      const rest = buf.toString('latin1', off);
      this.pending = [rest];
      this.pendingLen = rest.length;
      this.incrSize += off;
      setTimeout(() => this.schedule(), 100).unref();
      return;
    }
    if (this.lastWriteStatus === 'err') this.log('warning', 'AOF write error looks solved, Redis can write again.');
    this.lastWriteStatus = 'ok';
    this.pending = [];
    this.pendingLen = 0;
    this.incrSize += buf.length;
    if (this.shared) this.selectedDb = -1;
    if (this.policy === 'always') {
      this.lastFsyncAt = Date.now();
      this.synced(this.replOffset());
    } else {
      if (this.unsynced === 0) this.unsyncedSince = Date.now();
      this.unsynced += buf.length;
    }
  }

  private everysec(): void {
    if (this.policy !== 'everysec' || this.fd < 0) return;
    // with threads an fsync covers every thread's writes: it runs whenever the file grew
    const size = this.shared ? this.fileSize() : -1;
    if (this.unsynced === 0 && this.pendingLen === 0 && size <= this.syncedSize) return;
    if (this.fsyncInFlight) {
      this.delayedFsync++;
      return;
    }
    // what the buffer holds is in the offset already: written first, so the fsync covers it
    this.flushNow();
    if (this.fd < 0 || this.pendingLen !== 0) return;
    this.fsyncInFlight = true;
    this.unsynced = 0;
    this.syncingSince = this.unsyncedSince;
    this.unsyncedSince = 0;
    const fd = this.fd;
    const at = this.replOffset();
    const startSize = this.shared ? this.fileSize() : -1;
    fsync(fd, () => {
      this.fsyncInFlight = false;
      this.syncingSince = 0;
      this.lastFsyncAt = Date.now();
      if (startSize > this.syncedSize) this.syncedSize = startSize;
      this.synced(at);
    });
  }

  /** The file is fsynced up to replication offset `at` (and, with threads, up to syncedSize): waiters are told. */
  private synced(at: number): void {
    if (at > this.syncedReploff) this.syncedReploff = at;
    for (const w of this.sizeWaiters) {
      if (this.syncedSize < w.size) continue;
      this.sizeWaiters.delete(w);
      w.done();
    }
    this.onSynced?.();
  }

  /**
   * Redis's fsynced_reploff as of now: when nothing written waits for an
   * fsync (and none runs), everything up to the current offset is on disk
   * (flushAppendOnlyFile's "all data is fsync'd already"; not with
   * appendfsync no, which never fsyncs).
   */
  fsyncedReploff(): number {
    if (this.policy !== 'no' && this.fd >= 0 && this.pendingLen === 0 && this.unsynced === 0 && !this.fsyncInFlight &&
      // with threads every thread's writes are fsynced before they are seen (always), or the file's size tells
      (!this.shared || this.policy === 'always' || this.fileSize() <= this.syncedSize)) {
      const now = this.replOffset();
      if (now > this.syncedReploff) this.syncedReploff = now;
    }
    return this.syncedReploff;
  }

  /**
   * With threads: calls `done` once the file is fsynced as far as it reaches
   * now (this thread's buffer written first; with always that is at once,
   * every thread fsyncing its writes before they are seen); never with
   * appendfsync no. Returns a function that stops waiting.
   */
  whenFileSynced(done: () => void): () => void {
    this.flushNow();
    if (this.policy === 'always') {
      done();
      return () => {};
    }
    const w = { size: this.fileSize(), done };
    if (this.policy === 'no') return () => {};
    if (this.syncedSize >= w.size) {
      done();
      return () => {};
    }
    this.sizeWaiters.add(w);
    return () => this.sizeWaiters.delete(w);
  }

  /** Writes and fsyncs everything now (shutdown, rewrite, DEBUG LOADAOF). */
  flushAndSync(): void {
    this.flushNow();
    if (this.fd >= 0) {
      try {
        const size = this.shared ? this.fileSize() : -1;
        fsyncSync(this.fd);
        this.unsynced = 0;
        this.unsyncedSince = 0;
        if (size > this.syncedSize) this.syncedSize = size;
        if (this.policy !== 'no') this.synced(this.replOffset());
      } catch (e) {
        this.log('warning', `Fail to fsync the AOF file: ${(e as Error).message}`);
      }
    }
    this.release();
  }

  private closeFd(): void {
    if (this.fd < 0) return;
    try {
      fsyncSync(this.fd);
    } catch {
      // nothing more can be done for this file
    }
    closeSync(this.fd);
    this.fd = -1;
  }

  /** Flushes, fsyncs and closes the file (stopAppendOnly, shutdown). */
  close(): void {
    this.flushAndSync();
    this.closeFd();
    this.pending = [];
    this.pendingLen = 0;
    this.release();
  }

  stop(): void {
    this.close();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
