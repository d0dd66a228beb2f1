/**
 * Snapshots of the dataset on disk (dir/dbfilename, Redis's RDB format) and
 * their bookkeeping: SAVE / BGSAVE / FLUSHALL / SHUTDOWN saves, the
 * `save <seconds> <changes>` schedule, loading at start-up and DEBUG RELOAD,
 * and what LASTSAVE / INFO persistence report (rdb_changes_since_last_save,
 * rdb_last_save_time, rdb_saves, bgsave state, last load counts).
 *
 * BGSAVE serializes the dataset in one synchronous pass (a point-in-time
 * copy without a fork) and writes the file asynchronously.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { getConfigNumber, getConfigValue, type Config } from '../config/config.ts';
import { CommandError } from '../commands/core/errors.ts';
import type { Engine } from '../engine/engine.ts';
import type { Logger } from '../server/host.ts';
import type { RdbSaveOptions } from './rdb-writer.ts';
import type { LoadLimits } from './rdb-reader.ts';
import type { LoadOptions, LoadResult } from './rdb-load.ts';
import { loadSnapshot, saveSnapshotAsync, saveSnapshotSync, type ThreadSaves } from './snapshot.ts';
import type { SnapshotStats } from './incremental-rdb.ts';
import { functionStore } from './rdb-functions.ts';

/** What saving and loading read of the server. */
export interface SaveHost extends Logger {
  readonly config: Config;
  readonly engine: Engine;
  readonly startedAt: number;
  /** With threads: snapshots of every thread's shards. */
  readonly threadSaves: ThreadSaves | null;
  /** What a snapshot records of replication (repl-id, repl-offset, repl-stream-db), or null (rdbPopulateSaveInfo). */
  replicationInfo?(): RdbReplInfo | null;
}

/** The replication history an RDB records. */
export type RdbReplInfo = NonNullable<RdbSaveOptions['repl']>;

export interface SaveState {
  /** Sum of the shards' dirty counters at the last save. */
  dirtyAtSave: number;
  /** Unix time (seconds) of the last successful save (start-up time before any). */
  lastSave: number;
  saves: number;
  lastStatus: 'ok' | 'err';
  /** A BGSAVE is writing its file. */
  bgsaveInProgress: boolean;
  /** What the last successful BGSAVE did (keys, keys saved ahead of writes, longest pause). */
  lastSnapshot: SnapshotStats | null;
  /** Unix time (s) the running BGSAVE started. */
  bgsaveStart: number;
  /** Seconds the last BGSAVE took (-1 before any). */
  lastBgsaveSecs: number;
  /** BGSAVE SCHEDULE (or one inside MULTI) waiting for the running one. */
  bgsaveScheduled: boolean;
  /** Unix time (s) of the last BGSAVE attempt (retries after a failure wait 5 s). */
  lastBgsaveTry: number;
  /** Dirty counter when the running BGSAVE took its snapshot. */
  dirtyAtBgsave: number;
  lastLoadKeysLoaded: number;
  lastLoadKeysExpired: number;
  /** DEBUG SET-SKIP-CHECKSUM-VALIDATION */
  skipChecksum: boolean;
  /** Foreground saves so far: a BGSAVE started before the latest one must not replace its file. */
  syncSaves: number;
  /** The running BGSAVE (settles when its file is written or has failed). */
  bgsave: Promise<void> | null;
  /** Called after every successful SAVE / BGSAVE of this thread (backup-s3-on-save, persistence/backup.ts). */
  afterSave: (() => void) | null;
}

const states = new WeakMap<SaveHost, SaveState>();

export function saveState(s: SaveHost): SaveState {
  let st = states.get(s);
  if (!st) {
    st = {
      dirtyAtSave: 0, lastSave: Math.floor(s.startedAt / 1000), saves: 0, lastStatus: 'ok',
      bgsaveInProgress: false, lastSnapshot: null, bgsaveStart: 0, lastBgsaveSecs: -1, bgsaveScheduled: false, lastBgsaveTry: 0, dirtyAtBgsave: 0,
      lastLoadKeysLoaded: 0, lastLoadKeysExpired: 0, skipChecksum: false, syncSaves: 0, bgsave: null, afterSave: null,
    };
    states.set(s, st);
  }
  return st;
}

/** Writes made since start-up (Redis's server.dirty without resets). */
export function totalDirty(s: SaveHost): number {
  let n = 0;
  for (const sh of s.engine.shards) n += sh.stats.dirty;
  return n;
}

/** Records a successful save of the dataset as it was when the dirty counter read `dirty`. */
export function markSaved(s: SaveHost, dirty = totalDirty(s)): void {
  const st = saveState(s);
  st.dirtyAtSave = dirty;
  st.lastSave = Math.floor(Date.now() / 1000);
  st.saves++;
  st.lastStatus = 'ok';
}

/** True when "save" has at least one save point (FLUSHALL and SHUTDOWN then save, as Redis). */
export function hasSavePoints(s: SaveHost): boolean {
  return (getConfigValue(s.config, 'save') ?? '') !== '';
}

/** dir/dbfilename */
export function rdbFile(s: SaveHost): string {
  return join(s.config.dir, getConfigValue(s.config, 'dbfilename') ?? 'dump.rdb');
}

/** How to write RDB data under the current config. */
export function saveOptions(s: SaveHost): RdbSaveOptions {
  return {
    compress: getConfigValue(s.config, 'rdbcompression') !== 'no',
    checksum: getConfigValue(s.config, 'rdbchecksum') !== 'no',
    listFill: getConfigNumber(s.config, 'list-max-listpack-size', -2),
    aofBase: false,
    repl: s.replicationInfo?.() ?? undefined,
  };
}

/** The replication history recorded in a loaded RDB (its repl-id, repl-offset and repl-stream-db), or null. */
export function recordedHistory(aux: ReadonlyMap<string, string>): RdbReplInfo | null {
  const replid = aux.get('repl-id') ?? '';
  const offset = Number(aux.get('repl-offset') ?? NaN);
  const streamDb = Number(aux.get('repl-stream-db') ?? NaN);
  if (!/^[0-9a-f]{40}$/.test(replid) || !Number.isSafeInteger(offset) || offset < 0 || !Number.isInteger(streamDb) || streamDb < 0) return null;
  return { replid, offset, streamDb };
}

/** The encoding limits loaded values are fitted to. */
export function loadLimits(s: SaveHost): LoadLimits {
  const cfg = s.config;
  return {
    setMaxIntsetEntries: getConfigNumber(cfg, 'set-max-intset-entries', 512),
    setMaxListpackEntries: getConfigNumber(cfg, 'set-max-listpack-entries', 128),
    setMaxListpackValue: getConfigNumber(cfg, 'set-max-listpack-value', 64),
    hashMaxListpackEntries: getConfigNumber(cfg, 'hash-max-listpack-entries', 128),
    hashMaxListpackValue: getConfigNumber(cfg, 'hash-max-listpack-value', 64),
    zsetMaxListpackEntries: getConfigNumber(cfg, 'zset-max-listpack-entries', 128),
    zsetMaxListpackValue: getConfigNumber(cfg, 'zset-max-listpack-value', 64),
  };
}

/** Saves the dataset in the foreground as dir/dbfilename; false (and logged) on failure. */
function saveRdbFile(s: SaveHost): boolean {
  const dirty = totalDirty(s);
  // Redis kills a running BGSAVE child here; its file must not replace this one
  saveState(s).syncSaves++;
  const threads = s.threadSaves;
  threads?.countSyncSave();
  try {
    saveSnapshotSync(s.engine, rdbFile(s), saveOptions(s), threads);
  } catch (e) {
    s.log('warning', `Write error saving DB on disk: ${(e as Error).message}`);
    saveState(s).lastStatus = 'err';
    threads?.saved(false);
    return false;
  }
  s.log('notice', 'DB saved on disk');
  markSaved(s, dirty);
  threads?.saved(true);
  saveState(s).afterSave?.();
  return true;
}

/** Whether a BGSAVE runs (with threads: on any thread). */
export function bgsaveRunning(s: SaveHost): boolean {
  return saveState(s).bgsaveInProgress || s.threadSaves?.backgroundRunning() === true;
}

/** Foreground saves so far (with threads: on every thread): a BGSAVE started before the latest one must not replace its file. */
function syncSaves(s: SaveHost): number {
  return s.threadSaves?.syncSaves() ?? saveState(s).syncSaves;
}

export const saveHooks: { save: (s: SaveHost) => boolean } = { save: saveRdbFile };

/** rdbSaveBackground: false when a BGSAVE is already running. */
/**
 * Whether another background job (the AOF rewrite, set by the AOF) is
 * running: Redis runs one child at a time, so BGSAVE waits for it.
 */
export const otherBackgroundJob = { active: (_s: SaveHost): boolean => false };

export function startBgsave(s: SaveHost): boolean {
  const st = saveState(s);
  const threads = s.threadSaves;
  if (st.bgsaveInProgress || (threads !== null && !threads.claimBackground())) return false;
  st.saves++;
  st.bgsaveInProgress = true;
  st.bgsaveScheduled = false;
  const started = Date.now();
  st.bgsaveStart = Math.floor(started / 1000);
  st.lastBgsaveTry = st.bgsaveStart;
  st.dirtyAtBgsave = totalDirty(s);
  s.log('notice', `Background saving started by pid ${process.pid}`);
  const gen = syncSaves(s);
  const done = (ok: boolean, err?: unknown): void => {
    st.bgsaveInProgress = false;
    st.bgsave = null;
    threads?.endBackground();
    st.lastBgsaveSecs = Math.round((Date.now() - started) / 1000);
    if (!ok && syncSaves(s) !== gen) {
      // a foreground save replaced it, as Redis kills the child then (no error status)
      s.log('notice', 'Background saving cancelled by a foreground save');
    } else if (ok) {
      s.log('notice', 'Background saving terminated with success');
      st.dirtyAtSave = st.dirtyAtBgsave;
      st.lastSave = Math.floor(Date.now() / 1000);
      st.lastStatus = 'ok';
      threads?.saved(true);
      st.afterSave?.();
    } else {
      s.log('warning', `Background saving error: ${(err as Error)?.message ?? err}`);
      st.lastStatus = 'err';
      threads?.saved(false);
    }
    if (st.bgsaveScheduled) startBgsave(s);
  };
  let p: Promise<SnapshotStats>;
  try {
    p = saveSnapshotAsync(s.engine, rdbFile(s), saveOptions(s), () => syncSaves(s) === gen, threads, () => getConfigNumber(s.config, 'rdb-key-save-delay', 0));
  } catch (e) {
    p = Promise.reject(e);
  }
  st.bgsave = p.then((stats) => {
    st.lastSnapshot = stats;
    s.log('notice', `BGSAVE: ${stats.keys} keys, ${stats.early} saved ahead of writes, longest pause ${stats.longestSliceMs.toFixed(1)} ms`);
    done(true);
  }, (e: unknown) => done(false, e));
  return true;
}

/** Removes every key of every database (emptyData), reporting them as FLUSHALL does. */
export function emptyData(s: SaveHost): void {
  const engine = s.engine;
  for (let db = 0; db < engine.databases; db++) {
    for (const ks of engine.keyspaces(db)) {
      if (ks.size === 0) continue;
      const keys = [...ks.data.keys()];
      ks.clear();
      for (const k of keys) ks.shard.emit(db, k, 'flushdb');
    }
  }
}

function loadOptions(s: SaveHost, allowDup: boolean): LoadOptions {
  return {
    limits: loadLimits(s),
    allowDup,
    dropExpired: true,
    verifyChecksum: getConfigValue(s.config, 'rdbchecksum') !== 'no' && !saveState(s).skipChecksum,
    log: (level, msg) => s.log(level, msg),
  };
}

/** Loads dir/dbfilename into the dataset (rdbLoad); throws with the reason on failure. */
export function loadRdbFile(s: SaveHost, allowDup = false): LoadResult {
  const st = saveState(s);
  const res = loadSnapshot(s.engine, rdbFile(s), loadOptions(s, allowDup));
  st.lastLoadKeysLoaded = res.keysLoaded;
  st.lastLoadKeysExpired = res.keysExpired;
  if (res.emptyKeysSkipped > 0) {
    s.log('warning', `Done loading RDB, keys loaded: ${res.keysLoaded}, keys expired: ${res.keysExpired}, empty keys skipped: ${res.emptyKeysSkipped}.`);
  } else s.log('notice', `Done loading RDB, keys loaded: ${res.keysLoaded}, keys expired: ${res.keysExpired}.`);
  return res;
}

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, flush, load back (errors as Redis replies them). */
export function debugReload(s: SaveHost, flags: { merge: boolean; flush: boolean; save: boolean }): void {
  if (flags.save && !saveHooks.save(s)) throw new CommandError('ERR');
  if (flags.flush) {
    emptyData(s);
    functionStore(s.engine).clear();
  }
  try {
    loadRdbFile(s, flags.merge);
    // with threads every thread loads its own keys from the file
    s.threadSaves?.reload(flags.merge, flags.flush);
  } catch (e) {
    s.log('warning', `Error loading the RDB file: ${(e as Error).message}`);
    throw new CommandError('ERR Error trying to load the RDB dump');
  }
}

/**
 * Start-up: loads dir/dbfilename when it exists (unless the AOF is on, which
 * the AOF loader then handles) and logs as Redis does. Throws when the file
 * can't be loaded: the server must not start with part of its data.
 */
export function loadAtStartup(s: SaveHost): RdbReplInfo | null {
  if (getConfigValue(s.config, 'appendonly') === 'yes') return null;
  const file = rdbFile(s);
  if (!existsSync(file)) return null;
  const t0 = performance.now();
  let res: LoadResult;
  try {
    res = loadRdbFile(s);
  } catch (e) {
    s.log('warning', `Fatal error loading the DB: ${(e as Error).message}. Exiting.`);
    throw new Error(`Fatal error loading the DB ${file}: ${(e as Error).message}`);
  }
  s.log('notice', `DB loaded from disk: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
  return recordedHistory(res.aux);
}

/** The save points of the "save" parameter as [seconds, changes] pairs. */
function savePoints(s: SaveHost): Array<[number, number]> {
  const v = (getConfigValue(s.config, 'save') ?? '').trim();
  if (v === '') return [];
  const p = v.split(/\s+/).map(Number);
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < p.length; i += 2) out.push([p[i]!, p[i + 1]!]);
  return out;
}

/**
 * serverCron's save check, 10 times a second: BGSAVE when a save point is
 * reached. The returned function stops it and waits for a running BGSAVE.
 */
export function startSaveSchedule(s: SaveHost): () => Promise<void> {
  const threads = s.threadSaves;
  const timer = setInterval(() => {
    const st = saveState(s);
    // with threads: thread 0 keeps the schedule, counting every thread's changes
    if (threads !== null) {
      threads.publishChanges(totalDirty(s) - st.dirtyAtSave);
      if (s.engine.threadIndex !== 0 && !st.bgsaveScheduled) return;
    }
    if (bgsaveRunning(s) || otherBackgroundJob.active(s)) return;
    const now = Math.floor(Date.now() / 1000);
    if (st.bgsaveScheduled) {
      startBgsave(s);
      return;
    }
    const changes = totalDirty(s) - st.dirtyAtSave + (threads?.othersChanges() ?? 0);
    for (const [secs, min] of savePoints(s)) {
      // after a failed save, retry only every 5 seconds (CONFIG_BGSAVE_RETRY_DELAY)
      if (changes >= min && now - st.lastSave > secs && (now - st.lastBgsaveTry > 5 || st.lastStatus === 'ok')) {
        s.log('notice', `${min} changes in ${secs} seconds. Saving...`);
        startBgsave(s);
        return;
      }
    }
  }, 100);
  timer.unref();
  return async () => {
    clearInterval(timer);
    const st = saveState(s);
    st.bgsaveScheduled = false;
    while (st.bgsave !== null) await st.bgsave;
  };
}
