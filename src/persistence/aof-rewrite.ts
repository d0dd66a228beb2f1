/**
 * The content of a new AOF base file: the dataset as an RDB file
 * (aof-use-rdb-preamble yes, the `aof-base` aux field set) or as commands
 * (rewriteAppendOnlyFileRio: SELECT, SET / RPUSH / SADD / ZADD / HMSET in
 * batches of 64 items, PEXPIREAT, FUNCTION LOAD). Streams are written as
 * RESTORE with their DUMP payload rather than Redis's XADD / XSETID /
 * XGROUP sequence (same content, loads in Redis too).
 *
 * A background rewrite (BaseRewrite) serializes the dataset incrementally
 * through a SnapshotWalker — a slice at a time between client requests, the
 * output still the dataset as of the rewrite's start — and streams it to the
 * temp file as it goes. The base of an empty dataset at start-up is written
 * in the foreground (serializeBase / writeBaseSync).
 */
import type { HashValue } from '../datatypes/hash.ts';
import type { Engine } from '../engine/engine.ts';
import { isString, stringOf, type CollectionValue, type Value } from '../datatypes/value.ts';
import { dumpPayload, type RdbSaveOptions } from './rdb-writer.ts';
import { functionStore } from './rdb-functions.ts';
import { encodeCommand } from './aof-writer.ts';
import { fsyncDir } from './aof-manifest.ts';
import { RdbOut } from './rdb-out.ts';
import { IncrementalSnapshot, type SnapshotShape } from './incremental-rdb.ts';
import { RDB_OP } from './rdb-types.ts';
import { SnapshotWalker, type SnapshotFormat, type SnapshotStats } from './snapshot-walker.ts';
import { ChunkQueue, appendPartFile, discardPartFiles } from './chunk-file.ts';
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { open, unlink } from 'node:fs/promises';

/** AOF_REWRITE_ITEMS_PER_CMD */
const ITEMS_PER_CMD = 64;
/** Commands accumulate up to this many characters before becoming a chunk. */
const CHUNK_CHARS = 1 << 20;

/** Commands accumulated as a string, handed over in chunks (to a sink, or kept). */
class CommandOut {
  private acc = '';
  readonly chunks: Buffer[] = [];
  private readonly sink: ((chunk: Buffer) => void) | null;

  constructor(sink: ((chunk: Buffer) => void) | null) {
    this.sink = sink;
  }

  emit(args: readonly string[]): void {
    this.acc += encodeCommand(args);
    if (this.acc.length >= CHUNK_CHARS) this.commit();
  }

  /** Bytes already encoded (another CommandOut's chunks), after what was emitted so far. */
  append(b: Buffer): void {
    this.commit();
    if (this.sink !== null) this.sink(b);
    else this.chunks.push(b);
  }

  commit(): void {
    if (this.acc === '') return;
    const b = Buffer.from(this.acc, 'latin1');
    this.acc = '';
    if (this.sink !== null) this.sink(b);
    else this.chunks.push(b);
  }
}

/** The base as commands (aof-use-rdb-preamble no). */
class CommandFormat implements SnapshotFormat<CommandOut> {
  private readonly engine: Engine;
  private readonly out: CommandOut;
  private readonly opts: RdbSaveOptions;

  private readonly part: boolean;

  constructor(engine: Engine, out: CommandOut, opts: RdbSaveOptions, part = false) {
    this.engine = engine;
    this.out = out;
    this.opts = opts;
    this.part = part;
  }

  header(): void {
    if (this.part) return;
    for (const code of functionStore(this.engine).list()) this.out.emit(['FUNCTION', 'LOAD', code]);
  }

  selectDb(db: number): void {
    this.out.emit(['SELECT', String(db)]);
  }

  key(side: CommandOut | null, key: string, v: Value, when: number | undefined): void {
    const out = side ?? this.out;
    emitKey(out, key, v, this.opts);
    if (when !== undefined) out.emit(['PEXPIREAT', key, String(when)]);
  }

  newSide(): CommandOut {
    return new CommandOut(null);
  }

  appendSide(side: CommandOut): void {
    side.commit();
    for (const c of side.chunks) this.out.append(c);
  }

  finish(): void {
    this.out.commit();
  }
}

function emitKey(out: CommandOut, key: string, v: Value, opts: RdbSaveOptions): void {
  if (isString(v)) {
    out.emit(['SET', key, stringOf(v)]);
    return;
  }
  const cv = v as CollectionValue;
  if (cv.type === 'stream') {
    out.emit(['RESTORE', key, '0', dumpPayload(v, opts).toString('latin1')]);
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
      out.emit(batch);
      batch = [name, key];
      items = 0;
    }
  }
  if (items > 0) out.emit(batch);
  // field TTLs as absolute times (rewriteHashObject: one HPEXPIREAT per field)
  if (cv.type !== 'hash' || !(cv as HashValue).hasFieldTtls()) return;
  // in the hash's own order: a listpackex is rebuilt in the same order when the file is loaded
  const h = cv as HashValue;
  h.forEach((f) => {
    const at = h.fieldExpireAt(f);
    if (at !== 0) out.emit(['HPEXPIREAT', key, String(at), 'FIELDS', '1', f]);
  });
}

interface BaseWalk {
  walker: SnapshotWalker<unknown>;
  chunks: Buffer[];
  /** Appends bytes another thread wrote (its part) to the output. */
  append(b: Buffer): void;
  /** Ends the output (an RDB's EOF and checksum) once the walk and every part are written. */
  end(): void;
}

/**
 * A walk writing the base of the dataset as of now (RDB with the aof-base
 * aux field, or commands) to `sink` (else kept in `chunks`). With threads the
 * first thread writes the 'head' (header and its own sections, the parts
 * and end to follow) and every other thread a 'part' (its sections only).
 */
function baseWalker(engine: Engine, rdb: boolean, opts: RdbSaveOptions, sink: ((chunk: Buffer) => void) | null, shape: SnapshotShape = 'file'): BaseWalk {
  if (rdb) {
    const chunks: Buffer[] = [];
    const out = new RdbOut({ compress: opts.compress, checksum: opts.checksum && shape !== 'part', sink: sink ?? ((c) => chunks.push(c)) });
    return {
      walker: new IncrementalSnapshot(engine, out, { ...opts, aofBase: true }, shape) as SnapshotWalker<unknown>, chunks,
      append: (b) => out.bytes(b),
      end: () => {
        if (shape === 'head') {
          out.byte(RDB_OP.EOF);
          out.finishWithChecksum();
        } else if (shape === 'part') out.done();
      },
    };
  }
  const out = new CommandOut(sink);
  return {
    walker: new SnapshotWalker(engine, new CommandFormat(engine, out, opts, shape === 'part')) as SnapshotWalker<unknown>, chunks: out.chunks,
    append: (b) => out.append(b),
    end: () => out.commit(),
  };
}

/** Serializes the dataset now, in the foreground; returns the chunks of the base file. */
export function serializeBase(engine: Engine, rdb: boolean, opts: RdbSaveOptions): Buffer[] {
  const { walker, chunks } = baseWalker(engine, rdb, opts, null);
  walker.runSync();
  return chunks;
}

/**
 * A background rewrite's base file: the point in time is the construction
 * (the caller opens the new incr file in the same turn); write() streams the
 * serialization to a file as it goes and fsyncs it.
 */
export class BaseRewrite {
  private readonly queue = new ChunkQueue();
  private readonly walker: SnapshotWalker<unknown>;
  private readonly walk: BaseWalk;
  /** With threads: the other threads' parts, written as of the same point in time. */
  private readonly theirs: Promise<string[]> | null;

  constructor(engine: Engine, rdb: boolean, opts: RdbSaveOptions, theirs: Promise<string[]> | null = null, shape: SnapshotShape = theirs === null ? 'file' : 'head') {
    this.walk = baseWalker(engine, rdb, opts, this.queue.push, shape);
    this.walker = this.walk.walker;
    this.theirs = theirs;
  }

  get stats(): SnapshotStats {
    return this.walker.stats;
  }

  /** Stops the walk (a running write() rejects soon, its file removed). */
  cancel(): void {
    this.walker.cancel();
  }

  /** Writes the whole base to `file`; on failure (or cancel) the file is removed and the promise rejects. */
  async write(file: string): Promise<SnapshotStats> {
    let fh;
    try {
      fh = await open(file, 'w');
    } catch (e) {
      this.walker.cancel();
      throw e;
    }
    try {
      const flush = (): Promise<void> => this.queue.writeTo(fh);
      await this.walker.run(flush);
      await flush();
      if (this.theirs !== null) {
        for (const part of await this.theirs) await appendPartFile(part, (b) => this.walk.append(b), flush);
      }
      this.walk.end();
      await flush();
      await fh.sync();
    } catch (e) {
      this.walker.cancel();
      await fh.close().catch(() => {});
      await unlink(file).catch(() => {});
      await discardPartFiles(this.theirs);
      throw e;
    }
    await fh.close();
    return this.walker.stats;
  }
}

/** With threads: this thread's share of a new base (its sections, as of now) written to `file` in the background. */
export function writeBasePart(engine: Engine, rdb: boolean, opts: RdbSaveOptions, file: string): Promise<SnapshotStats> {
  return new BaseRewrite(engine, rdb, opts, null, 'part').write(file);
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
