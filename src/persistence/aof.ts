/**
 * The append-only file of a server (Redis 7's multi-part AOF): its state
 * (off / waiting for the first rewrite / on), the manifest, the writer of the
 * current incremental file, background rewrites (BGREWRITEAOF, automatic,
 * and the one CONFIG SET appendonly yes starts), loading at start-up and
 * DEBUG LOADAOF, and the numbers INFO persistence shows.
 *
 * It consumes the same command vectors as the replicas (ReplicationFeed's
 * propagation sink). A rewrite takes its point-in-time view of the dataset
 * at the moment the new incremental file is opened (so base + new incr is
 * exact) and serializes it incrementally, between client requests, streaming
 * the base file as it goes (BaseRewrite).
 */
import { existsSync, mkdirSync, renameSync, unlinkSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import type { ReplicationFeed } from '../replication/primary.ts';
import { bgsaveRunning, saveOptions } from './save-state.ts';
import { withFileVersion, type RdbSaveOptions } from './rdb-writer.ts';
import { functionStore } from './rdb-functions.ts';
import {
  AofError, cloneManifest, emptyManifest, fsyncDir, markRewrittenIncrsAsHistory, newBase, newIncr, persistManifest, readManifest,
  type AofFileInfo, type AofManifest,
} from './aof-manifest.ts';
import { AofWriter, type FsyncPolicy } from './aof-writer.ts';
import { fileSize } from './aof-loader.ts';
import { loadAofFile, type AloneLoad, type AofLoadHost, type AofReplayer } from './aof-file-load.ts';
import { BaseRewrite, serializeBase, writeBaseSync } from './aof-rewrite.ts';
import type { SnapshotStats } from './snapshot-walker.ts';

export type AofState = 'off' | 'wait_rewrite' | 'on';

/**
 * With threads (threads/aof-threads.ts, docs/threads.md "The AOF with
 * threads"): every thread appends to the same incr file; the first keeps
 * the manifest and creates the files at start-up; any thread may run a
 * rewrite, the others switching files and writing their parts of the base.
 */
export interface AofThreads {
  readonly index: number;
  /**
   * Holds every other thread: each writes its buffer, appends to `incr` from
   * now on (when given), and starts its part of the new base; resolves with
   * the part files once all are written.
   */
  switchAndSnapshot(incr: string | null, rdb: boolean, opts: RdbSaveOptions, dir: string): Promise<string[]>;
  /** Every other thread writes and fsyncs its buffer. */
  flushAll(): void;
  /** The rewrite that turned the AOF on is done: every other thread's AOF is on too. */
  allOn(): void;
  /** Every other thread empties its dataset and loads the files again (DEBUG LOADAOF). */
  reloadAll(): void;
  /** The server's one rewrite: false when one runs on any thread. */
  claimRewrite(): boolean;
  endRewrite(): void;
  rewriteRunning(): boolean;
  /** Loading the files alone, with every key: where other threads' keys go; finish() keeps only this thread's. */
  loadAlone(): AloneLoad & { finish(): void };
}

interface Rewrite {
  started: number;
  cancelled: boolean;
  /** The manifest the rewrite completes (with the incr file opened for it). */
  manifest: AofManifest;
  /** The base file being written, and where. */
  base: BaseRewrite;
  tmp: string;
}

/** What the AOF needs of the server. */
export interface AofHost extends AofLoadHost {
  /** With threads: the AOF every thread appends to. */
  readonly aofThreads: AofThreads | null;
  /** A setting changed on another thread is being replayed here (appendonly is that thread's to act on). */
  readonly replayingSetting: boolean;
  /** The AOF is the feed's propagation sink while it is on. */
  readonly replication: ReplicationFeed;
}

export class Aof {
  readonly server: AofHost;
  /** Replays the files at loading. */
  private readonly replayer: AofReplayer;
  private st: AofState = 'off';
  manifest: AofManifest = emptyManifest();
  readonly writer: AofWriter;
  private rewriting: Rewrite | null = null;
  rewriteScheduled = false;
  rewrites = 0;
  consecutiveFailures = 0;
  lastBgrewriteStatus: 'ok' | 'err' = 'ok';
  lastRewriteSecs = -1;
  /** The walk of the last successful rewrite: keys, keys saved ahead of writes, longest slice. */
  lastRewriteStats: SnapshotStats | null = null;
  /** aof_rewrite_base_size: the AOF size after the last rewrite (or load). */
  rewriteBaseSize = 0;
  /** Bytes of the base and the incr files before the current one. */
  private fixedSize = 0;
  /** Replaying a file: the commands run are not appended. */
  loading = false;
  private cron: NodeJS.Timeout | null = null;
  private lastFailedTry = 0;

  get state(): AofState {
    return this.st;
  }

  /** While the AOF is not off it is the replication feed's propagation sink (so handlers record rewrites only then). */
  private set state(v: AofState) {
    this.st = v;
    this.server.replication.sink = v === 'off' ? null : this;
  }

  constructor(server: AofHost, replayer: AofReplayer) {
    this.server = server;
    this.replayer = replayer;
    this.writer = new AofWriter(this.policy(), (level, msg) => server.log(level, msg));
    this.writer.replOffset = () => server.replication.offset;
    this.writer.onSynced = () => server.replication.aofProgressed();
  }

  /**
   * Redis's fsynced_reploff: -1 while the AOF is off, 0 until the rewrite
   * that turned it on is done, then the replication offset up to which the
   * file is fsynced (WAITAOF, a replica's REPLCONF ACK … FACK).
   */
  fsyncedReploff(): number {
    if (this.state === 'off') return -1;
    if (this.state === 'wait_rewrite') return 0;
    return this.writer.fsyncedReploff();
  }

  /** With threads: calls `done` once the shared file is fsynced as far as it reaches now (WAITAOF's local part). */
  whenFileSynced(done: () => void): () => void {
    // waiting for the rewrite that turns it on, nothing counts as fsynced (fsynced_reploff 0)
    if (this.state !== 'on') return () => {};
    return this.writer.whenFileSynced(done);
  }

  private policy(): FsyncPolicy {
    return (getConfigValue(this.server.config, 'appendfsync') ?? 'everysec') as FsyncPolicy;
  }

  dir(): string {
    return join(this.server.config.dir, getConfigValue(this.server.config, 'appenddirname') ?? 'appendonlydir');
  }

  prefix(): string {
    return getConfigValue(this.server.config, 'appendfilename') ?? 'appendonly.aof';
  }

  private preamble(): boolean {
    return getConfigValue(this.server.config, 'aof-use-rdb-preamble') !== 'no';
  }

  get rewriteInProgress(): boolean {
    return this.rewriting !== null || this.threads?.rewriteRunning() === true;
  }

  private get threads(): AofThreads | null {
    return this.server.aofThreads;
  }

  get currentRewriteSecs(): number {
    return this.rewriting ? Math.floor((Date.now() - this.rewriting.started) / 1000) : -1;
  }

  /** aof_current_size */
  get currentSize(): number {
    return this.fixedSize + (this.writer.shared ? this.writer.fileSize() : this.writer.incrSize);
  }

  /** The propagation sink: PUBLISH goes to replicas only, as Redis's PROPAGATE_REPL. */
  feed(db: number, args: readonly string[]): void {
    if (this.loading || this.state === 'off') return;
    const n = args[0]!;
    if (n.length === 7 || n.length === 8) {
      const l = n.toLowerCase();
      if (l === 'publish' || l === 'spublish') return;
    }
    this.writer.feed(db, args);
  }

  startCron(): void {
    this.cron = setInterval(() => this.tick(), 100);
    this.cron.unref();
  }

  /** serverCron's AOF part: scheduled / retried / automatic rewrites. */
  private tick(): void {
    if (this.rewriteInProgress) return;
    if (bgsaveRunning(this.server)) return;
    if (this.rewriteScheduled || (this.state === 'wait_rewrite' && !this.joined && Date.now() - this.lastFailedTry > 5000)) {
      this.startRewrite();
      return;
    }
    // with threads the first one watches the file's growth
    if (this.state !== 'on' || (this.threads !== null && this.threads.index !== 0)) return;
    const perc = getConfigNumber(this.server.config, 'auto-aof-rewrite-percentage', 100);
    const min = getConfigNumber(this.server.config, 'auto-aof-rewrite-min-size', 64 * 1024 * 1024);
    const size = this.currentSize;
    if (perc > 0 && size > min) {
      const base = this.rewriteBaseSize || 1;
      const growth = Math.floor((size * 100) / base) - 100;
      if (growth >= perc && !(this.consecutiveFailures >= 3 && Date.now() - this.lastFailedTry < 60_000)) {
        this.server.log('notice', `Starting automatic rewriting of AOF on ${growth}% growth`);
        this.startRewrite();
      }
    }
  }

  // ---- start-up and loading ----

  /** Start-up with appendonly yes: loads the files of the manifest, then opens (creating) the files to append to. */
  loadAtStartup(): void {
    if (getConfigValue(this.server.config, 'appendonly') !== 'yes') return;
    const dir = this.dir();
    if (this.threads !== null && this.threads.index !== 0) {
      this.loadAsOtherThread();
      return;
    }
    let m = existsSync(dir) ? readManifest(dir, this.prefix()) : null;
    // an old-style single AOF in dir (Redis < 7) becomes the base of the multi-part layout
    const legacy = join(this.server.config.dir, this.prefix());
    if ((!m || (!m.base && m.incrs.length === 0)) && existsSync(legacy)) m = this.upgrade(m ?? emptyManifest(), legacy);
    this.manifest = m ?? emptyManifest();
    if (m && (m.base || m.incrs.length > 0)) {
      const t0 = performance.now();
      this.loadFiles(m);
      this.server.log('notice', `DB loaded from append only file: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
    }
    this.openOnStart();
  }

  /**
   * With threads, every thread but the first: the first one has loaded (and
   * checked) the files and created what was missing; this one loads them
   * too, keeping its own keys, and appends to the same incr file.
   */
  private loadAsOtherThread(): void {
    const m = readManifest(this.dir(), this.prefix());
    const incr = m?.incrs[m.incrs.length - 1];
    if (!m || !incr) throw new AofError('the first thread left no incr file in the manifest');
    this.manifest = m;
    this.loadFiles(m, true);
    this.writer.policy = this.policy();
    this.writer.shared = true;
    this.writer.openFile(this.path(incr));
    this.state = 'on';
  }

  /** aofUpgradePrepare: the manifest names the old file as base, which moves into the AOF directory. */
  private upgrade(m: AofManifest, legacy: string): AofManifest {
    const dir = this.dir();
    mkdirSync(dir, { recursive: true });
    m.base = { name: this.prefix(), seq: 1, type: 'b' };
    m.baseSeq = 1;
    persistManifest(dir, this.prefix(), m);
    renameSync(legacy, this.path(this.prefix()));
    this.server.log('notice', `Successfully migrated an old-style AOF file (${this.prefix()}) into the AOF directory (${getConfigValue(this.server.config, 'appenddirname') ?? 'appendonlydir'}).`);
    return m;
  }

  private path(f: AofFileInfo | string): string {
    return join(this.dir(), typeof f === 'string' ? f : f.name);
  }

  /** loadAppendOnlyFiles: the base, then every incr file in order. Throws AofError. */
  loadFiles(m: AofManifest, readOnly = false): void {
    const files = [...(m.base ? [m.base] : []), ...m.incrs];
    const loadTruncated = getConfigValue(this.server.config, 'aof-load-truncated') !== 'no';
    // with threads, each thread loads every key and then keeps its own
    const alone = this.threads?.loadAlone() ?? null;
    if (alone !== null) alone.readOnly = readOnly;
    try {
      for (let i = 0; i < files.length; i++) {
        const f = files[i]!;
        const file = this.path(f);
        if (!existsSync(file)) throw new AofError(`The append log file ${f.name} doesn't exist`);
        const t0 = performance.now();
        const truncated = loadAofFile(this.server, this.replayer, f, file, loadTruncated, alone);
        if (truncated && i !== files.length - 1) throw new AofError('Fatal error: the truncated file is not the last file');
        const kind = f === m.base ? 'base' : 'incr';
        this.server.log('notice', `DB loaded from ${kind} file ${f.name}: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
      }
    } finally {
      alone?.finish();
    }
    this.fixedSize = 0;
    for (const f of files) this.fixedSize += fileSize(this.path(f));
    this.rewriteBaseSize = this.fixedSize;
  }

  /** aofOpenIfNeededOnServerStart: a base for an empty dataset, the incr file to append to, the manifest, history removed. */
  private openOnStart(): void {
    const dir = this.dir();
    mkdirSync(dir, { recursive: true });
    const m = this.manifest;
    const prefix = this.prefix();
    if (!m.base && m.incrs.length === 0) {
      const b = newBase(m, prefix, this.preamble());
      writeBaseSync(this.path(b), serializeBase(this.server.engine, this.preamble(), saveOptions(this.server)));
      // as Redis, this base (of an empty dataset) is not counted in aof_current_size until a restart
      this.server.log('notice', `Creating AOF base file ${b.name} on server start`);
    }
    let incr = m.incrs[m.incrs.length - 1];
    if (!incr) {
      incr = newIncr(m, prefix);
      this.server.log('notice', `Creating AOF incr file ${incr.name} on server start`);
    } else this.fixedSize -= fileSize(this.path(incr));
    this.writer.policy = this.policy();
    this.writer.shared = this.threads !== null;
    this.writer.openFile(this.path(incr));
    persistManifest(dir, prefix, m);
    this.deleteHistory();
    this.state = 'on';
  }

  private deleteHistory(): void {
    const m = this.manifest;
    if (m.history.length === 0 || getConfigValue(this.server.config, 'aof-disable-auto-gc') === 'yes') return;
    for (const h of m.history) {
      this.server.log('notice', `Removing the history file ${h.name} in the background`);
      try {
        unlinkSync(this.path(h));
      } catch {
        // already gone
      }
    }
    m.history = [];
    persistManifest(this.dir(), this.prefix(), m);
  }

  // ---- rewrite ----

  /** rewriteAppendOnlyFileBackground: false when it could not start (logged). */
  startRewrite(): boolean {
    if (this.rewriting) return false;
    const threads = this.threads;
    if (threads !== null && !threads.claimRewrite()) return false;
    this.rewriteScheduled = false;
    const s = this.server;
    const dir = this.dir();
    const prefix = this.prefix();
    let m: AofManifest;
    let incrPath: string | null = null;
    try {
      mkdirSync(dir, { recursive: true });
      this.writer.flushAndSync();
      // with threads the last rewrite may have been another thread's: the file on disk is the manifest
      if (threads !== null && this.state === 'on') this.manifest = readManifest(dir, prefix) ?? this.manifest;
      m = cloneManifest(this.manifest);
      if (this.state !== 'off') {
        const incr = newIncr(m, prefix);
        incrPath = this.path(incr);
        // waiting for the first base, the incr file must hold only what follows this snapshot (a retry starts it over)
        this.writer.openFile(this.path(incr), this.state === 'wait_rewrite');
        if (this.state === 'on') {
          persistManifest(dir, prefix, m);
          this.manifest = cloneManifest(m);
          this.fixedSize = this.currentSizeOfOthers(m);
        }
        s.log('notice', `Creating AOF incr file ${incr.name} on background rewrite`);
      }
    } catch (e) {
      s.log('warning', `Can't open new incr AOF for rewrite: ${(e as Error).message}`);
      threads?.endRewrite();
      this.rewriteFailed();
      return false;
    }
    const rdb = this.preamble();
    // the point in time: in the same turn as the new incr file, which gets every write from now on
    // (with threads every thread switches to it and starts its part of the base at this cut)
    const tmp = join(dir, `temp-rewriteaof-bg-${process.pid}.aof`);
    // one RDB version for the preamble, every thread's part included
    const opts = withFileVersion(s.engine, saveOptions(s));
    const theirs = threads?.switchAndSnapshot(incrPath, rdb, opts, dir) ?? null;
    const rw: Rewrite = { started: Date.now(), cancelled: false, manifest: m, base: new BaseRewrite(s.engine, rdb, opts, theirs), tmp };
    this.rewriting = rw;
    s.log('notice', `Background append only file rewriting started by pid ${process.pid}`);
    void rw.base.write(tmp).then(
      () => {
        try {
          this.rewriteDone(rw, tmp, rdb);
        } finally {
          threads?.endRewrite();
        }
      },
      (e: unknown) => {
        threads?.endRewrite();
        if (this.rewriting === rw) this.rewriting = null;
        void unlink(tmp).catch(() => {});
        if (rw.cancelled) return;
        s.log('warning', `Background AOF rewrite failed: ${(e as Error).message}`);
        this.rewriteFailed();
      },
    );
    return true;
  }

  private currentSizeOfOthers(m: AofManifest): number {
    let n = m.base ? fileSize(this.path(m.base)) : 0;
    for (let i = 0; i < m.incrs.length - 1; i++) n += fileSize(this.path(m.incrs[i]!));
    return n;
  }

  private rewriteFailed(): void {
    this.lastBgrewriteStatus = 'err';
    this.consecutiveFailures++;
    this.lastFailedTry = Date.now();
  }

  /** Abandons the running rewrite (killAppendOnlyChild): its walk stops, its temp file is removed now. */
  private cancelRewrite(keepState = false): void {
    const rw = this.rewriting;
    if (rw === null) return;
    rw.cancelled = true;
    rw.base.cancel();
    try {
      unlinkSync(rw.tmp);
    } catch {
      // not created yet, or already gone
    }
    if (!keepState) this.rewriting = null;
  }

  /** backgroundRewriteDoneHandler: the base renamed into place, the manifest switched, old files removed. */
  private rewriteDone(rw: Rewrite, tmp: string, rdb: boolean): void {
    if (this.rewriting === rw) this.rewriting = null;
    const s = this.server;
    if (rw.cancelled) {
      void unlink(tmp).catch(() => {});
      return;
    }
    s.log('notice', 'Background AOF rewrite terminated with success');
    const st = rw.base.stats;
    this.lastRewriteStats = st;
    s.log('verbose', `AOF rewrite: ${st.keys} keys, ${st.early} saved ahead of writes, longest pause ${st.longestSliceMs.toFixed(1)} ms`);
    const m = cloneManifest(this.state === 'on' ? this.manifest : rw.manifest);
    const b = newBase(m, this.prefix(), rdb);
    try {
      renameSync(tmp, this.path(b));
      s.log('notice', `Successfully renamed the temporary AOF base file ${tmp.slice(tmp.lastIndexOf('/') + 1)} into ${b.name}`);
      if (this.state === 'off') {
        for (const f of m.incrs.splice(0)) m.history.push({ ...f, type: 'h' });
      } else markRewrittenIncrsAsHistory(m);
      persistManifest(this.dir(), this.prefix(), m);
      fsyncDir(this.dir());
    } catch (e) {
      s.log('warning', `Error trying to rename the temporary AOF base file: ${(e as Error).message}`);
      void unlink(tmp).catch(() => {});
      this.rewriteFailed();
      return;
    }
    this.manifest = m;
    if (this.state === 'wait_rewrite') {
      this.state = 'on';
      this.threads?.allOn();
      s.replication.aofProgressed();
    }
    this.fixedSize = this.currentSizeOfOthers(m);
    this.rewriteBaseSize = this.currentSize;
    this.deleteHistory();
    this.lastRewriteSecs = Math.floor((Date.now() - rw.started) / 1000);
    this.rewrites++;
    this.consecutiveFailures = 0;
    this.lastBgrewriteStatus = 'ok';
    s.log('notice', 'Background AOF rewrite finished successfully');
  }

  // ---- runtime on/off ----

  /** CONFIG SET appendonly / appendfsync changed. */
  onConfigChange(names: readonly string[]): void {
    if (names.includes('appendfsync')) this.writer.policy = this.policy();
    if (!names.includes('appendonly')) return;
    const want = getConfigValue(this.server.config, 'appendonly') === 'yes';
    // with threads, the thread that ran CONFIG SET starts the rewrite, and the others join it (joinRewrite)
    if (want && this.state === 'off' && !this.server.replayingSetting) this.start();
    else if (!want && this.state !== 'off') this.stop();
  }

  /** With threads: another thread turned the AOF on; this one appends to its new incr file until the base is written. */
  joinRewrite(incr: string): void {
    this.writer.policy = this.policy();
    this.writer.shared = true;
    this.writer.openFile(incr);
    this.state = 'wait_rewrite';
    this.joined = true;
  }

  /** With threads: the rewrite that turned the AOF on is done (on the thread that ran it). */
  rewriteJoined(): void {
    this.joined = false;
    if (this.state === 'wait_rewrite') this.state = 'on';
    this.server.replication.aofProgressed();
  }

  /** Waiting for another thread's rewrite to turn the AOF on (that thread retries it, not this one). */
  private joined = false;

  /** startAppendOnly: the writes go to a new incr file from now; the rewrite makes the base. */
  private start(): void {
    const dir = this.dir();
    try {
      mkdirSync(dir, { recursive: true });
      this.manifest = readManifest(dir, this.prefix()) ?? emptyManifest();
    } catch (e) {
      this.server.log('warning', `Redis needs to enable the AOF but can't trigger a background AOF rewrite operation: ${(e as Error).message}`);
      return;
    }
    this.writer.policy = this.policy();
    // with threads every thread appends to the same file (each flush starts with its SELECT)
    this.writer.shared = this.threads !== null;
    // what is written from now on goes to the new incr file; what came before is in the base (startAppendOnly)
    this.writer.syncedReploff = this.server.replication.offset;
    this.state = 'wait_rewrite';
    this.cancelRewrite();
    if (!this.startRewrite()) this.server.log('warning', "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
  }

  /** stopAppendOnly: flush, fsync and close; a running rewrite is abandoned. */
  stop(): void {
    this.writer.close();
    this.state = 'off';
    this.joined = false;
    // a WAITAOF waiting for the local fsync fails now (Redis's processClientsWaitingReplicas)
    this.server.replication.aofProgressed();
    if (this.rewriting) {
      this.cancelRewrite();
      this.server.log('notice', 'Killing running AOF rewrite child');
    }
  }

  /** Shutdown: flushes and fsyncs the AOF, closes it. */
  shutdown(): void {
    if (this.rewriting) {
      // the AOF files already hold the whole dataset; the walk stops and its temp file goes
      this.server.log('warning', 'There is a child rewriting the AOF. Killing it!');
      this.cancelRewrite(true);
    }
    if (this.state !== 'off') this.server.log('notice', 'Calling fsync() on the AOF file.');
    this.writer.stop();
    if (this.cron) clearInterval(this.cron);
    this.cron = null;
  }

  /** DEBUG LOADAOF: flush the AOF, empty the dataset, load the files back. */
  debugLoad(): void {
    // with threads every thread's buffer is in the file before any thread reads it
    this.threads?.flushAll();
    this.reload();
    this.threads?.reloadAll();
  }

  /** Empties this thread's dataset and loads the files again (DEBUG LOADAOF; with threads on every thread). */
  reload(): void {
    if (this.state === 'on') this.writer.flushAndSync();
    this.server.engine.flushAll();
    functionStore(this.server.engine).clear();
    const m = readManifest(this.dir(), this.prefix()) ?? emptyManifest();
    this.loading = true;
    try {
      this.loadFiles(m, this.threads !== null && this.threads.index !== 0);
    } finally {
      this.loading = false;
    }
    this.fixedSize = this.currentSizeOfOthers(m);
  }
}
