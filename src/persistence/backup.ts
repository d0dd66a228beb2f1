/**
 * Backups to S3-compatible storage (docs/backups.md): BACKUP NOW, the
 * backup-s3-schedule timer and backup-s3-on-save take a fresh snapshot with
 * the BGSAVE machinery (dir/dbfilename) and upload that file in the
 * background (backup-s3.ts, loaded on first use); the oldest backups beyond
 * backup-s3-retention are deleted after each successful upload. At start-up
 * with an empty data directory the newest backup is downloaded, checked
 * against its SHA-256 and loaded; a corrupt or unreachable backup stops the
 * start-up, as an unreadable RDB does.
 *
 * With threads, any thread may run a backup; it tells the others its state
 * (a 'backup-state' notice) so INFO and BACKUP NOW answer alike everywhere.
 * The schedule runs on the first thread.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { getConfigNumber, getConfigValue } from '../config/config.ts';
import { CommandError } from '../commands/core/errors.ts';
import { backupKey, backupTarget, type BackupObject, type BackupTarget } from './backup-target.ts';
import { bgsaveRunning, otherBackgroundJob, rdbFile, saveState, startBgsave, type SaveHost } from './save-state.ts';

/** What backups read of the server. */
export interface BackupHost extends SaveHost {
  /** Names this server's backups (with the time). */
  readonly runId: string;
}

/** A state notice between threads: the fields of BackupStatus. */
export type BackupNotice = { op: 'backup-state' } & BackupStatus;

/** What INFO and BACKUP STATUS report. */
export interface BackupStatus {
  inProgress: boolean;
  /** 'ok' / 'err' of the last backup, '' before any. */
  lastStatus: '' | 'ok' | 'err';
  /** Why the last backup failed ('' when it did not). */
  lastError: string;
  /** Unix time (s) the last backup ended, 0 before any. */
  lastTime: number;
  /** Seconds the last backup took, -1 before any. */
  lastSecs: number;
  /** The object the last successful backup wrote, and its size. */
  lastKey: string;
  lastSize: number;
  /** Successful and failed backups since start-up. */
  count: number;
  failures: number;
}

interface BackupState extends BackupStatus {
  /** The running backup (settles when it ended, either way). */
  running: Promise<void> | null;
  /** When (ms) the schedule last started one, or the server started. */
  lastScheduled: number;
  /** With threads: tells every other thread; null alone. */
  tellOthers: ((m: BackupNotice) => void) | null;
  stopped: boolean;
}

const states = new WeakMap<BackupHost, BackupState>();

function stateOf(s: BackupHost): BackupState {
  let st = states.get(s);
  if (st === undefined) {
    st = {
      inProgress: false, lastStatus: '', lastError: '', lastTime: 0, lastSecs: -1, lastKey: '', lastSize: 0, count: 0, failures: 0,
      running: null, lastScheduled: Date.now(), tellOthers: null, stopped: false,
    };
    states.set(s, st);
  }
  return st;
}

/** A copy of the status, as INFO and BACKUP STATUS show it. */
export function backupStatus(s: BackupHost): BackupStatus {
  const { inProgress, lastStatus, lastError, lastTime, lastSecs, lastKey, lastSize, count, failures } = stateOf(s);
  return { inProgress, lastStatus, lastError, lastTime, lastSecs, lastKey, lastSize, count, failures };
}

function publish(s: BackupHost): void {
  const st = stateOf(s);
  st.tellOthers?.({ op: 'backup-state', ...backupStatus(s) });
}

/** With threads: another thread's backup changed state. */
export function applyBackupNotice(s: BackupHost, m: BackupNotice): void {
  const { inProgress, lastStatus, lastError, lastTime, lastSecs, lastKey, lastSize, count, failures } = m;
  Object.assign(stateOf(s), { inProgress, lastStatus, lastError, lastTime, lastSecs, lastKey, lastSize, count, failures });
}

export const NOT_CONFIGURED = 'ERR Backups are not configured: set backup-s3-bucket (and backup-s3-endpoint for S3-compatible storage other than AWS)';
export const BACKUP_BUSY = 'ERR A backup is already in progress: see INFO backup or BACKUP STATUS';

/** The target, or the error BACKUP answers when backups are off. */
export function requireTarget(s: BackupHost): BackupTarget {
  const t = backupTarget(s.config);
  if (t === null) throw new CommandError(NOT_CONFIGURED);
  return t;
}

type S3Module = typeof import('./backup-s3.ts');
let s3mod: Promise<S3Module> | null = null;
/** The AWS SDK is loaded only by servers that use backups. */
export function s3(): Promise<S3Module> {
  return (s3mod ??= import('./backup-s3.ts'));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Takes a fresh snapshot in dir/dbfilename with the BGSAVE machinery (after any save already running). */
async function freshSnapshot(s: BackupHost, st: BackupState): Promise<void> {
  for (;;) {
    if (st.stopped) throw new Error('the server is shutting down');
    if (!bgsaveRunning(s) && !otherBackgroundJob.active(s) && startBgsave(s)) break;
    await sleep(20);
  }
  const save = saveState(s);
  if (save.bgsave !== null) await save.bgsave;
  if (save.lastStatus !== 'ok') throw new Error('the snapshot failed (see the Background saving error above)');
}

/** Deletes the oldest backups beyond backup-s3-retention (0: keep all); logs what it deleted. */
async function applyRetention(s: BackupHost, mod: S3Module, client: ReturnType<S3Module['s3Client']>, t: BackupTarget): Promise<void> {
  const keep = getConfigNumber(s.config, 'backup-s3-retention', 0);
  if (keep <= 0) return;
  const all = await mod.listBackups(client, t, false);
  for (const old of all.slice(keep)) {
    await mod.deleteBackup(client, t, old.key);
    s.log('notice', `Backup retention: deleted s3://${t.bucket}/${old.key}`);
  }
}

/** One backup: snapshot, upload, retention; the outcome goes to the state and the log, never thrown. */
async function runBackup(s: BackupHost, st: BackupState, t: BackupTarget, why: string, snapshot: boolean): Promise<void> {
  const started = Date.now();
  s.log('notice', `Backup to s3://${t.bucket}/${t.prefix} started (${why})`);
  try {
    if (snapshot) await freshSnapshot(s, st);
    const mod = await s3();
    const client = mod.s3Client(t);
    try {
      const key = backupKey(t.prefix, s.runId);
      const up = await mod.uploadFile(client, t, rdbFile(s), key);
      st.lastKey = key;
      st.lastSize = up.size;
      s.log('notice', `Backup uploaded to s3://${t.bucket}/${key}: ${up.size} bytes, sha256 ${up.sha256}`);
      try {
        await applyRetention(s, mod, client, t);
      } catch (e) {
        // the backup itself is safe: the next upload retries the retention
        s.log('warning', `Backup retention failed: ${mod.s3ErrorText(e)}`);
      }
    } finally {
      client.destroy();
    }
    st.lastStatus = 'ok';
    st.lastError = '';
    st.count++;
  } catch (e) {
    const text = s3mod === null ? (e as Error).message : (await s3()).s3ErrorText(e);
    s.log('warning', `Backup to S3 failed: ${text}`);
    st.lastStatus = 'err';
    st.lastError = text;
    st.failures++;
  }
  st.lastTime = Math.floor(Date.now() / 1000);
  st.lastSecs = Math.round((Date.now() - started) / 1000);
}

/**
 * Starts a backup in the background. `snapshot` false uploads the file a
 * save just wrote (backup-s3-on-save). Throws the error BACKUP NOW answers
 * when backups are off or one is running.
 */
export function startBackup(s: BackupHost, why: string, snapshot = true): Promise<void> {
  const t = requireTarget(s);
  const st = stateOf(s);
  if (st.inProgress) throw new CommandError(BACKUP_BUSY);
  if (st.stopped) throw new CommandError('ERR The server is shutting down');
  st.inProgress = true;
  publish(s);
  const p = runBackup(s, st, t, why, snapshot).finally(() => {
    st.inProgress = false;
    st.running = null;
    publish(s);
  });
  st.running = p;
  return p;
}

/** The backups under the prefix, newest first, each with its recorded SHA-256. */
export async function listBackupObjects(s: BackupHost): Promise<BackupObject[]> {
  const t = requireTarget(s);
  const mod = await s3();
  const client = mod.s3Client(t);
  try {
    return await mod.listBackups(client, t, true);
  } catch (e) {
    throw new CommandError(`ERR Listing backups failed: ${mod.s3ErrorText(e).replace(/[\r\n]+/g, ' ')}`);
  } finally {
    client.destroy();
  }
}

/**
 * Starts the schedule (the first thread's) and the on-save uploads. With
 * threads, `tellOthers` reaches the other threads. The returned function
 * stops both and waits for a running backup.
 */
export function startBackups(s: BackupHost, tellOthers: ((m: BackupNotice) => void) | null): () => Promise<void> {
  const st = stateOf(s);
  st.tellOthers = tellOthers;
  st.lastScheduled = Date.now();
  saveState(s).afterSave = () => {
    if (getConfigValue(s.config, 'backup-s3-on-save') !== 'yes' || backupTarget(s.config) === null || st.inProgress || st.stopped) return;
    void startBackup(s, 'after a save', false);
  };
  const timer = setInterval(() => {
    if (s.engine.threadIndex !== 0 || st.inProgress || st.stopped) return;
    const every = getConfigNumber(s.config, 'backup-s3-schedule', 0);
    if (every <= 0 || backupTarget(s.config) === null) {
      st.lastScheduled = Date.now();
      return;
    }
    if (Date.now() - st.lastScheduled < every * 1000) return;
    st.lastScheduled = Date.now();
    void startBackup(s, `every ${every} seconds`);
  }, 200);
  timer.unref();
  return async () => {
    st.stopped = true;
    clearInterval(timer);
    while (st.running !== null) await st.running;
  };
}

/**
 * Start-up (the first thread, before anything loads): with backups
 * configured and a data directory holding neither dir/dbfilename nor an
 * AOF, the newest backup becomes dir/dbfilename. True when it did; throws
 * (the server must not start) when the backup is corrupt or can't be read.
 */
export async function restoreAtStartup(s: BackupHost): Promise<boolean> {
  const t = backupTarget(s.config);
  if (t === null) return false;
  const file = rdbFile(s);
  const aofDir = join(s.config.dir, getConfigValue(s.config, 'appenddirname') ?? 'appendonlydir');
  const legacyAof = join(s.config.dir, getConfigValue(s.config, 'appendfilename') ?? 'appendonly.aof');
  if (existsSync(file) || existsSync(aofDir) || existsSync(legacyAof)) return false;
  const where = `s3://${t.bucket}/${t.prefix}`;
  const mod = await s3();
  const client = mod.s3Client(t);
  try {
    let newest: BackupObject | undefined;
    try {
      newest = (await mod.listBackups(client, t, false))[0];
    } catch (e) {
      s.log('warning', `Fatal error: the data directory is empty and the backups in ${where} can't be listed: ${mod.s3ErrorText(e)}. Exiting.`);
      throw new Error(`Backups in ${where} can't be listed: ${mod.s3ErrorText(e)}`);
    }
    if (newest === undefined) {
      s.log('notice', `No backup in ${where}: starting with an empty dataset`);
      return false;
    }
    s.log('notice', `The data directory is empty: restoring the newest backup s3://${t.bucket}/${newest.key} (${newest.size} bytes)`);
    const t0 = performance.now();
    try {
      await mkdir(dirname(file), { recursive: true });
      const got = await mod.downloadBackup(client, t, newest.key, file);
      s.log('notice', `Backup downloaded to ${file}: ${got.size} bytes, sha256 ${got.sha256} verified, ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
    } catch (e) {
      const text = e instanceof mod.CorruptBackupError ? e.message : mod.s3ErrorText(e);
      s.log('warning', `Fatal error restoring the backup: ${text}. Exiting.`);
      throw new Error(`Restoring s3://${t.bucket}/${newest.key} failed: ${text}`);
    }
    return true;
  } finally {
    client.destroy();
  }
}
