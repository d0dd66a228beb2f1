/**
 * RDB files on disk: saving atomically (a temp file in the same directory,
 * fsync, rename, fsync of the directory, as rdbSave does) in the foreground
 * or with the write done asynchronously, and loading a file in chunks.
 */
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { withFileVersion, writeRdbSections, writeRdbTo, type RdbSaveOptions } from './rdb-writer.ts';
import { RdbOut } from './rdb-out.ts';
import { IncrementalSnapshot, type SnapshotStats } from './incremental-rdb.ts';
import { ChunkQueue, appendPartFile, discardPartFiles } from './chunk-file.ts';
import { RDB_OP } from './rdb-types.ts';

/**
 * With threads, the shares of the dataset the other threads own
 * (threads/snapshots.ts): this thread writes the header and its own
 * sections, then theirs, then the end.
 */
export interface OtherParts {
  /** Their sections as of now (SAVE: they are held meanwhile). */
  now(opts: RdbSaveOptions): Uint8Array[];
  /**
   * Starts their background walks as of now, each writing its sections to
   * a file in `dir`; resolves with the files once all are written.
   */
  start(opts: RdbSaveOptions, dir: string): Promise<string[]>;
}

/**
 * What snapshots need from the other threads beyond their parts: one
 * background save for the whole server, the foreground saves that
 * supersede it, the outcome that resets every thread's change count, the
 * changes the save schedule counts, and DEBUG RELOAD on every thread.
 */
export interface ThreadSaves extends OtherParts {
  /** Claims the server's one background save; false when one runs on any thread. */
  claimBackground(): boolean;
  endBackground(): void;
  backgroundRunning(): boolean;
  /** Foreground saves so far, on every thread. */
  syncSaves(): number;
  countSyncSave(): void;
  /** The save whose parts the other threads wrote succeeded (their changes since it restart from their cut) or failed. */
  saved(ok: boolean): void;
  /** This thread's changes since the last save, for thread 0's save schedule; and the sum of every other thread's. */
  publishChanges(n: number): void;
  othersChanges(): number;
  /** DEBUG RELOAD's flush and load on every other thread. */
  reload(merge: boolean, flush: boolean): void;
}
import { RdbIn } from './rdb-in.ts';
import { loadRdb, type LoadOptions, type LoadResult } from './rdb-load.ts';

function writeAll(fd: number, chunk: Buffer): void {
  let off = 0;
  while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
}

/** fsyncFileDir: makes a rename durable. */
function fsyncDir(file: string): void {
  let fd = -1;
  try {
    fd = openSync(dirname(file), constants.O_RDONLY);
    fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on a directory; the rename is done either way
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Writes the dataset to `file` in the foreground; throws on an I/O error (the old file stays). */
export function saveSnapshotSync(engine: Engine, file: string, options: RdbSaveOptions, others: OtherParts | null = null): void {
  // one RDB version for the file, every thread's part included
  const opts = withFileVersion(engine, options);
  const tmp = join(dirname(file), `temp-${process.pid}.rdb`);
  const fd = openSync(tmp, 'w');
  try {
    writeRdbTo(engine, { ...opts, sink: (chunk) => writeAll(fd, chunk), parts: others === null ? undefined : () => others.now(opts) });
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  fsyncDir(file);
}

/**
 * BGSAVE: the dataset is serialized a slice at a time between client
 * requests (IncrementalSnapshot keeps the file a point-in-time view) and
 * written as it goes. The file is renamed into place only while
 * `stillWanted()` holds. Resolves with the save's statistics. `keyDelayUs`
 * (rdb-key-save-delay) slows this thread's walk down as Redis's child.
 */
export async function saveSnapshotAsync(
  engine: Engine,
  file: string,
  options: RdbSaveOptions,
  stillWanted: () => boolean = () => true,
  others: OtherParts | null = null,
  keyDelayUs: () => number = () => 0,
): Promise<SnapshotStats> {
  const opts = withFileVersion(engine, options);
  // the point in time is now: the snapshot starts watching writes before anything is awaited (here and on every thread)
  const queue = new ChunkQueue();
  const out = new RdbOut({ compress: opts.compress, checksum: opts.checksum, sink: queue.push });
  const theirs = others?.start(opts, dirname(file)) ?? null;
  const snap = new IncrementalSnapshot(engine, out, opts, theirs === null ? 'file' : 'head');
  const tmp = join(dirname(file), `temp-bg-${process.pid}.rdb`);
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'w');
  } catch (e) {
    snap.abort();
    await discardPartFiles(theirs);
    throw e;
  }
  let stats: SnapshotStats;
  try {
    const flush = (): Promise<void> => queue.writeTo(fh);
    await snap.run(flush, keyDelayUs);
    await flush();
    if (theirs !== null) {
      // the other threads' sections, then the end
      for (const part of await theirs) await appendPartFile(part, (b) => out.bytes(b), flush);
      out.byte(RDB_OP.EOF);
      out.finishWithChecksum();
      await flush();
    }
    stats = snap.stats;
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    await discardPartFiles(theirs);
    throw e;
  }
  await fh.close();
  // a foreground save made meanwhile holds newer data: this snapshot must not replace it
  if (!stillWanted()) {
    await unlink(tmp).catch(() => {});
    throw new Error('superseded by a foreground save');
  }
  try {
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  fsyncDir(file);
  return stats;
}

/** With threads: this thread's sections of the dataset as of now (a part of SAVE's file). */
export function sectionsNow(engine: Engine, opts: RdbSaveOptions): Uint8Array {
  const out = new RdbOut({ compress: opts.compress, checksum: false });
  writeRdbSections(out, engine, opts);
  return out.done();
}

/**
 * With threads: this thread's sections of the dataset as of now, walked in
 * the background like BGSAVE's and written to `file` (a part of BGSAVE's).
 */
export async function savePartAsync(engine: Engine, file: string, opts: RdbSaveOptions): Promise<SnapshotStats> {
  const queue = new ChunkQueue();
  const out = new RdbOut({ compress: opts.compress, checksum: false, sink: queue.push });
  const snap = new IncrementalSnapshot(engine, out, opts, 'part');
  let fh: FileHandle;
  try {
    fh = await open(file, 'w');
  } catch (e) {
    snap.abort();
    throw e;
  }
  try {
    await snap.run(() => queue.writeTo(fh));
    // what is still buffered goes to the sink
    out.done();
    await queue.writeTo(fh);
  } catch (e) {
    await fh.close();
    await unlink(file).catch(() => {});
    throw e;
  }
  await fh.close();
  return snap.stats;
}

/** Loads `file` into the engine, reading it in chunks. Throws RdbError / I/O errors. */
export function loadSnapshot(engine: Engine, file: string, opts: LoadOptions): LoadResult {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const inp = new RdbIn(Buffer.alloc(0), {
      src: (buf, off, len) => readSync(fd, buf, off, len, null),
      size,
      checksum: opts.verifyChecksum,
    });
    return loadRdb(inp, engine, opts);
  } finally {
    closeSync(fd);
  }
}
