/**
 * Writing a background walk's output to a file: the chunks a sink queues
 * between slices, written in order (ChunkQueue), and the part files other
 * threads wrote, copied in after (appendPartFile). Shared by BGSAVE, the
 * parts of a multi-threaded BGSAVE and the AOF rewrite's base.
 */
import { open, unlink, type FileHandle } from 'node:fs/promises';

export class ChunkQueue {
  private queue: Buffer[] = [];
  /** A sink for RdbOut / CommandOut. */
  readonly push = (chunk: Buffer): void => {
    this.queue.push(chunk);
  };

  /** Writes every queued chunk to `fh`, in order (chunks queued meanwhile too). */
  async writeTo(fh: FileHandle): Promise<void> {
    while (this.queue.length !== 0) {
      const batch = this.queue;
      this.queue = [];
      for (const chunk of batch) {
        let off = 0;
        while (off < chunk.length) off += (await fh.write(chunk, off, chunk.length - off)).bytesWritten;
      }
    }
  }
}

/** Copies another thread's part file into an output in 1 MiB chunks (`flush` after each), then removes it. */
export async function appendPartFile(part: string, append: (b: Buffer) => void, flush: () => Promise<void>): Promise<void> {
  const fh = await open(part, 'r');
  try {
    for (;;) {
      // a fresh buffer each time: an output may keep the one it is given
      const buf = Buffer.allocUnsafe(1 << 20);
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      append(buf.subarray(0, bytesRead));
      await flush();
    }
  } finally {
    await fh.close();
    await unlink(part).catch(() => {});
  }
}

/** Removes the part files of a background save that failed. */
export async function discardPartFiles(theirs: Promise<string[]> | null): Promise<void> {
  if (theirs === null) return;
  for (const p of await theirs.catch(() => [] as string[])) await unlink(p).catch(() => {});
}
