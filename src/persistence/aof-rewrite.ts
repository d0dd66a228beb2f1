/**
 * The content of a new AOF base file: the dataset as an RDB file
 * (aof-use-rdb-preamble yes, the `aof-base` aux field set) or as commands
 * (rewriteAppendOnlyFileRio: SELECT, SET / RPUSH / SADD / ZADD / HMSET in
 * batches of 64 items, PEXPIREAT, FUNCTION LOAD). Streams are written as
 * RESTORE with their DUMP payload rather than Redis's XADD / XSETID /
 * XGROUP sequence (same content, loads in Redis too).
 *
 * The serialization is synchronous (a point-in-time copy without a fork);
 * the caller writes the chunks to disk asynchronously.
 */
import type { Engine } from '../engine/engine.ts';
import { isString, stringOf, type CollectionValue, type Value } from '../datatypes/value.ts';
import { dumpPayload, writeRdbTo, type RdbSaveOptions } from './rdb-writer.ts';
import { functionStore } from './rdb-functions.ts';
import { encodeCommand } from './aof-writer.ts';
import { fsyncDir } from './aof-manifest.ts';
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';

const ITEMS_PER_CMD = 64;

/** Serializes the dataset now; returns the chunks of the base file. */
export function serializeBase(engine: Engine, rdb: boolean, opts: RdbSaveOptions): Buffer[] {
  const chunks: Buffer[] = [];
  if (rdb) {
    writeRdbTo(engine, { ...opts, aofBase: true, sink: (c) => chunks.push(c) });
    return chunks;
  }
  let acc = '';
  const emit = (args: readonly string[]): void => {
    acc += encodeCommand(args);
    if (acc.length > 1 << 20) {
      chunks.push(Buffer.from(acc, 'latin1'));
      acc = '';
    }
  };
  for (const code of functionStore(engine).list()) emit(['FUNCTION', 'LOAD', code]);
  const now = engine.now();
  for (let db = 0; db < engine.databases; db++) {
    let selected = false;
    for (const ks of engine.keyspaces(db)) {
      for (const [key, v] of ks.data) {
        const when = ks.expires.size !== 0 ? ks.expires.get(key) : undefined;
        if (when !== undefined && when <= now) continue;
        if (!selected) {
          emit(['SELECT', String(db)]);
          selected = true;
        }
        emitKey(emit, key, v as Value, opts);
        if (when !== undefined) emit(['PEXPIREAT', key, String(when)]);
      }
    }
  }
  if (acc !== '') chunks.push(Buffer.from(acc, 'latin1'));
  return chunks;
}

function emitKey(emit: (args: readonly string[]) => void, key: string, v: Value, opts: RdbSaveOptions): void {
  if (isString(v)) {
    emit(['SET', key, stringOf(v)]);
    return;
  }
  const cv = v as CollectionValue;
  if (cv.type === 'stream') {
    emit(['RESTORE', key, '0', dumpPayload(v, opts).toString('latin1')]);
    return;
  }
  const name = cv.type === 'list' ? 'RPUSH' : cv.type === 'set' ? 'SADD' : cv.type === 'zset' ? 'ZADD' : 'HMSET';
  const pairs = cv.type === 'zset' || cv.type === 'hash';
  let batch: string[] = [name, key];
  let items = 0;
  let first: string | null = null;
  for (const e of cv.entries()) {
    if (pairs && first === null) {
      first = e;
      continue;
    }
    // zset entries are member, score; ZADD takes score, member
    if (pairs) {
      if (cv.type === 'zset') batch.push(e, first!);
      else batch.push(first!, e);
      first = null;
    } else batch.push(e);
    if (++items === ITEMS_PER_CMD) {
      emit(batch);
      batch = [name, key];
      items = 0;
    }
  }
  if (items > 0) emit(batch);
}

/** Writes a file atomically in the foreground (temp file, fsync, rename, fsync dir). */
export function writeBaseSync(file: string, chunks: Buffer[]): void {
  const tmp = `${file}.tmp`;
  writeAllSync(tmp, Buffer.concat(chunks));
  renameSync(tmp, file);
  fsyncDir(file.slice(0, file.lastIndexOf('/')));
}

function writeAllSync(path: string, b: Buffer): void {
  const fd = openSync(path, 'w');
  try {
    let off = 0;
    while (off < b.length) off += writeSync(fd, b, off, b.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes the chunks to `file` asynchronously and fsyncs it. */
export async function writeBaseAsync(file: string, chunks: Buffer[]): Promise<void> {
  const fh = await open(file, 'w');
  try {
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i]!;
      let off = 0;
      while (off < c.length) off += (await fh.write(c, off, c.length - off)).bytesWritten;
      chunks[i] = Buffer.alloc(0);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}
