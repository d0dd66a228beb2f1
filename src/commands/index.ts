/** Every command family, in one list the registry is built from. */
import type { CommandSpec } from './core/spec.ts';
import { connectionCommands } from './connection/connection.ts';
import { clientCommands } from './connection/client-cmd.ts';
import { functionCommands } from './scripting/function.ts';
import { transactionCommands } from './transactions/transactions.ts';
import { memoryCommands } from './server/memory.ts';
import { bitmapCommands } from './bitmap/bitmap.ts';
import { sortCommands } from './keys/sort.ts';
import { hyperloglogCommands } from './hyperloglog/hyperloglog.ts';
import { geoCommands } from './geo/geo.ts';
import { streamCommands } from './stream/stream.ts';
import { scriptingCommands } from './scripting/scripting.ts';
import { latencyCommands } from './server/latency.ts';
import { clusterCommands } from './server/cluster.ts';
import { replicationCommands } from './server/replication.ts';
import { serverCommands } from './server/server.ts';
import { stringCommands } from './string/string.ts';
import { keyCommands } from './keys/keys.ts';
import { listCommands } from './list/list.ts';
import { hashCommands } from './hash/hash.ts';
import { hashTtlCommands } from './hash/hash-ttl.ts';
import { hashExCommands } from './hash/hash-ex.ts';
import { setCommands } from './set/set.ts';
import { zsetCommands } from './zset/zset.ts';
import { pubsubCommands } from './pubsub/pubsub.ts';
import { dumpCommands } from './keys/dump.ts';
import { aofCommands } from './server/aof.ts';
import { aclCommands } from './connection/acl.ts';
import { backupCommands } from './server/backup.ts';

export function allCommands(): CommandSpec[] {
  return [
    ...connectionCommands,
    ...clientCommands,
    ...functionCommands,
    ...transactionCommands,
    ...memoryCommands,
    ...bitmapCommands,
    ...sortCommands,
    ...hyperloglogCommands,
    ...geoCommands,
    ...streamCommands,
    ...scriptingCommands,
    ...latencyCommands,
    ...clusterCommands,
    ...replicationCommands,
    ...serverCommands,
    ...stringCommands,
    ...keyCommands,
    ...listCommands,
    ...hashCommands,
    ...hashTtlCommands,
    ...hashExCommands,
    ...setCommands,
    ...zsetCommands,
    ...pubsubCommands,
    ...dumpCommands,
    ...aofCommands,
    ...aclCommands,
    ...backupCommands,
  ];
}
