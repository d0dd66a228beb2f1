/** SCAN over every shard of the selected database, and the shared SCAN loop for collections. */
import { command, type CommandSpec } from './spec.ts';
import { parseScanArgs } from './scan-args.ts';
import { globMatch } from '../datatypes/glob.ts';
import { typeOf } from '../datatypes/value.ts';
import type { CursorTable } from '../engine/cursors.ts';
import type { ReplyWriter } from '../protocol/reply-writer.ts';

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

/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] */
const scan = command({
  name: 'scan', arity: -2, flags: ['readonly'], firstKey: 0, lastKey: 0, step: 0,
  group: 'generic', since: '2.8.0', summary: 'Iterates over the key names in the database.',
  complexity: 'O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.',
  acl: ['@keyspace'],
  args: [{ name: 'cursor', type: 'integer' }, { name: 'pattern', type: 'pattern', token: 'MATCH', optional: true }, { name: 'count', type: 'integer', token: 'COUNT', optional: true }, { name: 'type', type: 'string', token: 'TYPE', optional: true }],
  handler(c, args) {
    const o = parseScanArgs(args, 1, true);
    const spaces = c.server.engine.keyspaces(c.db);
    const n = spaces.length;
    // cursor = tableCursor * shards + shard index
    let shard = o.cursor % n;
    let cur = Math.floor(o.cursor / n);
    const visited: string[] = [];
    let next = 0;
    for (;;) {
      const ks = spaces[shard]!;
      const data = ks.data;
      const c2 = scanStep(ks.scanCursors, cur, () => data.keys(), o.count - visited.length, visited);
      if (c2 !== 0) {
        next = c2 * n + shard;
        break;
      }
      if (++shard >= n) break;
      cur = 0;
      if (visited.length >= o.count) {
        // resume at the start of the next shard
        next = spaces[shard]!.scanCursors.save(spaces[shard]!.data.keys()) * n + shard;
        break;
      }
    }
    const out: string[] = [];
    for (const key of visited) {
      const ks = c.server.engine.keyspace(key, c.db);
      const v = ks.get(key);
      if (v === undefined) continue;
      if (o.match !== null && !globMatch(o.match, key)) continue;
      if (o.type !== null && typeOf(v) !== o.type) continue;
      out.push(key);
    }
    writeScanReply(c.reply, next, out);
  },
});

export const scanCommands: CommandSpec[] = [scan];
