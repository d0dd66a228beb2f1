/**
 * BGSAVE without stopping the world and without fork: the RDB format of a
 * SnapshotWalker (snapshot-walker.ts), which serializes the dataset a slice
 * at a time between client requests while keeping the file the dataset as it
 * was when the save started. Also the RDB preamble of an AOF rewrite's base
 * file (opts.aofBase).
 */
import type { Engine } from '../engine/engine.ts';
import type { Keyspace } from '../engine/keyspace.ts';
import type { Value } from '../datatypes/value.ts';
import { RdbOut } from './rdb-out.ts';
import { RDB_OP } from './rdb-types.ts';
import { withFileVersion, writeKeyEntry, writeRdbHeader, type RdbSaveOptions } from './rdb-writer.ts';
import { SnapshotWalker, type SnapshotFormat } from './snapshot-walker.ts';

export type { SnapshotStats } from './snapshot-walker.ts';

/**
 * What a walk writes: a whole RDB file; its header and this thread's
 * sections, the other threads' sections and the end to follow ('head'); or
 * only the sections of this thread's shards ('part'). See threads/snapshots.ts.
 */
export type SnapshotShape = 'file' | 'head' | 'part';

/** An RDB file: header, SELECTDB / RESIZEDB sections, EOF and checksum (or a share of one: SnapshotShape). */
class RdbFormat implements SnapshotFormat<RdbOut> {
  private readonly engine: Engine;
  private readonly out: RdbOut;
  private readonly opts: RdbSaveOptions;
  private readonly shape: SnapshotShape;

  constructor(engine: Engine, out: RdbOut, opts: RdbSaveOptions, shape: SnapshotShape) {
    this.engine = engine;
    this.out = out;
    this.opts = withFileVersion(engine, opts);
    this.shape = shape;
  }

  header(): void {
    if (this.shape !== 'part') writeRdbHeader(this.out, this.engine, this.opts);
  }

  selectDb(db: number, keys: number, expires: number): void {
    this.out.byte(RDB_OP.SELECTDB);
    this.out.len(db);
    this.out.byte(RDB_OP.RESIZEDB);
    this.out.len(keys);
    this.out.len(expires);
  }

  key(side: RdbOut | null, key: string, v: Value, when: number | undefined, ks: Keyspace): void {
    writeKeyEntry(side ?? this.out, key, v, when, this.opts, ks);
  }

  newSide(): RdbOut {
    return new RdbOut({ compress: this.opts.compress, checksum: false });
  }

  appendSide(side: RdbOut): void {
    this.out.bytes(side.done());
  }

  finish(): void {
    if (this.shape !== 'file') return;
    this.out.byte(RDB_OP.EOF);
    this.out.finishWithChecksum();
  }
}

/**
 * The dataset as an RDB file written to `out` (which should have a sink):
 * the point in time is the construction; run() writes it.
 */
export class IncrementalSnapshot extends SnapshotWalker<RdbOut> {
  constructor(engine: Engine, out: RdbOut, opts: RdbSaveOptions, shape: SnapshotShape = 'file') {
    super(engine, new RdbFormat(engine, out, opts, shape));
  }

  /** Stops watching writes without saving (the file could not be opened). */
  abort(): void {
    this.cancel();
  }
}
