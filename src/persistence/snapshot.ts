/**
 * RDB files on disk: saving atomically (a temp file in the same directory,
 * fsync, rename, fsync of the directory, as rdbSave does) in the foreground
 * or with the write done asynchronously, and loading a file in chunks.
 */
import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { writeRdbTo, type RdbSaveOptions } from './rdb-writer.ts';
import { RdbOut } from './rdb-out.ts';
import { IncrementalSnapshot, type SnapshotStats } from './incremental-rdb.ts';
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
export function saveSnapshotSync(engine: Engine, file: string, opts: RdbSaveOptions): void {
  const tmp = join(dirname(file), `temp-${process.pid}.rdb`);
  const fd = openSync(tmp, 'w');
  try {
    writeRdbTo(engine, { ...opts, sink: (chunk) => writeAll(fd, chunk) });
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
 * `stillWanted()` holds. Resolves with the save's statistics.
 */
export async function saveSnapshotAsync(engine: Engine, file: string, opts: RdbSaveOptions, stillWanted: () => boolean = () => true): Promise<SnapshotStats> {
  // the point in time is now: the snapshot starts watching writes before anything is awaited
  let queue: Buffer[] = [];
  const out = new RdbOut({ compress: opts.compress, checksum: opts.checksum, sink: (chunk) => queue.push(chunk) });
  const snap = new IncrementalSnapshot(engine, out, opts);
  const tmp = join(dirname(file), `temp-bg-${process.pid}.rdb`);
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'w');
  } catch (e) {
    snap.abort();
    throw e;
  }
  let stats: SnapshotStats;
  try {
    const flush = async (): Promise<void> => {
      while (queue.length !== 0) {
        const batch = queue;
        queue = [];
        for (const chunk of batch) {
          let off = 0;
          while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
        }
      }
    };
    await snap.run(flush);
    await flush();
    stats = snap.stats;
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
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
