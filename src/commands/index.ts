/** Every command family, in one list the registry is built from. */
import type { CommandSpec } from './spec.ts';
import { connectionCommands } from './connection.ts';
import { clientCommands } from './client-cmd.ts';
import { functionCommands } from './function.ts';
import { transactionCommands } from './transactions.ts';
import { memoryCommands } from './memory.ts';
import { bitmapCommands } from './bitmap.ts';
import { sortCommands } from './sort.ts';
import { hyperloglogCommands } from './hyperloglog.ts';
import { geoCommands } from './geo.ts';
import { streamCommands } from './stream.ts';
import { scriptingCommands } from './scripting.ts';
import { latencyCommands } from './latency.ts';
import { clusterCommands } from './cluster.ts';
import { replicationCommands } from '../replication/primary.ts';
import { serverCommands } from './server.ts';
import { stringCommands } from './string.ts';
import { keyCommands } from './keys.ts';
import { listCommands } from './list.ts';
import { hashCommands } from './hash.ts';
import { setCommands } from './set.ts';
import { zsetCommands } from './zset.ts';
import { pubsubCommands } from './pubsub.ts';
import { dumpCommands } from './dump.ts';
import { aofCommands } from './aof.ts';
import { aclCommands } from './acl.ts';

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
    ...setCommands,
    ...zsetCommands,
    ...pubsubCommands,
    ...dumpCommands,
    ...aofCommands,
    ...aclCommands,
  ];
}
