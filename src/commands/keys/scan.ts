/** SCAN over every shard of the selected database, and the shared SCAN loop for collections. */
import { scanShard } from '../../engine/server-wide.ts';
import { command, type CommandSpec } from '../core/spec.ts';
import { parseScanArgs } from '../core/scan-args.ts';
import type { CursorTable } from '../../engine/cursors.ts';
import type { ReplyWriter } from '../../protocol/reply-writer.ts';

/**
 * One step of a cursor iteration: visits up to `count` items of `source`
 * from `cursor`; returns the next cursor (0 when done) and the visited items.
 */
export function scanStep<T>(table: CursorTable<T>, cursor: number, start: () => Iterator<T>, count: number, out: T[]): number {
  const it = table.open(cursor, start);
  for (let i = 0; i < count; i++) {
    const r = it.next();
    if (r.done) return 0;
    out.push(r.value);
  }
  return table.save(it);
}

/** Writes a SCAN-family reply: [cursor, [items...]]. */
export function writeScanReply(reply: ReplyWriter, cursor: number, items: readonly string[]): void {
  reply.array(2);
  reply.bulk(String(cursor));
  reply.bulkArray(items);
}

/**
 * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] — over every shard of
 * the selected db, shard after shard. The cursor packs both positions:
 * tableCursor * shards + shard index, where tableCursor is the key table's
 * cursor, a position in its 32-bit hash space (KeyTable.scan: every key
 * present for the whole iteration is returned exactly once, whatever the
 * table does between calls). Expired keys are dropped.
 */
const scan = command({
  name: 'scan', arity: -2, flags: ['readonly'], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic',
  handler(c, args) {
    const o = parseScanArgs(args, 1, 'keys');
    const engine = c.server.engine;
    const n = engine.shardCount;
    let shard = o.cursor % n;
    let cur = Math.floor(o.cursor / n);
    let found = 0;
    const out: string[] = [];
    let next = 0;
    // scanGenericCommand: buckets until COUNT keys are found (at most COUNT*10 buckets), then filter
    let buckets = o.count * 10;
    for (;;) {
      const step = scanShard(engine, shard, c.db, cur, buckets, o.count - found, o.match, o.type);
      cur = step.cursor;
      buckets = step.buckets;
      found += step.found;
      for (const key of step.keys) out.push(key);
      if (cur !== 0) {
        next = cur * n + shard;
        break;
      }
      if (++shard >= n) break;
      if (buckets <= 0 || found >= o.count) {
        next = shard; // table cursor 0: the next shard from its start
        break;
      }
    }
    writeScanReply(c.reply, next, out);
  },
});

export const scanCommands: CommandSpec[] = [scan];
