/**
 * DUMP, RESTORE, RESTORE-ASKING and MIGRATE (Redis's cluster.c), plus the
 * snapshot commands SAVE / BGSAVE (save.ts). A DUMP payload is the value's
 * RDB type and body, the RDB version (2 bytes LE) and a CRC-64 (8 bytes LE)
 * of everything before it, exactly as Redis 7.0 writes it, so payloads move
 * between shardis and Redis both ways.
 */
import { command, type CommandSpec } from '../core/spec.ts';
import { CommandError, Err } from '../core/errors.ts';
import { isOpt, parseInt64OrNull } from '../core/parse.ts';
import type { Client } from '../../server/client.ts';
import type { Value } from '../../datatypes/value.ts';
import { dumpPayload } from '../../persistence/rdb-writer.ts';
import { readDumpPayload } from '../../persistence/rdb-load.ts';
import { verifyDumpPayload } from '../../persistence/dump-payload.ts';
import { loadLimits, saveOptions, saveState } from '../../persistence/save-state.ts';
import { migrateCommand } from './migrate.ts';
import { saveCommands } from '../server/save.ts';
import { deletionCommand } from '../../engine/lazyfree.ts';

/** The DUMP payload of a value under the server's config (rdbcompression). */
export function createDumpPayload(c: Client, v: Value): Buffer {
  return dumpPayload(v, saveOptions(c.server));
}

/** DUMP key */
const dump = command({
  name: 'dump', arity: 2, flags: ['readonly'], firstKey: 1, lastKey: 1, step: 1,
  group: 'generic',
  acl: ['@keyspace'],
  handler(c, args) {
    const v = c.ks(args[1]!).lookupRead(args[1]!);
    if (v === undefined) return c.reply.nullBulk();
    c.reply.bulkBuffer(createDumpPayload(c, v));
  },
});

function int64Arg(s: string): number {
  const v = parseInt64OrNull(s);
  if (v === null) throw new CommandError(Err.NOT_INTEGER);
  return v;
}

/** RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency] */
function restoreHandler(c: Client, args: string[]): void {
  let replace = false;
  let absttl = false;
  let idle = -1;
  let freq = -1;
  for (let j = 4; j < args.length; j++) {
    const more = args.length - j - 1;
    const a = args[j]!;
    if (isOpt(a, 'REPLACE')) replace = true;
    else if (isOpt(a, 'ABSTTL')) absttl = true;
    else if (isOpt(a, 'IDLETIME') && more >= 1 && freq === -1) {
      idle = int64Arg(args[++j]!);
      if (idle < 0) throw new CommandError('ERR Invalid IDLETIME value, must be >= 0');
    } else if (isOpt(a, 'FREQ') && more >= 1 && idle === -1) {
      freq = int64Arg(args[++j]!);
      if (freq < 0 || freq > 255) throw new CommandError('ERR Invalid FREQ value, must be >= 0 and <= 255');
    } else throw new CommandError(Err.SYNTAX);
  }
  const key = args[1]!;
  const ks = c.ks(key);
  if (!replace && ks.get(key) !== undefined) throw new CommandError('BUSYKEY Target key name already exists.');
  let ttl = int64Arg(args[2]!);
  if (ttl < 0) throw new CommandError('ERR Invalid TTL value, must be >= 0');
  const payload = Buffer.from(args[3]!, 'latin1');
  if (!verifyDumpPayload(payload, saveState(c.server).skipChecksum)) throw new CommandError('ERR DUMP payload version or checksum are wrong');
  const value = readDumpPayload(payload, loadLimits(c.server));
  if (value === null) throw new CommandError('ERR Bad data format');
  const deleted = replace && ks.delete(key);
  const now = c.server.engine.now();
  if (ttl !== 0 && !absttl) ttl += now;
  if (ttl !== 0 && ttl <= now) {
    // already expired: nothing to create (a replaced key is gone, and that is what replicas see)
    if (deleted) {
      c.propagate = [deletionCommand(c.server.config, 'lazyfree-lazy-server-del'), key];
      ks.modified(key, 'del');
    }
    return c.reply.ok();
  }
  ks.set(key, value);
  if (ttl !== 0) {
    ks.setExpire(key, ttl);
    // replicas get the TTL as an absolute time
    if (!absttl) c.propagate = [args[0]!, key, String(ttl), ...args.slice(3), 'ABSTTL'];
  }
  ks.setLruHint(key, idle, freq);
  ks.modified(key, 'restore');
  c.reply.ok();
}

const restore = command({
  name: 'restore', arity: -4, flags: ['write', 'denyoom'], firstKey: 1, lastKey: 1, step: 1,
  group: 'generic', acl: ['@keyspace', '@dangerous'],
  handler: restoreHandler,
});

/** RESTORE-ASKING: RESTORE as MIGRATE sends it in cluster mode. */
const restoreAsking = command({
  name: 'restore-asking', arity: -4, flags: ['write', 'denyoom', 'asking'], firstKey: 1, lastKey: 1, step: 1,
  group: 'server', acl: ['@keyspace', '@dangerous'],
  handler: restoreHandler,
});

export const dumpCommands: CommandSpec[] = [dump, restore, restoreAsking, migrateCommand, ...saveCommands];
